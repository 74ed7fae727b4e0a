//! Loss functions, their gradients, and gradient descent down to the bottom
//! of the bowl.
//!
//! ## The loss and its gradient
//!
//! A linear model predicts `ŷ_i = w·x_i + b` for the rows `x_i` of
//! `x: (n, d)`. Its mean squared error against targets `y: (n,)` is
//!
//! ```text
//! L(w, b) = (1/n) Σ_i (w·x_i + b − y_i)²
//! ```
//!
//! With the residual `r_i = w·x_i + b − y_i`, the chain rule gives
//!
//! ```text
//! ∂L/∂w = (2/n) Σ_i r_i x_i        ∂L/∂b = (2/n) Σ_i r_i
//! ```
//!
//! and [`numerical_gradient`] checks any such formula by finite differences.
//! Setting the gradient to zero gives the *normal equations*, solved in
//! closed form by [`least_squares`].
//!
//! ## Gradient descent
//!
//! Gradient descent walks downhill from a start `θ₀`:
//!
//! ```text
//! θ ← θ − η ∇L(θ)
//! ```
//!
//! How large may the learning rate `η` be? Write `θ = (w, b)` and
//! `A = [x 1]`, the data with a column of ones, `(n, d + 1)`. Then
//! `L(θ) = (1/n) ‖A θ − y‖²` is quadratic, its Hessian is the constant
//! `H = (2/n) AᵀA` ([`mse_hessian`]), and `∇L(θ) = H (θ − θ*)` where `θ*` is
//! the minimiser. The error `e = θ − θ*` therefore obeys
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
//! ## Widrow–Hoff: LMS and ADALINE
//!
//! Widrow and Hoff's *least mean squares* rule (1960, for the ADALINE) takes a
//! step after *each* sample instead of after a pass over all of them:
//! `θ ← θ − η ∇ (w·x_i + b − y_i)²`. [`Lms`] generalises it to mini-batches:
//! batch size 1 is Widrow–Hoff's stochastic rule, batch size `n` is plain
//! gradient descent, and sizes in between trade noise for cost per step.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate};

use crate::error::{Error, Result, check_finite, check_samples};
use crate::linalg;
use crate::random::{permutation, seeded};

/// The mean squared error `L(w, b) = (1/n) Σ_i (w·x_i + b − y_i)²` of the
/// linear model `(w, b)` on `x: (n, d)`, `y: (n,)`; `w: (d,)`.
///
/// ```
/// use mlmath::descent::mse;
/// use ndarray::array;
/// // Predictions 2, 4, 6 against 2, 3, 7: residuals 0, 1, −1.
/// let x = array![[1.0], [2.0], [3.0]];
/// let l = mse(x.view(), array![2.0, 3.0, 7.0].view(), array![2.0].view(), 0.0).unwrap();
/// assert!((l - 2.0 / 3.0).abs() < 1e-15);
/// ```
pub fn mse(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> Result<f64> {
    check_data(x, y)?;
    check_model(x, w, b)?;
    let r = residuals(x, y, w, b);
    Ok(r.dot(&r) / x.nrows() as f64)
}

/// The gradient of [`mse`]: `(∂L/∂w, ∂L/∂b) = ((2/n) Σ_i r_i x_i, (2/n) Σ_i r_i)`
/// with `r_i = w·x_i + b − y_i`.
///
/// ```
/// use mlmath::descent::mse_gradient;
/// use ndarray::array;
/// let x = array![[1.0], [2.0], [3.0]];
/// let (gw, gb) = mse_gradient(x.view(), array![2.0, 3.0, 7.0].view(), array![2.0].view(), 0.0).unwrap();
/// // (2/3)(0·1 + 1·2 − 1·3) = −2/3 and (2/3)(0 + 1 − 1) = 0.
/// assert!((gw[0] + 2.0 / 3.0).abs() < 1e-15 && gb.abs() < 1e-15);
/// ```
pub fn mse_gradient(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> Result<(Array1<f64>, f64)> {
    check_data(x, y)?;
    check_model(x, w, b)?;
    let r = residuals(x, y, w, b);
    let scale = 2.0 / x.nrows() as f64;
    Ok((x.t().dot(&r) * scale, r.sum() * scale))
}

/// The gradient of `f` at `at` by centred finite differences:
/// `∂f/∂θ_k ≈ (f(θ + h e_k) − f(θ − h e_k)) / (2h)`.
///
/// The error of the formula is of order `h²` (the `h` terms of the two
/// Taylor series cancel), while rounding adds about `ε |f| / h`; `h ≈ 1e-5`
/// balances the two for `f64`. `h` must not be 0 (that gives NaN).
///
/// ```
/// use mlmath::descent::numerical_gradient;
/// use ndarray::array;
/// // f(θ) = θ₀² + 3θ₀θ₁ has gradient (2θ₀ + 3θ₁, 3θ₀) = (4, 6) at (2, 0).
/// let g = numerical_gradient(|t| t[0] * t[0] + 3.0 * t[0] * t[1], array![2.0, 0.0].view(), 1e-5);
/// assert!((g[0] - 4.0).abs() < 1e-8 && (g[1] - 6.0).abs() < 1e-8);
/// ```
pub fn numerical_gradient(
    f: impl Fn(ArrayView1<f64>) -> f64,
    at: ArrayView1<'_, f64>,
    h: f64,
) -> Array1<f64> {
    let mut point = at.to_owned();
    Array1::from_shape_fn(at.len(), |k| {
        point[k] = at[k] + h;
        let up = f(point.view());
        point[k] = at[k] - h;
        let down = f(point.view());
        point[k] = at[k];
        (up - down) / (2.0 * h)
    })
}

/// The minimiser `(w, b)` of [`mse`] in closed form, from the normal
/// equations `AᵀA θ = Aᵀy` with `A = [x 1]: (n, d + 1)` and `θ = (w, b)`.
///
/// They come from setting the gradient `(2/n) Aᵀ(Aθ − y)` to zero. `AᵀA` is
/// invertible iff the columns of `A` are linearly independent: no column of
/// `x` constant or a combination of the others, and at least `d + 1` rows.
///
/// ```
/// use mlmath::descent::least_squares;
/// use ndarray::array;
/// // Points on y = 3x − 2.
/// let (w, b) = least_squares(array![[0.0], [1.0], [2.0]].view(), array![-2.0, 1.0, 4.0].view()).unwrap();
/// assert!((w[0] - 3.0).abs() < 1e-12 && (b + 2.0).abs() < 1e-12);
/// ```
pub fn least_squares(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<(Array1<f64>, f64)> {
    check_data(x, y)?;
    let a = with_ones(x);
    let theta = linalg::solve(a.t().dot(&a).view(), a.t().dot(&y).view()).map_err(|_| {
        Error::parameter(
            "x",
            "columns that are linearly independent of each other and of a constant \
             column, so that the normal equations have one solution",
            format!(
                "{} rows and {} columns that are not (a constant or repeated column, \
                 or fewer rows than columns + 1)",
                x.nrows(),
                x.ncols()
            ),
        )
    })?;
    let (w, b) = split(theta.view());
    Ok((w.to_owned(), b))
}

/// The Hessian of [`mse`] with respect to `θ = (w, b)`:
/// `H = (2/n) AᵀA` with `A = [x 1]`, shape `(d + 1, d + 1)`.
///
/// It does not depend on `θ` (or on `y`) because the loss is quadratic in
/// `θ`: the last row and column belong to the bias, and `H_bb = 2`.
///
/// ```
/// use mlmath::descent::mse_hessian;
/// use ndarray::array;
/// let h = mse_hessian(array![[1.0], [3.0]].view()).unwrap();
/// // A = [[1, 1], [3, 1]], AᵀA = [[10, 4], [4, 2]], 2/n = 1.
/// assert_eq!(h, array![[10.0, 4.0], [4.0, 2.0]]);
/// ```
pub fn mse_hessian(x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    if x.nrows() == 0 {
        return Err(Error::empty("x"));
    }
    check_finite("x", x)?;
    let a = with_ones(x);
    Ok(a.t().dot(&a) * (2.0 / x.nrows() as f64))
}

/// The learning rate `2/λmax` past which gradient descent on [`mse`]
/// diverges, `λmax` the largest eigenvalue of [`mse_hessian`].
///
/// Along the Hessian's eigenvector `q_k` the error `θ − θ*` is multiplied by
/// `(1 − η λ_k)` at every step (see the [module](self) docs), so descent
/// converges iff `|1 − η λ_k| < 1` for every `k`: iff `0 < η < 2/λmax`.
///
/// ```
/// use mlmath::descent::divergence_threshold;
/// use ndarray::array;
/// // H = [[10, 4], [4, 2]] has λ = 6 ± √32.
/// let eta = divergence_threshold(array![[1.0], [3.0]].view()).unwrap();
/// assert!((eta - 2.0 / (6.0 + 32f64.sqrt())).abs() < 1e-12);
/// ```
pub fn divergence_threshold(x: ArrayView2<'_, f64>) -> Result<f64> {
    let h = mse_hessian(x)?;
    let largest = linalg::symmetric_eigen(h.view())?.values[0];
    Ok(2.0 / largest)
}

/// Gradient descent `θ ← θ − η ∇L(θ)` for a fixed number of steps.
///
/// ```
/// use mlmath::descent::GradientDescent;
/// use ndarray::array;
/// // L(θ) = θ₀² + 10 θ₁²: Hessian diag(2, 20), so it converges for η < 2/20.
/// let descent = GradientDescent { learning_rate: 0.05, steps: 300 };
/// let path = descent
///     .run(|t| array![2.0 * t[0], 20.0 * t[1]], |t| t[0] * t[0] + 10.0 * t[1] * t[1], array![1.0, 1.0].view())
///     .unwrap();
/// assert!(!path.diverged && path.losses[300] < 1e-20);
/// let too_far = GradientDescent { learning_rate: 0.11, steps: 300 };
/// assert!(too_far.run(|t| array![2.0 * t[0], 20.0 * t[1]], |t| t[0] * t[0] + 10.0 * t[1] * t[1], array![1.0, 1.0].view()).unwrap().diverged);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientDescent {
    /// The step size `η > 0`.
    pub learning_rate: f64,
    /// How many steps to take, at least 1.
    pub steps: usize,
}

/// Where gradient descent went.
#[derive(Debug, Clone, PartialEq)]
pub struct DescentPath {
    /// `θ₀` (the start), `θ₁`, …: one point more than steps taken.
    pub points: Vec<Array1<f64>>,
    /// The loss at each point.
    pub losses: Vec<f64>,
    /// Whether descent stopped early because the loss became NaN or
    /// infinite, or grew past `1e12 · (1 + |L(θ₀)|)`. A last point whose
    /// loss is still finite is kept, so the blow-up shows in a plot.
    pub diverged: bool,
}

impl GradientDescent {
    fn check(&self) -> Result<()> {
        check_learning_rate(self.learning_rate)?;
        if self.steps == 0 {
            return Err(Error::parameter("steps", "at least 1", self.steps));
        }
        Ok(())
    }

    /// Runs `θ ← θ − η gradient(θ)` from `start`, recording `loss(θ)` at
    /// every point; stops early if the loss diverges.
    pub fn run(
        &self,
        gradient: impl Fn(ArrayView1<f64>) -> Array1<f64>,
        loss: impl Fn(ArrayView1<f64>) -> f64,
        start: ArrayView1<'_, f64>,
    ) -> Result<DescentPath> {
        self.check()?;
        check_finite("start", start)?;
        let first = loss(start);
        if !first.is_finite() {
            return Err(Error::parameter(
                "the loss at start",
                "a finite number",
                first,
            ));
        }
        let mut path = DescentPath {
            points: vec![start.to_owned()],
            losses: vec![first],
            diverged: false,
        };
        let mut theta = start.to_owned();
        for _ in 0..self.steps {
            let g = gradient(theta.view());
            if g.len() != theta.len() {
                return Err(Error::shape(
                    "the gradient",
                    format!("{} entries, one per entry of start", theta.len()),
                    format!("{} entries", g.len()),
                ));
            }
            theta.scaled_add(-self.learning_rate, &g);
            if !path.record(&theta, loss(theta.view())) {
                break;
            }
        }
        Ok(path)
    }

    /// Gradient descent on [`mse`] for `θ = (w, b)` (the bias last), from
    /// `θ = 0`. The points of the path have `d + 1` entries.
    ///
    /// ```
    /// use mlmath::descent::GradientDescent;
    /// use ndarray::array;
    /// let (x, y) = (array![[0.0], [1.0], [2.0]], array![-2.0, 1.0, 4.0]);
    /// let path = GradientDescent { learning_rate: 0.3, steps: 500 }.fit_linear(x.view(), y.view()).unwrap();
    /// let end = path.points.last().unwrap();
    /// assert!((end[0] - 3.0).abs() < 1e-9 && (end[1] + 2.0).abs() < 1e-9);
    /// ```
    pub fn fit_linear(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<DescentPath> {
        self.check()?;
        check_data(x, y)?;
        let x = x.as_standard_layout();
        self.run(
            |theta| linear_gradient(x.view(), y, theta),
            |theta| linear_loss(x.view(), y, theta),
            Array1::zeros(x.ncols() + 1).view(),
        )
    }
}

/// Widrow–Hoff least mean squares (the ADALINE rule), on mini-batches.
///
/// Every epoch shuffles the rows with the generator seeded by `seed`, cuts
/// them into batches of `batch_size` (the last one may be smaller), and
/// for each batch `B` steps `θ ← θ − η ∇ L_B(θ)` with `L_B` the [`mse`] on
/// `B` alone. `batch_size = 1` is Widrow–Hoff's stochastic rule; `batch_size = n`
/// is gradient descent ([`GradientDescent::fit_linear`], step for step).
///
/// ```
/// use mlmath::descent::Lms;
/// use ndarray::array;
/// let (x, y) = (array![[0.0], [1.0], [2.0], [3.0]], array![-2.0, 1.0, 4.0, 7.0]);
/// let lms = Lms { learning_rate: 0.05, epochs: 400, batch_size: 1, seed: 0 };
/// let fitted = lms.fit(x.view(), y.view()).unwrap();
/// assert!((fitted.weights[0] - 3.0).abs() < 1e-6 && (fitted.bias + 2.0).abs() < 1e-6);
/// assert_eq!(fitted.losses.len(), 1 + 400 * 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lms {
    /// The step size `η > 0`.
    pub learning_rate: f64,
    /// Passes over the data, at least 1.
    pub epochs: usize,
    /// Rows per step, from 1 to `n`.
    pub batch_size: usize,
    /// Seed of the shuffles.
    pub seed: u64,
}

/// A linear model `ŷ = w·x + b` and how training got there.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedLinear {
    /// `w: (d,)`.
    pub weights: Array1<f64>,
    /// `b`.
    pub bias: f64,
    /// `θ = (w, b)` at the start (zeros) and after every update.
    pub path: Vec<Array1<f64>>,
    /// The [`mse`] on all the training data at each point of `path`.
    pub losses: Vec<f64>,
    /// Whether training stopped early because the loss diverged (as in
    /// [`DescentPath::diverged`]).
    pub diverged: bool,
}

impl Lms {
    /// Trains on `x: (n, d)`, `y: (n,)` from `θ = 0`.
    pub fn fit(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<FittedLinear> {
        check_data(x, y)?;
        check_learning_rate(self.learning_rate)?;
        if self.epochs == 0 {
            return Err(Error::parameter("epochs", "at least 1", self.epochs));
        }
        let n = x.nrows();
        if self.batch_size == 0 || self.batch_size > n {
            return Err(Error::parameter(
                "batch_size",
                format!("between 1 and the number of rows of x ({n})"),
                self.batch_size,
            ));
        }
        let x = x.as_standard_layout();
        let mut rng = seeded(self.seed);
        let mut theta = Array1::zeros(x.ncols() + 1);
        let mut path = DescentPath {
            points: vec![theta.clone()],
            losses: vec![linear_loss(x.view(), y, theta.view())],
            diverged: false,
        };
        'epochs: for _ in 0..self.epochs {
            let order = permutation(n, &mut rng);
            for batch in order
                .as_slice()
                .expect("a fresh array")
                .chunks(self.batch_size)
            {
                // The gradient is a sum, so the order of the rows in a batch
                // does not matter; taking them in their original order makes
                // batch_size = n repeat gradient descent to the last bit.
                let mut rows = batch.to_vec();
                rows.sort_unstable();
                let xb = x.select(Axis(0), &rows);
                let yb = y.select(Axis(0), &rows);
                let g = linear_gradient(xb.view(), yb.view(), theta.view());
                theta.scaled_add(-self.learning_rate, &g);
                if !path.record(&theta, linear_loss(x.view(), y, theta.view())) {
                    break 'epochs;
                }
            }
        }
        let (weights, bias) = split(theta.view());
        Ok(FittedLinear {
            weights: weights.to_owned(),
            bias,
            path: path.points,
            losses: path.losses,
            diverged: path.diverged,
        })
    }
}

impl FittedLinear {
    /// The predictions `ŷ_i = w·x_i + b` for `x: (n, d)`.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
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

impl DescentPath {
    /// Appends `theta` and its loss; returns `false` (and marks the path as
    /// diverged) if the loss has blown up, keeping the point only while its
    /// loss is finite.
    fn record(&mut self, theta: &Array1<f64>, loss: f64) -> bool {
        if loss.is_finite() {
            self.points.push(theta.clone());
            self.losses.push(loss);
        }
        let bound = 1e12 * (1.0 + self.losses[0].abs());
        self.diverged = !loss.is_finite() || loss > bound;
        !self.diverged
    }
}

fn check_learning_rate(eta: f64) -> Result<()> {
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

/// `x` not empty, `y` one target per row, both finite.
fn check_data(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<()> {
    check_samples(x, y.len())?;
    check_finite("x", x)?;
    check_finite("y", y)
}

/// `w` one weight per column of `x`, `w` and `b` finite.
fn check_model(x: ArrayView2<'_, f64>, w: ArrayView1<'_, f64>, b: f64) -> Result<()> {
    if w.len() != x.ncols() {
        return Err(Error::shape(
            "w",
            format!("{} weights, one per column of x", x.ncols()),
            format!("{} weights", w.len()),
        ));
    }
    check_finite("w", w)?;
    if !b.is_finite() {
        return Err(Error::parameter("b", "a finite number", b));
    }
    Ok(())
}

/// `r_i = w·x_i + b − y_i`.
fn residuals(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> Array1<f64> {
    x.dot(&w) + b - y
}

/// [`mse`] at `θ = (w, b)`, unchecked (the callers checked the data).
fn linear_loss(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>, theta: ArrayView1<'_, f64>) -> f64 {
    let (w, b) = split(theta);
    let r = residuals(x, y, w, b);
    r.dot(&r) / x.nrows() as f64
}

/// [`mse_gradient`] at `θ = (w, b)` as one vector `(∂L/∂w, ∂L/∂b)`, unchecked.
fn linear_gradient(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    theta: ArrayView1<'_, f64>,
) -> Array1<f64> {
    let (w, b) = split(theta);
    let r = residuals(x, y, w, b);
    let scale = 2.0 / x.nrows() as f64;
    let gradient_w = x.t().dot(&r) * scale;
    gradient_w.into_iter().chain([r.sum() * scale]).collect()
}

/// `θ = (w, b)` as `w` (every entry but the last) and `b` (the last).
fn split(theta: ArrayView1<'_, f64>) -> (ArrayView1<'_, f64>, f64) {
    let d = theta.len() - 1;
    (theta.split_at(Axis(0), d).0, theta[d])
}

/// `A = [x 1]`: `x` with a column of ones appended, `(n, d + 1)`.
fn with_ones(x: ArrayView2<'_, f64>) -> Array2<f64> {
    let ones = Array2::ones((x.nrows(), 1));
    concatenate(Axis(1), &[x, ones.view()]).expect("same number of rows")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{normal_matrix, uniform_matrix};
    use ndarray::array;

    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b} (tolerance {tol})");
    }

    /// `n` points of `y = x·w + b` plus Gaussian noise of size `noise`.
    fn linear_data(
        n: usize,
        w: &[f64],
        b: f64,
        noise: f64,
        seed: u64,
    ) -> (Array2<f64>, Array1<f64>) {
        let mut rng = seeded(seed);
        let x = normal_matrix(n, w.len(), &mut rng);
        let eps = normal_matrix(n, 1, &mut rng).column(0).to_owned();
        let y = x.dot(&Array1::from(w.to_vec())) + b + eps * noise;
        (x, y)
    }

    #[test]
    fn mse_of_a_hand_worked_example() {
        // w = 1, b = 1 on x = 0, 1, 2: predictions 1, 2, 3 against 0, 2, 5;
        // residuals 1, 0, −2; mse = (1 + 0 + 4)/3.
        let x = array![[0.0], [1.0], [2.0]];
        let y = array![0.0, 2.0, 5.0];
        assert_close(
            mse(x.view(), y.view(), array![1.0].view(), 1.0).unwrap(),
            5.0 / 3.0,
            1e-15,
        );
        // Gradient: (2/3)(1·0 + 0·1 − 2·2) = −8/3 and (2/3)(1 + 0 − 2) = −2/3.
        let (gw, gb) = mse_gradient(x.view(), y.view(), array![1.0].view(), 1.0).unwrap();
        assert_close(gw[0], -8.0 / 3.0, 1e-15);
        assert_close(gb, -2.0 / 3.0, 1e-15);
    }

    #[test]
    fn mse_gradient_matches_finite_differences() {
        let (x, y) = linear_data(30, &[1.5, -0.5, 2.0], 0.7, 0.3, 1);
        let mut rng = seeded(2);
        for _ in 0..5 {
            let theta = uniform_matrix(1, 4, -3.0, 3.0, &mut rng).unwrap().row(0).to_owned();
            let (gw, gb) =
                mse_gradient(x.view(), y.view(), split(theta.view()).0, theta[3]).unwrap();
            let loss = |t: ArrayView1<f64>| mse(x.view(), y.view(), split(t).0, t[3]).unwrap();
            let numeric = numerical_gradient(loss, theta.view(), 1e-5);
            for k in 0..3 {
                assert_close(gw[k], numeric[k], 1e-6);
            }
            assert_close(gb, numeric[3], 1e-6);
        }
    }

    #[test]
    fn least_squares_recovers_a_line() {
        // Noiseless points on y = 3x − 2: recovered exactly.
        let x = Array2::from_shape_fn((7, 1), |(i, _)| i as f64 - 2.0);
        let y = x.column(0).mapv(|v| 3.0 * v - 2.0);
        let (w, b) = least_squares(x.view(), y.view()).unwrap();
        assert_close(w[0], 3.0, 1e-12);
        assert_close(b, -2.0, 1e-12);
        // Noisy points: slope = cov(x, y) / var(x), intercept = ȳ − slope · x̄.
        let (x, y) = linear_data(50, &[3.0], -2.0, 0.5, 7);
        let (mx, my) = (x.column(0).mean().unwrap(), y.mean().unwrap());
        let cov = x
            .column(0)
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - mx) * (b - my))
            .sum::<f64>();
        let var = x.column(0).iter().map(|a| (a - mx).powi(2)).sum::<f64>();
        let (w, b) = least_squares(x.view(), y.view()).unwrap();
        assert_close(w[0], cov / var, 1e-12);
        assert_close(b, my - cov / var * mx, 1e-12);
        // A repeated column has no unique solution.
        let twice = concatenate(Axis(1), &[x.view(), x.view()]).unwrap();
        let e = least_squares(twice.view(), y.view()).unwrap_err();
        assert!(e.to_string().contains("linearly independent"), "{e}");
    }

    #[test]
    fn gradient_descent_converges_to_least_squares() {
        let (x, y) = linear_data(60, &[2.0, -1.0], 0.5, 0.2, 3);
        let (w, b) = least_squares(x.view(), y.view()).unwrap();
        let eta = 0.5 * divergence_threshold(x.view()).unwrap();
        let path = GradientDescent {
            learning_rate: eta,
            steps: 2000,
        }
        .fit_linear(x.view(), y.view())
        .unwrap();
        assert!(!path.diverged);
        assert_eq!(path.points.len(), 2001);
        let end = path.points.last().unwrap();
        assert_close(end[0], w[0], 1e-6);
        assert_close(end[1], w[1], 1e-6);
        assert_close(end[2], b, 1e-6);
        // The loss of a converging quadratic descent never goes up.
        assert!(path.losses.windows(2).all(|l| l[1] <= l[0] + 1e-15));
    }

    #[test]
    fn the_learning_rate_threshold_is_two_over_the_largest_curvature() {
        // L(θ) = θ₁² + 10 θ₂²: Hessian diag(2, 20), threshold 2/20 = 0.1.
        let gradient = |t: ArrayView1<f64>| array![2.0 * t[0], 20.0 * t[1]];
        let loss = |t: ArrayView1<f64>| t[0] * t[0] + 10.0 * t[1] * t[1];
        let start = array![1.0, 1.0];
        let below = GradientDescent {
            learning_rate: 0.099,
            steps: 3000,
        };
        let path = below.run(gradient, loss, start.view()).unwrap();
        assert!(!path.diverged);
        assert!(*path.losses.last().unwrap() < 1e-20);
        let above = GradientDescent {
            learning_rate: 0.101,
            steps: 3000,
        };
        let path = above.run(gradient, loss, start.view()).unwrap();
        assert!(path.diverged);
        assert!(path.points.len() < 3001, "it stopped early");
        // θ₂ is multiplied by 1 − 20η = −1.02 a step: it flips sign and grows.
        let p = &path.points;
        assert_close(p[1][1], -1.02, 1e-12);
        assert_close(p[2][1], 1.02 * 1.02, 1e-12);
    }

    #[test]
    fn divergence_threshold_matches_a_hand_computed_eigenvalue() {
        // x = (1, 3): A = [[1, 1], [3, 1]], H = (2/2) AᵀA = [[10, 4], [4, 2]],
        // λ = 6 ± √(36 − 4), so the threshold is 2/(6 + 4√2).
        let x = array![[1.0], [3.0]];
        assert_eq!(
            mse_hessian(x.view()).unwrap(),
            array![[10.0, 4.0], [4.0, 2.0]]
        );
        let threshold = divergence_threshold(x.view()).unwrap();
        assert_close(threshold, 2.0 / (6.0 + 4.0 * 2f64.sqrt()), 1e-14);
        // And descent on that data turns over right there.
        let y = array![1.0, 2.0];
        let run = |eta| {
            GradientDescent {
                learning_rate: eta,
                steps: 5000,
            }
            .fit_linear(x.view(), y.view())
            .unwrap()
        };
        assert!(!run(0.98 * threshold).diverged);
        assert!(run(1.02 * threshold).diverged);
    }

    #[test]
    fn lms_with_the_whole_batch_is_gradient_descent() {
        let (x, y) = linear_data(25, &[1.0, -2.0, 0.5], 1.0, 0.3, 4);
        let eta = 0.05;
        let lms = Lms {
            learning_rate: eta,
            epochs: 40,
            batch_size: 25,
            seed: 9,
        };
        let fitted = lms.fit(x.view(), y.view()).unwrap();
        let path = GradientDescent {
            learning_rate: eta,
            steps: 40,
        }
        .fit_linear(x.view(), y.view())
        .unwrap();
        assert_eq!(fitted.path, path.points);
        assert_eq!(fitted.losses, path.losses);
        assert_eq!(
            fitted.weights.to_vec(),
            split(path.points[40].view()).0.to_vec()
        );
    }

    #[test]
    fn stochastic_lms_lands_near_least_squares() {
        let (x, y) = linear_data(200, &[2.0, -1.0], 0.5, 0.1, 5);
        let (w, b) = least_squares(x.view(), y.view()).unwrap();
        let lms = Lms {
            learning_rate: 0.01,
            epochs: 20,
            batch_size: 1,
            seed: 6,
        };
        let fitted = lms.fit(x.view(), y.view()).unwrap();
        assert_eq!(fitted.losses.len(), 1 + 20 * 200);
        assert_close(fitted.weights[0], w[0], 0.02);
        assert_close(fitted.weights[1], w[1], 0.02);
        assert_close(fitted.bias, b, 0.02);
        // Its loss ends a little above the minimum, never below it.
        let best = mse(x.view(), y.view(), w.view(), b).unwrap();
        let last = *fitted.losses.last().unwrap();
        assert!(last >= best && last < best * 1.05, "{last} vs {best}");
        let predicted = fitted.predict(x.view()).unwrap();
        assert_close(
            predicted[0],
            x.row(0).dot(&fitted.weights) + fitted.bias,
            1e-15,
        );
        // Mini-batches of 10 with another seed land there too.
        let mini = Lms {
            batch_size: 10,
            epochs: 200,
            seed: 8,
            ..lms
        }
        .fit(x.view(), y.view())
        .unwrap();
        assert_close(mini.weights[0], w[0], 0.02);
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let y = array![1.0, 2.0, 3.0];
        let w = array![0.5, 0.5];
        let shape = mse(x.view(), array![1.0, 2.0].view(), w.view(), 0.0).unwrap_err();
        assert!(matches!(shape, Error::Shape { .. }), "{shape}");
        let shape = mse_gradient(x.view(), y.view(), array![1.0].view(), 0.0).unwrap_err();
        assert!(matches!(shape, Error::Shape { .. }), "{shape}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = least_squares(empty.view(), Array1::zeros(0).view()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let mut nan = x.clone();
        nan[(1, 0)] = f64::NAN;
        let e = mse(nan.view(), y.view(), w.view(), 0.0).unwrap_err();
        assert_eq!(
            e,
            Error::NotFinite {
                what: "x".into(),
                index: vec![1, 0]
            }
        );
        for eta in [0.0, -0.1, f64::NAN] {
            let e = GradientDescent {
                learning_rate: eta,
                steps: 10,
            }
            .fit_linear(x.view(), y.view())
            .unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
        }
        let e = GradientDescent {
            learning_rate: 0.1,
            steps: 0,
        }
        .fit_linear(x.view(), y.view())
        .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let lms = Lms {
            learning_rate: 0.1,
            epochs: 5,
            batch_size: 0,
            seed: 0,
        };
        let e = lms.fit(x.view(), y.view()).unwrap_err();
        assert!(e.to_string().contains("batch_size"), "{e}");
        let e = Lms {
            batch_size: 4,
            ..lms
        }
        .fit(x.view(), y.view())
        .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = Lms {
            batch_size: 1,
            epochs: 0,
            ..lms
        }
        .fit(x.view(), y.view())
        .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = Lms {
            learning_rate: -1.0,
            batch_size: 1,
            ..lms
        }
        .fit(x.view(), y.view())
        .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let fitted = Lms {
            batch_size: 1,
            ..lms
        }
        .fit(x.view(), y.view())
        .unwrap();
        let e = fitted.predict(array![[1.0, 2.0, 3.0]].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = GradientDescent {
            learning_rate: 0.1,
            steps: 3,
        }
        .run(
            |t| t.to_owned(),
            |t| t.dot(&t),
            array![f64::INFINITY].view(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
    }
}
