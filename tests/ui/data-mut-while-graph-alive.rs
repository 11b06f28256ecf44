use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn square_sum(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    (x * x).sum()
}

fn main() {
    let mut x = Tensor::from(array![1.0, 2.0]).requires_grad();
    let loss = square_sum::forward(&x);
    // The backward pass still needs x's data.
    x.data_mut()[0] = 5.0;
    loss.backward();
}
