//! `#[differentiable(has_aux)]`: `jax.grad(f, has_aux=True)`. The function
//! returns `(value, aux..)`; only `value` is differentiated, the auxiliary
//! values come back beside it, computed in the same forward pass.

use autograd::ndarray::{arr0, array, Array1};
use autograd::prelude::*;

// --- A softmax classifier: the loss, and the logits for the accuracy. ---

/// `logits = x w + b`, `loss = cross_entropy(logits, labels)`.
#[differentiable(has_aux)]
fn classifier(
    w: &Tensor<f64, Ix2>,
    b: &Tensor<f64, Ix1>,
    x: &Tensor<f64, Ix2>,
    labels: &[usize],
) -> (Scalar<f64>, Tensor<f64, Ix2>) {
    let logits = x.matmul(w) + b;
    (cross_entropy(&logits, labels), logits)
}

/// The same loss without auxiliary values: the reference gradient.
#[differentiable]
fn classifier_loss(
    w: &Tensor<f64, Ix2>,
    b: &Tensor<f64, Ix1>,
    x: &Tensor<f64, Ix2>,
    labels: &[usize],
) -> Scalar<f64> {
    let logits = x.matmul(w) + b;
    cross_entropy(&logits, labels)
}

fn accuracy(logits: &Tensor<f64, Ix2>, labels: &[usize]) -> f64 {
    let predicted = logits.data().map_axis(Axis(1), |row| {
        (0..row.len())
            .max_by(|&i, &j| row[i].total_cmp(&row[j]))
            .unwrap()
    });
    let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    right as f64 / labels.len() as f64
}

/// The weights, the bias, the inputs and the labels.
type Data = (
    Tensor<f64, Ix2>,
    Tensor<f64, Ix1>,
    Tensor<f64, Ix2>,
    Vec<usize>,
);

fn classifier_data() -> Data {
    let w = Tensor::from(array![[0.5, -0.2, 0.1], [-0.3, 0.8, 0.4]]).requires_grad();
    let b = Tensor::from(array![0.05, -0.1, 0.0]).requires_grad();
    let x = Tensor::from(array![[1.0, 0.5], [-1.0, 2.0], [0.3, -0.7], [2.0, 1.0]]);
    (w, b, x, vec![0, 1, 2, 0])
}

#[test]
fn accuracy_comes_from_the_logits_of_the_same_forward_pass() {
    let (w, b, x, labels) = classifier_data();
    let ((loss, logits), (dw, db, dx, ())) = classifier::value_and_grad(&w, &b, &x, &labels);
    // The plain function still returns the whole tuple.
    let (plain_loss, plain_logits) = classifier(&w, &b, &x, &labels);
    assert_eq!(loss.item(), plain_loss.item());
    assert_eq!(logits.data(), plain_logits.data());
    // Rows 0, 1 and 3 are classified right; row 2 (label 2) as class 0.
    assert_eq!(accuracy(&logits, &labels), 0.75);
    // The gradient is the one of the loss alone.
    let (rw, rb, rx, ()) = classifier_loss::grad(&w, &b, &x, &labels);
    assert_eq!((dw, db, dx), (rw, rb, rx));
    // And finite differences agree.
    gradcheck(
        |(w, b): &(Tensor<f64, Ix2>, Tensor<f64, Ix1>)| {
            let ((loss, _), (dw, db, _, _)) = classifier::value_and_grad(w, b, &x, &labels);
            (loss, (dw, db))
        },
        &(w.clone(), b.clone()),
    )
    .unwrap();
}

#[test]
fn a_training_step_reads_the_accuracy_and_runs_backward() {
    let (w, b, x, labels) = classifier_data();
    let graph = classifier::forward(&w, &b, &x, &labels);
    // `.value()` is the differentiated element, `.aux()` the logits.
    assert_eq!(graph.item(), classifier_loss(&w, &b, &x, &labels).item());
    assert_eq!(accuracy(graph.aux(), &labels), 0.75);
    graph.backward();
    let (rw, rb, _, ()) = classifier_loss::grad(&w, &b, &x, &labels);
    assert_eq!(w.grad().unwrap(), rw);
    assert_eq!(b.grad().unwrap(), rb);
    // `split_aux` gives the logits by value and a graph to run backward on.
    w.zero_grad();
    let (graph, logits) = classifier::forward(&w, &b, &x, &labels).split_aux();
    assert_eq!(logits.shape(), &[4, 3]);
    graph.backward();
    assert_eq!(w.grad().unwrap(), rw);
}

#[test]
fn grad_returns_the_gradients_and_the_auxiliary_values() {
    let (w, b, x, labels) = classifier_data();
    let ((dw, db, _, ()), logits) = classifier::grad(&w, &b, &x, &labels);
    let (rw, rb, _, ()) = classifier_loss::grad(&w, &b, &x, &labels);
    assert_eq!((dw, db), (rw, rb));
    assert_eq!(logits.data(), classifier(&w, &b, &x, &labels).1.data());
}

#[test]
fn the_pullback_takes_the_cotangent_of_the_value_alone() {
    let (w, b, x, labels) = classifier_data();
    let ((loss, logits), pullback) = classifier::vjp(&w, &b, &x, &labels);
    assert_eq!(loss.item(), classifier_loss(&w, &b, &x, &labels).item());
    assert_eq!(logits.shape(), &[4, 3]);
    let (dw, _, _, ()) = pullback(&arr0(2.0));
    let (rw, _, _, ()) = classifier_loss::grad(&w, &b, &x, &labels);
    assert_eq!(dw, rw * 2.0);
}

// --- Three elements: the auxiliary values are the tuple of the rest. ---

/// `f = x² + y`, with `(x · y, a count)` beside it: `∂f/∂x = 2x`, `∂f/∂y = 1`.
#[differentiable(has_aux)]
fn with_two(x: f64, y: f64) -> (f64, f64, usize) {
    let p = x * y;
    (x * x + y, p, 7)
}

#[test]
fn a_triple_carries_the_pair_of_the_rest() {
    let ((v, (p, n)), (dx, dy)) = with_two::value_and_grad(3.0, 0.5);
    assert_eq!((v, p, n), with_two(3.0, 0.5));
    assert_eq!((dx, dy), (6.0, 1.0));
    let ((dx, dy), (p, n)) = with_two::grad(3.0, 0.5);
    assert_eq!((dx, dy, p, n), (6.0, 1.0, 1.5, 7));
    let ((v, aux), pullback) = with_two::vjp(3.0, 0.5);
    assert_eq!((v, aux), (9.5, (1.5, 7)));
    assert_eq!(pullback(&2.0), (12.0, 2.0));
    gradcheck(
        |&(x, y): &(f64, f64)| {
            let ((v, _), g) = with_two::value_and_grad(x, y);
            (v, g)
        },
        &(1.3, -0.4),
    )
    .unwrap();
}

/// Four elements of four kinds: a tensor, a float, a `Vec` of counts.
#[differentiable(has_aux)]
fn many_kinds(x: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>, f64, Vec<usize>) {
    let y = x.exp();
    let shape = x.shape().to_vec();
    let top = y.sum().item();
    ((x * x).sum(), y, top, shape)
}

#[test]
fn auxiliary_values_may_be_of_any_type() {
    let x = Tensor::from(array![0.5, -1.0, 2.0]).requires_grad();
    let graph = many_kinds::forward(&x);
    let (y, top, shape) = graph.aux();
    let plain = many_kinds(&x);
    assert_eq!(y.data(), plain.1.data());
    assert_eq!((*top, shape.clone()), (plain.2, vec![3]));
    graph.backward();
    // d/dx Σx² = 2x: nothing of eˣ.
    assert_eq!(x.grad().unwrap(), array![1.0, -2.0, 4.0]);
}

// --- A tensor as the differentiated element: `backward(&v)`. ---

/// `y = 2x`, with `Σ y²` beside it: the pullback of `v` is `2v`.
#[differentiable(has_aux)]
fn doubled(x: &Tensor<f64, Ix1>) -> (Tensor<f64, Ix1>, Scalar<f64>) {
    let y = x * 2.0;
    let energy = (&y * &y).sum();
    (y, energy)
}

#[test]
fn a_tensor_value_is_seeded_with_backward_of_v() {
    let x = Tensor::from(array![1.0, -3.0]).requires_grad();
    let graph = doubled::forward(&x);
    assert_eq!(graph.value().data(), &array![2.0, -6.0]);
    assert_eq!(graph.aux().item(), 40.0);
    graph.backward(&[1.0, 0.5]);
    assert_eq!(x.grad().unwrap(), array![2.0, 1.0]);
    let ((y, energy), pullback) = doubled::vjp(&x);
    assert_eq!((y.data().clone(), energy.item()), (array![2.0, -6.0], 40.0));
    let g: Array1<f64> = pullback(&array![0.0, 1.0]);
    assert_eq!(g, array![0.0, 2.0]);
    // `try_backward` reports a seed of the wrong shape.
    assert!(doubled::forward(&x).try_backward(&[1.0]).is_err());
}

// --- Auxiliary values that depend on differentiated values. ---

/// The value `Σ sin x`; beside it `eˣ` and `x²`, which the backward pass
/// never reads: `∂/∂x = cos x`.
#[differentiable(has_aux)]
fn sines(x: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>, Tensor<f64, Ix1>) {
    let e = x.exp();
    let sq = x * x;
    (x.sin().sum(), e, sq)
}

#[differentiable]
fn sines_alone(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    x.sin().sum()
}

#[test]
fn dependent_auxiliary_values_add_nothing_to_the_backward_pass() {
    let x = Tensor::from(array![0.3, -1.2, 2.0]);
    let ((v, (e, sq)), g) = sines::value_and_grad(&x);
    let (pv, pe, psq) = sines(&x);
    assert_eq!(v.item(), pv.item());
    assert_eq!((e.data(), sq.data()), (pe.data(), psq.data()));
    assert_eq!(g, x.data().mapv(f64::cos));
    // The backward pass keeps what the loss alone keeps: nothing for `eˣ`
    // or `x²`.
    assert_eq!(sines::__AD_SAVED, sines_alone::__AD_SAVED);
}

// --- Returns in branches and early returns. ---

/// `x³` (with the branch taken) for `x > 1`, `x` (with 0) otherwise.
#[differentiable(has_aux)]
fn branches(x: f64) -> (f64, u8) {
    if x > 1.0 {
        return (x * x * x, 1);
    }
    match x < -1.0 {
        true => (-x, 2),
        false => (x, 0),
    }
}

/// A tuple returned through a variable bound to a call.
#[differentiable]
fn pair(x: f64) -> (f64, f64) {
    (x * x, x + 1.0)
}

#[differentiable(has_aux)]
fn through_a_call(x: f64) -> (f64, f64) {
    let out = pair(x);
    #[allow(clippy::let_and_return)]
    out
}

#[test]
fn every_returned_tuple_carries_its_auxiliary_values() {
    for (x, dx, taken) in [(2.0, 12.0, 1), (-2.0, -1.0, 2), (0.5, 1.0, 0)] {
        let ((v, k), g) = branches::value_and_grad(x);
        assert_eq!((v, k), branches(x));
        assert_eq!((g, k), (dx, taken));
    }
    // The aux of a returned call is its second element; the gradient the
    // first's, `2x`.
    let ((v, aux), g) = through_a_call::value_and_grad(3.0);
    assert_eq!((v, aux, g), (9.0, 4.0, 6.0));
}

// --- Plain tuple outputs, for comparison: one cotangent per element. ---

#[differentiable]
fn loss_and_logits(x: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>) {
    let y = x * 2.0;
    (y.sum(), y)
}

#[test]
fn without_has_aux_a_tuple_takes_one_cotangent_per_element() {
    let x = Tensor::from(array![1.0, 2.0]);
    let (_, pullback) = loss_and_logits::vjp(&x);
    // d/dx of s · 1 + y · [1, 0]: 2 + [2, 0].
    let g: Array1<f64> = pullback(&(arr0(1.0), array![1.0, 0.0]));
    assert_eq!(g, array![4.0, 2.0]);
}

// --- Auxiliary values of a type of one's own, without `Clone`. ---

struct Report {
    steps: usize,
}

/// `x²`, with a report beside it.
#[differentiable(has_aux)]
fn reported(x: f64) -> (f64, Report) {
    (x * x, Report { steps: 1 })
}

#[test]
fn auxiliary_values_need_not_be_clone() {
    let ((v, report), g) = reported::value_and_grad(3.0);
    assert_eq!((v, report.steps, g), (9.0, 1, 6.0));
}

// --- Called from another body: the function as written, every returned value differentiated. ---

/// `(x·x, 3x)`: the loss and an auxiliary value that depends on `x`.
#[differentiable(has_aux)]
fn square_and_triple(x: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>) {
    let t = x * 3.0;
    ((x * x).sum(), t)
}

/// Uses both returned values: as `jax.grad` of a function calling a
/// `has_aux` function, the auxiliary value is differentiated too.
#[differentiable]
fn uses_both(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let (l, t) = square_and_triple(x);
    l * 2.0 + (t * x).sum()
}

/// Uses the auxiliary value as a constant only (a count).
#[differentiable]
fn uses_the_value(x: &Tensor<f64, Ix1>, scale: f64) -> Scalar<f64> {
    let (l, t) = square_and_triple(x);
    let n = t.len() as f64;
    l * scale / n
}

#[test]
fn another_body_differentiates_through_every_returned_value() {
    let x = Tensor::new(array![1.0, -2.0, 0.5]);
    // 2·Σx² + Σ3x² = 5·Σx²: the gradient is 10x.
    let (v, g) = uses_both::value_and_grad(&x);
    assert!((v.item() - 5.0 * 5.25).abs() < 1e-12);
    for (gi, xi) in g.iter().zip(x.data().iter()) {
        assert!((gi - 10.0 * xi).abs() < 1e-12, "{gi} vs {}", 10.0 * xi);
    }
    let (v, (gx, gs)) = uses_the_value::value_and_grad(&x, 1.5);
    assert!((v.item() - 1.5 * 5.25 / 3.0).abs() < 1e-12);
    for (gi, xi) in gx.iter().zip(x.data().iter()) {
        assert!((gi - 2.0 * xi * 1.5 / 3.0).abs() < 1e-12);
    }
    assert!((gs - 5.25 / 3.0).abs() < 1e-12);
    // The function's own entry points keep has_aux's meaning.
    let (g, aux) = square_and_triple::grad(&x);
    assert_eq!(aux.data(), &(x.data() * 3.0));
    for (gi, xi) in g.iter().zip(x.data().iter()) {
        assert!((gi - 2.0 * xi).abs() < 1e-12);
    }
}

// --- Recursion, and auxiliary values without a gradient seen from another body. ---

/// `(xⁿ, Σ_{k<n} xᵏ)`: the recursive call's auxiliary value is used.
#[differentiable(has_aux, recursive)]
fn power_and_sum(x: f64, n: usize) -> (f64, f64) {
    if n == 0 {
        (1.0, 0.0)
    } else {
        let (v, s) = power_and_sum(x, n - 1);
        (v * x, s + v)
    }
}

/// An integer auxiliary value: the recursive call's is ignored.
#[differentiable(has_aux, recursive)]
fn halvings(x: f64, n: usize) -> (f64, usize) {
    if n == 0 {
        (x, 0)
    } else {
        let (v, _) = halvings(x * 0.5, n - 1);
        (v, n)
    }
}

/// Another body may call a function whose auxiliary value has no gradient,
/// and ignore that value (it is a constant there, an `Aux`).
#[differentiable]
fn calls_reported(x: f64) -> f64 {
    let (v, _) = reported(x);
    v * 2.0
}

#[test]
fn recursion_and_constant_auxiliary_values() {
    // x³ = 8, 3x² = 12; the aux 1 + x + x² = 7.
    let ((v, s), g) = power_and_sum::value_and_grad(2.0, 3);
    assert_eq!((v, s, g), (8.0, 7.0, (12.0, ())));
    let ((v, n), g) = halvings::value_and_grad(2.0, 3);
    assert_eq!((v, n, g), (0.25, 3, (0.125, ())));
    let (v, g) = calls_reported::value_and_grad(3.0);
    assert_eq!((v, g), (18.0, 12.0));
}
