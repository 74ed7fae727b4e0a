//! Gradient checks: every backward rule of the engine against central
//! differences, in `f64`.
//!
//! For a function `L(x)` of one input entry `xᵢ`, the central difference
//!
//! ```text
//!   (L(x + h eᵢ) − L(x − h eᵢ)) / 2h  =  ∂L/∂xᵢ + O(h²)
//! ```
//!
//! has an error of order `h² L'''` from truncation and `ε |L| / h` from
//! rounding (`ε ≈ 1.1·10⁻¹⁶`): with `h = 10⁻⁵` both are near `10⁻¹⁰`, far
//! below the `10⁻⁶` a wrong rule would miss by. An op with a tensor output
//! is reduced to a scalar by `L = Σ y ⊙ r` with a fixed random `r`, so that
//! every output entry gets its own weight and no error can cancel.

use ndarray::ArrayD;

use super::Tensor;
use crate::error::{Error, Result};
use crate::random::{Distribution, StandardNormal, seeded};

/// The step of the central differences.
pub const STEP: f64 = 1e-5;

/// Gradients below this size are compared in absolute terms (relative to
/// it), so that an exact zero against a rounding-level `10⁻¹¹` is not a
/// "relative error of 1".
pub const FLOOR: f64 = 1e-3;

/// The outcome of a gradient check.
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheck {
    /// The largest `|analytic − numeric| / max(|analytic|, |numeric|, FLOOR)`
    /// over every entry of every input.
    pub max_relative_error: f64,
    /// How many partial derivatives were compared.
    pub entries: usize,
}

/// Compares the backward pass of `f` with central differences at `inputs`.
///
/// `f` maps the inputs (as parameters) to a tensor of any shape; it is
/// reduced to `L = Σ f(x) ⊙ r` with `r` drawn from `seed`. Returns the
/// largest relative error over all entries.
///
/// ```
/// use mlmath::autodiff::check::gradient_check;
/// use ndarray::array;
/// let x = array![[0.3, -1.2], [2.0, 0.5]].into_dyn();
/// let c = gradient_check(|t| Ok(t[0].tanh()), &[x], 1).unwrap();
/// assert!(c.max_relative_error < 1e-6);
/// ```
pub fn gradient_check(
    f: impl Fn(&[Tensor<f64>]) -> Result<Tensor<f64>>,
    inputs: &[ArrayD<f64>],
    seed: u64,
) -> Result<GradCheck> {
    let params: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::param(x.clone())).collect();
    let out_shape = f(&params)?.shape();
    let mut rng = seeded(seed);
    let r = ArrayD::from_shape_simple_fn(out_shape, || StandardNormal.sample(&mut rng));
    let r = Tensor::constant(r);
    let loss = |ps: &[Tensor<f64>]| -> Result<f64> { f(ps)?.mul(&r)?.sum().item() };

    let projected = f(&params)?.mul(&r)?.sum();
    projected.backward()?;
    let mut worst = 0.0f64;
    let mut entries = 0;
    for (i, p) in params.iter().enumerate() {
        let analytic = p
            .grad()
            .unwrap_or_else(|| ArrayD::zeros(p.value().raw_dim()));
        for (index, a) in analytic.indexed_iter() {
            let at = |delta: f64| -> Result<f64> {
                let shifted: Vec<Tensor<f64>> = inputs
                    .iter()
                    .enumerate()
                    .map(|(j, x)| {
                        let mut x = x.clone();
                        if j == i {
                            x[&index] += delta;
                        }
                        Tensor::param(x)
                    })
                    .collect();
                loss(&shifted)
            };
            let numeric = (at(STEP)? - at(-STEP)?) / (2.0 * STEP);
            if !numeric.is_finite() {
                return Err(Error::parameter(
                    "the function under check",
                    "finite near the inputs",
                    format!("a non-finite difference at input {i}, index {index:?}"),
                ));
            }
            let scale = a.abs().max(numeric.abs()).max(FLOOR);
            worst = worst.max((a - numeric).abs() / scale);
            entries += 1;
        }
    }
    Ok(GradCheck {
        max_relative_error: worst,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::normal_matrix;

    fn random(shape: &[usize], seed: u64) -> ArrayD<f64> {
        let n: usize = shape.iter().product();
        normal_matrix(1, n, &mut seeded(seed))
            .unwrap()
            .into_shape_with_order(shape.to_vec())
            .unwrap()
    }

    #[test]
    fn a_wrong_rule_is_caught() {
        // tanh with the rule of sin' = cos instead: the check must fail.
        let wrong = |t: &[Tensor<f64>]| {
            let x = &t[0];
            let y = x.value().mapv(f64::tanh);
            let xv = x.to_array();
            Ok(Tensor::from_op("wrong", y, [x], move |g, _| {
                vec![Some(g * &xv.mapv(f64::cos))]
            }))
        };
        let c = gradient_check(wrong, &[random(&[3, 4], 1)], 2).unwrap();
        assert!(c.max_relative_error > 1e-2, "{c:?}");
    }

    #[test]
    fn a_deep_graph_needs_no_recursion() {
        let x = Tensor::<f64>::param(ndarray::arr1(&[0.5]));
        let mut y = x.clone();
        for _ in 0..200_000 {
            y = y.mul(&Tensor::scalar(1.0)).unwrap();
        }
        y.sum().backward().unwrap();
        assert_eq!(x.grad().unwrap()[[0]], 1.0);
    }
}
