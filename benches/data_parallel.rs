//! Data-parallel gradients: one batch split into shards, each shard's
//! backward run on its own thread, all accumulating into the same leaves
//! (each leaf's gradient slot is behind a lock). Compares one thread with as
//! many as the machine has, on a 784-256-10 MLP step at batch 1,024, after
//! checking that both give the same gradient.

use std::ops::Range;

use autograd::ndarray::{s, Array2};
use autograd::prelude::*;
use autograd::{cross_entropy_sum, init, Parameters, Rng};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const INPUTS: usize = 784;
const HIDDEN: usize = 256;
const CLASSES: usize = 10;
const BATCH: usize = 1024;

#[derive(Parameters)]
struct Mlp {
    w1: Tensor<f32, Ix2>,
    b1: Tensor<f32, Ix1>,
    w2: Tensor<f32, Ix2>,
    b2: Tensor<f32, Ix1>,
}

/// The shard's share of the batch's mean cross-entropy: Σ over the shard / N,
/// so that the shards' gradients add up to the whole batch's.
#[differentiable]
fn shard_loss(
    m: &Mlp,
    x: &Tensor<f32, Ix2>,
    labels: &[usize],
    #[no_grad] scale: f32,
) -> Scalar<f32> {
    let h = (x.matmul(&m.w1.t()) + &m.b1).relu();
    let logits = h.matmul(&m.w2.t()) + &m.b2;
    cross_entropy_sum(&logits, labels) * scale
}

fn shards(n: usize, parts: usize) -> Vec<Range<usize>> {
    let size = n.div_ceil(parts);
    (0..parts)
        .map(|p| p * size..((p + 1) * size).min(n))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Runs the batch's backward on `threads` threads.
fn backward(m: &Mlp, x: &Array2<f32>, labels: &[usize], threads: usize) {
    let scale = 1.0 / labels.len() as f32;
    std::thread::scope(|scope| {
        for r in shards(labels.len(), threads) {
            let xs = Tensor::from(x.slice(s![r.clone(), ..]).to_owned());
            let ls = &labels[r];
            scope.spawn(move || shard_loss::forward(m, &xs, ls, scale).backward());
        }
    });
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng::seed_from(3);
    let m = Mlp {
        w1: init::kaiming_uniform_linear(HIDDEN, INPUTS, &mut rng),
        b1: init::linear_bias(HIDDEN, INPUTS, &mut rng),
        w2: init::kaiming_uniform_linear(CLASSES, HIDDEN, &mut rng),
        b2: init::linear_bias(CLASSES, HIDDEN, &mut rng),
    }
    .with_requires_grad();
    let x = Array2::from_shape_fn((BATCH, INPUTS), |_| rng.uniform(0.0, 1.0) as f32);
    let labels: Vec<usize> = (0..BATCH).map(|_| rng.below(CLASSES)).collect();
    let cores = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);

    // Same gradient either way (up to the order of f32 sums).
    backward(&m, &x, &labels, 1);
    let one = m.w1.grad().unwrap();
    m.zero_grad_all();
    backward(&m, &x, &labels, cores);
    let many = m.w1.grad().unwrap();
    m.zero_grad_all();
    let diff = (&one - &many).mapv(f32::abs).fold(0.0f32, |a, &b| a.max(b));
    assert!(diff < 1e-5, "shard gradients differ by {diff}");

    let mut g = c.benchmark_group("data_parallel");
    g.sample_size(20);
    g.bench_function("1 thread", |b| {
        b.iter(|| {
            backward(&m, black_box(&x), &labels, 1);
            m.zero_grad_all();
        })
    });
    g.bench_function(format!("{cores} threads"), |b| {
        b.iter(|| {
            backward(&m, black_box(&x), &labels, cores);
            m.zero_grad_all();
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
