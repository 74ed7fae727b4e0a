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
//! Each op in [`ops`](self::ops) is written once, with its forward value and
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
//! generic function in [`ops`](self::ops), compiled inside this crate for
//! `f32` and `f64` by the `compiled!` list below; the methods a cell calls
//! are one-line forwards to those compiled copies.

pub mod check;
pub mod ops;

use std::cell::{Cell, Ref, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;

use ndarray::{ArrayD, NdFloat};

use crate::error::{Error, Result};

/// The number types the engine computes in: `f32` and `f64`.
pub trait Float: NdFloat {
    /// Where this type's ops are compiled: [`Compiled`].
    type Ops: Engine<Self>;
    /// `x` converted to this type (rounded for `f32`).
    fn of(x: f64) -> Self;
    /// This number as an `f64`.
    fn to_f64(self) -> f64;
    /// The name shown in messages: `"f32"` or `"f64"`.
    const NAME: &'static str;
}

impl Float for f32 {
    type Ops = Compiled;
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    const NAME: &'static str = "f32";
}

impl Float for f64 {
    type Ops = Compiled;
    fn of(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
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
    pub fn from_op<const N: usize>(
        op: &'static str,
        value: ArrayD<F>,
        parents: [&Tensor<F>; N],
        backward: impl Fn(&ArrayD<F>, &[bool]) -> Vec<Option<ArrayD<F>>> + 'static,
    ) -> Self {
        let requires_grad = is_recording() && parents.iter().any(|p| p.requires_grad());
        if !requires_grad {
            return Self::leaf(value, false, op);
        }
        Tensor(Rc::new(Node {
            value: RefCell::new(value),
            grad: RefCell::new(None),
            op,
            parents: parents.iter().map(|p| (*p).clone()).collect(),
            backward: Some(Box::new(backward)),
            requires_grad: true,
            retain_grad: Cell::new(false),
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

    /// Replaces the value of a parameter in place (an optimiser's update).
    ///
    /// An error when the new value has another shape.
    pub fn set_value(&self, value: ArrayD<F>) -> Result<()> {
        let mut v = self.0.value.borrow_mut();
        if v.shape() != value.shape() {
            return Err(Error::shape(
                "set_value",
                format!("shape {:?} (the tensor's)", v.shape()),
                format!("shape {:?}", value.shape()),
            ));
        }
        *v = value;
        Ok(())
    }

    /// Updates the value in place with `f` (an optimiser's step).
    pub fn update(&self, f: impl FnOnce(&mut ArrayD<F>)) {
        f(&mut self.0.value.borrow_mut());
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
                if p.requires_grad() && !seen.contains(&Rc::as_ptr(&p.0)) {
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
    let order = loss.topological_order();
    loss.accumulate(ArrayD::from_elem(loss.value().raw_dim(), F::one()));
    for node in order.iter().rev() {
        let Some(rule) = &node.0.backward else {
            continue; // a parameter: its gradient stays for the optimiser
        };
        let g = if node.0.retain_grad.get() {
            node.grad()
        } else {
            node.take_grad() // an intermediate: freed once passed on
        };
        let Some(g) = g else { continue };
        let needs: Vec<bool> = node.parents().iter().map(|p| p.requires_grad()).collect();
        for (parent, gp) in node.parents().iter().zip(rule(&g, &needs)) {
            if let Some(gp) = gp
                && parent.requires_grad()
            {
                debug_assert_eq!(gp.shape(), parent.value().shape(), "{}", node.op());
                parent.accumulate(gp);
            }
        }
    }
    Ok(())
}

impl<F: Float> Drop for Node<F> {
    /// Frees a long chain of nodes without recursing once per node.
    fn drop(&mut self) {
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
/// of the same name in [`ops`](self::ops). Entries of `kernels` (the inner
/// loops of layers and optimisers) get only the declaration and the two
/// implementations, calling the function named after `=`; code in the crate
/// calls them as `<F::Ops as Engine<F>>::name(…)`. The implementations are
/// ordinary functions of this crate, compiled (and optimised) with it.
macro_rules! compiled {
    (
        methods { $( $(#[$m:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )* }
        functions { $( $(#[$fm:meta])* fn $fname:ident($($farg:ident: $fty:ty),*) -> $fret:ty; )* }
        kernels { $( $(#[$km:meta])* fn $kname:ident($($karg:ident: $kty:ty),*) -> $kret:ty = $kpath:path; )* }
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
        /// `a + b`, broadcasting as NumPy does. `∂/∂a = 1`, `∂/∂b = 1`
        /// (summed over the broadcast axes).
        fn add(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        /// `a ⊙ b` elementwise, broadcasting. `∂/∂a = b`, `∂/∂b = a`.
        fn mul(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        /// The matrix product `a · b` of `(n, k)` and `(k, m)`.
        /// `∂/∂a = g · bᵀ`, `∂/∂b = aᵀ · g`.
        fn matmul(&self, other: &Tensor<F>) -> Result<Tensor<F>>;
        /// `x²` elementwise. `∂/∂x = 2x`.
        fn square(&self) -> Tensor<F>;
        /// `tanh x` elementwise. `∂/∂x = 1 − tanh² x`.
        fn tanh(&self) -> Tensor<F>;
        /// The sum of all entries, a 0-dimensional tensor. `∂/∂x = 1`.
        fn sum(&self) -> Tensor<F>;
    }
    functions {
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
    }
}
