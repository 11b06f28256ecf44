//! More shapes of user code: calls as arguments, methods on call results,
//! by-value tensor parameters, unary minus, IxDyn tensors, Scalar parameters.

use autograd::ndarray::{array, ArrayD, IxDyn};
use autograd::prelude::*;

#[differentiable]
fn g(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    x * x
}

#[differentiable]
fn h(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    g(&g(x)).sum() + (-g(x)).exp().sum()
}

#[differentiable]
fn by_value(x: Tensor<f64, Ix1>, s: Scalar<f64>) -> Scalar<f64> {
    (&x * &s).sum()
}

#[differentiable]
fn dynamic(x: &Tensor<f64, IxDyn>, w: &Tensor<f64, IxDyn>) -> Scalar<f64> {
    ((x * w).sum_axis(Axis(0)).tanh() - 1.0).mean()
}

#[test]
fn calls_as_arguments_and_methods_on_results() {
    let x = Tensor::from(array![0.5, -1.0]);
    // h = Σx⁴ + Σe^(−x²): ∂h = 4x³ − 2x·e^(−x²)
    let gx = h::grad(&x);
    for (g, x) in gx.iter().zip(x.data().iter()) {
        let e = 4.0 * x * x * x - 2.0 * x * (-x * x).exp();
        assert!((g - e).abs() < 1e-12);
    }
    autograd::gradcheck(|x: &Tensor<f64, Ix1>| h::value_and_grad(x), &x).unwrap();
}

#[test]
fn by_value_and_scalar_parameters() {
    let x = Tensor::from(array![1.0, 2.0]);
    let s = Tensor::scalar(3.0);
    let (gx, gs) = by_value::grad(x.clone(), s.clone());
    assert_eq!(gx, array![3.0, 3.0]);
    assert_eq!(gs, autograd::ndarray::arr0(3.0));
}

#[test]
fn dynamic_dimensions() {
    let x = Tensor::from(
        ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).unwrap(),
    );
    let w = Tensor::from(ArrayD::from_shape_vec(IxDyn(&[3]), vec![1.0, -1.0, 0.5]).unwrap());
    autograd::gradcheck(
        |(x, w): &(Tensor<f64, IxDyn>, Tensor<f64, IxDyn>)| dynamic::value_and_grad(x, w),
        &(x, w),
    )
    .unwrap();
}

/// No parameters at all: a constant; its gradients are `()`.
#[differentiable]
fn constant_value() -> f64 {
    2.5
}

pub(crate) mod visibility {
    use autograd::prelude::*;

    /// Restricted visibility carries over to the generated module.
    #[differentiable]
    pub(crate) fn half(x: f64) -> f64 {
        x * 0.5
    }
}

#[test]
fn no_parameters_and_restricted_visibility() {
    let (v, ()) = constant_value::value_and_grad();
    assert_eq!(v, 2.5);
    assert_eq!(visibility::half::grad(3.0), 0.5);
}

/// `(x * x).sum_axis(..)` is one fused rule; written with a copy of `x` on
/// one side it is two. Both must agree, bit for bit.
#[differentiable]
fn square_sums(x: &Tensor<f64, Ix3>, w: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let z = x * 2.0 - 0.5;
    let s = (&z * &z).sum_axis(Axis(2));
    (s * w).sum()
}

#[differentiable]
fn square_sums_unfused(x: &Tensor<f64, Ix3>, w: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let z = x * 2.0 - 0.5;
    let y = z.clone();
    let s = (&z * &y).sum_axis(Axis(2));
    (s * w).sum()
}

#[test]
fn fused_sum_of_squares() {
    let x = Tensor::from(autograd::ndarray::Array3::from_shape_fn(
        (2, 3, 4),
        |(i, j, k)| (i as f64 - 0.5) * 0.3 + (j as f64) * 0.2 - (k as f64) * 0.15,
    ));
    let w = Tensor::from(autograd::ndarray::array![
        [1.0, -0.5, 2.0],
        [0.25, 1.5, -1.0]
    ]);
    let (v, (gx, gw)) = square_sums::value_and_grad(&x, &w);
    let (v2, (gx2, gw2)) = square_sums_unfused::value_and_grad(&x, &w);
    assert_eq!(v.item(), v2.item());
    assert_eq!(gx, gx2);
    assert_eq!(gw, gw2);
    autograd::gradcheck(
        |(x, w)| square_sums::value_and_grad(x, w),
        &(x.clone(), w.clone()),
    )
    .unwrap();
}
