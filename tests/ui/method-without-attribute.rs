use autograd::prelude::*;

#[derive(Parameters)]
struct Linear {
    weight: Tensor<f64, Ix2>,
}

// No #[differentiable]: the method has no rule; the call says so, names
// the method and says where the attribute goes.
impl Linear {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        x.matmul(&self.weight)
    }
}

#[differentiable]
fn loss(l: &Linear, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    l.forward(x).sum()
}

fn main() {}
