//! Forward mode and forward over reverse for the elementwise rules: `tan0`
//! against finite differences of `fwd` and against `rev0` (the dot-product
//! identity), and `rev0_tan` against a hand-derived second derivative and
//! against finite differences of `rev0`, in `f64` and `f32`.

use super::*;
use crate::ops::testing::{assert_close, check_dot, check_jvp, sample};
use ndarray::{Array1, IxDyn, ShapeBuilder};
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
                check_dot(stringify!($Rule), &u, &jv, &jtu, &v);
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
