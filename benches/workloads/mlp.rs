//! The MLP workload (784-256-10, ReLU, mean cross-entropy, f32): the model
//! and its loss, as `#[differentiable]` code. Shared by `benches/mlp_step.rs`,
//! which times a training step, and `examples/memory_report.rs`, which
//! measures what the forward pass keeps.

use autograd::prelude::*;
use autograd::{cross_entropy, init, Rng};

pub const INPUTS: usize = 784;
pub const HIDDEN: usize = 256;
pub const CLASSES: usize = 10;

/// `nn.Linear(784, 256)`, ReLU, `nn.Linear(256, 10)`, weights laid out as PyTorch's.
#[derive(Parameters, Clone)]
pub struct Mlp {
    pub w1: Tensor<f32, Ix2>,
    pub b1: Tensor<f32, Ix1>,
    pub w2: Tensor<f32, Ix2>,
    pub b2: Tensor<f32, Ix1>,
}

impl Mlp {
    pub fn new(rng: &mut Rng) -> Mlp {
        Mlp {
            w1: init::kaiming_uniform_linear(HIDDEN, INPUTS, rng),
            b1: init::linear_bias(HIDDEN, INPUTS, rng),
            w2: init::kaiming_uniform_linear(CLASSES, HIDDEN, rng),
            b2: init::linear_bias(CLASSES, HIDDEN, rng),
        }
        .with_requires_grad()
    }
}

/// The mean cross-entropy of the model on a batch.
#[differentiable]
pub fn loss(m: &Mlp, x: &Tensor<f32, Ix2>, labels: &[usize]) -> Scalar<f32> {
    let h = (x.matmul(&m.w1.t()) + &m.b1).relu();
    let logits = h.matmul(&m.w2.t()) + &m.b2;
    cross_entropy(&logits, labels)
}

/// The same model with its weights stored `(in, out)`, so that the body needs
/// no `.t()`: the generated step without the transposes, to see what they cost.
#[derive(Parameters, Clone)]
pub struct MlpInOut {
    pub w1: Tensor<f32, Ix2>,
    pub b1: Tensor<f32, Ix1>,
    pub w2: Tensor<f32, Ix2>,
    pub b2: Tensor<f32, Ix1>,
}

impl MlpInOut {
    pub fn from(m: &Mlp) -> MlpInOut {
        let t = |w: &Tensor<f32, Ix2>| Tensor::from(w.data().t().as_standard_layout().into_owned());
        MlpInOut {
            w1: t(&m.w1),
            b1: m.b1.clone(),
            w2: t(&m.w2),
            b2: m.b2.clone(),
        }
        .with_requires_grad()
    }
}

/// `loss` for weights stored `(in, out)`.
#[differentiable]
pub fn loss_in_out(m: &MlpInOut, x: &Tensor<f32, Ix2>, labels: &[usize]) -> Scalar<f32> {
    let h = (x.matmul(&m.w1) + &m.b1).relu();
    let logits = h.matmul(&m.w2) + &m.b2;
    cross_entropy(&logits, labels)
}
