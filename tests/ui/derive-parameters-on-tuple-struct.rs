use autograd::prelude::*;

// Parameters are named by their fields.
#[derive(Parameters)]
struct Pair(Tensor<f64, Ix1>, Tensor<f64, Ix1>);

fn main() {}
