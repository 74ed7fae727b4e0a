//! Loss functions, their gradients, and gradient descent down to the bottom
//! of the bowl.
//!
//! A linear model predicts `ŷ_i = w·x_i + b` for the rows `x_i` of
//! `x: (n, d)`. Training it means finding the weights `w: (d,)` and the bias
//! `b` that make the predictions close to the targets `y: (n,)`. This module
//! does it three ways, one page each:
//!
//! - [`losses`]: the mean squared error [`mse`], its gradient
//!   [`mse_gradient`] (by hand, and checked by [`numerical_gradient`]) and
//!   its Hessian [`mse_hessian`]; and the minimiser in closed form,
//!   [`least_squares`], solved stably by QR.
//! - [`gradient_descent`]: walking downhill, `θ ← θ − η ∇L(θ)`, with
//!   [`GradientDescent`]; how large the learning rate `η` may be
//!   ([`divergence_threshold`]), and the [`DescentPath`] it takes.
//! - [`lms`]: Widrow and Hoff's least mean squares rule, the ADALINE, which
//!   steps after every sample (or mini-batch): [`Lms`].
//!
//! Both ways of descending give a [`FittedLinear`]: the weights, the bias,
//! and the path that led there.
//!
//! ```
//! use mlmath::descent::{GradientDescent, Lms, divergence_threshold, least_squares};
//! use ndarray::array;
//! // Points on y = 3x − 2.
//! let (x, y) = (array![[0.0], [1.0], [2.0], [3.0]], array![-2.0, 1.0, 4.0, 7.0]);
//! let (w, b) = least_squares(&x, &y).unwrap();
//! assert!((w[0] - 3.0).abs() < 1e-12 && (b + 2.0).abs() < 1e-12);
//! // Gradient descent at half the largest stable learning rate gets there too…
//! let eta = 0.5 * divergence_threshold(&x).unwrap();
//! let fit = GradientDescent::new(eta).steps(500).fit_linear(&x, &y).unwrap();
//! assert!((fit.weights()[0] - 3.0).abs() < 1e-9 && (fit.bias() + 2.0).abs() < 1e-9);
//! // …and so does Widrow–Hoff, one sample at a time.
//! let lms = Lms::new(0.05).epochs(400).fit(&x, &y).unwrap();
//! assert!((lms.weights()[0] - 3.0).abs() < 1e-6);
//! ```

pub mod gradient_descent;
pub mod lms;
pub mod losses;

pub use gradient_descent::{
    DescentPath, FittedLinear, GradientDescent, IntoResult, divergence_threshold,
};
pub use lms::Lms;
pub use losses::{least_squares, mse, mse_gradient, mse_hessian, numerical_gradient};
