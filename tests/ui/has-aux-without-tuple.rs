use autograd::prelude::*;

// `has_aux` differentiates the first element of a returned tuple: the
// function must return `(value, aux..)`.
#[differentiable(has_aux)]
fn loss(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    x.sum()
}

fn main() {
    // The function stays callable as written.
    let _ = loss(&Tensor::from(autograd::ndarray::array![1.0]));
}
