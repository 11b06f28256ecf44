//! Tuples and arrays as values: functions returning `(f64, f64)`,
//! `[f64; N]` or `(Scalar, Tensor)`, calls taking them apart
//! (`let (q, r) = helper(x);`, `p.1`, `let [a, b] = v;`), tuples carried
//! through loops and joined by branches. Each is checked against a
//! hand-derived gradient and, through a scalar of it, `gradcheck`.

use autograd::gradcheck;
use autograd::ndarray::array;
use autograd::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// `(r cos t, r sin t)`: the Jacobian rows are `(cos t, -r sin t)` and
/// `(sin t, r cos t)`.
#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

/// `x² + y²` of `polar(r, t)` is `r²`: gradient `(2r, 0)`.
#[differentiable]
fn radius2(r: f64, t: f64) -> f64 {
    let (x, y) = polar(r, t);
    x * x + y * y
}

/// `3 r sin t` through `p.1`: gradient `(3 sin t, 3 r cos t)`.
#[differentiable]
fn only_y(r: f64, t: f64) -> f64 {
    let p = polar(r, t);
    p.1 * 3.0
}

/// `(x, y) = polar(r, t)` assigned in a branch: `r² cos t sin t` for
/// `r > 0`, gradient `(2r cos t sin t, r² cos 2t)`.
#[differentiable]
fn assigned(r: f64, t: f64) -> f64 {
    let mut x = 0.0;
    let mut y = 1.0;
    if r > 0.0 {
        (x, y) = polar(r, t);
    }
    x * y
}

#[test]
fn a_tuple_output_has_one_cotangent_per_element() {
    let (r, t) = (2.0, 0.5);
    let ((x, y), pullback) = polar::vjp(r, t);
    assert_eq!((x, y), polar(r, t));
    let (dr, dt) = pullback(&(1.0, 0.0));
    assert!(close(dr, t.cos()) && close(dt, -r * t.sin()));
    let (dr, dt) = pullback_of(r, t, (0.0, 1.0));
    assert!(close(dr, t.sin()) && close(dt, r * t.cos()));
    // Both at once: the sum of the rows, weighted.
    let (dr, dt) = pullback_of(r, t, (2.0, -1.0));
    assert!(close(dr, 2.0 * t.cos() - t.sin()));
    assert!(close(dt, -2.0 * r * t.sin() - r * t.cos()));
}

fn pullback_of(r: f64, t: f64, v: (f64, f64)) -> (f64, f64) {
    let (_, pullback) = polar::vjp(r, t);
    pullback(&v)
}

#[test]
fn a_call_returning_a_tuple_is_taken_apart() {
    let (r, t) = (2.0, 0.5);
    let (v, (dr, dt)) = radius2::value_and_grad(r, t);
    assert!(close(v, r * r) && close(dr, 2.0 * r) && dt.abs() < 1e-12);
    let (v, (dr, dt)) = only_y::value_and_grad(r, t);
    assert_eq!(v, 3.0 * polar(r, t).1);
    assert!(close(dr, 3.0 * t.sin()) && close(dt, 3.0 * r * t.cos()));
    let (v, (dr, dt)) = assigned::value_and_grad(r, t);
    assert_eq!(v, assigned(r, t));
    assert!(close(dr, 2.0 * r * t.cos() * t.sin()));
    assert!(close(dt, r * r * (2.0 * t).cos()));
    assert_eq!(assigned::value_and_grad(-1.0, t), (0.0, (0.0, 0.0)));
    for f in [
        radius2::value_and_grad,
        only_y::value_and_grad,
        assigned::value_and_grad,
    ] {
        gradcheck(|&(r, t): &(f64, f64)| f(r, t), &(1.3, 0.7)).unwrap();
    }
}

/// `(Σx, Πx)` carried through a loop, then `Σx · Πx`:
/// `∂/∂xᵢ = Πx + Σx · Πx / xᵢ`.
#[differentiable]
fn sum_times_product(x: &[f64]) -> f64 {
    let mut acc = (0.0, 1.0);
    for xi in x {
        acc = (acc.0 + xi, acc.1 * xi);
    }
    acc.0 * acc.1
}

#[test]
fn a_tuple_is_carried_through_a_loop() {
    let x = [1.0, 2.0, 3.0];
    let (v, g) = sum_times_product::value_and_grad(&x);
    assert_eq!(v, 36.0);
    for (i, xi) in x.iter().enumerate() {
        assert!(close(g[i], 6.0 + 36.0 / xi));
    }
    gradcheck(
        |x: &Vec<f64>| sum_times_product::value_and_grad(x),
        &vec![0.5, -1.5, 2.0],
    )
    .unwrap();
}

/// Tuples returned early, joined by an `if`, named and taken apart, with a
/// literal element.
#[differentiable]
fn branchy(a: f64, b: f64) -> (f64, f64) {
    if a > b {
        return (a * 2.0, 1.0);
    }
    let t = (a, b * b);
    let (p, q) = t;
    if p > 0.0 {
        (q, p)
    } else {
        (p, q)
    }
}

#[test]
fn tuples_join_at_branches_and_early_returns() {
    let (v, pullback) = branchy::vjp(1.0, 2.0);
    assert_eq!(v, (4.0, 1.0));
    // (b², a): ∂/∂a = v.1, ∂/∂b = 2b·v.0.
    assert_eq!(pullback(&(1.0, 10.0)), (10.0, 4.0));
    let (v, pullback) = branchy::vjp(-1.0, 2.0);
    assert_eq!(v, (-1.0, 4.0));
    assert_eq!(pullback(&(1.0, 10.0)), (1.0, 40.0));
    let (v, pullback) = branchy::vjp(3.0, 2.0);
    assert_eq!(v, (6.0, 1.0));
    assert_eq!(pullback(&(1.0, 10.0)), (2.0, 0.0));
}

/// `((ab, a), sin b)`.
#[differentiable]
fn nested(a: f64, b: f64) -> ((f64, f64), f64) {
    ((a * b, a), b.sin())
}

/// `a² b sin b + sin a cos a`: `∂/∂a = 2ab sin b + cos 2a`,
/// `∂/∂b = a² (sin b + b cos b)`.
#[differentiable]
fn use_nested(a: f64, b: f64) -> f64 {
    let ((p, q), r) = nested(a, b);
    let sc = a.sin_cos();
    p * q * r + sc.0 * sc.1
}

#[test]
fn nested_tuples_are_taken_apart_at_any_depth() {
    let (a, b) = (1.5, 0.5);
    let (v, (da, db)) = use_nested::value_and_grad(a, b);
    assert_eq!(v, use_nested(a, b));
    assert!(close(da, 2.0 * a * b * b.sin() + (2.0 * a).cos()));
    assert!(close(db, a * a * (b.sin() + b * b.cos())));
    gradcheck(
        |&(a, b): &(f64, f64)| use_nested::value_and_grad(a, b),
        &(0.3, -1.2),
    )
    .unwrap();
}

#[differentiable]
fn pair<T: num_traits::Float>(a: T, b: T) -> (T, T) {
    (a * b, a + b)
}

/// `ab (a + b)`: `∂/∂a = 2ab + b²`, `∂/∂b = a² + 2ab`.
#[differentiable]
fn use_pair<T: num_traits::Float>(a: T, b: T) -> T {
    let (s, t) = pair(a, b);
    s * t
}

#[test]
fn generic_functions_return_tuples() {
    let (v, (da, db)) = use_pair::value_and_grad(1.5f32, 0.5f32);
    assert_eq!(v, 1.5);
    assert_eq!((da, db), (1.75, 3.75));
    let (v, (da, db)) = use_pair::value_and_grad(1.5f64, 0.5f64);
    assert_eq!((v, da, db), (1.5, 1.75, 3.75));
}

/// `[ab, b]`: the Jacobian is `[[b, a], [0, 1]]`.
#[differentiable]
fn arr(a: f64, b: f64) -> [f64; 2] {
    [a * b, b]
}

/// `v = [ab, b, 2]`, `w = arr(a, b)`: `ab² + 2b + ab`,
/// `∂/∂a = b² + b`, `∂/∂b = 2ab + 2 + a`.
#[differentiable]
fn use_arr(a: f64, b: f64) -> f64 {
    let v = [a * b, b, 2.0];
    let w = arr(a, b);
    v[0] * v[1] + v[2] * w[1] + w[0]
}

/// `let [p, q] = [ab, b]`: `ab²`, gradient `(b², 2ab)`.
#[differentiable]
fn array_pattern(a: f64, b: f64) -> f64 {
    let [p, q] = arr(a, b);
    p * q
}

#[test]
fn arrays_are_built_returned_indexed_and_taken_apart() {
    let (v, pullback) = arr::vjp(2.0, 3.0);
    assert_eq!(v, [6.0, 3.0]);
    assert_eq!(pullback(&[1.0, 0.0]), (3.0, 2.0));
    assert_eq!(pullback_arr(&[0.0, 1.0]), (0.0, 1.0));
    assert_eq!(use_arr::value_and_grad(2.0, 3.0), (30.0, (12.0, 16.0)));
    assert_eq!(array_pattern::value_and_grad(2.0, 3.0), (18.0, (9.0, 12.0)));
    gradcheck(
        |&(a, b): &(f64, f64)| use_arr::value_and_grad(a, b),
        &(0.4, -0.9),
    )
    .unwrap();
    // The graph of an array output is seeded with one gradient per element;
    // of floats alone, nothing requires grad, so backward is refused.
    let refused = std::panic::catch_unwind(|| arr::forward(2.0, 3.0).backward(&[1.0, 1.0]));
    assert!(refused.is_err());
}

fn pullback_arr(v: &[f64; 2]) -> (f64, f64) {
    arr::vjp(2.0, 3.0).1(v)
}

/// `(Σ 2x, 2x)`, then `Σ (2x · Σ 2x) = (Σ 2x)²`: gradient `8 Σx` everywhere.
#[differentiable]
fn loss_and_logits(x: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>) {
    let y = x * 2.0;
    (y.sum(), y)
}

#[differentiable]
fn use_loss_and_logits(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let (s, y) = loss_and_logits(x);
    (y * s).sum()
}

#[test]
fn tensors_travel_in_tuples() {
    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    let (v, g) = use_loss_and_logits::value_and_grad(&x);
    assert_eq!(v.item(), 36.0);
    assert_eq!(g, array![24.0, 24.0]);
    let ((s, y), pullback) = loss_and_logits::vjp(&x);
    assert_eq!((s.item(), y.data().clone()), (6.0, array![2.0, 4.0]));
    // d/dx of s·1 + y·[1, 0]: 2 + [2, 0].
    assert_eq!(
        pullback(&(
            array![1.0].into_shape_with_order(()).unwrap(),
            array![1.0, 0.0]
        )),
        array![4.0, 2.0]
    );
    // backward() of the tuple's graph stores vᵀJ into the leaf.
    let graph = loss_and_logits::forward(&x);
    graph.backward(&(autograd::ndarray::arr0(1.0), array![0.0, 1.0]));
    assert_eq!(x.grad().unwrap(), array![2.0, 4.0]);
}

/// Six outputs (as Bessel-function helpers return them): `(x, 2x, x², sin x, 1, x³)`.
#[differentiable]
fn six(x: f64) -> (f64, f64, f64, f64, f64, f64) {
    (x, x * 2.0, x * x, x.sin(), 1.0, x * x * x)
}

/// `Σ` of the six with weights 1..6: `x + 4x + 3x² + 4 sin x + 5 + 6x³`.
#[differentiable]
fn use_six(x: f64) -> f64 {
    let (a, b, c, d, e, f) = six(x);
    let t = six(x);
    a + b * 2.0 + c * 3.0 + d * 4.0 + e * 5.0 + f * 6.0 + t.5 - t.5
}

#[test]
fn tuples_of_up_to_eight_values() {
    let x = 0.7;
    let (v, g) = use_six::value_and_grad(x);
    assert_eq!(v, use_six(x));
    let want = 1.0 + 4.0 + 6.0 * x + 4.0 * x.cos() + 18.0 * x * x;
    assert!((g - want).abs() < 1e-12, "{g} vs {want}");
    assert_eq!(six::vjp(x).1(&(0.0, 0.0, 0.0, 0.0, 1.0, 0.0)), 0.0);
    let g = six::vjp(x).1(&(0.0, 0.0, 0.0, 0.0, 0.0, 1.0));
    assert!((g - 3.0 * x * x).abs() < 1e-12);
}

#[differentiable]
fn pair_of(x: f64, y: f64) -> (f64, f64) {
    (x * y, x)
}

#[differentiable]
fn product_of(x: f64, y: f64) -> f64 {
    x * y
}

/// A call in a branch long enough to be emitted in blocks of statements:
/// the call's pullback, saved for the backward pass, is not passed on by
/// the block that saved it (it was, and did not compile).
#[differentiable]
fn long_branch_with_a_call(x: f64, y: f64) -> f64 {
    let mut a = y;
    if x > 0.0 {
        let (b, _d) = pair_of(x, y);
        a *= b;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
    }
    a
}

#[differentiable]
fn long_branch_with_a_plain_call(x: f64, y: f64) -> f64 {
    let mut a = y;
    if x > 0.0 {
        let b = product_of(x, y);
        a *= b;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
        a = a.sin() * 1.1 + 0.5;
    }
    a
}

#[test]
fn calls_in_long_branches() {
    let (v, g) = long_branch_with_a_call::value_and_grad(0.7, 0.4);
    assert_eq!(v, long_branch_with_a_call(0.7, 0.4));
    assert_eq!(
        (v, g),
        long_branch_with_a_plain_call::value_and_grad(0.7, 0.4)
    );
    autograd::gradcheck(
        |&(x, y): &(f64, f64)| long_branch_with_a_call::value_and_grad(x, y),
        &(0.7, 0.4),
    )
    .unwrap();
}

/// A literal beside a nested tuple takes the parts' float type.
#[differentiable]
fn literal_beside_a_nested_tuple(x: f64) -> f64 {
    let t = (1.5, (x, x * 3.0));
    t.1 .1 * t.0
}

/// A tuple's part read in a reduction loop: `4x²`, gradient `(8x, 0)`.
#[differentiable]
fn part_in_a_reduction_loop(x: f64, y: f64) -> f64 {
    let tp = (x * x, y);
    let mut s = 0.0;
    for _ in 0..4 {
        s += tp.0;
    }
    s
}

#[test]
fn tuples_beside_literals_and_in_reduction_loops() {
    assert_eq!(
        literal_beside_a_nested_tuple::value_and_grad(2.0),
        (9.0, 4.5)
    );
    assert_eq!(
        part_in_a_reduction_loop::value_and_grad(2.0, 3.0),
        (16.0, (16.0, 0.0))
    );
}

/// `(p, d) = h(c)` of constant arguments replaces differentiated values
/// with constants: `(xy + x)·0.325 + 0.5·x`, gradient
/// `(0.325(y + 1) + 0.5, 0.325x)`.
#[differentiable]
fn assigned_a_constant_tuple(x: f64, y: f64) -> f64 {
    let mut p = x * y;
    let mut d = x;
    let s = p + d;
    (p, d) = pair_of(0.5, 0.65);
    s * p + d * x
}

/// `let (q, r) = h(c)` of a constant but computed argument, and an array
/// pattern on constants: with `q = 2Σxs`, `2xq + q²`.
#[differentiable]
fn constant_tuple_pattern(x: f64, xs: &[f64]) -> f64 {
    let (q, _) = pair_of(xs.iter().map(|v| v * 2.0).sum::<f64>(), 1.0);
    let (c, (e, _)) = (x, pair_of(1.0, 2.0));
    let [a, b] = [q, 2.0];
    c * q * e + a * a * b / 2.0
}

#[test]
fn constant_tuples_are_assigned_and_taken_apart() {
    let (v, g) = assigned_a_constant_tuple::value_and_grad(1.5, 2.0);
    assert_eq!(v, assigned_a_constant_tuple(1.5, 2.0));
    assert!(close(g.0, 0.325 * 3.0 + 0.5) && close(g.1, 0.325 * 1.5));
    let xs = [1.0, 2.0];
    let (v, (gx, gxs)) = constant_tuple_pattern::value_and_grad(1.5, &xs);
    assert_eq!(v, constant_tuple_pattern(1.5, &xs));
    assert!(close(gx, 12.0));
    // d/dxs_i: (2x + 2q) · 2 = (3 + 12) · 2.
    assert!(gxs.iter().all(|&g| close(g, 30.0)));
}

/// Tuples and arrays of literals get their float type from one part's
/// use (`x + tp.1`), as in plain Rust: the other parts' methods then
/// know it. `(x + 2.5) · 2.5`.
#[differentiable]
fn literal_tuple_typed_by_a_part(x: f64) -> f64 {
    let tp = (0.18, 2.5);
    let (_, a7) = tp;
    let q = x + tp.1;
    q * a7.max(1.0)
}

/// Nested tuples, an array with arithmetic of literals, and parts bound
/// by patterns: `1.5x · 1.5 + 6 · 1.5 + √6 · x`.
#[differentiable]
fn literal_parts_bound_and_indexed(x: f64) -> f64 {
    let tp = ((0.18, 1.5), 2.5);
    let ((a, b), _) = tp;
    let q = x * b;
    let arr = [1.0, 2.0 * 3.0];
    let r = q + arr[1];
    let [_, v] = arr;
    r * (tp.0).1.max(a) + v.sqrt() * x
}

/// The same in `f32`: `(2x + 0.5) · sin 0.5`.
#[differentiable]
fn literal_tuple_in_f32(x: f32) -> f32 {
    let tp = (0.5, 2.0);
    let (a, b) = tp;
    let q = x * b + a;
    q * a.sin()
}

#[test]
fn literal_tuples_take_their_type_from_their_uses() {
    assert_eq!(
        literal_tuple_typed_by_a_part::value_and_grad(0.5),
        (7.5, 2.5)
    );
    let (v, g) = literal_parts_bound_and_indexed::value_and_grad(0.3);
    assert_eq!(v, literal_parts_bound_and_indexed(0.3));
    assert!(close(g, 2.25 + 6f64.sqrt()));
    let (v, g) = literal_tuple_in_f32::value_and_grad(0.3);
    assert_eq!(v, literal_tuple_in_f32(0.3));
    assert!((g - 2.0 * 0.5f32.sin()).abs() < 1e-6);
}

// A float and a flag joined by a branch (russell_lab's Bessel functions
// reflect a negative argument this way): the flag has no gradient.
#[differentiable]
fn reflected(x: f64) -> f64 {
    let (xx, negative) = if x < 0.0 { (-x, true) } else { (x, false) };
    if negative {
        -xx.sin()
    } else {
        xx.sin()
    }
}

// A count beside a float, cast back into the arithmetic.
#[differentiable]
fn counted(x: f64) -> f64 {
    let (a, k) = if x > 0.0 { (x * x, 3usize) } else { (-x, 2) };
    a * k as f64
}

#[test]
fn flags_and_counts_in_a_joined_tuple_are_constants() {
    for x in [-0.7, 0.4] {
        let (v, g) = reflected::value_and_grad(x);
        assert_eq!(v, reflected(x));
        // sin(|x|) with the sign put back is sin(x).
        assert!(close(g, x.cos()), "{x}: {g}");
    }
    let (v, g) = counted::value_and_grad(0.5);
    assert_eq!(v, counted(0.5));
    assert_eq!(g, 3.0 * 2.0 * 0.5);
    let (v, g) = counted::value_and_grad(-0.5);
    assert_eq!(v, 1.0);
    assert_eq!(g, -2.0);
}

// Fuzz case (seed 25, case 2488), reduced: a closure that ignores its
// argument makes `sq(d) + sq(x)` look differentiated, though it is a sum of
// table constants; its type must still come from the `c0` it is scaled by.
#[differentiable]
fn table_constants(x: f64, #[no_grad] c0: f64, y: f64) -> f64 {
    let d = x * 2.0;
    let arr = [1.55, 1.06];
    let (q, r) = (
        ({
            let sq = |_q: f64| arr[1];
            sq(d) + sq(x)
        }) * (c0),
        c0,
    );
    let s = if q.cos() <= r {
        (1.5 + q.sin()).sqrt()
    } else {
        y
    };
    d.sin() + 1.6 * q + s + arr[0]
}

#[test]
fn arithmetic_of_table_constants_keeps_its_literal_type() {
    let (v, (gx, (), gy)) = table_constants::value_and_grad(0.3, 0.5, 0.7);
    assert_eq!(v, table_constants(0.3, 0.5, 0.7));
    assert_eq!(gx, 2.0 * (0.6f64).cos());
    assert_eq!(gy, 0.0);
}

/// Found by the differential fuzzer (seed 35, case 34025): `acc.0`
/// overflows to infinity and never reaches the output, yet its zero
/// gradient flows back through `exp` (`0 · ∞ = NaN`) into `x`'s. PyTorch
/// never visits that path, and gives 1. The part of a tuple the output
/// does not read should get no gradient, not a zero one.
#[differentiable]
fn dead_overflowing_component(x: f64) -> f64 {
    let d = x;
    let mut acc = (d, x);
    for _ in 0..5 {
        acc = (acc.0.exp(), d);
    }
    acc.1
}

#[test]
fn a_dead_tuple_component_that_overflows_gives_no_nan() {
    let (v, g) = dead_overflowing_component::value_and_grad(1.0);
    assert_eq!(v, 1.0);
    assert_eq!(g, 1.0);
}

/// The same without a loop: `t.0` overflows and is never read.
#[differentiable]
fn unread_overflowing_part(x: f64) -> f64 {
    let t = (x.exp(), x * 3.0);
    let (_, b) = (x.exp(), x);
    t.1 + b
}

/// An array's unread element, in a loop and straight: the same rule.
#[differentiable]
fn unread_overflowing_element(x: f64) -> f64 {
    let d = x;
    let mut a = [d, x];
    for _ in 0..5 {
        a = [a[0].exp(), d];
    }
    let b = [x.exp(), x * 2.0];
    a[1] + b[1]
}

/// A part read through a variable index reads every part: the overflow
/// reaches the gradient, as it does in PyTorch (`0 · ∞`).
#[differentiable]
fn element_at_a_variable_index(x: f64, i: usize) -> f64 {
    let b = [x.exp(), x * 2.0];
    b[i]
}

#[test]
fn unread_parts_of_tuples_and_arrays_get_no_gradient() {
    assert_eq!(
        unread_overflowing_part::value_and_grad(1000.0),
        (4000.0, 4.0)
    );
    assert_eq!(unread_overflowing_element::value_and_grad(1.0), (3.0, 3.0));
    let (v, g) = element_at_a_variable_index::value_and_grad(1000.0, 1);
    assert_eq!(v, 2000.0);
    assert!(g.0.is_nan());
    assert_eq!(
        element_at_a_variable_index::value_and_grad(1.0, 0).1 .0,
        1f64.exp()
    );
}
