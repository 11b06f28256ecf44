//! Sums and means, over all elements or along one axis: derivative rules.
//!
//! A reduction's gradient spreads the output's gradient back over the
//! elements that were reduced (each contributes with slope 1, or `1/n` for a
//! mean of `n`):
//!
//! | op | `y` | input's gradient |
//! |----|-----|------------------|
//! | `sum()` | `Σᵢ xᵢ` | `d` at every element |
//! | `mean()` | `Σᵢ xᵢ / n` | `d / n` at every element |
//! | `sum_axis(k)` | `y[..] = Σⱼ x[.., j, ..]` | `d[..]` at every `x[.., j, ..]` |
//! | `mean_axis(k)` | `y[..] = Σⱼ x[.., j, ..] / nₖ` | `d[..] / nₖ` at every `x[.., j, ..]` |
//!
//! The whole-tensor reductions return a [`Scalar`](crate::Scalar); the axis
//! ones drop the axis, as ndarray's `sum_axis` does. The backward functions
//! read only the input's shape. A mean over no elements is NaN, as in PyTorch.

use ndarray::{arr0, Array, Array0, Axis, Dimension, Ix0, RemoveAxis, Zip};

use crate::error::{check_axis, or_panic, Error};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf, Meta};

use super::decl::{ArgKind, Cap as C, OpDecl, Reads as R};

#[rustfmt::skip]
/// Sums and means, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "sum", rule: "SumRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[] },
    OpDecl { name: "mean", rule: "MeanRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[] },
    OpDecl { name: "sum_axis", rule: "SumAxisRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[C::FuseSquaredReceiver("square_sum_axis")] },
    OpDecl { name: "mean_axis", rule: "MeanAxisRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[] },
    OpDecl { name: "item", rule: "ItemRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[] },
];

/// The rule of `s.item()` of a scalar tensor: the float itself (the
/// identity, as PyTorch's `.item()` on the way to a loss would be if it
/// kept the graph), `∂y/∂s = 1`. Where the float is only a condition or a
/// count, no gradient reaches it.
pub trait ItemRule: Differentiable {
    /// The float.
    type Output: Differentiable;
    /// The single element.
    fn fwd(&self) -> Self::Output;
    /// The scalar's gradient: `d`.
    fn rev0(x: &Meta<Self>, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the tangent's single element.
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float> ItemRule for Tensor<A, Ix0> {
    type Output = A;
    #[inline]
    fn fwd(&self) -> A {
        self.item()
    }
    #[inline]
    fn rev0(_: &Meta<Self>, d: &A) -> Array0<A> {
        arr0(*d)
    }
    #[inline]
    fn tan0(_: &Meta<Self>, t: &Array0<A>) -> A {
        t[()]
    }
}

/// The rule of `x.sum()`: `y = Σᵢ xᵢ`, `∂y/∂xᵢ = 1`.
pub trait SumRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The sum of all elements.
    fn fwd(&self) -> Self::Output;
    /// The input's gradient: `d` at every element, reading only the input's shape.
    fn rev0(x: &Meta<Self>, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the sum of `t` (the map is linear).
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> GradOf<Self::Output>;
}

/// The rule of `x.mean()`: `y = Σᵢ xᵢ / n`, `∂y/∂xᵢ = 1/n`.
pub trait MeanRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The mean of all elements (NaN if there are none).
    fn fwd(&self) -> Self::Output;
    /// The input's gradient: `d / n` at every element, reading only the input's shape.
    fn rev0(x: &Meta<Self>, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the mean of `t`.
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> GradOf<Self::Output>;
}

/// The rule of `x.sum_axis(axis)`: `y[..] = Σⱼ x[.., j, ..]` (the axis is
/// dropped), `∂y[..]/∂x[.., j, ..] = 1`.
pub trait SumAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The sums along `axis`.
    ///
    /// # Panics
    /// If `axis` is not an axis of the input; the message names the axis and
    /// the input's shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The input's gradient: `d` repeated along `axis`, reading only the input's shape.
    fn rev0(x: &Meta<Self>, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the sums of `t` along `axis`.
    fn tan0(x: &Meta<Self>, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
}

/// The rule of `x.mean_axis(axis)`: `y[..] = Σⱼ x[.., j, ..] / nₖ` (the axis
/// is dropped, `nₖ` is its length), `∂y[..]/∂x[.., j, ..] = 1/nₖ`.
pub trait MeanAxisRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The means along `axis` (NaN if the axis has length 0).
    ///
    /// # Panics
    /// If `axis` is not an axis of the input; the message names the axis and
    /// the input's shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The input's gradient: `d / nₖ` repeated along `axis`, reading only the
    /// input's shape.
    fn rev0(x: &Meta<Self>, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, the means of `t` along `axis`.
    fn tan0(x: &Meta<Self>, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: Dimension> SumRule for Tensor<A, D> {
    type Output = Tensor<A, Ix0>;
    fn fwd(&self) -> Tensor<A, Ix0> {
        Tensor::from(arr0(self.data().sum()))
    }
    fn rev0(x: &Meta<Self>, d: &Array0<A>) -> Array<A, D> {
        Array::from_elem(x.0.clone(), d[()])
    }
    fn tan0(_: &Meta<Self>, t: &Array<A, D>) -> Array0<A> {
        arr0(t.sum())
    }
}

impl<A: Float, D: Dimension> MeanRule for Tensor<A, D> {
    type Output = Tensor<A, Ix0>;
    fn fwd(&self) -> Tensor<A, Ix0> {
        Tensor::from(arr0(self.data().sum() / A::from_usize(self.len())))
    }
    fn rev0(x: &Meta<Self>, d: &Array0<A>) -> Array<A, D> {
        Array::from_elem(x.0.clone(), d[()] / A::from_usize(x.0.size()))
    }
    fn tan0(x: &Meta<Self>, t: &Array<A, D>) -> Array0<A> {
        arr0(t.sum() / A::from_usize(x.0.size()))
    }
}

/// `g` repeated along `axis` into an array of shape `shape`, each element
/// multiplied by `scale`.
fn spread<A: Float, D: RemoveAxis>(
    shape: &D,
    axis: Axis,
    g: &Array<A, D::Smaller>,
    scale: A,
) -> Array<A, D> {
    if axis.index() + 1 == shape.ndim() {
        // The last axis: each value repeated over a contiguous lane.
        let len = shape[axis.index()];
        let mut data = Vec::with_capacity(shape.size());
        for &g in g.iter() {
            data.extend(std::iter::repeat_n(g * scale, len));
        }
        return Array::from_shape_vec(shape.clone(), data)
            .expect("one lane per element of the reduced gradient");
    }
    let g = g.view().insert_axis(axis);
    let g = g
        .broadcast(shape.clone())
        .expect("the gradient of a reduction spreads back over the reduced axis");
    // One pass, in row-major order.
    Zip::from(&g).map_collect(|&g| g * scale)
}

/// `f` of every lane along `axis`, as an array without that axis, when the
/// lanes are contiguous chunks (`axis` is the last axis of a row-major
/// array, of non-zero length); `None` otherwise.
pub(crate) fn map_last_axis_lanes<A: Float, D: RemoveAxis>(
    x: &Array<A, D>,
    axis: Axis,
    f: impl FnMut(&[A]) -> A,
) -> Option<Array<A, D::Smaller>> {
    let len = x.shape()[axis.index()];
    if axis.index() + 1 != x.ndim() || len == 0 {
        return None;
    }
    let values = x.as_slice()?.chunks_exact(len).map(f).collect();
    Some(Array::from_shape_vec(x.raw_dim().remove_axis(axis), values).expect("one value per lane"))
}

/// `x.sum_axis(axis)`; over the last axis of a row-major array, as sums of
/// contiguous chunks.
fn sum_axis<A: Float, D: RemoveAxis>(x: &Array<A, D>, axis: Axis) -> Array<A, D::Smaller> {
    map_last_axis_lanes(x, axis, |c| c.iter().fold(A::zero(), |s, &v| s + v))
        .unwrap_or_else(|| x.sum_axis(axis))
}

impl<A: Float, D: RemoveAxis> SumAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Smaller> {
        or_panic(check_axis("sum_axis", axis.index(), self.shape()));
        Tensor::from(sum_axis(self.data(), *axis))
    }
    fn rev0(x: &Meta<Self>, axis: &Axis, d: &Array<A, D::Smaller>) -> Array<A, D> {
        spread(&x.0, *axis, d, A::one())
    }
    fn tan0(_: &Meta<Self>, axis: &Axis, t: &Array<A, D>) -> Array<A, D::Smaller> {
        sum_axis(t, *axis)
    }
}

impl<A: Float, D: RemoveAxis> MeanAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Smaller> {
        or_panic(check_axis("mean_axis", axis.index(), self.shape()));
        let n = A::from_usize(self.shape()[axis.index()]);
        Tensor::from(sum_axis(self.data(), *axis).mapv_into(|s| s / n))
    }
    fn rev0(x: &Meta<Self>, axis: &Axis, d: &Array<A, D::Smaller>) -> Array<A, D> {
        let n = A::from_usize(x.0[axis.index()]);
        spread(&x.0, *axis, d, A::one() / n)
    }
    fn tan0(x: &Meta<Self>, axis: &Axis, t: &Array<A, D>) -> Array<A, D::Smaller> {
        let n = A::from_usize(x.0[axis.index()]);
        sum_axis(t, *axis).mapv_into(|s| s / n)
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The sum of all elements, as a [`Scalar`](crate::Scalar); the derivative
    /// rule is [`SumRule`].
    pub fn sum(&self) -> Tensor<A, Ix0> {
        SumRule::fwd(self)
    }

    /// The mean of all elements (NaN for an empty tensor), as a
    /// [`Scalar`](crate::Scalar); the derivative rule is [`MeanRule`].
    pub fn mean(&self) -> Tensor<A, Ix0> {
        MeanRule::fwd(self)
    }
}

impl<A: Float, D: RemoveAxis> Tensor<A, D> {
    /// The sums along `axis`, which is dropped (as ndarray's `sum_axis`); the
    /// derivative rule is [`SumAxisRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names the axis and
    /// the shape. See [`try_sum_axis`](Self::try_sum_axis).
    #[track_caller]
    pub fn sum_axis(&self, axis: Axis) -> Tensor<A, D::Smaller> {
        SumAxisRule::fwd(self, &axis)
    }

    /// Like [`sum_axis`](Self::sum_axis), returning
    /// [`Error::AxisOutOfRange`] instead of panicking.
    pub fn try_sum_axis(&self, axis: Axis) -> Result<Tensor<A, D::Smaller>, Error> {
        check_axis("sum_axis", axis.index(), self.shape())?;
        Ok(SumAxisRule::fwd(self, &axis))
    }

    /// The means along `axis`, which is dropped (NaN where the axis has
    /// length 0); the derivative rule is [`MeanAxisRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names the axis and
    /// the shape. See [`try_mean_axis`](Self::try_mean_axis).
    #[track_caller]
    pub fn mean_axis(&self, axis: Axis) -> Tensor<A, D::Smaller> {
        MeanAxisRule::fwd(self, &axis)
    }

    /// Like [`mean_axis`](Self::mean_axis), returning
    /// [`Error::AxisOutOfRange`] instead of panicking.
    pub fn try_mean_axis(&self, axis: Axis) -> Result<Tensor<A, D::Smaller>, Error> {
        check_axis("mean_axis", axis.index(), self.shape())?;
        Ok(MeanAxisRule::fwd(self, &axis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
    use crate::value::meta;
    use ndarray::{array, IxDyn, ShapeBuilder};

    fn hand<A: Float>() {
        let x = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].mapv(A::from_f64));
        let m = meta(&x);
        let two = arr0(A::from_f64(2.0));
        // Σ x = 21; ∂/∂xᵢ = 1, so the gradient is d = 2 everywhere.
        assert_close("sum", x.sum().item(), 21.0);
        assert_all_close(
            "sum",
            &SumRule::rev0(&m, &two),
            &Array::from_elem((2, 3), 2.0),
        );
        // mean x = 21/6; ∂/∂xᵢ = 1/6, so d/6 = 1/3 everywhere.
        assert_close("mean", x.mean().item(), 3.5);
        let g = MeanRule::rev0(&m, &two);
        assert_all_close("mean", &g, &Array::from_elem((2, 3), 1.0 / 3.0));
        // Along axis 0: [5, 7, 9]; the gradient repeats d = [1, 2, 3] down the rows.
        let d0 = array![1.0, 2.0, 3.0].mapv(A::from_f64);
        assert_all_close(
            "sum_axis",
            x.sum_axis(Axis(0)).data(),
            &array![5.0, 7.0, 9.0],
        );
        let g = SumAxisRule::rev0(&m, &Axis(0), &d0);
        assert_all_close("sum_axis", &g, &array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]);
        // Mean along axis 0 divides by 2.
        let y = x.mean_axis(Axis(0));
        assert_all_close("mean_axis", y.data(), &array![2.5, 3.5, 4.5]);
        let g = MeanAxisRule::rev0(&m, &Axis(0), &d0);
        assert_all_close("mean_axis", &g, &array![[0.5, 1.0, 1.5], [0.5, 1.0, 1.5]]);
        // Along axis 1: [6, 15]; d = [1, 2] repeats across the columns, /3 for the mean.
        let d1 = array![1.0, 2.0].mapv(A::from_f64);
        assert_all_close("sum_axis", x.sum_axis(Axis(1)).data(), &array![6.0, 15.0]);
        let g = SumAxisRule::rev0(&m, &Axis(1), &d1);
        assert_all_close("sum_axis", &g, &array![[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]);
        assert_all_close("mean_axis", x.mean_axis(Axis(1)).data(), &array![2.0, 5.0]);
        let g = MeanAxisRule::rev0(&m, &Axis(1), &d1);
        let third = 1.0 / 3.0;
        let want = array![
            [third, third, third],
            [2.0 * third, 2.0 * third, 2.0 * third]
        ];
        assert_all_close("mean_axis", &g, &want);
    }

    #[test]
    fn hand_derived() {
        hand::<f64>();
        hand::<f32>();
    }

    fn whole<A: Float, Sh: ShapeBuilder>(shape: Sh) {
        let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 1);
        let t = Tensor::from(x.clone());
        let d = arr0(A::from_f64(0.7));
        let g = SumRule::rev0(&meta(&t), &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).sum().into_data();
        check_vjp("sum", f, &x, &d, &g);
        let g = MeanRule::rev0(&meta(&t), &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).mean().into_data();
        check_vjp("mean", f, &x, &d, &g);
        // `item` of the sum: the identity from a scalar tensor to its float.
        let s = Tensor::from(x.clone()).sum();
        let gi = ItemRule::rev0(&meta(&s), &d[()]);
        let fi = |y: &Array0<A>| arr0(Tensor::from(y.clone()).item());
        check_vjp("item", fi, s.data(), &d, &gi);
        assert_eq!(gi, d);
    }

    fn along<A: Float, Sh: ShapeBuilder>(shape: Sh)
    where
        Sh::Dim: RemoveAxis,
    {
        let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 2);
        let t = Tensor::from(x.clone());
        for k in 0..x.ndim() {
            let axis = Axis(k);
            let d = sample(x.raw_dim().remove_axis(axis), -1.0, 1.0, 5 + k);
            let g = SumAxisRule::rev0(&meta(&t), &axis, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).sum_axis(axis).into_data();
            check_vjp("sum_axis", f, &x, &d, &g);
            let g = MeanAxisRule::rev0(&meta(&t), &axis, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).mean_axis(axis).into_data();
            check_vjp("mean_axis", f, &x, &d, &g);
        }
    }

    fn finite_differences<A: Float>() {
        whole::<A, _>(());
        whole::<A, _>(4);
        whole::<A, _>((2, 3));
        whole::<A, _>(IxDyn(&[2, 1, 3]));
        along::<A, _>(4);
        along::<A, _>((2, 3));
        along::<A, _>((2, 3, 2));
        along::<A, _>(IxDyn(&[3, 1, 2]));
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
    fn sum_of_a_scalar_and_an_empty_mean() {
        let s = Tensor::scalar(2.5f64);
        assert_eq!(s.sum().item(), 2.5);
        assert_eq!(s.mean().item(), 2.5);
        // A mean over no elements is NaN, as in PyTorch.
        let e = Tensor::<f64, _>::zeros((0, 3));
        assert!(e.mean().item().is_nan());
        assert!(e.mean_axis(Axis(0)).data().iter().all(|v| v.is_nan()));
        assert_eq!(e.sum_axis(Axis(1)).shape(), &[0]);
    }

    #[test]
    #[should_panic(
        expected = "sum_axis: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
    )]
    fn sum_axis_out_of_range_panics() {
        Tensor::<f64, _>::zeros((2, 3)).sum_axis(Axis(2));
    }

    #[test]
    #[should_panic(
        expected = "mean_axis: axis 1 is out of range for a tensor with 1 axes (shape [4])"
    )]
    fn mean_axis_out_of_range_panics() {
        Tensor::<f32, _>::zeros(4).mean_axis(Axis(1));
    }

    #[test]
    #[should_panic(expected = "sum_axis: axis 3 is out of range")]
    fn sum_axis_rule_panics_too() {
        SumAxisRule::fwd(&Tensor::<f64, _>::zeros(IxDyn(&[1, 2])), &Axis(3));
    }

    #[test]
    fn try_axis_errors() {
        let t = Tensor::<f64, _>::zeros((2, 3));
        let err = t.try_sum_axis(Axis(2)).unwrap_err();
        assert_eq!(
            err,
            Error::AxisOutOfRange {
                op: "sum_axis",
                axis: 2,
                ndim: 2,
                shape: vec![2, 3]
            }
        );
        assert_eq!(
            err.to_string(),
            "sum_axis: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
        );
        let err = t.try_mean_axis(Axis(5)).unwrap_err();
        assert!(matches!(
            err,
            Error::AxisOutOfRange {
                op: "mean_axis",
                axis: 5,
                ..
            }
        ));
        assert_eq!(t.try_sum_axis(Axis(1)).unwrap().data(), &array![0.0, 0.0]);
        assert_eq!(t.try_mean_axis(Axis(0)).unwrap().shape(), &[3]);
    }
}

#[cfg(test)]
mod tangent_tests {
    //! The reductions are linear: each tangent is the reduction of the
    //! tangent, checked against central differences and the backward.
    use super::*;
    use crate::ops::tangent_testing::{check_difference, check_dot_flat, Flat};
    use crate::ops::testing::sample;
    use crate::value::meta;
    use ndarray::{Ix2, Ix3};

    macro_rules! check_linear {
        ($what:literal, $x:expr, $u_shape:expr, $fwd:expr, $tan:expr, $rev:expr) => {{
            let x = $x;
            let t = sample(x.raw_dim(), -1.0, 1.0, 5);
            let u = sample($u_shape, -1.0, 1.0, 6);
            let j = $tan(&meta(&x), &t);
            check_difference($what, &j.flat(), |h| $fwd(&x.moved(&t.flat(), h)).flat());
            check_dot_flat(
                $what,
                &u.flat(),
                &j.flat(),
                &$rev(&meta(&x), &u).flat(),
                &t.flat(),
            );
        }};
    }

    fn reductions<A: Float>() {
        let x = || Tensor::<A, _>::from(sample(Ix3(2, 3, 4), -1.0, 1.0, 1));
        check_linear!(
            "sum",
            x(),
            (),
            |x: &Tensor<A, Ix3>| SumRule::fwd(x),
            SumRule::tan0,
            SumRule::rev0
        );
        check_linear!(
            "mean",
            x(),
            (),
            |x: &Tensor<A, Ix3>| MeanRule::fwd(x),
            MeanRule::tan0,
            MeanRule::rev0
        );
        for k in 0..3 {
            let mut shape = vec![2, 3, 4];
            shape.remove(k);
            let shape = Ix2(shape[0], shape[1]);
            let axis = Axis(k);
            check_linear!(
                "sum_axis",
                x(),
                shape,
                |x: &Tensor<A, Ix3>| SumAxisRule::fwd(x, &axis),
                |m, t| SumAxisRule::tan0(m, &axis, t),
                |m, d| SumAxisRule::rev0(m, &axis, d)
            );
            check_linear!(
                "mean_axis",
                x(),
                shape,
                |x: &Tensor<A, Ix3>| MeanAxisRule::fwd(x, &axis),
                |m, t| MeanAxisRule::tan0(m, &axis, t),
                |m, d| MeanAxisRule::rev0(m, &axis, d)
            );
        }
        let s = Tensor::from(arr0(A::from_f64(0.3)));
        assert_eq!(
            ItemRule::tan0(&meta(&s), &arr0(A::from_f64(2.0))),
            A::from_f64(2.0)
        );
    }

    #[test]
    fn reduction_tangents_agree_with_finite_differences_and_the_backward() {
        reductions::<f64>();
        reductions::<f32>();
    }
}
