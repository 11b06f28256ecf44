use autograd::prelude::*;

// The argument of a method with a derivative rule has the wrong type: the
// error lands on the user's call.
#[differentiable]
fn f(x: f64, n: usize) -> f64 {
    x.powf(n)
}

fn main() {}
