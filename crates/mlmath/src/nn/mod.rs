//! Neural-network layers on the [autodiff](crate::autodiff) engine.
//!
//! A layer is a struct of parameter [`Tensor`]s with a `forward` method
//! that computes its output from its input with the engine's ops, so that
//! [`backward`](Tensor::backward) reaches every parameter. Read top to
//! bottom:
//!
//! 1. [`Module`]: what every layer and model has — its parameters, by name
//!    ([`prefixed`] nests the names of a model's parts), and saving and
//!    loading them (see [saving and loading](self#saving-and-loading)).
//! 2. [`Init`]: where the parameters start (Glorot & Bengio 2010; He et al.
//!    2015), drawn from a seeded generator.
//! 3. [`Linear`]: `y = x W + b`, the layer of the multilayer perceptron.
//! 4. [`Mlp`]: linear layers with an [`Activation`] between them.
//! 5. [`Embedding`], [`LayerNorm`], [`Conv2d`]: the layers of chapters
//!    09–12 (a lookup table, normalisation over the features, and a
//!    convolution).
//!
//! ```
//! use mlmath::nn::{Activation, Mlp, Module};
//! use mlmath::autodiff::Tensor;
//! let mlp: Mlp = Mlp::new(&[2, 8, 1], Activation::Tanh, 0)?;
//! assert_eq!(mlp.parameter_count(), 2 * 8 + 8 + 8 * 1 + 1);
//! let x = Tensor::constant(ndarray::array![[0.0f32, 1.0], [1.0, 1.0]]);
//! assert_eq!(mlp.forward(&x)?.shape(), vec![2, 1]);
//! # Ok::<(), mlmath::Error>(())
//! ```
//!
//! **Precision.** Layers are generic over the number type, `f32` (the
//! default, for training) or `f64` (for gradient checks). A constructor
//! alone does not say which, so a notebook names it once:
//! `let mlp: Mlp = Mlp::new(..)?` for `f32`, `Mlp::<f64>::new(..)` for `f64`.
//!
//! # Saving and loading
//!
//! [`Module::save`] writes the parameters to a file and [`Module::load`]
//! reads them back into a model built the same way. The file is a short
//! text header, then the numbers:
//!
//! ```text
//! mlmath parameters, version 1
//! dtype: f32
//! model: an Mlp with layers [2, 8, 1] and tanh activations
//! parameters: 4
//! 0.weight: (2, 8)
//! 0.bias: (8,)
//! 1.weight: (8, 1)
//! 1.bias: (1,)
//! payload: 132 bytes
//! sha256: 5d0c…(64 hex digits)
//!
//! <the entries of each parameter in that order, row-major, little-endian>
//! ```
//!
//! Loading checks, before it changes anything, that the header is one of
//! this format and version, that the payload has the stated length and
//! SHA-256 checksum (so a damaged or altered file is refused), that the
//! number type is the model's, and that the names and shapes are the
//! model's own; any failure is an error naming the file and the fix, and
//! leaves the model as it was.

mod checkpoint;
mod layers;
mod mlp;
mod shipped;
#[cfg(test)]
mod tests;
mod transformer;

pub(crate) use checkpoint::{load, save, sha256_hex};
pub use layers::{Conv2d, Embedding, LayerNorm, Linear};
pub use mlp::{Activation, Mlp};
pub use shipped::{
    SHIPPED_COMMAND, SHIPPED_FILE, SHIPPED_RECORD, ShippedRecord, shipped_config, shipped_record,
    shipped_transformer, shipped_transformer_from,
};
pub use transformer::{
    Block, MultiHeadAttention, Positions, Transformer, TransformerConfig, attention, causal_mask,
    sinusoidal_positions,
};

use std::path::Path;

use ndarray::{ArrayD, IxDyn};

use crate::autodiff::{Engine, Float, Tensor, shape_str};
use crate::error::{Error, Result};
use crate::random::{Distribution, MAX_DRAWS, Rng, StandardNormal, StdRng};

// ---------------------------------------------------------------- Module

/// What every layer and model has: parameters with stable names, and a way
/// to save and load them.
///
/// A model made of parts lists its parts' parameters under a prefix (see
/// [`prefixed`]): the first layer of an [`Mlp`] has `"0.weight"` and
/// `"0.bias"`. An optimiser takes [`params`](Module::params):
/// `opt.step(&model.params())?`.
pub trait Module<F: Float = f32> {
    /// Each parameter with its name, in a fixed order.
    fn named_params(&self) -> Vec<(String, Tensor<F>)>;

    /// The parameters (handles to them: updating one updates the model).
    fn params(&self) -> Vec<Tensor<F>> {
        self.named_params().into_iter().map(|(_, p)| p).collect()
    }

    /// The number of trainable numbers: the sum of the sizes of the
    /// parameters.
    fn parameter_count(&self) -> usize {
        self.params().iter().map(|p| p.value().len()).sum()
    }

    /// What the model is, in words, for messages and saved files ("an Mlp
    /// with layers [64, 128, 10] and tanh activations"). By default, its
    /// parameters' names and shapes.
    fn describe(&self) -> String {
        let list: Vec<String> = self
            .named_params()
            .iter()
            .map(|(name, p)| format!("{name} {}", shape_str(&p.shape())))
            .collect();
        format!("a model with parameters {}", list.join(", "))
    }

    /// Writes the parameters to the file `path` (see [saving and
    /// loading](self#saving-and-loading)), replacing it. The file is
    /// written whole under a temporary name, then renamed.
    ///
    /// An error naming the file when it cannot be written, or when a
    /// parameter's name is empty, repeated, or holds a space or a `:`.
    fn save(&self, path: impl AsRef<Path>) -> Result<()>
    where
        Self: Sized,
    {
        <F::Ops as Engine<F>>::save_params(path.as_ref(), &self.describe(), &self.named_params())
    }

    /// Reads the parameters saved in `path` into this model (through
    /// shared handles, so `&self` is enough).
    ///
    /// An error naming the file and the fix when it is missing, is not a
    /// parameter file, is damaged (its checksum differs), holds another
    /// number type, or was saved from a model of another architecture; the
    /// model is unchanged then.
    ///
    /// ```
    /// use mlmath::nn::{Activation, Mlp, Module};
    /// let path = std::env::temp_dir().join("mlmath-doc-mlp.params");
    /// let trained: Mlp = Mlp::new(&[4, 3, 2], Activation::Relu, 1)?;
    /// trained.save(&path)?;
    /// let fresh: Mlp = Mlp::new(&[4, 3, 2], Activation::Relu, 2)?;
    /// fresh.load(&path)?;
    /// assert_eq!(fresh.layers()[0].weight.to_array(), trained.layers()[0].weight.to_array());
    /// let other: Mlp = Mlp::new(&[4, 5, 2], Activation::Relu, 2)?;
    /// let e = other.load(&path).unwrap_err().to_string();
    /// assert!(e.contains("layers [4, 3, 2]") && e.contains("layers [4, 5, 2]"));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    fn load(&self, path: impl AsRef<Path>) -> Result<()>
    where
        Self: Sized,
    {
        <F::Ops as Engine<F>>::load_params(path.as_ref(), &self.describe(), &self.named_params())
    }
}

/// The parameters of `part` named `"{prefix}.{name}"`: how a model lists
/// the parameters of its parts.
///
/// ```
/// use mlmath::nn::{Init, Linear, Module, prefixed};
/// let layer = Linear::<f32>::new(3, 2, Init::XavierUniform, &mut mlmath::random::seeded(0))?;
/// let names: Vec<String> = prefixed("head", &layer).into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["head.weight", "head.bias"]);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn prefixed<F: Float>(prefix: &str, part: &impl Module<F>) -> Vec<(String, Tensor<F>)> {
    part.named_params()
        .into_iter()
        .map(|(name, p)| (format!("{prefix}.{name}"), p))
        .collect()
}

// ---------------------------------------------------------------- Init

/// How a weight matrix starts: random, with a variance chosen so that the
/// signal neither grows nor dies from layer to layer.
///
/// For a layer with `fan_in` inputs and `fan_out` outputs:
///
/// | rule | draws | variance | for |
/// |---|---|---|---|
/// | [`XavierUniform`](Self::XavierUniform) | `U(−a, a)` | `2/(fan_in+fan_out)` | tanh, σ |
/// | [`KaimingNormal`](Self::KaimingNormal) | `N(0, 2 / fan_in)` | `2 / fan_in` | ReLU |
///
/// with `a = √(6 / (fan_in + fan_out))`, whose `a²/3` is that variance
/// (Glorot & Bengio 2010; He et al. 2015).
///
/// Glorot and Bengio keep the variance of the activations and of the
/// gradients equal across layers of a linear(ised) network, a compromise
/// between `1/fan_in` (forward) and `1/fan_out` (backward); He et al.
/// double `1/fan_in` because a ReLU zeroes half of its inputs.
///
/// ```
/// use mlmath::nn::Init;
/// assert_eq!(Init::KaimingNormal.variance(50, 10), 2.0 / 50.0);
/// let w = Init::XavierUniform.sample::<f64>(&[3, 5], 3, 5, &mut mlmath::random::seeded(1))?;
/// assert!(w.iter().all(|v| v.abs() <= (6.0f64 / 8.0).sqrt()));
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// `U(−√(6 / (fan_in + fan_out)), +√(6 / (fan_in + fan_out)))`.
    XavierUniform,
    /// `N(0, 2 / fan_in)`.
    KaimingNormal,
}

impl Init {
    /// The variance of one entry: `2 / (fan_in + fan_out)` or `2 / fan_in`.
    pub fn variance(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::XavierUniform => 2.0 / (fan_in as f64 + fan_out as f64),
            Init::KaimingNormal => 2.0 / fan_in as f64,
        }
    }

    /// An array of `shape` drawn by this rule from `rng`.
    ///
    /// An error when a fan is 0, or when the shape holds more than
    /// [`MAX_DRAWS`] entries (a typing slip that would exhaust the memory).
    pub fn sample<F: Float>(
        self,
        shape: &[usize],
        fan_in: usize,
        fan_out: usize,
        rng: &mut StdRng,
    ) -> Result<ArrayD<F>> {
        if fan_in == 0 || fan_out == 0 {
            return Err(Error::parameter(
                format!("the fans of {self:?}"),
                "at least 1 input and 1 output",
                format!("fan_in = {fan_in}, fan_out = {fan_out}"),
            ));
        }
        // The product of the nonzero sides: what ndarray checks too, so that a
        // shape such as (0, usize::MAX) is refused rather than a panic.
        let count = shape
            .iter()
            .try_fold(1usize, |n, &s| n.checked_mul(s.max(1)));
        if count.is_none_or(|n| n > MAX_DRAWS) {
            return Err(Error::parameter(
                format!("the shape of a {self:?} initialisation"),
                format!("at most {MAX_DRAWS} entries (a smaller layer)"),
                shape_str(shape),
            ));
        }
        let spread = match self {
            Init::XavierUniform => (3.0 * self.variance(fan_in, fan_out)).sqrt(),
            Init::KaimingNormal => self.variance(fan_in, fan_out).sqrt(),
        };
        Ok(match self {
            Init::XavierUniform => <F::Ops as Engine<F>>::init_uniform(shape, spread, rng),
            Init::KaimingNormal => <F::Ops as Engine<F>>::init_normal(shape, spread, rng),
        })
    }
}

/// An array of `shape` drawn from `U(−a, a)`: `a (2u − 1)` for `u` uniform
/// on `[0, 1)`. Compiled in the crate (a kernel of the engine).
pub(crate) fn uniform<F: Float>(shape: &[usize], a: f64, rng: &mut StdRng) -> ArrayD<F> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        F::of(a * (2.0 * rng.random::<f64>() - 1.0))
    })
}

/// An array of `shape` drawn from `N(0, σ²)`: `σ z` for `z` standard
/// normal. Compiled in the crate (a kernel of the engine).
pub(crate) fn normal<F: Float>(shape: &[usize], sigma: f64, rng: &mut StdRng) -> ArrayD<F> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        let z: f64 = StandardNormal.sample(rng);
        F::of(sigma * z)
    })
}
