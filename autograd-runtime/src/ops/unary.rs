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
    /// The value as a constant (`torch.Tensor.detach`, `jax.lax.stop_gradient`):
    /// inside a `#[differentiable]` body no gradient flows through it;
    /// outside, it is the value itself.
    fn detach(self) -> Self;
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
    fn detach(self) -> A {
        self
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
        |$s:ident, $d:ident| $rev:expr,
        $rev_tan_name:ident |$s2:ident, $d2:ident, $t2:ident| $rev_tan:expr;
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
            /// Forward mode: the output's tangent from the input's tangent `t`,
            /// `t·f'(x)`, reading what [`rev0`](Self::rev0) reads (an
            /// elementwise function's Jacobian is diagonal: it is `rev0` of `t`).
            fn tan0($s: &Self, t: &Self::Grad) -> Self::Grad {
                Self::rev0($s, t)
            }
            #[doc = concat!(
                "Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent that comes from the tangent `",
                stringify!($t2), "` of the ", $reads, " `", stringify!($s2),
                "` it reads; the whole tangent of `rev0(", stringify!($s), ", d)` is `rev0(",
                stringify!($s), ", ḋ) + ", stringify!($rev_tan_name), "(", stringify!($s), ", ", stringify!($t2), ", d)`."
            )]
            fn $rev_tan_name($s2: &Self, $t2: &Self::Grad, $d2: &Self::Grad) -> Self::Grad;
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
            #[inline]
            #[allow(unused_variables)]
            fn $rev_tan_name($s2: &A, $t2: &A, $d2: &A) -> A {
                let ($s2, $t2, $d2) = (*$s2, *$t2, *$d2);
                $rev_tan
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
            fn $rev_tan_name($s2: &Tensor<A, D>, $t2: &Array<A, D>, $d2: &Array<A, D>) -> Array<A, D> {
                Zip::from($s2.data())
                    .and($t2)
                    .and($d2)
                    .map_collect(|s, t, d| <A as $Rule>::$rev_tan_name(s, t, d))
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
    |y, d| d * y,
    rev0_tan_out |y, d, t| d * t;

    /// The rule of `x.exp2()`: `y = 2ˣ`, `d/dx 2ˣ = 2ˣ ln 2 = y ln 2`.
    Exp2Rule, exp2, "`2ˣ`", reads "output",
    |x| x.exp2(),
    |y, d| d * y * A::LN_2(),
    rev0_tan_out |y, d, t| d * t * A::LN_2();

    /// The rule of `x.exp_m1()`: `y = eˣ − 1`, `d/dx (eˣ − 1) = eˣ = y + 1`.
    ExpM1Rule, exp_m1, "`eˣ − 1` (accurate near 0)", reads "output",
    |x| x.exp_m1(),
    |y, d| d * (y + A::one()),
    rev0_tan_out |y, d, t| d * t;

    /// The rule of `x.sqrt()`: `y = √x`, `d/dx √x = 1 / 2√x = 1 / 2y`.
    ///
    /// At `x = 0` the gradient is `d / 0` (`∞` for `d > 0`), as in PyTorch.
    SqrtRule, sqrt, "`√x`", reads "output",
    |x| x.sqrt(),
    |y, d| d / (y + y),
    rev0_tan_out |y, d, t| -d * t / (A::from_f64(2.0) * y * y);

    /// The rule of `x.cbrt()`: `y = ∛x`, `d/dx ∛x = 1 / 3∛x² = 1 / 3y²`.
    CbrtRule, cbrt, "`∛x`", reads "output",
    |x| x.cbrt(),
    |y, d| d / (A::from_f64(3.0) * y * y),
    rev0_tan_out |y, d, t| -d * t * A::from_f64(2.0) / (A::from_f64(3.0) * y * y * y);

    /// The rule of `x.tanh()`: `y = tanh x`, `d/dx tanh x = 1 − tanh² x = 1 − y²`.
    TanhRule, tanh, "`tanh x`", reads "output",
    |x| x.tanh(),
    |y, d| d * (A::one() - y * y),
    rev0_tan_out |y, d, t| -d * t * (y + y);

    /// The rule of `x.sigmoid()`: `y = σ(x) = 1 / (1 + e⁻ˣ)`,
    /// `d/dx σ(x) = σ(x)(1 − σ(x)) = y(1 − y)`.
    ///
    /// The forward pass does not overflow for any input (`σ(±1000)` is 1 and 0).
    SigmoidRule, sigmoid, "logistic function `1 / (1 + e⁻ˣ)`", reads "output",
    |x| FloatExt::sigmoid(x),
    |y, d| d * y * (A::one() - y),
    rev0_tan_out |y, d, t| d * t * (A::one() - y - y);

    /// The rule of `x.relu()`: `y = max(x, 0)`, `d/dx = 1` where `y > 0`, else 0.
    ///
    /// The gradient at `x = 0` is 0, as in PyTorch.
    ReluRule, relu, "`max(x, 0)`", reads "output",
    |x| FloatExt::relu(x),
    |y, d| if y > A::zero() { d } else { A::zero() },
    rev0_tan_out |y, d, t| A::zero();

    /// The rule of `x.recip()`: `y = 1 / x`, `d/dx x⁻¹ = −x⁻² = −y²`.
    RecipRule, recip, "`1 / x`", reads "output",
    |x| x.recip(),
    |y, d| -d * y * y,
    rev0_tan_out |y, d, t| -d * t * (y + y);

    /// The rule of `x.tan()`: `y = tan x`, `d/dx tan x = 1 + tan² x = 1 + y²`.
    TanRule, tan, "`tan x`", reads "output",
    |x| x.tan(),
    |y, d| d * (A::one() + y * y),
    rev0_tan_out |y, d, t| d * t * (y + y);

    /// The rule of `x.ln()`: `d/dx ln x = 1 / x`.
    LnRule, ln, "natural logarithm `ln x`", reads "input",
    |x| x.ln(),
    |x, d| d / x,
    rev0_tan0 |x, d, t| -d * t / (x * x);

    /// The rule of `x.log2()`: `d/dx log₂ x = 1 / (x ln 2)`.
    Log2Rule, log2, "`log₂ x`", reads "input",
    |x| x.log2(),
    |x, d| d / (x * A::LN_2()),
    rev0_tan0 |x, d, t| -d * t / (x * x * A::LN_2());

    /// The rule of `x.log10()`: `d/dx log₁₀ x = 1 / (x ln 10)`.
    Log10Rule, log10, "`log₁₀ x`", reads "input",
    |x| x.log10(),
    |x, d| d / (x * A::LN_10()),
    rev0_tan0 |x, d, t| -d * t / (x * x * A::LN_10());

    /// The rule of `x.ln_1p()`: `d/dx ln(1 + x) = 1 / (1 + x)`.
    Ln1pRule, ln_1p, "`ln(1 + x)` (accurate near 0)", reads "input",
    |x| x.ln_1p(),
    |x, d| d / (A::one() + x),
    rev0_tan0 |x, d, t| -d * t / ((A::one() + x) * (A::one() + x));

    /// The rule of `x.sin()`: `d/dx sin x = cos x`.
    SinRule, sin, "`sin x`", reads "input",
    |x| x.sin(),
    |x, d| d * x.cos(),
    rev0_tan0 |x, d, t| -d * t * x.sin();

    /// The rule of `x.cos()`: `d/dx cos x = −sin x`.
    CosRule, cos, "`cos x`", reads "input",
    |x| x.cos(),
    |x, d| -d * x.sin(),
    rev0_tan0 |x, d, t| -d * t * x.cos();

    /// The rule of `x.abs()`: `d/dx |x| = sign x`.
    ///
    /// The gradient at `x = 0` is 0, as in PyTorch.
    AbsRule, abs, "`|x|`", reads "input",
    |x| x.abs(),
    |x, d| d * sign(x),
    rev0_tan0 |x, d, t| A::zero();

    /// The rule of `x.asin()`: `d/dx asin x = 1 / √(1 − x²)`.
    AsinRule, asin, "`asin x`", reads "input",
    |x| x.asin(),
    |x, d| d / (A::one() - x * x).sqrt(),
    rev0_tan0 |x, d, t| d * t * x / (A::one() - x * x).powf(A::from_f64(1.5));

    /// The rule of `x.acos()`: `d/dx acos x = −1 / √(1 − x²)`.
    AcosRule, acos, "`acos x`", reads "input",
    |x| x.acos(),
    |x, d| -d / (A::one() - x * x).sqrt(),
    rev0_tan0 |x, d, t| -d * t * x / (A::one() - x * x).powf(A::from_f64(1.5));

    /// The rule of `x.atan()`: `d/dx atan x = 1 / (1 + x²)`.
    AtanRule, atan, "`atan x`", reads "input",
    |x| x.atan(),
    |x, d| d / (A::one() + x * x),
    rev0_tan0 |x, d, t| -d * t * (x + x) / ((A::one() + x * x) * (A::one() + x * x));

    /// The rule of `x.sinh()`: `d/dx sinh x = cosh x`.
    SinhRule, sinh, "`sinh x`", reads "input",
    |x| x.sinh(),
    |x, d| d * x.cosh(),
    rev0_tan0 |x, d, t| d * t * x.sinh();

    /// The rule of `x.cosh()`: `d/dx cosh x = sinh x`.
    CoshRule, cosh, "`cosh x`", reads "input",
    |x| x.cosh(),
    |x, d| d * x.sinh(),
    rev0_tan0 |x, d, t| d * t * x.cosh();

    /// The rule of `x.asinh()`: `d/dx asinh x = 1 / √(x² + 1)`.
    AsinhRule, asinh, "`asinh x`", reads "input",
    |x| x.asinh(),
    |x, d| d / (x * x + A::one()).sqrt(),
    rev0_tan0 |x, d, t| -d * t * x / (x * x + A::one()).powf(A::from_f64(1.5));

    /// The rule of `x.acosh()`: `d/dx acosh x = 1 / √(x² − 1)`, computed as
    /// `1 / (√(x − 1)·√(x + 1))`, which does not cancel near `x = 1`.
    AcoshRule, acosh, "`acosh x`", reads "input",
    |x| x.acosh(),
    |x, d| d / ((x - A::one()).sqrt() * (x + A::one()).sqrt()),
    rev0_tan0 |x, d, t| -d * t * x / ((x - A::one()).sqrt() * (x + A::one()).sqrt()).powi(3);

    /// The rule of `x.atanh()`: `d/dx atanh x = 1 / (1 − x²)`.
    AtanhRule, atanh, "`atanh x`", reads "input",
    |x| x.atanh(),
    |x, d| d / (A::one() - x * x),
    rev0_tan0 |x, d, t| d * t * (x + x) / ((A::one() - x * x) * (A::one() - x * x));
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

/// `d·s` for a slope `s`, exactly 0 where the slope is masked (`None`),
/// whatever `d` is: PyTorch's `pow` backward returns zeros there, so an
/// infinite or NaN `d` gives 0, not NaN.
#[inline]
fn times<A: Float>(d: A, slope: Option<A>) -> A {
    slope.map_or(A::zero(), |s| d * s)
}

/// `n·xⁿ⁻¹`, masked (`None`) when `n = 0` (so that `x⁰` has gradient 0
/// even at `x = 0`, where `0·0⁻¹` would be NaN).
#[inline]
fn powi_slope<A: Float>(x: A, n: i32) -> Option<A> {
    if n == 0 {
        return None;
    }
    let below = match n.checked_sub(1) {
        Some(m) => x.powi(m),
        // n = i32::MIN: xⁿ⁻¹ = xⁿ / x.
        None => x.powi(n) / x,
    };
    Some(A::from_f64(f64::from(n)) * below)
}

/// `n·(n − 1)·xⁿ⁻²`, masked (`None`) when `n` is 0 or 1 (the slope is constant).
#[inline]
fn powi_curvature<A: Float>(x: A, n: i32) -> Option<A> {
    if n == 0 || n == 1 {
        return None;
    }
    let below = match n.checked_sub(2) {
        Some(m) => x.powi(m),
        None => x.powi(n) / (x * x),
    };
    Some(A::from_f64(f64::from(n)) * A::from_f64(f64::from(n) - 1.0) * below)
}

/// The rule of `x.powi(n)` for a constant integer `n`: `d/dx xⁿ = n·xⁿ⁻¹`.
///
/// The gradient is exactly 0 when `n = 0`, even at `x = 0`.
pub trait PowiRule: Differentiable {
    /// The forward value `xⁿ`, elementwise.
    fn fwd(&self, n: &i32) -> Self;
    /// The input's gradient `d·n·xⁿ⁻¹`, reading the input `x`.
    fn rev0(x: &Self, n: &i32, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `t·n·xⁿ⁻¹` (elementwise: `rev0` of `t`).
    fn tan0(x: &Self, n: &i32, t: &Self::Grad) -> Self::Grad {
        Self::rev0(x, n, t)
    }
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
    /// from the input's tangent `t`: `d·n·(n − 1)·xⁿ⁻²·t`.
    fn rev0_tan0(x: &Self, n: &i32, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
}

impl<A: Float> PowiRule for A {
    #[inline]
    fn fwd(&self, n: &i32) -> A {
        self.powi(*n)
    }
    #[inline]
    fn rev0(x: &A, n: &i32, d: &A) -> A {
        times(*d, powi_slope(*x, *n))
    }
    #[inline]
    fn rev0_tan0(x: &A, n: &i32, t: &A, d: &A) -> A {
        times(*d * *t, powi_curvature(*x, *n))
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
            .map_collect(|&x, &d| times(d, powi_slope(x, n)))
    }
    fn rev0_tan0(x: &Tensor<A, D>, n: &i32, t: &Array<A, D>, d: &Array<A, D>) -> Array<A, D> {
        let n = *n;
        Zip::from(x.data())
            .and(t)
            .and(d)
            .map_collect(|&x, &t, &d| times(d * t, powi_curvature(x, n)))
    }
}

// ---- real powers -------------------------------------------------------------

/// `p·xᵖ⁻¹`, masked (`None`) where `p = 0` (PyTorch masks it, so that `x⁰`
/// has gradient 0 even at `x = 0`).
#[inline]
fn powf_slope<A: Float>(x: A, p: A) -> Option<A> {
    (p != A::zero()).then(|| p * x.powf(p - A::one()))
}

/// `y·ln x`, masked (`None`) where `x = 0` and `p ≥ 0`, as PyTorch's `pow`
/// backward for the exponent masks it.
///
/// At `x = 0` the output tells the sign of `p` without reading it: `0ᵖ` is
/// `0` for `p > 0` and `1` for `p = 0` (both finite), `±∞` for `p < 0` and
/// NaN for a NaN `p`; so the mask is "`x = 0` and `y` finite".
#[inline]
fn powf_log_slope<A: Float>(x: A, y: A) -> Option<A> {
    (x != A::zero() || !y.is_finite()).then(|| y * x.ln())
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
    /// Forward mode: the output's tangent from the base's tangent `t`: `t·p·xᵖ⁻¹`.
    fn tan0(x: &Self, p: &P, t: &Self::Grad) -> GradOf<Self::Output>;
    /// Forward mode: the output's tangent from the exponent's tangent `t`: `t·y·ln x`.
    fn tan1(x: &Self, out: &Self::Output, p: &Meta<P>, t: &P::Grad) -> GradOf<Self::Output>;
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
    /// from the base's tangent `t`: `d·p·(p − 1)·xᵖ⁻²·t` (0 where `p = 0`).
    fn rev0_tan0(x: &Self, p: &P, t: &Self::Grad, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
    /// from the exponent's tangent `t`: `d·xᵖ⁻¹·(1 + p·ln x)·t` (0 where `p = 0`).
    fn rev0_tan1(x: &Self, p: &P, t: &P::Grad, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
    /// from the base's tangent `t`, the output held: `Σ d·y·t / x`.
    fn rev1_tan0(
        x: &Self,
        out: &Self::Output,
        p: &Meta<P>,
        t: &Self::Grad,
        d: &GradOf<Self::Output>,
    ) -> P::Grad;
    /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
    /// from the output's tangent `t`, the base held: `Σ d·t·ln x`.
    fn rev1_tan_out(
        x: &Self,
        out: &Self::Output,
        p: &Meta<P>,
        t: &GradOf<Self::Output>,
        d: &GradOf<Self::Output>,
    ) -> P::Grad;
}

/// The derivatives of `rev0`'s slope `p·xᵖ⁻¹` at one element: along `x`,
/// `p·(p − 1)·xᵖ⁻²`, and along `p`, `xᵖ⁻¹·(1 + p·ln x)`; masked (`None`)
/// where `p = 0`, as the slope is.
#[inline]
fn powf_slope_derivatives<A: Float>(x: A, p: A) -> Option<(A, A)> {
    if p == A::zero() {
        return None;
    }
    let below = x.powf(p - A::one());
    let curvature = p * (p - A::one()) * x.powf(p - A::one() - A::one());
    Some((curvature, below * (A::one() + p * x.ln())))
}

/// The derivatives of `rev1`'s slope `y·ln x` at one element, `x` and the
/// output `y` read as separate values: along `x`, `y / x`, and along `y`,
/// `ln x`; masked (`None`) where `x = 0` and `y` is finite, as the slope is.
#[inline]
fn powf_log_slope_derivatives<A: Float>(x: A, y: A) -> Option<(A, A)> {
    (x != A::zero() || !y.is_finite()).then(|| (y / x, x.ln()))
}

impl<A: Float> PowfRule<A> for A {
    type Output = A;
    #[inline]
    fn fwd(&self, p: &A) -> A {
        self.powf(*p)
    }
    #[inline]
    fn rev0(x: &A, p: &A, d: &A) -> A {
        times(*d, powf_slope(*x, *p))
    }
    #[inline]
    fn rev1(x: &A, out: &A, _: &Meta<A>, d: &A) -> A {
        times(*d, powf_log_slope(*x, *out))
    }
    #[inline]
    fn tan0(x: &A, p: &A, t: &A) -> A {
        times(*t, powf_slope(*x, *p))
    }
    #[inline]
    fn tan1(x: &A, out: &A, _: &Meta<A>, t: &A) -> A {
        times(*t, powf_log_slope(*x, *out))
    }
    #[inline]
    fn rev0_tan0(x: &A, p: &A, t: &A, d: &A) -> A {
        times(*d * *t, powf_slope_derivatives(*x, *p).map(|s| s.0))
    }
    #[inline]
    fn rev0_tan1(x: &A, p: &A, t: &A, d: &A) -> A {
        times(*d * *t, powf_slope_derivatives(*x, *p).map(|s| s.1))
    }
    #[inline]
    fn rev1_tan0(x: &A, out: &A, _: &Meta<A>, t: &A, d: &A) -> A {
        times(*d * *t, powf_log_slope_derivatives(*x, *out).map(|s| s.0))
    }
    #[inline]
    fn rev1_tan_out(x: &A, out: &A, _: &Meta<A>, t: &A, d: &A) -> A {
        times(*d * *t, powf_log_slope_derivatives(*x, *out).map(|s| s.1))
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
            .map_collect(|&x, &d| times(d, powf_slope(x, p)))
    }
    fn rev1(x: &Tensor<A, D>, out: &Tensor<A, D>, _: &Meta<A>, d: &Array<A, D>) -> A {
        Zip::from(x.data())
            .and(out.data())
            .and(d)
            .fold(A::zero(), |acc, &x, &y, &d| {
                acc + times(d, powf_log_slope(x, y))
            })
    }
    fn tan0(x: &Tensor<A, D>, p: &A, t: &Array<A, D>) -> Array<A, D> {
        let p = *p;
        Zip::from(x.data())
            .and(t)
            .map_collect(|&x, &t| times(t, powf_slope(x, p)))
    }
    fn tan1(x: &Tensor<A, D>, out: &Tensor<A, D>, _: &Meta<A>, t: &A) -> Array<A, D> {
        let t = *t;
        Zip::from(x.data())
            .and(out.data())
            .map_collect(|&x, &y| times(t, powf_log_slope(x, y)))
    }
    fn rev0_tan0(x: &Tensor<A, D>, p: &A, t: &Array<A, D>, d: &Array<A, D>) -> Array<A, D> {
        let p = *p;
        Zip::from(x.data())
            .and(t)
            .and(d)
            .map_collect(|&x, &t, &d| times(d * t, powf_slope_derivatives(x, p).map(|s| s.0)))
    }
    fn rev0_tan1(x: &Tensor<A, D>, p: &A, t: &A, d: &Array<A, D>) -> Array<A, D> {
        let (p, t) = (*p, *t);
        Zip::from(x.data())
            .and(d)
            .map_collect(|&x, &d| times(d * t, powf_slope_derivatives(x, p).map(|s| s.1)))
    }
    fn rev1_tan0(
        x: &Tensor<A, D>,
        out: &Tensor<A, D>,
        _: &Meta<A>,
        t: &Array<A, D>,
        d: &Array<A, D>,
    ) -> A {
        Zip::from(x.data())
            .and(out.data())
            .and(t)
            .and(d)
            .fold(A::zero(), |acc, &x, &y, &t, &d| {
                acc + times(d * t, powf_log_slope_derivatives(x, y).map(|s| s.0))
            })
    }
    fn rev1_tan_out(
        x: &Tensor<A, D>,
        out: &Tensor<A, D>,
        _: &Meta<A>,
        t: &Array<A, D>,
        d: &Array<A, D>,
    ) -> A {
        Zip::from(x.data())
            .and(out.data())
            .and(t)
            .and(d)
            .fold(A::zero(), |acc, &x, &y, &t, &d| {
                acc + times(d * t, powf_log_slope_derivatives(x, y).map(|s| s.1))
            })
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
mod tangent_tests;
#[cfg(test)]
mod tests;
