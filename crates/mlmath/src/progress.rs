//! A progress printer for training loops.
//!
//! A notebook streams a cell's standard output line by line, but a carriage
//! return (`\r`) does not redraw a line there, so progress is shown as a few
//! whole lines: about ten per run, each with a bar, the step and the metrics.
//!
//! ```
//! use mlmath::progress::Progress;
//! let mut progress = Progress::new("epoch", 100);
//! for epoch in 1..=100 {
//!     let loss = 1.0 / epoch as f64;
//!     progress.step(epoch, &[("loss", loss)]);
//! }
//! ```
//! prints `epoch  10/100 [##--------]  loss 0.1000  (0.0 s)` and nine more lines.

use std::fmt::Write as _;
use std::time::Instant;

/// Prints a line every `every` steps and at the last step.
#[derive(Debug, Clone)]
pub struct Progress {
    label: String,
    total: usize,
    every: usize,
    start: Instant,
}

impl Progress {
    /// A printer for `total` steps named `label` ("epoch", "step", ...),
    /// printing about ten lines in all.
    pub fn new(label: &str, total: usize) -> Self {
        Progress {
            label: label.to_string(),
            total,
            every: total.div_ceil(10).max(1),
            start: Instant::now(),
        }
    }

    /// Print every `every` steps instead (at least 1).
    pub fn every(mut self, every: usize) -> Self {
        self.every = every.max(1);
        self
    }

    /// Report step `i` (counted from 1) with named metrics; prints when due
    /// (every `every` steps, and at step `total`).
    pub fn step(&mut self, i: usize, metrics: &[(&str, f64)]) {
        if let Some(line) = self.line(i, metrics) {
            println!("{line}");
        }
    }

    /// The line that [`step`](Self::step) prints for step `i`, or `None`
    /// when step `i` is not one to report.
    pub fn line(&self, i: usize, metrics: &[(&str, f64)]) -> Option<String> {
        if !i.is_multiple_of(self.every) && i != self.total {
            return None;
        }
        const WIDTH: usize = 10;
        // In u128, so that no step count overflows the product.
        let filled = (i.min(self.total) as u128 * WIDTH as u128)
            .checked_div(self.total as u128)
            .map_or(WIDTH, |f| f as usize);
        let digits = self.total.to_string().len();
        let mut line = format!(
            "{} {:>digits$}/{} [{}{}]",
            self.label,
            i,
            self.total,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
        );
        for (name, value) in metrics {
            let _ = write!(line, "  {name} {}", format_metric(*value));
        }
        let _ = write!(line, "  ({:.1} s)", self.start.elapsed().as_secs_f64());
        Some(line)
    }
}

/// Four significant decimals for ordinary values, scientific notation for
/// very small or very large ones (a loss can fall to 1e-9).
fn format_metric(value: f64) -> String {
    let magnitude = value.abs();
    if value != 0.0 && !(1e-3..1e5).contains(&magnitude) {
        format!("{value:.3e}")
    } else {
        format!("{value:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_ten_lines_for_a_hundred_steps_and_always_the_last() {
        let p = Progress::new("epoch", 100);
        let printed: Vec<usize> = (1..=100).filter(|&i| p.line(i, &[]).is_some()).collect();
        assert_eq!(printed, vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
        let p = Progress::new("step", 7).every(3);
        let printed: Vec<usize> = (1..=7).filter(|&i| p.line(i, &[]).is_some()).collect();
        assert_eq!(printed, vec![3, 6, 7]);
    }

    #[test]
    fn the_bar_fills_in_proportion_and_metrics_are_named() {
        let p = Progress::new("epoch", 100);
        let line = p.line(30, &[("loss", 0.25), ("acc", 0.5)]).unwrap();
        assert!(
            line.starts_with("epoch  30/100 [###-------]  loss 0.2500  acc 0.5000"),
            "{line}"
        );
        assert!(p.line(100, &[]).unwrap().contains("[##########]"));
    }

    #[test]
    fn tiny_values_switch_to_scientific_notation() {
        assert_eq!(format_metric(2.5e-9), "2.500e-9");
        assert_eq!(format_metric(0.0), "0.0000");
        assert_eq!(format_metric(12.0), "12.0000");
    }
}
