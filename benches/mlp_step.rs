//! One training step of a 784-256-10 MLP in `f32` (ReLU, mean cross-entropy,
//! SGD): the generated backward pass into the leaves against the same step
//! written by hand with ndarray (the same matrix products, the same update),
//! in one run. Both are checked equal first.

use autograd::ndarray::{Array1, Array2, Axis, Zip};
use autograd::optim::{Optimizer, Sgd};
use autograd::prelude::*;
use autograd::{init, Rng};
use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use std::time::Duration;

const LR: f64 = 0.05;

#[path = "workloads/mlp.rs"]
mod workload;
use workload::{loss, loss_in_out, Mlp, MlpInOut, CLASSES, INPUTS};

/// The same model as plain arrays.
#[derive(Clone)]
struct HandMlp {
    w1: Array2<f32>,
    b1: Array1<f32>,
    w2: Array2<f32>,
    b2: Array1<f32>,
}

impl HandMlp {
    fn from(m: &Mlp) -> HandMlp {
        HandMlp {
            w1: m.w1.data().clone(),
            b1: m.b1.data().clone(),
            w2: m.w2.data().clone(),
            b2: m.b2.data().clone(),
        }
    }
}

/// What the hand-written backward pass reads: the hidden activations and the
/// softmax of the logits.
struct Saved {
    h: Array2<f32>,
    probs: Array2<f32>,
}

/// The hand-written forward pass: the loss, and what the backward pass needs.
fn hand_forward(m: &HandMlp, x: &Array2<f32>, labels: &[usize]) -> (f32, Saved) {
    let mut h = x.dot(&m.w1.t());
    h += &m.b1;
    h.mapv_inplace(|v| if v > 0.0 { v } else { 0.0 });
    let mut probs = h.dot(&m.w2.t());
    probs += &m.b2;
    // Stable log-softmax per row: loss_i = ln Σ e^(x − max) − (x_label − max).
    let mut total = 0.0f32;
    for (mut row, &label) in probs.rows_mut().into_iter().zip(labels) {
        let max = row.fold(f32::NEG_INFINITY, |a, &v| a.max(v));
        let shifted = row[label] - max;
        row.mapv_inplace(|v| (v - max).exp());
        let s = row.sum();
        total += s.ln() - shifted;
        row /= s;
    }
    (total / labels.len() as f32, Saved { h, probs })
}

/// The hand-written backward pass: the gradient of every parameter.
fn hand_backward(m: &HandMlp, x: &Array2<f32>, labels: &[usize], saved: Saved) -> HandMlp {
    let Saved { h, probs } = saved;
    // ∂loss/∂logits = (softmax − onehot)/N
    let n = labels.len() as f32;
    let mut dlogits = probs;
    for (mut row, &label) in dlogits.rows_mut().into_iter().zip(labels) {
        row[label] -= 1.0;
        row /= n;
    }
    let w2 = dlogits.t().dot(&h);
    let b2 = dlogits.sum_axis(Axis(0));
    // ∂/∂h = dlogits·W2, through the ReLU where h > 0.
    let mut dz = dlogits.dot(&m.w2);
    Zip::from(&mut dz).and(&h).for_each(|d, &h| {
        if h <= 0.0 {
            *d = 0.0
        }
    });
    let w1 = dz.t().dot(x);
    let b1 = dz.sum_axis(Axis(0));
    HandMlp { w1, b1, w2, b2 }
}

/// One hand-written SGD step; returns the loss.
fn hand_step(m: &mut HandMlp, x: &Array2<f32>, labels: &[usize], lr: f32) -> f32 {
    let (value, saved) = hand_forward(m, x, labels);
    let g = hand_backward(m, x, labels, saved);
    m.w1.scaled_add(-lr, &g.w1);
    m.b1.scaled_add(-lr, &g.b1);
    m.w2.scaled_add(-lr, &g.w2);
    m.b2.scaled_add(-lr, &g.b2);
    value
}

/// One generated step, as PyTorch's loop writes it; returns the loss.
fn generated_step(m: &mut Mlp, opt: &mut Sgd<f32>, x: &Tensor<f32, Ix2>, labels: &[usize]) -> f32 {
    let output = loss::forward(m, x, labels);
    let value = output.item();
    output.backward();
    opt.step(m);
    opt.zero_grad(m);
    value
}

/// [`generated_step`] for weights stored `(in, out)`.
fn generated_step_in_out(
    m: &mut MlpInOut,
    opt: &mut Sgd<f32>,
    x: &Tensor<f32, Ix2>,
    labels: &[usize],
) -> f32 {
    let output = loss_in_out::forward(m, x, labels);
    let value = output.item();
    output.backward();
    opt.step(m);
    opt.zero_grad(m);
    value
}

/// A random batch: inputs in [0, 1), labels in 0..10.
fn batch(n: usize, rng: &mut Rng) -> (Tensor<f32, Ix2>, Vec<usize>) {
    let x = init::uniform((n, INPUTS), 0.0, 1.0, rng);
    let labels = (0..n).map(|_| rng.below(CLASSES)).collect();
    (x, labels)
}

fn assert_close<D: autograd::ndarray::Dimension>(
    what: &str,
    a: &autograd::ndarray::Array<f32, D>,
    b: &autograd::ndarray::Array<f32, D>,
) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let scale = b.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-30);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-5 * scale.max(y.abs()),
            "{what}[{i}]: generated {x} vs hand-written {y} (largest {scale})"
        );
    }
}

/// Checks the loss, the gradients and the parameters after one step.
fn check(n: usize) {
    let mut rng = Rng::seed_from(1);
    let mut model = Mlp::new(&mut rng);
    let mut hand = HandMlp::from(&model);
    let (x, labels) = batch(n, &mut rng);

    let (v, g) = loss::value_and_grad(&model, &x, &labels);
    let (g, _, ()) = g;
    assert!((loss(&model, &x, &labels).item() - v.item()).abs() <= 1e-5 * v.item().abs());
    let (hv, saved) = hand_forward(&hand, x.data(), &labels);
    let hg = hand_backward(&hand, x.data(), &labels, saved);
    assert!(
        (v.item() - hv).abs() <= 1e-5 * hv.abs(),
        "loss {} vs {hv}",
        v.item()
    );
    assert_close("dw1", &g.w1, &hg.w1);
    assert_close("db1", &g.b1, &hg.b1);
    assert_close("dw2", &g.w2, &hg.w2);
    assert_close("db2", &g.b2, &hg.b2);

    let mut opt = Sgd::new(LR);
    let gv = generated_step(&mut model, &mut opt, &x, &labels);
    let hv = hand_step(&mut hand, x.data(), &labels, LR as f32);
    assert!((gv - hv).abs() <= 1e-5 * hv.abs());
    assert_close("w1 after a step", model.w1.data(), &hand.w1);
    assert_close("b1 after a step", model.b1.data(), &hand.b1);
    assert_close("w2 after a step", model.w2.data(), &hand.w2);
    assert_close("b2 after a step", model.b2.data(), &hand.b2);
    assert!(model.w1.grad().is_none(), "zero_grad clears the leaves");

    // The (in, out) layout takes the same step.
    let mut model = Mlp::new(&mut Rng::seed_from(1));
    let mut in_out = MlpInOut::from(&model);
    generated_step(&mut model, &mut Sgd::new(LR), &x, &labels);
    generated_step_in_out(&mut in_out, &mut Sgd::new(LR), &x, &labels);
    assert_close(
        "w1 (in, out)",
        &in_out.w1.data().t().to_owned(),
        model.w1.data(),
    );
    assert_close(
        "w2 (in, out)",
        &in_out.w2.data().t().to_owned(),
        model.w2.data(),
    );
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng::seed_from(7);
    let model = Mlp::new(&mut rng);

    let n = 64;
    check(n);
    let (x, labels) = batch(n, &mut rng);
    let mut g = c.benchmark_group("mlp_step");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("value", |b| {
        b.iter(|| loss(black_box(&model), black_box(&x), black_box(&labels)))
    });
    g.bench_function("generated step", |b| {
        let mut m = model.clone();
        let mut opt = Sgd::new(LR);
        b.iter(|| generated_step(&mut m, &mut opt, black_box(&x), black_box(&labels)))
    });
    g.bench_function("generated step, (in, out) weights without .t()", |b| {
        let mut m = MlpInOut::from(&model);
        let mut opt = Sgd::new(LR);
        b.iter(|| generated_step_in_out(&mut m, &mut opt, black_box(&x), black_box(&labels)))
    });
    g.bench_function("hand-written step", |b| {
        let mut m = HandMlp::from(&model);
        b.iter(|| hand_step(&mut m, black_box(x.data()), black_box(&labels), LR as f32))
    });
    g.finish();

    // How the cost grows with the batch: generated step against hand-written.
    let mut g = c.benchmark_group("mlp_step_scaling");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sampling_mode(SamplingMode::Flat);
    for n in [1, 4, 16, 64, 256, 1024] {
        check(n);
        let (x, labels) = batch(n, &mut rng);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("generated", n), &n, |b, _| {
            let mut m = model.clone();
            let mut opt = Sgd::new(LR);
            b.iter(|| generated_step(&mut m, &mut opt, black_box(&x), black_box(&labels)))
        });
        g.bench_with_input(BenchmarkId::new("hand-written", n), &n, |b, _| {
            let mut m = HandMlp::from(&model);
            b.iter(|| hand_step(&mut m, black_box(x.data()), black_box(&labels), LR as f32))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
