//! The glibc malloc settings of the notebooks' kernel, for the programs that
//! should run mlmath as a cell runs it (the compute benchmark, the trainer).

use std::path::Path;

/// The glibc malloc settings the notebooks' kernel exports
/// (`crates/course/kernel.sh`: freed blocks are kept for the next training
/// step instead of going back to the system), as `(name, value)` pairs.
pub fn kernel_malloc_settings(repo: &Path) -> Vec<(String, String)> {
    let script = std::fs::read_to_string(repo.join("crates/course/kernel.sh")).unwrap_or_default();
    script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("export "))
        .flat_map(str::split_whitespace)
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, _)| name.starts_with("MALLOC_"))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}
