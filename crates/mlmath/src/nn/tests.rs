use std::path::PathBuf;

use ndarray::{Array2, ArrayD, Axis, Ix2, array};

use super::*;
use crate::optim::Adam;
use crate::random::{normal_matrix, seeded};

/// `√(6 / (fan_in + fan_out))`, Xavier's bound.
fn xavier_bound(fan_in: usize, fan_out: usize) -> f64 {
    (6.0 / (fan_in + fan_out) as f64).sqrt()
}

/// Whether `w` has mean 0 and variance `var` within 4 standard errors.
/// With the mean known to be 0, `s² = Σ w² / n` estimates `σ²` with
/// variance `(E w⁴ − σ⁴) / n`, where `E w⁴ = kurtosis · σ⁴` (3 for a
/// normal, 9/5 for a uniform); the sample mean has variance `σ² / n`.
fn moments_agree(name: &str, w: &ArrayD<f64>, var: f64, kurtosis: f64) -> bool {
    let n = w.len() as f64;
    let mean = w.sum() / n;
    let s2 = w.iter().map(|v| v * v).sum::<f64>() / n;
    let se_mean = (var / n).sqrt();
    let se_var = ((kurtosis - 1.0) * var * var / n).sqrt();
    println!(
        "{name}: mean {mean:.2e} (se {se_mean:.1e}), \
         variance {s2:.5e} against {var:.5e} (se {se_var:.1e})"
    );
    mean.abs() < 4.0 * se_mean && (s2 - var).abs() < 4.0 * se_var
}

#[test]
fn xavier_and_kaiming_variances_within_four_standard_errors() {
    let mut rng = seeded(11);
    let (fan_in, fan_out) = (200, 300);
    let w: ArrayD<f64> = Init::XavierUniform
        .sample(&[fan_in, fan_out], fan_in, fan_out, &mut rng)
        .unwrap();
    let a = xavier_bound(fan_in, fan_out);
    assert!(w.iter().all(|v| v.abs() <= a));
    assert!(moments_agree("xavier", &w, 2.0 / 500.0, 9.0 / 5.0));
    assert_eq!(Init::XavierUniform.variance(fan_in, fan_out), a * a / 3.0);

    let w: ArrayD<f64> = Init::KaimingNormal
        .sample(&[fan_in, fan_out], fan_in, fan_out, &mut rng)
        .unwrap();
    assert!(moments_agree("kaiming", &w, 2.0 / 200.0, 3.0));

    // In f32 (the training precision), and through the layers that use them.
    let layer = Linear::<f32>::new(300, 200, Init::KaimingNormal, &mut rng).unwrap();
    let w = layer.weight.to_array().mapv(f64::from);
    assert!(moments_agree("Linear kaiming f32", &w, 2.0 / 300.0, 3.0));
    let conv = Conv2d::<f32>::new(16, 32, 3, 1, 1, &mut rng).unwrap();
    let w = conv.weight.to_array().mapv(f64::from);
    assert!(moments_agree("Conv2d kaiming", &w, 2.0 / (16.0 * 9.0), 3.0));
    let emb = Embedding::<f64>::new(500, 64, &mut rng).unwrap();
    assert!(moments_agree(
        "Embedding N(0, 1)",
        &emb.weight.to_array(),
        1.0,
        3.0
    ));
    assert!(layer.bias.value().iter().all(|&b| b == 0.0));
}

#[test]
fn a_wrong_variance_fails_the_moment_check() {
    // The check can fail: Xavier's draws against Kaiming's variance.
    let w: ArrayD<f64> = Init::XavierUniform
        .sample(&[200, 300], 200, 300, &mut seeded(1))
        .unwrap();
    assert!(!moments_agree(
        "Xavier against 2/fan_in",
        &w,
        2.0 / 200.0,
        9.0 / 5.0
    ));
}

#[test]
fn init_is_seeded_and_checked() {
    let a: ArrayD<f32> = Init::KaimingNormal
        .sample(&[3, 4], 3, 4, &mut seeded(5))
        .unwrap();
    let b: ArrayD<f32> = Init::KaimingNormal
        .sample(&[3, 4], 3, 4, &mut seeded(5))
        .unwrap();
    assert_eq!(a, b);
    let e = Init::XavierUniform
        .sample::<f32>(&[3, 4], 0, 4, &mut seeded(5))
        .unwrap_err();
    assert!(e.to_string().contains("fan_in = 0"), "{e}");
    let e =
        Linear::<f32>::new(1_000_000, 1_000_000, Init::XavierUniform, &mut seeded(5)).unwrap_err();
    assert!(e.to_string().contains("(1000000, 1000000)"), "{e}");
    let e = Linear::<f32>::new(0, 3, Init::XavierUniform, &mut seeded(5)).unwrap_err();
    assert!(e.to_string().contains("inputs"), "{e}");
    let e = Init::XavierUniform.sample::<f32>(&[usize::MAX, 3], 1, 1, &mut seeded(5));
    assert!(e.is_err());
}

#[test]
fn linear_forward_is_x_w_plus_b() {
    let layer = Linear::<f64>::new(4, 3, Init::XavierUniform, &mut seeded(2)).unwrap();
    layer
        .bias
        .set_value(array![0.5, -1.0, 2.0].into_dyn())
        .unwrap();
    let x = normal_matrix(5, 4, &mut seeded(3)).unwrap();
    let y = layer
        .forward(&Tensor::constant(x.clone()))
        .unwrap()
        .to_array();
    let w = layer.weight.to_array();
    let b = layer.bias.to_array();
    for i in 0..5 {
        for j in 0..3 {
            let manual: f64 = (0..4).map(|k| x[[i, k]] * w[[k, j]]).sum::<f64>() + b[[j]];
            assert!((y[[i, j]] - manual).abs() < 1e-12, "({i}, {j})");
        }
    }
    // A batch of sequences (b, t, inputs): the same map on every row.
    let x3 = x.clone().into_shape_with_order((1, 5, 4)).unwrap();
    let y3 = layer.forward(&Tensor::constant(x3)).unwrap().to_array();
    assert_eq!(y3.shape(), &[1, 5, 3]);
    assert_eq!(y3.index_axis(Axis(0), 0), y);
    // The wrong width is an error naming the layer.
    let e = layer
        .forward(&Tensor::constant(Array2::<f64>::zeros((2, 5))))
        .unwrap_err();
    let e = e.to_string();
    assert!(e.contains("Linear(4 → 3)") && e.contains("(2, 5)"), "{e}");
    // A weight replaced by hand with one of another rank: an error, not a panic.
    let mut layer = layer;
    layer.weight = Tensor::param(ndarray::arr1(&[1.0]));
    assert!(layer.forward(&Tensor::constant(x)).is_err());
    assert_eq!(layer.describe(), "a Linear layer 1 → 0");
}

#[test]
fn linear_gradients_match_central_differences() {
    let layer = Linear::<f64>::new(3, 2, Init::XavierUniform, &mut seeded(4)).unwrap();
    let x = normal_matrix(4, 3, &mut seeded(5)).unwrap().into_dyn();
    let c = crate::autodiff::check::gradient_check(
        |t| {
            let l = Linear {
                weight: t[1].clone(),
                bias: t[2].clone(),
            };
            Ok(l.forward(&t[0])?.tanh())
        },
        &[x, layer.weight.to_array(), array![0.1, -0.2].into_dyn()],
        6,
    )
    .unwrap();
    assert!(c.max_relative_error < 1e-6, "{c:?}");
}

#[test]
fn mlp_parameter_count_names_and_sizes() {
    let mlp: Mlp = Mlp::new(&[64, 128, 10], Activation::Tanh, 0).unwrap();
    assert_eq!(mlp.parameter_count(), 64 * 128 + 128 + 128 * 10 + 10);
    assert_eq!(mlp.parameter_count(), 9610);
    // Models of different kinds can be listed together.
    let parts: [&dyn Module; 2] = [&mlp, &mlp.layers()[1]];
    assert_eq!(parts.map(|m| m.parameter_count()), [9610, 128 * 10 + 10]);
    assert_eq!(mlp.sizes(), vec![64, 128, 10]);
    let named: Vec<(String, Vec<usize>)> = mlp
        .named_params()
        .into_iter()
        .map(|(n, p)| (n, p.shape()))
        .collect();
    let expected = [
        ("0.weight", vec![64, 128]),
        ("0.bias", vec![128]),
        ("1.weight", vec![128, 10]),
        ("1.bias", vec![10]),
    ];
    assert_eq!(named.len(), 4);
    let same = mlp
        .params()
        .iter()
        .zip(mlp.named_params())
        .all(|(p, (_, q))| p.value().as_ptr() == q.value().as_ptr());
    assert!(
        same,
        "params() lists the tensors of named_params(), in order"
    );
    for ((n, s), (en, es)) in named.iter().zip(&expected) {
        assert_eq!((n.as_str(), s), (*en, es));
    }
    assert_eq!(
        mlp.describe(),
        "an Mlp with layers [64, 128, 10] and tanh activations"
    );
    let e = Mlp::<f32>::new(&[usize::MAX, 2], Activation::Tanh, 0).unwrap_err();
    assert!(e.to_string().contains("at most"), "{e}");
    for bad in [&[3][..], &[], &[2, 0, 1]] {
        let e = Mlp::<f32>::new(bad, Activation::Relu, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("sizes"), "{e}");
    }
}

#[test]
fn mlp_forward_is_the_composition_of_its_layers() {
    // y = σ(σ(x W₀ + b₀) W₁ + b₁) W₂ + b₂, computed with ndarray alone.
    let x = normal_matrix(6, 3, &mut seeded(8)).unwrap();
    type Sigma = fn(f64) -> f64;
    let sigma: [(Activation, Sigma); 4] = [
        (Activation::Tanh, f64::tanh),
        (Activation::Relu, |v| v.max(0.0)),
        (Activation::Sigmoid, |v| 1.0 / (1.0 + (-v).exp())),
        (Activation::Gelu, |v| {
            let c = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * v * (1.0 + (c * (v + 0.044715 * v * v * v)).tanh())
        }),
    ];
    for (activation, f) in sigma {
        let mlp = Mlp::<f64>::new(&[3, 5, 4, 2], activation, 9).unwrap();
        for layer in mlp.layers() {
            layer.bias.update(|b| b.fill(0.1));
        }
        let y = mlp
            .forward(&Tensor::constant(x.clone()))
            .unwrap()
            .to_array();
        let mut h = x.clone();
        for (l, layer) in mlp.layers().iter().enumerate() {
            let w = layer
                .weight
                .to_array()
                .into_dimensionality::<Ix2>()
                .unwrap();
            h = h.dot(&w) + 0.1;
            if l < 2 {
                h.mapv_inplace(f);
            }
        }
        let err = (&y.into_dimensionality::<Ix2>().unwrap() - &h)
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(err < 1e-12, "{activation:?}: {err}");
    }
}

#[test]
fn an_mlp_learns_xor() {
    // XOR: no line separates the classes (chapter 01); one hidden layer does.
    let x = Tensor::constant(array![[0.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
    let labels = [0usize, 1, 1, 0];
    let mlp: Mlp = Mlp::new(&[2, 8, 2], Activation::Tanh, 3).unwrap();
    let mut opt = Adam::new(0.05);
    let errors = |mlp: &Mlp| {
        let logits = mlp.forward(&x).unwrap().to_array();
        let predicted = logits.rows().into_iter().map(|r| usize::from(r[1] > r[0]));
        predicted.zip(labels).filter(|(p, t)| p != t).count()
    };
    assert!(
        errors(&mlp) > 0,
        "the untrained network must not already solve XOR"
    );
    for _ in 0..200 {
        let loss = mlp.forward(&x).unwrap().cross_entropy(&labels).unwrap();
        loss.backward().unwrap();
        opt.step(&mlp.params()).unwrap();
    }
    let loss = mlp.forward(&x).unwrap().cross_entropy(&labels).unwrap();
    println!("XOR after 200 Adam steps: loss {}", loss.item().unwrap());
    assert_eq!(errors(&mlp), 0);
}

#[test]
fn embedding_rows_and_their_gradient() {
    let emb = Embedding::<f64>::new(5, 3, &mut seeded(1)).unwrap();
    let table = emb.weight.to_array();
    let x = emb.forward_ids(&[4, 0, 4]).unwrap();
    for (r, id) in [4, 0, 4].into_iter().enumerate() {
        assert_eq!(
            x.value().index_axis(Axis(0), r),
            table.index_axis(Axis(0), id)
        );
    }
    // L = Σ x: row 4 was looked up twice, row 0 once, the others never.
    x.sum().backward().unwrap();
    let g = emb.weight.grad().unwrap();
    let counts = [1.0, 0.0, 0.0, 0.0, 2.0];
    for (row, c) in g.outer_iter().zip(counts) {
        assert!(row.iter().all(|&v| v == c));
    }
    let e = emb.forward_ids(&[1, 5]).unwrap_err().to_string();
    assert!(
        e.contains("token id 1") && e.contains("below the vocabulary size 5"),
        "{e}"
    );
    assert_eq!(emb.describe(), "an Embedding of 5 tokens in 3 dimensions");
}

#[test]
fn layer_norm_against_its_formula() {
    let norm = LayerNorm::<f64>::new(4).unwrap();
    norm.gamma
        .set_value(array![1.0, 2.0, 0.5, -1.0].into_dyn())
        .unwrap();
    norm.beta
        .set_value(array![0.0, 1.0, 0.0, 3.0].into_dyn())
        .unwrap();
    let x = array![[1.0, 2.0, 3.0, 6.0], [-1.0, 0.0, 0.0, 1.0]];
    let y = norm
        .forward(&Tensor::constant(x.clone()))
        .unwrap()
        .to_array();
    for (row, out) in x.outer_iter().zip(y.outer_iter()) {
        let mu = row.sum() / 4.0;
        let var = row.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / 4.0;
        for j in 0..4 {
            let gamma = [1.0, 2.0, 0.5, -1.0][j];
            let beta = [0.0, 1.0, 0.0, 3.0][j];
            let expected = gamma * (row[j] - mu) / (var + 1e-5).sqrt() + beta;
            assert!((out[j] - expected).abs() < 1e-12);
        }
    }
    let e = norm
        .forward(&Tensor::constant(Array2::<f64>::zeros((2, 3))))
        .unwrap_err();
    assert!(e.to_string().contains("LayerNorm(4)"), "{e}");
    assert_eq!(norm.parameter_count(), 8);
    assert!(LayerNorm::<f32>::new(0).is_err());
}

#[test]
fn conv2d_against_a_hand_worked_case() {
    // One 2×2 filter of ones on a 3×3 image 1..9, stride 1, no padding:
    // each output is the sum of a 2×2 window, plus the bias 0.5.
    let conv = Conv2d::<f64>::new(1, 1, 2, 1, 0, &mut seeded(0)).unwrap();
    conv.weight.update(|w| w.fill(1.0));
    conv.bias.update(|b| b.fill(0.5));
    let x = ArrayD::from_shape_vec(vec![1, 1, 3, 3], (1..=9).map(f64::from).collect()).unwrap();
    let y = conv.forward(&Tensor::constant(x)).unwrap();
    assert_eq!(y.shape(), vec![1, 1, 2, 2]);
    let expected = [
        1.0 + 2.0 + 4.0 + 5.0,
        2.0 + 3.0 + 5.0 + 6.0,
        4.0 + 5.0 + 7.0 + 8.0,
        28.0,
    ];
    for (got, e) in y.value().iter().zip(expected) {
        assert_eq!(*got, e + 0.5);
    }
    // Padding 1 and stride 2 on 4×4: ⌊(4 + 2 − 3)/2⌋ + 1 = 2.
    let conv = Conv2d::<f32>::new(3, 8, 3, 2, 1, &mut seeded(0)).unwrap();
    let x = Tensor::constant(ArrayD::<f32>::zeros(vec![2, 3, 4, 4]));
    assert_eq!(conv.forward(&x).unwrap().shape(), vec![2, 8, 2, 2]);
    let e = conv.forward(&Tensor::constant(ArrayD::<f32>::zeros(vec![2, 1, 4, 4])));
    let e = e.unwrap_err().to_string();
    assert!(
        e.contains("Conv2d(3 → 8, 3×3)") && e.contains("(2, 1, 4, 4)"),
        "{e}"
    );
    assert!(Conv2d::<f32>::new(1, 8, 3, 0, 1, &mut seeded(0)).is_err());
    assert_eq!(
        (conv.sizes(), conv.stride(), conv.padding()),
        ((3, 8, 3), 2, 1)
    );
}

// ---------------------------------------------------------------- files

/// A fresh path in the temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("mlmath-nn-{}-{name}", std::process::id()));
        std::fs::remove_file(&path).ok();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

fn bits<F: Float>(m: &impl Module<F>) -> Vec<Vec<u64>> {
    m.params()
        .iter()
        .map(|p| {
            p.value()
                .iter()
                .map(|v| Float::as_f64(*v).to_bits())
                .collect()
        })
        .collect()
}

#[test]
fn save_then_load_is_bit_exact() {
    let file = TempFile::new("roundtrip.params");
    let a: Mlp = Mlp::new(&[5, 7, 3], Activation::Gelu, 1).unwrap();
    // Values with all their bits: NaN-free but irregular.
    a.layers()[0].bias.update(|b| b.mapv_inplace(|_| 1.0 / 3.0));
    a.save(&file.0).unwrap();
    let b: Mlp = Mlp::new(&[5, 7, 3], Activation::Gelu, 2).unwrap();
    assert_ne!(bits(&a), bits(&b));
    b.load(&file.0).unwrap();
    assert_eq!(bits(&a), bits(&b));
    // f64, and a single layer.
    let c = Linear::<f64>::new(4, 2, Init::KaimingNormal, &mut seeded(1)).unwrap();
    c.save(&file.0).unwrap();
    let d = Linear::<f64>::new(4, 2, Init::KaimingNormal, &mut seeded(2)).unwrap();
    d.load(&file.0).unwrap();
    assert_eq!(bits(&c), bits(&d));
    // The header says what the file holds.
    let bytes = std::fs::read(&file.0).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.starts_with("mlmath parameters, version 1\ndtype: f64\n"),
        "{text}"
    );
    assert!(text.contains("weight: (4, 2)\nbias: (2,)\npayload: 80 bytes\nsha256: "));
}

#[test]
fn the_payload_checksum_is_the_sha256_of_the_numbers() {
    // Independently: the payload of a (2,) f32 bias [1, 2] is 8 known bytes.
    let file = TempFile::new("sha.params");
    let layer = Linear::<f32>::new(1, 2, Init::XavierUniform, &mut seeded(0)).unwrap();
    layer.weight.update(|w| w.fill(0.0));
    layer
        .bias
        .set_value(array![1.0f32, 2.0].into_dyn())
        .unwrap();
    layer.save(&file.0).unwrap();
    let bytes = std::fs::read(&file.0).unwrap();
    let payload: Vec<u8> = [0.0f32, 0.0, 1.0, 2.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert!(bytes.ends_with(&payload));
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&payload);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert!(String::from_utf8_lossy(&bytes).contains(&format!("sha256: {hex}\n\n")));
}

#[test]
fn a_flipped_byte_is_a_checksum_error_and_the_model_is_unchanged() {
    let file = TempFile::new("flipped.params");
    let a: Mlp = Mlp::new(&[3, 4, 2], Activation::Tanh, 1).unwrap();
    a.save(&file.0).unwrap();
    let mut bytes = std::fs::read(&file.0).unwrap();
    let last = bytes.len() - 5;
    bytes[last] ^= 0x01;
    std::fs::write(&file.0, &bytes).unwrap();
    let b: Mlp = Mlp::new(&[3, 4, 2], Activation::Tanh, 2).unwrap();
    let before = bits(&b);
    let e = b.load(&file.0).unwrap_err().to_string();
    assert!(e.contains("is damaged") && e.contains("SHA-256"), "{e}");
    assert!(e.contains(&file.0.display().to_string()), "{e}");
    assert_eq!(bits(&b), before, "a failed load changes nothing");
    // A truncated file too.
    std::fs::write(&file.0, &bytes[..bytes.len() - 4]).unwrap();
    let e = b.load(&file.0).unwrap_err().to_string();
    assert!(e.contains("is damaged"), "{e}");
    assert_eq!(bits(&b), before);
}

#[test]
fn another_architecture_is_a_clear_error() {
    let file = TempFile::new("arch.params");
    let a: Mlp = Mlp::new(&[64, 128, 10], Activation::Tanh, 1).unwrap();
    a.save(&file.0).unwrap();
    let b: Mlp = Mlp::new(&[64, 32, 10], Activation::Tanh, 1).unwrap();
    let before = bits(&b);
    let e = b.load(&file.0).unwrap_err().to_string();
    assert!(
        e.contains("was saved from an Mlp with layers [64, 128, 10]")
            && e.contains("this model is an Mlp with layers [64, 32, 10]")
            && e.contains("0.weight is (64, 128) in the file and (64, 32) in the model"),
        "{e}"
    );
    assert_eq!(bits(&b), before);
    // More layers: the count differs.
    let c: Mlp = Mlp::new(&[64, 128, 10, 10], Activation::Tanh, 1).unwrap();
    let e = c.load(&file.0).unwrap_err().to_string();
    assert!(e.contains("the file has 4 parameters, the model 6"), "{e}");
    // Another precision.
    let d = Mlp::<f64>::new(&[64, 128, 10], Activation::Tanh, 1).unwrap();
    let e = d.load(&file.0).unwrap_err().to_string();
    assert!(
        e.contains("holds f32 parameters, and this model computes in f64"),
        "{e}"
    );
}

#[test]
fn a_missing_or_foreign_file_is_a_clear_error() {
    let missing = TempFile::new("missing.params");
    let a: Mlp = Mlp::new(&[2, 2], Activation::Tanh, 1).unwrap();
    let e = a.load(&missing.0).unwrap_err().to_string();
    assert!(
        e.contains(&missing.0.display().to_string()) && e.contains("no such file"),
        "{e}"
    );
    let foreign = TempFile::new("foreign.params");
    std::fs::write(&foreign.0, b"hello\n\nworld").unwrap();
    let e = a.load(&foreign.0).unwrap_err().to_string();
    assert!(e.contains("is not an mlmath parameter file"), "{e}");
    std::fs::write(&foreign.0, b"mlmath parameters, version 9\n\n").unwrap();
    let e = a.load(&foreign.0).unwrap_err().to_string();
    assert!(e.contains("version 9"), "{e}");
    std::fs::write(&foreign.0, [0xff, 0xfe, 0x00]).unwrap();
    assert!(a.load(&foreign.0).is_err());
    // Saving into a folder that does not exist names the file.
    let nowhere = std::env::temp_dir().join("mlmath-no-such-folder/x.params");
    let e = a.save(&nowhere).unwrap_err().to_string();
    assert!(
        e.contains("could not be written") && e.contains("x.params"),
        "{e}"
    );
}

/// A model whose parameter names the format cannot hold.
struct BadNames(Tensor<f32>);

impl Module<f32> for BadNames {
    fn named_params(&self) -> Vec<(String, Tensor<f32>)> {
        vec![("my weight".to_string(), self.0.clone())]
    }
}

#[test]
fn names_the_format_cannot_hold_are_refused() {
    let file = TempFile::new("names.params");
    let m = BadNames(Tensor::param(array![1.0f32]));
    let e = m.save(&file.0).unwrap_err().to_string();
    assert!(e.contains("\"my weight\""), "{e}");
    assert!(m.describe().contains("my weight (1,)"));
}
