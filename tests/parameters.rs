//! `#[derive(Parameters)]` on nested structs: fields read in bodies,
//! gradients in a struct of the same shape, stored by backward, names.

use autograd::ndarray::array;
use autograd::prelude::*;

#[derive(Parameters, Clone)]
pub struct Layer {
    w: Tensor<f64, Ix1>,
    b: Tensor<f64, Ix1>,
}

#[derive(Parameters, Clone)]
pub struct Net {
    l1: Layer,
    l2: Layer,
}

/// Σ tanh(x·w₁ + b₁)·w₂
#[differentiable]
fn f(n: &Net, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let h = (x * &n.l1.w + &n.l1.b).tanh();
    (h * &n.l2.w).sum()
}

fn net() -> Net {
    Net {
        l1: Layer {
            w: Tensor::from(array![1.0, 2.0]),
            b: Tensor::from(array![0.5, 0.1]),
        },
        l2: Layer {
            w: Tensor::from(array![-1.0, 1.0]),
            b: Tensor::from(array![0.0, 0.0]),
        },
    }
}

#[test]
fn nested_fields_get_their_gradients() {
    let n = net().with_requires_grad();
    let x = Tensor::from(array![0.3, 0.4]);
    let (_, (g, _)) = f::value_and_grad(&n, &x);
    // h = tanh(x·w₁ + b₁); ∂/∂w₁ = w₂(1 − h²)x, ∂/∂b₁ = w₂(1 − h²), ∂/∂w₂ = h, ∂/∂b₂ = 0
    let z = array![0.3 * 1.0 + 0.5, 0.4 * 2.0 + 0.1];
    let h = z.mapv(f64::tanh);
    let s = h.mapv(|h| 1.0 - h * h);
    let dw1 = &(&s * &array![-1.0, 1.0]) * &array![0.3, 0.4];
    for (a, b) in g.l1.w.iter().zip(dw1.iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    for (a, b) in g.l2.w.iter().zip(h.iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    assert_eq!(g.l2.b, array![0.0, 0.0]);
    // backward stores the same numbers in the leaves.
    f::forward(&n, &x).backward();
    assert_eq!(n.l1.w.grad().unwrap(), g.l1.w);
    assert_eq!(n.l1.b.grad().unwrap(), g.l1.b);
    assert_eq!(n.l2.w.grad().unwrap(), g.l2.w);
    // b₂ is never read: as in PyTorch, its gradient stays None (the
    // functional API above still returns zeros for it).
    assert_eq!(n.l2.b.grad(), None);
    // A second backward accumulates into the fields reached, and still not b₂.
    f::forward(&n, &x).backward();
    assert_eq!(n.l1.w.grad().unwrap(), &g.l1.w * 2.0);
    assert_eq!(n.l2.b.grad(), None);
    // Finite differences, one parameter at a time.
    let base = net();
    autograd::gradcheck(
        |w: &Tensor<f64, Ix1>| {
            let mut m = base.clone();
            m.l1.w = w.clone();
            let (v, (g, _)) = f::value_and_grad(&m, &x);
            (v, g.l1.w)
        },
        &base.l1.w,
    )
    .unwrap();
}

#[test]
fn names_counts_and_flags() {
    let mut n = net();
    assert_eq!(n.parameter_names(), ["l1.w", "l1.b", "l2.w", "l2.b"]);
    assert_eq!(n.num_parameters(), 8);
    assert!(!n.l1.w.is_requires_grad());
    n.set_requires_grad_all(true);
    assert!(n.l2.b.is_requires_grad());
    let mut bytes = Vec::new();
    n.save_to(&mut bytes).unwrap();
    let mut m = net();
    m.l1.w = Tensor::from(array![9.0, 9.0]);
    m.load_from(&mut bytes.as_slice()).unwrap();
    assert_eq!(m.l1.w.data(), n.l1.w.data());
}

/// The same field read twice, and the struct passed on to another function
/// that reads it too: the contributions add up.
#[differentiable]
fn layer_out(l: &Layer, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    (x * &l.w).sum()
}

#[differentiable]
fn reads_twice(n: &Net, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let a = (x * &n.l1.w).sum();
    let b = (&n.l1.w * &n.l1.w).sum();
    a + b + layer_out(&n.l1, x) * 2.0
}

#[test]
fn contributions_to_one_field_add_up() {
    let n = net();
    let x = Tensor::from(array![0.3, 0.4]);
    let (_, (g, _)) = reads_twice::value_and_grad(&n, &x);
    // ∂/∂w₁ = x + 2w₁ + 2x
    let want = &(x.data() * 3.0) + &(n.l1.w.data() * 2.0);
    for (a, b) in g.l1.w.iter().zip(want.iter()) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    assert_eq!(g.l1.b, array![0.0, 0.0]);
    assert_eq!(g.l2.w, array![0.0, 0.0]);
}

#[test]
fn unreached_fields_allocate_nothing_until_handed_out() {
    let n = net();
    let x = Tensor::from(array![0.3, 0.4]);
    // Through the protocol other generated code uses: b₂ was never reached,
    // so its gradient is an empty array, not zeros.
    let (_, pullback) = f::rule(&n, &x, [true, false]);
    let (g, _) = pullback(&autograd::ndarray::arr0(1.0), &n, &x);
    let g = g.expect("asked for");
    assert_eq!(g.l2.b.len(), 0);
    assert_eq!(g.l1.w.len(), 2);
    // vjp, grad and value_and_grad hand out zeros of the right shape.
    let (_, pullback) = f::vjp(&n, &x);
    let (g, _) = pullback(&autograd::ndarray::arr0(1.0));
    assert_eq!(g.l2.b, array![0.0, 0.0]);
    let (g, _) = f::grad(&n, &x);
    assert_eq!(g.l2.b, array![0.0, 0.0]);
}
