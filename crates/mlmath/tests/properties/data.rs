//! Properties of the data module: datasets, rows, splits, folds, scaling,
//! and the seeded random helpers.

use mlmath::data::{Dataset, Standardizer};
use mlmath::random::{seeded, uniform_matrix};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

use crate::ensure;
use crate::harness::Suite;
use crate::inputs::{any_f64, any_matrix, labelled, labels, matrix};

pub fn all(suite: &mut Suite) {
    limits(suite);
    suite.check(
        "a dataset is made only from parts that agree",
        &[
            "Dataset::new",
            "Dataset::with_class_names",
            "Dataset::with_feature_names",
        ],
        (any_matrix(), 0..14usize, 0..4usize, 0..8usize),
        |(x, n_labels, classes, n_names)| {
            let y = Array1::from(
                (0..n_labels)
                    .map(|i| i % classes.max(1))
                    .collect::<Vec<_>>(),
            );
            let made = Dataset::new(&x, &y);
            ensure!(
                made.is_ok() == (n_labels == x.nrows()),
                "rows {} labels {n_labels}",
                x.nrows()
            );
            if let Ok(d) = made {
                let names: Vec<String> = (0..n_names).map(|j| format!("f{j}")).collect();
                let renamed = d.clone().with_feature_names(&names);
                ensure!(renamed.is_ok() == (n_names == x.ncols()), "feature names");
                let seen = y.iter().max().map_or(0, |&c| c + 1);
                let classes: Vec<String> = (0..classes).map(|c| c.to_string()).collect();
                let renamed = d.with_class_names(&classes);
                ensure!(renamed.is_ok() == (classes.len() >= seen), "class names");
            }
            Ok(())
        },
    );

    suite.check(
        "rows takes any index list and names the first one out of range",
        &["Dataset::rows", "Dataset::len"],
        (
            labelled(0..10, 1..4, 3),
            proptest::collection::vec(0..14usize, 0..12),
        ),
        |((x, y), indices)| {
            let d = Dataset::new(&x, &y).unwrap();
            match d.rows(&indices) {
                Ok(sub) => {
                    ensure!(
                        indices.iter().all(|&i| i < x.nrows()),
                        "accepted {indices:?}"
                    );
                    for (r, &i) in indices.iter().enumerate() {
                        ensure!(sub.x().row(r) == x.row(i) && sub.y()[r] == y[i], "row {r}");
                    }
                }
                Err(e) => {
                    let bad = indices.iter().find(|&&i| i >= x.nrows()).copied();
                    ensure!(bad.is_some(), "refused in-range indices: {e}");
                    ensure!(e.to_string().contains(&bad.unwrap().to_string()), "{e}");
                }
            }
            Ok(())
        },
    );

    suite.check(
        "a stratified split partitions the rows in each class's proportion",
        &["Dataset::stratified_split", "Dataset::class_counts"],
        (labelled(0..40, 1..3, 4), any_f64(), any::<u64>()),
        |((x, y), fraction, seed)| {
            let d = Dataset::new(&x, &y).unwrap();
            let counts = d.class_counts();
            let valid = !d.is_empty()
                && fraction > 0.0
                && fraction < 1.0
                && counts.iter().all(|&c| c == 0 || c >= 2);
            match d.stratified_split(fraction, seed) {
                Ok((train, test)) => {
                    ensure!(valid, "split accepted an invalid request");
                    ensure!(train.len() + test.len() == d.len(), "rows lost");
                    for (c, &n_c) in counts.iter().enumerate() {
                        let t = test.class_counts()[c] as f64;
                        ensure!(
                            n_c == 0 || (t - fraction * n_c as f64).abs() <= 1.0,
                            "class {c}"
                        );
                    }
                }
                Err(_) => ensure!(!valid, "a valid split was refused"),
            }
            Ok(())
        },
    );

    suite.check(
        "k folds test every row once, each class spread evenly",
        &[
            "Dataset::k_folds",
            "Dataset::cross_validate",
            "Scores::mean",
            "Scores::std",
        ],
        (labelled(0..30, 1..3, 3), 0..12usize, any::<u64>()),
        |((x, y), k, seed)| {
            let d = Dataset::new(&x, &y).unwrap();
            match d.k_folds(k, seed) {
                Ok(folds) => {
                    ensure!(
                        k >= 2 && k <= d.len(),
                        "k = {k} accepted for n = {}",
                        d.len()
                    );
                    let tested: usize = folds.iter().map(|(_, t)| t.len()).sum();
                    ensure!(tested == d.len(), "{tested} rows tested of {}", d.len());
                    for (train, test) in &folds {
                        ensure!(train.len() + test.len() == d.len(), "fold sizes");
                        for (c, &n_c) in d.class_counts().iter().enumerate() {
                            let t = test.class_counts()[c];
                            ensure!(
                                t == n_c / k || t == n_c.div_ceil(k),
                                "class {c}: {t} of {n_c}"
                            );
                        }
                    }
                    // The folds' scores, against a plain mean.
                    let scores = d
                        .cross_validate(k, seed, |_, test| Ok(test.len() as f64))
                        .unwrap();
                    let mean = d.len() as f64 / k as f64;
                    ensure!(
                        (scores.mean() - mean).abs() < 1e-9,
                        "mean {}",
                        scores.mean()
                    );
                    ensure!(scores.std() <= 0.75, "fold sizes differ by at most one");
                }
                Err(_) => ensure!(k < 2 || k > d.len(), "k = {k} refused"),
            }
            Ok(())
        },
    );

    suite.check(
        "standardising gives mean 0 and spread 1, even at an offset of 1e9",
        &[
            "Standardizer::fit",
            "Standardizer::transform",
            "Standardizer::inverse_transform",
            "Dataset::standardized",
            "Dataset::standardized_by",
            "preprocessing::standardize",
        ],
        (
            matrix(0..20, 0..4, -1.0..1.0f64),
            prop_oneof![Just(0.0), Just(1e9), Just(-1e6)],
            prop_oneof![Just(1.0), Just(1e-6), Just(1e8)],
        ),
        |(x, offset, scale)| {
            let x = x.mapv(|v| offset + scale * v);
            match Standardizer::fit(&x) {
                Ok(s) => {
                    let z = s.transform(&x).unwrap();
                    for (j, column) in z.columns().into_iter().enumerate() {
                        let n = column.len() as f64;
                        let mean = column.sum() / n;
                        let var = column.mapv(|v| (v - mean).powi(2)).sum() / n;
                        ensure!(mean.abs() < 1e-6, "column {j}: mean {mean}");
                        ensure!((var - 1.0).abs() < 1e-6, "column {j}: variance {var}");
                    }
                    let back = s.inverse_transform(&z).unwrap();
                    let tolerance = 1e-9 * (offset.abs() + scale);
                    ensure!(
                        (&back - &x).iter().all(|e| e.abs() <= tolerance),
                        "round trip"
                    );
                }
                Err(_) => {
                    let constant = x
                        .columns()
                        .into_iter()
                        .any(|c| c.iter().all(|&v| v == c[0]));
                    ensure!(x.nrows() == 0 || constant, "refused a varying matrix");
                }
            }
            Ok(())
        },
    );

    suite.check(
        "bad features are errors, never panics",
        &[
            "Standardizer::fit",
            "Standardizer::transform",
            "Dataset::features",
            "Dataset::classes",
            "Dataset::with_x",
            "Dataset::drop_missing",
            "Dataset::missing_rows",
            "Dataset::shuffled",
        ],
        (any_matrix(), any_matrix(), 0..3usize),
        |(x, other, pick)| {
            let y: Array1<usize> = Array1::zeros(x.nrows());
            let d = Dataset::new(&x, &y).unwrap();
            let _ = Standardizer::fit(&x).map(|s| s.transform(&other));
            let _ = d.with_x(&other);
            let _ = d.features(&[format!("x{pick}")]);
            let _ = d.classes(&["0", "1"]);
            let kept = d.drop_missing();
            ensure!(
                kept.len() + d.missing_rows().len() == d.len(),
                "drop_missing"
            );
            let shuffled = d.shuffled(pick as u64);
            ensure!(shuffled.len() == d.len(), "shuffled");
            Ok(())
        },
    );

    suite.check(
        "uniform draws stay in [low, high), and a bad range is an error",
        &[
            "random::uniform_matrix",
            "random::normal_matrix",
            "random::normal_vector",
        ],
        (any_f64(), any_f64(), 0..5usize, 0..5usize),
        |(low, high, n, d)| {
            let mut rng = seeded(1);
            match uniform_matrix(n, d, low, high, &mut rng) {
                Ok(u) => {
                    ensure!(
                        low < high && (high - low).is_finite(),
                        "accepted [{low}, {high})"
                    );
                    ensure!(u.iter().all(|&v| low <= v && v < high), "draw out of range");
                }
                Err(_) => ensure!(
                    !(low < high) || !(high - low).is_finite(),
                    "refused [{low}, {high})"
                ),
            }
            let z = mlmath::random::normal_matrix(n, d, &mut rng);
            ensure!(z.map(|z| z.dim()) == Ok((n, d)), "normal_matrix shape");
            ensure!(
                mlmath::random::normal_vector(n, &mut rng).len() == n,
                "normal_vector"
            );
            Ok(())
        },
    );

    // Labels beyond the class names are refused whatever their values.
    suite.check(
        "labels past the named classes are refused",
        &["Dataset::with_class_names"],
        (labels(6, 5), 0..5usize),
        |(y, named)| {
            let x = Array2::<f64>::zeros((6, 1));
            let names: Vec<String> = (0..named).map(|c| format!("c{c}")).collect();
            let ok = Dataset::new(&x, &y)
                .unwrap()
                .with_class_names(&names)
                .is_ok();
            ensure!(
                ok == y.iter().all(|&c| c < named),
                "labels {y} with {named} names"
            );
            Ok(())
        },
    );

    // Any label value, up to usize::MAX: made or refused, never a panic or a
    // billion empty classes.
    suite.check(
        "a dataset takes labels below its row count or MAX_LABEL and refuses others",
        &["Dataset::new", "Dataset::n_classes", "Dataset::classes"],
        (
            0..6usize,
            proptest::collection::vec(
                prop_oneof![
                    0..8usize,
                    990..1010usize,
                    Just(usize::MAX),
                    1_000_000..usize::MAX
                ],
                0..7,
            ),
        ),
        |(rows, y)| {
            let x = Array2::<f64>::zeros((rows, 1));
            let made = Dataset::new(&x, &Array1::from(y.clone()));
            let cap = rows.max(Dataset::MAX_LABEL);
            let fits = y.len() == rows && y.iter().all(|&c| c < cap);
            ensure!(made.is_ok() == fits, "{rows} rows, labels {y:?}: {made:?}");
            if let Ok(d) = made {
                let seen = y.iter().max().map_or(0, |&c| c + 1);
                ensure!(d.n_classes() == seen, "{} classes for {y:?}", d.n_classes());
                if let Some(first) = d.class_names().first().cloned() {
                    let twice = d.classes(&[first.clone(), first]);
                    ensure!(twice.is_err(), "a class asked for twice was accepted");
                }
            }
            Ok(())
        },
    );
}

/// Properties of the limits added to random draws and standardising: a
/// shape too large to draw is refused before anything is allocated, and a
/// missing value in the rows to standardize is named by its row and column.
pub fn limits(suite: &mut Suite) {
    suite.check(
        "random matrices are drawn up to MAX_DRAWS entries and refused beyond",
        &[
            "random::uniform_matrix",
            "random::normal_matrix",
            "random::MAX_DRAWS",
        ],
        crate::inputs::draw_shape(),
        |(n, d)| {
            let allowed = n
                .max(1)
                .checked_mul(d.max(1))
                .is_some_and(|count| count <= mlmath::random::MAX_DRAWS);
            let mut rng = seeded(3);
            for (which, drawn) in [
                ("uniform", uniform_matrix(n, d, 0.0, 1.0, &mut rng)),
                ("normal", mlmath::random::normal_matrix(n, d, &mut rng)),
            ] {
                match drawn {
                    Ok(m) => ensure!(allowed && m.dim() == (n, d), "{which} ({n}, {d})"),
                    Err(e) => {
                        ensure!(!allowed, "{which} refused ({n}, {d}): {e}");
                        let message = e.to_string();
                        ensure!(
                            message.contains(&format!("({n}, {d})"))
                                && message.contains("at most 100000000 entries"),
                            "{which}: {message}"
                        );
                    }
                }
            }
            Ok(())
        },
    );

    suite.check(
        "transform names the first missing or infinite value by its row and column",
        &["Standardizer::transform", "Dataset::standardized_by"],
        (
            matrix(2..8, 1..4, -10.0..10.0f64),
            0..8usize,
            0..4usize,
            prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
            any::<bool>(),
        ),
        |(x, row, column, bad, spoil)| {
            let Ok(s) = Standardizer::fit(&x) else {
                return Ok(()); // a constant column: refused by fit, tested above
            };
            let mut rows = x.clone();
            let (i, j) = (row % x.nrows(), column % x.ncols());
            if spoil {
                rows[(i, j)] = bad;
            }
            match s.transform(&rows) {
                Ok(z) => ensure!(!spoil && z.dim() == x.dim(), "accepted {rows}"),
                Err(mlmath::Error::NotFinite { index, .. }) => {
                    ensure!(
                        spoil && index == vec![i, j],
                        "index {index:?}, spoiled ({i}, {j})"
                    )
                }
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            }
            Ok(())
        },
    );
}
