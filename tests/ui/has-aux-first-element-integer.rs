use autograd::prelude::*;

// The first element is the one differentiated: it must be a float or a
// tensor; the auxiliary values after it may be anything.
#[differentiable(has_aux)]
fn count(x: f64) -> (usize, f64) {
    (3, x)
}

fn main() {}
