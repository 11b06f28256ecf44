use autograd::prelude::*;

// The attribute takes two arguments, `recursive` and `has_aux`.
#[differentiable(fast)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
