use autograd::prelude::*;

#[differentiable]
fn f(x: f64, s: &str) -> f64 {
    let k: f64 = s.parse().ok()?;
    x * k
}

fn main() {}
