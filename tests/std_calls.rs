//! `std`'s float functions in every spelling inside `#[differentiable]`
//! bodies, in `f64` and `f32`: the functions of several floats (`mul_add`,
//! `hypot`, `atan2`, `copysign`, `rem_euclid`), `sin_cos` as a tuple,
//! conversions between float types (`as f32`, `f64::from`), the piecewise
//! constant functions (`floor`, `ceil`, `round`, `trunc`, `signum`, casts
//! to integers: derivative 0, as PyTorch), constants such as
//! `f64::consts::PI`, and mutable parameters.
//!
//! Each check states the hand-derived gradient, runs `gradcheck` on the
//! `f64` function, and compares the `f32` function with it.

use autograd::gradcheck;
use autograd::prelude::*;

#[macro_use]
#[allow(unused_macros)]
mod common;
use common::{Close, Pass, To32, F32_TOL, F64_TOL};

in_f64_and_f32! {
    #[differentiable]
    pub fn mul_add(x: F, a: F, b: F) -> F {
        x.mul_add(a, b)
    }
    #[differentiable]
    pub fn hypot(x: F, z: F) -> F {
        x.hypot(z) + F::hypot(z, 2.0)
    }
    #[differentiable]
    pub fn atan2(y: F, x: F) -> F {
        y.atan2(x) * 2.0
    }
    #[differentiable]
    pub fn copysign(x: F, s: F) -> F {
        x.copysign(s) * s
    }
    #[differentiable]
    pub fn rem_euclid(x: F, m: F) -> F {
        x.rem_euclid(m) + (x * 3.0).rem_euclid(1.5)
    }
    #[differentiable]
    pub fn rem(x: F, m: F) -> F {
        let mut r = x % m;
        r %= 0.5;
        r + x % 2.0
    }
    #[differentiable]
    pub fn sin_cos(x: F, y: F) -> F {
        let (s, c) = x.sin_cos();
        let (s2, c2) = F::sin_cos(x * y);
        s * c2 + c * s2
    }
    #[differentiable]
    pub fn piecewise(x: F, y: F) -> F {
        // floor, round, trunc, signum and integer casts are constants.
        let n = (x * 4.0) as i32;
        let k = n * 2 + 1;
        let f = x.floor() + F::ceil(y) + y.round() + x.trunc() + y.signum();
        x * f + y * (k as F) + (x - x.floor()) * y
    }
    #[differentiable]
    pub fn consts(x: F) -> F {
        x * F::EPSILON + (std::f64::consts::PI as F) * x + std::f64::consts::E as F
    }
    #[differentiable]
    pub fn log_base(x: F, b: F) -> F {
        x.log(b) + F::log(x, 10.0)
    }
    #[differentiable]
    pub fn units(x: F, y: F) -> F {
        x.to_degrees() * F::to_radians(y)
    }
    #[differentiable]
    pub fn mutable(mut x: F, y: F) -> F {
        x *= y;
        x += 1.0;
        x * x
    }
}

/// Items inside the body: `use`, `const`, `static`, and nested `fn`s (one
/// returning a float is differentiated through, as if annotated).
#[differentiable]
fn with_items(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    const N: usize = 3;
    static SCALE: f64 = 0.5;
    fn helper(a: f64, b: f64) -> f64 {
        a.sin() * b
    }
    fn count(k: usize) -> usize {
        k + 1
    }
    let mut s = 0.0;
    for i in 0..N {
        s += helper(x, y) * (i as f64) + x * SCALE;
    }
    s * PI + count(2) as f64
}

#[differentiable]
fn widen(x: f32, y: f64) -> f64 {
    let a = x as f64;
    let b = f64::from(x);
    a * y + b * b
}

#[differentiable]
fn narrow(x: f64) -> f32 {
    let y = (x * 3.0) as f32;
    y * y
}

#[test]
fn functions_of_several_floats() {
    let (x, a, b): (f64, f64, f64) = (1.3, -0.6, 0.25);
    // x·a + b: (a, x, 1)
    check_grad!(
        mul_add(x, a, b),
        value = x.mul_add(a, b),
        grads = (a, x, 1.0)
    );
    let (x, z): (f64, f64) = (1.3, -0.6);
    // √(x² + z²) + √(z² + 4): (x/r, z/r + z/r₂)
    let (r, r2) = (x.hypot(z), z.hypot(2.0));
    check_grad!(hypot(x, z), value = r + r2, grads = (x / r, z / r + z / r2),);
    // 2·atan2(y, x): (2x/(x²+y²), −2y/(x²+y²))
    let (y, xx): (f64, f64) = (0.7, -1.1);
    let r2 = xx * xx + y * y;
    check_grad!(
        atan2(y, xx),
        value = y.atan2(xx) * 2.0,
        grads = (2.0 * xx / r2, -2.0 * y / r2),
    );
    // copysign(x, s)·s = −|x|·s for s < 0: ∂x = sign(x)·sign(s)·s, ∂s = copysign(x, s)
    let (x, s): (f64, f64) = (1.3, -0.6);
    check_grad!(
        copysign(x, s),
        value = x.copysign(s) * s,
        grads = (-s, x.copysign(s)),
    );
    // rem_euclid(x, m) + rem_euclid(3x, 1.5): ∂x = 1 + 3, ∂m = −div_euclid(x, m)
    let (x, m): (f64, f64) = (-2.3, 0.9);
    check_grad!(
        rem_euclid(x, m),
        value = x.rem_euclid(m) + (x * 3.0).rem_euclid(1.5),
        grads = (4.0, -x.div_euclid(m)),
    );
    // x % m with the sign of x: ∂x = 1, ∂m = −trunc(x/m); here twice more in x.
    let (x, m): (f64, f64) = (-2.2, 0.9);
    let r = x % m;
    check_grad!(
        rem(x, m),
        value = r % 0.5 + x % 2.0,
        grads = (2.0, -(x / m).trunc()),
    );
}

#[test]
fn logarithms_in_any_base_and_angle_units() {
    // log_b x + log₁₀ x: ∂x = 1/(x ln b) + 1/(x ln 10), ∂b = −ln x / (b ln² b)
    let (x, b): (f64, f64) = (3.5, 2.5);
    check_grad!(
        log_base(x, b),
        value = x.log(b) + x.log10(),
        grads = (
            1.0 / (x * b.ln()) + 1.0 / (x * 10f64.ln()),
            -x.ln() / (b * b.ln() * b.ln())
        ),
    );
    // (180x/π)·(πy/180) = x·y, to rounding: (y, x)
    let (x, y): (f64, f64) = (0.7, -1.9);
    check_grad!(
        units(x, y),
        value = x.to_degrees() * y.to_radians(),
        grads = (y, x),
    );
}

#[test]
fn sin_cos_is_a_tuple() {
    let (x, y): (f64, f64) = (0.4, 1.7);
    // sin x cos xy + cos x sin xy = sin(x + xy): ∂x = cos(x+xy)(1+y), ∂y = cos(x+xy)·x
    let c = (x + x * y).cos();
    check_grad!(
        sin_cos(x, y),
        value = x.sin() * (x * y).cos() + x.cos() * (x * y).sin(),
        grads = (c * (1.0 + y), c * x),
    );
    assert_eq!(
        f64s::sin_cos(x, y).to_bits(),
        f64s::sin_cos::value_and_grad(x, y).0.to_bits()
    );
}

#[test]
fn piecewise_constant_functions_have_derivative_zero() {
    let (x, y): (f64, f64) = (1.3, -0.6);
    let k = ((x * 4.0) as i32 * 2 + 1) as f64;
    let f = x.floor() + y.ceil() + y.round() + x.trunc() + y.signum();
    // x·f + y·k + (x − ⌊x⌋)·y: ∂x = f + y, ∂y = k + (x − ⌊x⌋)
    check_grad!(
        piecewise(x, y),
        value = x * f + y * k + (x - x.floor()) * y,
        grads = (f + y, k + (x - x.floor())),
    );
}

#[test]
fn constants_and_mutable_parameters() {
    let x: f64 = 0.8;
    check_grad!(
        consts(x),
        value = x * std::f64::consts::PI + f64::EPSILON * x + std::f64::consts::E,
        grads = std::f64::consts::PI + f64::EPSILON,
    );
    let (x, y): (f64, f64) = (0.8, -1.5);
    // (xy + 1)²: (2(xy+1)y, 2(xy+1)x)
    let u = x * y + 1.0;
    check_grad!(
        mutable(x, y),
        value = u * u,
        grads = (2.0 * u * y, 2.0 * u * x),
    );
}

#[test]
fn items_inside_the_body() {
    use std::f64::consts::PI;
    let (x, y) = (0.3f64, 1.7f64);
    let (v, (gx, gy)) = with_items::value_and_grad(x, y);
    assert_eq!(v.to_bits(), with_items(x, y).to_bits());
    // (3·sin x·y + 1.5x)·π + 3: (π(3y cos x + 1.5), 3π sin x)
    assert!((gx - PI * (3.0 * y * x.cos() + 1.5)).abs() < 1e-12);
    assert!((gy - 3.0 * PI * x.sin()).abs() < 1e-12);
    gradcheck(
        |(x, y): &(f64, f64)| with_items::value_and_grad(*x, *y),
        &(x, y),
    )
    .unwrap();
}

#[test]
fn conversions_between_float_types() {
    let (x, y) = (1.25f32, -0.5f64);
    let (v, (gx, gy)) = widen::value_and_grad(x, y);
    assert_eq!(v, widen(x, y));
    // a·y + b² with a = b = x: (y + 2x, x)
    assert_eq!(gx, (y + 2.0 * f64::from(x)) as f32);
    assert_eq!(gy, f64::from(x));
    let (v, g) = narrow::value_and_grad(0.7);
    assert_eq!(v, narrow(0.7));
    // (3x as f32)²: 2·(3x)·3, rounded through f32
    let y = (0.7f64 * 3.0) as f32;
    assert_eq!(g, f64::from(2.0 * y) * 3.0);
}

/// `let y: f64 = x.into();` of an `f32`: the conversion, derivative 1.
#[differentiable]
fn widened(x: f32) -> f64 {
    let y: f64 = x.into();
    y * y
}

#[test]
fn into_with_a_stated_type_is_a_conversion() {
    let (v, g) = widened::value_and_grad(1.5f32);
    assert_eq!(v, 2.25);
    assert_eq!(g, 3.0f32);
}

/// `println!`-style output reads values without changing them.
#[differentiable]
fn printed(x: f64) -> f64 {
    let y = x * 3.0;
    println!("x = {}, y = {:.3}", x, y);
    eprint!("{y} ", y = y);
    y * y
}

#[test]
fn printing_changes_nothing() {
    assert_eq!(printed::value_and_grad(2.0), (36.0, 36.0));
}

/// An infinite value `max` does not select still reaches the gradient as
/// `0·∞ = NaN` through the division's derivative, exactly as PyTorch's
/// `torch.maximum(b / (2 + a.sin()), c).backward()` with `b = -inf` gives
/// `a.grad = nan, c.grad = 1` (checked with torch 2.x). Forward mode
/// (dual numbers) would say 0 here: the two modes differ at infinities.
#[differentiable]
fn unselected_infinity(a: f64, c: f64, #[no_grad] xs: &[f64]) -> f64 {
    let b = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (b / (2.0 + a.sin())).max(c)
}

#[test]
fn an_unselected_infinity_gives_nan_as_pytorch() {
    let (v, (ga, gc, ())) = unselected_infinity::value_and_grad(0.3, 0.5, &[]);
    assert_eq!(v, 0.5);
    assert!(ga.is_nan());
    assert_eq!(gc, 1.0);
    // With a finite `b` the gradient is the ordinary one.
    let (_, (ga, gc, ())) = unselected_infinity::value_and_grad(0.3, 0.5, &[-1.0]);
    assert_eq!((ga, gc), (0.0, 1.0));
}

/// Found by the differential fuzzer (seed 36, case 37029): `x.powi(0)` is
/// the constant 1, and its backward is exactly 0 whatever reaches it, as
/// PyTorch's `pow` backward returns zeros for the exponent 0. Here the
/// gradient reaching `d` is NaN (`0 · ∞` through the product with the
/// fold's `−∞` of an empty range), and `d·0` would pass the NaN on to `xs[0]`.
#[differentiable]
fn power_zero_behind_a_nan(xs: &[f64]) -> f64 {
    let d = xs[0].powi(0);
    let a = xs.iter().copied().skip(2).fold(f64::NEG_INFINITY, f64::max) * d;
    d / a
}

#[test]
fn a_zeroth_power_stops_a_nan_gradient() {
    let (v, g) = power_zero_behind_a_nan::value_and_grad(&[0.5, 1.5]);
    assert_eq!(v, 0.0);
    assert_eq!(g, vec![0.0, 0.0]);
}
