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
    assert_eq!(a.layers[0].weight.data(), b.layers[0].weight.data());
    assert_eq!(
        a.layers[1].bias.as_ref().unwrap().data(),
        b.layers[1].bias.as_ref().unwrap().data()
    );
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
    for k in 0..2 {
        gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let mut m = model.clone();
                m.layers[k].weight = w.clone();
                let (v, (g, _, ())) = loss::value_and_grad(&m, &x, &labels);
                (v, g.layers[k].weight.clone())
            },
            &model.layers[k].weight,
        )
        .unwrap();
        gradcheck(
            |b: &Tensor<f64, Ix1>| {
                let mut m = model.clone();
                m.layers[k].bias = Some(b.clone());
                let (v, (g, _, ())) = loss::value_and_grad(&m, &x, &labels);
                (v, g.layers[k].bias.clone().unwrap())
            },
            model.layers[k].bias.as_ref().unwrap(),
        )
        .unwrap();
    }
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
    assert_eq!(model.layers[0].weight.grad().unwrap(), g.layers[0].weight);
    assert_eq!(
        model.layers[1].bias.as_ref().unwrap().grad(),
        g.layers[1].bias
    );
    // x does not require grad: nothing stored.
    assert!(x.grad().is_none());
    model.zero_grad_all();
    assert!(model.layers[0].weight.grad().is_none());
}

#[test]
fn save_and_load_round_trip_exactly() {
    let model: Mlp<f32> = Mlp::new(16, &mut Rng::seed_from(1));
    let mut other: Mlp<f32> = Mlp::new(16, &mut Rng::seed_from(2));
    assert_ne!(model.layers[0].weight.data(), other.layers[0].weight.data());
    let mut bytes = Vec::new();
    model.save_to(&mut bytes).unwrap();
    other.load_from(&mut bytes.as_slice()).unwrap();
    for (a, b) in model.layers.iter().zip(&other.layers) {
        assert_eq!(a.weight.data(), b.weight.data());
        assert_eq!(
            a.bias.as_ref().unwrap().data(),
            b.bias.as_ref().unwrap().data()
        );
    }
    assert_eq!(
        model.parameter_names(),
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.1.weight",
            "layers.1.bias"
        ]
    );
    assert_eq!(model.num_parameters(), 16 * 64 + 16 + 10 * 16 + 10);
    let _ = array![0.0];
}
