//! `cargo course train transformer`: trains the character transformer that
//! chapter 12 loads (`mlmath::nn::shipped_transformer`), from a fixed seed,
//! and writes it to data/checkpoints/ with its checksum in data/SHA256SUMS.
//!
//! The run saves its state (parameters, Adam's moments, the step, the
//! curve) every few hundred steps under target/train-transformer/; with
//! `--resume` it continues from there, taking the same batches it would
//! have taken without the stop (the batch of step `s` is drawn from a
//! generator seeded with `s`).
//!
//! The parameters shipped are those of the evaluation with the lowest loss
//! on the validation sample (early stopping chosen on validation, never on
//! test); the record names that step.
//!
//! Each batch is split in two halves, one per core: the second half goes to
//! a helper thread holding its own copy of the model (the autodiff graph
//! lives in one thread), which returns its gradient; the mean of the two
//! halves' gradients is the gradient of the whole batch's mean loss, so the
//! run is the same as one thread taking the whole batch, in about half the
//! time on two cores.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Instant;

use mlmath::autodiff::Tensor;
use mlmath::ndarray::ArrayD;
use mlmath::nn::{
    Module, SHIPPED_FILE, SHIPPED_RECORD, ShippedRecord, Transformer, TransformerConfig,
    shipped_config,
};
use mlmath::optim::{Adam, Schedule, clip_grad_norm};
use mlmath::random::seeded;
use mlmath::text::{moby_splits, random_windows};
use serde_json::{Value, json};

/// The run's settings, fixed: the command is reproducible.
struct Settings {
    steps: usize,
    batch: usize,
    lr: f64,
    min_lr: f64,
    warmup: usize,
    weight_decay: f64,
    clip: f64,
    seed: u64,
    /// Steps between evaluations on the validation sample.
    every: usize,
    /// Characters of validation scored at each evaluation.
    val_sample: usize,
}

const SETTINGS: Settings = Settings {
    steps: 9000,
    batch: 32,
    lr: 3e-3,
    min_lr: 1e-4,
    warmup: 300,
    weight_decay: 0.1,
    clip: 1.0,
    seed: 12,
    every: 250,
    val_sample: 16_384,
};

/// Named tensors saved as one parameter file (Adam's moments).
struct Named(Vec<(String, Tensor<f32>)>, String);

impl Module<f32> for Named {
    fn named_params(&self) -> Vec<(String, Tensor<f32>)> {
        self.0.clone()
    }
    fn describe(&self) -> String {
        self.1.clone()
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let resume = args.iter().any(|a| a == "--resume");
    let steps = match args.iter().position(|a| a == "--steps") {
        Some(i) => args
            .get(i + 1)
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or("--steps needs a whole number (a short trial run; nothing is shipped)")?,
        None => SETTINGS.steps,
    };
    let trial = steps != SETTINGS.steps;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    // a trial run keeps its state apart, so that --resume never ships it
    let work = repo.join("target").join(if trial {
        "train-transformer-trial"
    } else {
        "train-transformer"
    });
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;

    let (vocab, splits) = moby_splits().map_err(|e| e.to_string())?;
    let config = shipped_config();
    if vocab.len() != config.vocab {
        return Err(format!(
            "the text has {} characters, the configuration {}",
            vocab.len(),
            config.vocab
        ));
    }
    let model: Transformer =
        Transformer::new(config.clone(), SETTINGS.seed).map_err(|e| e.to_string())?;
    let named = model.named_params();
    // AdamW's decay on the weight matrices only (not on biases, gains, positions)
    let decayed = |name: &str| name.ends_with("weight") && !name.starts_with("ln");
    let (wd, rest): (Vec<_>, Vec<_>) = named.iter().cloned().partition(|(n, _)| decayed(n));
    let params_wd: Vec<Tensor<f32>> = wd.iter().map(|(_, p)| p.clone()).collect();
    let params_rest: Vec<Tensor<f32>> = rest.iter().map(|(_, p)| p.clone()).collect();
    let mut opt_wd = Adam::new(SETTINGS.lr)
        .betas(0.9, 0.95)
        .weight_decay(SETTINGS.weight_decay);
    let mut opt_rest = Adam::new(SETTINGS.lr).betas(0.9, 0.95);
    let schedule = Schedule::warmup_cosine(
        SETTINGS.lr,
        SETTINGS.warmup.min(steps),
        steps,
        SETTINGS.min_lr,
    )
    .map_err(|e| e.to_string())?;

    let state_file = work.join("state.json");
    let mut start = 0;
    let mut curve: Vec<Value> = Vec::new();
    let mut seconds = 0.0;
    let best_file = work.join("best.params");
    if resume && state_file.exists() {
        let state: Value =
            serde_json::from_str(&std::fs::read_to_string(&state_file).map_err(|e| e.to_string())?)
                .map_err(|e| format!("{}: {e}", state_file.display()))?;
        start = state["step"].as_u64().unwrap_or(0) as usize;
        let planned = state["steps"].as_u64().map_or(steps, |p| p as usize);
        if planned != steps {
            return Err(format!(
                "{} is the state of a run of {planned} steps, not {steps}: delete the folder \
                 to start again",
                work.display()
            ));
        }
        curve = state["curve"].as_array().cloned().unwrap_or_default();
        seconds = state["seconds"].as_f64().unwrap_or(0.0);
        model
            .load(work.join("model.params"))
            .map_err(|e| e.to_string())?;
        for (tag, list, opt) in [("wd", &wd, &mut opt_wd), ("rest", &rest, &mut opt_rest)] {
            let zeros = || {
                list.iter()
                    .map(|(_, p)| mlmath::ndarray::ArrayD::zeros(p.shape()))
            };
            let (m, v) = (moments(list, "m", zeros()), moments(list, "v", zeros()));
            m.load(work.join(format!("adam-{tag}-m.params")))
                .map_err(|e| e.to_string())?;
            v.load(work.join(format!("adam-{tag}-v.params")))
                .map_err(|e| e.to_string())?;
            let params: Vec<Tensor<f32>> = list.iter().map(|(_, p)| p.clone()).collect();
            let saved =
                m.0.iter()
                    .zip(&v.0)
                    .map(|((_, m), (_, v))| (m.to_array(), v.to_array(), start as i32));
            opt.set_moments(&params, saved.collect())
                .map_err(|e| e.to_string())?;
        }
        println!("resuming at step {start} of {steps} ({seconds:.0} s so far)");
    } else {
        println!(
            "training a transformer ({config}), {} parameters, on {} characters; \
             {steps} steps of {} windows",
            model.parameter_count(),
            splits.train.len(),
            SETTINGS.batch
        );
    }
    let val_sample = &splits.val[..SETTINGS.val_sample.min(splits.val.len())];
    let helper = Helper::start(config.clone(), SETTINGS.seed);
    let clock = Instant::now();
    let mut running = 0.0;
    let mut counted = 0;
    for step in start..steps {
        let lr = schedule.lr(step);
        opt_wd.set_lr(lr);
        opt_rest.set_lr(lr);
        let rng = &mut seeded(SETTINGS.seed.wrapping_mul(1_000_003) + step as u64);
        let (x, y) = random_windows(&splits.train, SETTINGS.batch, config.context, rng)
            .map_err(|e| e.to_string())?;
        let loss = helper.step(&model, &x, &y, SETTINGS.batch, rng)?;
        clip_grad_norm(&model.params(), SETTINGS.clip).map_err(|e| e.to_string())?;
        opt_wd.step(&params_wd).map_err(|e| e.to_string())?;
        opt_rest.step(&params_rest).map_err(|e| e.to_string())?;
        running += loss as f64;
        counted += 1;
        let done = step + 1;
        if done % 50 == 0 {
            let elapsed = seconds + clock.elapsed().as_secs_f64();
            let per = clock.elapsed().as_secs_f64() / (done - start) as f64;
            println!(
                "step {done:>5}/{steps}  loss {:.3}  lr {lr:.2e}  {:.0} ms/step  \
                 {elapsed:.0} s, about {:.0} min to go",
                running / counted as f64,
                per * 1e3,
                per * (steps - done) as f64 / 60.0
            );
        }
        if done % SETTINGS.every == 0 || done == steps {
            let val = model.nats_per_char(val_sample).map_err(|e| e.to_string())?;
            println!("  validation sample: {val:.4} nats/char");
            if lowest(&curve).is_none_or(|(_, b)| val < b) {
                model.save(&best_file).map_err(|e| e.to_string())?;
                println!("  the lowest so far: kept");
            }
            curve.push(json!([done, running / counted as f64, val]));
            (running, counted) = (0.0, 0);
            let elapsed = seconds + clock.elapsed().as_secs_f64();
            save_state(
                &work,
                &model,
                &wd,
                &rest,
                &opt_wd,
                &opt_rest,
                (done, steps),
                &curve,
                elapsed,
            )?;
        }
    }
    helper.stop();
    let elapsed = seconds + clock.elapsed().as_secs_f64();
    if trial {
        println!("trial run of {steps} steps done in {elapsed:.0} s; nothing shipped");
        return Ok(());
    }
    let (kept_step, kept_val) = lowest(&curve).ok_or("the run made no evaluation")?;
    model.load(&best_file).map_err(|e| e.to_string())?;
    println!(
        "keeping the parameters of step {kept_step} (validation sample {kept_val:.4} nats/char)"
    );
    println!("scoring the whole validation and test text ...");
    let val = model
        .nats_per_char(&splits.val)
        .map_err(|e| e.to_string())?;
    let test = model
        .nats_per_char(&splits.test)
        .map_err(|e| e.to_string())?;
    println!("validation {val:.4} nats/char, test {test:.4} nats/char");
    let record = ShippedRecord {
        config: config.to_string(),
        parameters: model.parameter_count(),
        steps,
        kept_step,
        batch: SETTINGS.batch,
        settings: format!(
            "AdamW, betas (0.9, 0.95), learning rate warmed up over {} steps to {:e}, cosine \
             decay to {:e}; weight decay {} on the weight matrices; gradients clipped to norm \
             {}; seed {}; the batch of step s drawn from a generator seeded with s; the parameters \
             kept are those of the evaluation with the lowest validation-sample loss",
            SETTINGS.warmup,
            SETTINGS.lr,
            SETTINGS.min_lr,
            SETTINGS.weight_decay,
            SETTINGS.clip,
            SETTINGS.seed
        ),
        seconds: elapsed,
        val_sample_chars: val_sample.len(),
        curve: curve
            .iter()
            .map(|p| {
                let n = |k: usize| p[k].as_f64().unwrap_or(f64::NAN);
                (n(0) as usize, n(1), n(2))
            })
            .collect(),
        val_nats: val,
        test_nats: test,
    };
    ship(&repo, &model, &record)
}

/// The second core's half of every batch: a thread with its own copy of
/// the model, given the parameters' values and half the windows, answering
/// with its mean loss and gradient.
struct Helper {
    jobs: Sender<Job>,
    answers: Receiver<Answer>,
    thread: JoinHandle<()>,
}

/// Parameter values, ids, targets, windows.
type Job = (Vec<ArrayD<f32>>, Vec<usize>, Vec<usize>, usize);

/// The mean loss of the half and its gradient, one array per parameter.
type Answer = Result<(f32, Vec<ArrayD<f32>>), String>;

impl Helper {
    fn start(config: TransformerConfig, seed: u64) -> Helper {
        let (jobs, inbox) = channel::<Job>();
        let (outbox, answers) = channel();
        let thread = std::thread::spawn(move || {
            let model = match Transformer::<f32>::new(config, seed) {
                Ok(m) => m,
                Err(e) => {
                    let _ = outbox.send(Err(e.to_string()));
                    return;
                }
            };
            let params = model.params();
            for (values, x, y, windows) in inbox {
                let answer = (|| {
                    for (p, v) in params.iter().zip(values) {
                        p.set_value(v)?;
                    }
                    let loss = model.loss(&x, &y, windows, None)?;
                    loss.backward()?;
                    let grads = params
                        .iter()
                        .map(|p| p.take_grad().unwrap_or_else(|| ArrayD::zeros(p.shape())))
                        .collect();
                    Ok::<_, mlmath::Error>((loss.item()?, grads))
                })()
                .map_err(|e| e.to_string());
                if outbox.send(answer).is_err() {
                    return;
                }
            }
        });
        Helper {
            jobs,
            answers,
            thread,
        }
    }

    /// The gradient of the mean loss over `batch` windows left in the
    /// model's parameters (the first half computed here, the second by the
    /// helper thread); returns the mean loss.
    fn step(
        &self,
        model: &Transformer,
        x: &[usize],
        y: &[usize],
        batch: usize,
        rng: &mut mlmath::random::StdRng,
    ) -> Result<f32, String> {
        let params = model.params();
        let (mine, theirs) = (batch / 2, batch - batch / 2);
        let cut = x.len() / batch * mine;
        let values = params.iter().map(|p| p.to_array()).collect();
        self.jobs
            .send((values, x[cut..].to_vec(), y[cut..].to_vec(), theirs))
            .map_err(|_| "the helper thread stopped".to_string())?;
        let loss = model
            .loss(&x[..cut], &y[..cut], mine, Some(rng))
            .map_err(|e| e.to_string())?;
        let share = mine as f32 / batch as f32;
        loss.mul_scalar(share)
            .backward()
            .map_err(|e| e.to_string())?;
        let (their_loss, grads) = self
            .answers
            .recv()
            .map_err(|_| "the helper thread stopped".to_string())??;
        // their gradient, weighted by their share, added to the parameters'
        // own: the gradient of Σ p·g is g
        let weight = 1.0 - share;
        let mut added = Tensor::scalar(0.0);
        for (p, g) in params.iter().zip(grads) {
            let g = Tensor::constant(g.mapv(|v| v * weight));
            added = added
                .add(&p.mul(&g).map_err(|e| e.to_string())?.sum())
                .map_err(|e| e.to_string())?;
        }
        added.backward().map_err(|e| e.to_string())?;
        Ok(share * loss.item().map_err(|e| e.to_string())? + weight * their_loss)
    }

    fn stop(self) {
        drop(self.jobs);
        let _ = self.thread.join();
    }
}

/// The curve's point with the lowest validation-sample loss, the first of
/// equals: `(step, nats)`; the parameters in best.params are that step's.
fn lowest(curve: &[Value]) -> Option<(usize, f64)> {
    curve
        .iter()
        .filter_map(|p| Some((p[0].as_u64()? as usize, p[2].as_f64()?)))
        .fold(None, |low, (s, v)| match low {
            Some((_, b)) if b <= v => low,
            _ => Some((s, v)),
        })
}

/// Fresh tensors of the shapes of `list`, named `{tag}.{name}`.
fn moments(
    list: &[(String, Tensor<f32>)],
    tag: &str,
    values: impl Iterator<Item = mlmath::ndarray::ArrayD<f32>>,
) -> Named {
    Named(
        list.iter()
            .zip(values)
            .map(|((n, _), a)| (format!("{tag}.{n}"), Tensor::param(a)))
            .collect(),
        format!("Adam's {tag} for the shipped transformer"),
    )
}

#[allow(clippy::too_many_arguments)]
fn save_state(
    work: &Path,
    model: &Transformer,
    wd: &[(String, Tensor<f32>)],
    rest: &[(String, Tensor<f32>)],
    opt_wd: &Adam,
    opt_rest: &Adam,
    (step, total): (usize, usize),
    curve: &[Value],
    seconds: f64,
) -> Result<(), String> {
    model
        .save(work.join("model.params"))
        .map_err(|e| e.to_string())?;
    for (tag, list, opt) in [("wd", wd, opt_wd), ("rest", rest, opt_rest)] {
        let saved = opt
            .moments::<f32>()
            .ok_or("Adam has no moments before its first step")?;
        for (k, which) in ["m", "v"].into_iter().enumerate() {
            let values = saved
                .iter()
                .map(|(m, v, _)| if k == 0 { m } else { v }.clone());
            let named = moments(list, which, values);
            named
                .save(work.join(format!("adam-{tag}-{which}.params")))
                .map_err(|e| e.to_string())?;
        }
    }
    let state = json!({"step": step, "steps": total, "curve": curve, "seconds": seconds});
    std::fs::write(work.join("state.json"), state.to_string()).map_err(|e| e.to_string())
}

/// Writes the checkpoint and its record into data/, and their checksums
/// into data/SHA256SUMS.
fn ship(repo: &Path, model: &Transformer, record: &ShippedRecord) -> Result<(), String> {
    let data = repo.join("data");
    let path: PathBuf = data.join(SHIPPED_FILE);
    std::fs::create_dir_all(path.parent().expect("a folder")).map_err(|e| e.to_string())?;
    model.save(&path).map_err(|e| e.to_string())?;
    std::fs::write(data.join(SHIPPED_RECORD), record.to_text()).map_err(|e| e.to_string())?;
    let sums = data.join("SHA256SUMS");
    let text = std::fs::read_to_string(&sums).map_err(|e| e.to_string())?;
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.ends_with(&format!("  {SHIPPED_FILE}")))
        .filter(|l| !l.ends_with(&format!("  {SHIPPED_RECORD}")))
        .map(String::from)
        .collect();
    for file in [SHIPPED_FILE, SHIPPED_RECORD] {
        let bytes = std::fs::read(data.join(file)).map_err(|e| e.to_string())?;
        lines.push(format!("{}  {file}", sha256(&bytes)));
    }
    std::fs::write(&sums, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    println!(
        "wrote data/{SHIPPED_FILE} and data/{SHIPPED_RECORD}, and their SHA-256 in data/SHA256SUMS"
    );
    Ok(())
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept point is the first of the lowest validation-sample losses.
    #[test]
    fn the_kept_point_is_the_first_lowest() {
        assert_eq!(lowest(&[]), None);
        let curve = [
            json!([250, 2.0, 1.5]),
            json!([500, 1.9, 1.4]),
            json!([750, 1.8, 1.4]),
        ];
        assert_eq!(lowest(&curve), Some((500, 1.4)));
    }

    /// The two-thread step leaves the gradient of the whole batch's mean
    /// loss, as one thread taking the whole batch does.
    #[test]
    fn halves_give_the_whole_batch_gradient() {
        let config = TransformerConfig::new(11, 8, 16, 2, 2);
        let ids: Vec<usize> = (0..400).map(|i| (i * 7 + i / 3) % 11).collect();
        for batch in [4, 5] {
            let rng = &mut seeded(3);
            let (x, y) = random_windows(&ids, batch, 8, rng).unwrap();
            let whole = Transformer::<f32>::new(config.clone(), 1).unwrap();
            let loss = whole.loss(&x, &y, batch, None).unwrap();
            loss.backward().unwrap();
            let split = Transformer::<f32>::new(config.clone(), 1).unwrap();
            let helper = Helper::start(config.clone(), 99);
            let mean = helper.step(&split, &x, &y, batch, rng).unwrap();
            helper.stop();
            assert!(
                (mean - loss.item().unwrap()).abs() < 1e-5,
                "{mean} against the whole"
            );
            for (a, b) in whole.params().iter().zip(split.params()) {
                let (a, b) = (a.grad().unwrap(), b.grad().unwrap());
                let worst = (&a - &b).mapv(f32::abs).fold(0.0f32, |m, &v| m.max(v));
                let scale = a.mapv(f32::abs).fold(0.0f32, |m, &v| m.max(v));
                assert!(worst <= 1e-5 * scale.max(1.0), "{worst} of {scale}");
            }
        }
    }
}
