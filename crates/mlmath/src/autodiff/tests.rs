//! One gradient check per op (named after the op) against central
//! differences in f64, on random shapes; forward values of the ops that are
//! not obvious against hand-worked cases and direct formulas; and the error
//! messages of bad shapes and parameters.
//!
//! `cargo test -p mlmath --lib autodiff -- --nocapture` prints one line per
//! op: `op: max relative error X over N entries`.

use ndarray::{Array2, ArrayD, Axis, Ix2, IxDyn, ShapeBuilder, array};

use super::check::{GradCheck, gradient_check};
use super::{Tensor, no_grad};
use crate::error::Result;
use crate::random::{normal_matrix, permutation, seeded};

// ---------------------------------------------------------------- inputs

/// Standard normal entries in `shape`.
pub(crate) fn random(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    normal_matrix(1, n, &mut seeded(seed))
        .unwrap()
        .into_shape_with_order(IxDyn(shape))
        .unwrap()
}

/// Entries at least 0.5 (for `log`, real powers, divisors).
fn positive(shape: &[usize], seed: u64) -> ArrayD<f64> {
    random(shape, seed).mapv(|v| v.abs() + 0.5)
}

/// Entries at least 0.1 away from 0 (the kink of relu), either sign.
fn away_from_zero(shape: &[usize], seed: u64) -> ArrayD<f64> {
    random(shape, seed).mapv(|v| v.signum() * (v.abs() + 0.1))
}

/// Distinct entries 0.1 apart in a random order: no ties, so every maximum
/// is unique by far more than the step of the differences.
fn distinct(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let order = permutation(n, &mut seeded(seed));
    order
        .mapv(|i| 0.1 * i as f64 - 0.05 * n as f64)
        .into_shape_with_order(IxDyn(shape))
        .unwrap()
}

/// The gradient check of `f` at `inputs`.
fn check(f: impl Fn(&[Tensor<f64>]) -> Result<Tensor<f64>>, inputs: &[ArrayD<f64>]) -> GradCheck {
    gradient_check(f, inputs, 11).unwrap()
}

/// Prints one line for `op` (the worst error over its cases) and asserts
/// every case is below 10⁻⁶.
fn assert_op(op: &str, checks: &[GradCheck]) {
    let worst = checks
        .iter()
        .map(|c| c.max_relative_error)
        .fold(0.0, f64::max);
    let entries: usize = checks.iter().map(|c| c.entries).sum();
    println!("{op:>13}: max relative error {worst:.1e} over {entries:>4} entries");
    for c in checks {
        assert!(c.max_relative_error < 1e-6 && c.entries > 0, "{op}: {c:?}");
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

// ---------------------------------------------------------------- arithmetic

/// Pairs of shapes that broadcast: trailing vector, side of 1 against a new
/// axis, equal shapes, a scalar, sides of 1 on both sides.
fn broadcast_cases(seed: u64, right: fn(&[usize], u64) -> ArrayD<f64>) -> Vec<[ArrayD<f64>; 2]> {
    let shapes: [(&[usize], &[usize]); 5] = [
        (&[3, 4], &[4]),
        (&[3, 1], &[2, 1, 4]),
        (&[2, 3, 4], &[2, 3, 4]),
        (&[], &[2, 3]),
        (&[5, 1, 3], &[1, 4, 1]),
    ];
    shapes
        .iter()
        .enumerate()
        .map(|(i, (a, b))| [random(a, seed + i as u64), right(b, seed + 10 + i as u64)])
        .collect()
}

fn binary_op(op: &str, f: fn(&Tensor<f64>, &Tensor<f64>) -> Result<Tensor<f64>>) {
    let right = if op == "div" { positive } else { random };
    let mut checks: Vec<GradCheck> = broadcast_cases(1, right)
        .iter()
        .map(|inputs| check(|t| f(&t[0], &t[1]), inputs))
        .collect();
    // The same tensor on both sides: both gradients add up.
    checks.push(check(|t| f(&t[0], &t[0]), &[positive(&[2, 3], 9)]));
    assert_op(op, &checks);
}

#[test]
fn add() {
    binary_op("add", Tensor::add);
}

#[test]
fn sub() {
    binary_op("sub", Tensor::sub);
}

#[test]
fn mul() {
    binary_op("mul", Tensor::mul);
}

#[test]
fn div() {
    binary_op("div", Tensor::div);
}

// ---------------------------------------------------------------- scalars and functions

/// An elementwise op checked on a matrix, a 3-D array and a 0-D one.
fn unary_op(
    op: &str,
    inputs: fn(&[usize], u64) -> ArrayD<f64>,
    f: fn(&Tensor<f64>) -> Tensor<f64>,
) {
    let shapes: [&[usize]; 3] = [&[3, 4], &[2, 3, 5], &[]];
    let checks: Vec<GradCheck> = shapes
        .iter()
        .enumerate()
        .map(|(i, s)| check(|t| Ok(f(&t[0])), &[inputs(s, 20 + i as u64)]))
        .collect();
    assert_op(op, &checks);
}

#[test]
fn neg() {
    unary_op("neg", random, Tensor::neg);
}

#[test]
fn add_scalar() {
    unary_op("add_scalar", random, |x| x.add_scalar(2.5));
}

#[test]
fn mul_scalar() {
    unary_op("mul_scalar", random, |x| x.mul_scalar(-1.5));
}

#[test]
fn powf() {
    let mut checks = Vec::new();
    for (i, p) in [2.0, 0.5, -1.5, 3.7].into_iter().enumerate() {
        checks.push(check(|t| Ok(t[0].powf(p)), &[positive(&[3, 4], i as u64)]));
    }
    // An integer power of negative numbers is real.
    checks.push(check(|t| Ok(t[0].powf(3.0)), &[random(&[2, 5], 5)]));
    assert_op("powf", &checks);
}

#[test]
fn exp() {
    unary_op("exp", random, Tensor::exp);
}

#[test]
fn log() {
    unary_op("log", positive, Tensor::log);
}

#[test]
fn square() {
    unary_op("square", random, Tensor::square);
}

#[test]
fn tanh() {
    unary_op("tanh", random, Tensor::tanh);
}

#[test]
fn sigmoid() {
    unary_op(
        "sigmoid",
        |s, seed| random(s, seed).mapv(|v| 4.0 * v),
        Tensor::sigmoid,
    );
}

#[test]
fn relu() {
    unary_op("relu", away_from_zero, Tensor::relu);
}

#[test]
fn gelu() {
    unary_op(
        "gelu",
        |s, seed| random(s, seed).mapv(|v| 2.0 * v),
        Tensor::gelu,
    );
}

// ---------------------------------------------------------------- reductions

#[test]
fn sum() {
    unary_op("sum", random, Tensor::sum);
}

#[test]
fn mean() {
    unary_op("mean", random, Tensor::mean);
}

/// A reduction along each axis of a 3-D array (and of a vector), with and
/// without `keep_dim`.
fn axis_op(
    op: &str,
    inputs: fn(&[usize], u64) -> ArrayD<f64>,
    f: fn(&Tensor<f64>, usize, bool) -> Result<Tensor<f64>>,
) {
    let mut checks = Vec::new();
    for axis in 0..3 {
        for keep in [false, true] {
            let x = inputs(&[3, 4, 2], axis as u64);
            checks.push(check(|t| f(&t[0], axis, keep), &[x]));
        }
    }
    checks.push(check(|t| f(&t[0], 0, false), &[inputs(&[5], 9)]));
    assert_op(op, &checks);
}

#[test]
fn sum_axis() {
    axis_op("sum_axis", random, Tensor::sum_axis);
}

#[test]
fn mean_axis() {
    axis_op("mean_axis", random, Tensor::mean_axis);
}

#[test]
fn max_axis() {
    axis_op("max_axis", distinct, Tensor::max_axis);
}

// ---------------------------------------------------------------- shapes

#[test]
fn reshape() {
    let cases: [(&[usize], &[usize]); 4] = [
        (&[3, 4], &[2, 6]),
        (&[3, 4], &[4, 3, 1]),
        (&[2, 3, 4], &[24]),
        (&[2, 3, 4], &[6, 4]),
    ];
    let checks: Vec<GradCheck> = cases
        .iter()
        .map(|(from, to)| check(|t| t[0].reshape(to), &[random(from, 1)]))
        .collect();
    assert_op("reshape", &checks);
}

#[test]
fn transpose() {
    let cases: [(&[usize], usize, usize); 4] = [
        (&[3, 4], 0, 1),
        (&[2, 3, 4], 0, 2),
        (&[2, 3, 4], 2, 1),
        (&[2, 3, 4, 5], 1, 2),
    ];
    let checks: Vec<GradCheck> = cases
        .iter()
        .map(|&(s, a, b)| check(|t| t[0].transpose(a, b), &[random(s, 2)]))
        .collect();
    assert_op("transpose", &checks);
}

#[test]
fn slice_axis() {
    let cases: [(&[usize], usize, usize, usize); 4] = [
        (&[5, 4], 0, 1, 4),
        (&[5, 4], 1, 0, 2),
        (&[2, 6, 3], 1, 2, 6),
        (&[2, 6, 3], 2, 1, 2),
    ];
    let checks: Vec<GradCheck> = cases
        .iter()
        .map(|&(s, axis, a, b)| check(|t| t[0].slice_axis(axis, a, b), &[random(s, 3)]))
        .collect();
    assert_op("slice_axis", &checks);
}

#[test]
fn concat() {
    let cases: [(&[&[usize]], usize); 3] = [
        (&[&[2, 3], &[4, 3]], 0),
        (&[&[2, 3], &[2, 1], &[2, 5]], 1),
        (&[&[2, 3, 4], &[2, 2, 4]], 1),
    ];
    let mut checks: Vec<GradCheck> = cases
        .iter()
        .map(|&(shapes, axis)| {
            let parts: Vec<ArrayD<f64>> = shapes
                .iter()
                .enumerate()
                .map(|(i, s)| random(s, i as u64))
                .collect();
            check(|t| Tensor::concat(t, axis), &parts)
        })
        .collect();
    // The same tensor twice.
    checks.push(check(
        |t| Tensor::concat(&[t[0].clone(), t[0].clone()], 0),
        &[random(&[2, 3], 7)],
    ));
    assert_op("concat", &checks);
}

#[test]
fn select_rows() {
    let ids = [0, 3, 3, 5, 1, 3];
    let checks = [
        check(|t| t[0].select_rows(&ids), &[random(&[6, 4], 1)]),
        check(|t| t[0].select_rows(&[2, 2, 0]), &[random(&[4, 2, 3], 2)]),
        check(|t| t[0].select_rows(&[1, 1]), &[random(&[3], 3)]),
    ];
    assert_op("select_rows", &checks);
}

// ---------------------------------------------------------------- regularisation

#[test]
fn dropout() {
    // A fresh generator with the same seed at every call: the same mask
    // for every evaluation of the differences.
    let checks = [
        check(|t| t[0].dropout(0.3, &mut seeded(7)), &[random(&[4, 5], 1)]),
        check(
            |t| t[0].dropout(0.5, &mut seeded(8)),
            &[random(&[2, 3, 4], 2)],
        ),
    ];
    assert_op("dropout", &checks);
}

// ---------------------------------------------------------------- probabilities

fn softmax_like(op: &str, f: fn(&Tensor<f64>, usize) -> Result<Tensor<f64>>) {
    let checks = [
        check(|t| f(&t[0], 1), &[random(&[3, 5], 1)]),
        check(|t| f(&t[0], 0), &[random(&[3, 5], 2)]),
        check(|t| f(&t[0], 1), &[random(&[2, 3, 4], 3)]),
        check(|t| f(&t[0], 2), &[random(&[2, 3, 4], 4)]),
    ];
    assert_op(op, &checks);
}

#[test]
fn softmax() {
    softmax_like("softmax", Tensor::softmax);
}

#[test]
fn log_softmax() {
    softmax_like("log_softmax", Tensor::log_softmax);
}

#[test]
fn cross_entropy() {
    let checks = [
        check(
            |t| t[0].cross_entropy(&[0, 3, 1, 1, 2]),
            &[random(&[5, 4], 1)],
        ),
        check(|t| t[0].cross_entropy(&[2]), &[random(&[1, 3], 2)]),
        check(
            |t| t[0].cross_entropy(&[1, 0, 0, 1, 1, 0, 1]),
            &[random(&[7, 2], 3).mapv(|v| 3.0 * v)],
        ),
    ];
    assert_op("cross_entropy", &checks);
}

/// The causal mask of `t` positions: `mask[i, j]` when `j > i` (the future).
fn causal(t: usize) -> ArrayD<bool> {
    Array2::from_shape_fn((t, t), |(i, j)| j > i).into_dyn()
}

#[test]
fn masked_fill() {
    let row = Array2::from_shape_fn((1, 4), |(_, j)| j % 2 == 0).into_dyn();
    let checks = [
        check(
            |t| t[0].masked_fill(&causal(4), -3.0),
            &[random(&[4, 4], 1)],
        ),
        check(|t| t[0].masked_fill(&row, 0.0), &[random(&[3, 4], 2)]),
        check(
            |t| t[0].masked_fill(&causal(3), 1.0),
            &[random(&[2, 3, 3], 3)],
        ),
        // Causal attention weights: −∞ then softmax along the rows.
        check(
            |t| t[0].masked_fill(&causal(4), f64::NEG_INFINITY)?.softmax(1),
            &[random(&[4, 4], 4)],
        ),
    ];
    assert_op("masked_fill", &checks);
}

// ---------------------------------------------------------------- normalisation

#[test]
fn layer_norm() {
    let cases: [&[usize]; 3] = [&[4, 6], &[2, 3, 5], &[3]];
    let checks: Vec<GradCheck> = cases
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let d = *s.last().unwrap();
            let inputs = [random(s, i as u64), random(&[d], 10), random(&[d], 20)];
            check(|t| t[0].layer_norm(&t[1], &t[2], 1e-5), &inputs)
        })
        .collect();
    assert_op("layer_norm", &checks);
}

// ---------------------------------------------------------------- matrices

#[test]
fn matmul() {
    let cases: [(&[usize], &[usize]); 6] = [
        (&[5, 3], &[3, 4]),
        (&[1, 7], &[7, 1]),
        (&[2, 4, 3], &[3, 5]),
        (&[2, 3, 4], &[2, 4, 5]),
        (&[2, 2, 3, 4], &[2, 2, 4, 3]),
        (&[2, 3, 2, 4], &[4, 2]),
    ];
    let checks: Vec<GradCheck> = cases
        .iter()
        .enumerate()
        .map(|(i, (a, b))| check(|t| t[0].matmul(&t[1]), &[random(a, i as u64), random(b, 9)]))
        .collect();
    assert_op("matmul", &checks);
}

// ---------------------------------------------------------------- images

/// `(x, weight, bias, stride, padding)` cases: padding 1, stride 2 without
/// padding and a non-square kernel, stride 2 with padding 2, a kernel as
/// large as the image.
type ConvCase = (&'static [usize], &'static [usize], bool, usize, usize);
const CONV_CASES: [ConvCase; 4] = [
    (&[2, 3, 6, 5], &[4, 3, 3, 3], true, 1, 1),
    (&[1, 2, 7, 6], &[3, 2, 2, 3], false, 2, 0),
    (&[2, 1, 5, 5], &[2, 1, 3, 3], true, 2, 2),
    (&[3, 2, 4, 4], &[1, 2, 4, 4], true, 1, 0),
];

#[test]
fn conv2d() {
    let checks: Vec<GradCheck> = CONV_CASES
        .iter()
        .enumerate()
        .map(|(i, &(xs, ws, bias, s, p))| {
            let mut inputs = vec![random(xs, i as u64), random(ws, 10 + i as u64)];
            if bias {
                inputs.push(random(&[ws[0]], 20));
            }
            check(|t| t[0].conv2d(&t[1], t.get(2), s, p), &inputs)
        })
        .collect();
    assert_op("conv2d", &checks);
}

#[test]
fn max_pool2d() {
    let checks = [
        check(|t| t[0].max_pool2d(2), &[distinct(&[2, 3, 4, 6], 1)]),
        check(|t| t[0].max_pool2d(3), &[distinct(&[1, 2, 5, 7], 2)]),
        check(|t| t[0].max_pool2d(1), &[distinct(&[1, 1, 2, 3], 3)]),
    ];
    assert_op("max_pool2d", &checks);
}

// ---------------------------------------------------------------- forward values

#[test]
fn softmax_values() {
    let x = Tensor::<f64>::constant(array![
        [1.0, 2.0, 3.0],
        [0.0, 0.0, 0.0],
        [1000.0, 1001.0, 0.0]
    ]);
    let y = x.softmax(1).unwrap().to_array();
    let e = std::f64::consts::E;
    let z = e + e * e + e * e * e;
    let expected = [
        [e / z, e * e / z, e * e * e / z],
        [1.0 / 3.0; 3],
        // e^1000 overflows; shifted by 1000 the row is [1, e, e^-1000 ≈ 0].
        [1.0 / (1.0 + e), e / (1.0 + e), 0.0],
    ];
    for (i, row) in expected.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            assert!(close(y[[i, j]], v, 1e-14), "{i},{j}: {} vs {v}", y[[i, j]]);
        }
    }
    // Along either axis every line sums to 1.
    let r = Tensor::<f64>::constant(random(&[3, 7], 4).mapv(|v| 10.0 * v));
    for axis in 0..2 {
        for s in r.softmax(axis).unwrap().to_array().sum_axis(Axis(axis)) {
            assert!(close(s, 1.0, 1e-14), "{s}");
        }
    }
    let logs = x.log_softmax(1).unwrap().to_array();
    for (i, row) in expected.iter().enumerate().take(2) {
        for (j, &v) in row.iter().enumerate() {
            assert!(close(logs[[i, j]], v.ln(), 1e-14));
        }
    }
    assert!(close(logs[[2, 2]], -1001.0 - (1.0 + e.recip()).ln(), 1e-14));
}

#[test]
fn cross_entropy_values() {
    // Row 1: −ln(e³/(e + e² + e³)) = ln(1 + e⁻¹ + e⁻²) = 0.407605964…;
    // row 2: three equal scores, −ln(1/3) = ln 3 = 1.098612288….
    let x = Tensor::<f64>::constant(array![[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]);
    let loss = x.cross_entropy(&[2, 0]).unwrap().item().unwrap();
    assert!(
        close(
            loss,
            (0.407_605_964_444_380_4 + 1.098_612_288_668_11) / 2.0,
            1e-14
        ),
        "{loss}"
    );
    // Logits of 10⁴: exp would overflow, the log-sum-exp does not.
    // Row 1 is certain of its target (loss e^-10⁴ ≈ 0), row 2 misses it by 10⁴.
    let big = array![[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]];
    let l64 = Tensor::<f64>::constant(big.clone())
        .cross_entropy(&[0, 0])
        .unwrap();
    assert!(close(l64.item().unwrap(), 5000.0, 1e-14), "{l64:?}");
    let l32 = Tensor::<f32>::constant(big.mapv(|v| v as f32))
        .cross_entropy(&[0, 0])
        .unwrap();
    assert!((l32.item().unwrap() - 5000.0).abs() < 1e-3, "{l32:?}");
    // Its gradient is (softmax − onehot)/n, finite.
    let w = Tensor::<f32>::param(big.mapv(|v| v as f32));
    w.cross_entropy(&[0, 0]).unwrap().backward().unwrap();
    let g = w.grad().unwrap();
    let expected = [[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]];
    for (i, row) in expected.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            assert!((g[[i, j]] - v).abs() < 1e-6, "{g}");
        }
    }
}

#[test]
fn layer_norm_values() {
    let x = Tensor::<f64>::constant(random(&[5, 8], 1).mapv(|v| 10.0 * v + 3.0));
    let (gamma, beta) = (
        Tensor::constant(ArrayD::ones(IxDyn(&[8]))),
        Tensor::constant(ArrayD::zeros(IxDyn(&[8]))),
    );
    let y = x.layer_norm(&gamma, &beta, 0.0).unwrap().to_array();
    for row in y.outer_iter() {
        let mean = row.sum() / 8.0;
        let variance = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 8.0;
        assert!(
            mean.abs() < 1e-14 && (variance - 1.0).abs() < 1e-13,
            "{mean} {variance}"
        );
    }
    // γ and β scale and shift each column.
    let (gamma, beta) = (
        Tensor::constant(ArrayD::from_elem(IxDyn(&[8]), 2.0)),
        Tensor::constant(ArrayD::from_elem(IxDyn(&[8]), -1.0)),
    );
    let z = x.layer_norm(&gamma, &beta, 0.0).unwrap().to_array();
    assert!(
        z.iter()
            .zip(&y)
            .all(|(z, y)| close(*z, 2.0 * y - 1.0, 1e-14))
    );
}

/// The convolution written out: seven nested loops over image, output
/// channel, output row and column, input channel, kernel row and column.
fn direct_convolution(
    x: &ArrayD<f64>,
    w: &ArrayD<f64>,
    b: &[f64],
    s: usize,
    p: usize,
) -> ArrayD<f64> {
    let (n, c, h, wd) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (o, kh, kw) = (w.shape()[0], w.shape()[2], w.shape()[3]);
    let (oh, ow) = ((h + 2 * p - kh) / s + 1, (wd + 2 * p - kw) / s + 1);
    let mut y = ArrayD::zeros(IxDyn(&[n, o, oh, ow]));
    for i in 0..n {
        for f in 0..o {
            for r in 0..oh {
                for q in 0..ow {
                    let mut acc = b[f];
                    for ch in 0..c {
                        for u in 0..kh {
                            for v in 0..kw {
                                let (row, col) = (
                                    (r * s + u) as isize - p as isize,
                                    (q * s + v) as isize - p as isize,
                                );
                                if row >= 0 && col >= 0 && (row as usize) < h && (col as usize) < wd
                                {
                                    acc +=
                                        w[[f, ch, u, v]] * x[[i, ch, row as usize, col as usize]];
                                }
                            }
                        }
                    }
                    y[[i, f, r, q]] = acc;
                }
            }
        }
    }
    y
}

#[test]
fn conv2d_values() {
    for (k, &(xs, ws, bias, s, p)) in CONV_CASES.iter().enumerate() {
        let (x, w) = (random(xs, k as u64), random(ws, 5));
        let b: Vec<f64> = if bias {
            (0..ws[0]).map(|f| f as f64 - 0.5).collect()
        } else {
            vec![0.0; ws[0]]
        };
        let bt = Tensor::constant(ndarray::Array1::from(b.clone()));
        let y = Tensor::constant(x.clone())
            .conv2d(&Tensor::constant(w.clone()), bias.then_some(&bt), s, p)
            .unwrap()
            .to_array();
        let expected = direct_convolution(&x, &w, &b, s, p);
        assert_eq!(y.shape(), expected.shape());
        assert!(
            y.iter().zip(&expected).all(|(a, b)| close(*a, *b, 1e-13)),
            "case {k}"
        );
    }
}

#[test]
fn max_pool2d_values() {
    let x = array![
        [1.0, 3.0, 2.0, 0.0, 9.0],
        [4.0, 2.0, 1.0, 5.0, 9.0],
        [0.0, 1.0, 7.0, 6.0, 9.0],
        [2.0, 8.0, 3.0, 3.0, 9.0]
    ];
    let x = Tensor::<f64>::param(x.into_shape_with_order((1, 1, 4, 5)).unwrap());
    let y = x.max_pool2d(2).unwrap();
    // The fifth column fills no window and is dropped.
    assert_eq!(
        y.to_array(),
        array![[4.0, 5.0], [8.0, 7.0]]
            .into_shape_with_order((1, 1, 2, 2))
            .unwrap()
            .into_dyn()
    );
    y.sum().backward().unwrap();
    let g = x
        .grad()
        .unwrap()
        .into_shape_with_order(IxDyn(&[4, 5]))
        .unwrap();
    let expected = array![
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0]
    ];
    assert_eq!(g, expected.into_dyn());
    // A tie: the gradient goes to the first maximum (row-major) only.
    let tie = Tensor::<f64>::param(array![[[[2.0, 2.0], [2.0, 1.0]]]]);
    tie.max_pool2d(2).unwrap().sum().backward().unwrap();
    assert_eq!(
        tie.grad().unwrap(),
        array![[[[1.0, 0.0], [0.0, 0.0]]]].into_dyn()
    );
}

#[test]
fn max_axis_values() {
    let x = Tensor::<f64>::param(array![[1.0, 5.0, 5.0], [7.0, -2.0, 0.0]]);
    let y = x.max_axis(1, false).unwrap();
    assert_eq!(y.to_array(), array![5.0, 7.0].into_dyn());
    y.sum().backward().unwrap();
    assert_eq!(
        x.grad().unwrap(),
        array![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]].into_dyn()
    );
    assert_eq!(
        x.max_axis(0, true).unwrap().to_array(),
        array![[7.0, 5.0, 5.0]].into_dyn()
    );
}

#[test]
fn gelu_values() {
    // PyTorch's gelu(x, approximate="tanh") at 1, −1, 2 (to 7 digits), and
    // the formula written out at other points.
    let x = Tensor::<f64>::constant(array![1.0, -1.0, 2.0, 0.0, 0.5, -3.0, 3.0]);
    let y = x.gelu().to_array();
    for (i, v) in [0.841_192_0, -0.158_808_0, 1.954_597_7, 0.0]
        .into_iter()
        .enumerate()
    {
        assert!((y[i] - v).abs() < 1e-7, "{i}: {}", y[i]);
    }
    let k = (2.0 / std::f64::consts::PI).sqrt();
    for (i, &x) in [0.5, -3.0, 3.0].iter().enumerate() {
        let formula = 0.5 * x * (1.0 + (k * (x + 0.044715 * x * x * x)).tanh());
        assert!(close(y[i + 4], formula, 1e-15));
    }
}

#[test]
fn sigmoid_values() {
    // Far in either tail: no overflow, the exact limits.
    let x = Tensor::<f64>::constant(array![-800.0, 0.0, 800.0, 2.0]);
    let y = x.sigmoid().to_array();
    assert_eq!(&y.as_slice().unwrap()[..3], &[0.0, 0.5, 1.0]);
    assert!(close(y[3], 1.0 / (1.0 + (-2.0f64).exp()), 1e-15));
}

/// The matrix `x[idx…, :, :]` of a stack.
fn matrix_at(x: &ArrayD<f64>, idx: &[usize]) -> Array2<f64> {
    let mut v = x.view();
    for &i in idx {
        v = v.index_axis_move(Axis(0), i);
    }
    v.into_dimensionality::<Ix2>().unwrap().to_owned()
}

#[test]
fn matmul_values() {
    let (a, b) = (random(&[2, 3, 4, 5], 1), random(&[2, 3, 5, 2], 2));
    let y = Tensor::<f64>::constant(a.clone())
        .matmul(&Tensor::constant(b.clone()))
        .unwrap()
        .to_array();
    assert_eq!(y.shape(), &[2, 3, 4, 2]);
    for i in 0..2 {
        for j in 0..3 {
            let expected = matrix_at(&a, &[i, j]).dot(&matrix_at(&b, &[i, j]));
            let got = matrix_at(&y, &[i, j]);
            assert!(got.iter().zip(&expected).all(|(g, e)| close(*g, *e, 1e-14)));
        }
    }
    // (b, t, d)·(d, e): each matrix of the stack times the same matrix.
    let (x, w) = (random(&[2, 3, 4], 3), random(&[4, 5], 4));
    let y = Tensor::<f64>::constant(x.clone())
        .matmul(&Tensor::constant(w.clone()))
        .unwrap()
        .to_array();
    assert_eq!(y.shape(), &[2, 3, 5]);
    for i in 0..2 {
        let expected = matrix_at(&x, &[i]).dot(&matrix_at(&w, &[]));
        let got = matrix_at(&y, &[i]);
        assert!(got.iter().zip(&expected).all(|(g, e)| close(*g, *e, 1e-14)));
    }
}

#[test]
fn masked_fill_values() {
    // Causal attention: position i attends to j ≤ i only.
    let x = Tensor::<f64>::param(random(&[4, 4], 1));
    let weights = x
        .masked_fill(&causal(4), f64::NEG_INFINITY)
        .unwrap()
        .softmax(1)
        .unwrap();
    let w = weights.to_array();
    for i in 0..4 {
        assert!(close(w.index_axis(Axis(0), i).sum(), 1.0, 1e-15));
        for j in 0..4 {
            assert!(
                if j > i {
                    w[[i, j]] == 0.0
                } else {
                    w[[i, j]] > 0.0
                },
                "{w}"
            );
        }
    }
    assert_eq!(w[[0, 0]], 1.0);
    // No gradient reaches a masked entry.
    weights
        .mul(&Tensor::constant(random(&[4, 4], 2)))
        .unwrap()
        .sum()
        .backward()
        .unwrap();
    let g = x.grad().unwrap();
    for i in 0..4 {
        for j in 0..4 {
            assert!(if j > i {
                g[[i, j]] == 0.0
            } else {
                g[[i, j]].is_finite()
            });
        }
    }
}

#[test]
fn dropout_values() {
    let ones = Tensor::<f64>::param(ArrayD::ones(IxDyn(&[200, 100])));
    let y = ones.dropout(0.25, &mut seeded(1)).unwrap().to_array();
    let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / y.len() as f64;
    // 20 000 draws: the kept fraction has standard error 0.003.
    assert!((kept - 0.75).abs() < 0.015, "{kept}");
    assert!(y.iter().all(|&v| v == 0.0 || close(v, 4.0 / 3.0, 1e-15)));
    // Evaluation: the identity.
    let same = no_grad(|| ones.dropout(0.25, &mut seeded(1))).unwrap();
    assert_eq!(same.to_array(), ones.to_array());
    for p in [1.0, -0.1, f64::NAN, 2.0] {
        let e = ones.dropout(p, &mut seeded(1)).unwrap_err().to_string();
        assert!(e.contains("dropout") && e.contains("[0, 1)"), "{e}");
    }
}

#[test]
fn select_rows_values() {
    let table = Tensor::<f64>::param(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let y = table.select_rows(&[2, 0, 2]).unwrap();
    assert_eq!(
        y.to_array(),
        array![[5.0, 6.0], [1.0, 2.0], [5.0, 6.0]].into_dyn()
    );
    y.sum().backward().unwrap();
    assert_eq!(
        table.grad().unwrap(),
        array![[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]].into_dyn()
    );
    assert_eq!(table.select_rows(&[]).unwrap().shape(), vec![0, 2]);
}

#[test]
fn a_parameter_changed_after_the_forward_pass_is_an_error() {
    // y = x·w; w changed between forward and backward: the rule would read
    // the new w, so backward refuses, names w and moves no gradient.
    let (x, w) = (
        Tensor::<f64>::param(array![2.0]),
        Tensor::<f64>::param(array![3.0]).named("w"),
    );
    let y = x.mul(&w).unwrap().sum();
    w.set_value(array![5.0].into_dyn()).unwrap();
    let e = y.backward().unwrap_err().to_string();
    for part in ["w was changed", "mul", "compute the loss again"] {
        assert!(e.contains(part), "{part:?} missing in: {e}");
    }
    assert!(x.grad().is_none() && w.grad().is_none());
    // An optimiser's step counts as a change too (matmul, layer_norm).
    let a = Tensor::<f64>::param(array![[1.0, 2.0]]);
    let b = Tensor::<f64>::param(array![[1.0], [2.0]]);
    let l = a.matmul(&b).unwrap().sum();
    b.update("test", |v| v[0] = 4.0).unwrap();
    assert!(l.backward().unwrap_err().to_string().contains("matmul"));
    let g = Tensor::<f64>::param(array![1.0, 1.0]);
    let beta = Tensor::<f64>::param(array![0.0, 0.0]);
    let l = a.layer_norm(&g, &beta, 1e-5).unwrap().sum();
    let mut sgd = crate::optim::Sgd::new(0.1);
    a.sum().backward().unwrap();
    sgd.step(std::slice::from_ref(&a)).unwrap();
    assert!(l.backward().unwrap_err().to_string().contains("layer_norm"));
    // Computed again, the loss differentiates with the new value: ∂(x·w)/∂x = 5.
    let y = x.mul(&w).unwrap().sum();
    y.backward().unwrap();
    assert_eq!(x.grad().unwrap()[[0]], 5.0);
}

#[test]
fn set_value_while_the_value_is_borrowed_is_an_error() {
    // The Ref of value() lives to the end of the statement: the idiom
    // w.set_value(w.value().mapv(..)) would otherwise panic.
    let w = Tensor::<f64>::param(array![1.0, 2.0]);
    let e = w.set_value(w.value().mapv(|v| v * 2.0)).unwrap_err();
    assert!(e.to_string().contains("to_array()"), "{e}");
    assert_eq!(w.to_array(), array![1.0, 2.0].into_dyn());
    w.set_value(w.to_array().mapv(|v| v * 2.0)).unwrap();
    assert_eq!(w.to_array(), array![2.0, 4.0].into_dyn());
    // update hands out a slice: the shape cannot change.
    w.update("test", |v| v.fill(7.0)).unwrap();
    assert_eq!(w.shape(), vec![2]);
    let r = w.value();
    assert!(w.update("test", |v| v.fill(0.0)).is_err());
    drop(r);
    assert_eq!(w.to_array(), array![7.0, 7.0].into_dyn());
}

#[test]
fn a_second_backward_on_the_same_loss_is_an_error() {
    // L = w²: one backward gives 2w = 6; a second would double it to 12.
    let w = Tensor::<f64>::param(array![3.0]);
    let l = w.square().sum();
    l.backward().unwrap();
    let e = l.backward().unwrap_err().to_string();
    assert!(e.contains("already differentiated"), "{e}");
    assert_eq!(w.grad().unwrap()[[0]], 6.0);
    // A new loss accumulates, as documented: 6 + 6.
    w.square().sum().backward().unwrap();
    assert_eq!(w.grad().unwrap()[[0]], 12.0);
}

#[test]
fn a_custom_rule_is_checked() {
    use ndarray::{ArrayD, IxDyn};
    let w = Tensor::<f64>::param(array![1.0, 2.0]);
    // A gradient of shape (5,) for an input of shape (2,).
    let y = Tensor::from_op("bad", w.to_array(), [&w], |_, _| {
        vec![Some(ArrayD::zeros(IxDyn(&[5])))]
    });
    let e = y
        .sum()
        .add(&w.sum())
        .unwrap()
        .backward()
        .unwrap_err()
        .to_string();
    for part in ["bad", "(5,)", "(2,)"] {
        assert!(e.contains(part), "{part:?} missing in: {e}");
    }
    assert!(w.grad().is_none(), "a failed pass moves no gradient");
    // No gradient at all for its one input.
    let y = Tensor::from_op("empty", w.to_array(), [&w], |_, _| vec![]);
    let e = y.sum().backward().unwrap_err().to_string();
    assert!(e.contains("empty") && e.contains("1 gradients"), "{e}");
    // Through an intermediate (tanh) too.
    let t = w.tanh();
    let y = Tensor::from_op("bad", t.to_array(), [&t], |_, _| {
        vec![Some(ArrayD::zeros(IxDyn(&[5])))]
    });
    assert!(y.sum().backward().is_err());
    assert!(w.grad().is_none());
}

// ---------------------------------------------------------------- errors

/// The message of `r`'s error, which must contain every one of `parts`.
fn assert_error(r: Result<Tensor<f32>>, parts: &[&str]) {
    let e = r.unwrap_err().to_string();
    for part in parts {
        assert!(e.contains(part), "{part:?} missing in: {e}");
    }
}

#[test]
fn errors_name_the_op_and_the_shapes() {
    let t = |s: &[usize]| Tensor::<f32>::constant(ArrayD::zeros(IxDyn(s)));
    let (a, b) = (t(&[2, 3]), t(&[4, 5]));
    assert_error(a.matmul(&b), &["matmul", "(2, 3)", "(4, 5)"]);
    assert_error(
        t(&[2, 3, 4]).matmul(&t(&[3, 4, 5])),
        &["matmul", "(2, 3, 4)", "(3, 4, 5)"],
    );
    assert_error(t(&[3]).matmul(&b), &["matmul", "(3,)", "(4, 5)"]);
    for r in [a.add(&b), a.sub(&b), a.mul(&b), a.div(&b)] {
        assert_error(r, &["the right operand", "(2, 3)", "(4, 5)"]);
    }
    assert_error(a.add(&b), &["add"]);
    assert_error(a.div(&b), &["div"]);
    assert_error(
        a.reshape(&[4, 2]),
        &["reshape", "(2, 3)", "(4, 2)", "6", "8"],
    );
    assert_error(a.reshape(&[usize::MAX, 2]), &["reshape", "too many"]);
    assert_error(
        a.transpose(0, 2),
        &["transpose", "(2, 3)", "below 2", "got 2"],
    );
    assert_error(a.sum_axis(5, false), &["sum_axis", "(2, 3)", "got 5"]);
    assert_error(t(&[]).softmax(0), &["softmax", "()", "none"]);
    assert_error(
        t(&[3, 0]).mean_axis(1, true),
        &["mean_axis", "(3, 0)", "length 0"],
    );
    assert_error(t(&[0, 4]).max_axis(0, false), &["max_axis", "(0, 4)"]);
    assert_error(
        a.slice_axis(1, 2, 5),
        &["slice_axis", "(2, 3)", "2..5", "≤ 3"],
    );
    assert_error(
        t(&[5, 2]).select_rows(&[0, 7]),
        &["select_rows", "ids[1]", "(5, 2)", "7"],
    );
    assert_error(
        a.cross_entropy(&[0, 3]),
        &["cross_entropy", "targets[1]", "(2, 3)", "3"],
    );
    assert_error(
        a.cross_entropy(&[0]),
        &["cross_entropy", "(2, 3)", "2 targets", "1 targets"],
    );
    assert_error(
        t(&[0, 3]).cross_entropy(&[]),
        &["cross_entropy", "(0, 3)", "empty"],
    );
    assert_error(
        t(&[2, 3, 4]).cross_entropy(&[0, 0]),
        &["cross_entropy", "(2, 3, 4)"],
    );
    assert_error(
        a.layer_norm(&t(&[2]), &t(&[3]), 1e-5),
        &["layer_norm", "gamma", "(3,)", "(2,)"],
    );
    assert_error(
        a.layer_norm(&t(&[3]), &t(&[3]), -1.0),
        &["layer_norm", "eps", "-1"],
    );
    assert_error(
        a.masked_fill(&causal(3), 0.0),
        &["masked_fill", "(2, 3)", "(3, 3)"],
    );
    assert_error(
        Tensor::concat(&[a.clone(), b.clone()], 0),
        &["concat", "(2, 3)", "(4, 5)"],
    );
    assert_error(Tensor::<f32>::concat(&[], 0), &["concat", "empty"]);
    let (x, w) = (t(&[1, 3, 5, 5]), t(&[2, 2, 3, 3]));
    assert_error(
        x.conv2d(&w, None, 1, 0),
        &["conv2d", "(1, 3, 5, 5)", "(2, 2, 3, 3)"],
    );
    assert_error(
        x.conv2d(&t(&[2, 3, 3, 3]), Some(&t(&[3])), 1, 0),
        &["conv2d", "bias", "(2,)", "(3,)"],
    );
    assert_error(
        x.conv2d(&t(&[2, 3, 3, 3]), None, 0, 0),
        &["conv2d", "stride", "0"],
    );
    assert_error(
        x.conv2d(&t(&[2, 3, 8, 3]), None, 1, 1),
        &["conv2d", "7 × 7", "(2, 3, 8, 3)"],
    );
    assert_error(
        x.conv2d(&t(&[2, 3, 3, 3]), None, 1, usize::MAX),
        &["conv2d", "padding"],
    );
    assert_error(
        a.conv2d(&w, None, 1, 0),
        &["conv2d", "(2, 3)", "(n, c, h, w)"],
    );
    assert_error(
        x.max_pool2d(0),
        &["max_pool2d", "(1, 3, 5, 5)", "at least 1"],
    );
    assert_error(x.max_pool2d(6), &["max_pool2d", "(1, 3, 5, 5)", "6"]);
    assert_error(a.max_pool2d(2), &["max_pool2d", "(2, 3)"]);
}

/// `x` with the same entries in column-major memory order, as a transposed
/// array a learner passes would be.
fn column_major(x: ArrayD<f64>) -> ArrayD<f64> {
    let mut f = ArrayD::zeros(IxDyn(x.shape()).f());
    f.assign(&x);
    assert!(!f.is_standard_layout() || x.ndim() < 2);
    f
}

#[test]
fn column_major_inputs() {
    // The ops that look at memory (reshapes, GEMM, im2col, rows) take
    // arrays in any memory order; the checks run on column-major inputs.
    let cm = |s: &[usize], seed| column_major(random(s, seed));
    let checks = [
        check(|t| t[0].matmul(&t[1]), &[cm(&[2, 4, 3], 1), cm(&[3, 5], 2)]),
        check(
            |t| t[0].matmul(&t[1]),
            &[cm(&[2, 3, 4], 1), cm(&[2, 4, 2], 2)],
        ),
        check(|t| t[0].reshape(&[6, 2]), &[cm(&[3, 4], 3)]),
        check(|t| t[0].transpose(0, 1), &[cm(&[3, 4], 3)]),
        check(
            |t| t[0].conv2d(&t[1], None, 1, 1),
            &[cm(&[2, 2, 4, 3], 4), cm(&[3, 2, 2, 2], 5)],
        ),
        check(
            |t| t[0].max_pool2d(2),
            &[column_major(distinct(&[1, 2, 4, 4], 6))],
        ),
        check(
            |t| t[0].layer_norm(&t[1], &t[2], 1e-5),
            &[cm(&[3, 5], 7), random(&[5], 8), random(&[5], 9)],
        ),
        check(|t| t[0].cross_entropy(&[1, 0, 2]), &[cm(&[3, 4], 10)]),
        check(|t| t[0].softmax(0), &[cm(&[3, 4], 11)]),
    ];
    assert_op("column-major", &checks);
}

/// `|a − b|` in units of the spacing of f32 numbers at `b`.
fn ulps(a: f32, b: f64) -> f64 {
    let spacing = b.abs().max(1e-37).log2().floor().exp2() * f64::from(f32::EPSILON);
    (f64::from(a) - b).abs() / spacing
}

#[test]
fn exp_and_tanh_in_f32_are_within_two_units_in_the_last_place() {
    use super::kernels::{exp_f32, tanh_f32};
    let (mut worst_exp, mut worst_tanh) = (0.0f64, 0.0f64);
    for i in 0..400_000 {
        // exp over its whole range without underflow, tanh densely near 0
        // and out to where it is ±1.
        let x = -87.0 + 175.0 * i as f32 / 400_000.0;
        worst_exp = worst_exp.max(ulps(exp_f32(x), f64::from(x).exp()));
        let t = 10.0 * (i as f32 / 200_000.0 - 1.0);
        worst_tanh = worst_tanh.max(ulps(tanh_f32(t), f64::from(t).tanh()));
        let tiny = 1e-30 * 1.0002f32.powi(i);
        worst_tanh = worst_tanh.max(ulps(tanh_f32(tiny), f64::from(tiny).tanh()));
    }
    println!("f32 exp, tanh: at most {worst_exp:.2} and {worst_tanh:.2} units in the last place");
    assert!(
        worst_exp <= 2.0 && worst_tanh <= 2.0,
        "{worst_exp} {worst_tanh}"
    );
    assert!(exp_f32(f32::NAN).is_nan() && tanh_f32(f32::NAN).is_nan());
    assert_eq!(
        [
            exp_f32(f32::INFINITY),
            exp_f32(f32::NEG_INFINITY),
            exp_f32(89.0),
            exp_f32(-104.0)
        ],
        [f32::INFINITY, 0.0, f32::INFINITY, 0.0]
    );
    assert_eq!(
        [tanh_f32(f32::INFINITY), tanh_f32(-30.0), tanh_f32(0.0)],
        [1.0, -1.0, 0.0]
    );
    // The ops in f32 use them: compare with f64 through the ops.
    let x = random(&[50, 40], 3).mapv(|v| 4.0 * v);
    let x32 = Tensor::<f32>::constant(x.mapv(|v| v as f32));
    let x64 = Tensor::<f64>::constant(x.mapv(|v| f64::from(v as f32)));
    type Op<F> = fn(&Tensor<F>) -> Tensor<F>;
    // Softmax adds 40 rounded terms per row: its bound is wider.
    let ops: [(Op<f32>, Op<f64>, f64); 4] = [
        (Tensor::exp, Tensor::exp, 2.0),
        (Tensor::tanh, Tensor::tanh, 2.0),
        (Tensor::sigmoid, Tensor::sigmoid, 4.0),
        (|t| t.softmax(1).unwrap(), |t| t.softmax(1).unwrap(), 40.0),
    ];
    for (i, (f32op, f64op, bound)) in ops.iter().enumerate() {
        let (a, b) = (f32op(&x32).to_array(), f64op(&x64).to_array());
        let worst = a
            .iter()
            .zip(&b)
            .map(|(&a, &b)| ulps(a, b))
            .fold(0.0, f64::max);
        assert!(worst <= *bound, "op {i}: {worst} ulps");
    }
}

// ---------------------------------------------------------------- fused attention

/// `(b, t, 3d, heads)` cases of the fused causal attention: several heads,
/// one position, one head, heads of one feature.
const ATTENTION_CASES: [(usize, usize, usize, usize); 5] = [
    (2, 5, 12, 2),
    (1, 1, 6, 1),
    (2, 4, 9, 1),
    (1, 6, 24, 4),
    (2, 3, 6, 2),
];

#[test]
fn causal_attention() {
    let checks: Vec<GradCheck> = ATTENTION_CASES
        .iter()
        .enumerate()
        .map(|(i, &(b, t, d3, h))| {
            check(
                |x| x[0].causal_attention(h),
                &[random(&[b, t, d3], i as u64)],
            )
        })
        .collect();
    assert_op("causal_attention", &checks);
}

/// Causal attention written with loops, entry by entry from the definition:
/// for each sequence, head and query `i`, the scores against keys `0..=i`,
/// their softmax, and the weighted sum of the values.
fn causal_attention_by_loops(x: &ArrayD<f64>, heads: usize) -> ArrayD<f64> {
    let (b, t, d) = (x.shape()[0], x.shape()[1], x.shape()[2] / 3);
    let dh = d / heads;
    let mut y = ArrayD::zeros(IxDyn(&[b, t, d]));
    for n in 0..b {
        for h in 0..heads {
            let at = |i: usize, part: usize, e: usize| x[[n, i, part * d + h * dh + e]];
            for i in 0..t {
                let s: Vec<f64> = (0..=i)
                    .map(|j| (0..dh).map(|e| at(i, 0, e) * at(j, 1, e)).sum::<f64>())
                    .map(|s| s / (dh as f64).sqrt())
                    .collect();
                let z: f64 = s.iter().map(|s| s.exp()).sum();
                for e in 0..dh {
                    y[[n, i, h * dh + e]] = (0..=i).map(|j| s[j].exp() / z * at(j, 2, e)).sum();
                }
            }
        }
    }
    y
}

/// The unfused chain of the same attention: q, k, v sliced out, split into
/// heads `(b, h, t, dh)`, [`attention`](crate::nn::attention) with the
/// causal mask, the heads put side by side again.
fn causal_attention_unfused<F: super::Float>(x: &Tensor<F>, heads: usize) -> Result<Tensor<F>> {
    let s = x.shape();
    let (b, t, d) = (s[0], s[1], s[2] / 3);
    let head = |i: usize| {
        x.slice_axis(2, i * d, (i + 1) * d)?
            .reshape(&[b, t, heads, d / heads])?
            .transpose(1, 2)
    };
    let mask = causal(t);
    let (o, _) = crate::nn::attention(&head(0)?, &head(1)?, &head(2)?, Some(&mask))?;
    o.transpose(1, 2)?.reshape(&[b, t, d])
}

/// The largest `|a − b| / max(1, |b|)` over the entries.
fn worst_difference(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(&a, &b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// The output and the gradient of `Σ y ⊙ r` for the input `x`, by `f`.
fn value_and_gradient<F: super::Float>(
    f: impl Fn(&Tensor<F>) -> Result<Tensor<F>>,
    x: &ArrayD<f64>,
    r: &ArrayD<f64>,
) -> (ArrayD<f64>, ArrayD<f64>) {
    let x = Tensor::param(x.mapv(F::of));
    let y = f(&x).unwrap();
    y.mul(&Tensor::constant(r.mapv(F::of)))
        .unwrap()
        .sum()
        .backward()
        .unwrap();
    let back = |a: ArrayD<F>| a.mapv(|v| v.as_f64());
    (back(y.to_array()), back(x.grad().unwrap()))
}

#[test]
fn causal_attention_matches_loops_and_the_unfused_chain() {
    for (i, &(b, t, d3, h)) in ATTENTION_CASES
        .iter()
        .chain(&[(4, 64, 96, 4), (2, 128, 192, 2)])
        .enumerate()
    {
        let x = random(&[b, t, d3], 100 + i as u64);
        let r = random(&[b, t, d3 / 3], 200 + i as u64);
        let fused = Tensor::<f64>::constant(x.clone())
            .causal_attention(h)
            .unwrap();
        let loops = causal_attention_by_loops(&x, h);
        let by_loops = worst_difference(&fused.to_array(), &loops);
        assert!(by_loops < 1e-12, "case {i}: {by_loops:e} from the loops");
        // Evaluation (nothing recorded) computes the same.
        let evaluated = no_grad(|| Tensor::<f64>::constant(x.clone()).causal_attention(h));
        assert_eq!(evaluated.unwrap().to_array(), fused.to_array());

        let (y64, g64) = value_and_gradient::<f64>(|x| x.causal_attention(h), &x, &r);
        let (u64, v64) = value_and_gradient::<f64>(|x| causal_attention_unfused(x, h), &x, &r);
        let (y32, g32) = value_and_gradient::<f32>(|x| x.causal_attention(h), &x, &r);
        let (u32, v32) = value_and_gradient::<f32>(|x| causal_attention_unfused(x, h), &x, &r);
        let (e64, d64) = (worst_difference(&y64, &u64), worst_difference(&g64, &v64));
        let (e32, d32) = (worst_difference(&y32, &u32), worst_difference(&g32, &v32));
        println!("case {i}: f64 {e64:.1e} / {d64:.1e}, f32 {e32:.1e} / {d32:.1e}");
        assert!(
            e64 < 1e-12 && d64 < 1e-12,
            "case {i}: f64 {e64:e}, gradient {d64:e}"
        );
        assert!(
            e32 < 1e-5 && d32 < 1e-5,
            "case {i}: f32 {e32:e}, gradient {d32:e}"
        );
    }
}

#[test]
fn causal_attention_refuses_bad_shapes_and_heads() {
    let x = |s: &[usize]| Tensor::<f64>::constant(ArrayD::zeros(IxDyn(s)));
    let message = |s: &[usize], h: usize| x(s).causal_attention(h).unwrap_err().to_string();
    let rank = message(&[4, 12], 2);
    assert!(
        rank.contains("(b, t, 3d)") && rank.contains("(4, 12)"),
        "{rank}"
    );
    let zero = message(&[1, 4, 12], 0);
    assert!(
        zero.contains("heads") && zero.contains("at least 1"),
        "{zero}"
    );
    let width = message(&[1, 4, 12], 3);
    assert!(
        width.contains("3·heads = 9") && width.contains("(1, 4, 12)"),
        "{width}"
    );
    assert!(x(&[1, 4, 0]).causal_attention(1).is_err());
    assert!(x(&[1, 4, 10]).causal_attention(1).is_err());
    // The same sizes with a width that fits are accepted.
    assert_eq!(
        x(&[1, 4, 18]).causal_attention(3).unwrap().shape(),
        [1, 4, 6]
    );
    // No positions: no output, and a gradient of the input's shape.
    let empty = Tensor::<f64>::param(ArrayD::zeros(IxDyn(&[2, 0, 6])));
    let y = empty.causal_attention(2).unwrap();
    assert_eq!(y.shape(), [2, 0, 2]);
    y.sum().backward().unwrap();
    assert_eq!(empty.grad().unwrap().shape(), [2, 0, 6]);
}

// ---------------------------------------------------------------- the fast paths

/// The gradient of `L = Σ f(x) ⊙ r` with respect to `x`, through the engine.
fn gradient_of(
    f: impl Fn(&Tensor<f64>) -> Tensor<f64>,
    x: &ArrayD<f64>,
    r: &ArrayD<f64>,
) -> ArrayD<f64> {
    let x = Tensor::param(x.clone());
    f(&x)
        .mul(&Tensor::constant(r.clone()))
        .unwrap()
        .sum()
        .backward()
        .unwrap();
    x.grad().unwrap()
}

#[test]
fn softmax_along_a_contiguous_last_axis_follows_the_formulas() {
    // Row-major (lines are slices) and column-major (lines are strided).
    let mut x = random(&[3, 4, 6], 1).mapv(|v| 3.0 * v);
    x[[1, 2, 3]] = f64::NEG_INFINITY;
    let r = random(&[3, 4, 6], 2);
    for x in [x.clone(), column_major(x.clone())] {
        let soft = Tensor::constant(x.clone()).softmax(2).unwrap().to_array();
        let logs = Tensor::constant(x.clone())
            .log_softmax(2)
            .unwrap()
            .to_array();
        let ds = gradient_of(|t| t.softmax(2).unwrap(), &x, &r);
        let dl = gradient_of(|t| t.log_softmax(2).unwrap(), &x, &r);
        for i in 0..3 {
            for j in 0..4 {
                let line: Vec<f64> = (0..6).map(|k| x[[i, j, k]]).collect();
                let m = line.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = line.iter().map(|v| (v - m).exp()).sum();
                let p: Vec<f64> = line.iter().map(|v| (v - m).exp() / z).collect();
                let rp: f64 = (0..6).map(|k| r[[i, j, k]] * p[k]).sum();
                let rs: f64 = (0..6).map(|k| r[[i, j, k]]).sum();
                for k in 0..6 {
                    assert!(close(soft[[i, j, k]], p[k], 1e-14));
                    if p[k] > 0.0 {
                        assert!(close(logs[[i, j, k]], p[k].ln(), 1e-14));
                    }
                    // ∂/∂x of Σ r ⊙ softmax = p ⊙ (r − r·p); of log softmax, r − p Σ r
                    assert!(close(ds[[i, j, k]], p[k] * (r[[i, j, k]] - rp), 1e-14));
                    assert!(close(dl[[i, j, k]], r[[i, j, k]] - p[k] * rs, 1e-14));
                }
            }
        }
    }
}

#[test]
fn masked_fill_with_a_trailing_mask_fills_every_chunk() {
    let x = random(&[2, 3, 4, 4], 1);
    let r = random(&[2, 3, 4, 4], 2);
    // A (t, t) mask (chunk by chunk), a (3, 1, 4) one (broadcast), and the
    // causal mask on a column-major array (strided).
    let cases = [
        (causal(4), x.clone()),
        (
            Array2::from_shape_fn((3, 4), |(h, j)| (h + j) % 3 == 0)
                .into_dyn()
                .insert_axis(Axis(1)),
            x.clone(),
        ),
        (causal(4), column_major(x.clone())),
    ];
    for (c, (mask, x)) in cases.iter().enumerate() {
        let y = Tensor::constant(x.clone())
            .masked_fill(mask, -7.0)
            .unwrap()
            .to_array();
        let d = gradient_of(|t| t.masked_fill(mask, -7.0).unwrap(), x, &r);
        let m = mask.broadcast(x.raw_dim()).unwrap();
        for (index, &v) in x.indexed_iter() {
            let masked = m[&index];
            let (want_y, want_d) = if masked { (-7.0, 0.0) } else { (v, r[&index]) };
            assert_eq!(
                (y[&index], d[&index]),
                (want_y, want_d),
                "case {c} at {index:?}"
            );
        }
        assert!(m.iter().any(|&b| b) && m.iter().any(|&b| !b), "case {c}");
    }
}

#[test]
fn gelu_derivative_follows_the_formula_in_f64_and_f32() {
    // dy/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(√(2/π)(x + 0.044715x³))
    let x = random(&[5, 7], 3).mapv(|v| 2.5 * v);
    let k = (2.0 / std::f64::consts::PI).sqrt();
    let slope = |x: f64| {
        let t = (k * (x + 0.044715 * x * x * x)).tanh();
        0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * k * (1.0 + 3.0 * 0.044715 * x * x)
    };
    let ones = ArrayD::from_elem(x.raw_dim(), 1.0);
    let d = gradient_of(Tensor::gelu, &x, &ones);
    let x32 = Tensor::<f32>::param(x.mapv(|v| v as f32));
    x32.gelu().sum().backward().unwrap();
    let d32 = x32.grad().unwrap();
    for (index, &v) in x.indexed_iter() {
        assert!(close(d[&index], slope(v), 1e-14), "{index:?}");
        assert!(close(f64::from(d32[&index]), slope(v), 1e-6), "{index:?}");
    }
}
