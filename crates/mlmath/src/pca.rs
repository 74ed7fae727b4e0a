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
//! let pca = Pca::new(1).fit(x.view()).unwrap();
//! let s = 0.5_f64.sqrt();
//! assert!((pca.components[(0, 0)] - s).abs() < 1e-12 && (pca.components[(0, 1)] - s).abs() < 1e-12);
//! assert!((pca.explained_variance_ratio()[0] - 1.0).abs() < 1e-12);
//! ```

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result, check_finite};
use crate::linalg::symmetric_eigen;

/// The covariance matrix `C = (1/(n − 1)) Σ_i (x_i − x̄)(x_i − x̄)ᵀ` of
/// `x: (n, d)`, shape `(d, d)` — divided by n − 1 (see the
/// [module](self) docs). An error if x has fewer than 2 rows or a value is
/// not finite.
///
/// ```
/// use mlmath::pca::covariance;
/// use ndarray::array;
/// // Mean (2, 3); deviations ±(1, 2); n − 1 = 1.
/// let c = covariance(array![[1.0, 1.0], [3.0, 5.0]].view()).unwrap();
/// assert_eq!(c, array![[2.0, 4.0], [4.0, 8.0]]);
/// ```
pub fn covariance(x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
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
    let mean = x.mean_axis(Axis(0)).expect("x has rows");
    let centred = &x - &mean;
    Ok(centred.t().dot(&centred) / (n - 1) as f64)
}

/// The hyperparameter of principal component analysis: how many axes to
/// keep. [`fit`](Self::fit) finds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pca {
    /// The number k of principal axes kept, from 1 to the number of features.
    pub components: usize,
}

impl Pca {
    /// Keep `components` axes.
    pub fn new(components: usize) -> Self {
        Pca { components }
    }

    /// The mean, the k leading principal axes and their variances for
    /// `x: (n, d)`: the eigen-decomposition of [`covariance`]`(x)`.
    ///
    /// Eigenvalues that rounding leaves slightly below 0 are set to 0 (a
    /// covariance has none below 0). Each axis is only defined up to its
    /// sign; the one returned has its largest entry positive.
    ///
    /// An error if `components` is 0 or more than d, x has fewer than 2
    /// rows or a value that is not finite, or every row is the same point
    /// (no variance to explain).
    pub fn fit(&self, x: ArrayView2<'_, f64>) -> Result<FittedPca> {
        let d = x.ncols();
        if self.components == 0 || self.components > d {
            return Err(Error::parameter(
                "components",
                format!("between 1 and the number of features d = {d}"),
                self.components,
            ));
        }
        let c = covariance(x)?;
        let total_variance = c.diag().sum();
        if total_variance == 0.0 {
            return Err(Error::parameter(
                "x",
                "rows that are not all the same point (PCA explains variance, and there is none)",
                format!("{} copies of one point", x.nrows()),
            ));
        }
        let eigen = symmetric_eigen(c.view())?;
        let keep: Vec<usize> = (0..self.components).collect();
        Ok(FittedPca {
            mean: x.mean_axis(Axis(0)).expect("x has rows"),
            components: eigen.vectors.select(Axis(1), &keep).reversed_axes(),
            explained_variance: eigen
                .values
                .select(Axis(0), &keep)
                .mapv(|lambda| lambda.max(0.0)),
            total_variance,
        })
    }
}

/// A fitted PCA: the mean and the leading principal axes of the training data.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPca {
    /// The mean x̄ of the training rows: `(d,)`.
    pub mean: Array1<f64>,
    /// The principal axes w_1, …, w_k as rows, unit length and mutually
    /// perpendicular, the axis of largest variance first: `(k, d)`.
    pub components: Array2<f64>,
    /// The variance λ_j of the training data along each axis, decreasing: `(k,)`.
    pub explained_variance: Array1<f64>,
    /// The total variance trace(C) = Σ_j C_jj = λ_1 + … + λ_d of the
    /// training data, over all d axes (kept or not).
    pub total_variance: f64,
}

impl FittedPca {
    /// The fraction of the total variance along each kept axis,
    /// λ_j / trace(C): `(k,)`, summing to at most 1 (to 1 when k = d).
    pub fn explained_variance_ratio(&self) -> Array1<f64> {
        &self.explained_variance / self.total_variance
    }

    /// The scores `z_i = W (x_i − x̄)` of the rows of `x: (n, d)`: the
    /// coordinates along the principal axes, `(n, k)`.
    ///
    /// ```
    /// use mlmath::pca::Pca;
    /// use ndarray::array;
    /// let x = array![[0.0, 0.0], [2.0, 0.0], [4.0, 0.0], [2.0, 1.0], [2.0, -1.0]];
    /// let pca = Pca::new(2).fit(x.view()).unwrap();
    /// // Mean (2, 0); the x-axis varies most, then the y-axis.
    /// let z = pca.transform(array![[5.0, 0.5]].view()).unwrap();
    /// assert!((z[(0, 0)] - 3.0).abs() < 1e-12 && (z[(0, 1)] - 0.5).abs() < 1e-12);
    /// ```
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_input(
            "x",
            x,
            self.mean.len(),
            "one per feature of the training data",
        )?;
        Ok((&x - &self.mean).dot(&self.components.t()))
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
    /// let pca = Pca::new(1).fit(x.view()).unwrap();
    /// // One axis keeps the x-coordinate and puts y at its mean, 0.
    /// let rebuilt = pca.inverse_transform(pca.transform(array![[5.0, 0.5]].view()).unwrap().view()).unwrap();
    /// assert!((rebuilt[(0, 0)] - 5.0).abs() < 1e-12 && rebuilt[(0, 1)].abs() < 1e-12);
    /// ```
    pub fn inverse_transform(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_input(
            "z",
            z,
            self.components.nrows(),
            "one per principal axis kept",
        )?;
        Ok(z.dot(&self.components) + &self.mean)
    }
}

/// The smallest number of principal axes k whose explained-variance ratios
/// add up to at least `fraction` of the total variance of `x: (n, d)`:
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
/// assert_eq!(components_for_variance(x.view(), 0.8).unwrap(), 1);
/// assert_eq!(components_for_variance(x.view(), 0.9).unwrap(), 2);
/// ```
pub fn components_for_variance(x: ArrayView2<'_, f64>, fraction: f64) -> Result<usize> {
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(Error::parameter(
            "fraction",
            "a fraction of the variance in (0, 1]",
            fraction,
        ));
    }
    let full = Pca::new(x.ncols().max(1)).fit(x)?;
    let mut explained = 0.0;
    for (j, ratio) in full.explained_variance_ratio().iter().enumerate() {
        explained += ratio;
        if explained >= fraction - 1e-12 {
            return Ok(j + 1);
        }
    }
    Ok(x.ncols())
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
        let pca = Pca::new(2).fit(x.view()).unwrap();
        let root5 = 5f64.sqrt();
        assert_close(pca.components[(0, 0)], 1.0 / root5, 1e-12);
        assert_close(pca.components[(0, 1)], 2.0 / root5, 1e-12);
        assert_close(pca.explained_variance[0], 17.5, 1e-12);
        assert_close(pca.explained_variance[1], 0.0, 1e-12);
        assert_close(pca.explained_variance_ratio()[0], 1.0, 1e-12);
        assert_eq!(pca.mean, array![0.5, 1.0]);
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
        let pca = Pca::new(3).fit(rotated_box().view()).unwrap();
        for (k, lambda) in [9.0, 4.0, 1.0].into_iter().enumerate() {
            assert_close(pca.explained_variance[k], lambda, 1e-10);
            // Axis k is column k of Q, up to its sign.
            assert_close(pca.components.row(k).dot(&q.column(k)).abs(), 1.0, 1e-10);
        }
        assert_close(pca.total_variance, 14.0, 1e-10);
        assert_close(pca.mean[0], 5.0, 1e-12);
    }

    #[test]
    fn sampled_data_recover_the_variances_in_expectation() {
        // 20000 draws of Q (3 g₁, 2 g₂, g₃) with g ~ N(0, I): variances 9, 4, 1.
        // A sample variance has relative standard error √(2/n) = 1%.
        let g = normal_matrix(20_000, 3, &mut seeded(8)) * &array![3.0, 2.0, 1.0];
        let x = g.dot(&rotation().t());
        let pca = Pca::new(3).fit(x.view()).unwrap();
        for (k, lambda) in [9.0, 4.0, 1.0].into_iter().enumerate() {
            let got = pca.explained_variance[k];
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
        let pca = Pca::new(4).fit(iris.x().view()).unwrap();
        assert_close(pca.total_variance, trace, 1e-10);
        assert_close(pca.explained_variance.sum(), trace, 1e-10);
        assert_close(pca.explained_variance_ratio().sum(), 1.0, 1e-12);
        let c = covariance(iris.x().view()).unwrap();
        assert_close(c[(1, 3)], c[(3, 1)], 1e-15);
    }

    #[test]
    fn all_components_rebuild_the_data_and_fewer_miss_the_rest_of_the_variance() {
        let iris = crate::data::iris().unwrap();
        let full = Pca::new(4).fit(iris.x().view()).unwrap();
        let z = full.transform(iris.x().view()).unwrap();
        let rebuilt = full.inverse_transform(z.view()).unwrap();
        assert!((rebuilt - iris.x()).iter().all(|e| e.abs() < 1e-10));
        // With k = 2, (1/(n − 1)) Σ ‖x_i − x̂_i‖² = λ₃ + λ₄.
        let two = Pca::new(2).fit(iris.x().view()).unwrap();
        let rebuilt = two
            .inverse_transform(two.transform(iris.x().view()).unwrap().view())
            .unwrap();
        let missed = (rebuilt - iris.x()).mapv(|e| e * e).sum() / 149.0;
        assert_close(
            missed,
            full.explained_variance[2] + full.explained_variance[3],
            1e-10,
        );
    }

    #[test]
    fn the_scores_are_uncorrelated() {
        let iris = crate::data::iris().unwrap();
        let pca = Pca::new(3).fit(iris.x().view()).unwrap();
        let scores_covariance = covariance(pca.transform(iris.x().view()).unwrap().view()).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let expected = if i == j {
                    pca.explained_variance[i]
                } else {
                    0.0
                };
                assert_close(scores_covariance[(i, j)], expected, 1e-10);
            }
        }
        // The axes are orthonormal: W Wᵀ = I.
        let gram = pca.components.dot(&pca.components.t());
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
                components_for_variance(x.view(), fraction).unwrap(),
                k,
                "{fraction}"
            );
        }
        for bad in [0.0, -0.5, 1.5, f64::NAN] {
            let e = components_for_variance(x.view(), bad).unwrap_err();
            assert!(matches!(e, Error::Parameter { .. }), "{e}");
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = rotated_box();
        let e = Pca::new(0).fit(x.view()).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = Pca::new(5).fit(x.view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "components must be between 1 and the number of features d = 3, got 5"
        );
        let mut with_nan = x.clone();
        with_nan[(2, 1)] = f64::NAN;
        let e = Pca::new(2).fit(with_nan.view()).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = Pca::new(1).fit(array![[1.0, 2.0]].view()).unwrap_err();
        assert!(e.to_string().contains("at least 2 rows"), "{e}");
        let e = covariance(Array2::<f64>::zeros((0, 3)).view()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = Pca::new(1)
            .fit(Array2::from_elem((4, 2), 3.0).view())
            .unwrap_err();
        assert!(e.to_string().contains("4 copies of one point"), "{e}");

        let pca = Pca::new(2).fit(x.view()).unwrap();
        let e = pca.transform(array![[1.0, 2.0]].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = pca
            .inverse_transform(array![[1.0, 2.0, 3.0]].view())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("2 columns, one per principal axis kept"),
            "{e}"
        );
        let e = pca.transform(Array2::zeros((0, 3)).view()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = pca.inverse_transform(
            Array1::from_elem(2, f64::INFINITY)
                .insert_axis(Axis(0))
                .view(),
        );
        assert!(matches!(e, Err(Error::NotFinite { .. })));
    }
}
