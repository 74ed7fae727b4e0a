//! `cargo course doctor`: what is installed, and for anything missing, the fix.

use crate::places::{self, EVCXR_VERSION, KERNEL_NAME};
use crate::setup::evcxr_binary;

pub fn doctor() -> Result<(), String> {
    let mut missing = 0;
    let mut line = |name: &str, found: Option<String>, fix: &str| match found {
        Some(what) => println!("  ok       {name:<16} {what}"),
        None => {
            missing += 1;
            println!("  MISSING  {name:<16} fix: {fix}");
        }
    };
    println!("The course's environment:");
    line(
        "rustc",
        places::first_line("rustc", &["--version"]),
        "install Rust with rustup (rustup.rs)",
    );
    line(
        "cargo",
        places::first_line("cargo", &["--version"]),
        "install Rust with rustup (rustup.rs)",
    );
    let rust_src = std::process::Command::new("rustup")
        .args(["component", "list", "--installed"])
        .output()
        .ok()
        .filter(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.starts_with("rust-src"))
        })
        .map(|_| "installed".to_string());
    line("rust-src", rust_src, "rustup component add rust-src");
    line(
        "python3",
        places::first_line("python3", &["--version"]),
        "install Python 3 (Debian: apt-get install python3 python3-venv)",
    );
    line(
        "evcxr_jupyter",
        evcxr_binary().map(|b| format!("{EVCXR_VERSION} ({})", b.display())),
        &format!("cargo course setup (installs evcxr_jupyter {EVCXR_VERSION}, about 12 minutes)"),
    );
    line(
        "JupyterLab",
        places::first_line(places::venv_bin("jupyter-lab"), &["--version"])
            .map(|v| format!("{v} in {}", places::venv().display())),
        "cargo course setup",
    );
    let spec = places::kernelspec_dir().join("kernel.json");
    line(
        "kernelspec",
        spec.exists()
            .then(|| format!("{KERNEL_NAME:?} at {}", spec.display())),
        "cargo course setup",
    );
    let pooled = places::course_kernelspec_dir().join("kernel.json");
    line(
        "kernel pool",
        pooled
            .exists()
            .then(|| format!("the course's kernelspec at {}", pooled.display())),
        "cargo course setup",
    );
    println!(
        "  info     {:<16} {}",
        "polars (ch. 03)",
        if crate::setup::frames_ready() {
            "compiled into the kernel's cache"
        } else {
            "not compiled by setup: notebook 03's first run compiles it (`cargo course setup --frames` does it now)"
        }
    );
    let mb = |bytes: u64| format!("{:.0} MB", bytes as f64 / 1e6);
    println!(
        "  info     {:<16} {} in {}",
        "evcxr cache",
        mb(places::folder_size(&places::evcxr_cache())),
        places::evcxr_cache().display()
    );
    println!(
        "  info     {:<16} {} in {}",
        "notebook builds",
        mb(places::folder_size(&places::builds())),
        places::builds().display()
    );
    line(
        "data",
        mlmath::data::verify_all()
            .map(|n| format!("{n} files match data/SHA256SUMS"))
            .map_err(|e| println!("           {e}"))
            .ok(),
        "git checkout data/   (restores the shipped files)",
    );
    line(
        "notebooks",
        Some(format!(
            "{} in {}",
            places::notebooks().len(),
            places::repo().join("notebooks").display()
        )),
        "",
    );
    if missing == 0 {
        println!("Everything is in place: `cargo course lab` opens the course.");
        Ok(())
    } else {
        Err(format!(
            "{missing} thing(s) missing; the fixes are listed above"
        ))
    }
}
