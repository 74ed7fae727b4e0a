//! Choosing an n-gram's order and smoothing on validation, then scoring it once on test.

use super::{NGram, Smoothing, Splits, check_ids};
use crate::error::{Error, Result};
use crate::table::{ShowTable, Table, format_number};

/// The outcome of [`best_on_validation`]: every candidate's validation score, the one
/// chosen, and its test score after refitting on train + validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The chosen smoothing (from the grid).
    pub smoothing: Smoothing,
    /// The chosen order.
    pub order: usize,
    /// Its validation nats/char (counts from train only).
    pub val_nats: f64,
    /// Its test nats/char, counts from train + validation (the one test number).
    pub test_nats: f64,
    /// Every candidate: `(order, smoothing, validation nats/char)`, orders outer.
    pub sweep: Vec<(usize, Smoothing, f64)>,
}

impl Choice {
    /// The validation nats/char of `order` under `smoothing`, if it was a candidate.
    pub fn val(&self, order: usize, smoothing: Smoothing) -> Option<f64> {
        self.sweep
            .iter()
            .find(|(o, s, _)| *o == order && *s == smoothing)
            .map(|c| c.2)
    }
}

/// The selection rule of the course for n-gram models, in one call:
///
/// 1. fit the counts on `splits.train` only (once, at the largest order: the counts of an
///    order-`n` model hold those of every lower order);
/// 2. score every `(order, smoothing)` of `orders × grid` on `splits.val` (nats/char);
/// 3. choose the lowest (the first in sweep order on a tie);
/// 4. refit the chosen order on `train + val` (more counts, same setting) and score
///    `splits.test` once.
///
/// The test text plays no part in the choice.
///
/// Errors: no order or an empty grid, an order outside `1..=MAX_ORDER`, a smoothing out
/// of range, an empty split, an id `≥ vocab`.
///
/// ```
/// use mlmath::text::{Smoothing, Splits, best_on_validation};
/// let ids: Vec<usize> = (0..300).map(|i| [0, 1, 2, 1][i % 4]).collect();
/// let splits = Splits { train: ids[..200].to_vec(), val: ids[200..250].to_vec(),
///                       test: ids[250..].to_vec() };
/// let c = best_on_validation(3, &splits, 1..=3, &[0.01, 1.0].map(Smoothing::AddK)).unwrap();
/// assert_eq!((c.order, c.smoothing), (3, Smoothing::AddK(0.01)));
/// assert_eq!(c.sweep.len(), 6);
/// ```
pub fn best_on_validation(
    vocab: usize,
    splits: &Splits,
    orders: impl IntoIterator<Item = usize>,
    grid: &[Smoothing],
) -> Result<Choice> {
    let orders: Vec<usize> = orders.into_iter().collect();
    select(vocab, splits, &orders, grid)
}

fn select(vocab: usize, splits: &Splits, orders: &[usize], grid: &[Smoothing]) -> Result<Choice> {
    if orders.is_empty() {
        return Err(Error::parameter(
            "orders",
            "at least one order (e.g. 1..=8)",
            "none",
        ));
    }
    if grid.is_empty() {
        return Err(Error::parameter(
            "grid",
            "at least one smoothing (e.g. [Smoothing::WittenBell])",
            "an empty grid",
        ));
    }
    for s in grid {
        s.check()?;
    }
    for (name, part) in [("val", &splits.val), ("test", &splits.test)] {
        if part.is_empty() {
            return Err(Error::empty(format!("splits.{name}")));
        }
        check_ids(&format!("splits.{name}"), part, vocab)?;
    }
    let largest = *orders.iter().max().unwrap_or(&1);
    if let Some(&bad) = orders.iter().find(|&&o| o == 0) {
        return Err(Error::parameter("an order", "at least 1", bad));
    }
    let counts = NGram::fit(&splits.train, vocab, largest)?;
    let mut sweep = Vec::with_capacity(orders.len() * grid.len());
    for &order in orders {
        for &s in grid {
            sweep.push((order, s, counts.nats_at(order, &splits.val, s)));
        }
    }
    let &(order, smoothing, val_nats) = sweep
        .iter()
        .fold(
            None,
            |best: Option<&(usize, Smoothing, f64)>, c| match best {
                Some(b) if b.2 <= c.2 => Some(b),
                _ => Some(c),
            },
        )
        .expect("the sweep holds at least one candidate");
    drop(counts);
    let train_and_val = [splits.train.as_slice(), splits.val.as_slice()].concat();
    let refit = NGram::fit(&train_and_val, vocab, order)?;
    let test_nats = refit.nats_at(order, &splits.test, smoothing);
    Ok(Choice {
        smoothing,
        order,
        val_nats,
        test_nats,
        sweep,
    })
}

impl ShowTable for Choice {
    /// One row per order, one column per smoothing of the grid: validation nats/char,
    /// the chosen cell marked `◀`; the caption gives the choice and its test number.
    fn table(&self) -> Table {
        let mut grid: Vec<Smoothing> = Vec::new();
        let mut orders: Vec<usize> = Vec::new();
        for &(o, s, _) in &self.sweep {
            if !grid.contains(&s) {
                grid.push(s);
            }
            if !orders.contains(&o) {
                orders.push(o);
            }
        }
        let header = std::iter::once("order".to_string()).chain(grid.iter().map(|s| s.to_string()));
        let mut table = Table::new(header);
        for &o in &orders {
            let cells = grid.iter().map(|&s| match self.val(o, s) {
                Some(h) if o == self.order && s == self.smoothing => {
                    format!("{} ◀", format_number(h))
                }
                Some(h) => format_number(h),
                None => String::new(),
            });
            table.push_row(std::iter::once(o.to_string()).chain(cells));
        }
        table.caption(&format!(
            "validation nats/char (counts from train); chosen: order {}, {} ({} nats/char); \
             refitted on train + validation, test: {} nats/char",
            self.order,
            self.smoothing,
            format_number(self.val_nats),
            format_number(self.test_nats)
        ))
    }
}
