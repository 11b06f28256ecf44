use autograd::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = Some(x * 2.0);
    match y {
        Some(v) => v,
        None => 0.0,
    }
}

fn main() {}
