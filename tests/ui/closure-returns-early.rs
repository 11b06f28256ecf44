use autograd::prelude::*;

// A closure's `return` would leave the function once inlined: refused.
#[differentiable]
fn f(x: f64) -> f64 {
    let g = |v: f64| {
        if v > 1.0 {
            return v;
        }
        v * 2.0
    };
    g(x)
}

fn main() {}
