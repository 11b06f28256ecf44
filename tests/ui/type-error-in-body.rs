use autograd::prelude::*;

// A type error in the body is reported once, on the user's expression,
// not on the attribute or inside generated code.
#[differentiable]
fn f(x: f64, n: usize) -> f64 {
    let y = x * 2.0;
    y + n
}

fn main() {}
