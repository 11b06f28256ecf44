//! Reading parts of a value and changing its axes: derivative rules.
//!
//! Reading a part of `x` copies some of its elements to the output, so the
//! adjoint puts the output's gradient `d` back where those elements came
//! from and zeros everywhere else:
//!
//! | op | `y` | input's gradient |
//! |----|-----|------------------|
//! | `x[i]` | `xᵢ` | `d` at `i`, 0 elsewhere |
//! | `x.index_axis(k, i)` | `x[.., i, ..]` (axis `k` dropped) | `d` in `g[.., i, ..]`, 0 elsewhere |
//! | `x.slice_axis(k, s)` | `x[.., s, ..]` | `d` in `g[.., s, ..]`, 0 elsewhere |
//! | `x.insert_axis(k)` | `x` with a new axis of length 1 at `k` | `d` with axis `k` removed |
//! | `x.broadcast(shape)` | `x` repeated to `shape` | `d` summed over the repeated axes |
//!
//! The reads `x[i]`, `index_axis` and `slice_axis` add their gradient into
//! the operand's adjoint in place (`rev0_into`): zeros are allocated once, the
//! first time a part of the operand gets a gradient, so a loop that reads
//! every element of an `n`-element slice costs `O(n)` in the backward pass,
//! not `O(n²)`. All the backward functions read only the operand's shape.

use std::ops::Index;

use ndarray::{Array, Axis, Dimension, IntoDimension, NdIndex, RemoveAxis, Slice};

use crate::broadcast::unbroadcast;
use crate::error::{check_axis, or_panic, Error};
use crate::float::Float;
use crate::real::Real;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf, Meta};

use super::decl::{ArgKind, Cap as C, OpDecl, Reads as R};

#[rustfmt::skip]
/// Element reads, views and broadcasts, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "index_axis", rule: "IndexAxisRule", args: &[ArgKind::Const, ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0), R::Const(1)]], caps: &[C::Into, C::View] },
    OpDecl { name: "slice_axis", rule: "SliceAxisRule", args: &[ArgKind::Const, ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0), R::Const(1)]], caps: &[C::Into, C::View] },
    OpDecl { name: "insert_axis", rule: "InsertAxisRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[C::View] },
    OpDecl { name: "broadcast", rule: "BroadcastRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[] },
    OpDecl { name: "index", rule: "IndexRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[C::Into] },
];

// ---- x[i] -------------------------------------------------------------------

/// The rule of `x[i]`, reading one element: `y = xᵢ`, `∂y/∂xⱼ = [i = j]`.
///
/// Implemented for float slices and `Vec`s with `I = usize`, and for tensors
/// with any ndarray index (`t[[i, j]]`, `t[(i, j)]`, `t[i]` for one axis).
pub trait IndexRule<I>: Differentiable {
    /// The element type.
    type Output: Differentiable;
    /// The element at `index`.
    ///
    /// # Panics
    /// If `index` is out of bounds.
    fn fwd(&self, index: &I) -> Self::Output;
    /// Adds the gradient of `x` into `slot`: `d` at `index` (zeros elsewhere
    /// are allocated only if the slot is still empty), reading only the shape
    /// of `x`.
    fn rev0_into(
        slot: &mut Option<Self::Grad>,
        x: &Meta<Self>,
        index: &I,
        d: &GradOf<Self::Output>,
    );
    /// Forward mode: the output's tangent, the tangent's element at `index`
    /// (a sub-slice of it, for a range).
    fn tan0(x: &Meta<Self>, index: &I, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Real> IndexRule<usize> for [A] {
    type Output = A;
    #[inline]
    #[track_caller]
    fn fwd(&self, index: &usize) -> A {
        self[*index]
    }
    #[inline]
    fn rev0_into(slot: &mut Option<Vec<A>>, x: &Meta<[A]>, index: &usize, d: &A) {
        slot.get_or_insert_with(|| vec![A::zero(); x.0])[*index] += *d;
    }
    #[inline]
    fn tan0(_: &Meta<[A]>, index: &usize, t: &Vec<A>) -> A {
        t[*index]
    }
}

impl<A: Real> IndexRule<usize> for Vec<A> {
    type Output = A;
    #[inline]
    #[track_caller]
    fn fwd(&self, index: &usize) -> A {
        self[*index]
    }
    #[inline]
    fn rev0_into(slot: &mut Option<Vec<A>>, x: &Meta<Vec<A>>, index: &usize, d: &A) {
        slot.get_or_insert_with(|| vec![A::zero(); x.0])[*index] += *d;
    }
    #[inline]
    fn tan0(_: &Meta<Vec<A>>, index: &usize, t: &Vec<A>) -> A {
        t[*index]
    }
}

impl<A: Float, D: Dimension, I: NdIndex<D> + Clone> IndexRule<I> for Tensor<A, D> {
    type Output = A;
    #[inline]
    #[track_caller]
    fn fwd(&self, index: &I) -> A {
        self[index.clone()]
    }
    #[inline]
    fn rev0_into(slot: &mut Option<Array<A, D>>, x: &Meta<Self>, index: &I, d: &A) {
        slot.get_or_insert_with(|| Array::zeros(x.0.clone()))[index.clone()] += *d;
    }
    #[inline]
    fn tan0(_: &Meta<Self>, index: &I, t: &Array<A, D>) -> A {
        t[index.clone()]
    }
}

/// `t[[i, j]]`: the element at an index (an array or tuple of `usize`, or a
/// `usize` for a tensor with one axis), as ndarray's indexing. In a
/// `#[differentiable]` body its derivative rule is [`IndexRule`].
///
/// # Panics
/// If the index is out of bounds; the message names the tensor's shape.
impl<A, D: Dimension, I: NdIndex<D>> Index<I> for Tensor<A, D> {
    type Output = A;
    #[track_caller]
    fn index(&self, index: I) -> &A {
        match self.data().get(index) {
            Some(a) => a,
            None => panic!(
                "index: index out of bounds for a tensor of shape {:?}",
                self.shape()
            ),
        }
    }
}

// ---- index_axis ---------------------------------------------------------------

/// Checks that `index` is an index of axis `axis` of a tensor of shape `shape`.
fn check_index(op: &'static str, shape: &[usize], axis: Axis, index: usize) -> Result<(), Error> {
    check_axis(op, axis.index(), shape)?;
    let len = shape[axis.index()];
    if index < len {
        Ok(())
    } else {
        Err(Error::IndexOutOfRange {
            op,
            axis: axis.index(),
            index,
            len,
            shape: shape.to_vec(),
        })
    }
}

/// The rule of `x.index_axis(axis, i)`: the sub-array at index `i` along
/// `axis`, which is dropped: `y[..] = x[.., i, ..]`,
/// `∂y[..]/∂x[.., j, ..] = [i = j]`.
pub trait IndexAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The sub-array, as a new tensor.
    ///
    /// # Panics
    /// If `axis` is not an axis of `x` or `index` is out of range for it; the
    /// message names the axis, the index and the shape.
    fn fwd(&self, axis: &Axis, index: &usize) -> Self::Output;
    /// Adds the gradient of `x` into `slot`: `d` in the sub-array at `index`
    /// along `axis`, reading only the shape of `x`.
    fn rev0_into(
        slot: &mut Option<Self::Grad>,
        x: &Meta<Self>,
        axis: &Axis,
        index: &usize,
        d: &GradOf<Self::Output>,
    );
    /// Forward mode: the output's tangent, the tangent's sub-array at `index`.
    fn tan0(x: &Meta<Self>, axis: &Axis, index: &usize, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: RemoveAxis> IndexAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;
    #[track_caller]
    fn fwd(&self, axis: &Axis, index: &usize) -> Tensor<A, D::Smaller> {
        or_panic(check_index("index_axis", self.shape(), *axis, *index));
        Tensor::from(self.data().index_axis(*axis, *index).to_owned())
    }
    fn rev0_into(
        slot: &mut Option<Array<A, D>>,
        x: &Meta<Self>,
        axis: &Axis,
        index: &usize,
        d: &Array<A, D::Smaller>,
    ) {
        let g = slot.get_or_insert_with(|| Array::zeros(x.0.clone()));
        let mut part = g.index_axis_mut(*axis, *index);
        part += d;
    }
    fn tan0(_: &Meta<Self>, axis: &Axis, index: &usize, t: &Array<A, D>) -> Array<A, D::Smaller> {
        t.index_axis(*axis, *index).to_owned()
    }
}

impl<A: Float, D: RemoveAxis> Tensor<A, D> {
    /// The sub-array at `index` along `axis`, which is dropped, as a new
    /// tensor (ndarray's `index_axis`, owned); the derivative rule is
    /// [`IndexAxisRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor or `index` is out of range for
    /// it; the message names the axis, the index and the shape. See
    /// [`try_index_axis`](Self::try_index_axis).
    #[track_caller]
    pub fn index_axis(&self, axis: Axis, index: usize) -> Tensor<A, D::Smaller> {
        IndexAxisRule::fwd(self, &axis, &index)
    }

    /// Like [`index_axis`](Self::index_axis), returning
    /// [`Error::AxisOutOfRange`] or [`Error::IndexOutOfRange`] instead of panicking.
    pub fn try_index_axis(&self, axis: Axis, index: usize) -> Result<Tensor<A, D::Smaller>, Error> {
        check_index("index_axis", self.shape(), axis, index)?;
        Ok(IndexAxisRule::fwd(self, &axis, &index))
    }
}

// ---- slice_axis ---------------------------------------------------------------

/// Checks `slice` against axis `axis` of a tensor of shape `shape`, as
/// ndarray's `slice_axis` does: a negative start or end counts from the end of
/// the axis, both must lie in `0..=len` once resolved, an end before the
/// start gives an empty slice, and the step must not be zero.
fn check_slice(op: &'static str, shape: &[usize], axis: Axis, slice: Slice) -> Result<(), Error> {
    check_axis(op, axis.index(), shape)?;
    let len = shape[axis.index()];
    let invalid = |reason| Error::InvalidSlice {
        op,
        axis: axis.index(),
        start: slice.start,
        end: slice.end,
        step: slice.step,
        shape: shape.to_vec(),
        reason,
    };
    // `len - |i|` for a negative bound, `i` otherwise, must lie in `0..=len`.
    let in_range = |i: isize| i.unsigned_abs() <= len;
    if slice.step == 0 {
        Err(invalid("the step is zero"))
    } else if !in_range(slice.start) {
        Err(invalid("the start is out of range"))
    } else if !slice.end.is_none_or(in_range) {
        Err(invalid("the end is out of range"))
    } else {
        Ok(())
    }
}

/// The rule of `x.slice_axis(axis, s)`: the elements at the positions of the
/// slice `s` along `axis` (ndarray's [`Slice`]: start, end, step; negative
/// start and end count from the end, a negative step reverses):
/// `y[.., j, ..] = x[.., sⱼ, ..]`, `∂y[.., j, ..]/∂x[.., i, ..] = [i = sⱼ]`.
pub trait SliceAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The slice, as a new tensor.
    ///
    /// # Panics
    /// If `axis` is not an axis of `x`, the slice is out of range for it, or
    /// its step is zero; the message names the axis, the slice and the shape.
    fn fwd(&self, axis: &Axis, slice: &Slice) -> Self::Output;
    /// Adds the gradient of `x` into `slot`: `d` at the positions of the
    /// slice, reading only the shape of `x`.
    fn rev0_into(
        slot: &mut Option<Self::Grad>,
        x: &Meta<Self>,
        axis: &Axis,
        slice: &Slice,
        d: &GradOf<Self::Output>,
    );
    /// Forward mode: the output's tangent, the same slice of the tangent.
    fn tan0(x: &Meta<Self>, axis: &Axis, slice: &Slice, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: Dimension> SliceAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D>;
    #[track_caller]
    fn fwd(&self, axis: &Axis, slice: &Slice) -> Tensor<A, D> {
        or_panic(check_slice("slice_axis", self.shape(), *axis, *slice));
        Tensor::from(self.data().slice_axis(*axis, *slice).to_owned())
    }
    fn rev0_into(
        slot: &mut Option<Array<A, D>>,
        x: &Meta<Self>,
        axis: &Axis,
        slice: &Slice,
        d: &Array<A, D>,
    ) {
        let g = slot.get_or_insert_with(|| Array::zeros(x.0.clone()));
        let mut part = g.slice_axis_mut(*axis, *slice);
        part += d;
    }
    fn tan0(_: &Meta<Self>, axis: &Axis, slice: &Slice, t: &Array<A, D>) -> Array<A, D> {
        t.slice_axis(*axis, *slice).to_owned()
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The elements at the positions of `slice` along `axis`, as a new tensor
    /// (ndarray's `slice_axis`, owned); the derivative rule is [`SliceAxisRule`].
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::ndarray::{array, Slice};
    ///
    /// let t = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// let s = t.slice_axis(Axis(1), Slice::from(1..));
    /// assert_eq!(s.data(), &array![[2.0, 3.0], [5.0, 6.0]]);
    /// ```
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor, the slice is out of range for
    /// it, or its step is zero; the message names the axis, the slice and the
    /// shape. See [`try_slice_axis`](Self::try_slice_axis).
    #[track_caller]
    pub fn slice_axis(&self, axis: Axis, slice: Slice) -> Tensor<A, D> {
        SliceAxisRule::fwd(self, &axis, &slice)
    }

    /// Like [`slice_axis`](Self::slice_axis), returning
    /// [`Error::AxisOutOfRange`] or [`Error::InvalidSlice`] instead of panicking.
    pub fn try_slice_axis(&self, axis: Axis, slice: Slice) -> Result<Tensor<A, D>, Error> {
        check_slice("slice_axis", self.shape(), axis, slice)?;
        Ok(SliceAxisRule::fwd(self, &axis, &slice))
    }
}

// ---- insert_axis --------------------------------------------------------------

/// Checks that a new axis can be inserted at `axis` (`0..=ndim`).
fn check_new_axis(op: &'static str, shape: &[usize], axis: Axis) -> Result<(), Error> {
    if axis.index() <= shape.len() {
        Ok(())
    } else {
        Err(Error::AxisOutOfRange {
            op,
            axis: axis.index(),
            ndim: shape.len(),
            shape: shape.to_vec(),
        })
    }
}

/// The rule of `x.insert_axis(axis)`: the same elements with a new axis of
/// length 1 at `axis` (PyTorch's `unsqueeze`): `y[.., 0, ..] = x[..]`; the
/// input's gradient is `d` with that axis removed.
pub trait InsertAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The value with the new axis, as a new tensor.
    ///
    /// # Panics
    /// If `axis` is greater than the number of axes of `x`; the message names
    /// the axis and the shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The input's gradient: `d` without the axis, reading only the shape of `x`.
    fn rev0(x: &Meta<Self>, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the tangent with the new axis.
    fn tan0(x: &Meta<Self>, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: Dimension> InsertAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Larger>;
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Larger> {
        or_panic(check_new_axis("insert_axis", self.shape(), *axis));
        Tensor::from(self.data().view().insert_axis(*axis).to_owned())
    }
    fn rev0(x: &Meta<Self>, axis: &Axis, d: &Array<A, D::Larger>) -> Array<A, D> {
        d.index_axis(*axis, 0)
            .into_dimensionality::<D>()
            .expect("removing the inserted axis gives the input's dimension")
            .to_owned()
            .into_shape_with_order(x.0.clone())
            .expect("removing the inserted axis gives the input's shape")
    }
    fn tan0(_: &Meta<Self>, axis: &Axis, t: &Array<A, D>) -> Array<A, D::Larger> {
        t.view().insert_axis(*axis).to_owned()
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The same elements with a new axis of length 1 at `axis` (PyTorch's
    /// `unsqueeze`), as a new tensor; the derivative rule is [`InsertAxisRule`].
    ///
    /// # Panics
    /// If `axis` is greater than the number of axes; the message names the
    /// axis and the shape. See [`try_insert_axis`](Self::try_insert_axis).
    #[track_caller]
    pub fn insert_axis(&self, axis: Axis) -> Tensor<A, D::Larger> {
        InsertAxisRule::fwd(self, &axis)
    }

    /// Like [`insert_axis`](Self::insert_axis), returning
    /// [`Error::AxisOutOfRange`] instead of panicking.
    pub fn try_insert_axis(&self, axis: Axis) -> Result<Tensor<A, D::Larger>, Error> {
        check_new_axis("insert_axis", self.shape(), axis)?;
        Ok(InsertAxisRule::fwd(self, &axis))
    }
}

// ---- broadcast ----------------------------------------------------------------

/// `x` repeated to `shape` (NumPy's rules: axes are aligned on the right,
/// missing leading axes and axes of length 1 are repeated), or
/// [`Error::IncompatibleShapes`] naming both shapes.
fn broadcast_to<A: Float, D: Dimension, E: Dimension>(
    x: &Array<A, D>,
    shape: E,
) -> Result<Array<A, E>, Error> {
    match x.broadcast(shape.clone()) {
        Some(view) => Ok(view.to_owned()),
        None => Err(Error::IncompatibleShapes {
            op: "broadcast",
            lhs: x.shape().to_vec(),
            rhs: shape.slice().to_vec(),
            reason: "the tensor's shape does not broadcast to the requested shape",
        }),
    }
}

/// The rule of `x.broadcast(shape)`: `x` repeated to `shape` (missing
/// leading axes and axes of length 1 are repeated, as in NumPy):
/// `y[i] = x[π(i)]` where `π` maps an index of the output to the element it
/// repeats; the input's gradient is `gⱼ = Σ_{i: π(i) = j} dᵢ`, `d` summed over
/// the repeated axes.
pub trait BroadcastRule<E: IntoDimension + Clone>: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The broadcast value, as a new tensor (an owned copy).
    ///
    /// # Panics
    /// If the shape of `x` does not broadcast to `shape`; the message names
    /// both shapes.
    fn fwd(&self, shape: &E) -> Self::Output;
    /// The input's gradient: `d` summed back to the shape of `x`, reading only
    /// that shape.
    fn rev0(x: &Meta<Self>, shape: &E, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the tangent repeated to `shape`.
    fn tan0(x: &Meta<Self>, shape: &E, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: Dimension, E: IntoDimension + Clone> BroadcastRule<E> for Tensor<A, D> {
    type Output = Tensor<A, E::Dim>;
    #[track_caller]
    fn fwd(&self, shape: &E) -> Tensor<A, E::Dim> {
        Tensor::from(or_panic(broadcast_to(
            self.data(),
            shape.clone().into_dimension(),
        )))
    }
    fn rev0(x: &Meta<Self>, _: &E, d: &Array<A, E::Dim>) -> Array<A, D> {
        unbroadcast(d, &x.0)
    }
    fn tan0(_: &Meta<Self>, shape: &E, t: &Array<A, D>) -> Array<A, E::Dim> {
        or_panic(broadcast_to(t, shape.clone().into_dimension()))
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The tensor repeated to `shape` (a `usize`, a tuple, an array or a `Vec`
    /// of lengths), as a new tensor: axes are aligned on the right, and
    /// missing leading axes and axes of length 1 are repeated, as NumPy's and
    /// PyTorch's `broadcast_to`. The derivative rule is [`BroadcastRule`].
    ///
    /// # Panics
    /// If the tensor's shape does not broadcast to `shape`; the message names
    /// both shapes. See [`try_broadcast`](Self::try_broadcast).
    #[track_caller]
    pub fn broadcast<E: IntoDimension + Clone>(&self, shape: E) -> Tensor<A, E::Dim> {
        BroadcastRule::fwd(self, &shape)
    }

    /// Like [`broadcast`](Self::broadcast), returning
    /// [`Error::IncompatibleShapes`] instead of panicking.
    pub fn try_broadcast<E: IntoDimension + Clone>(
        &self,
        shape: E,
    ) -> Result<Tensor<A, E::Dim>, Error> {
        broadcast_to(self.data(), shape.into_dimension()).map(Tensor::from)
    }
}

#[cfg(test)]
mod tangent_tests;
#[cfg(test)]
mod tests;
