use autograd::prelude::*;

struct Circle {
    r: f64,
}

impl Circle {
    #[differentiable]
    fn area(&self) -> f64 {
        self.r * self.r * 3.14
    }
}

fn main() {}
