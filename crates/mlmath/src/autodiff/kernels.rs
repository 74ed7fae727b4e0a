//! The plumbing under the ops of [`ops`](super::ops): the `f32` polynomials
//! for `eˣ` and `tanh x`, broadcasting, the shapes of matrix products and
//! their batched products, and the geometry of a convolution with its
//! im2col and col2im.

use ndarray::linalg::general_mat_mul;
use ndarray::{
    Array2, Array3, ArrayD, ArrayView1, ArrayView2, ArrayView3, ArrayViewMut2, Axis, CowArray, Ix1,
    Ix2, Ix3, IxDyn, Order, ShapeBuilder, Zip,
};

use super::{Float, Tensor, is_recording, shape_str};
use crate::error::{Error, Result};

use super::checks::*;

/// `eˣ` as the ops compute it: by the standard library in `f64` (gradient
/// checks), by [`exp_f32`] in `f32` (training), which vectorises.
#[inline]
pub(crate) fn exp_of<F: Float>(x: F) -> F {
    if size_of::<F>() == 4 {
        F::of(f64::from(exp_f32(x.as_f64() as f32)))
    } else {
        x.exp()
    }
}

/// `tanh x` as the ops compute it: by the standard library in `f64`, by
/// [`tanh_f32`] in `f32`.
#[inline]
pub(crate) fn tanh_of<F: Float>(x: F) -> F {
    if size_of::<F>() == 4 {
        F::of(f64::from(tanh_f32(x.as_f64() as f32)))
    } else {
        x.tanh()
    }
}

/// `eˣ` in `f32`, within one unit in the last place (tested against `f64`),
/// in arithmetic a compiler turns into vector instructions (the standard
/// library's `expf` is a call per number). With `n = round(x / ln 2)` and
/// `r = x − n ln 2` (so `|r| ≤ ln 2 / 2`),
///
/// ```text
///   eˣ = 2ⁿ · eʳ,   eʳ ≈ Σ_{k ≤ 7} rᵏ / k!   (the next term is below 10⁻⁸ eʳ)
/// ```
///
/// `ln 2 = 355/512 − 2.1219444·10⁻⁴` in two parts, so that `n · 355/512` is
/// exact; `n` is rounded by adding and subtracting `1.5·2²³`, which leaves
/// it in the low bits of the sum; `2ⁿ` is built from its exponent bits, as
/// `2^⌊n/2⌋ · 2^(n − ⌊n/2⌋)` so that neither factor overflows before the
/// product does. NaN stays NaN, `+∞` gives `+∞`, `−∞` gives 0.
#[inline]
pub(crate) fn exp_f32(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³
    let x = x.clamp(-104.0, 89.0); // e^-104 rounds to 0, e^89 to ∞
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (x - n * 0.693_359_4) + n * 2.121_944_4e-4;
    let mut p = 1.0 / 5040.0;
    for k in [720.0, 120.0, 24.0, 6.0, 2.0, 1.0, 1.0] {
        p = p * r + 1.0 / k;
    }
    let n = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    let power = |k: i32| f32::from_bits(((k + 127) as u32) << 23);
    p * power(n >> 1) * power(n - (n >> 1))
}

/// `tanh x` in `f32`, within two units in the last place (tested against
/// `f64`), vectorisable: for `|x| < 1/2` its odd Taylor series to `x¹⁵`
/// (the next term is below 10⁻⁸ of the sum), else
/// `sign(x) (1 − 2 / (e^{2|x|} + 1))` with [`exp_f32`].
#[inline]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    const SERIES: [f32; 8] = [
        1.0,
        -1.0 / 3.0,
        2.0 / 15.0,
        -17.0 / 315.0,
        62.0 / 2835.0,
        -1382.0 / 155_925.0,
        21_844.0 / 6_081_075.0,
        -929_569.0 / 638_512_875.0,
    ];
    let x2 = x * x;
    let series = x * SERIES.iter().rev().fold(0.0, |s, &c| s * x2 + c);
    let far = (1.0 - 2.0 / (exp_f32(2.0 * x.abs()) + 1.0)).copysign(x);
    if x.abs() < 0.5 { series } else { far }
}

/// Sums `g` down to `shape`: the backward rule of broadcasting (a value
/// used at many positions receives the sum of their gradients).
/// Takes `g` borrowed or owned: nothing is copied when the shapes agree and
/// `g` is owned.
pub(crate) fn unbroadcast<'a, F: Float>(
    g: impl Into<CowArray<'a, F, IxDyn>>,
    shape: &[usize],
) -> ArrayD<F> {
    let mut g = g.into();
    while g.ndim() > shape.len() {
        g = g.sum_axis(Axis(0)).into();
    }
    for (axis, &side) in shape.iter().enumerate() {
        if side == 1 && g.shape()[axis] != 1 {
            g = g.sum_axis(Axis(axis)).insert_axis(Axis(axis)).into();
        }
    }
    g.into_owned()
}

/// `f(a, b)` entry by entry, `a` and `b` broadcast to their common shape.
pub(super) fn broadcast_zip<F: Float>(
    op: &str,
    a: &Tensor<F>,
    b: &Tensor<F>,
    f: impl Fn(F, F) -> F,
) -> Result<ArrayD<F>> {
    let (av, bv) = (a.value(), b.value());
    let shape = IxDyn(&broadcast_shape(op, av.shape(), bv.shape())?);
    let a = av.broadcast(shape.clone()).expect("shape checked");
    let b = bv.broadcast(shape).expect("shape checked");
    Ok(Zip::from(&a).and(&b).map_collect(|&a, &b| f(a, b)))
}

/// The chain rule of an elementwise op: `g ⊙ dy(at)`, written into a copy of
/// `g` (`at` broadcasts to the shape of `g`).
pub(super) fn chain<F: Float>(g: &ArrayD<F>, at: &ArrayD<F>, dy: impl Fn(F) -> F) -> ArrayD<F> {
    let mut d = g.clone();
    d.zip_mut_with(at, |d, &a| *d *= dy(a));
    d
}

/// Whether an op on `inputs` is recorded (so its backward rule may run).
pub(super) fn recorded<F: Float>(inputs: &[&Tensor<F>]) -> bool {
    is_recording() && inputs.iter().any(|t| t.requires_grad())
}

/// A copy of `y` for a backward rule, made only when the op is recorded
/// (otherwise the rule never runs and gets an empty array).
pub(super) fn saved<F: Float, const N: usize>(y: &ArrayD<F>, inputs: [&Tensor<F>; N]) -> ArrayD<F> {
    if recorded(&inputs) {
        y.clone()
    } else {
        ArrayD::zeros(IxDyn(&[0]))
    }
}

/// `y` with `axis` put back as a side of 1 when `keep` (after a reduction).
pub(super) fn kept<F: Float>(y: ArrayD<F>, axis: usize, keep: bool) -> ArrayD<F> {
    if keep { y.insert_axis(Axis(axis)) } else { y }
}

/// The gradient of a sum along `axis`: `scale · g` repeated along the axis
/// to `shape` (`g` has the axis as a side of 1 when `kept`).
pub(super) fn spread<F: Float>(
    g: &ArrayD<F>,
    shape: &[usize],
    axis: usize,
    kept: bool,
    scale: F,
) -> ArrayD<F> {
    let g = if kept {
        g.view()
    } else {
        g.view().insert_axis(Axis(axis))
    };
    let g = g.broadcast(IxDyn(shape)).expect("g has the reduced shape");
    g.mapv(|v| v * scale)
}

/// Whether `v` replaces `best` as the maximum so far: it is larger, or the
/// first NaN (so that a NaN propagates, as in NumPy's `max`).
pub(super) fn beats<F: Float>(v: F, best: F) -> bool {
    (v > best) | (v.is_nan() & !best.is_nan())
}

/// The number of entries of `shape`, or `None` when no array can have that
/// shape (ndarray's limit: the product of the nonzero sides is at most
/// `isize::MAX`).
pub(super) fn entries(shape: &[usize]) -> Option<usize> {
    let nonzero = shape
        .iter()
        .try_fold(1usize, |n, &s| n.checked_mul(s.max(1)))?;
    (nonzero <= isize::MAX as usize).then(|| shape.iter().product())
}

/// The entries of `x` in row-major order, in `shape` (as many entries).
pub(super) fn in_shape<F: Float>(x: &ArrayD<F>, shape: &[usize]) -> ArrayD<F> {
    x.to_shape((IxDyn(shape), Order::RowMajor))
        .expect("as many entries")
        .into_owned()
}

/// `x` with axes `a` and `b` swapped, in row-major order.
pub(super) fn swapped<F: Float>(x: &ArrayD<F>, a: usize, b: usize) -> ArrayD<F> {
    let mut v = x.view();
    v.swap_axes(a, b);
    v.as_standard_layout().into_owned()
}

/// A 1-D value (shape checked by the caller) as a vector view.
pub(super) fn vector<F: Float>(x: &ArrayD<F>) -> ArrayView1<'_, F> {
    x.view().into_dimensionality::<Ix1>().expect("checked 1-D")
}

/// The sizes `[batch, n, k, m]` of the product of `a: sa` by `b: sb` as a
/// stack of `batch` products `(n, k) · (k, m)`, or an error naming both
/// shapes. With a 2-D `b` every row of `a` is a row of one product.
pub(super) fn product_sizes(sa: &[usize], sb: &[usize]) -> Result<[usize; 4]> {
    let r = sa.len();
    if r < 2 {
        return Err(Error::shape(
            format!(
                "matmul by a right operand of shape {}: the left operand",
                shape_str(sb)
            ),
            "a matrix (n, k) or a stack of them (…, n, k)",
            shape_str(sa),
        ));
    }
    let (lead, n, k) = (&sa[..r - 2], sa[r - 2], sa[r - 1]);
    match sb {
        [k2, m] if *k2 == k => Ok([1, sa[..r - 1].iter().product(), k, *m]),
        _ if sb.len() == r && sb[..r - 2] == *lead && sb[r - 2] == k => {
            Ok([lead.iter().product(), n, k, sb[r - 1]])
        }
        _ => Err(Error::shape(
            format!("matmul of {} by the right operand", shape_str(sa)),
            if lead.is_empty() {
                format!("a matrix of shape ({k}, m)")
            } else {
                let lead: Vec<String> = lead.iter().map(|s| s.to_string()).collect();
                format!("a matrix ({k}, m) or a stack ({}, {k}, m)", lead.join(", "))
            },
            shape_str(sb),
        )),
    }
}

/// `x` (of `b·r·c` entries) seen as a stack of `b` matrices `(r, c)`,
/// without a copy when it is in row-major order.
pub(super) fn stack<F: Float>(x: &ArrayD<F>, [b, r, c]: [usize; 3]) -> CowArray<'_, F, Ix3> {
    x.to_shape(((b, r, c), Order::RowMajor))
        .expect("sizes checked")
}

/// `Cᵢ = op(Aᵢ) · op(Bᵢ)` for each matrix `i` of the stacks, `op` the
/// transpose where asked: one GEMM (matrixmultiply) per matrix.
pub(super) fn gemm<F: Float>(
    a: ArrayView3<'_, F>,
    ta: bool,
    b: ArrayView3<'_, F>,
    tb: bool,
) -> Array3<F> {
    let (batch, rows) = (a.dim().0, if ta { a.dim().2 } else { a.dim().1 });
    let cols = if tb { b.dim().1 } else { b.dim().2 };
    let mut c = Array3::zeros((batch, rows, cols));
    for ((ai, bi), mut ci) in a.outer_iter().zip(b.outer_iter()).zip(c.outer_iter_mut()) {
        general_mat_mul(
            F::one(),
            &transposed(ai, ta),
            &transposed(bi, tb),
            F::zero(),
            &mut ci,
        );
    }
    c
}

/// `A · B` as a new row-major matrix: one GEMM (matrixmultiply).
pub(super) fn gemm2<F: Float>(a: ArrayView2<'_, F>, b: ArrayView2<'_, F>) -> Array2<F> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    general_mat_mul(F::one(), &a, &b, F::zero(), &mut c);
    c
}

/// `v`, or its transpose when `t`.
pub(super) fn transposed<F: Float>(v: ArrayView2<'_, F>, t: bool) -> ArrayView2<'_, F> {
    if t { v.reversed_axes() } else { v }
}

/// The sizes of a convolution: `x: (n, c, h, w)`, `weight: (o, c, kh, kw)`,
/// stride `s`, padding `p`, output `(n, o, oh, ow)`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Conv {
    pub(super) n: usize,
    pub(super) c: usize,
    pub(super) h: usize,
    pub(super) w: usize,
    pub(super) o: usize,
    pub(super) kh: usize,
    pub(super) kw: usize,
    pub(super) s: usize,
    pub(super) p: usize,
    pub(super) oh: usize,
    pub(super) ow: usize,
}

/// The most entries an im2col matrix may hold (10⁸, 400 MB of f32): a
/// larger one comes from a mistyped shape or padding.
pub(super) const MAX_COLUMNS: usize = 100_000_000;

impl Conv {
    /// Checks the shapes and parameters of a convolution and sizes it.
    pub(super) fn new(
        xs: &[usize],
        ws: &[usize],
        bs: Option<Vec<usize>>,
        s: usize,
        p: usize,
    ) -> Result<Conv> {
        let &[n, c, h, w] = xs else {
            return Err(Error::shape(
                format!(
                    "conv2d with a weight of shape {}: the input x",
                    shape_str(ws)
                ),
                "a batch of images (n, c, h, w)",
                shape_str(xs),
            ));
        };
        let &[o, wc, kh, kw] = ws else {
            return Err(Error::shape(
                format!("conv2d of x of shape {}: the weight", shape_str(xs)),
                format!("a stack of kernels (o, {c}, kh, kw)"),
                shape_str(ws),
            ));
        };
        if wc != c || c == 0 || kh == 0 || kw == 0 {
            return Err(Error::shape(
                format!("conv2d of x of shape {}: the weight", shape_str(xs)),
                format!("(o, {c}, kh, kw), {c} input channels as in x, kh, kw, c ≥ 1"),
                shape_str(ws),
            ));
        }
        if let Some(bs) = bs
            && bs != [o]
        {
            return Err(Error::shape(
                format!("conv2d with a weight of shape {}: the bias", shape_str(ws)),
                format!("({o},), one per output channel"),
                shape_str(&bs),
            ));
        }
        if s == 0 {
            return Err(Error::parameter("the stride of conv2d", "at least 1", s));
        }
        let padded = |side: usize| p.checked_mul(2).and_then(|p2| side.checked_add(p2));
        let (Some(hp), Some(wp)) = (padded(h), padded(w)) else {
            return Err(Error::parameter(
                format!("the padding of conv2d of x of shape {}", shape_str(xs)),
                "a padding that fits in memory",
                p,
            ));
        };
        if kh > hp || kw > wp {
            return Err(Error::shape(
                format!(
                    "conv2d of x of shape {} with padding {p}: the weight",
                    shape_str(xs)
                ),
                format!("kernels no larger than the padded images, {hp} × {wp}"),
                shape_str(ws),
            ));
        }
        let (oh, ow) = ((hp - kh) / s + 1, (wp - kw) / s + 1);
        let size = entries(&[c, kh, kw, n, oh, ow]);
        if size.is_none_or(|e| e > MAX_COLUMNS) {
            return Err(Error::parameter(
                format!(
                    "the im2col matrix (c·kh·kw, n·oh·ow) of conv2d of x {} by {} \
                     (padding {p})",
                    shape_str(xs),
                    shape_str(ws)
                ),
                format!("at most {MAX_COLUMNS} entries (use smaller batches or padding)"),
                format!("({c}·{kh}·{kw}, {n}·{oh}·{ow})"),
            ));
        }
        Ok(Conv {
            n,
            c,
            h,
            w,
            o,
            kh,
            kw,
            s,
            p,
            oh,
            ow,
        })
    }
}

/// The weight `(o, c, kh, kw)` as the matrix `(o, c·kh·kw)`.
pub(super) fn weight_matrix<'a, F: Float>(w: &'a ArrayD<F>, cv: &Conv) -> CowArray<'a, F, Ix2> {
    w.to_shape(((cv.o, cv.c * cv.kh * cv.kw), Order::RowMajor))
        .expect("checked shape")
}

/// The output positions `q` whose input position `q·s + k − p` lies inside
/// `0..len` (the others read the zero padding).
pub(super) fn inside(k: usize, cv: &Conv, len: usize, out: usize) -> std::ops::Range<usize> {
    let lo = cv.p.saturating_sub(k).div_ceil(cv.s);
    let hi = (len + cv.p).saturating_sub(k).div_ceil(cv.s).min(out);
    lo.min(hi)..hi
}

/// im2col: `X_col[(c, u, v), (i, r, q)] = x[i, c, r·s + u − p, q·s + v − p]`
/// (0 in the padding), one row per kernel entry, one column per patch.
pub(super) fn im2col<F: Float>(x: &ArrayD<F>, cv: &Conv) -> Array2<F> {
    let (rows, l) = (cv.c * cv.kh * cv.kw, cv.oh * cv.ow);
    let mut cols = Array2::zeros((rows, cv.n * l));
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    for (r, mut row) in cols.rows_mut().into_iter().enumerate() {
        let (ci, u, v) = (r / (cv.kh * cv.kw), r / cv.kw % cv.kh, r % cv.kw);
        let row = row.as_slice_mut().expect("a row of a fresh matrix");
        let qs = inside(v, cv, cv.w, cv.ow);
        if qs.is_empty() {
            continue;
        }
        for i in 0..cv.n {
            let plane = &x[(i * cv.c + ci) * cv.h * cv.w..][..cv.h * cv.w];
            for oy in inside(u, cv, cv.h, cv.oh) {
                let dst = &mut row[i * l + oy * cv.ow..][qs.clone()];
                let from = (oy * cv.s + u - cv.p) * cv.w + qs.start * cv.s + v - cv.p;
                if cv.s == 1 {
                    dst.copy_from_slice(&plane[from..from + dst.len()]);
                } else {
                    let src = plane[from..].iter().step_by(cv.s);
                    dst.iter_mut().zip(src).for_each(|(d, &x)| *d = x);
                }
            }
        }
    }
    cols
}

/// col2im, the adjoint of [`im2col`]: each entry of `cols` added back to the
/// pixel of `x: (n, c, h, w)` it was read from.
pub(super) fn col2im<F: Float>(cols: &Array2<F>, cv: &Conv) -> ArrayD<F> {
    let l = cv.oh * cv.ow;
    let mut x = vec![F::zero(); cv.n * cv.c * cv.h * cv.w];
    for (r, row) in cols.rows().into_iter().enumerate() {
        let row = row.to_slice().expect("a row of a fresh matrix");
        let (ci, u, v) = (r / (cv.kh * cv.kw), r / cv.kw % cv.kh, r % cv.kw);
        let qs = inside(v, cv, cv.w, cv.ow);
        if qs.is_empty() {
            continue;
        }
        for i in 0..cv.n {
            let plane = &mut x[(i * cv.c + ci) * cv.h * cv.w..][..cv.h * cv.w];
            for oy in inside(u, cv, cv.h, cv.oh) {
                let src = &row[i * l + oy * cv.ow..][qs.clone()];
                let dst = &mut plane[(oy * cv.s + u - cv.p) * cv.w + qs.start * cv.s + v - cv.p..];
                dst.iter_mut()
                    .step_by(cv.s)
                    .zip(src)
                    .for_each(|(d, &g)| *d += g);
            }
        }
    }
    ArrayD::from_shape_vec(IxDyn(&[cv.n, cv.c, cv.h, cv.w]), x).expect("n·c·h·w")
}

/// The sizes of a fused causal attention ([`causal_attention`](super::ops::causal_attention))
/// on an input `(b, t, 3d)`: `h` heads of `dh = d / h` features each.
#[derive(Clone, Copy, Debug)]
pub(super) struct Heads {
    pub(super) b: usize,
    pub(super) t: usize,
    pub(super) d: usize,
    pub(super) h: usize,
    pub(super) dh: usize,
}

impl Heads {
    /// Checks the input shape `(b, t, 3d)` and the number of heads (`3·heads`
    /// divides the last side, which is not 0).
    pub(super) fn new(shape: &[usize], heads: usize) -> Result<Heads> {
        let &[b, t, last] = shape else {
            return Err(Error::shape(
                "causal_attention: the input",
                "(b, t, 3d): the queries, keys and values side by side, as a linear layer \
                 d → 3d makes them",
                shape_str(shape),
            ));
        };
        if heads == 0 {
            return Err(Error::parameter(
                format!("heads of causal_attention on {}", shape_str(shape)),
                "at least 1",
                heads,
            ));
        }
        if last == 0 || !last.is_multiple_of(3 * heads) {
            return Err(Error::shape(
                format!("causal_attention with {heads} heads: the input"),
                format!(
                    "(b, t, 3d) with d a nonzero multiple of {heads} (a last side that is a \
                     multiple of 3·heads = {}); change heads or the width of the layer",
                    3 * heads
                ),
                shape_str(shape),
            ));
        }
        let d = last / 3;
        Ok(Heads {
            b,
            t,
            d,
            h: heads,
            dh: d / heads,
        })
    }

    /// Where the query row `i` of head `hi` of sequence `bi` starts in the
    /// input `(b, t, 3d)`; its key row starts `d` later, its value row `2d`.
    #[inline]
    fn row(&self, bi: usize, hi: usize, i: usize) -> usize {
        (bi * self.t + i) * 3 * self.d + hi * self.dh
    }

    /// `1/√dh`.
    fn scale<F: Float>(&self) -> F {
        F::one() / F::of(self.dh as f64).sqrt()
    }
}

/// The queries (`part` 0), keys (1) or values (2) of head `hi` of sequence
/// `bi`, a `(t, dh)` view into `x: (b, t, 3d)` (rows `3d` apart).
fn head_view<F: Float>(
    x: &[F],
    s: Heads,
    (bi, hi): (usize, usize),
    part: usize,
) -> ArrayView2<'_, F> {
    let at = s.row(bi, hi, 0) + part * s.d;
    ArrayView2::from_shape((s.t, s.dh).strides((3 * s.d, 1)), &x[at..]).expect("inside x")
}

/// The query, key and value blocks of one (sequence, head) of `x`.
fn qkv_views<F: Float>(
    x: &[F],
    s: Heads,
    at: (usize, usize),
) -> (ArrayView2<'_, F>, ArrayView2<'_, F>, ArrayView2<'_, F>) {
    (
        head_view(x, s, at, 0),
        head_view(x, s, at, 1),
        head_view(x, s, at, 2),
    )
}

/// The same `(t, dh)` block of `y: (b, t, w·d)` to write (rows `w·d`
/// apart, `w` = 1 for the output, 3 for the gradient of the input).
fn head_view_mut<F: Float>(
    y: &mut [F],
    s: Heads,
    (bi, hi): (usize, usize),
    (w, part): (usize, usize),
) -> ArrayViewMut2<'_, F> {
    let at = (bi * s.t * w + part) * s.d + hi * s.dh;
    let shape = (s.t, s.dh).strides((w * s.d, 1));
    ArrayViewMut2::from_shape(shape, &mut y[at..]).expect("inside y")
}

/// The forward pass of one head `hi` of sequence `bi` of a causal attention
/// on `x: (b, t, 3d)` (row-major): for each query row `i`,
///
/// ```text
///   sᵢⱼ = qᵢ·kⱼ / √dh  (j ≤ i),   wᵢⱼ = e^{sᵢⱼ − maxⱼ sᵢⱼ} / Σⱼ e^{sᵢⱼ − maxⱼ sᵢⱼ},
///   oᵢ  = Σ_{j ≤ i} wᵢⱼ vⱼ
/// ```
///
/// `S = Q Kᵀ/√dh` and `O = W V` are GEMMs (matrixmultiply) on views of `x`
/// with its strides; the softmax reads only `j ≤ i` and sets the rest of
/// `w` (`t × t`, row-major) to 0; `O` goes into `out: (b, t, d)` at the
/// head's columns.
pub(super) fn attention_head<F: Float>(
    x: &[F],
    s: Heads,
    at: (usize, usize),
    w: &mut [F],
    out: &mut [F],
) {
    let t = s.t;
    let (q, k, v) = qkv_views(x, s, at);
    let mut wv = ArrayViewMut2::from_shape((t, t), &mut *w).expect("t × t");
    general_mat_mul(s.scale::<F>(), &q, &k.t(), F::zero(), &mut wv);
    for (i, row) in w.chunks_exact_mut(t).enumerate() {
        let (seen, future) = row.split_at_mut(i + 1);
        softmax_line(seen);
        future.fill(F::zero());
    }
    let wv = ArrayView2::from_shape((t, t), &*w).expect("t × t");
    general_mat_mul(
        F::one(),
        &wv,
        &v,
        F::zero(),
        &mut head_view_mut(out, s, at, (1, 0)),
    );
}

/// The backward pass of [`attention_head`]: from the saved weights `w`
/// (`t × t`, 0 above the diagonal) and `g = ∂L/∂out: (b, t, d)`,
///
/// ```text
///   ∂L/∂W = G Vᵀ,   ∂L/∂sᵢⱼ = wᵢⱼ (∂L/∂wᵢⱼ − Σₗ wᵢₗ ∂L/∂wᵢₗ)  (j ≤ i, else 0)
///   ∂L/∂Q = (∂L/∂S) K / √dh,   ∂L/∂K = (∂L/∂S)ᵀ Q / √dh,   ∂L/∂V = Wᵀ G
/// ```
///
/// by GEMMs on strided views, written into `dx: (b, t, 3d)` at the head's
/// query, key and value columns. `ds` is room for `∂L/∂S` (`t × t`).
pub(super) fn attention_head_backward<F: Float>(
    x: &[F],
    s: Heads,
    at: (usize, usize),
    (w, g): (&[F], &[F]),
    ds: &mut [F],
    dx: &mut [F],
) {
    let t = s.t;
    let (q, k, v) = qkv_views(x, s, at);
    let (bi, hi) = at;
    let gv = ArrayView2::from_shape(
        (t, s.dh).strides((s.d, 1)),
        &g[(bi * t) * s.d + hi * s.dh..],
    )
    .expect("inside g");
    let mut dsv = ArrayViewMut2::from_shape((t, t), &mut *ds).expect("t × t");
    general_mat_mul(F::one(), &gv, &v.t(), F::zero(), &mut dsv);
    let scale = s.scale::<F>();
    for (i, (d, w)) in ds.chunks_exact_mut(t).zip(w.chunks_exact(t)).enumerate() {
        let (seen, future) = d.split_at_mut(i + 1);
        let dot = seen.iter().zip(w).fold(F::zero(), |a, (&d, &w)| a + d * w);
        for (d, &w) in seen.iter_mut().zip(w) {
            *d = w * (*d - dot) * scale;
        }
        future.fill(F::zero());
    }
    let dsv = ArrayView2::from_shape((t, t), &*ds).expect("t × t");
    let wv = ArrayView2::from_shape((t, t), w).expect("t × t");
    let one = F::one();
    general_mat_mul(
        one,
        &dsv,
        &k,
        F::zero(),
        &mut head_view_mut(dx, s, at, (3, 0)),
    );
    general_mat_mul(
        one,
        &dsv.t(),
        &q,
        F::zero(),
        &mut head_view_mut(dx, s, at, (3, 1)),
    );
    general_mat_mul(
        one,
        &wv.t(),
        &gv,
        F::zero(),
        &mut head_view_mut(dx, s, at, (3, 2)),
    );
}

/// The entries of `y` as one slice and the length of its lines along
/// `axis`, when `axis` is the last one, `y` is in row-major order and the
/// lines are not empty (so that each line is a slice of the next `n`
/// entries); `None` otherwise.
pub(super) fn last_lines<F: Float>(y: &mut ArrayD<F>, axis: usize) -> Option<(&mut [F], usize)> {
    let n = *y.shape().last()?;
    if axis + 1 != y.ndim() || n == 0 {
        return None;
    }
    y.as_slice_mut().map(|s| (s, n))
}

/// `softmax` of one line in place: `e^{xᵢ − m} / Σⱼ e^{xⱼ − m}` with `m`
/// the largest entry.
pub(super) fn softmax_line<F: Float>(line: &mut [F]) {
    let m = line.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
    // The exponentials in a loop of their own, which vectorises.
    line.iter_mut().for_each(|v| *v = exp_of(*v - m));
    let total = line.iter().fold(F::zero(), |a, &v| a + v);
    line.iter_mut().for_each(|v| *v /= total);
}
