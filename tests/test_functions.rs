//! The classic optimisation test functions, written the way published
//! crates write them: generic over `T: num_traits::Float` (with
//! `FromPrimitive`, `FloatConst`, `Sum`), constants through
//! `T::from_f64(..).unwrap()`, fixed-size array parameters opened with
//! `let [x1, x2] = *param;`, sums as iterator chains. Each gradient is
//! compared with the hand-derived one, in `f64` and `f32`, and checked
//! against finite differences.

use std::iter::Sum;

use autograd::gradcheck;
use autograd::prelude::*;
use num_traits::{Float, FloatConst, FromPrimitive};

fn close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{got:?} vs {want:?}"
        );
    }
}

#[differentiable]
pub fn sphere<T: Float + Sum>(param: &[T]) -> T {
    param.iter().map(|x| x.powi(2)).sum()
}

#[differentiable]
pub fn ackley<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + FloatConst + Sum,
{
    let a = T::from_f64(20.0).unwrap();
    let b = T::from_f64(0.2).unwrap();
    let c = T::from_f64(2.0).unwrap() * T::PI();
    let n = T::from_usize(param.len()).unwrap();
    let one = T::one();
    -a * (-b * ((one / n) * param.iter().map(|x| x.powi(2)).sum()).sqrt()).exp()
        - ((one / n) * param.iter().map(|x| (c * *x).cos()).sum()).exp()
        + a
        + T::E()
}

#[differentiable]
pub fn rosenbrock<T>(param: &[T], a: T, b: T) -> T
where
    T: Float + FromPrimitive + Sum,
{
    param
        .iter()
        .zip(param.iter().skip(1))
        .map(|(&xi, &xi1)| (a - xi).powi(2) + b * (xi1 - xi.powi(2)).powi(2))
        .sum()
}

#[differentiable]
pub fn rastrigin<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + FloatConst + Sum,
{
    let a = T::from_f64(10.0).unwrap();
    let n = T::from_usize(param.len()).unwrap();
    a * n
        + param
            .iter()
            .map(|&x| x.powi(2) - a * (T::from_f64(2.0).unwrap() * T::PI() * x).cos())
            .sum()
}

#[differentiable]
pub fn styblinski_tang<T: Float + FromPrimitive + Sum>(param: &[T]) -> T {
    T::from_f64(0.5).unwrap()
        * param
            .iter()
            .map(|x| {
                x.powi(4) - T::from_f64(16.0).unwrap() * x.powi(2) + T::from_f64(5.0).unwrap() * *x
            })
            .sum()
}

#[differentiable]
pub fn beale<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    (T::from_f64(1.5).unwrap() - x1 + x1 * x2).powi(2)
        + (T::from_f64(2.25).unwrap() - x1 + x1 * x2.powi(2)).powi(2)
        + (T::from_f64(2.625).unwrap() - x1 + x1 * x2.powi(3)).powi(2)
}

#[differentiable]
pub fn booth<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    (x1 + T::from_f64(2.0).unwrap() * x2 - T::from_f64(7.0).unwrap()).powi(2)
        + (T::from_f64(2.0).unwrap() * x1 + x2 - T::from_f64(5.0).unwrap()).powi(2)
}

#[differentiable]
pub fn himmelblau<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    (x1.powi(2) + x2 - T::from_f64(11.0).unwrap()).powi(2)
        + (x1 + x2.powi(2) - T::from_f64(7.0).unwrap()).powi(2)
}

#[differentiable]
pub fn matyas<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    T::from_f64(0.26).unwrap() * (x1.powi(2) + x2.powi(2)) - T::from_f64(0.48).unwrap() * x1 * x2
}

#[differentiable]
pub fn mccormick<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    (x1 + x2).sin() + (x1 - x2).powi(2) - T::from_f64(1.5).unwrap() * x1
        + T::from_f64(2.5).unwrap() * x2
        + T::one()
}

#[differentiable]
pub fn easom<T: Float + FloatConst>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    -x1.cos() * x2.cos() * (-(x1 - T::PI()).powi(2) - (x2 - T::PI()).powi(2)).exp()
}

#[differentiable]
pub fn three_hump_camel<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    T::from_f64(2.0).unwrap() * x1.powi(2) - T::from_f64(1.05).unwrap() * x1.powi(4)
        + x1.powi(6) / T::from_f64(6.0).unwrap()
        + x1 * x2
        + x2.powi(2)
}

/// The same function in plain `f64`, taking the array by value.
#[differentiable]
pub fn himmelblau_f64(x: [f64; 2]) -> f64 {
    let [x1, x2] = x;
    (x1 * x1 + x2 - 11.0).powi(2) + (x1 + x2 * x2 - 7.0).powi(2)
}

/// `..` in an array pattern counts from the end.
#[differentiable]
pub fn ends(x: &[f64; 4]) -> f64 {
    let [first, .., last] = *x;
    let [_, second, ..] = *x;
    first * last + second
}

const P: [f64; 4] = [0.3, -0.7, 1.1, 0.45];
const Q: [f64; 2] = [0.6, -1.3];

#[test]
fn functions_of_slices() {
    // sphere: 2x
    let (v, g) = sphere::value_and_grad(&P[..]);
    assert_eq!(v.to_bits(), sphere(&P[..]).to_bits());
    close(&g, &P.map(|x| 2.0 * x), 1e-14);

    // ackley: with s = Σx²/n, c = Σcos(2πx)/n, r = √s:
    // ∂ = 20·0.2·e^(−0.2r)·x/(n r) + e^c·2π·sin(2πx)/n
    let n = P.len() as f64;
    let tau = 2.0 * std::f64::consts::PI;
    let s = P.iter().map(|x| x * x).sum::<f64>() / n;
    let c = P.iter().map(|x| (tau * x).cos()).sum::<f64>() / n;
    let r = s.sqrt();
    let want: Vec<f64> = P
        .iter()
        .map(|x| 4.0 * (-0.2 * r).exp() * x / (n * r) + c.exp() * tau * (tau * x).sin() / n)
        .collect();
    let (v, g) = ackley::value_and_grad(&P[..]);
    assert_eq!(v.to_bits(), ackley(&P[..]).to_bits());
    close(&g, &want, 1e-12);
    let p32: Vec<f32> = P.iter().map(|&x| x as f32).collect();
    let (_, g32) = ackley::value_and_grad(&p32[..]);
    close(
        &g32.iter().map(|&x| x as f64).collect::<Vec<_>>(),
        &want,
        1e-4,
    );

    // rosenbrock: ∂xᵢ = −2(a − xᵢ) − 4b·xᵢ(xᵢ₊₁ − xᵢ²) + 2b(xᵢ − xᵢ₋₁²)
    let (a, b) = (1.0, 100.0);
    let want: Vec<f64> = (0..4)
        .map(|i| {
            let mut d = 0.0;
            if i + 1 < 4 {
                d += -2.0 * (a - P[i]) - 4.0 * b * P[i] * (P[i + 1] - P[i] * P[i]);
            }
            if i > 0 {
                d += 2.0 * b * (P[i] - P[i - 1] * P[i - 1]);
            }
            d
        })
        .collect();
    let (v, (g, ga, gb)) = rosenbrock::value_and_grad(&P[..], a, b);
    assert_eq!(v.to_bits(), rosenbrock(&P[..], a, b).to_bits());
    close(&g, &want, 1e-12);
    let ga_want: f64 = P[..3].iter().map(|x| 2.0 * (a - x)).sum();
    let gb_want: f64 = (0..3).map(|i| (P[i + 1] - P[i] * P[i]).powi(2)).sum();
    close(&[ga, gb], &[ga_want, gb_want], 1e-12);

    // rastrigin: 2x + 20π sin(2πx)
    let (_, g) = rastrigin::value_and_grad(&P[..]);
    let want = P.map(|x| 2.0 * x + 10.0 * tau * (tau * x).sin());
    close(&g, &want, 1e-12);

    // styblinski_tang: (4x³ − 32x + 5)/2
    let (_, g) = styblinski_tang::value_and_grad(&P[..]);
    close(
        &g,
        &P.map(|x| (4.0 * x * x * x - 32.0 * x + 5.0) / 2.0),
        1e-12,
    );

    let p = P.to_vec();
    gradcheck(|x: &Vec<f64>| ackley::value_and_grad(&x[..]), &p).unwrap();
    gradcheck(|x: &Vec<f64>| rastrigin::value_and_grad(&x[..]), &p).unwrap();
}

#[test]
fn functions_of_two_dimensional_arrays() {
    let [x, y] = Q;
    type Case = (
        fn(&[f64; 2]) -> (f64, [f64; 2]),
        fn(&[f64; 2]) -> f64,
        [f64; 2],
    );
    let cases: [(&str, Case); 7] = [
        ("beale", {
            let (a, b, c) = (
                1.5 - x + x * y,
                2.25 - x + x * y * y,
                2.625 - x + x * y.powi(3),
            );
            (
                beale::value_and_grad,
                beale,
                [
                    2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y.powi(3) - 1.0),
                    2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y * y,
                ],
            )
        }),
        ("booth", {
            let (a, b) = (x + 2.0 * y - 7.0, 2.0 * x + y - 5.0);
            (
                booth::value_and_grad,
                booth,
                [2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b],
            )
        }),
        ("himmelblau", {
            let (a, b) = (x * x + y - 11.0, x + y * y - 7.0);
            (
                himmelblau::value_and_grad,
                himmelblau,
                [4.0 * a * x + 2.0 * b, 2.0 * a + 4.0 * b * y],
            )
        }),
        (
            "matyas",
            (
                matyas::value_and_grad,
                matyas,
                [0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x],
            ),
        ),
        ("mccormick", {
            let c = (x + y).cos();
            (
                mccormick::value_and_grad,
                mccormick,
                [c + 2.0 * (x - y) - 1.5, c - 2.0 * (x - y) + 2.5],
            )
        }),
        ("easom", {
            let pi = std::f64::consts::PI;
            let e = (-(x - pi).powi(2) - (y - pi).powi(2)).exp();
            let f = -x.cos() * y.cos() * e;
            (
                easom::value_and_grad,
                easom,
                [
                    x.sin() * y.cos() * e - 2.0 * (x - pi) * f,
                    x.cos() * y.sin() * e - 2.0 * (y - pi) * f,
                ],
            )
        }),
        ("three_hump_camel", {
            (
                three_hump_camel::value_and_grad,
                three_hump_camel,
                [4.0 * x - 4.2 * x.powi(3) + x.powi(5) + y, x + 2.0 * y],
            )
        }),
    ];
    for (name, (vg, plain, want)) in cases {
        let (v, g) = vg(&Q);
        assert_eq!(v.to_bits(), plain(&Q).to_bits(), "{name}");
        close(&g, &want, 1e-12);
        gradcheck(|q: &[f64; 2]| vg(q), &Q).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // f32 and a by-value array.
    let (_, g32) = himmelblau::value_and_grad(&[0.6f32, -1.3]);
    let (a, b) = (x * x + y - 11.0, x + y * y - 7.0);
    let want = [4.0 * a * x + 2.0 * b, 2.0 * a + 4.0 * b * y];
    close(&g32.map(|v| v as f64), &want, 1e-5);
    assert_eq!(himmelblau_f64::grad(Q), himmelblau::grad(&Q));
}

#[test]
fn rest_patterns_count_from_the_end() {
    let x = [1.5, -2.0, 0.25, 4.0];
    let (v, g) = ends::value_and_grad(&x);
    assert_eq!(v, ends(&x));
    assert_eq!(g, [4.0, 1.0, 0.0, 1.5]);
}
