// Workload 3 of the compute benchmark: the RBF support vector machine of
// chapter 06 on the digits, on the split of scikit-learn's example
// "Recognizing hand-written digits" (first half trains, second half tests,
// raw 0-16 pixels, γ = 0.001, C = 1), timed as mlmath fits it.

use std::time::Instant;

use mlmath::data::Dataset;
use mlmath::svm::{Kernel, Svm};

/// The RBF kernel's γ in exp(−γ‖a − b‖²), on pixels 0–16.
pub const SVM_GAMMA: f64 = 0.001;
/// The soft-margin penalty C.
pub const SVM_C: f64 = 1.0;
/// SMO stops when the largest KKT violation is at most this (libsvm's default).
pub const SVM_TOLERANCE: f64 = 1e-3;
/// The kernel cache, in MB (scikit-learn's default `cache_size`).
pub const SVM_CACHE_MB: f64 = 200.0;

/// The rows of the example's split: the first ⌊n/2⌋ train, the rest test
/// (scikit-learn's `train_test_split(test_size=0.5, shuffle=False)` puts
/// ⌈n/2⌉ = 899 of 1797 in the test).
pub fn halves(n: usize) -> (Vec<usize>, Vec<usize>) {
    ((0..n / 2).collect(), (n / 2..n).collect())
}

/// The digits, split as the example splits them.
pub fn svm_digits_split() -> mlmath::Result<(Dataset, Dataset)> {
    let digits = mlmath::data::digits()?;
    let (train, test) = halves(digits.len());
    Ok((digits.rows(&train)?, digits.rows(&test)?))
}

/// What one fit measured.
pub struct Fitted {
    /// Wall time of the fit alone (every one-vs-one machine).
    pub seconds: f64,
    /// SMO iterations, summed over the machines.
    pub iterations: usize,
    /// Accuracy on the test half.
    pub accuracy: f64,
    /// Training rows that are support vectors of some machine.
    pub support_vectors: usize,
}

/// Fits the RBF-SVM on the training half and scores the test half.
pub fn fit_svm_digits(train: &Dataset, test: &Dataset) -> mlmath::Result<Fitted> {
    let svm = Svm::new(Kernel::rbf(SVM_GAMMA))
        .c(SVM_C)
        .tolerance(SVM_TOLERANCE)
        .cache_mb(SVM_CACHE_MB);
    let start = Instant::now();
    let fitted = svm.fit(train)?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(Fitted {
        seconds,
        iterations: fitted.iterations(),
        accuracy: fitted.score(test)?,
        support_vectors: fitted.n_support(),
    })
}
