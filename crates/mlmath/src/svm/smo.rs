//! Sequential minimal optimisation: the dual of the C-SVM solved two
//! multipliers at a time, with the working set chosen by second-order
//! information (Fan, Chen & Lin 2005) as libsvm does.
//!
//! In the form libsvm solves, with Q_ij = y_i y_j K_ij:
//!
//! ```text
//! minimise f(α) = ½ αᵀQα − Σ α_i   over 0 ≤ α_i ≤ C,  Σ y_i α_i = 0,
//! ```
//!
//! and the gradient G = Qα − 1 is kept up to date: a step that changes α_i
//! and α_j by Δα_i, Δα_j adds Q_i Δα_i + Q_j Δα_j to it, two rows of Q.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use super::kernel::{Kernel, RowMajor};

/// τ, the curvature used when a = K_ii + K_jj − 2K_ij ≤ 0 (a kernel that is
/// not positive definite, or two equal points).
pub(crate) const TAU: f64 = 1e-12;

/// Where the rows of K come from: the kernel, evaluated on the rows of
/// the problem, or a kernel matrix already computed (shared by the
/// one-vs-one machines), of which the problem uses the rows `rows`.
pub(crate) enum Source<'a> {
    /// k(x_i, x_t) computed for each row asked for.
    Kernel { kernel: Kernel, x: RowMajor },
    /// K[rows_i, rows_t] read from the matrix.
    Matrix {
        k: &'a Array2<f64>,
        rows: Vec<usize>,
    },
}

/// The rows of Q = (y_i y_j K_ij) the solver asks for, computed when first
/// asked for and kept in a least-recently-used cache of at most `capacity`
/// rows (at least 2: a step needs two rows at once).
pub(crate) struct QRows<'a> {
    source: Source<'a>,
    y: Vec<f64>,
    diagonal: Vec<f64>,
    capacity: usize,
    slots: Vec<Vec<f64>>,
    owner: Vec<usize>,
    last_used: Vec<u64>,
    slot_of: Vec<Option<usize>>,
    clock: u64,
    bad: Option<(usize, usize, f64)>,
}

impl<'a> QRows<'a> {
    /// A cache for the problem with signs `y`, within `bytes` bytes.
    pub(crate) fn new(source: Source<'a>, y: Vec<f64>, bytes: f64) -> QRows<'a> {
        let n = y.len();
        let diagonal: Vec<f64> = match &source {
            Source::Kernel { kernel, x } => (0..n)
                .map(|i| {
                    let r = ndarray::ArrayView1::from(x.row(i));
                    kernel.eval(r, r)
                })
                .collect(),
            Source::Matrix { k, rows } => rows.iter().map(|&r| k[(r, r)]).collect(),
        };
        let capacity = ((bytes / (8.0 * n.max(1) as f64)) as usize).clamp(2, n.max(2));
        let bad = diagonal
            .iter()
            .position(|v| !v.is_finite())
            .map(|i| (i, i, diagonal[i]));
        QRows {
            source,
            y,
            diagonal,
            capacity,
            slots: Vec::new(),
            owner: Vec::new(),
            last_used: Vec::new(),
            slot_of: vec![None; n],
            clock: 0,
            bad,
        }
    }

    /// The diagonal Q_ii = K_ii.
    pub(crate) fn diagonal(&self) -> Vec<f64> {
        self.diagonal.clone()
    }

    /// The first kernel value that was NaN or ±∞, if any: (i, j, value).
    pub(crate) fn bad_value(&self) -> Option<(usize, usize, f64)> {
        self.bad
    }

    /// Row i of Q.
    fn row(&mut self, i: usize) -> &[f64] {
        let s = self.fetch(i);
        &self.slots[s]
    }

    /// Rows i and j of Q at once (fetching j cannot evict i, just used).
    fn rows(&mut self, i: usize, j: usize) -> (&[f64], &[f64]) {
        let si = self.fetch(i);
        let sj = self.fetch(j);
        (&self.slots[si], &self.slots[sj])
    }

    /// The slot holding row i, computing it (into a free slot or the least
    /// recently used one) if it is not there.
    fn fetch(&mut self, i: usize) -> usize {
        self.clock += 1;
        if let Some(s) = self.slot_of[i] {
            self.last_used[s] = self.clock;
            return s;
        }
        let n = self.y.len();
        let s = if self.slots.len() < self.capacity {
            self.slots.push(vec![0.0; n]);
            self.owner.push(i);
            self.last_used.push(0);
            self.slots.len() - 1
        } else {
            let (s, _) = self
                .last_used
                .iter()
                .enumerate()
                .min_by_key(|p| *p.1)
                .expect("the cache holds at least two slots");
            self.slot_of[self.owner[s]] = None;
            s
        };
        self.owner[s] = i;
        self.last_used[s] = self.clock;
        self.slot_of[i] = Some(s);
        let row = &mut self.slots[s];
        match &self.source {
            Source::Kernel { kernel, x } => kernel.row_into(x, i, row),
            Source::Matrix { k, rows } => {
                let full = k.row(rows[i]);
                for (v, &r) in row.iter_mut().zip(rows) {
                    *v = full[r];
                }
            }
        }
        let yi = self.y[i];
        for (v, &yt) in row.iter_mut().zip(&self.y) {
            *v *= yi * yt;
        }
        if self.bad.is_none()
            && let Some(t) = row.iter().position(|v| !v.is_finite())
        {
            self.bad = Some((i, t, row[t]));
        }
        s
    }
}

/// What the two-variable solver returns.
pub(crate) struct Solution {
    /// The multipliers α, one per row.
    pub(crate) alpha: Vec<f64>,
    /// The gradient G = Qα − 1 at α.
    pub(crate) gradient: Vec<f64>,
    /// The bias b of f(x) = Σ α_i y_i k(x_i, x) + b.
    pub(crate) bias: f64,
    /// The number of two-variable steps taken.
    pub(crate) iterations: usize,
    /// m(α) − M(α) at the end.
    pub(crate) violation: f64,
}

/// How the solver ended without a solution.
pub(crate) enum Failure {
    /// The iteration cap was reached with this violation.
    Stopped { iterations: usize, violation: f64 },
    /// C = ∞ and the multipliers grow without bound: λ = α/Σα has
    /// λᵀQλ ≤ 10⁻¹² max_i Q_ii, no separating margin above 10⁻⁶ of the radius.
    Unbounded { sum: f64 },
}

/// The second-order working set: i = argmax over I_up of −y_t G_t, then j
/// over I_low minimising −b²/a, b = m(α) + y_j G_j... as libsvm's
/// `select_working_set`. Returns `None` when m(α) − M(α) ≤ tol (with the
/// violation), else the pair.
fn select(
    q: &mut QRows<'_>,
    qd: &[f64],
    y: &[f64],
    alpha: &[f64],
    g: &[f64],
    c: f64,
    tol: f64,
) -> std::result::Result<(usize, usize), f64> {
    // I_up: y = +1 and α < C, or y = −1 and α > 0; m(α) = max −y_t G_t there.
    let mut gmax = f64::NEG_INFINITY;
    let mut i = usize::MAX;
    for t in 0..y.len() {
        let v = -y[t] * g[t];
        let up = if y[t] > 0.0 {
            alpha[t] < c
        } else {
            alpha[t] > 0.0
        };
        if up && v >= gmax {
            gmax = v;
            i = t;
        }
    }
    if i == usize::MAX {
        return Err(0.0);
    }
    let qi = q.row(i);
    let yi = y[i];
    let qdi = qd[i];
    // I_low: y = +1 and α > 0, or y = −1 and α < C; −M(α) = max y_t G_t there.
    let mut gmax2 = f64::NEG_INFINITY;
    let mut best = f64::INFINITY;
    let mut j = usize::MAX;
    for t in 0..y.len() {
        let (low, v) = if y[t] > 0.0 {
            (alpha[t] > 0.0, g[t])
        } else {
            (alpha[t] < c, -g[t])
        };
        if !low {
            continue;
        }
        if v >= gmax2 {
            gmax2 = v;
        }
        let b = gmax + v;
        if b > 0.0 {
            // a = K_ii + K_jj − 2K_ij, and y_i Q_it = y_t K_it.
            let mut a = qdi + qd[t] - 2.0 * yi * y[t] * qi[t];
            if a <= 0.0 {
                a = TAU;
            }
            let gain = -(b * b) / a;
            if gain <= best {
                best = gain;
                j = t;
            }
        }
    }
    let violation = gmax + gmax2;
    if violation <= tol || j == usize::MAX {
        return Err(violation.max(0.0));
    }
    Ok((i, j))
}

/// SMO on the dual of the C-SVM for the rows of Q with signs y, from α = 0:
/// at most `max_iterations` two-variable steps, stopping when the maximal
/// KKT violation m(α) − M(α) is at most `tol`.
pub(crate) fn solve(
    q: &mut QRows<'_>,
    y: &[f64],
    c: f64,
    tol: f64,
    max_iterations: usize,
) -> std::result::Result<Solution, Failure> {
    let n = y.len();
    let qd = q.diagonal();
    let mut alpha = vec![0.0; n];
    let mut g = vec![-1.0; n];
    let mut iterations = 0;
    let radius2 = qd.iter().fold(0.0f64, |m, &v| m.max(v));
    let violation = loop {
        let (i, j) = match select(q, &qd, y, &alpha, &g, c, tol) {
            Ok(pair) => pair,
            Err(violation) => break violation,
        };
        if iterations >= max_iterations {
            let violation = match select(q, &qd, y, &alpha, &g, c, 0.0) {
                Ok(_) => f64::NAN,
                Err(v) => v,
            };
            return Err(Failure::Stopped {
                iterations,
                violation: if violation.is_nan() {
                    max_violation(y, &alpha, &g, c)
                } else {
                    violation
                },
            });
        }
        iterations += 1;
        let (qi, qj) = q.rows(i, j);
        let (ai, aj) = (alpha[i], alpha[j]);
        let (new_i, new_j) = pair_step(ai, aj, y[i], y[j], g[i], g[j], qd[i], qd[j], qi[j], c);
        let (di, dj) = (new_i - ai, new_j - aj);
        alpha[i] = new_i;
        alpha[j] = new_j;
        update_gradient(&mut g, qi, di, qj, dj);
        if c.is_infinite() && iterations % (n.max(64)) == 0 {
            // Hard margin: λ = α/Σα with λᵀQλ → 0 is a mixture of both
            // classes at one point of the feature space.
            let sum: f64 = alpha.iter().sum();
            let quad: f64 = alpha.iter().zip(&g).map(|(a, gt)| a * (gt + 1.0)).sum();
            if sum > 0.0 && quad / (sum * sum) <= 1e-12 * radius2 {
                return Err(Failure::Unbounded { sum });
            }
        }
    };
    let bias = bias(y, &alpha, &g, c);
    Ok(Solution {
        alpha,
        gradient: g,
        bias,
        iterations,
        violation,
    })
}

/// G_t += Q_it Δα_i + Q_jt Δα_j for every t: the one O(n) loop of a step.
fn update_gradient(g: &mut [f64], qi: &[f64], di: f64, qj: &[f64], dj: f64) {
    for ((gt, &a), &b) in g.iter_mut().zip(qi).zip(qj) {
        *gt += a * di + b * dj;
    }
}

/// m(α) − M(α) computed directly (for the message of a stopped run).
fn max_violation(y: &[f64], alpha: &[f64], g: &[f64], c: f64) -> f64 {
    let (mut up, mut low) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for t in 0..y.len() {
        let v = -y[t] * g[t];
        let (is_up, is_low) = if y[t] > 0.0 {
            (alpha[t] < c, alpha[t] > 0.0)
        } else {
            (alpha[t] > 0.0, alpha[t] < c)
        };
        if is_up {
            up = up.max(v);
        }
        if is_low {
            low = low.max(-v);
        }
    }
    (up + low).max(0.0)
}

/// The analytic step on the pair (i, j) in terms of the gradient, as
/// libsvm takes it: along the line y_i α_i + y_j α_j = const, the new α_j
/// minimises the quadratic, then both are clipped to the box [0, C].
#[allow(clippy::too_many_arguments)]
pub(crate) fn pair_step(
    ai: f64,
    aj: f64,
    yi: f64,
    yj: f64,
    gi: f64,
    gj: f64,
    qdi: f64,
    qdj: f64,
    qij: f64,
    c: f64,
) -> (f64, f64) {
    if yi != yj {
        // α_i − α_j is fixed: both move by δ.
        let mut a = qdi + qdj + 2.0 * qij;
        if a <= 0.0 {
            a = TAU;
        }
        let delta = (-gi - gj) / a;
        let (lo, hi) = ((-ai).max(-aj), (c - ai).min(c - aj));
        let d = delta.max(lo).min(hi);
        let (mut ni, mut nj) = (ai + d, aj + d);
        if d == lo {
            if ai <= aj { ni = 0.0 } else { nj = 0.0 }
        } else if d == hi {
            if ai >= aj { ni = c } else { nj = c }
        }
        (ni, nj)
    } else {
        // α_i + α_j is fixed: α_i moves by −δ, α_j by +δ.
        let mut a = qdi + qdj - 2.0 * qij;
        if a <= 0.0 {
            a = TAU;
        }
        let delta = (gi - gj) / a;
        let (lo, hi) = ((ai - c).max(-aj), ai.min(c - aj));
        let d = delta.max(lo).min(hi);
        let (mut ni, mut nj) = (ai - d, aj + d);
        if d == hi {
            if ai <= c - aj { ni = 0.0 } else { nj = c }
        } else if d == lo {
            if ai - c >= -aj { ni = c } else { nj = 0.0 }
        }
        (ni, nj)
    }
}

/// The bias b = −ρ, as libsvm computes ρ: the mean of y_t G_t over the
/// free α_t (0 < α_t < C), where y_t f(x_t) = 1 holds; with none free, the
/// midpoint of the interval the KKT conditions leave for it.
fn bias(y: &[f64], alpha: &[f64], g: &[f64], c: f64) -> f64 {
    let (mut upper, mut lower) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut free, mut sum) = (0usize, 0.0);
    for t in 0..y.len() {
        let yg = y[t] * g[t];
        let at_upper = alpha[t] >= c;
        let at_lower = alpha[t] <= 0.0;
        if (at_upper && y[t] < 0.0) || (at_lower && y[t] > 0.0) {
            upper = upper.min(yg);
        } else if at_upper || at_lower {
            lower = lower.max(yg);
        } else {
            free += 1;
            sum += yg;
        }
    }
    let rho = if free > 0 {
        sum / free as f64
    } else if upper.is_finite() && lower.is_finite() {
        (upper + lower) / 2.0
    } else if upper.is_finite() {
        upper
    } else {
        lower
    };
    -rho
}

/// What the one-variable solver (no bias) returns.
pub(crate) enum Through {
    /// Converged: the multipliers.
    Solved { alpha: Vec<f64> },
    /// `probe` accepted α as growing without bound (no separator).
    Unbounded { alpha: Vec<f64> },
    /// The cap was reached, or no step could lower f: the last multipliers.
    Stopped { alpha: Vec<f64> },
}

/// The hard-margin SVM through the origin for the rows a_i of `a` (each
/// already multiplied by its label), with no bias and so no equality
/// constraint:
///
/// ```text
/// minimise ½ ‖Σ α_i a_i‖² − Σ α_i   over α ≥ 0,   i.e. ½ αᵀQα − Σ α_i,  Q = A Aᵀ,
/// ```
///
/// whose solution gives v = Σ α_i a_i, the shortest v with a_i·v ≥ 1 for
/// every i. SMO with a working set of one variable: the α_i whose exact
/// clipped step α_i ← max(0, α_i − G_i/Q_ii) lowers f the most, with the
/// gradient G = Qα − 1 = A v − 1 (computed from v, kept up to date with α).
/// Stops when the largest KKT violation (|G_i| where α_i > 0, max(0, −G_i)
/// where α_i = 0) is at most `tol`. Each time Σα doubles, `probe(α)` may
/// declare the problem unbounded (data that no hyperplane through the
/// origin separates, where Σα grows without limit).
///
/// One-variable steps crawl when the rows are nearly parallel, so every
/// max(n, 16) steps the solver also takes a face step, as active-set
/// methods do: with S = {i : α_i > 0} (at most as many rows as columns),
/// the minimiser β of f with α = 0 off S solves (A_S A_Sᵀ) β = 1, and α
/// moves towards β as far as α ≥ 0 allows (f is convex, so it falls).
pub(crate) fn solve_without_bias(
    a: ArrayView2<'_, f64>,
    tol: f64,
    max_iterations: usize,
    probe: &mut dyn FnMut(&[f64]) -> bool,
) -> Through {
    let (n, m) = a.dim();
    let rows = RowMajor::new(a);
    let qd: Vec<f64> = (0..n).map(|t| dot(rows.row(t), rows.row(t))).collect();
    let mut alpha = vec![0.0f64; n];
    let mut v = vec![0.0f64; m];
    let (mut sum, mut checkpoint) = (0.0, 0.0);
    let (mut lowest, mut since) = (f64::INFINITY, 0);
    for iteration in 0..max_iterations {
        // G_t = a_t·v − 1, the KKT violations, and the best step, in one pass.
        let mut best = (0.0, usize::MAX, 0.0);
        let mut violation = 0.0f64;
        for t in 0..n {
            let g = dot(rows.row(t), &v) - 1.0;
            let kkt = if alpha[t] > 0.0 {
                g.abs()
            } else {
                (-g).max(0.0)
            };
            violation = violation.max(kkt);
            if kkt == 0.0 || qd[t] <= 0.0 {
                continue;
            }
            let step = (-g / qd[t]).max(-alpha[t]);
            let gain = -(g * step + 0.5 * qd[t] * step * step);
            if gain > best.0 {
                best = (gain, t, step);
            }
        }
        if violation <= tol {
            return Through::Solved { alpha };
        }
        if best.1 == usize::MAX || violation.is_nan() {
            return Through::Stopped { alpha };
        }
        let (_, i, step) = best;
        let new = if step == -alpha[i] {
            0.0
        } else {
            alpha[i] + step
        };
        let d = new - alpha[i];
        alpha[i] = new;
        for (vk, &aik) in v.iter_mut().zip(rows.row(i)) {
            *vk += d * aik;
        }
        sum += d;
        if sum >= 2.0 * checkpoint && sum > 0.0 {
            checkpoint = sum;
            if probe(&alpha) {
                return Through::Unbounded { alpha };
            }
        }
        if (iteration + 1) % (m + 1) == 0 && face_step(a, &mut alpha) {
            v = a.t().dot(&ArrayView1::from(&alpha[..])).to_vec();
            sum = alpha.iter().sum();
        }
        // Rounding has the last word when f = ½‖v‖² − Σα stops falling.
        let f = 0.5 * dot(&v, &v) - sum;
        if f < lowest - 1e-15 * f.abs() {
            (lowest, since) = (f, iteration);
        } else if iteration - since > 500 + 5 * n {
            return Through::Stopped { alpha };
        }
    }
    Through::Stopped { alpha }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// The face step of [`solve_without_bias`]. First, while S = {i : α_i > 0}
/// has more rows than columns, m + 1 of them have a direction d with
/// Σ d_i a_i = 0 (so v does not change) and Σ d_i ≥ 0 (so f = ½‖v‖² − Σα
/// does not rise): α moves along d until an α_i reaches 0, and S shrinks.
/// Then α_S moves towards the solution β of (A_S A_Sᵀ) β = 1 until β or the
/// first α_i = 0 is reached. False if no step was taken.
fn face_step(a: ArrayView2<'_, f64>, alpha: &mut [f64]) -> bool {
    let m = a.ncols();
    let mut moved = false;
    loop {
        let members: Vec<usize> = (0..alpha.len()).filter(|&i| alpha[i] > 0.0).collect();
        if members.is_empty() {
            return moved;
        }
        if members.len() <= m {
            let rows = a.select(Axis(0), &members);
            let gram = rows.dot(&rows.t());
            let Ok(beta) = crate::linalg::solve(&gram, &Array1::ones(members.len())) else {
                return moved;
            };
            move_towards(alpha, &members, &beta);
            return true;
        }
        // d on the m + 1 smallest α: d_last = 1, and A_Sᵀ d = 0 for the rest.
        let mut chosen = members;
        chosen.sort_by(|&i, &j| alpha[i].total_cmp(&alpha[j]));
        chosen.truncate(m + 1);
        let basis = a.select(Axis(0), &chosen[..m]);
        let Ok(head) = crate::linalg::solve(basis.t(), &a.row(chosen[m]).mapv(|x| -x)) else {
            return moved;
        };
        let mut d: Vec<f64> = head.iter().copied().chain([1.0]).collect();
        if d.iter().sum::<f64>() < 0.0 {
            d.iter_mut().for_each(|x| *x = -*x);
        }
        if d.iter().all(|&x| x >= 0.0) {
            return moved; // a direction without end: left to the probe
        }
        // The step along d to the first α_i = 0.
        let (mut t, mut blocking) = (f64::INFINITY, 0);
        for (k, (&i, &di)) in chosen.iter().zip(&d).enumerate() {
            if di < 0.0 && alpha[i] / -di < t {
                t = alpha[i] / -di;
                blocking = k;
            }
        }
        for (k, (&i, &di)) in chosen.iter().zip(&d).enumerate() {
            alpha[i] = if k == blocking {
                0.0
            } else {
                (alpha[i] + t * di).max(0.0)
            };
        }
        moved = true;
    }
}

/// α_S moves from its value towards β, stopping where the first α_i
/// reaches 0 (set exactly), or at β.
fn move_towards(alpha: &mut [f64], members: &[usize], beta: &Array1<f64>) {
    let (mut theta, mut blocking) = (1.0, usize::MAX);
    for (k, (&i, &b)) in members.iter().zip(beta).enumerate() {
        if b < 0.0 && alpha[i] / (alpha[i] - b) < theta {
            theta = alpha[i] / (alpha[i] - b);
            blocking = k;
        }
    }
    for (k, (&i, &b)) in members.iter().zip(beta).enumerate() {
        alpha[i] = if k == blocking {
            0.0
        } else {
            ((1.0 - theta) * alpha[i] + theta * b).max(0.0)
        };
    }
}
