//! The ops of the engine, each with its forward value and its backward rule
//! side by side: this file is a table of derivatives.
//!
//! Every op takes its inputs as [`Tensor`]s, computes the value, and hands
//! [`Tensor::from_op`] a closure that maps `g = ∂L/∂y` (the gradient of the
//! loss with respect to the op's output, of the output's shape) to the
//! gradients with respect to each input: the vector-Jacobian product
//! `(∂y/∂x)ᵀ g`. The closure gets a flag per input saying whether that input
//! needs a gradient at all, so that no work is spent on the gradient of data.
//! `⊙` is the elementwise product; `Σ_axis` sums along an axis.
//!
//! **What a backward rule reads.** A closure keeps *handles* to its input
//! tensors (a reference count, not a copy of their values) and reads their
//! values when [`backward`](Tensor::backward) runs. A tensor counts its
//! in-place changes ([`set_value`](Tensor::set_value), an optimiser's step)
//! and each op records the counts of its inputs, so a parameter changed
//! between the forward pass and `backward()` makes `backward()` an error
//! naming the op and the tensor (compute the loss again), never a gradient
//! mixing old and new values. Where a rule
//! needs a result of the forward pass — the output of `exp`, `tanh`,
//! `sigmoid` and `softmax`, the normalised rows of `layer_norm`, the im2col
//! matrix of `conv2d`, the positions of maxima, a dropout mask — the closure
//! keeps that array, and only when the op is recorded.
//!
//! Shapes, axes and parameters are checked before any arithmetic: a bad one
//! is an error that names the op and both shapes (or the value). Values are
//! not checked: elementwise functions follow IEEE arithmetic as NumPy does
//! (`log` of a negative number is NaN, a NaN stays NaN).
//!
//! In `f32` (training), `eˣ` and `tanh x` — in `exp`, `tanh`, `sigmoid`,
//! `gelu`, the softmaxes and the cross-entropy — are computed by short
//! polynomials (`exp_f32` and `tanh_f32` in `kernels.rs`) that the
//! compiler turns into vector instructions, within two units in the last
//! place; in `f64` (gradient checks), by the standard library.

use ndarray::{
    Array1, Array2, Array3, ArrayD, ArrayView1, ArrayView2, Axis, Ix2, IxDyn, Order, Slice, Zip,
    arr0, concatenate,
};

use super::checks::*;
use super::kernels::*;
use super::{Float, Tensor, is_recording, shape_str};
use crate::error::{Error, Result};
use crate::random::{Rng, StdRng};

// ---------------------------------------------------------------- arithmetic

/// `y = a + b`, broadcasting: `∂L/∂a = g`, `∂L/∂b = g`, each summed back
/// to its input's shape.
pub fn add<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let y = broadcast_zip("add", a, b, |a, b| a + b)?;
    let (sa, sb) = (a.shape(), b.shape());
    Ok(Tensor::from_op("add", y, [a, b], move |g, needs| {
        vec![
            needs[0].then(|| unbroadcast(g.view(), &sa)),
            needs[1].then(|| unbroadcast(g.view(), &sb)),
        ]
    }))
}

/// `y = a − b`, broadcasting: `∂L/∂a = g`, `∂L/∂b = −g`.
pub fn sub<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let y = broadcast_zip("sub", a, b, |a, b| a - b)?;
    let (sa, sb) = (a.shape(), b.shape());
    Ok(Tensor::from_op("sub", y, [a, b], move |g, needs| {
        vec![
            needs[0].then(|| unbroadcast(g.view(), &sa)),
            needs[1].then(|| -unbroadcast(g.view(), &sb)),
        ]
    }))
}

/// `y = a ⊙ b`, broadcasting: `∂L/∂a = g ⊙ b`, `∂L/∂b = g ⊙ a`.
pub fn mul<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let y = broadcast_zip("mul", a, b, |a, b| a * b)?;
    let (ta, tb) = (a.clone(), b.clone());
    Ok(Tensor::from_op("mul", y, [a, b], move |g, needs| {
        let (av, bv) = (ta.value(), tb.value());
        vec![
            needs[0].then(|| unbroadcast(chain(g, &bv, |b| b), av.shape())),
            needs[1].then(|| unbroadcast(chain(g, &av, |a| a), bv.shape())),
        ]
    }))
}

/// `y = a / b`, broadcasting: `∂L/∂a = g / b`, `∂L/∂b = −g ⊙ a / b²`.
pub fn div<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let y = broadcast_zip("div", a, b, |a, b| a / b)?;
    let (ta, tb) = (a.clone(), b.clone());
    Ok(Tensor::from_op("div", y, [a, b], move |g, needs| {
        let (av, bv) = (ta.value(), tb.value());
        let db = || {
            let mut d = g.clone();
            Zip::from(&mut d)
                .and_broadcast(&*av)
                .and_broadcast(&*bv)
                .for_each(|d, &a, &b| *d = -*d * a / (b * b));
            unbroadcast(d, bv.shape())
        };
        vec![
            needs[0].then(|| unbroadcast(chain(g, &bv, F::recip), av.shape())),
            needs[1].then(db),
        ]
    }))
}

// ---------------------------------------------------------------- scalars

/// `y = −x`: `∂L/∂x = −g`.
pub fn neg<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let y = x.value().mapv(|v| -v);
    Tensor::from_op("neg", y, [x], |g, _| vec![Some(g.mapv(|g| -g))])
}

/// `y = x + c`: `∂L/∂x = g`.
pub fn add_scalar<F: Float>(x: &Tensor<F>, c: F) -> Tensor<F> {
    let y = x.value().mapv(|v| v + c);
    Tensor::from_op("add_scalar", y, [x], |g, _| vec![Some(g.clone())])
}

/// `y = c x`: `∂L/∂x = c g`.
pub fn mul_scalar<F: Float>(x: &Tensor<F>, c: F) -> Tensor<F> {
    let y = x.value().mapv(|v| v * c);
    Tensor::from_op("mul_scalar", y, [x], move |g, _| {
        vec![Some(g.mapv(|g| g * c))]
    })
}

/// `y = xᵖ`: `∂L/∂x = p xᵖ⁻¹ ⊙ g` (NaN where `x < 0` and `p` is not an
/// integer, as for real powers).
pub fn powf<F: Float>(x: &Tensor<F>, p: F) -> Tensor<F> {
    let y = x.value().mapv(|v| v.powf(p));
    let t = x.clone();
    Tensor::from_op("powf", y, [x], move |g, _| {
        vec![Some(chain(g, &t.value(), |x| p * x.powf(p - F::one())))]
    })
}

// ---------------------------------------------------------------- functions

/// `y = eˣ`: `∂L/∂x = y ⊙ g`.
pub fn exp<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let mut y = x.value().to_owned();
    y.map_inplace(|v| *v = exp_of(*v)); // in place over the slice: vectorised
    let ys = saved(&y, [x]);
    Tensor::from_op("exp", y, [x], move |g, _| vec![Some(chain(g, &ys, |y| y))])
}

/// `y = ln x`: `∂L/∂x = g / x`.
pub fn log<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let y = x.value().mapv(F::ln);
    let t = x.clone();
    Tensor::from_op("log", y, [x], move |g, _| {
        vec![Some(chain(g, &t.value(), F::recip))]
    })
}

/// `y = x²`: `∂L/∂x = 2x ⊙ g`.
pub fn square<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let y = x.value().mapv(|v| v * v);
    let t = x.clone();
    Tensor::from_op("square", y, [x], move |g, _| {
        vec![Some(chain(g, &t.value(), |x| x + x))]
    })
}

/// `y = tanh x`: `∂L/∂x = (1 − y²) ⊙ g`.
pub fn tanh<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let mut y = x.value().to_owned();
    y.map_inplace(|v| *v = tanh_of(*v)); // in place over the slice: vectorised
    let ys = saved(&y, [x]);
    Tensor::from_op("tanh", y, [x], move |g, _| {
        vec![Some(chain(g, &ys, |y| F::one() - y * y))]
    })
}

/// `y = σ(x) = 1 / (1 + e⁻ˣ)`, computed as `eˣ / (1 + eˣ)` for `x < 0` so
/// that no exponential overflows: `∂L/∂x = y (1 − y) ⊙ g`.
pub fn sigmoid<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let y = x.value().mapv(|v| {
        let e = exp_of(-v.abs());
        let y = F::one() / (F::one() + e);
        if v >= F::zero() { y } else { e * y }
    });
    let ys = saved(&y, [x]);
    Tensor::from_op("sigmoid", y, [x], move |g, _| {
        vec![Some(chain(g, &ys, |y| y * (F::one() - y)))]
    })
}

/// `y = max(x, 0)` (NaN stays NaN): `∂L/∂x = g` where `x > 0`, `0`
/// elsewhere (the kink at 0 gets 0).
pub fn relu<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let y = x
        .value()
        .mapv(|v| if v < F::zero() { F::zero() } else { v });
    let t = x.clone();
    Tensor::from_op("relu", y, [x], move |g, _| {
        let step = |x: F| if x > F::zero() { F::one() } else { F::zero() };
        vec![Some(chain(g, &t.value(), step))]
    })
}

/// GELU in the tanh approximation of Hendrycks & Gimpel (2016), PyTorch's
/// `gelu(x, approximate="tanh")`: with `u = √(2/π) (x + 0.044715 x³)` and
/// `t = tanh u`,
///
/// ```text
///   y = ½ x (1 + t),
///   ∂L/∂x = [½ (1 + t) + ½ x (1 − t²) √(2/π) (1 + 3·0.044715 x²)] ⊙ g
/// ```
pub fn gelu<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let (k, c, half) = (
        F::of((2.0 / std::f64::consts::PI).sqrt()),
        F::of(0.044715),
        F::of(0.5),
    );
    // One pass, one new array: the backward rule computes t again from x.
    let y = x
        .value()
        .mapv(|v| half * v * (F::one() + tanh_of(k * (v + c * v * v * v))));
    let (xt, three_c) = (x.clone(), F::of(3.0 * 0.044715));
    Tensor::from_op("gelu", y, [x], move |g, _| {
        let mut d = g.clone();
        Zip::from(&mut d).and(&*xt.value()).for_each(|d, &v| {
            let t = tanh_of(k * (v + c * v * v * v));
            let slope = half * (F::one() + t)
                + half * v * (F::one() - t * t) * k * (F::one() + three_c * v * v);
            *d *= slope;
        });
        vec![Some(d)]
    })
}

// ---------------------------------------------------------------- reductions

/// `y = Σᵢ xᵢ` (0-dimensional): `∂L/∂xᵢ = g` for every `i`.
pub fn sum<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let shape = x.shape();
    let y = arr0(x.value().sum()).into_dyn();
    Tensor::from_op("sum", y, [x], move |g, _| {
        vec![Some(ArrayD::from_elem(IxDyn(&shape), g[[]]))]
    })
}

/// `y = (1/n) Σᵢ xᵢ` over the `n` entries (0-dimensional; NaN when `x` is
/// empty): `∂L/∂xᵢ = g / n`.
pub fn mean<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let shape = x.shape();
    let n = F::of(x.value().len() as f64);
    let y = arr0(x.value().sum() / n).into_dyn();
    Tensor::from_op("mean", y, [x], move |g, _| {
        vec![Some(ArrayD::from_elem(IxDyn(&shape), g[[]] / n))]
    })
}

/// `y = Σ_axis x` (the axis kept as a side of 1 with `keep_dim`):
/// `∂L/∂x = g`, repeated along the axis.
pub fn sum_axis<F: Float>(x: &Tensor<F>, axis: usize, keep_dim: bool) -> Result<Tensor<F>> {
    let shape = x.shape();
    check_axis("sum_axis", &shape, axis)?;
    let y = kept(x.value().sum_axis(Axis(axis)), axis, keep_dim);
    Ok(Tensor::from_op("sum_axis", y, [x], move |g, _| {
        vec![Some(spread(g, &shape, axis, keep_dim, F::one()))]
    }))
}

/// `y = (1/n) Σ_axis x` over the `n` entries along the axis: `∂L/∂x = g / n`,
/// repeated along the axis. An error for an axis of length 0.
pub fn mean_axis<F: Float>(x: &Tensor<F>, axis: usize, keep_dim: bool) -> Result<Tensor<F>> {
    let shape = x.shape();
    check_axis("mean_axis", &shape, axis)?;
    check_not_empty_axis("mean_axis", &shape, axis)?;
    let n = F::of(shape[axis] as f64);
    let y = kept(
        x.value().sum_axis(Axis(axis)).mapv(|s| s / n),
        axis,
        keep_dim,
    );
    Ok(Tensor::from_op("mean_axis", y, [x], move |g, _| {
        vec![Some(spread(g, &shape, axis, keep_dim, F::one() / n))]
    }))
}

/// `y = max_axis x`: `∂L/∂x = g` at the first maximum of each line along the
/// axis, 0 elsewhere (a NaN counts as the maximum, so it propagates). An
/// error for an axis of length 0.
pub fn max_axis<F: Float>(x: &Tensor<F>, axis: usize, keep_dim: bool) -> Result<Tensor<F>> {
    let shape = x.shape();
    check_axis("max_axis", &shape, axis)?;
    check_not_empty_axis("max_axis", &shape, axis)?;
    let reduced: Vec<usize> = (0..shape.len())
        .filter(|&a| a != axis)
        .map(|a| shape[a])
        .collect();
    let mut y = ArrayD::zeros(IxDyn(&reduced));
    let mut at = ArrayD::<usize>::zeros(IxDyn(&reduced));
    Zip::from(&mut y)
        .and(&mut at)
        .and(x.value().lanes(Axis(axis)))
        .for_each(|y, at, lane| {
            *at = (1..lane.len()).fold(0, |b, i| if beats(lane[i], lane[b]) { i } else { b });
            *y = lane[*at];
        });
    let y = kept(y, axis, keep_dim);
    Ok(Tensor::from_op("max_axis", y, [x], move |g, _| {
        let g = if keep_dim {
            g.index_axis(Axis(axis), 0)
        } else {
            g.view()
        };
        let mut d = ArrayD::zeros(IxDyn(&shape));
        Zip::from(d.lanes_mut(Axis(axis)))
            .and(&at)
            .and(&g)
            .for_each(|mut lane, &i, &g| lane[i] = g);
        vec![Some(d)]
    }))
}

// ---------------------------------------------------------------- shapes

/// `y` = the entries of `x` in row-major order, in the given shape (as
/// many entries): `∂L/∂x = g` in the shape of `x`.
pub fn reshape<F: Float>(x: &Tensor<F>, shape: &[usize]) -> Result<Tensor<F>> {
    let from = x.shape();
    let (n, m) = (from.iter().product::<usize>(), entries(shape));
    if m != Some(n) {
        return Err(Error::parameter(
            format!(
                "the new shape in reshape of {} ({n} entries)",
                shape_str(&from)
            ),
            format!("a shape of {n} entries"),
            format!(
                "{} ({} entries)",
                shape_str(shape),
                m.map_or("too many".to_string(), |m| m.to_string())
            ),
        ));
    }
    let y = in_shape(&x.value(), shape);
    Ok(Tensor::from_op("reshape", y, [x], move |g, _| {
        vec![Some(in_shape(g, &from))]
    }))
}

/// `y` = `x` with axes `a` and `b` swapped (`yᵀ` for a matrix):
/// `∂L/∂x = g` with the same two axes swapped back.
pub fn transpose<F: Float>(x: &Tensor<F>, a: usize, b: usize) -> Result<Tensor<F>> {
    let shape = x.shape();
    check_axis("transpose", &shape, a)?;
    check_axis("transpose", &shape, b)?;
    let y = swapped(&x.value(), a, b);
    Ok(Tensor::from_op("transpose", y, [x], move |g, _| {
        vec![Some(swapped(g, a, b))]
    }))
}

/// `y = x[…, start..end, …]` along `axis`: `∂L/∂x = g` inside the slice,
/// 0 outside.
pub fn slice_axis<F: Float>(
    x: &Tensor<F>,
    axis: usize,
    start: usize,
    end: usize,
) -> Result<Tensor<F>> {
    let shape = x.shape();
    check_axis("slice_axis", &shape, axis)?;
    if !(start <= end && end <= shape[axis]) {
        return Err(Error::parameter(
            format!(
                "the range of slice_axis along axis {axis} of {}",
                shape_str(&shape)
            ),
            format!("start..end with start ≤ end ≤ {}", shape[axis]),
            format!("{start}..{end}"),
        ));
    }
    let range = Slice::from(start..end);
    let y = x.value().slice_axis(Axis(axis), range).to_owned();
    Ok(Tensor::from_op("slice_axis", y, [x], move |g, _| {
        let mut d = ArrayD::zeros(IxDyn(&shape));
        d.slice_axis_mut(Axis(axis), range).assign(g);
        vec![Some(d)]
    }))
}

/// `y` = the parts one after another along `axis` (the other sides must
/// agree): `∂L/∂partᵢ` = the slice of `g` where part `i` went.
pub fn concat<F: Float>(parts: &[Tensor<F>], axis: usize) -> Result<Tensor<F>> {
    let Some(first) = parts.first() else {
        return Err(Error::parameter(
            "the parts of concat",
            "a list of at least one tensor",
            "an empty list",
        ));
    };
    let s0 = first.shape();
    check_axis("concat", &s0, axis)?;
    for (i, part) in parts.iter().enumerate().skip(1) {
        let si = part.shape();
        let agrees = |(a, (x, y)): (usize, (&usize, &usize))| a == axis || x == y;
        if si.len() != s0.len() || !si.iter().zip(&s0).enumerate().all(agrees) {
            return Err(Error::shape(
                format!("concat along axis {axis}: part {i}"),
                format!(
                    "the shape of part 0, {}, except along axis {axis}",
                    shape_str(&s0)
                ),
                shape_str(&si),
            ));
        }
    }
    let values: Vec<_> = parts.iter().map(|p| p.value()).collect();
    let views: Vec<_> = values.iter().map(|v| v.view()).collect();
    let y = concatenate(Axis(axis), &views).expect("shapes checked");
    let sides: Vec<usize> = values.iter().map(|v| v.shape()[axis]).collect();
    Ok(Tensor::from_op("concat", y, parts, move |g, needs| {
        let mut start = 0;
        sides
            .iter()
            .zip(needs)
            .map(|(&side, &need)| {
                let range = Slice::from(start..start + side);
                start += side;
                need.then(|| g.slice_axis(Axis(axis), range).to_owned())
            })
            .collect()
    }))
}

/// Embedding lookup (a gather): `y[i] = x[ids[i]]` for a table `x: (v, d)`
/// (rows along axis 0), `y: (ids.len(), d)`: `∂L/∂x[r] = Σ_{i: ids[i] = r}
/// g[i]` (a row looked up twice gets both gradients).
pub fn select_rows<F: Float>(x: &Tensor<F>, ids: &[usize]) -> Result<Tensor<F>> {
    let shape = x.shape();
    let Some(&rows) = shape.first() else {
        return Err(Error::shape(
            "select_rows: the table",
            "an array of rows, (v, d)",
            "a 0-dimensional tensor, ()",
        ));
    };
    if let Some((i, id)) = ids.iter().enumerate().find(|&(_, &id)| id >= rows) {
        return Err(Error::parameter(
            format!(
                "ids[{i}] in select_rows from a table of shape {}",
                shape_str(&shape)
            ),
            format!("a row index below {rows}"),
            id,
        ));
    }
    // rows of `width` entries, copied and added back as slices
    let width: usize = shape[1..].iter().product();
    let table = x.value().as_standard_layout().into_owned();
    let table = table.as_slice().expect("standard layout");
    let mut picked = Vec::with_capacity(ids.len() * width);
    for &id in ids {
        picked.extend_from_slice(&table[id * width..(id + 1) * width]);
    }
    let mut out_shape = shape.clone();
    out_shape[0] = ids.len();
    let y = ArrayD::from_shape_vec(IxDyn(&out_shape), picked).expect("ids × row entries");
    let ids = ids.to_vec();
    Ok(Tensor::from_op("select_rows", y, [x], move |g, _| {
        let g = g.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let mut d = vec![F::zero(); rows * width];
        for (gi, &id) in g.chunks_exact(width.max(1)).zip(&ids) {
            for (a, &b) in d[id * width..(id + 1) * width].iter_mut().zip(gi) {
                *a += b;
            }
        }
        vec![Some(
            ArrayD::from_shape_vec(IxDyn(&shape), d).expect("the table's shape"),
        )]
    }))
}

// ---------------------------------------------------------------- regularisation

/// Inverted dropout: `y = m ⊙ x` with `mᵢ = 1/(1 − p)` with probability
/// `1 − p` and `0` otherwise, drawn from `rng`: `∂L/∂x = m ⊙ g`. The
/// identity (the same tensor) when nothing is recorded, inside
/// [`no_grad`](super::no_grad): evaluation. An error unless `0 ≤ p < 1`.
pub fn dropout<F: Float>(x: &Tensor<F>, p: F, rng: &mut StdRng) -> Result<Tensor<F>> {
    if !(p >= F::zero() && p < F::one()) {
        return Err(Error::parameter(
            format!(
                "the drop probability p of dropout on {}",
                shape_str(&x.shape())
            ),
            "in [0, 1)",
            p,
        ));
    }
    if !is_recording() || p == F::zero() {
        return Ok(x.clone());
    }
    let (keep, p64) = (F::one() / (F::one() - p), p.as_f64());
    let mask = ArrayD::from_shape_simple_fn(x.value().raw_dim(), || {
        if rng.random::<f64>() < p64 {
            F::zero()
        } else {
            keep
        }
    });
    let y = Zip::from(&*x.value())
        .and(&mask)
        .map_collect(|&x, &m| x * m);
    Ok(Tensor::from_op("dropout", y, [x], move |g, _| {
        vec![Some(chain(g, &mask, |m| m))]
    }))
}

// ---------------------------------------------------------------- probabilities

/// `y = softmax(x)` along `axis`: `yᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m}` with `m`
/// the largest entry (so nothing overflows; an entry of `−∞` gets weight 0,
/// a line of `−∞` only is NaN): `∂L/∂x = y ⊙ (g − Σ_axis g ⊙ y)`.
pub fn softmax<F: Float>(x: &Tensor<F>, axis: usize) -> Result<Tensor<F>> {
    check_axis("softmax", &x.shape(), axis)?;
    let mut y = x.to_array();
    match last_lines(&mut y, axis) {
        // Along the last axis of a row-major array: each line a slice.
        Some((lines, n)) => lines.chunks_exact_mut(n).for_each(softmax_line),
        None => {
            for mut line in y.lanes_mut(Axis(axis)) {
                let m = line.fold(F::neg_infinity(), |m, &v| m.max(v));
                line.mapv_inplace(|v| exp_of(v - m));
                let total = line.sum();
                line.mapv_inplace(|e| e / total);
            }
        }
    }
    let ys = saved(&y, [x]);
    Ok(Tensor::from_op("softmax", y, [x], move |g, _| {
        let mut d = g.clone();
        let rule = |d: &mut [F], y: &[F]| {
            let gy = d.iter().zip(y).fold(F::zero(), |a, (&d, &y)| a + d * y);
            d.iter_mut().zip(y).for_each(|(d, &y)| *d = y * (*d - gy));
        };
        match (last_lines(&mut d, axis), ys.as_slice()) {
            (Some((lines, n)), Some(ys)) => lines
                .chunks_exact_mut(n)
                .zip(ys.chunks_exact(n))
                .for_each(|(d, y)| rule(d, y)),
            _ => Zip::from(d.lanes_mut(Axis(axis)))
                .and(ys.lanes(Axis(axis)))
                .for_each(|mut d, y| {
                    let gy = d.dot(&y);
                    d.zip_mut_with(&y, |d, &y| *d = y * (*d - gy));
                }),
        }
        vec![Some(d)]
    }))
}

/// `y = log softmax(x)` along `axis`: `yᵢ = xᵢ − m − ln Σⱼ e^{xⱼ − m}`
/// (`m` the largest entry): `∂L/∂x = g − e^y ⊙ Σ_axis g`.
pub fn log_softmax<F: Float>(x: &Tensor<F>, axis: usize) -> Result<Tensor<F>> {
    check_axis("log_softmax", &x.shape(), axis)?;
    let mut y = x.to_array();
    let line_rule = |line: &mut [F]| {
        let m = line.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
        let log_total = m + line.iter().fold(F::zero(), |s, &v| s + exp_of(v - m)).ln();
        line.iter_mut().for_each(|v| *v -= log_total);
    };
    match last_lines(&mut y, axis) {
        Some((lines, n)) => lines.chunks_exact_mut(n).for_each(line_rule),
        None => {
            for mut line in y.lanes_mut(Axis(axis)) {
                let m = line.fold(F::neg_infinity(), |m, &v| m.max(v));
                let log_total = m + line.fold(F::zero(), |s, &v| s + exp_of(v - m)).ln();
                line.mapv_inplace(|v| v - log_total);
            }
        }
    }
    let ys = saved(&y, [x]);
    Ok(Tensor::from_op("log_softmax", y, [x], move |g, _| {
        let mut d = g.clone();
        match (last_lines(&mut d, axis), ys.as_slice()) {
            (Some((lines, n)), Some(ys)) => lines
                .chunks_exact_mut(n)
                .zip(ys.chunks_exact(n))
                .for_each(|(d, y)| {
                    let total = d.iter().fold(F::zero(), |a, &d| a + d);
                    d.iter_mut()
                        .zip(y)
                        .for_each(|(d, &y)| *d -= exp_of(y) * total);
                }),
            _ => Zip::from(d.lanes_mut(Axis(axis)))
                .and(ys.lanes(Axis(axis)))
                .for_each(|mut d, y| {
                    let total = d.sum();
                    d.zip_mut_with(&y, |d, &y| *d -= exp_of(y) * total);
                }),
        }
        vec![Some(d)]
    }))
}

/// Cross-entropy of logits `x: (n, c)` against class indices `t` (one per
/// row), averaged over the rows; fused with the softmax and stable (the
/// log-sum-exp with the row maximum `mᵢ` taken out):
///
/// ```text
///   L = (1/n) Σᵢ [ mᵢ + ln Σⱼ e^{xᵢⱼ − mᵢ} − xᵢ,ₜᵢ ],
///   ∂L/∂xᵢⱼ = g (softmax(xᵢ)ⱼ − [j = tᵢ]) / n
/// ```
pub fn cross_entropy<F: Float>(logits: &Tensor<F>, targets: &[usize]) -> Result<Tensor<F>> {
    let shape = logits.shape();
    let &[n, c] = shape.as_slice() else {
        return Err(Error::shape(
            "cross_entropy: the logits",
            "a matrix (n, c) of n rows of c class scores",
            shape_str(&shape),
        ));
    };
    if targets.len() != n {
        return Err(Error::shape(
            format!(
                "cross_entropy: the targets for logits of shape {}",
                shape_str(&shape)
            ),
            format!("{n} targets, one per row"),
            format!("{} targets", targets.len()),
        ));
    }
    if n == 0 {
        return Err(Error::empty(format!(
            "cross_entropy: the logits of shape {}",
            shape_str(&shape)
        )));
    }
    if let Some((i, t)) = targets.iter().enumerate().find(|&(_, &t)| t >= c) {
        return Err(Error::parameter(
            format!(
                "targets[{i}] in cross_entropy with logits of shape {}",
                shape_str(&shape)
            ),
            format!("a class below {c}"),
            t,
        ));
    }
    let xv = logits.value();
    let x = xv.view().into_dimensionality::<Ix2>().expect("checked 2-D");
    let mut p = Array2::zeros((n, c));
    let mut total = F::zero();
    for ((mut p, x), &t) in p.rows_mut().into_iter().zip(x.rows()).zip(targets) {
        let m = x.fold(F::neg_infinity(), |m, &v| m.max(v));
        p.zip_mut_with(&x, |p, &v| *p = exp_of(v - m));
        let sum = p.sum();
        total = total + m + sum.ln() - x[t];
        p.mapv_inplace(|e| e / sum);
    }
    let rows = F::of(n as f64);
    let y = arr0(total / rows).into_dyn();
    let targets = targets.to_vec();
    Ok(Tensor::from_op(
        "cross_entropy",
        y,
        [logits],
        move |g, _| {
            let mut d = p.clone();
            for (mut row, &t) in d.rows_mut().into_iter().zip(&targets) {
                row[t] -= F::one();
            }
            let scale = g[[]] / rows;
            d.mapv_inplace(|v| v * scale);
            vec![Some(d.into_dyn())]
        },
    ))
}

/// `y = value` where `mask` is true, `x` elsewhere (`mask` broadcasts to the
/// shape of `x`): `∂L/∂x = g` where the mask is false, 0 where it is true.
/// With `value = −∞` before a [`softmax`], masked entries get weight 0
/// (causal attention).
pub fn masked_fill<F: Float>(x: &Tensor<F>, mask: &ArrayD<bool>, value: F) -> Result<Tensor<F>> {
    let shape = x.shape();
    if mask.broadcast(IxDyn(&shape)).is_none() {
        return Err(Error::shape(
            format!(
                "masked_fill of a tensor of shape {}: the mask",
                shape_str(&shape)
            ),
            format!("a shape that broadcasts to {}", shape_str(&shape)),
            shape_str(mask.shape()),
        ));
    }
    let mut y = x.to_array();
    fill_where(&mut y, mask, value);
    let mask = mask.clone();
    Ok(Tensor::from_op("masked_fill", y, [x], move |g, _| {
        let mut d = g.clone();
        fill_where(&mut d, &mask, F::zero());
        vec![Some(d)]
    }))
}

/// `y = value` where `mask` (which broadcasts to the shape of `y`) is true.
/// When the mask is the trailing shape of `y` and both are row-major (a
/// `(t, t)` mask on `(b, h, t, t)` scores), chunk by chunk of the mask's
/// size, in plain slices.
fn fill_where<F: Float>(y: &mut ArrayD<F>, mask: &ArrayD<bool>, value: F) {
    let (r, n) = (y.ndim(), mask.len());
    let trailing = mask.ndim() <= r && mask.shape() == &y.shape()[r - mask.ndim()..];
    if trailing
        && n > 0
        && let (Some(ms), Some(ys)) = (mask.as_slice(), y.as_slice_mut())
    {
        for chunk in ys.chunks_exact_mut(n) {
            for (y, &m) in chunk.iter_mut().zip(ms) {
                *y = if m { value } else { *y };
            }
        }
        return;
    }
    let m = mask.broadcast(y.raw_dim()).expect("checked to broadcast");
    y.zip_mut_with(&m, |y, &m| {
        if m {
            *y = value;
        }
    });
}

// ---------------------------------------------------------------- normalisation

/// Layer normalisation over the last axis (`d` entries), with a gain `γ` and
/// a shift `β` of shape `(d,)`: for each row `x`, with `μ` its mean, `σ²`
/// its (biased) variance, `x̂ = (x − μ) / √(σ² + ε)`,
///
/// ```text
///   y = γ ⊙ x̂ + β
///   ∂L/∂β = Σ_rows g,   ∂L/∂γ = Σ_rows g ⊙ x̂,
///   ∂L/∂x = (1/√(σ² + ε)) (ĝ − mean(ĝ) − x̂ mean(ĝ ⊙ x̂))
///           with ĝ = γ ⊙ g (per row)
/// ```
pub fn layer_norm<F: Float>(
    x: &Tensor<F>,
    gamma: &Tensor<F>,
    beta: &Tensor<F>,
    eps: F,
) -> Result<Tensor<F>> {
    let shape = x.shape();
    let d = shape.last().copied().unwrap_or(0);
    if d == 0 {
        return Err(Error::shape(
            "layer_norm: x",
            "an array whose last axis (normalised over) has at least one entry",
            shape_str(&shape),
        ));
    }
    for (name, t) in [("gamma", gamma), ("beta", beta)] {
        if t.shape() != [d] {
            return Err(Error::shape(
                format!("layer_norm of x of shape {}: {name}", shape_str(&shape)),
                format!("({d},), one entry per entry of the last axis"),
                shape_str(&t.shape()),
            ));
        }
    }
    if !(eps >= F::zero() && eps.is_finite()) {
        return Err(Error::parameter(
            "eps in layer_norm",
            "a finite number ≥ 0",
            eps,
        ));
    }
    let rows = x.value().len() / d;
    let dn = F::of(d as f64);
    let mut xhat = Array2::zeros((rows, d));
    let mut rstd = Array1::zeros(rows);
    {
        let xv = x.value();
        let x2 = xv
            .to_shape(((rows, d), Order::RowMajor))
            .expect("d divides the size");
        Zip::from(xhat.rows_mut())
            .and(&mut rstd)
            .and(x2.rows())
            .for_each(|mut h, r, x| {
                let mu = x.sum() / dn;
                let var = x.fold(F::zero(), |a, &v| a + (v - mu) * (v - mu)) / dn;
                *r = F::one() / (var + eps).sqrt();
                h.zip_mut_with(&x, |h, &v| *h = (v - mu) * *r);
            });
    }
    let mut y = Array2::zeros((rows, d));
    Zip::from(&mut y)
        .and(&xhat)
        .and_broadcast(vector(&gamma.value()))
        .and_broadcast(vector(&beta.value()))
        .for_each(|y, &h, &g, &b| *y = g * h + b);
    let y = y.into_shape_with_order(IxDyn(&shape)).expect("same size");
    let gt = gamma.clone();
    Ok(Tensor::from_op(
        "layer_norm",
        y,
        [x, gamma, beta],
        move |g, needs| {
            let g = g
                .to_shape(((rows, d), Order::RowMajor))
                .expect("output shape");
            let dx = || {
                let dx = layer_norm_dx(g.view(), xhat.view(), rstd.view(), vector(&gt.value()));
                dx.into_shape_with_order(IxDyn(&shape)).expect("same size")
            };
            let dgamma = || {
                let mut dgamma = Array1::zeros(d);
                for (g, h) in g.rows().into_iter().zip(xhat.rows()) {
                    Zip::from(&mut dgamma)
                        .and(&g)
                        .and(&h)
                        .for_each(|a, &g, &h| *a += g * h);
                }
                dgamma.into_dyn()
            };
            vec![
                needs[0].then(dx),
                needs[1].then(dgamma),
                needs[2].then(|| g.sum_axis(Axis(0)).into_dyn()),
            ]
        },
    ))
}

/// The backward rule of [`layer_norm`] for `x`, row by row: with `r` the
/// row's `1/√(σ² + ε)` and `ĝ = γ ⊙ g`,
/// `∂L/∂x = r (ĝ − mean(ĝ) − x̂ mean(ĝ ⊙ x̂))`.
fn layer_norm_dx<F: Float>(
    g: ArrayView2<'_, F>,
    xhat: ArrayView2<'_, F>,
    rstd: ArrayView1<'_, F>,
    gamma: ArrayView1<'_, F>,
) -> Array2<F> {
    let dn = F::of(gamma.len() as f64);
    let mut dx = Array2::zeros(g.raw_dim());
    Zip::from(dx.rows_mut())
        .and(g.rows())
        .and(xhat.rows())
        .and(&rstd)
        .for_each(|mut dx, g, h, &r| {
            let (mut mean_g, mut mean_gh) = (F::zero(), F::zero());
            Zip::from(&g).and(&h).and(&gamma).for_each(|&g, &h, &w| {
                mean_g += g * w;
                mean_gh += g * w * h;
            });
            let (mean_g, mean_gh) = (mean_g / dn, mean_gh / dn);
            Zip::from(&mut dx)
                .and(&g)
                .and(&h)
                .and(&gamma)
                .for_each(|dx, &g, &h, &w| *dx = r * (g * w - mean_g - h * mean_gh));
        });
    dx
}

// ---------------------------------------------------------------- matrices

/// The matrix product `Y = A · B`, by GEMM, for
/// - `A: (n, k)`, `B: (k, m)` → `(n, m)`;
/// - `A: (…, n, k)`, `B: (k, m)` → `(…, n, m)` (the leading axes of `A` are
///   rows too: `(b, t, d) · (d, e)`);
/// - batched, `A: (…, n, k)`, `B: (…, k, m)` with the same leading axes →
///   `(…, n, m)`, one product per matrix of the batch;
///
/// each with `∂L/∂A = G · Bᵀ`, `∂L/∂B = Aᵀ · G` (per matrix of the batch;
/// for a shared `B`, summed over the rows of all of them).
pub fn matmul<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let (sa, sb) = (a.shape(), b.shape());
    let [batch, n, k, m] = product_sizes(&sa, &sb)?;
    let (av, bv) = (a.value(), b.value());
    let y = gemm(
        stack(&av, [batch, n, k]).view(),
        false,
        stack(&bv, [batch, k, m]).view(),
        false,
    );
    let mut sy = sa.clone();
    sy[sa.len() - 1] = m;
    let y = y.into_shape_with_order(IxDyn(&sy)).expect("same size");
    let (ta, tb) = (a.clone(), b.clone());
    Ok(Tensor::from_op("matmul", y, [a, b], move |g, needs| {
        let g = stack(g, [batch, n, m]);
        let da = || {
            let b = tb.value();
            gemm(g.view(), false, stack(&b, [batch, k, m]).view(), true)
                .into_shape_with_order(IxDyn(&sa))
        };
        let db = || {
            let a = ta.value();
            gemm(stack(&a, [batch, n, k]).view(), true, g.view(), false)
                .into_shape_with_order(IxDyn(&sb))
        };
        vec![
            needs[0].then(|| da().expect("same size")),
            needs[1].then(|| db().expect("same size")),
        ]
    }))
}

// ---------------------------------------------------------------- attention

/// Causal multi-head self-attention in one op, from the output `x: (b, t, 3d)`
/// of a linear layer `d → 3d`: along the last axis the queries, keys and
/// values side by side (`q | k | v`, `d` each), each of them `heads` heads of
/// `dh = d / heads` features side by side. For each sequence and head, with
/// `qᵢ, kⱼ, vⱼ` the head's rows at positions `i, j`,
///
/// ```text
///   sᵢⱼ = qᵢ·kⱼ / √dh   for j ≤ i (position i sees itself and the earlier ones)
///   wᵢⱼ = e^{sᵢⱼ} / Σ_{l ≤ i} e^{sᵢₗ}       (0 for j > i)
///   yᵢ  = Σ_{j ≤ i} wᵢⱼ vⱼ                 at the head's dh columns of y: (b, t, d)
/// ```
///
/// the same as slicing `q`, `k`, `v` out of `x`, splitting each into
/// `(b, heads, t, dh)`, `softmax(q kᵀ/√dh + M) v` with `M = −∞` above the
/// diagonal, and putting the heads side by side again, without the copies:
/// q, k and v are read in place, only the entries `j ≤ i` are computed,
/// and the output is written in the layout a linear layer `d → d` reads.
/// The weights `W` of every head are kept for the backward rule:
///
/// ```text
///   ∂L/∂v = Wᵀ G,   ∂L/∂W = G vᵀ,   ∂L/∂S = W ⊙ (∂L/∂W − rowsum(∂L/∂W ⊙ W)),
///   ∂L/∂q = (∂L/∂S) k / √dh,   ∂L/∂k = (∂L/∂S)ᵀ q / √dh
/// ```
///
/// (`G = ∂L/∂y` of the head), put back at the columns of `x` they came from.
///
/// An error when `x` is not 3-D, `heads` is 0, or the last side is not a
/// nonzero multiple of `3·heads`.
pub fn causal_attention<F: Float>(x: &Tensor<F>, heads: usize) -> Result<Tensor<F>> {
    let shape = x.shape();
    let s = Heads::new(&shape, heads)?;
    let (b, t, d, h) = (s.b, s.t, s.d, s.h);
    let keep = recorded(&[x]);
    let tt = t * t;
    // All the heads' weights when the backward rule may run, else room for one.
    let mut w = vec![F::zero(); if keep { b * h * tt } else { tt }];
    let mut out = vec![F::zero(); b * t * d];
    {
        let xv = x.value();
        let xs = xv.as_standard_layout();
        let xs = xs.as_slice().expect("standard layout");
        // No positions, no work (and no view of an empty input).
        for bi in (0..b).filter(|_| t > 0) {
            for hi in 0..h {
                let wh = if keep {
                    &mut w[(bi * h + hi) * tt..][..tt]
                } else {
                    &mut w[..]
                };
                attention_head(xs, s, (bi, hi), wh, &mut out);
            }
        }
    }
    let y = ArrayD::from_shape_vec(IxDyn(&[b, t, d]), out).expect("b·t·d");
    let xt = x.clone();
    Ok(Tensor::from_op("causal_attention", y, [x], move |g, _| {
        let xv = xt.value();
        let xs = xv.as_standard_layout();
        let xs = xs.as_slice().expect("standard layout");
        let g = g.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let mut dx = vec![F::zero(); b * t * 3 * d];
        let mut ds = vec![F::zero(); tt];
        for bi in (0..b).filter(|_| t > 0) {
            for hi in 0..h {
                let wh = &w[(bi * h + hi) * tt..][..tt];
                attention_head_backward(xs, s, (bi, hi), (wh, g), &mut ds, &mut dx);
            }
        }
        vec![Some(
            ArrayD::from_shape_vec(IxDyn(&shape), dx).expect("the input's size"),
        )]
    }))
}

// ---------------------------------------------------------------- images

/// 2-D convolution (cross-correlation, as in every deep-learning library) of
/// `x: (n, c, h, w)` with `weight: (o, c, kh, kw)`, plus `bias: (o,)`, with
/// zero padding `p` on every side and stride `s`: `y: (n, o, oh, ow)`,
/// `oh = ⌊(h + 2p − kh)/s⌋ + 1` (and `ow` alike),
///
/// ```text
///   y[i, f, r, q] = b[f] + Σ_{c, u, v} W[f, c, u, v] · x[i, c, r·s + u − p, q·s + v − p]
/// ```
///
/// computed as one GEMM `Y = W · X_col` where `X_col: (c·kh·kw, n·oh·ow)`
/// holds every patch as a column (im2col). Backward: `∂L/∂W = G · X_colᵀ`,
/// `∂L/∂b = Σ G` over images and positions, and `∂L/∂x` = the columns
/// `Wᵀ · G` added back to the pixels they came from (col2im).
pub fn conv2d<F: Float>(
    x: &Tensor<F>,
    weight: &Tensor<F>,
    bias: Option<&Tensor<F>>,
    stride: usize,
    padding: usize,
) -> Result<Tensor<F>> {
    let cv = Conv::new(
        &x.shape(),
        &weight.shape(),
        bias.map(|b| b.shape()),
        stride,
        padding,
    )?;
    let cols = im2col(&x.value(), &cv);
    let product = gemm2(weight_matrix(&weight.value(), &cv).view(), cols.view());
    let l = cv.oh * cv.ow;
    let mut y = Array3::zeros((cv.n, cv.o, l));
    let product = product
        .into_shape_with_order((cv.o, cv.n, l))
        .expect("o × n·oh·ow");
    y.assign(&product.permuted_axes([1, 0, 2]));
    if let Some(b) = bias {
        for (mut plane, &b) in y.axis_iter_mut(Axis(1)).zip(b.value().iter()) {
            plane.mapv_inplace(|v| v + b);
        }
    }
    let y = y
        .into_shape_with_order(IxDyn(&[cv.n, cv.o, cv.oh, cv.ow]))
        .expect("same size");
    let wt = weight.clone();
    let parents: Vec<&Tensor<F>> = [x, weight].into_iter().chain(bias).collect();
    Ok(Tensor::from_op("conv2d", y, parents, move |g, needs| {
        // G as (o, n·oh·ow), the layout of the product.
        let g3 = g
            .to_shape(((cv.n, cv.o, l), Order::RowMajor))
            .expect("output shape");
        let mut gm = Array3::zeros((cv.o, cv.n, l));
        gm.assign(&g3.view().permuted_axes([1, 0, 2]));
        let gm = gm
            .into_shape_with_order((cv.o, cv.n * l))
            .expect("same size");
        let dx = || {
            let columns = gemm2(weight_matrix(&wt.value(), &cv).t(), gm.view());
            col2im(&columns, &cv)
        };
        let dw = || {
            let shape = IxDyn(&[cv.o, cv.c, cv.kh, cv.kw]);
            gemm2(gm.view(), cols.t())
                .into_shape_with_order(shape)
                .expect("same size")
        };
        let mut grads = vec![needs[0].then(dx), needs[1].then(dw)];
        if needs.len() > 2 {
            grads.push(needs[2].then(|| gm.sum_axis(Axis(1)).into_dyn()));
        }
        grads
    }))
}

/// Max pooling over `size × size` windows with stride `size`, `x: (n, c, h,
/// w)` → `(n, c, ⌊h/size⌋, ⌊w/size⌋)` (the last rows and columns that fill
/// no window are dropped): `y` = the largest entry of each window;
/// `∂L/∂x = g` at the first maximum of each window (row-major order; a NaN
/// counts as the maximum), 0 elsewhere.
pub fn max_pool2d<F: Float>(x: &Tensor<F>, size: usize) -> Result<Tensor<F>> {
    let shape = x.shape();
    if size == 0 {
        return Err(Error::parameter(
            format!("the window size of max_pool2d on {}", shape_str(&shape)),
            "at least 1",
            size,
        ));
    }
    let &[n, c, h, w] = shape.as_slice() else {
        return Err(Error::shape(
            "max_pool2d: the input",
            "a batch of images (n, c, h, w)",
            shape_str(&shape),
        ));
    };
    if h < size || w < size {
        return Err(Error::shape(
            format!("max_pool2d with windows of {size} × {size}: the input"),
            format!("(n, c, h, w) with h ≥ {size} and w ≥ {size}"),
            shape_str(&shape),
        ));
    }
    let (oh, ow) = (h / size, w / size);
    let xv = x.value();
    let xs = xv.as_standard_layout();
    let xs = xs.as_slice().expect("standard layout");
    // Window by window, without branches (comparisons of data are
    // unpredictable): a larger entry replaces the maximum and its position,
    // so a tie keeps the first; a window holding a NaN gets its first NaN.
    let mut y = Vec::with_capacity(n * c * oh * ow);
    let mut at = Vec::with_capacity(n * c * oh * ow);
    for r in 0..n * c * oh {
        let corner = (r / oh) * h * w + (r % oh) * size * w;
        for q in 0..ow {
            let start = corner + q * size;
            let (mut best, mut i, mut nan) = (xs[start], start, false);
            for u in 0..size {
                let row = start + u * w;
                for (v, &value) in xs[row..row + size].iter().enumerate() {
                    let take = value > best;
                    best = if take { value } else { best };
                    i ^= (i ^ (row + v)) & usize::from(take).wrapping_neg();
                    nan |= value.is_nan();
                }
            }
            if nan {
                let mut window = (0..size).flat_map(|u| (start + u * w)..(start + u * w + size));
                i = window.find(|&k| xs[k].is_nan()).expect("a NaN");
                best = xs[i];
            }
            y.push(best);
            at.push(i);
        }
    }
    let y = ArrayD::from_shape_vec(IxDyn(&[n, c, oh, ow]), y).expect("n·c·oh·ow");
    drop(xv);
    Ok(Tensor::from_op("max_pool2d", y, [x], move |g, _| {
        let mut d = vec![F::zero(); n * c * h * w];
        for (&i, &g) in at.iter().zip(g.iter()) {
            d[i] += g;
        }
        vec![Some(
            ArrayD::from_shape_vec(IxDyn(&shape), d).expect("the input's size"),
        )]
    }))
}
