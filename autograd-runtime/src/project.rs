//! Parts of a model borrowed in place inside `#[differentiable]` bodies:
//! `self.layers[i]`, each `layer` of `for layer in &self.layers`, the `b`
//! of `if let Some(b) = &self.bias`, and fields that are not parameters.
//!
//! A part is a borrow of the argument, not a copy: the forward pass reads
//! it where it is, and the reverse sweep takes it again from the argument
//! passed to the pullback. Its gradient is added into the container's
//! gradient at the same place (an element of a `Vec` of gradients, the
//! `Some` of an `Option`); the other places stay unreached, so that
//! `backward()` leaves their leaves' gradients `None`, as PyTorch does.

use ndarray::{Dimension, NdIndex};

use crate::container::Element;
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf, GradValue};

/// Borrowing element `index` of a differentiated container in place.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be indexed by `{I}` in a differentiated body",
    note = "index `Vec`s, slices and arrays of layers or tensors with a `usize`, and tensors with an ndarray index"
)]
pub trait ProjectIndex<I>: Differentiable {
    /// The element's type.
    type Item: Differentiable + ?Sized;
    /// The element at `index`.
    ///
    /// # Panics
    /// If `index` is out of bounds.
    fn project(&self, index: &I) -> &Self::Item;
    /// Adds the element's gradient into the container's, at `index`.
    fn accumulate_at(
        slot: &mut Option<Self::Grad>,
        base: &Self,
        index: &I,
        gradient: GradOf<Self::Item>,
    );
}

macro_rules! project_sequence {
    ($([$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> ProjectIndex<usize> for $t {
            type Item = T;
            #[inline]
            #[track_caller]
            fn project(&self, index: &usize) -> &T {
                &self[*index]
            }
            #[inline]
            fn accumulate_at(slot: &mut Option<Self::Grad>, base: &Self, index: &usize, gradient: T::Grad) {
                let g = slot.get_or_insert_with(|| Self::unreached_grad_of(&base.shape_of()));
                g[*index].accumulate(gradient);
            }
        }
    )*};
}

project_sequence! {
    [T: Element] [T];
    [T: Element] Vec<T>;
    [T: Element, const N: usize] [T; N];
}

/// `&layers[1..]`, `&layers[..n - 1]`: a sub-slice, borrowed; its gradient
/// is added into the elements it covers.
macro_rules! project_range {
    ($($r:ty),*) => {$(
        impl<T: Element> ProjectIndex<$r> for [T] {
            type Item = [T];
            #[inline]
            #[track_caller]
            fn project(&self, range: &$r) -> &[T] {
                &self[range.clone()]
            }
            fn accumulate_at(slot: &mut Option<Vec<T::Grad>>, base: &Self, range: &$r, gradient: Vec<T::Grad>) {
                let g = slot.get_or_insert_with(|| Self::unreached_grad_of(&base.shape_of()));
                for (a, b) in g[range.clone()].iter_mut().zip(gradient) {
                    a.accumulate(b);
                }
            }
        }

        impl<T: Element> ProjectIndex<$r> for Vec<T> {
            type Item = [T];
            #[inline]
            #[track_caller]
            fn project(&self, range: &$r) -> &[T] {
                &self[range.clone()]
            }
            fn accumulate_at(slot: &mut Option<Vec<T::Grad>>, base: &Self, range: &$r, gradient: Vec<T::Grad>) {
                <[T] as ProjectIndex<$r>>::accumulate_at(slot, base, range, gradient)
            }
        }
    )*};
}

project_range!(
    std::ops::Range<usize>,
    std::ops::RangeFrom<usize>,
    std::ops::RangeTo<usize>,
    std::ops::RangeInclusive<usize>,
    std::ops::RangeToInclusive<usize>,
    std::ops::RangeFull
);

impl<A: Float, D: Dimension, I: NdIndex<D> + Clone> ProjectIndex<I> for Tensor<A, D> {
    type Item = A;
    #[inline]
    #[track_caller]
    fn project(&self, index: &I) -> &A {
        &self.data()[index.clone()]
    }
    #[inline]
    fn accumulate_at(slot: &mut Option<Self::Grad>, base: &Self, index: &I, gradient: A) {
        let g = slot.get_or_insert_with(|| Self::zero_grad_of(&base.shape_of()));
        g[index.clone()] += gradient;
    }
}

/// Borrowing the value inside a differentiated `Some` in place
/// (`if let Some(b) = &self.bias`).
pub trait ProjectSome: Differentiable {
    /// The value's type.
    type Item: Differentiable;
    /// The value inside.
    ///
    /// # Panics
    /// If there is none (generated code borrows it only in the arm that
    /// matched `Some`).
    fn project_some(&self) -> &Self::Item;
    /// Adds the value's gradient into the option's.
    fn accumulate_some(slot: &mut Option<Self::Grad>, base: &Self, gradient: GradOf<Self::Item>);
}

impl<T: Differentiable> ProjectSome for Option<T> {
    type Item = T;
    #[inline]
    fn project_some(&self) -> &T {
        self.as_ref()
            .expect("autograd: the reverse sweep takes again the `Some` the forward pass matched")
    }
    #[inline]
    fn accumulate_some(slot: &mut Option<Option<T::Grad>>, base: &Self, gradient: T::Grad) {
        let g = slot.get_or_insert_with(|| Self::unreached_grad_of(&base.shape_of()));
        match g {
            Some(g) => g.accumulate(gradient),
            None => *g = Some(gradient),
        }
    }
}

/// The gradient field of a struct field that is not a parameter (a
/// hyperparameter, a flag, an enum): gradients that reach it are dropped,
/// as PyTorch keeps none for attributes that are not `nn.Parameter`s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Constant;

/// Where the gradient of one field of a struct goes (see
/// [`accumulate_field`](crate::value::accumulate_field)).
pub trait FieldSlot<G> {
    /// Puts `gradient` here: replaces what is here if the field was not
    /// reached yet (`first`), adds to it otherwise.
    fn put(&mut self, gradient: G, first: bool);
}

impl<G: GradValue> FieldSlot<G> for G {
    #[inline]
    fn put(&mut self, gradient: G, first: bool) {
        if first {
            *self = gradient;
        } else {
            self.accumulate(gradient);
        }
    }
}

impl<G> FieldSlot<G> for Constant {
    #[inline]
    fn put(&mut self, _: G, _: bool) {}
}

#[cfg(test)]
mod tests;
