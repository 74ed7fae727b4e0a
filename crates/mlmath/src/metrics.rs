//! How well a classifier does, measured on rows it did not train on.
//!
//! ## Accuracy and the confusion matrix
//!
//! For true classes y_i and predictions ŷ_i of n rows, the **accuracy** is
//! the fraction predicted right:
//!
//! ```text
//! accuracy = (1/n) Σ_i [ŷ_i = y_i]
//! ```
//!
//! One number hides *which* classes are confused. The **confusion matrix** C
//! counts them: C_ab = #{ i : y_i = a and ŷ_i = b }, a row per true class and
//! a column per predicted class. Its diagonal holds the right answers, so
//! accuracy = trace(C) / n, and C_ab off the diagonal counts the rows of
//! class a taken for class b.
//!
//! ## Held-out rows
//!
//! Accuracy on the training rows flatters a model: it has seen their answers.
//! An honest estimate holds rows out. [`stratified_split`] keeps a fraction of
//! each class for testing, so that both sides have the classes in the same
//! proportions as the whole (a plain random split of a small set can leave a
//! class out of the test side). [`k_fold`] cuts the rows into k folds and uses
//! each in turn as the test set and the other k − 1 for training: every row
//! is tested exactly once, and the k accuracies show how much the estimate
//! varies from one split to another.
//!
//! ```
//! use mlmath::metrics::{accuracy, confusion_matrix};
//! use ndarray::array;
//! let truth = array![0, 0, 1, 1, 2];
//! let predicted = array![0, 1, 1, 1, 0];
//! assert_eq!(accuracy(truth.view(), predicted.view()).unwrap(), 3.0 / 5.0);
//! let c = confusion_matrix(truth.view(), predicted.view(), 3).unwrap();
//! assert_eq!(c, array![[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
//! ```

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::random::{SliceRandom, seeded};
use crate::table::Table;

/// The fraction of rows predicted right, (1/n) Σ_i [ŷ_i = y_i], for true
/// classes `truth: (n,)` and `predicted: (n,)`.
///
/// An error if the lengths differ or there are no rows.
///
/// ```
/// use ndarray::array;
/// let a = mlmath::metrics::accuracy(array![0, 1, 1, 0].view(), array![0, 1, 0, 0].view());
/// assert_eq!(a.unwrap(), 0.75);
/// ```
pub fn accuracy(truth: ArrayView1<'_, usize>, predicted: ArrayView1<'_, usize>) -> Result<f64> {
    check_pair(truth, predicted)?;
    let right = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    Ok(right as f64 / truth.len() as f64)
}

/// The `(classes, classes)` matrix C_ab = #{ i : y_i = a and ŷ_i = b }: row
/// a is the true class, column b the predicted one. The diagonal counts the
/// rows predicted right.
///
/// An error if the lengths differ, there are no rows, or a label is not
/// below `classes`.
///
/// ```
/// use ndarray::array;
/// let c = mlmath::metrics::confusion_matrix(array![0, 1, 1].view(), array![1, 1, 0].view(), 2);
/// assert_eq!(c.unwrap(), array![[0, 1], [1, 1]]);
/// ```
pub fn confusion_matrix(
    truth: ArrayView1<'_, usize>,
    predicted: ArrayView1<'_, usize>,
    classes: usize,
) -> Result<Array2<usize>> {
    check_pair(truth, predicted)?;
    check_labels("truth", truth, classes)?;
    check_labels("predicted", predicted, classes)?;
    let mut matrix = Array2::zeros((classes, classes));
    for (&t, &p) in truth.iter().zip(predicted) {
        matrix[(t, p)] += 1;
    }
    Ok(matrix)
}

/// A confusion matrix as a table: a row per true class, a column per
/// predicted class, each named from `class_names`. A class without a name
/// (`class_names` too short) is shown by its index.
///
/// ```
/// use ndarray::array;
/// let c = array![[5, 1], [0, 4]];
/// let t = mlmath::metrics::confusion_table(c.view(), &["cat", "dog"]);
/// assert_eq!(t.cell(0, 0), Some("cat"));
/// assert_eq!(t.cell(0, 2), Some("1"));
/// ```
pub fn confusion_table<S: AsRef<str>>(matrix: ArrayView2<'_, usize>, class_names: &[S]) -> Table {
    let name = |c: usize| {
        class_names
            .get(c)
            .map_or_else(|| c.to_string(), |s| s.as_ref().to_string())
    };
    let header =
        std::iter::once("true \\ predicted".to_string()).chain((0..matrix.ncols()).map(name));
    let mut table = Table::new(header).caption(
        "confusion matrix: a row per true class, a column per predicted class; \
         the diagonal counts the rows predicted right",
    );
    for (a, row) in matrix.rows().into_iter().enumerate() {
        table.push_row(std::iter::once(name(a)).chain(row.iter().map(|n| n.to_string())));
    }
    table
}

/// Splits the rows of a dataset with classes `y: (n,)` into training and
/// test rows, class by class: of the n_c rows of class c, a random
/// n_test_c = round(test_fraction · n_c) go to the test side (kept between 1
/// and n_c − 1, so that both sides see every class) and the rest to the
/// training side. Each class is thus split in the same proportion, to within
/// one row. Returns `(train, test)`, each in increasing order; the same seed
/// gives the same split.
///
/// An error if y is empty, `test_fraction` is not strictly between 0 and 1,
/// or a class present in y has fewer than 2 rows.
///
/// ```
/// use ndarray::array;
/// let y = array![0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
/// let (train, test) = mlmath::metrics::stratified_split(y.view(), 0.5, 7).unwrap();
/// assert_eq!((train.len(), test.len()), (5, 5));
/// // Half of each class: 2 of the four 0s and 3 of the six 1s.
/// assert_eq!(test.iter().filter(|&&i| y[i] == 0).count(), 2);
/// ```
pub fn stratified_split(
    y: ArrayView1<'_, usize>,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if y.is_empty() {
        return Err(Error::empty("y"));
    }
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::parameter(
            "test_fraction",
            "strictly between 0 and 1",
            test_fraction,
        ));
    }
    let mut rows_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &c) in y.iter().enumerate() {
        rows_of.entry(c).or_default().push(i);
    }
    if let Some((c, rows)) = rows_of.iter().find(|(_, rows)| rows.len() < 2) {
        return Err(Error::parameter(
            format!("the number of rows of class {c} in y"),
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

/// Cuts the rows `0..n` into `k` folds for cross-validation: the rows are
/// shuffled, then dealt into k folds of ⌊n/k⌋ or ⌈n/k⌉ rows. Returns one
/// `(train, test)` pair per fold, where `test` is the fold and `train` every
/// other row, each in increasing order. Every row is in exactly one `test`;
/// the same seed gives the same folds.
///
/// An error unless 2 ≤ k ≤ n.
///
/// ```
/// let folds = mlmath::metrics::k_fold(10, 3, 1).unwrap();
/// let sizes: Vec<usize> = folds.iter().map(|(_, test)| test.len()).collect();
/// assert_eq!(sizes, vec![4, 3, 3]);
/// assert!(folds.iter().all(|(train, test)| train.len() + test.len() == 10));
/// ```
pub fn k_fold(n: usize, k: usize, seed: u64) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if k < 2 || k > n {
        return Err(Error::parameter(
            "k",
            format!("between 2 and the number of rows n = {n}"),
            k,
        ));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut seeded(seed));
    let mut folds = Vec::with_capacity(k);
    let mut start = 0;
    for f in 0..k {
        let size = n / k + usize::from(f < n % k);
        let mut test = order[start..start + size].to_vec();
        test.sort_unstable();
        let train = (0..n).filter(|i| test.binary_search(i).is_err()).collect();
        folds.push((train, test));
        start += size;
    }
    Ok(folds)
}

/// `truth` and `predicted` of the same, nonzero length.
fn check_pair(truth: ArrayView1<'_, usize>, predicted: ArrayView1<'_, usize>) -> Result<()> {
    if predicted.len() != truth.len() {
        return Err(Error::shape(
            "predicted",
            format!("{} labels, one per entry of truth", truth.len()),
            format!("{} labels", predicted.len()),
        ));
    }
    if truth.is_empty() {
        return Err(Error::empty("truth"));
    }
    Ok(())
}

/// Every label of `labels` below `classes`.
fn check_labels(what: &str, labels: ArrayView1<'_, usize>, classes: usize) -> Result<()> {
    match labels.iter().enumerate().find(|(_, c)| **c >= classes) {
        None => Ok(()),
        Some((i, c)) => Err(Error::parameter(
            format!("every label in {what}"),
            format!("below the number of classes ({classes})"),
            format!("{c} at index {i}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    #[test]
    fn accuracy_and_confusion_of_a_hand_worked_example() {
        // Eight rows of three classes; by hand:
        // truth     0 0 0 1 1 1 2 2
        // predicted 0 0 1 1 1 2 2 0
        // right:    y y n y y n y n  → 5 of 8.
        let truth = array![0, 0, 0, 1, 1, 1, 2, 2];
        let predicted = array![0, 0, 1, 1, 1, 2, 2, 0];
        assert_eq!(accuracy(truth.view(), predicted.view()).unwrap(), 0.625);
        let c = confusion_matrix(truth.view(), predicted.view(), 3).unwrap();
        assert_eq!(c, array![[2, 1, 0], [0, 2, 1], [1, 0, 1]]);
        // Rows sum to the class sizes, the trace to the right answers.
        assert_eq!(c.sum_axis(ndarray::Axis(1)), array![3, 3, 2]);
        assert_eq!(c.diag().sum(), 5);
        // A class never seen still has its row and column.
        let c4 = confusion_matrix(truth.view(), predicted.view(), 4).unwrap();
        assert_eq!(c4.dim(), (4, 4));
        assert_eq!(c4.row(3).sum() + c4.column(3).sum(), 0);
    }

    #[test]
    fn the_confusion_table_names_rows_and_columns() {
        let c = array![[2, 1], [0, 3]];
        let t = confusion_table(c.view(), &["setosa", "versicolor"]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.cell(1, 0), Some("versicolor"));
        assert_eq!(t.cell(1, 2), Some("3"));
        let text = t.to_string();
        assert!(
            text.contains("true \\ predicted  setosa  versicolor"),
            "{text}"
        );
        // Too few names: the rest are indices.
        let t = confusion_table(c.view(), &["setosa"]);
        assert_eq!(t.cell(1, 0), Some("1"));
    }

    #[test]
    fn a_stratified_split_keeps_the_class_proportions() {
        // Classes of 50, 30, 7 and 2 rows, shuffled together.
        let mut labels: Vec<usize> = [(0, 50), (1, 30), (2, 7), (3, 2)]
            .iter()
            .flat_map(|&(c, n)| std::iter::repeat_n(c, n))
            .collect();
        labels.shuffle(&mut seeded(3));
        let y = Array1::from(labels);
        for fraction in [0.1, 0.25, 0.5, 0.9] {
            let (train, test) = stratified_split(y.view(), fraction, 11).unwrap();
            // Disjoint and complete.
            let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
            all.sort_unstable();
            assert_eq!(all, (0..y.len()).collect::<Vec<_>>());
            // Each class: within one row of the fraction, and on both sides.
            for c in 0..4 {
                let n_c = y.iter().filter(|&&l| l == c).count() as f64;
                let in_test = test.iter().filter(|&&i| y[i] == c).count() as f64;
                let in_train = train.iter().filter(|&&i| y[i] == c).count();
                assert!((in_test - fraction * n_c).abs() <= 1.0, "class {c}");
                assert!(in_test >= 1.0 && in_train >= 1, "class {c}");
            }
        }
        // Deterministic for a seed, different for another.
        let a = stratified_split(y.view(), 0.3, 5).unwrap();
        assert_eq!(a, stratified_split(y.view(), 0.3, 5).unwrap());
        assert_ne!(a, stratified_split(y.view(), 0.3, 6).unwrap());
    }

    #[test]
    fn k_folds_partition_the_rows() {
        for (n, k) in [(10, 2), (10, 3), (17, 5), (6, 6)] {
            let folds = k_fold(n, k, 4).unwrap();
            assert_eq!(folds.len(), k);
            let mut tested = Vec::new();
            for (train, test) in &folds {
                assert!(test.len() == n / k || test.len() == n / k + 1);
                let mut both: Vec<usize> = train.iter().chain(test).copied().collect();
                both.sort_unstable();
                assert_eq!(
                    both,
                    (0..n).collect::<Vec<_>>(),
                    "train and test partition 0..n"
                );
                tested.extend_from_slice(test);
            }
            tested.sort_unstable();
            assert_eq!(tested, (0..n).collect::<Vec<_>>(), "each row tested once");
        }
        // Shuffled: the first fold of 20 rows is not simply 0..10.
        let folds = k_fold(20, 2, 4).unwrap();
        assert_ne!(folds[0].1, (0..10).collect::<Vec<_>>());
        assert_eq!(folds, k_fold(20, 2, 4).unwrap());
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let y = array![0, 1, 1];
        let e = accuracy(y.view(), array![0, 1].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let none = Array1::<usize>::zeros(0);
        let e = accuracy(none.view(), none.view()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = confusion_matrix(y.view(), array![0, 1, 2].view(), 2).unwrap_err();
        assert_eq!(
            e.to_string(),
            "every label in predicted must be below the number of classes (2), got 2 at index 2"
        );
        let two = array![0, 0, 1, 1];
        for fraction in [0.0, 1.0, -0.5, f64::NAN] {
            let e = stratified_split(two.view(), fraction, 1).unwrap_err();
            assert!(e.to_string().starts_with("test_fraction"), "{e}");
        }
        let e = stratified_split(array![0, 0, 1, 2, 2].view(), 0.5, 1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the number of rows of class 1 in y must be at least 2"),
            "{e}"
        );
        let e = stratified_split(none.view(), 0.5, 1).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        for (n, k) in [(10, 1), (10, 0), (3, 4), (0, 2)] {
            let e = k_fold(n, k, 1).unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
        }
    }
}
