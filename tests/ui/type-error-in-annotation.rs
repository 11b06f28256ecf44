use autograd::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y: f32 = x * 2.0;
    let z: f64 = y;
    z
}

fn main() {}
