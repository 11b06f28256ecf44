use autograd::prelude::*;

// `.into()` hides its target type from the macro: it says what to write.
#[differentiable]
fn f(x: f32) -> f64 {
    let y: f64 = x.into();
    y * 2.0
}

fn main() {}
