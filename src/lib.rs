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

/// The whole toolbox: `use autograd::prelude::*;` is the only `autograd`
/// import a program needs.
///
/// It holds the attribute and the derive, the tensor types and their traits
/// ([`Float`], [`FloatExt`], [`trait@Parameters`]), ndarray's axis and
/// dimension names, the losses (each with its `_sum` and `try_` twins), the
/// optimizers and their [`Optimizer`] trait, the learning-rate schedulers
/// with their [`LrScheduler`] trait, [`DataLoader`] with
/// [`split_indices`](crate::data::split_indices) and
/// [`subset`](crate::data::subset), [`fn@concatenate`] and [`fn@stack`],
/// gradient clipping ([`clip_grad_norm`]), the [`init`] module, [`Rng`], and
/// the checks [`gradcheck()`] and [`jacobian()`] with their variants. Other
/// ndarray items (`array!`, `Array2`, `Zip`) come from
/// [`autograd::ndarray`](crate::ndarray).
///
/// ```
/// use autograd::prelude::*;
///
/// #[differentiable]
/// fn loss(w: &Tensor<f64, Ix2>, x: &Tensor<f64, Ix2>, labels: &[usize]) -> Scalar<f64> {
///     cross_entropy(&x.matmul(w), labels)
/// }
///
/// fn main() {
///     let mut rng = Rng::seed_from(0);
///     let mut w: Tensor<f64, Ix2> = init::uniform((2, 3), -0.1, 0.1, &mut rng).requires_grad();
///     let x = autograd::ndarray::array![[1.0, 2.0], [-1.0, 0.5]];
///     let mut opt = Sgd::new(0.1);
///     for (inputs, labels) in DataLoader::new(&x, &[2, 0], 1).iter() {
///         loss::forward(&w, &inputs, &labels).backward();
///         opt.step(&mut w);
///         opt.zero_grad(&w);
///     }
/// }
/// ```
///
/// **ndarray's `stack` and `concatenate`.** The prelude's [`fn@stack`] and
/// [`fn@concatenate`] join tensors (and differentiate inside
/// `#[differentiable]` bodies); ndarray's functions of the same names join
/// array views. `ndarray::prelude::*` does not hold them, so it glob-imports
/// beside this prelude without a clash. A glob import of ndarray's root
/// (`use autograd::ndarray::*;`) does, and then a bare `stack(..)` is
/// ambiguous: rustc warns (`ambiguous_glob_imports`, to become the error
/// E0659) and may pick ndarray's. Name the one you mean with an explicit
/// import, which takes precedence over both globs (`use autograd::stack;`),
/// or call ndarray's by path (`ndarray::stack(..)`).
pub mod prelude {
    pub use autograd_macros::{differentiable, Parameters};
    pub use autograd_runtime::{Float, FloatExt, Graph, Parameters, Scalar, Tensor};
    pub use ndarray::{Axis, Ix0, Ix1, Ix2, Ix3, IxDyn};

    // Losses: each name brings the function and its rule's module, so
    // `#[differentiable]` bodies call them too.
    pub use autograd_runtime::{
        binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_sum, cross_entropy,
        cross_entropy_sum, mse, mse_sum, try_binary_cross_entropy_with_logits,
        try_binary_cross_entropy_with_logits_sum, try_cross_entropy, try_cross_entropy_sum,
        try_mse, try_mse_sum,
    };
    // Joining tensors.
    pub use autograd_runtime::{concatenate, stack, try_concatenate, try_stack};
    // Training.
    pub use autograd_runtime::data::{split_indices, subset, DataLoader};
    pub use autograd_runtime::optim::{
        Adam, AdamW, CosineAnnealingLR, LrScheduler, Optimizer, Sgd, StepLR,
    };
    pub use autograd_runtime::{clip_grad_norm, total_grad_norm, try_clip_grad_norm};
    pub use autograd_runtime::{init, Rng};
    // Checking gradients (the functions only, not the modules of the same names).
    pub use autograd_runtime::gradcheck::{
        gradcheck, gradcheck_hvp, gradcheck_hvp_with, gradcheck_jvp, gradcheck_jvp_with,
        gradcheck_vjp, gradcheck_vjp_with, gradcheck_with, GradcheckOptions,
    };
    pub use autograd_runtime::jacobian::{jacfwd, jacobian, numerical_jacobian};
}

/// What generated code calls. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    /// The macro's table of operations, one canonical line each (compared
    /// with the runtime's declarations by `tests/op_table.rs`).
    pub use autograd_macros::__op_table;
    pub use autograd_runtime::auxiliary::{aux, Aux};
    pub use autograd_runtime::constant::NoGrad;
    pub use autograd_runtime::method::{receiver, HasMethods};
    /// The runtime's declarations of its operations.
    pub use autograd_runtime::ops::decl::declarations;
    pub use autograd_runtime::ops::update::{added_at, filled, pushed, with_elem};
    pub use autograd_runtime::project::{ProjectIndex, ProjectSome};
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
