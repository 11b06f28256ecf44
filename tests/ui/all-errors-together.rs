use autograd::prelude::*;

// Every unsupported construct of one function is reported in one pass.
#[differentiable]
fn f(x: f64) -> f64 {
    let a = unsafe { x };
    let b = x.floor();
    let c = x % 2.0;
    a + b + c
}

fn main() {}
