//! Tables shown as HTML in a notebook, and as aligned text elsewhere.
//!
//! A [`Table`] is a header and rows of text. In a notebook, a cell that ends
//! with a table shows it as HTML in the theme's own colours (light or dark);
//! `println!("{table}")` prints aligned text. Arrays and DataFrames become
//! tables through [`ShowTable`]: with `use mlmath::prelude::*`, a cell that
//! ends with a 2-D array shows it as a table, long ones cut to their first and
//! last rows.
//!
//! Rows are built with [`row!`](crate::row) from values of any type that
//! can be shown — numbers, text, booleans — so a loop that fills a table
//! needs no `format!`. Every row has one cell per column of the header: a
//! row of another length is remembered as a problem, which
//! [`Table::check`] returns as an [`Error`] and a notebook prints in place
//! of the table (as a chart that cannot be drawn does).
//!
//! ```
//! use mlmath::{row, table::Table};
//! let mut t = Table::new(["k", "accuracy", "metric"]);
//! for (k, accuracy) in [(1, 0.91), (5, 0.95)] {
//!     t.push_row(row![k, accuracy, "cosine"]);
//! }
//! assert_eq!(t.to_string(), "k  accuracy  metric\n1      0.91  cosine\n5      0.95  cosine\n");
//! ```

use std::fmt;

use ndarray::{ArrayBase, Data, Ix1, Ix2};

use crate::error::{Error, Result};

/// Rows shown at the head of a long table, and at its tail.
const HEAD_ROWS: usize = 10;
const TAIL_ROWS: usize = 5;
/// Columns shown before a wide table is cut.
const MAX_COLUMNS: usize = 12;

/// A header and rows of cells, shown as HTML in a notebook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    caption: Option<String>,
    /// Rows left out of the middle of a long table (shown as "…").
    hidden_rows: usize,
    /// Columns left out on the right of a wide table.
    hidden_columns: usize,
    /// The first row whose length differs from the header's.
    problem: Option<Error>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    /// The table with one more row (builder style): `table.row(row![a, b])`.
    /// The row needs one cell per column; a row of another length is kept
    /// (the text and HTML forms show every cell) and remembered as the
    /// table's problem, see [`check`](Self::check).
    pub fn row<I, S>(mut self, cells: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.push_row(cells);
        self
    }

    /// Adds a row in place (for loops): `table.push_row(row![a, b])`. As
    /// with [`row`](Self::row), a row of the wrong length is the table's
    /// problem.
    pub fn push_row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        if cells.len() != self.header.len() && self.problem.is_none() {
            self.problem = Some(Error::shape(
                format!("row {} of the table (counting from 0)", self.rows.len()),
                format!(
                    "{}, one per column ({})",
                    count_cells(self.header.len()),
                    self.header.join(", ")
                ),
                count_cells(cells.len()),
            ));
        }
        self.rows.push(cells);
    }

    /// `Ok(())` when every row has one cell per column of the header;
    /// otherwise the first row that has not, as an [`Error`] naming it, the
    /// columns expected and the cells it got.
    ///
    /// ```
    /// use mlmath::{row, table::Table};
    /// let good = Table::new(["k", "accuracy"]).row(row![1, 0.9]).row(row![5, 0.95]);
    /// assert!(good.check().is_ok());
    /// let short = Table::new(["k", "accuracy"]).row(row![1, 0.9]).row(row![5]);
    /// let e = short.check().unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "row 1 of the table (counting from 0) has the wrong shape: \
    ///      expected 2 cells, one per column (k, accuracy), got 1 cell"
    /// );
    /// ```
    pub fn check(&self) -> Result<()> {
        match &self.problem {
            Some(problem) => Err(problem.clone()),
            None => Ok(()),
        }
    }

    /// A caption shown above the table.
    pub fn caption(mut self, caption: &str) -> Self {
        self.caption = Some(caption.to_string());
        self
    }

    /// Number of rows held (not counting rows cut from a long array).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The cell in row `row`, column `column`, if there is one.
    pub fn cell(&self, row: usize, column: usize) -> Option<&str> {
        self.rows.get(row)?.get(column).map(String::as_str)
    }

    /// The table as an HTML `<table>`, with no colours of its own so that it
    /// takes JupyterLab's theme.
    pub fn to_html(&self) -> String {
        let mut html = String::from("<table class=\"mlmath-table\">");
        if let Some(caption) = &self.caption {
            html += &format!(
                "<caption style=\"text-align:left\">{}</caption>",
                escape(caption)
            );
        }
        html += "<thead><tr>";
        for name in &self.header {
            html += &format!("<th>{}</th>", escape(name));
        }
        if self.hidden_columns > 0 {
            html += &format!("<th title=\"{} more columns\">…</th>", self.hidden_columns);
        }
        html += "</tr></thead><tbody>";
        let columns = self.header.len() + usize::from(self.hidden_columns > 0);
        for (i, row) in self.rows.iter().enumerate() {
            if self.hidden_rows > 0 && i == HEAD_ROWS {
                html += &format!(
                    "<tr><td colspan=\"{columns}\" style=\"text-align:center\">… {} more rows …</td></tr>",
                    self.hidden_rows
                );
            }
            html += "<tr>";
            for cell in row {
                let align = if looks_numeric(cell) { "right" } else { "left" };
                html += &format!("<td style=\"text-align:{align}\">{}</td>", escape(cell));
            }
            if self.hidden_columns > 0 {
                html += "<td>…</td>";
            }
            html += "</tr>";
        }
        html += "</tbody></table>";
        html
    }

    /// Shows the table in a notebook (HTML, with the text form as a
    /// fallback); a table whose [`check`](Self::check) fails shows its error
    /// instead, in red.
    pub fn evcxr_display(&self) {
        if let Err(e) = self.check() {
            eprintln!("Error: {e}");
            return;
        }
        println!(
            "EVCXR_BEGIN_CONTENT text/plain\n{self}EVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_html()
        );
    }
}

impl fmt::Display for Table {
    /// Columns padded to a common width: text to the left, numbers to the right.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(caption) = &self.caption {
            writeln!(f, "{caption}")?;
        }
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .fold(self.header.len(), usize::max);
        let mut widths = vec![0; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (c, cell) in row.iter().enumerate() {
                widths[c] = widths[c].max(cell.chars().count());
            }
        }
        let write_row = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, &w)| {
                    if looks_numeric(cell) {
                        format!("{cell:>w$}")
                    } else {
                        format!("{cell:<w$}")
                    }
                })
                .collect();
            writeln!(f, "{}", padded.join("  ").trim_end())
        };
        write_row(f, &self.header)?;
        for (i, row) in self.rows.iter().enumerate() {
            if self.hidden_rows > 0 && i == HEAD_ROWS {
                writeln!(f, "… {} more rows …", self.hidden_rows)?;
            }
            write_row(f, row)?;
        }
        Ok(())
    }
}

/// Formats a number for a table: integers without decimals, others with up
/// to four decimals and no trailing zeros; below 10⁻⁴ or from 10¹⁵ on, four
/// significant digits in scientific notation; NaN as `NaN` (a missing value).
///
/// ```
/// use mlmath::table::format_number;
/// assert_eq!(format_number(5.0), "5");
/// assert_eq!(format_number(5.1), "5.1");
/// assert_eq!(format_number(1.0 / 3.0), "0.3333");
/// assert_eq!(format_number(2.5e-7), "2.500e-7");
/// assert_eq!(format_number(6.02e23), "6.020e23");
/// assert_eq!(format_number(-0.0), "0");
/// assert_eq!(format_number(f64::NAN), "NaN");
/// ```
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".to_string();
    }
    if !(1e-4..1e15).contains(&x.abs()) {
        return format!("{x:.3e}");
    }
    if x.fract() == 0.0 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A row of cells from values of any types that implement `Display`:
/// numbers (`f64`, `f32`) are written by [`format_number`], everything else
/// by its `Display`. Use it with [`Table::row`] and [`Table::push_row`].
///
/// ```
/// use mlmath::{row, table::Table};
/// let k = 5;
/// let t = Table::new(["k", "accuracy", "metric"]).row(row![k, 2.0 / 3.0, "cosine"]);
/// assert_eq!(t.cell(0, 1), Some("0.6667"));
/// assert_eq!(t.cell(0, 0), Some("5"));
/// ```
#[macro_export]
macro_rules! row {
    ($($cell:expr),* $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::table::{DisplayCell as _, NumberCell as _};
        ::std::vec![$((&$crate::table::Cell(&$cell)).text()),*]
    }};
}

/// A value on its way into a table cell (used by [`row!`](crate::row)).
pub struct Cell<'a, T: ?Sized>(pub &'a T);

/// How a number becomes a cell: [`format_number`].
pub trait NumberCell {
    /// The cell's text.
    fn text(&self) -> String;
}

impl NumberCell for Cell<'_, f64> {
    fn text(&self) -> String {
        format_number(*self.0)
    }
}

impl NumberCell for Cell<'_, f32> {
    fn text(&self) -> String {
        format_number(f64::from(*self.0))
    }
}

/// How any other value becomes a cell: its `Display`.
pub trait DisplayCell {
    /// The cell's text.
    fn text(&self) -> String;
}

impl<T: fmt::Display + ?Sized> DisplayCell for &Cell<'_, T> {
    fn text(&self) -> String {
        self.0.to_string()
    }
}

/// Values that can be shown as a [`Table`]. With this trait in scope
/// (`use mlmath::prelude::*`), a cell that ends with such a value shows it
/// as an HTML table.
pub trait ShowTable {
    /// The value as a table.
    fn table(&self) -> Table;

    /// Shows [`table`](Self::table) in a notebook.
    fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}

impl ShowTable for Table {
    fn table(&self) -> Table {
        self.clone()
    }
}

impl<S: Data<Elem = f64>> ShowTable for ArrayBase<S, Ix2> {
    /// Columns named `0, 1, ...`; a caption gives the shape `(n, d)`.
    fn table(&self) -> Table {
        let (n, d) = self.dim();
        let shown_columns = d.min(MAX_COLUMNS);
        let mut table = Table::new((0..shown_columns).map(|c| c.to_string()));
        table.caption = Some(format!("array of shape ({n}, {d})"));
        table.hidden_columns = d - shown_columns;
        for i in shown_rows(n) {
            table.push_row((0..shown_columns).map(|c| format_number(self[(i, c)])));
        }
        table.hidden_rows = n - table.rows.len();
        table
    }
}

impl<S: Data<Elem = f64>> ShowTable for ArrayBase<S, Ix1> {
    /// One column of values, with their index.
    fn table(&self) -> Table {
        let n = self.len();
        let mut table = Table::new(["index", "value"]);
        table.caption = Some(format!("array of length {n}"));
        for i in shown_rows(n) {
            table.push_row([i.to_string(), format_number(self[i])]);
        }
        table.hidden_rows = n - table.rows.len();
        table
    }
}

#[cfg(feature = "frames")]
impl ShowTable for polars::prelude::DataFrame {
    /// Column names with their types; missing values shown as `null`.
    fn table(&self) -> Table {
        let (n, d) = self.shape();
        let shown_columns = d.min(MAX_COLUMNS);
        let columns = &self.columns()[..shown_columns];
        let mut table = Table::new(
            columns
                .iter()
                .map(|c| format!("{} ({})", c.name(), c.dtype())),
        );
        table.caption = Some(format!("DataFrame of shape ({n}, {d})"));
        table.hidden_columns = d - shown_columns;
        for i in shown_rows(n) {
            table.push_row(columns.iter().map(|c| match c.get(i) {
                Ok(polars::prelude::AnyValue::Null) => "null".to_string(),
                Ok(polars::prelude::AnyValue::Float64(x)) => format_number(x),
                Ok(polars::prelude::AnyValue::String(s)) => s.to_string(),
                Ok(value) => value.to_string(),
                Err(e) => format!("<{e}>"),
            }));
        }
        table.hidden_rows = n - table.rows.len();
        table
    }
}

/// The rows a long table shows: all when short, else the head and the tail.
fn shown_rows(n: usize) -> Vec<usize> {
    if n <= HEAD_ROWS + TAIL_ROWS {
        (0..n).collect()
    } else {
        (0..HEAD_ROWS).chain(n - TAIL_ROWS..n).collect()
    }
}

/// "1 cell", "3 cells".
fn count_cells(n: usize) -> String {
    if n == 1 {
        "1 cell".to_string()
    } else {
        format!("{n} cells")
    }
}

fn looks_numeric(cell: &str) -> bool {
    !cell.is_empty() && cell.parse::<f64>().is_ok()
}

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn a_long_array_shows_its_head_and_tail_and_counts_the_rest() {
        let x = Array2::from_shape_fn((100, 2), |(i, j)| (i * 10 + j) as f64);
        let t = x.table();
        assert_eq!(t.len(), HEAD_ROWS + TAIL_ROWS);
        assert_eq!(t.hidden_rows, 85);
        assert_eq!(t.cell(0, 1), Some("1"));
        assert_eq!(
            t.cell(HEAD_ROWS, 0),
            Some("950"),
            "first tail row is row 95"
        );
        assert!(t.to_html().contains("85 more rows"));
        assert!(t.to_string().contains("… 85 more rows …"));
    }

    #[test]
    fn a_wide_array_is_cut_and_says_so() {
        let x = Array2::<f64>::zeros((2, 30));
        let t = x.table();
        assert_eq!(t.header.len(), MAX_COLUMNS);
        assert!(t.to_html().contains("18 more columns"));
    }

    #[test]
    fn html_escapes_text_and_aligns_numbers_right() {
        let t = Table::new(["a<b"]).row(["1.5"]).row(["x & y"]);
        let html = t.to_html();
        assert!(html.contains("<th>a&lt;b</th>"));
        assert!(html.contains("text-align:right\">1.5<"));
        assert!(html.contains("text-align:left\">x &amp; y<"));
    }

    #[test]
    fn a_row_of_the_wrong_length_is_an_error_that_names_it() {
        let t = Table::new(["a"])
            .row(row![22])
            .row(row![1, "extra"])
            .row(Vec::<String>::new());
        let e = t.check().unwrap_err();
        assert_eq!(
            e,
            Error::shape(
                "row 1 of the table (counting from 0)",
                "1 cell, one per column (a)",
                "2 cells"
            )
        );
        // The text and HTML forms still show every cell, to find the odd row.
        assert_eq!(t.to_string(), "a\n22\n 1  extra\n\n");
        assert!(t.to_html().contains("extra"));
        assert!(Table::new(["a", "b"]).row(row![1, 2]).check().is_ok());
        assert!(
            Table::new(["a", "b"]).check().is_ok(),
            "no rows: nothing wrong"
        );
    }

    #[test]
    fn arrays_of_any_shape_make_tables_that_check() {
        for (n, d) in [(0, 0), (0, 3), (3, 0), (2, 30), (40, 2)] {
            let x = Array2::<f64>::zeros((n, d));
            assert!(x.table().check().is_ok(), "({n}, {d})");
        }
        assert!(array![1.0, 2.0].table().check().is_ok());
    }

    #[test]
    fn a_vector_table_pairs_index_and_value() {
        let t = array![0.5, 2.0].table();
        assert_eq!(
            t.to_string(),
            "array of length 2\nindex  value\n    0    0.5\n    1      2\n"
        );
    }
}
