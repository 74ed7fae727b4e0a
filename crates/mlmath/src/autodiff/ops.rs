//! The ops of the engine, each with its forward value and its backward rule
//! side by side: this file is a table of derivatives.
//!
//! Every op takes its inputs as [`Tensor`]s, computes the value, and hands
//! [`Tensor::from_op`] a closure that maps `g = ∂L/∂y` (the gradient of the
//! loss with respect to the op's output) to the gradients with respect to
//! each input: the vector-Jacobian product `(∂y/∂x)ᵀ g`. The closure gets a
//! flag per input saying whether that input needs a gradient at all, so
//! that no work is spent on the gradient of data.
//!
//! Shapes are checked before any arithmetic: a mismatch is an error that
//! names the op and both shapes.

use ndarray::{ArrayD, Axis, Ix2, IxDyn};

use super::{Float, Tensor, shape_str};
use crate::error::{Error, Result};

// ---------------------------------------------------------------- helpers

/// The shape two shapes broadcast to (NumPy's rule: align on the right; a
/// side of 1 stretches), or an error naming the op and both shapes.
pub(crate) fn broadcast_shape(op: &str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let side = |s: &[usize], i: usize| {
        if i + s.len() >= n {
            s[i + s.len() - n]
        } else {
            1
        }
    };
    (0..n)
        .map(|i| match (side(a, i), side(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            _ => Err(Error::shape(
                format!("{op}: the right operand"),
                format!("a shape that broadcasts with {}", shape_str(a)),
                shape_str(b),
            )),
        })
        .collect()
}

/// Sums `g` down to `shape`: the backward rule of broadcasting (a value
/// used at many positions receives the sum of their gradients).
pub(crate) fn unbroadcast<F: Float>(g: &ArrayD<F>, shape: &[usize]) -> ArrayD<F> {
    if g.shape() == shape {
        return g.clone();
    }
    let mut g = g.clone();
    while g.ndim() > shape.len() {
        g = g.sum_axis(Axis(0));
    }
    for (axis, &side) in shape.iter().enumerate() {
        if side == 1 && g.shape()[axis] != 1 {
            g = g.sum_axis(Axis(axis)).insert_axis(Axis(axis));
        }
    }
    g
}

/// `a` and `b` broadcast to a common shape, as owned arrays.
fn broadcast_pair<F: Float>(
    op: &str,
    a: &ArrayD<F>,
    b: &ArrayD<F>,
) -> Result<(ArrayD<F>, ArrayD<F>)> {
    let shape = broadcast_shape(op, a.shape(), b.shape())?;
    let expand = |x: &ArrayD<F>| {
        x.broadcast(IxDyn(&shape))
            .expect("shape checked by broadcast_shape")
            .to_owned()
    };
    Ok((expand(a), expand(b)))
}

/// The matrix view of a value known to be 2-dimensional.
fn matrix<F: Float>(x: &ArrayD<F>) -> ndarray::ArrayView2<'_, F> {
    x.view().into_dimensionality::<Ix2>().expect("checked 2-D")
}

// ---------------------------------------------------------------- arithmetic

/// `y = a + b`: `∂L/∂a = g`, `∂L/∂b = g`, each summed back to its shape.
pub fn add<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let (sa, sb) = (a.shape(), b.shape());
    broadcast_shape("add", &sa, &sb)?;
    let y = &*a.value() + &*b.value();
    Ok(Tensor::from_op("add", y, [a, b], move |g, needs| {
        vec![
            needs[0].then(|| unbroadcast(g, &sa)),
            needs[1].then(|| unbroadcast(g, &sb)),
        ]
    }))
}

/// `y = a ⊙ b`: `∂L/∂a = g ⊙ b`, `∂L/∂b = g ⊙ a`.
pub fn mul<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let (av, bv) = broadcast_pair("mul", &a.value(), &b.value())?;
    let (sa, sb) = (a.shape(), b.shape());
    let y = &av * &bv;
    Ok(Tensor::from_op("mul", y, [a, b], move |g, needs| {
        vec![
            needs[0].then(|| unbroadcast(&(g * &bv), &sa)),
            needs[1].then(|| unbroadcast(&(g * &av), &sb)),
        ]
    }))
}

/// `y = x²`: `∂L/∂x = 2x ⊙ g`.
pub fn square<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let xv = x.to_array();
    let y = xv.mapv(|v| v * v);
    Tensor::from_op("square", y, [x], move |g, _| {
        vec![Some(g * &xv.mapv(|v| v + v))]
    })
}

// ---------------------------------------------------------------- matrices

/// `Y = A · B` for `A: (n, k)`, `B: (k, m)`:
/// `∂L/∂A = G · Bᵀ`, `∂L/∂B = Aᵀ · G`.
pub fn matmul<F: Float>(a: &Tensor<F>, b: &Tensor<F>) -> Result<Tensor<F>> {
    let (sa, sb) = (a.shape(), b.shape());
    if sa.len() != 2 || sb.len() != 2 || sa[1] != sb[0] {
        return Err(Error::shape(
            format!("matmul of {} by the right operand", shape_str(&sa)),
            format!("a matrix of shape ({}, m)", sa.get(1).copied().unwrap_or(0)),
            shape_str(&sb),
        ));
    }
    let (av, bv) = (a.to_array(), b.to_array());
    let y = matrix(&av).dot(&matrix(&bv)).into_dyn();
    Ok(Tensor::from_op("matmul", y, [a, b], move |g, needs| {
        let g = matrix(g);
        vec![
            needs[0].then(|| g.dot(&matrix(&bv).t()).into_dyn()),
            needs[1].then(|| matrix(&av).t().dot(&g).into_dyn()),
        ]
    }))
}

// ---------------------------------------------------------------- functions

/// `y = tanh x`: `∂L/∂x = (1 − y²) ⊙ g`.
pub fn tanh<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let y = x.value().mapv(F::tanh);
    let yb = y.clone();
    Tensor::from_op("tanh", y, [x], move |g, _| {
        let mut d = g.clone();
        d.zip_mut_with(&yb, |d, &y| *d *= F::one() - y * y);
        vec![Some(d)]
    })
}

// ---------------------------------------------------------------- reductions

/// `y = Σᵢ xᵢ`: `∂L/∂xᵢ = g` for every `i`.
pub fn sum<F: Float>(x: &Tensor<F>) -> Tensor<F> {
    let shape = x.shape();
    let y = ndarray::arr0(x.value().sum()).into_dyn();
    Tensor::from_op("sum", y, [x], move |g, _| {
        vec![Some(ArrayD::from_elem(IxDyn(&shape), g[[]]))]
    })
}
