//! Small dense linear algebra, written out: solving `A x = b`, and the
//! eigenvalues and eigenvectors of a symmetric matrix.
//!
//! Everything here is plain Rust loops over an `ndarray`, short enough to
//! read; no BLAS or LAPACK. It is meant for the small matrices of the course
//! (a Hessian, a covariance of a few hundred features), not for speed.
//!
//! ## Solving `A x = b`: Gaussian elimination
//!
//! Elimination turns `A` into an upper triangular `U` by subtracting a
//! multiple of one row from each row below it. To clear column `k` under the
//! diagonal:
//!
//! ```text
//! row i  ←  row i − (a_ik / a_kk) · row k        for i > k
//! ```
//!
//! doing the same to `b`. Back substitution then reads `x` off from the
//! bottom row up: `x_k = (c_k − Σ_{j>k} u_kj x_j) / u_kk`.
//!
//! *Partial pivoting*: before clearing column `k`, swap up the row with the
//! largest `|a_ik|` (`i ≥ k`), so that we never divide by a small number and
//! magnify rounding errors. If even the largest candidate is zero (below
//! `1e-12 ×` the largest entry of `A`), column `k` is a combination of the
//! columns before it: `A` is singular and `A x = b` has no unique solution.
//!
//! ## Eigenvalues of a symmetric matrix: Jacobi rotations
//!
//! A symmetric matrix is `A = Q Λ Qᵀ` with `Q` orthogonal (its columns are
//! unit eigenvectors) and `Λ` diagonal (the eigenvalues). Jacobi's method
//! finds `Q` as a product of plane rotations. A rotation `J` in the `(p, q)`
//! plane,
//!
//! ```text
//! J_pp = c   J_pq = s   J_qp = −s   J_qq = c     (c = cos φ, s = sin φ)
//! ```
//!
//! with every other entry that of the identity, gives `A' = Jᵀ A J`, which
//! has the same eigenvalues. The angle is chosen so that `a'_pq = 0`:
//!
//! ```text
//! θ = (a_qq − a_pp) / (2 a_pq),   t = tan φ = sign(θ) / (|θ| + √(θ² + 1)),
//! c = 1 / √(t² + 1),   s = t c
//! ```
//!
//! (`t` is the smaller root of `t² + 2θt − 1 = 0`, so `|φ| ≤ π/4`.) A rotation
//! keeps the sum of squares of all entries and moves `2 a_pq²` of it from
//! off the diagonal onto it: `off(A')² = off(A)² − 2 a_pq²`. One *sweep*
//! rotates away every `(p, q)` pair in turn; later rotations refill earlier
//! zeros, but with less and less, and `off(A)` falls to zero (quadratically
//! once it is small). What is left on the diagonal is `Λ`, and the product
//! of the rotations, `V = J₁ J₂ J₃ ⋯`, is `Q`.
//!
//! ## The dominant eigenvector: power iteration
//!
//! Start from a random `v₀ = Σ_k c_k q_k` and repeat `v ← A v / ‖A v‖`.
//! After `m` steps `v ∝ Σ_k c_k λ_k^m q_k`: the term of the eigenvalue of
//! largest magnitude wins, the others shrink like `|λ₂ / λ₁|^m`. The
//! eigenvalue is then the Rayleigh quotient `λ ≈ vᵀ A v` (with `‖v‖ = 1`).
//!
//! ```
//! use mlmath::linalg::symmetric_eigen;
//! use ndarray::array;
//! let eig = symmetric_eigen(array![[2.0, 1.0], [1.0, 2.0]].view()).unwrap();
//! assert!((eig.values[0] - 3.0).abs() < 1e-12 && (eig.values[1] - 1.0).abs() < 1e-12);
//! ```
//!
//! An eigenvector is only defined up to its sign; this module returns each
//! one with its largest entry (in magnitude; the first of them on a tie)
//! positive, so the same matrix always gives the same vectors.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis};

use crate::error::{Error, Result, check_finite};
use crate::random::{RandomExt, StandardNormal, seeded};

/// Solves `A x = b` for `x` by Gaussian elimination with partial pivoting.
///
/// `a: (n, n)`, `b: (n,)`; returns `x: (n,)`. A singular `a` (a pivot below
/// `1e-12 ×` its largest entry) is an [`Error::Parameter`] that says so.
///
/// ```
/// use mlmath::linalg::solve;
/// use ndarray::array;
/// // 2x + y = 5, x + 3y = 10  →  x = 1, y = 3
/// let x = solve(array![[2.0, 1.0], [1.0, 3.0]].view(), array![5.0, 10.0].view()).unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 3.0).abs() < 1e-12);
/// assert!(solve(array![[1.0, 2.0], [2.0, 4.0]].view(), array![1.0, 2.0].view()).is_err());
/// ```
pub fn solve(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    let n = square("a", a)?;
    if b.len() != n {
        return Err(Error::shape(
            "b",
            format!("{n} entries, one per row of a"),
            format!("{} entries", b.len()),
        ));
    }
    check_finite("a", a)?;
    check_finite("b", b)?;
    let scale = largest_magnitude(a);
    let mut u = a.to_owned();
    let mut c = b.to_owned();
    for k in 0..n {
        // Partial pivoting: bring up the row with the largest |u_ik|, i ≥ k.
        let pivot = (k..n)
            .max_by(|&i, &j| u[(i, k)].abs().total_cmp(&u[(j, k)].abs()))
            .expect("k < n, so the range is not empty");
        if u[(pivot, k)].abs() <= 1e-12 * scale {
            return Err(Error::parameter(
                "a",
                "an invertible matrix (no column a combination of the others)",
                format!(
                    "a singular matrix: column {k} has no pivot left after elimination \
                     (largest candidate {:e}, the largest entry of a is {scale:e})",
                    u[(pivot, k)].abs()
                ),
            ));
        }
        if pivot != k {
            for j in 0..n {
                u.swap((k, j), (pivot, j));
            }
            c.swap(k, pivot);
        }
        for i in k + 1..n {
            let factor = u[(i, k)] / u[(k, k)];
            for j in k..n {
                u[(i, j)] -= factor * u[(k, j)];
            }
            c[i] -= factor * c[k];
        }
    }
    // Back substitution, from the last row up.
    let mut x = Array1::zeros(n);
    for k in (0..n).rev() {
        let known: f64 = (k + 1..n).map(|j| u[(k, j)] * x[j]).sum();
        x[k] = (c[k] - known) / u[(k, k)];
    }
    Ok(x)
}

/// The eigen-decomposition `A = V diag(values) Vᵀ` of a symmetric matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricEigen {
    /// The eigenvalues `λ₁ ≥ λ₂ ≥ … ≥ λ_n`, in decreasing order: `(n,)`.
    pub values: Array1<f64>,
    /// The unit eigenvectors as columns: `vectors.column(k)` belongs to
    /// `values[k]`, and `Vᵀ V = I`. Shape `(n, n)`.
    pub vectors: Array2<f64>,
}

/// Most sweeps of Jacobi rotations before [`symmetric_eigen`] stops; in
/// practice fewer than ten are needed.
pub const MAX_SWEEPS: usize = 100;

/// Eigenvalues (decreasing) and unit eigenvectors of a symmetric `a: (n, n)`,
/// by cyclic Jacobi rotations (see the [module](self) docs).
///
/// Stops when the off-diagonal part `√(Σ_{i≠j} a_ij²)` is below `1e-12 ×`
/// the norm of the whole matrix, or after [`MAX_SWEEPS`] sweeps. Errors on a
/// non-square matrix, a NaN, or an asymmetric one (`|a_ij − a_ji| > 1e-9 ×
/// max |a|`); within that tolerance the symmetric part `(A + Aᵀ)/2` is used.
///
/// ```
/// use mlmath::linalg::symmetric_eigen;
/// use ndarray::array;
/// let a = array![[4.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 7.0]];
/// let eig = symmetric_eigen(a.view()).unwrap();
/// assert_eq!(eig.values.to_vec(), vec![7.0, 4.0, -1.0]);
/// assert_eq!(eig.vectors.column(0).to_vec(), vec![0.0, 0.0, 1.0]);
/// ```
pub fn symmetric_eigen(a: ArrayView2<'_, f64>) -> Result<SymmetricEigen> {
    let n = square("a", a)?;
    check_finite("a", a)?;
    let scale = largest_magnitude(a);
    for i in 0..n {
        for j in i + 1..n {
            if (a[(i, j)] - a[(j, i)]).abs() > 1e-9 * scale {
                return Err(Error::parameter(
                    "a",
                    "a symmetric matrix (a[i, j] = a[j, i])",
                    format!(
                        "a[{i}, {j}] = {} but a[{j}, {i}] = {}",
                        a[(i, j)],
                        a[(j, i)]
                    ),
                ));
            }
        }
    }
    let mut m = (&a + &a.t()) / 2.0;
    let mut v = Array2::eye(n);
    let whole = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..MAX_SWEEPS {
        if off_diagonal_norm(&m) <= 1e-12 * whole {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if m[(p, q)] != 0.0 {
                    rotate(&mut m, &mut v, p, q);
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[(j, j)].total_cmp(&m[(i, i)]));
    let values = order.iter().map(|&k| m[(k, k)]).collect();
    let mut vectors = v.select(Axis(1), &order);
    vectors.columns_mut().into_iter().for_each(orient);
    Ok(SymmetricEigen { values, vectors })
}

/// The eigenvalue of largest magnitude of `a: (n, n)` and its unit
/// eigenvector, by `iterations` steps of `v ← A v / ‖A v‖` from a random
/// start drawn with `seed`. The eigenvalue is the Rayleigh quotient `vᵀ A v`.
///
/// The error shrinks like `|λ₂ / λ₁|^iterations`: fast when the top
/// eigenvalue stands out, slow when the top two are close in magnitude.
///
/// ```
/// use mlmath::linalg::power_iteration;
/// use ndarray::array;
/// let (lambda, v) = power_iteration(array![[2.0, 1.0], [1.0, 2.0]].view(), 60, 0).unwrap();
/// assert!((lambda - 3.0).abs() < 1e-12);
/// let s = 0.5_f64.sqrt();
/// assert!((v[0] - s).abs() < 1e-12 && (v[1] - s).abs() < 1e-12);
/// ```
pub fn power_iteration(
    a: ArrayView2<'_, f64>,
    iterations: usize,
    seed: u64,
) -> Result<(f64, Array1<f64>)> {
    let n = square("a", a)?;
    check_finite("a", a)?;
    if iterations == 0 {
        return Err(Error::parameter("iterations", "at least 1", iterations));
    }
    let mut v: Array1<f64> = Array1::random_using(n, StandardNormal, &mut seeded(seed));
    v /= v.dot(&v).sqrt();
    for _ in 0..iterations {
        let av = a.dot(&v);
        let length = av.dot(&av).sqrt();
        if length == 0.0 {
            // A v = 0: v is an eigenvector of eigenvalue 0 (A is zero on it).
            break;
        }
        v = av / length;
    }
    let lambda = v.dot(&a.dot(&v));
    orient(v.view_mut());
    Ok((lambda, v))
}

/// Checks that `a` is square and not empty; returns its size `n`.
fn square(what: &str, a: ArrayView2<'_, f64>) -> Result<usize> {
    let (rows, cols) = a.dim();
    if rows != cols {
        return Err(Error::shape(
            what,
            "a square matrix (as many rows as columns)",
            format!("{rows} rows and {cols} columns"),
        ));
    }
    if rows == 0 {
        return Err(Error::empty(what));
    }
    Ok(rows)
}

fn largest_magnitude(a: ArrayView2<'_, f64>) -> f64 {
    a.iter().fold(0.0, |big, x| big.max(x.abs()))
}

/// `√(Σ_{i≠j} m_ij²)`.
fn off_diagonal_norm(m: &Array2<f64>) -> f64 {
    m.indexed_iter()
        .filter(|((i, j), _)| i != j)
        .map(|(_, x)| x * x)
        .sum::<f64>()
        .sqrt()
}

/// One Jacobi rotation: `m ← Jᵀ m J` with `J` chosen to zero `m_pq`, and `v ← v J`.
fn rotate(m: &mut Array2<f64>, v: &mut Array2<f64>, p: usize, q: usize) {
    let theta = (m[(q, q)] - m[(p, p)]) / (2.0 * m[(p, q)]);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    let n = m.nrows();
    // m ← m J and v ← v J: columns p and q mix.
    for x in [&mut *m, &mut *v] {
        for k in 0..n {
            let (xp, xq) = (x[(k, p)], x[(k, q)]);
            x[(k, p)] = c * xp - s * xq;
            x[(k, q)] = s * xp + c * xq;
        }
    }
    // m ← Jᵀ m: rows p and q mix.
    for k in 0..n {
        let (mp, mq) = (m[(p, k)], m[(q, k)]);
        m[(p, k)] = c * mp - s * mq;
        m[(q, k)] = s * mp + c * mq;
    }
    // The angle was chosen to make these zero; set them exactly.
    m[(p, q)] = 0.0;
    m[(q, p)] = 0.0;
}

/// Flips `v` if needed so that its largest entry (the first, on a tie) is positive.
fn orient(mut v: ArrayViewMut1<'_, f64>) {
    let biggest = v.iter().fold(0.0_f64, |big, x| big.max(x.abs()));
    let first = v.iter().find(|x| x.abs() >= biggest * (1.0 - 1e-9));
    if first.is_some_and(|&x| x < 0.0) {
        v.mapv_inplace(|x| -x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    /// The Householder reflection `H = I − 2 u uᵀ / (uᵀ u)`: orthogonal and symmetric.
    fn householder(u: &[f64]) -> Array2<f64> {
        let u = Array1::from(u.to_vec());
        let outer = u
            .view()
            .insert_axis(Axis(1))
            .dot(&u.view().insert_axis(Axis(0)));
        Array2::eye(u.len()) - outer * (2.0 / u.dot(&u))
    }

    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    /// A v = λ v for every pair, Vᵀ V = I, and the trace equals Σ λ.
    fn assert_is_decomposition(a: &Array2<f64>, eig: &SymmetricEigen) {
        let n = a.nrows();
        for k in 0..n {
            let v = eig.vectors.column(k);
            let residual = a.dot(&v) - &v * eig.values[k];
            assert!(
                residual.iter().all(|r| r.abs() < 1e-10),
                "A v ≠ λ v: {residual}"
            );
        }
        let gram = eig.vectors.t().dot(&eig.vectors);
        for i in 0..n {
            for j in 0..n {
                assert_close(gram[(i, j)], if i == j { 1.0 } else { 0.0 }, 1e-12);
            }
        }
        assert_close(a.diag().sum(), eig.values.sum(), 1e-10);
        assert!(eig.values.windows(2).into_iter().all(|w| w[0] >= w[1]));
    }

    #[test]
    fn a_diagonal_matrix_is_its_own_decomposition() {
        let a = Array2::from_diag(&array![1.0, 9.0, -3.0, 4.0]);
        let eig = symmetric_eigen(a.view()).unwrap();
        assert_eq!(eig.values, array![9.0, 4.0, 1.0, -3.0]);
        assert_eq!(eig.vectors.column(0), array![0.0, 1.0, 0.0, 0.0]);
        assert_eq!(eig.vectors.column(3), array![0.0, 0.0, 1.0, 0.0]);
        assert_is_decomposition(&a, &eig);
    }

    #[test]
    fn the_two_by_two_example_has_eigenvalues_three_and_one() {
        let a = array![[2.0, 1.0], [1.0, 2.0]];
        let eig = symmetric_eigen(a.view()).unwrap();
        let s = 0.5_f64.sqrt();
        assert_close(eig.values[0], 3.0, 1e-12);
        assert_close(eig.values[1], 1.0, 1e-12);
        // (1, 1)/√2 and (1, −1)/√2, each with its first (tied-largest) entry positive.
        for (got, want) in eig.vectors.column(0).iter().zip([s, s]) {
            assert_close(*got, want, 1e-12);
        }
        for (got, want) in eig.vectors.column(1).iter().zip([s, -s]) {
            assert_close(*got, want, 1e-12);
        }
        assert_is_decomposition(&a, &eig);
    }

    #[test]
    fn a_rotated_spectrum_is_recovered_with_its_eigenvectors() {
        // A = Q diag(5, 2, −1, 0.5) Qᵀ with Q a Householder reflection, so
        // column k of Q is the eigenvector of the k-th value.
        let q = householder(&[1.0, 2.0, -3.0, 0.5]);
        let identity = q.t().dot(&q);
        assert!(
            (identity - Array2::<f64>::eye(4))
                .iter()
                .all(|e| e.abs() < 1e-14)
        );
        let lambda = array![5.0, 2.0, -1.0, 0.5];
        let a = q.dot(&Array2::from_diag(&lambda)).dot(&q.t());
        let eig = symmetric_eigen(a.view()).unwrap();
        let sorted = [5.0, 2.0, 0.5, -1.0];
        let column_of_q = [0, 1, 3, 2];
        for k in 0..4 {
            assert_close(eig.values[k], sorted[k], 1e-12);
            // Same line as Q's column: |cos angle| = 1.
            let cos = eig.vectors.column(k).dot(&q.column(column_of_q[k]));
            assert_close(cos.abs(), 1.0, 1e-12);
        }
        assert_is_decomposition(&a, &eig);
    }

    #[test]
    fn power_iteration_finds_the_dominant_pair() {
        let q = householder(&[0.3, -1.0, 2.0, 1.0]);
        let a = q
            .dot(&Array2::from_diag(&array![5.0, 2.0, -1.0, 0.5]))
            .dot(&q.t());
        // |λ₂/λ₁| = 0.4, so 60 steps leave an error of order 0.4^60 ≈ 1e-24.
        let (lambda, v) = power_iteration(a.view(), 60, 3).unwrap();
        assert_close(lambda, 5.0, 1e-12);
        assert_close(v.dot(&q.column(0)).abs(), 1.0, 1e-12);
        assert_close(v.dot(&v), 1.0, 1e-12);
        // A dominant negative eigenvalue is found too.
        let b = q
            .dot(&Array2::from_diag(&array![1.0, -6.0, 2.0, 0.0]))
            .dot(&q.t());
        let (lambda, v) = power_iteration(b.view(), 200, 4).unwrap();
        assert_close(lambda, -6.0, 1e-10);
        assert_close(v.dot(&q.column(1)).abs(), 1.0, 1e-10);
    }

    #[test]
    fn solve_recovers_a_chosen_solution() {
        // a_00 = 0: without pivoting the first step would divide by zero.
        let a = array![[0.0, 2.0, 1.0], [1.0, -1.0, 4.0], [3.0, 1.0, -2.0]];
        let chosen = array![1.0, -2.0, 3.0];
        let b = a.dot(&chosen);
        let x = solve(a.view(), b.view()).unwrap();
        for (got, want) in x.iter().zip(&chosen) {
            assert_close(*got, *want, 1e-12);
        }
    }

    #[test]
    fn a_singular_matrix_is_an_error_that_says_so() {
        // The third row is the sum of the first two.
        let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [5.0, 7.0, 9.0]];
        let e = solve(a.view(), array![1.0, 2.0, 3.0].view()).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }));
        assert!(e.to_string().contains("singular"), "{e}");
        let zero = Array2::<f64>::zeros((2, 2));
        assert!(solve(zero.view(), array![0.0, 0.0].view()).is_err());
    }

    #[test]
    fn bad_matrices_are_errors() {
        let wide = Array2::<f64>::zeros((2, 3));
        assert!(matches!(
            symmetric_eigen(wide.view()),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            solve(wide.view(), array![1.0, 2.0].view()),
            Err(Error::Shape { .. })
        ));
        let e = solve(Array2::eye(2).view(), array![1.0, 2.0, 3.0].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }));
        let e = symmetric_eigen(array![[1.0, 2.0], [0.0, 1.0]].view()).unwrap_err();
        assert!(e.to_string().contains("symmetric"), "{e}");
        let e = symmetric_eigen(array![[1.0, f64::NAN], [f64::NAN, 1.0]].view()).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }));
        let empty = Array2::<f64>::zeros((0, 0));
        assert!(matches!(
            symmetric_eigen(empty.view()),
            Err(Error::Empty { .. })
        ));
        let e = power_iteration(Array2::eye(2).view(), 0, 1).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }));
    }
}
