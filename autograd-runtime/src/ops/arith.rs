//! `+ - * /` and unary `-`: derivative rules, with broadcasting.
//!
//! Each rule is implemented for a float and a float, a tensor and a tensor
//! (broadcasting both ways), a tensor and a float, and a float and a tensor.
//! The gradient of a broadcast operand is summed back to its shape.
//!
//! | op | ∂/∂a | ∂/∂b |
//! |----|------|------|
//! | `a + b` | `d` | `d` |
//! | `a - b` | `d` | `-d` |
//! | `a * b` | `d·b` | `d·a` |
//! | `a / b` | `d/b` | `-d·a/b²` |
//! | `-a` | `-d` | |

use ndarray::{Array, DimMax, Dimension, Zip};

use super::decl::{Cap as C, OpDecl, Reads as R};
use super::tangent::{stretched, zip2, zip3, zip4, Collect};
use crate::broadcast::{broadcast_shapes, sum_to_shape_owned, unbroadcast};
use crate::error::{or_panic, shape_mismatch, Error};
use crate::float::Float;
use crate::tensor::Tensor;
#[cfg(test)]
use crate::value::meta;
use crate::value::{Differentiable, GradOf, Meta};

#[rustfmt::skip]
/// `+ - * /` and unary `-`, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "add", rule: "AddRule", args: &[], reads: &[&[R::Meta(0), R::Meta(1)], &[R::Meta(0), R::Meta(1)]], caps: &[C::Consumes, C::OwnedGrad(0), C::OwnedGrad(1), C::BothOwned, C::Passes(0), C::Passes(1)] },
    OpDecl { name: "sub", rule: "SubRule", args: &[], reads: &[&[R::Meta(0), R::Meta(1)], &[R::Meta(0), R::Meta(1)]], caps: &[C::Consumes, C::OwnedGrad(0), C::OwnedGrad(1), C::BothOwned, C::Passes(0)] },
    OpDecl { name: "mul", rule: "MulRule", args: &[], reads: &[&[R::Meta(0), R::Value(1)], &[R::Value(0), R::Meta(1)]], caps: &[C::Consumes, C::OwnedGrad(0), C::OwnedGrad(1), C::FuseSameOperands("SquareRule")] },
    OpDecl { name: "div", rule: "DivRule", args: &[], reads: &[&[R::Meta(0), R::Value(1)], &[R::Value(0), R::Value(1)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "neg", rule: "NegRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[] },
];

/// Checks that two tensors broadcast together, naming both shapes if not.
pub(crate) fn check_broadcast(op: &'static str, a: &[usize], b: &[usize]) -> Result<(), Error> {
    match broadcast_shapes(a, b) {
        Some(_) => Ok(()),
        None => Err(shape_mismatch(op, a, b)),
    }
}

/// The default of `revs_owned`: the left operand's gradient from a borrow,
/// then the right one's from the buffer.
macro_rules! right_takes_buffer {
    ($T:ty as $Tr:ty; $lhs:ident, $rhs:ident, $d:ident, $needs:ident) => {
        match $needs {
            [true, true] => (
                Some(<$T as $Tr>::rev0($lhs, $rhs, &$d)),
                Some(<$T as $Tr>::rev1_owned($lhs, $rhs, $d)),
            ),
            [true, false] => (Some(<$T as $Tr>::rev0_owned($lhs, $rhs, $d)), None),
            [false, true] => (None, Some(<$T as $Tr>::rev1_owned($lhs, $rhs, $d))),
            [false, false] => (None, None),
        }
    };
}

macro_rules! binary_rule_trait {
    ($(#[$doc:meta])* $Rule:ident = $message:literal, $rev0:tt, $rev1:tt $(, $both:ident)?) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(
            message = $message,
            label = "no derivative rule for these operand types",
            note = "both operands must be floats of one type (`f32` or `f64`), tensors of that element type, or a tensor and a float; convert integers with `as f64` outside the differentiated expression, or mark them `#[no_grad]`"
        )]
        pub trait $Rule<Rhs: Differentiable + ?Sized>: Differentiable {
            /// The result type.
            type Output: Differentiable;
            /// The forward value.
            fn fwd(&self, rhs: &Rhs) -> Self::Output;
            /// [`fwd`](Self::fwd) of a left operand nothing else reads
            /// (generated code passes temporaries): a tensor of the result's
            /// shape is computed in its buffer.
            #[track_caller]
            fn fwd_owned(self, rhs: &Rhs) -> Self::Output
            where
                Self: Sized,
            {
                self.fwd(rhs)
            }
            binary_rule_trait!(@rev0 $rev0);
            binary_rule_trait!(@rev1 $rev1);
            binary_rule_trait!(@tan $rev0 $rev1);
            $(binary_rule_trait!(@$both $Rule);)?
        }
    };
    (@both $Rule:ident) => {
        /// Both operands' gradients, those `needs` asks for, from the
        /// output's gradient taken by value. By default the right operand
        /// receives its buffer; tensors give it to an operand of the output's
        /// shape, after the other operand's gradient is summed from it.
        #[inline]
        fn revs_owned(
            lhs: &Meta<Self>,
            rhs: &Meta<Rhs>,
            d: GradOf<Self::Output>,
            needs: [bool; 2],
        ) -> (Option<Self::Grad>, Option<Rhs::Grad>) {
            right_takes_buffer!(Self as $Rule<Rhs>; lhs, rhs, d, needs)
        }
    };
    (@tan meta meta) => {
        /// Forward mode: the output's tangent from the left operand's tangent `t`.
        fn tan0(lhs: &Meta<Self>, rhs: &Meta<Rhs>, t: &Self::Grad) -> GradOf<Self::Output>;
        /// Forward mode: the output's tangent from the right operand's tangent `t`.
        fn tan1(lhs: &Meta<Self>, rhs: &Meta<Rhs>, t: &Rhs::Grad) -> GradOf<Self::Output>;
    };
    (@tan value mul) => {
        /// Forward mode: the output's tangent from the left operand's tangent `t`: `t·b`.
        fn tan0(lhs: &Meta<Self>, rhs: &Rhs, t: &Self::Grad) -> GradOf<Self::Output>;
        /// Forward mode: the output's tangent from the right operand's tangent `t`: `a·t`.
        fn tan1(lhs: &Self, rhs: &Meta<Rhs>, t: &Rhs::Grad) -> GradOf<Self::Output>;
        /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
        /// from the right operand's tangent `t`: `d·t`, summed to the left
        /// operand's shape.
        fn rev0_tan1(lhs: &Meta<Self>, rhs: &Rhs, t: &Rhs::Grad, d: &GradOf<Self::Output>) -> Self::Grad;
        /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
        /// from the left operand's tangent `t`: `d·t`, summed to the right
        /// operand's shape.
        fn rev1_tan0(lhs: &Self, rhs: &Meta<Rhs>, t: &Self::Grad, d: &GradOf<Self::Output>) -> Rhs::Grad;
    };
    (@tan value div) => {
        /// Forward mode: the output's tangent from the left operand's tangent `t`: `t / b`.
        fn tan0(lhs: &Meta<Self>, rhs: &Rhs, t: &Self::Grad) -> GradOf<Self::Output>;
        /// Forward mode: the output's tangent from the right operand's tangent `t`: `−a·t / b²`.
        fn tan1(lhs: &Self, rhs: &Rhs, t: &Rhs::Grad) -> GradOf<Self::Output>;
        /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
        /// from the right operand's tangent `t`: `−d·t / b²`, summed to the
        /// left operand's shape.
        fn rev0_tan1(lhs: &Meta<Self>, rhs: &Rhs, t: &Rhs::Grad, d: &GradOf<Self::Output>) -> Self::Grad;
        /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
        /// from the left operand's tangent `t`: `−d·t / b²`.
        fn rev1_tan0(lhs: &Self, rhs: &Rhs, t: &Self::Grad, d: &GradOf<Self::Output>) -> Rhs::Grad;
        /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
        /// from the right operand's tangent `t`: `2·d·a·t / b³`.
        fn rev1_tan1(lhs: &Self, rhs: &Rhs, t: &Rhs::Grad, d: &GradOf<Self::Output>) -> Rhs::Grad;
    };
    (@rev0 meta) => {
        /// The gradient of the left operand.
        fn rev0(lhs: &Meta<Self>, rhs: &Meta<Rhs>, d: &GradOf<Self::Output>) -> Self::Grad;
        /// [`rev0`](Self::rev0) taking the output's gradient by value: where
        /// nothing was broadcast, it becomes the operand's gradient without a copy.
        fn rev0_owned(lhs: &Meta<Self>, rhs: &Meta<Rhs>, d: GradOf<Self::Output>) -> Self::Grad {
            Self::rev0(lhs, rhs, &d)
        }
    };
    (@rev1 meta) => {
        /// The gradient of the right operand.
        fn rev1(lhs: &Meta<Self>, rhs: &Meta<Rhs>, d: &GradOf<Self::Output>) -> Rhs::Grad;
        /// [`rev1`](Self::rev1) taking the output's gradient by value: where
        /// nothing was broadcast, it becomes the operand's gradient without a copy.
        fn rev1_owned(lhs: &Meta<Self>, rhs: &Meta<Rhs>, d: GradOf<Self::Output>) -> Rhs::Grad {
            Self::rev1(lhs, rhs, &d)
        }
    };
    (@rev0 value) => {
        /// The gradient of the left operand, which reads the right one.
        fn rev0(lhs: &Meta<Self>, rhs: &Rhs, d: &GradOf<Self::Output>) -> Self::Grad;
        /// [`rev0`](Self::rev0) taking the output's gradient by value: computed
        /// in its buffer where nothing was broadcast.
        fn rev0_owned(lhs: &Meta<Self>, rhs: &Rhs, d: GradOf<Self::Output>) -> Self::Grad {
            Self::rev0(lhs, rhs, &d)
        }
    };
    (@rev1 mul) => {
        /// The gradient of the right operand, which reads the left one.
        fn rev1(lhs: &Self, rhs: &Meta<Rhs>, d: &GradOf<Self::Output>) -> Rhs::Grad;
        /// [`rev1`](Self::rev1) taking the output's gradient by value: computed
        /// in its buffer where nothing was broadcast.
        fn rev1_owned(lhs: &Self, rhs: &Meta<Rhs>, d: GradOf<Self::Output>) -> Rhs::Grad {
            Self::rev1(lhs, rhs, &d)
        }
    };
    (@rev1 div) => {
        /// The gradient of the right operand, which reads both.
        fn rev1(lhs: &Self, rhs: &Rhs, d: &GradOf<Self::Output>) -> Rhs::Grad;
    };
}

binary_rule_trait!(
    /// The rule of `a + b`.
    AddRule = "cannot differentiate `{Self} + {Rhs}`", meta, meta, both);
binary_rule_trait!(
    /// The rule of `a - b`.
    SubRule = "cannot differentiate `{Self} - {Rhs}`", meta, meta, both);

binary_rule_trait!(
    /// The rule of `a * b`.
    MulRule = "cannot differentiate `{Self} * {Rhs}`", value, mul);
binary_rule_trait!(
    /// The rule of `a / b`.
    DivRule = "cannot differentiate `{Self} / {Rhs}`", value, div);

// ---- float ∘ float -------------------------------------------------------

impl<A: Float> AddRule<A> for A {
    type Output = A;
    #[inline]
    fn fwd(&self, rhs: &A) -> A {
        *self + *rhs
    }
    #[inline]
    fn rev0(_: &Meta<A>, _: &Meta<A>, d: &A) -> A {
        *d
    }
    #[inline]
    fn rev1(_: &Meta<A>, _: &Meta<A>, d: &A) -> A {
        *d
    }
    #[inline]
    fn tan0(_: &Meta<A>, _: &Meta<A>, t: &A) -> A {
        *t
    }
    #[inline]
    fn tan1(_: &Meta<A>, _: &Meta<A>, t: &A) -> A {
        *t
    }
}

impl<A: Float> SubRule<A> for A {
    type Output = A;
    #[inline]
    fn fwd(&self, rhs: &A) -> A {
        *self - *rhs
    }
    #[inline]
    fn rev0(_: &Meta<A>, _: &Meta<A>, d: &A) -> A {
        *d
    }
    #[inline]
    fn rev1(_: &Meta<A>, _: &Meta<A>, d: &A) -> A {
        -*d
    }
    #[inline]
    fn tan0(_: &Meta<A>, _: &Meta<A>, t: &A) -> A {
        *t
    }
    #[inline]
    fn tan1(_: &Meta<A>, _: &Meta<A>, t: &A) -> A {
        -*t
    }
}

impl<A: Float> MulRule<A> for A {
    type Output = A;
    #[inline]
    fn fwd(&self, rhs: &A) -> A {
        *self * *rhs
    }
    #[inline]
    fn rev0(_: &Meta<A>, rhs: &A, d: &A) -> A {
        *d * *rhs
    }
    #[inline]
    fn rev1(lhs: &A, _: &Meta<A>, d: &A) -> A {
        *d * *lhs
    }
    #[inline]
    fn tan0(_: &Meta<A>, rhs: &A, t: &A) -> A {
        *t * *rhs
    }
    #[inline]
    fn tan1(lhs: &A, _: &Meta<A>, t: &A) -> A {
        *lhs * *t
    }
    #[inline]
    fn rev0_tan1(_: &Meta<A>, _: &A, t: &A, d: &A) -> A {
        *d * *t
    }
    #[inline]
    fn rev1_tan0(_: &A, _: &Meta<A>, t: &A, d: &A) -> A {
        *d * *t
    }
}

impl<A: Float> DivRule<A> for A {
    type Output = A;
    #[inline]
    fn fwd(&self, rhs: &A) -> A {
        *self / *rhs
    }
    #[inline]
    fn rev0(_: &Meta<A>, rhs: &A, d: &A) -> A {
        *d / *rhs
    }
    #[inline]
    fn rev1(lhs: &A, rhs: &A, d: &A) -> A {
        -*d * *lhs / (*rhs * *rhs)
    }
    #[inline]
    fn tan0(_: &Meta<A>, rhs: &A, t: &A) -> A {
        *t / *rhs
    }
    #[inline]
    fn tan1(lhs: &A, rhs: &A, t: &A) -> A {
        -*lhs * *t / (*rhs * *rhs)
    }
    #[inline]
    fn rev0_tan1(_: &Meta<A>, rhs: &A, t: &A, d: &A) -> A {
        -*d * *t / (*rhs * *rhs)
    }
    #[inline]
    fn rev1_tan0(_: &A, rhs: &A, t: &A, d: &A) -> A {
        -*d * *t / (*rhs * *rhs)
    }
    #[inline]
    fn rev1_tan1(lhs: &A, rhs: &A, t: &A, d: &A) -> A {
        let two = A::one() + A::one();
        two * *d * *lhs * *t / (*rhs * *rhs * *rhs)
    }
}

// ---- tensor ∘ tensor (broadcasting) --------------------------------------

type Broadcast<A, D, E> = Tensor<A, <D as DimMax<E>>::Output>;

/// The shape two tensor operands broadcast to.
fn out_shape<A: Float, D: Dimension, E: Dimension>(
    lhs: &Meta<Tensor<A, D>>,
    rhs: &Meta<Tensor<A, E>>,
) -> Vec<usize> {
    broadcast_shapes(lhs.0.slice(), rhs.0.slice()).expect("the operands broadcast together")
}

/// `revs_owned` for tensors: when both gradients are needed and only the
/// left operand has the output's shape, the right one's gradient (a sum) is
/// taken first and the left one receives the buffer.
macro_rules! shape_takes_buffer {
    ($Rule:ident) => {
        fn revs_owned(
            lhs: &Meta<Self>,
            rhs: &Meta<Tensor<A, E>>,
            d: GradOf<Self::Output>,
            needs: [bool; 2],
        ) -> (Option<Array<A, D>>, Option<Array<A, E>>) {
            if needs == [true, true] && lhs.0.slice() == d.shape() && rhs.0.slice() != d.shape() {
                let g1 = <Self as $Rule<Tensor<A, E>>>::rev1(lhs, rhs, &d);
                return (
                    Some(<Self as $Rule<Tensor<A, E>>>::rev0_owned(lhs, rhs, d)),
                    Some(g1),
                );
            }
            right_takes_buffer!(Self as $Rule<Tensor<A, E>>; lhs, rhs, d, needs)
        }
    };
}

macro_rules! tensor_tensor_fwd {
    ($name:literal, $op:tt) => {
        #[track_caller]
        fn fwd(&self, rhs: &Tensor<A, E>) -> Broadcast<A, D, E> {
            or_panic(check_broadcast($name, self.shape(), rhs.shape()));
            Tensor::from(self.data() $op rhs.data())
        }
        #[track_caller]
        // `$op` is a token of the macro: `*a = *a $op b` is the one form for all four.
        #[allow(clippy::assign_op_pattern)]
        fn fwd_owned(self, rhs: &Tensor<A, E>) -> Broadcast<A, D, E> {
            or_panic(check_broadcast($name, self.shape(), rhs.shape()));
            if rhs.data().broadcast(self.raw_dim()).is_some() {
                // The right operand stretches to the left one's shape, which
                // is then the result's: computed in place.
                let mut a = self.into_data();
                a.zip_mut_with(rhs.data(), |a, &b| *a = *a $op b);
                if let Ok(a) = a.into_dimensionality() {
                    return Tensor::from(a);
                }
                unreachable!("the result has the left operand's number of axes");
            }
            Tensor::from(self.data() $op rhs.data())
        }
    };
}

impl<A: Float, D: Dimension + DimMax<E>, E: Dimension> AddRule<Tensor<A, E>> for Tensor<A, D> {
    type Output = Broadcast<A, D, E>;
    shape_takes_buffer!(AddRule);
    tensor_tensor_fwd!("add", +);
    fn rev0(lhs: &Meta<Self>, _: &Meta<Tensor<A, E>>, d: &GradOf<Self::Output>) -> Array<A, D> {
        unbroadcast(d, &lhs.0)
    }
    fn rev1(_: &Meta<Self>, rhs: &Meta<Tensor<A, E>>, d: &GradOf<Self::Output>) -> Array<A, E> {
        unbroadcast(d, &rhs.0)
    }
    fn rev0_owned(
        lhs: &Meta<Self>,
        _: &Meta<Tensor<A, E>>,
        d: GradOf<Self::Output>,
    ) -> Array<A, D> {
        sum_to_shape_owned(d.into_dyn(), &lhs.0)
    }
    fn rev1_owned(
        _: &Meta<Self>,
        rhs: &Meta<Tensor<A, E>>,
        d: GradOf<Self::Output>,
    ) -> Array<A, E> {
        sum_to_shape_owned(d.into_dyn(), &rhs.0)
    }
    fn tan0(lhs: &Meta<Self>, rhs: &Meta<Tensor<A, E>>, t: &Array<A, D>) -> GradOf<Self::Output> {
        Collect::exact(stretched(t, &out_shape(lhs, rhs)))
    }
    fn tan1(lhs: &Meta<Self>, rhs: &Meta<Tensor<A, E>>, t: &Array<A, E>) -> GradOf<Self::Output> {
        Collect::exact(stretched(t, &out_shape(lhs, rhs)))
    }
}

impl<A: Float, D: Dimension + DimMax<E>, E: Dimension> SubRule<Tensor<A, E>> for Tensor<A, D> {
    type Output = Broadcast<A, D, E>;
    shape_takes_buffer!(SubRule);
    tensor_tensor_fwd!("sub", -);
    fn rev0(lhs: &Meta<Self>, _: &Meta<Tensor<A, E>>, d: &GradOf<Self::Output>) -> Array<A, D> {
        unbroadcast(d, &lhs.0)
    }
    fn rev1(_: &Meta<Self>, rhs: &Meta<Tensor<A, E>>, d: &GradOf<Self::Output>) -> Array<A, E> {
        -unbroadcast(d, &rhs.0)
    }
    fn rev0_owned(
        lhs: &Meta<Self>,
        _: &Meta<Tensor<A, E>>,
        d: GradOf<Self::Output>,
    ) -> Array<A, D> {
        sum_to_shape_owned(d.into_dyn(), &lhs.0)
    }
    fn rev1_owned(
        _: &Meta<Self>,
        rhs: &Meta<Tensor<A, E>>,
        d: GradOf<Self::Output>,
    ) -> Array<A, E> {
        -sum_to_shape_owned(d.into_dyn(), &rhs.0)
    }
    fn tan0(lhs: &Meta<Self>, rhs: &Meta<Tensor<A, E>>, t: &Array<A, D>) -> GradOf<Self::Output> {
        Collect::exact(stretched(t, &out_shape(lhs, rhs)))
    }
    fn tan1(lhs: &Meta<Self>, rhs: &Meta<Tensor<A, E>>, t: &Array<A, E>) -> GradOf<Self::Output> {
        Collect::exact(-stretched(t, &out_shape(lhs, rhs)))
    }
}

/// `f(d, b)` elementwise, with `b` broadcast to the shape of `d` (the
/// output's), summed back to `target`; in static dimensions, one pass.
fn zip_to_shape<A, O, E, T>(
    d: &Array<A, O>,
    b: &Array<A, E>,
    target: &T,
    f: impl Fn(A, A) -> A,
) -> Array<A, T>
where
    A: Float,
    O: Dimension,
    E: Dimension,
    T: Dimension,
{
    let b = b
        .broadcast(d.raw_dim())
        .expect("an operand broadcasts to the output's shape");
    let out = Zip::from(d).and(&b).map_collect(|&d, &b| f(d, b));
    sum_to_shape_owned(out.into_dyn(), target)
}

/// [`zip_to_shape`], computed in the buffer of `d`.
fn zip_to_shape_owned<A, O, E, T>(
    mut d: Array<A, O>,
    b: &Array<A, E>,
    target: &T,
    f: impl Fn(A, A) -> A,
) -> Array<A, T>
where
    A: Float,
    O: Dimension,
    E: Dimension,
    T: Dimension,
{
    {
        let b = b
            .broadcast(d.raw_dim())
            .expect("an operand broadcasts to the output's shape");
        Zip::from(&mut d).and(&b).for_each(|d, &b| *d = f(*d, b));
    }
    sum_to_shape_owned(d.into_dyn(), target)
}

impl<A: Float, D: Dimension + DimMax<E>, E: Dimension> MulRule<Tensor<A, E>> for Tensor<A, D> {
    type Output = Broadcast<A, D, E>;
    tensor_tensor_fwd!("mul", *);
    fn rev0(lhs: &Meta<Self>, rhs: &Tensor<A, E>, d: &GradOf<Self::Output>) -> Array<A, D> {
        zip_to_shape(d, rhs.data(), &lhs.0, |d, b| d * b)
    }
    fn rev1(lhs: &Self, rhs: &Meta<Tensor<A, E>>, d: &GradOf<Self::Output>) -> Array<A, E> {
        zip_to_shape(d, lhs.data(), &rhs.0, |d, a| d * a)
    }
    fn rev0_owned(lhs: &Meta<Self>, rhs: &Tensor<A, E>, d: GradOf<Self::Output>) -> Array<A, D> {
        zip_to_shape_owned(d, rhs.data(), &lhs.0, |d, b| d * b)
    }
    fn rev1_owned(lhs: &Self, rhs: &Meta<Tensor<A, E>>, d: GradOf<Self::Output>) -> Array<A, E> {
        zip_to_shape_owned(d, lhs.data(), &rhs.0, |d, a| d * a)
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, E>, t: &Array<A, D>) -> GradOf<Self::Output> {
        Collect::exact(zip2(t, rhs, |t, b| t * b))
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, E>>, t: &Array<A, E>) -> GradOf<Self::Output> {
        Collect::exact(zip2(lhs, t, |a, t| a * t))
    }
    fn rev0_tan1(
        lhs: &Meta<Self>,
        _: &Tensor<A, E>,
        t: &Array<A, E>,
        d: &GradOf<Self::Output>,
    ) -> Array<A, D> {
        Collect::summed(zip2(d, t, |d, t| d * t), &lhs.0)
    }
    fn rev1_tan0(
        _: &Self,
        rhs: &Meta<Tensor<A, E>>,
        t: &Array<A, D>,
        d: &GradOf<Self::Output>,
    ) -> Array<A, E> {
        Collect::summed(zip2(d, t, |d, t| d * t), &rhs.0)
    }
}

impl<A: Float, D: Dimension + DimMax<E>, E: Dimension> DivRule<Tensor<A, E>> for Tensor<A, D> {
    type Output = Broadcast<A, D, E>;
    tensor_tensor_fwd!("div", /);
    fn rev0(lhs: &Meta<Self>, rhs: &Tensor<A, E>, d: &GradOf<Self::Output>) -> Array<A, D> {
        zip_to_shape(d, rhs.data(), &lhs.0, |d, b| d / b)
    }
    fn rev1(lhs: &Self, rhs: &Tensor<A, E>, d: &GradOf<Self::Output>) -> Array<A, E> {
        // -d·a/b², computed as -(d·a/b)/b.
        let a = lhs
            .data()
            .broadcast(d.raw_dim())
            .expect("an operand broadcasts to the output's shape");
        let b = rhs
            .data()
            .broadcast(d.raw_dim())
            .expect("an operand broadcasts to the output's shape");
        let q = Zip::from(d)
            .and(&a)
            .and(&b)
            .map_collect(|&d, &a, &b| -(d * a / b) / b);
        sum_to_shape_owned(q.into_dyn(), &rhs.raw_dim())
    }
    fn rev0_owned(lhs: &Meta<Self>, rhs: &Tensor<A, E>, d: GradOf<Self::Output>) -> Array<A, D> {
        zip_to_shape_owned(d, rhs.data(), &lhs.0, |d, b| d / b)
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, E>, t: &Array<A, D>) -> GradOf<Self::Output> {
        Collect::exact(zip2(t, rhs, |t, b| t / b))
    }
    fn tan1(lhs: &Self, rhs: &Tensor<A, E>, t: &Array<A, E>) -> GradOf<Self::Output> {
        Collect::exact(zip3(lhs, rhs, t, |a, b, t| -(a * t / b) / b))
    }
    fn rev0_tan1(
        lhs: &Meta<Self>,
        rhs: &Tensor<A, E>,
        t: &Array<A, E>,
        d: &GradOf<Self::Output>,
    ) -> Array<A, D> {
        Collect::summed(zip3(d, rhs, t, |d, b, t| -(d * t / b) / b), &lhs.0)
    }
    fn rev1_tan0(
        _: &Self,
        rhs: &Tensor<A, E>,
        t: &Array<A, D>,
        d: &GradOf<Self::Output>,
    ) -> Array<A, E> {
        Collect::summed(zip3(d, rhs, t, |d, b, t| -(d * t / b) / b), &rhs.raw_dim())
    }
    fn rev1_tan1(
        lhs: &Self,
        rhs: &Tensor<A, E>,
        t: &Array<A, E>,
        d: &GradOf<Self::Output>,
    ) -> Array<A, E> {
        let q = zip4(d, lhs, rhs, t, |d, a, b, t| (d * a / b) * (t + t) / (b * b));
        Collect::summed(q, &rhs.raw_dim())
    }
}

/// The rule of `x * x`, the same value on both sides of a product: one
/// backward function, `2·d·x`, instead of two gradients added together.
pub trait SquareRule: Differentiable {
    /// The product's type.
    type Output: Differentiable;
    /// `2·d·x`, computed in the buffer of `d` where it has one.
    fn rev_twice_owned(x: &Self, d: GradOf<Self::Output>) -> Self::Grad;
    /// Forward over reverse: the tangent of `2·d·x` from `x`'s tangent `t`:
    /// `2·d·t`. (The forward tangent of `x * x` is `MulRule`'s, both sides `t`.)
    fn rev_twice_tan0(x: &Self, t: &Self::Grad, d: &GradOf<Self::Output>) -> Self::Grad;
}

impl<A: Float> SquareRule for A {
    type Output = A;
    #[inline]
    fn rev_twice_owned(x: &A, d: A) -> A {
        d * (*x + *x)
    }
    #[inline]
    fn rev_twice_tan0(_: &A, t: &A, d: &A) -> A {
        *d * (*t + *t)
    }
}

impl<A: Float, D: Dimension + DimMax<D>> SquareRule for Tensor<A, D> {
    type Output = Broadcast<A, D, D>;
    fn rev_twice_owned(x: &Self, d: GradOf<Self::Output>) -> Array<A, D> {
        zip_to_shape_owned(d, x.data(), &x.raw_dim(), |d, x| d * (x + x))
    }
    fn rev_twice_tan0(x: &Self, t: &Array<A, D>, d: &GradOf<Self::Output>) -> Array<A, D> {
        Collect::summed(zip2(d, t, |d, t| d * (t + t)), &x.raw_dim())
    }
}

mod mixed;

// ---- unary minus -----------------------------------------------------------

/// The rule of `-a`.
pub trait NegRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The forward value.
    fn fwd(&self) -> Self::Output;
    /// The gradient of the operand: `-d`.
    fn rev0(x: &Meta<Self>, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent, `-t`.
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> GradOf<Self::Output>;
}

impl<A: Float> NegRule for A {
    type Output = A;
    #[inline]
    fn fwd(&self) -> A {
        -*self
    }
    #[inline]
    fn rev0(_: &Meta<A>, d: &A) -> A {
        -*d
    }
    #[inline]
    fn tan0(_: &Meta<A>, t: &A) -> A {
        -*t
    }
}

impl<A: Float, D: Dimension> NegRule for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn fwd(&self) -> Tensor<A, D> {
        Tensor::from(self.data().mapv(|a| -a))
    }
    fn rev0(_: &Meta<Self>, d: &Array<A, D>) -> Array<A, D> {
        d.mapv(|g| -g)
    }
    fn tan0(_: &Meta<Self>, t: &Array<A, D>) -> Array<A, D> {
        t.mapv(|t| -t)
    }
}

#[cfg(test)]
mod tangent_tests;
