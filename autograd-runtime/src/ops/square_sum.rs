//! `(x * x).sum_axis(axis)`, fused: the sum of squares along an axis, as in
//! squared distances and norms. `#[differentiable]` emits this rule when it
//! sees that expression (the same variable on both sides of `*`), so that
//! neither the squares nor the gradient of the sum are ever an array of their
//! own: one pass forward, one pass backward.
//!
//! The results are those of the two rules it replaces, bit for bit: the
//! squares are summed in the same order, and the gradient `2·x·d` is rounded
//! once either way.

use ndarray::{Array, Axis, RemoveAxis, Zip};

use crate::error::{check_axis, or_panic};
use crate::float::Float;
use crate::ops::reduce::map_last_axis_lanes;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf};

use super::decl::{ArgKind, Cap as C, OpDecl, Reads as R};

#[rustfmt::skip]
/// The fused sum of squares, as generated code sees it (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "square_sum_axis", rule: "SquareSumAxisRule", args: &[ArgKind::Const], reads: &[&[R::Value(0), R::Const(0)]], caps: &[C::TakesOperand] },
];

/// The rule of `(x * x).sum_axis(axis)`: `yⱼ = Σᵢ xᵢⱼ²` along `axis`, and
/// the gradient `2·xᵢⱼ·dⱼ`.
pub trait SquareSumAxisRule: Differentiable {
    /// The result type (one axis fewer).
    type Output: Differentiable;
    /// The sums of squares along `axis`.
    ///
    /// # Panics
    /// If `axis` is not an axis of `x`; the message names the axis and the shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The gradient `2·x·d`, `d` repeated along `axis`, reading `x`.
    fn rev0(x: &Self, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// [`rev0`](Self::rev0) taking `x` by value, when nothing reads it
    /// afterwards (generated code passes a kept value at its last read): the
    /// gradient is computed in its buffer.
    fn rev0_taking(x: Self, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad
    where
        Self: Sized,
    {
        Self::rev0(&x, axis, d)
    }
    /// Forward mode: the output's tangent `Σ_axis 2·x·t`.
    fn tan0(x: &Self, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent from
    /// the input's tangent `t`: `2·t·d`, `d` repeated along `axis`.
    fn rev0_tan0(x: &Self, axis: &Axis, t: &Self::Grad, d: &GradOf<Self::Output>) -> Self::Grad;
}

/// `Σ v²` over a lane, in order.
fn sum_of_squares<'a, A: Float>(lane: impl IntoIterator<Item = &'a A>) -> A {
    lane.into_iter().fold(A::zero(), |s, &v| s + v * v)
}

impl<A: Float, D: RemoveAxis> SquareSumAxisRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;

    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Smaller> {
        or_panic(check_axis("sum_axis", axis.index(), self.shape()));
        let x = self.data();
        let sums = map_last_axis_lanes(x, *axis, |lane| sum_of_squares(lane))
            .unwrap_or_else(|| x.map_axis(*axis, |lane| sum_of_squares(lane)));
        Tensor::from(sums)
    }

    fn rev0(x: &Self, axis: &Axis, d: &Array<A, D::Smaller>) -> Array<A, D> {
        let x = x.data();
        let len = x.len_of(*axis);
        if axis.index() + 1 == x.ndim() && len > 0 {
            if let Some(data) = x.as_slice() {
                let mut g = Vec::with_capacity(data.len());
                for (lane, &d) in data.chunks_exact(len).zip(d.iter()) {
                    let twice = d + d;
                    g.extend(lane.iter().map(|&v| twice * v));
                }
                return Array::from_shape_vec(x.raw_dim(), g).expect("one value per element");
            }
        }
        let mut g = Array::zeros(x.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(x.lanes(*axis))
            .and(d)
            .for_each(|mut g, x, &d| {
                let twice = d + d;
                Zip::from(&mut g).and(&x).for_each(|g, &v| *g = twice * v);
            });
        g
    }

    fn rev0_taking(x: Self, axis: &Axis, d: &Array<A, D::Smaller>) -> Array<A, D> {
        let mut g = x.into_data();
        Zip::from(g.lanes_mut(*axis))
            .and(d)
            .for_each(|mut lane, &d| {
                let twice = d + d;
                lane.mapv_inplace(|v| twice * v);
            });
        g
    }

    fn tan0(x: &Self, axis: &Axis, t: &Array<A, D>) -> Array<A, D::Smaller> {
        let mut j = Array::zeros(x.data().raw_dim().remove_axis(*axis));
        Zip::from(&mut j)
            .and(x.data().lanes(*axis))
            .and(t.lanes(*axis))
            .for_each(|j, x, t| {
                let s = Zip::from(&x).and(&t).fold(A::zero(), |s, &x, &t| s + x * t);
                *j = s + s;
            });
        j
    }

    fn rev0_tan0(x: &Self, axis: &Axis, t: &Array<A, D>, d: &Array<A, D::Smaller>) -> Array<A, D> {
        let mut g = Array::zeros(x.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(t.lanes(*axis))
            .and(d)
            .for_each(|mut g, t, &d| {
                let twice = d + d;
                Zip::from(&mut g).and(&t).for_each(|g, &t| *g = twice * t);
            });
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{check_vjp, sample};
    use crate::rules::{SquareRule, SumAxisRule};
    use crate::value::meta;
    use ndarray::{Array2, Array3};

    #[test]
    fn equals_the_two_rules_it_replaces() {
        let x: Tensor<f64, _> = Tensor::from(sample((3, 4, 5), -2.0, 2.0, 1));
        let xt = Tensor::from(x.data().t().to_owned());
        for x in [&x, &xt] {
            for axis in 0..3 {
                let axis = Axis(axis);
                let squares = x * x;
                let want = squares.sum_axis(axis);
                let got = SquareSumAxisRule::fwd(x, &axis);
                assert_eq!(got.data(), want.data(), "forward along {axis:?}");
                let d = sample(want.raw_dim(), -1.0, 1.0, 2);
                let spread = SumAxisRule::rev0(&meta(&squares), &axis, &d);
                let want_g = SquareRule::rev_twice_owned(x, spread);
                assert_eq!(
                    SquareSumAxisRule::rev0(x, &axis, &d),
                    want_g,
                    "gradient along {axis:?}"
                );
            }
        }
    }

    #[test]
    fn gradient_by_hand_and_finite_differences() {
        // Rows [1, 2] and [3, -1]: sums 5 and 10; gradient 2·x·d.
        let x = Tensor::from(ndarray::array![[1.0, 2.0], [3.0, -1.0]]);
        let y = SquareSumAxisRule::fwd(&x, &Axis(1));
        assert_eq!(y.data(), &ndarray::array![5.0, 10.0]);
        let d = ndarray::array![0.5, -1.0];
        let g: Array2<f64> = SquareSumAxisRule::rev0(&x, &Axis(1), &d);
        assert_eq!(g, ndarray::array![[1.0, 2.0], [-6.0, 2.0]]);
        let x3: Array3<f64> = sample((2, 3, 2), -1.0, 1.0, 3);
        let d3 = sample((2, 2), -1.0, 1.0, 4);
        let f = |x: &Array3<f64>| {
            SquareSumAxisRule::fwd(&Tensor::from(x.clone()), &Axis(1)).into_data()
        };
        let g3 = SquareSumAxisRule::rev0(&Tensor::from(x3.clone()), &Axis(1), &d3);
        check_vjp("square_sum_axis", f, &x3, &d3, &g3);
    }

    #[test]
    #[should_panic(expected = "[2, 2]")]
    fn axis_out_of_range_panics() {
        let x = Tensor::from(ndarray::array![[1.0, 2.0], [3.0, -1.0]]);
        let _ = SquareSumAxisRule::fwd(&x, &Axis(2));
    }
}

#[cfg(test)]
mod tangent_tests {
    //! The tangent rules of the fused sum of squares and of `x * x`.
    use super::*;
    use crate::ops::tangent_testing::{check_difference, check_dot_flat, Flat};
    use crate::ops::testing::sample;
    use crate::rules::SquareRule;
    use ndarray::{Ix2, Ix3};

    fn squares<A: Float>() {
        let x = Tensor::<A, _>::from(sample(Ix3(2, 3, 4), -2.0, 2.0, 1));
        let v: Array<A, Ix3> = sample(Ix3(2, 3, 4), -1.0, 1.0, 2);
        let moved = |h: A| x.moved(&v.flat(), h);
        for k in 0..3 {
            let axis = Axis(k);
            let mut shape = vec![2, 3, 4];
            shape.remove(k);
            let u: Array<A, Ix2> = sample(Ix2(shape[0], shape[1]), -1.0, 1.0, 3);
            let j = SquareSumAxisRule::tan0(&x, &axis, &v);
            check_difference("square_sum_axis", &j.flat(), |h| {
                SquareSumAxisRule::fwd(&moved(h), &axis).flat()
            });
            check_dot_flat(
                "square_sum_axis",
                &u.flat(),
                &j.flat(),
                &SquareSumAxisRule::rev0(&x, &axis, &u).flat(),
                &v.flat(),
            );
            let second = SquareSumAxisRule::rev0_tan0(&x, &axis, &v, &u);
            check_difference("square_sum_axis rev0", &second.flat(), |h| {
                SquareSumAxisRule::rev0(&moved(h), &axis, &u).flat()
            });
        }
        let d: Array<A, Ix3> = sample(Ix3(2, 3, 4), -1.0, 1.0, 4);
        let second = SquareRule::rev_twice_tan0(&x, &v, &d);
        check_difference("x * x", &second.flat(), |h| {
            SquareRule::rev_twice_owned(&moved(h), d.clone()).flat()
        });
        let c = A::from_f64;
        assert_eq!(
            SquareRule::rev_twice_tan0(&c(3.0), &c(0.5), &c(2.0)),
            c(2.0)
        );
    }

    #[test]
    fn square_tangents_agree_with_finite_differences_and_the_backward() {
        squares::<f64>();
        squares::<f32>();
    }
}
