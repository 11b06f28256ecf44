use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn double(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    x * 2.0
}

fn main() {
    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    // A vector output needs an external gradient: `backward(&v)`.
    double::forward(&x).backward();
}
