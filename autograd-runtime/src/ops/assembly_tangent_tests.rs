//! Tangent rules of the operations that assemble values and take them
//! apart: `concatenate`, `stack`, tuples and their parts, array literals,
//! and the element updates of `Vec`s and arrays. All are linear: each
//! tangent is checked against central differences and against the backward
//! functions (the dot-product identity).

use ndarray::{Array, Axis, Ix2};

use crate::float::Float;
use crate::ops::join::{concatenate_fwd, ConcatenateRule, StackRule};
use crate::ops::pack::{ArrayRule, Part1Rule, Tuple2Rule};
use crate::ops::tangent_testing::{check_difference, check_dot_flat, Flat};
use crate::ops::testing::sample;
use crate::ops::update::{AddAtRule, FillRule, PushRule, SetRule};
use crate::tensor::Tensor;
use crate::value::meta;

fn joins<A: Float>() {
    let a = Tensor::<A, _>::from(sample(Ix2(2, 3), -1.0, 1.0, 1));
    let b = Tensor::<A, _>::from(sample(Ix2(2, 3), -1.0, 1.0, 2));
    let (ta, tb): (Array<A, Ix2>, Array<A, Ix2>) = (
        sample(Ix2(2, 3), -1.0, 1.0, 3),
        sample(Ix2(2, 3), -1.0, 1.0, 4),
    );
    let metas = [meta(&a), meta(&b)];
    for axis in [Axis(0), Axis(1)] {
        let j = ConcatenateRule::tan(&axis, &metas, &[Some(&ta), Some(&tb)]);
        check_difference("concatenate", &j.flat(), |h| {
            concatenate_fwd(&axis, &[&a.moved(&ta.flat(), h), &b.moved(&tb.flat(), h)]).flat()
        });
        let u = sample(j.raw_dim(), -1.0, 1.0, 5);
        let g: Vec<A> = [0, 1]
            .iter()
            .flat_map(|&k| ConcatenateRule::rev(&axis, &metas, k, &u).flat())
            .collect();
        let t: Vec<A> = ta.flat().into_iter().chain(tb.flat()).collect();
        check_dot_flat("concatenate", &u.flat(), &j.flat(), &g, &t);
        // A part without a tangent contributes zeros.
        let only_b = ConcatenateRule::tan(&axis, &metas, &[None, Some(&tb)]);
        assert_eq!(only_b.sum(), tb.sum());
    }
    for axis in [Axis(0), Axis(1), Axis(2)] {
        let j = StackRule::tan(&axis, &metas, &[Some(&ta), None]);
        check_difference("stack", &j.flat(), |h| {
            StackRule::fwd(&axis, &[&a.moved(&ta.flat(), h), &b]).flat()
        });
        let u = sample(j.raw_dim(), -1.0, 1.0, 6);
        check_dot_flat(
            "stack",
            &u.flat(),
            &j.flat(),
            &StackRule::rev(&axis, &metas, 0, &u).flat(),
            &ta.flat(),
        );
    }
}

fn packs<A: Float>() {
    let c = A::from_f64;
    let (x, w) = (
        c(0.5),
        Tensor::<A, _>::from(sample(Ix2(2, 2), -1.0, 1.0, 1)),
    );
    let tw: Array<A, Ix2> = sample(Ix2(2, 2), -1.0, 1.0, 2);
    let t = Tuple2Rule::tan((&meta(&x), None), (&meta(&w), Some(tw.clone())));
    assert_eq!(t, (A::zero(), tw.clone()));
    let pair = Tuple2Rule::fwd(&x, &w);
    assert_eq!(Part1Rule::tan0(&meta(&pair), &t), tw);
    assert_eq!(
        ArrayRule::tan(&[Some(c(2.0)), None, Some(c(-1.0))]),
        [c(2.0), A::zero(), c(-1.0)]
    );
}

fn updates<A: Float>() {
    let c = A::from_f64;
    let v = vec![c(0.1), c(0.2), c(-0.3)];
    let tv = vec![c(1.0), c(-0.5), c(0.25)];
    let (e, te) = (c(0.7), c(2.0));
    let u = vec![c(0.3), c(-1.1), c(0.6), c(0.9)];
    let j = PushRule::tan(&meta(&v), &meta(&e), Some(tv.clone()), Some(te));
    check_difference("push", &j, |h| {
        PushRule::fwd(&v.moved(&tv, h), &(e + h * te))
    });
    let g: Vec<A> = PushRule::rev0(&meta(&v), &meta(&e), &u)
        .into_iter()
        .chain([PushRule::rev1(&meta(&v), &meta(&e), &u)])
        .collect();
    let t: Vec<A> = tv.iter().copied().chain([te]).collect();
    check_dot_flat("push", &u, &j, &g, &t);

    let u = vec![c(0.3), c(-1.1), c(0.6)];
    for set in [true, false] {
        let (j, fwd): (Vec<A>, &dyn Fn(A) -> Vec<A>) = if set {
            (
                SetRule::tan(&meta(&v), &meta(&e), &1, Some(tv.clone()), Some(te)),
                &|h| SetRule::fwd(&v.moved(&tv, h), &(e + h * te), &1),
            )
        } else {
            (
                AddAtRule::tan(&meta(&v), &meta(&e), &1, Some(tv.clone()), Some(te)),
                &|h| AddAtRule::fwd(&v.moved(&tv, h), &(e + h * te), &1),
            )
        };
        check_difference("set / add_at", &j, fwd);
        let (g0, g1) = if set {
            (
                SetRule::rev0(&meta(&v), &meta(&e), &1, &u),
                SetRule::rev1(&meta(&v), &meta(&e), &1, &u),
            )
        } else {
            (
                AddAtRule::rev0(&meta(&v), &meta(&e), &1, &u),
                AddAtRule::rev1(&meta(&v), &meta(&e), &1, &u),
            )
        };
        let g: Vec<A> = g0.into_iter().chain([g1]).collect();
        let t: Vec<A> = tv.iter().copied().chain([te]).collect();
        check_dot_flat("set / add_at", &u, &j, &g, &t);
    }
    let j = FillRule::tan0(&meta(&e), &3, &te);
    check_difference("fill", &j, |h| FillRule::fwd(&(e + h * te), &3));
    check_dot_flat("fill", &u, &j, &[FillRule::rev0(&meta(&e), &3, &u)], &[te]);
}

#[test]
fn assembly_tangents_agree_with_finite_differences_and_the_backward() {
    joins::<f64>();
    joins::<f32>();
    packs::<f64>();
    updates::<f64>();
    updates::<f32>();
}
