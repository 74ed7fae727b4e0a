//! Rosenblatt's perceptron (1958), and Novikoff's theorem that it stops.
//!
//! The perceptron is a linear classifier, ŷ = sign(w·x + b), trained one
//! sample at a time and only on its mistakes. Starting from w = 0, b = 0, it
//! visits the samples in turn; sample i with label y_i ∈ {−1, +1} is a
//! **mistake** when y_i (w·x_i + b) ≤ 0 (wrong side, or on the boundary),
//! and then
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
//! Write x̃_i = (x_i, 1) and w̃ = (w, b) (see [`augment`]):
//! the rule is w̃ ← w̃ + η y_i x̃_i, and the bias is one more weight.
//! Starting from 0, w̃ after k updates is η times a sum of the y_i x̃_i, so
//! η only scales w̃: whether y_i w̃·x̃_i ≤ 0 does not depend on it, and the
//! same mistakes happen in the same order for every η > 0.
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
//! use mlmath::perceptron::{Perceptron, novikoff_bound};
//! use ndarray::array;
//! // AND on ±1 inputs.
//! let x = array![[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]];
//! let y = array![-1.0, -1.0, -1.0, 1.0];
//! let model = Perceptron::default().fit(x.view(), y.view()).unwrap();
//! assert!(model.converged);
//! assert_eq!(model.predict(x.view()).unwrap(), y);
//! // u = (1, 1, −1) separates AND: R = √3, γ = 1/√3, at most 9 mistakes.
//! let bound = novikoff_bound(x.view(), y.view(), array![1.0, 1.0, -1.0].view()).unwrap();
//! assert!(model.updates() as f64 <= bound.bound);
//! ```

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::error::{Error, Result, check_finite};
use crate::geometry::{augment, check_columns, check_labelled, norm, radius};

/// The perceptron's hyperparameters. [`fit`](Self::fit) trains it.
///
/// ```
/// use mlmath::perceptron::Perceptron;
/// let p = Perceptron::default().learning_rate(0.5).max_epochs(20);
/// assert_eq!((p.learning_rate, p.max_epochs), (0.5, 20));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Perceptron {
    /// The step η of the update w ← w + η y_i x_i (> 0; 1.0 by default).
    pub learning_rate: f64,
    /// The most passes over the data (≥ 1; 100 by default).
    pub max_epochs: usize,
}

impl Default for Perceptron {
    fn default() -> Self {
        Perceptron {
            learning_rate: 1.0,
            max_epochs: 100,
        }
    }
}

impl Perceptron {
    /// Sets the learning rate η.
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets the most epochs.
    pub fn max_epochs(mut self, max_epochs: usize) -> Self {
        self.max_epochs = max_epochs;
        self
    }

    /// Trains on `x: (n, d)` with labels `y: (n,)` of ±1.
    ///
    /// Starts from w = 0, b = 0; each epoch visits the samples in their
    /// given order and, on a mistake y_i (w·x_i + b) ≤ 0, sets
    /// w ← w + η y_i x_i and b ← b + η y_i. Stops after the first epoch
    /// without a mistake (`converged` is then true) or after `max_epochs`.
    ///
    /// An error if the shapes disagree, x is empty, a value is not finite, a
    /// label is not ±1, η is not a positive number, or `max_epochs` is 0.
    pub fn fit(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<FittedPerceptron> {
        let eta = self.learning_rate;
        if !(eta.is_finite() && eta > 0.0) {
            return Err(Error::parameter("learning_rate", "a positive number", eta));
        }
        if self.max_epochs == 0 {
            return Err(Error::parameter("max_epochs", "at least 1", 0));
        }
        check_labelled(x, y)?;

        let mut w = Array1::zeros(x.ncols());
        let mut b = 0.0;
        let mut epochs = Vec::new();
        let mut converged = false;
        while epochs.len() < self.max_epochs && !converged {
            let mut mistakes = 0;
            for (x_i, &y_i) in x.rows().into_iter().zip(y) {
                if y_i * (w.dot(&x_i) + b) <= 0.0 {
                    w.scaled_add(eta * y_i, &x_i);
                    b += eta * y_i;
                    mistakes += 1;
                }
            }
            epochs.push(Epoch {
                mistakes,
                weights: w.clone(),
                bias: b,
            });
            converged = mistakes == 0;
        }
        Ok(FittedPerceptron {
            weights: w,
            bias: b,
            epochs,
            converged,
        })
    }
}

/// The state of the perceptron at the end of one epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Epoch {
    /// How many samples were mistakes (and so updates) during the epoch.
    pub mistakes: usize,
    /// The weights w at the end of the epoch: `(d,)`.
    pub weights: Array1<f64>,
    /// The bias b at the end of the epoch.
    pub bias: f64,
}

/// A trained perceptron: the hyperplane w·x + b = 0 and how it got there.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPerceptron {
    /// The weights w: `(d,)`.
    pub weights: Array1<f64>,
    /// The bias b.
    pub bias: f64,
    /// Every epoch run, in order; the last one has no mistake if `converged`.
    pub epochs: Vec<Epoch>,
    /// Whether an epoch ended without a mistake (the data were separated).
    pub converged: bool,
}

impl FittedPerceptron {
    /// The total number of mistakes, Σ over epochs — the number of updates
    /// that Novikoff's theorem bounds by (R/γ)².
    pub fn updates(&self) -> usize {
        self.epochs.iter().map(|e| e.mistakes).sum()
    }

    /// The score w·x_i + b of every row of `x: (n, d)`; its sign is the
    /// prediction, its size over ‖w‖ the distance to the boundary.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check_columns("x", x, self.weights.len())?;
        check_finite("x", x)?;
        Ok(x.dot(&self.weights) + self.bias)
    }

    /// The predicted label sign(w·x_i + b) ∈ {−1, +1} of every row of
    /// `x: (n, d)`. A point exactly on the boundary (score 0) is given +1.
    ///
    /// ```
    /// use mlmath::perceptron::Perceptron;
    /// use ndarray::array;
    /// let x = array![[-1.0], [1.0]];
    /// let model = Perceptron::default().fit(x.view(), array![-1.0, 1.0].view()).unwrap();
    /// // The boundary ended at w·x + b = 0 with w = 2, b = 0: x = 0 gets +1.
    /// assert_eq!((model.weights[0], model.bias), (2.0, 0.0));
    /// assert_eq!(model.predict(array![[-0.5], [0.0], [3.0]].view()).unwrap(), array![-1.0, 1.0, 1.0]);
    /// ```
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self
            .decision_function(x)?
            .mapv(|s| if s >= 0.0 { 1.0 } else { -1.0 }))
    }

    /// The fraction of rows of `x: (n, d)` whose prediction equals the label
    /// in `y: (n,)` (labels ±1).
    pub fn accuracy(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<f64> {
        check_labelled(x, y)?;
        let predicted = self.predict(x)?;
        let right = predicted.iter().zip(y).filter(|(p, t)| p == t).count();
        Ok(right as f64 / y.len() as f64)
    }

    /// The weights and bias as one vector w̃ = (w, b) of length d + 1, the
    /// hyperplane in the augmented space — the `u` that [`novikoff_bound`]
    /// takes.
    pub fn augmented_weights(&self) -> Array1<f64> {
        let mut u = self.weights.to_vec();
        u.push(self.bias);
        Array1::from(u)
    }
}

/// The quantities of Novikoff's theorem for data and a separator u.
#[derive(Debug, Clone, PartialEq)]
pub struct NovikoffBound {
    /// R = max_i ‖(x_i, 1)‖.
    pub radius: f64,
    /// γ = min_i y_i u·(x_i, 1) / ‖u‖, > 0.
    pub margin: f64,
    /// (R / γ)²: no run of the perceptron makes more mistakes on this data.
    pub bound: f64,
}

/// Novikoff's bound on the perceptron's mistakes, for data `x: (n, d)`,
/// labels `y: (n,)` of ±1 and a separating vector `u` of length d + 1 in the
/// augmented space (the weights, then the bias as the last entry):
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
/// use mlmath::perceptron::novikoff_bound;
/// use ndarray::array;
/// // Two points on the line, at −1 and +1, separated by u = (1, 0).
/// let x = array![[-1.0], [1.0]];
/// let y = array![-1.0, 1.0];
/// let nb = novikoff_bound(x.view(), y.view(), array![1.0, 0.0].view()).unwrap();
/// // R = ‖(±1, 1)‖ = √2, γ = 1, bound = 2.
/// assert!((nb.bound - 2.0).abs() < 1e-12);
/// assert!(novikoff_bound(x.view(), y.view(), array![-1.0, 0.0].view()).is_err());
/// ```
pub fn novikoff_bound(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    u: ArrayView1<'_, f64>,
) -> Result<NovikoffBound> {
    check_labelled(x, y)?;
    if u.len() != x.ncols() + 1 {
        return Err(Error::shape(
            "u",
            format!(
                "{} entries (one per column of x, then the bias)",
                x.ncols() + 1
            ),
            format!("{} entries", u.len()),
        ));
    }
    check_finite("u", u)?;
    let u_norm = norm(u);
    if u_norm == 0.0 {
        return Err(Error::parameter(
            "u",
            "a separating vector (the theorem needs a separating u; u = 0 separates nothing)",
            "the zero vector",
        ));
    }
    let x_aug = augment(x);
    let margins = x_aug.dot(&u) * y / u_norm;
    let (worst, gamma) =
        margins
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |best, (i, m)| {
                    if m < best.1 { (i, m) } else { best }
                },
            );
    if gamma <= 0.0 {
        return Err(Error::parameter(
            "u",
            "a vector that separates the data (the theorem needs a separating u: \
             y_i u·(x_i, 1) > 0 for every i)",
            format!("y_i u·(x_i, 1) / ‖u‖ = {gamma} ≤ 0 at sample {worst}"),
        ));
    }
    let r = radius(x_aug.view());
    Ok(NovikoffBound {
        radius: r,
        margin: gamma,
        bound: (r / gamma).powi(2),
    })
}

/// The unit vector u of the augmented space (weights, then bias) with the
/// largest margin γ* = max_u min_i y_i u·(x_i, 1): the best u for
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
/// (1 − y_i v·x̃_i)/‖x̃_i‖²), until every constraint holds to 1e-9 and every
/// positive α_i has y_i v·x̃_i = 1. An error if the data are not linearly
/// separable (the α grow without end).
///
/// ```
/// use mlmath::perceptron::max_margin_separator;
/// use ndarray::array;
/// // Points at −1 and +1 on a line: the best u is (1, 0), with margin 1.
/// let u = max_margin_separator(array![[-1.0], [1.0]].view(), array![-1.0, 1.0].view()).unwrap();
/// assert!((u[0] - 1.0).abs() < 1e-6 && u[1].abs() < 1e-6);
/// ```
pub fn max_margin_separator(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    check_labelled(x, y)?;
    const TOLERANCE: f64 = 1e-9;
    const MAX_SWEEPS: usize = 200_000;
    let x_aug = augment(x);
    let n = x_aug.nrows();
    let squared_norms: Vec<f64> = x_aug.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut alpha = vec![0.0; n];
    let mut v = Array1::<f64>::zeros(x_aug.ncols());
    for _ in 0..MAX_SWEEPS {
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
        if worst < TOLERANCE {
            let length = norm(v.view());
            return Ok(v / length);
        }
    }
    Err(Error::parameter(
        "x and y",
        "linearly separable data (a hyperplane with every +1 on one side and every -1 on the other)",
        "data that no hyperplane separates: the maximum-margin search did not settle",
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

    #[test]
    fn no_separator_has_a_larger_margin_than_the_maximum_margin_one() {
        // AND on ±1 inputs: every random unit u that separates has a margin at
        // most that of the maximum-margin u, which is itself a separator.
        let x = corners();
        let y = array![-1.0, -1.0, -1.0, 1.0];
        let best = novikoff_bound(
            x.view(),
            y.view(),
            max_margin_separator(x.view(), y.view()).unwrap().view(),
        )
        .unwrap();
        let candidates = uniform_matrix(20_000, 3, -1.0, 1.0, &mut seeded(9)).unwrap();
        let mut separating = 0;
        for u in candidates.rows() {
            if let Ok(other) = novikoff_bound(x.view(), y.view(), u) {
                separating += 1;
                assert!(
                    other.margin <= best.margin + 1e-9,
                    "{u} beats the maximum margin"
                );
            }
        }
        assert!(separating > 100, "the random search should find separators");
        // By symmetry of AND, the best u is proportional to (1, 1, -1)... with margin 1/sqrt(3):
        // y_i u.x_i equals 1/sqrt(3) on the three closest corners.
        assert!(
            (best.margin - 1.0 / 3f64.sqrt()).abs() < 1e-6,
            "{}",
            best.margin
        );
    }

    #[test]
    fn the_maximum_margin_search_refuses_xor() {
        let y = array![-1.0, 1.0, 1.0, -1.0];
        assert!(matches!(
            max_margin_separator(corners().view(), y.view()),
            Err(Error::Parameter { .. })
        ));
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
        let y = array![1.0, -1.0, -1.0, 1.0];
        let model = Perceptron::default().fit(x.view(), y.view()).unwrap();
        let epochs: Vec<(usize, Vec<f64>, f64)> = model
            .epochs
            .iter()
            .map(|e| (e.mistakes, e.weights.to_vec(), e.bias))
            .collect();
        assert_eq!(
            epochs,
            vec![
                (2, vec![2.0, 0.0], 2.0),
                (2, vec![3.0, 0.0], 2.0),
                (0, vec![3.0, 0.0], 2.0),
            ]
        );
        assert_eq!(model.weights, array![3.0, 0.0]);
        assert_eq!(model.bias, 2.0);
        assert!(model.converged);
        assert_eq!(model.updates(), 4);
        assert_eq!(model.augmented_weights(), array![3.0, 0.0, 2.0]);
        assert_eq!(
            model.decision_function(x.view()).unwrap(),
            array![8.0, -1.0, -4.0, 2.0]
        );
        assert_eq!(model.accuracy(x.view(), y.view()).unwrap(), 1.0);
    }

    #[test]
    fn and_and_or_are_learned_within_their_novikoff_bound() {
        // AND is separated by u = (1, 1, −1), OR by u = (1, 1, 1): each gives
        // y_i u·(x_i, 1) ∈ {1, 3}, so γ = 1/√3; R = ‖(±1, ±1, 1)‖ = √3, and the
        // bound is (√3 / (1/√3))² = 9 mistakes, so at most 10 epochs.
        let x = corners();
        for (y, u) in [
            (array![-1.0, -1.0, -1.0, 1.0], array![1.0, 1.0, -1.0]),
            (array![-1.0, 1.0, 1.0, 1.0], array![1.0, 1.0, 1.0]),
        ] {
            let model = Perceptron::default().fit(x.view(), y.view()).unwrap();
            assert!(model.converged);
            assert_eq!(model.predict(x.view()).unwrap(), y);
            assert!(model.updates() <= 9, "{} updates", model.updates());
            assert!(model.epochs.len() <= 10);
            let nb = novikoff_bound(x.view(), y.view(), u.view()).unwrap();
            assert!((nb.radius - 3f64.sqrt()).abs() < 1e-12);
            assert!((nb.margin - 1.0 / 3f64.sqrt()).abs() < 1e-12);
            assert!((nb.bound - 9.0).abs() < 1e-9);
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
        let x = corners();
        let y = array![-1.0, 1.0, 1.0, -1.0];
        let model = Perceptron::default()
            .max_epochs(50)
            .fit(x.view(), y.view())
            .unwrap();
        assert!(!model.converged);
        assert_eq!(model.epochs.len(), 50);
        assert!(
            model
                .epochs
                .iter()
                .all(|e| e.mistakes == 4 && e.weights == array![0.0, 0.0] && e.bias == 0.0)
        );
        assert_eq!(model.updates(), 200);
        // No u certifies a margin: u = (1, −1, 0) puts (−1, −1) on the boundary.
        for u in [array![1.0, -1.0, 0.0], model.augmented_weights()] {
            let e = novikoff_bound(x.view(), y.view(), u.view()).unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
            assert!(e.to_string().contains("separating u"), "{e}");
        }
    }

    /// 200 points of [−3, 3]² labelled by the side of the line
    /// 0.6 x₁ − 0.8 x₂ + 0.2 = 0, keeping only those at least 0.5 from it.
    fn separable(seed: u64) -> (Array2<f64>, Array1<f64>) {
        let (w, b) = (array![0.6, -0.8], 0.2);
        let candidates = uniform_matrix(2000, 2, -3.0, 3.0, &mut seeded(seed)).unwrap();
        let rows: Vec<_> = candidates
            .rows()
            .into_iter()
            .filter(|r| (w.dot(r) + b).abs() >= 0.5)
            .take(200)
            .collect();
        let x = ndarray::stack(ndarray::Axis(0), &rows).unwrap();
        let y = x.dot(&w).mapv(|s| if s + b > 0.0 { 1.0 } else { -1.0 });
        (x, y)
    }

    #[test]
    fn mistakes_stay_under_the_novikoff_bound_on_separable_data() {
        let (x, y) = separable(11);
        assert_eq!(x.nrows(), 200);
        // u = (0.6, −0.8, 0.2) has ‖u‖ = √1.04 and every point has
        // y u·(x, 1) ≥ 0.5, so γ ≥ 0.5/√1.04; in the box R ≤ √(9 + 9 + 1).
        // Hence at most 19 · 1.04 / 0.25 = 79.04 mistakes, whatever the draw.
        let u = array![0.6, -0.8, 0.2];
        let nb = novikoff_bound(x.view(), y.view(), u.view()).unwrap();
        assert!(nb.margin >= 0.5 / 1.04f64.sqrt() - 1e-12, "{nb:?}");
        assert!(nb.radius <= 19f64.sqrt(), "{nb:?}");
        assert!(nb.bound <= 79.04 + 1e-9, "{nb:?}");
        let model = Perceptron::default().fit(x.view(), y.view()).unwrap();
        assert!(model.converged);
        assert!(
            model.updates() as f64 <= nb.bound,
            "{} mistakes, bound {}",
            model.updates(),
            nb.bound
        );
        assert_eq!(model.accuracy(x.view(), y.view()).unwrap(), 1.0);
    }

    #[test]
    fn the_learning_rate_only_scales_the_weights() {
        // From w = 0 the weights after k updates are η · Σ y_i x̃_i: the
        // signs of the scores, hence the mistakes, do not depend on η.
        let (x, y) = separable(12);
        let one = Perceptron::default().fit(x.view(), y.view()).unwrap();
        let tenth = Perceptron::default()
            .learning_rate(0.1)
            .fit(x.view(), y.view())
            .unwrap();
        assert_eq!(one.updates(), tenth.updates());
        let mistakes =
            |m: &FittedPerceptron| m.epochs.iter().map(|e| e.mistakes).collect::<Vec<_>>();
        assert_eq!(mistakes(&one), mistakes(&tenth));
        let scaled = one.augmented_weights() * 0.1;
        let diff = (&scaled - &tenth.augmented_weights()).mapv(f64::abs);
        assert!(diff.iter().all(|&d| d < 1e-9), "{diff}");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let p = Perceptron::default();
        let x = corners();
        let y = array![1.0, -1.0, 1.0, -1.0];
        let e = p.fit(x.view(), array![1.0, -1.0].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = p.fit(empty.view(), Array1::zeros(0).view()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let mut with_nan = x.clone();
        with_nan[(2, 1)] = f64::NAN;
        let e = p.fit(with_nan.view(), y.view()).unwrap_err();
        assert_eq!(
            e,
            Error::NotFinite {
                what: "x".into(),
                index: vec![2, 1]
            }
        );
        let e = p
            .fit(x.view(), array![1.0, 0.0, 1.0, -1.0].view())
            .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        assert!(e.to_string().contains("got 0 at y[1]"), "{e}");
        let e = p
            .clone()
            .learning_rate(0.0)
            .fit(x.view(), y.view())
            .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        assert!(e.to_string().starts_with("learning_rate must be"), "{e}");
        let e = p.clone().max_epochs(0).fit(x.view(), y.view()).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        // A fitted model checks the width of what it is asked to predict.
        let model = p.fit(x.view(), y.view()).unwrap();
        let e = model.predict(array![[1.0, 2.0, 3.0]].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = novikoff_bound(x.view(), y.view(), array![1.0, 1.0].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
    }
}
