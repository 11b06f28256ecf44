//! Tangent rules of `+ - * /` and unary `-`, for every pair of operand
//! types (floats, tensors broadcasting both ways, a tensor and a float):
//! `tanK` against central differences of `fwd` along operand `K`'s tangent
//! and against `revK` (the dot-product identity), and each second-order
//! piece `revK_tanJ` against central differences of `revK` along operand
//! `J`'s tangent; in `f64` and `f32`.

use super::*;
use crate::ops::tangent_testing::{check_binary, check_difference, check_dot_flat, Flat};
use crate::ops::testing::sample;
use ndarray::{Ix1, Ix2, IxDyn};

/// Every rule on one pair of operands (the divisor kept away from 0).
macro_rules! check_all {
    ($A:ty, $a:expr, $b:expr) => {{
        check_binary!($A, AddRule as meta, $a, $b, []);
        check_binary!($A, SubRule as meta, $a, $b, []);
        check_binary!($A, MulRule as mul, $a, $b, [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_binary!($A, DivRule as div, $a, $b, [rev0_tan1 0 1, rev1_tan0 1 0, rev1_tan1 1 1]);
    }};
}

fn tensor<A: Float, D: Dimension>(shape: D, seed: usize) -> Tensor<A, D> {
    Tensor::from(sample(shape, 0.5, 2.0, seed))
}

fn all_pairs<A: Float>() {
    check_all!(A, A::from_f64(1.3), A::from_f64(-0.7));
    check_all!(
        A,
        tensor::<A, _>(Ix2(3, 4), 1),
        tensor::<A, _>(Ix2(3, 4), 2)
    );
    // Broadcasting both ways, and across static and dynamic dimensions.
    check_all!(A, tensor::<A, _>(Ix2(3, 4), 1), tensor::<A, _>(Ix1(4), 2));
    check_all!(A, tensor::<A, _>(Ix1(4), 1), tensor::<A, _>(Ix2(3, 4), 2));
    check_all!(
        A,
        tensor::<A, _>(Ix2(3, 1), 1),
        tensor::<A, _>(Ix2(1, 4), 2)
    );
    check_all!(
        A,
        tensor::<A, _>(IxDyn(&[2, 3]), 1),
        tensor::<A, _>(IxDyn(&[3]), 2)
    );
    // A tensor and a float, both ways.
    check_all!(A, tensor::<A, _>(Ix2(2, 3), 1), A::from_f64(1.7));
    check_all!(A, A::from_f64(1.7), tensor::<A, _>(Ix1(5), 2));
}

#[test]
fn binary_tangents_agree_with_finite_differences_and_the_backward() {
    all_pairs::<f64>();
    all_pairs::<f32>();
}

fn negation<A: Float>() {
    let x = tensor::<A, _>(Ix2(2, 3), 4);
    let t = sample(Ix2(2, 3), -1.0, 1.0, 5);
    let u = sample(Ix2(2, 3), -1.0, 1.0, 6);
    let j = NegRule::tan0(&meta(&x), &t);
    check_difference("neg", &j.flat(), |h| {
        NegRule::fwd(&x.moved(&t.flat(), h)).flat()
    });
    check_dot_flat(
        "neg",
        &u.flat(),
        &j.flat(),
        &NegRule::rev0(&meta(&x), &u).flat(),
        &t.flat(),
    );
    assert_eq!(
        NegRule::tan0(&meta(&A::one()), &A::from_f64(0.5)),
        A::from_f64(-0.5)
    );
}

#[test]
fn negation_tangent_is_the_negated_tangent() {
    negation::<f64>();
    negation::<f32>();
}
