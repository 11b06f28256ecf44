//! Hand-written derivative rules that #[differentiable] code calls like any
//! other differentiable function: `cargo run --example custom_rule`.
//!
//! The protocol is the one `#[differentiable]` generates: beside a plain
//! function `f` (what the forward pass calls), a module `f` with
//!
//! ```text
//! pub fn rule(args.., needs: [bool; N]) -> (value, pullback)
//! pullback(&output_gradient, args..) -> (Option<gradient of arg 0>, ..)   // one slot per argument
//! ```
//!
//! The pullback receives the arguments again (so it keeps no borrow of them),
//! and returns `Some(gradient)` for the arguments whose `needs` flag is set
//! (`None` is a zero gradient; `()` for an argument that has none).

use autograd::ndarray::{array, Array1, Dimension};
use autograd::prelude::*;

/// softplus(x) = ln(1 + eˣ), computed without overflow: max(x, 0) + ln(1 + e^-|x|).
pub fn softplus<D: Dimension>(x: &Tensor<f64, D>) -> Tensor<f64, D> {
    Tensor::from(x.data().mapv(|v| v.max(0.0) + (-v.abs()).exp().ln_1p()))
}

/// The derivative of softplus by hand: d/dx softplus(x) = sigmoid(x), also stable.
pub mod softplus {
    use super::*;
    use autograd::ndarray::Array;

    #[allow(clippy::type_complexity)]
    pub fn rule<D: Dimension>(
        x: &Tensor<f64, D>,
        needs: [bool; 1],
    ) -> (
        Tensor<f64, D>,
        impl FnOnce(&Array<f64, D>, &Tensor<f64, D>) -> (Option<Array<f64, D>>,),
    ) {
        let y = super::softplus(x);
        (y, move |d, x| {
            (needs[0].then(|| d * &x.data().mapv(|v| v.sigmoid())),)
        })
    }
}

/// A straight-through estimator: rounds in the forward pass, passes the
/// gradient through unchanged in the backward pass.
pub fn round_ste(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    Tensor::from(x.data().mapv(f64::round))
}

pub mod round_ste {
    use super::*;

    #[allow(clippy::type_complexity)]
    pub fn rule(
        x: &Tensor<f64, Ix1>,
        needs: [bool; 1],
    ) -> (
        Tensor<f64, Ix1>,
        impl FnOnce(&Array1<f64>, &Tensor<f64, Ix1>) -> (Option<Array1<f64>>,),
    ) {
        (super::round_ste(x), move |d, _x| {
            (needs[0].then(|| d.clone()),)
        })
    }
}

/// A loss through the hand-written softplus rule only.
#[differentiable]
fn soft_loss(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    softplus(&(w * x)).sum()
}

/// A loss that uses both rules.
#[differentiable]
fn loss(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let z = w * x;
    let q = round_ste(&z);
    (softplus(&z) + q * 0.1).sum()
}

pub fn main() {
    let w = Tensor::from(array![0.5, -2.0, 800.0]).requires_grad();
    let x = Tensor::from(array![1.0, 3.0, 1.0]);
    let graph = loss::forward(&w, &x);
    println!("loss = {}", graph.item());
    graph.backward();
    // d/dw = x · (sigmoid(w·x) + 0.1): finite even where eˣ overflows.
    println!("w.grad() = {}", w.grad().unwrap());

    // A hand-written rule is checked against finite differences like any
    // other gradient. (The straight-through estimator is deliberately not the
    // derivative of rounding, so it is not.)
    let w = Tensor::from(array![0.3, -1.1, 2.2]);
    gradcheck(|w| soft_loss::value_and_grad(w, &x).map_grad_w(), &w).unwrap();
    println!("gradcheck of the softplus rule passed");
}

trait MapGradW {
    fn map_grad_w(self) -> (Tensor<f64, Ix0>, Array1<f64>);
}

impl MapGradW for (Tensor<f64, Ix0>, (Array1<f64>, Array1<f64>)) {
    fn map_grad_w(self) -> (Tensor<f64, Ix0>, Array1<f64>) {
        (self.0, self.1 .0)
    }
}
