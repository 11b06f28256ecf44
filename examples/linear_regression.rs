//! Linear regression with the PyTorch loop: `cargo run --example linear_regression`.
//!
//! Fits y = 3x − 2 (+ noise) with a one-feature linear model, mean squared
//! error and SGD.

use autograd::ndarray::Array2;
use autograd::prelude::*;

#[derive(Parameters)]
struct Linear {
    weight: Tensor<f64, Ix2>,
    bias: Tensor<f64, Ix1>,
}

#[differentiable]
fn loss(m: &Linear, x: &Tensor<f64, Ix2>, y: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let prediction = x.matmul(&m.weight.t()) + &m.bias;
    mse(&prediction, y)
}

pub fn main() {
    let mut rng = Rng::seed_from(0);
    let n = 200;
    let x = Array2::from_shape_fn((n, 1), |_| rng.uniform(-1.0, 1.0));
    let y = x.mapv(|v| 3.0 * v - 2.0 + 0.1 * rng.normal());
    let (x, y) = (Tensor::from(x), Tensor::from(y));

    let mut model = Linear {
        weight: Tensor::zeros((1, 1)),
        bias: Tensor::zeros(1),
    }
    .with_requires_grad();
    let mut optimizer = Sgd::new(0.1).momentum(0.9);
    for epoch in 0..100 {
        let output = loss::forward(&model, &x, &y);
        let value = output.item();
        output.backward();
        optimizer.step(&mut model);
        optimizer.zero_grad(&model);
        if epoch % 20 == 0 || epoch == 99 {
            println!("epoch {epoch:>3}  loss {value:.5}");
        }
    }
    let (w, b) = (model.weight.data()[[0, 0]], model.bias.data()[0]);
    println!("fitted y = {w:.3}x + {b:.3} (true: 3x − 2)");
    assert!((w - 3.0).abs() < 0.05 && (b + 2.0).abs() < 0.05);
}
