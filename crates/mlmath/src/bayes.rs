//! Bayes' theorem, and two Gaussian classifiers built on it: naive Bayes,
//! and the Gaussian class model with a full covariance matrix per class.
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
//! P(c) = n_c / n,    μ_cj = (1/n_c) Σ_{i in c} x_ij,
//! σ²_cj = (1/n_c) Σ_{i in c} (x_ij − μ_cj)².
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
//!
//! ## Full covariance: Gaussian class models without the naive assumption
//!
//! Naive Bayes is a Gaussian class model whose covariance matrices are
//! forced diagonal. [`GaussianClassifier`] keeps the whole matrix, so that
//! correlated features (a longer bill that is also a deeper one) are one
//! piece of evidence, not two:
//!
//! ```text
//! p(x | c) = N(x; μ_c, Σ_c),
//! log N(x; μ, Σ) = −½ [ d log 2π + log det Σ + (x − μ)ᵀ Σ⁻¹ (x − μ) ].
//! ```
//!
//! The maximum-likelihood estimates are the class mean and the class
//! covariance divided by n_c, Σ_c = (1/n_c) Σ_{i in c} (x_i − μ_c)(x_i − μ_c)ᵀ.
//! The points of equal density are ellipses (ellipsoids) centred at μ_c,
//! their axes along the eigenvectors of Σ_c, tilted where the features are
//! correlated; naive Bayes can only draw ellipses whose axes are the
//! coordinate axes. Setting two classes' log joints equal leaves the terms
//! xᵀ Σ_c⁻¹ x, which do not cancel when the Σ_c differ: the boundaries are
//! quadratic curves, hence the model's other name, **quadratic
//! discriminant analysis** (QDA). It costs parameters: d(d + 1)/2 per class
//! for Σ_c against d variances for naive Bayes, so with few rows and many
//! features its estimates are noisier.
//!
//! **Computing it stably.** Each Σ_c is factored once, Σ_c = L Lᵀ with L
//! lower triangular (Cholesky). Then log det Σ_c = 2 Σ_j log L_jj, a sum of
//! logarithms that neither overflows nor underflows as a determinant of many
//! small or large variances would, and the squared Mahalanobis distance
//! (x − μ)ᵀ Σ⁻¹ (x − μ) = |z|² where L z = x − μ is solved by forward
//! substitution, with no inverse formed. A class whose rows lie on a line
//! (or that has fewer than d + 1 rows) has a singular Σ_c, det Σ_c = 0 and an
//! infinite density; adding ε I (see
//! [`GaussianClassifier::covariance_floor`]) raises every eigenvalue to at
//! least ε and keeps every density finite.
//!
//! ```
//! use mlmath::prelude::*;
//! // Two classes along the same tilted line, side by side across it.
//! let x = array![[0.0, 0.3], [1.0, 1.3], [2.0, 2.3], [0.0, -0.3], [1.0, 0.7], [2.0, 1.7]];
//! let train = Dataset::new(&x, &array![0, 0, 0, 1, 1, 1])?;
//! let full = GaussianClassifier::new().covariance_floor(1e-3).fit(&train)?;
//! let naive = GaussianNaiveBayes::new().fit(&train)?;
//! // (1.5, 1.8) lies on class 0's line, (1.5, 1.2) on class 1's. Naive Bayes
//! // sees each coordinate alone and puts both above its boundary y = 1.
//! let queries = array![[1.5, 1.8], [1.5, 1.2]];
//! assert_eq!(full.predict(&queries)?, array![0, 1]);
//! assert_eq!(naive.predict(&queries)?, array![0, 0]);
//! assert_eq!(full.score(&train)?, 1.0);
//! assert!(naive.score(&train)? < 1.0);
//! # Ok::<(), mlmath::Error>(())
//! ```

use std::f64::consts::TAU;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1};

use crate::data::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};
use crate::metrics::score_classifier;
use crate::plot::{grid_points, into_grid};

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
/// | [`priors`](Self::priors) | n_c / n of the training rows | one per class, ≥ 0, sum 1 |
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
    /// P(c) = n_c / n,   μ_cj = (1/n_c) Σ_{i in c} x_ij,
    /// σ²_cj = max((1/n_c) Σ_{i in c} (x_ij − μ_cj)², ε)
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
        let epsilon = check_fit(
            train,
            self.priors.as_ref(),
            "variance_floor",
            self.variance_floor,
        )?;
        let (x, y, classes) = (train.x(), train.y(), train.n_classes());
        let mut means = Array2::zeros((classes, x.ncols()));
        let mut variances = Array2::zeros((classes, x.ncols()));
        let mut frequencies = Array1::zeros(classes);
        let estimated = if self.priors.is_some() {
            "its means and variances"
        } else {
            "its prior, means and variances"
        };
        for c in 0..classes {
            let rows = class_rows(train, c, estimated)?;
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

/// The checks every Gaussian class model makes before it fits: the floor
/// (named `floor_name`) is positive, the training set is non-empty, finite
/// and has features, the priors (if given) are one probability per class.
/// Returns ε = floor × max_j Var(x_j).
fn check_fit(
    train: &Dataset,
    priors: Option<&Array1<f64>>,
    floor_name: &str,
    floor: f64,
) -> Result<f64> {
    if !(floor.is_finite() && floor > 0.0) {
        return Err(Error::parameter(
            floor_name,
            "a positive number (a zero variance makes a density infinite)",
            floor,
        ));
    }
    train.check_trainable()?;
    if train.n_features() == 0 {
        return Err(Error::shape(
            format!("the features of {}", train.name()),
            "at least one column (feature)",
            "0 columns",
        ));
    }
    if let Some(priors) = priors {
        let classes = train.n_classes();
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
            format!("{floor_name} × the largest feature variance"),
            format!("above 0 in f64: raise {floor_name}"),
            epsilon,
        ));
    }
    Ok(epsilon)
}

/// The training rows of class c: an error if there are none, saying which
/// parameters (`estimated`) cannot then be estimated.
fn class_rows(train: &Dataset, c: usize, estimated: &str) -> Result<Vec<usize>> {
    let y = train.y();
    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
    if rows.is_empty() {
        return Err(Error::parameter(
            format!("class {c} ({})", train.class_names()[c]),
            format!("present in {} with at least one training row", train.name()),
            format!("no rows of class {c}: {estimated} cannot be estimated"),
        ));
    }
    Ok(rows)
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
            "data with at least one feature that varies \
             (constant features tell the classes apart by nothing)",
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
        score_classifier(&self.class_names, test, &|what, x| self.predict_of(what, x))
    }

    /// The predicted class on a `resolution × resolution` grid over
    /// `[x_range.0, x_range.1] × [y_range.0, y_range.1]`, for a model of 2
    /// features: entry `(i, j)` is the class at the centre of the cell in
    /// row i (row 0 the lowest y) and column j (column 0 the lowest x), as
    /// [`Chart::regions`](crate::plot::Chart::regions) expects.
    ///
    /// An error if the model does not have exactly 2 features, the
    /// resolution is not between 1 and 1000, or a range is not an interval
    /// `low < high` of finite width.
    pub fn decision_grid(
        &self,
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
    ) -> Result<Array2<usize>> {
        let points = grid_points(self.n_features(), x_range, y_range, resolution)?;
        let classes = self.predict_of("the grid", points.view())?;
        Ok(into_grid(classes, resolution))
    }

    /// [`log_joint`](Self::log_joint) on a view; errors name the features `what`.
    fn log_joint_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_width(what, x, self.n_features())?;
        let mut joint = Array2::zeros((x.nrows(), self.n_classes()));
        for c in 0..self.n_classes() {
            let (mean, variance) = (self.means.row(c), self.variances.row(c));
            let log_normaliser: f64 = variance.iter().map(|v| (TAU * v).ln()).sum();
            let squared = ((&x - &mean).mapv(|r| r * r) / variance).sum_axis(Axis(1));
            let l_c = squared.mapv(|s| self.priors[c].ln() - 0.5 * (log_normaliser + s));
            joint.column_mut(c).assign(&l_c);
        }
        check_reachable(what, &joint)?;
        Ok(joint)
    }

    /// [`predict_proba`](Self::predict_proba) on a view.
    fn proba_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        Ok(softmax_rows(self.log_joint_of(what, x)?))
    }

    /// [`predict`](Self::predict) on a view.
    fn predict_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        Ok(argmax_rows(&self.log_joint_of(what, x)?))
    }
}

/// A Gaussian class model with a full covariance matrix per class (quadratic
/// discriminant analysis): its hyperparameters. [`fit`](Self::fit) estimates
/// the class models. See the [module documentation](self) for the
/// mathematics.
///
/// | setter | default | range |
/// |---|---|---|
/// | [`priors`](Self::priors) | n_c / n of the training rows | one per class, ≥ 0, sum 1 |
/// | [`covariance_floor`](Self::covariance_floor) | 1e-9 | a positive number |
///
/// ```
/// use mlmath::prelude::*;
/// let iris = mlmath::data::iris()?;
/// let model = GaussianClassifier::new().fit(&iris)?;
/// assert_eq!(model.covariances().len(), 3); // one (4, 4) matrix per species
/// assert!(model.score(&iris)? > 0.95);
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianClassifier {
    priors: Option<Array1<f64>>,
    covariance_floor: f64,
}

impl Default for GaussianClassifier {
    /// The same as [`GaussianClassifier::new`].
    fn default() -> Self {
        GaussianClassifier::new()
    }
}

impl GaussianClassifier {
    /// Priors from the class frequencies, covariance floor 1e-9.
    pub fn new() -> Self {
        GaussianClassifier {
            priors: None,
            covariance_floor: 1e-9,
        }
    }

    /// Sets the priors P(c), one per class of the training set, summing to 1,
    /// instead of the class frequencies n_c / n of the training rows. Checked
    /// by [`fit`](Self::fit).
    pub fn priors<'a>(mut self, priors: impl AsArray<'a, f64, Ix1>) -> Self {
        self.priors = Some(priors.into().to_owned());
        self
    }

    /// Sets the regulariser, relative to the data (> 0; 1e-9 by default):
    /// ε = covariance_floor × max_j Var(x_j), where Var(x_j) is the variance
    /// of feature j over all training rows, is added to the diagonal of every
    /// class covariance, Σ_c + ε I. Every eigenvalue (the variance along a
    /// principal axis of the class's ellipse) is then at least ε: a class
    /// whose rows lie on a line or a plane, or that has fewer than d + 1
    /// rows, still gets a finite density. A larger floor (0.01, 0.1) also
    /// shrinks a class with few rows towards a sphere.
    pub fn covariance_floor(mut self, covariance_floor: f64) -> Self {
        self.covariance_floor = covariance_floor;
        self
    }

    /// Fits the class models to the training set (features `x: (n, d)`,
    /// labels y, c classes) by maximum likelihood, regularised:
    ///
    /// ```text
    /// P(c) = n_c / n,   μ_c = (1/n_c) Σ_{i in c} x_i,
    /// Σ_c = (1/n_c) Σ_{i in c} (x_i − μ_c)(x_i − μ_c)ᵀ + ε I
    /// ```
    ///
    /// (P(c) from [`priors`](Self::priors) if given; ε as in
    /// [`covariance_floor`](Self::covariance_floor)), and factors each Σ_c =
    /// L_c L_cᵀ (Cholesky) for prediction.
    ///
    /// An error if the dataset is empty, has no features or a missing value
    /// (drop or impute missing values first: `Dataset::drop_missing`), a class
    /// has no training row, every feature is constant, a variance overflows
    /// or underflows `f64` (rescale the features), a hyperparameter is out of
    /// range, or a Σ_c is not positive definite in f64 (raise the floor).
    pub fn fit(&self, train: &Dataset) -> Result<FittedGaussianClassifier> {
        let epsilon = check_fit(
            train,
            self.priors.as_ref(),
            "covariance_floor",
            self.covariance_floor,
        )?;
        let (x, y, classes) = (train.x(), train.y(), train.n_classes());
        let d = x.ncols();
        let mut means = Array2::zeros((classes, d));
        let mut covariances = Vec::with_capacity(classes);
        let mut factors = Vec::with_capacity(classes);
        let mut frequencies = Array1::zeros(classes);
        let estimated = if self.priors.is_some() {
            "its mean and covariance"
        } else {
            "its prior, mean and covariance"
        };
        for c in 0..classes {
            let rows = class_rows(train, c, estimated)?;
            let x_c = x.select(Axis(0), &rows);
            let mean = x_c.mean_axis(Axis(0)).expect("the class has rows");
            let centred = &x_c - &mean;
            let mut sigma = centred.t().dot(&centred) / rows.len() as f64;
            sigma.diag_mut().mapv_inplace(|v| v + epsilon);
            if mean.iter().chain(&sigma).any(|v| !v.is_finite()) {
                return Err(too_large(train));
            }
            let factor = cholesky(sigma.view()).ok_or_else(|| {
                Error::parameter(
                    format!("the covariance of class {c} ({})", train.class_names()[c]),
                    "positive definite in f64: raise covariance_floor (or rescale the \
                     features, e.g. Dataset::standardized)",
                    "a matrix whose Cholesky factorisation breaks down",
                )
            })?;
            means.row_mut(c).assign(&mean);
            covariances.push(sigma);
            factors.push(factor);
            frequencies[c] = rows.len() as f64 / y.len() as f64;
        }
        let log_dets = factors
            .iter()
            .map(|l| 2.0 * l.diag().iter().map(|v| v.ln()).sum::<f64>())
            .collect();
        Ok(FittedGaussianClassifier {
            priors: self.priors.clone().unwrap_or(frequencies),
            means,
            covariances,
            factors,
            log_dets,
            class_names: train.class_names().to_vec(),
        })
    }
}

/// A Gaussian class model with full covariances, fitted: a prior, a mean and
/// a covariance matrix per class. Made by [`GaussianClassifier::fit`];
/// read-only.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGaussianClassifier {
    priors: Array1<f64>,
    means: Array2<f64>,
    covariances: Vec<Array2<f64>>,
    /// The lower-triangular Cholesky factors L_c, Σ_c = L_c L_cᵀ.
    factors: Vec<Array2<f64>>,
    /// log det Σ_c = 2 Σ_j log (L_c)_jj.
    log_dets: Array1<f64>,
    class_names: Vec<String>,
}

impl FittedGaussianClassifier {
    /// The priors P(c): `(c,)`.
    pub fn priors(&self) -> &Array1<f64> {
        &self.priors
    }

    /// The class means μ_c, one per row: `(c, d)`.
    pub fn means(&self) -> &Array2<f64> {
        &self.means
    }

    /// The class covariances Σ_c (population covariances + ε I), one
    /// `(d, d)` matrix per class.
    pub fn covariances(&self) -> &[Array2<f64>] {
        &self.covariances
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
    /// l_ic = log P(c) + log N(x_i; μ_c, Σ_c)
    ///      = log P(c) − ½ [ d log 2π + log det Σ_c + |z|² ],   L_c z = x_i − μ_c,
    /// ```
    ///
    /// where |z|² = (x_i − μ_c)ᵀ Σ_c⁻¹ (x_i − μ_c) is the squared Mahalanobis
    /// distance, found by forward substitution in the Cholesky factor L_c (no
    /// inverse is formed), and log det Σ_c = 2 Σ_j log (L_c)_jj. A class of
    /// prior 0, or a distance that overflows, has l_ic = −∞. An error if x has
    /// the wrong number of columns or a value that is not finite, or if a row
    /// is so far from every class that all its l_ic are −∞.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// // One class at (±1, ±1) with equal signs: perfectly correlated, so
    /// // Σ = [[1, 1], [1, 1]] + εI. Along the diagonal the density is high,
    /// // across it (almost) impossible.
    /// let x = array![[-1.0, -1.0], [1.0, 1.0]];
    /// let model = GaussianClassifier::new().fit(&Dataset::new(&x, &array![0, 0])?)?;
    /// let l = model.log_joint(&array![[0.5, 0.5], [0.5, -0.5]])?;
    /// assert!(l[(0, 0)] > 0.0 && l[(1, 0)] < -1e6);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn log_joint<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        self.log_joint_of("x", x.into_features())
    }

    /// The posterior P(c | x_i) of every row of `x: (n, d)` and class c,
    /// `(n, c)`: the softmax of the [`log_joint`](Self::log_joint) l_ic,
    /// P(c | x_i) = exp(l_ic − m_i) / Σ_k exp(l_ik − m_i), m_i = max_k l_ik.
    /// Each row sums to 1. The errors of [`log_joint`](Self::log_joint).
    pub fn predict_proba<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array2<f64>> {
        self.proba_of("x", x.into_features())
    }

    /// The predicted class of every row of `x: (n, d)`: the c of largest
    /// log joint, which is the c of largest posterior. A tie goes to the
    /// lower class index. The errors of [`log_joint`](Self::log_joint).
    pub fn predict<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<usize>> {
        self.predict_of("x", x.into_features())
    }

    /// The accuracy on a labelled dataset: the fraction of its rows whose
    /// predicted class is their class.
    ///
    /// An error if the dataset is empty, its classes are not those the model
    /// was fitted on (in the same order), or as in [`log_joint`](Self::log_joint).
    pub fn score(&self, test: &Dataset) -> Result<f64> {
        score_classifier(&self.class_names, test, &|what, x| self.predict_of(what, x))
    }

    /// The predicted class on a `resolution × resolution` grid, as
    /// [`FittedGaussianNaiveBayes::decision_grid`]: row 0 the lowest y,
    /// column 0 the lowest x, for [`Chart::regions`](crate::plot::Chart::regions).
    /// The same errors.
    pub fn decision_grid(
        &self,
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
    ) -> Result<Array2<usize>> {
        let points = grid_points(self.n_features(), x_range, y_range, resolution)?;
        let classes = self.predict_of("the grid", points.view())?;
        Ok(into_grid(classes, resolution))
    }

    /// [`log_joint`](Self::log_joint) on a view; errors name the features `what`.
    fn log_joint_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let d = self.n_features();
        check_width(what, x, d)?;
        let mut joint = Array2::zeros((x.nrows(), self.n_classes()));
        for c in 0..self.n_classes() {
            let constant = self.priors[c].ln() - 0.5 * (d as f64 * TAU.ln() + self.log_dets[c]);
            for (i, row) in x.rows().into_iter().enumerate() {
                let r = &row - &self.means.row(c);
                let z = forward_substitution(self.factors[c].view(), r.view());
                let squared = z.dot(&z);
                // A distance that overflows (∞, or NaN from ∞ − ∞) is infinitely unlikely.
                joint[(i, c)] = if squared.is_finite() {
                    constant - 0.5 * squared
                } else {
                    f64::NEG_INFINITY
                };
            }
        }
        check_reachable(what, &joint)?;
        Ok(joint)
    }

    /// [`predict_proba`](Self::predict_proba) on a view.
    fn proba_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        Ok(softmax_rows(self.log_joint_of(what, x)?))
    }

    /// [`predict`](Self::predict) on a view.
    fn predict_of(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        Ok(argmax_rows(&self.log_joint_of(what, x)?))
    }
}

/// The lower-triangular L with L Lᵀ = a, for a symmetric `a: (d, d)`
/// (Cholesky–Banachiewicz, row by row):
///
/// ```text
/// L_jj = √(a_jj − Σ_{k<j} L_jk²),    L_ij = (a_ij − Σ_{k<j} L_ik L_jk) / L_jj   (i > j).
/// ```
///
/// `None` if a pivot a_jj − Σ L_jk² is not positive (or not finite): a is
/// not positive definite in f64.
fn cholesky(a: ArrayView2<'_, f64>) -> Option<Array2<f64>> {
    let d = a.nrows();
    let mut l = Array2::<f64>::zeros((d, d));
    for i in 0..d {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| l[(i, k)] * l[(j, k)]).sum();
            let rest = a[(i, j)] - dot;
            if i == j {
                if !(rest > 0.0 && rest.is_finite()) {
                    return None;
                }
                l[(i, i)] = rest.sqrt();
            } else {
                l[(i, j)] = rest / l[(j, j)];
            }
        }
    }
    Some(l)
}

/// The z with L z = r, for a lower-triangular `l: (d, d)` with a positive
/// diagonal: z_j = (r_j − Σ_{k<j} L_jk z_k) / L_jj, top row first.
fn forward_substitution(l: ArrayView2<'_, f64>, r: ArrayView1<'_, f64>) -> Array1<f64> {
    let mut z = Array1::<f64>::zeros(r.len());
    for j in 0..r.len() {
        let dot: f64 = (0..j).map(|k| l[(j, k)] * z[k]).sum();
        z[j] = (r[j] - dot) / l[(j, j)];
    }
    z
}

/// An error unless `x` has `d` columns and finite values.
fn check_width(what: &str, x: ArrayView2<'_, f64>, d: usize) -> Result<()> {
    if x.ncols() != d {
        return Err(Error::shape(
            what,
            format!("{d} columns (one per feature the model was fitted on)"),
            format!("{} columns", x.ncols()),
        ));
    }
    check_finite(what, x)
}

/// An error if some row of log joints is −∞ (or NaN) for every class.
fn check_reachable(what: &str, joint: &Array2<f64>) -> Result<()> {
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
    Ok(())
}

/// Each row of log joints l_c turned into posteriors: exp(l_c − m) / Σ_k
/// exp(l_k − m), m = max_k l_k, so that the largest exponential is 1.
fn softmax_rows(mut joint: Array2<f64>) -> Array2<f64> {
    for mut row in joint.rows_mut() {
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.mapv_inplace(|l| (l - m).exp());
        let total = row.sum();
        row /= total;
    }
    joint
}

/// The index of the largest value of each row (the first of equal ones).
fn argmax_rows(joint: &Array2<f64>) -> Array1<usize> {
    joint
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
        .collect()
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

    /// The log-density of N(x; μ, Σ) in 2-D by the closed forms
    /// det Σ = ad − b², Σ⁻¹ = [[d, −b], [−b, a]] / det Σ, for Σ = [[a, b], [b, d]].
    fn log_normal_2d(x: [f64; 2], mu: [f64; 2], sigma: &Array2<f64>) -> f64 {
        let (a, b, d) = (sigma[(0, 0)], sigma[(0, 1)], sigma[(1, 1)]);
        let det = a * d - b * b;
        let (r0, r1) = (x[0] - mu[0], x[1] - mu[1]);
        let squared = (d * r0 * r0 - 2.0 * b * r0 * r1 + a * r1 * r1) / det;
        -(2.0 * PI).ln() - 0.5 * det.ln() - 0.5 * squared
    }

    #[test]
    fn the_full_covariance_fit_is_the_maximum_likelihood_estimate() {
        // five_rows: class 0 has deviations (−1, −2), (1, 2) from its mean
        // (2, 12), so Σ_0 = [[1, 2], [2, 4]] (singular: the two rows make a
        // line); class 1 has (−2, −2), (0, 2), (2, 0) from (8, 2), so
        // Σ_1 = [[8, 4], [4, 8]] / 3. Column 1 (10, 0, 14, 4, 2) has the
        // largest variance, 136/5, so ε = 1e-9 × 27.2.
        let train = five_rows();
        let model = GaussianClassifier::new().fit(&train).unwrap();
        let epsilon = 1e-9 * 27.2;
        assert_eq!(model.priors(), array![0.4, 0.6]);
        assert_eq!(model.means(), array![[2.0, 12.0], [8.0, 2.0]]);
        let want = [
            array![[1.0 + epsilon, 2.0], [2.0, 4.0 + epsilon]],
            array![
                [8.0 / 3.0 + epsilon, 4.0 / 3.0],
                [4.0 / 3.0, 8.0 / 3.0 + epsilon]
            ],
        ];
        for (got, want) in model.covariances().iter().zip(&want) {
            for (g, w) in got.iter().zip(want) {
                assert_close(*g, *w, 1e-14);
            }
        }
        assert_eq!((model.n_features(), model.n_classes()), (2, 2));
        assert_eq!(model.class_names(), train.class_names());
        // The singular class still gives finite probabilities, and every
        // training row is classified right.
        let proba = model.predict_proba(&train).unwrap();
        assert!(proba.iter().all(|p| p.is_finite()));
        assert_eq!(model.score(&train).unwrap(), 1.0);

        // The log joint against the 2 × 2 closed forms, on a well-conditioned fit.
        let model = GaussianClassifier::new()
            .covariance_floor(0.01)
            .priors(&[0.3, 0.7])
            .fit(&train)
            .unwrap();
        let queries = array![[4.0, 8.0], [5.0, 5.0], [2.0, 3.0], [9.0, 12.0], [2.0, 12.0]];
        let joint = model.log_joint(&queries).unwrap();
        let proba = model.predict_proba(&queries).unwrap();
        for (i, q) in queries.rows().into_iter().enumerate() {
            let l: Vec<f64> = (0..2)
                .map(|c| {
                    let mu = [model.means()[(c, 0)], model.means()[(c, 1)]];
                    let prior = model.priors()[c];
                    prior.ln() + log_normal_2d([q[0], q[1]], mu, &model.covariances()[c])
                })
                .collect();
            for c in 0..2 {
                assert_close(joint[(i, c)], l[c], 1e-10 * (1.0 + l[c].abs()));
            }
            let p0 = 1.0 / (1.0 + (l[1] - l[0]).exp());
            assert_close(proba[(i, 0)], p0, 1e-12);
            assert_close(proba.row(i).sum(), 1.0, 1e-15);
        }
    }

    #[test]
    fn with_uncorrelated_features_the_full_model_is_naive_bayes() {
        // Each class at the four corners (μ ± s_0, μ ± s_1): the within-class
        // covariance is exactly diagonal, and both models agree.
        let corners = [(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)];
        let mut rows = vec![];
        for (centre, spread) in [((0.0, 0.0), (1.0, 3.0)), ((4.0, 2.0), (2.0, 0.5))] {
            for (u, v) in corners {
                rows.push([centre.0 + spread.0 * u, centre.1 + spread.1 * v]);
            }
        }
        let x = Array2::from_shape_fn((8, 2), |(i, j)| rows[i][j]);
        let train = Dataset::new(&x, &Array1::from_shape_fn(8, |i| i / 4)).unwrap();
        let full = GaussianClassifier::new().fit(&train).unwrap();
        let naive = GaussianNaiveBayes::new().fit(&train).unwrap();
        assert_close(full.covariances()[0][(0, 1)], 0.0, 1e-15);
        let queries = array![[1.0, 1.0], [3.0, 0.0], [-2.0, 5.0], [6.0, 2.5]];
        let (a, b) = (
            full.log_joint(&queries).unwrap(),
            naive.log_joint(&queries).unwrap(),
        );
        // They differ only by ε = 1e-9 × max Var, added (full) or a floor (naive).
        for (l_full, l_naive) in a.iter().zip(&b) {
            assert_close(*l_full, *l_naive, 1e-6 * (1.0 + l_naive.abs()));
        }
    }

    #[test]
    fn the_full_model_follows_an_affine_change_of_units() {
        // For x' = A x + b, N(x'; Aμ + b, AΣAᵀ) = N(x; μ, Σ) / |det A|: the
        // refitted model's log joints shift by −log |det A| and its
        // predictions do not change.
        let x = normal_matrix(60, 3, &mut seeded(5)).unwrap();
        let y = Array1::from_shape_fn(60, |i| i % 3);
        let shifted = &x + &y.mapv(|c| c as f64).insert_axis(Axis(1));
        let a = array![[2.0, 0.5, 0.0], [-1.0, 1.0, 0.3], [0.2, 0.0, 0.5]];
        // det A by cofactors along the first row (its third entry is 0).
        let det: f64 = 2.0 * (1.0 * 0.5 - 0.3 * 0.0) - 0.5 * (-0.5 - 0.3 * 0.2);
        let b = array![10.0, -3.0, 7.0];
        let moved = shifted.dot(&a.t()) + &b;
        let train = Dataset::new(&shifted, &y).unwrap();
        let model = GaussianClassifier::new().fit(&train).unwrap();
        let refitted = GaussianClassifier::new()
            .fit(&train.with_x(&moved).unwrap())
            .unwrap();
        let queries = normal_matrix(10, 3, &mut seeded(6)).unwrap() * 2.0;
        let l = model.log_joint(&queries).unwrap();
        let l_moved = refitted.log_joint(&(queries.dot(&a.t()) + &b)).unwrap();
        for (before, after) in l.iter().zip(&l_moved) {
            assert_close(*after, before - det.abs().ln(), 1e-6 * (1.0 + before.abs()));
        }
        assert_eq!(
            model.predict(&queries).unwrap(),
            refitted.predict(&(queries.dot(&a.t()) + &b)).unwrap()
        );
    }

    #[test]
    fn cholesky_and_forward_substitution_solve_by_hand() {
        // [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]].
        let l = cholesky(array![[4.0, 2.0], [2.0, 5.0]].view()).unwrap();
        assert_eq!(l, array![[2.0, 0.0], [1.0, 2.0]]);
        // L z = (4, 8): z_0 = 2, z_1 = (8 − 1·2)/2 = 3.
        assert_eq!(
            forward_substitution(l.view(), array![4.0, 8.0].view()),
            array![2.0, 3.0]
        );
        // A random positive definite matrix B Bᵀ + I is rebuilt from its factor.
        let b = normal_matrix(5, 5, &mut seeded(3)).unwrap();
        let a = b.dot(&b.t()) + Array2::<f64>::eye(5);
        let l = cholesky(a.view()).unwrap();
        assert!((0..5).all(|i| l[(i, i)] > 0.0 && (i + 1..5).all(|j| l[(i, j)] == 0.0)));
        for (got, want) in l.dot(&l.t()).iter().zip(&a) {
            assert_close(*got, *want, 1e-12 * (1.0 + want.abs()));
        }
        // Singular or indefinite: no factor.
        assert!(cholesky(array![[1.0, 1.0], [1.0, 1.0]].view()).is_none());
        assert!(cholesky(array![[1.0, 2.0], [2.0, 1.0]].view()).is_none());
        assert!(cholesky(array![[f64::INFINITY]].view()).is_none());
    }

    #[test]
    fn decision_grids_put_low_y_in_row_zero() {
        // Class 0 below the x-axis, class 1 above it, for both models.
        let x = array![[-1.0, -1.0], [1.0, -1.5], [-1.0, 1.0], [1.0, 1.5]];
        let train = Dataset::new(&x, &array![0, 0, 1, 1]).unwrap();
        let naive = GaussianNaiveBayes::new().fit(&train).unwrap();
        let full = GaussianClassifier::new().fit(&train).unwrap();
        for grid in [
            naive.decision_grid((-2.0, 2.0), (-2.0, 2.0), 4).unwrap(),
            full.decision_grid((-2.0, 2.0), (-2.0, 2.0), 4).unwrap(),
        ] {
            assert_eq!(grid.dim(), (4, 4));
            assert_eq!(grid.row(0).to_vec(), vec![0, 0, 0, 0]);
            assert_eq!(grid.row(3).to_vec(), vec![1, 1, 1, 1]);
        }
        assert!(full.decision_grid((0.0, 1.0), (0.0, 1.0), 0).is_err());
        assert!(naive.decision_grid((0.0, 1.0), (0.0, 1.0), 1001).is_err());
        assert!(full.decision_grid((1.0, 0.0), (0.0, 1.0), 5).is_err());
        assert!(naive.decision_grid((0.0, 1.0), (0.0, f64::NAN), 5).is_err());
        assert!(full.decision_grid((-1e308, 1e308), (0.0, 1.0), 5).is_err());
        let three = Dataset::new(&array![[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]], &array![0, 1]).unwrap();
        let e = GaussianClassifier::new()
            .fit(&three)
            .unwrap()
            .decision_grid((0.0, 1.0), (0.0, 1.0), 5)
            .unwrap_err();
        assert!(
            e.to_string().contains("2 columns for a decision grid"),
            "{e}"
        );
    }

    #[test]
    fn the_full_model_classifies_iris_well() {
        // A published ballpark for quadratic discriminant analysis on iris is ~0.97.
        let iris = crate::data::iris().unwrap();
        let scores = iris
            .cross_validate(10, 0, |train, test| {
                GaussianClassifier::new().fit(train)?.score(test)
            })
            .unwrap();
        assert!(scores.mean() > 0.95, "iris 10-fold accuracy {scores}");
    }

    #[test]
    fn the_full_model_rejects_bad_input_with_the_right_error() {
        let qda = GaussianClassifier::new();
        let x = array![[1.0, 2.0], [2.0, 1.0], [5.0, 6.0], [6.0, 5.0]];
        let train = Dataset::new(&x, &array![0, 0, 1, 1]).unwrap();
        let empty =
            Dataset::new(&Array2::<f64>::zeros((0, 2)), &Array1::<usize>::zeros(0)).unwrap();
        assert!(matches!(qda.fit(&empty).unwrap_err(), Error::Empty { .. }));
        let mut missing = x.clone();
        missing[(2, 1)] = f64::NAN;
        let e = qda.fit(&train.with_x(&missing).unwrap()).unwrap_err();
        assert!(e.to_string().contains("Dataset::drop_missing"), "{e}");
        let three = train.clone().with_class_names(&["a", "b", "c"]).unwrap();
        let message = qda.fit(&three).unwrap_err().to_string();
        assert!(
            message.contains("its prior, mean and covariance cannot be estimated"),
            "{message}"
        );
        let e = qda
            .clone()
            .priors(&[0.2, 0.3, 0.5])
            .fit(&three)
            .unwrap_err();
        assert!(
            e.to_string().contains("its mean and covariance cannot"),
            "{e}"
        );
        let constant = train.with_x(&Array2::<f64>::ones((4, 2))).unwrap();
        let e = qda.fit(&constant).unwrap_err();
        assert!(e.to_string().contains("every column constant"), "{e}");
        let e = qda.fit(&train.with_x(&(&x * 1e300)).unwrap()).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
        for floor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = qda.clone().covariance_floor(floor).fit(&train).unwrap_err();
            assert!(e.to_string().starts_with("covariance_floor"), "{e}");
        }
        // Perfectly correlated rows (±1, ±1) and a floor below rounding:
        // Σ_0 = [[1, 1], [1, 1]] exactly, singular in f64.
        let line = array![[-1.0, -1.0], [1.0, 1.0], [5.0, 6.0], [6.0, 5.0]];
        let e = qda
            .clone()
            .covariance_floor(1e-20)
            .fit(&train.with_x(&line).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("raise covariance_floor"), "{e}");
        // The default floor fits the same rows.
        assert!(qda.fit(&train.with_x(&line).unwrap()).is_ok());
        let e = qda.clone().priors(&[0.7, 0.7]).fit(&train).unwrap_err();
        assert!(e.to_string().starts_with("the sum of priors"), "{e}");

        let model = qda.fit(&train).unwrap();
        let e = model.predict(&array![[1.0, 2.0, 3.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = model.predict_proba(&array![[f64::NAN, 2.0]]).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = model.predict(&array![[1e300, -1e300]]).unwrap_err();
        assert!(e.to_string().contains("too far from every class"), "{e}");
        let e = model.score(&three).unwrap_err();
        assert!(e.to_string().starts_with("the classes of data"), "{e}");
        let certain = GaussianClassifier::new()
            .priors(&[0.0, 1.0])
            .fit(&train)
            .unwrap();
        assert_eq!(
            certain.predict_proba(&array![[1.0, 2.0]]).unwrap(),
            array![[0.0, 1.0]]
        );
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
