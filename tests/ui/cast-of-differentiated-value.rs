use autograd::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let n = x as i32;
    x * 2.0 + (n as f64)
}

fn main() {}
