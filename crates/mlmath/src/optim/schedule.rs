//! A learning-rate schedule: linear warm-up, then cosine decay.

use std::f64::consts::PI;

use crate::error::{Error, Result};

/// The learning rate as a function of the step `t = 0, 1, …`: a linear
/// warm-up over `W` steps to the peak `η_max`, then half a cosine wave down
/// to `η_min` at step `T` (Loshchilov & Hutter 2017 for the cosine; the
/// warm-up as in the transformer papers):
///
/// ```text
///   η(t) = η_max (t + 1) / W                                   for t < W
///   η(t) = η_min + ½ (η_max − η_min) (1 + cos(π (t − W) / (T − W)))   for W ≤ t < T
///   η(t) = η_min                                               for t ≥ T
/// ```
///
/// The warm-up starts at `η_max / W`, not 0, so that every step moves, and
/// reaches `η_max` at its last step `t = W − 1`. A loop over `t in
/// 0..T` sets the rate before each step with
/// [`set_lr`](super::Optimizer::set_lr):
///
/// ```
/// use mlmath::optim::{Schedule, Sgd};
/// let schedule = Schedule::warmup_cosine(0.1, 10, 100, 0.001)?;
/// let mut opt = Sgd::new(schedule.lr(0));
/// for t in 0..100 {
///     opt.set_lr(schedule.lr(t));
///     // … backward, then opt.step(&params)?
/// }
/// assert_eq!(schedule.lr(9), 0.1);
/// assert!((schedule.lr(55) - (0.1 + 0.001) / 2.0).abs() < 1e-12);
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    peak_lr: f64,
    warmup_steps: usize,
    total_steps: usize,
    min_lr: f64,
}

impl Schedule {
    /// Warm-up over `warmup_steps` to `peak_lr`, cosine decay to `min_lr`
    /// at `total_steps` (see [`Schedule`]).
    ///
    /// An error unless `0 < peak_lr`, `0 ≤ min_lr ≤ peak_lr` (both finite),
    /// and `warmup_steps ≤ total_steps` with `total_steps ≥ 1`.
    pub fn warmup_cosine(
        peak_lr: f64,
        warmup_steps: usize,
        total_steps: usize,
        min_lr: f64,
    ) -> Result<Self> {
        let who = "Schedule::warmup_cosine";
        if !(peak_lr.is_finite() && peak_lr > 0.0) {
            let expected = "a finite number above 0";
            return Err(Error::parameter(
                format!("{who}'s peak_lr"),
                expected,
                peak_lr,
            ));
        }
        if !(min_lr.is_finite() && (0.0..=peak_lr).contains(&min_lr)) {
            let expected = format!("in [0, peak_lr = {peak_lr}]");
            return Err(Error::parameter(
                format!("{who}'s min_lr"),
                expected,
                min_lr,
            ));
        }
        if total_steps == 0 || warmup_steps > total_steps {
            return Err(Error::parameter(
                format!("{who}'s total_steps"),
                format!("at least 1 and at least warmup_steps = {warmup_steps}"),
                total_steps,
            ));
        }
        Ok(Schedule {
            peak_lr,
            warmup_steps,
            total_steps,
            min_lr,
        })
    }

    /// The learning rate `η(t)` at step `t` (counted from 0).
    pub fn lr(&self, step: usize) -> f64 {
        let (t, w, total) = (
            step as f64,
            self.warmup_steps as f64,
            self.total_steps as f64,
        );
        if step < self.warmup_steps {
            self.peak_lr * (t + 1.0) / w
        } else if step < self.total_steps {
            let progress = (t - w) / (total - w);
            self.min_lr + 0.5 * (self.peak_lr - self.min_lr) * (1.0 + (PI * progress).cos())
        } else {
            self.min_lr
        }
    }

    /// The number of steps `T` of the schedule.
    pub fn total_steps(&self) -> usize {
        self.total_steps
    }
}
