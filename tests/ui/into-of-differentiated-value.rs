use autograd::prelude::*;

#[differentiable]
fn twice(y: f64) -> f64 {
    y * 2.0
}

// `.into()` as an argument hides its target type from the macro: it says
// what to write. (`let y: f64 = x.into();` states it, and works.)
#[differentiable]
fn f(x: f32) -> f64 {
    twice(x.into())
}

fn main() {}
