//! Control flow inside #[differentiable] bodies: branches, loops, mutation, early returns.
// The bodies are written as users write loops, index by index and `s = s + ..`.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

use autograd::gradcheck;
use autograd::ndarray::{array, Array1};
use autograd::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

/// Horner's rule: p(x) = Σ c_k x^k with c given highest degree first.
#[differentiable]
fn horner(x: f64, #[no_grad] coeffs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for c in coeffs.iter() {
        acc = acc * x + c;
    }
    acc
}

#[test]
fn horner_rule() {
    let coeffs = [2.0, -3.0, 0.5, 4.0]; // 2x³ - 3x² + 0.5x + 4
    let x = 1.3;
    let (v, (dx, ())) = horner::value_and_grad(x, &coeffs);
    assert!(close(v, 2.0 * x * x * x - 3.0 * x * x + 0.5 * x + 4.0));
    // p'(x) = 6x² - 6x + 0.5
    assert!(close(dx, 6.0 * x * x - 6.0 * x + 0.5));
    gradcheck(|x: &f64| horner::value_and_grad(*x, &coeffs).map_grad(), &x).unwrap();
}

trait MapGrad {
    fn map_grad(self) -> (f64, f64);
}
impl MapGrad for (f64, (f64, ())) {
    fn map_grad(self) -> (f64, f64) {
        (self.0, self.1 .0)
    }
}

/// A piecewise function: x² for x < 1, 2x - 1 + ln x otherwise.
#[differentiable]
fn piecewise(x: f64) -> f64 {
    if x < 1.0 {
        x * x
    } else {
        let y = 2.0 * x - 1.0;
        y + x.ln()
    }
}

#[test]
fn piecewise_both_sides() {
    assert!(close(piecewise::grad(0.5), 1.0)); // 2x
    assert!(close(piecewise::grad(2.0), 2.5)); // 2 + 1/x
    gradcheck(|x| piecewise::value_and_grad(*x), &0.7).unwrap();
    gradcheck(|x| piecewise::value_and_grad(*x), &1.7).unwrap();
}

/// Doubles x until it exceeds 10: the trip count depends on x.
#[differentiable]
fn doubling(x: f64) -> f64 {
    let mut y = x;
    let mut steps = 0;
    while y < 10.0 {
        y = y * 2.0 + 0.1 * x;
        steps += 1;
    }
    let _ = steps;
    y
}

#[test]
fn while_with_input_dependent_trip_count() {
    for x in [0.3, 1.1, 3.0, 12.0] {
        gradcheck(|x| doubling::value_and_grad(*x), &x).unwrap();
    }
    // x = 3: y = 6.3, then 12.9 → y = 4x + 0.2x + 0.1x = 4.3x, dy/dx = 4.3
    assert!(close(doubling::grad(3.0), 4.3));
}

/// Returns from inside the loop once the partial sum passes a bound.
#[differentiable]
fn first_above(x: &[f64], bound: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s = s + x[i] * x[i];
        if s > bound {
            return s * bound;
        }
    }
    s
}

#[test]
fn early_return_from_a_loop() {
    let x = vec![1.0, 2.0, 3.0, 4.0];
    // s = 1, 5, 14 > 10 → return 14 * 10; ds/dx = 2x for the first three
    let (v, (gx, gb)) = first_above::value_and_grad(&x, 10.0);
    assert!(close(v, 140.0));
    assert_eq!(gx, vec![20.0, 40.0, 60.0, 0.0]);
    assert!(close(gb, 14.0));
    // Never above: the tail value.
    let (v, (gx, gb)) = first_above::value_and_grad(&x, 100.0);
    assert!(close(v, 30.0));
    assert_eq!(gx, vec![2.0, 4.0, 6.0, 8.0]);
    assert_eq!(gb, 0.0);
    gradcheck(
        |(x, b)| first_above::value_and_grad(x, *b),
        &(x.clone(), 10.0),
    )
    .unwrap();
}

/// y = tanh(y W) repeated: a recurrence through matmul.
#[differentiable]
fn recurrence(y0: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix2>, steps: usize) -> Scalar<f64> {
    let mut y = y0.clone();
    for _ in 0..steps {
        y = y.matmul(w).tanh();
    }
    y.sum()
}

#[test]
fn tanh_recurrence_in_a_loop() {
    let y0 = Tensor::from(array![0.5, -0.3, 0.8]);
    let w = Tensor::from(array![[0.2, -0.5, 0.1], [0.4, 0.3, -0.2], [-0.1, 0.6, 0.5]]);
    gradcheck(
        |(y0, w)| {
            let (v, (gy, gw, ())) = recurrence::value_and_grad(y0, w, 4);
            (v, (gy, gw))
        },
        &(y0.clone(), w.clone()),
    )
    .unwrap();
    // One step by hand: d/dy0 Σ tanh(y0 W) = W (1 - tanh²(y0 W)).
    let (_, (gy, _, ())) = recurrence::value_and_grad(&y0, &w, 1);
    let t = y0.data().dot(w.data()).mapv(f64::tanh);
    let expected: Array1<f64> = w.data().dot(&t.mapv(|t| 1.0 - t * t));
    for (a, b) in gy.iter().zip(expected.iter()) {
        assert!(close(*a, *b));
    }
}

/// 100,000 iterations of a scalar recurrence: the reverse loop is iterative.
#[differentiable]
fn long_recurrence(x: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        y = (y * 0.5).sin() + x * 0.001;
    }
    y
}

#[test]
fn hundred_thousand_iterations() {
    let (v, (g, ())) = long_recurrence::value_and_grad(0.7, 100_000);
    let h = 1e-6;
    let n = (long_recurrence(0.7 + h, 100_000) - long_recurrence(0.7 - h, 100_000)) / (2.0 * h);
    assert!(v.is_finite());
    assert!((g - n).abs() < 1e-6, "{g} vs {n}");
}

/// match, compound assignment, tuples, blocks, casts, continue and break.
#[differentiable]
fn mixed(x: f64, y: f64, mode: u8, n: usize) -> f64 {
    let (a, b) = (x * 2.0, y);
    let mut acc = match mode {
        0 => a * b,
        1 => a + b,
        _ => {
            let t = a - b;
            t * t
        }
    };
    for i in 0..n {
        if i % 2 == 1 {
            continue;
        }
        if i > 6 {
            break;
        }
        acc += x * (i as f64);
        acc *= 1.0 + 0.1 * y;
    }
    let scale = {
        let k = n as f64;
        k + 1.0
    };
    acc / scale
}

#[test]
fn match_loops_and_mutation() {
    for mode in 0..3u8 {
        for n in [0usize, 3, 10] {
            gradcheck(
                |(x, y)| {
                    let (v, (gx, gy, (), ())) = mixed::value_and_grad(*x, *y, mode, n);
                    (v, (gx, gy))
                },
                &(0.8, -1.3),
            )
            .unwrap();
        }
    }
}

/// Nested loops with a `break` out of the inner one: Σᵢ Σ_{j ≤ i, j < 3} x^(j+1).
#[differentiable]
fn nested(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        let mut p = x;
        for j in 0..n {
            if j > i || j >= 3 {
                break;
            }
            s += p;
            p = p * x;
        }
    }
    s
}

#[test]
fn nested_loops_with_break() {
    let x: f64 = 0.9;
    for n in [0usize, 1, 2, 5] {
        // d/dx Σ over the pairs of x^(j+1) = Σ (j+1) x^j
        let mut expected = 0.0;
        for i in 0..n {
            for j in 0..=i.min(2) {
                expected += (j as f64 + 1.0) * x.powi(j as i32);
            }
        }
        let (_, (g, ())) = nested::value_and_grad(x, n);
        assert!(close(g, expected), "n = {n}: {g} vs {expected}");
        gradcheck(
            |x| {
                let (v, (g, ())) = nested::value_and_grad(*x, n);
                (v, g)
            },
            &x,
        )
        .unwrap();
    }
}

/// `assert!`-style checks on values read in the body.
#[differentiable]
fn checked(x: f64, n: usize) -> f64 {
    assert!(n > 0, "n must be positive");
    debug_assert!(x.is_finite());
    let y = x * n as f64;
    assert_ne!(n, usize::MAX);
    y * y
}

#[test]
fn assert_style_checks() {
    // d/dx (nx)² = 2n²x
    assert_eq!(checked::grad(1.5, 2).0, 12.0);
    let panicked = std::panic::catch_unwind(|| checked::grad(1.5, 0));
    assert!(panicked.is_err());
}

/// `break 'outer2` from two loops down, in a loop the macro lowers twice
/// (it learns there that `a` is differentiated): the first lowering's
/// jumps must not stay behind (the macro panicked).
#[differentiable]
fn nested_labelled_breaks(x: f64, #[no_grad] c0: f64) -> f64 {
    let mut a = x.exp();
    'outer1: for _ in 0..4 {
        for _ in 1..3 {
            'outer2: for _ in 0..1 {
                for _ in 0..1 {
                    if a.max(1.39) <= x.sin() * c0 {
                        a -= (a / (1.0 + a.abs())).powi(3) * x.cos();
                        break 'outer2;
                    }
                }
            }
        }
        if a < 0.0 {
            break 'outer1;
        }
    }
    a
}

#[test]
fn breaks_out_of_nested_labelled_loops() {
    for c0 in [0.5, 3.0, 10.0] {
        let x = 0.3;
        let (v, _) = nested_labelled_breaks::value_and_grad(x, c0);
        assert_eq!(v.to_bits(), nested_labelled_breaks(x, c0).to_bits());
        gradcheck(
            |x: &f64| {
                let (v, (g, _)) = nested_labelled_breaks::value_and_grad(*x, c0);
                (v, g)
            },
            &x,
        )
        .unwrap();
    }
}

/// The loop moves `h`'s value into `g`; its condition still reads `h`.
#[allow(clippy::eq_op)]
#[differentiable]
fn while_reads_a_copied_tensor(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let h = x.cos();
    let mut g = h.clone();
    let mut k = 0;
    while (&h - &h).mean().item() > -1.0 && k < 3 {
        k += 1;
        g = g.sin();
    }
    (g * x).sum()
}

#[test]
fn a_while_condition_reads_a_value_the_loop_took() {
    let x = Tensor::new(array![0.3, -1.2, 2.0]);
    let (v, g) = while_reads_a_copied_tensor::value_and_grad(&x);
    assert_eq!(v.item(), while_reads_a_copied_tensor(&x).item());
    // d/dx x·s₃ with s₀ = cos x, sₖ₊₁ = sin sₖ: s₃ + x·cos s₂·cos s₁·cos s₀·(−sin x).
    for (g, &x) in g.iter().zip(x.data()) {
        let s0 = x.cos();
        let (s1, s2) = (s0.sin(), s0.sin().sin());
        let s3 = s2.sin();
        let want = s3 - x * s2.cos() * s1.cos() * s0.cos() * x.sin();
        assert!(close(*g, want), "{g} vs {want}");
    }
    gradcheck(while_reads_a_copied_tensor::value_and_grad, &x).unwrap();
}

/// `let u: f64;` assigned literals in both branches: `u.sin()` needs the
/// declared type.
#[allow(clippy::needless_late_init)]
#[differentiable]
fn typed_deferred(x: f64, flag: bool) -> f64 {
    let u: f64;
    if flag {
        u = 0.95;
    } else {
        u = 2.75;
    }
    x * u.sin()
}

#[test]
fn a_declared_type_holds_for_later_assignments() {
    for (flag, u) in [(true, 0.95f64), (false, 2.75)] {
        let (v, (g, ())) = typed_deferred::value_and_grad(0.4, flag);
        assert_eq!(v.to_bits(), typed_deferred(0.4, flag).to_bits());
        assert_eq!(g, u.sin());
    }
}

/// Every iteration overwrites `a` with a value that depends on `w` only:
/// `x`'s gradient through `a` ends at the loop, whatever is needed.
#[differentiable]
fn overwritten(x: f64, w: f64) -> f64 {
    let mut a = x;
    for i in 1..4 {
        a = w - (i as f64);
    }
    a * 2.0
}

#[differentiable]
fn calls_overwritten(x: f64) -> f64 {
    // `w` is a constant here: the helper's pullback is asked for `x` only.
    overwritten(x.sin(), 2.0) + overwritten(1.0, x) * 0.5
}

#[differentiable]
fn overwritten_tensor(x: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let mut a = x.clone();
    for _ in 0..3 {
        a = w.exp();
    }
    (a * x).sum()
}

#[test]
fn a_loop_ends_the_gradient_of_what_it_overwrites() {
    assert_eq!(overwritten::grad(0.3, 2.0), (0.0, 2.0));
    // d/dx [2(2 - 3) + (x - 3)] = 1.
    let (v, dx) = calls_overwritten::value_and_grad(0.3);
    assert_eq!(v, calls_overwritten(0.3));
    assert!(close(dx, 1.0), "{dx}");
    gradcheck(|x| calls_overwritten::value_and_grad(*x), &0.3).unwrap();
    // `w` does not require grad, so the loop's statements are not needed
    // for any gradient; `x`'s is still exp(w) (not exp(w) + x).
    let x = Tensor::from(array![1.0, 2.0]).requires_grad();
    let w = Tensor::from(array![3.0, -4.0]);
    overwritten_tensor::forward(&x, &w).backward();
    assert_eq!(x.grad().unwrap(), w.data().mapv(f64::exp));
    assert_eq!(w.grad(), None);
}
