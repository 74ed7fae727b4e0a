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
//! Both are measured on held-out rows: see
//! [`Dataset::stratified_split`](crate::data::Dataset::stratified_split) and
//! [`Dataset::cross_validate`](crate::data::Dataset::cross_validate).
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


use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
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
    }
}
