//! The places that list the chapters agree with the notebooks folder: the
//! course map (`mlmath::course`, drawn in `docs/course-map.svg` and in
//! notebook 00), the README's chapter table with each chapter's class time,
//! and the list of links in notebook 00. A chapter may be listed before its
//! notebook is written; a notebook may not be missing from a list.
//!
//! The teacher notes, `teacher/<stem>.md`, agree with the chapters too: one
//! page per chapter of the course map, each with the same four sections, a
//! plan that fills a 50-minute lesson with sections its notebook has, and a
//! model answer for every investigation exercise of the notebook.

use std::path::Path;

use mlmath::course::CHAPTERS;

use crate::places;
use crate::results::{Notebook, chapter_paths, headings, text};

/// The minutes of a notebook's "**Class time:** about 90 minutes" line.
fn class_minutes(notebook: &Notebook) -> Option<u32> {
    let text = text(&notebook.json["cells"][0]["source"]);
    let after = &text[text.find("**Class time:**")? + "**Class time:**".len()..];
    let digits: String = after
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let minutes = after[after.find(&digits)? + digits.len()..].trim_start();
    minutes
        .starts_with("minutes")
        .then(|| digits.parse().ok())?
}

/// The README's chapter table: (file stem, minutes) per row.
fn readme_rows(readme: &str) -> Vec<(String, Option<u32>)> {
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // `stem`, or a link to the notebook: [`stem`](notebooks/stem.ipynb)
            let first = cells.get(1)?;
            let shown = match first.strip_prefix('[') {
                Some(link) => &link[..link.find(']')?],
                None => first,
            };
            let stem = shown.strip_prefix('`')?.strip_suffix('`')?;
            let number_first =
                stem.len() > 3 && stem.as_bytes()[..2].iter().all(u8::is_ascii_digit);
            if !number_first || stem.as_bytes()[2] != b'-' {
                return None;
            }
            let minutes = cells
                .get(2)
                .and_then(|c| c.strip_suffix(" min"))
                .and_then(|m| m.parse().ok());
            Some((stem.to_string(), minutes))
        })
        .collect()
}

fn notebooks(repo: &Path) -> Vec<Notebook> {
    chapter_paths(repo)
        .iter()
        .map(|p| Notebook::read(p).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn every_notebook_is_a_chapter_of_the_course_map_under_its_title() {
    for notebook in notebooks(&places::repo()) {
        let Some(chapter) = CHAPTERS.iter().find(|c| c.stem == notebook.stem) else {
            panic!(
                "notebooks/{}.ipynb is not in the course map: add it to CHAPTERS in \
                 crates/mlmath/src/course.rs, then run `cargo course map`",
                notebook.stem
            );
        };
        let title = format!("{:02} · {}", chapter.number, chapter.title);
        assert_eq!(
            notebook.title(),
            title,
            "the course map (crates/mlmath/src/course.rs) names notebook {} otherwise than its \
             first heading does",
            notebook.stem
        );
    }
}

#[test]
fn the_course_map_picture_is_the_one_the_crate_draws() {
    let path = places::repo().join(crate::COURSE_MAP);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let drawn = crate::course_map_svg().unwrap();
    assert!(
        committed == drawn,
        "{} is not the course map the crate draws now: run `cargo course map`",
        path.display()
    );
}

#[test]
fn the_readme_lists_every_notebook_with_its_class_time() {
    let repo = places::repo();
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let rows = readme_rows(&readme);
    for notebook in notebooks(&repo) {
        let minutes = class_minutes(&notebook).unwrap_or_else(|| {
            panic!(
                "notebooks/{}.ipynb: its first cell has no line \"**Class time:** N minutes\"",
                notebook.stem
            )
        });
        let Some((_, listed)) = rows.iter().find(|(stem, _)| *stem == notebook.stem) else {
            panic!(
                "README.md's chapter table has no row for `{}`: add one (| `{}` | {minutes} min | …)",
                notebook.stem, notebook.stem
            );
        };
        assert_eq!(
            *listed,
            Some(minutes),
            "README.md gives `{}` another class time than its notebook ({minutes} minutes)",
            notebook.stem
        );
    }
    // The table follows the course map's order.
    let listed: Vec<&str> = rows.iter().map(|(stem, _)| stem.as_str()).collect();
    let mapped: Vec<&str> = CHAPTERS.iter().map(|c| c.stem).collect();
    assert_eq!(
        listed, mapped,
        "README.md's chapter table: one row per chapter of the map, in order"
    );
}

#[test]
fn notebook_00_links_every_notebook_in_its_course_map() {
    let repo = places::repo();
    let welcome = Notebook::read(&repo.join("notebooks/00-welcome.ipynb")).unwrap();
    let map_cell = welcome.json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| match &c["source"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(l) => l.iter().filter_map(|x| x.as_str()).collect(),
            _ => String::new(),
        })
        .find(|s| s.starts_with("## The course map"))
        .expect("notebook 00 has a markdown cell \"## The course map\"");
    for notebook in notebooks(&repo) {
        let link = format!("]({}.ipynb)", notebook.stem);
        assert!(
            map_cell.contains(&link),
            "notebook 00's course map does not link {}.ipynb: add it to the list",
            notebook.stem
        );
    }
}

#[test]
fn class_times_and_readme_rows_are_read_as_written() {
    let notebook = |source: &str| Notebook {
        stem: "01-x".into(),
        json: serde_json::json!({ "cells": [{ "cell_type": "markdown", "source": source }] }),
    };
    assert_eq!(
        class_minutes(&notebook("**Class time:** about 90 minutes — 15 for")),
        Some(90)
    );
    assert_eq!(
        class_minutes(&notebook("**Class time:** 75 minutes (or two)")),
        Some(75)
    );
    assert_eq!(class_minutes(&notebook("**Class time:** an hour")), None);
    let rows = readme_rows(
        "| notebook | time |\n|---|---|\n| `07-a-b` | 50 min | x |\n| `x` | 3 min |\n\
         | [`08-c`](notebooks/08-c.ipynb) | 75 min | y |",
    );
    let expected = [
        ("07-a-b".to_string(), Some(50)),
        ("08-c".to_string(), Some(75)),
    ];
    assert_eq!(rows, expected);
}

/// The level-2 sections of every page of teacher notes, in this order.
const TEACHER_SECTIONS: [&str; 4] = [
    "A 50-minute plan",
    "Short of time",
    "Questions students ask",
    "The investigation exercises",
];

/// The line a plan longer than its lesson begins with, after its table.
const SECOND_LESSON: &str = "**Left for a second lesson or homework:**";

/// The text of each markdown cell of a notebook.
fn markdown_cells(notebook: &Notebook) -> Vec<String> {
    notebook.json["cells"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|c| c["cell_type"] == "markdown")
        .map(|c| text(&c["source"]))
        .collect()
}

/// The exercises of a notebook, from their prompts `**Exercise 3.4 (investigate).**`:
/// (label, kind), e.g. ("Exercise 3.4", "investigate").
fn exercises(notebook: &Notebook) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for cell in markdown_cells(notebook) {
        let mut rest = cell.as_str();
        while let Some(at) = rest.find("**Exercise ") {
            rest = &rest[at + 2..];
            let Some(open) = rest.find(" (") else { break };
            let (label, after) = (&rest[..open], &rest[open + 2..]);
            let kind: String = after.chars().take_while(char::is_ascii_lowercase).collect();
            found.push((label.to_string(), kind));
        }
    }
    found
}

/// The notes split at their level-2 headings: (heading, body) in order.
fn sections(notes: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for line in notes.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            found.push((heading.trim().to_string(), String::new()));
        } else if let Some((_, body)) = found.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    found
}

/// The cells of a markdown table row, `| a | b |` → ["a", "b"] (`\|` is not a border).
fn table_cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut()?.push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut()?.push(c),
        }
    }
    Some(cells.iter().map(|c| c.trim().to_string()).collect())
}

/// What is wrong with the teacher notes of a notebook: one line for each problem, naming
/// the fix. Empty when the notes have the four sections in order, a plan whose table
/// `| minutes | what | cells |` adds up to 50 minutes and names in quotation marks only
/// headings and exercises of the notebook (at least one a row), the line that says what a
/// longer chapter leaves for another lesson, and a model answer for every exercise the
/// notebook tags as an investigation.
fn teacher_notes_problems(notes: &str, notebook: &Notebook) -> Vec<String> {
    let mut problems = Vec::new();
    let parts = sections(notes);
    let found: Vec<&str> = parts.iter().map(|(h, _)| h.as_str()).collect();
    if found != TEACHER_SECTIONS {
        problems.push(format!(
            "the level-2 sections are {found:?}; the notes need exactly {TEACHER_SECTIONS:?}, \
             in this order"
        ));
    }
    let body = |name: &str| {
        parts
            .iter()
            .find(|(h, _)| h == name)
            .map_or("", |(_, b)| b.as_str())
    };
    // The plan's table.
    let plan = body(TEACHER_SECTIONS[0]);
    let rows: Vec<Vec<String>> = plan.lines().filter_map(table_cells).collect();
    if rows.first().map(Vec::as_slice) != Some(&["minutes", "what", "cells"].map(String::from)) {
        problems.push("the plan needs a table with the header | minutes | what | cells |".into());
    }
    let notebook_headings: Vec<String> = markdown_cells(notebook)
        .iter()
        .flat_map(|c| headings(c))
        .map(|(_, h)| h)
        .collect();
    let labels: Vec<String> = exercises(notebook).into_iter().map(|(l, _)| l).collect();
    let mut minutes = 0;
    for row in rows.iter().skip(2) {
        let [spent, _, cells] = row.as_slice() else {
            problems.push(format!("the plan's row {row:?} needs three cells"));
            continue;
        };
        match spent.parse::<u32>() {
            Ok(m) => minutes += m,
            Err(_) => problems.push(format!("the plan's row {row:?}: {spent:?} is not minutes")),
        }
        // The names in quotation marks: every other piece between the quotes.
        let named: Vec<&str> = cells.split('"').skip(1).step_by(2).collect();
        if named.is_empty() {
            problems.push(format!(
                "the plan's row {row:?} names no section: quote a heading of the notebook"
            ));
        }
        for name in named {
            if !notebook_headings.iter().any(|h| h == name) && !labels.iter().any(|l| l == name) {
                problems.push(format!(
                    "the plan names \"{name}\", which is neither a heading nor an exercise of \
                     notebooks/{}.ipynb: quote the heading as the notebook writes it",
                    notebook.stem
                ));
            }
        }
    }
    if minutes != 50 {
        problems.push(format!("the plan's minutes add up to {minutes}, not 50"));
    }
    let longer = class_minutes(notebook).is_some_and(|m| m > 50);
    if longer && !plan.lines().any(|l| l.starts_with(SECOND_LESSON)) {
        problems.push(format!(
            "the chapter needs more than 50 minutes: after the plan's table, a line starting \
             {SECOND_LESSON} says what the plan leaves out"
        ));
    }
    // A model answer for every investigation.
    let answers = body(TEACHER_SECTIONS[3]);
    for (label, kind) in exercises(notebook) {
        if kind == "investigate" && !answers.contains(&format!("**{label} (investigate")) {
            problems.push(format!(
                "{label} of notebooks/{}.ipynb is an investigation: its model answer, headed \
                 **{label} (investigate…)**, belongs under \"The investigation exercises\"",
                notebook.stem
            ));
        }
    }
    problems
}

#[test]
fn every_chapter_has_teacher_notes_whose_plan_fits_its_notebook() {
    let repo = places::repo();
    let index = std::fs::read_to_string(repo.join("teacher/README.md"))
        .expect("teacher/README.md lists the notes of every chapter");
    let mut problems = Vec::new();
    for chapter in CHAPTERS {
        let path = repo.join("teacher").join(format!("{}.md", chapter.stem));
        let Ok(notes) = std::fs::read_to_string(&path) else {
            problems.push(format!(
                "{} is missing: write the chapter's notes",
                path.display()
            ));
            continue;
        };
        if !index.contains(&format!("]({}.md)", chapter.stem)) {
            problems.push(format!(
                "teacher/README.md does not link {}.md",
                chapter.stem
            ));
        }
        let notebook_path = repo
            .join("notebooks")
            .join(format!("{}.ipynb", chapter.stem));
        match Notebook::read(&notebook_path) {
            Ok(notebook) => problems.extend(
                teacher_notes_problems(&notes, &notebook)
                    .into_iter()
                    .map(|p| format!("teacher/{}.md: {p}", chapter.stem)),
            ),
            Err(e) => problems.push(format!("teacher/{}.md has no notebook: {e}", chapter.stem)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn teacher_notes_that_break_the_form_are_caught() {
    let notebook = Notebook {
        stem: "01-x".into(),
        json: serde_json::json!({ "cells": [
            { "cell_type": "markdown", "source": "# 01 · X\n\n**Class time:** 75 minutes." },
            { "cell_type": "markdown", "source": "## 1. Sums\n\n```\n## not a heading\n```" },
            { "cell_type": "markdown", "source": "### The math says / we measured: $a \\le b$" },
            { "cell_type": "markdown", "source": "**Exercise 1.1 (warm-up).** Add.\n\n\
                **Exercise 1.2 (investigate).** Measure." },
        ]}),
    };
    let good = "# notes\n\n## A 50-minute plan\n\n| minutes | what | cells |\n|---|---|---|\n\
        | 30 | Ask \\| run. | \"1. Sums\", \"The math says / we measured: $a \\le b$\" |\n\
        | 20 | Pairs. | \"Exercise 1.1\" |\n\n\
        **Left for a second lesson or homework:** \"Exercise 1.2\".\n\n\
        ## Short of time\n\nSkip.\n\n## Questions students ask\n\nWhy?\n\n\
        ## The investigation exercises\n\n**Exercise 1.2 (investigate): how much?**\n";
    assert_eq!(
        teacher_notes_problems(good, &notebook),
        Vec::<String>::new()
    );
    // Each break, and the words its report must contain.
    let broken = [
        (good.replace("| 20 |", "| 15 |"), "add up to 45"),
        (
            good.replace("\"1. Sums\"", "\"1. Products\""),
            "\"1. Products\"",
        ),
        (
            good.replace("\"1. Sums\"", "\"not a heading\""),
            "\"not a heading\"",
        ),
        (
            good.replace("\"Exercise 1.1\"", "pairs"),
            "names no section",
        ),
        (
            good.replace("**Left for a second", "Left for a second"),
            "more than 50 minutes",
        ),
        (
            good.replace("**Exercise 1.2 (investigate)", "Exercise 1.2"),
            "Exercise 1.2 of",
        ),
        (good.replace("## Short of time", "## Questions"), "exactly"),
        (
            good.replace("| minutes | what | cells |", "| min | what | cells |"),
            "header",
        ),
        (good.replace("| 30 |", "| half an hour |"), "is not minutes"),
    ];
    for (notes, expected) in broken {
        let problems = teacher_notes_problems(&notes, &notebook);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "a break that should report {expected:?} gave {problems:?}"
        );
    }
}
