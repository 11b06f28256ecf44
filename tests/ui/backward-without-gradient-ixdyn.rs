use autograd::ndarray::{array, IxDyn};
use autograd::prelude::*;

#[differentiable]
fn double(x: &Tensor<f64, IxDyn>) -> Tensor<f64, IxDyn> {
    x * 2.0
}

fn main() {
    let x = Tensor::from(array![1.0, 2.0].into_dyn()).requires_grad();
    // A tensor with a dynamic number of axes may not be a scalar: `backward(&v)`.
    double::forward(&x).backward();
}
