//! Tuples of differentiable values, `(A, B)` up to eight elements: the
//! outputs of functions that return several values.
//!
//! A tuple's gradient is the tuple of its elements' gradients, so the
//! pullback of `fn f(x: f64) -> (f64, f64)` takes `&(f64, f64)`: one
//! cotangent per output, as `jax.vjp` of a function returning a tuple.
//!
//! ```
//! use autograd::prelude::*;
//!
//! #[differentiable]
//! fn polar(r: f64, t: f64) -> (f64, f64) {
//!     (r * t.cos(), r * t.sin())
//! }
//!
//! let ((x, y), pullback) = polar::vjp(2.0, 0.0);
//! assert_eq!((x, y), (2.0, 0.0));
//! // ∂y/∂r = sin t = 0, ∂y/∂t = r cos t = 2.
//! assert_eq!(pullback(&(0.0, 1.0)), (0.0, 2.0));
//! ```

use crate::value::{Differentiable, Elem, GradValue, ScaleGrad, ValueRef};

macro_rules! tuple_value {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Differentiable),+> Differentiable for ($($t,)+) {
            type Grad = ($($t::Grad,)+);
            type Shape = ($($t::Shape,)+);
            #[inline]
            fn shape_of(&self) -> Self::Shape {
                ($(self.$i.shape_of(),)+)
            }
            #[inline]
            fn zero_grad_of(shape: &Self::Shape) -> Self::Grad {
                ($($t::zero_grad_of(&shape.$i),)+)
            }
            fn needs_grad(&self) -> bool {
                false $(|| self.$i.needs_grad())+
            }
            fn store_grad(&self, gradient: Self::Grad) {
                $(self.$i.store_grad(gradient.$i);)+
            }
            fn finish_grad(gradient: &mut Self::Grad, shape: &Self::Shape) {
                $($t::finish_grad(&mut gradient.$i, &shape.$i);)+
            }
        }

        impl<$($t),+> ValueRef for ($($t,)+) {
            type Target = Self;
            #[inline]
            fn value_ref(&self) -> &Self {
                self
            }
        }

        impl<F: Copy, $($t: ScaleGrad<F>),+> ScaleGrad<F> for ($($t,)+) {
            #[inline]
            fn scale(&mut self, factor: F) {
                $(self.$i.scale(factor);)+
            }
        }

        impl<$($t: GradValue),+> GradValue for ($($t,)+) {
            #[inline]
            fn accumulate(&mut self, other: Self) {
                $(self.$i.accumulate(other.$i);)+
            }
        }
    };
}

tuple_value!(T0 0, T1 1);
tuple_value!(T0 0, T1 1, T2 2);
tuple_value!(T0 0, T1 1, T2 2, T3 3);
tuple_value!(T0 0, T1 1, T2 2, T3 3, T4 4);
tuple_value!(T0 0, T1 1, T2 2, T3 3, T4 4, T5 5);
tuple_value!(T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6);
tuple_value!(T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7);

/// A literal beside a tuple (`(1.5, (x, y))`) has the element type the
/// tuple's parts share.
macro_rules! tuple_elem {
    ($t0:ident; $($t:ident),+) => {
        impl<$t0: Elem, $($t: Elem<Elem = $t0::Elem>),+> Elem for ($t0, $($t,)+) {
            type Elem = $t0::Elem;
        }
    };
}

tuple_elem!(T0; T1);
tuple_elem!(T0; T1, T2);
tuple_elem!(T0; T1, T2, T3);
tuple_elem!(T0; T1, T2, T3, T4);
tuple_elem!(T0; T1, T2, T3, T4, T5);
tuple_elem!(T0; T1, T2, T3, T4, T5, T6);
tuple_elem!(T0; T1, T2, T3, T4, T5, T6, T7);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Tensor;
    use crate::value::{grad_or_zeros, meta};
    use ndarray::array;

    #[test]
    fn a_tuple_gradient_has_one_part_per_element() {
        let t = (1.0f64, Tensor::from(array![1.0f64, 2.0]));
        let mut g = <(f64, Tensor<f64, ndarray::Ix1>)>::zero_grad_of(&t.shape_of());
        assert_eq!(g, (0.0, array![0.0, 0.0]));
        g.accumulate((2.0, array![1.0, 3.0]));
        g.accumulate((0.5, array![1.0, 1.0]));
        assert_eq!(g, (2.5, array![2.0, 4.0]));
        assert_eq!(grad_or_zeros(None, &meta(&t)), (0.0, array![0.0, 0.0]));
    }

    #[test]
    fn a_tuple_stores_each_part_into_its_leaves() {
        let w = Tensor::from(array![1.0f64, 2.0]).requires_grad();
        let t = (3.0f64, w.clone(), 1.0f32);
        assert!(!(3.0f64, 1.0f32).needs_grad());
        assert!(t.needs_grad());
        t.store_grad((1.0, array![5.0, 6.0], 2.0));
        assert_eq!(t.1.grad(), Some(array![5.0, 6.0]));
    }
}
