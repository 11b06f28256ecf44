//! Helpers for the tests of the derivative rules: deterministic inputs, and a
//! check of a backward function against central finite differences.
//!
//! A backward function computes a vector-Jacobian product `dᵀJ` of the
//! forward `f` at `x` for a cotangent `d`. Its entry `j` is the derivative of
//! the scalar `⟨d, f(x)⟩` along element `j` of `x`, which
//! [`check_vjp`] estimates as
//! `(⟨d, f(x + h·eⱼ)⟩ − ⟨d, f(x − h·eⱼ)⟩) / (x⁺ⱼ − x⁻ⱼ)`.
//! The step is `1e-6` in `f64` and `1e-3` in `f32` (where `1e-6` is below the
//! rounding error); the denominator is the difference of the perturbed values
//! as actually stored, so a step that rounds (inputs near 1000 in `f32`) is
//! still exact.

use ndarray::{Array, Dimension, ShapeBuilder, Zip};

use crate::float::Float;

/// Whether `A` is `f64` (else `f32`).
pub(crate) fn is_f64<A: Float>() -> bool {
    std::mem::size_of::<A>() == 8
}

/// Values spread over `[lo, hi]` in a fixed, irregular order (the fractional
/// parts of multiples of the golden ratio), so that no two neighbours are equal.
pub(crate) fn sample<A: Float, Sh: ShapeBuilder>(
    shape: Sh,
    lo: f64,
    hi: f64,
    seed: usize,
) -> Array<A, Sh::Dim> {
    let mut k = seed;
    Array::from_shape_simple_fn(shape, || {
        k += 1;
        let t = (k as f64 * 0.618_033_988_749_894_9).fract();
        A::from_f64(lo + (hi - lo) * t)
    })
}

/// Asserts that `got` is `want` up to rounding (relative `1e-12` in `f64`,
/// `1e-5` in `f32`); infinities and NaN must match exactly.
#[track_caller]
pub(crate) fn assert_close<A: Float>(what: &str, got: A, want: f64) {
    let got = got.as_f64();
    let tol = if is_f64::<A>() { 1e-12 } else { 1e-5 };
    let ok = if want.is_finite() {
        (got - want).abs() <= tol * want.abs().max(1.0)
    } else if want.is_nan() {
        got.is_nan()
    } else {
        got == want
    };
    assert!(ok, "{what}: got {got}, want {want}");
}

/// Asserts that two arrays have the same shape and are equal up to rounding.
#[track_caller]
pub(crate) fn assert_all_close<A: Float, D: Dimension>(
    what: &str,
    got: &Array<A, D>,
    want: &Array<f64, D>,
) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want) {
        assert_close(what, *g, *w);
    }
}

/// Checks `grad`, the backward function's result for cotangent `d` at `x`,
/// against central finite differences of the forward `f`.
///
/// An entry passes when `|analytic − numeric| <= atol + rtol·|numeric|`, with
/// `atol = 1e-5, rtol = 1e-4` in `f64` and `atol = rtol = 2e-2` in `f32`.
#[track_caller]
pub(crate) fn check_vjp<A: Float, D: Dimension, E: Dimension>(
    what: &str,
    f: impl Fn(&Array<A, D>) -> Array<A, E>,
    x: &Array<A, D>,
    d: &Array<A, E>,
    grad: &Array<A, D>,
) {
    assert_eq!(grad.shape(), x.shape(), "{what}: gradient shape");
    let (eps, atol, rtol) = if is_f64::<A>() {
        (1e-6, 1e-5, 1e-4)
    } else {
        (1e-3, 2e-2, 2e-2)
    };
    let x = x.as_standard_layout().into_owned();
    let analytic: Vec<f64> = grad.iter().map(|g| g.as_f64()).collect();
    let project = |y: &Array<A, E>| -> f64 {
        assert_eq!(y.shape(), d.shape(), "{what}: output shape");
        Zip::from(y)
            .and(d)
            .fold(0.0, |acc, &y, &g| acc + y.as_f64() * g.as_f64())
    };
    for (j, &a) in analytic.iter().enumerate() {
        let xj = x.as_slice().expect("standard layout")[j];
        let (up, down) = (xj + A::from_f64(eps), xj - A::from_f64(eps));
        let mut xp = x.clone();
        xp.as_slice_mut().expect("standard layout")[j] = up;
        let mut xm = x.clone();
        xm.as_slice_mut().expect("standard layout")[j] = down;
        let numeric = (project(&f(&xp)) - project(&f(&xm))) / (up - down).as_f64();
        assert!(
            (a - numeric).abs() <= atol + rtol * numeric.abs(),
            "{what}: element {j} of {:?}: analytic {a}, finite differences {numeric}",
            x.shape()
        );
    }
}

/// Checks `tangent`, a forward-mode rule's result for the input tangent
/// `v` at `x`, against the central difference `(f(x + h·v) − f(x − h·v)) / 2h`
/// of the forward `f`, with [`check_vjp`]'s step and tolerances.
#[track_caller]
pub(crate) fn check_jvp<A: Float, D: Dimension, E: Dimension>(
    what: &str,
    f: impl Fn(&Array<A, D>) -> Array<A, E>,
    x: &Array<A, D>,
    v: &Array<A, D>,
    tangent: &Array<A, E>,
) {
    let (eps, atol, rtol) = if is_f64::<A>() {
        (1e-6, 1e-5, 1e-4)
    } else {
        (1e-3, 2e-2, 2e-2)
    };
    let h = A::from_f64(eps);
    let up = Zip::from(x).and(v).map_collect(|&x, &v| x + h * v);
    let down = Zip::from(x).and(v).map_collect(|&x, &v| x - h * v);
    let (fu, fd) = (f(&up), f(&down));
    assert_eq!(tangent.shape(), fu.shape(), "{what}: tangent shape");
    for (j, ((t, u), d)) in tangent.iter().zip(&fu).zip(&fd).enumerate() {
        let (t, numeric) = (t.as_f64(), (u.as_f64() - d.as_f64()) / (2.0 * eps));
        assert!(
            (t - numeric).abs() <= atol + rtol * numeric.abs(),
            "{what}: element {j}: tangent {t}, finite differences {numeric}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn check_vjp_accepts_a_right_gradient() {
        // f(x) = x², so dᵀJ = 2·x·d.
        let x = array![1.0, -2.0, 0.5];
        let d = array![0.3, 1.0, -1.0];
        check_vjp("square", |x| x * x, &x, &d, &(&x * &d * 2.0));
        let x32 = x.mapv(|v| v as f32);
        let d32 = d.mapv(|v| v as f32);
        check_vjp("square", |x| x * x, &x32, &d32, &(&x32 * &d32 * 2.0));
    }

    #[test]
    #[should_panic(expected = "square: element 1 of [3]: analytic")]
    fn check_vjp_rejects_a_wrong_gradient() {
        let x = array![1.0, -2.0, 0.5];
        let d = array![0.3, 1.0, -1.0];
        let mut g = &x * &d * 2.0;
        g[1] *= 1.01;
        check_vjp("square", |x| x * x, &x, &d, &g);
    }
}
