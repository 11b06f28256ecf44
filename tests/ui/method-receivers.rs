use autograd::prelude::*;

#[derive(Parameters)]
struct Linear {
    weight: Tensor<f64, Ix2>,
}

#[differentiable]
impl Linear {
    // The gradient needs the parameters as they were read.
    fn step(&mut self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        x.matmul(&self.weight)
    }

    fn consume(self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        x.matmul(&self.weight)
    }
}

fn main() {}
