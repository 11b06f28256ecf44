//! The element trait: the floating-point types a [`Tensor`](crate::Tensor) can differentiate.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// An element type with derivative rules: `f32` or `f64`.
///
/// The trait is sealed, so an integer tensor can never require grad: that is
/// a type error, not a run-time one.
///
/// In code generic over `A: Float`, a float literal cannot stand on the left
/// of a tensor (`2.0 * x`), because Rust's orphan rule forbids the impl; write
/// the constant on the right and convert it: `x * A::from_f64(2.0)`.
///
/// ```
/// use autograd::prelude::*;
/// fn double<A: Float>(x: A) -> A {
///     x * A::from_f64(2.0)
/// }
/// assert_eq!(double(1.5f32), 3.0);
/// ```
pub trait Float:
    sealed::Sealed
    + crate::value::ScalarOutput
    + crate::value::Differentiable<Grad = Self, Shape = ()>
    + crate::container::Element<Shapes = usize>
    + crate::value::GradValue
    + crate::value::ValueRef<Target = Self>
    + num_traits::Float
    + num_traits::FloatConst
    + LinalgScalar
    + ScalarOperand
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + 'static
{
    /// Converts an `f64` constant to this type (rounding for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact for both types).
    fn as_f64(self) -> f64;
    /// Converts a count to this type.
    fn from_usize(n: usize) -> Self;
}

impl Float for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn from_usize(n: usize) -> Self {
        n as f32
    }
}

impl Float for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn from_usize(n: usize) -> Self {
        n as f64
    }
}
