//! Sub-slices of differentiated slices, `Vec`s and arrays: `&x[a..b]`,
//! `&x[i..]`, `x[..n]`, `x[..=k]`, read by index, iterated, passed to other
//! `#[differentiable]` functions. The gradient of the operand is the
//! sub-slice's in its range and zero elsewhere. Hand-derived gradients are
//! stated above each function; `gradcheck` checks them all.

use autograd::gradcheck;
use autograd::prelude::*;

/// `x₀x₂ + x₁x₃`: gradient `(x₂, x₃, x₀, x₁)`.
#[differentiable]
fn head_dot_tail(x: &[f64]) -> f64 {
    let head = &x[..2];
    let tail = &x[2..];
    head[0] * tail[0] + head[1] * tail[1]
}

#[differentiable]
fn sum_of_squares(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>()
}

/// `Σᵢ (xᵢ² + xᵢ₊₁²) xᵢ + Σ_{i≥1} xᵢ + sin x₀ + sin x₁`, over windows of two.
#[differentiable]
fn windows_by_hand(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - k + 1 {
        s += sum_of_squares(&x[i..i + k]) * x[i];
    }
    s + x[1..].iter().sum::<f64>() + x[..2].iter().map(|v| v.sin()).sum::<f64>()
}

/// `x₁x₂` of an array: gradient `(0, x₂, x₁, 0)`.
#[differentiable]
fn middle(x: &[f64; 4]) -> f64 {
    let m = &x[1..=2];
    m[0] * m[1]
}

/// `Σ_{i≥1} xᵢ²`: gradient `(0, 2x₁, 2x₂, ..)`.
#[differentiable]
fn tail_squares(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in &x[1..] {
        s += v * v;
    }
    s
}

#[test]
fn a_sub_slice_gives_its_gradient_back_to_its_range() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(
        head_dot_tail::value_and_grad(&x),
        (11.0, vec![3.0, 4.0, 1.0, 2.0])
    );
    assert_eq!(middle::value_and_grad(&x), (6.0, [0.0, 3.0, 2.0, 0.0]));
    assert_eq!(
        tail_squares::value_and_grad(&x),
        (29.0, vec![0.0, 4.0, 6.0, 8.0])
    );
    gradcheck(
        |x: &Vec<f64>| head_dot_tail::value_and_grad(x),
        &vec![0.3, -1.0, 2.0, 0.5],
    )
    .unwrap();
    gradcheck(
        |x: &Vec<f64>| tail_squares::value_and_grad(x),
        &vec![0.3, -1.0, 2.0],
    )
    .unwrap();
    gradcheck(
        |x: &[f64; 4]| middle::value_and_grad(x),
        &[0.3, -1.0, 2.0, 0.5],
    )
    .unwrap();
}

#[test]
fn sub_slices_are_iterated_and_passed_to_calls() {
    let x = vec![0.5, 1.0, -2.0, 3.0];
    let (v, (g, ())) = windows_by_hand::value_and_grad(&x, 2);
    assert_eq!(v, windows_by_hand(&x, 2));
    // By hand: ∂/∂x₀ = 3x₀² + x₁² + cos x₀, ∂/∂x₃ = 2x₂x₃ + 1.
    assert!((g[0] - (3.0 * 0.25 + 1.0 + 0.5f64.cos())).abs() < 1e-12);
    assert!((g[3] - (2.0 * -2.0 * 3.0 + 1.0)).abs() < 1e-12);
    gradcheck(
        |x: &Vec<f64>| {
            let (v, (g, ())) = windows_by_hand::value_and_grad(x, 2);
            (v, g)
        },
        &x,
    )
    .unwrap();
}
