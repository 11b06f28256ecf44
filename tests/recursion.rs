//! Recursive `#[differentiable]` functions: a function calling itself is
//! differentiated through every level of the recursion (its pullback is
//! boxed, since it holds the pullback of the inner call), and other
//! functions call it as any other. Hand-derived gradients above each.

use autograd::gradcheck;
use autograd::ndarray::array;
use autograd::prelude::*;

/// Squaring `n` times: `x^(2ⁿ)`, derivative `2ⁿ x^(2ⁿ - 1)`.
#[differentiable]
fn repeated_square(x: f64, n: usize) -> f64 {
    if n == 0 {
        x
    } else {
        repeated_square(x * x, n - 1)
    }
}

/// Horner's rule by recursion: `Σ cₖ xᵏ`, `∂/∂x = Σ k cₖ xᵏ⁻¹`, `∂/∂cₖ = xᵏ`.
#[differentiable]
fn horner(x: f64, c: &[f64], k: usize) -> f64 {
    if k == c.len() - 1 {
        return c[k];
    }
    c[k] + x * horner(x, c, k + 1)
}

/// `x⁴ + 1 + 2x + 3x²` through both: `4x³ + 2 + 6x`.
#[differentiable]
fn caller(x: f64) -> f64 {
    repeated_square(x, 2) + horner(x, &[1.0, 2.0, 3.0], 0)
}

/// `2ⁿ Σ tanhⁿ(x)` (tanh applied `n` times).
#[differentiable]
fn nested_tanh(x: &Tensor<f64, Ix1>, n: usize) -> Scalar<f64> {
    if n == 0 {
        x.sum()
    } else {
        nested_tanh(&x.tanh(), n - 1) * 2.0
    }
}

/// `sin(x⁴) + x² + x` for `n = 2`, generic.
#[differentiable]
fn generic<T: num_traits::Float>(x: T, n: usize) -> T {
    if n == 0 {
        x.sin()
    } else {
        generic(x * x, n - 1) + x
    }
}

#[test]
fn a_function_calling_itself_is_differentiated_through_every_level() {
    let (v, (g, ())) = repeated_square::value_and_grad(1.5, 3);
    assert_eq!(v, 1.5f64.powi(8));
    assert!((g - 8.0 * 1.5f64.powi(7)).abs() < 1e-12);
    let (v, (gx, gc, ())) = horner::value_and_grad(2.0, &[1.0, 2.0, 3.0], 0);
    assert_eq!((v, gx, gc), (17.0, 14.0, vec![1.0, 2.0, 4.0]));
    assert_eq!(caller::value_and_grad(2.0), (33.0, 46.0));
    gradcheck(|x: &f64| caller::value_and_grad(*x), &0.7).unwrap();
    gradcheck(
        |x: &f64| {
            let (v, (g, ())) = repeated_square::value_and_grad(*x, 4);
            (v, g)
        },
        &1.01,
    )
    .unwrap();
}

#[test]
fn recursion_over_tensors_and_generic_floats() {
    let x = Tensor::from(array![0.5, -1.0]).requires_grad();
    let (v, (g, ())) = nested_tanh::value_and_grad(&x, 2);
    let t1 = x.data().mapv(f64::tanh);
    let t2 = t1.mapv(f64::tanh);
    assert!((v.item() - 4.0 * t2.sum()).abs() < 1e-12);
    // 4 · (1 - t₂²)(1 - t₁²)
    let want = (1.0 - &t2 * &t2) * (1.0 - &t1 * &t1) * 4.0;
    assert!((g - want).iter().all(|d| d.abs() < 1e-12));
    // backward() stores through the recursion too.
    nested_tanh::forward(&x, 2).backward();
    assert!(x.grad().is_some());
    let (v, (g, ())) = generic::value_and_grad(0.7f64, 2);
    let x4 = 0.7f64.powi(4);
    assert!((v - (x4.sin() + 0.49 + 0.7)).abs() < 1e-12);
    assert!((g - (4.0 * 0.343 * x4.cos() + 1.4 + 1.0)).abs() < 1e-12);
}

/// Functions calling each other: one of them says `recursive`, which boxes
/// its pullback (rustc cannot name the types of two functions holding each
/// other's pullbacks otherwise).
#[differentiable(recursive)]
fn ping(x: f64, n: usize) -> f64 {
    if n == 0 {
        x
    } else {
        pong(x * 2.0, n - 1)
    }
}

#[differentiable]
fn pong(x: f64, n: usize) -> f64 {
    if n == 0 {
        x.sin()
    } else {
        ping(x, n - 1) * 1.5
    }
}

#[test]
fn functions_calling_each_other() {
    // ping(x, 3) = pong(2x, 2) = 1.5 ping(2x, 1) = 1.5 pong(4x, 0) = 1.5 sin 4x.
    let (v, (g, ())) = ping::value_and_grad(0.3, 3);
    assert!((v - 1.5 * (1.2f64).sin()).abs() < 1e-12);
    assert!((g - 6.0 * (1.2f64).cos()).abs() < 1e-12);
    // pong(x, 2) = 1.5 ping(x, 1) = 1.5 pong(2x, 0) = 1.5 sin 2x.
    let (v, (g, ())) = pong::value_and_grad(0.3, 2);
    assert_eq!(v, ping::value_and_grad(0.3, 1).0 * 1.5);
    assert!((g - 3.0 * (0.6f64).cos()).abs() < 1e-12);
}
