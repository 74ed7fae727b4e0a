//! Properties of the autodiff engine (see main.rs): every op of `Tensor`
//! driven with random shapes — empty sides, mismatched shapes, axes that do
//! not exist, out-of-range ids, targets and parameters — and any values
//! (huge, tiny, NaN, ±∞). Nothing may panic. A valid call returns the shape
//! that the rules written here give (NumPy's broadcasting, the product and
//! convolution sizes), a bad one an error naming the op; for most ops the
//! backward pass runs and each gradient has its parameter's shape.

use mlmath::Error;
use mlmath::autodiff::{Tensor, no_grad};
use mlmath::random::seeded;
use ndarray::{ArrayD, Dimension, IxDyn, ShapeBuilder};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::ensure;
use crate::harness::{Outcome, Suite};
use crate::inputs::any_f64;

pub fn all(suite: &mut Suite) {
    elementwise(suite);
    broadcasting(suite);
    axes(suite);
    reshaping(suite);
    products(suite);
    lookups(suite);
    normalisation(suite);
    images(suite);
    regularisation(suite);
}

// ---------------------------------------------------------------- inputs and rules

/// A shape of rank `0..=rank` with sides `0..=side`.
fn shape(rank: usize, side: usize) -> impl Strategy<Value = Vec<usize>> + Clone {
    proptest::collection::vec(0..=side, 0..=rank)
}

/// An array of `shape` with any entries, in row-major or (a third of the
/// time) column-major memory order, as a transposed array a learner made
/// would be.
fn values(shape: Vec<usize>) -> impl Strategy<Value = ArrayD<f64>> {
    let n: usize = shape.iter().product();
    (proptest::collection::vec(any_f64(), n), 0..3u8).prop_map(move |(v, order)| {
        let shape = IxDyn(&shape).set_f(order == 0);
        ArrayD::from_shape_vec(shape, v).expect("n entries")
    })
}

/// An array of any shape up to `rank` axes of `side` entries, any entries.
fn array(rank: usize, side: usize) -> impl Strategy<Value = ArrayD<f64>> {
    shape(rank, side).prop_flat_map(values)
}

/// A shape written as the crate's messages write it: `(2, 3)`, `(4,)`, `()`.
fn written(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let sides: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
            format!("({})", sides.join(", "))
        }
    }
}

/// NumPy's broadcasting: align on the right, a side of 1 stretches.
fn numpy_broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let padded = |s: &[usize]| [vec![1; n - s.len()], s.to_vec()].concat();
    padded(a)
        .into_iter()
        .zip(padded(b))
        .map(|(x, y)| match (x, y) {
            _ if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// Two shapes that often broadcast: `b` is `a` with leading axes dropped
/// and some sides set to 1 (or `a` and `b` swapped), or any shape.
fn shape_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (shape(3, 3), 0..4usize, any::<u8>(), shape(3, 3), 0..3u8).prop_map(
        |(a, drop, ones, other, kind)| {
            let mut b: Vec<usize> = a[drop.min(a.len())..].to_vec();
            for (i, side) in b.iter_mut().enumerate() {
                if ones & (1 << i) != 0 {
                    *side = 1;
                }
            }
            match kind {
                0 => (a, b),
                1 => (b, a),
                _ => (a, other),
            }
        },
    )
}

/// The outcome of a call: `Some(shape)` expects a result of that shape,
/// `None` an error whose message contains `op`.
fn expect(op: &str, got: &Result<Tensor<f64>, Error>, expected: Option<&[usize]>) -> Outcome {
    match (got, expected) {
        (Ok(y), Some(s)) => ensure!(
            y.shape() == s,
            "{op}: shape {:?}, expected {s:?}",
            y.shape()
        ),
        (Err(e), None) => ensure!(
            e.to_string().contains(op),
            "{op}: the error {e} names no op"
        ),
        (Ok(y), None) => {
            return Err(fail(format!(
                "{op}: {:?} where an error was due",
                y.shape()
            )));
        }
        (Err(e), Some(s)) => return Err(fail(format!("{op}: {e}, expected shape {s:?}"))),
    }
    Ok(())
}

/// Runs the backward pass from `Σ y` and checks that every parameter got a
/// gradient of its own shape.
fn gradients_fit(y: &Tensor<f64>, params: &[&Tensor<f64>]) -> Outcome {
    for p in params {
        p.zero_grad();
    }
    if !y.requires_grad() {
        return Ok(());
    }
    y.sum()
        .backward()
        .map_err(|e| fail(format!("backward: {e}")))?;
    for (i, p) in params.iter().enumerate() {
        let g = p.grad();
        ensure!(
            g.as_ref()
                .is_some_and(|g| g.shape() == p.shape().as_slice()),
            "parameter {i} of shape {:?} got {:?}",
            p.shape(),
            g.map(|g| g.shape().to_vec())
        );
    }
    Ok(())
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

// ---------------------------------------------------------------- properties

fn elementwise(suite: &mut Suite) {
    suite.check(
        "elementwise ops keep the shape, reductions give one number, gradients fit",
        &[
            "Tensor::neg",
            "Tensor::add_scalar",
            "Tensor::mul_scalar",
            "Tensor::powf",
            "Tensor::exp",
            "Tensor::log",
            "Tensor::square",
            "Tensor::tanh",
            "Tensor::sigmoid",
            "Tensor::relu",
            "Tensor::gelu",
            "Tensor::sum",
            "Tensor::mean",
        ],
        (array(3, 4), any_f64()),
        |(x, c)| {
            let p = Tensor::param(x.clone());
            let ops: [(&str, Tensor<f64>); 11] = [
                ("neg", p.neg()),
                ("add_scalar", p.add_scalar(c)),
                ("mul_scalar", p.mul_scalar(c)),
                ("powf", p.powf(c)),
                ("exp", p.exp()),
                ("log", p.log()),
                ("square", p.square()),
                ("tanh", p.tanh()),
                ("sigmoid", p.sigmoid()),
                ("relu", p.relu()),
                ("gelu", p.gelu()),
            ];
            for (op, y) in &ops {
                expect(op, &Ok(y.clone()), Some(x.shape()))?;
                gradients_fit(y, &[&p])?;
            }
            for (op, y) in [("sum", p.sum()), ("mean", p.mean())] {
                expect(op, &Ok(y.clone()), Some(&[]))?;
                gradients_fit(&y, &[&p])?;
            }
            // Where they are defined, the outputs stay in their ranges.
            let in_range = |y: &Tensor<f64>, lo: f64, hi: f64| {
                y.value()
                    .iter()
                    .all(|&v| v.is_nan() || (lo..=hi).contains(&v))
            };
            ensure!(in_range(&p.sigmoid(), 0.0, 1.0), "sigmoid out of [0, 1]");
            ensure!(in_range(&p.tanh(), -1.0, 1.0), "tanh out of [-1, 1]");
            ensure!(in_range(&p.relu(), 0.0, f64::INFINITY), "relu below 0");
            Ok(())
        },
    );
}

fn broadcasting(suite: &mut Suite) {
    suite.check(
        "add, sub, mul, div broadcast as NumPy or name the op and both shapes",
        &["Tensor::add", "Tensor::sub", "Tensor::mul", "Tensor::div"],
        shape_pair().prop_flat_map(|(a, b)| (values(a), values(b))),
        |(a, b)| {
            let (pa, pb) = (Tensor::param(a.clone()), Tensor::param(b.clone()));
            let expected = numpy_broadcast(a.shape(), b.shape());
            for (op, y) in [
                ("add", pa.add(&pb)),
                ("sub", pa.sub(&pb)),
                ("mul", pa.mul(&pb)),
                ("div", pa.div(&pb)),
            ] {
                expect(op, &y, expected.as_deref())?;
                match y {
                    Ok(y) => gradients_fit(&y, &[&pa, &pb])?,
                    Err(e) => {
                        let e = e.to_string();
                        ensure!(
                            e.contains(&written(a.shape())) && e.contains(&written(b.shape())),
                            "{e}"
                        );
                    }
                }
            }
            Ok(())
        },
    );
}

fn axes(suite: &mut Suite) {
    suite.check(
        "ops along an axis give the reduced or same shape, or an error for a bad axis",
        &[
            "Tensor::sum_axis",
            "Tensor::mean_axis",
            "Tensor::max_axis",
            "Tensor::softmax",
            "Tensor::log_softmax",
            "Tensor::transpose",
            "Tensor::slice_axis",
        ],
        (
            array(3, 4),
            0..4usize,
            0..4usize,
            any::<bool>(),
            0..5usize,
            0..4usize,
        ),
        |(x, axis, other, keep, start, len)| {
            let end = start + len;
            let p = Tensor::param(x.clone());
            let s = x.shape().to_vec();
            let valid = axis < s.len();
            let reduced = valid.then(|| {
                let mut r = s.clone();
                if keep {
                    r[axis] = 1;
                } else {
                    r.remove(axis);
                }
                r
            });
            let nonempty = reduced.clone().filter(|_| s[axis] > 0);
            let same = valid.then_some(s.as_slice());
            let swapped = (valid && other < s.len()).then(|| {
                let mut t = s.clone();
                t.swap(axis, other);
                t
            });
            let sliced = (valid && start <= end && end <= s[axis]).then(|| {
                let mut t = s.clone();
                t[axis] = end - start;
                t
            });
            let cases = [
                ("sum_axis", p.sum_axis(axis, keep), reduced.as_deref()),
                ("mean_axis", p.mean_axis(axis, keep), nonempty.as_deref()),
                ("max_axis", p.max_axis(axis, keep), nonempty.as_deref()),
                ("softmax", p.softmax(axis), same),
                ("log_softmax", p.log_softmax(axis), same),
                ("transpose", p.transpose(axis, other), swapped.as_deref()),
                (
                    "slice_axis",
                    p.slice_axis(axis, start, end),
                    sliced.as_deref(),
                ),
            ];
            for (op, y, expected) in cases {
                expect(op, &y, expected)?;
                if let Ok(y) = y {
                    gradients_fit(&y, &[&p])?;
                }
            }
            Ok(())
        },
    );
}

fn reshaping(suite: &mut Suite) {
    suite.check(
        "reshape keeps the entries in order when the sizes agree, and concat joins parts",
        &["Tensor::reshape", "Tensor::concat"],
        (
            array(3, 4),
            shape(4, 6),
            0..5u8,
            proptest::collection::vec(shape(3, 3), 0..4),
            0..4usize,
        ),
        |(x, other, kind, others, axis)| {
            let p = Tensor::param(x.clone());
            // The target: x's sides regrouped, any shape, or one with a side
            // of usize::MAX (the product overflows, or ndarray refuses it).
            let target = match kind {
                0 => vec![x.len()],
                1 => x.shape().iter().rev().copied().chain([1]).collect(),
                2 => other,
                3 => [other, vec![usize::MAX]].concat(),
                _ => [x.shape(), &[1]].concat(),
            };
            // ndarray's limit on shapes: the nonzero sides multiply to at
            // most isize::MAX.
            let nonzero = target
                .iter()
                .try_fold(1usize, |n, &s| n.checked_mul(s.max(1)));
            let fits = nonzero.is_some_and(|n| n <= isize::MAX as usize)
                && target.iter().product::<usize>() == x.len();
            let y = p.reshape(&target);
            expect("reshape", &y, fits.then_some(target.as_slice()))?;
            if let Ok(y) = y {
                let same = y
                    .value()
                    .iter()
                    .zip(x.iter())
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                ensure!(same, "reshape changed the entries");
                gradients_fit(&y, &[&p])?;
            }
            // Parts: x, then shapes that agree with it off the axis (or not).
            let mut parts = vec![p.clone()];
            for (i, o) in others.iter().enumerate() {
                let mut s = if i % 2 == 0 {
                    x.shape().to_vec()
                } else {
                    o.clone()
                };
                if axis < s.len() {
                    s[axis] = o.first().copied().unwrap_or(0);
                }
                let n = s.iter().product();
                parts.push(Tensor::param(
                    ArrayD::from_shape_vec(IxDyn(&s), vec![0.5; n]).expect("n entries"),
                ));
            }
            let s0 = x.shape();
            let agrees = |t: &Tensor<f64>| {
                let s = t.shape();
                s.len() == s0.len() && (0..s.len()).all(|a| a == axis || s[a] == s0[a])
            };
            let expected = (axis < s0.len() && parts.iter().all(agrees)).then(|| {
                let mut s = s0.to_vec();
                s[axis] = parts.iter().map(|t| t.shape()[axis]).sum();
                s
            });
            let y = Tensor::concat(&parts, axis);
            expect("concat", &y, expected.as_deref())?;
            if let Ok(y) = y {
                gradients_fit(&y, &parts.iter().collect::<Vec<_>>())?;
            }
            expect("concat", &Tensor::<f64>::concat(&[], 0), None)
        },
    );
}

/// The shape of `a · b` by the rules of `matmul`: `(…, n, k)·(k, m)` or
/// batched `(…, n, k)·(…, k, m)` with the same leading axes.
fn product_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let (ra, rb) = (a.len(), b.len());
    if ra < 2
        || rb < 2
        || b[rb - 2] != a[ra - 1]
        || (rb > 2 && (rb != ra || a[..ra - 2] != b[..rb - 2]))
    {
        return None;
    }
    Some([&a[..ra - 1], &[b[rb - 1]]].concat())
}

fn products(suite: &mut Suite) {
    suite.check(
        "matmul multiplies matrices, stacks and batches, or names both shapes",
        &["Tensor::matmul"],
        (
            shape(2, 3),
            0..4usize,
            0..4usize,
            0..4usize,
            0..4u8,
            shape(4, 3),
        )
            .prop_map(|(lead, n, k, m, kind, other)| {
                let a = [lead.clone(), vec![n, k]].concat();
                let b = match kind {
                    0 => vec![k, m],
                    1 => [lead, vec![k, m]].concat(),
                    _ => other,
                };
                (a, b)
            })
            .prop_flat_map(|(a, b)| (values(a), values(b))),
        |(a, b)| {
            let (pa, pb) = (Tensor::param(a.clone()), Tensor::param(b.clone()));
            let y = pa.matmul(&pb);
            let expected = product_shape(a.shape(), b.shape());
            expect("matmul", &y, expected.as_deref())?;
            match y {
                Ok(y) => gradients_fit(&y, &[&pa, &pb])?,
                Err(e) => {
                    let e = e.to_string();
                    ensure!(
                        e.contains(&written(a.shape())) && e.contains(&written(b.shape())),
                        "{e}"
                    );
                }
            }
            // The other order too.
            let y = pb.matmul(&pa);
            expect("matmul", &y, product_shape(b.shape(), a.shape()).as_deref())
        },
    );
}

/// Logits `(n, c)` (sometimes of another rank) and targets, mostly one per
/// row and below `c`.
fn scores() -> impl Strategy<Value = (ArrayD<f64>, Vec<usize>)> {
    (0..4usize, 0..4usize, 0..8u8).prop_flat_map(|(n, c, kind)| {
        let shape = if kind == 0 { vec![n, c, 2] } else { vec![n, c] };
        let target = prop_oneof![6 => 0..c.max(1), 1 => c..c + 2];
        let len = if kind == 1 { n + 1 } else { n };
        (values(shape), proptest::collection::vec(target, len))
    })
}

fn lookups(suite: &mut Suite) {
    suite.check(
        "select_rows, cross_entropy and masked_fill check ids, targets and masks",
        &[
            "Tensor::select_rows",
            "Tensor::cross_entropy",
            "Tensor::masked_fill",
        ],
        (
            array(3, 4),
            proptest::collection::vec(0..6usize, 0..6),
            shape(3, 3),
            any::<u64>(),
            any_f64(),
            scores(),
        ),
        |(x, ids, mask_shape, bits, fill, scores)| {
            let p = Tensor::param(x.clone());
            let s = x.shape();
            // select_rows: rows along axis 0.
            let expected = s
                .first()
                .filter(|&&rows| ids.iter().all(|&i| i < rows))
                .map(|_| [vec![ids.len()], s[1..].to_vec()].concat());
            let y = p.select_rows(&ids);
            expect("select_rows", &y, expected.as_deref())?;
            if let Ok(y) = y {
                gradients_fit(&y, &[&p])?;
            }
            // cross_entropy: logits (n, c), n ≥ 1 targets below c.
            let (logits, targets) = &scores;
            let l = Tensor::param(logits.clone());
            let s2 = logits.shape();
            let valid = s2.len() == 2
                && s2[0] > 0
                && targets.len() == s2[0]
                && targets.iter().all(|&t| t < s2[1]);
            let y = l.cross_entropy(targets);
            expect("cross_entropy", &y, valid.then_some(&[]))?;
            if let Ok(y) = y {
                gradients_fit(&y, &[&l])?;
            }
            // masked_fill: the mask broadcasts to the shape of x.
            let mask = ArrayD::from_shape_fn(IxDyn(&mask_shape), |i| {
                let k = i.slice().iter().sum::<usize>() % 64;
                (bits >> k) & 1 == 1
            });
            let fits = numpy_broadcast(s, &mask_shape).is_some_and(|b| b == s);
            let y = p.masked_fill(&mask, fill);
            expect("masked_fill", &y, fits.then_some(s))?;
            if let Ok(y) = y {
                gradients_fit(&y, &[&p])?;
            }
            Ok(())
        },
    );
}

fn normalisation(suite: &mut Suite) {
    suite.check(
        "layer_norm needs gamma and beta of the last side and eps ≥ 0",
        &["Tensor::layer_norm"],
        (
            array(3, 4),
            0..5usize,
            0..5usize,
            prop_oneof![3 => 0.0..1.0f64, 1 => any_f64()],
        ),
        |(x, dg, db, eps)| {
            let p = Tensor::param(x.clone());
            let d = x.shape().last().copied().unwrap_or(0);
            // Often the right length.
            let (dg, db) = (if dg < 3 { d } else { dg }, if db < 3 { d } else { db });
            let gamma = Tensor::param(ArrayD::ones(IxDyn(&[dg])));
            let beta = Tensor::param(ArrayD::zeros(IxDyn(&[db])));
            let valid = d > 0 && dg == d && db == d && eps >= 0.0 && eps.is_finite();
            let y = p.layer_norm(&gamma, &beta, eps);
            expect("layer_norm", &y, valid.then_some(x.shape()))?;
            if let Ok(y) = y {
                gradients_fit(&y, &[&p, &gamma, &beta])?;
            }
            Ok(())
        },
    );
}

/// A convolution's geometry: x, weight, bias length, stride, padding.
type ConvInput = (Vec<usize>, Vec<usize>, Option<usize>, usize, usize);

fn conv_input() -> impl Strategy<Value = ConvInput> {
    (
        prop_oneof![
            6 => proptest::collection::vec(1..=5usize, 4),
            1 => proptest::collection::vec(0..=5usize, 4),
            1 => shape(5, 3),
        ],
        prop_oneof![
            6 => proptest::collection::vec(1..=3usize, 4),
            1 => proptest::collection::vec(0..=3usize, 4),
            1 => shape(5, 3),
        ],
        prop_oneof![3 => Just(true), 1 => Just(false)],
        proptest::option::of(0..4usize),
        prop_oneof![6 => 1..3usize, 1 => Just(0)],
        prop_oneof![6 => 0..3usize, 1 => Just(usize::MAX), 1 => Just(1usize << 40)],
    )
        .prop_map(|(x, mut w, same_channels, bias, s, p)| {
            if same_channels && x.len() == 4 && w.len() == 4 {
                w[1] = x[1];
            }
            // A bias of the right length, most of the time.
            let bias = bias.map(|b| match w.first() {
                Some(&o) if b < 3 => o,
                _ => b,
            });
            (x, w, bias, s, p)
        })
}

/// The output shape of `conv2d`, when the call is valid (and not too large).
fn conv_shape((x, w, bias, s, p): &ConvInput) -> Option<Vec<usize>> {
    let (&[n, c, h, wd], &[o, wc, kh, kw]) = (x.as_slice(), w.as_slice()) else {
        return None;
    };
    if wc != c || c == 0 || kh == 0 || kw == 0 || bias.is_some_and(|b| b != o) || *s == 0 {
        return None;
    }
    let (hp, wp) = (
        h.checked_add(p.checked_mul(2)?)?,
        wd.checked_add(p.checked_mul(2)?)?,
    );
    if kh > hp || kw > wp {
        return None;
    }
    let (oh, ow) = ((hp - kh) / s + 1, (wp - kw) / s + 1);
    // The im2col matrix is capped at 10⁸ entries, an empty side counted as
    // 1 (as ndarray counts a shape's size).
    let sides = [c, kh, kw, n, oh, ow];
    let columns = sides
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b.max(1)))?;
    (columns <= 100_000_000).then(|| vec![n, o, oh, ow])
}

fn images(suite: &mut Suite) {
    suite.check(
        "conv2d and max_pool2d give the output size of their geometry or an error",
        &["Tensor::conv2d", "Tensor::max_pool2d"],
        (
            conv_input(),
            prop_oneof![4 => 0..4usize, 1 => Just(usize::MAX)],
        )
            .prop_flat_map(|(geometry, size)| {
                let (x, w) = (geometry.0.clone(), geometry.1.clone());
                (Just(geometry), values(x), values(w), Just(size))
            }),
        |(geometry, x, w, size)| {
            let (px, pw) = (Tensor::param(x.clone()), Tensor::param(w.clone()));
            let bias = geometry
                .2
                .map(|o| Tensor::param(ArrayD::zeros(IxDyn(&[o]))));
            let y = px.conv2d(&pw, bias.as_ref(), geometry.3, geometry.4);
            expect("conv2d", &y, conv_shape(&geometry).as_deref())?;
            if let Ok(y) = y {
                let mut params = vec![&px, &pw];
                params.extend(bias.as_ref());
                gradients_fit(&y, &params)?;
            }
            let expected = match x.shape() {
                &[n, c, h, w] if size >= 1 && h >= size && w >= size => {
                    Some(vec![n, c, h / size, w / size])
                }
                _ => None,
            };
            let y = px.max_pool2d(size);
            expect("max_pool2d", &y, expected.as_deref())?;
            if let Ok(y) = y {
                gradients_fit(&y, &[&px])?;
            }
            Ok(())
        },
    );
}

fn regularisation(suite: &mut Suite) {
    suite.check(
        "dropout needs 0 ≤ p < 1, keeps the shape, and is the identity in no_grad",
        &["Tensor::dropout", "autodiff::no_grad"],
        (
            array(3, 4),
            prop_oneof![any_f64(), 0.0..1.0f64],
            any::<u64>(),
        ),
        |(x, p, seed)| {
            let t = Tensor::param(x.clone());
            let valid = (0.0..1.0).contains(&p);
            let y = t.dropout(p, &mut seeded(seed));
            expect("dropout", &y, valid.then_some(x.shape()))?;
            if let Ok(y) = y {
                gradients_fit(&y, &[&t])?;
                let scale = 1.0 / (1.0 - p);
                // Each entry is x/(1 − p) (kept) or x·0 (dropped).
                let kept_or_dropped = y.value().iter().zip(x.iter()).all(|(&y, &x)| {
                    let (kept, dropped) = (x * scale, x * 0.0);
                    y.to_bits() == kept.to_bits()
                        || y.to_bits() == dropped.to_bits()
                        || (y.is_nan() && (kept.is_nan() || dropped.is_nan()))
                });
                ensure!(kept_or_dropped, "dropout changed a kept entry");
            }
            let evaluated = no_grad(|| t.dropout(p, &mut seeded(seed)));
            expect("dropout", &evaluated, valid.then_some(x.shape()))?;
            if let Ok(y) = evaluated {
                let same = y
                    .value()
                    .iter()
                    .zip(x.iter())
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                ensure!(same, "dropout in no_grad is not the identity");
            }
            Ok(())
        },
    );
}
