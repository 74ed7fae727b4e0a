//! Reverse-mode automatic differentiation on tensors: the engine under the
//! neural networks of chapters 08–12.
//!
//! A [`Tensor`] holds an array (its *value*) and remembers how it was made:
//! the tensors it was computed from (its *parents*) and, for each op, the
//! op's local derivative rule. Calling [`backward`](Tensor::backward) on a
//! scalar loss `L` walks that graph from the loss back to the leaves in
//! reverse topological order and applies the chain rule at every node:
//!
//! ```text
//!   ∂L/∂x  =  Σ over the ops y = f(…, x, …) that used x of  (∂y/∂x)ᵀ · ∂L/∂y
//! ```
//!
//! Each op in [`ops`] is written once, with its forward value and
//! its backward rule side by side, so that file reads as a table of
//! derivatives; [`check`] verifies every rule against central differences.
//!
//! ```
//! use mlmath::autodiff::Tensor;
//! use ndarray::array;
//! // L = Σ tanh(x·w): dL/dw = xᵀ (1 − tanh²(x·w))
//! let x = Tensor::<f64>::constant(array![[1.0, 2.0]]);
//! let w = Tensor::<f64>::param(array![[0.5], [-0.25]]);
//! let loss = x.matmul(&w).unwrap().tanh().sum();
//! loss.backward().unwrap();
//! let g = w.grad().unwrap();
//! assert!((g[[0, 0]] - 1.0).abs() < 1e-12); // tanh(0) = 0, so 1 − 0² = 1, times x₁ = 1
//! assert!((g[[1, 0]] - 2.0).abs() < 1e-12);
//! ```
//!
//! Values are `ndarray` arrays of any rank, in `f32` (training) or `f64`
//! (gradient checks); see [`Float`]. Gradients of leaves made with
//! [`Tensor::param`] accumulate until an optimiser takes them; the
//! gradients of intermediate results are freed as soon as they have been
//! passed on. Inside [`no_grad`] nothing is recorded (evaluation).
//!
//! **Why every op goes through [`Engine`].** A notebook cell is compiled
//! unoptimised, and Rust compiles a generic function where it is used: a
//! generic op called from a cell would run at debug speed. So each op is a
//! generic function in [`ops`], compiled inside this crate for
//! `f32` and `f64` by the `compiled!` list below; the methods a cell calls
//! are one-line forwards to those compiled copies.

pub mod check;
mod checks;
mod kernels;
pub mod ops;
mod patches;
#[cfg(test)]
pub(crate) mod tests;

use std::cell::{Cell, Ref, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;

use ndarray::{ArrayD, NdFloat};

use crate::error::{Error, Result};

pub use patches::im2col;

/// The number types the engine computes in: `f32` and `f64`.
pub trait Float: NdFloat {
    /// Where this type's ops are compiled: [`Compiled`].
    type Ops: Engine<Self>;
    /// `x` converted to this type (rounded for `f32`).
    fn of(x: f64) -> Self;
    /// This number as an `f64` (named apart from num-traits' fallible `to_f64`).
    fn as_f64(self) -> f64;
    /// The name shown in messages: `"f32"` or `"f64"`.
    const NAME: &'static str;
}

impl Float for f32 {
    type Ops = Compiled;
    #[inline]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
    const NAME: &'static str = "f32";
}

impl Float for f64 {
    type Ops = Compiled;
    #[inline]
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
    const NAME: &'static str = "f64";
}

/// A local derivative rule: given `∂L/∂y` for the op's output `y` and which
/// parents need a gradient, it returns `∂L/∂xᵢ` for each parent `xᵢ` (in
/// order; `None` for a parent that needs none).
pub type Backward<F> = Box<dyn Fn(&ArrayD<F>, &[bool]) -> Vec<Option<ArrayD<F>>>>;

/// A node of the computational graph: a value, the op that made it, its
/// parents and its local derivative rule.
struct Node<F: Float> {
    value: RefCell<ArrayD<F>>,
    grad: RefCell<Option<ArrayD<F>>>,
    op: &'static str,
    parents: Vec<Tensor<F>>,
    backward: Option<Backward<F>>,
    requires_grad: bool,
    retain_grad: Cell<bool>,
    name: RefCell<String>,
    /// How many times the value was changed in place (by `set_value` or an
    /// optimiser's step).
    version: Cell<u64>,
    /// The parents' versions when this node was computed from them.
    parent_versions: Vec<u64>,
    /// Whether `backward` has run from this node.
    differentiated: Cell<bool>,
}

/// A value in the computational graph: an n-dimensional array that
/// remembers the ops that made it. Cloning a `Tensor` clones a handle,
/// not the array.
pub struct Tensor<F: Float = f32>(Rc<Node<F>>);

impl<F: Float> Clone for Tensor<F> {
    fn clone(&self) -> Self {
        Tensor(Rc::clone(&self.0))
    }
}

thread_local! {
    static RECORDING: Cell<bool> = const { Cell::new(true) };
}

/// Runs `f` without recording the graph: no op inside remembers its
/// parents, so nothing can be differentiated and nothing is kept for a
/// backward pass. For evaluation and for updating parameters.
///
/// ```
/// use mlmath::autodiff::{Tensor, no_grad};
/// let w = Tensor::<f64>::param(ndarray::arr1(&[2.0]).into_dyn());
/// let y = no_grad(|| w.square());
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<T>(f: impl FnOnce() -> T) -> T {
    let before = RECORDING.with(|r| r.replace(false));
    // Restores the flag even if `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            RECORDING.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(before);
    f()
}

/// Whether ops are being recorded (false inside [`no_grad`]).
pub fn is_recording() -> bool {
    RECORDING.with(|r| r.get())
}

impl<F: Float> Tensor<F> {
    fn leaf(value: ArrayD<F>, requires_grad: bool, op: &'static str) -> Self {
        Tensor(Rc::new(Node {
            value: RefCell::new(value),
            grad: RefCell::new(None),
            op,
            parents: Vec::new(),
            backward: None,
            requires_grad,
            retain_grad: Cell::new(false),
            name: RefCell::new(String::new()),
            version: Cell::new(0),
            parent_versions: Vec::new(),
            differentiated: Cell::new(false),
        }))
    }

    /// A tensor that is data, not a parameter: no gradient is computed for
    /// it. Takes an array of any dimension.
    pub fn constant<D: ndarray::Dimension>(value: ndarray::Array<F, D>) -> Self {
        Self::leaf(value.into_dyn(), false, "constant")
    }

    /// A parameter: a leaf whose gradient is computed by
    /// [`backward`](Tensor::backward) and accumulates until an optimiser
    /// takes it (or [`zero_grad`](Tensor::zero_grad)).
    pub fn param<D: ndarray::Dimension>(value: ndarray::Array<F, D>) -> Self {
        Self::leaf(value.into_dyn(), true, "param")
    }

    /// A single number as a 0-dimensional constant tensor.
    pub fn scalar(x: F) -> Self {
        Self::constant(ndarray::arr0(x))
    }

    /// The result of an op: `value`, computed from `parents`, with the local
    /// derivative rule `backward`. Nothing is recorded inside [`no_grad`] or
    /// when no parent needs a gradient.
    ///
    /// The rule is checked when it runs: [`backward`](Tensor::backward) is
    /// an error naming `op` when it returns another number of gradients than
    /// there are parents, or a gradient of another shape than its parent's.
    ///
    /// `parents` is an array (`[&a, &b]`) or, for an op with any number of
    /// inputs (`concat`), a slice or `Vec` of tensors.
    pub fn from_op<'p>(
        op: &'static str,
        value: ArrayD<F>,
        parents: impl IntoIterator<Item = &'p Tensor<F>>,
        backward: impl Fn(&ArrayD<F>, &[bool]) -> Vec<Option<ArrayD<F>>> + 'static,
    ) -> Self {
        if !is_recording() {
            return Self::leaf(value, false, op);
        }
        let parents: Vec<Tensor<F>> = parents.into_iter().cloned().collect();
        if !parents.iter().any(|p| p.requires_grad()) {
            return Self::leaf(value, false, op);
        }
        let parent_versions = parents.iter().map(|p| p.0.version.get()).collect();
        Tensor(Rc::new(Node {
            value: RefCell::new(value),
            grad: RefCell::new(None),
            op,
            parents,
            backward: Some(Box::new(backward)),
            requires_grad: true,
            retain_grad: Cell::new(false),
            name: RefCell::new(String::new()),
            version: Cell::new(0),
            parent_versions,
            differentiated: Cell::new(false),
        }))
    }

    /// The value (borrowed).
    pub fn value(&self) -> Ref<'_, ArrayD<F>> {
        self.0.value.borrow()
    }

    /// A copy of the value.
    pub fn to_array(&self) -> ArrayD<F> {
        self.0.value.borrow().clone()
    }

    /// The value of a tensor holding one number.
    ///
    /// An error naming the shape when it holds more (or none).
    pub fn item(&self) -> Result<F> {
        let v = self.value();
        if v.len() != 1 {
            return Err(Error::shape(
                "item()",
                "a tensor of one number",
                format!("shape {:?}", v.shape()),
            ));
        }
        Ok(*v.iter().next().expect("one element"))
    }

    /// The shape of the value.
    pub fn shape(&self) -> Vec<usize> {
        self.value().shape().to_vec()
    }

    /// The name of the op that made this tensor (`"param"`, `"constant"`,
    /// `"matmul"`, …).
    pub fn op(&self) -> &'static str {
        self.0.op
    }

    /// The tensors this one was computed from (none for a leaf, and none
    /// when it was computed inside [`no_grad`]).
    pub fn parents(&self) -> &[Tensor<F>] {
        &self.0.parents
    }

    /// Whether a gradient flows to this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad
    }

    /// `∂L/∂self` after [`backward`](Tensor::backward): kept for parameters,
    /// and for intermediate results marked with
    /// [`retain_grad`](Tensor::retain_grad); `None` otherwise.
    pub fn grad(&self) -> Option<ArrayD<F>> {
        self.0.grad.borrow().clone()
    }

    /// Takes the gradient out, leaving none (what an optimiser does).
    pub fn take_grad(&self) -> Option<ArrayD<F>> {
        self.0.grad.borrow_mut().take()
    }

    /// Forgets the accumulated gradient.
    pub fn zero_grad(&self) {
        self.0.grad.borrow_mut().take();
    }

    /// The gradient slot itself, for the optimisers and gradient clipping
    /// (which rescale a gradient in place or put one back).
    pub(crate) fn grad_slot(&self) -> std::cell::RefMut<'_, Option<ArrayD<F>>> {
        self.0.grad.borrow_mut()
    }

    /// Keeps this intermediate result's gradient after
    /// [`backward`](Tensor::backward) (it is freed otherwise), to look at it.
    pub fn retain_grad(&self) -> &Self {
        self.0.retain_grad.set(true);
        self
    }

    /// Whether `self` and `other` are handles to the same tensor (not merely
    /// equal values).
    pub fn same(&self, other: &Tensor<F>) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// The value, borrowed to be changed, or an error naming `who` when it is
    /// borrowed already (a `Ref` from [`value`](Tensor::value) still alive).
    fn value_mut(&self, who: &str) -> Result<std::cell::RefMut<'_, ArrayD<F>>> {
        self.0.value.try_borrow_mut().map_err(|_| {
            Error::parameter(
                format!("the value changed by {who}"),
                "not borrowed: take .to_array() first, or bind .value() in a `let` \
                 that ends before",
                "a value still borrowed by value()",
            )
        })
    }

    /// A description of this tensor for messages: its name, or its op and shape.
    fn describe(&self) -> String {
        let name = self.name();
        if name.is_empty() {
            format!("a {} of shape {}", self.op(), shape_str(&self.shape()))
        } else {
            name
        }
    }

    /// Replaces the value of a parameter in place (an optimiser's update).
    /// A loss computed from the old value can no longer be differentiated
    /// (its [`backward`](Tensor::backward) is an error): compute it again.
    ///
    /// An error when the new value has another shape, or when the value is
    /// still borrowed: `w.set_value(w.value().mapv(f))` keeps the `Ref` of
    /// `value()` alive during the call; write `w.set_value(w.to_array().mapv(f))`.
    ///
    /// ```
    /// use mlmath::autodiff::Tensor;
    /// let w = Tensor::<f64>::param(ndarray::arr1(&[1.0, 2.0]));
    /// assert!(w.set_value(w.value().mapv(|v| 2.0 * v)).is_err());
    /// w.set_value(w.to_array().mapv(|v| 2.0 * v))?;
    /// assert_eq!(w.value()[1], 4.0);
    /// # Ok::<(), mlmath::Error>(())
    /// ```
    pub fn set_value(&self, value: ArrayD<F>) -> Result<()> {
        let mut v = self.value_mut("set_value")?;
        if v.shape() != value.shape() {
            return Err(Error::shape(
                "set_value",
                format!("shape {:?} (the tensor's)", v.shape()),
                format!("shape {:?}", value.shape()),
            ));
        }
        *v = value;
        self.0.version.set(self.0.version.get() + 1);
        Ok(())
    }

    /// Updates the entries in place with `f`, given them as one slice in
    /// row-major order (an optimiser's step): the shape cannot change. An
    /// error naming `who` when the value is borrowed.
    pub(crate) fn update(&self, who: &str, f: impl FnOnce(&mut [F])) -> Result<()> {
        let mut v = self.value_mut(who)?;
        f(crate::optim::row_major(&mut v));
        self.0.version.set(self.0.version.get() + 1);
        Ok(())
    }

    /// Whether the value can be changed now (not borrowed).
    pub(crate) fn writable(&self, who: &str) -> Result<()> {
        self.value_mut(who).map(|_| ())
    }

    /// Gives the tensor a name, shown when its graph is drawn.
    pub fn named(self, name: &str) -> Self {
        *self.0.name.borrow_mut() = name.to_string();
        self
    }

    /// The tensor's name (empty unless given with [`named`](Tensor::named)).
    pub fn name(&self) -> String {
        self.0.name.borrow().clone()
    }

    /// The graph that computed this tensor, to draw: each op a circle, each
    /// tensor a box with its name (or op), its shape, and — for a single
    /// number — its value and gradient (kept for parameters and for
    /// tensors marked with [`retain_grad`](Tensor::retain_grad)).
    ///
    /// ```
    /// use mlmath::autodiff::Tensor;
    /// let a = Tensor::<f64>::param(ndarray::arr0(2.0)).named("a");
    /// let y = a.mul(&a).unwrap().tanh().named("y");
    /// let g = y.graph("y = tanh(a·a)");
    /// assert_eq!(g.len(), 5); // a, the ops * and tanh, a·a and y
    ///
    /// // y = (p + q)·p with q = p²: the longest path p → ² → q → + → p+q → · → y
    /// // has six arrows, so every one of them was drawn.
    /// let p = Tensor::<f64>::param(ndarray::arr0(0.5));
    /// let q = p.square();
    /// let y = p.add(&q).unwrap().mul(&p).unwrap();
    /// assert_eq!(y.graph("y").columns().unwrap().iter().max(), Some(&6));
    /// ```
    pub fn graph(&self, title: &str) -> crate::plot::Graph {
        let mut graph = crate::plot::Graph::new(title);
        let mut boxes: Vec<(*const Node<F>, usize)> = Vec::new();
        for t in &self.post_order(|_| true) {
            let name = t.name();
            let mut label = if name.is_empty() {
                t.op().to_string()
            } else {
                name
            };
            let v = t.value();
            if v.len() == 1 {
                let x = v.iter().next().expect("one element").as_f64();
                label += &format!("\ndata {}", crate::table::format_number(x));
                if let Some(g) = t.grad() {
                    let g = g.iter().next().map_or(0.0, |g| g.as_f64());
                    label += &format!("\ngrad {}", crate::table::format_number(g));
                }
            } else {
                label += &format!("\n{}", shape_str(v.shape()));
            }
            let node = graph.value(&label);
            if !t.parents().is_empty() {
                let op = graph.op(t.op());
                for p in t.parents() {
                    let ptr = Rc::as_ptr(&p.0);
                    if let Some(&(_, b)) = boxes.iter().find(|(q, _)| *q == ptr) {
                        graph.edge(b, op);
                    }
                }
                graph.edge(op, node);
            }
            boxes.push((Rc::as_ptr(&t.0), node));
        }
        graph
    }

    /// A tensor with the same value that is cut from the graph: no gradient
    /// flows back through it.
    pub fn detach(&self) -> Self {
        Self::constant(self.to_array())
    }

    fn accumulate(&self, g: ArrayD<F>) {
        let mut slot = self.0.grad.borrow_mut();
        match slot.as_mut() {
            Some(acc) => *acc += &g,
            None => *slot = Some(g),
        }
    }

    /// The nodes that lead to `self` and need a gradient, each after all of
    /// its parents (an iterative depth-first search: no recursion, so a
    /// graph of any depth is fine).
    pub fn topological_order(&self) -> Vec<Tensor<F>> {
        self.post_order(|p| p.requires_grad())
    }

    /// The nodes that lead to `self` through parents for which `follow`
    /// holds, each after all of its parents.
    fn post_order(&self, follow: impl Fn(&Tensor<F>) -> bool) -> Vec<Tensor<F>> {
        let mut order = Vec::new();
        let mut seen: HashSet<*const Node<F>> = HashSet::new();
        let mut stack = vec![(self.clone(), false)];
        while let Some((t, parents_done)) = stack.pop() {
            if parents_done {
                order.push(t);
                continue;
            }
            if !seen.insert(Rc::as_ptr(&t.0)) {
                continue;
            }
            stack.push((t.clone(), true));
            for p in t.parents() {
                if follow(p) && !seen.contains(&Rc::as_ptr(&p.0)) {
                    stack.push((p.clone(), false));
                }
            }
        }
        order
    }

    /// Reverse-mode differentiation of a scalar `self` (a loss `L`): fills
    /// `∂L/∂p` into every parameter `p` it depends on, adding to gradients
    /// already there.
    ///
    /// An error when `self` holds more than one number (sum or average it
    /// first) or does not depend on any parameter.
    pub fn backward(&self) -> Result<()> {
        <F::Ops as Engine<F>>::backward(self)
    }
}

/// The backward pass ([`Tensor::backward`]), compiled in the crate.
///
/// Every node is checked before any gradient is computed (the loss was not
/// differentiated already, no parent was changed since it was used); the
/// gradients of the parameters are added to theirs only when the whole pass
/// succeeded, so a failed pass leaves every gradient as it was.
pub(crate) fn backward<F: Float>(loss: &Tensor<F>) -> Result<()> {
    if loss.value().len() != 1 {
        return Err(Error::shape(
            "the tensor backward() starts from",
            "a single number, the loss (take .sum() or .mean() first)",
            format!("shape {:?}", loss.shape()),
        ));
    }
    if !loss.requires_grad() {
        return Err(Error::parameter(
            "the tensor backward() starts from",
            "computed from at least one Tensor::param, outside no_grad",
            format!("a {} with no parameter behind it", loss.op()),
        ));
    }
    if loss.0.differentiated.get() {
        return Err(Error::parameter(
            "the tensor backward() starts from",
            "a loss not differentiated yet (compute it again for a new backward pass)",
            "a loss already differentiated",
        ));
    }
    let order = loss.topological_order();
    check_versions(&order)?;
    let mut leaves: Vec<(Tensor<F>, ArrayD<F>)> = Vec::new();
    if let Err(e) = backward_pass(loss, &order, &mut leaves) {
        for node in &order {
            if node.0.backward.is_some() {
                node.zero_grad();
            }
        }
        return Err(e);
    }
    for (leaf, g) in leaves {
        leaf.accumulate(g);
    }
    loss.0.differentiated.set(true);
    Ok(())
}

/// An error when a parent of a node in `order` was changed in place after
/// the node was computed from it (its rule would mix old and new values).
fn check_versions<F: Float>(order: &[Tensor<F>]) -> Result<()> {
    for node in order {
        for (p, &v) in node.parents().iter().zip(&node.0.parent_versions) {
            if p.0.version.get() != v {
                return Err(Error::parameter(
                    format!("the input {} of {}", p.describe(), node.op()),
                    "unchanged since the loss was computed from it",
                    format!(
                        "{} was changed (set_value / an optimiser step) after it was used \
                         to compute this loss; compute the loss again",
                        p.describe()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The chain rule over `order` (reverse topological order), the gradients of
/// the leaves collected in `leaves`; an error when a rule returns the wrong
/// number of gradients or one of the wrong shape.
fn backward_pass<F: Float>(
    loss: &Tensor<F>,
    order: &[Tensor<F>],
    leaves: &mut Vec<(Tensor<F>, ArrayD<F>)>,
) -> Result<()> {
    let seed = ArrayD::from_elem(loss.value().raw_dim(), F::one());
    if loss.0.backward.is_none() {
        leaves.push((loss.clone(), seed));
        return Ok(());
    }
    loss.accumulate(seed);
    for node in order.iter().rev() {
        let Some(rule) = &node.0.backward else {
            continue; // a leaf: its gradient was collected
        };
        let g = if node.0.retain_grad.get() {
            node.grad()
        } else {
            node.take_grad() // an intermediate: freed once passed on
        };
        let Some(g) = g else { continue };
        let needs: Vec<bool> = node.parents().iter().map(|p| p.requires_grad()).collect();
        let grads = rule(&g, &needs);
        if grads.len() != needs.len() {
            return Err(Error::shape(
                format!("the backward rule of op {}", node.op()),
                format!("{} gradients, one per input", needs.len()),
                format!("{} gradients", grads.len()),
            ));
        }
        for (parent, gp) in node.parents().iter().zip(grads) {
            let Some(gp) = gp else { continue };
            if !parent.requires_grad() {
                continue;
            }
            if gp.shape() != parent.value().shape() {
                return Err(Error::shape(
                    format!("the backward rule of op {}", node.op()),
                    format!(
                        "a gradient of the shape of its input, {}",
                        shape_str(&parent.shape())
                    ),
                    format!("a gradient of shape {}", shape_str(gp.shape())),
                ));
            }
            if parent.0.backward.is_some() {
                parent.accumulate(gp);
            } else {
                match leaves.iter_mut().find(|(l, _)| l.same(parent)) {
                    Some((_, acc)) => *acc += &gp,
                    None => leaves.push((parent.clone(), gp)),
                }
            }
        }
    }
    Ok(())
}

impl<F: Float> Drop for Node<F> {
    /// Frees a long chain of nodes without recursing once per node.
    fn drop(&mut self) {
        // The rule may hold handles to the parents too: release them first.
        self.backward = None;
        let mut stack: Vec<Tensor<F>> = std::mem::take(&mut self.parents);
        while let Some(t) = stack.pop() {
            if let Ok(mut node) = Rc::try_unwrap(t.0) {
                stack.append(&mut node.parents);
            }
        }
    }
}

impl<F: Float> fmt::Debug for Tensor<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tensor<{}>({}, shape {:?}{}) {}",
            F::NAME,
            self.op(),
            self.shape(),
            if self.requires_grad() {
                ", requires grad"
            } else {
                ""
            },
            self.value()
        )
    }
}

/// A shape written as in messages: `(32, 64)`.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The ops compiled for `f32` and `f64` (see the [module documentation](self)).
pub struct Compiled;

/// The list of ops that make up the engine's public API.
///
/// For each entry of `methods` and `functions`, `compiled!` writes: the
/// method (or associated function) on `Tensor<F>` a cell calls, with the doc
/// comment given here; a declaration in [`Engine`]; and that declaration's
/// implementation for `f32` and for `f64`, which calls the generic function
/// of the same name in [`ops`]. Entries of `kernels` (the inner
/// loops of layers and optimisers) get only the declaration and the two
/// implementations, calling the function named after `=`; code in the crate
/// calls them as `<F::Ops as Engine<F>>::name(…)`. The implementations are
/// ordinary functions of this crate, compiled (and optimised) with it.
macro_rules! compiled {
    (
        methods { $( $(#[$m:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )* }
        functions { $( $(#[$fm:meta])* fn $fname:ident($($farg:ident: $fty:ty),*) -> $fret:ty; )* }
        kernels { $(
            $(#[$km:meta])* fn $kname:ident($($karg:ident: $kty:ty),*) -> $kret:ty = $kpath:path;
        )* }
    ) => {
        /// The engine's entry points, one per op, compiled in this crate for
        /// `f32` and `f64` (see the [module documentation](self)).
        pub trait Engine<F: Float> {
            #[doc(hidden)]
            fn backward(loss: &Tensor<F>) -> Result<()>;
            $( #[doc(hidden)] fn $name(x: &Tensor<F> $(, $arg: $ty)*) -> $ret; )*
            $( #[doc(hidden)] fn $fname($($farg: $fty),*) -> $fret; )*
            $( $(#[$km])* fn $kname($($karg: $kty),*) -> $kret; )*
        }

        impl<F: Float> Tensor<F> {
            $( $(#[$m])* pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                <F::Ops as Engine<F>>::$name(self $(, $arg)*)
            } )*
            $( $(#[$fm])* pub fn $fname($($farg: $fty),*) -> $fret {
                <F::Ops as Engine<F>>::$fname($($farg),*)
            } )*
        }

        compiled!(@impl f32
            { $( fn $name(x $(, $arg: $ty)*) -> $ret; )* }
            { $( fn $fname($($farg: $fty),*) -> $fret; )* }
            { $( fn $kname($($karg: $kty),*) -> $kret = $kpath; )* });
        compiled!(@impl f64
            { $( fn $name(x $(, $arg: $ty)*) -> $ret; )* }
            { $( fn $fname($($farg: $fty),*) -> $fret; )* }
            { $( fn $kname($($karg: $kty),*) -> $kret = $kpath; )* });
    };
    (@impl $float:ident
        { $( fn $name:ident(x $(, $arg:ident: $ty:ty)*) -> $ret:ty; )* }
        { $( fn $fname:ident($($farg:ident: $fty:ty),*) -> $fret:ty; )* }
        { $( fn $kname:ident($($karg:ident: $kty:ty),*) -> $kret:ty = $kpath:path; )* }
    ) => {
        const _: () = {
            // `F` in the signatures above means this type here.
            type F = $float;
            impl Engine<F> for Compiled {
                fn backward(loss: &Tensor<F>) -> Result<()> {
                    backward(loss)
                }
                $( fn $name(x: &Tensor<F> $(, $arg: $ty)*) -> $ret {
                    ops::$name(x $(, $arg)*)
                } )*
                $( fn $fname($($farg: $fty),*) -> $fret {
                    ops::$fname($($farg),*)
                } )*
                $( fn $kname($($karg: $kty),*) -> $kret {
                    $kpath($($karg),*)
                } )*
            }
        };
    };
}

compiled! {
    methods {
        // ---- arithmetic (broadcasting as NumPy: shapes align on the right,
        // a side of 1 stretches; the gradient is summed back to each shape)
        /// `a + b`. `∂/∂a = 1`, `∂/∂b = 1`.
        ///
        /// An error naming both shapes when they do not broadcast.
        fn add(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        /// `a − b`. `∂/∂a = 1`, `∂/∂b = −1`.
        ///
        /// An error naming both shapes when they do not broadcast.
        fn sub(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        /// `a ⊙ b` elementwise. `∂/∂a = b`, `∂/∂b = a`.
        ///
        /// An error naming both shapes when they do not broadcast.
        fn mul(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        /// `a / b` elementwise. `∂/∂a = 1/b`, `∂/∂b = −a/b²`.
        ///
        /// An error naming both shapes when they do not broadcast.
        fn div(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        // ---- scalars
        /// `−x`. `∂/∂x = −1`.
        fn neg(&self) -> Tensor<F>;
        /// `x + c`. `∂/∂x = 1`.
        fn add_scalar(&self, c: F) -> Tensor<F>;
        /// `c·x`. `∂/∂x = c`.
        fn mul_scalar(&self, c: F) -> Tensor<F>;
        /// `xᵖ` elementwise. `∂/∂x = p xᵖ⁻¹`.
        fn powf(&self, p: F) -> Tensor<F>;
        // ---- functions, elementwise
        /// `eˣ`. `∂/∂x = eˣ`.
        fn exp(&self) -> Tensor<F>;
        /// `ln x` (NaN for `x < 0`). `∂/∂x = 1/x`.
        fn log(&self) -> Tensor<F>;
        /// `x²`. `∂/∂x = 2x`.
        fn square(&self) -> Tensor<F>;
        /// `tanh x`. `∂/∂x = 1 − tanh² x`.
        fn tanh(&self) -> Tensor<F>;
        /// The logistic function `σ(x) = 1/(1 + e⁻ˣ)`. `∂/∂x = σ(x)(1 − σ(x))`.
        fn sigmoid(&self) -> Tensor<F>;
        /// `max(x, 0)`. `∂/∂x = 1` for `x > 0`, `0` otherwise.
        fn relu(&self) -> Tensor<F>;
        /// GELU in the tanh approximation (Hendrycks & Gimpel 2016; PyTorch's
        /// `approximate="tanh"`): `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
        fn gelu(&self) -> Tensor<F>;
        // ---- reductions
        /// The sum of all entries, a 0-dimensional tensor. `∂/∂x = 1`.
        fn sum(&self) -> Tensor<F>;
        /// The mean of all entries, a 0-dimensional tensor (NaN when empty).
        /// `∂/∂xᵢ = 1/n`.
        fn mean(&self) -> Tensor<F>;
        /// The sums along `axis` (kept as a side of 1 with `keep_dim`).
        ///
        /// An error naming the shape when there is no such axis.
        fn sum_axis(&self, axis: usize, keep_dim: bool) -> Result<Tensor<F>>;
        /// The means along `axis` (kept as a side of 1 with `keep_dim`).
        ///
        /// An error when there is no such axis or it has length 0.
        fn mean_axis(&self, axis: usize, keep_dim: bool) -> Result<Tensor<F>>;
        /// The maxima along `axis`; the gradient goes to the first maximum.
        ///
        /// An error when there is no such axis or it has length 0.
        fn max_axis(&self, axis: usize, keep_dim: bool) -> Result<Tensor<F>>;
        // ---- shapes
        /// The same entries (in row-major order) in another shape.
        ///
        /// An error naming both shapes when their sizes differ.
        fn reshape(&self, shape: &[usize]) -> Result<Tensor<F>>;
        /// Swaps axes `a` and `b` (`transpose(0, 1)` of a matrix is `xᵀ`).
        ///
        /// An error naming the shape when an axis does not exist.
        fn transpose(&self, a: usize, b: usize) -> Result<Tensor<F>>;
        /// The entries `start..end` along `axis`.
        ///
        /// An error unless `start ≤ end ≤` the length of the axis.
        fn slice_axis(&self, axis: usize, start: usize, end: usize) -> Result<Tensor<F>>;
        /// Embedding lookup: the rows `ids` of a table `(v, d)`, as `(ids.len(), d)`.
        /// The gradient of a row is the sum over the places it was looked up.
        ///
        /// An error naming the id and the table's shape when an id is `≥ v`.
        fn select_rows(&self, ids: &[usize]) -> Result<Tensor<F>>;
        // ---- regularisation
        /// Inverted dropout: each entry kept with probability `1 − p` and
        /// scaled by `1/(1 − p)`, else 0, drawn from `rng`; the identity
        /// inside [`no_grad`] (evaluation).
        ///
        /// An error unless `0 ≤ p < 1`.
        fn dropout(&self, p: F, rng: &mut crate::random::StdRng) -> Result<Tensor<F>>;
        // ---- probabilities
        /// `log softmax` along `axis`: `xᵢ − ln Σⱼ e^{xⱼ}`, computed stably.
        ///
        /// An error naming the shape when there is no such axis.
        fn log_softmax(&self, axis: usize) -> Result<Tensor<F>>;
        /// `softmax` along `axis`: `e^{xᵢ} / Σⱼ e^{xⱼ}`, computed stably (an
        /// entry of `−∞` gets weight 0).
        ///
        /// An error naming the shape when there is no such axis.
        fn softmax(&self, axis: usize) -> Result<Tensor<F>>;
        /// The cross-entropy of logits `(n, c)` against one class per row,
        /// averaged over the rows: `(1/n) Σᵢ −log softmax(xᵢ)[tᵢ]`, fused and
        /// stable. `∂/∂x = (softmax(x) − onehot(t)) / n`.
        ///
        /// An error when the logits are not `(n, c)` with `n ≥ 1`, the number
        /// of targets is not `n`, or a target is `≥ c`.
        fn cross_entropy(&self, targets: &[usize]) -> Result<Tensor<F>>;
        /// `value` where `mask` (broadcast to the shape of `x`) is true, `x`
        /// elsewhere; no gradient flows through the filled entries.
        ///
        /// An error naming both shapes when the mask does not broadcast.
        fn masked_fill(&self, mask: &ndarray::ArrayD<bool>, value: F) -> Result<Tensor<F>>;
        // ---- normalisation
        /// Layer normalisation over the last axis `(…, d)`:
        /// `γ ⊙ (x − μ)/√(σ² + ε) + β` per row, with `gamma` and `beta` of
        /// shape `(d,)`.
        ///
        /// An error naming the shapes when `gamma` or `beta` is not `(d,)` or
        /// `d = 0`, and when `eps` is negative or not finite.
        fn layer_norm(&self, gamma: &Tensor<F>, beta: &Tensor<F>, eps: F) -> Result<Tensor<F>>;
        // ---- matrices
        /// The matrix product: `(n, k)·(k, m)`, `(…, n, k)·(k, m)` (e.g.
        /// `(b, t, d)·(d, e)`), or batched `(…, n, k)·(…, k, m)` with the same
        /// leading axes. `∂/∂A = G · Bᵀ`, `∂/∂B = Aᵀ · G`.
        ///
        /// An error naming both shapes when they do not fit.
        fn matmul(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        // ---- images
        /// 2-D convolution of `x: (n, c, h, w)` with `weight: (o, c, kh, kw)`
        /// and an optional `bias: (o,)`, zero `padding` on every side,
        /// `stride`: `(n, o, ⌊(h + 2p − kh)/s⌋ + 1, ⌊(w + 2p − kw)/s⌋ + 1)`.
        ///
        /// An error naming the shapes when they do not fit, and when the
        /// stride is 0.
        fn conv2d(
            &self,
            weight: &Tensor<F>,
            bias: Option<&Tensor<F>>,
            stride: usize,
            padding: usize
        ) -> Result<Tensor<F>>;
        /// Max pooling of `x: (n, c, h, w)` over `size × size` windows with
        /// stride `size`: `(n, c, ⌊h/size⌋, ⌊w/size⌋)`; the gradient goes to
        /// the first maximum of each window.
        ///
        /// An error when `size` is 0 or larger than `h` or `w`.
        fn max_pool2d(&self, size: usize) -> Result<Tensor<F>>;
        // ---- attention
        /// Causal multi-head self-attention in one op, on the output `(b, t,
        /// 3d)` of a linear layer `d → 3d` (queries, keys, values side by
        /// side, each `heads` heads of `dh = d / heads` features): per sequence
        /// and head, `softmax(q kᵀ/√dh + M) v` with `M = −∞` above the
        /// diagonal (the future), the heads side by side in `(b, t, d)`; see
        /// [`ops::causal_attention`](ops::causal_attention) for the formulas
        /// and the backward rule.
        ///
        /// An error when the input is not 3-D, `heads` is 0, or its last side
        /// is not a nonzero multiple of `3·heads`.
        fn causal_attention(&self, heads: usize) -> Result<Tensor<F>>;
    }
    functions {
        /// The tensors `parts` one after another along `axis` (their other
        /// sides must agree); the gradient is split back among them.
        ///
        /// An error when `parts` is empty, the axis does not exist, or a
        /// part's shape differs elsewhere (naming both shapes).
        fn concat(parts: &[Tensor<F>], axis: usize) -> Result<Tensor<F>>;
    }
    kernels {
        /// One step of [`Sgd`](crate::optim::Sgd) on `params`:
        /// `v ← μ v + g + λ p`, `p ← p − η v` for every entry.
        fn sgd_step(opt: &mut crate::optim::Sgd, params: &[Tensor<F>]) -> Result<()>
            = crate::optim::sgd_step;
        /// One step of [`Adam`](crate::optim::Adam) on `params`:
        /// `p ← p (1 − η λ) − η m̂ / (√v̂ + ε)` for every entry.
        fn adam_step(opt: &mut crate::optim::Adam, params: &[Tensor<F>]) -> Result<()>
            = crate::optim::adam_step;
        /// [`clip_grad_norm`](crate::optim::clip_grad_norm): `‖g‖` over all
        /// gradients, which are scaled by `max_norm / ‖g‖` when it is larger.
        fn clip_grad_norm(params: &[Tensor<F>], max_norm: f64) -> Result<f64>
            = crate::optim::clip_gradients;
        /// An array of `shape` drawn from `U(−a, a)` (for
        /// [`Init::XavierUniform`](crate::nn::Init::XavierUniform)).
        fn init_uniform(shape: &[usize], a: f64, rng: &mut crate::random::StdRng) -> ArrayD<F>
            = crate::nn::uniform;
        /// An array of `shape` drawn from `N(0, σ²)` (for
        /// [`Init::KaimingNormal`](crate::nn::Init::KaimingNormal)).
        fn init_normal(shape: &[usize], sigma: f64, rng: &mut crate::random::StdRng)
            -> ArrayD<F> = crate::nn::normal;
        /// [`Module::save`](crate::nn::Module::save): the named parameters of
        /// the model described by `model`, written to `path`.
        fn save_params(path: &std::path::Path, model: &str, params: &[(String, Tensor<F>)])
            -> Result<()> = crate::nn::save;
        /// [`Module::load`](crate::nn::Module::load): the parameters saved in
        /// `path`, checked, then read into `params`.
        fn load_params(path: &std::path::Path, model: &str, params: &[(String, Tensor<F>)])
            -> Result<()> = crate::nn::load;
    }
}
