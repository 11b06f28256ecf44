use autograd::ndarray::array;
use autograd::prelude::*;

fn main() {
    // Only f32 and f64 tensors can be leaves of a differentiated computation.
    let _t = Tensor::from(array![1i64, 2, 3]).requires_grad();
}
