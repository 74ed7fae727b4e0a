//! Every picture, readable by every reader: a title and a description in
//! words for a screen reader, and a background of its own.
//!
//! A picture's SVG starts with its `<title>` (the chart's title) and its
//! `<desc>`, a description written from what is drawn: the kind of chart,
//! its axes and their ranges, each series with its colour, marker and
//! number of points; an image grid's size and captions; a graph's boxes and
//! arrows. The root `<svg>` has `role="img"` and `aria-labelledby` naming
//! both, which is how a screen reader finds them (W3C, *SVG Accessibility
//! API Mappings*, and WAI-ARIA's `img` role). A notebook that wants to say
//! more than a list of what is drawn gives its own words with `describe`.
//!
//! Then comes an opaque white rectangle over the whole picture, so that its
//! black text and axes stay readable on JupyterLab's dark theme, which
//! would otherwise show through.
//!
//! The ids are made from the picture itself (a hash of its SVG, title and
//! description): the same picture gets the same ids in every run, and two
//! different pictures on one page get different ones.

use super::{
    Chart, ImageGrid, Layer, Panels, Plot, colour::colour_name, format_tick, round_significant,
    value_range,
};
use crate::error::Result;

impl Plot {
    /// The plot of `svg` (as plotters writes it: the root `<svg …>` tag
    /// first), with its title, its description and a white background
    /// put in as the first children of the root.
    pub(super) fn accessible(svg: String, title: &str, description: String) -> Plot {
        let title = if title.trim().is_empty() {
            "an untitled picture"
        } else {
            title
        };
        let id = format!("plot-{:016x}", fnv1a(&[&svg, title, &description]));
        let end = match svg.strip_prefix("<svg").and_then(|_| svg.find('>')) {
            Some(end) => end,
            None => unreachable!("plotters writes the root <svg> tag first"),
        };
        let mut text = String::with_capacity(svg.len() + description.len() + 400);
        text.push_str(&svg[..end]);
        text.push_str(&format!(
            " role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n\
             <title id=\"{id}-title\">{}</title>\n\
             <desc id=\"{id}-desc\">{}</desc>\n\
             <rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#FFFFFF\" \
             stroke=\"none\"/>",
            escape(title),
            escape(&description)
        ));
        text.push_str(&svg[end + 1..]);
        Plot {
            svg: text,
            description,
        }
    }
}

/// The 64-bit FNV-1a hash of the strings, each followed by a zero byte
/// (Fowler, Noll and Vo): a fixed function, so ids repeat from run to run.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Text made safe to put between XML tags or in an attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number as a reader hears it: three significant digits.
pub(super) fn number(v: f64) -> String {
    format_tick(round_significant(v, 3), true)
}

/// `n` followed by the noun, in the plural unless `n` is 1.
pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The items joined with commas, the first `most` of them and how many
/// more there are.
pub(super) fn listed(items: &[String], most: usize) -> String {
    listed_with(items, most, ", ")
}

/// The first `most` items joined with `separator`, and how many more there are.
fn listed_with(items: &[String], most: usize, separator: &str) -> String {
    let mut text = items[..items.len().min(most)].join(separator);
    if items.len() > most {
        text.push_str(&format!("{separator}and {} more", items.len() - most));
    }
    text
}

/// The name of a marker, as a reader hears it.
fn marker_name(marker: super::Marker) -> &'static str {
    match marker {
        super::Marker::Circle => "circles",
        super::Marker::Square => "squares",
        super::Marker::Triangle => "triangles",
        super::Marker::Diamond => "diamonds",
        super::Marker::TriangleDown => "downward triangles",
    }
}

impl Chart {
    /// The chart's description: the one given with
    /// [`describe`](Chart::describe), or one written from its layers and
    /// axes. An error only when the chart cannot be drawn.
    pub(super) fn description(&self) -> Result<String> {
        if let Some(text) = &self.description {
            return Ok(text.clone());
        }
        let frame = self.frame()?;
        let mut kinds: Vec<String> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        let mut series: Vec<String> = Vec::new();
        let (mut lines, mut scatters, mut bars) = (0, 0, 0);
        for layer in &self.layers {
            match layer {
                Layer::Points {
                    label,
                    xy,
                    color,
                    radii,
                    shape,
                } => {
                    scatters += 1;
                    let sized = radii.windows(2).any(|r| r[0] != r[1]);
                    series.push(format!(
                        "{}{} {} {}{}",
                        named(label),
                        xy.len(),
                        colour_name(*color),
                        if xy.len() == 1 {
                            marker_name(*shape).trim_end_matches('s')
                        } else {
                            marker_name(*shape)
                        },
                        if sized {
                            ", their areas showing weights"
                        } else {
                            ""
                        },
                    ));
                }
                Layer::Line {
                    label,
                    xy,
                    color,
                    dashed,
                    marker,
                    cycle,
                } => {
                    lines += 1;
                    let style = if *dashed { "dashed" } else { "solid" };
                    let marks = match self.line_marker(*marker, *cycle) {
                        Some((m, true)) => format!(", {} at every point", marker_name(m)),
                        Some((m, false)) => format!(", marked with {}", marker_name(m)),
                        None => String::new(),
                    };
                    series.push(format!(
                        "{}a {style} {} line through {}{marks}",
                        named(label),
                        colour_name(*color),
                        count(xy.len(), "point", "points"),
                    ));
                }
                Layer::Bars {
                    label,
                    bars: items,
                    color,
                } => {
                    bars += 1;
                    let heights: Vec<f64> = items.iter().map(|b| b.2).collect();
                    let text = match &self.categories {
                        Some(names) if names.len() == items.len() => {
                            let each: Vec<String> = names
                                .iter()
                                .zip(&heights)
                                .map(|(n, h)| format!("{n} {}", number(*h)))
                                .collect();
                            format!(": {}", listed(&each, 20))
                        }
                        _ => {
                            let (low, high) = (items[0].0, items[items.len() - 1].1);
                            let top = heights.iter().copied().fold(0.0, f64::max);
                            format!(
                                " from x = {} to {}, the highest {}",
                                number(low),
                                number(high),
                                number(top)
                            )
                        }
                    };
                    let what = match &self.categories {
                        Some(_) => "",
                        None => "a histogram of ",
                    };
                    series.push(format!(
                        "{}{what}{} {} {}{text}",
                        named(label),
                        items.len(),
                        colour_name(*color),
                        if items.len() == 1 { "bar" } else { "bars" },
                    ));
                }
                Layer::Heatmap { values, log, .. } => {
                    kinds.push("a heatmap".into());
                    let (low, high) = value_range(values, *log);
                    let missing = values.iter().flatten().filter(|v| !v.is_finite()).count();
                    parts.push(format!(
                        "A heatmap of {} × {} cells shows values from {} to {}{}, in the \
                         viridis colours from dark purple (low) through green to yellow \
                         (high), with a colour bar{}.",
                        values.len(),
                        values[0].len(),
                        number(low),
                        number(high),
                        if *log { " on a log scale" } else { "" },
                        if missing > 0 {
                            format!(
                                "; {} magenta",
                                count(missing, "missing cell is", "missing cells are")
                            )
                        } else {
                            String::new()
                        }
                    ));
                }
                Layer::Regions { classes, .. } => {
                    kinds.push("decision regions".into());
                    let mut present: Vec<usize> = classes.iter().flatten().copied().collect();
                    present.sort_unstable();
                    present.dedup();
                    let shades: Vec<String> = present
                        .iter()
                        .map(|&c| format!("class {c} light {}", colour_name(super::style_of(c).0)))
                        .collect();
                    parts.push(format!(
                        "Decision regions on a grid of {} × {} cells are shaded by class: {}.",
                        classes.len(),
                        classes[0].len(),
                        listed(&shades, 10)
                    ));
                }
                Layer::Contours { lines: levels, .. } => {
                    kinds.push("contour lines".into());
                    let each: Vec<String> = levels.iter().map(|(l, _)| number(*l)).collect();
                    parts.push(format!(
                        "Grey contour lines, each labelled with its level, are drawn at {}.",
                        listed(&each, 20)
                    ));
                }
            }
        }
        for (n, one, many) in [
            (lines, "a line", "lines"),
            (scatters, "a set of points", "sets of points"),
            match self.categories {
                Some(_) => (bars, "a set of bars", "sets of bars"),
                None => (bars, "a histogram", "histograms"),
            },
        ] {
            match n {
                0 => {}
                1 => kinds.push(one.into()),
                _ => kinds.push(format!("{n} {many}")),
            }
        }
        let kind = match kinds.len() {
            0 => "An empty chart".to_string(),
            1 => format!("A chart of {}", kinds[0]),
            _ => format!(
                "A chart of {} and {}",
                kinds[..kinds.len() - 1].join(", "),
                kinds[kinds.len() - 1]
            ),
        };
        let axis = |name: &str, label: &str, scale: super::Scale| {
            format!(
                "the {name} axis{} runs from {} to {}{}",
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" \"{label}\"")
                },
                number(scale.low),
                number(scale.high),
                if scale.log { " on a log scale" } else { "" }
            )
        };
        let x_axis = match &self.categories {
            Some(names) if !frame.x.log => format!(
                "the x axis{} names {}",
                if self.x_label.is_empty() {
                    String::new()
                } else {
                    format!(" \"{}\"", self.x_label)
                },
                count(names.len(), "category", "categories")
            ),
            _ => axis("x", &self.x_label, frame.x),
        };
        let mut text = format!("{kind}: {x_axis}; {}.", axis("y", &self.y_label, frame.y));
        if !series.is_empty() {
            text.push_str(&format!(" Series: {}.", listed_with(&series, 24, "; ")));
        }
        for part in parts {
            text.push(' ');
            text.push_str(&part);
        }
        Ok(text)
    }
}

/// A series' name in quotes, then a comma; nothing for a series without one.
fn named(label: &str) -> String {
    if label.is_empty() {
        String::new()
    } else {
        format!("\"{label}\", ")
    }
}

impl ImageGrid {
    /// The grid's description: the one given with
    /// [`describe`](ImageGrid::describe), or its size, scale and captions.
    pub(super) fn description(&self, columns: usize) -> String {
        if let Some(text) = &self.description {
            return text.clone();
        }
        let n = self.images.len();
        let rows = n.div_ceil(columns.max(1));
        let scale = if self.signed {
            "values around zero in colour: negative blue, zero white, positive vermillion"
                .to_string()
        } else {
            match self.scale {
                Some((low, high)) => format!(
                    "in grey on one scale, {} white and {} black",
                    number(low),
                    number(high)
                ),
                None => "in grey, each image from white (its lowest value) to black (its \
                         highest)"
                    .to_string(),
            }
        };
        let mut text = format!(
            "A grid of {} of {} × {} pixels, in {} of {}, {scale}.",
            count(n, "image", "images"),
            self.side,
            self.side,
            count(rows, "row", "rows"),
            columns
        );
        if let Some(captions) = &self.captions {
            let quoted: Vec<String> = captions.iter().map(|c| format!("\"{c}\"")).collect();
            text.push_str(&format!(" Captions, in order: {}.", listed(&quoted, 40)));
        }
        let missing = self
            .images
            .iter()
            .flatten()
            .filter(|v| !v.is_finite())
            .count();
        if missing > 0 {
            text.push_str(&format!(
                " {} magenta.",
                count(missing, "missing pixel is", "missing pixels are")
            ));
        }
        text
    }
}

impl Panels {
    /// The panels' description: the one given with
    /// [`describe`](Panels::describe), or each chart's title and description.
    pub(super) fn description(&self) -> Result<String> {
        if let Some(text) = &self.description {
            return Ok(text.clone());
        }
        let mut text = format!(
            "{} side by side.",
            count(self.charts.len(), "chart", "charts")
        );
        for (k, chart) in self.charts.iter().enumerate() {
            text.push_str(&format!(
                " Panel {}, \"{}\": {}",
                k + 1,
                chart.title,
                chart.description()?
            ));
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        Chart, Graph, ImageGrid, MARKERS, Marker, PALETTE, Panels, linspace, style_of,
    };
    use super::{count, escape, fnv1a, listed, listed_with, number};
    use ndarray::{Array2, array};

    /// The value of attribute `name` in the tag `tag`, if it has one.
    fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(&tag[at..at + tag[at..].find('"')?])
    }

    /// The text between `open` (a tag that starts `rest`) and its closing tag.
    fn element<'a>(rest: &'a str, tag: &str) -> (&'a str, &'a str, &'a str) {
        assert!(
            rest.starts_with(&format!("<{tag} ")),
            "<{tag}> next: {rest:.200}"
        );
        let open_end = rest.find('>').unwrap();
        let close = format!("</{tag}>");
        let end = rest.find(&close).unwrap_or_else(|| panic!("no {close}"));
        (
            &rest[..open_end],
            &rest[open_end + 1..end],
            rest[end + close.len()..].trim_start(),
        )
    }

    /// WCAG 2's contrast ratio of a colour `#RRGGBB` against white.
    fn contrast_with_white(hex: &str) -> f64 {
        let channel = |k: usize| {
            let c = f64::from(u8::from_str_radix(&hex[1 + 2 * k..3 + 2 * k], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
        1.05 / (l + 0.05)
    }

    /// Checks that `svg` is a picture every reader can read, and returns
    /// its title and description: `role="img"` and `aria-labelledby` naming
    /// the ids of a `<title>` and a non-empty `<desc>`, its first two
    /// children; then an opaque white rectangle over the whole picture; ids
    /// used once; no colour left to the page (`currentColor`); text dark
    /// enough to read on the white (contrast at least 4.5 : 1).
    fn check_readable(name: &str, svg: &str) -> (String, String) {
        assert!(svg.starts_with("<svg "), "{name}: {svg:.100}");
        let root = &svg[..svg.find('>').unwrap()];
        assert_eq!(attribute(root, "role"), Some("img"), "{name}");
        let labelled: Vec<&str> = attribute(root, "aria-labelledby")
            .unwrap_or_else(|| panic!("{name}: no aria-labelledby"))
            .split(' ')
            .collect();
        assert_eq!(labelled.len(), 2, "{name}: {labelled:?}");
        let rest = svg[root.len() + 1..].trim_start();
        let (open, title, rest) = element(rest, "title");
        assert_eq!(attribute(open, "id"), Some(labelled[0]), "{name}");
        assert!(!title.trim().is_empty(), "{name}: an empty title");
        let (open, desc, rest) = element(rest, "desc");
        assert_eq!(attribute(open, "id"), Some(labelled[1]), "{name}");
        assert!(desc.trim().len() > 20, "{name}: desc {desc:?}");
        // The background: the next element, from the top left corner over
        // the whole picture, white and opaque.
        assert!(rest.starts_with("<rect "), "{name}: {rest:.100}");
        let rect = &rest[..rest.find('>').unwrap()];
        let (w, h) = (
            attribute(root, "width").unwrap(),
            attribute(root, "height").unwrap(),
        );
        for (key, whole) in [("x", "0"), ("y", "0"), ("width", w), ("height", h)] {
            let value = attribute(rect, key).unwrap_or("0");
            assert!(value == whole || value == "100%", "{name}: {key}={value}");
        }
        assert_eq!(attribute(rect, "fill"), Some("#FFFFFF"), "{name}");
        assert!(
            attribute(rect, "opacity").is_none_or(|o| o == "1"),
            "{name}"
        );
        assert!(!svg.contains("currentColor"), "{name}");
        let ids: Vec<&str> = svg
            .split(" id=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{name}: {ids:?}");
        for text in svg.split("<text ").skip(1) {
            let tag = &text[..text.find('>').unwrap()];
            let fill =
                attribute(tag, "fill").unwrap_or_else(|| panic!("{name}: text without fill"));
            assert!(contrast_with_white(fill) >= 4.5, "{name}: text in {fill}");
            assert!(attribute(tag, "opacity").is_none_or(|o| o == "1"), "{name}");
        }
        (title.to_string(), desc.to_string())
    }

    /// A picture of every kind the module draws, by the entry point that draws it.
    fn every_picture() -> Vec<(&'static str, String)> {
        let xs = linspace(0.0, 1.0, 30);
        let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
        let grid = Array2::from_shape_fn((8, 8), |(i, j)| (i * j) as f64 + 1.0);
        let classes = Array2::from_shape_fn((8, 8), |(i, j)| (i + j) % 3);
        let iris =
            crate::data::Dataset::new(&array![[0.0, 1.0], [1.0, 0.0]], &array![0, 1]).unwrap();
        let chart = |c: Chart| c.svg().unwrap();
        let images = Array2::from_shape_fn((3, 16), |(k, p)| (k * p) as f64 - 10.0);
        let mut graph = Graph::new("y = a + b");
        let (a, b, plus, y) = (
            graph.value("a"),
            graph.value("b"),
            graph.op("+"),
            graph.value("y"),
        );
        graph.edge(a, plus).edge(b, plus).edge(plus, y);
        let mut down = graph.clone();
        down.top_down();
        vec![
            (
                "Chart::points",
                chart(Chart::new("p").points("p", &xs, &ys)),
            ),
            (
                "Chart::sized_points",
                chart(Chart::new("s").sized_points("s", &xs, &ys, &xs)),
            ),
            (
                "Chart::scatter_by_class",
                chart(Chart::new("c").scatter_by_class(
                    &array![[0.0, 1.0], [1.0, 0.0]],
                    &array![0, 1],
                    &["a", "b"],
                )),
            ),
            ("Chart::dataset", chart(Chart::new("d").dataset(&iris))),
            ("Chart::line", chart(Chart::new("l").line("l", &xs, &ys))),
            (
                "Chart::dashed_line",
                chart(Chart::new("d").dashed_line("d", &xs, &ys)),
            ),
            (
                "Chart::marked_line",
                chart(Chart::new("m").marked_line("m", &xs, &ys, Marker::Square)),
            ),
            (
                "Chart::reference_line",
                chart(Chart::new("r").reference_line("r", &xs, &ys)),
            ),
            (
                "Chart::histogram",
                chart(Chart::new("h").histogram("h", &ys, 5)),
            ),
            (
                "Chart::bars",
                chart(Chart::new("b").bars("b", &["x", "y"], &[1.0, 2.0])),
            ),
            (
                "Chart::heatmap",
                chart(Chart::new("h").heatmap(&grid, (0.0, 1.0), (0.0, 1.0))),
            ),
            (
                "Chart::log_heatmap",
                chart(Chart::new("g").log_heatmap(&grid, (0.0, 1.0), (0.0, 1.0))),
            ),
            (
                "Chart::regions",
                chart(Chart::new("r").regions(&classes, (0.0, 1.0), (0.0, 1.0))),
            ),
            (
                "Chart::contours",
                chart(Chart::new("c").contours(&grid, (0.0, 1.0), (0.0, 1.0), &[5.0])),
            ),
            ("Chart with no layers", chart(Chart::new(""))),
            (
                "Panels::draw",
                Panels::new(&[Chart::new("a"), Chart::new("b")])
                    .draw()
                    .unwrap()
                    .svg()
                    .into(),
            ),
            (
                "ImageGrid::new",
                ImageGrid::new("i", &images, 4).draw().unwrap().svg().into(),
            ),
            (
                "ImageGrid::single",
                ImageGrid::single("one", images.row(0), 4)
                    .draw()
                    .unwrap()
                    .svg()
                    .into(),
            ),
            (
                "ImageGrid::signed",
                ImageGrid::new("w", &images, 4)
                    .signed()
                    .captions(&["a", "b", "c"])
                    .draw()
                    .unwrap()
                    .svg()
                    .into(),
            ),
            (
                "ImageGrid::scale",
                ImageGrid::new("s", &images, 4)
                    .scale(-10.0, 30.0)
                    .draw()
                    .unwrap()
                    .svg()
                    .into(),
            ),
            ("Graph::draw", graph.draw().unwrap().svg().into()),
            ("Graph::top_down", down.draw().unwrap().svg().into()),
            (
                "course::course_map",
                crate::course::course_map().draw().unwrap().svg().into(),
            ),
        ]
    }

    #[test]
    fn every_picture_is_titled_described_and_on_its_own_background() {
        for (name, svg) in every_picture() {
            check_readable(name, &svg);
        }
        // The check can fail: plotters' own SVG has none of this.
        let mut bare = String::new();
        {
            use plotters::prelude::*;
            let root = SVGBackend::with_string(&mut bare, (100, 100)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            root.present().unwrap();
        }
        let failed = std::panic::catch_unwind(|| check_readable("bare", &bare));
        assert!(failed.is_err());
    }

    #[test]
    fn the_description_says_what_is_drawn() {
        let xs = linspace(1.0, 100.0, 40);
        let ys: Vec<f64> = xs.iter().map(|x| 1.0 / x).collect();
        let chart = Chart::new("a law & its fit")
            .labels("n", "error")
            .x_range(1.0, 100.0)
            .y_range(0.01, 1.0)
            .log_x()
            .log_y()
            .line("measured", &xs, &ys)
            .dashed_line("1/n", &xs[..2], &ys[..2]);
        let svg = chart.svg().unwrap();
        let (title, desc) = check_readable("law", &svg);
        assert_eq!(title, "a law &amp; its fit");
        for part in [
            "A chart of 2 lines",
            "the x axis &quot;n&quot; runs from 1 to 100 on a log scale",
            "the y axis &quot;error&quot; runs from 0.01 to 1 on a log scale",
            "&quot;measured&quot;, a solid blue line through 40 points, marked with circles",
            "&quot;1/n&quot;, a dashed orange line through 2 points, marked with squares",
        ] {
            assert!(desc.contains(part), "{part:?} in {desc:?}");
        }
        let grid = ImageGrid::new("digits", &Array2::<f64>::zeros((12, 25)), 5)
            .columns(5)
            .captions(&(0..12).collect::<Vec<_>>())
            .draw()
            .unwrap();
        assert!(
            grid.description().starts_with(
                "A grid of 12 images of 5 × 5 pixels, in 3 rows of 5, in grey, each image"
            ),
            "{}",
            grid.description()
        );
        assert!(
            grid.description()
                .contains("Captions, in order: \"0\", \"1\"")
        );
        let histogram = Chart::new("h").histogram("draws", &[1.0, 2.0, 2.5, 3.0], 2);
        let text = histogram.draw().unwrap().description().to_string();
        assert!(text.starts_with("A chart of a histogram"), "{text}");
        assert!(
            text.contains("\"draws\", a histogram of 2 blue bars from x = 1 to 3, the highest 3"),
            "{text}"
        );
        let bars = Chart::new("b").bars("birds", &["Adelie", "Gentoo"], &[152.0, 124.0]);
        let text = bars.draw().unwrap().description().to_string();
        assert!(text.starts_with("A chart of a set of bars"), "{text}");
        assert!(
            text.contains("\"birds\", 2 blue bars: Adelie 152, Gentoo 124"),
            "{text}"
        );
        let regions = Chart::new("r")
            .regions(&array![[0, 2], [2, 0]], (0.0, 1.0), (0.0, 1.0))
            .draw()
            .unwrap();
        assert!(
            regions
                .description()
                .contains("shaded by class: class 0 light blue, class 2 light bluish green"),
            "{}",
            regions.description()
        );
    }

    #[test]
    fn a_description_of_ones_own_replaces_the_written_one() {
        let told = "The error falls as 1/n.";
        let chart = Chart::new("c").line("l", &[0.0, 1.0], &[1.0, 0.0]);
        let mut graph = Graph::new("g");
        graph.value("x");
        let pictures = [
            chart.describe(told).svg().unwrap(),
            Panels::new(std::slice::from_ref(&chart))
                .describe(told)
                .draw()
                .unwrap()
                .svg()
                .into(),
            ImageGrid::new("i", &Array2::<f64>::zeros((1, 4)), 2)
                .describe(told)
                .draw()
                .unwrap()
                .svg()
                .into(),
            graph.describe(told).draw().unwrap().svg().into(),
        ];
        for svg in &pictures {
            assert_eq!(check_readable("described", svg).1, told);
        }
        // The chart it came from keeps its written description.
        assert!(
            chart
                .draw()
                .unwrap()
                .description()
                .starts_with("A chart of a line")
        );
    }

    #[test]
    fn ids_are_the_same_for_the_same_picture_and_differ_between_pictures() {
        let id = |svg: &str| attribute(svg, "aria-labelledby").unwrap().to_string();
        let chart = Chart::new("c").line("l", &[0.0, 1.0], &[1.0, 0.0]);
        let again = Chart::new("c").line("l", &[0.0, 1.0], &[1.0, 0.0]);
        assert_eq!(chart.svg().unwrap(), again.svg().unwrap());
        let other = chart.line("m", &[0.0, 1.0], &[0.0, 1.0]);
        assert_ne!(id(&chart.svg().unwrap()), id(&other.svg().unwrap()));
        let renamed = chart.describe("another description");
        assert_ne!(id(&chart.svg().unwrap()), id(&renamed.svg().unwrap()));
    }

    #[test]
    fn series_differ_in_shape_as_well_as_colour() {
        // The first 40 series have 40 different pairs of colour and marker.
        let mut pairs: Vec<String> = (0..40)
            .map(|k| {
                let (c, m) = style_of(k);
                format!("{c:?} {m:?}")
            })
            .collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), 40);
        assert_eq!(style_of(0), (PALETTE[0], MARKERS[0]));
        // One line has no markers; two lines of 100 points show 12 each,
        // hollow (closed polylines: a circle of 17 points, a square of 5),
        // and one in the legend.
        let xs = linspace(0.0, 1.0, 100);
        let outlines = |c: &Chart, corners: usize| {
            let svg = c.svg().unwrap();
            svg.split("<polyline")
                .skip(1)
                .filter(|p| {
                    let points: Vec<&str> =
                        attribute(p, "points").unwrap().split_whitespace().collect();
                    points.len() == corners && points.first() == points.last()
                })
                .count()
        };
        let one = Chart::new("one").line("a", &xs, &xs);
        let two = one.line("b", &xs, &xs);
        assert_eq!((outlines(&one, 17), outlines(&one, 5)), (0, 0));
        assert_eq!((outlines(&two, 17), outlines(&two, 5)), (13, 13));
        // A line of 20 points shows its marker at each of them.
        let short = two.line("c", &xs[..20], &xs[..20]);
        assert_eq!(outlines(&short, 4), 21, "triangles");
        // Points of a second class are filled squares (polygons), not circles.
        let scatter = Chart::new("s").scatter_by_class(
            &array![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]],
            &array![0, 1, 1],
            &["a", "b"],
        );
        let svg = scatter.svg().unwrap();
        assert_eq!(
            svg.matches("<polygon").count(),
            2 + 1,
            "two points and a legend mark"
        );
    }

    #[test]
    fn text_is_escaped_and_ids_hash_every_byte() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
        // FNV-1a, byte by byte, gives the published hash of "a",
        // 0xaf63dc4c8601ec8c (Fowler, Noll and Vo); the ids hash each part
        // followed by a zero byte, so that ("ab", "c") and ("a", "bc") differ.
        let by_hand = |bytes: &[u8]| {
            bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        };
        assert_eq!(by_hand(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(&["a", "bc"]), by_hand(b"a\0bc\0"));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }

    #[test]
    fn lists_are_cut_with_a_count_of_the_rest() {
        let items: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        assert_eq!(listed(&items, 3), "0, 1, 2, and 2 more");
        assert_eq!(listed(&items, 5), "0, 1, 2, 3, 4");
        assert_eq!(listed_with(&items, 2, "; "), "0; 1; and 3 more");
        assert_eq!(count(1, "bar", "bars"), "1 bar");
        assert_eq!(count(0, "bar", "bars"), "0 bars");
        assert_eq!(number(0.123456), "0.123");
    }
}
