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
fn check_reduce_axis(op: &'static str, shape: &[usize], axis: Axis) -> Result<(), Error> {
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
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
    use ndarray::{arr0, array, Array0, Array1, Ix1, Ix2, ShapeBuilder};

    fn hand_axis<A: Float>() {
        let x = Tensor::from(array![[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]].mapv(A::from_f64));
        // max along axis 1: [5, 6]; the gradient d = [1, 2] goes to x[0, 1] and x[1, 2].
        let y = x.max_axis(Axis(1));
        assert_all_close("max_axis", y.data(), &array![5.0, 6.0]);
        let d = array![1.0, 2.0].mapv(A::from_f64);
        let g = MaxAxisRule::rev0(&x, &y, &Axis(1), &d);
        assert_all_close("max_axis", &g, &array![[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]);
        // min along axis 0: [1, 2, 3]; d = [1, 2, 3] goes to the smaller of each column.
        let y = x.min_axis(Axis(0));
        assert_all_close("min_axis", y.data(), &array![1.0, 2.0, 3.0]);
        let d = array![1.0, 2.0, 3.0].mapv(A::from_f64);
        let g = MinAxisRule::rev0(&x, &y, &Axis(0), &d);
        assert_all_close("min_axis", &g, &array![[1.0, 0.0, 3.0], [0.0, 2.0, 0.0]]);

        // Ties: max of [2, 7, 7, 7] is 7, reached 3 times, so each gets d/3;
        // min of [3, 1, 1, 9] is 1, reached twice, so each gets d/2.
        let t = Tensor::from(array![[2.0, 7.0, 7.0, 7.0], [3.0, 1.0, 1.0, 9.0]].mapv(A::from_f64));
        let d = array![3.0, 4.0].mapv(A::from_f64);
        let y = t.max_axis(Axis(1));
        let g = MaxAxisRule::rev0(&t, &y, &Axis(1), &d);
        let want = array![[0.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 4.0]];
        assert_all_close("max_axis ties", &g, &want);
        let y = t.min_axis(Axis(1));
        let g = MinAxisRule::rev0(&t, &y, &Axis(1), &d);
        let want = array![[3.0, 0.0, 0.0, 0.0], [0.0, 2.0, 2.0, 0.0]];
        assert_all_close("min_axis ties", &g, &want);

        // One axis gives a scalar.
        let v = Tensor::from(array![1.0, -3.0, 2.0].mapv(A::from_f64));
        let y = v.max_axis(Axis(0));
        assert_close("max_axis", y.item(), 2.0);
        let g = MaxAxisRule::rev0(&v, &y, &Axis(0), &arr0(A::from_f64(5.0)));
        assert_all_close("max_axis", &g, &array![0.0, 0.0, 5.0]);
        assert_close("min_axis", v.min_axis(Axis(0)).item(), -3.0);
    }

    fn hand_pairwise<A: Float>() {
        let f = |v: f64| A::from_f64(v);
        // Floats: max(3, 2) = 3, gradient d to x; a tie splits d/2 each.
        assert_close("max", MaximumRule::fwd(&f(3.0), &f(2.0)), 3.0);
        assert_close("max", MaximumRule::rev0(&f(3.0), &f(2.0), &f(4.0)), 4.0);
        assert_close("max", MaximumRule::rev1(&f(3.0), &f(2.0), &f(4.0)), 0.0);
        assert_close("max tie", MaximumRule::rev0(&f(2.0), &f(2.0), &f(4.0)), 2.0);
        assert_close("max tie", MaximumRule::rev1(&f(2.0), &f(2.0), &f(4.0)), 2.0);
        assert_close("min", MinimumRule::fwd(&f(3.0), &f(2.0)), 2.0);
        assert_close("min", MinimumRule::rev0(&f(3.0), &f(2.0), &f(4.0)), 0.0);
        assert_close("min", MinimumRule::rev1(&f(3.0), &f(2.0), &f(4.0)), 4.0);
        assert_close(
            "min tie",
            MinimumRule::rev0(&f(-1.0), &f(-1.0), &f(1.0)),
            0.5,
        );
        assert_close(
            "min tie",
            MinimumRule::rev1(&f(-1.0), &f(-1.0), &f(1.0)),
            0.5,
        );

        // Tensor and tensor, broadcasting a row y = [1, 5] against x (2×2):
        // max = [[3, 5], [1, 5]] (x[1, 0] = 1 ties y[0]).
        let x = Tensor::from(array![[3.0, 4.0], [1.0, 6.0]].mapv(A::from_f64));
        let y = Tensor::from(array![1.0, 5.0].mapv(A::from_f64));
        let z = x.maximum(&y);
        assert_all_close("maximum", z.data(), &array![[3.0, 5.0], [1.0, 6.0]]);
        let d = array![[1.0, 2.0], [3.0, 4.0]].mapv(A::from_f64);
        // x gets d where x > y, d/2 at the tie: [[1, 0], [1.5, 4]].
        let gx = MaximumRule::rev0(&x, &y, &d);
        assert_all_close("maximum", &gx, &array![[1.0, 0.0], [1.5, 4.0]]);
        // y gets the rest, summed over the rows: [0 + 1.5, 2 + 0].
        let gy = MaximumRule::rev1(&x, &y, &d);
        assert_all_close("maximum", &gy, &array![1.5, 2.0]);
        // minimum = [[1, 4], [1, 5]]; x gets [[0, 2], [1.5, 0]], y [1 + 1.5, 4].
        let z = x.minimum(&y);
        assert_all_close("minimum", z.data(), &array![[1.0, 4.0], [1.0, 5.0]]);
        let gx = MinimumRule::rev0(&x, &y, &d);
        assert_all_close("minimum", &gx, &array![[0.0, 2.0], [1.5, 0.0]]);
        let gy = MinimumRule::rev1(&x, &y, &d);
        assert_all_close("minimum", &gy, &array![2.5, 4.0]);

        // Tensor and float: max(x, 4) = [[4, 4], [4, 6]]; x gets d where
        // x > 4, d/2 at x = 4; the float gets the sum of the rest.
        let four = f(4.0);
        assert_all_close(
            "maximum",
            x.maximum(&four).data(),
            &array![[4.0, 4.0], [4.0, 6.0]],
        );
        let gx = MaximumRule::rev0(&x, &four, &d);
        assert_all_close("maximum", &gx, &array![[0.0, 1.0], [0.0, 4.0]]);
        // 1 + 2/2 + 3 = 5.
        assert_close("maximum", MaximumRule::rev1(&x, &four, &d), 5.0);
        // Float and tensor: min(4, x) = [[3, 4], [1, 4]]; 4 gets 2/2 + 4 = 5.
        let z = MinimumRule::fwd(&four, &x);
        assert_all_close("minimum", z.data(), &array![[3.0, 4.0], [1.0, 4.0]]);
        assert_close("minimum", MinimumRule::rev0(&four, &x, &d), 5.0);
        let gx = MinimumRule::rev1(&four, &x, &d);
        assert_all_close("minimum", &gx, &array![[1.0, 1.0], [3.0, 0.0]]);
        // Float and tensor, max: 4 gets 1 + 1 + 3 = 5; x gets [[0, 1], [0, 4]].
        assert_close("maximum", MaximumRule::rev0(&four, &x, &d), 5.0);
        let gx = MaximumRule::rev1(&four, &x, &d);
        assert_all_close("maximum", &gx, &array![[0.0, 1.0], [0.0, 4.0]]);
        // Tensor and float, min: x gets d where x < 4, d/2 at 4; 4 gets 1 + 4.
        let gx = MinimumRule::rev0(&x, &four, &d);
        assert_all_close("minimum", &gx, &array![[1.0, 1.0], [3.0, 0.0]]);
        assert_close("minimum", MinimumRule::rev1(&x, &four, &d), 5.0);
    }

    fn hand_clamp<A: Float>() {
        let f = |v: f64| A::from_f64(v);
        // clamp(x, 0, 1): slope 1 strictly inside, 0 outside and at the bounds.
        let x = Tensor::from(array![-1.0, 0.0, 0.5, 1.0, 2.0].mapv(A::from_f64));
        let y = x.clamp(f(0.0), f(1.0));
        assert_all_close("clamp", y.data(), &array![0.0, 0.0, 0.5, 1.0, 1.0]);
        let d = array![1.0, 2.0, 3.0, 4.0, 5.0].mapv(A::from_f64);
        let g = ClampRule::rev0(&x, &f(0.0), &f(1.0), &d);
        assert_all_close("clamp", &g, &array![0.0, 0.0, 3.0, 0.0, 0.0]);
        // Floats, the same at each point.
        for (x, want_y, want_g) in [
            (-1.0, 0.0, 0.0),
            (0.0, 0.0, 0.0),
            (0.5, 0.5, 2.0),
            (1.0, 1.0, 0.0),
            (2.0, 1.0, 0.0),
        ] {
            assert_close("clamp", ClampRule::fwd(&f(x), &f(0.0), &f(1.0)), want_y);
            assert_close(
                "clamp",
                ClampRule::rev0(&f(x), &f(0.0), &f(1.0), &f(2.0)),
                want_g,
            );
        }
        // lo = hi: every element is the bound, and no gradient passes.
        let y = x.clamp(f(0.5), f(0.5));
        assert_all_close("clamp", y.data(), &Array1::from_elem(5, 0.5));
        let g = ClampRule::rev0(&x, &f(0.5), &f(0.5), &d);
        assert_all_close("clamp", &g, &Array1::zeros(5));
    }

    #[test]
    fn hand_derived() {
        hand_axis::<f64>();
        hand_axis::<f32>();
        hand_pairwise::<f64>();
        hand_pairwise::<f32>();
        hand_clamp::<f64>();
        hand_clamp::<f32>();
    }

    fn axis_rules<A: Float, Sh: ShapeBuilder>(shape: Sh)
    where
        Sh::Dim: RemoveAxis,
    {
        let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 1);
        let t = Tensor::from(x.clone());
        for k in 0..x.ndim() {
            let axis = Axis(k);
            let y = t.max_axis(axis);
            let d = sample(y.raw_dim(), -1.0, 1.0, 4 + k);
            let g = MaxAxisRule::rev0(&t, &y, &axis, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).max_axis(axis).into_data();
            check_vjp("max_axis", f, &x, &d, &g);
            let y = t.min_axis(axis);
            let g = MinAxisRule::rev0(&t, &y, &axis, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).min_axis(axis).into_data();
            check_vjp("min_axis", f, &x, &d, &g);
        }
    }

    /// Finite differences of maximum and minimum of tensors of shapes `a`
    /// and `b`, for each operand.
    fn pairwise<A: Float, Sa: ShapeBuilder, Sb: ShapeBuilder>(a: Sa, b: Sb)
    where
        Sa::Dim: DimMax<Sb::Dim>,
    {
        let x: Array<A, Sa::Dim> = sample(a, -2.0, 2.0, 1);
        let y: Array<A, Sb::Dim> = sample(b, -2.0, 2.0, 2);
        let (tx, ty) = (Tensor::from(x.clone()), Tensor::from(y.clone()));
        let z = tx.maximum(&ty);
        let d = sample(z.raw_dim(), -1.0, 1.0, 3);
        macro_rules! check {
            ($Rule:ident, $method:ident) => {
                let gx = $Rule::rev0(&tx, &ty, &d);
                let f = |x: &Array<A, Sa::Dim>| Tensor::from(x.clone()).$method(&ty).into_data();
                check_vjp(stringify!($method), f, &x, &d, &gx);
                let gy = $Rule::rev1(&tx, &ty, &d);
                let f = |y: &Array<A, Sb::Dim>| tx.$method(&Tensor::from(y.clone())).into_data();
                check_vjp(stringify!($method), f, &y, &d, &gy);
            };
        }
        check!(MaximumRule, maximum);
        check!(MinimumRule, minimum);

        // With a float on either side.
        let c = A::from_f64(0.3);
        let dz = sample(tx.raw_dim(), -1.0, 1.0, 5);
        macro_rules! check_float {
            ($Rule:ident) => {
                let gx = $Rule::rev0(&tx, &c, &dz);
                let f =
                    |x: &Array<A, Sa::Dim>| $Rule::fwd(&Tensor::from(x.clone()), &c).into_data();
                check_vjp("tensor ∘ float", f, &x, &dz, &gx);
                let gc = Array0::from_elem((), $Rule::rev1(&tx, &c, &dz));
                let f = |c: &Array0<A>| $Rule::fwd(&tx, &c[()]).into_data();
                check_vjp("tensor ∘ float", f, &arr0(c), &dz, &gc);
                let gc = Array0::from_elem((), $Rule::rev0(&c, &tx, &dz));
                let f = |c: &Array0<A>| $Rule::fwd(&c[()], &tx).into_data();
                check_vjp("float ∘ tensor", f, &arr0(c), &dz, &gc);
                let gx = $Rule::rev1(&c, &tx, &dz);
                let f =
                    |x: &Array<A, Sa::Dim>| $Rule::fwd(&c, &Tensor::from(x.clone())).into_data();
                check_vjp("float ∘ tensor", f, &x, &dz, &gx);
            };
        }
        check_float!(MaximumRule);
        check_float!(MinimumRule);
    }

    fn floats<A: Float>() {
        // Both operands, away from ties, and at a tie (where central
        // differences see slope ½ on each side, as the split).
        for (x, y) in [(0.5, -1.5), (-2.0, 1.0), (0.75, 0.75)] {
            let (x, y) = (arr0(A::from_f64(x)), arr0(A::from_f64(y)));
            let d = arr0(A::from_f64(1.7));
            macro_rules! check {
                ($Rule:ident) => {
                    let g = arr0($Rule::rev0(&x[()], &y[()], &d[()]));
                    let f = |x: &Array0<A>| arr0($Rule::fwd(&x[()], &y[()]));
                    check_vjp(stringify!($Rule), f, &x, &d, &g);
                    let g = arr0($Rule::rev1(&x[()], &y[()], &d[()]));
                    let f = |y: &Array0<A>| arr0($Rule::fwd(&x[()], &y[()]));
                    check_vjp(stringify!($Rule), f, &y, &d, &g);
                };
            }
            check!(MaximumRule);
            check!(MinimumRule);
        }
    }

    fn clamp_rule<A: Float, Sh: ShapeBuilder>(shape: Sh) {
        // Values in [-2, 2] clamped to [-1, 0.9]: some below, inside, above.
        let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 1);
        let (lo, hi) = (A::from_f64(-1.0), A::from_f64(0.9));
        let t = Tensor::from(x.clone());
        let d = sample(t.raw_dim(), -1.0, 1.0, 2);
        let g = ClampRule::rev0(&t, &lo, &hi, &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).clamp(lo, hi).into_data();
        check_vjp("clamp", f, &x, &d, &g);
        for (i, &v) in x.iter().enumerate() {
            let dv = A::from_f64(0.3 + i as f64);
            let g = arr0(ClampRule::rev0(&v, &lo, &hi, &dv));
            let f = |x: &Array0<A>| arr0(ClampRule::fwd(&x[()], &lo, &hi));
            check_vjp("clamp", f, &arr0(v), &arr0(dv), &g);
        }
    }

    fn finite_differences<A: Float>() {
        axis_rules::<A, _>(5);
        axis_rules::<A, _>((2, 3));
        axis_rules::<A, _>(ndarray::IxDyn(&[3, 1, 2]));
        pairwise::<A, _, _>(4, 4);
        pairwise::<A, _, _>((2, 3), (2, 3));
        pairwise::<A, _, _>((2, 3), 3);
        pairwise::<A, _, _>(3, (2, 3));
        pairwise::<A, _, _>((2, 1), (1, 3));
        pairwise::<A, _, _>((), (2, 2));
        floats::<A>();
        clamp_rule::<A, _>(7);
        clamp_rule::<A, _>((3, 4));
    }

    #[test]
    fn finite_differences_f64() {
        finite_differences::<f64>();
    }

    #[test]
    fn finite_differences_f32() {
        finite_differences::<f32>();
    }

    #[test]
    fn two_way_ties_match_finite_differences() {
        // Central differences at a two-way tie see slope ½ for each element,
        // which is the even split.
        let x = array![[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]];
        let t = Tensor::from(x.clone());
        let d = array![0.8, -1.2];
        let y = t.max_axis(Axis(1));
        let g = MaxAxisRule::rev0(&t, &y, &Axis(1), &d);
        let f = |x: &Array<f64, Ix2>| Tensor::from(x.clone()).max_axis(Axis(1)).into_data();
        check_vjp("max_axis", f, &x, &d, &g);
        let x = array![[1.0, 1.0, 3.0], [2.0, -1.0, -1.0]];
        let t = Tensor::from(x.clone());
        let y = t.min_axis(Axis(1));
        let g = MinAxisRule::rev0(&t, &y, &Axis(1), &d);
        let f = |x: &Array<f64, Ix2>| Tensor::from(x.clone()).min_axis(Axis(1)).into_data();
        check_vjp("min_axis", f, &x, &d, &g);
        // maximum of equal tensors.
        let a = array![1.0, -2.0, 0.5];
        let (ta, tb) = (Tensor::from(a.clone()), Tensor::from(a.clone()));
        let d = array![1.0, 2.0, 3.0];
        let g = MaximumRule::rev0(&ta, &tb, &d);
        assert_eq!(g, array![0.5, 1.0, 1.5]);
        let f = |x: &Array<f64, Ix1>| Tensor::from(x.clone()).maximum(&tb).into_data();
        check_vjp("maximum", f, &a, &d, &g);
    }

    #[test]
    fn nan_follows_pytorch_for_tensors_and_std_for_floats() {
        let nan = f64::NAN;
        // Tensors: NaN propagates, and the gradient goes to the NaN elements.
        let t = Tensor::from(array![[1.0, nan, 3.0], [4.0, 5.0, 6.0]]);
        let y = t.max_axis(Axis(1));
        assert!(y.data()[0].is_nan());
        assert_eq!(y.data()[1], 6.0);
        let g = MaxAxisRule::rev0(&t, &y, &Axis(1), &array![1.0, 1.0]);
        assert_eq!(g, array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
        let y = t.min_axis(Axis(1));
        assert!(y.data()[0].is_nan());
        assert_eq!(y.data()[1], 4.0);
        let a = Tensor::from(array![nan, 1.0, 2.0]);
        let b = Tensor::from(array![0.0, nan, 1.0]);
        let z = a.maximum(&b);
        assert!(z.data()[0].is_nan() && z.data()[1].is_nan());
        assert_eq!(z.data()[2], 2.0);
        let d = array![1.0, 1.0, 1.0];
        assert_eq!(MaximumRule::rev0(&a, &b, &d), array![1.0, 0.0, 1.0]);
        assert_eq!(MaximumRule::rev1(&a, &b, &d), array![0.0, 1.0, 0.0]);
        assert!(a.minimum(&0.0).data()[0].is_nan());
        // Floats: f64::max ignores the NaN, and the gradient goes to the other operand.
        assert_eq!(MaximumRule::fwd(&nan, &2.0), 2.0);
        assert_eq!(MaximumRule::rev0(&nan, &2.0, &1.0), 0.0);
        assert_eq!(MaximumRule::rev1(&nan, &2.0, &1.0), 1.0);
        assert_eq!(MinimumRule::fwd(&2.0f32, &f32::NAN), 2.0);
        assert_eq!(MinimumRule::rev0(&2.0f32, &f32::NAN, &1.0), 1.0);
        // clamp: NaN stays NaN and gets no gradient.
        assert!(ClampRule::fwd(&nan, &0.0, &1.0).is_nan());
        assert_eq!(ClampRule::rev0(&nan, &0.0, &1.0, &1.0), 0.0);
        // An infinite gradient stays out of the operand that was not selected.
        assert_eq!(MaximumRule::rev1(&3.0, &2.0, &f64::INFINITY), 0.0);
    }

    #[test]
    fn floats_match_std() {
        for (x, y) in [(1.0f64, 2.0), (2.0, 1.0), (-0.0, 0.0), (3.0, 3.0)] {
            assert_eq!(MaximumRule::fwd(&x, &y), x.max(y));
            assert_eq!(MinimumRule::fwd(&x, &y), x.min(y));
            assert_eq!(ClampRule::fwd(&x, &0.5, &1.5), x.clamp(0.5, 1.5));
        }
        let t = Tensor::from(array![1.0f32, -3.0, 7.0]);
        assert_eq!(t.clamp(-1.0, 2.0).data(), &array![1.0, -1.0, 2.0]);
        let _: Tensor<f32, Ix1> = t.maximum(&0.0);
        let _: Tensor<f32, Ix2> = t.maximum(&Tensor::<f32, Ix2>::zeros((2, 3)));
    }

    #[test]
    #[should_panic(expected = "maximum: shape mismatch: expected shape [2, 3], found shape [2]")]
    fn maximum_shape_mismatch_panics() {
        Tensor::<f64, _>::zeros((2, 3)).maximum(&Tensor::<f64, _>::zeros(2));
    }

    #[test]
    #[should_panic(expected = "minimum: shape mismatch: expected shape [4], found shape [3]")]
    fn minimum_shape_mismatch_panics() {
        MinimumRule::fwd(&Tensor::<f32, _>::zeros(4), &Tensor::<f32, _>::zeros(3));
    }

    #[test]
    #[should_panic(
        expected = "max_axis: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
    )]
    fn max_axis_out_of_range_panics() {
        Tensor::<f64, _>::zeros((2, 3)).max_axis(Axis(2));
    }

    #[test]
    #[should_panic(
        expected = "min_axis: axis 1 has length 0 (shape [2, 0]), so there is nothing to reduce"
    )]
    fn min_axis_empty_panics() {
        Tensor::<f32, _>::zeros((2, 0)).min_axis(Axis(1));
    }

    #[test]
    #[should_panic(
        expected = "clamp: the lower bound 2 is greater than the upper bound 1, or one is NaN"
    )]
    fn clamp_bounds_panic() {
        Tensor::<f64, _>::zeros(3).clamp(2.0, 1.0);
    }

    #[test]
    #[should_panic(expected = "clamp: the lower bound NaN is greater than the upper bound 1")]
    fn clamp_nan_bound_panics_for_floats() {
        ClampRule::fwd(&0.5f32, &f32::NAN, &1.0);
    }

    #[test]
    fn try_errors() {
        let t = Tensor::<f64, _>::zeros((2, 0));
        let err = t.try_max_axis(Axis(1)).unwrap_err();
        assert_eq!(
            err,
            Error::EmptyAxis {
                op: "max_axis",
                axis: 1,
                shape: vec![2, 0]
            }
        );
        assert_eq!(
            err.to_string(),
            "max_axis: axis 1 has length 0 (shape [2, 0]), so there is nothing to reduce"
        );
        assert!(matches!(
            t.try_min_axis(Axis(3)).unwrap_err(),
            Error::AxisOutOfRange {
                op: "min_axis",
                axis: 3,
                ..
            }
        ));
        // Reducing the non-empty axis of an empty tensor is fine.
        assert_eq!(t.try_max_axis(Axis(0)).unwrap().shape(), &[0]);
        assert_eq!(t.try_min_axis(Axis(0)).unwrap().shape(), &[0]);

        let a = Tensor::<f64, _>::zeros((2, 3));
        let err = a.try_maximum(&Tensor::zeros((3, 2))).unwrap_err();
        assert_eq!(
            err,
            Error::ShapeMismatch {
                op: "maximum",
                expected: vec![2, 3],
                found: vec![3, 2]
            }
        );
        assert!(matches!(
            a.try_minimum(&Tensor::zeros(2)).unwrap_err(),
            Error::ShapeMismatch { op: "minimum", .. }
        ));
        assert_eq!(
            a.try_maximum(&Tensor::ones(3)).unwrap().data(),
            &Array::ones((2, 3))
        );
        assert_eq!(
            a.try_minimum(&Tensor::ones((2, 1))).unwrap().shape(),
            &[2, 3]
        );
    }
}
