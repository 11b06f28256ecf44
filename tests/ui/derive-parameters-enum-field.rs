// A field whose type holds no parameters and is not a number, a flag or a
// string must be marked `#[no_grad]`: the derive cannot see that `Activation`
// is an enum.
use autograd::prelude::*;

#[derive(Clone, Copy)]
enum Activation {
    Tanh,
    Relu,
}

#[derive(Parameters)]
struct Layer {
    weight: Tensor<f64, Ix2>,
    act: Activation,
}

fn main() {
    let _ = Activation::Relu;
    let _ = Activation::Tanh;
}
