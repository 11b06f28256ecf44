//! Building tuples and arrays of differentiated values, and taking tuples
//! apart: what `(a, b)`, `[a, b]`, `t.0` and `let (q, r) = f(x);` are.
//!
//! | op | forward | backward |
//! |----|---------|----------|
//! | `(a, b)` | the pair | `∂/∂a = d.0`, `∂/∂b = d.1` |
//! | `[a, b]` | the array | `∂/∂a = d[0]`, `∂/∂b = d[1]` |
//! | `t.0` | the element | the tuple's gradient: `d` at `0`, zeros elsewhere |

use super::decl::{Cap as C, OpDecl, Reads as R};
use crate::real::Real;
use crate::value::{Differentiable, GradOf, Meta};

#[rustfmt::skip]
/// Tuples and arrays, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "tuple2", rule: "Tuple2Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1)], &[R::Meta(0), R::Meta(1)]], caps: &[] },
    OpDecl { name: "tuple3", rule: "Tuple3Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1), R::Meta(2)], &[R::Meta(0), R::Meta(1), R::Meta(2)], &[R::Meta(0), R::Meta(1), R::Meta(2)]], caps: &[] },
    OpDecl { name: "tuple4", rule: "Tuple4Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3)]], caps: &[] },
    OpDecl { name: "part0", rule: "Part0Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "part1", rule: "Part1Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "part2", rule: "Part2Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "part3", rule: "Part3Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "tuple5", rule: "Tuple5Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4)]], caps: &[] },
    OpDecl { name: "tuple6", rule: "Tuple6Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5)]], caps: &[] },
    OpDecl { name: "tuple7", rule: "Tuple7Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6)]], caps: &[] },
    OpDecl { name: "tuple8", rule: "Tuple8Rule", args: &[], reads: &[&[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)], &[R::Meta(0), R::Meta(1), R::Meta(2), R::Meta(3), R::Meta(4), R::Meta(5), R::Meta(6), R::Meta(7)]], caps: &[] },
    OpDecl { name: "part4", rule: "Part4Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "part5", rule: "Part5Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "part6", rule: "Part6Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "part7", rule: "Part7Rule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::Consumes, C::OwnedGrad(0)] },
    OpDecl { name: "array", rule: "ArrayRule", args: &[], reads: &[&[R::Position]], caps: &[C::Variadic] },
];

macro_rules! pack_rule {
    ($(#[$doc:meta])* $rule:ident $all:tt $($rev:ident $i:tt $out:ident),+) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $rule;

        impl $rule {
            pack_fwd!($all);
            $(pack_rev!($rev, $i, $out, $all);)+
            pack_tan!($all);
        }
    };
}

macro_rules! pack_fwd {
    ([$($t:ident $x:ident),+]) => {
        /// The tuple of the elements (copies of those that are borrowed).
        #[inline]
        #[allow(clippy::too_many_arguments)]
        pub fn fwd<$($t: Differentiable + Clone),+>($($x: &$t),+) -> ($($t,)+) {
            ($(::core::clone::Clone::clone($x),)+)
        }
    };
}

macro_rules! pack_tan {
    ([$($t:ident $x:ident),+]) => {
        /// Forward mode: the tuple's tangent, the elements' tangents (zeros
        /// for an element without one).
        #[inline]
        #[allow(clippy::too_many_arguments)]
        pub fn tan<$($t: Differentiable),+>(
            $($x: (&Meta<$t>, Option<GradOf<$t>>),)+
        ) -> ($(GradOf<$t>,)+) {
            ($($x.1.unwrap_or_else(|| crate::value::zeros($x.0)),)+)
        }
    };
}

macro_rules! pack_rev {
    ($rev:ident, $i:tt, $out:ident, [$($t:ident $x:ident),+]) => {
        /// The gradient of this element: its part of the tuple's gradient.
        #[inline]
        #[allow(unused_variables, clippy::too_many_arguments)]
        pub fn $rev<$($t: Differentiable),+>(
            $($x: &Meta<$t>,)+
            d: &($(GradOf<$t>,)+),
        ) -> GradOf<$out>
        where
            GradOf<$out>: Clone,
        {
            ::core::clone::Clone::clone(&d.$i)
        }
    };
}

pack_rule!(
    /// The rule of `(a, b)`.
    Tuple2Rule [T0 a, T1 b] rev0 0 T0, rev1 1 T1
);
pack_rule!(
    /// The rule of `(a, b, c)`.
    Tuple3Rule [T0 a, T1 b, T2 c] rev0 0 T0, rev1 1 T1, rev2 2 T2
);
pack_rule!(
    /// The rule of `(a, b, c, e)`.
    Tuple4Rule [T0 a, T1 b, T2 c, T3 e] rev0 0 T0, rev1 1 T1, rev2 2 T2, rev3 3 T3
);

pack_rule!(
    /// The rule of a tuple of 5 values.
    Tuple5Rule [T0 a, T1 b, T2 c, T3 e, T4 f] rev0 0 T0, rev1 1 T1, rev2 2 T2, rev3 3 T3, rev4 4 T4
);
pack_rule!(
    /// The rule of a tuple of 6 values.
    Tuple6Rule [T0 a, T1 b, T2 c, T3 e, T4 f, T5 g] rev0 0 T0, rev1 1 T1, rev2 2 T2, rev3 3 T3, rev4 4 T4, rev5 5 T5
);
pack_rule!(
    /// The rule of a tuple of 7 values.
    Tuple7Rule [T0 a, T1 b, T2 c, T3 e, T4 f, T5 g, T6 h] rev0 0 T0, rev1 1 T1, rev2 2 T2, rev3 3 T3, rev4 4 T4, rev5 5 T5, rev6 6 T6
);
pack_rule!(
    /// The rule of a tuple of 8 values.
    Tuple8Rule [T0 a, T1 b, T2 c, T3 e, T4 f, T5 g, T6 h, T7 k] rev0 0 T0, rev1 1 T1, rev2 2 T2, rev3 3 T3, rev4 4 T4, rev5 5 T5, rev6 6 T6, rev7 7 T7
);

/// Element `I` of a tuple of differentiable values.
pub trait TuplePart<const I: usize>: Differentiable {
    /// The element's type.
    type Part: Differentiable;
    /// The element.
    fn part(&self) -> &Self::Part;
    /// The element, by value.
    fn into_part(self) -> Self::Part;
    /// The tuple's gradient when element `I`'s is `gradient` and the other
    /// elements' are zero.
    fn with_part(shape: &Self::Shape, gradient: GradOf<Self::Part>) -> Self::Grad;
    /// Element `I` of a gradient (or tangent) of the tuple.
    fn grad_part(gradient: &Self::Grad) -> &GradOf<Self::Part>;
}

macro_rules! tuple_part {
    ($i:tt => $p:ident; $($t:ident),+) => {
        impl<$($t: Differentiable),+> TuplePart<$i> for ($($t,)+) {
            type Part = $p;
            #[inline]
            fn part(&self) -> &$p {
                &self.$i
            }
            #[inline]
            fn into_part(self) -> $p {
                self.$i
            }
            #[inline]
            fn with_part(shape: &Self::Shape, gradient: GradOf<$p>) -> Self::Grad {
                let mut g = Self::zero_grad_of(shape);
                g.$i = gradient;
                g
            }
            #[inline]
            fn grad_part(gradient: &Self::Grad) -> &GradOf<$p> {
                &gradient.$i
            }
        }
    };
}

tuple_part!(0 => T0; T0, T1);
tuple_part!(1 => T1; T0, T1);
tuple_part!(0 => T0; T0, T1, T2);
tuple_part!(1 => T1; T0, T1, T2);
tuple_part!(2 => T2; T0, T1, T2);
tuple_part!(0 => T0; T0, T1, T2, T3);
tuple_part!(1 => T1; T0, T1, T2, T3);
tuple_part!(2 => T2; T0, T1, T2, T3);
tuple_part!(3 => T3; T0, T1, T2, T3);
tuple_part!(0 => T0; T0, T1, T2, T3, T4);
tuple_part!(1 => T1; T0, T1, T2, T3, T4);
tuple_part!(2 => T2; T0, T1, T2, T3, T4);
tuple_part!(3 => T3; T0, T1, T2, T3, T4);
tuple_part!(4 => T4; T0, T1, T2, T3, T4);
tuple_part!(0 => T0; T0, T1, T2, T3, T4, T5);
tuple_part!(1 => T1; T0, T1, T2, T3, T4, T5);
tuple_part!(2 => T2; T0, T1, T2, T3, T4, T5);
tuple_part!(3 => T3; T0, T1, T2, T3, T4, T5);
tuple_part!(4 => T4; T0, T1, T2, T3, T4, T5);
tuple_part!(5 => T5; T0, T1, T2, T3, T4, T5);
tuple_part!(0 => T0; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(1 => T1; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(2 => T2; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(3 => T3; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(4 => T4; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(5 => T5; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(6 => T6; T0, T1, T2, T3, T4, T5, T6);
tuple_part!(0 => T0; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(1 => T1; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(2 => T2; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(3 => T3; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(4 => T4; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(5 => T5; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(6 => T6; T0, T1, T2, T3, T4, T5, T6, T7);
tuple_part!(7 => T7; T0, T1, T2, T3, T4, T5, T6, T7);

macro_rules! part_rule {
    ($(#[$doc:meta])* $rule:ident, $i:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $rule;

        impl $rule {
            /// The element (a copy: the tuple is read again).
            #[inline]
            pub fn fwd<T: TuplePart<$i>>(t: &T) -> T::Part
            where
                T::Part: Clone,
            {
                ::core::clone::Clone::clone(t.part())
            }
            /// The element, moved out of a tuple nothing else reads.
            #[inline]
            pub fn fwd_owned<T: TuplePart<$i>>(t: T) -> T::Part {
                t.into_part()
            }
            /// The tuple's gradient: `d` at this element, zeros elsewhere.
            #[inline]
            pub fn rev0<T: TuplePart<$i>>(t: &Meta<T>, d: &GradOf<T::Part>) -> T::Grad
            where
                GradOf<T::Part>: Clone,
            {
                T::with_part(&t.0, ::core::clone::Clone::clone(d))
            }
            /// As [`rev0`](Self::rev0), taking `d` by value.
            #[inline]
            pub fn rev0_owned<T: TuplePart<$i>>(t: &Meta<T>, d: GradOf<T::Part>) -> T::Grad {
                T::with_part(&t.0, d)
            }
            /// Forward mode: the element's tangent, the tuple tangent's part.
            #[inline]
            pub fn tan0<T: TuplePart<$i>>(_: &Meta<T>, t: &T::Grad) -> GradOf<T::Part>
            where
                GradOf<T::Part>: Clone,
            {
                ::core::clone::Clone::clone(T::grad_part(t))
            }
        }
    };
}

part_rule!(
    /// The rule of `t.0` of a tuple of differentiated values.
    Part0Rule, 0
);
part_rule!(
    /// The rule of `t.1`.
    Part1Rule, 1
);
part_rule!(
    /// The rule of `t.2`.
    Part2Rule, 2
);
part_rule!(
    /// The rule of `t.3`.
    Part3Rule, 3
);
part_rule!(
    /// The rule of `t.4`.
    Part4Rule, 4
);
part_rule!(
    /// The rule of `t.5`.
    Part5Rule, 5
);
part_rule!(
    /// The rule of `t.6`.
    Part6Rule, 6
);
part_rule!(
    /// The rule of `t.7`.
    Part7Rule, 7
);

/// The rule of an array literal `[a, b, ..]` of differentiated floats.
#[derive(Clone, Copy, Debug)]
pub struct ArrayRule;

impl ArrayRule {
    /// The array of the elements.
    #[inline]
    pub fn fwd<A: Real, const N: usize>(parts: &[&A; N]) -> [A; N] {
        parts.map(|a| *a)
    }

    /// The gradient of element `k`: `d[k]`.
    #[inline]
    pub fn rev<A: Real, const N: usize>(k: usize, d: &[A; N]) -> A {
        d[k]
    }

    /// Forward mode: the array's tangent, the elements' tangents (0 for an
    /// element without one).
    #[inline]
    pub fn tan<A: Real, const N: usize>(tangents: &[Option<A>; N]) -> [A; N] {
        tangents.map(|t| t.unwrap_or_else(A::zero))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Tensor;
    use crate::value::meta;
    use ndarray::array;

    #[test]
    fn a_pair_passes_each_part_of_its_gradient_to_its_element() {
        let (a, b) = (2.0f64, Tensor::from(array![1.0f64, 2.0]));
        let t = Tuple2Rule::fwd(&a, &b);
        assert_eq!((t.0, t.1.data().clone()), (2.0, array![1.0, 2.0]));
        let d = (3.0, array![4.0, 5.0]);
        let (ma, mb) = (meta(&a), meta(&b));
        assert_eq!(Tuple2Rule::rev0(&ma, &mb, &d), 3.0);
        assert_eq!(Tuple2Rule::rev1(&ma, &mb, &d), array![4.0, 5.0]);
        let m = (meta(&1.0f32), meta(&2.0f32), meta(&3.0f32), meta(&4.0f32));
        let d4 = (1.0f32, 2.0, 3.0, 4.0);
        assert_eq!(Tuple4Rule::rev3(&m.0, &m.1, &m.2, &m.3, &d4), 4.0);
        assert_eq!(Tuple3Rule::rev1(&m.0, &m.1, &m.2, &(1.0, 2.0, 3.0)), 2.0);
    }

    #[test]
    fn a_part_gives_its_tuple_zeros_beside_its_gradient() {
        let t = (2.0f64, Tensor::from(array![1.0f64, 2.0]), 5.0f32);
        assert_eq!(Part0Rule::fwd(&t), 2.0);
        assert_eq!(Part2Rule::fwd(&t), 5.0);
        let m = meta(&t);
        assert_eq!(
            Part1Rule::rev0(&m, &array![7.0, 8.0]),
            (0.0, array![7.0, 8.0], 0.0)
        );
        assert_eq!(Part2Rule::rev0_owned(&m, 3.0), (0.0, array![0.0, 0.0], 3.0));
        assert_eq!(Part1Rule::fwd_owned(t).data(), &array![1.0, 2.0]);
        let q = (1.0f64, 2.0f64, 3.0f64, 4.0f64);
        assert_eq!(Part3Rule::rev0(&meta(&q), &1.0), (0.0, 0.0, 0.0, 1.0));
    }

    #[test]
    fn an_array_literal_passes_each_element_its_gradient() {
        let (a, b) = (1.5f64, -2.0f64);
        assert_eq!(ArrayRule::fwd(&[&a, &b, &a]), [1.5, -2.0, 1.5]);
        assert_eq!(ArrayRule::rev(2, &[1.0f64, 2.0, 3.0]), 3.0);
    }
}
