//! Calls of `#[differentiable]` methods from other differentiated bodies:
//! `layer.forward(&h)` goes through the rule generated beside the method,
//! on a receiver whose type says it has such methods.

/// A type whose `#[differentiable]` methods other bodies may call:
/// `#[derive(Parameters)]` structs, and the type parameters of traits with
/// `#[differentiable]`. Generated code asks for it where it calls a method
/// without a derivative rule, so that a method of a type that has none
/// (a float's, a tensor's) is reported in words.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `#[differentiable]` methods",
    label = "this method has no derivative rule",
    note = "a method of your own type is differentiated when `#[differentiable]` is on the method or on its `impl` block and the type derives `Parameters`; for floats and tensors, write the computation with the methods that have rules (exp, ln, sqrt, powi, sum, matmul, ...) or call a #[differentiable] function"
)]
pub trait HasMethods {
    /// The type whose methods are called: the type itself, or what a box
    /// or a reference holds.
    type Receiver: ?Sized;
    /// `self` as that type.
    fn as_receiver(&self) -> &Self::Receiver;
}

impl<T: HasMethods + ?Sized> HasMethods for &T {
    type Receiver = T::Receiver;
    #[inline(always)]
    fn as_receiver(&self) -> &T::Receiver {
        (**self).as_receiver()
    }
}

/// The receiver of a `#[differentiable]` method call, as the type whose
/// methods have the rules (through boxes and references).
#[inline(always)]
pub fn receiver<T: HasMethods + ?Sized>(value: &T) -> &T::Receiver {
    value.as_receiver()
}
