use autograd::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad(always)] k: f64) -> f64 {
    x * k
}

fn main() {}
