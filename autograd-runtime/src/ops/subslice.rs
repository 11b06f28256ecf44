//! `x[a..b]`, `&x[i..]`, `x[..n]`: a sub-slice of a float slice, `Vec` or
//! array, under the rule of `x[i]` ([`IndexRule`]) with a range for an
//! index.
//!
//! The sub-slice is a `Vec` of the elements in the range (its gradient a
//! `Vec` of the same length); the operand's gradient is `d` in the range
//! and zeros elsewhere, added in place as `x[i]`'s is.
//!
//! ```
//! use autograd::prelude::*;
//!
//! #[differentiable]
//! fn head_dot_tail(x: &[f64]) -> f64 {
//!     let head = &x[..2];
//!     let tail = &x[2..];
//!     head[0] * tail[0] + head[1] * tail[1]
//! }
//!
//! // x₀x₂ + x₁x₃: the gradient is (x₂, x₃, x₀, x₁).
//! let (_, g) = head_dot_tail::value_and_grad(&[1.0, 2.0, 3.0, 4.0]);
//! assert_eq!(g, vec![3.0, 4.0, 1.0, 2.0]);
//! ```

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use super::index::IndexRule;
use crate::real::Real;
use crate::value::Meta;

/// Adds `d` into `g[range]`, elementwise.
#[inline]
#[track_caller]
fn add_into<A: Real>(g: &mut [A], d: &[A]) {
    assert_eq!(
        g.len(),
        d.len(),
        "index: the gradient of a sub-slice has {} elements, the sub-slice {}",
        d.len(),
        g.len()
    );
    for (g, d) in g.iter_mut().zip(d) {
        *g += *d;
    }
}

macro_rules! subslice_rule {
    ($($r:ty),*) => {$(
        impl<A: Real> IndexRule<$r> for [A] {
            type Output = Vec<A>;
            #[inline]
            #[track_caller]
            fn fwd(&self, range: &$r) -> Vec<A> {
                self[range.clone()].to_vec()
            }
            #[inline]
            fn rev0_into(slot: &mut Option<Vec<A>>, x: &Meta<[A]>, range: &$r, d: &Vec<A>) {
                let g = slot.get_or_insert_with(|| vec![A::zero(); x.0]);
                add_into(&mut g[range.clone()], d);
            }
            #[inline]
            fn tan0(_: &Meta<[A]>, range: &$r, t: &Vec<A>) -> Vec<A> {
                t[range.clone()].to_vec()
            }
        }

        // A `Vec` is its slice: the same rule.
        impl<A: Real> IndexRule<$r> for Vec<A> {
            type Output = Vec<A>;
            #[inline]
            #[track_caller]
            fn fwd(&self, range: &$r) -> Vec<A> {
                <[A] as IndexRule<$r>>::fwd(self, range)
            }
            #[inline]
            fn rev0_into(slot: &mut Option<Vec<A>>, x: &Meta<Vec<A>>, range: &$r, d: &Vec<A>) {
                <[A] as IndexRule<$r>>::rev0_into(slot, &Meta(x.0), range, d)
            }
            #[inline]
            fn tan0(_: &Meta<Vec<A>>, range: &$r, t: &Vec<A>) -> Vec<A> {
                t[range.clone()].to_vec()
            }
        }

        impl<A: Real, const N: usize> IndexRule<$r> for [A; N] {
            type Output = Vec<A>;
            #[inline]
            #[track_caller]
            fn fwd(&self, range: &$r) -> Vec<A> {
                self[range.clone()].to_vec()
            }
            #[inline]
            fn rev0_into(slot: &mut Option<[A; N]>, _: &Meta<[A; N]>, range: &$r, d: &Vec<A>) {
                let g = slot.get_or_insert([A::zero(); N]);
                add_into(&mut g[range.clone()], d);
            }
            #[inline]
            fn tan0(_: &Meta<[A; N]>, range: &$r, t: &[A; N]) -> Vec<A> {
                t[range.clone()].to_vec()
            }
        }
    )*};
}

subslice_rule!(
    Range<usize>,
    RangeFrom<usize>,
    RangeTo<usize>,
    RangeInclusive<usize>,
    RangeToInclusive<usize>,
    RangeFull
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::meta;

    #[test]
    fn a_sub_slice_puts_its_gradient_back_in_its_range() {
        let x = vec![1.0f64, 2.0, 3.0, 4.0];
        assert_eq!(IndexRule::fwd(&x[..], &(1..3)), vec![2.0, 3.0]);
        assert_eq!(IndexRule::fwd(&x, &(2..)), vec![3.0, 4.0]);
        assert_eq!(IndexRule::fwd(&[1.0f32, 2.0], &(..=0)), vec![1.0]);
        let mut slot = None;
        <[f64] as IndexRule<Range<usize>>>::rev0_into(
            &mut slot,
            &meta(&x[..]),
            &(1..3),
            &vec![5.0, 6.0],
        );
        <[f64] as IndexRule<RangeFrom<usize>>>::rev0_into(
            &mut slot,
            &meta(&x[..]),
            &(2..),
            &vec![1.0, 1.0],
        );
        assert_eq!(slot, Some(vec![0.0, 5.0, 7.0, 1.0]));
        let mut slot = None;
        <[f64; 3] as IndexRule<RangeFull>>::rev0_into(
            &mut slot,
            &meta(&[0.0; 3]),
            &(..),
            &vec![1.0, 2.0, 3.0],
        );
        assert_eq!(slot, Some([1.0, 2.0, 3.0]));
    }

    #[test]
    #[should_panic(expected = "the gradient of a sub-slice has 1 elements, the sub-slice 2")]
    fn a_gradient_of_another_length_is_refused() {
        let mut slot = None;
        <Vec<f64> as IndexRule<Range<usize>>>::rev0_into(
            &mut slot,
            &meta(&vec![0.0; 3]),
            &(0..2),
            &vec![1.0],
        );
    }
}
