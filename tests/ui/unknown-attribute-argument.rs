use autograd::prelude::*;

// The attribute takes one argument, `recursive`.
#[differentiable(fast)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
