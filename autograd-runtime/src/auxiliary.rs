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

use std::sync::Arc;

use crate::constant::NoGrad;
use crate::value::{Differentiable, ValueRef};

/// Auxiliary outputs: a value that gradients do not flow through.
///
/// The values are shared, so that the copies generated code makes of a
/// returned tuple cost nothing and need no `Clone` of what they hold.
pub struct Aux<T>(Arc<T>);

/// `Aux::new`, by the path the macro writes.
#[doc(hidden)]
#[inline]
pub fn aux<T>(values: T) -> Aux<T> {
    Aux::new(values)
}

impl<T> Aux<T> {
    /// Wraps auxiliary values.
    #[inline]
    pub fn new(values: T) -> Self {
        Aux(Arc::new(values))
    }

    /// The auxiliary values.
    #[inline]
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The auxiliary values, by value.
    ///
    /// # Panics
    /// If a clone of this `Aux` is alive (the generated functions drop
    /// theirs before handing the values out).
    #[track_caller]
    pub fn into_inner(self) -> T {
        match Arc::try_unwrap(self.0) {
            Ok(values) => values,
            Err(_) => panic!("Aux::into_inner: a clone of these auxiliary values is still alive"),
        }
    }
}

impl<T> Clone for Aux<T> {
    #[inline]
    fn clone(&self) -> Self {
        Aux(Arc::clone(&self.0))
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Aux<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Aux").field(&*self.0).finish()
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
        let t = (
            3.0f64,
            Aux::new((w.clone(), vec![1usize, 2], String::from("x"))),
        );
        assert!(!t.1.needs_grad());
        assert_eq!(grad_or_zeros(None, &meta(&t)), (0.0, NoGrad));
        t.store_grad((1.0, NoGrad));
        assert_eq!(w.grad(), None);
        assert_eq!(t.1.get().1, vec![1, 2]);
        assert_eq!(t.1.into_inner().1, vec![1, 2]);
    }

    #[test]
    fn copies_share_the_values_which_need_no_clone() {
        struct NotClone(usize);
        let a = Aux::new(NotClone(3));
        let b = a.clone();
        drop(a);
        assert_eq!(b.into_inner().0, 3);
    }
}
