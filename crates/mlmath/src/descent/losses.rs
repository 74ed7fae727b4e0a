//! The mean squared error of a linear model, its gradient and Hessian, and
//! its minimiser in closed form.
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
//!
//! ## The Hessian
//!
//! Write `θ = (w, b)` and `A = [x 1]`, the data with a column of ones,
//! `(n, d + 1)`. Then `L(θ) = (1/n) ‖A θ − y‖²` is quadratic in `θ`, and its
//! matrix of second derivatives is the constant
//!
//! ```text
//! H = (2/n) AᵀA = (2/n) [ xᵀx   xᵀ1 ]
//!                       [ 1ᵀx    n  ]
//! ```
//!
//! ([`mse_hessian`]). Its eigenvalues are the curvatures of the bowl along
//! its axes; they decide how fast gradient descent may go (see
//! [`gradient_descent`](super::gradient_descent)).
//!
//! ## The bottom of the bowl in closed form
//!
//! Setting the gradient `(2/n) Aᵀ(Aθ − y)` to zero gives the *normal
//! equations* `AᵀA θ = Aᵀy`. They are the right idea and the wrong
//! computation: forming `AᵀA` squares the condition number of `A`, and data
//! far from the origin make `A` badly conditioned (a column of values near
//! 1e9 is almost parallel to the column of ones). [`least_squares`] instead
//! centres the columns first, which separates the bias from the weights
//! exactly:
//!
//! ```text
//! w minimises ‖(x − x̄) w − (y − ȳ)‖²,     b = ȳ − x̄·w,
//! ```
//!
//! and solves that by Householder QR ([`linalg::solve_least_squares`]),
//! which works on `x − x̄` itself and never squares anything.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Ix2};

use super::gradient_descent::IntoResult;
use crate::error::{Error, Result, check_finite, check_samples};
use crate::linalg::{self, ColumnMeans};

/// The mean squared error `L(w, b) = (1/n) Σ_i (w·x_i + b − y_i)²` of the
/// linear model `(w, b)` on `x: (n, d)`, `y: (n,)`; `w: (d,)`.
///
/// `∞` only if the true value is above the largest `f64` (1.8e308): the
/// sum is computed scaled, so it never overflows on its way to a
/// representable answer. An error if a residual itself overflows.
///
/// ```
/// use mlmath::descent::mse;
/// use ndarray::array;
/// // Predictions 2, 4, 6 against 2, 3, 7: residuals 0, 1, −1.
/// let l = mse(&array![[1.0], [2.0], [3.0]], &array![2.0, 3.0, 7.0], &array![2.0], 0.0).unwrap();
/// assert!((l - 2.0 / 3.0).abs() < 1e-15);
/// ```
pub fn mse<'a, 'b, 'c>(
    x: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix1>,
    w: impl AsArray<'c, f64, Ix1>,
    b: f64,
) -> Result<f64> {
    mse_view(x.into(), y.into(), w.into(), b)
}

fn mse_view(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> Result<f64> {
    check_data(x, y)?;
    check_model(x, w, b)?;
    let r = checked_residuals(x, y, w, b)?;
    Ok(mean_square(r.view()))
}

/// The gradient of [`mse`]: `(∂L/∂w, ∂L/∂b) = ((2/n) Σ_i r_i x_i, (2/n) Σ_i r_i)`
/// with `r_i = w·x_i + b − y_i`.
///
/// ```
/// use mlmath::descent::mse_gradient;
/// use ndarray::array;
/// let x = array![[1.0], [2.0], [3.0]];
/// let (gw, gb) = mse_gradient(&x, &array![2.0, 3.0, 7.0], &array![2.0], 0.0).unwrap();
/// // (2/3)(0·1 + 1·2 − 1·3) = −2/3 and (2/3)(0 + 1 − 1) = 0.
/// assert!((gw[0] + 2.0 / 3.0).abs() < 1e-15 && gb.abs() < 1e-15);
/// ```
pub fn mse_gradient<'a, 'b, 'c>(
    x: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix1>,
    w: impl AsArray<'c, f64, Ix1>,
    b: f64,
) -> Result<(Array1<f64>, f64)> {
    mse_gradient_view(x.into(), y.into(), w.into(), b)
}

fn mse_gradient_view(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> Result<(Array1<f64>, f64)> {
    check_data(x, y)?;
    check_model(x, w, b)?;
    let r = checked_residuals(x, y, w, b)?;
    let scale = 2.0 / x.nrows() as f64;
    let (gw, gb) = (x.t().dot(&r) * scale, r.sum() * scale);
    if gb.is_finite() && gw.iter().all(|g| g.is_finite()) {
        Ok((gw, gb))
    } else {
        Err(overflow("the gradient (2/n) Σ r_i x_i"))
    }
}

/// The Hessian of [`mse`] with respect to `θ = (w, b)`:
/// `H = (2/n) AᵀA` with `A = [x 1]`, shape `(d + 1, d + 1)`.
///
/// It does not depend on `θ` (or on `y`) because the loss is quadratic in
/// `θ`: the last row and column belong to the bias, and `H_bb = 2`. An error
/// if an entry overflows (x with entries above about 1e154): rescale x.
///
/// ```
/// use mlmath::descent::mse_hessian;
/// use ndarray::array;
/// let h = mse_hessian(&array![[1.0], [3.0]]).unwrap();
/// // A = [[1, 1], [3, 1]], AᵀA = [[10, 4], [4, 2]], 2/n = 1.
/// assert_eq!(h, array![[10.0, 4.0], [4.0, 2.0]]);
/// ```
pub fn mse_hessian<'a>(x: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    mse_hessian_view(x.into())
}

pub(super) fn mse_hessian_view(x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    if n == 0 {
        return Err(Error::empty("x"));
    }
    check_finite("x", x)?;
    let scale = 2.0 / n as f64;
    let xtx = x.t().dot(&x) * scale;
    let column_sums = x.sum_axis(Axis(0)) * scale;
    let h = Array2::from_shape_fn((d + 1, d + 1), |(i, j)| match (i < d, j < d) {
        (true, true) => xtx[(i, j)],
        (true, false) => column_sums[i],
        (false, true) => column_sums[j],
        (false, false) => 2.0,
    });
    if let Some(((i, j), v)) = h.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::parameter(
            "x",
            "values whose squares fit in an f64 (below about 1e154): rescale x first",
            format!("a Hessian entry H[{i}, {j}] = {v} that overflows"),
        ));
    }
    Ok(h)
}

/// The gradient of `f` at `at` by centred finite differences:
/// `∂f/∂θ_k ≈ (f(θ + h e_k) − f(θ − h e_k)) / (2h)`.
///
/// The error of the formula is of order `h²` (the `h` terms of the two
/// Taylor series cancel), while rounding adds about `ε |f| / h`; `h ≈ 1e-5`
/// balances the two for `f64` when `|θ|` is about 1 (take
/// `h ≈ 1e-5 · |θ_k|` for larger parameters). The step actually taken,
/// `(θ_k + h) − (θ_k − h)` in floating point, is the one divided by.
///
/// `f` may return `f64` or `Result<f64>`, so a closure can use `?`. An
/// error if `h` is not a finite number above 0, if `h` is too small to
/// change `θ_k` at all, or if `f` fails or is not finite at a probed point.
///
/// ```
/// use mlmath::descent::numerical_gradient;
/// use ndarray::array;
/// // f(θ) = θ₀² + 3θ₀θ₁ has gradient (2θ₀ + 3θ₁, 3θ₀) = (4, 6) at (2, 0).
/// let f = |t: ndarray::ArrayView1<f64>| t[0] * t[0] + 3.0 * t[0] * t[1];
/// let g = numerical_gradient(f, &array![2.0, 0.0], 1e-5).unwrap();
/// assert!((g[0] - 4.0).abs() < 1e-8 && (g[1] - 6.0).abs() < 1e-8);
/// assert!(numerical_gradient(f, &array![1e9, 0.0], 1e-9).is_err()); // 1e9 + 1e-9 == 1e9
/// ```
pub fn numerical_gradient<'a, R: IntoResult<f64>>(
    f: impl Fn(ArrayView1<f64>) -> R,
    at: impl AsArray<'a, f64, Ix1>,
    h: f64,
) -> Result<Array1<f64>> {
    numerical_gradient_dyn(&|theta| f(theta).into_result(), at.into(), h)
}

fn numerical_gradient_dyn(
    f: &dyn Fn(ArrayView1<f64>) -> Result<f64>,
    at: ArrayView1<'_, f64>,
    h: f64,
) -> Result<Array1<f64>> {
    if !(h > 0.0 && h.is_finite()) {
        return Err(Error::parameter(
            "h",
            "a finite step above 0 (about 1e-5 · max(1, |θ|))",
            h,
        ));
    }
    check_finite("at", at)?;
    let mut point = at.to_owned();
    let mut gradient = Array1::zeros(at.len());
    for k in 0..at.len() {
        let (up, down) = (at[k] + h, at[k] - h);
        let step = up - down;
        if !step.is_finite() || step == 0.0 {
            return Err(Error::parameter(
                "h",
                format!(
                    "a step that changes θ_{k} = {} and stays finite: about 1e-5 · max(1, |θ_{k}|)",
                    at[k]
                ),
                h,
            ));
        }
        let mut probe = |value: f64, side: &str| -> Result<f64> {
            point[k] = value;
            let v = f(point.view())?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(Error::parameter(
                    "f",
                    "a finite value near the point where the gradient is taken",
                    format!("{v} at θ {side} h·e_{k}"),
                ))
            }
        };
        let f_up = probe(up, "+")?;
        let f_down = probe(down, "−")?;
        point[k] = at[k];
        gradient[k] = (f_up - f_down) / step;
        if !gradient[k].is_finite() {
            return Err(Error::parameter(
                "f",
                "a function whose differences fit in an f64",
                format!("a difference quotient that overflows in coordinate {k}"),
            ));
        }
    }
    Ok(gradient)
}

/// The minimiser `(w, b)` of [`mse`] in closed form: `w` minimises
/// `‖(x − x̄) w − (y − ȳ)‖²`, solved by Householder QR, and `b = ȳ − x̄·w`
/// (see the [module](self) docs: no normal equations, so data far from the
/// origin or in mixed units are fine).
///
/// An error unless the minimiser is unique: at least `d + 1` rows, no
/// constant column (it would duplicate the bias), and no column a
/// combination of the others.
///
/// ```
/// use mlmath::descent::least_squares;
/// use ndarray::array;
/// // Points on y = 3x − 2, and the same points moved to x ≈ 1e9.
/// let (w, b) = least_squares(&array![[0.0], [1.0], [2.0]], &array![-2.0, 1.0, 4.0]).unwrap();
/// assert!((w[0] - 3.0).abs() < 1e-12 && (b + 2.0).abs() < 1e-12);
/// let far = array![[1e9], [1e9 + 1.0], [1e9 + 2.0]];
/// let (w, _) = least_squares(&far, &array![-2.0, 1.0, 4.0]).unwrap();
/// assert!((w[0] - 3.0).abs() < 1e-12);
/// ```
pub fn least_squares<'a, 'b>(
    x: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix1>,
) -> Result<(Array1<f64>, f64)> {
    least_squares_view(x.into(), y.into())
}

fn least_squares_view(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<(Array1<f64>, f64)> {
    check_data(x, y)?;
    let (n, d) = x.dim();
    if n < d + 1 {
        return Err(Error::parameter(
            "x",
            format!(
                "at least d + 1 = {} rows: one equation per unknown (the {d} weights and the bias)",
                d + 1
            ),
            format!("{n} rows"),
        ));
    }
    for (j, column) in x.columns().into_iter().enumerate() {
        if column.iter().all(|&v| v == column[0]) {
            return Err(Error::parameter(
                format!("column {j} of x"),
                "a column whose values vary (a constant column duplicates the bias b)",
                format!("a constant column, every value {}: drop it", column[0]),
            ));
        }
    }
    let x_means = ColumnMeans::of(x);
    let y_column = y.insert_axis(Axis(1));
    let y_means = ColumnMeans::of(y_column);
    let centred = x_means.centre(x);
    let a = crate::geometry::augment_of(centred.view());
    let y_centred = y_means.centre(y_column);
    let theta = linalg::householder_least_squares(a.view(), y_centred.column(0)).map_err(|j| {
        Error::parameter(
            "x",
            "columns that are linearly independent of each other and of a constant column, \
             so that the least-squares fit is unique",
            if j < d {
                format!(
                    "column {j}, which is (up to rounding) a combination of the others: drop it"
                )
            } else {
                "columns that together are (up to rounding) constant".to_string()
            },
        )
    })?;
    let (w, b_centred) = split(theta.view());
    let b = y_means.mean()[0] - x_means.dot(w) + b_centred;
    if !(b.is_finite() && w.iter().all(|v| v.is_finite())) {
        return Err(Error::parameter(
            "x and y",
            "data whose least-squares line fits in an f64",
            "weights or a bias that overflow: rescale x and y first",
        ));
    }
    Ok((w.to_owned(), b))
}

/// `x` not empty, `y` one target per row, both finite.
pub(super) fn check_data(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<()> {
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

/// The residuals, or an error if one overflows (w·x + b beyond 1.8e308):
/// then no loss can be computed from them.
fn checked_residuals(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> Result<Array1<f64>> {
    let r = residuals(x, y, w, b);
    if r.iter().all(|v| v.is_finite()) {
        Ok(r)
    } else {
        Err(overflow("a residual w·x_i + b − y_i"))
    }
}

fn overflow(what: &str) -> Error {
    Error::parameter(
        what,
        "a number within the range of f64 (below 1.8e308)",
        "a value that overflows: rescale x, y or the weights (divide by a large unit)",
    )
}

/// `(1/n) Σ r_i²`; if the plain sum overflows, computed as
/// `(‖r‖ / √n)²` with the norm taken on `r / max |r|`.
fn mean_square(r: ArrayView1<'_, f64>) -> f64 {
    let n = r.len() as f64;
    let plain = r.dot(&r) / n;
    if plain.is_finite() {
        plain
    } else {
        (linalg::norm(r) / n.sqrt()).powi(2)
    }
}

/// [`mse`] at `θ = (w, b)`, unchecked (the callers checked the data).
pub(super) fn linear_loss(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    theta: ArrayView1<'_, f64>,
) -> f64 {
    let (w, b) = split(theta);
    mean_square(residuals(x, y, w, b).view())
}

/// [`mse_gradient`] at `θ = (w, b)` as one vector `(∂L/∂w, ∂L/∂b)`, unchecked.
pub(super) fn linear_gradient(
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
pub(super) fn split(theta: ArrayView1<'_, f64>) -> (ArrayView1<'_, f64>, f64) {
    let d = theta.len() - 1;
    (theta.split_at(Axis(0), d).0, theta[d])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::random::{normal_matrix, normal_vector, seeded, uniform_matrix};
    use ndarray::{array, concatenate};

    pub(crate) fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b} (tolerance {tol})");
    }

    /// `n` points of `y = x·w + b` plus Gaussian noise of size `noise`.
    pub(crate) fn linear_data(
        n: usize,
        w: &[f64],
        b: f64,
        noise: f64,
        seed: u64,
    ) -> (Array2<f64>, Array1<f64>) {
        let mut rng = seeded(seed);
        let x = normal_matrix(n, w.len(), &mut rng).unwrap();
        let eps = normal_vector(n, &mut rng);
        let y = x.dot(&Array1::from(w.to_vec())) + b + eps * noise;
        (x, y)
    }

    #[test]
    fn mse_of_a_hand_worked_example() {
        // w = 1, b = 1 on x = 0, 1, 2: predictions 1, 2, 3 against 0, 2, 5;
        // residuals 1, 0, −2; mse = (1 + 0 + 4)/3.
        let x = array![[0.0], [1.0], [2.0]];
        let y = array![0.0, 2.0, 5.0];
        assert_close(mse(&x, &y, &array![1.0], 1.0).unwrap(), 5.0 / 3.0, 1e-15);
        // Gradient: (2/3)(1·0 + 0·1 − 2·2) = −8/3 and (2/3)(1 + 0 − 2) = −2/3.
        let (gw, gb) = mse_gradient(&x, &y, &array![1.0], 1.0).unwrap();
        assert_close(gw[0], -8.0 / 3.0, 1e-15);
        assert_close(gb, -2.0 / 3.0, 1e-15);
    }

    #[test]
    fn mse_overflows_only_when_its_value_does() {
        // Residuals of 1e155: each square overflows, their mean (1e310) too.
        let x = array![[0.0], [0.0]];
        let l = mse(&x, &array![1e155, -1e155], &array![0.0], 0.0).unwrap();
        assert_eq!(l, f64::INFINITY);
        // Residuals of 1.3e154: the plain sum 2 · 1.69e308 overflows, the mean does not.
        let l = mse(&x, &array![1.3e154, 1.3e154], &array![0.0], 0.0).unwrap();
        assert_close(l / 1.69e308, 1.0, 1e-12);
    }

    #[test]
    fn mse_gradient_matches_finite_differences() {
        let (x, y) = linear_data(30, &[1.5, -0.5, 2.0], 0.7, 0.3, 1);
        let mut rng = seeded(2);
        for _ in 0..5 {
            let theta = uniform_matrix(1, 4, -3.0, 3.0, &mut rng)
                .unwrap()
                .row(0)
                .to_owned();
            let (w, b) = split(theta.view());
            let (gw, gb) = mse_gradient(&x, &y, w, b).unwrap();
            // The closure returns a Result: numerical_gradient takes both.
            let loss = |t: ArrayView1<f64>| mse(&x, &y, split(t).0, t[3]);
            let numeric = numerical_gradient(loss, &theta, 1e-5).unwrap();
            for k in 0..3 {
                assert_close(gw[k], numeric[k], 1e-6);
            }
            assert_close(gb, numeric[3], 1e-6);
        }
    }

    #[test]
    fn numerical_gradient_refuses_steps_that_do_not_step() {
        let f = |t: ArrayView1<f64>| t[0] * t[0];
        for h in [0.0, -1e-5, f64::NAN, f64::INFINITY] {
            let e = numerical_gradient(f, &array![1.0], h).unwrap_err();
            assert!(e.to_string().starts_with("h must be"), "{e}");
        }
        // 1e9 ± 1e-9 is 1e9: the old formula gave a silent 0.
        let e = numerical_gradient(f, &array![1e9], 1e-9).unwrap_err();
        assert!(e.to_string().contains("changes θ_0"), "{e}");
        // At 1e9 a step of 1e-5 · 1e9 works, and d(θ²)/dθ = 2e9 (the centred
        // difference is exact for a quadratic, up to rounding of f ≈ 1e18).
        let g = numerical_gradient(f, &array![1e9], 1e4).unwrap();
        assert_close(g[0] / 2e9, 1.0, 1e-9);
        // A NaN from f is named.
        let e = numerical_gradient(|t: ArrayView1<f64>| t[0].ln(), &array![0.0], 1e-5).unwrap_err();
        assert!(e.to_string().contains("θ − h·e_0"), "{e}");
    }

    #[test]
    fn least_squares_recovers_a_line() {
        // Noiseless points on y = 3x − 2: recovered exactly.
        let x = Array2::from_shape_fn((7, 1), |(i, _)| i as f64 - 2.0);
        let y = x.column(0).mapv(|v| 3.0 * v - 2.0);
        let (w, b) = least_squares(&x, &y).unwrap();
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
        let (w, b) = least_squares(&x, &y).unwrap();
        assert_close(w[0], cov / var, 1e-12);
        assert_close(b, my - cov / var * mx, 1e-12);
        // A repeated column has no unique solution, nor has a constant one.
        let twice = concatenate(Axis(1), &[x.view(), x.view()]).unwrap();
        let e = least_squares(&twice, &y).unwrap_err();
        assert!(e.to_string().contains("linearly independent"), "{e}");
        let constant =
            concatenate(Axis(1), &[x.view(), Array2::from_elem((50, 1), 4.0).view()]).unwrap();
        let e = least_squares(&constant, &y).unwrap_err();
        assert!(e.to_string().contains("column 1 of x"), "{e}");
    }

    #[test]
    fn least_squares_is_exact_far_from_the_origin_and_in_mixed_units() {
        // y = 2 x₀ − 5e-6 x₁ + 7 exactly, with x₀ near 1e9 (spread 10) and
        // x₁ in units 1e6 larger. The normal equations lose every digit here.
        let mut rng = seeded(3);
        let u = uniform_matrix(40, 2, -5.0, 5.0, &mut rng).unwrap();
        let x = Array2::from_shape_fn((40, 2), |(i, j)| {
            if j == 0 {
                1e9 + u[(i, 0)]
            } else {
                1e6 * u[(i, 1)]
            }
        });
        // The targets from the deviations, so that they are exact to rounding.
        let y = u.column(0).mapv(|v| 2.0 * v) - u.column(1).mapv(|v| 5.0 * v) + (2e9 + 7.0);
        let (w, b) = least_squares(&x, &y).unwrap();
        assert_close(w[0], 2.0, 1e-6);
        assert_close(w[1] * 1e6, -5.0, 1e-6);
        // b = 7 is far from the data (x₀ = 0 is 1e9 away): predictions are what
        // the data determine, and they match to the spacing of floats at 2e9.
        let predicted = x.dot(&w) + b;
        assert!((predicted - &y).iter().all(|e| e.abs() < 1e-5));
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let y = array![1.0, 2.0, 3.0];
        let w = array![0.5, 0.5];
        let shape = mse(&x, &array![1.0, 2.0], &w, 0.0).unwrap_err();
        assert!(matches!(shape, Error::Shape { .. }), "{shape}");
        let shape = mse_gradient(&x, &y, &array![1.0], 0.0).unwrap_err();
        assert!(matches!(shape, Error::Shape { .. }), "{shape}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = least_squares(&empty, &Array1::zeros(0)).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = least_squares(&array![[1.0, 2.0], [3.0, 4.0]], &array![1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("at least d + 1 = 3 rows"), "{e}");
        let mut nan = x.clone();
        nan[(1, 0)] = f64::NAN;
        let e = mse(&nan, &y, &w, 0.0).unwrap_err();
        assert_eq!(
            e,
            Error::NotFinite {
                what: "x".into(),
                index: vec![1, 0]
            }
        );
        let e = mse_hessian(&array![[1e200], [2.0]]).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
    }
}
