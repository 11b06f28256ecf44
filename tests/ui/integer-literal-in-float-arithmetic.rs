use autograd::prelude::*;

// An integer literal beside a differentiated float is reported at the
// literal, with the float literal to write; every one of them, and integer
// arithmetic on constants stays as it is.
#[differentiable]
fn f(x: f64, n: usize) -> f64 {
    let k = n * 2;
    let mut y = x * 2 + 1.0;
    y *= 3;
    y + (k as f64) - (-1)
}

fn main() {}
