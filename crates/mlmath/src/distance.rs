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
//! measures it as (max − min)/min over a dataset.
//!
//! Volume runs away in the same way. The ball of radius 1 in ℝ^d has volume
//!
//! ```text
//! V_d = π^{d/2} / Γ(d/2 + 1),
//! ```
//!
//! which peaks near d = 5 and then falls to 0, while the cube [−1, 1]^d
//! around it has volume 2^d: in high dimension almost all of the cube lies
//! in its corners, far from the centre ([`unit_ball_volume`]).
//!
//! ```
//! use mlmath::distance::{euclidean, manhattan, cosine_distance};
//! use ndarray::array;
//! let (a, b) = (array![0.0, 3.0], array![4.0, 0.0]);
//! assert_eq!(euclidean(a.view(), b.view()).unwrap(), 5.0);
//! assert_eq!(manhattan(a.view(), b.view()).unwrap(), 7.0);
//! assert_eq!(cosine_distance(a.view(), b.view()).unwrap(), 1.0); // perpendicular
//! ```

use std::f64::consts::PI;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{Error, Result, check_finite};

/// The Euclidean distance ‖a − b‖₂ = √(Σ_j (a_j − b_j)²); an error if the
/// lengths differ or a value is not finite.
///
/// ```
/// use ndarray::array;
/// let d = mlmath::distance::euclidean(array![1.0, 2.0, 3.0].view(), array![4.0, 6.0, 3.0].view());
/// assert_eq!(d.unwrap(), 5.0);
/// ```
pub fn euclidean(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    check_pair(a, b)?;
    Ok(euclidean_unchecked(a, b))
}

/// The Manhattan (city-block) distance ‖a − b‖₁ = Σ_j |a_j − b_j|; an error
/// if the lengths differ or a value is not finite.
///
/// ```
/// use ndarray::array;
/// let d = mlmath::distance::manhattan(array![1.0, 2.0, 3.0].view(), array![4.0, 6.0, 3.0].view());
/// assert_eq!(d.unwrap(), 7.0);
/// ```
pub fn manhattan(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    check_pair(a, b)?;
    Ok(manhattan_unchecked(a, b))
}

/// The cosine distance 1 − cos θ = 1 − a·b / (‖a‖ ‖b‖), from 0 (same
/// direction) through 1 (perpendicular) to 2 (opposite). An error if the
/// lengths differ, a value is not finite, or either vector is zero (it has
/// no direction).
///
/// ```
/// use ndarray::array;
/// use mlmath::distance::cosine_distance;
/// let d = cosine_distance(array![1.0, 1.0].view(), array![3.0, 3.0].view()).unwrap();
/// assert!(d.abs() < 1e-15); // lengths do not matter, only directions
/// assert_eq!(cosine_distance(array![1.0, 0.0].view(), array![-2.0, 0.0].view()).unwrap(), 2.0);
/// assert!(cosine_distance(array![1.0, 0.0].view(), array![0.0, 0.0].view()).is_err());
/// ```
pub fn cosine_distance(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    check_pair(a, b)?;
    let (norm_a, norm_b) = (nonzero_norm("a", a)?, nonzero_norm("b", b)?);
    Ok(1.0 - a.dot(&b) / (norm_a * norm_b))
}

/// Which distance to use: a parameter of [`pairwise`] and of the
/// nearest-neighbour classifier.
///
/// ```
/// use mlmath::distance::Metric;
/// use ndarray::array;
/// let (a, b) = (array![0.0, 3.0], array![4.0, 0.0]);
/// assert_eq!(Metric::Euclidean.distance(a.view(), b.view()).unwrap(), 5.0);
/// assert_eq!(Metric::Manhattan.distance(a.view(), b.view()).unwrap(), 7.0);
/// assert_eq!(Metric::Cosine.distance(a.view(), b.view()).unwrap(), 1.0);
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
    /// The distance from `a` to `b` under this metric.
    pub fn distance(&self, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
        match self {
            Metric::Euclidean => euclidean(a, b),
            Metric::Manhattan => manhattan(a, b),
            Metric::Cosine => cosine_distance(a, b),
        }
    }
}

/// Every distance between the rows of `a: (n, d)` and the rows of
/// `b: (m, d)`: the matrix `D: (n, m)` with `D_ij = dist(a_i, b_j)`.
///
/// For the Euclidean metric it expands the square,
///
/// ```text
/// ‖a_i − b_j‖² = ‖a_i‖² + ‖b_j‖² − 2 a_i·b_j,
/// ```
///
/// so that all the dot products a_i·b_j come from one matrix product `a bᵀ`,
/// which is much faster than n·m separate differences. The price is
/// rounding: the three terms can be large and nearly cancel (points close to
/// each other but far from the origin), leaving an error of about
/// 1e-16 × (‖a_i‖² + ‖b_j‖²) in the square, which can even make it slightly
/// negative. Negative squares are clamped to 0 before the square root.
///
/// An error if the widths differ, either matrix is empty, a value is not
/// finite, or (for the cosine metric) a row is the zero vector.
///
/// ```
/// use mlmath::distance::{pairwise, Metric};
/// use ndarray::array;
/// let a = array![[0.0, 0.0], [1.0, 1.0]];
/// let b = array![[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]];
/// let d = pairwise(a.view(), b.view(), Metric::Euclidean).unwrap();
/// assert_eq!(d.dim(), (2, 3));
/// assert_eq!(d.row(0).to_vec(), vec![5.0, 0.0, 2f64.sqrt()]);
/// assert_eq!(d[(1, 2)], 0.0);
/// ```
pub fn pairwise(
    a: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
    metric: Metric,
) -> Result<Array2<f64>> {
    pairwise_named(a, "a", b, "b", metric)
}

/// [`pairwise`], with the two matrices named `a_name` and `b_name` in errors.
pub(crate) fn pairwise_named(
    a: ArrayView2<'_, f64>,
    a_name: &str,
    b: ArrayView2<'_, f64>,
    b_name: &str,
    metric: Metric,
) -> Result<Array2<f64>> {
    if a.nrows() == 0 {
        return Err(Error::empty(a_name));
    }
    if b.nrows() == 0 {
        return Err(Error::empty(b_name));
    }
    if a.ncols() != b.ncols() {
        return Err(Error::shape(
            a_name,
            format!("{} columns, as many as {b_name}", b.ncols()),
            format!("{} columns", a.ncols()),
        ));
    }
    check_finite(a_name, a)?;
    check_finite(b_name, b)?;
    match metric {
        Metric::Euclidean => {
            let squares_a = a.map_axis(Axis(1), |r| r.dot(&r));
            let squares_b = b.map_axis(Axis(1), |r| r.dot(&r));
            let mut d = a.dot(&b.t()) * -2.0;
            for ((i, j), d_ij) in d.indexed_iter_mut() {
                *d_ij = (*d_ij + squares_a[i] + squares_b[j]).max(0.0).sqrt();
            }
            Ok(d)
        }
        Metric::Manhattan => Ok(Array2::from_shape_fn((a.nrows(), b.nrows()), |(i, j)| {
            manhattan_unchecked(a.row(i), b.row(j))
        })),
        Metric::Cosine => {
            let norms_a = row_norms(a_name, a)?;
            let norms_b = row_norms(b_name, b)?;
            let mut d = a.dot(&b.t());
            for ((i, j), d_ij) in d.indexed_iter_mut() {
                *d_ij = 1.0 - *d_ij / (norms_a[i] * norms_b[j]);
            }
            Ok(d)
        }
    }
}

/// How much farther the farthest row of `x: (n, d)` is from `query: (d,)`
/// than the nearest one, relative to the nearest (Euclidean distances):
///
/// ```text
/// (max_i ‖x_i − q‖ − min_i ‖x_i − q‖) / min_i ‖x_i − q‖.
/// ```
///
/// Large in low dimension (some points are much closer than others), it
/// shrinks like 1/√d for random data as the dimension d grows: the curse of
/// dimensionality (see the [module](self) docs). An error if x is empty, the
/// widths differ, a value is not finite, or the query coincides with a row
/// (the nearest distance is 0 and the ratio is infinite).
///
/// ```
/// use mlmath::distance::distance_concentration;
/// use ndarray::array;
/// // Distances 1, 2 and 4 from the origin: (4 − 1) / 1 = 3.
/// let x = array![[1.0, 0.0], [0.0, 2.0], [-4.0, 0.0]];
/// let c = distance_concentration(x.view(), array![0.0, 0.0].view()).unwrap();
/// assert_eq!(c, 3.0);
/// ```
pub fn distance_concentration(x: ArrayView2<'_, f64>, query: ArrayView1<'_, f64>) -> Result<f64> {
    let q = query.insert_axis(Axis(0));
    let d = pairwise_named(x, "x", q, "query", Metric::Euclidean)?;
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
    Ok((max - min) / min)
}

/// Γ(n/2), the gamma function at a half-integer, exactly by its recurrence
///
/// ```text
/// Γ(x + 1) = x Γ(x),     Γ(1) = 1,     Γ(1/2) = √π,
/// ```
///
/// so Γ(m + 1) = m! and Γ(m + 1/2) = (m − 1/2)(m − 3/2)⋯(1/2) √π. At n = 0
/// it is the pole of Γ at 0: infinity. It overflows to infinity above
/// n ≈ 343 (Γ(171.6) is the largest a `f64` holds).
///
/// ```
/// use mlmath::distance::half_integer_gamma;
/// let root_pi = std::f64::consts::PI.sqrt();
/// assert_eq!(half_integer_gamma(10), 24.0); // Γ(5) = 4!
/// assert!((half_integer_gamma(5) - 0.75 * root_pi).abs() < 1e-15); // Γ(5/2) = (3/2)(1/2)√π
/// ```
pub fn half_integer_gamma(n: usize) -> f64 {
    if n == 0 {
        return f64::INFINITY;
    }
    // Walk x = n/2 down by 1 to the base case 1 (n even) or 1/2 (n odd).
    let mut gamma = if n.is_multiple_of(2) { 1.0 } else { PI.sqrt() };
    let mut x = n as f64 / 2.0 - 1.0;
    while x > 0.0 {
        gamma *= x;
        x -= 1.0;
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
/// V_d = (2π/d) V_{d−2}. The result equals `π^{d/2} / half_integer_gamma(d + 2)`
/// (see [`half_integer_gamma`]) wherever that is finite.
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
    while k <= d {
        volume *= 2.0 * PI / k as f64;
        k += 2;
    }
    volume
}

fn euclidean_unchecked(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

fn manhattan_unchecked(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// Checks that `a` and `b` have the same length and finite values.
fn check_pair(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<()> {
    if a.len() != b.len() {
        return Err(Error::shape(
            "b",
            format!("{} entries, as many as a", a.len()),
            format!("{} entries", b.len()),
        ));
    }
    check_finite("a", a)?;
    check_finite("b", b)
}

/// ‖v‖, or an error naming `what` if v is the zero vector.
fn nonzero_norm(what: &str, v: ArrayView1<'_, f64>) -> Result<f64> {
    let norm = v.dot(&v).sqrt();
    if norm == 0.0 {
        return Err(Error::parameter(
            what,
            "a nonzero vector (the cosine distance needs a direction)",
            "the zero vector",
        ));
    }
    Ok(norm)
}

/// The norm of every row, or an error naming the first zero row.
pub(crate) fn row_norms(what: &str, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
    x.rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| nonzero_norm(&format!("row {i} of {what}"), row))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{normal_matrix, seeded, uniform_matrix};
    use ndarray::array;

    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn distances_worked_by_hand() {
        // a − b = (−3, −4, 0): ‖·‖₂ = 5, ‖·‖₁ = 7.
        // a·b = 4 + 12 + 9 = 25, ‖a‖² = 14, ‖b‖² = 61: cos θ = 25/√854.
        let (a, b) = (array![1.0, 2.0, 3.0], array![4.0, 6.0, 3.0]);
        assert_eq!(euclidean(a.view(), b.view()).unwrap(), 5.0);
        assert_eq!(manhattan(a.view(), b.view()).unwrap(), 7.0);
        assert_close(
            cosine_distance(a.view(), b.view()).unwrap(),
            1.0 - 25.0 / 854f64.sqrt(),
            1e-15,
        );
        // Symmetric, and zero from a point to itself.
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            let ab = metric.distance(a.view(), b.view()).unwrap();
            let ba = metric.distance(b.view(), a.view()).unwrap();
            assert_eq!(ab, ba, "{metric:?}");
            assert_close(metric.distance(a.view(), a.view()).unwrap(), 0.0, 1e-15);
        }
        // The cosine distance of perpendicular, opposite and scaled vectors.
        let c = |u: [f64; 2], v: [f64; 2]| {
            cosine_distance(
                Array1::from(u.to_vec()).view(),
                Array1::from(v.to_vec()).view(),
            )
            .unwrap()
        };
        assert_eq!(c([2.0, 0.0], [0.0, 5.0]), 1.0);
        assert_eq!(c([1.0, -1.0], [-3.0, 3.0]), 2.0);
        assert_close(c([1.0, 2.0], [10.0, 20.0]), 0.0, 1e-15);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (a, b) = (array![1.0, 2.0], array![1.0, 2.0, 3.0]);
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            let e = metric.distance(a.view(), b.view()).unwrap_err();
            assert!(matches!(e, Error::Shape { .. }), "{e}");
        }
        let e = euclidean(a.view(), array![f64::NAN, 0.0].view()).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = cosine_distance(array![0.0, 0.0].view(), a.view()).unwrap_err();
        assert!(e.to_string().contains("the zero vector"), "{e}");

        let x = array![[1.0, 2.0], [0.0, 0.0]];
        let e = pairwise(x.view(), x.view(), Metric::Cosine).unwrap_err();
        assert!(e.to_string().starts_with("row 1 of a must be"), "{e}");
        let e = pairwise(x.view(), array![[1.0, 2.0, 3.0]].view(), Metric::Euclidean).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = pairwise(empty.view(), x.view(), Metric::Euclidean).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");

        let e = distance_concentration(x.view(), array![0.0, 0.0].view()).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = distance_concentration(x.view(), array![0.0].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
    }

    #[test]
    fn pairwise_equals_the_direct_loop() {
        let mut rng = seeded(21);
        let a = normal_matrix(7, 5, &mut rng) * 3.0;
        let b = normal_matrix(9, 5, &mut rng) + 1.0;
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            let d = pairwise(a.view(), b.view(), metric).unwrap();
            assert_eq!(d.dim(), (7, 9));
            for i in 0..7 {
                for j in 0..9 {
                    let direct = metric.distance(a.row(i), b.row(j)).unwrap();
                    assert_close(d[(i, j)], direct, 1e-10);
                }
            }
        }
        // A point against itself: the expanded square may round below 0; it is clamped.
        let d = pairwise(a.view(), a.view(), Metric::Euclidean).unwrap();
        assert!(d.diag().iter().all(|&v| (0.0..1e-6).contains(&v)), "{d}");
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
            let q = Array1::from_elem(d, 0.5);
            distance_concentration(x.view(), q.view()).unwrap()
        };
        let (c2, c1000) = (concentration(2), concentration(1000));
        assert!(c2 > 10.0 * c1000, "{c2} vs {c1000}");
    }

    #[test]
    fn half_integer_gamma_matches_factorials_and_root_pi() {
        let root_pi = PI.sqrt();
        assert_eq!(half_integer_gamma(2), 1.0); // Γ(1) = 0!
        assert_eq!(half_integer_gamma(12), 120.0); // Γ(6) = 5!
        assert_eq!(half_integer_gamma(1), root_pi); // Γ(1/2)
        assert_close(half_integer_gamma(3), root_pi / 2.0, 1e-15); // Γ(3/2)
        assert_close(half_integer_gamma(7), 15.0 / 8.0 * root_pi, 1e-14); // Γ(7/2)
        assert_eq!(half_integer_gamma(0), f64::INFINITY);
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
            let direct = PI.powf(d as f64 / 2.0) / half_integer_gamma(d + 2);
            assert_close(unit_ball_volume(d) / direct, 1.0, 1e-12);
        }
        // Largest at d = 5, then falling to 0; still a number where Γ overflows.
        let volumes: Vec<f64> = (0..30).map(unit_ball_volume).collect();
        assert!(volumes.windows(2).take(5).all(|w| w[1] > w[0]));
        assert!(volumes.windows(2).skip(5).all(|w| w[1] < w[0]));
        assert!(unit_ball_volume(20) < 0.03, "{}", unit_ball_volume(20));
        // d = 400: Γ(201) overflows, V_400 ≈ 3e-276 does not.
        assert_eq!(half_integer_gamma(402), f64::INFINITY);
        let far = unit_ball_volume(400);
        assert!(far > 0.0 && far < 1e-250, "{far}");
    }
}
