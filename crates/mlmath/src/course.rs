//! The course's chapters, and which builds on which: the map that notebook
//! 00 draws, and `docs/course-map.svg` shows (`cargo course map` writes it).
//!
//! An arrow from chapter A to chapter B says that B uses something A
//! introduced: an idea, a method or a tool, named in [`Chapter::builds_on`].
//! Only direct uses are drawn: chapter 06 uses nearest neighbours (04), which
//! used cross-validation (03), but 06 itself does not go back to 03.
//!
//! ```
//! use mlmath::course::{CHAPTERS, chapter};
//! assert_eq!(chapter(8).unwrap().stem, "08-backpropagation");
//! // every arrow points forwards, from an earlier chapter
//! assert!(CHAPTERS.iter().all(|c| c.builds_on.iter().all(|&(from, _)| from < c.number)));
//! let svg = mlmath::course::course_map().draw().unwrap().svg().to_string();
//! assert!(svg.contains("Backpropagation"));
//! ```

use crate::plot::Graph;

/// One chapter: its number, its notebook's file stem, its title (as the
/// notebook's first heading has it, after "NN · "), and the chapters it
/// builds on, each with what it takes from them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chapter {
    /// 0 to 13.
    pub number: u8,
    /// The notebook's file name without `.ipynb`: `08-backpropagation`.
    pub stem: &'static str,
    /// The title after "NN · " in the notebook's first heading.
    pub title: &'static str,
    /// The earlier chapters it uses, each with what it takes from them.
    pub builds_on: &'static [(u8, &'static str)],
}

/// The chapters, in order.
pub const CHAPTERS: [Chapter; 14] = [
    Chapter {
        number: 0,
        stem: "00-welcome",
        title: "Welcome: Rust in a notebook",
        builds_on: &[],
    },
    Chapter {
        number: 1,
        stem: "01-hyperplanes-and-the-perceptron",
        title: "Hyperplanes and the perceptron",
        builds_on: &[(0, "cells, the support crate, its displays")],
    },
    Chapter {
        number: 2,
        stem: "02-the-bottom-of-the-bowl",
        title: "The bottom of the bowl",
        builds_on: &[(1, "the linear model w·x + b, the perceptron's loss")],
    },
    Chapter {
        number: 3,
        stem: "03-in-all-probability",
        title: "In all probability",
        builds_on: &[(0, "cells, the support crate, its displays")],
    },
    Chapter {
        number: 4,
        stem: "04-birds-of-a-feather",
        title: "Birds of a feather",
        builds_on: &[
            (1, "the dot product and the angle between two vectors"),
            (
                3,
                "cross-validation on the training rows, paired folds, the test set used once",
            ),
        ],
    },
    Chapter {
        number: 5,
        stem: "05-there-is-magic-in-them-matrices",
        title: "There's magic in them matrices",
        builds_on: &[
            (2, "the eigenvalues of a symmetric matrix, the Hessian's"),
            (4, "nearest neighbours, to score what the components keep"),
        ],
    },
    Chapter {
        number: 6,
        stem: "06-the-kernel-rope-trick",
        title: "The kernel rope trick",
        builds_on: &[
            (1, "hyperplanes, the margin, Novikoff's γ"),
            (2, "the hinge loss"),
            (
                4,
                "nearest neighbours and cross-validation, to choose and compare",
            ),
        ],
    },
    Chapter {
        number: 7,
        stem: "07-a-little-help-from-physics",
        title: "A little help from physics",
        builds_on: &[(1, "threshold units that fire by the sign of a weighted sum")],
    },
    Chapter {
        number: 8,
        stem: "08-backpropagation",
        title: "Backpropagation",
        builds_on: &[
            (1, "XOR, which one unit cannot learn"),
            (2, "gradients, finite differences, gradient descent"),
        ],
    },
    Chapter {
        number: 9,
        stem: "09-the-eyes-of-a-machine",
        title: "The eyes of a machine",
        builds_on: &[(
            8,
            "the tensor engine, gradient checks, the MLP to compare with",
        )],
    },
    Chapter {
        number: 10,
        stem: "10-terra-incognita",
        title: "Terra incognita",
        builds_on: &[
            (
                2,
                "least squares, and what gradient descent from zero finds",
            ),
            (5, "eigenvalues and eigenvectors, now of Φ's Gram matrices"),
            (6, "the RBF kernel that random features approximate"),
        ],
    },
    Chapter {
        number: 11,
        stem: "11-data-as-its-own-label",
        title: "Data as its own label",
        builds_on: &[
            (3, "probabilities and maximum likelihood"),
            (5, "PCA, to look at the embeddings"),
            (
                8,
                "a network trained on the cross-entropy by backpropagation",
            ),
        ],
    },
    Chapter {
        number: 12,
        stem: "12-attention",
        title: "Attention",
        builds_on: &[
            (7, "the dense associative memory, one attention step"),
            (8, "the engine and its optimisers"),
            (
                11,
                "the next character of Moby-Dick, its split, the n-grams to beat",
            ),
        ],
    },
    Chapter {
        number: 13,
        stem: "13-what-machines-dont-learn",
        title: "What machines don't learn",
        builds_on: &[
            (2, "least squares, here on logarithms"),
            (
                3,
                "reliability tables, priors set by Bayes' rule, bias from a skewed sample",
            ),
            (4, "nearest neighbours, the 4s and 9s of the 20 × 20 digits"),
            (6, "the RBF support vector machine"),
            (8, "the multilayer perceptron and universal approximation"),
            (12, "the softmax computed stably, as in exercise 12.2"),
        ],
    },
];

/// The chapter numbered `number`, if there is one.
pub fn chapter(number: u8) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|c| c.number == number)
}

/// `text` broken into lines of at most `width` characters, at spaces.
fn wrapped(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

/// The course map: a box per chapter, an arrow from each chapter to every
/// chapter that builds on it, drawn from the top down.
pub fn course_map() -> Graph {
    let mut map =
        Graph::new("The course map: an arrow from a chapter to each chapter that uses it");
    map.top_down();
    let boxes: Vec<usize> = CHAPTERS
        .iter()
        .map(|c| map.value(&format!("{:02}\n{}", c.number, wrapped(c.title, 18))))
        .collect();
    for (to, c) in CHAPTERS.iter().enumerate() {
        for &(from, _) in c.builds_on {
            if let Some(at) = CHAPTERS.iter().position(|f| f.number == from) {
                map.edge(boxes[at], boxes[to]);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_are_numbered_in_order_and_named_by_their_stems() {
        for (i, c) in CHAPTERS.iter().enumerate() {
            assert_eq!(c.number as usize, i);
            assert!(
                c.stem.starts_with(&format!("{:02}-", c.number)),
                "{}",
                c.stem
            );
            assert!(!c.title.is_empty());
        }
    }

    #[test]
    fn every_chapter_but_the_first_builds_on_an_earlier_one() {
        for c in &CHAPTERS[1..] {
            assert!(!c.builds_on.is_empty(), "{} builds on nothing", c.stem);
            for &(from, why) in c.builds_on {
                assert!(
                    from < c.number && chapter(from).is_some(),
                    "{}: {from}",
                    c.stem
                );
                assert!(!why.is_empty(), "{}: say what it takes from {from}", c.stem);
            }
        }
    }

    #[test]
    fn the_map_has_a_box_per_chapter_and_an_arrow_per_use() {
        let map = course_map();
        assert_eq!(map.len(), CHAPTERS.len());
        let columns = map.columns().unwrap();
        // Each chapter lies below every chapter it builds on.
        for (i, c) in CHAPTERS.iter().enumerate() {
            for &(from, _) in c.builds_on {
                assert!(columns[from as usize] < columns[i], "{} and {from}", c.stem);
            }
        }
        let svg = map.draw().unwrap().svg().to_string();
        let arrows: usize = CHAPTERS.iter().map(|c| c.builds_on.len()).sum();
        assert_eq!(
            svg.matches("<polyline").count(),
            arrows,
            "one line per arrow"
        );
    }

    #[test]
    fn titles_wrap_at_spaces() {
        assert_eq!(
            wrapped("There's magic in them matrices", 18),
            "There's magic in\nthem matrices"
        );
        assert_eq!(wrapped("Attention", 18), "Attention");
    }
}
