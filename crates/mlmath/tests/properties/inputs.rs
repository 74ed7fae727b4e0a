//! Strategies for the inputs a learner might pass: every kind of f64
//! (ordinary, huge, tiny, NaN, ±∞), matrices of any shape including empty
//! and one-row ones, and labels.

use ndarray::{Array1, Array2};
use proptest::prelude::*;

/// Any f64 a learner might hold: mostly ordinary numbers, sometimes huge
/// (1e150–1e300), tiny (1e-300), zero, NaN or ±∞.
pub fn any_f64() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        8 => -10.0..10.0f64,
        1 => (-300i32..300).prop_map(|e| 10f64.powi(e)),
        1 => (-300i32..300).prop_map(|e| -(10f64.powi(e))),
        1 => Just(0.0),
        1 => prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ]
}

/// An ordinary finite f64 in [-100, 100].
pub fn finite_f64() -> impl Strategy<Value = f64> + Clone {
    -100.0..100.0f64
}

/// A matrix of `rows × cols` (each drawn from the ranges) with entries from `entry`.
pub fn matrix<E: Strategy<Value = f64> + Clone>(
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    entry: E,
) -> impl Strategy<Value = Array2<f64>> {
    (rows, cols).prop_flat_map(move |(n, d)| {
        proptest::collection::vec(entry.clone(), n * d)
            .prop_map(move |v| Array2::from_shape_vec((n, d), v).expect("n × d entries"))
    })
}

/// A vector of length in `len` with entries from `entry`.
pub fn vector<E: Strategy<Value = f64>>(
    len: std::ops::Range<usize>,
    entry: E,
) -> impl Strategy<Value = Array1<f64>> {
    proptest::collection::vec(entry, len).prop_map(Array1::from)
}

/// A matrix of any shape up to 12 × 6 (empty and one-row included), any entries.
pub fn any_matrix() -> impl Strategy<Value = Array2<f64>> {
    matrix(0..12, 0..6, any_f64())
}

/// `n` labels below `classes`.
pub fn labels(n: usize, classes: usize) -> impl Strategy<Value = Array1<usize>> {
    proptest::collection::vec(0..classes.max(1), n).prop_map(Array1::from)
}

/// A finite matrix `(n, d)` and labels for it, `n` in `rows`, `d` in `cols`,
/// labels below `classes`: a trainable classification set.
pub fn labelled(
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    classes: usize,
) -> impl Strategy<Value = (Array2<f64>, Array1<usize>)> {
    matrix(rows, cols, finite_f64()).prop_flat_map(move |x| {
        let n = x.nrows();
        (Just(x), labels(n, classes))
    })
}

/// A matrix of `rows × cols` with small integers in `-range..=range` as
/// entries: every distance between its rows is exact in f64 (up to the final
/// square root), and equal distances — ties — are common.
pub fn integer_matrix(
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    range: i32,
) -> impl Strategy<Value = Array2<f64>> {
    matrix(rows, cols, (-range..=range).prop_map(f64::from))
}

/// Shapes `(n, d)` a learner might type for random draws: ordinary ones
/// (empty sides included), ones with a zero too many (10⁶ × 10⁶), ones whose
/// product overflows a `usize`, an empty side beside a huge one, and the
/// shapes just at and just past `random::MAX_DRAWS` with no rows (which
/// allocate nothing whatever the answer).
pub fn draw_shape() -> impl Strategy<Value = (usize, usize)> {
    let cap = mlmath::random::MAX_DRAWS;
    prop_oneof![
        6 => (0..40usize, 0..40usize),
        1 => (1_000_000..2_000_000usize, 1_000_000..2_000_000usize),
        1 => (any::<usize>(), 2..usize::MAX).prop_map(|(n, d)| (n | (1 << 62), d)),
        1 => prop_oneof![Just((usize::MAX, 0)), Just((0, usize::MAX))],
        1 => prop_oneof![Just((0, cap)), Just((0, cap + 1)), Just((cap + 1, 0))],
    ]
}
