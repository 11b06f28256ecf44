use autograd::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x = x * 2.0;
    x
}

fn main() {}
