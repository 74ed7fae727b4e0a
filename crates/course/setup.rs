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
    let steps: [(&str, Step); 8] = [
        ("platform", platform),
        ("python", check_python),
        ("rust-src", rust_src),
        ("kernel, JupyterLab", kernel_and_jupyterlab),
        ("handout assets", handout_assets),
        ("lab settings", lab_settings),
        ("kernelspec", kernel),
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

/// The systems the course runs on: Linux (WSL2 on Windows) and macOS.
/// Anything else is refused here, before anything is installed.
fn platform() -> Result<Outcome, String> {
    match std::env::consts::OS {
        "linux" => {
            let version = std::fs::read_to_string("/proc/version").unwrap_or_default();
            let wsl = version.to_lowercase().contains("microsoft");
            // WSL 1 reports a kernel like "4.4.0-19041-Microsoft"; WSL 2 kernels
            // say "microsoft-standard" (with "WSL2" in newer ones).
            if version.contains("-Microsoft") {
                return Err(
                    "this is WSL 1, where the Rust kernel's file locks and process groups \
                    do not work. Convert the distribution to WSL 2 (in PowerShell: \
                    `wsl --set-version <distribution> 2`), then run `cargo course setup` again"
                        .into(),
                );
            }
            Ok(Outcome::Skipped(
                if wsl {
                    "Linux under WSL 2: supported"
                } else {
                    "Linux: supported"
                }
                .into(),
            ))
        }
        "macos" => Ok(Outcome::Skipped(
            "macOS: supported (needs Apple's command-line tools: `xcode-select --install`)".into(),
        )),
        "windows" => Err(
            "Windows is supported through WSL 2, not directly: the Rust kernel's \
            launcher is a shell script and its build folders are locked with flock. In an \
            administrator PowerShell run `wsl --install`, open Ubuntu, install Rust there from \
            https://rustup.rs, clone the course inside WSL and run `cargo course setup` there \
            (README: \"Windows\")"
                .into(),
        ),
        other => Err(format!(
            "{other} is not a supported system: the course runs on Linux, macOS, and Windows \
             through WSL 2 (README: \"What it runs on\")"
        )),
    }
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

/// Installs the kernel and JupyterLab side by side: compiling the kernel keeps
/// both cores busy for minutes, while pip mostly waits for the network.
fn kernel_and_jupyterlab() -> Result<Outcome, String> {
    let timed = |step: Step| {
        let t = Instant::now();
        step().map(|outcome| (outcome, t.elapsed().as_secs_f64()))
    };
    let (kernel, jupyter) = std::thread::scope(|scope| {
        let jupyter = scope.spawn(|| timed(python_env));
        (timed(evcxr_jupyter), jupyter.join())
    });
    let jupyter = jupyter.map_err(|_| "installing JupyterLab stopped unexpectedly".to_string())?;
    let said = |(outcome, seconds): (Outcome, f64)| match outcome {
        Outcome::Done(what) => format!("{what} in {seconds:.0} s"),
        Outcome::Skipped(what) => what,
    };
    let done =
        matches!(kernel, Ok((Outcome::Done(_), _))) || matches!(jupyter, Ok((Outcome::Done(_), _)));
    let what = format!("{}; {}", said(kernel?), said(jupyter?));
    Ok(if done {
        Outcome::Done(what)
    } else {
        Outcome::Skipped(what)
    })
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

/// What the handouts' pages load, MathJax and reveal.js (pinned, from PyPI),
/// into the course's folder (see handout.rs).
fn handout_assets() -> Result<Outcome, String> {
    let dir = crate::handout::assets_dir();
    if crate::handout::install_assets()? {
        Ok(Outcome::Done(format!(
            "MathJax 2.7 and reveal.js 5.2 for `cargo course handout`, in {}",
            dir.display()
        )))
    } else {
        Ok(Outcome::Skipped(format!(
            "MathJax and reveal.js are in {}",
            dir.display()
        )))
    }
}

/// JupyterLab's defaults for the course (`jupyterlab-overrides.json`): no
/// question about Jupyter's news when it opens, and no request to the news
/// feed or for updates. A learner can still change them in Settings.
fn lab_settings() -> Result<Outcome, String> {
    let to = places::venv().join("share/jupyter/lab/settings/overrides.json");
    if install("jupyterlab-overrides.json", &to)? {
        Ok(Outcome::Done(format!(
            "written to {}: JupyterLab opens without asking about news",
            to.display()
        )))
    } else {
        Ok(Outcome::Skipped(
            "JupyterLab's settings for the course are in place".into(),
        ))
    }
}

/// The cells a pooled kernel runs before it is handed out: the support
/// crate's `:dep` line (as the notebooks write it, from their folder), the
/// prelude and one `let` (evcxr's rust-analyzer reads the standard library at
/// the first `let` of a process), then `:clear`, which drops every variable,
/// item and dependency and keeps what was compiled. See course_pool.py.
const POOL_WARM_UP: [&str; 2] = [
    ":dep mlmath = { path = \"../crates/mlmath\" }\nuse mlmath::prelude::*;\nlet warm_up = 1;",
    ":clear",
];

/// The kernelspec Jupyter starts the notebooks with, the kernel's own
/// configuration, and the pool of warm kernels (a provisioner the kernelspec
/// names, installed into the course's Python).
fn kernel() -> Result<Outcome, String> {
    let evcxr = evcxr_binary().ok_or("evcxr_jupyter is not installed; run `cargo course setup`")?;
    // The kernel's configuration, its cargo settings, and its launcher.
    let config = places::evcxr_config();
    let launcher = places::course_home().join("kernel.sh");
    let mut changed = install("init.evcxr", &config.join("init.evcxr"))?;
    changed |= install(
        "cargo-config.toml",
        &places::builds().join(".cargo").join("config.toml"),
    )?;
    changed |= install("kernel.sh", &launcher)?;
    changed |= install_pool()?;
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
    // Two copies: the user's (any Jupyter on the machine finds it, and starts
    // the kernel plainly) and the course's own, which names the pool's
    // provisioner. Only the course's Python has the provisioner, so only
    // `cargo course` points Jupyter at that copy (JUPYTER_PATH).
    let mut pooled = spec.clone();
    pooled["metadata"] = serde_json::json!({
        "kernel_provisioner": {
            "provisioner_name": POOL_PROVISIONER,
            "config": {
                "notebooks": places::repo().join("notebooks").to_string_lossy(),
                "warm_up": POOL_WARM_UP,
            },
        },
    });
    for (dir, spec) in [
        (places::kernelspec_dir(), spec),
        (places::course_kernelspec_dir(), pooled),
    ] {
        let text = serde_json::to_string_pretty(&spec).expect("a JSON value serialises");
        changed |= write_if_changed(&dir.join("kernel.json"), text.as_bytes())?;
    }
    if !changed {
        return Ok(Outcome::Skipped(format!(
            "kernelspec {KERNEL_NAME:?} is up to date"
        )));
    }
    Ok(Outcome::Done(format!(
        "kernelspec {KERNEL_NAME:?} written to {}, and with a pool of warm kernels to {}",
        places::kernelspec_dir().display(),
        places::course_kernelspec_dir().display()
    )))
}

/// The provisioner's name, as the kernelspec and the entry point give it.
const POOL_PROVISIONER: &str = "rust-course-pool";

/// Puts `course_pool.py` into the course's Python and registers its
/// provisioner (an entry point, written as pip would write it). Returns
/// whether anything changed.
fn install_pool() -> Result<bool, String> {
    let site = places::first_line(
        places::venv_bin("python"),
        &[
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
    )
    .ok_or(
        "the course's Python does not run; delete its venv folder and run `cargo course setup`",
    )?;
    let site = std::path::Path::new(&site);
    let mut changed = install("course_pool.py", &site.join("course_pool.py"))?;
    let info = site.join("rust_course_pool-1.0.dist-info");
    let files = [
        (
            "METADATA",
            "Metadata-Version: 2.1\nName: rust-course-pool\nVersion: 1.0\n".to_string(),
        ),
        (
            "entry_points.txt",
            format!(
                "[jupyter_client.kernel_provisioners]\n{POOL_PROVISIONER} = course_pool:PoolProvisioner\n"
            ),
        ),
        ("top_level.txt", "course_pool\n".to_string()),
    ];
    for (name, text) in files {
        changed |= write_if_changed(&info.join(name), text.as_bytes())?;
    }
    Ok(changed)
}

/// Empties the notebook build folders whose names `pick` accepts, and
/// returns the bytes freed. A folder in use by a running kernel is skipped.
///
/// What build scripts wrote (`target/**/build/*/out`, a few kilobytes) is
/// kept. evcxr's compilation cache stores each compiled crate with the list
/// of files it was compiled from, and for a crate that includes a build
/// script's output (serde, serde_core, rustversion, polars-plan) that list names the
/// output in the build folder where the crate was first compiled. Were the
/// file gone, cargo would find every crate that depends on it out of date at
/// every cell of every notebook that uses it, and compile them again: it made
/// the DataFrames notebook's cells twice as slow.
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
        remove_all_but_build_outputs(&path, false);
        freed += size.saturating_sub(places::folder_size(&path));
    }
    freed
}

/// Deletes the entries of evcxr's cache whose compiled crate names a build
/// script's output that no longer exists (see [`remove_build_folders`]; caches
/// filled before build outputs were kept have them). The crate is compiled
/// again at its next use, once, and the new entry names an output that stays.
fn forget_cached_crates_with_lost_outputs() {
    let Ok(entries) = std::fs::read_dir(places::evcxr_cache()) else {
        return;
    };
    for entry in entries.flatten() {
        let lost = std::fs::read_dir(entry.path())
            .into_iter()
            .flatten()
            .flatten()
            .filter(|f| f.path().extension().is_some_and(|e| e == "d"))
            .filter_map(|f| std::fs::read_to_string(f.path()).ok())
            .any(|deps| {
                // Paths are separated by spaces; a space inside one is written `\ `.
                deps.replace("\\ ", "\u{0}")
                    .split_whitespace()
                    .map(|t| t.trim_end_matches(':').replace('\u{0}', " "))
                    .filter(|t| t.starts_with('/') && t.contains("/build/") && t.contains("/out/"))
                    .any(|t| !std::path::Path::new(&t).exists())
            });
        if lost {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes everything under `dir` except `build/<unit>/out` folders.
fn remove_all_but_build_outputs(dir: &std::path::Path, in_build: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // A link is removed, never followed.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let name = entry.file_name();
        if in_build && is_dir {
            // A build-script unit: keep its `out`, drop the rest.
            for inner in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                if inner.file_name() != "out" {
                    remove_path(&inner.path());
                }
            }
            let _ = std::fs::remove_dir(&path); // a unit with no `out`
        } else if is_dir {
            remove_all_but_build_outputs(&path, name == "build");
            let _ = std::fs::remove_dir(&path); // only if nothing was kept
        } else {
            remove_path(&path);
        }
    }
}

fn remove_path(path: &std::path::Path) {
    let _ = if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
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

/// Copies `crates/course/<name>` to `to`; returns whether the copy there
/// was missing or different.
fn install(name: &str, to: &std::path::Path) -> Result<bool, String> {
    let from = places::repo().join("crates/course").join(name);
    let text = std::fs::read(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    write_if_changed(to, &text)
}

/// Writes `bytes` to `path` (making its folder) unless it already holds
/// them; returns whether it wrote.
fn write_if_changed(path: &std::path::Path, bytes: &[u8]) -> Result<bool, String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    std::fs::write(path, bytes)
        .map(|()| true)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
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
    warm("plain", "ndarray, plotters: about a minute").map(|done| match done {
        true => Outcome::Done("the support crate compiled into the kernel's cache".into()),
        false => Outcome::Skipped("the support crate's dependencies are compiled".into()),
    })
}

/// Compiles the support crate with DataFrames (polars) into the kernel's
/// cache, if it is not there: about 10 minutes on 2 cores the first time.
/// Setup leaves this to the first notebook that needs it; the test command
/// does it first, so that no notebook cell waits for it.
pub fn warm_frames() -> Result<(), String> {
    if warm("frames", "polars: about 10 minutes on 2 cores")? {
        println!("  done     DataFrames        polars compiled into the kernel's cache");
    }
    Ok(())
}

/// Whether the kernel's cache holds polars, compiled for the current inputs.
pub fn frames_ready() -> bool {
    let (stamp, wanted) = warm_stamp("frames");
    places::stamp_matches(&stamp, &wanted)
}

/// The stamp a warm-up writes, and the fingerprint of what it compiled from.
fn warm_stamp(which: &str) -> (String, String) {
    let repo = places::repo();
    let read = |p: &str| std::fs::read(repo.join(p)).unwrap_or_default();
    let rustc = places::first_line("rustc", &["--version"]).unwrap_or_default();
    // The support crate is cached too (see crates/mlmath/build.rs), under
    // its path: a changed source or another clone of the course warms again.
    let source = places::folder_fingerprint(&repo.join("crates/mlmath/src")).unwrap_or_default();
    let wanted = places::fingerprint(&[
        repo.to_string_lossy().as_bytes(),
        source.as_bytes(),
        &read("Cargo.lock"),
        &read("crates/mlmath/Cargo.toml"),
        &read("crates/mlmath/build.rs"),
        &read("crates/mlmath/fingerprint.rs"),
        &read("crates/course/init.evcxr"),
        &read("crates/course/cargo-config.toml"),
        rustc.as_bytes(),
        EVCXR_VERSION.as_bytes(),
    ]);
    (format!("warm-{which}"), wanted)
}

/// Runs `tests/notebooks.py warm WHICH` once per set of inputs; returns
/// whether it ran. One warm-up at a time: two kernels filling evcxr's
/// cache with the same crates at once can corrupt its entries.
fn warm(which: &str, what: &str) -> Result<bool, String> {
    let (stamp, wanted) = warm_stamp(which);
    if places::stamp_matches(&stamp, &wanted) {
        return Ok(false);
    }
    let repo = places::repo();
    let lock_path = places::course_home().join("warm.lock");
    let lock = std::fs::File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        println!("  waiting for another warm-up of the kernel's cache to finish ...");
        lock.lock()
            .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    }
    if places::stamp_matches(&stamp, &wanted) {
        return Ok(false);
    }
    // A cache filled before build outputs were kept still names lost ones.
    forget_cached_crates_with_lost_outputs();
    println!(
        "  compiling the support crate through the kernel, once ({what}); seconds afterwards."
    );
    // Everything the kernel may need later is downloaded now: the notebooks'
    // kernels work offline (`:offline 1` in init.evcxr), and so does polars'
    // first compile in the first notebook that uses it.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    places::run(
        Command::new(cargo)
            .current_dir(&repo)
            .args(["fetch", "--quiet"]),
    )
    .map_err(|e| format!("{e}. Check the network, then run `cargo course setup` again"))?;
    crate::notebooks::python(&["warm", which])?;
    // The compiled dependencies now live in evcxr's cache; the warm-up's own
    // build folder (most of a gigabyte with polars) is not needed.
    remove_build_folders(|name| name.starts_with("warm-up-"));
    places::write_stamp(&stamp, &wanted)?;
    Ok(true)
}
