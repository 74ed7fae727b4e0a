//! Distances between points, and what happens to them as the dimension grows.
//!
//! A **metric** says how far apart two points a, b of ℝ^d are. Three common ones:
//!
//! ```text
//! Euclidean   ‖a − b‖₂ = √(Σ_j (a_j − b_j)²)      straight-line distance
//! Manhattan   ‖a − b‖₁ = Σ_j |a_j − b_j|          distance along the grid
//! cosine      1 − cos θ = 1 − a·b / (‖a‖ ‖b‖)     how far apart the directions are
//! ```
//!
//! The first two are norms of the difference a − b. The cosine distance only
//! sees directions: it is 0 for vectors pointing the same way, 1 for
//! perpendicular ones and 2 for opposite ones, whatever their lengths (and
//! it is undefined for the zero vector, which has no direction).
//!
//! ## Computing a distance without losing it
//!
//! Every distance here is computed pair by pair, by one function: the same
//! two points give the same distance bit for bit, whichever call asks for it
//! (a single pair, a matrix of pairs, a nearest-neighbour search), and a
//! point is at distance exactly 0 from itself. The Euclidean and Manhattan
//! distances start from the differences a_j − b_j; three details keep their
//! rounding small:
//!
//! - **no expanded square.** ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b is tempting
//!   (all the dot products come from one matrix product), but for points
//!   near each other and far from the origin the three terms are huge and
//!   nearly cancel: at an offset of 10⁹ the squares are about 10¹⁸ and their
//!   rounding errors about 100, larger than the squared distances between
//!   points a few units apart. Subtracting first loses nothing;
//! - **compensated sums.** The sum Σ_j carries the rounding error of each
//!   addition along (Neumaier's summation), so it is the exact sum of its
//!   terms rounded about once, whatever the order of the coordinates;
//! - **no overflow or underflow.** If the sum of squares leaves the safe
//!   range of `f64` (differences above about 10¹⁵⁴ or below 10⁻¹⁵⁴), the
//!   differences are first divided by the largest of them, and the result
//!   multiplied back: √(Σ d_j²) = m √(Σ (d_j/m)²).
//!
//! The cosine distance is 1 − cos θ with cos θ = sign(s) √(s² / ((a·a)(b·b)))
//! and s = a·b, after each vector is multiplied by a power of two that brings
//! its largest entry near 1 (exact: it changes no digit, and keeps every
//! product in range). Equal ratios s²/((a·a)(b·b)) then round to the same
//! number: a vector is at distance exactly 0 from itself, and two rows whose
//! dot products are exact (small integers, say) and whose cosines with a
//! query are equal are at exactly the same distance from it.
//!
//! ## The curse of dimensionality
//!
//! Draw x, y independently and uniformly in the cube [0, 1]^d. Each
//! coordinate adds an independent term (x_j − y_j)² of mean 1/6 and variance
//! 7/180 to the squared distance, so
//!
//! ```text
//! E ‖x − y‖² = d/6,     sd ‖x − y‖² = √(7d/180),
//! ```
//!
//! and ‖x − y‖ ≈ √(d/6) for large d: distances grow like √d, but their
//! spread around that typical value grows only like a constant. The
//! *relative* spread sd/mean shrinks like 1/√d (about 0.59/√d): in high
//! dimension every point is about as far from a query as every other, and
//! "the nearest neighbour" means less and less. [`distance_concentration`]
//! measures it as the contrast (max − min)/min over a dataset.
//!
//! **The law of the contrast, with its constant.** Fix a query q and draw
//! n points. Their squared distances S_i = ‖x_i − q‖² are independent sums
//! of d terms, nearly normal: S_i ≈ μ + σ Z_i with Z_i standard normal, μ
//! and σ² the mean and variance of S *given q*. To first order in σ/μ (the
//! delta method), ln ‖x_i − q‖ = ½ ln S_i ≈ ½ ln μ + (σ/2μ) Z_i, so
//!
//! ```text
//! ln(max/min) ≈ (σ/2μ)(max_i Z_i − min_i Z_i),   E ln(max/min) ≈ (E R_n / 2) · σ/μ,
//! ```
//!
//! with E R_n the expected range of n standard normals
//! ([`expected_normal_range`]); the second-order terms cancel on average
//! (the normal law is symmetric), leaving an error of order (σ/μ)³. For
//! points and query uniform in the cube, given q_j a coordinate adds a term
//! of mean (q_j − ½)² + 1/12 and of variance 1/30 on average over q_j (the
//! 7/180 above also counts how the mean moves with the query, 1/180, which
//! shifts all of one query's distances together). So σ/μ ≈ √(6/5)/√d and
//!
//! ```text
//! (max − min)/min = e^{ln(max/min)} − 1 ≈ e^{C/√d} − 1 ≈ C/√d,   C = (E R_n / 2) √(6/5),
//! ```
//!
//! C ≈ 3.33 for n = 500. One query's ln(max/min) varies by the fraction
//! sd R_n / E R_n of itself ([`normal_range_sd`]; about 8.6% for n = 500).
//!
//! Volume runs away in the same way. The ball of radius 1 in ℝ^d has volume
//!
//! ```text
//! V_d = π^{d/2} / Γ(d/2 + 1),
//! ```
//!
//! which peaks near d = 5 and then falls to 0, while the cube [−1, 1]^d
//! around it has volume 2^d: in high dimension almost all of the cube lies
//! in its corners, far from the centre ([`unit_ball_volume`], [`gamma_half`]).
//!
//! ```
//! use mlmath::distance::{euclidean, manhattan, cosine_distance};
//! use ndarray::array;
//! let (a, b) = (array![0.0, 3.0], array![4.0, 0.0]);
//! assert_eq!(euclidean(&a, &b).unwrap(), 5.0);
//! assert_eq!(manhattan(&a, &b).unwrap(), 7.0);
//! assert_eq!(cosine_distance(&a, &b).unwrap(), 1.0); // perpendicular
//! ```

use std::f64::consts::PI;

use ndarray::{Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Ix2};

use crate::error::{Error, Result, check_finite};

/// The Euclidean distance ‖a − b‖₂ = √(Σ_j (a_j − b_j)²); an error if the
/// lengths differ, a value is not finite, or the distance overflows `f64`.
///
/// ```
/// use ndarray::array;
/// let d = mlmath::distance::euclidean(&array![1.0, 2.0, 3.0], &array![4.0, 6.0, 3.0]);
/// assert_eq!(d.unwrap(), 5.0);
/// ```
pub fn euclidean<'a, 'b>(
    a: impl AsArray<'a, f64, Ix1>,
    b: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    distance_of_pair(Metric::Euclidean, a.into(), b.into())
}

/// The Manhattan (city-block) distance ‖a − b‖₁ = Σ_j |a_j − b_j|; an error
/// if the lengths differ, a value is not finite, or the distance overflows.
///
/// ```
/// use ndarray::array;
/// let d = mlmath::distance::manhattan(&array![1.0, 2.0, 3.0], &array![4.0, 6.0, 3.0]);
/// assert_eq!(d.unwrap(), 7.0);
/// ```
pub fn manhattan<'a, 'b>(
    a: impl AsArray<'a, f64, Ix1>,
    b: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    distance_of_pair(Metric::Manhattan, a.into(), b.into())
}

/// The cosine distance 1 − cos θ = 1 − a·b / (‖a‖ ‖b‖), from 0 (same
/// direction) through 1 (perpendicular) to 2 (opposite), computed on
/// rescaled vectors (see the [module](self) docs). An error if the
/// lengths differ, a value is not finite, or either vector is zero (it has
/// no direction).
///
/// ```
/// use ndarray::array;
/// use mlmath::distance::cosine_distance;
/// // Lengths do not matter, only directions.
/// assert_eq!(cosine_distance(&array![1.0, 1.0], &array![3.0, 3.0]).unwrap(), 0.0);
/// assert_eq!(cosine_distance(&array![1.0, 0.0], &array![-2.0, 0.0]).unwrap(), 2.0);
/// assert!(cosine_distance(&array![1.0, 0.0], &array![0.0, 0.0]).is_err());
/// ```
pub fn cosine_distance<'a, 'b>(
    a: impl AsArray<'a, f64, Ix1>,
    b: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    distance_of_pair(Metric::Cosine, a.into(), b.into())
}

/// Which distance to use: a parameter of [`pairwise`] and of the
/// nearest-neighbour classifier.
///
/// ```
/// use mlmath::distance::Metric;
/// use ndarray::array;
/// let (a, b) = (array![0.0, 3.0], array![4.0, 0.0]);
/// assert_eq!(Metric::Euclidean.distance(&a, &b).unwrap(), 5.0);
/// assert_eq!(Metric::Manhattan.distance(&a, &b).unwrap(), 7.0);
/// assert_eq!(Metric::Cosine.distance(&a, &b).unwrap(), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// ‖a − b‖₂, see [`euclidean`]. The default.
    #[default]
    Euclidean,
    /// ‖a − b‖₁, see [`manhattan`].
    Manhattan,
    /// 1 − cos θ, see [`cosine_distance`].
    Cosine,
}

impl Metric {
    /// The distance from `a: (d,)` to `b: (d,)` under this metric; the errors
    /// of [`euclidean`], [`manhattan`] and [`cosine_distance`].
    pub fn distance<'a, 'b>(
        &self,
        a: impl AsArray<'a, f64, Ix1>,
        b: impl AsArray<'b, f64, Ix1>,
    ) -> Result<f64> {
        distance_of_pair(*self, a.into(), b.into())
    }
}

/// Every distance between the rows of `a: (n, d)` and the rows of
/// `b: (m, d)`: the matrix `D: (n, m)` with `D_ij = dist(a_i, b_j)`.
///
/// Each entry is computed from the differences a_ij − b_jk directly (see the
/// [module](self) docs), not from the expanded square ‖a_i‖² + ‖b_j‖² − 2 a_i·b_j,
/// which loses every digit for points far from the origin. So `pairwise(x, x)`
/// has an exact 0 on its diagonal and is exactly symmetric, and rows far from
/// the origin keep their distances.
///
/// An error if the widths differ, either matrix is empty, a value is not
/// finite, a distance overflows `f64`, or (for the cosine metric) a row is
/// the zero vector.
///
/// ```
/// use mlmath::distance::{pairwise, Metric};
/// use ndarray::array;
/// let a = array![[0.0, 0.0], [1.0, 1.0]];
/// let b = array![[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]];
/// let d = pairwise(&a, &b, Metric::Euclidean).unwrap();
/// assert_eq!(d.dim(), (2, 3));
/// assert_eq!(d.row(0).to_vec(), vec![5.0, 0.0, 2f64.sqrt()]);
/// assert_eq!(d[(1, 2)], 0.0);
/// // A billion units from the origin, the distances are still 5 and 0.
/// let far = a.mapv(|v| v + 1e9);
/// assert_eq!(pairwise(&far, &b.mapv(|v| v + 1e9), Metric::Euclidean).unwrap(), d);
/// ```
pub fn pairwise<'a, 'b>(
    a: impl AsArray<'a, f64, Ix2>,
    b: impl AsArray<'b, f64, Ix2>,
    metric: Metric,
) -> Result<Array2<f64>> {
    pairwise_of_views(a.into(), b.into(), metric)
}

/// How much farther the farthest row of `x: (n, d)` is from `query: (d,)`
/// than the nearest one, relative to the nearest (Euclidean distances):
///
/// ```text
/// (max_i ‖x_i − q‖ − min_i ‖x_i − q‖) / min_i ‖x_i − q‖.
/// ```
///
/// Large in low dimension (some points are much closer than others), it
/// shrinks like C/√d for random data as the dimension d grows, with a
/// constant C the delta method predicts: the curse of dimensionality (see
/// the [module](self) docs). An error if x is empty or
/// has no columns, the widths differ, a value is not finite, the query
/// coincides with a row (the nearest distance is 0 and the ratio is
/// infinite), or the ratio overflows `f64`.
///
/// ```
/// use mlmath::distance::distance_concentration;
/// use ndarray::array;
/// // Distances 1, 2 and 4 from the origin: (4 − 1) / 1 = 3.
/// let x = array![[1.0, 0.0], [0.0, 2.0], [-4.0, 0.0]];
/// assert_eq!(distance_concentration(&x, &array![0.0, 0.0]).unwrap(), 3.0);
/// ```
pub fn distance_concentration<'a, 'b>(
    x: impl AsArray<'a, f64, Ix2>,
    query: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    concentration_of_views(x.into(), query.into())
}

/// Γ(n/2), the gamma function at a half-integer, by its recurrence
///
/// ```text
/// Γ(x + 1) = x Γ(x),     Γ(1) = 1,     Γ(1/2) = √π,
/// ```
///
/// so Γ(m + 1) = m! and Γ(m + 1/2) = (1/2)(3/2)⋯(m − 1/2) √π. At n = 0
/// it is the pole of Γ at 0: infinity. The factorials are exact up to
/// n = 38 (18! < 2⁵³); the result overflows to infinity from n = 344 on
/// (Γ(171.5) ≈ 9.5e307 is the last that a `f64` holds).
///
/// ```
/// use mlmath::distance::gamma_half;
/// let root_pi = std::f64::consts::PI.sqrt();
/// assert_eq!(gamma_half(10), 24.0); // Γ(5) = 4!
/// assert!((gamma_half(5) - 0.75 * root_pi).abs() < 1e-15); // Γ(5/2) = (3/2)(1/2)√π
/// ```
pub fn gamma_half(n: usize) -> f64 {
    if n == 0 {
        return f64::INFINITY;
    }
    // Γ(n/2) = base × (base + 1)(base + 2)⋯(n/2 − 1) × Γ(base), base = 1 (n
    // even) or 1/2 (n odd). Multiplying the small factors first keeps every
    // partial product below the result, so nothing overflows on the way.
    let (mut gamma, mut x) = if n.is_multiple_of(2) {
        (1.0, 1.0)
    } else {
        (PI.sqrt(), 0.5)
    };
    let last = n as f64 / 2.0 - 1.0;
    while x <= last && gamma.is_finite() {
        gamma *= x;
        x += 1.0;
    }
    gamma
}

/// The volume of the ball of radius 1 in ℝ^d:
///
/// ```text
/// V_d = π^{d/2} / Γ(d/2 + 1)      (V_0 = 1, V_1 = 2, V_2 = π, V_3 = 4π/3, …)
/// ```
///
/// It is largest at d = 5 (≈ 5.26) and tends to 0, while the cube
/// [−1, 1]^d around the ball has volume 2^d. Both π^{d/2} and Γ overflow
/// for large d, so the quotient is taken one factor of the recurrence at a
/// time: Γ(d/2 + 1) = (d/2)(d/2 − 1)⋯ each divides one π, which gives
/// V_d = (2π/d) V_{d−2}. The result equals `π^{d/2} / gamma_half(d + 2)`
/// wherever that is finite, and underflows to 0 only past d ≈ 1300.
///
/// ```
/// use mlmath::distance::unit_ball_volume;
/// use std::f64::consts::PI;
/// assert!((unit_ball_volume(2) - PI).abs() < 1e-15);
/// assert!((unit_ball_volume(3) - 4.0 * PI / 3.0).abs() < 1e-14);
/// assert!(unit_ball_volume(20) < 0.03);
/// ```
pub fn unit_ball_volume(d: usize) -> f64 {
    // V_0 = 1 (the point) and V_1 = 2 (the segment [−1, 1]); then V_d = (2π/d) V_{d−2}.
    let mut volume = if d.is_multiple_of(2) { 1.0 } else { 2.0 };
    let mut k = 2 + d % 2;
    // Past d ≈ 1300 the volume underflows to 0 and stays there: stop.
    while k <= d && volume > 0.0 {
        volume *= 2.0 * PI / k as f64;
        k += 2;
    }
    volume
}

/// The expected range of n independent standard normal variables,
/// E R_n = E[max_i Z_i − min_i Z_i]:
///
/// ```text
/// E R_n = ∫ (1 − Φ(x)^n − (1 − Φ(x))^n) dx = 2 ∫_0^∞ (1 − (1 − Q(t))^n − Q(t)^n) dt,
/// ```
///
/// with Φ the standard normal distribution function and Q(t) = 1 − Φ(t) =
/// Φ(−t) its upper tail. (The largest of n is at most x with probability
/// Φ(x)^n, and E max = ∫_0^∞ P(max > x) dx − ∫_{−∞}^0 P(max ≤ x) dx; the
/// smallest is the largest of the −Z_i, so E min = −E max.) It grows like
/// 2√(2 ln n), slowly: E R_2 = 2/√π ≈ 1.128, E R_10 ≈ 3.078, E R_500 ≈ 6.073
/// — values L. H. C. Tippett tabulated up to n = 1000 in 1925.
///
/// In the law of distance concentration (see the [module](self) docs) it is
/// the constant: the nearest and the farthest of n points are the extremes
/// of n nearly normal squared distances.
///
/// Computed by quadrature on a grid of step 1/64 over [0, 13] (Q by
/// three-point Gauss–Legendre on each step, summed from the far tail in, so
/// its small values keep their digits; the outer integral by Simpson's
/// rule); accurate to about 1e-9, for every n up to `usize::MAX`
/// (E R_n < 2 · 13 = 26 always). An error if n = 0.
///
/// ```
/// use mlmath::distance::expected_normal_range;
/// let root_pi = std::f64::consts::PI.sqrt();
/// assert_eq!(expected_normal_range(1)?, 0.0);
/// assert!((expected_normal_range(2)? - 2.0 / root_pi).abs() < 1e-9);
/// assert!((expected_normal_range(3)? - 3.0 / root_pi).abs() < 1e-9);
/// assert!((expected_normal_range(500)? - 6.0734).abs() < 1e-4);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn expected_normal_range(n: usize) -> Result<f64> {
    check_sample_size(n)?;
    Ok(mean_normal_range(n, &normal_upper_tails()))
}

/// The standard deviation of the range R_n of n independent standard
/// normal variables, from the distribution of the range
///
/// ```text
/// P(R_n ≤ r) = n ∫ φ(x) (Φ(x + r) − Φ(x))^{n−1} dx
/// ```
///
/// (one of the n is the smallest, at x; the other n − 1 lie in [x, x + r]).
/// For any m ≥ 0, (R − m)² = ∫_m^R 2(r − m) dr, so
///
/// ```text
/// E(R − m)² = ∫_m^∞ 2(r − m) P(R > r) dr + ∫_0^m 2(m − r) P(R ≤ r) dr,
/// Var R = E(R − m)² − (E R − m)²,
/// ```
///
/// with m taken near E R, so that nothing cancels. sd R_2 = √(2 − 4/π) ≈
/// 0.853 (R_2 = |Z_1 − Z_2| and Z_1 − Z_2 ~ N(0, 2)); sd R_500 ≈ 0.524, so
/// the range of 500 normals varies by about 8.6% of its mean.
///
/// The same grid as [`expected_normal_range`]; accurate to about 1e-7.
/// An error if n = 0.
///
/// ```
/// use mlmath::distance::normal_range_sd;
/// let exact = (2.0 - 4.0 / std::f64::consts::PI).sqrt();
/// assert!((normal_range_sd(2)? - exact).abs() < 1e-7);
/// assert_eq!(normal_range_sd(1)?, 0.0);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn normal_range_sd(n: usize) -> Result<f64> {
    check_sample_size(n)?;
    Ok(sd_normal_range(n, &normal_upper_tails()))
}

// ---------------------------------------------------------------------------
// The machinery: every public function above is a thin wrapper over these.

/// The step of the grid of the normal integrals, and how far it reaches:
/// Q(13) ≈ 6e-39, so even n = `usize::MAX` ≈ 1.8e19 points put a mass
/// below 1e-19 beyond it.
const NORMAL_STEP: f64 = 1.0 / 64.0;
const NORMAL_STEPS: usize = 13 * 64;

/// An error unless n ≥ 1.
fn check_sample_size(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::parameter(
            "n",
            "at least 1 (the range of no values is not defined)",
            n,
        ));
    }
    Ok(())
}

/// The standard normal density φ(t) = e^{−t²/2} / √(2π).
fn normal_density(t: f64) -> f64 {
    (-0.5 * t * t).exp() / (2.0 * PI).sqrt()
}

/// The upper tails Q(t_k) = ∫_{t_k}^∞ φ at t_k = k h, k = 0, …, K: summed
/// from the far end in (each step by five-point Gauss–Legendre, exact for
/// polynomials of degree 9), so that every tail is a sum of positive terms
/// and keeps its relative precision. The last one is Mills' φ(t)/t.
fn normal_upper_tails() -> Vec<f64> {
    // Gauss–Legendre on [−1, 1]: (node, weight) pairs.
    const RULE: [(f64, f64); 5] = [
        (0.0, 0.568_888_888_888_888_9),
        (0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
        (-0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
        (0.906_179_845_938_664, 0.236_926_885_056_189_1),
        (-0.906_179_845_938_664, 0.236_926_885_056_189_1),
    ];
    let h = NORMAL_STEP;
    let mut q = vec![0.0; NORMAL_STEPS + 1];
    let end = NORMAL_STEPS as f64 * h;
    q[NORMAL_STEPS] = normal_density(end) / end;
    for k in (0..NORMAL_STEPS).rev() {
        let middle = (k as f64 + 0.5) * h;
        let step: f64 = RULE
            .iter()
            .map(|&(node, weight)| weight * normal_density(middle + 0.5 * h * node))
            .sum();
        q[k] = q[k + 1] + 0.5 * h * step;
    }
    q
}

/// The weight of grid point k of 0, …, last (last even) in Simpson's rule.
fn simpson_weight(k: usize, last: usize) -> f64 {
    let w = if k == 0 || k == last {
        1.0
    } else if k % 2 == 1 {
        4.0
    } else {
        2.0
    };
    w * NORMAL_STEP / 3.0
}

/// (1 − s)^e for s in [0, 1], keeping its digits when s is tiny and e huge.
fn power_of_complement(s: f64, e: f64) -> f64 {
    if e == 0.0 {
        return 1.0;
    }
    if s >= 1.0 || e * s > 800.0 {
        return 0.0; // (1 − s)^e ≤ e^{−e s} underflows
    }
    (e * (-s).ln_1p()).exp()
}

/// E R_n = 2 ∫_0^T (1 − (1 − Q)^n − Q^n) dt by Simpson's rule.
fn mean_normal_range(n: usize, q: &[f64]) -> f64 {
    if n == 1 {
        return 0.0;
    }
    let e = n as f64;
    let sum: f64 = q
        .iter()
        .enumerate()
        .map(|(k, &q_k)| {
            let g = 1.0 - power_of_complement(q_k, e) - q_k.powf(e);
            simpson_weight(k, NORMAL_STEPS) * g
        })
        .sum();
    2.0 * sum
}

/// sd R_n from P(R ≤ r) = n ∫ φ(x) (Φ(x + r) − Φ(x))^{n−1} dx on the grid
/// x_i = t_i − T, r_m = m h (see [`normal_range_sd`]). Only |x| ≤ t_c and
/// r ≤ 2 t_c are visited, with t_c the first grid point where 2n Q(t_c) <
/// 1e-18: the rest of the x axis holds at most n · 2Q(t_c) of the first
/// integral, and P(R > r) ≤ P(max > r/2) + P(min < −r/2) ≤ 2n Q(r/2) beyond.
fn sd_normal_range(n: usize, q: &[f64]) -> f64 {
    if n == 1 {
        return 0.0;
    }
    let k = NORMAL_STEPS;
    let e = n as f64;
    let c = (0..=k).find(|&t| 2.0 * e * q[t] < 1e-18).unwrap_or(k);
    // Φ(x_i) and 1 − Φ(x_i), each from the tail that keeps its digits.
    let lower = |i: usize| if i <= k { q[k - i] } else { 1.0 - q[i - k] };
    let upper = |i: usize| if i >= k { q[i - k] } else { 1.0 - q[k - i] };
    let xs = k - c..=k + c;
    let density: Vec<f64> = xs
        .clone()
        .map(|i| simpson_weight(i, 2 * k) * normal_density((i as f64 - k as f64) * NORMAL_STEP))
        .collect();
    let last = 2 * c;
    // P(R ≤ r_m): Φ(x + r) − Φ(x) = 1 − Φ(x) − (1 − Φ(x + r)), the last 0 off the grid.
    let at_most: Vec<f64> = (0..=last)
        .map(|m| {
            let inner: f64 = xs
                .clone()
                .zip(&density)
                .map(|(i, w)| {
                    let beyond = if i + m <= 2 * k { upper(i + m) } else { 0.0 };
                    w * power_of_complement(lower(i) + beyond, e - 1.0)
                })
                .sum();
            (e * inner).clamp(0.0, 1.0)
        })
        .collect();
    let mean = mean_normal_range(n, q);
    // m: the even grid point nearest E R, so that the kink of |r − m| falls
    // between two of Simpson's panels.
    let centre = (((mean / NORMAL_STEP) / 2.0).round() as usize * 2).min(last);
    let m = centre as f64 * NORMAL_STEP;
    let second: f64 = (0..=last)
        .map(|j| {
            let r = j as f64 * NORMAL_STEP;
            let tail = if j >= centre {
                2.0 * (r - m) * (1.0 - at_most[j])
            } else {
                2.0 * (m - r) * at_most[j]
            };
            simpson_weight(j, last) * tail
        })
        .sum();
    (second - (mean - m).powi(2)).max(0.0).sqrt()
}

/// One distance between two vectors, checked.
fn distance_of_pair(metric: Metric, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    if a.len() != b.len() {
        return Err(Error::shape(
            "b",
            format!("{} entries, as many as a", a.len()),
            format!("{} entries", b.len()),
        ));
    }
    check_finite("a", a)?;
    check_finite("b", b)?;
    if metric == Metric::Cosine {
        for (name, v) in [("a", a), ("b", b)] {
            if v.iter().all(|&x| x == 0.0) {
                return Err(zero_vector(name));
            }
        }
    }
    let a = prepare("a", a.insert_axis(Axis(0)), metric)?;
    let b = prepare("b", b.insert_axis(Axis(0)), metric)?;
    let d = between(metric, row(&a, 0), row(&b, 0));
    if !d.is_finite() {
        return Err(overflow("the distance from a to b"));
    }
    Ok(d)
}

/// [`pairwise`] on views.
fn pairwise_of_views(
    a: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
    metric: Metric,
) -> Result<Array2<f64>> {
    if a.nrows() == 0 {
        return Err(Error::empty("a"));
    }
    if b.nrows() == 0 {
        return Err(Error::empty("b"));
    }
    if a.ncols() != b.ncols() {
        return Err(Error::shape(
            "a",
            format!("{} columns, as many as b", b.ncols()),
            format!("{} columns", a.ncols()),
        ));
    }
    let (a, b) = (prepare("a", a, metric)?, prepare("b", b, metric)?);
    let mut d = Array2::zeros((a.nrows(), b.nrows()));
    for i in 0..a.nrows() {
        for j in 0..b.nrows() {
            let d_ij = between(metric, row(&a, i), row(&b, j));
            if !d_ij.is_finite() {
                return Err(overflow(&format!(
                    "the distance from row {i} of a to row {j} of b"
                )));
            }
            d[(i, j)] = d_ij;
        }
    }
    Ok(d)
}

/// [`distance_concentration`] on views.
fn concentration_of_views(x: ArrayView2<'_, f64>, query: ArrayView1<'_, f64>) -> Result<f64> {
    if x.nrows() == 0 {
        return Err(Error::empty("x"));
    }
    if x.ncols() == 0 {
        return Err(Error::shape("x", "at least one column", "0 columns"));
    }
    if query.len() != x.ncols() {
        return Err(Error::shape(
            "query",
            format!("{} entries, one per column of x", x.ncols()),
            format!("{} entries", query.len()),
        ));
    }
    // Checked here, so that an error names x or the query with its own index.
    check_finite("x", x)?;
    check_finite("query", query)?;
    let d = pairwise_of_views(x, query.insert_axis(Axis(1)).t(), Metric::Euclidean)?;
    let (min, max) = d.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    if min == 0.0 {
        return Err(Error::parameter(
            "query",
            "a point distinct from every row of x (the ratio divides by the nearest distance)",
            "a point at distance 0 from a row of x",
        ));
    }
    let ratio = (max - min) / min;
    if !ratio.is_finite() {
        return Err(Error::parameter(
            "the ratio (max − min)/min",
            "a finite number (rescale x: its nearest and farthest rows are too far apart)",
            ratio,
        ));
    }
    Ok(ratio)
}

/// The rows of `x` made ready for `metric`, in standard (row-major) layout:
/// the rows themselves, or for the cosine metric each row multiplied by the
/// power of two that brings its largest |entry| into [1, 2) (exact, and its
/// dot products then neither overflow nor underflow).
/// An error names `what` if a value is not finite or (cosine) a row is zero.
pub(crate) fn prepare(what: &str, x: ArrayView2<'_, f64>, metric: Metric) -> Result<Array2<f64>> {
    check_finite(what, x)?;
    let mut rows = x.as_standard_layout().into_owned();
    if metric == Metric::Cosine {
        for (i, mut r) in rows.rows_mut().into_iter().enumerate() {
            let m = r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if m == 0.0 {
                return Err(zero_vector(&format!("row {i} of {what}")));
            }
            // 2^−e with e = ⌊log₂ m⌋, in two factors (2^1074 alone overflows).
            let e = m.log2().floor() as i32;
            let (first, second) = (2f64.powi(-e / 2), 2f64.powi(-e - (-e / 2)));
            r.mapv_inplace(|v| v * first * second);
        }
    }
    Ok(rows)
}

/// Row `i` of a matrix made by [`prepare`], as a slice.
pub(crate) fn row(x: &Array2<f64>, i: usize) -> &[f64] {
    x.row(i).to_slice().expect("prepare gives standard layout")
}

/// The distance between two rows made ready by [`prepare`]: the one formula
/// behind every distance of the crate. It is +∞ where the distance
/// overflows `f64` (never NaN); the callers decide whether that is an error.
pub(crate) fn between(metric: Metric, a: &[f64], b: &[f64]) -> f64 {
    match metric {
        Metric::Euclidean => euclidean_rows(a, b),
        Metric::Manhattan => manhattan_rows(a, b),
        Metric::Cosine => {
            let dot = |u: &[f64], v: &[f64]| sum_of(u.len(), |j| u[j] * v[j]);
            let s = dot(a, b);
            // cos² θ = s² / ((a·a)(b·b)), exactly 1 for a = b.
            let cos_squared = (s * s / (dot(a, a) * dot(b, b))).min(1.0);
            1.0 - cos_squared.sqrt().copysign(s)
        }
    }
}

/// The error for a distance beyond the largest `f64`.
pub(crate) fn overflow(what: &str) -> Error {
    Error::parameter(
        what,
        "at most the largest f64 (about 1.8e308); rescale the features, e.g. Dataset::standardized",
        "a distance that overflows",
    )
}

/// The error for a zero vector where the cosine distance needs a direction.
fn zero_vector(what: &str) -> Error {
    Error::parameter(
        what,
        "a nonzero vector (the cosine distance needs a direction)",
        "the zero vector",
    )
}

/// ‖a − b‖₂ of two rows of the same length.
fn euclidean_rows(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "callers check the widths");
    root_sum_of_squares(a.len(), |j| a[j] - b[j])
}

/// √(Σ_j d_j²) for the d values `d(0), …, d(len − 1)`: the sum compensated,
/// and rescaled by the largest |d_j| when the plain sum of squares would
/// overflow or lose its small terms to underflow.
fn root_sum_of_squares(len: usize, d: impl Fn(usize) -> f64) -> f64 {
    let s = sum_of_squares(len, &d);
    // At least 2⁻⁵¹¹ and finite: nothing that matters underflowed or overflowed.
    if s.is_finite() && s >= SAFE_MIN {
        return s.sqrt();
    }
    // √(Σ d_j²) = m √(Σ (d_j / m)²) with m = max |d_j|, every ratio at most 1.
    let m = (0..len).fold(0.0_f64, |m, j| m.max(d(j).abs()));
    if m == 0.0 || !m.is_finite() {
        // The same point (distance 0), or a difference beyond the largest
        // f64, and the distance with it (it is at least max |d_j|).
        return m;
    }
    let mut sum = CompensatedSum::default();
    for j in 0..len {
        let r = d(j) / m;
        sum.add(r * r);
    }
    m * sum.value().sqrt()
}

/// Σ_j d_j², compensated.
fn sum_of_squares(len: usize, d: impl Fn(usize) -> f64) -> f64 {
    sum_of(len, |j| d(j) * d(j))
}

/// Σ_j t_j, compensated.
fn sum_of(len: usize, t: impl Fn(usize) -> f64) -> f64 {
    let mut sum = CompensatedSum::default();
    for j in 0..len {
        sum.add(t(j));
    }
    sum.value()
}

/// Σ_j |a_j − b_j|, compensated. It overflows only when the distance does
/// (every term is positive).
fn manhattan_rows(a: &[f64], b: &[f64]) -> f64 {
    let mut sum = CompensatedSum::default();
    for (x, y) in a.iter().zip(b) {
        sum.add((x - y).abs());
    }
    sum.value()
}

/// 2⁻⁵¹¹ ≈ 1.5e-154: a sum of squares at least this large lost nothing that
/// matters to underflow (a square that underflowed is below 2⁻¹⁰²², far
/// under the last digit of the sum).
const SAFE_MIN: f64 = 1.4916681462400413e-154;

/// A running sum that carries the rounding error of every addition
/// (Neumaier's variant of Kahan summation): for n terms the error is about
/// one rounding of the result, instead of n roundings that depend on the
/// order of the terms.
#[derive(Default)]
struct CompensatedSum {
    total: f64,
    error: f64,
}

impl CompensatedSum {
    fn add(&mut self, t: f64) {
        let s = self.total + t;
        // The part of the smaller operand that the addition rounded away.
        self.error += if self.total.abs() >= t.abs() {
            (self.total - s) + t
        } else {
            (t - s) + self.total
        };
        self.total = s;
    }

    fn value(&self) -> f64 {
        if self.total.is_infinite() {
            return self.total; // the error term is NaN (∞ − ∞) and means nothing
        }
        self.total + self.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{normal_matrix, seeded, uniform_matrix};
    use ndarray::{Array1, array};

    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn distances_worked_by_hand() {
        // a − b = (−3, −4, 0): ‖·‖₂ = 5, ‖·‖₁ = 7.
        // a·b = 4 + 12 + 9 = 25, ‖a‖² = 14, ‖b‖² = 61: cos θ = 25/√854.
        let (a, b) = (array![1.0, 2.0, 3.0], array![4.0, 6.0, 3.0]);
        assert_eq!(euclidean(&a, &b).unwrap(), 5.0);
        assert_eq!(manhattan(&a, &b).unwrap(), 7.0);
        assert_close(
            cosine_distance(&a, &b).unwrap(),
            1.0 - 25.0 / 854f64.sqrt(),
            1e-15,
        );
        // Symmetric, and exactly zero from a point to itself.
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            assert_eq!(
                metric.distance(&a, &b).unwrap(),
                metric.distance(&b, &a).unwrap()
            );
            assert_eq!(metric.distance(&a, &a).unwrap(), 0.0, "{metric:?}");
        }
        // Views and rows work as well as owned arrays.
        let m = array![[1.0, 2.0, 3.0], [4.0, 6.0, 3.0]];
        assert_eq!(euclidean(m.row(0), m.row(1)).unwrap(), 5.0);
        // The cosine distance of perpendicular, opposite and scaled vectors.
        let c = |u: [f64; 2], v: [f64; 2]| cosine_distance(&u[..], &v[..]).unwrap();
        let c3 = |u: &[f64], v: &[f64]| cosine_distance(u, v).unwrap();
        assert_eq!(c([2.0, 0.0], [0.0, 5.0]), 1.0);
        assert_eq!(c([1.0, -1.0], [-3.0, 3.0]), 2.0);
        assert_close(c([1.0, 2.0], [10.0, 20.0]), 0.0, 1e-15);
        // Nearly parallel: 1 − cos θ = 2 sin²(θ/2), to within rounding.
        let theta: f64 = 1e-3;
        let near = c([1.0, 0.0], [theta.cos(), theta.sin()]);
        assert_close(near, 2.0 * (theta / 2.0).sin().powi(2), 1e-15);
        // Small integers: exact dot products, exact ties. Against (−1, 2, 2),
        // the rows (−1, −3, −1) and (3, −1, −1) both have cos θ = −7/(3√11),
        // and (1, 1, 1) and (3, 3, 3) are parallel: distance exactly 0.
        let q = [-1.0, 2.0, 2.0];
        assert_eq!(c3(&q, &[-1.0, -3.0, -1.0]), c3(&q, &[3.0, -1.0, -1.0]));
        assert_eq!(c3(&[1.0, 1.0, 1.0], &[3.0, 3.0, 3.0]), 0.0);
    }

    #[test]
    fn far_from_the_origin_distances_are_kept() {
        // The expanded square at an offset of 1e9 rounds by about 1e18 × 1e-16 = 100
        // in the squared distance; subtracting first gives 3-4-5 exactly.
        let a = array![[1e9, 1e9], [1e9 + 3.0, 1e9 + 4.0]];
        let d = pairwise(&a, &a, Metric::Euclidean).unwrap();
        assert_eq!(d, array![[0.0, 5.0], [5.0, 0.0]]);
        // Huge and tiny coordinates: no overflow, no underflow.
        assert_eq!(
            euclidean(&[3e300, 0.0][..], &[0.0, 4e300][..]).unwrap(),
            5e300
        );
        assert_close(
            euclidean(&[3e-300, 0.0][..], &[0.0, 4e-300][..]).unwrap() / 5e-300,
            1.0,
            1e-15,
        );
        assert_eq!(manhattan(&[1e308][..], &[-5e307][..]).unwrap(), 1.5e308);
        for metric in [Metric::Euclidean, Metric::Manhattan] {
            let e = metric.distance(&[1e308][..], &[-1e308][..]).unwrap_err();
            assert!(e.to_string().contains("overflows"), "{e}");
        }
        assert_close(
            cosine_distance(&[1e300, 1e300][..], &[1e-300, 1e-300][..]).unwrap(),
            0.0,
            1e-15,
        );
        assert_close(
            cosine_distance(&[1e300, 0.0][..], &[0.0, 1e-300][..]).unwrap(),
            1.0,
            1e-15,
        );
    }

    #[test]
    fn the_order_of_the_coordinates_does_not_change_a_distance() {
        // Compensated sums: a permutation of the coordinates gives the same bits.
        let mut rng = seeded(5);
        let u = normal_matrix(50, 9, &mut rng).unwrap();
        for r in u.rows() {
            let v = r.to_vec();
            let mut w = v.clone();
            w.reverse();
            w.rotate_left(3);
            assert_eq!(
                euclidean(&v[..], &[0.0; 9][..]).unwrap(),
                euclidean(&w[..], &[0.0; 9][..]).unwrap()
            );
            assert_eq!(
                manhattan(&v[..], &[0.0; 9][..]).unwrap(),
                manhattan(&w[..], &[0.0; 9][..]).unwrap()
            );
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (a, b) = (array![1.0, 2.0], array![1.0, 2.0, 3.0]);
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            let e = metric.distance(&a, &b).unwrap_err();
            assert!(matches!(e, Error::Shape { .. }), "{e}");
        }
        let e = euclidean(&a, &array![f64::NAN, 0.0]).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = cosine_distance(&array![0.0, 0.0], &a).unwrap_err();
        assert!(e.to_string().contains("the zero vector"), "{e}");

        let x = array![[1.0, 2.0], [0.0, 0.0]];
        let e = pairwise(&x, &x, Metric::Cosine).unwrap_err();
        assert!(e.to_string().starts_with("row 1 of a must be"), "{e}");
        let e = pairwise(&x, &array![[1.0, 2.0, 3.0]], Metric::Euclidean).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = pairwise(&empty, &x, Metric::Euclidean).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");

        let e = distance_concentration(&x, &array![0.0, 0.0]).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = distance_concentration(&x, &array![0.0]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = distance_concentration(&Array2::<f64>::zeros((3, 0)), &array![]).unwrap_err();
        assert!(e.to_string().contains("at least one column"), "{e}");
        // A NaN names the argument it is in, with that argument's own index.
        let e = distance_concentration(&x, &array![0.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("query"), "{e}");
        assert!(e.to_string().contains("[1]"), "{e}");
        let e = distance_concentration(&array![[1.0, 2.0], [f64::NAN, 0.0]], &array![0.0, 1.0])
            .unwrap_err();
        assert!(
            e.to_string().contains("x") && e.to_string().contains("[1, 0]"),
            "{e}"
        );
        let e = distance_concentration(&array![[1e-300], [1e300]], &array![0.0]).unwrap_err();
        assert!(e.to_string().contains("rescale x"), "{e}");
    }

    #[test]
    fn pairwise_equals_the_direct_loop() {
        let mut rng = seeded(21);
        let a = normal_matrix(7, 5, &mut rng).unwrap() * 3.0;
        let b = normal_matrix(9, 5, &mut rng).unwrap() + 1.0;
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            let d = pairwise(&a, &b, metric).unwrap();
            assert_eq!(d.dim(), (7, 9));
            for i in 0..7 {
                for j in 0..9 {
                    // The textbook formulas, written out.
                    let diff = &a.row(i) - &b.row(j);
                    let direct = match metric {
                        Metric::Euclidean => diff.dot(&diff).sqrt(),
                        Metric::Manhattan => diff.mapv(f64::abs).sum(),
                        Metric::Cosine => {
                            let (u, v) = (a.row(i), b.row(j));
                            1.0 - u.dot(&v) / (u.dot(&u).sqrt() * v.dot(&v).sqrt())
                        }
                    };
                    assert_close(d[(i, j)], direct, 1e-12);
                    assert_eq!(d[(i, j)], metric.distance(a.row(i), b.row(j)).unwrap());
                }
            }
        }
        // A set against itself: an exact 0 on the diagonal, exactly symmetric.
        let d = pairwise(&a, &a, Metric::Euclidean).unwrap();
        assert!(d.diag().iter().all(|&v| v == 0.0), "{d}");
        assert_eq!(d, d.t());
    }

    /// Distances between `pairs` independent pairs of uniform points of [0, 1]^d.
    fn uniform_distances(d: usize, pairs: usize, seed: u64) -> Array1<f64> {
        let mut rng = seeded(seed);
        let x = uniform_matrix(pairs, d, 0.0, 1.0, &mut rng).unwrap();
        let y = uniform_matrix(pairs, d, 0.0, 1.0, &mut rng).unwrap();
        (0..pairs)
            .map(|i| euclidean(x.row(i), y.row(i)).unwrap())
            .collect()
    }

    #[test]
    fn uniform_distances_approach_the_square_root_of_d_over_6() {
        // E‖x − y‖² = d/6, and ‖x − y‖ ≈ √(d/6) (1 − 7/(40 d)) for large d.
        // With 400 pairs at d = 1000 the sample mean has a relative standard
        // error of about 0.59/√1000/√400 ≈ 0.1%.
        let distances = uniform_distances(1000, 400, 1);
        let mean = distances.mean().unwrap();
        let expected = (1000.0_f64 / 6.0).sqrt();
        assert!(
            (mean / expected - 1.0).abs() < 0.01,
            "mean {mean}, √(d/6) = {expected}"
        );
    }

    #[test]
    fn the_relative_spread_of_distances_shrinks_like_one_over_root_d() {
        // sd/mean ≈ 0.59/√d: from d = 100 to d = 10000 it should shrink 10-fold.
        let relative_spread = |d: usize| {
            let distances = uniform_distances(d, 500, d as u64);
            distances.std(1.0) / distances.mean().unwrap()
        };
        let (low, high) = (relative_spread(100), relative_spread(10_000));
        let ratio = low / high;
        assert!((ratio / 10.0 - 1.0).abs() < 0.3, "{low} / {high} = {ratio}");
        assert!((low * 10.0 - 0.59).abs() < 0.1, "{low}");
        // The (max − min)/min of one query against many points falls with d too.
        let concentration = |d: usize| {
            let x = uniform_matrix(200, d, 0.0, 1.0, &mut seeded(3)).unwrap();
            distance_concentration(&x, &Array1::from_elem(d, 0.5)).unwrap()
        };
        let (c2, c1000) = (concentration(2), concentration(1000));
        assert!(c2 > 10.0 * c1000, "{c2} vs {c1000}");
    }

    #[test]
    fn gamma_half_matches_factorials_and_root_pi() {
        let root_pi = PI.sqrt();
        assert_eq!(gamma_half(2), 1.0); // Γ(1) = 0!
        assert_eq!(gamma_half(4), 1.0); // Γ(2) = 1!
        assert_eq!(gamma_half(12), 120.0); // Γ(6) = 5!
        assert_eq!(gamma_half(38), 6_402_373_705_728_000.0); // Γ(19) = 18!, exact
        assert_eq!(gamma_half(1), root_pi); // Γ(1/2)
        assert_close(gamma_half(3), root_pi / 2.0, 1e-15); // Γ(3/2)
        assert_close(gamma_half(7), 15.0 / 8.0 * root_pi, 1e-14); // Γ(7/2)
        assert_eq!(gamma_half(0), f64::INFINITY);
        // Overflow is infinity, and huge n returns at once.
        assert_eq!(gamma_half(344), f64::INFINITY);
        assert!(gamma_half(342).is_finite());
        assert_eq!(gamma_half(usize::MAX), f64::INFINITY);
    }

    #[test]
    fn the_unit_ball_has_the_known_volumes_and_vanishes() {
        assert_eq!(unit_ball_volume(0), 1.0);
        assert_eq!(unit_ball_volume(1), 2.0);
        assert_close(unit_ball_volume(2), PI, 1e-15);
        assert_close(unit_ball_volume(3), 4.0 * PI / 3.0, 1e-14);
        assert_close(unit_ball_volume(4), PI * PI / 2.0, 1e-14);
        // The recurrence agrees with π^{d/2} / Γ(d/2 + 1) computed directly.
        for d in 0..60 {
            let direct = PI.powf(d as f64 / 2.0) / gamma_half(d + 2);
            assert_close(unit_ball_volume(d) / direct, 1.0, 1e-12);
        }
        // Largest at d = 5, then falling to 0; still a number where Γ overflows.
        let volumes: Vec<f64> = (0..30).map(unit_ball_volume).collect();
        assert!(volumes.windows(2).take(5).all(|w| w[1] > w[0]));
        assert!(volumes.windows(2).skip(5).all(|w| w[1] < w[0]));
        assert!(unit_ball_volume(20) < 0.03, "{}", unit_ball_volume(20));
        // d = 400: Γ(201) overflows, V_400 ≈ 3e-276 does not.
        assert_eq!(gamma_half(402), f64::INFINITY);
        let far = unit_ball_volume(400);
        assert!(far > 0.0 && far < 1e-250, "{far}");
        assert_eq!(unit_ball_volume(usize::MAX), 0.0);
    }

    #[test]
    fn the_normal_tails_match_known_values() {
        let q = normal_upper_tails();
        assert_close(q[0], 0.5, 1e-15);
        // Q(1), Q(2), Q(5), Q(10) from erfc, to 16 digits.
        let known = [
            (1, 0.158_655_253_931_457_05),
            (2, 0.022_750_131_948_179_21),
            (5, 2.866_515_718_791_939e-7),
            (10, 7.619_853_024_160_527e-24),
        ];
        for (t, want) in known {
            let got = q[t * 64];
            assert!(
                (got / want - 1.0).abs() < 1e-12,
                "Q({t}) = {got}, known {want}"
            );
        }
    }

    #[test]
    fn the_normal_range_matches_closed_forms_and_tables() {
        let root_pi = PI.sqrt();
        // E R_2 = 2/√π, E R_3 = 3/√π; R_2 = |Z_1 − Z_2|, Z_1 − Z_2 ~ N(0, 2).
        assert_close(expected_normal_range(2).unwrap(), 2.0 / root_pi, 1e-10);
        assert_close(expected_normal_range(3).unwrap(), 3.0 / root_pi, 1e-10);
        assert_close(normal_range_sd(2).unwrap(), (2.0 - 4.0 / PI).sqrt(), 1e-8);
        // The control-chart constants d2 = E R_n and d3 = sd R_n, to 3 decimals.
        let table = [
            (4, 2.059, 0.880),
            (5, 2.326, 0.864),
            (10, 3.078, 0.797),
            (25, 3.931, 0.708),
        ];
        for (n, d2, d3) in table {
            assert_close(expected_normal_range(n).unwrap(), d2, 6e-4);
            assert_close(normal_range_sd(n).unwrap(), d3, 6e-4);
        }
        assert_eq!(expected_normal_range(1).unwrap(), 0.0);
        assert_eq!(normal_range_sd(1).unwrap(), 0.0);
        assert!(expected_normal_range(0).is_err());
        assert!(normal_range_sd(0).is_err());
    }

    #[test]
    fn the_normal_range_of_500_agrees_with_a_simulation() {
        // 4000 samples of 500 normals: the mean of the ranges has a standard
        // error of about 0.52/√4000 ≈ 0.008, their sd one of about 0.006.
        let z = normal_matrix(4000, 500, &mut seeded(8)).unwrap();
        let ranges: Array1<f64> = z
            .rows()
            .into_iter()
            .map(|r| {
                let hi = r.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                let lo = r.iter().fold(f64::INFINITY, |m, &v| m.min(v));
                hi - lo
            })
            .collect();
        let (mean, sd) = (
            expected_normal_range(500).unwrap(),
            normal_range_sd(500).unwrap(),
        );
        assert_close(ranges.mean().unwrap(), mean, 3.0 * 0.008);
        assert_close(ranges.std(1.0), sd, 3.0 * 0.006);
        assert_close(mean, 6.0734, 1e-4);
    }

    #[test]
    fn the_normal_range_grows_like_its_extreme_value_law() {
        // E R_n increases with n; sd R_n decreases from n = 3 on.
        let ns = [2, 3, 10, 100, 1000, 100_000];
        let means: Vec<f64> = ns
            .iter()
            .map(|&n| expected_normal_range(n).unwrap())
            .collect();
        assert!(means.windows(2).all(|w| w[0] < w[1]), "{means:?}");
        // For huge n, E max ≈ a − (ln ln n + ln 4π)/(2a) + γ/a with a = √(2 ln n)
        // (Gumbel's law), with an error of order 1/a³.
        let n = usize::MAX;
        let a = (2.0 * (n as f64).ln()).sqrt();
        let gamma = 0.577_215_664_901_532_9;
        let max = a - ((n as f64).ln().ln() + (4.0 * PI).ln()) / (2.0 * a) + gamma / a;
        let got = expected_normal_range(n).unwrap();
        assert!(
            (got - 2.0 * max).abs() < 0.05,
            "E R = {got}, Gumbel {}",
            2.0 * max
        );
        let sd = normal_range_sd(n).unwrap();
        // sd of the max ≈ π/(a√6), of the range √2 times that.
        let gumbel_sd = 2f64.sqrt() * PI / (a * 6f64.sqrt());
        assert!(
            (sd / gumbel_sd - 1.0).abs() < 0.1,
            "sd {sd}, Gumbel {gumbel_sd}"
        );
    }
}
