//! Reduction loops (`s += ..` into a float, iterations otherwise
//! independent): their backward runs inside the forward pass and saves
//! nothing per iteration. Each function here has a twin the macro reverses
//! the ordinary way (its accumulator does not start from a float literal),
//! and the two must agree, with finite differences and with hand-derived values.

// Index loops and `s = e + s` are the forms under test.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

use autograd::gradcheck;
use autograd::ndarray::array;
use autograd::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

fn is_reduction(saved: &[&str]) -> bool {
    saved.iter().any(|l| l.contains("accumulated by the loop"))
        && !saved.iter().any(|l| l.contains("per iteration"))
}

#[differentiable]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() / 2 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        let t = b - a * a;
        let u = 1.0 - a;
        s += 100.0 * t * t + u * u;
    }
    s
}

/// The same function, reversed iteration by iteration from saved values.
#[differentiable]
fn rosenbrock_saved(x: &[f64]) -> f64 {
    let mut s = 0.0 * x[0];
    for i in 0..x.len() / 2 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        let t = b - a * a;
        let u = 1.0 - a;
        s += 100.0 * t * t + u * u;
    }
    s
}

#[test]
fn rosenbrock_matches_the_hand_derived_gradient() {
    assert!(
        is_reduction(rosenbrock::__AD_SAVED),
        "{:?}",
        rosenbrock::__AD_SAVED
    );
    assert!(!is_reduction(rosenbrock_saved::__AD_SAVED));
    let x = vec![-1.2, 1.0, 0.3, -0.7, 2.0, 1.5];
    let (v, g) = rosenbrock::value_and_grad(&x);
    let mut hand = vec![0.0; x.len()];
    let mut value = 0.0;
    for i in 0..x.len() / 2 {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        let (t, u) = (b - a * a, 1.0 - a);
        value += 100.0 * t * t + u * u;
        hand[2 * i] = -400.0 * a * t - 2.0 * u;
        hand[2 * i + 1] = 200.0 * t;
    }
    assert!(close(v, value));
    assert!(all_close(&g, &hand), "{g:?} vs {hand:?}");
    let (v2, g2) = rosenbrock_saved::value_and_grad(&x);
    assert!(close(v, v2));
    assert!(all_close(&g, &g2));
    gradcheck(|x: &Vec<f64>| rosenbrock::value_and_grad(x), &x).unwrap();
}

#[test]
fn output_gradient_other_than_one_scales_the_loop_gradient() {
    let x = vec![0.5, -0.25, 1.5, 2.0];
    let (v, pullback) = rosenbrock::vjp(&x);
    let g = pullback(&2.5);
    let (_, g1) = rosenbrock::value_and_grad(&x);
    assert!(v > 0.0);
    let scaled: Vec<f64> = g1.iter().map(|g| 2.5 * g).collect();
    assert!(all_close(&g, &scaled));
}

/// A nonlinear function of the sum: its gradient reaches the loop as ≠ 1.
#[differentiable]
fn log_sum_squares(x: &[f64], w: &Tensor<f64, Ix1>) -> f64 {
    let mut s = 1.0;
    for i in 0..x.len() {
        let p = x[i] * w[i];
        s += p * p;
    }
    s.ln() * 3.0
}

#[differentiable]
fn log_sum_squares_saved(x: &[f64], w: &Tensor<f64, Ix1>) -> f64 {
    let mut s = 1.0 + 0.0 * x[0];
    for i in 0..x.len() {
        let p = x[i] * w[i];
        s += p * p;
    }
    s.ln() * 3.0
}

#[test]
fn tensor_receivers_and_a_nonlinear_tail() {
    assert!(is_reduction(log_sum_squares::__AD_SAVED));
    let x = vec![0.3, -1.2, 0.8];
    let w = Tensor::from(array![1.5, 0.5, -2.0]);
    let (v, (gx, gw)) = log_sum_squares::value_and_grad(&x, &w);
    let (v2, (gx2, gw2)) = log_sum_squares_saved::value_and_grad(&x, &w);
    assert!(close(v, v2));
    assert!(all_close(&gx, &gx2));
    assert!(all_close(gw.as_slice().unwrap(), gw2.as_slice().unwrap()));
    // d/dx_i 3 ln(1 + Σ x²w²) = 6 x_i w_i² / s
    let s = 1.0
        + x.iter()
            .zip(w.data())
            .map(|(x, w)| x * x * w * w)
            .sum::<f64>();
    for i in 0..3 {
        let wi = w.data()[i];
        assert!(close(gx[i], 6.0 * x[i] * wi * wi / s));
        assert!(close(gw[i], 6.0 * wi * x[i] * x[i] / s));
    }
    gradcheck(
        |(x, w)| log_sum_squares::value_and_grad(x, w),
        &(x.clone(), w.clone()),
    )
    .unwrap();
}

/// `s -= e`, `s = e + s`, two updates per iteration, a variable reassigned
/// in the body, an inactive carried weight, a value computed before the
/// loop, and a plain float parameter.
#[differentiable]
fn many_forms(x: &[f64], k: f64) -> f64 {
    let scaled = k * 2.0;
    let mut s: f64 = 0.0;
    let mut weight = 1.0;
    let mut n = 0;
    while n < x.len() {
        let mut t = x[n];
        t = t * t;
        s -= weight * t;
        s = scaled * x[n] + s;
        weight *= 0.5;
        n += 1;
    }
    s
}

#[differentiable]
fn many_forms_saved(x: &[f64], k: f64) -> f64 {
    let scaled = k * 2.0;
    let mut s: f64 = 0.0 * k;
    let mut weight = 1.0;
    let mut n = 0;
    while n < x.len() {
        let mut t = x[n];
        t = t * t;
        s -= weight * t;
        s = scaled * x[n] + s;
        weight *= 0.5;
        n += 1;
    }
    s
}

#[test]
fn accumulation_forms() {
    assert!(
        is_reduction(many_forms::__AD_SAVED),
        "{:?}",
        many_forms::__AD_SAVED
    );
    let x = vec![1.0, -2.0, 0.5];
    let (v, (gx, gk)) = many_forms::value_and_grad(&x, 0.75);
    let (v2, (gx2, gk2)) = many_forms_saved::value_and_grad(&x, 0.75);
    assert!(close(v, v2));
    assert!(all_close(&gx, &gx2));
    assert!(close(gk, gk2));
    // s = Σ 2k x_n − 0.5ⁿ x_n²
    let hand: Vec<f64> = (0..3)
        .map(|n| 1.5 - 2.0 * 0.5f64.powi(n as i32) * x[n])
        .collect();
    assert!(all_close(&gx, &hand), "{gx:?} vs {hand:?}");
    assert!(close(gk, 2.0 * x.iter().sum::<f64>()));
    gradcheck(
        |(x, k)| many_forms::value_and_grad(x, *k),
        &(x.clone(), 0.75),
    )
    .unwrap();
}

#[differentiable]
fn square(a: f64) -> f64 {
    a * a
}

/// A call in the body, and the loop inside a branch.
#[differentiable]
fn branch_and_call(x: &[f64], flag: bool) -> f64 {
    let mut total = 0.0;
    if flag {
        for v in 0..x.len() {
            total += square(x[v]).sin();
        }
    } else {
        total = x[0] * 3.0;
    }
    total * total
}

#[test]
fn calls_and_branches() {
    assert!(branch_and_call::__AD_SAVED
        .iter()
        .any(|l| l.contains("accumulated by the loop")));
    let x = vec![0.4, -0.9, 1.1];
    let (v, (gx, ())) = branch_and_call::value_and_grad(&x, true);
    let t: f64 = x.iter().map(|a| (a * a).sin()).sum();
    assert!(close(v, t * t));
    for i in 0..3 {
        assert!(close(gx[i], 2.0 * t * (x[i] * x[i]).cos() * 2.0 * x[i]));
    }
    let (_, (gx, ())) = branch_and_call::value_and_grad(&x, false);
    assert!(all_close(&gx, &[18.0 * x[0], 0.0, 0.0]));
    gradcheck(
        |x: &Vec<f64>| {
            let (v, (g, ())) = branch_and_call::value_and_grad(x, true);
            (v, g)
        },
        &x,
    )
    .unwrap();
}

/// f32, and a parameter whose gradient is not asked for.
#[differentiable]
fn dot32(x: &[f32], w: &[f32]) -> f32 {
    let mut s = 0.0f32;
    for i in 0..x.len() {
        s += x[i] * w[i];
    }
    s
}

#[test]
fn f32_and_needs() {
    assert!(is_reduction(dot32::__AD_SAVED));
    let x = vec![1.0f32, 2.0, 3.0];
    let w = vec![0.5f32, -1.0, 2.0];
    let (v, (gx, gw)) = dot32::value_and_grad(&x, &w);
    assert_eq!(v, 4.5);
    assert_eq!(gx, w);
    assert_eq!(gw, x);
    // Only w's gradient asked for: x's is never computed.
    let (_, pullback) = dot32::rule(&x, &w, [false, true]);
    let (gx, gw) = pullback(&2.0, &x, &w);
    assert!(gx.is_none());
    assert_eq!(gw.unwrap(), vec![2.0f32, 4.0, 6.0]);
    // None asked for: nothing at all.
    let (_, pullback) = dot32::rule(&x, &w, [false, false]);
    let (gx, gw) = pullback(&1.0, &x, &w);
    assert!(gx.is_none() && gw.is_none());
}

/// Loops that do not qualify are reversed the ordinary way: two
/// accumulators, an accumulator read in the body, a struct field.
#[differentiable]
fn two_sums(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut q = 0.0;
    for i in 0..x.len() {
        s += x[i];
        q += x[i] * x[i];
    }
    q - s * s
}

#[differentiable]
fn reads_the_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * s + x[i];
    }
    s
}

#[test]
fn loops_that_do_not_qualify() {
    assert!(!is_reduction(two_sums::__AD_SAVED));
    assert!(!is_reduction(reads_the_sum::__AD_SAVED));
    let x = vec![0.5, 1.5, -1.0];
    gradcheck(|x: &Vec<f64>| two_sums::value_and_grad(x), &x).unwrap();
    gradcheck(|x: &Vec<f64>| reads_the_sum::value_and_grad(x), &x).unwrap();
}

/// Branches and an inner loop in the body: they save what they read, and
/// the iteration's backward pops it at once.
#[differentiable]
fn hinge_rows(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix2>, #[no_grad] y: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..y.len() {
        let mut score = 0.0 * w[0];
        for j in 0..w.len() {
            if j == 1 {
                continue;
            }
            score = score + w[j] * x[[i, j]];
        }
        let margin = y[i] * score;
        if margin < 1.0 {
            loss += 1.0 - margin;
        } else {
            loss -= 0.0 * margin;
        }
        match i % 3 {
            0 | 2 => loss += 0.5 * w[1] * w[1],
            _ => loss += 0.0 * w[2],
        }
    }
    loss
}

#[differentiable]
fn hinge_rows_saved(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix2>, #[no_grad] y: &[f64]) -> f64 {
    let mut loss = 0.0 * w[0];
    for i in 0..y.len() {
        let mut score = 0.0 * w[0];
        for j in 0..w.len() {
            if j == 1 {
                continue;
            }
            score = score + w[j] * x[[i, j]];
        }
        let margin = y[i] * score;
        if margin < 1.0 {
            loss += 1.0 - margin;
        } else {
            loss -= 0.0 * margin;
        }
        match i % 3 {
            0 | 2 => loss += 0.5 * w[1] * w[1],
            _ => loss += 0.0 * w[2],
        }
    }
    loss
}

/// A loop that `continue`s early is not a reduction loop.
#[differentiable]
fn skips(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] < 0.0 {
            continue;
        }
        s += x[i] * x[i];
    }
    s
}

#[test]
fn bodies_with_branches_and_inner_loops() {
    let saved = hinge_rows::__AD_SAVED;
    assert!(
        saved.iter().any(|l| l.contains("accumulated by the loop")),
        "{saved:?}"
    );
    assert!(!hinge_rows_saved::__AD_SAVED
        .iter()
        .any(|l| l.contains("accumulated by the loop")));
    assert!(!skips::__AD_SAVED
        .iter()
        .any(|l| l.contains("accumulated by the loop")));
    let w = Tensor::from(array![0.5, -0.3, 1.2]);
    let x = Tensor::from(array![[1.0, 2.0, -0.5], [0.3, -1.0, 0.8], [-2.0, 0.1, 0.4]]);
    let y = vec![1.0, -1.0, 1.0];
    let (v, (gw, gx, ())) = hinge_rows::value_and_grad(&w, &x, &y);
    let (v2, (gw2, gx2, ())) = hinge_rows_saved::value_and_grad(&w, &x, &y);
    assert!(close(v, v2));
    assert!(all_close(gw.as_slice().unwrap(), gw2.as_slice().unwrap()));
    assert!(all_close(gx.as_slice().unwrap(), gx2.as_slice().unwrap()));
    // By hand: rows with margin < 1 add -y x_j to w_j (j ≠ 1); rows 0 and 2 add w_1.
    let mut hand = [0.0; 3];
    for i in 0..3 {
        let score = w[0] * x[[i, 0]] + w[2] * x[[i, 2]];
        if y[i] * score < 1.0 {
            hand[0] -= y[i] * x[[i, 0]];
            hand[2] -= y[i] * x[[i, 2]];
        }
        if i % 3 != 1 {
            hand[1] += w[1];
        }
    }
    assert!(
        all_close(gw.as_slice().unwrap(), &hand),
        "{gw:?} vs {hand:?}"
    );
    gradcheck(
        |(w, x)| {
            let (v, (gw, gx, ())) = hinge_rows::value_and_grad(w, x, &y);
            (v, (gw, gx))
        },
        &(w.clone(), x.clone()),
    )
    .unwrap();
    let xs = vec![1.0, -2.0, 3.0];
    assert_eq!(skips::value_and_grad(&xs), (10.0, vec![2.0, 0.0, 6.0]));
}

/// Iterating over the slice itself, and two loops adding into one float.
#[differentiable]
fn two_passes(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s += v * v * w;
    }
    for (i, v) in x.iter().enumerate() {
        s -= (i as f64) * v;
    }
    s * s
}

#[test]
fn slice_iteration_and_two_loops() {
    assert_eq!(
        two_passes::__AD_SAVED
            .iter()
            .filter(|l| l.contains("accumulated by the loop"))
            .count(),
        3,
        "{:?}",
        two_passes::__AD_SAVED
    );
    let x = vec![0.5, -1.5, 2.0];
    let (v, (gx, gw)) = two_passes::value_and_grad(&x, 0.7);
    let t: f64 = x.iter().map(|v| v * v * 0.7).sum::<f64>()
        - x.iter().enumerate().map(|(i, v)| i as f64 * v).sum::<f64>();
    assert!(close(v, t * t));
    for i in 0..3 {
        assert!(close(gx[i], 2.0 * t * (2.0 * x[i] * 0.7 - i as f64)));
    }
    assert!(close(gw, 2.0 * t * x.iter().map(|v| v * v).sum::<f64>()));
    gradcheck(
        |(x, w)| two_passes::value_and_grad(x, *w),
        &(x.clone(), 0.7),
    )
    .unwrap();
}
