//! The property suite: every public entry point of `mlmath`, driven with
//! random inputs — shapes from empty to one row to many, NaN and infinity,
//! huge and tiny magnitudes, large offsets, out-of-range indices and
//! parameters. Each property asserts that nothing panics and, where an
//! answer exists, that it agrees with an independent computation (a closed
//! form, a plain f64 reference, a hand-worked case).
//!
//! Run it with `cargo test -p mlmath --test properties`; it prints one line
//! per property with the cases run, and a total. `PROPTEST_CASES` sets the
//! number of cases per property (default 64).

// `!(a < b)` is meant: it is true for NaN, which `a >= b` is not.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod harness;
mod inputs;

mod data;
mod descent;
mod engine;
mod geometry;
mod learners;
mod numerics;
mod pictures;

fn main() {
    let mut suite = harness::Suite::new();
    data::all(&mut suite);
    geometry::all(&mut suite);
    numerics::all(&mut suite);
    learners::all(&mut suite);
    descent::all(&mut suite);
    pictures::all(&mut suite);
    engine::all(&mut suite);
    std::process::exit(suite.finish());
}
