//! Hands notebook work to `tests/notebooks.py`, run by the course's Python.
//!
//! Executing notebooks is Jupyter's job: nbclient drives the kernel, and the
//! script reads what each cell printed. The runner only finds the Python and
//! passes the arguments on.

use std::path::Path;
use std::process::Command;

use crate::places;

/// The command that runs `tests/notebooks.py` with `args` in the course's
/// virtual environment.
pub fn command(args: &[&str]) -> Result<Command, String> {
    let python = places::venv_bin("python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run `cargo course setup`",
            python.display()
        ));
    }
    let script = places::repo().join("tests").join("notebooks.py");
    let mut command = Command::new(&python);
    command.arg(&script).args(args).current_dir(places::repo());
    // Jupyter warns about this on every run unless told where it is headed.
    command.env("JUPYTER_PLATFORM_DIRS", "1");
    // The course's kernelspec, the one that names the kernel pool.
    command.env("JUPYTER_PATH", places::jupyter_path());
    Ok(command)
}

/// Runs `tests/notebooks.py` with `args` in the course's virtual environment.
pub fn python(args: &[&str]) -> Result<(), String> {
    let mut command = command(args)?;
    places::run(&mut command).map_err(|_| {
        format!(
            "tests/notebooks.py {} failed (see above)",
            args.first().unwrap_or(&"")
        )
    })
}

/// The file in which `tests/notebooks.py test --save DIR` names, in DIR, the
/// notebooks that failed and why.
pub const FAILURES: &str = "failures.txt";

/// Runs the notebooks `stems` (all when empty) through `tests/notebooks.py
/// test`, keeping each executed copy in `executed`. When one of them loads
/// DataFrames (03), polars is compiled into the kernel's cache first, so that
/// no cell waits for it. On failure the error is what the script wrote in
/// [`FAILURES`]: the notebooks that failed and their problems (empty if it
/// wrote nothing).
pub fn run_and_keep(stems: &[&str], timeout: &str, executed: &Path) -> Result<(), String> {
    let repo = places::repo();
    let all = if stems.is_empty() {
        names()?
    } else {
        Vec::new()
    };
    let chosen: Vec<&str> = if stems.is_empty() {
        all.iter().map(String::as_str).collect()
    } else {
        stems.to_vec()
    };
    let frames = chosen.iter().any(|stem| {
        let path = repo.join("notebooks").join(format!("{stem}.ipynb"));
        crate::results::Notebook::read(&path).is_ok_and(|nb| nb.loads_frames())
    });
    if frames {
        crate::setup::warm_frames()?;
    }
    let failures = executed.join(FAILURES);
    let _ = std::fs::remove_file(&failures);
    let saved = executed.to_string_lossy().into_owned();
    let mut call = vec!["test", "--timeout", timeout, "--save", saved.as_str()];
    call.extend(stems);
    python(&call).map_err(|_| std::fs::read_to_string(&failures).unwrap_or_default())
}

/// The course's notebooks by file stem (`00-welcome`, …), in order.
pub fn names() -> Result<Vec<String>, String> {
    let dir = places::repo().join("notebooks");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}
