//! Reshaping: derivative rule.
//!
//! `x.reshape(shape)` lays the elements of `x` out in a new shape with the
//! same number of elements, reading and writing both in row-major (logical)
//! order, as `torch.reshape` and ndarray's `to_shape` with `Order::RowMajor`.
//! Element `i` of the output (in row-major order) is element `i` of the
//! input, so the map is a permutation-free relabelling and its adjoint is the
//! reverse relabelling: the input's gradient is `d` reshaped back to the
//! input's shape.
//!
//! The input may have any layout (a transpose, say); the output is always a
//! new tensor in standard layout.

use ndarray::{Array, Dimension, IntoDimension, Order};

use crate::error::{or_panic, Error};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf, Meta};

use super::decl::{ArgKind, Cap as C, OpDecl, Reads as R};

#[rustfmt::skip]
/// `reshape`, as generated code sees it (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "reshape", rule: "ReshapeRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
];

/// `x` with its elements laid out in `shape`, in row-major order, or
/// [`Error::IncompatibleShapes`] if the numbers of elements differ.
fn reshaped<A: Float, D: Dimension, E: Dimension>(
    x: &Array<A, D>,
    shape: E,
) -> Result<Array<A, E>, Error> {
    match x.to_shape((shape.clone(), Order::RowMajor)) {
        Ok(y) => Ok(y.into_owned()),
        Err(_) => Err(Error::IncompatibleShapes {
            op: "reshape",
            lhs: x.shape().to_vec(),
            rhs: shape.slice().to_vec(),
            reason: "the numbers of elements differ",
        }),
    }
}

/// The rule of `x.reshape(shape)`: the elements in row-major order, laid out
/// in `shape`; the input's gradient is `d` laid out back in the input's shape.
pub trait ReshapeRule<Sh: IntoDimension + Clone>: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The reshaped value.
    ///
    /// # Panics
    /// If `shape` has a different number of elements; the message names both shapes.
    fn fwd(&self, shape: &Sh) -> Self::Output;
    /// [`fwd`](Self::fwd) of a value nothing else reads (generated code
    /// passes temporaries): its buffer is laid out in `shape` without a copy
    /// when it is row-major.
    #[track_caller]
    fn fwd_owned(self, shape: &Sh) -> Self::Output
    where
        Self: Sized,
    {
        self.fwd(shape)
    }
    /// The input's gradient, reading only the input's shape.
    fn rev0(x: &Meta<Self>, shape: &Sh, d: &GradOf<Self::Output>) -> Self::Grad;
    /// [`rev0`](Self::rev0) taking the output's gradient by value: its buffer
    /// is laid out in the input's shape without a copy when it is row-major.
    fn rev0_owned(x: &Meta<Self>, shape: &Sh, d: GradOf<Self::Output>) -> Self::Grad {
        Self::rev0(x, shape, &d)
    }
    /// Forward mode: the output's tangent, the tangent laid out in `shape`.
    fn tan0(x: &Meta<Self>, shape: &Sh, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float, D: Dimension, Sh: IntoDimension + Clone> ReshapeRule<Sh> for Tensor<A, D> {
    type Output = Tensor<A, Sh::Dim>;
    #[track_caller]
    fn fwd(&self, shape: &Sh) -> Tensor<A, Sh::Dim> {
        Tensor::from(or_panic(reshaped(
            self.data(),
            shape.clone().into_dimension(),
        )))
    }
    #[track_caller]
    fn fwd_owned(self, shape: &Sh) -> Tensor<A, Sh::Dim> {
        if self.data().is_standard_layout() {
            let shape = shape.clone().into_dimension();
            let size: usize = shape.slice().iter().product();
            if size == self.data().len() {
                if let Ok(data) = self.into_data().into_shape_with_order(shape) {
                    return Tensor::from(data);
                }
                unreachable!("a row-major array of as many elements takes any shape");
            }
        }
        self.fwd(shape)
    }
    fn rev0(x: &Meta<Self>, _: &Sh, d: &Array<A, Sh::Dim>) -> Array<A, D> {
        // The forward pass succeeded, so the sizes agree.
        or_panic(reshaped(d, x.0.clone()))
    }
    fn rev0_owned(x: &Meta<Self>, _: &Sh, d: Array<A, Sh::Dim>) -> Array<A, D> {
        if d.is_standard_layout() {
            if let Ok(g) = d.into_shape_with_order(x.0.clone()) {
                return g;
            }
            unreachable!("the forward pass succeeded, so the sizes agree");
        }
        or_panic(reshaped(&d, x.0.clone()))
    }
    fn tan0(_: &Meta<Self>, shape: &Sh, t: &Array<A, D>) -> Array<A, Sh::Dim> {
        or_panic(reshaped(t, shape.clone().into_dimension()))
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The elements laid out in `shape` (a `usize`, a tuple, an array or a
    /// `Vec` of lengths), read and written in row-major order as
    /// `torch.reshape`, as a new tensor. The derivative rule is [`ReshapeRule`].
    ///
    /// # Panics
    /// If `shape` has a different number of elements; the message names both
    /// shapes. See [`try_reshape`](Self::try_reshape).
    #[track_caller]
    pub fn reshape<Sh: IntoDimension + Clone>(&self, shape: Sh) -> Tensor<A, Sh::Dim> {
        ReshapeRule::fwd(self, &shape)
    }

    /// Like [`reshape`](Self::reshape), returning
    /// [`Error::IncompatibleShapes`] instead of panicking.
    pub fn try_reshape<Sh: IntoDimension + Clone>(
        &self,
        shape: Sh,
    ) -> Result<Tensor<A, Sh::Dim>, Error> {
        reshaped(self.data(), shape.into_dimension()).map(Tensor::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, check_vjp, sample};
    use crate::value::meta;
    use ndarray::{arr0, array, Ix0, Ix1, Ix2, IxDyn, ShapeBuilder};

    fn hand<A: Float>() {
        let x = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].mapv(A::from_f64));
        // Row-major: [1, 2, 3, 4, 5, 6] laid out in 3 rows of 2.
        let y = x.reshape((3, 2));
        assert_all_close(
            "reshape",
            y.data(),
            &array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        );
        // The gradient is d laid out back in 2 rows of 3.
        let d = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]].mapv(A::from_f64);
        let g = ReshapeRule::rev0(&meta(&x), &(3, 2), &d);
        assert_all_close("reshape", &g, &array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        // Flattening.
        assert_all_close(
            "reshape",
            x.reshape(6).data(),
            &array![1., 2., 3., 4., 5., 6.],
        );

        // A transposed input is read in its logical (row-major) order.
        let xt = Tensor::from(x.data().clone().reversed_axes());
        assert!(!xt.data().is_standard_layout());
        let y = xt.reshape(6);
        assert_all_close("reshape", y.data(), &array![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let g = ReshapeRule::rev0(
            &meta(&xt),
            &6,
            &array![1., 2., 3., 4., 5., 6.].mapv(A::from_f64),
        );
        assert_all_close("reshape", &g, &array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);

        // A scalar to a 1×1 matrix and back.
        let s = Tensor::scalar(A::from_f64(2.5));
        let m = s.reshape((1, 1));
        assert_all_close("reshape", m.data(), &array![[2.5]]);
        let back: Tensor<A, Ix0> = m.reshape(());
        assert_all_close("reshape", back.data(), &arr0(2.5));
        let d = array![[A::from_f64(3.0)]];
        assert_all_close(
            "reshape",
            &ReshapeRule::rev0(&meta(&s), &(1, 1), &d),
            &arr0(3.0),
        );
    }

    #[test]
    fn hand_derived() {
        hand::<f64>();
        hand::<f32>();
    }

    fn check<A: Float, Sh: ShapeBuilder, To: IntoDimension + Clone>(from: Sh, to: To) {
        let x: Array<A, Sh::Dim> = sample(from, -1.0, 1.0, 1);
        let t = Tensor::from(x.clone());
        let y = t.reshape(to.clone());
        let d = sample(y.raw_dim(), -1.0, 1.0, 2);
        let g = ReshapeRule::rev0(&meta(&t), &to, &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).reshape(to.clone()).into_data();
        check_vjp("reshape", f, &x, &d, &g);
    }

    fn finite_differences<A: Float>() {
        check::<A, _, _>((), (1, 1));
        check::<A, _, _>((1, 1), ());
        check::<A, _, _>((2, 3), (3, 2));
        check::<A, _, _>((2, 3), 6);
        check::<A, _, _>(6, (2, 1, 3));
        check::<A, _, _>((2, 2, 3), vec![3, 4]);
        check::<A, _, _>(IxDyn(&[4, 3]), [2, 6]);
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
    fn dimension_types() {
        let x = Tensor::<f64, Ix2>::zeros((2, 3));
        let _: Tensor<f64, Ix1> = x.reshape(6);
        let _: Tensor<f64, Ix2> = x.reshape([3, 2]);
        let _: Tensor<f64, IxDyn> = x.reshape(vec![1, 6]);
        let _: Tensor<f64, IxDyn> = x.reshape(&[6, 1][..]);
    }

    #[test]
    #[should_panic(
        expected = "reshape: incompatible shapes [2, 3] and [4]: the numbers of elements differ"
    )]
    fn reshape_size_mismatch_panics() {
        Tensor::<f64, _>::zeros((2, 3)).reshape(4);
    }

    #[test]
    #[should_panic(expected = "reshape: incompatible shapes [5] and [2, 2]")]
    fn reshape_rule_panics_too() {
        ReshapeRule::fwd(&Tensor::<f32, _>::zeros(5), &(2, 2));
    }

    #[test]
    fn try_reshape() {
        let x = Tensor::<f32, _>::ones((2, 3));
        assert_eq!(
            x.try_reshape((4, 2)).unwrap_err(),
            Error::IncompatibleShapes {
                op: "reshape",
                lhs: vec![2, 3],
                rhs: vec![4, 2],
                reason: "the numbers of elements differ",
            }
        );
        assert_eq!(x.try_reshape((3, 2)).unwrap().shape(), &[3, 2]);
    }
}
