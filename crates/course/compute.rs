//! The compute benchmark: the course's training workloads run by mlmath, by
//! PyTorch on the CPU and, where it applies, by scikit-learn or NumPy, side by
//! side in one run.
//!
//! `cargo course bench` builds this program with the `compute` profile (the
//! support crate optimised as the notebooks' kernel optimises it: see
//! Cargo.toml) and runs it; it runs itself again with the glibc malloc
//! settings the kernel exports (`crates/course/kernel.sh`), so that mlmath
//! allocates as it does under a cell (the reference side inherits them):
//!
//! ```text
//! compute-bench --reference-python PYTHON [--kernel-python PYTHON]
//!               [--rounds N] [--json FILE] [--only NAME] [--mlmath-only]
//!               [--build TEXT]
//! ```
//!
//! `--only NAME` runs the workloads whose key holds NAME (`mlp-digits`,
//! `cnn-mnist20`, `svm-digits`, `char-transformer`, `rff-digits`); `--mlmath-only` runs mlmath's
//! rows alone, compiled and, with `--kernel-python`, from a cell (to profile
//! them, or to compare builds); `--build` says, in the table, how it was built.
//!
//! Each workload is described once, in its file under `workloads/` (data,
//! split, layers, optimiser, batch, epochs); the description and the split's
//! row numbers are sent to `tests/compute_reference.py`, which trains the same
//! network with PyTorch and scikit-learn in the benchmark's own Python. The
//! sides take turns within each round (the first side moves on by one each
//! round) and every figure is the median over the rounds, because the
//! machine is shared. `--kernel-python` also runs workload 1 from a notebook
//! cell (`tests/compute_kernel.py` drives a real kernel): the cell is the
//! workload's file itself, so the same code is timed compiled here and run
//! from a cell.

#[path = "workloads/char_transformer.rs"]
mod char_transformer;
#[path = "workloads/cnn_mnist20.rs"]
mod cnn_mnist20;
#[path = "malloc.rs"]
mod malloc;
#[path = "workloads/mlp_digits.rs"]
mod mlp_digits;
#[path = "workloads/rff_digits.rs"]
mod rff_digits;
#[path = "workloads/svm_digits.rs"]
mod svm_digits;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};

use serde_json::{Value, json};

/// The repository's root folder.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn main() -> ExitCode {
    // glibc reads its settings when the process starts: the benchmark runs
    // itself again with the kernel's, as a notebook cell would run.
    let malloc = malloc::kernel_malloc_settings(&repo());
    if !malloc.is_empty() && std::env::var_os(&malloc[0].0).is_none() {
        match std::env::current_exe().and_then(|exe| {
            Command::new(exe)
                .args(std::env::args_os().skip(1))
                .envs(malloc.iter().cloned())
                .status()
        }) {
            Ok(status) => return ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8),
            Err(e) => eprintln!("could not run again with the kernel's malloc settings: {e}"),
        }
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match Options::parse(&args).and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the command line asked for.
struct Options {
    reference_python: PathBuf,
    kernel_python: Option<PathBuf>,
    rounds: usize,
    json: Option<PathBuf>,
    only: Option<String>,
    mlmath_only: bool,
    build: String,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            reference_python: PathBuf::new(),
            kernel_python: None,
            rounds: 3,
            json: None,
            only: None,
            mlmath_only: false,
            build: "cargo profile compute".into(),
        };
        let mut i = 0;
        while i < args.len() {
            let value = || {
                args.get(i + 1)
                    .cloned()
                    .ok_or_else(|| format!("{} needs a value", args[i]))
            };
            match args[i].as_str() {
                "--reference-python" => options.reference_python = value()?.into(),
                "--kernel-python" => options.kernel_python = Some(value()?.into()),
                "--json" => options.json = Some(value()?.into()),
                "--only" => options.only = Some(value()?),
                "--build" => options.build = value()?,
                "--mlmath-only" => {
                    options.mlmath_only = true;
                    i += 1;
                    continue;
                }
                "--rounds" => {
                    let v = value()?;
                    options.rounds = match v.parse() {
                        Ok(n) if n >= 1 => n,
                        _ => return Err(format!("--rounds takes a number from 1 up, got {v:?}")),
                    }
                }
                other => {
                    return Err(format!(
                        "unknown option {other:?} (see crates/course/compute.rs)"
                    ));
                }
            }
            i += 2;
        }
        if options.reference_python.as_os_str().is_empty() && !options.mlmath_only {
            return Err("--reference-python PYTHON is required (the benchmark's Python)".into());
        }
        Ok(options)
    }
}

/// A library that trains a workload, with its thread count.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Mlmath,
    PyTorch(usize),
    ScikitLearn(usize),
    /// NumPy: 0 threads means the BLAS's default.
    NumPy(usize),
    /// mlmath again, from a notebook kernel's cell.
    Kernel,
}

impl Side {
    fn label(self) -> String {
        match self {
            Side::Mlmath => "mlmath".into(),
            Side::PyTorch(1) => "PyTorch, 1 thread".into(),
            Side::PyTorch(t) => format!("PyTorch, {t} threads"),
            Side::ScikitLearn(1) => "scikit-learn, 1 thread".into(),
            Side::ScikitLearn(t) => format!("scikit-learn, {t} threads"),
            Side::NumPy(0) => "NumPy, default threads".into(),
            Side::NumPy(1) => "NumPy, 1 thread".into(),
            Side::NumPy(t) => format!("NumPy, {t} threads"),
            Side::Kernel => "mlmath from a notebook cell".into(),
        }
    }
}

/// One workload, as both sides are told to train it.
struct Workload {
    key: &'static str,
    title: &'static str,
    detail: String,
    /// The description sent to the reference side (data, layers, optimiser...).
    spec: Value,
    sides: Vec<Side>,
    /// Why mlmath does not run it yet, if it does not.
    missing: Option<&'static str>,
    /// What is trained: a network (steps and a loss), a support vector
    /// machine (SMO iterations and support vectors), a sweep of
    /// least-squares fits (the peak of the test error), or a language
    /// model's steps (ms per step and the training loss).
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Network,
    Svm,
    Sweep,
    /// Steps timed after a warm-up; "metric" is the mean training loss of
    /// the last steps, "loss" the loss of the first step.
    Steps,
}

/// The workloads, in the issue's order.
fn workloads() -> Vec<Workload> {
    use char_transformer::*;
    use cnn_mnist20::*;
    use mlp_digits::*;
    use rff_digits::*;
    use svm_digits::*;
    let data = |file: &str| {
        repo()
            .join("data")
            .join(file)
            .to_string_lossy()
            .into_owned()
    };
    vec![
        Workload {
            key: "mlp-digits",
            title: "1. MLP 64-128-10 tanh, digits",
            detail: format!(
                "SGD lr {MLP_LR}, batch {MLP_BATCH}, {MLP_EPOCHS} epochs, \
                 80/20 split of a seeded permutation, pixels / {MLP_PIXEL_SCALE}"
            ),
            spec: json!({
                "name": "mlp-digits",
                "data": data("digits.csv"),
                "pixels": 64,
                "scale": MLP_PIXEL_SCALE,
                "model": "mlp",
                "layers": MLP_LAYERS,
                "activation": "tanh",
                "init": "xavier-uniform",
                "optimiser": {"name": "sgd", "lr": MLP_LR},
                "batch": MLP_BATCH,
                "epochs": MLP_EPOCHS,
            }),
            sides: vec![
                Side::Mlmath,
                Side::PyTorch(2),
                Side::PyTorch(1),
                Side::ScikitLearn(2),
                Side::Kernel,
            ],
            missing: None,
            kind: Kind::Network,
        },
        Workload {
            key: "cnn-mnist20",
            title: "2. CNN on mnist20",
            detail: format!(
                "conv 1→8 3x3 pad 1, ReLU, max-pool 2, conv 8→16 3x3 pad 1, ReLU, \
                 max-pool 2, linear 400→10; Adam lr {CNN_LR}, batch {CNN_BATCH}, \
                 {CNN_EPOCHS} epochs, {CNN_TRAIN_ROWS} training images of a seeded shuffle, \
                 pixels / {CNN_PIXEL_SCALE}"
            ),
            spec: json!({
                "name": "cnn-mnist20",
                "data": data("mnist20.csv"),
                "pixels": CNN_SIDE * CNN_SIDE,
                "side": CNN_SIDE,
                "scale": CNN_PIXEL_SCALE,
                "model": "cnn",
                "init": "kaiming-normal",
                "optimiser": {"name": "adam", "lr": CNN_LR},
                "batch": CNN_BATCH,
                "epochs": CNN_EPOCHS,
            }),
            sides: vec![Side::Mlmath, Side::PyTorch(2), Side::PyTorch(1)],
            missing: None,
            kind: Kind::Network,
        },
        Workload {
            key: "svm-digits",
            title: "3. RBF-SVM, digits (chapter 06)",
            detail: format!(
                "C-SVM by SMO, one-vs-one, γ {SVM_GAMMA}, C {SVM_C}, tolerance \
                 {SVM_TOLERANCE}, cache {SVM_CACHE_MB} MB; first half of the rows trains, \
                 second half tests, raw 0-16 pixels"
            ),
            spec: json!({
                "name": "svm-digits",
                "data": data("digits.csv"),
                "pixels": 64,
                "scale": 1.0,
                "model": "svm",
                "kernel": "rbf",
                "gamma": SVM_GAMMA,
                "c": SVM_C,
                "tolerance": SVM_TOLERANCE,
                "cache_mb": SVM_CACHE_MB,
            }),
            // libsvm, under scikit-learn's SVC, fits on one thread, as mlmath does.
            sides: vec![Side::Mlmath, Side::ScikitLearn(1)],
            missing: None,
            kind: Kind::Svm,
        },
        Workload {
            key: "char-transformer",
            title: "4. Char transformer step (chapter 12)",
            detail: format!(
                "Moby-Dick's 83 characters as tokens, context {CT_CONTEXT}, d {CT_D}, \
                 {CT_HEADS} heads, {CT_LAYERS} pre-LN blocks, d_ff {CT_D_FF}, GELU (tanh form), learned positions, \
                 output tied to the embedding, no dropout; AdamW lr {CT_LR}, betas \
                 ({}, {}), weight decay {CT_WEIGHT_DECAY}, batch {CT_BATCH} random windows of the \
                 training text (the same on both sides); {CT_WARMUP_STEPS} steps of warm-up, then \
                 {CT_TIMED_STEPS} timed",
                CT_BETAS.0, CT_BETAS.1
            ),
            spec: json!({
                "name": "char-transformer",
                "data": data("moby-dick.txt"),
                "model": "char-transformer",
                "context": CT_CONTEXT,
                "d_model": CT_D,
                "heads": CT_HEADS,
                "layers": CT_LAYERS,
                "d_ff": CT_D_FF,
                "activation": "gelu-tanh",
                "init": "gpt2-normal-0.02",
                "optimiser": {
                    "name": "adamw",
                    "lr": CT_LR,
                    "betas": [CT_BETAS.0, CT_BETAS.1],
                    "eps": 1e-8,
                    "weight_decay": CT_WEIGHT_DECAY,
                },
                "batch": CT_BATCH,
                "warmup_steps": CT_WARMUP_STEPS,
                "timed_steps": CT_TIMED_STEPS,
                "last_steps": CT_LAST_STEPS,
            }),
            sides: vec![Side::Mlmath, Side::PyTorch(2), Side::PyTorch(1)],
            missing: None,
            kind: Kind::Steps,
        },
        Workload {
            key: "rff-digits",
            title: "5. Double descent: random Fourier features, digits (chapter 10)",
            detail: format!(
                "minimum-norm least squares (ridge {RFF_RIDGE}) on the one-hot labels for {} \
                 counts of features from 10 to {RFF_MAX_FEATURES}, Gram matrix of the smaller \
                 side, Cholesky; {RFF_TRAIN_ROWS} training rows (40 per class, seeded \
                 shuffle), the other 1397 test; bandwidth by the median heuristic; \
                 pixels / {RFF_PIXEL_SCALE}",
                rff_counts().len()
            ),
            spec: json!({
                "name": "rff-digits",
                "data": data("digits.csv"),
                "pixels": 64,
                "scale": RFF_PIXEL_SCALE,
                "model": "rff-sweep",
                "counts": rff_counts(),
                "ridge": RFF_RIDGE,
            }),
            sides: vec![Side::Mlmath, Side::NumPy(0), Side::NumPy(1)],
            missing: None,
            kind: Kind::Sweep,
        },
    ]
}

/// One process that answers JSON requests a line at a time.
struct Server {
    name: String,
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Server {
    fn start(name: &str, python: &Path, script: &str) -> Result<Server, String> {
        let mut child = Command::new(python)
            .arg(repo().join("tests").join(script))
            .current_dir(repo())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {} with {}: {e}", script, python.display()))?;
        let input = child.stdin.take().expect("stdin is piped");
        let output = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Server {
            name: name.into(),
            child,
            input: Some(input),
            output,
        })
    }

    fn ask(&mut self, request: &Value) -> Result<Value, String> {
        let input = self
            .input
            .as_mut()
            .expect("open until the server is dropped");
        writeln!(input, "{request}")
            .and_then(|()| input.flush())
            .map_err(|e| format!("{} stopped listening: {e}", self.name))?;
        let answer: Value = loop {
            let mut line = String::new();
            self.output
                .read_line(&mut line)
                .map_err(|e| format!("{} did not answer: {e}", self.name))?;
            if line.is_empty() {
                return Err(format!(
                    "{} stopped without answering (see above)",
                    self.name
                ));
            }
            match serde_json::from_str(&line) {
                Ok(answer @ Value::Object(_)) => break answer,
                // Not an answer: a message some library printed. Shown as it is.
                _ => eprint!("{line}"),
            }
        };
        match answer.get("error") {
            Some(error) => Err(format!("{}: {}", self.name, error.as_str().unwrap_or(""))),
            None => Ok(answer),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing its input ends the server's loop; it then stops by itself.
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

/// What one run of one side measured.
#[derive(Clone)]
struct Measured {
    seconds: f64,
    steps: usize,
    metric: f64,
    loss: f64,
}

impl Measured {
    fn from_answer(answer: &Value) -> Result<Measured, String> {
        let number = |key: &str| {
            answer
                .get(key)
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("the answer has no {key:?}: {answer}"))
        };
        Ok(Measured {
            seconds: number("seconds")?,
            steps: number("steps")? as usize,
            metric: number("metric")?,
            loss: number("loss")?,
        })
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// A row of the table: one side of one workload, every round.
struct Row {
    workload: &'static str,
    side: Side,
    runs: Vec<Measured>,
    note: Option<String>,
}

impl Row {
    fn seconds(&self) -> f64 {
        median(&mut self.runs.iter().map(|m| m.seconds).collect::<Vec<_>>())
    }
    fn metric(&self) -> f64 {
        median(&mut self.runs.iter().map(|m| m.metric).collect::<Vec<_>>())
    }
    fn loss(&self) -> f64 {
        median(&mut self.runs.iter().map(|m| m.loss).collect::<Vec<_>>())
    }
    fn steps(&self) -> usize {
        self.runs.first().map_or(0, |m| m.steps)
    }
    /// The median over the rounds of the count of features at the peak.
    fn peak_location(&self) -> String {
        format!(
            "{:.0}",
            median(&mut self.runs.iter().map(|m| m.steps as f64).collect::<Vec<_>>())
        )
    }
    fn ms_per_step(&self) -> f64 {
        1e3 * self.seconds() / self.steps().max(1) as f64
    }
}

/// The kernel of workload 1, driven from `tests/compute_kernel.py`.
struct KernelSide {
    server: Server,
    startup_seconds: f64,
}

impl KernelSide {
    fn start(python: &Path) -> Result<KernelSide, String> {
        let mut server = Server::start("the notebook kernel", python, "compute_kernel.py")?;
        let cells = [
            ":dep mlmath = { path = \"../crates/mlmath\" }".to_string(),
            "use mlmath::prelude::*;".to_string(),
            include_str!("workloads/mlp_digits.rs").to_string(),
            "let rows = digits_rows()?;".to_string(),
        ];
        println!("  starting a notebook kernel and compiling workload 1's cell ...");
        let answer = server.ask(&json!({"op": "start", "cells": cells}))?;
        Ok(KernelSide {
            server,
            startup_seconds: answer.get("seconds").and_then(Value::as_f64).unwrap_or(0.0),
        })
    }

    fn train(&mut self, seed: u64) -> Result<Measured, String> {
        let cell = format!(
            "let trained = train_mlp_digits(&rows, {seed})?;\n\
             format!(\"{{}} {{}} {{}} {{}}\", trained.seconds, trained.steps, \
             trained.accuracy, trained.loss)"
        );
        let answer = self.server.ask(&json!({"op": "run", "cell": cell}))?;
        let value = answer.get("value").and_then(Value::as_str).unwrap_or("");
        let fields: Vec<f64> = value
            .trim_matches('"')
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        match fields[..] {
            [seconds, steps, metric, loss] => Ok(Measured {
                seconds,
                steps: steps as usize,
                metric,
                loss,
            }),
            _ => Err(format!("the kernel's cell answered {answer}")),
        }
    }
}

/// The machine: CPU model, vector extensions, the GEMM kernel, the load.
struct Machine {
    cpu: String,
    cores: usize,
    extensions: Vec<String>,
    gemm: String,
    gemm_rule: String,
}

/// The vector extensions the table names, in the order they appeared.
const EXTENSIONS: [&str; 14] = [
    "sse2",
    "sse4_2",
    "avx",
    "f16c",
    "fma",
    "avx2",
    "avx512f",
    "avx512dq",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_bf16",
];

impl Machine {
    fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |name: &str| {
            cpuinfo
                .lines()
                .find(|l| l.split(':').next().is_some_and(|k| k.trim() == name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        };
        let flags: Vec<String> = field("flags")
            .unwrap_or_default()
            .split_whitespace()
            .map(String::from)
            .collect();
        let extensions = EXTENSIONS
            .iter()
            .filter(|e| flags.iter().any(|f| f == *e))
            .map(|e| e.to_string())
            .collect();
        let has = |f: &str| flags.iter().any(|x| x == f);
        let (gemm, gemm_rule) = gemm_kernel(&has);
        Machine {
            cpu: field("model name").unwrap_or_else(|| std::env::consts::ARCH.to_string()),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            extensions,
            gemm,
            gemm_rule,
        }
    }
}

/// Which f32/f64 GEMM kernel matrixmultiply 0.3.11 picks, from the CPU's
/// flags. matrixmultiply has no function that says; this is its rule, from
/// `detect` in its `src/sgemm_kernel.rs` and `src/dgemm_kernel.rs` (the same
/// for both): with its `avx512` feature (mlmath turns it on) and rustc ≥ 1.89,
/// AVX-512F selects `KernelAvx512`; otherwise FMA and AVX2 together select
/// `KernelFmaAvx2`; otherwise AVX selects `KernelAvx`; otherwise
/// `KernelFallback`, plain Rust that the compiler vectorises for SSE2. It
/// asks `is_x86_feature_detected!`, which reads the CPU's own report, as
/// /proc/cpuinfo does; the environment variable `MMTEST_FEATURE`, a testing
/// switch of matrixmultiply, would allow one feature only.
fn gemm_kernel(has: &dyn Fn(&str) -> bool) -> (String, String) {
    let avx512_built = std::fs::read_to_string(repo().join("crates/mlmath/Cargo.toml"))
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("matrixmultiply") && l.contains("\"avx512\""));
    let allowed = |f: &str| match std::env::var("MMTEST_FEATURE") {
        Ok(only) => only == f,
        Err(_) => true,
    };
    let on = |f: &str| has(f) && allowed(f);
    let rule = "matrixmultiply's rule (src/sgemm_kernel.rs, dgemm_kernel.rs `detect`): avx512f \
                (with its avx512 feature) → AVX-512; else fma + avx2 → FMA/AVX2; else avx → AVX; \
                else the portable kernel"
        .to_string();
    let kernel = if !cfg!(target_arch = "x86_64") && !cfg!(target_arch = "x86") {
        "not x86: see matrixmultiply's detect() for this architecture".to_string()
    } else if avx512_built && on("avx512f") {
        "KernelAvx512 (AVX-512F, f32 tile 32x16)".to_string()
    } else if on("fma") && on("avx2") {
        let why = if avx512_built {
            "no avx512f"
        } else {
            "built without the avx512 feature"
        };
        format!("KernelFmaAvx2 (FMA + AVX2, f32 tile 8x8; {why})")
    } else if on("avx") {
        "KernelAvx (AVX, f32 tile 8x8)".to_string()
    } else {
        "KernelFallback (portable, SSE2 by the compiler)".to_string()
    };
    (kernel, rule)
}

/// The kernel's malloc settings this process runs with, or "not set".
fn malloc_in_effect() -> String {
    let set: Vec<String> = malloc::kernel_malloc_settings(&repo())
        .into_iter()
        .filter(|(name, value)| std::env::var(name).as_deref() == Ok(value.as_str()))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if set.is_empty() {
        "not set".into()
    } else {
        set.join(" ")
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// A package's version in Cargo.lock.
fn locked_version(package: &str) -> String {
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"")
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = "))
        {
            return v.trim_matches('"').to_string();
        }
    }
    "?".into()
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "rustc ?".into())
}

/// The data and the split for a workload, on mlmath's side, and the row
/// numbers and checksum the reference side must agree with.
struct Prepared {
    data: Data,
    train: Vec<usize>,
    test: Vec<usize>,
    checksum: (f64, f64),
}

/// A workload's data on mlmath's side.
enum Data {
    /// A network's: inputs scaled to f32.
    Rows(mlp_digits::Rows),
    /// A support vector machine's: the training and test rows as datasets.
    Sets(mlmath::data::Dataset, mlmath::data::Dataset),
    /// A language model's: the size of the vocabulary and the training
    /// text as ids; the window starts are `Prepared::train`.
    Text(usize, Vec<usize>),
}

fn prepare(workload: &Workload) -> Result<Prepared, String> {
    let e = |e: mlmath::Error| format!("{}: {e}", workload.key);
    // The rows as the workload's own file takes them (a notebook cell calls
    // the same function), and the row numbers of the same split for the
    // reference side.
    let (rows, (train, test)) = match workload.key {
        "rff-digits" => {
            let (train_set, test_set, train, test) = rff_digits::rff_digits_split().map_err(e)?;
            let checksum = (
                train_set.x().sum(),
                train_set.y().iter().sum::<usize>() as f64,
            );
            return Ok(Prepared {
                data: Data::Sets(train_set, test_set),
                train,
                test,
                checksum,
            });
        }
        "svm-digits" => {
            let (train_set, test_set) = svm_digits::svm_digits_split().map_err(e)?;
            let split = svm_digits::halves(train_set.len() + test_set.len());
            let checksum = (
                train_set.x().sum(),
                train_set.y().iter().sum::<usize>() as f64,
            );
            return Ok(Prepared {
                data: Data::Sets(train_set, test_set),
                train: split.0,
                test: split.1,
                checksum,
            });
        }
        "char-transformer" => {
            // The reference side gets the window starts as its "rows", and
            // answers with the sums of the input and target ids it took.
            let (vocab, ids) = char_transformer::moby_train_ids().map_err(e)?;
            let starts = char_transformer::window_starts(ids.len());
            let (x, y) = char_transformer::windows(&ids, &starts);
            let checksum = (
                x.iter().sum::<usize>() as f64,
                y.iter().sum::<usize>() as f64,
            );
            return Ok(Prepared {
                data: Data::Text(vocab, ids),
                train: starts,
                test: Vec::new(),
                checksum,
            });
        }
        "mlp-digits" => {
            let rows = mlp_digits::digits_rows().map_err(e)?;
            let n = rows.x_train.nrows() + rows.x_test.nrows();
            let split = mlp_digits::split_rows(
                n,
                mlp_digits::MLP_TEST_FRACTION,
                mlp_digits::MLP_SPLIT_SEED,
            );
            (rows, split)
        }
        "cnn-mnist20" => {
            let rows = cnn_mnist20::mnist20_rows().map_err(e)?;
            let n = rows.x_train.nrows() + rows.x_test.nrows();
            let split = cnn_mnist20::shuffled_rows(
                n,
                cnn_mnist20::CNN_TRAIN_ROWS,
                cnn_mnist20::CNN_SPLIT_SEED,
            );
            (rows, split)
        }
        other => return Err(format!("no data for workload {other}")),
    };
    let checksum = (
        rows.x_train.iter().map(|&v| f64::from(v)).sum(),
        rows.y_train.iter().sum::<usize>() as f64,
    );
    Ok(Prepared {
        data: Data::Rows(rows),
        train,
        test,
        checksum,
    })
}

fn run(options: &Options) -> Result<(), String> {
    let machine = Machine::read();
    let load_before = load_average();
    let busy: f64 = load_before
        .split_whitespace()
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0.0);
    if busy > 0.5 * machine.cores as f64 {
        println!(
            "  The machine is busy (load average {load_before} on {} cores): the figures will \
             be noisy, and PyTorch with 2 threads suffers most (its threads wait for each \
             other).",
            machine.cores
        );
    }
    let mut reference = match options.mlmath_only {
        true => None,
        false => Some(Server::start(
            "the reference side (PyTorch, scikit-learn)",
            &options.reference_python,
            "compute_reference.py",
        )?),
    };
    let about = match &mut reference {
        Some(server) => server.ask(&json!({"op": "about"}))?,
        None => json!({}),
    };
    let mut kernel = match &options.kernel_python {
        Some(python) => Some(KernelSide::start(python)?),
        None => None,
    };
    let mut rows: Vec<Row> = Vec::new();
    let chosen: Vec<Workload> = workloads()
        .into_iter()
        .filter(|w| options.only.as_deref().is_none_or(|o| w.key.contains(o)))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "--only {:?} names no workload (mlp-digits, cnn-mnist20, svm-digits, \
             char-transformer, rff-digits)",
            options.only.as_deref().unwrap_or("")
        ));
    }
    for workload in &chosen {
        let prepared = prepare(workload)?;
        let sides: Vec<Side> = workload
            .sides
            .iter()
            .copied()
            .filter(|s| match s {
                Side::Mlmath => workload.missing.is_none(),
                Side::Kernel => kernel.is_some(),
                _ => reference.is_some(),
            })
            .collect();
        let first = rows.len();
        rows.extend(sides.iter().map(|&side| Row {
            workload: workload.key,
            side,
            runs: Vec::new(),
            note: None,
        }));
        for round in 0..options.rounds {
            let seed = 1 + round as u64;
            for turn in 0..sides.len() {
                let k = (turn + round) % sides.len();
                let side = sides[k];
                print!(
                    "  {} round {}/{}: {:<32}",
                    workload.key,
                    round + 1,
                    options.rounds,
                    side.label()
                );
                std::io::stdout().flush().ok();
                let measured = match side {
                    Side::Mlmath => train_mlmath(workload, &prepared, seed)?,
                    Side::Kernel => kernel.as_mut().expect("filtered").train(seed)?,
                    Side::PyTorch(threads) | Side::ScikitLearn(threads) | Side::NumPy(threads) => {
                        let library = match side {
                            Side::PyTorch(_) => "pytorch",
                            Side::NumPy(_) => "numpy",
                            _ => "scikit-learn",
                        };
                        let server = reference.as_mut().expect("filtered");
                        let answer = server.ask(&json!({
                            "op": "run",
                            "library": library,
                            "threads": threads,
                            "workload": workload.spec,
                            "train": prepared.train,
                            "test": prepared.test,
                            "seed": seed,
                        }))?;
                        check_same_data(&answer, prepared.checksum, workload.key)?;
                        Measured::from_answer(&answer)?
                    }
                };
                match workload.kind {
                    Kind::Sweep => println!(
                        " {:>7.3} s  test error {:.3} at the peak (N = {}), {:.3} at the end",
                        measured.seconds, measured.metric, measured.steps, measured.loss
                    ),
                    Kind::Steps => println!(
                        " {:>7.2} s  {:.2} ms/step, loss {:.4} at step 1, {:.4} over the last \
                         {} steps",
                        measured.seconds,
                        1e3 * measured.seconds / measured.steps.max(1) as f64,
                        measured.loss,
                        measured.metric,
                        char_transformer::CT_LAST_STEPS
                    ),
                    _ => println!(
                        " {:>7.2} s  accuracy {:.3}",
                        measured.seconds, measured.metric
                    ),
                }
                rows[first + k].runs.push(measured);
            }
        }
    }
    if let Some(k) = &kernel {
        for row in rows.iter_mut().filter(|r| r.side == Side::Kernel) {
            row.note = Some(format!(
                "kernel start and first compile of the cells: {:.0} s",
                k.startup_seconds
            ));
        }
    }
    drop(kernel);
    let load_after = load_average();
    let header = Header {
        machine,
        about,
        rounds: options.rounds,
        load: format!("{load_before} before, {load_after} after"),
        build: format!(
            "{}; debug assertions {}; glibc malloc as the kernel sets it: {}",
            options.build,
            if cfg!(debug_assertions) { "on" } else { "off" },
            malloc_in_effect()
        ),
    };
    print_table(&header, &chosen, &rows);
    if let Some(path) = &options.json {
        let report = report(&header, &chosen, &rows);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).ok();
        }
        std::fs::write(
            path,
            serde_json::to_string_pretty(&report).expect("json") + "\n",
        )
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("written to {}", path.display());
    }
    Ok(())
}

fn train_mlmath(workload: &Workload, prepared: &Prepared, seed: u64) -> Result<Measured, String> {
    let e = |e: mlmath::Error| format!("{}: {e}", workload.key);
    let trained = match (workload.key, &prepared.data) {
        ("mlp-digits", Data::Rows(rows)) => mlp_digits::train_mlp_digits(rows, seed),
        ("cnn-mnist20", Data::Rows(rows)) => cnn_mnist20::train_cnn_mnist20(rows, seed),
        // The seed draws the features.
        ("rff-digits", Data::Sets(train, test)) => {
            let swept = rff_digits::sweep_rff_digits(train, test, seed, rff_digits::RFF_RIDGE)
                .map_err(e)?;
            let (peak, last) = (swept.peak(), swept.last());
            return Ok(Measured {
                seconds: swept.seconds,
                steps: peak.features,
                metric: peak.test_error,
                loss: last.test_error,
            });
        }
        // The seed draws the initial weights; the windows are the same.
        ("char-transformer", Data::Text(vocab, ids)) => {
            let stepped =
                char_transformer::train_char_transformer(*vocab, ids, &prepared.train, seed)
                    .map_err(e)?;
            return Ok(Measured {
                seconds: stepped.seconds,
                steps: stepped.steps,
                metric: stepped.last_loss,
                loss: stepped.first_loss,
            });
        }
        // The fit is deterministic: the seed has nothing to choose.
        ("svm-digits", Data::Sets(train, test)) => {
            let fitted = svm_digits::fit_svm_digits(train, test).map_err(e)?;
            return Ok(Measured {
                seconds: fitted.seconds,
                steps: fitted.iterations,
                metric: fitted.accuracy,
                loss: fitted.support_vectors as f64,
            });
        }
        (other, _) => return Err(format!("mlmath has no trainer for {other}")),
    }
    .map_err(e)?;
    Ok(Measured {
        seconds: trained.seconds,
        steps: trained.steps,
        metric: trained.accuracy,
        loss: trained.loss,
    })
}

/// Both sides must have trained on the same numbers: the sums of the scaled
/// training inputs and of the training labels agree.
fn check_same_data(answer: &Value, ours: (f64, f64), key: &str) -> Result<(), String> {
    let theirs = answer
        .get("checksum")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
        .unwrap_or_default();
    match theirs[..] {
        [x, y] if (x - ours.0).abs() <= 1e-6 * ours.0.abs().max(1.0) && y == ours.1 => Ok(()),
        _ => Err(format!(
            "{key}: the reference side's training data differ from mlmath's \
             (sums of inputs and labels {theirs:?}, against {ours:?})"
        )),
    }
}

struct Header {
    machine: Machine,
    about: Value,
    rounds: usize,
    load: String,
    build: String,
}

impl Header {
    fn text(&self, key: &str) -> String {
        match &self.about[key] {
            Value::String(s) => s.clone(),
            Value::Null => "?".into(),
            other => other.to_string(),
        }
    }

    fn lines(&self) -> Vec<String> {
        let m = &self.machine;
        let blas = self.about["numpy_blas"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        vec![
            format!(
                "CPU: {} ({} cores); vector extensions: {}",
                m.cpu,
                m.cores,
                m.extensions.join(" ")
            ),
            format!(
                "GEMM kernel matrixmultiply {} picks: {}",
                locked_version("matrixmultiply"),
                m.gemm
            ),
            format!("  ({})", m.gemm_rule),
            format!(
                "mlmath {}, 1 thread ({}; {})",
                locked_version("mlmath"),
                rustc_version(),
                self.build
            ),
            format!(
                "PyTorch {} on the CPU ({} kernels), 2 threads (torch.set_num_threads), \
                 and 1 thread for comparison; Python {}",
                self.text("pytorch"),
                self.text("pytorch_cpu_capability"),
                self.text("python")
            ),
            format!(
                "scikit-learn {} (numpy {}, {blas}), BLAS limited to 2 threads",
                self.text("scikit_learn"),
                self.text("numpy")
            ),
            format!(
                "NumPy {} with SciPy {} (Cholesky: LAPACK dpotrf/dpotrs), the BLAS's \
                 default threads: {}",
                self.text("numpy"),
                self.text("scipy"),
                self.text("numpy_threads")
            ),
            format!(
                "median of {} rounds, the sides taking turns in each; load average {}",
                self.rounds, self.load
            ),
        ]
    }
}

fn ratio(mlmath: Option<f64>, other: f64) -> String {
    match mlmath {
        Some(m) if other > 0.0 => format!("{:.2}", m / other),
        _ => "-".into(),
    }
}

fn print_table(header: &Header, workloads: &[Workload], rows: &[Row]) {
    println!(
        "\nCompute benchmark: the course's workloads, mlmath beside PyTorch (CPU) and scikit-learn"
    );
    for line in header.lines() {
        println!("{line}");
    }
    println!(
        "\n{:<30} {:>9} {:>9} {:>9} {:>9} {:>12}",
        "library", "seconds", "ms/step", "accuracy", "loss", "mlmath/this"
    );
    for workload in workloads {
        println!("{}  ({})", workload.title, workload.detail);
        if workload.kind == Kind::Svm {
            println!(
                "  {:<28} {:>9} {:>9} {:>9} {:>9}",
                "", "", "SMO iter.", "", "SVs"
            );
        }
        if workload.kind == Kind::Sweep {
            println!(
                "  {:<28} {:>9} {:>9} {:>9} {:>9}",
                "", "", "peak N", "peak err", "err@max N"
            );
        }
        if workload.kind == Kind::Steps {
            println!(
                "  {:<28} {:>9} {:>9} {:>9} {:>9}",
                "", "", "", "last 50", "step 1"
            );
        }
        let mine = rows
            .iter()
            .find(|r| r.workload == workload.key && r.side == Side::Mlmath && !r.runs.is_empty())
            .map(Row::seconds);
        if let Some(why) = workload.missing {
            println!("  {:<28} not yet: {why}", "mlmath");
        }
        for row in rows.iter().filter(|r| r.workload == workload.key) {
            let last = match row.side {
                Side::Mlmath => String::new(),
                Side::Kernel => match mine {
                    Some(m) => format!("cell/binary {:.2}", row.seconds() / m),
                    None => "-".into(),
                },
                _ => ratio(mine, row.seconds()),
            };
            let (seconds, steps, loss) = match workload.kind {
                Kind::Network => (
                    format!("{:.2}", row.seconds()),
                    format!("{:.3}", row.ms_per_step()),
                    format!("{:.4}", row.loss()),
                ),
                Kind::Svm => (
                    format!("{:.3}", row.seconds()),
                    row.steps().to_string(),
                    format!("{:.0}", row.loss()),
                ),
                Kind::Sweep => (
                    format!("{:.3}", row.seconds()),
                    row.peak_location(),
                    format!("{:.4}", row.loss()),
                ),
                Kind::Steps => (
                    format!("{:.2}", row.seconds()),
                    format!("{:.2}", row.ms_per_step()),
                    format!("{:.4}", row.loss()),
                ),
            };
            let metric = match workload.kind {
                Kind::Steps => format!("{:.4}", row.metric()),
                _ => format!("{:.3}", row.metric()),
            };
            println!(
                "  {:<28} {:>9} {:>9} {:>9} {:>9} {:>12}",
                row.side.label(),
                seconds,
                steps,
                metric,
                loss,
                last
            );
            if let Some(note) = &row.note {
                println!("  {:<28} ({note})", "");
            }
        }
    }
    println!(
        "seconds: the training loop alone; ms/step: seconds / optimiser steps; accuracy: \
         test rows; loss: mean cross-entropy of the last epoch;\nfor the SVM, seconds: \
         the fit alone, SMO iter.: iterations summed over the one-vs-one machines, \
         SVs: training rows that are support vectors;\nfor the sweep, seconds: the \
         median heuristic, the draw of the features and every fit, peak N: the count of \
         features of largest test error (the median over the rounds), peak err: that test \
         error, err@max N: the test error with the most features;\nfor the transformer, \
         seconds: the timed steps after the warm-up, last 50: the mean training loss of the \
         last 50 steps, step 1: the loss before any update;\nmlmath/this: mlmath's \
         seconds over that row's (below 1: mlmath is faster); cell/binary: the same code \
         run from a notebook cell, over the compiled benchmark"
    );
}

fn report(header: &Header, workloads: &[Workload], rows: &[Row]) -> Value {
    let m = &header.machine;
    json!({
        "date": Command::new("date").arg("+%Y-%m-%d %H:%M").output().ok()
            .and_then(|o| String::from_utf8(o.stdout).ok()).unwrap_or_default().trim(),
        "machine": {
            "cpu": m.cpu,
            "cores": m.cores,
            "vector_extensions": m.extensions,
            "gemm_kernel": m.gemm,
            "gemm_rule": m.gemm_rule,
            "load_average": header.load,
        },
        "versions": {
            "mlmath": locked_version("mlmath"),
            "matrixmultiply": locked_version("matrixmultiply"),
            "rustc": rustc_version(),
            "mlmath_build": header.build,
            "reference": header.about,
        },
        "rounds": header.rounds,
        "workloads": workloads.iter().map(|w| json!({
            "key": w.key,
            "title": w.title,
            "detail": w.detail,
            "spec": w.spec,
            "mlmath": w.missing.map_or("runs".to_string(), |why| format!("not yet: {why}")),
        })).collect::<Vec<_>>(),
        "rows": rows.iter().map(|r| {
            let mine = rows.iter()
                .find(|o| o.workload == r.workload && o.side == Side::Mlmath && !o.runs.is_empty())
                .map(Row::seconds);
            let kind = workloads.iter().find(|w| w.key == r.workload).map(|w| w.kind);
            let svm = kind == Some(Kind::Svm);
            let sweep = kind == Some(Kind::Sweep);
            let steps = kind == Some(Kind::Steps);
            let per_run = |f: fn(&Measured) -> f64| -> Value {
                if sweep { json!(r.runs.iter().map(f).collect::<Vec<_>>()) } else { Value::Null }
            };
            json!({
                "workload": r.workload,
                "library": r.side.label(),
                "seconds": r.runs.iter().map(|m| m.seconds).collect::<Vec<_>>(),
                "median_seconds": r.seconds(),
                "steps": r.steps(),
                "ms_per_step": r.ms_per_step(),
                "accuracy": if sweep || steps { Value::Null } else {
                    json!(r.runs.iter().map(|m| m.metric).collect::<Vec<_>>())
                },
                "median_accuracy": if sweep || steps { Value::Null } else { json!(r.metric()) },
                "median_loss": if svm || sweep || steps { Value::Null } else { json!(r.loss()) },
                "last_steps_loss": if steps {
                    json!(r.runs.iter().map(|m| m.metric).collect::<Vec<_>>())
                } else { Value::Null },
                "median_last_steps_loss": if steps { json!(r.metric()) } else { Value::Null },
                "first_step_loss": if steps {
                    json!(r.runs.iter().map(|m| m.loss).collect::<Vec<_>>())
                } else { Value::Null },
                "peak_features": per_run(|m| m.steps as f64),
                "peak_test_error": per_run(|m| m.metric),
                "last_test_error": per_run(|m| m.loss),
                "support_vectors": if svm { json!(r.loss()) } else { Value::Null },
                "smo_iterations": if svm { json!(r.steps()) } else { Value::Null },
                "mlmath_over_this": match (r.side, mine) {
                    (Side::PyTorch(_) | Side::ScikitLearn(_) | Side::NumPy(_), Some(m)) => {
                        json!(m / r.seconds())
                    }
                    _ => Value::Null,
                },
                "cell_over_binary": match (r.side, mine) {
                    (Side::Kernel, Some(m)) => json!(r.seconds() / m),
                    _ => Value::Null,
                },
                "note": r.note,
            })
        }).collect::<Vec<_>>(),
    })
}
