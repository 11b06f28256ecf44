//! The inputs of the method tests in `ops_methods.rs` and `ops_softmax.rs`.

#![allow(dead_code)]

use autograd::ndarray::{array, Array1, Array2};
use autograd::prelude::*;

/// The cotangent of a length-3 output.
pub fn v3() -> Array1<f64> {
    array![0.3, -1.1, 2.5]
}

/// Sums of rows, columns and products with the other inputs stay away from
/// zero (no cancellation), and every element is a multiple of 1/8, so that
/// adding ±1000 is exact in `f32` too.
pub fn m23() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.5, -0.75, 0.625], [-1.75, 0.875, 1.25]])
}

/// The cotangent of a (2, 3) output.
pub fn v23() -> Array2<f64> {
    array![[0.4, -1.2, 0.7], [2.0, 0.5, -0.9]]
}

/// The same logical values as `a`, in column-major memory.
pub fn column_major(a: &Array2<f64>) -> Array2<f64> {
    a.t().as_standard_layout().into_owned().reversed_axes()
}
