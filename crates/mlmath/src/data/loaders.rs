//! The loaders: each file is checked against its checksum before it is parsed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use sha2::{Digest, Sha256};

use super::Dataset;
use crate::error::{Error, Result};

/// The names [`load`] knows.
pub const DATASETS: [&str; 4] = ["iris", "digits", "penguins", "mnist20"];

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
    Dataset::from_parts(
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
    Dataset::from_parts(
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
    Dataset::from_parts(name, x, y, names(&columns), classes)
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
pub(crate) fn checksums() -> Result<HashMap<String, String>> {
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
pub(crate) fn verified(file: &str) -> Result<PathBuf> {
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
        assert_eq!(iris.x().dim(), (150, 4));
        assert_eq!(iris.class_names(), ["setosa", "versicolor", "virginica"]);
        assert_eq!(iris.class_counts(), vec![50, 50, 50]);
        // Fisher (1936): the first flower is 5.1, 3.5, 1.4, 0.2; the mean
        // petal length over all 150 is 3.758 cm.
        assert_eq!(iris.x().row(0).to_vec(), vec![5.1, 3.5, 1.4, 0.2]);
        let mean_petal = iris.x().column(2).mean().unwrap();
        assert!((mean_petal - 3.758).abs() < 5e-4, "{mean_petal}");
    }

    #[test]
    fn image_sets_have_the_published_sizes() {
        let digits = digits().unwrap();
        assert_eq!(digits.x().dim(), (1797, 64));
        assert!(digits.x().iter().all(|&v| (0.0..=16.0).contains(&v)));
        let mnist = mnist20().unwrap();
        assert_eq!(mnist.x().dim(), (5000, 400));
        assert!(mnist.x().iter().all(|&v| (0.0..=255.0).contains(&v)));
        assert_eq!(mnist.class_names().len(), 10);
    }

    #[test]
    fn penguins_keep_their_missing_rows() {
        let p = penguins().unwrap();
        assert_eq!(p.len(), 344);
        assert_eq!(p.class_names(), ["Adelie", "Gentoo", "Chinstrap"]);
        assert_eq!(p.class_counts(), vec![152, 124, 68]);
        let missing = p.missing_rows();
        assert_eq!(missing.len(), 2);
        assert!(
            missing
                .iter()
                .all(|&i| p.x().row(i).iter().all(|v| v.is_nan()))
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
        assert_eq!(verify_all().unwrap(), 8);
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
}
