use super::*;
use crate::random::{seeded, uniform_matrix};
use ndarray::{ArrayView1, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// y_i f(x_i) for every row of the machine's data (two classes).
fn margins(model: &FittedSvm, data: &Dataset) -> Vec<f64> {
    let f = model.decision_function(data).unwrap();
    f.iter()
        .zip(data.y())
        .map(|(v, &c)| if c == 1 { *v } else { -*v })
        .collect()
}

#[test]
fn two_points_give_the_perpendicular_bisector() {
    // (0, 0) class 0 and (2, 0) class 1: by hand w = (1, 0), b = −1, margin 1,
    // α = (½, ½) (w = α₂ (2, 0), Σ y α = 0), dual = 1 − ½ = ½ = primal.
    let two = Dataset::new(&array![[0.0, 0.0], [2.0, 0.0]], &array![0, 1]).unwrap();
    let model = Svm::new(Kernel::linear())
        .c(f64::INFINITY)
        .tolerance(1e-12)
        .fit(&two)
        .unwrap();
    let m = &model.machines()[0];
    let w = m.weights().unwrap();
    assert!(close(w[0], 1.0, 1e-12) && w[1].abs() < 1e-12, "{w}");
    assert!(close(m.bias(), -1.0, 1e-12), "{}", m.bias());
    assert!(close(m.margin().unwrap(), 1.0, 1e-12));
    assert_eq!(m.support(), [0, 1]);
    assert!(m.alphas().iter().all(|&a| close(a, 0.5, 1e-12)));
    assert!(close(m.dual_objective(), 0.5, 1e-12));
    assert!(close(m.primal_objective(), 0.5, 1e-12));
    assert_eq!((m.positive(), m.negative()), (1, 0));
    assert_eq!(m.dual_coefficients(), &array![-0.5, 0.5]);
}

#[test]
fn four_points_with_a_known_widest_line() {
    // Class 0 at (0, 0), (−1, 0); class 1 at (2, 0), (3, 1). The nearest
    // points of the two hulls are (0, 0) and (2, 0) (the segment to (3, 1)
    // runs away from (0, 0)), so w = (1, 0), b = −1, margin 1, and only those
    // two are support vectors, with α = ½ each.
    let x = array![[0.0, 0.0], [-1.0, 0.0], [2.0, 0.0], [3.0, 1.0]];
    let data = Dataset::new(&x, &array![0, 0, 1, 1]).unwrap();
    for c in [f64::INFINITY, 10.0] {
        let model = Svm::new(Kernel::linear())
            .c(c)
            .tolerance(1e-12)
            .fit(&data)
            .unwrap();
        let m = &model.machines()[0];
        let w = m.weights().unwrap();
        assert!(
            close(w[0], 1.0, 1e-10) && w[1].abs() < 1e-10,
            "C = {c}: {w}"
        );
        assert!(close(m.bias(), -1.0, 1e-10));
        assert!(close(m.margin().unwrap(), 1.0, 1e-10));
        assert_eq!(model.support(), [0, 2]);
        assert_eq!(m.n_bounded(), 0);
        assert_eq!(model.predict(&x).unwrap(), array![0, 0, 1, 1]);
        let y_f = margins(&model, &data);
        assert!(
            close(y_f[0], 1.0, 1e-10) && close(y_f[1], 2.0, 1e-10),
            "{y_f:?}"
        );
    }
}

/// The best dual over every assignment of the rows to α = 0, free, or
/// α = C (C = ∞: no bounded set), each solved from its KKT linear system:
/// y_i f(x_i) = 1 on the free rows and Σ y α = 0, for (α_free, b). Kept
/// if 0 ≤ α ≤ C and y f ≥ 1 where α = 0, y f ≤ 1 where α = C (to 1e-9).
/// Returns (dual, w, b or NaN when b is not pinned down: no row is free,
/// or a free α is within 10⁻⁶ of a bound).
fn brute_force(x: &Array2<f64>, y: &[f64], c: f64) -> (f64, Array1<f64>, f64) {
    let n = y.len();
    let k = x.dot(&x.t());
    let states = if c.is_finite() { 3usize } else { 2 };
    let mut best = (f64::NEG_INFINITY, Array1::zeros(x.ncols()), f64::NAN);
    for code in 0..states.pow(n as u32) {
        let mut s = vec![0; n];
        let mut rest = code;
        for v in s.iter_mut() {
            *v = rest % states;
            rest /= states;
        }
        let free: Vec<usize> = (0..n).filter(|&i| s[i] == 1).collect();
        let bounded: Vec<usize> = (0..n).filter(|&i| s[i] == 2).collect();
        // Unknowns α_free then b.
        let p = free.len() + 1;
        let mut m = Array2::<f64>::zeros((p, p));
        let mut rhs = Array1::<f64>::zeros(p);
        for (r, &i) in free.iter().enumerate() {
            for (q, &j) in free.iter().enumerate() {
                m[(r, q)] = y[i] * y[j] * k[(i, j)];
            }
            m[(r, p - 1)] = y[i];
            rhs[r] = 1.0
                - bounded
                    .iter()
                    .map(|&j| c * y[i] * y[j] * k[(i, j)])
                    .sum::<f64>();
        }
        for (q, &j) in free.iter().enumerate() {
            m[(p - 1, q)] = y[j];
        }
        rhs[p - 1] = -bounded.iter().map(|&j| c * y[j]).sum::<f64>();
        let sol = if free.is_empty() {
            // No free row: α is fixed; b is any value the conditions allow.
            if rhs[p - 1].abs() > 1e-12 {
                continue;
            }
            None
        } else {
            match crate::linalg::solve(&m, &rhs) {
                Ok(v) => Some(v),
                Err(_) => continue,
            }
        };
        let mut alpha = vec![0.0; n];
        for &j in &bounded {
            alpha[j] = c;
        }
        if let Some(v) = &sol {
            for (q, &i) in free.iter().enumerate() {
                alpha[i] = v[q];
            }
        }
        if free
            .iter()
            .any(|&i| !(alpha[i] > -1e-12 && alpha[i] < c + 1e-12))
        {
            continue;
        }
        let w: Array1<f64> = (0..n).fold(Array1::zeros(x.ncols()), |w, i| {
            w + &(x.row(i).to_owned() * (alpha[i] * y[i]))
        });
        let sum: f64 = alpha.iter().sum();
        let dual = sum - 0.5 * w.dot(&w);
        // The interval of b that the other conditions allow.
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        let b = sol.as_ref().map_or(f64::NAN, |v| v[p - 1]);
        let pinned = free.iter().all(|&i| alpha[i] > 1e-6 && alpha[i] < c - 1e-6);
        let mut ok = true;
        for i in 0..n {
            let wx = w.dot(&x.row(i));
            // y (wx + b) ≥ 1 for α = 0, ≤ 1 for α = C.
            let need_ge = s[i] == 0;
            if s[i] == 1 {
                continue;
            }
            let bound = y[i] * 1.0 - wx; // y b ≥ 1 − y wx  ⇔  b ≥ or ≤ (1/y − wx)
            if b.is_nan() {
                if (y[i] > 0.0) == need_ge {
                    lo = lo.max(bound);
                } else {
                    hi = hi.min(bound);
                }
            } else {
                let yf = y[i] * (wx + b);
                if (need_ge && yf < 1.0 - 1e-9) || (!need_ge && yf > 1.0 + 1e-9) {
                    ok = false;
                }
            }
        }
        if !ok || lo > hi + 1e-9 {
            continue;
        }
        if dual > best.0 {
            best = (dual, w, if pinned { b } else { f64::NAN });
        }
    }
    best
}

#[test]
fn small_random_sets_match_the_brute_force_solution() {
    for seed in 0..12 {
        let n = 5 + (seed as usize % 4);
        let x = uniform_matrix(n, 2, -2.0, 2.0, &mut seeded(seed)).unwrap();
        // Labels by a line, then (soft cases) two flipped: hard-ish and soft.
        let mut labels: Vec<usize> = x
            .rows()
            .into_iter()
            .map(|r| usize::from(r[0] - 0.5 * r[1] > 0.1))
            .collect();
        if labels.iter().all(|&l| l == labels[0]) {
            labels[0] = 1 - labels[0];
        }
        let separable = Dataset::new(&x, &Array1::from(labels.clone())).unwrap();
        let mut flipped = labels.clone();
        flipped[1] = 1 - flipped[1];
        flipped[2] = 1 - flipped[2];
        let noisy = Dataset::new(&x, &Array1::from(flipped)).unwrap();
        let mut cases = vec![(noisy, 1.0), (separable.clone(), 1.0)];
        if separable.class_counts().iter().all(|&c| c > 0) {
            cases.push((separable, f64::INFINITY));
        }
        for (data, c) in cases {
            if data.class_counts().contains(&0) {
                continue;
            }
            let y: Vec<f64> = data
                .y()
                .iter()
                .map(|&l| if l == 1 { 1.0 } else { -1.0 })
                .collect();
            let (dual, w, b) = brute_force(&x, &y, c);
            let model = Svm::new(Kernel::linear())
                .c(c)
                .tolerance(1e-10)
                .fit(&data)
                .unwrap_or_else(|e| panic!("seed {seed}, C = {c}: {e}"));
            let m = &model.machines()[0];
            assert!(
                close(m.dual_objective(), dual, 1e-8),
                "seed {seed}, C = {c}: dual {} vs brute force {dual}",
                m.dual_objective()
            );
            let got = m.weights().unwrap();
            assert!(
                (&got - &w)
                    .iter()
                    .all(|d| d.abs() < 1e-6 * (1.0 + w[0].abs() + w[1].abs())),
                "seed {seed}, C = {c}: w {got} vs {w}"
            );
            if !b.is_nan() {
                assert!(
                    (m.bias() - b).abs() < 1e-6,
                    "seed {seed}: b {} vs {b}",
                    m.bias()
                );
            }
        }
    }
}

/// Two noisy classes in 2-D: Gaussian-ish blobs around (±1, 0).
fn blobs(n: usize, seed: u64) -> Dataset {
    let noise = uniform_matrix(n, 2, -1.5, 1.5, &mut seeded(seed)).unwrap();
    let y: Array1<usize> = (0..n).map(|i| i % 2).collect();
    let mut x = noise;
    for (mut row, &c) in x.rows_mut().into_iter().zip(&y) {
        row[0] += if c == 1 { 1.0 } else { -1.0 };
    }
    Dataset::new(&x, &y).unwrap()
}

#[test]
fn the_kkt_conditions_hold_at_the_solution() {
    let data = blobs(80, 3);
    for (kernel, c) in [
        (Kernel::rbf(0.7), 2.0),
        (Kernel::linear(), 0.5),
        (Kernel::polynomial(3, 0.5, 1.0), 1.0),
    ] {
        let tol = 1e-3;
        let model = Svm::new(kernel.clone())
            .c(c)
            .tolerance(tol)
            .fit(&data)
            .unwrap();
        let m = &model.machines()[0];
        assert!(m.max_violation() <= tol);
        let y_f = margins(&model, &data);
        let mut sum_y_alpha = 0.0;
        for (i, (&a, &yf)) in m.alphas().iter().zip(&y_f).enumerate() {
            let y = if data.y()[i] == 1 { 1.0 } else { -1.0 };
            sum_y_alpha += y * a;
            if a == 0.0 {
                assert!(yf >= 1.0 - tol, "{kernel}: row {i}, α = 0, y f = {yf}");
            } else if a < c {
                assert!(
                    (yf - 1.0).abs() <= tol,
                    "{kernel}: row {i}, free, y f = {yf}"
                );
            } else {
                assert_eq!(a, c);
                assert!(yf <= 1.0 + tol, "{kernel}: row {i}, α = C, y f = {yf}");
            }
        }
        assert!(sum_y_alpha.abs() < 1e-10, "Σ y α = {sum_y_alpha}");
        // The duality gap is Σ α_t G_t + C Σ ξ_t, each term within the tolerance.
        let bound = tol * (m.alphas().sum() + c * data.len() as f64);
        assert!(
            m.duality_gap() >= -1e-10 && m.duality_gap() <= bound,
            "{}",
            m.duality_gap()
        );
        assert!(
            m.n_bounded() > 0 && m.n_support() > m.n_bounded(),
            "{kernel}"
        );
    }
}

#[test]
fn the_duality_gap_closes_as_the_tolerance_shrinks() {
    let data = blobs(60, 4);
    let gaps: Vec<f64> = [1e-1, 1e-3, 1e-6, 1e-9]
        .iter()
        .map(|&tol| {
            let model = Svm::new(Kernel::rbf(0.5))
                .tolerance(tol)
                .fit(&data)
                .unwrap();
            model.machines()[0].duality_gap()
        })
        .collect();
    assert!(gaps.iter().all(|&g| g >= -1e-9), "{gaps:?}");
    assert!(gaps[3] < 1e-6, "{gaps:?}");
    assert!(gaps[3] < gaps[1] && gaps[2] < gaps[0], "{gaps:?}");
}

#[test]
fn the_polynomial_kernel_is_the_dot_product_of_explicit_features() {
    // (γ a·b + c₀)² for a, b in 2-D: φ(a) = (γa₁², γa₂², √2 γ a₁a₂,
    // √(2γc₀) a₁, √(2γc₀) a₂, c₀).
    let (gamma, c0): (f64, f64) = (0.7, 1.3);
    let phi = |a: ArrayView1<'_, f64>| {
        let r = (2.0 * gamma * c0).sqrt();
        array![
            gamma * a[0] * a[0],
            gamma * a[1] * a[1],
            2f64.sqrt() * gamma * a[0] * a[1],
            r * a[0],
            r * a[1],
            c0
        ]
    };
    let a = uniform_matrix(7, 2, -3.0, 3.0, &mut seeded(1)).unwrap();
    let b = uniform_matrix(5, 2, -3.0, 3.0, &mut seeded(2)).unwrap();
    let k = Kernel::polynomial(2, gamma, c0).matrix(&a, &b).unwrap();
    for i in 0..7 {
        for j in 0..5 {
            let explicit = phi(a.row(i)).dot(&phi(b.row(j)));
            assert!(
                close(k[(i, j)], explicit, 1e-13),
                "{} vs {explicit}",
                k[(i, j)]
            );
        }
    }
}

#[test]
fn kernels_compute_their_formulas() {
    let a = array![[1.0, 2.0], [0.0, -1.0]];
    let b = array![[3.0, 0.5]];
    // RBF: ‖(1, 2) − (3, 0.5)‖² = 4 + 2.25; ‖(0, −1) − (3, 0.5)‖² = 9 + 2.25.
    let k = Kernel::rbf(0.3).matrix(&a, &b).unwrap();
    assert!(close(k[(0, 0)], (-0.3f64 * 6.25).exp(), 1e-14));
    assert!(close(k[(1, 0)], (-0.3f64 * 11.25).exp(), 1e-14));
    let k = Kernel::linear().matrix(&a, &b).unwrap();
    assert_eq!(k, array![[4.0], [-0.5]]);
    let k = Kernel::custom("max", |p, q| p[0].max(q[0]))
        .matrix(&a, &b)
        .unwrap();
    assert_eq!(k, array![[3.0], [3.0]]);
    assert_eq!(
        Kernel::custom("max", |p, _| p[0]).to_string(),
        "custom: max"
    );
    assert_eq!(Kernel::linear().to_string(), "linear");
    // The Gram matrix of the RBF (as fitted) agrees with the direct formula.
    let x = uniform_matrix(9, 3, -5.0, 5.0, &mut seeded(8)).unwrap();
    let kernel = Kernel::rbf(0.2);
    let gram = kernel.gram(x.view()).unwrap();
    for i in 0..9 {
        for j in 0..9 {
            let direct = kernel.eval(x.row(i), x.row(j));
            assert!((gram[(i, j)] - direct).abs() < 1e-14, "{i} {j}");
        }
    }
}

#[test]
fn the_pair_update_is_platts_step() {
    // Worked by hand: y_i = +1, y_j = −1, α = (0.2, 0.3), C = 1, E_i = 0.5,
    // E_j = −0.4, K = (2, 1, 0.5): η = 2 + 1 − 1 = 2, α_j = 0.3 − (0.9)/2 =
    // −0.15, clipped to L = max(0, 0.3 − 0.2) = 0.1; α_i − α_j = −0.1 stays,
    // so α_i = 0.
    let (ai, aj) = smo_pair_update(0.2, 0.3, 1.0, -1.0, 0.5, -0.4, 2.0, 1.0, 0.5, 1.0);
    assert!(close(aj, 0.1, 1e-15) && ai.abs() < 1e-15, "{ai} {aj}");
    // Same labels, unclipped: α_j = 0.3 + (0.5 − 0.2)/2 = 0.45, α_i = 0.05.
    let (ai, aj) = smo_pair_update(0.2, 0.3, 1.0, 1.0, 0.5, 0.2, 2.0, 1.0, 0.5, 1.0);
    assert!(
        close(aj, 0.45, 1e-15) && close(ai, 0.05, 1e-15),
        "{ai} {aj}"
    );
    // Against a search along the line: the step is the best point of the
    // segment for the dual, Σ y α stays, and α stays in the box.
    let mut rng = seeded(5);
    let draws = uniform_matrix(300, 8, 0.0, 1.0, &mut rng).unwrap();
    for d in draws.rows() {
        let c = 0.5 + d[0];
        let (ai, aj) = (d[1] * c, d[2] * c);
        let (yi, yj) = (
            if d[3] > 0.5 { 1.0 } else { -1.0 },
            if d[4] > 0.3 { 1.0 } else { -1.0 },
        );
        let (ei, ej) = (4.0 * d[5] - 2.0, 4.0 * d[6] - 2.0);
        // K from two points in 2-D (positive semidefinite).
        let (p, q) = (array![d[7], 1.0 - d[5]], array![d[6], d[2] - 0.5]);
        let (kii, kjj, kij) = (p.dot(&p), q.dot(&q), p.dot(&q));
        let (ni, nj) = smo_pair_update(ai, aj, yi, yj, ei, ej, kii, kjj, kij, c);
        assert!((yi * ni + yj * nj - yi * ai - yj * aj).abs() < 1e-12);
        assert!(
            (0.0..=c).contains(&ni) && (0.0..=c).contains(&nj),
            "{ni} {nj}"
        );
        // The dual's change along the line, ΔD(t) = −y_j (E_j − E_i) t − ½ η t².
        let eta = kii + kjj - 2.0 * kij;
        let change = |t: f64| -yj * (ej - ei) * t - 0.5 * eta * t * t;
        let got = change(nj - aj);
        for k in 0..=1000 {
            let t_j = c * k as f64 / 1000.0;
            let t_i = ai + yi * yj * (aj - t_j);
            if (0.0..=c).contains(&t_i) {
                assert!(change(t_j - aj) <= got + 1e-9, "a better point at {t_j}");
            }
        }
    }
    // η = 0 (two equal points): the dual is linear along the line and the
    // better end is taken. y_i ≠ y_j, α = (½, ½), C = 1, E_i − E_j = 1: the
    // dual changes by −y_j (E_j − E_i) t = −t as α_j moves by t, so α_j goes to
    // L = 0, and α_i − α_j = 0 stays: α = (0, 0).
    let (ai, aj) = smo_pair_update(0.5, 0.5, 1.0, -1.0, 0.5, -0.5, 1.0, 1.0, 1.0, 1.0);
    assert_eq!((ai, aj), (0.0, 0.0));
}

#[test]
fn three_classes_vote_one_against_one() {
    // Three clusters around (0, 0), (5, 0), (0, 5).
    let noise = uniform_matrix(60, 2, -1.0, 1.0, &mut seeded(6)).unwrap();
    let centres = [[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]];
    let y: Array1<usize> = (0..60).map(|i| i % 3).collect();
    let mut x = noise;
    for (mut row, &c) in x.rows_mut().into_iter().zip(&y) {
        row[0] += centres[c][0];
        row[1] += centres[c][1];
    }
    let data = Dataset::new(&x, &y).unwrap();
    let model = Svm::new(Kernel::rbf(0.5)).c(10.0).fit(&data).unwrap();
    let pairs: Vec<(usize, usize)> = model
        .machines()
        .iter()
        .map(|m| (m.negative(), m.positive()))
        .collect();
    assert_eq!(pairs, [(0, 1), (0, 2), (1, 2)]);
    assert_eq!(model.score(&data).unwrap(), 1.0);
    assert_eq!(
        model
            .predict(&array![[0.2, 0.1], [5.3, -0.2], [0.1, 4.6]])
            .unwrap(),
        array![0, 1, 2]
    );
    // Every machine's support vectors are rows of its own two classes.
    for m in model.machines() {
        assert!(
            m.support()
                .iter()
                .all(|&i| y[i] == m.negative() || y[i] == m.positive())
        );
    }
    let union: usize = model.n_support();
    assert!(union <= model.machines().iter().map(|m| m.n_support()).sum());
    let e = model.decision_function(&x).unwrap_err();
    assert!(e.to_string().contains("machines()"), "{e}");
    // The shared kernel matrix and the row cache (2 rows) solve the same
    // problems (their kernels differ in rounding, so their paths may too).
    let small = Svm::new(Kernel::rbf(0.5))
        .c(10.0)
        .cache_mb(1e-6)
        .fit(&data)
        .unwrap();
    for (a, b) in model.machines().iter().zip(small.machines()) {
        assert!(close(a.dual_objective(), b.dual_objective(), 1e-3));
        assert!(b.max_violation() <= 1e-3);
    }
    assert_eq!(small.predict(&x).unwrap(), model.predict(&x).unwrap());
}

#[test]
fn bad_input_is_an_error() {
    let data = blobs(20, 1);
    let rbf = Svm::new(Kernel::rbf(0.5));
    for c in [0.0, -1.0, f64::NAN] {
        let e = rbf.clone().c(c).fit(&data).unwrap_err();
        assert!(e.to_string().starts_with("C must be"), "{e}");
    }
    for g in [0.0, -2.0, f64::NAN, f64::INFINITY] {
        let e = Svm::new(Kernel::rbf(g)).fit(&data).unwrap_err();
        assert!(e.to_string().contains("γ"), "{e}");
    }
    let e = Svm::new(Kernel::polynomial(0, 1.0, 0.0))
        .fit(&data)
        .unwrap_err();
    assert!(e.to_string().contains("degree"), "{e}");
    let e = rbf.clone().tolerance(0.0).fit(&data).unwrap_err();
    assert!(e.to_string().contains("tolerance"), "{e}");
    let one = Dataset::new(&array![[0.0], [1.0]], &array![1, 1]).unwrap();
    let e = rbf.fit(&one).unwrap_err();
    assert!(e.to_string().contains("at least 2 classes"), "{e}");
    let mut x = data.x().clone();
    x[(3, 1)] = f64::NAN;
    let e = rbf.fit(&data.with_x(&x).unwrap()).unwrap_err();
    assert!(matches!(e, Error::NotFinite { .. }), "{e}");
    let nan = Kernel::custom(
        "broken",
        |a, b| if a[0] > 1.0 { f64::NAN } else { a.dot(&b) },
    );
    let e = Svm::new(nan.clone()).fit(&data).unwrap_err();
    assert!(e.to_string().contains("custom: broken"), "{e}");
    let e = nan.matrix(&data, &data).unwrap_err();
    assert!(e.to_string().contains("finite"), "{e}");
    let e = Kernel::linear().matrix(&data, &array![[1.0]]).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    // Too few iterations is an error that says what happened and what to do.
    let e = Svm::new(Kernel::rbf(0.5))
        .max_iterations(3)
        .fit(&data)
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("stopped after 3 iterations with KKT violation"),
        "{text}"
    );
    assert!(text.contains("raise max_iterations"), "{text}");
    // The hard margin on XOR: no line separates it.
    let xor = Dataset::new(
        &array![[0., 0.], [0., 1.], [1., 0.], [1., 1.]],
        &array![0, 1, 1, 0],
    )
    .unwrap();
    let e = Svm::new(Kernel::linear())
        .c(f64::INFINITY)
        .fit(&xor)
        .unwrap_err();
    assert!(e.to_string().contains("no hyperplane separates"), "{e}");
    // A fitted model checks what it predicts on.
    let model = Svm::new(Kernel::rbf(0.5)).fit(&data).unwrap();
    let e = model.predict(&array![[1.0, 2.0, 3.0]]).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    let e = model.predict(&array![[1.0, f64::INFINITY]]).unwrap_err();
    assert!(matches!(e, Error::NotFinite { .. }), "{e}");
}

#[test]
fn the_summary_table_names_the_kernel() {
    let model = Svm::new(Kernel::rbf(0.5)).fit(&blobs(30, 2)).unwrap();
    let html = model.table().to_html();
    assert!(html.contains("RBF (γ = 0.5)"), "{html}");
    assert_eq!(model.table().len(), 1);
}

#[test]
#[ignore = "a timing: cargo test --release -p mlmath --lib svm::tests::digits -- --ignored"]
fn digits_split_of_the_scikit_learn_example() {
    let digits = crate::data::digits().unwrap();
    let n = digits.len() / 2;
    let train = digits.rows(&(0..n).collect::<Vec<_>>()).unwrap();
    let test = digits.rows(&(n..digits.len()).collect::<Vec<_>>()).unwrap();
    let start = std::time::Instant::now();
    let model = Svm::new(Kernel::rbf(0.001)).fit(&train).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let accuracy = model.score(&test).unwrap();
    println!(
        "fit {seconds:.4} s, {} support vectors, {} iterations, accuracy {accuracy:.4}",
        model.n_support(),
        model.iterations()
    );
    assert!((accuracy - 0.969).abs() < 0.005, "{accuracy}");
}
