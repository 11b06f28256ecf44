//! The inputs of the operator tests in `ops_arith.rs` and `ops_broadcast.rs`
//! (`ops_methods.rs` has its own, chosen for its reductions).

#![allow(dead_code)]

use autograd::ndarray::{array, Array1, Array2};
use autograd::prelude::*;

pub fn x1() -> Tensor<f64, Ix1> {
    Tensor::from(array![0.7, -1.3, 2.1])
}

pub fn y1() -> Tensor<f64, Ix1> {
    Tensor::from(array![1.9, 0.4, -0.6])
}

/// The cotangent of a length-3 output.
pub fn v1() -> Array1<f64> {
    array![0.3, -1.1, 2.5]
}

pub fn m23() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.5, -0.8, 0.6], [-2.2, 0.9, 1.3]])
}

/// The cotangent of a (2, 3) output.
pub fn v23() -> Array2<f64> {
    array![[0.4, -1.2, 0.7], [2.0, 0.5, -0.9]]
}

pub fn scalar(v: f64) -> Scalar<f64> {
    Scalar::scalar(v)
}
