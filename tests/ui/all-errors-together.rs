use autograd::prelude::*;

// Every unsupported construct of one function is reported in one pass.
#[differentiable]
fn f(x: f64) -> f64 {
    let a = unsafe { x };
    let b = x.to_bits() as f64;
    let c = x.midpoint(1.0);
    a + b + c
}

fn main() {}
