//! PyTorch's autograd for Rust, with the backward pass generated at compile time.
//!
//! placeholder docs
extern crate self as autograd;

pub use autograd_macros::{differentiable, Parameters};
pub use autograd_runtime::*;
pub use ndarray;

/// Everything a `#[differentiable]` user needs.
pub mod prelude {
    pub use autograd_macros::{differentiable, Parameters};
    pub use autograd_runtime::{Float, FloatExt, Graph, Parameters, Scalar, Tensor};
    pub use ndarray::{Axis, Ix0, Ix1, Ix2, Ix3, IxDyn};
}

/// What generated code calls. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use autograd_runtime::rules;
    pub use autograd_runtime::value::{
        accumulate, accumulate_field, accumulate_slot, grad_or_zeros, meta, seed_one, store, val,
        Contribution, Differentiable, GradOf, IsScalar, ScalarCheck, ScalarOutput,
    };
    pub use autograd_runtime::Graph;
}
