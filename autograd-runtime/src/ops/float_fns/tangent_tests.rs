//! Tangent rules of the functions of several floats: each `tanK` against
//! central differences of `fwd` and against `revK` (the dot-product
//! identity), and the tangent of each backward function along a direction
//! `(ṫ₀, ṫ₁)` (the sum of its second-order pieces, with the output's
//! tangent where it reads the output) against central differences of it.

use super::*;
use crate::ops::tangent_testing::check_difference;
use crate::value::meta;

/// `got ≈ d/dh f(h)` at 0.
#[track_caller]
fn along<A: Float>(what: &str, got: A, f: impl Fn(A) -> A) {
    check_difference(what, &[got], |h| vec![f(h)]);
}

/// `u·(J·t) = (Jᵀ·u)·t` for one float in, one out.
#[track_caller]
fn dot<A: Float>(what: &str, u: A, jt: A, jtu: A, t: A) {
    let (l, r) = ((u * jt).as_f64(), (jtu * t).as_f64());
    assert!(
        (l - r).abs() <= 1e-6 * l.abs().max(1.0),
        "{what}: {l} vs {r}"
    );
}

fn several<A: Float>() {
    let c = A::from_f64;
    let (t0, t1, t2, u) = (c(0.7), c(-0.4), c(0.3), c(1.3));
    let m = |v: &A| meta(v);

    // mul_add at (x, a, b) = (1.5, -2, 0.5).
    let (x, a, b) = (c(1.5), c(-2.0), c(0.5));
    let f = |x: A, a: A, b: A| MulAddRule::fwd(&x, &a, &b);
    along("mul_add tan0", MulAddRule::tan0(&a, &t0), |h| {
        f(x + h * t0, a, b)
    });
    along("mul_add tan1", MulAddRule::tan1(&x, &t1), |h| {
        f(x, a + h * t1, b)
    });
    along("mul_add tan2", MulAddRule::tan2(&m(&b), &t2), |h| {
        f(x, a, b + h * t2)
    });
    dot(
        "mul_add",
        u,
        MulAddRule::tan0(&a, &t0),
        MulAddRule::rev0(&a, &u),
        t0,
    );
    dot(
        "mul_add",
        u,
        MulAddRule::tan1(&x, &t1),
        MulAddRule::rev1(&x, &u),
        t1,
    );
    along("mul_add rev0", MulAddRule::rev0_tan1(&a, &t1, &u), |h| {
        MulAddRule::rev0(&(a + h * t1), &u)
    });
    along("mul_add rev1", MulAddRule::rev1_tan0(&x, &t0, &u), |h| {
        MulAddRule::rev1(&(x + h * t0), &u)
    });

    // hypot at (x, z) = (1.2, -0.5); the output's tangent ẏ = tan0 + tan1.
    let (x, z) = (c(1.2), c(-0.5));
    let y = HypotRule::fwd(&x, &z);
    let j0 = HypotRule::tan0(&x, &m(&z), &y, &t0);
    let j1 = HypotRule::tan1(&m(&x), &z, &y, &t1);
    along("hypot tan0", j0, |h| HypotRule::fwd(&(x + h * t0), &z));
    along("hypot tan1", j1, |h| HypotRule::fwd(&x, &(z + h * t1)));
    dot("hypot", u, j0, HypotRule::rev0(&x, &m(&z), &y, &u), t0);
    dot("hypot", u, j1, HypotRule::rev1(&m(&x), &z, &y, &u), t1);
    let ty = j0 + j1;
    let moved = |h: A| {
        let (x, z) = (x + h * t0, z + h * t1);
        (x, z, HypotRule::fwd(&x, &z))
    };
    let got = HypotRule::rev0_tan0(&x, &m(&z), &y, &t0, &u)
        + HypotRule::rev0_tan_out(&x, &m(&z), &y, &ty, &u);
    along("hypot rev0", got, |h| {
        let (x, z, y) = moved(h);
        HypotRule::rev0(&x, &m(&z), &y, &u)
    });
    let got = HypotRule::rev1_tan1(&m(&x), &z, &y, &t1, &u)
        + HypotRule::rev1_tan_out(&m(&x), &z, &y, &ty, &u);
    along("hypot rev1", got, |h| {
        let (x, z, y) = moved(h);
        HypotRule::rev1(&m(&x), &z, &y, &u)
    });

    // atan2 at (y, x) = (0.8, -1.1).
    let (yy, x) = (c(0.8), c(-1.1));
    let j0 = Atan2Rule::tan0(&yy, &x, &t0);
    let j1 = Atan2Rule::tan1(&yy, &x, &t1);
    along("atan2 tan0", j0, |h| Atan2Rule::fwd(&(yy + h * t0), &x));
    along("atan2 tan1", j1, |h| Atan2Rule::fwd(&yy, &(x + h * t1)));
    dot("atan2", u, j0, Atan2Rule::rev0(&yy, &x, &u), t0);
    dot("atan2", u, j1, Atan2Rule::rev1(&yy, &x, &u), t1);
    let got = Atan2Rule::rev0_tan0(&yy, &x, &t0, &u) + Atan2Rule::rev0_tan1(&yy, &x, &t1, &u);
    along("atan2 rev0", got, |h| {
        Atan2Rule::rev0(&(yy + h * t0), &(x + h * t1), &u)
    });
    let got = Atan2Rule::rev1_tan0(&yy, &x, &t0, &u) + Atan2Rule::rev1_tan1(&yy, &x, &t1, &u);
    along("atan2 rev1", got, |h| {
        Atan2Rule::rev1(&(yy + h * t0), &(x + h * t1), &u)
    });

    // copysign, rem_euclid and % are piecewise linear.
    let (x, s) = (c(1.4), c(-2.0));
    let y = CopysignRule::fwd(&x, &s);
    along(
        "copysign tan0",
        CopysignRule::tan0(&x, &m(&s), &y, &t0),
        |h| CopysignRule::fwd(&(x + h * t0), &s),
    );
    let (x, md) = (c(-5.3), c(2.0));
    along(
        "rem_euclid tan0",
        RemEuclidRule::tan0(&m(&x), &m(&md), &t0),
        |h| RemEuclidRule::fwd(&(x + h * t0), &md),
    );
    along("rem_euclid tan1", RemEuclidRule::tan1(&x, &md, &t1), |h| {
        RemEuclidRule::fwd(&x, &(md + h * t1))
    });
    along("rem tan0", RemRule::tan0(&m(&x), &m(&md), &t0), |h| {
        RemRule::fwd(&(x + h * t0), &md)
    });
    along("rem tan1", RemRule::tan1(&x, &md, &t1), |h| {
        RemRule::fwd(&x, &(md + h * t1))
    });

    // log at (x, b) = (3, 2.5).
    let (x, b) = (c(3.0), c(2.5));
    let y = LogRule::fwd(&x, &b);
    let j0 = LogRule::tan0(&x, &b, &t0);
    let j1 = LogRule::tan1(&b, &y, &t1);
    along("log tan0", j0, |h| LogRule::fwd(&(x + h * t0), &b));
    along("log tan1", j1, |h| LogRule::fwd(&x, &(b + h * t1)));
    dot("log", u, j0, LogRule::rev0(&x, &b, &u), t0);
    dot("log", u, j1, LogRule::rev1(&b, &y, &u), t1);
    let got = LogRule::rev0_tan0(&x, &b, &t0, &u) + LogRule::rev0_tan1(&x, &b, &t1, &u);
    along("log rev0", got, |h| {
        LogRule::rev0(&(x + h * t0), &(b + h * t1), &u)
    });
    let ty = j0 + j1;
    let got = LogRule::rev1_tan1(&b, &y, &t1, &u) + LogRule::rev1_tan_out(&b, &y, &ty, &u);
    along("log rev1", got, |h| {
        let (x, b) = (x + h * t0, b + h * t1);
        LogRule::rev1(&b, &LogRule::fwd(&x, &b), &u)
    });

    // Unit conversions and casts are linear.
    along("to_degrees", ToDegreesRule::tan0(&m(&x), &t0), |h| {
        ToDegreesRule::fwd(&(x + h * t0))
    });
    along("to_radians", ToRadiansRule::tan0(&m(&x), &t0), |h| {
        ToRadiansRule::fwd(&(x + h * t0))
    });
    let to = PhantomData::<f64>;
    let cast = CastRule::tan0(&m(&x), &to, &t0);
    assert_eq!(cast, t0.as_f64());
}

#[test]
fn several_float_tangents_agree_with_finite_differences_and_the_backward() {
    several::<f64>();
    several::<f32>();
}
