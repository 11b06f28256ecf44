//! More classic optimisation test functions, written from their
//! definitions the way published crates write them (generic over
//! `T: Float + FromPrimitive`, `&[T; 2]` or `&[T]` parameters, `abs`,
//! `sqrt`, `powi`, chains over `windows`): Bukin N.6, cross-in-tray,
//! Eggholder, Goldstein-Price, Picheny, Hölder table, Lévy, Lévy N.13,
//! Schaffer N.2 and N.4. Each gradient is compared with the hand-derived
//! one (written out in the test, from the definition) and with finite
//! differences, away from the kinks of `abs`.

use std::f64::consts::PI;

use autograd::gradcheck;
use autograd::prelude::*;
use num_traits::{Float, FloatConst, FromPrimitive};

#[differentiable]
pub fn bukin_n6<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    T::from_f64(100.0).unwrap() * (x2 - T::from_f64(0.01).unwrap() * x1.powi(2)).abs().sqrt()
        + T::from_f64(0.01).unwrap() * (x1 + T::from_f64(10.0).unwrap()).abs()
}

#[differentiable]
pub fn cross_in_tray<T: Float + FromPrimitive + FloatConst>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let r = (x1.powi(2) + x2.powi(2)).sqrt();
    let e = (T::from_f64(100.0).unwrap() - r / T::PI()).abs().exp();
    -T::from_f64(0.0001).unwrap()
        * ((x1.sin() * x2.sin() * e).abs() + T::one()).powf(T::from_f64(0.1).unwrap())
}

#[differentiable]
pub fn eggholder<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let n47 = T::from_f64(47.0).unwrap();
    let two = T::from_f64(2.0).unwrap();
    -(x2 + n47) * (x1 / two + x2 + n47).abs().sqrt().sin()
        - x1 * (x1 - (x2 + n47)).abs().sqrt().sin()
}

#[differentiable]
pub fn goldstein_price<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let n = |v: f64| T::from_f64(v).unwrap();
    let a = T::one()
        + (x1 + x2 + T::one()).powi(2)
            * (n(19.0) - n(14.0) * x1 + n(3.0) * x1.powi(2) - n(14.0) * x2
                + n(6.0) * x1 * x2
                + n(3.0) * x2.powi(2));
    let b = n(30.0)
        + (n(2.0) * x1 - n(3.0) * x2).powi(2)
            * (n(18.0) - n(32.0) * x1 + n(12.0) * x1.powi(2) + n(48.0) * x2 - n(36.0) * x1 * x2
                + n(27.0) * x2.powi(2));
    a * b
}

/// Goldstein-Price on `[0, 1]²`, logarithmic and scaled (Picheny et al.).
#[differentiable]
pub fn picheny<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let four = T::from_f64(4.0).unwrap();
    let two = T::from_f64(2.0).unwrap();
    let gp = goldstein_price(&[four * x1 - two, four * x2 - two]);
    (gp.ln() - T::from_f64(8.693).unwrap()) / T::from_f64(2.427).unwrap()
}

#[differentiable]
pub fn holder_table<T: Float + FromPrimitive + FloatConst>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let r = (x1.powi(2) + x2.powi(2)).sqrt();
    -(x1.sin() * x2.cos() * (T::one() - r / T::PI()).abs().exp()).abs()
}

#[differentiable]
pub fn levy<T: Float + FromPrimitive + FloatConst>(param: &[T]) -> T {
    let n = param.len();
    let four = T::from_f64(4.0).unwrap();
    let ten = T::from_f64(10.0).unwrap();
    let w = |x: T| T::one() + (x - T::one()) / four;
    let w1 = w(param[0]);
    let wn = w(param[n - 1]);
    (T::PI() * w1).sin().powi(2)
        + param[0..n - 1]
            .iter()
            .map(|&x| {
                let wi = w(x);
                (wi - T::one()).powi(2) * (T::one() + ten * (T::PI() * wi + T::one()).sin().powi(2))
            })
            .fold(T::zero(), |acc, v| acc + v)
        + (wn - T::one()).powi(2)
            * (T::one() + (T::from_f64(2.0).unwrap() * T::PI() * wn).sin().powi(2))
}

#[differentiable]
pub fn levy_n13<T: Float + FromPrimitive + FloatConst>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let n = |v: f64| T::from_f64(v).unwrap();
    let pi = T::PI();
    (n(3.0) * pi * x1).sin().powi(2)
        + (x1 - T::one()).powi(2) * (T::one() + (n(3.0) * pi * x2).sin().powi(2))
        + (x2 - T::one()).powi(2) * (T::one() + (n(2.0) * pi * x2).sin().powi(2))
}

#[differentiable]
pub fn schaffer_n2<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let half = T::from_f64(0.5).unwrap();
    half + ((x1.powi(2) - x2.powi(2)).sin().powi(2) - half)
        / (T::one() + T::from_f64(0.001).unwrap() * (x1.powi(2) + x2.powi(2))).powi(2)
}

#[differentiable]
pub fn schaffer_n4<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let half = T::from_f64(0.5).unwrap();
    half + ((x1.powi(2) - x2.powi(2)).abs().sin().cos().powi(2) - half)
        / (T::one() + T::from_f64(0.001).unwrap() * (x1.powi(2) + x2.powi(2))).powi(2)
}

fn sign(v: f64) -> f64 {
    v.signum()
}

/// Goldstein-Price's value and gradient by hand: `P·Q` with
/// `P = 1 + a²B`, `Q = 30 + c²D`.
fn goldstein_price_by_hand(x: f64, y: f64) -> (f64, [f64; 2]) {
    let a = x + y + 1.0;
    let b = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
    let p = 1.0 + a * a * b;
    let cc = 2.0 * x - 3.0 * y;
    let d = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
    let q = 30.0 + cc * cc * d;
    let px = 2.0 * a * b + a * a * (-14.0 + 6.0 * x + 6.0 * y);
    let py = 2.0 * a * b + a * a * (-14.0 + 6.0 * x + 6.0 * y);
    let qx = 4.0 * cc * d + cc * cc * (-32.0 + 24.0 * x - 36.0 * y);
    let qy = -6.0 * cc * d + cc * cc * (48.0 - 36.0 * x + 54.0 * y);
    (p * q, [px * q + p * qx, py * q + p * qy])
}

fn by_hand(name: &str, x: f64, y: f64) -> [f64; 2] {
    match name {
        "bukin_n6" => {
            let u = y - 0.01 * x * x;
            let s = 100.0 * sign(u) / (2.0 * u.abs().sqrt());
            [s * (-0.02 * x) + 0.01 * sign(x + 10.0), s]
        }
        "cross_in_tray" => {
            let r = (x * x + y * y).sqrt();
            let w = 100.0 - r / PI;
            let e = w.abs().exp();
            let g = x.sin() * y.sin() * e;
            let k = -1e-5 * (g.abs() + 1.0).powf(-0.9) * sign(g);
            let gx = x.cos() * y.sin() * e + g * sign(w) * (-x / (r * PI));
            let gy = x.sin() * y.cos() * e + g * sign(w) * (-y / (r * PI));
            [k * gx, k * gy]
        }
        "eggholder" => {
            let (p, q) = (x / 2.0 + y + 47.0, x - y - 47.0);
            let dp = (p.abs().sqrt()).cos() * sign(p) / (2.0 * p.abs().sqrt());
            let dq = (q.abs().sqrt()).cos() * sign(q) / (2.0 * q.abs().sqrt());
            [
                -(y + 47.0) * dp * 0.5 - q.abs().sqrt().sin() - x * dq,
                -p.abs().sqrt().sin() - (y + 47.0) * dp + x * dq,
            ]
        }
        "goldstein_price" => goldstein_price_by_hand(x, y).1,
        "picheny" => {
            let (gp, g) = goldstein_price_by_hand(4.0 * x - 2.0, 4.0 * y - 2.0);
            [4.0 * g[0] / gp / 2.427, 4.0 * g[1] / gp / 2.427]
        }
        "holder_table" => {
            let r = (x * x + y * y).sqrt();
            let w = 1.0 - r / PI;
            let e = w.abs().exp();
            let g = x.sin() * y.cos() * e;
            let gx = x.cos() * y.cos() * e + g * sign(w) * (-x / (r * PI));
            let gy = -x.sin() * y.sin() * e + g * sign(w) * (-y / (r * PI));
            [-sign(g) * gx, -sign(g) * gy]
        }
        "levy_n13" => {
            let p = PI;
            [
                3.0 * p * (6.0 * p * x).sin()
                    + 2.0 * (x - 1.0) * (1.0 + (3.0 * p * y).sin().powi(2)),
                (x - 1.0).powi(2) * 3.0 * p * (6.0 * p * y).sin()
                    + 2.0 * (y - 1.0) * (1.0 + (2.0 * p * y).sin().powi(2))
                    + (y - 1.0).powi(2) * 2.0 * p * (4.0 * p * y).sin(),
            ]
        }
        "schaffer_n2" | "schaffer_n4" => {
            let u = x * x - y * y;
            let s = x * x + y * y;
            let (n, dn) = if name == "schaffer_n2" {
                (u.sin().powi(2) - 0.5, (2.0 * u).sin())
            } else {
                let su = u.abs().sin();
                (
                    su.cos().powi(2) - 0.5,
                    -(2.0 * su).sin() * u.abs().cos() * sign(u),
                )
            };
            let base = 1.0 + 0.001 * s;
            let d = base * base;
            let dd = |t: f64| 2.0 * base * 0.002 * t;
            [
                (dn * 2.0 * x * d - n * dd(x)) / (d * d),
                (dn * -2.0 * y * d - n * dd(y)) / (d * d),
            ]
        }
        other => panic!("{other}"),
    }
}

type Case = (fn(&[f64; 2]) -> (f64, [f64; 2]), fn(&[f64; 2]) -> f64);

fn cases() -> Vec<(&'static str, Case)> {
    vec![
        ("bukin_n6", (bukin_n6::value_and_grad, bukin_n6)),
        (
            "cross_in_tray",
            (cross_in_tray::value_and_grad, cross_in_tray),
        ),
        ("eggholder", (eggholder::value_and_grad, eggholder)),
        (
            "goldstein_price",
            (goldstein_price::value_and_grad, goldstein_price),
        ),
        ("picheny", (picheny::value_and_grad, picheny)),
        ("holder_table", (holder_table::value_and_grad, holder_table)),
        ("levy_n13", (levy_n13::value_and_grad, levy_n13)),
        ("schaffer_n2", (schaffer_n2::value_and_grad, schaffer_n2)),
        ("schaffer_n4", (schaffer_n4::value_and_grad, schaffer_n4)),
    ]
}

#[test]
fn two_dimensional_functions_against_their_hand_gradients() {
    let points = [[-7.3, 0.6], [0.31, 0.77], [1.7, -2.2], [-0.45, 1.35]];
    for (name, (vg, plain)) in cases() {
        for q in points {
            let (v, g) = vg(&q);
            assert_eq!(v.to_bits(), plain(&q).to_bits(), "{name} at {q:?}");
            let want = by_hand(name, q[0], q[1]);
            for k in 0..2 {
                assert!(
                    (g[k] - want[k]).abs() <= 1e-9 * (1.0 + want[k].abs()),
                    "{name} at {q:?}: {g:?} vs {want:?}"
                );
            }
            gradcheck(|q: &[f64; 2]| vg(q), &q).unwrap_or_else(|e| panic!("{name} at {q:?}: {e}"));
        }
    }
}

#[test]
fn levy_in_n_dimensions() {
    let x = vec![0.3, -1.2, 2.5, 0.7];
    let (v, g) = levy::value_and_grad(&x);
    assert_eq!(v, levy(&x));
    let w: Vec<f64> = x.iter().map(|xi| 1.0 + (xi - 1.0) / 4.0).collect();
    let n = x.len();
    let mut want = vec![0.0; n];
    want[0] += PI * (2.0 * PI * w[0]).sin() / 4.0;
    for i in 0..n - 1 {
        let a = PI * w[i] + 1.0;
        want[i] += (2.0 * (w[i] - 1.0) * (1.0 + 10.0 * a.sin().powi(2))
            + 10.0 * PI * (w[i] - 1.0).powi(2) * (2.0 * a).sin())
            / 4.0;
    }
    let b = 2.0 * PI * w[n - 1];
    want[n - 1] += (2.0 * (w[n - 1] - 1.0) * (1.0 + b.sin().powi(2))
        + (w[n - 1] - 1.0).powi(2) * 2.0 * PI * (2.0 * b).sin())
        / 4.0;
    for k in 0..n {
        assert!((g[k] - want[k]).abs() < 1e-12, "{g:?} vs {want:?}");
    }
    gradcheck(|x: &Vec<f64>| levy::value_and_grad(x), &x).unwrap();
}

#[test]
fn in_f32_too() {
    let q = [0.31f32, 0.77];
    let (_, g) = goldstein_price::value_and_grad(&q);
    let want = by_hand("goldstein_price", 0.31f32 as f64, 0.77f32 as f64);
    for k in 0..2 {
        assert!((g[k] as f64 - want[k]).abs() <= 1e-4 * (1.0 + want[k].abs()));
    }
    let (_, g) = schaffer_n2::value_and_grad(&q);
    let want = by_hand("schaffer_n2", 0.31f32 as f64, 0.77f32 as f64);
    for k in 0..2 {
        assert!((g[k] as f64 - want[k]).abs() <= 1e-4 * (1.0 + want[k].abs()));
    }
}

/// Booth on `2p - 1`, its elements made by `param.map(..)` as Picheny's
/// published form makes them: the gradient is Booth's, doubled.
#[differentiable]
pub fn shifted_booth<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let two = T::from_f64(2.0).unwrap();
    let [x, y] = param.map(|v| v * two - T::one());
    (x + two * y - T::from_f64(7.0).unwrap()).powi(2)
        + (two * x + y - T::from_f64(5.0).unwrap()).powi(2)
}

#[test]
fn array_map_in_a_pattern() {
    let q = [0.3, 0.8];
    let (x, y) = (2.0 * q[0] - 1.0, 2.0 * q[1] - 1.0);
    let (a, b) = (x + 2.0 * y - 7.0, 2.0 * x + y - 5.0);
    let (v, g) = shifted_booth::value_and_grad(&q);
    assert_eq!(v, shifted_booth(&q));
    assert!((g[0] - 2.0 * (2.0 * a + 4.0 * b)).abs() < 1e-12);
    assert!((g[1] - 2.0 * (4.0 * a + 2.0 * b)).abs() < 1e-12);
    let (_, g32) = shifted_booth::value_and_grad(&[0.3f32, 0.8]);
    assert!((g32[0] as f64 - g[0]).abs() < 1e-4);
}

/// Computed in `f64` whatever `T` is, as published code does when it
/// needs `f64` precision: `T` to `f64` by `.into()`, back by
/// `T::from_f64(..).unwrap()`. `sin x₁ · x₂²`: `(cos x₁ · x₂², 2 x₂ sin x₁)`.
#[differentiable]
pub fn through_f64<T>(param: &[T; 2]) -> T
where
    T: Float + Into<f64> + FromPrimitive,
{
    let x1: f64 = param[0].into();
    let x2: f64 = param[1].into();
    T::from_f64(x1.sin() * x2.powi(2)).unwrap()
}

#[test]
fn conversions_through_f64() {
    let (v, g) = through_f64::value_and_grad(&[1.0f64, 0.5]);
    assert_eq!(v, through_f64(&[1.0, 0.5]));
    assert!((g[0] - 1.0f64.cos() * 0.25).abs() < 1e-15);
    assert!((g[1] - 1.0f64.sin()).abs() < 1e-15);
    let (v, g) = through_f64::value_and_grad(&[1.0f32, 0.5]);
    assert_eq!(v, through_f64(&[1.0f32, 0.5]));
    assert!((g[1] as f64 - 1.0f64.sin()).abs() < 1e-6);
}
