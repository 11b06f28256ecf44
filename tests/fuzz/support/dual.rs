//! Forward-mode dual numbers: the exact-gradient oracle of the fuzzer.
//!
//! This file is compiled twice: into the fuzz test itself (so its self-tests
//! can use it) and, through `include_str!`, into every generated crate, where
//! each generated body is printed a second time over [`Dual`] (and [`DT`] for
//! tensor bodies). Running that version once per input direction gives the
//! exact derivative, with no step size to choose.
//!
//! Besides the value `v` and the tangent `d`, a [`Dual`] carries `m`: the same
//! chain rule over absolute values (`Σ |∂|` along every path). Reverse mode
//! sums the same products in another order, so the two gradients may differ
//! by a few ulps *of `m`*, not of `d`: `m` scales the comparison tolerance
//! where terms cancel.
//!
//! Derivative formulas follow the runtime's rules where the choice changes
//! rounding (`tanh' = 1 − y²`, `σ' = y(1 − y)`, `recip' = −y²`), and its
//! conventions at non-smooth points (`abs'(0) = 0`, ties of `max`/`min` split
//! the gradient half and half).
#![allow(dead_code)]

use std::cmp::Ordering;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

thread_local! {
    /// Set when a selection (`max`, `min`) drops a side whose derivative is
    /// not finite: forward mode loses it, but reverse mode, as PyTorch's,
    /// sends that side a zero gradient, and `0 · ∞` makes it NaN there.
    pub static DROPPED_INFINITE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Notes that `dropped` is not selected.
fn drop_side(dropped: &Dual) {
    if !dropped.d.is_finite() || !dropped.m.is_finite() {
        DROPPED_INFINITE.with(|f| f.set(true));
    }
}

/// A value with one directional derivative and its absolute-value twin.
#[derive(Clone, Copy, Debug)]
pub struct Dual {
    /// The value, computed by the same `f64` operations as the plain function.
    pub v: f64,
    /// The derivative along the seeded direction.
    pub d: f64,
    /// The derivative with every partial replaced by its absolute value.
    pub m: f64,
}

/// A constant: no derivative.
pub fn dc(v: f64) -> Dual {
    Dual { v, d: 0.0, m: 0.0 }
}

/// An input: derivative `d` along the seeded direction (1 or 0).
pub fn dvar(v: f64, d: f64) -> Dual {
    Dual { v, d, m: d.abs() }
}

/// `k · x.d` that stays 0 when `x` is a constant (even for an infinite `k`).
fn term(k: f64, x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        k * x
    }
}

impl Dual {
    /// The result `v` of a one-argument function with slope `k` at `self`.
    fn unary(self, v: f64, k: f64) -> Dual {
        Dual {
            v,
            d: term(k, self.d),
            m: term(k.abs(), self.m),
        }
    }

    /// The result `v` of a two-argument function with slopes `ka`, `kb`.
    fn binary(v: f64, a: Dual, ka: f64, b: Dual, kb: f64) -> Dual {
        Dual {
            v,
            d: term(ka, a.d) + term(kb, b.d),
            m: term(ka.abs(), a.m) + term(kb.abs(), b.m),
        }
    }

    pub fn sin(self) -> Dual {
        self.unary(self.v.sin(), self.v.cos())
    }
    pub fn cos(self) -> Dual {
        self.unary(self.v.cos(), -self.v.sin())
    }
    pub fn tanh(self) -> Dual {
        let y = self.v.tanh();
        self.unary(y, 1.0 - y * y)
    }
    pub fn exp(self) -> Dual {
        let y = self.v.exp();
        self.unary(y, y)
    }
    pub fn ln(self) -> Dual {
        self.unary(self.v.ln(), 1.0 / self.v)
    }
    pub fn sqrt(self) -> Dual {
        let y = self.v.sqrt();
        self.unary(y, 0.5 / y)
    }
    pub fn abs(self) -> Dual {
        let s = if self.v > 0.0 {
            1.0
        } else if self.v < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.unary(self.v.abs(), s)
    }
    pub fn recip(self) -> Dual {
        let y = self.v.recip();
        self.unary(y, -y * y)
    }
    /// The same formula as the runtime's `FloatExt::sigmoid`, so values agree bit for bit.
    pub fn sigmoid(self) -> Dual {
        let y = if self.v >= 0.0 {
            1.0 / (1.0 + (-self.v).exp())
        } else {
            let e = self.v.exp();
            e / (1.0 + e)
        };
        self.unary(y, y * (1.0 - y))
    }
    pub fn powi(self, n: i32) -> Dual {
        let k = if n == 0 {
            0.0
        } else {
            f64::from(n) * self.v.powi(n - 1)
        };
        self.unary(self.v.powi(n), k)
    }
    /// `xᵖ` for a differentiated exponent: `∂x = p·xᵖ⁻¹`, `∂p = xᵖ·ln x`.
    pub fn powf(self, p: Dual) -> Dual {
        let y = self.v.powf(p.v);
        let kx = p.v * self.v.powf(p.v - 1.0);
        Dual::binary(y, self, kx, p, y * self.v.ln())
    }
    /// `max`, as `f64::max`, giving half the gradient to each side of a tie.
    pub fn max(self, o: Dual) -> Dual {
        Dual::select(self.v.max(o.v), self, o, self.v.partial_cmp(&o.v))
    }
    /// `min`, as `f64::min`, giving half the gradient to each side of a tie.
    pub fn min(self, o: Dual) -> Dual {
        Dual::select(self.v.min(o.v), self, o, o.v.partial_cmp(&self.v))
    }
    /// `x.mul_add(a, b)`, one rounding as `f64::mul_add`.
    pub fn mul_add(self, a: Dual, b: Dual) -> Dual {
        let v = self.v.mul_add(a.v, b.v);
        Dual {
            v,
            d: term(a.v, self.d) + term(self.v, a.d) + b.d,
            m: term(a.v.abs(), self.m) + term(self.v.abs(), a.m) + b.m,
        }
    }
    /// `√(x² + z²)`, with the runtime's 0 slope at the origin.
    pub fn hypot(self, z: Dual) -> Dual {
        let v = self.v.hypot(z.v);
        let (kx, kz) = if v == 0.0 {
            (0.0, 0.0)
        } else {
            (self.v / v, z.v / v)
        };
        Dual::binary(v, self, kx, z, kz)
    }
    /// `atan2(y, x)` for `self = y`, with the runtime's 0 slope at the origin.
    pub fn atan2(self, x: Dual) -> Dual {
        let r2 = x.v * x.v + self.v * self.v;
        let (ky, kx) = if r2 == 0.0 {
            (0.0, 0.0)
        } else {
            (x.v / r2, -(self.v / r2))
        };
        Dual::binary(self.v.atan2(x.v), self, ky, x, kx)
    }
    /// `|x|` with the sign of `s`: slope ±1 (0 at 0); `s` is piecewise constant.
    pub fn copysign(self, s: Dual) -> Dual {
        let v = self.v.copysign(s.v);
        let k = if self.v == 0.0 || self.v.is_nan() {
            0.0
        } else if self.v.is_sign_negative() == v.is_sign_negative() {
            1.0
        } else {
            -1.0
        };
        self.unary(v, k)
    }
    /// Piecewise constant.
    pub fn floor(self) -> Dual {
        dc(self.v.floor())
    }

    /// `order` is `Greater` when `a` is selected. A NaN side is never
    /// selected (`f64::max` and `f64::min` give the other), so it gets
    /// no gradient.
    fn select(v: f64, a: Dual, b: Dual, order: Option<Ordering>) -> Dual {
        if a.v.is_nan() != b.v.is_nan() {
            return if a.v.is_nan() {
                drop_side(&a);
                Dual { v, ..b }
            } else {
                drop_side(&b);
                Dual { v, ..a }
            };
        }
        match order {
            Some(Ordering::Greater) => {
                drop_side(&b);
                Dual { v, ..a }
            }
            Some(Ordering::Less) => {
                drop_side(&a);
                Dual { v, ..b }
            }
            _ => Dual::binary(v, a, 0.5, b, 0.5),
        }
    }
}

/// What an operand of a dual operator can be.
pub trait IntoDual {
    fn dual(self) -> Dual;
}
impl IntoDual for Dual {
    fn dual(self) -> Dual {
        self
    }
}
impl IntoDual for &Dual {
    fn dual(self) -> Dual {
        *self
    }
}
impl IntoDual for f64 {
    fn dual(self) -> Dual {
        dc(self)
    }
}
impl IntoDual for &f64 {
    fn dual(self) -> Dual {
        dc(*self)
    }
}

fn add(a: Dual, b: Dual) -> Dual {
    Dual::binary(a.v + b.v, a, 1.0, b, 1.0)
}
fn sub(a: Dual, b: Dual) -> Dual {
    Dual::binary(a.v - b.v, a, 1.0, b, -1.0)
}
fn mul(a: Dual, b: Dual) -> Dual {
    Dual::binary(a.v * b.v, a, b.v, b, a.v)
}
fn div(a: Dual, b: Dual) -> Dual {
    let v = a.v / b.v;
    Dual::binary(v, a, 1.0 / b.v, b, -v / b.v)
}

/// The four operators for a left operand type, with any `IntoDual` on the right.
macro_rules! dual_left {
    ($($L:ty),*) => {$(
        impl<R: IntoDual> Add<R> for $L { type Output = Dual; fn add(self, r: R) -> Dual { add(self.dual(), r.dual()) } }
        impl<R: IntoDual> Sub<R> for $L { type Output = Dual; fn sub(self, r: R) -> Dual { sub(self.dual(), r.dual()) } }
        impl<R: IntoDual> Mul<R> for $L { type Output = Dual; fn mul(self, r: R) -> Dual { mul(self.dual(), r.dual()) } }
        impl<R: IntoDual> Div<R> for $L { type Output = Dual; fn div(self, r: R) -> Dual { div(self.dual(), r.dual()) } }
        impl Neg for $L { type Output = Dual; fn neg(self) -> Dual { let a = self.dual(); a.unary(-a.v, -1.0) } }
    )*};
}
dual_left!(Dual, &Dual);

/// Plain floats on the left of a dual operand.
macro_rules! float_left {
    ($($L:ty => $R:ty),*) => {$(
        impl Add<$R> for $L { type Output = Dual; fn add(self, r: $R) -> Dual { add(self.dual(), r.dual()) } }
        impl Sub<$R> for $L { type Output = Dual; fn sub(self, r: $R) -> Dual { sub(self.dual(), r.dual()) } }
        impl Mul<$R> for $L { type Output = Dual; fn mul(self, r: $R) -> Dual { mul(self.dual(), r.dual()) } }
        impl Div<$R> for $L { type Output = Dual; fn div(self, r: $R) -> Dual { div(self.dual(), r.dual()) } }
    )*};
}
float_left!(f64 => Dual, f64 => &Dual, &f64 => Dual, &f64 => &Dual);

impl<R: IntoDual> AddAssign<R> for Dual {
    fn add_assign(&mut self, r: R) {
        *self = add(*self, r.dual());
    }
}
impl<R: IntoDual> SubAssign<R> for Dual {
    fn sub_assign(&mut self, r: R) {
        *self = sub(*self, r.dual());
    }
}
impl<R: IntoDual> MulAssign<R> for Dual {
    fn mul_assign(&mut self, r: R) {
        *self = mul(*self, r.dual());
    }
}
impl<R: IntoDual> DivAssign<R> for Dual {
    fn div_assign(&mut self, r: R) {
        *self = div(*self, r.dual());
    }
}

/// `x % m`: slope 1 in `x`, `−trunc(x/m)` in `m`.
impl<R: IntoDual> std::ops::Rem<R> for Dual {
    type Output = Dual;
    fn rem(self, r: R) -> Dual {
        let m = r.dual();
        Dual::binary(self.v % m.v, self, 1.0, m, -(self.v / m.v).trunc())
    }
}

/// `std`'s float `sum` starts from `-0.0`.
impl std::iter::Sum for Dual {
    fn sum<I: Iterator<Item = Dual>>(iter: I) -> Dual {
        iter.fold(dc(-0.0), |a, b| a + b)
    }
}

/// Comparisons read the value only, so both versions take the same branches.
impl PartialEq for Dual {
    fn eq(&self, o: &Dual) -> bool {
        self.v == o.v
    }
}
impl PartialOrd for Dual {
    fn partial_cmp(&self, o: &Dual) -> Option<Ordering> {
        self.v.partial_cmp(&o.v)
    }
}
impl PartialEq<f64> for Dual {
    fn eq(&self, o: &f64) -> bool {
        self.v == *o
    }
}
impl PartialOrd<f64> for Dual {
    fn partial_cmp(&self, o: &f64) -> Option<Ordering> {
        self.v.partial_cmp(o)
    }
}

/// A dual tensor: the dual version of both `Tensor<f64, Ix1>` and `Scalar<f64>`
/// (a scalar is one element; operators broadcast a one-element operand).
#[derive(Clone, Debug)]
pub struct DT(pub Vec<Dual>);

/// What an operand of a dual tensor operator can be.
pub trait IntoDT {
    fn dt(self) -> DT;
}
impl IntoDT for DT {
    fn dt(self) -> DT {
        self
    }
}
impl IntoDT for &DT {
    fn dt(self) -> DT {
        self.clone()
    }
}
impl IntoDT for Dual {
    fn dt(self) -> DT {
        DT(vec![self])
    }
}
impl IntoDT for f64 {
    fn dt(self) -> DT {
        DT(vec![dc(self)])
    }
}

/// Elementwise `f(a, b)`, broadcasting a one-element side.
fn zip(a: DT, b: DT, f: fn(Dual, Dual) -> Dual) -> DT {
    let n = a.0.len().max(b.0.len());
    let pick = |t: &DT, i: usize| if t.0.len() == 1 { t.0[0] } else { t.0[i] };
    assert!(
        a.0.len() == n || a.0.len() == 1,
        "dual tensors of lengths {} and {}",
        a.0.len(),
        b.0.len()
    );
    assert!(
        b.0.len() == n || b.0.len() == 1,
        "dual tensors of lengths {} and {}",
        a.0.len(),
        b.0.len()
    );
    DT((0..n).map(|i| f(pick(&a, i), pick(&b, i))).collect())
}

macro_rules! dt_left {
    ($($L:ty),*) => {$(
        impl<R: IntoDT> Add<R> for $L { type Output = DT; fn add(self, r: R) -> DT { zip(self.dt(), r.dt(), add) } }
        impl<R: IntoDT> Sub<R> for $L { type Output = DT; fn sub(self, r: R) -> DT { zip(self.dt(), r.dt(), sub) } }
        impl<R: IntoDT> Mul<R> for $L { type Output = DT; fn mul(self, r: R) -> DT { zip(self.dt(), r.dt(), mul) } }
        impl<R: IntoDT> Div<R> for $L { type Output = DT; fn div(self, r: R) -> DT { zip(self.dt(), r.dt(), div) } }
        impl Neg for $L { type Output = DT; fn neg(self) -> DT { DT(self.dt().0.into_iter().map(|x| -x).collect()) } }
    )*};
}
dt_left!(DT, &DT);

impl<R: IntoDT> AddAssign<R> for DT {
    fn add_assign(&mut self, r: R) {
        *self = zip(std::mem::replace(self, DT(Vec::new())), r.dt(), add);
    }
}
impl<R: IntoDT> SubAssign<R> for DT {
    fn sub_assign(&mut self, r: R) {
        *self = zip(std::mem::replace(self, DT(Vec::new())), r.dt(), sub);
    }
}
impl<R: IntoDT> MulAssign<R> for DT {
    fn mul_assign(&mut self, r: R) {
        *self = zip(std::mem::replace(self, DT(Vec::new())), r.dt(), mul);
    }
}

impl DT {
    fn map(&self, f: fn(Dual) -> Dual) -> DT {
        DT(self.0.iter().map(|&x| f(x)).collect())
    }
    pub fn exp(&self) -> DT {
        self.map(Dual::exp)
    }
    pub fn tanh(&self) -> DT {
        self.map(Dual::tanh)
    }
    pub fn sin(&self) -> DT {
        self.map(Dual::sin)
    }
    pub fn cos(&self) -> DT {
        self.map(Dual::cos)
    }
    pub fn sigmoid(&self) -> DT {
        self.map(Dual::sigmoid)
    }
    pub fn abs(&self) -> DT {
        self.map(Dual::abs)
    }
    /// The sum, as a one-element tensor.
    pub fn sum(&self) -> DT {
        DT(vec![self.0.iter().fold(dc(0.0), |s, &x| s + x)])
    }
    /// The mean, as a one-element tensor.
    pub fn mean(&self) -> DT {
        DT(vec![self.sum().0[0] / dc(self.0.len() as f64)])
    }
    /// The single element (conditions compare it as the plain code compares `item()`).
    pub fn item(&self) -> Dual {
        assert_eq!(
            self.0.len(),
            1,
            "item() of a dual tensor of length {}",
            self.0.len()
        );
        self.0[0]
    }
}
