// Workload 1 of the compute benchmark: an MLP 64-128-10 with tanh, trained
// on the digits by plain SGD. The benchmark compiles this file, and also
// sends it, unchanged, to a notebook kernel as one cell: the same code is
// timed both ways, compiled into the benchmark and run from a cell.

use std::time::Instant;

use mlmath::autodiff::{Tensor, no_grad};
use mlmath::ndarray::{Array2, Axis};
use mlmath::nn::{Activation, Mlp, Module};
use mlmath::optim::{Optimizer, Sgd};
use mlmath::random::{permutation, seeded};

/// The layer widths: 64 pixels in, 128 hidden units, 10 classes out.
pub const MLP_LAYERS: [usize; 3] = [64, 128, 10];
/// The step size of plain SGD (no momentum, no weight decay).
pub const MLP_LR: f64 = 0.1;
/// Rows per mini-batch; the last batch of an epoch holds the rest.
pub const MLP_BATCH: usize = 32;
/// Passes over the training rows.
pub const MLP_EPOCHS: usize = 50;
/// The share of rows held out for the test: 20% of 1797 is 359.
pub const MLP_TEST_FRACTION: f64 = 0.2;
/// The seed of the permutation that splits the rows.
pub const MLP_SPLIT_SEED: u64 = 12;
/// Pixels are 0–16: dividing by 16 puts them in [0, 1].
pub const MLP_PIXEL_SCALE: f64 = 16.0;

/// The rows of a seeded permutation of `0..n`: the first n − ⌊n·f⌋ for
/// training, the last ⌊n·f⌋ for the test.
pub fn split_rows(n: usize, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let order = permutation(n, &mut seeded(seed)).to_vec();
    let n_test = (n as f64 * test_fraction).floor() as usize;
    let (train, test) = order.split_at(n - n_test);
    (train.to_vec(), test.to_vec())
}

/// Training and test rows: inputs (pixels / scale, as f32) and labels.
pub struct Rows {
    pub x_train: Array2<f32>,
    pub y_train: Vec<usize>,
    pub x_test: Array2<f32>,
    pub y_test: Vec<usize>,
}

/// The chosen rows of a dataset, scaled.
pub fn select_rows(
    data: &mlmath::data::Dataset,
    train: &[usize],
    test: &[usize],
    scale: f64,
) -> Rows {
    let pick = |rows: &[usize]| data.x().select(Axis(0), rows).mapv(|v| (v / scale) as f32);
    let labels = |rows: &[usize]| rows.iter().map(|&i| data.y()[i]).collect();
    Rows {
        x_train: pick(train),
        y_train: labels(train),
        x_test: pick(test),
        y_test: labels(test),
    }
}

/// The digits, split and scaled as workload 1 takes them.
pub fn digits_rows() -> mlmath::Result<Rows> {
    let digits = mlmath::data::digits()?;
    let (train, test) = split_rows(digits.len(), MLP_TEST_FRACTION, MLP_SPLIT_SEED);
    Ok(select_rows(&digits, &train, &test, MLP_PIXEL_SCALE))
}

/// What one training run measured.
pub struct Trained {
    /// Wall time of the training loop alone (every epoch, every step).
    pub seconds: f64,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Accuracy on the test rows after training.
    pub accuracy: f64,
    /// Mean cross-entropy over the last epoch's mini-batches.
    pub loss: f64,
}

/// The share of rows whose largest logit is at their label.
pub fn accuracy(logits: &Array2<f32>, labels: &[usize]) -> f64 {
    let hits = logits
        .outer_iter()
        .zip(labels)
        .filter(|(row, label)| {
            let best = row
                .iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                );
            best.0 == **label
        })
        .count();
    hits as f64 / labels.len().max(1) as f64
}

/// A mini-batch: the rows `batch` of the training inputs `x` (taken by the
/// engine's row lookup, compiled inside mlmath) and their labels.
pub fn batch_rows(
    x: &Tensor,
    y: &[usize],
    batch: &[usize],
) -> mlmath::Result<(Tensor, Vec<usize>)> {
    Ok((x.select_rows(batch)?, batch.iter().map(|&i| y[i]).collect()))
}

/// A tensor's value as a matrix `(n, c)`.
pub fn matrix(t: &Tensor) -> mlmath::Result<Array2<f32>> {
    let shape = t.shape();
    t.to_array()
        .into_dimensionality()
        .map_err(|_| mlmath::Error::shape("logits", "a matrix (n, classes)", format!("{shape:?}")))
}

/// Trains workload 1: each epoch visits the training rows in a new seeded
/// order, in mini-batches of `MLP_BATCH`; each step is forward, mean
/// cross-entropy, backward and one SGD update.
pub fn train_mlp_digits(rows: &Rows, seed: u64) -> mlmath::Result<Trained> {
    let model = Mlp::new(&MLP_LAYERS, Activation::Tanh, seed)?;
    let mut optimiser = Sgd::new(MLP_LR);
    let schedule = (MLP_EPOCHS, MLP_BATCH, seed);
    train(rows, &model.params(), &mut optimiser, schedule, |x| {
        model.forward(x)
    })
}

/// The training loop of every workload: `epochs` passes over the training
/// rows, each in a new order drawn from `seed + 1`, in mini-batches of
/// `batch`; a step is `forward`, mean cross-entropy, backward and one
/// update of `params`. Times the loop alone, then scores the test rows.
pub fn train(
    rows: &Rows,
    params: &[Tensor],
    optimiser: &mut impl Optimizer,
    (epochs, batch, seed): (usize, usize, u64),
    forward: impl Fn(&Tensor) -> mlmath::Result<Tensor>,
) -> mlmath::Result<Trained> {
    let mut rng = seeded(seed.wrapping_add(1));
    let inputs = Tensor::constant(rows.x_train.clone());
    let n = rows.x_train.nrows();
    let (mut steps, mut loss_sum, mut loss_count) = (0, 0.0, 0);
    let start = Instant::now();
    for epoch in 0..epochs {
        let order = permutation(n, &mut rng).to_vec();
        for rows_of_batch in order.chunks(batch) {
            let (x, y) = batch_rows(&inputs, &rows.y_train, rows_of_batch)?;
            let loss = forward(&x)?.cross_entropy(&y)?;
            loss.backward()?;
            optimiser.step(params)?;
            steps += 1;
            if epoch + 1 == epochs {
                loss_sum += loss.item()? as f64;
                loss_count += 1;
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let logits = no_grad(|| forward(&Tensor::constant(rows.x_test.clone())))?;
    Ok(Trained {
        seconds,
        steps,
        accuracy: accuracy(&matrix(&logits)?, &rows.y_test),
        loss: loss_sum / loss_count.max(1) as f64,
    })
}
