use autograd::prelude::*;

// Rows of rows have no gradient type: refused at the parameter's type,
// with what to write instead; a #[no_grad] one is a constant.
#[differentiable]
fn f(y: f64, x: &[Vec<f64>], a: &[[f64; 2]; 2], #[no_grad] c: &[Vec<f64>]) -> f64 {
    x[0][1] * a[1][0] * y * c[0][0]
}

fn main() {}
