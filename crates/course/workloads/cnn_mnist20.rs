// Workload 2 of the compute benchmark: a small CNN on the 20x20 MNIST
// crops, trained by Adam. The data helpers are workload 1's.

use crate::mlp_digits::{Rows, Trained, select_rows, train};
use mlmath::autodiff::Tensor;
use mlmath::nn::{Conv2d, Init, Linear, Module};
use mlmath::optim::Adam;
use mlmath::random::{permutation, seeded};

/// The side of an image: 20 pixels.
pub const CNN_SIDE: usize = 20;
/// Adam's step size (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no weight decay).
pub const CNN_LR: f64 = 3e-3;
/// Rows per mini-batch; the last batch of an epoch holds the rest.
pub const CNN_BATCH: usize = 64;
/// Passes over the training rows.
pub const CNN_EPOCHS: usize = 5;
/// Images trained on; the other 1000 of the 5000 are the test.
pub const CNN_TRAIN_ROWS: usize = 4000;
/// The seed of the shuffle before the split (the file is sorted by label).
pub const CNN_SPLIT_SEED: u64 = 20;
/// Pixels are 0–255: dividing by 255 puts them in [0, 1].
pub const CNN_PIXEL_SCALE: f64 = 255.0;

/// The rows of a seeded shuffle of `0..n`: the first `train` for training,
/// the rest for the test.
pub fn shuffled_rows(n: usize, train: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let order = permutation(n, &mut seeded(seed)).to_vec();
    let (first, rest) = order.split_at(train.min(n));
    (first.to_vec(), rest.to_vec())
}

/// The mnist20 images, shuffled, split and scaled as workload 2 takes them.
pub fn mnist20_rows() -> mlmath::Result<Rows> {
    let images = mlmath::data::mnist20()?;
    let (train, test) = shuffled_rows(images.len(), CNN_TRAIN_ROWS, CNN_SPLIT_SEED);
    Ok(select_rows(&images, &train, &test, CNN_PIXEL_SCALE))
}

/// conv 1→8 3x3 pad 1, ReLU, max-pool 2, conv 8→16 3x3 pad 1, ReLU,
/// max-pool 2, linear 400→10; every weight from Kaiming's N(0, 2/fan_in),
/// every bias 0.
pub struct SmallCnn {
    conv1: Conv2d,
    conv2: Conv2d,
    out: Linear,
}

impl SmallCnn {
    pub fn new(seed: u64) -> mlmath::Result<SmallCnn> {
        let mut rng = seeded(seed);
        let flat = 16 * (CNN_SIDE / 4) * (CNN_SIDE / 4);
        Ok(SmallCnn {
            conv1: Conv2d::new(1, 8, 3, 1, 1, &mut rng)?,
            conv2: Conv2d::new(8, 16, 3, 1, 1, &mut rng)?,
            out: Linear::new(flat, 10, Init::KaimingNormal, &mut rng)?,
        })
    }

    pub fn params(&self) -> Vec<Tensor> {
        [self.conv1.params(), self.conv2.params(), self.out.params()].concat()
    }

    /// Images `(n, 400)` to logits `(n, 10)`.
    pub fn forward(&self, x: &Tensor) -> mlmath::Result<Tensor> {
        let n = x.shape()[0];
        let x = x.reshape(&[n, 1, CNN_SIDE, CNN_SIDE])?;
        let x = self.conv1.forward(&x)?.relu().max_pool2d(2)?;
        let x = self.conv2.forward(&x)?.relu().max_pool2d(2)?;
        let flat = x.shape()[1..].iter().product();
        self.out.forward(&x.reshape(&[n, flat])?)
    }
}

/// Trains workload 2: each epoch visits the training rows in a new seeded
/// order, in mini-batches of `CNN_BATCH`; each step is forward, mean
/// cross-entropy, backward and one Adam update (workload 1's loop).
pub fn train_cnn_mnist20(rows: &Rows, seed: u64) -> mlmath::Result<Trained> {
    let model = SmallCnn::new(seed)?;
    let mut optimiser = Adam::new(CNN_LR);
    let schedule = (CNN_EPOCHS, CNN_BATCH, seed);
    train(rows, &model.params(), &mut optimiser, schedule, |x| {
        model.forward(x)
    })
}
