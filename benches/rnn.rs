//! An unrolled tanh RNN in a `for` loop (hidden 64, batch 16, 32 steps,
//! input size 64), `f64`: the generated gradient through the loop against
//! backpropagation through time written by hand, in one run. Both are
//! checked equal first.

use autograd::ndarray::{Array1, Array2, Array3, Axis, Zip};
use autograd::prelude::*;
use autograd::{init, Rng};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

const STEPS: usize = 32;
const BATCH: usize = 16;
const INPUT: usize = 64;
const HIDDEN: usize = 64;

/// `h ← tanh(x_t·Wx + h·Wh + b)` for each step t, then the mean of the final `h`.
#[differentiable]
fn rnn(
    #[no_grad] xs: &Tensor<f64, Ix3>,
    h0: &Tensor<f64, Ix2>,
    wx: &Tensor<f64, Ix2>,
    wh: &Tensor<f64, Ix2>,
    b: &Tensor<f64, Ix1>,
) -> Scalar<f64> {
    let mut h = h0.clone();
    for t in 0..xs.shape()[0] {
        let x_t = xs.index_axis(Axis(0), t);
        h = (x_t.matmul(wx) + h.matmul(wh) + b).tanh();
    }
    h.mean()
}

/// The gradients of the hand-written BPTT: h0, Wx, Wh, b.
struct Grads {
    h0: Array2<f64>,
    wx: Array2<f64>,
    wh: Array2<f64>,
    b: Array1<f64>,
}

/// The hand-written forward pass: the loss and every state `h_0 … h_T`,
/// which the backward pass reads.
fn hand_forward(
    xs: &Array3<f64>,
    h0: &Array2<f64>,
    wx: &Array2<f64>,
    wh: &Array2<f64>,
    b: &Array1<f64>,
) -> (f64, Vec<Array2<f64>>) {
    let mut hs = Vec::with_capacity(xs.len_of(Axis(0)) + 1);
    hs.push(h0.clone());
    for x_t in xs.outer_iter() {
        let h = hs.last().expect("h0 is pushed first");
        let mut a = x_t.dot(wx);
        a += &h.dot(wh);
        a += b;
        a.mapv_inplace(f64::tanh);
        hs.push(a);
    }
    let value = hs
        .last()
        .expect("h0 is pushed first")
        .mean()
        .expect("non-empty");
    (value, hs)
}

/// Backpropagation through time: `da = dh ⊙ (1 − h²)`, `dWx += x_tᵀ·da`,
/// `dWh += h_{t−1}ᵀ·da`, `db += Σ_batch da`, `dh ← da·Whᵀ`.
fn hand_backward(xs: &Array3<f64>, wh: &Array2<f64>, hs: Vec<Array2<f64>>) -> Grads {
    let last = hs.last().expect("h0 is pushed first");
    let mut dh = Array2::from_elem(last.raw_dim(), 1.0 / last.len() as f64);
    let mut gwx = Array2::zeros((xs.len_of(Axis(2)), wh.nrows()));
    let mut gwh = Array2::zeros(wh.raw_dim());
    let mut gb = Array1::zeros(wh.ncols());
    for t in (0..xs.len_of(Axis(0))).rev() {
        Zip::from(&mut dh)
            .and(&hs[t + 1])
            .for_each(|d, &h| *d *= 1.0 - h * h);
        gwx += &xs.index_axis(Axis(0), t).t().dot(&dh);
        gwh += &hs[t].t().dot(&dh);
        gb += &dh.sum_axis(Axis(0));
        dh = dh.dot(&wh.t());
    }
    Grads {
        h0: dh,
        wx: gwx,
        wh: gwh,
        b: gb,
    }
}

fn hand_value_and_grad(
    xs: &Array3<f64>,
    h0: &Array2<f64>,
    wx: &Array2<f64>,
    wh: &Array2<f64>,
    b: &Array1<f64>,
) -> (f64, Grads) {
    let (value, hs) = hand_forward(xs, h0, wx, wh, b);
    (value, hand_backward(xs, wh, hs))
}

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
