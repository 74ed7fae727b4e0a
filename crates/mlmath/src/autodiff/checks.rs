//! The checks of the ops of [`ops`](super::ops): shapes and axes that an op
//! refuses, each an error naming the op, what was expected and what was got.

use super::shape_str;
use crate::error::{Error, Result};

/// The shape two shapes broadcast to (NumPy's rule: align on the right; a
/// side of 1 stretches), or an error naming the op and both shapes.
pub(crate) fn broadcast_shape(op: &str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let side = |s: &[usize], i: usize| {
        if i + s.len() >= n {
            s[i + s.len() - n]
        } else {
            1
        }
    };
    (0..n)
        .map(|i| match (side(a, i), side(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            _ => Err(Error::shape(
                format!("{op}: the right operand"),
                format!("a shape that broadcasts with {}", shape_str(a)),
                shape_str(b),
            )),
        })
        .collect()
}

/// An error unless `axis` is an axis of `shape`.
pub(super) fn check_axis(op: &str, shape: &[usize], axis: usize) -> Result<()> {
    if axis < shape.len() {
        return Ok(());
    }
    Err(Error::parameter(
        format!("the axis of {op} on a tensor of shape {}", shape_str(shape)),
        if shape.is_empty() {
            "an axis of the tensor, which has none".to_string()
        } else {
            format!("below {}", shape.len())
        },
        axis,
    ))
}

/// An error when the (valid) `axis` of `shape` has no entries.
pub(super) fn check_not_empty_axis(op: &str, shape: &[usize], axis: usize) -> Result<()> {
    if shape[axis] > 0 {
        return Ok(());
    }
    Err(Error::parameter(
        format!(
            "axis {axis} of the tensor of shape {} that {op} reduces",
            shape_str(shape)
        ),
        "at least one entry long",
        "length 0",
    ))
}
