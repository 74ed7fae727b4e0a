//! The places that list the chapters agree with the notebooks folder: the
//! course map (`mlmath::course`, drawn in `docs/course-map.svg` and in
//! notebook 00), the README's chapter table with each chapter's class time,
//! and the list of links in notebook 00. A chapter may be listed before its
//! notebook is written; a notebook may not be missing from a list.

use std::path::Path;

use mlmath::course::CHAPTERS;

use crate::places;
use crate::results::{Notebook, chapter_paths, text};

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
