//! `+ - * /` and unary `-` inside `#[differentiable]` bodies: between tensors
//! of one shape and plain floats, with the float on either side, by value and
//! by reference, in `f64` and `f32` (scalar tensors and broadcasting are in
//! `ops_broadcast.rs`).
//!
//! Every check states the hand-derived gradient and compares the generated
//! one with it (1e-12 relative in `f64`), runs `gradcheck` / `gradcheck_vjp`
//! on the `f64` function, and compares the `f32` function's gradient with the
//! `f64` one (1e-5 relative).

use autograd::ndarray::{arr0, array};
use autograd::prelude::*;
use autograd::{gradcheck, gradcheck_vjp};

#[macro_use]
mod common;
use common::arith_inputs::*;
use common::{Close, Pass, To32, F32_TOL, F64_TOL};

// ---- the functions under test, once in f64 and once in f32 -------------------

in_f64_and_f32! {
    // tensor ∘ tensor, both `&Tensor` parameters
    #[differentiable]
    pub fn add_rr(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x + y
    }
    #[differentiable]
    pub fn sub_rr(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x - y
    }
    #[differentiable]
    pub fn mul_rr(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x * y
    }
    #[differentiable]
    pub fn div_rr(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x / y
    }

    // tensor ∘ tensor, owned on both sides
    #[differentiable]
    pub fn add_vv(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x.clone();
        let b = y.clone();
        a + b
    }
    #[differentiable]
    pub fn sub_vv(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x.clone();
        let b = y.clone();
        a - b
    }
    #[differentiable]
    pub fn mul_vv(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x.clone();
        let b = y.clone();
        a * b
    }
    #[differentiable]
    pub fn div_vv(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x.clone();
        let b = y.clone();
        a / b
    }

    // tensor ∘ tensor, owned on one side
    #[differentiable]
    pub fn mul_vr(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x.clone();
        a * y
    }
    #[differentiable]
    pub fn div_rv(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let b = y.clone();
        x / b
    }
    #[differentiable]
    pub fn sub_vr(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x.clone();
        a - y
    }
    #[differentiable]
    pub fn add_rv(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let b = y.clone();
        x + b
    }

    // `&a * &b` of owned intermediates
    #[differentiable]
    pub fn mul_local_refs(x: &Tensor<F, Ix1>, y: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x + 1.0;
        let b = y * 3.0;
        &a * &b
    }

    // unary minus
    #[differentiable]
    pub fn neg_r(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        -x
    }
    #[differentiable]
    pub fn neg_v(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x * 2.0;
        -a
    }
    #[differentiable]
    pub fn neg_scalar(s: &Scalar<F>) -> Scalar<F> {
        -s
    }
    #[differentiable]
    pub fn neg_float(a: F) -> F {
        -a
    }

    // tensor ∘ float parameter (the float is differentiated too)
    #[differentiable]
    pub fn add_tk(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        x + k
    }
    #[differentiable]
    pub fn add_kt(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        k + x
    }
    #[differentiable]
    pub fn sub_tk(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        x - k
    }
    #[differentiable]
    pub fn sub_kt(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        k - x
    }
    #[differentiable]
    pub fn mul_tk(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        x * k
    }
    #[differentiable]
    pub fn mul_kt(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        k * x
    }
    #[differentiable]
    pub fn div_tk(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        x / k
    }
    #[differentiable]
    pub fn div_kt(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        k / x
    }
    // an owned tensor with a float on either side
    #[differentiable]
    pub fn mul_owned_k(x: &Tensor<F, Ix1>, k: F) -> Tensor<F, Ix1> {
        let a = x.clone();
        let b = a * k;
        k * b
    }

    // tensor ∘ float literal
    #[differentiable]
    pub fn lit_mul_left(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        2.0 * x
    }
    #[differentiable]
    pub fn lit_mul_right(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x * 2.0
    }
    #[differentiable]
    pub fn lit_recip(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        1.0 / x
    }
    #[differentiable]
    pub fn lit_div_right(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x / 4.0
    }
    #[differentiable]
    pub fn lit_sub_left(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        3.0 - x
    }
    #[differentiable]
    pub fn lit_sub_right(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x - 0.5
    }
    #[differentiable]
    pub fn lit_add_left(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        0.5 + x
    }
    #[differentiable]
    pub fn lit_add_right(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x + 0.5
    }
    #[differentiable]
    pub fn lit_owned(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let a = x * x;
        let b = 2.0 * a;
        1.0 / b
    }

    // float ∘ float
    #[differentiable]
    pub fn add_ff(a: F, b: F) -> F {
        a + b
    }
    #[differentiable]
    pub fn sub_ff(a: F, b: F) -> F {
        a - b
    }
    #[differentiable]
    pub fn mul_ff(a: F, b: F) -> F {
        a * b
    }
    #[differentiable]
    pub fn div_ff(a: F, b: F) -> F {
        a / b
    }
    #[differentiable]
    pub fn lit_mul_left_f(a: F) -> F {
        2.0 * a
    }
    #[differentiable]
    pub fn lit_mul_right_f(a: F) -> F {
        a * 2.0
    }
    #[differentiable]
    pub fn lit_recip_f(a: F) -> F {
        1.0 / a
    }
    #[differentiable]
    pub fn lit_div_right_f(a: F) -> F {
        a / 4.0
    }
    #[differentiable]
    pub fn lit_sub_left_f(a: F) -> F {
        3.0 - a
    }

    // a variable used many times
    #[differentiable]
    pub fn cube_plus_t(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x * x * x + x
    }
    #[differentiable]
    pub fn cube_plus_f(x: F) -> F {
        x * x * x + x
    }

    // a variable reaching the output by two paths, one through a broadcast scalar
    #[differentiable]
    pub fn normalize(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let s = x.sum();
        x / &s
    }

    // composition: outer calls middle calls inner
    #[differentiable]
    pub fn inner(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x * x
    }
    #[differentiable]
    pub fn middle(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let sq = inner(x);
        sq * x + x
    }
    #[differentiable]
    pub fn outer(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        let u = middle(x);
        inner(&u) - x
    }
    #[differentiable]
    pub fn inner_f(a: F, b: F) -> F {
        a * b
    }
    #[differentiable]
    pub fn middle_f(a: F, b: F) -> F {
        inner_f(a, b) - b / a
    }
    #[differentiable]
    pub fn outer_f(a: F, b: F) -> F {
        let u = middle_f(a, b);
        inner_f(u, a) + b
    }
}

/// Negative float literals, on either side and bound to a variable, typed by
/// the value beside them in `f64` and in `f32`.
mod negative_literals {
    use autograd::prelude::*;

    #[differentiable]
    pub fn left(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
        -2.0 * x
    }
    #[differentiable]
    pub fn right(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
        x * -2.0
    }
    #[differentiable]
    pub fn minus_minus(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
        x - -1.0
    }
    #[differentiable]
    pub fn bound(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
        let c = -1.5;
        x * c
    }
    #[differentiable]
    pub fn float(a: f64) -> f64 {
        -2.0 * a + a * -0.5
    }
    /// The same in f32: the literal's type comes from its use.
    #[differentiable]
    pub fn left_f32(x: &Tensor<f32, Ix1>) -> Tensor<f32, Ix1> {
        -2.0 * x + x * (1.0 / -4.0) + x.powf(-0.5)
    }
}

#[test]
fn negative_literals_in_f32() {
    let x = Tensor::from(autograd::ndarray::array![1.0f32, 4.0]);
    // d/dx (−2x − x/4 + x^−½) = −2.25 − ½x^−3/2
    let (_, pullback) = negative_literals::left_f32::vjp(&x);
    let g = pullback(&autograd::ndarray::array![1.0f32, 1.0]);
    for (g, x) in g.iter().zip(x.data().iter()) {
        let expected = -2.25 - 0.5 * x.powf(-1.5);
        assert!((g - expected).abs() < 1e-5, "{g} vs {expected}");
    }
}

// ---- tensor ∘ tensor ---------------------------------------------------------

#[test]
fn tensor_tensor_by_reference() {
    let (x, y) = (x1(), y1());
    let (xd, yd, v) = (x.data().clone(), y.data().clone(), v1());
    // ∂(x + y) = (v, v)
    check_vjp!(
        add_rr(x, y),
        v = v.clone(),
        value = &xd + &yd,
        grads = (v.clone(), v.clone())
    );
    // ∂(x − y) = (v, −v)
    check_vjp!(
        sub_rr(x, y),
        v = v.clone(),
        value = &xd - &yd,
        grads = (v.clone(), -&v)
    );
    // ∂(x·y) = (v·y, v·x)
    check_vjp!(
        mul_rr(x, y),
        v = v.clone(),
        value = &xd * &yd,
        grads = (&v * &yd, &v * &xd)
    );
    // ∂(x / y) = (v / y, −v·x / y²)
    check_vjp!(
        div_rr(x, y),
        v = v.clone(),
        value = &xd / &yd,
        grads = (&v / &yd, -(&v * &xd) / (&yd * &yd)),
    );
}

#[test]
fn tensor_tensor_by_value() {
    let (x, y) = (x1(), y1());
    let (xd, yd, v) = (x.data().clone(), y.data().clone(), v1());
    // Owned operands have the same rules as borrowed ones.
    check_vjp!(
        add_vv(x, y),
        v = v.clone(),
        value = &xd + &yd,
        grads = (v.clone(), v.clone())
    );
    check_vjp!(
        sub_vv(x, y),
        v = v.clone(),
        value = &xd - &yd,
        grads = (v.clone(), -&v)
    );
    check_vjp!(
        mul_vv(x, y),
        v = v.clone(),
        value = &xd * &yd,
        grads = (&v * &yd, &v * &xd)
    );
    check_vjp!(
        div_vv(x, y),
        v = v.clone(),
        value = &xd / &yd,
        grads = (&v / &yd, -(&v * &xd) / (&yd * &yd)),
    );
}

#[test]
fn tensor_tensor_owned_with_borrowed() {
    let (x, y) = (x1(), y1());
    let (xd, yd, v) = (x.data().clone(), y.data().clone(), v1());
    check_vjp!(
        mul_vr(x, y),
        v = v.clone(),
        value = &xd * &yd,
        grads = (&v * &yd, &v * &xd)
    );
    check_vjp!(
        div_rv(x, y),
        v = v.clone(),
        value = &xd / &yd,
        grads = (&v / &yd, -(&v * &xd) / (&yd * &yd)),
    );
    check_vjp!(
        sub_vr(x, y),
        v = v.clone(),
        value = &xd - &yd,
        grads = (v.clone(), -&v)
    );
    check_vjp!(
        add_rv(x, y),
        v = v.clone(),
        value = &xd + &yd,
        grads = (v.clone(), v.clone())
    );
    // (x + 1)·3y: ∂x = 3v·y, ∂y = 3v·(x + 1)
    check_vjp!(
        mul_local_refs(x, y),
        v = v.clone(),
        value = (&xd + 1.0) * (&yd * 3.0),
        grads = (&v * &yd * 3.0, &v * (&xd + 1.0) * 3.0),
    );
}

// ---- unary minus -----------------------------------------------------------------

#[test]
fn unary_minus() {
    let x = x1();
    let (xd, v) = (x.data().clone(), v1());
    // ∂(−x) = −v
    check_vjp!(neg_r(x), v = v.clone(), value = -&xd, grads = -&v);
    // ∂(−2x) = −2v
    check_vjp!(
        neg_v(x),
        v = v.clone(),
        value = &xd * -2.0,
        grads = &v * -2.0
    );
    // Scalars and floats: d(−s)/ds = −1
    let s = scalar(1.25);
    check_vjp!(
        neg_scalar(s),
        v = arr0(0.75),
        value = arr0(-1.25),
        grads = arr0(-0.75)
    );
    check_grad!(neg_scalar(s), value = -1.25, grads = -1.0);
    let a = 1.25;
    check_grad!(neg_float(a), value = -1.25, grads = -1.0);
}

// ---- tensor ∘ float -----------------------------------------------------------

#[test]
fn tensor_and_float_parameter() {
    let x = x1();
    let k = 1.7;
    let (xd, v) = (x.data().clone(), v1());
    let (sv, svx) = (v.sum(), (&v * &xd).sum());
    // x + k and k + x: ∂x = v, ∂k = Σv
    check_vjp!(
        add_tk(x, k),
        v = v.clone(),
        value = &xd + k,
        grads = (v.clone(), sv)
    );
    check_vjp!(
        add_kt(x, k),
        v = v.clone(),
        value = &xd + k,
        grads = (v.clone(), sv)
    );
    // x − k: ∂x = v, ∂k = −Σv; k − x: ∂x = −v, ∂k = Σv
    check_vjp!(
        sub_tk(x, k),
        v = v.clone(),
        value = &xd - k,
        grads = (v.clone(), -sv)
    );
    check_vjp!(
        sub_kt(x, k),
        v = v.clone(),
        value = k - &xd,
        grads = (-&v, sv)
    );
    // x·k and k·x: ∂x = k·v, ∂k = Σ v·x
    check_vjp!(
        mul_tk(x, k),
        v = v.clone(),
        value = &xd * k,
        grads = (&v * k, svx)
    );
    check_vjp!(
        mul_kt(x, k),
        v = v.clone(),
        value = &xd * k,
        grads = (&v * k, svx)
    );
    // x / k: ∂x = v / k, ∂k = −Σ v·x / k²
    check_vjp!(
        div_tk(x, k),
        v = v.clone(),
        value = &xd / k,
        grads = (&v / k, -svx / (k * k))
    );
    // k / x: ∂x = −k·v / x², ∂k = Σ v / x
    check_vjp!(
        div_kt(x, k),
        v = v.clone(),
        value = xd.mapv(|x| k / x),
        grads = (-(&v * k) / (&xd * &xd), (&v / &xd).sum()),
    );
    // k·(x·k) = k²x: ∂x = k²·v, ∂k = 2k·Σ v·x
    check_vjp!(
        mul_owned_k(x, k),
        v = v.clone(),
        value = &xd * (k * k),
        grads = (&v * (k * k), 2.0 * k * svx),
    );
}

#[test]
fn tensor_and_float_literal() {
    let x = x1();
    let (xd, v) = (x.data().clone(), v1());
    // 2x and x·2: ∂x = 2v
    check_vjp!(
        lit_mul_left(x),
        v = v.clone(),
        value = &xd * 2.0,
        grads = &v * 2.0
    );
    check_vjp!(
        lit_mul_right(x),
        v = v.clone(),
        value = &xd * 2.0,
        grads = &v * 2.0
    );
    // 1 / x: ∂x = −v / x²
    check_vjp!(
        lit_recip(x),
        v = v.clone(),
        value = xd.mapv(|x| 1.0 / x),
        grads = -&v / (&xd * &xd),
    );
    // x / 4: ∂x = v / 4
    check_vjp!(
        lit_div_right(x),
        v = v.clone(),
        value = &xd / 4.0,
        grads = &v / 4.0
    );
    // 3 − x: ∂x = −v; x − 0.5: ∂x = v
    check_vjp!(
        lit_sub_left(x),
        v = v.clone(),
        value = 3.0 - &xd,
        grads = -&v
    );
    check_vjp!(
        lit_sub_right(x),
        v = v.clone(),
        value = &xd - 0.5,
        grads = v.clone()
    );
    // 0.5 + x and x + 0.5: ∂x = v
    check_vjp!(
        lit_add_left(x),
        v = v.clone(),
        value = &xd + 0.5,
        grads = v.clone()
    );
    check_vjp!(
        lit_add_right(x),
        v = v.clone(),
        value = &xd + 0.5,
        grads = v.clone()
    );
    // 1 / 2x²: ∂x = −v / x³
    check_vjp!(
        lit_owned(x),
        v = v.clone(),
        value = xd.mapv(|x| 1.0 / (2.0 * x * x)),
        grads = -&v / xd.mapv(|x| x * x * x),
    );
}

#[test]
fn float_and_float() {
    let (a, b) = (1.3, -0.7);
    check_grad!(add_ff(a, b), value = a + b, grads = (1.0, 1.0));
    check_grad!(sub_ff(a, b), value = a - b, grads = (1.0, -1.0));
    check_grad!(mul_ff(a, b), value = a * b, grads = (b, a));
    check_grad!(div_ff(a, b), value = a / b, grads = (1.0 / b, -a / (b * b)));
    // Literals on either side: 2a, a·2 → 2; 1/a → −1/a²; a/4 → 1/4; 3 − a → −1
    check_grad!(lit_mul_left_f(a), value = 2.0 * a, grads = 2.0);
    check_grad!(lit_mul_right_f(a), value = 2.0 * a, grads = 2.0);
    check_grad!(lit_recip_f(a), value = 1.0 / a, grads = -1.0 / (a * a));
    check_grad!(lit_div_right_f(a), value = a / 4.0, grads = 0.25);
    check_grad!(lit_sub_left_f(a), value = 3.0 - a, grads = -1.0);
}

// ---- a variable used many times, composition ---------------------------------

#[test]
fn variable_used_many_times() {
    let x = x1();
    let (xd, v) = (x.data().clone(), v1());
    // x³ + x: ∂x = v·(3x² + 1)
    check_vjp!(
        cube_plus_t(x),
        v = v.clone(),
        value = xd.mapv(|x| x * x * x + x),
        grads = &v * xd.mapv(|x| 3.0 * x * x + 1.0),
    );
    let a = 1.3;
    check_grad!(
        cube_plus_f(a),
        value = a * a * a + a,
        grads = 3.0 * a * a + 1.0
    );
}

#[test]
fn composition_of_three_functions() {
    let x = x1();
    let (xd, v) = (x.data().clone(), v1());
    // inner = x², middle = x³ + x, outer = (x³ + x)² − x:
    // ∂outer = v·(2(x³ + x)(3x² + 1) − 1)
    check_vjp!(
        outer(x),
        v = v.clone(),
        value = xd.mapv(|x| (x * x * x + x).powi(2) - x),
        grads = &v * xd.mapv(|x| 2.0 * (x * x * x + x) * (3.0 * x * x + 1.0) - 1.0),
    );
    // inner_f = ab, middle_f = ab − b/a, outer_f = (ab − b/a)·a + b = a²b:
    // ∂a = 2ab, ∂b = a²
    let (a, b) = (1.3, -0.7);
    check_grad!(
        outer_f(a, b),
        value = a * a * b,
        grads = (2.0 * a * b, a * a)
    );
    // The middle function alone: ∂a = b + b/a², ∂b = a − 1/a
    check_grad!(
        middle_f(a, b),
        value = a * b - b / a,
        grads = (b + b / (a * a), a - 1.0 / a)
    );
}

#[test]
fn normalize_by_the_sum() {
    let x = Tensor::from(array![0.7, 1.3, 2.1]);
    let (xd, v) = (x.data().clone(), v1());
    // y = x / S with S = Σx: ∂x_j = v_j / S − Σᵢ vᵢxᵢ / S²
    let total = xd.sum();
    let dot = (&v * &xd).sum();
    check_vjp!(
        normalize(x),
        v = v.clone(),
        value = &xd / total,
        grads = v.mapv(|v| v / total - dot / (total * total)),
    );
}

#[test]
fn negative_float_literals_in_f64() {
    let x = x1();
    let v = v1();
    // −2x and x·(−2): ∂x = −2v
    let (_, pullback) = negative_literals::left::vjp(&x);
    pullback(&v).check(&(&v * -2.0), F64_TOL, "-2.0 * x");
    let (_, pullback) = negative_literals::right::vjp(&x);
    pullback(&v).check(&(&v * -2.0), F64_TOL, "x * -2.0");
    // x − (−1): ∂x = v
    let (value, pullback) = negative_literals::minus_minus::vjp(&x);
    value.check(&(x.data() + 1.0), F64_TOL, "x - -1.0 value");
    pullback(&v).check(&v, F64_TOL, "x - -1.0");
    // c = −1.5, x·c: ∂x = −1.5v
    let (_, pullback) = negative_literals::bound::vjp(&x);
    pullback(&v).check(&(&v * -1.5), F64_TOL, "let c = -1.5");
    gradcheck_vjp(
        negative_literals::bound,
        |x, v| negative_literals::bound::vjp(x).1(v),
        &x,
    )
    .unwrap();
    // −2a + a·(−0.5): −2.5
    assert_eq!(negative_literals::float::grad(1.3), -2.5);
    gradcheck(|a| negative_literals::float::value_and_grad(*a), &1.3).unwrap();
}
