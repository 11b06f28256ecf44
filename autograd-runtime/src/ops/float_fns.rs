//! Functions of several floats from `std` (`mul_add`, `hypot`, `atan2`,
//! `copysign`, `rem_euclid`, `log`), unit conversions (`to_degrees`,
//! `to_radians`) and conversions between float types: derivative rules.
//!
//! Each is written for floats (`f32`, `f64`), whose forward pass is the
//! `std` function itself, so a differentiated body computes what the plain
//! function computes, bit for bit. `d` is the output's gradient.
//!
//! | op | `y` | gradients | reads |
//! |----|-----|-----------|-------|
//! | `x.mul_add(a, b)` | `x·a + b`, one rounding | `d·a`, `d·x`, `d` | `x`, `a` |
//! | `x.hypot(z)` | `√(x² + z²)` | `d·x / y`, `d·z / y` (0 where `y = 0`) | `x`, `z`, `y` |
//! | `y.atan2(x)` | the angle of `(x, y)` | `d·x / r²`, `−d·y / r²` with `r² = x² + y²` (0 at the origin) | `y`, `x` |
//! | `x.copysign(s)` | `\|x\|` with the sign of `s` | `±d` (`d` where the signs agree), 0 where `x = 0`; 0 for `s` | `x`, `y` |
//! | `x.rem_euclid(m)` | `x − m·q`, `q = x.div_euclid(m)` | `d`, `−d·q` | `x`, `m` |
//! | `x % m` | `x − m·q`, `q = (x / m).trunc()` | `d`, `−d·q` | `x`, `m` |
//! | `x.log(b)` | `ln x / ln b` | `d / (x ln b)`, `−d·y / (b ln b)` | `x`, `b`, `y` |
//! | `x.to_degrees()` | `x·180/π` | `d·180/π` | |
//! | `x.to_radians()` | `x·π/180` | `d·π/180` | |
//! | `x as B`, `B::from(x)` | `x` converted to the float type `B` | `d` converted back | |
//!
//! The special points follow PyTorch's conventions where PyTorch defines
//! them (`copysign` at `x = 0`); where its formula gives `0/0` (`hypot` and
//! `atan2` at the origin), the gradient is 0, the minimum-norm subgradient.
//! `s` in `copysign` and the results of `floor`, `round`, `signum` and
//! casts to integers are piecewise constant: their derivative is 0, as in
//! PyTorch.

use std::marker::PhantomData;

use crate::float::Float;
use crate::value::{Differentiable, Meta};

use super::decl::{ArgKind, OpDecl, Reads as R};

#[rustfmt::skip]
/// Functions of several floats, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "mul_add", rule: "MulAddRule", args: &[ArgKind::Operand, ArgKind::Operand], reads: &[&[R::Value(1)], &[R::Value(0)], &[R::Meta(2)]], caps: &[] },
    OpDecl { name: "hypot", rule: "HypotRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Meta(1), R::Output], &[R::Meta(0), R::Value(1), R::Output]], caps: &[] },
    OpDecl { name: "atan2", rule: "Atan2Rule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Value(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "copysign", rule: "CopysignRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Meta(1), R::Output]], caps: &[] },
    OpDecl { name: "rem_euclid", rule: "RemEuclidRule", args: &[ArgKind::Operand], reads: &[&[R::Meta(0), R::Meta(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "rem", rule: "RemRule", args: &[], reads: &[&[R::Meta(0), R::Meta(1)], &[R::Value(0), R::Value(1)]], caps: &[] },
    OpDecl { name: "log", rule: "LogRule", args: &[ArgKind::Operand], reads: &[&[R::Value(0), R::Value(1)], &[R::Value(1), R::Output]], caps: &[] },
    OpDecl { name: "to_degrees", rule: "ToDegreesRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[] },
    OpDecl { name: "to_radians", rule: "ToRadiansRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[] },
    OpDecl { name: "cast", rule: "CastRule", args: &[ArgKind::Const], reads: &[&[R::Meta(0), R::Const(0)]], caps: &[] },
];

/// The rule of `x.mul_add(a, b)`: `y = x·a + b` rounded once (`std`'s fused
/// multiply-add); `∂y/∂x = a`, `∂y/∂a = x`, `∂y/∂b = 1`.
///
/// ```
/// use autograd::prelude::*;
/// #[differentiable]
/// fn f(x: f64, a: f64) -> f64 {
///     x.mul_add(a, 1.0)
/// }
/// assert_eq!(f::grad(2.0, 3.0), (3.0, 2.0));
/// ```
pub trait MulAddRule: Differentiable + Sized {
    /// `x·a + b` with one rounding.
    fn fwd(&self, a: &Self, b: &Self) -> Self;
    /// The receiver's gradient `d·a`, reading the factor `a`.
    fn rev0(a: &Self, d: &Self::Grad) -> Self::Grad;
    /// The factor's gradient `d·x`, reading the receiver `x`.
    fn rev1(x: &Self, d: &Self::Grad) -> Self::Grad;
    /// The addend's gradient `d`.
    fn rev2(b: &Meta<Self>, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the receiver's tangent `t`: `t·a`.
    fn tan0(a: &Self, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the factor's tangent `t`: `t·x`.
    fn tan1(x: &Self, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the addend's tangent `t`: `t`.
    fn tan2(b: &Meta<Self>, t: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from the factor's tangent `t`: `d·t`.
    fn rev0_tan1(a: &Self, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from the receiver's tangent `t`: `d·t`.
    fn rev1_tan0(x: &Self, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
}

impl<A: Float> MulAddRule for A {
    #[inline]
    fn fwd(&self, a: &A, b: &A) -> A {
        num_traits::Float::mul_add(*self, *a, *b)
    }
    #[inline]
    fn rev0(a: &A, d: &A) -> A {
        *d * *a
    }
    #[inline]
    fn rev1(x: &A, d: &A) -> A {
        *d * *x
    }
    #[inline]
    fn rev2(_: &Meta<A>, d: &A) -> A {
        *d
    }
    #[inline]
    fn tan0(a: &A, t: &A) -> A {
        *t * *a
    }
    #[inline]
    fn tan1(x: &A, t: &A) -> A {
        *t * *x
    }
    #[inline]
    fn tan2(_: &Meta<A>, t: &A) -> A {
        *t
    }
    #[inline]
    fn rev0_tan1(_: &A, t: &A, d: &A) -> A {
        *d * *t
    }
    #[inline]
    fn rev1_tan0(_: &A, t: &A, d: &A) -> A {
        *d * *t
    }
}

/// The rule of `x.hypot(z)`: `y = √(x² + z²)` without overflow;
/// `∂y/∂x = x / y`, `∂y/∂z = z / y`, 0 where `y = 0` (the formula's `0/0`).
///
/// Like every rule of two operands, it takes the second's type as a
/// parameter (implemented for two floats of one type).
pub trait HypotRule<R: Differentiable>: Differentiable + Sized {
    /// `√(x² + z²)`.
    fn fwd(&self, z: &R) -> Self;
    /// The receiver's gradient `d·x / y`, reading `x` and the output `y`.
    fn rev0(x: &Self, z: &Meta<R>, out: &Self, d: &Self::Grad) -> Self::Grad;
    /// The argument's gradient `d·z / y`, reading `z` and the output `y`.
    fn rev1(x: &Meta<Self>, z: &R, out: &Self, d: &Self::Grad) -> R::Grad;
    /// Forward mode: the output's tangent from the receiver's tangent `t`: `t·x / y`.
    fn tan0(x: &Self, z: &Meta<R>, out: &Self, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the argument's tangent `t`: `t·z / y`.
    fn tan1(x: &Meta<Self>, z: &R, out: &Self, t: &R::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from `x`'s tangent `t`, `y` held: `d·t / y`.
    fn rev0_tan0(x: &Self, z: &Meta<R>, out: &Self, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from the output's tangent `t`, `x` held: `−d·x·t / y²`.
    fn rev0_tan_out(
        x: &Self,
        z: &Meta<R>,
        out: &Self,
        t: &Self::Grad,
        d: &Self::Grad,
    ) -> Self::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from `z`'s tangent `t`, `y` held: `d·t / y`.
    fn rev1_tan1(x: &Meta<Self>, z: &R, out: &Self, t: &R::Grad, d: &Self::Grad) -> R::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from the output's tangent `t`, `z` held: `−d·z·t / y²`.
    fn rev1_tan_out(x: &Meta<Self>, z: &R, out: &Self, t: &Self::Grad, d: &Self::Grad) -> R::Grad;
}

fn ratio_or_zero<A: Float>(num: A, den: A) -> A {
    if den == A::zero() {
        A::zero()
    } else {
        num / den
    }
}

impl<A: Float> HypotRule<A> for A {
    #[inline]
    fn fwd(&self, z: &A) -> A {
        num_traits::Float::hypot(*self, *z)
    }
    #[inline]
    fn rev0(x: &A, _: &Meta<A>, out: &A, d: &A) -> A {
        *d * ratio_or_zero(*x, *out)
    }
    #[inline]
    fn rev1(_: &Meta<A>, z: &A, out: &A, d: &A) -> A {
        *d * ratio_or_zero(*z, *out)
    }
    #[inline]
    fn tan0(x: &A, _: &Meta<A>, out: &A, t: &A) -> A {
        *t * ratio_or_zero(*x, *out)
    }
    #[inline]
    fn tan1(_: &Meta<A>, z: &A, out: &A, t: &A) -> A {
        *t * ratio_or_zero(*z, *out)
    }
    #[inline]
    fn rev0_tan0(_: &A, _: &Meta<A>, out: &A, t: &A, d: &A) -> A {
        ratio_or_zero(*d * *t, *out)
    }
    #[inline]
    fn rev0_tan_out(x: &A, _: &Meta<A>, out: &A, t: &A, d: &A) -> A {
        -ratio_or_zero(*d * *x * *t, *out * *out)
    }
    #[inline]
    fn rev1_tan1(_: &Meta<A>, _: &A, out: &A, t: &A, d: &A) -> A {
        ratio_or_zero(*d * *t, *out)
    }
    #[inline]
    fn rev1_tan_out(_: &Meta<A>, z: &A, out: &A, t: &A, d: &A) -> A {
        -ratio_or_zero(*d * *z * *t, *out * *out)
    }
}

/// The rule of `y.atan2(x)`: the angle of the point `(x, y)` in `(−π, π]`;
/// `∂/∂y = x / (x² + y²)`, `∂/∂x = −y / (x² + y²)`, 0 at the origin.
pub trait Atan2Rule<R: Differentiable>: Differentiable + Sized {
    /// `atan2(y, x)` for the receiver `y`.
    fn fwd(&self, x: &R) -> Self;
    /// The receiver's gradient `d·x / (x² + y²)`, reading `y` and `x`.
    fn rev0(y: &Self, x: &R, d: &Self::Grad) -> Self::Grad;
    /// The argument's gradient `−d·y / (x² + y²)`, reading `y` and `x`.
    fn rev1(y: &Self, x: &R, d: &Self::Grad) -> R::Grad;
    /// Forward mode: the output's tangent from the receiver's tangent `t`: `t·x / r²`.
    fn tan0(y: &Self, x: &R, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the argument's tangent `t`: `−t·y / r²`.
    fn tan1(y: &Self, x: &R, t: &R::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from `y`'s tangent `t`: `−2·d·x·y·t / r⁴`.
    fn rev0_tan0(y: &Self, x: &R, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from `x`'s tangent `t`: `d·(y² − x²)·t / r⁴`.
    fn rev0_tan1(y: &Self, x: &R, t: &R::Grad, d: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from `y`'s tangent `t`: `d·(y² − x²)·t / r⁴`.
    fn rev1_tan0(y: &Self, x: &R, t: &Self::Grad, d: &Self::Grad) -> R::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from `x`'s tangent `t`: `2·d·x·y·t / r⁴`.
    fn rev1_tan1(y: &Self, x: &R, t: &R::Grad, d: &Self::Grad) -> R::Grad;
}

impl<A: Float> Atan2Rule<A> for A {
    #[inline]
    fn fwd(&self, x: &A) -> A {
        num_traits::Float::atan2(*self, *x)
    }
    #[inline]
    fn rev0(y: &A, x: &A, d: &A) -> A {
        *d * ratio_or_zero(*x, *x * *x + *y * *y)
    }
    #[inline]
    fn rev1(y: &A, x: &A, d: &A) -> A {
        -*d * ratio_or_zero(*y, *x * *x + *y * *y)
    }
    #[inline]
    fn tan0(y: &A, x: &A, t: &A) -> A {
        *t * ratio_or_zero(*x, *x * *x + *y * *y)
    }
    #[inline]
    fn tan1(y: &A, x: &A, t: &A) -> A {
        -*t * ratio_or_zero(*y, *x * *x + *y * *y)
    }
    #[inline]
    fn rev0_tan0(y: &A, x: &A, t: &A, d: &A) -> A {
        let r2 = *x * *x + *y * *y;
        -ratio_or_zero((*d * *t) * (*x * *y + *x * *y), r2 * r2)
    }
    #[inline]
    fn rev0_tan1(y: &A, x: &A, t: &A, d: &A) -> A {
        let r2 = *x * *x + *y * *y;
        ratio_or_zero((*d * *t) * (*y * *y - *x * *x), r2 * r2)
    }
    #[inline]
    fn rev1_tan0(y: &A, x: &A, t: &A, d: &A) -> A {
        let r2 = *x * *x + *y * *y;
        ratio_or_zero((*d * *t) * (*y * *y - *x * *x), r2 * r2)
    }
    #[inline]
    fn rev1_tan1(y: &A, x: &A, t: &A, d: &A) -> A {
        let r2 = *x * *x + *y * *y;
        ratio_or_zero((*d * *t) * (*x * *y + *x * *y), r2 * r2)
    }
}

/// The rule of `x.copysign(s)`: `|x|` with the sign of `s`; `∂y/∂x = ±1`
/// (`+1` where `y` and `x` have the same sign), 0 where `x = 0` (as
/// PyTorch); the sign `s` is piecewise constant: its gradient is 0, so it
/// has no backward function.
pub trait CopysignRule<R: Differentiable>: Differentiable + Sized {
    /// `|x|` with the sign of `s`.
    fn fwd(&self, s: &R) -> Self;
    /// The receiver's gradient `d·y/x` (0 where `x = 0`), reading `x` and `y`.
    fn rev0(x: &Self, s: &Meta<R>, out: &Self, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `±t` (its derivative is piecewise
    /// constant, so it has no second-order pieces).
    fn tan0(x: &Self, s: &Meta<R>, out: &Self, t: &Self::Grad) -> Self::Grad;
}

impl<A: Float> CopysignRule<A> for A {
    #[inline]
    fn fwd(&self, s: &A) -> A {
        num_traits::Float::copysign(*self, *s)
    }
    #[inline]
    fn rev0(x: &A, _: &Meta<A>, out: &A, d: &A) -> A {
        if *x == A::zero() || x.is_nan() {
            A::zero()
        } else if x.is_sign_negative() == out.is_sign_negative() {
            *d
        } else {
            -*d
        }
    }
    #[inline]
    fn tan0(x: &A, s: &Meta<A>, out: &A, t: &A) -> A {
        <A as CopysignRule<A>>::rev0(x, s, out, t)
    }
}

/// `x.rem_euclid(m)` as `std` computes it for `f32` and `f64`.
fn rem_euclid<A: Float>(x: A, m: A) -> A {
    let r = x % m;
    if r < A::zero() {
        r + m.abs()
    } else {
        r
    }
}

/// `x.div_euclid(m)` as `std` computes it for `f32` and `f64`.
fn div_euclid<A: Float>(x: A, m: A) -> A {
    let q = (x / m).trunc();
    if x % m < A::zero() {
        if m > A::zero() {
            q - A::one()
        } else {
            q + A::one()
        }
    } else {
        q
    }
}

/// The rule of `x.rem_euclid(m)`: `y = x − m·q` with the integer
/// `q = x.div_euclid(m)`, piecewise constant; `∂y/∂x = 1`, `∂y/∂m = −q`
/// (PyTorch's `remainder` gives the same with its own `q`).
pub trait RemEuclidRule<R: Differentiable>: Differentiable + Sized {
    /// The least nonnegative remainder of `x` by `m`, as `std`'s `rem_euclid`.
    fn fwd(&self, m: &R) -> Self;
    /// The receiver's gradient `d`.
    fn rev0(x: &Meta<Self>, m: &Meta<R>, d: &Self::Grad) -> Self::Grad;
    /// The modulus' gradient `−d·q`, reading `x` and `m`.
    fn rev1(x: &Self, m: &R, d: &Self::Grad) -> R::Grad;
    /// Forward mode: the output's tangent from the receiver's tangent `t`: `t`.
    fn tan0(x: &Meta<Self>, m: &Meta<R>, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the modulus' tangent `t`:
    /// `−t·q` (`q` = `x.div_euclid(m)` is piecewise constant, so there are no
    /// second-order pieces).
    fn tan1(x: &Self, m: &R, t: &R::Grad) -> Self::Grad;
}

impl<A: Float> RemEuclidRule<A> for A {
    #[inline]
    fn fwd(&self, m: &A) -> A {
        rem_euclid(*self, *m)
    }
    #[inline]
    fn rev0(_: &Meta<A>, _: &Meta<A>, d: &A) -> A {
        *d
    }
    #[inline]
    fn rev1(x: &A, m: &A, d: &A) -> A {
        -*d * div_euclid(*x, *m)
    }
    #[inline]
    fn tan0(_: &Meta<A>, _: &Meta<A>, t: &A) -> A {
        *t
    }
    #[inline]
    fn tan1(x: &A, m: &A, t: &A) -> A {
        <A as RemEuclidRule<A>>::rev1(x, m, t)
    }
}

/// The rule of `x % m` on floats (C's `fmod`): `y = x − m·q` with the
/// integer `q = (x / m).trunc()`, piecewise constant; `∂y/∂x = 1`,
/// `∂y/∂m = −q` (PyTorch's `fmod` gives the same).
pub trait RemRule<R: Differentiable>: Differentiable + Sized {
    /// The remainder with the sign of `x`, as `%` computes it.
    fn fwd(&self, m: &R) -> Self;
    /// The dividend's gradient `d`.
    fn rev0(x: &Meta<Self>, m: &Meta<R>, d: &Self::Grad) -> Self::Grad;
    /// The divisor's gradient `−d·q`, reading `x` and `m`.
    fn rev1(x: &Self, m: &R, d: &Self::Grad) -> R::Grad;
    /// Forward mode: the output's tangent from the receiver's tangent `t`: `t`.
    fn tan0(x: &Meta<Self>, m: &Meta<R>, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the modulus' tangent `t`:
    /// `−t·q` (`q` = `(x / m).trunc()` is piecewise constant, so there are no
    /// second-order pieces).
    fn tan1(x: &Self, m: &R, t: &R::Grad) -> Self::Grad;
}

impl<A: Float> RemRule<A> for A {
    #[inline]
    fn fwd(&self, m: &A) -> A {
        *self % *m
    }
    #[inline]
    fn rev0(_: &Meta<A>, _: &Meta<A>, d: &A) -> A {
        *d
    }
    #[inline]
    fn rev1(x: &A, m: &A, d: &A) -> A {
        -*d * (*x / *m).trunc()
    }
    #[inline]
    fn tan0(_: &Meta<A>, _: &Meta<A>, t: &A) -> A {
        *t
    }
    #[inline]
    fn tan1(x: &A, m: &A, t: &A) -> A {
        <A as RemRule<A>>::rev1(x, m, t)
    }
}

/// The rule of `x.log(b)`: the logarithm of `x` in base `b`,
/// `y = ln x / ln b` (as `std` computes it); `∂y/∂x = 1 / (x ln b)`,
/// `∂y/∂b = −y / (b ln b)`.
///
/// ```
/// use autograd::prelude::*;
/// #[differentiable]
/// fn f(x: f64) -> f64 {
///     x.log(2.0)
/// }
/// assert!((f::grad(4.0) - 1.0 / (4.0 * 2f64.ln())).abs() < 1e-15);
/// ```
pub trait LogRule<R: Differentiable>: Differentiable + Sized {
    /// `ln x / ln b`.
    fn fwd(&self, b: &R) -> Self;
    /// The argument's gradient `d / (x ln b)`, reading `x` and `b`.
    fn rev0(x: &Self, b: &R, d: &Self::Grad) -> Self::Grad;
    /// The base's gradient `−d·y / (b ln b)`, reading `b` and the output `y`.
    fn rev1(b: &R, out: &Self, d: &Self::Grad) -> R::Grad;
    /// Forward mode: the output's tangent from the argument's tangent `t`: `t / (x ln b)`.
    fn tan0(x: &Self, b: &R, t: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent from the base's tangent `t`: `−t·y / (b ln b)`.
    fn tan1(b: &R, out: &Self, t: &R::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from `x`'s tangent `t`: `−d·t / (x² ln b)`.
    fn rev0_tan0(x: &Self, b: &R, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev0`](Self::rev0)'s tangent from `b`'s tangent `t`: `−d·t / (x·b·ln² b)`.
    fn rev0_tan1(x: &Self, b: &R, t: &R::Grad, d: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from `b`'s tangent `t`, `y` held:
    /// `d·y·t·(1 + ln b) / (b ln b)²`.
    fn rev1_tan1(b: &R, out: &Self, t: &R::Grad, d: &Self::Grad) -> R::Grad;
    /// Forward over reverse: [`rev1`](Self::rev1)'s tangent from the output's tangent `t`, `b` held:
    /// `−d·t / (b ln b)`.
    fn rev1_tan_out(b: &R, out: &Self, t: &Self::Grad, d: &Self::Grad) -> R::Grad;
}

impl<A: Float> LogRule<A> for A {
    #[inline]
    fn fwd(&self, b: &A) -> A {
        num_traits::Float::log(*self, *b)
    }
    #[inline]
    fn rev0(x: &A, b: &A, d: &A) -> A {
        *d / (*x * b.ln())
    }
    #[inline]
    fn rev1(b: &A, out: &A, d: &A) -> A {
        -*d * *out / (*b * b.ln())
    }
    #[inline]
    fn tan0(x: &A, b: &A, t: &A) -> A {
        *t / (*x * b.ln())
    }
    #[inline]
    fn tan1(b: &A, out: &A, t: &A) -> A {
        -*t * *out / (*b * b.ln())
    }
    #[inline]
    fn rev0_tan0(x: &A, b: &A, t: &A, d: &A) -> A {
        -*d * *t / (*x * *x * b.ln())
    }
    #[inline]
    fn rev0_tan1(x: &A, b: &A, t: &A, d: &A) -> A {
        -*d * *t / (*x * *b * b.ln() * b.ln())
    }
    #[inline]
    fn rev1_tan1(b: &A, out: &A, t: &A, d: &A) -> A {
        let bl = *b * b.ln();
        *d * *out * *t * (A::one() + b.ln()) / (bl * bl)
    }
    #[inline]
    fn rev1_tan_out(b: &A, _: &A, t: &A, d: &A) -> A {
        -*d * *t / (*b * b.ln())
    }
}

/// The rule of `x.to_degrees()`: `y = x·180/π`, `dy/dx = 180/π`.
///
/// The gradient is `d.to_degrees()`, the same product `std` computes.
pub trait ToDegreesRule: Differentiable + Sized {
    /// `x` in degrees.
    fn fwd(&self) -> Self;
    /// The gradient `d·180/π`.
    fn rev0(x: &Meta<Self>, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `t.to_degrees()`.
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> Self::Grad;
}

impl<A: Float> ToDegreesRule for A {
    #[inline]
    fn fwd(&self) -> A {
        num_traits::Float::to_degrees(*self)
    }
    #[inline]
    fn rev0(_: &Meta<A>, d: &A) -> A {
        num_traits::Float::to_degrees(*d)
    }
    #[inline]
    fn tan0(_: &Meta<A>, t: &A) -> A {
        num_traits::Float::to_degrees(*t)
    }
}

/// The rule of `x.to_radians()`: `y = x·π/180`, `dy/dx = π/180`.
pub trait ToRadiansRule: Differentiable + Sized {
    /// `x` in radians.
    fn fwd(&self) -> Self;
    /// The gradient `d·π/180`.
    fn rev0(x: &Meta<Self>, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `t.to_radians()`.
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> Self::Grad;
}

impl<A: Float> ToRadiansRule for A {
    #[inline]
    fn fwd(&self) -> A {
        num_traits::Float::to_radians(*self)
    }
    #[inline]
    fn rev0(_: &Meta<A>, d: &A) -> A {
        num_traits::Float::to_radians(*d)
    }
    #[inline]
    fn tan0(_: &Meta<A>, t: &A) -> A {
        num_traits::Float::to_radians(*t)
    }
}

/// The rule of a conversion between float types, `x as B` or `B::from(x)`:
/// `y = x` rounded to `B`; the gradient is `d` converted back to `x`'s type.
/// The target type comes as a `PhantomData<B>`.
///
/// ```
/// use autograd::prelude::*;
/// #[differentiable]
/// fn f(x: f64) -> f32 {
///     let y = x as f32;
///     y * y
/// }
/// assert_eq!(f::grad(1.5), 3.0);
/// ```
pub trait CastRule<B>: Differentiable {
    /// `x` converted to `B`, as `x as B` does.
    fn fwd(&self, to: &PhantomData<B>) -> B;
    /// The gradient `d` converted back to the input's type.
    fn rev0(x: &Meta<Self>, to: &PhantomData<B>, d: &B) -> Self::Grad;
    /// Forward mode: the output's tangent, `t` converted to `B`.
    fn tan0(x: &Meta<Self>, to: &PhantomData<B>, t: &Self::Grad) -> B;
}

impl<A: Float, B: Float> CastRule<B> for A {
    #[inline]
    fn fwd(&self, _: &PhantomData<B>) -> B {
        B::from_f64(self.as_f64())
    }
    #[inline]
    fn rev0(_: &Meta<A>, _: &PhantomData<B>, d: &B) -> A {
        A::from_f64(d.as_f64())
    }
    #[inline]
    fn tan0(_: &Meta<A>, _: &PhantomData<B>, t: &A) -> B {
        B::from_f64(t.as_f64())
    }
}

#[cfg(test)]
mod tangent_tests;
#[cfg(test)]
mod tests;
