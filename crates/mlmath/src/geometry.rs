//! Vectors and hyperplanes: the geometry under every linear classifier.
//!
//! The **dot product** of two vectors of length d is
//! a·b = Σ_j a_j b_j, and the **norm** is ‖a‖ = √(a·a). By Cauchy–Schwarz,
//! |a·b| ≤ ‖a‖ ‖b‖, so a·b = ‖a‖ ‖b‖ cos θ defines the angle θ between them.
//! The **projection** of a onto b is the point of the line through b closest
//! to a: (a·b / b·b) b.
//!
//! A **hyperplane** is the set of points x with w·x + b = 0. The vector w is
//! normal to it (perpendicular to every direction inside it) and b shifts it
//! away from the origin. The **signed distance** of a point x to the
//! hyperplane is
//!
//! ```text
//! dist(x) = (w·x + b) / ‖w‖,
//! ```
//!
//! positive on the side w points to, negative on the other. A linear
//! classifier predicts the sign of w·x + b. With the two classes of a
//! dataset written y_i = +1 (class 1) and y_i = −1 (class 0), the product
//! y_i (w·x_i + b) is positive exactly when x_i is on its own side, and the
//! **margin** of the hyperplane on the dataset is the smallest signed
//! distance of a point to it, counted towards its own side:
//!
//! ```text
//! γ = min_i y_i (w·x_i + b) / ‖w‖.
//! ```
//!
//! γ > 0 means the hyperplane separates the classes, with every point at
//! least γ away from it; γ < 0 means some point is on the wrong side.
//!
//! Appending a constant 1 to every point, x̃ = (x, 1), turns the bias into a
//! weight: w·x + b = (w, b)·(x, 1). That is [`augment`].
//!
//! Every function takes what a notebook holds — an owned array, a reference
//! or a view (`&a`, `a.view()`, `a.row(0)`), and for points a
//! [`Dataset`] too — and checks it: lengths that differ, a NaN, the zero
//! vector where a direction is needed, or a result too large for an f64 is
//! an [`Error`] that says so. Sums of products are computed on the vectors
//! rescaled by a power of two (exactly, with no rounding), so that entries
//! of 10²⁰⁰ or 10⁻²⁰⁰ give the right answer instead of ∞ or 0 on the way.
//!
//! ```
//! use mlmath::geometry::{margin, signed_distance};
//! use mlmath::data::Dataset;
//! use ndarray::array;
//! // The line x + y − 1 = 0: the origin is 1/√2 below it.
//! let w = array![1.0, 1.0];
//! let d = signed_distance(&w, -1.0, &array![0.0, 0.0]).unwrap();
//! assert!((d + 1.0 / 2f64.sqrt()).abs() < 1e-12);
//! // Two points, one each side, each 3/√2 away: the line separates them.
//! let two = Dataset::new(&array![[2.0, 2.0], [-1.0, -1.0]], &array![1, 0]).unwrap();
//! let g = margin(&w, -1.0, &two).unwrap();
//! assert!((g - 3.0 / 2f64.sqrt()).abs() < 1e-12);
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1, concatenate};

use crate::data::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};

/// The dot product a·b = Σ_j a_j b_j; an error if the lengths differ, a
/// value is not finite, or the result is beyond ±1.8·10³⁰⁸.
///
/// ```
/// use ndarray::array;
/// let ab = mlmath::geometry::dot(&array![1.0, 2.0, 3.0], &array![4.0, 5.0, 6.0]);
/// assert_eq!(ab.unwrap(), 32.0);
/// // No overflow on the way: (10²⁰⁰, 10²⁰⁰)·(10⁻²⁰⁰, −10⁻²⁰⁰) = 0.
/// let big = array![1e200, 1e200];
/// assert_eq!(mlmath::geometry::dot(&big, &array![1e-200, -1e-200]).unwrap(), 0.0);
/// ```
pub fn dot<'a, 'b>(a: impl AsArray<'a, f64, Ix1>, b: impl AsArray<'b, f64, Ix1>) -> Result<f64> {
    dot_of(a.into(), b.into())
}

fn dot_of(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    check_same_length("b", b.len(), "a", a.len())?;
    check_finite("a", a)?;
    check_finite("b", b)?;
    let ab = scaled_dot(a, b);
    if !ab.is_finite() {
        return Err(Error::overflow("a·b", "rescale the vectors"));
    }
    Ok(ab)
}

/// The Euclidean norm ‖a‖ = √(a·a); an error if a value is not finite.
///
/// ```
/// use ndarray::array;
/// assert_eq!(mlmath::geometry::norm(&array![3.0, 4.0]).unwrap(), 5.0);
/// // a·a would overflow; the norm does not.
/// let big = mlmath::geometry::norm(&array![3e200, 4e200]).unwrap();
/// assert!((big / 5e200 - 1.0).abs() < 1e-15);
/// ```
pub fn norm<'a>(a: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    norm_of("a", a.into())
}

fn norm_of(what: &str, a: ArrayView1<'_, f64>) -> Result<f64> {
    check_finite(what, a)?;
    let n = scaled_norm(a);
    if !n.is_finite() {
        return Err(Error::overflow(
            format!("the norm of {what}"),
            "rescale the vector",
        ));
    }
    Ok(n)
}

/// The projection of `a` onto the line through `onto`: (a·b / b·b) b, with
/// b = `onto`. An error if the lengths differ, a value is not finite, or
/// `onto` is the zero vector (it spans no line).
///
/// ```
/// use ndarray::array;
/// let p = mlmath::geometry::projection(&array![3.0, 4.0], &array![2.0, 0.0]);
/// assert_eq!(p.unwrap(), array![3.0, 0.0]);
/// ```
pub fn projection<'a, 'b>(
    a: impl AsArray<'a, f64, Ix1>,
    onto: impl AsArray<'b, f64, Ix1>,
) -> Result<Array1<f64>> {
    projection_of(a.into(), onto.into())
}

fn projection_of(a: ArrayView1<'_, f64>, onto: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    check_same_length("onto", onto.len(), "a", a.len())?;
    check_finite("a", a)?;
    check_finite("onto", onto)?;
    let Some(k_b) = binary_exponent(max_abs(onto)) else {
        return Err(Error::parameter(
            "onto",
            "a nonzero vector (the zero vector spans no line to project on)",
            "the zero vector",
        ));
    };
    // a·b / b·b is unchanged when b is rescaled; rescale a too and put its
    // scale back at the end, so that nothing overflows on the way.
    let b = onto.mapv(|v| times_power_of_two(v, -k_b));
    let k_a = binary_exponent(max_abs(a)).unwrap_or(0);
    let a = a.mapv(|v| times_power_of_two(v, -k_a));
    let coefficient = a.dot(&b) / b.dot(&b);
    let p = b.mapv(|v| times_power_of_two(coefficient * v, k_a));
    if p.iter().any(|v| !v.is_finite()) {
        return Err(Error::overflow("the projection", "rescale the vectors"));
    }
    Ok(p)
}

/// The signed distance of the point `x` to the hyperplane w·x + b = 0:
/// (w·x + b) / ‖w‖, positive on the side `w` points to. An error if the
/// lengths differ, a value is not finite, or `w` is zero (then there is no
/// hyperplane).
///
/// ```
/// use ndarray::array;
/// // The line y = 2 is w = (0, 1), b = −2; the point (5, 7) is 5 above it.
/// let d = mlmath::geometry::signed_distance(&array![0.0, 1.0], -2.0, &array![5.0, 7.0]);
/// assert_eq!(d.unwrap(), 5.0);
/// ```
pub fn signed_distance<'a, 'b>(
    w: impl AsArray<'a, f64, Ix1>,
    b: f64,
    x: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    let (w, x) = (w.into(), x.into());
    let plane = Hyperplane::new(w, b)?;
    check_same_length("x", x.len(), "w", w.len())?;
    check_finite("x", x)?;
    plane.distance(x)
}

/// The signed distance (w·x_i + b) / ‖w‖ of every row x_i of `xs: (n, d)`
/// (an array, a view or a [`Dataset`]), as an array of length n.
///
/// ```
/// use ndarray::array;
/// let xs = array![[0.0, 3.0], [0.0, -1.0]];
/// let d = mlmath::geometry::signed_distances(&array![0.0, 2.0], 0.0, &xs);
/// assert_eq!(d.unwrap(), array![3.0, -1.0]);
/// ```
pub fn signed_distances<'a, 'b>(
    w: impl AsArray<'a, f64, Ix1>,
    b: f64,
    xs: impl AsFeatures<'b>,
) -> Result<Array1<f64>> {
    signed_distances_of(w.into(), b, "xs", xs.into_features())
}

fn signed_distances_of(
    w: ArrayView1<'_, f64>,
    b: f64,
    what: &str,
    xs: ArrayView2<'_, f64>,
) -> Result<Array1<f64>> {
    let plane = Hyperplane::new(w, b)?;
    check_columns(what, xs, w.len())?;
    check_finite(what, xs)?;
    xs.rows().into_iter().map(|x| plane.distance(x)).collect()
}

/// The margin of the hyperplane w·x + b = 0 on a two-class dataset, with
/// y_i = +1 for class 1 and y_i = −1 for class 0:
///
/// ```text
/// γ = min_i y_i (w·x_i + b) / ‖w‖.
/// ```
///
/// Positive when every point is on its own side (then γ is the distance of
/// the closest point), negative when some point is on the wrong side. An
/// error if the dataset is empty, holds a NaN, or has other than two
/// classes (pick two with [`Dataset::classes`]).
///
/// ```
/// use mlmath::data::Dataset;
/// use ndarray::array;
/// let x = array![[2.0, 2.0], [-1.0, -1.0], [0.0, 0.0]];
/// // The origin is in class 1 but lies below x + y = 1.
/// let data = Dataset::new(&x, &array![1, 0, 1]).unwrap();
/// let g = mlmath::geometry::margin(&array![1.0, 1.0], -1.0, &data).unwrap();
/// assert!(g < 0.0);
/// ```
pub fn margin<'a>(w: impl AsArray<'a, f64, Ix1>, b: f64, data: &Dataset) -> Result<f64> {
    margin_of(w.into(), b, data)
}

fn margin_of(w: ArrayView1<'_, f64>, b: f64, data: &Dataset) -> Result<f64> {
    data.check_trainable()?;
    let y = signs(data)?;
    let what = format!("the features of {}", data.name());
    let distances = signed_distances_of(w, b, &what, data.x().view())?;
    Ok((&distances * &y).fold(f64::INFINITY, |m, &v| m.min(v)))
}

/// The radius of the data: the largest norm of a row, R = max_i ‖x_i‖, for
/// `x: (n, d)` (an array, a view or a [`Dataset`]). An error if there is no
/// row or a value is not finite.
///
/// ```
/// use ndarray::array;
/// let r = mlmath::geometry::radius(&array![[1.0, 0.0], [3.0, 4.0], [0.0, -2.0]]);
/// assert_eq!(r.unwrap(), 5.0);
/// ```
pub fn radius<'a>(x: impl AsFeatures<'a>) -> Result<f64> {
    radius_of("x", x.into_features())
}

pub(crate) fn radius_of(what: &str, x: ArrayView2<'_, f64>) -> Result<f64> {
    if x.nrows() == 0 {
        return Err(Error::empty(what));
    }
    check_finite(what, x)?;
    let r = x.rows().into_iter().map(scaled_norm).fold(0.0, f64::max);
    if !r.is_finite() {
        return Err(Error::overflow(
            format!("the radius of {what}"),
            "rescale the data",
        ));
    }
    Ok(r)
}

/// The data with a column of ones appended: `x: (n, d)` (an array, a view
/// or a [`Dataset`]) becomes x̃: (n, d + 1) with rows (x_i, 1), so that
/// w·x_i + b = (w, b)·x̃_i and the bias is one more weight.
///
/// ```
/// use ndarray::array;
/// let x = array![[2.0, 3.0], [4.0, 5.0]];
/// assert_eq!(mlmath::geometry::augment(&x), array![[2.0, 3.0, 1.0], [4.0, 5.0, 1.0]]);
/// ```
pub fn augment<'a>(x: impl AsFeatures<'a>) -> Array2<f64> {
    augment_of(x.into_features())
}

pub(crate) fn augment_of(x: ArrayView2<'_, f64>) -> Array2<f64> {
    let ones = Array2::ones((x.nrows(), 1));
    concatenate(Axis(1), &[x, ones.view()]).expect("the column of ones has one entry per row")
}

/// The two end points of the line w·x + b = 0 in the plane (w of length 2),
/// to draw a decision boundary: `(xs, ys)` ready for
/// [`Chart::line`](crate::plot::Chart::line).
///
/// Solving w₁ x + w₂ y + b = 0 for y gives y = −(w₁ x + b) / w₂ at
/// x = `x_range.0` and x = `x_range.1`. When w₂ ≈ 0 (|w₂| ≤ 10⁻¹² ‖w‖) the
/// line is vertical, x = −b / w₁, and the segment returned runs over
/// y from `x_range.0` to `x_range.1` instead — pass the plot's y range there
/// if it differs. An error if w is not of length 2, is zero or holds a NaN,
/// or if `x_range` is not two finite numbers with `low < high`.
///
/// ```
/// use ndarray::array;
/// // x + 2y − 2 = 0 goes through (0, 1) and (2, 0).
/// let (xs, ys) = mlmath::geometry::boundary_line(&array![1.0, 2.0], -2.0, (0.0, 2.0)).unwrap();
/// assert_eq!((xs, ys), (vec![0.0, 2.0], vec![1.0, 0.0]));
/// ```
pub fn boundary_line<'a>(
    w: impl AsArray<'a, f64, Ix1>,
    b: f64,
    x_range: (f64, f64),
) -> Result<(Vec<f64>, Vec<f64>)> {
    boundary_line_of(w.into(), b, x_range)
}

fn boundary_line_of(
    w: ArrayView1<'_, f64>,
    b: f64,
    x_range: (f64, f64),
) -> Result<(Vec<f64>, Vec<f64>)> {
    if w.len() != 2 {
        return Err(Error::shape(
            "w",
            "2 weights (a line in the plane)",
            format!("{} weights", w.len()),
        ));
    }
    let plane = Hyperplane::new(w, b)?;
    let (low, high) = x_range;
    if !(low.is_finite() && high.is_finite() && low < high) {
        return Err(Error::parameter(
            "x_range",
            "two finite numbers (low, high) with low < high",
            format!("{x_range:?}"),
        ));
    }
    // In the unit normal form (ŵ, b̂) the coefficients are at most 1.
    let (w1, w2, b) = (plane.normal[0], plane.normal[1], plane.offset);
    let (xs, ys) = if w2.abs() <= 1e-12 {
        let x = -b / w1;
        (vec![x, x], vec![low, high])
    } else {
        let y = |x: f64| -(w1 * x + b) / w2;
        (vec![low, high], vec![y(low), y(high)])
    };
    if xs.iter().chain(&ys).any(|v| !v.is_finite()) {
        return Err(Error::overflow(
            "an end point of the boundary line",
            "the line is too far from the range: rescale the data or the range",
        ));
    }
    Ok((xs, ys))
}

/// The labels of a two-class dataset as signs: y_i = +1 for class 1 and
/// y_i = −1 for class 0. An error naming the classes if there are not
/// exactly two.
pub(crate) fn signs(data: &Dataset) -> Result<Array1<f64>> {
    if data.n_classes() != 2 {
        return Err(Error::parameter(
            format!("the classes of {}", data.name()),
            "exactly 2 (class 1 is +1, class 0 is −1): \
             pick two with .classes(&[a, b])",
            format!(
                "{} classes ({})",
                data.n_classes(),
                data.class_names().join(", ")
            ),
        ));
    }
    Ok(data.y().mapv(|c| if c == 1 { 1.0 } else { -1.0 }))
}

/// Checks that `x` has `d` columns, one per weight.
pub(crate) fn check_columns(what: &str, x: ArrayView2<'_, f64>, d: usize) -> Result<()> {
    if x.ncols() == d {
        Ok(())
    } else {
        Err(Error::shape(
            what,
            format!("{d} columns (one per weight)"),
            format!("{} columns", x.ncols()),
        ))
    }
}

/// A hyperplane w·x + b = 0 in its unit normal form: ŵ = w/‖w‖, b̂ = b/‖w‖,
/// so that the signed distance is ŵ·x + b̂.
struct Hyperplane {
    normal: Array1<f64>,
    offset: f64,
}

impl Hyperplane {
    /// Checks (w, b): finite, w nonzero; and normalises it without
    /// overflow (w is rescaled by a power of two before its norm is taken).
    fn new(w: ArrayView1<'_, f64>, b: f64) -> Result<Self> {
        check_finite("w", w)?;
        if !b.is_finite() {
            return Err(Error::parameter("the bias b", "a finite number", b));
        }
        let Some(k) = binary_exponent(max_abs(w)) else {
            return Err(Error::parameter(
                "w",
                "a nonzero vector (w = 0 defines no hyperplane)",
                "the zero vector",
            ));
        };
        let scaled = w.mapv(|v| times_power_of_two(v, -k));
        let length = scaled.dot(&scaled).sqrt();
        let offset = times_power_of_two(b, -k) / length;
        if !offset.is_finite() {
            return Err(Error::overflow(
                "b / ‖w‖",
                "w is tiny next to b: rescale (w, b) together",
            ));
        }
        Ok(Hyperplane {
            normal: scaled / length,
            offset,
        })
    }

    /// The signed distance ŵ·x + b̂ of one point.
    fn distance(&self, x: ArrayView1<'_, f64>) -> Result<f64> {
        let d = scaled_dot(self.normal.view(), x) + self.offset;
        if d.is_finite() {
            Ok(d)
        } else {
            Err(Error::overflow(
                "the distance to the hyperplane",
                "rescale the points",
            ))
        }
    }
}

/// a·b, without overflow on the way. The plain sum Σ a_i b_i comes first:
/// it is accurate whenever it is finite (a product that underflows is
/// below 2⁻¹⁰²², and so is its share of any sum it could change). When it
/// overflows, a·b is computed again on a·2⁻ᵏ and b·2⁻ʲ, the vectors
/// rescaled by powers of two (exactly) so that their largest entries are
/// about 1, and the scale 2ᵏ⁺ʲ is put back at the end: the result is ±∞
/// only if |a·b| itself is beyond the largest f64.
pub(crate) fn scaled_dot(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    let plain = a.dot(&b);
    if plain.is_finite() {
        return plain;
    }
    let (Some(k), Some(j)) = (binary_exponent(max_abs(a)), binary_exponent(max_abs(b))) else {
        return 0.0;
    };
    let sum: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| times_power_of_two(x, -k) * times_power_of_two(y, -j))
        .sum();
    times_power_of_two(sum, k + j)
}

/// ‖a‖ computed on a·2⁻ᵏ (largest entry about 1), then scaled back by 2ᵏ.
pub(crate) fn scaled_norm(a: ArrayView1<'_, f64>) -> f64 {
    let Some(k) = binary_exponent(max_abs(a)) else {
        return 0.0;
    };
    let sum: f64 = a.iter().map(|&x| times_power_of_two(x, -k).powi(2)).sum();
    times_power_of_two(sum.sqrt(), k)
}

/// The largest |a_i| (0 for an empty vector).
fn max_abs(a: ArrayView1<'_, f64>) -> f64 {
    a.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// The exponent k with 2ᵏ ≤ m < 2ᵏ⁺¹, for m > 0 (subnormal m included);
/// `None` for m = 0.
fn binary_exponent(m: f64) -> Option<i32> {
    (m > 0.0 && m.is_finite()).then(|| m.log2().floor() as i32)
}

/// x · 2ᵏ, exact unless the result overflows or is subnormal: the factor is
/// applied in steps that are themselves finite, normal powers of two.
pub(crate) fn times_power_of_two(mut x: f64, mut k: i32) -> f64 {
    let power = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    while k > 1000 {
        x *= power(1000);
        k -= 1000;
    }
    while k < -1000 {
        x *= power(-1000);
        k += 1000;
    }
    x * power(k)
}

fn check_same_length(what: &str, len: usize, other: &str, other_len: usize) -> Result<()> {
    if len == other_len {
        Ok(())
    } else {
        Err(Error::shape(
            what,
            format!("{other_len} entries, as many as {other}"),
            format!("{len} entries"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    const EPS: f64 = 1e-12;

    #[test]
    fn norm_of_a_3_4_5_triangle() {
        assert_eq!(norm(&array![3.0, 4.0]).unwrap(), 5.0);
        assert_eq!(norm(&array![-3.0, 0.0, -4.0]).unwrap(), 5.0);
        // A 5-12-13 triangle too, and the dot product it comes from.
        assert_eq!(dot(&array![5.0, 12.0], &array![5.0, 12.0]).unwrap(), 169.0);
        // Far beyond where the squares overflow or underflow.
        let close = |got: f64, want: f64| (got / want - 1.0).abs() < 1e-15;
        assert!(close(norm(&array![3e300, -4e300]).unwrap(), 5e300));
        assert!(close(norm(&array![3e-300, 4e-300]).unwrap(), 5e-300));
        assert_eq!(norm(&Array1::<f64>::zeros(3)).unwrap(), 0.0);
    }

    #[test]
    fn powers_of_two_rescale_exactly() {
        assert_eq!(times_power_of_two(3.0, 4), 48.0);
        assert_eq!(times_power_of_two(1.0, -1074), f64::from_bits(1));
        assert_eq!(times_power_of_two(1.0, 1023), 2f64.powi(1023));
        assert_eq!(
            times_power_of_two(f64::MAX, -1000),
            f64::MAX / 2f64.powi(1000)
        );
        assert_eq!(binary_exponent(1.0), Some(0));
        assert_eq!(binary_exponent(0.75), Some(-1));
        assert_eq!(binary_exponent(f64::from_bits(1)), Some(-1074));
        assert_eq!(binary_exponent(0.0), None);
    }

    #[test]
    fn a_dot_product_overflows_only_when_its_value_does() {
        let big = array![1e300, 1e300];
        // (1e300)² is beyond f64: an error, not ∞.
        let e = dot(&big, &big).unwrap_err();
        assert!(matches!(e, Error::Overflow { .. }), "{e}");
        // 1e300·1e-300 + 1e300·1e-300 = 2, though 1e300 · 1e300 would overflow.
        assert_eq!(dot(&big, &array![1e-300, 1e-300]).unwrap(), 2.0);
        // Tiny values do not vanish: (1e-200)² · 2 = 2e-400 underflows, but
        // 1e-200 · 1e100 does not.
        let tiny = array![1e-200, 1e-200];
        let product = dot(&tiny, &array![1e100, 1e100]).unwrap();
        assert!((product / 2e-100 - 1.0).abs() < 1e-15, "{product}");
        // Found by the property suite: rescaling a by its largest entry
        // (1e91) pushed its other entry (1e-219) below 2^-1022, where it
        // loses digits; the plain sum, finite here, keeps them.
        let mixed = dot(&array![-1e91, -1e-219], &array![0.0, 0.5470891210947453]).unwrap();
        assert_eq!(mixed, -1e-219 * 0.5470891210947453);
    }

    #[test]
    fn distances_to_the_line_x_plus_y_minus_1() {
        // |x + y − 1| / √2, signed by which side of the line the point is on.
        let w = array![1.0, 1.0];
        let s = 1.0 / 2f64.sqrt();
        let origin = signed_distance(&w, -1.0, &array![0.0, 0.0]).unwrap();
        assert!((origin + s).abs() < EPS, "{origin}");
        let on = signed_distance(&w, -1.0, &array![0.3, 0.7]).unwrap();
        assert!(on.abs() < EPS, "{on}");
        let xs = array![[1.0, 1.0], [0.0, 0.0], [3.0, -2.0]];
        let d = signed_distances(&w, -1.0, &xs).unwrap();
        for (got, want) in d.iter().zip([s, -s, 0.0]) {
            assert!((got - want).abs() < EPS, "{got} vs {want}");
        }
        // Scaling (w, b) by 5, or by 1e-250, leaves the distance unchanged.
        for scale in [5.0, 1e-250, 1e250] {
            let w = array![scale, scale];
            let scaled = signed_distance(&w, -scale, &array![0.0, 0.0]).unwrap();
            assert!((scaled + s).abs() < EPS, "{scale}: {scaled}");
        }
    }

    #[test]
    fn projection_onto_an_axis_keeps_that_coordinate() {
        let a = array![3.0, -4.0, 7.0];
        let p = projection(&a, &array![0.0, 2.0, 0.0]).unwrap();
        assert_eq!(p, array![0.0, -4.0, 0.0]);
        // Onto b = (1, 1, 0): a·b = 3 − 4 = −1, b·b = 2, so (−1/2) b; the
        // residual a − q is orthogonal to b.
        let q = projection(a.view(), array![1.0, 1.0, 0.0].view()).unwrap();
        assert_eq!(q, array![-0.5, -0.5, 0.0]);
        assert!((&a - &q).dot(&array![1.0, 1.0, 0.0]).abs() < EPS);
        let e = projection(&a, &array![0.0, 0.0, 0.0]).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        // Huge vectors: (1e300, 1e300) onto (1, 0) is (1e300, 0).
        let big = projection(&array![1e300, 1e300], &array![1e-300, 0.0]).unwrap();
        assert!(
            (big[0] / 1e300 - 1.0).abs() < 1e-15 && big[1] == 0.0,
            "{big}"
        );
    }

    #[test]
    fn margin_is_negative_with_a_point_on_the_wrong_side() {
        let w = array![1.0, 1.0];
        let x = array![[2.0, 2.0], [-1.0, -1.0], [0.0, 0.0]];
        // Distances 3/√2, −3/√2, −1/√2; times the signs +1, −1, +1.
        let data = Dataset::new(&x, &array![1, 0, 1]).unwrap();
        let g = margin(&w, -1.0, &data).unwrap();
        assert!((g + 1.0 / 2f64.sqrt()).abs() < EPS, "{g}");
        // Put the origin in class 0: every point is on its side, the closest 1/√2 away.
        let data = Dataset::new(&x, &array![1, 0, 0]).unwrap();
        let g = margin(&w, -1.0, &data).unwrap();
        assert!((g - 1.0 / 2f64.sqrt()).abs() < EPS, "{g}");
    }

    #[test]
    fn boundary_line_end_points_lie_on_the_line() {
        let (w, b) = (array![1.5, -2.0], 0.75);
        let (xs, ys) = boundary_line(&w, b, (-3.0, 4.0)).unwrap();
        assert_eq!(xs, vec![-3.0, 4.0]);
        for (x, y) in xs.iter().zip(&ys) {
            assert!((w[0] * x + w[1] * y + b).abs() < EPS);
        }
        // A vertical line 2x − 1 = 0: x = 1/2 over the range given.
        let (xs, ys) = boundary_line(&array![2.0, 0.0], -1.0, (-1.0, 1.0)).unwrap();
        assert_eq!((xs, ys), (vec![0.5, 0.5], vec![-1.0, 1.0]));
        let e = boundary_line(&array![1.0, 1.0, 1.0], 0.0, (0.0, 1.0)).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = boundary_line(&array![1.0, 1.0], 0.0, (1.0, 1.0)).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
    }

    #[test]
    fn radius_and_augment() {
        let x = array![[3.0, 4.0], [1.0, 1.0]];
        assert_eq!(radius(&x).unwrap(), 5.0);
        let a = augment(&x);
        assert_eq!(a, array![[3.0, 4.0, 1.0], [1.0, 1.0, 1.0]]);
        // ‖(3, 4, 1)‖ = √26.
        assert_eq!(radius(&a).unwrap(), 26f64.sqrt());
        let data = Dataset::new(&x, &array![0, 1]).unwrap();
        assert_eq!(augment(&data), a);
        let e = radius(&Array2::<f64>::zeros((0, 2))).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let e = dot(&array![1.0, 2.0], &array![1.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b has the wrong shape: expected 2 entries, as many as a, got 1 entries"
        );
        let zero = array![0.0, 0.0];
        let e = signed_distance(&zero, 1.0, &array![1.0, 1.0]).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let x = array![[1.0, f64::NAN]];
        let e = signed_distances(&array![1.0, 1.0], 0.0, &x).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        // A tiny w next to a large b: the hyperplane is out of reach.
        let e = signed_distance(&array![1e-300, 0.0], 1e300, &array![0.0, 0.0]).unwrap_err();
        assert!(matches!(e, Error::Overflow { .. }), "{e}");
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let three = Dataset::new(&x, &array![0, 1, 2]).unwrap();
        let e = margin(&array![1.0, 1.0], 0.0, &three).unwrap_err();
        assert!(e.to_string().contains(".classes(&[a, b])"), "{e}");
        assert!(e.to_string().contains("3 classes (0, 1, 2)"), "{e}");
        let empty = Dataset::new(&Array2::<f64>::zeros((0, 2)), &Array1::<usize>::zeros(0))
            .unwrap()
            .with_class_names(&["a", "b"])
            .unwrap();
        let e = margin(&array![1.0, 1.0], 0.0, &empty).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }
}
