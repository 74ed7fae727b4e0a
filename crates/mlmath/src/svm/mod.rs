//! Support vector machines: the widest margin, its dual, and kernels,
//! trained by sequential minimal optimisation (SMO).
//!
//! ## The problem
//!
//! Two classes, y_i = ±1, points mapped to a feature space by φ (with
//! k(a, b) = φ(a)·φ(b), a [`Kernel`]). The soft-margin C-SVM is
//!
//! ```text
//! minimise  ½‖w‖² + C Σ_i ξ_i   subject to  y_i (w·φ(x_i) + b) ≥ 1 − ξ_i,  ξ_i ≥ 0.
//! ```
//!
//! With C = ∞ no slack is allowed (the hard margin) and the geometric margin
//! 1/‖w‖ is as wide as the classes allow. Lagrange multipliers α_i ≥ 0 on the
//! constraints give the dual, which only needs the kernel:
//!
//! ```text
//! maximise  D(α) = Σ_i α_i − ½ αᵀQα,   Q_ij = y_i y_j k(x_i, x_j),
//! subject to  0 ≤ α_i ≤ C,  Σ_i y_i α_i = 0,
//! ```
//!
//! and then w = Σ α_i y_i φ(x_i), f(x) = Σ α_i y_i k(x_i, x) + b. The rows with
//! α_i > 0 are the **support vectors**; the others could be deleted without
//! changing f. At the optimum the primal and dual objectives are equal.
//!
//! ## The solver
//!
//! SMO (Platt 1998) changes two multipliers at a time — the fewest that can
//! move while Σ y_i α_i = 0 holds — and solves that two-variable problem in
//! closed form ([`smo_pair_update`]). The pair is chosen as libsvm does (Fan,
//! Chen & Lin 2005): with G = Qα − 1 the gradient of ½αᵀQα − Σα,
//!
//! ```text
//! I_up  = {t : y_t = +1, α_t < C  or  y_t = −1, α_t > 0},   m(α) = max_{I_up} −y_t G_t,
//! I_low = {t : y_t = +1, α_t > 0  or  y_t = −1, α_t < C},   M(α) = min_{I_low} −y_t G_t,
//! ```
//!
//! i = the argmax of m(α), and j the t in I_low with the largest decrease
//! b²/a of the objective, b = m(α) + y_t G_t > 0, a = K_ii + K_tt − 2K_it
//! (τ = 10⁻¹² when a ≤ 0). α is optimal exactly when m(α) ≤ M(α) (the KKT
//! conditions); the solver stops when m(α) − M(α) ≤ the tolerance (10⁻³ by
//! default, as libsvm). The bias is the mean of −y_t G_t over the free α_t
//! (0 < α_t < C), or the midpoint of the interval left for it when none is
//! free. Rows of Q come from a least-recently-used cache; with several
//! classes, when the whole training kernel matrix fits the cache it is
//! computed once and shared by the one-vs-one machines.
//!
//! ```
//! use mlmath::prelude::*;
//! // Two points: the best line is halfway, the margin half their distance.
//! let two = Dataset::new(&array![[0.0, 0.0], [2.0, 0.0]], &array![0, 1]).unwrap();
//! let model = Svm::new(Kernel::linear()).c(f64::INFINITY).fit(&two).unwrap();
//! let svm = &model.machines()[0];
//! let w = svm.weights().unwrap();
//! assert!((w[0] - 1.0).abs() < 1e-9 && w[1].abs() < 1e-9 && (svm.bias() + 1.0).abs() < 1e-9);
//! assert!((svm.margin().unwrap() - 1.0).abs() < 1e-9);
//! assert_eq!(model.predict(&array![[0.5, 3.0], [1.5, -3.0]]).unwrap(), array![0, 1]);
//! ```

mod kernel;
pub(crate) mod smo;
#[cfg(test)]
mod tests;

pub use kernel::{Kernel, KernelFn};

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::data::{AsFeatures, Dataset};
use crate::error::{Error, Result, check_finite};
use crate::metrics::score_classifier;
use crate::plot::{grid_points, into_grid};
use crate::table::{ShowTable, Table, format_number};
use kernel::RowMajor;
use smo::{Failure, QRows, Source};

/// The hyperparameters of the C-SVM: [`new`](Self::new) with a kernel, the
/// setters, then [`fit`](Self::fit).
///
/// | setter | meaning | default | allowed |
/// |---|---|---|---|
/// | [`c`](Self::c) | the price C of a unit of slack | 1 | > 0, `f64::INFINITY` for the hard margin |
/// | [`tolerance`](Self::tolerance) | stop when m(α) − M(α) ≤ tolerance | 10⁻³ | > 0, finite |
/// | [`max_iterations`](Self::max_iterations) | the most SMO steps per machine | max(10⁷, 100 n) | ≥ 1 |
/// | [`cache_mb`](Self::cache_mb) | the kernel cache, in MB (2²⁰ bytes) | 100 | > 0 |
///
/// ```
/// use mlmath::prelude::*;
/// let iris = mlmath::data::iris().unwrap().standardized().unwrap();
/// let model = Svm::new(Kernel::rbf(0.5)).c(10.0).fit(&iris).unwrap();
/// assert_eq!(model.machines().len(), 3); // one per pair of the 3 classes
/// assert!(model.score(&iris).unwrap() > 0.95);
/// assert!(Svm::new(Kernel::rbf(0.5)).c(0.0).fit(&iris).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct Svm {
    kernel: Kernel,
    c: f64,
    tolerance: f64,
    max_iterations: Option<usize>,
    cache_mb: f64,
}

impl Svm {
    /// The C-SVM with this kernel and the defaults: C = 1, tolerance 10⁻³,
    /// at most max(10⁷, 100 n) iterations per machine (n its rows), a 100 MB
    /// kernel cache — libsvm's defaults.
    pub fn new(kernel: Kernel) -> Svm {
        Svm {
            kernel,
            c: 1.0,
            tolerance: 1e-3,
            max_iterations: None,
            cache_mb: 100.0,
        }
    }

    /// Sets C > 0, the weight of the slack Σ ξ_i against ½‖w‖² (default 1).
    /// `f64::INFINITY` is the hard margin: no point may be inside it, and
    /// data that no hyperplane of the feature space separates are an error.
    pub fn c(mut self, c: f64) -> Svm {
        self.c = c;
        self
    }

    /// Sets the tolerance (default 10⁻³): SMO stops when the largest KKT
    /// violation m(α) − M(α) is at most this.
    pub fn tolerance(mut self, tolerance: f64) -> Svm {
        self.tolerance = tolerance;
        self
    }

    /// Sets the most SMO steps per two-class machine (default max(10⁷, 100 n)).
    /// Reaching it is an error, never a silent answer.
    pub fn max_iterations(mut self, n: usize) -> Svm {
        self.max_iterations = Some(n);
        self
    }

    /// Sets the kernel cache in MB of 2²⁰ bytes (default 100).
    pub fn cache_mb(mut self, mb: f64) -> Svm {
        self.cache_mb = mb;
        self
    }

    fn check(&self) -> Result<()> {
        if self.c.is_nan() || self.c <= 0.0 {
            return Err(Error::parameter(
                "C",
                "a positive number (f64::INFINITY for the hard margin); try 1",
                self.c,
            ));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(Error::parameter(
                "the tolerance",
                "a positive finite number (libsvm's default is 1e-3)",
                self.tolerance,
            ));
        }
        if self.max_iterations == Some(0) {
            return Err(Error::parameter("max_iterations", "at least 1", 0));
        }
        if !(self.cache_mb.is_finite() && self.cache_mb > 0.0) {
            return Err(Error::parameter(
                "cache_mb",
                "a positive finite number of MB (default 100)",
                self.cache_mb,
            ));
        }
        self.kernel.check()
    }

    /// Trains on a dataset: with two classes one machine, class 1 the
    /// positive side (f(x) > 0); with more, one machine per pair of classes
    /// (one-vs-one, as libsvm), whose votes [`FittedSvm::predict`] counts.
    ///
    /// An error if the dataset is empty or holds a NaN, has fewer than two
    /// classes with rows, a hyperparameter is out of range, a custom kernel
    /// returns NaN, the hard margin (C = ∞) meets classes no hyperplane of
    /// the feature space separates, or SMO does not reach the tolerance
    /// within `max_iterations`.
    pub fn fit(&self, data: &Dataset) -> Result<FittedSvm> {
        data.check_trainable()?;
        self.check()?;
        let counts = data.class_counts();
        let present: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] > 0).collect();
        if present.len() < 2 {
            return Err(Error::parameter(
                format!("the classes of {}", data.name()),
                "at least 2 classes with rows (an SVM separates one class from another)",
                format!("rows of {} class only", present.len()),
            ));
        }
        let x = data.x().view();
        let n = data.len();
        let budget = self.cache_mb * 1024.0 * 1024.0;
        let mut pairs = Vec::new();
        for (a, &negative) in present.iter().enumerate() {
            for &positive in &present[a + 1..] {
                pairs.push((negative, positive));
            }
        }
        let shared = if pairs.len() > 1 && (n * n * 8) as f64 <= budget {
            Some(self.kernel.gram(x)?)
        } else {
            None
        };
        let mut machines = Vec::with_capacity(pairs.len());
        for (negative, positive) in pairs {
            // As libsvm: the rows of the first class, then of the second, the
            // first written y = +1 in the solver. The machine is stored with
            // the signs flipped (f > 0 for the second class); α is the same.
            let of = |class: usize| (0..n).filter(move |&t| data.y()[t] == class);
            let rows: Vec<usize> = of(negative).chain(of(positive)).collect();
            let y: Vec<f64> = rows
                .iter()
                .map(|&t| if data.y()[t] == negative { 1.0 } else { -1.0 })
                .collect();
            let source = match &shared {
                Some(k) => Source::Matrix {
                    k,
                    rows: rows.clone(),
                },
                None => Source::Kernel {
                    kernel: self.kernel.clone(),
                    x: RowMajor::new(x.select(Axis(0), &rows).view()),
                },
            };
            let mut q = QRows::new(source, y.clone(), budget);
            let cap = self
                .max_iterations
                .unwrap_or_else(|| 10_000_000usize.max(100 * rows.len()));
            let solved = smo::solve(&mut q, &y, self.c, self.tolerance, cap);
            if let Some((i, j, v)) = q.bad_value() {
                return Err(Error::parameter(
                    format!("the kernel {}", self.kernel),
                    "a finite value for every pair of points (check the kernel's formula, \
                     or scale the features)",
                    format!("k(x_{}, x_{}) = {v}", rows[i], rows[j]),
                ));
            }
            let mut solution = solved.map_err(|f| self.failure(f, data, negative, positive))?;
            solution.bias = -solution.bias;
            let y: Vec<f64> = y.iter().map(|v| -v).collect();
            machines.push(BinarySvm::new(
                x, &rows, &y, solution, positive, negative, self,
            ));
        }
        FittedSvm::new(data, machines, self.clone())
    }

    fn failure(&self, f: Failure, data: &Dataset, negative: usize, positive: usize) -> Error {
        let names = data.class_names();
        let pair = format!("{} against {}", names[positive], names[negative]);
        match f {
            Failure::Stopped {
                iterations,
                violation,
            } => Error::parameter(
                "max_iterations",
                format!("enough SMO steps for the machine {pair} to converge"),
                format!(
                    "stopped after {iterations} iterations with KKT violation {violation:.3e} > \
                     tolerance {:e}: raise max_iterations, scale the features, or lower C",
                    self.tolerance
                ),
            ),
            Failure::Unbounded { sum } => Error::parameter(
                format!("the classes {pair}"),
                format!(
                    "separable by a hyperplane of the feature space of the kernel {} for the \
                     hard margin C = ∞ (else choose a finite C)",
                    self.kernel
                ),
                format!(
                    "classes that no hyperplane separates: the multipliers grow without bound \
                     (Σα = {sum:.3e}) while α/Σα mixes both classes into one point"
                ),
            ),
        }
    }
}

/// One trained two-class machine: y = +1 for the class [`positive`](Self::positive),
/// −1 for [`negative`](Self::negative), and
/// f(x) = Σ_i α_i y_i k(x_i, x) + b over its support vectors.
#[derive(Clone, Debug)]
pub struct BinarySvm {
    positive: usize,
    negative: usize,
    support: Vec<usize>,
    support_vectors: Array2<f64>,
    dual_coefficients: Array1<f64>,
    alphas: Array1<f64>,
    bias: f64,
    dual: f64,
    primal: f64,
    quadratic: f64,
    violation: f64,
    iterations: usize,
    n_bounded: usize,
    kernel: Kernel,
}

impl BinarySvm {
    fn new(
        x: ArrayView2<'_, f64>,
        rows: &[usize],
        y: &[f64],
        s: smo::Solution,
        positive: usize,
        negative: usize,
        svm: &Svm,
    ) -> BinarySvm {
        let c = svm.c;
        // Back to the order of the training data.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_unstable_by_key(|&t| rows[t]);
        let local: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&t| s.alpha[t] > 0.0)
            .collect();
        let support: Vec<usize> = local.iter().map(|&t| rows[t]).collect();
        // αᵀQα = Σ α_t (G_t + 1), and y_t f(x_t) = G_t + 1 + y_t b.
        let quadratic: f64 = s
            .alpha
            .iter()
            .zip(&s.gradient)
            .map(|(a, g)| a * (g + 1.0))
            .sum();
        let sum: f64 = s.alpha.iter().sum();
        let dual = sum - 0.5 * quadratic;
        let hinge: f64 = s
            .gradient
            .iter()
            .zip(y)
            .map(|(g, yt)| (-g - yt * s.bias).max(0.0))
            .sum();
        let primal = if c.is_finite() {
            0.5 * quadratic + c * hinge
        } else {
            0.5 * quadratic
        };
        BinarySvm {
            positive,
            negative,
            support_vectors: x.select(Axis(0), &support),
            dual_coefficients: local.iter().map(|&t| y[t] * s.alpha[t]).collect(),
            support,
            n_bounded: s.alpha.iter().filter(|&&a| a >= c).count(),
            alphas: order.iter().map(|&t| s.alpha[t]).collect(),
            bias: s.bias,
            dual,
            primal,
            quadratic,
            violation: s.violation,
            iterations: s.iterations,
            kernel: svm.kernel.clone(),
        }
    }

    /// The class given y = +1 (f(x) ≥ 0), an index into the dataset's classes.
    pub fn positive(&self) -> usize {
        self.positive
    }

    /// The class given y = −1 (f(x) < 0).
    pub fn negative(&self) -> usize {
        self.negative
    }

    /// The support vectors (α_i > 0) as indices into the full training
    /// dataset, in increasing order.
    pub fn support(&self) -> &[usize] {
        &self.support
    }

    /// The support vectors' features: `(n_support, d)`.
    pub fn support_vectors(&self) -> &Array2<f64> {
        &self.support_vectors
    }

    /// y_i α_i for each support vector, in the order of [`support`](Self::support).
    pub fn dual_coefficients(&self) -> &Array1<f64> {
        &self.dual_coefficients
    }

    /// α_i for every row of this machine's two classes, in the order of the
    /// training data (0 for the rows that are not support vectors).
    pub fn alphas(&self) -> &Array1<f64> {
        &self.alphas
    }

    /// The bias b of f(x) = Σ α_i y_i k(x_i, x) + b.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// f(x) = Σ_i α_i y_i k(x_i, x) + b for every row of `x: (m, d)`: `(m,)`.
    /// f(x)/‖w‖ is the signed distance to the boundary in the feature space.
    pub fn decision_function<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<f64>> {
        let x = x.into_features();
        check_input(x, self.support_vectors.ncols())?;
        let k = self.kernel.block(x, self.support_vectors.view())?;
        Ok(k.dot(&self.dual_coefficients) + self.bias)
    }

    /// The dual objective D(α) = Σ α_i − ½ αᵀQα, Q_ij = y_i y_j k(x_i, x_j).
    pub fn dual_objective(&self) -> f64 {
        self.dual
    }

    /// The primal objective ½‖w‖² + C Σ_i max(0, 1 − y_i f(x_i)) at the
    /// solution (‖w‖² = αᵀQα); for C = ∞, ½‖w‖² (the constraints then hold
    /// to within the tolerance).
    pub fn primal_objective(&self) -> f64 {
        self.primal
    }

    /// primal − dual: zero exactly at the optimum, small when the KKT
    /// violation is small. For finite C it is ≥ 0 (weak duality: w = Σ α_i
    /// y_i φ(x_i), the fitted b and the slacks ξ_i = max(0, 1 − y_i f(x_i))
    /// are a feasible primal point); its size grows with C and n, not only
    /// with the tolerance. For C = ∞ the primal is ½‖w‖² alone, which is
    /// feasible only if every y_i f(x_i) ≥ 1 holds exactly: at a loose
    /// tolerance the gap can be negative.
    pub fn duality_gap(&self) -> f64 {
        self.primal - self.dual
    }

    /// m(α) − M(α) when SMO stopped (at most the tolerance).
    pub fn max_violation(&self) -> f64 {
        self.violation
    }

    /// The SMO steps taken.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// The number of support vectors (α_i > 0).
    pub fn n_support(&self) -> usize {
        self.support.len()
    }

    /// The number of support vectors at the bound α_i = C (inside the
    /// margin or misclassified).
    pub fn n_bounded(&self) -> usize {
        self.n_bounded
    }

    /// w = Σ_i α_i y_i x_i for the linear kernel (`None` for the others,
    /// whose w lives in the feature space).
    pub fn weights(&self) -> Option<Array1<f64>> {
        matches!(self.kernel, Kernel::Linear)
            .then(|| self.support_vectors.t().dot(&self.dual_coefficients))
    }

    /// The geometric margin 1/‖w‖ = 1/√(αᵀQα), for any kernel (in its
    /// feature space); `None` if w = 0.
    pub fn margin(&self) -> Option<f64> {
        (self.quadratic > 0.0).then(|| 1.0 / self.quadratic.sqrt())
    }
}

/// A trained SVM: one [`BinarySvm`] for two classes, one per pair for more.
#[derive(Clone, Debug)]
pub struct FittedSvm {
    classes: Vec<String>,
    machines: Vec<BinarySvm>,
    support: Vec<usize>,
    /// The support vectors of all machines: `(n_support, d)`.
    vectors: Array2<f64>,
    /// coefficients[s, m] = y α of support vector s in machine m (or 0).
    coefficients: Array2<f64>,
    svm: Svm,
    n_features: usize,
}

impl FittedSvm {
    fn new(data: &Dataset, machines: Vec<BinarySvm>, svm: Svm) -> Result<FittedSvm> {
        let mut support: Vec<usize> = machines.iter().flat_map(|m| m.support.clone()).collect();
        support.sort_unstable();
        support.dedup();
        let mut coefficients = Array2::zeros((support.len(), machines.len()));
        for (m, machine) in machines.iter().enumerate() {
            for (&row, &coef) in machine.support.iter().zip(&machine.dual_coefficients) {
                let s = support
                    .binary_search(&row)
                    .expect("a support vector is in the union");
                coefficients[(s, m)] = coef;
            }
        }
        Ok(FittedSvm {
            classes: data.class_names().to_vec(),
            vectors: data.x().select(Axis(0), &support),
            support,
            coefficients,
            machines,
            svm,
            n_features: data.n_features(),
        })
    }

    /// The names of the classes of the training data.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The two-class machines: one per pair of classes (a, b), a < b, in
    /// the order (0, 1), (0, 2), …, (1, 2), …; a single one for two classes.
    /// Machine (a, b) has [`negative`](BinarySvm::negative) a and
    /// [`positive`](BinarySvm::positive) b.
    pub fn machines(&self) -> &[BinarySvm] {
        &self.machines
    }

    /// f_m(x) for every machine m: `(rows, machines)`.
    fn decisions(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_input(x, self.n_features).map_err(|e| match e {
            Error::Shape { expected, got, .. } => Error::shape(what, expected, got),
            other => other,
        })?;
        let k = self.svm.kernel.block(x, self.vectors.view())?;
        let mut f = k.dot(&self.coefficients);
        for (mut column, machine) in f.columns_mut().into_iter().zip(&self.machines) {
            column += machine.bias;
        }
        Ok(f)
    }

    fn predict_rows(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let f = self.decisions(what, x)?;
        let mut votes = vec![0usize; self.classes.len()];
        Ok(f.rows()
            .into_iter()
            .map(|row| {
                votes.iter_mut().for_each(|v| *v = 0);
                for (value, machine) in row.iter().zip(&self.machines) {
                    if *value >= 0.0 {
                        votes[machine.positive] += 1;
                    } else {
                        votes[machine.negative] += 1;
                    }
                }
                // The most votes; a tie goes to the smaller class index.
                let mut best = 0;
                for (c, &v) in votes.iter().enumerate() {
                    if v > votes[best] {
                        best = c;
                    }
                }
                best
            })
            .collect())
    }

    /// The predicted class of every row of `x: (m, d)`: each machine votes
    /// for its positive class where f(x) ≥ 0, else for its negative class,
    /// and the class with the most votes wins (a tie goes to the smaller
    /// class index, as libsvm). With two classes: class 1 where f(x) ≥ 0.
    pub fn predict<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<usize>> {
        self.predict_rows("x", x.into_features())
    }

    /// The predicted class on a `resolution × resolution` grid over
    /// `[x_range.0, x_range.1] × [y_range.0, y_range.1]`, for a machine of 2
    /// features: entry `(i, j)` is the class at the centre of the cell in
    /// row i (row 0 the lowest y) and column j (column 0 the lowest x), as
    /// [`Chart::regions`](crate::plot::Chart::regions) expects.
    ///
    /// An error if the machine does not have exactly 2 features, the
    /// resolution is not between 1 and 1000, or a range is not an interval
    /// `low < high` of finite width.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// // Class 0 left of the y-axis, class 1 right of it.
    /// let train = Dataset::new(&array![[-1.0, 0.0], [1.0, 0.0]], &array![0, 1])?;
    /// let svm = Svm::new(Kernel::linear()).fit(&train)?;
    /// let grid = svm.decision_grid((-2.0, 2.0), (-2.0, 2.0), 4)?;
    /// assert_eq!(grid.column(0).to_vec(), vec![0, 0, 0, 0]); // lowest x
    /// assert_eq!(grid.column(3).to_vec(), vec![1, 1, 1, 1]);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn decision_grid(
        &self,
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
    ) -> Result<Array2<usize>> {
        let points = grid_points(self.n_features, x_range, y_range, resolution)?;
        let classes = self.predict_rows("the grid", points.view())?;
        Ok(into_grid(classes, resolution))
    }

    /// The accuracy (1/n) Σ_i [ŷ_i = y_i] on a dataset with the classes the
    /// model was fitted on.
    pub fn score(&self, data: &Dataset) -> Result<f64> {
        score_classifier(&self.classes, data, &|what, x| self.predict_rows(what, x))
    }

    /// f(x) = Σ_i α_i y_i k(x_i, x) + b of the one machine of a two-class
    /// model, for every row of `x: (m, d)`; f(x) > 0 means class 1. An error
    /// for more classes: ask each of [`machines`](Self::machines).
    pub fn decision_function<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<f64>> {
        if self.machines.len() != 1 {
            return Err(Error::parameter(
                "decision_function",
                "a two-class model (with more classes, call decision_function on each of \
                 machines())",
                format!("{} machines", self.machines.len()),
            ));
        }
        Ok(self.decisions("x", x.into_features())?.column(0).to_owned())
    }

    /// The number of distinct training rows that are support vectors of any machine.
    pub fn n_support(&self) -> usize {
        self.support.len()
    }

    /// Those rows' indices into the training data, sorted.
    pub fn support(&self) -> &[usize] {
        &self.support
    }

    /// The SMO steps of all machines together.
    pub fn iterations(&self) -> usize {
        self.machines.iter().map(|m| m.iterations).sum()
    }
}

impl ShowTable for FittedSvm {
    /// A summary: the kernel, C, and per machine its support vectors,
    /// bounded ones, iterations and objectives (the first 10 machines).
    fn table(&self) -> Table {
        let mut table = Table::new([
            "machine",
            "support vectors",
            "at C",
            "iterations",
            "dual",
            "primal",
            "margin",
        ]);
        table = table.caption(&format!(
            "SVM, kernel {}, C = {}: {} support vectors, {} iterations",
            self.svm.kernel,
            self.svm.c,
            self.n_support(),
            self.iterations()
        ));
        for m in self.machines.iter().take(10) {
            table.push_row([
                format!(
                    "{} vs {}",
                    self.classes[m.positive], self.classes[m.negative]
                ),
                m.n_support().to_string(),
                m.n_bounded().to_string(),
                m.iterations().to_string(),
                format_number(m.dual_objective()),
                format_number(m.primal_objective()),
                m.margin().map_or("—".to_string(), format_number),
            ]);
        }
        table
    }
}

/// Checks the columns and values of data to predict on.
fn check_input(x: ArrayView2<'_, f64>, d: usize) -> Result<()> {
    if x.ncols() != d {
        return Err(Error::shape(
            "x",
            format!("{d} columns, as many as the training features"),
            format!("{} columns", x.ncols()),
        ));
    }
    check_finite("x", x)
}

/// One SMO step on the pair (i, j), Platt's two-variable update.
///
/// Along the line y_i α_i + y_j α_j = const the dual changes with α_j as a
/// parabola of curvature η = K_ii + K_jj − 2K_ij = ‖φ(x_i) − φ(x_j)‖², whose
/// top is at
///
/// ```text
/// α_j_new = α_j + y_j (E_i − E_j) / η,    E = f(x) − y (the errors),
/// ```
///
/// clipped to [L, H], the part of the line inside the box [0, C]²:
/// L = max(0, α_j − α_i), H = min(C, C + α_j − α_i) if y_i ≠ y_j;
/// L = max(0, α_i + α_j − C), H = min(C, α_i + α_j) if y_i = y_j. Then
/// α_i_new = α_i + y_i y_j (α_j − α_j_new) keeps Σ y α fixed.
///
/// If η ≤ 0 (two equal points, or a kernel that is not positive
/// definite) the dual is linear along the line: α_j moves to whichever
/// end, L or H, has the larger dual value, and stays if they are equal.
///
/// ```
/// use mlmath::svm::smo_pair_update;
/// // Two points at 0 (y = −1) and 2 (y = +1), k = a·b, from α = 0: E = −y.
/// let (ai, aj) = smo_pair_update(0.0, 0.0, -1.0, 1.0, 1.0, -1.0, 0.0, 4.0, 0.0, 10.0);
/// // η = 4, α_j = 0 + 1·(1 − (−1))/4 = 0.5, and α_i = α_j (y_i ≠ y_j).
/// assert_eq!((ai, aj), (0.5, 0.5));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn smo_pair_update(
    alpha_i: f64,
    alpha_j: f64,
    y_i: f64,
    y_j: f64,
    e_i: f64,
    e_j: f64,
    k_ii: f64,
    k_jj: f64,
    k_ij: f64,
    c: f64,
) -> (f64, f64) {
    let s = y_i * y_j;
    let (low, high) = if s < 0.0 {
        ((alpha_j - alpha_i).max(0.0), (c + alpha_j - alpha_i).min(c))
    } else {
        ((alpha_i + alpha_j - c).max(0.0), (alpha_i + alpha_j).min(c))
    };
    let eta = k_ii + k_jj - 2.0 * k_ij;
    let new_j = if eta > 0.0 {
        (alpha_j + y_j * (e_i - e_j) / eta).clamp(low, high)
    } else {
        // The change of ½αᵀQα − Σα as α_j moves by t: y_j (E_j − E_i) t + ½ η t².
        let change = |t: f64| y_j * (e_j - e_i) * t + 0.5 * eta * t * t;
        let (at_low, at_high) = (change(low - alpha_j), change(high - alpha_j));
        if at_low < at_high {
            low
        } else if at_high < at_low {
            high
        } else {
            alpha_j
        }
    };
    let new_i = (alpha_i + s * (alpha_j - new_j)).clamp(0.0, c);
    (new_i, new_j)
}
