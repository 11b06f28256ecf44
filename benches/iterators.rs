//! Iterator chains against the same functions written with `for` loops,
//! in one run: the generated gradients should cost the same (the chains
//! are rewritten into those loops). Both are checked equal first.

use autograd::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

#[differentiable]
fn dot_iter(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y.iter()).map(|(a, b)| a * b).sum()
}

#[differentiable]
fn dot_for(x: &[f64], y: &[f64]) -> f64 {
    let mut s = -0.0;
    for (a, b) in x.iter().zip(y.iter()) {
        s += a * b;
    }
    s
}

#[differentiable]
fn rosenbrock_iter(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

#[differentiable]
fn rosenbrock_for(x: &[f64]) -> f64 {
    let mut s = -0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

#[differentiable]
fn logsum_iter(x: &[f64]) -> f64 {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    x.iter().map(|v| (v - m).exp()).sum::<f64>().ln() + m
}

#[differentiable]
fn logsum_for(x: &[f64]) -> f64 {
    let mut m = f64::NEG_INFINITY;
    for v in x.iter() {
        m = f64::max(m, *v);
    }
    let mut s = -0.0;
    for v in x.iter() {
        s += (v - m).exp();
    }
    s.ln() + m
}

fn bench(c: &mut Criterion) {
    let n = 1000;
    let x: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.37).sin()).collect();
    let y: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.11).cos()).collect();
    assert_eq!(
        dot_iter::value_and_grad(&x, &y),
        dot_for::value_and_grad(&x, &y)
    );
    assert_eq!(
        rosenbrock_iter::value_and_grad(&x),
        rosenbrock_for::value_and_grad(&x)
    );
    assert_eq!(
        logsum_iter::value_and_grad(&x),
        logsum_for::value_and_grad(&x)
    );
    let mut g = c.benchmark_group("iterators");
    g.bench_function("dot chain", |b| {
        b.iter(|| dot_iter::value_and_grad(black_box(&x), black_box(&y)))
    });
    g.bench_function("dot for", |b| {
        b.iter(|| dot_for::value_and_grad(black_box(&x), black_box(&y)))
    });
    g.bench_function("rosenbrock chain", |b| {
        b.iter(|| rosenbrock_iter::value_and_grad(black_box(&x)))
    });
    g.bench_function("rosenbrock for", |b| {
        b.iter(|| rosenbrock_for::value_and_grad(black_box(&x)))
    });
    g.bench_function("logsumexp chain", |b| {
        b.iter(|| logsum_iter::value_and_grad(black_box(&x)))
    });
    g.bench_function("logsumexp for", |b| {
        b.iter(|| logsum_for::value_and_grad(black_box(&x)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
