//! Seeded random numbers: the one way the course draws randomness.
//!
//! Every random draw in the course takes a generator made by [`seeded`], so
//! that running a notebook twice prints the same numbers. The generator is
//! rand's `StdRng` (ChaCha with 12 rounds): the same seed gives the same
//! stream on every machine for a given version of `rand`.
//!
//! ```
//! use mlmath::random::{seeded, Rng};
//! let a: f64 = seeded(7).random();
//! let b: f64 = seeded(7).random();
//! assert_eq!(a, b);
//! ```

pub use ndarray_rand::RandomExt;
pub use ndarray_rand::rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
pub use ndarray_rand::rand_distr::{Distribution, Normal, StandardNormal, Uniform};

use ndarray::{Array1, Array2};

use crate::error::{Error, Result};

/// The most numbers one call draws: 10⁸ (800 MB of f64). A matrix of more
/// entries is refused with an error rather than allocated, since a shape
/// typed with one zero too many would otherwise exhaust the memory of the
/// machine (`10⁶ × 10⁶` draws are 8 TB) and stop the kernel.
pub const MAX_DRAWS: usize = 100_000_000;

/// `n · d` when the product of the sides, an empty side counted as 1, is at
/// most [`MAX_DRAWS`]; otherwise an error that names the shape and the fix.
/// (An empty side still counts: ndarray refuses a shape such as
/// `(usize::MAX, 0)` whose other side alone is too large.) The product is
/// computed with `checked_mul`, so one that overflows a `usize` is refused.
fn check_shape(what: &str, n: usize, d: usize) -> Result<usize> {
    match n.max(1).checked_mul(d.max(1)) {
        Some(count) if count <= MAX_DRAWS => Ok(n * d),
        _ => Err(Error::parameter(
            format!("the shape (n, d) of {what}"),
            format!(
                "at most {MAX_DRAWS} entries in all (draw the rows in batches, or fewer of them)"
            ),
            format!("({n}, {d})"),
        )),
    }
}

/// A generator seeded with `seed`: same seed, same numbers.
pub fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// An `(n, d)` matrix of independent standard normal draws, N(0, 1).
///
/// An error when the shape holds more than [`MAX_DRAWS`] entries.
///
/// ```
/// use mlmath::random::{normal_matrix, seeded};
/// let z = normal_matrix(1000, 3, &mut seeded(1)).unwrap();
/// assert_eq!(z.dim(), (1000, 3));
/// assert!(normal_matrix(usize::MAX, 2, &mut seeded(1)).is_err());
/// ```
pub fn normal_matrix(n: usize, d: usize, rng: &mut StdRng) -> Result<Array2<f64>> {
    check_shape("normal_matrix", n, d)?;
    Ok(Array2::random_using((n, d), StandardNormal, rng))
}

/// A vector of `n` independent standard normal draws, N(0, 1): a random
/// direction (after dividing by its norm), or a random weight vector.
///
/// ```
/// let v = mlmath::random::normal_vector(3, &mut mlmath::random::seeded(1));
/// assert_eq!(v.len(), 3);
/// ```
pub fn normal_vector(n: usize, rng: &mut StdRng) -> Array1<f64> {
    Array1::random_using(n, StandardNormal, rng)
}

/// An `(n, d)` matrix of independent draws, uniform on [low, high).
///
/// An error unless `low < high`, both finite, or when the shape holds more
/// than [`MAX_DRAWS`] entries.
///
/// ```
/// use mlmath::random::{seeded, uniform_matrix};
/// let u = uniform_matrix(100, 2, -1.0, 1.0, &mut seeded(1)).unwrap();
/// assert!(u.iter().all(|&v| (-1.0..1.0).contains(&v)));
/// assert!(uniform_matrix(1, 1, 1.0, 1.0, &mut seeded(1)).is_err());
/// // 10⁶ × 10⁶ draws would be 8 TB: refused before anything is allocated.
/// assert!(uniform_matrix(1_000_000, 1_000_000, 0.0, 1.0, &mut seeded(1)).is_err());
/// ```
pub fn uniform_matrix(
    n: usize,
    d: usize,
    low: f64,
    high: f64,
    rng: &mut StdRng,
) -> Result<Array2<f64>> {
    let dist = Uniform::new(low, high)
        .ok()
        .filter(|_| low.is_finite() && high.is_finite())
        .ok_or_else(|| {
            Error::parameter(
                "the range [low, high) of uniform_matrix",
                "finite, with low below high",
                format!("[{low}, {high})"),
            )
        })?;
    check_shape("uniform_matrix", n, d)?;
    Ok(Array2::random_using((n, d), dist, rng))
}

/// The numbers `0..n` in a random order (a permutation for shuffling rows).
pub fn permutation(n: usize, rng: &mut StdRng) -> Array1<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    Array1::from(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_draws_have_mean_zero_and_variance_one() {
        // For n draws, the sample mean has standard error 1/sqrt(n) = 0.005;
        // the sample variance has standard error sqrt(2/n) ≈ 0.007.
        let z = normal_matrix(40_000, 1, &mut seeded(3)).unwrap();
        let mean = z.mean().unwrap();
        let var = z.var(0.0);
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.03, "variance {var}");
    }

    #[test]
    fn uniform_draws_match_the_moments_of_the_interval() {
        // U[a, b) has mean (a+b)/2 and variance (b-a)^2/12.
        let u = uniform_matrix(40_000, 1, -1.0, 3.0, &mut seeded(4)).unwrap();
        assert!((u.mean().unwrap() - 1.0).abs() < 0.03);
        assert!((u.var(0.0) - 16.0 / 12.0).abs() < 0.03);
        assert!(u.iter().all(|&v| (-1.0..3.0).contains(&v)));
    }

    #[test]
    fn shapes_beyond_the_cap_are_refused_before_allocating() {
        let mut rng = seeded(6);
        let shapes = [
            (usize::MAX, 2),
            (2, usize::MAX),
            (1_000_000, 1_000_000),
            (usize::MAX, 0),
        ];
        for (n, d) in shapes {
            let e = uniform_matrix(n, d, 0.0, 1.0, &mut rng).unwrap_err();
            assert!(e.to_string().contains("at most 100000000 entries"), "{e}");
            let e = normal_matrix(n, d, &mut rng).unwrap_err();
            assert!(e.to_string().contains(&format!("({n}, {d})")), "{e}");
        }
        // The cap itself is allowed (as a shape; 10⁸ × 0 allocates nothing).
        assert_eq!(check_shape("x", MAX_DRAWS, 1).unwrap(), MAX_DRAWS);
        assert!(check_shape("x", MAX_DRAWS + 1, 1).is_err());
        assert_eq!(
            normal_matrix(MAX_DRAWS, 0, &mut rng).unwrap().dim(),
            (MAX_DRAWS, 0)
        );
        assert_eq!(
            uniform_matrix(0, 3, 0.0, 1.0, &mut rng).unwrap().dim(),
            (0, 3)
        );
    }

    #[test]
    fn a_permutation_holds_every_index_once() {
        let mut p = permutation(100, &mut seeded(5)).to_vec();
        assert_ne!(
            p,
            (0..100).collect::<Vec<_>>(),
            "a shuffle of 100 should move something"
        );
        p.sort();
        assert_eq!(p, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn different_seeds_give_different_streams() {
        let a: u64 = seeded(1).random();
        let b: u64 = seeded(2).random();
        assert_ne!(a, b);
    }
}
