// Workload 5 of the compute benchmark: the double-descent sweep of
// chapter 10. Random Fourier features of the digits (pixels / 16), 400
// training rows (40 per class, the first of each class in a seeded
// shuffle), the rest as the test; the bandwidth by the median heuristic on
// the training rows; the minimum-norm least-squares fit (ridge 0) to the
// one-hot labels for every count of features, timed as mlmath runs it.

use std::time::Instant;

use mlmath::data::Dataset;
use mlmath::features::{RandomFeatures, SweepPoint, median_distance, random_feature_sweep};
use mlmath::random::{permutation, seeded};

/// Training rows: 40 of each of the 10 classes.
pub const RFF_TRAIN_ROWS: usize = 400;
/// The seed of the shuffle that picks the training rows.
pub const RFF_SPLIT_SEED: u64 = 10;
/// Pixels are 0–16: dividing by 16 puts them in [0, 1].
pub const RFF_PIXEL_SCALE: f64 = 16.0;
/// The ridge λ of the timed sweep: 0, the least-norm fit.
pub const RFF_RIDGE: f64 = 0.0;
/// The largest number of features.
pub const RFF_MAX_FEATURES: usize = 8000;

/// The counts of features: 24 log-spaced from 10 to 8000, and 14 more
/// around the interpolation threshold N = 400, sorted, each once.
pub fn rff_counts() -> Vec<usize> {
    let steps = 23;
    let ratio = (RFF_MAX_FEATURES as f64 / 10.0).ln() / steps as f64;
    let mut counts: Vec<usize> = (0..=steps)
        .map(|i| (10.0 * (ratio * i as f64).exp()).round() as usize)
        .collect();
    counts.extend([
        300, 340, 360, 370, 380, 390, 395, 400, 405, 410, 420, 440, 460, 500,
    ]);
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// The rows of the split: a seeded permutation of `0..labels.len()` is
/// walked in order, and a row goes to the training side while its class
/// has fewer than `per_class` there; every other row is a test row. Both
/// lists keep the permutation's order.
pub fn stratified_rows(labels: &[usize], per_class: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let classes = labels.iter().max().map_or(0, |&c| c + 1);
    let mut taken = vec![0; classes];
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for i in permutation(labels.len(), &mut seeded(seed)) {
        if taken[labels[i]] < per_class {
            taken[labels[i]] += 1;
            train.push(i);
        } else {
            test.push(i);
        }
    }
    (train, test)
}

/// The digits, scaled and split as the workload takes them.
pub fn rff_digits_split() -> mlmath::Result<(Dataset, Dataset, Vec<usize>, Vec<usize>)> {
    let digits = mlmath::data::digits()?;
    let digits = digits.with_x(&(digits.x() / RFF_PIXEL_SCALE))?;
    let per_class = RFF_TRAIN_ROWS / digits.n_classes();
    let (train, test) = stratified_rows(&digits.y().to_vec(), per_class, RFF_SPLIT_SEED);
    Ok((digits.rows(&train)?, digits.rows(&test)?, train, test))
}

/// What one sweep measured.
pub struct Swept {
    /// Wall time of the median heuristic, the draw of the features and the
    /// sweep (every count).
    pub seconds: f64,
    /// One point per count of [`rff_counts`].
    pub points: Vec<SweepPoint>,
}

impl Swept {
    /// The point of largest test error (the first, on a tie).
    pub fn peak(&self) -> &SweepPoint {
        self.points.iter().fold(&self.points[0], |best, p| {
            if p.test_error > best.test_error {
                p
            } else {
                best
            }
        })
    }

    /// The point of the largest count.
    pub fn last(&self) -> &SweepPoint {
        self.points
            .iter()
            .max_by_key(|p| p.features)
            .expect("at least one count")
    }
}

/// Runs workload 5: σ from the training rows, `RFF_MAX_FEATURES` features
/// drawn from `seed`, the sweep over [`rff_counts`] with ridge `ridge`.
pub fn sweep_rff_digits(
    train: &Dataset,
    test: &Dataset,
    seed: u64,
    ridge: f64,
) -> mlmath::Result<Swept> {
    let counts = rff_counts();
    let start = Instant::now();
    let bandwidth = median_distance(train)?;
    let features = RandomFeatures::new(train.n_features(), RFF_MAX_FEATURES, bandwidth, seed)?;
    let points = random_feature_sweep(&features, train, test, &counts, ridge)?;
    Ok(Swept {
        seconds: start.elapsed().as_secs_f64(),
        points,
    })
}
