//! `.item()` inside a body: the float of a scalar tensor, differentiable
//! where it flows to the output (before, the gradient was silently zero),
//! a constant where it is only a condition.

use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn loss_as_float(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix1>) -> f64 {
    let s = (w * x).sum();
    let v = s.item();
    v * v
}

#[differentiable]
fn gated(w: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let s = w.sum();
    // Only a condition: the branch taken decides, no gradient of its own.
    if s.item() > 0.0 {
        &s * 2.0
    } else {
        &s * -1.0
    }
}

#[test]
fn item_on_the_way_to_the_output_is_differentiable() {
    let w = Tensor::from(array![0.5, -1.0]);
    let x = Tensor::from(array![2.0, 3.0]);
    let (v, (g, gx)) = loss_as_float::value_and_grad(&w, &x);
    // s = 1 − 3 = −2; d s² / d w = 2 s x.
    assert_eq!(v, 4.0);
    assert_eq!(g, array![-8.0, -12.0]);
    assert_eq!(gx, array![-2.0, 4.0]);
    let w = Tensor::from(array![0.5, -1.0]).requires_grad();
    loss_as_float::forward(&w, &x).backward();
    assert_eq!(w.grad().unwrap(), array![-8.0, -12.0]);
}

#[test]
fn item_as_a_condition_is_a_constant() {
    let (v, g) = gated::value_and_grad(&Tensor::from(array![1.0, 2.0]));
    assert_eq!(v.item(), 6.0);
    assert_eq!(g, array![2.0, 2.0]);
    let (_, g) = gated::value_and_grad(&Tensor::from(array![-1.0, -2.0]));
    assert_eq!(g, array![-1.0, -1.0]);
}
