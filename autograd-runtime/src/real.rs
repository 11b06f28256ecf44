//! What generated code needs of a float type parameter.
//!
//! Published generic numeric code bounds its float type by
//! `num_traits::Float` (with `FromPrimitive`, `FloatConst`, `Sum`), not by
//! this crate's [`Float`]. `#[differentiable]` keeps the user's bounds as
//! written and adds `T: Real` to the generated code for each such
//! parameter. `Real` has no items of its own, and does not bring
//! [`Float`]'s `from_f64` into scope beside `FromPrimitive::from_f64`: it
//! only states that `T` is a float with every derivative rule, which holds
//! for `f32` and `f64`.

use crate::float::Float;
use crate::rules::*;
use crate::value::{Differentiable, Elem, GradValue, ScalarOutput, ValueRef};

/// A float type with every derivative rule: what `#[differentiable]`
/// requires of a type parameter bounded by `num_traits::Float` (it adds
/// `T: Real` to the code it generates). Implemented for every [`Float`]
/// (`f32` and `f64`).
pub trait Real:
    num_traits::Float
    + num_traits::FloatConst
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + std::ops::DivAssign
    + std::fmt::Debug
    + Default
    + Send
    + Sync
    + Differentiable<Grad = Self, Shape = ()>
    + crate::container::Element<Shapes = usize>
    + ScalarOutput
    + GradValue
    + ValueRef<Target = Self>
    + Elem<Elem = Self>
    + 'static
    + AddRule<Self, Output = Self>
    + SubRule<Self, Output = Self>
    + MulRule<Self, Output = Self>
    + DivRule<Self, Output = Self>
    + NegRule<Output = Self>
    + SquareRule<Output = Self>
    + PowiRule
    + PowfRule<Self, Output = Self>
    + MaximumRule<Self, Output = Self>
    + MinimumRule<Self, Output = Self>
    + ClampRule
    + MulAddRule
    + HypotRule<Self>
    + Atan2Rule<Self>
    + CopysignRule<Self>
    + RemEuclidRule<Self>
    + RemRule<Self>
    + LogRule<Self>
    + ToDegreesRule
    + ToRadiansRule
    + CastRule<f64>
    + CastRule<f32>
    + AbsRule
    + AcosRule
    + AcoshRule
    + AsinRule
    + AsinhRule
    + AtanRule
    + AtanhRule
    + CbrtRule
    + CosRule
    + CoshRule
    + Exp2Rule
    + ExpM1Rule
    + ExpRule
    + Ln1pRule
    + LnRule
    + Log10Rule
    + Log2Rule
    + RecipRule
    + ReluRule
    + SigmoidRule
    + SinRule
    + SinhRule
    + SqrtRule
    + TanRule
    + TanhRule
{
}

impl<A: Float> Real for A {}

/// `-0.0` in `T`: where a generated `sum` of a generic float type starts
/// (std's float `sum` starts there, so that a sum of `-0.0`s is `-0.0`).
#[inline(always)]
pub fn neg_zero<T: Real>() -> T {
    -T::zero()
}

/// `1` in `T`: where a generated `product` of a generic float type starts.
#[inline(always)]
pub fn one<T: Real>() -> T {
    T::one()
}
