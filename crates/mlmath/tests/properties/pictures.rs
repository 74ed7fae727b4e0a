//! Properties of pictures (see main.rs): charts of every kind, panels and
//! image grids drawn from random and bad input must return `Ok` or an
//! `Err`, never panic or hang; histogram counts, contour lines, tables,
//! number formatting and progress lines are compared with answers computed
//! here.

// `ensure!(a <= b, ..)` expands to `if !(a <= b)`: for floats that is the
// point (a NaN must fail the check), so the lint against it is off here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use mlmath::Error;
use mlmath::data::Dataset;
use mlmath::plot::{
    Chart, Graph, ImageGrid, MAX_BINS, MAX_LEVELS, Marker, Panels, contour_lines, histogram_counts,
    linspace, viridis,
};
use mlmath::progress::Progress;
use mlmath::row;
use mlmath::table::{ShowTable, Table, format_number};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

use crate::ensure;
use crate::harness::Suite;
use crate::inputs::{any_f64, any_matrix, finite_f64, matrix, vector};

pub fn all(suite: &mut Suite) {
    charts(suite);
    graphs(suite);
    images(suite);
    histograms(suite);
    contours(suite);
    tables(suite);
    progress(suite);
    readbacks(suite);
}

/// Whether arrows `edges` between `n` nodes form a graph that can be drawn:
/// every arrow between existing nodes, and no cycle (by repeatedly taking
/// away a node that no remaining arrow enters).
fn drawable(n: usize, edges: &[(usize, usize)]) -> bool {
    if edges.iter().any(|&(a, b)| a >= n || b >= n) {
        return false;
    }
    let mut left: Vec<bool> = vec![true; n];
    for _ in 0..n {
        let Some(free) =
            (0..n).find(|&v| left[v] && !edges.iter().any(|&(a, b)| b == v && left[a]))
        else {
            return false;
        };
        left[free] = false;
    }
    true
}

fn graphs(suite: &mut Suite) {
    suite.check(
        "a graph of any nodes and arrows, left to right or top down, draws or says why not",
        &[
            "Graph::new",
            "Graph::value",
            "Graph::op",
            "Graph::edge",
            "Graph::top_down",
            "Graph::columns",
            "Graph::draw",
        ],
        (
            proptest::collection::vec((any::<bool>(), ".{0,10}"), 0..16),
            proptest::collection::vec((0..18usize, 0..18usize), 0..30),
            any::<bool>(),
        ),
        |(nodes, edges, top_down)| {
            let mut g = Graph::new("a graph");
            for (is_op, label) in &nodes {
                if *is_op {
                    g.op(label)
                } else {
                    g.value(label)
                };
            }
            for &(a, b) in &edges {
                g.edge(a, b);
            }
            if top_down {
                g.top_down();
            }
            let expected = drawable(nodes.len(), &edges);
            match g.draw() {
                Ok(plot) => {
                    ensure!(
                        expected,
                        "drew a graph with a cycle or a missing node: {edges:?}"
                    );
                    let lines = plot.svg().matches("<polyline").count();
                    ensure!(
                        lines == edges.len(),
                        "{lines} lines for {} arrows",
                        edges.len()
                    );
                }
                Err(e) => ensure!(!expected, "refused a drawable graph: {e}"),
            }
            Ok(())
        },
    );
}

/// One builder call on a chart, with its arguments.
#[derive(Debug, Clone)]
enum Step {
    Points(Vec<f64>, Vec<f64>),
    Line(Vec<f64>, Vec<f64>),
    Dashed(Vec<f64>, Vec<f64>),
    Marked(Vec<f64>, Vec<f64>, usize),
    Reference(Vec<f64>, Vec<f64>),
    Sized(Vec<f64>, Vec<f64>, Vec<f64>),
    Histogram(Vec<f64>, usize),
    Bars(usize, Vec<f64>),
    Heatmap(Array2<f64>, (f64, f64), (f64, f64), bool),
    Regions(Array2<usize>, (f64, f64), (f64, f64)),
    Contours(Array2<f64>, (f64, f64), (f64, f64), Vec<f64>),
    ByClass(Array2<f64>, Vec<usize>, usize),
    Dataset(Array2<f64>, usize),
    XRange(f64, f64),
    YRange(f64, f64),
    LogX,
    LogY,
    EqualAspect,
    Size(u32, u32),
    Labels(String, String),
}

impl Step {
    /// Whether this step alone makes the chart undrawable whatever else it holds.
    fn always_fails(&self) -> bool {
        let bad_range =
            |(a, b): (f64, f64)| !(a.is_finite() && b.is_finite() && a < b && (b - a).is_finite());
        match self {
            Step::Points(x, y)
            | Step::Line(x, y)
            | Step::Dashed(x, y)
            | Step::Marked(x, y, _)
            | Step::Reference(x, y) => x.len() != y.len(),
            Step::Sized(x, y, w) => {
                x.len() != y.len()
                    || w.len() != x.len()
                    || w.iter().any(|w| !(*w >= 0.0 && w.is_finite()))
            }
            Step::XRange(a, b) | Step::YRange(a, b) => bad_range((*a, *b)),
            Step::Heatmap(v, x, y, _) => v.is_empty() || bad_range(*x) || bad_range(*y),
            Step::Regions(c, x, y) => c.is_empty() || bad_range(*x) || bad_range(*y),
            Step::Contours(v, x, y, levels) => {
                v.nrows() < 2
                    || v.ncols() < 2
                    || bad_range(*x)
                    || bad_range(*y)
                    || levels.is_empty()
                    || levels.len() > MAX_LEVELS
                    || levels.iter().any(|l| !l.is_finite())
            }
            Step::Histogram(v, bins) => {
                v.is_empty() || *bins == 0 || v.iter().any(|x| !x.is_finite())
            }
            Step::Bars(n, v) => *n != v.len() || v.iter().any(|x| !x.is_finite()),
            _ => false,
        }
    }

    fn apply(&self, chart: &Chart) -> Chart {
        const NAMES: [&str; 4] = ["a", "b<&>", "c \"quoted\"", "ünï"];
        match self {
            Step::Points(x, y) => chart.points("points", x, y),
            Step::Line(x, y) => chart.line("line", x, y),
            Step::Dashed(x, y) => chart.dashed_line("", x, y),
            Step::Marked(x, y, m) => {
                let marker = [Marker::Circle, Marker::Square, Marker::Triangle][m % 3];
                chart.marked_line("marked", x, y, marker)
            }
            Step::Reference(x, y) => chart.reference_line("reference", x, y),
            Step::Sized(x, y, w) => chart.sized_points("sized", x, y, w),
            Step::Histogram(v, bins) => chart.histogram("histogram", v, *bins),
            Step::Bars(n, v) => {
                let categories: Vec<&str> = (0..*n).map(|i| NAMES[i % 4]).collect();
                chart.bars("bars", &categories, v)
            }
            Step::Heatmap(v, x, y, false) => chart.heatmap(v, *x, *y),
            Step::Heatmap(v, x, y, true) => chart.log_heatmap(v.view(), *x, *y),
            Step::Regions(c, x, y) => chart.regions(c, *x, *y),
            Step::Contours(v, x, y, levels) => chart.contours(v, *x, *y, levels),
            Step::ByClass(x, labels, names) => {
                chart.scatter_by_class(x, &Array1::from(labels.clone()), &NAMES[..*names])
            }
            Step::Dataset(x, classes) => {
                let y = Array1::from_iter((0..x.nrows()).map(|i| i % classes));
                match Dataset::new(x, &y) {
                    Ok(data) => chart.dataset(&data),
                    Err(_) => chart.clone(),
                }
            }
            Step::XRange(a, b) => chart.x_range(*a, *b),
            Step::YRange(a, b) => chart.y_range(*a, *b),
            Step::LogX => chart.log_x(),
            Step::LogY => chart.log_y(),
            Step::EqualAspect => chart.equal_aspect(),
            Step::Size(w, h) => chart.size(*w, *h),
            Step::Labels(x, y) => chart.labels(x, y),
        }
    }
}

/// Coordinates a learner might pass: ordinary numbers, huge and tiny ones,
/// NaN and ±∞, and offsets of 10⁹.
fn coordinate() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        4 => any_f64(),
        1 => (-1.0..1.0f64).prop_map(|v| 1e9 + v),
    ]
}

fn series() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (0..12usize, 0..8u8).prop_flat_map(|(n, odd)| {
        let m = if odd == 0 { n + 1 } else { n };
        (
            proptest::collection::vec(coordinate(), n),
            proptest::collection::vec(coordinate(), m),
        )
    })
}

fn interval() -> impl Strategy<Value = (f64, f64)> + Clone {
    prop_oneof![
        3 => (-10.0..0.0f64, 0.1..10.0f64).prop_map(|(a, w)| (a, a + w)),
        1 => (any_f64(), any_f64()),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        series().prop_map(|(x, y)| Step::Points(x, y)),
        series().prop_map(|(x, y)| Step::Line(x, y)),
        series().prop_map(|(x, y)| Step::Dashed(x, y)),
        (series(), 0..3usize).prop_map(|((x, y), m)| Step::Marked(x, y, m)),
        series().prop_map(|(x, y)| Step::Reference(x, y)),
        (series(), 0..8u8).prop_flat_map(|((x, y), odd)| {
            // One weight per point, mostly; a weight too many or too few one time in eight.
            let n = if odd == 0 { x.len() + 1 } else { x.len() };
            proptest::collection::vec(prop_oneof![3 => 0.0..1e3f64, 1 => any_f64()], n)
                .prop_map(move |w| Step::Sized(x.clone(), y.clone(), w))
        }),
        (proptest::collection::vec(coordinate(), 0..20), 0..40usize)
            .prop_map(|(v, bins)| Step::Histogram(v, bins)),
        (0..6usize, proptest::collection::vec(coordinate(), 0..6))
            .prop_map(|(n, v)| Step::Bars(n, v)),
        (
            matrix(0..6, 0..6, any_f64()),
            interval(),
            interval(),
            any::<bool>()
        )
            .prop_map(|(v, x, y, log)| Step::Heatmap(v, x, y, log)),
        ((0..5usize, 0..5usize), interval(), interval()).prop_flat_map(|((r, c), x, y)| {
            proptest::collection::vec(0..20usize, r * c)
                .prop_map(move |v| Step::Regions(Array2::from_shape_vec((r, c), v).unwrap(), x, y))
        }),
        (
            matrix(0..7, 0..7, any_f64()),
            interval(),
            interval(),
            prop_oneof![
                4 => proptest::collection::vec(any_f64(), 0..5),
                1 => Just(vec![0.5; MAX_LEVELS + 1]),
            ],
        )
            .prop_map(|(v, x, y, levels)| Step::Contours(v, x, y, levels)),
        (matrix(0..8, 1..4, coordinate()), 0..5usize).prop_flat_map(|(x, names)| {
            let n = x.nrows();
            (
                Just(x),
                proptest::collection::vec(0..5usize, n),
                Just(names),
            )
                .prop_map(|(x, labels, names)| Step::ByClass(x, labels, names))
        }),
        (matrix(0..8, 1..4, coordinate()), 1..4usize).prop_map(|(x, c)| Step::Dataset(x, c)),
        (any_f64(), any_f64()).prop_map(|(a, b)| Step::XRange(a, b)),
        (any_f64(), any_f64()).prop_map(|(a, b)| Step::YRange(a, b)),
        Just(Step::LogX),
        Just(Step::LogY),
        Just(Step::EqualAspect),
        (any::<u32>(), any::<u32>()).prop_map(|(w, h)| Step::Size(w, h)),
        (".{0,12}", ".{0,12}").prop_map(|(x, y)| Step::Labels(x, y)),
    ]
}

/// A chart's steps, and the chart they build.
fn build(title: &str, steps: &[Step]) -> Chart {
    steps
        .iter()
        .fold(Chart::new(title), |chart, step| step.apply(&chart))
}

fn charts(suite: &mut Suite) {
    suite.check(
        "a chart built from any layers and settings draws or says why not, never panics",
        &[
            "Chart::new",
            "Chart::points",
            "Chart::line",
            "Chart::dashed_line",
            "Chart::marked_line",
            "Chart::reference_line",
            "Chart::sized_points",
            "Chart::histogram",
            "Chart::bars",
            "Chart::heatmap",
            "Chart::log_heatmap",
            "Chart::regions",
            "Chart::contours",
            "Chart::scatter_by_class",
            "Chart::dataset",
            "Chart::x_range",
            "Chart::y_range",
            "Chart::log_x",
            "Chart::log_y",
            "Chart::equal_aspect",
            "Chart::size",
            "Chart::labels",
            "Chart::draw",
            "Chart::svg",
            "Chart::series_names",
            "Plot::svg",
        ],
        (".{0,20}", proptest::collection::vec(step(), 0..6)),
        |(title, steps)| {
            let chart = build(&title, &steps);
            let drawn = chart.draw();
            if steps.iter().any(Step::always_fails) {
                ensure!(drawn.is_err(), "drew a chart with a bad step");
            }
            match drawn {
                Ok(plot) => {
                    let svg = plot.svg();
                    ensure!(
                        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
                        "not an SVG"
                    );
                    ensure!(
                        chart.svg().map(|s| s == svg).unwrap_or(false),
                        "svg() differs from draw()"
                    );
                }
                Err(Error::Plot(msg)) => {
                    return Err(TestCaseError::fail(format!("plotters failed: {msg}")));
                }
                Err(_) => {}
            }
            let _ = format!("{chart:?}");
            let _ = chart.series_names();
            Ok(())
        },
    );

    suite.check(
        "a chart of finite data within range always draws, with every series named in the SVG",
        &[
            "Chart::points",
            "Chart::line",
            "Chart::draw",
            "Chart::series_names",
        ],
        (
            proptest::collection::vec(
                (vector(1..20, finite_f64()), vector(1..20, finite_f64())),
                1..4,
            ),
            any::<bool>(),
            any::<bool>(),
        ),
        |(layers, log_x, log_y)| {
            let mut chart = Chart::new("finite");
            for (k, (x, y)) in layers.iter().enumerate() {
                let n = x.len().min(y.len());
                let (x, y) = (&x.as_slice().unwrap()[..n], &y.as_slice().unwrap()[..n]);
                chart = if k % 2 == 0 {
                    chart.points(&format!("series {k}"), x, y)
                } else {
                    chart.line(&format!("series {k}"), x, y)
                };
            }
            if log_x {
                chart = chart.log_x();
            }
            if log_y {
                chart = chart.log_y();
            }
            let svg = chart
                .svg()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            for k in 0..layers.len() {
                ensure!(
                    svg.contains(&format!("series {k}")),
                    "series {k} has no legend entry"
                );
            }
            ensure!(
                chart.series_names().len() == layers.len(),
                "{:?}",
                chart.series_names()
            );
            Ok(())
        },
    );

    suite.check(
        "panels draw every chart or name the one that failed",
        &["Panels::new", "Panels::panel_size", "Panels::draw"],
        (
            proptest::collection::vec(proptest::collection::vec(step(), 0..3), 0..4),
            any::<u32>(),
            any::<u32>(),
            0..60usize,
        ),
        |(charts, w, h, copies)| {
            let charts: Vec<Chart> = charts.iter().map(|steps| build("panel", steps)).collect();
            let panels = Panels::new(&charts).panel_size(w, h);
            let drawn = panels.draw();
            if charts.is_empty() {
                ensure!(matches!(drawn, Err(Error::Empty { .. })), "{drawn:?}");
            } else if charts.iter().any(|c| c.draw().is_err()) {
                ensure!(drawn.is_err(), "drew a panel that cannot be drawn alone");
            }
            let _ = format!("{panels:?}");
            // Many panels: too wide is an error, not an overflow.
            if let Some(first) = charts.first() {
                let many = vec![first.clone(); copies];
                let _ = Panels::new(&many).panel_size(w, h).draw();
            }
            Ok(())
        },
    );

    suite.check(
        "linspace has n values from finite low to high, evenly spaced, none otherwise; viridis takes any t",
        &["plot::linspace", "plot::viridis"],
        (any_f64(), any_f64(), 0..40usize, any_f64()),
        |(low, high, n, t)| {
            let c = viridis(t);
            let clamped = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
            ensure!(c == viridis(clamped), "viridis({t})");
            let values = linspace(low, high, n);
            if !(low.is_finite() && high.is_finite()) {
                // No evenly spaced values between ends that are not numbers.
                ensure!(values.is_empty(), "{values:?} from {low} to {high}");
                return Ok(());
            }
            ensure!(values.len() == n, "{} values", values.len());
            if n >= 1 {
                ensure!(
                    values[0].to_bits() == low.to_bits(),
                    "starts at {}",
                    values[0]
                );
            }
            if n >= 2 {
                ensure!(
                    values[n - 1].to_bits() == high.to_bits(),
                    "ends at {}",
                    values[n - 1]
                );
            }
            if low.is_finite() && high.is_finite() && n >= 2 {
                let size = low.abs().max(high.abs());
                for (i, v) in values.iter().enumerate() {
                    let t = i as f64 / (n - 1) as f64;
                    // Halved first: the difference of the ends may overflow.
                    let want = 2.0 * (low / 2.0 + (high / 2.0 - low / 2.0) * t);
                    ensure!(
                        v.is_finite() && (v - want).abs() <= 2e-15 * size + 1e-300,
                        "{v} vs {want}"
                    );
                }
                ensure!(
                    values
                        .windows(2)
                        .all(|w| (w[1] - w[0]) * (high - low).signum() >= 0.0),
                    "not monotone"
                );
            }
            Ok(())
        },
    );
}

fn images(suite: &mut Suite) {
    suite.check(
        "an image grid draws exactly when its images have side × side pixels",
        &[
            "ImageGrid::new",
            "ImageGrid::single",
            "ImageGrid::columns",
            "ImageGrid::captions",
            "ImageGrid::scale",
            "ImageGrid::signed",
            "ImageGrid::draw",
        ],
        (
            any_matrix(),
            prop_oneof![0..6usize, Just(usize::MAX), Just(1usize << 33)],
            any::<usize>(),
            proptest::collection::vec(".{0,6}", 0..5),
            proptest::option::of((any_f64(), any_f64())),
            any::<bool>(),
        ),
        |(images, side, columns, captions, scale, signed)| {
            let mut grid = ImageGrid::new("digits", &images, side)
                .columns(columns)
                .captions(&captions);
            if let Some((low, high)) = scale {
                grid = grid.scale(low, high);
            }
            if signed {
                grid = grid.signed();
            }
            let shape_ok = side >= 1 && side.checked_mul(side) == Some(images.ncols());
            let scale_ok = scale.is_none_or(|(a, b)| {
                a.is_finite() && b.is_finite() && a < b && (b - a).is_finite()
            });
            let drawn = grid.draw();
            let captions_ok = captions.len() == images.nrows();
            ensure!(
                drawn.is_ok() == (shape_ok && scale_ok && images.nrows() > 0 && captions_ok),
                "side {side}, {:?}, scale {scale:?}: {drawn:?}",
                images.dim()
            );
            let _ = format!("{grid:?}");
            if images.nrows() > 0 {
                let one = ImageGrid::single("one", images.row(0), side).draw();
                ensure!(one.is_ok() == shape_ok, "single: {one:?}");
            }
            Ok(())
        },
    );
}

fn histograms(suite: &mut Suite) {
    suite.check(
        "histogram counts put every value in the bin between its edges",
        &["plot::histogram_counts"],
        (
            proptest::collection::vec(prop_oneof![4 => finite_f64(), 1 => any_f64()], 0..40),
            prop_oneof![0..30usize, Just(MAX_BINS + 1)],
        ),
        |(values, bins)| {
            let got = histogram_counts(&values, bins);
            if values.is_empty() {
                ensure!(matches!(got, Err(Error::Empty { .. })), "{got:?}");
                return Ok(());
            }
            if bins == 0 || bins > MAX_BINS {
                ensure!(matches!(got, Err(Error::Parameter { .. })), "{got:?}");
                return Ok(());
            }
            if values.iter().any(|v| !v.is_finite()) {
                ensure!(matches!(got, Err(Error::NotFinite { .. })), "{got:?}");
                return Ok(());
            }
            let (edges, counts) = got.map_err(|e| TestCaseError::fail(e.to_string()))?;
            ensure!(
                edges.len() == bins + 1 && counts.len() == bins,
                "{} edges",
                edges.len()
            );
            ensure!(counts.iter().sum::<usize>() == values.len(), "values lost");
            ensure!(edges.windows(2).all(|w| w[0] <= w[1]), "edges out of order");
            let (low, high) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            if low < high {
                ensure!(edges[0] == low && edges[bins] == high, "edges {edges:?}");
            }
            // Each bin holds at least the values well inside it and at most
            // those that touch it.
            let slack = 1e-9 * (edges[bins] / 2.0 - edges[0] / 2.0);
            for k in 0..bins {
                let (a, b) = (edges[k], edges[k + 1]);
                let inside = values
                    .iter()
                    .filter(|&&v| v / 2.0 > a / 2.0 + slack && v / 2.0 < b / 2.0 - slack)
                    .count();
                let touching = values
                    .iter()
                    .filter(|&&v| v / 2.0 >= a / 2.0 - slack && v / 2.0 <= b / 2.0 + slack)
                    .count();
                ensure!(
                    inside <= counts[k] && counts[k] <= touching,
                    "bin {k}: {inside} ≤ {} ≤ {touching}",
                    counts[k]
                );
            }
            Ok(())
        },
    );
}

fn contours(suite: &mut Suite) {
    suite.check(
        "contour lines of any grid are finite points in its rectangle, or an error, never a panic",
        &["plot::contour_lines"],
        (
            matrix(0..9, 0..9, any_f64()),
            interval(),
            interval(),
            any_f64(),
        ),
        |(values, x, y, level)| {
            let got = contour_lines(&values, x, y, level);
            let good_range =
                |(a, b): (f64, f64)| a.is_finite() && b.is_finite() && a < b && (b - a).is_finite();
            let valid = values.nrows() >= 2
                && values.ncols() >= 2
                && good_range(x)
                && good_range(y)
                && level.is_finite();
            ensure!(
                got.is_ok() == valid,
                "{:?} {x:?} {y:?} {level}: {got:?}",
                values.dim()
            );
            let Ok(lines) = got else { return Ok(()) };
            let (slack_x, slack_y) = (1e-12 * (x.1 - x.0), 1e-12 * (y.1 - y.0));
            for line in &lines {
                ensure!(line.len() >= 2, "a line of one point");
                for &(px, py) in line {
                    ensure!(
                        px >= x.0 - slack_x && px <= x.1 + slack_x,
                        "x = {px} outside {x:?}"
                    );
                    ensure!(
                        py >= y.0 - slack_y && py <= y.1 + slack_y,
                        "y = {py} outside {y:?}"
                    );
                }
            }
            Ok(())
        },
    );

    suite.check(
        "the contour of a plane a·x + b·y + c is its straight level line, found wherever it crosses",
        &["plot::contour_lines", "Chart::contours"],
        (
            (2..12usize, 2..12usize),
            (-5.0..5.0f64, -5.0..5.0f64, -5.0..5.0f64),
            (-10.0..10.0f64, 0.1..10.0f64),
            (-10.0..10.0f64, 0.1..10.0f64),
            0.0..1.0f64,
        ),
        |((rows, cols), (a, b, c), (x0, wx), (y0, wy), t)| {
            let (x, y) = ((x0, x0 + wx), (y0, y0 + wy));
            let (xs, ys) = (linspace(x.0, x.1, cols), linspace(y.0, y.1, rows));
            let plane = Array2::from_shape_fn((rows, cols), |(i, j)| a * xs[j] + b * ys[i] + c);
            let (low, high) = plane
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let level = low + t * (high - low);
            let lines = contour_lines(&plane, x, y, level)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            // Linear interpolation is exact on a plane: every point is on the level line.
            let scale = a.abs() * x0.abs().max(x.1.abs()) + b.abs() * y0.abs().max(y.1.abs());
            let tolerance = 1e-12 * (1.0 + scale + c.abs());
            for line in &lines {
                for &(px, py) in line {
                    let off = a * px + b * py + c - level;
                    ensure!(off.abs() <= tolerance, "({px}, {py}) is off by {off}");
                }
            }
            // Strictly between the lowest and the highest grid value, the line is seen.
            let strictly_inside = plane.iter().all(|&v| (v - level).abs() > tolerance);
            if strictly_inside && low < level && level < high {
                ensure!(!lines.is_empty(), "no line at level {level} in [{low}, {high}]");
            }
            let chart = Chart::new("plane").contours(&plane, x, y, &[level]);
            ensure!(chart.draw().is_ok(), "the chart of the contours did not draw");
            Ok(())
        },
    );
}

/// A cell value of some type a table might get.
#[derive(Debug, Clone)]
enum Value {
    Float(f64),
    Int(i64),
    Text(String),
    Flag(bool),
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any_f64().prop_map(Value::Float),
        any::<i64>().prop_map(Value::Int),
        ".{0,8}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Flag),
    ]
}

fn cells(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| match v {
            Value::Float(x) => row![*x].remove(0),
            Value::Int(i) => row![*i].remove(0),
            Value::Text(s) => row![s].remove(0),
            Value::Flag(b) => row![*b].remove(0),
        })
        .collect()
}

fn tables(suite: &mut Suite) {
    suite.check(
        "format_number reads back as the number, to four decimals or four digits",
        &["table::format_number", "row!"],
        (any_f64(), any::<i64>(), ".{0,8}"),
        |(x, i, s)| {
            let text = format_number(x);
            ensure!(
                row![x] == vec![text.clone()],
                "row! differs from format_number"
            );
            ensure!(
                row![i, s, true] == vec![i.to_string(), s.clone(), "true".into()],
                "row! of Display values"
            );
            if !x.is_finite() {
                ensure!(text == x.to_string(), "{text}");
                return Ok(());
            }
            let back: f64 = text
                .parse()
                .map_err(|_| TestCaseError::fail(format!("{text:?} is not a number")))?;
            let scientific = text.contains('e');
            let a = x.abs();
            ensure!(
                scientific == (x != 0.0 && !(1e-4..1e15).contains(&a)),
                "{x} as {text}"
            );
            let tolerance = if scientific {
                5e-4 * a
            } else {
                5e-5 + 1e-15 * a
            };
            ensure!((back - x).abs() <= tolerance, "{x} written {text}");
            ensure!(
                !text.starts_with("-0") || text.starts_with("-0."),
                "{x} as {text}"
            );
            Ok(())
        },
    );

    suite.check(
        "a table shows every cell it holds, escaped in HTML",
        &[
            "Table::new",
            "Table::row",
            "Table::push_row",
            "Table::caption",
            "Table::len",
            "Table::is_empty",
            "Table::cell",
            "Table::to_html",
            "Table::fmt",
        ],
        (
            proptest::collection::vec(".{0,6}", 0..5),
            proptest::collection::vec(proptest::collection::vec(value(), 0..7), 0..8),
            proptest::option::of(".{0,10}"),
        ),
        |(header, rows, caption)| {
            let mut table = Table::new(header.clone());
            if let Some(c) = &caption {
                table = table.caption(c);
            }
            for (k, values) in rows.iter().enumerate() {
                if k % 2 == 0 {
                    table.push_row(cells(values));
                } else {
                    table = table.row(cells(values));
                }
            }
            ensure!(
                table.len() == rows.len() && table.is_empty() == rows.is_empty(),
                "length"
            );
            let text = table.to_string();
            let html = table.to_html();
            for (r, values) in rows.iter().enumerate() {
                for (c, cell) in cells(values).iter().enumerate() {
                    ensure!(table.cell(r, c) == Some(cell.as_str()), "cell ({r}, {c})");
                    let escaped = cell
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                        .replace('"', "&quot;");
                    ensure!(html.contains(&escaped), "{cell:?} missing from the HTML");
                    ensure!(text.contains(cell.trim()), "{cell:?} missing from the text");
                }
            }
            ensure!(
                table.cell(rows.len(), 0).is_none(),
                "a cell past the last row"
            );
            Ok(())
        },
    );

    suite.check(
        "an array shown as a table keeps its head and tail rows and counts the rest",
        &[
            "ShowTable::table",
            "table::ShowTable for Array2",
            "table::ShowTable for Array1",
        ],
        (matrix(0..40, 0..30, any_f64()), vector(0..40, any_f64())),
        |(x, v)| {
            let t = x.table();
            let (n, d) = x.dim();
            let shown = if n <= 15 { n } else { 15 };
            ensure!(t.len() == shown, "{} rows shown of {n}", t.len());
            let rows: Vec<usize> = if n <= 15 {
                (0..n).collect()
            } else {
                (0..10).chain(n - 5..n).collect()
            };
            for (r, &i) in rows.iter().enumerate() {
                for j in 0..d.min(12) {
                    ensure!(
                        t.cell(r, j) == Some(format_number(x[(i, j)]).as_str()),
                        "({i}, {j})"
                    );
                }
                ensure!(t.cell(r, d.min(12)).is_none(), "a column past 12");
            }
            if n > 15 {
                ensure!(
                    t.to_string().contains(&format!("… {} more rows …", n - 15)),
                    "hidden rows"
                );
            }
            let t = v.table();
            ensure!(t.len() == v.len().min(15), "vector rows");
            if let Some(first) = v.first() {
                ensure!(
                    t.cell(0, 1) == Some(format_number(*first).as_str()),
                    "first value"
                );
            }
            let _ = t.to_html();
            Ok(())
        },
    );
}

fn progress(suite: &mut Suite) {
    suite.check(
        "a progress line comes every `every` steps and at the last, its bar filled in proportion",
        &[
            "Progress::new",
            "Progress::every",
            "Progress::line",
            "Progress::step",
        ],
        (
            prop_oneof![0..200usize, Just(usize::MAX)],
            proptest::option::of(prop_oneof![0..50usize, Just(usize::MAX)]),
            prop_oneof![0..250usize, Just(usize::MAX)],
            proptest::collection::vec(any_f64(), 0..3),
        ),
        |(total, every, i, values)| {
            let mut p = Progress::new("epoch", total);
            let step = match every {
                Some(e) => {
                    p = p.every(e);
                    e.max(1)
                }
                None => total.div_ceil(10).max(1),
            };
            let names = ["loss", "accuracy", "γ"];
            let metrics: Vec<(&str, f64)> =
                names.iter().copied().zip(values.iter().copied()).collect();
            let line = p.line(i, &metrics);
            let due = i % step == 0 || i == total;
            ensure!(
                line.is_some() == due,
                "step {i} of {total} every {step}: {line:?}"
            );
            if let Some(line) = line {
                let bar: String = line
                    .chars()
                    .skip_while(|&c| c != '[')
                    .skip(1)
                    .take(10)
                    .collect();
                let filled = if total == 0 {
                    10
                } else {
                    (i.min(total) as u128 * 10 / total as u128) as usize
                };
                ensure!(
                    bar == "#".repeat(filled) + &"-".repeat(10 - filled),
                    "{line}"
                );
                for (name, _) in &metrics {
                    ensure!(line.contains(name), "{name} missing: {line}");
                }
            } else {
                p.step(i, &metrics); // not due: prints nothing
            }
            Ok(())
        },
    );
}

/// Properties of reading a chart's data back and of the checks that turn
/// mismatched inputs into errors: captions, region classes, table rows.
fn readbacks(suite: &mut Suite) {
    suite.check(
        "series_points gives back the first series of each name, bit for bit",
        &["Chart::series_points"],
        proptest::collection::vec(series(), 0..7),
        |layers| {
            let mut chart = Chart::new("read back");
            for (k, (x, y)) in layers.iter().enumerate() {
                let name = format!("s{}", k % 3);
                chart = match k % 3 {
                    0 => chart.points(&name, x, y),
                    1 => chart.line(&name, x, y),
                    _ => chart.dashed_line(&name, x, y),
                };
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            for k in 0..3 {
                let name = format!("s{k}");
                // Series of unequal lengths are refused, so never added.
                let first = layers
                    .iter()
                    .skip(k)
                    .step_by(3)
                    .find(|(x, y)| x.len() == y.len());
                match (first, chart.series_points(&name)) {
                    (None, got) => ensure!(got.is_none(), "{name}: {got:?}"),
                    (Some((x, y)), Some((gx, gy))) => ensure!(
                        bits(x) == bits(&gx) && bits(y) == bits(&gy),
                        "{name}: {gx:?}, {gy:?}"
                    ),
                    (Some(_), None) => {
                        return Err(TestCaseError::fail(format!("{name} went missing")));
                    }
                }
            }
            ensure!(
                chart.series_points("absent").is_none(),
                "a series never added"
            );
            Ok(())
        },
    );

    suite.check(
        "an image grid draws its captions only with one per image",
        &["ImageGrid::captions", "ImageGrid::draw"],
        (1..6usize, 1..4usize, proptest::option::of(0..8usize)),
        |(n, side, captions)| {
            let images = Array2::from_shape_fn((n, side * side), |(i, p)| (i + p) as f64);
            let mut grid = ImageGrid::new("captioned", &images, side);
            if let Some(count) = captions {
                let labels: Vec<usize> = (0..count).collect();
                grid = grid.captions(&labels);
            }
            let drawn = grid.draw();
            match captions {
                Some(count) if count != n => ensure!(
                    matches!(&drawn, Err(Error::Shape { what, .. }) if what.contains("captions")),
                    "{count} captions for {n} images: {drawn:?}"
                ),
                _ => ensure!(
                    drawn.is_ok(),
                    "{captions:?} captions for {n} images: {drawn:?}"
                ),
            }
            Ok(())
        },
    );

    suite.check(
        "regions draw only classes that have a colour of their own",
        &["Chart::regions", "plot::PALETTE"],
        (1..5usize, 1..5usize).prop_flat_map(|(r, c)| {
            proptest::collection::vec(prop_oneof![8 => 0..10usize, 1 => 10..usize::MAX], r * c)
                .prop_map(move |v| Array2::from_shape_vec((r, c), v).unwrap())
        }),
        |classes| {
            let drawn = Chart::new("r")
                .regions(&classes, (0.0, 1.0), (0.0, 1.0))
                .draw();
            let first_bad = classes
                .indexed_iter()
                .find(|(_, c)| **c >= mlmath::plot::PALETTE.len());
            match first_bad {
                None => ensure!(drawn.is_ok(), "{drawn:?}"),
                Some(((i, j), c)) => {
                    let message = drawn.err().map(|e| e.to_string()).unwrap_or_default();
                    ensure!(
                        message.contains(&format!("row {i}, column {j}"))
                            && message.contains(&format!("got {c}")),
                        "class {c} at ({i}, {j}): {message:?}"
                    );
                }
            }
            Ok(())
        },
    );

    suite.check(
        "a table checks that every row has one cell per column, and names the first that has not",
        &["Table::check", "Table::row", "Table::push_row"],
        (
            0..5usize,
            proptest::collection::vec(0..6usize, 0..8),
            any::<bool>(),
        ),
        |(columns, lengths, in_place)| {
            let header: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
            let mut table = Table::new(header);
            for &length in &lengths {
                let cells: Vec<String> = (0..length).map(|c| c.to_string()).collect();
                if in_place {
                    table.push_row(cells);
                } else {
                    table = table.row(cells);
                }
            }
            let first_bad = lengths.iter().position(|&l| l != columns);
            match (first_bad, table.check()) {
                (None, Ok(())) => {}
                (Some(k), Err(e)) => ensure!(
                    e.to_string().starts_with(&format!("row {k} of the table")),
                    "row {k}: {e}"
                ),
                (bad, got) => {
                    return Err(TestCaseError::fail(format!(
                        "bad row {bad:?}, check {got:?}"
                    )));
                }
            }
            ensure!(table.len() == lengths.len(), "every row is kept");
            Ok(())
        },
    );
}
