//! Hopfield networks: memories stored as the valleys of an energy.
//!
//! ## Hebbian storage
//!
//! A network of N units holds a state s ∈ {−1, +1}ᴺ. To store P patterns
//! ξ¹, …, ξᴾ ∈ {−1, +1}ᴺ (the rows of `patterns: (P, N)`), Hopfield (1982)
//! set the weights by Hebb's rule, "units that are on together are wired
//! together":
//!
//! ```text
//! W = (1/N) Σ_μ ξ^μ ξ^μᵀ,   then w_ii = 0:      w_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ   (i ≠ j).
//! ```
//!
//! W is symmetric with a zero diagonal. The sums Σ_μ ξ_i^μ ξ_j^μ are whole
//! numbers; [`Hopfield`] keeps them as such, so the fields and energies below
//! are computed without rounding and divided by N only at the end.
//!
//! ## Asynchronous updates and the energy
//!
//! One unit i at a time, in a random order, looks at its **local field**
//! h_i = Σ_j w_ij s_j and takes its sign:
//!
//! ```text
//! s_i ← +1 if h_i > 0,   −1 if h_i < 0,   unchanged if h_i = 0.
//! ```
//!
//! The **energy** E(s) = −½ sᵀ W s = −½ Σ_ij w_ij s_i s_j never rises under
//! such an update. If s_i changes by δ = s_i' − s_i (and nothing else
//! changes), the terms of E that hold s_i are −s_i Σ_{j≠i} w_ij s_j (the two
//! halves w_ij = w_ji add up; w_ii = 0 leaves no s_i² term), so
//!
//! ```text
//! ΔE = −δ h_i,   and a flip has δ = 2 sign(h_i):   ΔE = −2 |h_i| < 0.
//! ```
//!
//! E is bounded below and takes finitely many values, so the updates stop
//! at a **fixed point**: a state where no unit wants to flip (s_i h_i ≥ 0
//! for all i). [`Hopfield::run`] records E after every single-unit update.
//!
//! ## Overlap and capacity
//!
//! How close a state is to a pattern is their **overlap** m = ξ·s / N, from
//! −1 (the inverse) through 0 (unrelated) to 1 (equal); the fraction of
//! wrong bits is (1 − m)/2. Started at a stored pattern, the network leaves
//! it as soon as one bit is unstable: the field on bit i is the pattern's
//! own signal plus the **crosstalk** of the other P − 1 patterns, roughly a
//! normal noise of variance P/N. [`capacity_sweep`] measures, for each load
//! α = P/N, how many stored patterns are recalled exactly (are fixed
//! points) and how close the fixed point reached stays (its overlap).
//!
//! ## Dense associative memory
//!
//! Krotov and Hopfield (2016) replaced the quadratic energy by a sharper one,
//! Demircigil et al. (2017) by the exponential; with continuous states
//! (Ramsauer et al., 2020) the update of a state ξ becomes one weighted
//! average of the stored patterns:
//!
//! ```text
//! ξ_new = X softmax(β Xᵀ ξ),      X = (ξ¹ … ξᴾ), the patterns as columns,
//! ```
//!
//! [`retrieve`] computes it; [`retrieval_comparison`] measures it against
//! the classical network at the same load.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Ix2};

use crate::error::{Error, Result};
use crate::random::{Rng, SliceRandom, StdRng, seeded};
use crate::table::Table;

/// The most units a network may have (the weights are an N × N matrix:
/// 4000 units take 128 MB).
pub const MAX_UNITS: usize = 4000;

/// The load α_c ≈ 0.138 below which, for large N, a Hopfield network has
/// retrieval states close to its stored patterns (Amit, Gutfreund and
/// Sompolinsky, 1985 and 1987).
pub const AGS_CAPACITY: f64 = 0.138;

/// The most patterns a network, a sweep or a comparison may store (P · N
/// entries are drawn and kept).
pub const MAX_PATTERNS: usize = 10_000;

/// The sweeps [`capacity_sweep`] and [`retrieval_comparison`] allow a run
/// before calling it unconverged (runs from stored patterns settle in a few).
pub const MAX_SWEEPS: usize = 100;

/// McEliece, Posner, Rodemich and Venkatesh (1987): P = N / (2 ln N), the
/// number of patterns up to which a given stored pattern is a fixed point
/// with probability tending to 1 as N grows.
pub fn mceliece_one(n_units: usize) -> f64 {
    let n = n_units as f64;
    n / (2.0 * n.ln())
}

/// McEliece et al. (1987): P = N / (4 ln N), up to which all stored patterns
/// are fixed points at once, with probability tending to 1 as N grows.
pub fn mceliece_all(n_units: usize) -> f64 {
    let n = n_units as f64;
    n / (4.0 * n.ln())
}

/// Checks that `values` holds only −1 and +1 (`what` names it in the error).
fn check_signs<D: ndarray::Dimension>(
    what: &str,
    values: ndarray::ArrayView<f64, D>,
) -> Result<()> {
    match values
        .indexed_iter()
        .find(|(_, v)| **v != 1.0 && **v != -1.0)
    {
        None => Ok(()),
        Some((index, v)) => Err(Error::parameter(
            format!("every entry of {what}"),
            "−1 or +1 (map 0/1 pixels with 2·x − 1, or take the sign)",
            format!("{v} at index {index:?}"),
        )),
    }
}

/// Checks `patterns: (P, N)`: 1 to [`MAX_PATTERNS`] rows, 1 to [`MAX_UNITS`] columns, ±1
/// entries.
fn check_patterns(patterns: ArrayView2<'_, f64>) -> Result<()> {
    if patterns.nrows() == 0 {
        return Err(Error::empty("patterns"));
    }
    check_pattern_count("the rows of patterns", patterns.nrows())?;
    if patterns.ncols() == 0 || patterns.ncols() > MAX_UNITS {
        return Err(Error::shape(
            "patterns",
            format!("1 to {MAX_UNITS} columns (one per unit)"),
            format!("{} columns", patterns.ncols()),
        ));
    }
    check_signs("patterns", patterns)
}

/// An error unless 1 ≤ `count` ≤ [`MAX_PATTERNS`] (`what` names it).
/// The number of units of a generated network: 2 to [`MAX_UNITS`].
fn check_unit_count(n_units: usize) -> Result<()> {
    if !(2..=MAX_UNITS).contains(&n_units) {
        return Err(Error::parameter(
            "n_units",
            format!("2 to {MAX_UNITS}"),
            n_units,
        ));
    }
    Ok(())
}

fn check_pattern_count(what: &str, count: usize) -> Result<()> {
    if !(1..=MAX_PATTERNS).contains(&count) {
        return Err(Error::parameter(
            what,
            format!("1 to {MAX_PATTERNS} patterns (far past any capacity: store fewer)"),
            count,
        ));
    }
    Ok(())
}

/// The overlap m = ξ·s / N of a pattern and a state, both ±1 vectors of one
/// length N: 1 when equal, −1 for the inverse, the fraction of wrong bits
/// being (1 − m)/2.
///
/// ```
/// use ndarray::array;
/// let (xi, s) = (array![1.0, 1.0, -1.0, -1.0], array![1.0, -1.0, -1.0, -1.0]);
/// let m = mlmath::hopfield::overlap(&xi, &s);
/// assert_eq!(m.unwrap(), 0.5);
/// ```
pub fn overlap<'a, 'b>(
    pattern: impl AsArray<'a, f64, Ix1>,
    state: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    let (pattern, state) = (pattern.into(), state.into());
    if pattern.is_empty() {
        return Err(Error::empty("pattern"));
    }
    if pattern.len() != state.len() {
        return Err(Error::shape(
            "state",
            format!("{} entries, one per entry of the pattern", pattern.len()),
            format!("{} entries", state.len()),
        ));
    }
    check_signs("the pattern", pattern)?;
    check_signs("the state", state)?;
    Ok(pattern.dot(&state) / pattern.len() as f64)
}

/// The overlaps of every pair of patterns, `(P, P)`: entry (μ, ν) is
/// ξ^μ·ξ^ν / N, with ones on the diagonal.
pub fn overlaps<'a>(patterns: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    let patterns = patterns.into();
    check_patterns(patterns)?;
    Ok(patterns.dot(&patterns.t()) / patterns.ncols() as f64)
}

/// A Hopfield network with Hebbian weights. The sums Σ_μ ξ_i^μ ξ_j^μ are
/// kept as whole numbers (`counts`, stored as f64, exact below 2⁵³), so
/// W = counts / N.
#[derive(Debug, Clone)]
pub struct Hopfield {
    /// Σ_μ ξ_i^μ ξ_j^μ for i ≠ j, 0 on the diagonal: (N, N). W = counts / N, and N > 0,
    /// so the sign of counts · s is the sign of W s: the updates need no division.
    counts: Array2<f64>,
    n_patterns: usize,
}

/// What one run of asynchronous updates did: see [`Hopfield::run`].
#[derive(Debug, Clone)]
pub struct Trace {
    /// E(s) = −½ sᵀWs at the start, then after every single-unit update
    /// (every unit visited, flipped or not): 1 + N · sweeps values.
    pub energies: Vec<f64>,
    /// The state after each sweep (one per sweep).
    pub states: Vec<Array1<f64>>,
    /// The state at the end.
    pub state: Array1<f64>,
    /// How many units flipped, in all.
    pub flips: usize,
    /// The sweeps made (each visits every unit once, in a fresh random order).
    pub sweeps: usize,
    /// Whether the last sweep flipped nothing: the state is a fixed point.
    pub converged: bool,
}

/// How well a network recalled some of its stored patterns: see
/// [`Hopfield::recall_stored`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecallScore {
    /// The fraction of starts whose fixed point is exactly the pattern.
    pub exact: f64,
    /// The mean overlap m = ξ·s/N of the fixed point with its pattern.
    pub overlap: f64,
    /// The patterns started from.
    pub starts: usize,
    /// Runs that had not settled after [`MAX_SWEEPS`] sweeps (counted as they stood).
    pub unconverged: usize,
}

impl Hopfield {
    /// Stores `patterns: (P, N)` (rows are ±1 patterns) with Hebb's rule
    /// W = (1/N) Σ_μ ξ^μ ξ^μᵀ, diagonal set to 0.
    ///
    /// Errors: no rows or more than [`MAX_PATTERNS`], no columns or more
    /// than [`MAX_UNITS`], an entry other than ±1.
    ///
    /// ```
    /// use mlmath::hopfield::Hopfield;
    /// use ndarray::array;
    /// let net = Hopfield::hebbian(&array![[1.0, -1.0, 1.0]]).unwrap();
    /// let expected = array![[0.0, -1.0, 1.0], [-1.0, 0.0, -1.0], [1.0, -1.0, 0.0]] / 3.0;
    /// assert_eq!(net.weights(), expected);
    /// assert!(Hopfield::hebbian(&array![[1.0, 0.0, 1.0]]).is_err());
    /// ```
    pub fn hebbian<'a>(patterns: impl AsArray<'a, f64, Ix2>) -> Result<Self> {
        let patterns = patterns.into();
        check_patterns(patterns)?;
        let n = patterns.ncols();
        let mut net = Hopfield {
            counts: Array2::zeros((n, n)),
            n_patterns: 0,
        };
        net.add_patterns(patterns);
        Ok(net)
    }

    /// Adds Σ ξξᵀ of more (checked) patterns to the counts, diagonal kept 0.
    fn add_patterns(&mut self, patterns: ArrayView2<'_, f64>) {
        // A matrix product of ±1 entries: whole numbers, exact in f64.
        self.counts += &patterns.t().dot(&patterns);
        self.counts.diag_mut().fill(0.0);
        self.n_patterns += patterns.nrows();
    }

    /// The number of units N.
    pub fn n_units(&self) -> usize {
        self.counts.nrows()
    }

    /// The number of stored patterns P.
    pub fn n_patterns(&self) -> usize {
        self.n_patterns
    }

    /// The load α = P / N.
    pub fn load(&self) -> f64 {
        self.n_patterns as f64 / self.n_units() as f64
    }

    /// The weights W = (1/N) Σ_μ ξ^μ ξ^μᵀ with w_ii = 0: (N, N), symmetric.
    pub fn weights(&self) -> Array2<f64> {
        &self.counts / self.n_units() as f64
    }

    /// Checks that `state` is a ±1 vector of N entries.
    fn check_state(&self, state: ArrayView1<'_, f64>) -> Result<()> {
        if state.len() != self.n_units() {
            return Err(Error::shape(
                "state",
                format!("{} entries, one per unit", self.n_units()),
                format!("{} entries", state.len()),
            ));
        }
        check_signs("the state", state)
    }

    /// The local fields h = W s: (N).
    pub fn local_fields<'a>(&self, state: impl AsArray<'a, f64, Ix1>) -> Result<Array1<f64>> {
        let state = state.into();
        self.check_state(state)?;
        Ok(self.counts.dot(&state) / self.n_units() as f64)
    }

    /// The energy E(s) = −½ sᵀ W s (no thresholds) of a ±1 state.
    ///
    /// ```
    /// use mlmath::hopfield::Hopfield;
    /// use ndarray::array;
    /// let net = Hopfield::hebbian(&array![[1.0, 1.0, 1.0, 1.0]]).unwrap();
    /// // w_ij = 1/4 off the diagonal: E = −½ · 12 · 1/4 at the pattern.
    /// assert_eq!(net.energy(&array![1.0, 1.0, 1.0, 1.0]).unwrap(), -1.5);
    /// ```
    pub fn energy<'a>(&self, state: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let state = state.into();
        self.check_state(state)?;
        Ok(-0.5 * state.dot(&self.counts.dot(&state)) / self.n_units() as f64)
    }

    /// Whether no unit of `state` wants to flip: s_i h_i ≥ 0 for every i.
    pub fn is_fixed_point<'a>(&self, state: impl AsArray<'a, f64, Ix1>) -> Result<bool> {
        Ok(self.unstable_units(state)? == 0)
    }

    /// How many units of `state` would flip if updated now: those with s_i h_i < 0.
    pub fn unstable_units<'a>(&self, state: impl AsArray<'a, f64, Ix1>) -> Result<usize> {
        let state = state.into();
        self.check_state(state)?;
        let fields = self.counts.dot(&state);
        Ok(state
            .iter()
            .zip(&fields)
            .filter(|(s, h)| *s * *h < 0.0)
            .count())
    }

    /// Updates one unit: s_i ← sign(h_i), unchanged when h_i = 0. Returns
    /// whether it flipped. An error for a bad state or `unit ≥ N`.
    pub fn step(&self, state: &mut Array1<f64>, unit: usize) -> Result<bool> {
        self.check_state(state.view())?;
        if unit >= self.n_units() {
            return Err(Error::parameter(
                "unit",
                format!("below the number of units, {}", self.n_units()),
                unit,
            ));
        }
        // counts = N · W: the same sign as h_i = Σ_j w_ij s_j.
        let field = self.counts.row(unit).dot(state);
        let wanted = if field > 0.0 {
            1.0
        } else if field < 0.0 {
            -1.0
        } else {
            state[unit]
        };
        let flipped = wanted != state[unit];
        state[unit] = wanted;
        Ok(flipped)
    }

    /// Asynchronous updates from `state`: each sweep visits every unit once in
    /// a fresh random order (from `seeded(seed)`), until a sweep flips
    /// nothing (a fixed point) or `max_sweeps` sweeps are done. The trace
    /// holds E after every single-unit update, computed as −½ s·h from the
    /// fields h = Ws (kept up to date as units flip), the state after each
    /// sweep, the flips and whether it converged.
    pub fn run<'a>(
        &self,
        state: impl AsArray<'a, f64, Ix1>,
        seed: u64,
        max_sweeps: usize,
    ) -> Result<Trace> {
        let state = state.into();
        self.check_state(state)?;
        check_sweeps(max_sweeps)?;
        let n = self.n_units() as f64;
        let mut s = state.to_owned();
        let mut fields = self.counts.dot(&s);
        let mut energies = vec![-0.5 * s.dot(&fields) / n];
        let mut states = Vec::new();
        let mut rng = seeded(seed);
        let (mut flips, mut sweeps, mut converged) = (0, 0, false);
        while sweeps < max_sweeps && !converged {
            let flipped = self.sweep(&mut s, &mut fields, &mut rng, Some(&mut energies));
            flips += flipped;
            sweeps += 1;
            converged = flipped == 0;
            states.push(s.clone());
        }
        Ok(Trace {
            energies,
            states,
            state: s,
            flips,
            sweeps,
            converged,
        })
    }

    /// The fixed point reached from `state` (see [`run`](Self::run)); an
    /// error if `max_sweeps` sweeps do not reach one.
    pub fn recall<'a>(
        &self,
        state: impl AsArray<'a, f64, Ix1>,
        seed: u64,
        max_sweeps: usize,
    ) -> Result<Array1<f64>> {
        let trace = self.run(state, seed, max_sweeps)?;
        if !trace.converged {
            return Err(Error::parameter(
                "max_sweeps",
                "enough sweeps to reach a fixed point (allow more)",
                max_sweeps,
            ));
        }
        Ok(trace.state)
    }

    /// One sweep over the units in a random order; the fields follow each
    /// flip (h ← h + δ · column i of the counts). With `energies`, pushes
    /// E = −½ s·h / N after every unit. Returns the number of flips.
    fn sweep(
        &self,
        s: &mut Array1<f64>,
        fields: &mut Array1<f64>,
        rng: &mut StdRng,
        mut energies: Option<&mut Vec<f64>>,
    ) -> usize {
        let n = self.n_units();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(rng);
        let mut flips = 0;
        for i in order {
            // fields = counts · s = N · (W s): the sign of h_i, without the 1/N.
            let (h, si) = (fields[i], s[i]);
            if h * si < 0.0 {
                let delta = -2.0 * si;
                s[i] = -si;
                fields.scaled_add(delta, &self.counts.row(i)); // W symmetric: row = column
                flips += 1;
            }
            if let Some(energies) = energies.as_deref_mut() {
                energies.push(-0.5 * s.dot(fields) / n as f64);
            }
        }
        flips
    }

    /// Settles `s`, whose fields `counts · s` are given, by sweeps (no
    /// trace); returns whether it converged.
    fn settle(&self, s: &mut Array1<f64>, mut fields: Array1<f64>, rng: &mut StdRng) -> bool {
        (0..MAX_SWEEPS).any(|_| self.sweep(s, &mut fields, rng, None) == 0)
    }

    /// Starts from each of the first `starts` rows of `patterns` (the stored
    /// ones, or any ±1 patterns of N entries), runs to a fixed point (sweep
    /// orders from `seeded(seed)`), and scores the end against the start:
    /// the fraction recalled exactly and the mean overlap m = ξ·s/N.
    /// `starts` is capped at the number of rows.
    pub fn recall_stored<'a>(
        &self,
        patterns: impl AsArray<'a, f64, Ix2>,
        starts: usize,
        seed: u64,
    ) -> Result<RecallScore> {
        let patterns = patterns.into();
        check_patterns(patterns)?;
        if patterns.ncols() != self.n_units() {
            return Err(Error::shape(
                "patterns",
                format!("{} columns, one per unit", self.n_units()),
                format!("{} columns", patterns.ncols()),
            ));
        }
        if starts == 0 {
            return Err(Error::parameter("starts", "at least 1", 0));
        }
        Ok(self.score_starts(patterns, starts, &mut seeded(seed)))
    }

    /// Runs from the first `starts` rows of `patterns` and scores the ends.
    fn score_starts(
        &self,
        patterns: ArrayView2<'_, f64>,
        starts: usize,
        rng: &mut StdRng,
    ) -> RecallScore {
        let starts = starts.min(patterns.nrows());
        let chosen = patterns.slice_axis(Axis(0), (0..starts).into());
        let fields = chosen.dot(&self.counts); // the counts are symmetric
        let (mut exact, mut overlap_sum, mut unconverged) = (0, 0.0, 0);
        for (pattern, field) in chosen.rows().into_iter().zip(fields.rows()) {
            let mut s = pattern.to_owned();
            unconverged += usize::from(!self.settle(&mut s, field.to_owned(), rng));
            exact += usize::from(s == pattern);
            overlap_sum += pattern.dot(&s) / self.n_units() as f64;
        }
        RecallScore {
            exact: exact as f64 / starts as f64,
            overlap: overlap_sum / starts as f64,
            starts,
            unconverged,
        }
    }
}

fn check_sweeps(max_sweeps: usize) -> Result<()> {
    if max_sweeps == 0 {
        return Err(Error::parameter("max_sweeps", "at least 1", 0));
    }
    Ok(())
}

/// `rows` random ±1 patterns of `n` units, each entry +1 with probability
/// `p_plus` (½ for unbiased patterns): `(rows, n)`.
pub fn random_patterns(
    rows: usize,
    n: usize,
    p_plus: f64,
    rng: &mut StdRng,
) -> Result<Array2<f64>> {
    if !(0.0..=1.0).contains(&p_plus) {
        return Err(Error::parameter(
            "p_plus",
            "a probability in [0, 1]",
            p_plus,
        ));
    }
    if rows
        .checked_mul(n)
        .is_none_or(|entries| entries > crate::random::MAX_DRAWS)
    {
        return Err(Error::parameter(
            "the shape (rows, n) of the patterns",
            format!("at most {} entries", crate::random::MAX_DRAWS),
            format!("({rows}, {n})"),
        ));
    }
    Ok(Array2::from_shape_simple_fn((rows, n), || {
        if rng.random_bool(p_plus) { 1.0 } else { -1.0 }
    }))
}

/// A copy of the ±1 `pattern` with `flips` of its entries, chosen at random, inverted.
pub fn corrupt<'a>(
    pattern: impl AsArray<'a, f64, Ix1>,
    flips: usize,
    rng: &mut StdRng,
) -> Result<Array1<f64>> {
    let pattern = pattern.into();
    check_signs("the pattern", pattern)?;
    if flips > pattern.len() {
        return Err(Error::parameter(
            "flips",
            format!("at most the length of the pattern, {}", pattern.len()),
            flips,
        ));
    }
    let mut out = pattern.to_owned();
    let chosen = ndarray_rand::rand::seq::index::sample(rng, pattern.len(), flips);
    for i in chosen {
        out[i] = -out[i];
    }
    Ok(out)
}

/// One row of a [`Capacity`] table: N, P, and the recall measured over seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacityPoint {
    /// Units N.
    pub n_units: usize,
    /// Stored patterns P.
    pub n_patterns: usize,
    /// The load α = P / N.
    pub load: f64,
    /// Stored patterns started from in each run (up to the `starts` asked for).
    pub starts: usize,
    /// Mean over seeds of the fraction recalled exactly (fixed point = pattern).
    pub exact_mean: f64,
    /// Standard deviation over seeds of that fraction (divisor seeds − 1).
    pub exact_sd: f64,
    /// Mean over seeds of the mean final overlap m = ξ·s/N.
    pub overlap_mean: f64,
    /// Standard deviation over seeds of the mean final overlap.
    pub overlap_sd: f64,
    /// Runs, over all seeds, that had not settled after [`MAX_SWEEPS`] sweeps.
    pub unconverged: usize,
}

/// Recall against load for one N: see [`capacity_sweep`].
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity {
    /// One point per load, in the order asked.
    pub points: Vec<CapacityPoint>,
    /// The seeds (one network each).
    pub seeds: usize,
}

/// Mean and sample standard deviation (divisor n − 1; 0 for one value).
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// The capacity of a network of `n_units`: for each load α in `loads` it
/// stores P = round(α N) random unbiased patterns (at least 1) and starts a
/// run from each of the first `starts` of them (all of them when P ≤
/// `starts`), to a fixed point. Each seed in `0..seeds` draws its own
/// patterns (one network per load grows by adding patterns, W_P = W_{P−1} +
/// ξᴾξᴾᵀ/N, so each seed's networks are nested). Per load: the fraction
/// recalled exactly and the mean final overlap, as mean ± standard
/// deviation over seeds.
///
/// Errors: `n_units` below 2 or above [`MAX_UNITS`], no loads, a load not
/// finite, ≤ 0 or above 10, fewer than 1 seed or start, more than
/// [`MAX_PATTERNS`] patterns.
pub fn capacity_sweep(
    n_units: usize,
    loads: &[f64],
    seeds: usize,
    starts: usize,
) -> Result<Capacity> {
    check_unit_count(n_units)?;
    if loads.is_empty() {
        return Err(Error::empty("loads"));
    }
    if let Some(bad) = loads
        .iter()
        .find(|a| !(a.is_finite() && **a > 0.0 && **a <= 10.0))
    {
        return Err(Error::parameter(
            "every load P/N",
            "a number in (0, 10]",
            bad,
        ));
    }
    if seeds == 0 || starts == 0 {
        return Err(Error::parameter(
            "seeds and starts",
            "at least 1 each",
            format!("{seeds} and {starts}"),
        ));
    }
    let counts: Vec<usize> = loads
        .iter()
        .map(|a| ((a * n_units as f64).round() as usize).max(1))
        .collect();
    let most = counts.iter().copied().max().unwrap_or(1);
    check_pattern_count("the largest P = load · N", most)?;
    // Visit the loads in increasing P so each seed's network only grows.
    let mut order: Vec<usize> = (0..loads.len()).collect();
    order.sort_by_key(|&k| counts[k]);
    let mut exact = vec![Vec::new(); loads.len()];
    let mut overlap = vec![Vec::new(); loads.len()];
    let mut unconverged = vec![0; loads.len()];
    for seed in 0..seeds {
        let mut rng = seeded(1_000_003 * n_units as u64 + seed as u64);
        let patterns = random_patterns(most, n_units, 0.5, &mut rng)?;
        let mut net = Hopfield {
            counts: Array2::zeros((n_units, n_units)),
            n_patterns: 0,
        };
        for &k in &order {
            let p = counts[k];
            net.add_patterns(patterns.slice_axis(Axis(0), (net.n_patterns..p).into()));
            let stored = patterns.slice_axis(Axis(0), (0..p).into());
            let score = net.score_starts(stored, starts, &mut rng);
            exact[k].push(score.exact);
            overlap[k].push(score.overlap);
            unconverged[k] += score.unconverged;
        }
    }
    let points = (0..loads.len())
        .map(|k| {
            let ((exact_mean, exact_sd), (overlap_mean, overlap_sd)) =
                (mean_sd(&exact[k]), mean_sd(&overlap[k]));
            CapacityPoint {
                n_units,
                n_patterns: counts[k],
                load: counts[k] as f64 / n_units as f64,
                starts: starts.min(counts[k]),
                exact_mean,
                exact_sd,
                overlap_mean,
                overlap_sd,
                unconverged: unconverged[k],
            }
        })
        .collect();
    Ok(Capacity { points, seeds })
}

impl Capacity {
    /// The loads P/N of the points.
    pub fn loads(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.load).collect()
    }

    /// The mean exact-recall fractions.
    pub fn exact(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.exact_mean).collect()
    }

    /// The mean final overlaps.
    pub fn overlap(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.overlap_mean).collect()
    }

    /// The points as a table: N, P, P/N, starts, exact recall mean ± sd, overlap mean ± sd,
    /// and the runs that did not settle.
    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "N",
            "P",
            "P/N",
            "starts × seeds",
            "exact recall",
            "± sd",
            "overlap m",
            "± sd",
            "unsettled",
        ]);
        for p in &self.points {
            table.push_row(crate::row![
                p.n_units,
                p.n_patterns,
                p.load,
                format!("{} × {}", p.starts, self.seeds),
                p.exact_mean,
                p.exact_sd,
                p.overlap_mean,
                p.overlap_sd,
                p.unconverged
            ]);
        }
        table
    }

    /// The exact-recall curve with its error bars, as one polyline for
    /// [`Chart::line`](crate::plot::Chart::line): the means joined, then a
    /// vertical bar mean ± sd at each load, the pieces separated by NaN (a
    /// line breaks there), so curve and bars share a colour and a legend entry.
    pub fn exact_with_bars(&self) -> (Vec<f64>, Vec<f64>) {
        with_bars(&self.points, |p| (p.exact_mean, p.exact_sd))
    }

    /// The overlap curve with its error bars, drawn as [`exact_with_bars`](Self::exact_with_bars).
    pub fn overlap_with_bars(&self) -> (Vec<f64>, Vec<f64>) {
        with_bars(&self.points, |p| (p.overlap_mean, p.overlap_sd))
    }
}

fn with_bars(
    points: &[CapacityPoint],
    value: impl Fn(&CapacityPoint) -> (f64, f64),
) -> (Vec<f64>, Vec<f64>) {
    let mut xs: Vec<f64> = points.iter().map(|p| p.load).collect();
    let mut ys: Vec<f64> = points.iter().map(|p| value(p).0).collect();
    for p in points {
        let (mean, sd) = value(p);
        xs.extend([f64::NAN, p.load, p.load]);
        ys.extend([f64::NAN, mean - sd, mean + sd]);
    }
    (xs, ys)
}

/// The weights softmax(β Xᵀ ξ) that the dense update puts on each stored
/// pattern: p_μ = exp(β ξ^μ·ξ) / Σ_ν exp(β ξ^ν·ξ), computed with the largest
/// exponent subtracted so that no exp overflows. `patterns: (P, N)` are the
/// rows ξ^μ (any finite numbers), `query: (N)`. An error if a score β ξ^μ·ξ
/// overflows (is not finite).
pub fn attention_weights<'a, 'b>(
    patterns: impl AsArray<'a, f64, Ix2>,
    query: impl AsArray<'b, f64, Ix1>,
    beta: f64,
) -> Result<Array1<f64>> {
    let (patterns, query) = (patterns.into(), query.into());
    if patterns.nrows() == 0 {
        return Err(Error::empty("patterns"));
    }
    if patterns.ncols() != query.len() {
        return Err(Error::shape(
            "query",
            format!(
                "{} entries, one per column of the patterns",
                patterns.ncols()
            ),
            format!("{} entries", query.len()),
        ));
    }
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(Error::parameter("beta", "a finite number ≥ 0", beta));
    }
    crate::error::check_finite("patterns", patterns)?;
    crate::error::check_finite("query", query)?;
    let scores = patterns.dot(&query) * beta;
    if let Some(bad) = scores.iter().find(|v| !v.is_finite()) {
        return Err(Error::parameter(
            "beta · ξ^μ·ξ",
            "a finite score (use a smaller beta or scale the patterns down)",
            bad,
        ));
    }
    let top = scores.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let weights = scores.mapv(|v| (v - top).exp());
    let total = weights.sum();
    Ok(weights / total)
}

/// One step of the dense associative memory (Ramsauer et al. 2020):
/// ξ_new = X softmax(β Xᵀ ξ) = Σ_μ p_μ ξ^μ, the stored patterns averaged
/// with the weights of [`attention_weights`]. `patterns: (P, N)` holds them
/// as rows (X is its transpose), `query: (N)`. Continuous states: with ±1
/// patterns each entry lies in [−1, 1].
///
/// ```
/// use mlmath::hopfield::retrieve;
/// use ndarray::array;
/// let x = array![[1.0, 1.0, -1.0], [-1.0, 1.0, 1.0]];
/// let out = retrieve(&x, &array![1.0, 1.0, 1.0], 0.0).unwrap(); // β = 0: the plain average
/// assert_eq!(out, array![0.0, 1.0, 0.0]);
/// ```
pub fn retrieve<'a, 'b>(
    patterns: impl AsArray<'a, f64, Ix2>,
    query: impl AsArray<'b, f64, Ix1>,
    beta: f64,
) -> Result<Array1<f64>> {
    let patterns = patterns.into();
    let weights = attention_weights(patterns, query, beta)?;
    Ok(patterns.t().dot(&weights))
}

/// The ±1 state sign(X softmax(β Xᵀ ξ)), an entry that is exactly 0 taking
/// the query's own sign (as a classical unit keeps its state when h = 0).
pub fn retrieve_sign<'a, 'b>(
    patterns: impl AsArray<'a, f64, Ix2>,
    query: impl AsArray<'b, f64, Ix1>,
    beta: f64,
) -> Result<Array1<f64>> {
    let query = query.into();
    let out = retrieve(patterns, query, beta)?;
    crate::error::check_finite("the retrieved state", out.view())?;
    Ok(Array1::from_shape_fn(out.len(), |i| {
        if out[i] > 0.0 {
            1.0
        } else if out[i] < 0.0 {
            -1.0
        } else if query[i] >= 0.0 {
            1.0
        } else {
            -1.0
        }
    }))
}

/// The dense and the classical memory, asked the same questions: see
/// [`retrieval_comparison`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrievalComparison {
    /// Units N.
    pub n_units: usize,
    /// Stored patterns P.
    pub n_patterns: usize,
    /// The inverse temperature β of the dense update.
    pub beta: f64,
    /// Bits flipped in each query.
    pub flipped: usize,
    /// Queries asked (each a stored pattern with `flipped` bits inverted).
    pub queries: usize,
    /// Fraction of queries that one dense step, then the sign, returns exactly.
    pub dense_exact: f64,
    /// Mean overlap of that sign with the pattern.
    pub dense_overlap: f64,
    /// Fraction that the nearest stored pattern, argmax_μ ξ^μ·ξ (the first on a tie),
    /// is the one asked for: plain look-up, the limit β → ∞ of the dense step.
    pub nearest_exact: f64,
    /// Fraction the classical network's fixed point returns exactly.
    pub classical_exact: f64,
    /// Mean overlap of the classical fixed point with the pattern.
    pub classical_overlap: f64,
    /// Classical runs that had not settled after [`MAX_SWEEPS`] sweeps (scored as they stood).
    pub classical_unconverged: usize,
}

/// Stores `n_patterns` random ±1 patterns of `n_units` (from `seeded(seed)`)
/// and asks `queries` questions: stored pattern μ = q mod P with `flipped`
/// random bits inverted. Each is answered by one dense step
/// sign(X softmax(β Xᵀ ξ)), by the nearest stored pattern argmax_μ ξ^μ·ξ,
/// and by the classical Hebbian network run to a fixed point; they are scored
/// by exact recall (and the first two and the last by overlap).
///
/// Errors: `n_units` below 2 or above [`MAX_UNITS`], `n_patterns` not in 1 to
/// [`MAX_PATTERNS`], no queries, `flipped` above `n_units`, a bad `beta`.
pub fn retrieval_comparison(
    n_units: usize,
    n_patterns: usize,
    beta: f64,
    flipped: usize,
    queries: usize,
    seed: u64,
) -> Result<RetrievalComparison> {
    check_unit_count(n_units)?;
    check_pattern_count("n_patterns", n_patterns)?;
    if queries == 0 {
        return Err(Error::parameter("queries", "at least 1", 0));
    }
    if flipped > n_units {
        return Err(Error::parameter(
            "flipped",
            format!("at most n_units = {n_units} (bits to invert in each query)"),
            flipped,
        ));
    }
    let mut rng = seeded(seed);
    let patterns = random_patterns(n_patterns, n_units, 0.5, &mut rng)?;
    let net = Hopfield::hebbian(&patterns)?;
    let n = n_units as f64;
    let mut sums = [0.0; 5];
    let mut unconverged = 0;
    for q in 0..queries {
        let pattern = patterns.row(q % n_patterns);
        let query = corrupt(pattern, flipped, &mut rng)?;
        let dense = retrieve_sign(&patterns, &query, beta)?;
        let scores = patterns.dot(&query);
        let nearest =
            (0..n_patterns).fold(0, |best, m| if scores[m] > scores[best] { m } else { best });
        let mut classical = query.clone();
        let settled = net.settle(&mut classical, net.counts.dot(&query), &mut rng);
        unconverged += usize::from(!settled);
        sums[0] += f64::from(u8::from(dense == pattern));
        sums[1] += pattern.dot(&dense) / n;
        sums[2] += f64::from(u8::from(classical == pattern));
        sums[3] += pattern.dot(&classical) / n;
        sums[4] += f64::from(u8::from(nearest == q % n_patterns));
    }
    let q = queries as f64;
    Ok(RetrievalComparison {
        n_units,
        n_patterns,
        beta,
        flipped,
        queries,
        dense_exact: sums[0] / q,
        dense_overlap: sums[1] / q,
        nearest_exact: sums[4] / q,
        classical_exact: sums[2] / q,
        classical_overlap: sums[3] / q,
        classical_unconverged: unconverged,
    })
}

/// The standard normal tail Φ(−z) = ∫_z^∞ e^{−t²/2} dt / √(2π), by Simpson's
/// rule on [z, z + 12] (4000 intervals); for z < 0 it is 1 − Φ(z). Accurate
/// to about 1e-12 for finite z; NaN gives NaN.
///
/// ```
/// let tail = mlmath::hopfield::normal_tail(1.0);
/// assert!((tail - 0.158_655_253_931_457).abs() < 1e-12);
/// ```
pub fn normal_tail(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z < 0.0 {
        return 1.0 - normal_tail(-z);
    }
    if z > 40.0 {
        return 0.0;
    }
    let (steps, width) = (4000, 12.0);
    let h = width / steps as f64;
    let density = |t: f64| (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let inner: f64 = (1..steps)
        .map(|k| {
            let weight = if k % 2 == 1 { 4.0 } else { 2.0 };
            weight * density(z + k as f64 * h)
        })
        .sum();
    (density(z) + inner + density(z + width)) * h / 3.0
}

/// The load at which a stored pattern of `n_units` random bits is a fixed
/// point with probability ½, if each bit's crosstalk were an independent
/// normal of variance α against a signal of 1: the α with
/// (1 − Φ(−1/√α))ᴺ ≈ exp(−N Φ(−1/√α)) = ½, that is N Φ(−1/√α) = ln 2,
/// solved by bisection on α in (0, 10]. An error for `n_units` < 2.
pub fn half_recall_load(n_units: usize) -> Result<f64> {
    if n_units < 2 {
        return Err(Error::parameter("n_units", "at least 2", n_units));
    }
    let target = std::f64::consts::LN_2 / n_units as f64;
    // Φ(−1/√α) rises with α: bisect on where it meets ln 2 / N.
    let (mut low, mut high) = (1e-6_f64, 10.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if normal_tail(1.0 / mid.sqrt()) < target {
            low = mid;
        } else {
            high = mid;
        }
    }
    Ok(0.5 * (low + high))
}

/// The stabilities ξ_i^μ h_i^μ at the stored patterns: stores `n_patterns`
/// random unbiased patterns of `n_units` (from `seeded(seed)`) and returns,
/// for every pattern μ and unit i, ξ_i^μ Σ_j w_ij ξ_j^μ = (N − 1)/N (the
/// signal) + ξ_i^μ · (crosstalk). Bit i of pattern μ is stable when it is ≥ 0.
/// P · N values, pattern by pattern.
///
/// Errors: `n_units` below 2 or above [`MAX_UNITS`], `n_patterns` not in 1 to
/// [`MAX_PATTERNS`].
pub fn stabilities(n_units: usize, n_patterns: usize, seed: u64) -> Result<Vec<f64>> {
    check_unit_count(n_units)?;
    check_pattern_count("n_patterns", n_patterns)?;
    let patterns = random_patterns(n_patterns, n_units, 0.5, &mut seeded(seed))?;
    let net = Hopfield::hebbian(&patterns)?;
    let fields = patterns.dot(&net.counts) / n_units as f64; // rows: h at each pattern
    Ok((&patterns * &fields).iter().copied().collect())
}

/// The mixture sign(ξ^a + ξ^b + ξ^c) of three rows `[a, b, c]` of `patterns`,
/// entry by entry (three ±1 never sum to 0).
pub fn mixture<'a>(patterns: impl AsArray<'a, f64, Ix2>, rows: [usize; 3]) -> Result<Array1<f64>> {
    let patterns = patterns.into();
    check_patterns(patterns)?;
    if let Some(&bad) = rows.iter().find(|&&r| r >= patterns.nrows()) {
        return Err(Error::parameter(
            "every row of the mixture",
            format!("below the number of patterns, {}", patterns.nrows()),
            bad,
        ));
    }
    let sum = patterns.select(Axis(0), &rows).sum_axis(Axis(0));
    Ok(sum.mapv(f64::signum))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// E = −½ Σ_ij w_ij s_i s_j by two plain loops over the weights.
    fn energy_by_loops(w: &Array2<f64>, s: &Array1<f64>) -> f64 {
        let n = s.len();
        let mut sum = 0.0;
        for i in 0..n {
            for j in 0..n {
                sum += w[[i, j]] * s[i] * s[j];
            }
        }
        -0.5 * sum
    }

    #[test]
    fn weights_are_hebbs_sums_symmetric_with_a_zero_diagonal() {
        let patterns = random_patterns(7, 23, 0.5, &mut seeded(1)).unwrap();
        let w = Hopfield::hebbian(&patterns).unwrap().weights();
        for i in 0..23 {
            assert_eq!(w[[i, i]], 0.0);
            for j in 0..23 {
                assert_eq!(w[[i, j]], w[[j, i]]);
                if i != j {
                    let sum: f64 = (0..7).map(|m| patterns[[m, i]] * patterns[[m, j]]).sum();
                    assert!((w[[i, j]] - sum / 23.0).abs() < 1e-15);
                }
            }
        }
    }

    #[test]
    fn energy_of_a_three_unit_example_worked_by_hand() {
        // Patterns (1, 1, 1) and (1, −1, −1): Σ ξ_0ξ_1 = 0, Σ ξ_0ξ_2 = 0, Σ ξ_1ξ_2 = 2, so the
        // only weight is w_12 = w_21 = 2/3. E(s) = −w_12 s_1 s_2.
        let net = Hopfield::hebbian(&array![[1.0, 1.0, 1.0], [1.0, -1.0, -1.0]]).unwrap();
        assert_eq!(
            net.weights(),
            array![[0.0, 0.0, 0.0], [0.0, 0.0, 2.0], [0.0, 2.0, 0.0]] / 3.0
        );
        assert!((net.energy(&array![1.0, 1.0, -1.0]).unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert!((net.energy(&array![-1.0, 1.0, 1.0]).unwrap() + 2.0 / 3.0).abs() < 1e-15);
        // One pattern (1, −1, 1): at the pattern E = −½ · 6 · (1/3) = −1; at (1, 1, 1) the
        // weights −1, 1, −1 (each twice) sum to −2/3, so E = 1/3.
        let one = Hopfield::hebbian(&array![[1.0, -1.0, 1.0]]).unwrap();
        assert!((one.energy(&array![1.0, -1.0, 1.0]).unwrap() + 1.0).abs() < 1e-15);
        assert!((one.energy(&array![1.0, 1.0, 1.0]).unwrap() - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn energy_never_rises_at_any_single_unit_update() {
        for seed in 0..20 {
            let mut rng = seeded(seed);
            let (n, p) = (10 + seed as usize * 3, 1 + seed as usize % 9);
            let patterns = random_patterns(p, n, 0.5, &mut rng).unwrap();
            let net = Hopfield::hebbian(&patterns).unwrap();
            let w = net.weights();
            // Unit by unit with `step`, the energy recomputed from scratch each time.
            let mut s = random_patterns(1, n, 0.5, &mut rng)
                .unwrap()
                .row(0)
                .to_owned();
            let mut before = energy_by_loops(&w, &s);
            for _ in 0..5 * n {
                let unit = rng.random_range(0..n);
                let flipped = net.step(&mut s, unit).unwrap();
                let after = energy_by_loops(&w, &s);
                assert!(after <= before + 1e-12, "seed {seed}: {before} → {after}");
                if flipped {
                    assert!(after < before - 1e-12, "a flip lowers E strictly");
                }
                before = after;
            }
            // The trace of `run`: non-increasing, and equal to the energy of its states.
            let start = random_patterns(1, n, 0.5, &mut rng).unwrap();
            let trace = net.run(start.row(0), seed, 50).unwrap();
            assert!(trace.converged);
            assert_eq!(trace.energies.len(), 1 + n * trace.sweeps);
            assert!(trace.energies.windows(2).all(|e| e[1] <= e[0]));
            assert!(
                (trace.energies[0] - energy_by_loops(&w, &start.row(0).to_owned())).abs() < 1e-9
            );
            for (k, state) in trace.states.iter().enumerate() {
                let recorded = trace.energies[n * (k + 1)];
                assert!((recorded - energy_by_loops(&w, state)).abs() < 1e-9);
            }
            assert!(net.is_fixed_point(&trace.state).unwrap());
        }
    }

    #[test]
    fn a_single_pattern_and_its_inverse_are_fixed_points_and_attract() {
        let mut rng = seeded(4);
        let pattern = random_patterns(1, 50, 0.5, &mut rng).unwrap();
        let net = Hopfield::hebbian(&pattern).unwrap();
        let xi = pattern.row(0).to_owned();
        assert!(net.is_fixed_point(&xi).unwrap());
        assert!(net.is_fixed_point(&xi.mapv(|v| -v)).unwrap());
        // h_i = ξ_i (ξ·s − ξ_i s_i)/N: with fewer than half the bits wrong, every unit
        // takes its bit of ξ at its first visit.
        let noisy = corrupt(&xi, 20, &mut rng).unwrap();
        assert_eq!(net.recall(&noisy, 1, 10).unwrap(), xi);
        let far = corrupt(&xi, 30, &mut rng).unwrap();
        assert_eq!(net.recall(&far, 1, 10).unwrap(), xi.mapv(|v| -v));
    }

    #[test]
    fn exact_recall_counts_the_stored_patterns_that_are_fixed_points() {
        // Each flip lowers E strictly, so a run that leaves a pattern never returns: exact
        // recall from ξ is the same as ξ being a fixed point, counted here unit by unit.
        let mut fractions = Vec::new();
        for seed in 0..6 {
            let patterns = random_patterns(15, 100, 0.5, &mut seeded(seed)).unwrap();
            let net = Hopfield::hebbian(&patterns).unwrap();
            let w = net.weights();
            let stable = patterns
                .rows()
                .into_iter()
                .filter(|xi| (0..100).all(|i| xi[i] * w.row(i).dot(xi) >= 0.0))
                .count();
            let score = net.recall_stored(&patterns, 15, seed).unwrap();
            assert_eq!(score.exact, stable as f64 / 15.0);
            assert_eq!((score.unconverged, score.starts), (0, 15));
            assert!(score.overlap > 0.5 && score.overlap <= 1.0);
            fractions.push(score.exact);
        }
        // At α = 0.15 some patterns are stable and some are not.
        assert!(
            fractions.iter().any(|&f| f > 0.0 && f < 1.0),
            "{fractions:?}"
        );
    }

    #[test]
    fn capacity_sweep_recalls_everything_at_tiny_loads_and_nothing_at_load_one() {
        let capacity = capacity_sweep(200, &[0.005, 1.0], 3, 10).unwrap();
        let (low, high) = (capacity.points[0], capacity.points[1]);
        assert_eq!((low.n_patterns, low.starts), (1, 1));
        assert_eq!(
            (low.exact_mean, low.exact_sd, low.overlap_mean),
            (1.0, 0.0, 1.0)
        );
        // At α = 1 a bit's crosstalk has a standard deviation of about 1, the signal is 1:
        // about one bit in six is unstable, so no pattern of 200 bits survives.
        assert_eq!((high.n_patterns, high.starts), (200, 10));
        assert_eq!(high.exact_mean, 0.0);
        assert!(high.overlap_mean < 0.9);
        let (xs, ys) = capacity.exact_with_bars();
        assert_eq!((xs.len(), ys.len()), (2 + 2 * 3, 2 + 2 * 3));
        assert!(ys[2].is_nan() && ys[3] == 1.0);
    }

    #[test]
    fn mean_sd_matches_a_hand_computed_sample_deviation() {
        // 1, 2, 3, 4: mean 2.5, squares of deviations 5, divisor 3.
        let (mean, sd) = mean_sd(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(mean, 2.5);
        assert!((sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn softmax_retrieval_with_large_beta_returns_the_stored_pattern() {
        let mut rng = seeded(9);
        let patterns = random_patterns(200, 100, 0.5, &mut rng).unwrap();
        for mu in [0, 57, 199] {
            let xi = patterns.row(mu);
            let noisy = corrupt(xi, 15, &mut rng).unwrap();
            let out = retrieve(&patterns, &noisy, 5.0).unwrap();
            assert!((&out - &xi).mapv(f64::abs).sum() < 1e-9, "pattern {mu}");
            assert_eq!(retrieve_sign(&patterns, &noisy, 5.0).unwrap(), xi);
        }
        // β = 0 weighs every pattern 1/P: the mean of the patterns.
        let flat = retrieve(&patterns, patterns.row(0), 0.0).unwrap();
        let mean = patterns.mean_axis(Axis(0)).unwrap();
        assert!((&flat - &mean).mapv(f64::abs).sum() < 1e-12);
        // Weights: two patterns at scores 3 and 1 with β = 1 take e²/(1 + e²) and 1/(1 + e²).
        let two = array![[1.0, 1.0, 1.0], [1.0, 1.0, -1.0]];
        let p = attention_weights(&two, &array![1.0, 1.0, 1.0], 1.0).unwrap();
        let e2 = 2.0f64.exp();
        assert!((p[0] - e2 / (1.0 + e2)).abs() < 1e-15 && (p[1] - 1.0 / (1.0 + e2)).abs() < 1e-15);
        // No overflow at a huge β.
        assert!(attention_weights(&two, &array![1.0, 1.0, 1.0], 1e300).unwrap()[0] == 1.0);
        // A score that overflows is an error, not NaN weights or the query handed back.
        let ones = array![1.0, 1.0, 1.0];
        let e = attention_weights(&two, &ones, 1e308)
            .unwrap_err()
            .to_string();
        assert!(e.contains("smaller beta"), "{e}");
        assert!(retrieve_sign(&two, &ones, 1e308).is_err());
        assert!(retrieve_sign(&(&two * 1e200), &(&ones * 1e200), 1.0).is_err());
    }

    #[test]
    fn normal_tail_matches_tabulated_values_and_the_half_load_solves_its_equation() {
        // Φ(−1), Φ(−2), Φ(−3) from tables of the standard normal.
        for (z, tail) in [
            (1.0, 0.158_655_253_931_457),
            (2.0, 0.022_750_131_948_179),
            (3.0, 0.001_349_898_031_630),
            (0.0, 0.5),
        ] {
            assert!((normal_tail(z) - tail).abs() < 1e-12, "z = {z}");
            assert!((normal_tail(-z) - (1.0 - tail)).abs() < 1e-12, "z = −{z}");
        }
        for n in [100, 400, 1000] {
            let a = half_recall_load(n).unwrap();
            let survive = (-(n as f64) * normal_tail(1.0 / a.sqrt())).exp();
            assert!((survive - 0.5).abs() < 1e-9, "N = {n}: {survive}");
        }
        assert!(half_recall_load(100).unwrap() > half_recall_load(1000).unwrap());
    }

    #[test]
    fn stabilities_are_signal_plus_crosstalk_by_loops() {
        let (n, p) = (30, 4);
        let values = stabilities(n, p, 5).unwrap();
        let patterns = random_patterns(p, n, 0.5, &mut seeded(5)).unwrap();
        assert_eq!(values.len(), n * p);
        for mu in 0..p {
            for i in 0..n {
                let mut h = 0.0;
                for j in (0..n).filter(|&j| j != i) {
                    let w: f64 = (0..p).map(|m| patterns[[m, i]] * patterns[[m, j]]).sum();
                    h += w / n as f64 * patterns[[mu, j]];
                }
                assert!((values[mu * n + i] - patterns[[mu, i]] * h).abs() < 1e-12);
            }
        }
        // One pattern: no crosstalk, every stability is the signal (N − 1)/N.
        let one = stabilities(n, 1, 2).unwrap();
        assert!(
            one.iter()
                .all(|&v| (v - (n as f64 - 1.0) / n as f64).abs() < 1e-12)
        );
    }

    #[test]
    fn dense_memory_retrieves_far_above_the_classical_capacity() {
        let c = retrieval_comparison(100, 200, 1.0, 10, 50, 3).unwrap();
        assert_eq!(c.dense_exact, 1.0);
        assert_eq!(c.nearest_exact, 1.0);
        assert!(c.classical_exact == 0.0 && c.classical_overlap < 0.9);
        // With half the bits flipped a query says nothing: the nearest pattern is rarely it.
        let blind = retrieval_comparison(100, 200, 1.0, 50, 50, 3).unwrap();
        assert!(blind.nearest_exact < 0.2, "{}", blind.nearest_exact);
    }

    #[test]
    fn mixture_of_three_takes_the_majority() {
        let p = array![
            [1.0, 1.0, -1.0, -1.0],
            [1.0, -1.0, 1.0, -1.0],
            [-1.0, 1.0, 1.0, -1.0]
        ];
        assert_eq!(mixture(&p, [0, 1, 2]).unwrap(), array![1.0, 1.0, 1.0, -1.0]);
        assert!(mixture(&p, [0, 1, 3]).is_err());
    }

    #[test]
    fn bad_input_is_an_error_that_names_the_fix() {
        let e = Hopfield::hebbian(&array![[1.0, 0.0]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("−1 or +1") && e.contains("got 0"), "{e}");
        assert!(Hopfield::hebbian(&Array2::<f64>::zeros((0, 4))).is_err());
        assert!(Hopfield::hebbian(&Array2::<f64>::ones((2, 0))).is_err());
        assert!(Hopfield::hebbian(&array![[1.0, f64::NAN]]).is_err());
        let net = Hopfield::hebbian(&array![[1.0, -1.0, 1.0]]).unwrap();
        let e = net.energy(&array![1.0, 1.0]).unwrap_err().to_string();
        assert!(
            e.contains("3 entries, one per unit") && e.contains("got 2 entries"),
            "{e}"
        );
        assert!(net.energy(&array![1.0, 1.0, 0.5]).is_err());
        assert!(net.run(&array![1.0, 1.0, 1.0], 0, 0).is_err());
        assert!(net.step(&mut array![1.0, 1.0, 1.0], 3).is_err());
        assert!(net.recall_stored(&array![[1.0, 1.0]], 1, 0).is_err());
        assert!(overlap(&array![1.0, 1.0], &array![1.0]).is_err());
        assert!(retrieve(&array![[1.0, 1.0]], &array![1.0], 1.0).is_err());
        assert!(retrieve(&array![[1.0, 1.0]], &array![1.0, 1.0], -1.0).is_err());
        assert!(retrieve(&Array2::<f64>::zeros((0, 2)), &array![1.0, 1.0], 1.0).is_err());
        assert!(capacity_sweep(1, &[0.1], 1, 1).is_err());
        assert!(capacity_sweep(100, &[], 1, 1).is_err());
        assert!(capacity_sweep(100, &[f64::NAN], 1, 1).is_err());
        assert!(capacity_sweep(100, &[0.1], 0, 1).is_err());
        assert!(random_patterns(2, 2, 1.5, &mut seeded(0)).is_err());
        assert!(corrupt(&array![1.0], 2, &mut seeded(0)).is_err());
        assert!(corrupt(&array![0.0, 1.0, 0.0], 1, &mut seeded(0)).is_err());
        let e = overlap(&Array1::<f64>::zeros(0), &Array1::<f64>::zeros(0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("pattern") && !e.contains("expected 0"), "{e}");
        let e = retrieval_comparison(10, 5, 1.0, 11, 1, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("flipped"), "{e}");
        assert!(retrieval_comparison(4000, 25_000, 1.0, 1, 1, 0).is_err());
        assert!(Hopfield::hebbian(&Array2::<f64>::ones((MAX_PATTERNS + 1, 2))).is_err());
        assert!(overlaps(&Array2::<f64>::ones((MAX_PATTERNS + 1, 1))).is_err());
        assert!(stabilities(10, 0, 0).is_err() && half_recall_load(1).is_err());
    }
}
