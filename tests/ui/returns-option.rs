use autograd::prelude::*;

#[differentiable]
fn f(x: f64) -> Option<f64> {
    Some(x * 2.0)
}

fn main() {}
