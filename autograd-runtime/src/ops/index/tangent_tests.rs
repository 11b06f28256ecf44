//! Tangent rules of indexing, slicing and reshaping: each is linear, so its
//! tangent is the same operation on the tangent; checked against central
//! differences and the backward functions (the dot-product identity), for
//! slices, `Vec`s, arrays and tensors.

use super::*;
use crate::ops::shape::ReshapeRule;
use crate::ops::tangent_testing::{check_difference, check_dot_flat, Flat};
use crate::ops::testing::sample;
use crate::value::meta;
use ndarray::{Ix1, Ix2, Ix3};

/// The checks of a linear rule whose backward adds into a slot.
macro_rules! check_into {
    ($what:literal, $x:expr, $t:expr, $u:expr, $fwd:expr, $tan:expr, $rev_into:expr) => {{
        let (x, t, u) = ($x, $t, $u);
        let j = $tan(&meta(&x), &t);
        check_difference($what, &j.flat(), |h| $fwd(&x.moved(&t.flat(), h)).flat());
        let mut slot = None;
        $rev_into(&mut slot, &meta(&x), &u);
        let g = slot.expect("the backward fills the slot");
        check_dot_flat($what, &u.flat(), &j.flat(), &g.flat(), &t.flat());
    }};
}

fn linear<A: Float>() {
    let c = A::from_f64;
    let v: Vec<A> = (0..5).map(|k| c(k as f64 * 0.3 - 0.4)).collect();
    let tv: Vec<A> = (0..5).map(|k| c(1.0 - k as f64 * 0.45)).collect();
    check_into!(
        "vec[i]",
        v.clone(),
        tv.clone(),
        c(0.7),
        |x: &Vec<A>| IndexRule::fwd(x, &3usize),
        |m, t| IndexRule::tan0(m, &3usize, t),
        |s: &mut Option<Vec<A>>, m, d| IndexRule::rev0_into(s, m, &3usize, d)
    );
    check_into!(
        "vec[1..4]",
        v.clone(),
        tv.clone(),
        vec![c(0.2), c(-0.5), c(0.9)],
        |x: &Vec<A>| IndexRule::fwd(x, &(1..4)),
        |m, t| IndexRule::tan0(m, &(1..4), t),
        |s: &mut Option<Vec<A>>, m, d| IndexRule::rev0_into(s, m, &(1..4), d)
    );
    let a = [c(0.1), c(-0.2), c(0.3)];
    let ta = [c(0.5), c(0.25), c(-1.0)];
    check_into!(
        "array[i]",
        a,
        ta,
        c(1.3),
        |x: &[A; 3]| IndexRule::fwd(x, &2usize),
        |m, t| IndexRule::tan0(m, &2usize, t),
        |s: &mut Option<[A; 3]>, m, d| IndexRule::rev0_into(s, m, &2usize, d)
    );
    check_into!(
        "array[1..]",
        a,
        ta,
        vec![c(0.4), c(-0.6)],
        |x: &[A; 3]| IndexRule::fwd(x, &(1..)),
        |m, t| IndexRule::tan0(m, &(1..), t),
        |s: &mut Option<[A; 3]>, m, d| IndexRule::rev0_into(s, m, &(1..), d)
    );

    let x = Tensor::<A, _>::from(sample(Ix3(2, 3, 4), -1.0, 1.0, 1));
    let t: Array<A, Ix3> = sample(Ix3(2, 3, 4), -1.0, 1.0, 2);
    check_into!(
        "t[[i, j, k]]",
        x.clone(),
        t.clone(),
        c(0.8),
        |x: &Tensor<A, Ix3>| IndexRule::fwd(x, &[1, 2, 3]),
        |m, t| IndexRule::tan0(m, &[1, 2, 3], t),
        |s: &mut Option<Array<A, Ix3>>, m, d| IndexRule::rev0_into(s, m, &[1, 2, 3], d)
    );
    check_into!(
        "index_axis",
        x.clone(),
        t.clone(),
        sample::<A, _>(Ix2(2, 4), -1.0, 1.0, 3),
        |x: &Tensor<A, Ix3>| IndexAxisRule::fwd(x, &Axis(1), &2),
        |m, t| IndexAxisRule::tan0(m, &Axis(1), &2, t),
        |s: &mut Option<Array<A, Ix3>>, m, d| IndexAxisRule::rev0_into(s, m, &Axis(1), &2, d)
    );
    let sl = Slice::new(0, None, -2);
    check_into!(
        "slice_axis",
        x.clone(),
        t.clone(),
        sample::<A, _>(Ix3(2, 3, 2), -1.0, 1.0, 4),
        |x: &Tensor<A, Ix3>| SliceAxisRule::fwd(x, &Axis(2), &sl),
        |m, t| SliceAxisRule::tan0(m, &Axis(2), &sl, t),
        |s: &mut Option<Array<A, Ix3>>, m, d| SliceAxisRule::rev0_into(s, m, &Axis(2), &sl, d)
    );

    // Linear rules returning the gradient.
    let m = Tensor::<A, _>::from(sample(Ix2(3, 1), -1.0, 1.0, 5));
    let tm: Array<A, Ix2> = sample(Ix2(3, 1), -1.0, 1.0, 6);
    let u: Array<A, Ix3> = sample(Ix3(2, 3, 4), -1.0, 1.0, 7);
    let j = BroadcastRule::tan0(&meta(&m), &(2, 3, 4), &tm);
    check_difference("broadcast", &j.flat(), |h| {
        BroadcastRule::fwd(&m.moved(&tm.flat(), h), &(2, 3, 4)).flat()
    });
    check_dot_flat(
        "broadcast",
        &u.flat(),
        &j.flat(),
        &BroadcastRule::rev0(&meta(&m), &(2, 3, 4), &u).flat(),
        &tm.flat(),
    );
    let u: Array<A, Ix3> = sample(Ix3(3, 1, 1), -1.0, 1.0, 8);
    let j = InsertAxisRule::tan0(&meta(&m), &Axis(1), &tm);
    check_difference("insert_axis", &j.flat(), |h| {
        InsertAxisRule::fwd(&m.moved(&tm.flat(), h), &Axis(1)).flat()
    });
    check_dot_flat(
        "insert_axis",
        &u.flat(),
        &j.flat(),
        &InsertAxisRule::rev0(&meta(&m), &Axis(1), &u).flat(),
        &tm.flat(),
    );
    let u: Array<A, Ix1> = sample(Ix1(24), -1.0, 1.0, 9);
    let j = ReshapeRule::tan0(&meta(&x), &24, &t);
    check_difference("reshape", &j.flat(), |h| {
        ReshapeRule::fwd(&x.moved(&t.flat(), h), &24).flat()
    });
    check_dot_flat(
        "reshape",
        &u.flat(),
        &j.flat(),
        &ReshapeRule::rev0(&meta(&x), &24, &u).flat(),
        &t.flat(),
    );
}

#[test]
fn indexing_tangents_agree_with_finite_differences_and_the_backward() {
    linear::<f64>();
    linear::<f32>();
}
