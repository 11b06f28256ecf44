use autograd::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x.midpoint(3.0) * x
}

fn main() {}
