//! The digits model, data and training loop, shared by `examples/digits.rs`
//! and `tests/digits.rs`.

use std::path::Path;

use autograd::ndarray::Array2;
use autograd::prelude::*;

/// Pixels per image (8x8) and classes (0..9).
pub const FEATURES: usize = 64;
pub const CLASSES: usize = 10;

/// The UCI handwritten digits: pixels scaled to [0, 1], and labels.
pub struct Digits {
    pub x: Array2<f32>,
    pub y: Vec<usize>,
}

/// Reads `data/digits.csv` (64 pixel columns 0..16, then the label).
pub fn load(path: impl AsRef<Path>) -> Digits {
    let text = std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.as_ref().display()));
    let mut pixels = Vec::new();
    let mut y = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let values: Vec<u32> = line
            .split(',')
            .map(|v| {
                v.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("line {}: bad number {v:?}", n + 1))
            })
            .collect();
        assert_eq!(
            values.len(),
            FEATURES + 1,
            "line {}: expected 65 columns",
            n + 1
        );
        pixels.extend(values[..FEATURES].iter().map(|&p| p as f32 / 16.0));
        y.push(values[FEATURES] as usize);
    }
    let rows = y.len();
    let x = Array2::from_shape_vec((rows, FEATURES), pixels).expect("rows of 64 pixels");
    Digits { x, y }
}

/// A fixed 80/20 split.
pub fn split(d: &Digits, seed: u64) -> (Digits, Digits) {
    let (train, test) = split_indices(d.y.len(), 0.2, seed);
    let (x, y) = subset(&d.x, &d.y, &train);
    let (tx, ty) = subset(&d.x, &d.y, &test);
    (Digits { x, y }, Digits { x: tx, y: ty })
}

/// `torch.nn.Linear`: `y = x Wᵀ + b`, the weight laid out `(out, in)`,
/// the bias optional (`bias=False` is `None`).
#[derive(Parameters, Clone)]
pub struct Linear<A: Float> {
    pub weight: Tensor<A, Ix2>,
    pub bias: Option<Tensor<A, Ix1>>,
}

#[differentiable]
impl<A: Float> Linear<A> {
    /// `nn.Linear(inputs, outputs)`, initialised as PyTorch does.
    pub fn new(inputs: usize, outputs: usize, rng: &mut Rng) -> Linear<A> {
        Linear {
            weight: init::kaiming_uniform_linear(outputs, inputs, rng),
            bias: Some(init::linear_bias(outputs, inputs, rng)),
        }
    }

    pub fn forward(&self, x: &Tensor<A, Ix2>) -> Tensor<A, Ix2> {
        let y = x.matmul(&self.weight.t());
        match &self.bias {
            Some(b) => y + b,
            None => y,
        }
    }
}

/// A multi-layer perceptron: `nn.Sequential(Linear, ReLU, Linear)` written
/// as a list of layers (`nn.ModuleList`) with ReLU between them.
#[derive(Parameters, Clone)]
pub struct Mlp<A: Float> {
    pub layers: Vec<Linear<A>>,
}

#[differentiable]
impl<A: Float> Mlp<A> {
    /// `64 → hidden → 10`, requiring grad.
    pub fn new(hidden: usize, rng: &mut Rng) -> Mlp<A> {
        let first = Linear::new(FEATURES, hidden, rng);
        let second = Linear::new(hidden, CLASSES, rng);
        Mlp {
            layers: vec![first, second],
        }
        .with_requires_grad()
    }

    /// The logits for a batch of images: the layers in order, with a ReLU
    /// between them (as `for layer in self.layers` in a PyTorch `forward`).
    pub fn forward(&self, x: &Tensor<A, Ix2>) -> Tensor<A, Ix2> {
        let last = self.layers.len() - 1;
        let mut h = x.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(&h);
            if i < last {
                h = h.relu();
            }
        }
        h
    }
}

/// The criterion: mean cross-entropy over the batch.
#[differentiable]
pub fn loss<A: Float>(m: &Mlp<A>, x: &Tensor<A, Ix2>, labels: &[usize]) -> Scalar<A> {
    cross_entropy(&m.forward(x), labels)
}

/// The fraction of `d` the model classifies correctly.
pub fn accuracy(m: &Mlp<f32>, d: &Digits) -> f64 {
    let predicted = m.forward(&Tensor::from(d.x.clone())).argmax(Axis(1));
    let correct = predicted.iter().zip(&d.y).filter(|(p, y)| p == y).count();
    correct as f64 / d.y.len() as f64
}

/// One epoch's numbers.
pub struct Epoch {
    /// Mean of the batch losses (`train_loss / len(train_loader)`).
    pub loss_per_batch: f64,
    /// Mean over samples (`Σ loss·batch_size / len(dataset)`).
    pub loss_per_sample: f64,
    pub test_accuracy: f64,
}

/// Trains with the PyTorch loop: batches of 64, mean cross-entropy,
/// `loss.backward()`, `optimizer.step()`, `optimizer.zero_grad()`.
pub fn train(
    train: &Digits,
    test: &Digits,
    epochs: usize,
    seed: u64,
    mut on_epoch: impl FnMut(usize, &Epoch),
) -> (Mlp<f32>, Vec<Epoch>) {
    let mut rng = Rng::seed_from(seed);
    let mut model = Mlp::new(64, &mut rng);
    let mut optimizer = Adam::new(1e-2);
    let mut loader = DataLoader::new(&train.x, &train.y, 64).shuffle(seed);
    let mut history = Vec::new();
    for epoch in 0..epochs {
        let mut train_loss = 0.0;
        let mut weighted = 0.0;
        for (data, target) in loader.iter() {
            let output = loss::forward(&model, &data, &target);
            let batch_loss = output.item() as f64;
            output.backward();
            optimizer.step(&mut model);
            optimizer.zero_grad(&model);
            train_loss += batch_loss;
            weighted += batch_loss * data.shape()[0] as f64;
        }
        let stats = Epoch {
            loss_per_batch: train_loss / loader.len() as f64,
            loss_per_sample: weighted / loader.dataset_len() as f64,
            test_accuracy: accuracy(&model, test),
        };
        on_epoch(epoch, &stats);
        history.push(stats);
    }
    (model, history)
}
