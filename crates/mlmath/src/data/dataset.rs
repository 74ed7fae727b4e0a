//! The [`Dataset`]: features, class labels and their names, checked to agree.

use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, AsArray, Axis, Data, Ix1, Ix2};

use crate::error::{Error, Result};
use crate::table::{ShowTable, Table, format_number};

/// Features `x: (n, d)`, the class of each row `y: (n,)`, and their names.
///
/// The parts are checked when the dataset is made and cannot be changed
/// afterwards (the fields are private), so a dataset always agrees with
/// itself: one label per row, one name per column, every label a class.
/// Methods that select, split or rescale return a new dataset.
///
/// ```
/// use mlmath::prelude::*;
/// let xor = Dataset::new(&array![[0., 0.], [0., 1.], [1., 0.], [1., 1.]], &array![0, 1, 1, 0])
///     .unwrap()
///     .named("xor")
///     .with_class_names(&["off", "on"])
///     .unwrap();
/// assert_eq!((xor.len(), xor.n_features(), xor.n_classes()), (4, 2, 2));
/// assert_eq!(xor.feature_names(), ["x0", "x1"]);
/// assert!(Dataset::new(&array![[0.0], [1.0]], &array![0]).is_err()); // 2 rows, 1 label
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    name: String,
    x: Array2<f64>,
    y: Array1<usize>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
}

/// What a model can be asked to predict on: a [`Dataset`] (its features are
/// used, its labels ignored), or a 2-D array of features `(n, d)` — owned,
/// borrowed or a view.
///
/// ```
/// use mlmath::prelude::*;
/// fn rows<'a>(x: impl AsFeatures<'a>) -> usize { x.into_features().nrows() }
/// let iris = mlmath::data::iris().unwrap();
/// assert_eq!(rows(&iris), 150);
/// assert_eq!(rows(iris.x()), 150);
/// assert_eq!(rows(iris.x().view()), 150);
/// ```
pub trait AsFeatures<'a> {
    /// The features as a view `(n, d)`.
    fn into_features(self) -> ArrayView2<'a, f64>;
}

impl<'a> AsFeatures<'a> for &'a Dataset {
    fn into_features(self) -> ArrayView2<'a, f64> {
        self.x.view()
    }
}

impl<'a, S: Data<Elem = f64>> AsFeatures<'a> for &'a ArrayBase<S, Ix2> {
    fn into_features(self) -> ArrayView2<'a, f64> {
        self.view()
    }
}

impl<'a> AsFeatures<'a> for ArrayView2<'a, f64> {
    fn into_features(self) -> ArrayView2<'a, f64> {
        self
    }
}

impl Dataset {
    /// Labels below this bound are always accepted by [`new`](Self::new);
    /// larger ones only when the dataset has more rows than the label.
    pub const MAX_LABEL: usize = 1000;

    /// A dataset from features `x: (n, d)` and class labels `y: (n,)`, the
    /// labels `0, 1, …, c − 1`. The features are named `x0, x1, …`, the
    /// classes `"0", "1", …` up to the largest label, the dataset `"data"`;
    /// rename them with [`named`](Self::named),
    /// [`with_feature_names`](Self::with_feature_names) and
    /// [`with_class_names`](Self::with_class_names).
    ///
    /// An error if `y` does not hold one label per row of `x`, or if a label
    /// is at least [`MAX_LABEL`](Self::MAX_LABEL) and at least the number of
    /// rows `n`: `n` rows hold at most `n` classes, so such a label (say
    /// `1_000_000_000`, a class code) is to be relabelled `0, 1, …, c − 1`,
    /// not taken for a billion classes.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let e = Dataset::new(&array![[1.0], [2.0]], &array![0, 1_000_000_000]).unwrap_err();
    /// assert!(e.to_string().contains("relabel"), "{e}");
    /// assert!(Dataset::new(&array![[1.0]], &array![usize::MAX]).is_err());
    /// ```
    pub fn new<'a, 'b>(
        x: impl AsArray<'a, f64, Ix2>,
        y: impl AsArray<'b, usize, Ix1>,
    ) -> Result<Dataset> {
        let (x, y) = (x.into(), y.into());
        let largest = y.iter().max().copied();
        let cap = y.len().max(Dataset::MAX_LABEL);
        if let Some(bad) = largest.filter(|&c| y.len() == x.nrows() && c >= cap) {
            return Err(Error::parameter(
                "every label",
                format!(
                    "below {cap} (the number of rows or {}, whichever is larger), the \
                     classes numbered 0, 1, …, c − 1; relabel the classes 0..c-1 (e.g. \
                     by their order of appearance)",
                    Dataset::MAX_LABEL
                ),
                bad,
            ));
        }
        // Below `cap`, so `+ 1` cannot overflow; a count of labels that
        // disagrees with the rows is reported by `from_parts`.
        let classes = largest.map_or(0, |c| c.min(cap) + 1).min(cap);
        Dataset::from_parts(
            "data",
            x.to_owned(),
            y.to_owned(),
            (0..x.ncols()).map(|j| format!("x{j}")).collect(),
            (0..classes).map(|c| c.to_string()).collect(),
        )
    }

    /// Builds a dataset after checking that the parts agree.
    pub(crate) fn from_parts(
        name: &str,
        x: Array2<f64>,
        y: Array1<usize>,
        feature_names: Vec<String>,
        class_names: Vec<String>,
    ) -> Result<Self> {
        if y.len() != x.nrows() {
            return Err(Error::shape(
                "y",
                format!("{} labels, one per row of x", x.nrows()),
                format!("{} labels", y.len()),
            ));
        }
        if feature_names.len() != x.ncols() {
            return Err(Error::shape(
                "the feature names",
                format!("{} names, one per column of x", x.ncols()),
                format!("{} names", feature_names.len()),
            ));
        }
        check_unique("class names", &class_names)?;
        if let Some(&bad) = y.iter().find(|&&c| c >= class_names.len()) {
            return Err(Error::parameter(
                "every label",
                format!(
                    "below the number of class names ({}); name every class",
                    class_names.len()
                ),
                bad,
            ));
        }
        Ok(Dataset {
            name: name.to_string(),
            x,
            y,
            feature_names,
            class_names,
        })
    }

    /// The same dataset under another name (shown in tables and errors).
    pub fn named(mut self, name: &str) -> Dataset {
        self.name = name.to_string();
        self
    }

    /// The same dataset with its columns renamed: one name per column.
    pub fn with_feature_names<S: AsRef<str>>(self, names: &[S]) -> Result<Dataset> {
        let names = names.iter().map(|s| s.as_ref().to_string()).collect();
        Dataset::from_parts(&self.name, self.x, self.y, names, self.class_names)
    }

    /// The same dataset with its classes renamed. There may be more names
    /// than labels seen (a class with no rows), never fewer.
    pub fn with_class_names<S: AsRef<str>>(self, names: &[S]) -> Result<Dataset> {
        let names = names.iter().map(|s| s.as_ref().to_string()).collect();
        Dataset::from_parts(&self.name, self.x, self.y, self.feature_names, names)
    }

    /// The same rows and labels with other features `x: (n, d')` (a
    /// projection, a rescaling, extra columns). The column names are kept
    /// when `d' = d`, else they become `x0, x1, …`.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let in_mm = iris.with_x(&(iris.x() * 10.0)).unwrap();
    /// assert_eq!(in_mm.x()[[0, 0]], 51.0);
    /// assert_eq!(in_mm.feature_names(), iris.feature_names());
    /// ```
    pub fn with_x<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<Dataset> {
        let x = x.into();
        let names = if x.ncols() == self.n_features() {
            self.feature_names.clone()
        } else {
            (0..x.ncols()).map(|j| format!("x{j}")).collect()
        };
        if x.nrows() != self.len() {
            return Err(Error::shape(
                "the new x",
                format!("{} rows, one per row of {}", self.len(), self.name),
                format!("{} rows", x.nrows()),
            ));
        }
        Dataset::from_parts(
            &self.name,
            x.to_owned(),
            self.y.clone(),
            names,
            self.class_names.clone(),
        )
    }

    /// The dataset's name, e.g. `"iris"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The features, one row per sample: `(n, d)`. `NaN` marks a missing value.
    pub fn x(&self) -> &Array2<f64> {
        &self.x
    }

    /// The class of each row, an index into [`class_names`](Self::class_names): `(n,)`.
    pub fn y(&self) -> &Array1<usize> {
        &self.y
    }

    /// The name of each column of `x`.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The name of each class.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Number of samples `n`.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }

    /// Number of features `d`.
    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// Number of classes `c` (classes with no rows included).
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The column of the feature `name`: `(n,)`.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// assert_eq!(iris.feature("petal_length_cm").unwrap()[0], 1.4);
    /// ```
    pub fn feature(&self, name: &str) -> Result<ArrayView1<'_, f64>> {
        Ok(self.x.column(self.feature_index(name)?))
    }

    /// The rows that hold at least one missing value (`NaN`).
    pub fn missing_rows(&self) -> Vec<usize> {
        self.x
            .rows()
            .into_iter()
            .enumerate()
            .filter(|(_, row)| row.iter().any(|v| v.is_nan()))
            .map(|(i, _)| i)
            .collect()
    }

    /// The dataset without the rows that have a missing value. The rows
    /// dropped are the ones [`missing_rows`](Self::missing_rows) lists.
    pub fn drop_missing(&self) -> Dataset {
        let missing = self.missing_rows();
        let keep: Vec<usize> = (0..self.len())
            .filter(|i| missing.binary_search(i).is_err())
            .collect();
        self.select_rows(&keep)
    }

    /// The samples at `indices`, in that order (a row may repeat). An error
    /// names the first index past the last row.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// assert_eq!(iris.rows(&[0, 50, 100]).unwrap().y().to_vec(), vec![0, 1, 2]);
    /// assert!(iris.rows(&[150]).unwrap_err().to_string().contains("0 to 149"));
    /// ```
    pub fn rows(&self, indices: &[usize]) -> Result<Dataset> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::parameter(
                format!("every row index of {}", self.name),
                match self.len() {
                    0 => "a row of the dataset, but it has none".to_string(),
                    n => format!("from 0 to {}", n - 1),
                },
                bad,
            ));
        }
        Ok(self.select_rows(indices))
    }

    /// [`rows`](Self::rows) for indices known to be in range.
    pub(crate) fn select_rows(&self, indices: &[usize]) -> Dataset {
        Dataset {
            name: self.name.clone(),
            x: self.x.select(Axis(0), indices),
            y: self.y.select(Axis(0), indices),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
        }
    }

    /// Only the named features, in the order given.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let petals = iris.features(&["petal_length_cm", "petal_width_cm"]).unwrap();
    /// assert_eq!(petals.n_features(), 2);
    /// assert!(iris.features(&["petal_area"]).is_err());
    /// ```
    pub fn features<S: AsRef<str>>(&self, names: &[S]) -> Result<Dataset> {
        let columns = names
            .iter()
            .map(|name| self.feature_index(name.as_ref()))
            .collect::<Result<Vec<usize>>>()?;
        Ok(Dataset {
            x: self.x.select(Axis(1), &columns),
            feature_names: names.iter().map(|s| s.as_ref().to_string()).collect(),
            ..self.clone()
        })
    }

    /// Only the samples of the named classes, relabelled `0, 1, ...` in the order given.
    /// Each name may appear once: `["setosa", "setosa"]` is an error, not a
    /// two-class dataset with one class present.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let two = iris.classes(&["setosa", "versicolor"]).unwrap();
    /// assert_eq!(two.len(), 100);
    /// assert_eq!(two.class_names(), ["setosa", "versicolor"]);
    /// ```
    pub fn classes<S: AsRef<str>>(&self, names: &[S]) -> Result<Dataset> {
        let wanted: Vec<String> = names.iter().map(|s| s.as_ref().to_string()).collect();
        check_unique("class names asked for", &wanted)?;
        let old = names
            .iter()
            .map(|name| self.class_index(name.as_ref()))
            .collect::<Result<Vec<usize>>>()?;
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| old.contains(&self.y[i]))
            .collect();
        let mut subset = self.select_rows(&keep);
        subset.y.mapv_inplace(|c| {
            old.iter()
                .position(|&o| o == c)
                .expect("kept rows have a kept class")
        });
        subset.class_names = names.iter().map(|s| s.as_ref().to_string()).collect();
        Ok(subset)
    }

    /// Labels as ±1 for a two-class model: `+1` for `positive`, `-1` otherwise.
    pub fn signed_labels(&self, positive: &str) -> Result<Array1<f64>> {
        let p = self.class_index(positive)?;
        Ok(self.y.mapv(|c| if c == p { 1.0 } else { -1.0 }))
    }

    /// How many samples each class has, in the order of `class_names`.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.class_names.len()];
        self.y.iter().for_each(|&c| counts[c] += 1);
        counts
    }

    /// The column index of a feature.
    pub fn feature_index(&self, name: &str) -> Result<usize> {
        self.feature_names
            .iter()
            .position(|f| f == name)
            .ok_or_else(|| Error::Unknown {
                what: format!("feature of {}", self.name),
                got: name.to_string(),
                known: self.feature_names.clone(),
            })
    }

    /// The index of a class.
    pub fn class_index(&self, name: &str) -> Result<usize> {
        self.class_names
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Unknown {
                what: format!("class of {}", self.name),
                got: name.to_string(),
                known: self.class_names.clone(),
            })
    }

    /// Checks that the dataset has rows and no missing value: the first
    /// check of every `fit`.
    pub(crate) fn check_trainable(&self) -> Result<()> {
        if self.is_empty() {
            return Err(Error::empty(format!("the dataset {}", self.name)));
        }
        crate::error::check_finite(&format!("the features of {}", self.name), self.x.view())
    }
}

/// An error naming the first name that appears twice in `names`.
fn check_unique(what: &str, names: &[String]) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(Error::parameter(
                what,
                "each name once; drop the repeated one",
                format!("{name:?} twice"),
            ));
        }
    }
    Ok(())
}

impl ShowTable for Dataset {
    /// A summary: per feature its mean, standard deviation, range and missing count.
    fn table(&self) -> Table {
        let counts: Vec<String> = self
            .class_names
            .iter()
            .zip(self.class_counts())
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        let missing_rows = self.missing_rows().len();
        let mut table =
            Table::new(["feature", "mean", "std", "min", "max", "missing"]).caption(&format!(
                "{}: {} samples × {} features; classes: {}; rows with a missing value: {}",
                self.name,
                self.len(),
                self.feature_names.len(),
                counts.join(", "),
                missing_rows
            ));
        let shown = self.feature_names.len().min(12);
        for (j, name) in self.feature_names.iter().enumerate().take(shown) {
            let column: Vec<f64> = self
                .x
                .column(j)
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            let n = column.len() as f64;
            let mean = column.iter().sum::<f64>() / n;
            let std = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            let min = column.iter().copied().fold(f64::INFINITY, f64::min);
            let max = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let missing = self.len() - column.len();
            table.push_row([
                name.clone(),
                format_number(mean),
                format_number(std),
                format_number(min),
                format_number(max),
                missing.to_string(),
            ]);
        }
        if shown < self.feature_names.len() {
            // A note in the first cell; the other five stay empty.
            let mut note = vec![String::new(); 6];
            note[0] = format!("… {} more features", self.feature_names.len() - shown);
            table.push_row(note);
        }
        table
    }
}

impl Dataset {
    /// Shows the summary table in a notebook.
    pub fn evcxr_display(&self) {
        ShowTable::evcxr_display(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_dataset_checks_its_parts() {
        let x = Array2::zeros((3, 2));
        let e = Dataset::new(&x, &Array1::zeros(2)).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }));
        let d = Dataset::new(&x, &array![0, 1, 2]).unwrap();
        let e = d.clone().with_class_names(&["c"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("below the number of class names (1)"),
            "{e}"
        );
        let e = d.with_feature_names(&["a"]).unwrap_err();
        assert!(e.to_string().contains("2 names, one per column"), "{e}");
    }

    #[test]
    fn labels_beyond_the_rows_and_repeated_class_names_are_errors() {
        let e = Dataset::new(&array![[1.0]], &array![usize::MAX]).unwrap_err();
        assert!(e.to_string().contains("relabel"), "{e}");
        let e = Dataset::new(&array![[1.0], [2.0]], &array![0, 1_000_000_000]).unwrap_err();
        assert!(e.to_string().contains("below 1000"), "{e}");
        // small labels on few rows are fine: one row of class 3 makes 4 classes
        assert_eq!(
            Dataset::new(&array![[1.0]], &array![3])
                .unwrap()
                .n_classes(),
            4
        );
        // a label count that disagrees with the rows is a shape error, even with huge labels
        let e = Dataset::new(&array![[1.0]], &array![0, usize::MAX]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let d = Dataset::new(&array![[1.0], [2.0]], &array![0, 1]).unwrap();
        assert_eq!(d.n_classes(), 2);
        let e = d.classes(&["0", "0"]).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        let e = d.with_class_names(&["a", "a"]).unwrap_err();
        assert!(e.to_string().contains("\"a\" twice"), "{e}");
    }

    #[test]
    fn out_of_range_rows_are_errors_and_empty_sets_say_so() {
        let d = Dataset::new(&Array2::<f64>::zeros((0, 2)), &Array1::<usize>::zeros(0)).unwrap();
        assert!(d.rows(&[0]).unwrap_err().to_string().contains("has none"));
        assert!(d.check_trainable().is_err());
        assert_eq!(d.rows(&[]).unwrap().len(), 0);
    }
}
