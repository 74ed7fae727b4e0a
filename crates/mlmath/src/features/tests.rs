use super::*;
use crate::linalg::{solve, solve_least_squares};
use crate::random::normal_matrix;
use ndarray::{Array, array};

fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter().zip(b).fold(0.0, |m, (p, q)| m.max((p - q).abs()))
}

/// `a⁻¹ b` column by column by Gaussian elimination (linalg::solve): an
/// answer computed without this module.
fn solve_columns(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    let mut x = Array2::zeros((a.ncols(), b.ncols()));
    for (k, column) in b.columns().into_iter().enumerate() {
        x.column_mut(k).assign(&solve(a, column).unwrap());
    }
    x
}

/// An (n, m) matrix with orthonormal columns (m ≤ n), by Gram–Schmidt
/// (twice, for full accuracy) on normal draws.
fn orthonormal(n: usize, m: usize, seed: u64) -> Array2<f64> {
    let mut q = normal_matrix(n, m, &mut seeded(seed)).unwrap();
    for j in 0..m {
        for _ in 0..2 {
            for p in 0..j {
                let r = q.column(p).dot(&q.column(j));
                let qp = q.column(p).to_owned();
                q.column_mut(j).scaled_add(-r, &qp);
            }
        }
        let norm = q.column(j).dot(&q.column(j)).sqrt();
        q.column_mut(j).mapv_inplace(|v| v / norm);
    }
    q
}

#[test]
fn features_average_to_the_gaussian_kernel() {
    // E[2 φ(x) φ(z)] = exp(−‖x − z‖²/(2σ²)). Each term 2φφ = cos(u − v) +
    // cos(u + v) has variance at most 1, so the mean of N = 100 000 has a
    // standard error of at most 0.0032: tolerance 0.02 (over 6 errors).
    // σ = 2 so that a wrong variance of w (1/σ instead of 1/σ²) would give
    // exp(−d²/4) instead of exp(−d²/8): off by 0.2 at d = 2.
    let sigma = 2.0;
    let rff = RandomFeatures::new(3, 100_000, sigma, 11).unwrap();
    let x = array![
        [0.5, -1.0, 2.0],
        [0.5, -1.0, 2.0],
        [2.5, -1.0, 2.0],
        [0.5, 1.0, 4.0],
        [-1.5, 2.0, 2.0]
    ];
    let phi = rff.transform(&x).unwrap();
    let n = rff.count() as f64;
    for j in 1..x.nrows() {
        let d2 = (&x.row(0) - &x.row(j)).mapv(|v| v * v).sum();
        let kernel = (-d2 / (2.0 * sigma * sigma)).exp();
        let estimate = 2.0 * phi.row(0).dot(&phi.row(j)) / n;
        assert!(
            (estimate - kernel).abs() < 0.02,
            "pair (0, {j}): {estimate} against {kernel}"
        );
    }
}

#[test]
fn features_are_cosines_of_the_drawn_frequencies_and_phases() {
    let rff = RandomFeatures::new(2, 4, 0.5, 3).unwrap();
    let x = array![[1.0, -2.0], [0.25, 0.0]];
    let phi = rff.transform(&x).unwrap();
    for i in 0..2 {
        for j in 0..4 {
            let (w, b) = (rff.weights().column(j), rff.phases()[j]);
            let expected = (x.row(i).dot(&w) + b).cos();
            assert!((phi[(i, j)] - expected).abs() < 1e-14);
        }
    }
    // w ~ N(0, 1/σ²) = N(0, 4), b ~ U[0, 2π): the moments of many draws.
    let many = RandomFeatures::new(1, 40_000, 0.5, 4).unwrap();
    let var = many.weights().mapv(|v| v * v).mean().unwrap();
    assert!((var - 4.0).abs() < 0.15, "variance of w {var}");
    let b = many.phases();
    assert!(b.iter().all(|&v| (0.0..std::f64::consts::TAU).contains(&v)));
    assert!((b.mean().unwrap() - std::f64::consts::PI).abs() < 0.05);
}

#[test]
fn first_features_are_nested() {
    let x = normal_matrix(5, 3, &mut seeded(1)).unwrap();
    let all = RandomFeatures::new(3, 50, 1.5, 9).unwrap();
    let twenty = RandomFeatures::new(3, 20, 1.5, 9).unwrap();
    // The same seed draws the same first features, whatever the count.
    assert_eq!(
        all.first(20).unwrap().transform(&x).unwrap(),
        twenty.transform(&x).unwrap()
    );
    assert_eq!(
        columns(all.transform(&x).unwrap().view(), 0..20),
        twenty.transform(&x).unwrap()
    );
    assert_eq!(all.first(20).unwrap().bandwidth(), 1.5);
    assert!(all.first(0).is_err());
    assert!(all.first(51).is_err());
    assert_eq!(all.first(50).unwrap().count(), 50);
}

#[test]
fn bad_features_are_errors() {
    assert!(RandomFeatures::new(0, 5, 1.0, 1).is_err());
    assert!(RandomFeatures::new(2, 0, 1.0, 1).is_err());
    assert!(RandomFeatures::new(2, MAX_FEATURES + 1, 1.0, 1).is_err());
    assert!(RandomFeatures::new(1000, 200_000, 1.0, 1).is_err());
    for bandwidth in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = RandomFeatures::new(2, 5, bandwidth, 1).unwrap_err();
        assert!(e.to_string().contains("bandwidth"), "{e}");
    }
    let rff = RandomFeatures::new(2, 5, 1.0, 1).unwrap();
    let e = rff.transform(&array![[1.0, 2.0, 3.0]]).unwrap_err();
    assert!(e.to_string().contains("2 columns"), "{e}");
    assert!(rff.transform(&array![[1.0, f64::NAN]]).is_err());
    assert!(rff.transform(&Array2::<f64>::zeros((0, 2))).is_err());
}

#[test]
fn median_distance_by_hand_and_by_sample() {
    // Four points on a line, 0, 1, 3, 7: distances 1 3 7 2 6 4, sorted
    // 1 2 3 4 6 7, median (3 + 4)/2.
    let x = array![[0.0], [1.0], [3.0], [7.0]];
    assert_eq!(median_distance(&x).unwrap(), 3.5);
    // 2-D: (0,0), (3,4), (6,8): distances 5, 10, 5 → 5.
    assert_eq!(
        median_distance(&array![[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]).unwrap(),
        5.0
    );
    // 600 rows: 179 700 pairs, more than MEDIAN_PAIRS: a sample. Its median
    // is within a few thousandths of the exact one (brute force here): the
    // sample median's standard error is about 1/(2 f √m) ≈ 0.005 quantile.
    let x = normal_matrix(600, 4, &mut seeded(5)).unwrap();
    let mut all = Vec::new();
    for i in 0..600 {
        for j in i + 1..600 {
            all.push((&x.row(i) - &x.row(j)).mapv(|v| v * v).sum().sqrt());
        }
    }
    all.sort_by(f64::total_cmp);
    let sampled = median_distance(&x).unwrap();
    let rank = all.partition_point(|&d| d < sampled) as f64 / all.len() as f64;
    assert!(
        (rank - 0.5).abs() < 0.01,
        "sampled median at quantile {rank}"
    );
    assert!(median_distance(&array![[1.0, 2.0]]).is_err());
    assert!(median_distance(&array![[1.0], [f64::NAN]]).is_err());
    assert!(median_distance(&array![[1.5e308], [-1.5e308]]).is_err());
}

#[test]
fn one_hot_rows() {
    let y = one_hot(&[2, 0, 1, 2], 3).unwrap();
    assert_eq!(
        y,
        array![
            [0.0, 0.0, 1.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0]
        ]
    );
    let e = one_hot(&[0, 3], 3).unwrap_err();
    assert!(e.to_string().contains("labels[1]"), "{e}");
    assert!(one_hot(&[], 3).is_err());
    assert!(one_hot(&[0], 0).is_err());
}

#[test]
fn min_norm_by_hand() {
    // Φ = [I₂ | 0]: a₃ is free and least norm sets it to 0.
    let phi = array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
    let y = array![[3.0, -1.0], [5.0, 2.0]];
    let a = min_norm_least_squares(&phi, &y, 0.0).unwrap();
    assert!(max_abs_diff(&a, &array![[3.0, -1.0], [5.0, 2.0], [0.0, 0.0]]) < 1e-15);
    // One column of ones: the least-squares weight is the mean, (1 + 2 + 6)/3.
    let a = min_norm_least_squares(
        &array![[1.0], [1.0], [1.0]],
        &array![[1.0], [2.0], [6.0]],
        0.0,
    )
    .unwrap();
    assert!((a[(0, 0)] - 3.0).abs() < 1e-15);
    // a₁ + a₂ = 2 with ridge λ: A = Φᵀ (ΦΦᵀ + λ)⁻¹ y = (2/(2 + λ)) (1, 1).
    let a = min_norm_least_squares(&array![[1.0, 1.0]], &array![[2.0]], 0.5).unwrap();
    assert!((a[(0, 0)] - 0.8).abs() < 1e-15 && (a[(1, 0)] - 0.8).abs() < 1e-15);
    // Scaled inputs (exact powers of two and others) give the scaled answer.
    let a = min_norm_least_squares(&array![[1e200, 1e200]], &array![[2e-100]], 0.0).unwrap();
    assert!((a[(0, 0)] / 1e-300 - 1.0).abs() < 1e-14, "{a}");
}

#[test]
fn min_norm_matches_least_squares_when_tall() {
    // N < n, full column rank: the unique least-squares solution, by QR.
    let phi = normal_matrix(20, 5, &mut seeded(21)).unwrap();
    let y = normal_matrix(20, 3, &mut seeded(22)).unwrap();
    let a = min_norm_least_squares(&phi, &y, 0.0).unwrap();
    for k in 0..3 {
        let qr = solve_least_squares(&phi, y.column(k)).unwrap();
        for j in 0..5 {
            assert!(
                (a[(j, k)] - qr[j]).abs() < 1e-12,
                "{} vs {}",
                a[(j, k)],
                qr[j]
            );
        }
    }
}

#[test]
fn min_norm_interpolates_and_lies_in_the_row_space_when_wide() {
    let (n, big_n) = (6, 15);
    let phi = normal_matrix(n, big_n, &mut seeded(31)).unwrap();
    let y = normal_matrix(n, 2, &mut seeded(32)).unwrap();
    let a = min_norm_least_squares(&phi, &y, 0.0).unwrap();
    // It interpolates: ΦA = Y to rounding.
    assert!(max_abs_diff(&phi.dot(&a), &y) < 1e-12);
    // It lies in the row space of Φ: A = Φᵀ C for some C (the least-squares
    // C of the tall system Φᵀ C = A leaves no residual).
    for k in 0..2 {
        let c = solve_least_squares(phi.t(), a.column(k)).unwrap();
        let back = phi.t().dot(&c);
        let residual = (&back - &a.column(k))
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v));
        assert!(residual < 1e-12, "column {k}: {residual}");
    }
    // Adding a null-space vector v (Φv = 0) keeps the fit and adds norm:
    // ‖A + v‖² = ‖A‖² + ‖v‖² since A ⟂ null(Φ).
    let z = normal_matrix(big_n, 1, &mut seeded(33)).unwrap();
    let projection = phi
        .t()
        .dot(&solve_columns(&phi.dot(&phi.t()), &phi.dot(&z)));
    let v = &z - &projection;
    assert!(phi.dot(&v).iter().all(|e| e.abs() < 1e-12));
    let column = columns(a.view(), 0..1).to_owned();
    let moved = &column + &v;
    let norm2 = |m: &Array2<f64>| m.mapv(|e| e * e).sum();
    assert!(max_abs_diff(&phi.dot(&moved), &columns(y.view(), 0..1).to_owned()) < 1e-12);
    assert!((norm2(&moved) - norm2(&column) - norm2(&v)).abs() < 1e-10);
    assert!(norm2(&moved) > norm2(&column) + 0.1);
}

#[test]
fn ridge_agrees_with_both_closed_forms() {
    // (ΦᵀΦ + λI)⁻¹ΦᵀY = Φᵀ(ΦΦᵀ + λI)⁻¹Y, each by Gaussian elimination, and
    // the module's answer for Φ tall (primal space) and wide (dual space).
    for (n, big_n) in [(8, 5), (5, 8)] {
        let phi = normal_matrix(n, big_n, &mut seeded(41)).unwrap();
        let y = normal_matrix(n, 3, &mut seeded(42)).unwrap();
        let lambda = 0.3;
        let primal = solve_columns(
            &(phi.t().dot(&phi) + Array2::<f64>::eye(big_n) * lambda),
            &phi.t().dot(&y),
        );
        let dual = phi.t().dot(&solve_columns(
            &(phi.dot(&phi.t()) + Array2::<f64>::eye(n) * lambda),
            &y,
        ));
        assert!(max_abs_diff(&primal, &dual) < 1e-12);
        let a = min_norm_least_squares(&phi, &y, lambda).unwrap();
        assert!(max_abs_diff(&a, &primal) < 1e-12, "({n}, {big_n})");
        // λ → 0 approaches the least-norm fit.
        let tiny = min_norm_least_squares(&phi, &y, 1e-9).unwrap();
        let zero = min_norm_least_squares(&phi, &y, 0.0).unwrap();
        assert!(max_abs_diff(&tiny, &zero) < 1e-6);
    }
}

#[test]
fn ill_conditioned_but_nonsingular_still_solves() {
    // Φ = U diag(s) Vᵀ with s down to 1e-5 (cond Φ = 1e5, the Gram matrix
    // 1e10): the least-norm fit is V diag(1/s) Uᵀ Y, norm about 1e5.
    let s_values = array![1.0, 0.1, 1e-3, 1e-5];
    let u = orthonormal(4, 4, 51);
    let v = orthonormal(9, 4, 52);
    let phi = u.dot(&Array2::from_diag(&s_values)).dot(&v.t());
    let y = normal_matrix(4, 2, &mut seeded(53)).unwrap();
    let expected = v
        .dot(&Array2::from_diag(&s_values.mapv(|s| 1.0 / s)))
        .dot(&u.t())
        .dot(&y);
    let a = min_norm_least_squares(&phi, &y, 0.0).unwrap();
    let scale = largest(expected.view());
    assert!(scale > 1e4);
    assert!(
        max_abs_diff(&a, &expected) < 1e-4 * scale,
        "{a} vs {expected}"
    );
    // And its transpose, through the other space (N < n).
    let a = min_norm_least_squares(phi.t(), &v.dot(&y), 0.0).unwrap();
    let expected = u
        .dot(&Array2::from_diag(&s_values.mapv(|s| 1.0 / s)))
        .dot(&y);
    assert!(max_abs_diff(&a, &expected) < 1e-4 * largest(expected.view()));
    // The singular values, from the smaller Gram matrix, in both orientations.
    for m in [phi.clone(), phi.t().to_owned()] {
        let sv = singular_values(&m).unwrap();
        assert_eq!(sv.len(), 4);
        for k in 0..3 {
            assert!((sv[k] - s_values[k]).abs() < 1e-10 * s_values[k].max(1e-3));
        }
        // s₄ = 1e-5 squared is 1e-10 in the Gram matrix, near its rounding.
        assert!((sv[3] - 1e-5).abs() < 1e-6, "{}", sv[3]);
        // Inverse iteration finds it to the same accuracy.
        let smallest = smallest_singular_value(&m).unwrap();
        assert!((smallest - 1e-5).abs() < 1e-6, "{smallest}");
    }
}

#[test]
fn singular_gram_is_an_error_that_suggests_a_ridge() {
    // N > n with a repeated row: ΦΦᵀ is singular.
    let mut phi = normal_matrix(4, 7, &mut seeded(61)).unwrap();
    let row = phi.row(0).to_owned();
    phi.row_mut(3).assign(&row);
    let y = normal_matrix(4, 2, &mut seeded(62)).unwrap();
    let e = min_norm_least_squares(&phi, &y, 0.0).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("ΦΦᵀ") && text.contains("ridge"), "{text}");
    let a = min_norm_least_squares(&phi, &y, 1e-6).unwrap();
    assert!(a.iter().all(|v| v.is_finite()));
    // N ≤ n with a repeated column: ΦᵀΦ is singular.
    let phi = array![
        [1.0, 2.0, 1.0],
        [3.0, -1.0, 3.0],
        [0.5, 0.0, 0.5],
        [2.0, 2.0, 2.0]
    ];
    let y = array![[1.0], [0.0], [2.0], [1.0]];
    let e = min_norm_least_squares(&phi, &y, 0.0).unwrap_err();
    assert!(e.to_string().contains("ΦᵀΦ"), "{e}");
    assert!(min_norm_least_squares(&phi, &y, 1e-3).is_ok());
    // A matrix of zeros.
    assert!(min_norm_least_squares(&Array2::zeros((3, 2)), &Array2::zeros((3, 1)), 0.0).is_err());
    // Nearly dependent, but not to working precision: it solves.
    let mut phi = array![
        [1.0, 2.0, 1.0],
        [3.0, -1.0, 3.0],
        [0.5, 0.0, 0.5],
        [2.0, 2.0, 2.0]
    ];
    phi[(0, 2)] += 1e-6;
    let a = min_norm_least_squares(&phi, &y, 0.0).unwrap();
    assert!(a.iter().all(|v| v.is_finite()) && largest(a.view()) > 1e3);
}

#[test]
fn bad_least_squares_input_is_an_error() {
    let phi = array![[1.0, 2.0], [3.0, 4.0]];
    assert!(min_norm_least_squares(&phi, &array![[1.0], [2.0], [3.0]], 0.0).is_err());
    assert!(min_norm_least_squares(&phi, &Array2::zeros((2, 0)), 0.0).is_err());
    assert!(min_norm_least_squares(&Array2::zeros((0, 2)), &Array2::zeros((0, 1)), 0.0).is_err());
    assert!(min_norm_least_squares(&Array2::zeros((2, 0)), &Array2::zeros((2, 1)), 0.0).is_err());
    for ridge in [-1.0, f64::NAN, f64::INFINITY] {
        let e = min_norm_least_squares(&phi, &array![[1.0], [2.0]], ridge).unwrap_err();
        assert!(e.to_string().contains("ridge"), "{e}");
    }
    assert!(min_norm_least_squares(&array![[1.0, f64::NAN]], &array![[1.0]], 0.0).is_err());
    assert!(min_norm_least_squares(&phi, &array![[1.0], [f64::INFINITY]], 0.0).is_err());
    assert!(singular_values(&Array2::<f64>::zeros((0, 3))).is_err());
    assert!(singular_values(&array![[f64::NAN]]).is_err());
}

/// A small three-class problem: clusters around three centres in 5-D.
fn clusters(n: usize, seed: u64) -> Dataset {
    let noise = normal_matrix(n, 5, &mut seeded(seed)).unwrap();
    let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let x = Array::from_shape_fn((n, 5), |(i, j)| {
        noise[(i, j)] * 0.8 + if j == labels[i] { 2.0 } else { 0.0 }
    });
    Dataset::new(&x, &Array1::from(labels)).unwrap()
}

#[test]
fn sweep_matches_fits_computed_directly() {
    // Each point against the fit computed from scratch for its N, by Gaussian
    // elimination on the Gram matrix of the smaller side, scored by hand.
    // n = 110 training rows: past one block of rows in the factors.
    let (train, test) = (clusters(110, 71), clusters(30, 72));
    let rff = RandomFeatures::new(5, 160, 2.0, 73).unwrap();
    let counts = [160, 5, 60, 110, 109, 111, 5, 100];
    for ridge in [0.0, 0.1] {
        let points = random_feature_sweep(&rff, &train, &test, &counts, ridge).unwrap();
        assert_eq!(points.len(), counts.len());
        for (p, &count) in points.iter().zip(&counts) {
            assert_eq!(p.features, count);
            let f = rff.first(count).unwrap();
            let (phi, phi_test) = (f.transform(&train).unwrap(), f.transform(&test).unwrap());
            let y = one_hot(&train.y().to_vec(), 3).unwrap();
            let a = if count <= 110 {
                let h = phi.t().dot(&phi) + Array2::<f64>::eye(count) * ridge;
                solve_columns(&h, &phi.t().dot(&y))
            } else {
                let g = phi.dot(&phi.t()) + Array2::<f64>::eye(110) * ridge;
                phi.t().dot(&solve_columns(&g, &y))
            };
            // At the threshold N = n = 110 the Gram matrix is nearly singular
            // (‖A‖ ≈ 1900 there): both answers carry relative errors of about
            // cond · ε, and differ by 2.5e-7 on this run; elsewhere by < 1e-8.
            let tol = if count.abs_diff(110) <= 1 { 1e-5 } else { 1e-8 };
            let norm = a.mapv(|v| v * v).sum().sqrt();
            assert!(
                (p.weight_norm - norm).abs() < tol * norm,
                "N {count}: {} vs {norm}",
                p.weight_norm
            );
            let check = |phi: &Array2<f64>, data: &Dataset, error: f64, loss: f64| {
                let pred = phi.dot(&a);
                let y = one_hot(&data.y().to_vec(), 3).unwrap();
                let l = (&pred - &y).mapv(|v| v * v).sum() / data.len() as f64;
                let wrong = (0..data.len())
                    .filter(|&i| {
                        let r = pred.row(i);
                        let best = (0..3).max_by(|&p, &q| r[p].total_cmp(&r[q])).unwrap();
                        best != data.y()[i]
                    })
                    .count();
                assert!(
                    (loss - l).abs() < tol * l.max(1.0),
                    "N {count}: {loss} vs {l}"
                );
                assert_eq!(error, wrong as f64 / data.len() as f64, "N {count}");
            };
            check(&phi, &train, p.train_error, p.train_loss);
            check(&phi_test, &test, p.test_error, p.test_loss);
        }
        if ridge == 0.0 {
            // Past n = 110 features the fit interpolates the training rows.
            assert!(points[0].train_loss < 1e-15 && points[0].train_error == 0.0);
        }
    }
}

#[test]
fn sweep_errors() {
    let (train, test) = (clusters(20, 81), clusters(10, 82));
    let rff = RandomFeatures::new(5, 30, 2.0, 83).unwrap();
    assert!(random_feature_sweep(&rff, &train, &test, &[], 0.0).is_err());
    assert!(random_feature_sweep(&rff, &train, &test, &[0], 0.0).is_err());
    let e = random_feature_sweep(&rff, &train, &test, &[10, 31], 0.0).unwrap_err();
    assert!(e.to_string().contains("30 features"), "{e}");
    assert!(random_feature_sweep(&rff, &train, &test, &[10], -1.0).is_err());
    let other = RandomFeatures::new(4, 30, 2.0, 83).unwrap();
    assert!(random_feature_sweep(&other, &train, &test, &[10], 0.0).is_err());
    // A repeated training row: ΦΦᵀ is singular past N = n; the error names N.
    let mut rows: Vec<usize> = (0..20).collect();
    rows[19] = 0;
    let repeated = train.rows(&rows).unwrap();
    let e = random_feature_sweep(&rff, &repeated, &test, &[10, 25], 0.0).unwrap_err();
    assert!(
        e.to_string().contains("N = 25") && e.to_string().contains("ridge"),
        "{e}"
    );
    assert!(random_feature_sweep(&rff, &repeated, &test, &[10, 25], 1e-6).is_ok());
}

#[test]
fn sweep_table_has_a_row_per_point() {
    let (train, test) = (clusters(12, 91), clusters(9, 92));
    let rff = RandomFeatures::new(5, 30, 2.0, 93).unwrap();
    let points = random_feature_sweep(&rff, &train, &test, &[3, 12, 30], 1e-3).unwrap();
    let table = points.table();
    assert_eq!(table.len(), 3);
    assert_eq!(table.cell(1, 0), Some("12"));
}

#[test]
fn the_fast_cosine_agrees_with_the_standard_library() {
    // Random arguments over [−1000, 1000], and the arguments nearest to the
    // multiples of π/2 (where the reduction cancels most), up to the limit.
    let mut rng = seeded(101);
    let mut args: Vec<f64> = (0..200_000).map(|_| rng.random_range(-1e3..1e3)).collect();
    for k in [1.0, 2.0, 3.0, 7.0, 100.0, 1001.0, 123_457.0, 318_309.0] {
        let m = k * std::f64::consts::FRAC_PI_2;
        args.extend([m, -m, m.next_up(), m.next_down()]);
    }
    args.extend([0.0, -0.0, 1e-300, 5e-324, FAST_COS_LIMIT, -FAST_COS_LIMIT]);
    let mut fast = args.clone();
    cos_in_place(&mut fast, &vec![0.0; args.len()]);
    let worst = args
        .iter()
        .zip(&fast)
        .map(|(x, c)| (c - x.cos()).abs())
        .fold(0.0, f64::max);
    assert!(worst < 4e-16, "largest difference {worst:e}");
    // Beyond the limit, and NaN, the standard library's.
    let mut big = [2e6, 1e300, f64::NAN, f64::INFINITY];
    cos_in_place(&mut big, &[0.0; 4]);
    assert_eq!(big[0], 2e6_f64.cos());
    assert_eq!(big[1], 1e300_f64.cos());
    assert!(big[2].is_nan() && big[3].is_nan());
}

#[test]
fn cholesky_by_blocks_reproduces_the_matrix_and_extends() {
    // M = B Bᵀ + I (130 × 130, nearly three blocks of rows): L Lᵀ = M + σI,
    // whether factored at once or extended in pieces that cut blocks.
    let b = normal_matrix(130, 140, &mut seeded(111)).unwrap();
    let m = b.dot(&b.t()) + Array2::<f64>::eye(130);
    for shift in [0.0, 2.5] {
        let mut whole = Cholesky::new(130, shift);
        assert!(whole.extend(m.view(), 130).is_ok());
        let l = Array::from_shape_fn(
            (130, 130),
            |(i, j)| {
                if j <= i { whole.l[(i, j)] } else { 0.0 }
            },
        );
        let expected = &m + &(Array2::<f64>::eye(130) * shift);
        assert!(max_abs_diff(&l.dot(&l.t()), &expected) < 1e-10 * largest(m.view()));
        let mut pieces = Cholesky::new(130, shift);
        for to in [1, 37, 100, 130] {
            assert!(pieces.extend(m.view(), to).is_ok());
        }
        for i in 0..130 {
            for j in 0..=i {
                assert!((pieces.l[(i, j)] - whole.l[(i, j)]).abs() < 1e-12);
            }
        }
        // The solve: M X = R, checked by its residual; and M X itself.
        let r = normal_matrix(130, 3, &mut seeded(112)).unwrap();
        let x = whole.solve(r.view());
        assert!(max_abs_diff(&(expected.dot(&x)), &r) < 1e-9);
        assert!(max_abs_diff(&whole.gram_times(x.view()), &m.dot(&x)) < 1e-9);
    }
    // A repeated row (in the third block) is found and named.
    let mut bad = b.clone();
    let row = bad.row(5).to_owned();
    bad.row_mut(120).assign(&row);
    let p = Cholesky::new(130, 0.0)
        .extend(bad.dot(&bad.t()).view(), 130)
        .unwrap_err();
    assert_eq!(p.row, 120);
}

#[test]
fn larger_fits_match_independent_answers() {
    // Past one block of rows: Φ (110, 150), wide (ΦΦᵀ) and, transposed, tall.
    let phi = normal_matrix(110, 150, &mut seeded(121)).unwrap();
    let y = normal_matrix(110, 2, &mut seeded(122)).unwrap();
    let a = min_norm_least_squares(&phi, &y, 0.0).unwrap();
    assert!(max_abs_diff(&phi.dot(&a), &y) < 1e-9);
    let c = solve_columns(&phi.dot(&phi.t()), &y);
    assert!(max_abs_diff(&a, &phi.t().dot(&c)) < 1e-9);
    let tall = phi.t().to_owned();
    let y = normal_matrix(150, 1, &mut seeded(123)).unwrap();
    let a = min_norm_least_squares(&tall, &y, 0.0).unwrap();
    let qr = solve_least_squares(&tall, y.column(0)).unwrap();
    assert!(
        a.column(0)
            .iter()
            .zip(&qr)
            .all(|(p, q)| (p - q).abs() < 1e-9)
    );
}

#[test]
fn smallest_singular_value_by_inverse_iteration() {
    // Known singular values 3, 2, 0.7, 0.05 (Φ = U diag(s) Vᵀ), both ways round.
    let s_values = array![3.0, 2.0, 0.7, 0.05];
    let phi = orthonormal(6, 4, 131)
        .dot(&Array2::from_diag(&s_values))
        .dot(&orthonormal(4, 4, 132).t());
    for m in [phi.clone(), phi.t().to_owned()] {
        let s = smallest_singular_value(&m).unwrap();
        assert!((s - 0.05).abs() < 1e-10, "{s}");
    }
    // A larger random matrix (two blocks of rows in the factor): the last of
    // the Jacobi values.
    let phi = normal_matrix(60, 70, &mut seeded(133)).unwrap();
    let all = singular_values(&phi).unwrap();
    let s = smallest_singular_value(&phi).unwrap();
    assert!((s - all[59]).abs() < 1e-9 * all[0], "{s} vs {}", all[59]);
    // Rank deficient: 0. Empty or NaN: errors.
    let mut deficient = phi.clone();
    let row = deficient.row(3).to_owned();
    deficient.row_mut(50).assign(&row);
    assert_eq!(smallest_singular_value(&deficient).unwrap(), 0.0);
    assert_eq!(
        smallest_singular_value(&Array2::zeros((3, 2))).unwrap(),
        0.0
    );
    assert!(smallest_singular_value(&Array2::<f64>::zeros((0, 2))).is_err());
    assert!(smallest_singular_value(&array![[f64::NAN, 1.0]]).is_err());
}

#[test]
fn sizes_beyond_the_entry_cap_are_errors_not_allocations() {
    // one_hot: a class count far beyond the labels, or a product beyond the cap.
    let e = one_hot(&[0], usize::MAX).unwrap_err();
    assert!(e.to_string().contains("classes"), "{e}");
    let e = one_hot(&[0, 1], 1 << 40).unwrap_err();
    assert!(e.to_string().contains("classes"), "{e}");
    let many = vec![0; 60_000];
    let e = one_hot(&many, 1000).unwrap_err(); // 6·10⁷ entries
    assert!(e.to_string().contains(&MAX_ENTRIES.to_string()), "{e}");
    assert_eq!(one_hot(&[0, 1], 1000).unwrap().dim(), (2, 1000));
    // transform: rows × count beyond the cap (the features themselves are small).
    let rff = RandomFeatures::new(1, 1_000_000, 1.0, 1).unwrap();
    let x = Array2::<f64>::zeros((51, 1)); // 5.1·10⁷ entries
    let e = rff.transform(&x).unwrap_err();
    assert!(e.to_string().contains("51 × 1000000"), "{e}");
    assert_eq!(
        rff.transform(&Array2::<f64>::zeros((1, 1))).unwrap().dim(),
        (1, 1_000_000)
    );
    // The sweep: (train + test) × the largest count + train².
    let (train, test) = (clusters(30, 1), clusters(30, 2));
    let wide = RandomFeatures::new(5, 1_000_000, 1.0, 3).unwrap();
    let e = random_feature_sweep(&wide, &train, &test, &[10, 1_000_000], 0.0).unwrap_err();
    assert!(e.to_string().contains(&MAX_ENTRIES.to_string()), "{e}");
    // singular_values: min(n, N) above the cap; the smallest alone still works.
    let big = Array2::<f64>::eye(SINGULAR_VALUES_MAX + 1);
    let e = singular_values(&big).unwrap_err();
    assert!(e.to_string().contains("smallest_singular_value"), "{e}");
    assert!((smallest_singular_value(&big).unwrap() - 1.0).abs() < 1e-12);
}
