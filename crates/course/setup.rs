//! `cargo course setup`: installs what the course needs, skipping what is there.
//!
//! Every step checks first and records success last, so a run that was
//! interrupted (a dropped network, Ctrl-C) is repaired by running it again.

use std::process::Command;
use std::time::Instant;

use crate::places::{self, EVCXR_VERSION, KERNEL_DISPLAY_NAME, KERNEL_NAME};

/// What one step did.
enum Outcome {
    Done(String),
    Skipped(String),
}

/// One step of setup: what it did, or why it failed.
type Step = fn() -> Result<Outcome, String>;

/// Runs every step; stops at the first failure with a message that names the fix.
pub fn setup() -> Result<(), String> {
    let started = Instant::now();
    println!(
        "Setting up the course (per-user folder: {})",
        places::course_home().display()
    );
    let steps: [(&str, Step); 6] = [
        ("python", check_python),
        ("rust-src", rust_src),
        ("evcxr_jupyter", evcxr_jupyter),
        ("JupyterLab", python_env),
        ("kernel", kernel),
        ("warm build cache", warm_cache),
    ];
    for (name, step) in steps {
        let t = Instant::now();
        match step() {
            Ok(Outcome::Done(what)) => println!(
                "  done     {name:<17} {what} ({:.0} s)",
                t.elapsed().as_secs_f64()
            ),
            Ok(Outcome::Skipped(why)) => println!("  skipped  {name:<17} {why}"),
            Err(e) => return Err(format!("setup step {name:?} failed: {e}")),
        }
    }
    println!(
        "Setup finished in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn check_python() -> Result<Outcome, String> {
    let version = places::first_line("python3", &["--version"]).ok_or(
        "python3 was not found. Install Python 3.9 or newer (Debian/Ubuntu: `apt-get install python3 python3-venv python3-pip`), then run `cargo course setup` again",
    )?;
    places::first_line("python3", &["-m", "venv", "--help"]).ok_or(
        "python3 cannot make virtual environments (the venv module is missing). Debian/Ubuntu: `apt-get install python3-venv`, then run `cargo course setup` again",
    )?;
    Ok(Outcome::Skipped(format!("{version} is there")))
}

fn rust_src() -> Result<Outcome, String> {
    let installed = Command::new("rustup")
        .args(["component", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup was not found ({e}); install Rust with rustup from rustup.rs, then run `cargo course setup` again"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.starts_with("rust-src"))
    {
        return Ok(Outcome::Skipped("already installed".into()));
    }
    places::run(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    Ok(Outcome::Done(
        "installed (the kernel needs the standard library's source)".into(),
    ))
}

/// The installed evcxr_jupyter, if it is the pinned version. The kernel has
/// no `--version`, so cargo's list of installed packages tells the version.
pub fn evcxr_binary() -> Option<std::path::PathBuf> {
    let list = Command::new("cargo")
        .args(["install", "--list"])
        .output()
        .ok()?;
    let wanted = format!("evcxr_jupyter v{EVCXR_VERSION}:");
    let listed = String::from_utf8_lossy(&list.stdout)
        .lines()
        .any(|l| l.trim() == wanted);
    let binary = places::cargo_bin("evcxr_jupyter");
    (listed && binary.exists()).then_some(binary)
}

fn evcxr_jupyter() -> Result<Outcome, String> {
    if evcxr_binary().is_some() {
        return Ok(Outcome::Skipped(format!(
            "evcxr_jupyter {EVCXR_VERSION} is installed"
        )));
    }
    println!(
        "  installing evcxr_jupyter {EVCXR_VERSION} with `cargo install --locked`: this compiles the kernel\n  \
         and takes about 12 minutes the first time (2 cores). Cargo's progress follows."
    );
    places::run(Command::new("cargo").args(["install", "--locked", "evcxr_jupyter", "--version", EVCXR_VERSION]))
        .map_err(|e| format!("{e}. Check the network and disk space, then run `cargo course setup` again: it starts over cleanly"))?;
    Ok(Outcome::Done(format!(
        "evcxr_jupyter {EVCXR_VERSION} installed"
    )))
}

fn python_env() -> Result<Outcome, String> {
    let requirements_path = places::repo().join("crates/course/requirements.txt");
    let constraints_path = places::repo().join("crates/course/constraints.txt");
    let requirements = std::fs::read(&requirements_path)
        .map_err(|e| format!("cannot read {}: {e}", requirements_path.display()))?;
    let constraints = std::fs::read(&constraints_path).unwrap_or_default();
    let wanted = places::fingerprint(&[&requirements, &constraints]);
    let python = places::venv_bin("python");
    if places::stamp_matches("venv", &wanted) && python.exists() {
        return Ok(Outcome::Skipped(format!(
            "JupyterLab is installed in {}",
            places::venv().display()
        )));
    }
    if !python.exists() {
        println!(
            "  creating a virtual environment in {}",
            places::venv().display()
        );
        places::run(Command::new("python3").arg("-m").arg("venv").arg("--clear").arg(places::venv()))
            .map_err(|e| format!("{e}. Debian/Ubuntu: `apt-get install python3-venv`, then run `cargo course setup` again"))?;
    }
    println!("  installing JupyterLab, nbclient and nbconvert (pinned) with pip: about a minute");
    let mut pip = Command::new(&python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        "-r",
    ])
    .arg(&requirements_path);
    if constraints_path.exists() {
        pip.arg("-c").arg(&constraints_path);
    }
    places::run(&mut pip).map_err(|e| {
        format!(
            "{e}. If pip is missing: `python3 -m ensurepip` or `apt-get install python3-pip`; \
             if the network dropped, run `cargo course setup` again (it resumes); \
             to start over, delete {}",
            places::venv().display()
        )
    })?;
    places::write_stamp("venv", &wanted)?;
    Ok(Outcome::Done(
        "JupyterLab, nbclient, nbconvert installed".into(),
    ))
}

/// The kernelspec Jupyter starts the notebooks with, and the kernel's own configuration.
fn kernel() -> Result<Outcome, String> {
    let evcxr = evcxr_binary().ok_or("evcxr_jupyter is not installed; run `cargo course setup`")?;
    // The kernel's configuration, its cargo settings, and its launcher.
    let config = places::evcxr_config();
    let launcher = places::course_home().join("kernel.sh");
    install("init.evcxr", &config.join("init.evcxr"))?;
    install(
        "cargo-config.toml",
        &places::builds().join(".cargo").join("config.toml"),
    )?;
    install("kernel.sh", &launcher)?;
    let spec = serde_json::json!({
        "argv": ["/bin/sh", launcher.to_string_lossy(), evcxr.to_string_lossy(), places::builds().to_string_lossy(), "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "rust",
        "interrupt_mode": "message",
        "env": {
            "EVCXR_CONFIG_DIR": config.to_string_lossy(),
            "LD_LIBRARY_PATH": rust_std_dir()?.to_string_lossy(),
        },
    });
    let text = serde_json::to_string_pretty(&spec).expect("a JSON value serialises");
    let dir = places::kernelspec_dir();
    let file = dir.join("kernel.json");
    if std::fs::read_to_string(&file).is_ok_and(|old| old == text) {
        return Ok(Outcome::Skipped(format!(
            "kernelspec {KERNEL_NAME:?} is up to date"
        )));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(Outcome::Done(format!(
        "kernelspec {KERNEL_NAME:?} written to {}",
        dir.display()
    )))
}

/// Deletes the notebook build folders whose names `pick` accepts, and
/// returns the bytes freed. A folder in use by a running kernel is skipped.
pub fn remove_build_folders(pick: impl Fn(&str) -> bool) -> u64 {
    let Ok(entries) = std::fs::read_dir(places::builds()) else {
        return 0;
    };
    let mut freed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !path.is_dir() || name.starts_with('.') || !pick(&name) || in_use(&path) {
            continue;
        }
        let size = places::folder_size(&path);
        if std::fs::remove_dir_all(&path).is_ok() {
            freed += size;
        }
    }
    freed
}

/// Whether a kernel holds the lock of a build folder (see kernel.sh).
fn in_use(folder: &std::path::Path) -> bool {
    let lock = folder.with_extension("lock");
    lock.exists()
        && Command::new("flock")
            .args(["-n"])
            .arg(&lock)
            .arg("true")
            .status()
            .is_ok_and(|status| !status.success())
}

/// Copies `crates/course/<name>` to `to`, making its folder.
fn install(name: &str, to: &std::path::Path) -> Result<(), String> {
    if let Some(folder) = to.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    std::fs::copy(places::repo().join("crates/course").join(name), to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy crates/course/{name} to {}: {e}", to.display()))
}

/// The folder of the toolchain's `libstd-*.so`.
///
/// evcxr links each cell against the standard library dynamically and loads
/// it from one folder above where rustc wrote it, so the relative RUNPATH that
/// rustc records only finds `libstd` when the build folder shares no parent
/// with the toolchain (as `/tmp` does by luck). With a build folder kept per
/// notebook, the kernel is told where the library is.
fn rust_std_dir() -> Result<std::path::PathBuf, String> {
    let sysroot = places::first_line("rustc", &["--print", "sysroot"])
        .ok_or("`rustc --print sysroot` failed")?;
    let host = Command::new("rustc")
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        })
        .ok_or("`rustc -vV` did not name the host")?;
    Ok(std::path::Path::new(&sysroot)
        .join("lib/rustlib")
        .join(host)
        .join("lib"))
}

/// Compiles the support crate once through the kernel, so that the first
/// notebook a learner opens loads it from the cache in seconds.
fn warm_cache() -> Result<Outcome, String> {
    let repo = places::repo();
    let read = |p: &str| std::fs::read(repo.join(p)).unwrap_or_default();
    let rustc = places::first_line("rustc", &["--version"]).unwrap_or_default();
    let wanted = places::fingerprint(&[
        &read("Cargo.lock"),
        &read("crates/mlmath/Cargo.toml"),
        &read("crates/course/init.evcxr"),
        &read("crates/course/cargo-config.toml"),
        rustc.as_bytes(),
        EVCXR_VERSION.as_bytes(),
    ]);
    if places::stamp_matches("warm-cache", &wanted) {
        return Ok(Outcome::Skipped(
            "the support crate's dependencies are compiled".into(),
        ));
    }
    println!(
        "  compiling the support crate's dependencies through the kernel, once: about 7 minutes\n  \
         the first time (ndarray, plotters, polars), seconds afterwards."
    );
    crate::notebooks::python(&["warm"])?;
    // The compiled dependencies now live in evcxr's cache; the warm-up's own
    // build folder (polars included, most of a gigabyte) is not needed.
    remove_build_folders(|name| name.starts_with("warm-up-"));
    places::write_stamp("warm-cache", &wanted)?;
    Ok(Outcome::Done(
        "dependencies compiled into the kernel's cache".into(),
    ))
}
