//! Values without a gradient — `bool`, `char` and the integers — as parts of
//! differentiated tuples: `let (xx, negative) = if x < 0.0 { (-x, true) } else { (x, false) };`
//! joins a float and a flag. Nothing flows through
//! them, exactly as through a comparison. Their gradient is [`NoGrad`].
//!
//! ```
//! use autograd::prelude::*;
//!
//! #[differentiable]
//! fn reflect(x: f64) -> f64 {
//!     let (xx, negative) = if x < 0.0 { (-x, true) } else { (x, false) };
//!     if negative { -xx.sin() } else { xx.sin() }
//! }
//!
//! // sin(|x|) with the sign put back is sin(x): its derivative is cos(x).
//! let (v, g) = reflect::value_and_grad(-0.5);
//! assert_eq!(v, -(0.5f64).sin());
//! assert_eq!(g, (0.5f64).cos());
//! ```

use std::marker::PhantomData;

use crate::float::Float;
use crate::ops::float_fns::CastRule;
use crate::value::{value_ref_self, Differentiable, GradValue, Meta, ScaleGrad};

/// The gradient of a value that has none (a flag or a count in a tuple).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoGrad;

impl GradValue for NoGrad {
    #[inline]
    fn accumulate(&mut self, _: NoGrad) {}
}

impl<F> ScaleGrad<F> for NoGrad {
    #[inline]
    fn scale(&mut self, _: F) {}
}

macro_rules! constant_value {
    ($($t:ty),*) => {$(
        impl Differentiable for $t {
            type Grad = NoGrad;
            type Shape = ();
            #[inline]
            fn shape_of(&self) {}
            #[inline]
            fn zero_grad_of(_: &()) -> NoGrad {
                NoGrad
            }
        }
    )*};
}

constant_value!(bool, char, usize, isize, u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);
crate::container::element_by_length!(
    bool, char, usize, isize, u8, u16, u32, u64, u128, i8, i16, i32, i64, i128
);
value_ref_self!(bool, char, usize, isize, u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

/// `k as f64` of a count carried in a differentiated tuple: a constant.
macro_rules! constant_cast {
    ($($t:ty),*) => {$(
        impl<B: Float> CastRule<B> for $t {
            #[inline]
            fn fwd(&self, _: &PhantomData<B>) -> B {
                B::from_f64(*self as f64)
            }
            #[inline]
            fn rev0(_: &Meta<$t>, _: &PhantomData<B>, _: &B) -> NoGrad {
                NoGrad
            }
            #[inline]
            fn tan0(_: &Meta<$t>, _: &PhantomData<B>, _: &NoGrad) -> B {
                B::zero()
            }
        }
    )*};
}

constant_cast!(usize, isize, u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);
