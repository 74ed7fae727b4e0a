//! Optimisers: how a gradient becomes a step.
//!
//! After [`backward`](crate::autodiff::Tensor::backward) every parameter
//! `p` holds `g = ∂L/∂p`. An optimiser turns `g` into a change of `p`:
//!
//! | optimiser | one step |
//! |---|---|
//! | [`Sgd`] | `v ← μ v + g`, `p ← p − η v` (`μ = 0`: gradient descent) |
//! | [`Adam`] | `p ← p − η m̂ / (√v̂ + ε)`: running means of `g` and `g²` |
//! | [`Adam`] + [`weight_decay`](Adam::weight_decay) | AdamW: also `p ← p (1 − η λ)` |
//!
//! and two tools around them: [`clip_grad_norm`] (rescale all gradients
//! together when their length is too large) and a learning-rate
//! [`Schedule`] (a linear warm-up, then a cosine decay).
//!
//! **A step takes the gradients out of the parameters.** After
//! [`step`](Optimizer::step) no gradient is left, so the next
//! [`backward`](crate::autodiff::Tensor::backward) starts from zero: there
//! is no `zero_grad` to forget. A parameter without a gradient (unused by
//! this loss) is skipped. A training step is three lines:
//!
//! ```
//! use mlmath::autodiff::Tensor;
//! use mlmath::optim::Sgd;
//! // L(w) = (w − 3)²: gradient descent walks w from 0 to 3.
//! let w = Tensor::<f64>::param(ndarray::arr1(&[0.0]));
//! let mut opt = Sgd::new(0.1);
//! for _ in 0..100 {
//!     let loss = w.add_scalar(-3.0).square().sum();
//!     loss.backward()?;
//!     opt.step(&[w.clone()])?;
//! }
//! assert!((w.value()[[0]] - 3.0).abs() < 1e-8);
//! # Ok::<(), mlmath::Error>(())
//! ```
//!
//! **Checks.** Hyperparameters are checked at every step, so a learning
//! rate of 0, a momentum of 1 or a NaN is an error naming it at the first
//! [`step`](Optimizer::step) (and after a bad [`set_lr`](Optimizer::set_lr)).
//! An optimiser keeps its state (velocities, running means) for the
//! parameters of its first step: the list given to every step must hold
//! the same tensors in the same order, else the step is an error (a new
//! model needs a new optimiser). A NaN or infinite gradient is an error too
//! (the loss diverged), so is a gradient of another shape than its
//! parameter, and nothing is updated by a step that fails.
//!
//! **Speed.** The loops over the entries of the parameters run in
//! functions of this crate compiled for `f32` and `f64` (the `kernels` of
//! the [engine](crate::autodiff::Engine)); the methods a notebook calls
//! forward to them.

mod adam;
mod schedule;
mod sgd;
#[cfg(test)]
mod tests;

pub(crate) use adam::adam_step;
pub use adam::{Adam, Moments};
pub use schedule::Schedule;
pub use sgd::Sgd;
pub(crate) use sgd::sgd_step;

use std::any::Any;

use ndarray::ArrayD;

use crate::autodiff::{Engine, Float, Tensor, shape_str};
use crate::error::{Error, Result};

/// What every optimiser does: a step from the gradients, and a learning
/// rate that a [`Schedule`] may change between steps. One training loop
/// serves them all:
///
/// ```
/// use mlmath::autodiff::Tensor;
/// use mlmath::optim::{Adam, Optimizer, Sgd};
/// // The minimum of (w − 3)², found by any optimiser.
/// fn minimise(opt: &mut impl Optimizer) -> mlmath::Result<f64> {
///     let w = Tensor::<f64>::param(ndarray::arr1(&[0.0]));
///     for _ in 0..500 {
///         w.add_scalar(-3.0).square().sum().backward()?;
///         opt.step(std::slice::from_ref(&w))?;
///     }
///     Ok(w.value()[[0]])
/// }
/// assert!((minimise(&mut Sgd::new(0.1))? - 3.0).abs() < 1e-9);
/// assert!((minimise(&mut Adam::new(0.1))? - 3.0).abs() < 1e-3);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub trait Optimizer {
    /// Updates every parameter that has a gradient, taking the gradient
    /// out (see the [module documentation](self)).
    fn step<F: Float>(&mut self, params: &[Tensor<F>]) -> Result<()>;
    /// The learning rate `η` of the next step.
    fn lr(&self) -> f64;
    /// Sets the learning rate of the next steps (checked at the next step:
    /// finite and above 0).
    fn set_lr(&mut self, lr: f64);
}

// ---------------------------------------------------------------- checks

/// `Ok` when `value` is finite and inside the range `expected` describes.
fn check(who: &str, name: &str, value: f64, ok: bool, expected: &str) -> Result<()> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(Error::parameter(format!("{who}'s {name}"), expected, value))
    }
}

/// A learning rate: finite and above 0.
fn check_lr(who: &str, lr: f64) -> Result<()> {
    check(
        who,
        "learning rate",
        lr,
        lr > 0.0,
        "a finite number above 0 (such as 0.01)",
    )
}

// ---------------------------------------------------------------- state

/// What an optimiser remembers of each parameter, by its position in the
/// list given to `step`: the parameter itself (a handle, to recognise it),
/// `k` buffers of its shape (a velocity; or the two running means), and how
/// many steps it has taken (parameters without a gradient take none).
pub(crate) struct Slots<F: Float> {
    params: Vec<Tensor<F>>,
    pub(crate) buffers: Vec<Vec<ArrayD<F>>>,
    pub(crate) steps: Vec<i32>,
}

/// The state of an optimiser: `None` before the first step, then the
/// [`Slots`] of the precision (`f32` or `f64`) of that step's parameters.
/// Stored without its precision in its type, so that `Sgd::new(0.1)`
/// needs no type annotation in a notebook.
pub(crate) type State = Option<Box<dyn Any>>;

/// The slots of `params` (made at the first step, checked at every other):
/// an error when the list changed length, a tensor or its precision, or when
/// a parameter's value is borrowed (so that a step either updates every
/// parameter or none).
pub(crate) fn slots<'a, F: Float>(
    state: &'a mut State,
    params: &[Tensor<F>],
    k: usize,
    who: &str,
) -> Result<&'a mut Slots<F>> {
    if params.is_empty() {
        return Err(Error::parameter(
            format!("the parameter list given to {who}.step"),
            "at least one parameter (such as model.params())",
            "an empty list",
        ));
    }
    let slots = state.get_or_insert_with(|| {
        Box::new(Slots::<F> {
            params: params.to_vec(),
            buffers: params
                .iter()
                .map(|p| (0..k).map(|_| ArrayD::zeros(p.value().raw_dim())).collect())
                .collect(),
            steps: vec![0; params.len()],
        })
    });
    let slots = slots.downcast_mut::<Slots<F>>().ok_or_else(|| {
        Error::parameter(
            format!("the parameters given to {who}.step"),
            "of the precision of the first step's (one optimiser serves one model)",
            format!("{} parameters", F::NAME),
        )
    })?;
    if slots.params.len() != params.len() {
        return Err(Error::shape(
            format!("the parameter list given to {who}.step"),
            format!(
                "{} parameters, as at the first step (one optimiser serves one model)",
                slots.params.len()
            ),
            format!("{} parameters", params.len()),
        ));
    }
    for (i, (p, first)) in params.iter().zip(&slots.params).enumerate() {
        if !p.same(first) {
            return Err(Error::parameter(
                format!("parameter {i} given to {who}.step"),
                "the tensor given at the first step (this optimiser was stepping other \
                 parameters; make a new optimiser for a new model)",
                format!("another tensor, of shape {}", shape_str(&p.shape())),
            ));
        }
        p.writable(&format!("{who}.step"))?;
    }
    Ok(slots)
}

/// The gradients taken out of `params` (`None` where there is none). When
/// one holds a NaN or an infinity, they are all put back and the error
/// names the parameter.
pub(crate) fn take_grads<F: Float>(
    params: &[Tensor<F>],
    who: &str,
) -> Result<Vec<Option<ArrayD<F>>>> {
    let grads: Vec<Option<ArrayD<F>>> = params.iter().map(|p| p.take_grad()).collect();
    let put_back = |grads: Vec<Option<ArrayD<F>>>| {
        for (p, g) in params.iter().zip(grads) {
            if g.is_some() {
                *p.grad_slot() = g;
            }
        }
    };
    let misshapen = params
        .iter()
        .zip(&grads)
        .position(|(p, g)| g.as_ref().is_some_and(|g| g.shape() != p.value().shape()));
    if let Some(i) = misshapen {
        let (value, grad) = (
            shape_str(&params[i].shape()),
            shape_str(grads[i].as_ref().map_or(&[][..], |g| g.shape())),
        );
        put_back(grads);
        return Err(Error::shape(
            format!("the gradient of parameter {i} given to {who}.step"),
            format!("the shape of the parameter, {value}"),
            format!("shape {grad}"),
        ));
    }
    let bad = grads
        .iter()
        .position(|g| g.as_ref().is_some_and(|g| !all_finite(g)));
    if let Some(i) = bad {
        put_back(grads);
        return Err(Error::parameter(
            format!("the gradient of parameter {i} given to {who}.step"),
            "finite (a NaN or infinite gradient means the loss diverged: \
             lower the learning rate, or clip with clip_grad_norm)",
            "a NaN or infinite entry",
        ));
    }
    Ok(grads)
}

/// Whether every entry of `a` is finite (in memory order, without an early
/// exit: a loop the compiler turns into vector instructions).
fn all_finite<F: Float>(a: &ArrayD<F>) -> bool {
    match a.as_slice_memory_order() {
        Some(s) => s.iter().fold(true, |ok, v| ok & v.is_finite()),
        None => a.iter().all(|v| v.is_finite()),
    }
}

/// `Σ f(aᵢ)` over the entries of `a`, in memory order.
fn sum_of<F: Float>(a: &ArrayD<F>, f: impl Fn(F) -> f64) -> f64 {
    match a.as_slice_memory_order() {
        Some(s) => s.iter().map(|&v| f(v)).sum(),
        None => a.iter().map(|&v| f(v)).sum(),
    }
}

/// The entries of `a` as one slice in row-major order, the order of every
/// other array of its shape; an array in another layout (a value set by
/// hand from a transposed view) is copied into this one first. An update
/// written over slices is a loop the compiler turns into vector
/// instructions.
pub(crate) fn row_major<F: Float>(a: &mut ArrayD<F>) -> &mut [F] {
    if !a.is_standard_layout() {
        *a = a.as_standard_layout().into_owned();
    }
    a.as_slice_mut()
        .expect("an array in standard layout is one slice")
}

// ---------------------------------------------------------------- clipping

/// Gradient clipping by the global norm: the length of all gradients
/// together,
///
/// ```text
///   ‖g‖ = √(Σ over parameters Σ over entries g²),
/// ```
///
/// and when it exceeds `max_norm`, every gradient is multiplied by
/// `max_norm / ‖g‖`, so that the direction of the step is kept and its
/// length becomes `max_norm`. (PyTorch divides by `‖g‖ + 10⁻⁶`; here the
/// clipped norm is `max_norm` itself.) Returns `‖g‖` before clipping: a
/// quantity worth plotting during training. Call it between `backward` and
/// `step`; parameters without a gradient are skipped.
///
/// An error when `max_norm` is not a finite number above 0, or when a
/// gradient holds a NaN or an infinity.
///
/// ```
/// use mlmath::autodiff::Tensor;
/// use mlmath::optim::clip_grad_norm;
/// let w = Tensor::<f64>::param(ndarray::arr1(&[0.0, 0.0]));
/// // L = 3 w₀ + 4 w₁: the gradient (3, 4) has length 5.
/// let c = Tensor::constant(ndarray::arr1(&[3.0, 4.0]));
/// w.mul(&c)?.sum().backward()?;
/// assert_eq!(clip_grad_norm(&[w.clone()], 1.0)?, 5.0);
/// let g = w.grad().unwrap();
/// assert!((g[0] - 0.6).abs() < 1e-15 && (g[1] - 0.8).abs() < 1e-15);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn clip_grad_norm<F: Float>(params: &[Tensor<F>], max_norm: f64) -> Result<f64> {
    <F::Ops as Engine<F>>::clip_grad_norm(params, max_norm)
}

/// [`clip_grad_norm`], compiled in the crate. The squares are summed in
/// `f64`; only when that sum overflows (gradients beyond 10¹⁵⁴, possible in
/// `f64` alone) is it summed again scaled by the largest entry `s`,
/// `‖g‖ = s √(Σ (g/s)²)`.
pub(crate) fn clip_gradients<F: Float>(params: &[Tensor<F>], max_norm: f64) -> Result<f64> {
    check(
        "clip_grad_norm",
        "max_norm",
        max_norm,
        max_norm > 0.0,
        "a finite number above 0 (such as 1.0)",
    )?;
    // `f(g)` summed over the gradients, one borrowed at a time (the same
    // tensor may be listed twice).
    let total_of = |f: &dyn Fn(&ArrayD<F>) -> f64| -> f64 {
        params
            .iter()
            .filter_map(|p| p.grad_slot().as_ref().map(f))
            .sum()
    };
    let square = |v: F| Float::as_f64(v) * Float::as_f64(v);
    let mut total = total_of(&|g| sum_of(g, square)).sqrt();
    if !total.is_finite() {
        let all = params
            .iter()
            .all(|p| p.grad_slot().as_ref().is_none_or(all_finite));
        if !all {
            return Err(Error::parameter(
                "the gradients given to clip_grad_norm",
                "finite (a NaN or infinite gradient means the loss diverged: \
                 lower the learning rate)",
                "a NaN or infinite entry",
            ));
        }
        let largest = |g: &ArrayD<F>| g.iter().fold(0.0f64, |m, v| m.max(Float::as_f64(*v).abs()));
        let scale = params
            .iter()
            .filter_map(|p| p.grad_slot().as_ref().map(largest))
            .fold(0.0, f64::max);
        let scaled = |g: &ArrayD<F>| sum_of(g, |v| (Float::as_f64(v) / scale).powi(2));
        total = scale * total_of(&scaled).sqrt();
    }
    if total > max_norm {
        let factor = F::of(max_norm / total);
        for p in params {
            if let Some(g) = p.grad_slot().as_mut() {
                g.mapv_inplace(|v| v * factor);
            }
        }
    }
    Ok(total)
}
