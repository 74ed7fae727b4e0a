//! Attention and the decoder-only transformer of chapter 12 (Vaswani et al.
//! 2017, with the layer normalisation before each sublayer, Xiong et al.
//! 2020). Read top to bottom: [`attention`] and its masks, the positions,
//! [`MultiHeadAttention`], the [`Block`], then the [`Transformer`] with
//! its evaluation and sampling.

use std::fmt;

use ndarray::{Array2, Array3, ArrayD, Axis, IxDyn};

use super::{Init, LayerNorm, Linear, Module, normal, prefixed};
use crate::autodiff::{Float, Tensor, no_grad, shape_str};
use crate::error::{Error, Result};
use crate::random::{Rng, StdRng, seeded};

// ---------------------------------------------------------------- attention

/// Scaled dot-product attention,
///
/// ```text
///   weights = softmax(q kᵀ / √d  with the masked entries set to −∞)   (…, tq, tk)
///   output  = weights · v                                          (…, tq, dv)
/// ```
///
/// for `q: (…, tq, d)`, `k: (…, tk, d)`, `v: (…, tk, dv)` with the same
/// leading axes. `mask` is `true` where a query may **not** look (it
/// broadcasts to `(…, tq, tk)`, such as a [`causal_mask`] of `(t, t)`).
/// Each row of the weights is a probability distribution over the keys:
/// the output is a weighted mean of the values. Returns `(output,
/// weights)`; both are tensors of the engine, so the gradient flows to
/// `q`, `k` and `v`.
///
/// Dividing by `√d` keeps the scores' variance near 1 when the entries of
/// `q` and `k` have variance 1 (a sum of `d` products each of variance 1
/// has variance `d`), so the softmax does not saturate as `d` grows.
///
/// An error naming the shapes when they do not fit (or there is no key),
/// when the mask does not broadcast, or when a row of the mask hides every
/// key (its softmax would be 0/0).
///
/// ```
/// use mlmath::autodiff::Tensor;
/// use mlmath::nn::{attention, causal_mask};
/// let x = Tensor::constant(ndarray::array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]].into_dyn());
/// let (out, w) = attention(&x, &x, &x, Some(&causal_mask(3)))?;
/// assert_eq!(out.shape(), vec![3, 2]);
/// let w = w.to_array();
/// assert_eq!(w[[0, 0]], 1.0); // the first position sees only itself
/// assert_eq!(w[[1, 2]], 0.0); // and nothing sees the future
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn attention<F: Float>(
    q: &Tensor<F>,
    k: &Tensor<F>,
    v: &Tensor<F>,
    mask: Option<&ArrayD<bool>>,
) -> Result<(Tensor<F>, Tensor<F>)> {
    let (sq, sk, sv) = (q.shape(), k.shape(), v.shape());
    let r = sq.len();
    let fits = r >= 2
        && sk.len() == r
        && sv.len() == r
        && sq[..r - 2] == sk[..r - 2]
        && sq[..r - 2] == sv[..r - 2]
        && sq[r - 1] == sk[r - 1]
        && sk[r - 2] == sv[r - 2]
        && sq[r - 1] > 0
        && sk[r - 2] > 0;
    if !fits {
        return Err(Error::shape(
            "attention(q, k, v)",
            "q (…, tq, d), k (…, tk, d), v (…, tk, dv) with the same leading axes, d ≥ 1 \
             and at least one key (tk ≥ 1)",
            format!(
                "q {}, k {}, v {}",
                shape_str(&sq),
                shape_str(&sk),
                shape_str(&sv)
            ),
        ));
    }
    if let Some(m) = mask {
        // a query that may look at no key has no weights to share out: its
        // softmax would be 0/0
        let last = m.ndim().saturating_sub(1);
        if let Some(row) = (m.ndim() > 0)
            .then(|| {
                m.lanes(Axis(last))
                    .into_iter()
                    .position(|l| l.iter().all(|&b| b))
            })
            .flatten()
        {
            return Err(Error::parameter(
                "the mask given to attention",
                "at least one visible key (false) in every row",
                format!("row {row} of the mask hides every key"),
            ));
        }
    }
    let d = sq[r - 1];
    let scores = q
        .matmul(&k.transpose(r - 2, r - 1)?)?
        .mul_scalar(F::of(1.0 / (d as f64).sqrt()));
    let scores = match mask {
        Some(m) => scores.masked_fill(m, F::neg_infinity())?,
        None => scores,
    };
    let weights = scores.softmax(r - 1)?;
    Ok((weights.matmul(v)?, weights))
}

/// The causal mask of `t` positions: `(t, t)`, `true` above the diagonal,
/// where position `i` would look at a later position `j > i`.
///
/// ```
/// let m = mlmath::nn::causal_mask(3);
/// assert_eq!(m.iter().filter(|&&b| b).count(), 3);
/// assert!(m[[0, 1]] && !m[[1, 0]] && !m[[2, 2]]);
/// ```
pub fn causal_mask(t: usize) -> ArrayD<bool> {
    ArrayD::from_shape_fn(IxDyn(&[t, t]), |i| i[1] > i[0])
}

/// The sinusoidal positions of Vaswani et al. (2017): a `(t, d)` array with
///
/// ```text
///   PE[p, 2i]     = sin(p / 10000^(2i/d))
///   PE[p, 2i + 1] = cos(p / 10000^(2i/d))
/// ```
///
/// Each pair of columns turns at its own frequency, from one turn per
/// `2π` positions down to one per `2π·10000`; `PE[p + k]` is a rotation of
/// `PE[p]` that depends on `k` alone.
///
/// ```
/// let pe = mlmath::nn::sinusoidal_positions(4, 6);
/// assert_eq!(pe.dim(), (4, 6));
/// assert_eq!(pe[[0, 0]], 0.0);
/// assert_eq!(pe[[0, 1]], 1.0);
/// assert!((pe[[2, 0]] - 2.0f64.sin()).abs() < 1e-15);
/// ```
pub fn sinusoidal_positions(t: usize, d: usize) -> Array2<f64> {
    Array2::from_shape_fn((t, d), |(p, j)| {
        let angle = p as f64 / 10000f64.powf((j - j % 2) as f64 / d as f64);
        if j % 2 == 0 { angle.sin() } else { angle.cos() }
    })
}

/// How a [`Transformer`] tells positions apart. Attention alone is blind
/// to order: permuting the inputs permutes the outputs the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// A learned vector per position, `(context, d)`, added to the tokens.
    Learned,
    /// The fixed [`sinusoidal_positions`], added to the tokens.
    Sinusoidal,
    /// None: the model sees a set of tokens (and, through the causal mask,
    /// only how many came before).
    None,
}

// ---------------------------------------------------------------- config

/// The sizes of a [`Transformer`].
#[derive(Debug, Clone, PartialEq)]
pub struct TransformerConfig {
    /// The number of tokens.
    pub vocab: usize,
    /// The longest input, in tokens.
    pub context: usize,
    /// The width `d` of every position's vector.
    pub d_model: usize,
    /// The number of attention heads; `d_model / heads` each.
    pub heads: usize,
    /// The number of blocks.
    pub layers: usize,
    /// The width of the feed-forward layer inside a block.
    pub d_ff: usize,
    /// The drop probability after the embeddings and each sublayer while
    /// training (0 = none).
    pub dropout: f64,
    /// Learned, sinusoidal or no positions.
    pub positions: Positions,
    /// Whether the output layer is the token embedding transposed (Press &
    /// Wolf 2017), saving `vocab·d` parameters.
    pub tied: bool,
}

impl TransformerConfig {
    /// `d_ff = 4·d_model`, no dropout, learned positions, tied output.
    pub fn new(vocab: usize, context: usize, d_model: usize, heads: usize, layers: usize) -> Self {
        TransformerConfig {
            vocab,
            context,
            d_model,
            heads,
            layers,
            d_ff: 4 * d_model,
            dropout: 0.0,
            positions: Positions::Learned,
            tied: true,
        }
    }

    /// An error naming the first size that cannot work.
    fn check(&self) -> Result<()> {
        let sizes = [
            ("vocab", self.vocab),
            ("context", self.context),
            ("d_model", self.d_model),
            ("heads", self.heads),
            ("layers", self.layers),
            ("d_ff", self.d_ff),
        ];
        if let Some((name, _)) = sizes.iter().find(|(_, v)| *v == 0) {
            return Err(Error::parameter(
                format!("{name} of a TransformerConfig"),
                "at least 1",
                0,
            ));
        }
        if !self.d_model.is_multiple_of(self.heads) {
            return Err(Error::parameter(
                "heads of a TransformerConfig",
                format!("a divisor of d_model = {}", self.d_model),
                self.heads,
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::parameter(
                "dropout of a TransformerConfig",
                "in [0, 1)",
                self.dropout,
            ));
        }
        Ok(())
    }
}

impl fmt::Display for TransformerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let positions = match self.positions {
            Positions::Learned => "learned",
            Positions::Sinusoidal => "sinusoidal",
            Positions::None => "no",
        };
        write!(
            f,
            "vocab {}, context {}, d {}, {} heads, {} layers, d_ff {}, dropout {}, \
             {positions} positions, {} output",
            self.vocab,
            self.context,
            self.d_model,
            self.heads,
            self.layers,
            self.d_ff,
            self.dropout,
            if self.tied { "tied" } else { "separate" },
        )
    }
}

/// `x` after dropout with probability `p` when training (`rng` given).
fn drop<F: Float>(x: Tensor<F>, p: f64, rng: Option<&mut StdRng>) -> Result<Tensor<F>> {
    match rng {
        Some(rng) if p > 0.0 => x.dropout(F::of(p), rng),
        _ => Ok(x),
    }
}

/// A linear layer with GPT's start (Radford et al. 2018): `W ~ N(0, σ²)`,
/// `b = 0`.
fn linear<F: Float>(
    inputs: usize,
    outputs: usize,
    sigma: f64,
    rng: &mut StdRng,
) -> Result<Linear<F>> {
    let layer = Linear::new(inputs, outputs, Init::XavierUniform, rng)?;
    layer
        .weight
        .set_value(normal(&[inputs, outputs], sigma, rng))?;
    Ok(layer)
}

/// The standard deviation of the starting weights.
const INIT_SIGMA: f64 = 0.02;

// ---------------------------------------------------------------- multi-head attention

/// Multi-head self-attention: from `x: (b, t, d)`, one linear layer makes
/// the queries, keys and values (`d → 3d`); each is split into `heads`
/// heads of `d / heads` features; each head attends on its own
/// ([`attention`]); the heads are put side by side again and mixed by a
/// last linear layer `d → d`.
#[derive(Debug)]
pub struct MultiHeadAttention<F: Float = f32> {
    /// `d → 3d`: queries, keys and values, in that order.
    pub qkv: Linear<F>,
    /// `d → d`: the heads mixed.
    pub out: Linear<F>,
    heads: usize,
}

impl<F: Float> MultiHeadAttention<F> {
    /// `heads` heads over `d` features (`heads` divides `d`); weights from
    /// `N(0, 0.02²)`, drawn from `rng`.
    pub fn new(d: usize, heads: usize, rng: &mut StdRng) -> Result<Self> {
        if heads == 0 || !d.is_multiple_of(heads) {
            return Err(Error::parameter(
                "heads of MultiHeadAttention::new",
                format!("a divisor of d = {d}"),
                heads,
            ));
        }
        Ok(MultiHeadAttention {
            qkv: linear(d, 3 * d, INIT_SIGMA, rng)?,
            out: linear(d, d, INIT_SIGMA, rng)?,
            heads,
        })
    }

    /// The number of heads.
    pub fn heads(&self) -> usize {
        self.heads
    }

    /// The output `(b, t, d)` for `x: (b, t, d)`, each position looking
    /// only at itself and earlier ones when `causal`.
    pub fn forward(&self, x: &Tensor<F>, causal: bool) -> Result<Tensor<F>> {
        if !causal {
            return Ok(self.forward_with_weights(x, causal)?.0);
        }
        // The same as forward_with_weights, in one op that keeps q, k and v
        // in place and computes only the visible half of the scores.
        let shape = x.shape();
        let d = self.out.outputs();
        if shape.len() != 3 || shape[2] != d {
            return Err(Error::shape(
                "the input of MultiHeadAttention",
                format!("(b, t, {d})"),
                shape_str(&shape),
            ));
        }
        let o = self.qkv.forward(x)?.causal_attention(self.heads)?;
        self.out.forward(&o)
    }

    /// The output and the attention weights `(b, heads, t, t)`.
    ///
    /// An error naming the shape when `x` is not `(b, t, d)`.
    pub fn forward_with_weights(
        &self,
        x: &Tensor<F>,
        causal: bool,
    ) -> Result<(Tensor<F>, Tensor<F>)> {
        let shape = x.shape();
        let d = self.out.outputs();
        let [b, t, xd] = shape[..] else {
            return Err(Error::shape(
                "the input of MultiHeadAttention",
                format!("(b, t, {d})"),
                shape_str(&shape),
            ));
        };
        if xd != d {
            return Err(Error::shape(
                "the input of MultiHeadAttention",
                format!("(b, t, {d})"),
                shape_str(&shape),
            ));
        }
        let (h, dh) = (self.heads, d / self.heads);
        let qkv = self.qkv.forward(x)?;
        // (b, t, d) → (b, t, h, dh) → (b, h, t, dh)
        let head = |i: usize| -> Result<Tensor<F>> {
            qkv.slice_axis(2, i * d, (i + 1) * d)?
                .reshape(&[b, t, h, dh])?
                .transpose(1, 2)
        };
        let (q, k, v) = (head(0)?, head(1)?, head(2)?);
        let mask = causal.then(|| causal_mask(t));
        let (o, w) = attention(&q, &k, &v, mask.as_ref())?;
        let o = o.transpose(1, 2)?.reshape(&[b, t, d])?;
        Ok((self.out.forward(&o)?, w))
    }
}

impl<F: Float> Module<F> for MultiHeadAttention<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        let mut p = prefixed("qkv", &self.qkv);
        p.extend(prefixed("out", &self.out));
        p
    }
}

// ---------------------------------------------------------------- block

/// A pre-LN transformer block: with `LN` a [`LayerNorm`],
///
/// ```text
///   x ← x + Attention(LN₁(x))
///   x ← x + W₂ GELU(W₁ LN₂(x) + b₁) + b₂
/// ```
///
/// The residual path `x + …` carries every earlier layer's output
/// unchanged, so the gradient reaches the first layers undamped.
#[derive(Debug)]
pub struct Block<F: Float = f32> {
    /// Before attention.
    pub ln1: LayerNorm<F>,
    /// Causal self-attention.
    pub attn: MultiHeadAttention<F>,
    /// Before the feed-forward layers.
    pub ln2: LayerNorm<F>,
    /// `d → d_ff`.
    pub fc1: Linear<F>,
    /// `d_ff → d`.
    pub fc2: Linear<F>,
}

impl<F: Float> Block<F> {
    /// A block of width `d` with `heads` heads and a feed-forward layer of
    /// `d_ff`; the layers that write into the residual path start smaller,
    /// `σ = 0.02 / √(2·layers)` (Radford et al. 2019).
    pub fn new(
        d: usize,
        heads: usize,
        d_ff: usize,
        layers: usize,
        rng: &mut StdRng,
    ) -> Result<Self> {
        let attn = MultiHeadAttention::new(d, heads, rng)?;
        let residual = INIT_SIGMA / (2.0 * layers.max(1) as f64).sqrt();
        attn.out.weight.set_value(normal(&[d, d], residual, rng))?;
        Ok(Block {
            ln1: LayerNorm::new(d)?,
            attn,
            ln2: LayerNorm::new(d)?,
            fc1: linear(d, d_ff, INIT_SIGMA, rng)?,
            fc2: linear(d_ff, d, residual, rng)?,
        })
    }

    /// The block applied to `x: (b, t, d)`, with dropout `p` on each
    /// sublayer's output when `rng` is given (training).
    pub fn forward(
        &self,
        x: &Tensor<F>,
        p: f64,
        mut rng: Option<&mut StdRng>,
    ) -> Result<Tensor<F>> {
        let a = self.attn.forward(&self.ln1.forward(x)?, true)?;
        let x = x.add(&drop(a, p, rng.as_deref_mut())?)?;
        let m = self
            .fc2
            .forward(&self.fc1.forward(&self.ln2.forward(&x)?)?.gelu())?;
        x.add(&drop(m, p, rng)?)
    }
}

impl<F: Float> Module<F> for Block<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        let mut p = prefixed("ln1", &self.ln1);
        p.extend(prefixed("attn", &self.attn));
        p.extend(prefixed("ln2", &self.ln2));
        p.extend(prefixed("fc1", &self.fc1));
        p.extend(prefixed("fc2", &self.fc2));
        p
    }
}

// ---------------------------------------------------------------- transformer

/// A decoder-only transformer over tokens (GPT, Radford et al. 2018):
///
/// ```text
///   x₀ = E[tokens] + P[positions]          (b, t, d)
///   xₗ = Blockₗ(xₗ₋₁),  l = 1..layers      causal: position i sees 0..=i
///   logits = LN(x_L) Eᵀ  (tied)  or  LN(x_L) W + c      (b, t, vocab)
/// ```
///
/// trained to predict token `i + 1` at every position `i` at once.
///
/// ```
/// use mlmath::nn::{Module, Transformer, TransformerConfig};
/// let model: Transformer = Transformer::new(TransformerConfig::new(10, 8, 16, 2, 1), 0)?;
/// let ids = [1, 2, 3, 4, 5, 6]; // two sequences of three
/// let logits = model.forward(&ids, 2, None)?;
/// assert_eq!(logits.shape(), vec![2, 3, 10]);
/// // at the start every token is about equally likely: the loss is near ln 10 (2.37 here)
/// let loss = model.loss(&ids, &[2, 3, 4, 5, 6, 7], 2, None)?.item()?;
/// assert!((loss - 10f32.ln()).abs() < 0.1, "{loss}");
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug)]
pub struct Transformer<F: Float = f32> {
    config: TransformerConfig,
    /// The token embedding `E: (vocab, d)`.
    pub tokens: super::Embedding<F>,
    /// The learned positions `P: (context, d)` (with [`Positions::Learned`]).
    pub positions: Option<Tensor<F>>,
    /// The blocks.
    pub blocks: Vec<Block<F>>,
    /// The last normalisation.
    pub ln_f: LayerNorm<F>,
    /// The output layer, when not tied to the embedding.
    pub head: Option<Linear<F>>,
    /// The fixed sinusoidal positions (with [`Positions::Sinusoidal`]).
    fixed: Option<Tensor<F>>,
}

impl<F: Float> Transformer<F> {
    /// A transformer of `config`, its weights drawn from the generator
    /// seeded with `seed` (`N(0, 0.02²)`, as GPT, Radford et al. 2018).
    ///
    /// An error naming the size that cannot work (a 0, `heads` not
    /// dividing `d_model`, `dropout` outside `[0, 1)`).
    pub fn new(config: TransformerConfig, seed: u64) -> Result<Self> {
        config.check()?;
        let rng = &mut seeded(seed);
        let (v, c, d) = (config.vocab, config.context, config.d_model);
        let tokens = super::Embedding::new(v, d, rng)?;
        tokens.weight.set_value(normal(&[v, d], INIT_SIGMA, rng))?;
        let positions = (config.positions == Positions::Learned)
            .then(|| Tensor::param(normal::<F>(&[c, d], INIT_SIGMA, rng)));
        let fixed = (config.positions == Positions::Sinusoidal)
            .then(|| Tensor::constant(sinusoidal_positions(c, d).mapv(F::of).into_dyn()));
        let blocks = (0..config.layers)
            .map(|_| Block::new(d, config.heads, config.d_ff, config.layers, rng))
            .collect::<Result<Vec<_>>>()?;
        let head = if config.tied {
            None
        } else {
            Some(linear(d, v, INIT_SIGMA, rng)?)
        };
        Ok(Transformer {
            tokens,
            positions,
            blocks,
            ln_f: LayerNorm::new(d)?,
            head,
            fixed,
            config,
        })
    }

    /// The sizes.
    pub fn config(&self) -> &TransformerConfig {
        &self.config
    }

    /// `(batch, t)` after checking that `ids` holds `batch` sequences of
    /// `t ≤ context` tokens below `vocab`.
    fn layout(&self, ids: &[usize], batch: usize) -> Result<(usize, usize)> {
        let c = self.config.context;
        if batch == 0 || ids.is_empty() || !ids.len().is_multiple_of(batch) || ids.len() / batch > c
        {
            return Err(Error::parameter(
                format!("the ids given to a Transformer with batch = {batch}"),
                format!("batch ≥ 1 sequences of the same length t, 1 ≤ t ≤ context = {c}"),
                format!("{} ids", ids.len()),
            ));
        }
        self.check_ids(ids)?;
        Ok((batch, ids.len() / batch))
    }

    /// An error naming the first id `≥ vocab`.
    fn check_ids(&self, ids: &[usize]) -> Result<()> {
        match ids
            .iter()
            .enumerate()
            .find(|&(_, &id)| id >= self.config.vocab)
        {
            Some((i, &id)) => Err(Error::parameter(
                format!("token id at position {i} given to a Transformer"),
                format!("below the vocabulary size {}", self.config.vocab),
                id,
            )),
            None => Ok(()),
        }
    }

    /// The logits `(batch, t, vocab)` for `batch` sequences of `t` tokens,
    /// `ids` row-major `(batch, t)`. With `rng` (training), dropout is on.
    ///
    /// An error when `ids` is not `batch` sequences of `1..=context` tokens
    /// below `vocab`.
    pub fn forward(
        &self,
        ids: &[usize],
        batch: usize,
        rng: Option<&mut StdRng>,
    ) -> Result<Tensor<F>> {
        Ok(self.run(ids, batch, rng, false)?.0)
    }

    /// The forward pass, with the attention weights of every layer when
    /// `keep` is set.
    fn run(
        &self,
        ids: &[usize],
        batch: usize,
        mut rng: Option<&mut StdRng>,
        keep: bool,
    ) -> Result<(Tensor<F>, Vec<Tensor<F>>)> {
        let (b, t) = self.layout(ids, batch)?;
        let d = self.config.d_model;
        let p = self.config.dropout;
        let mut x = self.tokens.forward_ids(ids)?.reshape(&[b, t, d])?;
        if let Some(pos) = self.positions.as_ref().or(self.fixed.as_ref()) {
            x = x.add(&pos.slice_axis(0, 0, t)?)?;
        }
        x = drop(x, p, rng.as_deref_mut())?;
        let mut maps = Vec::new();
        for block in &self.blocks {
            if keep {
                let (_, w) = block
                    .attn
                    .forward_with_weights(&block.ln1.forward(&x)?, true)?;
                maps.push(w);
            }
            x = block.forward(&x, p, rng.as_deref_mut())?;
        }
        let x = self.ln_f.forward(&x)?;
        let logits = match &self.head {
            Some(head) => head.forward(&x)?,
            None => x.matmul(&self.tokens.weight.transpose(0, 1)?)?,
        };
        Ok((logits, maps))
    }

    /// The mean cross-entropy, in nats, of predicting `targets` (laid out
    /// as `ids`) from `ids`: the training loss.
    ///
    /// An error when `targets` does not match `ids` or holds an id
    /// `≥ vocab`.
    pub fn loss(
        &self,
        ids: &[usize],
        targets: &[usize],
        batch: usize,
        rng: Option<&mut StdRng>,
    ) -> Result<Tensor<F>> {
        if targets.len() != ids.len() {
            return Err(Error::parameter(
                "the targets given to Transformer::loss",
                format!("one per id: {}", ids.len()),
                targets.len(),
            ));
        }
        let logits = self.forward(ids, batch, rng)?;
        logits
            .reshape(&[ids.len(), self.config.vocab])?
            .cross_entropy(targets)
    }

    /// The mean of `−ln P(xᵢ | the tokens before it)` over positions
    /// `1..n` of `seq` (the first token has nothing to be predicted from):
    /// the nats per token. The text is read in windows of `context` tokens
    /// that overlap by half: in every window after the first only the second
    /// half is scored, so each prediction past the first `context / 2`
    /// tokens sees at least `context / 2` tokens before it. Nothing is
    /// recorded; windows go through the model 16 at a time.
    ///
    /// An error when `seq` has fewer than 2 tokens or an id `≥ vocab`.
    pub fn nats_per_char(&self, seq: &[usize]) -> Result<f64> {
        if seq.len() < 2 {
            return Err(Error::parameter(
                "the sequence given to Transformer::nats_per_char",
                "at least 2 tokens",
                seq.len(),
            ));
        }
        self.check_ids(seq)?;
        let c = self.config.context.min(seq.len() - 1);
        let half = (c / 2).max(1);
        // windows [s, s + c) predicting [s + 1, s + c + 1); score from `from`
        let last = seq.len() - 1 - c;
        let mut windows = vec![(0usize, 0usize)];
        let mut s = 0;
        while s < last {
            s = (s + half).min(last);
            let scored_to = windows.last().map(|&(w, _)| w + c).unwrap_or(0);
            windows.push((s, scored_to - s));
        }
        no_grad(|| {
            let mut total = 0.0;
            for group in windows.chunks(16) {
                let ids: Vec<usize> = group
                    .iter()
                    .flat_map(|&(s, _)| seq[s..s + c].iter().copied())
                    .collect();
                let logits = self.forward(&ids, group.len(), None)?;
                let logits = logits.reshape(&[group.len() * c, self.config.vocab])?;
                let (mut rows, mut targets) = (Vec::new(), Vec::new());
                for (g, &(s, from)) in group.iter().enumerate() {
                    rows.extend((from..c).map(|j| g * c + j));
                    targets.extend(seq[s + from + 1..s + c + 1].iter().copied());
                }
                let ce = logits.select_rows(&rows)?.cross_entropy(&targets)?.item()?;
                total += ce.as_f64() * rows.len() as f64;
            }
            Ok(total / (seq.len() - 1) as f64)
        })
    }

    /// The attention weights of every layer for one sequence `ids`
    /// (`1..=context` tokens): one `(heads, t, t)` array per layer, row `i`
    /// the weights position `i` gives to positions `0..=i`.
    ///
    /// An error as for [`forward`](Self::forward).
    pub fn attention_maps(&self, ids: &[usize]) -> Result<Vec<Array3<f64>>> {
        no_grad(|| {
            let (_, maps) = self.run(ids, 1, None, true)?;
            maps.iter()
                .map(|w| {
                    let a = w.to_array().mapv(|v| v.as_f64());
                    let s = a.shape().to_vec();
                    a.into_shape_with_order((s[1], s[2], s[3])).map_err(|_| {
                        Error::shape("an attention map", "(1, h, t, t)", shape_str(&s))
                    })
                })
                .collect()
        })
    }

    /// `n` tokens drawn one at a time after `prompt` (at least one token),
    /// each from `softmax(logits / temperature)` given the last `context`
    /// tokens, from the generator seeded with `seed`. A temperature below 1
    /// sharpens the distribution (towards the most likely token), above 1
    /// flattens it.
    ///
    /// An error for an empty prompt, an id `≥ vocab`, or a temperature that
    /// is not a positive finite number.
    pub fn generate(
        &self,
        prompt: &[usize],
        n: usize,
        temperature: f64,
        seed: u64,
    ) -> Result<Vec<usize>> {
        if !(temperature > 0.0 && temperature.is_finite()) {
            return Err(Error::parameter(
                "the temperature of Transformer::generate",
                "a positive finite number",
                temperature,
            ));
        }
        if prompt.is_empty() {
            return Err(Error::parameter(
                "the prompt of Transformer::generate",
                "at least one token",
                "an empty prompt",
            ));
        }
        let c = self.config.context;
        let rng = &mut seeded(seed);
        let mut seq = prompt.to_vec();
        no_grad(|| {
            for _ in 0..n {
                let window = &seq[seq.len().saturating_sub(c)..];
                let logits = self.forward(window, 1, None)?;
                let last = logits.to_array();
                let last = last.index_axis(Axis(1), window.len() - 1);
                // shifted by the largest logit before dividing: a tiny temperature gives
                // 0 for the largest and −∞ or large negatives for the rest (the argmax),
                // never ∞ − ∞
                let top = last
                    .iter()
                    .map(|v| v.as_f64())
                    .fold(f64::NEG_INFINITY, f64::max);
                let scaled: Vec<f64> = last
                    .iter()
                    .map(|v| (v.as_f64() - top) / temperature)
                    .collect();
                seq.push(draw(&scaled, rng));
            }
            Ok(seq.split_off(prompt.len()))
        })
    }
}

/// An index drawn from `softmax(scores)`.
pub(crate) fn draw(scores: &[f64], rng: &mut StdRng) -> usize {
    let m = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = scores.iter().map(|s| (s - m).exp()).collect();
    let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

impl<F: Float> Module<F> for Transformer<F> {
    fn named_params(&self) -> Vec<(String, Tensor<F>)> {
        let mut p = prefixed("tokens", &self.tokens);
        if let Some(pos) = &self.positions {
            p.push(("positions".to_string(), pos.clone()));
        }
        for (i, block) in self.blocks.iter().enumerate() {
            p.extend(prefixed(&format!("blocks.{i}"), block));
        }
        p.extend(prefixed("ln_f", &self.ln_f));
        if let Some(head) = &self.head {
            p.extend(prefixed("head", head));
        }
        p
    }

    fn describe(&self) -> String {
        format!("a Transformer with {}", self.config)
    }
}

#[cfg(test)]
#[path = "transformer_tests.rs"]
mod tests;
