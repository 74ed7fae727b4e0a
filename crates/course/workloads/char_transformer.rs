// Workload 4 of the compute benchmark: training steps of a small character
// transformer (chapter 12) on Moby-Dick, timed per step after a warm-up.
// Both sides take the same windows of the same text, in the same order: the
// window starts are drawn here, from a fixed seed, and sent to the reference
// side.

use std::time::Instant;

use mlmath::nn::{Transformer, TransformerConfig};
use mlmath::optim::Adam;
use mlmath::random::{Rng, seeded};

/// Characters a window feeds the model (and the model's context).
pub const CT_CONTEXT: usize = 64;
/// The width `d` of every position's vector.
pub const CT_D: usize = 64;
/// Attention heads per block (`d / heads` = 16 features each).
pub const CT_HEADS: usize = 4;
/// Transformer blocks.
pub const CT_LAYERS: usize = 2;
/// The width of the feed-forward layer inside a block (`4 d`).
pub const CT_D_FF: usize = 256;
/// Windows per step.
pub const CT_BATCH: usize = 32;
/// AdamW's step size, fixed (no schedule).
pub const CT_LR: f64 = 1e-3;
/// AdamW's β₁ and β₂ (ε = 1e-8).
pub const CT_BETAS: (f64, f64) = (0.9, 0.95);
/// AdamW's decoupled weight decay, on every parameter.
pub const CT_WEIGHT_DECAY: f64 = 0.1;
/// Steps taken before the clock starts.
pub const CT_WARMUP_STEPS: usize = 20;
/// Steps timed.
pub const CT_TIMED_STEPS: usize = 200;
/// The metric: the mean training loss of the last this many steps.
pub const CT_LAST_STEPS: usize = 50;
/// The seed of the window starts (the same on both sides, every round).
pub const CT_WINDOW_SEED: u64 = 64;

/// Moby-Dick's training ids (`mlmath::text::moby_splits`: the first 90 % of
/// the characters without their last tenth, which is validation) and the
/// size of its vocabulary.
pub fn moby_train_ids() -> mlmath::Result<(usize, Vec<usize>)> {
    let (vocab, splits) = mlmath::text::moby_splits()?;
    Ok((vocab.len(), splits.train))
}

/// The start of every window of every step, warm-up and timed, in order:
/// `(CT_WARMUP_STEPS + CT_TIMED_STEPS) · CT_BATCH` draws, uniform over the
/// starts `0..n − CT_CONTEXT` that leave room for the window and its next
/// character.
pub fn window_starts(n: usize) -> Vec<usize> {
    let mut rng = seeded(CT_WINDOW_SEED);
    (0..(CT_WARMUP_STEPS + CT_TIMED_STEPS) * CT_BATCH)
        .map(|_| rng.random_range(0..n - CT_CONTEXT))
        .collect()
}

/// The inputs and targets of the windows starting at `starts`: row-major
/// `(starts.len(), CT_CONTEXT)`, the targets shifted by one character.
pub fn windows(ids: &[usize], starts: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let inputs = starts
        .iter()
        .flat_map(|&s| ids[s..s + CT_CONTEXT].iter().copied())
        .collect();
    let targets = starts
        .iter()
        .flat_map(|&s| ids[s + 1..s + CT_CONTEXT + 1].iter().copied())
        .collect();
    (inputs, targets)
}

/// What one run of workload 4 measured.
pub struct Stepped {
    /// Wall time of the timed steps alone.
    pub seconds: f64,
    /// Steps timed.
    pub steps: usize,
    /// The mean training loss of the last `CT_LAST_STEPS` steps.
    pub last_loss: f64,
    /// The loss of the first step, before any update (ln 83 ≈ 4.419 for a
    /// model that starts out predicting every character alike).
    pub first_loss: f64,
}

/// Trains workload 4: a transformer of `vocab` characters (context 64,
/// d 64, 4 heads, 2 pre-LN blocks, d_ff 256, GELU, learned positions, output
/// tied to the embedding, no dropout) drawn from `seed`, by AdamW on the
/// windows at `starts` of `ids`, `CT_BATCH` a step. A step is the forward
/// pass, the mean cross-entropy over every position of every window,
/// backward and one AdamW update. The first `CT_WARMUP_STEPS` steps are not
/// timed; the next `CT_TIMED_STEPS` are.
pub fn train_char_transformer(
    vocab: usize,
    ids: &[usize],
    starts: &[usize],
    seed: u64,
) -> mlmath::Result<Stepped> {
    let config = TransformerConfig {
        d_ff: CT_D_FF,
        ..TransformerConfig::new(vocab, CT_CONTEXT, CT_D, CT_HEADS, CT_LAYERS)
    };
    let model: Transformer = Transformer::new(config, seed)?;
    let params = mlmath::nn::Module::params(&model);
    let mut optimiser = Adam::new(CT_LR)
        .betas(CT_BETAS.0, CT_BETAS.1)
        .weight_decay(CT_WEIGHT_DECAY);
    let steps = CT_WARMUP_STEPS + CT_TIMED_STEPS;
    let mut losses = Vec::with_capacity(steps);
    let mut clock = Instant::now();
    for (step, batch) in starts.chunks(CT_BATCH).take(steps).enumerate() {
        if step == CT_WARMUP_STEPS {
            clock = Instant::now();
        }
        let (x, y) = windows(ids, batch);
        let loss = model.loss(&x, &y, batch.len(), None)?;
        loss.backward()?;
        optimiser.step(&params)?;
        losses.push(f64::from(loss.item()?));
    }
    let seconds = clock.elapsed().as_secs_f64();
    let last = &losses[losses.len().saturating_sub(CT_LAST_STEPS)..];
    Ok(Stepped {
        seconds,
        steps: losses.len().saturating_sub(CT_WARMUP_STEPS),
        last_loss: last.iter().sum::<f64>() / last.len().max(1) as f64,
        first_loss: losses.first().copied().unwrap_or(f64::NAN),
    })
}
