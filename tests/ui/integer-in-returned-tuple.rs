use autograd::prelude::*;

// An integer or a bool in a returned tuple has no gradient: refused at
// its type, with what to write instead.
#[differentiable]
fn split(x: f64, n: usize) -> (f64, (usize, f64), bool) {
    (x * 2.0, (n + 1, x), n > 2)
}

fn main() {}
