//! Fixed-size arrays of floats, `[A; N]`: differentiable element by
//! element, as slices are, with a gradient of the same type `[A; N]`.
//!
//! A function taking `x: [f64; 2]` or `x: &[f64; 2]` (the form published
//! test functions use: `let [x1, x2] = *x;`) has the gradient `[f64; 2]`.
//!
//! ```
//! use autograd::prelude::*;
//! #[differentiable]
//! fn f(x: &[f64; 2]) -> f64 {
//!     let [a, b] = *x;
//!     a * b + b
//! }
//! assert_eq!(f::grad(&[3.0, 2.0]), [2.0, 4.0]);
//! ```

use crate::gradcheck::CheckInput;
use crate::ops::index::IndexRule;
use crate::real::Real;
use crate::value::{Elem, GradOf, GradValue, Meta, ScaleGrad, ValueRef};

// `Differentiable for [T; N]` is in `container`: the gradient of `[A; N]`
// is `[A; N]`.

impl<G: GradValue, const N: usize> GradValue for [G; N] {
    #[inline]
    fn accumulate(&mut self, other: Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.accumulate(b);
        }
    }
}

impl<A: Real, const N: usize> ScaleGrad<A> for [A; N] {
    #[inline]
    fn scale(&mut self, factor: A) {
        for v in self.iter_mut() {
            *v *= factor;
        }
    }
}

impl<A: Real, const N: usize> ValueRef for [A; N] {
    type Target = [A; N];
    #[inline]
    fn value_ref(&self) -> &[A; N] {
        self
    }
}

impl<A: Real, const N: usize> Elem for [A; N] {
    type Elem = A;
}

impl<A: Real, const N: usize> IndexRule<usize> for [A; N] {
    type Output = A;
    #[inline]
    #[track_caller]
    fn fwd(&self, index: &usize) -> A {
        self[*index]
    }
    #[inline]
    fn rev0_into(slot: &mut Option<[A; N]>, _: &Meta<[A; N]>, index: &usize, d: &GradOf<A>) {
        slot.get_or_insert([A::zero(); N])[*index] += *d;
    }
    #[inline]
    fn tan0(_: &Meta<[A; N]>, index: &usize, t: &[A; N]) -> A {
        t[*index]
    }
}

impl<const N: usize> CheckInput for [f64; N] {
    type Grad = [f64; N];
    fn element_count(&self) -> usize {
        N
    }
    fn element_shape(&self) -> Vec<usize> {
        vec![N]
    }
    fn element(&self, j: usize) -> f64 {
        self[j]
    }
    fn set_element(&mut self, j: usize, value: f64) {
        self[j] = value;
    }
    fn grad_shape(&self, _: &[f64; N]) -> Vec<usize> {
        vec![N]
    }
    fn grad_element(&self, grad: &[f64; N], j: usize) -> f64 {
        grad[j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_gradient_accumulates_and_scales_by_element() {
        let mut g = <[f64; 3] as crate::value::Differentiable>::zero_grad_of(&3);
        g.accumulate([1.0, 2.0, 3.0]);
        g.accumulate([0.5, 0.5, 0.5]);
        g.scale(2.0);
        assert_eq!(g, [3.0, 5.0, 7.0]);
        let mut slot = None;
        <[f32; 2] as IndexRule<usize>>::rev0_into(
            &mut slot,
            &crate::value::meta(&[1.0, 2.0]),
            &1,
            &4.0,
        );
        <[f32; 2] as IndexRule<usize>>::rev0_into(
            &mut slot,
            &crate::value::meta(&[1.0, 2.0]),
            &1,
            &1.0,
        );
        assert_eq!(slot, Some([0.0, 5.0]));
        assert_eq!(IndexRule::fwd(&[1.5f64, 2.5], &1), 2.5);
    }
}
