//! Where the course keeps things, and how the runner calls other programs.
//!
//! The repository holds the notebooks, the crate and the data. What is
//! installed for it lives outside the repository, in a per-user folder, so
//! that a fresh clone reuses it:
//!
//! ```text
//! $XDG_DATA_HOME/rust-ml-course/   (default ~/.local/share/rust-ml-course)
//!     venv/          JupyterLab, nbclient, nbconvert (pinned in requirements.txt)
//!     evcxr/         the kernel's configuration (init.evcxr)
//!     builds/        one build folder per notebook, kept between sessions
//!     stamps/        what setup has finished, so a second run skips it
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// The pinned kernel version.
pub const EVCXR_VERSION: &str = "0.22.0";
/// The kernelspec name every notebook names in its metadata.
pub const KERNEL_NAME: &str = "rust-course";
/// The name Jupyter shows for the kernel.
pub const KERNEL_DISPLAY_NAME: &str = "Rust (ML course)";

/// The repository's root folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home().join(fallback))
}

/// The per-user folder of the course (`COURSE_HOME` overrides it).
pub fn course_home() -> PathBuf {
    std::env::var_os("COURSE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| xdg("XDG_DATA_HOME", ".local/share").join("rust-ml-course"))
}

pub fn venv() -> PathBuf {
    course_home().join("venv")
}

pub fn venv_bin(program: &str) -> PathBuf {
    venv().join("bin").join(program)
}

pub fn evcxr_config() -> PathBuf {
    course_home().join("evcxr")
}

pub fn builds() -> PathBuf {
    course_home().join("builds")
}

pub fn stamps() -> PathBuf {
    course_home().join("stamps")
}

/// Where Jupyter looks for the user's kernelspecs.
pub fn kernelspec_dir() -> PathBuf {
    std::env::var_os("JUPYTER_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| xdg("XDG_DATA_HOME", ".local/share").join("jupyter"))
        .join("kernels")
        .join(KERNEL_NAME)
}

/// The Jupyter data folder the course's commands put first (JUPYTER_PATH):
/// it holds the kernelspec that names the kernel pool.
pub fn course_jupyter() -> PathBuf {
    course_home().join("jupyter")
}

/// The course's own copy of the kernelspec, with the kernel pool.
pub fn course_kernelspec_dir() -> PathBuf {
    course_jupyter().join("kernels").join(KERNEL_NAME)
}

/// `JUPYTER_PATH` with the course's Jupyter folder first.
pub fn jupyter_path() -> std::ffi::OsString {
    let mut paths = vec![course_jupyter()];
    if let Some(old) = std::env::var_os("JUPYTER_PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(paths).unwrap_or_else(|_| course_jupyter().into_os_string())
}

/// evcxr's compilation cache (`:cache`), under the user's cache folder.
pub fn evcxr_cache() -> PathBuf {
    if cfg!(target_os = "macos") {
        home().join("Library/Caches/evcxr")
    } else {
        xdg("XDG_CACHE_HOME", ".cache").join("evcxr")
    }
}

/// Where cargo installs binaries.
pub fn cargo_bin(program: &str) -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
        .join(program)
}

/// The first line a program prints for `args`, or `None` if it cannot run.
/// Whether this process runs as root (the classroom's commands need it).
pub fn is_root() -> bool {
    first_line("id", &["-u"]).as_deref() == Some("0")
}

pub fn first_line(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

/// Runs a command with its output shown, and says which command failed.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status: ExitStatus = command
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not start {}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

/// A command as it would be typed.
pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

mod shared {
    include!("../mlmath/fingerprint.rs");
}

/// A short hash of some files' contents (FNV-1a), to know when a step must run again.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    format!("{:016x}", shared::fnv1a(parts))
}

/// A short hash of every file under `dir` (names and contents).
pub fn folder_fingerprint(dir: &Path) -> Result<String, String> {
    shared::folder_fingerprint(dir)
        .map(|hash| format!("{hash:016x}"))
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))
}

/// Whether `name`'s stamp holds `value` (a step already done with these inputs).
pub fn stamp_matches(name: &str, value: &str) -> bool {
    std::fs::read_to_string(stamps().join(name)).is_ok_and(|v| v.trim() == value)
}

/// Records that `name` finished with inputs `value`.
pub fn write_stamp(name: &str, value: &str) -> Result<(), String> {
    std::fs::create_dir_all(stamps())
        .map_err(|e| format!("cannot create {}: {e}", stamps().display()))?;
    std::fs::write(stamps().join(name), value).map_err(|e| format!("cannot write a stamp: {e}"))
}

/// Total size in bytes of the files under `dir` (0 if it does not exist).
pub fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// Every course notebook, in order.
pub fn notebooks() -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(repo().join("notebooks"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
                .collect()
        })
        .unwrap_or_default();
    list.sort();
    list
}
