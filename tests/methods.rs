//! `#[differentiable]` on methods, `impl` blocks and traits: a model written
//! the PyTorch way (`self.l1.forward(&h)`) gives the gradients of the same
//! model written with free functions, bit for bit, and the finite
//! differences'.

use autograd::ndarray::{array, Array1, Array2};
use autograd::prelude::*;

#[derive(Parameters, Clone)]
struct Linear {
    weight: Tensor<f64, Ix2>,
    bias: Tensor<f64, Ix1>,
}

// On the block: every method with a receiver; `new` stays as written.
#[differentiable]
impl Linear {
    fn new(weight: Array2<f64>, bias: Array1<f64>) -> Self {
        Linear {
            weight: Tensor::from(weight),
            bias: Tensor::from(bias),
        }
    }

    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        x.matmul(&self.weight) + &self.bias
    }

    // A method of a method: `self.forward`.
    fn squared(&self, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
        let y = self.forward(x);
        (&y * &y).sum()
    }
}

#[derive(Parameters, Clone)]
struct Net {
    l1: Linear,
    l2: Linear,
}

impl Net {
    // On one method.
    #[differentiable]
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let h = self.l1.forward(x).tanh();
        self.l2.forward(&h)
    }
}

#[differentiable]
fn loss(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let y = net.forward(x);
    (&y * &y).sum()
}

// The same model with free functions.
#[differentiable]
fn linear(l: &Linear, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
    x.matmul(&l.weight) + &l.bias
}

#[differentiable]
fn loss_free(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let h = linear(&net.l1, x).tanh();
    let y = linear(&net.l2, &h);
    (&y * &y).sum()
}

fn net() -> Net {
    Net {
        l1: Linear::new(array![[0.1, 0.2], [0.3, -0.4]], array![0.05, -0.02]),
        l2: Linear::new(array![[0.5], [-0.6]], array![0.1]),
    }
}

fn input() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.0, 2.0], [-0.5, 0.3]])
}

#[test]
fn methods_give_the_gradients_of_free_functions() {
    let (n, x) = (net(), input());
    let (v, (g, _)) = loss::value_and_grad(&n, &x);
    let (w, (h, _)) = loss_free::value_and_grad(&n, &x);
    assert_eq!(v, w);
    assert_eq!(v.item(), {
        let h = (x.data().dot(n.l1.weight.data()) + n.l1.bias.data()).mapv(f64::tanh);
        let y = h.dot(n.l2.weight.data()) + n.l2.bias.data();
        (&y * &y).sum()
    });
    assert_eq!(g.l1.weight, h.l1.weight);
    assert_eq!(g.l1.bias, h.l1.bias);
    assert_eq!(g.l2.weight, h.l2.weight);
    assert_eq!(g.l2.bias, h.l2.bias);
}

#[test]
fn method_gradients_match_finite_differences() {
    let x = input();
    let base = net();
    for layer in 0..2 {
        let pick = |n: &Net| {
            if layer == 0 {
                n.l1.weight.clone()
            } else {
                n.l2.weight.clone()
            }
        };
        autograd::gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let mut m = base.clone();
                if layer == 0 {
                    m.l1.weight = w.clone();
                } else {
                    m.l2.weight = w.clone();
                }
                let (v, (g, _)) = loss::value_and_grad(&m, &x);
                (v, if layer == 0 { g.l1.weight } else { g.l2.weight })
            },
            &pick(&base),
        )
        .unwrap();
    }
}

#[test]
fn backward_stores_into_every_layer_reached() {
    let (mut n, x) = (net(), input());
    n.set_requires_grad_all(true);
    loss::forward(&n, &x).backward();
    let (_, (g, _)) = loss::value_and_grad(&n, &x);
    assert_eq!(n.l1.weight.grad().unwrap(), g.l1.weight);
    assert_eq!(n.l2.bias.grad().unwrap(), g.l2.bias);
    // Only l1 is reached through `squared`: l2 keeps no gradient, as in PyTorch.
    n.zero_grad_all();
    let m = n.clone();
    #[differentiable]
    fn first(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
        net.l1.squared(x)
    }
    let fresh = Net {
        l1: m.l1.clone(),
        l2: Linear::new(array![[1.0], [1.0]], array![0.0]),
    };
    first::forward(&fresh, &x).backward();
    assert!(fresh.l1.weight.grad().is_some());
    assert_eq!(fresh.l2.weight.grad(), None);
}

// A scalar method: the gradient flows into the receiver and the argument.
#[derive(Parameters)]
struct Scale {
    w: Tensor<f64, Ix1>,
}

#[differentiable]
impl Scale {
    fn times(&self, s: f64) -> Scalar<f64> {
        self.w.sum() * s
    }
}

#[differentiable]
fn use_scale(m: &Scale, s: f64) -> Scalar<f64> {
    m.times(s * s)
}

#[test]
fn a_method_differentiates_its_receiver_and_its_arguments() {
    let m = Scale {
        w: Tensor::from(array![1.0, 2.0, 3.0]),
    };
    let (v, (g, gs)) = use_scale::value_and_grad(&m, 0.5);
    assert_eq!(v.item(), 6.0 * 0.25);
    assert_eq!(g.w, array![0.25, 0.25, 0.25]);
    // d/ds (6 s²) = 12 s.
    assert_eq!(gs, 6.0);
}

// A trait with `#[differentiable]`, its implementations too, and a generic
// function differentiated for each concrete model.
#[differentiable]
trait Module {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2>;
}

#[derive(Parameters, Clone)]
struct Affine {
    a: Tensor<f64, Ix2>,
}

#[differentiable]
impl Module for Affine {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        x.matmul(&self.a)
    }
}

#[derive(Parameters, Clone)]
struct Shifted {
    a: Tensor<f64, Ix2>,
}

#[differentiable]
impl Module for Shifted {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        (x.matmul(&self.a) + 1.0).tanh()
    }
}

#[differentiable]
fn apply<M: Module>(m: &M, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    m.forward(x).sum()
}

#[test]
fn a_generic_function_over_a_differentiable_trait() {
    let x = input();
    let a = Affine {
        a: Tensor::from(array![[1.0], [2.0]]),
    };
    let (v, (g, _)) = apply::value_and_grad(&a, &x);
    assert_eq!(v.item(), 5.0 + 0.1);
    // d Σ(x a) / d a = column sums of x.
    assert_eq!(g.a, array![[0.5], [2.3]]);
    let s = Shifted {
        a: Tensor::from(array![[0.5], [-0.25]]),
    };
    let (v, (g, _)) = apply::value_and_grad(&s, &x);
    let z = x.data().dot(s.a.data()) + 1.0;
    assert_eq!(v.item(), z.mapv(f64::tanh).sum());
    let dz = z.mapv(|z| 1.0 - z.tanh() * z.tanh());
    let expected = x.data().t().dot(&dz);
    assert!((&g.a - &expected).iter().all(|d| d.abs() < 1e-15), "{g:?}");
}

// A generic model, the attribute on its block, used in f32.
#[derive(Parameters)]
struct Gen<A: Float> {
    weight: Tensor<A, Ix2>,
}

#[differentiable]
impl<A: Float> Gen<A> {
    fn forward(&self, x: &Tensor<A, Ix2>) -> Tensor<A, Ix2> {
        x.matmul(&self.weight).tanh()
    }
}

#[differentiable]
fn gen_loss<A: Float>(m: &Gen<A>, x: &Tensor<A, Ix2>) -> Scalar<A> {
    m.forward(x).sum()
}

#[test]
fn a_generic_impl_block_in_f32() {
    let m = Gen {
        weight: Tensor::from(array![[0.5f32], [-0.25]]),
    };
    let x = Tensor::from(array![[1.0f32, 2.0]]);
    let (v, (g, _)) = gen_loss::value_and_grad(&m, &x);
    // tanh(0.5 − 0.5) = 0, so the slope is 1 and the gradient is xᵀ.
    assert_eq!(v.item(), 0.0);
    assert_eq!(g.weight, array![[1.0f32], [2.0]]);
}

// `argmax` inside a body is a constant: here, the class a margin is taken at.
#[differentiable]
fn margin(w: &Tensor<f64, Ix2>, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let logits = x.matmul(w);
    let best = logits.argmax(Axis(1));
    logits.sum() * (best[0] as f64 + 1.0)
}

#[test]
fn argmax_in_a_body_is_a_constant() {
    let w = Tensor::from(array![[1.0, 2.0], [0.0, -1.0]]);
    let x = Tensor::from(array![[1.0, 1.0]]);
    let (v, (g, _)) = margin::value_and_grad(&w, &x);
    // logits [1, 1]: a tie, the first index, so the factor is 1.
    assert_eq!(v.item(), 2.0);
    assert_eq!(g, array![[1.0, 1.0], [1.0, 1.0]]);
}
