//! Elementwise functions and powers: derivative rules for floats and tensors.
//!
//! Each rule is written once, for a float, and applied to every element of a
//! tensor. Its backward function reads whichever value makes the derivative
//! cheapest: the output `y = f(x)` where the derivative is a function of it
//! (`d/dx eˣ = eˣ`), else the input `x`. `d` is the output's gradient.
//!
//! | op | `y` | input's gradient | reads |
//! |----|-----|------------------|-------|
//! | `exp` | `eˣ` | `d·y` | `y` |
//! | `exp2` | `2ˣ` | `d·y·ln 2` | `y` |
//! | `exp_m1` | `eˣ − 1` | `d·(y + 1)` | `y` |
//! | `sqrt` | `√x` | `d / 2y` (`∞` at 0, as PyTorch) | `y` |
//! | `cbrt` | `∛x` | `d / 3y²` | `y` |
//! | `tanh` | `tanh x` | `d·(1 − y²)` | `y` |
//! | `sigmoid` | `1 / (1 + e⁻ˣ)` | `d·y·(1 − y)` | `y` |
//! | `relu` | `max(x, 0)` | `d` if `y > 0`, else 0 (0 at 0, as PyTorch) | `y` |
//! | `recip` | `1 / x` | `−d·y²` | `y` |
//! | `tan` | `tan x` | `d·(1 + y²)` | `y` |
//! | `ln` | `ln x` | `d / x` | `x` |
//! | `log2` | `log₂ x` | `d / (x ln 2)` | `x` |
//! | `log10` | `log₁₀ x` | `d / (x ln 10)` | `x` |
//! | `ln_1p` | `ln(1 + x)` | `d / (1 + x)` | `x` |
//! | `sin` | `sin x` | `d·cos x` | `x` |
//! | `cos` | `cos x` | `−d·sin x` | `x` |
//! | `abs` | `\|x\|` | `d·sign x` (0 at 0, as PyTorch) | `x` |
//! | `asin` | `asin x` | `d / √(1 − x²)` | `x` |
//! | `acos` | `acos x` | `−d / √(1 − x²)` | `x` |
//! | `atan` | `atan x` | `d / (1 + x²)` | `x` |
//! | `sinh` | `sinh x` | `d·cosh x` | `x` |
//! | `cosh` | `cosh x` | `d·sinh x` | `x` |
//! | `asinh` | `asinh x` | `d / √(x² + 1)` | `x` |
//! | `acosh` | `acosh x` | `d / √(x² − 1)` | `x` |
//! | `atanh` | `atanh x` | `d / (1 − x²)` | `x` |
//! | `powi(n)` | `xⁿ` | `d·n·xⁿ⁻¹` (0 when `n = 0`) | `x` |
//! | `powf(p)` | `xᵖ` | `d·p·xᵖ⁻¹` (0 where `p = 0`) | `x`, `p` |
//! | `powf(p)`, for `p` | | `d·y·ln x` (0 where `x = 0`, `p ≥ 0`) | `x`, `y` |
//!
//! The special points follow PyTorch, so that a gradient computed here
//! agrees with `torch.autograd` at the points where the derivative is not
//! defined. `sigmoid` is computed without overflow for any input
//! (`e⁻ˣ` for `x ≥ 0`, `eˣ / (1 + eˣ)` for `x < 0`).
//!
//! Tensors have the same functions as inherent methods (`x.exp()`,
//! `x.powi(2)`, `x.powf(0.5)`), returning new tensors; floats have them from
//! `std`, plus `sigmoid` and `relu` from [`FloatExt`].

use ndarray::{Array, Dimension, Zip};

use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf, Meta};

use super::decl::{elementwise, ArgKind, OpDecl, Reads};

/// `sigmoid` and `relu` for `f32` and `f64`, which `std` does not have.
///
/// ```
/// use autograd_runtime::ops::unary::FloatExt;
///
/// assert_eq!(0.0f64.sigmoid(), 0.5);
/// assert_eq!((-1000.0f32).sigmoid(), 0.0);
/// assert_eq!((-2.0f64).relu(), 0.0);
/// ```
pub trait FloatExt: Float {
    /// The logistic function `1 / (1 + e⁻ˣ)`, computed without overflow.
    fn sigmoid(self) -> Self;
    /// `max(x, 0)`; NaN stays NaN.
    fn relu(self) -> Self;
}

impl<A: Float> FloatExt for A {
    #[inline]
    fn sigmoid(self) -> A {
        if self >= A::zero() {
            A::one() / (A::one() + (-self).exp())
        } else {
            // e⁻ˣ would overflow for x ≪ 0; eˣ underflows harmlessly to 0.
            let e = self.exp();
            e / (A::one() + e)
        }
    }

    #[inline]
    fn relu(self) -> A {
        if self > A::zero() || self.is_nan() {
            self
        } else {
            A::zero()
        }
    }
}

/// `sign x`, with `sign 0 = 0` (and NaN for NaN).
#[inline]
fn sign<A: Float>(x: A) -> A {
    if x > A::zero() {
        A::one()
    } else if x < A::zero() {
        -A::one()
    } else if x == A::zero() {
        A::zero()
    } else {
        x
    }
}

macro_rules! unary_rules {
    ($(
        $(#[$doc:meta])*
        $Rule:ident, $method:ident, $what:literal, reads $reads:literal,
        |$x:ident| $fwd:expr,
        |$s:ident, $d:ident| $rev:expr;
    )*) => {$(
        $(#[$doc])*
        pub trait $Rule: Differentiable {
            /// The forward value, elementwise.
            fn fwd(&self) -> Self;
            /// [`fwd`](Self::fwd) of a value nothing else reads (generated
            /// code passes temporaries): a tensor is computed in its buffer.
            fn fwd_owned(self) -> Self
            where
                Self: Sized,
            {
                self.fwd()
            }
            #[doc = concat!(
                "The input's gradient from the output's gradient `", stringify!($d),
                "`, reading the ", $reads, " `", stringify!($s), "`."
            )]
            fn rev0($s: &Self, $d: &Self::Grad) -> Self::Grad;
            /// [`rev0`](Self::rev0) taking the output's gradient by value, so a
            /// tensor's gradient is computed in its buffer, without a new array.
            fn rev0_owned($s: &Self, $d: Self::Grad) -> Self::Grad {
                Self::rev0($s, &$d)
            }
        }

        impl<A: Float> $Rule for A {
            #[inline]
            fn fwd(&self) -> A {
                let $x = *self;
                $fwd
            }
            #[inline]
            fn rev0($s: &A, $d: &A) -> A {
                let ($s, $d) = (*$s, *$d);
                $rev
            }
        }

        impl<A: Float, D: Dimension> $Rule for Tensor<A, D> {
            fn fwd(&self) -> Tensor<A, D> {
                Tensor::from(self.data().mapv(|v| <A as $Rule>::fwd(&v)))
            }
            fn fwd_owned(self) -> Tensor<A, D> {
                Tensor::from(self.into_data().mapv_into(|v| <A as $Rule>::fwd(&v)))
            }
            fn rev0($s: &Tensor<A, D>, $d: &Array<A, D>) -> Array<A, D> {
                Zip::from($s.data())
                    .and($d)
                    .map_collect(|s, d| <A as $Rule>::rev0(s, d))
            }
            fn rev0_owned($s: &Tensor<A, D>, mut $d: Array<A, D>) -> Array<A, D> {
                Zip::from(&mut $d)
                    .and($s.data())
                    .for_each(|d, s| *d = <A as $Rule>::rev0(s, d));
                $d
            }
        }

        impl<A: Float, D: Dimension> Tensor<A, D> {
            #[doc = concat!(
                "Elementwise ", $what, ", as a new tensor; the derivative rule is [`",
                stringify!($Rule), "`]."
            )]
            pub fn $method(&self) -> Tensor<A, D> {
                <Self as $Rule>::fwd(self)
            }
        }
    )*

        /// The elementwise functions, as generated code sees them (see `decl`).
        pub(crate) const ELEMENTWISE: &[OpDecl] = &[$(
            elementwise(stringify!($method), stringify!($Rule), reads_output($reads)),
        )*];
    };
}

/// Whether a rule's backward reads its output (`"output"`) rather than its input.
const fn reads_output(reads: &str) -> bool {
    reads.as_bytes()[0] == b'o'
}

unary_rules! {
    /// The rule of `x.exp()`: `y = eˣ`, `d/dx eˣ = eˣ = y`.
    ExpRule, exp, "`eˣ`", reads "output",
    |x| x.exp(),
    |y, d| d * y;

    /// The rule of `x.exp2()`: `y = 2ˣ`, `d/dx 2ˣ = 2ˣ ln 2 = y ln 2`.
    Exp2Rule, exp2, "`2ˣ`", reads "output",
    |x| x.exp2(),
    |y, d| d * y * A::LN_2();

    /// The rule of `x.exp_m1()`: `y = eˣ − 1`, `d/dx (eˣ − 1) = eˣ = y + 1`.
    ExpM1Rule, exp_m1, "`eˣ − 1` (accurate near 0)", reads "output",
    |x| x.exp_m1(),
    |y, d| d * (y + A::one());

    /// The rule of `x.sqrt()`: `y = √x`, `d/dx √x = 1 / 2√x = 1 / 2y`.
    ///
    /// At `x = 0` the gradient is `d / 0` (`∞` for `d > 0`), as in PyTorch.
    SqrtRule, sqrt, "`√x`", reads "output",
    |x| x.sqrt(),
    |y, d| d / (y + y);

    /// The rule of `x.cbrt()`: `y = ∛x`, `d/dx ∛x = 1 / 3∛x² = 1 / 3y²`.
    CbrtRule, cbrt, "`∛x`", reads "output",
    |x| x.cbrt(),
    |y, d| d / (A::from_f64(3.0) * y * y);

    /// The rule of `x.tanh()`: `y = tanh x`, `d/dx tanh x = 1 − tanh² x = 1 − y²`.
    TanhRule, tanh, "`tanh x`", reads "output",
    |x| x.tanh(),
    |y, d| d * (A::one() - y * y);

    /// The rule of `x.sigmoid()`: `y = σ(x) = 1 / (1 + e⁻ˣ)`,
    /// `d/dx σ(x) = σ(x)(1 − σ(x)) = y(1 − y)`.
    ///
    /// The forward pass does not overflow for any input (`σ(±1000)` is 1 and 0).
    SigmoidRule, sigmoid, "logistic function `1 / (1 + e⁻ˣ)`", reads "output",
    |x| FloatExt::sigmoid(x),
    |y, d| d * y * (A::one() - y);

    /// The rule of `x.relu()`: `y = max(x, 0)`, `d/dx = 1` where `y > 0`, else 0.
    ///
    /// The gradient at `x = 0` is 0, as in PyTorch.
    ReluRule, relu, "`max(x, 0)`", reads "output",
    |x| FloatExt::relu(x),
    |y, d| if y > A::zero() { d } else { A::zero() };

    /// The rule of `x.recip()`: `y = 1 / x`, `d/dx x⁻¹ = −x⁻² = −y²`.
    RecipRule, recip, "`1 / x`", reads "output",
    |x| x.recip(),
    |y, d| -d * y * y;

    /// The rule of `x.tan()`: `y = tan x`, `d/dx tan x = 1 + tan² x = 1 + y²`.
    TanRule, tan, "`tan x`", reads "output",
    |x| x.tan(),
    |y, d| d * (A::one() + y * y);

    /// The rule of `x.ln()`: `d/dx ln x = 1 / x`.
    LnRule, ln, "natural logarithm `ln x`", reads "input",
    |x| x.ln(),
    |x, d| d / x;

    /// The rule of `x.log2()`: `d/dx log₂ x = 1 / (x ln 2)`.
    Log2Rule, log2, "`log₂ x`", reads "input",
    |x| x.log2(),
    |x, d| d / (x * A::LN_2());

    /// The rule of `x.log10()`: `d/dx log₁₀ x = 1 / (x ln 10)`.
    Log10Rule, log10, "`log₁₀ x`", reads "input",
    |x| x.log10(),
    |x, d| d / (x * A::LN_10());

    /// The rule of `x.ln_1p()`: `d/dx ln(1 + x) = 1 / (1 + x)`.
    Ln1pRule, ln_1p, "`ln(1 + x)` (accurate near 0)", reads "input",
    |x| x.ln_1p(),
    |x, d| d / (A::one() + x);

    /// The rule of `x.sin()`: `d/dx sin x = cos x`.
    SinRule, sin, "`sin x`", reads "input",
    |x| x.sin(),
    |x, d| d * x.cos();

    /// The rule of `x.cos()`: `d/dx cos x = −sin x`.
    CosRule, cos, "`cos x`", reads "input",
    |x| x.cos(),
    |x, d| -d * x.sin();

    /// The rule of `x.abs()`: `d/dx |x| = sign x`.
    ///
    /// The gradient at `x = 0` is 0, as in PyTorch.
    AbsRule, abs, "`|x|`", reads "input",
    |x| x.abs(),
    |x, d| d * sign(x);

    /// The rule of `x.asin()`: `d/dx asin x = 1 / √(1 − x²)`.
    AsinRule, asin, "`asin x`", reads "input",
    |x| x.asin(),
    |x, d| d / (A::one() - x * x).sqrt();

    /// The rule of `x.acos()`: `d/dx acos x = −1 / √(1 − x²)`.
    AcosRule, acos, "`acos x`", reads "input",
    |x| x.acos(),
    |x, d| -d / (A::one() - x * x).sqrt();

    /// The rule of `x.atan()`: `d/dx atan x = 1 / (1 + x²)`.
    AtanRule, atan, "`atan x`", reads "input",
    |x| x.atan(),
    |x, d| d / (A::one() + x * x);

    /// The rule of `x.sinh()`: `d/dx sinh x = cosh x`.
    SinhRule, sinh, "`sinh x`", reads "input",
    |x| x.sinh(),
    |x, d| d * x.cosh();

    /// The rule of `x.cosh()`: `d/dx cosh x = sinh x`.
    CoshRule, cosh, "`cosh x`", reads "input",
    |x| x.cosh(),
    |x, d| d * x.sinh();

    /// The rule of `x.asinh()`: `d/dx asinh x = 1 / √(x² + 1)`.
    AsinhRule, asinh, "`asinh x`", reads "input",
    |x| x.asinh(),
    |x, d| d / (x * x + A::one()).sqrt();

    /// The rule of `x.acosh()`: `d/dx acosh x = 1 / √(x² − 1)`, computed as
    /// `1 / (√(x − 1)·√(x + 1))`, which does not cancel near `x = 1`.
    AcoshRule, acosh, "`acosh x`", reads "input",
    |x| x.acosh(),
    |x, d| d / ((x - A::one()).sqrt() * (x + A::one()).sqrt());

    /// The rule of `x.atanh()`: `d/dx atanh x = 1 / (1 − x²)`.
    AtanhRule, atanh, "`atanh x`", reads "input",
    |x| x.atanh(),
    |x, d| d / (A::one() - x * x);
}

/// Integer and real powers, as generated code sees them (see `decl`).
pub(crate) const POWERS: &[OpDecl] = &[
    OpDecl {
        name: "powi",
        rule: "PowiRule",
        args: &[ArgKind::Const],
        reads: &[&[Reads::Value(0), Reads::Const(0)]],
        caps: &[],
    },
    OpDecl {
        name: "powf",
        rule: "PowfRule",
        args: &[ArgKind::Operand],
        reads: &[
            &[Reads::Value(0), Reads::Value(1)],
            &[Reads::Value(0), Reads::Output, Reads::Meta(1)],
        ],
        caps: &[],
    },
];

// ---- integer powers ----------------------------------------------------------

/// `n·xⁿ⁻¹`, exactly 0 when `n = 0` (so that `x⁰` has gradient 0 even at
/// `x = 0`, where `0·0⁻¹` would be NaN).
#[inline]
fn powi_slope<A: Float>(x: A, n: i32) -> A {
    if n == 0 {
        return A::zero();
    }
    let below = match n.checked_sub(1) {
        Some(m) => x.powi(m),
        // n = i32::MIN: xⁿ⁻¹ = xⁿ / x.
        None => x.powi(n) / x,
    };
    A::from_f64(f64::from(n)) * below
}

/// The rule of `x.powi(n)` for a constant integer `n`: `d/dx xⁿ = n·xⁿ⁻¹`.
///
/// The gradient is exactly 0 when `n = 0`, even at `x = 0`.
pub trait PowiRule: Differentiable {
    /// The forward value `xⁿ`, elementwise.
    fn fwd(&self, n: &i32) -> Self;
    /// The input's gradient `d·n·xⁿ⁻¹`, reading the input `x`.
    fn rev0(x: &Self, n: &i32, d: &Self::Grad) -> Self::Grad;
}

impl<A: Float> PowiRule for A {
    #[inline]
    fn fwd(&self, n: &i32) -> A {
        self.powi(*n)
    }
    #[inline]
    fn rev0(x: &A, n: &i32, d: &A) -> A {
        *d * powi_slope(*x, *n)
    }
}

impl<A: Float, D: Dimension> PowiRule for Tensor<A, D> {
    fn fwd(&self, n: &i32) -> Tensor<A, D> {
        let n = *n;
        Tensor::from(self.data().mapv(|x| x.powi(n)))
    }
    fn rev0(x: &Tensor<A, D>, n: &i32, d: &Array<A, D>) -> Array<A, D> {
        let n = *n;
        Zip::from(x.data())
            .and(d)
            .map_collect(|&x, &d| d * powi_slope(x, n))
    }
}

// ---- real powers -------------------------------------------------------------

/// `p·xᵖ⁻¹`, 0 where `p = 0` (PyTorch masks it, so that `x⁰` has gradient 0
/// even at `x = 0`).
#[inline]
fn powf_slope<A: Float>(x: A, p: A) -> A {
    if p == A::zero() {
        A::zero()
    } else {
        p * x.powf(p - A::one())
    }
}

/// `y·ln x`, 0 where `x = 0` and `p ≥ 0`, as PyTorch's `pow` backward for the
/// exponent masks it.
///
/// At `x = 0` the output tells the sign of `p` without reading it: `0ᵖ` is
/// `0` for `p > 0` and `1` for `p = 0` (both finite), `±∞` for `p < 0` and
/// NaN for a NaN `p`; so the mask is "`x = 0` and `y` finite".
#[inline]
fn powf_log_slope<A: Float>(x: A, y: A) -> A {
    if x == A::zero() && y.is_finite() {
        A::zero()
    } else {
        y * x.ln()
    }
}

/// The rule of `x.powf(p)` for a real exponent `p` that is differentiated too:
/// `∂xᵖ/∂x = p·xᵖ⁻¹` and `∂xᵖ/∂p = xᵖ·ln x`.
///
/// As in PyTorch, `∂/∂x` is 0 where `p = 0`, and `∂/∂p` is 0 where `x = 0`
/// and `p ≥ 0` (instead of the NaN or `−∞` of the formulas).
/// Implemented for a float and a float, and for a tensor and a float
/// exponent (whose gradient is summed over the tensor's elements).
pub trait PowfRule<P: Differentiable>: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The forward value `xᵖ`, elementwise.
    fn fwd(&self, p: &P) -> Self::Output;
    /// The base's gradient `d·p·xᵖ⁻¹` (0 where `p = 0`), reading the base
    /// `x` and the exponent `p`.
    fn rev0(x: &Self, p: &P, d: &GradOf<Self::Output>) -> Self::Grad;
    /// The exponent's gradient: the sum of `d·y·ln x` over the output
    /// (0 where `x = 0` and `p ≥ 0`), reading the base `x` and the output `y`.
    fn rev1(x: &Self, out: &Self::Output, p: &Meta<P>, d: &GradOf<Self::Output>) -> P::Grad;
}

impl<A: Float> PowfRule<A> for A {
    type Output = A;
    #[inline]
    fn fwd(&self, p: &A) -> A {
        self.powf(*p)
    }
    #[inline]
    fn rev0(x: &A, p: &A, d: &A) -> A {
        *d * powf_slope(*x, *p)
    }
    #[inline]
    fn rev1(x: &A, out: &A, _: &Meta<A>, d: &A) -> A {
        *d * powf_log_slope(*x, *out)
    }
}

impl<A: Float, D: Dimension> PowfRule<A> for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn fwd(&self, p: &A) -> Tensor<A, D> {
        let p = *p;
        Tensor::from(self.data().mapv(|x| x.powf(p)))
    }
    fn rev0(x: &Tensor<A, D>, p: &A, d: &Array<A, D>) -> Array<A, D> {
        let p = *p;
        Zip::from(x.data())
            .and(d)
            .map_collect(|&x, &d| d * powf_slope(x, p))
    }
    fn rev1(x: &Tensor<A, D>, out: &Tensor<A, D>, _: &Meta<A>, d: &Array<A, D>) -> A {
        Zip::from(x.data())
            .and(out.data())
            .and(d)
            .fold(A::zero(), |acc, &x, &y, &d| acc + d * powf_log_slope(x, y))
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// Elementwise `xⁿ` for an integer `n`, as a new tensor; the derivative
    /// rule is [`PowiRule`].
    pub fn powi(&self, n: i32) -> Tensor<A, D> {
        PowiRule::fwd(self, &n)
    }

    /// Elementwise `xᵖ` for a real `p`, as a new tensor; the derivative rule
    /// is [`PowfRule`].
    pub fn powf(&self, p: A) -> Tensor<A, D> {
        PowfRule::fwd(self, &p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
    use crate::value::meta;
    use ndarray::{arr0, array, Array0, IxDyn, ShapeBuilder};
    use std::f64::consts::{FRAC_PI_3, FRAC_PI_4, FRAC_PI_6, LN_10, LN_2};

    /// A copy of the input, to stand where a rule reads it.
    fn copy_of<T: Clone>(x: &T) -> T {
        x.clone()
    }

    /// For each rule: (a) the gradient at a point where it was derived by
    /// hand, times a cotangent of 1.5; (b) finite differences of the forward
    /// pass, for a float and for tensors with 0, 1, 2 and a dynamic number of
    /// axes; both in `f64` and `f32`.
    macro_rules! unary_tests {
        ($(
            $(#[$doc:meta])*
            $test:ident: $Rule:ident reads $reads:ident on ($lo:expr, $hi:expr),
            at $x0:expr => $slope:expr;
        )*) => {$(
            $(#[$doc])*
            #[test]
            fn $test() {
                fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, seed: usize) {
                    let x: Array<A, Sh::Dim> = sample(shape, $lo, $hi, seed);
                    let d = sample(x.raw_dim(), -1.0, 1.0, seed + 5);
                    let t = Tensor::from(x.clone());
                    let saved = unary_tests!(@saved $reads, $Rule, Tensor<A, Sh::Dim>, t);
                    let g = <Tensor<A, Sh::Dim> as $Rule>::rev0(&saved, &d);
                    let f = |x: &Array<A, Sh::Dim>| {
                        <Tensor<A, Sh::Dim> as $Rule>::fwd(&Tensor::from(x.clone())).into_data()
                    };
                    check_vjp(stringify!($Rule), f, &x, &d, &g);
                }

                fn run<A: Float>() {
                    // (a) The hand-derived slope, times d = 1.5.
                    let x0 = A::from_f64($x0);
                    let saved = unary_tests!(@saved $reads, $Rule, A, x0);
                    let g = <A as $Rule>::rev0(&saved, &A::from_f64(1.5));
                    let slope: f64 = $slope;
                    assert_close(stringify!($Rule), g, 1.5 * slope);

                    // (b) Finite differences: a float, then tensors.
                    let x: Array0<A> = sample((), $lo, $hi, 3);
                    let d = A::from_f64(-0.7);
                    let saved = unary_tests!(@saved $reads, $Rule, A, x[()]);
                    let g = arr0(<A as $Rule>::rev0(&saved, &d));
                    let f = |x: &Array0<A>| arr0(<A as $Rule>::fwd(&x[()]));
                    check_vjp(stringify!($Rule), f, &x, &arr0(d), &g);
                    on_shape::<A, _>((), 1);
                    on_shape::<A, _>(5, 2);
                    on_shape::<A, _>((3, 4), 3);
                    on_shape::<A, _>(IxDyn(&[2, 1, 3]), 4);
                }

                run::<f64>();
                run::<f32>();
            }
        )*};
        (@saved output, $Rule:ident, $T:ty, $x:expr) => {
            <$T as $Rule>::fwd(&$x)
        };
        (@saved input, $Rule:ident, $T:ty, $x:expr) => {
            copy_of::<$T>(&$x)
        };
    }

    unary_tests! {
        /// d/dx eˣ = eˣ; at ln 2: 2.
        exp: ExpRule reads output on (-2.0, 2.0), at LN_2 => 2.0;
        /// d/dx 2ˣ = 2ˣ ln 2; at 1: 2 ln 2.
        exp2: Exp2Rule reads output on (-2.0, 2.0), at 1.0 => 2.0 * LN_2;
        /// d/dx (eˣ − 1) = eˣ; at ln 3: 3.
        exp_m1: ExpM1Rule reads output on (-2.0, 2.0), at 3f64.ln() => 3.0;
        /// d/dx √x = 1 / 2√x; at 4: 1/4.
        sqrt: SqrtRule reads output on (0.2, 3.0), at 4.0 => 0.25;
        /// d/dx ∛x = 1 / 3∛x²; at 8: 1 / (3·4) = 1/12.
        cbrt: CbrtRule reads output on (0.3, 3.0), at 8.0 => 1.0 / 12.0;
        /// d/dx tanh x = 1 − tanh² x; at atanh(1/2): 1 − 1/4 = 3/4.
        tanh: TanhRule reads output on (-2.0, 2.0), at 0.5f64.atanh() => 0.75;
        /// σ' = σ(1 − σ); at ln 3, σ = 3/(3 + 1) = 3/4, so σ' = 3/16.
        sigmoid: SigmoidRule reads output on (-4.0, 4.0), at 3f64.ln() => 0.1875;
        /// relu' = 1 for x > 0.
        relu: ReluRule reads output on (-2.0, 2.0), at 2.0 => 1.0;
        /// d/dx x⁻¹ = −x⁻²; at 2: −1/4.
        recip: RecipRule reads output on (0.5, 2.0), at 2.0 => -0.25;
        /// d/dx tan x = 1 + tan² x; at π/4: 1 + 1 = 2.
        tan: TanRule reads output on (-1.2, 1.2), at FRAC_PI_4 => 2.0;
        /// d/dx ln x = 1/x; at 2: 1/2.
        ln: LnRule reads input on (0.2, 3.0), at 2.0 => 0.5;
        /// d/dx log₂ x = 1 / (x ln 2); at 4: 1 / (4 ln 2).
        log2: Log2Rule reads input on (0.2, 3.0), at 4.0 => 1.0 / (4.0 * LN_2);
        /// d/dx log₁₀ x = 1 / (x ln 10); at 10: 1 / (10 ln 10).
        log10: Log10Rule reads input on (0.2, 3.0), at 10.0 => 1.0 / (10.0 * LN_10);
        /// d/dx ln(1 + x) = 1 / (1 + x); at 1: 1/2.
        ln_1p: Ln1pRule reads input on (-0.5, 2.0), at 1.0 => 0.5;
        /// d/dx sin x = cos x; at π/3: 1/2.
        sin: SinRule reads input on (-3.0, 3.0), at FRAC_PI_3 => 0.5;
        /// d/dx cos x = −sin x; at π/6: −1/2.
        cos: CosRule reads input on (-3.0, 3.0), at FRAC_PI_6 => -0.5;
        /// d/dx |x| = sign x; at −3: −1.
        abs: AbsRule reads input on (-2.0, 2.0), at -3.0 => -1.0;
        /// d/dx asin x = 1 / √(1 − x²); at 0.6: 1 / 0.8 = 1.25.
        asin: AsinRule reads input on (-0.8, 0.8), at 0.6 => 1.25;
        /// d/dx acos x = −1 / √(1 − x²); at 0.6: −1.25.
        acos: AcosRule reads input on (-0.8, 0.8), at 0.6 => -1.25;
        /// d/dx atan x = 1 / (1 + x²); at 1: 1/2.
        atan: AtanRule reads input on (-3.0, 3.0), at 1.0 => 0.5;
        /// d/dx sinh x = cosh x; at ln 2: (2 + 1/2) / 2 = 5/4.
        sinh: SinhRule reads input on (-2.0, 2.0), at LN_2 => 1.25;
        /// d/dx cosh x = sinh x; at ln 2: (2 − 1/2) / 2 = 3/4.
        cosh: CoshRule reads input on (-2.0, 2.0), at LN_2 => 0.75;
        /// d/dx asinh x = 1 / √(x² + 1); at 3/4: 1 / √(25/16) = 4/5.
        asinh: AsinhRule reads input on (-3.0, 3.0), at 0.75 => 0.8;
        /// d/dx acosh x = 1 / √(x² − 1); at 5/4: 1 / √(9/16) = 4/3.
        acosh: AcoshRule reads input on (1.2, 3.0), at 1.25 => 4.0 / 3.0;
        /// d/dx atanh x = 1 / (1 − x²); at 1/2: 1 / (3/4) = 4/3.
        atanh: AtanhRule reads input on (-0.8, 0.8), at 0.5 => 4.0 / 3.0;
    }

    fn special_points<A: Float>() {
        let (zero, one) = (A::zero(), A::one());
        // relu'(0) = 0, relu'(−0) = 0, as PyTorch.
        let y = <A as ReluRule>::fwd(&zero);
        assert_eq!(<A as ReluRule>::rev0(&y, &one), zero);
        let y = <A as ReluRule>::fwd(&-zero);
        assert_eq!(<A as ReluRule>::rev0(&y, &one), zero);
        // abs'(0) = 0, abs'(−0) = 0, as PyTorch.
        assert_eq!(<A as AbsRule>::rev0(&zero, &one), zero);
        assert_eq!(<A as AbsRule>::rev0(&-zero, &one), zero);
        // sqrt'(0) = 1 / (2·0) = ∞, as PyTorch.
        let y = <A as SqrtRule>::fwd(&zero);
        assert_eq!(<A as SqrtRule>::rev0(&y, &one), A::infinity());

        // The same points in a tensor.
        let t = Tensor::from(array![-1.0, 0.0, 2.0].mapv(A::from_f64));
        let ones = Array::from_elem(3, one);
        let g = <Tensor<A, _> as ReluRule>::rev0(&t.relu(), &ones);
        assert_all_close("relu", &g, &array![0.0, 0.0, 1.0]);
        let g = <Tensor<A, _> as AbsRule>::rev0(&t, &ones);
        assert_all_close("abs", &g, &array![-1.0, 0.0, 1.0]);
        let g = <Tensor<A, _> as SqrtRule>::rev0(&t.abs().sqrt(), &ones);
        assert_all_close("sqrt", &g, &array![0.5, f64::INFINITY, 0.25 * 2f64.sqrt()]);
    }

    #[test]
    fn special_points_follow_pytorch() {
        special_points::<f64>();
        special_points::<f32>();
    }

    fn stable_sigmoid<A: Float>() {
        // σ(1000) = 1, σ(−1000) = 0, σ'(±1000) = 0, all without overflow.
        for (x, y) in [(1000.0, 1.0), (-1000.0, 0.0)] {
            let out = <A as SigmoidRule>::fwd(&A::from_f64(x));
            assert_close("sigmoid", out, y);
            assert_close("sigmoid'", <A as SigmoidRule>::rev0(&out, &A::one()), 0.0);
        }
        let t = Tensor::from(array![-1000.0, 0.0, 1000.0].mapv(A::from_f64));
        assert_all_close("sigmoid", t.sigmoid().data(), &array![0.0, 0.5, 1.0]);
        assert_eq!(A::from_f64(-1000.0).sigmoid(), A::zero());
        assert_eq!(A::from_f64(1000.0).sigmoid(), A::one());
    }

    #[test]
    fn sigmoid_is_stable_at_1000() {
        stable_sigmoid::<f64>();
        stable_sigmoid::<f32>();
    }

    #[test]
    fn float_ext() {
        assert_eq!(0.0f64.sigmoid(), 0.5);
        assert_eq!(0.0f32.sigmoid(), 0.5);
        assert_eq!((-2.0f64).relu(), 0.0);
        assert_eq!(3.0f32.relu(), 3.0);
        assert!(f64::NAN.relu().is_nan());
    }

    #[test]
    fn tensor_methods_are_elementwise() {
        let x = array![[0.5, 1.0], [1.5, 2.0]];
        let t = Tensor::from(x.clone());
        assert_eq!(t.exp().into_data(), x.mapv(f64::exp));
        assert_eq!(t.ln().into_data(), x.mapv(f64::ln));
        assert_eq!(t.tanh().into_data(), x.mapv(f64::tanh));
        assert_eq!(t.powi(3).into_data(), x.mapv(|v| v.powi(3)));
        assert_eq!(t.powf(0.5).into_data(), x.mapv(|v| v.powf(0.5)));
        assert_eq!(t.relu().into_data(), x);
        assert_eq!(t.sigmoid().into_data(), x.mapv(FloatExt::sigmoid));
    }

    fn powi<A: Float>() {
        // d/dx xⁿ = n·xⁿ⁻¹: at x = 2, n = 3: 3·4 = 12; n = −2: −2·2⁻³ = −1/4.
        let two = A::from_f64(2.0);
        assert_close("powi", <A as PowiRule>::rev0(&two, &3, &A::one()), 12.0);
        assert_close("powi", <A as PowiRule>::rev0(&two, &-2, &A::one()), -0.25);
        // n = 0: exactly 0, even at x = 0 (0·0⁻¹ would be NaN); n = 1 at 0: 1.
        let zero = A::zero();
        assert_eq!(<A as PowiRule>::rev0(&zero, &0, &A::one()), zero);
        assert_eq!(<A as PowiRule>::rev0(&zero, &1, &A::one()), A::one());
        let t = Tensor::from(array![0.0, 2.0].mapv(A::from_f64));
        let g = <Tensor<A, _> as PowiRule>::rev0(&t, &0, &Array::from_elem(2, A::one()));
        assert_all_close("powi", &g, &array![0.0, 0.0]);

        fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, n: i32) {
            let x: Array<A, Sh::Dim> = sample(shape, 0.5, 2.0, 2);
            let d = sample(x.raw_dim(), -1.0, 1.0, 9);
            let g = PowiRule::rev0(&Tensor::from(x.clone()), &n, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).powi(n).into_data();
            check_vjp("powi", f, &x, &d, &g);
        }
        for n in [-2, 0, 1, 3] {
            // A float.
            let x: Array0<A> = sample((), 0.5, 2.0, 1);
            let d = A::from_f64(0.3);
            let g = arr0(<A as PowiRule>::rev0(&x[()], &n, &d));
            let f = |x: &Array0<A>| arr0(<A as PowiRule>::fwd(&x[()], &n));
            check_vjp("powi", f, &x, &arr0(d), &g);
            // Tensors.
            on_shape::<A, _>((), n);
            on_shape::<A, _>(4, n);
            on_shape::<A, _>((2, 3), n);
        }
    }

    #[test]
    fn powi_rule() {
        powi::<f64>();
        powi::<f32>();
    }

    fn powf<A: Float>() {
        let c = A::from_f64;
        // ∂xᵖ/∂x = p·xᵖ⁻¹: at x = 4, p = 1/2: (1/2)·4^(−1/2) = 1/4.
        assert_close(
            "powf x",
            <A as PowfRule<A>>::rev0(&c(4.0), &c(0.5), &c(1.0)),
            0.25,
        );
        // ∂xᵖ/∂p = xᵖ ln x: at x = 2, p = 3: 8 ln 2.
        let y = <A as PowfRule<A>>::fwd(&c(2.0), &c(3.0));
        let g = <A as PowfRule<A>>::rev1(&c(2.0), &y, &meta(&c(3.0)), &c(1.0));
        assert_close("powf p", g, 8.0 * LN_2);

        // Finite differences in x and in p: floats.
        for (x0, p0) in [(0.7, 1.5), (2.0, -0.5), (1.3, 2.2)] {
            let (x, p, d) = (arr0(c(x0)), arr0(c(p0)), c(0.6));
            let y = <A as PowfRule<A>>::fwd(&x[()], &p[()]);
            let gx = arr0(<A as PowfRule<A>>::rev0(&x[()], &p[()], &d));
            let fx = |x: &Array0<A>| arr0(<A as PowfRule<A>>::fwd(&x[()], &p[()]));
            check_vjp("powf x", fx, &x, &arr0(d), &gx);
            let gp = arr0(<A as PowfRule<A>>::rev1(&x[()], &y, &meta(&p[()]), &d));
            let fp = |p: &Array0<A>| arr0(<A as PowfRule<A>>::fwd(&x[()], &p[()]));
            check_vjp("powf p", fp, &p, &arr0(d), &gp);
        }

        // Tensors with a float exponent: the exponent's gradient is a sum.
        fn on_shape<A: Float, Sh: ShapeBuilder>(shape: Sh, p0: f64) {
            let x: Array<A, Sh::Dim> = sample(shape, 0.3, 3.0, 4);
            let d = sample(x.raw_dim(), -1.0, 1.0, 11);
            let t = Tensor::from(x.clone());
            let p = arr0(A::from_f64(p0));
            let y = t.powf(p[()]);
            let gx = PowfRule::rev0(&t, &p[()], &d);
            let fx = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).powf(p[()]).into_data();
            check_vjp("powf x", fx, &x, &d, &gx);
            let gp = arr0(PowfRule::rev1(&t, &y, &meta(&p[()]), &d));
            let fp = |p: &Array0<A>| t.powf(p[()]).into_data();
            check_vjp("powf p", fp, &p, &d, &gp);
        }
        for p0 in [-1.5, 0.5, 2.5] {
            on_shape::<A, _>((), p0);
            on_shape::<A, _>(5, p0);
            on_shape::<A, _>((3, 2), p0);
        }
    }

    #[test]
    fn powf_rule() {
        powf::<f64>();
        powf::<f32>();
    }

    fn powf_masks<A: Float>() {
        let (zero, one, two) = (A::zero(), A::one(), A::from_f64(2.0));
        let m = meta(&zero);
        // ∂/∂x at p = 0 is 0, even at x = 0 (0·0⁻¹ would be NaN).
        assert_eq!(<A as PowfRule<A>>::rev0(&zero, &zero, &one), zero);
        assert_eq!(<A as PowfRule<A>>::rev0(&two, &zero, &one), zero);
        // ∂/∂p at x = 0 is 0 for p ≥ 0: y = 0 for p = 2 (0·ln 0 would be
        // NaN), y = 1 for p = 0 (1·ln 0 would be −∞).
        let y = <A as PowfRule<A>>::fwd(&zero, &two);
        assert_eq!(<A as PowfRule<A>>::rev1(&zero, &y, &m, &one), zero);
        let y = <A as PowfRule<A>>::fwd(&zero, &zero);
        assert_eq!(<A as PowfRule<A>>::rev1(&zero, &y, &m, &one), zero);
        // ... but not for p < 0: y = ∞, and ∞·ln 0 = −∞ (PyTorch's value).
        let y = <A as PowfRule<A>>::fwd(&zero, &-one);
        assert_eq!(
            <A as PowfRule<A>>::rev1(&zero, &y, &m, &one),
            A::neg_infinity()
        );
        // In a tensor: x = [0, 2], p = 2, d = 1: ∂/∂p = 0 + 4 ln 2.
        let t = Tensor::from(array![0.0, 2.0].mapv(A::from_f64));
        let y = t.powf(two);
        let g = PowfRule::rev1(&t, &y, &m, &Array::from_elem(2, one));
        assert_close("powf p", g, 4.0 * LN_2);
        let g = PowfRule::rev0(&t, &zero, &Array::from_elem(2, one));
        assert_all_close("powf x", &g, &array![0.0, 0.0]);
    }

    #[test]
    fn powf_masks_follow_pytorch() {
        powf_masks::<f64>();
        powf_masks::<f32>();
    }

    #[test]
    fn gradient_types() {
        // The gradient of a float is the float, of a tensor its array.
        let g: f32 = <f32 as ExpRule>::rev0(&1.0, &1.0);
        assert_eq!(g, 1.0);
        let t = Tensor::from(array![1.0f64]);
        let g: Array<f64, _> = <Tensor<f64, _> as ExpRule>::rev0(&t, &array![2.0]);
        assert_eq!(g, array![2.0]);
        let _: GradOf<Tensor<f64, IxDyn>> = Array::zeros(IxDyn(&[1]));
    }
}
