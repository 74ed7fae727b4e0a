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
//! classifier predicts the sign of w·x + b. For labels y_i ∈ {−1, +1}, the
//! product y_i (w·x_i + b) is positive exactly when x_i is on its own side,
//! and the **margin** of the hyperplane on a dataset is the smallest signed
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
//! ```
//! use mlmath::geometry::{signed_distance, margin};
//! use ndarray::array;
//! // The line x + y − 1 = 0: the origin is 1/√2 below it.
//! let w = array![1.0, 1.0];
//! let d = signed_distance(w.view(), -1.0, array![0.0, 0.0].view()).unwrap();
//! assert!((d + 1.0 / 2f64.sqrt()).abs() < 1e-12);
//! // Two points, one each side, each 3/√2 away: the line separates them.
//! let x = array![[2.0, 2.0], [-1.0, -1.0]];
//! let y = array![1.0, -1.0];
//! let g = margin(w.view(), -1.0, x.view(), y.view()).unwrap();
//! assert!((g - 3.0 / 2f64.sqrt()).abs() < 1e-12);
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate};

use crate::error::{Error, Result, check_finite, check_samples};

/// The dot product a·b = Σ_j a_j b_j; an error if the lengths differ.
///
/// ```
/// use ndarray::array;
/// let ab = mlmath::geometry::dot(array![1.0, 2.0, 3.0].view(), array![4.0, 5.0, 6.0].view());
/// assert_eq!(ab.unwrap(), 32.0);
/// ```
pub fn dot(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    check_same_length("b", b.len(), "a", a.len())?;
    Ok(a.dot(&b))
}

/// The Euclidean norm ‖a‖ = √(a·a).
///
/// ```
/// use ndarray::array;
/// assert_eq!(mlmath::geometry::norm(array![3.0, 4.0].view()), 5.0);
/// ```
pub fn norm(a: ArrayView1<'_, f64>) -> f64 {
    a.dot(&a).sqrt()
}

/// The projection of `a` onto the line through `onto`: (a·b / b·b) b, with
/// b = `onto`. An error if the lengths differ or `onto` is the zero vector
/// (it spans no line).
///
/// ```
/// use ndarray::array;
/// let p = mlmath::geometry::projection(array![3.0, 4.0].view(), array![2.0, 0.0].view());
/// assert_eq!(p.unwrap(), array![3.0, 0.0]);
/// ```
pub fn projection(a: ArrayView1<'_, f64>, onto: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    check_same_length("onto", onto.len(), "a", a.len())?;
    check_finite("a", a)?;
    check_finite("onto", onto)?;
    let bb = onto.dot(&onto);
    if bb == 0.0 {
        return Err(Error::parameter(
            "onto",
            "a nonzero vector (the zero vector spans no line to project on)",
            "the zero vector",
        ));
    }
    Ok(&onto * (a.dot(&onto) / bb))
}

/// The signed distance of the point `x` to the hyperplane w·x + b = 0:
/// (w·x + b) / ‖w‖, positive on the side `w` points to. An error if the
/// lengths differ, a value is not finite, or `w` is zero (then there is no
/// hyperplane).
///
/// ```
/// use ndarray::array;
/// // The line y = 2 is w = (0, 1), b = −2; the point (5, 7) is 5 above it.
/// let d = mlmath::geometry::signed_distance(array![0.0, 1.0].view(), -2.0, array![5.0, 7.0].view());
/// assert_eq!(d.unwrap(), 5.0);
/// ```
pub fn signed_distance(w: ArrayView1<'_, f64>, b: f64, x: ArrayView1<'_, f64>) -> Result<f64> {
    let w_norm = check_hyperplane(w, b)?;
    check_same_length("x", x.len(), "w", w.len())?;
    check_finite("x", x)?;
    Ok((w.dot(&x) + b) / w_norm)
}

/// The signed distance (w·x_i + b) / ‖w‖ of every row x_i of `xs: (n, d)`,
/// as an array of length n.
///
/// ```
/// use ndarray::array;
/// let xs = array![[0.0, 3.0], [0.0, -1.0]];
/// let d = mlmath::geometry::signed_distances(array![0.0, 2.0].view(), 0.0, xs.view());
/// assert_eq!(d.unwrap(), array![3.0, -1.0]);
/// ```
pub fn signed_distances(
    w: ArrayView1<'_, f64>,
    b: f64,
    xs: ArrayView2<'_, f64>,
) -> Result<Array1<f64>> {
    let w_norm = check_hyperplane(w, b)?;
    check_columns("xs", xs, w.len())?;
    check_finite("xs", xs)?;
    Ok((xs.dot(&w) + b) / w_norm)
}

/// The margin of the hyperplane w·x + b = 0 on the labelled points
/// `x: (n, d)`, `y: (n,)` with labels ±1:
///
/// ```text
/// γ = min_i y_i (w·x_i + b) / ‖w‖.
/// ```
///
/// Positive when every point is on its own side (then γ is the distance of
/// the closest point), negative when some point is on the wrong side.
///
/// ```
/// use ndarray::array;
/// let x = array![[2.0, 2.0], [-1.0, -1.0], [0.0, 0.0]];
/// let y = array![1.0, -1.0, 1.0]; // the origin is labelled +1 but lies below x + y = 1
/// let g = mlmath::geometry::margin(array![1.0, 1.0].view(), -1.0, x.view(), y.view()).unwrap();
/// assert!(g < 0.0);
/// ```
pub fn margin(
    w: ArrayView1<'_, f64>,
    b: f64,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<f64> {
    check_labelled(x, y)?;
    let distances = signed_distances(w, b, x)?;
    Ok((&distances * &y).fold(f64::INFINITY, |m, &v| m.min(v)))
}

/// The radius of the data: the largest norm of a row, R = max_i ‖x_i‖
/// (0 for no rows).
///
/// ```
/// use ndarray::array;
/// let r = mlmath::geometry::radius(array![[1.0, 0.0], [3.0, 4.0], [0.0, -2.0]].view());
/// assert_eq!(r, 5.0);
/// ```
pub fn radius(x: ArrayView2<'_, f64>) -> f64 {
    x.rows()
        .into_iter()
        .map(norm)
        .fold(0.0, |r: f64, n| r.max(n))
}

/// The data with a column of ones appended: `x: (n, d)` becomes
/// x̃: (n, d + 1) with rows (x_i, 1), so that w·x_i + b = (w, b)·x̃_i and the
/// bias is one more weight.
///
/// ```
/// use ndarray::array;
/// let x = array![[2.0, 3.0], [4.0, 5.0]];
/// assert_eq!(mlmath::geometry::augment(x.view()), array![[2.0, 3.0, 1.0], [4.0, 5.0, 1.0]]);
/// ```
pub fn augment(x: ArrayView2<'_, f64>) -> Array2<f64> {
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
/// if it differs.
///
/// ```
/// use ndarray::array;
/// // x + 2y − 2 = 0 goes through (0, 1) and (2, 0).
/// let (xs, ys) = mlmath::geometry::boundary_line(array![1.0, 2.0].view(), -2.0, (0.0, 2.0)).unwrap();
/// assert_eq!((xs, ys), (vec![0.0, 2.0], vec![1.0, 0.0]));
/// ```
pub fn boundary_line(
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
    let w_norm = check_hyperplane(w, b)?;
    if !(x_range.0.is_finite() && x_range.1.is_finite()) {
        return Err(Error::parameter(
            "x_range",
            "two finite numbers",
            format!("{x_range:?}"),
        ));
    }
    let (low, high) = x_range;
    if w[1].abs() <= 1e-12 * w_norm {
        let x = -b / w[0];
        return Ok((vec![x, x], vec![low, high]));
    }
    let y = |x: f64| -(w[0] * x + b) / w[1];
    Ok((vec![low, high], vec![y(low), y(high)]))
}

/// Checks that every label is exactly +1 or −1, naming the first one that
/// is not. Two-class models in this crate take labels ±1;
/// [`Dataset::signed_labels`](crate::data::Dataset::signed_labels) makes them.
///
/// ```
/// use ndarray::array;
/// use mlmath::geometry::check_labels_pm1;
/// assert!(check_labels_pm1("y", array![1.0, -1.0].view()).is_ok());
/// let e = check_labels_pm1("y", array![1.0, 0.0].view()).unwrap_err();
/// assert_eq!(e.to_string(), "labels must be +1 or -1 (use Dataset::signed_labels), got 0 at y[1]");
/// ```
pub fn check_labels_pm1(what: &str, y: ArrayView1<'_, f64>) -> Result<()> {
    match y.iter().position(|&v| v != 1.0 && v != -1.0) {
        None => Ok(()),
        Some(i) => Err(Error::parameter(
            "labels",
            "+1 or -1 (use Dataset::signed_labels)",
            format!("{} at {what}[{i}]", y[i]),
        )),
    }
}

/// Checks labelled data `x: (n, d)`, `y: (n,)`: one label per row, at least
/// one row, finite values, labels ±1.
pub(crate) fn check_labelled(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<()> {
    check_samples(x, y.len())?;
    check_finite("x", x)?;
    check_finite("y", y)?;
    check_labels_pm1("y", y)
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

/// Checks a hyperplane (w, b): finite, w nonzero. Returns ‖w‖.
fn check_hyperplane(w: ArrayView1<'_, f64>, b: f64) -> Result<f64> {
    check_finite("w", w)?;
    if !b.is_finite() {
        return Err(Error::parameter("the bias b", "a finite number", b));
    }
    let w_norm = norm(w);
    if w_norm == 0.0 {
        return Err(Error::parameter(
            "w",
            "a nonzero vector (w = 0 defines no hyperplane)",
            "the zero vector",
        ));
    }
    Ok(w_norm)
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
        assert_eq!(norm(array![3.0, 4.0].view()), 5.0);
        assert_eq!(norm(array![-3.0, 0.0, -4.0].view()), 5.0);
        // A 5-12-13 triangle too, and the dot product it comes from.
        assert_eq!(
            dot(array![5.0, 12.0].view(), array![5.0, 12.0].view()).unwrap(),
            169.0
        );
    }

    #[test]
    fn distances_to_the_line_x_plus_y_minus_1() {
        // |x + y − 1| / √2, signed by which side of the line the point is on.
        let w = array![1.0, 1.0];
        let s = 1.0 / 2f64.sqrt();
        let origin = signed_distance(w.view(), -1.0, array![0.0, 0.0].view()).unwrap();
        assert!((origin + s).abs() < EPS, "{origin}");
        let on = signed_distance(w.view(), -1.0, array![0.3, 0.7].view()).unwrap();
        assert!(on.abs() < EPS, "{on}");
        let xs = array![[1.0, 1.0], [0.0, 0.0], [3.0, -2.0]];
        let d = signed_distances(w.view(), -1.0, xs.view()).unwrap();
        for (got, want) in d.iter().zip([s, -s, 0.0]) {
            assert!((got - want).abs() < EPS, "{got} vs {want}");
        }
        // Scaling (w, b) by 5 leaves the distance unchanged.
        let scaled = signed_distance(array![5.0, 5.0].view(), -5.0, array![0.0, 0.0].view());
        assert!((scaled.unwrap() + s).abs() < EPS);
    }

    #[test]
    fn projection_onto_an_axis_keeps_that_coordinate() {
        let a = array![3.0, -4.0, 7.0];
        let p = projection(a.view(), array![0.0, 2.0, 0.0].view()).unwrap();
        assert_eq!(p, array![0.0, -4.0, 0.0]);
        // Onto b = (1, 1, 0): a·b = 3 − 4 = −1, b·b = 2, so (−1/2) b; the
        // residual a − q is orthogonal to b.
        let q = projection(a.view(), array![1.0, 1.0, 0.0].view()).unwrap();
        assert_eq!(q, array![-0.5, -0.5, 0.0]);
        assert!((&a - &q).dot(&array![1.0, 1.0, 0.0]).abs() < EPS);
        let e = projection(a.view(), array![0.0, 0.0, 0.0].view()).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
    }

    #[test]
    fn margin_is_negative_with_a_point_on_the_wrong_side() {
        let w = array![1.0, 1.0];
        let x = array![[2.0, 2.0], [-1.0, -1.0], [0.0, 0.0]];
        // Distances 3/√2, −3/√2, −1/√2; times the labels +1, −1, +1.
        let g = margin(w.view(), -1.0, x.view(), array![1.0, -1.0, 1.0].view()).unwrap();
        assert!((g + 1.0 / 2f64.sqrt()).abs() < EPS, "{g}");
        // Relabel the origin −1: every point is on its side, the closest 1/√2 away.
        let g = margin(w.view(), -1.0, x.view(), array![1.0, -1.0, -1.0].view()).unwrap();
        assert!((g - 1.0 / 2f64.sqrt()).abs() < EPS, "{g}");
    }

    #[test]
    fn boundary_line_end_points_lie_on_the_line() {
        let (w, b) = (array![1.5, -2.0], 0.75);
        let (xs, ys) = boundary_line(w.view(), b, (-3.0, 4.0)).unwrap();
        assert_eq!(xs, vec![-3.0, 4.0]);
        for (x, y) in xs.iter().zip(&ys) {
            assert!((w[0] * x + w[1] * y + b).abs() < EPS);
        }
        // A vertical line 2x − 1 = 0: x = 1/2 over the range given.
        let (xs, ys) = boundary_line(array![2.0, 0.0].view(), -1.0, (-1.0, 1.0)).unwrap();
        assert_eq!((xs, ys), (vec![0.5, 0.5], vec![-1.0, 1.0]));
        let e = boundary_line(array![1.0, 1.0, 1.0].view(), 0.0, (0.0, 1.0)).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
    }

    #[test]
    fn radius_and_augment() {
        let x = array![[3.0, 4.0], [1.0, 1.0]];
        assert_eq!(radius(x.view()), 5.0);
        let a = augment(x.view());
        assert_eq!(a, array![[3.0, 4.0, 1.0], [1.0, 1.0, 1.0]]);
        // ‖(3, 4, 1)‖ = √26.
        assert_eq!(radius(a.view()), 26f64.sqrt());
    }

    #[test]
    fn bad_inputs_are_errors() {
        let e = dot(array![1.0, 2.0].view(), array![1.0].view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b has the wrong shape: expected 2 entries, as many as a, got 1 entries"
        );
        let zero = array![0.0, 0.0];
        let e = signed_distance(zero.view(), 1.0, array![1.0, 1.0].view()).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let x = array![[1.0, f64::NAN]];
        let e = signed_distances(array![1.0, 1.0].view(), 0.0, x.view()).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let x = array![[1.0, 2.0], [3.0, 4.0]];
        let w = array![1.0, 1.0];
        let e = margin(w.view(), 0.0, x.view(), array![1.0, 2.0].view()).unwrap_err();
        assert!(e.to_string().contains("got 2 at y[1]"), "{e}");
        let e = margin(w.view(), 0.0, x.view(), array![1.0].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = margin(w.view(), 0.0, empty.view(), Array1::zeros(0).view()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }
}
