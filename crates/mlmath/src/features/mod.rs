//! Random features, the minimum-norm least-squares fit, and the double-descent
//! sweep.
//!
//! ## Random Fourier features
//!
//! A Gaussian kernel `k(x, z) = exp(−‖x − z‖² / (2ℓ²))` (bandwidth `ℓ`) is an inner product
//! in a space of infinitely many features. Rahimi and Recht (2007) replace it
//! by `N` random ones,
//!
//! ```text
//! φ_j(x) = cos(w_j·x + b_j),   w_j ~ N(0, I/ℓ²),   b_j ~ U[0, 2π),   j = 1..N,
//! ```
//!
//! because `2 cos(u) cos(v) = cos(u − v) + cos(u + v)`: averaged over the
//! phase `b_j` the second term vanishes, and averaged over `w_j` the first is
//! the characteristic function of the normal distribution at `x − z`:
//!
//! ```text
//! E[2 φ_j(x) φ_j(z)] = E[cos(w_j·(x − z))] = exp(−‖x − z‖² / (2ℓ²)).
//! ```
//!
//! The features here are *unscaled* (no `√(2/N)`): a fit's weights are the
//! coefficients `a_j` of `f(x) = Σ_j a_j φ_j(x)`, and its norm `‖a‖` is the
//! one the double-descent picture draws.
//!
//! ## The minimum-norm fit
//!
//! With `n` training rows, `Φ: (n, N)` (`Φ_ij = φ_j(x_i)`) and the targets
//! `Y: (n, k)`, the least-squares weights minimise `‖ΦA − Y‖²_F`. With
//! `N < n` the minimiser is unique (when the columns of `Φ` are
//! independent): `ΦᵀΦ A = ΦᵀY`. With `N > n` there are many `A` with
//! `ΦA = Y` exactly (they *interpolate*), and the one of least norm is the
//! one in the row space of `Φ`, `A = Φᵀ C`, which gives `ΦΦᵀ C = Y`. Both
//! are the pseudo-inverse solution `A = Φ⁺ Y`. With a ridge `λ > 0`
//!
//! ```text
//! A = (ΦᵀΦ + λI)⁻¹ ΦᵀY = Φᵀ (ΦΦᵀ + λI)⁻¹ Y,
//! ```
//!
//! two formulas for one answer (push `Φᵀ` through:
//! `(ΦᵀΦ + λI) Φᵀ = Φᵀ (ΦΦᵀ + λI)`), and [`min_norm_least_squares`] uses
//! the one whose matrix is smaller: `min(n, N)` square. That matrix is
//! symmetric positive definite, and is solved by its Cholesky factor
//! `L Lᵀ` (`L` lower triangular).
//!
//! ## Why the norm explodes at `N = n`
//!
//! In the singular value decomposition `Φ = Σ_i s_i u_i v_iᵀ`, the minimum-norm
//! fit is `A = Σ_i v_i (u_iᵀ Y) / s_i`: each direction is divided by its
//! singular value. Near `N = n`, `Φ` is close to square, and the smallest
//! singular value of a square random matrix is close to zero, so `‖A‖`
//! explodes and the fit follows the quirks of the `n` training rows; away
//! from `N = n` (either side) the smallest singular value grows again (see
//! [`singular_values`]). A
//! ridge `λ` replaces `1/s_i` by `s_i / (s_i² + λ)`, at most `1/(2√λ)`.
//!
//! ## Singular to working precision
//!
//! The Cholesky factor is computed row by row: a pivot
//! `d_i = m_ii − Σ_{j<i} l_ij²`. For `M = ΦΦᵀ` it is the squared distance of
//! row `i` of `Φ` from the span of the rows of `Φ` before it (for `M = ΦᵀΦ`,
//! of column `i`). A pivot at most `4 (i + 1) ε` times the largest diagonal
//! entry (rows counted from 0) (ε = 2.2·10⁻¹⁶) means the matrix is singular up to
//! rounding: with `λ = 0` [`min_norm_least_squares`] then returns an error
//! that says so and suggests a small ridge, never rounding noise. An
//! ill-conditioned matrix whose pivots are all above that solves (its
//! answer has about `16 − log₁₀ cond` correct digits).

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, AsArray, Axis, Ix2, Slice};

use crate::data::{AsFeatures, Dataset};
use crate::distance::{self, Metric};
use crate::error::{Error, Result, check_finite};
use crate::linalg::{largest, power_of_two_scale};
use crate::random::{MAX_DRAWS, Rng, StandardNormal, seeded};
use crate::table::{ShowTable, Table, format_number};

#[cfg(test)]
mod tests;

/// The most features one [`RandomFeatures`] may hold (and `inputs × count`
/// is at most [`MAX_DRAWS`]).
pub const MAX_FEATURES: usize = 1_000_000;

/// The most entries (5·10⁷, 400 MB of `f64`) a matrix made here may hold:
/// [`RandomFeatures::transform`]'s `Φ` (rows × count), [`one_hot`]'s `Y`,
/// and the feature matrices and Gram matrix of [`random_feature_sweep`]
/// together. Beyond it, an error that names the sizes, not an allocation
/// that ends the session.
pub const MAX_ENTRIES: usize = 50_000_000;

/// An error unless `entries` (given as `what` = `sizes`) is at most [`MAX_ENTRIES`].
fn check_entries(what: &str, sizes: String, entries: Option<usize>) -> Result<()> {
    match entries {
        Some(e) if e <= MAX_ENTRIES => Ok(()),
        _ => Err(Error::parameter(
            what,
            format!("at most {MAX_ENTRIES} matrix entries (use fewer rows or features)"),
            sizes,
        )),
    }
}

/// The most pairs [`median_distance`] looks at; beyond, a seeded sample.
pub const MEDIAN_PAIRS: usize = 100_000;

/// The seed of [`median_distance`]'s sample of pairs.
const MEDIAN_SEED: u64 = 0x6d65_6469_616e;

/// Random Fourier features (Rahimi & Recht, NIPS 2007):
/// `φ_j(x) = cos(w_j·x + b_j)`, `j = 1..N`, with `w_j ~ N(0, I/ℓ²)`
/// (`ℓ` = bandwidth) and `b_j ~ U[0, 2π)`. Unscaled (no `√(2/N)`): the
/// weights of a fit are the coefficients `a_j` of `f(x) = Σ_j a_j φ_j(x)`.
/// `E[2 φ_j(x) φ_j(z)] = exp(−‖x − z‖²/(2ℓ²))`, the Gaussian kernel (see the
/// [module](self) docs).
///
/// Feature `j` is drawn from the seed's stream after features `0..j`, so the
/// same seed gives the same first features whatever the count: a sweep over
/// `N` adds features and never redraws them ([`first`](Self::first)).
///
/// ```
/// use mlmath::features::RandomFeatures;
/// use ndarray::array;
/// let rff = RandomFeatures::new(2, 5, 1.0, 7).unwrap();
/// let phi = rff.transform(&array![[0.0, 1.0], [2.0, 0.5]]).unwrap();
/// assert_eq!(phi.dim(), (2, 5));
/// assert!(phi.iter().all(|v| v.abs() <= 1.0));
/// ```
#[derive(Clone, Debug)]
pub struct RandomFeatures {
    /// `(inputs, count)`: column `j` is `w_j`.
    weights: Array2<f64>,
    /// `(count,)`: `b_j`.
    phases: Array1<f64>,
    bandwidth: f64,
}

impl RandomFeatures {
    /// Draws `count` features for inputs of `inputs` numbers, bandwidth `ℓ`,
    /// from `seed`: for `j = 0, 1, ...`, first the `inputs` entries of `w_j`
    /// (standard normals divided by `ℓ`), then `b_j` (uniform times 2π).
    ///
    /// Errors: `inputs` or `count` 0, `bandwidth` not finite and above 0,
    /// `count` above [`MAX_FEATURES`] or `inputs × count` above
    /// [`MAX_DRAWS`].
    pub fn new(inputs: usize, count: usize, bandwidth: f64, seed: u64) -> Result<RandomFeatures> {
        if inputs == 0 {
            return Err(Error::parameter(
                "inputs",
                "at least 1 (the number of columns of the data)",
                inputs,
            ));
        }
        if count == 0 || count > MAX_FEATURES {
            return Err(Error::parameter(
                "count",
                format!("between 1 and {MAX_FEATURES} features"),
                count,
            ));
        }
        if inputs.saturating_mul(count) > MAX_DRAWS {
            return Err(Error::parameter(
                "inputs × count",
                format!("at most {MAX_DRAWS} weights (use fewer features)"),
                format!("{inputs} × {count}"),
            ));
        }
        if !(bandwidth.is_finite() && bandwidth > 0.0) {
            return Err(Error::parameter(
                "bandwidth",
                "a finite number above 0 (for instance median_distance of the training rows)",
                bandwidth,
            ));
        }
        let mut rng = seeded(seed);
        let mut weights = Array2::zeros((inputs, count));
        let mut phases = Array1::zeros(count);
        for j in 0..count {
            for i in 0..inputs {
                let z: f64 = rng.sample(StandardNormal);
                weights[(i, j)] = z / bandwidth;
            }
            phases[j] = rng.random::<f64>() * std::f64::consts::TAU;
        }
        Ok(RandomFeatures {
            weights,
            phases,
            bandwidth,
        })
    }

    /// The number of inputs `d` (columns of the data).
    pub fn inputs(&self) -> usize {
        self.weights.nrows()
    }

    /// The number of features `N`.
    pub fn count(&self) -> usize {
        self.phases.len()
    }

    /// The bandwidth `ℓ` of the kernel `exp(−‖x − z‖²/(2ℓ²))`.
    pub fn bandwidth(&self) -> f64 {
        self.bandwidth
    }

    /// The frequencies `W: (inputs, count)`, column `j` is `w_j`.
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }

    /// The phases `b: (count,)`.
    pub fn phases(&self) -> &Array1<f64> {
        &self.phases
    }

    /// The first `n` features, `φ_1..φ_n`: nested, so a sweep over `N` adds
    /// features and never redraws them. An error unless `1 ≤ n ≤ count`.
    ///
    /// ```
    /// use mlmath::features::RandomFeatures;
    /// let rff = RandomFeatures::new(3, 10, 1.0, 1).unwrap();
    /// let four = rff.first(4).unwrap();
    /// assert_eq!(four.count(), 4);
    /// assert_eq!(four.phases()[3], rff.phases()[3]);
    /// ```
    pub fn first(&self, n: usize) -> Result<RandomFeatures> {
        if n == 0 || n > self.count() {
            return Err(Error::parameter(
                "n",
                format!("between 1 and the {} features drawn", self.count()),
                n,
            ));
        }
        Ok(RandomFeatures {
            weights: columns(self.weights.view(), 0..n).to_owned(),
            phases: self.phases.slice_axis(Axis(0), (0..n).into()).to_owned(),
            bandwidth: self.bandwidth,
        })
    }

    /// `Φ: (rows, count)`, `Φ_ij = φ_j(x_i) = cos(w_j·x_i + b_j)`: one matrix
    /// product `X W`, then the phase and the cosine. An error if `x` has
    /// another number of columns than [`inputs`](Self::inputs), no row, or a
    /// NaN, or if `Φ` would hold more than [`MAX_ENTRIES`] entries.
    pub fn transform<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        let x = x.into_features();
        self.check_inputs("x", x)?;
        check_entries(
            "rows × features of Φ",
            format!("{} × {}", x.nrows(), self.count()),
            x.nrows().checked_mul(self.count()),
        )?;
        let mut phi = Array2::zeros((x.nrows(), self.count()));
        fill_features(x, self.weights.view(), self.phases.view(), phi.view_mut());
        Ok(phi)
    }

    fn check_inputs(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<()> {
        if x.ncols() != self.inputs() {
            return Err(Error::shape(
                what,
                format!("{} columns, the inputs of the features", self.inputs()),
                format!("{} columns", x.ncols()),
            ));
        }
        if x.nrows() == 0 {
            return Err(Error::empty(what));
        }
        check_finite(what, x)
    }
}

/// The columns `range` of `m` (ndarray's `s!` macro is not used: the crate
/// forbids unsafe code, and the macro's expansion allows it).
pub(crate) fn columns(
    m: ArrayView2<'_, f64>,
    range: std::ops::Range<usize>,
) -> ArrayView2<'_, f64> {
    m.slice_axis_move(Axis(1), Slice::from(range))
}

/// `out = cos(X W + b)` (`b` added to every row), `out: (rows of x, columns of w)`.
fn fill_features(
    x: ArrayView2<'_, f64>,
    w: ArrayView2<'_, f64>,
    b: ArrayView1<'_, f64>,
    mut out: ArrayViewMut2<'_, f64>,
) {
    general_mat_mul(1.0, &x, &w, 0.0, &mut out);
    let b = b.as_standard_layout();
    let b = b.as_slice().expect("standard layout");
    for mut row in out.rows_mut() {
        match row.as_slice_mut() {
            Some(values) => cos_in_place(values, b),
            None => row.zip_mut_with(&ArrayView1::from(b), |v, &bj| *v = (*v + bj).cos()),
        }
    }
}

/// Arguments up to this size take [`cos_reduced`]; larger ones (and NaN)
/// the standard library's `cos`.
const FAST_COS_LIMIT: f64 = 1e6;

/// `π` in three parts, `π ≈ PI_1 + PI_2 + PI_3`: `PI_1` and `PI_2` have 33
/// significant bits, so `q · PI_1` and `q · PI_2` are exact for `|q| < 2²⁰`
/// (Cody and Waite's argument reduction).
const PI_1: f64 = 3.1415926534682512;
const PI_2: f64 = 1.2154201012607932e-10;
const PI_3: f64 = 4.044532497591901e-21;

/// The Taylor coefficients `(−1)^k / (2k)!` of `cos r`, `k = 0..11`: for
/// `|r| ≤ π/2` the first term left out, `(π/2)²⁴/24!`, is below `10⁻¹⁹`.
const COS_TAYLOR: [f64; 12] = [
    1.0,
    -0.5,
    0.041666666666666664,
    -0.001388888888888889,
    2.48015873015873e-05,
    -2.755731922398589e-07,
    2.08767569878681e-09,
    -1.1470745597729725e-11,
    4.779477332387385e-14,
    -1.5619206968586225e-16,
    4.110317623312165e-19,
    -8.896791392450574e-22,
];

/// `cos(x + b)` for every entry `x` and its phase `b`: the features' one
/// transcendental function,
/// 1797 × 8000 of them in the digits sweep. Blocks of entries all within
/// [`FAST_COS_LIMIT`] take [`cos_reduced`], a loop without branches that
/// the compiler turns into vector instructions (about five times faster than
/// calling `cos` entry by entry, as measured on the sweep); any other block
/// takes `f64::cos`.
fn cos_in_place(values: &mut [f64], phases: &[f64]) {
    debug_assert_eq!(values.len(), phases.len());
    for (block, b) in values.chunks_mut(64).zip(phases.chunks(64)) {
        block.iter_mut().zip(b).for_each(|(v, b)| *v += b);
        if block.iter().all(|v| v.abs() <= FAST_COS_LIMIT) {
            for v in block.iter_mut() {
                *v = cos_reduced(*v);
            }
        } else {
            for v in block.iter_mut() {
                *v = v.cos();
            }
        }
    }
}

/// `cos x` for `|x| ≤ FAST_COS_LIMIT`, to an absolute error below 4·10⁻¹⁶
/// (a test compares it with the standard library's): `x = qπ + r` with `q`
/// the nearest integer to `x/π` (rounded by adding and subtracting
/// `1.5 · 2⁵²`, whose last bit is then the parity of `q`), `r` by Cody and
/// Waite's three-part `π`, `|r| ≤ π/2`; then `cos x = (−1)^q cos r`, with
/// `cos r` from its Taylor polynomial in `r²` (Horner's rule).
#[inline(always)]
fn cos_reduced(x: f64) -> f64 {
    const SHIFT: f64 = 6755399441055744.0; // 1.5 · 2⁵²
    let t = x * std::f64::consts::FRAC_1_PI + SHIFT;
    let q = t - SHIFT;
    let r = ((x - q * PI_1) - q * PI_2) - q * PI_3;
    let s = r * r;
    let mut c = COS_TAYLOR[11];
    for k in (0..11).rev() {
        c = c * s + COS_TAYLOR[k];
    }
    // An odd q flips the sign bit.
    f64::from_bits(c.to_bits() ^ (t.to_bits() << 63))
}

/// The median of the Euclidean distances `‖x_i − x_j‖` between the rows of
/// `x`, over all pairs `i < j`, or over a seeded sample of [`MEDIAN_PAIRS`]
/// pairs (`i ≠ j`, uniform) when there are more: the usual a-priori bandwidth
/// of a Gaussian kernel (the "median heuristic"). Compute it on the training
/// rows only. For an even number of distances, the mean of the middle two.
///
/// An error if `x` has fewer than 2 rows, a NaN, or a distance beyond `f64`.
///
/// ```
/// use ndarray::array;
/// // Points 0, 1 and 3 on a line: distances 1, 3, 2.
/// let m = mlmath::features::median_distance(&array![[0.0], [1.0], [3.0]]).unwrap();
/// assert_eq!(m, 2.0);
/// ```
pub fn median_distance<'a>(x: impl AsFeatures<'a>) -> Result<f64> {
    let x = x.into_features();
    let n = x.nrows();
    if n < 2 {
        return Err(Error::parameter(
            "x",
            "at least 2 rows (a distance needs a pair)",
            format!("{n} rows"),
        ));
    }
    let rows = distance::prepare("x", x, Metric::Euclidean)?;
    let between = |i: usize, j: usize| {
        distance::between(
            Metric::Euclidean,
            distance::row(&rows, i),
            distance::row(&rows, j),
        )
    };
    let pairs = n * (n - 1) / 2;
    let mut d: Vec<f64> = if pairs <= MEDIAN_PAIRS {
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| between(i, j))
            .collect()
    } else {
        let mut rng = seeded(MEDIAN_SEED);
        (0..MEDIAN_PAIRS)
            .map(|_| {
                let i = rng.random_range(0..n);
                let j = rng.random_range(0..n - 1);
                between(i, if j >= i { j + 1 } else { j })
            })
            .collect()
    };
    if d.iter().any(|v| !v.is_finite()) {
        return Err(distance::overflow("a distance between rows of x"));
    }
    d.sort_by(f64::total_cmp);
    let m = d.len();
    Ok(if m % 2 == 1 {
        d[m / 2]
    } else {
        (d[m / 2 - 1] + d[m / 2]) / 2.0
    })
}

/// `Y: (n, k)` with row `i` the one-hot vector `e_{y_i}`: 1 in column
/// `labels[i]`, 0 elsewhere; `k = classes`. An error if `labels` is empty,
/// `classes` is 0 or above both the number of labels and
/// [`Dataset::MAX_LABEL`], `Y` would hold more than [`MAX_ENTRIES`] entries,
/// or a label is not below `classes`.
///
/// ```
/// let y = mlmath::features::one_hot(&[2, 0], 3).unwrap();
/// assert_eq!(y, ndarray::array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
/// ```
pub fn one_hot(labels: &[usize], classes: usize) -> Result<Array2<f64>> {
    if labels.is_empty() {
        return Err(Error::empty("labels"));
    }
    if classes == 0 {
        return Err(Error::parameter("classes", "at least 1", classes));
    }
    let cap = labels.len().max(Dataset::MAX_LABEL);
    if classes > cap {
        return Err(Error::parameter(
            "classes",
            format!("at most {cap}, the larger of the label count and Dataset::MAX_LABEL"),
            classes,
        ));
    }
    check_entries(
        "labels × classes of Y",
        format!("{} × {classes}", labels.len()),
        labels.len().checked_mul(classes),
    )?;
    let mut y = Array2::zeros((labels.len(), classes));
    for (i, &c) in labels.iter().enumerate() {
        if c >= classes {
            return Err(Error::parameter(
                format!("labels[{i}]"),
                format!("a class below {classes} (raise classes, or fix the label)"),
                c,
            ));
        }
        y[(i, c)] = 1.0;
    }
    Ok(y)
}

/// The weights `A: (N, k)` that minimise `‖ΦA − Y‖²_F + λ‖A‖²_F` for
/// `phi = Φ: (n, N)`, `y = Y: (n, k)`, `ridge = λ ≥ 0`; with `λ = 0`, among
/// all minimisers the one of least norm, the pseudo-inverse solution
/// `Φ⁺Y`. Computed in the smaller space (see the [module](self) docs):
///
/// ```text
/// N ≤ n:  (ΦᵀΦ + λI) A = ΦᵀY
/// N > n:  A = Φᵀ C  with  (ΦΦᵀ + λI) C = Y
/// ```
///
/// by a Cholesky factor, all `k` right-hand sides at once. `Φ` and `Y` are
/// first scaled by powers of two (exact) so that nothing overflows.
///
/// Errors: shapes that do not match, `λ` negative or not finite, a NaN; with
/// a matrix singular to working precision (`N ≤ n` with dependent columns of
/// `Φ`, `N > n` with dependent rows, for instance a repeated training row)
/// an error that says so and suggests a small ridge.
///
/// ```
/// use mlmath::features::min_norm_least_squares;
/// use ndarray::array;
/// // One equation a₁ + a₂ = 2: the least-norm solution is (1, 1).
/// let a = min_norm_least_squares(&array![[1.0, 1.0]], &array![[2.0]], 0.0).unwrap();
/// assert!((a[(0, 0)] - 1.0).abs() < 1e-15 && (a[(1, 0)] - 1.0).abs() < 1e-15);
/// ```
pub fn min_norm_least_squares<'a, 'b>(
    phi: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix2>,
    ridge: f64,
) -> Result<Array2<f64>> {
    let (phi, y) = (phi.into(), y.into());
    let (n, features) = phi.dim();
    if n == 0 {
        return Err(Error::empty("phi"));
    }
    if features == 0 {
        return Err(Error::shape(
            "phi",
            "at least one column (one per feature)",
            "0 columns",
        ));
    }
    if y.nrows() != n || y.ncols() == 0 {
        return Err(Error::shape(
            "y",
            format!("{n} rows, one per row of phi, and at least one column"),
            format!("{} rows and {} columns", y.nrows(), y.ncols()),
        ));
    }
    check_ridge(ridge)?;
    check_finite("phi", phi)?;
    check_finite("y", y)?;
    let scale = |m: ArrayView2<'_, f64>| match largest(m) {
        0.0 => 1.0,
        big => power_of_two_scale(big),
    };
    let (sp, sy) = (scale(phi), scale(y));
    let phi = phi.mapv(|v| v * sp);
    let y = y.mapv(|v| v * sy);
    let ridge_scaled = ridge * sp * sp;
    if !ridge_scaled.is_finite() {
        return Err(Error::parameter(
            "ridge",
            "a number that is not enormous next to the entries of phi squared",
            ridge,
        ));
    }
    let smaller = |what: &str| format!("the Gram matrix {what} ({0} × {0})", features.min(n));
    let a = if features <= n {
        let h = phi.t().dot(&phi);
        let mut factor = Cholesky::new(features, ridge_scaled);
        factor
            .extend(h.view(), features)
            .map_err(|p| p.error(&smaller("ΦᵀΦ"), ridge))?;
        factor.solve(phi.t().dot(&y).view())
    } else {
        let g = phi.dot(&phi.t());
        let mut factor = Cholesky::new(n, ridge_scaled);
        factor
            .extend(g.view(), n)
            .map_err(|p| p.error(&smaller("ΦΦᵀ"), ridge))?;
        phi.t().dot(&factor.solve(y.view()))
    };
    // Undo the scaling: A = (sp / sy) A' (in two steps, each a power of two).
    let a = a.mapv(|v| v * sp / sy);
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::overflow(
            "the weight matrix A",
            "rescale phi or y, or use a ridge above 0",
        ));
    }
    Ok(a)
}

fn check_ridge(ridge: f64) -> Result<()> {
    if ridge.is_finite() && ridge >= 0.0 {
        Ok(())
    } else {
        Err(Error::parameter(
            "ridge",
            "a finite number ≥ 0 (0 for the least-norm fit)",
            ridge,
        ))
    }
}

/// Rows of `L` factored together in [`Cholesky::extend`]: the products
/// between blocks go through the matrix-product kernel.
const BLOCK: usize = 48;

/// A Cholesky factor `M + λI = L Lᵀ` of a symmetric positive definite
/// matrix (`λ ≥ 0`, a shift of the diagonal: the ridge), computed by blocks of
/// rows (the rows of a block need only the rows above it), so it can be
/// extended when `M` grows by rows and columns: the factor of a leading
/// block is the leading block of the factor.
struct Cholesky {
    /// `(capacity, capacity)`; rows `0..rows` hold `L` on and below the
    /// diagonal (what is above it is never read).
    l: Array2<f64>,
    rows: usize,
    shift: f64,
    largest_diagonal: f64,
}

/// A pivot that shows the matrix singular to working precision.
struct Pivot {
    row: usize,
    value: f64,
    largest_diagonal: f64,
}

impl Pivot {
    fn error(&self, what: &str, ridge: f64) -> Error {
        let fix = if ridge == 0.0 {
            "pass a small ridge (λ = 1e-8 times the largest diagonal entry, or more) \
             for a regularised fit"
        } else {
            "raise the ridge"
        };
        Error::parameter(
            what,
            format!(
                "positive definite to working precision (its rows independent): {fix}; \
                 ridge is {ridge}"
            ),
            format!(
                "a singular one: pivot {} at row {} against a largest diagonal entry {}",
                format_number(self.value),
                self.row,
                format_number(self.largest_diagonal)
            ),
        )
    }
}

impl Cholesky {
    fn new(capacity: usize, shift: f64) -> Cholesky {
        Cholesky {
            l: Array2::zeros((capacity, capacity)),
            rows: 0,
            shift,
            largest_diagonal: 0.0,
        }
    }

    /// Extends `L` to the leading `to` rows of `M + λI` (`m` is read on and
    /// below the diagonal only). Row by row it is
    ///
    /// ```text
    /// l_ij = (m_ij − Σ_{p<j} l_ip l_jp) / l_jj   (j < i),
    /// d_i  = m_ii + λ − Σ_{p<i} l_ip²,   l_ii = √d_i;
    /// ```
    ///
    /// by blocks `I` of [`BLOCK`] rows, for each block `J` of columns left of
    /// `I` the sums `L_{I,<J} L_{J,<J}ᵀ` are one matrix product, then `L_IJ`
    /// by a triangular solve against `L_JJ`; last the diagonal block
    /// `M_II + λI − L_{I,<I} L_{I,<I}ᵀ`, factored row by row. A pivot `d_i` at
    /// most `4 (i+1) ε` times the largest diagonal entry so far: `Err`.
    fn extend(&mut self, m: ArrayView2<'_, f64>, to: usize) -> std::result::Result<(), Pivot> {
        debug_assert!(to <= self.l.nrows() && m.nrows() >= to && m.ncols() >= to);
        while self.rows < to {
            let i0 = self.rows;
            let i1 = (i0 + BLOCK).min(to);
            let (top, mut bottom) = self.l.view_mut().split_at(Axis(0), i0);
            let mut rows = bottom.slice_axis_mut(Axis(0), Slice::from(0..i1 - i0));
            for (r, mut row) in rows.outer_iter_mut().enumerate() {
                for c in 0..=i0 + r {
                    row[c] = m[(i0 + r, c)];
                }
                row[i0 + r] += self.shift;
            }
            let mut j0 = 0;
            while j0 < i0 {
                let j1 = (j0 + BLOCK).min(i0);
                let (left, mut right) = rows.view_mut().split_at(Axis(1), j0);
                let mut block = right.slice_axis_mut(Axis(1), Slice::from(0..j1 - j0));
                let above = top.slice_axis(Axis(0), Slice::from(j0..j1));
                let above_left = above.slice_axis(Axis(1), Slice::from(0..j0));
                general_mat_mul(-1.0, &left, &above_left.t(), 1.0, &mut block);
                // X L_JJᵀ = B, a row of X at a time.
                for mut x in block.outer_iter_mut() {
                    for c in 0..j1 - j0 {
                        let mut v = x[c];
                        for p in 0..c {
                            v -= x[p] * above[(c, j0 + p)];
                        }
                        x[c] = v / above[(c, j0 + c)];
                    }
                }
                j0 = j1;
            }
            let (left, mut right) = rows.view_mut().split_at(Axis(1), i0);
            let mut diagonal = right.slice_axis_mut(Axis(1), Slice::from(0..i1 - i0));
            general_mat_mul(-1.0, &left, &left.t(), 1.0, &mut diagonal);
            for r in 0..i1 - i0 {
                let i = i0 + r;
                for c in 0..r {
                    let (mut v, lc) = (diagonal[(r, c)], diagonal.row(c));
                    for p in 0..c {
                        v -= diagonal[(r, p)] * lc[p];
                    }
                    diagonal[(r, c)] = v / lc[c];
                }
                self.largest_diagonal = self.largest_diagonal.max(m[(i, i)] + self.shift);
                let mut pivot = diagonal[(r, r)];
                for p in 0..r {
                    pivot -= diagonal[(r, p)] * diagonal[(r, p)];
                }
                let tolerance = 4.0 * (i + 1) as f64 * f64::EPSILON * self.largest_diagonal;
                // Also catches a NaN pivot (a NaN compares false).
                if pivot.is_nan() || pivot <= tolerance {
                    return Err(Pivot {
                        row: i,
                        value: pivot,
                        largest_diagonal: self.largest_diagonal,
                    });
                }
                diagonal[(r, r)] = pivot.sqrt();
            }
            self.rows = i1;
        }
        Ok(())
    }

    /// `(L Lᵀ − λI) C = M C` for the leading `c.nrows()` rows of `L`: `Z = LᵀC`,
    /// then `L Z`, less `λ C`.
    fn gram_times(&self, c: ArrayView2<'_, f64>) -> Array2<f64> {
        let (m, k) = c.dim();
        debug_assert!(m <= self.rows);
        let c = c.as_standard_layout();
        let c = c.as_slice().expect("standard layout");
        let l = &self.l;
        let mut z = vec![0.0; m * k];
        for j in 0..m {
            let cj = &c[j * k..(j + 1) * k];
            for i in 0..=j {
                let lji = l[(j, i)];
                for (v, a) in z[i * k..(i + 1) * k].iter_mut().zip(cj) {
                    *v += lji * a;
                }
            }
        }
        let mut out = Array2::zeros((m, k));
        let values = out.as_slice_mut().expect("standard layout");
        for i in 0..m {
            let row = &mut values[i * k..(i + 1) * k];
            for j in 0..=i {
                let lij = l[(i, j)];
                for (v, a) in row.iter_mut().zip(&z[j * k..(j + 1) * k]) {
                    *v += lij * a;
                }
            }
            for (v, a) in row.iter_mut().zip(&c[i * k..(i + 1) * k]) {
                *v -= self.shift * a;
            }
        }
        out
    }

    /// `X` with `L Lᵀ X = R` for the leading `r.nrows()` rows of `L`: forward
    /// substitution `L Z = R`, then back substitution `Lᵀ X = Z`, on the rows
    /// of `X` (all `k` right-hand sides at once).
    fn solve(&self, r: ArrayView2<'_, f64>) -> Array2<f64> {
        let (m, k) = r.dim();
        debug_assert!(m <= self.rows);
        let mut x = r.as_standard_layout().into_owned();
        let values = x.as_slice_mut().expect("standard layout");
        let l = &self.l;
        for i in 0..m {
            let (above, rest) = values.split_at_mut(i * k);
            let row = &mut rest[..k];
            for j in 0..i {
                let lij = l[(i, j)];
                for (v, a) in row.iter_mut().zip(&above[j * k..j * k + k]) {
                    *v -= lij * a;
                }
            }
            let d = l[(i, i)];
            row.iter_mut().for_each(|v| *v /= d);
        }
        for i in (0..m).rev() {
            let (head, below) = values.split_at_mut((i + 1) * k);
            let row = &mut head[i * k..];
            for j in i + 1..m {
                let lji = l[(j, i)];
                let b = &below[(j - i - 1) * k..(j - i) * k];
                for (v, a) in row.iter_mut().zip(b) {
                    *v -= lji * a;
                }
            }
            let d = l[(i, i)];
            row.iter_mut().for_each(|v| *v /= d);
        }
        x
    }
}

/// The singular values of `Φ: (n, N)`, largest first: `√` of the eigenvalues
/// of the smaller Gram matrix (`ΦᵀΦ` if `N ≤ n`, else `ΦΦᵀ`), `min(n, N)` of
/// them, negative eigenvalues from rounding clipped to 0. The eigenvalues
/// come from [`linalg::symmetric_eigen`](crate::linalg::symmetric_eigen)
/// (Jacobi rotations). The cost grows as `min(n, N)³` times the number of
/// sweeps: on the course machine about 0.2 s at `min(n, N) = 200`, 3 s at
/// 400, 90 s at 800; hence a cap of [`SINGULAR_VALUES_MAX`] (for the
/// smallest one alone, [`smallest_singular_value`] takes hundredths of a
/// second at 400). Values below about `10⁻⁸ s₁` are rounding (the Gram
/// matrix squares the condition number).
///
/// An error if `phi` is empty, holds a NaN, or `min(n, N)` is above
/// [`SINGULAR_VALUES_MAX`].
///
/// ```
/// use ndarray::array;
/// let s = mlmath::features::singular_values(&array![[3.0, 0.0, 0.0], [0.0, 0.0, 4.0]]).unwrap();
/// assert!((s[0] - 4.0).abs() < 1e-12 && (s[1] - 3.0).abs() < 1e-12);
/// ```
pub fn singular_values<'a>(phi: impl AsArray<'a, f64, Ix2>) -> Result<Array1<f64>> {
    let phi = phi.into();
    if phi.is_empty() {
        return Err(Error::empty("phi"));
    }
    let m = phi.nrows().min(phi.ncols());
    if m > SINGULAR_VALUES_MAX {
        return Err(Error::parameter(
            "min(rows, columns) of phi",
            format!(
                "at most {SINGULAR_VALUES_MAX} (the time grows as its cube: minutes beyond; \
                 smallest_singular_value gives the smallest one fast)"
            ),
            m,
        ));
    }
    let Some((gram, scale)) = scaled_gram(phi)? else {
        return Ok(Array1::zeros(phi.nrows().min(phi.ncols())));
    };
    let eigen = crate::linalg::symmetric_eigen(&gram)?;
    let mut values: Vec<f64> = eigen
        .values()
        .iter()
        .map(|&v| v.max(0.0).sqrt() / scale)
        .collect();
    values.sort_by(|a, b| b.total_cmp(a));
    Ok(Array1::from(values))
}

/// The smaller Gram matrix of `c Φ` (`ΦᵀΦ` if `N ≤ n`, else `ΦΦᵀ`, times
/// `c²`) with the power of two `c` that brings `Φ`'s largest entry to
/// between 1 and 2 (so nothing overflows), and `c`; `None` when `Φ` is all
/// zeros. An error on a NaN or an infinity.
fn scaled_gram(phi: ArrayView2<'_, f64>) -> Result<Option<(Array2<f64>, f64)>> {
    check_finite("phi", phi)?;
    let big = largest(phi);
    if big == 0.0 {
        return Ok(None);
    }
    let scale = power_of_two_scale(big);
    let phi = phi.mapv(|v| v * scale);
    let gram = if phi.ncols() <= phi.nrows() {
        phi.t().dot(&phi)
    } else {
        phi.dot(&phi.t())
    };
    Ok(Some((gram, scale)))
}

/// The largest `min(n, N)` [`singular_values`] accepts.
pub const SINGULAR_VALUES_MAX: usize = 500;

/// The smallest singular value `s_min` of `Φ: (n, N)`, the one that makes
/// the minimum-norm fit explode near `N = n` (see the [module](self) docs):
/// `√λ_min` of the smaller Gram matrix `G` (`ΦᵀΦ` if `N ≤ n`, else `ΦΦᵀ`), by
/// inverse (subspace) iteration: `V ← G⁻¹V` with `G`'s Cholesky factor, for 8
/// orthonormal columns `V` at once, until the smallest eigenvalue of `VᵀGV`
/// changes by less than `10⁻¹²` of itself plus its rounding, `m ε max_i g_ii`.
/// Each step costs triangular solves, so it is fast where [`singular_values`]
/// (every value, by Jacobi rotations) is slow: a few hundredths of a second
/// for a 400 × 400 `Φ`, against about 3 s.
///
/// `0` when `G` is singular to working precision (its Cholesky factor meets a
/// pivot below `4 m ε` times its largest diagonal entry, `m = min(n, N)`):
/// then `s_min` is below about `√(4 m ε) s_max` and cannot be told from 0.
/// An error if `phi` is empty, holds a NaN, or the iteration does not settle
/// within 2000 steps.
///
/// ```
/// use ndarray::array;
/// let s = mlmath::features::smallest_singular_value(&array![[3.0, 0.0], [0.0, 0.5]]).unwrap();
/// assert!((s - 0.5).abs() < 1e-12);
/// ```
pub fn smallest_singular_value<'a>(phi: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
    let phi = phi.into();
    if phi.is_empty() {
        return Err(Error::empty("phi"));
    }
    let Some((gram, scale)) = scaled_gram(phi)? else {
        return Ok(0.0);
    };
    let m = gram.nrows();
    let mut factor = Cholesky::new(m, 0.0);
    if factor.extend(gram.view(), m).is_err() {
        return Ok(0.0);
    }
    // Subspace iteration on G⁻¹ with p vectors: the smallest Ritz value
    // converges like (λ₁/λ_{p+1})^k, fast even when λ₁ and λ₂ are close.
    let p = m.min(8);
    let mut v = orthonormal_columns(crate::random::normal_matrix(
        m,
        p,
        &mut seeded(MEDIAN_SEED),
    )?);
    // VᵀGV carries rounding of about m ε max_i g_ii: closer than that, no step
    // can tell two estimates apart.
    let floor = m as f64 * f64::EPSILON * gram.diag().fold(0.0_f64, |a, &b| a.max(b));
    let mut previous = f64::INFINITY;
    for _ in 0..STEPS {
        v = orthonormal_columns(factor.solve(v.view()));
        let ritz = crate::linalg::symmetric_eigen(&v.t().dot(&gram.dot(&v)))?;
        let smallest = ritz.values().iter().copied().fold(f64::INFINITY, f64::min);
        if (previous - smallest).abs() <= 1e-12 * smallest.abs() + floor {
            return Ok(smallest.max(0.0).sqrt() / scale);
        }
        previous = smallest;
    }
    Err(Error::parameter(
        "phi",
        format!(
            "a matrix whose smallest singular value subspace iteration finds within {STEPS} \
             steps (use singular_values instead)"
        ),
        "one whose smallest singular values are too close together",
    ))
}

/// The steps [`smallest_singular_value`] may take.
const STEPS: usize = 2000;

/// The columns of `a` made orthonormal by Gram–Schmidt, twice (a second pass
/// restores the orthogonality the first loses to rounding).
fn orthonormal_columns(mut a: Array2<f64>) -> Array2<f64> {
    for j in 0..a.ncols() {
        for _ in 0..2 {
            for p in 0..j {
                let r = a.column(p).dot(&a.column(j));
                let (done, mut rest) = a.view_mut().split_at(Axis(1), j);
                rest.column_mut(0).scaled_add(-r, &done.column(p));
            }
        }
        let length = crate::linalg::norm(a.column(j));
        a.column_mut(j).mapv_inplace(|v| v / length);
    }
    a
}

/// One point of a random-feature sweep ([`random_feature_sweep`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The number of features `N`.
    pub features: usize,
    /// The fraction of training rows misclassified (the class is the argmax
    /// of the row of `ΦA`).
    pub train_error: f64,
    /// The fraction of test rows misclassified.
    pub test_error: f64,
    /// `‖ΦA − Y‖²_F / n_train`: the squared error per row, summed over the
    /// `k` one-hot columns.
    pub train_loss: f64,
    /// The same on the test rows.
    pub test_loss: f64,
    /// `‖A‖_F`.
    pub weight_norm: f64,
}

/// The double-descent sweep: for each `N` in `counts` (any order, each
/// between 1 and `features.count()`), the first `N` features of `features`,
/// fitted to the one-hot training labels by the [`min_norm_least_squares`]
/// formulas with `ridge = λ`, and scored on the training and the test rows.
/// The points come back in the order of `counts`.
///
/// The features are nested, so the work is shared: the counts are visited in
/// increasing order, each new block of features is computed once
/// (`cos(X W + b)` for the training and the test rows), and the Gram
/// matrices grow with it: `ΦΦᵀ` (n × n) gains `Φ_block Φ_blockᵀ`; while
/// `N ≤ n`, `ΦᵀΦ` gains rows and columns, and its Cholesky factor only the
/// new rows. For `N > n` the factor of `ΦΦᵀ + λI` is computed afresh at each
/// count. Then `A` (`N × k`), and the scores from `Φ_train A` and
/// `Φ_test A`.
///
/// Errors: datasets whose columns are not the features' inputs, that are
/// empty or hold a NaN; a test label beyond the training classes; a count of
/// 0 or above `features.count()`; a bad ridge; more than [`MAX_ENTRIES`]
/// entries in the feature matrices and the Gram matrix together,
/// `(n_train + n_test) × N_max + n_train²`; and, with `λ = 0`, a Gram
/// matrix singular to working precision (the error names `N` and suggests a
/// small ridge).
pub fn random_feature_sweep(
    features: &RandomFeatures,
    train: &Dataset,
    test: &Dataset,
    counts: &[usize],
    ridge: f64,
) -> Result<Vec<SweepPoint>> {
    features.check_inputs("the training rows", train.x().view())?;
    features.check_inputs("the test rows", test.x().view())?;
    check_ridge(ridge)?;
    if counts.is_empty() {
        return Err(Error::empty("counts"));
    }
    if let Some(&bad) = counts.iter().find(|&&c| c == 0 || c > features.count()) {
        return Err(Error::parameter(
            "each count",
            format!(
                "between 1 and the {} features drawn (draw more with RandomFeatures::new)",
                features.count()
            ),
            bad,
        ));
    }
    let classes = train
        .n_classes()
        .max(1 + train.y().iter().copied().max().unwrap_or(0));
    let y_train = one_hot(&train.y().to_vec(), classes)?;
    let y_test = one_hot(&test.y().to_vec(), classes).map_err(|_| {
        Error::parameter(
            "the test labels",
            format!("classes seen in training (below {classes})"),
            "a label beyond them",
        )
    })?;
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| counts[i]);
    let top = counts[order[order.len() - 1]];
    let n = train.len();
    check_entries(
        "the sweep's matrices, (train + test rows) × the largest count + train rows²",
        format!("({n} + {}) × {top} + {n}²", test.len()),
        (n + test.len())
            .checked_mul(top)
            .and_then(|e| e.checked_add(n.checked_mul(n)?)),
    )?;
    let mut sweep = Sweep {
        x_train: train.x().view(),
        x_test: test.x().view(),
        w: features.weights.view(),
        b: features.phases.view(),
        phi_train: Array2::zeros((n, top)),
        phi_test: Array2::zeros((test.len(), top)),
        gram_rows: Array2::zeros((n, n)),
        gram_columns: Array2::zeros((n.min(top), n.min(top))),
        factor: Cholesky::new(n.min(top), ridge),
        done: 0,
        ridge,
    };
    let mut points: Vec<Option<SweepPoint>> = vec![None; counts.len()];
    for &i in &order {
        let count = counts[i];
        sweep.grow(count);
        let (a, predicted) = sweep.weights(count, &y_train)?;
        let phi_test = columns(sweep.phi_test.view(), 0..count);
        let (train_error, train_loss) = scores(predicted, &y_train, train.y());
        let (test_error, test_loss) = scores(phi_test.dot(&a), &y_test, test.y());
        points[i] = Some(SweepPoint {
            features: count,
            train_error,
            test_error,
            train_loss,
            test_loss,
            weight_norm: crate::linalg::norm(a.view()),
        });
    }
    Ok(points
        .into_iter()
        .map(|p| p.expect("every count visited"))
        .collect())
}

/// The state of a sweep: the features computed so far and the Gram matrices.
struct Sweep<'a> {
    x_train: ArrayView2<'a, f64>,
    x_test: ArrayView2<'a, f64>,
    w: ArrayView2<'a, f64>,
    b: ArrayView1<'a, f64>,
    /// `(n, top)`: columns `0..done` computed.
    phi_train: Array2<f64>,
    phi_test: Array2<f64>,
    /// `ΦΦᵀ` over the first `done` features, `(n, n)`: its blocks of
    /// [`BLOCK`] rows on and below the diagonal.
    gram_rows: Array2<f64>,
    /// `ΦᵀΦ` over the first `min(done, n)` features.
    gram_columns: Array2<f64>,
    /// Its Cholesky factor, extended as features come.
    factor: Cholesky,
    done: usize,
    ridge: f64,
}

impl Sweep<'_> {
    /// Computes features `done..count` and adds them to the Gram matrices.
    fn grow(&mut self, count: usize) {
        if count <= self.done {
            return;
        }
        let (from, n) = (self.done, self.x_train.nrows());
        let block = Slice::from(from..count);
        let (w, b) = (
            self.w.slice_axis(Axis(1), block),
            self.b.slice_axis(Axis(0), block),
        );
        fill_features(
            self.x_train,
            w,
            b,
            self.phi_train.slice_axis_mut(Axis(1), block),
        );
        fill_features(
            self.x_test,
            w,
            b,
            self.phi_test.slice_axis_mut(Axis(1), block),
        );
        let new = self.phi_train.slice_axis(Axis(1), block);
        // Only the blocks on and below the diagonal: the factor reads no more.
        for r0 in (0..n).step_by(BLOCK) {
            let r1 = (r0 + BLOCK).min(n);
            let rows = new.slice_axis(Axis(0), Slice::from(r0..r1));
            let upto = new.slice_axis(Axis(0), Slice::from(0..r1));
            let mut gram = self
                .gram_rows
                .slice_axis_mut(Axis(0), Slice::from(r0..r1))
                .slice_axis_move(Axis(1), Slice::from(0..r1));
            general_mat_mul(1.0, &rows, &upto.t(), 1.0, &mut gram);
        }
        if from < n {
            // ΦᵀΦ gains rows and columns from..upto (only up to n are used).
            let upto = count.min(n);
            let new = columns(self.phi_train.view(), from..upto);
            let all = columns(self.phi_train.view(), 0..upto);
            let rows = new.t().dot(&all);
            self.gram_columns
                .slice_axis_mut(Axis(0), Slice::from(from..upto))
                .slice_axis_move(Axis(1), Slice::from(0..upto))
                .assign(&rows);
            self.gram_columns
                .slice_axis_mut(Axis(0), Slice::from(0..upto))
                .slice_axis_move(Axis(1), Slice::from(from..upto))
                .assign(&rows.t());
        }
        self.done = count;
    }

    /// The weights `A: (count, k)` of the fit with the first `count` features,
    /// and its predictions on the training rows, `ΦA`: for `N > n`, where
    /// `A = ΦᵀC`, they are `ΦΦᵀC = L(LᵀC) − λC` from the factor
    /// `ΦΦᵀ + λI = LLᵀ`, without another pass over `Φ`.
    fn weights(&mut self, count: usize, y: &Array2<f64>) -> Result<(Array2<f64>, Array2<f64>)> {
        let n = self.x_train.nrows();
        let what = |gram: &str, size: usize| {
            format!("the Gram matrix {gram} ({size} × {size}) at N = {count} features")
        };
        let phi = columns(self.phi_train.view(), 0..count);
        if count <= n {
            self.factor
                .extend(self.gram_columns.view(), count)
                .map_err(|p| p.error(&what("ΦᵀΦ", count), self.ridge))?;
            let a = self.factor.solve(phi.t().dot(y).view());
            let predicted = phi.dot(&a);
            Ok((a, predicted))
        } else {
            let mut factor = Cholesky::new(n, self.ridge);
            factor
                .extend(self.gram_rows.view(), n)
                .map_err(|p| p.error(&what("ΦΦᵀ", n), self.ridge))?;
            let c = factor.solve(y.view());
            Ok((phi.t().dot(&c), factor.gram_times(c.view())))
        }
    }
}

/// `(error, loss)`: the fraction of rows whose argmax (the first, on a tie)
/// is not the label, and `‖P − Y‖²_F / rows`.
fn scores(predicted: Array2<f64>, y: &Array2<f64>, labels: &Array1<usize>) -> (f64, f64) {
    let rows = predicted.nrows() as f64;
    let wrong = predicted
        .rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, label)| {
            let best = row
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (c, &v)| {
                    if v > best.1 { (c, v) } else { best }
                });
            best.0 != **label
        })
        .count();
    let loss: f64 = predicted
        .iter()
        .zip(y)
        .map(|(p, t)| (p - t) * (p - t))
        .sum();
    (wrong as f64 / rows, loss / rows)
}

impl ShowTable for [SweepPoint] {
    /// One row per point: N, the errors, the test loss and ‖A‖.
    fn table(&self) -> Table {
        let mut table = Table::new(["N", "train error", "test error", "test loss", "‖A‖"]);
        for p in self {
            table.push_row([
                p.features.to_string(),
                format_number(p.train_error),
                format_number(p.test_error),
                format_number(p.test_loss),
                format_number(p.weight_norm),
            ]);
        }
        table
    }
}

impl ShowTable for Vec<SweepPoint> {
    /// As for a slice of points.
    fn table(&self) -> Table {
        self.as_slice().table()
    }
}
