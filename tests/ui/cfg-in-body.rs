use autograd::prelude::*;

// Which of the two blocks the build keeps is decided after the attribute
// has run: refused, rather than differentiating the wrong one.
#[differentiable]
fn mul_add(x: f64, a: f64, b: f64) -> f64 {
    #[cfg(not(target_feature = "fma"))]
    {
        x * a + b
    }
    #[cfg(target_feature = "fma")]
    {
        x.mul_add(a, b)
    }
}

fn main() {}
