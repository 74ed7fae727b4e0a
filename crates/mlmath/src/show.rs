//! How a notebook shows the value a cell ends with, in one compile.
//!
//! When a cell ends with an expression, the Rust kernel (evcxr) compiles a
//! call to the value's `evcxr_display` method. When the value has none, the
//! compile fails and the kernel compiles the cell a second time, printing
//! the value with `Debug`. That second compile is a third of a cell's time.
//! The two traits here give every `Debug` value an `evcxr_display` that
//! prints what the kernel's fallback prints, so the first compile succeeds.
//!
//! Which method a cell's `(value).evcxr_display()` reaches follows Rust's
//! method lookup, which tries the value itself, then `&value`, then
//! `&mut value`:
//!
//! 1. [`ShowValue`] takes `self` for numbers, `bool`, `char` and `&str`:
//!    copies, so showing them moves nothing;
//! 2. a type's own `evcxr_display(&self)` (charts, tables, [`ShowTable`]
//!    for arrays and data frames) comes next, and wins for those types;
//! 3. [`ShowDebug`] takes `&mut self` for every `Debug` value and comes
//!    last. For a variable declared without `mut` the borrow is refused and
//!    the kernel falls back to its own `Debug` printing, as before: the same
//!    output, one compile more.
//!
//! One consequence: with the prelude in scope, the kernel's `:fmt` and
//! `:types` settings no longer change how such a value is shown (they apply
//! only to the kernel's own fallback). To see a value another way, print it:
//! `println!("{x:#?}")`.
//!
//! [`ShowTable`]: crate::table::ShowTable

use std::fmt::Debug;

/// Prints `text` the way the kernel shows a cell's value as plain text.
fn send_text_plain(text: &str) {
    println!("EVCXR_BEGIN_CONTENT text/plain\n{text}\nEVCXR_END_CONTENT");
}

/// Shows a number, `bool`, `char` or `&str` as the kernel's `Debug` fallback does.
pub trait ShowValue {
    /// Prints the value for the notebook (called by the kernel).
    fn evcxr_display(self);
}

macro_rules! show_value {
    ($($t:ty),*) => {
        $(impl ShowValue for $t {
            fn evcxr_display(self) {
                send_text_plain(&format!("{self:?}"));
            }
        })*
    };
}

show_value!(
    f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char, &str
);

/// Shows any `Debug` value as the kernel's fallback does; reached only when
/// the value has no display of its own.
pub trait ShowDebug {
    /// Prints the value for the notebook (called by the kernel).
    fn evcxr_display(&mut self);
}

impl<T: Debug + ?Sized> ShowDebug for T {
    fn evcxr_display(&mut self) {
        send_text_plain(&format!("{self:?}"));
    }
}

#[cfg(test)]
mod tests {
    // These tests are about which method a cell's `(value).evcxr_display()`
    // reaches; each would fail to compile if lookup picked the wrong trait.
    use super::*;
    use crate::table::ShowTable;
    use ndarray::{Array2, array};

    #[test]
    fn a_table_type_keeps_its_own_display() {
        let x = array![[1.0, 2.0]];
        // Through ShowDebug this would need `let mut x` (E0596): it resolves to ShowTable.
        (x).evcxr_display();
        let table: fn(&Array2<f64>) = <Array2<f64> as ShowTable>::evcxr_display;
        table(&x);
    }

    #[test]
    fn numbers_and_text_show_by_value() {
        let n = 3.5_f64;
        let s = "hello";
        // Through ShowDebug these would need `mut` bindings: they resolve to ShowValue.
        (n).evcxr_display();
        (s).evcxr_display();
        (n as usize + 1).evcxr_display();
    }

    #[test]
    fn other_values_show_by_debug() {
        let mut v = vec![1, 2];
        (v).evcxr_display();
        (Some(2.5)).evcxr_display();
    }
}
