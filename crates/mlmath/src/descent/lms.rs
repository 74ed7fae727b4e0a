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
//! [`Lms::shuffle`]`(false)` visits the rows in their order in `x` instead,
//! every epoch: the rule applied to samples as they arrive, and a path that
//! can be followed by hand.
//!
//! ## Shrinking steps: Robbins and Monro
//!
//! With a constant `η` the last steps are as noisy as the first, so the
//! loss stalls at a *noise floor* above the minimum, lower for a smaller
//! `η`. Robbins and Monro (1951) showed that stochastic steps
//! converge when their sizes `η_t` shrink so that `Σ η_t = ∞` (they can
//! still reach any point) and `Σ η_t² < ∞` (the noise they add stays
//! finite). [`Lms::step_decay`]`(t₀)` takes
//!
//! ```text
//! η_t = η / (1 + t/t₀),     t = 0, 1, 2, … the updates made so far,
//! ```
//!
//! which shrinks like `1/t`: close to `η` while `t ≪ t₀` (`2η/3` at
//! `t = t₀/2`), `η/2` at `t = t₀`, then about `η t₀/t`, halving every time
//! `t` doubles.
//!
//! ## Reshuffling or independent draws
//!
//! By default every epoch visits each row once, in a new random order
//! (*random reshuffling*). [`Lms::with_replacement`]`(true)` draws the `n`
//! rows of each epoch independently and uniformly instead, so some rows
//! come twice and others not at all: the stream of independent noisy
//! gradients that Robbins and Monro's theorem is about.

use ndarray::{Array1, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Ix2};

use super::gradient_descent::{DescentPath, FittedLinear, check_learning_rate, check_start_loss};
use super::losses::{check_data, linear_gradient, linear_loss, mse_hessian_view};
use crate::error::{Error, Result};
use crate::random::Rng;
use crate::random::{permutation, seeded};

/// Widrow–Hoff least mean squares (the ADALINE rule), on mini-batches (see
/// the [module](self) docs).
///
/// Made with [`Lms::new`]`(learning_rate)` (`η`, a finite number above 0);
/// the other hyperparameters have defaults that the builder methods change:
/// [`epochs`](Self::epochs) 10, [`batch_size`](Self::batch_size) 1 (the
/// stochastic rule), [`seed`](Self::seed) 0, [`shuffle`](Self::shuffle)
/// on, and a constant step (no [`step_decay`](Self::step_decay)). All are
/// checked by [`fit`](Self::fit).
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
    shuffle: bool,
    replacement: bool,
    decay: Option<f64>,
}

impl Lms {
    /// LMS with step size `learning_rate`, 10 epochs, batches of 1, seed 0,
    /// rows shuffled every epoch, a constant step.
    pub fn new(learning_rate: f64) -> Self {
        Lms {
            learning_rate,
            epochs: 10,
            batch_size: 1,
            seed: 0,
            shuffle: true,
            replacement: false,
            decay: None,
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

    /// Whether every epoch visits the rows in a new random order (`true`,
    /// the default) or in their order in `x` (`false`; the seed is then
    /// unused). One epoch in order with batches of 1 is the loop
    ///
    /// ```text
    /// for i in 0..n:   r = w·x_i + b − y_i;   w ← w − 2η r x_i;   b ← b − 2η r
    /// ```
    ///
    /// ```
    /// use mlmath::descent::Lms;
    /// use ndarray::array;
    /// let (x, y) = (array![[1.0], [2.0]], array![1.0, 0.0]);
    /// let fitted = Lms::new(0.25).epochs(1).shuffle(false).fit(&x, &y).unwrap();
    /// // Row 0: r = −1, so w = 0.5, b = 0.5. Row 1: r = 1.5, so w = −1, b = −0.25.
    /// assert_eq!((fitted.weights()[0], fitted.bias()), (-1.0, -0.25));
    /// ```
    pub fn shuffle(self, shuffle: bool) -> Self {
        Lms { shuffle, ..self }
    }

    /// Whether each epoch draws its `n` rows independently and uniformly,
    /// with replacement (`true`), instead of visiting every row once
    /// (`false`, the default; see the [module](self) docs). Drawing with
    /// replacement uses the seed and ignores [`shuffle`](Self::shuffle).
    ///
    /// ```
    /// use mlmath::descent::Lms;
    /// use ndarray::array;
    /// let (x, y) = (array![[0.0], [1.0], [2.0], [3.0]], array![-2.0, 1.0, 4.0, 7.0]);
    /// let drawn = Lms::new(0.05).epochs(400).with_replacement(true).fit(&x, &y).unwrap();
    /// assert_eq!(drawn.path().losses().len(), 1 + 400 * 4);
    /// assert!((drawn.weights()[0] - 3.0).abs() < 1e-6); // noiseless data: the same bottom
    /// ```
    pub fn with_replacement(self, replacement: bool) -> Self {
        Lms {
            replacement,
            ..self
        }
    }

    /// Steps that shrink like `1/t` (Robbins–Monro, see the
    /// [module](self) docs): update `t = 0, 1, 2, …` uses
    /// `η_t = η / (1 + t/t₀)`: about `η` while `t ≪ t₀`, `η/2` at `t = t₀`,
    /// then about `η t₀/t`. `t0` must be a finite number above 0.
    ///
    /// ```
    /// use mlmath::descent::Lms;
    /// use ndarray::array;
    /// // One row, w·1 + b against 1, from 0: r₀ = −1, and with t₀ = 1 the
    /// // second step is half the first.
    /// let (x, y) = (array![[1.0]], array![1.0]);
    /// let fitted = Lms::new(0.1).epochs(2).step_decay(1.0).fit(&x, &y).unwrap();
    /// let w1 = 0.2; // w₁ = 0 − 2 · 0.1 · (−1) · 1
    /// let w2 = w1 - 2.0 * 0.05 * (2.0 * w1 - 1.0); // r₁ = 2 w₁ − 1, η₁ = 0.1/2
    /// assert!((fitted.weights()[0] - w2).abs() < 1e-15);
    /// ```
    pub fn step_decay(self, t0: f64) -> Self {
        Lms {
            decay: Some(t0),
            ..self
        }
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
        if let Some(t0) = self.decay
            && !(t0 > 0.0 && t0.is_finite())
        {
            return Err(Error::parameter(
                "step_decay",
                "a finite number of updates t0 above 0",
                t0,
            ));
        }
        // The same overflow check as the Hessian's: x ≈ 1e300 cannot be fitted.
        mse_hessian_view(x)?;
        let x = x.as_standard_layout();
        let mut rng = seeded(self.seed);
        let mut theta = Array1::zeros(x.ncols() + 1);
        let start_loss = linear_loss(x.view(), y, theta.view());
        check_start_loss(start_loss)?;
        let mut path = DescentPath::starting_at(theta.clone(), start_loss);
        let mut updates = 0.0;
        'epochs: for _ in 0..self.epochs {
            let order: Vec<usize> = if self.replacement {
                (0..n).map(|_| rng.random_range(0..n)).collect()
            } else if self.shuffle {
                permutation(n, &mut rng).to_vec()
            } else {
                (0..n).collect()
            };
            for batch in order.chunks(self.batch_size) {
                // The gradient is a sum, so the order of the rows in a batch
                // does not matter; taking them in their original order makes
                // batch_size = n repeat gradient descent to the last bit.
                let mut rows = batch.to_vec();
                rows.sort_unstable();
                let xb = x.select(Axis(0), &rows);
                let yb = y.select(Axis(0), &rows);
                let g = linear_gradient(xb.view(), yb.view(), theta.view());
                let eta = match self.decay {
                    Some(t0) => self.learning_rate / (1.0 + updates / t0),
                    None => self.learning_rate,
                };
                theta.scaled_add(-eta, &g);
                updates += 1.0;
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

    /// Widrow–Hoff by hand: rows in `order`, steps `eta(t)` for update `t`.
    fn by_hand(
        x: &ndarray::Array2<f64>,
        y: &Array1<f64>,
        order: &[usize],
        eta: impl Fn(usize) -> f64,
    ) -> Array1<f64> {
        let d = x.ncols();
        let mut theta = Array1::<f64>::zeros(d + 1);
        for (t, &i) in order.iter().enumerate() {
            let r = (0..d).map(|k| theta[k] * x[(i, k)]).sum::<f64>() + theta[d] - y[i];
            for k in 0..d {
                theta[k] -= 2.0 * eta(t) * r * x[(i, k)];
            }
            theta[d] -= 2.0 * eta(t) * r;
        }
        theta
    }

    #[test]
    fn in_order_lms_is_the_loop_written_out() {
        let (x, y) = linear_data(13, &[1.5, -0.5], 0.3, 0.2, 11);
        let fitted = Lms::new(0.03)
            .epochs(3)
            .shuffle(false)
            .seed(99)
            .fit(&x, &y)
            .unwrap();
        let order: Vec<usize> = (0..3).flat_map(|_| 0..13).collect();
        let expected = by_hand(&x, &y, &order, |_| 0.03);
        assert_eq!(fitted.path().steps_taken(), 39);
        for k in 0..2 {
            assert_close(fitted.weights()[k], expected[k], 1e-14);
        }
        assert_close(fitted.bias(), expected[2], 1e-14);
        // The seed does not matter in order; it does when shuffling.
        let other = Lms::new(0.03).epochs(3).shuffle(false).seed(1).fit(&x, &y);
        assert_eq!(other.unwrap(), fitted);
        let shuffled = Lms::new(0.03).epochs(3).seed(99).fit(&x, &y).unwrap();
        assert_ne!(shuffled.weights(), fitted.weights());
    }

    #[test]
    fn decaying_steps_follow_one_over_t() {
        let (x, y) = linear_data(7, &[2.0], -1.0, 0.3, 12);
        let (eta, t0) = (0.05, 4.0);
        let fitted = Lms::new(eta)
            .epochs(5)
            .shuffle(false)
            .step_decay(t0)
            .fit(&x, &y)
            .unwrap();
        let order: Vec<usize> = (0..5).flat_map(|_| 0..7).collect();
        let expected = by_hand(&x, &y, &order, |t| eta / (1.0 + t as f64 / t0));
        assert_close(fitted.weights()[0], expected[0], 1e-14);
        assert_close(fitted.bias(), expected[1], 1e-14);
        for t0 in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = Lms::new(eta).step_decay(t0).fit(&x, &y).unwrap_err();
            assert!(e.to_string().starts_with("step_decay must be"), "{e}");
        }
    }

    #[test]
    fn shrinking_steps_get_below_the_noise_floor_of_a_constant_step() {
        // Robbins–Monro: the constant step stalls at a floor of about
        // η·(noise), the 1/t step keeps going down.
        let (x, y) = linear_data(50, &[1.0], 0.5, 0.5, 13);
        let (w, b) = least_squares(&x, &y).unwrap();
        let best = mse(&x, &y, &w, b).unwrap();
        let lms = Lms::new(0.05).epochs(40).seed(3);
        let excess = |fitted: FittedLinear| {
            let losses = fitted.path().losses();
            let last = &losses[losses.len() - 500..];
            last.iter().map(|l| l - best).sum::<f64>() / 500.0
        };
        let constant = excess(lms.fit(&x, &y).unwrap());
        let shrinking = excess(lms.step_decay(50.0).fit(&x, &y).unwrap());
        assert!(shrinking < constant / 10.0, "{shrinking} vs {constant}");
    }

    #[test]
    fn independent_draws_repeat_some_rows_and_miss_others() {
        // One feature that tags the row: x_i = e_i would need n columns, so
        // use y alone. With w fixed by x = 0, b follows the rows visited:
        // in order with η = 1/2, each step sets b = y_i exactly.
        let n = 40;
        let x = ndarray::Array2::<f64>::zeros((n, 1));
        let y = Array1::from_shape_fn(n, |i| i as f64);
        let drawn = Lms::new(0.5).epochs(1).with_replacement(true).seed(5);
        let biases: Vec<f64> = drawn.fit(&x, &y).unwrap().path().coordinate(1).unwrap();
        let mut visited: Vec<usize> = biases[1..].iter().map(|b| *b as usize).collect();
        assert!(biases[1..].iter().all(|b| b.fract() == 0.0));
        visited.sort_unstable();
        visited.dedup();
        // n draws of n rows leave about n/e ≈ 15 out; a permutation none.
        assert!(
            visited.len() < n - 5 && visited.len() > n / 2,
            "{}",
            visited.len()
        );
        let reshuffled = Lms::new(0.5).epochs(1).seed(5).fit(&x, &y).unwrap();
        let mut all: Vec<usize> = reshuffled.path().coordinate(1).unwrap()[1..]
            .iter()
            .map(|b| *b as usize)
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn features_too_large_to_square_are_an_error() {
        let (x, y) = (array![[1e300], [2e300]], array![1.0, 2.0]);
        let e = Lms::new(0.1).fit(&x, &y).unwrap_err();
        assert!(e.to_string().contains("rescale x"), "{e}");
        let e = GradientDescent::new(0.1).fit_linear(&x, &y).unwrap_err();
        assert!(e.to_string().contains("rescale x"), "{e}");
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
