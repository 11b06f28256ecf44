//! Unit tests of `float_fns`: hand-derived gradients, central differences,
//! and the special points, in `f32` and `f64`.

use super::*;
use crate::ops::testing::assert_close;

/// The central difference of `f` at `x` in `f64`.
fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn hand<A: Float>() {
    let f = A::from_f64;
    let (x, a, b) = (f(1.5), f(-2.0), f(0.25));
    assert_close("mul_add", MulAddRule::fwd(&x, &a, &b), -2.75);
    assert_close("mul_add x", <A as MulAddRule>::rev0(&a, &f(2.0)), -4.0);
    assert_close("mul_add a", <A as MulAddRule>::rev1(&x, &f(2.0)), 3.0);
    assert_close(
        "mul_add b",
        <A as MulAddRule>::rev2(&crate::value::meta(&b), &f(2.0)),
        2.0,
    );

    // hypot(3, 4) = 5: ∂/∂x = 3/5, ∂/∂z = 4/5.
    let (x, z) = (f(3.0), f(4.0));
    let y = HypotRule::fwd(&x, &z);
    assert_close("hypot", y, 5.0);
    assert_close(
        "hypot x",
        <A as HypotRule<A>>::rev0(&x, &crate::value::meta(&z), &y, &f(10.0)),
        6.0,
    );
    assert_close(
        "hypot z",
        <A as HypotRule<A>>::rev1(&crate::value::meta(&x), &z, &y, &f(10.0)),
        8.0,
    );
    assert_close(
        "hypot at 0",
        <A as HypotRule<A>>::rev0(&f(0.0), &crate::value::meta(&f(0.0)), &f(0.0), &f(1.0)),
        0.0,
    );

    // atan2(1, 1) = π/4: ∂/∂y = x/r² = 1/2, ∂/∂x = −y/r² = −1/2.
    let (yv, xv) = (f(1.0), f(1.0));
    assert_close(
        "atan2",
        Atan2Rule::fwd(&yv, &xv),
        std::f64::consts::FRAC_PI_4,
    );
    assert_close("atan2 y", <A as Atan2Rule<A>>::rev0(&yv, &xv, &f(2.0)), 1.0);
    assert_close(
        "atan2 x",
        <A as Atan2Rule<A>>::rev1(&yv, &xv, &f(2.0)),
        -1.0,
    );
    assert_close(
        "atan2 at 0",
        <A as Atan2Rule<A>>::rev0(&f(0.0), &f(0.0), &f(1.0)),
        0.0,
    );

    // copysign: the gradient flips where the sign does, 0 at 0.
    for (xv, s, want_y, want_g) in [
        (2.0, -1.0, -2.0, -3.0),
        (-2.0, -1.0, -2.0, 3.0),
        (-2.0, 5.0, 2.0, -3.0),
        (0.0, -1.0, -0.0, 0.0),
    ] {
        let y = CopysignRule::fwd(&f(xv), &f(s));
        assert_close("copysign", y, want_y);
        assert_close(
            "copysign x",
            <A as CopysignRule<A>>::rev0(&f(xv), &crate::value::meta(&f(s)), &y, &f(3.0)),
            want_g,
        );
    }

    // rem_euclid(-7, 3) = 2 with q = -3: ∂/∂m = 3; rem_euclid(7, -3) = 1 with q = -2.
    for (xv, m, want_y, want_gm) in [
        (-7.0, 3.0, 2.0, 3.0),
        (7.0, -3.0, 1.0, 2.0),
        (7.5, 2.0, 1.5, -3.0),
    ] {
        let y = RemEuclidRule::fwd(&f(xv), &f(m));
        assert_close("rem_euclid", y, want_y);
        assert_close(
            "rem_euclid m",
            <A as RemEuclidRule<A>>::rev1(&f(xv), &f(m), &f(1.0)),
            want_gm,
        );
        assert_close(
            "rem_euclid x",
            <A as RemEuclidRule<A>>::rev0(
                &crate::value::meta(&f(xv)),
                &crate::value::meta(&f(m)),
                &f(1.0),
            ),
            1.0,
        );
    }
}

/// `log`, `to_degrees` and `to_radians`, by hand.
fn hand_logs_and_units<A: Float>() {
    let f = A::from_f64;
    // log₂ 8 = 3: ∂/∂x = 1/(8 ln 2), ∂/∂b = −3/(2 ln 2).
    let (x, b) = (f(8.0), f(2.0));
    let y = LogRule::fwd(&x, &b);
    assert_close("log", y, 3.0);
    let ln2 = std::f64::consts::LN_2;
    assert_close(
        "log x",
        <A as LogRule<A>>::rev0(&x, &b, &f(1.0)),
        1.0 / (8.0 * ln2),
    );
    assert_close(
        "log b",
        <A as LogRule<A>>::rev1(&b, &y, &f(1.0)),
        -3.0 / (2.0 * ln2),
    );
    let m = crate::value::meta(&f(0.5));
    assert_close(
        "to_degrees",
        ToDegreesRule::fwd(&f(std::f64::consts::PI)),
        180.0,
    );
    assert_close(
        "to_degrees x",
        <A as ToDegreesRule>::rev0(&m, &f(2.0)),
        360.0 / std::f64::consts::PI,
    );
    assert_close(
        "to_radians",
        ToRadiansRule::fwd(&f(90.0)),
        std::f64::consts::FRAC_PI_2,
    );
    assert_close(
        "to_radians x",
        <A as ToRadiansRule>::rev0(&m, &f(2.0)),
        std::f64::consts::PI / 90.0,
    );
}

#[test]
fn hand_derived_f64() {
    hand_logs_and_units::<f64>();
    hand::<f64>();
}

#[test]
fn hand_derived_f32() {
    hand_logs_and_units::<f32>();
    hand::<f32>();
}

#[test]
fn forward_passes_are_std_bit_for_bit() {
    for (x, y) in [
        (1.5f64, -2.25f64),
        (-7.0, 3.0),
        (0.1, 0.7),
        (-0.0, 2.0),
        (1e300, 1e300),
    ] {
        assert_eq!(
            MulAddRule::fwd(&x, &y, &0.3).to_bits(),
            x.mul_add(y, 0.3).to_bits()
        );
        assert_eq!(HypotRule::fwd(&x, &y).to_bits(), x.hypot(y).to_bits());
        assert_eq!(Atan2Rule::fwd(&x, &y).to_bits(), x.atan2(y).to_bits());
        assert_eq!(CopysignRule::fwd(&x, &y).to_bits(), x.copysign(y).to_bits());
        assert_eq!(
            RemEuclidRule::fwd(&x, &y).to_bits(),
            x.rem_euclid(y).to_bits()
        );
        assert_eq!(div_euclid(x, y).to_bits(), x.div_euclid(y).to_bits());
        assert_eq!(RemRule::fwd(&x, &y).to_bits(), (x % y).to_bits());
        assert_eq!(LogRule::fwd(&x, &y).to_bits(), x.log(y).to_bits());
        assert_eq!(ToDegreesRule::fwd(&x).to_bits(), x.to_degrees().to_bits());
        assert_eq!(ToRadiansRule::fwd(&x).to_bits(), x.to_radians().to_bits());
        let (xf, yf) = (x as f32, y as f32);
        assert_eq!(LogRule::fwd(&xf, &yf).to_bits(), xf.log(yf).to_bits());
        assert_eq!(ToDegreesRule::fwd(&xf).to_bits(), xf.to_degrees().to_bits());
        assert_eq!(ToRadiansRule::fwd(&xf).to_bits(), xf.to_radians().to_bits());
        assert_eq!(
            RemEuclidRule::fwd(&xf, &yf).to_bits(),
            xf.rem_euclid(yf).to_bits()
        );
        assert_eq!(div_euclid(xf, yf).to_bits(), xf.div_euclid(yf).to_bits());
        let to32: f32 = CastRule::fwd(&x, &PhantomData);
        assert_eq!(to32.to_bits(), (x as f32).to_bits());
        let to64: f64 = CastRule::fwd(&xf, &PhantomData);
        assert_eq!(to64.to_bits(), (xf as f64).to_bits());
    }
}

#[test]
fn gradients_match_central_differences() {
    let d = 1.0;
    for (p, q) in [(1.3f64, -0.7f64), (-2.1, 0.45), (0.5, 2.5)] {
        let g = <f64 as MulAddRule>::rev0(&q, &d);
        assert!((g - central(|x| x.mul_add(q, 0.2), p)).abs() < 1e-6);
        let g = <f64 as MulAddRule>::rev1(&p, &d);
        assert!((g - central(|a| p.mul_add(a, 0.2), q)).abs() < 1e-6);
        let y = p.hypot(q);
        assert!(
            (<f64 as HypotRule<f64>>::rev0(&p, &crate::value::meta(&q), &y, &d)
                - central(|x| x.hypot(q), p))
            .abs()
                < 1e-6
        );
        assert!(
            (<f64 as HypotRule<f64>>::rev1(&crate::value::meta(&p), &q, &y, &d)
                - central(|z| p.hypot(z), q))
            .abs()
                < 1e-6
        );
        assert!(
            (<f64 as Atan2Rule<f64>>::rev0(&p, &q, &d) - central(|y| y.atan2(q), p)).abs() < 1e-6
        );
        assert!(
            (<f64 as Atan2Rule<f64>>::rev1(&p, &q, &d) - central(|x| p.atan2(x), q)).abs() < 1e-6
        );
        let y = p.copysign(q);
        assert!(
            (<f64 as CopysignRule<f64>>::rev0(&p, &crate::value::meta(&q), &y, &d)
                - central(|x| x.copysign(q), p))
            .abs()
                < 1e-6
        );
        let m = q.abs() + 0.3;
        assert!(
            (<f64 as RemEuclidRule<f64>>::rev1(&p, &m, &d) - central(|m| p.rem_euclid(m), m)).abs()
                < 1e-6
        );
        let g = <f64 as RemRule<f64>>::rev1(&p, &m, &d);
        assert!((g - central(|m| p % m, m)).abs() < 1e-6);
        let g = <f64 as RemRule<f64>>::rev0(&crate::value::meta(&p), &crate::value::meta(&m), &d);
        assert!((g - central(|x| x % m, p)).abs() < 1e-6);
        let (xp, bp) = (p.abs() + 0.2, q.abs() + 1.5);
        let g = <f64 as LogRule<f64>>::rev0(&xp, &bp, &d);
        assert!((g - central(|x| x.log(bp), xp)).abs() < 1e-6);
        let g = <f64 as LogRule<f64>>::rev1(&bp, &xp.log(bp), &d);
        assert!((g - central(|b| xp.log(b), bp)).abs() < 1e-6);
        let m = crate::value::meta(&p);
        let g = <f64 as ToDegreesRule>::rev0(&m, &d);
        assert!((g - central(|x| x.to_degrees(), p)).abs() < 1e-4);
        let g = <f64 as ToRadiansRule>::rev0(&m, &d);
        assert!((g - central(|x| x.to_radians(), p)).abs() < 1e-6);
        let g32: f32 = CastRule::<f64>::rev0(&crate::value::meta(&(p as f32)), &PhantomData, &2.5);
        assert_eq!(g32, 2.5);
    }
}
