//! Changing a `Vec` or an array of floats one element at a time:
//! `v.push(e)`, `v[i] = e` and `v[i] += e` inside a `#[differentiable]`
//! body are the values `pushed(v, e)`, `with_elem(v, i, e)` and
//! `added_at(v, i, e)` (and `vec![e; n]` is `filled(e, n)`), so that a `Vec` built in a loop is a value like any
//! other.
//!
//! | op | forward | ∂/∂v | ∂/∂e |
//! |----|---------|------|------|
//! | `pushed(v, e)` | `v` with `e` at the end | `d` without its last element | `d[len v]` |
//! | `filled(e, n)` | `vec![e; n]` | | `Σ d` |
//! | `with_elem(v, i, e)` | `v` with `e` at `i` | `d` with 0 at `i` | `d[i]` |
//! | `added_at(v, i, e)` | `v` with `v[i] + e` at `i` | `d` | `d[i]` |
//!
//! Each computes in `v`'s buffer when nothing else reads `v`, and its
//! backward takes `d` by value, so building a `Vec` of `n` elements costs
//! `O(n)` both ways.
//!
//! ```
//! use autograd::prelude::*;
//!
//! #[differentiable]
//! fn squares_then_weights(x: &[f64]) -> f64 {
//!     let mut sq = Vec::new();
//!     for v in x {
//!         sq.push(v * v);
//!     }
//!     sq[0] + 2.0 * sq[1]
//! }
//!
//! // x₀² + 2x₁²: the gradient is (2x₀, 4x₁).
//! assert_eq!(squares_then_weights::grad(&[3.0, 1.0]), vec![6.0, 4.0]);
//! ```

use std::ops::{AddAssign, IndexMut};

use super::decl::{ArgKind, Cap as C, OpDecl, Reads as R};
use crate::real::Real;
use crate::value::Meta;

#[rustfmt::skip]
/// Element updates, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "push", rule: "PushRule", args: &[], reads: &[&[R::Meta(0), R::Meta(1)], &[R::Meta(0), R::Meta(1)]], caps: &[C::Consumes, C::OwnedGrad(0), C::OwnedGrad(1), C::BothOwned] },
    OpDecl { name: "set", rule: "SetRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Meta(1), R::Const(0)], &[R::Meta(0), R::Meta(1), R::Const(0)]], caps: &[C::Consumes, C::OwnedGrad(0), C::OwnedGrad(1), C::BothOwned] },
    OpDecl { name: "fill", rule: "FillRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[] },
    OpDecl { name: "add_at", rule: "AddAtRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Meta(1), R::Const(0)], &[R::Meta(0), R::Meta(1), R::Const(0)]], caps: &[C::Consumes, C::OwnedGrad(0), C::OwnedGrad(1), C::BothOwned] },
];

/// `v` with `e` pushed at the end: what `v.push(e)` makes of `v`.
#[inline]
pub fn pushed<T>(mut v: Vec<T>, e: T) -> Vec<T> {
    v.push(e);
    v
}

/// `n` copies of `e`: what `vec![e; n]` is.
#[inline]
pub fn filled<T: Clone>(e: T, n: usize) -> Vec<T> {
    vec![e; n]
}

/// `v` with `e` at `i`: what `v[i] = e` makes of `v`.
#[inline]
#[track_caller]
pub fn with_elem<V: IndexMut<I, Output = T>, I, T>(mut v: V, i: I, e: T) -> V {
    v[i] = e;
    v
}

/// `v` with `e` added at `i`: what `v[i] += e` makes of `v`.
#[inline]
#[track_caller]
pub fn added_at<V: IndexMut<I, Output = T>, I, T: AddAssign>(mut v: V, i: I, e: T) -> V {
    v[i] += e;
    v
}

/// A `Vec` or array of floats whose elements an update rule changes.
pub trait Elems<A: Real>: crate::value::Differentiable<Grad = Self> + Clone {
    /// The elements.
    fn elems(&self) -> &[A];
    /// The elements, to change.
    fn elems_mut(&mut self) -> &mut [A];
}

impl<A: Real> Elems<A> for Vec<A> {
    #[inline]
    fn elems(&self) -> &[A] {
        self
    }
    #[inline]
    fn elems_mut(&mut self) -> &mut [A] {
        self
    }
}

impl<A: Real, const N: usize> Elems<A> for [A; N] {
    #[inline]
    fn elems(&self) -> &[A] {
        self
    }
    #[inline]
    fn elems_mut(&mut self) -> &mut [A] {
        self
    }
}

/// The rule of `v.push(e)` on a `Vec` of floats.
#[derive(Clone, Copy, Debug)]
pub struct PushRule;

// Generated code passes the `Vec`s it holds, as `&Vec<A>`.
#[allow(clippy::ptr_arg)]
impl PushRule {
    /// A copy of `v` with `e` at the end.
    #[inline]
    pub fn fwd<A: Real>(v: &Vec<A>, e: &A) -> Vec<A> {
        let mut out = Vec::with_capacity(v.len() + 1);
        out.extend_from_slice(v);
        out.push(*e);
        out
    }
    /// `v` itself with `e` at the end.
    #[inline]
    pub fn fwd_owned<A: Real>(v: Vec<A>, e: &A) -> Vec<A> {
        pushed(v, *e)
    }
    /// `d` without its last element.
    #[inline]
    pub fn rev0<A: Real>(v: &Meta<Vec<A>>, _: &Meta<A>, d: &Vec<A>) -> Vec<A> {
        d[..v.0].to_vec()
    }
    /// As [`rev0`](Self::rev0), in `d`'s buffer.
    #[inline]
    pub fn rev0_owned<A: Real>(v: &Meta<Vec<A>>, _: &Meta<A>, mut d: Vec<A>) -> Vec<A> {
        d.truncate(v.0);
        d
    }
    /// `d`'s last element.
    #[inline]
    pub fn rev1<A: Real>(v: &Meta<Vec<A>>, _: &Meta<A>, d: &Vec<A>) -> A {
        d[v.0]
    }
    /// As [`rev1`](Self::rev1).
    #[inline]
    pub fn rev1_owned<A: Real>(v: &Meta<Vec<A>>, _: &Meta<A>, d: Vec<A>) -> A {
        d[v.0]
    }
    /// Both gradients from one `d`.
    #[inline]
    pub fn revs_owned<A: Real>(
        v: &Meta<Vec<A>>,
        _: &Meta<A>,
        mut d: Vec<A>,
        needs: [bool; 2],
    ) -> (Option<Vec<A>>, Option<A>) {
        let e = needs[1].then(|| d[v.0]);
        d.truncate(v.0);
        (needs[0].then_some(d), e)
    }
    /// Forward mode: the output's tangent, `v`'s tangent (zeros without
    /// one) with `e`'s pushed (0 without one), in `v`'s tangent's buffer.
    #[inline]
    pub fn tan<A: Real>(
        v: &Meta<Vec<A>>,
        _: &Meta<A>,
        tv: Option<Vec<A>>,
        te: Option<A>,
    ) -> Vec<A> {
        let tv = tv.unwrap_or_else(|| vec![A::zero(); v.0]);
        pushed(tv, te.unwrap_or_else(A::zero))
    }
}

/// The rule of `vec![e; n]` of a float: `∂/∂e = Σ d`.
#[derive(Clone, Copy, Debug)]
pub struct FillRule;

#[allow(clippy::ptr_arg)]
impl FillRule {
    /// `n` copies of `e`.
    #[inline]
    pub fn fwd<A: Real>(e: &A, n: &usize) -> Vec<A> {
        vec![*e; *n]
    }
    /// The sum of `d`.
    #[inline]
    pub fn rev0<A: Real>(_: &Meta<A>, _: &usize, d: &Vec<A>) -> A {
        d.iter().fold(A::zero(), |s, g| s + *g)
    }
    /// Forward mode: the output's tangent, `n` copies of `e`'s.
    #[inline]
    pub fn tan0<A: Real>(_: &Meta<A>, n: &usize, t: &A) -> Vec<A> {
        vec![*t; *n]
    }
}

/// The rule of `v[i] = e` on a `Vec` or array of floats.
#[derive(Clone, Copy, Debug)]
pub struct SetRule;

impl SetRule {
    /// A copy of `v` with `e` at `i`.
    #[inline]
    #[track_caller]
    pub fn fwd<A: Real, V: Elems<A>>(v: &V, e: &A, i: &usize) -> V {
        Self::fwd_owned(v.clone(), e, i)
    }
    /// `v` itself with `e` at `i`.
    #[inline]
    #[track_caller]
    pub fn fwd_owned<A: Real, V: Elems<A>>(mut v: V, e: &A, i: &usize) -> V {
        v.elems_mut()[*i] = *e;
        v
    }
    /// `d` with 0 at `i`: the old element was overwritten.
    #[inline]
    pub fn rev0<A: Real, V: Elems<A>>(v: &Meta<V>, e: &Meta<A>, i: &usize, d: &V) -> V {
        Self::rev0_owned(v, e, i, d.clone())
    }
    /// As [`rev0`](Self::rev0), in `d`'s buffer.
    #[inline]
    pub fn rev0_owned<A: Real, V: Elems<A>>(_: &Meta<V>, _: &Meta<A>, i: &usize, mut d: V) -> V {
        d.elems_mut()[*i] = A::zero();
        d
    }
    /// `d[i]`.
    #[inline]
    pub fn rev1<A: Real, V: Elems<A>>(_: &Meta<V>, _: &Meta<A>, i: &usize, d: &V) -> A {
        d.elems()[*i]
    }
    /// As [`rev1`](Self::rev1).
    #[inline]
    pub fn rev1_owned<A: Real, V: Elems<A>>(_: &Meta<V>, _: &Meta<A>, i: &usize, d: V) -> A {
        d.elems()[*i]
    }
    /// Both gradients from one `d`.
    #[inline]
    pub fn revs_owned<A: Real, V: Elems<A>>(
        _: &Meta<V>,
        _: &Meta<A>,
        i: &usize,
        mut d: V,
        needs: [bool; 2],
    ) -> (Option<V>, Option<A>) {
        let slot = &mut d.elems_mut()[*i];
        let e = needs[1].then_some(*slot);
        *slot = A::zero();
        (needs[0].then_some(d), e)
    }
    /// Forward mode: the output's tangent, `v`'s tangent (zeros without
    /// one) with `e`'s (0 without one) at `i`, in `v`'s tangent's buffer.
    #[inline]
    #[track_caller]
    pub fn tan<A: Real, V: Elems<A>>(
        v: &Meta<V>,
        _: &Meta<A>,
        i: &usize,
        tv: Option<V>,
        te: Option<A>,
    ) -> V {
        let mut tv = tv.unwrap_or_else(|| crate::value::zeros(v));
        tv.elems_mut()[*i] = te.unwrap_or_else(A::zero);
        tv
    }
}

/// The rule of `v[i] += e` on a `Vec` or array of floats.
#[derive(Clone, Copy, Debug)]
pub struct AddAtRule;

impl AddAtRule {
    /// A copy of `v` with `e` added at `i`.
    #[inline]
    #[track_caller]
    pub fn fwd<A: Real, V: Elems<A>>(v: &V, e: &A, i: &usize) -> V {
        Self::fwd_owned(v.clone(), e, i)
    }
    /// `v` itself with `e` added at `i`.
    #[inline]
    #[track_caller]
    pub fn fwd_owned<A: Real, V: Elems<A>>(mut v: V, e: &A, i: &usize) -> V {
        v.elems_mut()[*i] += *e;
        v
    }
    /// `d`: every element passes unchanged.
    #[inline]
    pub fn rev0<A: Real, V: Elems<A>>(_: &Meta<V>, _: &Meta<A>, _: &usize, d: &V) -> V {
        d.clone()
    }
    /// As [`rev0`](Self::rev0), without a copy.
    #[inline]
    pub fn rev0_owned<A: Real, V: Elems<A>>(_: &Meta<V>, _: &Meta<A>, _: &usize, d: V) -> V {
        d
    }
    /// `d[i]`.
    #[inline]
    pub fn rev1<A: Real, V: Elems<A>>(v: &Meta<V>, e: &Meta<A>, i: &usize, d: &V) -> A {
        SetRule::rev1(v, e, i, d)
    }
    /// As [`rev1`](Self::rev1).
    #[inline]
    pub fn rev1_owned<A: Real, V: Elems<A>>(v: &Meta<V>, e: &Meta<A>, i: &usize, d: V) -> A {
        SetRule::rev1_owned(v, e, i, d)
    }
    /// Both gradients from one `d`.
    #[inline]
    pub fn revs_owned<A: Real, V: Elems<A>>(
        _: &Meta<V>,
        _: &Meta<A>,
        i: &usize,
        d: V,
        needs: [bool; 2],
    ) -> (Option<V>, Option<A>) {
        let e = needs[1].then(|| d.elems()[*i]);
        (needs[0].then_some(d), e)
    }
    /// Forward mode: the output's tangent, `v`'s tangent (zeros without
    /// one) with `e`'s added at `i`, in `v`'s tangent's buffer.
    #[inline]
    #[track_caller]
    pub fn tan<A: Real, V: Elems<A>>(
        v: &Meta<V>,
        _: &Meta<A>,
        i: &usize,
        tv: Option<V>,
        te: Option<A>,
    ) -> V {
        let mut tv = tv.unwrap_or_else(|| crate::value::zeros(v));
        if let Some(te) = te {
            tv.elems_mut()[*i] += te;
        }
        tv
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::meta;

    #[test]
    fn a_push_gives_the_last_gradient_to_the_element() {
        let v = vec![1.0f64, 2.0];
        assert_eq!(PushRule::fwd(&v, &3.0), vec![1.0, 2.0, 3.0]);
        assert_eq!(PushRule::fwd_owned(v.clone(), &3.0), vec![1.0, 2.0, 3.0]);
        let (mv, me) = (meta(&v), meta(&3.0));
        let d = vec![4.0, 5.0, 6.0];
        assert_eq!(PushRule::rev0(&mv, &me, &d), vec![4.0, 5.0]);
        assert_eq!(PushRule::rev1(&mv, &me, &d), 6.0);
        assert_eq!(PushRule::rev0_owned(&mv, &me, d.clone()), vec![4.0, 5.0]);
        assert_eq!(PushRule::rev1_owned(&mv, &me, d.clone()), 6.0);
        assert_eq!(
            PushRule::revs_owned(&mv, &me, d, [true, true]),
            (Some(vec![4.0, 5.0]), Some(6.0))
        );
    }

    #[test]
    fn a_set_takes_the_gradient_from_the_old_element() {
        let v = [1.0f32, 2.0, 3.0];
        assert_eq!(SetRule::fwd(&v, &9.0, &1), [1.0, 9.0, 3.0]);
        let (mv, me) = (meta(&v), meta(&9.0f32));
        let d = [4.0f32, 5.0, 6.0];
        assert_eq!(SetRule::rev0(&mv, &me, &1, &d), [4.0, 0.0, 6.0]);
        assert_eq!(SetRule::rev1(&mv, &me, &1, &d), 5.0);
        assert_eq!(
            SetRule::revs_owned(&mv, &me, &2, d, [true, true]),
            (Some([4.0, 5.0, 0.0]), Some(6.0))
        );
        assert_eq!(
            SetRule::revs_owned(&mv, &me, &2, d, [false, true]),
            (None, Some(6.0))
        );
    }

    #[test]
    fn an_add_at_passes_the_gradient_to_both() {
        let v = vec![1.0f64, 2.0];
        assert_eq!(AddAtRule::fwd(&v, &0.5, &0), vec![1.5, 2.0]);
        let (mv, me) = (meta(&v), meta(&0.5));
        let d = vec![4.0, 5.0];
        assert_eq!(AddAtRule::rev0(&mv, &me, &0, &d), d);
        assert_eq!(AddAtRule::rev1(&mv, &me, &1, &d), 5.0);
        assert_eq!(
            AddAtRule::revs_owned(&mv, &me, &1, d.clone(), [true, true]),
            (Some(d), Some(5.0))
        );
    }

    #[test]
    fn the_plain_functions_change_any_indexable_value() {
        assert_eq!(pushed(vec![1usize], 2), vec![1, 2]);
        assert_eq!(with_elem([0u8; 3], 1, 7), [0, 7, 0]);
        assert_eq!(added_at(vec![1.0, 2.0], 1, 0.5), vec![1.0, 2.5]);
        assert_eq!(filled(2u8, 3), vec![2, 2, 2]);
    }

    #[test]
    fn a_fill_sums_its_gradient() {
        assert_eq!(FillRule::fwd(&1.5f64, &2), vec![1.5, 1.5]);
        assert_eq!(FillRule::rev0(&meta(&1.5), &3, &vec![1.0, 2.0, 4.0]), 7.0);
    }
}
