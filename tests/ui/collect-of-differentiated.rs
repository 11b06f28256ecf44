use autograd::prelude::*;

// Collecting differentiated values into anything but a `Vec` is refused.
#[differentiable]
fn f(x: &[f64]) -> f64 {
    let doubled: Box<[f64]> = x.iter().map(|v| v * 2.0).collect();
    doubled[0]
}

fn main() {}
