//! im2col in the open: the patches of a batch of images as the columns of
//! one matrix, so that a convolution becomes one matrix product.
//!
//! For images `x: (n, c, h, w)`, a square kernel of side `k`, stride `s`
//! and zero padding `p`, each output position `(r, q)` of image `i` reads
//! one patch of `c·k·k` numbers. im2col writes that patch as a column:
//!
//! ```text
//!   X_col[j·k² + u·k + v,  i·oh·ow + r·ow + q]  =  x[i, j, r·s + u − p, q·s + v − p]
//! ```
//!
//! for every channel `j < c`, kernel entry `u, v < k` and image `i < n`
//! (0 where the index falls in the padding), with `oh = ⌊(h + 2p − k)/s⌋ + 1`
//! and `ow` alike. A convolution with `W: (o, c, k, k)` is then the product
//! `W_mat · X_col` of the weights as a matrix `(o, c·k²)` with the patches,
//! whose row `f`, column `(i, r, q)` is the output `y[i, f, r, q]`; this is
//! how [`conv2d`](super::Tensor::conv2d) computes it.

use ndarray::{Array2, ArrayView4, AsArray, Ix4};

use super::kernels::{self, Conv};
use super::shape_str;
use crate::error::{Error, Result};

/// The im2col matrix of `x: (n, c, h, w)` (owned, a reference or a view)
/// for a `kernel × kernel` filter with `stride` and zero `padding`:
/// `(c·k², n·oh·ow)`, one row per kernel entry `(j, u, v)` (channel `j < c`,
/// `u, v < k`) and one column per patch `(i, r, q)`, in row-major order of
/// those triples,
///
/// ```text
///   X_col[j·k² + u·k + v,  i·oh·ow + r·ow + q] = x[i, j, r·s + u − p, q·s + v − p],
///   oh = ⌊(h + 2p − k)/s⌋ + 1,  ow = ⌊(w + 2p − k)/s⌋ + 1,
/// ```
///
/// with 0 where the pixel lies in the padding. A convolution with
/// `W: (o, c, k, k)` is the product `W_mat · X_col` of the weights as a
/// matrix `(o, c·k²)` with this matrix: row `f`, column `(i, r, q)` of the
/// product is `y[i, f, r, q]`, as [`conv2d`](super::Tensor::conv2d) computes it.
///
/// An error when `kernel` or `stride` is 0, `x` has no channel, the kernel
/// is larger than the padded image, or the matrix would be too large.
///
/// ```
/// use mlmath::autodiff::im2col;
/// use ndarray::{Array4, array};
/// // one 3×3 image 1..9, 2×2 patches, stride 1, no padding: 4 patches
/// let x = Array4::from_shape_fn((1, 1, 3, 3), |(_, _, r, q)| (3 * r + q + 1) as f64);
/// let cols = im2col(&x, 2, 1, 0)?;
/// assert_eq!(cols, array![
///     [1.0, 2.0, 4.0, 5.0],   // (u, v) = (0, 0): the top-left pixel of each patch
///     [2.0, 3.0, 5.0, 6.0],   // (0, 1)
///     [4.0, 5.0, 7.0, 8.0],   // (1, 0)
///     [5.0, 6.0, 8.0, 9.0],   // (1, 1)
/// ]);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn im2col<'a>(
    x: impl AsArray<'a, f64, Ix4>,
    kernel: usize,
    stride: usize,
    padding: usize,
) -> Result<Array2<f64>> {
    im2col_of(x.into(), kernel, stride, padding)
}

fn im2col_of(x: ArrayView4<'_, f64>, k: usize, s: usize, p: usize) -> Result<Array2<f64>> {
    let (n, c, h, w) = x.dim();
    let what = || format!("im2col of images of shape {}", shape_str(x.shape()));
    if k == 0 {
        return Err(Error::parameter(
            format!("the kernel side of {}", what()),
            "at least 1 (a 3 for 3×3 filters)",
            k,
        ));
    }
    if s == 0 {
        return Err(Error::parameter(
            format!("the stride of {}", what()),
            "at least 1 (1 visits every position)",
            s,
        ));
    }
    if c == 0 {
        return Err(Error::shape(
            what(),
            "(n, c, h, w) with at least one channel c",
            shape_str(x.shape()),
        ));
    }
    let fits = |side: usize| side.saturating_add(p.saturating_mul(2)) >= k;
    if !fits(h) || !fits(w) {
        return Err(Error::shape(
            format!("{} with padding {p}", what()),
            format!("images whose padded sides h + 2p and w + 2p are at least the kernel, {k}"),
            format!("{h} + 2·{p} by {w} + 2·{p} (use a smaller kernel or more padding)"),
        ));
    }
    let cv = Conv::new(&[n, c, h, w], &[1, c, k, k], None, s, p)?;
    Ok(kernels::im2col(&x.to_owned().into_dyn(), &cv))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array4, array};

    /// The definition, entry by entry: a patch's pixel, or 0 in the padding.
    fn by_definition(x: &Array4<f64>, k: usize, s: usize, p: usize) -> Array2<f64> {
        let (n, c, h, w) = x.dim();
        let (oh, ow) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);
        Array2::from_shape_fn((c * k * k, n * oh * ow), |(row, col)| {
            let (ci, u, v) = (row / (k * k), row / k % k, row % k);
            let (i, r, q) = (col / (oh * ow), col / ow % oh, col % ow);
            let (y, x_) = (
                (r * s + u) as isize - p as isize,
                (q * s + v) as isize - p as isize,
            );
            let inside = (0..h as isize).contains(&y) && (0..w as isize).contains(&x_);
            if inside {
                x[[i, ci, y as usize, x_ as usize]]
            } else {
                0.0
            }
        })
    }

    #[test]
    fn a_hand_worked_case_with_padding_and_stride() {
        // 2×2 image [[1, 2], [3, 4]], padding 1 (a 4×4 padded image), 3×3 kernel,
        // stride 1: patches at (0, 0), (0, 1), (1, 0), (1, 1) of the padded image.
        let x = array![[[[1.0, 2.0], [3.0, 4.0]]]];
        let cols = im2col(&x, 3, 1, 1).unwrap();
        let expected = array![
            [0.0, 0.0, 0.0, 1.0], // (u, v) = (0, 0)
            [0.0, 0.0, 1.0, 2.0],
            [0.0, 0.0, 2.0, 0.0],
            [0.0, 1.0, 0.0, 3.0], // (1, 0)
            [1.0, 2.0, 3.0, 4.0], // (1, 1): the centre is the pixel itself
            [2.0, 0.0, 4.0, 0.0],
            [0.0, 3.0, 0.0, 0.0], // (2, 0)
            [3.0, 4.0, 0.0, 0.0],
            [4.0, 0.0, 0.0, 0.0],
        ];
        assert_eq!(cols, expected);
    }

    #[test]
    fn the_definition_for_batches_channels_strides_and_padding() {
        let x = Array4::from_shape_fn((2, 3, 5, 6), |(i, c, r, q)| {
            (100 * i + 30 * c + 7 * r + q) as f64 * 0.5 - 40.0
        });
        for (k, s, p) in [
            (1, 1, 0),
            (2, 1, 0),
            (3, 1, 1),
            (3, 2, 1),
            (2, 3, 2),
            (5, 1, 0),
        ] {
            let cols = im2col(&x, k, s, p).unwrap();
            assert_eq!(cols, by_definition(&x, k, s, p), "k {k}, s {s}, p {p}");
        }
    }

    #[test]
    fn the_product_with_the_weights_is_the_convolution() {
        // y[0, f, r, q] = Σ W[f, 0, u, v] x[0, 0, r + u, q + v], written out by hand for a
        // 3×3 image and two 2×2 filters: W_mat · X_col must give it.
        let x = Array4::from_shape_fn((1, 1, 3, 3), |(_, _, r, q)| (3 * r + q + 1) as f64);
        let w = array![[1.0, 0.0, 0.0, -1.0], [0.5, 0.5, 0.5, 0.5]];
        let y = w.dot(&im2col(&x, 2, 1, 0).unwrap());
        let expected = array![
            [1.0 - 5.0, 2.0 - 6.0, 4.0 - 8.0, 5.0 - 9.0],
            [6.0, 8.0, 12.0, 14.0]
        ];
        assert_eq!(y, expected);
    }

    #[test]
    fn bad_input_is_an_error_naming_it() {
        let x = Array4::<f64>::zeros((1, 1, 4, 4));
        let message = |r: Result<Array2<f64>>| r.unwrap_err().to_string();
        assert!(message(im2col(&x, 0, 1, 0)).contains("kernel side"));
        assert!(message(im2col(&x, 3, 0, 0)).contains("stride"));
        assert!(message(im2col(&x, 7, 1, 1)).contains("at least the kernel, 7"));
        assert!(message(im2col(&Array4::<f64>::zeros((1, 0, 4, 4)), 3, 1, 0)).contains("channel"));
        assert_eq!(im2col(&x, 6, 1, 1).unwrap().dim(), (36, 1));
    }

    #[test]
    fn a_kernel_too_large_to_count_is_an_error_not_a_panic() {
        // k = 2³² with padding 2³¹ fits the padded image, but c·k·k overflows a usize: the
        // size check must say so without computing the product.
        let x = Array4::<f64>::zeros((1, 1, 4, 4));
        let k = 1usize << 32;
        let message = im2col(&x, k, 1, k / 2).unwrap_err().to_string();
        assert!(message.contains("at most"), "{message}");
        assert!(message.contains(&format!("1·{k}·{k}")), "{message}");
    }
}
