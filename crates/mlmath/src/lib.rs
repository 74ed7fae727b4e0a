//! # mlmath — the mathematics of machine learning, written to be read
//!
//! The support crate of the course notebooks. Each module holds one idea:
//! the mathematics in its doc comment, the code under it, short enough to
//! read in class. The notebooks show the idea; this crate holds the
//! machinery that is too long for a cell — data loading, plotting, training
//! loops.
//!
//! In a notebook:
//!
//! ```text
//! :dep mlmath = { path = "../crates/mlmath" }
//! use mlmath::prelude::*;
//! ```
//!
//! | module | what it holds |
//! |---|---|
//! | [`data`] | the [`Dataset`](data::Dataset), the shipped datasets (checked against their checksums), splits and folds, scaling |
//! | [`plot`] | every picture: charts, heatmaps, contour lines, decision regions, image grids |
//! | [`table`] | HTML tables for arrays, datasets and DataFrames |
//! | [`random`] | seeded generators: the same numbers on every run |
//! | [`progress`] | progress lines for training loops |
//! | [`error`] | the one error type, with messages that say what to fix |
//! | [`geometry`] | dot products, norms, projections; hyperplanes, distances and margins |
//! | [`perceptron`] | Rosenblatt's perceptron, and Novikoff's bound on its mistakes |
//! | [`descent`] | [losses](descent::losses) and gradients (by hand and by finite differences), least squares; [gradient descent](descent::gradient_descent); Widrow–Hoff [LMS](descent::lms) |
//! | [`linalg`] | solving `A x = b` and least squares (QR), scaled so no input overflows; eigenvalues by Jacobi rotations and by power iteration |
//! | [`bayes`] | Bayes' theorem; Gaussian naive Bayes ([`GaussianNaiveBayes`](bayes::GaussianNaiveBayes)) and full-covariance Gaussian class models ([`GaussianClassifier`](bayes::GaussianClassifier)), fitted by maximum likelihood, predicting in log space |
//! | [`metrics`] | accuracy, the confusion matrix of a test set, the reliability (calibration) of predicted probabilities, and the AUROC of a score that should tell two groups apart |
//! | [`distance`] | Euclidean, Manhattan and cosine distances, computed without losing digits; the curse of dimensionality and its law (the range of n normals); Γ(n/2) and the volume of the unit ball |
//! | [`neighbours`] | the k-nearest-neighbours classifier ([`Knn`](neighbours::Knn)) and its decision regions |
//! | [`autodiff`] | reverse-mode automatic differentiation on tensors: the [`Tensor`](autodiff::Tensor), its ops with their derivatives side by side, gradient checks |
//! | [`nn`] | layers on the engine: [`Linear`](nn::Linear), [`Mlp`](nn::Mlp), [`Embedding`](nn::Embedding), [`LayerNorm`](nn::LayerNorm), [`Conv2d`](nn::Conv2d); seeded Xavier/Kaiming initialisation; saving and loading parameters, checksummed |
//! | [`optim`] | optimisers: SGD with momentum, Adam and AdamW; gradient clipping; a warm-up + cosine learning-rate schedule |
//! | [`hopfield`] | Hopfield networks: Hebbian storage, asynchronous updates and the energy, capacity against load; the dense associative memory (softmax retrieval) |
//! | [`pca`] | covariance and correlation, principal component analysis, explained variance |
//! | [`features`] | random Fourier features, the minimum-norm least-squares fit (in the smaller of the two spaces), and the double-descent sweep |
//! | [`text`] | characters and their ids, the course's split of Moby-Dick, windows for learned models; n-gram models ([`NGram`](text::NGram)) with add-k, Witten-Bell and interpolated Kneser-Ney smoothing, chosen on validation |
//! | [`svm`] | support vector machines: the C-SVM ([`Svm`](svm::Svm)) trained by SMO with libsvm's working-set rule; linear, polynomial, RBF and custom [kernels](svm::Kernel); one-vs-one for several classes |
//! | [`course`] | the chapters of the course and which builds on which: the course map |
//!
//! Functions that take a learner's data check it and return
//! [`Result<T, Error>`](Result): a wrong shape, an empty dataset or a NaN is
//! an error message, never a panic.

#![forbid(unsafe_code)]

pub mod autodiff;
pub mod bayes;
pub mod course;
pub mod data;
pub mod descent;
pub mod distance;
pub mod error;
pub mod features;
pub mod geometry;
pub mod hopfield;
pub mod linalg;
pub mod metrics;
pub mod neighbours;
pub mod nn;
pub mod optim;
pub mod pca;
pub mod perceptron;
pub mod plot;
pub mod progress;
pub mod random;
pub mod show;
pub mod svm;
pub mod table;
pub mod text;

pub use error::{Error, Result};
pub use ndarray;
pub use ndarray_rand::{rand, rand_distr};
#[cfg(feature = "frames")]
pub use polars;

/// What a notebook needs in scope: `use mlmath::prelude::*;`.
pub mod prelude {
    pub use crate::autodiff::{Tensor, no_grad};
    pub use crate::bayes::{GaussianClassifier, GaussianNaiveBayes};
    pub use crate::data::{self, AsFeatures, Dataset, Scores, Standardizer};
    pub use crate::descent::{GradientDescent, Lms};
    pub use crate::distance::Metric;
    pub use crate::error::Error;
    pub use crate::features::RandomFeatures;
    pub use crate::hopfield::Hopfield;
    pub use crate::neighbours::Knn;
    pub use crate::nn::{Activation, Conv2d, Embedding, Init, LayerNorm, Linear, Mlp, Module};
    pub use crate::optim::{Adam, Optimizer, Schedule, Sgd, clip_grad_norm};
    pub use crate::pca::Pca;
    pub use crate::perceptron::Perceptron;
    pub use crate::plot::{Chart, Graph, ImageGrid, Marker, Panels, Plot, linspace};
    pub use crate::progress::Progress;
    pub use crate::random::{Rng, seeded};
    pub use crate::row;
    pub use crate::show::{ShowDebug, ShowValue};
    pub use crate::svm::{FittedSvm, Kernel, Svm};
    pub use crate::table::{ShowTable, Table};
    pub use crate::text::{self, NGram, Smoothing, Vocab};
    pub use crate::{
        autodiff, bayes, descent, distance, features, geometry, linalg, metrics, neighbours, nn,
        optim, pca, perceptron, svm,
    };
    pub use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, array, s};
}
