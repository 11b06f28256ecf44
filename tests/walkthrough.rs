//! PyTorch's autograd walkthrough, as tests: leaves and `requires_grad`,
//! `backward()` and `backward(&v)`, accumulation and `zero_grad`, the
//! functional API, shape errors, threads, and generic functions.
//!
//! Each numeric test states the hand-derived gradient, compares with it
//! (1e-12 relative in `f64`, 1e-5 in `f32`) and runs `gradcheck` (f64).

use autograd::ndarray::{arr0, array, Array, Array1, Array2, Dimension, IxDyn};
use autograd::prelude::*;
use autograd::{gradcheck, gradcheck_vjp, Error};

// ---- functions --------------------------------------------------------------------

/// PyTorch's first example: y = x + 2, z = 3y², out = mean z.
#[differentiable]
fn three_squares_mean(x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let y = x + 2.0;
    let z = &y * &y * 3.0;
    z.mean()
}

/// z = x·y of two scalars.
#[differentiable]
fn z(x: &Scalar<f64>, y: &Scalar<f64>) -> Scalar<f64> {
    x * y
}

/// y = 2x², elementwise: a tensor output, seeded with `backward(&v)`.
#[differentiable]
fn twice_square(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    x * x * 2.0
}

/// A loss of a weight vector and a constant input: Σ (x·w)².
#[differentiable]
fn loss(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let p = x * w;
    (&p * &p).sum()
}

/// k·Σ x², for the threads test.
#[differentiable]
fn weighted_squares(x: &Tensor<f64, Ix1>, k: f64) -> Scalar<f64> {
    (x * x).sum() * k
}

/// Σ y: does not depend on `x`.
#[differentiable]
fn ignores_x(x: &Tensor<f64, Ix1>, y: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let _ = x;
    y.sum()
}

/// A tensor output with a dynamic number of axes.
#[differentiable]
fn dyn_square(x: &Tensor<f64, IxDyn>) -> Tensor<f64, IxDyn> {
    x * x
}

/// 2-D output, for the shape errors.
#[differentiable]
fn double_matrix(x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
    x * 2.0
}

/// Generic over the element type: x²y − 3y/x.
#[differentiable]
fn generic_float<A: Float>(x: A, y: A) -> A {
    x * x * y - y / x * A::from_f64(3.0)
}

/// Generic over the element type, tensor in, scalar out: ½ Σ w².
#[differentiable]
fn generic_half_norm<A: Float>(w: &Tensor<A, Ix1>) -> Scalar<A> {
    (w * w).sum() * A::from_f64(0.5)
}

/// Generic over the element type and the dimension: 1.5x² − x.
#[differentiable]
fn generic_tensor<A: Float, D: Dimension>(x: &Tensor<A, D>) -> Tensor<A, D> {
    x * x * A::from_f64(1.5) - x
}

// ---- helpers ------------------------------------------------------------------------

/// `|got − want| <= rtol·max(|got|, |want|)`, elementwise.
#[track_caller]
fn assert_close<A: Float, D: Dimension>(got: &Array<A, D>, want: &Array<f64, D>, rtol: f64) {
    assert_eq!(got.shape(), want.shape());
    for (g, w) in got.iter().zip(want) {
        let g = g.as_f64();
        assert!(
            g == *w || (g - w).abs() <= rtol * g.abs().max(w.abs()),
            "got {got:?}, want {want:?} (rtol {rtol:e})"
        );
    }
}

#[track_caller]
fn assert_close_f(got: f64, want: f64, rtol: f64) {
    assert!(
        got == want || (got - want).abs() <= rtol * got.abs().max(want.abs()),
        "got {got:e}, want {want:e} (rtol {rtol:e})"
    );
}

// ---- leaves -------------------------------------------------------------------------

#[test]
fn a_leaf_that_requires_grad_and_then_does_not() {
    // torch.ones(2, 2, requires_grad=True)
    let mut x = Tensor::from(Array2::<f64>::ones((2, 2))).requires_grad();
    assert!(x.is_requires_grad());
    assert_eq!(x.shape(), &[2, 2]);
    assert_eq!(x.grad(), None);
    // x.requires_grad_(False)
    x.set_requires_grad(false);
    assert!(!x.is_requires_grad());
    // A backward pass is now a mistake, as in PyTorch ("element 0 of
    // tensors does not require grad"), and stores nothing.
    assert!(three_squares_mean::forward(&x).try_backward(&1.0).is_err());
    assert_eq!(x.grad(), None);
    // And back on: the next backward stores the gradient.
    x.set_requires_grad(true);
    three_squares_mean::forward(&x).backward();
    assert_eq!(x.grad(), Some(Array2::from_elem((2, 2), 4.5)));
}

#[test]
fn a_tensor_from_an_ndarray_array() {
    let a = Array2::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let t = Tensor::from(a.clone());
    assert_eq!(t.data(), &a);
    assert_eq!(t.shape(), &[2, 3]);
    assert_eq!(t.dim(), (2, 3));
    assert_eq!(t.len(), 6);
    assert!(!t.is_requires_grad());
    assert_eq!(t.grad(), None);
    // A clone keeps the data and the flag, not the gradient.
    let w = Tensor::from(array![1.0, -2.0]).requires_grad();
    loss::forward(&w, &Tensor::from(array![3.0, 0.5])).backward();
    let c = w.clone();
    assert!(c.is_requires_grad());
    assert_eq!(c.data(), w.data());
    assert_eq!(c.grad(), None);
    assert!(w.grad().is_some());
}

#[test]
fn pytorch_first_example() {
    // x = ones(2, 2); y = x + 2; z = 3y²; out = z.mean() = 27
    // ∂out/∂x = 6y / 4 = 4.5 at every element
    let x = Tensor::from(Array2::<f64>::ones((2, 2))).requires_grad();
    let out = three_squares_mean::forward(&x);
    assert_eq!(out.item(), 27.0);
    out.backward();
    assert_eq!(x.grad().unwrap(), Array2::from_elem((2, 2), 4.5));
    let x = Tensor::from(array![[0.5, -1.0], [2.0, 0.25]]);
    gradcheck(three_squares_mean::value_and_grad, &x).unwrap();
}

// ---- backward -------------------------------------------------------------------------

#[test]
fn backward_of_a_product_of_scalars() {
    // z = x·y: ∂z/∂x = y, ∂z/∂y = x
    let x = Scalar::scalar(3.0).requires_grad();
    let y = Scalar::scalar(-4.0).requires_grad();
    let graph = z::forward(&x, &y);
    assert_eq!(graph.item(), -12.0);
    assert_eq!(graph.value().item(), -12.0);
    graph.backward();
    assert_eq!(x.grad(), Some(arr0(-4.0)));
    assert_eq!(y.grad(), Some(arr0(3.0)));
    gradcheck(|(x, y)| z::value_and_grad(x, y), &(x.clone(), y.clone())).unwrap();
}

#[test]
fn backward_with_an_external_gradient() {
    // y = 2x², y.backward(v): x.grad = v·4x
    let x = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
    let graph = twice_square::forward(&x);
    assert_eq!(graph.value().data(), &array![2.0, 8.0, 18.0]);
    graph.backward(&[0.1, 1.0, 0.0001]);
    let v = array![0.1, 1.0, 0.0001];
    assert_close(&x.grad().unwrap(), &(&v * x.data() * 4.0), 1e-12);
    gradcheck_vjp(twice_square, |x, v| twice_square::vjp(x).1(v), &x).unwrap();
}

#[test]
fn backward_accepts_arrays_tensors_slices_and_vecs() {
    // y = 2x²: each form of v gives v·4x, accumulated: (1 + 2 + 3 + 4 + 5)·4x
    let x = Tensor::from(array![1.0, -0.5]).requires_grad();
    twice_square::forward(&x).backward(&array![1.0, 1.0]);
    twice_square::forward(&x).backward(&Tensor::from(array![2.0, 2.0]));
    twice_square::forward(&x).backward(&[3.0, 3.0]);
    twice_square::forward(&x).backward(&vec![4.0, 4.0]);
    twice_square::forward(&x).backward(&[5.0, 5.0][..]);
    assert_eq!(x.grad().unwrap(), array![60.0, -30.0]);
    // A dynamic-dimension output takes a slice for one axis: v·2x
    let d = Tensor::from(array![1.5, -2.0].into_dyn()).requires_grad();
    dyn_square::forward(&d).backward(&[1.0, 0.5]);
    assert_eq!(d.grad().unwrap(), array![3.0, -2.0].into_dyn());
}

#[test]
fn gradients_accumulate_until_zero_grad() {
    // Σ (x·w)²: ∂w = 2x²w; two backward calls store twice that.
    let w = Tensor::from(array![0.5, -1.5]).requires_grad();
    let x = Tensor::from(array![2.0, 3.0]);
    let once = array![4.0, -27.0];
    loss::forward(&w, &x).backward();
    assert_eq!(w.grad().unwrap(), once);
    loss::forward(&w, &x).backward();
    assert_eq!(w.grad().unwrap(), &once * 2.0);
    // optimizer.zero_grad(): the gradient is None again, and the next backward starts afresh.
    w.zero_grad();
    assert_eq!(w.grad(), None);
    loss::forward(&w, &x).backward();
    assert_eq!(w.grad().unwrap(), once);
    gradcheck(|(w, x)| loss::value_and_grad(w, x), &(w.clone(), x.clone())).unwrap();
}

#[test]
fn a_leaf_that_does_not_require_grad_gets_no_gradient() {
    let w = Tensor::from(array![0.5, -1.5]).requires_grad();
    let x = Tensor::from(array![2.0, 3.0]);
    loss::forward(&w, &x).backward();
    assert!(w.grad().is_some());
    assert_eq!(x.grad(), None);
    // With no leaf that requires grad, `backward(&v)` of a tensor output
    // is refused (as PyTorch's) and stores nothing.
    let y = Tensor::from(array![1.0, 2.0, 3.0]);
    assert!(twice_square::forward(&y)
        .try_backward(&[1.0, 1.0, 1.0])
        .is_err());
    assert_eq!(y.grad(), None);
}

#[test]
fn the_functional_api_never_touches_stored_gradients() {
    let w = Tensor::from(array![0.5, -1.5]).requires_grad();
    let x = Tensor::from(array![2.0, 3.0]).requires_grad();
    // ∂w = 2x²w, ∂x = 2w²x
    let (dw, dx) = loss::grad(&w, &x);
    assert_eq!(dw, array![4.0, -27.0]);
    assert_eq!(dx, array![1.0, 13.5]);
    let (value, (dw2, dx2)) = loss::value_and_grad(&w, &x);
    assert_eq!(value.item(), 1.0 + 20.25);
    assert_eq!((dw2, dx2), (dw.clone(), dx.clone()));
    let (value, pullback) = loss::vjp(&w, &x);
    assert_eq!(value.item(), 21.25);
    assert_eq!(pullback(&arr0(2.0)), (&dw * 2.0, &dx * 2.0));
    assert_eq!(w.grad(), None);
    assert_eq!(x.grad(), None);
    // Nor does it change a gradient already stored.
    loss::forward(&w, &x).backward();
    let stored = (w.grad(), x.grad());
    let _ = loss::grad(&w, &x);
    let _ = loss::value_and_grad(&w, &x);
    let (_, pullback) = loss::vjp(&w, &x);
    let _ = pullback(&arr0(1.0));
    let y = Tensor::from(array![1.0, 2.0]).requires_grad();
    let (_, pullback) = twice_square::vjp(&y);
    let _ = pullback(&array![1.0, 1.0]);
    assert_eq!((w.grad(), x.grad()), stored);
    assert_eq!(y.grad(), None);
}

#[test]
fn the_same_leaf_passed_twice_gets_both_gradients() {
    // loss(w, w) = Σ w⁴: each argument contributes 2w³, the leaf stores 4w³.
    let w = Tensor::from(array![0.5, -1.5]).requires_grad();
    loss::forward(&w, &w).backward();
    assert_eq!(w.grad().unwrap(), w.data().mapv(|w| 4.0 * w * w * w));
}

#[test]
fn a_leaf_the_output_does_not_depend_on_gets_no_gradient() {
    // Σ y does not read x: x.grad() stays None (as in PyTorch), y gets ones;
    // the functional API gives x a zero gradient.
    let x = Tensor::from(array![0.5, -1.5]).requires_grad();
    let y = Tensor::from(array![2.0, 3.0]).requires_grad();
    ignores_x::forward(&x, &y).backward();
    assert_eq!(x.grad(), None);
    assert_eq!(y.grad().unwrap(), array![1.0, 1.0]);
    assert_eq!(
        ignores_x::grad(&x, &y),
        (array![0.0, 0.0], array![1.0, 1.0])
    );
    gradcheck(
        |(x, y)| ignores_x::value_and_grad(x, y),
        &(x.clone(), y.clone()),
    )
    .unwrap();
}

#[test]
fn turning_requires_grad_off_keeps_the_stored_gradient() {
    // PyTorch's requires_grad_(False) does not clear .grad either.
    let mut w = Tensor::from(array![0.5, -1.5]).requires_grad();
    let x = Tensor::from(array![2.0, 3.0]);
    loss::forward(&w, &x).backward();
    let stored = w.grad();
    assert!(stored.is_some());
    w.set_requires_grad(false);
    assert_eq!(w.grad(), stored);
    // Nothing requires grad now: backward is refused, the gradient kept.
    assert!(loss::forward(&w, &x).try_backward(&1.0).is_err());
    assert_eq!(w.grad(), stored);
}

// ---- shape errors -----------------------------------------------------------------

#[test]
fn try_backward_with_a_wrong_shape_is_an_error_and_stores_nothing() {
    let x = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
    let err = twice_square::forward(&x)
        .try_backward(&[1.0, 2.0])
        .unwrap_err();
    assert_eq!(
        err,
        Error::ShapeMismatch {
            op: "backward",
            expected: vec![3],
            found: vec![2],
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("[3]") && message.contains("[2]"),
        "{message}"
    );
    assert_eq!(x.grad(), None);
    // The same for a matrix output, and the right shape still works afterwards.
    let m = Tensor::from(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).requires_grad();
    let err = double_matrix::forward(&m)
        .try_backward(&Array2::<f64>::ones((2, 3)))
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("[3, 2]") && message.contains("[2, 3]"),
        "{message}"
    );
    assert_eq!(m.grad(), None);
    double_matrix::forward(&m)
        .try_backward(&Array2::<f64>::ones((3, 2)))
        .unwrap();
    assert_eq!(m.grad().unwrap(), Array2::from_elem((3, 2), 2.0));
    // A slice is one axis: for a two-axis dynamic output it is the wrong shape.
    let d = Tensor::from(Array2::<f64>::ones((2, 2)).into_dyn()).requires_grad();
    let err = dyn_square::forward(&d)
        .try_backward(&[1.0, 1.0, 1.0, 1.0])
        .unwrap_err();
    assert!(err.to_string().contains("[2, 2]") && err.to_string().contains("[4]"));
    assert_eq!(d.grad(), None);
}

#[test]
#[should_panic(expected = "backward: shape mismatch: expected shape [3], found shape [2]")]
fn backward_with_a_wrong_shape_panics_naming_both_shapes() {
    let x = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
    twice_square::forward(&x).backward(&[1.0, 2.0]);
}

#[test]
fn a_shape_panic_leaves_the_leaf_usable() {
    let x = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        twice_square::forward(&x).backward(&Array1::<f64>::ones(4));
    }));
    let message = result.unwrap_err();
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("[3]") && message.contains("[4]"),
        "{message}"
    );
    assert_eq!(x.grad(), None);
    // y = 2x², v = 1: 4x
    twice_square::forward(&x).backward(&[1.0, 1.0, 1.0]);
    assert_eq!(x.grad().unwrap(), array![4.0, 8.0, 12.0]);
}

// ---- threads ----------------------------------------------------------------------

/// `Tensor` is `Send + Sync`, for every element type and dimension.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Tensor<f64, Ix1>>();
    send_sync::<Tensor<f32, Ix2>>();
    send_sync::<Tensor<f64, IxDyn>>();
    send_sync::<Scalar<f32>>();
};

#[test]
fn backward_on_several_threads_accumulates_the_sum() {
    // k·Σx²: ∂x = 2k·x. Threads k = 1..=8, 50 passes each, into the same leaf:
    // 50·2·(1 + ... + 8)·x = 3600x (exact: every term is a small dyadic number).
    let x = Tensor::from(array![1.0, -2.0, 0.5]).requires_grad();
    std::thread::scope(|s| {
        for k in 1..=8 {
            let x = &x;
            s.spawn(move || {
                for _ in 0..50 {
                    weighted_squares::forward(x, f64::from(k)).backward();
                }
            });
        }
    });
    assert_eq!(x.grad().unwrap(), x.data() * 3600.0);
    gradcheck(
        |(x, k)| weighted_squares::value_and_grad(x, *k),
        &(x.clone(), 3.0),
    )
    .unwrap();
}

// ---- generic functions ------------------------------------------------------------

/// Seeds the backward pass of a generic function from generic code: `backward(&v)`
/// needs a concrete dimension, `try_backward` works for every `D`.
fn seed_generic<A: Float, D: Dimension>(x: &Tensor<A, D>, v: &Array<A, D>) -> Result<(), Error> {
    generic_tensor::forward(x).try_backward(v)
}

/// The gradient of the generic float function, from generic code.
fn grad_generic<A: Float>(x: A, y: A) -> (A, A) {
    generic_float::grad(x, y)
}

/// `backward()` on a generic scalar output, from generic code.
fn half_norm_step<A: Float>(w: &Tensor<A, Ix1>) {
    generic_half_norm::forward(w).backward()
}

#[test]
fn generic_function_of_floats_in_both_element_types() {
    // x²y − 3y/x: ∂x = 2xy + 3y/x², ∂y = x² − 3/x
    let (x, y) = (1.5, -0.8);
    let want = (2.0 * x * y + 3.0 * y / (x * x), x * x - 3.0 / x);
    let (gx, gy) = grad_generic(x, y);
    assert_close_f(gx, want.0, 1e-12);
    assert_close_f(gy, want.1, 1e-12);
    let (gx, gy) = grad_generic(x as f32, y as f32);
    assert_close_f(f64::from(gx), want.0, 1e-5);
    assert_close_f(f64::from(gy), want.1, 1e-5);
    gradcheck(
        |&(x, y): &(f64, f64)| generic_float::value_and_grad(x, y),
        &(x, y),
    )
    .unwrap();
}

#[test]
fn generic_scalar_loss_in_both_element_types() {
    // ½ Σ w²: ∂w = w
    let w = Tensor::from(array![0.5, -1.5, 2.0]).requires_grad();
    half_norm_step(&w);
    assert_eq!(w.grad().unwrap(), w.data().clone());
    let w32 = Tensor::from(array![0.5f32, -1.5, 2.0]).requires_grad();
    half_norm_step(&w32);
    assert_eq!(w32.grad().unwrap(), w32.data().clone());
    gradcheck(generic_half_norm::value_and_grad, &w).unwrap();
}

#[test]
fn generic_tensor_function_seeded_with_try_backward() {
    // 1.5x² − x: ∂x = v·(3x − 1)
    let x = Tensor::from(array![0.5, -1.5, 2.0]).requires_grad();
    let v = array![0.3, -1.1, 2.5];
    seed_generic(&x, &v).unwrap();
    let want = &v * &x.data().mapv(|x| 3.0 * x - 1.0);
    assert_close(&x.grad().unwrap(), &want, 1e-12);
    gradcheck_vjp(generic_tensor, |x, v| generic_tensor::vjp(x).1(v), &x).unwrap();

    // f32, two axes: the same formula.
    let m = Tensor::from(array![[0.5f32, -1.5], [2.0, 0.25]]).requires_grad();
    let vm = array![[0.3f32, -1.1], [2.5, 0.7]];
    seed_generic(&m, &vm).unwrap();
    let want = Array2::from_shape_fn((2, 2), |(i, j)| {
        f64::from(vm[[i, j]]) * (3.0 * f64::from(m.data()[[i, j]]) - 1.0)
    });
    assert_close(&m.grad().unwrap(), &want, 1e-5);
    let m64 = Tensor::from(m.data().mapv(f64::from));
    gradcheck_vjp(generic_tensor, |x, v| generic_tensor::vjp(x).1(v), &m64).unwrap();

    // Dynamic dimension, and a wrong shape reported from generic code.
    let d = Tensor::from(array![1.0, 2.0].into_dyn()).requires_grad();
    let err = seed_generic(&d, &Array::ones(IxDyn(&[3]))).unwrap_err();
    assert!(err.to_string().contains("[2]") && err.to_string().contains("[3]"));
    assert_eq!(d.grad(), None);
    seed_generic(&d, &Array::ones(IxDyn(&[2]))).unwrap();
    assert_eq!(d.grad().unwrap(), array![2.0, 5.0].into_dyn());
}
