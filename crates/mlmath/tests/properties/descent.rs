//! Properties of the Widrow–Hoff rule's options (see main.rs): rows taken in
//! order, and steps that shrink like 1/t (Robbins–Monro), each compared
//! with the rule written out here as a plain loop; rows drawn with
//! replacement; and a loss that turns NaN mid-run.

use mlmath::descent::{GradientDescent, Lms};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

use crate::ensure;
use crate::harness::Suite;
use crate::inputs::{any_f64, matrix, vector};

pub fn all(suite: &mut Suite) {
    suite.check(
        "LMS in order, with constant or shrinking steps, is the loop written out",
        &["Lms::shuffle", "Lms::step_decay"],
        (1..8usize, 1..4usize, 1..4usize).prop_flat_map(|(n, d, epochs)| {
            (
                matrix(n..n + 1, d..d + 1, -2.0..2.0f64),
                vector(n..n + 1, -3.0..3.0f64),
                Just(epochs),
                proptest::option::of(0.5..50.0f64),
                any::<u64>(),
            )
        }),
        |(x, y, epochs, decay, seed)| {
            let (n, d) = x.dim();
            // A step small enough for every row: η ‖(x_i, 1)‖² ≤ 1/4.
            let widest = x
                .rows()
                .into_iter()
                .map(|r| r.dot(&r) + 1.0)
                .fold(0.0, f64::max);
            let eta = 0.25 / widest;
            let mut rule = Lms::new(eta).epochs(epochs).shuffle(false).seed(seed);
            if let Some(t0) = decay {
                rule = rule.step_decay(t0);
            }
            let fitted = rule
                .fit(&x, &y)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let expected = by_hand(&x, &y, epochs, |t| match decay {
                Some(t0) => eta / (1.0 + t as f64 / t0),
                None => eta,
            });
            ensure!(
                fitted.path().steps_taken() == n * epochs,
                "one step per row and epoch"
            );
            // θ = (w, b): the weights, then the bias.
            let got = fitted.weights().iter().copied().chain([fitted.bias()]);
            for (k, (g, want)) in got.zip(&expected).enumerate() {
                ensure!(
                    (g - want).abs() <= 1e-12 * (1.0 + want.abs()),
                    "θ{k} of {}: {g} vs {want}",
                    d + 1
                );
            }
            Ok(())
        },
    );

    suite.check(
        "step_decay takes only a finite t0 above 0",
        &["Lms::step_decay"],
        any_f64(),
        |t0| {
            let (x, y) = (
                Array2::from_elem((3, 1), 1.0),
                Array1::from(vec![1.0, 2.0, 3.0]),
            );
            let got = Lms::new(0.1).step_decay(t0).fit(&x, &y);
            ensure!(
                got.is_ok() == (t0 > 0.0 && t0.is_finite()),
                "t0 = {t0}: {got:?}"
            );
            Ok(())
        },
    );

    suite.check(
        "LMS with replacement takes n steps an epoch, each a row's own step",
        &["Lms::with_replacement"],
        (1..8usize, 1..4usize, any::<u64>()).prop_flat_map(|(n, epochs, seed)| {
            (vector(n..n + 1, -3.0..3.0f64), Just(epochs), Just(seed))
        }),
        |(y, epochs, seed)| {
            // x = 0 and η = 1/2: each step sets b to the target of the row drawn,
            // up to rounding, so every point of the path names a row of y.
            let n = y.len();
            let x = Array2::zeros((n, 1));
            let fitted = Lms::new(0.5)
                .epochs(epochs)
                .with_replacement(true)
                .seed(seed)
                .fit(&x, &y)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(
                fitted.path().steps_taken() == n * epochs,
                "n steps an epoch"
            );
            let biases = fitted.path().coordinate(1).unwrap();
            for b in &biases[1..] {
                ensure!(
                    y.iter().any(|t| (t - b).abs() <= 1e-12),
                    "b = {b} is no row's target"
                );
            }
            Ok(())
        },
    );

    suite.check(
        "a loss that turns NaN before it has grown is an error naming the loss",
        &["GradientDescent::run"],
        (0.05..0.9f64, 0.01..0.99f64),
        |(eta, cut)| {
            // L = θ² from θ = 1 shrinks by (1 − 2η)² a step; NaN once |θ| < cut.
            let loss = |t: ndarray::ArrayView1<f64>| {
                if t[0].abs() < cut {
                    f64::NAN
                } else {
                    t[0] * t[0]
                }
            };
            let got = GradientDescent::new(eta).steps(200).run(
                |t| t.mapv(|v| 2.0 * v),
                loss,
                &Array1::from(vec![1.0]),
            );
            match got {
                Err(e) => ensure!(e.to_string().contains("check the loss"), "{e}"),
                Ok(path) => ensure!(false, "Ok after {} steps", path.steps_taken()),
            }
            Ok(())
        },
    );
}

/// Widrow–Hoff from θ = 0, rows in order for `epochs` epochs, update t with step `eta(t)`.
fn by_hand(
    x: &Array2<f64>,
    y: &Array1<f64>,
    epochs: usize,
    eta: impl Fn(usize) -> f64,
) -> Vec<f64> {
    let (n, d) = x.dim();
    let mut theta = vec![0.0; d + 1];
    for t in 0..n * epochs {
        let i = t % n;
        let r = (0..d).map(|k| theta[k] * x[(i, k)]).sum::<f64>() + theta[d] - y[i];
        for k in 0..d {
            theta[k] -= 2.0 * eta(t) * r * x[(i, k)];
        }
        theta[d] -= 2.0 * eta(t) * r;
    }
    theta
}
