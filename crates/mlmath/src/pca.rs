//! Principal component analysis: the directions in which data vary most.
//!
//! ## Covariance
//!
//! For data `x: (n, d)` with rows x_i and mean x̄ = (1/n) Σ_i x_i, the
//! covariance matrix is
//!
//! ```text
//! C = (1/(n − 1)) Σ_i (x_i − x̄)(x_i − x̄)ᵀ,      C_jl = cov(feature j, feature l),
//! ```
//!
//! symmetric, (d, d), with the variances of the features on its diagonal.
//! Dividing by n − 1 rather than n (Bessel's correction) makes it an
//! unbiased estimate of the covariance of the population the rows were drawn
//! from: the deviations are measured from x̄, which was fitted to these very
//! rows and so sits closer to them than the true mean does. The choice scales
//! every variance by the same factor n/(n − 1); it changes neither the axes
//! nor the explained-variance ratios below.
//!
//! The formula is computed as written: centre first, then multiply. The
//! shortcut `(1/(n − 1)) (Σ x_i x_iᵀ − n x̄ x̄ᵀ)` subtracts two huge, nearly
//! equal numbers for data far from the origin and loses every digit (at an
//! offset of 1e9, the squares are 1e18 and f64 keeps 16 digits).
//!
//! ## Correlation
//!
//! A covariance carries the units of its two features (cm · g); dividing by
//! the two standard deviations σ_j = √C_jj removes them:
//!
//! ```text
//! R_jl = C_jl / (σ_j σ_l),      −1 ≤ R_jl ≤ 1,   R_jj = 1.
//! ```
//!
//! R_jl = ±1 when feature l is an exact linear function of feature j, and 0
//! when they are uncorrelated (which does not make them independent). A
//! constant feature has σ = 0 and no correlation with anything: it is an
//! error for [`correlation`], not a NaN.
//!
//! ## Principal axes
//!
//! Project the centred data onto a unit vector u: the scores u·(x_i − x̄)
//! have variance uᵀ C u. The direction of largest variance maximises uᵀ C u
//! subject to uᵀ u = 1; with a Lagrange multiplier λ, the gradient of
//! uᵀ C u − λ (uᵀ u − 1) vanishes where
//!
//! ```text
//! C u = λ u,      and then the variance is uᵀ C u = λ.
//! ```
//!
//! So the **principal axes** are the unit eigenvectors w_1, w_2, … of C,
//! in the order of their eigenvalues λ_1 ≥ λ_2 ≥ … ≥ 0, and λ_j is the
//! variance of the data along w_j (the next axis maximises the variance
//! among directions perpendicular to the ones before). The eigenvalues are
//! found by [`linalg::symmetric_eigen`](crate::linalg::symmetric_eigen).
//!
//! ## Scores, variance explained, reconstruction
//!
//! Keeping k axes as the rows of W: (k, d), the **scores** (the data in the
//! new coordinates) and the **reconstruction** from them are
//!
//! ```text
//! z_i = W (x_i − x̄)      (k,)        x̂_i = x̄ + Wᵀ z_i      (d,)
//! ```
//!
//! The scores are uncorrelated: their covariance is W C Wᵀ = diag(λ_1, …, λ_k).
//! The total variance is the trace of C, Σ_j C_jj = Σ_j λ_j (a rotation
//! keeps it), so axis j **explains** the fraction λ_j / Σ λ of it, and
//! what the reconstruction misses is exactly the rest:
//! (1/(n − 1)) Σ_i ‖x_i − x̂_i‖² = λ_{k+1} + … + λ_d.
//!
//! ```
//! use mlmath::pca::Pca;
//! use ndarray::array;
//! // Points on the line y = x: all the variance lies along (1, 1)/√2.
//! let x = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]];
//! let pca = Pca::new(1).fit(&x).unwrap();
//! let s = 0.5_f64.sqrt();
//! let axis = pca.components().row(0);
//! assert!((axis[0] - s).abs() < 1e-12 && (axis[1] - s).abs() < 1e-12);
//! assert!((pca.explained_variance_ratio()[0] - 1.0).abs() < 1e-12);
//! ```

use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix2};

use crate::data::AsFeatures;
use crate::error::{Error, Result, check_finite};
use crate::linalg::{ColumnMeans, largest, norm, power_of_two_scale, symmetric_eigen};

/// The covariance matrix `C = (1/(n − 1)) Σ_i (x_i − x̄)(x_i − x̄)ᵀ` of
/// `x: (n, d)` (an array or a dataset's features), shape `(d, d)`, divided
/// by n − 1 (see the [module](self) docs). The rows are centred first, so
/// data far from the origin lose no digits.
///
/// An error if x has fewer than 2 rows or a value that is not finite, or if
/// a covariance is beyond the range of `f64` (features above about 1e154).
///
/// ```
/// use mlmath::pca::covariance;
/// use ndarray::array;
/// // Mean (2, 3); deviations ±(1, 2); n − 1 = 1.
/// let c = covariance(&array![[1.0, 1.0], [3.0, 5.0]]).unwrap();
/// assert_eq!(c, array![[2.0, 4.0], [4.0, 8.0]]);
/// // The same points moved to 1e9: the same covariance, to the last digit.
/// let far = covariance(&array![[1e9 + 1.0, 1.0], [1e9 + 3.0, 5.0]]).unwrap();
/// assert_eq!(far, c);
/// ```
pub fn covariance<'a>(x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
    covariance_view(x.into_features())
}

fn covariance_view(x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let (_, centred) = centred_rows(x)?;
    let c = centred.t().dot(&centred) / (x.nrows() - 1) as f64;
    if c.iter().all(|v| v.is_finite()) {
        Ok(c)
    } else {
        Err(overflow())
    }
}

/// The correlation matrix `R_jl = C_jl / (σ_j σ_l)` of `x: (n, d)` (an
/// array or a dataset's features), shape `(d, d)`: 1 on the diagonal, every
/// entry in [−1, 1], whatever the units or the size of the features.
///
/// Computed from the centred columns scaled to unit length, `R = ZᵀZ`, so
/// it neither overflows for huge features nor vanishes for tiny ones. An
/// error if x has fewer than 2 rows or a value that is not finite, or if a
/// column is constant (σ = 0: it correlates with nothing; drop it).
///
/// ```
/// use mlmath::pca::correlation;
/// use ndarray::array;
/// // Feature 1 is 2 × feature 0 (correlation 1); feature 2 falls as 0 rises.
/// let x = array![[1.0, 2.0, 5.0], [2.0, 4.0, 3.0], [3.0, 6.0, 4.0]];
/// let r = correlation(&x).unwrap();
/// assert!((r[(0, 1)] - 1.0).abs() < 1e-15 && r[(0, 0)] == 1.0);
/// assert!((r[(0, 2)] + 0.5).abs() < 1e-15);
/// assert!(correlation(&array![[1.0, 7.0], [2.0, 7.0]]).is_err()); // column 1 is constant
/// ```
pub fn correlation<'a>(x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
    correlation_view(x.into_features())
}

fn correlation_view(x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let (_, mut z) = centred_rows(x)?;
    for (j, mut column) in z.columns_mut().into_iter().enumerate() {
        let length = norm(column.view());
        if length == 0.0 {
            return Err(Error::parameter(
                format!("column {j} of x"),
                "a column whose values vary (a constant has no correlation with anything)",
                format!("a constant column, every value {}: drop it", x[(0, j)]),
            ));
        }
        column /= length;
    }
    let mut r = z.t().dot(&z);
    for ((i, j), v) in r.indexed_iter_mut() {
        *v = if i == j { 1.0 } else { v.clamp(-1.0, 1.0) };
    }
    Ok(r)
}

/// The hyperparameter of principal component analysis: how many axes to
/// keep. [`fit`](Self::fit) finds them.
///
/// ```
/// use mlmath::pca::Pca;
/// let iris = mlmath::data::iris().unwrap();
/// let pca = Pca::new(2).fit(&iris).unwrap();
/// assert_eq!(pca.components().dim(), (2, 4));
/// assert!(pca.cumulative_explained_variance()[1] > 0.97);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pca {
    n_components: usize,
}

impl Pca {
    /// Keep `n_components` axes (from 1 to the number of features, checked
    /// by [`fit`](Self::fit)).
    pub fn new(n_components: usize) -> Self {
        Pca { n_components }
    }

    /// The number k of principal axes to keep.
    pub fn n_components(&self) -> usize {
        self.n_components
    }

    /// The mean, the k leading principal axes and their variances for
    /// `x: (n, d)` (a [`Dataset`](crate::data::Dataset) or an array): the
    /// eigen-decomposition of [`covariance`]`(x)`, computed on the centred
    /// rows scaled by a power of two (so that neither huge nor tiny features
    /// lose the axes).
    ///
    /// Eigenvalues that rounding leaves slightly below 0 are set to 0 (a
    /// covariance has none below 0). Each axis is only defined up to its
    /// sign; the one returned has its largest entry positive.
    ///
    /// An error if `n_components` is 0 or more than d, x has fewer than 2
    /// rows or a value that is not finite, every row is the same point (no
    /// variance to explain), or the variance is beyond the range of `f64`.
    pub fn fit<'a>(&self, x: impl AsFeatures<'a>) -> Result<FittedPca> {
        self.fit_view(x.into_features())
    }

    fn fit_view(&self, x: ArrayView2<'_, f64>) -> Result<FittedPca> {
        let (n, d) = x.dim();
        if self.n_components == 0 || self.n_components > d {
            return Err(Error::parameter(
                "n_components",
                format!("between 1 and the number of features d = {d}"),
                self.n_components,
            ));
        }
        let (means, centred) = centred_rows(x)?;
        let big = largest(centred.view());
        if big == 0.0 {
            return Err(Error::parameter(
                "x",
                "rows that are not all the same point (PCA explains variance, and there is none)",
                format!("{n} copies of one point"),
            ));
        }
        // Scale to a largest deviation in [1, 2): the covariance of the
        // scaled rows neither overflows nor underflows, and its eigenvectors
        // are those of C. Its eigenvalues are those of C times scale².
        let scale = power_of_two_scale(big);
        let scaled = centred * scale;
        let c = scaled.t().dot(&scaled) / (n - 1) as f64;
        let total = c.diag().sum();
        let eigen = symmetric_eigen(&c)?;
        let k = self.n_components;
        let keep: Vec<usize> = (0..k).collect();
        let lambda = eigen.values().select(Axis(0), &keep).mapv(|l| l.max(0.0));
        let unscale = |v: f64| v / scale / scale;
        let explained_variance = lambda.mapv(unscale);
        let total_variance = unscale(total);
        if !total_variance.is_finite() {
            return Err(overflow());
        }
        Ok(FittedPca {
            mean: means.mean(),
            means,
            components: eigen.vectors().select(Axis(1), &keep).reversed_axes(),
            explained_variance_ratio: &lambda / total,
            explained_variance,
            total_variance,
        })
    }
}

/// A fitted PCA: the mean and the leading principal axes of the training
/// data, read through its accessors.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPca {
    mean: Array1<f64>,
    means: ColumnMeans,
    components: Array2<f64>,
    explained_variance: Array1<f64>,
    explained_variance_ratio: Array1<f64>,
    total_variance: f64,
}

impl FittedPca {
    /// The principal axes w_1, …, w_k as the rows of W: unit length and
    /// mutually perpendicular, the axis of largest variance first: `(k, d)`.
    pub fn components(&self) -> &Array2<f64> {
        &self.components
    }

    /// The number k of principal axes kept (the rows of
    /// [`components`](Self::components)).
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    /// The mean x̄ of the training rows: `(d,)`.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// The variance λ_j of the training data along each kept axis,
    /// decreasing: `(k,)`.
    pub fn explained_variance(&self) -> &Array1<f64> {
        &self.explained_variance
    }

    /// The total variance trace(C) = Σ_j C_jj = λ_1 + … + λ_d of the
    /// training data, over all d axes (kept or not).
    pub fn total_variance(&self) -> f64 {
        self.total_variance
    }

    /// The fraction of the total variance along each kept axis,
    /// λ_j / trace(C): `(k,)`, summing to at most 1 (to 1 when k = d).
    pub fn explained_variance_ratio(&self) -> &Array1<f64> {
        &self.explained_variance_ratio
    }

    /// The running sums of [`explained_variance_ratio`](Self::explained_variance_ratio):
    /// entry j is the fraction of the variance the first j + 1 axes keep,
    /// (λ_1 + … + λ_{j+1}) / trace(C): `(k,)`, increasing.
    ///
    /// ```
    /// use mlmath::pca::Pca;
    /// use ndarray::array;
    /// // Variances 8/3 along x and 2/3 along y: 80%, then all of it.
    /// let x = array![[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
    /// let cumulative = Pca::new(2).fit(&x).unwrap().cumulative_explained_variance();
    /// assert!((cumulative[0] - 0.8).abs() < 1e-12 && (cumulative[1] - 1.0).abs() < 1e-12);
    /// ```
    pub fn cumulative_explained_variance(&self) -> Array1<f64> {
        let mut sum = 0.0;
        self.explained_variance_ratio.mapv(|r| {
            sum += r;
            sum
        })
    }

    /// The scores `z_i = W (x_i − x̄)` of the rows of `x: (n, d)` (an array
    /// or a dataset's features): the coordinates along the principal axes,
    /// `(n, k)`.
    ///
    /// ```
    /// use mlmath::pca::Pca;
    /// use ndarray::array;
    /// let x = array![[0.0, 0.0], [2.0, 0.0], [4.0, 0.0], [2.0, 1.0], [2.0, -1.0]];
    /// let pca = Pca::new(2).fit(&x).unwrap();
    /// // Mean (2, 0); the x-axis varies most, then the y-axis.
    /// let z = pca.transform(&array![[5.0, 0.5]]).unwrap();
    /// assert!((z[(0, 0)] - 3.0).abs() < 1e-12 && (z[(0, 1)] - 0.5).abs() < 1e-12);
    /// ```
    pub fn transform<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        self.transform_view(x.into_features())
    }

    fn transform_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_input(
            "x",
            x,
            self.mean.len(),
            "one per feature of the training data",
        )?;
        let z = self.means.centre(x).dot(&self.components.t());
        if z.iter().all(|v| v.is_finite()) {
            Ok(z)
        } else {
            Err(overflow())
        }
    }

    /// The points `x̂_i = x̄ + Wᵀ z_i` rebuilt from scores `z: (n, k)`:
    /// `(n, d)`. With all d axes it undoes [`transform`](Self::transform)
    /// exactly; with fewer, x̂ is the projection of x onto the span of the
    /// kept axes (through x̄), the best rank-k approximation in squared error.
    ///
    /// ```
    /// use mlmath::pca::Pca;
    /// use ndarray::array;
    /// let x = array![[0.0, 0.0], [2.0, 0.0], [4.0, 0.0], [2.0, 1.0], [2.0, -1.0]];
    /// let pca = Pca::new(1).fit(&x).unwrap();
    /// // One axis keeps the x-coordinate and puts y at its mean, 0.
    /// let rebuilt = pca.inverse_transform(&pca.transform(&array![[5.0, 0.5]]).unwrap()).unwrap();
    /// assert!((rebuilt[(0, 0)] - 5.0).abs() < 1e-12 && rebuilt[(0, 1)].abs() < 1e-12);
    /// ```
    pub fn inverse_transform<'a>(&self, z: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        self.inverse_transform_view(z.into())
    }

    fn inverse_transform_view(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_input(
            "z",
            z,
            self.components.nrows(),
            "one per principal axis kept",
        )?;
        let x = self.means.uncentre(z.dot(&self.components));
        if x.iter().all(|v| v.is_finite()) {
            Ok(x)
        } else {
            Err(overflow())
        }
    }
}

/// The smallest number of principal axes k whose explained-variance ratios
/// add up to at least `fraction` of the total variance of `x: (n, d)` (an
/// array or a dataset's features):
///
/// ```text
/// k = min { k : (λ_1 + … + λ_k) / (λ_1 + … + λ_d) ≥ fraction }.
/// ```
///
/// (A margin of 1e-12 absorbs rounding, so `fraction = 1.0` is reached.) An
/// error if `fraction` is not in (0, 1], or for the inputs [`Pca::fit`]
/// refuses.
///
/// ```
/// use mlmath::pca::components_for_variance;
/// use ndarray::array;
/// // Variances 8/3 along x and 2/3 along y: x alone explains 80%.
/// let x = array![[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
/// assert_eq!(components_for_variance(&x, 0.8).unwrap(), 1);
/// assert_eq!(components_for_variance(&x, 0.9).unwrap(), 2);
/// assert!(components_for_variance(&x, 1.5).is_err());
/// ```
pub fn components_for_variance<'a>(x: impl AsFeatures<'a>, fraction: f64) -> Result<usize> {
    components_for_variance_view(x.into_features(), fraction)
}

fn components_for_variance_view(x: ArrayView2<'_, f64>, fraction: f64) -> Result<usize> {
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(Error::parameter(
            "fraction",
            "a fraction of the variance in (0, 1]",
            fraction,
        ));
    }
    let d = x.ncols();
    let full = Pca::new(d.max(1)).fit_view(x)?;
    let cumulative = full.cumulative_explained_variance();
    Ok(cumulative
        .iter()
        .position(|&kept| kept >= fraction - 1e-12)
        .map_or(d, |j| j + 1))
}

/// The column means of `x: (n, d)` and `x − x̄`, centred exactly to
/// rounding (see `linalg::ColumnMeans`); an error unless x has at least 2
/// rows and finite values.
fn centred_rows(x: ArrayView2<'_, f64>) -> Result<(ColumnMeans, Array2<f64>)> {
    let n = x.nrows();
    if n == 0 {
        return Err(Error::empty("x"));
    }
    if n < 2 {
        return Err(Error::parameter(
            "x",
            "at least 2 rows (the covariance divides by n − 1)",
            "1 row",
        ));
    }
    check_finite("x", x)?;
    let means = ColumnMeans::of(x);
    let centred = means.centre(x);
    if centred.iter().all(|v| v.is_finite()) {
        Ok((means, centred))
    } else {
        Err(overflow())
    }
}

fn overflow() -> Error {
    Error::parameter(
        "x",
        "features whose variances fit in an f64 (values below about 1e154)",
        "variances that overflow: rescale x first (e.g. Standardizer, or divide by a large unit)",
    )
}

/// Checks that `a` is not empty, has `columns` columns and finite values.
fn check_input(what: &str, a: ArrayView2<'_, f64>, columns: usize, why: &str) -> Result<()> {
    if a.nrows() == 0 {
        return Err(Error::empty(what));
    }
    if a.ncols() != columns {
        return Err(Error::shape(
            what,
            format!("{columns} columns, {why}"),
            format!("{} columns", a.ncols()),
        ));
    }
    check_finite(what, a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{normal_matrix, seeded};
    use ndarray::{Array1, array};

    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    /// A rotation of ℝ³: a turn about the x-axis, then one about the z-axis.
    fn rotation() -> Array2<f64> {
        let (a, b) = (0.7_f64, -0.4_f64);
        let about_z = array![
            [a.cos(), -a.sin(), 0.0],
            [a.sin(), a.cos(), 0.0],
            [0.0, 0.0, 1.0]
        ];
        let about_x = array![
            [1.0, 0.0, 0.0],
            [0.0, b.cos(), -b.sin()],
            [0.0, b.sin(), b.cos()]
        ];
        about_z.dot(&about_x)
    }

    /// Eight points whose covariance is exactly Q diag(9, 4, 1) Qᵀ: the
    /// corners √(7/8) (±3, ±2, ±1) of a box (mean 0, Σ z zᵀ = 8 · (7/8)
    /// diag(9, 4, 1), and n − 1 = 7), rotated by Q and moved to (5, −1, 2).
    fn rotated_box() -> Array2<f64> {
        let scale = (7.0_f64 / 8.0).sqrt();
        let corners = Array2::from_shape_fn((8, 3), |(i, j)| {
            let sign = if (i >> j) & 1 == 0 { 1.0 } else { -1.0 };
            scale * sign * [3.0, 2.0, 1.0][j]
        });
        corners.dot(&rotation().t()) + &array![5.0, -1.0, 2.0]
    }

    #[test]
    fn points_on_a_line_have_one_component() {
        // y = 2x for t = −2..3: along (1, 2)/√5 the scores are √5 (t − 0.5),
        // of variance 5 · 17.5/5 = 17.5; across the line, none.
        let x = Array2::from_shape_fn((6, 2), |(i, j)| (i as f64 - 2.0) * [1.0, 2.0][j]);
        let pca = Pca::new(2).fit(&x).unwrap();
        let root5 = 5f64.sqrt();
        assert_close(pca.components()[(0, 0)], 1.0 / root5, 1e-12);
        assert_close(pca.components()[(0, 1)], 2.0 / root5, 1e-12);
        assert_close(pca.explained_variance()[0], 17.5, 1e-12);
        assert_close(pca.explained_variance()[1], 0.0, 1e-12);
        assert_close(pca.explained_variance_ratio()[0], 1.0, 1e-12);
        assert_eq!(pca.mean(), array![0.5, 1.0]);
        assert_eq!(pca.n_components(), 2);
    }

    #[test]
    fn a_rotated_box_gives_back_its_variances_and_axes() {
        let q = rotation();
        let gram = q.t().dot(&q);
        assert!(
            (gram - Array2::<f64>::eye(3))
                .iter()
                .all(|e| e.abs() < 1e-15)
        );
        // The same box at 1e9, at 1e200 and at 1e-200: the axes and ratios
        // do not change, and the variances scale with the square.
        for (offset, unit) in [(0.0, 1.0), (1e9, 1.0), (0.0, 1e100), (0.0, 1e-100)] {
            let x = rotated_box() * unit + offset;
            let pca = Pca::new(3).fit(&x).unwrap();
            for (k, lambda) in [9.0, 4.0, 1.0].into_iter().enumerate() {
                assert_close(pca.explained_variance()[k] / unit / unit, lambda, 1e-6);
                assert_close(pca.explained_variance_ratio()[k], lambda / 14.0, 1e-6);
                // Axis k is column k of Q, up to its sign.
                let cos = pca.components().row(k).dot(&q.column(k));
                assert_close(cos.abs(), 1.0, 1e-10);
            }
            assert_close(pca.total_variance() / unit / unit, 14.0, 1e-6);
        }
        let pca = Pca::new(3).fit(&rotated_box()).unwrap();
        assert_close(pca.mean()[0], 5.0, 1e-12);
    }

    #[test]
    fn sampled_data_recover_the_variances_in_expectation() {
        // 20000 draws of Q (3 g₁, 2 g₂, g₃) with g ~ N(0, I): variances 9, 4, 1.
        // A sample variance has relative standard error √(2/n) = 1%.
        let g = normal_matrix(20_000, 3, &mut seeded(8)).unwrap() * &array![3.0, 2.0, 1.0];
        let x = g.dot(&rotation().t());
        let pca = Pca::new(3).fit(&x).unwrap();
        for (k, lambda) in [9.0, 4.0, 1.0].into_iter().enumerate() {
            let got = pca.explained_variance()[k];
            assert!(
                (got / lambda - 1.0).abs() < 0.05,
                "λ_{k} = {got}, expected {lambda}"
            );
        }
    }

    #[test]
    fn the_explained_variances_add_up_to_the_trace() {
        // The trace from the column variances (ndarray's var with ddof 1),
        // independently of the covariance matrix and its eigenvalues.
        let iris = crate::data::iris().unwrap();
        let trace = iris.x().var_axis(Axis(0), 1.0).sum();
        let pca = Pca::new(4).fit(&iris).unwrap();
        assert_close(pca.total_variance(), trace, 1e-10);
        assert_close(pca.explained_variance().sum(), trace, 1e-10);
        assert_close(pca.explained_variance_ratio().sum(), 1.0, 1e-12);
        let cumulative = pca.cumulative_explained_variance();
        assert_close(cumulative[3], 1.0, 1e-12);
        assert_close(
            cumulative[1],
            pca.explained_variance_ratio()[0] + pca.explained_variance_ratio()[1],
            1e-15,
        );
        let c = covariance(&iris).unwrap();
        assert_close(c[(1, 3)], c[(3, 1)], 1e-15);
    }

    #[test]
    fn covariance_and_correlation_against_hand_sums() {
        // Columns at an offset of 1e9 (their deviations exactly representable):
        // the covariance from the deviations, summed here by hand.
        let deviations = array![[1.0, 2.0], [-1.0, 0.5], [3.0, -1.5], [-3.0, -1.0]];
        let x = &deviations + &array![1e9, -2e9];
        let c = covariance(&x).unwrap();
        let cov = |a: usize, b: usize| {
            (0..4)
                .map(|i| deviations[(i, a)] * deviations[(i, b)])
                .sum::<f64>()
                / 3.0
        };
        for a in 0..2 {
            for b in 0..2 {
                assert_close(c[(a, b)], cov(a, b), 1e-12);
            }
        }
        let r = correlation(&x).unwrap();
        assert_close(r[(0, 1)], cov(0, 1) / (cov(0, 0) * cov(1, 1)).sqrt(), 1e-15);
        assert_eq!((r[(0, 0)], r[(1, 1)]), (1.0, 1.0));
        // Correlation does not care about units, even 1e200 or 1e-200.
        for unit in [1e200, 1e-200] {
            let r_scaled = correlation(&(&deviations * unit)).unwrap();
            assert_close(r_scaled[(0, 1)], r[(0, 1)], 1e-15);
        }
        // But a covariance of 1e400 does not fit in an f64.
        let e = covariance(&(&deviations * 1e200)).unwrap_err();
        assert!(e.to_string().contains("overflow"), "{e}");
        let e = correlation(&array![[1.0, 3.0], [2.0, 3.0], [4.0, 3.0]]).unwrap_err();
        assert!(e.to_string().contains("column 1 of x"), "{e}");
    }

    #[test]
    fn all_components_rebuild_the_data_and_fewer_miss_the_rest_of_the_variance() {
        let iris = crate::data::iris().unwrap();
        let full = Pca::new(4).fit(&iris).unwrap();
        let z = full.transform(&iris).unwrap();
        let rebuilt = full.inverse_transform(&z).unwrap();
        assert!((rebuilt - iris.x()).iter().all(|e| e.abs() < 1e-10));
        // With k = 2, (1/(n − 1)) Σ ‖x_i − x̂_i‖² = λ₃ + λ₄.
        let two = Pca::new(2).fit(&iris).unwrap();
        let rebuilt = two
            .inverse_transform(&two.transform(&iris).unwrap())
            .unwrap();
        let missed = (rebuilt - iris.x()).mapv(|e| e * e).sum() / 149.0;
        assert_close(
            missed,
            full.explained_variance()[2] + full.explained_variance()[3],
            1e-10,
        );
    }

    #[test]
    fn the_scores_are_uncorrelated() {
        let iris = crate::data::iris().unwrap();
        let pca = Pca::new(3).fit(&iris).unwrap();
        let scores_covariance = covariance(&pca.transform(&iris).unwrap()).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let expected = if i == j {
                    pca.explained_variance()[i]
                } else {
                    0.0
                };
                assert_close(scores_covariance[(i, j)], expected, 1e-10);
            }
        }
        // The axes are orthonormal: W Wᵀ = I.
        let gram = pca.components().dot(&pca.components().t());
        assert!(
            (gram - Array2::<f64>::eye(3))
                .iter()
                .all(|e| e.abs() < 1e-12)
        );
    }

    #[test]
    fn the_components_for_a_fraction_of_the_variance() {
        // Variances 9, 4, 1 of 14: one axis explains 64%, two 93%, three all.
        let x = rotated_box();
        for (fraction, k) in [(0.5, 1), (0.64, 1), (0.9, 2), (0.95, 3), (1.0, 3)] {
            assert_eq!(
                components_for_variance(&x, fraction).unwrap(),
                k,
                "{fraction}"
            );
        }
        for bad in [0.0, -0.5, 1.5, f64::NAN] {
            let e = components_for_variance(&x, bad).unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = rotated_box();
        let e = Pca::new(0).fit(&x).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = Pca::new(5).fit(&x).unwrap_err();
        assert_eq!(
            e.to_string(),
            "n_components must be between 1 and the number of features d = 3, got 5"
        );
        let mut with_nan = x.clone();
        with_nan[(2, 1)] = f64::NAN;
        let e = Pca::new(2).fit(&with_nan).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = Pca::new(1).fit(&array![[1.0, 2.0]]).unwrap_err();
        assert!(e.to_string().contains("at least 2 rows"), "{e}");
        let e = covariance(&Array2::<f64>::zeros((0, 3))).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = Pca::new(1)
            .fit(&Array2::from_elem((4, 2), 3.0))
            .unwrap_err();
        assert!(e.to_string().contains("4 copies of one point"), "{e}");

        let pca = Pca::new(2).fit(&x).unwrap();
        let e = pca.transform(&array![[1.0, 2.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = pca.inverse_transform(&array![[1.0, 2.0, 3.0]]).unwrap_err();
        assert!(
            e.to_string()
                .contains("2 columns, one per principal axis kept"),
            "{e}"
        );
        let e = pca.transform(&Array2::zeros((0, 3))).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = pca.inverse_transform(&Array1::from_elem(2, f64::INFINITY).insert_axis(Axis(0)));
        assert!(matches!(e, Err(Error::NotFinite { .. })));
    }
}
