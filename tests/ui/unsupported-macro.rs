use autograd::prelude::*;

macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}

// A user's macro: the attribute cannot see what it expands to.
#[differentiable]
fn f(x: f64) -> f64 {
    square!(x) + 1.0
}

fn main() {}
