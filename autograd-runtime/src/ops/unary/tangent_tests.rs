//! Forward mode and forward over reverse for the elementwise rules: `tan0`
//! against finite differences of `fwd` and against `rev0` (the dot-product
//! identity), and `rev0_tan` against a hand-derived second derivative and
//! against finite differences of `rev0`, in `f64` and `f32`.

use super::*;
use crate::ops::tangent_testing::{check_dot_flat, Flat as _};
use crate::ops::testing::{assert_close, check_jvp, sample};
use ndarray::{Array1, Ix2, IxDyn, ShapeBuilder};
use std::f64::consts::{FRAC_PI_3, FRAC_PI_4, FRAC_PI_6, LN_10, LN_2};

/// What a rule's backward reads at `x`: the output `f(x)` or the input.
fn read<T: Clone>(output: bool, x: &T, f: impl Fn(&T) -> T) -> T {
    if output {
        f(x)
    } else {
        x.clone()
    }
}

/// `rev0_tan_out` for a rule reading its output, `rev0_tan0` for one reading its input.
macro_rules! unary_tests_rev_tan {
    (output, $T:ty, $Rule:ident, $($a:expr),*) => { <$T as $Rule>::rev0_tan_out($($a),*) };
    (input, $T:ty, $Rule:ident, $($a:expr),*) => { <$T as $Rule>::rev0_tan0($($a),*) };
}

macro_rules! tangent_tests {
    ($(
        $(#[$doc:meta])*
        $test:ident: $Rule:ident reads $reads:ident on ($lo:expr, $hi:expr),
        at $x0:expr => $second:expr;
    )*) => {$(
        $(#[$doc])*
        #[test]
        fn $test() {
            const OUTPUT: bool = matches!(stringify!($reads).as_bytes(), b"output");
            fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, seed: usize) {
                type T<A, D> = Tensor<A, D>;
                let x: Array<A, Sh::Dim> = sample(shape, $lo, $hi, seed);
                let v = sample(x.raw_dim(), -1.0, 1.0, seed + 3);
                let u = sample(x.raw_dim(), -1.0, 1.0, seed + 7);
                let f = |x: &Array<A, Sh::Dim>| {
                    <T<A, Sh::Dim> as $Rule>::fwd(&Tensor::from(x.clone())).into_data()
                };
                let s = read(OUTPUT, &Tensor::from(x.clone()), |x| <T<A, Sh::Dim> as $Rule>::fwd(x));
                let jv = <T<A, Sh::Dim> as $Rule>::tan0(&s, &v);
                check_jvp(stringify!($Rule), f, &x, &v, &jv);
                let jtu = <T<A, Sh::Dim> as $Rule>::rev0(&s, &u);
                check_dot_flat(stringify!($Rule), &u.flat(), &jv.flat(), &jtu.flat(), &v.flat());
                // Forward over reverse: the tangent of x ↦ rev0(s(x), u) along v.
                let ds = if OUTPUT { jv.clone() } else { v.clone() };
                let second = unary_tests_rev_tan!($reads, T<A, Sh::Dim>, $Rule, &s, &ds, &u);
                let g = |x: &Array<A, Sh::Dim>| {
                    let x = Tensor::from(x.clone());
                    let s = read(OUTPUT, &x, |x| <T<A, Sh::Dim> as $Rule>::fwd(x));
                    <T<A, Sh::Dim> as $Rule>::rev0(&s, &u)
                };
                check_jvp(concat!(stringify!($Rule), " rev0_tan"), g, &x, &v, &second);
            }

            fn run<A: Float>() {
                // The hand-derived second derivative, times d = 1.5 and ẋ = −0.5.
                let x0 = A::from_f64($x0);
                let s = read(OUTPUT, &x0, |x| <A as $Rule>::fwd(x));
                let dx = A::from_f64(-0.5);
                let ds = if OUTPUT { <A as $Rule>::tan0(&s, &dx) } else { dx };
                let second: f64 = $second;
                let got = unary_tests_rev_tan!($reads, A, $Rule, &s, &ds, &A::from_f64(1.5));
                assert_close(stringify!($Rule), got, 1.5 * -0.5 * second);
                // A float against finite differences.
                let x: Array1<A> = sample(1, $lo, $hi, 11);
                let s = read(OUTPUT, &x[0], |x| <A as $Rule>::fwd(x));
                let t = ndarray::arr1(&[<A as $Rule>::tan0(&s, &A::one())]);
                check_jvp(stringify!($Rule), |x: &Array1<A>| x.mapv(|x| <A as $Rule>::fwd(&x)), &x, &ndarray::arr1(&[A::one()]), &t);
                on_shape::<A, _>((), 1);
                on_shape::<A, _>(5, 2);
                on_shape::<A, _>((3, 4), 3);
                on_shape::<A, _>(IxDyn(&[2, 1, 3]), 4);
            }

            run::<f64>();
            run::<f32>();
        }
    )*};
}

tangent_tests! {
    /// (eˣ)'' = eˣ; at ln 2: 2.
    exp: ExpRule reads output on (-2.0, 2.0), at LN_2 => 2.0;
    /// (2ˣ)'' = 2ˣ ln² 2; at 1: 2 ln² 2.
    exp2: Exp2Rule reads output on (-2.0, 2.0), at 1.0 => 2.0 * LN_2 * LN_2;
    /// (eˣ − 1)'' = eˣ; at ln 3: 3.
    exp_m1: ExpM1Rule reads output on (-2.0, 2.0), at 3f64.ln() => 3.0;
    /// (√x)'' = −x^(−3/2) / 4; at 4: −1/32.
    sqrt: SqrtRule reads output on (0.2, 3.0), at 4.0 => -1.0 / 32.0;
    /// (∛x)'' = −2x^(−5/3) / 9; at 8: −2 / (9·32) = −1/144.
    cbrt: CbrtRule reads output on (0.3, 3.0), at 8.0 => -1.0 / 144.0;
    /// tanh'' = −2y(1 − y²); at y = 1/2: −3/4.
    tanh: TanhRule reads output on (-2.0, 2.0), at 0.5f64.atanh() => -0.75;
    /// σ'' = σ(1 − σ)(1 − 2σ); at σ = 3/4: (3/16)(−1/2) = −3/32.
    sigmoid: SigmoidRule reads output on (-4.0, 4.0), at 3f64.ln() => -3.0 / 32.0;
    /// relu'' = 0 away from 0.
    relu: ReluRule reads output on (-2.0, 2.0), at 2.0 => 0.0;
    /// (x⁻¹)'' = 2x⁻³; at 2: 1/4.
    recip: RecipRule reads output on (0.5, 2.0), at 2.0 => 0.25;
    /// tan'' = 2y(1 + y²); at π/4: 4.
    tan: TanRule reads output on (-1.2, 1.2), at FRAC_PI_4 => 4.0;
    /// ln'' = −1/x²; at 2: −1/4.
    ln: LnRule reads input on (0.2, 3.0), at 2.0 => -0.25;
    /// log₂'' = −1 / (x² ln 2); at 4: −1 / (16 ln 2).
    log2: Log2Rule reads input on (0.2, 3.0), at 4.0 => -1.0 / (16.0 * LN_2);
    /// log₁₀'' = −1 / (x² ln 10); at 10: −1 / (100 ln 10).
    log10: Log10Rule reads input on (0.2, 3.0), at 10.0 => -1.0 / (100.0 * LN_10);
    /// ln(1 + x)'' = −1 / (1 + x)²; at 1: −1/4.
    ln_1p: Ln1pRule reads input on (-0.5, 2.0), at 1.0 => -0.25;
    /// sin'' = −sin; at π/3: −√3/2.
    sin: SinRule reads input on (-3.0, 3.0), at FRAC_PI_3 => -(3f64.sqrt()) / 2.0;
    /// cos'' = −cos; at π/6: −√3/2.
    cos: CosRule reads input on (-3.0, 3.0), at FRAC_PI_6 => -(3f64.sqrt()) / 2.0;
    /// |x|'' = 0 away from 0.
    abs: AbsRule reads input on (-2.0, 2.0), at -3.0 => 0.0;
    /// asin'' = x / (1 − x²)^(3/2); at 0.6: 0.6 / 0.512.
    asin: AsinRule reads input on (-0.8, 0.8), at 0.6 => 0.6 / 0.512;
    /// acos'' = −x / (1 − x²)^(3/2); at 0.6: −0.6 / 0.512.
    acos: AcosRule reads input on (-0.8, 0.8), at 0.6 => -0.6 / 0.512;
    /// atan'' = −2x / (1 + x²)²; at 1: −1/2.
    atan: AtanRule reads input on (-3.0, 3.0), at 1.0 => -0.5;
    /// sinh'' = sinh; at ln 2: 3/4.
    sinh: SinhRule reads input on (-2.0, 2.0), at LN_2 => 0.75;
    /// cosh'' = cosh; at ln 2: 5/4.
    cosh: CoshRule reads input on (-2.0, 2.0), at LN_2 => 1.25;
    /// asinh'' = −x / (x² + 1)^(3/2); at 3/4: −0.75 / (25/16)^(3/2) = −0.384.
    asinh: AsinhRule reads input on (-3.0, 3.0), at 0.75 => -0.384;
    /// acosh'' = −x / (x² − 1)^(3/2); at 5/4: −1.25 / (27/64) = −80/27.
    acosh: AcoshRule reads input on (1.2, 3.0), at 1.25 => -80.0 / 27.0;
    /// atanh'' = 2x / (1 − x²)²; at 1/2: 1 / (9/16) = 16/9.
    atanh: AtanhRule reads input on (-0.8, 0.8), at 0.5 => 16.0 / 9.0;
}

fn powers<A: Float>() {
    use crate::ops::tangent_testing::{check_difference, check_dot_flat, Flat};
    use crate::value::meta;
    let x = Tensor::<A, _>::from(sample(Ix2(2, 3), 0.3, 2.0, 1));
    let t: Array<A, Ix2> = sample(Ix2(2, 3), -1.0, 1.0, 2);
    let u: Array<A, Ix2> = sample(Ix2(2, 3), -1.0, 1.0, 3);
    for n in [-2, 0, 1, 2, 3] {
        let j = PowiRule::tan0(&x, &n, &t);
        check_difference("powi", &j.flat(), |h| {
            PowiRule::fwd(&x.moved(&t.flat(), h), &n).flat()
        });
        check_dot_flat(
            "powi",
            &u.flat(),
            &j.flat(),
            &PowiRule::rev0(&x, &n, &u).flat(),
            &t.flat(),
        );
        let second = PowiRule::rev0_tan0(&x, &n, &t, &u);
        check_difference("powi rev0_tan0", &second.flat(), |h| {
            PowiRule::rev0(&x.moved(&t.flat(), h), &n, &u).flat()
        });
    }
    // x² at 3: the second derivative is 2, times d = 1.5 and ẋ = −0.5.
    let three = A::from_f64(3.0);
    let got = PowiRule::rev0_tan0(&three, &2, &A::from_f64(-0.5), &A::from_f64(1.5));
    assert_close("powi", got, -1.5);

    // powf, for a tensor and for a float base, against a float exponent:
    // the tangent of each backward along (ẋ, ṗ), the output's tangent being
    // ẏ = tan0(ẋ) + tan1(ṗ).
    for p in [A::from_f64(0.0), A::from_f64(1.5), A::from_f64(-0.7)] {
        let tp = A::from_f64(0.8);
        let y = PowfRule::fwd(&x, &p);
        let j0 = PowfRule::tan0(&x, &p, &t);
        let j1 = PowfRule::tan1(&x, &y, &meta(&p), &tp);
        check_difference("powf tan0", &j0.flat(), |h| {
            PowfRule::fwd(&x.moved(&t.flat(), h), &p).flat()
        });
        check_difference("powf tan1", &j1.flat(), |h| {
            PowfRule::fwd(&x, &(p + h * tp)).flat()
        });
        let r1 = PowfRule::rev1(&x, &y, &meta(&p), &u);
        check_dot_flat("powf 1", &u.flat(), &j1.flat(), &[r1], &[tp]);
        // At p = 0 the slope is masked to 0 (as PyTorch and JAX do), a
        // point finite differences along p cannot see: only along x there.
        let tp = if p == A::zero() { A::zero() } else { tp };
        let j1 = PowfRule::tan1(&x, &y, &meta(&p), &tp);
        let along = |h: A| (x.moved(&t.flat(), h), p + h * tp);
        let second0 = &PowfRule::rev0_tan0(&x, &p, &t, &u) + &PowfRule::rev0_tan1(&x, &p, &tp, &u);
        check_difference("powf rev0 tangent", &second0.flat(), |h| {
            let (x, p) = along(h);
            PowfRule::rev0(&x, &p, &u).flat()
        });
        let ty = &j0 + &j1;
        let second1 = PowfRule::rev1_tan0(&x, &y, &meta(&p), &t, &u)
            + PowfRule::rev1_tan_out(&x, &y, &meta(&p), &ty, &u);
        check_difference("powf rev1 tangent", &[second1], |h| {
            let (x, p) = along(h);
            let y = PowfRule::fwd(&x, &p);
            vec![PowfRule::rev1(&x, &y, &meta(&p), &u)]
        });
    }
    // A float base: x^p at x = 2, p = 3: ∂²/∂x² = 6x = 12, ∂²/∂x∂p = x²(1 + 3 ln 2).
    let (two, p) = (A::from_f64(2.0), A::from_f64(3.0));
    assert_close(
        "powf xx",
        PowfRule::rev0_tan0(&two, &p, &A::one(), &A::one()),
        12.0,
    );
    let xp = 4.0 * (1.0 + 3.0 * LN_2);
    assert_close(
        "powf xp",
        PowfRule::rev0_tan1(&two, &p, &A::one(), &A::one()),
        xp,
    );
}

#[test]
fn power_tangents_agree_with_finite_differences_and_the_backward() {
    powers::<f64>();
    powers::<f32>();
}

/// Where PyTorch masks a power's derivative (`x⁰`, `x.powf(0)`, and the
/// exponent's gradient at `x = 0`), every backward and tangent piece is
/// exactly 0, whatever the cotangent or tangent: an infinite or NaN one
/// gives 0, not NaN.
fn masked_powers<A: Float>() {
    use crate::value::meta;
    let (nan, inf, zero) = (A::nan(), A::infinity(), A::zero());
    let x = A::from_f64(1.5);
    for d in [nan, inf] {
        assert_eq!(PowiRule::rev0(&x, &0, &d), zero);
        assert_eq!(PowiRule::tan0(&x, &0, &d), zero);
        assert_eq!(PowiRule::rev0_tan0(&x, &1, &d, &d), zero);
        assert_eq!(PowfRule::rev0(&x, &zero, &d), zero);
        assert_eq!(PowfRule::tan0(&x, &zero, &d), zero);
        assert_eq!(PowfRule::rev0_tan1(&x, &zero, &d, &d), zero);
        let y = PowfRule::fwd(&zero, &A::from_f64(2.0));
        assert_eq!(PowfRule::rev1(&zero, &y, &meta(&zero), &d), zero);
        assert_eq!(
            PowfRule::rev1_tan_out(&zero, &y, &meta(&zero), &d, &d),
            zero
        );
    }
    let t = Tensor::from(ndarray::array![1.0, -2.0].mapv(A::from_f64));
    let d = ndarray::array![nan, inf];
    assert_eq!(PowiRule::rev0(&t, &0, &d), ndarray::array![zero, zero]);
    assert_eq!(PowfRule::rev0(&t, &zero, &d), ndarray::array![zero, zero]);
}

#[test]
fn masked_power_derivatives_are_exact_zeros() {
    masked_powers::<f64>();
    masked_powers::<f32>();
}
