//! Widrow–Hoff: least mean squares and the ADALINE.
//!
//! ## One sample at a time
//!
//! Gradient descent on the mean squared error needs a pass over all `n`
//! samples for every step. Widrow and Hoff's *least mean squares* rule
//! (1960, for the ADALINE, an adaptive linear neuron built in hardware)
//! takes a step after *each* sample instead:
//!
//! ```text
//! θ ← θ − η ∇ (w·x_i + b − y_i)²  =  θ − 2η r_i (x_i, 1),     r_i = w·x_i + b − y_i
//! ```
//!
//! Each step follows the gradient of one sample's loss: a noisy estimate of
//! the full gradient, right on average (the full loss is the mean of the
//! samples' losses) and wrong in detail. It gets close fast, then jitters
//! around the bottom: with a constant `η` the noise never averages out.
//!
//! ## Mini-batches
//!
//! [`Lms`] generalises the rule to mini-batches: every epoch shuffles the
//! rows, cuts them into batches `B` of `batch_size`, and steps
//! `θ ← θ − η ∇ L_B(θ)` with `L_B` the mean squared error on `B` alone.
//! Batch size 1 is Widrow–Hoff's stochastic rule, batch size `n` is plain
//! gradient descent ([`GradientDescent::fit_linear`](super::GradientDescent::fit_linear),
//! step for step), and sizes in between trade noise for cost per step.

use ndarray::{Array1, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Ix2};

use super::gradient_descent::{DescentPath, FittedLinear, check_learning_rate, check_start_loss};
use super::losses::{check_data, linear_gradient, linear_loss};
use crate::error::{Error, Result};
use crate::random::{permutation, seeded};

/// Widrow–Hoff least mean squares (the ADALINE rule), on mini-batches (see
/// the [module](self) docs).
///
/// Made with [`Lms::new`]`(learning_rate)` (`η`, a finite number above 0);
/// the other hyperparameters have defaults that the builder methods change:
/// [`epochs`](Self::epochs) 10, [`batch_size`](Self::batch_size) 1 (the
/// stochastic rule), [`seed`](Self::seed) 0. All are checked by
/// [`fit`](Self::fit).
///
/// ```
/// use mlmath::descent::Lms;
/// use ndarray::array;
/// let (x, y) = (array![[0.0], [1.0], [2.0], [3.0]], array![-2.0, 1.0, 4.0, 7.0]);
/// let fitted = Lms::new(0.05).epochs(400).fit(&x, &y).unwrap();
/// assert!((fitted.weights()[0] - 3.0).abs() < 1e-6 && (fitted.bias() + 2.0).abs() < 1e-6);
/// // One point per update: 400 epochs of 4 single-sample steps, and the start.
/// assert_eq!(fitted.path().losses().len(), 1 + 400 * 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lms {
    learning_rate: f64,
    epochs: usize,
    batch_size: usize,
    seed: u64,
}

impl Lms {
    /// LMS with step size `learning_rate`, 10 epochs, batches of 1, seed 0.
    pub fn new(learning_rate: f64) -> Self {
        Lms {
            learning_rate,
            epochs: 10,
            batch_size: 1,
            seed: 0,
        }
    }

    /// Passes over the data, at least 1 (default 10).
    pub fn epochs(self, epochs: usize) -> Self {
        Lms { epochs, ..self }
    }

    /// Rows per step, from 1 to `n` (default 1: Widrow–Hoff's rule).
    pub fn batch_size(self, batch_size: usize) -> Self {
        Lms { batch_size, ..self }
    }

    /// Seed of the shuffles (default 0).
    pub fn seed(self, seed: u64) -> Self {
        Lms { seed, ..self }
    }

    /// Trains on `x: (n, d)`, `y: (n,)` from `θ = 0`, recording `θ = (w, b)`
    /// and the mean squared error on all of `x` after every update; stops
    /// early if the loss diverges (as in [`DescentPath`]).
    pub fn fit<'a, 'b>(
        &self,
        x: impl AsArray<'a, f64, Ix2>,
        y: impl AsArray<'b, f64, Ix1>,
    ) -> Result<FittedLinear> {
        self.fit_view(x.into(), y.into())
    }

    fn fit_view(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<FittedLinear> {
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
        let start_loss = linear_loss(x.view(), y, theta.view());
        check_start_loss(start_loss)?;
        let mut path = DescentPath::starting_at(theta.clone(), start_loss);
        'epochs: for _ in 0..self.epochs {
            let order = permutation(n, &mut rng);
            for batch in order.to_vec().chunks(self.batch_size) {
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
        Ok(FittedLinear::from_path(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descent::losses::tests::{assert_close, linear_data};
    use crate::descent::{GradientDescent, least_squares, mse};
    use ndarray::array;

    #[test]
    fn lms_with_the_whole_batch_is_gradient_descent() {
        let (x, y) = linear_data(25, &[1.0, -2.0, 0.5], 1.0, 0.3, 4);
        let eta = 0.05;
        let lms = Lms::new(eta)
            .epochs(40)
            .batch_size(25)
            .seed(9)
            .fit(&x, &y)
            .unwrap();
        let descent = GradientDescent::new(eta)
            .steps(40)
            .fit_linear(&x, &y)
            .unwrap();
        assert_eq!(lms.path(), descent.path());
        assert_eq!(lms.weights(), descent.weights());
        assert_eq!(lms.bias(), descent.bias());
    }

    #[test]
    fn stochastic_lms_lands_near_least_squares() {
        let (x, y) = linear_data(200, &[2.0, -1.0], 0.5, 0.1, 5);
        let (w, b) = least_squares(&x, &y).unwrap();
        let lms = Lms::new(0.01).epochs(20).seed(6);
        let fitted = lms.fit(&x, &y).unwrap();
        assert_eq!(fitted.path().losses().len(), 1 + 20 * 200);
        assert_close(fitted.weights()[0], w[0], 0.02);
        assert_close(fitted.weights()[1], w[1], 0.02);
        assert_close(fitted.bias(), b, 0.02);
        // Its loss ends a little above the minimum, never below it.
        let best = mse(&x, &y, &w, b).unwrap();
        let last = fitted.path().last_loss();
        assert!(last >= best && last < best * 1.05, "{last} vs {best}");
        // Mini-batches of 10 with another seed land there too.
        let mini = lms.batch_size(10).epochs(200).seed(8).fit(&x, &y).unwrap();
        assert_close(mini.weights()[0], w[0], 0.02);
    }

    #[test]
    fn a_too_large_step_diverges_and_stops() {
        let (x, y) = linear_data(30, &[1.0], 0.0, 0.1, 2);
        let fitted = Lms::new(5.0).epochs(100).fit(&x, &y).unwrap();
        assert!(fitted.path().diverged());
        assert!(fitted.path().steps_taken() < 100 * 30);
        assert!(fitted.weights().iter().all(|w| w.is_finite()));
    }

    #[test]
    fn bad_hyperparameters_are_errors_that_name_them() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let y = array![1.0, 2.0, 3.0];
        let lms = Lms::new(0.1);
        let e = lms.batch_size(0).fit(&x, &y).unwrap_err();
        assert!(e.to_string().starts_with("batch_size must be"), "{e}");
        let e = lms.batch_size(4).fit(&x, &y).unwrap_err();
        assert!(e.to_string().contains("(3)"), "{e}");
        let e = lms.epochs(0).fit(&x, &y).unwrap_err();
        assert!(e.to_string().starts_with("epochs must be"), "{e}");
        let e = Lms::new(-1.0).fit(&x, &y).unwrap_err();
        assert!(e.to_string().starts_with("learning_rate must be"), "{e}");
        let e = lms.fit(&x, &array![1.0, 2.0]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let fitted = lms.fit(&x, &y).unwrap();
        let e = fitted.predict(&array![[1.0, 2.0, 3.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
    }
}
