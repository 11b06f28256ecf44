//! A `#[differentiable]` trait whose method has a default body: the
//! implementations that keep it and one that overrides it, differentiated
//! through a generic function, against the plain value and finite
//! differences.

use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
trait Module {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2>;

    /// A default body calling the required method twice.
    fn twice(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        self.forward(&self.forward(x).tanh())
    }
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
    b: Tensor<f64, Ix1>,
}

#[differentiable]
impl Module for Shifted {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        x.matmul(&self.a) + &self.b
    }

    // Overrides the default.
    fn twice(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        self.forward(x) * 2.0
    }
}

#[differentiable]
fn apply<M: Module>(m: &M, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let y = m.twice(x);
    (&y * &y).sum()
}

fn x() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.0, 2.0], [-0.5, 0.3]])
}

#[test]
fn a_default_body_is_differentiated_for_each_implementation() {
    let m = Affine {
        a: Tensor::from(array![[0.5, 0.1], [0.2, 0.3]]),
    };
    let (v, _) = apply::value_and_grad(&m, &x());
    let h = x().data().dot(m.a.data()).mapv(f64::tanh).dot(m.a.data());
    assert!((v.item() - (&h * &h).sum()).abs() < 1e-12);
    assert_eq!(v.item(), apply(&m, &x()).item());
    autograd::gradcheck(
        |a: &Tensor<f64, Ix2>| {
            let (v, (g, _)) = apply::value_and_grad(&Affine { a: a.clone() }, &x());
            (v, g.a)
        },
        &m.a,
    )
    .unwrap();
}

#[test]
fn an_override_replaces_the_default_and_its_rule() {
    let s = Shifted {
        a: Tensor::from(array![[0.5, 0.1], [0.2, 0.3]]),
        b: Tensor::from(array![1.0, -1.0]),
    };
    let (v, (g, _)) = apply::value_and_grad(&s, &x());
    let y = (x().data().dot(s.a.data()) + s.b.data()) * 2.0;
    assert!((v.item() - (&y * &y).sum()).abs() < 1e-12);
    // d/db Σ (2(xA + b))² = Σ_rows 8 (xA + b).
    let want = (&y * 4.0).sum_axis(autograd::ndarray::Axis(0));
    assert!((&g.b - &want).iter().all(|d| d.abs() < 1e-12));
}
