//! Saving and loading parameters (the format is in the [module
//! documentation](super#saving-and-loading)). Both run compiled in the
//! crate, as kernels of the engine.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::ErrorKind;
use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use sha2::{Digest, Sha256};

use crate::autodiff::{Float, Tensor, shape_str};
use crate::error::{Error, Result};

/// The first line of every parameter file.
const FORMAT: &str = "mlmath parameters, version 1";

/// The bytes of one number in the payload: 4 for `f32`, 8 for `f64`.
fn width<F: Float>() -> usize {
    std::mem::size_of::<F>()
}

/// An error about the file `path`: what is wrong with it, and the fix.
fn file_error(path: &Path, problem: impl Into<String>, fix: impl Into<String>) -> Error {
    Error::DataFile {
        path: path.to_path_buf(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// The SHA-256 digest of `bytes`, in hexadecimal.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

// ---------------------------------------------------------------- saving

/// Writes `params` of the model `model` to `path`: see [`Module::save`](super::Module::save).
pub(crate) fn save<F: Float>(
    path: &Path,
    model: &str,
    params: &[(String, Tensor<F>)],
) -> Result<()> {
    let mut seen = HashSet::new();
    for (name, _) in params {
        let clean = !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == ':');
        if !clean || !seen.insert(name.as_str()) {
            return Err(Error::parameter(
                "a parameter name saved with Module::save",
                "non-empty, unique, without spaces or ':' (such as \"0.weight\")",
                format!("{name:?}"),
            ));
        }
    }
    let mut payload = Vec::new();
    for (_, p) in params {
        let value = p.value();
        payload.reserve(value.len() * width::<F>());
        for &v in value.iter() {
            match width::<F>() {
                4 => payload.extend_from_slice(&(Float::as_f64(v) as f32).to_le_bytes()),
                _ => payload.extend_from_slice(&Float::as_f64(v).to_le_bytes()),
            }
        }
    }
    let mut header = format!("{FORMAT}\ndtype: {}\n", F::NAME);
    let _ = writeln!(header, "model: {}", model.replace(['\n', '\r'], " "));
    let _ = writeln!(header, "parameters: {}", params.len());
    for (name, p) in params {
        let _ = writeln!(header, "{name}: {}", shape_str(&p.shape()));
    }
    let _ = writeln!(header, "payload: {} bytes", payload.len());
    let _ = writeln!(header, "sha256: {}\n", sha256_hex(&payload));

    let mut bytes = header.into_bytes();
    bytes.extend_from_slice(&payload);
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    std::fs::write(&partial, &bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| {
            std::fs::remove_file(&partial).ok();
            file_error(
                path,
                format!("could not be written ({e})"),
                "check that its folder exists and can be written to",
            )
        })
}

// ---------------------------------------------------------------- loading

/// The header of a parameter file, as read.
struct Header {
    dtype: String,
    model: String,
    params: Vec<(String, Vec<usize>)>,
    payload_len: usize,
    sha256: String,
}

/// `"(64, 128)"` → `[64, 128]`; `"(10,)"` → `[10]`; `"()"` → `[]`.
fn parse_shape(s: &str) -> Option<Vec<usize>> {
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|side| !side.is_empty())
        .map(|side| side.parse().ok())
        .collect()
}

/// The value of the next header line, `"{key}: value"`.
fn field<'a>(
    lines: &mut impl Iterator<Item = &'a str>,
    key: &str,
) -> std::result::Result<String, String> {
    let line = lines.next().unwrap_or("");
    line.strip_prefix(key)
        .and_then(|rest| rest.strip_prefix(": "))
        .map(str::to_string)
        .ok_or_else(|| {
            format!("has a damaged header: expected a line \"{key}: …\", found {line:?}")
        })
}

/// The header at the start of `bytes` and the offset of the payload, or
/// what is wrong with it.
fn parse_header(bytes: &[u8]) -> std::result::Result<(Header, usize), String> {
    let not_ours = || {
        "is not an mlmath parameter file (it does not start with the line \
                       \"mlmath parameters, version 1\")"
            .to_string()
    };
    let end = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or_else(not_ours)?;
    let text = std::str::from_utf8(&bytes[..end]).map_err(|_| not_ours())?;
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    if first != FORMAT {
        return Err(match first.strip_prefix("mlmath parameters, version ") {
            Some(v) => format!("is in version {v} of the format; this mlmath reads version 1"),
            None => not_ours(),
        });
    }
    let dtype = field(&mut lines, "dtype")?;
    let model = field(&mut lines, "model")?;
    let count: usize = field(&mut lines, "parameters")?
        .parse()
        .map_err(|_| "has a damaged header: the parameter count is not a number".to_string())?;
    let mut params = Vec::new();
    for _ in 0..count {
        let line = lines.next().unwrap_or("");
        let parsed = line
            .split_once(": ")
            .and_then(|(name, shape)| Some((name.to_string(), parse_shape(shape)?)));
        params.push(parsed.ok_or_else(|| {
            format!("has a damaged header: expected a line \"name: (shape)\", found {line:?}")
        })?);
    }
    let payload_len = field(&mut lines, "payload")?
        .strip_suffix(" bytes")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| "has a damaged header: the payload size is not a number".to_string())?;
    let sha256 = field(&mut lines, "sha256")?;
    let header = Header {
        dtype,
        model,
        params,
        payload_len,
        sha256,
    };
    Ok((header, end + 2))
}

/// The first difference between the file's parameters and the model's.
fn first_difference<F: Float>(
    saved: &[(String, Vec<usize>)],
    params: &[(String, Tensor<F>)],
) -> Option<String> {
    for ((name, shape), (own_name, p)) in saved.iter().zip(params) {
        let own_shape = p.shape();
        if name != own_name {
            return Some(format!(
                "the file has {name} where the model has {own_name}"
            ));
        }
        if *shape != own_shape {
            return Some(format!(
                "{name} is {} in the file and {} in the model",
                shape_str(shape),
                shape_str(&own_shape)
            ));
        }
    }
    (saved.len() != params.len()).then(|| {
        format!(
            "the file has {} parameters, the model {}",
            saved.len(),
            params.len()
        )
    })
}

/// Reads `path` into `params` of the model `model`: see
/// [`Module::load`](super::Module::load). Every check comes before the
/// first parameter is changed.
pub(crate) fn load<F: Float>(
    path: &Path,
    model: &str,
    params: &[(String, Tensor<F>)],
) -> Result<()> {
    let save_again = "save the model again with model.save(path)";
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => file_error(
            path,
            "no such file",
            "check the path (a relative path starts in the notebook's folder), \
             or save a model there first with model.save(path)",
        ),
        _ => file_error(
            path,
            format!("could not be read ({e})"),
            "check its permissions",
        ),
    })?;
    let (header, start) = parse_header(&bytes).map_err(|problem| {
        file_error(
            path,
            problem,
            format!("give the path of a file written by {save_again}"),
        )
    })?;
    let payload = &bytes[start..];
    if payload.len() != header.payload_len || sha256_hex(payload) != header.sha256 {
        return Err(file_error(
            path,
            format!(
                "is damaged: its payload ({} bytes, SHA-256 {}) is not the one its header \
                 describes ({} bytes, SHA-256 {})",
                payload.len(),
                sha256_hex(payload),
                header.payload_len,
                header.sha256
            ),
            format!("copy the file again, or {save_again}"),
        ));
    }
    if header.dtype != F::NAME {
        return Err(file_error(
            path,
            format!(
                "holds {} parameters, and this model computes in {}",
                header.dtype,
                F::NAME
            ),
            format!(
                "load it into a model of {} (such as Mlp::<{}>::new(…)), or save it again \
                 from a {} model",
                header.dtype,
                header.dtype,
                F::NAME
            ),
        ));
    }
    if let Some(difference) = first_difference(&header.params, params) {
        return Err(file_error(
            path,
            format!(
                "was saved from {}, and this model is {} ({difference})",
                header.model, model
            ),
            format!(
                "build the model as it was saved ({}) before loading",
                header.model
            ),
        ));
    }
    let expected: usize = params
        .iter()
        .map(|(_, p)| p.value().len() * width::<F>())
        .sum();
    if expected != payload.len() {
        return Err(file_error(
            path,
            format!(
                "has a payload of {} bytes for parameters of {expected} bytes",
                payload.len()
            ),
            format!("copy the file again, or {save_again}"),
        ));
    }
    // Every check passed: decode all, then set all.
    let mut values = Vec::with_capacity(params.len());
    let mut rest = payload;
    for (_, p) in params {
        let shape = p.shape();
        let (mine, tail) = rest.split_at(p.value().len() * width::<F>());
        rest = tail;
        let numbers = mine.chunks_exact(width::<F>()).map(|b| match b.len() {
            4 => F::of(f32::from_le_bytes(b.try_into().expect("4 bytes")) as f64),
            _ => F::of(f64::from_le_bytes(b.try_into().expect("8 bytes"))),
        });
        let value = ArrayD::from_shape_vec(IxDyn(&shape), numbers.collect())
            .expect("the length was checked against the shape");
        values.push(value);
    }
    for ((_, p), value) in params.iter().zip(values) {
        p.set_value(value)?;
    }
    Ok(())
}
