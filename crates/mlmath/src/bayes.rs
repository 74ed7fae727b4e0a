//! Bayes' theorem, and the Gaussian naive Bayes classifier built on it.
//!
//! ## Bayes' theorem
//!
//! For a class c and an observation x,
//!
//! ```text
//! P(c | x) = P(x | c) P(c) / P(x),      P(x) = Σ_k P(x | k) P(k).
//! ```
//!
//! The **prior** P(c) is what we believe before seeing x, the **likelihood**
//! P(x | c) how probable x is if the class is c, the **evidence** P(x) the
//! same for every class (it only rescales), and the **posterior** P(c | x)
//! what we believe after seeing x. [`posterior`] computes it for a discrete
//! set of classes. A screening test for a disease of prevalence 1%, which
//! finds 90% of the sick and wrongly flags 9% of the healthy, gives a
//! positive result with P(disease | positive) = 0.009 / (0.009 + 0.0891) ≈ 9%:
//! the healthy are so many more that their false alarms outnumber the sick.
//!
//! ## The naive assumption
//!
//! With d features x = (x_1, ..., x_d), the likelihood p(x | c) is a density
//! in d dimensions, too much to estimate from a few rows. **Naive Bayes**
//! assumes the features independent *within* each class:
//!
//! ```text
//! p(x | c) = Π_j p(x_j | c),
//! ```
//!
//! so that only d one-dimensional densities per class are needed. The
//! assumption is rarely true (a bird with a longer bill tends to have longer
//! flippers too), yet the classifier often works, because it only has to rank
//! the classes, not get the probabilities right.
//!
//! ## Gaussian class models, fitted by maximum likelihood
//!
//! **Gaussian** naive Bayes takes each p(x_j | c) normal, N(x_j; μ_cj, σ²_cj),
//! with density
//!
//! ```text
//! N(x; μ, σ²) = exp(−(x − μ)² / (2σ²)) / √(2πσ²).
//! ```
//!
//! Given the n_c training rows of class c, the parameters that make them most
//! probable (the maximum-likelihood estimates) are the class frequency, the
//! class mean and the class variance **divided by n_c** (the population
//! variance; dividing by n_c − 1 would give the unbiased estimate instead,
//! which is not the maximum-likelihood one):
//!
//! ```text
//! P(c) = n_c / n,    μ_cj = (1/n_c) Σ_{i in c} x_ij,    σ²_cj = (1/n_c) Σ_{i in c} (x_ij − μ_cj)².
//! ```
//!
//! A feature constant within a class would have σ²_cj = 0 and an infinite
//! density; a small floor on the variances (see
//! [`GaussianNaiveBayes::variance_floor`]) keeps every density finite.
//!
//! ## Prediction in log space
//!
//! The predicted class is the one of largest posterior. P(x) is the same for
//! every class, and the logarithm is increasing, so it is the argmax of
//!
//! ```text
//! log P(c) + Σ_j log N(x_j; μ_cj, σ²_cj),
//!     log N(x; μ, σ²) = −½ log(2πσ²) − (x − μ)² / (2σ²).
//! ```
//!
//! Why logarithms? A product of many densities, each well below 1, is
//! smaller than the smallest `f64` (about 1e−308) after a few hundred
//! factors: it **underflows** to 0 for every class, and 0/0 decides nothing.
//! Its logarithm is a sum of moderate numbers and never underflows. The
//! posterior is then recovered by a softmax, P(c | x) = exp(l_c) / Σ_k exp(l_k)
//! of the log joints l_c, computed stably by first subtracting max_k l_k
//! (which cancels between numerator and denominator) so that the largest
//! exponential is exp(0) = 1.
//!
//! ```
//! use mlmath::prelude::*;
//! // Small flowers are class 0, large ones class 1.
//! let x = array![[1.0, 0.2], [1.4, 0.3], [1.2, 0.1], [4.5, 1.5], [5.0, 1.8], [4.7, 1.4]];
//! let train = Dataset::new(&x, &array![0, 0, 0, 1, 1, 1])?;
//! let model = GaussianNaiveBayes::new().fit(&train)?;
//! assert_eq!(model.predict(&array![[1.3, 0.2], [4.8, 1.6]])?, array![0, 1]);
//! assert_eq!(model.score(&train)?, 1.0);
//! # Ok::<(), mlmath::Error>(())
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1};

use crate::data::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};
use crate::metrics::{accuracy, check_same_classes};

/// How far from 1 a set of priors may sum.
const PRIOR_SUM_TOLERANCE: f64 = 1e-9;

/// The posterior P(c | x) = P(x | c) P(c) / Σ_k P(x | k) P(k) of each class
/// c, from the priors P(c) and the likelihoods P(x | c) of one observation x
/// (arrays, vectors or slices of the same length).
///
/// The likelihoods need not sum to 1 (they are P(x | c) for different c, or
/// densities); the priors must. The likelihoods are divided by the largest
/// of them (among the classes of nonzero prior) first, which changes no
/// posterior but keeps the products away from overflow and underflow.
///
/// An error if the lengths differ or are 0, a value is negative or not
/// finite, the priors do not sum to 1 (within 1e-9), or the evidence
/// Σ_k P(x | k) P(k) is 0 (x is impossible under every class).
///
/// ```
/// // The screening test: prevalence 1%, sensitivity 90%, false positives 9%.
/// let p = mlmath::bayes::posterior(&[0.01, 0.99], &[0.90, 0.09]).unwrap();
/// assert!((p[0] - 0.009 / (0.009 + 0.0891)).abs() < 1e-15);
/// ```
pub fn posterior<'a, 'b>(
    prior: impl AsArray<'a, f64, Ix1>,
    likelihood: impl AsArray<'b, f64, Ix1>,
) -> Result<Array1<f64>> {
    posterior_of_views(prior.into(), likelihood.into())
}

/// [`posterior`] on views.
fn posterior_of_views(
    prior: ArrayView1<'_, f64>,
    likelihood: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    if likelihood.len() != prior.len() {
        return Err(Error::shape(
            "likelihood",
            format!("{} values, one per prior", prior.len()),
            format!("{} values", likelihood.len()),
        ));
    }
    if prior.is_empty() {
        return Err(Error::empty("prior"));
    }
    check_probabilities("prior", prior)?;
    check_finite("likelihood", likelihood)?;
    if let Some(&v) = likelihood.iter().find(|&&v| v < 0.0) {
        return Err(Error::parameter(
            "every likelihood",
            "at least 0 (a probability or a density)",
            v,
        ));
    }
    // The largest likelihood of a class that has a prior: its joint becomes
    // its prior, P(c) × 1, and no joint that matters underflows.
    let largest = (0..prior.len())
        .filter(|&c| prior[c] > 0.0)
        .map(|c| likelihood[c])
        .fold(0.0, f64::max);
    let joint = if largest > 0.0 {
        &prior * &likelihood.mapv(|l| l / largest)
    } else {
        Array1::zeros(prior.len())
    };
    let evidence = joint.sum();
    if evidence == 0.0 {
        return Err(Error::parameter(
            "the evidence P(x) = Σ_k P(x | k) P(k)",
            "above 0 (x must be possible under some class of nonzero prior)",
            0,
        ));
    }
    Ok(joint / evidence)
}

/// Gaussian naive Bayes: its hyperparameters. [`fit`](Self::fit) estimates
/// the class models.
///
/// | setter | default | range |
/// |---|---|---|
/// | [`priors`](Self::priors) | the class frequencies n_c / n of the training rows | one value per class, at least 0, summing to 1 |
/// | [`variance_floor`](Self::variance_floor) | 1e-9 | a positive number |
///
/// ```
/// use mlmath::prelude::*;
/// let iris = mlmath::data::iris()?;
/// let model = GaussianNaiveBayes::new().fit(&iris)?;
/// assert_eq!(model.priors().to_vec(), vec![1.0 / 3.0; 3]); // 50 flowers of each
/// // Priors given instead of the class frequencies:
/// let skewed = GaussianNaiveBayes::new().priors(&[0.8, 0.1, 0.1]).fit(&iris)?;
/// assert_eq!(skewed.priors()[0], 0.8);
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianNaiveBayes {
    priors: Option<Array1<f64>>,
    variance_floor: f64,
}

impl Default for GaussianNaiveBayes {
    /// The same as [`GaussianNaiveBayes::new`].
    fn default() -> Self {
        GaussianNaiveBayes::new()
    }
}

impl GaussianNaiveBayes {
    /// Priors from the class frequencies, variance floor 1e-9.
    pub fn new() -> Self {
        GaussianNaiveBayes {
            priors: None,
            variance_floor: 1e-9,
        }
    }

    /// Sets the priors P(c), one per class of the training set, summing to 1,
    /// instead of the class frequencies n_c / n of the training rows. Checked
    /// by [`fit`](Self::fit).
    pub fn priors<'a>(mut self, priors: impl AsArray<'a, f64, Ix1>) -> Self {
        self.priors = Some(priors.into().to_owned());
        self
    }

    /// Sets the smallest variance allowed, relative to the data (> 0; 1e-9
    /// by default): every σ²_cj is raised to at least
    /// ε = variance_floor × max_j Var(x_j), where Var(x_j) is the variance of
    /// feature j over all training rows. A feature constant within a class
    /// then gets variance ε instead of 0, and a finite density.
    pub fn variance_floor(mut self, variance_floor: f64) -> Self {
        self.variance_floor = variance_floor;
        self
    }

    /// Fits the class models to the training set (features `x: (n, d)`,
    /// labels y, c classes) by maximum likelihood:
    ///
    /// ```text
    /// P(c) = n_c / n,   μ_cj = (1/n_c) Σ_{i in c} x_ij,   σ²_cj = max((1/n_c) Σ_{i in c} (x_ij − μ_cj)², ε)
    /// ```
    ///
    /// (P(c) from [`priors`](Self::priors) if given; ε as in
    /// [`variance_floor`](Self::variance_floor)).
    ///
    /// An error if the dataset is empty, has no features or a missing value
    /// (drop or impute missing values first: `Dataset::drop_missing`), a class
    /// has no training row, every feature is constant, a variance overflows
    /// or underflows `f64` (rescale the features), or a hyperparameter is out
    /// of range.
    pub fn fit(&self, train: &Dataset) -> Result<FittedGaussianNaiveBayes> {
        let floor = self.variance_floor;
        if !(floor.is_finite() && floor > 0.0) {
            return Err(Error::parameter(
                "variance_floor",
                "a positive number (a zero variance makes a density infinite)",
                floor,
            ));
        }
        train.check_trainable()?;
        let (x, y, classes) = (train.x(), train.y(), train.n_classes());
        if x.ncols() == 0 {
            return Err(Error::shape(
                format!("the features of {}", train.name()),
                "at least one column (feature)",
                "0 columns",
            ));
        }
        if let Some(priors) = &self.priors {
            if priors.len() != classes {
                return Err(Error::shape(
                    "priors",
                    format!("{classes} values, one per class of {}", train.name()),
                    format!("{} values", priors.len()),
                ));
            }
            check_probabilities("priors", priors.view())?;
        }
        let epsilon = floor * largest_variance(train)?;
        if epsilon == 0.0 {
            return Err(Error::parameter(
                "variance_floor × the largest feature variance",
                "above 0 in f64: raise variance_floor",
                epsilon,
            ));
        }

        let d = x.ncols();
        let mut means = Array2::zeros((classes, d));
        let mut variances = Array2::zeros((classes, d));
        let mut frequencies = Array1::zeros(classes);
        for c in 0..classes {
            let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
            if rows.is_empty() {
                let estimated = if self.priors.is_some() {
                    "its means and variances"
                } else {
                    "its prior, means and variances"
                };
                return Err(Error::parameter(
                    format!("class {c} ({})", train.class_names()[c]),
                    format!("present in {} with at least one training row", train.name()),
                    format!("no rows of class {c}: {estimated} cannot be estimated"),
                ));
            }
            let x_c = x.select(Axis(0), &rows);
            means
                .row_mut(c)
                .assign(&x_c.mean_axis(Axis(0)).expect("the class has rows"));
            variances
                .row_mut(c)
                .assign(&x_c.var_axis(Axis(0), 0.0).mapv(|v| v.max(epsilon)));
            frequencies[c] = rows.len() as f64 / y.len() as f64;
        }
        if means.iter().chain(&variances).any(|v| !v.is_finite()) {
            return Err(too_large(train));
        }
        Ok(FittedGaussianNaiveBayes {
            priors: self.priors.clone().unwrap_or(frequencies),
            means,
            variances,
            class_names: train.class_names().to_vec(),
        })
    }
}

/// max_j Var(x_j) over all training rows: an error if it overflows, if every
/// column is constant, or if a column varies but its variance underflows.
fn largest_variance(train: &Dataset) -> Result<f64> {
    let variances = train.x().var_axis(Axis(0), 0.0);
    if variances.iter().any(|v| !v.is_finite()) {
        return Err(too_large(train));
    }
    let largest = variances.iter().copied().fold(0.0, f64::max);
    for (j, column) in train.x().columns().into_iter().enumerate() {
        let varies = column.iter().any(|&v| v != column[0]);
        if varies && variances[j] < f64::MIN_POSITIVE {
            return Err(Error::parameter(
                format!("feature {} of {}", train.feature_names()[j], train.name()),
                "values whose variance is a normal f64 (above 2.2e-308): rescale the features, \
                 e.g. Dataset::standardized",
                format!("a variance of {:e}", variances[j]),
            ));
        }
    }
    if largest == 0.0 {
        return Err(Error::parameter(
            format!("the features of {}", train.name()),
            "data with at least one feature that varies (constant features tell the classes apart by nothing)",
            "every column constant",
        ));
    }
    Ok(largest)
}

/// The error for features whose squares overflow.
fn too_large(train: &Dataset) -> Error {
    Error::parameter(
        format!("the features of {}", train.name()),
        "values whose variances fit in f64 (below 1.8e308): rescale the features, \
         e.g. Dataset::standardized",
        "a variance that overflows",
    )
}

/// Gaussian naive Bayes, fitted: a prior and d normal densities per class.
/// Made by [`GaussianNaiveBayes::fit`]; read-only.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGaussianNaiveBayes {
    priors: Array1<f64>,
    means: Array2<f64>,
    variances: Array2<f64>,
    class_names: Vec<String>,
}

impl FittedGaussianNaiveBayes {
    /// The priors P(c): `(c,)`.
    pub fn priors(&self) -> &Array1<f64> {
        &self.priors
    }

    /// The class means μ_cj: `(c, d)`.
    pub fn means(&self) -> &Array2<f64> {
        &self.means
    }

    /// The class variances σ²_cj (population variances, floored): `(c, d)`.
    pub fn variances(&self) -> &Array2<f64> {
        &self.variances
    }

    /// The number of features d.
    pub fn n_features(&self) -> usize {
        self.means.ncols()
    }

    /// The number of classes c, from the training set.
    pub fn n_classes(&self) -> usize {
        self.priors.len()
    }

    /// The names of the classes, from the training set.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The log joint probability of every row of `x: (n, d)` (a dataset or
    /// an array) and class c, `(n, c)`:
    ///
    /// ```text
    /// l_ic = log P(c) + Σ_j log N(x_ij; μ_cj, σ²_cj)
    ///      = log P(c) − ½ Σ_j [ log(2πσ²_cj) + (x_ij − μ_cj)² / σ²_cj ].
    /// ```
    ///
    /// It is log P(c | x_i) + log p(x_i): the log posterior up to a constant
    /// per row. A class of prior 0 has l_ic = −∞. An error if x has the wrong
    /// number of columns or a value that is not finite, or if a row is so far
    /// from every class that all its l_ic overflow to −∞.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// // One class, feature values −1 and 1: μ = 0, σ² = 1, prior 1,
    /// // so l = −½ log(2π) − x²/2.
    /// let train = Dataset::new(&array![[-1.0], [1.0]], &array![0, 0])?;
    /// let model = GaussianNaiveBayes::new().fit(&train)?;
    /// let l = model.log_joint(&array![[2.0]])?;
    /// let expected = -0.5 * (2.0 * std::f64::consts::PI).ln() - 2.0;
    /// assert!((l[(0, 0)] - expected).abs() < 1e-15);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn log_joint<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        self.log_joint_of("x", x.into_features())
    }

    /// The posterior P(c | x_i) of every row of `x: (n, d)` and class c,
    /// `(n, c)`: the softmax of the [`log_joint`](Self::log_joint) l_ic,
    ///
    /// ```text
    /// P(c | x_i) = exp(l_ic − m_i) / Σ_k exp(l_ik − m_i),    m_i = max_k l_ik,
    /// ```
    ///
    /// where subtracting m_i changes nothing mathematically but keeps every
    /// exponential at most 1 and the largest exactly 1. Each row sums to 1.
    /// The errors of [`log_joint`](Self::log_joint).
    pub fn predict_proba<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        self.proba_of("x", x.into_features())
    }

    /// The predicted class of every row of `x: (n, d)`: the c of largest
    /// log joint log P(c) + Σ_j log N(x_ij; μ_cj, σ²_cj), which is the c of
    /// largest posterior. A tie goes to the lower class index. The errors of
    /// [`log_joint`](Self::log_joint).
    pub fn predict<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<usize>> {
        self.predict_of("x", x.into_features())
    }

    /// The accuracy on a labelled dataset: the fraction of its rows whose
    /// predicted class is their class.
    ///
    /// An error if the dataset is empty, its classes are not those the model
    /// was fitted on (in the same order), or as in [`log_joint`](Self::log_joint).
    pub fn score(&self, test: &Dataset) -> Result<f64> {
        check_same_classes(&self.class_names, test)?;
        let what = format!("the features of {}", test.name());
        let predicted = self.predict_of(&what, test.x().view())?;
        accuracy(test.y(), &predicted)
    }

    /// [`log_joint`](Self::log_joint) on a view; errors name the features `what`.
    fn log_joint_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let d = self.n_features();
        if x.ncols() != d {
            return Err(Error::shape(
                what,
                format!("{d} columns (one per feature the model was fitted on)"),
                format!("{} columns", x.ncols()),
            ));
        }
        check_finite(what, x)?;
        let mut joint = Array2::zeros((x.nrows(), self.n_classes()));
        for c in 0..self.n_classes() {
            let (mean, variance) = (self.means.row(c), self.variances.row(c));
            let log_normaliser: f64 = variance
                .iter()
                .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                .sum();
            let squared = ((&x - &mean).mapv(|r| r * r) / variance).sum_axis(Axis(1));
            let l_c = squared.mapv(|s| self.priors[c].ln() - 0.5 * (log_normaliser + s));
            joint.column_mut(c).assign(&l_c);
        }
        for (i, row) in joint.rows().into_iter().enumerate() {
            if !row.iter().any(|l| l.is_finite()) {
                return Err(Error::parameter(
                    format!("row {i} of {what}"),
                    "a point whose log-likelihood under some class is a finite f64 \
                     (it is too far from every class mean: rescale the features)",
                    "log-likelihoods that overflow to −∞ for every class",
                ));
            }
        }
        Ok(joint)
    }

    /// [`predict_proba`](Self::predict_proba) on a view.
    fn proba_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut proba = self.log_joint_of(what, x)?;
        for mut row in proba.rows_mut() {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.mapv_inplace(|l| (l - m).exp());
            let total = row.sum();
            row /= total;
        }
        Ok(proba)
    }

    /// [`predict`](Self::predict) on a view.
    fn predict_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let joint = self.log_joint_of(what, x)?;
        Ok(joint
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold((0, f64::NEG_INFINITY), |best, (c, &l)| {
                        if l > best.1 { (c, l) } else { best }
                    })
                    .0
            })
            .collect())
    }
}

/// Probabilities: finite, at least 0, summing to 1 within [`PRIOR_SUM_TOLERANCE`].
fn check_probabilities(what: &str, p: ArrayView1<'_, f64>) -> Result<()> {
    check_finite(what, p)?;
    if let Some(&v) = p.iter().find(|&&v| v < 0.0) {
        return Err(Error::parameter(
            format!("every value of {what}"),
            "at least 0 (a probability)",
            v,
        ));
    }
    let total: f64 = p.sum();
    if (total - 1.0).abs() > PRIOR_SUM_TOLERANCE {
        return Err(Error::parameter(
            format!("the sum of {what}"),
            "1 (the classes are all the possibilities)",
            total,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{normal_matrix, seeded};
    use ndarray::{array, concatenate};
    use std::f64::consts::PI;

    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b} (tolerance {tol})");
    }

    /// N(x; μ, σ²), written out as the textbook formula.
    fn density(x: f64, mu: f64, var: f64) -> f64 {
        (-(x - mu) * (x - mu) / (2.0 * var)).exp() / (2.0 * PI * var).sqrt()
    }

    /// Class 0: feature 0 is 1, 3 (mean 2, variance (1 + 1)/2 = 1),
    ///          feature 1 is 10, 14 (mean 12, variance (4 + 4)/2 = 4).
    /// Class 1: feature 0 is 6, 8, 10 (mean 8, variance (4 + 0 + 4)/3),
    ///          feature 1 is 0, 4, 2 (mean 2, variance (4 + 4 + 0)/3).
    fn five_rows() -> Dataset {
        let x = array![
            [1.0, 10.0],
            [6.0, 0.0],
            [3.0, 14.0],
            [8.0, 4.0],
            [10.0, 2.0]
        ];
        Dataset::new(&x, &array![0, 1, 0, 1, 1]).unwrap()
    }

    #[test]
    fn the_screening_test_worked_by_hand() {
        // Out of 10 000 people, 100 are sick and 90 of them test positive;
        // of the 9900 healthy, 9% = 891 test positive. So 90 of 981 positives
        // are sick: 0.009 / (0.009 + 0.0891).
        let p = posterior(&[0.01, 0.99], &[0.90, 0.09]).unwrap();
        assert_close(p[0], 90.0 / 981.0, 1e-15);
        assert_close(p[0], 0.0917, 1e-4);
        assert_close(p[0] + p[1], 1.0, 1e-15);
        // Equal priors: the posterior is the normalised likelihood.
        let p = posterior(&vec![0.5, 0.5], &array![0.3, 0.1]).unwrap();
        assert_close(p[0], 0.75, 1e-15);
        // Huge and tiny likelihoods: only their ratio matters.
        let p = posterior(&[0.5, 0.5], &[1.7e308, 1.7e308]).unwrap();
        assert_eq!(p, array![0.5, 0.5]);
        let p = posterior(&[0.25, 0.75], &[3e-320, 1e-320]).unwrap();
        assert_close(p[0], 0.5, 1e-3); // subnormals hold few digits
    }

    #[test]
    fn the_fit_is_the_maximum_likelihood_estimate() {
        let train = five_rows();
        let model = GaussianNaiveBayes::new().fit(&train).unwrap();
        assert_eq!(model.priors(), array![0.4, 0.6]);
        assert_eq!(model.means(), array![[2.0, 12.0], [8.0, 2.0]]);
        for (got, want) in model
            .variances()
            .iter()
            .zip([1.0, 4.0, 8.0 / 3.0, 8.0 / 3.0])
        {
            assert_close(*got, want, 1e-12);
        }
        assert_eq!((model.n_features(), model.n_classes()), (2, 2));
        // Given priors replace the frequencies, and only them.
        let equal = GaussianNaiveBayes::new()
            .priors(&[0.5, 0.5])
            .fit(&train)
            .unwrap();
        assert_eq!(equal.priors(), array![0.5, 0.5]);
        assert_eq!(equal.means(), model.means());
        // A feature constant within a class gets the floor, not 0: here
        // ε = 1e-9 × the largest column variance, that of column 1: 5, 6, 7, 9
        // have mean 6.75 and variance (3.0625 + 0.5625 + 0.0625 + 5.0625)/4.
        let x = array![[1.0, 5.0], [1.0, 6.0], [3.0, 7.0], [4.0, 9.0]];
        let train = Dataset::new(&x, &array![0, 0, 1, 1]).unwrap();
        let model = GaussianNaiveBayes::new().fit(&train).unwrap();
        assert_close(model.variances()[(0, 0)], 1e-9 * 2.1875, 1e-24);
        assert!(
            model
                .predict_proba(&train)
                .unwrap()
                .iter()
                .all(|p| p.is_finite())
        );
        let wider = GaussianNaiveBayes::new()
            .variance_floor(0.1)
            .fit(&train)
            .unwrap();
        assert_close(wider.variances()[(0, 0)], 0.21875, 1e-15);
    }

    #[test]
    fn posteriors_are_probabilities_and_match_the_direct_product() {
        let model = GaussianNaiveBayes::new().fit(&five_rows()).unwrap();
        let (priors, means, variances) = (model.priors(), model.means(), model.variances());
        let queries = array![[4.0, 8.0], [5.0, 5.0], [2.0, 3.0], [9.0, 12.0]];
        let proba = model.predict_proba(&queries).unwrap();
        let joint = model.log_joint(queries.view()).unwrap();
        for (i, q) in queries.rows().into_iter().enumerate() {
            // P(c) Π_j N(x_j; μ_cj, σ²_cj), multiplied out: no underflow here.
            let direct: Vec<f64> = (0..2)
                .map(|c| {
                    priors[c]
                        * (0..2)
                            .map(|j| density(q[j], means[(c, j)], variances[(c, j)]))
                            .product::<f64>()
                })
                .collect();
            let evidence: f64 = direct.iter().sum();
            for c in 0..2 {
                assert_close(joint[(i, c)], direct[c].ln(), 1e-12);
                assert_close(proba[(i, c)], direct[c] / evidence, 1e-12);
            }
            assert_close(proba.row(i).sum(), 1.0, 1e-15);
        }
        // And the same by Bayes' theorem on the densities.
        let likelihood: Vec<f64> = (0..2)
            .map(|c| {
                density(5.0, means[(c, 0)], variances[(c, 0)])
                    * density(5.0, means[(c, 1)], variances[(c, 1)])
            })
            .collect();
        let p = posterior(&[0.4, 0.6], &likelihood).unwrap();
        assert_close(proba[(1, 0)], p[0], 1e-12);
        // The predicted class is the one of largest posterior.
        let predicted = model.predict(&queries).unwrap();
        for (i, &c) in predicted.iter().enumerate() {
            assert!(proba[(i, c)] >= 0.5);
        }
    }

    #[test]
    fn log_space_survives_where_the_product_underflows() {
        // 2000 features: each density is about N(1; 0, 1) ≈ 0.24, and
        // 0.24^2000 ≈ 1e−1240 is 0 in f64 for both classes.
        let d = 2000;
        let x = concatenate(
            Axis(0),
            &[
                (normal_matrix(20, d, &mut seeded(1)).unwrap() - 1.0).view(),
                (normal_matrix(20, d, &mut seeded(2)).unwrap() + 1.0).view(),
            ],
        )
        .unwrap();
        let y = Array1::from_shape_fn(40, |i| i / 20);
        let train = Dataset::new(&x, &y).unwrap();
        let model = GaussianNaiveBayes::new().fit(&train).unwrap();
        let row = x.row(0);
        let product: f64 = (0..d)
            .map(|j| density(row[j], model.means()[(0, j)], model.variances()[(0, j)]))
            .product();
        assert_eq!(product, 0.0, "the direct product underflows");
        let proba = model.predict_proba(&train).unwrap();
        assert!(proba.iter().all(|p| p.is_finite()));
        assert_eq!(model.predict(&train).unwrap(), y);
    }

    #[test]
    fn equal_gaussians_split_at_the_midpoint() {
        // Two classes around −2 and +4 with the same offsets ±z, so equal
        // priors, equal variances, and class means −2 and 4 (up to rounding).
        let z = normal_matrix(50, 1, &mut seeded(8)).unwrap();
        let offsets = concatenate(Axis(0), &[z.view(), (-&z).view()]).unwrap();
        let x = concatenate(Axis(0), &[(&offsets - 2.0).view(), (&offsets + 4.0).view()]).unwrap();
        let train = Dataset::new(&x, &Array1::from_shape_fn(200, |i| i / 100)).unwrap();
        let model = GaussianNaiveBayes::new().fit(&train).unwrap();
        assert_close(model.means()[(0, 0)], -2.0, 1e-12);
        assert_close(model.means()[(1, 0)], 4.0, 1e-12);
        assert_close(model.variances()[(0, 0)], model.variances()[(1, 0)], 1e-12);
        // With equal priors and variances, log N(x; μ0) = log N(x; μ1) at
        // x = (μ0 + μ1)/2 = 1, and the prediction changes there.
        let midpoint = 1.0;
        let joint = model.log_joint(&array![[midpoint]]).unwrap();
        assert_close(joint[(0, 0)], joint[(0, 1)], 1e-9);
        let around = array![[midpoint - 1e-6], [midpoint + 1e-6], [-10.0], [10.0]];
        assert_eq!(model.predict(&around).unwrap(), array![0, 1, 0, 1]);
        let proba = model.predict_proba(&array![[midpoint]]).unwrap();
        assert_close(proba[(0, 0)], 0.5, 1e-9);
        // The same data a billion units away: the same model, shifted.
        let far = train.with_x(&x.mapv(|v| v + 1e9)).unwrap();
        let shifted = GaussianNaiveBayes::new().fit(&far).unwrap();
        assert_close(shifted.means()[(0, 0)] - 1e9, -2.0, 1e-6);
        assert_close(
            shifted.variances()[(0, 0)] / model.variances()[(0, 0)],
            1.0,
            1e-6,
        );
        assert_eq!(
            shifted.predict(&around.mapv(|v| v + 1e9)).unwrap(),
            array![0, 1, 0, 1]
        );
    }

    #[test]
    fn iris_is_classified_well() {
        // A published ballpark for Gaussian naive Bayes on iris is ~0.95.
        let iris = crate::data::iris().unwrap();
        let (train, test) = iris.stratified_split(0.3, 42).unwrap();
        let model = GaussianNaiveBayes::new().fit(&train).unwrap();
        let acc = model.score(&test).unwrap();
        assert!(acc > 0.9, "iris test accuracy {acc}");
        // And averaged over 10 folds, so that no single lucky split decides.
        let scores = iris
            .cross_validate(10, 0, |train, test| {
                GaussianNaiveBayes::new().fit(train)?.score(test)
            })
            .unwrap();
        assert!(scores.mean() > 0.9, "iris 10-fold accuracy {scores}");
        // Every class mean lies within the range of its training rows.
        for c in 0..3 {
            for j in 0..4 {
                let values = (0..train.len())
                    .filter(|&i| train.y()[i] == c)
                    .map(|i| train.x()[(i, j)]);
                let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
                assert!((lo..=hi).contains(&model.means()[(c, j)]));
            }
        }
    }

    #[test]
    fn bad_input_is_the_right_error() {
        // posterior
        let e = posterior(&[0.5, 0.5], &[0.1]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = posterior(&[1.5, -0.5], &[0.1, 0.2]).unwrap_err();
        assert!(e.to_string().contains("at least 0"), "{e}");
        let e = posterior(&[0.5, 0.5], &[0.1, -0.2]).unwrap_err();
        assert!(e.to_string().contains("at least 0"), "{e}");
        let e = posterior(&[0.5, 0.6], &[0.1, 0.2]).unwrap_err();
        assert!(
            e.to_string().starts_with("the sum of prior must be 1"),
            "{e}"
        );
        let e = posterior(&[0.5, 0.5], &[0.0, 0.0]).unwrap_err();
        assert!(e.to_string().contains("evidence"), "{e}");
        let e = posterior(&[1.0, 0.0], &[0.0, 0.7]).unwrap_err();
        assert!(e.to_string().contains("evidence"), "{e}");
        let e = posterior(&[0.0; 0], &[0.0; 0]).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = posterior(&[0.5, 0.5], &[f64::NAN, 0.2]).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");

        // fit
        let gnb = GaussianNaiveBayes::new();
        let x = array![[1.0, 2.0], [2.0, 1.0], [5.0, 6.0], [6.0, 5.0]];
        let y = array![0, 0, 1, 1];
        let train = Dataset::new(&x, &y).unwrap();
        let empty =
            Dataset::new(&Array2::<f64>::zeros((0, 2)), &Array1::<usize>::zeros(0)).unwrap();
        let e = gnb.fit(&empty).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let mut missing = x.clone();
        missing[(2, 1)] = f64::NAN;
        let e = gnb.fit(&train.with_x(&missing).unwrap()).unwrap_err();
        assert!(
            matches!(&e, Error::NotFinite { index, .. } if *index == vec![2, 1]),
            "{e}"
        );
        assert!(e.to_string().contains("Dataset::drop_missing"), "{e}");
        let three = train.clone().with_class_names(&["a", "b", "c"]).unwrap();
        let message = gnb.fit(&three).unwrap_err().to_string();
        assert!(
            message.starts_with("class 2 (c) must be present in data"),
            "{message}"
        );
        assert!(
            message.contains("its prior, means and variances cannot be estimated"),
            "{message}"
        );
        let constant = train.with_x(&Array2::<f64>::ones((4, 2))).unwrap();
        let e = gnb.fit(&constant).unwrap_err();
        assert!(e.to_string().contains("every column constant"), "{e}");
        let huge = train.with_x(&(&x * 1e300)).unwrap();
        let e = gnb.fit(&huge).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
        let tiny = train.with_x(&(&x * 1e-300)).unwrap();
        let e = gnb.fit(&tiny).unwrap_err();
        assert!(e.to_string().contains("rescale"), "{e}");
        for floor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = gnb.clone().variance_floor(floor).fit(&train).unwrap_err();
            assert!(e.to_string().starts_with("variance_floor"), "{e}");
        }
        let narrow = train.with_x(&(&x * 1e-10)).unwrap();
        let e = gnb.clone().variance_floor(1e-320).fit(&narrow).unwrap_err();
        assert!(e.to_string().contains("raise variance_floor"), "{e}");
        let e = gnb.clone().priors(&[1.0]).fit(&train).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = gnb.clone().priors(&[0.7, 0.7]).fit(&train).unwrap_err();
        assert!(e.to_string().starts_with("the sum of priors"), "{e}");

        // predict
        let model = gnb.fit(&train).unwrap();
        let e = model.predict(&array![[1.0, 2.0, 3.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = model
            .predict_proba(&array![[f64::INFINITY, 2.0]])
            .unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = model.predict(&array![[1e300, 2.0]]).unwrap_err();
        assert!(e.to_string().contains("too far from every class"), "{e}");
        let e = model.score(&three).unwrap_err();
        assert!(e.to_string().starts_with("the classes of data"), "{e}");
        // A prior of 0 rules a class out, without an error.
        let certain = GaussianNaiveBayes::new()
            .priors(&[0.0, 1.0])
            .fit(&train)
            .unwrap();
        assert_eq!(
            certain.predict_proba(&array![[1.0, 2.0]]).unwrap(),
            array![[0.0, 1.0]]
        );
    }
}
