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
//! - *choosing the neighbours*: the training rows are put in order of
//!   (distance to x, row index), so that rows at the same distance are taken
//!   in the order of their rows, the earlier first. "The same distance"
//!   means equal *as computed*: every distance from x to a training row is
//!   computed by the same formula in every call (see
//!   [`distance`](crate::distance)), so two copies of one point always get
//!   the same bits, in any call. Two points that are equally far in exact
//!   arithmetic need not: 0.3 and 1.1 lie 0.4 either side of 0.7, but in
//!   `f64` the differences 0.7 − 0.3 and 1.1 − 0.7 round to different
//!   numbers, and the nearer one as computed comes first;
//! - *counting the votes*: among the classes with the most votes, the one
//!   whose first voter comes first in that order wins — the class of the
//!   nearest neighbour among the tied classes.
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
//! useful k lies in between. It is chosen by cross-validation on the
//! training rows ([`Dataset::cross_validate`]), never on the test rows: the
//! best of many scores on one test set overstates the accuracy, so the test
//! rows give one final score, for the chosen k.
//!
//! **Cost.** No training at all, but each prediction measures the distance
//! to all n training points: O(n d) work per query.
//!
//! ```
//! use mlmath::prelude::*;
//! // Class 0 near 0, class 1 near 10.
//! let x = array![[0.0], [1.0], [2.0], [9.0], [10.0], [11.0]];
//! let train = Dataset::new(&x, &array![0, 0, 0, 1, 1, 1])?;
//! let model = Knn::new(3).fit(&train)?;
//! assert_eq!(model.predict(&array![[-5.0], [4.0], [7.0]])?, array![0, 0, 1]);
//! assert_eq!(model.score(&train)?, 1.0);
//! # Ok::<(), mlmath::Error>(())
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1};

use crate::data::{AsFeatures, Dataset};
use crate::distance::{Metric, between, overflow, prepare, row};
use crate::error::{Error, Result};
use crate::metrics::score_classifier;
use crate::plot::{grid_points, into_grid};

/// The hyperparameters of k-nearest neighbours: how many neighbours vote,
/// and how distance is measured. [`fit`](Self::fit) stores the training set.
///
/// | setter | default | range |
/// |---|---|---|
/// | [`k`](Self::k) | the `k` of [`new`](Self::new) | 1 to the number of training rows |
/// | [`metric`](Self::metric) | [`Metric::Euclidean`] | any [`Metric`] |
///
/// ```
/// use mlmath::prelude::*;
/// let knn = Knn::new(7).metric(Metric::Manhattan);
/// let iris = mlmath::data::iris()?;
/// let model = knn.fit(&iris)?;
/// assert_eq!((model.k(), model.metric()), (7, Metric::Manhattan));
/// # Ok::<(), mlmath::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Knn {
    k: usize,
    metric: Metric,
}

impl Knn {
    /// k neighbours under the Euclidean metric. k is checked by
    /// [`fit`](Self::fit), against the number of training rows.
    pub fn new(k: usize) -> Knn {
        Knn {
            k,
            metric: Metric::Euclidean,
        }
    }

    /// Sets how many neighbours vote (from 1 to the number of training rows).
    pub fn k(mut self, k: usize) -> Knn {
        self.k = k;
        self
    }

    /// Sets how distance is measured ([`Metric::Euclidean`] by default).
    pub fn metric(mut self, metric: Metric) -> Knn {
        self.metric = metric;
        self
    }

    /// Stores the training set: its features `x: (n, d)`, its labels and its
    /// classes.
    ///
    /// An error if the dataset is empty, has no feature columns (every
    /// distance would be 0), or holds a missing value, k is 0 or larger than
    /// n, or (for the cosine metric) a row is the zero vector.
    pub fn fit(&self, train: &Dataset) -> Result<FittedKnn> {
        train.check_trainable()?;
        if train.x().ncols() == 0 {
            return Err(Error::shape(
                format!("the features of {}", train.name()),
                "at least one column (with none, every distance is 0 and no neighbour is nearer)",
                "0 columns",
            ));
        }
        let n = train.len();
        if self.k == 0 || self.k > n {
            return Err(Error::parameter(
                "k",
                format!("between 1 and the number of training rows n = {n}"),
                format!("k = {}", self.k),
            ));
        }
        let what = format!("the features of {}", train.name());
        Ok(FittedKnn {
            k: self.k,
            metric: self.metric,
            points: prepare(&what, train.x().view(), self.metric)?,
            x: train.x().clone(),
            y: train.y().clone(),
            class_names: train.class_names().to_vec(),
        })
    }
}

/// A k-nearest-neighbours classifier with its training set. Made by
/// [`Knn::fit`]; read-only.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedKnn {
    k: usize,
    metric: Metric,
    /// The training rows as the metric needs them (unit vectors for cosine).
    points: Array2<f64>,
    x: Array2<f64>,
    y: Array1<usize>,
    class_names: Vec<String>,
}

impl FittedKnn {
    /// How many neighbours vote.
    pub fn k(&self) -> usize {
        self.k
    }

    /// How distance is measured.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The training points: `(n, d)`.
    pub fn x(&self) -> &Array2<f64> {
        &self.x
    }

    /// Their classes: `(n,)`.
    pub fn y(&self) -> &Array1<usize> {
        &self.y
    }

    /// The number of features d.
    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// The number of classes, from the training set.
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The names of the classes, from the training set.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The majority class among the k nearest training points of each row
    /// of `x: (m, d)` (a dataset or an array), with ties settled as in the
    /// [module](self) docs.
    ///
    /// An error if x has the wrong number of columns, a value that is not
    /// finite, (cosine) a zero row, or a row whose distance to one of its k
    /// nearest training rows overflows `f64` (a farther row that overflows is
    /// simply not a neighbour).
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// // k = 2 and one neighbour of each class: the nearer one wins.
    /// let train = Dataset::new(&array![[0.0], [3.0]], &array![1, 0])?;
    /// let model = Knn::new(2).fit(&train)?;
    /// assert_eq!(model.predict(&array![[1.0], [2.0]])?, array![1, 0]);
    /// // Halfway, both are at distance 1.5: the earlier row, of class 1, wins.
    /// assert_eq!(model.predict(&array![[1.5]])?, array![1]);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn predict<'a>(&self, x: impl AsFeatures<'a>) -> Result<Array1<usize>> {
        self.predict_rows("x", x.into_features())
    }

    /// The accuracy on a labelled dataset: the fraction of its rows whose
    /// predicted class is their class, (1/m) Σ_i [ŷ(x_i) = y_i].
    ///
    /// The test set's classes must be those the model was fitted on, in the
    /// same order; it may lack classes at the end of that list (its class
    /// names a strict prefix of the model's: a test set with only classes 0
    /// and 1 of a three-class model is scored), since its labels then still
    /// mean the same classes.
    ///
    /// An error if the dataset is empty, has another number of features, or
    /// classes that are not those the model was fitted on (in the same
    /// order, up to missing classes at the end).
    pub fn score(&self, test: &Dataset) -> Result<f64> {
        score_classifier(&self.class_names, test, &|what, x| {
            self.predict_rows(what, x)
        })
    }

    /// The k nearest training points of the point `query: (d,)`, as
    /// `(row index, distance)` pairs, nearest first (equal distances in the
    /// order of the rows).
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// let train = Dataset::new(&array![[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]], &array![0, 1, 0])?;
    /// let model = Knn::new(2).fit(&train)?;
    /// assert_eq!(model.neighbours(&array![0.0, 1.0])?, vec![(0, 1.0), (2, 2f64.sqrt())]);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn neighbours<'a>(&self, query: impl AsArray<'a, f64, Ix1>) -> Result<Vec<(usize, f64)>> {
        self.neighbours_of(query.into())
    }

    /// The predicted class on a `resolution × resolution` grid over
    /// `[x_range.0, x_range.1] × [y_range.0, y_range.1]`, for a model of 2
    /// features: `(resolution, resolution)`, entry `(i, j)` the class at the
    /// centre of the cell in row i, column j. Row 0 is the lowest y and
    /// column 0 the lowest x, as [`Chart::regions`](crate::plot::Chart::regions)
    /// expects.
    ///
    /// An error if the model does not have exactly 2 features, the
    /// resolution is not between 1 and 1000, or a range is not an interval
    /// `low < high` of finite width.
    ///
    /// ```
    /// use mlmath::prelude::*;
    /// // Class 0 below the x-axis, class 1 above it.
    /// let train = Dataset::new(&array![[0.0, -1.0], [0.0, 1.0]], &array![0, 1])?;
    /// let grid = Knn::new(1).fit(&train)?.decision_grid((-2.0, 2.0), (-2.0, 2.0), 4)?;
    /// assert_eq!(grid.row(0).to_vec(), vec![0, 0, 0, 0]); // lowest y
    /// assert_eq!(grid.row(3).to_vec(), vec![1, 1, 1, 1]);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn decision_grid(
        &self,
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
    ) -> Result<Array2<usize>> {
        let points = grid_points(self.n_features(), x_range, y_range, resolution)?;
        let classes = self.predict_rows("the grid", points.view())?;
        Ok(into_grid(classes, resolution))
    }

    /// [`predict`](Self::predict) on a view; errors name the features `what`.
    fn predict_rows(&self, what: &str, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        self.check_width(what, x.ncols())?;
        let queries = prepare(what, x, self.metric)?;
        (0..queries.nrows())
            .map(|q| {
                let (nearest, _) = self.nearest(row(&queries, q)).map_err(|i| {
                    overflow(&format!(
                        "the distance from row {q} of {what} to training row {i}"
                    ))
                })?;
                Ok(self.vote(&nearest))
            })
            .collect()
    }

    /// [`neighbours`](Self::neighbours) on a view.
    fn neighbours_of(&self, query: ArrayView1<'_, f64>) -> Result<Vec<(usize, f64)>> {
        self.check_width("query", query.len())?;
        // Checked here, so that a NaN is named by its index in the query.
        crate::error::check_finite("query", query)?;
        let query = prepare("query", query.insert_axis(Axis(0)), self.metric)?;
        let (nearest, distances) = self
            .nearest(row(&query, 0))
            .map_err(|i| overflow(&format!("the distance from the query to training row {i}")))?;
        Ok(nearest.into_iter().map(|i| (i, distances[i])).collect())
    }

    /// An error unless `columns` is the number of features.
    fn check_width(&self, what: &str, columns: usize) -> Result<()> {
        if columns != self.n_features() {
            return Err(Error::shape(
                what,
                format!(
                    "{} columns, one per feature of the training data",
                    self.n_features()
                ),
                format!("{columns} columns"),
            ));
        }
        Ok(())
    }

    /// The k training rows nearest to `query` (a prepared row), in the order
    /// of (distance, row index) — a strict total order, so equal distances go
    /// to the earlier row — and the distances to all rows. Each distance is
    /// computed by the same formula, in the same argument order, in every
    /// call. A distance that overflows `f64` is +∞, farther than any other;
    /// `Err(i)` names a row among the k nearest that is that far.
    fn nearest(&self, query: &[f64]) -> std::result::Result<(Vec<usize>, Vec<f64>), usize> {
        let distances: Vec<f64> = (0..self.points.nrows())
            .map(|i| between(self.metric, query, row(&self.points, i)))
            .collect();
        // Distances are never NaN or −0, so total_cmp is the usual order.
        let closer = |i: &usize, j: &usize| distances[*i].total_cmp(&distances[*j]).then(i.cmp(j));
        let mut order: Vec<usize> = (0..distances.len()).collect();
        if self.k < order.len() {
            // Partition so that the k first come first, then sort only those.
            order.select_nth_unstable_by(self.k - 1, closer);
            order.truncate(self.k);
        }
        order.sort_unstable_by(closer);
        if let Some(&i) = order.iter().find(|&&i| distances[i].is_infinite()) {
            return Err(i);
        }
        Ok((order, distances))
    }

    /// The class with the most votes among `nearest`; on a tie, the class of
    /// the first of them (in the order of `nearest`) that belongs to a tied class.
    fn vote(&self, nearest: &[usize]) -> usize {
        let mut votes = vec![0_usize; self.n_classes()];
        for &i in nearest {
            votes[self.y[i]] += 1;
        }
        let most = votes.iter().copied().max().unwrap_or(0);
        nearest
            .iter()
            .map(|&i| self.y[i])
            .find(|&c| votes[c] == most)
            .expect("fit checked k ≥ 1, so some neighbour votes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Rng, seeded, uniform_matrix};
    use ndarray::array;

    /// Five points on a line: 0, 1 and 8 are class 0; 3 and 4 are class 1.
    fn line() -> Dataset {
        Dataset::new(
            &array![[0.0], [1.0], [3.0], [4.0], [8.0]],
            &array![0, 0, 1, 1, 0],
        )
        .unwrap()
    }

    #[test]
    fn a_one_dimensional_example_worked_by_hand() {
        // Distances from each query to 0, 1, 3, 4, 8:
        //   −1:  1, 2, 4, 5, 9        k=1: 0 (c0)        k=3: 0,1,3 → c0 ×2
        //   1.8: 1.8, .8, 1.2, 2.2, 6.2  k=1: 1 (c0)     k=3: 1,3,0 → c0 ×2
        //   2.4: 2.4, 1.4, .6, 1.6, 5.6  k=1: 3 (c1)     k=3: 3,1,4 → c1 ×2
        //   7:   7, 6, 4, 3, 1        k=1: 8 (c0)        k=3: 8,4,3 → c1 ×2
        //   10:  10, 9, 7, 6, 2       k=1: 8 (c0)        k=3: 8,4,3 → c1 ×2
        let train = line();
        let queries = array![[-1.0], [1.8], [2.4], [7.0], [10.0]];
        let one = Knn::new(1).fit(&train).unwrap();
        let three = Knn::new(3).fit(&train).unwrap();
        assert_eq!(one.predict(&queries).unwrap(), array![0, 0, 1, 0, 0]);
        assert_eq!(three.predict(&queries).unwrap(), array![0, 0, 1, 1, 1]);
        assert_eq!(
            three.neighbours(&array![7.0]).unwrap(),
            vec![(4, 1.0), (3, 3.0), (2, 4.0)]
        );
        // The Manhattan metric is the same distance in one dimension.
        let manhattan = Knn::new(3).metric(Metric::Manhattan).fit(&train).unwrap();
        assert_eq!(
            manhattan.predict(queries.view()).unwrap(),
            array![0, 0, 1, 1, 1]
        );
        // The setter k replaces the k of new.
        assert_eq!(Knn::new(1).k(3).fit(&train).unwrap().k(), 3);
    }

    #[test]
    fn k_equal_to_n_predicts_the_majority_everywhere() {
        // Three votes for class 0 against two for class 1, wherever x is.
        let model = Knn::new(5).fit(&line()).unwrap();
        let queries = Array2::from_shape_fn((41, 1), |(i, _)| -20.0 + i as f64);
        let predicted = model.predict(&queries).unwrap();
        assert!(predicted.iter().all(|&c| c == 0), "{predicted}");
    }

    #[test]
    fn vote_ties_go_to_the_class_of_the_nearest_tied_voter() {
        // Votes 2–2 between classes 1 and 2 for the query 2 with k = 4:
        // class 1 at 1 and 3 (distance 1, rows 2 and 3), class 2 at 0 and 4
        // (distance 2): the nearest voter, row 2, is of class 1.
        let x = array![[0.0], [4.0], [1.0], [3.0], [10.0]];
        let train = Dataset::new(&x, &array![2, 2, 1, 1, 0]).unwrap();
        let model = Knn::new(4).fit(&train).unwrap();
        assert_eq!(model.predict(&array![[2.0]]).unwrap(), array![1]);
        // Swap the labels: class 2 is now the nearer one and wins despite its index.
        let swapped = Dataset::new(&x, &array![1, 1, 2, 2, 0]).unwrap();
        let model = Knn::new(4).fit(&swapped).unwrap();
        assert_eq!(model.predict(&array![[2.0]]).unwrap(), array![2]);
        // Equal votes at equal distances: the earlier row's class.
        let mirrored = Dataset::new(&array![[-1.0], [1.0]], &array![1, 0]).unwrap();
        let model = Knn::new(2).fit(&mirrored).unwrap();
        assert_eq!(model.predict(&array![[0.0]]).unwrap(), array![1]);
        // Choosing one neighbour among two at the same distance: the earlier row.
        let model = Knn::new(1).fit(&mirrored).unwrap();
        assert_eq!(model.neighbours(&array![0.0]).unwrap(), vec![(0, 1.0)]);
        assert_eq!(model.predict(&array![[0.0]]).unwrap(), array![1]);
    }

    #[test]
    fn equal_distances_are_equal_exactly_whatever_the_call() {
        // Copies of one point at rows 1, 4 and 6, far from the origin and in
        // many dimensions: neighbours lists them in row order, and predict on a
        // batch agrees with neighbours on each query alone.
        let mut rng = seeded(9);
        let base = uniform_matrix(8, 40, -1.0, 1.0, &mut rng)
            .unwrap()
            .mapv(|v| v * 1e3 + 1e9);
        let mut x = base.clone();
        for r in [4, 6] {
            x.row_mut(r).assign(&base.row(1));
        }
        let train = Dataset::new(&x, &array![0, 1, 0, 0, 2, 0, 3, 0]).unwrap();
        let model = Knn::new(3).fit(&train).unwrap();
        let query = x.row(1).mapv(|v| v + 0.25);
        let near = model.neighbours(&query).unwrap();
        assert_eq!(near.iter().map(|n| n.0).collect::<Vec<_>>(), vec![1, 4, 6]);
        assert!(near[0].1 == near[1].1 && near[1].1 == near[2].1);
        // One vote each for classes 1, 2 and 3: the earliest row, of class 1.
        let batch = Array2::from_shape_fn((3, 40), |(_, j)| query[j]);
        assert_eq!(model.predict(&batch).unwrap(), array![1, 1, 1]);
    }

    #[test]
    fn one_neighbour_fits_any_labels_on_distinct_points() {
        // Random labels carry no pattern, yet 1-NN gets every training point
        // right: its nearest neighbour is itself.
        let mut rng = seeded(4);
        let x = uniform_matrix(300, 3, 0.0, 1.0, &mut rng).unwrap();
        let y: Array1<usize> = (0..300).map(|_| rng.random_range(0..4)).collect();
        let train = Dataset::new(&x, &y).unwrap();
        let model = Knn::new(1).fit(&train).unwrap();
        assert_eq!(model.predict(&train).unwrap(), y);
        assert_eq!(model.score(&train).unwrap(), 1.0);
    }

    #[test]
    fn five_neighbours_classify_held_out_iris_flowers() {
        let iris = crate::data::iris().unwrap();
        let (train, test) = iris.stratified_split(0.3, 2024).unwrap();
        let held_out = Knn::new(5).fit(&train).unwrap().score(&test).unwrap();
        assert!(held_out > 0.9, "held-out accuracy {held_out}");
        // The cosine metric on the same flowers is a different classifier, still good.
        let cosine = Knn::new(5).metric(Metric::Cosine).fit(&train).unwrap();
        assert!(cosine.score(&test).unwrap() > 0.85);
    }

    #[test]
    fn the_decision_grid_puts_low_y_in_row_zero() {
        // Class 0 on the left (x < 0), class 1 on the right; the cell centres
        // of a 4-cell axis over [−2, 2] are −1.5, −0.5, 0.5, 1.5.
        let train = Dataset::new(&array![[-1.0, 5.0], [1.0, 5.0]], &array![0, 1]).unwrap();
        let model = Knn::new(1).fit(&train).unwrap();
        let grid = model.decision_grid((-2.0, 2.0), (0.0, 10.0), 4).unwrap();
        assert_eq!(grid.dim(), (4, 4));
        assert!(
            grid.rows()
                .into_iter()
                .all(|r| r.to_vec() == vec![0, 0, 1, 1])
        );
        // Class 0 at the bottom, class 1 at the top.
        let train = Dataset::new(&array![[0.0, 1.0], [0.0, 3.0]], &array![0, 1]).unwrap();
        let model = Knn::new(1).fit(&train).unwrap();
        let grid = model.decision_grid((0.0, 1.0), (0.0, 4.0), 4).unwrap();
        assert_eq!(grid.column(0).to_vec(), vec![0, 0, 1, 1]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let train = line();
        let e = Knn::new(0).fit(&train).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        let e = Knn::new(7).fit(&train).unwrap_err();
        assert_eq!(
            e.to_string(),
            "k must be between 1 and the number of training rows n = 5, got k = 7"
        );
        let empty =
            Dataset::new(&Array2::<f64>::zeros((0, 1)), &Array1::<usize>::zeros(0)).unwrap();
        let e = Knn::new(1).fit(&empty).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let mut with_nan = train.x().clone();
        with_nan[(3, 0)] = f64::NAN;
        let e = Knn::new(1)
            .fit(&train.with_x(&with_nan).unwrap())
            .unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        let zero_row = Dataset::new(&array![[1.0], [0.0]], &array![0, 1]).unwrap();
        let e = Knn::new(1)
            .metric(Metric::Cosine)
            .fit(&zero_row)
            .unwrap_err();
        assert!(
            e.to_string().starts_with("row 1 of the features of data"),
            "{e}"
        );

        let model = Knn::new(1).fit(&train).unwrap();
        let e = model.predict(&array![[1.0, 2.0]]).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = model.neighbours(&array![f64::NAN]).unwrap_err();
        assert!(matches!(e, Error::NotFinite { .. }), "{e}");
        assert!(
            e.to_string().contains("query") && e.to_string().contains("[0]"),
            "{e}"
        );
        assert!(!e.to_string().contains("[0, 0]"), "{e}");
        // No feature columns: every distance would be 0.
        let no_columns = Dataset::new(&Array2::<f64>::zeros((3, 0)), &array![0, 1, 0]).unwrap();
        let e = Knn::new(1).fit(&no_columns).unwrap_err();
        assert!(e.to_string().contains("at least one column"), "{e}");
        // A test set holding only the first of the model's classes is scored.
        let first_only = Dataset::new(&array![[0.0], [1.0]], &array![0, 0])
            .unwrap()
            .with_class_names(&train.class_names()[..1])
            .unwrap();
        assert_eq!(model.score(&first_only).unwrap(), 1.0);
        let e = model.predict(&array![[1e308], [-1e308]]);
        assert!(e.is_ok(), "distances up to 1e308 are finite");
        let far = Knn::new(1)
            .fit(&Dataset::new(&array![[-1.5e308]], &array![0]).unwrap())
            .unwrap();
        let e = far.predict(&array![[1.5e308]]).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
        // Scoring needs the same classes, in the same order.
        let relabelled = train.clone().with_class_names(&["b", "a"]).unwrap();
        let e = model.score(&relabelled).unwrap_err();
        assert!(e.to_string().contains("the classes of data"), "{e}");
        let e = model.score(&empty).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        // A grid needs exactly two features, a resolution and real intervals.
        let e = model.decision_grid((0.0, 1.0), (0.0, 1.0), 10).unwrap_err();
        assert!(e.to_string().contains("got 1 columns"), "{e}");
        let flat = Dataset::new(&array![[0.0, 0.0], [1.0, 1.0]], &array![0, 1]).unwrap();
        let flat = Knn::new(1).fit(&flat).unwrap();
        assert!(flat.decision_grid((0.0, 1.0), (0.0, 1.0), 0).is_err());
        assert!(
            flat.decision_grid((0.0, 1.0), (0.0, 1.0), 1_000_000)
                .is_err()
        );
        assert!(flat.decision_grid((1.0, 0.0), (0.0, 1.0), 5).is_err());
        assert!(flat.decision_grid((0.0, 1.0), (0.0, f64::NAN), 5).is_err());
        assert!(flat.decision_grid((-1e308, 1e308), (0.0, 1.0), 5).is_err());
    }
}
