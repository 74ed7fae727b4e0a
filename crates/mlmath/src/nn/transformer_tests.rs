//! Tests of attention and the transformer against independent answers:
//! loops written out, central differences, closed forms.

use ndarray::{Array2, ArrayD, IxDyn};

use super::*;
use crate::autodiff::tests::random;
use crate::nn::{SHIPPED_COMMAND, SHIPPED_FILE, ShippedRecord, shipped_transformer_from};
use crate::optim::Adam;

/// Attention written with loops: for each query, scores, a softmax over the
/// visible keys, and the weighted sum of the values.
fn attention_by_loops(
    q: &Array2<f64>,
    k: &Array2<f64>,
    v: &Array2<f64>,
    causal: bool,
) -> Array2<f64> {
    let (tq, d) = q.dim();
    let mut out = Array2::zeros((tq, v.ncols()));
    for i in 0..tq {
        let visible: Vec<usize> = (0..k.nrows()).filter(|&j| !causal || j <= i).collect();
        let s: Vec<f64> = visible
            .iter()
            .map(|&j| q.row(i).dot(&k.row(j)) / (d as f64).sqrt())
            .collect();
        let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = s.iter().map(|x| (x - m).exp()).sum();
        for (&j, x) in visible.iter().zip(&s) {
            let w = (x - m).exp() / z;
            out.row_mut(i).scaled_add(w, &v.row(j));
        }
    }
    out
}

#[test]
fn attention_matches_loops_with_and_without_the_causal_mask() {
    let (q, k, v) = (random(&[5, 4], 1), random(&[5, 4], 2), random(&[5, 3], 3));
    for causal in [false, true] {
        let mask = causal.then(|| causal_mask(5));
        let (out, w) = attention(
            &Tensor::constant(q.clone()),
            &Tensor::constant(k.clone()),
            &Tensor::constant(v.clone()),
            mask.as_ref(),
        )
        .unwrap();
        let expected = attention_by_loops(
            &q.clone().into_dimensionality().unwrap(),
            &k.clone().into_dimensionality().unwrap(),
            &v.clone().into_dimensionality().unwrap(),
            causal,
        );
        let diff = (&out.to_array() - &expected.into_dyn())
            .mapv(f64::abs)
            .fold(0.0, |a: f64, &b| a.max(b));
        assert!(diff < 1e-12, "causal {causal}: {diff}");
        for row in w.to_array().rows() {
            assert!((row.sum() - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn attention_refuses_shapes_that_do_not_fit() {
    let t = |s: &[usize]| Tensor::constant(ArrayD::<f64>::zeros(IxDyn(s)));
    assert!(attention(&t(&[3, 4]), &t(&[3, 5]), &t(&[3, 2]), None).is_err());
    assert!(attention(&t(&[3, 4]), &t(&[3, 4]), &t(&[2, 2]), None).is_err());
    assert!(attention(&t(&[2, 3, 4]), &t(&[3, 3, 4]), &t(&[3, 3, 2]), None).is_err());
    let e = attention(&t(&[3, 4]), &t(&[3, 4]), &t(&[3, 2]), Some(&causal_mask(4)));
    assert!(e.unwrap_err().to_string().contains("mask"));
    // no key at all, and a row of the mask that hides every key: 0/0 in the softmax
    let e = attention(&t(&[3, 4]), &t(&[0, 4]), &t(&[0, 2]), None).unwrap_err();
    assert!(e.to_string().contains("tk ≥ 1"), "{e}");
    let mut hides_row_1 = causal_mask(3);
    hides_row_1[[1, 0]] = true;
    hides_row_1[[1, 1]] = true;
    let e = attention(&t(&[3, 4]), &t(&[3, 4]), &t(&[3, 2]), Some(&hides_row_1)).unwrap_err();
    assert!(e.to_string().contains("row 1"), "{e}");
}

#[test]
fn sinusoidal_positions_follow_the_formula_and_shift_by_a_rotation() {
    let (t, d) = (50, 16);
    let pe = sinusoidal_positions(t, d);
    for p in [0, 7, 49] {
        for i in 0..d / 2 {
            let w = 1.0 / 10000f64.powf(2.0 * i as f64 / d as f64);
            assert!((pe[[p, 2 * i]] - (p as f64 * w).sin()).abs() < 1e-12);
            assert!((pe[[p, 2 * i + 1]] - (p as f64 * w).cos()).abs() < 1e-12);
        }
    }
    // PE[p + k] is PE[p] turned pair by pair by the angle k·ω_i: the same for every p
    let k = 5;
    for i in 0..d / 2 {
        let w = 1.0 / 10000f64.powf(2.0 * i as f64 / d as f64);
        let (c, s) = ((k as f64 * w).cos(), (k as f64 * w).sin());
        for p in [0, 3, 30] {
            let (a, b) = (pe[[p, 2 * i]], pe[[p, 2 * i + 1]]);
            assert!((pe[[p + k, 2 * i]] - (a * c + b * s)).abs() < 1e-12);
            assert!((pe[[p + k, 2 * i + 1]] - (b * c - a * s)).abs() < 1e-12);
        }
    }
}

fn tiny(positions: Positions, tied: bool) -> Transformer<f64> {
    let config = TransformerConfig {
        positions,
        tied,
        ..TransformerConfig::new(7, 6, 8, 2, 2)
    };
    Transformer::new(config, 3).unwrap()
}

/// Every parameter's gradient against central differences of the loss,
/// at a few entries of each (the loss is a sum over positions, so an error
/// in any op of any block shows).
#[test]
fn transformer_gradients_match_central_differences() {
    for (positions, tied) in [(Positions::Learned, true), (Positions::Sinusoidal, false)] {
        let model = tiny(positions, tied);
        // move the weights off their small start so every path carries weight
        for (i, p) in model.params().iter().enumerate() {
            let v = p.to_array() + random(&p.shape(), 100 + i as u64).mapv(|x| 0.3 * x);
            p.set_value(v).unwrap();
        }
        let (ids, targets) = (
            [1, 4, 2, 6, 0, 3, 5, 5, 1, 2],
            [4, 2, 6, 0, 3, 5, 1, 2, 0, 0],
        );
        let loss = |m: &Transformer<f64>| m.loss(&ids, &targets, 2, None).unwrap();
        let l = loss(&model);
        l.backward().unwrap();
        let mut worst: f64 = 0.0;
        for (name, p) in model.named_params() {
            let g = p.take_grad().unwrap();
            let base = p.to_array();
            for flat in [0, base.len() / 2, base.len() - 1] {
                let mut plus = base.clone();
                plus.as_slice_mut().unwrap()[flat] += 1e-5;
                p.set_value(plus).unwrap();
                let up = no_grad(|| loss(&model).item().unwrap());
                let mut minus = base.clone();
                minus.as_slice_mut().unwrap()[flat] -= 1e-5;
                p.set_value(minus).unwrap();
                let down = no_grad(|| loss(&model).item().unwrap());
                p.set_value(base.clone()).unwrap();
                let numeric = (up - down) / 2e-5;
                let analytic = g.as_slice().unwrap()[flat];
                let err = (numeric - analytic).abs() / numeric.abs().max(analytic.abs()).max(1e-3);
                assert!(err < 1e-6, "{name}[{flat}]: {analytic} against {numeric}");
                worst = worst.max(err);
            }
        }
        println!("{positions:?}, tied {tied}: largest relative error {worst:.1e}");
    }
}

#[test]
fn a_position_never_sees_later_tokens() {
    let model = tiny(Positions::Learned, true);
    let a = model
        .forward(&[1, 2, 3, 4, 5, 6], 1, None)
        .unwrap()
        .to_array();
    let b = model
        .forward(&[1, 2, 3, 0, 0, 0], 1, None)
        .unwrap()
        .to_array();
    for t in 0..3 {
        for v in 0..7 {
            assert_eq!(a[[0, t, v]], b[[0, t, v]]);
        }
    }
    assert_ne!(a[[0, 3, 0]], b[[0, 3, 0]]);
}

/// `−ln P(seq[p] | seq[s..p])` by a forward pass on the window alone.
fn surprise(model: &Transformer<f64>, window: &[usize], next: usize) -> f64 {
    let logits = model.forward(window, 1, None).unwrap().to_array();
    let row: Vec<f64> = (0..7).map(|v| logits[[0, window.len() - 1, v]]).collect();
    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = row.iter().map(|x| (x - m).exp()).sum();
    -(row[next] - m - z.ln())
}

#[test]
fn nats_per_char_is_the_mean_surprise_with_half_a_context_at_least() {
    let model = tiny(Positions::Learned, true);
    let seq: Vec<usize> = (0..40).map(|i| (i * i + 3 * i) % 7).collect();
    let (c, half) = (6, 3);
    let last = seq.len() - 1 - c;
    let mut total = 0.0;
    for p in 1..seq.len() {
        // the window that scores position p: the first whose end reaches it
        let s = if p <= c {
            0
        } else {
            ((p - c).div_ceil(half) * half).min(last)
        };
        assert!(p <= c || p - s >= half);
        total += surprise(&model, &seq[s..p], seq[p]);
    }
    let expected = total / (seq.len() - 1) as f64;
    let got = model.nats_per_char(&seq).unwrap();
    assert!((got - expected).abs() < 1e-12, "{got} against {expected}");
    // a sequence within the context: the loss of one forward pass
    let short = &seq[..5];
    let loss = model
        .loss(&short[..4], &short[1..], 1, None)
        .unwrap()
        .item()
        .unwrap();
    assert!((model.nats_per_char(short).unwrap() - loss).abs() < 1e-12);
    assert!(model.nats_per_char(&seq[..1]).is_err());
    assert!(model.nats_per_char(&[1, 9]).is_err());
}

#[test]
fn generation_is_seeded_and_cold_sampling_is_greedy() {
    let model = tiny(Positions::Learned, true);
    let a = model.generate(&[1, 2], 12, 1.0, 5).unwrap();
    assert_eq!(a.len(), 12);
    assert_eq!(a, model.generate(&[1, 2], 12, 1.0, 5).unwrap());
    // at a tiny temperature each draw is the most likely token
    let cold = model.generate(&[1, 2], 4, 1e-6, 9).unwrap();
    let mut seq = vec![1, 2];
    for &next in &cold {
        let window = &seq[seq.len().saturating_sub(6)..];
        let logits = model.forward(window, 1, None).unwrap().to_array();
        let best = (0..7)
            .max_by(|&x, &y| {
                logits[[0, window.len() - 1, x]].total_cmp(&logits[[0, window.len() - 1, y]])
            })
            .unwrap();
        assert_eq!(next, best);
        seq.push(next);
    }
    // so small that the logits divided by it overflow: still the most likely token
    assert_eq!(model.generate(&[1, 2], 4, 1e-320, 3).unwrap(), cold);
    assert!(model.generate(&[], 3, 1.0, 0).is_err());
    assert!(model.generate(&[1], 3, 0.0, 0).is_err());
    assert!(model.generate(&[8], 3, 1.0, 0).is_err());
}

#[test]
fn bad_configurations_and_inputs_are_errors() {
    let ok = TransformerConfig::new(7, 6, 8, 2, 1);
    for bad in [
        TransformerConfig {
            heads: 3,
            ..ok.clone()
        },
        TransformerConfig {
            vocab: 0,
            ..ok.clone()
        },
        TransformerConfig {
            layers: 0,
            ..ok.clone()
        },
        TransformerConfig {
            dropout: 1.0,
            ..ok.clone()
        },
    ] {
        assert!(Transformer::<f32>::new(bad, 0).is_err());
    }
    let model: Transformer<f32> = Transformer::new(ok, 0).unwrap();
    let e = model.forward(&[1; 7], 1, None).unwrap_err().to_string();
    assert!(e.contains("context = 6"), "{e}");
    assert!(model.forward(&[1, 2, 3], 2, None).is_err());
    assert!(
        model
            .forward(&[1, 7], 1, None)
            .unwrap_err()
            .to_string()
            .contains("position 1")
    );
    assert!(model.loss(&[1, 2], &[1], 1, None).is_err());
}

#[test]
fn a_checkpoint_of_another_configuration_is_refused_naming_both() {
    let path = std::env::temp_dir().join("mlmath-test-transformer.params");
    let a: Transformer<f32> = Transformer::new(TransformerConfig::new(7, 6, 8, 2, 1), 0).unwrap();
    a.save(&path).unwrap();
    let b: Transformer<f32> = Transformer::new(TransformerConfig::new(7, 6, 8, 2, 2), 1).unwrap();
    let e = b.load(&path).unwrap_err().to_string();
    assert!(e.contains("1 layers") && e.contains("2 layers"), "{e}");
    let c: Transformer<f32> = Transformer::new(TransformerConfig::new(7, 6, 8, 2, 1), 1).unwrap();
    c.load(&path).unwrap();
    assert_eq!(c.tokens.weight.to_array(), a.tokens.weight.to_array());
    std::fs::remove_file(&path).ok();
}

#[test]
fn adam_resumed_from_its_moments_continues_the_same_run() {
    let run = |split: Option<usize>| {
        let model = tiny(Positions::Learned, true);
        let mut opt = Adam::new(1e-2).weight_decay(0.1);
        for step in 0..6 {
            if split == Some(step) {
                let saved = opt.moments::<f64>().unwrap();
                opt = Adam::new(1e-2).weight_decay(0.1);
                opt.set_moments(&model.params(), saved).unwrap();
            }
            let l = model.loss(&[1, 2, 3, 4], &[2, 3, 4, 5], 1, None).unwrap();
            l.backward().unwrap();
            opt.step(&model.params()).unwrap();
        }
        model.tokens.weight.to_array()
    };
    let straight = run(None);
    assert_eq!(straight, run(Some(3)));
    let model = tiny(Positions::Learned, true);
    let mut opt = Adam::new(1e-2);
    assert!(opt.set_moments(&model.params(), vec![]).is_err());
    // a step from fresh moments differs: the test above can fail
    let fresh = {
        let l = model.loss(&[1, 2, 3, 4], &[2, 3, 4, 5], 1, None).unwrap();
        l.backward().unwrap();
        opt.step(&model.params()).unwrap();
        model.tokens.weight.to_array()
    };
    assert_ne!(fresh, straight);
}

#[test]
fn a_training_record_reads_back_and_a_damaged_one_is_refused() {
    let record = ShippedRecord {
        config: TransformerConfig::new(83, 128, 128, 4, 4).to_string(),
        parameters: 820_352,
        steps: 4000,
        kept_step: 3750,
        batch: 32,
        settings: "AdamW".into(),
        seconds: 5000.5,
        val_sample_chars: 16384,
        curve: vec![(250, 2.77, 2.43), (500, 2.1, 1.9)],
        val_nats: 1.31,
        test_nats: 1.35,
    };
    let text = record.to_text();
    assert_eq!(ShippedRecord::parse(&text).unwrap(), record);
    let damaged = text.replace("steps: 4000", "steps: many");
    assert!(
        ShippedRecord::parse(&damaged)
            .unwrap_err()
            .contains("steps")
    );
    assert!(ShippedRecord::parse("").is_err());
    let short = text.replace("500, 2.1, 1.9", "500, 2.1");
    assert!(ShippedRecord::parse(&short).is_err());
    // a version 1 record has no kept step: it kept the last
    let old = text
        .replace("version 2", "version 1")
        .replace("kept step: 3750\n", "");
    let read = ShippedRecord::parse(&old).unwrap();
    assert_eq!((read.steps, read.kept_step), (4000, 4000));
    assert!(ShippedRecord::parse(&text.replace("version 2", "version 1")).is_err());
}

#[test]
fn a_missing_shipped_checkpoint_names_the_file_the_checksum_and_the_command() {
    let path = std::env::temp_dir().join("mlmath-no-such-checkpoint.params");
    let e = shipped_transformer_from(&path).unwrap_err().to_string();
    assert!(e.contains("mlmath-no-such-checkpoint.params"), "{e}");
    assert!(e.contains(SHIPPED_COMMAND), "{e}");
    // once the checkpoint is listed, the message gives the checksum it expects
    if let Some(expected) = crate::data::checksums().unwrap().get(SHIPPED_FILE) {
        assert!(e.contains(expected.as_str()), "{e}");
        let copy = std::env::temp_dir().join("mlmath-damaged-checkpoint.params");
        let mut bytes = std::fs::read(crate::data::data_dir().join(SHIPPED_FILE)).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&copy, bytes).unwrap();
        let e = shipped_transformer_from(&copy).unwrap_err().to_string();
        assert!(
            e.contains("damaged") && e.contains(expected.as_str()),
            "{e}"
        );
        std::fs::remove_file(&copy).ok();
    }
}

/// The loss of `model` through the unfused attention (slices, reshapes,
/// transposes, masked softmax: `forward_with_weights`) in every block,
/// written out as the transformer's forward pass without dropout.
fn loss_unfused<F: Float>(
    model: &Transformer<F>,
    ids: &[usize],
    targets: &[usize],
    b: usize,
) -> Tensor<F> {
    let (t, d) = (ids.len() / b, model.config().d_model);
    let mut x = model.tokens.forward_ids(ids).unwrap().reshape(&[b, t, d]);
    x = x.and_then(|x| x.add(&model.positions.as_ref().unwrap().slice_axis(0, 0, t)?));
    let mut x = x.unwrap();
    for block in &model.blocks {
        let (a, _) = block
            .attn
            .forward_with_weights(&block.ln1.forward(&x).unwrap(), true)
            .unwrap();
        x = x.add(&a).unwrap();
        let h = block.fc1.forward(&block.ln2.forward(&x).unwrap()).unwrap();
        x = x.add(&block.fc2.forward(&h.gelu()).unwrap()).unwrap();
    }
    let x = model.ln_f.forward(&x).unwrap();
    let logits = x
        .matmul(&model.tokens.weight.transpose(0, 1).unwrap())
        .unwrap();
    let v = model.config().vocab;
    logits
        .reshape(&[ids.len(), v])
        .unwrap()
        .cross_entropy(targets)
        .unwrap()
}

/// The fused causal attention the blocks use gives the loss and every
/// parameter's gradient of the unfused chain, in f32 and f64.
#[test]
fn fused_attention_gives_the_loss_and_gradients_of_the_unfused_chain() {
    fn compare<F: Float>(tol: f64) {
        let config = TransformerConfig::new(11, 16, 24, 3, 2);
        let model = Transformer::<F>::new(config, 5).unwrap();
        // weights off their small start, so that attention is far from uniform
        for (i, p) in model.params().iter().enumerate() {
            let v = random(&p.shape(), 300 + i as u64).mapv(|x| F::of(0.3 * x));
            p.set_value(p.to_array() + v).unwrap();
        }
        let b = 3;
        let ids: Vec<usize> = (0..b * 16).map(|i| (i * 7 + i / 5) % 11).collect();
        let targets: Vec<usize> = (0..b * 16).map(|i| (i * 3 + 1) % 11).collect();
        let run = |fused: bool| {
            let loss = if fused {
                model.loss(&ids, &targets, b, None).unwrap()
            } else {
                loss_unfused(&model, &ids, &targets, b)
            };
            loss.backward().unwrap();
            let grads: Vec<ArrayD<f64>> = model
                .params()
                .iter()
                .map(|p| p.take_grad().unwrap().mapv(|v| v.as_f64()))
                .collect();
            (loss.item().unwrap().as_f64(), grads)
        };
        let ((fused, gf), (unfused, gu)) = (run(true), run(false));
        let loss_error = (fused - unfused).abs() / unfused.abs();
        assert!(
            loss_error < tol,
            "{}: loss {fused} against {unfused}",
            F::NAME
        );
        let mut worst: f64 = 0.0;
        for (name, (a, b)) in model.named_params().iter().zip(gf.iter().zip(&gu)) {
            let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let diff = (a - b).iter().fold(0.0f64, |m, v| m.max(v.abs())) / scale;
            assert!(diff < tol, "{}: {}: {diff:e}", F::NAME, name.0);
            worst = worst.max(diff);
        }
        println!("{}: loss {loss_error:.1e}, gradients {worst:.1e}", F::NAME);
    }
    compare::<f32>(1e-5);
    compare::<f64>(1e-12);
}
