//! Gradient descent, and how large its steps may be.
//!
//! ## Walking downhill
//!
//! Gradient descent walks downhill from a start `θ₀`:
//!
//! ```text
//! θ ← θ − η ∇L(θ)
//! ```
//!
//! The points `θ₀, θ₁, θ₂, …` it visits, with the loss at each, are its
//! [`DescentPath`].
//!
//! ## The learning rate
//!
//! How large may the learning rate `η` be? For the mean squared error of a
//! linear model ([`mse`](super::mse)) the loss is quadratic in `θ = (w, b)`:
//! its Hessian `H` ([`mse_hessian`](super::mse_hessian)) is constant, and
//! `∇L(θ) = H (θ − θ*)` where `θ*` is the minimiser. The error
//! `e = θ − θ*` therefore obeys
//!
//! ```text
//! e ← e − η H e = (I − η H) e
//! ```
//!
//! Along the eigenvector `q_k` of `H` (eigenvalue `λ_k ≥ 0`) the error is
//! multiplied by `(1 − η λ_k)` at every step. It shrinks iff
//! `|1 − η λ_k| < 1`, i.e. `0 < η < 2/λ_k`; every direction shrinks iff
//! `η < 2/λmax` ([`divergence_threshold`]). The regimes:
//!
//! - `η ≪ 1/λmax`: slow, steady descent;
//! - `η < 1/λmax`: every factor is in `[0, 1)`, the error shrinks without overshoot;
//! - `1/λmax < η < 2/λmax`: the steepest direction overshoots and zig-zags, but converges;
//! - `η > 2/λmax`: the steepest direction grows by `|1 − η λmax| > 1` a step: divergence.
//!
//! The slowest direction is the one of the smallest eigenvalue, whose factor
//! `1 − η λmin` is closest to 1; the ratio `λmax/λmin`, the *condition
//! number*, sets how many steps descent needs.

use ndarray::{Array1, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};

use super::losses::{check_data, linear_gradient, linear_loss, mse_hessian_view, split};
use crate::data::AsFeatures;
use crate::error::{Error, Result, check_finite};
use crate::linalg;

/// What a loss or gradient closure may return: the value itself, or a
/// `Result` of it, so that a closure can use `?` inside
/// (`|t| mse(&x, &y, t.slice(s![..1]), t[1])` returns a `Result<f64>`).
///
/// Implemented for `f64`, `Result<f64>`, `Array1<f64>` and
/// `Result<Array1<f64>>`.
pub trait IntoResult<T> {
    /// The value as a `Result`.
    fn into_result(self) -> Result<T>;
}

impl IntoResult<f64> for f64 {
    fn into_result(self) -> Result<f64> {
        Ok(self)
    }
}

impl IntoResult<f64> for Result<f64> {
    fn into_result(self) -> Result<f64> {
        self
    }
}

impl IntoResult<Array1<f64>> for Array1<f64> {
    fn into_result(self) -> Result<Array1<f64>> {
        Ok(self)
    }
}

impl IntoResult<Array1<f64>> for Result<Array1<f64>> {
    fn into_result(self) -> Result<Array1<f64>> {
        self
    }
}

/// The learning rate `2/λmax` past which gradient descent on the mean
/// squared error of a linear model on `x: (n, d)` diverges, `λmax` the
/// largest eigenvalue of its Hessian ([`mse_hessian`](super::mse_hessian)).
///
/// Along the Hessian's eigenvector `q_k` the error `θ − θ*` is multiplied by
/// `(1 − η λ_k)` at every step (see the [module](self) docs), so descent
/// converges iff `|1 − η λ_k| < 1` for every `k`: iff `0 < η < 2/λmax`.
///
/// ```
/// use mlmath::descent::divergence_threshold;
/// use ndarray::array;
/// // H = [[10, 4], [4, 2]] has λ = 6 ± √32.
/// let eta = divergence_threshold(&array![[1.0], [3.0]]).unwrap();
/// assert!((eta - 2.0 / (6.0 + 32f64.sqrt())).abs() < 1e-12);
/// ```
pub fn divergence_threshold<'a>(x: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
    divergence_threshold_view(x.into())
}

fn divergence_threshold_view(x: ArrayView2<'_, f64>) -> Result<f64> {
    let h = mse_hessian_view(x)?;
    // λmax ≥ H_bb = 2 > 0, so the quotient is finite.
    let largest = linalg::symmetric_eigen(&h)?.values()[0];
    Ok(2.0 / largest)
}

/// Gradient descent `θ ← θ − η ∇L(θ)` for a fixed number of steps.
///
/// Made with [`GradientDescent::new`]`(learning_rate)`; the number of steps
/// defaults to 100 ([`steps`](Self::steps) changes it). Both are checked
/// when descent runs: `learning_rate` a finite number above 0, `steps` at
/// least 1.
///
/// ```
/// use mlmath::descent::GradientDescent;
/// use ndarray::{ArrayView1, array};
/// // L(θ) = θ₀² + 10 θ₁²: Hessian diag(2, 20), so it converges for η < 2/20.
/// let loss = |t: ArrayView1<f64>| t[0] * t[0] + 10.0 * t[1] * t[1];
/// let gradient = |t: ArrayView1<f64>| array![2.0 * t[0], 20.0 * t[1]];
/// let path = GradientDescent::new(0.05).steps(300).run(gradient, loss, &array![1.0, 1.0]).unwrap();
/// assert!(!path.diverged() && path.last_loss() < 1e-20);
/// let too_far = GradientDescent::new(0.11).steps(300).run(gradient, loss, &array![1.0, 1.0]);
/// assert!(too_far.unwrap().diverged());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientDescent {
    learning_rate: f64,
    steps: usize,
}

impl GradientDescent {
    /// Descent with step size `learning_rate` (`η > 0`), for 100 steps.
    pub fn new(learning_rate: f64) -> Self {
        GradientDescent {
            learning_rate,
            steps: 100,
        }
    }

    /// How many steps to take, at least 1 (default 100).
    pub fn steps(self, steps: usize) -> Self {
        GradientDescent { steps, ..self }
    }

    fn check(&self) -> Result<()> {
        check_learning_rate(self.learning_rate)?;
        if self.steps == 0 {
            return Err(Error::parameter("steps", "at least 1", self.steps));
        }
        Ok(())
    }

    /// Runs `θ ← θ − η gradient(θ)` from `start`, recording `loss(θ)` at
    /// every point; stops early if the loss diverges.
    ///
    /// `gradient` may return `Array1<f64>` or `Result<Array1<f64>>`, `loss`
    /// `f64` or `Result<f64>` ([`IntoResult`]); an `Err` from either ends
    /// the run with that error. So does a gradient with the wrong number of
    /// entries, or one that is NaN or infinite while the loss has not grown
    /// (a bug in the gradient rather than a divergence), and a loss that is
    /// NaN while it has not grown (a bug in the loss).
    pub fn run<'a, G, L>(
        &self,
        gradient: impl Fn(ArrayView1<f64>) -> G,
        loss: impl Fn(ArrayView1<f64>) -> L,
        start: impl AsArray<'a, f64, Ix1>,
    ) -> Result<DescentPath>
    where
        G: IntoResult<Array1<f64>>,
        L: IntoResult<f64>,
    {
        self.run_dyn(
            &|theta| gradient(theta).into_result(),
            &|theta| loss(theta).into_result(),
            start.into(),
        )
    }

    fn run_dyn(
        &self,
        gradient: &dyn Fn(ArrayView1<f64>) -> Result<Array1<f64>>,
        loss: &dyn Fn(ArrayView1<f64>) -> Result<f64>,
        start: ArrayView1<'_, f64>,
    ) -> Result<DescentPath> {
        self.check()?;
        if start.is_empty() {
            return Err(Error::shape("start", "at least one parameter", "0 entries"));
        }
        check_finite("start", start)?;
        let first = loss(start)?;
        if !first.is_finite() {
            return Err(Error::parameter(
                "the loss at start",
                "a finite number",
                first,
            ));
        }
        let mut path = DescentPath::starting_at(start.to_owned(), first);
        let mut theta = start.to_owned();
        for step in 0..self.steps {
            let g = gradient(theta.view())?;
            if g.len() != theta.len() {
                return Err(Error::shape(
                    "the gradient",
                    format!("{} entries, one per entry of start", theta.len()),
                    format!("{} entries", g.len()),
                ));
            }
            if g.iter().any(|v| !v.is_finite()) {
                if path.last_loss() > path.losses[0] {
                    path.diverged = true;
                    break;
                }
                return Err(Error::parameter(
                    "the gradient",
                    "finite numbers",
                    format!(
                        "{g} at step {step}, where the loss {} has not grown: check the gradient",
                        path.last_loss()
                    ),
                ));
            }
            theta.scaled_add(-self.learning_rate, &g);
            let value = loss(theta.view())?;
            if value.is_nan() && path.last_loss() <= path.losses[0] {
                return Err(Error::parameter(
                    "the loss",
                    "a number at every point",
                    format!(
                        "NaN at step {}, where the loss {} had not grown: check the loss",
                        step + 1,
                        path.last_loss()
                    ),
                ));
            }
            if !path.record(&theta, value) {
                break;
            }
        }
        Ok(path)
    }

    /// Gradient descent on the mean squared error ([`mse`](super::mse)) of
    /// a linear model on `x: (n, d)`, `y: (n,)`, for `θ = (w, b)` (the bias
    /// last) from `θ = 0`. The points of the path have `d + 1` entries.
    ///
    /// ```
    /// use mlmath::descent::GradientDescent;
    /// use ndarray::array;
    /// let (x, y) = (array![[0.0], [1.0], [2.0]], array![-2.0, 1.0, 4.0]);
    /// let fit = GradientDescent::new(0.3).steps(500).fit_linear(&x, &y).unwrap();
    /// assert!((fit.weights()[0] - 3.0).abs() < 1e-9 && (fit.bias() + 2.0).abs() < 1e-9);
    /// assert_eq!(fit.path().points().len(), 501);
    /// ```
    pub fn fit_linear<'a, 'b>(
        &self,
        x: impl AsArray<'a, f64, Ix2>,
        y: impl AsArray<'b, f64, Ix1>,
    ) -> Result<FittedLinear> {
        self.fit_linear_view(x.into(), y.into())
    }

    fn fit_linear_view(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<FittedLinear> {
        self.check()?;
        check_data(x, y)?;
        // x ≈ 1e300 overflows every step: the Hessian's error says to rescale x.
        mse_hessian_view(x)?;
        let x = x.as_standard_layout();
        let start = Array1::zeros(x.ncols() + 1);
        check_start_loss(linear_loss(x.view(), y, start.view()))?;
        let path = self.run_dyn(
            &|theta| Ok(linear_gradient(x.view(), y, theta)),
            &|theta| Ok(linear_loss(x.view(), y, theta)),
            start.view(),
        )?;
        Ok(FittedLinear::from_path(path))
    }
}

/// Where gradient descent went: the points `θ₀` (the start), `θ₁`, … it
/// visited and the loss at each.
///
/// Made by [`GradientDescent::run`], and held by every [`FittedLinear`].
/// Descent stops early when it *diverges*: the loss becomes NaN or
/// infinite, or grows past `1e12 · (1 + |L(θ₀)|)`, or the gradient becomes
/// NaN or infinite after the loss grew. A last point whose loss is still
/// finite is kept, so the blow-up shows in a plot.
#[derive(Debug, Clone, PartialEq)]
pub struct DescentPath {
    points: Vec<Array1<f64>>,
    losses: Vec<f64>,
    diverged: bool,
}

impl DescentPath {
    pub(super) fn starting_at(start: Array1<f64>, loss: f64) -> DescentPath {
        DescentPath {
            points: vec![start],
            losses: vec![loss],
            diverged: false,
        }
    }

    /// The points `θ₀, θ₁, …`: one more than the steps taken.
    pub fn points(&self) -> &[Array1<f64>] {
        &self.points
    }

    /// The loss at each point.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// Whether descent stopped early because it diverged.
    pub fn diverged(&self) -> bool {
        self.diverged
    }

    /// How many steps were taken (and kept): `points().len() − 1`.
    pub fn steps_taken(&self) -> usize {
        self.points.len() - 1
    }

    /// The last point, where descent ended.
    pub fn last_point(&self) -> &Array1<f64> {
        self.points.last().expect("a path starts with a point")
    }

    /// The loss at the last point.
    pub fn last_loss(&self) -> f64 {
        *self.losses.last().expect("a path starts with a point")
    }

    /// Coordinate `k` of every point, `θ₀[k], θ₁[k], …`: what a plot of the
    /// path draws along one axis. An error if `k` is not below the number
    /// of parameters.
    ///
    /// ```
    /// use mlmath::descent::GradientDescent;
    /// use ndarray::{ArrayView1, array};
    /// let gradient = |t: ArrayView1<f64>| t.mapv(|v| 2.0 * v); // L = ‖θ‖²
    /// let path = GradientDescent::new(0.25).steps(2).run(gradient, |t| t.dot(&t), &array![4.0, -8.0]).unwrap();
    /// assert_eq!(path.coordinate(0).unwrap(), vec![4.0, 2.0, 1.0]);
    /// assert_eq!(path.coordinate(1).unwrap(), vec![-8.0, -4.0, -2.0]);
    /// assert!(path.coordinate(2).is_err());
    /// ```
    pub fn coordinate(&self, k: usize) -> Result<Vec<f64>> {
        let dimension = self.points[0].len();
        if k >= dimension {
            return Err(Error::parameter(
                "k",
                format!("a coordinate below the number of parameters, {dimension}"),
                k,
            ));
        }
        Ok(self.points.iter().map(|p| p[k]).collect())
    }

    /// Appends `theta` and its loss; returns `false` (and marks the path as
    /// diverged) if the loss has blown up, keeping the point only while its
    /// loss is finite.
    pub(super) fn record(&mut self, theta: &Array1<f64>, loss: f64) -> bool {
        if loss.is_finite() {
            self.points.push(theta.clone());
            self.losses.push(loss);
        }
        let bound = 1e12 * (1.0 + self.losses[0].abs());
        self.diverged = !loss.is_finite() || loss > bound;
        !self.diverged
    }
}

/// A linear model `ŷ = w·x + b`, and the [`DescentPath`] that training
/// took to get there. Made by [`GradientDescent::fit_linear`] and
/// [`Lms::fit`](super::Lms::fit); if training diverged, the model is the
/// last point whose loss was finite.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedLinear {
    weights: Array1<f64>,
    bias: f64,
    path: DescentPath,
}

impl FittedLinear {
    pub(super) fn from_path(path: DescentPath) -> FittedLinear {
        let (w, bias) = split(path.last_point().view());
        FittedLinear {
            weights: w.to_owned(),
            bias,
            path,
        }
    }

    /// The weights `w: (d,)`.
    pub fn weights(&self) -> &Array1<f64> {
        &self.weights
    }

    /// The bias `b`.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// The path of `θ = (w, b)` from the start (zeros) to the end, with the
    /// mean squared error on all the training data at each point.
    pub fn path(&self) -> &DescentPath {
        &self.path
    }

    /// The predictions `ŷ_i = w·x_i + b` for `x: (n, d)` (an array or a
    /// dataset's features). An error for no rows, the wrong number of
    /// columns, or a value that is not finite.
    pub fn predict<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<f64>> {
        self.predict_view(x.into_features())
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        if x.nrows() == 0 {
            return Err(Error::empty("x"));
        }
        if x.ncols() != self.weights.len() {
            return Err(Error::shape(
                "x",
                format!("{} columns, one per weight", self.weights.len()),
                format!("{} columns", x.ncols()),
            ));
        }
        check_finite("x", x)?;
        Ok(x.dot(&self.weights) + self.bias)
    }
}

pub(super) fn check_learning_rate(eta: f64) -> Result<()> {
    if eta > 0.0 && eta.is_finite() {
        Ok(())
    } else {
        Err(Error::parameter(
            "learning_rate",
            "a finite number above 0",
            eta,
        ))
    }
}

/// The loss at `θ = 0`, mean(y²), must be finite for a path to start.
pub(super) fn check_start_loss(loss: f64) -> Result<()> {
    if loss.is_finite() {
        Ok(())
    } else {
        Err(Error::parameter(
            "y",
            "targets whose mean square fits in an f64 (below about 1e154): rescale y",
            "a loss at the start, mean(y²), that overflows",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descent::losses::tests::{assert_close, linear_data};
    use crate::descent::{least_squares, mse_hessian};
    use ndarray::array;

    #[test]
    fn gradient_descent_converges_to_least_squares() {
        let (x, y) = linear_data(60, &[2.0, -1.0], 0.5, 0.2, 3);
        let (w, b) = least_squares(&x, &y).unwrap();
        let eta = 0.5 * divergence_threshold(&x).unwrap();
        let fit = GradientDescent::new(eta)
            .steps(2000)
            .fit_linear(&x, &y)
            .unwrap();
        let path = fit.path();
        assert!(!path.diverged());
        assert_eq!(path.points().len(), 2001);
        assert_eq!(path.steps_taken(), 2000);
        assert_close(fit.weights()[0], w[0], 1e-6);
        assert_close(fit.weights()[1], w[1], 1e-6);
        assert_close(fit.bias(), b, 1e-6);
        // The loss of a converging quadratic descent never goes up.
        assert!(path.losses().windows(2).all(|l| l[1] <= l[0] + 1e-15));
        let predicted = fit.predict(&x).unwrap();
        assert_close(
            predicted[0],
            x.row(0).dot(fit.weights()) + fit.bias(),
            1e-15,
        );
    }

    #[test]
    fn the_learning_rate_threshold_is_two_over_the_largest_curvature() {
        // L(θ) = θ₁² + 10 θ₂²: Hessian diag(2, 20), threshold 2/20 = 0.1.
        let gradient = |t: ArrayView1<f64>| array![2.0 * t[0], 20.0 * t[1]];
        let loss = |t: ArrayView1<f64>| t[0] * t[0] + 10.0 * t[1] * t[1];
        let start = array![1.0, 1.0];
        let path = GradientDescent::new(0.099)
            .steps(3000)
            .run(gradient, loss, &start)
            .unwrap();
        assert!(!path.diverged());
        assert!(path.last_loss() < 1e-20);
        let path = GradientDescent::new(0.101)
            .steps(3000)
            .run(gradient, loss, &start)
            .unwrap();
        assert!(path.diverged());
        assert!(path.points().len() < 3001, "it stopped early");
        // θ₂ is multiplied by 1 − 20η = −1.02 a step: it flips sign and grows.
        let p = path.points();
        assert_close(p[1][1], -1.02, 1e-12);
        assert_close(p[2][1], 1.02 * 1.02, 1e-12);
    }

    #[test]
    fn divergence_threshold_matches_a_hand_computed_eigenvalue() {
        // x = (1, 3): A = [[1, 1], [3, 1]], H = (2/2) AᵀA = [[10, 4], [4, 2]],
        // λ = 6 ± √(36 − 4), so the threshold is 2/(6 + 4√2).
        let x = array![[1.0], [3.0]];
        assert_eq!(mse_hessian(&x).unwrap(), array![[10.0, 4.0], [4.0, 2.0]]);
        let threshold = divergence_threshold(&x).unwrap();
        assert_close(threshold, 2.0 / (6.0 + 4.0 * 2f64.sqrt()), 1e-14);
        // And descent on that data turns over right there.
        let y = array![1.0, 2.0];
        let run = |eta| {
            GradientDescent::new(eta)
                .steps(5000)
                .fit_linear(&x, &y)
                .unwrap()
        };
        assert!(!run(0.98 * threshold).path().diverged());
        assert!(run(1.02 * threshold).path().diverged());
    }

    #[test]
    fn closures_may_return_results() {
        // A loss built from crate functions that return Result, used with `?`.
        let (x, y) = (array![[0.0], [1.0], [2.0]], array![1.0, 3.0, 5.0]);
        let loss = |t: ArrayView1<f64>| crate::descent::mse(&x, &y, &array![t[0]], t[1]);
        let gradient = |t: ArrayView1<f64>| -> Result<Array1<f64>> {
            let (gw, gb) = crate::descent::mse_gradient(&x, &y, &array![t[0]], t[1])?;
            Ok(array![gw[0], gb])
        };
        let path = GradientDescent::new(0.2)
            .steps(400)
            .run(gradient, loss, &array![0.0, 0.0])
            .unwrap();
        assert_close(path.last_point()[0], 2.0, 1e-9);
        assert_close(path.last_point()[1], 1.0, 1e-9);
        // An Err from the closure ends the run with it.
        let failing = |_: ArrayView1<f64>| -> Result<f64> { Err(Error::empty("the test's data")) };
        let e = GradientDescent::new(0.1)
            .run(gradient, failing, &array![0.0, 0.0])
            .unwrap_err();
        assert_eq!(e, Error::empty("the test's data"));
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let y = array![1.0, 2.0, 3.0];
        for eta in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let e = GradientDescent::new(eta).fit_linear(&x, &y).unwrap_err();
            assert!(e.to_string().starts_with("learning_rate must be"), "{e}");
        }
        let e = GradientDescent::new(0.1)
            .steps(0)
            .fit_linear(&x, &y)
            .unwrap_err();
        assert!(e.to_string().starts_with("steps must be"), "{e}");
        let e = GradientDescent::new(0.1)
            .steps(3)
            .run(|t| t.to_owned(), |t| t.dot(&t), &array![f64::INFINITY])
            .unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = GradientDescent::new(0.1)
            .run(|_| array![1.0, 2.0], |t| t.dot(&t), &array![1.0])
            .unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        // A NaN gradient while the loss has not grown is a bug in the gradient.
        let e = GradientDescent::new(0.1)
            .run(|_| array![f64::NAN], |t| t.dot(&t), &array![1.0])
            .unwrap_err();
        assert!(e.to_string().contains("check the gradient"), "{e}");
        // So is a NaN loss mid-run: an error naming the loss, not a divergence.
        let nan_past_half = |t: ArrayView1<f64>| if t[0] < 0.5 { f64::NAN } else { t[0] * t[0] };
        let e = GradientDescent::new(0.1)
            .steps(20)
            .run(|t| t.mapv(|v| 2.0 * v), nan_past_half, &array![1.0])
            .unwrap_err();
        assert!(e.to_string().contains("check the loss"), "{e}");
        assert!(e.to_string().contains("step 4"), "{e}"); // 1 → 0.8 → 0.64 → 0.512 → 0.41
        let fit = GradientDescent::new(0.01).fit_linear(&x, &y).unwrap();
        let e = fit.predict(&array![[1.0, 2.0, 3.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = GradientDescent::new(0.01)
            .fit_linear(&x, &array![1e200, 1.0, 1.0])
            .unwrap_err();
        assert!(e.to_string().contains("mean(y²)"), "{e}");
    }
}
