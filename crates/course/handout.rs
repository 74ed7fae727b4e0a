//! `cargo course handout`: each chapter as an executed HTML handout, a
//! teacher's handout, slides and a student's copy, with an index, readable
//! offline (crates/course/handout.py writes them with nbconvert).
//!
//! The outputs come from the executed notebooks that `cargo course test`
//! keeps in target/executed/. A chapter without a passing run of its
//! current code there (the same test as `cargo course results` makes,
//! [`results::needs_run_for`]) is run first; `--fresh` runs every chapter
//! asked for.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{notebooks, places, results, setup};

/// What `cargo course handout` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The chapters, by file stem (`01-hyperplanes-and-the-perceptron`), in order.
    pub chapters: Vec<String>,
    /// Run every chapter again, even one with a current run.
    pub fresh: bool,
    /// Show the solutions (collapsed) in the handouts and slides.
    pub solutions: bool,
    /// Write the teacher's handouts.
    pub teacher: bool,
    /// The folder the pages go to.
    pub out: PathBuf,
    /// Seconds a cell may take when a chapter runs.
    pub timeout: String,
}

pub const USAGE: &str = "cargo course handout (NN ... | --all) [--fresh] [--no-solutions] [--no-teacher] \
                         [--out DIR] [--timeout S]";

/// The folder the handouts go to unless `--out` says otherwise.
pub const DEFAULT_OUT: &str = "handouts";

/// Where setup installs what the pages load (MathJax, reveal.js).
pub fn assets_dir() -> PathBuf {
    places::course_home().join("handout-assets")
}

/// Reads the arguments of `cargo course handout` against the chapters that
/// exist (`stems`, in order); `repo` anchors a relative `--out`.
pub fn parse(args: &[String], stems: &[String], repo: &Path) -> Result<Request, String> {
    let mut request = Request {
        chapters: Vec::new(),
        fresh: false,
        solutions: true,
        teacher: true,
        out: repo.join(DEFAULT_OUT),
        timeout: "120".into(),
    };
    let mut all = false;
    let mut names = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--all" => all = true,
            "--fresh" => request.fresh = true,
            "--no-solutions" => request.solutions = false,
            "--no-teacher" => request.teacher = false,
            "--out" => {
                let dir = rest
                    .next()
                    .filter(|d| !d.starts_with("--"))
                    .ok_or("--out takes a folder: `--out DIR`")?;
                let dir = PathBuf::from(dir);
                request.out = if dir.is_absolute() {
                    dir
                } else {
                    std::env::current_dir()
                        .unwrap_or_else(|_| repo.to_path_buf())
                        .join(dir)
                };
            }
            "--timeout" => {
                let seconds = rest.next().ok_or("--timeout takes a number of seconds")?;
                match seconds.parse::<f64>() {
                    Ok(s) if s > 0.0 && s.is_finite() => request.timeout = seconds.clone(),
                    _ => {
                        return Err(format!(
                            "--timeout takes a number of seconds above 0, got {seconds:?}"
                        ));
                    }
                }
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag:?}. usage: {USAGE}"));
            }
            name => names.push(name.to_string()),
        }
    }
    if all && !names.is_empty() {
        return Err(format!(
            "--all writes every chapter: give either --all or chapter numbers, not both (got {})",
            names.join(" ")
        ));
    }
    if !all && names.is_empty() {
        return Err(format!(
            "which chapters? Give their numbers (`cargo course handout 01 02`) or --all. usage: {USAGE}"
        ));
    }
    if stems.is_empty() {
        return Err("notebooks/ holds no chapter (NN-name.ipynb)".into());
    }
    if all {
        request.chapters = stems.to_vec();
        return Ok(request);
    }
    for name in names {
        let stem = find_chapter(&name, stems)?;
        if !request.chapters.contains(&stem) {
            request.chapters.push(stem);
        }
    }
    request.chapters.sort();
    Ok(request)
}

/// The chapter a name means: its two-digit number (`3` is `03`), its file
/// stem, or its file name.
fn find_chapter(name: &str, stems: &[String]) -> Result<String, String> {
    let name = name.trim_end_matches(".ipynb");
    let name = name.rsplit('/').next().unwrap_or(name);
    let number = match name.parse::<u32>() {
        Ok(n) if name.len() <= 2 => Some(format!("{n:02}")),
        _ => None,
    };
    let found = stems.iter().find(|stem| match &number {
        Some(n) => stem.get(..2) == Some(n.as_str()),
        None => stem.as_str() == name,
    });
    found.cloned().ok_or_else(|| {
        format!(
            "there is no chapter {name:?}; the chapters are: {}",
            stems.join(", ")
        )
    })
}

/// The command that runs crates/course/handout.py with `args` in the
/// course's virtual environment.
fn python(args: &[&str]) -> Result<Command, String> {
    let python = places::venv_bin("python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run `cargo course setup`",
            python.display()
        ));
    }
    let mut command = Command::new(python);
    command
        .arg(places::repo().join("crates/course/handout.py"))
        .args(args)
        .current_dir(places::repo())
        .env("JUPYTER_PLATFORM_DIRS", "1");
    Ok(command)
}

/// Setup's step: MathJax and reveal.js from PyPI, pinned in
/// crates/course/handout-assets.txt, and MathJax's TeX fonts from npm's
/// registry (pinned in handout.py), into [`assets_dir`]. Returns whether it
/// installed anything.
pub fn install_assets() -> Result<bool, String> {
    let pins_path = places::repo().join("crates/course/handout-assets.txt");
    let pins = std::fs::read(&pins_path)
        .map_err(|e| format!("cannot read {}: {e}", pins_path.display()))?;
    // The unpacking (what is kept, MathJax's TeX fonts from npm) lives in handout.py.
    let script_path = places::repo().join("crates/course/handout.py");
    let script = std::fs::read(&script_path)
        .map_err(|e| format!("cannot read {}: {e}", script_path.display()))?;
    let wanted = places::fingerprint(&[&pins, &script]);
    let dir = assets_dir();
    if places::stamp_matches("handout-assets", &wanted) && dir.join("mathjax/MathJax.js").exists() {
        return Ok(false);
    }
    let dest = dir.to_string_lossy().into_owned();
    places::run(&mut python(&["assets", &dest])?)
        .map_err(|e| format!("{e}: the handouts' MathJax and reveal.js were not installed"))?;
    places::write_stamp("handout-assets", &wanted)?;
    Ok(true)
}

/// `cargo course handout ...`.
pub fn handout(args: &[String]) -> Result<(), String> {
    let repo = places::repo();
    let stems = notebooks::names()?
        .into_iter()
        .filter(|s| s.len() > 3 && s.as_bytes()[..2].iter().all(u8::is_ascii_digit))
        .collect::<Vec<_>>();
    let request = parse(args, &stems, &repo)?;
    setup::setup()?;
    let executed = repo.join(results::EXECUTED);
    let stale: Vec<(String, String)> = request
        .chapters
        .iter()
        .filter_map(|stem| {
            let why = if request.fresh {
                Some("asked for (--fresh)".to_string())
            } else {
                results::needs_run_for(&repo, &executed, stem, results::Cells::Code)
            };
            why.map(|why| (stem.clone(), why))
        })
        .collect();
    if !stale.is_empty() {
        println!("== running the chapters without a passing run of their code as it is now");
        for (stem, why) in &stale {
            println!("  {stem}: {why}");
        }
        let stems: Vec<&str> = stale.iter().map(|(stem, _)| stem.as_str()).collect();
        if let Err(said) = notebooks::run_and_keep(&stems, &request.timeout, &executed) {
            return Err(failed_run(&said, &stale));
        }
    }
    println!("== writing the handouts into {}", request.out.display());
    let out = request.out.to_string_lossy().into_owned();
    let saved = executed.to_string_lossy().into_owned();
    let assets = assets_dir().to_string_lossy().into_owned();
    let mut call = vec![
        "build",
        "--out",
        &out,
        "--executed",
        &saved,
        "--assets",
        &assets,
    ];
    if !request.solutions {
        call.push("--no-solutions");
    }
    if !request.teacher {
        call.push("--no-teacher");
    }
    call.extend(request.chapters.iter().map(String::as_str));
    places::run(&mut python(&call)?).map_err(|_| {
        "the handouts were not written (see above); the folder is as it was".to_string()
    })
}

/// The error for chapters that failed while they ran: each chapter named with
/// the cells that failed (from tests/notebooks.py's failures file).
fn failed_run(failures: &str, ran: &[(String, String)]) -> String {
    let named: Vec<&str> = ran
        .iter()
        .map(|(stem, _)| stem.as_str())
        .filter(|stem| failures.contains(&format!("{stem}.ipynb")))
        .collect();
    let which = if named.is_empty() {
        ran.iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        named.join(", ")
    };
    let detail = failures.trim_end();
    format!(
        "chapter {which} failed while it ran, so no handout was written{}{}",
        if detail.is_empty() {
            " (see above)"
        } else {
            ":\n"
        },
        detail
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems() -> Vec<String> {
        ["00-welcome", "01-hyperplanes", "03-in-all-probability"]
            .map(String::from)
            .to_vec()
    }

    fn args(words: &str) -> Vec<String> {
        words.split_whitespace().map(String::from).collect()
    }

    fn parse_ok(words: &str) -> Request {
        parse(&args(words), &stems(), Path::new("/course")).unwrap()
    }

    fn parse_err(words: &str) -> String {
        parse(&args(words), &stems(), Path::new("/course")).unwrap_err()
    }

    #[test]
    fn chapters_are_found_by_number_stem_or_file_name_in_order() {
        let request = parse_ok("3 01-hyperplanes 00-welcome.ipynb 03");
        assert_eq!(
            request.chapters,
            ["00-welcome", "01-hyperplanes", "03-in-all-probability"]
        );
        assert_eq!(parse_ok("--all").chapters, stems());
        assert_eq!(
            parse_ok("notebooks/01-hyperplanes.ipynb").chapters,
            ["01-hyperplanes"]
        );
    }

    #[test]
    fn the_defaults_are_solutions_teacher_notes_and_handouts_at_the_root() {
        let request = parse_ok("01");
        assert!(request.solutions && request.teacher && !request.fresh);
        assert_eq!(request.out, Path::new("/course/handouts"));
        assert_eq!(request.timeout, "120");
        let request = parse_ok("01 --fresh --no-solutions --no-teacher --out /tmp/h --timeout 300");
        assert!(!request.solutions && !request.teacher && request.fresh);
        assert_eq!(request.out, Path::new("/tmp/h"));
        assert_eq!(request.timeout, "300");
    }

    #[test]
    fn a_chapter_that_does_not_exist_is_named_with_those_that_do() {
        let e = parse_err("02");
        assert!(e.contains("no chapter \"02\""), "{e}");
        assert!(
            e.contains("00-welcome, 01-hyperplanes, 03-in-all-probability"),
            "{e}"
        );
        let e = parse_err("01-hyper");
        assert!(e.contains("no chapter \"01-hyper\""), "{e}");
        let e = parse_err("123");
        assert!(e.contains("no chapter \"123\""), "{e}");
    }

    #[test]
    fn bad_arguments_say_what_was_wrong_and_how_to_ask() {
        assert!(parse_err("").contains("which chapters?"));
        assert!(parse_err("--fresh").contains("which chapters?"));
        assert!(parse_err("--all 01").contains("not both"));
        assert!(parse_err("01 --out").contains("--out takes a folder"));
        assert!(parse_err("01 --out --fresh").contains("--out takes a folder"));
        assert!(parse_err("01 --timeout").contains("--timeout takes"));
        assert!(parse_err("01 --timeout soon").contains("\"soon\""));
        assert!(parse_err("01 --timeout -5").contains("above 0"));
        let e = parse_err("01 --solutions");
        assert!(
            e.contains("unknown option \"--solutions\"") && e.contains(USAGE),
            "{e}"
        );
        let e = parse(&args("--all"), &[], Path::new("/course")).unwrap_err();
        assert!(e.contains("no chapter"), "{e}");
    }

    #[test]
    fn a_failed_run_names_the_chapter_and_its_cell() {
        let ran = [
            (
                "01-hyperplanes".to_string(),
                "asked for (--fresh)".to_string(),
            ),
            (
                "03-in-all-probability".to_string(),
                "no executed copy".to_string(),
            ),
        ];
        let said = "03-in-all-probability.ipynb:\n    - cell 12 ('let x = data::penguins()?;') failed:\n        boom";
        let e = failed_run(said, &ran);
        assert!(
            e.starts_with(
                "chapter 03-in-all-probability failed while it ran, so no handout was written:"
            ),
            "{e}"
        );
        assert!(
            e.contains("cell 12") && !e.contains("01-hyperplanes"),
            "{e}"
        );
        // Without the failures file, every chapter that ran is named.
        let e = failed_run("", &ran);
        assert!(
            e.contains("01-hyperplanes, 03-in-all-probability") && e.ends_with("(see above)"),
            "{e}"
        );
    }

    /// The page check (handout.py) must fail on remote scripts, styles, fonts
    /// and imports, on missing local files and on math without MathJax; it
    /// runs with the course's Python when setup has installed it.
    #[test]
    fn the_page_check_fails_on_remote_references() {
        let Ok(mut command) = python(&["selftest"]) else {
            eprintln!(
                "the course's Python is not installed: the page check's self-test is skipped"
            );
            return;
        };
        let out = command.output().expect("handout.py selftest runs");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && said.contains("0 failed"),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
