//! `docs/results.md`: what the course demonstrates, collected from a run.
//!
//! Every chapter has code cells tagged `theory`, its "The math says / we
//! measured" cells: each asserts what theory predicts against the numbers of
//! the run, and prints both. `cargo course test` keeps every executed
//! notebook in `target/executed/` (the solutions in place, the outputs kept,
//! and in its metadata whether the run passed). `cargo course results` runs
//! the notebooks that have no passing copy there of their current theory
//! cells (unless the page already shows those cells as they are), then
//! writes the page: for every notebook in order, every theory
//! cell with its section, its claim (the markdown heading just above it), its
//! code, and what it printed (stdout and shown values; stderr left out).
//!
//! Each cell is keyed in the page by an HTML comment,
//! `<!-- theory 01-hyperplanes-and-the-perceptron/c575b9df 1f2e3d4c5b6a7980 -->`:
//! the notebook's file stem, the cell's id, and a fingerprint of its code.
//! Before any notebook runs, the test suite checks that every theory cell of
//! every notebook has its comment with the fingerprint of the code it has now
//! ([`check_page`]), so the page never shows a cell that changed since.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::places;

/// The page, relative to the repository.
pub const PAGE: &str = "docs/results.md";

/// Where `cargo course test` keeps the executed notebooks, under the repository.
pub const EXECUTED: &str = "target/executed";

/// A "The math says / we measured" cell of a notebook.
#[derive(Debug, Clone, PartialEq)]
pub struct TheoryCell {
    /// The notebook's file stem, `01-hyperplanes-and-the-perceptron`.
    pub notebook: String,
    /// The cell's id (nbformat 4.5).
    pub id: String,
    /// The last heading of level 1 or 2 above it that is not itself a
    /// "The math says" heading: the section it belongs to.
    pub section: String,
    /// The markdown heading just above it: what it claims.
    pub claim: String,
    /// Its code.
    pub code: String,
}

impl TheoryCell {
    /// `stem/id`: the cell's key in the page.
    pub fn key(&self) -> String {
        format!("{}/{}", self.notebook, self.id)
    }

    /// A fingerprint of its code: the page shows the code it was written from.
    pub fn code_fingerprint(&self) -> String {
        places::fingerprint(&[self.code.as_bytes()])
    }

    /// The comment that keys the cell in the page, with its code's fingerprint.
    pub fn marker(&self) -> String {
        format!("<!-- theory {} {} -->", self.key(), self.code_fingerprint())
    }
}

/// A notebook's cell's text: nbformat allows a string or a list of lines.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(lines) => lines.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

fn tags(cell: &Value) -> Vec<&str> {
    cell["metadata"]["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The markdown headings of a cell, `(level, text)`, outside code fences.
pub fn headings(markdown: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let level = line.chars().take_while(|&c| c == '#').count();
        let rest = &line[level..];
        if !fenced && (1..=6).contains(&level) && rest.starts_with(' ') {
            found.push((level, rest.trim().to_string()));
        }
    }
    found
}

fn is_math_says(heading: &str) -> bool {
    heading.to_lowercase().starts_with("the math says")
}

/// A parsed notebook: its title and cells.
pub struct Notebook {
    pub stem: String,
    pub json: Value,
}

impl Notebook {
    /// Reads and parses `path`.
    pub fn read(path: &Path) -> Result<Notebook, String> {
        let raw = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let json: Value = serde_json::from_str(&raw)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
        if !json["cells"].is_array() {
            return Err(format!("{} has no list of cells", path.display()));
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Notebook { stem, json })
    }

    fn cells(&self) -> &[Value] {
        self.json["cells"].as_array().map_or(&[], Vec::as_slice)
    }

    /// The first level-1 heading, `01 · Hyperplanes and the perceptron`.
    pub fn title(&self) -> String {
        self.cells()
            .iter()
            .filter(|c| c["cell_type"] == "markdown")
            .flat_map(|c| headings(&text(&c["source"])))
            .find(|(level, _)| *level == 1)
            .map(|(_, t)| t)
            .unwrap_or_else(|| self.stem.clone())
    }

    /// The code cells tagged `theory`, in order, each with its section and claim.
    pub fn theory_cells(&self) -> Result<Vec<TheoryCell>, String> {
        let (mut section, mut claim) = (String::new(), String::new());
        let mut found = Vec::new();
        for (i, cell) in self.cells().iter().enumerate() {
            let source = text(&cell["source"]);
            if cell["cell_type"] == "markdown" {
                for (level, heading) in headings(&source) {
                    if level <= 2 && !is_math_says(&heading) {
                        section = heading.clone();
                    }
                    claim = heading;
                }
                continue;
            }
            if cell["cell_type"] != "code" || !tags(cell).contains(&"theory") {
                continue;
            }
            let Some(id) = cell["id"].as_str() else {
                return Err(format!(
                    "notebooks/{}.ipynb: cell {i} is tagged theory but has no id; \
                     open and save the notebook in JupyterLab (nbformat 4.5 gives every cell one)",
                    self.stem
                ));
            };
            found.push(TheoryCell {
                notebook: self.stem.clone(),
                id: id.to_string(),
                section: section.clone(),
                claim: claim.clone(),
                code: source,
            });
        }
        Ok(found)
    }

    /// Whether a `:dep` cell loads the support crate with its DataFrames
    /// (`features = ["frames"]`, polars).
    pub fn loads_frames(&self) -> bool {
        self.cells().iter().any(|c| {
            let source = text(&c["source"]);
            c["cell_type"] == "code"
                && source.trim_start().starts_with(":dep")
                && source.contains("\"frames\"")
        })
    }

    fn cell_by_id(&self, id: &str) -> Option<&Value> {
        self.cells().iter().find(|c| c["id"] == id)
    }

    /// How the run that wrote this copy went: (passed, finished, seconds).
    fn run(&self) -> Option<(bool, String, f64)> {
        let run = &self.json["metadata"]["course_run"];
        Some((
            run["passed"].as_bool()?,
            run["finished"].as_str().unwrap_or("").to_string(),
            run["seconds"].as_f64().unwrap_or(f64::NAN),
        ))
    }
}

/// What a cell printed and showed, as text: its stdout, and the text form of
/// the values it showed (a picture without one is named as a picture).
/// Its stderr (warnings) and errors are left out.
fn printed(cell: &Value) -> String {
    let mut out = String::new();
    for output in cell["outputs"].as_array().map_or(&[][..], Vec::as_slice) {
        let piece = match output["output_type"].as_str() {
            Some("stream") if output["name"] == "stdout" => text(&output["text"]),
            Some("execute_result" | "display_data") => {
                let data = &output["data"];
                if data["text/plain"].is_null() {
                    let kind = data
                        .as_object()
                        .and_then(|d| d.keys().next().cloned())
                        .unwrap_or_default();
                    format!("[a picture ({kind}): see the notebook]\n")
                } else {
                    text(&data["text/plain"])
                }
            }
            _ => continue,
        };
        out.push_str(&piece);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    strip_ansi(&out)
}

/// Text without the terminal's colour codes (`ESC [ … m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A fence long enough for `content` (one backtick more than its longest run).
fn fence(content: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

fn block(language: &str, content: &str) -> String {
    let fence = fence(content);
    format!("{fence}{language}\n{}\n{fence}\n", content.trim_end())
}

/// The course's chapters: `notebooks/NN-*.ipynb`, in order.
pub fn chapter_paths(repo: &Path) -> Vec<PathBuf> {
    let dir = repo.join("notebooks");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        name.is_some_and(|n| {
            n.ends_with(".ipynb")
                && n.len() > 9
                && n.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                && n.as_bytes()[2] == b'-'
        })
    });
    paths.sort();
    paths
}

/// The problems of `page` against the theory cells it must show: a cell
/// missing, a cell shown with older code, or a cell shown that is no
/// longer a theory cell. Each names the cell and the fix.
pub fn page_problems(page: &str, cells: &[TheoryCell]) -> Vec<String> {
    let shown: BTreeMap<String, String> = page
        .lines()
        .filter_map(|line| {
            let inner = line
                .trim()
                .strip_prefix("<!-- theory ")?
                .strip_suffix("-->")?;
            let mut words = inner.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect();
    let mut problems = Vec::new();
    for cell in cells {
        let describe = format!(
            "cell {} of notebooks/{}.ipynb (\"{}\")",
            cell.id, cell.notebook, cell.claim
        );
        match shown.get(&cell.key()) {
            None => problems.push(format!("{PAGE} does not show theory {describe}")),
            Some(code) if *code != cell.code_fingerprint() => problems.push(format!(
                "{PAGE} shows an older version of theory {describe}: its code has changed"
            )),
            Some(_) => {}
        }
    }
    for key in shown.keys() {
        if !cells.iter().any(|c| &c.key() == key) {
            problems.push(format!(
                "{PAGE} shows cell {key}, which is no longer a theory cell of its notebook"
            ));
        }
    }
    problems
}

/// Checks that `docs/results.md` shows every theory cell of every notebook
/// as its code is now. Cheap: it reads the notebooks and the page, runs nothing.
pub fn check_page(repo: &Path) -> Result<(), String> {
    let mut cells = Vec::new();
    for path in chapter_paths(repo) {
        cells.extend(Notebook::read(&path)?.theory_cells()?);
    }
    let page = std::fs::read_to_string(repo.join(PAGE)).unwrap_or_default();
    let problems = page_problems(&page, &cells);
    if problems.is_empty() {
        return Ok(());
    }
    let shown = 12;
    let mut message = problems
        .iter()
        .take(shown)
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > shown {
        message += &format!("\n  - and {} more", problems.len() - shown);
    }
    Err(format!(
        "{PAGE} is not up to date with the notebooks' theory cells:\n{message}\n\
         Run `cargo course results`: it runs the notebooks whose theory cells changed \
         since their last passing run and writes the page again."
    ))
}

/// How each notebook's section of the page came to be.
#[derive(Debug, Default)]
pub struct Written {
    /// Written from a passing run of the notebook's current theory cells.
    pub from_runs: Vec<String>,
    /// Kept from the page as it was: no current run, but the page already
    /// showed its theory cells as they are.
    pub kept: Vec<String>,
    /// Shown as not run: no passing run of its current theory cells.
    pub missing: Vec<String>,
}

/// Which cells must be as they ran for a run to count as current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cells {
    /// The cells tagged `theory` (what docs/results.md shows).
    Theory,
    /// Every code cell and every solution (what a handout shows). An
    /// exercise cell ran with its solution's code, so its solution cell is
    /// compared in its place.
    Code,
}

/// The cells of `notebook` that `cells` names, as (id, source).
fn compared_cells(notebook: &Notebook, cells: Cells) -> Result<Vec<(String, String)>, String> {
    if cells == Cells::Theory {
        return Ok(notebook
            .theory_cells()?
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect());
    }
    let mut found = Vec::new();
    for (i, cell) in notebook.cells().iter().enumerate() {
        let kinds = tags(cell);
        let code = cell["cell_type"] == "code" && !kinds.contains(&"exercise");
        if !code && !kinds.contains(&"solution") {
            continue;
        }
        let Some(id) = cell["id"].as_str() else {
            return Err(format!(
                "cell {i} has no id; open and save the notebook in JupyterLab \
                 (nbformat 4.5 gives every cell one)"
            ));
        };
        found.push((id.to_string(), text(&cell["source"])));
    }
    Ok(found)
}

/// Whether `executed` is a passing run of `notebook`'s current cells (those
/// `cells` names).
fn current_run(notebook: &Notebook, executed: &Notebook, cells: Cells) -> Result<(), String> {
    match executed.run() {
        None => return Err("its copy records no run".into()),
        Some((false, when, _)) => return Err(format!("its last run ({when}) failed")),
        Some(_) => {}
    }
    for (id, source) in compared_cells(notebook, cells)? {
        match executed.cell_by_id(&id) {
            Some(c) if text(&c["source"]) == source => {}
            _ => return Err(format!("cell {id} changed since its last run")),
        }
    }
    Ok(())
}

/// Whether the notebook (by stem) has a passing run of its current theory
/// cells in `executed_dir`; the reason when it has not.
pub fn needs_run(repo: &Path, executed_dir: &Path, stem: &str) -> Option<String> {
    needs_run_for(repo, executed_dir, stem, Cells::Theory)
}

/// Whether the notebook (by stem) has a passing run in `executed_dir` of its
/// current cells, those `cells` names; the reason when it has not.
pub fn needs_run_for(repo: &Path, executed_dir: &Path, stem: &str, cells: Cells) -> Option<String> {
    let committed = match Notebook::read(&repo.join("notebooks").join(format!("{stem}.ipynb"))) {
        Ok(nb) => nb,
        Err(e) => return Some(e),
    };
    let copy = executed_dir.join(format!("{stem}.ipynb"));
    if !copy.exists() {
        let shown = executed_dir.strip_prefix(repo).unwrap_or(executed_dir);
        return Some(format!("no executed copy in {}", shown.display()));
    }
    Notebook::read(&copy)
        .and_then(|executed| current_run(&committed, &executed, cells))
        .err()
}

/// Whether the page as it is already shows the notebook's theory cells as
/// their code is now (from an earlier run): then it need not run again.
pub fn page_shows(repo: &Path, stem: &str) -> bool {
    let page = std::fs::read_to_string(repo.join(PAGE)).unwrap_or_default();
    let path = repo.join("notebooks").join(format!("{stem}.ipynb"));
    let Ok(cells) = Notebook::read(&path).and_then(|nb| nb.theory_cells()) else {
        return false;
    };
    let old = old_sections(&page);
    old.get(stem)
        .is_some_and(|section| !cells.is_empty() && page_problems(section, &cells).is_empty())
}

/// The sections of a page as written before, by notebook stem.
fn old_sections(page: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in page.lines() {
        if let Some(stem) = line
            .trim()
            .strip_prefix("<!-- notebook ")
            .and_then(|rest| rest.strip_suffix("-->"))
        {
            if let Some((name, body)) = current.take() {
                sections.insert(name, body);
            }
            current = Some((stem.trim().to_string(), String::new()));
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    if let Some((name, body)) = current {
        sections.insert(name, body);
    }
    sections
}

const INTRODUCTION: &str = "\
Every chapter checks its mathematics against the numbers it computes. Its
\"The math says / we measured\" cells (tagged `theory` in the notebooks) state
what theory predicts, compute the measurement, print both, and assert that
they agree. This page collects those cells from an actual run of the
notebooks, in order: for each, the section it belongs to, its claim (the
heading above it), its code, and what it printed. Random numbers come from
seeded generators, so a run on another machine prints the same numbers up to
the last digits of floating point, and times differ.

The page is written by `cargo course results` from the executed notebooks
that `cargo course test` keeps in `target/executed/`; do not edit it by hand.
The test suite checks that it shows every theory cell as its code is now.
";

/// One notebook's section of the page, from its executed copy.
fn section(notebook: &Notebook, executed: &Notebook) -> Result<String, String> {
    let title = notebook.title();
    let mut out = format!(
        "<!-- notebook {} -->\n## {title}\n\n[notebooks/{}.ipynb](../notebooks/{}.ipynb)",
        notebook.stem, notebook.stem, notebook.stem
    );
    if let Some((_, finished, seconds)) = executed.run() {
        out += &format!(" · run {finished}, {seconds:.0} s for the whole notebook");
    }
    out += "\n\n";
    for cell in notebook.theory_cells()? {
        let ran = executed
            .cell_by_id(&cell.id)
            .ok_or_else(|| format!("{}: no cell {} in the run", notebook.stem, cell.id))?;
        out += &cell.marker();
        out += &format!("\n### {}\n\n", cell.claim);
        if cell.section != cell.claim {
            out += &format!("In section *{}*.\n\n", cell.section);
        }
        out += &block("rust", &cell.code);
        let shown = printed(ran);
        if shown.trim().is_empty() {
            out += "\nIt printed nothing; its asserts passed.\n\n";
        } else {
            out += "\nIt printed:\n\n";
            out += &block("text", &shown);
            out += "\n";
        }
    }
    Ok(out)
}

/// When the run a section shows finished, as the section says.
fn run_of(section: &str) -> Option<String> {
    let line = section.lines().find(|l| l.contains(" · run "))?;
    let after = &line[line.find(" · run ")? + " · run ".len()..];
    Some(after[..after.rfind(", ")?].to_string())
}

fn placeholder(notebook: &Notebook, reason: &str) -> String {
    format!(
        "<!-- notebook {stem} -->\n## {title}\n\nNot shown: {reason}. \
         `cargo course results {number}` runs it and writes its section.\n\n",
        stem = notebook.stem,
        title = notebook.title(),
        number = &notebook.stem[..2],
    )
}

/// Writes `docs/results.md` from the executed copies in `executed_dir`.
/// A notebook without a passing run of its current theory cells keeps its
/// old section if that already shows its theory cells as they are, and is
/// otherwise shown as not run.
pub fn write_page(repo: &Path, executed_dir: &Path) -> Result<Written, String> {
    let page_path = repo.join(PAGE);
    let (page, written) = render_page(
        repo,
        executed_dir,
        &std::fs::read_to_string(&page_path).unwrap_or_default(),
    )?;
    std::fs::create_dir_all(repo.join("docs")).map_err(|e| format!("cannot create docs/: {e}"))?;
    std::fs::write(&page_path, page)
        .map_err(|e| format!("cannot write {}: {e}", page_path.display()))?;
    Ok(written)
}

/// The page written from the executed copies in `executed_dir`, keeping
/// sections of `old_page` as [`write_page`] says.
fn render_page(
    repo: &Path,
    executed_dir: &Path,
    old_page: &str,
) -> Result<(String, Written), String> {
    let old = old_sections(old_page);
    let mut written = Written::default();
    let mut body = String::new();
    let mut contents = String::from("| notebook | theory cells | shown from |\n|---|---|---|\n");
    for path in chapter_paths(repo) {
        let notebook = Notebook::read(&path)?;
        let cells = notebook.theory_cells()?;
        let stem = notebook.stem.clone();
        let reason = needs_run(repo, executed_dir, &stem);
        let (text, from) = match &reason {
            None => {
                let executed = Notebook::read(&executed_dir.join(format!("{stem}.ipynb")))?;
                written.from_runs.push(stem.clone());
                let when = executed.run().map(|(_, finished, _)| finished);
                let from = format!("the run of {}", when.unwrap_or_default());
                (section(&notebook, &executed)?, from)
            }
            Some(reason) => match old.get(&stem) {
                Some(kept) if !cells.is_empty() && page_problems(kept, &cells).is_empty() => {
                    written.kept.push(stem.clone());
                    let when = run_of(kept).unwrap_or_else(|| "an earlier run".into());
                    (kept.clone(), format!("the run of {when}"))
                }
                _ => {
                    written.missing.push(stem.clone());
                    (placeholder(&notebook, reason), "not run".to_string())
                }
            },
        };
        let anchor = notebook.title().to_lowercase();
        let anchor: String = anchor
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        contents += &format!(
            "| [{}](#{anchor}) | {} | {from} |\n",
            notebook.title(),
            cells.len()
        );
        body += &text;
    }
    let page = format!("# What the course demonstrates\n\n{INTRODUCTION}\n{contents}\n{body}");
    Ok((page.trim_end().to_string() + "\n", written))
}

/// The page as this run writes it, beside the committed one.
pub const RUN_PAGE: &str = "target/results.md";

/// Writes the page from the run in `executed_dir` to [`RUN_PAGE`] and checks
/// that every theory cell printed what the committed page shows: the same
/// text, and every number the same up to one unit in its last printed digit
/// (floating point on another processor). Returns how many cells agreed.
pub fn check_run_against_page(repo: &Path, executed_dir: &Path) -> Result<usize, String> {
    let committed =
        std::fs::read_to_string(repo.join(PAGE)).map_err(|e| format!("cannot read {PAGE}: {e}"))?;
    let (page, written) = render_page(repo, executed_dir, "")?;
    std::fs::write(repo.join(RUN_PAGE), &page)
        .map_err(|e| format!("cannot write {RUN_PAGE}: {e}"))?;
    if !written.missing.is_empty() {
        return Err(format!(
            "no passing run of the theory cells of {} in {}",
            written.missing.join(", "),
            executed_dir.display()
        ));
    }
    let (shown, ran) = (cell_blocks(&committed), cell_blocks(&page));
    let mut differ = Vec::new();
    for (key, printed) in &ran {
        match shown.get(key) {
            Some(was) if same_up_to_last_digit(was, printed) => {}
            Some(was) => {
                let (a, b) = first_difference(was, printed);
                differ.push(format!(
                    "{key}: the page shows {a:?}, this run printed {b:?}"
                ));
            }
            None => differ.push(format!("{key}: not on the page")),
        }
    }
    if differ.is_empty() {
        return Ok(ran.len());
    }
    Err(format!(
        "{} of {} theory cells printed other than {PAGE} shows:\n  - {}\n\
         This run's page is {RUN_PAGE}. If the change is meant, run \
         `cargo course results --no-run` (it writes {PAGE} from this run) and commit it.",
        differ.len(),
        ran.len(),
        differ
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  - ")
    ))
}

/// Each theory cell's part of a page (from its marker to the next marker or
/// notebook), by key, without the marker's code fingerprint.
fn cell_blocks(page: &str) -> BTreeMap<String, String> {
    let mut blocks = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in page.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("<!-- theory ") || trimmed.starts_with("<!-- notebook ") {
            blocks.extend(current.take());
            if let Some(key) = trimmed.strip_prefix("<!-- theory ") {
                let key = key.split_whitespace().next().unwrap_or_default();
                current = Some((key.to_string(), String::new()));
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    blocks.extend(current);
    blocks
}

/// A text cut into numbers and what lies between them.
fn tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let begin = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let exponent = i + 1 < bytes.len()
                && matches!(bytes[i], b'e' | b'E')
                && (bytes[i + 1].is_ascii_digit()
                    || (matches!(bytes[i + 1], b'-' | b'+')
                        && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)));
            if exponent {
                i += 2;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if start < begin {
                out.push(&text[start..begin]);
            }
            out.push(&text[begin..i]);
            start = i;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.push(&text[start..]);
    }
    out
}

/// One unit in the last printed digit of a number as printed: 0.01 for
/// `1.23`, 1 for `123`, 1e-5 for `2.5e-4`.
fn last_digit_unit(number: &str) -> f64 {
    let (mantissa, exponent) = match number.find(['e', 'E']) {
        Some(at) => (&number[..at], number[at + 1..].parse::<i32>().unwrap_or(0)),
        None => (number, 0),
    };
    let decimals = mantissa.find('.').map_or(0, |dot| mantissa.len() - dot - 1) as i32;
    10f64.powi(exponent - decimals)
}

/// Whether two printed texts agree: the same words and whole numbers, and
/// numbers with decimals within one unit in the last printed digit.
fn same_up_to_last_digit(a: &str, b: &str) -> bool {
    let whole = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    let (ta, tb) = (tokens(a), tokens(b));
    ta.len() == tb.len()
        && ta.iter().zip(&tb).all(|(x, y)| {
            x == y
                || (!whole(x) || !whole(y))
                    && match (x.parse::<f64>(), y.parse::<f64>()) {
                        (Ok(u), Ok(v)) => {
                            let unit = last_digit_unit(x).max(last_digit_unit(y));
                            (u - v).abs() <= unit * (1.0 + 1e-9)
                        }
                        _ => false,
                    }
        })
}

/// The first line where two texts differ, from each.
fn first_difference(a: &str, b: &str) -> (String, String) {
    let (mut la, mut lb) = (a.lines(), b.lines());
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if same_up_to_last_digit(x, y) => continue,
            (x, y) => {
                let show = |l: Option<&str>| l.unwrap_or("(nothing)").trim().to_string();
                return (show(x), show(y));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn notebook(cells: Value) -> Notebook {
        Notebook {
            stem: "07-a-test".into(),
            json: json!({ "cells": cells, "metadata": {} }),
        }
    }

    fn md(source: &str) -> Value {
        json!({ "cell_type": "markdown", "id": "m", "metadata": {}, "source": source })
    }

    fn code(id: &str, source: &str, tags: &[&str]) -> Value {
        json!({ "cell_type": "code", "id": id, "metadata": { "tags": tags },
                "source": source, "outputs": [] })
    }

    fn example() -> Notebook {
        notebook(json!([
            md("# 07 · A test\n\nStory."),
            md("## 1. A section\n\n```rust\n# not a heading\n```"),
            code("a", "let x = 1;", &[]),
            md("### The math says / we measured: x is one"),
            code(
                "b",
                "assert_eq!(x, 1);\nprintln!(\"x = {x}\");",
                &["theory"]
            ),
            md("## The math says / we measured (2): twice"),
            json!({ "cell_type": "code", "id": "c", "metadata": { "tags": ["theory", "compute"] },
                    "source": ["let y = 2 * x;\n", "assert_eq!(y, 2);"], "outputs": [] }),
        ]))
    }

    #[test]
    fn theory_cells_carry_their_section_and_claim() {
        let nb = example();
        assert_eq!(nb.title(), "07 · A test");
        let cells = nb.theory_cells().unwrap();
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].key(), "07-a-test/b");
        assert_eq!(
            cells[0].section, "1. A section",
            "a # inside a code fence is not a heading"
        );
        assert_eq!(cells[0].claim, "The math says / we measured: x is one");
        // A level-2 "The math says" heading is a claim, not a new section.
        assert_eq!(cells[1].section, "1. A section");
        assert_eq!(cells[1].claim, "The math says / we measured (2): twice");
        assert_eq!(
            cells[1].code, "let y = 2 * x;\nassert_eq!(y, 2);",
            "lines joined"
        );
    }

    #[test]
    fn a_theory_cell_without_an_id_is_an_error_that_says_what_to_do() {
        let nb = notebook(json!([
            { "cell_type": "code", "metadata": { "tags": ["theory"] }, "source": "1", "outputs": [] }
        ]));
        let e = nb.theory_cells().unwrap_err();
        assert!(
            e.contains("cell 0") && e.contains("no id") && e.contains("JupyterLab"),
            "{e}"
        );
    }

    #[test]
    fn the_page_check_names_missing_changed_and_stale_cells() {
        let cells = example().theory_cells().unwrap();
        let complete = format!("{}\ntext\n{}\n", cells[0].marker(), cells[1].marker());
        assert!(page_problems(&complete, &cells).is_empty());

        let missing = page_problems(&cells[0].marker(), &cells);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].contains("does not show") && missing[0].contains("cell c"));
        assert!(
            missing[0].contains("(2): twice"),
            "the claim names the cell: {missing:?}"
        );

        let mut edited = cells.clone();
        edited[1].code.push_str("\nprintln!(\"more\");");
        let changed = page_problems(&complete, &edited);
        assert_eq!(changed.len(), 1);
        assert!(changed[0].contains("older version") && changed[0].contains("cell c"));

        let stale = page_problems(&complete, &cells[..1]);
        assert_eq!(stale.len(), 1);
        assert!(stale[0].contains("07-a-test/c") && stale[0].contains("no longer"));
    }

    #[test]
    fn printed_keeps_stdout_and_shown_text_and_drops_stderr() {
        let cell = json!({ "outputs": [
            { "output_type": "stream", "name": "stdout", "text": "x = 1\n" },
            { "output_type": "stream", "name": "stderr", "text": "warning: unused\n" },
            { "output_type": "execute_result", "data": { "text/plain": ["| a |\n", "| 1 |"],
              "text/html": "<table/>" } },
            { "output_type": "display_data", "data": { "image/svg+xml": "<svg/>" } },
            { "output_type": "stream", "name": "stdout", "text": "\u{1b}[1mbold\u{1b}[0m" },
        ]});
        assert_eq!(
            printed(&cell),
            "x = 1\n| a |\n| 1 |\n[a picture (image/svg+xml): see the notebook]\nbold\n"
        );
    }

    #[test]
    fn a_notebook_that_loads_dataframes_is_known_by_its_dep_cell() {
        let with = notebook(json!([code(
            "d",
            ":dep mlmath = { path = \"..\", features = [\"frames\"] }",
            &[]
        )]));
        let without = notebook(json!([
            code("d", ":dep mlmath = { path = \"..\" }", &[]),
            md("\"frames\"")
        ]));
        assert!(with.loads_frames() && !without.loads_frames());
        assert!(
            Notebook::read(&places::repo().join("notebooks/03-in-all-probability.ipynb"))
                .unwrap()
                .loads_frames()
        );
    }

    #[test]
    fn a_run_agrees_with_the_page_up_to_the_last_printed_digit() {
        assert!(same_up_to_last_digit("1.0e2", "1.1e2"));
        assert_eq!(tokens("x = 1.25e-3, y=7"), ["x = ", "1.25e-3", ", y=", "7"]);
        assert_eq!(last_digit_unit("1.23"), 0.01);
        assert_eq!(last_digit_unit("123"), 1.0);
        assert!((last_digit_unit("2.5e-4") - 1e-5).abs() < 1e-18);
        assert!(same_up_to_last_digit(
            "loss 0.1234 at 12",
            "loss 0.1235 at 12"
        ));
        assert!(same_up_to_last_digit("0.0999", "0.1000"));
        assert!(!same_up_to_last_digit("loss 0.1234", "loss 0.1236"));
        assert!(!same_up_to_last_digit(
            "loss 0.1234 at 12",
            "loss 0.1234 at 13"
        ));
        assert!(!same_up_to_last_digit("train 0.5", "test 0.5"));
        assert!(!same_up_to_last_digit("a 1 b", "a 1"));
        let page = "<!-- notebook 01-a -->\n<!-- theory 01-a/x f1 -->\nIt printed:\n1.00\n\
                    <!-- theory 01-a/y f2 -->\n2\n<!-- notebook 02-b -->\nintro\n";
        let blocks = cell_blocks(page);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks["01-a/x"], "It printed:\n1.00\n");
        assert_eq!(
            blocks["01-a/y"], "2\n",
            "a notebook's heading ends the cell before it"
        );
        assert_eq!(
            first_difference("a 1\nb 2\n", "a 1\nb 3\n"),
            ("b 2".to_string(), "b 3".to_string())
        );
    }

    #[test]
    fn a_code_block_fence_outgrows_the_backticks_inside() {
        assert_eq!(fence("let s = \"```\";"), "````");
        assert_eq!(block("rust", "a\n"), "```rust\na\n```\n");
    }

    #[test]
    fn a_handout_needs_every_code_cell_and_solution_as_it_ran() {
        let committed = notebook(json!([
            md("# 07 · A test"),
            code("a", "let x = 1;", &[]),
            code("e", "let y = 0; // your code", &["exercise"]),
            json!({ "cell_type": "markdown", "id": "s", "metadata": { "tags": ["solution"] },
                    "source": "```rust\nlet y = 2 * x;\n```" }),
            code("k", "assert_eq!(y, 2);", &["check"]),
        ]));
        // As the test runs it: the solution's code in the exercise cell.
        let mut ran = committed.json.clone();
        ran["cells"][2]["source"] = json!("let y = 2 * x;");
        ran["metadata"]["course_run"] = json!({ "passed": true, "finished": "now" });
        let run = |json: &Value| Notebook {
            stem: "07-a-test".into(),
            json: json.clone(),
        };
        assert_eq!(current_run(&committed, &run(&ran), Cells::Code), Ok(()));
        // Its prose may change: the handout takes it from the committed notebook.
        let mut prose = ran.clone();
        prose["cells"][0]["source"] = json!("# 07 · A test, retitled");
        assert_eq!(current_run(&committed, &run(&prose), Cells::Code), Ok(()));
        for (cell, why) in [(1, "a code cell"), (3, "a solution"), (4, "a check")] {
            let mut changed = ran.clone();
            changed["cells"][cell]["source"] = json!("// changed");
            let id = changed["cells"][cell]["id"].as_str().unwrap().to_string();
            assert_eq!(
                current_run(&committed, &run(&changed), Cells::Code),
                Err(format!("cell {id} changed since its last run")),
                "{why} changed"
            );
            // The theory cells alone (none here) do not see it.
            assert_eq!(
                current_run(&committed, &run(&changed), Cells::Theory),
                Ok(())
            );
        }
        let mut failed = ran.clone();
        failed["metadata"]["course_run"]["passed"] = json!(false);
        assert!(current_run(&committed, &run(&failed), Cells::Code).is_err());
    }

    #[test]
    fn sections_of_an_old_page_are_found_by_notebook() {
        let page =
            "# T\n\nintro\n<!-- notebook 01-a -->\n## 01\nx\n<!-- notebook 02-b -->\n## 02\n";
        let old = old_sections(page);
        assert_eq!(old["01-a"], "<!-- notebook 01-a -->\n## 01\nx\n");
        assert_eq!(old["02-b"], "<!-- notebook 02-b -->\n## 02\n");
    }

    #[test]
    fn the_page_is_written_from_runs_kept_when_current_and_marked_when_not() {
        let repo = std::env::temp_dir().join(format!("course-results-{}", std::process::id()));
        std::fs::create_dir_all(repo.join("notebooks")).unwrap();
        let executed = repo.join(EXECUTED);
        std::fs::create_dir_all(&executed).unwrap();
        let committed = |source: &str| {
            json!({ "metadata": {}, "cells": [
                md("# 01 · One\n\n## 1. First"),
                md("### The math says / we measured: one is one"),
                code("t1", source, &["theory"]),
            ]})
        };
        let write = |path: PathBuf, nb: &Value| {
            std::fs::write(path, serde_json::to_string(nb).unwrap()).unwrap()
        };
        write(
            repo.join("notebooks/01-one.ipynb"),
            &committed("println!(\"1 = 1\");"),
        );
        let mut run = committed("println!(\"1 = 1\");");
        run["cells"][2]["outputs"] = json!([
            { "output_type": "stream", "name": "stdout", "text": "1 = 1\n" },
            { "output_type": "stream", "name": "stderr", "text": "a warning\n" },
        ]);
        run["metadata"]["course_run"] =
            json!({ "passed": true, "finished": "today", "seconds": 3.0 });
        write(executed.join("01-one.ipynb"), &run);

        let written = write_page(&repo, &executed).unwrap();
        assert_eq!(written.from_runs, ["01-one"]);
        let page = std::fs::read_to_string(repo.join(PAGE)).unwrap();
        assert!(
            page.contains("### The math says / we measured: one is one"),
            "{page}"
        );
        assert!(page.contains("In section *1. First*"), "{page}");
        assert!(
            page.contains("```text\n1 = 1\n```") && !page.contains("a warning"),
            "{page}"
        );
        assert!(check_page(&repo).is_ok());

        // Without its run, the page keeps what it showed, as long as it is current.
        std::fs::remove_file(executed.join("01-one.ipynb")).unwrap();
        assert!(page_shows(&repo, "01-one"));
        let written = write_page(&repo, &executed).unwrap();
        assert_eq!(written.kept, ["01-one"]);
        assert_eq!(std::fs::read_to_string(repo.join(PAGE)).unwrap(), page);

        // A failed run is not shown, nor is a run of other code.
        run["metadata"]["course_run"]["passed"] = json!(false);
        write(executed.join("01-one.ipynb"), &run);
        assert!(
            needs_run(&repo, &executed, "01-one")
                .unwrap()
                .contains("failed")
        );
        write(
            repo.join("notebooks/01-one.ipynb"),
            &committed("println!(\"one\");"),
        );
        assert!(!page_shows(&repo, "01-one"));
        let e = check_page(&repo).unwrap_err();
        assert!(
            e.contains("older version") && e.contains("cargo course results"),
            "{e}"
        );
        let written = write_page(&repo, &executed).unwrap();
        assert_eq!(written.missing, ["01-one"]);
        let page = std::fs::read_to_string(repo.join(PAGE)).unwrap();
        assert!(
            page.contains("Not shown") && page.contains("cargo course results 01"),
            "{page}"
        );
        assert!(
            check_page(&repo).is_err(),
            "a section not shown fails the check"
        );
        std::fs::remove_dir_all(&repo).unwrap();
    }

    #[test]
    fn every_theory_cell_of_the_course_is_on_the_results_page() {
        if let Err(e) = check_page(&places::repo()) {
            panic!("{e}");
        }
    }
}
