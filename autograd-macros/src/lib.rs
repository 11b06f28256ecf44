//! The `#[differentiable]` attribute of `autograd`.
//!
//! It reads an ordinary Rust function and writes, beside it, a module of the
//! same name holding the function's reverse-mode derivative: `forward`,
//! `vjp`, `grad` and `value_and_grad`. See the `autograd` crate for the user
//! documentation; this crate is its implementation.
//!
//! The pipeline (`expand`), one folder or file per step:
//! `signature` (parameters and output) → `check` (unsupported constructs,
//! all reported at once) → `desugar` (ordinary Rust rewritten into the
//! forms the lowering knows) → `lower` (the body to the single-assignment core
//! form of `core`) → `analysis` (one read-only plan) → `emit` (the
//! generated module). `table` is the macro's view of the runtime's
//! operations; `names` mints every identifier the macro invents.

mod analysis;
mod check;
mod core;
mod derive;
mod desugar;
mod emit;
mod errors;
mod expand;
mod lower;
mod method;
mod names;
mod options;
mod plain_fns;
mod signature;
mod signature_aux;
mod table;

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
///
/// Arguments, comma-separated:
///
/// * `recursive`: for functions that call each other (the pullback of
///   `rule` is boxed, so that their types do not contain themselves).
/// * `has_aux`: the function returns `(value, aux..)`, as with
///   `jax.grad(f, has_aux=True)`: only `value` (a float or a tensor) is
///   differentiated; the other elements are auxiliary values of any type,
///   computed in the same forward pass, through which no gradient
///   flows (the backward pass does no work for them). The aux is the second
///   element for a pair, the tuple of the rest otherwise. The function
///   itself still returns the whole tuple; a return type that is not a
///   tuple of at least two elements is an error at the type. Not on
///   methods.
///
/// ```ignore
/// #[differentiable(has_aux)]
/// fn loss(w: &Tensor<f32, Ix2>, x: &Tensor<f32, Ix2>, labels: &[usize]) -> (Scalar<f32>, Tensor<f32, Ix2>) {
///     let logits = x.matmul(w);
///     (cross_entropy(&logits, labels), logits)
/// }
/// // loss::forward(..)          a Graph: .value() the loss, .aux() the logits, .backward() seeds the loss
/// // loss::vjp(..)              ((loss, logits), pullback), pullback(&v) for the loss's cotangent v
/// // loss::grad(..)             ((dw, dx, ()), logits)
/// // loss::value_and_grad(..)   ((loss, logits), (dw, dx, ()))
/// ```
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::guarded(attr.into(), item.into()).into()
}

/// Makes a struct of tensors (and nested such structs) one differentiable
/// value, like a PyTorch `nn.Module`'s parameters.
///
/// Generates `<Name>Grad` (the gradient: one field per field, same names) and
/// implements `Differentiable` (so `#[differentiable]` functions take the
/// model by reference, read its fields, and `backward()` stores gradients in
/// its leaves) and `Parameters` (visit every parameter, `zero_grad_all`,
/// `set_requires_grad_all`, `num_parameters`, `save`/`load`, optimizers).
///
/// Fields holding parameters: `Tensor`s, other `#[derive(Parameters)]`
/// structs, and `Vec<T>`, `[T; N]`, `Option<T>`, `Box<T>` of them, nested to
/// any depth (`layers: Vec<Linear>` is named `layers.0.weight`, ...; its
/// gradient is a `Vec<LinearGrad>`; an `Option` field's gradient is an
/// `Option`). Fields of numbers, `bool`, `char`, `String`, references,
/// tuples or the struct's type parameters are constants: no gradient, not
/// visited, not saved. Mark a field of any other type that holds no
/// parameters (an enum) `#[no_grad]`.
///
/// ```ignore
/// // (Runs as a test of the `autograd` crate, which re-exports the derive.)
/// use autograd::prelude::*;
///
/// #[derive(Clone, Copy)]
/// enum Act { Tanh, Relu }
///
/// #[derive(Parameters)]
/// struct Net {
///     layers: Vec<Tensor<f64, Ix2>>,
///     bias: Option<Tensor<f64, Ix1>>,
///     dropout: f32,
///     #[no_grad]
///     act: Act,
/// }
///
/// let net = Net {
///     layers: vec![Tensor::zeros((2, 2)), Tensor::zeros((2, 1))],
///     bias: None,
///     dropout: 0.1,
///     act: Act::Tanh,
/// };
/// assert_eq!(net.parameter_names(), ["layers.0", "layers.1"]);
/// assert!(matches!(net.act, Act::Tanh) && net.dropout == 0.1);
/// # let _ = Act::Relu;
/// ```
#[proc_macro_derive(Parameters, attributes(no_grad))]
pub fn derive_parameters(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).into()
}

/// The macro's operation table, one canonical line per operation, for the
/// test that compares it with the runtime's declarations.
#[doc(hidden)]
#[proc_macro]
pub fn __op_table(_: TokenStream) -> TokenStream {
    let lines = table::canonical();
    quote::quote!(&[#(#lines),*]).into()
}

#[cfg(test)]
mod expand_tests;

#[cfg(test)]
mod fuzz_tests;
