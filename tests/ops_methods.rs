//! Every method with a derivative rule, inside `#[differentiable]` bodies, on
//! tensors and (where `std` has the method, or `FloatExt` for `sigmoid` and
//! `relu`) on plain floats, in `f64` and `f32`: elementwise functions,
//! powers, reductions, matrix products, transposes and reshapes, plus
//! PyTorch's values at the non-smooth points (the softmax family is in
//! `ops_softmax.rs`).
//!
//! Every check states the hand-derived gradient and compares the generated
//! one with it (1e-12 relative in `f64`), runs `gradcheck` / `gradcheck_vjp`
//! on the `f64` function, and compares the `f32` function's gradient with the
//! `f64` one (1e-5 relative).

use autograd::ndarray::{arr0, array, Array1, Array2, Array3, ArrayD, Axis, IxDyn};
use autograd::prelude::*;
use autograd::{gradcheck, gradcheck_vjp};

#[macro_use]
mod common;
use common::method_inputs::*;
use common::{Close, Pass, To32, F32_TOL, F64_TOL};

// ---- the functions under test, once in f64 and once in f32 -------------------

/// For each elementwise method `m`, a module `m` with `t(x) = x.m()` on a
/// tensor and `f(x) = x.m()` on a float.
macro_rules! elementwise {
    ($($m:ident),* $(,)?) => {$(
        pub mod $m {
            use super::F;
            use autograd::prelude::*;
            #[differentiable]
            pub fn t(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
                x.$m()
            }
            #[differentiable]
            pub fn f(x: F) -> F {
                x.$m()
            }
        }
    )*};
}

in_f64_and_f32! {
    elementwise!(
        exp, ln, sqrt, sin, cos, tan, tanh, sigmoid, relu, abs, recip, exp2, exp_m1, ln_1p,
        log2, log10, cbrt, asin, acos, atan, sinh, cosh, asinh, acosh, atanh,
    );

    // powers
    #[differentiable]
    pub fn powi_t(x: &Tensor<F, Ix1>, n: i32) -> Tensor<F, Ix1> {
        x.powi(n)
    }
    #[differentiable]
    pub fn powi_lit(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x.powi(3)
    }
    #[differentiable]
    pub fn powi_f(a: F, n: i32) -> F {
        a.powi(n)
    }
    #[differentiable]
    pub fn powf_t(x: &Tensor<F, Ix1>, p: F) -> Tensor<F, Ix1> {
        x.powf(p)
    }
    #[differentiable]
    pub fn powf_lit(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x.powf(2.5)
    }
    #[differentiable]
    pub fn powf_f(a: F, b: F) -> F {
        a.powf(b)
    }

    // reductions
    #[differentiable]
    pub fn sum(x: &Tensor<F, Ix2>) -> Scalar<F> {
        x.sum()
    }
    #[differentiable]
    pub fn mean(x: &Tensor<F, Ix2>) -> Scalar<F> {
        x.mean()
    }
    #[differentiable]
    pub fn sum_axis0(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.sum_axis(Axis(0))
    }
    #[differentiable]
    pub fn sum_axis1(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.sum_axis(Axis(1))
    }
    #[differentiable]
    pub fn mean_axis0(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.mean_axis(Axis(0))
    }
    #[differentiable]
    pub fn mean_axis1(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.mean_axis(Axis(1))
    }
    #[differentiable]
    pub fn sum_axis_of_vector(x: &Tensor<F, Ix1>) -> Scalar<F> {
        x.sum_axis(Axis(0))
    }
    #[differentiable]
    pub fn mean_axis_middle(x: &Tensor<F, Ix3>) -> Tensor<F, Ix2> {
        x.mean_axis(Axis(1))
    }

    // matrix products and transposes
    #[differentiable]
    pub fn mm(a: &Tensor<F, Ix2>, b: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        a.matmul(b)
    }
    #[differentiable]
    pub fn mv(a: &Tensor<F, Ix2>, b: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        a.matmul(b)
    }
    #[differentiable]
    pub fn vm(a: &Tensor<F, Ix1>, b: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        a.matmul(b)
    }
    #[differentiable]
    pub fn vv(a: &Tensor<F, Ix1>, b: &Tensor<F, Ix1>) -> Scalar<F> {
        a.matmul(b)
    }
    #[differentiable]
    pub fn t2(x: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        x.t()
    }
    #[differentiable]
    pub fn t1(x: &Tensor<F, Ix1>) -> Tensor<F, Ix1> {
        x.t()
    }

    // reshapes
    #[differentiable]
    pub fn reshape_3x2(x: &Tensor<F, Ix2>) -> Tensor<F, Ix2> {
        x.reshape((3, 2))
    }
    #[differentiable]
    pub fn reshape_flat(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        x.reshape(6)
    }
    #[differentiable]
    pub fn reshape_unflat(x: &Tensor<F, Ix1>) -> Tensor<F, Ix2> {
        x.reshape((2, 3))
    }
    #[differentiable]
    pub fn reshape_transposed(x: &Tensor<F, Ix2>) -> Tensor<F, Ix1> {
        let y = x.t();
        y.reshape(6)
    }

    #[differentiable]
    pub fn reshape_dyn(x: &Tensor<F, Ix2>) -> Tensor<F, IxDyn> {
        x.reshape(IxDyn(&[3, 2]))
    }
}

// ---- inputs ----------------------------------------------------------------------

/// The outer product `a ⊗ b`.
fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.len(), b.len()), |(i, j)| a[i] * b[j])
}

/// `g` repeated along `axis` to shape `like` (the gradient of a sum along `axis`).
fn spread(g: &Array1<f64>, axis: Axis, like: &Array2<f64>) -> Array2<f64> {
    g.view()
        .insert_axis(axis)
        .broadcast(like.raw_dim())
        .unwrap()
        .to_owned()
}

// ---- elementwise functions ---------------------------------------------------

/// For each method: its hand-derived derivative `d(x)` and three inputs in
/// its domain. Each test checks the tensor version (seeded with
/// `v = [0.3, −1.1, 2.5]`, so `∂x = v·d(x)`) and the float version at each
/// input (`f'(x) = d(x)`).
macro_rules! elementwise_tests {
    ($($m:ident at [$a:expr, $b:expr, $c:expr] => |$x:ident| $d:expr;)*) => {$(
        #[test]
        fn $m() {
            let derivative = |$x: f64| -> f64 { $d };
            let value = |x: f64| -> f64 { x.$m() };
            let x = Tensor::from(array![$a, $b, $c]);
            let xd = x.data().clone();
            check_vjp!(
                $m::t(x),
                v = v3(),
                value = xd.mapv(value),
                grads = v3() * xd.mapv(derivative),
            );
            for &a in xd.iter() {
                check_grad!($m::f(a), value = value(a), grads = derivative(a));
            }
        }
    )*};
}

elementwise_tests! {
    // d/dx eˣ = eˣ
    exp at [-1.2, 0.3, 2.0] => |x| x.exp();
    // d/dx ln x = 1/x
    ln at [0.4, 1.3, 3.0] => |x| 1.0 / x;
    // d/dx √x = 1 / (2√x)
    sqrt at [0.25, 1.3, 4.0] => |x| 0.5 / x.sqrt();
    // d/dx sin x = cos x
    sin at [-1.2, 0.3, 2.0] => |x| x.cos();
    // d/dx cos x = −sin x
    cos at [-1.2, 0.3, 2.0] => |x| -x.sin();
    // d/dx tan x = 1 / cos² x
    tan at [-1.0, 0.3, 1.2] => |x| 1.0 / (x.cos() * x.cos());
    // d/dx tanh x = 1 / cosh² x
    tanh at [-1.2, 0.3, 2.0] => |x| 1.0 / (x.cosh() * x.cosh());
    // d/dx σ(x) = e⁻ˣ / (1 + e⁻ˣ)²
    sigmoid at [-2.0, 0.3, 1.5] => |x| (-x).exp() / (1.0 + (-x).exp()).powi(2);
    // d/dx max(x, 0) = 1 for x > 0, 0 for x < 0
    relu at [-1.2, 0.3, 2.0] => |x| if x > 0.0 { 1.0 } else { 0.0 };
    // d/dx |x| = sign x
    abs at [-1.2, 0.3, 2.0] => |x| x.signum();
    // d/dx 1/x = −1/x²
    recip at [-1.2, 0.3, 2.0] => |x| -1.0 / (x * x);
    // d/dx 2ˣ = 2ˣ ln 2
    exp2 at [-1.2, 0.3, 2.0] => |x| x.exp2() * std::f64::consts::LN_2;
    // d/dx (eˣ − 1) = eˣ
    exp_m1 at [-1.2, 1e-3, 2.0] => |x| x.exp();
    // d/dx ln(1 + x) = 1 / (1 + x)
    ln_1p at [-0.5, 1e-3, 2.0] => |x| 1.0 / (1.0 + x);
    // d/dx log₂ x = 1 / (x ln 2)
    log2 at [0.4, 1.3, 3.0] => |x| 1.0 / (x * std::f64::consts::LN_2);
    // d/dx log₁₀ x = 1 / (x ln 10)
    log10 at [0.4, 1.3, 3.0] => |x| 1.0 / (x * std::f64::consts::LN_10);
    // d/dx ∛x = 1 / (3 x^(2/3))
    cbrt at [-2.0, 0.3, 5.0] => |x| 1.0 / (3.0 * x.abs().powf(2.0 / 3.0));
    // d/dx asin x = 1 / √(1 − x²)
    asin at [-0.8, 0.1, 0.6] => |x| 1.0 / (1.0 - x * x).sqrt();
    // d/dx acos x = −1 / √(1 − x²)
    acos at [-0.8, 0.1, 0.6] => |x| -1.0 / (1.0 - x * x).sqrt();
    // d/dx atan x = 1 / (1 + x²)
    atan at [-2.0, 0.3, 1.5] => |x| 1.0 / (1.0 + x * x);
    // d/dx sinh x = cosh x
    sinh at [-1.2, 0.3, 2.0] => |x| x.cosh();
    // d/dx cosh x = sinh x
    cosh at [-1.2, 0.3, 2.0] => |x| x.sinh();
    // d/dx asinh x = 1 / √(x² + 1)
    asinh at [-2.0, 0.3, 1.5] => |x| 1.0 / (x * x + 1.0).sqrt();
    // d/dx acosh x = 1 / √(x² − 1)
    acosh at [1.5, 2.0, 3.5] => |x| 1.0 / (x * x - 1.0).sqrt();
    // d/dx atanh x = 1 / (1 − x²)
    atanh at [-0.8, 0.1, 0.6] => |x| 1.0 / (1.0 - x * x);
}

// ---- powers ------------------------------------------------------------------------

#[test]
fn powi() {
    let x = Tensor::from(array![0.7f64, -1.3, 2.1]);
    let xd = x.data().clone();
    for n in [3, -2, 1, 0] {
        // d/dx xⁿ = n·xⁿ⁻¹ (0 for n = 0); the integer gets no gradient.
        check_vjp!(
            powi_t(x, n),
            v = v3(),
            value = xd.mapv(|x| x.powi(n)),
            grads = (v3() * xd.mapv(|x| f64::from(n) * x.powi(n - 1)), ()),
        );
        let a: f64 = -1.3;
        check_grad!(
            powi_f(a, n),
            value = a.powi(n),
            grads = (f64::from(n) * a.powi(n - 1), ()),
        );
    }
    // x.powi(3) with a literal exponent: 3x²
    check_vjp!(
        powi_lit(x),
        v = v3(),
        value = xd.mapv(|x| x * x * x),
        grads = v3() * xd.mapv(|x| 3.0 * x * x),
    );
}

#[test]
fn powf() {
    let x = Tensor::from(array![0.4f64, 1.3, 2.5]);
    let p: f64 = 1.7;
    let xd = x.data().clone();
    // ∂xᵖ/∂x = p·xᵖ⁻¹; ∂xᵖ/∂p = xᵖ·ln x, summed over the elements
    check_vjp!(
        powf_t(x, p),
        v = v3(),
        value = xd.mapv(|x| x.powf(p)),
        grads = (
            v3() * xd.mapv(|x| p * x.powf(p - 1.0)),
            (v3() * xd.mapv(|x| x.powf(p) * x.ln())).sum(),
        ),
    );
    // x.powf(2.5) with a literal exponent: 2.5·x^1.5
    check_vjp!(
        powf_lit(x),
        v = v3(),
        value = xd.mapv(|x| x.powf(2.5)),
        grads = v3() * xd.mapv(|x| 2.5 * x.powf(1.5)),
    );
    // aᵇ on floats: (b·aᵇ⁻¹, aᵇ·ln a)
    let (a, b): (f64, f64) = (1.3, -0.6);
    check_grad!(
        powf_f(a, b),
        value = a.powf(b),
        grads = (b * a.powf(b - 1.0), a.powf(b) * a.ln()),
    );
}

// ---- reductions ------------------------------------------------------------------

#[test]
fn sum_and_mean() {
    let x = m23();
    let xd = x.data().clone();
    // Σ x: ∂ = 1 everywhere; mean x: ∂ = 1/6 everywhere
    check_grad!(sum(x), value = xd.sum(), grads = Array2::ones((2, 3)));
    check_grad!(
        mean(x),
        value = xd.sum() / 6.0,
        grads = Array2::from_elem((2, 3), 1.0 / 6.0),
    );
    // Seeded with d: d everywhere, d/6 everywhere.
    check_vjp!(
        sum(x),
        v = arr0(-1.5),
        value = arr0(xd.sum()),
        grads = Array2::from_elem((2, 3), -1.5),
    );
    check_vjp!(
        mean(x),
        v = arr0(-1.5),
        value = arr0(xd.sum() / 6.0),
        grads = Array2::from_elem((2, 3), -0.25),
    );
}

#[test]
fn sum_axis_and_mean_axis() {
    let x = m23();
    let xd = x.data().clone();
    let (v0, v1) = (v3(), array![0.7, -0.4]);
    // Σ over axis 0 (the axis is dropped): ∂x[i, j] = v[j]; the mean divides by 2.
    check_vjp!(
        sum_axis0(x),
        v = v0.clone(),
        value = xd.sum_axis(Axis(0)),
        grads = spread(&v0, Axis(0), &xd),
    );
    check_vjp!(
        mean_axis0(x),
        v = v0.clone(),
        value = xd.sum_axis(Axis(0)) / 2.0,
        grads = spread(&v0, Axis(0), &xd) / 2.0,
    );
    // Σ over axis 1: ∂x[i, j] = v[i]; the mean divides by 3.
    check_vjp!(
        sum_axis1(x),
        v = v1.clone(),
        value = xd.sum_axis(Axis(1)),
        grads = spread(&v1, Axis(1), &xd),
    );
    check_vjp!(
        mean_axis1(x),
        v = v1.clone(),
        value = xd.sum_axis(Axis(1)) / 3.0,
        grads = spread(&v1, Axis(1), &xd) / 3.0,
    );
    // A vector's only axis: a Scalar, ∂ = 1 everywhere.
    let y = Tensor::from(array![0.7, -1.3, 2.1]);
    check_grad!(sum_axis_of_vector(y), value = 1.5, grads = Array1::ones(3));
    // The middle axis of a (2, 3, 2) tensor: ∂x[i, j, k] = v[i, k] / 3.
    let z = Tensor::from(Array3::from_shape_fn((2, 3, 2), |(i, j, k)| {
        (i as f64) - 0.5 * (j as f64) + 0.25 * (k as f64) * (j as f64)
    }));
    let zd = z.data().clone();
    let w = array![[0.4, -1.2], [2.0, 0.5]];
    check_vjp!(
        mean_axis_middle(z),
        v = w.clone(),
        value = zd.sum_axis(Axis(1)) / 3.0,
        grads = Array3::from_shape_fn((2, 3, 2), |(i, _, k)| w[[i, k]] / 3.0),
    );
}

// ---- matrix products, transposes, reshapes -------------------------------------

#[test]
fn matmul_matrix_matrix() {
    let a = m23();
    let b = Tensor::from(array![[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]]);
    let (ad, bd) = (a.data().clone(), b.data().clone());
    let v = array![[0.4, -1.2], [2.0, 0.5]];
    // C = A·B: ∂A = V·Bᵀ, ∂B = Aᵀ·V
    check_vjp!(
        mm(a, b),
        v = v.clone(),
        value = ad.dot(&bd),
        grads = (v.dot(&bd.t()), ad.t().dot(&v)),
    );
}

#[test]
fn matmul_matrix_vector() {
    let a = m23();
    let b = Tensor::from(array![0.7, -1.3, 2.1]);
    let (ad, bd) = (a.data().clone(), b.data().clone());
    let v = array![0.7, -0.4];
    // c = A·b: ∂A = v ⊗ b, ∂b = Aᵀ·v
    check_vjp!(
        mv(a, b),
        v = v.clone(),
        value = ad.dot(&bd),
        grads = (outer(&v, &bd), ad.t().dot(&v)),
    );
}

#[test]
fn matmul_vector_matrix() {
    let a = Tensor::from(array![0.6, -1.4]);
    let b = m23();
    let (ad, bd) = (a.data().clone(), b.data().clone());
    let v = v3();
    // c = a·B: ∂a = B·v, ∂B = a ⊗ v
    check_vjp!(
        vm(a, b),
        v = v.clone(),
        value = ad.dot(&bd),
        grads = (bd.dot(&v), outer(&ad, &v)),
    );
}

#[test]
fn matmul_vector_vector_is_a_scalar() {
    let a = Tensor::from(array![0.7, -1.3, 2.1]);
    let b = Tensor::from(array![1.9, 0.4, -0.6]);
    let (ad, bd) = (a.data().clone(), b.data().clone());
    // c = a·b: ∂a = b, ∂b = a (seeded with 1), d·b and d·a seeded with d
    check_grad!(
        vv(a, b),
        value = ad.dot(&bd),
        grads = (bd.clone(), ad.clone())
    );
    check_vjp!(
        vv(a, b),
        v = arr0(1.5),
        value = arr0(ad.dot(&bd)),
        grads = (&bd * 1.5, &ad * 1.5),
    );
}

#[test]
fn transpose() {
    let x = m23();
    let xd = x.data().clone();
    let v = array![[0.4, -1.2], [2.0, 0.5], [0.7, -0.9]];
    // xᵀ: ∂x = vᵀ
    check_vjp!(
        t2(x),
        v = v.clone(),
        value = xd.t().to_owned(),
        grads = v.t().to_owned(),
    );
    // A vector is its own transpose: ∂x = v
    let y = Tensor::from(array![0.7, -1.3, 2.1]);
    check_vjp!(
        t1(y),
        v = v3(),
        value = array![0.7, -1.3, 2.1],
        grads = v3()
    );
}

#[test]
fn reshape() {
    let x = m23();
    let xd = x.data().clone();
    let flat = |a: &Array2<f64>| Array1::from_iter(a.iter().copied());
    let unflat = |a: &Array1<f64>, r, c| Array2::from_shape_vec((r, c), a.to_vec()).unwrap();
    let v6 = array![0.4, -1.2, 0.7, 2.0, 0.5, -0.9];
    // Reshapes relabel the elements in row-major order: ∂x is v laid out back.
    check_vjp!(
        reshape_3x2(x),
        v = unflat(&v6, 3, 2),
        value = unflat(&flat(&xd), 3, 2),
        grads = unflat(&v6, 2, 3),
    );
    check_vjp!(
        reshape_flat(x),
        v = v6.clone(),
        value = flat(&xd),
        grads = unflat(&v6, 2, 3),
    );
    let y = Tensor::from(flat(&xd));
    check_vjp!(
        reshape_unflat(y),
        v = v23(),
        value = xd.clone(),
        grads = flat(&v23()),
    );
    // xᵀ flattened is [x00, x10, x01, x11, x02, x12]: ∂x[i, j] = v[2j + i]
    check_vjp!(
        reshape_transposed(x),
        v = v6.clone(),
        value = flat(&xd.t().to_owned()),
        grads = Array2::from_shape_fn((2, 3), |(i, j)| v6[2 * j + i]),
    );
}

#[test]
fn reshape_to_a_dynamic_shape() {
    let x = m23();
    let xd = x.data().clone();
    let v = ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![0.4, -1.2, 0.7, 2.0, 0.5, -0.9]).unwrap();
    // The same relabelling as reshape((3, 2)), into an IxDyn tensor.
    check_vjp!(
        reshape_dyn(x),
        v = v.clone(),
        value = ArrayD::from_shape_vec(IxDyn(&[3, 2]), xd.iter().copied().collect()).unwrap(),
        grads = Array2::from_shape_vec((2, 3), v.iter().copied().collect()).unwrap(),
    );
}

#[test]
fn column_major_inputs_and_cotangents() {
    // The same logical values in column-major memory give the same values and
    // gradients; elements are always read in row-major (logical) order.
    let x = m23();
    let xf = Tensor::from(column_major(x.data()));
    assert_eq!(xf.data(), x.data());
    assert!(!xf.data().is_standard_layout());
    let v6 = array![0.4, -1.2, 0.7, 2.0, 0.5, -0.9];
    let (y, pullback) = f64s::reshape_flat::vjp(&xf);
    assert_eq!(y.data(), &Array1::from_iter(x.data().iter().copied()));
    pullback(&v6).check(
        &Array2::from_shape_vec((2, 3), v6.to_vec()).unwrap(),
        F64_TOL,
        "reshape",
    );
    gradcheck_vjp(
        f64s::reshape_flat,
        |x, v| f64s::reshape_flat::vjp(x).1(v),
        &xf,
    )
    .unwrap();
    let (y, pullback) = f64s::sum_axis0::vjp(&xf);
    y.check(&x.data().sum_axis(Axis(0)), F64_TOL, "sum_axis value");
    pullback(&v3()).check(&spread(&v3(), Axis(0), x.data()), F64_TOL, "sum_axis");
    let (y, pullback) = f64s::t2::vjp(&xf);
    y.check(&x.data().t().to_owned(), F64_TOL, "t value");
    let w = array![[0.4, -1.2], [2.0, 0.5], [0.7, -0.9]];
    pullback(&w).check(&w.t().to_owned(), F64_TOL, "t");
    let b = Tensor::from(array![[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]]);
    let (y, pullback) = f64s::mm::vjp(&xf, &b);
    let (y0, pullback0) = f64s::mm::vjp(&x, &b);
    y.check(y0.data(), F64_TOL, "matmul value");
    let w = array![[0.4, -1.2], [2.0, 0.5]];
    pullback(&w.t().as_standard_layout().into_owned().reversed_axes()).check(
        &pullback0(&w),
        F64_TOL,
        "matmul",
    );
}

// ---- PyTorch's values at the non-smooth points ----------------------------------

#[test]
fn relu_gradient_at_zero_is_zero() {
    // relu'(0) = 0, also at −0
    let x = Tensor::from(array![0.0, -0.0, 1.0]);
    let (_, pullback) = f64s::relu::t::vjp(&x);
    assert_eq!(pullback(&array![1.0, 1.0, 1.0]), array![0.0, 0.0, 1.0]);
    let x32 = x.to32();
    let (_, pullback) = f32s::relu::t::vjp(&x32);
    assert_eq!(pullback(&array![1.0, 1.0, 1.0]), array![0.0f32, 0.0, 1.0]);
    assert_eq!(f64s::relu::f::grad(0.0), 0.0);
    assert_eq!(f64s::relu::f::grad(-0.0), 0.0);
    assert_eq!(f32s::relu::f::grad(0.0), 0.0);
}

#[test]
fn abs_gradient_at_zero_is_zero() {
    // abs'(0) = 0, also at −0
    let x = Tensor::from(array![0.0, -0.0, -2.0]);
    let (_, pullback) = f64s::abs::t::vjp(&x);
    assert_eq!(pullback(&array![1.0, 1.0, 1.0]), array![0.0, 0.0, -1.0]);
    let x32 = x.to32();
    let (_, pullback) = f32s::abs::t::vjp(&x32);
    assert_eq!(pullback(&array![1.0, 1.0, 1.0]), array![0.0f32, 0.0, -1.0]);
    assert_eq!(f64s::abs::f::grad(0.0), 0.0);
    assert_eq!(f32s::abs::f::grad(-0.0), 0.0);
}

#[test]
fn sqrt_gradient_at_zero_is_infinite() {
    // sqrt'(0) = +∞ (seeded with a positive gradient; −∞ with a negative one)
    let x = Tensor::from(array![0.0, 4.0]);
    let (_, pullback) = f64s::sqrt::t::vjp(&x);
    assert_eq!(pullback(&array![1.0, 1.0]), array![f64::INFINITY, 0.25]);
    assert_eq!(pullback_neg(&x), f64::NEG_INFINITY);
    let x32 = x.to32();
    let (_, pullback) = f32s::sqrt::t::vjp(&x32);
    assert_eq!(pullback(&array![1.0, 1.0]), array![f32::INFINITY, 0.25]);
    assert_eq!(f64s::sqrt::f::grad(0.0), f64::INFINITY);
    assert_eq!(f32s::sqrt::f::grad(0.0), f32::INFINITY);
}

/// The gradient of √x at x[0] seeded with −1.
fn pullback_neg(x: &Tensor<f64, Ix1>) -> f64 {
    let (_, pullback) = f64s::sqrt::t::vjp(x);
    pullback(&array![-1.0, 0.0])[0]
}

#[test]
fn powers_at_zero_follow_pytorch() {
    // x⁰ has gradient 0 even at x = 0 (not 0·0⁻¹ = NaN).
    assert_eq!(f64s::powi_f::grad(0.0, 0), (0.0, ()));
    assert_eq!(f32s::powi_f::grad(0.0, 0), (0.0, ()));
    // x.powf(0) at 0: ∂x = 0; ∂p = 0 where x = 0 and p ≥ 0 (not 1·ln 0 = −∞).
    assert_eq!(f64s::powf_f::grad(0.0, 0.0), (0.0, 0.0));
    // 0²: ∂x = 2·0 = 0, ∂p = 0 (not 0·ln 0 = NaN).
    assert_eq!(f64s::powf_f::grad(0.0, 2.0), (0.0, 0.0));
    // On a tensor with p = 0: ∂x = 0 everywhere; ∂p = Σ v·x⁰·ln x, with the
    // x = 0 term masked to 0, so only ln 2 remains.
    let x = Tensor::from(array![0.0, 2.0]);
    let (_, pullback) = f64s::powf_t::vjp(&x, 0.0);
    let (gx, gp) = pullback(&array![1.0, 1.0]);
    assert_eq!(gx, array![0.0, 0.0]);
    gp.check(&std::f64::consts::LN_2, F64_TOL, "powf ∂p at p = 0");
}

#[test]
fn sigmoid_does_not_overflow() {
    // σ(±1000) is 1 and 0; σ' = σ(1 − σ) is 0 at both, never NaN.
    let x = Tensor::from(array![1000.0, -1000.0, 0.0]);
    let (y, pullback) = f64s::sigmoid::t::vjp(&x);
    assert_eq!(y.data(), &array![1.0, 0.0, 0.5]);
    assert_eq!(pullback(&array![1.0, 1.0, 1.0]), array![0.0, 0.0, 0.25]);
    let x32 = x.to32();
    let (y, pullback) = f32s::sigmoid::t::vjp(&x32);
    assert_eq!(y.data(), &array![1.0f32, 0.0, 0.5]);
    assert_eq!(pullback(&array![1.0, 1.0, 1.0]), array![0.0f32, 0.0, 0.25]);
    assert_eq!(f64s::sigmoid::f::grad(-1000.0), 0.0);
}

/// `x.matmul(&w.t())` is fused into one rule; its gradients are those of x·wᵀ.
#[differentiable]
fn linear_t(x: &Tensor<f64, Ix2>, w: &Tensor<f64, Ix2>) -> Scalar<f64> {
    x.matmul(&w.t()).tanh().sum()
}

#[differentiable]
fn linear_t_vec(x: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix2>) -> Scalar<f64> {
    x.matmul(&w.t()).tanh().sum()
}

#[test]
fn fused_matmul_with_transpose() {
    use autograd::ndarray::array;
    let x = Tensor::from(array![[0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]]);
    let w = Tensor::from(array![[0.5, -1.0, 0.2], [0.3, 0.1, -0.5]]);
    // y = x·wᵀ, s = 1 − tanh²(y): ∂x = s·w, ∂w = sᵀ·x
    let y = x.data().dot(&w.data().t());
    let s = y.mapv(|v: f64| 1.0 - v.tanh().powi(2));
    let (gx, gw) = linear_t::grad(&x, &w);
    for (a, b) in gx.iter().zip(s.dot(w.data()).iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    for (a, b) in gw.iter().zip(s.t().dot(x.data()).iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    autograd::gradcheck(
        |(x, w): &(Tensor<f64, Ix2>, Tensor<f64, Ix2>)| linear_t::value_and_grad(x, w),
        &(x.clone(), w.clone()),
    )
    .unwrap();
    let v = Tensor::from(array![0.3, -0.2, 0.9]);
    autograd::gradcheck(
        |(v, w): &(Tensor<f64, Ix1>, Tensor<f64, Ix2>)| linear_t_vec::value_and_grad(v, w),
        &(v, w),
    )
    .unwrap();
}
