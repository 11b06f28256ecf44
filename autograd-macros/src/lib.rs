//! The `#[differentiable]` attribute of `autograd`.
//!
//! It reads an ordinary Rust function and writes, beside it, a module of the
//! same name holding the function's reverse-mode derivative: `forward`,
//! `vjp`, `grad` and `value_and_grad`. See the `autograd` crate for the user
//! documentation; this crate is its implementation.
//!
//! The pipeline, one file per step:
//! `parse` (signature) → `validate` (unsupported constructs, all reported at
//! once) → `lower` (body to straight-line form) → `emit` (forward and
//! reverse sweeps as calls to the runtime's derivative rules).

mod emit;
mod errors;
mod ir;
mod lower;
mod names;
mod parse;
mod rules;
mod sweep;
mod validate;

use proc_macro::TokenStream;

/// Generates the reverse-mode derivative of a function, in a module of the same name.
///
/// ```ignore
/// #[differentiable]
/// fn loss(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
///     (w * x).tanh().sum()
/// }
/// // loss(&w, &x)                   the function, unchanged
/// // loss::forward(&w, &x)          a Graph: .value(), .backward()
/// // loss::vjp(&w, &x)              (value, pullback)
/// // loss::grad(&w, &x)             (dw, dx)
/// // loss::value_and_grad(&w, &x)   (value, (dw, dx))
/// ```
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(attr.into(), item.into()).into()
}

#[cfg(test)]
mod expand_tests;
