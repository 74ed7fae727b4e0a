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
//! [`Dataset::cross_validate`](crate::data::Dataset::cross_validate). A fitted
//! classifier's `score(&test)` is its accuracy; the confusion matrix takes the
//! test set itself, which knows its true classes and their names.
//!
//! ```
//! use mlmath::prelude::*;
//! use mlmath::metrics::{accuracy, confusion_matrix};
//! let test = Dataset::new(&Array2::zeros((5, 1)), &array![0, 0, 1, 1, 2])?;
//! let predicted = array![0, 1, 1, 1, 0];
//! assert_eq!(accuracy(test.y(), &predicted)?, 3.0 / 5.0);
//! let c = confusion_matrix(&test, &predicted)?;
//! assert_eq!(c, array![[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
//! # Ok::<(), mlmath::Error>(())
//! ```

use ndarray::{Array2, ArrayView1, AsArray, Ix1};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::table::Table;

/// The fraction of rows predicted right, (1/n) Σ_i [ŷ_i = y_i], for true
/// classes `truth: (n,)` and `predicted: (n,)` (arrays, views or slices).
///
/// An error if the lengths differ or there are no rows.
///
/// ```
/// use ndarray::array;
/// let a = mlmath::metrics::accuracy(&array![0, 1, 1, 0], &array![0, 1, 0, 0]);
/// assert_eq!(a.unwrap(), 0.75);
/// ```
pub fn accuracy<'a, 'b>(
    truth: impl AsArray<'a, usize, Ix1>,
    predicted: impl AsArray<'b, usize, Ix1>,
) -> Result<f64> {
    accuracy_of_views(truth.into(), predicted.into())
}

/// The `(c, c)` matrix C_ab = #{ i : y_i = a and ŷ_i = b } for the rows of
/// `test` (its labels y and its c classes) and the `predicted: (n,)` classes
/// of its rows: row a is the true class, column b the predicted one. The
/// diagonal counts the rows predicted right.
///
/// An error if `predicted` does not hold one class per row of `test`, there
/// are no rows, or a predicted class is not one of test's.
///
/// ```
/// use mlmath::prelude::*;
/// let test = Dataset::new(&Array2::zeros((3, 1)), &array![0, 1, 1])?;
/// let c = mlmath::metrics::confusion_matrix(&test, &array![1, 1, 0])?;
/// assert_eq!(c, array![[0, 1], [1, 1]]);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn confusion_matrix<'a>(
    test: &Dataset,
    predicted: impl AsArray<'a, usize, Ix1>,
) -> Result<Array2<usize>> {
    confusion_of_view(test, predicted.into())
}

/// The confusion matrix of [`confusion_matrix`] as a table: a row per true
/// class, a column per predicted class, each named by test's class names.
///
/// ```
/// use mlmath::prelude::*;
/// let test = Dataset::new(&Array2::zeros((3, 1)), &array![0, 1, 1])?
///     .with_class_names(&["cat", "dog"])?;
/// let t = mlmath::metrics::confusion_table(&test, &array![0, 1, 0])?;
/// assert_eq!(t.cell(1, 0), Some("dog"));
/// assert_eq!(t.cell(1, 1), Some("1")); // one dog taken for a cat
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn confusion_table<'a>(
    test: &Dataset,
    predicted: impl AsArray<'a, usize, Ix1>,
) -> Result<Table> {
    table_of_view(test, predicted.into())
}

/// [`accuracy`] on views.
fn accuracy_of_views(
    truth: ArrayView1<'_, usize>,
    predicted: ArrayView1<'_, usize>,
) -> Result<f64> {
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
    let right = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    Ok(right as f64 / truth.len() as f64)
}

/// [`confusion_matrix`] on a view.
fn confusion_of_view(test: &Dataset, predicted: ArrayView1<'_, usize>) -> Result<Array2<usize>> {
    if predicted.len() != test.len() {
        return Err(Error::shape(
            "predicted",
            format!("{} classes, one per row of {}", test.len(), test.name()),
            format!("{} classes", predicted.len()),
        ));
    }
    if test.is_empty() {
        return Err(Error::empty(format!("the dataset {}", test.name())));
    }
    let classes = test.n_classes();
    if let Some((i, c)) = predicted.iter().enumerate().find(|(_, c)| **c >= classes) {
        return Err(Error::parameter(
            "every predicted class",
            format!(
                "one of the {classes} classes of {} (0 to {})",
                test.name(),
                classes - 1
            ),
            format!("{c} at index {i}"),
        ));
    }
    let mut matrix = Array2::zeros((classes, classes));
    for (&t, &p) in test.y().iter().zip(predicted) {
        matrix[(t, p)] += 1;
    }
    Ok(matrix)
}

/// [`confusion_table`] on a view.
fn table_of_view(test: &Dataset, predicted: ArrayView1<'_, usize>) -> Result<Table> {
    let matrix = confusion_of_view(test, predicted)?;
    let names = test.class_names();
    let header = std::iter::once("true \\ predicted".to_string()).chain(names.iter().cloned());
    let mut table = Table::new(header).caption(
        "confusion matrix: a row per true class, a column per predicted class; \
         the diagonal counts the rows predicted right",
    );
    for (name, row) in names.iter().zip(matrix.rows()) {
        table.push_row(std::iter::once(name.clone()).chain(row.iter().map(|n| n.to_string())));
    }
    Ok(table)
}

/// Checks that `test` has the classes a model was fitted on, in the same
/// order (it may lack classes at the end): a model's labels mean nothing on
/// a dataset whose labels number other classes.
pub(crate) fn check_same_classes(fitted: &[String], test: &Dataset) -> Result<()> {
    let names = test.class_names();
    if names.len() > fitted.len() || names != &fitted[..names.len()] {
        return Err(Error::parameter(
            format!("the classes of {}", test.name()),
            format!(
                "those the model was fitted on, in order: {}",
                fitted.join(", ")
            ),
            names.join(", "),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    /// A dataset whose labels are `y` (the features do not matter here).
    fn labelled(y: Array1<usize>) -> Dataset {
        Dataset::new(&Array2::zeros((y.len(), 1)), &y).unwrap()
    }

    #[test]
    fn accuracy_and_confusion_of_a_hand_worked_example() {
        // Eight rows of three classes; by hand:
        // truth     0 0 0 1 1 1 2 2
        // predicted 0 0 1 1 1 2 2 0
        // right:    y y n y y n y n  → 5 of 8.
        let test = labelled(array![0, 0, 0, 1, 1, 1, 2, 2]);
        let predicted = array![0, 0, 1, 1, 1, 2, 2, 0];
        assert_eq!(accuracy(test.y(), &predicted).unwrap(), 0.625);
        assert_eq!(accuracy(&[0, 1][..], &vec![0, 0]).unwrap(), 0.5);
        let c = confusion_matrix(&test, &predicted).unwrap();
        assert_eq!(c, array![[2, 1, 0], [0, 2, 1], [1, 0, 1]]);
        // Rows sum to the class sizes, the trace to the right answers.
        assert_eq!(c.sum_axis(ndarray::Axis(1)), array![3, 3, 2]);
        assert_eq!(c.diag().sum(), 5);
        // A class never seen still has its row and column.
        let four = test
            .clone()
            .with_class_names(&["a", "b", "c", "d"])
            .unwrap();
        let c4 = confusion_matrix(&four, &predicted).unwrap();
        assert_eq!(c4.dim(), (4, 4));
        assert_eq!(c4.row(3).sum() + c4.column(3).sum(), 0);
    }

    #[test]
    fn the_confusion_table_names_rows_and_columns() {
        let test = labelled(array![0, 0, 1, 1, 1])
            .with_class_names(&["setosa", "versicolor"])
            .unwrap();
        let t = confusion_table(&test, &array![0, 1, 1, 1, 1]).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.cell(1, 0), Some("versicolor"));
        assert_eq!(t.cell(1, 2), Some("3"));
        assert_eq!(t.cell(0, 1), Some("1"));
        let text = t.to_string();
        assert!(
            text.contains("true \\ predicted  setosa  versicolor"),
            "{text}"
        );
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let y = array![0, 1, 1];
        let e = accuracy(&y, &array![0, 1]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let none = Array1::<usize>::zeros(0);
        let e = accuracy(&none, &none).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = confusion_matrix(&labelled(y), &array![0, 1, 2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "every predicted class must be one of the 2 classes of data (0 to 1), got 2 at index 2"
        );
        let e = confusion_table(&labelled(none.clone()), &none).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }
}
