//! How well a classifier does, measured on rows it did not train on.
//!
//! ## Accuracy and the confusion matrix
//!
//! For true classes y_i and predictions ŷ_i of n rows, the **accuracy** is
//! the fraction predicted right:
//!
//! ```text
//! accuracy = (1/n) Σ_i [ŷ_i = y_i]
//! ```
//!
//! One number hides *which* classes are confused. The **confusion matrix** C
//! counts them: C_ab = #{ i : y_i = a and ŷ_i = b }, a row per true class and
//! a column per predicted class. Its diagonal holds the right answers, so
//! accuracy = trace(C) / n, and C_ab off the diagonal counts the rows of
//! class a taken for class b.
//!
//! Both are measured on held-out rows: see
//! [`Dataset::stratified_split`](crate::data::Dataset::stratified_split) and
//! [`Dataset::cross_validate`](crate::data::Dataset::cross_validate). A fitted
//! classifier's `score(&test)` is its accuracy; the confusion matrix takes the
//! test set itself, which knows its true classes and their names.
//!
//! ```
//! use mlmath::prelude::*;
//! use mlmath::metrics::{accuracy, confusion_matrix};
//! let test = Dataset::new(&Array2::zeros((5, 1)), &array![0, 0, 1, 1, 2])?;
//! let predicted = array![0, 1, 1, 1, 0];
//! assert_eq!(accuracy(test.y(), &predicted)?, 3.0 / 5.0);
//! let c = confusion_matrix(&test, &predicted)?;
//! assert_eq!(c, array![[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
//! # Ok::<(), mlmath::Error>(())
//! ```
//!
//! ## Calibration: is a probability of 0.9 right nine times in ten?
//!
//! A classifier that gives probabilities `P(c | x_i)` also says how sure it
//! is: its **confidence** in row i is the probability of the class it
//! predicts, p_i = max_c P(c | x_i). It is **calibrated** when, among the
//! rows predicted with confidence about p, a fraction about p are right. A
//! **reliability table** checks this: it sorts the rows into B bins of equal
//! width by confidence (bin b holds b/B ≤ p_i < (b+1)/B, the last bin also
//! p_i = 1) and compares, in each bin of n_b rows, the mean confidence with
//! the accuracy:
//!
//! ```text
//! conf_b = (1/n_b) Σ_{i in b} p_i,    acc_b = (1/n_b) Σ_{i in b} [ŷ_i = y_i].
//! ```
//!
//! A bin with conf_b > acc_b is **overconfident**, one with conf_b < acc_b
//! underconfident. The **expected calibration error** weighs the gaps by the
//! bin sizes, ECE = Σ_b (n_b / n) |acc_b − conf_b|, and the overall gap,
//! mean confidence − accuracy, says which way the model leans; chance alone
//! moves it by about σ = √(Σ_i p_i (1 − p_i)) / n (each row right with
//! probability p_i if the model is calibrated). As with
//! accuracy, the probabilities must come from rows the model did not train
//! on (held out, or out of fold in cross-validation): on its own training
//! rows a model usually looks surer and righter than it is.
//!
//! ```
//! use mlmath::prelude::*;
//! // Four rows, two classes: confidences 0.9, 0.85, 0.65, 0.7 in the predicted class.
//! let proba = array![[0.9, 0.1], [0.15, 0.85], [0.65, 0.35], [0.3, 0.7]];
//! let truth = array![0, 1, 1, 1]; // the third row is predicted wrong
//! let r = mlmath::metrics::reliability(&proba, &truth, 5)?;
//! // Bin [0.6, 0.8): mean confidence 0.675, 1 of 2 right; bin [0.8, 1]: 0.875, 2 of 2.
//! assert_eq!(r.bins().len(), 2);
//! assert_eq!((r.bins()[0].count, r.bins()[0].accuracy), (2, 0.5));
//! let ece = 0.5 * (0.675 - 0.5) + 0.5 * (1.0 - 0.875);
//! assert!((r.expected_calibration_error() - ece).abs() < 1e-12);
//! # Ok::<(), mlmath::Error>(())
//! ```
//!
//! ## Telling two groups apart by a score: the AUROC
//!
//! A score s that should be high for the rows of one group (the
//! *positives*: say, digits a classifier was trained on) and low for those
//! of another (the *negatives*: inputs that are not digits at all) becomes
//! a detector once a threshold t is chosen: call a row positive when
//! s ≥ t. Each threshold catches a share of the positives (the true
//! positive rate) at the price of a share of the negatives (the false
//! positive rate); the **ROC curve** draws the one against the other as t
//! sweeps from +∞ to −∞. The area under it needs no threshold at all. It
//! is the probability that a positive drawn at random scores above a
//! negative drawn at random, a tie counting half:
//!
//! ```text
//! AUROC = (1 / (n₊ n₋)) Σ_i Σ_j ( [s⁺_i > s⁻_j] + ½ [s⁺_i = s⁻_j] ),
//! ```
//!
//! which is the Mann–Whitney U statistic of the two groups divided by
//! n₊ n₋. 1 means every positive scores above every negative, 0.5 is what
//! a coin gives, 0 means the score points the wrong way.
//!
//! ```
//! // Positives 0.9, 0.8, 0.4 against negatives 0.7, 0.4, 0.1: 0.9 and 0.8 beat all three,
//! // 0.4 beats 0.1 and ties 0.4, so U = 3 + 3 + 1.5 = 7.5 of the 9 pairs.
//! let a = mlmath::metrics::auroc(&[0.9, 0.8, 0.4][..], &[0.7, 0.4, 0.1][..])?;
//! assert!((a - 7.5 / 9.0).abs() < 1e-15);
//! # Ok::<(), mlmath::Error>(())
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};

use crate::data::Dataset;
use crate::error::{Error, Result, check_finite};
use crate::table::{ShowTable, Table};

/// The most bins a reliability table may have.
const MAX_BINS: usize = 1000;

/// How far from 1 a row of probabilities may sum.
const ROW_SUM_TOLERANCE: f64 = 1e-6;

/// The fraction of rows predicted right, (1/n) Σ_i [ŷ_i = y_i], for true
/// classes `truth: (n,)` and `predicted: (n,)` (arrays, views or slices).
///
/// An error if the lengths differ or there are no rows.
///
/// ```
/// use ndarray::array;
/// let a = mlmath::metrics::accuracy(&array![0, 1, 1, 0], &array![0, 1, 0, 0]);
/// assert_eq!(a.unwrap(), 0.75);
/// ```
pub fn accuracy<'a, 'b>(
    truth: impl AsArray<'a, usize, Ix1>,
    predicted: impl AsArray<'b, usize, Ix1>,
) -> Result<f64> {
    accuracy_of_views(truth.into(), predicted.into())
}

/// The `(c, c)` matrix C_ab = #{ i : y_i = a and ŷ_i = b } for the rows of
/// `test` (its labels y and its c classes) and the `predicted: (n,)` classes
/// of its rows: row a is the true class, column b the predicted one. The
/// diagonal counts the rows predicted right.
///
/// An error if `predicted` does not hold one class per row of `test`, there
/// are no rows, or a predicted class is not one of test's.
///
/// ```
/// use mlmath::prelude::*;
/// let test = Dataset::new(&Array2::zeros((3, 1)), &array![0, 1, 1])?;
/// let c = mlmath::metrics::confusion_matrix(&test, &array![1, 1, 0])?;
/// assert_eq!(c, array![[0, 1], [1, 1]]);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn confusion_matrix<'a>(
    test: &Dataset,
    predicted: impl AsArray<'a, usize, Ix1>,
) -> Result<Array2<usize>> {
    confusion_of_view(test, predicted.into())
}

/// The confusion matrix of [`confusion_matrix`] as a table: a row per true
/// class, a column per predicted class, each named by test's class names.
///
/// ```
/// use mlmath::prelude::*;
/// let test = Dataset::new(&Array2::zeros((3, 1)), &array![0, 1, 1])?
///     .with_class_names(&["cat", "dog"])?;
/// let t = mlmath::metrics::confusion_table(&test, &array![0, 1, 0])?;
/// assert_eq!(t.cell(1, 0), Some("dog"));
/// assert_eq!(t.cell(1, 1), Some("1")); // one dog taken for a cat
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn confusion_table<'a>(
    test: &Dataset,
    predicted: impl AsArray<'a, usize, Ix1>,
) -> Result<Table> {
    table_of_view(test, predicted.into())
}

/// [`accuracy`] on views.
fn accuracy_of_views(
    truth: ArrayView1<'_, usize>,
    predicted: ArrayView1<'_, usize>,
) -> Result<f64> {
    if predicted.len() != truth.len() {
        return Err(Error::shape(
            "predicted",
            format!("{} labels, one per entry of truth", truth.len()),
            format!("{} labels", predicted.len()),
        ));
    }
    if truth.is_empty() {
        return Err(Error::empty("truth"));
    }
    let right = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    Ok(right as f64 / truth.len() as f64)
}

/// [`confusion_matrix`] on a view.
fn confusion_of_view(test: &Dataset, predicted: ArrayView1<'_, usize>) -> Result<Array2<usize>> {
    if predicted.len() != test.len() {
        return Err(Error::shape(
            "predicted",
            format!("{} classes, one per row of {}", test.len(), test.name()),
            format!("{} classes", predicted.len()),
        ));
    }
    if test.is_empty() {
        return Err(Error::empty(format!("the dataset {}", test.name())));
    }
    let classes = test.n_classes();
    if let Some((i, c)) = predicted.iter().enumerate().find(|(_, c)| **c >= classes) {
        return Err(Error::parameter(
            "every predicted class",
            format!(
                "one of the {classes} classes of {} (0 to {})",
                test.name(),
                classes - 1
            ),
            format!("{c} at index {i}"),
        ));
    }
    let mut matrix = Array2::zeros((classes, classes));
    for (&t, &p) in test.y().iter().zip(predicted) {
        matrix[(t, p)] += 1;
    }
    Ok(matrix)
}

/// [`confusion_table`] on a view.
fn table_of_view(test: &Dataset, predicted: ArrayView1<'_, usize>) -> Result<Table> {
    let matrix = confusion_of_view(test, predicted)?;
    let names = test.class_names();
    let header = std::iter::once("true \\ predicted".to_string()).chain(names.iter().cloned());
    let mut table = Table::new(header).caption(
        "confusion matrix: a row per true class, a column per predicted class; \
         the diagonal counts the rows predicted right",
    );
    for (name, row) in names.iter().zip(matrix.rows()) {
        table.push_row(std::iter::once(name.clone()).chain(row.iter().map(|n| n.to_string())));
    }
    Ok(table)
}

/// A fitted classifier's prediction on a view of features, whose errors
/// name the features by the given text.
pub(crate) type PredictRows<'a> = dyn Fn(&str, ArrayView2<'_, f64>) -> Result<Array1<usize>> + 'a;

/// The accuracy of a fitted classifier on a labelled test set: checks that
/// `test` has the classes the model was fitted on (`fitted`, in order), asks
/// `predict` for the class of each of its rows (errors naming "the features
/// of" the test set), and returns (1/n) Σ_i [ŷ_i = y_i]. Every classifier's
/// `score` is this one function.
pub(crate) fn score_classifier(
    fitted: &[String],
    test: &Dataset,
    predict: &PredictRows<'_>,
) -> Result<f64> {
    check_same_classes(fitted, test)?;
    let what = format!("the features of {}", test.name());
    let predicted = predict(&what, test.x().view())?;
    accuracy(test.y(), &predicted)
}

/// One bin of a [`Reliability`] table: the rows whose confidence p_i (the
/// probability of the predicted class) lies in `[low, high)` (the last bin
/// includes 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReliabilityBin {
    /// The lower edge of the bin, b/B.
    pub low: f64,
    /// The upper edge of the bin, (b+1)/B.
    pub high: f64,
    /// n_b, the number of rows in the bin (at least 1: empty bins are left out).
    pub count: usize,
    /// conf_b = (1/n_b) Σ_{i in b} p_i, the mean confidence of its rows.
    pub confidence: f64,
    /// acc_b = (1/n_b) Σ_{i in b} [ŷ_i = y_i], the fraction of its rows predicted right.
    pub accuracy: f64,
}

/// A reliability table: the confidence of a classifier against how often it
/// is right, bin by bin. Made by [`reliability`]; shown as a table in a
/// notebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Reliability {
    bins: Vec<ReliabilityBin>,
    n: usize,
    /// Σ_i p_i (1 − p_i).
    bernoulli_variance: f64,
}

impl Reliability {
    /// The bins that hold at least one row, from the lowest confidence up.
    pub fn bins(&self) -> &[ReliabilityBin] {
        &self.bins
    }

    /// n, the number of rows.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a reliability table has at least one row.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The mean confidence (1/n) Σ_i p_i over all rows.
    pub fn mean_confidence(&self) -> f64 {
        self.weighted(|b| b.confidence)
    }

    /// The accuracy (1/n) Σ_i [ŷ_i = y_i] over all rows.
    pub fn accuracy(&self) -> f64 {
        self.weighted(|b| b.accuracy)
    }

    /// Mean confidence − accuracy: above 0 the model is, on the whole,
    /// surer than it is right (overconfident); below 0, underconfident.
    pub fn confidence_gap(&self) -> f64 {
        self.mean_confidence() - self.accuracy()
    }

    /// How far from 0 the gap may fall by chance alone: if the model were
    /// calibrated, row i would be right with probability p_i, independently,
    /// and the accuracy would vary around the mean confidence with standard
    /// deviation σ = √(Σ_i p_i (1 − p_i)) / n. A |gap| of 2σ or less is what
    /// a calibrated model shows often (about 95% of the time).
    pub fn calibrated_std(&self) -> f64 {
        self.bernoulli_variance.sqrt() / self.n as f64
    }

    /// The expected calibration error ECE = Σ_b (n_b / n) |acc_b − conf_b|,
    /// between 0 (every bin as right as it is sure) and 1.
    pub fn expected_calibration_error(&self) -> f64 {
        self.weighted(|b| (b.accuracy - b.confidence).abs())
    }

    /// Σ_b (n_b / n) f(bin b).
    fn weighted(&self, f: impl Fn(&ReliabilityBin) -> f64) -> f64 {
        let total: f64 = self.bins.iter().map(|b| b.count as f64 * f(b)).sum();
        total / self.n as f64
    }
}

impl ShowTable for Reliability {
    /// A row per bin: its range, count, mean confidence, accuracy and gap.
    fn table(&self) -> Table {
        let mut table = Table::new(["confidence", "rows", "mean confidence", "accuracy", "gap"])
            .caption(&format!(
                "{} predictions: mean confidence {:.3}, accuracy {:.3}, gap {:.3} \
                 (± {:.3} if calibrated), expected calibration error {:.3}",
                self.n,
                self.mean_confidence(),
                self.accuracy(),
                self.confidence_gap(),
                self.calibrated_std(),
                self.expected_calibration_error()
            ));
        for b in &self.bins {
            table.push_row(crate::row![
                format!("{:.2}–{:.2}", b.low, b.high),
                b.count,
                b.confidence,
                b.accuracy,
                b.confidence - b.accuracy
            ]);
        }
        table
    }
}

/// The reliability table of predicted probabilities `proba: (n, c)` (row i
/// holds P(c | x_i) for every class c, as `predict_proba` gives them) against
/// the true classes `truth: (n,)`, in `bins` bins of equal width over [0, 1].
/// The predicted class ŷ_i is the c of largest P(c | x_i) (a tie goes to the
/// lower index, as `predict` does), its confidence p_i = P(ŷ_i | x_i); see
/// the [module documentation](self) for the bins and the measures.
///
/// An error if there are no rows or no classes, the lengths differ, a
/// probability is not finite or outside [0, 1], a row does not sum to 1
/// (within 1e-6), a true class is not a column of `proba`, or `bins` is not
/// between 1 and 1000.
pub fn reliability<'a, 'b>(
    proba: impl AsArray<'a, f64, Ix2>,
    truth: impl AsArray<'b, usize, Ix1>,
    bins: usize,
) -> Result<Reliability> {
    reliability_of_views(proba.into(), truth.into(), bins)
}

/// [`reliability`] on views.
fn reliability_of_views(
    proba: ArrayView2<'_, f64>,
    truth: ArrayView1<'_, usize>,
    bins: usize,
) -> Result<Reliability> {
    if truth.len() != proba.nrows() {
        return Err(Error::shape(
            "truth",
            format!("{} classes, one per row of proba", proba.nrows()),
            format!("{} classes", truth.len()),
        ));
    }
    if proba.nrows() == 0 || proba.ncols() == 0 {
        return Err(Error::empty("proba"));
    }
    if !(1..=MAX_BINS).contains(&bins) {
        return Err(Error::parameter(
            "bins",
            format!("between 1 and {MAX_BINS}"),
            bins,
        ));
    }
    check_finite("proba", proba)?;
    if let Some(((i, c), v)) = proba
        .indexed_iter()
        .find(|(_, v)| !(0.0..=1.0).contains(*v))
    {
        return Err(Error::parameter(
            format!("proba[({i}, {c})]"),
            "a probability, between 0 and 1",
            v,
        ));
    }
    let classes = proba.ncols();
    if let Some((i, c)) = truth.iter().enumerate().find(|(_, c)| **c >= classes) {
        return Err(Error::parameter(
            format!("truth[{i}]"),
            format!(
                "one of the {classes} classes of proba (0 to {})",
                classes - 1
            ),
            c,
        ));
    }
    let mut counts = vec![0usize; bins];
    let mut confidence = vec![0.0; bins];
    let mut right = vec![0usize; bins];
    let mut bernoulli_variance = 0.0;
    for (i, row) in proba.rows().into_iter().enumerate() {
        let total = row.sum();
        if (total - 1.0).abs() > ROW_SUM_TOLERANCE {
            return Err(Error::parameter(
                format!("the sum of row {i} of proba"),
                "1 (the probabilities of all the classes)",
                total,
            ));
        }
        let (predicted, p) =
            row.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (c, &v)| {
                    if v > best.1 { (c, v) } else { best }
                });
        let b = ((p * bins as f64).floor() as usize).min(bins - 1);
        counts[b] += 1;
        confidence[b] += p;
        right[b] += usize::from(predicted == truth[i]);
        bernoulli_variance += p * (1.0 - p);
    }
    let filled = (0..bins)
        .filter(|&b| counts[b] > 0)
        .map(|b| ReliabilityBin {
            low: b as f64 / bins as f64,
            high: (b + 1) as f64 / bins as f64,
            count: counts[b],
            confidence: confidence[b] / counts[b] as f64,
            accuracy: right[b] as f64 / counts[b] as f64,
        });
    Ok(Reliability {
        bins: filled.collect(),
        n: proba.nrows(),
        bernoulli_variance,
    })
}

/// The area under the ROC curve of a score that should be higher for the
/// rows of `positive: (n₊,)` than for those of `negative: (n₋,)` (arrays,
/// views or slices): the share of the n₊ n₋ pairs in which the positive
/// scores higher, a tie counting half (see the
/// [module documentation](self)),
///
/// ```text
/// AUROC = (1 / (n₊ n₋)) Σ_i ( #{ j : s⁻_j < s⁺_i } + ½ #{ j : s⁻_j = s⁺_i } ).
/// ```
///
/// The negatives are sorted once, and each positive finds by binary search
/// how many lie below it and how many equal it: O((n₊ + n₋) log n₋) rather
/// than a loop over every pair. Only the order of the scores matters, so
/// any increasing function of the score (a probability or its logarithm)
/// gives the same AUROC.
///
/// An error if either group is empty or holds a NaN or infinite score.
///
/// ```
/// use ndarray::array;
/// use mlmath::metrics::auroc;
/// assert_eq!(auroc(&array![3.0, 4.0], &array![1.0, 2.0])?, 1.0); // every pair in order
/// assert_eq!(auroc(&array![1.0, 2.0], &array![3.0, 4.0])?, 0.0); // every pair reversed
/// assert_eq!(auroc(&array![5.0], &array![5.0, 5.0])?, 0.5); // all ties
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn auroc<'a, 'b>(
    positive: impl AsArray<'a, f64, Ix1>,
    negative: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    auroc_of_views(positive.into(), negative.into())
}

/// [`auroc`] on views.
fn auroc_of_views(positive: ArrayView1<'_, f64>, negative: ArrayView1<'_, f64>) -> Result<f64> {
    for (what, scores) in [("positive", positive), ("negative", negative)] {
        if scores.is_empty() {
            return Err(Error::empty(format!(
                "{what} (the scores of the {what} rows; the AUROC compares two groups)"
            )));
        }
        check_finite(what, scores)?;
    }
    let mut sorted = negative.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Twice the Mann–Whitney U: 2 for each negative below a positive, 1 for each tie,
    // counted in whole numbers so that no rounding creeps in.
    let twice_u: u128 = positive
        .iter()
        .map(|&s| {
            let below = sorted.partition_point(|&t| t < s);
            let up_to = sorted.partition_point(|&t| t <= s);
            (2 * below + (up_to - below)) as u128
        })
        .sum();
    let pairs = positive.len() as f64 * negative.len() as f64;
    Ok(twice_u as f64 / (2.0 * pairs))
}

/// Checks that `test` has the classes a model was fitted on, in the same
/// order (it may lack classes at the end): a model's labels mean nothing on
/// a dataset whose labels number other classes.
pub(crate) fn check_same_classes(fitted: &[String], test: &Dataset) -> Result<()> {
    let names = test.class_names();
    if names.len() > fitted.len() || names != &fitted[..names.len()] {
        return Err(Error::parameter(
            format!("the classes of {}", test.name()),
            format!(
                "those the model was fitted on, in order: {}",
                fitted.join(", ")
            ),
            names.join(", "),
        ));
    }
    Ok(())
}

/// The two-sided sign test of a paired comparison: two models scored on the
/// same folds (or runs), `a` ahead of `b` in `ahead` of them and behind in
/// `behind` (ties left out). If neither were better, each untied pair would
/// go either way with probability ½; the p-value is how often a fair coin
/// splits `n = ahead + behind` tosses at least as unevenly,
///
/// ```text
/// p = min(1, 2 P(X ≥ max(ahead, behind))),  X ~ Binomial(n, ½),
/// ```
///
/// and 1 when there are no untied pairs. Up to n = 1000 the binomial
/// coefficients are counted in floating point (exactly, for n ≤ 50, so small
/// cases come out exact); beyond, the terms are summed from their logarithms.
///
/// ```
/// use mlmath::metrics::sign_test;
/// assert_eq!(sign_test(10, 0), 2.0 / 1024.0); // ten of ten
/// assert_eq!(sign_test(3, 2), 1.0);
/// ```
pub fn sign_test(ahead: usize, behind: usize) -> f64 {
    let n = ahead + behind;
    let at_least = ahead.max(behind);
    if n == 0 {
        return 1.0;
    }
    let tail = if n <= 1000 {
        // C(n, k) by C(n, k - 1) (n + 1 - k) / k: the product is a whole
        // number below 2⁵³ up to n = 50, so the division is exact there.
        let mut choose = 1.0f64;
        let mut count = if at_least == 0 { 1.0 } else { 0.0 };
        for k in 1..=n {
            choose = choose * (n + 1 - k) as f64 / k as f64;
            if k >= at_least {
                count += choose;
            }
        }
        count / 2f64.powi(n as i32)
    } else {
        // ln C(n, k) built up term by term, each term of the tail taken from
        // it with the factor 2⁻ⁿ, which would underflow on its own.
        let (mut ln_choose, mut tail) = (0.0f64, 0.0f64);
        let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
        for k in 1..=n {
            ln_choose += ((n + 1 - k) as f64).ln() - (k as f64).ln();
            if k >= at_least {
                tail += (ln_choose + ln_half_n).exp();
            }
        }
        tail
    };
    (2.0 * tail).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    /// A dataset whose labels are `y` (the features do not matter here).
    fn labelled(y: Array1<usize>) -> Dataset {
        Dataset::new(&Array2::zeros((y.len(), 1)), &y).unwrap()
    }

    #[test]
    fn accuracy_and_confusion_of_a_hand_worked_example() {
        // Eight rows of three classes; by hand:
        // truth     0 0 0 1 1 1 2 2
        // predicted 0 0 1 1 1 2 2 0
        // right:    y y n y y n y n  → 5 of 8.
        let test = labelled(array![0, 0, 0, 1, 1, 1, 2, 2]);
        let predicted = array![0, 0, 1, 1, 1, 2, 2, 0];
        assert_eq!(accuracy(test.y(), &predicted).unwrap(), 0.625);
        assert_eq!(accuracy(&[0, 1][..], &vec![0, 0]).unwrap(), 0.5);
        let c = confusion_matrix(&test, &predicted).unwrap();
        assert_eq!(c, array![[2, 1, 0], [0, 2, 1], [1, 0, 1]]);
        // Rows sum to the class sizes, the trace to the right answers.
        assert_eq!(c.sum_axis(ndarray::Axis(1)), array![3, 3, 2]);
        assert_eq!(c.diag().sum(), 5);
        // A class never seen still has its row and column.
        let four = test
            .clone()
            .with_class_names(&["a", "b", "c", "d"])
            .unwrap();
        let c4 = confusion_matrix(&four, &predicted).unwrap();
        assert_eq!(c4.dim(), (4, 4));
        assert_eq!(c4.row(3).sum() + c4.column(3).sum(), 0);
    }

    #[test]
    fn the_confusion_table_names_rows_and_columns() {
        let test = labelled(array![0, 0, 1, 1, 1])
            .with_class_names(&["setosa", "versicolor"])
            .unwrap();
        let t = confusion_table(&test, &array![0, 1, 1, 1, 1]).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.cell(1, 0), Some("versicolor"));
        assert_eq!(t.cell(1, 2), Some("3"));
        assert_eq!(t.cell(0, 1), Some("1"));
        let text = t.to_string();
        assert!(
            text.contains("true \\ predicted  setosa  versicolor"),
            "{text}"
        );
    }

    #[test]
    fn the_reliability_table_of_a_hand_worked_example() {
        // Six rows, three classes, four bins [0, ¼), [¼, ½), [½, ¾), [¾, 1]:
        // row  P(c | x)              predicted  confidence  bin  truth  right
        // 0    0.5   0.25  0.25      0          0.5         2    0      y
        // 1    0.125 0.625 0.25      1          0.625       2    2      n
        // 2    0.25  0     0.75      2          0.75        3    2      y
        // 3    0     1     0         1          1           3    1      y
        // 4    0.375 0.375 0.25      0 (tie)    0.375       1    1      n
        // 5    0.25  0.25  0.5       2          0.5         2    0      n
        let proba = array![
            [0.5, 0.25, 0.25],
            [0.125, 0.625, 0.25],
            [0.25, 0.0, 0.75],
            [0.0, 1.0, 0.0],
            [0.375, 0.375, 0.25],
            [0.25, 0.25, 0.5]
        ];
        let truth = array![0, 2, 2, 1, 1, 0];
        let r = reliability(&proba, &truth, 4).unwrap();
        assert_eq!(r.len(), 6);
        let want = [
            (0.25, 0.5, 1, 0.375, 0.0),
            (0.5, 0.75, 3, 1.625 / 3.0, 1.0 / 3.0),
            (0.75, 1.0, 2, 0.875, 1.0),
        ];
        assert_eq!(r.bins().len(), 3);
        for (bin, (low, high, count, confidence, right)) in r.bins().iter().zip(want) {
            assert_eq!((bin.low, bin.high, bin.count), (low, high, count));
            assert!((bin.confidence - confidence).abs() < 1e-15, "{bin:?}");
            assert!((bin.accuracy - right).abs() < 1e-15, "{bin:?}");
        }
        assert!((r.mean_confidence() - 3.75 / 6.0).abs() < 1e-15);
        assert!((r.accuracy() - 0.5).abs() < 1e-15);
        assert!((r.confidence_gap() - 0.125).abs() < 1e-15);
        // ECE = 1/6 · 0.375 + 3/6 · (1.625 − 1)/3 + 2/6 · 0.125.
        let ece = 0.375 / 6.0 + 0.625 / 6.0 + 0.25 / 6.0;
        assert!((r.expected_calibration_error() - ece).abs() < 1e-15);
        // One bin: the ECE is the size of the overall gap.
        let one = reliability(&proba, &truth, 1).unwrap();
        assert!((one.expected_calibration_error() - 0.125).abs() < 1e-15);
        // σ² n² = Σ p(1 − p) = 0.25 + 0.234375 + 0.1875 + 0 + 0.234375 + 0.25.
        assert!((r.calibrated_std() - 1.15625f64.sqrt() / 6.0).abs() < 1e-15);
        // The table: a row per filled bin.
        let t = r.table();
        assert_eq!(t.len(), 3);
        assert_eq!(t.cell(2, 0), Some("0.75–1.00"));
        assert_eq!(t.cell(2, 1), Some("2"));
        assert_eq!(t.cell(0, 4), Some("0.375"));
        // Probabilities of one class each: always right, confidence 1, ECE 0.
        let sure = reliability(&array![[1.0, 0.0], [0.0, 1.0]], &array![0, 1], 10).unwrap();
        assert_eq!(sure.expected_calibration_error(), 0.0);
        assert_eq!(sure.bins()[0].low, 0.9);
    }

    #[test]
    fn the_auroc_of_a_hand_worked_example() {
        // Positives 0.9, 0.8, 0.4, 0.4 against negatives 0.7, 0.4, 0.1, by hand:
        // 0.9: above 0.7, 0.4, 0.1           → 3
        // 0.8: above 0.7, 0.4, 0.1           → 3
        // 0.4: above 0.1, ties 0.4, below 0.7 → 1 + ½
        // 0.4: the same                       → 1 + ½
        // U = 9 of the 4 · 3 = 12 pairs: AUROC = 0.75.
        let positive = array![0.9, 0.8, 0.4, 0.4];
        let negative = array![0.7, 0.4, 0.1];
        assert_eq!(auroc(&positive, &negative).unwrap(), 0.75);
        // Swapping the groups reverses every pair: 1 − 0.75.
        assert_eq!(auroc(&negative, &positive).unwrap(), 0.25);
        // Only the order counts: any increasing map of the scores leaves it.
        let logs = (positive.mapv(f64::ln), negative.mapv(f64::ln));
        assert_eq!(auroc(&logs.0, &logs.1).unwrap(), 0.75);
        // −0 and +0 are the same number, and tie.
        assert_eq!(auroc(&[0.0][..], &[-0.0][..]).unwrap(), 0.5);
    }

    #[test]
    fn the_auroc_is_the_mann_whitney_u_counted_pair_by_pair() {
        use crate::random::{Rng, seeded};
        let mut rng = seeded(13);
        for case in 0..200 {
            let (n_pos, n_neg) = (rng.random_range(1..40), rng.random_range(1..40));
            // Scores from a few values only, so that ties are common; the positives shifted
            // up by a random amount, so that the AUROC ranges from about 0.5 to 1.
            let shift = rng.random_range(0..4) as f64;
            let positive: Array1<f64> = (0..n_pos)
                .map(|_| rng.random_range(0..8) as f64 + shift)
                .collect();
            let negative: Array1<f64> = (0..n_neg).map(|_| rng.random_range(0..8) as f64).collect();
            // The slow way: every pair, 1 when the positive is above, ½ when tied.
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
            let slow = u / (n_pos * n_neg) as f64;
            let fast = auroc(&positive, &negative).unwrap();
            assert!(
                (fast - slow).abs() < 1e-12,
                "case {case}: {fast} against {slow}"
            );
            let swapped = auroc(&negative, &positive).unwrap();
            assert!(
                (fast + swapped - 1.0).abs() < 1e-12,
                "case {case}: the two orders sum to 1"
            );
        }
    }

    #[test]
    fn bad_input_is_the_right_error() {
        let p = array![[0.4, 0.6], [0.5, 0.5]];
        let e = reliability(&p, &array![0, 1, 1], 5).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = reliability(&Array2::<f64>::zeros((0, 2)), &Array1::zeros(0), 5).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        for bins in [0, 1001] {
            let e = reliability(&p, &array![0, 1], bins).unwrap_err();
            assert!(
                e.to_string().starts_with("bins must be between 1 and 1000"),
                "{e}"
            );
        }
        let e = reliability(&array![[f64::NAN, 1.0]], &array![0], 5).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = reliability(&array![[1.5, -0.5]], &array![0], 5).unwrap_err();
        assert!(e.to_string().contains("between 0 and 1"), "{e}");
        let e = reliability(&array![[0.5, 0.4]], &array![0], 5).unwrap_err();
        assert!(
            e.to_string().starts_with("the sum of row 0 of proba"),
            "{e}"
        );
        let e = reliability(&p, &array![0, 2], 5).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("truth[1] must be one of the 2 classes"),
            "{e}"
        );

        let none = Array1::<f64>::zeros(0);
        let e = auroc(&none, &array![1.0]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("positive (the scores of the positive rows"),
            "{e}"
        );
        let e = auroc(&array![1.0], &none).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = auroc(&array![1.0, f64::NAN], &array![0.5]).unwrap_err();
        assert!(
            matches!(e, Error::NotFinite { .. }) && e.to_string().contains("[1]"),
            "{e}"
        );
        let e = auroc(&array![1.0], &array![f64::NEG_INFINITY]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("negative holds a NaN or infinite"),
            "{e}"
        );

        let y = array![0, 1, 1];
        let e = accuracy(&y, &array![0, 1]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let none = Array1::<usize>::zeros(0);
        let e = accuracy(&none, &none).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = confusion_matrix(&labelled(y), &array![0, 1, 2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "every predicted class must be one of the 2 classes of data (0 to 1), got 2 at index 2"
        );
        let e = confusion_table(&labelled(none.clone()), &none).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }

    #[test]
    fn the_sign_test_is_the_binomial_tail_counted_exactly() {
        // Exact counts: C(n, k) in integers, the tail over 2ⁿ.
        fn exact(ahead: usize, behind: usize) -> f64 {
            let n = ahead + behind;
            let mut row = vec![1u128];
            for _ in 0..n {
                let mut next = vec![1u128; row.len() + 1];
                for k in 1..row.len() {
                    next[k] = row[k - 1] + row[k];
                }
                row = next;
            }
            let tail: u128 = row[ahead.max(behind)..].iter().sum();
            (2.0 * tail as f64 / 2f64.powi(n as i32)).min(1.0)
        }
        for n in 1..=60 {
            for ahead in 0..=n {
                let (p, q) = (sign_test(ahead, n - ahead), exact(ahead, n - ahead));
                assert!(
                    (p - q).abs() <= 1e-12 * q.max(1e-300) + 1e-300,
                    "{ahead}-{}: {p} {q}",
                    n - ahead
                );
                assert_eq!(p, sign_test(n - ahead, ahead), "symmetric");
            }
        }
        assert_eq!(sign_test(0, 0), 1.0);
        assert_eq!(sign_test(8, 0), 2.0 / 256.0);
        assert_eq!(sign_test(25, 25), 1.0);
        // Either side of the switch to logarithms at n = 1000.
        let (below, above) = (sign_test(600, 400), sign_test(601, 400));
        assert!(
            below > above && above > 0.0 && below < 1e-9,
            "{below} {above}"
        );
        // Beyond what 2ⁿ holds in a float: finite, tiny, and 1 for an even split.
        let far = sign_test(3000, 1000);
        assert!(far.is_finite() && far > 0.0 && far < 1e-200, "{far}");
        assert_eq!(sign_test(2000, 2000), 1.0);
    }
}
