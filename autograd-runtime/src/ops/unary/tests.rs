//! Unit tests of `unary`.

use super::*;
use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
use crate::value::meta;
use ndarray::{arr0, array, Array0, IxDyn, ShapeBuilder};
use std::f64::consts::{FRAC_PI_3, FRAC_PI_4, FRAC_PI_6, LN_10, LN_2};

/// A copy of the input, to stand where a rule reads it.
fn copy_of<T: Clone>(x: &T) -> T {
    x.clone()
}

/// For each rule: (a) the gradient at a point where it was derived by
/// hand, times a cotangent of 1.5; (b) finite differences of the forward
/// pass, for a float and for tensors with 0, 1, 2 and a dynamic number of
/// axes; both in `f64` and `f32`.
macro_rules! unary_tests {
    ($(
        $(#[$doc:meta])*
        $test:ident: $Rule:ident reads $reads:ident on ($lo:expr, $hi:expr),
        at $x0:expr => $slope:expr;
    )*) => {$(
        $(#[$doc])*
        #[test]
        fn $test() {
            fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, seed: usize) {
                let x: Array<A, Sh::Dim> = sample(shape, $lo, $hi, seed);
                let d = sample(x.raw_dim(), -1.0, 1.0, seed + 5);
                let t = Tensor::from(x.clone());
                let saved = unary_tests!(@saved $reads, $Rule, Tensor<A, Sh::Dim>, t);
                let g = <Tensor<A, Sh::Dim> as $Rule>::rev0(&saved, &d);
                let f = |x: &Array<A, Sh::Dim>| {
                    <Tensor<A, Sh::Dim> as $Rule>::fwd(&Tensor::from(x.clone())).into_data()
                };
                check_vjp(stringify!($Rule), f, &x, &d, &g);
            }

            fn run<A: Float>() {
                // (a) The hand-derived slope, times d = 1.5.
                let x0 = A::from_f64($x0);
                let saved = unary_tests!(@saved $reads, $Rule, A, x0);
                let g = <A as $Rule>::rev0(&saved, &A::from_f64(1.5));
                let slope: f64 = $slope;
                assert_close(stringify!($Rule), g, 1.5 * slope);

                // (b) Finite differences: a float, then tensors.
                let x: Array0<A> = sample((), $lo, $hi, 3);
                let d = A::from_f64(-0.7);
                let saved = unary_tests!(@saved $reads, $Rule, A, x[()]);
                let g = arr0(<A as $Rule>::rev0(&saved, &d));
                let f = |x: &Array0<A>| arr0(<A as $Rule>::fwd(&x[()]));
                check_vjp(stringify!($Rule), f, &x, &arr0(d), &g);
                on_shape::<A, _>((), 1);
                on_shape::<A, _>(5, 2);
                on_shape::<A, _>((3, 4), 3);
                on_shape::<A, _>(IxDyn(&[2, 1, 3]), 4);
            }

            run::<f64>();
            run::<f32>();
        }
    )*};
    (@saved output, $Rule:ident, $T:ty, $x:expr) => {
        <$T as $Rule>::fwd(&$x)
    };
    (@saved input, $Rule:ident, $T:ty, $x:expr) => {
        copy_of::<$T>(&$x)
    };
}

unary_tests! {
    /// d/dx eˣ = eˣ; at ln 2: 2.
    exp: ExpRule reads output on (-2.0, 2.0), at LN_2 => 2.0;
    /// d/dx 2ˣ = 2ˣ ln 2; at 1: 2 ln 2.
    exp2: Exp2Rule reads output on (-2.0, 2.0), at 1.0 => 2.0 * LN_2;
    /// d/dx (eˣ − 1) = eˣ; at ln 3: 3.
    exp_m1: ExpM1Rule reads output on (-2.0, 2.0), at 3f64.ln() => 3.0;
    /// d/dx √x = 1 / 2√x; at 4: 1/4.
    sqrt: SqrtRule reads output on (0.2, 3.0), at 4.0 => 0.25;
    /// d/dx ∛x = 1 / 3∛x²; at 8: 1 / (3·4) = 1/12.
    cbrt: CbrtRule reads output on (0.3, 3.0), at 8.0 => 1.0 / 12.0;
    /// d/dx tanh x = 1 − tanh² x; at atanh(1/2): 1 − 1/4 = 3/4.
    tanh: TanhRule reads output on (-2.0, 2.0), at 0.5f64.atanh() => 0.75;
    /// σ' = σ(1 − σ); at ln 3, σ = 3/(3 + 1) = 3/4, so σ' = 3/16.
    sigmoid: SigmoidRule reads output on (-4.0, 4.0), at 3f64.ln() => 0.1875;
    /// relu' = 1 for x > 0.
    relu: ReluRule reads output on (-2.0, 2.0), at 2.0 => 1.0;
    /// d/dx x⁻¹ = −x⁻²; at 2: −1/4.
    recip: RecipRule reads output on (0.5, 2.0), at 2.0 => -0.25;
    /// d/dx tan x = 1 + tan² x; at π/4: 1 + 1 = 2.
    tan: TanRule reads output on (-1.2, 1.2), at FRAC_PI_4 => 2.0;
    /// d/dx ln x = 1/x; at 2: 1/2.
    ln: LnRule reads input on (0.2, 3.0), at 2.0 => 0.5;
    /// d/dx log₂ x = 1 / (x ln 2); at 4: 1 / (4 ln 2).
    log2: Log2Rule reads input on (0.2, 3.0), at 4.0 => 1.0 / (4.0 * LN_2);
    /// d/dx log₁₀ x = 1 / (x ln 10); at 10: 1 / (10 ln 10).
    log10: Log10Rule reads input on (0.2, 3.0), at 10.0 => 1.0 / (10.0 * LN_10);
    /// d/dx ln(1 + x) = 1 / (1 + x); at 1: 1/2.
    ln_1p: Ln1pRule reads input on (-0.5, 2.0), at 1.0 => 0.5;
    /// d/dx sin x = cos x; at π/3: 1/2.
    sin: SinRule reads input on (-3.0, 3.0), at FRAC_PI_3 => 0.5;
    /// d/dx cos x = −sin x; at π/6: −1/2.
    cos: CosRule reads input on (-3.0, 3.0), at FRAC_PI_6 => -0.5;
    /// d/dx |x| = sign x; at −3: −1.
    abs: AbsRule reads input on (-2.0, 2.0), at -3.0 => -1.0;
    /// d/dx asin x = 1 / √(1 − x²); at 0.6: 1 / 0.8 = 1.25.
    asin: AsinRule reads input on (-0.8, 0.8), at 0.6 => 1.25;
    /// d/dx acos x = −1 / √(1 − x²); at 0.6: −1.25.
    acos: AcosRule reads input on (-0.8, 0.8), at 0.6 => -1.25;
    /// d/dx atan x = 1 / (1 + x²); at 1: 1/2.
    atan: AtanRule reads input on (-3.0, 3.0), at 1.0 => 0.5;
    /// d/dx sinh x = cosh x; at ln 2: (2 + 1/2) / 2 = 5/4.
    sinh: SinhRule reads input on (-2.0, 2.0), at LN_2 => 1.25;
    /// d/dx cosh x = sinh x; at ln 2: (2 − 1/2) / 2 = 3/4.
    cosh: CoshRule reads input on (-2.0, 2.0), at LN_2 => 0.75;
    /// d/dx asinh x = 1 / √(x² + 1); at 3/4: 1 / √(25/16) = 4/5.
    asinh: AsinhRule reads input on (-3.0, 3.0), at 0.75 => 0.8;
    /// d/dx acosh x = 1 / √(x² − 1); at 5/4: 1 / √(9/16) = 4/3.
    acosh: AcoshRule reads input on (1.2, 3.0), at 1.25 => 4.0 / 3.0;
    /// d/dx atanh x = 1 / (1 − x²); at 1/2: 1 / (3/4) = 4/3.
    atanh: AtanhRule reads input on (-0.8, 0.8), at 0.5 => 4.0 / 3.0;
}

fn special_points<A: Float>() {
    let (zero, one) = (A::zero(), A::one());
    // relu'(0) = 0, relu'(−0) = 0, as PyTorch.
    let y = <A as ReluRule>::fwd(&zero);
    assert_eq!(<A as ReluRule>::rev0(&y, &one), zero);
    let y = <A as ReluRule>::fwd(&-zero);
    assert_eq!(<A as ReluRule>::rev0(&y, &one), zero);
    // abs'(0) = 0, abs'(−0) = 0, as PyTorch.
    assert_eq!(<A as AbsRule>::rev0(&zero, &one), zero);
    assert_eq!(<A as AbsRule>::rev0(&-zero, &one), zero);
    // sqrt'(0) = 1 / (2·0) = ∞, as PyTorch.
    let y = <A as SqrtRule>::fwd(&zero);
    assert_eq!(<A as SqrtRule>::rev0(&y, &one), A::infinity());

    // The same points in a tensor.
    let t = Tensor::from(array![-1.0, 0.0, 2.0].mapv(A::from_f64));
    let ones = Array::from_elem(3, one);
    let g = <Tensor<A, _> as ReluRule>::rev0(&t.relu(), &ones);
    assert_all_close("relu", &g, &array![0.0, 0.0, 1.0]);
    let g = <Tensor<A, _> as AbsRule>::rev0(&t, &ones);
    assert_all_close("abs", &g, &array![-1.0, 0.0, 1.0]);
    let g = <Tensor<A, _> as SqrtRule>::rev0(&t.abs().sqrt(), &ones);
    assert_all_close("sqrt", &g, &array![0.5, f64::INFINITY, 0.25 * 2f64.sqrt()]);
}

#[test]
fn special_points_follow_pytorch() {
    special_points::<f64>();
    special_points::<f32>();
}

fn stable_sigmoid<A: Float>() {
    // σ(1000) = 1, σ(−1000) = 0, σ'(±1000) = 0, all without overflow.
    for (x, y) in [(1000.0, 1.0), (-1000.0, 0.0)] {
        let out = <A as SigmoidRule>::fwd(&A::from_f64(x));
        assert_close("sigmoid", out, y);
        assert_close("sigmoid'", <A as SigmoidRule>::rev0(&out, &A::one()), 0.0);
    }
    let t = Tensor::from(array![-1000.0, 0.0, 1000.0].mapv(A::from_f64));
    assert_all_close("sigmoid", t.sigmoid().data(), &array![0.0, 0.5, 1.0]);
    assert_eq!(A::from_f64(-1000.0).sigmoid(), A::zero());
    assert_eq!(A::from_f64(1000.0).sigmoid(), A::one());
}

#[test]
fn sigmoid_is_stable_at_1000() {
    stable_sigmoid::<f64>();
    stable_sigmoid::<f32>();
}

#[test]
fn float_ext() {
    assert_eq!(0.0f64.sigmoid(), 0.5);
    assert_eq!(0.0f32.sigmoid(), 0.5);
    assert_eq!((-2.0f64).relu(), 0.0);
    assert_eq!(3.0f32.relu(), 3.0);
    assert!(f64::NAN.relu().is_nan());
}

#[test]
fn tensor_methods_are_elementwise() {
    let x = array![[0.5, 1.0], [1.5, 2.0]];
    let t = Tensor::from(x.clone());
    assert_eq!(t.exp().into_data(), x.mapv(f64::exp));
    assert_eq!(t.ln().into_data(), x.mapv(f64::ln));
    assert_eq!(t.tanh().into_data(), x.mapv(f64::tanh));
    assert_eq!(t.powi(3).into_data(), x.mapv(|v| v.powi(3)));
    assert_eq!(t.powf(0.5).into_data(), x.mapv(|v| v.powf(0.5)));
    assert_eq!(t.relu().into_data(), x);
    assert_eq!(t.sigmoid().into_data(), x.mapv(FloatExt::sigmoid));
}

fn powi<A: Float>() {
    // d/dx xⁿ = n·xⁿ⁻¹: at x = 2, n = 3: 3·4 = 12; n = −2: −2·2⁻³ = −1/4.
    let two = A::from_f64(2.0);
    assert_close("powi", <A as PowiRule>::rev0(&two, &3, &A::one()), 12.0);
    assert_close("powi", <A as PowiRule>::rev0(&two, &-2, &A::one()), -0.25);
    // n = 0: exactly 0, even at x = 0 (0·0⁻¹ would be NaN); n = 1 at 0: 1.
    let zero = A::zero();
    assert_eq!(<A as PowiRule>::rev0(&zero, &0, &A::one()), zero);
    assert_eq!(<A as PowiRule>::rev0(&zero, &1, &A::one()), A::one());
    let t = Tensor::from(array![0.0, 2.0].mapv(A::from_f64));
    let g = <Tensor<A, _> as PowiRule>::rev0(&t, &0, &Array::from_elem(2, A::one()));
    assert_all_close("powi", &g, &array![0.0, 0.0]);

    fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, n: i32) {
        let x: Array<A, Sh::Dim> = sample(shape, 0.5, 2.0, 2);
        let d = sample(x.raw_dim(), -1.0, 1.0, 9);
        let g = PowiRule::rev0(&Tensor::from(x.clone()), &n, &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).powi(n).into_data();
        check_vjp("powi", f, &x, &d, &g);
    }
    for n in [-2, 0, 1, 3] {
        // A float.
        let x: Array0<A> = sample((), 0.5, 2.0, 1);
        let d = A::from_f64(0.3);
        let g = arr0(<A as PowiRule>::rev0(&x[()], &n, &d));
        let f = |x: &Array0<A>| arr0(<A as PowiRule>::fwd(&x[()], &n));
        check_vjp("powi", f, &x, &arr0(d), &g);
        // Tensors.
        on_shape::<A, _>((), n);
        on_shape::<A, _>(4, n);
        on_shape::<A, _>((2, 3), n);
    }
}

#[test]
fn powi_rule() {
    powi::<f64>();
    powi::<f32>();
}

fn powf<A: Float>() {
    let c = A::from_f64;
    // ∂xᵖ/∂x = p·xᵖ⁻¹: at x = 4, p = 1/2: (1/2)·4^(−1/2) = 1/4.
    assert_close(
        "powf x",
        <A as PowfRule<A>>::rev0(&c(4.0), &c(0.5), &c(1.0)),
        0.25,
    );
    // ∂xᵖ/∂p = xᵖ ln x: at x = 2, p = 3: 8 ln 2.
    let y = <A as PowfRule<A>>::fwd(&c(2.0), &c(3.0));
    let g = <A as PowfRule<A>>::rev1(&c(2.0), &y, &meta(&c(3.0)), &c(1.0));
    assert_close("powf p", g, 8.0 * LN_2);

    // Finite differences in x and in p: floats.
    for (x0, p0) in [(0.7, 1.5), (2.0, -0.5), (1.3, 2.2)] {
        let (x, p, d) = (arr0(c(x0)), arr0(c(p0)), c(0.6));
        let y = <A as PowfRule<A>>::fwd(&x[()], &p[()]);
        let gx = arr0(<A as PowfRule<A>>::rev0(&x[()], &p[()], &d));
        let fx = |x: &Array0<A>| arr0(<A as PowfRule<A>>::fwd(&x[()], &p[()]));
        check_vjp("powf x", fx, &x, &arr0(d), &gx);
        let gp = arr0(<A as PowfRule<A>>::rev1(&x[()], &y, &meta(&p[()]), &d));
        let fp = |p: &Array0<A>| arr0(<A as PowfRule<A>>::fwd(&x[()], &p[()]));
        check_vjp("powf p", fp, &p, &arr0(d), &gp);
    }

    // Tensors with a float exponent: the exponent's gradient is a sum.
    fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, p0: f64) {
        let x: Array<A, Sh::Dim> = sample(shape, 0.3, 3.0, 4);
        let d = sample(x.raw_dim(), -1.0, 1.0, 11);
        let t = Tensor::from(x.clone());
        let p = arr0(A::from_f64(p0));
        let y = t.powf(p[()]);
        let gx = PowfRule::rev0(&t, &p[()], &d);
        let fx = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).powf(p[()]).into_data();
        check_vjp("powf x", fx, &x, &d, &gx);
        let gp = arr0(PowfRule::rev1(&t, &y, &meta(&p[()]), &d));
        let fp = |p: &Array0<A>| t.powf(p[()]).into_data();
        check_vjp("powf p", fp, &p, &d, &gp);
    }
    for p0 in [-1.5, 0.5, 2.5] {
        on_shape::<A, _>((), p0);
        on_shape::<A, _>(5, p0);
        on_shape::<A, _>((3, 2), p0);
    }
}

#[test]
fn powf_rule() {
    powf::<f64>();
    powf::<f32>();
}

fn powf_masks<A: Float>() {
    let (zero, one, two) = (A::zero(), A::one(), A::from_f64(2.0));
    let m = meta(&zero);
    // ∂/∂x at p = 0 is 0, even at x = 0 (0·0⁻¹ would be NaN).
    assert_eq!(<A as PowfRule<A>>::rev0(&zero, &zero, &one), zero);
    assert_eq!(<A as PowfRule<A>>::rev0(&two, &zero, &one), zero);
    // ∂/∂p at x = 0 is 0 for p ≥ 0: y = 0 for p = 2 (0·ln 0 would be
    // NaN), y = 1 for p = 0 (1·ln 0 would be −∞).
    let y = <A as PowfRule<A>>::fwd(&zero, &two);
    assert_eq!(<A as PowfRule<A>>::rev1(&zero, &y, &m, &one), zero);
    let y = <A as PowfRule<A>>::fwd(&zero, &zero);
    assert_eq!(<A as PowfRule<A>>::rev1(&zero, &y, &m, &one), zero);
    // ... but not for p < 0: y = ∞, and ∞·ln 0 = −∞ (PyTorch's value).
    let y = <A as PowfRule<A>>::fwd(&zero, &-one);
    assert_eq!(
        <A as PowfRule<A>>::rev1(&zero, &y, &m, &one),
        A::neg_infinity()
    );
    // In a tensor: x = [0, 2], p = 2, d = 1: ∂/∂p = 0 + 4 ln 2.
    let t = Tensor::from(array![0.0, 2.0].mapv(A::from_f64));
    let y = t.powf(two);
    let g = PowfRule::rev1(&t, &y, &m, &Array::from_elem(2, one));
    assert_close("powf p", g, 4.0 * LN_2);
    let g = PowfRule::rev0(&t, &zero, &Array::from_elem(2, one));
    assert_all_close("powf x", &g, &array![0.0, 0.0]);
}

#[test]
fn powf_masks_follow_pytorch() {
    powf_masks::<f64>();
    powf_masks::<f32>();
}

#[test]
fn gradient_types() {
    // The gradient of a float is the float, of a tensor its array.
    let g: f32 = <f32 as ExpRule>::rev0(&1.0, &1.0);
    assert_eq!(g, 1.0);
    let t = Tensor::from(array![1.0f64]);
    let g: Array<f64, _> = <Tensor<f64, _> as ExpRule>::rev0(&t, &array![2.0]);
    assert_eq!(g, array![2.0]);
    let _: GradOf<Tensor<f64, IxDyn>> = Array::zeros(IxDyn(&[1]));
}
