use std::slice::from_ref;

use ndarray::{ArrayD, arr1, array};

use super::*;
use crate::autodiff::Tensor;

/// `f(w) = ½ a Σ w²`, whose gradient is `a w`; backward fills it into `w`.
fn quadratic_backward(w: &Tensor<f64>, a: f64) {
    let loss = w.square().mul(&Tensor::scalar(0.5 * a)).unwrap().sum();
    loss.backward().unwrap();
}

/// Backward of `L = Σ c ⊙ w`: the gradient of `w` is `c`.
fn linear_backward(w: &Tensor<f64>, c: &ArrayD<f64>) {
    let loss = w.mul(&Tensor::constant(c.clone())).unwrap().sum();
    loss.backward().unwrap();
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn sgd_on_a_quadratic_follows_the_closed_form() {
    // w_t = (1 − η a)^t w_0 for f(w) = ½ a w².
    let (a, lr) = (3.0, 0.1);
    let w0 = arr1(&[1.0, -2.0, 0.5]);
    let w = Tensor::param(w0.clone());
    let mut opt = Sgd::new(lr);
    for t in 1..=20 {
        quadratic_backward(&w, a);
        opt.step(from_ref(&w)).unwrap();
        let factor = (1.0 - lr * a).powi(t);
        for (got, start) in w.value().iter().zip(&w0) {
            assert!(
                close(*got, factor * start, 1e-12),
                "t={t}: {got} vs {}",
                factor * start
            );
        }
    }
}

#[test]
fn sgd_weight_decay_adds_lambda_p_to_the_gradient() {
    // g + λw = (a + λ) w: the closed form with a + λ in place of a.
    let (a, lr, wd) = (2.0, 0.05, 0.5);
    let w = Tensor::param(arr1(&[4.0]));
    let mut opt = Sgd::new(lr).weight_decay(wd);
    for t in 1..=10 {
        quadratic_backward(&w, a);
        opt.step(from_ref(&w)).unwrap();
        let expected = (1.0 - lr * (a + wd)).powi(t) * 4.0;
        assert!(close(w.value()[[0]], expected, 1e-12), "t={t}");
    }
}

#[test]
fn momentum_matches_the_recurrence_unrolled_by_hand() {
    // a = 2, η = 0.1, μ = 0.9, w₀ = 1; g = a w:
    //   g₁ = 2,    v₁ = 2,                  w₁ = 1 − 0.2     = 0.8
    //   g₂ = 1.6,  v₂ = 0.9·2 + 1.6 = 3.4,  w₂ = 0.8 − 0.34  = 0.46
    //   g₃ = 0.92, v₃ = 0.9·3.4 + 0.92 = 3.98, w₃ = 0.46 − 0.398 = 0.062
    let w = Tensor::param(arr1(&[1.0]));
    let mut opt = Sgd::new(0.1).momentum(0.9);
    for expected in [0.8, 0.46, 0.062] {
        quadratic_backward(&w, 2.0);
        opt.step(from_ref(&w)).unwrap();
        assert!(
            close(w.value()[[0]], expected, 1e-12),
            "{} vs {expected}",
            w.value()[[0]]
        );
    }
}

#[test]
fn sgd_in_f32() {
    let w = Tensor::<f32>::param(arr1(&[1.0f32]));
    w.square().sum().backward().unwrap(); // g = 2w = 2
    Sgd::new(0.25).step(from_ref(&w)).unwrap();
    assert_eq!(w.value()[[0]], 0.5);
}

#[test]
fn adam_first_step_moves_each_entry_by_lr_against_its_sign() {
    // m̂₁ = g, v̂₁ = g²: the step is η g / (|g| + ε) = η sign(g) (1 − ε/|g| + …).
    let lr = 0.01;
    let c = arr1(&[3.0, -0.001, 1000.0, -7.0]).into_dyn();
    let w0 = arr1(&[0.5, 0.5, -1.0, 2.0]).into_dyn();
    let w = Tensor::param(w0.clone());
    linear_backward(&w, &c);
    Adam::new(lr).step(from_ref(&w)).unwrap();
    for ((got, start), g) in w.value().iter().zip(&w0).zip(&c) {
        let moved = got - start;
        let tol = lr * 1e-8 / g.abs() * 1.01 + 1e-15;
        assert!(
            (moved + lr * g.signum()).abs() <= tol,
            "g = {g}: moved {moved}"
        );
    }
}

/// Kingma & Ba (2015), Algorithm 1, for one scalar: an independent copy.
fn adam_by_hand(a: f64, w0: f64, lr: f64, wd: f64, steps: usize) -> Vec<f64> {
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
    let (mut w, mut m, mut v) = (w0, 0.0, 0.0);
    let mut out = Vec::new();
    for t in 1..=steps as i32 {
        let g = a * w;
        w -= lr * wd * w; // decoupled decay, on the weight before the step
        m = b1 * m + (1.0 - b1) * g;
        v = b2 * v + (1.0 - b2) * g * g;
        let m_hat = m / (1.0 - b1.powi(t));
        let v_hat = v / (1.0 - b2.powi(t));
        w -= lr * m_hat / (v_hat.sqrt() + eps);
        out.push(w);
    }
    out
}

#[test]
fn adam_iterates_match_the_paper_s_algorithm() {
    let (a, w0, lr) = (4.0, 1.5, 0.1);
    // Step 1 written out: g = 6, m̂ = 6, v̂ = 36, w₁ = 1.5 − 0.1·6/(6 + 1e-8).
    let expected = adam_by_hand(a, w0, lr, 0.0, 5);
    assert!(close(expected[0], 1.5 - 0.1 * 6.0 / (6.0 + 1e-8), 1e-15));
    let w = Tensor::param(arr1(&[w0]));
    let mut opt = Adam::new(lr);
    for e in expected {
        quadratic_backward(&w, a);
        opt.step(from_ref(&w)).unwrap();
        assert!(close(w.value()[[0]], e, 1e-12), "{} vs {e}", w.value()[[0]]);
    }
}

#[test]
fn adamw_decay_is_decoupled() {
    // With a zero gradient the moments stay 0, so only the decay acts:
    // w ← w (1 − η λ), exactly.
    let (lr, wd) = (0.01, 0.1);
    let w = Tensor::param(arr1(&[2.0, -3.0]));
    let mut opt = Adam::new(lr).weight_decay(wd);
    let mut expected = [2.0, -3.0];
    for _ in 0..3 {
        linear_backward(&w, &arr1(&[0.0, 0.0]).into_dyn());
        opt.step(from_ref(&w)).unwrap();
        expected = expected.map(|e| e * (1.0 - lr * wd));
        assert_eq!(w.value().as_slice().unwrap(), &expected);
    }
    // With a gradient: the paper's steps plus the decay, which never enters
    // m or v (coupled L2 would put λw into g and change the step size).
    let (a, w0) = (4.0, 1.5);
    let w = Tensor::param(arr1(&[w0]));
    let mut opt = Adam::new(lr).weight_decay(wd);
    for e in adam_by_hand(a, w0, lr, wd, 4) {
        quadratic_backward(&w, a);
        opt.step(from_ref(&w)).unwrap();
        assert!(close(w.value()[[0]], e, 1e-12), "{} vs {e}", w.value()[[0]]);
    }
}

#[test]
fn a_step_takes_the_gradients_and_skips_parameters_without_one() {
    let w = Tensor::param(arr1(&[1.0]));
    let unused = Tensor::param(arr1(&[5.0, 6.0]));
    quadratic_backward(&w, 1.0);
    let mut opt = Adam::new(0.1);
    opt.step(&[w.clone(), unused.clone()]).unwrap();
    assert!(w.grad().is_none(), "the step takes the gradient out");
    assert_eq!(unused.value().as_slice().unwrap(), &[5.0, 6.0]);
    // Without a new backward, a second step changes nothing.
    let before = w.value()[[0]];
    opt.step(&[w.clone(), unused.clone()]).unwrap();
    assert_eq!(w.value()[[0]], before);
}

#[test]
fn bad_hyperparameters_are_errors_at_the_step_and_keep_the_gradient() {
    let w = Tensor::param(arr1(&[1.0]));
    quadratic_backward(&w, 1.0);
    type Step = Box<dyn FnMut(&[Tensor<f64>]) -> Result<()>>;
    let cases: Vec<(Step, &str)> = vec![
        (Box::new(|p| Sgd::new(0.0).step(p)), "learning rate"),
        (Box::new(|p| Sgd::new(f64::NAN).step(p)), "learning rate"),
        (Box::new(|p| Sgd::new(-1.0).step(p)), "learning rate"),
        (
            Box::new(|p| Sgd::new(0.1).momentum(1.0).step(p)),
            "momentum",
        ),
        (
            Box::new(|p| Sgd::new(0.1).weight_decay(-1.0).step(p)),
            "weight decay",
        ),
        (
            Box::new(|p| Adam::new(f64::INFINITY).step(p)),
            "learning rate",
        ),
        (Box::new(|p| Adam::new(0.1).betas(1.0, 0.999).step(p)), "β₁"),
        (Box::new(|p| Adam::new(0.1).betas(0.9, -0.1).step(p)), "β₂"),
        (Box::new(|p| Adam::new(0.1).eps(0.0).step(p)), "ε"),
        (
            Box::new(|p| Adam::new(0.1).weight_decay(f64::NAN).step(p)),
            "weight decay",
        ),
    ];
    for (mut step, name) in cases {
        let e = step(from_ref(&w)).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
        assert!(w.grad().is_some(), "a failed step keeps the gradient");
    }
    let mut opt = Sgd::new(0.1);
    opt.set_lr(0.0);
    assert!(opt.step(from_ref(&w)).is_err());
    assert_eq!(w.value()[[0]], 1.0);
}

#[test]
fn the_parameter_list_must_keep_its_length_shapes_and_precision() {
    let w = Tensor::param(arr1(&[1.0]));
    let u = Tensor::param(array![[1.0, 2.0]]);
    let mut opt = Sgd::new(0.1).momentum(0.5);
    quadratic_backward(&w, 1.0);
    opt.step(from_ref(&w)).unwrap();
    let e = opt.step(&[w.clone(), u.clone()]).unwrap_err().to_string();
    assert!(
        e.contains("1 parameters, as at the first step") && e.contains("got 2"),
        "{e}"
    );
    let e = opt.step(from_ref(&u)).unwrap_err().to_string();
    assert!(
        e.contains("(1,), as at the first step") && e.contains("(1, 2)"),
        "{e}"
    );
    let e = opt.step::<f64>(&[]).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    let w32 = Tensor::<f32>::param(arr1(&[1.0f32]));
    let e = opt.step(&[w32]).unwrap_err().to_string();
    assert!(e.contains("precision") && e.contains("f32"), "{e}");
}

#[test]
fn a_nan_gradient_is_an_error_and_nothing_moves() {
    let w = Tensor::param(arr1(&[1.0]));
    let u = Tensor::param(arr1(&[2.0]));
    quadratic_backward(&w, 1.0);
    linear_backward(&u, &arr1(&[f64::NAN]).into_dyn());
    let e = Adam::new(0.1)
        .step(&[w.clone(), u.clone()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("parameter 1") && e.contains("NaN"), "{e}");
    assert_eq!((w.value()[[0]], u.value()[[0]]), (1.0, 2.0));
    assert!(
        w.grad().is_some() && u.grad().is_some(),
        "the gradients are put back"
    );
}

#[test]
fn clipping_a_hand_worked_case() {
    // ‖(1, 2, 2)‖ = 3 and ‖(0, 4; 0, 0)‖ = 4: together √(9 + 16) = 5.
    let a = Tensor::param(arr1(&[0.0, 0.0, 0.0]));
    let b = Tensor::param(array![[0.0, 0.0], [0.0, 0.0]]);
    let unused = Tensor::param(arr1(&[0.0]));
    let fill = || {
        linear_backward(&a, &arr1(&[1.0, 2.0, 2.0]).into_dyn());
        linear_backward(&b, &array![[0.0, 4.0], [0.0, 0.0]].into_dyn());
    };
    fill();
    let params = [a.clone(), b.clone(), unused.clone()];
    // Below the norm: every gradient scaled by 2.5 / 5 = ½.
    assert_eq!(clip_grad_norm(&params, 2.5).unwrap(), 5.0);
    assert_eq!(a.grad().unwrap().as_slice().unwrap(), &[0.5, 1.0, 1.0]);
    assert_eq!(b.grad().unwrap().as_slice().unwrap(), &[0.0, 2.0, 0.0, 0.0]);
    assert!(unused.grad().is_none());
    // Above the norm: unchanged.
    a.zero_grad();
    b.zero_grad();
    fill();
    assert_eq!(clip_grad_norm(&params, 10.0).unwrap(), 5.0);
    assert_eq!(a.grad().unwrap().as_slice().unwrap(), &[1.0, 2.0, 2.0]);
    // No gradient at all: norm 0.
    let c = Tensor::<f64>::param(arr1(&[1.0]));
    assert_eq!(clip_grad_norm(&[c], 1.0).unwrap(), 0.0);
}

#[test]
fn clipping_huge_gradients_does_not_overflow() {
    // (3, 4)·10²⁰⁰: the squares overflow an f64, the norm 5·10²⁰⁰ does not.
    let a = Tensor::param(arr1(&[0.0, 0.0]));
    linear_backward(&a, &arr1(&[3e200, 4e200]).into_dyn());
    let norm = clip_grad_norm(from_ref(&a), 1.0).unwrap();
    assert!(close(norm, 5e200, 1e-15), "{norm}");
    let g = a.grad().unwrap();
    assert!(close(g[0], 0.6, 1e-15) && close(g[1], 0.8, 1e-15), "{g}");
}

#[test]
fn clipping_errors() {
    let a = Tensor::param(arr1(&[0.0, 0.0]));
    linear_backward(&a, &arr1(&[1.0, f64::NAN]).into_dyn());
    let e = clip_grad_norm(from_ref(&a), 1.0).unwrap_err().to_string();
    assert!(e.contains("NaN"), "{e}");
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = clip_grad_norm(from_ref(&a), bad).unwrap_err().to_string();
        assert!(e.contains("max_norm"), "{e}");
    }
}

#[test]
fn the_schedule_against_its_formula() {
    let (peak, w, total, min) = (0.1, 10, 110, 0.001);
    let s = Schedule::warmup_cosine(peak, w, total, min).unwrap();
    assert!(close(s.lr(0), peak / 10.0, 1e-15)); // the first warm-up step: η/W
    assert!(close(s.lr(4), peak * 5.0 / 10.0, 1e-15));
    assert!(close(s.lr(w - 1), peak, 1e-15)); // the end of the warm-up
    assert!(close(s.lr(w), peak, 1e-15)); // cos 0 = 1
    assert!(close(s.lr(60), (peak + min) / 2.0, 1e-12)); // halfway: cos(π/2) = 0
    // A quarter of the way: min + ½(peak − min)(1 + cos(π/4)).
    let quarter = min + 0.5 * (peak - min) * (1.0 + std::f64::consts::FRAC_1_SQRT_2);
    assert!(close(s.lr(35), quarter, 1e-12));
    assert_eq!(s.lr(total), min); // the end
    assert_eq!(s.lr(total + 1000), min);
    assert!(s.lr(total - 1) > min);
    // Without warm-up the first step is at the peak.
    assert_eq!(Schedule::warmup_cosine(0.5, 0, 10, 0.0).unwrap().lr(0), 0.5);
    // Warm-up only: the peak until T, then the minimum.
    let s = Schedule::warmup_cosine(0.5, 4, 4, 0.1).unwrap();
    assert_eq!((s.lr(3), s.lr(4)), (0.5, 0.1));
}

#[test]
fn schedule_errors() {
    let cases = [
        (0.0, 1, 10, 0.0, "peak_lr"),
        (f64::NAN, 1, 10, 0.0, "peak_lr"),
        (0.1, 1, 10, 0.2, "min_lr"),
        (0.1, 1, 10, -0.1, "min_lr"),
        (0.1, 11, 10, 0.0, "total_steps"),
        (0.1, 0, 0, 0.0, "total_steps"),
    ];
    for (peak, w, t, min, name) in cases {
        let e = Schedule::warmup_cosine(peak, w, t, min)
            .unwrap_err()
            .to_string();
        assert!(e.contains(name), "{e}");
    }
}

#[test]
fn parameters_in_column_major_layout_update_entry_by_entry() {
    // w is stored transposed (column-major); the update must still pair
    // w[i, j] with g[i, j].
    let w0 = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]].t().to_owned();
    assert!(!w0.is_standard_layout());
    let c = array![[1.0, -1.0, 0.5], [2.0, 0.0, -3.0]];
    for adam in [false, true] {
        let w = Tensor::param(w0.clone());
        linear_backward(&w, &c.clone().into_dyn());
        if adam {
            Adam::new(0.1).step(from_ref(&w)).unwrap();
        } else {
            Sgd::new(0.1).step(from_ref(&w)).unwrap();
        }
        for ((i, j), &c) in c.indexed_iter() {
            // SGD: w − η c. Adam's first step: w − η sign(c) (0 where c = 0).
            let step = if adam {
                0.1 * c.signum() * f64::from(c != 0.0)
            } else {
                0.1 * c
            };
            let got = w.value()[[i, j]];
            assert!(
                (got - (w0[[i, j]] - step)).abs() < 1e-7,
                "({i}, {j}): {got}"
            );
        }
    }
}
