//! The k-nearest-neighbours classifier: birds of a feather flock together.
//!
//! Training stores the labelled points (x_i, y_i), nothing more. To classify
//! a new point x, find the set N_k(x) of the k training points closest to it
//! (under a chosen [`Metric`]) and let them vote:
//!
//! ```text
//! ŷ(x) = argmax_c  #{ i ∈ N_k(x) : y_i = c }.
//! ```
//!
//! **Ties.** Two kinds, both settled by fixed rules so that the same data
//! always give the same answer:
//!
//! - *choosing the neighbours*: training points at the same distance are
//!   taken in the order of their rows, the earlier first;
//! - *counting the votes*: among the classes with the most votes, the one
//!   whose voters have the smaller total distance to x wins (it is, on
//!   average, nearer); if those totals are exactly equal too, the smaller
//!   class index wins.
//!
//! **Decision regions.** Each class c owns the set of points x with
//! ŷ(x) = c. For k = 1 these are unions of Voronoi cells (the points closer
//! to x_i than to any other training point), so the boundary is made of
//! pieces of perpendicular bisectors; a larger k smooths it.
//! [`FittedKnn::decision_grid`] evaluates ŷ on a grid for
//! [`Chart::regions`](crate::plot::Chart::regions).
//!
//! **Choosing k.** k = 1 classifies every training point by itself, so its
//! training accuracy is 1 (if no two points coincide) whatever the labels
//! are: it memorises the noise. k = n lets every point vote everywhere and
//! predicts the majority class of the whole training set: it ignores x. The
//! useful k lies in between, and is chosen on data held out from training.
//!
//! **Cost.** No training at all, but each prediction measures the distance
//! to all n training points: O(n d) work per query.
//!
//! ```
//! use mlmath::neighbours::KNearestNeighbours;
//! use ndarray::array;
//! // Class 0 near 0, class 1 near 10.
//! let x = array![[0.0], [1.0], [2.0], [9.0], [10.0], [11.0]];
//! let y = array![0, 0, 0, 1, 1, 1];
//! let model = KNearestNeighbours::new(3).fit(x.view(), y.view(), 2).unwrap();
//! assert_eq!(model.predict(array![[-5.0], [4.0], [7.0]].view()).unwrap(), array![0, 0, 1]);
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::distance::{Metric, pairwise_named, row_norms};
use crate::error::{Error, Result, check_finite, check_samples};

/// The hyperparameters of k-nearest neighbours: how many neighbours vote,
/// and how distance is measured. [`fit`](Self::fit) stores the training set.
///
/// ```
/// use mlmath::distance::Metric;
/// use mlmath::neighbours::KNearestNeighbours;
/// let knn = KNearestNeighbours::new(7).metric(Metric::Manhattan);
/// assert_eq!((knn.k, knn.metric), (7, Metric::Manhattan));
/// assert_eq!(KNearestNeighbours::default().k, 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KNearestNeighbours {
    /// How many neighbours vote, from 1 to the number of training points.
    pub k: usize,
    /// How distance is measured ([`Metric::Euclidean`] by default).
    pub metric: Metric,
}

impl Default for KNearestNeighbours {
    /// k = 5 with the Euclidean metric.
    fn default() -> Self {
        KNearestNeighbours::new(5)
    }
}

impl KNearestNeighbours {
    /// k neighbours under the Euclidean metric.
    pub fn new(k: usize) -> Self {
        KNearestNeighbours {
            k,
            metric: Metric::Euclidean,
        }
    }

    /// Sets the metric.
    pub fn metric(mut self, metric: Metric) -> Self {
        self.metric = metric;
        self
    }

    /// Stores the training set `x: (n, d)` with class labels `y: (n,)`, each
    /// in `0..classes`.
    ///
    /// An error if k is 0 or larger than n, the shapes disagree, x is empty,
    /// a value is not finite, a label is not below `classes`, or (for the
    /// cosine metric) a row of x is the zero vector.
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        classes: usize,
    ) -> Result<FittedKnn> {
        let n = x.nrows();
        check_samples(x, y.len())?;
        if self.k == 0 || self.k > n {
            return Err(Error::parameter(
                "k",
                format!("between 1 and the number of training points n = {n}"),
                format!("k = {}", self.k),
            ));
        }
        check_finite("x", x)?;
        check_labels(y, classes)?;
        if self.metric == Metric::Cosine {
            row_norms("x", x)?;
        }
        Ok(FittedKnn {
            k: self.k,
            metric: self.metric,
            x: x.to_owned(),
            y: y.to_owned(),
            classes,
        })
    }
}

/// A k-nearest-neighbours classifier with its training set.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedKnn {
    /// How many neighbours vote.
    pub k: usize,
    /// How distance is measured.
    pub metric: Metric,
    /// The training points: `(n, d)`.
    pub x: Array2<f64>,
    /// Their labels, each in `0..classes`: `(n,)`.
    pub y: Array1<usize>,
    /// The number of classes.
    pub classes: usize,
}

impl FittedKnn {
    /// The majority class among the k nearest training points of each row
    /// of `x: (m, d)`, with ties settled as in the [module](self) docs.
    ///
    /// ```
    /// use mlmath::neighbours::KNearestNeighbours;
    /// use ndarray::array;
    /// // k = 2 and one neighbour of each class: the nearer one wins.
    /// let model = KNearestNeighbours::new(2)
    ///     .fit(array![[0.0], [3.0]].view(), array![1, 0].view(), 2)
    ///     .unwrap();
    /// assert_eq!(model.predict(array![[1.0], [2.0]].view()).unwrap(), array![1, 0]);
    /// // Halfway, the totals tie too: the smaller class index wins.
    /// assert_eq!(model.predict(array![[1.5]].view()).unwrap(), array![0]);
    /// ```
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let distances = self.distances_to(x)?;
        Ok(distances
            .rows()
            .into_iter()
            .map(|row| self.vote(&self.nearest(row)))
            .collect())
    }

    /// The k nearest training points of the point `x_row: (d,)`, as
    /// `(row index, distance)` pairs, nearest first (equal distances in the
    /// order of the rows).
    ///
    /// ```
    /// use mlmath::neighbours::KNearestNeighbours;
    /// use ndarray::array;
    /// let x = array![[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]];
    /// let model = KNearestNeighbours::new(2).fit(x.view(), array![0, 1, 0].view(), 2).unwrap();
    /// let near = model.neighbours(array![0.0, 1.0].view()).unwrap();
    /// assert_eq!(near, vec![(0, 1.0), (2, 2f64.sqrt())]);
    /// ```
    pub fn neighbours(&self, x_row: ArrayView1<'_, f64>) -> Result<Vec<(usize, f64)>> {
        let distances = self.distances_to(x_row.insert_axis(Axis(0)))?;
        Ok(self.nearest(distances.row(0)))
    }

    /// The predicted class on a `resolution × resolution` grid over
    /// `[x_range.0, x_range.1] × [y_range.0, y_range.1]`, for a model of 2
    /// features: `(resolution, resolution)`, entry `(i, j)` the class at the
    /// centre of the cell in row i, column j. Row 0 is the lowest y and
    /// column 0 the lowest x, as [`Chart::regions`](crate::plot::Chart::regions)
    /// expects.
    ///
    /// An error if the model does not have exactly 2 features, the
    /// resolution is 0, or a range is not an interval `low < high`.
    ///
    /// ```
    /// use mlmath::neighbours::KNearestNeighbours;
    /// use ndarray::array;
    /// // Class 0 below the x-axis, class 1 above it.
    /// let x = array![[0.0, -1.0], [0.0, 1.0]];
    /// let model = KNearestNeighbours::new(1).fit(x.view(), array![0, 1].view(), 2).unwrap();
    /// let grid = model.decision_grid((-2.0, 2.0), (-2.0, 2.0), 4).unwrap();
    /// assert_eq!(grid.row(0).to_vec(), vec![0, 0, 0, 0]); // lowest y
    /// assert_eq!(grid.row(3).to_vec(), vec![1, 1, 1, 1]);
    /// ```
    pub fn decision_grid(
        &self,
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
    ) -> Result<Array2<usize>> {
        if self.x.ncols() != 2 {
            return Err(Error::shape(
                "the model's training data x",
                "2 columns for a decision grid (one feature per axis)",
                format!("{} columns", self.x.ncols()),
            ));
        }
        if resolution == 0 {
            return Err(Error::parameter("resolution", "at least 1", resolution));
        }
        for (name, (low, high)) in [("x_range", x_range), ("y_range", y_range)] {
            if !(low.is_finite() && high.is_finite() && low < high) {
                return Err(Error::parameter(
                    name,
                    "an interval (low, high) of finite numbers with low < high",
                    format!("({low}, {high})"),
                ));
            }
        }
        let centre = |(low, high): (f64, f64), k: usize| {
            low + (high - low) * (k as f64 + 0.5) / resolution as f64
        };
        let points = Array2::from_shape_fn((resolution * resolution, 2), |(p, axis)| {
            let (row, column) = (p / resolution, p % resolution);
            if axis == 0 {
                centre(x_range, column)
            } else {
                centre(y_range, row)
            }
        });
        let classes = self.predict(points.view())?;
        Ok(classes
            .into_shape_with_order((resolution, resolution))
            .expect("resolution² predictions fill the grid"))
    }

    /// The distances `(m, n)` from each row of `x: (m, d)` to each training point.
    fn distances_to(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.x.ncols() {
            return Err(Error::shape(
                "x",
                format!(
                    "{} columns, one per feature of the training data",
                    self.x.ncols()
                ),
                format!("{} columns", x.ncols()),
            ));
        }
        pairwise_named(x, "x", self.x.view(), "the training data", self.metric)
    }

    /// The k smallest of `distances: (n,)` as (index, distance), nearest
    /// first; equal distances in the order of the indices.
    fn nearest(&self, distances: ArrayView1<'_, f64>) -> Vec<(usize, f64)> {
        let closer = |i: &usize, j: &usize| distances[*i].total_cmp(&distances[*j]).then(i.cmp(j));
        let mut order: Vec<usize> = (0..distances.len()).collect();
        if self.k < order.len() {
            // Partition so that the k nearest come first, then sort only those.
            order.select_nth_unstable_by(self.k - 1, closer);
            order.truncate(self.k);
        }
        order.sort_unstable_by(closer);
        order.into_iter().map(|i| (i, distances[i])).collect()
    }

    /// The class with the most votes among `nearest`; on a tie, the smaller
    /// total distance, then the smaller class index.
    fn vote(&self, nearest: &[(usize, f64)]) -> usize {
        let mut votes = vec![0_usize; self.classes];
        let mut totals = vec![0.0_f64; self.classes];
        for &(i, distance) in nearest {
            votes[self.y[i]] += 1;
            totals[self.y[i]] += distance;
        }
        (0..self.classes)
            .min_by(|&a, &b| {
                votes[b]
                    .cmp(&votes[a])
                    .then(totals[a].total_cmp(&totals[b]))
                    .then(a.cmp(&b))
            })
            .expect("fit checked that there is at least one class")
    }
}

/// Checks that every label is below `classes`, naming the first that is not.
fn check_labels(y: ArrayView1<'_, usize>, classes: usize) -> Result<()> {
    match y.iter().enumerate().find(|&(_, &c)| c >= classes) {
        None => Ok(()),
        Some((i, &c)) => Err(Error::parameter(
            "every label",
            format!("a class index below the number of classes ({classes})"),
            format!("{c} at y[{i}]"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::accuracy;
    use crate::random::{Rng, permutation, seeded, uniform_matrix};
    use ndarray::array;

    /// Five points on a line: 0, 1 and 8 are class 0; 3 and 4 are class 1.
    fn line() -> (Array2<f64>, Array1<usize>) {
        (
            array![[0.0], [1.0], [3.0], [4.0], [8.0]],
            array![0, 0, 1, 1, 0],
        )
    }

    #[test]
    fn a_one_dimensional_example_worked_by_hand() {
        // Distances from each query to 0, 1, 3, 4, 8:
        //   −1:  1, 2, 4, 5, 9        k=1: 0 (c0)        k=3: 0,1,3 → c0 ×2
        //   1.8: 1.8, .8, 1.2, 2.2, 6.2  k=1: 1 (c0)     k=3: 1,3,0 → c0 ×2
        //   2.4: 2.4, 1.4, .6, 1.6, 5.6  k=1: 3 (c1)     k=3: 3,1,4 → c1 ×2
        //   7:   7, 6, 4, 3, 1        k=1: 8 (c0)        k=3: 8,4,3 → c1 ×2
        //   10:  10, 9, 7, 6, 2       k=1: 8 (c0)        k=3: 8,4,3 → c1 ×2
        let (x, y) = line();
        let queries = array![[-1.0], [1.8], [2.4], [7.0], [10.0]];
        let one = KNearestNeighbours::new(1)
            .fit(x.view(), y.view(), 2)
            .unwrap();
        let three = KNearestNeighbours::new(3)
            .fit(x.view(), y.view(), 2)
            .unwrap();
        assert_eq!(one.predict(queries.view()).unwrap(), array![0, 0, 1, 0, 0]);
        assert_eq!(
            three.predict(queries.view()).unwrap(),
            array![0, 0, 1, 1, 1]
        );
        assert_eq!(
            three.neighbours(array![7.0].view()).unwrap(),
            vec![(4, 1.0), (3, 3.0), (2, 4.0)]
        );
        // The Manhattan metric is the same distance in one dimension.
        let manhattan = KNearestNeighbours::new(3)
            .metric(Metric::Manhattan)
            .fit(x.view(), y.view(), 2)
            .unwrap();
        assert_eq!(
            manhattan.predict(queries.view()).unwrap(),
            array![0, 0, 1, 1, 1]
        );
    }

    #[test]
    fn k_equal_to_n_predicts_the_majority_everywhere() {
        // Three votes for class 0 against two for class 1, wherever x is.
        let (x, y) = line();
        let model = KNearestNeighbours::new(5)
            .fit(x.view(), y.view(), 2)
            .unwrap();
        let queries = Array2::from_shape_fn((41, 1), |(i, _)| -20.0 + i as f64);
        let predicted = model.predict(queries.view()).unwrap();
        assert!(predicted.iter().all(|&c| c == 0), "{predicted}");
    }

    #[test]
    fn ties_go_to_the_nearer_class_then_the_smaller_index() {
        // Votes 2–2 between classes 1 and 2 for the query 2 with k = 4:
        // class 1 at 1 and 3 (total 2), class 2 at 0 and 4 (total 4).
        let x = array![[0.0], [4.0], [1.0], [3.0], [10.0]];
        let y = array![2, 2, 1, 1, 0];
        let model = KNearestNeighbours::new(4)
            .fit(x.view(), y.view(), 3)
            .unwrap();
        assert_eq!(model.predict(array![[2.0]].view()).unwrap(), array![1]);
        // Swap the labels: class 2 is now the nearer one and wins despite its index.
        let swapped = array![1, 1, 2, 2, 0];
        let model = KNearestNeighbours::new(4)
            .fit(x.view(), swapped.view(), 3)
            .unwrap();
        assert_eq!(model.predict(array![[2.0]].view()).unwrap(), array![2]);
        // Equal votes and equal totals: the smaller class index.
        let model = KNearestNeighbours::new(2)
            .fit(array![[-1.0], [1.0]].view(), array![1, 0].view(), 2)
            .unwrap();
        assert_eq!(model.predict(array![[0.0]].view()).unwrap(), array![0]);
        // Choosing one neighbour among two at the same distance: the earlier row.
        let model = KNearestNeighbours::new(1)
            .fit(array![[-1.0], [1.0]].view(), array![1, 0].view(), 2)
            .unwrap();
        assert_eq!(
            model.neighbours(array![0.0].view()).unwrap(),
            vec![(0, 1.0)]
        );
        assert_eq!(model.predict(array![[0.0]].view()).unwrap(), array![1]);
    }

    #[test]
    fn one_neighbour_fits_any_labels_on_distinct_points() {
        // Random labels carry no pattern, yet 1-NN gets every training point
        // right: its nearest neighbour is itself.
        let mut rng = seeded(4);
        let x = uniform_matrix(300, 3, 0.0, 1.0, &mut rng).unwrap();
        let y: Array1<usize> = (0..300).map(|_| rng.random_range(0..4)).collect();
        let model = KNearestNeighbours::new(1)
            .fit(x.view(), y.view(), 4)
            .unwrap();
        assert_eq!(model.predict(x.view()).unwrap(), y);
    }

    #[test]
    fn five_neighbours_classify_held_out_iris_flowers() {
        let iris = crate::data::iris().unwrap();
        let order = permutation(iris.len(), &mut seeded(2024)).to_vec();
        let (train, test) = (
            iris.rows(&order[..100]).unwrap(),
            iris.rows(&order[100..]).unwrap(),
        );
        let model = KNearestNeighbours::new(5)
            .fit(train.x().view(), train.y().view(), 3)
            .unwrap();
        let predicted = model.predict(test.x().view()).unwrap();
        let held_out = accuracy(test.y().view(), predicted.view()).unwrap();
        assert!(held_out > 0.9, "held-out accuracy {held_out}");
    }

    #[test]
    fn the_decision_grid_puts_low_y_in_row_zero() {
        // Class 0 on the left (x < 0), class 1 on the right; the cell centres
        // of a 4-cell axis over [−2, 2] are −1.5, −0.5, 0.5, 1.5.
        let x = array![[-1.0, 5.0], [1.0, 5.0]];
        let model = KNearestNeighbours::new(1)
            .fit(x.view(), array![0, 1].view(), 2)
            .unwrap();
        let grid = model.decision_grid((-2.0, 2.0), (0.0, 10.0), 4).unwrap();
        assert_eq!(grid.dim(), (4, 4));
        assert!(
            grid.rows()
                .into_iter()
                .all(|r| r.to_vec() == vec![0, 0, 1, 1])
        );
        // Class 0 at the bottom, class 1 at the top.
        let x = array![[0.0, 1.0], [0.0, 3.0]];
        let model = KNearestNeighbours::new(1)
            .fit(x.view(), array![0, 1].view(), 2)
            .unwrap();
        let grid = model.decision_grid((0.0, 1.0), (0.0, 4.0), 4).unwrap();
        assert_eq!(grid.column(0).to_vec(), vec![0, 0, 1, 1]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, y) = line();
        let e = KNearestNeighbours::new(0)
            .fit(x.view(), y.view(), 2)
            .unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = KNearestNeighbours::new(7)
            .fit(x.view(), y.view(), 2)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "k must be between 1 and the number of training points n = 5, got k = 7"
        );
        let empty = Array2::<f64>::zeros((0, 1));
        let e = KNearestNeighbours::new(1)
            .fit(empty.view(), Array1::zeros(0).view(), 2)
            .unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = KNearestNeighbours::new(1)
            .fit(x.view(), array![0, 1].view(), 2)
            .unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let mut with_nan = x.clone();
        with_nan[(3, 0)] = f64::NAN;
        let e = KNearestNeighbours::new(1)
            .fit(with_nan.view(), y.view(), 2)
            .unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let e = KNearestNeighbours::new(1)
            .fit(x.view(), array![0, 1, 2, 1, 0].view(), 2)
            .unwrap_err();
        assert!(e.to_string().contains("got 2 at y[2]"), "{e}");
        let e = KNearestNeighbours::new(1)
            .metric(Metric::Cosine)
            .fit(x.view(), y.view(), 2)
            .unwrap_err();
        assert!(e.to_string().starts_with("row 0 of x"), "{e}");

        let model = KNearestNeighbours::new(1)
            .fit(x.view(), y.view(), 2)
            .unwrap();
        let e = model.predict(array![[1.0, 2.0]].view()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = model.neighbours(array![f64::NAN].view()).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        // A grid needs exactly two features, a resolution and real intervals.
        let e = model.decision_grid((0.0, 1.0), (0.0, 1.0), 10).unwrap_err();
        assert!(e.to_string().contains("got 1 columns"), "{e}");
        let flat = KNearestNeighbours::new(1)
            .fit(
                array![[0.0, 0.0], [1.0, 1.0]].view(),
                array![0, 1].view(),
                2,
            )
            .unwrap();
        assert!(flat.decision_grid((0.0, 1.0), (0.0, 1.0), 0).is_err());
        assert!(flat.decision_grid((1.0, 0.0), (0.0, 1.0), 5).is_err());
        assert!(flat.decision_grid((0.0, 1.0), (0.0, f64::NAN), 5).is_err());
    }
}
