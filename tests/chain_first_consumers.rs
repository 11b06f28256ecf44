//! `max_by`, `min_by` and `reduce` of iterator chains, then `.unwrap()`,
//! `.expect(..)` or `.unwrap_or(v)`, in `f64` and `f32`: each compared with
//! its `for` twin bit for bit, with a hand-derived gradient, and with
//! `gradcheck`. Ties go as in `std`: `max_by` keeps the last of equal
//! elements, `min_by` the first; the gradient goes to the element kept.

#![allow(clippy::needless_range_loop)]

use autograd::gradcheck;

// Only the `in_f64_and_f32!` macro of the shared helpers is used here.
#[macro_use]
#[allow(dead_code, unused_macros)]
mod common;

in_f64_and_f32! {
    #[differentiable]
    pub fn max_iter(x: &[F]) -> F {
        x.iter().copied().max_by(|a, b| a.partial_cmp(b).unwrap()).unwrap()
    }

    #[differentiable]
    pub fn max_for(x: &[F]) -> F {
        let mut m = x[0];
        for i in 1..x.len() {
            if m.total_cmp(&x[i]) != std::cmp::Ordering::Greater {
                m = x[i];
            }
        }
        m
    }

    #[differentiable]
    pub fn min_iter(x: &[F]) -> F {
        x.iter().cloned().min_by(|a, b| a.total_cmp(b)).expect("not empty")
    }

    #[differentiable]
    pub fn min_for(x: &[F]) -> F {
        let mut m = x[0];
        for i in 1..x.len() {
            if m > x[i] {
                m = x[i];
            }
        }
        m
    }

    /// `*x.iter().max_by(..)`: the chain of references.
    #[differentiable]
    pub fn max_ref(x: &[F]) -> F {
        *x.iter().max_by(|a, b| a.total_cmp(b)).unwrap()
    }

    /// `x₀² + 2 Σ_{i≥1} xᵢ²`, or 0 for an empty slice.
    #[differentiable]
    pub fn reduce_iter(x: &[F]) -> F {
        x.iter().map(|v| v * v).reduce(|a, b| a + b * 2.0).unwrap_or(0.0)
    }

    #[differentiable]
    pub fn reduce_for(x: &[F]) -> F {
        if x.is_empty() {
            return 0.0;
        }
        let mut a = x[0] * x[0];
        for i in 1..x.len() {
            let b = x[i] * x[i];
            a += b * 2.0;
        }
        a
    }

    /// The largest `xᵢwᵢ`, doubled, through a `zip` and a function path.
    #[differentiable]
    pub fn max_product(x: &[F], w: &[F]) -> F {
        let m = x.iter().zip(w.iter()).map(|(a, b)| a * b).max_by(F::total_cmp).unwrap();
        m * 2.0
    }
}

const X: [f64; 5] = [1.0, 3.0, -2.0, 3.0, 0.5];

#[test]
fn max_min_and_reduce_equal_their_for_loops() {
    use f64s::*;
    for f in [max_iter::value_and_grad, max_ref::value_and_grad] {
        let (v, g) = f(&X);
        assert_eq!((v, g.clone()), max_for::value_and_grad(&X));
        // The last of the two maxima gets the gradient.
        assert_eq!(g, vec![0.0, 0.0, 0.0, 1.0, 0.0]);
    }
    let (v, g) = min_iter::value_and_grad(&X);
    assert_eq!((v, g.clone()), min_for::value_and_grad(&X));
    assert_eq!((v, g), (-2.0, vec![0.0, 0.0, 1.0, 0.0, 0.0]));
    let (v, g) = reduce_iter::value_and_grad(&X);
    assert_eq!((v, g.clone()), reduce_for::value_and_grad(&X));
    // ∂/∂x₀ = 2x₀, ∂/∂xᵢ = 4xᵢ.
    assert_eq!(g, vec![2.0, 12.0, -8.0, 12.0, 2.0]);
    assert_eq!(reduce_iter::value_and_grad(&[]), (0.0, vec![]));
    let w = [1.0, 2.0, 3.0, 0.5, 1.0];
    assert_eq!(
        max_product::value_and_grad(&X, &w),
        (
            12.0,
            (vec![0.0, 4.0, 0.0, 0.0, 0.0], vec![0.0, 6.0, 0.0, 0.0, 0.0])
        )
    );
    let p = vec![0.3, -1.2, 2.5, 0.7];
    for f in [
        max_iter::value_and_grad,
        min_iter::value_and_grad,
        reduce_iter::value_and_grad,
    ] {
        gradcheck(|x: &Vec<f64>| f(x), &p).unwrap();
    }
}

#[test]
fn in_f32_too() {
    use f32s::*;
    let x: Vec<f32> = X.iter().map(|&v| v as f32).collect();
    assert_eq!(max_iter::value_and_grad(&x), max_for::value_and_grad(&x));
    assert_eq!(min_iter::value_and_grad(&x), min_for::value_and_grad(&x));
    assert_eq!(
        reduce_iter::value_and_grad(&x),
        reduce_for::value_and_grad(&x)
    );
}

#[test]
#[should_panic(expected = "called `Option::unwrap()` on a `None` value")]
fn an_empty_chain_panics_as_std_does() {
    let _ = f64s::max_iter::value_and_grad(&[]);
}
