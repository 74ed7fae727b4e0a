use super::*;
use crate::random::seeded;
use crate::table::ShowTable;

/// "abacab" as ids over {a, b, c} = {0, 1, 2}. By hand:
/// unigrams a 3, b 2, c 1 (N = 6); bigrams ab 2, ba 1, ac 1, ca 1; as contexts
/// c(a) = 3 (followers b, c), c(b) = 1 (the final b has no follower; b occurs twice),
/// c(c) = 1; trigrams aba, bac, aca, cab once each, c(ab) = 1 (the final ab has none).
const ABACAB: [usize; 6] = [0, 1, 0, 2, 0, 1];

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn assert_probs(model: &NGram, context: &[usize], s: Smoothing, expected: [f64; 3]) {
    for (x, &e) in expected.iter().enumerate() {
        let p = model.prob(context, x, s).unwrap();
        assert!(
            close(p, e, 1e-12),
            "P({x} | {context:?}) under {s}: {p}, expected {e}"
        );
    }
}

#[test]
fn counts_of_a_hand_worked_text() {
    let m = NGram::fit(&ABACAB, 3, 3).unwrap();
    assert_eq!([m.count(&[0]), m.count(&[1]), m.count(&[2])], [3, 2, 1]);
    assert_eq!(
        [m.count(&[0, 1]), m.count(&[1, 0]), m.count(&[1, 1])],
        [2, 1, 0]
    );
    assert_eq!(m.count(&[2, 0, 1]), 1);
    assert_eq!(m.context_count(&[]), 6);
    assert_eq!([m.context_count(&[0]), m.context_count(&[1])], [3, 1]);
    assert_eq!(m.context_count(&[0, 1]), 1);
    assert_eq!(
        [m.distinct(1), m.distinct(2), m.distinct(3), m.distinct(4)],
        [3, 4, 4, 0]
    );
}

#[test]
fn add_k_by_hand() {
    let m = NGram::fit(&ABACAB, 3, 2).unwrap();
    let s = Smoothing::AddK(0.5);
    // After b: a once, c(b) = 1 (not 2, the count of b as a unigram):
    // (1 + 0.5) / (1 + 1.5) = 0.6, (0 + 0.5) / 2.5 = 0.2 twice.
    assert_probs(&m, &[1], s, [0.6, 0.2, 0.2]);
    // After a: b twice, c once, c(a) = 3: (0.5, 2.5, 1.5) / 4.5.
    assert_probs(&m, &[0], s, [1.0 / 9.0, 5.0 / 9.0, 3.0 / 9.0]);
    // The empty context (start of a sequence) uses the unigrams: (3.5, 2.5, 1.5) / 7.5.
    assert_probs(&m, &[], s, [3.5 / 7.5, 2.5 / 7.5, 1.5 / 7.5]);
    // A longer context is cut to its last id.
    assert_probs(&m, &[2, 2, 1], s, [0.6, 0.2, 0.2]);
    // Order 1 ignores the context: (c(x) + 1) / (6 + 3).
    let u = NGram::fit(&ABACAB, 3, 1).unwrap();
    assert_probs(
        &u,
        &[1],
        Smoothing::AddK(1.0),
        [4.0 / 9.0, 3.0 / 9.0, 2.0 / 9.0],
    );
}

#[test]
fn witten_bell_by_hand() {
    let s = Smoothing::WittenBell;
    // Level 0: (c(x) + T(ε)/V) / (N + T(ε)) = (c(x) + 1) / 9: 4/9, 3/9, 2/9.
    let u = NGram::fit(&ABACAB, 3, 1).unwrap();
    assert_probs(&u, &[], s, [4.0 / 9.0, 3.0 / 9.0, 2.0 / 9.0]);
    let m = NGram::fit(&ABACAB, 3, 3).unwrap();
    // After b: c(b) = 1, T(b) = 1: ((1, 0, 0) + (4/9, 3/9, 2/9)) / 2 = (13, 3, 2) / 18.
    assert_probs(&m, &[1], s, [13.0 / 18.0, 3.0 / 18.0, 2.0 / 18.0]);
    // After a: c(a) = 3, T(a) = 2: ((0, 2, 1) + 2 (4/9, 3/9, 2/9)) / 5 = (8, 24, 13) / 45.
    assert_probs(&m, &[0], s, [8.0 / 45.0, 24.0 / 45.0, 13.0 / 45.0]);
    // After ab: c(ab) = 1 (a), T = 1: ((1, 0, 0) + (13, 3, 2) / 18) / 2 = (31, 3, 2) / 36.
    assert_probs(&m, &[0, 1], s, [31.0 / 36.0, 3.0 / 36.0, 2.0 / 36.0]);
    // After bb (never seen): passes through to "after b".
    assert_probs(&m, &[1, 1], s, [13.0 / 18.0, 3.0 / 18.0, 2.0 / 18.0]);
}

#[test]
fn kneser_ney_by_hand() {
    let s = Smoothing::kneser_ney(0.5);
    // Continuation counts of the unigrams: a after b and c (2), b after a (1), c after
    // a (1); 4 distinct bigrams, 3 ids with N > 0:
    // P0(x) = (N(•x) − 0.5 + 0.5 · 3 · 1/3) / 4 = N(•x) / 4 = (0.5, 0.25, 0.25).
    let m2 = NGram::fit(&ABACAB, 3, 2).unwrap();
    // Order 2, after b (c(b) = 1, one follower a):
    // a: (1 − 0.5 + 0.5 · 1 · 0.5) / 1 = 0.75; b, c: 0.5 · 0.25 = 0.125.
    assert_probs(&m2, &[1], s, [0.75, 0.125, 0.125]);
    // Order 2, after a (c(a) = 3, followers b, c):
    // a: 0.5·2·0.5/3 = 1/6, b: (1.5 + 0.25)/3 = 7/12, c: (0.5 + 0.25)/3 = 1/4.
    assert_probs(&m2, &[0], s, [1.0 / 6.0, 7.0 / 12.0, 0.25]);
    // Order 2, empty context (start of a sequence): the top level, so counts, not
    // continuation counts: (max(c(x) − 0.5, 0) + 0.5 · 3 · 1/3) / 6 = (3, 2, 1) / 6.
    assert_probs(&m2, &[], s, [0.5, 2.0 / 6.0, 1.0 / 6.0]);
    // Order 3: the bigram level now uses continuation counts N(•ab) = N(•ba) = N(•ac) =
    // N(•ca) = 1. After a (continuation): Σ = 2, two followers:
    // a: 0.5·2·0.5/2 = 0.25, b: (0.5 + 0.5·2·0.25)/2 = 0.375, c: 0.375.
    // After b: Σ = 1, one follower: (0.75, 0.125, 0.125) as above.
    let m3 = NGram::fit(&ABACAB, 3, 3).unwrap();
    // After ab: c(ab) = 1 (a): a: 0.5 + 0.5 · 0.75 = 0.875, b, c: 0.5 · 0.125 = 0.0625.
    assert_probs(&m3, &[0, 1], s, [0.875, 0.0625, 0.0625]);
    // After ba: c(ba) = 1 (c): c: 0.5 + 0.5 · 0.375 = 0.6875, a: 0.125, b: 0.1875.
    assert_probs(&m3, &[1, 0], s, [0.125, 0.1875, 0.6875]);
    // After bb (unseen): passes through to the continuation level after b.
    assert_probs(&m3, &[1, 1], s, [0.75, 0.125, 0.125]);
}

/// A text over ids `0..5` (id 5 of a vocabulary of 6 never occurs) with some structure.
fn structured_text(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = seeded(seed);
    let mut ids = vec![0usize];
    while ids.len() < n {
        let last = *ids.last().unwrap();
        let next = if rng.random::<f64>() < 0.6 {
            (last + 1) % 5
        } else {
            rng.random_range(0..5)
        };
        ids.push(next);
    }
    ids
}

fn all_smoothings() -> [Smoothing; 6] {
    [
        Smoothing::AddK(0.01),
        Smoothing::AddK(1.0),
        Smoothing::WittenBell,
        Smoothing::kneser_ney(0.1),
        Smoothing::kneser_ney(0.75),
        Smoothing::kneser_ney(1.0),
    ]
}

/// Every context of length `len` over `0..v`.
fn all_contexts(v: usize, len: usize) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for _ in 0..len {
        out = out
            .into_iter()
            .flat_map(|c| (0..v).map(move |x| [c.clone(), vec![x]].concat()))
            .collect();
    }
    out
}

#[test]
fn every_smoothing_sums_to_one_for_seen_and_unseen_contexts() {
    let v = 6;
    let train = structured_text(400, 3);
    for order in 1..=5 {
        let m = NGram::fit(&train, v, order).unwrap();
        for s in all_smoothings() {
            let mut unseen = 0;
            for len in 0..order {
                for context in all_contexts(v, len) {
                    unseen += usize::from(m.context_count(&context) == 0);
                    let total: f64 = (0..v).map(|x| m.prob(&context, x, s).unwrap()).sum();
                    assert!(
                        close(total, 1.0, 1e-9),
                        "order {order}, {s}, {context:?}: {total}"
                    );
                    let d = m.distribution(&context, s).unwrap();
                    for (x, &px) in d.iter().enumerate() {
                        let p = m.prob(&context, x, s).unwrap();
                        assert!(close(px, p, 1e-12) && p > 0.0);
                    }
                }
            }
            // The add-k formula of a learner, from the counts, at the full context.
            if let Smoothing::AddK(k) = s {
                for context in all_contexts(v, order - 1) {
                    for x in 0..v {
                        let c_hx = m.count(&[context.as_slice(), &[x]].concat()) as f64;
                        let c_h = m.context_count(&context) as f64;
                        let p = m.prob(&context, x, s).unwrap();
                        assert!(close(p, (c_hx + k) / (c_h + k * v as f64), 1e-12));
                    }
                }
            }
            // id 5 never occurs: every context holding it is unseen.
            assert!(order == 1 || unseen > 0);
        }
    }
}

/// The counts of `w` in `text` by scanning every window, and the count of `h` as a
/// context (followed by an id): an independent count for [`reference_prob`].
fn scan(text: &[usize], w: &[usize]) -> f64 {
    text.windows(w.len().max(1))
        .filter(|s| w.is_empty() || *s == w)
        .count() as f64
}

fn scan_context(text: &[usize], h: &[usize]) -> f64 {
    text.windows(h.len() + 1)
        .filter(|s| s[..h.len()] == *h)
        .count() as f64
}

/// `N₁₊(• w)`: the distinct ids seen before `w`, by scanning.
fn scan_continuation(text: &[usize], w: &[usize], v: usize) -> f64 {
    (0..v)
        .filter(|&y| scan(text, &[&[y], w].concat()) > 0.0)
        .count() as f64
}

/// Interpolated Witten-Bell and Kneser-Ney straight from their definitions, with every
/// count found by scanning the text: slow, and independent of the hash maps.
fn reference_prob(
    text: &[usize],
    v: usize,
    order: usize,
    ctx: &[usize],
    x: usize,
    s: Smoothing,
) -> f64 {
    let top = ctx.len().min(order - 1);
    let ctx = &ctx[ctx.len() - top..];
    let mut p = 1.0 / v as f64;
    for m in 0..=top {
        let h = &ctx[top - m..];
        match s {
            Smoothing::WittenBell => {
                let c_h = scan_context(text, h);
                if c_h > 0.0 {
                    let t = (0..v)
                        .filter(|&y| scan(text, &[h, &[y]].concat()) > 0.0)
                        .count();
                    let c_hx = scan(text, &[h, &[x]].concat());
                    p = (c_hx + t as f64 * p) / (c_h + t as f64);
                }
            }
            Smoothing::KneserNey { discount: d } => {
                let n = |w: &[usize]| {
                    if m == top {
                        scan(text, w)
                    } else {
                        scan_continuation(text, w, v)
                    }
                };
                let follow: Vec<f64> = (0..v).map(|y| n(&[h, &[y]].concat())).collect();
                let total: f64 = follow.iter().sum();
                if total > 0.0 {
                    let distinct = follow.iter().filter(|&&c| c > 0.0).count() as f64;
                    p = ((follow[x] - d).max(0.0) + d * distinct * p) / total;
                }
            }
            Smoothing::AddK(k) => {
                if m == top {
                    p = (scan(text, &[h, &[x]].concat()) + k)
                        / (scan_context(text, h) + k * v as f64);
                }
            }
        }
    }
    p
}

#[test]
fn smoothings_match_a_scanning_reference() {
    let v = 6;
    let train = structured_text(300, 11);
    let probe = structured_text(40, 12);
    for order in 1..=4 {
        let m = NGram::fit(&train, v, order).unwrap();
        for s in all_smoothings() {
            for i in 0..probe.len() {
                let ctx = &probe[i.saturating_sub(order + 1)..i];
                for x in 0..v {
                    let p = m.prob(ctx, x, s).unwrap();
                    let r = reference_prob(&train, v, order, ctx, x, s);
                    assert!(
                        close(p, r, 1e-12),
                        "order {order}, {s}, {ctx:?} → {x}: {p} vs {r}"
                    );
                }
            }
        }
    }
}

#[test]
fn nats_per_char_is_the_mean_surprise_position_by_position() {
    let v = 6;
    let train = structured_text(500, 5);
    let seq = structured_text(80, 6);
    for order in 1..=4 {
        let m = NGram::fit(&train, v, order).unwrap();
        for s in all_smoothings() {
            let mut total = 0.0;
            for i in 0..seq.len() {
                let start = i.saturating_sub(order - 1);
                total -= m.prob(&seq[start..i], seq[i], s).unwrap().ln();
            }
            let h = m.nats_per_char(&seq, s).unwrap();
            assert!(
                close(h, total / seq.len() as f64, 1e-12),
                "order {order}, {s}"
            );
        }
    }
    // By hand: order 1, add-1 over "abacab", scoring "cc": −ln (2/9) each.
    let u = NGram::fit(&ABACAB, 3, 1).unwrap();
    let h = u.nats_per_char(&[2, 2], Smoothing::AddK(1.0)).unwrap();
    assert!(close(h, -(2.0f64 / 9.0).ln(), 1e-12));
}

#[test]
fn unseen_context_share_by_hand() {
    let m = NGram::fit(&ABACAB, 3, 3).unwrap();
    // Contexts of length 2 seen followed by an id: ab, ba, ac, ca (ab only once, at 0).
    // "abcbab": positions 2..6 have contexts ab (seen), bc (no), cb (no), ba (seen).
    assert!(close(
        m.unseen_context_share(&[0, 1, 2, 1, 0, 1]).unwrap(),
        0.5,
        1e-15
    ));
    // "cab": the one full context is ca, seen.
    assert_eq!(m.unseen_context_share(&[2, 0, 1]).unwrap(), 0.0);
    // Too short for a full context; order 1 has only the empty context.
    assert_eq!(m.unseen_context_share(&[2, 0]).unwrap(), 0.0);
    let u = NGram::fit(&ABACAB, 3, 1).unwrap();
    assert_eq!(u.unseen_context_share(&[2, 2, 2]).unwrap(), 0.0);
    // An id beyond the vocabulary is an error, naming where it is.
    let b = NGram::fit(&ABACAB, 3, 2).unwrap();
    let e = b.unseen_context_share(&[7, 0, 1]).unwrap_err().to_string();
    assert!(e.contains("[0]") && e.contains('7'), "{e}");
}

/// Pearson's χ² of `observed` counts against probabilities `p` (all > 0).
fn chi_square(observed: &[usize], p: &[f64]) -> f64 {
    let n: usize = observed.iter().sum();
    observed
        .iter()
        .zip(p)
        .map(|(&o, &p)| {
            let e = n as f64 * p;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}

#[test]
fn sample_frequencies_follow_the_tempered_probabilities() {
    // χ² with V − 1 = 2 degrees of freedom: 13.8 is its 0.999 quantile.
    let limit = 13.8;
    let u = NGram::fit(&ABACAB, 3, 1).unwrap();
    let s = Smoothing::AddK(1.0);
    let p = [4.0 / 9.0, 3.0 / 9.0, 2.0 / 9.0];
    for (temperature, seed) in [(1.0, 1), (0.5, 2), (2.0, 3)] {
        let draws = u.sample(&[], 20_000, s, temperature, seed).unwrap();
        let mut counts = [0usize; 3];
        draws.iter().for_each(|&x| counts[x] += 1);
        let w: Vec<f64> = p.iter().map(|q: &f64| q.powf(1.0 / temperature)).collect();
        let total: f64 = w.iter().sum();
        let tempered: Vec<f64> = w.iter().map(|x| x / total).collect();
        let chi = chi_square(&counts, &tempered);
        assert!(
            chi < limit,
            "T = {temperature}: χ² = {chi}, counts {counts:?}"
        );
        // A wrong temperature would be far off: against the untempered p at T ≠ 1.
        if temperature != 1.0 {
            assert!(chi_square(&counts, &p) > 50.0);
        }
    }
    // Order 2: the ids drawn after a follow P(· | a).
    let m = NGram::fit(&ABACAB, 3, 2).unwrap();
    let kn = Smoothing::kneser_ney(0.5);
    let draws = m.sample(&[0], 30_000, kn, 1.0, 9).unwrap();
    let mut after_a = [0usize; 3];
    let mut previous = 0;
    for &x in &draws {
        if previous == 0 {
            after_a[x] += 1;
        }
        previous = x;
    }
    let expected = m.distribution(&[0], kn).unwrap();
    assert!(
        chi_square(&after_a, &expected) < limit,
        "{after_a:?} vs {expected:?}"
    );
    // Seeded: the same seed gives the same text.
    assert_eq!(
        m.sample(&[1], 50, kn, 0.8, 4).unwrap(),
        m.sample(&[1], 50, kn, 0.8, 4).unwrap()
    );
    assert!(m.sample(&[1], 0, kn, 0.8, 4).unwrap().is_empty());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let m = NGram::fit(&ABACAB, 3, 2).unwrap();
    let ok = Smoothing::AddK(1.0);
    assert!(NGram::fit(&ABACAB, 3, 0).is_err());
    assert!(NGram::fit(&ABACAB, 3, MAX_ORDER + 1).is_err());
    assert!(NGram::fit(&[], 3, 2).is_err());
    assert!(NGram::fit(&ABACAB, 0, 2).is_err());
    let e = NGram::fit(&ABACAB, 2, 2).unwrap_err().to_string();
    assert!(
        e.contains("train[3]") && e.contains("below the vocabulary size 2"),
        "{e}"
    );
    // 2^20 ids: order 3 fits 64 bits (2^60), order 4 does not (2^80).
    assert!(NGram::fit(&ABACAB, 1 << 20, 3).is_ok());
    let e = NGram::fit(&ABACAB, 1 << 20, 4).unwrap_err().to_string();
    assert!(e.contains("at most 3"), "{e}");
    assert!(NGram::fit(&ABACAB, 83, 10).is_ok());
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::MAX, 1.1e6] {
        assert!(m.prob(&[0], 1, Smoothing::AddK(bad)).is_err());
    }
    assert!(m.prob(&[0], 1, Smoothing::AddK(1e6)).is_ok());
    // a sample too long to hold is refused before anything is drawn
    let e = m
        .sample(&[0], usize::MAX, ok, 1.0, 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("shorter sample"), "{e}");
    for bad in [0.0, -0.5, 1.5, f64::NAN] {
        assert!(m.prob(&[0], 1, Smoothing::kneser_ney(bad)).is_err());
        assert!(
            m.nats_per_char(&[0, 1], Smoothing::kneser_ney(bad))
                .is_err()
        );
    }
    assert!(m.prob(&[0], 3, ok).is_err());
    assert!(m.prob(&[3], 0, ok).is_err());
    assert!(m.distribution(&[3], ok).is_err());
    assert!(m.nats_per_char(&[], ok).is_err());
    assert!(m.nats_per_char(&[0, 5], ok).is_err());
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(m.sample(&[0], 5, ok, bad, 0).is_err());
    }
    assert!(m.sample(&[4], 5, ok, 1.0, 0).is_err());
    let mut rng = seeded(0);
    assert!(random_windows(&ABACAB, 2, 0, &mut rng).is_err());
    assert!(random_windows(&ABACAB, 0, 2, &mut rng).is_err());
    assert!(random_windows(&ABACAB, 2, 6, &mut rng).is_err());
    assert!(random_windows(&ABACAB, 2, 5, &mut rng).is_ok());
    assert!(random_windows(&ABACAB, usize::MAX, 2, &mut rng).is_err());
    let long = vec![0; 30_000];
    assert!(random_windows(&long, 20_000, 10_000, &mut rng).is_err());
    assert!(context_windows(&long, 15_000).is_err());
    assert!(context_windows(&ABACAB, 0).is_err());
    assert!(context_windows(&ABACAB, 6).is_err());
    assert!(Vocab::from_text("").is_err());
    let splits = Splits {
        train: ABACAB.to_vec(),
        val: vec![],
        test: vec![0],
    };
    assert!(best_on_validation(3, &splits, 1..=2, &[ok]).is_err());
    let splits = Splits {
        train: ABACAB.to_vec(),
        val: vec![0],
        test: vec![0],
    };
    assert!(best_on_validation(3, &splits, 1..=2, &[]).is_err());
    assert!(best_on_validation(3, &splits, 0..=2, &[ok]).is_err());
    assert!(best_on_validation(3, &splits, 1..1, &[ok]).is_err());
    assert!(best_on_validation(2, &splits, 1..=2, &[ok]).is_err());
}

#[test]
fn vocab_encodes_decodes_and_shows_itself() {
    let v = Vocab::from_text("ba\nab!").unwrap();
    assert_eq!(v.chars(), &['\n', '!', 'a', 'b']);
    assert_eq!((v.len(), v.id('a'), v.id('z')), (4, Some(2), None));
    let ids = v.encode("ab\n!").unwrap();
    assert_eq!(ids, vec![2, 3, 0, 1]);
    assert_eq!(v.decode(&ids).unwrap(), "ab\n!");
    let e = v.encode("abz").unwrap_err().to_string();
    assert!(e.contains("character 2") && e.contains("'z'"), "{e}");
    let e = v.decode(&[0, 4]).unwrap_err().to_string();
    assert!(
        e.contains("id 1") && e.contains("below the vocabulary size 4"),
        "{e}"
    );
    assert_eq!(v.to_string(), "4 characters: \\n!ab");
}

#[test]
fn random_windows_are_shifted_pairs_from_uniform_starts() {
    // ids 0..12 are their own positions, so a window's first id is its start.
    let ids: Vec<usize> = (0..12).collect();
    let t = 4;
    let mut rng = seeded(5);
    let mut starts = [0usize; 8]; // 12 − 4 valid starts: 0..=7
    for _ in 0..200 {
        let (x, y) = random_windows(&ids, 10, t, &mut rng).unwrap();
        assert_eq!((x.len(), y.len()), (40, 40));
        for b in 0..10 {
            let row = &x[b * t..(b + 1) * t];
            assert!(row.windows(2).all(|w| w[1] == w[0] + 1));
            assert_eq!(
                &y[b * t..(b + 1) * t],
                &row.iter().map(|i| i + 1).collect::<Vec<_>>()[..]
            );
            starts[row[0]] += 1;
        }
    }
    // χ² with 7 degrees of freedom: 24.3 is its 0.999 quantile.
    let chi = chi_square(&starts, &[1.0 / 8.0; 8]);
    assert!(chi < 24.3, "{starts:?}");
    // One valid start only when the text is one window long.
    let (x, y) = random_windows(&ids[..5], 3, 4, &mut rng).unwrap();
    assert_eq!((x, y), ([0, 1, 2, 3].repeat(3), [1, 2, 3, 4].repeat(3)));
}

#[test]
fn context_windows_by_hand() {
    let (x, y) = context_windows(&ABACAB, 3).unwrap();
    assert_eq!(x, vec![0, 1, 0, 1, 0, 2, 0, 2, 0]);
    assert_eq!(y, vec![2, 0, 1]);
}

#[test]
fn best_on_validation_chooses_on_validation_and_scores_test_once() {
    // A text where order 2 is right (each id fixes the next up to noise).
    let train = structured_text(2000, 21);
    let val = structured_text(400, 22);
    let test = structured_text(400, 23);
    let splits = Splits {
        train: train.clone(),
        val: val.clone(),
        test: test.clone(),
    };
    let grid = [0.01, 0.1, 1.0].map(Smoothing::AddK);
    let c = best_on_validation(6, &splits, 1..=3, &grid).unwrap();
    // Every candidate scored on validation with train-only counts.
    let mut best = (f64::INFINITY, 0, grid[0]);
    for order in 1..=3 {
        let m = NGram::fit(&train, 6, order).unwrap();
        for s in grid {
            let h = m.nats_per_char(&val, s).unwrap();
            assert!(close(c.val(order, s).unwrap(), h, 1e-12));
            if h < best.0 {
                best = (h, order, s);
            }
        }
    }
    assert_eq!((c.order, c.smoothing, c.val_nats), (best.1, best.2, best.0));
    // The test number: refitted on train + val.
    let refit = NGram::fit(&[train, val].concat(), 6, c.order).unwrap();
    assert_eq!(
        c.test_nats,
        refit.nats_per_char(&test, c.smoothing).unwrap()
    );
    let table = c.table().to_string();
    assert!(table.contains("◀") && table.contains("order"), "{table}");
}

#[test]
fn moby_dick_splits_as_documented() {
    let (vocab, s) = moby_splits().unwrap();
    let text = crate::data::moby_dick().unwrap();
    let n = text.chars().count();
    assert_eq!(n, 1_190_317);
    assert_eq!(vocab.len(), 83);
    assert_eq!(
        (s.train.len(), s.val.len(), s.test.len()),
        (964_156, 107_129, 119_032)
    );
    assert_eq!(
        s.train.len() + s.val.len(),
        (0.9 * n as f64).floor() as usize
    );
    let joined = [s.train.as_slice(), &s.val, &s.test].concat();
    assert_eq!(vocab.decode(&joined).unwrap(), text);
    // A closed vocabulary: the training text alone holds every character.
    let mut seen = vec![false; vocab.len()];
    s.train.iter().for_each(|&x| seen[x] = true);
    assert!(seen.iter().all(|&b| b));
}
