//! The compute part of `cargo course bench`: the benchmark's own Python
//! (PyTorch, scikit-learn), the benchmark program built optimised, and its run.
//!
//! ```text
//! $XDG_DATA_HOME/rust-ml-course/   (see places.rs)
//!     bench-venv/    PyTorch and scikit-learn (pinned in bench-requirements.txt),
//!                    made by the first compute benchmark; the course's setup
//!                    never installs them
//! ```

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{places, setup};

/// The benchmark's virtual environment, beside the course's.
pub fn bench_venv() -> PathBuf {
    places::course_home().join("bench-venv")
}

/// What the compute benchmark was asked for.
pub struct Request {
    pub rounds: Option<String>,
    pub json: Option<PathBuf>,
    pub kernel: bool,
    pub only: Option<String>,
}

/// Makes the benchmark's Python if needed, builds the benchmark with the
/// `compute` profile, and runs it.
pub fn run(request: &Request) -> Result<(), String> {
    let python = reference_python()?;
    let (program, described) = build()?;
    let mut command = Command::new(&program);
    command
        .args(["--build", &described])
        .arg("--reference-python")
        .arg(&python)
        .current_dir(places::repo())
        // The kernel is found and started as the notebooks' tests start it.
        .env("JUPYTER_PLATFORM_DIRS", "1")
        .env("JUPYTER_PATH", places::jupyter_path());
    if let Some(rounds) = &request.rounds {
        command.args(["--rounds", rounds]);
    }
    if let Some(json) = &request.json {
        command.arg("--json").arg(json);
    }
    if let Some(only) = &request.only {
        command.args(["--only", only]);
    }
    if request.kernel {
        match kernel_missing() {
            None => {
                command
                    .arg("--kernel-python")
                    .arg(places::venv_bin("python"));
            }
            Some(why) => println!(
                "Workload 1 from a notebook cell is left out: {why}; \
                 `cargo course setup` sets that right."
            ),
        }
    }
    places::run(&mut command)
}

/// Why the notebooks' kernel cannot be started, if it cannot.
fn kernel_missing() -> Option<String> {
    if !places::venv_bin("python").exists() {
        return Some("the course's Python is not installed".into());
    }
    if setup::evcxr_binary().is_none() {
        return Some("the Rust kernel (evcxr_jupyter) is not installed".into());
    }
    if !places::course_kernelspec_dir().join("kernel.json").exists() {
        return Some("the course's kernelspec is not installed".into());
    }
    // The kernel's builds read the copy setup made of cargo-config.toml; the
    // benchmark is built with the file itself. Cell and benchmark compare
    // only when they agree.
    let installed = std::fs::read(places::builds().join(".cargo").join("config.toml"));
    let wanted = std::fs::read(places::repo().join("crates/course/cargo-config.toml"));
    match (installed, wanted) {
        (Ok(a), Ok(b)) if a == b => None,
        _ => Some(
            "the kernel's cargo settings (builds/.cargo/config.toml) differ from \
             crates/course/cargo-config.toml, so a cell would not build mlmath as the \
             benchmark does"
                .into(),
        ),
    }
}

/// The benchmark's Python, with PyTorch and scikit-learn: made on first use,
/// made again when bench-requirements.txt changes.
fn reference_python() -> Result<PathBuf, String> {
    let requirements = places::repo().join("crates/course/bench-requirements.txt");
    let pins = std::fs::read(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let wanted = places::fingerprint(&[&pins]);
    let venv = bench_venv();
    let python = venv.join("bin").join("python");
    if places::stamp_matches("bench-venv", &wanted) && python.exists() {
        return Ok(python);
    }
    println!(
        "The compute benchmark compares mlmath with PyTorch and scikit-learn. They go, once, into\n\
         {}, pinned in crates/course/bench-requirements.txt: about 6 GB and\n\
         3 minutes on 2 cores. PyPI's PyTorch for Linux cannot be imported without the CUDA\n\
         libraries it was built with, even on the CPU, and they are most of that size.\n\
         The course's notebooks never use this environment; deleting it frees the space.",
        venv.display()
    );
    let started = Instant::now();
    if !python.exists() {
        places::run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )
        .map_err(|e| format!("{e}. Debian/Ubuntu: `apt-get install python3-venv`"))?;
    }
    places::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                "--only-binary",
                ":all:",
                "-r",
            ])
            .arg(&requirements),
    )
    .map_err(|e| {
        format!(
            "{e}. If the network dropped or the disk filled, free space and run the benchmark \
             again (pip resumes); to start over, delete {}",
            venv.display()
        )
    })?;
    places::write_stamp("bench-venv", &wanted)?;
    println!(
        "  PyTorch and scikit-learn installed in {:.0} s ({:.1} GB)",
        started.elapsed().as_secs_f64(),
        places::folder_size(&venv) as f64 / 1e9
    );
    Ok(python)
}

/// Builds the benchmark program with the `compute` profile (Cargo.toml):
/// mlmath built as the notebooks' kernel builds it. Returns its path and
/// what it was built with.
fn build() -> Result<(PathBuf, String), String> {
    let settings = kernel_dependency_settings()?;
    let described = format!(
        "cargo profile compute with the kernel's {}",
        settings.join(", ")
    );
    println!("Building the compute benchmark ({described}) ...");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(places::repo()).args([
        "build",
        "--quiet",
        "--profile",
        "compute",
        "--bin",
        "compute-bench",
        "--message-format=json-render-diagnostics",
    ]);
    for setting in &settings {
        command
            .arg("--config")
            .arg(format!("profile.compute.{setting}"));
    }
    command.stdin(Stdio::null()).stderr(Stdio::inherit());
    let out = command
        .output()
        .map_err(|e| format!("could not start {}: {e}", places::describe(&command)))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({})",
            places::describe(&command),
            out.status
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "compute-bench")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .map(|program| (program, described))
        .ok_or_else(|| format!("{} named no program", places::describe(&command)))
}

/// The settings the kernel's builds give every dependency, mlmath among them:
/// the `key = value` lines under `[profile.dev.package."*"]` in
/// crates/course/cargo-config.toml. The benchmark's profile takes them too,
/// so that it follows the kernel when they change.
fn kernel_dependency_settings() -> Result<Vec<String>, String> {
    let path = places::repo().join("crates/course/cargo-config.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut inside = false;
    let mut settings = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[profile.dev.package.\"*\"]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("{}: cannot read the line {line:?}", path.display()))?;
            settings.push(format!("{}={}", key.trim(), value.trim()));
        }
    }
    Ok(settings)
}
