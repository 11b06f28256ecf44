//! The digits model: training reaches the accuracy bar (seeded, few epochs),
//! the model's gradients pass gradcheck in f64, and saving/loading round-trips.

#[path = "../examples/common/digits.rs"]
#[allow(dead_code)]
mod digits;

use autograd::ndarray::{array, Array2};
use autograd::prelude::*;
use autograd::{gradcheck, Parameters, Rng};
use digits::{loss, Mlp};

fn data() -> digits::Digits {
    digits::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv"))
}

#[test]
fn training_reaches_95_percent_held_out() {
    let all = data();
    assert_eq!(all.y.len(), 1797);
    let (train, test) = digits::split(&all, 42);
    assert_eq!((train.y.len(), test.y.len()), (1437, 360));
    let (_, history) = digits::train(&train, &test, 12, 7, |_, _| {});
    let last = history.last().unwrap();
    assert!(
        last.test_accuracy >= 0.95,
        "held-out accuracy {}",
        last.test_accuracy
    );
    // The loss went down, and both ways of averaging it agree roughly.
    assert!(history[0].loss_per_batch > last.loss_per_batch);
    assert!((last.loss_per_batch - last.loss_per_sample).abs() < 0.1);
}

#[test]
fn training_is_deterministic() {
    let all = data();
    let (train, test) = digits::split(&all, 42);
    let (a, _) = digits::train(&train, &test, 2, 3, |_, _| {});
    let (b, _) = digits::train(&train, &test, 2, 3, |_, _| {});
    assert_eq!(a.w1.data(), b.w1.data());
    assert_eq!(a.b2.data(), b.b2.data());
}

fn small_batch() -> (Array2<f64>, Vec<usize>) {
    let all = data();
    let x = all
        .x
        .slice(autograd::ndarray::s![..6, ..])
        .mapv(|v| v as f64);
    (x, all.y[..6].to_vec())
}

#[test]
fn model_gradients_pass_gradcheck_in_f64() {
    let (x, labels) = small_batch();
    let x = Tensor::from(x);
    let model: Mlp<f64> = Mlp::new(8, &mut Rng::seed_from(5));
    // Each parameter in turn, the others fixed.
    gradcheck(
        |w1: &Tensor<f64, Ix2>| {
            let m = Mlp {
                w1: w1.clone(),
                ..model.clone()
            };
            let (v, (g, _, ())) = loss::value_and_grad(&m, &x, &labels);
            (v, g.w1)
        },
        &model.w1,
    )
    .unwrap();
    gradcheck(
        |b1: &Tensor<f64, Ix1>| {
            let m = Mlp {
                b1: b1.clone(),
                ..model.clone()
            };
            let (v, (g, _, ())) = loss::value_and_grad(&m, &x, &labels);
            (v, g.b1)
        },
        &model.b1,
    )
    .unwrap();
    gradcheck(
        |w2: &Tensor<f64, Ix2>| {
            let m = Mlp {
                w2: w2.clone(),
                ..model.clone()
            };
            let (v, (g, _, ())) = loss::value_and_grad(&m, &x, &labels);
            (v, g.w2)
        },
        &model.w2,
    )
    .unwrap();
    gradcheck(
        |b2: &Tensor<f64, Ix1>| {
            let m = Mlp {
                b2: b2.clone(),
                ..model.clone()
            };
            let (v, (g, _, ())) = loss::value_and_grad(&m, &x, &labels);
            (v, g.b2)
        },
        &model.b2,
    )
    .unwrap();
    // And the input.
    gradcheck(
        |x: &Tensor<f64, Ix2>| {
            let (v, (_, g, ())) = loss::value_and_grad(&model, x, &labels);
            (v, g)
        },
        &x,
    )
    .unwrap();
}

#[test]
fn backward_stores_the_functional_gradient_in_the_model() {
    let (x, labels) = small_batch();
    let x = Tensor::from(x);
    let model: Mlp<f64> = Mlp::new(8, &mut Rng::seed_from(9));
    let (_, (g, _, ())) = loss::value_and_grad(&model, &x, &labels);
    loss::forward(&model, &x, &labels).backward();
    assert_eq!(model.w1.grad().unwrap(), g.w1);
    assert_eq!(model.b2.grad().unwrap(), g.b2);
    // x does not require grad: nothing stored.
    assert!(x.grad().is_none());
    model.zero_grad_all();
    assert!(model.w1.grad().is_none());
}

#[test]
fn save_and_load_round_trip_exactly() {
    let model: Mlp<f32> = Mlp::new(16, &mut Rng::seed_from(1));
    let mut other: Mlp<f32> = Mlp::new(16, &mut Rng::seed_from(2));
    assert_ne!(model.w1.data(), other.w1.data());
    let mut bytes = Vec::new();
    model.save_to(&mut bytes).unwrap();
    other.load_from(&mut bytes.as_slice()).unwrap();
    for (a, b) in [(&model.w1, &other.w1), (&model.w2, &other.w2)] {
        assert_eq!(a.data(), b.data());
    }
    assert_eq!(model.b1.data(), other.b1.data());
    assert_eq!(model.b2.data(), other.b2.data());
    assert_eq!(model.parameter_names(), ["w1", "b1", "w2", "b2"]);
    assert_eq!(model.num_parameters(), 16 * 64 + 16 + 10 * 16 + 10);
    let _ = array![0.0];
}
