//! Runs the properties, counts their cases, and turns a panic or a failed
//! assertion into a reported failure (with proptest's shrunk input).

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// What a property returns: `Ok(())`, or a failure with a message.
pub type Outcome = Result<(), TestCaseError>;

/// Fails the property with a message unless `condition` holds.
#[macro_export]
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {{
        let holds: bool = $condition;
        if !holds {
            return Err(proptest::test_runner::TestCaseError::fail(format!($($message)+)));
        }
    }};
}

pub struct Suite {
    cases: usize,
    properties: usize,
    entry_points: BTreeSet<String>,
    failures: Vec<String>,
}

impl Suite {
    pub fn new() -> Suite {
        // The panics a property provokes are caught and reported once, with
        // the shrunk input; the default hook would print every one of them.
        std::panic::set_hook(Box::new(|_| {}));
        Suite {
            cases: 0,
            properties: 0,
            entry_points: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// Runs `property` on inputs drawn from `strategy`. `entry_points` names
    /// the public functions or methods it drives (for the count).
    pub fn check<S, F>(&mut self, name: &str, entry_points: &[&str], strategy: S, property: F)
    where
        S: Strategy,
        S::Value: Clone,
        F: Fn(S::Value) -> Outcome,
    {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(64);
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let ran = AtomicUsize::new(0);
        let mut runner = TestRunner::new_with_rng(
            config,
            proptest::test_runner::TestRng::deterministic_rng(
                proptest::test_runner::RngAlgorithm::ChaCha,
            ),
        );
        let result = runner.run(&strategy, |input| {
            ran.fetch_add(1, Ordering::Relaxed);
            match catch_unwind(AssertUnwindSafe(|| property(input))) {
                Ok(outcome) => outcome,
                Err(panic) => Err(TestCaseError::fail(format!(
                    "panicked: {}",
                    panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                        .unwrap_or("(no message)")
                ))),
            }
        });
        let ran = ran.into_inner();
        self.cases += ran;
        self.properties += 1;
        self.entry_points
            .extend(entry_points.iter().map(|e| e.to_string()));
        match result {
            Ok(()) => println!("ok    {name}: {ran} cases"),
            Err(e) => {
                println!("FAIL  {name}: {e}");
                self.failures.push(format!("{name}: {e}"));
            }
        }
    }

    /// Prints the totals and returns the exit code.
    pub fn finish(self) -> i32 {
        println!(
            "\nproperty suite: {} cases over {} properties, {} public entry points",
            self.cases,
            self.properties,
            self.entry_points.len()
        );
        for failure in &self.failures {
            println!("failed: {failure}");
        }
        println!(
            "{} passed, {} failed",
            self.properties - self.failures.len(),
            self.failures.len()
        );
        i32::from(!self.failures.is_empty())
    }
}
