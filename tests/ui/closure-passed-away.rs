use autograd::prelude::*;

fn apply(g: impl Fn(f64) -> f64, v: f64) -> f64 {
    g(v)
}

// A closure that reads a differentiated value, handed to a function.
#[differentiable]
fn f(x: f64) -> f64 {
    let g = |v: f64| v * x;
    apply(g, 2.0)
}

fn main() {}
