use autograd::prelude::*;

// `println!("{}", x)` is fine; a name inside the string is not renamed
// with the body's values, so it is refused.
#[differentiable]
fn f(x: f64) -> f64 {
    println!("{}", x);
    let y = x * 2.0;
    println!("y = {y:.3}");
    y * y
}

fn main() {}
