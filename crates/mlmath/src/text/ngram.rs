//! n-gram models: counts of k-grams and three smoothings of them.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use super::{bad_id, check_ids};
use crate::error::{Error, Result};
use crate::random::{Rng, seeded};

/// The largest order an [`NGram`] takes: 10 (with `V^order ≤ 2⁶⁴` as well, see
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
            Smoothing::AddK(k) if !(k > 0.0 && k.is_finite()) => Err(Error::parameter(
                "k of add-k smoothing",
                "a finite number > 0 (k = 1 is Laplace's rule; try 0.01)",
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

/// What is known of a context `h`: `total = Σ_y N(h y)` and `distinct = |{y : N(h y) > 0}|`.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    total: u32,
    distinct: u32,
}

/// Counts of every k-gram, `k = 1..=order`, of a training sequence of ids.
///
/// A k-gram `s_1 … s_k` is kept as one `u64`, the number `Σ_j s_j V^(k−j)` written in
/// base `V` (so `key(h x) = key(h) · V + x`, and dropping the first id is `mod V^(k−1)`);
/// one hash map per `k`. Beside the counts `c(w)` it keeps, for every context, `c(h)` and
/// the number of distinct followers, and for Kneser-Ney the continuation counts
/// `N₁₊(• w)` and their sums.
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
    /// `grams[k − 1]`: `c(w)` of every k-gram `w`, `k = 1..=order`.
    grams: Vec<Map<u32>>,
    /// `contexts[m]`: `c(h)` and `T(h)` of every context of length `m = 0..order`.
    contexts: Vec<Map<Context>>,
    /// `continuation[k − 1]`: `N₁₊(• w)` of every k-gram `w`, `k = 1..order`.
    continuation: Vec<Map<u32>>,
    /// `continuation_contexts[m]`: `Σ_y N₁₊(• h y)` and `|{y : N₁₊(• h y) > 0}|`,
    /// `m = 0..order − 1`.
    continuation_contexts: Vec<Map<Context>>,
}

impl fmt::Debug for NGram {
    /// The order, vocabulary, training length and the number of distinct k-grams.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let distinct: Vec<usize> = self.grams.iter().map(HashMap::len).collect();
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
    /// `1..=MAX_ORDER`, or `vocab^order > 2⁶⁴` (the keys would not fit a `u64`; with 83
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
        let grams = count_grams(train, v, &powers, order);
        let contexts: Vec<Map<Context>> =
            grams.iter().map(|g| prefixes(g, |key| key / v)).collect();
        let mut continuation: Vec<Map<u32>> = Vec::with_capacity(order - 1);
        for k in 1..order {
            let mut n: Map<u32> = Map::default();
            for &key in grams[k].keys() {
                *n.entry(key % powers[k]).or_insert(0) += 1;
            }
            continuation.push(n);
        }
        let continuation_contexts = continuation
            .iter()
            .map(|n| prefixes(n, |key| key / v))
            .collect();
        Ok(NGram {
            vocab,
            order,
            train_len: train.len(),
            powers,
            grams,
            contexts,
            continuation,
            continuation_contexts,
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
            self.grams[k - 1].len()
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
            .and_then(|key| self.grams[gram.len() - 1].get(&key))
            .map_or(0, |&c| c as usize)
    }

    /// `c(h) = Σ_x c(h x)`: how many times the context `h` (`0 ≤ len < order`) occurs
    /// followed by an id; for the empty context, the training length. 0 for an unseen or
    /// too long `h`.
    pub fn context_count(&self, context: &[usize]) -> usize {
        if context.len() >= self.order {
            return 0;
        }
        self.key(context)
            .and_then(|key| self.contexts[context.len()].get(&key))
            .map_or(0, |c| c.total as usize)
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

    /// The counts of level `m` of a model whose top level is `top`: `(N(h x) map,
    /// context stats)`; the counts at the top, the continuation counts below it.
    fn level(&self, m: usize, top: usize) -> (&Map<u32>, &Map<Context>) {
        if m == top {
            (&self.grams[m], &self.contexts[m])
        } else {
            (&self.continuation[m], &self.continuation_contexts[m])
        }
    }

    /// [`prob`](Self::prob) for a model of order `order ≤ self.order`, inputs checked.
    pub(crate) fn prob_at(
        &self,
        order: usize,
        context: &[usize],
        next: usize,
        smoothing: Smoothing,
    ) -> f64 {
        let (keys, top) = self.context_keys(order, context);
        let v = self.vocab as u64;
        let x = next as u64;
        let count = |map: &Map<u32>, key: u64| map.get(&key).map_or(0.0, |&c| f64::from(c));
        let uniform = 1.0 / self.vocab as f64;
        match smoothing {
            Smoothing::AddK(k) => {
                let c_hx = count(&self.grams[top], keys[top] * v + x);
                let c_h = self.contexts[top]
                    .get(&keys[top])
                    .map_or(0.0, |c| f64::from(c.total));
                (c_hx + k) / (c_h + k * self.vocab as f64)
            }
            Smoothing::WittenBell => {
                let mut p = uniform;
                for (m, &key) in keys[..=top].iter().enumerate() {
                    if let Some(h) = self.contexts[m].get(&key) {
                        let t = f64::from(h.distinct);
                        let c_hx = count(&self.grams[m], key * v + x);
                        p = (c_hx + t * p) / (f64::from(h.total) + t);
                    }
                }
                p
            }
            Smoothing::KneserNey { discount: d } => {
                let mut p = uniform;
                for (m, &key) in keys[..=top].iter().enumerate() {
                    let (grams, contexts) = self.level(m, top);
                    if let Some(h) = contexts.get(&key) {
                        let n_hx = count(grams, key * v + x);
                        let kept = (n_hx - d).max(0.0);
                        p = (kept + d * f64::from(h.distinct) * p) / f64::from(h.total);
                    }
                }
                p
            }
        }
    }

    /// [`distribution`](Self::distribution) for a model of order `order ≤ self.order`.
    pub(crate) fn distribution_at(
        &self,
        order: usize,
        context: &[usize],
        smoothing: Smoothing,
    ) -> Vec<f64> {
        let (keys, top) = self.context_keys(order, context);
        let vocab = self.vocab;
        let v = vocab as u64;
        let count = |map: &Map<u32>, key: u64| map.get(&key).map_or(0.0, |&c| f64::from(c));
        let mut p = vec![1.0 / vocab as f64; vocab];
        match smoothing {
            Smoothing::AddK(k) => {
                let c_h = self.contexts[top]
                    .get(&keys[top])
                    .map_or(0.0, |c| f64::from(c.total));
                for (x, px) in p.iter_mut().enumerate() {
                    let c_hx = count(&self.grams[top], keys[top] * v + x as u64);
                    *px = (c_hx + k) / (c_h + k * vocab as f64);
                }
            }
            Smoothing::WittenBell => {
                for (m, &key) in keys[..=top].iter().enumerate() {
                    if let Some(h) = self.contexts[m].get(&key) {
                        let t = f64::from(h.distinct);
                        let total = f64::from(h.total);
                        for (x, px) in p.iter_mut().enumerate() {
                            let c_hx = count(&self.grams[m], key * v + x as u64);
                            *px = (c_hx + t * *px) / (total + t);
                        }
                    }
                }
            }
            Smoothing::KneserNey { discount: d } => {
                for (m, &key) in keys[..=top].iter().enumerate() {
                    let (grams, contexts) = self.level(m, top);
                    if let Some(h) = contexts.get(&key) {
                        let weight = d * f64::from(h.distinct);
                        let total = f64::from(h.total);
                        for (x, px) in p.iter_mut().enumerate() {
                            let n_hx = count(grams, key * v + x as u64);
                            *px = ((n_hx - d).max(0.0) + weight * *px) / total;
                        }
                    }
                }
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
        let total: f64 = (0..seq.len())
            .map(|i| {
                let context = &seq[i.saturating_sub(order - 1)..i];
                -self.prob_at(order, context, seq[i], smoothing).ln()
            })
            .sum();
        total / seq.len() as f64
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
    /// assert_eq!(m.unseen_context_share(&[0, 2, 1]), 0.5);
    /// ```
    pub fn unseen_context_share(&self, seq: &[usize]) -> f64 {
        self.unseen_at(self.order, seq)
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
                    .is_none_or(|key| !self.contexts[m].contains_key(&key))
            })
            .count();
        unseen as f64 / (seq.len() - m) as f64
    }

    /// `n` ids drawn one at a time after `prompt`, each from
    /// `P(x | previous ids)^(1/T)`, renormalised (`T` the `temperature`: below 1 sharper,
    /// above 1 flatter, `T → 0` the most likely id), with the generator `seeded(seed)`.
    /// Returns the `n` new ids (not the prompt); `prompt` may be empty.
    ///
    /// Errors: an id `≥ V` in `prompt`, `temperature` not finite and `> 0`, a smoothing
    /// parameter out of range.
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

/// `grams[k − 1]` = the count of every k-gram of `train`, `k = 1..=order`, each level
/// counted in its own pass (one hash map at a time stays in cache better).
fn count_grams(train: &[usize], v: u64, powers: &[u64], order: usize) -> Vec<Map<u32>> {
    (1..=order)
        .map(|k| {
            let mut counts: Map<u32> = Map::default();
            let mut key = 0u64;
            for (i, &id) in train.iter().enumerate() {
                key = (key % powers[k - 1]) * v + id as u64;
                if i + 1 >= k {
                    *counts.entry(key).or_insert(0) += 1;
                }
            }
            counts
        })
        .collect()
}

/// For a map `w → N(w)` of k-grams, the map `h → (Σ N(h y), |{y : N(h y) > 0}|)` of their
/// prefixes `h = prefix(w)`.
fn prefixes(counts: &Map<u32>, prefix: impl Fn(u64) -> u64) -> Map<Context> {
    let mut out: Map<Context> = Map::default();
    for (&key, &c) in counts {
        let h = out.entry(prefix(key)).or_default();
        h.total += c;
        h.distinct += 1;
    }
    out
}
