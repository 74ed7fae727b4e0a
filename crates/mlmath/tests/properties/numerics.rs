//! Properties of the numerical modules: linear solves, least squares,
//! eigenvalues (Jacobi and power iteration), the losses and descents of
//! `descent`, and PCA with covariance and correlation.
//!
//! Each answer is checked against a computation that does not share the
//! crate's code: residuals `A x − b`, a solution chosen before the system
//! was built, closed forms (the slope of a line, the eigenvalues of a 2 × 2),
//! finite differences, and sums over deviations written out here.

// `ensure!(a < b, ..)` expands to `if !(a < b)`, which is what is meant for floats.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use mlmath::descent::{
    GradientDescent, Lms, divergence_threshold, least_squares, mse, mse_gradient, mse_hessian,
    numerical_gradient,
};
use mlmath::linalg::{power_iteration, solve, solve_least_squares, symmetric_eigen};
use mlmath::pca::{Pca, components_for_variance, correlation, covariance};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use proptest::prelude::*;

use crate::ensure;
use crate::harness::Suite;
use crate::inputs::{any_f64, any_matrix, finite_f64, matrix, vector};

/// `max |a_ij|`.
fn largest(a: ArrayView2<f64>) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// The Householder reflection `I − 2 u uᵀ / (uᵀ u)`: an orthogonal matrix
/// made without the crate (`u ≠ 0`).
fn reflection(u: &Array1<f64>) -> Array2<f64> {
    let n = u.len();
    let uu = u.dot(u);
    Array2::from_shape_fn((n, n), |(i, j)| {
        f64::from(u8::from(i == j)) - 2.0 * u[i] * u[j] / uu
    })
}

/// `Q diag(values) Qᵀ`.
fn with_spectrum(q: &Array2<f64>, values: &[f64]) -> Array2<f64> {
    q.dot(&Array2::from_diag(&Array1::from(values.to_vec())))
        .dot(&q.t())
}

/// Powers of ten from 10^low to 10^high.
fn power_of_ten(low: i32, high: i32) -> impl Strategy<Value = f64> + Clone {
    (low..=high).prop_map(|e| 10f64.powi(e))
}

/// An offset a learner's data may sit at.
fn offset() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        Just(0.0),
        Just(1e9),
        Just(-1e9),
        Just(1e6),
        -100.0..100.0f64
    ]
}

/// A square matrix `(n, n)`, `n` in `sizes`, with entries from `entry`, and a vector `(n,)`.
fn square_system<E: Strategy<Value = f64> + Clone>(
    sizes: std::ops::Range<usize>,
    entry: E,
) -> impl Strategy<Value = (Array2<f64>, Array1<f64>)> {
    sizes.prop_flat_map(move |n| {
        (
            matrix(n..n + 1, n..n + 1, entry.clone()),
            vector(n..n + 1, entry.clone()),
        )
    })
}

/// A symmetric `(n, n)` matrix: `(R + Rᵀ)/2` times `scale`, entries of R in [−10, 10].
fn symmetric(
    sizes: std::ops::Range<usize>,
    scale: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = Array2<f64>> {
    (sizes, scale).prop_flat_map(|(n, s)| {
        matrix(n..n + 1, n..n + 1, -10.0..10.0f64).prop_map(move |r| (&r + &r.t()) * (s / 2.0))
    })
}

pub fn all(suite: &mut Suite) {
    linear_systems(suite);
    eigenvalues(suite);
    losses(suite);
    descents(suite);
    principal_components(suite);
}

fn linear_systems(suite: &mut Suite) {
    suite.check(
        "solve never panics, and what it returns solves A x = b",
        &["linalg::solve"],
        (square_system(0..6, any_f64()), 0..3usize),
        |((a, b), trim)| {
            // Shapes that disagree too: b shortened by `trim`.
            let b = b
                .slice_axis(Axis(0), (..b.len().saturating_sub(trim % 2)).into())
                .to_owned();
            if let Ok(x) = solve(&a, &b) {
                ensure!(
                    a.nrows() == a.ncols() && b.len() == a.nrows(),
                    "accepted a bad shape"
                );
                ensure!(
                    a.iter().chain(&b).all(|v| v.is_finite()),
                    "accepted a NaN or ∞"
                );
                ensure!(x.iter().all(|v| v.is_finite()), "returned {x}");
                // Backward stable: on A equilibrated here (row i divided by
                // its largest entry R_i, then column j by its largest C_j),
                // ‖b/R − Â (C x)‖ ≤ tolerance · ‖Â‖ ‖C x‖.
                let n = a.nrows();
                let rows: Vec<f64> = (0..n)
                    .map(|i| largest(a.row(i).insert_axis(Axis(0))))
                    .collect();
                let columns: Vec<f64> = (0..n)
                    .map(|j| (0..n).fold(0.0f64, |m, i| m.max((a[(i, j)] / rows[i]).abs())))
                    .collect();
                let size = (0..n).fold(0.0f64, |m, j| m.max((columns[j] * x[j]).abs()));
                for i in 0..n {
                    let r =
                        (0..n).map(|j| a[(i, j)] / rows[i] * x[j]).sum::<f64>() - b[i] / rows[i];
                    if r.is_finite() {
                        ensure!(
                            r.abs() <= 1e-10 * n as f64 * size,
                            "row {i}: residual {r:e}, ‖C x‖ {size:e}"
                        );
                    }
                }
            }
            Ok(())
        },
    );

    suite.check(
        "solve finds a chosen x at any scale of rows and columns, in any row order",
        &["linalg::solve"],
        (1..7usize).prop_flat_map(|n| {
            (
                matrix(n..n + 1, n..n + 1, -1.0..1.0f64),
                vector(n..n + 1, -1.0..1.0f64),
                proptest::collection::vec(-150i32..150, n),
                proptest::collection::vec(-150i32..150, n),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                prop_oneof![Just(1.0), Just(1e-10)],
            )
        }),
        |(m, z, row_exponents, column_exponents, order, off_diagonal)| {
            // A = D_r P M D_c with M diagonally dominant (condition number
            // below about 3n) and P a permutation of the rows, so that
            // z = D_c x is determined to about 1e-15. With small entries
            // off M's diagonal, P puts tiny numbers where elimination
            // pivots: without pivoting the answer would be lost.
            let n = m.nrows();
            let m = &m * off_diagonal + &(Array2::<f64>::eye(n) * (n as f64 + 1.0));
            let m = m.select(Axis(0), &order);
            let dr: Vec<f64> = row_exponents.iter().map(|&e| 10f64.powi(e)).collect();
            let dc: Vec<f64> = column_exponents.iter().map(|&e| 10f64.powi(e)).collect();
            let a = Array2::from_shape_fn((n, n), |(i, j)| dr[i] * m[(i, j)] * dc[j]);
            let x_chosen = Array1::from_shape_fn(n, |j| z[j] / dc[j]);
            let b =
                Array1::from_shape_fn(n, |i| dr[i] * (0..n).map(|j| m[(i, j)] * z[j]).sum::<f64>());
            let x = solve(&a, &b).map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            for j in 0..n {
                let error = (x[j] - x_chosen[j]) * dc[j];
                ensure!(error.abs() < 1e-12, "x[{j}] = {} vs {}", x[j], x_chosen[j]);
            }
            Ok(())
        },
    );

    suite.check(
        "a repeated row or column (singular A) is an error that says so",
        &["linalg::solve"],
        (
            square_system(2..6, finite_f64()),
            any::<bool>(),
            0..6usize,
            0..6usize,
            -3i32..3,
        ),
        |((mut a, b), rows, from, to, power)| {
            let n = a.nrows();
            let (from, to) = (from % n, to % n);
            let to = if to == from { (to + 1) % n } else { to };
            // A copy times a power of two: exactly dependent, even in floating point.
            let factor = 2f64.powi(power);
            if rows {
                let copy = a.row(from).mapv(|v| v * factor);
                a.row_mut(to).assign(&copy);
            } else {
                let copy = a.column(from).mapv(|v| v * factor);
                a.column_mut(to).assign(&copy);
            }
            match solve(&a, &b) {
                Ok(x) => ensure!(false, "solved a singular system: {x}"),
                Err(e) => ensure!(e.to_string().contains("singular"), "{e}"),
            }
            Ok(())
        },
    );

    suite.check(
        "least squares gives back x on exact systems and the closed form of a line",
        &["linalg::solve_least_squares"],
        (1..5usize, 0..6usize).prop_flat_map(|(d, extra)| {
            let n = d + extra;
            (
                matrix(n..n + 1, d..d + 1, -1.0..1.0f64),
                vector(d..d + 1, -5.0..5.0f64),
                vector(n..n + 1, -1.0..1.0f64),
            )
        }),
        |(m, x_chosen, noise)| {
            let (n, d) = m.dim();
            // Diagonally dominant in its top block: full column rank, well conditioned.
            let mut a = m;
            for j in 0..d {
                a[(j, j)] += d as f64 + 1.0;
            }
            let b = a.dot(&x_chosen);
            let x = solve_least_squares(&a, &b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for j in 0..d {
                ensure!((x[j] - x_chosen[j]).abs() < 1e-10, "x = {x} vs {x_chosen}");
            }
            // A line through noisy points: the slope cov(t, b)/var(t) by hand.
            if n >= 2 {
                let t = a.column(0).to_owned();
                let b = &t * 2.0 + 1.0 + &noise;
                let design = ndarray::stack(Axis(1), &[Array1::ones(n).view(), t.view()]).unwrap();
                let (tm, bm) = (t.mean().unwrap(), b.mean().unwrap());
                let sxx: f64 = t.iter().map(|v| (v - tm).powi(2)).sum();
                match solve_least_squares(&design, &b) {
                    Ok(line) => {
                        let sxy: f64 = t.iter().zip(&b).map(|(u, v)| (u - tm) * (v - bm)).sum();
                        let slope = sxy / sxx;
                        let tolerance = 1e-9 * (1.0 + slope.abs()) * (1.0 + tm.abs() / sxx.sqrt());
                        ensure!(
                            (line[1] - slope).abs() < tolerance,
                            "slope {} vs {slope}",
                            line[1]
                        );
                        ensure!(
                            (line[0] - (bm - slope * tm)).abs() < tolerance * (1.0 + tm.abs()),
                            "intercept"
                        );
                    }
                    Err(e) => ensure!(sxx < 1e-20 * (1.0 + tm * tm), "refused a line: {e}"),
                }
            }
            Ok(())
        },
    );

    suite.check(
        "a column repeating another (times a power of two) is refused by least squares",
        &["linalg::solve_least_squares", "descent::least_squares"],
        (3..12usize, 2..4usize, -3i32..3, any::<u64>()).prop_flat_map(|(n, d, power, pick)| {
            (
                matrix(n..n + 1, d..d + 1, finite_f64()),
                vector(n..n + 1, finite_f64()),
                Just((power, pick)),
            )
        }),
        |(mut a, b, (power, pick))| {
            let d = a.ncols();
            let (from, to) = (
                (pick % d as u64) as usize,
                ((pick / 7 + 1) % d as u64) as usize,
            );
            prop_assume!(from != to);
            let copy = a.column(from).mapv(|v| v * 2f64.powi(power));
            a.column_mut(to).assign(&copy);
            match solve_least_squares(&a, &b) {
                Ok(x) => ensure!(false, "fitted dependent columns: {x}"),
                Err(e) => ensure!(e.to_string().contains("combination"), "{e}"),
            }
            if a.nrows() > d {
                match least_squares(&a, &b) {
                    Ok((w, _)) => ensure!(false, "fitted dependent columns: {w}"),
                    Err(e) => ensure!(e.to_string().contains("column"), "{e}"),
                }
            }
            Ok(())
        },
    );

    suite.check(
        "least squares never panics on any input",
        &["linalg::solve_least_squares", "linalg::solve"],
        (any_matrix(), vector(0..12, any_f64())),
        |(a, b)| {
            if let Ok(x) = solve_least_squares(&a, &b) {
                ensure!(
                    a.nrows() >= a.ncols() && b.len() == a.nrows(),
                    "accepted a bad shape"
                );
                ensure!(
                    x.len() == a.ncols() && x.iter().all(|v| v.is_finite()),
                    "returned {x}"
                );
            }
            let _ = solve(&a, &b);
            Ok(())
        },
    );
}

fn eigenvalues(suite: &mut Suite) {
    suite.check(
        "Jacobi eigenpairs satisfy A v = λ v with orthonormal v, from 1e-290 to 1e290",
        &[
            "linalg::symmetric_eigen",
            "SymmetricEigen::values",
            "SymmetricEigen::vectors",
        ],
        symmetric(
            1..7,
            prop_oneof![power_of_ten(-290, 290), Just(1e200), Just(1.0)],
        ),
        |a| {
            let n = a.nrows();
            let eig = symmetric_eigen(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (values, vectors) = (eig.values(), eig.vectors());
            let size = largest(a.view());
            if size == 0.0 {
                ensure!(values.iter().all(|&v| v == 0.0), "zero matrix: {values}");
                return Ok(());
            }
            // Checked on A / max |a|, so that the check itself cannot overflow.
            let scaled = &a / size;
            for k in 0..n {
                let v = vectors.column(k);
                let residual = scaled.dot(&v) - &v * (values[k] / size);
                let worst = residual.iter().fold(0.0f64, |m, r| m.max(r.abs()));
                ensure!(
                    worst < 1e-12 * n as f64,
                    "pair {k}: ‖A v − λ v‖ = {worst:e} · max|a|"
                );
                ensure!(
                    k == 0 || values[k - 1] >= values[k],
                    "not decreasing: {values}"
                );
            }
            let gram = vectors.t().dot(vectors);
            for ((i, j), g) in gram.indexed_iter() {
                let expected = if i == j { 1.0 } else { 0.0 };
                ensure!((g - expected).abs() < 1e-12, "VᵀV[{i}, {j}] = {g}");
            }
            let trace: f64 = scaled.diag().sum();
            let sum: f64 = values.iter().map(|v| v / size).sum();
            ensure!(
                (trace - sum).abs() < 1e-12 * n as f64,
                "trace {trace} vs Σλ {sum}"
            );
            Ok(())
        },
    );

    suite.check(
        "a 2 × 2 has the eigenvalues of its characteristic polynomial",
        &["linalg::symmetric_eigen"],
        (
            finite_f64(),
            finite_f64(),
            finite_f64(),
            power_of_ten(-200, 200),
        ),
        |(p, q, r, unit)| {
            // [[p, q], [q, r]]: λ = (p + r)/2 ± √(((p − r)/2)² + q²).
            let a = ndarray::array![[p, q], [q, r]] * unit;
            let eig = symmetric_eigen(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (mid, radius) = ((p + r) / 2.0, ((p - r) / 2.0).hypot(q));
            for (got, want) in eig.values().iter().zip([mid + radius, mid - radius]) {
                let tolerance = 1e-12 * (p.abs() + q.abs() + r.abs());
                ensure!(
                    (got / unit - want).abs() <= tolerance,
                    "{got} vs {want} · {unit}"
                );
            }
            Ok(())
        },
    );

    suite.check(
        "bad matrices are errors, never panics",
        &["linalg::symmetric_eigen", "linalg::power_iteration"],
        (any_matrix(), 0..4usize, any::<u64>()),
        |(a, iterations, seed)| {
            let symmetric_input = a.nrows() == a.ncols() && a.iter().all(|v| v.is_finite());
            if let Ok(eig) = symmetric_eigen(&a) {
                ensure!(symmetric_input, "accepted {a}");
                ensure!(
                    eig.values().iter().all(|v| v.is_finite()),
                    "values {}",
                    eig.values()
                );
            }
            if let Ok((lambda, v)) = power_iteration(&a, iterations, seed) {
                ensure!(
                    iterations > 0 && symmetric_input,
                    "accepted {a} with {iterations} steps"
                );
                ensure!(
                    lambda.is_finite() && v.iter().all(|x| x.is_finite()),
                    "{lambda}, {v}"
                );
            }
            Ok(())
        },
    );

    suite.check(
        "power iteration agrees with Jacobi, or says it did not converge",
        &["linalg::power_iteration", "linalg::symmetric_eigen"],
        (
            symmetric(1..6, prop_oneof![Just(1.0), Just(1e200), Just(1e-200)]),
            any::<u64>(),
        ),
        |(a, seed)| {
            let eig = symmetric_eigen(&a).unwrap();
            let size = largest(a.view());
            let dominant = eig.values().iter().fold(0.0f64, |m, v| m.max(v.abs()));
            match power_iteration(&a, 2000, seed) {
                Ok((lambda, v)) => {
                    if size == 0.0 {
                        ensure!(lambda == 0.0, "λ = {lambda} for a zero matrix");
                        return Ok(());
                    }
                    ensure!(
                        (lambda.abs() - dominant).abs() <= 1e-7 * a.nrows() as f64 * size,
                        "λ = {lambda}, Jacobi's largest magnitude {dominant}"
                    );
                    let residual = (&a / size).dot(&v) - &v * (lambda / size);
                    let worst = residual.iter().fold(0.0f64, |m, r| m.max(r.abs()));
                    ensure!(worst < 1e-7, "‖A v − λ v‖ = {worst:e} · max|a|");
                }
                Err(e) => {
                    // Only when the two largest magnitudes are close: then
                    // 2000 steps cannot separate them.
                    let mut magnitudes: Vec<f64> = eig.values().iter().map(|v| v.abs()).collect();
                    magnitudes.sort_by(|x, y| y.total_cmp(x));
                    let ratio = magnitudes[1] / magnitudes[0];
                    ensure!(ratio > 0.98, "gave up with |λ₂/λ₁| = {ratio}: {e}");
                    ensure!(e.to_string().contains("power iteration"), "{e}");
                }
            }
            Ok(())
        },
    );

    suite.check(
        "power iteration refuses ±λ and names it",
        &["linalg::power_iteration"],
        (
            vector(3..6, -1.0..1.0f64),
            0.5..100.0f64,
            power_of_ten(-150, 150),
            any::<u64>(),
        ),
        |(u, lambda, unit, seed)| {
            prop_assume!(u.dot(&u) > 1e-3);
            let n = u.len();
            let q = reflection(&u);
            // Eigenvalues λ, −λ and smaller ones.
            let mut values = vec![lambda, -lambda];
            values.extend((2..n).map(|k| lambda / (k as f64 + 1.0)));
            let a = with_spectrum(&q, &values) * unit;
            match power_iteration(&a, 300, seed) {
                Ok((l, _)) => ensure!(false, "returned λ = {l} for ±{}", lambda * unit),
                Err(e) => ensure!(e.to_string().contains('±'), "{e}"),
            }
            Ok(())
        },
    );
}

fn losses(suite: &mut Suite) {
    suite.check(
        "the gradient of the mse matches finite differences, and the mse its formula",
        &[
            "descent::mse",
            "descent::mse_gradient",
            "descent::numerical_gradient",
        ],
        (1..8usize, 0..4usize).prop_flat_map(|(n, d)| {
            (
                matrix(n..n + 1, d..d + 1, -10.0..10.0f64),
                vector(n..n + 1, -10.0..10.0f64),
                vector(d..d + 1, -3.0..3.0f64),
                -3.0..3.0f64,
            )
        }),
        |(x, y, w, b)| {
            let loss = mse(&x, &y, &w, b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let n = x.nrows() as f64;
            let by_hand: f64 = (0..x.nrows())
                .map(|i| (x.row(i).dot(&w) + b - y[i]).powi(2))
                .sum::<f64>()
                / n;
            ensure!(
                (loss - by_hand).abs() <= 1e-12 * (1.0 + by_hand),
                "{loss} vs {by_hand}"
            );
            let (gw, gb) = mse_gradient(&x, &y, &w, b).unwrap();
            let theta: Array1<f64> = w.iter().copied().chain([b]).collect();
            let d = w.len();
            let f = |t: ArrayView1<f64>| mse(&x, &y, t.slice_axis(Axis(0), (..d).into()), t[d]);
            let numeric = numerical_gradient(f, &theta, 1e-3).unwrap();
            // The loss is quadratic: centred differences are exact up to rounding.
            let tolerance = 1e-9 * (1.0 + loss);
            for k in 0..d {
                ensure!(
                    (gw[k] - numeric[k]).abs() < tolerance,
                    "∂L/∂w{k}: {} vs {}",
                    gw[k],
                    numeric[k]
                );
            }
            ensure!(
                (gb - numeric[d]).abs() < tolerance,
                "∂L/∂b: {gb} vs {}",
                numeric[d]
            );
            Ok(())
        },
    );

    suite.check(
        "losses never panic on any input",
        &[
            "descent::mse",
            "descent::mse_gradient",
            "descent::mse_hessian",
            "descent::divergence_threshold",
            "descent::least_squares",
            "descent::numerical_gradient",
        ],
        (
            any_matrix(),
            vector(0..12, any_f64()),
            vector(0..6, any_f64()),
            any_f64(),
            any_f64(),
        ),
        |(x, y, w, b, h)| {
            let valid = x.nrows() > 0
                && y.len() == x.nrows()
                && w.len() == x.ncols()
                && x.iter().chain(&y).chain(&w).all(|v| v.is_finite())
                && b.is_finite();
            match mse(&x, &y, &w, b) {
                Ok(l) => ensure!(valid && l >= 0.0 && !l.is_nan(), "mse {l}"),
                Err(e) => ensure!(
                    !valid || e.to_string().contains("overflows"),
                    "refused: {e}"
                ),
            }
            if let Ok((gw, _)) = mse_gradient(&x, &y, &w, b) {
                ensure!(
                    valid && gw.len() == x.ncols(),
                    "mse_gradient accepted bad input"
                );
            }
            if let Ok(h) = mse_hessian(&x) {
                ensure!(h.iter().all(|v| v.is_finite()), "Hessian {h}");
            }
            if let Ok(eta) = divergence_threshold(&x) {
                ensure!(eta.is_finite() && eta > 0.0, "threshold {eta}");
            }
            if let Ok((w, b)) = least_squares(&x, &y) {
                ensure!(
                    w.iter().all(|v| v.is_finite()) && b.is_finite(),
                    "least squares {w}, {b}"
                );
            }
            let g = numerical_gradient(|t: ArrayView1<f64>| t.sum(), &w, h);
            if g.is_ok() {
                ensure!(h > 0.0 && h.is_finite(), "accepted h = {h}");
            }
            Ok(())
        },
    );

    suite.check(
        "least squares is the line of the closed form, even at an offset of 1e9",
        &["descent::least_squares"],
        (
            3..30usize,
            offset(),
            prop_oneof![Just(1.0), Just(1e-3), Just(1e4)],
            -5.0..5.0f64,
            -5.0..5.0f64,
            any::<u64>(),
        )
            .prop_flat_map(|(n, at, spread, slope, intercept, seed)| {
                (
                    vector(n..n + 1, -1.0..1.0f64),
                    vector(n..n + 1, -1.0..1.0f64),
                    Just((at, spread, slope, intercept, seed)),
                )
            }),
        |(u, noise, (at, spread, slope, intercept, _))| {
            let t = u.mapv(|v| at + spread * v);
            let x = t.clone().insert_axis(Axis(1));
            // The deviations from `at` are exact (the points are near it), so
            // the reference works with numbers of ordinary size.
            let deviations = t.mapv(|v| v - at);
            let y = deviations.mapv(|v| slope * v + intercept) + &(&noise * 0.1 * spread);
            let (dm, ym) = (deviations.mean().unwrap(), y.mean().unwrap());
            let sxx: f64 = deviations.iter().map(|v| (v - dm).powi(2)).sum();
            let sxy: f64 = deviations
                .iter()
                .zip(&y)
                .map(|(a, b)| (a - dm) * (b - ym))
                .sum();
            match least_squares(&x, &y) {
                Ok((w, b)) => {
                    let reference = sxy / sxx;
                    // Relative to the spread of the data, the slope is well determined.
                    let scale = (sxx / t.len() as f64).sqrt();
                    ensure!(
                        (w[0] - reference).abs() * scale
                            <= 1e-9 * (1.0 + y.iter().fold(0.0f64, |m, v| m.max(v.abs()))),
                        "slope {} vs {reference} at offset {at}",
                        w[0]
                    );
                    // The predictions at the data, against the reference line.
                    for (i, &ti) in t.iter().enumerate() {
                        let predicted = w[0] * ti + b;
                        let expected = ym + reference * (deviations[i] - dm);
                        let tolerance = 1e-6 * (1.0 + ym.abs()) + 1e-15 * (w[0] * at).abs() * 10.0;
                        ensure!(
                            (predicted - expected).abs() <= tolerance,
                            "row {i}: {predicted} vs {expected}"
                        );
                    }
                }
                Err(e) => ensure!(sxx == 0.0, "refused a line with spread {sxx}: {e}"),
            }
            Ok(())
        },
    );

    suite.check(
        "the Hessian is (2/n) AᵀA and the threshold 2/λmax of its closed form",
        &["descent::mse_hessian", "descent::divergence_threshold"],
        (vector(1..20, -10.0..10.0f64), offset()),
        |(t, at)| {
            let x = t.mapv(|v| v + at).insert_axis(Axis(1));
            let h = mse_hessian(&x).unwrap();
            let n = t.len() as f64;
            let (sx, sxx) = (x.sum(), x.iter().map(|v| v * v).sum::<f64>());
            let expected = ndarray::array![[2.0 * sxx / n, 2.0 * sx / n], [2.0 * sx / n, 2.0]];
            for (got, want) in h.iter().zip(&expected) {
                ensure!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{h} vs {expected}"
                );
            }
            // λmax of [[p, q], [q, r]] is (p + r)/2 + √(((p − r)/2)² + q²).
            let (p, q, r) = (expected[(0, 0)], expected[(0, 1)], expected[(1, 1)]);
            let lambda_max = (p + r) / 2.0 + ((p - r) / 2.0).hypot(q);
            let eta = divergence_threshold(&x).unwrap();
            ensure!(
                (eta * lambda_max / 2.0 - 1.0).abs() < 1e-10,
                "{eta} vs 2/{lambda_max}"
            );
            Ok(())
        },
    );
}

fn descents(suite: &mut Suite) {
    suite.check(
        "gradient descent converges below 2/λmax and diverges above it",
        &[
            "GradientDescent::new",
            "GradientDescent::steps",
            "GradientDescent::run",
            "DescentPath::points",
            "DescentPath::losses",
            "DescentPath::diverged",
            "DescentPath::last_loss",
            "DescentPath::steps_taken",
            "DescentPath::coordinate",
        ],
        (
            vector(1..5, 0.1..10.0f64),
            vector(1..5, -3.0..3.0f64),
            0.05..1.95f64,
        ),
        |(curvatures, start, fraction)| {
            let d = curvatures.len().min(start.len());
            let c = curvatures.slice_axis(Axis(0), (..d).into()).to_owned();
            let start = start.slice_axis(Axis(0), (..d).into()).to_owned();
            prop_assume!(start.iter().any(|v| v.abs() > 0.1));
            // L(θ) = Σ c_k θ_k²: Hessian diag(2 c_k), threshold 2/(2 max c).
            let threshold = 1.0 / c.iter().fold(0.0f64, |m, &v| m.max(v));
            let eta = fraction * threshold;
            let loss = |t: ArrayView1<f64>| (&c * &t).dot(&t);
            let gradient = |t: ArrayView1<f64>| &c * &t * 2.0;
            let path = GradientDescent::new(eta)
                .steps(3000)
                .run(gradient, loss, &start)
                .unwrap();
            // The first step by hand: θ₁ = θ₀ − η · 2 c θ₀.
            if path.points().len() > 1 {
                let first = &start - &(&c * &start * (2.0 * eta));
                ensure!(
                    (&path.points()[1] - &first).iter().all(|e| e.abs() < 1e-12),
                    "first step"
                );
            }
            ensure!(
                path.losses().len() == path.points().len(),
                "one loss per point"
            );
            ensure!(path.steps_taken() + 1 == path.points().len(), "steps taken");
            ensure!(
                path.coordinate(d).is_err(),
                "coordinate {d} of {d} accepted"
            );
            ensure!(
                path.coordinate(0).unwrap().len() == path.points().len(),
                "coordinate 0"
            );
            // The largest-curvature direction decides, if the start has a part in it.
            let steepest = (0..d).filter(|&k| c[k] == c.iter().cloned().fold(0.0, f64::max));
            let moves = steepest.clone().any(|k| start[k].abs() > 1e-3);
            if fraction < 0.98 {
                ensure!(!path.diverged(), "diverged at {fraction} × threshold");
                ensure!(path.last_loss() <= path.losses()[0], "loss grew");
            } else if fraction > 1.02 && moves {
                ensure!(path.diverged(), "did not diverge at {fraction} × threshold");
            }
            Ok(())
        },
    );

    suite.check(
        "LMS with the whole batch is gradient descent, step for step",
        &[
            "Lms::new",
            "Lms::epochs",
            "Lms::batch_size",
            "Lms::seed",
            "Lms::fit",
            "GradientDescent::fit_linear",
            "FittedLinear::weights",
            "FittedLinear::bias",
            "FittedLinear::path",
            "FittedLinear::predict",
            "DescentPath::last_point",
        ],
        (1..12usize, 1..4usize, offset()).prop_flat_map(|(n, d, at)| {
            (
                matrix(n..n + 1, d..d + 1, -2.0..2.0f64),
                vector(n..n + 1, -5.0..5.0f64),
                Just(at),
                any::<u64>(),
            )
        }),
        |(x, y, at, seed)| {
            let x = x.mapv(|v| v + at);
            let eta = 0.5 * divergence_threshold(&x).unwrap();
            let n = x.nrows();
            let lms = Lms::new(eta)
                .epochs(20)
                .batch_size(n)
                .seed(seed)
                .fit(&x, &y)
                .unwrap();
            let descent = GradientDescent::new(eta)
                .steps(20)
                .fit_linear(&x, &y)
                .unwrap();
            ensure!(lms.path() == descent.path(), "paths differ");
            ensure!(
                lms.weights() == descent.weights() && lms.bias() == descent.bias(),
                "models differ"
            );
            ensure!(!lms.path().diverged(), "diverged at half the threshold");
            let end = lms.path().last_point();
            ensure!(
                end.slice_axis(Axis(0), (..x.ncols()).into()) == lms.weights(),
                "weights"
            );
            let predicted = lms.predict(&x).unwrap();
            for i in 0..n {
                let by_hand = x.row(i).dot(lms.weights()) + lms.bias();
                ensure!(
                    (predicted[i] - by_hand).abs() <= 1e-9 * (1.0 + by_hand.abs()),
                    "predict"
                );
            }
            Ok(())
        },
    );

    suite.check(
        "descent hyperparameters are checked, and bad data refused",
        &[
            "Lms::fit",
            "GradientDescent::fit_linear",
            "GradientDescent::run",
            "FittedLinear::predict",
        ],
        (
            any_matrix(),
            vector(0..12, any_f64()),
            any_f64(),
            0..3usize,
            0..14usize,
            0..3usize,
            any_matrix(),
        ),
        |(x, y, eta, epochs, batch_size, steps, other)| {
            let data_ok =
                x.nrows() > 0 && y.len() == x.nrows() && x.iter().chain(&y).all(|v| v.is_finite());
            let eta_ok = eta > 0.0 && eta.is_finite();
            let lms = Lms::new(eta)
                .epochs(epochs)
                .batch_size(batch_size)
                .fit(&x, &y);
            if let Ok(fit) = &lms {
                ensure!(data_ok && eta_ok && epochs > 0, "LMS accepted bad input");
                ensure!(
                    batch_size >= 1 && batch_size <= x.nrows(),
                    "batch_size {batch_size} accepted"
                );
                ensure!(
                    fit.weights().iter().all(|v| v.is_finite()),
                    "weights {}",
                    fit.weights()
                );
                if let Ok(p) = fit.predict(&other) {
                    ensure!(
                        other.ncols() == x.ncols() && p.len() == other.nrows(),
                        "predict shape"
                    );
                }
            } else if data_ok && eta_ok && epochs > 0 && (1..=x.nrows()).contains(&batch_size) {
                // Only a start loss beyond f64 may refuse valid hyperparameters.
                let e = lms.unwrap_err().to_string();
                ensure!(e.contains("mean(y²)"), "refused: {e}");
            }
            let fit = GradientDescent::new(eta).steps(steps).fit_linear(&x, &y);
            if fit.is_ok() {
                ensure!(
                    data_ok && eta_ok && steps > 0,
                    "fit_linear accepted bad input"
                );
            }
            let run =
                GradientDescent::new(eta)
                    .steps(steps)
                    .run(|t| t.to_owned(), |t| t.dot(&t), &y);
            if let Ok(path) = run {
                ensure!(
                    path.points().iter().flatten().all(|v| v.is_finite()),
                    "points"
                );
                ensure!(path.losses().iter().all(|v| v.is_finite()), "losses");
            }
            Ok(())
        },
    );
}

/// The variance of each column by two passes over deviations from the
/// first row, in plain f64: an independent reference.
fn column_variances(x: ArrayView2<f64>) -> Array1<f64> {
    let n = x.nrows() as f64;
    Array1::from_shape_fn(x.ncols(), |j| {
        let deviations: Vec<f64> = x.column(j).iter().map(|v| v - x[(0, j)]).collect();
        let mean = deviations.iter().sum::<f64>() / n;
        deviations.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    })
}

fn principal_components(suite: &mut Suite) {
    suite.check(
        "PCA with every axis rebuilds the data, at any offset and unit",
        &[
            "Pca::new",
            "Pca::n_components",
            "Pca::fit",
            "FittedPca::components",
            "FittedPca::n_components",
            "FittedPca::mean",
            "FittedPca::transform",
            "FittedPca::inverse_transform",
            "FittedPca::explained_variance",
            "FittedPca::explained_variance_ratio",
            "FittedPca::cumulative_explained_variance",
            "FittedPca::total_variance",
        ],
        (
            matrix(2..14, 1..5, -1.0..1.0f64),
            offset(),
            prop_oneof![Just(1.0), Just(1e-6), Just(1e8), Just(1e-150), Just(1e100)],
        ),
        |(u, at, unit)| {
            let x = u.mapv(|v| at + unit * v);
            let d = x.ncols();
            // Deviations from the first row: exact, and the reference's input.
            let deviations = &x - &x.row(0);
            prop_assume!(deviations.iter().any(|&v| v != 0.0));
            let pca = Pca::new(d)
                .fit(&x)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(
                Pca::new(d).n_components() == d && pca.n_components() == d,
                "n_components"
            );
            ensure!(
                pca.components().dim() == (d, d),
                "components {:?}",
                pca.components().dim()
            );
            let gram = pca.components().dot(&pca.components().t());
            for ((i, j), g) in gram.indexed_iter() {
                ensure!(
                    (g - f64::from(u8::from(i == j))).abs() < 1e-10,
                    "WWᵀ[{i}, {j}] = {g}"
                );
            }
            let z = pca.transform(&x).unwrap();
            let back = pca.inverse_transform(&z).unwrap();
            let tolerance = 1e-9 * unit + 4.0 * f64::EPSILON * at.abs();
            for ((i, j), v) in back.indexed_iter() {
                ensure!(
                    (v - x[(i, j)]).abs() <= tolerance,
                    "x̂[{i}, {j}] = {v} vs {}",
                    x[(i, j)]
                );
            }
            // The total variance and each axis's variance, against plain sums.
            let variances = column_variances(x.view());
            let total: f64 = variances.sum();
            ensure!(
                (pca.total_variance() / total - 1.0).abs() < 1e-9,
                "total {} vs {total}",
                pca.total_variance()
            );
            let score_variances = column_variances(z.view());
            for k in 0..d {
                let lambda = pca.explained_variance()[k];
                ensure!(
                    (lambda - score_variances[k]).abs() <= 1e-9 * total,
                    "λ{k} = {lambda} vs {}",
                    score_variances[k]
                );
                ensure!(
                    k == 0 || pca.explained_variance()[k - 1] >= lambda,
                    "not decreasing"
                );
            }
            let cumulative = pca.cumulative_explained_variance();
            let ratios = pca.explained_variance_ratio();
            let mut sum = 0.0;
            for k in 0..d {
                sum += ratios[k];
                ensure!(
                    (cumulative[k] - sum).abs() < 1e-12,
                    "cumulative {cumulative} vs ratios {ratios}"
                );
            }
            ensure!(
                (cumulative[d - 1] - 1.0).abs() < 1e-9,
                "all axes explain {}",
                cumulative[d - 1]
            );
            let mean_reference = x.row(0).to_owned() + deviations.mean_axis(Axis(0)).unwrap();
            for (m, r) in pca.mean().iter().zip(&mean_reference) {
                ensure!(
                    (m - r).abs() <= 1e-12 * unit + 2.0 * f64::EPSILON * at.abs(),
                    "mean {m} vs {r}"
                );
            }
            Ok(())
        },
    );

    suite.check(
        "covariance and correlation agree with sums over deviations",
        &["pca::covariance", "pca::correlation"],
        (
            matrix(2..14, 1..5, -1.0..1.0f64),
            offset(),
            prop_oneof![Just(1.0), Just(1e-6), Just(1e8), Just(1e-200), Just(1e200)],
        ),
        |(u, at, unit)| {
            let x = u.mapv(|v| at + unit * v);
            let (n, d) = x.dim();
            let deviations = &x - &x.row(0);
            let means = deviations.mean_axis(Axis(0)).unwrap();
            let centred = &deviations - &means;
            let reference = |a: usize, b: usize| {
                (0..n)
                    .map(|i| centred[(i, a)] * centred[(i, b)])
                    .sum::<f64>()
                    / (n as f64 - 1.0)
            };
            match covariance(&x) {
                Ok(c) => {
                    for a in 0..d {
                        for b in 0..d {
                            let scale = (reference(a, a) * reference(b, b)).sqrt();
                            ensure!(
                                (c[(a, b)] - reference(a, b)).abs() <= 1e-9 * scale + 1e-300,
                                "C[{a}, {b}]"
                            );
                        }
                    }
                }
                // Only a covariance beyond f64 may be refused.
                Err(e) => ensure!(unit >= 1e150, "covariance refused: {e}"),
            }
            let constant = (0..d).any(|j| centred.column(j).iter().all(|&v| v == 0.0));
            match correlation(&x) {
                Ok(r) => {
                    ensure!(!constant, "a constant column was correlated");
                    for a in 0..d {
                        ensure!(r[(a, a)] == 1.0, "R[{a}, {a}] = {}", r[(a, a)]);
                        for b in 0..d {
                            ensure!(
                                r[(a, b)] == r[(b, a)] && r[(a, b)].abs() <= 1.0,
                                "R[{a}, {b}]"
                            );
                            // The reference on deviations scaled to ordinary size.
                            let s: Vec<f64> = (0..d)
                                .map(|j| {
                                    centred.column(j).iter().fold(0.0f64, |m, v| m.max(v.abs()))
                                })
                                .collect();
                            let dot = |p: usize, q: usize| {
                                (0..n)
                                    .map(|i| centred[(i, p)] / s[p] * centred[(i, q)] / s[q])
                                    .sum::<f64>()
                            };
                            let expected = dot(a, b) / (dot(a, a) * dot(b, b)).sqrt();
                            ensure!(
                                (r[(a, b)] - expected).abs() < 1e-9,
                                "R[{a}, {b}] = {} vs {expected}",
                                r[(a, b)]
                            );
                        }
                    }
                }
                Err(e) => ensure!(constant, "correlation refused: {e}"),
            }
            Ok(())
        },
    );

    suite.check(
        "PCA and its helpers refuse bad input and bad parameters, never panic",
        &[
            "Pca::fit",
            "FittedPca::transform",
            "FittedPca::inverse_transform",
            "pca::components_for_variance",
            "pca::covariance",
            "pca::correlation",
        ],
        (any_matrix(), 0..7usize, any_f64(), any_matrix()),
        |(x, k, fraction, other)| {
            let finite = x.iter().all(|v| v.is_finite());
            let _ = covariance(&x);
            let _ = correlation(&x);
            match Pca::new(k).fit(&x) {
                Ok(pca) => {
                    ensure!(
                        finite && x.nrows() >= 2 && (1..=x.ncols()).contains(&k),
                        "accepted k = {k}"
                    );
                    ensure!(pca.components().dim() == (k, x.ncols()), "shape");
                    if let Ok(z) = pca.transform(&other) {
                        ensure!(
                            other.ncols() == x.ncols() && z.dim() == (other.nrows(), k),
                            "transform"
                        );
                        ensure!(z.iter().all(|v| v.is_finite()), "scores {z}");
                    }
                    if let Ok(back) = pca.inverse_transform(&other) {
                        ensure!(
                            other.ncols() == k && back.iter().all(|v| v.is_finite()),
                            "inverse"
                        );
                    }
                }
                Err(_) => {
                    let valid = finite && x.nrows() >= 2 && (1..=x.ncols()).contains(&k);
                    if valid {
                        // Refused only for no variance, or a variance beyond f64.
                        let spread = x
                            .columns()
                            .into_iter()
                            .any(|c| c.iter().any(|&v| v != c[0]));
                        let big = largest(x.view()) > 1e150;
                        ensure!(!spread || big, "refused a valid fit with k = {k}");
                    }
                }
            }
            if let Ok(m) = components_for_variance(&x, fraction) {
                ensure!(
                    fraction > 0.0 && fraction <= 1.0,
                    "accepted fraction {fraction}"
                );
                ensure!(m >= 1 && m <= x.ncols(), "{m} components of {}", x.ncols());
            }
            Ok(())
        },
    );

    suite.check(
        "components_for_variance is the first k whose cumulative share reaches the fraction",
        &[
            "pca::components_for_variance",
            "FittedPca::cumulative_explained_variance",
        ],
        (matrix(3..14, 1..5, -1.0..1.0f64), 0.01..1.0f64),
        |(x, fraction)| {
            let d = x.ncols();
            let pca = Pca::new(d)
                .fit(&x)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let k = components_for_variance(&x, fraction).unwrap();
            // Sums of the variances of the scores, by hand.
            let variances = column_variances(pca.transform(&x).unwrap().view());
            let total = variances.sum();
            let kept: f64 = variances.iter().take(k).sum();
            let fewer: f64 = variances.iter().take(k - 1).sum();
            ensure!(kept / total >= fraction - 1e-9, "{k} keep {}", kept / total);
            ensure!(
                k == 1 || fewer / total < fraction + 1e-9,
                "{} already keep {}",
                k - 1,
                fewer / total
            );
            Ok(())
        },
    );
}
