//! Properties of the Widrow–Hoff rule's options (see main.rs): rows taken in
//! order, and steps that shrink like 1/t (Robbins–Monro), each compared
//! with the rule written out here as a plain loop.

use mlmath::descent::Lms;
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
