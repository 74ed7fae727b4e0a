//! Small dense linear algebra, written out: solving `A x = b`, least
//! squares, and the eigenvalues and eigenvectors of a symmetric matrix.
//!
//! Everything here is plain Rust loops over an `ndarray`, short enough to
//! read; no BLAS or LAPACK. It is meant for the small matrices of the course
//! (a Hessian, a covariance of a few hundred features), not for speed.
//!
//! ## Scaling first
//!
//! A learner's numbers may be in millimetres or in light years, around 0 or
//! around 1e9. Every routine here first multiplies rows or columns by
//! powers of two so that their largest entries lie between 1 and 2. A power
//! of two changes only the exponent of a float, so the scaling is exact, and
//! it is undone at the end; in between nothing overflows (squares of 1e200
//! would) and no test compares a number against one of another unit.
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
//! [`solve`] first *equilibrates*: it scales each row, then each column, so
//! that its largest entry is about 1 (a row of `A x = b` may be multiplied by
//! any number, and a column scaled by `s` only divides its unknown by `s`).
//! Then it pivots *completely*: before clearing column `k`, it brings the
//! largest remaining entry `|u_ij|` (`i, j ≥ k`) to position `(k, k)`, so that
//! it never divides by a small number and magnifies rounding errors. If even
//! that largest entry is below `1e-12 ×` the first pivot, the remaining
//! columns are combinations of the others up to rounding: `A` is singular
//! (or so nearly that the answer would be rounding noise), and `solve` says
//! so instead of returning one.
//!
//! Last, *iterative refinement*: with the computed `x`, the residual
//! `r = b − A x` is what is still missing, and solving `A δ = r` (with the
//! elimination already done, so it is cheap) gives the correction
//! `x ← x + δ`. Two rounds leave a residual as small as rounding allows in
//! every row, also for solutions whose entries differ in size by many
//! orders of magnitude.
//!
//! ## Least squares: Householder QR
//!
//! With more equations than unknowns, `A: (n, d)` with `n > d`, there is no
//! exact solution; [`solve_least_squares`] finds the `x` that minimises
//! `‖A x − b‖²`. The textbook route, the *normal equations* `AᵀA x = Aᵀb`,
//! squares the condition number: data whose columns differ in scale by 1e6
//! give an `AᵀA` whose condition number is 1e12, and half the digits are
//! lost before the solve begins. Instead, `A` is reduced to triangular form
//! by *Householder reflections* `H = I − 2 v vᵀ / (vᵀ v)`, which are
//! orthogonal: they keep lengths, so `‖A x − b‖ = ‖H A x − H b‖` at every
//! step and no conditioning is lost. The reflection for column `k` maps its
//! entries from row `k` down, `a`, onto `α e₁` with `α = −sign(a₁) ‖a‖`
//! (`v = a − α e₁`). After `d` reflections `Qᵀ A = [R; 0]` with `R: (d, d)`
//! upper triangular, and the minimiser solves `R x = (Qᵀ b)[..d]` by back
//! substitution. Columns are taken largest first (*column pivoting*), so a
//! column that is a combination of the others shows up as a diagonal entry
//! of `R` near zero, an error that names it.
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
//! of the rotations, `V = J₁ J₂ J₃ ⋯`, is `Q`. The sums of squares would
//! overflow for entries above 1e154 (and vanish below 1e-154), so `A` is
//! scaled by a power of two first and the eigenvalues scaled back.
//!
//! ## The dominant eigenvector: power iteration
//!
//! Start from a random `v₀ = Σ_k c_k q_k` and repeat `v ← A v / ‖A v‖`.
//! After `m` steps `v ∝ Σ_k c_k λ_k^m q_k`: the term of the eigenvalue of
//! largest magnitude wins, the others shrink like `|λ₂ / λ₁|^m`. The
//! eigenvalue is then the Rayleigh quotient `λ ≈ vᵀ A v` (with `‖v‖ = 1`).
//! When `|λ₂| = |λ₁|` nothing wins: for `λ₂ = −λ₁` the iterate swings
//! between two directions forever. [`power_iteration`] therefore checks its
//! answer, `‖A v − λ v‖`, and returns an error that says what happened
//! rather than a vector that is no eigenvector.
//!
//! ```
//! use mlmath::linalg::symmetric_eigen;
//! use ndarray::array;
//! let eig = symmetric_eigen(&array![[2.0, 1.0], [1.0, 2.0]]).unwrap();
//! assert!((eig.values()[0] - 3.0).abs() < 1e-12 && (eig.values()[1] - 1.0).abs() < 1e-12);
//! ```
//!
//! An eigenvector is only defined up to its sign; this module returns each
//! one with its largest entry (in magnitude; the first of them on a tie)
//! positive, so the same matrix always gives the same vectors.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, AsArray, Axis, Ix1, Ix2};

use crate::error::{Error, Result, check_finite};
use crate::random::{normal_vector, seeded};

/// A pivot (or a diagonal entry of `R`) below this fraction of the first
/// one marks a matrix as singular: the answer would be rounding noise.
const SINGULAR: f64 = 1e-12;

/// Solves `A x = b` for `x`: Gaussian elimination on the equilibrated
/// matrix with complete pivoting, and two rounds of iterative refinement
/// (see the [module](self) docs).
///
/// `a: (n, n)`, `b: (n,)`; returns `x: (n,)`. A singular `a` (a pivot below
/// `1e-12 ×` the first, after scaling) is an [`Error::Parameter`] that says
/// so; so is a solution too large for `f64`.
///
/// ```
/// use mlmath::linalg::solve;
/// use ndarray::array;
/// // 2x + y = 5, x + 3y = 10  →  x = 1, y = 3
/// let x = solve(&array![[2.0, 1.0], [1.0, 3.0]], &array![5.0, 10.0]).unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 3.0).abs() < 1e-12);
/// assert!(solve(&array![[1.0, 2.0], [2.0, 4.0]], &array![1.0, 2.0]).is_err());
/// // Rows in wildly different units are no problem: scaling is exact.
/// let x = solve(&array![[1e200, 2e200], [3e-200, -1e-200]], &array![5e200, 1e-200]).unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
/// ```
pub fn solve<'a, 'b>(
    a: impl AsArray<'a, f64, Ix2>,
    b: impl AsArray<'b, f64, Ix1>,
) -> Result<Array1<f64>> {
    solve_view(a.into(), b.into())
}

fn solve_view(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
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
    // Equilibrate: rows, then columns, to a largest entry in [1, 2). The
    // scalings are powers of two, kept as exponents: row i times 2^ρ_i,
    // column j times 2^γ_j.
    let mut u = a.to_owned();
    let mut row_exponent = vec![0; n];
    for (i, mut row) in u.rows_mut().into_iter().enumerate() {
        let big = largest(row.view());
        if big == 0.0 {
            return Err(singular(format!("row {i} of a is all zeros")));
        }
        row_exponent[i] = -exponent(big);
        row.mapv_inplace(|v| ldexp(v, row_exponent[i]));
    }
    let mut column_exponent = vec![0; n];
    for (j, mut column) in u.columns_mut().into_iter().enumerate() {
        let big = largest(column.view());
        if big == 0.0 {
            return Err(singular(format!("column {j} of a is all zeros")));
        }
        column_exponent[j] = -exponent(big);
        column.mapv_inplace(|v| ldexp(v, column_exponent[j]));
    }
    // The right-hand side gets the rows' scalings and one more power of
    // two, 2^−m, that brings its largest entry to [1, 2).
    let m = (0..n)
        .filter(|&i| b[i] != 0.0)
        .map(|i| exponent(b[i].abs()) + row_exponent[i])
        .max();
    let Some(m) = m else {
        return Ok(Array1::zeros(n)); // b = 0, so x = 0
    };
    let c: Array1<f64> = (0..n).map(|i| ldexp(b[i], row_exponent[i] - m)).collect();
    let lu = Elimination::of(u.clone())?;
    let mut y = lu.solve(&c);
    // Iterative refinement: the residual r = c − U y of the scaled system,
    // and a correction from A δ = r. Two rounds make every row's residual
    // as small as rounding allows, even where the solution has entries of
    // very different sizes.
    for _ in 0..2 {
        let r = &c - &u.dot(&y);
        y += &lu.solve(&r);
    }
    let x = (0..n)
        .map(|j| ldexp(y[j], column_exponent[j] + m))
        .collect();
    check_representable("the solution x", x)
}

/// Gaussian elimination with complete pivoting, kept so that it can solve
/// for several right-hand sides: `lu` holds the multipliers below the
/// diagonal and `U` on and above it, for the rows in the order `rows` and
/// the unknowns in the order `columns`.
struct Elimination {
    lu: Array2<f64>,
    rows: Vec<usize>,
    columns: Vec<usize>,
}

impl Elimination {
    /// Eliminates `u: (n, n)`; an error if a pivot falls below
    /// [`SINGULAR`] times the first.
    fn of(mut u: Array2<f64>) -> Result<Elimination> {
        let n = u.nrows();
        let mut rows: Vec<usize> = (0..n).collect();
        let mut columns: Vec<usize> = (0..n).collect();
        let mut first_pivot = 0.0;
        for k in 0..n {
            // Complete pivoting: the largest entry left, |u_pq| with p, q ≥ k.
            let (mut p, mut q) = (k, k);
            for i in k..n {
                for j in k..n {
                    if u[(i, j)].abs() > u[(p, q)].abs() {
                        (p, q) = (i, j);
                    }
                }
            }
            let pivot = u[(p, q)].abs();
            if k == 0 {
                first_pivot = pivot;
            }
            if pivot <= SINGULAR * first_pivot {
                return Err(singular(format!(
                    "after {k} of {n} elimination steps the largest entry left is {pivot:.1e} \
                     (the first pivot was {first_pivot:.1e}, both after scaling)"
                )));
            }
            swap_rows(&mut u, k, p);
            rows.swap(k, p);
            swap_columns(&mut u, k, q);
            columns.swap(k, q);
            for i in k + 1..n {
                let factor = u[(i, k)] / u[(k, k)];
                for j in k + 1..n {
                    u[(i, j)] -= factor * u[(k, j)];
                }
                u[(i, k)] = factor; // kept, to do the same to a right-hand side
            }
        }
        Ok(Elimination {
            lu: u,
            rows,
            columns,
        })
    }

    /// The `y` with `U y = c` for the matrix eliminated: the same row
    /// operations on `c`, then back substitution.
    fn solve(&self, c: &Array1<f64>) -> Array1<f64> {
        let n = self.rows.len();
        let mut t: Array1<f64> = self.rows.iter().map(|&i| c[i]).collect();
        for k in 0..n {
            for i in k + 1..n {
                t[i] -= self.lu[(i, k)] * t[k];
            }
        }
        let z = back_substitute(&self.lu, &t);
        let mut y = Array1::zeros(n);
        for (k, &unknown) in self.columns.iter().enumerate() {
            y[unknown] = z[k];
        }
        y
    }
}

/// The `x: (d,)` that minimises `‖A x − b‖²` for `a: (n, d)` with `n ≥ d`,
/// `b: (n,)`: Householder QR with column pivoting, no normal equations (see
/// the [module](self) docs).
///
/// With `n = d` and an invertible `a` it is the solution of `A x = b`. An
/// error if `a` has fewer rows than columns, or a column that is (up to
/// `1e-12` of the largest, after scaling) a combination of the others: then
/// many `x` fit equally well, and the error names the column.
///
/// ```
/// use mlmath::linalg::solve_least_squares;
/// use ndarray::array;
/// // The line b = 1 + 2t through (t, b) = (0, 1), (1, 3), (2, 5), (3, 7): A = [1 t].
/// let a = array![[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]];
/// let x = solve_least_squares(&a, &array![1.0, 3.0, 5.0, 7.0]).unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
/// ```
pub fn solve_least_squares<'a, 'b>(
    a: impl AsArray<'a, f64, Ix2>,
    b: impl AsArray<'b, f64, Ix1>,
) -> Result<Array1<f64>> {
    least_squares_view(a.into(), b.into())
}

fn least_squares_view(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    let (n, d) = a.dim();
    if n == 0 {
        return Err(Error::empty("a"));
    }
    if d == 0 {
        return Err(Error::shape(
            "a",
            "at least one column (one per unknown)",
            "0 columns",
        ));
    }
    if b.len() != n {
        return Err(Error::shape(
            "b",
            format!("{n} entries, one per row of a"),
            format!("{} entries", b.len()),
        ));
    }
    if n < d {
        return Err(Error::parameter(
            "a",
            format!("at least as many rows as columns ({d}): one equation per unknown"),
            format!("{n} rows"),
        ));
    }
    check_finite("a", a)?;
    check_finite("b", b)?;
    let x = householder_least_squares(a, b).map_err(|column| {
        Error::parameter(
            "a",
            "columns that are linearly independent (else many x fit equally well)",
            format!("a column {column} that is (up to rounding) a combination of the others"),
        )
    })?;
    check_representable("the solution x", x)
}

/// Least squares by Householder QR with column pivoting, on the columns of
/// `a` scaled by powers of two. `Err(j)`: column `j` of `a` is, up to
/// [`SINGULAR`], a combination of the others. The caller has checked that
/// `a: (n, d)` has `n ≥ d ≥ 1` finite entries and `b` one per row.
pub(crate) fn householder_least_squares(
    a: ArrayView2<'_, f64>,
    b: ArrayView1<'_, f64>,
) -> std::result::Result<Array1<f64>, usize> {
    let (n, d) = a.dim();
    let mut r = a.to_owned();
    let mut column_scale = Array1::zeros(d);
    for (j, mut column) in r.columns_mut().into_iter().enumerate() {
        let big = largest(column.view());
        if big == 0.0 {
            return Err(j);
        }
        column_scale[j] = power_of_two_scale(big);
        column *= column_scale[j];
    }
    let (mut c, b_scale) = scaled_to_one(b);
    let mut order: Vec<usize> = (0..d).collect();
    let mut first = 0.0;
    for k in 0..d {
        // Column pivoting: the column with the most left below row k.
        let lengths: Vec<f64> = (k..d).map(|j| norm(below(r.column(j), k))).collect();
        let (offset, &length) = lengths
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.total_cmp(y.1))
            .expect("k < d");
        let q = k + offset;
        if k == 0 {
            first = length;
        }
        if length <= SINGULAR * first {
            return Err(order[q]);
        }
        swap_columns(&mut r, k, q);
        order.swap(k, q);
        // The reflection H = I − 2 v vᵀ / (vᵀ v) that maps r[k.., k] onto α e₁.
        let alpha = if r[(k, k)] >= 0.0 { -length } else { length };
        let mut v = below(r.column(k), k).to_owned();
        v[0] -= alpha;
        let vv = v.dot(&v);
        for j in k + 1..d {
            let mut column = r.column_mut(j).split_at(Axis(0), k).1;
            let f = 2.0 * v.dot(&column) / vv;
            column.scaled_add(-f, &v);
        }
        let mut rest = c.view_mut().split_at(Axis(0), k).1;
        let f = 2.0 * v.dot(&rest) / vv;
        rest.scaled_add(-f, &v);
        r[(k, k)] = alpha;
        r.column_mut(k).split_at(Axis(0), k + 1).1.fill(0.0);
    }
    debug_assert!(n >= d);
    let y = back_substitute(&r, &c);
    let mut x = Array1::zeros(d);
    for (k, &unknown) in order.iter().enumerate() {
        x[unknown] = y[k] * column_scale[unknown] / b_scale;
    }
    Ok(x)
}

/// The eigen-decomposition `A = V diag(values) Vᵀ` of a symmetric matrix,
/// made by [`symmetric_eigen`].
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricEigen {
    values: Array1<f64>,
    vectors: Array2<f64>,
}

impl SymmetricEigen {
    /// The eigenvalues `λ₁ ≥ λ₂ ≥ … ≥ λ_n`, in decreasing order: `(n,)`.
    pub fn values(&self) -> &Array1<f64> {
        &self.values
    }

    /// The unit eigenvectors as columns: `vectors().column(k)` belongs to
    /// `values()[k]`, and `Vᵀ V = I`. Shape `(n, n)`.
    pub fn vectors(&self) -> &Array2<f64> {
        &self.vectors
    }
}

/// Most sweeps of Jacobi rotations before [`symmetric_eigen`] gives up; in
/// practice fewer than ten are needed.
pub const MAX_SWEEPS: usize = 100;

/// Eigenvalues (decreasing) and unit eigenvectors of a symmetric `a: (n, n)`,
/// by cyclic Jacobi rotations on `a` scaled by a power of two (see the
/// [module](self) docs), so entries from 1e-300 to 1e300 are fine.
///
/// Stops when the off-diagonal part `√(Σ_{i≠j} a_ij²)` is below `1e-12 ×`
/// the norm of the whole matrix. Errors on a non-square matrix, a NaN, an
/// asymmetric one (`|a_ij − a_ji| > 1e-9 × max |a|`; within that tolerance
/// the symmetric part `(A + Aᵀ)/2` is used), an eigenvalue beyond the range
/// of `f64`, or no convergence in [`MAX_SWEEPS`] sweeps.
///
/// ```
/// use mlmath::linalg::symmetric_eigen;
/// use ndarray::array;
/// let a = array![[4.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 7.0]];
/// let eig = symmetric_eigen(&a).unwrap();
/// assert_eq!(eig.values().to_vec(), vec![7.0, 4.0, -1.0]);
/// assert_eq!(eig.vectors().column(0).to_vec(), vec![0.0, 0.0, 1.0]);
/// // Entries of 1e200: their squares would overflow; the scaled matrix does not.
/// let big = symmetric_eigen(&(array![[2.0, 1.0], [1.0, 2.0]] * 1e200)).unwrap();
/// assert!((big.values()[0] / 3e200 - 1.0).abs() < 1e-12);
/// ```
pub fn symmetric_eigen<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<SymmetricEigen> {
    symmetric_eigen_view(a.into())
}

fn symmetric_eigen_view(a: ArrayView2<'_, f64>) -> Result<SymmetricEigen> {
    let n = square("a", a)?;
    check_finite("a", a)?;
    let big = largest(a);
    if big == 0.0 {
        return Ok(SymmetricEigen {
            values: Array1::zeros(n),
            vectors: Array2::eye(n),
        });
    }
    let scale = power_of_two_scale(big);
    let scaled = a.mapv(|v| v * scale);
    for i in 0..n {
        for j in i + 1..n {
            // The scaled entries are at most 2, so 1e-9 is relative to max |a|.
            if (scaled[(i, j)] - scaled[(j, i)]).abs() > 1e-9 {
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
    let mut m = (&scaled + &scaled.t()) / 2.0;
    let mut v = Array2::eye(n);
    let whole = norm(m.view());
    let mut converged = false;
    for _sweep in 0..MAX_SWEEPS {
        if off_diagonal_norm(&m) <= 1e-12 * whole {
            converged = true;
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
    if !converged {
        return Err(Error::parameter(
            "a",
            format!("a matrix Jacobi's method diagonalises in {MAX_SWEEPS} sweeps"),
            format!(
                "off-diagonal part still {:.1e} of the whole (a bug: please report it)",
                off_diagonal_norm(&m) / whole
            ),
        ));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[(j, j)].total_cmp(&m[(i, i)]));
    let values: Array1<f64> = order.iter().map(|&k| m[(k, k)] / scale).collect();
    let values = check_representable("an eigenvalue of a", values)?;
    let mut vectors = v.select(Axis(1), &order);
    vectors.columns_mut().into_iter().for_each(orient);
    Ok(SymmetricEigen { values, vectors })
}

/// The eigenvalue of largest magnitude of `a: (n, n)` and its unit
/// eigenvector, by at most `max_iterations` steps of `v ← A v / ‖A v‖` from
/// a random start drawn with `seed`. The eigenvalue is the Rayleigh quotient
/// `λ = vᵀ A v`.
///
/// The error shrinks like `|λ₂ / λ₁|^steps`: fast when the top eigenvalue
/// stands out, slow when the top two are close in magnitude. Iteration stops
/// early once `‖A v − λ v‖ ≤ 1e-13 ‖A‖` (`‖A‖` the Frobenius norm). If after
/// `max_iterations` steps it is still above `1e-8 ‖A‖`, `v` is no eigenvector
/// and the answer is an error that says why: the two largest eigenvalues are
/// `±λ` (the iterate swings between two directions), or close in magnitude,
/// or complex (for a non-symmetric `a`).
///
/// ```
/// use mlmath::linalg::power_iteration;
/// use ndarray::array;
/// let (lambda, v) = power_iteration(&array![[2.0, 1.0], [1.0, 2.0]], 100, 0).unwrap();
/// assert!((lambda - 3.0).abs() < 1e-12);
/// let s = 0.5_f64.sqrt();
/// assert!((v[0] - s).abs() < 1e-12 && (v[1] - s).abs() < 1e-12);
/// // Eigenvalues 1 and −1: no dominant one, and the error says so.
/// let e = power_iteration(&array![[0.0, 1.0], [1.0, 0.0]], 100, 0).unwrap_err();
/// assert!(e.to_string().contains("±1"), "{e}");
/// ```
pub fn power_iteration<'a>(
    a: impl AsArray<'a, f64, Ix2>,
    max_iterations: usize,
    seed: u64,
) -> Result<(f64, Array1<f64>)> {
    power_iteration_view(a.into(), max_iterations, seed)
}

fn power_iteration_view(
    a: ArrayView2<'_, f64>,
    max_iterations: usize,
    seed: u64,
) -> Result<(f64, Array1<f64>)> {
    let n = square("a", a)?;
    check_finite("a", a)?;
    if max_iterations == 0 {
        return Err(Error::parameter(
            "max_iterations",
            "at least 1",
            max_iterations,
        ));
    }
    let mut v = normal_vector(n, &mut seeded(seed));
    v /= norm(v.view());
    let big = largest(a);
    if big == 0.0 {
        // A = 0: every vector is an eigenvector, of eigenvalue 0.
        orient(v.view_mut());
        return Ok((0.0, v));
    }
    let scale = power_of_two_scale(big);
    let m = a.mapv(|x| x * scale);
    let size = norm(m.view());
    let residual = |v: &Array1<f64>| {
        let mv = m.dot(v);
        let lambda = v.dot(&mv);
        (lambda, norm((&mv - &(v * lambda)).view()), mv)
    };
    for _ in 0..max_iterations {
        let (_, r, mv) = residual(&v);
        if r <= 1e-13 * size {
            break;
        }
        // r > 0, so m v ≠ 0 and has a length to divide by.
        v = &mv / norm(mv.view());
    }
    let (lambda, r, mv) = residual(&v);
    if r > 1e-8 * size {
        // Two steps at once: if v is an eigenvector of A² (eigenvalue μ)
        // but not of A, A has the eigenvalues ±√μ and v mixes the two.
        let mmv = m.dot(&mv);
        let mu = v.dot(&mmv);
        let r2 = norm((&mmv - &(&v * mu)).view());
        let why = if r2 <= 1e-8 * size * size && mu > 0.0 {
            format!(
                "the iterate swings between two directions: the eigenvalues of largest \
                 magnitude are ±{}, equal in size, and power iteration cannot pick one. \
                 Use symmetric_eigen (for a symmetric a), or shift a to a + c·I to separate them",
                readable(mu.sqrt() / scale)
            )
        } else {
            "the two eigenvalues of largest magnitude are too close in size for this many \
             steps (or complex, for a non-symmetric a). Use more iterations, or \
             symmetric_eigen for a symmetric a"
                .to_string()
        };
        return Err(Error::parameter(
            "a",
            format!(
                "a matrix with one eigenvalue of largest magnitude, for power iteration \
                 to converge in max_iterations = {max_iterations} steps"
            ),
            format!("‖A v − λ v‖ = {:.1e} ‖A‖ after them: {why}", r / size),
        ));
    }
    let lambda = lambda / scale;
    if !lambda.is_finite() {
        return Err(overflow("the eigenvalue"));
    }
    orient(v.view_mut());
    Ok((lambda, v))
}

/// The column means of `x: (n, d)`, kept as `shift + offset`: `shift` the
/// midpoint of each column's range, `offset` the mean of `x − shift`.
/// Centring as `(x − shift) − offset` is then exact to rounding even for
/// columns far from 0 (1e9 ± 1e-6), whose mean falls between two floats,
/// and nothing overflows for entries up to the largest `f64`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnMeans {
    shift: Array1<f64>,
    offset: Array1<f64>,
}

impl ColumnMeans {
    /// The means of the columns of `x`; `x` has a row and finite entries.
    pub(crate) fn of(x: ArrayView2<'_, f64>) -> ColumnMeans {
        let n = x.nrows() as f64;
        let shift: Array1<f64> = x
            .columns()
            .into_iter()
            .map(|c| {
                let (low, high) = c.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
                low / 2.0 + high / 2.0
            })
            .collect();
        // Σ (x_i − shift) / n; divided term by term if the sum overflows.
        let differences = &x - &shift;
        let mut offset = differences.sum_axis(Axis(0)) / n;
        if offset.iter().any(|v| !v.is_finite()) {
            offset = differences.mapv(|v| v / n).sum_axis(Axis(0));
        }
        ColumnMeans { shift, offset }
    }

    /// The means `x̄: (d,)`.
    pub(crate) fn mean(&self) -> Array1<f64> {
        &self.shift + &self.offset
    }

    /// `x − x̄`, computed as `(x − shift) − offset`.
    pub(crate) fn centre(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        (&x - &self.shift) - &self.offset
    }

    /// `c + x̄`, computed as `(c + offset) + shift`.
    pub(crate) fn uncentre(&self, c: Array2<f64>) -> Array2<f64> {
        (c + &self.offset) + &self.shift
    }

    /// `x̄ · w`, as `shift · w + offset · w`.
    pub(crate) fn dot(&self, w: ArrayView1<'_, f64>) -> f64 {
        self.shift.dot(&w) + self.offset.dot(&w)
    }
}

/// `v` with 7 significant digits, in scientific notation when it is far from 1.
fn readable(v: f64) -> String {
    if (1e-3..1e6).contains(&v.abs()) {
        let digits = 6 - v.abs().log10().floor() as i32;
        let unit = 10f64.powi(digits);
        format!("{}", (v * unit).round() / unit)
    } else {
        format!("{v:.6e}")
    }
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

/// `max |a_i|` over all entries (0 for none).
pub(crate) fn largest<D: ndarray::Dimension>(a: ndarray::ArrayView<'_, f64, D>) -> f64 {
    a.iter().fold(0.0, |big, x| big.max(x.abs()))
}

/// The Euclidean (Frobenius, for a matrix) norm `√(Σ a_i²)`, computed on
/// `a / max |a|` so that the squares neither overflow nor vanish.
pub(crate) fn norm<D: ndarray::Dimension>(a: ndarray::ArrayView<'_, f64, D>) -> f64 {
    let big = largest(a.view());
    if big == 0.0 || !big.is_finite() {
        return big;
    }
    let scale = power_of_two_scale(big);
    a.iter().map(|x| (x * scale).powi(2)).sum::<f64>().sqrt() / scale
}

/// The exponent `e` with `2^e ≤ v < 2^(e+1)`, for `v > 0` finite.
fn exponent(v: f64) -> i32 {
    v.log2().floor() as i32
}

/// `v · 2^p`, exact unless the result overflows or is subnormal: applied
/// in steps that keep each factor a normal `f64`.
fn ldexp(mut v: f64, mut p: i32) -> f64 {
    while p != 0 {
        let step = p.clamp(-1022, 1022);
        v *= f64::from_bits(((1023 + step) as u64) << 52);
        p -= step;
    }
    v
}

/// `2^−e` for `2^e ≤ largest < 2^(e+1)`: multiplying by it brings `largest`
/// into `[1, 2)` exactly (only the exponent changes). Kept within the normal
/// range of `f64`, so it is never 0 or ∞. `largest > 0`, finite.
pub(crate) fn power_of_two_scale(largest: f64) -> f64 {
    let e = largest.log2().floor() as i32;
    let k = (-e).clamp(-1022, 1022);
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// `(β b, β)` with `β` the power of two that brings `max |b|` into `[1, 2)`
/// (`β = 1` if `b` is all zeros).
fn scaled_to_one(b: ArrayView1<'_, f64>) -> (Array1<f64>, f64) {
    let big = largest(b);
    let factor = if big == 0.0 {
        1.0
    } else {
        power_of_two_scale(big)
    };
    (b.mapv(|v| v * factor), factor)
}

/// The entries of `v` from index `k` on.
fn below(v: ArrayView1<'_, f64>, k: usize) -> ArrayView1<'_, f64> {
    v.split_at(Axis(0), k).1
}

/// Solves `U y = c[..d]` for an upper triangular `u: (≥ d, d)`, bottom row up.
fn back_substitute(u: &Array2<f64>, c: &Array1<f64>) -> Array1<f64> {
    let d = u.ncols();
    let mut y = Array1::zeros(d);
    for k in (0..d).rev() {
        let known: f64 = (k + 1..d).map(|j| u[(k, j)] * y[j]).sum();
        y[k] = (c[k] - known) / u[(k, k)];
    }
    y
}

fn swap_rows(m: &mut Array2<f64>, a: usize, b: usize) {
    if a != b {
        for j in 0..m.ncols() {
            m.swap((a, j), (b, j));
        }
    }
}

fn swap_columns(m: &mut Array2<f64>, a: usize, b: usize) {
    if a != b {
        for i in 0..m.nrows() {
            m.swap((i, a), (i, b));
        }
    }
}

fn singular(detail: String) -> Error {
    Error::parameter(
        "a",
        "an invertible matrix (no row or column a combination of the others)",
        format!(
            "a singular matrix, or so nearly singular that x would be rounding noise: {detail}"
        ),
    )
}

fn overflow(what: &str) -> Error {
    Error::parameter(
        what,
        "a number within the range of f64 (below 1.8e308 in magnitude)",
        "a value that overflows: rescale the input (divide it by a large number) first",
    )
}

/// `values`, or an error naming `what` if an entry overflowed.
fn check_representable(what: &str, values: Array1<f64>) -> Result<Array1<f64>> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(values)
    } else {
        Err(overflow(what))
    }
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
    // For a huge θ, θ² overflows and t = 0: a_pq is negligible beside a_qq − a_pp.
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
pub(crate) fn orient(mut v: ArrayViewMut1<'_, f64>) {
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

    /// A v = λ v for every pair, Vᵀ V = I, and the trace equals Σ λ, all
    /// relative to the size of `a`.
    fn assert_is_decomposition(a: &Array2<f64>, eig: &SymmetricEigen) {
        let n = a.nrows();
        let size = largest(a.view());
        for k in 0..n {
            let v = eig.vectors().column(k);
            let residual = a.dot(&v) - &v * eig.values()[k];
            assert!(
                residual.iter().all(|r| r.abs() < 1e-10 * size),
                "A v ≠ λ v: {residual}"
            );
        }
        let gram = eig.vectors().t().dot(eig.vectors());
        for i in 0..n {
            for j in 0..n {
                assert_close(gram[(i, j)], if i == j { 1.0 } else { 0.0 }, 1e-12);
            }
        }
        assert_close(a.diag().sum(), eig.values().sum(), 1e-10 * size);
        assert!(eig.values().windows(2).into_iter().all(|w| w[0] >= w[1]));
    }

    #[test]
    fn a_diagonal_matrix_is_its_own_decomposition() {
        let a = Array2::from_diag(&array![1.0, 9.0, -3.0, 4.0]);
        let eig = symmetric_eigen(&a).unwrap();
        assert_eq!(eig.values(), array![9.0, 4.0, 1.0, -3.0]);
        assert_eq!(eig.vectors().column(0), array![0.0, 1.0, 0.0, 0.0]);
        assert_eq!(eig.vectors().column(3), array![0.0, 0.0, 1.0, 0.0]);
        assert_is_decomposition(&a, &eig);
    }

    #[test]
    fn the_two_by_two_example_has_eigenvalues_three_and_one() {
        let a = array![[2.0, 1.0], [1.0, 2.0]];
        let eig = symmetric_eigen(&a).unwrap();
        let s = 0.5_f64.sqrt();
        assert_close(eig.values()[0], 3.0, 1e-12);
        assert_close(eig.values()[1], 1.0, 1e-12);
        // (1, 1)/√2 and (1, −1)/√2, each with its first (tied-largest) entry positive.
        for (got, want) in eig.vectors().column(0).iter().zip([s, s]) {
            assert_close(*got, want, 1e-12);
        }
        for (got, want) in eig.vectors().column(1).iter().zip([s, -s]) {
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
        let eig = symmetric_eigen(&a).unwrap();
        let sorted = [5.0, 2.0, 0.5, -1.0];
        let column_of_q = [0, 1, 3, 2];
        for k in 0..4 {
            assert_close(eig.values()[k], sorted[k], 1e-12);
            // Same line as Q's column: |cos angle| = 1.
            let cos = eig.vectors().column(k).dot(&q.column(column_of_q[k]));
            assert_close(cos.abs(), 1.0, 1e-12);
        }
        assert_is_decomposition(&a, &eig);
    }

    #[test]
    fn huge_and_tiny_matrices_keep_their_eigenvalues() {
        // The same spectrum at 1e250 and 1e-250: squares of the entries would
        // overflow or vanish without the power-of-two scaling.
        let q = householder(&[0.5, -1.0, 2.0]);
        let base = q
            .dot(&Array2::from_diag(&array![3.0, -2.0, 1.0]))
            .dot(&q.t());
        for size in [1e250, 1e-250, 1e300] {
            let a = &base * size;
            let eig = symmetric_eigen(&a).unwrap();
            for (got, want) in eig.values().iter().zip([3.0, 1.0, -2.0]) {
                assert_close(got / size, want, 1e-12);
            }
            assert_is_decomposition(&a, &eig);
        }
        // An eigenvalue beyond f64 is an error, not ∞.
        let e = symmetric_eigen(&array![[1.5e308, 1.5e308], [1.5e308, 1.5e308]]).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
    }

    #[test]
    fn power_iteration_finds_the_dominant_pair() {
        let q = householder(&[0.3, -1.0, 2.0, 1.0]);
        let a = q
            .dot(&Array2::from_diag(&array![5.0, 2.0, -1.0, 0.5]))
            .dot(&q.t());
        let (lambda, v) = power_iteration(&a, 200, 3).unwrap();
        assert_close(lambda, 5.0, 1e-12);
        assert_close(v.dot(&q.column(0)).abs(), 1.0, 1e-12);
        assert_close(v.dot(&v), 1.0, 1e-12);
        // A dominant negative eigenvalue is found too, and at 1e200.
        let b = q
            .dot(&Array2::from_diag(&array![1.0, -6.0, 2.0, 0.0]))
            .dot(&q.t());
        let (lambda, v) = power_iteration(&b, 200, 4).unwrap();
        assert_close(lambda, -6.0, 1e-10);
        assert_close(v.dot(&q.column(1)).abs(), 1.0, 1e-10);
        let (lambda, _) = power_iteration(&(&b * 1e200), 200, 4).unwrap();
        assert_close(lambda / 1e200, -6.0, 1e-10);
    }

    #[test]
    fn power_iteration_refuses_plus_and_minus_lambda() {
        // Eigenvalues 4, −4, 1: A v swings between two directions forever.
        let q = householder(&[1.0, 1.0, -2.0]);
        let a = q
            .dot(&Array2::from_diag(&array![4.0, -4.0, 1.0]))
            .dot(&q.t());
        let e = power_iteration(&a, 500, 1).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("±4,") || message.contains("±4 "),
            "{message}"
        );
        assert!(message.contains("symmetric_eigen"), "{message}");
        // Too few steps for close eigenvalues: an error that says to iterate more.
        let b = q
            .dot(&Array2::from_diag(&array![4.0, 3.99, 1.0]))
            .dot(&q.t());
        let e = power_iteration(&b, 20, 1).unwrap_err();
        assert!(e.to_string().contains("more iterations"), "{e}");
        assert!(power_iteration(&b, 20_000, 1).is_ok());
    }

    #[test]
    fn solve_recovers_a_chosen_solution() {
        // a_00 = 0: without pivoting the first step would divide by zero.
        let a = array![[0.0, 2.0, 1.0], [1.0, -1.0, 4.0], [3.0, 1.0, -2.0]];
        let chosen = array![1.0, -2.0, 3.0];
        let b = a.dot(&chosen);
        let x = solve(&a, &b).unwrap();
        for (got, want) in x.iter().zip(&chosen) {
            assert_close(*got, *want, 1e-12);
        }
        // The same system with rows and columns in units 1e150 apart.
        let rows = array![1e150, 1.0, 1e-150];
        let columns = array![1e-100, 1e100, 1.0];
        let scaled = &a * &rows.view().insert_axis(Axis(1)) * &columns;
        let x = solve(&scaled, &(&b * &rows)).unwrap();
        for ((got, want), c) in x.iter().zip(&chosen).zip(&columns) {
            assert_close(got * c, *want, 1e-12);
        }
    }

    #[test]
    fn least_squares_matches_the_closed_form_of_a_line() {
        // b = α + β t plus noise: β = cov(t, b) / var(t), α = b̄ − β t̄.
        let t = array![0.0, 1.0, 2.5, 3.0, 4.5, 6.0];
        let b = array![1.1, 2.9, 6.2, 6.8, 10.1, 13.2];
        let a = ndarray::stack(Axis(1), &[Array1::ones(6).view(), t.view()]).unwrap();
        let x = solve_least_squares(&a, &b).unwrap();
        let (tm, bm) = (t.mean().unwrap(), b.mean().unwrap());
        let beta = (&t - tm).dot(&(&b - bm)) / (&t - tm).dot(&(&t - tm));
        assert_close(x[1], beta, 1e-12);
        assert_close(x[0], bm - beta * tm, 1e-12);
        // A repeated column: many x fit equally well.
        let twice = ndarray::stack(Axis(1), &[t.view(), t.view()]).unwrap();
        let e = solve_least_squares(&twice, &b).unwrap_err();
        assert!(e.to_string().contains("combination of the others"), "{e}");
        // A square system is solved exactly.
        let square = array![[2.0, 1.0], [1.0, 3.0]];
        let x = solve_least_squares(&square, &array![5.0, 10.0]).unwrap();
        assert_close(x[0], 1.0, 1e-12);
        assert_close(x[1], 3.0, 1e-12);
    }

    #[test]
    fn a_singular_matrix_is_an_error_that_says_so() {
        // The third row is the sum of the first two.
        let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [5.0, 7.0, 9.0]];
        let e = solve(&a, &array![1.0, 2.0, 3.0]).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }));
        assert!(e.to_string().contains("singular"), "{e}");
        let zero = Array2::<f64>::zeros((2, 2));
        let e = solve(&zero, &array![0.0, 0.0]).unwrap_err();
        assert!(e.to_string().contains("row 0 of a is all zeros"), "{e}");
        // Nearly singular: the answer would be noise.
        let e = solve(&array![[1.0, 1.0], [1.0, 1.0 + 1e-14]], &array![1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("singular"), "{e}");
    }

    #[test]
    fn bad_matrices_are_errors() {
        let wide = Array2::<f64>::zeros((2, 3));
        assert!(matches!(symmetric_eigen(&wide), Err(Error::Shape { .. })));
        assert!(matches!(
            solve(&wide, &array![1.0, 2.0]),
            Err(Error::Shape { .. })
        ));
        let e = solve_least_squares(&wide, &array![1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("at least as many rows"), "{e}");
        let e = solve(&Array2::eye(2), &array![1.0, 2.0, 3.0]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }));
        let e = symmetric_eigen(&array![[1.0, 2.0], [0.0, 1.0]]).unwrap_err();
        assert!(e.to_string().contains("symmetric"), "{e}");
        let e = symmetric_eigen(&array![[1.0, f64::NAN], [f64::NAN, 1.0]]).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }));
        let empty = Array2::<f64>::zeros((0, 0));
        assert!(matches!(symmetric_eigen(&empty), Err(Error::Empty { .. })));
        let e = power_iteration(&Array2::eye(2), 0, 1).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }));
        // A solution beyond f64 is an error, not ∞.
        let e = solve(&array![[1e-300]], &array![1e300]).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
    }

    #[test]
    fn column_means_centre_exactly_far_from_zero() {
        let x = array![[1e9 + 1e-6], [1e9 - 1e-6], [1e9 + 3e-6]];
        let means = ColumnMeans::of(x.view());
        let c = means.centre(x.view());
        // The deviations from 1e9 are (1, −1, 3)·1e-6 up to the spacing of
        // floats there (1.2e-7); their mean is 1e-6.
        let exact: Vec<f64> = x.iter().map(|v| v - 1e9).collect();
        let m = exact.iter().sum::<f64>() / 3.0;
        for (got, e) in c.iter().zip(&exact) {
            assert_close(*got, e - m, 1e-20);
        }
        let huge = array![[1.7e308], [-1.7e308]];
        let means = ColumnMeans::of(huge.view());
        assert_eq!(means.mean()[0], 0.0);
    }
}
