//! The operators `+ - * /` and unary `-` on tensors, for plain (non-differentiated) code.
//!
//! They compute the same values as the derivative rules' forward passes, so a
//! `#[differentiable]` function's body means the same thing when it runs as
//! itself and when its gradient is generated.

use std::ops::{Add, Div, Mul, Neg, Sub};

use ndarray::{DimMax, Dimension};

use super::arith::{check_broadcast, AddRule, DivRule, MulRule, SubRule};
use crate::error::Error;
use crate::float::Float;
use crate::tensor::Tensor;

type Broadcast<A, D, E> = Tensor<A, <D as DimMax<E>>::Output>;

macro_rules! tensor_operator {
    ($Op:ident, $op:ident, $Rule:ident, $try_op:ident, $name:literal) => {
        impl<'a, 'b, A: Float, D: Dimension + DimMax<E>, E: Dimension> $Op<&'b Tensor<A, E>>
            for &'a Tensor<A, D>
        {
            type Output = Broadcast<A, D, E>;
            #[track_caller]
            fn $op(self, rhs: &'b Tensor<A, E>) -> Self::Output {
                $Rule::fwd(self, rhs)
            }
        }

        impl<A: Float, D: Dimension + DimMax<E>, E: Dimension> $Op<Tensor<A, E>> for Tensor<A, D> {
            type Output = Broadcast<A, D, E>;
            #[track_caller]
            fn $op(self, rhs: Tensor<A, E>) -> Self::Output {
                $Rule::fwd(&self, &rhs)
            }
        }

        impl<'b, A: Float, D: Dimension + DimMax<E>, E: Dimension> $Op<&'b Tensor<A, E>>
            for Tensor<A, D>
        {
            type Output = Broadcast<A, D, E>;
            #[track_caller]
            fn $op(self, rhs: &'b Tensor<A, E>) -> Self::Output {
                $Rule::fwd(&self, rhs)
            }
        }

        impl<'a, A: Float, D: Dimension + DimMax<E>, E: Dimension> $Op<Tensor<A, E>>
            for &'a Tensor<A, D>
        {
            type Output = Broadcast<A, D, E>;
            #[track_caller]
            fn $op(self, rhs: Tensor<A, E>) -> Self::Output {
                $Rule::fwd(self, &rhs)
            }
        }

        impl<A: Float, D: Dimension> $Op<A> for Tensor<A, D> {
            type Output = Tensor<A, D>;
            fn $op(self, rhs: A) -> Tensor<A, D> {
                $Rule::fwd(&self, &rhs)
            }
        }

        impl<'a, A: Float, D: Dimension> $Op<A> for &'a Tensor<A, D> {
            type Output = Tensor<A, D>;
            fn $op(self, rhs: A) -> Tensor<A, D> {
                $Rule::fwd(self, &rhs)
            }
        }

        tensor_operator!(@float_lhs $Op, $op, $Rule, f32);
        tensor_operator!(@float_lhs $Op, $op, $Rule, f64);

        impl<A: Float, D: Dimension> Tensor<A, D> {
            #[doc = concat!("`self ", $name, " rhs` with broadcasting, returning an error instead of panicking when the shapes do not broadcast.")]
            pub fn $try_op<E: Dimension>(&self, rhs: &Tensor<A, E>) -> Result<Broadcast<A, D, E>, Error>
            where
                D: DimMax<E>,
            {
                check_broadcast(stringify!($op), self.shape(), rhs.shape())?;
                Ok($Rule::fwd(self, rhs))
            }
        }
    };
    (@float_lhs $Op:ident, $op:ident, $Rule:ident, $f:ty) => {
        impl<E: Dimension> $Op<Tensor<$f, E>> for $f {
            type Output = Tensor<$f, E>;
            fn $op(self, rhs: Tensor<$f, E>) -> Tensor<$f, E> {
                $Rule::fwd(&self, &rhs)
            }
        }

        impl<'b, E: Dimension> $Op<&'b Tensor<$f, E>> for $f {
            type Output = Tensor<$f, E>;
            fn $op(self, rhs: &'b Tensor<$f, E>) -> Tensor<$f, E> {
                $Rule::fwd(&self, rhs)
            }
        }
    };
}

tensor_operator!(Add, add, AddRule, try_add, "+");
tensor_operator!(Sub, sub, SubRule, try_sub, "-");
tensor_operator!(Mul, mul, MulRule, try_mul, "*");
tensor_operator!(Div, div, DivRule, try_div, "/");

impl<A: Float, D: Dimension> Neg for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn neg(self) -> Tensor<A, D> {
        super::arith::NegRule::fwd(&self)
    }
}

impl<A: Float, D: Dimension> Neg for &Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn neg(self) -> Tensor<A, D> {
        super::arith::NegRule::fwd(self)
    }
}
