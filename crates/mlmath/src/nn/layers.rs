//! The layers: [`Linear`], [`Embedding`], [`LayerNorm`], [`Conv2d`].

use ndarray::{ArrayD, IxDyn};

use super::{Init, Module};
use crate::autodiff::{Float, Tensor, shape_str};
use crate::error::{Error, Result};
use crate::random::StdRng;

/// An error unless `x`'s last axis has `n` entries.
fn check_last_axis<F: Float>(what: String, x: &Tensor<F>, n: usize) -> Result<()> {
    let shape = x.shape();
    if shape.last() != Some(&n) {
        return Err(Error::shape(
            what,
            format!("(…, {n}): {n} features on the last axis"),
            shape_str(&shape),
        ));
    }
    Ok(())
}

/// The length of `t` along `axis` (0 when it has no such axis, which a
/// parameter replaced by hand could lack).
fn side<F: Float>(t: &Tensor<F>, axis: usize) -> usize {
    t.value().shape().get(axis).copied().unwrap_or(0)
}

/// An error unless every size is at least 1.
fn check_sizes(who: &str, sizes: &[(&str, usize)]) -> Result<()> {
    for &(name, n) in sizes {
        if n == 0 {
            return Err(Error::parameter(format!("{who}'s {name}"), "at least 1", n));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- Linear

/// A fully connected (affine) layer: `y = x W + b`.
///
/// `x: (n, inputs)` (or `(…, n, inputs)`), `W: (inputs, outputs)`,
/// `b: (outputs,)` added to every row, `y: (n, outputs)`. Each output is a
/// weighted sum of all inputs plus a bias: a row of perceptrons without
/// their step function. `W` starts from an [`Init`], `b` at 0.
///
/// ```
/// use mlmath::nn::{Init, Linear};
/// use mlmath::autodiff::Tensor;
/// use ndarray::array;
/// let layer = Linear::<f64>::new(2, 1, Init::XavierUniform, &mut mlmath::random::seeded(0))?;
/// layer.weight.set_value(array![[2.0], [-1.0]].into_dyn())?;
/// layer.bias.set_value(array![0.5].into_dyn())?;
/// let y = layer.forward(&Tensor::constant(array![[1.0, 3.0]]))?;
/// assert_eq!(y.value()[[0, 0]], 2.0 - 3.0 + 0.5);
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug)]
pub struct Linear<F: Float = f32> {
    /// `W: (inputs, outputs)`.
    pub weight: Tensor<F>,
    /// `b: (outputs,)`.
    pub bias: Tensor<F>,
}

impl<F: Float> Linear<F> {
    /// A layer from `inputs` to `outputs` features, `W` drawn by `init`
    /// (`fan_in = inputs`, `fan_out = outputs`) from `rng`, `b = 0`.
    ///
    /// An error when a size is 0 or the matrix would be too large to draw.
    pub fn new(inputs: usize, outputs: usize, init: Init, rng: &mut StdRng) -> Result<Self> {
        check_sizes("Linear::new", &[("inputs", inputs), ("outputs", outputs)])?;
        let w = init.sample(&[inputs, outputs], inputs, outputs, rng)?;
        Ok(Linear {
            weight: Tensor::param(w),
            bias: Tensor::param(ArrayD::zeros(IxDyn(&[outputs]))),
        })
    }

    /// The number of input features.
    pub fn inputs(&self) -> usize {
        side(&self.weight, 0)
    }

    /// The number of output features.
    pub fn outputs(&self) -> usize {
        side(&self.weight, 1)
    }

    /// `x W + b` for `x: (…, inputs)`.
    ///
    /// An error naming the layer when `x`'s last axis is not `inputs`.
    pub fn forward(&self, x: &Tensor<F>) -> Result<Tensor<F>> {
        let what = format!(
            "the input of Linear({} → {})",
            self.inputs(),
            self.outputs()
        );
        check_last_axis(what, x, self.inputs())?;
        x.matmul(&self.weight)?.add(&self.bias)
    }
}

impl<F: Float> Module<F> for Linear<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        vec![
            ("weight".to_string(), self.weight.clone()),
            ("bias".to_string(), self.bias.clone()),
        ]
    }

    fn describe(&self) -> String {
        format!("a Linear layer {} → {}", self.inputs(), self.outputs())
    }
}

// ---------------------------------------------------------------- Embedding

/// A lookup table: token `i` is represented by row `i` of `E: (vocab, d)`.
///
/// `forward_ids(&[i₁, …, iₙ])` returns the rows `(n, d)`. It is the same as
/// multiplying one-hot vectors by `E`, without building them: the gradient
/// of `E` is non-zero only in the rows that were looked up. `E` starts
/// from `N(0, 1)`.
///
/// ```
/// use mlmath::nn::Embedding;
/// let emb = Embedding::<f32>::new(27, 8, &mut mlmath::random::seeded(0))?;
/// let x = emb.forward_ids(&[3, 1, 3])?;
/// assert_eq!(x.shape(), vec![3, 8]);
/// assert!(emb.forward_ids(&[27]).is_err());
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug)]
pub struct Embedding<F: Float = f32> {
    /// `E: (vocab, d)`.
    pub weight: Tensor<F>,
}

impl<F: Float> Embedding<F> {
    /// A table of `vocab` tokens in `d` dimensions, drawn from `N(0, 1)`.
    ///
    /// An error when a size is 0 or the table would be too large to draw.
    pub fn new(vocab: usize, d: usize, rng: &mut StdRng) -> Result<Self> {
        check_sizes("Embedding::new", &[("vocab", vocab), ("d", d)])?;
        // Kaiming's N(0, 2/fan_in) with fan_in = 2 is N(0, 1).
        let e = Init::KaimingNormal.sample(&[vocab, d], 2, d, rng)?;
        Ok(Embedding {
            weight: Tensor::param(e),
        })
    }

    /// The vocabulary size.
    pub fn vocab(&self) -> usize {
        side(&self.weight, 0)
    }

    /// The embedding dimension `d`.
    pub fn dim(&self) -> usize {
        side(&self.weight, 1)
    }

    /// The rows `E[i₁], …, E[iₙ]`, shape `(n, d)`.
    ///
    /// An error naming the position of an id that is not below `vocab`.
    pub fn forward_ids(&self, ids: &[usize]) -> Result<Tensor<F>> {
        let vocab = self.vocab();
        self.weight.select_rows(ids).map_err(|e| {
            match ids.iter().enumerate().find(|&(_, &id)| id >= vocab) {
                Some((i, &id)) => Error::parameter(
                    format!("token id {i} given to Embedding::forward_ids"),
                    format!("below the vocabulary size {vocab}"),
                    id,
                ),
                None => e,
            }
        })
    }
}

impl<F: Float> Module<F> for Embedding<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        vec![("weight".to_string(), self.weight.clone())]
    }

    fn describe(&self) -> String {
        format!(
            "an Embedding of {} tokens in {} dimensions",
            self.vocab(),
            self.dim()
        )
    }
}

// ---------------------------------------------------------------- LayerNorm

/// Layer normalisation (Ba, Kiros & Hinton 2016): each row is centred and
/// scaled over its `d` features, then given a learned scale and shift:
///
/// ```text
///   μ = mean of x over the last axis,   σ² = mean of (x − μ)²
///   y = γ ⊙ (x − μ) / √(σ² + ε) + β
/// ```
///
/// with `γ = 1`, `β = 0` at the start and `ε = 10⁻⁵`. Unlike batch
/// normalisation it uses no statistics of other rows, so it works the same
/// in training and in evaluation.
///
/// ```
/// use mlmath::nn::LayerNorm;
/// use mlmath::autodiff::Tensor;
/// let norm = LayerNorm::<f64>::new(4)?;
/// let y = norm.forward(&Tensor::constant(ndarray::array![[1.0, 2.0, 3.0, 4.0]]))?;
/// assert!(y.value().sum().abs() < 1e-12); // mean 0 after centring
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug)]
pub struct LayerNorm<F: Float = f32> {
    /// `γ: (d,)`, the learned scale.
    pub gamma: Tensor<F>,
    /// `β: (d,)`, the learned shift.
    pub beta: Tensor<F>,
    eps: f64,
}

impl<F: Float> LayerNorm<F> {
    /// Normalisation over `d` features: `γ = 1`, `β = 0`, `ε = 10⁻⁵`.
    ///
    /// An error when `d` is 0.
    pub fn new(d: usize) -> Result<Self> {
        check_sizes("LayerNorm::new", &[("d", d)])?;
        Ok(LayerNorm {
            gamma: Tensor::param(ArrayD::ones(IxDyn(&[d]))),
            beta: Tensor::param(ArrayD::zeros(IxDyn(&[d]))),
            eps: 1e-5,
        })
    }

    /// The number of features `d`.
    pub fn dim(&self) -> usize {
        side(&self.gamma, 0)
    }

    /// `ε`, added to the variance.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// `γ ⊙ (x − μ) / √(σ² + ε) + β` over the last axis of `x: (…, d)`.
    ///
    /// An error naming the layer when `x`'s last axis is not `d`.
    pub fn forward(&self, x: &Tensor<F>) -> Result<Tensor<F>> {
        check_last_axis(
            format!("the input of LayerNorm({})", self.dim()),
            x,
            self.dim(),
        )?;
        x.layer_norm(&self.gamma, &self.beta, F::of(self.eps))
    }
}

impl<F: Float> Module<F> for LayerNorm<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        vec![
            ("gamma".to_string(), self.gamma.clone()),
            ("beta".to_string(), self.beta.clone()),
        ]
    }

    fn describe(&self) -> String {
        format!("a LayerNorm over {} features", self.dim())
    }
}

// ---------------------------------------------------------------- Conv2d

/// A 2-D convolution layer: `c_out` filters of `c_in × k × k` weights slid
/// over the image with a step of `stride` pixels, after `padding` rows and
/// columns of zeros are added on every side:
///
/// ```text
///   y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q  W[o, c, p, q] · x[n, c, s·i + p, s·j + q]
/// ```
///
/// for `x: (n, c_in, h, w)`; `y: (n, c_out, h', w')` with
/// `h' = (h + 2·padding − k) / stride + 1` (rounded down), the same for `w'`.
/// Every position shares the same weights (weight sharing), so the layer
/// has `c_out·c_in·k² + c_out` parameters whatever the image size. `W`
/// starts from [`Init::KaimingNormal`] with `fan_in = c_in·k²` (the
/// networks of chapter 09 use ReLU), `b` at 0.
///
/// ```
/// use mlmath::nn::{Conv2d, Module};
/// let conv = Conv2d::<f32>::new(1, 8, 3, 1, 1, &mut mlmath::random::seeded(0))?;
/// assert_eq!(conv.parameter_count(), 8 * 1 * 3 * 3 + 8);
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug)]
pub struct Conv2d<F: Float = f32> {
    /// `W: (c_out, c_in, k, k)`.
    pub weight: Tensor<F>,
    /// `b: (c_out,)`.
    pub bias: Tensor<F>,
    stride: usize,
    padding: usize,
}

impl<F: Float> Conv2d<F> {
    /// `c_out` filters of size `kernel × kernel` over `c_in` channels.
    ///
    /// An error when a channel count, the kernel or the stride is 0, or the
    /// weights would be too large to draw.
    pub fn new(
        c_in: usize,
        c_out: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        rng: &mut StdRng,
    ) -> Result<Self> {
        let sizes = [
            ("c_in", c_in),
            ("c_out", c_out),
            ("kernel", kernel),
            ("stride", stride),
        ];
        check_sizes("Conv2d::new", &sizes)?;
        let fan_in = c_in.saturating_mul(kernel).saturating_mul(kernel);
        let fan_out = c_out.saturating_mul(kernel).saturating_mul(kernel);
        let w = Init::KaimingNormal.sample(&[c_out, c_in, kernel, kernel], fan_in, fan_out, rng)?;
        Ok(Conv2d {
            weight: Tensor::param(w),
            bias: Tensor::param(ArrayD::zeros(IxDyn(&[c_out]))),
            stride,
            padding,
        })
    }

    /// `(c_in, c_out, kernel)`.
    pub fn sizes(&self) -> (usize, usize, usize) {
        let w = &self.weight;
        (side(w, 1), side(w, 0), side(w, 2))
    }

    /// The step between two positions of a filter.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The rows and columns of zeros added on each side.
    pub fn padding(&self) -> usize {
        self.padding
    }

    /// The convolution of `x: (n, c_in, h, w)` (see [`Conv2d`]).
    ///
    /// An error naming the layer when `x` is not 4-dimensional with `c_in`
    /// channels, or the padded image is smaller than the kernel.
    pub fn forward(&self, x: &Tensor<F>) -> Result<Tensor<F>> {
        let (c_in, c_out, k) = self.sizes();
        let shape = x.shape();
        if shape.len() != 4 || shape[1] != c_in {
            return Err(Error::shape(
                format!("the input of Conv2d({c_in} → {c_out}, {k}×{k})"),
                format!("(n, {c_in}, height, width): a batch of images of {c_in} channels"),
                shape_str(&shape),
            ));
        }
        x.conv2d(&self.weight, Some(&self.bias), self.stride, self.padding)
    }
}

impl<F: Float> Module<F> for Conv2d<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        vec![
            ("weight".to_string(), self.weight.clone()),
            ("bias".to_string(), self.bias.clone()),
        ]
    }

    fn describe(&self) -> String {
        let (c_in, c_out, k) = self.sizes();
        format!(
            "a Conv2d {c_in} → {c_out} channels, {k}×{k} kernel, stride {}, padding {}",
            self.stride, self.padding
        )
    }
}
