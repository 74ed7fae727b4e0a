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

use ndarray::{Array1, ArrayView1, ArrayView2, AsArray, Ix1};

use crate::data::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};
use crate::geometry::{
    augment_of, check_columns, radius_of, scaled_dot, scaled_norm, signs, times_power_of_two,
};
use crate::metrics::{accuracy, check_same_classes};

/// The most epochs [`Perceptron::max_epochs`] accepts: each epoch's weights
/// are kept, so a million epochs of a few weights is tens of megabytes.
pub const MAX_EPOCHS: usize = 1_000_000;

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
/// It is the hard-margin support vector machine through the origin of the
/// augmented space (chapter 06 derives it): minimise ‖v‖² subject to
/// y_i v·x̃_i ≥ 1, whose dual is
///
/// ```text
/// maximise  Σ α_i − ½ Σ_ij α_i α_j y_i y_j x̃_i·x̃_j   over α ≥ 0,
/// ```
///
/// with v = Σ α_i y_i x̃_i and γ* = 1/‖v‖. The dual is solved by coordinate
/// ascent (Hildreth's method): for each i in turn, α_i ← max(0, α_i +
/// (1 − y_i v·x̃_i)/‖x̃_i‖²). It stops when every constraint holds to 1e-9
/// and every positive α_i has y_i v·x̃_i = 1, or when the duality gap
/// certifies the answer: with m = min_i y_i v·x̃_i > 0, v/m is a separator
/// whose ½‖v/m‖² exceeds the dual's Σ α_i − ½‖v‖² by at most 10⁻⁹ of
/// itself, so its margin is within 10⁻⁹ of γ*. Points that nearly
/// duplicate each other (or are nearly parallel in x̃) can slow the search
/// to a crawl; after 10 000 sweeps a gap of 10⁻⁴ is accepted, a margin
/// within 5·10⁻⁵ of γ*. The x̃_i are first divided by a power
/// of two near their largest entry, which changes v's length but not u. An
/// error if the data are not linearly separable (the α grow without end),
/// or if the search does not settle within 200 000 sweeps.
///
/// ```
/// use mlmath::prelude::*;
/// use mlmath::perceptron::max_margin_separator;
/// // Points at −1 (class 0) and +1 (class 1) on a line: the best u is (1, 0), with margin 1.
/// let line = Dataset::new(&array![[-1.0], [1.0]], &array![0, 1]).unwrap();
/// let u = max_margin_separator(&line).unwrap();
/// assert!((u[0] - 1.0).abs() < 1e-6 && u[1].abs() < 1e-6);
/// ```
pub fn max_margin_separator(data: &Dataset) -> Result<Array1<f64>> {
    data.check_trainable()?;
    let y = signs(data)?;
    const TOLERANCE: f64 = 1e-9;
    const GAP: f64 = 1e-9;
    const SLOW_GAP: f64 = 1e-4;
    const SLOW_AFTER: usize = 10_000;
    const MAX_SWEEPS: usize = 200_000;
    let x_aug = augment_of(data.x().view());
    let largest = x_aug.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let k = largest.log2().floor() as i32;
    let x_aug = x_aug.mapv(|v| times_power_of_two(v, -k));
    let n = x_aug.nrows();
    // A row that is (numerically) zero next to the largest gets the
    // smallest positive square instead, so that no step divides by zero.
    let squared_norms: Vec<f64> = x_aug
        .rows()
        .into_iter()
        .map(|r| r.dot(&r).max(f64::MIN_POSITIVE))
        .collect();
    let mut alpha = vec![0.0; n];
    let mut v = Array1::<f64>::zeros(x_aug.ncols());
    for sweep in 0..MAX_SWEEPS {
        let mut worst = 0.0_f64;
        for i in 0..n {
            let row = x_aug.row(i);
            let gap = 1.0 - y[i] * v.dot(&row);
            let violation = if alpha[i] > 0.0 {
                gap.abs()
            } else {
                gap.max(0.0)
            };
            worst = worst.max(violation);
            let new = (alpha[i] + gap / squared_norms[i]).max(0.0);
            v.scaled_add((new - alpha[i]) * y[i], &row);
            alpha[i] = new;
        }
        let closest = x_aug
            .rows()
            .into_iter()
            .zip(&y)
            .map(|(row, &y_i)| y_i * v.dot(&row))
            .fold(f64::INFINITY, f64::min);
        let vv = v.dot(&v);
        let primal = 0.5 * vv / (closest * closest);
        let dual = alpha.iter().sum::<f64>() - 0.5 * vv;
        let gap = if sweep < SLOW_AFTER { GAP } else { SLOW_GAP };
        let certified = closest > 0.0 && primal - dual <= gap * primal;
        if worst < TOLERANCE || certified {
            return Ok(v / vv.sqrt());
        }
        if !worst.is_finite() {
            return Err(Error::overflow(
                "the maximum-margin search",
                "the points differ in size by more than an f64 can follow: \
                 standardise the features (dataset.standardized())",
            ));
        }
    }
    // A v with every y_i v·x̃_i > 0 separates the classes: then the search
    // was merely slow, and saying "not separable" would be wrong.
    let separated = x_aug
        .rows()
        .into_iter()
        .zip(&y)
        .all(|(row, &y_i)| y_i * v.dot(&row) > 0.0);
    if separated {
        return Err(Error::parameter(
            "the maximum-margin search",
            format!("to settle within {MAX_SWEEPS} sweeps"),
            "a search that had separated the classes but not yet found the largest margin \
             (nearly duplicate points slow it down: drop duplicates, or standardise)",
        ));
    }
    Err(Error::parameter(
        format!("the classes of {}", data.name()),
        "linearly separable (a hyperplane with every point of class 1 on one side \
         and every point of class 0 on the other)",
        "classes that no hyperplane separates: the maximum-margin search did not settle",
    ))
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
