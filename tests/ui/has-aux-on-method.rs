use autograd::prelude::*;

struct Model {
    w: Tensor<f64, Ix1>,
}

// A method has no `grad` or `forward` of its own: `has_aux` belongs on the
// free function that calls it.
impl Model {
    #[differentiable(has_aux)]
    fn loss(&self, x: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>) {
        let y = &self.w * x;
        (y.sum(), y)
    }
}

fn main() {}
