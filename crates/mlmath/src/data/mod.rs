//! The course's data: the [`Dataset`] a model is fitted on, the loaders of
//! the shipped files, splits and folds, and preprocessing.
//!
//! Every file is shipped in the repository (nothing is fetched at run time);
//! `data/SOURCES.md` says where each came from and under which licence.
//! Before a file is parsed its SHA-256 is compared with `data/SHA256SUMS`, so
//! a missing or altered file is an error that names the file and the fix.
//!
//! A classification set is a [`Dataset`]: features `x: (n, d)`, class
//! indices `y: (n,)`, and the names of both. A dataset knows its classes, so
//! a model fitted on it needs no class count by hand. A missing measurement
//! is kept as `NaN` and reported — never silently dropped:
//!
//! ```
//! let penguins = mlmath::data::penguins().unwrap();
//! assert_eq!(penguins.x().dim(), (344, 4));
//! assert_eq!(penguins.missing_rows(), vec![3, 271]);
//! let complete = penguins.drop_missing();
//! assert_eq!(complete.len(), 342);
//! ```
//!
//! Splits, folds, scaling and feature selection are methods that return new
//! datasets, so the training rows and the test rows never mix by accident:
//!
//! ```
//! let iris = mlmath::data::iris().unwrap();
//! let (train, test) = iris.stratified_split(0.3, 7).unwrap();
//! let train_z = train.standardized().unwrap();
//! let test_z = test.standardized_by(&train).unwrap(); // the training rows' mean and spread
//! assert_eq!((train_z.len(), test_z.len()), (105, 45));
//! ```

mod dataset;
mod images;
mod loaders;
pub mod preprocessing;
mod split;

pub use dataset::{AsFeatures, Dataset};
pub use images::shift_images;
#[cfg(feature = "frames")]
pub use loaders::penguins_frame;
pub use loaders::{
    DATASETS, Orbits, data_dir, digits, iris, load, mnist20, moby_dick, penguins, planets,
    verify_all,
};
pub(crate) use loaders::{checksums, verified};
pub use preprocessing::Standardizer;
pub use split::Scores;
