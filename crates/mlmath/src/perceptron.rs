//! Rosenblatt's perceptron (1958), and Novikoff's theorem that it stops.
//!
//! The perceptron is a linear classifier, ŷ = sign(w·x + b), trained one
//! sample at a time and only on its mistakes. It learns two classes: class
//! 1 of the dataset is written y = +1, class 0 is y = −1. Starting from
//! w = 0, b = 0, it visits the samples in turn; sample i is a **mistake**
//! when y_i (w·x_i + b) ≤ 0 (wrong side, or on the boundary), and then
//!
//! ```text
//! w ← w + η y_i x_i,      b ← b + η y_i,
//! ```
//!
//! with learning rate η > 0. The update moves the boundary towards getting
//! x_i right: y_i (w·x_i + b) grows by η (‖x_i‖² + 1) > 0. A pass over all
//! samples is an **epoch**; training stops after the first epoch without a
//! mistake (every sample is on its side) or after `max_epochs`.
//!
//! Write x̃_i = (x_i, 1) and w̃ = (w, b) (see [`augment`](crate::geometry::augment)):
//! the rule is w̃ ← w̃ + η y_i x̃_i, and the bias is one more weight.
//! Starting from 0, w̃ after k updates is η times a sum of the y_i x̃_i, so
//! η only scales w̃: whether y_i w̃·x̃_i ≤ 0 does not depend on it, and the
//! same mistakes happen in the same order for every η > 0 — in exact
//! arithmetic. In floating point, η x_i is rounded, and a score within
//! rounding error of 0 can take either sign, and a long run may then take
//! another path (still within Novikoff's bound).
//!
//! ## Novikoff's theorem (1962)
//!
//! Suppose ‖x̃_i‖ ≤ R for every i, and some unit vector u separates the
//! data with margin γ > 0: y_i u·x̃_i ≥ γ for every i. Then the perceptron
//! makes at most
//!
//! ```text
//! (R / γ)²
//! ```
//!
//! mistakes, however many epochs it runs and in whatever order it visits the
//! samples. Proof (η = 1, which loses nothing by the remark above): let w̃_k
//! be the weights after the k-th mistake, made on sample i.
//!
//! 1. w̃_k·u = w̃_{k−1}·u + y_i x̃_i·u ≥ w̃_{k−1}·u + γ, so **w̃_k·u ≥ kγ**.
//! 2. ‖w̃_k‖² = ‖w̃_{k−1}‖² + 2 y_i w̃_{k−1}·x̃_i + ‖x̃_i‖² ≤ ‖w̃_{k−1}‖² + R²,
//!    because a mistake means y_i w̃_{k−1}·x̃_i ≤ 0; so **‖w̃_k‖² ≤ kR²**.
//!
//! By Cauchy–Schwarz, kγ ≤ w̃_k·u ≤ ‖w̃_k‖ ‖u‖ = ‖w̃_k‖ ≤ √k R, hence
//! k ≤ (R/γ)². Every epoch before the last has a mistake, so on separable
//! data the perceptron converges within ⌊(R/γ)²⌋ + 1 epochs.
//! [`novikoff_bound`] computes R, γ and the bound for a given u.
//!
//! ```
//! use mlmath::prelude::*;
//! use mlmath::perceptron::novikoff_bound;
//! // AND on ±1 inputs: class 1 only for (1, 1).
//! let x = array![[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]];
//! let and = Dataset::new(&x, &array![0, 0, 0, 1]).unwrap();
//! let model = Perceptron::new().fit(&and).unwrap();
//! assert!(model.converged());
//! assert_eq!(model.predict(&and).unwrap(), array![0, 0, 0, 1]);
//! assert_eq!(model.score(&and).unwrap(), 1.0);
//! // u = (1, 1, −1) separates AND: R = √3, γ = 1/√3, at most 9 mistakes.
//! let bound = novikoff_bound(&and, &array![1.0, 1.0, -1.0]).unwrap();
//! assert!(model.updates() as f64 <= bound.bound());
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1};

use crate::data::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};
use crate::geometry::{
    augment_of, check_columns, radius_of, scaled_dot, scaled_norm, signs, times_power_of_two,
};
use crate::metrics::{accuracy, check_same_classes};
use crate::svm::smo::{self, Through};

/// The most epochs [`Perceptron::max_epochs`] accepts. Each epoch's weights
/// are kept, so `fit` also refuses `max_epochs × (features + 1)` above
/// [`MAX_STORED`]: a million epochs of 4 weights and a bias are 40 MB.
pub const MAX_EPOCHS: usize = 1_000_000;

/// The most numbers the epochs of one `fit` may keep, `max_epochs ×
/// (features + 1)`: 10⁷ f64, 80 MB.
pub const MAX_STORED: usize = 10_000_000;

/// The perceptron's hyperparameters: [`new`](Self::new), then the setters,
/// then [`fit`](Self::fit).
///
/// | setter | meaning | default | allowed |
/// |---|---|---|---|
/// | [`learning_rate`](Self::learning_rate) | the step η of w ← w + η y_i x_i | 1.0 | finite, > 0 |
/// | [`max_epochs`](Self::max_epochs) | the most passes over the data | 100 | 1 to [`MAX_EPOCHS`] |
///
/// ```
/// use mlmath::prelude::*;
/// let xor = Dataset::new(&array![[0., 0.], [0., 1.], [1., 0.], [1., 1.]], &array![0, 1, 1, 0])
///     .unwrap();
/// let model = Perceptron::new().learning_rate(0.5).max_epochs(20).fit(&xor).unwrap();
/// assert!(!model.converged()); // no line separates XOR
/// assert_eq!(model.epochs().len(), 20);
/// let e = Perceptron::new().max_epochs(0).fit(&xor).unwrap_err();
/// assert_eq!(e.to_string(), "max_epochs must be from 1 to 1000000, got 0");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Perceptron {
    learning_rate: f64,
    max_epochs: usize,
}

impl Default for Perceptron {
    fn default() -> Self {
        Perceptron::new()
    }
}

impl Perceptron {
    /// The perceptron with its defaults: learning rate η = 1, at most 100 epochs.
    pub fn new() -> Self {
        Perceptron {
            learning_rate: 1.0,
            max_epochs: 100,
        }
    }

    /// Sets the learning rate η (default 1.0; checked by `fit`: finite, > 0).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets the most epochs (default 100; checked by `fit`: 1 to [`MAX_EPOCHS`]).
    pub fn max_epochs(mut self, max_epochs: usize) -> Self {
        self.max_epochs = max_epochs;
        self
    }

    /// Trains on a two-class dataset: class 1 is y = +1, class 0 is y = −1.
    ///
    /// Starts from w = 0, b = 0; each epoch visits the samples in their
    /// order and, on a mistake y_i (w·x_i + b) ≤ 0, sets
    /// w ← w + η y_i x_i and b ← b + η y_i. Stops after the first epoch
    /// without a mistake ([`converged`](FittedPerceptron::converged) is
    /// then true) or after `max_epochs`.
    ///
    /// An error if the dataset is empty or holds a NaN, has other than two
    /// classes (pick two with [`Dataset::classes`]), a hyperparameter is
    /// out of its range, or the weights grow beyond what an f64 holds.
    pub fn fit(&self, data: &Dataset) -> Result<FittedPerceptron> {
        data.check_trainable()?;
        let y = signs(data)?;
        let eta = self.learning_rate;
        if !(eta.is_finite() && eta > 0.0) {
            return Err(Error::parameter(
                "learning_rate",
                "a positive finite number",
                eta,
            ));
        }
        if !(1..=MAX_EPOCHS).contains(&self.max_epochs) {
            return Err(Error::parameter(
                "max_epochs",
                format!("from 1 to {MAX_EPOCHS}"),
                self.max_epochs,
            ));
        }
        let stored = self.max_epochs.saturating_mul(data.n_features() + 1);
        if stored > MAX_STORED {
            return Err(Error::parameter(
                "max_epochs",
                format!(
                    "at most {} for {} features (every epoch's weights are kept, \
                     at most {MAX_STORED} numbers): lower max_epochs",
                    MAX_STORED / (data.n_features() + 1),
                    data.n_features()
                ),
                self.max_epochs,
            ));
        }
        let (weights, bias, epochs) = train(data.x().view(), y.view(), eta, self.max_epochs)?;
        let converged = epochs.last().is_some_and(|e| e.mistakes == 0);
        Ok(FittedPerceptron {
            weights,
            bias,
            epochs,
            converged,
            class_names: data.class_names().to_vec(),
        })
    }
}

/// Rosenblatt's rule on `x: (n, d)` with signs `y: (n,)`, for at most
/// `max_epochs` epochs: the final (w, b) and every epoch.
fn train(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    eta: f64,
    max_epochs: usize,
) -> Result<(Array1<f64>, f64, Vec<Epoch>)> {
    let mut w = Array1::zeros(x.ncols());
    let mut b = 0.0;
    let mut epochs = Vec::new();
    let mut updates = 0;
    while epochs.len() < max_epochs {
        let mut mistakes = 0;
        for (x_i, &y_i) in x.rows().into_iter().zip(y) {
            let score = w.dot(&x_i) + b;
            if !score.is_finite() {
                return Err(overflow(updates));
            }
            if y_i * score <= 0.0 {
                w.scaled_add(eta * y_i, &x_i);
                b += eta * y_i;
                mistakes += 1;
                updates += 1;
            }
        }
        if !(b.is_finite() && w.iter().all(|v| v.is_finite())) {
            return Err(overflow(updates));
        }
        epochs.push(Epoch {
            mistakes,
            weights: w.clone(),
            bias: b,
        });
        if mistakes == 0 {
            break;
        }
    }
    Ok((w, b, epochs))
}

fn overflow(updates: usize) -> Error {
    Error::overflow(
        format!("the perceptron's score w·x + b after {updates} updates"),
        "standardise the features (dataset.standardized()) or lower the learning rate",
    )
}

/// The state of the perceptron at the end of one epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Epoch {
    mistakes: usize,
    weights: Array1<f64>,
    bias: f64,
}

impl Epoch {
    /// How many samples were mistakes (and so updates) during the epoch.
    pub fn mistakes(&self) -> usize {
        self.mistakes
    }

    /// The weights w at the end of the epoch: `(d,)`.
    pub fn weights(&self) -> &Array1<f64> {
        &self.weights
    }

    /// The bias b at the end of the epoch.
    pub fn bias(&self) -> f64 {
        self.bias
    }
}

/// A trained perceptron: the hyperplane w·x + b = 0 and how it got there.
/// Read it through its methods; it cannot be changed after training.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPerceptron {
    weights: Array1<f64>,
    bias: f64,
    epochs: Vec<Epoch>,
    converged: bool,
    class_names: Vec<String>,
}

impl FittedPerceptron {
    /// The weights w: `(d,)`.
    pub fn weights(&self) -> &Array1<f64> {
        &self.weights
    }

    /// The bias b.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// Every epoch run, in order; the last one has no mistake if
    /// [`converged`](Self::converged).
    pub fn epochs(&self) -> &[Epoch] {
        &self.epochs
    }

    /// Whether an epoch ended without a mistake (the data were separated).
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The names of the two classes, class 0 (y = −1) then class 1 (y = +1).
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The total number of mistakes, Σ over epochs — the number of updates
    /// that Novikoff's theorem bounds by (R/γ)².
    pub fn updates(&self) -> usize {
        self.epochs.iter().map(|e| e.mistakes).sum()
    }

    /// The weights and bias as one vector w̃ = (w, b) of length d + 1, the
    /// hyperplane in the augmented space — the `u` that [`novikoff_bound`]
    /// takes.
    pub fn augmented_weights(&self) -> Array1<f64> {
        let mut u = self.weights.to_vec();
        u.push(self.bias);
        Array1::from(u)
    }

    /// The score w·x_i + b of every row of `x: (n, d)` (a dataset, an array
    /// or a view); its sign is the prediction, its size over ‖w‖ the
    /// distance to the boundary.
    pub fn decision_function<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<f64>> {
        self.scores(x.into_features())
    }

    fn scores(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check_columns("x", x, self.weights.len())?;
        check_finite("x", x)?;
        let scores = x.dot(&self.weights) + self.bias;
        if let Some(i) = scores.iter().position(|s| !s.is_finite()) {
            return Err(Error::overflow(
                format!("the score w·x + b of row {i}"),
                "rescale the features as they were rescaled for training",
            ));
        }
        Ok(scores)
    }

    /// The predicted class of every row of `x: (n, d)` (a dataset, an array
    /// or a view): 1 where w·x_i + b ≥ 0, else 0. A point exactly on the
    /// boundary is given class 1 (y = +1).
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let line = Dataset::new(&array![[-1.0], [1.0]], &array![0, 1]).unwrap();
    /// let model = Perceptron::new().fit(&line).unwrap();
    /// // The boundary ended at w·x + b = 0 with w = 2, b = 0: x = 0 gets class 1.
    /// assert_eq!((model.weights()[0], model.bias()), (2.0, 0.0));
    /// assert_eq!(model.predict(&array![[-0.5], [0.0], [3.0]]).unwrap(), array![0, 1, 1]);
    /// ```
    pub fn predict<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<usize>> {
        Ok(self
            .scores(x.into_features())?
            .mapv(|s| usize::from(s >= 0.0)))
    }

    /// The accuracy on a dataset with the classes the perceptron learned:
    /// (1/n) Σ_i [ŷ_i = y_i], the fraction of rows whose predicted class is
    /// their class (see [`accuracy`]).
    ///
    /// An error if the dataset is empty, or names other classes than the
    /// perceptron was fitted on, in that order (a dataset that holds only
    /// class 0, and names only it, is fine).
    pub fn score(&self, data: &Dataset) -> Result<f64> {
        check_same_classes(&self.class_names, data)?;
        accuracy(data.y(), &self.predict(data)?)
    }
}

/// The quantities of Novikoff's theorem for a dataset and a separator u.
#[derive(Debug, Clone, PartialEq)]
pub struct NovikoffBound {
    radius: f64,
    margin: f64,
    bound: f64,
}

impl NovikoffBound {
    /// R = max_i ‖(x_i, 1)‖.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// γ = min_i y_i u·(x_i, 1) / ‖u‖, > 0.
    pub fn margin(&self) -> f64 {
        self.margin
    }

    /// (R / γ)²: no run of the perceptron makes more mistakes on this data
    /// (+∞ when the margin is so small that the bound is beyond an f64).
    pub fn bound(&self) -> f64 {
        self.bound
    }
}

/// Novikoff's bound on the perceptron's mistakes, for a two-class dataset
/// (y = +1 for class 1, −1 for class 0) and a separating vector `u` of
/// length d + 1 in the augmented space (the weights, then the bias as the
/// last entry):
///
/// ```text
/// R = max_i ‖(x_i, 1)‖,   γ = min_i y_i u·(x_i, 1) / ‖u‖,   bound = (R / γ)².
/// ```
///
/// An error if u does not separate the data (γ ≤ 0): the theorem needs a
/// separating u. Any separating u gives a valid bound; a larger margin gives
/// a smaller one.
///
/// ```
/// use mlmath::prelude::*;
/// use mlmath::perceptron::novikoff_bound;
/// // Two points on the line, at −1 (class 0) and +1 (class 1), separated by u = (1, 0).
/// let line = Dataset::new(&array![[-1.0], [1.0]], &array![0, 1]).unwrap();
/// let nb = novikoff_bound(&line, &array![1.0, 0.0]).unwrap();
/// // R = ‖(±1, 1)‖ = √2, γ = 1, bound = 2.
/// assert!((nb.bound() - 2.0).abs() < 1e-12);
/// assert!(novikoff_bound(&line, &array![-1.0, 0.0]).is_err());
/// ```
pub fn novikoff_bound<'a>(data: &Dataset, u: impl AsArray<'a, f64, Ix1>) -> Result<NovikoffBound> {
    novikoff_bound_of(data, u.into())
}

fn novikoff_bound_of(data: &Dataset, u: ArrayView1<'_, f64>) -> Result<NovikoffBound> {
    data.check_trainable()?;
    let y = signs(data)?;
    let d = data.n_features();
    if u.len() != d + 1 {
        return Err(Error::shape(
            "u",
            format!(
                "{} entries (one per feature of {}, then the bias)",
                d + 1,
                data.name()
            ),
            format!("{} entries", u.len()),
        ));
    }
    check_finite("u", u)?;
    let u_norm = scaled_norm(u);
    if u_norm == 0.0 {
        return Err(Error::parameter(
            "u",
            "a separating vector (the theorem needs a separating u; u = 0 separates nothing)",
            "the zero vector",
        ));
    }
    // The unit vector u/‖u‖, rescaled first so that ‖u‖ cannot overflow.
    let k = u
        .iter()
        .fold(0.0, |m: f64, v| m.max(v.abs()))
        .log2()
        .floor() as i32;
    let scaled = u.mapv(|v| times_power_of_two(v, -k));
    let unit = &scaled / scaled.dot(&scaled).sqrt();
    let x_aug = augment_of(data.x().view());
    let (worst, gamma) = x_aug
        .rows()
        .into_iter()
        .zip(&y)
        .map(|(x_i, &y_i)| y_i * scaled_dot(unit.view(), x_i))
        .enumerate()
        .fold((0, f64::INFINITY), |best, (i, m)| {
            if m < best.1 || m.is_nan() {
                (i, m)
            } else {
                best
            }
        });
    if gamma.is_nan() || gamma <= 0.0 {
        return Err(Error::parameter(
            "u",
            "a vector that separates the data (the theorem needs a separating u: \
             y_i u·(x_i, 1) > 0 for every i)",
            format!("y_i u·(x_i, 1) / ‖u‖ = {gamma} ≤ 0 at sample {worst}"),
        ));
    }
    let r = radius_of(&format!("the features of {}", data.name()), x_aug.view())?;
    Ok(NovikoffBound {
        radius: r,
        margin: gamma,
        bound: (r / gamma).powi(2),
    })
}

/// The unit vector u of the augmented space (weights, then bias) with the
/// largest margin γ* = max_u min_i y_i u·(x_i, 1) on a two-class dataset
/// (y = +1 for class 1, −1 for class 0): the best u for
/// [`novikoff_bound`], which then gives the smallest bound the theorem allows.
///
/// Write a_i = y_i x̃_i. This is the hard-margin support vector machine
/// through the origin of the augmented space: the shortest v with
/// a_i·v ≥ 1 for every i has margin 1/‖v‖ = γ*, and u = v/‖v‖. Its dual,
///
/// ```text
/// maximise Σ α_i − ½ ‖Σ α_i a_i‖²   over α ≥ 0,   v = Σ α_i a_i,
/// ```
///
/// has no equality constraint (the bias is one more weight), and is solved
/// by the SMO of [`svm`](crate::svm) with a working set of one multiplier
/// (chapter 06 derives it). For any α ≥ 0, λ = α/Σα mixes the a_i into
/// z = Σ λ_i a_i, and min_i u·a_i ≤ u·z ≤ ‖z‖ for every unit u: ‖z‖ bounds
/// γ* from above. If the classes are not separable the dual has no maximum
/// (Σ α grows without limit) and λ tends to a certificate: Σ λ_i y_i x̃_i = 0,
/// whose last entry says that the λ of each class sum to ½, and the others
/// that the two classes' mixtures are the same point, inside both convex
/// hulls.
///
/// Because the features may be far larger than the constant 1 of x̃ (data
/// far from the origin), separability is decided on the columns rescaled
/// (exactly, by powers of two) to entries near 1, and the answer is then
/// polished: the points on which the margin is reached are solved for
/// exactly, with every column rescaled, and kept if it passes the
/// optimality check (the multipliers of the support vectors are ≥ 0 and
/// every point is at least the margin away). The answer is certified: its
/// margin is within 10⁻⁸ of γ*.
///
/// Errors: data that are not linearly separable, named by the certificate
/// (the rows and their λ: each column of Σ λ_i y_i x̃_i is below 10⁻¹² of
/// Σ λ_i |x̃_ij|, so no hyperplane separates them by more than rounding);
/// or, if neither certificate can be had (features that differ in size by
/// more than an f64 can follow), an error that says so and what to do.
///
/// ```
/// use mlmath::prelude::*;
/// use mlmath::perceptron::max_margin_separator;
/// // Points at −1 (class 0) and +1 (class 1) on a line: the best u is (1, 0), with margin 1.
/// let line = Dataset::new(&array![[-1.0], [1.0]], &array![0, 1]).unwrap();
/// let u = max_margin_separator(&line).unwrap();
/// assert!((u[0] - 1.0).abs() < 1e-9 && u[1].abs() < 1e-9);
/// ```
pub fn max_margin_separator(data: &Dataset) -> Result<Array1<f64>> {
    data.check_trainable()?;
    let y = signs(data)?;
    let mut a = augment_of(data.x().view());
    for (mut row, &y_i) in a.rows_mut().into_iter().zip(&y) {
        row *= y_i;
    }
    // Separable or not does not change when a column is rescaled: decide it
    // on columns rescaled (exactly, by powers of two) to entries near 1.
    let column_scales = column_exponents(a.view());
    let mut balanced = a.clone();
    for (mut column, &e) in balanced.columns_mut().into_iter().zip(&column_scales) {
        column.mapv_inplace(|v| times_power_of_two(v, -e));
    }
    // A separator of the rescaled columns, mapped back, separates the data.
    let rescaled = match widest_margin(balanced.view()) {
        Through::Unbounded { alpha } => {
            if let Some(message) = inseparable(balanced.view(), &alpha) {
                return Err(Error::parameter(
                    format!("the classes of {}", data.name()),
                    "linearly separable (a hyperplane with every point of class 1 on one side \
                     and every point of class 0 on the other)",
                    message,
                ));
            }
            None
        }
        Through::Solved { alpha } | Through::Stopped { alpha } => Some(
            combination(balanced.view(), &alpha)
                .iter()
                .zip(&column_scales)
                .map(|(&v, &e)| times_power_of_two(v, -e))
                .collect::<Array1<f64>>(),
        ),
    };
    // The margin itself is measured in the data's own units: rescale only
    // by one power of two for all entries (which leaves u unchanged).
    let largest = a.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let k = largest.log2().floor() as i32;
    a.mapv_inplace(|v| times_power_of_two(v, -k));
    let alpha = match widest_margin(a.view()) {
        Through::Solved { alpha } | Through::Stopped { alpha } | Through::Unbounded { alpha } => {
            alpha
        }
    };
    let total: f64 = alpha.iter().sum();
    let members: Vec<usize> = (0..alpha.len()).filter(|&i| alpha[i] > 0.0).collect();
    let z = combination(a.view(), &alpha);
    // ‖z‖/Σα = ‖Σ λ_i a_i‖ bounds γ* from above, up to the rounding of z.
    let spread: f64 = members
        .iter()
        .map(|&i| alpha[i] * scaled_norm(a.row(i)))
        .sum();
    let upper = if total > 0.0 {
        (scaled_norm(z.view()) + 1e-15 * (members.len() as f64) * spread) / total
    } else {
        f64::INFINITY
    };
    let mut best: Option<(f64, Array1<f64>)> = None;
    let consider = |candidate: Array1<f64>, best: &mut Option<(f64, Array1<f64>)>| {
        let length = scaled_norm(candidate.view());
        if length > 0.0 && length.is_finite() {
            let u = candidate / length;
            let m = margin_of_unit(a.view(), u.view());
            if m > 0.0 && best.as_ref().is_none_or(|b| m > b.0) {
                *best = Some((m, u));
            }
        }
    };
    consider(z, &mut best);
    if let Some(r) = rescaled {
        consider(r, &mut best);
    }
    if let Some(v) = polish(a.view(), &members) {
        if optimal(a.view(), &members, &v) {
            return Ok(&v / scaled_norm(v.view()));
        }
        consider(v, &mut best);
    }
    if let Some((v, alpha)) = on_support(a.view(), &members) {
        if alpha.iter().all(|&x| x >= 0.0) && feasible(a.view(), &v) {
            return Ok(&v / scaled_norm(v.view()));
        }
        consider(v, &mut best);
    }
    // The support vectors of the best separator so far are the rows
    // closest to it: solve on the m closest, and repeat while it improves.
    for _ in 0..20 {
        let Some((_, u)) = &best else { break };
        let scores: Vec<f64> = a
            .rows()
            .into_iter()
            .map(|r| scaled_dot(r, u.view()))
            .collect();
        let mut order: Vec<usize> = (0..a.nrows()).collect();
        order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]));
        order.truncate(a.ncols());
        let Some(v) = polish(a.view(), &order) else {
            break;
        };
        if optimal(a.view(), &order, &v) {
            return Ok(&v / scaled_norm(v.view()));
        }
        let before = best.as_ref().map_or(0.0, |b| b.0);
        consider(v, &mut best);
        if best.as_ref().map_or(0.0, |b| b.0) <= before {
            break;
        }
    }
    match best {
        Some((m, u)) if m >= (1.0 - 1e-8) * upper => Ok(u),
        Some((m, _)) => Err(Error::parameter(
            "the maximum-margin search",
            "to certify the largest margin",
            format!(
                "a separator with margin {:.3e} where the best is at most {:.3e}: the features \
                 are too far apart in size for an f64; standardise them \
                 (dataset.standardized()), or centre them",
                times_power_of_two(m, k),
                times_power_of_two(upper, k)
            ),
        )),
        None => Err(Error::parameter(
            "the maximum-margin search",
            "to find a separator",
            "none found, though the classes were not shown inseparable: the features are \
             too far apart in size for an f64; standardise them (dataset.standardized())",
        )),
    }
}

/// The hard-margin SVM through the origin on the rows a_i, run to a KKT
/// violation of 10⁻⁹ (the polish then makes the answer exact); stopped
/// early if α/Σα becomes a certificate that the rows cannot all be on one
/// side of a hyperplane through 0.
fn widest_margin(a: ArrayView2<'_, f64>) -> Through {
    let cap = 2_000 + 20 * a.nrows();
    smo::solve_without_bias(a, 1e-9, cap, &mut |alpha| inseparable(a, alpha).is_some())
}

/// Σ α_i a_i.
fn combination(a: ArrayView2<'_, f64>, alpha: &[f64]) -> Array1<f64> {
    a.t().dot(&ArrayView1::from(alpha))
}

/// The certificate of inseparability from the multipliers of a run whose
/// Σα grows: on the rows with α_i > 0 (at most d + 2 of them, the largest),
/// the λ with Σ λ_i a_i = 0 and Σ λ_i = 1 by least squares; if every λ_i ≥ 0
/// and [`certificate`] accepts them, its message.
fn inseparable(a: ArrayView2<'_, f64>, alpha: &[f64]) -> Option<String> {
    let mut members: Vec<usize> = (0..alpha.len()).filter(|&i| alpha[i] > 0.0).collect();
    members.sort_by(|&i, &j| alpha[j].total_cmp(&alpha[i]));
    members.truncate(a.ncols() + 1);
    members.sort_unstable();
    let m = a.ncols();
    let mut system = Array2::<f64>::ones((m + 1, members.len()));
    for (c, &i) in members.iter().enumerate() {
        for j in 0..m {
            system[(j, c)] = a[(i, j)];
        }
    }
    let mut rhs = Array1::<f64>::zeros(m + 1);
    rhs[m] = 1.0;
    let lambda = crate::linalg::solve_least_squares(&system, &rhs).ok()?;
    if lambda.iter().any(|&l| l.is_nan() || l < 0.0) {
        return None;
    }
    let (members, weights): (Vec<usize>, Vec<f64>) = members
        .iter()
        .zip(&lambda)
        .filter(|p| *p.1 > 0.0)
        .map(|(&i, &l)| (i, l))
        .unzip();
    certificate(a, &members, &weights)
}

/// For each column, the exponent e with 2ᵉ ≤ max_i |a_ij| < 2ᵉ⁺¹ (0 for a
/// column of zeros).
fn column_exponents(a: ArrayView2<'_, f64>) -> Vec<i32> {
    a.columns()
        .into_iter()
        .map(|c| {
            let m = c.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
            if m > 0.0 { m.log2().floor() as i32 } else { 0 }
        })
        .collect()
}

/// The certificate that no hyperplane separates: each column of Σ λ_i a_i
/// is below 10⁻¹² of Σ λ_i |a_ij|. The message names the rows and λ.
fn certificate(a: ArrayView2<'_, f64>, members: &[usize], weights: &[f64]) -> Option<String> {
    for j in 0..a.ncols() {
        let column = a.column(j);
        let (sum, size) = members
            .iter()
            .zip(weights)
            .fold((0.0, 0.0), |(s, t), (&i, &w)| {
                (s + w * column[i], t + w * column[i].abs())
            });
        if sum.is_nan() || sum.abs() > 1e-12 * size {
            return None;
        }
    }
    let terms: Vec<String> = members
        .iter()
        .zip(weights)
        .map(|(i, w)| format!("{w:.3} at row {i}"))
        .collect();
    Some(format!(
        "classes that no hyperplane separates: the weights {} give Σ λ_i y_i (x_i, 1) = 0, \
         a point that is a mixture of class-1 rows and of class-0 rows at once",
        terms.join(", ")
    ))
}

/// The smallest a_i·u over the rows.
fn margin_of_unit(a: ArrayView2<'_, f64>, u: ArrayView1<'_, f64>) -> f64 {
    a.rows()
        .into_iter()
        .map(|r| scaled_dot(r, u))
        .fold(
            f64::INFINITY,
            |m, v| if v.is_nan() { f64::NAN } else { m.min(v) },
        )
}

/// When the members are as many as the dimensions, the v with a_i·v = 1 on
/// each of them, solved with every column rescaled by a power of two to
/// entries near 1 (so a bias entry far smaller than the features keeps its
/// digits). `None` otherwise, or if the system is singular.
fn polish(a: ArrayView2<'_, f64>, members: &[usize]) -> Option<Array1<f64>> {
    let m = a.ncols();
    if members.len() != m {
        return None;
    }
    let rows = a.select(Axis(0), members);
    let scales = column_exponents(rows.view());
    let mut balanced = rows.clone();
    for (mut column, &e) in balanced.columns_mut().into_iter().zip(&scales) {
        column.mapv_inplace(|v| times_power_of_two(v, -e));
    }
    let v = solve_square(balanced, Array1::ones(m))?;
    let v: Array1<f64> = v
        .iter()
        .zip(&scales)
        .map(|(&x, &e)| times_power_of_two(x, -e))
        .collect();
    v.iter().all(|x| x.is_finite()).then_some(v)
}

/// The v with a_i·v = 1 on each member and v = Σ α_i a_i over the members
/// (the shortest such v), and those α: they solve (A_S A_Sᵀ) α = 1 on the
/// members' Gram matrix. For fewer members than dimensions, where [`polish`]
/// does not apply. `None` if there are none, or the system is singular.
/// With every α ≥ 0 and every a_i·v ≥ 1, v meets the KKT conditions.
fn on_support(a: ArrayView2<'_, f64>, members: &[usize]) -> Option<(Array1<f64>, Array1<f64>)> {
    if members.is_empty() || members.len() >= a.ncols() {
        return None;
    }
    let rows = a.select(Axis(0), members);
    let alpha = solve_square(rows.dot(&rows.t()), Array1::ones(members.len()))?;
    let v = rows.t().dot(&alpha);
    v.iter().all(|x| x.is_finite()).then_some((v, alpha))
}

/// Whether every row has a_i·v ≥ 1 (to 10⁻⁹).
fn feasible(a: ArrayView2<'_, f64>, v: &Array1<f64>) -> bool {
    a.rows()
        .into_iter()
        .all(|r| scaled_dot(r, v.view()) >= 1.0 - 1e-9)
}

/// The optimality (KKT) check of a polished v: every row has a_i·v ≥ 1
/// (to 10⁻⁹), and v = Σ α_i a_i over the members with every α_i ≥ 0.
fn optimal(a: ArrayView2<'_, f64>, members: &[usize], v: &Array1<f64>) -> bool {
    if !feasible(a, v) {
        return false;
    }
    // Aᵀ α = v, with row j of the system rescaled as column j of A was.
    let rows = a.select(Axis(0), members);
    let scales = column_exponents(rows.view());
    // Only the signs of α matter: divide the right side by 2ᴷ as well, so
    // that it stays finite when the columns differ enormously in size.
    let shift = scales.iter().map(|&e| -e).max().unwrap_or(0);
    let mut system = rows.t().to_owned();
    let mut rhs = v.clone();
    for ((mut row, r), &e) in system.rows_mut().into_iter().zip(&mut rhs).zip(&scales) {
        row.mapv_inplace(|x| times_power_of_two(x, -e));
        *r = times_power_of_two(times_power_of_two(*r, -e - shift), 0);
    }
    solve_square(system, rhs).is_some_and(|alpha| alpha.iter().all(|&x| x >= -1e-12))
}

/// Gaussian elimination with partial pivoting; `None` if singular.
fn solve_square(mut m: Array2<f64>, mut b: Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let scale = m.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[(i, col)].abs().total_cmp(&m[(j, col)].abs()))?;
        if m[(pivot, col)].is_nan() || m[(pivot, col)].abs() <= 1e-13 * scale {
            return None;
        }
        for j in 0..n {
            m.swap((col, j), (pivot, j));
        }
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = m[(row, col)] / m[(col, col)];
            for j in col..n {
                m[(row, j)] -= f * m[(col, j)];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = Array1::zeros(n);
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|j| m[(row, j)] * x[j]).sum();
        x[row] = (b[row] - rest) / m[(row, row)];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{seeded, uniform_matrix};
    use ndarray::{Array2, array};

    /// The four corners of the square [−1, 1]², for the logic gates.
    fn corners() -> Array2<f64> {
        array![[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
    }

    /// A gate as a dataset on the corners: `classes[i]` for corner i.
    fn gate(classes: [usize; 4]) -> Dataset {
        Dataset::new(&corners(), &Array1::from(classes.to_vec()))
            .unwrap()
            .with_class_names(&["-1", "+1"])
            .unwrap()
    }

    #[test]
    fn no_separator_has_a_larger_margin_than_the_maximum_margin_one() {
        // AND on ±1 inputs: every random unit u that separates has a margin at
        // most that of the maximum-margin u, which is itself a separator.
        let and = gate([0, 0, 0, 1]);
        let best = novikoff_bound(&and, &max_margin_separator(&and).unwrap()).unwrap();
        let candidates = uniform_matrix(20_000, 3, -1.0, 1.0, &mut seeded(9)).unwrap();
        let mut separating = 0;
        for u in candidates.rows() {
            if let Ok(other) = novikoff_bound(&and, u) {
                separating += 1;
                assert!(
                    other.margin() <= best.margin() + 1e-9,
                    "{u} beats the maximum margin"
                );
            }
        }
        assert!(separating > 100, "the random search should find separators");
        // By the symmetry of AND the best u is (1, 1, −1)/√3, and y_i u·x̃_i
        // is 1/√3 on the three corners nearest the boundary.
        assert!(
            (best.margin() - 1.0 / 3f64.sqrt()).abs() < 1e-6,
            "{}",
            best.margin()
        );
    }

    #[test]
    fn and_scaled_by_powers_of_ten_keeps_its_margin() {
        // AND on the corners of [0, s]²: by symmetry u ∝ (1, 1, c), and the
        // margins of (0, s), (s, 0) and (s, s) are −(s + c), −(s + c) and
        // 2s + c over √(2 + c²); they are equal at c = −1.5 s, where moving c
        // either way lowers one of them. So γ* = 0.5 s / √(2 + 2.25 s²)
        // (→ 1/3). Before the polish step, s = 10³ was called inseparable
        // and s = 10¹⁵⁵ gave NaN.
        for k in [0, 1, 2, 3, 6, 10, 30, 100, 150, 155, 200, 300] {
            let s = 10f64.powi(k);
            let x = array![[0.0, 0.0], [0.0, s], [s, 0.0], [s, s]];
            let and = Dataset::new(&x, &array![0, 0, 0, 1]).unwrap();
            let u = max_margin_separator(&and).unwrap_or_else(|e| panic!("10^{k}: {e}"));
            assert!(u.iter().all(|v| v.is_finite()), "10^{k}: {u}");
            let got = novikoff_bound(&and, &u).unwrap().margin();
            let want = if k > 100 {
                1.0 / 3.0
            } else {
                0.5 * s / (2.0 + 2.25 * s * s).sqrt()
            };
            assert!((got / want - 1.0).abs() < 1e-9, "10^{k}: {got} vs {want}");
        }
    }

    #[test]
    fn data_moved_far_from_the_origin_are_still_separable() {
        // Points labelled by the line 0.6 x₁ − 0.8 x₂ + 0.2 = 0, at least 0.5 from it,
        // then moved by (s, s): the same line moved along separates them, so
        // "not separable" would be false; and no moved u may beat γ*.
        for seed in 0..20 {
            let data = separable(seed);
            for shift in [0.0, 4.0, 8.0, 16.0, 1e3, 1e6] {
                let moved = data.with_x(&(data.x() + shift)).unwrap();
                let got = max_margin_separator(&moved);
                if shift > 100.0 {
                    // Far out, the rows are nearly parallel: the search may
                    // fail to certify, but must never call them inseparable.
                    if let Err(e) = &got {
                        assert!(!e.to_string().contains("no hyperplane"), "{e}");
                        continue;
                    }
                }
                let u = got.unwrap_or_else(|e| panic!("seed {seed}, shift {shift}: {e}"));
                let best = novikoff_bound(&moved, &u).unwrap().margin();
                // The line 0.6 x₁ − 0.8 x₂ + 0.2 = 0 moved by (s, s).
                let known = array![0.6, -0.8, 0.2 + 0.2 * shift];
                let other = novikoff_bound(&moved, &known).unwrap().margin();
                assert!(
                    best >= other * (1.0 - 1e-9),
                    "{seed}, {shift}: {best} < {other}"
                );
            }
        }
    }

    #[test]
    fn inseparable_data_are_refused_with_a_certificate() {
        // XOR, and XOR with a fifth point: the refusal names the rows whose
        // mixtures of the two classes coincide (weight 1/4 each for XOR).
        let e = max_margin_separator(&gate([0, 1, 1, 0])).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("no hyperplane separates"), "{text}");
        assert!(text.contains("0.250 at row"), "{text}");
        let x = array![[0.0, 0.0], [1.0, 1.0], [0.5, 0.5], [3.0, -1.0]];
        let middle = Dataset::new(&(&x * 1e6), &array![0, 0, 1, 0]).unwrap();
        let e = max_margin_separator(&middle).unwrap_err();
        assert!(e.to_string().contains("no hyperplane separates"), "{e}");
    }

    #[test]
    fn the_maximum_margin_search_refuses_xor() {
        let e = max_margin_separator(&gate([0, 1, 1, 0])).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
    }

    #[test]
    fn the_maximum_margin_direction_does_not_depend_on_the_scale() {
        // Scaling the features by s scales x̃ = (x, 1) only in its first
        // entries, so compare against huge data the answer computed by hand:
        // two points at ±1e200 on a line are separated by u = (1, 0) in the
        // limit, the bias entry falling to 1e-200 of the weight.
        let far = Dataset::new(&array![[-1e200], [1e200]], &array![0, 1]).unwrap();
        let u = max_margin_separator(&far).unwrap();
        assert!((u[0] - 1.0).abs() < 1e-9 && u[1].abs() < 1e-9, "{u}");
    }

    #[test]
    fn near_duplicate_points_do_not_stall_the_maximum_margin_search() {
        // Found by the property suite: two points of class 0 that differ in
        // the seventh digit left the α of the farther one shrinking by 1e-9
        // a sweep, and the search gave up. By hand: on a line the best u
        // is (1, 0), with margin the distance of the closest point to 0.
        let x = array![
            [0.3723757181552277],
            [0.3723757181552277],
            [-0.37237556734657523],
            [0.8207991927713576],
            [-0.372375362173955]
        ];
        let data = Dataset::new(&x, &array![1, 1, 0, 1, 0]).unwrap();
        let u = max_margin_separator(&data).unwrap();
        let nb = novikoff_bound(&data, &u).unwrap();
        assert!(
            (nb.margin() / 0.372375362173955 - 1.0).abs() < 5e-5,
            "{nb:?}"
        );
    }

    #[test]
    fn nearly_parallel_points_of_one_class_get_a_certified_separator() {
        // Found by the property suite: (−0.0022, 1) and (0, 1) in x̃, both
        // class 0. The best v is (0, −1), margin 1 (the point at 0); the
        // search crawls towards it and is stopped by the duality gap.
        let data = Dataset::new(&array![[-0.002185511906209751], [0.0]], &array![0, 0])
            .unwrap()
            .with_class_names(&["-1", "+1"])
            .unwrap();
        let u = max_margin_separator(&data).unwrap();
        let nb = novikoff_bound(&data, &u).unwrap();
        assert!((nb.margin() - 1.0).abs() < 5e-5, "{nb:?}");
    }

    #[test]
    fn a_run_worked_by_hand() {
        // Samples (2, 1):+1, (−1, −1):−1, (−2, −2):−1, (0, −1):+1, η = 1,
        // w = (0, 0), b = 0. A mistake is y (w·x + b) ≤ 0.
        // Epoch 1:
        //   (2, 1)   +1: score 0            → mistake, w = (2, 1), b = 1
        //   (−1, −1) −1: score −2 − 1 + 1 = −2, y·score = 2  → fine
        //   (−2, −2) −1: score −4 − 2 + 1 = −5  → fine
        //   (0, −1)  +1: score 0 − 1 + 1 = 0    → mistake, w = (2, 0), b = 2
        // Epoch 2:
        //   (2, 1)   +1: score 4 + 2 = 6        → fine
        //   (−1, −1) −1: score −2 + 2 = 0       → mistake, w = (3, 1), b = 1
        //   (−2, −2) −1: score −6 − 2 + 1 = −7  → fine
        //   (0, −1)  +1: score −1 + 1 = 0       → mistake, w = (3, 0), b = 2
        // Epoch 3: scores 8, −1, −4, 2 all have the sign of their label: converged.
        let x = array![[2.0, 1.0], [-1.0, -1.0], [-2.0, -2.0], [0.0, -1.0]];
        let data = Dataset::new(&x, &array![1, 0, 0, 1]).unwrap();
        let model = Perceptron::new().fit(&data).unwrap();
        let epochs: Vec<(usize, Vec<f64>, f64)> = model
            .epochs()
            .iter()
            .map(|e| (e.mistakes(), e.weights().to_vec(), e.bias()))
            .collect();
        assert_eq!(
            epochs,
            vec![
                (2, vec![2.0, 0.0], 2.0),
                (2, vec![3.0, 0.0], 2.0),
                (0, vec![3.0, 0.0], 2.0),
            ]
        );
        assert_eq!(model.weights(), &array![3.0, 0.0]);
        assert_eq!(model.bias(), 2.0);
        assert!(model.converged());
        assert_eq!(model.updates(), 4);
        assert_eq!(model.augmented_weights(), array![3.0, 0.0, 2.0]);
        assert_eq!(
            model.decision_function(&x).unwrap(),
            array![8.0, -1.0, -4.0, 2.0]
        );
        assert_eq!(model.predict(x.view()).unwrap(), array![1, 0, 0, 1]);
        assert_eq!(model.score(&data).unwrap(), 1.0);
    }

    #[test]
    fn the_score_is_the_accuracy_of_the_predictions() {
        // The run worked by hand above ends on w = (3, 0), b = 2. By hand:
        // (−1, 0) scores −1 → class 0; (0, 5) scores 2 → class 1;
        // (−3, 1) scores −7 → class 0; (1, 0) scores 5 → class 1.
        // Against the classes 0, 0, 0, 1: three of four right.
        let x = array![[2.0, 1.0], [-1.0, -1.0], [-2.0, -2.0], [0.0, -1.0]];
        let model = Perceptron::new()
            .fit(&Dataset::new(&x, &array![1, 0, 0, 1]).unwrap())
            .unwrap();
        let test_x = array![[-1.0, 0.0], [0.0, 5.0], [-3.0, 1.0], [1.0, 0.0]];
        let test = Dataset::new(&test_x, &array![0, 0, 0, 1]).unwrap();
        assert_eq!(model.score(&test).unwrap(), 0.75);
        // A test set that holds (and names) only class 0 is scored too.
        let only_zero = Dataset::new(&array![[-1.0, 0.0], [0.0, 5.0]], &array![0, 0]).unwrap();
        assert_eq!(only_zero.class_names(), ["0"]);
        assert_eq!(model.score(&only_zero).unwrap(), 0.5);
        let e = model.score(&test.rows(&[]).unwrap()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }

    #[test]
    fn and_and_or_are_learned_within_their_novikoff_bound() {
        // AND is separated by u = (1, 1, −1), OR by u = (1, 1, 1): each gives
        // y_i u·(x_i, 1) ∈ {1, 3}, so γ = 1/√3; R = ‖(±1, ±1, 1)‖ = √3, and the
        // bound is (√3 / (1/√3))² = 9 mistakes, so at most 10 epochs.
        for (data, u) in [
            (gate([0, 0, 0, 1]), array![1.0, 1.0, -1.0]),
            (gate([0, 1, 1, 1]), array![1.0, 1.0, 1.0]),
        ] {
            let model = Perceptron::new().fit(&data).unwrap();
            assert!(model.converged());
            assert_eq!(&model.predict(&data).unwrap(), data.y());
            assert!(model.updates() <= 9, "{} updates", model.updates());
            assert!(model.epochs().len() <= 10);
            let nb = novikoff_bound(&data, &u).unwrap();
            assert!((nb.radius() - 3f64.sqrt()).abs() < 1e-12);
            assert!((nb.margin() - 1.0 / 3f64.sqrt()).abs() < 1e-12);
            assert!((nb.bound() - 9.0).abs() < 1e-9);
        }
    }

    #[test]
    fn xor_never_converges() {
        // No line separates XOR: (−1, 1) and (1, −1) are +1, the other corners −1.
        // By hand, from w = (0, 0), b = 0, every sample is a mistake:
        //   (−1, −1) −1: score 0  → w = (1, 1),  b = −1
        //   (−1, 1)  +1: score −1 → w = (0, 2),  b = 0
        //   (1, −1)  +1: score −2 → w = (1, 1),  b = 1
        //   (1, 1)   −1: score 3  → w = (0, 0),  b = 0
        // and the epoch ends where it started: the same 4 mistakes forever.
        let xor = gate([0, 1, 1, 0]);
        let model = Perceptron::new().max_epochs(50).fit(&xor).unwrap();
        assert!(!model.converged());
        assert_eq!(model.epochs().len(), 50);
        assert!(
            model
                .epochs()
                .iter()
                .all(|e| e.mistakes() == 4 && e.weights() == array![0.0, 0.0] && e.bias() == 0.0)
        );
        assert_eq!(model.updates(), 200);
        // No u certifies a margin: u = (1, −1, 0) puts (−1, −1) on the boundary.
        for u in [array![1.0, -1.0, 0.0], model.augmented_weights()] {
            let e = novikoff_bound(&xor, &u).unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
            assert!(e.to_string().contains("separating u"), "{e}");
        }
    }

    /// 200 points of [−3, 3]² labelled by the side of the line
    /// 0.6 x₁ − 0.8 x₂ + 0.2 = 0, keeping only those at least 0.5 from it.
    fn separable(seed: u64) -> Dataset {
        let (w, b) = (array![0.6, -0.8], 0.2);
        let candidates = uniform_matrix(2000, 2, -3.0, 3.0, &mut seeded(seed)).unwrap();
        let rows: Vec<_> = candidates
            .rows()
            .into_iter()
            .filter(|r| (w.dot(r) + b).abs() >= 0.5)
            .take(200)
            .collect();
        let x = ndarray::stack(ndarray::Axis(0), &rows).unwrap();
        let y = x.dot(&w).mapv(|s| usize::from(s + b > 0.0));
        Dataset::new(&x, &y).unwrap()
    }

    #[test]
    fn mistakes_stay_under_the_novikoff_bound_on_separable_data() {
        let data = separable(11);
        assert_eq!(data.len(), 200);
        // u = (0.6, −0.8, 0.2) has ‖u‖ = √1.04 and every point has
        // y u·(x, 1) ≥ 0.5, so γ ≥ 0.5/√1.04; in the box R ≤ √(9 + 9 + 1).
        // Hence at most 19 · 1.04 / 0.25 = 79.04 mistakes, whatever the draw.
        let u = array![0.6, -0.8, 0.2];
        let nb = novikoff_bound(&data, &u).unwrap();
        assert!(nb.margin() >= 0.5 / 1.04f64.sqrt() - 1e-12, "{nb:?}");
        assert!(nb.radius() <= 19f64.sqrt(), "{nb:?}");
        assert!(nb.bound() <= 79.04 + 1e-9, "{nb:?}");
        let model = Perceptron::new().fit(&data).unwrap();
        assert!(model.converged());
        assert!(
            model.updates() as f64 <= nb.bound(),
            "{} mistakes, bound {}",
            model.updates(),
            nb.bound()
        );
        assert_eq!(model.score(&data).unwrap(), 1.0);
    }

    #[test]
    fn the_learning_rate_only_scales_the_weights() {
        // From w = 0 the weights after k updates are η · Σ y_i x̃_i: the
        // signs of the scores, hence the mistakes, do not depend on η.
        let data = separable(12);
        let one = Perceptron::new().fit(&data).unwrap();
        let tenth = Perceptron::new().learning_rate(0.1).fit(&data).unwrap();
        assert_eq!(one.updates(), tenth.updates());
        let mistakes =
            |m: &FittedPerceptron| m.epochs().iter().map(|e| e.mistakes()).collect::<Vec<_>>();
        assert_eq!(mistakes(&one), mistakes(&tenth));
        let scaled = one.augmented_weights() * 0.1;
        let diff = (&scaled - &tenth.augmented_weights()).mapv(f64::abs);
        assert!(diff.iter().all(|&d| d < 1e-9), "{diff}");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let p = Perceptron::new();
        let data = gate([1, 0, 1, 0]);
        let empty = data.rows(&[]).unwrap();
        let e = p.fit(&empty).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let mut with_nan = corners();
        with_nan[(2, 1)] = f64::NAN;
        let e = p.fit(&data.with_x(&with_nan).unwrap()).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let three = Dataset::new(&corners(), &array![0, 1, 2, 0]).unwrap();
        let e = p.fit(&three).unwrap_err();
        assert!(e.to_string().contains(".classes(&[a, b])"), "{e}");
        let e = p.clone().learning_rate(0.0).fit(&data).unwrap_err();
        assert!(e.to_string().starts_with("learning_rate must be"), "{e}");
        let e = p.clone().learning_rate(f64::NAN).fit(&data).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = p.clone().max_epochs(0).fit(&data).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = p.clone().max_epochs(MAX_EPOCHS + 1).fit(&data).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        // 400 features and a million epochs would keep 3.2 GB of weights.
        let wide = Dataset::new(&Array2::<f64>::zeros((2, 400)), &array![0, 1]).unwrap();
        let e = p.clone().max_epochs(MAX_EPOCHS).fit(&wide).unwrap_err();
        assert!(
            e.to_string().contains("at most 24937 for 400 features"),
            "{e}"
        );
        // Weights that pass the largest f64 are an error, not ∞.
        let huge = data.with_x(&(corners() * 1e300)).unwrap();
        let e = p.clone().learning_rate(1e10).fit(&huge).unwrap_err();
        assert!(matches!(e, Error::Overflow { .. }), "{e}");
        // A fitted model checks the width of what it is asked to predict,
        // and scores only data of its own classes.
        let model = p.fit(&data).unwrap();
        let e = model.predict(&array![[1.0, 2.0, 3.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = model
            .score(&data.clone().with_class_names(&["a", "b"]).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("-1, +1"), "{e}");
        let e = novikoff_bound(&data, &array![1.0, 1.0]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
    }
}
