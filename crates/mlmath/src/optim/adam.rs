//! Adam (Kingma & Ba 2015), and AdamW's decoupled weight decay
//! (Loshchilov & Hutter 2019).

use std::fmt;

use ndarray::ArrayD;

use super::{Optimizer, Slots, State, check, check_lr, row_major, slots, take_grads};
use crate::autodiff::{Engine, Float, Tensor, shape_str};
use crate::error::{Error, Result};

/// Adam: each parameter entry gets its own step size, from running means
/// of its gradient and of its squared gradient. At step `t = 1, 2, …`, for
/// each parameter `p` with gradient `g`:
///
/// ```text
///   m ← β₁ m + (1 − β₁) g          (first moment, 0 before step 1)
///   v ← β₂ v + (1 − β₂) g²         (second moment, 0 before step 1)
///   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)    (bias correction)
///   p ← p − η m̂ / (√v̂ + ε)
/// ```
///
/// with `β₁ = 0.9`, `β₂ = 0.999`, `ε = 10⁻⁸` (Kingma & Ba 2015, Algorithm 1).
/// At step 1, `m̂ = g` and `v̂ = g²`: every entry moves by `η` against the
/// sign of its gradient, whatever the gradient's size.
///
/// **AdamW.** With [`weight_decay`](Adam::weight_decay) `λ > 0`, each step
/// first shrinks the parameter, `p ← p (1 − η λ)`, apart from the moments
/// (Loshchilov & Hutter 2019, "decoupled weight decay"). This is PyTorch's
/// `AdamW`, not its `Adam(weight_decay=…)`, which adds `λ p` to `g` instead.
///
/// ```
/// use mlmath::optim::Adam;
/// let adam = Adam::new(3e-3);
/// let adamw = Adam::new(3e-4).weight_decay(0.1).betas(0.9, 0.95);
/// assert_eq!(adamw.lr(), 3e-4);
/// ```
pub struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    state: State,
}

impl Adam {
    /// Adam with learning rate `lr` (`η`), `β = (0.9, 0.999)`, `ε = 10⁻⁸`,
    /// no weight decay. The values are checked at the first step.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            state: None,
        }
    }

    /// With the decay rates `β₁`, `β₂` of the two moments, each in `[0, 1)`.
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// With `ε > 0`, added to `√v̂` so that no step divides by 0.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// AdamW: with decoupled weight decay `λ ≥ 0`, `p ← p (1 − η λ)` at each
    /// step (0.01 to 0.1 are usual).
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// One step on `params` (see [`Adam`]); takes their gradients out.
    pub fn step<F: Float>(&mut self, params: &[Tensor<F>]) -> Result<()> {
        <F::Ops as Engine<F>>::adam_step(self, params)
    }

    /// The learning rate `η` of the next step.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// What Adam remembers, for saving a long training run to resume it:
    /// for each parameter of the steps so far, in their order, its first
    /// moment `m`, its second moment `v` and its number of steps `t`.
    /// `None` before the first step, or when the steps were of the other
    /// precision than `F`.
    pub fn moments<F: Float>(&self) -> Option<Moments<F>> {
        let slots = self.state.as_ref()?.downcast_ref::<Slots<F>>()?;
        Some(
            slots
                .buffers
                .iter()
                .zip(&slots.steps)
                .map(|(b, &t)| (b[0].clone(), b[1].clone(), t))
                .collect(),
        )
    }

    /// Restores [`moments`](Adam::moments) saved for `params` (the same
    /// parameters, in the same order): the next step continues the run as
    /// if it had not stopped.
    ///
    /// An error naming the parameter whose moments have another shape, or
    /// when the counts differ; Adam is unchanged then.
    pub fn set_moments<F: Float>(
        &mut self,
        params: &[Tensor<F>],
        moments: Moments<F>,
    ) -> Result<()> {
        if moments.len() != params.len() {
            return Err(Error::shape(
                "the moments given to Adam::set_moments",
                format!("one (m, v, t) per parameter: {}", params.len()),
                moments.len().to_string(),
            ));
        }
        for (i, (p, (m, v, t))) in params.iter().zip(&moments).enumerate() {
            let shape = p.shape();
            if m.shape() != shape || v.shape() != shape || *t < 0 {
                return Err(Error::shape(
                    format!("the moments of parameter {i} given to Adam::set_moments"),
                    format!("m and v of shape {}, t ≥ 0", shape_str(&shape)),
                    format!(
                        "{} and {}, t = {t}",
                        shape_str(m.shape()),
                        shape_str(v.shape())
                    ),
                ));
            }
        }
        let mut state: State = None;
        let slots = slots::<F>(&mut state, params, 2, "Adam")?;
        for (i, (m, v, t)) in moments.into_iter().enumerate() {
            slots.buffers[i] = vec![m, v];
            slots.steps[i] = t;
        }
        self.state = state;
        Ok(())
    }

    /// Sets the learning rate of the next steps.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn check(&self) -> Result<()> {
        check_lr("Adam", self.lr)?;
        for (name, beta) in [("β₁", self.beta1), ("β₂", self.beta2)] {
            let ok = (0.0..1.0).contains(&beta);
            check(
                "Adam",
                name,
                beta,
                ok,
                "in [0, 1) (0.9 and 0.999 are usual)",
            )?;
        }
        check(
            "Adam",
            "ε",
            self.eps,
            self.eps > 0.0,
            "a finite number above 0 (such as 1e-8)",
        )?;
        let wd = self.weight_decay;
        check("Adam", "weight decay", wd, wd >= 0.0, "a finite number ≥ 0")
    }
}

impl Optimizer for Adam {
    fn step<F: Float>(&mut self, params: &[Tensor<F>]) -> Result<()> {
        Adam::step(self, params)
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl fmt::Debug for Adam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Adam {{ lr: {}, betas: ({}, {}), eps: {}, weight_decay: {} }}",
            self.lr, self.beta1, self.beta2, self.eps, self.weight_decay
        )
    }
}

/// What Adam remembers of each parameter, in order: its first moment `m`,
/// its second moment `v`, and its number of steps `t`.
pub type Moments<F> = Vec<(ArrayD<F>, ArrayD<F>, i32)>;

/// The numbers of one Adam step of one parameter.
#[derive(Clone, Copy)]
struct Coefficients<F> {
    lr: F,
    beta1: F,
    beta2: F,
    eps: F,
    /// `1 − η λ`, the decoupled weight decay's factor.
    shrink: F,
    /// `1 − β₁ᵗ` and `1 − β₂ᵗ`, the bias corrections.
    correction1: F,
    correction2: F,
}

/// [`Adam::step`], compiled in the crate.
pub(crate) fn adam_step<F: Float>(opt: &mut Adam, params: &[Tensor<F>]) -> Result<()> {
    opt.check()?;
    let slots = slots::<F>(&mut opt.state, params, 2, "Adam")?;
    let grads = take_grads(params, "Adam")?;
    for (i, (p, g)) in params.iter().zip(grads).enumerate() {
        let Some(mut g) = g else { continue };
        slots.steps[i] += 1;
        let t = slots.steps[i];
        let c = Coefficients {
            lr: F::of(opt.lr),
            beta1: F::of(opt.beta1),
            beta2: F::of(opt.beta2),
            eps: F::of(opt.eps),
            shrink: F::of(1.0 - opt.lr * opt.weight_decay),
            correction1: F::of(1.0 - opt.beta1.powi(t)),
            correction2: F::of(1.0 - opt.beta2.powi(t)),
        };
        let [m, v] = &mut slots.buffers[i][..] else {
            unreachable!("Adam keeps two buffers per parameter")
        };
        let (m, v) = (row_major(m), row_major(v));
        p.update("Adam.step", |p| update(p, row_major(&mut g), m, v, c))?;
    }
    Ok(())
}

/// One Adam(W) step, entry by entry (see [`Adam`]).
fn update<F: Float>(p: &mut [F], g: &[F], m: &mut [F], v: &mut [F], c: Coefficients<F>) {
    let one = F::one();
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
        *m = c.beta1 * *m + (one - c.beta1) * g;
        *v = c.beta2 * *v + (one - c.beta2) * g * g;
        let (m_hat, v_hat) = (*m / c.correction1, *v / c.correction2);
        *p = *p * c.shrink - c.lr * m_hat / (v_hat.sqrt() + c.eps);
    }
}
