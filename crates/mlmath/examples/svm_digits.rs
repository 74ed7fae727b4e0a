//! The RBF-SVM on the digits split of scikit-learn's "Recognizing
//! hand-written digits" example: the first half of the images to train on,
//! the second half to test, γ = 0.001, C = 1, tolerance 10⁻³, raw 0–16
//! pixels. Prints the fit time (best of 5), the support vectors, the
//! iterations and the test accuracy.
//!
//! `cargo run --release -p mlmath --example svm_digits`

use std::time::Instant;

use mlmath::prelude::*;

fn main() -> mlmath::Result<()> {
    let digits = data::digits()?;
    let n = digits.len() / 2;
    let train = digits.rows(&(0..n).collect::<Vec<_>>())?;
    let test = digits.rows(&(n..digits.len()).collect::<Vec<_>>())?;
    let svm = Svm::new(Kernel::rbf(0.001))
        .c(1.0)
        .tolerance(1e-3)
        .cache_mb(100.0);
    let mut best = f64::INFINITY;
    let mut model = None;
    for _ in 0..5 {
        let start = Instant::now();
        let fitted = svm.fit(&train)?;
        best = best.min(start.elapsed().as_secs_f64());
        model = Some(fitted);
    }
    let mut model = model.expect("five fits ran");
    let start = Instant::now();
    let accuracy = model.score(&test)?;
    let predict = start.elapsed().as_secs_f64();
    println!(
        "train {} rows, test {} rows: fit {:.4} s (best of 5), {} support vectors, \
         {} iterations, accuracy {:.4}, predict {:.4} s",
        train.len(),
        test.len(),
        best,
        model.n_support(),
        model.iterations(),
        accuracy,
        predict
    );
    // With 5 MB the 898 × 898 kernel matrix (6.5 MB) is not shared: each
    // machine computes its rows on demand (the RBF summed as Σ (a − b)²).
    let cached = Svm::new(Kernel::rbf(0.001)).cache_mb(5.0);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let fitted = cached.fit(&train)?;
        best = best.min(start.elapsed().as_secs_f64());
        model = fitted;
    }
    println!(
        "row cache of 5 MB: fit {best:.4} s, {} support vectors, {} iterations, accuracy {:.4}",
        model.n_support(),
        model.iterations(),
        model.score(&test)?
    );
    Ok(())
}
