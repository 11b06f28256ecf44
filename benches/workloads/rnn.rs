//! The unrolled tanh RNN workload: the function to differentiate and its
//! gradient by hand (backpropagation through time). Shared by
//! `benches/rnn.rs`, which times them, and `examples/memory_report.rs`, which
//! measures what their forward passes keep.

use autograd::ndarray::{Array1, Array2, Array3, Axis, Zip};
use autograd::prelude::*;

/// `h ← tanh(x_t·Wx + h·Wh + b)` for each step t, then the mean of the final `h`.
#[differentiable]
pub fn rnn(
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
pub struct Grads {
    pub h0: Array2<f64>,
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
}

/// The hand-written forward pass: the loss and every state `h_0 … h_T`,
/// which the backward pass reads.
pub fn hand_forward(
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
pub fn hand_backward(xs: &Array3<f64>, wh: &Array2<f64>, hs: Vec<Array2<f64>>) -> Grads {
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

pub fn hand_value_and_grad(
    xs: &Array3<f64>,
    h0: &Array2<f64>,
    wx: &Array2<f64>,
    wh: &Array2<f64>,
    b: &Array1<f64>,
) -> (f64, Grads) {
    let (value, hs) = hand_forward(xs, h0, wx, wh, b);
    (value, hand_backward(xs, wh, hs))
}
