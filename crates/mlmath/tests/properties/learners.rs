//! Properties of learners (see main.rs).

use crate::harness::Suite;

pub fn all(_suite: &mut Suite) {}
