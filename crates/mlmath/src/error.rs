//! The one error type of the crate.
//!
//! Every function that takes a learner's data checks it and returns
//! [`Result<T>`](Result). The message says what was wrong *and* what was
//! expected, so that it can be read in a notebook without a backtrace:
//!
//! ```
//! use mlmath::Error;
//! let e = Error::shape("x", "4 columns (one per weight)", "3 columns");
//! assert_eq!(e.to_string(), "x has the wrong shape: expected 4 columns (one per weight), got 3 columns");
//! ```

use std::fmt;
use std::path::PathBuf;

/// `Result<T, mlmath::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, in words a learner can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An array has the wrong shape: `what` expected `expected`, got `got`.
    Shape {
        what: String,
        expected: String,
        got: String,
    },
    /// A dataset or array that must hold at least one row is empty.
    Empty { what: String },
    /// A value is NaN or infinite where a finite number is needed.
    NotFinite { what: String, index: Vec<usize> },
    /// A parameter is outside its allowed range (a learning rate ≤ 0, k = 0, ...).
    Parameter {
        name: String,
        expected: String,
        got: String,
    },
    /// A name that is not one of the known ones (a dataset, a kernel, ...).
    Unknown {
        what: String,
        got: String,
        known: Vec<String>,
    },
    /// A data file is missing, unreadable, altered or malformed.
    DataFile {
        path: PathBuf,
        problem: String,
        fix: String,
    },
    /// A result is too large for an f64 (beyond ±1.8·10³⁰⁸) although every
    /// input was finite: `what` overflowed, and `fix` says how to rescale.
    Overflow { what: String, fix: String },
    /// Drawing a plot failed (a bug in the crate rather than in the input).
    Plot(String),
}

impl Error {
    /// An array `what` whose shape is not `expected`.
    pub fn shape(
        what: impl Into<String>,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        Error::Shape {
            what: what.into(),
            expected: expected.into(),
            got: got.into(),
        }
    }

    /// A parameter `name` outside its range.
    pub fn parameter(
        name: impl Into<String>,
        expected: impl Into<String>,
        got: impl fmt::Display,
    ) -> Self {
        Error::Parameter {
            name: name.into(),
            expected: expected.into(),
            got: got.to_string(),
        }
    }

    /// An empty `what`.
    pub fn empty(what: impl Into<String>) -> Self {
        Error::Empty { what: what.into() }
    }

    /// A result `what` too large for an f64, and how to avoid it.
    ///
    /// ```
    /// let e = mlmath::Error::overflow("a·b", "rescale the vectors");
    /// assert_eq!(e.to_string(), "a·b is too large for an f64 (beyond ±1.8e308): rescale the vectors");
    /// ```
    pub fn overflow(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::Overflow {
            what: what.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Shape {
                what,
                expected,
                got,
            } => {
                write!(
                    f,
                    "{what} has the wrong shape: expected {expected}, got {got}"
                )
            }
            Error::Empty { what } => write!(f, "{what} is empty: it needs at least one row"),
            Error::NotFinite { what, index } => write!(
                f,
                "{what} holds a NaN or infinite value at index {index:?}: \
                 remove or impute missing values first (see Dataset::drop_missing)"
            ),
            Error::Parameter {
                name,
                expected,
                got,
            } => {
                write!(f, "{name} must be {expected}, got {got}")
            }
            Error::Unknown { what, got, known } => {
                write!(
                    f,
                    "unknown {what} {got:?}: the known ones are {}",
                    known.join(", ")
                )
            }
            Error::DataFile { path, problem, fix } => {
                write!(f, "{}: {problem}. Fix: {fix}", path.display())
            }
            Error::Overflow { what, fix } => {
                write!(f, "{what} is too large for an f64 (beyond ±1.8e308): {fix}")
            }
            Error::Plot(msg) => write!(f, "could not draw the plot: {msg}"),
        }
    }
}

impl std::error::Error for Error {}

/// Checks that `x: (n, d)` has at least one row and that `y` gives one
/// label (or target) per row — the first check of every `fit`.
///
/// ```
/// use ndarray::{Array2, array};
/// let x = Array2::<f64>::zeros((3, 2));
/// assert!(mlmath::error::check_samples(x.view(), 3).is_ok());
/// let e = mlmath::error::check_samples(x.view(), 2).unwrap_err();
/// assert_eq!(e.to_string(), "y has the wrong shape: expected 3 labels, one per row of x, got 2 labels");
/// ```
pub fn check_samples(x: ndarray::ArrayView2<'_, f64>, y_len: usize) -> Result<()> {
    if y_len != x.nrows() {
        return Err(Error::shape(
            "y",
            format!("{} labels, one per row of x", x.nrows()),
            format!("{y_len} labels"),
        ));
    }
    if x.nrows() == 0 {
        return Err(Error::empty("x"));
    }
    Ok(())
}

/// Checks that every entry of `values` is finite; names `what` otherwise.
///
/// ```
/// use ndarray::array;
/// assert!(mlmath::error::check_finite("x", array![1.0, 2.0].view()).is_ok());
/// let e = mlmath::error::check_finite("x", array![[1.0, f64::NAN]].view()).unwrap_err();
/// assert!(e.to_string().contains("index [0, 1]"));
/// ```
pub fn check_finite<D: ndarray::Dimension>(
    what: &str,
    values: ndarray::ArrayView<'_, f64, D>,
) -> Result<()> {
    match values.indexed_iter().find(|(_, v)| !v.is_finite()) {
        None => Ok(()),
        Some((index, _)) => Err(Error::NotFinite {
            what: what.to_string(),
            index: ndarray::Dimension::slice(&ndarray::IntoDimension::into_dimension(index))
                .to_vec(),
        }),
    }
}
