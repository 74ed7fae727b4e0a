//! n-gram models: counts of k-grams and three smoothings of them.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use super::{bad_id, check_ids};
use crate::error::{Error, Result};
use crate::random::{Rng, seeded};

/// The largest order an [`NGram`] takes: 10 (with `V^order < 2⁶⁴` as well, see
/// [`NGram::fit`]).
pub const MAX_ORDER: usize = 10;

/// How an [`NGram`] turns counts into conditional probabilities `P(x | h)`.
///
/// Notation: `V` the vocabulary size, `h` the context (the previous ids, at most
/// `order − 1` of them), `h'` the context without its first (oldest) id, `c(h x)` the
/// number of times the k-gram `h x` occurs in the training text, and
/// `c(h) = Σ_x c(h x)` the number of times `h` occurs *followed by an id* (the count of
/// `h` as a context: at the very end of the text it may be one less than the count of `h`
/// as a k-gram).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Smoothing {
    /// Add-k (Laplace for `k = 1`), `k > 0`:
    /// `P(x | h) = (c(h x) + k) / (c(h) + k V)`. An unseen context gives the uniform `1/V`.
    AddK(f64),
    /// Interpolated Witten-Bell (Witten and Bell 1991), recursively down to the uniform:
    /// `P(x | h) = (c(h x) + T(h) P(x | h')) / (c(h) + T(h))` with `T(h)` the number of
    /// distinct ids seen after `h`; below the empty context, `P(x) = 1/V`. An unseen
    /// context (`c(h) = 0`) passes through: `P(x | h) = P(x | h')`.
    WittenBell,
    /// Interpolated Kneser-Ney (Chen and Goodman 1998), discount `D ∈ (0, 1]`:
    /// `P(x | h) = (max(N(h x) − D, 0) + D · N₁₊(h •) · P(x | h')) / Σ_y N(h y)`, where at
    /// the top order `N` is the count `c`, and at every lower order the continuation
    /// count `N(w) = N₁₊(• w)`, the number of distinct ids seen before `w`;
    /// `N₁₊(h •) = |{y : N(h y) > 0}|`; below the empty context, `P(x) = 1/V`. An unseen
    /// context (`Σ_y N(h y) = 0`) passes through: `P(x | h) = P(x | h')`.
    KneserNey {
        /// The absolute discount `D ∈ (0, 1]` taken from every seen count.
        discount: f64,
    },
}

impl Smoothing {
    /// `Smoothing::KneserNey { discount }`, as a function (for `grid.map(..)`).
    pub fn kneser_ney(discount: f64) -> Smoothing {
        Smoothing::KneserNey { discount }
    }

    /// An error unless `k > 0` (add-k) or `D ∈ (0, 1]` (Kneser-Ney), finite.
    pub fn check(self) -> Result<()> {
        match self {
            Smoothing::AddK(k) if !(k > 0.0 && k <= 1e6) => Err(Error::parameter(
                "k of add-k smoothing",
                "a number in (0, 10⁶] (k = 1 is Laplace's rule; try 0.01); a larger k \
                 drowns every count, and k V overflows long before k = ∞",
                k,
            )),
            Smoothing::KneserNey { discount } if !(discount > 0.0 && discount <= 1.0) => {
                Err(Error::parameter(
                    "the discount of Kneser-Ney smoothing",
                    "in (0, 1] (0.75 is the usual start)",
                    discount,
                ))
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Smoothing {
    /// `"add-k (k = 0.01)"`, `"Witten-Bell"`, `"Kneser-Ney (D = 0.75)"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Smoothing::AddK(k) => write!(f, "add-k (k = {k})"),
            Smoothing::WittenBell => write!(f, "Witten-Bell"),
            Smoothing::KneserNey { discount } => write!(f, "Kneser-Ney (D = {discount})"),
        }
    }
}

/// A hasher for packed k-gram keys: the finaliser of SplitMix64 (Steele et al. 2014),
/// a bijection of `u64` that spreads every input bit over the output.
#[derive(Default)]
struct KeyHasher(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0 ^ u64::from(b));
        }
    }
    fn write_u64(&mut self, key: u64) {
        self.0 = mix(self.0 ^ key);
    }
}

type Map<T> = HashMap<u64, T, BuildHasherDefault<KeyHasher>>;

/// What the training text says of one k-gram `w` (`k = 0..=order`, `k = 0` the empty
/// one): as a gram, `c(w)` and `N₁₊(• w)`; as a context, `c(w) = Σ_y c(w y)` with
/// `T(w) = |{y : c(w y) > 0}|`, and `Σ_y N₁₊(• w y)` with `|{y : N₁₊(• w y) > 0}|`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Entry {
    count: u32,
    continuation: u32,
    context_total: u32,
    context_distinct: u32,
    continuation_total: u32,
    continuation_distinct: u32,
}

/// One level of the recursion for a context `h` and a next id `x`: `N(h x)`,
/// `Σ_y N(h y)` and `|{y : N(h y) > 0}|`, with `N` the count or the continuation count.
#[derive(Debug, Clone, Copy, Default)]
struct Level {
    next: u32,
    total: u32,
    distinct: u32,
}

/// Both kinds of level for one context length: counts and continuation counts.
#[derive(Debug, Clone, Copy, Default)]
struct Levels {
    counts: Level,
    continuation: Level,
}

impl Levels {
    /// The levels of context `h` (its entry, if seen) and next id `x` (the entry of `h x`).
    fn of(h: Option<&Entry>, hx: Option<&Entry>) -> Levels {
        let (h, hx) = (
            h.copied().unwrap_or_default(),
            hx.copied().unwrap_or_default(),
        );
        Levels {
            counts: Level {
                next: hx.count,
                total: h.context_total,
                distinct: h.context_distinct,
            },
            continuation: Level {
                next: hx.continuation,
                total: h.continuation_total,
                distinct: h.continuation_distinct,
            },
        }
    }
}

/// One step of the recursion: `P(x | h)` from `below = P(x | h')` and the level of `h`
/// (see [`Smoothing`]); `top` says whether `h` is the longest context. An unseen context
/// (`total = 0`) passes `below` through.
fn step(smoothing: Smoothing, below: f64, levels: &Levels, top: bool, vocab: f64) -> f64 {
    let counts = &levels.counts;
    match smoothing {
        Smoothing::AddK(k) if top => {
            (f64::from(counts.next) + k) / (f64::from(counts.total) + k * vocab)
        }
        Smoothing::AddK(_) => below,
        _ if counts.total == 0 => below,
        Smoothing::WittenBell => {
            let t = f64::from(counts.distinct);
            (f64::from(counts.next) + t * below) / (f64::from(counts.total) + t)
        }
        Smoothing::KneserNey { discount: d } => {
            let l = if top { counts } else { &levels.continuation };
            if l.total == 0 {
                return below;
            }
            let kept = (f64::from(l.next) - d).max(0.0);
            (kept + d * f64::from(l.distinct) * below) / f64::from(l.total)
        }
    }
}

/// Counts of every k-gram, `k = 1..=order`, of a training sequence of ids.
///
/// A k-gram `s_1 … s_k` is kept as one `u64`, the number `Σ_j s_j V^(k−j)` written in
/// base `V` (so `key(h x) = key(h) · V + x`, dropping the last id is `÷ V` and dropping
/// the first is `mod V^(k−1)`). Every k-gram's key is computed, the keys are sorted (a
/// radix sort) and equal ones counted; every other number (the context counts, the
/// continuation counts and their sums) comes from a pass over sorted keys, and the
/// results go into one hash map per `k`, from key to all that is known of the k-gram.
///
/// A context shorter than `order − 1` (the first positions of a sequence) is scored as
/// the model of order `len + 1` would: its own level uses the counts `c`.
#[derive(Clone)]
pub struct NGram {
    vocab: usize,
    order: usize,
    train_len: usize,
    /// `powers[j] = V^j`, `j = 0..=order`.
    powers: Vec<u64>,
    /// `grams[k]`: every k-gram `w` seen, `k = 0..=order`, and what is known of it.
    grams: Vec<Map<Entry>>,
}

impl fmt::Debug for NGram {
    /// The order, vocabulary, training length and the number of distinct k-grams.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let distinct: Vec<usize> = self.grams[1..].iter().map(HashMap::len).collect();
        f.debug_struct("NGram")
            .field("order", &self.order)
            .field("vocab", &self.vocab)
            .field("train_len", &self.train_len)
            .field("distinct_kgrams", &distinct)
            .finish()
    }
}

impl NGram {
    /// Counts every k-gram, `k = 1..=order`, of `train`, a sequence of ids `< vocab`.
    ///
    /// Errors: an empty `train`, `vocab = 0`, an id `≥ vocab`, `order` outside
    /// `1..=MAX_ORDER`, or `vocab^order ≥ 2⁶⁴` (the keys would not fit a `u64`; with 83
    /// characters every order up to 10 fits).
    ///
    /// ```
    /// use mlmath::text::NGram;
    /// let m = NGram::fit(&[0, 1, 0, 1, 1], 2, 2).unwrap();
    /// assert_eq!(m.count(&[0, 1]), 2);
    /// assert_eq!(m.count(&[1]), 3);
    /// assert_eq!(m.context_count(&[1]), 2); // the last 1 has no follower
    /// assert!(NGram::fit(&[0, 2], 2, 2).is_err());
    /// ```
    pub fn fit(train: &[usize], vocab: usize, order: usize) -> Result<NGram> {
        if train.is_empty() {
            return Err(Error::empty("the training sequence of an n-gram model"));
        }
        if vocab == 0 {
            return Err(Error::parameter(
                "vocab",
                "at least 1 (the number of distinct ids, Vocab::len())",
                vocab,
            ));
        }
        if !(1..=MAX_ORDER).contains(&order) {
            return Err(Error::parameter(
                "order",
                format!("in 1..={MAX_ORDER} (order 1 counts single characters)"),
                order,
            ));
        }
        let v = vocab as u64;
        if v.checked_pow(order as u32).is_none() {
            let largest = (1..=order)
                .take_while(|&k| v.checked_pow(k as u32).is_some())
                .last()
                .unwrap_or(0);
            return Err(Error::parameter(
                "order",
                format!(
                    "at most {largest} for a vocabulary of {vocab} ids (the k-grams are \
                     packed in 64 bits, vocab^order ≤ 2^64)"
                ),
                order,
            ));
        }
        if u32::try_from(train.len()).is_err() {
            return Err(Error::parameter(
                "the length of the training sequence",
                format!("at most {} ids (the counts are 32-bit)", u32::MAX),
                train.len(),
            ));
        }
        check_ids("train", train, vocab)?;
        let powers: Vec<u64> = (0..=order as u32).map(|j| v.pow(j)).collect();
        let grams = count_everything(train, v, &powers, order)
            .into_iter()
            .map(|sorted| {
                let mut map = Map::with_capacity_and_hasher(sorted.len(), Default::default());
                map.extend(sorted);
                map
            })
            .collect();
        Ok(NGram {
            vocab,
            order,
            train_len: train.len(),
            powers,
            grams,
        })
    }

    /// The order `n`: the model looks at most `n − 1` ids back.
    pub fn order(&self) -> usize {
        self.order
    }

    /// The vocabulary size `V`.
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// The number of distinct k-grams seen in training, `k = 1..=order` (0 otherwise).
    pub fn distinct(&self, k: usize) -> usize {
        if (1..=self.order).contains(&k) {
            self.grams[k].len()
        } else {
            0
        }
    }

    /// `c(w)`: how many times the k-gram `w` (`1 ≤ k ≤ order`) occurs in the training
    /// sequence; 0 for a longer, empty or unseen `w` or one holding an id `≥ V`.
    pub fn count(&self, gram: &[usize]) -> usize {
        if gram.is_empty() || gram.len() > self.order {
            return 0;
        }
        self.key(gram)
            .and_then(|key| self.grams[gram.len()].get(&key))
            .map_or(0, |e| e.count as usize)
    }

    /// `c(h) = Σ_x c(h x)`: how many times the context `h` (`0 ≤ len < order`) occurs
    /// followed by an id; for the empty context, the training length. 0 for an unseen or
    /// too long `h`.
    pub fn context_count(&self, context: &[usize]) -> usize {
        if context.len() >= self.order {
            return 0;
        }
        self.key(context)
            .and_then(|key| self.grams[context.len()].get(&key))
            .map_or(0, |e| e.context_total as usize)
    }

    /// `Σ_j s_j V^(k−j)`, or `None` when an id is `≥ V`.
    fn key(&self, ids: &[usize]) -> Option<u64> {
        let v = self.vocab as u64;
        ids.iter().try_fold(0u64, |key, &id| {
            (id < self.vocab).then(|| key * v + id as u64)
        })
    }

    /// `P(next | context)` under `smoothing`, with `context` the previous ids: only its
    /// last `order − 1` are used, and a shorter one is allowed (the start of a sequence).
    /// `Σ_next P(next | context) = 1` for every context, seen or not.
    ///
    /// Errors: an id `≥ V`, a smoothing parameter out of range (see [`Smoothing`]).
    ///
    /// ```
    /// use mlmath::text::{NGram, Smoothing};
    /// let m = NGram::fit(&[0, 1, 0, 1, 1], 2, 2).unwrap();
    /// // after 0: 1 twice, 0 never; add-1: (0 + 1) / (2 + 2)
    /// assert_eq!(m.prob(&[0], 0, Smoothing::AddK(1.0)).unwrap(), 0.25);
    /// ```
    pub fn prob(&self, context: &[usize], next: usize, smoothing: Smoothing) -> Result<f64> {
        smoothing.check()?;
        check_ids("context", context, self.vocab)?;
        if next >= self.vocab {
            return Err(bad_id("next", next, self.vocab));
        }
        Ok(self.prob_at(self.order, context, next, smoothing))
    }

    /// `P(x | context)` for every `x = 0..V` (they sum to 1), as [`prob`](Self::prob).
    pub fn distribution(&self, context: &[usize], smoothing: Smoothing) -> Result<Vec<f64>> {
        smoothing.check()?;
        check_ids("context", context, self.vocab)?;
        Ok(self.distribution_at(self.order, context, smoothing))
    }

    /// The keys of the last `m` ids of `context`, `m = 0..=top`, with
    /// `top = min(len, order − 1)`.
    fn context_keys(&self, order: usize, context: &[usize]) -> ([u64; MAX_ORDER], usize) {
        let top = context.len().min(order - 1);
        let context = &context[context.len() - top..];
        let mut keys = [0u64; MAX_ORDER];
        for m in 1..=top {
            keys[m] = keys[m - 1] + context[top - m] as u64 * self.powers[m - 1];
        }
        (keys, top)
    }

    /// The levels `m = 0..=top` of `P(next | context)` for a model of order
    /// `order ≤ self.order` (two hash lookups a level), and `top`.
    fn levels(&self, order: usize, context: &[usize], next: usize) -> ([Levels; MAX_ORDER], usize) {
        let (keys, top) = self.context_keys(order, context);
        let v = self.vocab as u64;
        let mut levels = [Levels::default(); MAX_ORDER];
        for (m, &key) in keys[..=top].iter().enumerate() {
            if let Some(h) = self.grams[m].get(&key) {
                let hx = self.grams[m + 1].get(&(key * v + next as u64));
                levels[m] = Levels::of(Some(h), hx);
            }
        }
        (levels, top)
    }

    /// [`prob`](Self::prob) for a model of order `order ≤ self.order`, inputs checked.
    pub(crate) fn prob_at(
        &self,
        order: usize,
        context: &[usize],
        next: usize,
        smoothing: Smoothing,
    ) -> f64 {
        let (levels, top) = self.levels(order, context, next);
        prob_from_levels(&levels[..=top], smoothing, self.vocab as f64)
    }

    /// [`distribution`](Self::distribution) for a model of order `order ≤ self.order`.
    pub(crate) fn distribution_at(
        &self,
        order: usize,
        context: &[usize],
        smoothing: Smoothing,
    ) -> Vec<f64> {
        let (keys, top) = self.context_keys(order, context);
        let vocab = self.vocab as f64;
        let v = self.vocab as u64;
        let mut p = vec![1.0 / vocab; self.vocab];
        for (m, &key) in keys[..=top].iter().enumerate() {
            let h = self.grams[m].get(&key);
            for (x, px) in p.iter_mut().enumerate() {
                let hx = h.and_then(|_| self.grams[m + 1].get(&(key * v + x as u64)));
                *px = step(smoothing, *px, &Levels::of(h, hx), m == top, vocab);
            }
        }
        p
    }

    /// The cross-entropy of `seq` under the model, in nats per character:
    /// `−(1/n) Σ_i ln P(x_i | x_{i−order+1} … x_{i−1})` over every position `i` of `seq`;
    /// the first `order − 1` positions use the shorter context they have (position 0 the
    /// empty one). Divide by `ln 2` for bits per character.
    ///
    /// Errors: an empty `seq`, an id `≥ V`, a smoothing parameter out of range.
    ///
    /// ```
    /// use mlmath::text::{NGram, Smoothing};
    /// let m = NGram::fit(&[0, 1, 2, 3], 4, 1).unwrap();
    /// // every id seen once: add-k gives 1/4 to each, ln 4 nats
    /// let h = m.nats_per_char(&[3, 2], Smoothing::AddK(0.5)).unwrap();
    /// assert!((h - 4f64.ln()).abs() < 1e-12);
    /// ```
    pub fn nats_per_char(&self, seq: &[usize], smoothing: Smoothing) -> Result<f64> {
        smoothing.check()?;
        if seq.is_empty() {
            return Err(Error::empty("the sequence to score"));
        }
        check_ids("seq", seq, self.vocab)?;
        Ok(self.nats_at(self.order, seq, smoothing))
    }

    /// [`nats_per_char`](Self::nats_per_char) for a model of order `order ≤ self.order`.
    pub(crate) fn nats_at(&self, order: usize, seq: &[usize], smoothing: Smoothing) -> f64 {
        self.nats_of_candidates(seq, &[(order, smoothing)])[0]
    }

    /// The nats/char of `seq` for every candidate `(order ≤ self.order, smoothing)`, in
    /// one pass: the hash lookups of a position are made once, for the largest order, and
    /// every candidate's probability is arithmetic on them (a model of order `o` uses the
    /// levels `0..=min(i, o − 1)`, the last as its top).
    pub(crate) fn nats_of_candidates(
        &self,
        seq: &[usize],
        candidates: &[(usize, Smoothing)],
    ) -> Vec<f64> {
        let largest = candidates.iter().map(|c| c.0).max().unwrap_or(1);
        let vocab = self.vocab as f64;
        let mut totals = vec![0.0; candidates.len()];
        for i in 0..seq.len() {
            let context = &seq[i.saturating_sub(largest - 1)..i];
            let (levels, top) = self.levels(largest, context, seq[i]);
            for (total, &(order, smoothing)) in totals.iter_mut().zip(candidates) {
                let own_top = top.min(order - 1);
                *total -= prob_from_levels(&levels[..=own_top], smoothing, vocab).ln();
            }
        }
        totals.iter().map(|t| t / seq.len() as f64).collect()
    }

    /// The share of the positions of `seq` that have a full context (`i ≥ order − 1`)
    /// whose context `x_{i−order+1} … x_{i−1}` never occurs in training followed by an id
    /// (`c(h) = 0`): where add-k can only say "uniform". 0 for order 1 (the empty context
    /// is always seen) and for a `seq` shorter than `order`.
    ///
    /// ```
    /// use mlmath::text::NGram;
    /// let m = NGram::fit(&[0, 1, 0, 1], 3, 2).unwrap();
    /// // contexts of [0, 2, 1]: 0 (seen), 2 (unseen)
    /// assert_eq!(m.unseen_context_share(&[0, 2, 1])?, 0.5);
    /// assert!(m.unseen_context_share(&[0, 3]).is_err()); // 3 is not an id of the model
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    ///
    /// An error for an id `≥ V` in `seq`.
    pub fn unseen_context_share(&self, seq: &[usize]) -> Result<f64> {
        check_ids(
            "the sequence given to unseen_context_share",
            seq,
            self.vocab,
        )?;
        Ok(self.unseen_at(self.order, seq))
    }

    /// [`unseen_context_share`](Self::unseen_context_share) at order `order ≤ self.order`.
    pub(crate) fn unseen_at(&self, order: usize, seq: &[usize]) -> f64 {
        let m = order - 1;
        if seq.len() <= m {
            return 0.0;
        }
        let unseen = (m..seq.len())
            .filter(|&i| {
                self.key(&seq[i - m..i])
                    .and_then(|key| self.grams[m].get(&key))
                    .is_none_or(|e| e.context_total == 0)
            })
            .count();
        unseen as f64 / (seq.len() - m) as f64
    }

    /// `n` ids drawn one at a time after `prompt`, each from
    /// `P(x | previous ids)^(1/T)`, renormalised (`T` the `temperature`: below 1 sharper,
    /// above 1 flatter, `T → 0` the most likely id), with the generator `seeded(seed)`.
    /// Returns the `n` new ids (not the prompt); `prompt` may be empty.
    ///
    /// Errors: an id `≥ V` in `prompt`, more than [`MAX_DRAWS`](crate::random::MAX_DRAWS)
    /// ids asked for, `temperature` not finite and `> 0`, a smoothing parameter out of
    /// range.
    ///
    /// ```
    /// use mlmath::text::{NGram, Smoothing};
    /// let m = NGram::fit(&[0, 1, 2, 0, 1, 2], 3, 2).unwrap();
    /// let s = m.sample(&[0], 5, Smoothing::AddK(0.01), 0.1, 7).unwrap();
    /// assert_eq!(s, vec![1, 2, 0, 1, 2]);
    /// ```
    pub fn sample(
        &self,
        prompt: &[usize],
        n: usize,
        smoothing: Smoothing,
        temperature: f64,
        seed: u64,
    ) -> Result<Vec<usize>> {
        smoothing.check()?;
        check_ids("prompt", prompt, self.vocab)?;
        super::check_total("n, the ids to sample", Some(n), "a shorter sample")?;
        if !(temperature > 0.0 && temperature.is_finite()) {
            return Err(Error::parameter(
                "temperature",
                "a finite number > 0 (1 samples the model as it is)",
                temperature,
            ));
        }
        let mut rng = seeded(seed);
        let mut history = prompt.to_vec();
        let mut weights = vec![0.0; self.vocab];
        for _ in 0..n {
            let context = &history[history.len().saturating_sub(self.order - 1)..];
            let p = self.distribution_at(self.order, context, smoothing);
            let top = p.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b.ln()));
            for (w, &px) in weights.iter_mut().zip(&p) {
                *w = ((px.ln() - top) / temperature).exp();
            }
            let total: f64 = weights.iter().sum();
            let mut u = rng.random::<f64>() * total;
            let mut next = self.vocab - 1;
            for (x, &w) in weights.iter().enumerate() {
                if u < w {
                    next = x;
                    break;
                }
                u -= w;
            }
            history.push(next);
        }
        Ok(history.split_off(prompt.len()))
    }
}

/// `P(x | h)` from its levels `m = 0..=top` (the last one the top), starting from the
/// uniform `1/V` below the empty context.
fn prob_from_levels(levels: &[Levels], smoothing: Smoothing, vocab: f64) -> f64 {
    let top = levels.len() - 1;
    levels.iter().enumerate().fold(1.0 / vocab, |p, (m, l)| {
        step(smoothing, p, l, m == top, vocab)
    })
}

/// Everything [`NGram`] keeps, as sorted `(key, entry)` lists, one for each `k = 0..=order`.
fn count_everything(
    train: &[usize],
    v: u64,
    powers: &[u64],
    order: usize,
) -> Vec<Vec<(u64, Entry)>> {
    // The k-grams with their counts c(w), sorted by key; k = 0: the empty one, n times.
    let counted: Vec<Vec<(u64, u32, u32)>> = (0..=order)
        .map(|k| {
            if k == 0 {
                return vec![(0, train.len() as u32, 1)];
            }
            let mut keys = Vec::with_capacity(train.len() + 1 - k.min(train.len()));
            let mut key = 0u64;
            for (i, &id) in train.iter().enumerate() {
                key = (key % powers[k - 1]) * v + id as u64;
                if i + 1 >= k {
                    keys.push(key);
                }
            }
            radix_sort(&mut keys, powers[k]);
            runs(keys.iter().map(|&key| (key, 1)))
        })
        .collect();
    let mut entries: Vec<Vec<(u64, Entry)>> = counted
        .iter()
        .map(|grams| {
            let entry = |&(key, count, _): &(u64, u32, u32)| {
                (
                    key,
                    Entry {
                        count,
                        ..Entry::default()
                    },
                )
            };
            grams.iter().map(entry).collect()
        })
        .collect();
    for k in 1..=order {
        // As contexts: c(h) and T(h) of every (k−1)-gram h, from the k-grams h y.
        let contexts = runs(counted[k].iter().map(|&(key, count, _)| (key / v, count)));
        merge(&mut entries[k - 1], &contexts, |e, total, distinct| {
            e.context_total = total;
            e.context_distinct = distinct;
        });
        if k < 2 {
            continue;
        }
        // N₁₊(• w) of every (k−1)-gram w, from the distinct k-grams y w.
        let mut suffixes: Vec<u64> = counted[k]
            .iter()
            .map(|&(key, _, _)| key % powers[k - 1])
            .collect();
        radix_sort(&mut suffixes, powers[k - 1]);
        let continuation = runs(suffixes.iter().map(|&w| (w, 1)));
        merge(&mut entries[k - 1], &continuation, |e, n, _| {
            e.continuation = n
        });
        // Σ_y N₁₊(• h y) and |{y : N₁₊(• h y) > 0}| of every (k−2)-gram h.
        let sums = runs(continuation.iter().map(|&(w, n, _)| (w / v, n)));
        merge(&mut entries[k - 2], &sums, |e, total, distinct| {
            e.continuation_total = total;
            e.continuation_distinct = distinct;
        });
    }
    entries
}

/// For `(key, weight)` pairs sorted by key: one `(key, Σ weights, number of pairs)` per
/// distinct key, in order.
fn runs(sorted: impl Iterator<Item = (u64, u32)>) -> Vec<(u64, u32, u32)> {
    let mut out: Vec<(u64, u32, u32)> = Vec::new();
    for (key, weight) in sorted {
        match out.last_mut() {
            Some(last) if last.0 == key => {
                last.1 += weight;
                last.2 += 1;
            }
            _ => out.push((key, weight, 1)),
        }
    }
    out
}

/// Walks `entries` and `stats` (both sorted by key, every key of `stats` one of
/// `entries`) together, calling `set` on the entry of each key of `stats`.
fn merge(
    entries: &mut [(u64, Entry)],
    stats: &[(u64, u32, u32)],
    set: impl Fn(&mut Entry, u32, u32),
) {
    let mut i = 0;
    for &(key, a, b) in stats {
        while entries[i].0 < key {
            i += 1;
        }
        debug_assert_eq!(entries[i].0, key);
        set(&mut entries[i].1, a, b);
    }
}

/// Sorts keys `< bound` in place: a least-significant-digit radix sort, 11 bits a pass,
/// as many passes as `bound` needs (`⌈log₂ bound / 11⌉`), each a counting sort that keeps
/// the order of the previous pass among equal digits.
fn radix_sort(keys: &mut Vec<u64>, bound: u64) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let bits = u64::BITS - (bound.max(2) - 1).leading_zeros();
    let mut buffer = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < bits {
        let digit = |key: u64| ((key >> shift) as usize) & (BUCKETS - 1);
        let mut start = vec![0usize; BUCKETS];
        for &key in keys.iter() {
            start[digit(key)] += 1;
        }
        let mut sum = 0;
        for s in start.iter_mut() {
            (*s, sum) = (sum, sum + *s);
        }
        for &key in keys.iter() {
            let d = digit(key);
            buffer[start[d]] = key;
            start[d] += 1;
        }
        std::mem::swap(keys, &mut buffer);
        shift += BITS;
    }
}
