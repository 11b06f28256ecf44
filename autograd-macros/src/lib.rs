//! The `#[differentiable]` attribute of `autograd`.
//!
//! It reads an ordinary Rust function and writes, beside it, a module of the
//! same name holding the function's reverse-mode derivative: `forward`,
//! `vjp`, `grad` and `value_and_grad`. See the `autograd` crate for the user
//! documentation; this crate is its implementation.
//!
//! The pipeline, one file per step:
//! `parse` (signature) → `validate` (unsupported constructs, all reported at
//! once) → `lower` (body to straight-line form, `ir`) → `emit` (the generated
//! module) around `sweep` (forward and reverse sweeps as calls to the
//! runtime's derivative rules). Two analyses of the lowered body feed the
//! sweep: `reduction` (loops whose backward runs inside their forward) and
//! `consume` (values an operation may take by value).

mod consume;
mod derive;
mod emit;
mod errors;
mod ir;
mod lower;
mod names;
mod parse;
mod reduction;
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

/// Makes a struct of tensors (and nested such structs) one differentiable
/// value, like a PyTorch `nn.Module`'s parameters.
///
/// Generates `<Name>Grad` (the gradient: one field per field, same names) and
/// implements `Differentiable` (so `#[differentiable]` functions take the
/// model by reference, read its fields, and `backward()` stores gradients in
/// its leaves) and `Parameters` (visit every parameter, `zero_grad_all`,
/// `set_requires_grad_all`, `num_parameters`, `save`/`load`, optimizers).
#[proc_macro_derive(Parameters)]
pub fn derive_parameters(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).into()
}
