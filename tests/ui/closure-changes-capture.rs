use autograd::prelude::*;

// A named closure that changes what it captures: refused (a `for` loop says it).
#[differentiable]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = |v: f64| total += v;
    add(x);
    add(x * 2.0);
    total
}

fn main() {}
