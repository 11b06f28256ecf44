use autograd::prelude::*;

// An array of differentiated values holds floats: arrays of arrays or of
// tuples are refused at each inner element. Constant tables still work.
#[differentiable]
fn f(x: f64, i: usize) -> f64 {
    let table = [[1.0, 2.0], [3.0, 4.0]];
    let a = [[x, 1.0], [2.0, x]];
    let t = [(1.0, 2.0), (3.0, x)];
    a[0][0] * table[i][1] * t[1].1
}

fn main() {}
