//! The Jacobian story: `cargo run --example jacobian`.
//!
//! For `y = f(x)` with a vector output, `y.backward(&v)` stores `vᵀJ` in
//! `x.grad()`. Seeding the one-hot vectors e₀, e₁, … row by row builds J
//! itself; `autograd::jacobian` does that for you, and
//! `autograd::numerical_jacobian` checks it with finite differences.

use autograd::ndarray::{array, Array1, Array2};
use autograd::prelude::*;

/// y = (x₀·x₁, sin x₁, x₀² + 3x₂): a map from R³ to R³.
#[differentiable]
fn f(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    let a = x.index_axis(Axis(0), 0);
    let b = x.index_axis(Axis(0), 1);
    let c = x.index_axis(Axis(0), 2);
    let y0 = &a * &b;
    let y1 = b.sin();
    let y2 = &a * &a + c * 3.0;
    stack(Axis(0), &[&y0, &y1, &y2])
}

pub fn main() {
    let x = Tensor::from(array![1.5, -0.5, 2.0]).requires_grad();

    // 1. One backward with an external gradient v gives vᵀJ.
    let v = array![1.0, 0.0, 2.0];
    f::forward(&x).backward(&v);
    println!("vᵀJ with v = {v}: {}", x.grad().unwrap());
    x.zero_grad();

    // 2. One-hot seeds, row by row, build J.
    let n = 3;
    let mut rows = Array2::zeros((n, n));
    for i in 0..n {
        let mut e = Array1::zeros(n);
        e[i] = 1.0;
        f::forward(&x).backward(&e);
        rows.row_mut(i).assign(&x.grad().unwrap());
        x.zero_grad();
    }
    println!("J, row by row:\n{rows}");

    // 3. The runtime's helper does the same, and agrees with finite differences.
    let j = jacobian(&x, f::vjp);
    let numeric = numerical_jacobian(&x, f, 1e-6);
    let err = (&j - &numeric)
        .mapv(f64::abs)
        .fold(0.0, |m: f64, &e| m.max(e));
    println!("jacobian():\n{j}\nlargest difference from finite differences: {err:.2e}");
    assert_eq!(j, rows);
    assert!(err < 1e-6);
    // By hand: [[x₁, x₀, 0], [0, cos x₁, 0], [2x₀, 0, 3]]
    let by_hand = array![
        [-0.5, 1.5, 0.0],
        [0.0, (-0.5f64).cos(), 0.0],
        [3.0, 0.0, 3.0]
    ];
    assert!((&j - &by_hand).iter().all(|d| d.abs() < 1e-12));
}
