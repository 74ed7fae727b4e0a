//! Preprocessing: putting features on one scale.
//!
//! **Standardising** maps each column to mean 0 and standard deviation 1:
//!
//! ```text
//! z_ij = (x_ij − μ_j) / σ_j,   μ_j = (1/n) Σ_i x_ij,   σ_j = √((1/n) Σ_i (x_ij − μ_j)²)
//! ```
//!
//! Features on one scale give a loss whose Hessian has eigenvalues of one
//! size (one learning rate suits every direction), distances to which every
//! feature contributes alike, and principal components that do not simply
//! pick the feature with the largest unit. The mean and spread are measured
//! on the **training** rows and applied unchanged to the test rows: the test
//! rows must not leak into anything the model learns from.

use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix2};

use super::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};

/// The mean μ_j and (population) standard deviation σ_j of each column,
/// measured once and applied to any rows: `z = (x − μ) / σ`.
///
/// ```
/// use mlmath::data::Standardizer;
/// use ndarray::array;
/// let x = array![[1.0, 10.0], [3.0, 10.0], [5.0, 40.0], [7.0, 40.0]];
/// let s = Standardizer::fit(&x).unwrap();
/// assert_eq!(s.mean(), &array![4.0, 25.0]);
/// assert_eq!(s.std(), &array![5f64.sqrt(), 15.0]);
/// assert_eq!(s.transform(&x).unwrap().column(1).to_vec(), vec![-1.0, -1.0, 1.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    mean: Array1<f64>,
    std: Array1<f64>,
    /// The mean as `shift + offset`, `shift` the first row fitted on: `x − μ`
    /// is computed as `(x − shift) − offset`, exact for columns far from 0
    /// whose mean falls between two floating-point numbers.
    shift: Array1<f64>,
    offset: Array1<f64>,
}

impl Standardizer {
    /// Measures the mean and standard deviation of each column of
    /// `x: (n, d)` (a [`Dataset`] or an array). An error for no rows, a
    /// missing or infinite value, or a constant column (σ_j = 0: nothing to
    /// divide by, and a column that tells no rows apart).
    pub fn fit<'a>(x: impl AsFeatures<'a>) -> Result<Standardizer> {
        fit_view(x.into_features())
    }

    /// The column means μ: `(d,)`.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// The column standard deviations σ: `(d,)`.
    pub fn std(&self) -> &Array1<f64> {
        &self.std
    }

    /// `(x − μ) / σ` for rows `x: (m, d)` with the columns measured by `fit`.
    ///
    /// An error for a different number of columns, or for a missing (NaN)
    /// or infinite value, named by its `[row, column]`: a NaN would
    /// otherwise pass silently into every later step.
    ///
    /// ```
    /// use mlmath::data::Standardizer;
    /// use ndarray::array;
    /// let s = Standardizer::fit(&array![[1.0, 2.0], [3.0, 6.0]]).unwrap();
    /// let e = s.transform(&array![[1.0, 2.0], [f64::NAN, 4.0]]).unwrap_err();
    /// assert!(e.to_string().starts_with("row 1, column 0 of x holds a NaN"), "{e}");
    /// ```
    pub fn transform<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        let x = x.into_features();
        if x.ncols() != self.mean.len() {
            return Err(Error::shape(
                "x",
                format!(
                    "{} columns, as the rows the standardizer was fitted on",
                    self.mean.len()
                ),
                format!("{} columns", x.ncols()),
            ));
        }
        if let Some(((i, j), _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NotFinite {
                what: format!("row {i}, column {j} of x"),
                index: vec![i, j],
            });
        }
        Ok((&x - &self.shift - &self.offset) / &self.std)
    }

    /// `μ + σ z`: back from standardised rows to the original units.
    pub fn inverse_transform<'a>(&self, z: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        let z: ArrayView2<'a, f64> = z.into();
        if z.ncols() != self.mean.len() {
            return Err(Error::shape(
                "z",
                format!(
                    "{} columns, as the rows the standardizer was fitted on",
                    self.mean.len()
                ),
                format!("{} columns", z.ncols()),
            ));
        }
        Ok(&z * &self.std + &self.mean)
    }
}

fn fit_view(x: ArrayView2<'_, f64>) -> Result<Standardizer> {
    if x.nrows() == 0 {
        return Err(Error::empty("x"));
    }
    check_finite("x", x)?;
    // The mean of the differences from the first row, plus that row: exact
    // to rounding even for columns far from 0 (1e9 ± 1e-6), where summing
    // the raw values would lose the digits that vary.
    let shift = x.row(0).to_owned();
    let differences = &x - &shift;
    let offset = differences
        .mean_axis(Axis(0))
        .expect("x has at least one row");
    let mean = &shift + &offset;
    // Centre first, then square: no cancellation for columns far from 0.
    let std = (&differences - &offset)
        .mapv(|v| v * v)
        .mean_axis(Axis(0))
        .expect("x has at least one row")
        .mapv(f64::sqrt);
    for (j, column) in x.columns().into_iter().enumerate() {
        if column.iter().all(|&v| v == column[0]) || std[j] == 0.0 {
            return Err(Error::parameter(
                format!("column {j} of x"),
                "a column whose values vary (standard deviation above 0, to divide by)",
                format!(
                    "a constant column: every value is {}; drop it, it tells the rows apart in no way",
                    column[0]
                ),
            ));
        }
    }
    Ok(Standardizer {
        mean,
        std,
        shift,
        offset,
    })
}

/// Standardises the columns of `x: (n, d)` by their own mean and spread:
/// `Standardizer::fit(x)?.transform(x)`.
///
/// ```
/// use ndarray::array;
/// let z = mlmath::data::preprocessing::standardize(&array![[1.0], [3.0]]).unwrap();
/// assert_eq!(z, array![[-1.0], [1.0]]);
/// ```
pub fn standardize<'a>(x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
    let x = x.into_features();
    fit_view(x)?.transform(x)
}

impl Dataset {
    /// The dataset with every feature standardised by its own mean and
    /// spread. For a test set, use [`standardized_by`](Self::standardized_by)
    /// with the training set instead.
    pub fn standardized(&self) -> Result<Dataset> {
        self.with_x(&standardize(self)?)
    }

    /// The dataset standardised with the mean and spread of `reference`
    /// (the training rows), so that nothing is learned from these rows.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let (train, test) = iris.stratified_split(0.3, 7).unwrap();
    /// let z = test.standardized_by(&train).unwrap();
    /// // The training rows' mean, not the test rows' own: near 0, not 0.
    /// assert!(z.x().column(0).mean().unwrap().abs() < 0.5);
    /// ```
    pub fn standardized_by(&self, reference: &Dataset) -> Result<Dataset> {
        self.with_x(&Standardizer::fit(reference)?.transform(self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn standardising_gives_mean_zero_and_unit_spread_even_far_from_zero() {
        // A column at an offset of 1e9 with spread 1: the naive E[x²] − E[x]²
        // loses every digit; centring first keeps them.
        let x = array![
            [1e9 + 1.0, 2.0],
            [1e9 - 1.0, 4.0],
            [1e9 + 1.0, 6.0],
            [1e9 - 1.0, 8.0]
        ];
        let s = Standardizer::fit(&x).unwrap();
        assert_eq!(s.std()[0], 1.0);
        let z = s.transform(&x).unwrap();
        assert_eq!(z.column(0).to_vec(), vec![1.0, -1.0, 1.0, -1.0]);
        let back = s.inverse_transform(&z).unwrap();
        assert!((&back - &x).iter().all(|e| e.abs() < 1e-6));
        let e = standardize(&array![[1.0, 5.0], [2.0, 5.0]]).unwrap_err();
        assert!(e.to_string().contains("column 1 of x"), "{e}");
        let e = s.transform(&array![[1.0]]).unwrap_err();
        assert!(e.to_string().contains("2 columns"), "{e}");
    }

    #[test]
    fn transforming_a_missing_or_infinite_value_names_its_row_and_column() {
        let s = Standardizer::fit(&array![[1.0, 2.0], [3.0, 6.0]]).unwrap();
        let e = s
            .transform(&array![[1.0, 2.0], [2.0, 4.0], [3.0, f64::INFINITY]])
            .unwrap_err();
        assert!(
            matches!(&e, Error::NotFinite { index, .. } if index == &vec![2, 1]),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("row 2, column 1 of x"), "{e}");
        assert!(e.to_string().contains("index [2, 1]"), "{e}");
        let z = s.transform(&array![[2.0, 4.0]]).unwrap();
        assert_eq!(z, array![[0.0, 0.0]]);
    }
}
