use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn square_sum(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    (x * x).sum()
}

fn main() {
    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    let loss = square_sum::forward(&x);
    loss.backward();
    // The graph was consumed by the first backward.
    loss.backward();
}
