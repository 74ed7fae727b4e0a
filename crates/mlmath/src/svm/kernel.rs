//! Kernels k(a, b): the dot product of a feature map φ computed without
//! computing φ.

use std::fmt;
use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Zip};

use crate::data::AsFeatures;
use crate::error::{Error, Result, check_finite};

/// The function of a [`Kernel::Custom`]: k(a, b) for two rows.
pub type KernelFn = dyn Fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>) -> f64 + Send + Sync;

/// A kernel k(a, b) = φ(a)·φ(b), the dot product of the points mapped into a
/// feature space, computed from a and b alone.
///
/// | kernel | k(a, b) | feature space |
/// |---|---|---|
/// | [`Linear`](Kernel::Linear) | a·b | the inputs themselves |
/// | [`Polynomial`](Kernel::Polynomial) | (γ a·b + c₀)ᵈ | the monomials of degree ≤ d |
/// | [`Rbf`](Kernel::Rbf) | exp(−γ‖a − b‖²) | infinite-dimensional |
/// | [`Custom`](Kernel::Custom) | any closure | the learner's |
///
/// A closure is held in an `Arc`, so a kernel is cheap to clone.
///
/// ```
/// use mlmath::prelude::*;
/// // (a·b)² is the dot product of the features (a₁², √2 a₁a₂, a₂²).
/// let k = Kernel::polynomial(2, 1.0, 0.0);
/// let (a, b) = (array![1.0, 2.0], array![3.0, -1.0]);
/// assert_eq!(k.eval(a.view(), b.view()).unwrap(), 1.0);
/// assert_eq!(k.to_string(), "polynomial (degree 2, γ = 1, c₀ = 0)");
/// assert_eq!(Kernel::rbf(0.001).to_string(), "RBF (γ = 0.001)");
/// ```
#[derive(Clone)]
pub enum Kernel {
    /// k(a, b) = a·b.
    Linear,
    /// k(a, b) = (γ a·b + c₀)ᵈ, with d ≥ 1 and γ > 0.
    Polynomial {
        /// The degree d ≥ 1.
        degree: u32,
        /// The scale γ > 0 of the dot product.
        gamma: f64,
        /// The constant c₀ added before the power.
        coef0: f64,
    },
    /// k(a, b) = exp(−γ‖a − b‖²), with γ > 0: 1 for a = b, falling to 0 as the
    /// points move apart on the length scale 1/√γ.
    Rbf {
        /// The inverse squared length scale γ > 0.
        gamma: f64,
    },
    /// A learner's kernel: `f(a, b)`, shown under `name`. It should be
    /// symmetric and positive semidefinite (a Gram matrix with no negative
    /// eigenvalue) for the SVM's problem to be convex.
    Custom {
        /// The name shown in tables and messages.
        name: String,
        /// The function k(a, b).
        f: Arc<KernelFn>,
    },
}

impl Kernel {
    /// The linear kernel k(a, b) = a·b.
    pub fn linear() -> Kernel {
        Kernel::Linear
    }

    /// The polynomial kernel k(a, b) = (γ a·b + c₀)ᵈ (checked when used:
    /// d ≥ 1, γ > 0 and finite, c₀ finite).
    pub fn polynomial(degree: u32, gamma: f64, coef0: f64) -> Kernel {
        Kernel::Polynomial {
            degree,
            gamma,
            coef0,
        }
    }

    /// The Gaussian (RBF) kernel k(a, b) = exp(−γ‖a − b‖²) (checked when
    /// used: γ > 0 and finite).
    pub fn rbf(gamma: f64) -> Kernel {
        Kernel::Rbf { gamma }
    }

    /// A learner's kernel k(a, b) = f(a, b), shown as `custom: name`.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let k = Kernel::custom("a·b + 1", |a, b| a.dot(&b) + 1.0);
    /// assert_eq!(k.eval(array![1.0, 2.0].view(), array![3.0, 4.0].view()).unwrap(), 12.0);
    /// ```
    pub fn custom(
        name: &str,
        f: impl Fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>) -> f64 + Send + Sync + 'static,
    ) -> Kernel {
        Kernel::Custom {
            name: name.to_string(),
            f: Arc::new(f),
        }
    }

    /// k(a, b) for two points of the same length.
    ///
    /// An error if the lengths differ or a parameter is out of range (γ ≤ 0,
    /// degree 0), as [`matrix`](Self::matrix) checks them.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let k = Kernel::polynomial(2, 1.0, 1.0);
    /// // (1·3 + 2·4 + 1)² = 144
    /// assert_eq!(k.eval(array![1.0, 2.0].view(), array![3.0, 4.0].view()).unwrap(), 144.0);
    /// assert!(k.eval(array![1.0, 2.0].view(), array![3.0].view()).is_err());
    /// ```
    pub fn eval(&self, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
        self.check()?;
        if a.len() != b.len() {
            return Err(Error::shape(
                "Kernel::eval",
                format!(
                    "two points of the same length ({} entries, as the first)",
                    a.len()
                ),
                format!("{} entries", b.len()),
            ));
        }
        Ok(self.value(a, b))
    }

    /// k(a, b), unchecked: the solver's inner loop, on data already checked.
    pub(crate) fn value(&self, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
        match self {
            Kernel::Linear => a.dot(&b),
            Kernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => power(gamma * a.dot(&b) + coef0, *degree),
            Kernel::Rbf { gamma } => {
                let d2: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
                (-gamma * d2).exp()
            }
            Kernel::Custom { f, .. } => f(a, b),
        }
    }

    /// The kernel matrix K[i, j] = k(a_i, b_j) of the rows of `a: (n, d)`
    /// and `b: (m, d)`: `(n, m)`. With a = b it is the Gram matrix of the
    /// points in the feature space, symmetric and positive semidefinite.
    ///
    /// An error if the two have different column counts, a value is NaN or
    /// infinite, a parameter is out of range (γ ≤ 0, degree 0), or a custom
    /// kernel returns NaN or ±∞.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let x = array![[0.0, 0.0], [1.0, 0.0]];
    /// let k = Kernel::rbf(0.5).matrix(&x, &x).unwrap();
    /// // ‖x₀ − x₁‖² = 1, so k = e^(−0.5).
    /// assert!((k[(0, 1)] - (-0.5f64).exp()).abs() < 1e-15 && k[(0, 0)] == 1.0);
    /// assert!(Kernel::rbf(0.0).matrix(&x, &x).is_err());
    /// ```
    pub fn matrix<'a, 'b>(
        &self,
        a: impl AsFeatures<'a>,
        b: impl AsFeatures<'b>,
    ) -> Result<Array2<f64>> {
        let (a, b) = (a.into_features(), b.into_features());
        if a.ncols() != b.ncols() {
            return Err(Error::shape(
                "b",
                format!("{} columns, as many as a", a.ncols()),
                format!("{} columns", b.ncols()),
            ));
        }
        self.check()?;
        check_finite("a", a)?;
        check_finite("b", b)?;
        self.block(a, b)
    }

    /// Checks the kernel's parameters: γ > 0 and finite, d ≥ 1, c₀ finite.
    pub(crate) fn check(&self) -> Result<()> {
        let gamma_ok = |g: f64| g.is_finite() && g > 0.0;
        match self {
            Kernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => {
                if *degree == 0 {
                    return Err(Error::parameter(
                        "the polynomial kernel's degree",
                        "at least 1 (degree 0 makes k(a, b) = 1 for every pair)",
                        degree,
                    ));
                }
                if !gamma_ok(*gamma) {
                    return Err(gamma_error(*gamma));
                }
                if !coef0.is_finite() {
                    return Err(Error::parameter(
                        "the polynomial kernel's c₀",
                        "a finite number",
                        coef0,
                    ));
                }
            }
            Kernel::Rbf { gamma } if !gamma_ok(*gamma) => return Err(gamma_error(*gamma)),
            _ => {}
        }
        Ok(())
    }

    /// K[i, j] = k(a_i, b_j) without the input checks; an error only if the
    /// result holds a NaN or ±∞ (a custom kernel's, or an overflow).
    ///
    /// The RBF uses ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b (clamped at 0), so that
    /// the n·m dot products are one matrix product.
    pub(crate) fn block(
        &self,
        a: ArrayView2<'_, f64>,
        b: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>> {
        let k = match self {
            Kernel::Linear => a.dot(&b.t()),
            Kernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => a
                .dot(&b.t())
                .mapv_into(|d| power(gamma * d + coef0, *degree)),
            Kernel::Rbf { gamma } => {
                let (na, nb) = (squared_norms(a), squared_norms(b));
                let mut k = a.dot(&b.t());
                Zip::indexed(&mut k).for_each(|(i, j), v| {
                    let d2 = (na[i] + nb[j] - 2.0 * *v).max(0.0);
                    *v = (-gamma * d2).exp();
                });
                k
            }
            Kernel::Custom { f, .. } => {
                Array2::from_shape_fn((a.nrows(), b.nrows()), |(i, j)| f(a.row(i), b.row(j)))
            }
        };
        if let Some(((i, j), v)) = k.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::parameter(
                format!("the kernel {self}"),
                "a finite value for every pair of points (check the kernel's formula, or \
                 scale the features)",
                format!("k(a_{i}, b_{j}) = {v}"),
            ));
        }
        Ok(k)
    }

    /// The Gram matrix K[i, j] = k(x_i, x_j) of the rows of `x`: for the RBF
    /// only the upper triangle is exponentiated, and the diagonal is exactly 1.
    pub(crate) fn gram(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let Kernel::Rbf { gamma } = self else {
            return self.block(x, x);
        };
        let n = x.nrows();
        let norms = squared_norms(x);
        let mut k = x.dot(&x.t());
        for i in 0..n {
            k[(i, i)] = 1.0;
            for j in i + 1..n {
                let d2 = (norms[i] + norms[j] - 2.0 * k[(i, j)]).max(0.0);
                let v = (-gamma * d2).exp();
                k[(i, j)] = v;
                k[(j, i)] = v;
            }
        }
        Ok(k)
    }

    /// One row of the kernel matrix: out[t] = k(x_i, x_{rows[t]}), for the
    /// rows `x` stored row-major. The RBF is summed directly as Σ (a − b)².
    pub(crate) fn row_into(&self, x: &RowMajor, i: usize, out: &mut [f64]) {
        let a = x.row(i);
        match self {
            Kernel::Rbf { gamma } => {
                for (t, o) in out.iter_mut().enumerate() {
                    *o = (-gamma * squared_distance(a, x.row(t))).exp();
                }
            }
            Kernel::Linear => {
                for (t, o) in out.iter_mut().enumerate() {
                    *o = dot(a, x.row(t));
                }
            }
            Kernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => {
                for (t, o) in out.iter_mut().enumerate() {
                    *o = power(gamma * dot(a, x.row(t)) + coef0, *degree);
                }
            }
            Kernel::Custom { f, .. } => {
                let av = ArrayView1::from(a);
                for (t, o) in out.iter_mut().enumerate() {
                    *o = f(av, ArrayView1::from(x.row(t)));
                }
            }
        }
    }
}

/// Rows of a matrix stored contiguously, for the kernel's inner loops.
pub(crate) struct RowMajor {
    data: Vec<f64>,
    d: usize,
}

impl RowMajor {
    pub(crate) fn new(x: ArrayView2<'_, f64>) -> RowMajor {
        RowMajor {
            data: x.iter().copied().collect(),
            d: x.ncols(),
        }
    }

    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.d..(i + 1) * self.d]
    }
}

/// Σ a_k b_k, with four running sums (so the compiler can use SIMD lanes).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    four_lane_sum(a, b, |p, q| p * q)
}

/// ‖a − b‖² = Σ (a_k − b_k)², summed directly (no cancellation), with four
/// running sums.
fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    four_lane_sum(a, b, |p, q| (p - q) * (p - q))
}

/// Σ term(a_k, b_k), in four running sums and the remainder.
#[inline(always)]
fn four_lane_sum(a: &[f64], b: &[f64], term: impl Fn(f64, f64) -> f64) -> f64 {
    let mut s = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&p, &q)| term(p, q))
        .sum();
    for (p, q) in ca.zip(cb) {
        for k in 0..4 {
            s[k] += term(p[k], q[k]);
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

/// xᵈ by repeated squaring (exact for small integers).
fn power(x: f64, d: u32) -> f64 {
    x.powi(d as i32)
}

fn squared_norms(x: ArrayView2<'_, f64>) -> Array1<f64> {
    x.rows().into_iter().map(|r| r.dot(&r)).collect()
}

fn gamma_error(gamma: f64) -> Error {
    Error::parameter(
        "the kernel's γ",
        "a positive finite number (try 1 / (number of features × feature variance))",
        gamma,
    )
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kernel::Linear => write!(f, "linear"),
            Kernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => write!(f, "polynomial (degree {degree}, γ = {gamma}, c₀ = {coef0})"),
            Kernel::Rbf { gamma } => write!(f, "RBF (γ = {gamma})"),
            Kernel::Custom { name, .. } => write!(f, "custom: {name}"),
        }
    }
}

impl fmt::Debug for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kernel({self})")
    }
}
