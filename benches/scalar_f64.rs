//! The generated gradient of a plain-`f64` function against the same
//! gradient written by hand, in one run. Both are checked equal first.

use autograd::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// f(x, y) = (sin(xy) + eˣ)² / (1 + y²) + ln(1 + x²y²)
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = a.sin() + x.exp();
    let c = b * b / (1.0 + y * y);
    c + (a * a).ln_1p()
}

/// The same value and gradient, derived by hand.
fn f_value_and_grad_by_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let a = x * y;
    let sa = a.sin();
    let ex = x.exp();
    let b = sa + ex;
    let q = 1.0 + y * y;
    let c = b * b / q;
    let a2 = a * a;
    let value = c + a2.ln_1p();
    // dc/db = 2b/q, dc/dq = -b²/q², dl/da = 2a/(1+a²)
    let dc_db = 2.0 * b / q;
    let dl_da = 2.0 * a / (1.0 + a2);
    let da = dc_db * a.cos() + dl_da;
    let dx = da * y + dc_db * ex;
    let dy = da * x - b * b / (q * q) * 2.0 * y;
    (value, (dx, dy))
}

fn bench(c: &mut Criterion) {
    for &(x, y) in &[(0.3, -1.2), (1.5, 0.7)] {
        let (v, (gx, gy)) = f::value_and_grad(x, y);
        let (hv, (hx, hy)) = f_value_and_grad_by_hand(x, y);
        assert!((v - hv).abs() < 1e-12 && (gx - hx).abs() < 1e-12 && (gy - hy).abs() < 1e-12);
    }
    let mut g = c.benchmark_group("scalar_f64");
    g.bench_function("value", |b| b.iter(|| f(black_box(0.3), black_box(-1.2))));
    g.bench_function("generated value_and_grad", |b| {
        b.iter(|| f::value_and_grad(black_box(0.3), black_box(-1.2)))
    });
    g.bench_function("hand-written value_and_grad", |b| {
        b.iter(|| f_value_and_grad_by_hand(black_box(0.3), black_box(-1.2)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
