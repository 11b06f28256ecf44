//! Containers of differentiable values: `Vec<T>`, `[T]`, `[T; N]`,
//! `Option<T>` and `Box<T>`, as PyTorch models hold their layers
//! (`nn.ModuleList` is a `Vec<Linear>`, `bias=None` an `Option<Tensor>`).
//!
//! The gradient has the container's shape: a `Vec<T>` has a `Vec` of its
//! elements' gradients (a `Vec<LinearGrad>`, indexable), an `Option<T>` an
//! `Option` of the inner gradient, a `[T; N]` an array of them; a `Box<T>`
//! has `T`'s gradient. A float slice keeps its gradient `Vec<A>`.
//!
//! Elements of one container are told apart by [`Element`]: floats keep
//! only the container's length, other values one shape per element.
//!
//! ```
//! use autograd::prelude::*;
//! use autograd::ndarray::array;
//!
//! let layers = vec![
//!     Tensor::from(array![1.0, 2.0]).requires_grad(),
//!     Tensor::from(array![3.0]).requires_grad(),
//! ];
//! // Two parameters, named by their position as PyTorch's `ModuleList` does.
//! assert_eq!(layers.parameter_names(), ["0", "1"]);
//! assert_eq!(layers.num_parameters(), 3);
//! ```

use crate::params::{join_name, Param, ParamMut, Parameters};
use crate::value::{Differentiable, GradValue};

/// A value that can be an element of a differentiable `Vec`, slice or
/// array: what such a container keeps of its elements' shapes.
///
/// Floats keep the length only (their shape is nothing); tensors and
/// parameter structs keep one shape per element. `#[derive(Parameters)]`
/// implements it for the struct.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an element of a differentiable `Vec`, slice or array",
    note = "elements are floats, tensors, #[derive(Parameters)] structs, and `Option`s, `Box`es and `Vec`s of them"
)]
pub trait Element: Differentiable + Sized {
    /// What a container keeps of its elements' shapes.
    type Shapes: Clone;
    /// The shapes of `items`.
    fn shapes_of(items: &[Self]) -> Self::Shapes;
    /// How many elements the shapes describe.
    fn len_of(shapes: &Self::Shapes) -> usize;
    /// Runs `f` on the shape of element `i`.
    fn with_shape_at<R>(shapes: &Self::Shapes, i: usize, f: impl FnOnce(&Self::Shape) -> R) -> R;
    /// Whether any of `items` needs a gradient.
    fn any_needs_grad(items: &[Self]) -> bool {
        items.iter().any(Differentiable::needs_grad)
    }
    /// Stores each element's gradient into its leaves.
    fn store_grads(items: &[Self], grads: Vec<Self::Grad>) {
        for (x, g) in items.iter().zip(grads) {
            x.store_grad(g);
        }
    }
}

/// `Element` for a value whose container keeps one shape per element
/// (`#[derive(Parameters)]` writes the same impl for a struct).
macro_rules! element_by_shapes {
    ([$($g:tt)*] $t:ty) => {
        impl<$($g)*> crate::container::Element for $t {
            type Shapes = Vec<<Self as crate::Differentiable>::Shape>;
            fn shapes_of(items: &[Self]) -> Self::Shapes {
                items.iter().map(crate::Differentiable::shape_of).collect()
            }
            fn len_of(shapes: &Self::Shapes) -> usize {
                shapes.len()
            }
            fn with_shape_at<R>(
                shapes: &Self::Shapes,
                i: usize,
                f: impl FnOnce(&<Self as crate::Differentiable>::Shape) -> R,
            ) -> R {
                f(&shapes[i])
            }
        }
    };
}

/// `Element` for a value without a shape (floats, constants): a container
/// keeps its length; nothing in it is a leaf.
macro_rules! element_by_length {
    ($($t:ty),*) => {$(
        impl crate::container::Element for $t {
            type Shapes = usize;
            #[inline]
            fn shapes_of(items: &[Self]) -> usize {
                items.len()
            }
            #[inline]
            fn len_of(shapes: &usize) -> usize {
                *shapes
            }
            #[inline]
            fn with_shape_at<R>(_: &usize, _: usize, f: impl FnOnce(&()) -> R) -> R {
                f(&())
            }
            #[inline]
            fn any_needs_grad(_: &[Self]) -> bool {
                false
            }
            #[inline]
            fn store_grads(_: &[Self], _: Vec<Self::Grad>) {}
        }
    )*};
}
pub(crate) use element_by_length;

fn grads_of<T: Element>(shapes: &T::Shapes, g: impl Fn(&T::Shape) -> T::Grad) -> Vec<T::Grad> {
    (0..T::len_of(shapes))
        .map(|i| T::with_shape_at(shapes, i, &g))
        .collect()
}

fn finish_all<T: Element>(grads: &mut [T::Grad], shapes: &T::Shapes) {
    for (i, g) in grads.iter_mut().enumerate() {
        T::with_shape_at(shapes, i, |s| T::finish_grad(g, s));
    }
}

macro_rules! sequence {
    ($([$($g:tt)*] $t:ty;)*) => {$(
        /// Differentiable element by element: the gradient is a `Vec` of the
        /// elements' gradients (a `Vec<A>` for floats).
        impl<$($g)*> Differentiable for $t {
            type Grad = Vec<T::Grad>;
            type Shape = T::Shapes;
            #[inline]
            fn shape_of(&self) -> T::Shapes {
                T::shapes_of(self)
            }
            #[inline]
            fn zero_grad_of(shapes: &T::Shapes) -> Vec<T::Grad> {
                grads_of::<T>(shapes, T::zero_grad_of)
            }
            fn needs_grad(&self) -> bool {
                T::any_needs_grad(self)
            }
            fn store_grad(&self, gradient: Vec<T::Grad>) {
                T::store_grads(self, gradient)
            }
            fn unreached_grad_of(shapes: &T::Shapes) -> Vec<T::Grad> {
                grads_of::<T>(shapes, T::unreached_grad_of)
            }
            fn finish_grad(gradient: &mut Vec<T::Grad>, shapes: &T::Shapes) {
                finish_all::<T>(gradient, shapes)
            }
        }
    )*};
}

sequence! {
    [T: Element] [T];
    [T: Element] Vec<T>;
}

/// Differentiable element by element: the gradient is an array of the
/// elements' gradients (`[A; N]` for floats).
impl<T: Element, const N: usize> Differentiable for [T; N] {
    type Grad = [T::Grad; N];
    type Shape = T::Shapes;
    #[inline]
    fn shape_of(&self) -> T::Shapes {
        T::shapes_of(self)
    }
    #[inline]
    fn zero_grad_of(shapes: &T::Shapes) -> [T::Grad; N] {
        core::array::from_fn(|i| T::with_shape_at(shapes, i, T::zero_grad_of))
    }
    fn needs_grad(&self) -> bool {
        T::any_needs_grad(self)
    }
    fn store_grad(&self, gradient: [T::Grad; N]) {
        T::store_grads(self, gradient.into_iter().collect())
    }
    fn unreached_grad_of(shapes: &T::Shapes) -> [T::Grad; N] {
        core::array::from_fn(|i| T::with_shape_at(shapes, i, T::unreached_grad_of))
    }
    fn finish_grad(gradient: &mut [T::Grad; N], shapes: &T::Shapes) {
        finish_all::<T>(gradient, shapes)
    }
}

/// An optional value (`bias: Option<Tensor<f32, Ix1>>`): `None` has no
/// gradient and no parameter.
impl<T: Differentiable> Differentiable for Option<T> {
    type Grad = Option<T::Grad>;
    type Shape = Option<T::Shape>;
    fn shape_of(&self) -> Option<T::Shape> {
        self.as_ref().map(T::shape_of)
    }
    fn zero_grad_of(shape: &Option<T::Shape>) -> Option<T::Grad> {
        shape.as_ref().map(T::zero_grad_of)
    }
    fn needs_grad(&self) -> bool {
        self.as_ref().is_some_and(T::needs_grad)
    }
    fn store_grad(&self, gradient: Option<T::Grad>) {
        if let (Some(x), Some(g)) = (self, gradient) {
            x.store_grad(g)
        }
    }
    fn unreached_grad_of(shape: &Option<T::Shape>) -> Option<T::Grad> {
        shape.as_ref().map(T::unreached_grad_of)
    }
    fn finish_grad(gradient: &mut Option<T::Grad>, shape: &Option<T::Shape>) {
        if let (Some(g), Some(s)) = (gradient, shape) {
            T::finish_grad(g, s)
        }
    }
}

impl<G: GradValue> GradValue for Option<G> {
    fn accumulate(&mut self, other: Self) {
        match (self.as_mut(), other) {
            (Some(a), Some(b)) => a.accumulate(b),
            (None, Some(b)) => *self = Some(b),
            (_, None) => {}
        }
    }
}

/// A boxed value is the value: its gradient is the value's.
impl<T: Differentiable> Differentiable for Box<T> {
    type Grad = T::Grad;
    type Shape = T::Shape;
    fn shape_of(&self) -> T::Shape {
        (**self).shape_of()
    }
    fn zero_grad_of(shape: &T::Shape) -> T::Grad {
        T::zero_grad_of(shape)
    }
    fn needs_grad(&self) -> bool {
        (**self).needs_grad()
    }
    fn store_grad(&self, gradient: T::Grad) {
        (**self).store_grad(gradient)
    }
    fn mark_reached(gradient: &mut T::Grad, name: &str) {
        T::mark_reached(gradient, name)
    }
    fn is_reached(gradient: &T::Grad, name: &str) -> bool {
        T::is_reached(gradient, name)
    }
    fn unreached_grad_of(shape: &T::Shape) -> T::Grad {
        T::unreached_grad_of(shape)
    }
    fn finish_grad(gradient: &mut T::Grad, shape: &T::Shape) {
        T::finish_grad(gradient, shape)
    }
}

element_by_shapes!([T: Element] Vec<T>);
element_by_shapes!([T: Differentiable] Option<T>);
element_by_shapes!([T: Differentiable] Box<T>);
element_by_shapes!([A: crate::Float, D: ndarray::Dimension] crate::Tensor<A, D>);

impl<T: crate::method::HasMethods + ?Sized> crate::method::HasMethods for Box<T> {
    type Receiver = T::Receiver;
    #[inline(always)]
    fn as_receiver(&self) -> &T::Receiver {
        (**self).as_receiver()
    }
}

/// The parameters of each element, named by position (`layers.0.weight`,
/// as PyTorch names the modules of an `nn.ModuleList`).
macro_rules! parameters_by_position {
    ($([$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> Parameters for $t {
            type Elem = T::Elem;
            fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<T::Elem>)) {
                for (i, x) in self.iter().enumerate() {
                    x.visit(&join_name(prefix, &i.to_string()), f);
                }
            }
            fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<T::Elem>)) {
                for (i, x) in self.iter_mut().enumerate() {
                    x.visit_mut(&join_name(prefix, &i.to_string()), f);
                }
            }
        }
    )*};
}

parameters_by_position! {
    [T: Parameters + Element] Vec<T>;
    [T: Parameters + Element, const N: usize] [T; N];
}

/// The parameters inside, under the option's own name; `None` has none.
impl<T: Parameters> Parameters for Option<T> {
    type Elem = T::Elem;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<T::Elem>)) {
        if let Some(x) = self {
            x.visit(prefix, f);
        }
    }
    fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<T::Elem>)) {
        if let Some(x) = self {
            x.visit_mut(prefix, f);
        }
    }
}

/// The parameters of the boxed value, under the box's own name.
impl<T: Parameters> Parameters for Box<T> {
    type Elem = T::Elem;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<T::Elem>)) {
        (**self).visit(prefix, f);
    }
    fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<T::Elem>)) {
        (**self).visit_mut(prefix, f);
    }
}

#[cfg(test)]
mod tests;
