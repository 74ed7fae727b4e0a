//! Text as its own label: characters and their ids, the course's split of
//! Moby-Dick, windows for learned models, and n-gram language models.
//!
//! ## The task
//!
//! A text `x_1 x_2 … x_n` labels itself: at every position the label is the
//! next character, and a model gives `P(x_i | x_1 … x_{i−1})`. Its quality on
//! held-out text is the cross-entropy
//!
//! ```text
//! H = −(1/n) Σ_i ln P(x_i | x_1 … x_{i−1})     (nats per character; ÷ ln 2 for bits)
//! ```
//!
//! the mean surprise of the next character. A model that knew nothing (uniform over `V`
//! characters) scores `ln V`; Shannon (1951) bounded what people reading English with
//! long contexts achieve between about 0.6 and 1.3 bits per letter.
//!
//! ## The pieces
//!
//! - [`Vocab`]: the sorted characters of a text, each with an id `0..V`.
//! - [`moby_splits`]: Moby-Dick as ids, split into train, validation and test.
//! - [`NGram`]: counts of every k-gram, `k = 1..=order`, and the conditional probabilities
//!   they give under a [`Smoothing`] (add-k, Witten-Bell, interpolated Kneser-Ney).
//! - [`best_on_validation`]: the selection rule of the course in one call.
//! - [`random_windows`] and [`context_windows`]: training examples for learned models.
//!
//! ## n-grams and smoothing
//!
//! An n-gram model (order `n`) forgets all but the last `n − 1` characters:
//! `P(x_i | x_1 … x_{i−1}) ≈ P(x_i | h)`, `h = x_{i−n+1} … x_{i−1}`, estimated from counts
//! of the training text. The maximum-likelihood estimate `c(h x) / c(h)` gives probability
//! 0 to every continuation not seen in training, an infinite surprise on new text; a
//! [`Smoothing`] moves some probability to the unseen ones. Add-k spreads it evenly, so a
//! context never seen in training (more and more of them as the order grows: see
//! [`NGram::unseen_context_share`]) gets the uniform `1/V`, and the cross-entropy climbs
//! back with the order. Witten-Bell and Kneser-Ney *interpolate*: they mix in the
//! estimate of the shorter context `h'` in proportion to how often `h` met something new,
//! and an unseen context falls back to `h'` entirely.
//!
//! ## The selection rule
//!
//! Every choice (the order, `k`, the discount) is made on the validation text with
//! counts from the training text only. The chosen setting is then refitted on
//! training + validation (more counts, same setting) and scored once on the test text.
//! [`best_on_validation`] does exactly this; its [`Choice`] holds every validation number
//! and the one test number.
//!
//! ```
//! use mlmath::text::{NGram, Smoothing, Vocab};
//! let vocab = Vocab::from_text("abracadabra").unwrap();
//! let ids = vocab.encode("abracadabra").unwrap();
//! let model = NGram::fit(&ids, vocab.len(), 2).unwrap();
//! // after 'a': b twice, c once, d once; add-1 over 5 characters: (2 + 1) / (4 + 5)
//! let p = model.prob(&vocab.encode("a").unwrap(), vocab.id('b').unwrap(), Smoothing::AddK(1.0));
//! assert!((p.unwrap() - 3.0 / 9.0).abs() < 1e-12);
//! ```

use std::fmt;

use crate::error::{Error, Result};
use crate::random::{MAX_DRAWS, Rng, StdRng};

mod ngram;
mod select;

pub use ngram::{MAX_ORDER, NGram, Smoothing};
pub use select::{Choice, best_on_validation};

#[cfg(test)]
mod tests;

/// The characters of a text, sorted (by `char`, i.e. by Unicode scalar value), each with
/// an id `0..len`: the id of a character is its rank in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocab {
    chars: Vec<char>,
}

impl Vocab {
    /// The distinct characters of `text`, sorted. An error for an empty text.
    ///
    /// ```
    /// let v = mlmath::text::Vocab::from_text("hello").unwrap();
    /// assert_eq!(v.chars(), &['e', 'h', 'l', 'o']);
    /// assert!(mlmath::text::Vocab::from_text("").is_err());
    /// ```
    pub fn from_text(text: &str) -> Result<Vocab> {
        if text.is_empty() {
            return Err(Error::parameter(
                "the text of a vocabulary",
                "at least one character",
                "an empty string",
            ));
        }
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Ok(Vocab { chars })
    }

    /// The number of characters `V`.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Always false: a vocabulary holds at least one character.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The characters, in id order: `chars()[id]` is the character of `id`.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The id of `c`, or `None` when the vocabulary lacks it.
    pub fn id(&self, c: char) -> Option<usize> {
        self.chars.binary_search(&c).ok()
    }

    /// The ids of the characters of `text`. An error naming the first character the
    /// vocabulary lacks and its position (counted in characters from 0).
    ///
    /// ```
    /// let v = mlmath::text::Vocab::from_text("abc").unwrap();
    /// assert_eq!(v.encode("cab").unwrap(), vec![2, 0, 1]);
    /// assert!(v.encode("abd").unwrap_err().to_string().contains("'d'"));
    /// ```
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                self.id(c).ok_or_else(|| {
                    Error::parameter(
                        format!("character {i} of the text"),
                        format!(
                            "one of the {} characters of the vocabulary (build the \
                             vocabulary from a text that holds every character)",
                            self.len()
                        ),
                        format!("{c:?}"),
                    )
                })
            })
            .collect()
    }

    /// The text of `ids`. An error naming the first id `≥ len()` and its position.
    ///
    /// ```
    /// let v = mlmath::text::Vocab::from_text("abc").unwrap();
    /// assert_eq!(v.decode(&[2, 0, 1]).unwrap(), "cab");
    /// assert!(v.decode(&[3]).is_err());
    /// ```
    pub fn decode(&self, ids: &[usize]) -> Result<String> {
        ids.iter()
            .enumerate()
            .map(|(i, &id)| {
                self.chars
                    .get(id)
                    .copied()
                    .ok_or_else(|| bad_id(&format!("id {i} of the sequence"), id, self.len()))
            })
            .collect()
    }
}

impl fmt::Display for Vocab {
    /// `"83 characters: \n !$&()…"`, a newline shown as `\n` and a tab as `\t`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} characters: ", self.len())?;
        for &c in &self.chars {
            match c {
                '\n' => write!(f, "\\n")?,
                '\t' => write!(f, "\\t")?,
                '\r' => write!(f, "\\r")?,
                c => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}

/// An error for an id outside `0..vocab`.
pub(crate) fn bad_id(what: &str, id: usize, vocab: usize) -> Error {
    Error::parameter(
        what,
        format!(
            "an id below the vocabulary size {vocab} (encode the text with the vocabulary \
             the model was fitted with)"
        ),
        id,
    )
}

/// Checks that every id of `ids` is below `vocab`.
pub(crate) fn check_ids(what: &str, ids: &[usize], vocab: usize) -> Result<()> {
    match ids.iter().position(|&id| id >= vocab) {
        Some(i) => Err(bad_id(&format!("{what}[{i}]"), ids[i], vocab)),
        None => Ok(()),
    }
}

/// A text split in three, as ids: fit on `train`, choose on `val`, report on `test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splits {
    /// The training text.
    pub train: Vec<usize>,
    /// The validation text (for every choice of a hyperparameter).
    pub val: Vec<usize>,
    /// The test text (scored once, at the end).
    pub test: Vec<usize>,
}

impl fmt::Display for Splits {
    /// `"train 964156, validation 107129, test 119032 characters"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "train {}, validation {}, test {} characters",
            self.train.len(),
            self.val.len(),
            self.test.len()
        )
    }
}

/// Moby-Dick (see [`crate::data::moby_dick`]) as ids, split as the course does it.
///
/// With `n` the number of characters (1,190,317, of 83 distinct ones):
///
/// ```text
/// train + val = the first ⌊0.9 n⌋ = 1,071,285 characters
///   train     = the first ⌊0.9 ⌊0.9 n⌋⌋ = 964,156 of them
///   val       = the rest of them, 107,129 characters (the last tenth)
/// test        = the last n − ⌊0.9 n⌋ = 119,032 characters
/// ```
///
/// (the floors computed exactly in integers, `⌊9 m / 10⌋`). The split is by position, not
/// at random: the test text is a later part of the book, as a model's future text would
/// be. The vocabulary is the characters of the whole book; the training text alone
/// already holds all 83 of them (a test checks it), so no id of val or test is unseen in
/// training.
///
/// ```no_run
/// let (vocab, splits) = mlmath::text::moby_splits().unwrap();
/// assert_eq!(vocab.len(), 83);
/// assert_eq!(splits.train.len(), 964_156);
/// ```
pub fn moby_splits() -> Result<(Vocab, Splits)> {
    let text = crate::data::moby_dick()?;
    let vocab = Vocab::from_text(&text)?;
    let ids = vocab.encode(&text)?;
    let n = ids.len();
    let train_and_val = 9 * n / 10;
    let train = 9 * train_and_val / 10;
    let splits = Splits {
        train: ids[..train].to_vec(),
        val: ids[train..train_and_val].to_vec(),
        test: ids[train_and_val..].to_vec(),
    };
    Ok((vocab, splits))
}

/// `batch` windows of `t + 1` consecutive ids of `ids`, each starting at a position drawn
/// uniformly from the `len − t` valid starts `0..=len − t − 1` (independently, with
/// replacement), as `(inputs, targets)`: both `batch · t` ids, row-major `(batch, t)`,
/// with `inputs[b][j] = ids[s_b + j]` and `targets[b][j] = ids[s_b + j + 1]`, the next id.
///
/// Errors: `batch = 0`, `t = 0`, `ids` shorter than `t + 1`, or more than
/// [`MAX_DRAWS`] ids in all (`batch · t`).
///
/// ```
/// use mlmath::random::seeded;
/// let ids: Vec<usize> = (0..10).collect();
/// let (x, y) = mlmath::text::random_windows(&ids, 2, 3, &mut seeded(0)).unwrap();
/// assert_eq!((x.len(), y.len()), (6, 6));
/// assert_eq!(y[0], x[0] + 1);
/// ```
pub fn random_windows(
    ids: &[usize],
    batch: usize,
    t: usize,
    rng: &mut StdRng,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if batch == 0 {
        return Err(Error::parameter("batch", "at least 1 window", batch));
    }
    if t == 0 {
        return Err(Error::parameter("t", "at least 1 position a window", t));
    }
    if ids.len() <= t {
        return Err(Error::parameter(
            "the length of ids",
            format!(
                "at least t + 1 = {} (a window and its next id; use a smaller t)",
                t + 1
            ),
            ids.len(),
        ));
    }
    check_total(
        "batch · t",
        batch.checked_mul(t),
        "fewer windows or shorter ones",
    )?;
    let starts = ids.len() - t;
    let mut inputs = Vec::with_capacity(batch * t);
    let mut targets = Vec::with_capacity(batch * t);
    for _ in 0..batch {
        let s = rng.random_range(0..starts);
        inputs.extend_from_slice(&ids[s..s + t]);
        targets.extend_from_slice(&ids[s + 1..s + t + 1]);
    }
    Ok((inputs, targets))
}

/// The examples of a fixed-window model (Bengio et al. 2003): for every position
/// `i = width..len` of `ids`, the `width` ids before it and the id at `i`, as
/// `(contexts, targets)`: `contexts` row-major `(n, width)` with row `r` =
/// `ids[r .. r + width]`, `targets[r] = ids[r + width]`, and `n = len − width`.
///
/// Errors: `width = 0`, `ids` not longer than `width` (no example), or more than
/// [`MAX_DRAWS`] context ids in all (`n · width`).
///
/// ```
/// let (x, y) = mlmath::text::context_windows(&[5, 6, 7, 8], 2).unwrap();
/// assert_eq!(x, vec![5, 6, 6, 7]);
/// assert_eq!(y, vec![7, 8]);
/// ```
pub fn context_windows(ids: &[usize], width: usize) -> Result<(Vec<usize>, Vec<usize>)> {
    if width == 0 {
        return Err(Error::parameter("width", "at least 1 id of context", width));
    }
    if ids.len() <= width {
        return Err(Error::parameter(
            "the length of ids",
            format!("more than width = {width} (one example a position after the first width)"),
            ids.len(),
        ));
    }
    let n = ids.len() - width;
    check_total(
        "n · width",
        n.checked_mul(width),
        "a shorter text or a narrower window",
    )?;
    let mut contexts = Vec::with_capacity(n * width);
    for r in 0..n {
        contexts.extend_from_slice(&ids[r..r + width]);
    }
    Ok((contexts, ids[width..].to_vec()))
}

/// An error when `total` (`None`: overflowed) is above [`MAX_DRAWS`]: an allocation that
/// large is a typo, and would exhaust the memory rather than fail.
fn check_total(what: &str, total: Option<usize>, fix: &str) -> Result<()> {
    match total {
        Some(t) if t <= MAX_DRAWS => Ok(()),
        _ => Err(Error::parameter(
            what,
            format!("at most {MAX_DRAWS} ids in all (use {fix})"),
            total.map_or("more than usize::MAX".to_string(), |t| t.to_string()),
        )),
    }
}
