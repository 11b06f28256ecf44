//! `detach()`: PyTorch's `Tensor.detach`, JAX's `lax.stop_gradient`. Inside a
//! body the copy is a constant; outside it is a tensor that does not
//! require grad.

use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn tensor_stop(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    (x * &x.detach()).sum()
}

#[differentiable]
fn float_stop(x: f64) -> f64 {
    x * x.detach() + x.detach().sin()
}

// An intermediate detached: y = eˣ, f = y · stop(y), f' = y · y.
#[differentiable]
fn intermediate_stop(x: f64) -> f64 {
    let y = x.exp();
    y * y.detach()
}

// A target computed from the model, held fixed (a TD target, a baseline).
#[differentiable]
fn fixed_target(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let pred = (w * x).sum();
    let target = (&pred * 0.5 + 1.0).detach();
    let d = &pred - &target;
    &d * &d
}

#[test]
fn no_gradient_flows_through_a_detached_value() {
    let x = Tensor::from(array![1.0, -2.0, 0.5]);
    let (v, g) = tensor_stop::value_and_grad(&x);
    assert_eq!(v.item(), 1.0 + 4.0 + 0.25);
    // torch: (x * x.detach()).sum().backward() gives x.grad == x.
    assert_eq!(g, array![1.0, -2.0, 0.5]);

    let (v, g) = float_stop::value_and_grad(0.3);
    assert_eq!(v, float_stop(0.3));
    assert_eq!(g, 0.3);

    let (v, g) = intermediate_stop::value_and_grad(0.2);
    let y = 0.2f64.exp();
    assert_eq!(v, y * y);
    assert_eq!(g, y * y);
}

#[test]
fn a_detached_target_is_held_fixed() {
    let w = Tensor::from(array![0.5, -1.0]);
    let x = Tensor::from(array![2.0, 1.0]);
    let (v, (g, gx)) = fixed_target::value_and_grad(&w, &x);
    // pred = 0, target = 1: loss 1, d loss / d pred = 2 (pred − target) = −2.
    assert_eq!(v.item(), 1.0);
    assert_eq!(g, array![-4.0, -2.0]);
    assert_eq!(gx, array![-1.0, 2.0]);
}

#[test]
fn outside_a_body_detach_gives_a_tensor_without_grad() {
    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    tensor_stop::forward(&x).backward();
    assert!(x.grad().is_some());
    let d = x.detach();
    assert!(!d.is_requires_grad());
    assert_eq!(d.grad(), None);
    assert_eq!(d.data(), x.data());
    assert_eq!(1.5f64.detach(), 1.5);
}
