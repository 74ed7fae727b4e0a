//! Stochastic gradient descent, with momentum and weight decay.

use std::fmt;

use super::{Optimizer, State, check, check_lr, row_major, slots, take_grads};
use crate::autodiff::{Engine, Float, Tensor};
use crate::error::Result;

/// Stochastic gradient descent with momentum `μ` and weight decay `λ`, in
/// PyTorch's convention: for each parameter `p` with gradient `g`,
///
/// ```text
///   g ← g + λ p          (weight decay: the gradient of λ/2 ‖p‖²)
///   v ← μ v + g          (velocity, 0 before the first step)
///   p ← p − η v
/// ```
///
/// With `μ = 0` this is plain gradient descent, `p ← p − η g`. (Some texts
/// write momentum as `v ← μ v − η g`, `p ← p + v`: the same steps while
/// `η` is constant, different ones when a schedule changes `η`.)
///
/// ```
/// use mlmath::optim::Sgd;
/// let opt = Sgd::new(0.1).momentum(0.9).weight_decay(1e-4);
/// assert_eq!(opt.lr(), 0.1);
/// ```
pub struct Sgd {
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    state: State,
}

impl Sgd {
    /// Plain gradient descent with learning rate `lr` (`η`): no momentum,
    /// no weight decay. The learning rate is checked at the first step.
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            weight_decay: 0.0,
            state: None,
        }
    }

    /// With momentum `μ` in `[0, 1)` (0.9 is usual).
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// With weight decay `λ ≥ 0`, added to the gradient as `λ p`.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// One step on `params` (see [`Sgd`]); takes their gradients out.
    pub fn step<F: Float>(&mut self, params: &[Tensor<F>]) -> Result<()> {
        <F::Ops as Engine<F>>::sgd_step(self, params)
    }

    /// The learning rate `η` of the next step.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Sets the learning rate of the next steps.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn check(&self) -> Result<()> {
        check_lr("Sgd", self.lr)?;
        check(
            "Sgd",
            "momentum",
            self.momentum,
            (0.0..1.0).contains(&self.momentum),
            "in [0, 1) (0.9 is usual)",
        )?;
        check(
            "Sgd",
            "weight decay",
            self.weight_decay,
            self.weight_decay >= 0.0,
            "a finite number ≥ 0",
        )
    }
}

impl Optimizer for Sgd {
    fn step<F: Float>(&mut self, params: &[Tensor<F>]) -> Result<()> {
        Sgd::step(self, params)
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl fmt::Debug for Sgd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sgd {{ lr: {}, momentum: {}, weight_decay: {} }}",
            self.lr, self.momentum, self.weight_decay
        )
    }
}

/// [`Sgd::step`], compiled in the crate.
pub(crate) fn sgd_step<F: Float>(opt: &mut Sgd, params: &[Tensor<F>]) -> Result<()> {
    opt.check()?;
    let slots = slots::<F>(&mut opt.state, params, 1, "Sgd")?;
    let grads = take_grads(params, "Sgd")?;
    let (lr, mu, wd) = (F::of(opt.lr), F::of(opt.momentum), F::of(opt.weight_decay));
    for (i, (p, g)) in params.iter().zip(grads).enumerate() {
        let Some(mut g) = g else { continue };
        let v = row_major(&mut slots.buffers[i][0]);
        p.update(|p| update(row_major(p), row_major(&mut g), v, lr, mu, wd));
        slots.steps[i] += 1;
    }
    Ok(())
}

/// `g ← g + λp; v ← μv + g; p ← p − ηv`, entry by entry.
fn update<F: Float>(p: &mut [F], g: &[F], v: &mut [F], lr: F, mu: F, wd: F) {
    for ((p, &g), v) in p.iter_mut().zip(g).zip(v) {
        let g = g + wd * *p;
        *v = mu * *v + g;
        *p -= lr * *v;
    }
}
