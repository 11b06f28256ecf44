use autograd::prelude::*;

// An f32 where f64 is expected is reported at the user's expression (the
// returned value, the branch, the argument, the operator), never at the
// attribute or at a parameter in the signature.
#[differentiable]
fn returned(x: f32) -> f64 {
    x * 2.0
}

#[differentiable]
fn branch(x: f64, y: f32) -> f64 {
    let z = if x > 0.0 { x } else { y };
    z
}

#[differentiable]
fn helper(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn argument(y: f32) -> f64 {
    helper(y)
}

#[differentiable]
fn operator(x: f64, y: f32) -> f64 {
    x * y
}

fn main() {}
