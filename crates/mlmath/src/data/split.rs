//! Held-out rows: stratified splits, stratified k-fold cross-validation,
//! and the mean ± standard deviation of the fold scores.
//!
//! Accuracy on the training rows flatters a model: it has seen their answers.
//! An honest estimate holds rows out. A **stratified split** keeps a fraction
//! of each class for testing, so that both sides have the classes in the
//! same proportions as the whole (a plain random split of a small set can
//! leave a class out of the test side). **k-fold cross-validation** cuts the
//! rows into k folds and uses each in turn as the test set and the other
//! k − 1 for training: every row is tested exactly once, and the spread of
//! the k scores shows how much the estimate varies from one split to
//! another. Choices (k of kNN, a feature set) are made on the folds of the
//! training rows; the test rows are used once, at the end.

use std::collections::BTreeMap;
use std::fmt;

use super::Dataset;
use crate::error::{Error, Result};
use crate::random::{SliceRandom, seeded};

impl Dataset {
    /// Splits into `(train, test)`, class by class: of the n_c rows of class
    /// c, a random n_test_c = round(test_fraction · n_c) go to the test side
    /// (kept between 1 and n_c − 1, so that both sides see every class) and
    /// the rest to the training side. Rows keep their order; the same seed
    /// gives the same split.
    ///
    /// An error if the dataset is empty, `test_fraction` is not strictly
    /// between 0 and 1, or a class present has fewer than 2 rows.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let (train, test) = iris.stratified_split(0.3, 7).unwrap();
    /// assert_eq!(test.class_counts(), vec![15, 15, 15]);
    /// assert_eq!(train.len(), 105);
    /// ```
    pub fn stratified_split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        let (train, test) = stratified_split_indices(self.y(), test_fraction, seed)?;
        Ok((self.select_rows(&train), self.select_rows(&test)))
    }

    /// The rows in a random order (the same seed, the same order): for data
    /// stored sorted by class, before taking a first part of it.
    pub fn shuffled(&self, seed: u64) -> Dataset {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut seeded(seed));
        self.select_rows(&order)
    }

    /// Stratified k-fold cross-validation folds: one `(train, test)` pair per
    /// fold. Each class's rows are shuffled and dealt in turn to the k folds,
    /// so every fold holds each class in the proportion of the whole (to
    /// within a row) and fold sizes differ by at most one. Every row is in
    /// exactly one test fold.
    ///
    /// An error unless 2 ≤ k ≤ n.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let folds = iris.k_folds(5, 1).unwrap();
    /// assert_eq!(folds.len(), 5);
    /// assert!(folds.iter().all(|(train, test)| test.class_counts() == vec![10, 10, 10] && train.len() == 120));
    /// ```
    pub fn k_folds(&self, k: usize, seed: u64) -> Result<Vec<(Dataset, Dataset)>> {
        Ok(k_fold_indices(self.y(), k, seed)?
            .into_iter()
            .map(|(train, test)| (self.select_rows(&train), self.select_rows(&test)))
            .collect())
    }

    /// Runs `score(train, test)` on each of the k stratified folds and
    /// returns the k scores.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let iris = mlmath::data::iris().unwrap();
    /// let scores = iris.cross_validate(5, 1, |train, test| Knn::new(5).fit(train)?.score(test)).unwrap();
    /// assert_eq!(scores.values().len(), 5);
    /// assert!(scores.mean() > 0.9);
    /// ```
    pub fn cross_validate<F>(&self, k: usize, seed: u64, mut score: F) -> Result<Scores>
    where
        F: FnMut(&Dataset, &Dataset) -> Result<f64>,
    {
        let values = self
            .k_folds(k, seed)?
            .iter()
            .map(|(train, test)| score(train, test))
            .collect::<Result<Vec<f64>>>()?;
        Ok(Scores { values })
    }
}

/// The scores of k folds, and their mean ± standard deviation.
///
/// The standard deviation is the sample one (divided by k − 1): how much one
/// fold's score varies. Two settings whose means differ by less than about
/// one standard deviation are not told apart by these folds.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    values: Vec<f64>,
}

impl Scores {
    /// The score of each fold, in fold order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The mean score, (1/k) Σ s_i.
    pub fn mean(&self) -> f64 {
        self.values.iter().sum::<f64>() / self.values.len() as f64
    }

    /// The sample standard deviation, √(Σ (s_i − mean)² / (k − 1)).
    pub fn std(&self) -> f64 {
        let mean = self.mean();
        let k = self.values.len() as f64;
        (self.values.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
    }
}

impl fmt::Display for Scores {
    /// `0.953 ± 0.021`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} ± {:.3}", self.mean(), self.std())
    }
}

/// The row indices of a stratified split of labels `y`: `(train, test)`, each
/// in increasing order. See [`Dataset::stratified_split`].
pub(crate) fn stratified_split_indices(
    y: &ndarray::Array1<usize>,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if y.is_empty() {
        return Err(Error::empty("the dataset to split"));
    }
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::parameter(
            "test_fraction",
            "strictly between 0 and 1",
            test_fraction,
        ));
    }
    let mut rows_of = rows_by_class(y);
    if let Some((c, rows)) = rows_of.iter().find(|(_, rows)| rows.len() < 2) {
        return Err(Error::parameter(
            format!("the number of rows of class {c}"),
            "at least 2 (one to train on, one to test on)",
            rows.len(),
        ));
    }
    let mut rng = seeded(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for rows in rows_of.values_mut() {
        rows.shuffle(&mut rng);
        let n_c = rows.len();
        let n_test = ((test_fraction * n_c as f64).round() as usize).clamp(1, n_c - 1);
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

/// The row indices of stratified k folds of labels `y`: one `(train, test)`
/// pair per fold, each in increasing order. See [`Dataset::k_folds`].
pub(crate) fn k_fold_indices(
    y: &ndarray::Array1<usize>,
    k: usize,
    seed: u64,
) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    let n = y.len();
    if k < 2 || k > n {
        return Err(Error::parameter(
            "the number of folds k",
            format!("between 2 and the number of rows n = {n}"),
            k,
        ));
    }
    let mut rng = seeded(seed);
    let mut tests = vec![Vec::new(); k];
    // Deal the classes one after another into the folds, continuing where
    // the last class stopped, so that fold sizes differ by at most one.
    let mut next = 0;
    for rows in rows_by_class(y).values_mut() {
        rows.shuffle(&mut rng);
        for &i in rows.iter() {
            tests[next].push(i);
            next = (next + 1) % k;
        }
    }
    Ok(tests
        .into_iter()
        .map(|mut test| {
            test.sort_unstable();
            let train = (0..n).filter(|i| test.binary_search(i).is_err()).collect();
            (train, test)
        })
        .collect())
}

fn rows_by_class(y: &ndarray::Array1<usize>) -> BTreeMap<usize, Vec<usize>> {
    let mut rows_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &c) in y.iter().enumerate() {
        rows_of.entry(c).or_default().push(i);
    }
    rows_of
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    fn shuffled_labels() -> Array1<usize> {
        // Classes of 50, 30, 7 and 2 rows, shuffled together.
        let mut labels: Vec<usize> = [(0, 50), (1, 30), (2, 7), (3, 2)]
            .iter()
            .flat_map(|&(c, n)| std::iter::repeat_n(c, n))
            .collect();
        labels.shuffle(&mut seeded(3));
        Array1::from(labels)
    }

    #[test]
    fn a_stratified_split_keeps_the_class_proportions() {
        let y = shuffled_labels();
        for fraction in [0.1, 0.25, 0.5, 0.9] {
            let (train, test) = stratified_split_indices(&y, fraction, 11).unwrap();
            let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
            all.sort_unstable();
            assert_eq!(all, (0..y.len()).collect::<Vec<_>>());
            for c in 0..4 {
                let n_c = y.iter().filter(|&&l| l == c).count() as f64;
                let in_test = test.iter().filter(|&&i| y[i] == c).count() as f64;
                let in_train = train.iter().filter(|&&i| y[i] == c).count();
                assert!((in_test - fraction * n_c).abs() <= 1.0, "class {c}");
                assert!(in_test >= 1.0 && in_train >= 1, "class {c}");
            }
        }
        let a = stratified_split_indices(&y, 0.3, 5).unwrap();
        assert_eq!(a, stratified_split_indices(&y, 0.3, 5).unwrap());
        assert_ne!(a, stratified_split_indices(&y, 0.3, 6).unwrap());
    }

    #[test]
    fn stratified_folds_partition_the_rows_class_by_class() {
        let y = shuffled_labels();
        let n = y.len();
        for k in [2, 3, 5, 10] {
            let folds = k_fold_indices(&y, k, 4).unwrap();
            assert_eq!(folds.len(), k);
            let mut tested = Vec::new();
            for (train, test) in &folds {
                assert!(test.len() == n / k || test.len() == n / k + 1);
                let mut both: Vec<usize> = train.iter().chain(test).copied().collect();
                both.sort_unstable();
                assert_eq!(both, (0..n).collect::<Vec<_>>());
                for c in 0..4 {
                    let n_c = y.iter().filter(|&&l| l == c).count();
                    let in_test = test.iter().filter(|&&i| y[i] == c).count();
                    assert!(
                        in_test == n_c / k || in_test == n_c.div_ceil(k),
                        "class {c}"
                    );
                }
                tested.extend_from_slice(test);
            }
            tested.sort_unstable();
            assert_eq!(tested, (0..n).collect::<Vec<_>>(), "each row tested once");
        }
        assert_eq!(
            k_fold_indices(&y, 3, 4).unwrap(),
            k_fold_indices(&y, 3, 4).unwrap()
        );
    }

    #[test]
    fn scores_give_the_sample_mean_and_deviation() {
        // 0.8, 0.9, 1.0: mean 0.9, sample variance (0.01 + 0 + 0.01) / 2.
        let s = Scores {
            values: vec![0.8, 0.9, 1.0],
        };
        assert!((s.mean() - 0.9).abs() < 1e-15);
        assert!((s.std() - 0.1).abs() < 1e-15);
        assert_eq!(s.to_string(), "0.900 ± 0.100");
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let two = array![0, 0, 1, 1];
        for fraction in [0.0, 1.0, -0.5, f64::NAN] {
            let e = stratified_split_indices(&two, fraction, 1).unwrap_err();
            assert!(e.to_string().starts_with("test_fraction"), "{e}");
        }
        let e = stratified_split_indices(&array![0, 0, 1, 2, 2], 0.5, 1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the number of rows of class 1 must be at least 2"),
            "{e}"
        );
        let none = Array1::<usize>::zeros(0);
        let e = stratified_split_indices(&none, 0.5, 1).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        for (n, k) in [(10, 1), (10, 0), (3, 4), (0, 2)] {
            let e = k_fold_indices(&Array1::zeros(n), k, 1).unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
        }
    }
}
