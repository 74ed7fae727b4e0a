//! Plots, drawn as SVG and shown inline in a notebook.
//!
//! One module draws every picture of the course. A [`Chart`] is a stack of
//! layers on shared axes — points (of one size, or sized by a weight),
//! points coloured by class, lines (solid, dashed, with a [`Marker`] at
//! each point, or a grey reference line), a histogram, bars, a heatmap
//! with its colour bar, shaded decision regions, the contour lines of a
//! function of two variables ([`contour_lines`]) — and a cell that ends
//! with a chart shows it. An [`ImageGrid`] shows small
//! grey-scale images (digits) side by side; [`Panels`] puts charts side by
//! side; a [`Graph`] draws a computational graph.
//!
//! Every picture is made to be read by every reader:
//!
//! - it paints its own white background, with black text, like a printed
//!   figure, so it reads the same in JupyterLab's light and dark themes;
//! - its colours stay distinct for colour-blind readers: series take the
//!   Okabe–Ito [`PALETTE`] in turn, heatmaps the [`viridis`] map and signed
//!   images the [`diverging`] one ([`colour`] says why);
//! - series differ in shape too: points of each series, and lines where a
//!   chart has several, carry a marker of their own ([`MARKERS`]);
//! - its SVG begins with a `<title>` and a `<desc>` that a screen reader
//!   reads out, the description written from what is drawn, or given with
//!   `describe` ([`Plot::description`]).
//!
//! Building a chart never fails: data that cannot be drawn — lengths that
//! differ, a range that is NaN or empty, a heatmap with no cells, images of
//! the wrong side — is remembered, and [`Chart::draw`] returns it as an
//! [`Error`] (a notebook prints it in red). Points that cannot be placed — a
//! NaN, an infinity, a value ≤ 0 on a log axis — are left out, and a line
//! breaks there, as a missing value should; anything beyond the axes is
//! clipped to them.
//!
//! ```
//! use mlmath::plot::Chart;
//! let xs: Vec<f64> = (0..50).map(|i| i as f64 / 10.0).collect();
//! let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
//! let svg = Chart::new("a parabola").labels("x", "x²").line("y = x²", &xs, &ys).svg().unwrap();
//! assert!(svg.starts_with("<svg"));
//! let nan_range = Chart::new("no range").x_range(f64::NAN, 1.0).line("y", &xs, &ys);
//! assert!(nan_range.draw().is_err());
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};
use plotters::coord::combinators::{IntoLogRange, LogCoord};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::element::{DynElement, IntoDynElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::data::Dataset;
use crate::error::{Error, Result};

mod accessible;
pub mod colour;
mod graph;
pub use colour::{MISSING, PALETTE, PALETTE_NAMES, diverging, viridis};
pub use graph::{Graph, MAX_GRAPH_NODES};

/// The largest chart or panel side in pixels.
pub const MAX_SIDE: u32 = 4000;
/// The most cells a heatmap or a map of regions may have (each is drawn as
/// a rectangle of the SVG).
pub const MAX_CELLS: usize = 1_000_000;
/// The most bins a histogram may have.
pub const MAX_BINS: usize = 10_000;
/// The most pixels an [`ImageGrid`] draws, over all its images.
pub const MAX_PIXELS: usize = 500_000;
/// The widest picture [`Panels`] draws, in pixels.
pub const MAX_PANELS_WIDTH: u32 = 20_000;
/// The most levels one call of [`Chart::contours`] draws.
pub const MAX_LEVELS: usize = 100;
/// The colour of contour lines and of their labels.
const CONTOUR: RGBColor = RGBColor(90, 90, 90);
/// The neutral grey of a [`Chart::reference_line`].
pub const REFERENCE: RGBColor = RGBColor(150, 150, 150);
/// The radius in pixels of the point of largest weight in [`Chart::sized_points`].
pub const LARGEST_RADIUS: u32 = 14;
/// The smallest radius in pixels of a point of [`Chart::sized_points`], so
/// that a point of small weight is still seen.
pub const SMALLEST_RADIUS: u32 = 3;

/// A mark for the points of a series: filled on a scatter of points,
/// hollow on a line (so that two lines through the same point both show
/// there). A line drawn by [`Chart::marked_line`] has one at each point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A triangle, point up.
    Triangle,
    /// A diamond (a square on its corner).
    Diamond,
    /// A triangle, point down.
    TriangleDown,
}

/// The markers that cycle with the [`PALETTE`], so that series differ in
/// shape as well as colour: series `k` of a chart (class `k` of a scatter)
/// is drawn in `PALETTE[k % 8]` with `MARKERS[k % 5]`. Five and eight have
/// no common factor, so the first 40 series all differ in colour or shape
/// (the ten digits get ten different pairs). Points take the marker always;
/// lines take it when a chart has two or more lines in palette colours.
pub const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::TriangleDown,
];

/// The colour and marker of series `k`.
fn style_of(k: usize) -> (RGBColor, Marker) {
    (PALETTE[k % PALETTE.len()], MARKERS[k % MARKERS.len()])
}

/// A drawn plot: SVG text that a notebook shows inline. Every picture is
/// titled and described for a screen reader, and paints its own white
/// background (see [`Plot::description`]).
#[derive(Debug, Clone)]
pub struct Plot {
    svg: String,
    description: String,
}

impl Plot {
    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// What the picture shows, in words: the text of its `<desc>`, which a
    /// screen reader reads out. It is written from what is drawn (the kind
    /// of chart, its axes and their ranges, its series and how many points
    /// each has), unless a description was given with `describe`.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let plot = Chart::new("a line").line("y = x", &[0.0, 1.0], &[0.0, 1.0]).draw().unwrap();
    /// assert!(plot.description().contains("\"y = x\", a solid blue line through 2 points"));
    /// let told = Chart::new("a line").describe("The diagonal.").draw().unwrap();
    /// assert_eq!(told.description(), "The diagonal.");
    /// ```
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Writes the SVG to `path` (for slides or a handout).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        std::fs::write(path.as_ref(), &self.svg).map_err(|e| Error::DataFile {
            path: path.as_ref().to_path_buf(),
            problem: format!("could not write the plot ({e})"),
            fix: "choose a folder that exists and that you can write to".into(),
        })
    }

    /// Shows the plot in a notebook.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT",
            self.svg
        );
    }
}

/// The points of a line, in order.
type Polyline = Vec<(f64, f64)>;

/// One layer of a chart.
#[derive(Debug, Clone)]
enum Layer {
    /// Points, each with its radius in pixels, drawn as filled `shape`s.
    Points {
        label: String,
        xy: Vec<(f64, f64)>,
        color: RGBColor,
        radii: Vec<u32>,
        shape: Marker,
    },
    /// A line: `marker` at every point ([`Chart::marked_line`]); `cycle`,
    /// the marker of its place in the palette (none for a grey reference
    /// line), at some of its points when the chart has several lines.
    Line {
        label: String,
        xy: Vec<(f64, f64)>,
        color: RGBColor,
        dashed: bool,
        marker: Option<Marker>,
        cycle: Option<Marker>,
    },
    /// Bars from `(left, right, height)`, all finite.
    Bars {
        label: String,
        bars: Vec<(f64, f64, f64)>,
        color: RGBColor,
    },
    /// A grid of values over a rectangle; row 0 is the bottom (lowest y).
    Heatmap {
        values: Vec<Vec<f64>>,
        x: (f64, f64),
        y: (f64, f64),
        log: bool,
    },
    /// A grid of class indices over a rectangle, shaded in light class colours.
    Regions {
        classes: Vec<Vec<usize>>,
        x: (f64, f64),
        y: (f64, f64),
    },
    /// Contour lines: for each level, its polylines; over a rectangle.
    Contours {
        lines: Vec<(f64, Vec<Polyline>)>,
        x: (f64, f64),
        y: (f64, f64),
    },
}

/// Layers on shared axes, with a title, axis labels and a legend.
///
/// Builder methods never fail: data that does not fit (lengths that differ,
/// a label out of range, a range that is NaN) is remembered, and
/// [`draw`](Self::draw) returns it as an error. They borrow the chart and
/// return a new one, so a notebook cell can end with `chart.points(...)`
/// and still keep `chart` for later cells (a cell whose last expression
/// moved a stored value would be shown as text, not drawn).
#[derive(Clone)]
pub struct Chart {
    title: String,
    x_label: String,
    y_label: String,
    size: (u32, u32),
    layers: Vec<Layer>,
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
    log_x: bool,
    log_y: bool,
    /// One unit across as long as one unit up ([`Chart::equal_aspect`]).
    equal_aspect: bool,
    /// Categories written under bar charts in place of numbers.
    categories: Option<Vec<String>>,
    problem: Option<Error>,
    next_color: usize,
    /// A description given with [`Chart::describe`], in place of the one
    /// written from the data.
    description: Option<String>,
}

impl std::fmt::Debug for Chart {
    /// A one-line summary (the data would fill the screen).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Chart {:?} with {} layers {:?}",
            self.title,
            self.layers.len(),
            self.series_names()
        )
    }
}

impl Chart {
    /// An empty chart with a title.
    pub fn new(title: &str) -> Self {
        Chart {
            title: title.to_string(),
            x_label: String::new(),
            y_label: String::new(),
            size: (640, 420),
            layers: Vec::new(),
            x_range: None,
            y_range: None,
            log_x: false,
            log_y: false,
            equal_aspect: false,
            categories: None,
            problem: None,
            next_color: 0,
            description: None,
        }
    }

    /// Names the axes.
    pub fn labels(&self, x: &str, y: &str) -> Self {
        let mut this = self.clone();
        this.x_label = x.to_string();
        this.y_label = y.to_string();
        this
    }

    /// Size in pixels (default 640 × 420), kept between 200 × 150 and
    /// [`MAX_SIDE`] × [`MAX_SIDE`].
    pub fn size(&self, width: u32, height: u32) -> Self {
        let mut this = self.clone();
        this.size = (width.clamp(200, MAX_SIDE), height.clamp(150, MAX_SIDE));
        this
    }

    /// Fixes the x axis to `[low, high]` instead of fitting the data: two
    /// finite numbers with `low < high` (positive on a log axis).
    pub fn x_range(&self, low: f64, high: f64) -> Self {
        let mut this = self.clone();
        match check_interval("the x range", (low, high)) {
            Ok(range) => this.x_range = Some(range),
            Err(e) => this.fail(e),
        }
        this
    }

    /// Fixes the y axis to `[low, high]` instead of fitting the data: two
    /// finite numbers with `low < high` (positive on a log axis).
    pub fn y_range(&self, low: f64, high: f64) -> Self {
        let mut this = self.clone();
        match check_interval("the y range", (low, high)) {
            Ok(range) => this.y_range = Some(range),
            Err(e) => this.fail(e),
        }
        this
    }

    /// Logarithmic x axis: values ≤ 0 cannot be placed and are left out.
    pub fn log_x(&self) -> Self {
        let mut this = self.clone();
        this.log_x = true;
        this
    }

    /// Logarithmic y axis: values ≤ 0 cannot be placed and are left out.
    pub fn log_y(&self) -> Self {
        let mut this = self.clone();
        this.log_y = true;
        this
    }

    /// The same scale on both axes: one unit across is as many pixels as
    /// one unit up (one decade on a log axis), so angles and circles are
    /// drawn true. The plot area shrinks, across or up, to the ratio
    /// `(x high − x low) : (y high − y low)`; the chart keeps its size.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let chart = Chart::new("a circle").x_range(-1.0, 1.0).y_range(-1.0, 1.0).equal_aspect();
    /// assert!(chart.svg().is_ok());
    /// ```
    pub fn equal_aspect(&self) -> Self {
        let mut this = self.clone();
        this.equal_aspect = true;
        this
    }

    /// The colour and marker of the next series.
    fn take_style(&mut self) -> (RGBColor, Marker) {
        let style = style_of(self.next_color);
        self.next_color += 1;
        style
    }

    /// Says what the chart shows in words of one's own, for a screen reader
    /// (the picture's `<desc>`), in place of the description written from
    /// its data: what a reader should see in it.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let chart = Chart::new("loss").line("train", &[1.0, 2.0], &[0.9, 0.4]);
    /// let told = chart.describe("The training loss halves in one epoch.");
    /// assert!(told.svg().unwrap().contains("<desc id=\"") );
    /// assert_eq!(told.draw().unwrap().description(), "The training loss halves in one epoch.");
    /// ```
    pub fn describe(&self, description: &str) -> Self {
        let mut this = self.clone();
        this.description = Some(description.to_string());
        this
    }

    /// Remembers the first problem; [`draw`](Self::draw) returns it.
    fn fail(&mut self, error: Error) {
        self.problem.get_or_insert(error);
    }

    fn pairs(&mut self, what: &str, xs: &[f64], ys: &[f64]) -> Option<Vec<(f64, f64)>> {
        if xs.len() != ys.len() {
            self.fail(Error::shape(
                format!("the series {what:?}"),
                format!("{} y values, one per x value", xs.len()),
                format!("{} y values", ys.len()),
            ));
            return None;
        }
        Some(xs.iter().copied().zip(ys.iter().copied()).collect())
    }

    /// A scatter of points `(xs[i], ys[i])` named `label`, in the next
    /// palette colour. A point with a NaN or infinite coordinate is left out.
    pub fn points(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        let mut this = self.clone();
        if let Some(xy) = this.pairs(label, xs, ys) {
            let (color, shape) = this.take_style();
            this.layers.push(Layer::Points {
                label: label.into(),
                radii: vec![3; xy.len()],
                xy,
                color,
                shape,
            });
        }
        this
    }

    /// Points `(xs[i], ys[i])` named `label`, in the next palette colour,
    /// each drawn with an area proportional to `weights[i]` (how many rows
    /// a point stands for, say): the largest weight gets a radius of
    /// [`LARGEST_RADIUS`] pixels, weight w the radius
    /// `LARGEST_RADIUS · √(w / largest)`, and no point less than
    /// [`SMALLEST_RADIUS`]. The points are drawn partly transparent, so
    /// that a small one under a large one still shows. A point with a NaN or
    /// infinite coordinate is left out; a weight that is negative, NaN or
    /// infinite is an error when drawn.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let chart = Chart::new("bins").sized_points("rows", &[0.6, 0.9], &[0.5, 0.95], &[1.0, 287.0]);
    /// assert!(chart.draw().is_ok());
    /// let bad = Chart::new("bins").sized_points("rows", &[0.6], &[0.5], &[-1.0]);
    /// assert!(bad.draw().is_err());
    /// ```
    pub fn sized_points(&self, label: &str, xs: &[f64], ys: &[f64], weights: &[f64]) -> Self {
        let mut this = self.clone();
        let Some(xy) = this.pairs(label, xs, ys) else {
            return this;
        };
        if weights.len() != xy.len() {
            this.fail(Error::shape(
                format!("the weights of {label:?}"),
                format!("{} weights, one per point", xy.len()),
                format!("{} weights", weights.len()),
            ));
            return this;
        }
        if let Some((i, w)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
        {
            this.fail(Error::parameter(
                format!("weight {i} of {label:?}"),
                "a finite number ≥ 0 (a point's area is proportional to it)",
                w,
            ));
            return this;
        }
        let (color, _) = this.take_style();
        this.layers.push(Layer::Points {
            label: label.into(),
            radii: point_radii(weights),
            xy,
            color,
            shape: Marker::Circle,
        });
        this
    }

    /// Points `x: (n, 2)` coloured by class: `labels[i]` indexes
    /// `class_names`. `x` and `labels` may be owned arrays, references or
    /// views.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// use ndarray::array;
    /// let x = array![[0.0, 0.0], [1.0, 1.0]];
    /// let chart = Chart::new("two").scatter_by_class(&x, &array![0, 1], &["a", "b"]);
    /// assert_eq!(chart.series_names(), ["a", "b"]);
    /// ```
    pub fn scatter_by_class<'a, 'b, S: AsRef<str>>(
        &self,
        x: impl AsArray<'a, f64, Ix2>,
        labels: impl AsArray<'b, usize, Ix1>,
        class_names: &[S],
    ) -> Self {
        let names: Vec<&str> = class_names.iter().map(AsRef::as_ref).collect();
        self.scatter_by_class_of(x.into(), labels.into(), &names)
    }

    fn scatter_by_class_of(
        &self,
        x: ArrayView2<'_, f64>,
        labels: ArrayView1<'_, usize>,
        class_names: &[&str],
    ) -> Self {
        let mut this = self.clone();
        if x.ncols() != 2 {
            this.fail(Error::shape(
                "x",
                "2 columns (the two coordinates to draw)",
                format!("{} columns", x.ncols()),
            ));
            return this;
        }
        if labels.len() != x.nrows() {
            this.fail(Error::shape(
                "labels",
                format!("{} labels, one per row of x", x.nrows()),
                format!("{} labels", labels.len()),
            ));
            return this;
        }
        if let Some(&bad) = labels.iter().find(|&&l| l >= class_names.len()) {
            this.fail(Error::parameter(
                "every label",
                format!("below the number of class names ({})", class_names.len()),
                bad,
            ));
            return this;
        }
        let mut by_class = vec![Vec::new(); class_names.len()];
        for (row, &class) in x.rows().into_iter().zip(labels) {
            by_class[class].push((row[0], row[1]));
        }
        for (class, (name, xy)) in class_names.iter().zip(by_class).enumerate() {
            let (color, shape) = style_of(this.next_color + class);
            this.layers.push(Layer::Points {
                label: name.to_string(),
                radii: vec![4; xy.len()],
                xy,
                color,
                shape,
            });
        }
        this.next_color += class_names.len();
        this
    }

    /// A two-feature dataset drawn by class, its feature names on the axes
    /// (unless [`labels`](Self::labels) named them already).
    pub fn dataset(&self, data: &Dataset) -> Self {
        let mut this = self.clone();
        if data.n_features() != 2 {
            this.fail(Error::shape(
                format!("the dataset {}", data.name()),
                "2 features (pick them with .features(&[a, b]))",
                format!("{} features", data.n_features()),
            ));
            return this;
        }
        if this.x_label.is_empty() && this.y_label.is_empty() {
            this.x_label = data.feature_names()[0].clone();
            this.y_label = data.feature_names()[1].clone();
        }
        this.scatter_by_class(data.x(), data.y(), data.class_names())
    }

    /// A line through the points `(xs[i], ys[i])`, named `label`. It breaks
    /// at a point with a NaN or infinite coordinate.
    pub fn line(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        self.polyline(label, xs, ys, false, None)
    }

    /// A dashed line, for a reference curve (a bound, a law, a target).
    pub fn dashed_line(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        self.polyline(label, xs, ys, true, None)
    }

    /// A line with a hollow `marker` at each of its points, so that
    /// several lines that run close together (learning curves, say) can
    /// still be told apart: give each its own marker.
    ///
    /// ```
    /// use mlmath::plot::{Chart, Marker};
    /// let chart = Chart::new("two curves")
    ///     .marked_line("a", &[1.0, 2.0], &[0.5, 0.9], Marker::Circle)
    ///     .marked_line("b", &[1.0, 2.0], &[0.5, 0.9], Marker::Square);
    /// assert_eq!(chart.series_names(), ["a", "b"]);
    /// assert!(chart.draw().is_ok());
    /// ```
    pub fn marked_line(&self, label: &str, xs: &[f64], ys: &[f64], marker: Marker) -> Self {
        self.polyline(label, xs, ys, false, Some(marker))
    }

    /// A dashed line in a neutral grey ([`REFERENCE`]) that takes no
    /// colour of the palette: for a line that marks a place rather than
    /// data (a threshold, a chosen size), so that it cannot be mistaken
    /// for one of the series.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let chart = Chart::new("t").reference_line("x = 10", &[10.0, 10.0], &[0.0, 1.0]);
    /// assert!(chart.draw().is_ok());
    /// ```
    pub fn reference_line(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        let mut this = self.clone();
        if let Some(xy) = this.pairs(label, xs, ys) {
            this.layers.push(Layer::Line {
                label: label.into(),
                xy,
                color: REFERENCE,
                dashed: true,
                marker: None,
                cycle: None,
            });
        }
        this
    }

    fn polyline(
        &self,
        label: &str,
        xs: &[f64],
        ys: &[f64],
        dashed: bool,
        marker: Option<Marker>,
    ) -> Self {
        let mut this = self.clone();
        if let Some(xy) = this.pairs(label, xs, ys) {
            let (color, cycle) = this.take_style();
            this.layers.push(Layer::Line {
                label: label.into(),
                xy,
                color,
                dashed,
                marker,
                cycle: Some(cycle),
            });
        }
        this
    }

    /// A histogram of `values` in `bins` equal bins over their range (see
    /// [`histogram_counts`] for what it accepts).
    pub fn histogram(&self, label: &str, values: &[f64], bins: usize) -> Self {
        let mut this = self.clone();
        match histogram_counts(values, bins) {
            Ok((edges, counts)) => {
                let bars = edges
                    .windows(2)
                    .zip(&counts)
                    .map(|(e, &c)| (e[0], e[1], c as f64))
                    .collect();
                let (color, _) = this.take_style();
                this.layers.push(Layer::Bars {
                    label: label.into(),
                    bars,
                    color,
                });
            }
            Err(e) => this.fail(e),
        }
        this
    }

    /// One bar per category, `values[i]` high, with the category written
    /// under it. The values must be finite.
    pub fn bars(&self, label: &str, categories: &[&str], values: &[f64]) -> Self {
        let mut this = self.clone();
        if categories.len() != values.len() {
            this.fail(Error::shape(
                "values",
                format!("{} values, one per category", categories.len()),
                format!("{} values", values.len()),
            ));
            return this;
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            this.fail(Error::NotFinite {
                what: format!("the bar values of {label:?}"),
                index: vec![i],
            });
            return this;
        }
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64 - 0.4, i as f64 + 0.4, v))
            .collect();
        let (color, _) = this.take_style();
        this.layers.push(Layer::Bars {
            label: label.into(),
            bars,
            color,
        });
        this.categories = Some(categories.iter().map(|c| c.to_string()).collect());
        this
    }

    /// A heatmap of `values: (rows, cols)` (owned, a reference or a view)
    /// over `[x.0, x.1] × [y.0, y.1]`, row 0 at the bottom, with a colour
    /// bar (viridis: dark is low; a NaN cell is magenta). Draw it first:
    /// later layers (paths, points) go on top.
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let bowl = ndarray::Array2::from_shape_fn((20, 20), |(i, j)| (i * i + j * j) as f64);
    /// assert!(Chart::new("bowl").heatmap(&bowl, (0.0, 1.0), (0.0, 1.0)).draw().is_ok());
    /// // A heatmap with no cells is an error when drawn, not a panic.
    /// let empty = ndarray::Array2::<f64>::zeros((0, 3));
    /// assert!(Chart::new("none").heatmap(&empty, (0.0, 1.0), (0.0, 1.0)).draw().is_err());
    /// ```
    pub fn heatmap<'a>(
        &self,
        values: impl AsArray<'a, f64, Ix2>,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Self {
        self.heatmap_of(values.into(), x, y, false)
    }

    /// A heatmap whose colours follow log10 of the values, for a loss that
    /// spans orders of magnitude (values must be positive; NaN is drawn as
    /// missing).
    pub fn log_heatmap<'a>(
        &self,
        values: impl AsArray<'a, f64, Ix2>,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Self {
        self.heatmap_of(values.into(), x, y, true)
    }

    fn heatmap_of(
        &self,
        values: ArrayView2<'_, f64>,
        x: (f64, f64),
        y: (f64, f64),
        log: bool,
    ) -> Self {
        let mut this = self.clone();
        let checked = check_map("the heatmap", values.dim(), x, y).and_then(|()| {
            if log && let Some(v) = values.iter().find(|&&v| v <= 0.0) {
                return Err(Error::parameter(
                    "every value of a log heatmap",
                    "positive (draw log10 of values > 0)",
                    v,
                ));
            }
            Ok(())
        });
        match checked {
            Ok(()) => {
                let values = values.rows().into_iter().map(|r| r.to_vec()).collect();
                this.layers.push(Layer::Heatmap { values, x, y, log });
            }
            Err(e) => this.fail(e),
        }
        this
    }

    /// Decision regions: `classes: (rows, cols)` of class indices (owned, a
    /// reference or a view) over `[x.0, x.1] × [y.0, y.1]`, row 0 at the
    /// bottom, shaded in light versions of the class colours used by
    /// [`scatter_by_class`](Self::scatter_by_class). Draw them first, then
    /// the points. A class index from 8 on (beyond the [`PALETTE`]) is an
    /// error when drawn: two classes would share a shade.
    pub fn regions<'a>(
        &self,
        classes: impl AsArray<'a, usize, Ix2>,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Self {
        self.regions_of(classes.into(), x, y)
    }

    fn regions_of(&self, classes: ArrayView2<'_, usize>, x: (f64, f64), y: (f64, f64)) -> Self {
        let mut this = self.clone();
        let checked = check_map("the regions", classes.dim(), x, y).and_then(|()| {
            match classes.indexed_iter().find(|(_, c)| **c >= PALETTE.len()) {
                Some(((i, j), c)) => Err(Error::parameter(
                    format!("the class at row {i}, column {j} of the regions"),
                    format!("a class index below {} (one colour each)", PALETTE.len()),
                    c,
                )),
                None => Ok(()),
            }
        });
        match checked {
            Ok(()) => {
                let classes = classes.rows().into_iter().map(|r| r.to_vec()).collect();
                this.layers.push(Layer::Regions { classes, x, y });
            }
            Err(e) => this.fail(e),
        }
        this
    }

    /// Contour lines of a function `f(x, y)` sampled on a grid: one line
    /// per entry of `levels` (at most [`MAX_LEVELS`]), where `f = level`,
    /// labelled with its level, in grey. `values: (rows, cols)` (owned, a
    /// reference or a view) holds `f` at the grid points: `values[(i, j)]`
    /// is `f(xs[j], ys[i])` with `xs = linspace(x.0, x.1, cols)` and
    /// `ys = linspace(y.0, y.1, rows)`, so row 0 is the bottom, as in a
    /// [`heatmap`](Self::heatmap). The lines are traced by
    /// [`contour_lines`] (see there what is accepted).
    ///
    /// Where contours crowd together the function is steep; the gradient
    /// is perpendicular to them.
    ///
    /// ```
    /// use mlmath::plot::{Chart, linspace};
    /// let ticks = linspace(-2.0, 2.0, 41);
    /// // f(x, y) = x² + 4y²: ellipses, twice as long as they are high.
    /// let f = ndarray::Array2::from_shape_fn((41, 41), |(i, j)| {
    ///     ticks[j] * ticks[j] + 4.0 * ticks[i] * ticks[i]
    /// });
    /// let chart = Chart::new("ellipses").contours(&f, (-2.0, 2.0), (-2.0, 2.0), &[0.5, 1.0, 2.0]);
    /// assert!(chart.draw().is_ok());
    /// assert!(Chart::new("none").contours(&f, (-2.0, 2.0), (-2.0, 2.0), &[]).draw().is_err());
    /// ```
    pub fn contours<'a>(
        &self,
        values: impl AsArray<'a, f64, Ix2>,
        x: (f64, f64),
        y: (f64, f64),
        levels: &[f64],
    ) -> Self {
        self.contours_of(values.into(), x, y, levels)
    }

    fn contours_of(
        &self,
        values: ArrayView2<'_, f64>,
        x: (f64, f64),
        y: (f64, f64),
        levels: &[f64],
    ) -> Self {
        let mut this = self.clone();
        if levels.is_empty() {
            this.fail(Error::empty("the levels of the contours"));
            return this;
        }
        if levels.len() > MAX_LEVELS {
            this.fail(Error::parameter(
                "the levels of the contours",
                format!("at most {MAX_LEVELS}"),
                levels.len(),
            ));
            return this;
        }
        let mut lines = Vec::with_capacity(levels.len());
        for &level in levels {
            match contour_lines_of(values, x, y, level) {
                Ok(polylines) => lines.push((level, polylines)),
                Err(e) => {
                    this.fail(e);
                    return this;
                }
            }
        }
        this.layers.push(Layer::Contours { lines, x, y });
        this
    }

    /// The names of the layers that appear in the legend, in drawing order.
    ///
    /// ```
    /// let chart = mlmath::plot::Chart::new("t").line("sin", &[0.0, 1.0], &[0.0, 0.8]);
    /// assert_eq!(chart.series_names(), vec!["sin"]);
    /// ```
    pub fn series_names(&self) -> Vec<&str> {
        self.legend_entries()
            .into_iter()
            .map(|(label, _, _)| label)
            .collect()
    }

    /// Draws the chart, or says what in its data could not be drawn.
    pub fn draw(&self) -> Result<Plot> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            self.render(&root)?;
            root.present().map_err(plot_error)?;
        }
        Ok(Plot::accessible(svg, &self.title, self.description()?))
    }

    /// The chart's SVG text (for tests and saving).
    pub fn svg(&self) -> Result<String> {
        Ok(self.draw()?.svg)
    }

    /// Shows the chart in a notebook; a problem with its data is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }

    /// Draws the chart into `root` (the whole figure, or one panel of [`Panels`]).
    fn render(&self, root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        let frame = self.frame()?;
        root.fill(&WHITE).map_err(plot_error)?;
        let x_ticks = match &self.categories {
            Some(names) if !frame.x.log => category_ticks(names.len(), frame.x),
            _ => frame.x.ticks(),
        };
        let y_ticks = frame.y.ticks();
        let axis = |scale: Scale, ticks: Vec<f64>| Ticked {
            light: scale.light_ticks(&ticks),
            bold: ticks,
            scale,
            linear: RangedCoordf64::from(scale.low..scale.high),
            log: LogCoord::from((scale.low.max(f64::MIN_POSITIVE)..scale.high).log_scale()),
        };
        self.draw_on(root, axis(frame.x, x_ticks), axis(frame.y, y_ticks), frame)
    }

    /// The axes of the drawing: the ranges set, or fitted to the data, and
    /// checked (finite, low < high, positive on a log axis).
    fn frame(&self) -> Result<Frame> {
        let axis = |name: &str, set: Option<(f64, f64)>, log: bool, is_x: bool| {
            let (low, high) = match set {
                Some(range) => range,
                None => self.fit_range(name, is_x, log)?,
            };
            if log && low <= 0.0 {
                return Err(Error::parameter(
                    format!("the {name} range of a log axis"),
                    "positive",
                    low,
                ));
            }
            Ok(Scale { low, high, log })
        };
        Ok(Frame {
            x: axis("x", self.x_range, self.log_x, true)?,
            y: axis("y", self.y_range, self.log_y, false)?,
        })
    }

    /// The range of all layers' data along one axis, padded by 5% (on a log
    /// axis, by 5% of the decades). Values that cannot be placed (NaN, ±∞,
    /// ≤ 0 on a log axis) are ignored; an error if the values span more
    /// than an f64 can hold.
    fn fit_range(&self, name: &str, is_x: bool, log: bool) -> Result<(f64, f64)> {
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        let mut see = |v: f64| {
            if v.is_finite() && (!log || v > 0.0) {
                low = low.min(v);
                high = high.max(v);
            }
        };
        for layer in &self.layers {
            match layer {
                Layer::Points { xy, .. } | Layer::Line { xy, .. } => {
                    for &(x, y) in xy {
                        see(if is_x { x } else { y });
                    }
                }
                Layer::Bars { bars, .. } => {
                    for &(left, right, height) in bars {
                        if is_x {
                            see(left);
                            see(right);
                        } else {
                            see(0.0);
                            see(height);
                        }
                    }
                }
                Layer::Heatmap { x, y, .. }
                | Layer::Regions { x, y, .. }
                | Layer::Contours { x, y, .. } => {
                    let (a, b) = if is_x { *x } else { *y };
                    // A map alone fills its rectangle exactly: no padding.
                    if self.layers.len() == 1 && (!log || a > 0.0) {
                        return Ok((a, b));
                    }
                    see(a);
                    see(b);
                }
            }
        }
        if low > high {
            return Ok(if log { (1.0, 10.0) } else { (0.0, 1.0) });
        }
        if log {
            let (a, b) = (low.log10(), high.log10());
            let pad = ((b - a) * 0.05).max(0.05);
            let padded_low = 10f64.powf(a - pad);
            let padded_high = 10f64.powf(b + pad);
            let low = if padded_low > 0.0 { padded_low } else { low };
            let high = if padded_high.is_finite() {
                padded_high
            } else {
                high
            };
            return Ok(if low < high {
                (low, high)
            } else {
                (low, low * 10.0)
            });
        }
        let span = high - low;
        if !span.is_finite() {
            return Err(Error::parameter(
                format!("the {name} values"),
                format!("a span below 1.8e308 (rescale them, or set the axis with {name}_range)"),
                format!("values from {low:e} to {high:e}"),
            ));
        }
        let size = low.abs().max(high.abs());
        let pad = if span > 1e-9 * size {
            0.05 * span
        } else if size > 0.0 {
            0.05 * size
        } else {
            0.5
        };
        let padded = |v: f64| if v.is_finite() { Some(v) } else { None };
        Ok((
            padded(low - pad).unwrap_or(low),
            padded(high + pad).unwrap_or(high),
        ))
    }

    /// The corner of the plot area with the fewest data points, for the
    /// legend, and how many points it holds.
    fn emptiest_corner(&self, frame: Frame) -> (SeriesLabelPosition, usize) {
        // The share of the plot area a legend box covers, from its entries.
        let entries = self.legend_entries();
        let longest = entries
            .iter()
            .map(|(l, _, _)| l.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let plot_width = (f64::from(self.size.0) - 90.0).max(1.0);
        let plot_height = (f64::from(self.size.1) - 90.0).max(1.0);
        let wide = ((longest * 8.0 + 60.0) / plot_width).min(0.9);
        let tall = ((entries.len() as f64 * 22.0 + 20.0) / plot_height).min(0.9);
        let mut counts = [0usize; 4]; // upper right, upper left, lower right, lower left
        for layer in &self.layers {
            let xy = match layer {
                Layer::Points { xy, .. } | Layer::Line { xy, .. } => xy,
                _ => continue,
            };
            for &(x, y) in xy {
                let (Some(u), Some(v)) = (frame.x.position(x), frame.y.position(y)) else {
                    continue;
                };
                let (left, right, low, high) = (u < wide, u > 1.0 - wide, v < tall, v > 1.0 - tall);
                counts[0] += usize::from(right && high);
                counts[1] += usize::from(left && high);
                counts[2] += usize::from(right && low);
                counts[3] += usize::from(left && low);
            }
        }
        let best = (0..4).min_by_key(|&k| counts[k]).unwrap_or(0);
        let corner = [
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::LowerLeft,
        ][best]
            .clone();
        (corner, counts[best])
    }

    /// The legend entries: a label, a colour and the kind of mark.
    fn legend_entries(&self) -> Vec<(&str, RGBColor, Mark)> {
        self.layers
            .iter()
            .filter_map(|layer| match layer {
                Layer::Points {
                    label,
                    color,
                    shape,
                    ..
                } => Some((label.as_str(), *color, Mark::Dot(*shape))),
                Layer::Line {
                    label,
                    color,
                    dashed,
                    marker,
                    cycle,
                    ..
                } => Some((
                    label.as_str(),
                    *color,
                    Mark::Line {
                        dashed: *dashed,
                        marker: self.line_marker(*marker, *cycle).map(|(m, _)| m),
                    },
                )),
                Layer::Bars { label, color, .. } => Some((label.as_str(), *color, Mark::Block)),
                Layer::Heatmap { .. } | Layer::Regions { .. } | Layer::Contours { .. } => None,
            })
            .filter(|(label, _, _)| !label.is_empty())
            .collect()
    }

    /// The marker a line shows, and whether at every point: its own
    /// ([`marked_line`](Self::marked_line)), at every point; else, when the
    /// chart has two or more lines in palette colours, the marker of its
    /// place in the palette, at some points ([`marked_points`]).
    fn line_marker(&self, marker: Option<Marker>, cycle: Option<Marker>) -> Option<(Marker, bool)> {
        let coloured = |layer: &Layer| matches!(layer, Layer::Line { cycle: Some(_), .. });
        match marker {
            Some(m) => Some((m, true)),
            None if self.layers.iter().filter(|l| coloured(l)).count() >= 2 => {
                cycle.map(|m| (m, false))
            }
            None => None,
        }
    }

    /// The pixels `(width, height)` of the plot area inside a figure of
    /// `size`, measured by laying the chart out on a scratch drawing.
    fn plot_area(&self, size: (u32, u32), y_area: u32) -> Result<(u32, u32)> {
        let mut scratch = String::new();
        let root = SVGBackend::with_string(&mut scratch, size).into_drawing_area();
        let chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(plot_error)?;
        Ok(chart.plotting_area().dim_in_pixel())
    }

    /// The margins `[top, bottom, left, right]` that give a figure of
    /// `size` a plot area with one unit across as long as one unit up.
    /// The caption and label areas have fixed sizes, so cutting `c` pixels
    /// off the figure cuts `c` off the plot area.
    fn aspect_margins(&self, size: (u32, u32), y_area: u32, frame: Frame) -> Result<[i32; 4]> {
        let (width, height) = self.plot_area(size, y_area)?;
        let span = |s: Scale| match s.log {
            true => s.high.log10() - s.low.log10(),
            false => s.high - s.low,
        };
        let (across, up) = (width as f64 / span(frame.x), height as f64 / span(frame.y));
        Ok(if across > up {
            let cut = (width as f64 - up * span(frame.x)).round() as i32;
            [0, 0, cut / 2, cut - cut / 2]
        } else {
            let cut = (height as f64 - across * span(frame.y)).round() as i32;
            [cut / 2, cut - cut / 2, 0, 0]
        })
    }

    fn draw_on(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        xs: Ticked,
        ys: Ticked,
        frame: Frame,
    ) -> Result<()> {
        let heat = self.layers.iter().find_map(|l| match l {
            Layer::Heatmap { values, log, .. } => Some((value_range(values, *log), *log)),
            _ => None,
        });
        // The legend sits in the emptiest corner, or beside the plot when
        // every corner holds data.
        let entries = self.legend_entries();
        let (corner, crowd) = self.emptiest_corner(frame);
        let outside = !entries.is_empty() && crowd > 0;
        let (root, side) = if outside {
            let longest = entries
                .iter()
                .map(|(l, _, _)| l.chars().count())
                .max()
                .unwrap_or(0);
            let total = root.dim_in_pixel().0;
            let width = (longest.min(60) as u32 * 8 + 46).min(total / 2);
            let (plot, side) = root.split_horizontally(total.saturating_sub(width));
            (plot, Some(side))
        } else {
            (root.clone(), None)
        };
        let (main, bar) = match heat {
            Some(_) => {
                let width = root.dim_in_pixel().0;
                let (main, bar) = root.split_horizontally(width.saturating_sub(90));
                (main, Some(bar))
            }
            None => (root.clone(), None),
        };
        // The y tick labels' area widens for long labels (1.0e-10), so the
        // axis title beside them does not overlap them.
        let (snap_x, snap_y) = (!frame.x.log, !frame.y.log);
        let (x_form, y_form) = (
            TickForm::of(&xs.bold, snap_x),
            TickForm::of(&ys.bold, snap_y),
        );
        let longest_tick = ys
            .bold
            .iter()
            .map(|v| y_form.label(*v).chars().count())
            .max()
            .unwrap_or(0);
        let y_area = (longest_tick.min(20) as u32 * 8 + 26).max(65);
        let main = if self.equal_aspect {
            let [top, bottom, left, right] =
                self.aspect_margins(main.dim_in_pixel(), y_area, frame)?;
            main.margin(top, bottom, left, right)
        } else {
            main
        };
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(y_area)
            .build_cartesian_2d(xs, ys)
            .map_err(plot_error)?;
        let categories = self.categories.clone();
        let category_name = move |v: &f64| -> String {
            let i = v.round();
            match &categories {
                Some(names) if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() => {
                    names[i as usize].clone()
                }
                Some(_) => String::new(),
                None => x_form.label(*v),
            }
        };
        let y_tick = move |v: &f64| y_form.label(*v);
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(("sans-serif", 17))
            .label_style(("sans-serif", 15))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_label_formatter(&category_name)
            .y_label_formatter(&y_tick);
        mesh.draw().map_err(plot_error)?;

        for layer in &self.layers {
            match layer {
                Layer::Heatmap { values, x, y, log } => {
                    let (low, high) = value_range(values, *log);
                    let cells = grid_cells(values.len(), values[0].len(), *x, *y);
                    chart
                        .draw_series(cells.filter_map(|(i, j, a, b)| {
                            let (a, b) = frame.clamp_rect(a, b)?;
                            let v = values[i][j];
                            let color = if v.is_finite() {
                                viridis(normalise(v, low, high, *log))
                            } else {
                                MISSING
                            };
                            Some(Rectangle::new([a, b], color.filled()))
                        }))
                        .map_err(plot_error)?;
                }
                Layer::Regions { classes, x, y } => {
                    let cells = grid_cells(classes.len(), classes[0].len(), *x, *y);
                    chart
                        .draw_series(cells.filter_map(|(i, j, a, b)| {
                            let (a, b) = frame.clamp_rect(a, b)?;
                            let c = PALETTE[classes[i][j] % PALETTE.len()];
                            Some(Rectangle::new([a, b], c.mix(0.22).filled()))
                        }))
                        .map_err(plot_error)?;
                }
                Layer::Contours { lines, .. } => {
                    let style = CONTOUR.stroke_width(1);
                    let centred = Pos::new(HPos::Center, VPos::Center);
                    let font = ("sans-serif", 15).into_font().color(&CONTOUR).pos(centred);
                    for (level, polylines) in lines {
                        // The label sits halfway along the longest piece drawn.
                        let mut longest: Vec<(f64, f64)> = Vec::new();
                        for piece in polylines.iter().flat_map(|line| frame.pieces(line)) {
                            chart
                                .draw_series(LineSeries::new(piece.iter().copied(), style))
                                .map_err(plot_error)?;
                            if piece.len() > longest.len() {
                                longest = piece;
                            }
                        }
                        if let Some(&at) = longest.get(longest.len() / 2) {
                            let label = format_tick(round_significant(*level, 3), false);
                            let text = Text::new(label, at, font.clone());
                            chart
                                .draw_series(std::iter::once(text))
                                .map_err(plot_error)?;
                        }
                    }
                }
                Layer::Points {
                    xy,
                    color,
                    radii,
                    shape,
                    ..
                } => {
                    let (color, shape) = (*color, *shape);
                    // Points of one size are nearly opaque; sized points overlap, and show
                    // through each other.
                    let opacity = if radii.windows(2).all(|r| r[0] == r[1]) {
                        0.85
                    } else {
                        0.6
                    };
                    let fill = color.mix(opacity).filled();
                    let inside = xy
                        .iter()
                        .copied()
                        .zip(radii.iter().map(|&r| f64::from(r)))
                        .filter(|&(p, _)| frame.contains(p));
                    draw_markers(&mut chart, inside, shape, fill)?;
                }
                Layer::Line {
                    xy,
                    color,
                    dashed,
                    marker,
                    cycle,
                    ..
                } => {
                    let style = color.stroke_width(2);
                    // The pieces inside the axes: a line breaks where a point
                    // cannot be placed, and is cut where it leaves the axes.
                    for piece in frame.pieces(xy) {
                        if *dashed {
                            chart.draw_series(DashedLineSeries::new(piece, 8, 5, style))
                        } else {
                            chart.draw_series(LineSeries::new(piece, style))
                        }
                        .map_err(plot_error)?;
                    }
                    let shown = self.line_marker(*marker, *cycle);
                    if let Some((shape, every)) = shown {
                        let at = if every {
                            (0..xy.len()).collect()
                        } else {
                            marked_points(xy.len())
                        };
                        let inside = at
                            .into_iter()
                            .map(|i| (xy[i], MARK_RADIUS))
                            .filter(|&(p, _)| frame.contains(p));
                        draw_markers(&mut chart, inside, shape, style)?;
                    }
                }
                Layer::Bars { bars, color, .. } => {
                    let color = *color;
                    let rects = bars.iter().filter_map(|&(left, right, h)| {
                        let (a, b) = frame.clamp_rect((left, 0.0), (right, h))?;
                        Some(Rectangle::new([a, b], color.mix(0.8).filled()))
                    });
                    chart.draw_series(rects).map_err(plot_error)?;
                }
            }
        }
        if let Some(side) = side {
            draw_side_legend(&side, &entries)?;
        } else if !entries.is_empty() {
            draw_corner_legend(&chart.plotting_area().strip_coord_spec(), &entries, corner)?;
        }
        if let (Some(bar), Some(((low, high), log))) = (bar, heat) {
            draw_colour_bar(&bar, low, high, log)?;
        }
        Ok(())
    }

    /// The data of the series named `label`: its x values and its y values,
    /// in the order they were given (NaN and infinite values included, as
    /// passed). A series is a layer of [`points`](Self::points),
    /// [`line`](Self::line) or [`dashed_line`](Self::dashed_line), or one
    /// class of [`scatter_by_class`](Self::scatter_by_class) and
    /// [`dataset`](Self::dataset). If several series share the name, the
    /// first; `None` if none has it (bars, histograms and maps are not
    /// series of points, and a series refused for lengths that differ was
    /// never added).
    ///
    /// A check can so compare what a chart draws with the numbers it should
    /// draw, without comparing pictures:
    ///
    /// ```
    /// use mlmath::plot::Chart;
    /// let chart = Chart::new("t").line("square", &[1.0, 2.0, 3.0], &[1.0, 4.0, 9.0]);
    /// let (xs, ys) = chart.series_points("square").unwrap();
    /// assert_eq!((xs, ys), (vec![1.0, 2.0, 3.0], vec![1.0, 4.0, 9.0]));
    /// assert_eq!(chart.series_points("cube"), None);
    /// ```
    pub fn series_points(&self, label: &str) -> Option<(Vec<f64>, Vec<f64>)> {
        self.layers.iter().find_map(|layer| match layer {
            Layer::Points {
                label: name, xy, ..
            }
            | Layer::Line {
                label: name, xy, ..
            } if name == label => Some(xy.iter().copied().unzip()),
            _ => None,
        })
    }
}

/// Checks an interval set by a learner: two finite numbers, low < high,
/// whose difference is an f64 too.
fn check_interval(what: &str, (low, high): (f64, f64)) -> Result<(f64, f64)> {
    if low.is_finite() && high.is_finite() && low < high && (high - low).is_finite() {
        Ok((low, high))
    } else {
        Err(Error::parameter(
            what,
            "two finite numbers (low, high) with low < high",
            format!("({low}, {high})"),
        ))
    }
}

/// Checks a map (heatmap or regions) of `rows × cols` cells over `x × y`.
fn check_map(what: &str, (rows, cols): (usize, usize), x: (f64, f64), y: (f64, f64)) -> Result<()> {
    if rows == 0 || cols == 0 {
        return Err(Error::empty(format!(
            "the grid of {what} ({rows} × {cols} cells)"
        )));
    }
    if rows.saturating_mul(cols) > MAX_CELLS {
        return Err(Error::parameter(
            format!("the cells of {what}"),
            format!("at most {MAX_CELLS} (use a coarser grid)"),
            format!("{rows} × {cols}"),
        ));
    }
    check_interval(&format!("the x rectangle of {what}"), x)?;
    check_interval(&format!("the y rectangle of {what}"), y)?;
    Ok(())
}

/// The level set `f = level` of a function of two variables sampled on a
/// grid, as polylines, by *marching squares*.
///
/// `values: (rows, cols)` (owned, a reference or a view) holds `f` at the
/// grid points: `values[(i, j)] = f(xs[j], ys[i])` with
/// `xs = linspace(x.0, x.1, cols)`, `ys = linspace(y.0, y.1, rows)` (row 0
/// at the bottom). A grid point is *above* the level if `f > level`.
/// Along every edge of the grid whose two ends `a`, `b` lie on different
/// sides, the line crosses at the point
///
/// ```text
/// p = p_a + t (p_b − p_a),     t = (level − f_a) / (f_b − f_a)
/// ```
///
/// where the straight line between the two values meets the level. Each
/// square of four neighbouring grid points is then crossed on two of its
/// edges, joined by a segment, or on all four: a *saddle*, whose diagonal
/// corners lie on the same side, split by the value at its centre (the mean
/// of its corners) into the two segments that keep the centre's side
/// connected. Segments that share a crossing are chained into polylines; a
/// closed line ends with its first point. A square with a NaN or infinite
/// corner is left out, and the line breaks there.
///
/// On a grid fine enough to see the function's curvature, the points lie
/// within about `h² |f''| / (8 |∇f|)` of the true level set (`h` the grid
/// step): the error of the straight-line interpolation.
///
/// An error if the grid has fewer than 2 × 2 points or more than
/// [`MAX_CELLS`], if a rectangle is not two finite numbers with
/// `low < high`, or if `level` is not finite.
///
/// ```
/// use mlmath::plot::{contour_lines, linspace};
/// // The plane f = x + y crosses 1 along the straight line x + y = 1.
/// let ticks = linspace(0.0, 1.0, 11);
/// let plane = ndarray::Array2::from_shape_fn((11, 11), |(i, j)| ticks[j] + ticks[i]);
/// let lines = contour_lines(&plane, (0.0, 1.0), (0.0, 1.0), 1.0).unwrap();
/// assert_eq!(lines.len(), 1);
/// assert!(lines[0].iter().all(|(x, y)| (x + y - 1.0).abs() < 1e-12));
/// assert!(contour_lines(&plane, (0.0, 1.0), (0.0, 1.0), f64::NAN).is_err());
/// ```
pub fn contour_lines<'a>(
    values: impl AsArray<'a, f64, Ix2>,
    x: (f64, f64),
    y: (f64, f64),
    level: f64,
) -> Result<Vec<Vec<(f64, f64)>>> {
    contour_lines_of(values.into(), x, y, level)
}

fn contour_lines_of(
    values: ArrayView2<'_, f64>,
    x: (f64, f64),
    y: (f64, f64),
    level: f64,
) -> Result<Vec<Vec<(f64, f64)>>> {
    let (rows, cols) = values.dim();
    if rows < 2 || cols < 2 {
        return Err(Error::shape(
            "the grid of the contours",
            "at least 2 × 2 points",
            format!("{rows} × {cols} points"),
        ));
    }
    check_map("the contours", (rows, cols), x, y)?;
    if !level.is_finite() {
        return Err(Error::parameter(
            "the level of a contour",
            "a finite number",
            level,
        ));
    }
    let grid = Grid {
        values,
        xs: linspace(x.0, x.1, cols),
        ys: linspace(y.0, y.1, rows),
        level,
    };
    let segments = grid.segments();
    Ok(chain(&segments)
        .into_iter()
        .map(|edges| edges.into_iter().map(|e| grid.crossing(e)).collect())
        .collect())
}

/// A sampled function and a level, for marching squares. Its edges are
/// numbered: the one from grid point `(i, j)` to `(i, j + 1)` is
/// `i (cols − 1) + j`; the one from `(i, j)` to `(i + 1, j)` is
/// `rows (cols − 1) + i cols + j`.
struct Grid<'a> {
    values: ArrayView2<'a, f64>,
    xs: Vec<f64>,
    ys: Vec<f64>,
    level: f64,
}

impl Grid<'_> {
    fn above(&self, v: f64) -> bool {
        v > self.level
    }

    /// The ends `(i, j)` of edge `e`.
    fn ends(&self, e: usize) -> ((usize, usize), (usize, usize)) {
        let (rows, cols) = self.values.dim();
        let across = rows * (cols - 1);
        if e < across {
            let (i, j) = (e / (cols - 1), e % (cols - 1));
            ((i, j), (i, j + 1))
        } else {
            let (i, j) = ((e - across) / cols, (e - across) % cols);
            ((i, j), (i + 1, j))
        }
    }

    /// Each square's segments, as the pairs of edges they join.
    fn segments(&self) -> Vec<[usize; 2]> {
        let (rows, cols) = self.values.dim();
        let across = |i: usize, j: usize| i * (cols - 1) + j;
        let up = |i: usize, j: usize| rows * (cols - 1) + i * cols + j;
        let mut segments = Vec::new();
        for i in 0..rows - 1 {
            for j in 0..cols - 1 {
                // Corners counter-clockwise from the bottom left; edge k runs
                // from corner k to corner k + 1.
                let v = &self.values;
                let corners = [v[(i, j)], v[(i, j + 1)], v[(i + 1, j + 1)], v[(i + 1, j)]];
                if corners.iter().any(|c| !c.is_finite()) {
                    continue;
                }
                let edges = [across(i, j), up(i, j + 1), across(i + 1, j), up(i, j)];
                let crossed: Vec<usize> = (0..4)
                    .filter(|&k| self.above(corners[k]) != self.above(corners[(k + 1) % 4]))
                    .map(|k| edges[k])
                    .collect();
                match crossed[..] {
                    [a, b] => segments.push([a, b]),
                    [bottom, right, top, left] => {
                        let centre: f64 = corners.iter().map(|c| c / 4.0).sum();
                        if self.above(centre) == self.above(corners[0]) {
                            // Bottom left and top right meet in the middle:
                            // cut off the other two corners.
                            segments.extend([[bottom, right], [top, left]]);
                        } else {
                            segments.extend([[left, bottom], [right, top]]);
                        }
                    }
                    _ => {}
                }
            }
        }
        segments
    }

    /// Where the level crosses edge `e`, interpolated between its ends.
    fn crossing(&self, e: usize) -> (f64, f64) {
        let (a, b) = self.ends(e);
        let (fa, fb) = (self.values[a], self.values[b]);
        // Halved first, so that no difference of finite values overflows.
        let t = (self.level / 2.0 - fa / 2.0) / (fb / 2.0 - fa / 2.0);
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let (xa, ya, xb, yb) = (self.xs[a.1], self.ys[a.0], self.xs[b.1], self.ys[b.0]);
        (xa + t * (xb - xa), ya + t * (yb - ya))
    }
}

/// Segments (pairs of edges) chained into the sequences of edges they
/// visit: open lines from their ends first, then the closed loops left.
/// An edge belongs to at most two segments (one per square beside it).
fn chain(segments: &[[usize; 2]]) -> Vec<Vec<usize>> {
    let mut at_edge: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    for (s, ends) in segments.iter().enumerate() {
        for &e in ends {
            at_edge.entry(e).or_default().push(s);
        }
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    let open_ends = segments.iter().flatten().filter(|e| at_edge[e].len() == 1);
    let starts: Vec<usize> = open_ends
        .chain(segments.iter().map(|s| &s[0]))
        .copied()
        .collect();
    for start in starts {
        let Some(&first) = at_edge[&start].iter().find(|&&s| !used[s]) else {
            continue;
        };
        let (mut edge, mut segment) = (start, first);
        let mut line = vec![start];
        loop {
            used[segment] = true;
            let [a, b] = segments[segment];
            edge = if a == edge { b } else { a };
            line.push(edge);
            match at_edge[&edge].iter().find(|&&s| !used[s]) {
                Some(&next) => segment = next,
                None => break,
            }
        }
        lines.push(line);
    }
    lines
}

/// One axis as drawn: its range, checked, and whether it is logarithmic.
#[derive(Debug, Clone, Copy)]
struct Scale {
    low: f64,
    high: f64,
    log: bool,
}

impl Scale {
    /// Where `v` sits along the axis, as a coordinate in which the axis is
    /// linear (log10 v on a log axis); `None` if it cannot be placed.
    fn linear(&self, v: f64) -> Option<f64> {
        match (v.is_finite(), self.log) {
            (false, _) => None,
            (true, false) => Some(v),
            (true, true) => (v > 0.0).then(|| v.log10()),
        }
    }

    /// The inverse of [`linear`](Self::linear), kept inside the axis.
    fn value(&self, t: f64) -> f64 {
        let v = if self.log { 10f64.powf(t) } else { t };
        v.clamp(self.low, self.high)
    }

    fn linear_bounds(&self) -> (f64, f64) {
        if self.log {
            (self.low.log10(), self.high.log10())
        } else {
            (self.low, self.high)
        }
    }

    fn contains(&self, v: f64) -> bool {
        v >= self.low && v <= self.high
    }

    /// `v` moved inside the axis (a value that cannot be placed on a log
    /// axis goes to its low end); `None` for NaN.
    fn clamp(&self, v: f64) -> Option<f64> {
        if v.is_nan() {
            None
        } else if self.log && v <= 0.0 {
            Some(self.low)
        } else {
            Some(v.clamp(self.low, self.high))
        }
    }

    /// Where `v` sits from 0 (low end) to 1 (high end), if it is inside.
    fn position(&self, v: f64) -> Option<f64> {
        let t = self.linear(v)?;
        let (a, b) = self.linear_bounds();
        let p = (t - a) / (b - a);
        (0.0..=1.0).contains(&p).then_some(p)
    }

    /// The labelled ticks: multiples of 1, 2 or 5 × 10ᵏ on a linear axis,
    /// powers of ten on a log axis. Always a handful, whatever the range.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            log_ticks(self.low, self.high)
        } else {
            linear_ticks(self.low, self.high)
        }
    }

    /// The light grid lines between the ticks: halfway on a linear axis,
    /// 2, 3, …, 9 × 10ᵏ on a log axis of a few decades.
    fn light_ticks(&self, ticks: &[f64]) -> Vec<f64> {
        let inside = |v: &f64| self.contains(*v);
        if self.log {
            let (a, b) = self.linear_bounds();
            if b - a > 6.0 {
                return Vec::new();
            }
            let first = a.floor() as i32;
            let last = b.ceil() as i32;
            (first..=last)
                .flat_map(|k| (2..10).map(move |m| f64::from(m) * 10f64.powi(k)))
                .filter(inside)
                .collect()
        } else {
            ticks
                .windows(2)
                .map(|w| w[0] + (w[1] - w[0]) / 2.0)
                .filter(inside)
                .collect()
        }
    }
}

/// An axis handed to plotters: the map from values to pixels (linear or
/// logarithmic) with the ticks computed here, so that plotters never
/// searches for ticks itself (its search does not end on some ranges).
struct Ticked {
    scale: Scale,
    linear: RangedCoordf64,
    log: LogCoord<f64>,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        // Every value drawn is inside the axis (see Frame), so the pixel is
        // inside `limit`; the clamp keeps plotters' pixel arithmetic in range.
        let value = self.scale.clamp(*value).unwrap_or(self.scale.low);
        if self.scale.log {
            self.log.map(&value, limit)
        } else {
            self.linear.map(&value, limit)
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.scale.low..self.scale.high
    }
}

/// The two axes of a drawing.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x: Scale,
    y: Scale,
}

impl Frame {
    fn contains(&self, (x, y): (f64, f64)) -> bool {
        self.x.contains(x) && self.y.contains(y)
    }

    /// The rectangle with corners `a` and `b` cut to the axes, or `None` if
    /// nothing of it is left.
    fn clamp_rect(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let a = (self.x.clamp(a.0)?, self.y.clamp(a.1)?);
        let b = (self.x.clamp(b.0)?, self.y.clamp(b.1)?);
        (a.0 != b.0 && a.1 != b.1).then_some((a, b))
    }

    /// The parts of a polyline that can be drawn: it breaks at every point
    /// that cannot be placed, and each run is cut to the axes (in the
    /// coordinates where the axes are linear).
    fn pieces(&self, xy: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let (x0, x1) = self.x.linear_bounds();
        let (y0, y1) = self.y.linear_bounds();
        let mut pieces = Vec::new();
        let runs = xy.split(|&(x, y)| self.x.linear(x).is_none() || self.y.linear(y).is_none());
        for run in runs {
            let linear: Vec<(f64, f64)> = run
                .iter()
                .filter_map(|&(x, y)| Some((self.x.linear(x)?, self.y.linear(y)?)))
                .collect();
            for piece in clip_polyline(&linear, [x0, x1, y0, y1]) {
                pieces.push(
                    piece
                        .into_iter()
                        .map(|(u, v)| (self.x.value(u), self.y.value(v)))
                        .collect(),
                );
            }
        }
        pieces
    }
}

/// Ticks at multiples of a round step (1, 2 or 5 × 10ᵏ), about eight over
/// `[low, high]`; the two ends when the range is too narrow for an f64 to
/// count steps in.
fn linear_ticks(low: f64, high: f64) -> Vec<f64> {
    let ends = vec![low, high];
    let raw = (high - low) / 8.0;
    if !(raw > 0.0 && raw.is_finite()) {
        return ends;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    if !(magnitude > 0.0 && magnitude.is_finite()) {
        return ends;
    }
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude);
    let (first, last) = ((low / step).ceil(), (high / step).floor());
    if !(first.is_finite() && last.is_finite() && first <= last && last - first <= 20.0) {
        return ends;
    }
    let mut ticks: Vec<f64> = (0..=(last - first) as usize)
        .map(|i| (first + i as f64) * step)
        .filter(|t| (low..=high).contains(t))
        .collect();
    ticks.dedup();
    if ticks.is_empty() { ends } else { ticks }
}

/// Ticks on a log axis: 1, 2 and 5 × 10ᵏ over a decade or two, powers of
/// ten over more (every few powers over very many).
fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let (a, b) = (low.log10().floor(), high.log10().ceil());
    if !(a.is_finite() && b.is_finite()) {
        return vec![low, high];
    }
    let decades = (b - a) as usize;
    let mantissas: &[f64] = if decades <= 2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let stride = decades.div_ceil(8).max(1);
    let ticks: Vec<f64> = (0..=decades)
        .step_by(stride)
        .flat_map(|k| {
            let power = 10f64.powf(a + k as f64);
            mantissas.iter().map(move |m| m * power)
        })
        .filter(|t| (low..=high).contains(t))
        .collect();
    if ticks.len() < 2 {
        linear_ticks(low, high)
    } else {
        ticks
    }
}

/// The positions 0, 1, …, n − 1 of bar categories inside the axis (the
/// numeric ticks when there are too many categories to write).
fn category_ticks(n: usize, axis: Scale) -> Vec<f64> {
    if n == 0 || n > 60 {
        return axis.ticks();
    }
    (0..n)
        .map(|i| i as f64)
        .filter(|&t| axis.contains(t))
        .collect()
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// A point of a scatter, in its shape.
    Dot(Marker),
    /// A line, solid or dashed, with its marker in the middle if it shows one.
    Line {
        dashed: bool,
        marker: Option<Marker>,
    },
    Block,
}

/// The radius in pixels of a marker on a line.
const MARK_RADIUS: f64 = 4.5;

/// The outline of a `marker` of about `radius` pixels as a closed polyline
/// of pixel offsets from its centre. The shapes are sized to look about as
/// large as a circle of that radius.
fn marker_outline(marker: Marker, radius: f64) -> Vec<(i32, i32)> {
    let at = |(x, y): (f64, f64)| ((x * radius).round() as i32, (y * radius).round() as i32);
    let corners: &[(f64, f64)] = match marker {
        Marker::Circle => {
            return (0..=16)
                .map(|k| {
                    let angle = std::f64::consts::TAU * f64::from(k) / 16.0;
                    at((angle.cos(), angle.sin()))
                })
                .collect();
        }
        Marker::Square => &[
            (-0.9, -0.9),
            (0.9, -0.9),
            (0.9, 0.9),
            (-0.9, 0.9),
            (-0.9, -0.9),
        ],
        Marker::Triangle => &[(0.0, -1.15), (1.1, 0.9), (-1.1, 0.9), (0.0, -1.15)],
        Marker::TriangleDown => &[(0.0, 1.15), (1.1, -0.9), (-1.1, -0.9), (0.0, 1.15)],
        Marker::Diamond => &[
            (0.0, -1.25),
            (1.0, 0.0),
            (0.0, 1.25),
            (-1.0, 0.0),
            (0.0, -1.25),
        ],
    };
    corners.iter().copied().map(at).collect()
}

/// A `marker` of `radius` pixels centred on the pixel `at` of a legend:
/// filled if `style` is, else its outline (a circle as a polygon of 16
/// sides).
fn marker_at<'a, DB: DrawingBackend + 'a>(
    at: (i32, i32),
    marker: Marker,
    radius: f64,
    style: ShapeStyle,
) -> DynElement<'a, DB, (i32, i32)> {
    let centre = EmptyElement::at(at);
    let outline = marker_outline(marker, radius);
    match (marker, style.filled) {
        (Marker::Circle, true) => {
            (centre + Circle::new((0, 0), radius.round() as i32, style)).into_dyn()
        }
        (_, true) => (centre + Polygon::new(outline, style)).into_dyn(),
        (_, false) => (centre + PathElement::new(outline, style)).into_dyn(),
    }
}

/// The mark of a legend entry, 21 pixels wide, its left end at `(x, y)`.
/// A line is three strokes, touching for a solid line and apart for a
/// dashed one, with its marker in the middle if it shows one.
fn legend_mark<'a, DB: DrawingBackend + 'a>(
    mark: Mark,
    color: RGBColor,
    (x, y): (i32, i32),
) -> DynElement<'a, DB, (i32, i32)> {
    let start = EmptyElement::at((x, y));
    match mark {
        Mark::Dot(shape) => marker_at((x + 10, y), shape, 4.5, color.filled()),
        Mark::Line { dashed, marker } => {
            let style = color.stroke_width(2);
            let stroke = |a: i32, b: i32| {
                let b = if dashed { b - 3 } else { b };
                PathElement::new(vec![(a, 0), (b, 0)], style)
            };
            let strokes = start + stroke(0, 7) + stroke(7, 14) + stroke(14, 21);
            match marker {
                Some(m) => {
                    let outline = marker_outline(m, MARK_RADIUS);
                    let mark = outline
                        .iter()
                        .map(|&(u, v)| (u + 10, v))
                        .collect::<Vec<_>>();
                    (strokes + PathElement::new(mark, style)).into_dyn()
                }
                None => strokes.into_dyn(),
            }
        }
        Mark::Block => (start + Rectangle::new([(0, -5), (16, 5)], color.filled())).into_dyn(),
    }
}

/// The indices of the points of a line of `n` points that carry its
/// marker when it has one to tell it from other lines: all of them up to
/// 25 points, else 12 spread evenly from the first to the last.
fn marked_points(n: usize) -> Vec<usize> {
    if n <= 25 {
        return (0..n).collect();
    }
    (0..12).map(|k| (k * (n - 1) + 5) / 11).collect()
}

/// The radii in pixels of points whose areas are proportional to
/// `weights` (finite, ≥ 0): `LARGEST_RADIUS · √(w / largest)`, rounded, and
/// at least `SMALLEST_RADIUS`. With no positive weight, every point gets
/// the smallest radius.
fn point_radii(weights: &[f64]) -> Vec<u32> {
    let largest = weights.iter().copied().fold(0.0, f64::max);
    weights
        .iter()
        .map(|&w| {
            let r = if largest > 0.0 {
                (f64::from(LARGEST_RADIUS) * (w / largest).sqrt()).round() as u32
            } else {
                0
            };
            r.max(SMALLEST_RADIUS)
        })
        .collect()
}

/// The chart a layer is drawn on.
type Drawing<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;

/// A `marker` at each of the points, with its radius in pixels: filled
/// if `style` is, else its outline.
fn draw_markers(
    chart: &mut Drawing<'_, '_>,
    points: impl Iterator<Item = ((f64, f64), f64)>,
    marker: Marker,
    style: ShapeStyle,
) -> Result<()> {
    let centred = |(p, r): ((f64, f64), f64)| (EmptyElement::at(p), marker_outline(marker, r), r);
    let points = points.map(centred);
    match (marker, style.filled) {
        (Marker::Circle, true) => chart.draw_series(
            points.map(|(at, _, r)| at + Circle::new((0, 0), r.round() as i32, style)),
        ),
        (_, true) => chart.draw_series(points.map(|(at, o, _)| at + Polygon::new(o, style))),
        (_, false) => chart.draw_series(points.map(|(at, o, _)| at + PathElement::new(o, style))),
    }
    .map_err(plot_error)?;
    Ok(())
}

/// A legend in a box in the `corner` of the plot area `area`, one entry a
/// line (the box has the size [`Chart::emptiest_corner`] allows for).
fn draw_corner_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    entries: &[(&str, RGBColor, Mark)],
    corner: SeriesLabelPosition,
) -> Result<()> {
    let longest = entries.iter().map(|(l, _, _)| l.chars().count()).max();
    let width = longest.unwrap_or(0) as i32 * 8 + 60;
    let height = entries.len() as i32 * 22 + 20;
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let margin = 8;
    let (left, top) = match corner {
        SeriesLabelPosition::UpperLeft => (margin, margin),
        SeriesLabelPosition::LowerLeft => (margin, h - height - margin),
        SeriesLabelPosition::LowerRight => (w - width - margin, h - height - margin),
        _ => (w - width - margin, margin),
    };
    let corners = [(left, top), (left + width, top + height)];
    area.draw(&Rectangle::new(corners, WHITE.mix(0.9).filled()))
        .map_err(plot_error)?;
    area.draw(&Rectangle::new(corners, RGBColor(160, 160, 160)))
        .map_err(plot_error)?;
    let font = ("sans-serif", 15).into_font().color(&BLACK);
    for (k, (label, color, mark)) in entries.iter().enumerate() {
        let (x, y) = (left + 10, top + 21 + 22 * k as i32);
        area.draw(&legend_mark(*mark, *color, (x, y)))
            .map_err(plot_error)?;
        area.draw_text(label, &font, (x + 30, y - 8))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// A legend drawn beside the plot, one entry per line.
fn draw_side_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    entries: &[(&str, RGBColor, Mark)],
) -> Result<()> {
    let font = ("sans-serif", 15).into_font().color(&BLACK);
    let rows = (area.dim_in_pixel().1 as usize).saturating_sub(60) / 24 + 1;
    for (k, (label, color, mark)) in entries.iter().enumerate().take(rows) {
        let y = 60 + 24 * k as i32;
        let x = 6;
        area.draw(&legend_mark(*mark, *color, (x, y)))
            .map_err(plot_error)?;
        area.draw_text(label, &font, (x + 30, y - 8))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// The parts of a polyline inside the rectangle `[x0, x1] × [y0, y1]`
/// (Liang–Barsky clipping of each segment). The points must be finite.
fn clip_polyline(xy: &[(f64, f64)], [x0, x1, y0, y1]: [f64; 4]) -> Vec<Vec<(f64, f64)>> {
    let inside = |(x, y): (f64, f64)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    if xy.len() == 1 && inside(xy[0]) {
        return vec![xy.to_vec()];
    }
    for pair in xy.windows(2) {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        let (dx, dy) = (bx - ax, by - ay);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        let mut visible = dx.is_finite() && dy.is_finite();
        for (p, q) in [(-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)] {
            if p == 0.0 {
                visible &= q >= 0.0;
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        if !visible || t0.is_nan() || t1.is_nan() || t0 > t1 {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            continue;
        }
        let start = (ax + t0 * dx, ay + t0 * dy);
        let end = (ax + t1 * dx, ay + t1 * dy);
        if current.last() != Some(&start) {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            current.push(start);
        }
        current.push(end);
        if t1 < 1.0 {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Shows a drawn plot in a notebook, or prints why it could not be drawn
/// (to standard error, where the notebook shows it in red).
fn show(drawn: Result<Plot>) {
    match drawn {
        Ok(plot) => plot.evcxr_display(),
        Err(e) => eprintln!("Error: {e}"),
    }
}

/// Charts side by side in one picture, to compare them at a glance (a cell
/// shows one picture: several plots of one cell would replace each other).
///
/// ```
/// use mlmath::plot::{Chart, Panels};
/// let a = Chart::new("left").line("y = x", &[0.0, 1.0], &[0.0, 1.0]);
/// let b = Chart::new("right").line("y = 1 − x", &[0.0, 1.0], &[1.0, 0.0]);
/// let svg = Panels::new(&[a, b]).draw().unwrap();
/// assert!(svg.svg().contains("left") && svg.svg().contains("right"));
/// ```
#[derive(Clone)]
pub struct Panels {
    charts: Vec<Chart>,
    panel: (u32, u32),
    /// A description given with [`Panels::describe`].
    description: Option<String>,
}

impl std::fmt::Debug for Panels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Panels of {} charts", self.charts.len())
    }
}

impl Panels {
    /// The charts in a row, each in a panel of 420 × 360 pixels. It takes a
    /// slice, so a notebook's vector of charts stays where it is.
    pub fn new(charts: &[Chart]) -> Self {
        Panels {
            charts: charts.to_vec(),
            panel: (420, 360),
            description: None,
        }
    }

    /// Says what the panels show, for a screen reader (the picture's
    /// `<desc>`), in place of the description written from each chart.
    pub fn describe(&self, description: &str) -> Self {
        Panels {
            description: Some(description.to_string()),
            ..self.clone()
        }
    }

    /// The size of each panel in pixels, kept between 200 × 150 and
    /// [`MAX_SIDE`] × [`MAX_SIDE`].
    pub fn panel_size(&self, width: u32, height: u32) -> Self {
        Panels {
            panel: (width.clamp(200, MAX_SIDE), height.clamp(150, MAX_SIDE)),
            ..self.clone()
        }
    }

    /// Draws the row of charts: an error if there are none, if they would
    /// be wider than [`MAX_PANELS_WIDTH`] together, or if one of them
    /// cannot be drawn (its error, naming the panel).
    pub fn draw(&self) -> Result<Plot> {
        if self.charts.is_empty() {
            return Err(Error::empty("the charts of the panels"));
        }
        let (w, h) = self.panel;
        let width = u64::from(w) * self.charts.len() as u64;
        if width > u64::from(MAX_PANELS_WIDTH) {
            return Err(Error::parameter(
                "the panels",
                format!(
                    "at most {MAX_PANELS_WIDTH} pixels wide in all (at most {} panels of {w})",
                    MAX_PANELS_WIDTH / w
                ),
                format!("{} panels of {w} pixels", self.charts.len()),
            ));
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width as u32, h)).into_drawing_area();
            let areas = root.split_evenly((1, self.charts.len()));
            for (k, (chart, area)) in self.charts.iter().zip(areas).enumerate() {
                chart.size(w, h).render(&area).map_err(|e| match e {
                    Error::Plot(msg) => Error::Plot(format!("panel {k}: {msg}")),
                    other => other,
                })?;
            }
            root.present().map_err(plot_error)?;
        }
        let titles: Vec<&str> = self.charts.iter().map(|c| c.title.as_str()).collect();
        Ok(Plot::accessible(
            svg,
            &titles.join("; "),
            self.description()?,
        ))
    }

    /// Shows the panels in a notebook; a problem is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }
}

/// Counts of `values` in `bins` equal bins spanning their range: returns the
/// `bins + 1` edges and the counts. The last bin includes its right edge;
/// when every value is the same, the bins span a small interval around it.
/// An error if there are no values, a value is not finite, or `bins` is not
/// from 1 to [`MAX_BINS`].
///
/// ```
/// let (edges, counts) = mlmath::plot::histogram_counts(&[0.0, 0.1, 0.5, 1.0], 2).unwrap();
/// assert_eq!(edges, vec![0.0, 0.5, 1.0]);
/// assert_eq!(counts, vec![2, 2]);
/// ```
pub fn histogram_counts(values: &[f64], bins: usize) -> Result<(Vec<f64>, Vec<usize>)> {
    if values.is_empty() {
        return Err(Error::empty("the values of the histogram"));
    }
    if !(1..=MAX_BINS).contains(&bins) {
        return Err(Error::parameter(
            "bins",
            format!("from 1 to {MAX_BINS}"),
            bins,
        ));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::NotFinite {
            what: "the values of the histogram".into(),
            index: vec![i],
        });
    }
    let mut low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if high == low {
        // One value: a bin interval of ±0.5, or ±5% of the value if larger.
        let pad = (0.05 * low.abs()).max(0.5);
        (low, high) = (low - pad, high + pad);
    }
    // Halve before subtracting, so that a span beyond the largest f64
    // (values from −1e308 to 1e308) does not overflow.
    let half_span = high / 2.0 - low / 2.0;
    let edges: Vec<f64> = (0..=bins)
        .map(|i| {
            let t = i as f64 / bins as f64;
            // Both ends exactly, and a convex combination in between.
            if i == bins {
                high
            } else {
                low + 2.0 * (half_span * t)
            }
        })
        .collect();
    let mut counts = vec![0; bins];
    for &v in values {
        let t = (v / 2.0 - low / 2.0) / half_span;
        let bin = ((t * bins as f64) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    Ok((edges, counts))
}

/// Small grey-scale images side by side, dark ink on white: digits,
/// reconstructions, learned filters. A NaN pixel is drawn magenta.
///
/// ```
/// use ndarray::Array2;
/// let images = Array2::from_shape_fn((3, 16), |(i, p)| (i * p) as f64);
/// let svg = mlmath::plot::ImageGrid::new("three 4x4 images", &images, 4).draw().unwrap();
/// assert!(svg.svg().contains("three 4x4 images"));
/// // Rows of 16 pixels are not 5 × 5 images: an error when drawn.
/// assert!(mlmath::plot::ImageGrid::new("wrong", &images, 5).draw().is_err());
/// ```
#[derive(Clone)]
pub struct ImageGrid {
    title: String,
    images: Vec<Vec<f64>>,
    side: usize,
    columns: usize,
    /// One caption per image, if any were given.
    captions: Option<Vec<String>>,
    /// Whether values are centred on zero (filters: blue < 0 < vermillion) rather than ink.
    signed: bool,
    /// The values drawn white and black; `None` stretches each image to its own range.
    scale: Option<(f64, f64)>,
    problem: Option<Error>,
    /// A description given with [`ImageGrid::describe`].
    description: Option<String>,
}

impl std::fmt::Debug for ImageGrid {
    /// A one-line summary, not the pixels.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ImageGrid {:?} of {} images of {}×{}",
            self.title,
            self.images.len(),
            self.side,
            self.side
        )
    }
}

impl ImageGrid {
    /// `images: (n, side·side)` (owned, a reference or a view), each row an
    /// image in row-major order. A wrong side, or more than [`MAX_PIXELS`]
    /// pixels in all, is an error when drawn.
    pub fn new<'a>(title: &str, images: impl AsArray<'a, f64, Ix2>, side: usize) -> Self {
        Self::new_of(title, images.into(), side)
    }

    fn new_of(title: &str, images: ArrayView2<'_, f64>, side: usize) -> Self {
        let pixels = side.checked_mul(side);
        let problem = if side == 0 || pixels != Some(images.ncols()) {
            Some(Error::shape(
                "images",
                match pixels {
                    Some(p) if side > 0 => format!("{p} columns (side {side} × side {side})"),
                    _ => "a side from 1 up, and side × side columns".to_string(),
                },
                format!("{} columns and side {side}", images.ncols()),
            ))
        } else if images.len() > MAX_PIXELS {
            Some(Error::parameter(
                "the pixels of an image grid",
                format!("at most {MAX_PIXELS} in all (show fewer images)"),
                format!("{} images of {side} × {side}", images.nrows()),
            ))
        } else {
            None
        };
        ImageGrid {
            title: title.to_string(),
            images: if problem.is_none() {
                images.rows().into_iter().map(|r| r.to_vec()).collect()
            } else {
                Vec::new()
            },
            side,
            columns: images.nrows().clamp(1, 10),
            captions: None,
            signed: false,
            scale: None,
            problem,
            description: None,
        }
    }

    /// One image (owned, a reference or a view), for a one-off picture.
    pub fn single<'a>(title: &str, image: impl AsArray<'a, f64, Ix1>, side: usize) -> Self {
        let image = image.into();
        let n = image.len();
        let as_row = image
            .to_shape((1, n))
            .map(|v| v.to_owned())
            .unwrap_or_else(|_| ndarray::Array2::zeros((1, n)));
        ImageGrid::new_of(title, as_row.view(), side)
    }

    /// Images per row (default: up to 10; at least 1, at most the number of images).
    pub fn columns(&self, columns: usize) -> Self {
        let mut this = self.clone();
        this.columns = columns.clamp(1, self.images.len().max(1));
        this
    }

    /// A caption under each image (a label, a distance, a prediction): one
    /// per image, or [`draw`](Self::draw) returns an error (a caption would
    /// otherwise sit under the wrong image, or an image go without one).
    pub fn captions<S: ToString>(&self, captions: &[S]) -> Self {
        let mut this = self.clone();
        this.captions = Some(captions.iter().map(ToString::to_string).collect());
        this
    }

    /// Draws every image on the same grey scale, `low` white and `high` black
    /// (e.g. 0 and 16 for the digits), instead of stretching each image to its
    /// own range: reconstructions then show their true contrast. Two finite
    /// numbers with `low < high`.
    pub fn scale(&self, low: f64, high: f64) -> Self {
        let mut this = self.clone();
        match check_interval("the scale of the images", (low, high)) {
            Ok(range) => this.scale = Some(range),
            Err(e) => {
                this.problem.get_or_insert(e);
            }
        }
        this
    }

    /// Says what the images show, for a screen reader (the picture's
    /// `<desc>`), in place of the description written from their size,
    /// scale and captions.
    pub fn describe(&self, description: &str) -> Self {
        let mut this = self.clone();
        this.description = Some(description.to_string());
        this
    }

    /// Colours values around zero ([`diverging`]): negative blue, zero
    /// white, positive vermillion (for weights and filters).
    pub fn signed(&self) -> Self {
        let mut this = self.clone();
        this.signed = true;
        this
    }

    /// Draws the grid.
    pub fn draw(&self) -> Result<Plot> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        if self.images.is_empty() {
            return Err(Error::empty("images"));
        }
        let captions = self.captions.as_deref().unwrap_or_default();
        if self.captions.is_some() && captions.len() != self.images.len() {
            let count = |n: usize| format!("{n} caption{}", if n == 1 { "" } else { "s" });
            return Err(Error::shape(
                "the captions of the image grid",
                format!("{}, one per image", count(self.images.len())),
                count(captions.len()),
            ));
        }
        let side = self.side as i32; // at most √MAX_PIXELS
        let cell = (120 / side).clamp(2, 8) * side;
        let pixel = cell / side;
        let gap = 8;
        let caption_h = if captions.is_empty() { 0 } else { 16 };
        let columns = self.columns.min(self.images.len()) as i64;
        let rows = self.images.len().div_ceil(columns as usize) as i64;
        let title_h = 30;
        let width = columns * i64::from(cell + gap) + i64::from(gap);
        let height = i64::from(title_h) + rows * i64::from(cell + gap + caption_h) + i64::from(gap);
        if width > i64::from(i32::MAX / 2) || height > i64::from(i32::MAX / 2) {
            return Err(Error::parameter(
                "the image grid",
                "a picture that fits in pixels (use fewer images or columns)",
                format!("{width} × {height} pixels"),
            ));
        }
        let (width, height) = (width as i32, height as i32);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width.max(160) as u32, height as u32))
                .into_drawing_area();
            root.fill(&WHITE).map_err(plot_error)?;
            root.draw_text(
                &self.title,
                &("sans-serif", 16).into_font().color(&BLACK),
                (gap, 8),
            )
            .map_err(plot_error)?;
            for (k, image) in self.images.iter().enumerate() {
                let (low, high) = self
                    .scale
                    .unwrap_or_else(|| value_range(std::slice::from_ref(image), false));
                let scale = high.abs().max(low.abs()).max(1e-300);
                let ox = gap + (k % columns as usize) as i32 * (cell + gap);
                let oy = title_h + (k / columns as usize) as i32 * (cell + gap + caption_h);
                root.draw(&Rectangle::new(
                    [(ox - 1, oy - 1), (ox + cell, oy + cell)],
                    RGBColor(200, 200, 200),
                ))
                .map_err(plot_error)?;
                for (p, &v) in image.iter().enumerate() {
                    let color = if !v.is_finite() {
                        MISSING
                    } else if self.signed {
                        diverging(v / scale)
                    } else {
                        let t = normalise(v, low, high, false).clamp(0.0, 1.0);
                        let g = (255.0 * (1.0 - t)) as u8;
                        RGBColor(g, g, g)
                    };
                    if color == WHITE {
                        continue;
                    }
                    let (r, c) = ((p / self.side) as i32, (p % self.side) as i32);
                    let a = (ox + c * pixel, oy + r * pixel);
                    root.draw(&Rectangle::new(
                        [a, (a.0 + pixel, a.1 + pixel)],
                        color.filled(),
                    ))
                    .map_err(plot_error)?;
                }
                if let Some(text) = captions.get(k) {
                    root.draw_text(
                        text,
                        &("sans-serif", 12).into_font().color(&BLACK),
                        (ox, oy + cell + 3),
                    )
                    .map_err(plot_error)?;
                }
            }
            root.present().map_err(plot_error)?;
        }
        let description = self.description(columns as usize);
        Ok(Plot::accessible(svg, &self.title, description))
    }

    /// Shows the grid in a notebook; a problem is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }
}

/// The cells of a `rows × cols` grid over a rectangle: `(row, col, corner, corner)`.
fn grid_cells(
    rows: usize,
    cols: usize,
    x: (f64, f64),
    y: (f64, f64),
) -> impl Iterator<Item = (usize, usize, (f64, f64), (f64, f64))> {
    // Corners as convex combinations of the ends: no overflow for any
    // finite rectangle, and the last cell ends exactly at the edge.
    let at = |(low, high): (f64, f64), k: usize, n: usize| {
        let t = k as f64 / n as f64;
        if k == n {
            high
        } else {
            low + 2.0 * ((high / 2.0 - low / 2.0) * t)
        }
    };
    (0..rows).flat_map(move |i| {
        (0..cols).map(move |j| {
            let a = (at(x, j, cols), at(y, i, rows));
            let b = (at(x, j + 1, cols), at(y, i + 1, rows));
            (i, j, a, b)
        })
    })
}

/// The range of the drawable values (finite, and positive for a log scale);
/// (0, 1) when there are none.
fn value_range(values: &[Vec<f64>], log: bool) -> (f64, f64) {
    let finite = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite() && (!log || *v > 0.0));
    let (low, high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if low > high { (0.0, 1.0) } else { (low, high) }
}

/// Where `v` sits from `low` (0) to `high` (1), on a log scale if asked;
/// 0.5 when the range is a single value.
fn normalise(v: f64, low: f64, high: f64, log: bool) -> f64 {
    let (v, low, high) = if log {
        (v.log10(), low.log10(), high.log10())
    } else {
        (v, low, high)
    };
    if high > low {
        // Halved first, so that a range wider than the largest f64 does not overflow.
        (v / 2.0 - low / 2.0) / (high / 2.0 - low / 2.0)
    } else {
        0.5
    }
}

fn draw_colour_bar(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    low: f64,
    high: f64,
    log: bool,
) -> Result<()> {
    let (_, height) = area.dim_in_pixel();
    let (top, bottom) = (50i32, height as i32 - 55);
    let left = 10i32;
    let steps = 60;
    for s in 0..steps {
        let t = s as f64 / (steps - 1) as f64;
        let y0 = bottom - ((bottom - top) as f64 * (s + 1) as f64 / steps as f64) as i32;
        let y1 = bottom - ((bottom - top) as f64 * s as f64 / steps as f64) as i32;
        area.draw(&Rectangle::new(
            [(left, y0), (left + 18, y1)],
            viridis(t).filled(),
        ))
        .map_err(plot_error)?;
    }
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    for k in 0..=4 {
        let t = k as f64 / 4.0;
        let value = if log {
            10f64.powf(low.log10() + t * (high.log10() - low.log10()))
        } else {
            low + 2.0 * ((high / 2.0 - low / 2.0) * t)
        };
        let y = bottom - ((bottom - top) as f64 * t) as i32;
        let label = format_tick(round_significant(value, 3), !log);
        area.draw_text(&label, &font, (left + 22, y - 7))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// `v` rounded to `digits` significant digits (12.0013 → 12.0 for 3).
fn round_significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    let rounded = (v * scale).round() / scale;
    // Beyond ~1e305 or below ~1e-305 the scale itself overflows or vanishes.
    if rounded.is_finite() { rounded } else { v }
}

/// Tick labels: short, without float noise (0.30000000000000004 → 0.3).
/// On a linear axis (`snap_to_zero`), ticks computed in floating point land
/// near zero, not on it (-2.8e-17), and are written 0; a log axis has no
/// zero, and its tiny ticks (1e-13) are written as they are.
fn format_tick(v: f64, snap_to_zero: bool) -> String {
    let v = snapped(v, snap_to_zero);
    write_tick(v, needs_exponent(v))
}

/// `v`, or 0 when it is float noise around zero on a linear axis.
fn snapped(v: f64, snap_to_zero: bool) -> f64 {
    if snap_to_zero && v.abs() < 1e-12 {
        0.0
    } else {
        v
    }
}

/// Whether `v` is too large (≥ 10⁵) or too small (< 10⁻³) to write out.
fn needs_exponent(v: f64) -> bool {
    v != 0.0 && !(1e-3..1e5).contains(&v.abs())
}

/// `v` with an exponent (1.0e5), or written out without float noise (0.3).
fn write_tick(v: f64, exponent: bool) -> String {
    if exponent && v != 0.0 {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// How the tick labels of one axis are written: all in one form, so that
/// an axis never mixes `10000` with `1.0e5`. When any tick needs an
/// exponent, every tick gets one (0 stays `0`).
#[derive(Debug, Clone, Copy)]
struct TickForm {
    snap_to_zero: bool,
    exponent: bool,
}

impl TickForm {
    /// The form for an axis whose labelled ticks are `ticks`.
    fn of(ticks: &[f64], snap_to_zero: bool) -> Self {
        let exponent = ticks
            .iter()
            .any(|&v| needs_exponent(snapped(v, snap_to_zero)));
        TickForm {
            snap_to_zero,
            exponent,
        }
    }

    /// The label of the tick at `v`.
    fn label(self, v: f64) -> String {
        write_tick(snapped(v, self.snap_to_zero), self.exponent)
    }
}

fn plot_error<E: std::fmt::Display>(e: E) -> Error {
    Error::Plot(e.to_string())
}

/// `n` evenly spaced values from `low` to `high`, both included, for
/// callers building grids to plot: low + (high − low)·i/(n − 1). One value
/// gives `[low]`, none gives `[]`. Computed as a convex combination, so it
/// stays finite for any finite ends. An end that is NaN or infinite has no
/// evenly spaced values at all: the result is then empty (never a grid
/// with NaN in it), whatever `n` is.
///
/// ```
/// assert_eq!(mlmath::plot::linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
/// assert_eq!(mlmath::plot::linspace(-1e308, 1e308, 3), vec![-1e308, 0.0, 1e308]);
/// assert!(mlmath::plot::linspace(f64::NAN, 1.0, 3).is_empty());
/// ```
pub fn linspace(low: f64, high: f64, n: usize) -> Vec<f64> {
    if !(low.is_finite() && high.is_finite()) {
        return Vec::new();
    }
    match n {
        0 => Vec::new(),
        1 => vec![low],
        _ => (0..n)
            .map(|i| {
                let t = i as f64 / (n - 1) as f64;
                match i {
                    0 => low,
                    _ if i == n - 1 => high,
                    _ => low * (1.0 - t) + high * t,
                }
            })
            .collect(),
    }
}

/// The largest `resolution` of a decision grid: a million cells.
const MAX_GRID_RESOLUTION: usize = 1000;

/// The centres of a `resolution × resolution` grid of cells over
/// `x_range × y_range`, `(resolution², 2)`, row by row from the lowest y,
/// for a model of `n_features` features (which must be 2).
pub(crate) fn grid_points(
    n_features: usize,
    x_range: (f64, f64),
    y_range: (f64, f64),
    resolution: usize,
) -> Result<Array2<f64>> {
    if n_features != 2 {
        return Err(Error::shape(
            "the model's training data x",
            "2 columns for a decision grid (one feature per axis)",
            format!("{n_features} columns"),
        ));
    }
    if !(1..=MAX_GRID_RESOLUTION).contains(&resolution) {
        return Err(Error::parameter(
            "resolution",
            format!("between 1 and {MAX_GRID_RESOLUTION} cells per axis"),
            resolution,
        ));
    }
    for (name, (low, high)) in [("x_range", x_range), ("y_range", y_range)] {
        if !(low < high && (high - low).is_finite()) {
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
    Ok(Array2::from_shape_fn(
        (resolution * resolution, 2),
        |(p, axis)| {
            let (row, column) = (p / resolution, p % resolution);
            if axis == 0 {
                centre(x_range, column)
            } else {
                centre(y_range, row)
            }
        },
    ))
}

/// resolution² classes, row by row, as a `(resolution, resolution)` grid.
pub(crate) fn into_grid(classes: Array1<usize>, resolution: usize) -> Array2<usize> {
    classes
        .into_shape_with_order((resolution, resolution))
        .expect("resolution² predictions fill the grid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn lines_are_clipped_to_the_axes() {
        let bounds = [0.0, 1.0, 0.0, 1.0];
        // A diagonal from (-1, -1) to (2, 2) keeps its part from (0, 0) to (1, 1).
        assert_eq!(
            clip_polyline(&[(-1.0, -1.0), (2.0, 2.0)], bounds),
            vec![vec![(0.0, 0.0), (1.0, 1.0)]]
        );
        // A line entirely above the box vanishes.
        assert!(clip_polyline(&[(0.0, 2.0), (1.0, 3.0)], bounds).is_empty());
        // Leaving and re-entering makes two pieces.
        let pieces = clip_polyline(&[(0.5, 0.5), (0.5, 2.0), (0.8, 0.5)], bounds);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], vec![(0.5, 0.5), (0.5, 1.0)]);
        assert!((pieces[1][0].1 - 1.0).abs() < 1e-12 && pieces[1][1] == (0.8, 0.5));
    }

    #[test]
    fn a_line_breaks_where_a_point_cannot_be_placed() {
        let linear = Scale {
            low: 0.0,
            high: 10.0,
            log: false,
        };
        let frame = Frame {
            x: linear,
            y: linear,
        };
        let xy = [
            (1.0, 1.0),
            (2.0, 2.0),
            (f64::NAN, 3.0),
            (4.0, 4.0),
            (5.0, 5.0),
        ];
        assert_eq!(
            frame.pieces(&xy),
            vec![vec![(1.0, 1.0), (2.0, 2.0)], vec![(4.0, 4.0), (5.0, 5.0)]]
        );
        // On a log y axis, y = 0 cannot be placed either, and the line from
        // (1, 1) to (9, 100) is cut at y = 10 (the top), in log coordinates.
        let log = Frame {
            x: linear,
            y: Scale {
                low: 1.0,
                high: 10.0,
                log: true,
            },
        };
        let pieces = log.pieces(&[(0.0, 0.0), (1.0, 1.0), (9.0, 100.0)]);
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0][0], (1.0, 1.0));
        let (x, y) = pieces[0][1];
        assert!(
            (x - 5.0).abs() < 1e-12 && (y - 10.0).abs() < 1e-12,
            "{x} {y}"
        );
    }

    #[test]
    fn ticks_are_round_and_few_for_any_range() {
        assert_eq!(
            linear_ticks(0.0, 1.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        for (low, high) in [
            (0.0, 1e-300),
            (1.0, 1.0 + 4e-16),
            (-1e307, 1e307),
            (1e300, 1.0000001e300),
            (-3.0, 7.0),
        ] {
            let ticks = linear_ticks(low, high);
            assert!((1..=21).contains(&ticks.len()), "{low} {high}: {ticks:?}");
            assert!(ticks.iter().all(|t| (low..=high).contains(t)), "{ticks:?}");
        }
        assert_eq!(log_ticks(1.0, 1000.0), vec![1.0, 10.0, 100.0, 1000.0]);
        assert_eq!(log_ticks(1.0, 10.0), vec![1.0, 2.0, 5.0, 10.0]);
        let wide = log_ticks(1e-300, 1e300);
        assert!(wide.len() <= 10, "{wide:?}");
    }

    #[test]
    fn the_legend_goes_where_the_data_are_not() {
        let chart =
            Chart::new("t").points("crowd", &[0.9, 0.95, 0.92, 0.1], &[0.9, 0.95, 0.1, 0.9]);
        let unit = Scale {
            low: 0.0,
            high: 1.0,
            log: false,
        };
        let frame = Frame { x: unit, y: unit };
        // Upper right, lower right and upper left hold points; lower left is empty.
        let (corner, crowd) = chart.emptiest_corner(frame);
        assert!(matches!(corner, SeriesLabelPosition::LowerLeft) && crowd == 0);
        // With a point in every corner the legend moves beside the plot.
        let crowded = chart.points("more", &[0.1], &[0.1]);
        assert_eq!(crowded.emptiest_corner(frame).1, 1);
        assert!(crowded.svg().unwrap().contains("more"));
    }

    #[test]
    fn builders_leave_the_chart_they_start_from() {
        let base = Chart::new("base").line("a", &[0.0, 1.0], &[0.0, 1.0]);
        let more = base.points("b", &[0.5], &[0.5]);
        assert_eq!(base.series_names(), vec!["a"]);
        assert_eq!(more.series_names(), vec!["a", "b"]);
        assert_eq!(format!("{base:?}"), "Chart \"base\" with 1 layers [\"a\"]");
    }

    #[test]
    fn histogram_counts_every_value_once() {
        let values: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.618).fract()).collect();
        let (edges, counts) = histogram_counts(&values, 10).unwrap();
        assert_eq!(edges.len(), 11);
        assert_eq!(counts.iter().sum::<usize>(), 1000);
        // The golden-ratio sequence is equidistributed: about 100 per bin.
        assert!(
            counts.iter().all(|&c| (90..=110).contains(&c)),
            "{counts:?}"
        );
        // A span beyond the largest f64 still splits in the middle.
        let (edges, counts) = histogram_counts(&[-1e308, 1e308, 1.0], 2).unwrap();
        assert_eq!((edges, counts), (vec![-1e308, 0.0, 1e308], vec![1, 2]));
    }

    #[test]
    fn histogram_rejects_empty_and_nan_input() {
        assert!(matches!(histogram_counts(&[], 3), Err(Error::Empty { .. })));
        assert!(matches!(
            histogram_counts(&[1.0, f64::NAN], 3),
            Err(Error::NotFinite { .. })
        ));
        assert!(matches!(
            histogram_counts(&[1.0], 0),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            histogram_counts(&[1.0], MAX_BINS + 1),
            Err(Error::Parameter { .. })
        ));
    }

    #[test]
    fn mismatched_lengths_are_reported_when_drawn() {
        let chart = Chart::new("t").line("curve", &[1.0, 2.0], &[1.0]);
        let e = chart.draw().unwrap_err();
        assert!(
            e.to_string()
                .contains("the series \"curve\" has the wrong shape: expected 2 y values, one per x value, got 1 y values"),
            "{e}"
        );
    }

    #[test]
    fn ranges_that_cannot_be_drawn_are_errors() {
        let line = Chart::new("t").line("l", &[0.0, 1.0], &[0.0, 1.0]);
        for (low, high) in [
            (f64::NAN, 1.0),
            (0.0, f64::INFINITY),
            (1.0, 1.0),
            (2.0, 1.0),
            (-f64::MAX, f64::MAX),
        ] {
            let e = line.x_range(low, high).draw().unwrap_err();
            assert!(e.to_string().contains("low < high"), "{e}");
            assert!(line.y_range(low, high).draw().is_err());
        }
        // Data spanning more than an f64: an error naming the fix.
        let wide = Chart::new("w").points("p", &[-1e308, 1e308], &[0.0, 1.0]);
        assert!(wide.draw().unwrap_err().to_string().contains("x_range"));
        // Tiny, huge and far-off ranges are drawn.
        for (low, high) in [(0.0, 1e-300), (1e300, 1.1e300), (1e9, 1e9 + 1e-6)] {
            let chart = line.x_range(low, high).points("p", &[low], &[0.5]);
            assert!(chart.draw().is_ok(), "{low} {high}");
        }
    }

    #[test]
    fn scatter_by_class_checks_labels_and_draws_a_legend_entry_per_class() {
        let x = array![[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]];
        let svg = Chart::new("classes")
            .scatter_by_class(&x, &array![0, 1, 1], &["setosa", "versicolor"])
            .svg()
            .unwrap();
        assert!(svg.contains("setosa") && svg.contains("versicolor"));
        let bad = Chart::new("c")
            .scatter_by_class(x.view(), array![0, 2, 1].view(), &["a", "b"])
            .draw();
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("below the number of class names (2)")
        );
        let wrong = Chart::new("c")
            .scatter_by_class(&x, &array![0, 1], &["a", "b"])
            .draw();
        assert!(matches!(wrong, Err(Error::Shape { .. })));
    }

    #[test]
    fn log_axes_need_positive_ranges() {
        let ok = Chart::new("law")
            .log_x()
            .log_y()
            .line("1/sqrt(d)", &[1.0, 100.0], &[1.0, 0.1])
            .svg();
        assert!(ok.is_ok());
        let bad = Chart::new("bad")
            .log_x()
            .x_range(0.0, 10.0)
            .line("l", &[1.0, 2.0], &[1.0, 2.0])
            .draw();
        assert!(bad.is_err());
        // Bars from 0 on a log axis start at the bottom of the axis.
        let bars = Chart::new("b")
            .log_y()
            .bars("b", &["a", "b"], &[10.0, 1000.0]);
        assert!(bars.draw().is_ok());
    }

    #[test]
    fn heatmap_and_regions_draw_one_rectangle_per_cell() {
        let values = Array2::from_shape_fn((3, 4), |(i, j)| (i + j) as f64 + 1.0);
        let svg = Chart::new("h")
            .heatmap(&values, (0.0, 4.0), (0.0, 3.0))
            .svg()
            .unwrap();
        // 12 cells + 60 colour-bar steps, each a filled <rect>, plus the background.
        assert!(svg.matches("<rect").count() >= 72);
        let classes = Array2::from_shape_fn((2, 2), |(i, _)| i);
        assert!(
            Chart::new("r")
                .regions(&classes, (0.0, 1.0), (0.0, 1.0))
                .svg()
                .is_ok()
        );
        let none = Array2::<usize>::zeros((0, 3));
        let e = Chart::new("r")
            .regions(&none, (0.0, 1.0), (0.0, 1.0))
            .draw();
        assert!(matches!(e, Err(Error::Empty { .. })), "{e:?}");
        let e = Chart::new("h")
            .heatmap(&values, (1.0, 1.0), (0.0, 1.0))
            .draw();
        assert!(matches!(e, Err(Error::Parameter { .. })), "{e:?}");
    }

    /// f(x, y) = x² + y² on a 81 × 81 grid over [−2, 2]².
    fn paraboloid() -> Array2<f64> {
        let ticks = linspace(-2.0, 2.0, 81);
        Array2::from_shape_fn((81, 81), |(i, j)| ticks[j].powi(2) + ticks[i].powi(2))
    }

    fn length(line: &[(f64, f64)]) -> f64 {
        line.windows(2)
            .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
            .sum()
    }

    #[test]
    fn the_level_set_of_a_paraboloid_is_a_circle() {
        let square = (-2.0, 2.0);
        let circle = contour_lines(&paraboloid(), square, square, 1.0).unwrap();
        // One closed line, on the unit circle up to the interpolation error
        // h²|f''|/(8|∇f|) = 0.05² · 2/16 ≈ 3e-4, of length 2π to O(h²).
        assert_eq!(circle.len(), 1);
        let line = &circle[0];
        assert_eq!(line.first(), line.last());
        assert!(line.len() > 60, "{} points", line.len());
        for &(x, y) in line {
            assert!((x.hypot(y) - 1.0).abs() < 4e-4, "({x}, {y})");
        }
        let perimeter = length(line);
        assert!(
            (perimeter / std::f64::consts::TAU - 1.0).abs() < 1e-3,
            "{perimeter}"
        );
        // r = √5 cuts the four corners of the square: four open arcs, from
        // edge to edge, each a quarter of the circle's length outside it.
        let arcs = contour_lines(&paraboloid(), square, square, 5.0).unwrap();
        assert_eq!(arcs.len(), 4);
        let on_edge = |(x, y): (f64, f64)| x.abs() == 2.0 || y.abs() == 2.0;
        // From (2, 1) to (1, 2) on the circle of radius √5: the angle
        // atan(2) − atan(1/2), the length √5 times that.
        let expected = 5f64.sqrt() * (2f64.atan() - 0.5f64.atan());
        for arc in &arcs {
            assert!(on_edge(arc[0]) && on_edge(arc[arc.len() - 1]), "{arc:?}");
            assert!(
                (length(arc) / expected - 1.0).abs() < 1e-3,
                "{}",
                length(arc)
            );
        }
        // Above the highest value there is nothing to draw.
        assert!(
            contour_lines(&paraboloid(), square, square, 9.0)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_saddle_is_split_by_the_value_at_its_centre() {
        // f = x·y on the corners of [−1, 1]²: 1 at bottom left and top right,
        // −1 at the other two; the centre is 0.
        let saddle = array![[1.0, -1.0], [-1.0, 1.0]];
        let square = (-1.0, 1.0);
        let sorted = |mut lines: Vec<Vec<(f64, f64)>>| {
            for line in &mut lines {
                line.sort_by(|a, b| a.partial_cmp(b).unwrap());
            }
            lines.sort_by(|a, b| a.partial_cmp(b).unwrap());
            lines
        };
        // Level 0.5: the centre is below it, so the two corners above it are
        // cut off, each by the line through the points where f = 0.5.
        let high = contour_lines(&saddle, square, square, 0.5).unwrap();
        let expected = vec![
            vec![(-1.0, -0.5), (-0.5, -1.0)],
            vec![(0.5, 1.0), (1.0, 0.5)],
        ];
        assert_eq!(sorted(high), expected);
        // Level −0.5: the centre is above it; the corners below are cut off.
        let low = contour_lines(&saddle, square, square, -0.5).unwrap();
        let expected = vec![
            vec![(-1.0, 0.5), (-0.5, 1.0)],
            vec![(0.5, -1.0), (1.0, -0.5)],
        ];
        assert_eq!(sorted(low), expected);
    }

    #[test]
    fn contours_break_at_missing_values_and_check_their_input() {
        let mut holed = paraboloid();
        holed[(40, 60)] = f64::NAN; // the grid point (1, 0) on the unit circle
        let square = (-2.0, 2.0);
        let broken = contour_lines(&holed, square, square, 1.0).unwrap();
        assert_eq!(broken.len(), 1);
        assert_ne!(broken[0].first(), broken[0].last(), "the circle is open");
        let line = Array2::<f64>::zeros((1, 5));
        assert!(matches!(
            contour_lines(&line, square, square, 0.0),
            Err(Error::Shape { .. })
        ));
        for bad in [f64::NAN, f64::INFINITY] {
            assert!(contour_lines(&paraboloid(), square, square, bad).is_err());
        }
        assert!(contour_lines(&paraboloid(), (1.0, 1.0), square, 1.0).is_err());
        // Huge values do not overflow the interpolation.
        let huge = array![[-1e308, 1e308], [-1e308, 1e308]];
        let lines = contour_lines(&huge, (0.0, 1.0), (0.0, 1.0), 0.0).unwrap();
        assert_eq!(lines, vec![vec![(0.5, 0.0), (0.5, 1.0)]]);
        // A chart of contours draws its labels, and says why it cannot draw.
        let chart = Chart::new("c").contours(&paraboloid(), square, square, &[1.0, 2.5]);
        let svg = chart.svg().unwrap();
        assert!(
            svg.lines().any(|l| l.trim() == "2.5"),
            "the label of the level 2.5"
        );
        let many = vec![1.0; MAX_LEVELS + 1];
        assert!(
            Chart::new("c")
                .contours(&paraboloid(), square, square, &many)
                .draw()
                .is_err()
        );
        let e = Chart::new("c")
            .contours(&line, square, square, &[1.0])
            .draw();
        assert!(matches!(e, Err(Error::Shape { .. })), "{e:?}");
    }

    #[test]
    fn image_grid_checks_the_side() {
        let images = Array2::<f64>::zeros((2, 15));
        assert!(ImageGrid::new("x", &images, 4).draw().is_err());
        assert!(ImageGrid::new("x", &images, 0).draw().is_err());
        assert!(ImageGrid::new("x", &images, usize::MAX).draw().is_err());
        let e = ImageGrid::new("x", &Array2::<f64>::zeros((2, 4)), 2).scale(f64::NAN, 1.0);
        assert!(e.draw().is_err());
    }

    #[test]
    fn captions_must_be_one_per_image() {
        let images = Array2::<f64>::zeros((3, 4));
        let grid = ImageGrid::new("x", &images, 2);
        assert!(grid.draw().is_ok(), "no captions at all is fine");
        assert!(grid.captions(&["a", "b", "c"]).draw().is_ok());
        for wrong in [&["a"][..], &["a", "b", "c", "d"][..], &[][..]] {
            let e = grid.captions(wrong).draw().unwrap_err();
            let got = ["0 captions", "1 caption", "", "", "4 captions"][wrong.len()];
            let expected = Error::shape(
                "the captions of the image grid",
                "3 captions, one per image",
                got,
            );
            assert_eq!(e, expected);
        }
    }

    #[test]
    fn regions_refuse_a_class_without_a_colour_of_its_own() {
        let mut classes = Array2::from_shape_fn((3, 4), |(i, j)| (i + j) % PALETTE.len());
        let ok = Chart::new("r").regions(&classes, (0.0, 1.0), (0.0, 1.0));
        assert!(ok.draw().is_ok());
        classes[(2, 1)] = PALETTE.len();
        let e = Chart::new("r")
            .regions(&classes, (0.0, 1.0), (0.0, 1.0))
            .draw()
            .unwrap_err();
        assert!(e.to_string().contains("row 2, column 1"), "{e}");
        assert!(e.to_string().contains("got 8"), "{e}");
    }

    #[test]
    fn series_points_give_back_the_data_of_each_named_series() {
        let chart = Chart::new("t")
            .points("dots", &[1.0, f64::NAN], &[2.0, 3.0])
            .dashed_line("law", &[0.0, 1.0, 2.0], &[1.0, 0.5, 0.25])
            .line("law", &[9.0], &[9.0])
            .bars("bars", &["a"], &[1.0])
            .scatter_by_class(
                &ndarray::array![[0.0, 1.0], [2.0, 3.0]],
                &ndarray::array![1, 1],
                &["p", "q"],
            );
        let (x, y) = chart.series_points("dots").unwrap();
        assert!(x[0] == 1.0 && x[1].is_nan() && y == vec![2.0, 3.0]);
        let first_law = (vec![0.0, 1.0, 2.0], vec![1.0, 0.5, 0.25]);
        assert_eq!(chart.series_points("law"), Some(first_law));
        assert_eq!(
            chart.series_points("q"),
            Some((vec![0.0, 2.0], vec![1.0, 3.0]))
        );
        assert_eq!(chart.series_points("p"), Some((vec![], vec![])));
        assert_eq!(chart.series_points("bars"), None);
        assert_eq!(chart.series_points("nothing"), None);
        let refused = Chart::new("t").line("uneven", &[1.0, 2.0], &[1.0]);
        assert_eq!(refused.series_points("uneven"), None);
    }

    #[test]
    fn a_dashed_line_is_dashed_in_the_legend_too() {
        // The legend mark is three horizontal strokes: 7 px long and touching
        // for a solid line, 4 px long with gaps for a dashed one.
        let strokes = |chart: &Chart, length: i32| -> usize {
            let svg = chart.svg().unwrap();
            svg.split("<polyline")
                .skip(1)
                .filter(|element| {
                    let points = element.split("points=\"").nth(1).unwrap_or("");
                    let points = points.split('"').next().unwrap_or("");
                    let xy: Vec<(i32, i32)> = points
                        .split_whitespace()
                        .filter_map(|p| {
                            let (x, y) = p.split_once(',')?;
                            Some((x.parse().ok()?, y.parse().ok()?))
                        })
                        .collect();
                    xy.len() == 2 && xy[0].1 == xy[1].1 && xy[1].0 - xy[0].0 == length
                })
                .count()
        };
        let (xs, ys) = ([0.0, 1.0], [0.0, 1.0]);
        let solid = Chart::new("s").line("law", &xs, &ys);
        let dashed = Chart::new("d").dashed_line("law", &xs, &ys);
        assert_eq!((strokes(&solid, 7), strokes(&solid, 4)), (3, 0));
        assert_eq!((strokes(&dashed, 7), strokes(&dashed, 4)), (0, 3));
    }

    #[test]
    fn colour_bar_ticks_keep_three_significant_digits() {
        assert_eq!(round_significant(12.0013, 3), 12.0);
        assert_eq!(round_significant(0.0051234, 3), 0.00512);
        assert_eq!(round_significant(-4003.3, 3), -4000.0);
        let huge = round_significant(1.7e308, 3);
        assert!((huge / 1.7e308 - 1.0).abs() < 1e-12, "{huge}");
    }

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(format_tick(0.1 + 0.2, true), "0.3");
        assert_eq!(format_tick(-0.0, true), "0");
        assert_eq!(format_tick(-2.8e-17, true), "0");
        assert_eq!(format_tick(20000.0, true), "20000");
        assert_eq!(format_tick(2.5e-5, true), "2.5e-5");
        // A log axis's tiny ticks keep their value.
        assert_eq!(format_tick(1e-13, false), "1.0e-13");
    }

    #[test]
    fn the_ticks_of_an_axis_share_one_form() {
        let labels = |ticks: &[f64], snap: bool| {
            let form = TickForm::of(ticks, snap);
            ticks.iter().map(|&v| form.label(v)).collect::<Vec<_>>()
        };
        // A log axis from 100 to 100000: all with an exponent, not 10000 beside 1.0e5.
        assert_eq!(
            labels(&[100.0, 1000.0, 1e4, 1e5], false),
            ["1.0e2", "1.0e3", "1.0e4", "1.0e5"]
        );
        // A linear axis through 0: 0 stays 0, float noise included.
        assert_eq!(
            labels(&[-2.8e-17, 5e4, 1e5, 1.5e5], true),
            ["0", "5.0e4", "1.0e5", "1.5e5"]
        );
        // Ticks that need no exponent are written out, as before.
        assert_eq!(labels(&[0.5, 1.0, 10000.0], false), ["0.5", "1", "10000"]);
        assert_eq!(labels(&[0.1 + 0.2, 0.6], true), ["0.3", "0.6"]);
        // Drawn: a log axis up to 2e5 labels 10000 as 1.0e4.
        let svg = Chart::new("periods")
            .line("p", &[1.0, 10.0], &[90.0, 2e5])
            .log_y()
            .svg()
            .unwrap();
        assert!(
            svg.contains("\n1.0e4\n") && !svg.contains("\n10000\n"),
            "{svg}"
        );
    }

    #[test]
    fn sized_points_have_areas_in_proportion_to_their_weights() {
        let radii = point_radii(&[1.0, 4.0, 287.0, 0.0]);
        // √(1/287)·14 = 0.83 is raised to the smallest radius; 287 gets the largest.
        assert_eq!(radii[2], LARGEST_RADIUS);
        assert_eq!(radii[0], SMALLEST_RADIUS);
        assert_eq!(radii[3], SMALLEST_RADIUS);
        assert_eq!(
            point_radii(&[25.0, 100.0]),
            [LARGEST_RADIUS / 2, LARGEST_RADIUS]
        );
        assert_eq!(point_radii(&[0.0, 0.0]), [SMALLEST_RADIUS; 2]);
        // Drawn as circles of those radii.
        let svg = Chart::new("bins")
            .sized_points("rows", &[0.6, 0.9], &[0.5, 0.95], &[25.0, 100.0])
            .svg()
            .unwrap();
        assert!(
            svg.contains(r#"r="7""#) && svg.contains(r#"r="14""#),
            "{svg}"
        );
        // Weights that are not finite and ≥ 0, or that do not match the points, are refused.
        for weights in [vec![1.0, -1.0], vec![1.0, f64::NAN], vec![1.0]] {
            let e = Chart::new("bad")
                .sized_points("rows", &[0.6, 0.9], &[0.5, 0.95], &weights)
                .draw()
                .unwrap_err();
            assert!(e.to_string().contains("weight"), "{e}");
        }
    }

    #[test]
    fn marked_lines_draw_a_mark_at_each_point_and_reference_lines_are_grey() {
        let xs = [1.0, 2.0, 3.0];
        let ys = [0.2, 0.5, 0.9];
        let plain = Chart::new("t").line("a", &xs, &ys).svg().unwrap();
        let circles = Chart::new("t")
            .marked_line("a", &xs, &ys, Marker::Circle)
            .svg()
            .unwrap();
        // An outline on each of the three points, and one in the legend.
        let count = |svg: &str, what: &str| svg.matches(what).count();
        assert_eq!(count(&circles, "<polyline") - count(&plain, "<polyline"), 4);
        for marker in [Marker::Square, Marker::Triangle] {
            let chart = Chart::new("t").marked_line("a", &xs, &ys, marker);
            assert_eq!(chart.series_names(), ["a"]);
            let svg = chart.svg().unwrap();
            assert!(svg.len() > plain.len(), "{marker:?} adds its marks");
        }
        // A reference line takes no palette colour: the next series gets the first one.
        let chart = Chart::new("t")
            .reference_line("x = 2", &[2.0, 2.0], &[0.0, 1.0])
            .line("b", &xs, &ys);
        let svg = chart.svg().unwrap();
        let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        assert!(svg.contains(&hex(REFERENCE)), "the reference line is grey");
        assert!(
            svg.contains(&hex(PALETTE[0])),
            "the first series has the first colour"
        );
        assert_eq!(chart.series_names(), ["x = 2", "b"]);
        assert_eq!(
            chart.series_points("x = 2"),
            Some((vec![2.0, 2.0], vec![0.0, 1.0]))
        );
    }

    #[test]
    fn linspace_includes_both_ends() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!(linspace(0.0, 1.0, 0).is_empty());
        assert_eq!(linspace(3.0, 7.0, 1), vec![3.0]);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(linspace(bad, 1.0, 3).is_empty() && linspace(0.0, bad, 1).is_empty());
        }
    }

    #[test]
    fn equal_aspect_gives_both_axes_the_same_scale() {
        for (x_span, y_span) in [(8.0, 8.0), (8.0, 4.0), (1.0, 5.0)] {
            let chart = Chart::new("ellipse")
                .x_range(0.0, x_span)
                .y_range(0.0, y_span);
            let frame = chart.frame().unwrap();
            let size = (560, 480);
            let [top, bottom, left, right] = chart.aspect_margins(size, 65, frame).unwrap();
            assert!(top.min(bottom).min(left).min(right) >= 0);
            let cut = ((left + right) as u32, (top + bottom) as u32);
            let (w, h) = chart
                .plot_area((size.0 - cut.0, size.1 - cut.1), 65)
                .unwrap();
            let (across, up) = (w as f64 / x_span, h as f64 / y_span);
            assert!(
                (across - up).abs() * x_span.max(y_span) <= 2.0,
                "{across} vs {up}"
            );
            assert!(chart.equal_aspect().svg().is_ok());
        }
    }

    #[test]
    fn long_y_tick_labels_widen_their_area() {
        // The area a label of 7 characters needs, and the label is drawn.
        let chart = Chart::new("tiny")
            .line("l", &[1.0, 2.0], &[1e-10, 1e-9])
            .log_y();
        let (normal, _) = chart.plot_area((640, 420), 65).unwrap();
        let (wider, _) = chart.plot_area((640, 420), 7 * 8 + 26).unwrap();
        assert_eq!(normal - wider, 7 * 8 + 26 - 65);
        assert!(chart.svg().unwrap().contains("1.0e-10"));
    }
}
