//! `+ - * /` and unary `-` inside `#[differentiable]` bodies: between tensors,
//! scalars (`Scalar<A>`) and plain floats, with the float on either side, by
//! value and by reference, with broadcasting both ways, in `f64` and `f32`.
//!
//! Every check states the hand-derived gradient and compares the generated
//! one with it (1e-12 relative in `f64`), runs `gradcheck` / `gradcheck_vjp`
//! on the `f64` function, and compares the `f32` function's gradient with the
//! `f64` one (1e-5 relative).

use autograd::ndarray::{arr0, array, Array1, Array2, Axis};
use autograd::prelude::*;
use autograd::{gradcheck, gradcheck_vjp};

#[macro_use]
mod common;
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

    // tensor ∘ scalar tensor (the scalar broadcasts)
    #[differentiable]
    pub fn mul_ts(x: &Tensor<F, Ix1>, s: &Scalar<F>) -> Tensor<F, Ix1> {
        x * s
    }
    #[differentiable]
    pub fn mul_st(x: &Tensor<F, Ix1>, s: &Scalar<F>) -> Tensor<F, Ix1> {
        s * x
    }
    #[differentiable]
    pub fn add_ts(x: &Tensor<F, Ix1>, s: &Scalar<F>) -> Tensor<F, Ix1> {
        x + s
    }
    #[differentiable]
    pub fn sub_st(x: &Tensor<F, Ix1>, s: &Scalar<F>) -> Tensor<F, Ix1> {
        s - x
    }
    #[differentiable]
    pub fn div_ts(x: &Tensor<F, Ix1>, s: &Scalar<F>) -> Tensor<F, Ix1> {
        x / s
    }
    #[differentiable]
    pub fn div_st(x: &Tensor<F, Ix1>, s: &Scalar<F>) -> Tensor<F, Ix1> {
        s / x
    }

    // scalar ∘ scalar, scalar ∘ float
    #[differentiable]
    pub fn add_ss(s: &Scalar<F>, t: &Scalar<F>) -> Scalar<F> {
        s + t
    }
    #[differentiable]
    pub fn sub_ss(s: &Scalar<F>, t: &Scalar<F>) -> Scalar<F> {
        s - t
    }
    #[differentiable]
    pub fn mul_ss(s: &Scalar<F>, t: &Scalar<F>) -> Scalar<F> {
        s * t
    }
    #[differentiable]
    pub fn div_ss(s: &Scalar<F>, t: &Scalar<F>) -> Scalar<F> {
        s / t
    }
    #[differentiable]
    pub fn mul_sk(s: &Scalar<F>, k: F) -> Scalar<F> {
        s * k
    }
    #[differentiable]
    pub fn div_ks(s: &Scalar<F>, k: F) -> Scalar<F> {
        k / s
    }
    #[differentiable]
    pub fn sub_ks(s: &Scalar<F>, k: F) -> Scalar<F> {
        k - s
    }
    #[differentiable]
    pub fn lit_scalar(s: &Scalar<F>) -> Scalar<F> {
        let a = 2.0 * s;
        let b = s / 4.0;
        1.0 / a - b
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

    // a scalar tensor with a matrix
    #[differentiable]
    pub fn mul_s_mat(s: &Scalar<F>, m: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        s * m
    }
    #[differentiable]
    pub fn div_mat_s(m: &Tensor<F, Ix2>, s: &Scalar<F>) -> Tensor<F, Ix2> {
        m / s
    }

    // broadcasting: (3,) with (2, 3), both ways
    #[differentiable]
    pub fn add_row_mat(a: &Tensor<F, Ix1>, m: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        a + m
    }
    #[differentiable]
    pub fn add_mat_row(m: &Tensor<F, Ix2>, a: &Tensor<F, Ix1>) -> Tensor<F, Ix2> {
        m + a
    }
    #[differentiable]
    pub fn sub_row_mat(a: &Tensor<F, Ix1>, m: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        a - m
    }
    #[differentiable]
    pub fn sub_mat_row(m: &Tensor<F, Ix2>, a: &Tensor<F, Ix1>) -> Tensor<F, Ix2> {
        m - a
    }
    #[differentiable]
    pub fn mul_row_mat(a: &Tensor<F, Ix1>, m: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        a * m
    }
    #[differentiable]
    pub fn mul_mat_row(m: &Tensor<F, Ix2>, a: &Tensor<F, Ix1>) -> Tensor<F, Ix2> {
        m * a
    }
    #[differentiable]
    pub fn div_row_mat(a: &Tensor<F, Ix1>, m: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        a / m
    }
    #[differentiable]
    pub fn div_mat_row(m: &Tensor<F, Ix2>, a: &Tensor<F, Ix1>) -> Tensor<F, Ix2> {
        m / a
    }

    // broadcasting: (2, 1) with (1, 3) and with (3,)
    #[differentiable]
    pub fn mul_col_row(c: &Tensor<F, Ix2>, r: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        c * r
    }
    #[differentiable]
    pub fn div_row_col(r: &Tensor<F, Ix2>, c: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        r / c
    }
    #[differentiable]
    pub fn sub_col_vec(c: &Tensor<F, Ix2>, v: &Tensor<F, Ix1>) -> Tensor<F, Ix2> {
        c - v
    }
    #[differentiable]
    pub fn add_vec_col(v: &Tensor<F, Ix1>, c: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        v + c
    }
    #[differentiable]
    pub fn div_vec_col(v: &Tensor<F, Ix1>, c: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        v / c
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

/// Negative float literals. Only in f64: in an f32 function, `-2.0 * x`,
/// `x * -2.0`, `x - -1.0` and `let c = -1.0; x * c` do not compile (the
/// negated literal is typed f64 by the generated code: "the trait bound
/// `f64: MulRule<Tensor<f32, Ix1>>` is not satisfied"), although the same
/// bodies compile as plain Rust.
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

// ---- inputs ----------------------------------------------------------------------

fn x1() -> Tensor<f64, Ix1> {
    Tensor::from(array![0.7, -1.3, 2.1])
}

fn y1() -> Tensor<f64, Ix1> {
    Tensor::from(array![1.9, 0.4, -0.6])
}

/// The cotangent of a length-3 output.
fn v1() -> Array1<f64> {
    array![0.3, -1.1, 2.5]
}

fn m23() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.5, -0.8, 0.6], [-2.2, 0.9, 1.3]])
}

/// The cotangent of a (2, 3) output.
fn v23() -> Array2<f64> {
    array![[0.4, -1.2, 0.7], [2.0, 0.5, -0.9]]
}

fn scalar(v: f64) -> Scalar<f64> {
    Scalar::scalar(v)
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

// ---- tensor ∘ scalar ----------------------------------------------------------

#[test]
fn tensor_and_scalar() {
    let x = x1();
    let s = scalar(-0.8);
    let sv = -0.8;
    let (xd, v) = (x.data().clone(), v1());
    let svx = (&v * &xd).sum();
    // x·s and s·x: ∂x = s·v, ∂s = Σ v·x (summed back to shape [])
    check_vjp!(
        mul_ts(x, s),
        v = v.clone(),
        value = &xd * sv,
        grads = (&v * sv, arr0(svx))
    );
    check_vjp!(
        mul_st(x, s),
        v = v.clone(),
        value = &xd * sv,
        grads = (&v * sv, arr0(svx))
    );
    // x + s: ∂x = v, ∂s = Σv
    check_vjp!(
        add_ts(x, s),
        v = v.clone(),
        value = &xd + sv,
        grads = (v.clone(), arr0(v.sum()))
    );
    // s − x: ∂x = −v, ∂s = Σv
    check_vjp!(
        sub_st(x, s),
        v = v.clone(),
        value = sv - &xd,
        grads = (-&v, arr0(v.sum()))
    );
    // x / s: ∂x = v / s, ∂s = −Σ v·x / s²
    check_vjp!(
        div_ts(x, s),
        v = v.clone(),
        value = &xd / sv,
        grads = (&v / sv, arr0(-svx / (sv * sv))),
    );
    // s / x: ∂x = −s·v / x², ∂s = Σ v / x
    check_vjp!(
        div_st(x, s),
        v = v.clone(),
        value = xd.mapv(|x| sv / x),
        grads = (-(&v * sv) / (&xd * &xd), arr0((&v / &xd).sum())),
    );
}

#[test]
fn scalar_and_scalar_or_float() {
    let (s, t, k) = (scalar(1.5), scalar(-0.4), 2.5);
    let (a, b) = (1.5, -0.4);
    // s + t: (1, 1); s − t: (1, −1); s·t: (t, s); s / t: (1/t, −s/t²)
    check_grad!(add_ss(s, t), value = a + b, grads = (1.0, 1.0));
    check_grad!(sub_ss(s, t), value = a - b, grads = (1.0, -1.0));
    check_grad!(mul_ss(s, t), value = a * b, grads = (b, a));
    check_grad!(div_ss(s, t), value = a / b, grads = (1.0 / b, -a / (b * b)));
    // s·k: (k, s); k / s: (−k/s², 1/s); k − s: (−1, 1)
    check_grad!(mul_sk(s, k), value = a * k, grads = (k, a));
    check_grad!(div_ks(s, k), value = k / a, grads = (-k / (a * a), 1.0 / a));
    check_grad!(sub_ks(s, k), value = k - a, grads = (-1.0, 1.0));
    // 1/(2s) − s/4: −1/(2s²) − 1/4
    check_grad!(
        lit_scalar(s),
        value = 1.0 / (2.0 * a) - a / 4.0,
        grads = -1.0 / (2.0 * a * a) - 0.25,
    );
    // The same through vjp with a cotangent of 3: every gradient scaled by 3.
    check_vjp!(
        mul_ss(s, t),
        v = arr0(3.0),
        value = arr0(a * b),
        grads = (arr0(3.0 * b), arr0(3.0 * a))
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

// ---- broadcasting ----------------------------------------------------------------

#[test]
fn broadcast_row_with_matrix() {
    let (a, m) = (x1(), m23());
    let (ad, md, v) = (a.data().clone(), m.data().clone(), v23());
    // A (3,) operand is broadcast over the 2 rows: its gradient is summed over them.
    let rows = |g: Array2<f64>| g.sum_axis(Axis(0));
    // a + m, m + a: ∂a = Σ_rows v, ∂m = v
    check_vjp!(
        add_row_mat(a, m),
        v = v.clone(),
        value = &md + &ad,
        grads = (rows(v.clone()), v.clone())
    );
    check_vjp!(
        add_mat_row(m, a),
        v = v.clone(),
        value = &md + &ad,
        grads = (v.clone(), rows(v.clone()))
    );
    // a − m: ∂a = Σ_rows v, ∂m = −v; m − a: ∂m = v, ∂a = −Σ_rows v
    check_vjp!(
        sub_row_mat(a, m),
        v = v.clone(),
        value = &ad - &md,
        grads = (rows(v.clone()), -&v)
    );
    check_vjp!(
        sub_mat_row(m, a),
        v = v.clone(),
        value = &md - &ad,
        grads = (v.clone(), -rows(v.clone()))
    );
    // a·m, m·a: ∂a = Σ_rows v·m, ∂m = v·a
    check_vjp!(
        mul_row_mat(a, m),
        v = v.clone(),
        value = &md * &ad,
        grads = (rows(&v * &md), &v * &ad),
    );
    check_vjp!(
        mul_mat_row(m, a),
        v = v.clone(),
        value = &md * &ad,
        grads = (&v * &ad, rows(&v * &md)),
    );
    // a / m: ∂a = Σ_rows v / m, ∂m = −v·a / m²
    check_vjp!(
        div_row_mat(a, m),
        v = v.clone(),
        value = &ad / &md,
        grads = (rows(&v / &md), -(&v * &ad) / (&md * &md)),
    );
    // m / a: ∂m = v / a, ∂a = −Σ_rows v·m / a²
    check_vjp!(
        div_mat_row(m, a),
        v = v.clone(),
        value = &md / &ad,
        grads = (&v / &ad, -rows(&v * &md) / (&ad * &ad)),
    );
}

#[test]
fn broadcast_column_with_row() {
    let c = Tensor::from(array![[1.2], [-0.7]]);
    let r = Tensor::from(array![[0.5, -1.5, 2.0]]);
    let row = Tensor::from(array![0.5, -1.5, 2.0]);
    let (cd, rd, rowd, v) = (
        c.data().clone(),
        r.data().clone(),
        row.data().clone(),
        v23(),
    );
    // A (2, 1) operand is stretched along axis 1, a (1, 3) one along axis 0.
    let keep0 = |g: Array2<f64>| g.sum_axis(Axis(0)).insert_axis(Axis(0));
    let keep1 = |g: Array2<f64>| g.sum_axis(Axis(1)).insert_axis(Axis(1));
    // c·r: ∂c = Σ_cols v·r (shape (2, 1)), ∂r = Σ_rows v·c (shape (1, 3))
    check_vjp!(
        mul_col_row(c, r),
        v = v.clone(),
        value = &cd * &rd,
        grads = (keep1(&v * &rd), keep0(&v * &cd)),
    );
    // r / c: ∂r = Σ_rows v / c, ∂c = −Σ_cols v·r / c²
    check_vjp!(
        div_row_col(r, c),
        v = v.clone(),
        value = &rd / &cd,
        grads = (keep0(&v / &cd), keep1(-(&v * &rd) / (&cd * &cd))),
    );
    // c − row (3,): ∂c = Σ_cols v, ∂row = −Σ_rows v
    check_vjp!(
        sub_col_vec(c, row),
        v = v.clone(),
        value = &cd - &rowd,
        grads = (keep1(v.clone()), -v.sum_axis(Axis(0))),
    );
    // row + c: ∂row = Σ_rows v, ∂c = Σ_cols v
    check_vjp!(
        add_vec_col(row, c),
        v = v.clone(),
        value = &rowd + &cd,
        grads = (v.sum_axis(Axis(0)), keep1(v.clone())),
    );
    // row / c: ∂row = Σ_rows v / c, ∂c = −Σ_cols v·row / c²
    check_vjp!(
        div_vec_col(row, c),
        v = v.clone(),
        value = &rowd / &cd,
        grads = (
            (&v / &cd).sum_axis(Axis(0)),
            keep1(-(&v * &rowd) / (&cd * &cd))
        ),
    );
}

#[test]
fn broadcast_gradient_is_stored_in_the_operand_shape() {
    // backward(&v) through a broadcast stores each leaf's gradient in its own shape.
    let a = x1().requires_grad();
    let m = m23().requires_grad();
    let v = v23();
    f64s::mul_row_mat::forward(&a, &m).backward(&v);
    // ∂a = Σ_rows v·m, ∂m = v·a
    let ga = a.grad().unwrap();
    let gm = m.grad().unwrap();
    ga.check(&(&v * m.data()).sum_axis(Axis(0)), F64_TOL, "a.grad");
    gm.check(&(&v * a.data()), F64_TOL, "m.grad");

    let c = Tensor::from(array![[1.2f32], [-0.7]]).requires_grad();
    let r = Tensor::from(array![[0.5f32, -1.5, 2.0]]).requires_grad();
    f32s::mul_col_row::forward(&c, &r).backward(&v.to32());
    assert_eq!(c.grad().unwrap().shape(), &[2, 1]);
    assert_eq!(r.grad().unwrap().shape(), &[1, 3]);
    // ∂c = Σ_cols v·r
    let want_c = (&v * &array![[0.5, -1.5, 2.0]])
        .sum_axis(Axis(1))
        .insert_axis(Axis(1));
    c.grad().unwrap().check(&want_c, F32_TOL, "c.grad");
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
fn scalar_with_matrix() {
    let (s, m) = (scalar(-0.8), m23());
    let sv = -0.8;
    let (md, v) = (m.data().clone(), v23());
    // s·m: ∂s = Σ v·m, ∂m = s·v
    check_vjp!(
        mul_s_mat(s, m),
        v = v.clone(),
        value = &md * sv,
        grads = (arr0((&v * &md).sum()), &v * sv),
    );
    // m / s: ∂m = v / s, ∂s = −Σ v·m / s²
    check_vjp!(
        div_mat_s(m, s),
        v = v.clone(),
        value = &md / sv,
        grads = (&v / sv, arr0(-(&v * &md).sum() / (sv * sv))),
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
