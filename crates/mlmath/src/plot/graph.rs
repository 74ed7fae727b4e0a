//! Graphs of boxes and arrows, drawn left to right (or from the top down):
//! computational graphs, with values as boxes, ops as circles and an arrow
//! from each input to the op that uses it; and maps, such as the course's
//! chapters and which builds on which ([`crate::course`]).
//!
//! The layout is a small version of Sugiyama's layered drawing: each node
//! goes in the column given by the longest path that reaches it (so every
//! arrow points right; an input sits just before its first use). An arrow
//! that skips columns passes through a waypoint in each column between its
//! ends, which holds a place there like a small node, so that it runs between
//! the boxes instead of through them. The nodes and waypoints of a column are
//! ordered by the average row of their neighbours, sweeping forward and back
//! a few times, which removes most crossings in the small graphs of the course.
//!
//! ```
//! use mlmath::plot::Graph;
//! let mut g = Graph::new("y = a·b + c");
//! let (a, b, c) = (g.value("a = 2"), g.value("b = −3"), g.value("c = 10"));
//! let times = g.op("*");
//! let ab = g.value("a·b = −6");
//! let plus = g.op("+");
//! let y = g.value("y = 4");
//! g.edge(a, times).edge(b, times).edge(times, ab).edge(ab, plus).edge(c, plus).edge(plus, y);
//! assert!(g.draw().unwrap().svg().contains("a·b = −6"));
//! assert!(g.edge(y, a).draw().is_err()); // a cycle is not a computation
//! ```

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::accessible::{count, listed};
use super::{Plot, plot_error, show};
use crate::error::{Error, Result};

/// The most nodes a graph draws.
pub const MAX_GRAPH_NODES: usize = 400;

const FONT: u32 = 17;
const LINE: i32 = 19;
const CHAR: f64 = 8.0;
const RADIUS: i32 = 19;
const GAP_X: i32 = 46;
const GAP_Y: i32 = 18;
/// From the top down: the gap between rows, and between the boxes of a row.
const GAP_ROWS: i32 = 40;
const GAP_ACROSS: i32 = 22;
/// The place a waypoint holds in its column (or row, from the top down).
const WAYPOINT: i32 = 6;
const MARGIN: i32 = 20;
const TITLE: i32 = 34;
const VALUE_FILL: RGBColor = RGBColor(232, 242, 250);
const OP_FILL: RGBColor = RGBColor(253, 236, 206);
const INK: RGBColor = RGBColor(60, 60, 60);

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Value,
    Op,
}

#[derive(Debug, Clone)]
struct Node {
    lines: Vec<String>,
    kind: Kind,
}

impl Node {
    fn size(&self) -> (i32, i32) {
        match self.kind {
            Kind::Op => (2 * RADIUS, 2 * RADIUS),
            Kind::Value => {
                let chars = self
                    .lines
                    .iter()
                    .map(|l| l.chars().count())
                    .max()
                    .unwrap_or(0);
                (
                    (chars as f64 * CHAR) as i32 + 16,
                    self.lines.len() as i32 * LINE + 8,
                )
            }
        }
    }
}

/// Each node's place in its layer.
fn places(layers: &[Vec<usize>], nodes: usize) -> Vec<usize> {
    let mut place = vec![0; nodes];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            place[v] = i;
        }
    }
    place
}

/// The crossings between layer `k` and layer `k + 1`: pairs of the segments
/// joining them whose ends come in opposite orders.
fn crossings_after(k: usize, place: &[usize], between: &[Vec<(usize, usize)>]) -> usize {
    let Some(segments) = between.get(k) else {
        return 0;
    };
    let mut count = 0;
    for (i, &(a, b)) in segments.iter().enumerate() {
        for &(c, d) in &segments[i + 1..] {
            let (before, after) = (place[a].cmp(&place[c]), place[b].cmp(&place[d]));
            if before.is_ne() && after.is_ne() && before != after {
                count += 1;
            }
        }
    }
    count
}

/// All the crossings of the layout.
fn crossings(layers: &[Vec<usize>], between: &[Vec<(usize, usize)>]) -> usize {
    let place = places(layers, layers.iter().map(Vec::len).sum());
    (0..layers.len())
        .map(|k| crossings_after(k, &place, between))
        .sum()
}

/// Swaps neighbouring nodes of a layer wherever that lowers the crossings.
fn swap_neighbours(layers: &mut [Vec<usize>], between: &[Vec<(usize, usize)>]) {
    let nodes = layers.iter().map(Vec::len).sum();
    for c in 0..layers.len() {
        let near = |place: &[usize]| {
            let before = if c > 0 {
                crossings_after(c - 1, place, between)
            } else {
                0
            };
            before + crossings_after(c, place, between)
        };
        for i in 1..layers[c].len() {
            let count = near(&places(layers, nodes));
            layers[c].swap(i - 1, i);
            if near(&places(layers, nodes)) >= count {
                layers[c].swap(i - 1, i);
            }
        }
    }
}

/// A computational graph to draw: add nodes with [`value`](Graph::value)
/// and [`op`](Graph::op), which return the node's number, then arrows with
/// [`edge`](Graph::edge). Drawing fails with an error for an arrow to a node
/// that does not exist, for a cycle, and beyond [`MAX_GRAPH_NODES`] nodes.
#[derive(Debug, Clone)]
pub struct Graph {
    title: String,
    nodes: Vec<Node>,
    edges: Vec<(usize, usize)>,
    top_down: bool,
    /// A description given with [`Graph::describe`].
    description: Option<String>,
}

/// Where the layout puts a graph's nodes, and the waypoints of its arrows.
struct Layout {
    /// The nodes of each column, top to bottom: the graph's nodes by their
    /// numbers, then the waypoints (numbers from the graph's node count on).
    layers: Vec<Vec<usize>>,
    /// The column of every node and waypoint.
    column: Vec<usize>,
    /// For each arrow of the graph, the waypoints it passes, in order.
    routes: Vec<Vec<usize>>,
}

impl Graph {
    /// An empty graph with a title.
    pub fn new(title: &str) -> Self {
        Graph {
            title: title.to_string(),
            nodes: Vec::new(),
            edges: Vec::new(),
            top_down: false,
            description: None,
        }
    }

    /// Says what the graph shows, for a screen reader (the picture's
    /// `<desc>`), in place of the list of its boxes and arrows.
    pub fn describe(&mut self, description: &str) -> &mut Self {
        self.description = Some(description.to_string());
        self
    }

    /// The graph's description: the one given with
    /// [`describe`](Self::describe), or its boxes, circles and arrows.
    fn description(&self) -> String {
        if let Some(text) = &self.description {
            return text.clone();
        }
        let name = |v: usize| format!("\"{}\"", self.nodes[v].lines.join(" "));
        let of_kind = |kind: Kind| -> Vec<String> {
            (0..self.nodes.len())
                .filter(|&v| self.nodes[v].kind == kind)
                .map(name)
                .collect()
        };
        let (values, ops) = (of_kind(Kind::Value), of_kind(Kind::Op));
        let mut text = format!(
            "A graph of {} and {}, drawn {}, every arrow pointing {}.",
            count(self.nodes.len(), "node", "nodes"),
            count(self.edges.len(), "arrow", "arrows"),
            if self.top_down {
                "from the top down"
            } else {
                "from left to right"
            },
            if self.top_down { "down" } else { "right" },
        );
        if !values.is_empty() {
            text.push_str(&format!(" In boxes: {}.", listed(&values, 60)));
        }
        if !ops.is_empty() {
            text.push_str(&format!(" In circles: {}.", listed(&ops, 60)));
        }
        if !self.edges.is_empty() {
            let arrows: Vec<String> = self
                .edges
                .iter()
                .map(|&(a, b)| format!("{} to {}", name(a), name(b)))
                .collect();
            text.push_str(&format!(" Arrows: {}.", listed(&arrows, 80)));
        }
        text
    }

    /// Lays the columns out as rows, from the top down (every arrow points
    /// down): for graphs with many layers, such as the course map.
    pub fn top_down(&mut self) -> &mut Self {
        self.top_down = true;
        self
    }

    fn push(&mut self, label: &str, kind: Kind) -> usize {
        let lines = label.lines().map(str::to_string).collect();
        self.nodes.push(Node { lines, kind });
        self.nodes.len() - 1
    }

    /// A value (a box; its label may have several lines): returns its number.
    pub fn value(&mut self, label: &str) -> usize {
        self.push(label, Kind::Value)
    }

    /// An op (a circle holding a short symbol such as `+` or `tanh`):
    /// returns its number.
    pub fn op(&mut self, symbol: &str) -> usize {
        self.push(symbol, Kind::Op)
    }

    /// An arrow from node `from` to node `to` (checked when drawn).
    pub fn edge(&mut self, from: usize, to: usize) -> &mut Self {
        self.edges.push((from, to));
        self
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Each node's column: the length of the longest path that reaches it
    /// (an input: one before the column of its first use).
    /// An error for an arrow to a missing node or for a cycle.
    pub fn columns(&self) -> Result<Vec<usize>> {
        let n = self.nodes.len();
        if n > MAX_GRAPH_NODES {
            return Err(Error::parameter(
                "the graph",
                format!("at most {MAX_GRAPH_NODES} nodes (draw a smaller expression)"),
                format!("{n} nodes"),
            ));
        }
        if let Some(&(a, b)) = self.edges.iter().find(|&&(a, b)| a >= n || b >= n) {
            return Err(Error::parameter(
                "an arrow of the graph",
                format!(
                    "between nodes 0 to {} (the numbers value() and op() returned)",
                    n.max(1) - 1
                ),
                format!("{a} → {b}"),
            ));
        }
        let mut indegree = vec![0usize; n];
        for &(_, b) in &self.edges {
            indegree[b] += 1;
        }
        let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
        let mut column = vec![0usize; n];
        let mut placed = 0;
        while let Some(v) = ready.pop() {
            placed += 1;
            for &(a, b) in &self.edges {
                if a == v {
                    column[b] = column[b].max(column[v] + 1);
                    indegree[b] -= 1;
                    if indegree[b] == 0 {
                        ready.push(b);
                    }
                }
            }
        }
        if placed < n {
            return Err(Error::parameter(
                "the graph",
                "acyclic (a computation never feeds its own input)",
                "a cycle of arrows",
            ));
        }
        // An input goes just before its first use, so that its arrow is short.
        for v in (0..n).filter(|&v| !self.edges.iter().any(|&(_, b)| b == v)) {
            let first_use = self
                .edges
                .iter()
                .filter(|&&(a, _)| a == v)
                .map(|&(_, b)| column[b])
                .min();
            if let Some(c) = first_use {
                column[v] = c - 1;
            }
        }
        Ok(column)
    }

    /// The nodes of each column, top to bottom (see [`Graph::layout`]).
    #[cfg(test)]
    fn layers(&self, column: &[usize]) -> Vec<Vec<usize>> {
        self.layout(column).layers
    }

    /// The layout: an arrow that skips columns gets a waypoint in each column
    /// it crosses; the nodes and waypoints of each column are ordered by the
    /// mean row of their neighbours (four sweeps, forward and back).
    fn layout(&self, column: &[usize]) -> Layout {
        let mut column = column.to_vec();
        let mut segments = Vec::new();
        let mut routes = Vec::new();
        for &(a, b) in &self.edges {
            let mut route = Vec::new();
            let mut from = a;
            for c in column[a] + 1..column[b] {
                let waypoint = column.len();
                column.push(c);
                segments.push((from, waypoint));
                route.push(waypoint);
                from = waypoint;
            }
            segments.push((from, b));
            routes.push(route);
        }
        let width = column.iter().max().map_or(0, |c| c + 1);
        let mut layers = vec![Vec::new(); width];
        for (v, &c) in column.iter().enumerate() {
            layers[c].push(v);
        }
        let set_rows = |layers: &Vec<Vec<usize>>, row: &mut Vec<f64>| {
            for layer in layers {
                for (i, &v) in layer.iter().enumerate() {
                    row[v] = i as f64 - (layer.len() as f64 - 1.0) / 2.0;
                }
            }
        };
        let mut row = vec![0.0f64; column.len()];
        let mut sweep = |layers: &mut Vec<Vec<usize>>, forward: bool| {
            set_rows(layers, &mut row);
            for c in 0..width {
                let c = if forward { c } else { width - 1 - c };
                let mean = |v: usize| {
                    let near: Vec<f64> = segments
                        .iter()
                        .filter_map(|&(a, b)| match forward {
                            true if b == v => Some(row[a]),
                            false if a == v => Some(row[b]),
                            _ => None,
                        })
                        .collect();
                    if near.is_empty() {
                        row[v]
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64
                    }
                };
                let mut keyed: Vec<(f64, usize)> =
                    layers[c].iter().map(|&v| (mean(v), v)).collect();
                keyed.sort_by(|x, y| x.0.total_cmp(&y.0));
                layers[c] = keyed.into_iter().map(|(_, v)| v).collect();
                set_rows(layers, &mut row);
            }
        };
        for k in 0..4 {
            sweep(&mut layers, k % 2 == 0);
        }
        // Where crossings remain, more sweeps and swaps of neighbours, keeping
        // the order with the fewest.
        let mut between = vec![Vec::new(); width];
        for &(a, b) in &segments {
            between[column[a]].push((a, b));
        }
        let mut best = (crossings(&layers, &between), layers.clone());
        for k in 0..24 {
            if best.0 == 0 {
                break;
            }
            sweep(&mut layers, k % 2 == 0);
            swap_neighbours(&mut layers, &between);
            let count = crossings(&layers, &between);
            if count < best.0 {
                best = (count, layers.clone());
            }
        }
        let layers = best.1;
        Layout {
            layers,
            column,
            routes,
        }
    }

    /// The points of every arrow, in the picture, from its start to its tip.
    ///
    /// Left to right, an arrow between neighbouring columns is a straight
    /// line from the right side of one node to the left side of the other.
    /// An arrow with waypoints, and from the top down every arrow, crosses the
    /// band of each column it passes straight along the arrows' direction
    /// (at its waypoint's place), and turns only in the gaps between bands,
    /// where there are no boxes. From the top down, the arrows that leave (or
    /// reach) one box are spread along its edge, in the order of where they go.
    fn arrow_paths(
        &self,
        layout: &Layout,
        centre: &[(i32, i32)],
        sizes: &[(i32, i32)],
        band: &[(i32, i32)],
    ) -> Vec<Vec<(i32, i32)>> {
        let column = &layout.column;
        // (along, across) of a point, and back: x is along unless top down.
        let split = |p: (i32, i32)| {
            if self.top_down {
                (p.1, p.0)
            } else {
                (p.0, p.1)
            }
        };
        let join = |along: i32, across: i32| {
            if self.top_down {
                (across, along)
            } else {
                (along, across)
            }
        };
        let half_along = |v: usize| {
            if self.top_down {
                sizes[v].1 / 2
            } else {
                sizes[v].0 / 2
            }
        };
        let half_across = |v: usize| {
            if self.top_down {
                sizes[v].0 / 2
            } else {
                sizes[v].1 / 2
            }
        };
        // Where each arrow leaves its start and reaches its end, across.
        let mut leave: Vec<i32> = self
            .edges
            .iter()
            .map(|&(a, _)| split(centre[a]).1)
            .collect();
        let mut reach: Vec<i32> = self
            .edges
            .iter()
            .map(|&(_, b)| split(centre[b]).1)
            .collect();
        if self.top_down {
            let edges = &self.edges;
            // Across, the point each arrow heads for after its start, and the
            // one it comes from before its end.
            let next: Vec<i32> = (0..edges.len())
                .map(|e| split(centre[*layout.routes[e].first().unwrap_or(&edges[e].1)]).1)
                .collect();
            let previous: Vec<i32> = (0..edges.len())
                .map(|e| split(centre[*layout.routes[e].last().unwrap_or(&edges[e].0)]).1)
                .collect();
            // The arrows `mine` of one box, spread over the middle 60% of its edge.
            let spread = |ends: &mut [i32], mut mine: Vec<usize>, toward: &[i32], v: usize| {
                mine.sort_by_key(|&e| (toward[e], e));
                let room = 1.2 * half_across(v) as f64;
                for (i, &e) in mine.iter().enumerate() {
                    let share = (i + 1) as f64 / (mine.len() + 1) as f64 - 0.5;
                    ends[e] = split(centre[v]).1 + (share * room) as i32;
                }
            };
            for v in 0..self.nodes.len() {
                let out = (0..edges.len()).filter(|&e| edges[e].0 == v).collect();
                spread(&mut leave, out, &next, v);
                let into = (0..edges.len()).filter(|&e| edges[e].1 == v).collect();
                spread(&mut reach, into, &previous, v);
            }
        }
        let mut paths = Vec::with_capacity(self.edges.len());
        for (e, (&(a, b), route)) in self.edges.iter().zip(&layout.routes).enumerate() {
            let start = join(split(centre[a]).0 + half_along(a), leave[e]);
            let end = join(split(centre[b]).0 - half_along(b) - 2, reach[e]);
            if route.is_empty() && !self.top_down {
                paths.push(vec![start, end]);
                continue;
            }
            let mut path = vec![start];
            let out_of_band = band[column[a]].1;
            if out_of_band - split(start).0 > 1 {
                path.push(join(out_of_band, leave[e]));
            }
            for &w in route {
                let (from, to) = band[column[w]];
                let across = split(centre[w]).1;
                path.push(join(from, across));
                path.push(join(to, across));
            }
            let into_band = band[column[b]].0;
            if split(end).0 - into_band > 2 {
                path.push(join(into_band, reach[e]));
            }
            path.push(end);
            paths.push(path);
        }
        paths
    }

    /// Draws the graph: an error for an arrow to a missing node, a cycle or
    /// too many nodes.
    pub fn draw(&self) -> Result<Plot> {
        let layout = self.layout(&self.columns()?);
        let layers = &layout.layers;
        // A waypoint holds a small place in its column.
        let sizes: Vec<(i32, i32)> = (0..layout.column.len())
            .map(|v| match self.nodes.get(v) {
                Some(node) => node.size(),
                None => (WAYPOINT, WAYPOINT),
            })
            .collect();
        // Along: the axis the arrows follow (x, or y from the top down);
        // across: the axis of a column's nodes (y, or x from the top down).
        let top_down = self.top_down;
        let along = |s: (i32, i32)| if top_down { s.1 } else { s.0 };
        let across = |s: (i32, i32)| if top_down { s.0 } else { s.1 };
        let (gap_along, gap_across) = if self.top_down {
            (GAP_ROWS, GAP_ACROSS)
        } else {
            (GAP_X, GAP_Y)
        };
        let depth: Vec<i32> = layers
            .iter()
            .map(|l| l.iter().map(|&v| along(sizes[v])).max().unwrap_or(0))
            .collect();
        let breadth: Vec<i32> = layers
            .iter()
            .map(|l| {
                l.iter()
                    .map(|&v| across(sizes[v]) + gap_across)
                    .sum::<i32>()
                    - gap_across
            })
            .collect();
        let body_across = breadth.iter().copied().max().unwrap_or(0).max(2 * RADIUS);
        let body_along = depth.iter().sum::<i32>() + gap_along * (layers.len() as i32 - 1).max(0);
        let (body_w, body_h) = if self.top_down {
            (body_across, body_along)
        } else {
            (body_along, body_across)
        };
        let title_width = (self.title.chars().count() as f64 * 9.0) as i32;
        let width = body_w.max(title_width) + 2 * MARGIN;
        let height = body_h.max(2 * RADIUS) + TITLE + 2 * MARGIN;
        // The centre of every node and waypoint (from the top down, the body
        // is centred under a wider title).
        let left = if self.top_down {
            MARGIN + (width - 2 * MARGIN - body_w) / 2
        } else {
            MARGIN
        };
        let top = MARGIN + TITLE;
        let mut centre = vec![(0i32, 0i32); layout.column.len()];
        // Each layer's band along the arrows: (start, end), in the picture.
        let mut band = Vec::with_capacity(layers.len());
        let mut at_along = 0;
        for (c, layer) in layers.iter().enumerate() {
            let offset = if self.top_down { top } else { left };
            band.push((offset + at_along, offset + at_along + depth[c]));
            let mut at_across = (body_across - breadth[c]) / 2;
            for &v in layer {
                let (a, b) = (at_along + depth[c] / 2, at_across + across(sizes[v]) / 2);
                centre[v] = if self.top_down {
                    (left + b, top + a)
                } else {
                    (left + a, top + b)
                };
                at_across += across(sizes[v]) + gap_across;
            }
            at_along += depth[c] + gap_along;
        }
        let paths = self.arrow_paths(&layout, &centre, &sizes, &band);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width as u32, height as u32))
                .into_drawing_area();
            root.fill(&WHITE).map_err(plot_error)?;
            let centred = Pos::new(HPos::Center, VPos::Center);
            root.draw(&Text::new(
                self.title.clone(),
                (width / 2, MARGIN + 6),
                ("sans-serif", 20).into_font().color(&BLACK).pos(centred),
            ))
            .map_err(plot_error)?;
            for path in paths {
                let (before, end) = (path[path.len() - 2], path[path.len() - 1]);
                root.draw(&PathElement::new(path, INK.stroke_width(1)))
                    .map_err(plot_error)?;
                let (dx, dy) = ((end.0 - before.0) as f64, (end.1 - before.1) as f64);
                let norm = (dx * dx + dy * dy).sqrt().max(1.0);
                let (ux, uy) = (dx / norm, dy / norm);
                let at = |back: f64, side: f64| {
                    (
                        (end.0 as f64 - back * ux - side * uy) as i32,
                        (end.1 as f64 - back * uy + side * ux) as i32,
                    )
                };
                root.draw(&Polygon::new(
                    vec![end, at(8.0, 4.0), at(8.0, -4.0)],
                    INK.filled(),
                ))
                .map_err(plot_error)?;
            }
            let font = ("sans-serif", FONT).into_font().color(&BLACK).pos(centred);
            for (v, node) in self.nodes.iter().enumerate() {
                let (cx, cy) = centre[v];
                let (w, h) = sizes[v];
                match node.kind {
                    Kind::Op => {
                        root.draw(&Circle::new((cx, cy), RADIUS, OP_FILL.filled()))
                            .map_err(plot_error)?;
                        root.draw(&Circle::new((cx, cy), RADIUS, INK.stroke_width(1)))
                            .map_err(plot_error)?;
                    }
                    Kind::Value => {
                        let corners = [(cx - w / 2, cy - h / 2), (cx + w / 2, cy + h / 2)];
                        root.draw(&Rectangle::new(corners, VALUE_FILL.filled()))
                            .map_err(plot_error)?;
                        root.draw(&Rectangle::new(corners, INK.stroke_width(1)))
                            .map_err(plot_error)?;
                    }
                }
                let top = cy - (node.lines.len() as i32 - 1) * LINE / 2;
                for (i, line) in node.lines.iter().enumerate() {
                    root.draw(&Text::new(
                        line.clone(),
                        (cx, top + i as i32 * LINE),
                        font.clone(),
                    ))
                    .map_err(plot_error)?;
                }
            }
            root.present().map_err(plot_error)?;
        }
        Ok(Plot::accessible(svg, &self.title, self.description()))
    }

    /// Shows the graph in a notebook; a problem is printed as an error.
    pub fn evcxr_display(&self) {
        show(self.draw());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diamond with a long edge: a → b → c → d and a → d.
    fn diamond() -> Graph {
        let mut g = Graph::new("diamond");
        let v: Vec<usize> = ["a", "b", "c", "d"].iter().map(|l| g.value(l)).collect();
        g.edge(v[0], v[1])
            .edge(v[1], v[2])
            .edge(v[2], v[3])
            .edge(v[0], v[3]);
        g
    }

    #[test]
    fn columns_are_longest_paths_so_every_arrow_points_right() {
        let g = diamond();
        assert_eq!(g.columns().unwrap(), vec![0, 1, 2, 3]);
        let svg = g.draw().unwrap().svg().to_string();
        for label in ["a", "b", "c", "d", "diamond"] {
            assert!(svg.contains(&format!("\n{label}\n</text>")), "{label}");
        }
    }

    #[test]
    fn an_input_sits_just_before_its_first_use() {
        // y = (a·b) + c: c is used only by +, in column 3, so it sits in 2.
        let mut g = Graph::new("y");
        let (a, b, c) = (g.value("a"), g.value("b"), g.value("c"));
        let (times, ab, plus) = (g.op("*"), g.value("ab"), g.op("+"));
        g.edge(a, times)
            .edge(b, times)
            .edge(times, ab)
            .edge(ab, plus)
            .edge(c, plus);
        assert_eq!(g.columns().unwrap(), vec![0, 0, 2, 1, 2, 3]);
    }

    #[test]
    fn ordering_removes_a_crossing() {
        // Two chains, inserted crosswise: x1 → y2, x2 → y1 with y1 above y2.
        let mut g = Graph::new("cross");
        let (x1, x2) = (g.value("x1"), g.value("x2"));
        let (y1, y2) = (g.value("y1"), g.value("y2"));
        g.edge(x1, y2).edge(x2, y1);
        let layers = g.layers(&g.columns().unwrap());
        let pos = |v: usize| layers[1].iter().position(|&w| w == v).unwrap();
        let src = |v: usize| layers[0].iter().position(|&w| w == v).unwrap();
        assert_eq!(src(x1) < src(x2), pos(y2) < pos(y1), "{layers:?}");
    }

    #[test]
    fn bad_graphs_are_errors() {
        let mut g = diamond();
        let e = g.edge(0, 9).draw().unwrap_err().to_string();
        assert!(e.contains("0 → 9") && e.contains("nodes 0 to 3"), "{e}");
        let e = diamond().edge(3, 0).draw().unwrap_err().to_string();
        assert!(e.contains("cycle"), "{e}");
        let mut big = Graph::new("big");
        for _ in 0..=MAX_GRAPH_NODES {
            big.op("+");
        }
        assert!(big.draw().is_err());
        assert!(Graph::new("empty").draw().is_ok());
    }

    /// The numbers of an SVG element's attribute list, by name.
    fn attribute(element: &str, name: &str) -> i32 {
        let at = element.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        let rest = &element[at..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn a_long_arrow_passes_beside_the_boxes_it_skips() {
        for top_down in [false, true] {
            let mut g = diamond();
            if top_down {
                g.top_down();
            }
            let layout = g.layout(&g.columns().unwrap());
            assert_eq!(
                layout.routes[3].len(),
                2,
                "a → d skips two columns: two waypoints"
            );
            assert!(layout.routes[..3].iter().all(Vec::is_empty));
            let svg = g.draw().unwrap().svg().to_string();
            // The boxes (the first two rects are backgrounds), and the arrow
            // a → d, the polyline with the most points.
            let boxes: Vec<(i32, i32, i32, i32)> = svg
                .split("<rect")
                .skip(3)
                .map(|r| {
                    let (x, y) = (attribute(r, "x"), attribute(r, "y"));
                    (x, y, x + attribute(r, "width"), y + attribute(r, "height"))
                })
                .collect();
            let long = svg
                .split("<polyline")
                .skip(1)
                .map(|p| {
                    let at = p.find("points=\"").unwrap() + 8;
                    let points = &p[at..at + p[at..].find('"').unwrap()];
                    let xy = |pair: &str| {
                        let (x, y) = pair.split_once(',').unwrap();
                        (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap())
                    };
                    points.split_whitespace().map(xy).collect::<Vec<_>>()
                })
                .max_by_key(Vec::len)
                .unwrap();
            assert!(long.len() >= 4, "{long:?}");
            // Every segment, sampled finely, stays out of every box but its ends'.
            for w in long.windows(2) {
                for k in 0..=100 {
                    let t = k as f64 / 100.0;
                    let (x, y) = (
                        w[0].0 + t * (w[1].0 - w[0].0),
                        w[0].1 + t * (w[1].1 - w[0].1),
                    );
                    let inside = boxes.iter().filter(|b| {
                        b.0 as f64 + 1.0 < x
                            && x < b.2 as f64 - 1.0
                            && b.1 as f64 + 1.0 < y
                            && y < b.3 as f64 - 1.0
                    });
                    assert_eq!(
                        inside.count(),
                        0,
                        "top_down {top_down}: ({x}, {y}) is in a box"
                    );
                }
            }
        }
    }

    #[test]
    fn crossings_are_counted_between_neighbouring_layers() {
        // Layers [0, 1] and [2, 3]: 0 → 3 and 1 → 2 cross once; 0 → 2 and 1 → 3 do not.
        let layers = vec![vec![0, 1], vec![2, 3]];
        let crossed = vec![vec![(0, 3), (1, 2)], vec![]];
        let parallel = vec![vec![(0, 2), (1, 3)], vec![]];
        assert_eq!(crossings(&layers, &crossed), 1);
        assert_eq!(crossings(&layers, &parallel), 0);
        let mut swapped = layers.clone();
        swap_neighbours(&mut swapped, &crossed);
        assert_eq!(crossings(&swapped, &crossed), 0, "{swapped:?}");
    }
}
