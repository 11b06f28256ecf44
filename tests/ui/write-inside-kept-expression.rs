use autograd::prelude::*;

// `count()` of a chain is a constant, kept whole: a write inside it would be
// invisible to the gradient (and to the values after it).
#[differentiable]
fn squares(x: &[f64; 2]) -> f64 {
    let mut out = [0.0; 2];
    x.iter().zip(out.iter_mut()).map(|(&v, o)| *o = v * v).count();
    out[0] + out[1]
}

#[differentiable]
fn total(x: f64, #[no_grad] c: &[f64]) -> f64 {
    let mut t = 1.0;
    let n = c.iter().map(|v| t += v).count();
    t * x + n as f64
}

fn main() {}
