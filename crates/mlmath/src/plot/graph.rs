//! Computational graphs, drawn left to right: values as boxes, ops as
//! circles, an arrow from each input to the op that uses it.
//!
//! The layout is a small version of Sugiyama's layered drawing: each node
//! goes in the column given by the longest path that reaches it (so every
//! arrow points right; an input sits just before its first use), and the nodes of a column are ordered by the
//! average row of their neighbours, sweeping forward and back a few times,
//! which removes most crossings in the small graphs of the course.
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

/// A computational graph to draw: add nodes with [`value`](Graph::value)
/// and [`op`](Graph::op), which return the node's number, then arrows with
/// [`edge`](Graph::edge). Drawing fails with an error for an arrow to a node
/// that does not exist, for a cycle, and beyond [`MAX_GRAPH_NODES`] nodes.
#[derive(Debug, Clone)]
pub struct Graph {
    title: String,
    nodes: Vec<Node>,
    edges: Vec<(usize, usize)>,
}

impl Graph {
    /// An empty graph with a title.
    pub fn new(title: &str) -> Self {
        Graph {
            title: title.to_string(),
            nodes: Vec::new(),
            edges: Vec::new(),
        }
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

    /// The nodes of each column, top to bottom, ordered by the mean row of
    /// their neighbours (four sweeps, forward and back).
    fn layers(&self, column: &[usize]) -> Vec<Vec<usize>> {
        let width = column.iter().max().map_or(0, |c| c + 1);
        let mut layers = vec![Vec::new(); width];
        for (v, &c) in column.iter().enumerate() {
            layers[c].push(v);
        }
        let mut row = vec![0.0f64; self.nodes.len()];
        let set_rows = |layers: &Vec<Vec<usize>>, row: &mut Vec<f64>| {
            for layer in layers {
                for (i, &v) in layer.iter().enumerate() {
                    row[v] = i as f64 - (layer.len() as f64 - 1.0) / 2.0;
                }
            }
        };
        set_rows(&layers, &mut row);
        for sweep in 0..4 {
            let forward = sweep % 2 == 0;
            for c in 0..width {
                let c = if forward { c } else { width - 1 - c };
                let mean = |v: usize| {
                    let near: Vec<f64> = self
                        .edges
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
                set_rows(&layers, &mut row);
            }
        }
        layers
    }

    /// Draws the graph: an error for an arrow to a missing node, a cycle or
    /// too many nodes.
    pub fn draw(&self) -> Result<Plot> {
        let column = self.columns()?;
        let layers = self.layers(&column);
        let sizes: Vec<(i32, i32)> = self.nodes.iter().map(Node::size).collect();
        let col_width: Vec<i32> = layers
            .iter()
            .map(|l| l.iter().map(|&v| sizes[v].0).max().unwrap_or(0))
            .collect();
        let col_height: Vec<i32> = layers
            .iter()
            .map(|l| l.iter().map(|&v| sizes[v].1 + GAP_Y).sum::<i32>() - GAP_Y)
            .collect();
        let body = col_height
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(2 * RADIUS);
        let title_width = (self.title.chars().count() as f64 * 9.0) as i32;
        let width = (col_width.iter().sum::<i32>() + GAP_X * (layers.len() as i32 - 1).max(0))
            .max(title_width)
            + 2 * MARGIN;
        let height = body + TITLE + 2 * MARGIN;
        // The centre of every node.
        let mut centre = vec![(0i32, 0i32); self.nodes.len()];
        let mut x = MARGIN;
        for (c, layer) in layers.iter().enumerate() {
            let mut y = MARGIN + TITLE + (body - col_height[c]) / 2;
            for &v in layer {
                centre[v] = (x + col_width[c] / 2, y + sizes[v].1 / 2);
                y += sizes[v].1 + GAP_Y;
            }
            x += col_width[c] + GAP_X;
        }
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
            for &(a, b) in &self.edges {
                let (from, to) = (centre[a], centre[b]);
                let start = (from.0 + sizes[a].0 / 2, from.1);
                let end = (to.0 - sizes[b].0 / 2 - 2, to.1);
                root.draw(&PathElement::new(vec![start, end], INK.stroke_width(1)))
                    .map_err(plot_error)?;
                let (dx, dy) = ((end.0 - start.0) as f64, (end.1 - start.1) as f64);
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
        Ok(Plot { svg })
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
}
