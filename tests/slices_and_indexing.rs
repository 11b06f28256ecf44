//! Float slices as parameters, element reads, and the indexing and shape
//! ops of the control-flow issue, each against a hand-derived gradient and
//! finite differences.
// The bodies spell out `s = s + ..` to test assignment as users write it.
#![allow(clippy::assign_op_pattern)]

use autograd::ndarray::{array, s, Array1, Array2, Axis, Slice};
use autograd::prelude::*;
use autograd::{concatenate, gradcheck, stack};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

fn close_all<'a>(a: impl IntoIterator<Item = &'a f64>, b: impl IntoIterator<Item = &'a f64>) {
    for (a, b) in a.into_iter().zip(b) {
        assert!(close(*a, *b), "{a} vs {b}");
    }
}

/// Σ v² over a slice, with `for v in x`.
#[differentiable]
fn sum_squares(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v * v;
    }
    s
}

/// Σ i·xᵢ with `enumerate`, over a `&Vec<f64>`.
#[differentiable]
#[allow(clippy::ptr_arg)] // `&Vec<f64>` parameters are part of what is tested
fn weighted(x: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        s += v * (i as f64 + 1.0);
    }
    s
}

/// Σ xᵢ·yᵢ with `zip`; y is a constant.
#[differentiable]
fn dot(x: &[f64], #[no_grad] y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (a, b) in x.iter().zip(y.iter()) {
        s = s + a * b;
    }
    s
}

/// Extended Rosenbrock by index.
#[differentiable]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut f = 0.0;
    for i in 0..x.len() / 2 {
        let a = x[2 * i + 1] - x[2 * i] * x[2 * i];
        let b = 1.0 - x[2 * i];
        f += 100.0 * a * a + b * b;
    }
    f
}

#[test]
fn slices_of_floats() {
    let x = vec![1.0, -2.0, 0.5];
    // d/dx Σx² = 2x
    assert_eq!(sum_squares::grad(&x), vec![2.0, -4.0, 1.0]);
    // d/dx Σ(i+1)xᵢ = i+1
    assert_eq!(weighted::grad(&x), vec![1.0, 2.0, 3.0]);
    // d/dx Σxy = y
    let (gx, ()) = dot::grad(&x, &[4.0, 5.0, 6.0]);
    assert_eq!(gx, vec![4.0, 5.0, 6.0]);
    gradcheck(|x: &Vec<f64>| sum_squares::value_and_grad(x), &x).unwrap();
    gradcheck(|x: &Vec<f64>| weighted::value_and_grad(x), &x).unwrap();
    let x = vec![-1.2, 1.0, 0.3, 0.8];
    // ∂/∂x0 = −400x0(x1 − x0²) − 2(1 − x0), ∂/∂x1 = 200(x1 − x0²)
    let g = rosenbrock::grad(&x);
    assert!(close(g[0], -400.0 * -1.2 * (1.0 - 1.44) - 2.0 * 2.2));
    assert!(close(g[1], 200.0 * (1.0 - 1.44)));
    gradcheck(|x: &Vec<f64>| rosenbrock::value_and_grad(x), &x).unwrap();
}

/// Σ t[i, j]·(i + 1) over the diagonal, by element reads.
#[differentiable]
fn diagonal(t: &Tensor<f64, Ix2>) -> f64 {
    let mut s = 0.0;
    for i in 0..t.shape()[0] {
        s += t[[i, i]] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn tensor_element_reads() {
    let t = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]]);
    // ∂/∂t = diag(1, 2)
    assert_eq!(diagonal::grad(&t), array![[1.0, 0.0], [0.0, 2.0]]);
    gradcheck(|t: &Tensor<f64, Ix2>| diagonal::value_and_grad(t), &t).unwrap();
}

/// Rows picked by index, summed with weights.
#[differentiable]
fn rows(t: &Tensor<f64, Ix2>, #[no_grad] picks: &[usize]) -> Scalar<f64> {
    let mut acc = t.index_axis(Axis(0), picks[0]) * 0.0;
    for &r in picks.iter() {
        acc = acc + t.index_axis(Axis(0), r).tanh();
    }
    acc.sum()
}

/// Slices, new axes and broadcasting.
#[differentiable]
fn shapes(t: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let top = t.slice_axis(Axis(0), Slice::from(0..2));
    let col = top.sum_axis(Axis(1)).insert_axis(Axis(1));
    let wide = col.broadcast((2, 3));
    (wide * &top).sum()
}

#[test]
fn index_slice_insert_broadcast() {
    let t = Tensor::from(array![[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]);
    let (v, (g, ())) = rows::value_and_grad(&t, &[2, 0, 2]);
    // Σ over picked rows of tanh: row 2 twice, row 0 once; ∂ = count·(1 − tanh²)
    let expected: Array2<f64> = Array2::from_shape_fn((3, 3), |(i, j)| {
        let count = [1.0, 0.0, 2.0][i];
        count * (1.0 - t.data()[[i, j]].tanh().powi(2))
    });
    close_all(g.iter(), expected.iter());
    assert!(close(
        v.item(),
        t.data().slice(s![0, ..]).mapv(f64::tanh).sum()
            + 2.0 * t.data().slice(s![2, ..]).mapv(f64::tanh).sum()
    ));
    gradcheck(
        |t: &Tensor<f64, Ix2>| {
            let (v, (g, ())) = rows::value_and_grad(t, &[2, 0, 2]);
            (v, g)
        },
        &t,
    )
    .unwrap();
    // Σᵢⱼ rᵢ·tᵢⱼ with rᵢ = Σⱼ tᵢⱼ over the first two rows: ∂/∂tᵢⱼ = 2rᵢ
    let g = shapes::grad(&t);
    let r: Array1<f64> = t.data().slice(s![0..2, ..]).sum_axis(Axis(1));
    let expected = array![[2.0 * r[0]; 3], [2.0 * r[1]; 3], [0.0; 3]];
    close_all(g.iter(), expected.iter());
    gradcheck(|t: &Tensor<f64, Ix2>| shapes::value_and_grad(t), &t).unwrap();
}

/// concatenate and stack of differentiated tensors.
#[differentiable]
fn joined(a: &Tensor<f64, Ix1>, b: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let c = concatenate(Axis(0), &[a, b, a]);
    let s = stack(Axis(0), &[a, b]);
    (&c * &c).sum() + s.sum_axis(Axis(0)).powi(3).sum()
}

#[test]
fn concatenate_and_stack() {
    let a = Tensor::from(array![1.0, 2.0]);
    let b = Tensor::from(array![-1.0, 0.5]);
    let (ga, gb) = joined::grad(&a, &b);
    // ∂/∂a = 2·2a + 3(a + b)², ∂/∂b = 2b + 3(a + b)²
    let sum = a.data() + b.data();
    let ea = a.data() * 4.0 + &sum.mapv(|v| 3.0 * v * v);
    let eb = b.data() * 2.0 + &sum.mapv(|v| 3.0 * v * v);
    close_all(ga.iter(), ea.iter());
    close_all(gb.iter(), eb.iter());
    gradcheck(
        |(a, b): &(Tensor<f64, Ix1>, Tensor<f64, Ix1>)| joined::value_and_grad(a, b),
        &(a, b),
    )
    .unwrap();
}

/// max/min along an axis, elementwise maximum/minimum, clamp.
#[differentiable]
fn selections(x: &Tensor<f64, Ix2>, y: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let m = x.max_axis(Axis(1)).sum() - x.min_axis(Axis(0)).sum();
    let e = x.maximum(y).sum() + x.minimum(y).sum() * 2.0;
    let c = x.clamp(-0.5, 0.5).sum();
    m + e + c
}

#[differentiable]
fn float_max(a: f64, b: f64) -> f64 {
    a.max(b) * 2.0 + a.min(b)
}

#[test]
fn max_min_clamp() {
    let x = Tensor::from(array![[0.1, 0.9, -0.7], [0.3, -0.2, 0.6]]);
    let y = Tensor::from(array![[0.2, 0.1, -0.7], [0.0, 0.5, 0.6]]);
    gradcheck(
        |x: &Tensor<f64, Ix2>| {
            let y2 = Tensor::from(y.data() + 0.05); // away from ties for finite differences
            let (v, (g, _)) = selections::value_and_grad(x, &y2);
            (v, g)
        },
        &x,
    )
    .unwrap();
    // Ties split 0.5/0.5 (x = y at [0, 2] and [1, 2]): maximum gives ½ to each, minimum ½·2.
    let (gx, gy) = selections::grad(&x, &y);
    assert!(close(gy[[0, 2]], 0.5 + 1.0));
    // x[0,2] = −0.7: also the column minimum (−1) and below the clamp (0)
    assert!(close(gx[[0, 2]], 0.5 + 1.0 - 1.0));
    // Floats: max takes 2, min 1; at a tie both split.
    assert_eq!(float_max::grad(2.0, 1.0), (2.0, 1.0));
    assert_eq!(float_max::grad(1.0, 1.0), (1.5, 1.5));
}

/// Calls to differentiable functions inside loops and branches.
#[differentiable]
fn calls_in_control_flow(x: &[f64], flip: bool) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if flip {
            s = s - sum_squares(x) * (i as f64);
        } else {
            s = s + rosenbrock(x) * 0.0 + x[i];
        }
    }
    s
}

#[test]
fn calls_inside_loops_and_branches() {
    let x = vec![0.5, -1.5];
    // flip: s = −Σᵢ i·Σⱼ xⱼ² = −(0 + 1)·Σ x² → −2x; else s = Σ xᵢ → 1
    assert_eq!(calls_in_control_flow::grad(&x, true).0, vec![-1.0, 3.0]);
    assert_eq!(calls_in_control_flow::grad(&x, false).0, vec![1.0, 1.0]);
}

/// Coefficients as published code keeps them: a `&[f64]` constant.
const COEFFS: &[f64] = &[1.0, 2.0, 3.0];

#[differentiable]
fn horner_rev(z: f64, c: &[f64]) -> f64 {
    c.iter().rev().fold(0.0, |a, v| a * z + v)
}

/// `1 + 2x + 3x²` through a constant slice passed to a call, and a `&str`
/// constant beside it: `∂/∂x = 2 + 6x`.
#[differentiable]
fn with_constant_slice(x: f64) -> f64 {
    let label = String::from("p");
    assert!(!label.is_empty());
    horner_rev(x, COEFFS)
}

#[test]
fn a_constant_slice_passed_to_a_call() {
    assert_eq!(with_constant_slice::value_and_grad(2.0), (17.0, 14.0));
}
