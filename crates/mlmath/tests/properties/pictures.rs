//! Properties of pictures (see main.rs).

use crate::harness::Suite;

pub fn all(_suite: &mut Suite) {}
