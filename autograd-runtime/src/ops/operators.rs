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

// ---- compound assignment ------------------------------------------------------

/// Checks that `rhs` broadcasts to the shape of `lhs`, naming both shapes if not.
fn check_assign(op: &'static str, lhs: &[usize], rhs: &[usize]) -> Result<(), Error> {
    match crate::broadcast::broadcast_shapes(lhs, rhs) {
        Some(shape) if shape == lhs => Ok(()),
        _ => Err(Error::IncompatibleShapes {
            op,
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
            reason: "the right operand does not broadcast to the left operand's shape",
        }),
    }
}

macro_rules! tensor_assign_operator {
    ($Op:ident, $op:ident, $try_op:ident, $sym:tt, $assign:tt, $name:literal) => {
        #[doc = concat!(
            "`self ", $name, "= rhs` elementwise in place, `rhs` broadcast to this ",
            "tensor's shape (which never changes).\n\n# Panics\nIf `rhs` does not ",
            "broadcast to this tensor's shape; the message names both shapes."
        )]
        impl<'b, A: Float, D: Dimension, E: Dimension> std::ops::$Op<&'b Tensor<A, E>>
            for Tensor<A, D>
        {
            #[track_caller]
            fn $op(&mut self, rhs: &'b Tensor<A, E>) {
                crate::error::or_panic(self.$try_op(rhs))
            }
        }

        #[doc = concat!(
            "`self ", $name, "= rhs`, as with `&rhs`.\n\n# Panics\nIf `rhs` does not ",
            "broadcast to this tensor's shape; the message names both shapes."
        )]
        impl<A: Float, D: Dimension, E: Dimension> std::ops::$Op<Tensor<A, E>> for Tensor<A, D> {
            #[track_caller]
            fn $op(&mut self, rhs: Tensor<A, E>) {
                crate::error::or_panic(self.$try_op(&rhs))
            }
        }

        #[doc = concat!("`self ", $name, "= rhs` for every element, in place.")]
        impl<A: Float, D: Dimension> std::ops::$Op<A> for Tensor<A, D> {
            fn $op(&mut self, rhs: A) {
                self.data_mut().mapv_inplace(|a| a $sym rhs);
            }
        }

        impl<A: Float, D: Dimension> Tensor<A, D> {
            #[doc = concat!(
                "`self ", $name, "= rhs` with `rhs` broadcast to this tensor's shape, returning ",
                "[`Error::IncompatibleShapes`] (and leaving the tensor unchanged) instead of ",
                "panicking when it does not broadcast."
            )]
            pub fn $try_op<E: Dimension>(&mut self, rhs: &Tensor<A, E>) -> Result<(), Error> {
                check_assign(stringify!($op), self.shape(), rhs.shape())?;
                let shape = self.raw_dim();
                let rhs = rhs.data().broadcast(shape).expect("checked above");
                ndarray::Zip::from(self.data_mut())
                    .and(&rhs)
                    .for_each(|a, &b| *a $assign b);
                Ok(())
            }
        }
    };
}

tensor_assign_operator!(AddAssign, add_assign, try_add_assign, +, +=, "+");
tensor_assign_operator!(SubAssign, sub_assign, try_sub_assign, -, -=, "-");
tensor_assign_operator!(MulAssign, mul_assign, try_mul_assign, *, *=, "*");
tensor_assign_operator!(DivAssign, div_assign, try_div_assign, /, /=, "/");

#[cfg(test)]
mod assign_tests {
    use super::*;
    use ndarray::{array, Ix1, Ix2};

    fn assign<A: Float>() {
        let f = |v: f64| A::from_f64(v);
        let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].mapv(A::from_f64);
        let row = Tensor::from(array![1.0, 2.0, 4.0].mapv(A::from_f64));
        let col = Tensor::<A, Ix2>::from(array![[2.0], [-1.0]].mapv(A::from_f64));
        // The row is added to each row, the column to each column.
        let mut t = Tensor::from(x.clone());
        t += &row;
        assert_eq!(t.data(), &array![[2.0, 4.0, 7.0], [5.0, 7.0, 10.0]].mapv(f));
        t -= col.clone();
        assert_eq!(t.data(), &array![[0.0, 2.0, 5.0], [6.0, 8.0, 11.0]].mapv(f));
        t *= &col;
        assert_eq!(
            t.data(),
            &array![[0.0, 4.0, 10.0], [-6.0, -8.0, -11.0]].mapv(f)
        );
        t /= row;
        assert_eq!(
            t.data(),
            &array![[0.0, 2.0, 2.5], [-6.0, -4.0, -2.75]].mapv(f)
        );
        // With a float.
        let mut t = Tensor::from(x.clone());
        t += f(1.0);
        t -= f(3.0);
        t *= f(2.0);
        t /= f(4.0);
        assert_eq!(
            t.data(),
            &x.mapv(|v| (v + f(1.0) - f(3.0)) * f(2.0) / f(4.0))
        );
        // Same shapes, and a scalar tensor.
        let mut t = Tensor::from(x.clone());
        t += &Tensor::from(x.clone());
        t -= Tensor::scalar(f(1.0));
        assert_eq!(t.data(), &x.mapv(|v| v + v - f(1.0)));
    }

    #[test]
    fn compound_assignment_broadcasts_the_right_operand() {
        assign::<f64>();
        assign::<f32>();
    }

    #[test]
    #[should_panic(
        expected = "add_assign: incompatible shapes [3] and [2, 3]: the right operand does not broadcast to the left operand's shape"
    )]
    fn add_assign_cannot_grow_the_left_operand() {
        let mut t = Tensor::<f64, Ix1>::zeros(3);
        t += &Tensor::<f64, Ix2>::zeros((2, 3));
    }

    #[test]
    #[should_panic(expected = "div_assign: incompatible shapes [2, 3] and [2]")]
    fn div_assign_mismatch_panics() {
        let mut t = Tensor::<f32, Ix2>::zeros((2, 3));
        t /= Tensor::<f32, Ix1>::ones(2);
    }

    #[test]
    fn try_assign_errors_leave_the_tensor_unchanged() {
        let mut t = Tensor::from(array![1.0, 2.0]);
        let err = t
            .try_mul_assign(&Tensor::from(array![1.0, 2.0, 3.0]))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IncompatibleShapes {
                op: "mul_assign",
                lhs: vec![2],
                rhs: vec![3],
                reason: "the right operand does not broadcast to the left operand's shape",
            }
        );
        assert_eq!(t.data(), &array![1.0, 2.0]);
        assert!(t.try_sub_assign(&Tensor::from(array![[1.0, 1.0]])).is_err());
        t.try_add_assign(&Tensor::from(array![1.0])).unwrap();
        t.try_div_assign(&Tensor::scalar(2.0)).unwrap();
        assert_eq!(t.data(), &array![1.0, 1.5]);
    }
}
