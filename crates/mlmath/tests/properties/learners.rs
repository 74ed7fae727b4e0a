//! Properties of the learners: distances, k-nearest neighbours, Gaussian
//! naive Bayes and the metrics.
//!
//! Answers are checked against independent computations: Euclidean
//! distances by folding `f64::hypot` (which neither overflows nor
//! underflows), Manhattan ones by a plain sum, cosine ones by the textbook
//! 1 − u·v; nearest neighbours by a brute-force vote in exact integer
//! arithmetic; naive Bayes by its textbook formulas and a hand-worked case;
//! Γ(n/2) by exact factorials and Stirling's series; the metrics by counting
//! (the AUROC pair by pair).

use mlmath::bayes::{GaussianNaiveBayes, posterior};
use mlmath::data::Dataset;
use mlmath::distance::{
    Metric, cosine_distance, distance_concentration, euclidean, gamma_half, manhattan, pairwise,
    unit_ball_volume,
};
use mlmath::metrics::{accuracy, auroc, confusion_matrix, confusion_table};
use mlmath::neighbours::Knn;
use ndarray::{Array1, Array2, ArrayView1, Axis, concatenate};
use proptest::prelude::*;

use crate::ensure;
use crate::harness::Suite;
use crate::inputs::{any_f64, integer_matrix, labels, matrix, vector};

/// Any metric.
fn metric() -> impl Strategy<Value = Metric> + Clone {
    prop_oneof![
        Just(Metric::Euclidean),
        Just(Metric::Manhattan),
        Just(Metric::Cosine)
    ]
}

/// Any f64, and now and then one near the largest, whose differences overflow.
fn extreme_f64() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        12 => any_f64(),
        1 => prop_oneof![Just(1.7e308), Just(-1.7e308), Just(f64::MIN_POSITIVE / 8.0)],
    ]
}

/// A matrix of any shape up to 8 × 4 (empty and one-row included) with extreme entries.
fn extreme_matrix() -> impl Strategy<Value = Array2<f64>> {
    matrix(0..8, 0..4, extreme_f64())
}

/// The distance by an independent route: Euclidean by folding `f64::hypot`,
/// Manhattan by a plain sum, cosine by 1 − u·v of unit vectors (scaled by
/// their largest entry, then by a hypot norm). `None` where it is undefined
/// (a zero vector for cosine).
fn reference(metric: Metric, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Option<f64> {
    let unit = |v: ArrayView1<f64>| {
        let m = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        let w = v.mapv(|x| x / m);
        let norm = w.iter().fold(0.0_f64, |h, x| h.hypot(*x));
        (m > 0.0).then(|| w / norm)
    };
    match metric {
        Metric::Euclidean => Some(a.iter().zip(b).fold(0.0_f64, |h, (x, y)| h.hypot(x - y))),
        Metric::Manhattan => Some(a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()),
        Metric::Cosine => Some(1.0 - unit(a)?.dot(&unit(b)?)),
    }
}

/// Whether a computed distance agrees with the reference: relative 1e-12
/// for the norms, absolute 1e-12 for the cosine distance (at most 2).
fn agrees(metric: Metric, got: f64, want: f64) -> bool {
    match metric {
        Metric::Cosine => (got - want).abs() <= 1e-12,
        _ => (got - want).abs() <= 1e-12 * want,
    }
}

fn finite(x: &Array2<f64>) -> bool {
    x.iter().all(|v| v.is_finite())
}

fn has_zero_row(x: &Array2<f64>) -> bool {
    x.rows().into_iter().any(|r| r.iter().all(|&v| v == 0.0))
}

/// A distance the reference finds beyond (or at the edge of) the largest f64.
fn overflows(metric: Metric, a: ArrayView1<f64>, b: ArrayView1<f64>) -> bool {
    reference(metric, a, b).is_some_and(|d| !(d < 1e308))
}

pub fn all(suite: &mut Suite) {
    distances(suite);
    special_functions(suite);
    neighbours(suite);
    naive_bayes(suite);
    metrics(suite);
    normal_range(suite);
    gaussian_classes_and_calibration(suite);
    errors_name_their_argument(suite);
}

fn distances(suite: &mut Suite) {
    suite.check(
        "pairwise distances equal the per-pair formula, at offsets up to 1e9, \
         with exact zeros and exact ties for repeated rows",
        &[
            "distance::pairwise",
            "distance::euclidean",
            "distance::manhattan",
            "distance::cosine_distance",
            "Metric::distance",
        ],
        (1..5usize).prop_flat_map(|d| {
            (
                matrix(1..7, d..d + 1, -10.0..10.0f64),
                matrix(1..7, d..d + 1, -10.0..10.0f64),
                proptest::collection::vec(0..100usize, 0..4),
                prop_oneof![Just(0.0), Just(1e9), Just(-1e9), Just(1e6)],
                metric(),
            )
        }),
        |(a, b, copies, offset, metric)| {
            // b gets copies of some rows of a: distances that must tie exactly.
            let picked: Vec<usize> = copies.iter().map(|i| i % a.nrows()).collect();
            let b = concatenate(Axis(0), &[b.view(), a.select(Axis(0), &picked).view()]).unwrap();
            let (a_far, b_far) = (a.mapv(|v| v + offset), b.mapv(|v| v + offset));
            let d = pairwise(&a_far, &b_far, metric).unwrap();
            ensure!(d.dim() == (a.nrows(), b.nrows()), "shape {:?}", d.dim());
            for ((i, j), &d_ij) in d.indexed_iter() {
                let want = reference(metric, a_far.row(i), b_far.row(j)).unwrap();
                ensure!(
                    agrees(metric, d_ij, want),
                    "{metric:?} ({i}, {j}): {d_ij} vs {want}"
                );
                // Nothing lost to the offset: the distance of the points before shifting.
                if metric != Metric::Cosine {
                    let unshifted = reference(metric, a.row(i), b.row(j)).unwrap();
                    let tolerance =
                        1e-15 * offset.abs() * 8.0 * a.ncols() as f64 + 1e-12 * unshifted;
                    ensure!(
                        (d_ij - unshifted).abs() <= tolerance,
                        "offset {offset}: {d_ij} vs {unshifted}"
                    );
                }
                // The single-pair functions give the same bits.
                let single = metric.distance(a_far.row(i), b_far.row(j)).unwrap();
                let named = match metric {
                    Metric::Euclidean => euclidean(a_far.row(i), b_far.row(j)),
                    Metric::Manhattan => manhattan(a_far.row(i), b_far.row(j)),
                    Metric::Cosine => cosine_distance(a_far.row(i), b_far.row(j)),
                }
                .unwrap();
                ensure!(
                    single == d_ij && named == d_ij,
                    "{single} / {named} vs {d_ij}"
                );
            }
            // A copy of row r of a is at distance exactly 0 from it, and exactly
            // as far from every row of a as row r is.
            let own = pairwise(&a_far, &a_far, metric).unwrap();
            ensure!(
                own.diag().iter().all(|&v| v == 0.0),
                "self-distances {}",
                own.diag()
            );
            ensure!(own == own.t(), "not symmetric");
            for (c, &r) in picked.iter().enumerate() {
                let column = d.column(b.nrows() - picked.len() + c);
                ensure!(
                    column == own.column(r),
                    "copy of row {r}: {column} vs {}",
                    own.column(r)
                );
            }
            Ok(())
        },
    );

    suite.check(
        "any input to pairwise gives the distances or an error naming the problem",
        &["distance::pairwise", "Metric::distance"],
        (extreme_matrix(), extreme_matrix(), metric()),
        |(a, b, metric)| {
            let valid = a.nrows() > 0
                && b.nrows() > 0
                && a.ncols() == b.ncols()
                && finite(&a)
                && finite(&b);
            let zero = metric == Metric::Cosine && (has_zero_row(&a) || has_zero_row(&b));
            match pairwise(&a, &b, metric) {
                Ok(d) => {
                    ensure!(valid && !zero, "accepted invalid input ({a:?}, {b:?})");
                    for ((i, j), &d_ij) in d.indexed_iter() {
                        let want = reference(metric, a.row(i), b.row(j)).unwrap();
                        ensure!(d_ij.is_finite() && d_ij >= 0.0, "({i}, {j}) = {d_ij}");
                        ensure!(
                            agrees(metric, d_ij, want),
                            "{metric:?} ({i}, {j}): {d_ij} vs {want}"
                        );
                    }
                }
                Err(e) => {
                    let overflow = valid
                        && (0..a.nrows())
                            .any(|i| (0..b.nrows()).any(|j| overflows(metric, a.row(i), b.row(j))));
                    ensure!(!valid || zero || overflow, "refused valid input: {e}");
                    ensure!(!e.to_string().is_empty(), "an empty message");
                }
            }
            // The single-pair function on the first rows, whatever their lengths.
            if a.nrows() > 0 && b.nrows() > 0 {
                let (u, v) = (a.row(0), b.row(0));
                match metric.distance(u, v) {
                    Ok(d) => {
                        ensure!(u.len() == v.len(), "lengths {} and {}", u.len(), v.len());
                        let want = reference(metric, u, v).unwrap();
                        ensure!(agrees(metric, d, want), "{d} vs {want}");
                    }
                    Err(_) => {
                        let ok = u.len() == v.len()
                            && u.iter().chain(v).all(|x| x.is_finite())
                            && reference(metric, u, v).is_some_and(|d| d < 1e308);
                        ensure!(!ok, "refused ({u}, {v})");
                    }
                }
            }
            Ok(())
        },
    );

    suite.check(
        "distance concentration is (max - min)/min of the direct distances",
        &["distance::distance_concentration"],
        (
            extreme_matrix(),
            vector(0..5, extreme_f64()),
            prop_oneof![Just(0.0), Just(1e9)],
        ),
        |(x, query, offset)| {
            let (x, query) = (x.mapv(|v| v + offset), query.mapv(|v| v + offset));
            let valid = x.nrows() > 0
                && x.ncols() > 0
                && query.len() == x.ncols()
                && finite(&x)
                && query.iter().all(|v| v.is_finite());
            match distance_concentration(&x, &query) {
                Ok(ratio) => {
                    ensure!(valid, "accepted invalid input");
                    let d: Vec<f64> = x
                        .rows()
                        .into_iter()
                        .map(|r| reference(Metric::Euclidean, r, query.view()).unwrap())
                        .collect();
                    let min = d.iter().copied().fold(f64::INFINITY, f64::min);
                    let max = d.iter().copied().fold(0.0, f64::max);
                    let want = (max - min) / min;
                    ensure!(
                        (ratio - want).abs() <= 1e-9 * want + 1e-12,
                        "{ratio} vs {want}"
                    );
                }
                Err(e) => {
                    if valid {
                        let d: Vec<f64> = x
                            .rows()
                            .into_iter()
                            .map(|r| reference(Metric::Euclidean, r, query.view()).unwrap())
                            .collect();
                        let min = d.iter().copied().fold(f64::INFINITY, f64::min);
                        let max = d.iter().copied().fold(0.0, f64::max);
                        let explained =
                            min == 0.0 || !((max - min) / min < 1e307) || !(max < 1e308);
                        ensure!(explained, "refused valid input: {e}");
                    }
                }
            }
            Ok(())
        },
    );
}

/// m! exactly, if it fits in a u128.
fn factorial(m: u128) -> Option<u128> {
    (1..=m).try_fold(1u128, |f, k| f.checked_mul(k))
}

/// (2m − 1)!! = 1 · 3 · 5 ⋯ (2m − 1) exactly, if it fits in a u128.
fn double_factorial_odd(m: u128) -> Option<u128> {
    (1..=m).try_fold(1u128, |f, k| f.checked_mul(2 * k - 1))
}

/// ln Γ(x) by Stirling's series, accurate to about 1e-15 relative for x ≥ 20.
fn ln_gamma_stirling(x: f64) -> f64 {
    let pi = std::f64::consts::PI;
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * pi).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

fn special_functions(suite: &mut Suite) {
    suite.check(
        "gamma_half(n) is Γ(n/2): exact factorials, half-integer closed forms, Stirling",
        &["distance::gamma_half", "distance::unit_ball_volume"],
        prop_oneof![4 => 0..400usize, 1 => 400..5000usize, 1 => any::<usize>()],
        |n| {
            let g = gamma_half(n);
            let pi = std::f64::consts::PI;
            if n == 0 {
                ensure!(g == f64::INFINITY, "Γ(0) = {g}");
                return Ok(());
            }
            ensure!(
                (n <= 343) == g.is_finite(),
                "Γ({n}/2) = {g}: finite exactly up to n = 343"
            );
            let m = (n / 2) as u128;
            let exact = if n % 2 == 0 {
                // Γ(m) = (m − 1)!
                factorial(m - 1).map(|f| f as f64)
            } else {
                // Γ(m + 1/2) = (2m − 1)!! √π / 2^m
                double_factorial_odd(m).map(|f| f as f64 * pi.sqrt() / 2f64.powi(m as i32))
            };
            if let Some(want) = exact {
                if n % 2 == 0 && m <= 19 {
                    ensure!(g == want, "Γ({m}) = {g}, (m − 1)! = {want}");
                } else if want.is_finite() {
                    ensure!((g / want - 1.0).abs() < 1e-13, "Γ({n}/2) = {g} vs {want}");
                }
            }
            let x = n as f64 / 2.0;
            if g.is_finite() && x >= 20.0 {
                let want = ln_gamma_stirling(x);
                ensure!(
                    (g.ln() - want).abs() < 1e-13 * want.abs(),
                    "ln Γ({x}) = {} vs {want}",
                    g.ln()
                );
            }
            // The unit ball: π^{d/2} / Γ(d/2 + 1), by its logarithm where Γ overflows.
            let v = unit_ball_volume(n);
            ensure!(v >= 0.0 && v.is_finite(), "V_{n} = {v}");
            if n < 5000 {
                let ln_v = x * pi.ln()
                    - if x + 1.0 >= 20.0 {
                        ln_gamma_stirling(x + 1.0)
                    } else {
                        gamma_half(n + 2).ln()
                    };
                if ln_v > -700.0 {
                    ensure!(
                        (v.ln() - ln_v).abs() < 1e-11 * (1.0 + ln_v.abs()),
                        "V_{n} = {v}, e^{ln_v}"
                    );
                } else {
                    ensure!(v < 1e-300, "V_{n} = {v} should be below e^{ln_v}");
                }
            } else {
                ensure!(v == 0.0, "V_{n} = {v} underflows");
            }
            Ok(())
        },
    );
}

/// The squared Euclidean distance, or the Manhattan one, of integer points: exact.
fn exact_key(metric: Metric, a: ArrayView1<f64>, b: ArrayView1<f64>) -> i128 {
    let (a, b) = (a.mapv(|v| v as i128), b.mapv(|v| v as i128));
    match metric {
        Metric::Manhattan => a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum(),
        _ => a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum(),
    }
}

/// The training rows in the exact order of (distance to q, row index).
fn exact_order(metric: Metric, train: &Array2<f64>, q: ArrayView1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..train.nrows()).collect();
    if metric == Metric::Cosine {
        // Smaller distance = larger cos = s/√n with s = x·q, n = |x|²: compare
        // s_i/√n_i with s_j/√n_j exactly, by signs and then squares.
        let as_int = |v: ArrayView1<f64>| v.mapv(|x| x as i128);
        let qi = as_int(q);
        let key = |i: usize| {
            let x = as_int(train.row(i));
            (x.dot(&qi), x.dot(&x))
        };
        let larger_cos = |(s1, n1): (i128, i128), (s2, n2): (i128, i128)| {
            use std::cmp::Ordering;
            match (s1.signum(), s2.signum()) {
                (a, b) if a != b => a.cmp(&b),
                (0, 0) => Ordering::Equal,
                (1, 1) => (s1 * s1 * n2).cmp(&(s2 * s2 * n1)),
                _ => (s2 * s2 * n1).cmp(&(s1 * s1 * n2)),
            }
        };
        order.sort_by(|&i, &j| larger_cos(key(j), key(i)));
    } else {
        order.sort_by_key(|&i| exact_key(metric, train.row(i), q));
    }
    order // sort_by and sort_by_key are stable: equal distances keep row order
}

/// The brute-force k-NN vote: the class with the most votes among the first
/// k of `order`; on a tie, the class of the earliest of them in a tied class.
fn brute_force_vote(order: &[usize], y: &Array1<usize>, k: usize, classes: usize) -> usize {
    let mut votes = vec![0; classes];
    for &i in &order[..k] {
        votes[y[i]] += 1;
    }
    let most = *votes.iter().max().unwrap();
    order[..k]
        .iter()
        .map(|&i| y[i])
        .find(|&c| votes[c] == most)
        .unwrap()
}

fn neighbours(suite: &mut Suite) {
    suite.check(
        "kNN predicts the brute-force majority vote, ties broken by row order, exactly",
        &[
            "Knn::new",
            "Knn::k",
            "Knn::metric",
            "Knn::fit",
            "FittedKnn::predict",
            "FittedKnn::neighbours",
            "FittedKnn::score",
            "FittedKnn::decision_grid",
            "FittedKnn::k",
            "FittedKnn::metric",
            "FittedKnn::n_classes",
        ],
        (1..12usize, 1..4usize).prop_flat_map(|(n, d)| {
            (
                integer_matrix(n..n + 1, d..d + 1, 3),
                labels(n, 3),
                integer_matrix(0..6, d..d + 1, 4),
                0..15usize,
                metric(),
                prop_oneof![Just(0.0), Just(1e9)],
                1..7usize,
            )
        }),
        |(x, y, queries, k, metric, offset, resolution)| {
            // Integers shifted by 1e9 stay exact; cosine stays at the origin.
            let offset = if metric == Metric::Cosine {
                0.0
            } else {
                offset
            };
            let (x, queries) = (x.mapv(|v| v + offset), queries.mapv(|v| v + offset));
            let train = Dataset::new(&x, &y).unwrap();
            let fitted = Knn::new(1).k(k).metric(metric).fit(&train);
            let valid = k >= 1 && k <= x.nrows() && !(metric == Metric::Cosine && has_zero_row(&x));
            let model = match fitted {
                Ok(model) => model,
                Err(e) => {
                    ensure!(!valid, "refused a valid fit: {e}");
                    return Ok(());
                }
            };
            ensure!(valid, "fitted with k = {k}, n = {}", x.nrows());
            ensure!(
                (model.k(), model.metric(), model.n_classes()) == (k, metric, train.n_classes()),
                "accessors"
            );
            let classes = train.n_classes();
            let predicted = model.predict(&queries);
            if metric == Metric::Cosine && has_zero_row(&queries) {
                ensure!(predicted.is_err(), "a zero query has no direction");
                return Ok(());
            }
            let predicted = predicted.unwrap();
            for (q, query) in queries.rows().into_iter().enumerate() {
                let order = exact_order(metric, &x, query);
                let want = brute_force_vote(&order, &y, k, classes);
                ensure!(
                    predicted[q] == want,
                    "query {query}: predicted {}, brute force {want}",
                    predicted[q]
                );
                let near = model.neighbours(query).unwrap();
                let rows: Vec<usize> = near.iter().map(|n| n.0).collect();
                ensure!(
                    rows == order[..k],
                    "neighbours {rows:?}, exact order {:?}",
                    &order[..k]
                );
                for &(i, d) in &near {
                    let direct = metric.distance(query, x.row(i)).unwrap();
                    ensure!(d == direct, "row {i}: {d} vs the pair's distance {direct}");
                }
                ensure!(
                    near.windows(2).all(|w| w[0].1 <= w[1].1),
                    "not sorted: {near:?}"
                );
            }
            // The score on the training rows is the brute-force accuracy there.
            let right = (0..x.nrows())
                .filter(|&i| {
                    brute_force_vote(&exact_order(metric, &x, x.row(i)), &y, k, classes) == y[i]
                })
                .count();
            let score = model.score(&train).unwrap();
            ensure!(
                score == right as f64 / x.nrows() as f64,
                "score {score}, {right} right"
            );
            // The grid is the prediction at each cell's centre.
            if x.ncols() == 2 {
                let (lo, hi) = (
                    x.fold(f64::INFINITY, |a, &b| a.min(b)) - 1.0,
                    x.fold(f64::NEG_INFINITY, |a, &b| a.max(b)) + 1.0,
                );
                let grid = model
                    .decision_grid((lo, hi), (lo - 0.5, hi), resolution)
                    .unwrap();
                let centre = |(l, h): (f64, f64), c: usize| {
                    l + (h - l) * (c as f64 + 0.5) / resolution as f64
                };
                let points = Array2::from_shape_fn((resolution * resolution, 2), |(p, axis)| {
                    if axis == 0 {
                        centre((lo, hi), p % resolution)
                    } else {
                        centre((lo - 0.5, hi), p / resolution)
                    }
                });
                let expected = model.predict(&points).unwrap();
                for ((r, c), &class) in grid.indexed_iter() {
                    ensure!(class == expected[r * resolution + c], "cell ({r}, {c})");
                }
            }
            Ok(())
        },
    );

    suite.check(
        "kNN on any input: a prediction of a known class, or an error, never a panic",
        &[
            "Knn::fit",
            "FittedKnn::predict",
            "FittedKnn::neighbours",
            "FittedKnn::decision_grid",
            "FittedKnn::score",
            "FittedKnn::x",
            "FittedKnn::y",
            "FittedKnn::n_features",
            "FittedKnn::class_names",
        ],
        (
            extreme_matrix(),
            0..3usize,
            0..12usize,
            extreme_matrix(),
            metric(),
            prop_oneof![0..6usize, Just(1001usize), Just(usize::MAX)],
            (any_f64(), any_f64()),
        ),
        |(x, classes, k, queries, metric, resolution, (low, high))| {
            let y = Array1::from_shape_fn(x.nrows(), |i| i % (classes + 1));
            let train = Dataset::new(&x, &y).unwrap();
            let valid = x.nrows() > 0
                && x.ncols() > 0
                && finite(&x)
                && k >= 1
                && k <= x.nrows()
                && !(metric == Metric::Cosine && has_zero_row(&x));
            let model = match Knn::new(k).metric(metric).fit(&train) {
                Ok(model) => model,
                Err(e) => {
                    ensure!(!valid, "refused a valid fit: {e}");
                    return Ok(());
                }
            };
            ensure!(valid, "fitted invalid data");
            ensure!(
                *model.x() == x && *model.y() == y && model.n_features() == x.ncols(),
                "accessors"
            );
            ensure!(model.class_names() == train.class_names(), "class names");
            match model.predict(&queries) {
                Ok(predicted) => {
                    ensure!(
                        queries.ncols() == x.ncols() && finite(&queries),
                        "accepted bad queries"
                    );
                    ensure!(predicted.len() == queries.nrows(), "one class per row");
                    ensure!(
                        predicted.iter().all(|&c| c < train.n_classes()),
                        "an unknown class"
                    );
                }
                Err(e) => {
                    let explained = queries.ncols() != x.ncols()
                        || !finite(&queries)
                        || metric == Metric::Cosine && has_zero_row(&queries)
                        || queries
                            .rows()
                            .into_iter()
                            .any(|q| x.rows().into_iter().any(|r| overflows(metric, q, r)));
                    ensure!(explained, "refused valid queries: {e}");
                }
            }
            if queries.nrows() > 0
                && let Ok(near) = model.neighbours(queries.row(0))
            {
                ensure!(near.len() == k, "{} neighbours", near.len());
                ensure!(
                    near.windows(2).all(|w| (w[0].1, w[0].0) < (w[1].1, w[1].0)),
                    "order {near:?}"
                );
                for &(i, d) in &near {
                    ensure!(
                        metric.distance(queries.row(0), x.row(i)).unwrap() == d,
                        "row {i}"
                    );
                }
            }
            let grid = model.decision_grid((low, high), (low, high), resolution);
            let ok = x.ncols() == 2
                && (1..=1000).contains(&resolution)
                && low < high
                && (high - low).is_finite();
            match grid {
                Ok(g) => ensure!(
                    ok && g.dim() == (resolution, resolution),
                    "grid {:?}",
                    g.dim()
                ),
                Err(_) => {
                    let overflow = ok
                        && x.rows().into_iter().any(|r| {
                            [low, high]
                                .iter()
                                .any(|&v| overflows(metric, r, ndarray::arr1(&[v, v]).view()))
                        });
                    ensure!(
                        !ok || overflow || metric == Metric::Cosine,
                        "refused a valid grid"
                    );
                }
            }
            // Scoring needs the same classes, in the same order.
            let far_apart = x
                .rows()
                .into_iter()
                .any(|q| x.rows().into_iter().any(|r| overflows(metric, q, r)));
            ensure!(
                model.score(&train).is_ok() || far_apart,
                "score on the training set"
            );
            let renamed = train
                .clone()
                .with_class_names(&["z", "y", "x", "w"])
                .unwrap();
            ensure!(
                model.score(&renamed).is_err(),
                "scored a dataset of other classes"
            );
            Ok(())
        },
    );
}

/// The population mean and variance of a slice, by two passes.
fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, variance)
}

/// log N(x; μ, σ²), the textbook formula.
fn log_normal(x: f64, mu: f64, var: f64) -> f64 {
    -0.5 * (2.0 * std::f64::consts::PI * var).ln() - (x - mu) * (x - mu) / (2.0 * var)
}

fn naive_bayes(suite: &mut Suite) {
    suite.check(
        "naive Bayes fits the textbook estimates, and its posteriors sum to 1",
        &[
            "GaussianNaiveBayes::new",
            "GaussianNaiveBayes::fit",
            "FittedGaussianNaiveBayes::priors",
            "FittedGaussianNaiveBayes::means",
            "FittedGaussianNaiveBayes::variances",
            "FittedGaussianNaiveBayes::log_joint",
            "FittedGaussianNaiveBayes::predict_proba",
            "FittedGaussianNaiveBayes::predict",
            "FittedGaussianNaiveBayes::score",
            "FittedGaussianNaiveBayes::n_classes",
            "FittedGaussianNaiveBayes::n_features",
        ],
        (1..20usize, 1..4usize).prop_flat_map(|(n, d)| {
            (
                matrix(n..n + 1, d..d + 1, -10.0..10.0f64),
                labels(n, 3),
                matrix(0..5, d..d + 1, -15.0..15.0f64),
                prop_oneof![Just(0.0), Just(1e9), Just(-1e6)],
                prop_oneof![Just(1.0), Just(1e-3), Just(1e3)],
            )
        }),
        |(x, y, queries, offset, scale)| {
            let (x, queries) = (
                x.mapv(|v| offset + scale * v),
                queries.mapv(|v| offset + scale * v),
            );
            let train = Dataset::new(&x, &y).unwrap();
            let c = train.n_classes();
            let counts = train.class_counts();
            let column = |j: usize, class: Option<usize>| -> Vec<f64> {
                (0..x.nrows())
                    .filter(|&i| class.is_none_or(|c| y[i] == c))
                    .map(|i| x[(i, j)])
                    .collect()
            };
            let largest = (0..x.ncols())
                .map(|j| mean_and_variance(&column(j, None)).1)
                .fold(0.0, f64::max);
            let varies = (0..x.ncols()).any(|j| column(j, None).iter().any(|&v| v != x[(0, j)]));
            let valid = counts.iter().all(|&n_c| n_c > 0) && varies;
            let model = match GaussianNaiveBayes::new().fit(&train) {
                Ok(model) => model,
                Err(e) => {
                    ensure!(!valid, "refused a valid fit: {e}");
                    return Ok(());
                }
            };
            ensure!(
                valid,
                "fitted without every class or with constant features"
            );
            ensure!(
                model.n_classes() == c && model.n_features() == x.ncols(),
                "sizes"
            );
            let epsilon = 1e-9 * largest;
            for (class, &count) in counts.iter().enumerate().take(c) {
                ensure!(
                    model.priors()[class] == count as f64 / x.nrows() as f64,
                    "prior {class}"
                );
                for j in 0..x.ncols() {
                    let (mean, variance) = mean_and_variance(&column(j, Some(class)));
                    let spread = offset.abs() + 10.0 * scale;
                    let (got_mean, got_var) =
                        (model.means()[(class, j)], model.variances()[(class, j)]);
                    ensure!(
                        (got_mean - mean).abs() <= 1e-14 * spread,
                        "μ_{class}{j}: {got_mean} vs {mean}"
                    );
                    let want = variance.max(epsilon);
                    let tolerance = 1e-9 * want + 16.0 * f64::EPSILON * spread * want.sqrt();
                    ensure!(
                        (got_var - want).abs() <= tolerance,
                        "σ²_{class}{j}: {got_var} vs {want}"
                    );
                }
            }
            // The log joint, by the textbook formula on the fitted parameters.
            let joint = model.log_joint(&queries).unwrap();
            let proba = model.predict_proba(&queries).unwrap();
            let predicted = model.predict(&queries).unwrap();
            for (i, q) in queries.rows().into_iter().enumerate() {
                let l: Vec<f64> = (0..c)
                    .map(|k| {
                        model.priors()[k].ln()
                            + (0..q.len())
                                .map(|j| {
                                    log_normal(
                                        q[j],
                                        model.means()[(k, j)],
                                        model.variances()[(k, j)],
                                    )
                                })
                                .sum::<f64>()
                    })
                    .collect();
                let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = l.iter().map(|v| (v - top).exp()).sum();
                for k in 0..c {
                    ensure!(
                        (joint[(i, k)] - l[k]).abs() <= 1e-9 * (1.0 + l[k].abs()),
                        "l_{i}{k}"
                    );
                    let p = (l[k] - top).exp() / total;
                    ensure!(
                        (proba[(i, k)] - p).abs() <= 1e-9,
                        "P({k} | x_{i}) = {} vs {p}",
                        proba[(i, k)]
                    );
                }
                let sum = proba.row(i).sum();
                ensure!(
                    (sum - 1.0).abs() < 1e-12,
                    "posteriors of row {i} sum to {sum}"
                );
                let second = l
                    .iter()
                    .copied()
                    .filter(|&v| v < top)
                    .fold(f64::NEG_INFINITY, f64::max);
                let clear = top - second > 1e-6 * (1.0 + top.abs())
                    && l.iter().filter(|&&v| v == top).count() == 1;
                if clear {
                    ensure!(
                        l[predicted[i]] == top,
                        "predicted {} of {l:?}",
                        predicted[i]
                    );
                }
            }
            let score = model.score(&train).unwrap();
            let right = model
                .predict(&train)
                .unwrap()
                .iter()
                .zip(&y)
                .filter(|(p, t)| p == t)
                .count();
            ensure!(score == right as f64 / x.nrows() as f64, "score {score}");
            Ok(())
        },
    );

    suite.check(
        "naive Bayes on two rows per class matches the hand-worked Gaussian",
        &[
            "GaussianNaiveBayes::priors",
            "FittedGaussianNaiveBayes::predict_proba",
            "bayes::posterior",
        ],
        (
            [
                -10.0..10.0f64,
                -10.0..10.0f64,
                -10.0..10.0f64,
                -10.0..10.0f64,
            ],
            -20.0..20.0f64,
            0.05..0.95f64,
        ),
        |([a0, b0, a1, b1], q, p0)| {
            // Class c has rows a_c and b_c: μ_c = (a_c + b_c)/2, σ²_c = ((a_c − b_c)/2)².
            let x = ndarray::arr2(&[[a0], [b0], [a1], [b1]]);
            let train = Dataset::new(&x, &ndarray::arr1(&[0, 0, 1, 1])).unwrap();
            let model = GaussianNaiveBayes::new()
                .priors(&[p0, 1.0 - p0])
                .fit(&train)
                .unwrap();
            let all = [a0, b0, a1, b1];
            let m = all.iter().sum::<f64>() / 4.0;
            let epsilon = 1e-9 * all.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / 4.0;
            let hand = |a: f64, b: f64, prior: f64| {
                let (mu, var) = ((a + b) / 2.0, ((a - b) / 2.0).powi(2).max(epsilon));
                (prior.ln() + log_normal(q, mu, var), (mu, var))
            };
            let ((l0, (mu0, var0)), (l1, (mu1, var1))) = (hand(a0, b0, p0), hand(a1, b1, 1.0 - p0));
            ensure!((model.means()[(0, 0)] - mu0).abs() < 1e-12, "μ0");
            ensure!(
                (model.variances()[(1, 0)] - var1).abs() <= 1e-9 * var1,
                "σ²1"
            );
            let want = 1.0 / (1.0 + (l1 - l0).exp());
            let got = model.predict_proba(&ndarray::arr2(&[[q]])).unwrap()[(0, 0)];
            ensure!(
                (got - want).abs() < 1e-9,
                "P(0 | {q}) = {got}, by hand {want}"
            );
            // Bayes' theorem on the two densities gives the same, where they do not underflow.
            let densities = [
                log_normal(q, mu0, var0).exp(),
                log_normal(q, mu1, var1).exp(),
            ];
            if densities.iter().all(|&d| d > 1e-300) {
                let p = posterior(&[p0, 1.0 - p0], &densities).unwrap();
                ensure!((p[0] - want).abs() < 1e-9, "posterior {} vs {want}", p[0]);
            }
            Ok(())
        },
    );

    suite.check(
        "naive Bayes on any input: probabilities or an error, never a panic",
        &[
            "GaussianNaiveBayes::fit",
            "GaussianNaiveBayes::variance_floor",
            "GaussianNaiveBayes::priors",
            "FittedGaussianNaiveBayes::predict_proba",
            "FittedGaussianNaiveBayes::predict",
            "FittedGaussianNaiveBayes::class_names",
        ],
        (
            extreme_matrix(),
            0..3usize,
            any_f64(),
            proptest::option::of(vector(0..4, any_f64())),
            extreme_matrix(),
        ),
        |(x, classes, floor, priors, queries)| {
            let y = Array1::from_shape_fn(x.nrows(), |i| i % (classes + 1));
            let train = Dataset::new(&x, &y).unwrap();
            let mut gnb = GaussianNaiveBayes::new().variance_floor(if floor.is_sign_negative() {
                1e-9
            } else {
                floor
            });
            if let Some(p) = &priors {
                gnb = gnb.priors(p);
            }
            let Ok(model) = gnb.fit(&train) else {
                return Ok(());
            };
            ensure!(x.nrows() > 0 && finite(&x), "fitted on invalid data");
            ensure!(model.class_names() == train.class_names(), "class names");
            ensure!(
                model.variances().iter().all(|v| v.is_finite() && *v > 0.0),
                "variances"
            );
            match model.predict_proba(&queries) {
                Ok(p) => {
                    ensure!(
                        queries.ncols() == x.ncols() && finite(&queries),
                        "accepted bad queries"
                    );
                    for row in p.rows() {
                        ensure!(row.iter().all(|v| (0.0..=1.0).contains(v)), "{row}");
                        ensure!((row.sum() - 1.0).abs() < 1e-9, "sum {}", row.sum());
                    }
                    let predicted = model.predict(&queries).unwrap();
                    ensure!(
                        predicted.iter().all(|&c| c < train.n_classes()),
                        "an unknown class"
                    );
                }
                Err(e) => ensure!(!e.to_string().is_empty(), "an empty message"),
            }
            Ok(())
        },
    );

    suite.check(
        "posterior is Bayes' rule, computed in logarithms as a reference",
        &["bayes::posterior"],
        (
            vector(0..5, any_f64()),
            vector(0..5, extreme_f64()),
            any::<bool>(),
        ),
        |(raw, likelihood, normalise)| {
            // Half the time, priors made valid by normalising |raw|.
            let total: f64 = raw.iter().map(|v| v.abs()).sum();
            let prior = if normalise && total.is_finite() && total > 0.0 {
                raw.mapv(|v| v.abs() / total)
            } else {
                raw
            };
            let valid = prior.len() == likelihood.len()
                && !prior.is_empty()
                && prior
                    .iter()
                    .chain(&likelihood)
                    .all(|v| v.is_finite() && *v >= 0.0)
                && (prior.sum() - 1.0).abs() <= 1e-9;
            let log_joint: Vec<f64> = prior
                .iter()
                .zip(&likelihood)
                .map(|(p, l)| p.ln() + l.ln())
                .collect();
            let top = log_joint.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            match posterior(&prior, &likelihood) {
                Ok(p) => {
                    ensure!(valid && top > f64::NEG_INFINITY, "accepted invalid input");
                    let total: f64 = log_joint.iter().map(|l| (l - top).exp()).sum();
                    for (c, l) in log_joint.iter().enumerate() {
                        let want = (l - top).exp() / total;
                        ensure!((p[c] - want).abs() <= 1e-12, "P({c}) = {} vs {want}", p[c]);
                    }
                    ensure!((p.sum() - 1.0).abs() <= 1e-12, "sum {}", p.sum());
                }
                Err(e) => ensure!(
                    !valid || top == f64::NEG_INFINITY,
                    "refused valid input: {e}"
                ),
            }
            Ok(())
        },
    );
}

fn metrics(suite: &mut Suite) {
    suite.check(
        "accuracy and the confusion matrix count the rows as by hand",
        &[
            "metrics::accuracy",
            "metrics::confusion_matrix",
            "metrics::confusion_table",
        ],
        (
            proptest::collection::vec(0..4usize, 0..12),
            proptest::collection::vec(0..5usize, 0..12),
            0..3usize,
        ),
        |(truth, predicted, extra)| {
            let (truth, predicted) = (Array1::from(truth), Array1::from(predicted));
            match accuracy(&truth, &predicted) {
                Ok(a) => {
                    ensure!(
                        truth.len() == predicted.len() && !truth.is_empty(),
                        "accepted bad lengths"
                    );
                    let right = (0..truth.len())
                        .filter(|&i| truth[i] == predicted[i])
                        .count();
                    ensure!(a == right as f64 / truth.len() as f64, "accuracy {a}");
                }
                Err(_) => ensure!(
                    truth.len() != predicted.len() || truth.is_empty(),
                    "refused"
                ),
            }
            let seen = truth.iter().max().map_or(0, |&c| c + 1);
            let names: Vec<String> = (0..seen + extra).map(|c| format!("class {c}")).collect();
            let test = Dataset::new(&Array2::<f64>::zeros((truth.len(), 1)), &truth)
                .unwrap()
                .with_class_names(&names)
                .unwrap();
            let valid = truth.len() == predicted.len()
                && !truth.is_empty()
                && predicted.iter().all(|&p| p < names.len());
            match confusion_matrix(&test, &predicted) {
                Ok(m) => {
                    ensure!(valid, "accepted bad labels");
                    ensure!(m.dim() == (names.len(), names.len()), "shape {:?}", m.dim());
                    for ((a, b), &count) in m.indexed_iter() {
                        let by_hand = (0..truth.len())
                            .filter(|&i| truth[i] == a && predicted[i] == b)
                            .count();
                        ensure!(count == by_hand, "C_{a}{b} = {count}, by hand {by_hand}");
                    }
                    let trace: usize = m.diag().sum();
                    ensure!(
                        trace as f64 / truth.len() as f64 == accuracy(&truth, &predicted).unwrap(),
                        "trace"
                    );
                    let table = confusion_table(&test, &predicted).unwrap();
                    for (a, name) in names.iter().enumerate() {
                        ensure!(table.cell(a, 0) == Some(name.as_str()), "row name {a}");
                        for b in 0..names.len() {
                            ensure!(
                                table.cell(a, b + 1) == Some(m[(a, b)].to_string().as_str()),
                                "cell"
                            );
                        }
                    }
                }
                Err(_) => {
                    ensure!(!valid, "refused valid labels");
                    ensure!(
                        confusion_table(&test, &predicted).is_err(),
                        "the table accepted them"
                    );
                }
            }
            Ok(())
        },
    );

    suite.check(
        "the AUROC is the Mann-Whitney U counted pair by pair, ties half, and refuses \
         empty groups and NaN or infinite scores",
        &["metrics::auroc"],
        (
            vector(0..12, any_f64()),
            vector(0..12, any_f64()),
            0..3usize,
        ),
        |(positive, negative, tie)| {
            // Ties on purpose: copy a negative score into the positives.
            let mut positive = positive.to_vec();
            if tie > 0 && !negative.is_empty() && !positive.is_empty() {
                positive[0] = negative[negative.len() - 1];
            }
            let positive = Array1::from(positive);
            let valid = !positive.is_empty()
                && !negative.is_empty()
                && positive.iter().chain(&negative).all(|v| v.is_finite());
            match auroc(&positive, &negative) {
                Ok(a) => {
                    ensure!(valid, "accepted empty or non-finite scores");
                    let mut u = 0.0;
                    for &p in &positive {
                        for &q in &negative {
                            u += if p > q {
                                1.0
                            } else if p == q {
                                0.5
                            } else {
                                0.0
                            };
                        }
                    }
                    let pairs = (positive.len() * negative.len()) as f64;
                    ensure!(
                        (a - u / pairs).abs() < 1e-12,
                        "{a} against U/n₊n₋ = {}",
                        u / pairs
                    );
                    let swapped = auroc(&negative, &positive).unwrap();
                    ensure!((a + swapped - 1.0).abs() < 1e-12, "the two orders sum to 1");
                }
                Err(e) => ensure!(!valid, "refused valid scores: {e}"),
            }
            Ok(())
        },
    );
}

fn normal_range(suite: &mut Suite) {
    use mlmath::distance::{expected_normal_range, normal_range_sd};
    suite.check(
        "the range of n normals: E R_n grows, E R_n ≤ 2√(2 ln n), sd R_n ≤ √2 (Poincaré)",
        &[
            "distance::expected_normal_range",
            "distance::normal_range_sd",
        ],
        prop_oneof![4 => 0..200usize, 2 => 200..1_000_000usize, 1 => any::<usize>()],
        |n| {
            let (mean, sd) = (expected_normal_range(n), normal_range_sd(n));
            if n == 0 {
                ensure!(mean.is_err() && sd.is_err(), "n = 0 must be refused");
                return Ok(());
            }
            let (mean, sd) = (mean.unwrap(), sd.unwrap());
            if n == 1 {
                ensure!(
                    mean == 0.0 && sd == 0.0,
                    "one value has range 0: {mean}, {sd}"
                );
                return Ok(());
            }
            // E max ≤ √(2 ln n) (Jensen on e^{t max}), and E min = −E max.
            let bound = 2.0 * (2.0 * (n as f64).ln()).sqrt();
            let two_over_root_pi = 2.0 / std::f64::consts::PI.sqrt();
            ensure!(
                mean >= two_over_root_pi - 1e-9 && mean <= bound,
                "E R_{n} = {mean}: outside [E R_2, 2√(2 ln n) = {bound}]"
            );
            if n < usize::MAX {
                let next = expected_normal_range(n + 1).unwrap();
                ensure!(
                    next >= mean - 1e-9,
                    "E R_{} = {next} < E R_{n} = {mean}",
                    n + 1
                );
            }
            // max − min has gradient (1, −1) where it is smooth: Var R ≤ E|∇R|² = 2.
            ensure!(
                sd > 0.0 && sd <= 2f64.sqrt(),
                "sd R_{n} = {sd}: outside (0, √2]"
            );
            Ok(())
        },
    );
}

/// The full-covariance Gaussian class model (against the 2 × 2 and 3 × 3
/// closed forms of the determinant and the inverse), decision grids, and the
/// reliability table (against counting by hand).
fn gaussian_classes_and_calibration(suite: &mut Suite) {
    use mlmath::bayes::GaussianClassifier;
    use mlmath::metrics::reliability;
    use mlmath::table::ShowTable;

    /// det and inverse of a 1 × 1, 2 × 2 or 3 × 3 matrix by cofactors.
    fn det_and_inverse(a: &Array2<f64>) -> (f64, Array2<f64>) {
        let d = a.nrows();
        let minor = |i: usize, j: usize| -> f64 {
            let keep = |k: usize, skip: usize| (0..d).filter(move |&m| m != skip).nth(k).unwrap();
            if d == 2 {
                return a[(1 - i, 1 - j)];
            }
            let (r0, r1, c0, c1) = (keep(0, i), keep(1, i), keep(0, j), keep(1, j));
            a[(r0, c0)] * a[(r1, c1)] - a[(r0, c1)] * a[(r1, c0)]
        };
        if d == 1 {
            return (a[(0, 0)], Array2::from_elem((1, 1), 1.0 / a[(0, 0)]));
        }
        let cofactor = |i: usize, j: usize| {
            let sign = if (i + j).is_multiple_of(2) { 1.0 } else { -1.0 };
            sign * minor(i, j)
        };
        let det: f64 = (0..d).map(|j| a[(0, j)] * cofactor(0, j)).sum();
        (
            det,
            Array2::from_shape_fn((d, d), |(i, j)| cofactor(j, i) / det),
        )
    }

    suite.check(
        "the full-covariance model fits the textbook estimates, and its log joints \
         match the closed-form determinant and inverse",
        &[
            "GaussianClassifier::new",
            "GaussianClassifier::fit",
            "GaussianClassifier::covariance_floor",
            "FittedGaussianClassifier::priors",
            "FittedGaussianClassifier::means",
            "FittedGaussianClassifier::covariances",
            "FittedGaussianClassifier::log_joint",
            "FittedGaussianClassifier::predict_proba",
            "FittedGaussianClassifier::predict",
            "FittedGaussianClassifier::score",
            "FittedGaussianClassifier::n_classes",
            "FittedGaussianClassifier::n_features",
        ],
        (2..20usize, 1..4usize).prop_flat_map(|(n, d)| {
            (
                matrix(n..n + 1, d..d + 1, -10.0..10.0f64),
                labels(n, 3),
                matrix(0..5, d..d + 1, -15.0..15.0f64),
                prop_oneof![Just(0.0), Just(1e6), Just(-1e3)],
                prop_oneof![Just(1.0), Just(1e-2), Just(1e2)],
            )
        }),
        |(x, y, queries, offset, scale)| {
            let (x, queries) = (
                x.mapv(|v| offset + scale * v),
                queries.mapv(|v| offset + scale * v),
            );
            let train = Dataset::new(&x, &y).unwrap();
            let (n, d, c) = (x.nrows(), x.ncols(), train.n_classes());
            let all = (0..n).collect::<Vec<_>>();
            let stats = |rows: &[usize]| -> (Array1<f64>, Array2<f64>) {
                let part = x.select(Axis(0), rows);
                let mean = part.mean_axis(Axis(0)).unwrap();
                let centred = &part - &mean;
                (mean, centred.t().dot(&centred) / rows.len() as f64)
            };
            let largest = stats(&all).1.diag().iter().copied().fold(0.0, f64::max);
            let counts = train.class_counts();
            let varies = largest > 0.0;
            let model = match GaussianClassifier::new().covariance_floor(0.1).fit(&train) {
                Ok(model) => model,
                Err(e) => {
                    ensure!(!(varies && counts.iter().all(|&k| k > 0)), "refused: {e}");
                    return Ok(());
                }
            };
            ensure!(
                varies && counts.iter().all(|&k| k > 0),
                "fitted invalid data"
            );
            ensure!(model.n_classes() == c && model.n_features() == d, "sizes");
            let epsilon = 0.1 * largest;
            let spread = offset.abs() + 10.0 * scale;
            for class in 0..c {
                let rows: Vec<usize> = (0..n).filter(|&i| y[i] == class).collect();
                ensure!(
                    model.priors()[class] == rows.len() as f64 / n as f64,
                    "prior {class}"
                );
                let (mean, sigma) = stats(&rows);
                for j in 0..d {
                    let got = model.means()[(class, j)];
                    ensure!((got - mean[j]).abs() <= 1e-13 * spread, "μ_{class}{j}");
                    for k in 0..d {
                        let want = sigma[(j, k)] + if j == k { epsilon } else { 0.0 };
                        let got = model.covariances()[class][(j, k)];
                        let tolerance = 1e-9 * epsilon + 64.0 * f64::EPSILON * spread * scale;
                        ensure!(
                            (got - want).abs() <= tolerance,
                            "Σ_{class}[{j},{k}]: {got} vs {want}"
                        );
                    }
                }
            }
            // The log joint by the closed forms, on the fitted parameters.
            let joint = model.log_joint(&queries).unwrap();
            let proba = model.predict_proba(&queries).unwrap();
            let predicted = model.predict(&queries).unwrap();
            for (i, q) in queries.rows().into_iter().enumerate() {
                let l: Vec<f64> = (0..c)
                    .map(|k| {
                        let (det, inverse) = det_and_inverse(&model.covariances()[k]);
                        let r = &q - &model.means().row(k);
                        model.priors()[k].ln()
                            - 0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + det.ln())
                            - 0.5 * r.dot(&inverse.dot(&r))
                    })
                    .collect();
                let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = l.iter().map(|v| (v - top).exp()).sum();
                for k in 0..c {
                    ensure!(
                        (joint[(i, k)] - l[k]).abs() <= 1e-8 * (1.0 + l[k].abs()),
                        "l_{i}{k}: {} vs {}",
                        joint[(i, k)],
                        l[k]
                    );
                    let p = (l[k] - top).exp() / total;
                    ensure!((proba[(i, k)] - p).abs() <= 1e-8, "P({k} | x_{i})");
                }
                ensure!(
                    (proba.row(i).sum() - 1.0).abs() < 1e-12,
                    "row {i} sums to 1"
                );
                let second = l
                    .iter()
                    .copied()
                    .filter(|&v| v < top)
                    .fold(f64::NEG_INFINITY, f64::max);
                if top - second > 1e-6 * (1.0 + top.abs()) {
                    ensure!(
                        l[predicted[i]] == top,
                        "predicted {} of {l:?}",
                        predicted[i]
                    );
                }
            }
            let right = model
                .predict(&train)
                .unwrap()
                .iter()
                .zip(&y)
                .filter(|(p, t)| p == t)
                .count();
            ensure!(
                model.score(&train).unwrap() == right as f64 / n as f64,
                "score"
            );
            Ok(())
        },
    );

    suite.check(
        "the full-covariance model and both decision grids on any input: an answer or an \
         error, never a panic",
        &[
            "GaussianClassifier::fit",
            "GaussianClassifier::priors",
            "GaussianClassifier::covariance_floor",
            "FittedGaussianClassifier::predict_proba",
            "FittedGaussianClassifier::class_names",
            "FittedGaussianClassifier::decision_grid",
            "FittedGaussianNaiveBayes::decision_grid",
        ],
        (
            extreme_matrix(),
            0..3usize,
            any_f64(),
            proptest::option::of(vector(0..4, any_f64())),
            extreme_matrix(),
            (any_f64(), any_f64(), 0..6usize),
        ),
        |(x, classes, floor, priors, queries, (low, high, resolution))| {
            let y = Array1::from_shape_fn(x.nrows(), |i| i % (classes + 1));
            let train = Dataset::new(&x, &y).unwrap();
            let floor = if floor.is_sign_negative() {
                1e-9
            } else {
                floor
            };
            let mut qda = GaussianClassifier::new().covariance_floor(floor);
            let mut gnb = GaussianNaiveBayes::new();
            if let Some(p) = &priors {
                qda = qda.priors(p);
                gnb = gnb.priors(p);
            }
            let range = (low, high);
            if let Ok(model) = gnb.fit(&train) {
                match model.decision_grid(range, (0.0, 1.0), resolution) {
                    Ok(grid) => {
                        ensure!(x.ncols() == 2 && low < high && resolution > 0, "bad grid");
                        ensure!(grid.dim() == (resolution, resolution), "grid shape");
                        ensure!(grid.iter().all(|&k| k < train.n_classes()), "grid class");
                    }
                    Err(e) => ensure!(!e.to_string().is_empty(), "an empty message"),
                }
            }
            let Ok(model) = qda.fit(&train) else {
                return Ok(());
            };
            ensure!(x.nrows() > 0 && finite(&x), "fitted on invalid data");
            ensure!(model.class_names() == train.class_names(), "class names");
            for sigma in model.covariances() {
                ensure!(
                    sigma.iter().all(|v| v.is_finite()),
                    "a covariance that is not finite"
                );
                ensure!(sigma == sigma.t(), "a covariance that is not symmetric");
            }
            match model.predict_proba(&queries) {
                Ok(p) => {
                    ensure!(
                        queries.ncols() == x.ncols() && finite(&queries),
                        "bad queries"
                    );
                    for row in p.rows() {
                        ensure!(row.iter().all(|v| (0.0..=1.0).contains(v)), "{row}");
                        ensure!((row.sum() - 1.0).abs() < 1e-9, "sum {}", row.sum());
                    }
                }
                Err(e) => ensure!(!e.to_string().is_empty(), "an empty message"),
            }
            match model.decision_grid(range, (-1.0, 1.0), resolution) {
                Ok(grid) => {
                    ensure!(x.ncols() == 2 && low < high && resolution > 0, "bad grid");
                    ensure!(grid.iter().all(|&k| k < train.n_classes()), "grid class");
                }
                Err(e) => ensure!(!e.to_string().is_empty(), "an empty message"),
            }
            Ok(())
        },
    );

    suite.check(
        "the reliability table counts confidences and right answers as by hand",
        &[
            "metrics::reliability",
            "Reliability::bins",
            "Reliability::len",
            "Reliability::is_empty",
            "Reliability::mean_confidence",
            "Reliability::accuracy",
            "Reliability::confidence_gap",
            "Reliability::calibrated_std",
            "Reliability::expected_calibration_error",
            "Reliability::table",
        ],
        (0..12usize, 1..4usize).prop_flat_map(|(n, c)| {
            (
                proptest::collection::vec(
                    prop_oneof![4 => 0.0..1.0f64, 1 => Just(0.0), 1 => Just(1.0)],
                    n * c,
                ),
                proptest::collection::vec(prop_oneof![9 => 0..c, 1 => Just(c)], n),
                prop_oneof![Just(0usize), 1..12usize, Just(1001usize)],
                prop_oneof![8 => Just(None), 1 => Just(Some(f64::NAN)), 1 => Just(Some(-0.5))],
                Just(c),
            )
        }),
        |(raw, truth, bins, spoil, c)| {
            let n = truth.len();
            // Rows made into probabilities by dividing by their sum (a zero row stays zero).
            let mut proba = Array2::from_shape_vec((n, c), raw).unwrap();
            for mut row in proba.rows_mut() {
                let total = row.sum();
                if total > 0.0 {
                    row /= total;
                }
            }
            if let (Some(v), true) = (spoil, n > 0) {
                proba[(0, 0)] = v;
            }
            let truth = Array1::from(truth);
            let valid_rows = proba.rows().into_iter().all(|r| {
                r.iter().all(|v| (0.0..=1.0).contains(v)) && (r.sum() - 1.0).abs() <= 1e-6
            });
            let valid =
                n > 0 && (1..=1000).contains(&bins) && valid_rows && truth.iter().all(|&t| t < c);
            let table = match reliability(&proba, &truth, bins) {
                Ok(table) => table,
                Err(e) => {
                    ensure!(!valid, "refused valid input: {e}");
                    return Ok(());
                }
            };
            ensure!(valid, "accepted invalid input");
            // By hand: the first largest probability of each row, and its bin.
            let mut hand: Vec<(usize, f64, usize)> = vec![(0, 0.0, 0); bins];
            let (mut confidence_sum, mut right, mut variance) = (0.0, 0, 0.0);
            for (row, &t) in proba.rows().into_iter().zip(&truth) {
                let guess = (0..c).fold(0, |b, k| if row[k] > row[b] { k } else { b });
                let p = row[guess];
                let b = ((p * bins as f64).floor() as usize).min(bins - 1);
                hand[b].0 += 1;
                hand[b].1 += p;
                hand[b].2 += usize::from(guess == t);
                confidence_sum += p;
                right += usize::from(guess == t);
                variance += p * (1.0 - p);
            }
            let filled: Vec<usize> = (0..bins).filter(|&b| hand[b].0 > 0).collect();
            ensure!(table.len() == n && !table.is_empty(), "n");
            ensure!(table.bins().len() == filled.len(), "filled bins");
            for (bin, &b) in table.bins().iter().zip(&filled) {
                let (count, sum, hits) = hand[b];
                ensure!(bin.count == count, "count of bin {b}");
                ensure!(bin.low == b as f64 / bins as f64, "low edge of bin {b}");
                ensure!(
                    (bin.confidence - sum / count as f64).abs() < 1e-12,
                    "conf {b}"
                );
                ensure!(bin.accuracy == hits as f64 / count as f64, "acc {b}");
                ensure!(
                    bin.confidence >= bin.low - 1e-12 && bin.confidence <= bin.high + 1e-12,
                    "bin {b}'s mean confidence {} lies outside it",
                    bin.confidence
                );
            }
            let mean_conf = confidence_sum / n as f64;
            let acc = right as f64 / n as f64;
            ensure!(
                (table.mean_confidence() - mean_conf).abs() < 1e-12,
                "mean confidence"
            );
            ensure!((table.accuracy() - acc).abs() < 1e-12, "accuracy");
            ensure!(
                (table.confidence_gap() - (mean_conf - acc)).abs() < 1e-12,
                "gap"
            );
            ensure!(
                (table.calibrated_std() - variance.sqrt() / n as f64).abs() < 1e-12,
                "σ"
            );
            let ece = table.expected_calibration_error();
            ensure!(
                ece >= table.confidence_gap().abs() - 1e-12 && ece <= 1.0 + 1e-12,
                "|gap| ≤ ECE ≤ 1: {ece}"
            );
            if bins == 1 {
                ensure!(
                    (ece - table.confidence_gap().abs()).abs() < 1e-12,
                    "one bin"
                );
            }
            ensure!(
                table.table().len() == filled.len(),
                "a table row per filled bin"
            );
            Ok(())
        },
    );

    // A dataset carries at most max(rows, MAX_LABEL) classes, so a fit on class codes
    // such as 10⁹ is refused when the dataset is made instead of looping over
    // a billion empty classes.
    suite.check(
        "naive Bayes fits any dataset that can be made, its classes capped",
        &["GaussianNaiveBayes::fit", "Dataset::new"],
        (
            matrix(1..8, 1..3, any_f64()),
            proptest::collection::vec(prop_oneof![0..4usize, 1_000_000_000..usize::MAX], 8),
        ),
        |(x, codes)| {
            let y = Array1::from(codes[..x.nrows()].to_vec());
            match Dataset::new(&x, &y) {
                Ok(d) => {
                    ensure!(
                        d.n_classes() <= Dataset::MAX_LABEL,
                        "{} classes",
                        d.n_classes()
                    );
                    // an error (a constant feature, a missing class) is fine; a hang is not
                    let _ = GaussianNaiveBayes::new().fit(&d);
                }
                Err(e) => ensure!(
                    y.iter().any(|&c| c >= Dataset::MAX_LABEL) && e.to_string().contains("relabel"),
                    "refused {y}: {e}"
                ),
            }
            Ok(())
        },
    );
}

/// Errors name the argument that holds the problem, with that argument's own
/// index, and a dataset without feature columns is refused by k-NN.
fn errors_name_their_argument(suite: &mut Suite) {
    suite.check(
        "a non-finite query or row is named with its own index; k-NN refuses 0 columns",
        &[
            "distance::distance_concentration",
            "Knn::fit",
            "FittedKnn::neighbours",
        ],
        (1..6usize, 1..5usize, 0..6usize, 0..6usize, any::<bool>()),
        |(n, d, row, column, in_query)| {
            let (row, column) = (row % n, column % d);
            let mut x = Array2::from_shape_fn((n, d), |(i, j)| (i * d + j) as f64 + 1.0);
            let mut query = Array1::from_elem(d, -0.5);
            if in_query {
                query[column] = f64::NAN;
            } else {
                x[(row, column)] = f64::NAN;
            }
            let e = distance_concentration(&x, &query).unwrap_err().to_string();
            let (name, index) = if in_query {
                ("query", format!("[{column}]"))
            } else {
                ("x", format!("[{row}, {column}]"))
            };
            ensure!(
                e.contains(name) && e.contains(&index),
                "{e}: expected {name} {index}"
            );
            if in_query {
                let labels = Array1::from_shape_fn(n, |i| i % 2);
                let clean = x.mapv(|v| if v.is_finite() { v } else { 0.0 });
                let model = Knn::new(1)
                    .fit(&Dataset::new(&clean, &labels).unwrap())
                    .unwrap();
                let e = model.neighbours(&query).unwrap_err().to_string();
                ensure!(
                    e.contains("query") && e.contains(&index),
                    "{e}: expected query {index}"
                );
            }
            let no_columns = Dataset::new(&Array2::<f64>::zeros((n, 0)), &Array1::zeros(n));
            if let Ok(data) = no_columns {
                ensure!(
                    Knn::new(1).fit(&data).is_err(),
                    "k-NN fitted a dataset of 0 columns"
                );
            }
            Ok(())
        },
    );
}
