//! The PyTorch autograd walkthrough, in Rust: `cargo run --release --example quickstart`.

use autograd::ndarray::array;
use autograd::prelude::*;

/// A loss: mean squared error of a linear model.
#[differentiable]
fn mse(w: &Tensor<f64, Ix1>, b: f64, x: &Tensor<f64, Ix2>, y: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let pred = x.matmul(w) + b;
    let err = pred - y;
    (&err * &err).mean()
}

/// A vector-valued function: y = 2x².
#[differentiable]
fn twice_square(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    x * x * 2.0
}

pub fn main() {
    let x = Tensor::from(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let y = Tensor::from(array![1.0, 2.0, 3.0]);
    let w = Tensor::from(array![0.1, -0.2]).requires_grad();

    // loss.backward(): gradients accumulate into the leaves that require grad.
    let loss = mse::forward(&w, 0.5, &x, &y);
    println!("loss = {:.6}", loss.item());
    loss.backward();
    println!("w.grad() = {}", w.grad().unwrap());

    // The functional API, like torch.autograd.grad: every gradient, leaves untouched.
    let (dw, db, _dx, _dy) = mse::grad(&w, 0.5, &x, &y);
    println!("dw = {dw}, db = {db:.6}");

    // A non-scalar output needs an external gradient v: backward(&v) gives vᵀJ.
    let v = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
    twice_square::forward(&v).backward(&[0.1, 1.0, 0.0001]);
    println!(
        "v.grad() = {} (= [0.1, 1.0, 0.0001] * 4v)",
        v.grad().unwrap()
    );

    // Gradients accumulate across backward calls until zero_grad().
    w.zero_grad();
    println!("after zero_grad: w.grad() = {:?}", w.grad());
}
