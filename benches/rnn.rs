//! An unrolled tanh RNN in a `for` loop (hidden 64, batch 16, 32 steps,
//! input size 64), `f64`: the generated gradient through the loop against
//! backpropagation through time written by hand, in one run. Both are
//! checked equal first.

use autograd::prelude::*;
use autograd::{init, Rng};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

const STEPS: usize = 32;
const BATCH: usize = 16;
const INPUT: usize = 64;
const HIDDEN: usize = 64;

#[path = "workloads/rnn.rs"]
mod workload;
use workload::{hand_value_and_grad, rnn};

fn assert_close<D: autograd::ndarray::Dimension>(
    what: &str,
    a: &autograd::ndarray::Array<f64, D>,
    b: &autograd::ndarray::Array<f64, D>,
) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-10 * scale.max(y.abs()),
            "{what}[{i}]: generated {x} vs hand-written {y} (largest {scale})"
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng::seed_from(3);
    let xs: Tensor<f64, Ix3> = init::normal((STEPS, BATCH, INPUT), 0.0, 1.0, &mut rng);
    let h0: Tensor<f64, Ix2> = init::normal((BATCH, HIDDEN), 0.0, 0.5, &mut rng);
    let wx: Tensor<f64, Ix2> = init::normal((INPUT, HIDDEN), 0.0, 0.125, &mut rng);
    let wh: Tensor<f64, Ix2> = init::normal((HIDDEN, HIDDEN), 0.0, 0.125, &mut rng);
    let b: Tensor<f64, Ix1> = init::normal(HIDDEN, 0.0, 0.1, &mut rng);
    let data = (xs.data(), h0.data(), wx.data(), wh.data(), b.data());

    let (v, ((), gh0, gwx, gwh, gb)) = rnn::value_and_grad(&xs, &h0, &wx, &wh, &b);
    let (hv, hg) = hand_value_and_grad(data.0, data.1, data.2, data.3, data.4);
    assert!(
        (v.item() - hv).abs() <= 1e-10 * hv.abs().max(1.0),
        "loss {} vs {hv}",
        v.item()
    );
    assert!((rnn(&xs, &h0, &wx, &wh, &b).item() - hv).abs() <= 1e-10 * hv.abs().max(1.0));
    assert_close("dh0", &gh0, &hg.h0);
    assert_close("dWx", &gwx, &hg.wx);
    assert_close("dWh", &gwh, &hg.wh);
    assert_close("db", &gb, &hg.b);

    let mut g = c.benchmark_group("rnn");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("value", |bn| {
        bn.iter(|| rnn(black_box(&xs), &h0, &wx, &wh, &b))
    });
    g.bench_function("generated value_and_grad", |bn| {
        bn.iter(|| rnn::value_and_grad(black_box(&xs), &h0, &wx, &wh, &b))
    });
    g.bench_function("hand-written value_and_grad", |bn| {
        bn.iter(|| hand_value_and_grad(black_box(data.0), data.1, data.2, data.3, data.4))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
