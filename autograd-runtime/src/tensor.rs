//! `Tensor`: an ndarray array plus the state of a leaf (requires-grad flag and gradient slot).

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use ndarray::{Array, ArrayView, Dimension, IntoDimension, Ix0, IxDyn, ShapeBuilder};

use crate::error::{or_panic, shape_mismatch, Error};
use crate::float::Float;

/// An n-dimensional array of `f32` or `f64` that can be a leaf of a
/// differentiated computation, as a PyTorch tensor is.
///
/// A tensor owns its data (an [`ndarray::Array`]) and, as a leaf, a flag
/// saying whether gradients should be stored for it and a slot where
/// `backward()` accumulates them. Tensors computed inside a
/// `#[differentiable]` function are never leaves: gradients flow through them
/// at compile time.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::array;
///
/// #[differentiable]
/// fn square_sum(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
///     (x * x).sum()
/// }
///
/// fn main() {
///     let x = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
///     square_sum::forward(&x).backward();
///     assert_eq!(x.grad().unwrap(), array![2.0, 4.0, 6.0]);
/// }
/// ```
pub struct Tensor<A, D = IxDyn> {
    data: Array<A, D>,
    requires_grad: bool,
    grad: Mutex<Option<Array<A, D>>>,
}

/// A tensor with no axes: the type of a loss.
pub type Scalar<A> = Tensor<A, Ix0>;

impl<A, D: Dimension> From<Array<A, D>> for Tensor<A, D> {
    fn from(data: Array<A, D>) -> Self {
        Tensor {
            data,
            requires_grad: false,
            grad: Mutex::new(None),
        }
    }
}

impl<A, D: Dimension> Tensor<A, D> {
    /// Wraps an array as a tensor that does not require grad.
    pub fn new(data: Array<A, D>) -> Self {
        Self::from(data)
    }

    /// The data, read-only.
    pub fn data(&self) -> &Array<A, D> {
        &self.data
    }

    /// The data, for writing (an optimizer step, say).
    ///
    /// Takes `&mut self`, so it cannot be called while a graph that borrows
    /// this tensor is alive: changing a value the backward pass still needs is
    /// a compile error.
    pub fn data_mut(&mut self) -> &mut Array<A, D> {
        &mut self.data
    }

    /// Unwraps the data, dropping any stored gradient.
    pub fn into_data(self) -> Array<A, D> {
        self.data
    }

    /// A view of the data.
    pub fn view(&self) -> ArrayView<'_, A, D> {
        self.data.view()
    }

    /// The length of each axis.
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// The shape as a dimension value.
    pub fn raw_dim(&self) -> D {
        self.data.raw_dim()
    }

    /// The shape as a pattern: `usize` for one axis, a tuple for more.
    pub fn dim(&self) -> D::Pattern {
        self.data.dim()
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.data.ndim()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The same data with a dynamic number of axes (a new leaf with no gradient).
    pub fn into_dyn(self) -> Tensor<A, IxDyn> {
        Tensor {
            data: self.data.into_dyn(),
            requires_grad: self.requires_grad,
            grad: Mutex::new(None),
        }
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// A copy of the data that does not require grad and has no gradient
    /// (`torch.Tensor.detach`). Inside a `#[differentiable]` body,
    /// `x.detach()` is a constant: no gradient flows back through it, as
    /// `jax.lax.stop_gradient`.
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::ndarray::array;
    ///
    /// #[differentiable]
    /// fn f(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    ///     // d/dx (x · stop(x)) = stop(x) = x, not 2x.
    ///     (x * &x.detach()).sum()
    /// }
    ///
    /// fn main() {
    ///     let x = Tensor::from(array![1.0, 3.0]).requires_grad();
    ///     assert!(!x.detach().is_requires_grad());
    ///     let (_, g) = f::value_and_grad(&x);
    ///     assert_eq!(g, array![1.0, 3.0]);
    /// }
    /// ```
    pub fn detach(&self) -> Self {
        Tensor {
            data: self.data.clone(),
            requires_grad: false,
            grad: Mutex::new(None),
        }
    }

    /// A tensor of zeros of the given shape.
    pub fn zeros<Sh: ShapeBuilder<Dim = D>>(shape: Sh) -> Self {
        Self::from(Array::zeros(shape))
    }

    /// A tensor of ones of the given shape.
    pub fn ones<Sh: ShapeBuilder<Dim = D>>(shape: Sh) -> Self {
        Self::from(Array::ones(shape))
    }

    /// A tensor filled with `value`.
    pub fn from_elem<Sh: ShapeBuilder<Dim = D>>(shape: Sh, value: A) -> Self {
        Self::from(Array::from_elem(shape, value))
    }

    /// Marks this tensor as a leaf whose gradient `backward()` stores
    /// (PyTorch's `requires_grad=True`). Takes and returns the tensor, as a builder.
    pub fn requires_grad(mut self) -> Self {
        self.requires_grad = true;
        self
    }

    /// Sets whether `backward()` stores a gradient for this leaf
    /// (PyTorch's `requires_grad_(flag)`). An existing gradient is kept.
    pub fn set_requires_grad(&mut self, requires_grad: bool) -> &mut Self {
        self.requires_grad = requires_grad;
        self
    }

    /// Whether `backward()` stores a gradient for this leaf.
    pub fn is_requires_grad(&self) -> bool {
        self.requires_grad
    }

    /// A copy of the accumulated gradient: `None` until a backward pass reaches
    /// this leaf (and after [`zero_grad`](Self::zero_grad)).
    pub fn grad(&self) -> Option<Array<A, D>> {
        self.lock_grad().clone()
    }

    /// Clears the accumulated gradient, so that `grad()` is `None` again
    /// (PyTorch 2's `zero_grad(set_to_none=True)`, its default).
    pub fn zero_grad(&self) {
        *self.lock_grad() = None;
    }

    /// Adds `gradient` into this leaf's gradient slot, as `backward()` does.
    ///
    /// # Panics
    /// If the gradient's shape differs from the tensor's; the message names
    /// both shapes. See [`try_accumulate_grad`](Self::try_accumulate_grad).
    #[track_caller]
    pub fn accumulate_grad(&self, gradient: Array<A, D>) {
        or_panic(self.try_accumulate_grad(gradient))
    }

    /// Like [`accumulate_grad`](Self::accumulate_grad), returning an error on
    /// a shape mismatch. The shape is checked before the slot is locked, so a
    /// bad gradient never poisons the leaf.
    pub fn try_accumulate_grad(&self, gradient: Array<A, D>) -> Result<(), Error> {
        if gradient.shape() != self.data.shape() {
            return Err(shape_mismatch(
                "accumulate_grad",
                self.data.shape(),
                gradient.shape(),
            ));
        }
        let mut slot = self.lock_grad();
        match slot.as_mut() {
            Some(g) => *g += &gradient,
            None => *slot = Some(gradient),
        }
        Ok(())
    }

    /// Runs `f` on the stored gradient in place (if any), under the slot's
    /// lock, copying nothing.
    pub(crate) fn with_grad_slot<R>(&self, f: impl FnOnce(Option<&mut Array<A, D>>) -> R) -> R {
        f(self.lock_grad().as_mut())
    }

    fn lock_grad(&self) -> MutexGuard<'_, Option<Array<A, D>>> {
        // The slot is only written after shapes are checked, so a poisoned
        // lock still holds a consistent value.
        self.grad.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<A: Float> Tensor<A, Ix0> {
    /// A tensor with no axes holding `value`.
    pub fn scalar(value: A) -> Self {
        Self::from(ndarray::arr0(value))
    }

    /// The single element (PyTorch's `.item()`).
    pub fn item(&self) -> A {
        self.data[()]
    }
}

impl<A: Float> Tensor<A, IxDyn> {
    /// A tensor with a dynamic number of axes from a shape and its elements in row-major order.
    ///
    /// # Panics
    /// If `values.len()` is not the product of `shape`; see [`try_from_shape_vec`](Self::try_from_shape_vec).
    #[track_caller]
    pub fn from_shape_vec<Sh: IntoDimension<Dim = IxDyn>>(shape: Sh, values: Vec<A>) -> Self {
        or_panic(Self::try_from_shape_vec(shape, values))
    }

    /// Like [`from_shape_vec`](Self::from_shape_vec), returning an error on a size mismatch.
    pub fn try_from_shape_vec<Sh: IntoDimension<Dim = IxDyn>>(
        shape: Sh,
        values: Vec<A>,
    ) -> Result<Self, Error> {
        let dim = shape.into_dimension();
        let n = values.len();
        Array::from_shape_vec(dim.clone(), values)
            .map(Self::from)
            .map_err(|_| shape_mismatch("from_shape_vec", dim.slice(), &[n]))
    }
}

impl<A: Clone, D: Dimension> Clone for Tensor<A, D> {
    /// Copies the data and the requires-grad flag; the clone is a new leaf with no gradient.
    fn clone(&self) -> Self {
        Tensor {
            data: self.data.clone(),
            requires_grad: self.requires_grad,
            grad: Mutex::new(None),
        }
    }
}

impl<A: fmt::Debug, D: Dimension> fmt::Debug for Tensor<A, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tensor")
            .field("data", &self.data)
            .field("requires_grad", &self.requires_grad)
            .finish()
    }
}

impl<A: fmt::Display, D: Dimension> fmt::Display for Tensor<A, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.data, f)
    }
}

impl<A: PartialEq, D: Dimension> PartialEq for Tensor<A, D> {
    /// Compares the data only.
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}

impl<A, D: Dimension> Tensor<A, D> {
    /// The data, writable, and the stored gradient, readable, at the same
    /// time and without copying either (for optimizers). `&mut self` proves
    /// no one else holds the tensor, so the slot is reached without locking.
    pub(crate) fn data_and_grad_mut(&mut self) -> (&mut Array<A, D>, Option<&Array<A, D>>) {
        let grad = self.grad.get_mut().unwrap_or_else(|e| e.into_inner());
        (&mut self.data, grad.as_ref())
    }
}
