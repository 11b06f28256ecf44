//! The ADBench GMM objective at d = 10, K = 25, n = 1,000 (f64): the value
//! alone, the generated value and gradient (tensor formulation, and the loop
//! formulation ADBench's C++ uses), and the gradient written by hand, in one
//! run. The model and the hand-written gradient live in `tests/gmm.rs`, which
//! checks them; they are checked equal here first too.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

// Only the model is used here; the file's checks are compiled for tests.
#[allow(dead_code, unused_imports)]
#[path = "../tests/gmm.rs"]
mod gmm;

use gmm::{by_hand, generated, generated_loops, gmm_objective, Gmm};

/// Checks that the generated and hand-written gradients agree (1e-9 relative).
fn check(g: &Gmm) {
    let hand = by_hand(g);
    for (what, got) in [("tensor", generated(g)), ("loops", generated_loops(g))] {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(
            close(got.0, hand.0),
            "{what}: value {} vs {}",
            got.0,
            hand.0
        );
        let pairs = got.1 .0.iter().zip(&hand.1 .0);
        let pairs = pairs.chain(got.1 .1.iter().zip(&hand.1 .1));
        let pairs = pairs.chain(got.1 .2.iter().zip(&hand.1 .2));
        for (a, b) in pairs {
            assert!(close(*a, *b), "{what}: gradient {a} vs {b}");
        }
    }
}

fn bench(c: &mut Criterion) {
    let g = Gmm::random(10, 25, 1000, 42);
    check(&g);
    let Gmm {
        alphas,
        means,
        icf,
        x,
        gamma,
        m,
    } = &g;

    let mut group = c.benchmark_group("gmm");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("value", |b| {
        b.iter(|| gmm_objective(black_box(alphas), means, icf, x, *gamma, *m))
    });
    group.bench_function("generated value_and_grad", |b| {
        b.iter(|| gmm_objective::value_and_grad(black_box(alphas), means, icf, x, *gamma, *m))
    });
    group.bench_function("hand-written value_and_grad", |b| {
        b.iter(|| {
            gmm::gmm_value_and_grad_by_hand(
                black_box(alphas.data()),
                means.data(),
                icf.data(),
                x.data(),
                *gamma,
                *m,
            )
        })
    });
    group.bench_function("generated value_and_grad (loops)", |b| {
        b.iter(|| {
            gmm::gmm_objective_loops::value_and_grad(black_box(alphas), means, icf, x, *gamma, *m)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
