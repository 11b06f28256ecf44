//! `+ - * /` between tensors and scalar tensors (`Scalar<A>`), and between
//! tensors of different shapes that broadcast, inside `#[differentiable]`
//! bodies, in `f64` and `f32` (the operators between equal shapes and floats
//! are in `ops_arith.rs`).
//!
//! Every check states the hand-derived gradient and compares the generated
//! one with it (1e-12 relative in `f64`), runs `gradcheck` / `gradcheck_vjp`
//! on the `f64` function, and compares the `f32` function's gradient with the
//! `f64` one (1e-5 relative). A broadcast operand's gradient is summed back
//! to its own shape, as in PyTorch.

use autograd::ndarray::{arr0, array, Array2, Axis};
use autograd::prelude::*;
use autograd::{gradcheck, gradcheck_vjp};

#[macro_use]
mod common;
use common::arith_inputs::*;
use common::{Close, Pass, To32, F32_TOL, F64_TOL};

// ---- the functions under test, once in f64 and once in f32 -------------------

in_f64_and_f32! {
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
