//! `Aux<T>`: the auxiliary outputs of a `#[differentiable(has_aux)]`
//! function, carried beside the differentiated output without a gradient.
//!
//! `#[differentiable(has_aux)] fn loss(..) -> (L, A, B)` differentiates `L`
//! only; inside the generated code the function's value is `(L, Aux<(A, B)>)`,
//! whose gradient is `(GradOf<L>, NoGrad)`: nothing flows back through
//! `A` or `B`, whatever their types (tensors, floats, counts, `Vec`s, the
//! user's own structs). Users meet `Aux` only in the `rule` of such a
//! function; `forward`, `vjp`, `grad` and `value_and_grad` hand the
//! auxiliary values out unwrapped.

use crate::constant::NoGrad;
use crate::value::{Differentiable, ValueRef};

/// Auxiliary outputs: a value that gradients do not flow through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Aux<T>(pub T);

impl<T> Aux<T> {
    /// The auxiliary values.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Differentiable for Aux<T> {
    type Grad = NoGrad;
    type Shape = ();
    #[inline]
    fn shape_of(&self) {}
    #[inline]
    fn zero_grad_of(_: &()) -> NoGrad {
        NoGrad
    }
}

impl<T> ValueRef for Aux<T> {
    type Target = Self;
    #[inline]
    fn value_ref(&self) -> &Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Tensor;
    use crate::value::{grad_or_zeros, meta};
    use ndarray::array;

    #[test]
    fn aux_has_no_gradient_whatever_it_holds() {
        let w = Tensor::from(array![1.0f64, 2.0]).requires_grad();
        let t = (3.0f64, Aux((w.clone(), vec![1usize, 2], String::from("x"))));
        assert!(!t.1.needs_grad());
        assert_eq!(grad_or_zeros(None, &meta(&t)), (0.0, NoGrad));
        t.store_grad((1.0, NoGrad));
        assert_eq!(w.grad(), None);
        assert_eq!(t.1.into_inner().1, vec![1, 2]);
    }
}
