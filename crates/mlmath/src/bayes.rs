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
//! use mlmath::bayes::GaussianNaiveBayes;
//! use ndarray::array;
//! // Small flowers are class 0, large ones class 1.
//! let x = array![[1.0, 0.2], [1.4, 0.3], [1.2, 0.1], [4.5, 1.5], [5.0, 1.8], [4.7, 1.4]];
//! let y = array![0, 0, 0, 1, 1, 1];
//! let model = GaussianNaiveBayes::default().fit(x.view(), y.view(), 2).unwrap();
//! assert_eq!(model.predict(array![[1.3, 0.2], [4.8, 1.6]].view()).unwrap(), array![0, 1]);
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{Error, Result, check_finite, check_samples};

/// How far from 1 a set of priors may sum.
const PRIOR_SUM_TOLERANCE: f64 = 1e-9;

/// The posterior P(c | x) = P(x | c) P(c) / Σ_k P(x | k) P(k) of each class
/// c, from the priors P(c) and the likelihoods P(x | c) of one observation x.
///
/// The likelihoods need not sum to 1 (they are P(x | c) for different c, or
/// densities); the priors must. An error if the lengths differ, a value is
/// negative or not finite, the priors do not sum to 1 (within 1e-9), or the
/// evidence Σ_k P(x | k) P(k) is 0 (x is impossible under every class).
///
/// ```
/// // The screening test: prevalence 1%, sensitivity 90%, false positives 9%.
/// let p = mlmath::bayes::posterior(&[0.01, 0.99], &[0.90, 0.09]).unwrap();
/// assert!((p[0] - 0.009 / (0.009 + 0.0891)).abs() < 1e-15);
/// ```
pub fn posterior(prior: &[f64], likelihood: &[f64]) -> Result<Vec<f64>> {
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
    check_finite("likelihood", ArrayView1::from(likelihood))?;
    if let Some(&v) = likelihood.iter().find(|&&v| v < 0.0) {
        return Err(Error::parameter(
            "every likelihood",
            "at least 0 (a probability or a density)",
            v,
        ));
    }
    let joint: Vec<f64> = prior.iter().zip(likelihood).map(|(p, l)| p * l).collect();
    let evidence: f64 = joint.iter().sum();
    if evidence == 0.0 {
        return Err(Error::parameter(
            "the evidence P(x) = Σ_k P(x | k) P(k)",
            "above 0 (x must be possible under some class)",
            0,
        ));
    }
    Ok(joint.into_iter().map(|j| j / evidence).collect())
}

/// Gaussian naive Bayes: its hyperparameters. [`fit`](Self::fit) estimates
/// the class models.
///
/// ```
/// use mlmath::bayes::GaussianNaiveBayes;
/// let model = GaussianNaiveBayes::default();
/// assert_eq!((model.priors, model.variance_floor), (None, 1e-9));
/// // Equal priors instead of the class frequencies:
/// let equal = GaussianNaiveBayes { priors: Some(vec![0.5, 0.5]), ..model };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianNaiveBayes {
    /// The priors P(c), one per class, summing to 1; `None` (the default)
    /// estimates them as the class frequencies n_c / n of the training rows.
    pub priors: Option<Vec<f64>>,
    /// The smallest variance allowed, relative to the data (> 0; 1e-9 by
    /// default): every σ²_cj is raised to at least
    /// ε = variance_floor × max_j Var(x_j), where Var(x_j) is the variance of
    /// feature j over all training rows. A feature constant within a class
    /// then gets variance ε instead of 0, and a finite density.
    pub variance_floor: f64,
}

impl Default for GaussianNaiveBayes {
    fn default() -> Self {
        GaussianNaiveBayes {
            priors: None,
            variance_floor: 1e-9,
        }
    }
}

impl GaussianNaiveBayes {
    /// Fits the class models to `x: (n, d)` with classes `y: (n,)` in
    /// `0..classes`, by maximum likelihood:
    ///
    /// ```text
    /// P(c) = n_c / n,   μ_cj = (1/n_c) Σ_{i in c} x_ij,   σ²_cj = max((1/n_c) Σ_{i in c} (x_ij − μ_cj)², ε)
    /// ```
    ///
    /// (P(c) from `priors` if given; ε as in [`variance_floor`](Self::variance_floor)).
    ///
    /// An error if the shapes disagree, x is empty or has no columns, x holds
    /// a NaN (drop or impute missing values first: `Dataset::drop_missing`), a
    /// label is not below `classes`, a class in `0..classes` has no training
    /// row, every feature is constant, or a hyperparameter is out of range.
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        classes: usize,
    ) -> Result<FittedGaussianNaiveBayes> {
        let floor = self.variance_floor;
        if !(floor.is_finite() && floor > 0.0) {
            return Err(Error::parameter(
                "variance_floor",
                "a positive number (a zero variance makes a density infinite)",
                floor,
            ));
        }
        check_samples(x, y.len())?;
        if x.ncols() == 0 {
            return Err(Error::shape(
                "x",
                "at least one column (feature)",
                "0 columns",
            ));
        }
        check_finite("x", x)?;
        if let Some((i, &c)) = y.iter().enumerate().find(|(_, c)| **c >= classes) {
            return Err(Error::parameter(
                "every label in y",
                format!("below the number of classes ({classes})"),
                format!("{c} at row {i}"),
            ));
        }
        if let Some(priors) = &self.priors {
            if priors.len() != classes {
                return Err(Error::shape(
                    "priors",
                    format!("{classes} values, one per class"),
                    format!("{} values", priors.len()),
                ));
            }
            check_probabilities("priors", priors)?;
        }

        let largest_variance = x.var_axis(Axis(0), 0.0).iter().copied().fold(0.0, f64::max);
        if largest_variance == 0.0 {
            return Err(Error::parameter(
                "x",
                "data with at least one feature that varies (constant features tell the classes apart by nothing)",
                "every column constant",
            ));
        }
        let epsilon = floor * largest_variance;

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
                    format!("class {c}"),
                    format!(
                        "present in y with at least one training row (classes = {classes} asks for 0..{classes})"
                    ),
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
        let priors = match &self.priors {
            Some(p) => Array1::from(p.clone()),
            None => frequencies,
        };
        Ok(FittedGaussianNaiveBayes {
            priors,
            means,
            variances,
        })
    }
}

/// Gaussian naive Bayes, fitted: a prior and d normal densities per class.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGaussianNaiveBayes {
    /// The priors P(c): `(classes,)`.
    pub priors: Array1<f64>,
    /// The class means μ_cj: `(classes, d)`.
    pub means: Array2<f64>,
    /// The class variances σ²_cj (population variances, floored): `(classes, d)`.
    pub variances: Array2<f64>,
}

impl FittedGaussianNaiveBayes {
    /// The log joint probability of every row of `x: (n, d)` and class c,
    /// `(n, classes)`:
    ///
    /// ```text
    /// l_ic = log P(c) + Σ_j log N(x_ij; μ_cj, σ²_cj)
    ///      = log P(c) − ½ Σ_j [ log(2πσ²_cj) + (x_ij − μ_cj)² / σ²_cj ].
    /// ```
    ///
    /// It is log P(c | x_i) + log p(x_i): the log posterior up to a constant
    /// per row. An error if x has the wrong number of columns or a value that
    /// is not finite.
    ///
    /// ```
    /// use mlmath::bayes::FittedGaussianNaiveBayes;
    /// use ndarray::array;
    /// // One feature, one class N(0, 1) of prior 1: l = −½ log(2π) − x²/2.
    /// let model = FittedGaussianNaiveBayes {
    ///     priors: array![1.0],
    ///     means: array![[0.0]],
    ///     variances: array![[1.0]],
    /// };
    /// let l = model.log_joint(array![[2.0]].view()).unwrap();
    /// let expected = -0.5 * (2.0 * std::f64::consts::PI).ln() - 2.0;
    /// assert!((l[(0, 0)] - expected).abs() < 1e-15);
    /// ```
    pub fn log_joint(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let d = self.means.ncols();
        if x.ncols() != d {
            return Err(Error::shape(
                "x",
                format!("{d} columns (one per feature the model was fitted on)"),
                format!("{} columns", x.ncols()),
            ));
        }
        check_finite("x", x)?;
        let classes = self.priors.len();
        let mut joint = Array2::zeros((x.nrows(), classes));
        for c in 0..classes {
            let (mean, variance) = (self.means.row(c), self.variances.row(c));
            let log_normaliser: f64 = variance
                .iter()
                .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                .sum();
            let squared = ((&x - &mean).mapv(|r| r * r) / variance).sum_axis(Axis(1));
            let l_c = squared.mapv(|s| self.priors[c].ln() - 0.5 * (log_normaliser + s));
            joint.column_mut(c).assign(&l_c);
        }
        Ok(joint)
    }

    /// The posterior P(c | x_i) of every row of `x: (n, d)` and class c,
    /// `(n, classes)`: the softmax of the [`log_joint`](Self::log_joint) l_ic,
    ///
    /// ```text
    /// P(c | x_i) = exp(l_ic − m_i) / Σ_k exp(l_ik − m_i),    m_i = max_k l_ik,
    /// ```
    ///
    /// where subtracting m_i changes nothing mathematically but keeps every
    /// exponential at most 1 and the largest exactly 1. Each row sums to 1.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut proba = self.log_joint(x)?;
        for mut row in proba.rows_mut() {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.mapv_inplace(|l| (l - m).exp());
            let total = row.sum();
            row /= total;
        }
        Ok(proba)
    }

    /// The predicted class of every row of `x: (n, d)`: the c of largest
    /// log joint log P(c) + Σ_j log N(x_ij; μ_cj, σ²_cj), which is the c of
    /// largest posterior. A tie goes to the lower class index.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let joint = self.log_joint(x)?;
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
fn check_probabilities(what: &str, p: &[f64]) -> Result<()> {
    check_finite(what, ArrayView1::from(p))?;
    if let Some(&v) = p.iter().find(|&&v| v < 0.0) {
        return Err(Error::parameter(
            format!("every value of {what}"),
            "at least 0 (a probability)",
            v,
        ));
    }
    let total: f64 = p.iter().sum();
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
    use crate::metrics::accuracy;
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
        let p = posterior(&[0.5, 0.5], &[0.3, 0.1]).unwrap();
        assert_close(p[0], 0.75, 1e-15);
    }

    #[test]
    fn the_fit_is_the_maximum_likelihood_estimate() {
        // Class 0: feature 0 is 1, 3 (mean 2, variance (1 + 1)/2 = 1),
        //          feature 1 is 10, 14 (mean 12, variance (4 + 4)/2 = 4).
        // Class 1: feature 0 is 6, 8, 10 (mean 8, variance (4 + 0 + 4)/3),
        //          feature 1 is 0, 4, 2 (mean 2, variance (4 + 4 + 0)/3).
        let x = array![
            [1.0, 10.0],
            [6.0, 0.0],
            [3.0, 14.0],
            [8.0, 4.0],
            [10.0, 2.0]
        ];
        let y = array![0, 1, 0, 1, 1];
        let model = GaussianNaiveBayes::default()
            .fit(x.view(), y.view(), 2)
            .unwrap();
        assert_eq!(model.priors, array![0.4, 0.6]);
        assert_eq!(model.means, array![[2.0, 12.0], [8.0, 2.0]]);
        for (got, want) in model.variances.iter().zip([1.0, 4.0, 8.0 / 3.0, 8.0 / 3.0]) {
            assert_close(*got, want, 1e-12);
        }
        // Given priors replace the frequencies, and only them.
        let equal = GaussianNaiveBayes {
            priors: Some(vec![0.5, 0.5]),
            ..GaussianNaiveBayes::default()
        }
        .fit(x.view(), y.view(), 2)
        .unwrap();
        assert_eq!(equal.priors, array![0.5, 0.5]);
        assert_eq!(equal.means, model.means);
        // A feature constant within a class gets the floor, not 0: here
        // ε = 1e-9 × the largest column variance, that of column 1: 5, 6, 7, 9
        // have mean 6.75 and variance (3.0625 + 0.5625 + 0.0625 + 5.0625)/4.
        let x = array![[1.0, 5.0], [1.0, 6.0], [3.0, 7.0], [4.0, 9.0]];
        let model = GaussianNaiveBayes::default()
            .fit(x.view(), array![0, 0, 1, 1].view(), 2)
            .unwrap();
        assert_close(model.variances[(0, 0)], 1e-9 * 2.1875, 1e-24);
        assert!(
            model
                .predict_proba(x.view())
                .unwrap()
                .iter()
                .all(|p| p.is_finite())
        );
    }

    #[test]
    fn posteriors_are_probabilities_and_match_the_direct_product() {
        let x = array![
            [1.0, 10.0],
            [6.0, 0.0],
            [3.0, 14.0],
            [8.0, 4.0],
            [10.0, 2.0]
        ];
        let y = array![0, 1, 0, 1, 1];
        let model = GaussianNaiveBayes::default()
            .fit(x.view(), y.view(), 2)
            .unwrap();
        let queries = array![[4.0, 8.0], [5.0, 5.0], [2.0, 3.0], [9.0, 12.0]];
        let proba = model.predict_proba(queries.view()).unwrap();
        let joint = model.log_joint(queries.view()).unwrap();
        for (i, q) in queries.rows().into_iter().enumerate() {
            // P(c) Π_j N(x_j; μ_cj, σ²_cj), multiplied out: no underflow here.
            let direct: Vec<f64> = (0..2)
                .map(|c| {
                    model.priors[c]
                        * (0..2)
                            .map(|j| density(q[j], model.means[(c, j)], model.variances[(c, j)]))
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
                density(5.0, model.means[(c, 0)], model.variances[(c, 0)])
                    * density(5.0, model.means[(c, 1)], model.variances[(c, 1)])
            })
            .collect();
        let p = posterior(&[0.4, 0.6], &likelihood).unwrap();
        assert_close(proba[(1, 0)], p[0], 1e-12);
        // The predicted class is the one of largest posterior.
        let predicted = model.predict(queries.view()).unwrap();
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
                (normal_matrix(20, d, &mut seeded(1)) - 1.0).view(),
                (normal_matrix(20, d, &mut seeded(2)) + 1.0).view(),
            ],
        )
        .unwrap();
        let y = Array1::from_shape_fn(40, |i| i / 20);
        let model = GaussianNaiveBayes::default()
            .fit(x.view(), y.view(), 2)
            .unwrap();
        let row = x.row(0);
        let product: f64 = (0..d)
            .map(|j| density(row[j], model.means[(0, j)], model.variances[(0, j)]))
            .product();
        assert_eq!(product, 0.0, "the direct product underflows");
        let proba = model.predict_proba(x.view()).unwrap();
        assert!(proba.iter().all(|p| p.is_finite()));
        assert_eq!(model.predict(x.view()).unwrap(), y);
    }

    #[test]
    fn equal_gaussians_split_at_the_midpoint() {
        // Two classes around −2 and +4 with the same offsets ±z, so equal
        // priors, equal variances, and class means −2 and 4 (up to rounding).
        let z = normal_matrix(50, 1, &mut seeded(8));
        let offsets = concatenate(Axis(0), &[z.view(), (-&z).view()]).unwrap();
        let x = concatenate(Axis(0), &[(&offsets - 2.0).view(), (&offsets + 4.0).view()]).unwrap();
        let y = Array1::from_shape_fn(200, |i| i / 100);
        let model = GaussianNaiveBayes::default()
            .fit(x.view(), y.view(), 2)
            .unwrap();
        assert_close(model.means[(0, 0)], -2.0, 1e-12);
        assert_close(model.means[(1, 0)], 4.0, 1e-12);
        assert_close(model.variances[(0, 0)], model.variances[(1, 0)], 1e-12);
        // With equal priors and variances, log N(x; μ0) = log N(x; μ1) at
        // x = (μ0 + μ1)/2 = 1, and the prediction changes there.
        let midpoint = 1.0;
        let joint = model.log_joint(array![[midpoint]].view()).unwrap();
        assert_close(joint[(0, 0)], joint[(0, 1)], 1e-9);
        let around = array![[midpoint - 1e-6], [midpoint + 1e-6], [-10.0], [10.0]];
        assert_eq!(model.predict(around.view()).unwrap(), array![0, 1, 0, 1]);
        let proba = model.predict_proba(array![[midpoint]].view()).unwrap();
        assert_close(proba[(0, 0)], 0.5, 1e-9);
    }

    #[test]
    fn iris_is_classified_well() {
        // A published ballpark for Gaussian naive Bayes on iris is ~0.95.
        let iris = crate::data::iris().unwrap();
        let (train, test) = iris.stratified_split(0.3, 42).unwrap();
        let model = GaussianNaiveBayes::default()
            .fit(train.x().view(), train.y().view(), 3)
            .unwrap();
        let predicted = model.predict(test.x().view()).unwrap();
        let acc = accuracy(test.y().view(), predicted.view()).unwrap();
        assert!(acc > 0.9, "iris test accuracy {acc}");
        // And averaged over 10 folds, so that no single lucky split decides.
        let folds = iris.k_folds(10, 0).unwrap();
        let mean = folds
            .iter()
            .map(|(train, test)| {
                let model = GaussianNaiveBayes::default()
                    .fit(train.x().view(), train.y().view(), 3)
                    .unwrap();
                let predicted = model.predict(test.x().view()).unwrap();
                accuracy(test.y().view(), predicted.view()).unwrap()
            })
            .sum::<f64>()
            / 10.0;
        assert!(mean > 0.9, "iris 10-fold accuracy {mean}");
        // Every class mean lies within the range of its training rows.
        for c in 0..3 {
            for j in 0..4 {
                let values = (0..train.len())
                    .filter(|&i| train.y()[i] == c)
                    .map(|i| train.x()[(i, j)]);
                let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
                assert!((lo..=hi).contains(&model.means[(c, j)]));
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
        let e = posterior(&[], &[]).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = posterior(&[0.5, 0.5], &[f64::NAN, 0.2]).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");

        // fit
        let gnb = GaussianNaiveBayes::default();
        let x = array![[1.0, 2.0], [2.0, 1.0], [5.0, 6.0], [6.0, 5.0]];
        let y = array![0, 0, 1, 1];
        let e = gnb.fit(x.view(), array![0, 1].view(), 2).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let empty = Array2::<f64>::zeros((0, 2));
        let e = gnb
            .fit(empty.view(), Array1::zeros(0).view(), 2)
            .unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let mut missing = x.clone();
        missing[(2, 1)] = f64::NAN;
        let e = gnb.fit(missing.view(), y.view(), 2).unwrap_err();
        assert_eq!(
            e,
            Error::NotFinite {
                what: "x".into(),
                index: vec![2, 1]
            }
        );
        assert!(e.to_string().contains("impute"), "{e}");
        assert!(e.to_string().contains("Dataset::drop_missing"), "{e}");
        let e = gnb.fit(x.view(), y.view(), 3).unwrap_err();
        let message = e.to_string();
        assert!(
            message.starts_with("class 2 must be present in y"),
            "{message}"
        );
        assert!(
            message.contains("its prior, means and variances cannot be estimated"),
            "{message}"
        );
        let e = gnb.fit(x.view(), array![0, 0, 1, 2].view(), 2).unwrap_err();
        assert!(e.to_string().contains("2 at row 3"), "{e}");
        let constant = Array2::<f64>::ones((4, 2));
        let e = gnb.fit(constant.view(), y.view(), 2).unwrap_err();
        assert!(e.to_string().contains("every column constant"), "{e}");
        for floor in [0.0, -1.0, f64::NAN] {
            let e = GaussianNaiveBayes {
                variance_floor: floor,
                ..gnb.clone()
            }
            .fit(x.view(), y.view(), 2)
            .unwrap_err();
            assert!(e.to_string().starts_with("variance_floor"), "{e}");
        }
        let e = GaussianNaiveBayes {
            priors: Some(vec![1.0]),
            ..gnb.clone()
        }
        .fit(x.view(), y.view(), 2)
        .unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = GaussianNaiveBayes {
            priors: Some(vec![0.7, 0.7]),
            ..gnb.clone()
        }
        .fit(x.view(), y.view(), 2)
        .unwrap_err();
        assert!(e.to_string().starts_with("the sum of priors"), "{e}");

        // predict
        let model = gnb.fit(x.view(), y.view(), 2).unwrap();
        let e = model.predict(array![[1.0, 2.0, 3.0]].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = model
            .predict_proba(array![[f64::INFINITY, 2.0]].view())
            .unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
    }
}
