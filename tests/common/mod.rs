//! Helpers shared by the operator tests (`ops_arith.rs`, `ops_broadcast.rs`,
//! `ops_methods.rs`, `ops_softmax.rs`): the functions under test defined once
//! in `f64` and once in `f32`, the checks of their values and gradients, and
//! their inputs. `iterators.rs`, `vec_updates.rs` and
//! `chain_first_consumers.rs` use only [`in_f64_and_f32`].
//!
//! A test file uses them with
//!
//! ```ignore
//! #[macro_use]
//! mod common;
//! use common::{Close, Pass, To32, F32_TOL, F64_TOL};
//! use autograd::{gradcheck, gradcheck_vjp};
//! ```
//!
//! since the macros name these items, and the modules `f64s` and `f32s` that
//! [`in_f64_and_f32`] defines, where they are called.

pub mod arith_inputs;
pub mod method_inputs;

use autograd::ndarray::{arr0, Array, Dimension, Ix0};
use autograd::prelude::*;

/// Defines the items twice: in `mod f64s` with `F = f64` and in `mod f32s`
/// with `F = f32`.
macro_rules! in_f64_and_f32 {
    ($($item:item)*) => {
        mod f64s {
            use autograd::prelude::*;
            #[allow(dead_code)]
            type F = f64;
            $($item)*
        }
        mod f32s {
            use autograd::prelude::*;
            #[allow(dead_code)]
            type F = f32;
            $($item)*
        }
    };
}

// ---- checking helpers ------------------------------------------------------------

pub const F64_TOL: f64 = 1e-12;
pub const F32_TOL: f64 = 1e-5;

/// `|got − want| <= rtol·max(|got|, |want|)`; equal values (zeros, infinities) pass.
fn close(got: f64, want: f64, rtol: f64) -> bool {
    got == want || (got - want).abs() <= rtol * got.abs().max(want.abs())
}

/// A value or gradient compared with its expected `f64` counterpart `W`.
pub trait Close<W> {
    fn check(&self, want: &W, rtol: f64, what: &str);
}

impl Close<f64> for f64 {
    #[track_caller]
    fn check(&self, want: &f64, rtol: f64, what: &str) {
        assert!(
            close(*self, *want, rtol),
            "{what}: got {self:e}, want {want:e} (rtol {rtol:e})"
        );
    }
}

impl Close<f64> for f32 {
    #[track_caller]
    fn check(&self, want: &f64, rtol: f64, what: &str) {
        f64::from(*self).check(want, rtol, what)
    }
}

impl Close<()> for () {
    fn check(&self, _want: &(), _rtol: f64, _what: &str) {}
}

impl<A: Float, D: Dimension> Close<Array<f64, D>> for Array<A, D> {
    #[track_caller]
    fn check(&self, want: &Array<f64, D>, rtol: f64, what: &str) {
        assert_eq!(self.shape(), want.shape(), "{what}: shapes differ");
        for (i, (g, w)) in self.iter().zip(want.iter()).enumerate() {
            let g = g.as_f64();
            assert!(
                close(g, *w, rtol),
                "{what}: element {i}: got {g:e}, want {w:e} (rtol {rtol:e})\n got {self:?}\nwant {want:?}"
            );
        }
    }
}

impl<A: Float, D: Dimension> Close<Array<f64, D>> for Tensor<A, D> {
    #[track_caller]
    fn check(&self, want: &Array<f64, D>, rtol: f64, what: &str) {
        self.data().check(want, rtol, what)
    }
}

impl<A: Float> Close<f64> for Array<A, Ix0> {
    #[track_caller]
    fn check(&self, want: &f64, rtol: f64, what: &str) {
        self.check(&arr0(*want), rtol, what)
    }
}

impl<A: Float> Close<f64> for Tensor<A, Ix0> {
    #[track_caller]
    fn check(&self, want: &f64, rtol: f64, what: &str) {
        self.data().check(&arr0(*want), rtol, what)
    }
}

impl<G0: Close<W0>, G1: Close<W1>, W0, W1> Close<(W0, W1)> for (G0, G1) {
    #[track_caller]
    fn check(&self, want: &(W0, W1), rtol: f64, what: &str) {
        self.0.check(&want.0, rtol, &format!("{what} [0]"));
        self.1.check(&want.1, rtol, &format!("{what} [1]"));
    }
}

impl<G0: Close<W0>, G1: Close<W1>, G2: Close<W2>, W0, W1, W2> Close<(W0, W1, W2)> for (G0, G1, G2) {
    #[track_caller]
    fn check(&self, want: &(W0, W1, W2), rtol: f64, what: &str) {
        self.0.check(&want.0, rtol, &format!("{what} [0]"));
        self.1.check(&want.1, rtol, &format!("{what} [1]"));
        self.2.check(&want.2, rtol, &format!("{what} [2]"));
    }
}

/// How a test input is passed to a generated function: a tensor by
/// reference, a number by value.
pub trait Pass {
    type Arg<'a>
    where
        Self: 'a;
    fn pass(&self) -> Self::Arg<'_>;
}

macro_rules! pass_by_value {
    ($($t:ty),*) => {$(
        impl Pass for $t {
            type Arg<'a> = $t;
            fn pass(&self) -> $t {
                *self
            }
        }
    )*};
}
pass_by_value!(f64, f32, i32);

impl<A: 'static, D: 'static> Pass for Tensor<A, D> {
    type Arg<'a> = &'a Tensor<A, D>;
    fn pass(&self) -> &Tensor<A, D> {
        self
    }
}

/// The `f32` version of an `f64` test input or cotangent (integers stay).
pub trait To32 {
    type Out;
    fn to32(&self) -> Self::Out;
}

impl To32 for f64 {
    type Out = f32;
    fn to32(&self) -> f32 {
        *self as f32
    }
}

impl To32 for i32 {
    type Out = i32;
    fn to32(&self) -> i32 {
        *self
    }
}

impl<D: Dimension> To32 for Array<f64, D> {
    type Out = Array<f32, D>;
    fn to32(&self) -> Array<f32, D> {
        self.mapv(|v| v as f32)
    }
}

impl<D: Dimension> To32 for Tensor<f64, D> {
    type Out = Tensor<f32, D>;
    fn to32(&self) -> Tensor<f32, D> {
        Tensor::from(self.data().to32())
    }
}

/// Checks `f64s::$f` and `f32s::$f`, whose output is a tensor, at the inputs
/// named by the local variables `$x` (f64 tensors, floats and integers):
/// * the value equals `$value` and `vjp` with the cotangent `$v` equals the
///   hand-derived `$grads` (1e-12 relative);
/// * `gradcheck_vjp` passes on the f64 function;
/// * the f32 function's value and gradient equal the f64 ones (1e-5 relative,
///   or the looser `f32_rtol` given).
macro_rules! check_vjp {
    (
        $($f:ident)::+ ($x:ident), v = $v:expr, value = $value:expr, grads = $grads:expr
        $(, f32_rtol = $tol:expr)? $(,)?
    ) => {{
        let what = stringify!($($f)::+);
        let f32_rtol = F32_TOL $(.max($tol))?;
        let v = $v;
        let (want_value, want) = ($value, $grads);
        let (value, pullback) = f64s::$($f)::+::vjp($x.pass());
        value.check(&want_value, F64_TOL, &format!("{what} f64 value"));
        let grads = pullback(&v);
        grads.check(&want, F64_TOL, &format!("{what} f64 gradient"));
        gradcheck_vjp(
            |$x| f64s::$($f)::+($x.pass()),
            |$x, v| f64s::$($f)::+::vjp($x.pass()).1(v),
            &$x.clone(),
        )
        .unwrap();
        let $x = $x.to32();
        let (value32, pullback32) = f32s::$($f)::+::vjp($x.pass());
        value32.check(value.data(), f32_rtol, &format!("{what} f32 value"));
        pullback32(&v.to32()).check(&grads, f32_rtol, &format!("{what} f32 gradient"));
        grads
    }};
    ($($f:ident)::+ ($($x:ident),+), v = $v:expr, value = $value:expr, grads = $grads:expr $(,)?) => {{
        let what = stringify!($($f)::+);
        let v = $v;
        let (want_value, want) = ($value, $grads);
        let (value, pullback) = f64s::$($f)::+::vjp($($x.pass()),+);
        value.check(&want_value, F64_TOL, &format!("{what} f64 value"));
        let grads = pullback(&v);
        grads.check(&want, F64_TOL, &format!("{what} f64 gradient"));
        gradcheck_vjp(
            |($($x,)+)| f64s::$($f)::+($($x.pass()),+),
            |($($x,)+), v| f64s::$($f)::+::vjp($($x.pass()),+).1(v),
            &($($x.clone(),)+),
        )
        .unwrap();
        $(let $x = $x.to32();)+
        let (value32, pullback32) = f32s::$($f)::+::vjp($($x.pass()),+);
        value32.check(value.data(), F32_TOL, &format!("{what} f32 value"));
        pullback32(&v.to32()).check(&grads, F32_TOL, &format!("{what} f32 gradient"));
        grads
    }};
}

/// Checks `f64s::$f` and `f32s::$f`, whose output is a float or a `Scalar`,
/// as [`check_vjp`] does, through `value_and_grad` and `gradcheck`.
macro_rules! check_grad {
    ($($f:ident)::+ ($x:ident), value = $value:expr, grads = $grads:expr $(,)?) => {{
        let what = stringify!($($f)::+);
        let (want_value, want) = ($value, $grads);
        let (value, grads) = f64s::$($f)::+::value_and_grad($x.pass());
        value.check(&want_value, F64_TOL, &format!("{what} f64 value"));
        grads.check(&want, F64_TOL, &format!("{what} f64 gradient"));
        gradcheck(|$x| f64s::$($f)::+::value_and_grad($x.pass()), &$x.clone()).unwrap();
        let $x = $x.to32();
        let (value32, grads32) = f32s::$($f)::+::value_and_grad($x.pass());
        value32.check(&want_value, F32_TOL, &format!("{what} f32 value"));
        grads32.check(&grads, F32_TOL, &format!("{what} f32 gradient"));
    }};
    ($($f:ident)::+ ($($x:ident),+), value = $value:expr, grads = $grads:expr $(,)?) => {{
        let what = stringify!($($f)::+);
        let (want_value, want) = ($value, $grads);
        let (value, grads) = f64s::$($f)::+::value_and_grad($($x.pass()),+);
        value.check(&want_value, F64_TOL, &format!("{what} f64 value"));
        grads.check(&want, F64_TOL, &format!("{what} f64 gradient"));
        gradcheck(
            |($($x,)+)| f64s::$($f)::+::value_and_grad($($x.pass()),+),
            &($($x.clone(),)+),
        )
        .unwrap();
        $(let $x = $x.to32();)+
        let (value32, grads32) = f32s::$($f)::+::value_and_grad($($x.pass()),+);
        value32.check(&want_value, F32_TOL, &format!("{what} f32 value"));
        grads32.check(&grads, F32_TOL, &format!("{what} f32 gradient"));
    }};
}
