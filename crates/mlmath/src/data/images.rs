//! Moving images: each row of a matrix is a square image, shifted by whole
//! pixels with zeros filling what comes in from outside.

use ndarray::{Array2, ArrayView2, AsArray, Ix2};

use crate::error::{Error, Result};

/// Every image of `x: (n, side·side)` (rows in row-major order; owned, a
/// reference or a view) moved `dx` pixels to the right and `dy` pixels
/// down (negative: left, up), with 0 where no pixel comes from:
///
/// ```text
///   out[i, r·side + q] = x[i, (r − dy)·side + (q − dx)]   if 0 ≤ r − dy < side
///                                                           and 0 ≤ q − dx < side,
///                        0                                otherwise.
/// ```
///
/// Pixels moved past the border are lost; a shift of `side` or more leaves
/// a blank image.
///
/// An error when `side` is 0 or the rows do not hold `side²` pixels.
///
/// ```
/// use ndarray::array;
/// // a 3×3 image, one pixel to the right: the first column is new (0)
/// let x = array![[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]];
/// let right = mlmath::data::shift_images(&x, 3, 1, 0)?;
/// assert_eq!(right, array![[0.0, 1.0, 2.0, 0.0, 4.0, 5.0, 0.0, 7.0, 8.0]]);
/// # Ok::<(), mlmath::Error>(())
/// ```
pub fn shift_images<'a>(
    x: impl AsArray<'a, f64, Ix2>,
    side: usize,
    dx: isize,
    dy: isize,
) -> Result<Array2<f64>> {
    shift_of(x.into(), side, dx, dy)
}

fn shift_of(x: ArrayView2<'_, f64>, side: usize, dx: isize, dy: isize) -> Result<Array2<f64>> {
    let pixels = side.checked_mul(side);
    if side == 0 || pixels != Some(x.ncols()) {
        return Err(Error::shape(
            format!("the images to shift (side {side})"),
            match pixels {
                Some(p) if side > 0 => format!("{p} columns, one row of side × side pixels each"),
                _ => "a side of at least 1, and side × side columns".to_string(),
            },
            format!(
                "{} columns (give the side of the images: 20 for mnist20)",
                x.ncols()
            ),
        ));
    }
    let mut out = Array2::zeros(x.raw_dim());
    // The source range of a shifted axis: destination d reads d − shift.
    let range = |shift: isize| {
        let lo = shift.clamp(0, side as isize) as usize;
        let hi = (side as isize)
            .saturating_add(shift)
            .clamp(0, side as isize) as usize;
        (lo, hi)
    };
    let ((r0, r1), (q0, q1)) = (range(dy), range(dx));
    for (image, mut moved) in x.outer_iter().zip(out.outer_iter_mut()) {
        for r in r0..r1 {
            let from = (r as isize - dy) as usize * side;
            for q in q0..q1 {
                moved[r * side + q] = image[from + (q as isize - dx) as usize];
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The 3×3 image 1..9 as a row: [[1, 2, 3], [4, 5, 6], [7, 8, 9]].
    fn one_to_nine() -> Array2<f64> {
        Array2::from_shape_fn((1, 9), |(_, p)| (p + 1) as f64)
    }

    #[test]
    fn hand_worked_shifts_of_a_three_by_three_image() {
        let x = one_to_nine();
        let shifted = |dx, dy| shift_images(&x, 3, dx, dy).unwrap().row(0).to_vec();
        assert_eq!(
            shifted(0, 0),
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
        );
        // one down: the top row is new
        assert_eq!(
            shifted(0, 1),
            vec![0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        // one left: the last column is new
        assert_eq!(
            shifted(-1, 0),
            vec![2.0, 3.0, 0.0, 5.0, 6.0, 0.0, 8.0, 9.0, 0.0]
        );
        // two right and one up: only 4 and 7 stay, in the last column, moved up a row
        assert_eq!(
            shifted(2, -1),
            vec![0.0, 0.0, 4.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0]
        );
        assert_eq!(shifted(3, 0), vec![0.0; 9]);
        assert_eq!(shifted(0, -7), vec![0.0; 9]);
    }

    #[test]
    fn each_row_is_shifted_on_its_own() {
        let x = array![[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]];
        let moved = shift_images(&x, 2, 1, 1).unwrap();
        assert_eq!(moved, array![[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]);
    }

    #[test]
    fn a_shift_and_its_inverse_keep_the_inner_pixels() {
        let x = Array2::from_shape_fn((2, 25), |(i, p)| (10 * i + p) as f64);
        let there = shift_images(&x, 5, 2, -1).unwrap();
        let back = shift_images(&there, 5, -2, 1).unwrap();
        for p in 0..25 {
            let (r, q) = (p / 5, p % 5);
            let kept = r >= 1 && q < 3; // the pixels that stayed in the frame
            assert_eq!(
                back[[1, p]],
                if kept { x[[1, p]] } else { 0.0 },
                "pixel {p}"
            );
        }
    }

    #[test]
    fn a_wrong_side_is_an_error() {
        let x = one_to_nine();
        let e = shift_images(&x, 4, 1, 0).unwrap_err().to_string();
        assert!(e.contains("16 columns") && e.contains("9 columns"), "{e}");
        assert!(shift_images(&x, 0, 1, 0).is_err());
    }

    #[test]
    fn the_largest_shifts_leave_a_blank_image() {
        // A shift of side or more moves every pixel out; at isize's ends too (no overflow).
        let x = one_to_nine();
        for (dx, dy) in [
            (isize::MAX, 0),
            (0, isize::MAX),
            (isize::MIN, 0),
            (0, isize::MIN),
        ] {
            let moved = shift_images(&x, 3, dx, dy).unwrap();
            assert_eq!(moved, Array2::zeros((1, 9)), "dx {dx}, dy {dy}");
        }
        assert_eq!(shift_images(&x, 3, 2, -2).unwrap()[[0, 2]], 7.0);
    }
}
