//! The extended Rosenbrock function in plain `f64` over a slice, a `for` loop
//! the macro differentiates per iteration: the generated `value_and_grad`
//! against the same value and gradient written by hand, in one run. Both are
//! checked equal first.
//!
//! f(x) = Σᵢ 100 (x₂ᵢ₊₁ − x₂ᵢ²)² + (1 − x₂ᵢ)², i < n/2, n even.

use autograd::prelude::*;
use autograd::Rng;
use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use std::time::Duration;

/// The extended Rosenbrock function.
#[differentiable]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() / 2 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        let t = b - a * a;
        let u = 1.0 - a;
        s += 100.0 * t * t + u * u;
    }
    s
}

/// The same value and gradient, derived by hand:
/// ∂/∂x₂ᵢ = −400 x₂ᵢ t − 2u, ∂/∂x₂ᵢ₊₁ = 200 t, with t = x₂ᵢ₊₁ − x₂ᵢ², u = 1 − x₂ᵢ.
fn rosenbrock_value_and_grad_by_hand(x: &[f64]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; x.len()];
    let mut s = 0.0;
    for i in 0..x.len() / 2 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        let t = b - a * a;
        let u = 1.0 - a;
        s += 100.0 * t * t + u * u;
        g[2 * i] = -400.0 * a * t - 2.0 * u;
        g[2 * i + 1] = 200.0 * t;
    }
    (s, g)
}

/// A point with coordinates in [-2, 2].
fn point(n: usize) -> Vec<f64> {
    let mut rng = Rng::seed_from(n as u64);
    (0..n).map(|_| rng.uniform(-2.0, 2.0)).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-10 * a.abs().max(b.abs()).max(1.0)
}

/// Checks the generated value and gradient against the hand-written ones.
fn check(x: &[f64]) {
    let (v, g) = rosenbrock::value_and_grad(x);
    let (hv, hg) = rosenbrock_value_and_grad_by_hand(x);
    assert!(close(v, hv), "n = {}: value {v} vs {hv}", x.len());
    assert!(close(rosenbrock(x), hv), "n = {}: plain value", x.len());
    assert_eq!(g.len(), hg.len());
    for (i, (a, b)) in g.iter().zip(&hg).enumerate() {
        assert!(close(*a, *b), "n = {}: gradient [{i}] {a} vs {b}", x.len());
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rosenbrock");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [10, 1_000, 100_000] {
        let x = point(n);
        check(&x);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("value", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x)))
        });
        g.bench_with_input(
            BenchmarkId::new("generated value_and_grad", n),
            &x,
            |b, x| b.iter(|| rosenbrock::value_and_grad(black_box(x))),
        );
        g.bench_with_input(
            BenchmarkId::new("hand-written value_and_grad", n),
            &x,
            |b, x| b.iter(|| rosenbrock_value_and_grad_by_hand(black_box(x))),
        );
    }
    g.finish();

    // How the cost grows with n: generated against hand-written.
    let mut g = c.benchmark_group("rosenbrock_scaling");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sampling_mode(SamplingMode::Flat);
    for n in [2, 10, 100, 1_000, 10_000, 100_000] {
        let x = point(n);
        check(&x);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("generated", n), &x, |b, x| {
            b.iter(|| rosenbrock::value_and_grad(black_box(x)))
        });
        g.bench_with_input(BenchmarkId::new("hand-written", n), &x, |b, x| {
            b.iter(|| rosenbrock_value_and_grad_by_hand(black_box(x)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
