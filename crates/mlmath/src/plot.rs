//! Plots, drawn as SVG and shown inline in a notebook.
//!
//! One module draws every picture of the course. A [`Chart`] is a stack of
//! layers on shared axes — points, points coloured by class, lines, a
//! histogram, bars, a heatmap with its colour bar, shaded decision regions —
//! and a cell that ends with a chart shows it. An [`ImageGrid`] shows small
//! grey-scale images (digits) side by side.
//!
//! Plots have a white background and black text, like a printed figure, so
//! they read the same in JupyterLab's light and dark themes. Colours come
//! from the Okabe–Ito palette, which stays distinct for colour-blind readers.
//!
//! ```
//! use mlmath::plot::Chart;
//! let xs: Vec<f64> = (0..50).map(|i| i as f64 / 10.0).collect();
//! let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
//! let svg = Chart::new("a parabola").labels("x", "x²").line("y = x²", &xs, &ys).svg().unwrap();
//! assert!(svg.starts_with("<svg"));
//! ```

use ndarray::{ArrayView1, ArrayView2};
use plotters::coord::combinators::IntoLogRange;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::data::Dataset;
use crate::error::{Error, Result};

/// The Okabe–Ito palette (blue, orange, green, vermillion, purple, sky,
/// black, yellow), which stays distinct for colour-blind readers, followed
/// by grey and brown so that ten classes (the digits) get ten colours:
/// class `i` is drawn in `PALETTE[i % 10]`.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
    RGBColor(128, 128, 128),
    RGBColor(140, 86, 40),
];

/// A drawn plot: SVG text that a notebook shows inline.
#[derive(Debug, Clone)]
pub struct Plot {
    svg: String,
}

impl Plot {
    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
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

/// One layer of a chart.
#[derive(Debug, Clone)]
enum Layer {
    Points {
        label: String,
        xy: Vec<(f64, f64)>,
        color: RGBColor,
        size: u32,
    },
    Line {
        label: String,
        xy: Vec<(f64, f64)>,
        color: RGBColor,
        dashed: bool,
    },
    /// Bars from `(left, right, height)`.
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
}

/// Layers on shared axes, with a title, axis labels and a legend.
///
/// Builder methods never fail: data that does not fit (lengths that differ,
/// a label out of range) is remembered, and [`draw`](Self::draw) returns it
/// as an error. They borrow the chart and return a new one, so a notebook
/// cell can end with `chart.points(...)` and still keep `chart` for later
/// cells (a cell whose last expression moved a stored value would be shown
/// as text, not drawn).
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
    /// Categories written under bar charts in place of numbers.
    categories: Option<Vec<String>>,
    problem: Option<Error>,
    next_color: usize,
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
            categories: None,
            problem: None,
            next_color: 0,
        }
    }

    /// Names the axes.
    pub fn labels(&self, x: &str, y: &str) -> Self {
        let mut this = self.clone();
        this.x_label = x.to_string();
        this.y_label = y.to_string();
        this
    }

    /// Size in pixels (default 640 × 420).
    pub fn size(&self, width: u32, height: u32) -> Self {
        let mut this = self.clone();
        this.size = (width.max(200), height.max(150));
        this
    }

    /// Fixes the x axis to `[low, high]` instead of fitting the data.
    pub fn x_range(&self, low: f64, high: f64) -> Self {
        let mut this = self.clone();
        this.x_range = Some((low, high));
        this
    }

    /// Fixes the y axis to `[low, high]` instead of fitting the data.
    pub fn y_range(&self, low: f64, high: f64) -> Self {
        let mut this = self.clone();
        this.y_range = Some((low, high));
        this
    }

    /// Logarithmic x axis (values must be positive).
    pub fn log_x(&self) -> Self {
        let mut this = self.clone();
        this.log_x = true;
        this
    }

    /// Logarithmic y axis (values must be positive).
    pub fn log_y(&self) -> Self {
        let mut this = self.clone();
        this.log_y = true;
        this
    }

    fn take_color(&mut self) -> RGBColor {
        let color = PALETTE[self.next_color % PALETTE.len()];
        self.next_color += 1;
        color
    }

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

    /// A scatter of points named `label`, in the next palette colour.
    pub fn points(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        let mut this = self.clone();
        if let Some(xy) = this.pairs(label, xs, ys) {
            let color = this.take_color();
            this.layers.push(Layer::Points {
                label: label.into(),
                xy,
                color,
                size: 3,
            });
        }
        this
    }

    /// Points `x: (n, 2)` coloured by class: `labels[i]` indexes `class_names`.
    pub fn scatter_by_class<S: AsRef<str>>(
        mut self,
        x: ArrayView2<'_, f64>,
        labels: ArrayView1<'_, usize>,
        class_names: &[S],
    ) -> Self {
        if x.ncols() != 2 {
            self.fail(Error::shape(
                "x",
                "2 columns (the two coordinates to draw)",
                format!("{} columns", x.ncols()),
            ));
            return self;
        }
        if labels.len() != x.nrows() {
            self.fail(Error::shape(
                "labels",
                format!("{} labels, one per row of x", x.nrows()),
                format!("{}", labels.len()),
            ));
            return self;
        }
        if let Some(&bad) = labels.iter().find(|&&l| l >= class_names.len()) {
            self.fail(Error::parameter(
                "every label",
                format!("below the number of class names ({})", class_names.len()),
                bad,
            ));
            return self;
        }
        for (class, name) in class_names.iter().enumerate() {
            let xy: Vec<(f64, f64)> = x
                .rows()
                .into_iter()
                .zip(labels)
                .filter(|(_, l)| **l == class)
                .map(|(row, _)| (row[0], row[1]))
                .collect();
            let color = PALETTE[(self.next_color + class) % PALETTE.len()];
            self.layers.push(Layer::Points {
                label: name.as_ref().into(),
                xy,
                color,
                size: 4,
            });
        }
        self.next_color += class_names.len();
        self
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
        this.scatter_by_class(data.x().view(), data.y().view(), data.class_names())
    }

    /// A line through the points `(xs[i], ys[i])`, named `label`.
    pub fn line(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        self.polyline(label, xs, ys, false)
    }

    /// A dashed line, for a reference curve (a bound, a law, a target).
    pub fn dashed_line(&self, label: &str, xs: &[f64], ys: &[f64]) -> Self {
        self.polyline(label, xs, ys, true)
    }

    fn polyline(&self, label: &str, xs: &[f64], ys: &[f64], dashed: bool) -> Self {
        let mut this = self.clone();
        if let Some(xy) = this.pairs(label, xs, ys) {
            let color = this.take_color();
            this.layers.push(Layer::Line {
                label: label.into(),
                xy,
                color,
                dashed,
            });
        }
        this
    }

    /// A histogram of `values` in `bins` equal bins over their range.
    pub fn histogram(&self, label: &str, values: &[f64], bins: usize) -> Self {
        let mut this = self.clone();
        match histogram_counts(values, bins) {
            Ok((edges, counts)) => {
                let bars = edges
                    .windows(2)
                    .zip(&counts)
                    .map(|(e, &c)| (e[0], e[1], c as f64))
                    .collect();
                let color = this.take_color();
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

    /// One bar per category, `values[i]` high, with the category written under it.
    pub fn bars(&self, label: &str, categories: &[&str], values: &[f64]) -> Self {
        let mut this = self.clone();
        if categories.len() != values.len() {
            this.fail(Error::shape(
                "values",
                format!("{} values, one per category", categories.len()),
                values.len().to_string(),
            ));
            return this;
        }
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64 - 0.4, i as f64 + 0.4, v))
            .collect();
        let color = this.take_color();
        this.layers.push(Layer::Bars {
            label: label.into(),
            bars,
            color,
        });
        this.categories = Some(categories.iter().map(|c| c.to_string()).collect());
        this
    }

    /// A heatmap of `values: (rows, cols)` over `[x.0, x.1] × [y.0, y.1]`,
    /// row 0 at the bottom, with a colour bar (viridis: dark is low).
    /// Draw it first: later layers (paths, points) go on top.
    pub fn heatmap(&self, values: ArrayView2<'_, f64>, x: (f64, f64), y: (f64, f64)) -> Self {
        self.clone().heatmap_scaled(values, x, y, false)
    }

    /// A heatmap whose colours follow log10 of the values, for a loss that
    /// spans orders of magnitude (values must be positive).
    pub fn log_heatmap(&self, values: ArrayView2<'_, f64>, x: (f64, f64), y: (f64, f64)) -> Self {
        self.clone().heatmap_scaled(values, x, y, true)
    }

    fn heatmap_scaled(
        mut self,
        values: ArrayView2<'_, f64>,
        x: (f64, f64),
        y: (f64, f64),
        log: bool,
    ) -> Self {
        if values.is_empty() {
            self.fail(Error::empty("the heatmap values"));
            return self;
        }
        if log && values.iter().any(|&v| v <= 0.0) {
            self.fail(Error::parameter(
                "every value of a log heatmap",
                "positive",
                "a value ≤ 0",
            ));
            return self;
        }
        let values = values.rows().into_iter().map(|r| r.to_vec()).collect();
        self.layers.push(Layer::Heatmap { values, x, y, log });
        self
    }

    /// Decision regions: `classes: (rows, cols)` of class indices over
    /// `[x.0, x.1] × [y.0, y.1]`, row 0 at the bottom, shaded in light
    /// versions of the class colours used by [`scatter_by_class`](Self::scatter_by_class).
    /// Draw them first, then the points.
    pub fn regions(&self, classes: ArrayView2<'_, usize>, x: (f64, f64), y: (f64, f64)) -> Self {
        let mut this = self.clone();
        let classes = classes.rows().into_iter().map(|r| r.to_vec()).collect();
        this.layers.push(Layer::Regions { classes, x, y });
        this
    }

    /// The names of the layers that appear in the legend, in drawing order.
    ///
    /// ```
    /// let chart = mlmath::plot::Chart::new("t").line("sin", &[0.0, 1.0], &[0.0, 0.8]);
    /// assert_eq!(chart.series_names(), vec!["sin"]);
    /// ```
    pub fn series_names(&self) -> Vec<&str> {
        self.layers
            .iter()
            .filter_map(|layer| match layer {
                Layer::Points { label, .. }
                | Layer::Line { label, .. }
                | Layer::Bars { label, .. } => Some(label.as_str()),
                Layer::Heatmap { .. } | Layer::Regions { .. } => None,
            })
            .filter(|label| !label.is_empty())
            .collect()
    }

    /// Draws the chart, or says what in its data did not fit.
    pub fn draw(&self) -> Result<Plot> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            self.render(&root)?;
            root.present().map_err(plot_error)?;
        }
        Ok(Plot { svg })
    }

    /// Draws the chart into `root` (the whole figure, or one panel of [`Panels`]).
    fn render(&self, root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        let (x0, x1) = self
            .x_range
            .unwrap_or_else(|| self.fit_range(|p| p.0, self.log_x));
        let (y0, y1) = self
            .y_range
            .unwrap_or_else(|| self.fit_range(|p| p.1, self.log_y));
        for (axis, log, low) in [("x", self.log_x, x0), ("y", self.log_y, y0)] {
            if log && low <= 0.0 {
                return Err(Error::parameter(
                    format!("the {axis} range of a log axis"),
                    "positive",
                    low,
                ));
            }
        }
        root.fill(&WHITE).map_err(plot_error)?;
        let bounds = [x0, x1, y0, y1];
        match (self.log_x, self.log_y) {
            (false, false) => self.draw_on(root, x0..x1, y0..y1, bounds),
            (true, false) => self.draw_on(root, (x0..x1).log_scale(), y0..y1, bounds),
            (false, true) => self.draw_on(root, x0..x1, (y0..y1).log_scale(), bounds),
            (true, true) => self.draw_on(root, (x0..x1).log_scale(), (y0..y1).log_scale(), bounds),
        }
    }

    /// The chart's SVG text (for tests and saving).
    pub fn svg(&self) -> Result<String> {
        Ok(self.draw()?.svg)
    }

    /// Shows the chart in a notebook; a problem with its data is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }

    /// The range of all layers' data along one axis, padded by 5% (on a log
    /// axis, by 5% of the decades).
    fn fit_range(&self, coord: impl Fn((f64, f64)) -> f64, log: bool) -> (f64, f64) {
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        let mut see = |v: f64| {
            if v.is_finite() && (!log || v > 0.0) {
                low = low.min(v);
                high = high.max(v);
            }
        };
        let is_x = coord((1.0, 0.0)) == 1.0;
        for layer in &self.layers {
            match layer {
                Layer::Points { xy, .. } | Layer::Line { xy, .. } => {
                    xy.iter().for_each(|&p| see(coord(p)))
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
                Layer::Heatmap { x, y, .. } | Layer::Regions { x, y, .. } => {
                    let (a, b) = if is_x { *x } else { *y };
                    see(a);
                    see(b);
                    // A map fills its rectangle exactly: no padding.
                    if self.layers.len() == 1 {
                        return (a, b);
                    }
                }
            }
        }
        if low > high {
            return if log { (1.0, 10.0) } else { (0.0, 1.0) };
        }
        if log {
            let (a, b) = (low.log10(), high.log10());
            let pad = ((b - a) * 0.05).max(0.05);
            return (10f64.powf(a - pad), 10f64.powf(b + pad));
        }
        let pad = if high > low { (high - low) * 0.05 } else { 0.5 };
        (low - pad, high + pad)
    }

    /// The corner of the plot area with the fewest data points, for the
    /// legend, and how many points it holds.
    fn emptiest_corner(&self, [x0, x1, y0, y1]: [f64; 4]) -> (SeriesLabelPosition, usize) {
        let scale = |v: f64, lo: f64, hi: f64, log: bool| {
            if log {
                (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
            } else {
                (v - lo) / (hi - lo)
            }
        };
        // The share of the plot area a legend box covers, from its entries.
        let entries = self.legend_entries();
        let longest = entries
            .iter()
            .map(|(l, _, _)| l.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let plot_width = f64::from(self.size.0).max(1.0) - 90.0;
        let plot_height = f64::from(self.size.1).max(1.0) - 90.0;
        let wide = ((longest * 8.0 + 60.0) / plot_width).min(0.9);
        let tall = ((entries.len() as f64 * 22.0 + 20.0) / plot_height).min(0.9);
        let mut counts = [0usize; 4]; // upper right, upper left, lower right, lower left
        for layer in &self.layers {
            let xy = match layer {
                Layer::Points { xy, .. } | Layer::Line { xy, .. } => xy,
                _ => continue,
            };
            for &(x, y) in xy {
                let (u, v) = (scale(x, x0, x1, self.log_x), scale(y, y0, y1, self.log_y));
                if !(0.0..=1.0).contains(&u) || !(0.0..=1.0).contains(&v) {
                    continue;
                }
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
                Layer::Points { label, color, .. } => Some((label.as_str(), *color, Mark::Dot)),
                Layer::Line {
                    label,
                    color,
                    dashed,
                    ..
                } => Some((
                    label.as_str(),
                    *color,
                    if *dashed { Mark::Dashes } else { Mark::Line },
                )),
                Layer::Bars { label, color, .. } => Some((label.as_str(), *color, Mark::Block)),
                Layer::Heatmap { .. } | Layer::Regions { .. } => None,
            })
            .filter(|(label, _, _)| !label.is_empty())
            .collect()
    }

    fn draw_on<XS, YS>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        xs: XS,
        ys: YS,
        bounds: [f64; 4],
    ) -> Result<()>
    where
        XS: AsRangedCoord<Value = f64>,
        YS: AsRangedCoord<Value = f64>,
        XS::CoordDescType: ValueFormatter<f64>,
        YS::CoordDescType: ValueFormatter<f64>,
    {
        let heat = self.layers.iter().find_map(|l| match l {
            Layer::Heatmap { values, log, .. } => Some((value_range(values, *log), *log)),
            _ => None,
        });
        // The legend sits in the emptiest corner, or beside the plot when
        // every corner holds data.
        let entries = self.legend_entries();
        let (corner, crowd) = self.emptiest_corner(bounds);
        let outside = !entries.is_empty() && crowd > 0;
        let (root, side) = if outside {
            let longest = entries
                .iter()
                .map(|(l, _, _)| l.chars().count())
                .max()
                .unwrap_or(0);
            let total = root.dim_in_pixel().0;
            let width = (longest as u32 * 8 + 46).min(total / 2);
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
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(65)
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
                None => format_tick(*v),
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(("sans-serif", 17))
            .label_style(("sans-serif", 15))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(215, 215, 215));
        if self.categories.is_some() {
            mesh.x_label_formatter(&category_name);
        }
        if self.categories.is_none() {
            mesh.x_label_formatter(&|v| format_tick(*v));
        }
        mesh.y_label_formatter(&|v| format_tick(*v));
        mesh.draw().map_err(plot_error)?;

        let mut has_legend = false;
        for layer in &self.layers {
            match layer {
                Layer::Heatmap { values, x, y, log } => {
                    let (low, high) = value_range(values, *log);
                    chart
                        .draw_series(grid_cells(values.len(), values[0].len(), *x, *y).map(
                            |(i, j, a, b)| {
                                let t = normalise(values[i][j], low, high, *log);
                                Rectangle::new([a, b], viridis(t).filled())
                            },
                        ))
                        .map_err(plot_error)?;
                }
                Layer::Regions { classes, x, y } => {
                    chart
                        .draw_series(grid_cells(classes.len(), classes[0].len(), *x, *y).map(
                            |(i, j, a, b)| {
                                let c = PALETTE[classes[i][j] % PALETTE.len()];
                                Rectangle::new([a, b], c.mix(0.22).filled())
                            },
                        ))
                        .map_err(plot_error)?;
                }
                Layer::Points {
                    label,
                    xy,
                    color,
                    size,
                } => {
                    let (color, size) = (*color, *size);
                    let series = chart
                        .draw_series(
                            xy.iter()
                                .map(|&p| Circle::new(p, size, color.mix(0.85).filled())),
                        )
                        .map_err(plot_error)?;
                    if !label.is_empty() {
                        has_legend = true;
                        series
                            .label(label)
                            .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
                    }
                }
                Layer::Line {
                    label,
                    xy,
                    color,
                    dashed,
                } => {
                    let style = color.stroke_width(2);
                    // Pieces inside the axes (a line may run far outside them);
                    // on log axes the data are drawn as they are.
                    let pieces = if self.log_x || self.log_y {
                        vec![xy.clone()]
                    } else {
                        clip_polyline(xy, bounds)
                    };
                    for piece in pieces {
                        if *dashed {
                            chart.draw_series(DashedLineSeries::new(piece, 8, 5, style))
                        } else {
                            chart.draw_series(LineSeries::new(piece, style))
                        }
                        .map_err(plot_error)?;
                    }
                    // An empty series carries the legend entry for all the pieces.
                    let series = chart
                        .draw_series(LineSeries::new(Vec::<(f64, f64)>::new(), style))
                        .map_err(plot_error)?;
                    if !label.is_empty() {
                        has_legend = true;
                        let color = *color;
                        series.label(label).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                        });
                    }
                }
                Layer::Bars { label, bars, color } => {
                    let color = *color;
                    let series = chart
                        .draw_series(bars.iter().map(|&(left, right, h)| {
                            Rectangle::new([(left, 0.0), (right, h)], color.mix(0.8).filled())
                        }))
                        .map_err(plot_error)?;
                    if !label.is_empty() {
                        has_legend = true;
                        series.label(label).legend(move |(x, y)| {
                            Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.filled())
                        });
                    }
                }
            }
        }
        if let Some(side) = side {
            draw_side_legend(&side, &entries)?;
        } else if has_legend {
            chart
                .configure_series_labels()
                .position(corner)
                .background_style(WHITE.mix(0.9))
                .border_style(RGBColor(160, 160, 160))
                .label_font(("sans-serif", 15))
                .draw()
                .map_err(plot_error)?;
        }
        if let (Some(bar), Some(((low, high), log))) = (bar, heat) {
            draw_colour_bar(&bar, low, high, log)?;
        }
        Ok(())
    }
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Dot,
    Line,
    Dashes,
    Block,
}

/// A legend drawn beside the plot, one entry per line.
fn draw_side_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    entries: &[(&str, RGBColor, Mark)],
) -> Result<()> {
    let font = ("sans-serif", 15).into_font().color(&BLACK);
    for (k, (label, color, mark)) in entries.iter().enumerate() {
        let y = 60 + 24 * k as i32;
        let x = 6;
        match mark {
            Mark::Dot => area.draw(&Circle::new((x + 10, y), 5, color.filled())),
            Mark::Line => area.draw(&PathElement::new(
                vec![(x, y), (x + 22, y)],
                color.stroke_width(2),
            )),
            Mark::Dashes => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 8, y)],
                    color.stroke_width(2),
                ))
                .map_err(plot_error)?;
                area.draw(&PathElement::new(
                    vec![(x + 14, y), (x + 22, y)],
                    color.stroke_width(2),
                ))
            }
            Mark::Block => area.draw(&Rectangle::new(
                [(x + 2, y - 6), (x + 20, y + 6)],
                color.filled(),
            )),
        }
        .map_err(plot_error)?;
        area.draw_text(label, &font, (x + 30, y - 8))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// The parts of a polyline inside the rectangle `[x0, x1] × [y0, y1]`
/// (Liang–Barsky clipping of each segment).
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
        let mut visible = true;
        for (p, q) in [(-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)] {
            if p == 0.0 {
                visible &= q >= 0.0;
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        if !visible || t0 > t1 {
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
        }
    }

    /// The size of each panel in pixels.
    pub fn panel_size(&self, width: u32, height: u32) -> Self {
        Panels {
            panel: (width.max(200), height.max(150)),
            ..self.clone()
        }
    }

    /// Draws the row of charts.
    pub fn draw(&self) -> Result<Plot> {
        if self.charts.is_empty() {
            return Err(Error::empty("the charts of the panels"));
        }
        let (w, h) = self.panel;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w * self.charts.len() as u32, h))
                .into_drawing_area();
            for (chart, area) in self
                .charts
                .iter()
                .zip(root.split_evenly((1, self.charts.len())))
            {
                chart.size(w, h).render(&area)?;
            }
            root.present().map_err(plot_error)?;
        }
        Ok(Plot { svg })
    }

    /// Shows the panels in a notebook; a problem is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }
}

/// Counts of `values` in `bins` equal bins spanning their range: returns the
/// `bins + 1` edges and the counts. The last bin includes its right edge.
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
    if bins == 0 {
        return Err(Error::parameter("bins", "at least 1", 0));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::NotFinite {
            what: "the values of the histogram".into(),
            index: vec![i],
        });
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if high == low {
        high = low + 1.0;
    }
    let width = (high - low) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|i| low + width * i as f64).collect();
    let mut counts = vec![0; bins];
    for &v in values {
        let bin = (((v - low) / width) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    Ok((edges, counts))
}

/// Small grey-scale images side by side, dark ink on white: digits,
/// reconstructions, learned filters.
///
/// ```
/// use ndarray::Array2;
/// let images = Array2::from_shape_fn((3, 16), |(i, p)| (i * p) as f64);
/// let svg = mlmath::plot::ImageGrid::new("three 4x4 images", images.view(), 4).draw().unwrap();
/// assert!(svg.svg().contains("three 4x4 images"));
/// ```
#[derive(Clone)]
pub struct ImageGrid {
    title: String,
    images: Vec<Vec<f64>>,
    side: usize,
    columns: usize,
    captions: Vec<String>,
    /// Whether values are centred on zero (filters: blue < 0 < red) rather than ink.
    signed: bool,
    /// The values drawn white and black; `None` stretches each image to its own range.
    scale: Option<(f64, f64)>,
    problem: Option<Error>,
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
    /// `images: (n, side·side)`, each row an image in row-major order.
    pub fn new(title: &str, images: ArrayView2<'_, f64>, side: usize) -> Self {
        let problem = if side == 0 || images.ncols() != side * side {
            Some(Error::shape(
                "images",
                format!("{} columns (side {side} × side {side})", side * side),
                format!("{} columns", images.ncols()),
            ))
        } else {
            None
        };
        ImageGrid {
            title: title.to_string(),
            images: images.rows().into_iter().map(|r| r.to_vec()).collect(),
            side,
            columns: images.nrows().clamp(1, 10),
            captions: Vec::new(),
            signed: false,
            scale: None,
            problem,
        }
    }

    /// One image, a single row, for a one-off picture.
    pub fn single(title: &str, image: ArrayView1<'_, f64>, side: usize) -> Self {
        let n = image.len();
        let as_row = image
            .to_shape((1, n))
            .map(|v| v.to_owned())
            .unwrap_or_else(|_| ndarray::Array2::zeros((1, n)));
        ImageGrid::new(title, as_row.view(), side)
    }

    /// Images per row (default: up to 10).
    pub fn columns(&self, columns: usize) -> Self {
        let mut this = self.clone();
        this.columns = columns.max(1);
        this
    }

    /// A caption under each image (a label, a distance, a prediction).
    pub fn captions<S: ToString>(&self, captions: &[S]) -> Self {
        let mut this = self.clone();
        this.captions = captions.iter().map(ToString::to_string).collect();
        this
    }

    /// Draws every image on the same grey scale, `low` white and `high` black
    /// (e.g. 0 and 16 for the digits), instead of stretching each image to its
    /// own range: reconstructions then show their true contrast.
    pub fn scale(&self, low: f64, high: f64) -> Self {
        ImageGrid {
            scale: Some((low, high)),
            ..self.clone()
        }
    }

    /// Colours values around zero: negative blue, positive red (for weights and filters).
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
        let cell = (120 / self.side).clamp(2, 8) as i32 * self.side as i32;
        let pixel = cell / self.side as i32;
        let gap = 8;
        let caption_h = if self.captions.is_empty() { 0 } else { 16 };
        let rows = self.images.len().div_ceil(self.columns) as i32;
        let title_h = 30;
        let width = (self.columns as i32 * (cell + gap) + gap) as u32;
        let height = (title_h + rows * (cell + gap + caption_h) + gap) as u32;
        let mut svg = String::new();
        {
            let root =
                SVGBackend::with_string(&mut svg, (width.max(160), height)).into_drawing_area();
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
                let scale = high.abs().max(low.abs()).max(1e-12);
                let ox = gap + (k % self.columns) as i32 * (cell + gap);
                let oy = title_h + (k / self.columns) as i32 * (cell + gap + caption_h);
                root.draw(&Rectangle::new(
                    [(ox - 1, oy - 1), (ox + cell, oy + cell)],
                    RGBColor(200, 200, 200),
                ))
                .map_err(plot_error)?;
                for (p, &v) in image.iter().enumerate() {
                    let color = if self.signed {
                        let t = (v / scale).clamp(-1.0, 1.0);
                        let fade = (255.0 * (1.0 - t.abs())) as u8;
                        if t >= 0.0 {
                            RGBColor(255, fade, fade)
                        } else {
                            RGBColor(fade, fade, 255)
                        }
                    } else {
                        let t = if high > low {
                            ((v - low) / (high - low)).clamp(0.0, 1.0)
                        } else {
                            0.0
                        };
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
                if let Some(text) = self.captions.get(k) {
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
        Ok(Plot { svg })
    }

    /// Shows the grid in a notebook; a problem is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }
}

/// The viridis colour map at `t ∈ [0, 1]` (dark blue → green → yellow),
/// interpolated between nine of its published anchor colours.
pub fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The cells of a `rows × cols` grid over a rectangle: `(row, col, corner, corner)`.
fn grid_cells(
    rows: usize,
    cols: usize,
    x: (f64, f64),
    y: (f64, f64),
) -> impl Iterator<Item = (usize, usize, (f64, f64), (f64, f64))> {
    let dx = (x.1 - x.0) / cols as f64;
    let dy = (y.1 - y.0) / rows as f64;
    (0..rows).flat_map(move |i| {
        (0..cols).map(move |j| {
            let a = (x.0 + dx * j as f64, y.0 + dy * i as f64);
            (i, j, a, (a.0 + dx, a.1 + dy))
        })
    })
}

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

fn normalise(v: f64, low: f64, high: f64, log: bool) -> f64 {
    let (v, low, high) = if log {
        (v.log10(), low.log10(), high.log10())
    } else {
        (v, low, high)
    };
    if high > low {
        (v - low) / (high - low)
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
            low + t * (high - low)
        };
        let y = bottom - ((bottom - top) as f64 * t) as i32;
        let label = format_tick(round_significant(value, 3));
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
    (v * scale).round() / scale
}

/// Tick labels: short, without float noise (0.30000000000000004 → 0.3).
fn format_tick(v: f64) -> String {
    // Ticks computed in floating point land near zero, not on it (-2.8e-17).
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn plot_error<E: std::fmt::Display>(e: E) -> Error {
    Error::Plot(e.to_string())
}

/// A range from `low` to `high`, for callers building grids to plot.
pub fn linspace(low: f64, high: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![low],
        _ => (0..n)
            .map(|i| low + (high - low) * i as f64 / (n - 1) as f64)
            .collect(),
    }
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
    fn the_legend_goes_where_the_data_are_not() {
        let chart =
            Chart::new("t").points("crowd", &[0.9, 0.95, 0.92, 0.1], &[0.9, 0.95, 0.1, 0.9]);
        // Upper right, lower right and upper left hold points; lower left is empty.
        let (corner, crowd) = chart.emptiest_corner([0.0, 1.0, 0.0, 1.0]);
        assert!(matches!(corner, SeriesLabelPosition::LowerLeft) && crowd == 0);
        // With a point in every corner the legend moves beside the plot.
        let crowded = chart.points("more", &[0.1], &[0.1]);
        assert_eq!(crowded.emptiest_corner([0.0, 1.0, 0.0, 1.0]).1, 1);
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
    fn scatter_by_class_checks_labels_and_draws_a_legend_entry_per_class() {
        let x = array![[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]];
        let svg = Chart::new("classes")
            .scatter_by_class(x.view(), array![0, 1, 1].view(), &["setosa", "versicolor"])
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
            .scatter_by_class(x.view(), array![0, 1].view(), &["a", "b"])
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
    }

    #[test]
    fn heatmap_and_regions_draw_one_rectangle_per_cell() {
        let values = Array2::from_shape_fn((3, 4), |(i, j)| (i + j) as f64 + 1.0);
        let svg = Chart::new("h")
            .heatmap(values.view(), (0.0, 4.0), (0.0, 3.0))
            .svg()
            .unwrap();
        // 12 cells + 60 colour-bar steps, each a filled <rect>, plus the background.
        assert!(svg.matches("<rect").count() >= 72);
        let classes = Array2::from_shape_fn((2, 2), |(i, _)| i);
        assert!(
            Chart::new("r")
                .regions(classes.view(), (0.0, 1.0), (0.0, 1.0))
                .svg()
                .is_ok()
        );
    }

    #[test]
    fn viridis_runs_from_dark_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }

    #[test]
    fn image_grid_checks_the_side() {
        let images = Array2::<f64>::zeros((2, 15));
        assert!(ImageGrid::new("x", images.view(), 4).draw().is_err());
    }

    #[test]
    fn colour_bar_ticks_keep_three_significant_digits() {
        assert_eq!(round_significant(12.0013, 3), 12.0);
        assert_eq!(round_significant(0.0051234, 3), 0.00512);
        assert_eq!(round_significant(-4003.3, 3), -4000.0);
    }

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(format_tick(0.1 + 0.2), "0.3");
        assert_eq!(format_tick(-0.0), "0");
        assert_eq!(format_tick(-2.8e-17), "0");
        assert_eq!(format_tick(20000.0), "20000");
        assert_eq!(format_tick(2.5e-5), "2.5e-5");
    }

    #[test]
    fn linspace_includes_both_ends() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!(linspace(0.0, 1.0, 0).is_empty());
    }
}
