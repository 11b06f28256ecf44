//! Tangent rules of the selections: `maximum`, `minimum` (every pair of
//! operand types), `max_axis`, `min_axis` and `clamp`, against central
//! differences away from ties and against the backward functions (the
//! dot-product identity, which holds at ties too).

use super::*;
use crate::ops::tangent_testing::{check_binary, check_difference, check_dot_flat, Flat};
use crate::ops::testing::sample;
use ndarray::{Ix1, Ix2, Ix3};

fn distinct<A: Float, D: Dimension>(shape: D, seed: usize) -> Tensor<A, D> {
    Tensor::from(sample(shape, -2.0, 2.0, seed))
}

fn selections<A: Float>() {
    let c = A::from_f64;
    for (a, b) in [(c(0.3), c(-1.2)), (c(-0.3), c(1.2))] {
        check_binary!(A, MaximumRule as both, a, b, []);
        check_binary!(A, MinimumRule as both, a, b, []);
    }
    check_binary!(
        A,
        MaximumRule as both,
        distinct::<A, _>(Ix2(3, 4), 1),
        distinct::<A, _>(Ix1(4), 2),
        []
    );
    check_binary!(
        A,
        MinimumRule as both,
        distinct::<A, _>(Ix1(4), 1),
        distinct::<A, _>(Ix2(3, 4), 2),
        []
    );
    check_binary!(
        A,
        MaximumRule as both,
        distinct::<A, _>(Ix2(2, 3), 1),
        c(0.1),
        []
    );
    check_binary!(
        A,
        MinimumRule as both,
        c(0.1),
        distinct::<A, _>(Ix1(5), 2),
        []
    );

    // A tie: each side gets half, and the identity still holds.
    let (x, y) = (c(0.5), c(0.5));
    assert_eq!(
        MaximumRule::tan0(&x, &y, &c(2.0)) + MaximumRule::tan1(&x, &y, &c(4.0)),
        c(3.0)
    );

    for axis in [Axis(0), Axis(1), Axis(2)] {
        let x = distinct::<A, _>(Ix3(2, 3, 4), 3);
        let t = sample(x.raw_dim(), -1.0, 1.0, 4);
        for min in [false, true] {
            let fwd = |x: &Tensor<A, Ix3>| {
                if min {
                    MinAxisRule::fwd(x, &axis)
                } else {
                    MaxAxisRule::fwd(x, &axis)
                }
            };
            let out = fwd(&x);
            let u = sample(out.raw_dim(), -1.0, 1.0, 5);
            let (j, g) = if min {
                (
                    MinAxisRule::tan0(&x, &out, &axis, &t),
                    MinAxisRule::rev0(&x, &out, &axis, &u),
                )
            } else {
                (
                    MaxAxisRule::tan0(&x, &out, &axis, &t),
                    MaxAxisRule::rev0(&x, &out, &axis, &u),
                )
            };
            check_difference("max_axis", &j.flat(), |h| {
                fwd(&x.moved(&t.flat(), h)).flat()
            });
            check_dot_flat("max_axis", &u.flat(), &j.flat(), &g.flat(), &t.flat());
        }
    }
    // Ties along an axis: the tangent is the mean over the tied elements.
    let x = Tensor::from(ndarray::array![[1.0, 3.0, 3.0]].mapv(c));
    let out = MaxAxisRule::fwd(&x, &Axis(1));
    let t = ndarray::array![[5.0, 1.0, 2.0]].mapv(c);
    assert_eq!(
        MaxAxisRule::tan0(&x, &out, &Axis(1), &t),
        ndarray::array![1.5].mapv(c)
    );

    let x = distinct::<A, _>(Ix2(3, 4), 6);
    let t = sample(x.raw_dim(), -1.0, 1.0, 7);
    let (lo, hi) = (c(-0.9), c(1.1));
    let j = ClampRule::tan0(&x, &lo, &hi, &t);
    check_difference("clamp", &j.flat(), |h| {
        ClampRule::fwd(&x.moved(&t.flat(), h), &lo, &hi).flat()
    });
}

#[test]
fn selection_tangents_agree_with_finite_differences_and_the_backward() {
    selections::<f64>();
    selections::<f32>();
}
