//! Closures and iterator chains inside `#[differentiable]` bodies, in `f64`
//! and `f32`.
//!
//! Each chain is compared with the same function written with `for` loops
//! (values and gradients equal bit for bit: the operations are the same,
//! in the same order), and its gradient with a hand-derived one and with
//! `gradcheck`.

// The `for` twins are written as loops on purpose.
#![allow(
    clippy::explicit_counter_loop,
    clippy::needless_range_loop,
    clippy::type_complexity
)]

use autograd::gradcheck;

// Only the `in_f64_and_f32!` macro of the shared helpers is used here.
#[macro_use]
#[allow(dead_code, unused_macros)]
mod common;

in_f64_and_f32! {
    // Each `*_iter` beside its `*_for` twin.
    #[differentiable]
    pub fn sumsq_iter(x: &[F]) -> F {
        x.iter().map(|v| v * v).sum::<F>()
    }
    #[differentiable]
    pub fn sumsq_for(x: &[F]) -> F {
        let mut s = -0.0;
        for v in x.iter() {
            s += v * v;
        }
        s
    }

    #[differentiable]
    pub fn dot_iter(x: &[F], y: &[F]) -> F {
        x.iter().zip(y.iter()).map(|(a, b)| a * b).sum()
    }
    #[differentiable]
    pub fn dot_for(x: &[F], y: &[F]) -> F {
        let mut s = -0.0;
        for (a, b) in x.iter().zip(y.iter()) {
            s += a * b;
        }
        s
    }

    #[differentiable]
    pub fn fold_iter(x: &[F]) -> F {
        x.iter().fold(0.0, |acc, v| acc + v.powi(2))
    }

    #[differentiable]
    pub fn product_iter(x: &[F]) -> F {
        x.iter().product()
    }
    #[differentiable]
    pub fn product_for(x: &[F]) -> F {
        let mut p = 1.0;
        for v in x {
            p *= v;
        }
        p
    }

    #[differentiable]
    pub fn indexed_iter(x: &[F], w: &[F]) -> F {
        let n = x.len();
        (0..n).map(|i| x[i] * w[i]).sum()
    }
    #[differentiable]
    pub fn indexed_for(x: &[F], w: &[F]) -> F {
        let n = x.len();
        let mut s = -0.0;
        for i in 0..n {
            s += x[i] * w[i];
        }
        s
    }

    #[differentiable]
    pub fn adapters_iter(x: &[F]) -> F {
        let a: F = x.iter().rev().skip(1).step_by(2).map(|v| v.sin()).sum();
        let b = x.iter().enumerate().map(|(i, v)| (i as F) * v).sum::<F>();
        let c: F = x.iter().copied().filter(|v| *v > 0.0).map(|v| v * 3.0).sum();
        let d: F = x.iter().take(3).cloned().map(F::exp).sum();
        a + b + c + d
    }
    #[differentiable]
    pub fn adapters_for(x: &[F]) -> F {
        let n = x.len();
        let mut a = -0.0;
        let mut k = 0;
        for i in (0..n).rev() {
            if k >= 1 && (k - 1) % 2 == 0 {
                a += x[i].sin();
            }
            k += 1;
        }
        let mut b = -0.0;
        for (i, v) in x.iter().enumerate() {
            b += (i as F) * v;
        }
        let mut c = -0.0;
        for v in x.iter() {
            if *v > 0.0 {
                c += v * 3.0;
            }
        }
        let mut d = -0.0;
        for i in 0..3 {
            d += x[i].exp();
        }
        a + b + c + d
    }

    #[differentiable]
    pub fn rosenbrock_iter(x: &[F]) -> F {
        x.windows(2)
            .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
            .sum()
    }
    #[differentiable]
    pub fn rosenbrock_for(x: &[F]) -> F {
        let mut s = -0.0;
        for i in 0..x.len() - 1 {
            s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
        }
        s
    }

    #[differentiable]
    pub fn chunks_iter(x: &[F]) -> F {
        x.chunks(2).map(|c| c[0] * (c.len() as F)).sum()
    }

    #[differentiable]
    pub fn max_iter(x: &[F]) -> F {
        x.iter().cloned().fold(F::NEG_INFINITY, F::max)
    }
    #[differentiable]
    pub fn max_for(x: &[F]) -> F {
        let mut m = F::NEG_INFINITY;
        for v in x.iter() {
            m = m.max(*v);
        }
        m
    }

    #[differentiable]
    pub fn for_over_chain(x: &[F]) -> F {
        let mut t = 0.0;
        for (i, v) in x.iter().map(|v| v.exp()).enumerate().skip(1) {
            t += v * (i as F);
        }
        t
    }

    #[differentiable]
    pub fn for_each_chain(x: &[F]) -> F {
        let mut t = 0.0;
        x.iter().for_each(|v| t += v.cos());
        t
    }

    #[differentiable]
    pub fn closures(x: F, y: F) -> F {
        let sq = |v: F| v * v;
        let s = y;
        let scaled = |v: F| v * s;
        // A later `s` changes nothing: the closure captured the first.
        let s = 100.0;
        let both = |a: F, b: F| sq(a) + scaled(b);
        sq(x) + scaled(x) + sq(scaled(y)) + s + both(y, x)
    }

    #[differentiable]
    pub fn constant_chains(x: &[F], idx: &[usize]) -> F {
        // Counts, positions and integer sums differentiate nothing.
        let n = idx.iter().filter(|&&i| i > 0).count();
        let m = (0..n).map(|i| i * 2).sum::<usize>();
        let big = x.iter().any(|v| *v > 1.0);
        let k = x.iter().filter(|v| **v > 0.5).count();
        let scale = if big { 2.0 } else { 1.0 };
        x.iter().map(|v| v * scale).sum::<F>() * ((n + m + k) as F)
    }
    /// Sums and products of constants keep the type the chain states:
    /// `.floor()` on them needs it (found by the fuzzer: seed 19).
    #[differentiable]
    pub fn typed_constant_sums(x: &[F]) -> F {
        let s: F = x.iter().map(|_| 1.5).sum();
        x.iter().map(|_| 2.25).sum::<F>().floor() * x[0]
            + x[1] * s.sqrt()
            + x.iter().map(|_| 1.5).product::<F>().ln()
    }
}

const X: [f64; 5] = [0.3, -1.2, 0.8, 2.0, 0.7];
const Y: [f64; 5] = [1.5, 0.2, -0.4, 0.9, 1.1];

fn x32() -> Vec<f32> {
    X.iter().map(|&v| v as f32).collect()
}
fn y32() -> Vec<f32> {
    Y.iter().map(|&v| v as f32).collect()
}

#[track_caller]
fn same_bits(a: &(f64, Vec<f64>), b: &(f64, Vec<f64>)) {
    assert_eq!(a.0.to_bits(), b.0.to_bits(), "values {} and {}", a.0, b.0);
    let (ga, gb): (Vec<u64>, Vec<u64>) = (
        a.1.iter().map(|g| g.to_bits()).collect(),
        b.1.iter().map(|g| g.to_bits()).collect(),
    );
    assert_eq!(ga, gb, "gradients {:?} and {:?}", a.1, b.1);
}

#[track_caller]
fn same_bits32(a: &(f32, Vec<f32>), b: &(f32, Vec<f32>)) {
    assert_eq!(a.0.to_bits(), b.0.to_bits(), "values {} and {}", a.0, b.0);
    let (ga, gb): (Vec<u32>, Vec<u32>) = (
        a.1.iter().map(|g| g.to_bits()).collect(),
        b.1.iter().map(|g| g.to_bits()).collect(),
    );
    assert_eq!(ga, gb, "gradients {:?} and {:?}", a.1, b.1);
}

#[track_caller]
fn close(got: &[f64], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= rtol * g.abs().max(w.abs()).max(1e-300) || g == w,
            "got {got:?}, want {want:?}"
        );
    }
}

#[track_caller]
fn close32(got: &[f32], want: &[f64]) {
    let got: Vec<f64> = got.iter().map(|&g| g as f64).collect();
    close(&got, want, 1e-5);
}

/// The value and gradient of a one-slice function, checked by `gradcheck`.
fn checked(f: fn(&[f64]) -> (f64, Vec<f64>)) -> (f64, Vec<f64>) {
    gradcheck(|x: &Vec<f64>| f(x), &X.to_vec()).unwrap();
    f(&X)
}

#[test]
fn chains_equal_their_for_loops_bit_for_bit() {
    same_bits(
        &f64s::sumsq_iter::value_and_grad(&X),
        &f64s::sumsq_for::value_and_grad(&X),
    );
    same_bits32(
        &f32s::sumsq_iter::value_and_grad(&x32()),
        &f32s::sumsq_for::value_and_grad(&x32()),
    );
    let dot = |f: fn(&[f64], &[f64]) -> (f64, (Vec<f64>, Vec<f64>))| {
        let (v, (gx, gy)) = f(&X, &Y);
        (v, [gx, gy].concat())
    };
    same_bits(
        &dot(f64s::dot_iter::value_and_grad),
        &dot(f64s::dot_for::value_and_grad),
    );
    same_bits(
        &dot(f64s::indexed_iter::value_and_grad),
        &dot(f64s::indexed_for::value_and_grad),
    );
    same_bits(
        &f64s::product_iter::value_and_grad(&X),
        &f64s::product_for::value_and_grad(&X),
    );
    same_bits(
        &f64s::adapters_iter::value_and_grad(&X),
        &f64s::adapters_for::value_and_grad(&X),
    );
    same_bits32(
        &f32s::adapters_iter::value_and_grad(&x32()),
        &f32s::adapters_for::value_and_grad(&x32()),
    );
    same_bits(
        &f64s::rosenbrock_iter::value_and_grad(&X),
        &f64s::rosenbrock_for::value_and_grad(&X),
    );
    same_bits(
        &f64s::max_iter::value_and_grad(&X),
        &f64s::max_for::value_and_grad(&X),
    );
    // And the plain functions: a chain's value is what `std` computes.
    assert_eq!(
        f64s::sumsq_iter::value_and_grad(&X).0.to_bits(),
        f64s::sumsq_iter(&X).to_bits()
    );
    assert_eq!(
        f64s::adapters_iter::value_and_grad(&X).0.to_bits(),
        f64s::adapters_iter(&X).to_bits()
    );
    assert_eq!(
        f64s::product_iter::value_and_grad(&X).0.to_bits(),
        f64s::product_iter(&X).to_bits()
    );
    let empty: [f64; 0] = [];
    assert_eq!(
        f64s::sumsq_iter::value_and_grad(&empty).0.to_bits(),
        (-0.0f64).to_bits()
    );
}

#[test]
fn chain_gradients_are_hand_derived() {
    // Σ v²: 2x
    let want: Vec<f64> = X.iter().map(|v| 2.0 * v).collect();
    close(&checked(f64s::sumsq_iter::value_and_grad).1, &want, 1e-12);
    close(&checked(f64s::fold_iter::value_and_grad).1, &want, 1e-12);
    close32(&f32s::fold_iter::value_and_grad(&x32()).1, &want);
    // Π v: Π / v
    let p: f64 = X.iter().product();
    let want: Vec<f64> = X.iter().map(|v| p / v).collect();
    close(&checked(f64s::product_iter::value_and_grad).1, &want, 1e-12);
    // Σ x·y: (y, x)
    let (v, (gx, gy)) = f64s::dot_iter::value_and_grad(&X, &Y);
    assert_eq!(v, f64s::dot_iter(&X, &Y));
    close(&gx, &Y, 1e-12);
    close(&gy, &X, 1e-12);
    let (_, (gx, gy)) = f32s::dot_iter::value_and_grad(&x32(), &y32());
    close32(&gx, &Y);
    close32(&gy, &X);
    // Rosenbrock: the classic gradient.
    let n = X.len();
    let mut want = vec![0.0; n];
    for i in 0..n - 1 {
        want[i] += -400.0 * X[i] * (X[i + 1] - X[i] * X[i]) - 2.0 * (1.0 - X[i]);
        want[i + 1] += 200.0 * (X[i + 1] - X[i] * X[i]);
    }
    close(
        &checked(f64s::rosenbrock_iter::value_and_grad).1,
        &want,
        1e-12,
    );
    close32(&f32s::rosenbrock_iter::value_and_grad(&x32()).1, &want);
    // chunks(2) of 5: c[0]·len: x0·2 + x2·2 + x4·1
    close(
        &checked(f64s::chunks_iter::value_and_grad).1,
        &[2.0, 0.0, 2.0, 0.0, 1.0],
        1e-12,
    );
    // max: 1 at the largest
    close(
        &f64s::max_iter::value_and_grad(&X).1,
        &[0.0, 0.0, 0.0, 1.0, 0.0],
        0.0,
    );
    // Σ_{i≥1} i·e^{x_i}
    let want: Vec<f64> = X
        .iter()
        .enumerate()
        .map(|(i, v)| i as f64 * v.exp())
        .collect();
    close(
        &checked(f64s::for_over_chain::value_and_grad).1,
        &want,
        1e-12,
    );
    // Σ cos v: −sin x
    let want: Vec<f64> = X.iter().map(|v| -v.sin()).collect();
    close(
        &checked(f64s::for_each_chain::value_and_grad).1,
        &want,
        1e-12,
    );
    close32(&f32s::for_each_chain::value_and_grad(&x32()).1, &want);
}

#[test]
fn local_closures_are_inlined_with_their_captures() {
    // x² + x·y + (y²)² + 100 + (y² + x·y): (2x + 2y, x + 4y³ + 2y + x)
    let (x, y) = (0.7, -1.3);
    let (v, (gx, gy)) = f64s::closures::value_and_grad(x, y);
    assert_eq!(v.to_bits(), f64s::closures(x, y).to_bits());
    close(
        &[gx, gy],
        &[2.0 * x + 2.0 * y, x + 4.0 * y * y * y + 2.0 * y + x],
        1e-12,
    );
    let (v, (gx, gy)) = f32s::closures::value_and_grad(0.7, -1.3);
    assert_eq!(v.to_bits(), f32s::closures(0.7, -1.3).to_bits());
    close32(
        &[gx, gy],
        &[2.0 * x + 2.0 * y, x + 4.0 * y * y * y + 2.0 * y + x],
    );
}

#[test]
fn chains_of_constants_stay_constants() {
    let idx = [0usize, 3, 1, 0, 2];
    // n = 3 nonzero indices, m = 0 + 2 + 4 = 6, k = 3 elements > 0.5, big: 2.0 > 1
    let (v, g) = f64s::constant_chains::value_and_grad(&X, &idx);
    assert_eq!(v.to_bits(), f64s::constant_chains(&X, &idx).to_bits());
    close(&g.0, &[24.0; 5], 1e-12);
}

#[test]
fn sums_of_constants_have_the_stated_type() {
    // floor(5 · 2.25) · x₀ + x₁ · √7.5 + ln(1.5⁵)
    let (v, g) = f64s::typed_constant_sums::value_and_grad(&X);
    assert_eq!(v.to_bits(), f64s::typed_constant_sums(&X).to_bits());
    close(&g, &[11.0, 7.5f64.sqrt(), 0.0, 0.0, 0.0], 1e-12);
    let (v, g) = f32s::typed_constant_sums::value_and_grad(&x32());
    assert_eq!(v.to_bits(), f32s::typed_constant_sums(&x32()).to_bits());
    close32(&g, &[11.0, 7.5f64.sqrt(), 0.0, 0.0, 0.0]);
}

mod tuple_items {
    use autograd::prelude::*;

    const K: &[f64] = &[1.0, 2.0, 3.0];

    /// An `enumerate` or `zip` item bound to one name and read as `t.0`,
    /// `t.1`: `0.5 + Σ Kᵢ / (x + i)`, `∂/∂x = -Σ Kᵢ / (x + i)²`.
    #[differentiable]
    pub fn item_fields(x: f64) -> f64 {
        K.iter()
            .enumerate()
            .fold(0.5, |s, t| s + t.1 / (x + t.0 as f64))
    }

    #[differentiable]
    pub fn item_fields_for(x: f64) -> f64 {
        let mut s = 0.5;
        for (i, k) in K.iter().enumerate() {
            s += k / (x + i as f64);
        }
        s
    }

    #[differentiable]
    pub fn zipped_fields(x: &[f64], w: &[f64]) -> f64 {
        x.iter().zip(w.iter()).map(|p| p.0 * p.1).sum::<f64>()
    }

    #[test]
    fn items_read_by_field() {
        let (v, g) = item_fields::value_and_grad(2.0);
        assert_eq!((v, g), item_fields_for::value_and_grad(2.0));
        assert!((g + (0.25 + 2.0 / 9.0 + 3.0 / 16.0)).abs() < 1e-15);
        assert_eq!(
            zipped_fields::value_and_grad(&[1.0, 2.0], &[3.0, 4.0]),
            (11.0, (vec![3.0, 4.0], vec![1.0, 2.0]))
        );
    }
}
