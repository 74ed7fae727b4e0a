//! Properties of geometry and the perceptron (see main.rs): dot products,
//! norms, projections, hyperplanes, margins; Rosenblatt's rule, Novikoff's
//! bound and the maximum-margin separator. Each answer is compared with a
//! computation written here independently (a compensated sum, a projection
//! worked by hand, a brute-force search), and every bad input must be an
//! error, never a panic.

// `ensure!(a <= b, ..)` expands to `if !(a <= b)`: for floats that is the
// point (a NaN must fail the check), so the lint against it is off here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use mlmath::Error;
use mlmath::data::Dataset;
use mlmath::geometry::{
    augment, boundary_line, dot, margin, norm, projection, radius, signed_distance,
    signed_distances,
};
use mlmath::perceptron::{MAX_EPOCHS, Perceptron, max_margin_separator, novikoff_bound};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

use crate::ensure;
use crate::harness::Suite;
use crate::inputs::{any_f64, any_matrix, finite_f64, matrix, vector};

pub fn all(suite: &mut Suite) {
    vectors(suite);
    hyperplanes(suite);
    perceptron(suite);
    separators(suite);
    errors(suite);
}

/// x · 2ᵏ by repeated halving or doubling (slow and obviously right).
fn times_two_to(mut x: f64, k: i32) -> f64 {
    for _ in 0..k.unsigned_abs() {
        x = if k > 0 { x * 2.0 } else { x / 2.0 };
    }
    x
}

/// The binary exponent of a nonzero finite x: 2ᵉ ≤ |x| < 2ᵉ⁺¹, by halving
/// and doubling (no logarithm).
fn exponent(x: f64) -> i32 {
    let (mut m, mut e) = (x.abs(), 0);
    while m >= 2.0 {
        m /= 2.0;
        e += 1;
    }
    while m < 1.0 {
        m *= 2.0;
        e -= 1;
    }
    e
}

/// a·b as a scaled pair: (s, c, e) with a·b ≈ s·2ᵉ and Σ|a_i b_i| ≈ c·2ᵉ.
/// Each product is split exactly into p + err (fma), on factors rescaled to
/// [1, 2) so that nothing over- or underflows, and the terms are added with
/// Neumaier's compensated sum at the scale of the largest.
fn reference_dot(a: &Array1<f64>, b: &Array1<f64>) -> (f64, f64, i32) {
    let terms: Vec<(f64, f64, i32)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| **x != 0.0 && **y != 0.0)
        .map(|(&x, &y)| {
            let (ex, ey) = (exponent(x), exponent(y));
            let (u, v) = (times_two_to(x, -ex), times_two_to(y, -ey));
            let p = u * v;
            (p, u.mul_add(v, -p), ex + ey)
        })
        .collect();
    let Some(top) = terms.iter().map(|t| t.2).max() else {
        return (0.0, 0.0, 0);
    };
    let (mut sum, mut compensation, mut size) = (0.0f64, 0.0f64, 0.0f64);
    for (p, err, e) in terms {
        for part in [p, err] {
            let t = times_two_to(part, e - top);
            let s = sum + t;
            compensation += if sum.abs() >= t.abs() {
                (sum - s) + t
            } else {
                (t - s) + sum
            };
            sum = s;
            size += t.abs();
        }
    }
    (sum + compensation, size, top)
}

/// log2 |s · 2ᵉ|, for s ≠ 0.
fn log2_of(s: f64, e: i32) -> f64 {
    s.abs().log2() + f64::from(e)
}

/// Two vectors of the same length (sometimes not), with any entries.
fn vector_pair() -> impl Strategy<Value = (Array1<f64>, Array1<f64>)> {
    (0..8usize, 0..10u8).prop_flat_map(|(n, odd)| {
        let m = if odd == 0 { n + 1 } else { n };
        (vector(n..n + 1, any_f64()), vector(m..m + 1, any_f64()))
    })
}

/// A finite vector of length `len` scaled by 2ᵏ, k from −900 to 900: the
/// scale and the vector before scaling.
fn scaled_vector(len: std::ops::Range<usize>) -> impl Strategy<Value = (i32, Array1<f64>)> {
    (-900i32..900, vector(len, -10.0..10.0f64))
}

fn vectors(suite: &mut Suite) {
    suite.check(
        "dot agrees with a compensated sum, and is an error exactly when it overflows",
        &["geometry::dot"],
        vector_pair(),
        |(a, b)| {
            let got = dot(&a, &b);
            if a.len() != b.len() {
                ensure!(matches!(got, Err(Error::Shape { .. })), "{got:?}");
                return Ok(());
            }
            if a.iter().chain(&b).any(|v| !v.is_finite()) {
                ensure!(matches!(got, Err(Error::NotFinite { .. })), "{got:?}");
                return Ok(());
            }
            let (s, size, e) = reference_dot(&a, &b);
            if s == 0.0 && size == 0.0 {
                ensure!(got == Ok(0.0), "{got:?}");
                return Ok(());
            }
            let magnitude = if s == 0.0 {
                f64::NEG_INFINITY
            } else {
                log2_of(s, e)
            };
            if magnitude > 1024.0 + 1e-9 {
                ensure!(
                    matches!(got, Err(Error::Overflow { .. })),
                    "{got:?} for 2^{magnitude}"
                );
            } else if magnitude < 1023.99 {
                let Ok(value) = got else {
                    return Err(TestCaseError::fail(format!("{got:?} for 2^{magnitude}")));
                };
                // In the scale of the largest term: the error is a few
                // roundings of Σ|a_i b_i|, plus what underflows near 2^-1074.
                let scaled = times_two_to(value, -e);
                let tolerance = 1e-14 * size + times_two_to(f64::MIN_POSITIVE, -e).min(1e300);
                ensure!((scaled - s).abs() <= tolerance, "{value} vs {s}·2^{e}");
            }
            Ok(())
        },
    );

    suite.check(
        "norm agrees with a chain of hypot, and bounds every dot product (Cauchy-Schwarz)",
        &["geometry::norm", "geometry::dot"],
        vector_pair(),
        |(a, b)| {
            let got = norm(&a);
            if a.iter().any(|v| !v.is_finite()) {
                ensure!(matches!(got, Err(Error::NotFinite { .. })), "{got:?}");
                return Ok(());
            }
            let reference = a.iter().fold(0.0f64, |r, &v| r.hypot(v));
            if reference.is_infinite() {
                ensure!(matches!(got, Err(Error::Overflow { .. })), "{got:?}");
                return Ok(());
            }
            if reference > 0.999 * f64::MAX {
                return Ok(());
            }
            let value = got.map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(
                (value - reference).abs() <= 1e-14 * reference,
                "{value} vs {reference}"
            );
            if let (Ok(ab), Ok(nb)) = (dot(&a, &b), norm(&b)) {
                // Compared on logarithms: the product of the norms may overflow.
                if ab != 0.0 {
                    let slack = 1e-12;
                    ensure!(
                        ab.abs().ln() <= value.ln() + nb.ln() + slack,
                        "|a·b| = {ab} > ‖a‖ ‖b‖ = {value}·{nb}"
                    );
                }
            }
            Ok(())
        },
    );

    suite.check(
        "projection scales with its input by powers of two and leaves a residual orthogonal to b",
        &["geometry::projection"],
        (scaled_vector(0..6), scaled_vector(0..6), 0..8u8),
        |((ka, a), (kb, b), variant)| {
            if a.len() != b.len() {
                let got = projection(&a, &b);
                ensure!(matches!(got, Err(Error::Shape { .. })), "{got:?}");
                return Ok(());
            }
            let mut b = b;
            if variant == 0 {
                b.fill(0.0);
            }
            let (big_a, big_b) = (
                a.mapv(|v| times_two_to(v, ka)),
                b.mapv(|v| times_two_to(v, kb)),
            );
            let got = projection(&big_a, &big_b);
            let bb = b.dot(&b);
            if bb == 0.0 {
                ensure!(matches!(got, Err(Error::Parameter { .. })), "{got:?}");
                return Ok(());
            }
            let p = got.map_err(|e| TestCaseError::fail(e.to_string()))?;
            // By hand, on the unscaled vectors: (a·b / b·b) b.
            let by_hand = &b * (a.dot(&b) / bb);
            let size = a.dot(&a).sqrt();
            for (got, want) in p.iter().zip(&by_hand) {
                let got = times_two_to(*got, -ka);
                ensure!((got - want).abs() <= 1e-12 * size, "{got} vs {want}");
            }
            let residual = (&a - &p.mapv(|v| times_two_to(v, -ka))).dot(&b);
            ensure!(
                residual.abs() <= 1e-11 * size * bb.sqrt(),
                "(a − p)·b = {residual}"
            );
            Ok(())
        },
    );
}

/// A hyperplane (w, b) and points x: finite, of 1 to 4 dimensions.
fn plane_and_points() -> impl Strategy<Value = (Array1<f64>, f64, Array2<f64>)> {
    (1..5usize).prop_flat_map(|d| {
        (
            vector(d..d + 1, finite_f64()),
            finite_f64(),
            matrix(0..8, d..d + 1, finite_f64()),
        )
    })
}

fn hyperplanes(suite: &mut Suite) {
    suite.check(
        "signed distance equals the distance to the foot of the perpendicular, computed by hand",
        &["geometry::signed_distance", "geometry::signed_distances"],
        (plane_and_points(), -600i32..600),
        |((w, b, xs), k)| {
            let ww = w.dot(&w);
            let all = signed_distances(&w, b, &xs);
            if ww == 0.0 {
                ensure!(matches!(all, Err(Error::Parameter { .. })), "{all:?}");
                return Ok(());
            }
            let all = all.map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(all.len() == xs.nrows(), "{} distances", all.len());
            // (w, b) scaled by 2^k is the same hyperplane.
            let (w_k, b_k) = (w.mapv(|v| times_two_to(v, k)), times_two_to(b, k));
            for (x, &d) in xs.rows().into_iter().zip(&all) {
                // The foot p = x − ((w·x + b)/‖w‖²) w lies on the plane, and
                // |d| = ‖x − p‖ with the sign of w·x + b.
                let score = w.dot(&x) + b;
                let foot = &x - &(&w * (score / ww));
                let size = w.iter().zip(&x).map(|(a, c)| (a * c).abs()).sum::<f64>() + b.abs();
                ensure!(
                    (w.dot(&foot) + b).abs() <= 1e-9 * size,
                    "foot off the plane"
                );
                let length = (&x - &foot).dot(&(&x - &foot)).sqrt();
                ensure!(
                    (d.abs() - length).abs() <= 1e-9 * (size / ww.sqrt() + 1.0),
                    "{d} vs {length}"
                );
                if score.abs() > 1e-9 * size {
                    ensure!(
                        d.signum() == score.signum(),
                        "side of {x}: {d} vs score {score}"
                    );
                }
                ensure!(
                    signed_distance(&w, b, x) == Ok(d),
                    "one point differs from the rows"
                );
                if b_k != 0.0 || b == 0.0 {
                    let scaled = signed_distance(&w_k, b_k, x)
                        .map_err(|e| TestCaseError::fail(format!("scaled by 2^{k}: {e}")))?;
                    ensure!(
                        (scaled - d).abs() <= 1e-12 * (d.abs() + size),
                        "2^{k}: {scaled} vs {d}"
                    );
                }
            }
            Ok(())
        },
    );

    suite.check(
        "margin is the smallest distance towards each point's own side; radius the largest norm",
        &["geometry::margin", "geometry::radius", "geometry::augment"],
        (plane_and_points(), 0..4usize),
        |((w, b, xs), classes)| {
            let n = xs.nrows();
            let y = Array1::from_iter((0..n).map(|i| (i * 7 + 3) % classes.max(1)));
            let names: Vec<String> = (0..classes).map(|c| format!("c{c}")).collect();
            let data = Dataset::new(&xs, &y).and_then(|d| d.with_class_names(&names));
            let Ok(data) = data else {
                return Ok(()); // fewer names than labels: no dataset to test
            };
            let got = margin(&w, b, &data);
            let ww = w.dot(&w);
            if n == 0 {
                ensure!(matches!(got, Err(Error::Empty { .. })), "{got:?}");
            } else if classes != 2 {
                let e = got.err().map(|e| e.to_string()).unwrap_or_default();
                ensure!(e.contains(".classes(&[a, b])"), "{e}");
            } else if ww == 0.0 {
                ensure!(matches!(got, Err(Error::Parameter { .. })), "{got:?}");
            } else {
                let by_hand = xs
                    .rows()
                    .into_iter()
                    .zip(&y)
                    .map(|(x, &c)| {
                        let sign = if c == 1 { 1.0 } else { -1.0 };
                        sign * (w.dot(&x) + b) / ww.sqrt()
                    })
                    .fold(f64::INFINITY, f64::min);
                let g = got.map_err(|e| TestCaseError::fail(e.to_string()))?;
                ensure!(
                    (g - by_hand).abs() <= 1e-9 * (1.0 + by_hand.abs()),
                    "{g} vs {by_hand}"
                );
            }
            // radius and augment, on the array and on the dataset alike.
            let r = radius(&xs);
            if n == 0 {
                ensure!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
            } else {
                let by_hand = xs
                    .rows()
                    .into_iter()
                    .map(|x| x.iter().fold(0.0f64, |s, &v| s.hypot(v)))
                    .fold(0.0, f64::max);
                let r = r.map_err(|e| TestCaseError::fail(e.to_string()))?;
                ensure!((r - by_hand).abs() <= 1e-14 * by_hand, "{r} vs {by_hand}");
                ensure!(radius(&data) == Ok(r), "the dataset's radius differs");
            }
            let a = augment(&xs);
            ensure!(a.dim() == (n, xs.ncols() + 1), "{:?}", a.dim());
            ensure!(
                a.column(xs.ncols()).iter().all(|&v| v == 1.0),
                "not a column of ones"
            );
            ensure!(
                a.slice(ndarray::s![.., ..xs.ncols()]) == xs,
                "the features moved"
            );
            ensure!(augment(&data) == a, "the dataset's augment differs");
            Ok(())
        },
    );

    suite.check(
        "radius and signed distances refuse NaN and infinity, and survive any magnitude",
        &[
            "geometry::radius",
            "geometry::signed_distances",
            "geometry::augment",
        ],
        (any_matrix(), vector(0..6, any_f64()), any_f64()),
        |(xs, w, b)| {
            let finite = xs.iter().all(|v| v.is_finite());
            match radius(&xs) {
                Ok(r) => ensure!(finite && xs.nrows() > 0 && r.is_finite() && r >= 0.0, "{r}"),
                Err(Error::Empty { .. }) => ensure!(xs.nrows() == 0, "empty?"),
                Err(Error::NotFinite { .. }) => ensure!(!finite, "finite data refused"),
                Err(Error::Overflow { .. }) => ensure!(finite, "overflow on NaN"),
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            }
            if let Ok(d) = signed_distances(&w, b, &xs) {
                ensure!(
                    d.len() == xs.nrows() && d.iter().all(|v| v.is_finite()),
                    "{d}"
                );
                ensure!(
                    w.len() == xs.ncols() && b.is_finite() && finite,
                    "accepted bad input"
                );
            }
            let _ = augment(xs.view());
            Ok(())
        },
    );

    suite.check(
        "boundary line end points lie on the line, within the range asked",
        &["geometry::boundary_line"],
        (vector(0..4, any_f64()), any_f64(), any_f64(), any_f64()),
        |(w, b, low, high)| {
            let got = boundary_line(&w, b, (low, high));
            let valid = w.len() == 2
                && w.iter().all(|v| v.is_finite())
                && w.iter().any(|&v| v != 0.0)
                && b.is_finite()
                && low.is_finite()
                && high.is_finite()
                && low < high;
            let Ok((xs, ys)) = got else {
                ensure!(
                    !valid || matches!(got, Err(Error::Overflow { .. })),
                    "{got:?}"
                );
                return Ok(());
            };
            ensure!(valid, "accepted w = {w}, b = {b}, range ({low}, {high})");
            ensure!(xs.len() == 2 && ys.len() == 2, "{xs:?} {ys:?}");
            let vertical = xs[0] == xs[1] && ys == vec![low, high];
            ensure!(vertical || xs == vec![low, high], "{xs:?} {ys:?}");
            // On the line: w·p + b = 0, relative to the sizes of the terms.
            let n = w.iter().fold(0.0f64, |s, &v| s.hypot(v));
            for (x, y) in xs.iter().zip(&ys) {
                let (u, v) = (w[0] / n, w[1] / n);
                // A nearly vertical line (|w₂| ≤ 1e-12 ‖w‖) is drawn vertical,
                // as documented: then only the x part must vanish.
                let v = if vertical && v.abs() <= 1e-12 { 0.0 } else { v };
                let terms = (u * x).abs() + (v * y).abs() + (b / n).abs();
                ensure!(
                    (u * x + v * y + b / n).abs() <= 1e-9 * terms,
                    "({x}, {y}) is off the line"
                );
            }
            Ok(())
        },
    );
}

/// A two-class dataset separated by a known unit vector u = (u_w, u_b) of
/// the augmented space with margin at least γ: points of the box [−1, 1]ᵈ,
/// labelled by the side of u, then pushed along u_w until y u·x̃ ≥ γ.
fn separable() -> impl Strategy<Value = (Dataset, Array1<f64>, f64)> {
    (1..5usize, 2..30usize, 0.02..0.5f64).prop_flat_map(|(d, n, gamma)| {
        (
            vector(d..d + 1, -1.0..1.0f64),
            -0.5..0.5f64,
            matrix(n..n + 1, d..d + 1, -1.0..1.0f64),
            Just(gamma),
        )
            .prop_filter_map("u_w too short", move |(u_w, u_b, mut x, gamma)| {
                let uu = u_w.dot(&u_w);
                if uu < 0.01 {
                    return None;
                }
                let length = (uu + u_b * u_b).sqrt();
                let u: Array1<f64> = u_w
                    .iter()
                    .copied()
                    .chain([u_b])
                    .map(|v| v / length)
                    .collect();
                let (u_w, u_b) = (u.slice(ndarray::s![..d]).to_owned(), u[d]);
                let uu = u_w.dot(&u_w);
                let mut classes = Vec::new();
                for mut row in x.rows_mut() {
                    let side = u_w.dot(&row) + u_b;
                    let y = if side >= 0.0 { 1.0 } else { -1.0 };
                    let push = (gamma - y * side).max(0.0) * 1.000001;
                    row.scaled_add(y * push / uu, &u_w);
                    classes.push(usize::from(y > 0.0));
                }
                let data = Dataset::new(&x, &Array1::from(classes))
                    .and_then(|d| d.with_class_names(&["−1", "+1"]))
                    .ok()?;
                Some((data, u, gamma))
            })
    })
}

/// Rosenblatt's rule as the module docs state it, in plain f64: the
/// mistakes, weights and bias of every epoch.
fn rosenblatt(data: &Dataset, eta: f64, max_epochs: usize) -> Vec<(usize, Vec<f64>, f64)> {
    let mut w = vec![0.0; data.n_features()];
    let mut b = 0.0;
    let mut epochs = Vec::new();
    for _ in 0..max_epochs {
        let mut mistakes = 0;
        for (x, &c) in data.x().rows().into_iter().zip(data.y()) {
            let y = if c == 1 { 1.0 } else { -1.0 };
            let score: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>() + b;
            if y * score <= 0.0 {
                for (w_j, x_j) in w.iter_mut().zip(&x) {
                    *w_j += eta * y * x_j;
                }
                b += eta * y;
                mistakes += 1;
            }
        }
        epochs.push((mistakes, w.clone(), b));
        if mistakes == 0 {
            break;
        }
    }
    epochs
}

fn perceptron(suite: &mut Suite) {
    suite.check(
        "the perceptron's mistakes stay under Novikoff's bound on data of known margin",
        &[
            "Perceptron::new",
            "Perceptron::fit",
            "Perceptron::learning_rate",
            "Perceptron::max_epochs",
            "perceptron::novikoff_bound",
            "NovikoffBound::bound",
            "NovikoffBound::margin",
            "NovikoffBound::radius",
            "FittedPerceptron::updates",
            "FittedPerceptron::converged",
            "FittedPerceptron::predict",
            "FittedPerceptron::score",
        ],
        (separable(), -3.0..3.0f64),
        |((data, u, gamma), log_eta)| {
            let nb = novikoff_bound(&data, &u).map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(
                nb.margin() >= gamma * (1.0 - 1e-9),
                "margin {} < {gamma}",
                nb.margin()
            );
            let by_hand = data
                .x()
                .rows()
                .into_iter()
                .map(|x| x.iter().fold(1.0f64, |s, &v| s.hypot(v)))
                .fold(0.0, f64::max);
            ensure!(
                (nb.radius() - by_hand).abs() <= 1e-12 * by_hand,
                "R {} vs {by_hand}",
                nb.radius()
            );
            ensure!(
                (nb.bound() - (nb.radius() / nb.margin()).powi(2)).abs() <= 1e-9 * nb.bound(),
                "bound"
            );
            let epochs = nb.bound().floor() as usize + 2;
            let eta = 10f64.powf(log_eta);
            let model = Perceptron::new()
                .learning_rate(eta)
                .max_epochs(epochs)
                .fit(&data)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(
                model.converged(),
                "not converged in {epochs} epochs (bound {})",
                nb.bound()
            );
            ensure!(
                model.updates() as f64 <= nb.bound(),
                "{} mistakes > bound {}",
                model.updates(),
                nb.bound()
            );
            ensure!(
                model.predict(&data).unwrap() == data.y(),
                "training points misclassified"
            );
            ensure!(
                model.score(&data) == Ok(1.0),
                "score {:?}",
                model.score(&data)
            );
            Ok(())
        },
    );

    suite.check(
        "the fitted perceptron is Rosenblatt's rule, epoch by epoch, and predicts by its sign",
        &[
            "Perceptron::fit",
            "Perceptron::default",
            "FittedPerceptron::epochs",
            "FittedPerceptron::weights",
            "FittedPerceptron::bias",
            "FittedPerceptron::augmented_weights",
            "FittedPerceptron::class_names",
            "FittedPerceptron::decision_function",
            "Epoch::mistakes",
            "Epoch::weights",
            "Epoch::bias",
        ],
        (
            matrix(1..12, 1..4, finite_f64()),
            0.01..10.0f64,
            1..30usize,
            any::<u64>(),
        ),
        |(x, eta, max_epochs, seed)| {
            let y = Array1::from_iter((0..x.nrows()).map(|i| ((seed >> (i % 64)) & 1) as usize));
            let data = Dataset::new(&x, &y)
                .and_then(|d| d.with_class_names(&["no", "yes"]))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let model = Perceptron::default()
                .learning_rate(eta)
                .max_epochs(max_epochs)
                .fit(&data)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let expected = rosenblatt(&data, eta, max_epochs);
            ensure!(
                model.epochs().len() == expected.len(),
                "{} epochs",
                model.epochs().len()
            );
            for (k, (epoch, (mistakes, w, b))) in model.epochs().iter().zip(&expected).enumerate() {
                ensure!(epoch.mistakes() == *mistakes, "epoch {k}: mistakes");
                ensure!(
                    epoch.weights().to_vec() == *w && epoch.bias() == *b,
                    "epoch {k}: weights"
                );
            }
            let (_, w, b) = expected.last().unwrap();
            ensure!(
                model.weights().to_vec() == *w && model.bias() == *b,
                "final weights"
            );
            ensure!(
                model.converged() == (expected.last().unwrap().0 == 0),
                "converged"
            );
            let wb = model.augmented_weights();
            ensure!(
                wb.len() == w.len() + 1 && wb[w.len()] == *b,
                "augmented weights"
            );
            ensure!(model.class_names() == ["no", "yes"], "class names");
            let scores = model.decision_function(&x).unwrap();
            let predicted = model.predict(x.view()).unwrap();
            for (s, p) in scores.iter().zip(&predicted) {
                ensure!(*p == usize::from(*s >= 0.0), "prediction {p} for score {s}");
            }
            Ok(())
        },
    );

    suite.check(
        "fit, predict and score take any data and hyperparameters without a panic",
        &[
            "Perceptron::fit",
            "FittedPerceptron::predict",
            "FittedPerceptron::decision_function",
            "FittedPerceptron::score",
        ],
        (any_matrix(), 0..4usize, any_f64(), 0..60usize, any_matrix()),
        |(x, classes, eta, max_epochs, other)| {
            let y = Array1::from_iter((0..x.nrows()).map(|i| i % classes.max(1)));
            let names: Vec<String> = (0..classes.max(1)).map(|c| c.to_string()).collect();
            let data = Dataset::new(&x, &y)
                .and_then(|d| d.with_class_names(&names))
                .unwrap();
            let got = Perceptron::new()
                .learning_rate(eta)
                .max_epochs(max_epochs)
                .fit(&data);
            let valid = x.nrows() > 0
                && x.iter().all(|v| v.is_finite())
                && names.len() == 2
                && eta.is_finite()
                && eta > 0.0
                && (1..=MAX_EPOCHS).contains(&max_epochs);
            let model = match got {
                Ok(model) => model,
                Err(Error::Overflow { .. }) if valid => return Ok(()),
                Err(e) => {
                    ensure!(!valid, "refused valid input: {e}");
                    return Ok(());
                }
            };
            ensure!(valid, "accepted invalid input");
            ensure!(model.epochs().len() <= max_epochs, "too many epochs");
            ensure!(
                model.updates() == model.epochs().iter().map(|e| e.mistakes()).sum::<usize>(),
                "updates"
            );
            if model.converged() {
                ensure!(
                    model.score(&data) == Ok(1.0),
                    "converged but {:?}",
                    model.score(&data)
                );
            }
            match model.predict(&other) {
                Ok(p) => ensure!(
                    p.len() == other.nrows()
                        && other.ncols() == x.ncols()
                        && other.iter().all(|v| v.is_finite()),
                    "predicted on bad input"
                ),
                Err(Error::Overflow { .. }) => {}
                Err(e) => ensure!(
                    other.ncols() != x.ncols() || other.iter().any(|v| !v.is_finite()),
                    "refused good input: {e}"
                ),
            }
            let _ = model.decision_function(other.view());
            Ok(())
        },
    );
}

/// The maximum-margin separator by brute force on a tiny set: the optimum
/// v of min ‖v‖² s.t. y_i v·x̃_i ≥ 1 solves y_i v·x̃_i = 1 with least norm
/// on its active set S, v = Σ_S α_i y_i x̃_i with G α = 1 (G_ij = y_i y_j
/// x̃_i·x̃_j); so try every S and keep the feasible v of least norm.
fn brute_force_separator(x_aug: &Array2<f64>, y: &[f64]) -> Option<Array1<f64>> {
    let n = x_aug.nrows();
    let mut best: Option<Array1<f64>> = None;
    for mask in 1u32..(1 << n) {
        let set: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        if set.len() > x_aug.ncols() {
            continue;
        }
        let k = set.len();
        let mut g = Array2::<f64>::zeros((k, k));
        for (a, &i) in set.iter().enumerate() {
            for (c, &j) in set.iter().enumerate() {
                g[(a, c)] = y[i] * y[j] * x_aug.row(i).dot(&x_aug.row(j));
            }
        }
        let Some(alpha) = solve(g, Array1::ones(k)) else {
            continue;
        };
        let mut v = Array1::<f64>::zeros(x_aug.ncols());
        for (a, &i) in set.iter().enumerate() {
            v.scaled_add(alpha[a] * y[i], &x_aug.row(i));
        }
        let feasible = (0..n).all(|i| y[i] * v.dot(&x_aug.row(i)) >= 1.0 - 1e-9);
        if feasible && best.as_ref().is_none_or(|b| v.dot(&v) < b.dot(b)) {
            best = Some(v);
        }
    }
    best.map(|v| {
        let length = v.dot(&v).sqrt();
        v / length
    })
}

/// Gaussian elimination with partial pivoting; `None` for a singular system.
fn solve(mut a: Array2<f64>, mut b: Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[(i, col)].abs().total_cmp(&a[(j, col)].abs()))?;
        if a[(pivot, col)].abs() <= 1e-10 * scale {
            return None;
        }
        for j in 0..n {
            a.swap((col, j), (pivot, j));
        }
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[(row, col)] / a[(col, col)];
            for j in col..n {
                a[(row, j)] -= f * a[(col, j)];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = Array1::zeros(n);
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|j| a[(row, j)] * x[j]).sum();
        x[row] = (b[row] - rest) / a[(row, row)];
    }
    Some(x)
}

fn separators(suite: &mut Suite) {
    suite.check(
        "the maximum-margin separator matches a brute-force search on tiny sets",
        &[
            "perceptron::max_margin_separator",
            "perceptron::novikoff_bound",
        ],
        separable(),
        |(data, _, _)| {
            let data = data
                .rows(&(0..data.len().min(5)).collect::<Vec<_>>())
                .unwrap();
            let x_aug = augment(&data);
            let y: Vec<f64> = data
                .y()
                .iter()
                .map(|&c| if c == 1 { 1.0 } else { -1.0 })
                .collect();
            let u = max_margin_separator(&data).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let best = brute_force_separator(&x_aug, &y)
                .ok_or_else(|| TestCaseError::fail("brute force found no separator"))?;
            // The brute force is the optimum; the solver certifies its
            // margin to a relative 1e-8.
            let solver =
                novikoff_bound(&data, &u).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let brute = novikoff_bound(&data, &best).unwrap();
            let (got, best_margin) = (solver.margin(), brute.margin());
            ensure!(
                got >= best_margin * (1.0 - 1e-8),
                "solver margin {got} < optimum {best_margin}"
            );
            ensure!(
                got <= best_margin * (1.0 + 1e-9),
                "solver margin {got} beats the optimum {best_margin}"
            );
            Ok(())
        },
    );

    suite.check(
        "Novikoff's bound and the separator take any dataset and any u without a panic",
        &[
            "perceptron::novikoff_bound",
            "perceptron::max_margin_separator",
        ],
        (
            matrix(0..6, 0..3, any_f64()),
            0..4usize,
            vector(0..5, any_f64()),
        ),
        |(x, classes, u)| {
            let y = Array1::from_iter((0..x.nrows()).map(|i| i % classes.max(1)));
            let names: Vec<String> = (0..classes.max(1)).map(|c| c.to_string()).collect();
            let data = Dataset::new(&x, &y)
                .and_then(|d| d.with_class_names(&names))
                .unwrap();
            if let Ok(nb) = novikoff_bound(&data, &u) {
                ensure!(
                    u.len() == x.ncols() + 1 && names.len() == 2,
                    "accepted a bad u or data"
                );
                ensure!(
                    nb.margin() > 0.0 && nb.radius() >= 1.0 && nb.bound() >= 1.0 - 1e-12,
                    "{nb:?}"
                );
            }
            // Whatever comes back is a finite unit vector that separates, or
            // an error; where a brute-force search finds a separator, the
            // error may not say "no hyperplane separates".
            let y_pm: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
            let finite = x.iter().all(|v| v.is_finite());
            match max_margin_separator(&data) {
                Ok(u) => {
                    ensure!(u.iter().all(|v| v.is_finite()), "not finite: {u}");
                    let length = u.dot(&u).sqrt();
                    ensure!((length - 1.0).abs() < 1e-9, "not a unit vector: {u}");
                    ensure!(
                        novikoff_bound(&data, &u).is_ok(),
                        "the separator does not separate"
                    );
                }
                Err(e) => {
                    let separable = x.nrows() <= 3
                        && names.len() == 2
                        && finite
                        && x.iter().all(|v| v.abs() < 1e100)
                        && brute_force_separator(&augment(&x), &y_pm).is_some();
                    ensure!(
                        !(separable && e.to_string().contains("no hyperplane separates")),
                        "separable data called inseparable: {e}"
                    );
                }
            }
            Ok(())
        },
    );

    suite.check(
        "data built around a known separator, scaled and moved, are never called inseparable",
        &["perceptron::max_margin_separator"],
        (separable(), -200i32..200, -3i32..5),
        |((data, u, gamma), k, shift)| {
            // Scale every feature by 10^k and move it by 10^shift: the known
            // u, mapped along, still separates (w·x + b = w·(x' − c) / s + b).
            let (scale, offset) = (10f64.powi(k), 10f64.powi(shift));
            let d = data.n_features();
            let moved = data.with_x(&data.x().mapv(|v| v * scale + offset)).unwrap();
            let w = u.slice(ndarray::s![..d]).mapv(|v| v / scale);
            let b = u[d] - w.sum() * offset;
            let known: Array1<f64> = w.iter().copied().chain([b]).collect();
            let Ok(reference) = novikoff_bound(&moved, &known) else {
                return Ok(()); // the moved separator itself lost its digits
            };
            match max_margin_separator(&moved) {
                Ok(best) => {
                    let got = novikoff_bound(&moved, &best)
                        .map_err(|e| TestCaseError::fail(format!("does not separate: {e}")))?;
                    ensure!(
                        got.margin() >= reference.margin() * (1.0 - 1e-8),
                        "margin {} below the known separator's {} (γ = {gamma})",
                        got.margin(),
                        reference.margin()
                    );
                }
                Err(e) => ensure!(
                    !e.to_string().contains("no hyperplane separates"),
                    "separable data called inseparable: {e}"
                ),
            }
            Ok(())
        },
    );
}

fn errors(suite: &mut Suite) {
    suite.check(
        "check_finite names the first NaN or infinity in row-major order",
        &[
            "error::check_finite",
            "error::check_samples",
            "Error::overflow",
        ],
        (any_matrix(), 0..14usize),
        |(x, n_labels)| {
            let first = x
                .indexed_iter()
                .find(|(_, v)| !v.is_finite())
                .map(|((i, j), _)| vec![i, j]);
            match mlmath::error::check_finite("x", x.view()) {
                Ok(()) => ensure!(first.is_none(), "missed {first:?}"),
                Err(Error::NotFinite { index, .. }) => {
                    ensure!(Some(index.clone()) == first, "{index:?}")
                }
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            }
            let checked = mlmath::error::check_samples(x.view(), n_labels);
            ensure!(
                checked.is_ok() == (n_labels == x.nrows() && n_labels > 0),
                "{checked:?}"
            );
            let e = Error::overflow("w·x", "rescale");
            ensure!(
                e.to_string().contains("w·x") && e.to_string().contains("rescale"),
                "{e}"
            );
            Ok(())
        },
    );
}
