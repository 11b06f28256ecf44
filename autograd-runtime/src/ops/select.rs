//! Maxima, minima and clamping: derivative rules.
//!
//! Each of these ops selects one of its inputs, so the gradient goes to the
//! selected input; where several inputs tie, it is split evenly among them,
//! as in PyTorch:
//!
//! | op | `y` | gradient |
//! |----|-----|----------|
//! | `x.max_axis(k)` | `maxⱼ x[.., j, ..]` | `d / m` to each of the `m` elements equal to `y`, 0 to the others |
//! | `x.min_axis(k)` | `minⱼ x[.., j, ..]` | `d / m` to each of the `m` elements equal to `y`, 0 to the others |
//! | `x.maximum(&y)` | `max(x, y)` elementwise | `d` to the larger, `d/2` to each where `x = y` |
//! | `x.minimum(&y)` | `min(x, y)` elementwise | `d` to the smaller, `d/2` to each where `x = y` |
//! | `x.clamp(lo, hi)` | `min(max(x, lo), hi)` | `d` where `lo < x < hi`, 0 elsewhere (also at `lo` and `hi`) |
//!
//! NaN: tensor ops propagate it as PyTorch does (`max_axis` of a lane with a
//! NaN is NaN, `maximum(NaN, 1)` is NaN) and give the gradient to the NaN
//! elements; `x.max(y)` on floats follows `f64::max`, which ignores a NaN
//! operand, and gives the gradient to the operand it returned.

use ndarray::{Array, Axis, DimMax, Dimension, IxDyn, RemoveAxis, Zip};

use super::arith::check_broadcast;
use super::tangent::{zip3, Collect};
use crate::broadcast::{broadcast_shapes, unbroadcast};
use crate::error::{check_axis, or_panic, Error};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf};

use super::decl::{ArgKind, OpDecl, Reads as R};

#[rustfmt::skip]
/// Selections, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "max_axis", rule: "MaxAxisRule", args: &[ArgKind::Const], reads: &[&[R::Value(0), R::Output, R::Const(0)]], caps: &[] },
    OpDecl { name: "min_axis", rule: "MinAxisRule", args: &[ArgKind::Const], reads: &[&[R::Value(0), R::Output, R::Const(0)]], caps: &[] },
    OpDecl { name: "maximum", rule: "MaximumRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Value(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "minimum", rule: "MinimumRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Value(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "max", rule: "MaximumRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Value(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "min", rule: "MinimumRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Value(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "clamp", rule: "ClampRule", args: &[ArgKind::Const, ArgKind::Const], reads: &[&[R::Value(0), R::Const(0), R::Const(1)]], caps: &[] },
];

// ---- shared helpers ---------------------------------------------------------

/// Which extreme an op selects.
#[derive(Clone, Copy)]
enum Extreme {
    Max,
    Min,
}

impl Extreme {
    /// Whether `a` is strictly beyond `b` (larger for `Max`, smaller for `Min`).
    #[inline]
    fn beats<A: Float>(self, a: A, b: A) -> bool {
        match self {
            Extreme::Max => a > b,
            Extreme::Min => a < b,
        }
    }

    /// The extreme of `a` and `b`, NaN if either is NaN (PyTorch's `maximum`).
    #[inline]
    fn pick_nan<A: Float>(self, a: A, b: A) -> A {
        if a.is_nan() || self.beats(a, b) || a == b {
            a
        } else {
            b
        }
    }

    /// The extreme of `a` and `b`, ignoring a NaN operand (`f64::max`).
    #[inline]
    fn pick_std<A: Float>(self, a: A, b: A) -> A {
        match self {
            Extreme::Max => num_traits::Float::max(a, b),
            Extreme::Min => num_traits::Float::min(a, b),
        }
    }

    /// The share of the gradient of `pick(x, y)` that goes to `x`: 1 if `x`
    /// was selected, 0 if `y` was, ½ on a tie (and if both are NaN). A NaN
    /// operand is selected if `nan_wins` (PyTorch's `maximum`), else the
    /// other one is (`f64::max`). The share of `y` is `share(y, x)`.
    #[inline]
    fn share<A: Float>(self, x: A, y: A, nan_wins: bool) -> A {
        let half = A::from_f64(0.5);
        let one_if = |b: bool| if b { A::one() } else { A::zero() };
        match (x.is_nan(), y.is_nan()) {
            (true, true) => half,
            (true, false) => one_if(nan_wins),
            (false, true) => one_if(!nan_wins),
            (false, false) if x == y => half,
            (false, false) => one_if(self.beats(x, y)),
        }
    }
}

/// `d · share`, exactly 0 where the share is 0 (even for an infinite `d`).
#[inline]
fn scaled<A: Float>(d: A, share: A) -> A {
    if share == A::zero() {
        A::zero()
    } else {
        d * share
    }
}

/// Whether `v` is the selected value `m` (NaN counts as equal to NaN).
#[inline]
fn selected<A: Float>(v: A, m: A) -> bool {
    v == m || (v.is_nan() && m.is_nan())
}

// ---- max_axis, min_axis ---------------------------------------------------------

/// Checks that `axis` is an axis of a tensor of shape `shape` and is not empty.
pub(crate) fn check_reduce_axis(
    op: &'static str,
    shape: &[usize],
    axis: Axis,
) -> Result<(), Error> {
    check_axis(op, axis.index(), shape)?;
    if shape[axis.index()] == 0 {
        return Err(Error::EmptyAxis {
            op,
            axis: axis.index(),
            shape: shape.to_vec(),
        });
    }
    Ok(())
}

/// The extremes along `axis` (NaN where a lane holds a NaN).
#[track_caller]
fn extreme_axis<A: Float, D: RemoveAxis>(
    op: &'static str,
    which: Extreme,
    x: &Tensor<A, D>,
    axis: Axis,
) -> Tensor<A, D::Smaller> {
    or_panic(check_reduce_axis(op, x.shape(), axis));
    Tensor::from(x.data().map_axis(axis, |lane| {
        let mut it = lane.iter();
        let first = *it.next().expect("the axis is not empty");
        it.fold(first, |m, &v| which.pick_nan(m, v))
    }))
}

/// The gradient of an extreme along `axis`: `d / m` to each of the `m`
/// elements of a lane equal to its extreme `out`.
fn extreme_axis_rev<A: Float, D: RemoveAxis>(
    x: &Tensor<A, D>,
    out: &Tensor<A, D::Smaller>,
    axis: Axis,
    d: &Array<A, D::Smaller>,
) -> Array<A, D> {
    let mut g = Array::zeros(x.raw_dim());
    Zip::from(g.lanes_mut(axis))
        .and(x.data().lanes(axis))
        .and(out.data())
        .and(d)
        .for_each(|mut g, x, &m, &d| {
            let ties = x.iter().filter(|&&v| selected(v, m)).count();
            let share = d / A::from_usize(ties.max(1));
            Zip::from(&mut g).and(&x).for_each(|g, &v| {
                if selected(v, m) {
                    *g = share;
                }
            });
        });
    g
}

/// The tangent of an extreme along `axis`: the mean of `t` over the
/// elements of each lane equal to its extreme `out` (the transpose of
/// [`extreme_axis_rev`]).
fn extreme_axis_tan<A: Float, D: RemoveAxis>(
    x: &Tensor<A, D>,
    out: &Tensor<A, D::Smaller>,
    axis: Axis,
    t: &Array<A, D>,
) -> Array<A, D::Smaller> {
    let mut tangent = Array::zeros(out.raw_dim());
    Zip::from(&mut tangent)
        .and(x.data().lanes(axis))
        .and(t.lanes(axis))
        .and(out.data())
        .for_each(|o, x, t, &m| {
            let (mut sum, mut ties) = (A::zero(), 0usize);
            Zip::from(&x).and(&t).for_each(|&v, &t| {
                if selected(v, m) {
                    sum += t;
                    ties += 1;
                }
            });
            *o = sum / A::from_usize(ties.max(1));
        });
    tangent
}

/// The rule of `x.max_axis(axis)`: `y[..] = maxⱼ x[.., j, ..]` (the axis is
/// dropped); `∂y/∂x[.., j, ..] = 1/m` for each of the `m` elements equal to
/// the maximum, 0 for the others (PyTorch's `amax`).
pub trait MaxAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The maxima along `axis` (NaN where a lane holds a NaN).
    ///
    /// # Panics
    /// If `axis` is not an axis of `x` or has length 0; the message names the
    /// axis and the shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The input's gradient: `d` split evenly among the elements equal to the
    /// maximum of their lane, reading the input and the output.
    fn rev0(x: &Self, out: &Self::Output, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the mean of `t` over the
    /// elements equal to the maximum of their lane.
    fn tan0(x: &Self, out: &Self::Output, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
}

/// The rule of `x.min_axis(axis)`: `y[..] = minⱼ x[.., j, ..]` (the axis is
/// dropped); `∂y/∂x[.., j, ..] = 1/m` for each of the `m` elements equal to
/// the minimum, 0 for the others (PyTorch's `amin`).
pub trait MinAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The minima along `axis` (NaN where a lane holds a NaN).
    ///
    /// # Panics
    /// If `axis` is not an axis of `x` or has length 0; the message names the
    /// axis and the shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The input's gradient: `d` split evenly among the elements equal to the
    /// minimum of their lane, reading the input and the output.
    fn rev0(x: &Self, out: &Self::Output, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the mean of `t` over the
    /// elements equal to the minimum of their lane.
    fn tan0(x: &Self, out: &Self::Output, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: RemoveAxis> MaxAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Smaller> {
        extreme_axis("max_axis", Extreme::Max, self, *axis)
    }
    fn rev0(
        x: &Self,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        d: &Array<A, D::Smaller>,
    ) -> Array<A, D> {
        extreme_axis_rev(x, out, *axis, d)
    }
    fn tan0(
        x: &Self,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        t: &Array<A, D>,
    ) -> Array<A, D::Smaller> {
        extreme_axis_tan(x, out, *axis, t)
    }
}

impl<A: Float, D: RemoveAxis> MinAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Smaller> {
        extreme_axis("min_axis", Extreme::Min, self, *axis)
    }
    fn rev0(
        x: &Self,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        d: &Array<A, D::Smaller>,
    ) -> Array<A, D> {
        extreme_axis_rev(x, out, *axis, d)
    }
    fn tan0(
        x: &Self,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        t: &Array<A, D>,
    ) -> Array<A, D::Smaller> {
        extreme_axis_tan(x, out, *axis, t)
    }
}

impl<A: Float, D: RemoveAxis> Tensor<A, D> {
    /// The maxima along `axis`, which is dropped (PyTorch's `amax`; NaN where
    /// a lane holds a NaN); the derivative rule is [`MaxAxisRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor or has length 0; the message
    /// names the axis and the shape. See [`try_max_axis`](Self::try_max_axis).
    #[track_caller]
    pub fn max_axis(&self, axis: Axis) -> Tensor<A, D::Smaller> {
        MaxAxisRule::fwd(self, &axis)
    }

    /// Like [`max_axis`](Self::max_axis), returning
    /// [`Error::AxisOutOfRange`] or [`Error::EmptyAxis`] instead of panicking.
    pub fn try_max_axis(&self, axis: Axis) -> Result<Tensor<A, D::Smaller>, Error> {
        check_reduce_axis("max_axis", self.shape(), axis)?;
        Ok(MaxAxisRule::fwd(self, &axis))
    }

    /// The minima along `axis`, which is dropped (PyTorch's `amin`; NaN where
    /// a lane holds a NaN); the derivative rule is [`MinAxisRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor or has length 0; the message
    /// names the axis and the shape. See [`try_min_axis`](Self::try_min_axis).
    #[track_caller]
    pub fn min_axis(&self, axis: Axis) -> Tensor<A, D::Smaller> {
        MinAxisRule::fwd(self, &axis)
    }

    /// Like [`min_axis`](Self::min_axis), returning
    /// [`Error::AxisOutOfRange`] or [`Error::EmptyAxis`] instead of panicking.
    pub fn try_min_axis(&self, axis: Axis) -> Result<Tensor<A, D::Smaller>, Error> {
        check_reduce_axis("min_axis", self.shape(), axis)?;
        Ok(MinAxisRule::fwd(self, &axis))
    }
}

// ---- maximum, minimum -------------------------------------------------------------

/// The rule of `x.maximum(&y)` (and of `x.max(y)` on floats):
/// `z = max(x, y)` elementwise, with broadcasting between tensors;
/// `∂z/∂x = 1` where `x > y`, `0` where `x < y`, `½` where `x = y` (PyTorch's
/// `maximum`), and symmetrically for `y`.
pub trait MaximumRule<R: Differentiable + ?Sized>: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The elementwise maximum.
    ///
    /// # Panics
    /// For two tensors, if their shapes do not broadcast together; the message
    /// names both shapes.
    fn fwd(&self, rhs: &R) -> Self::Output;
    /// The gradient of `x`: `d` where `x` was selected, `d/2` on ties, summed
    /// back to the shape of `x`.
    fn rev0(x: &Self, y: &R, d: &GradOf<Self::Output>) -> Self::Grad;
    /// The gradient of `y`: `d` where `y` was selected, `d/2` on ties, summed
    /// back to the shape of `y`.
    fn rev1(x: &Self, y: &R, d: &GradOf<Self::Output>) -> R::Grad;
    /// Forward mode: the output's tangent from `x`'s tangent `t`: `t` where
    /// `x` was selected, `t/2` on ties (its derivative is piecewise
    /// constant: no second-order pieces).
    fn tan0(x: &Self, y: &R, t: &Self::Grad) -> GradOf<Self::Output>;
    /// Forward mode: the output's tangent from `y`'s tangent `t`.
    fn tan1(x: &Self, y: &R, t: &R::Grad) -> GradOf<Self::Output>;
}

/// The rule of `x.minimum(&y)` (and of `x.min(y)` on floats):
/// `z = min(x, y)` elementwise, with broadcasting between tensors;
/// `∂z/∂x = 1` where `x < y`, `0` where `x > y`, `½` where `x = y` (PyTorch's
/// `minimum`), and symmetrically for `y`.
pub trait MinimumRule<R: Differentiable + ?Sized>: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The elementwise minimum.
    ///
    /// # Panics
    /// For two tensors, if their shapes do not broadcast together; the message
    /// names both shapes.
    fn fwd(&self, rhs: &R) -> Self::Output;
    /// The gradient of `x`: `d` where `x` was selected, `d/2` on ties, summed
    /// back to the shape of `x`.
    fn rev0(x: &Self, y: &R, d: &GradOf<Self::Output>) -> Self::Grad;
    /// The gradient of `y`: `d` where `y` was selected, `d/2` on ties, summed
    /// back to the shape of `y`.
    fn rev1(x: &Self, y: &R, d: &GradOf<Self::Output>) -> R::Grad;
    /// Forward mode: the output's tangent from `x`'s tangent `t`: `t` where
    /// `x` was selected, `t/2` on ties (its derivative is piecewise
    /// constant: no second-order pieces).
    fn tan0(x: &Self, y: &R, t: &Self::Grad) -> GradOf<Self::Output>;
    /// Forward mode: the output's tangent from `y`'s tangent `t`.
    fn tan1(x: &Self, y: &R, t: &R::Grad) -> GradOf<Self::Output>;
}

/// `f(a, b)` elementwise over `a` and `b` broadcast to `shape`.
fn zip_to<A: Float, D: Dimension, E: Dimension>(
    shape: &[usize],
    a: &Array<A, D>,
    b: &Array<A, E>,
    f: impl Fn(A, A) -> A,
) -> Array<A, IxDyn> {
    let a = a.view().into_dyn();
    let b = b.view().into_dyn();
    let a = a.broadcast(shape).expect("the operands broadcast");
    let b = b.broadcast(shape).expect("the operands broadcast");
    Zip::from(&a).and(&b).map_collect(|&a, &b| f(a, b))
}

/// The gradient of one operand of an elementwise selection between two
/// tensors: `d · share(x, y)` at each element of the output, summed back to
/// `target` (the shape of the operand whose gradient this is).
fn selection_rev<A: Float, D: Dimension, E: Dimension, O: Dimension, T: Dimension>(
    x: &Array<A, D>,
    y: &Array<A, E>,
    d: &Array<A, O>,
    share: impl Fn(A, A) -> A,
    target: &T,
) -> Array<A, T> {
    let x = x.view().into_dyn();
    let y = y.view().into_dyn();
    let x = x.broadcast(d.shape()).expect("x broadcasts to the output");
    let y = y.broadcast(d.shape()).expect("y broadcasts to the output");
    let g = Zip::from(&x)
        .and(&y)
        .and(d.view().into_dyn())
        .map_collect(|&x, &y, &d| scaled(d, share(x, y)));
    unbroadcast(&g, target)
}

macro_rules! selection_rules {
    ($Rule:ident, $which:expr, $op:literal, $float_doc:literal) => {
        #[doc = $float_doc]
        impl<A: Float> $Rule<A> for A {
            type Output = A;
            #[inline]
            fn fwd(&self, rhs: &A) -> A {
                $which.pick_std(*self, *rhs)
            }
            #[inline]
            fn rev0(x: &A, y: &A, d: &A) -> A {
                scaled(*d, $which.share(*x, *y, false))
            }
            #[inline]
            fn rev1(x: &A, y: &A, d: &A) -> A {
                scaled(*d, $which.share(*y, *x, false))
            }
            #[inline]
            fn tan0(x: &A, y: &A, t: &A) -> A {
                scaled(*t, $which.share(*x, *y, false))
            }
            #[inline]
            fn tan1(x: &A, y: &A, t: &A) -> A {
                scaled(*t, $which.share(*y, *x, false))
            }
        }

        impl<A: Float, D: Dimension + DimMax<E>, E: Dimension> $Rule<Tensor<A, E>>
            for Tensor<A, D>
        {
            type Output = Tensor<A, <D as DimMax<E>>::Output>;
            #[track_caller]
            fn fwd(&self, rhs: &Tensor<A, E>) -> Self::Output {
                or_panic(check_broadcast($op, self.shape(), rhs.shape()));
                let shape = broadcast_shapes(self.shape(), rhs.shape()).expect("checked above");
                let z = zip_to(&shape, self.data(), rhs.data(), |a, b| {
                    $which.pick_nan(a, b)
                });
                Tensor::from(
                    z.into_dimensionality()
                        .expect("the broadcast shape has the output's dimension"),
                )
            }
            fn rev0(x: &Self, y: &Tensor<A, E>, d: &GradOf<Self::Output>) -> Array<A, D> {
                let share = |a, b| $which.share(a, b, true);
                selection_rev(x.data(), y.data(), d, share, &x.raw_dim())
            }
            fn rev1(x: &Self, y: &Tensor<A, E>, d: &GradOf<Self::Output>) -> Array<A, E> {
                let share = |a, b| $which.share(b, a, true);
                selection_rev(x.data(), y.data(), d, share, &y.raw_dim())
            }
            fn tan0(x: &Self, y: &Tensor<A, E>, t: &Array<A, D>) -> GradOf<Self::Output> {
                let z = zip3(x, y, t, |a, b, t| scaled(t, $which.share(a, b, true)));
                Collect::exact(z)
            }
            fn tan1(x: &Self, y: &Tensor<A, E>, t: &Array<A, E>) -> GradOf<Self::Output> {
                let z = zip3(x, y, t, |a, b, t| scaled(t, $which.share(b, a, true)));
                Collect::exact(z)
            }
        }

        impl<A: Float, D: Dimension> $Rule<A> for Tensor<A, D> {
            type Output = Tensor<A, D>;
            fn fwd(&self, rhs: &A) -> Tensor<A, D> {
                Tensor::from(self.data().mapv(|a| $which.pick_nan(a, *rhs)))
            }
            fn rev0(x: &Self, y: &A, d: &Array<A, D>) -> Array<A, D> {
                Zip::from(x.data())
                    .and(d)
                    .map_collect(|&a, &d| scaled(d, $which.share(a, *y, true)))
            }
            fn rev1(x: &Self, y: &A, d: &Array<A, D>) -> A {
                Zip::from(x.data()).and(d).fold(A::zero(), |acc, &a, &d| {
                    acc + scaled(d, $which.share(*y, a, true))
                })
            }
            fn tan0(x: &Self, y: &A, t: &Array<A, D>) -> Array<A, D> {
                Zip::from(x.data())
                    .and(t)
                    .map_collect(|&a, &t| scaled(t, $which.share(a, *y, true)))
            }
            fn tan1(x: &Self, y: &A, t: &A) -> Array<A, D> {
                x.data().mapv(|a| scaled(*t, $which.share(*y, a, true)))
            }
        }

        impl<A: Float, E: Dimension> $Rule<Tensor<A, E>> for A {
            type Output = Tensor<A, E>;
            fn fwd(&self, rhs: &Tensor<A, E>) -> Tensor<A, E> {
                Tensor::from(rhs.data().mapv(|b| $which.pick_nan(*self, b)))
            }
            fn rev0(x: &A, y: &Tensor<A, E>, d: &Array<A, E>) -> A {
                Zip::from(y.data()).and(d).fold(A::zero(), |acc, &b, &d| {
                    acc + scaled(d, $which.share(*x, b, true))
                })
            }
            fn rev1(x: &A, y: &Tensor<A, E>, d: &Array<A, E>) -> Array<A, E> {
                Zip::from(y.data())
                    .and(d)
                    .map_collect(|&b, &d| scaled(d, $which.share(b, *x, true)))
            }
            fn tan0(x: &A, y: &Tensor<A, E>, t: &A) -> Array<A, E> {
                y.data().mapv(|b| scaled(*t, $which.share(*x, b, true)))
            }
            fn tan1(x: &A, y: &Tensor<A, E>, t: &Array<A, E>) -> Array<A, E> {
                Zip::from(y.data())
                    .and(t)
                    .map_collect(|&b, &t| scaled(t, $which.share(b, *x, true)))
            }
        }
    };
}

selection_rules!(
    MaximumRule,
    Extreme::Max,
    "maximum",
    "`x.max(y)` on floats: the forward pass is `f64::max` (a NaN operand is ignored)."
);
selection_rules!(
    MinimumRule,
    Extreme::Min,
    "minimum",
    "`x.min(y)` on floats: the forward pass is `f64::min` (a NaN operand is ignored)."
);

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The elementwise maximum with `rhs`, a tensor (broadcasting both ways)
    /// or a float, as PyTorch's `maximum` (NaN if either element is NaN); the
    /// derivative rule is [`MaximumRule`], which splits the gradient evenly
    /// where the elements are equal.
    ///
    /// # Panics
    /// If `rhs` is a tensor whose shape does not broadcast with this one; the
    /// message names both shapes. See [`try_maximum`](Self::try_maximum).
    #[track_caller]
    pub fn maximum<R>(&self, rhs: &R) -> <Self as MaximumRule<R>>::Output
    where
        R: Differentiable + ?Sized,
        Self: MaximumRule<R>,
    {
        MaximumRule::fwd(self, rhs)
    }

    /// Like [`maximum`](Self::maximum) with a tensor, returning
    /// [`Error::ShapeMismatch`] instead of panicking.
    pub fn try_maximum<E: Dimension>(
        &self,
        rhs: &Tensor<A, E>,
    ) -> Result<Tensor<A, <D as DimMax<E>>::Output>, Error>
    where
        D: DimMax<E>,
    {
        check_broadcast("maximum", self.shape(), rhs.shape())?;
        Ok(MaximumRule::fwd(self, rhs))
    }

    /// The elementwise minimum with `rhs`, a tensor (broadcasting both ways)
    /// or a float, as PyTorch's `minimum` (NaN if either element is NaN); the
    /// derivative rule is [`MinimumRule`], which splits the gradient evenly
    /// where the elements are equal.
    ///
    /// # Panics
    /// If `rhs` is a tensor whose shape does not broadcast with this one; the
    /// message names both shapes. See [`try_minimum`](Self::try_minimum).
    #[track_caller]
    pub fn minimum<R>(&self, rhs: &R) -> <Self as MinimumRule<R>>::Output
    where
        R: Differentiable + ?Sized,
        Self: MinimumRule<R>,
    {
        MinimumRule::fwd(self, rhs)
    }

    /// Like [`minimum`](Self::minimum) with a tensor, returning
    /// [`Error::ShapeMismatch`] instead of panicking.
    pub fn try_minimum<E: Dimension>(
        &self,
        rhs: &Tensor<A, E>,
    ) -> Result<Tensor<A, <D as DimMax<E>>::Output>, Error>
    where
        D: DimMax<E>,
    {
        check_broadcast("minimum", self.shape(), rhs.shape())?;
        Ok(MinimumRule::fwd(self, rhs))
    }
}

// ---- clamp ----------------------------------------------------------------------

/// Panics unless `lo <= hi` (neither NaN), as `f64::clamp` does.
#[track_caller]
fn check_bounds<A: Float>(lo: A, hi: A) {
    if lo.is_nan() || hi.is_nan() || lo > hi {
        panic!("clamp: the lower bound {lo} is greater than the upper bound {hi}, or one is NaN");
    }
}

/// `x` clamped to `[lo, hi]`; NaN stays NaN (as `f64::clamp`).
#[inline]
fn clamp_one<A: Float>(x: A, lo: A, hi: A) -> A {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `d` strictly inside `(lo, hi)`, 0 elsewhere.
#[inline]
fn clamp_rev_one<A: Float>(x: A, lo: A, hi: A, d: A) -> A {
    if lo < x && x < hi {
        d
    } else {
        A::zero()
    }
}

/// The rule of `x.clamp(lo, hi)`: `y = min(max(x, lo), hi)` elementwise;
/// `∂y/∂x = 1` where `lo < x < hi`, 0 where `x < lo` or `x > hi`.
///
/// At a bound (`x = lo` or `x = hi`) the derivative is not defined; the
/// gradient there is 0, the minimum-norm subgradient of PyTorch's documented
/// convention for non-differentiable points (`clamp` is locally convex at
/// `lo` and concave at `hi`). Note that `torch.clamp`'s own backward passes
/// `d` at the bounds instead (`lo ≤ x ≤ hi`).
pub trait ClampRule: Differentiable + Sized {
    /// The type of the bounds: the element type.
    type Bound;
    /// The clamped value (NaN stays NaN).
    ///
    /// # Panics
    /// If `lo > hi` or either is NaN, as `f64::clamp`; the message names both.
    fn fwd(&self, lo: &Self::Bound, hi: &Self::Bound) -> Self;
    /// The input's gradient: `d` where `lo < x < hi`, 0 elsewhere, reading the input.
    fn rev0(x: &Self, lo: &Self::Bound, hi: &Self::Bound, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent, `t` where `lo < x < hi` and 0
    /// elsewhere (`rev0` of `t`).
    fn tan0(x: &Self, lo: &Self::Bound, hi: &Self::Bound, t: &Self::Grad) -> Self::Grad {
        Self::rev0(x, lo, hi, t)
    }
}

impl<A: Float> ClampRule for A {
    type Bound = A;
    #[inline]
    #[track_caller]
    fn fwd(&self, lo: &A, hi: &A) -> A {
        check_bounds(*lo, *hi);
        clamp_one(*self, *lo, *hi)
    }
    #[inline]
    fn rev0(x: &A, lo: &A, hi: &A, d: &A) -> A {
        clamp_rev_one(*x, *lo, *hi, *d)
    }
}

impl<A: Float, D: Dimension> ClampRule for Tensor<A, D> {
    type Bound = A;
    #[track_caller]
    fn fwd(&self, lo: &A, hi: &A) -> Tensor<A, D> {
        check_bounds(*lo, *hi);
        Tensor::from(self.data().mapv(|x| clamp_one(x, *lo, *hi)))
    }
    fn rev0(x: &Self, lo: &A, hi: &A, d: &Array<A, D>) -> Array<A, D> {
        Zip::from(x.data())
            .and(d)
            .map_collect(|&x, &d| clamp_rev_one(x, *lo, *hi, d))
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// Each element clamped to `[lo, hi]` (PyTorch's `clamp`; NaN stays NaN),
    /// as a new tensor; the derivative rule is [`ClampRule`] (the gradient is
    /// 0 at the bounds).
    ///
    /// # Panics
    /// If `lo > hi` or either is NaN, as `f64::clamp`; the message names both
    /// bounds.
    #[track_caller]
    pub fn clamp(&self, lo: A, hi: A) -> Tensor<A, D> {
        ClampRule::fwd(self, &lo, &hi)
    }
}

#[cfg(test)]
mod tangent_tests;
#[cfg(test)]
mod tests;
