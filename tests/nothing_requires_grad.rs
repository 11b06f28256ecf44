//! `backward()` when no argument requires grad is a mistake, reported as
//! PyTorch reports it, not a silent no-op.

use autograd::ndarray::array;
use autograd::prelude::*;
use autograd::Error;

#[differentiable]
fn total(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    (x * x).sum()
}

#[differentiable]
fn doubled(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    x * 2.0
}

#[test]
#[should_panic(expected = "no argument of `total` requires grad")]
fn backward_without_a_leaf_that_requires_grad_panics() {
    let x = Tensor::from(array![1.0, 2.0]);
    total::forward(&x).backward();
}

#[test]
fn the_message_names_requires_grad_and_the_fix() {
    let x = Tensor::from(array![1.0, 2.0]);
    let e = total::forward(&x).try_backward(&1.0).unwrap_err();
    assert_eq!(e, Error::NothingRequiresGrad { function: "total" });
    let text = e.to_string();
    assert!(
        text.contains("requires_grad") && text.contains("does not require grad"),
        "{text}"
    );
    let e = doubled::forward(&x).try_backward(&[1.0, 1.0]).unwrap_err();
    assert_eq!(
        e,
        Error::NothingRequiresGrad {
            function: "doubled"
        }
    );
}

#[test]
fn with_a_leaf_that_requires_grad_try_backward_stores() {
    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    total::forward(&x).try_backward(&1.0).unwrap();
    assert_eq!(x.grad().unwrap(), array![2.0, 4.0]);
}
