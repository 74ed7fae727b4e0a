//! The course's datasets, loaded from `data/` and checked against their checksums.
//!
//! Every file is shipped in the repository (nothing is fetched at run time);
//! `data/SOURCES.md` says where each came from and under which licence.
//! Before a file is parsed its SHA-256 is compared with `data/SHA256SUMS`, so
//! a missing or altered file is an error that names the file and the fix.
//!
//! Classification sets load as a [`Dataset`]: features `x: (n, d)`, class
//! indices `y: (n,)`, and the names of both. A missing measurement is kept as
//! `NaN` and reported — never silently dropped:
//!
//! ```
//! let penguins = mlmath::data::penguins().unwrap();
//! assert_eq!(penguins.x.dim(), (344, 4));
//! assert_eq!(penguins.missing_rows(), vec![3, 271]);
//! let complete = penguins.drop_missing();
//! assert_eq!(complete.x.nrows(), 342);
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, Axis};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::table::{ShowTable, Table, format_number};

/// The names [`load`] knows.
pub const DATASETS: [&str; 4] = ["iris", "digits", "penguins", "mnist20"];

/// Features, labels and their names.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The dataset's name, e.g. `"iris"`.
    pub name: String,
    /// Features, one row per sample: `(n, d)`. `NaN` marks a missing value.
    pub x: Array2<f64>,
    /// The class of each row, an index into `class_names`: `(n,)`.
    pub y: Array1<usize>,
    /// The name of each column of `x`.
    pub feature_names: Vec<String>,
    /// The name of each class.
    pub class_names: Vec<String>,
}

impl Dataset {
    /// Builds a dataset after checking that the parts agree.
    pub fn new(
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
                format!("{}", y.len()),
            ));
        }
        if feature_names.len() != x.ncols() {
            return Err(Error::shape(
                "feature_names",
                format!("{} names, one per column of x", x.ncols()),
                format!("{}", feature_names.len()),
            ));
        }
        if let Some(&bad) = y.iter().find(|&&c| c >= class_names.len()) {
            return Err(Error::parameter(
                "every label",
                format!("below the number of classes ({})", class_names.len()),
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

    /// Number of samples `n`.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
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
        self.rows(&keep)
    }

    /// The samples at `indices`, in that order (for splits and subsets).
    pub fn rows(&self, indices: &[usize]) -> Dataset {
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
    /// assert_eq!(petals.x.ncols(), 2);
    /// assert!(iris.features(&["petal_area"]).is_err());
    /// ```
    pub fn features(&self, names: &[&str]) -> Result<Dataset> {
        let columns = names
            .iter()
            .map(|name| self.feature_index(name))
            .collect::<Result<Vec<usize>>>()?;
        Ok(Dataset {
            x: self.x.select(Axis(1), &columns),
            feature_names: names.iter().map(|s| s.to_string()).collect(),
            ..self.clone()
        })
    }

    /// Only the samples of the named classes, relabelled `0, 1, ...` in the order given.
    ///
    /// ```
    /// let iris = mlmath::data::iris().unwrap();
    /// let two = iris.classes(&["setosa", "versicolor"]).unwrap();
    /// assert_eq!(two.len(), 100);
    /// assert_eq!(two.class_names, vec!["setosa", "versicolor"]);
    /// ```
    pub fn classes(&self, names: &[&str]) -> Result<Dataset> {
        let old = names
            .iter()
            .map(|name| self.class_index(name))
            .collect::<Result<Vec<usize>>>()?;
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| old.contains(&self.y[i]))
            .collect();
        let mut subset = self.rows(&keep);
        subset.y.mapv_inplace(|c| {
            old.iter()
                .position(|&o| o == c)
                .expect("kept rows have a kept class")
        });
        subset.class_names = names.iter().map(|s| s.to_string()).collect();
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
            table.push_row([format!(
                "… {} more features",
                self.feature_names.len() - shown
            )]);
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

/// The folder that holds the data: `$MLMATH_DATA` if set, else `data/` of
/// this repository.
pub fn data_dir() -> PathBuf {
    std::env::var_os("MLMATH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("data")
        })
}

/// Loads a classification dataset by name: one of [`DATASETS`].
///
/// ```
/// let e = mlmath::data::load("irises").unwrap_err();
/// assert!(e.to_string().contains("the known ones are iris, digits, penguins, mnist20"));
/// ```
pub fn load(name: &str) -> Result<Dataset> {
    match name {
        "iris" => iris(),
        "digits" => digits(),
        "penguins" => penguins(),
        "mnist20" => mnist20(),
        _ => Err(Error::Unknown {
            what: "dataset".into(),
            got: name.into(),
            known: DATASETS.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

/// Fisher's iris: 150 flowers, 4 measurements in cm, 3 species.
pub fn iris() -> Result<Dataset> {
    let csv = Csv::read("iris.csv")?;
    let features = [
        "sepal_length_cm",
        "sepal_width_cm",
        "petal_length_cm",
        "petal_width_cm",
    ];
    let (y, classes) = csv.categories("species")?;
    Dataset::new(
        "iris",
        csv.numbers(&features)?,
        y,
        names(&features),
        classes,
    )
}

/// Penguins of the Palmer Archipelago: 344 birds, 4 measurements
/// (bill length and depth in mm, flipper length in mm, body mass in g),
/// 3 species. Two birds have no measurements: their rows hold `NaN`.
pub fn penguins() -> Result<Dataset> {
    let csv = Csv::read("penguins.csv")?;
    let features = [
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
    ];
    let (y, classes) = csv.categories("species")?;
    Dataset::new(
        "penguins",
        csv.numbers(&features)?,
        y,
        names(&features),
        classes,
    )
}

/// Handwritten digits of 8×8 pixels, values 0–16: 1797 images, 10 classes.
/// Row `i` of `x` is image `i` in row-major order.
pub fn digits() -> Result<Dataset> {
    image_set("digits", "digits.csv", 64)
}

/// 5000 MNIST digits, the central 20×20 crop of the 28×28 originals (400
/// features, values 0–255), 10 classes.
pub fn mnist20() -> Result<Dataset> {
    image_set("mnist20", "mnist20.csv", 400)
}

fn image_set(name: &str, file: &str, pixels: usize) -> Result<Dataset> {
    let csv = Csv::read(file)?;
    let columns: Vec<String> = (0..pixels).map(|p| format!("p{p}")).collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let x = csv.numbers(&columns)?;
    let labels = csv.numbers(&["label"])?;
    let y = labels.column(0).mapv(|v| v as usize);
    let classes = (0..10).map(|d| d.to_string()).collect();
    Dataset::new(name, x, y, names(&columns), classes)
}

/// Moby-Dick; or, The Whale (Melville, 1851), the whole text.
pub fn moby_dick() -> Result<String> {
    let path = verified("moby-dick.txt")?;
    std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))
}

/// The orbits of the planets and of some dwarf planets around the Sun.
#[derive(Debug, Clone, PartialEq)]
pub struct Orbits {
    /// The body's name.
    pub body: Vec<String>,
    /// `"planet"` or `"dwarf planet"`.
    pub kind: Vec<String>,
    /// Semi-major axis in astronomical units: `(n,)`.
    pub semi_major_axis_au: Array1<f64>,
    /// Orbital period in days: `(n,)`.
    pub period_days: Array1<f64>,
}

/// The orbits of the eight planets and five dwarf planets (published values,
/// typed in; sources in `data/SOURCES.md`).
pub fn planets() -> Result<Orbits> {
    let csv = Csv::read("planets.csv")?;
    let numbers = csv.numbers(&["semi_major_axis_au", "orbital_period_days"])?;
    Ok(Orbits {
        body: csv.strings("body")?,
        kind: csv.strings("kind")?,
        semi_major_axis_au: numbers.column(0).to_owned(),
        period_days: numbers.column(1).to_owned(),
    })
}

/// Checks every file listed in `data/SHA256SUMS`; returns how many were checked.
pub fn verify_all() -> Result<usize> {
    let sums = checksums()?;
    for file in sums.keys() {
        verified(file)?;
    }
    Ok(sums.len())
}

/// The penguins as a polars DataFrame, every column of the file, with the
/// missing values (`NA`) as nulls.
#[cfg(feature = "frames")]
pub fn penguins_frame() -> Result<polars::prelude::DataFrame> {
    use polars::prelude::{Column, DataFrame};
    let csv = Csv::read("penguins.csv")?;
    let mut columns = Vec::new();
    for (j, name) in csv.header.iter().enumerate() {
        let cells: Vec<Option<&str>> = csv
            .rows
            .iter()
            .map(|r| Some(r[j].as_str()).filter(|c| *c != "NA"))
            .collect();
        let numeric: Option<Vec<Option<f64>>> = cells
            .iter()
            .map(|c| match c {
                None => Some(None),
                Some(s) => s.parse::<f64>().ok().map(Some),
            })
            .collect();
        let column = match numeric {
            Some(values) if name != "species" && name != "island" && name != "sex" => {
                Column::new(name.into(), values)
            }
            _ => Column::new(name.into(), cells),
        };
        columns.push(column);
    }
    DataFrame::new(csv.rows.len(), columns).map_err(|e| Error::DataFile {
        path: data_dir().join("penguins.csv"),
        problem: format!("could not build a DataFrame ({e})"),
        fix: "restore the file with `git checkout data/penguins.csv`".into(),
    })
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The expected SHA-256 of each data file, from `data/SHA256SUMS`.
fn checksums() -> Result<HashMap<String, String>> {
    let path = data_dir().join("SHA256SUMS");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::DataFile {
        path: path.clone(),
        problem: format!("the checksum list cannot be read ({e})"),
        fix: "run the notebook from a clone of the course repository, or set MLMATH_DATA to its data/ folder".into(),
    })?;
    Ok(text
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(hash, file)| (file.trim().to_string(), hash.trim().to_string()))
        .collect())
}

/// The path of a data file whose checksum matches `data/SHA256SUMS`.
fn verified(file: &str) -> Result<PathBuf> {
    let path = data_dir().join(file);
    let expected = checksums()?.remove(file).ok_or_else(|| Error::DataFile {
        path: path.clone(),
        problem: "this file is not listed in data/SHA256SUMS".into(),
        fix: "use one of the datasets listed there".into(),
    })?;
    let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e))?;
    let actual = format!("{:x}", Sha256::digest(&bytes));
    if actual != expected {
        return Err(Error::DataFile {
            path,
            problem: format!(
                "the file has changed: its SHA-256 is {actual}, data/SHA256SUMS expects {expected}"
            ),
            fix: format!(
                "restore it with `git checkout data/{file}` (data/SOURCES.md says how it was made)"
            ),
        });
    }
    Ok(path)
}

fn unreadable(path: &Path, e: std::io::Error) -> Error {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Error::DataFile {
        path: path.to_path_buf(),
        problem: format!("the file cannot be read ({e})"),
        fix: format!(
            "restore it with `git checkout data/{file}`, or set MLMATH_DATA to a folder that holds it"
        ),
    }
}

/// A small CSV file: a header and rows of text cells (no quoted commas).
struct Csv {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(file: &str) -> Result<Csv> {
        let path = verified(file)?;
        let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<String> = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
            .collect();
        if let Some(i) = rows.iter().position(|r| r.len() != header.len()) {
            return Err(Error::DataFile {
                path,
                problem: format!(
                    "line {} has {} cells, the header has {}",
                    i + 2,
                    rows[i].len(),
                    header.len()
                ),
                fix: format!("restore it with `git checkout data/{file}`"),
            });
        }
        Ok(Csv { path, header, rows })
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::DataFile {
                path: self.path.clone(),
                problem: format!("there is no column {name:?}"),
                fix: "restore the file from the repository".into(),
            })
    }

    /// The named columns as numbers; `NA` or an empty cell becomes `NaN`.
    fn numbers(&self, names: &[&str]) -> Result<Array2<f64>> {
        let columns = names
            .iter()
            .map(|n| self.column(n))
            .collect::<Result<Vec<_>>>()?;
        let mut x = Array2::zeros((self.rows.len(), columns.len()));
        for (i, row) in self.rows.iter().enumerate() {
            for (j, &c) in columns.iter().enumerate() {
                let cell = row[c].as_str();
                x[(i, j)] = match cell {
                    "NA" | "" => f64::NAN,
                    _ => cell.parse().map_err(|_| Error::DataFile {
                        path: self.path.clone(),
                        problem: format!(
                            "line {}, column {}: {cell:?} is not a number",
                            i + 2,
                            names[j]
                        ),
                        fix: "restore the file from the repository".into(),
                    })?,
                };
            }
        }
        Ok(x)
    }

    fn strings(&self, name: &str) -> Result<Vec<String>> {
        let c = self.column(name)?;
        Ok(self.rows.iter().map(|r| r[c].clone()).collect())
    }

    /// A text column as class indices, classes numbered in order of first appearance.
    fn categories(&self, name: &str) -> Result<(Array1<usize>, Vec<String>)> {
        let mut classes: Vec<String> = Vec::new();
        let y = self
            .strings(name)?
            .into_iter()
            .map(|s| match classes.iter().position(|c| *c == s) {
                Some(i) => i,
                None => {
                    classes.push(s);
                    classes.len() - 1
                }
            })
            .collect();
        Ok((y, classes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_matches_fishers_table() {
        let iris = iris().unwrap();
        assert_eq!(iris.x.dim(), (150, 4));
        assert_eq!(iris.class_names, vec!["setosa", "versicolor", "virginica"]);
        assert_eq!(iris.class_counts(), vec![50, 50, 50]);
        // Fisher (1936): the first flower is 5.1, 3.5, 1.4, 0.2; the mean
        // petal length over all 150 is 3.758 cm.
        assert_eq!(iris.x.row(0).to_vec(), vec![5.1, 3.5, 1.4, 0.2]);
        let mean_petal = iris.x.column(2).mean().unwrap();
        assert!((mean_petal - 3.758).abs() < 5e-4, "{mean_petal}");
    }

    #[test]
    fn image_sets_have_the_published_sizes() {
        let digits = digits().unwrap();
        assert_eq!(digits.x.dim(), (1797, 64));
        assert!(digits.x.iter().all(|&v| (0.0..=16.0).contains(&v)));
        let mnist = mnist20().unwrap();
        assert_eq!(mnist.x.dim(), (5000, 400));
        assert!(mnist.x.iter().all(|&v| (0.0..=255.0).contains(&v)));
        assert_eq!(mnist.class_names.len(), 10);
    }

    #[test]
    fn penguins_keep_their_missing_rows() {
        let p = penguins().unwrap();
        assert_eq!(p.len(), 344);
        assert_eq!(p.class_names, vec!["Adelie", "Gentoo", "Chinstrap"]);
        assert_eq!(p.class_counts(), vec![152, 124, 68]);
        let missing = p.missing_rows();
        assert_eq!(missing.len(), 2);
        assert!(
            missing
                .iter()
                .all(|&i| p.x.row(i).iter().all(|v| v.is_nan()))
        );
        assert_eq!(p.drop_missing().len(), 342);
    }

    #[test]
    fn kepler_third_law_holds_in_the_typed_in_orbits() {
        // P² ∝ a³: with P in years and a in AU the constant is 1.
        let orbits = planets().unwrap();
        for (i, body) in orbits.body.iter().enumerate() {
            let years = orbits.period_days[i] / 365.256;
            let predicted = orbits.semi_major_axis_au[i].powf(1.5);
            assert!(
                (years / predicted - 1.0).abs() < 0.01,
                "{body}: {years} years vs a^1.5 = {predicted}"
            );
        }
    }

    #[test]
    fn every_file_matches_its_checksum() {
        assert_eq!(verify_all().unwrap(), 6);
        assert!(moby_dick().unwrap().contains("Call me Ishmael."));
    }

    #[cfg(feature = "frames")]
    #[test]
    fn the_penguin_frame_keeps_every_column_and_its_nulls() {
        // data/SOURCES.md: 2 missing cells in each measurement, 11 in sex.
        let df = penguins_frame().unwrap();
        assert_eq!(df.shape(), (344, 8));
        assert_eq!(df.column("bill_length_mm").unwrap().null_count(), 2);
        assert_eq!(df.column("sex").unwrap().null_count(), 11);
        assert_eq!(df.column("species").unwrap().null_count(), 0);
        assert!(df.column("body_mass_g").unwrap().dtype().is_float());
    }

    #[test]
    fn subsets_check_their_names() {
        let iris = iris().unwrap();
        let e = iris.classes(&["setosa", "rose"]).unwrap_err();
        assert!(
            e.to_string().contains("unknown class of iris \"rose\""),
            "{e}"
        );
        let labels = iris
            .classes(&["setosa", "versicolor"])
            .unwrap()
            .signed_labels("setosa")
            .unwrap();
        assert_eq!(labels.iter().filter(|&&l| l > 0.0).count(), 50);
    }

    #[test]
    fn a_dataset_checks_its_parts() {
        let x = Array2::zeros((3, 2));
        let e = Dataset::new(
            "t",
            x.clone(),
            Array1::zeros(2),
            names(&["a", "b"]),
            names(&["c"]),
        )
        .unwrap_err();
        assert!(matches!(e, Error::Shape { .. }));
        let e = Dataset::new(
            "t",
            x,
            Array1::from(vec![0, 1, 2]),
            names(&["a", "b"]),
            names(&["c"]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("below the number of classes (1)"));
    }
}
