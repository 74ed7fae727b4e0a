//! The character transformer shipped with the course: its configuration,
//! the checkpoint file trained by `cargo course train transformer`, loaded
//! after its checksum is checked, and the record of the run that trained it.

use super::{Module, Transformer, TransformerConfig};
use crate::error::{Error, Result};

/// The file of the shipped checkpoint, under the data folder
/// ([`data_dir`](crate::data::data_dir)).
pub const SHIPPED_FILE: &str = "checkpoints/moby-transformer.params";

/// The command that trains the shipped checkpoint again.
pub const SHIPPED_COMMAND: &str = "cargo course train transformer";

/// The configuration of the shipped character transformer: Moby-Dick's
/// 83 characters, a context of 128, 4 blocks of width 128 with 4 heads,
/// dropout 0.1, learned positions, the output tied to the embedding.
pub fn shipped_config() -> TransformerConfig {
    TransformerConfig {
        dropout: 0.1,
        ..TransformerConfig::new(83, 128, 128, 4, 4)
    }
}

/// The character transformer trained on Moby-Dick by `cargo course train
/// transformer`, loaded from [`SHIPPED_FILE`] after its SHA-256 is checked
/// against `data/SHA256SUMS`.
///
/// An error naming the file, the expected checksum and the command that
/// trains it again when the file is missing or damaged, and naming both
/// configurations when the file holds a model of another configuration.
pub fn shipped_transformer() -> Result<Transformer<f32>> {
    shipped_transformer_from(crate::data::data_dir().join(SHIPPED_FILE))
}

/// [`shipped_transformer`] read from another path (a copy of the file):
/// the same checks against the checksum `data/SHA256SUMS` lists for
/// [`SHIPPED_FILE`], the same errors.
///
/// ```
/// let e = mlmath::nn::shipped_transformer_from("no/such/file.params").unwrap_err();
/// assert!(e.to_string().contains("cargo course train transformer"));
/// ```
pub fn shipped_transformer_from(path: impl AsRef<std::path::Path>) -> Result<Transformer<f32>> {
    let path = path.as_ref();
    let listed = crate::data::checksums()?.remove(SHIPPED_FILE);
    let fail = |problem: String| Error::DataFile {
        path: path.to_path_buf(),
        problem,
        fix: format!(
            "train it again with `{SHIPPED_COMMAND}` (about 50 minutes on two cores), or restore it with \
             `git checkout data/{SHIPPED_FILE}`"
        ),
    };
    let Some(expected) = listed else {
        return Err(fail(format!(
            "data/SHA256SUMS lists no checksum for {SHIPPED_FILE}"
        )));
    };
    let bytes = std::fs::read(path).map_err(|e| {
        fail(format!(
            "the file cannot be read ({e}); data/SHA256SUMS expects SHA-256 {expected}"
        ))
    })?;
    let actual = super::sha256_hex(&bytes);
    if actual != expected {
        return Err(fail(format!(
            "the file is damaged or was replaced: its SHA-256 is {actual}, data/SHA256SUMS \
             expects {expected}"
        )));
    }
    let model = Transformer::new(shipped_config(), 0)?;
    model.load(path)?;
    Ok(model)
}

/// The file of the shipped checkpoint's training record, under the data
/// folder.
pub const SHIPPED_RECORD: &str = "checkpoints/moby-transformer.record";

/// What `cargo course train transformer` measured while training the
/// shipped checkpoint: read it with [`shipped_record`].
#[derive(Debug, Clone, PartialEq)]
pub struct ShippedRecord {
    /// The configuration, as [`TransformerConfig`] displays it.
    pub config: String,
    /// The number of trained numbers.
    pub parameters: usize,
    /// The training steps.
    pub steps: usize,
    /// The step whose parameters were kept: the evaluation with the lowest
    /// loss on the validation sample (`steps` in a version 1 record, which
    /// kept the last).
    pub kept_step: usize,
    /// The windows per step.
    pub batch: usize,
    /// The optimiser, schedule and seed, in words.
    pub settings: String,
    /// The wall-clock time of the run, in seconds.
    pub seconds: f64,
    /// The characters of validation scored at each point of the curve
    /// (the first ones of the validation text).
    pub val_sample_chars: usize,
    /// `(step, mean training loss since the previous point, validation
    /// sample nats per character)`, every few hundred steps.
    pub curve: Vec<(usize, f64, f64)>,
    /// Nats per character on the whole validation text, at the end.
    pub val_nats: f64,
    /// Nats per character on the whole test text, at the end.
    pub test_nats: f64,
}

/// The first line of a training record.
const RECORD_FORMAT: &str = "mlmath training record, version 2";

/// The first line of a record written before the kept step was recorded.
const RECORD_FORMAT_1: &str = "mlmath training record, version 1";

impl ShippedRecord {
    /// The record as text: `key: value` lines, then the curve as CSV.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{RECORD_FORMAT}\nconfig: {}\nparameters: {}\nsteps: {}\nkept step: {}\nbatch: {}\n\
             settings: {}\n\
             seconds: {}\nvalidation sample characters: {}\n\
             validation nats per character: {}\ntest nats per character: {}\n\
             curve: step, mean training loss, validation sample nats per character\n",
            self.config,
            self.parameters,
            self.steps,
            self.kept_step,
            self.batch,
            self.settings,
            self.seconds,
            self.val_sample_chars,
            self.val_nats,
            self.test_nats
        );
        for (step, train, val) in &self.curve {
            text.push_str(&format!("{step}, {train}, {val}\n"));
        }
        text
    }

    /// Reads a record written by [`to_text`](Self::to_text); an error
    /// naming the first line that does not fit.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let mut lines = text.lines();
        let version = match lines.next() {
            Some(RECORD_FORMAT) => 2,
            Some(RECORD_FORMAT_1) => 1,
            _ => return Err(format!("the first line is not {RECORD_FORMAT:?}")),
        };
        let mut field = |key: &str| -> std::result::Result<String, String> {
            let line = lines.next().unwrap_or_default();
            line.strip_prefix(&format!("{key}: "))
                .map(str::to_string)
                .ok_or_else(|| format!("expected a line {key:?}: …, found {line:?}"))
        };
        fn number<T: std::str::FromStr>(key: &str, v: String) -> std::result::Result<T, String> {
            v.trim()
                .parse()
                .map_err(|_| format!("{key}: {v:?} is not a number"))
        }
        let config = field("config")?;
        let parameters = number("parameters", field("parameters")?)?;
        let steps = number("steps", field("steps")?)?;
        let kept_step = match version {
            1 => steps,
            _ => number("kept step", field("kept step")?)?,
        };
        let batch = number("batch", field("batch")?)?;
        let settings = field("settings")?;
        let seconds = number("seconds", field("seconds")?)?;
        let val_sample_chars = number(
            "validation sample characters",
            field("validation sample characters")?,
        )?;
        let val_nats = number("validation nats", field("validation nats per character")?)?;
        let test_nats = number("test nats", field("test nats per character")?)?;
        field("curve")?;
        let curve = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let parts: Vec<&str> = l.split(',').map(str::trim).collect();
                match parts[..] {
                    [s, t, v] => Ok((
                        number("curve step", s.into())?,
                        number("curve loss", t.into())?,
                        number("curve nats", v.into())?,
                    )),
                    _ => Err(format!("the curve line {l:?} does not hold 3 numbers")),
                }
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        Ok(ShippedRecord {
            config,
            parameters,
            steps,
            kept_step,
            batch,
            settings,
            seconds,
            val_sample_chars,
            curve,
            val_nats,
            test_nats,
        })
    }
}

/// The training record of the shipped checkpoint ([`SHIPPED_RECORD`]),
/// checked against `data/SHA256SUMS`.
///
/// An error naming the file and the fix when it is missing, changed or
/// unreadable.
pub fn shipped_record() -> Result<ShippedRecord> {
    let path = crate::data::verified(SHIPPED_RECORD)?;
    let text = std::fs::read_to_string(&path).map_err(|e| Error::DataFile {
        path: path.clone(),
        problem: format!("the file cannot be read ({e})"),
        fix: format!("restore it with `git checkout data/{SHIPPED_RECORD}`"),
    })?;
    ShippedRecord::parse(&text).map_err(|problem| Error::DataFile {
        path,
        problem,
        fix: format!(
            "restore it with `git checkout data/{SHIPPED_RECORD}`, or train again with \
             `{SHIPPED_COMMAND}`"
        ),
    })
}
