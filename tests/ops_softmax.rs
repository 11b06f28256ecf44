//! The softmax family inside `#[differentiable]` bodies: `softmax`,
//! `log_softmax` and `logsumexp` along either axis, and a cross-entropy built
//! from them, on tensors in `f64` and `f32`, checked against the formulas at
//! moderate inputs and at inputs shifted by ±1000 (where the direct formulas
//! overflow and the rules must not).
//!
//! Every check states the hand-derived gradient and compares the generated
//! one with it (1e-12 relative in `f64`), runs `gradcheck` / `gradcheck_vjp`
//! on the `f64` function, and compares the `f32` function's gradient with the
//! `f64` one (1e-5 relative unless said).

use autograd::ndarray::{array, Array1, Array2, Axis};
use autograd::prelude::*;
use autograd::{gradcheck, gradcheck_vjp};

#[macro_use]
mod common;
use common::method_inputs::*;
use common::{Close, Pass, To32, F32_TOL, F64_TOL};

// ---- the functions under test, once in f64 and once in f32 -------------------

in_f64_and_f32! {
    // softmax family
    #[differentiable]
    pub fn softmax_vec(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x.softmax(Axis(0))
    }
    #[differentiable]
    pub fn cross_entropy(x: &Tensor<F, Ix1>, target: &Tensor<F, Ix1>) -> Scalar<F> {
        let picked = (x * target).sum();
        x.logsumexp(Axis(0)) - picked
    }
    #[differentiable]
    pub fn softmax0(x: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        x.softmax(Axis(0))
    }
    #[differentiable]
    pub fn softmax1(x: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        x.softmax(Axis(1))
    }
    #[differentiable]
    pub fn log_softmax0(x: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        x.log_softmax(Axis(0))
    }
    #[differentiable]
    pub fn log_softmax1(x: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        x.log_softmax(Axis(1))
    }
    #[differentiable]
    pub fn logsumexp0(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.logsumexp(Axis(0))
    }
    #[differentiable]
    pub fn logsumexp1(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.logsumexp(Axis(1))
    }
}

// ---- softmax, log-softmax, log-sum-exp -----------------------------------------

/// The softmax along `axis`, computed directly (the inputs are moderate).
fn softmax_ref(x: &Array2<f64>, axis: Axis) -> Array2<f64> {
    let e = x.mapv(f64::exp);
    let s = e.sum_axis(axis).insert_axis(axis);
    &e / &s
}

/// The log-sum-exp along `axis`, computed directly.
fn logsumexp_ref(x: &Array2<f64>, axis: Axis) -> Array1<f64> {
    x.mapv(f64::exp).sum_axis(axis).mapv(f64::ln)
}

/// Checks the softmax family along `axis` at `x`, against the formulas at
/// `x − shift` (softmax is invariant to a shift of each lane, log-sum-exp
/// moves by the shift), and returns every gradient so a caller can check they
/// are finite.
///
/// `lse_f32_rtol` is the tolerance of the f32 log-sum-exp gradient: its rule
/// reads the output `y` and computes `e^(x − y)`, so the rounding of `y`
/// (half a unit in the last place of `y`, 3e-5 near 1000 in f32) becomes a
/// relative error of the gradient, as in PyTorch.
fn softmax_family(
    x: &Tensor<f64, Ix2>,
    axis: Axis,
    shift: &Array1<f64>,
    lse_f32_rtol: f64,
) -> Vec<Array2<f64>> {
    let xd = x.data().clone();
    let shifted = &xd - &shift.view().insert_axis(axis);
    let y = softmax_ref(&shifted, axis);
    let v = v23();
    let w = if axis == Axis(0) {
        v3()
    } else {
        array![0.7, -0.4]
    };
    let along = |a: Array2<f64>| a.sum_axis(axis).insert_axis(axis);
    let x = x.clone();
    let mut grads = Vec::new();
    if axis == Axis(0) {
        // softmax: ∂x = y·(v − Σ_axis v·y)
        grads.push(check_vjp!(
            softmax0(x),
            v = v.clone(),
            value = y.clone(),
            grads = &y * &(&v - &along(&v * &y)),
        ));
        // log_softmax: y = x − lse(x), ∂x = v − softmax(x)·Σ_axis v
        grads.push(check_vjp!(
            log_softmax0(x),
            v = v.clone(),
            value = y.mapv(f64::ln),
            grads = &v - &(&y * &along(v.clone())),
        ));
        // logsumexp: ∂x = w·softmax(x), w repeated along the axis
        grads.push(check_vjp!(
            logsumexp0(x),
            v = w.clone(),
            value = logsumexp_ref(&shifted, axis) + shift,
            grads = &y * &w.view().insert_axis(axis),
            f32_rtol = lse_f32_rtol,
        ));
    } else {
        grads.push(check_vjp!(
            softmax1(x),
            v = v.clone(),
            value = y.clone(),
            grads = &y * &(&v - &along(&v * &y)),
        ));
        grads.push(check_vjp!(
            log_softmax1(x),
            v = v.clone(),
            value = y.mapv(f64::ln),
            grads = &v - &(&y * &along(v.clone())),
        ));
        grads.push(check_vjp!(
            logsumexp1(x),
            v = w.clone(),
            value = logsumexp_ref(&shifted, axis) + shift,
            grads = &y * &w.view().insert_axis(axis),
            f32_rtol = lse_f32_rtol,
        ));
    }
    grads
}

#[test]
fn softmax_log_softmax_logsumexp() {
    let x = m23();
    softmax_family(&x, Axis(0), &Array1::zeros(3), F32_TOL);
    softmax_family(&x, Axis(1), &Array1::zeros(2), F32_TOL);
}

#[test]
fn softmax_of_a_vector_and_cross_entropy() {
    let x = Tensor::from(array![0.5, -1.25, 2.0]);
    let xd = x.data().clone();
    let e = xd.mapv(f64::exp);
    let y = &e / e.sum();
    // softmax: ∂x = y·(v − Σ v·y)
    let v = v3();
    let vy = (&v * &y).sum();
    check_vjp!(
        softmax_vec(x),
        v = v.clone(),
        value = y.clone(),
        grads = &y * &v.mapv(|v| v - vy),
    );
    // lse(x) − Σ x·t with a one-hot t: ∂x = softmax(x) − t, ∂t = −x
    let t = Tensor::from(array![0.0, 0.0, 1.0]);
    check_grad!(
        cross_entropy(x, t),
        value = e.sum().ln() - 2.0,
        grads = (&y - t.data(), -&xd),
    );
}

#[test]
fn softmax_family_is_stable_near_1000() {
    // Lanes near +1000 and −1000: the same values (softmax) and gradients as
    // the lanes with 1000 subtracted (the elements are multiples of 1/8, so
    // x ± 1000 is exact in f64 and f32).
    let small = m23();
    let rows = Tensor::from(small.data() + &array![[1000.0], [-1000.0]]);
    let grads = softmax_family(&rows, Axis(1), &array![1000.0, -1000.0], 1e-4);
    let cols = Tensor::from(small.data() + 1000.0);
    let more = softmax_family(&cols, Axis(0), &array![1000.0, 1000.0, 1000.0], 1e-4);
    for g in grads.iter().chain(&more) {
        assert!(g.iter().all(|g| g.is_finite()), "{g:?}");
    }
    // f32 (whose eˣ overflows past 88): finite values and gradients too.
    let rows32 = rows.to32();
    let (value, pullback) = f32s::log_softmax1::vjp(&rows32);
    assert!(value.data().iter().all(|y| y.is_finite()));
    assert!(pullback(&v23().to32()).iter().all(|g| g.is_finite()));
    let (value, pullback) = f32s::logsumexp1::vjp(&rows32);
    value.check(
        f64s::logsumexp1(&rows).data(),
        F32_TOL,
        "logsumexp f32 near 1000",
    );
    assert!(pullback(&array![1.0f32, 1.0]).iter().all(|g| g.is_finite()));
}

#[test]
fn softmax_of_column_major_inputs_and_cotangents() {
    // The same logical values in column-major memory give the same values and
    // gradients.
    let (x, v) = (m23(), v23());
    let (xf, vf) = (Tensor::from(column_major(x.data())), column_major(&v));
    assert!(!xf.data().is_standard_layout() && !vf.is_standard_layout());
    let (y, pullback) = f64s::softmax1::vjp(&xf);
    let (y0, pullback0) = f64s::softmax1::vjp(&x);
    y.check(y0.data(), F64_TOL, "softmax value");
    pullback(&vf).check(&pullback0(&v), F64_TOL, "softmax");
    gradcheck_vjp(f64s::softmax1, |x, v| f64s::softmax1::vjp(x).1(v), &xf).unwrap();
}
