//! The course runner: `cargo course <command>`.
//!
//! ```text
//! cargo course lab      set up if needed, then open JupyterLab on notebooks/
//! cargo course test     the whole test suite: crate tests, clippy, every notebook
//! cargo course setup    install what is missing (idempotent)
//! cargo course doctor   what is installed, and the command that fixes what is not
//! cargo course bench    kernel latency cell by cell, then the compute table
//! cargo course export   student copies of the notebooks, without solutions
//! cargo course handout  executed HTML handouts, slides, student copies, an index
//! cargo course results  docs/results.md: every theory cell and what it printed
//! cargo course map      docs/course-map.svg: which chapter builds on which
//! cargo course clean    delete the notebooks' build folders
//! ```

#[cfg(test)]
mod chapters;
mod compute_bench;
mod doctor;
mod handout;
mod hub;
mod malloc;
mod notebooks;
mod places;
mod results;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// The variable that tells the kernel pool its size (see course_pool.py).
const POOL_ENV: &str = "RUST_COURSE_POOL";

const HELP: &str = "\
The mathematics of machine learning, in Rust notebooks.

usage: cargo course <command> [options]

commands:
  lab [--no-browser] [--port N] [--ip ADDR] [--pool K]
                   set up if needed, then open JupyterLab on notebooks/
                   (--ip ADDR --no-browser serves it to yourself from a remote machine;
                   for a class, use `hub`: one token here is one account for all);
                   K warm kernels wait for the next notebook (default 1, about
                   0.8 GB each; --pool 0 turns the pool off)
  test [NOTEBOOK ...] [--notebooks-only] [--timeout S]
                   check that docs/results.md shows every theory cell; set up if
                   needed; run the crate's tests and doctests, clippy, every notebook
                   through the Rust kernel (kept, executed, in target/executed/),
                   notebook 00 in JupyterLab in headless Chromium as a learner runs it
                   (the first run installs Debian's chromium and playwright), the
                   kernel pool, the Stop button during a training cell (notebook 08),
                   deploy/check.py, and the classroom: a hub on loopback, two students
                   logged in, a notebook run for each, their isolation and limits
                   (as root; installs /opt/rust-ml-course on the first run, ~12 min)
  setup [--frames] install what is missing: rust-src, evcxr_jupyter, JupyterLab,
                   the kernelspec, the warm build cache (safe to run again);
                   --frames also compiles polars for notebook 03 (about 10 minutes)
  doctor           show versions, the kernelspec, cache sizes, data checksums
  bench [--compute] [--rounds N] [--no-kernel] [--json FILE] [--no-pool] [NOTEBOOK ...]
                   set up if needed; time the kernel: a probe notebook and each course
                   notebook, cold and from the pool, and the Python kernel for reference;
                   then the compute table: the course's training workloads run by mlmath,
                   by PyTorch on the CPU and by scikit-learn, median of N rounds (default
                   3), and workload 1 run from a notebook cell (--no-kernel leaves it out).
                   --compute: the compute table only, without setup. The first compute
                   run installs PyTorch and scikit-learn into a virtual environment of
                   their own (about 6 GB, 3 minutes). --json FILE writes every figure
                   (the compute table's under the key \"compute\")
  train transformer [--resume]
                   train the character transformer that notebook 12 loads, from its
                   fixed seed (compiled optimised, each batch split over two threads;
                   under 2 hours on 2 cores), saving its state every 250 steps;
                   --resume continues a stopped run. Writes
                   data/checkpoints/moby-transformer.params, its record (.record) and
                   their lines in data/SHA256SUMS
  export [DIR]     write student copies without solution cells (default: student/), outputs
                   cleared; their `:dep` cell names this course's crate by its absolute path,
                   so a copy runs from any folder
  handout (NN ... | --all) [--fresh] [--no-solutions] [--no-teacher] [--out DIR]
                   write each chapter as an executed HTML handout (math, plots, solutions
                   collapsed; --no-solutions leaves them out), a teacher's handout with the
                   teacher notes (--no-teacher: none), reveal.js slides and a student's
                   copy, with index.html, into handouts/ (or DIR), readable offline. The
                   outputs come from target/executed/; a chapter without a passing run of
                   its code as it is now is run first (--fresh: every chapter named)
  results [NOTEBOOK ...] [--no-run] [--timeout S]
                   write docs/results.md, every \"The math says / we measured\" cell
                   (tagged theory) with its code and what it printed, from the executed
                   notebooks that `test` keeps in target/executed/; first runs the
                   notebooks (those named, default all) whose theory cells have no
                   passing run there and are not shown on the page as they are
                   (--no-run: none)
  hub [install | start | add-students ROSTER | update | collect NN | loadtest | selftest]
                   the course on JupyterHub for a class on one server (as root): installs
                   into /opt/rust-ml-course (--prefix DIR), then starts the hub on
                   loopback (--ip ADDR --port N --memory 3G --cpus 1); accounts from a
                   roster; `collect NN` gathers each student's copy of a chapter and a
                   table of the checks it passes. See docs/classroom.md
  map              write docs/course-map.svg, the course map (mlmath::course)
  clean            delete the notebooks' build folders (about 150 MB each)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "setup" => setup::setup().and_then(|()| {
            if rest.iter().any(|a| a == "--frames") {
                setup::warm_frames()
            } else {
                Ok(())
            }
        }),
        "lab" => lab(rest),
        "test" => test(rest),
        "doctor" => doctor::doctor(),
        "clean" => {
            let freed = setup::remove_build_folders(|_| true);
            println!(
                "emptied the notebooks' build folders (build-script outputs kept): {:.0} MB freed",
                freed as f64 / 1e6
            );
            println!(
                "(the next run of each notebook compiles its support crate again, from evcxr's cache)"
            );
            Ok(())
        }
        "bench" => bench(rest),
        "results" => write_results(rest),
        "map" => write_map(),
        "train" => train(rest),
        "handout" => handout::handout(rest),
        "hub" => hub::hub(rest),
        "export" => {
            let out = rest.first().cloned().unwrap_or_else(|| {
                places::repo()
                    .join("student")
                    .to_string_lossy()
                    .into_owned()
            });
            setup::setup().and_then(|()| notebooks::python(&["student", &out]))
        }
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!(
            "unknown command {other:?}. Run `cargo course help` for the list"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo course train transformer [--resume]`: builds the trainer
/// optimised and runs it (crates/course/train.rs).
fn train(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) != Some("transformer") {
        return Err(format!(
            "`cargo course train` trains one model, the transformer:              `cargo course train transformer [--resume]` (got {:?})",
            args.first().map(String::as_str).unwrap_or("nothing")
        ));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    places::run(
        Command::new(&cargo)
            .current_dir(places::repo())
            .args([
                "run",
                "--quiet",
                "--release",
                "--bin",
                "train-transformer",
                "--",
            ])
            .args(&args[1..])
            // as the kernel runs mlmath: freed blocks kept for the next step
            .envs(malloc::kernel_malloc_settings(&places::repo())),
    )
}

/// `cargo course bench`: kernel latency (tests/notebooks.py), then the
/// compute table (crates/course/compute.rs); `--compute` runs the table alone.
fn bench(args: &[String]) -> Result<(), String> {
    let compute_only = args.iter().any(|a| a == "--compute");
    let json = option(args, "--json").map(PathBuf::from);
    let mut request = compute_bench::Request {
        rounds: option(args, "--rounds").map(String::from),
        json: json.clone(),
        kernel: !args.iter().any(|a| a == "--no-kernel"),
        only: None,
    };
    if compute_only {
        return compute_bench::run(&request);
    }
    // The rest goes to the latency part, as before.
    let mut latency = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--no-kernel" => {}
            "--rounds" => i += 1,
            other => latency.push(other),
        }
        i += 1;
    }
    setup::setup()?;
    setup::warm_frames()?;
    notebooks::python(&[&["bench"], &latency[..]].concat())?;
    let Some(json) = json else {
        return compute_bench::run(&request);
    };
    // One file for both: the compute figures join the latency figures.
    let part = json.with_extension("compute.json");
    request.json = Some(part.clone());
    compute_bench::run(&request)?;
    let read = |p: &PathBuf| -> Result<serde_json::Value, String> {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    };
    let mut all = read(&json)?;
    all["compute"] = read(&part)?;
    std::fs::write(
        &json,
        serde_json::to_string_pretty(&all).expect("json") + "\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", json.display()))?;
    std::fs::remove_file(&part).ok();
    println!("latency and compute figures written to {}", json.display());
    Ok(())
}

/// The value after `flag` in `args`, if present.
fn option<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// The arguments that are neither flags nor the value after `--timeout`.
fn positional(args: &[String]) -> Vec<&str> {
    args.iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--timeout"))
        .map(|(_, a)| a.as_str())
        .collect()
}

/// `cargo course results`: runs the notebooks whose theory cells have no
/// passing run in target/executed/, then writes docs/results.md (results.rs).
fn write_results(args: &[String]) -> Result<(), String> {
    let repo = places::repo();
    let executed = repo.join(results::EXECUTED);
    let timeout = option(args, "--timeout").unwrap_or("120");
    let names = positional(args);
    let stems: Vec<String> = results::chapter_paths(&repo)
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|stem| names.is_empty() || names.iter().any(|n| stem.contains(n)))
        .collect();
    if let Some(unknown) = names.iter().find(|n| !stems.iter().any(|s| s.contains(*n))) {
        return Err(format!(
            "no notebook in notebooks/ matches {unknown:?} (give its number, e.g. 05)"
        ));
    }
    let mut ran = Ok(());
    if !args.iter().any(|a| a == "--no-run") {
        // A notebook runs when it has no passing run of its theory cells as
        // they are now, unless the page already shows them as they are.
        let stale: Vec<(&String, String)> = stems
            .iter()
            .filter(|stem| !results::page_shows(&repo, stem))
            .filter_map(|stem| results::needs_run(&repo, &executed, stem).map(|why| (stem, why)))
            .collect();
        if !stale.is_empty() {
            println!(
                "== running the notebooks without a passing run of their theory cells as they are now"
            );
            for (stem, why) in &stale {
                println!("  {stem}: {why}");
            }
            setup::setup()?;
            let stems: Vec<&str> = stale.iter().map(|(stem, _)| stem.as_str()).collect();
            ran = notebooks::run_and_keep(&stems, timeout, &executed)
                .map_err(|_| "tests/notebooks.py test failed (see above)".to_string());
        }
    }
    let written = results::write_page(&repo, &executed)?;
    println!(
        "{} written: {} notebook(s) from their runs in {}, {} kept from the page as it was",
        results::PAGE,
        written.from_runs.len(),
        results::EXECUTED,
        written.kept.len()
    );
    ran?;
    if written.missing.is_empty() {
        Ok(())
    } else {
        let (have, their) = if written.missing.len() == 1 {
            ("it has", "its")
        } else {
            ("they have", "their")
        };
        Err(format!(
            "{} does not show {}: {have} no passing run of {their} theory cells as they are now \
             (run `cargo course results {}`)",
            results::PAGE,
            written.missing.join(", "),
            written
                .missing
                .iter()
                .map(|s| &s[..2])
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
}

/// `cargo course map`: writes docs/course-map.svg from mlmath::course.
fn write_map() -> Result<(), String> {
    let path = places::repo().join(COURSE_MAP);
    let svg = course_map_svg()?;
    std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{COURSE_MAP} written");
    Ok(())
}

/// The course map's picture, relative to the repository.
const COURSE_MAP: &str = "docs/course-map.svg";

/// The course map as the crate draws it.
fn course_map_svg() -> Result<String, String> {
    let plot = mlmath::course::course_map()
        .draw()
        .map_err(|e| format!("the course map does not draw: {e}"))?;
    Ok(plot.svg().to_string())
}

fn lab(args: &[String]) -> Result<(), String> {
    setup::setup()?;
    let mut jupyter = Command::new(places::venv_bin("jupyter"));
    jupyter.arg("lab").arg(format!(
        "--notebook-dir={}",
        places::repo().join("notebooks").display()
    ));
    if args.iter().any(|a| a == "--no-browser") {
        jupyter.arg("--no-browser");
    }
    if let Some(port) = option(args, "--port") {
        port.parse::<u16>()
            .map_err(|_| format!("--port takes a number from 1 to 65535, got {port:?}"))?;
        jupyter.arg(format!("--port={port}"));
    }
    if let Some(ip) = option(args, "--ip") {
        jupyter.arg(format!("--ip={ip}"));
    }
    let (pool, from) = match option(args, "--pool") {
        Some(k) => (k.to_string(), "--pool"),
        None => match std::env::var(POOL_ENV) {
            Ok(k) => (k, POOL_ENV),
            Err(_) => ("1".to_string(), "the default"),
        },
    };
    let pool = match pool.trim().parse::<u8>() {
        Ok(k) if k <= 16 && pool.trim().bytes().all(|b| b.is_ascii_digit()) => k,
        _ => {
            return Err(format!(
                "{from} sets the number of warm kernels to keep, from 0 (no pool) to 16; got {pool:?}"
            ));
        }
    };
    let pool = pool.to_string();
    jupyter
        .env(POOL_ENV, &pool)
        .env("JUPYTER_PATH", places::jupyter_path());
    // The server extension in course_pool.py fills the pool when JupyterLab
    // starts and stops its kernels when JupyterLab stops.
    jupyter.arg("--ServerApp.jpserver_extensions=course_pool=True");
    if pool == "0" {
        println!("No kernel pool (--pool 0): each notebook starts its kernel when opened.");
    } else {
        println!(
            "Keeping {pool} warm kernel(s) ready (about 0.8 GB of memory each): a notebook opened \
             in notebooks/ answers at its usual speed in a few seconds instead of 15 or more. \
             `--pool 0` turns this off."
        );
    }
    if places::is_root() {
        // JupyterLab refuses to start as root unless told to (a container, a classroom server).
        println!("Running as root: starting JupyterLab with --allow-root.");
        jupyter.arg("--allow-root");
    }
    if !setup::frames_ready() {
        println!(
            "Notebook 03 shows tables with polars, which setup has not compiled: unless notebook 03 \
             has run before, its first cell compiles polars, once (about 10 minutes on 2 cores).\n\
             `cargo course setup --frames` does it now."
        );
    }
    println!(
        "Starting JupyterLab: open the URL it prints below (with its token) and start with 00-welcome.ipynb."
    );
    println!("Stop it with Ctrl-C, twice.");
    let status = jupyter
        .status()
        .map_err(|e| format!("could not start JupyterLab ({e}); run `cargo course setup`"))?;
    // Ctrl-C is how JupyterLab is stopped: an interrupted JupyterLab stopped as asked.
    #[cfg(unix)]
    let interrupted = {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(2)
    };
    #[cfg(not(unix))]
    let interrupted = false;
    if status.success() || interrupted || status.code() == Some(130) {
        println!("JupyterLab stopped; its kernels, and the pool's, stopped with it.");
        Ok(())
    } else {
        Err(format!("JupyterLab stopped with {status}"))
    }
}

/// The browser checks may take this long in all; then they are stopped
/// (tests/browser.py stops JupyterLab and Chromium when told to stop).
const BROWSER_LIMIT: std::time::Duration = std::time::Duration::from_secs(900);

/// `tests/browser.py`: JupyterLab runs notebook 00 in headless Chromium as a
/// learner runs it, then the handouts and slides in `handouts/` (written by
/// `cargo course handout --all` just before) are opened offline.
/// Chromium and the library that drives it are installed the first time
/// (the script says what it installs).
fn browser_checks() -> Result<(), String> {
    let started = std::time::Instant::now();
    let left = || BROWSER_LIMIT.saturating_sub(started.elapsed());
    // First, that each page check fails on a page made to fail it (seconds).
    run_browser(&["selftest".to_string()], left())?;
    // A kernel that does not answer Run All once in a while is a fault of
    // the machine as much as of the course: a second try, said out loud.
    if let Err(first) = run_browser(&["lab".to_string()], left()) {
        println!("the JupyterLab check failed ({first}); trying it once more");
        run_browser(&["lab".to_string()], left())
            .map_err(|second| format!("the JupyterLab check failed twice: {first}; {second}"))?;
        println!("the JupyterLab check passed on its second try");
    }
    let folder = places::repo().join("handouts");
    let mut pages: Vec<String> = std::fs::read_dir(&folder)
        .map_err(|e| {
            format!(
                "cannot read {} ({e}): run `cargo course handout --all`",
                folder.display()
            )
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "html"))
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    if pages.is_empty() {
        return Err(format!(
            "{} holds no HTML page: run `cargo course handout --all`",
            folder.display()
        ));
    }
    pages.sort();
    let mut args = vec!["pages".to_string()];
    args.extend(pages);
    run_browser(&args, left())
}

/// Runs `tests/browser.py ARGS` with the course's Python; stops it (SIGTERM,
/// on which it stops what it started, then SIGKILL) when `limit` has passed.
fn run_browser(args: &[String], limit: std::time::Duration) -> Result<(), String> {
    let python = places::venv_bin("python");
    let script = places::repo().join("tests").join("browser.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .args(args)
        .current_dir(places::repo())
        .env("JUPYTER_PLATFORM_DIRS", "1")
        .env("JUPYTER_PATH", places::jupyter_path())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!(
                "could not start tests/browser.py with {}: {e}",
                python.display()
            )
        })?;
    let started = std::time::Instant::now();
    let what = format!("tests/browser.py {}", args[0]);
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return if status.success() {
                Ok(())
            } else {
                Err(format!("{what} failed ({status}; see above)"))
            };
        }
        if started.elapsed() > limit {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            for _ in 0..60 {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            // Killed, it takes JupyterLab with it (see tests/browser.py).
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{what} did not finish within {} s, the browser checks' limit, and was stopped",
                limit.as_secs()
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The test suite: what CI runs.
fn test(args: &[String]) -> Result<(), String> {
    let notebooks_only = args.iter().any(|a| a == "--notebooks-only");
    let timeout = option(args, "--timeout").unwrap_or("120");
    let names = positional(args);
    // Cheap checks first, before anything is installed, compiled or run.
    println!(
        "== {} shows every theory cell of the notebooks",
        results::PAGE
    );
    results::check_page(&places::repo())?;
    setup::setup()?;
    if !notebooks_only {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let repo = places::repo();
        println!("\n== cargo fmt --check");
        places::run(
            Command::new(&cargo)
                .current_dir(&repo)
                .args(["fmt", "--all", "--", "--check"]),
        )
        .map_err(|e| format!("{e}: run `cargo fmt --all`"))?;
        println!("\n== cargo clippy (warnings are errors)");
        places::run(Command::new(&cargo).current_dir(&repo).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]))?;
        println!("\n== cargo test (unit tests, doctests, data checksums)");
        places::run(Command::new(&cargo).current_dir(&repo).args([
            "test",
            "--workspace",
            "--all-features",
        ]))?;
    }
    println!(
        "\n== late output: the kernel may send a cell's last lines after the cell has finished;\n   \
         the run waits for them, and says so when they never come"
    );
    notebooks::python(&["sync"])?;
    // Notebook 03 shows DataFrames: its polars must be in the kernel's cache
    // before a cell waits for it.
    setup::warm_frames()?;
    // The exercises run beside the notebooks, from the last notebook to the
    // first (each run uses one core most of the time; the two meet halfway).
    let mut backwards: Vec<String> = if names.is_empty() {
        notebooks::names()?
    } else {
        names.iter().map(|s| s.to_string()).collect()
    };
    backwards.reverse();
    let log = places::repo().join("target").join("exercises.log");
    let mut call = vec!["exercises", "--timeout", timeout];
    call.extend(backwards.iter().map(String::as_str));
    let file =
        std::fs::File::create(&log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    let copy = file.try_clone().map_err(|e| e.to_string())?;
    let mut exercises = notebooks::command(&call)?;
    exercises.stdin(Stdio::null()).stdout(file).stderr(copy);
    let mut running = exercises
        .spawn()
        .map_err(|e| format!("could not start tests/notebooks.py exercises: {e}"))?;
    println!(
        "\n== notebooks, each in a fresh Rust kernel (beside them, the exercises run: each \
         notebook with wrong answers typed in; their report follows)"
    );
    // The executed notebooks are kept for `cargo course results`.
    let executed = places::repo().join(results::EXECUTED);
    let notebooks_ran = notebooks::run_and_keep(&names, timeout, &executed);
    let executed = executed.to_string_lossy().into_owned();
    let exercised = running.wait().map_err(|e| e.to_string())?;
    println!(
        "\n== exercises: each notebook with wrong answers typed in; every check cell must fail"
    );
    print!("{}", std::fs::read_to_string(&log).unwrap_or_default());
    if let Err(failures) = notebooks_ran {
        // Named again here, at the end, where a log cut to its tail shows them.
        return Err(format!(
            "tests/notebooks.py test failed (see above); the notebooks that failed:\n{}",
            failures.trim_end()
        ));
    }
    if !exercised.success() {
        return Err(format!(
            "tests/notebooks.py exercises failed ({exercised}; see above)"
        ));
    }
    if names.is_empty() {
        println!(
            "\n== {}: this run's page ({}) shows what the committed one shows",
            results::PAGE,
            results::RUN_PAGE
        );
        let agreed = results::check_run_against_page(&places::repo(), Path::new(&executed))?;
        println!("{agreed} theory cells printed what the page shows");
        println!("\n== handouts: every chapter written from this run (cargo course handout --all)");
        handout::handout(&["--all".to_string()])?;
        println!(
            "\n== browser: JupyterLab runs 00 as a learner does; handouts and slides render offline"
        );
        browser_checks()?;
        println!(
            "\n== the kernel pool: notebook 00 through a warm kernel shows what a cold one shows,\n   \
             and JupyterLab leaves no kernel behind"
        );
        notebooks::python(&["pool", "00", "--timeout", timeout])?;
        println!(
            "\n== the Stop button: notebook 08's training cell interrupted; what the kernel keeps"
        );
        notebooks::python(&["interrupt", "08", "--timeout", timeout])?;
        println!(
            "\n== a student's copy: notebook 01 exported outside the repository, run with its stubs"
        );
        notebooks::python(&["student-run", "01", "--timeout", timeout])?;
        println!(
            "\n== the classroom: a hub on loopback, two students log in and run a notebook each,\n   \
             cannot reach each other's files, run under their limits; the hub stops"
        );
        hub::check_deploy()?;
        if places::is_root() {
            hub::hub(&["install".to_string()])?;
            hub::hub(&["selftest".to_string()])?;
        } else {
            println!(
                "skipped: the hub makes accounts and starts servers as them, which needs root \
                 (`sudo -E cargo course test` runs it)"
            );
        }
    }
    Ok(())
}
