//! Hands notebook work to `tests/notebooks.py`, run by the course's Python.
//!
//! Executing notebooks is Jupyter's job: nbclient drives the kernel, and the
//! script reads what each cell printed. The runner only finds the Python and
//! passes the arguments on.

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
