// The bodies are written as users write them, `s = s + ..` included.
#![allow(clippy::assign_op_pattern)]

use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn gen<A: Float>(x: A, y: A) -> A {
    let two = A::from_f64(2.0);
    x * y * two - y / x
}

#[differentiable]
fn gen_t<A: Float, D: autograd::ndarray::Dimension>(x: &Tensor<A, D>) -> Tensor<A, D> {
    x * x * A::from_f64(3.0)
}

#[differentiable]
fn with_consts(x: f64, #[no_grad] k: f64, n: usize, flags: &[bool]) -> f64 {
    let m = n as f64;
    let s: f64 = x * k;
    let s = s * m;
    let _ = flags.len();
    s
}

#[differentiable]
fn ident(x: f64) -> f64 {
    x
}

#[differentiable]
fn constant(_x: f64) -> f64 {
    1.5
}

#[differentiable]
#[allow(clippy::needless_return)]
fn ret(x: f32) -> f32 {
    let y = {
        let t = x * x;
        t * 2.0
    };
    return y + x;
}

mod inner {
    use autograd::prelude::*;
    #[differentiable]
    pub fn sq(x: f64) -> f64 {
        x * x
    }
    #[differentiable]
    pub fn cube(x: f64) -> f64 {
        sq(x) * x
    }
}

#[differentiable]
fn comp3(x: f64) -> f64 {
    let a = inner::cube(x);
    let b = crate::inner::sq(a);
    self::ident(b) + x
}

#[differentiable]
fn many(x: f64) -> f64 {
    let y = x * x;
    y * y + y * x + x
}

#[differentiable]
fn tensor_ident(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    let y = x;
    y.clone()
}

#[test]
fn edges() {
    let (gx, gy) = gen::grad(1.5f64, 2.0);
    // d/dx (2xy - y/x) = 2y + y/x², d/dy = 2x - 1/x
    assert!((gx - (4.0 + 2.0 / 2.25)).abs() < 1e-12);
    assert!((gy - (3.0 - 1.0 / 1.5)).abs() < 1e-12);
    let (gx32, _) = gen::grad(1.5f32, 2.0f32);
    assert!((gx32 - (4.0 + 2.0 / 2.25) as f32).abs() < 1e-5);

    let x = Tensor::from(array![[1.0f32, 2.0]]).requires_grad();
    gen_t::forward(&x).backward(&array![[1.0, 1.0]]);
    assert_eq!(x.grad().unwrap(), array![[6.0f32, 12.0]]);

    let (gx, gk, gn, gf) = with_consts::grad(2.0, 3.0, 4, &[true]);
    assert_eq!(gx, 12.0);
    let ((), (), ()) = (gk, gn, gf);

    assert_eq!(ident::grad(3.0), 1.0);
    assert_eq!(constant::grad(3.0), 0.0);
    assert_eq!(ret::value_and_grad(2.0), (10.0, 9.0));

    // comp3 = (x³)² + x → 6x⁵ + 1
    assert!((comp3::grad(1.1) - (6.0 * 1.1f64.powi(5) + 1.0)).abs() < 1e-9);
    // many = x⁴ + x³ + x → 4x³ + 3x² + 1
    assert!((many::grad(2.0) - (32.0 + 12.0 + 1.0)).abs() < 1e-12);

    let t = Tensor::from(array![1.0, 2.0]).requires_grad();
    tensor_ident::forward(&t).backward(&[3.0, 4.0]);
    assert_eq!(t.grad().unwrap(), array![3.0, 4.0]);
}

#[differentiable]
fn sq_sum(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    (x * x).sum()
}

#[differentiable]
fn scaled(x: &Tensor<f64, Ix1>, k: f64) -> Tensor<f64, Ix1> {
    x * k
}

/// Calls that take locals of the forward pass by reference, in and out of loops.
#[differentiable]
fn calls_with_locals(x: &Tensor<f64, Ix1>, n: usize) -> Scalar<f64> {
    let y = x * 2.0;
    let mut s = sq_sum(&y);
    let mut z = x.clone();
    for _ in 0..n {
        z = scaled(&z, 0.5);
        s = s + sq_sum(&z);
    }
    s
}

#[test]
fn calls_with_forward_locals() {
    let x = Tensor::from(array![1.0, -2.0, 0.5]);
    // s = Σ(2x)² + Σ_k Σ(x/2^k)² → ds/dx = 8x + Σ_k 2x/4^k
    for n in [0usize, 1, 3] {
        let (_, (g, ())) = calls_with_locals::value_and_grad(&x, n);
        let factor = 8.0 + (1..=n).map(|k| 2.0 / 4f64.powi(k as i32)).sum::<f64>();
        for (a, b) in g.iter().zip(x.data().iter()) {
            assert!((a - factor * b).abs() < 1e-12);
        }
        autograd::gradcheck(
            |x| {
                let (v, (g, ())) = calls_with_locals::value_and_grad(x, n);
                (v, g)
            },
            &x,
        )
        .unwrap();
    }
}
