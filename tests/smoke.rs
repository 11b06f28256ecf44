use autograd::ndarray::array;
use autograd::prelude::*;

#[differentiable]
fn poly(x: f64, y: f64) -> f64 {
    let z = x * y + 3.0 * x;
    let w = z / y - x;
    w * w
}

#[differentiable]
fn tsum(x: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    let y = x * w + 1.0;
    &y * &y * 2.0
}

#[differentiable]
fn twice(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    x * x * 2.0
}

#[differentiable]
fn outer(x: f64) -> f64 {
    let a = poly(x, 2.0);
    a * x
}

#[test]
fn smoke() {
    let (v, (gx, gy)) = poly::value_and_grad(1.5, 2.0);
    assert!((v - poly(1.5, 2.0)).abs() < 1e-12);
    let h = 1e-6;
    let nx = (poly(1.5 + h, 2.0) - poly(1.5 - h, 2.0)) / (2.0 * h);
    let ny = (poly(1.5, 2.0 + h) - poly(1.5, 2.0 - h)) / (2.0 * h);
    assert!((gx - nx).abs() < 1e-5, "{gx} {nx}");
    assert!((gy - ny).abs() < 1e-5, "{gy} {ny}");

    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    let w = Tensor::from(array![3.0, 4.0]);
    tsum::forward(&x, &w).backward(&[0.5, 0.5]);
    // d/dx sum((xw+1)^2) = 2(xw+1)w
    assert_eq!(x.grad().unwrap(), array![2.0 * 4.0 * 3.0, 2.0 * 9.0 * 4.0]);
    assert_eq!(w.grad(), None);

    let y = twice::forward(&x);
    y.backward(&[0.1, 1.0]);
    let _ = outer::grad(1.0);
}
