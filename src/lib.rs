//! PyTorch's autograd for Rust, with the backward pass generated at compile time.
//!
//! Put [`#[differentiable]`](macro@differentiable) on an ordinary function; a
//! module of the same name appears beside it with the function's reverse-mode
//! derivative: `f::forward` (a [`Graph`] with `.backward()`), `f::vjp`,
//! `f::grad` and `f::value_and_grad`.
//!
//! ```
//! use autograd::ndarray::array;
//! use autograd::prelude::*;
//!
//! #[differentiable]
//! fn mse(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix2>, y: &Tensor<f64, Ix1>) -> Scalar<f64> {
//!     let err = x.matmul(w) - y;
//!     (&err * &err).mean()
//! }
//!
//! fn main() {
//!     let x = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]]);
//!     let y = Tensor::from(array![1.0, 2.0]);
//!     let w = Tensor::from(array![0.1, -0.2]).requires_grad();
//!
//!     let loss = mse::forward(&w, &x, &y);
//!     loss.backward();
//!     // d/dw mean((xw − y)²) = 2xᵀ(xw − y)/n
//!     let err = x.data().dot(w.data()) - y.data();
//!     let expected = x.data().t().dot(&err) * (2.0 / 2.0);
//!     assert_eq!(w.grad().unwrap(), expected);
//!
//!     // The functional API computes every gradient and touches no leaf.
//!     let (dw, dx, dy) = mse::grad(&w, &x, &y);
//!     assert_eq!(dw, expected);
//!     assert_eq!(dy, -&err);
//!     let _ = dx;
//! }
//! ```
//!
//! The README is the user guide: what code can be differentiated, custom
//! rules, models and training, performance.
extern crate self as autograd;

pub use autograd_macros::{differentiable, Parameters};
pub use autograd_runtime::*;
pub use ndarray;

/// Everything a `#[differentiable]` user needs: the attribute, the tensor
/// types, the element trait, the method traits and ndarray's dimension names.
pub mod prelude {
    pub use autograd_macros::{differentiable, Parameters};
    pub use autograd_runtime::{Float, FloatExt, Graph, Parameters, Scalar, Tensor};
    pub use ndarray::{Axis, Ix0, Ix1, Ix2, Ix3, IxDyn};
}

/// What generated code calls. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    /// The macro's table of operations, one canonical line each (compared
    /// with the runtime's declarations by `tests/op_table.rs`).
    pub use autograd_macros::__op_table;
    /// The runtime's declarations of its operations.
    pub use autograd_runtime::ops::decl::declarations;
    pub use autograd_runtime::ops::update::{added_at, filled, pushed, with_elem};
    pub use autograd_runtime::real::{neg_zero, one, Real};
    pub use autograd_runtime::rules;
    pub use autograd_runtime::value::{
        accumulate, accumulate_field, accumulate_scaled, accumulate_slot, accumulate_twice, again,
        grad_or_zeros, lit, lit_meta, meta, none_like, one_like, same_type, seed_one, store, tie,
        val, witness, Contribution, Differentiable, GradOf, IsScalar, ScalarCheck, ScalarOutput,
    };
    pub use autograd_runtime::Graph;
    /// What generated code allocates, by paths that also resolve in a
    /// `#![no_std]` crate (which has no `::std` in scope).
    pub use std::{borrow::ToOwned, boxed::Box, vec::Vec};
}
