//! The multilayer perceptron: linear layers with a nonlinearity between.

use super::{Init, Linear, Module, prefixed};
use crate::autodiff::{Float, Tensor};
use crate::error::{Error, Result};
use crate::random::seeded;

/// The nonlinearity between two layers. Without one, a stack of linear
/// layers would be one linear map: `(x W₁) W₂ = x (W₁ W₂)`.
///
/// | activation | `σ(x)` | `σ'(x)` |
/// |---|---|---|
/// | `Tanh` | `tanh x` | `1 − tanh² x` |
/// | `Relu` | `max(x, 0)` | `1` for `x > 0`, else `0` |
/// | `Sigmoid` | `1 / (1 + e⁻ˣ)` | `σ(x)(1 − σ(x))` |
/// | `Gelu` | `x Φ(x)`, `Φ` the standard normal CDF | `Φ(x) + x φ(x)` |
///
/// (GELU is computed in the tanh approximation
/// `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`, as PyTorch's `approximate="tanh"`.)
///
/// Tanh and the sigmoid saturate (`σ' → 0` for large `|x|`), which is why
/// their gradients vanish in deep networks; ReLU and GELU do not for
/// `x > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `tanh x`.
    Tanh,
    /// `max(x, 0)`.
    Relu,
    /// `1 / (1 + e⁻ˣ)`.
    Sigmoid,
    /// `x Φ(x)` in the tanh approximation (Hendrycks & Gimpel 2016).
    Gelu,
}

impl Activation {
    /// `σ(x)`, entry by entry.
    pub fn apply<F: Float>(self, x: &Tensor<F>) -> Tensor<F> {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.relu(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Gelu => x.gelu(),
        }
    }

    /// The initialisation that suits it: Xavier for the saturating tanh
    /// and sigmoid, Kaiming for ReLU and GELU.
    pub fn init(self) -> Init {
        match self {
            Activation::Tanh | Activation::Sigmoid => Init::XavierUniform,
            Activation::Relu | Activation::Gelu => Init::KaimingNormal,
        }
    }

    /// Its name in lower case: `"tanh"`, `"relu"`, `"sigmoid"`, `"gelu"`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
        }
    }
}

/// A multilayer perceptron: `L` [`Linear`] layers with an [`Activation`]
/// `σ` after each but the last,
///
/// ```text
///   h₀ = x,   hₗ = σ(hₗ₋₁ Wₗ + bₗ)  for l < L,   y = h_{L−1} W_L + b_L
/// ```
///
/// The output `y` is left linear: logits for a cross-entropy loss, or a
/// prediction for a squared error. `Mlp::new(&[64, 128, 10], ..)` has a
/// hidden layer of 128 units between 64 inputs and 10 outputs. The weights
/// start from the activation's [`init`](Activation::init), drawn from
/// [`seeded`]`(seed)`; the biases at 0.
///
/// ```
/// use mlmath::nn::{Activation, Mlp, Module};
/// let mlp: Mlp = Mlp::new(&[64, 128, 10], Activation::Tanh, 0)?;
/// assert_eq!(mlp.parameter_count(), 64 * 128 + 128 + 128 * 10 + 10);
/// assert_eq!(mlp.layers()[1].weight.shape(), vec![128, 10]);
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug)]
pub struct Mlp<F: Float = f32> {
    layers: Vec<Linear<F>>,
    activation: Activation,
}

impl<F: Float> Mlp<F> {
    /// A network with layer sizes `sizes` (inputs first, outputs last),
    /// `activation` between layers, weights drawn from `seeded(seed)`.
    ///
    /// An error when `sizes` has fewer than two entries or a 0.
    pub fn new(sizes: &[usize], activation: Activation, seed: u64) -> Result<Self> {
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err(Error::parameter(
                "Mlp::new's sizes",
                "at least two sizes, inputs first and outputs last, none 0 (such as [64, 128, 10])",
                format!("{sizes:?}"),
            ));
        }
        let mut rng = seeded(seed);
        let layers = sizes
            .windows(2)
            .map(|io| Linear::new(io[0], io[1], activation.init(), &mut rng))
            .collect::<Result<_>>()?;
        Ok(Mlp { layers, activation })
    }

    /// The output `y` for `x: (n, inputs)`: logits `(n, outputs)`.
    ///
    /// An error naming the first layer when `x` does not have `inputs`
    /// columns.
    pub fn forward(&self, x: &Tensor<F>) -> Result<Tensor<F>> {
        let last = self.layers.len() - 1;
        let mut h = x.clone();
        for (l, layer) in self.layers.iter().enumerate() {
            h = layer.forward(&h)?;
            if l < last {
                h = self.activation.apply(&h);
            }
        }
        Ok(h)
    }

    /// The linear layers, first to last (to look at their weights or
    /// gradients, layer by layer).
    pub fn layers(&self) -> &[Linear<F>] {
        &self.layers
    }

    /// The layer sizes, inputs first: `[64, 128, 10]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.layers[0].inputs()];
        sizes.extend(self.layers.iter().map(|l| l.outputs()));
        sizes
    }

    /// The activation between layers.
    pub fn activation(&self) -> Activation {
        self.activation
    }
}

impl<F: Float> Module<F> for Mlp<F> {
    /// `"0.weight"`, `"0.bias"`, `"1.weight"`, … layer by layer.
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        let layers = self.layers.iter().enumerate();
        layers
            .flat_map(|(l, layer)| prefixed(&l.to_string(), layer))
            .collect()
    }

    fn describe(&self) -> String {
        format!(
            "an Mlp with layers {:?} and {} activations",
            self.sizes(),
            self.activation.name()
        )
    }
}
