use autograd::prelude::*;

// A has_aux function whose auxiliary value has no gradient (a struct) cannot
// be called from another body: the call says so, and what to do instead.
struct Report {
    steps: usize,
}

#[differentiable(has_aux)]
fn reported(x: f64) -> (f64, Report) {
    (x * x, Report { steps: 1 })
}

#[differentiable]
fn outer(x: f64) -> f64 {
    let (v, _r) = reported(x);
    v * 2.0
}

fn main() {}
