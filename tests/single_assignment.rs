//! A variable is a name for successive values: copies, swaps, shadowing,
//! binding patterns, labelled blocks and every form of assignment give the
//! plain function's value, bit for bit, and the exact gradient.
//!
//! Each function below was wrong, crashed or did not compile before the
//! single-assignment core; each test states the hand-derived gradient and
//! also runs the finite-difference `gradcheck`.
#![allow(
    clippy::assign_op_pattern,
    clippy::manual_swap,
    clippy::needless_late_init,
    clippy::let_and_return,
    clippy::needless_return,
    clippy::redundant_locals,
    clippy::never_loop,
    clippy::no_effect_underscore_binding
)]

use autograd::gradcheck;
use autograd::ndarray::array;
use autograd::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

/// Checks the value against the plain function bit for bit, the gradient
/// against a hand-derived one, and runs gradcheck.
macro_rules! check1 {
    ($f:ident, $x:expr, $grad:expr) => {{
        let x: f64 = $x;
        let (v, g) = $f::value_and_grad(x);
        assert_eq!(
            v.to_bits(),
            $f(x).to_bits(),
            "{}: value {v} vs plain {}",
            stringify!($f),
            $f(x)
        );
        let want: f64 = $grad;
        assert!(
            close(g, want),
            "{}: gradient {g}, want {want}",
            stringify!($f)
        );
        gradcheck(|x: &f64| $f::value_and_grad(*x), &x).unwrap();
    }};
}

#[differentiable]
fn copy_then_update(x: f64) -> f64 {
    let mut d = x;
    let tmp = d;
    d = d * 3.0;
    tmp + d
}

#[test]
fn a_copy_keeps_the_old_value() {
    // tmp + d = x + 3x = 4x.
    let (v, g) = copy_then_update::value_and_grad(0.5);
    assert_eq!(v, 2.0);
    assert_eq!(g, 4.0);
    check1!(copy_then_update, 0.5, 4.0);
}

#[differentiable]
fn swap_tuple(x: f64, y: f64) -> f64 {
    let mut a = x;
    let mut b = y * y;
    let (a2, b2) = (b, a);
    a = a2;
    b = b2;
    a * 10.0 + b
}

#[differentiable]
fn swap_params(x: f64, y: f64) -> f64 {
    let (x, y) = (y, x);
    x * 10.0 + y
}

#[differentiable]
fn swap_through_temporary(x: f64, y: f64) -> f64 {
    let mut a = x;
    let mut b = y;
    let t = a;
    a = b;
    b = t;
    a * 10.0 + b * b
}

#[differentiable]
fn swap_assignment(x: f64, y: f64) -> f64 {
    let mut a = x;
    let mut b = y.sin();
    (a, b) = (b, a);
    a * 10.0 + b
}

#[test]
fn swaps() {
    let (x, y) = (0.3, -0.7);
    // 10 y² + x
    let (v, (gx, gy)) = swap_tuple::value_and_grad(x, y);
    assert_eq!(v, swap_tuple(x, y));
    assert!(close(gx, 1.0) && close(gy, 20.0 * y));
    // 10 y + x
    let (v, (gx, gy)) = swap_params::value_and_grad(x, y);
    assert_eq!(v, swap_params(x, y));
    assert!(close(gx, 1.0) && close(gy, 10.0));
    // 10 y + x²
    let (v, (gx, gy)) = swap_through_temporary::value_and_grad(x, y);
    assert_eq!(v, swap_through_temporary(x, y));
    assert!(close(gx, 2.0 * x) && close(gy, 10.0));
    // 10 sin y + x
    let (v, (gx, gy)) = swap_assignment::value_and_grad(x, y);
    assert_eq!(v, swap_assignment(x, y));
    assert!(close(gx, 1.0) && close(gy, 10.0 * y.cos()));
    for f in [
        swap_tuple::value_and_grad,
        swap_params::value_and_grad,
        swap_through_temporary::value_and_grad,
        swap_assignment::value_and_grad,
    ] {
        gradcheck(|(x, y): &(f64, f64)| f(*x, *y), &(x, y)).unwrap();
    }
}

#[differentiable]
fn before_the_loop(x: f64, n: usize) -> f64 {
    let mut s = x;
    let s0 = s;
    for _ in 0..n {
        s = s * x;
    }
    s0 * 100.0 + s
}

#[test]
fn a_copy_before_a_loop() {
    // 100 x + x^(n+1): 100 + (n+1) xⁿ.
    let x = 0.9;
    for n in [0, 1, 3] {
        let (v, (g, ())) = before_the_loop::value_and_grad(x, n);
        assert_eq!(v, before_the_loop(x, n));
        assert!(close(g, 100.0 + (n as f64 + 1.0) * x.powi(n as i32)), "{g}");
        gradcheck(
            |x: &f64| {
                let (v, (g, ())) = before_the_loop::value_and_grad(*x, n);
                (v, g)
            },
            &x,
        )
        .unwrap();
    }
}

#[differentiable]
fn tensor_copy(h0: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let mut h = h0.clone();
    let h_before = h.clone();
    h = h.tanh();
    (&h_before * 2.0 + h).sum()
}

#[test]
fn a_tensor_clone_keeps_the_old_value() {
    // Σ 2h + tanh h: 2 + 1 − tanh² h.
    let h = Tensor::from(array![0.3, -1.2, 2.0]);
    let (v, g) = tensor_copy::value_and_grad(&h);
    assert_eq!(v.item(), tensor_copy(&h).item());
    let want = h.data().mapv(|x| 3.0 - x.tanh() * x.tanh());
    assert!(
        g.iter().zip(&want).all(|(a, b)| close(*a, *b)),
        "{g} vs {want}"
    );
    gradcheck(tensor_copy::value_and_grad, &h).unwrap();
}

/// A Chebyshev series `Σ' c_k T_k(y)` evaluated with Clenshaw's recurrence,
/// written as special-function code writes it (`let tmp = d; ... dd = tmp;`).
#[differentiable]
fn clenshaw(y: f64, #[no_grad] c: &[f64]) -> f64 {
    let y2 = 2.0 * y;
    let mut d = 0.0;
    let mut dd = 0.0;
    for j in (1..c.len()).rev() {
        let tmp = d;
        d = y2 * d - dd + c[j];
        dd = tmp;
    }
    y * d - dd + 0.5 * c[0]
}

/// erf(x) by its Taylor series (a reference for the test).
fn erf_series(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    for n in 1..60 {
        term *= -x * x / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

#[test]
fn clenshaw_recurrence() {
    // The Chebyshev coefficients of erf on [-1, 1], from the DCT of its values.
    let n = 30;
    let nodes: Vec<f64> = (0..n)
        .map(|k| (std::f64::consts::PI * (k as f64 + 0.5) / n as f64).cos())
        .collect();
    let c: Vec<f64> = (0..n)
        .map(|j| {
            2.0 / n as f64
                * nodes
                    .iter()
                    .enumerate()
                    .map(|(k, t)| {
                        erf_series(*t)
                            * (std::f64::consts::PI * j as f64 * (k as f64 + 0.5) / n as f64).cos()
                    })
                    .sum::<f64>()
        })
        .collect();
    for x in [0.7, -0.3, 0.95] {
        let (v, (g, ())) = clenshaw::value_and_grad(x, &c);
        assert_eq!(v.to_bits(), clenshaw(x, &c).to_bits());
        assert!((v - erf_series(x)).abs() < 1e-12, "erf({x}) = {v}");
        // d/dx erf x = 2/√π e^(−x²)
        let want = 2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp();
        assert!((g - want).abs() < 1e-10, "erf'({x}) = {g}, want {want}");
        gradcheck(
            |x: &f64| {
                let (v, (g, ())) = clenshaw::value_and_grad(*x, &c);
                (v, g)
            },
            &x,
        )
        .unwrap();
    }
    assert!((clenshaw(0.7, &c) - 0.6778011938374184).abs() < 1e-12);
}

#[differentiable]
fn binding_pattern(x: f64) -> f64 {
    match x {
        v if v > 1.0 => v * 2.0,
        _ => x * x,
    }
}

#[differentiable]
fn binding_patterns_more(x: f64, y: f64) -> f64 {
    let a = match (x, y) {
        (p, q) if p > q => p * q,
        (p, _) => p,
    };
    let b = match x * 2.0 {
        0.0 => 1.0,
        w @ 0.0..=1.0 => w * w,
        w => w.sin(),
    };
    a + b
}

#[test]
fn binding_patterns_name_the_value() {
    check1!(binding_pattern, 1.5, 2.0);
    check1!(binding_pattern, 0.5, 1.0);
    for (x, y) in [(0.3, 0.1), (0.3, 0.9), (0.7, 0.1)] {
        let (v, (gx, gy)) = binding_patterns_more::value_and_grad(x, y);
        assert_eq!(v, binding_patterns_more(x, y));
        let w = 2.0 * x;
        let (da_x, da_y) = if x > y { (y, x) } else { (1.0, 0.0) };
        let db_x = if w <= 1.0 {
            2.0 * w * 2.0
        } else {
            2.0 * w.cos()
        };
        assert!(close(gx, da_x + db_x) && close(gy, da_y), "{gx} {gy}");
        gradcheck(
            |(x, y): &(f64, f64)| binding_patterns_more::value_and_grad(*x, *y),
            &(x, y),
        )
        .unwrap();
    }
}

#[allow(unused_labels)]
#[differentiable]
fn labelled_value(x: f64) -> f64 {
    let y = 'a: {
        if x > 1.0 {
            break 'a x * 2.0;
        }
        x * x
    };
    let z = 'b: { x * 3.0 };
    y + z
}

#[differentiable]
fn labelled_state(x: f64, n: usize) -> f64 {
    let mut s = x;
    'outer: for i in 0..n {
        for j in 0..n {
            if i + j > 3 {
                break 'outer;
            }
            if j > i {
                continue 'outer;
            }
            s = s * x + 0.5;
        }
    }
    let mut t = s;
    'blk: {
        if t > 100.0 {
            break 'blk;
        }
        t = t * 2.0;
    }
    t
}

#[test]
fn labelled_blocks_and_loops() {
    check1!(labelled_value, 1.5, 2.0 + 3.0);
    check1!(labelled_value, 0.5, 1.0 + 3.0);
    for n in [0, 1, 2, 3, 5] {
        for x in [0.7, 1.3] {
            let (v, (_, ())) = labelled_state::value_and_grad(x, n);
            assert_eq!(v, labelled_state(x, n));
            gradcheck(
                |x: &f64| {
                    let (v, (g, ())) = labelled_state::value_and_grad(*x, n);
                    (v, g)
                },
                &x,
            )
            .unwrap();
        }
    }
}

#[differentiable]
fn raw_identifiers(r#fn: f64) -> f64 {
    let r#match = r#fn * 2.0;
    let r#type = r#match.sin();
    r#type + r#fn
}

#[test]
fn raw_identifiers_are_names() {
    check1!(raw_identifiers, 0.4, 2.0 * (0.8f64).cos() + 1.0);
}

#[differentiable]
fn declared_later(x: f64) -> f64 {
    let z;
    if x > 0.0 {
        z = x * x;
    } else {
        z = -x;
    }
    let w: f64;
    match x > 1.0 {
        true => w = z * 2.0,
        false => w = z,
    }
    w + z
}

#[test]
fn let_without_a_value() {
    check1!(declared_later, 0.5, 2.0 * 0.5 * 2.0);
    check1!(declared_later, 1.5, 3.0 * 2.0 * 1.5);
    check1!(declared_later, -0.5, -2.0);
}

#[differentiable]
fn max_by_reference(x: &[f64]) -> f64 {
    let mut m = &x[0];
    for v in x.iter() {
        if *v > *m {
            m = v;
        }
    }
    *m * 2.0
}

#[test]
fn a_reassigned_reference() {
    let x = vec![0.5, 2.0, -1.0, 1.5];
    let (v, g) = max_by_reference::value_and_grad(&x);
    assert_eq!(v, max_by_reference(&x));
    assert_eq!(g, vec![0.0, 2.0, 0.0, 0.0]);
}

#[differentiable]
fn std_paths(x: f64, y: f64) -> f64 {
    f64::sqrt(x) + f64::max(x, y) + f64::powi(y, 3) + f64::exp(x)
}

#[test]
fn std_functions_by_path() {
    let (x, y) = (0.64, 0.3);
    let (v, (gx, gy)) = std_paths::value_and_grad(x, y);
    assert_eq!(v, std_paths(x, y));
    assert!(close(gx, 0.5 / x.sqrt() + 1.0 + x.exp()) && close(gy, 3.0 * y * y));
}

#[differentiable]
fn if_let_and_let_else(x: f64, #[no_grad] k: Option<f64>, #[no_grad] m: Option<usize>) -> f64 {
    let y = if let Some(k) = k { x * k } else { x };
    let Some(n) = m else {
        return y;
    };
    let mut s = y;
    let mut i = 0;
    while let Some(j) = if i < n { Some(i) } else { None } {
        s = s * x + j as f64;
        i += 1;
    }
    s
}

#[test]
fn if_let_while_let_let_else() {
    let x = 0.8;
    for (k, m) in [(Some(2.0), Some(3)), (None, Some(2)), (Some(0.5), None)] {
        let (v, (g, (), ())) = if_let_and_let_else::value_and_grad(x, k, m);
        assert_eq!(v, if_let_and_let_else(x, k, m));
        gradcheck(
            |x: &f64| {
                let (v, (g, (), ())) = if_let_and_let_else::value_and_grad(*x, k, m);
                (v, g)
            },
            &x,
        )
        .unwrap();
        let _ = g;
    }
}

#[differentiable]
fn loop_value(x: f64) -> f64 {
    let mut y = x;
    let z = loop {
        y = y * 2.0;
        if y > 10.0 {
            break y + x;
        }
    };
    z * y
}

#[test]
fn loop_as_a_value() {
    for x in [0.3, 3.0, 11.0] {
        let (v, g) = loop_value::value_and_grad(x);
        assert_eq!(v, loop_value(x));
        gradcheck(|x: &f64| loop_value::value_and_grad(*x), &x).unwrap();
        let _ = g;
    }
}

#[differentiable]
fn shadowing(x: f64) -> f64 {
    let y = x * 2.0;
    let r = {
        let y = y * y;
        let x = y + 1.0;
        x * y
    };
    let y = y + r;
    y
}

#[test]
fn shadowing_in_nested_blocks() {
    // y = 2x, r = (4x² + 1)·4x², out = 2x + 16x⁴ + 4x²: 2 + 64x³ + 8x.
    let x = 0.6;
    check1!(shadowing, x, 2.0 + 64.0 * x * x * x + 8.0 * x);
}

#[differentiable]
fn early_returns(x: f64, n: usize) -> f64 {
    let a = x * x;
    if a > 4.0 {
        return a;
    }
    let mut s = a;
    for i in 0..n {
        s = s * x;
        if s > 2.0 {
            return s + i as f64;
        }
    }
    s - a
}

#[test]
fn returns_from_branches_and_loops() {
    for x in [3.0, 1.5, 0.5] {
        for n in [0, 2, 6] {
            let (v, (_, ())) = early_returns::value_and_grad(x, n);
            assert_eq!(v, early_returns(x, n));
            gradcheck(
                |x: &f64| {
                    let (v, (g, ())) = early_returns::value_and_grad(*x, n);
                    (v, g)
                },
                &x,
            )
            .unwrap();
        }
    }
}

#[differentiable]
fn swap_in_a_loop(x: f64, n: usize) -> f64 {
    let mut a: f64 = x;
    let mut b = 1.0;
    let mut k = 0;
    loop {
        k += 1;
        if k > n {
            break;
        }
        (a, b) = (b, a);
    }
    a * 3.0 + b
}

#[differentiable]
fn rotate_in_a_loop(x: f64, y: f64, n: usize) -> f64 {
    let mut a = x;
    let mut b = y;
    let mut c = 0.5;
    for _ in 0..n {
        (a, b, c) = (b, c * 2.0, a);
    }
    a + 10.0 * b + 100.0 * c
}

#[test]
fn swaps_in_loops_hand_gradients_back_at_once() {
    // After n swaps a is x if n is even: 3x + 1, else 3 + x.
    for n in 0..5 {
        let (v, (g, ())) = swap_in_a_loop::value_and_grad(0.7, n);
        assert_eq!(v, swap_in_a_loop(0.7, n));
        assert_eq!(g, if n % 2 == 0 { 3.0 } else { 1.0 }, "n = {n}");
        let (v, (gx, gy, ())) = rotate_in_a_loop::value_and_grad(0.3, -0.4, n);
        assert_eq!(v, rotate_in_a_loop(0.3, -0.4, n));
        gradcheck(
            |(x, y): &(f64, f64)| {
                let (v, (gx, gy, ())) = rotate_in_a_loop::value_and_grad(*x, *y, n);
                (v, (gx, gy))
            },
            &(0.3, -0.4),
        )
        .unwrap();
        let _ = (gx, gy);
    }
}

/// `a` starts as an unsuffixed literal, so its float type comes from what it
/// is later assigned; the negation in the condition needs that type at once.
/// Found by the differential fuzzer (a type error inside generated code).
#[differentiable]
fn literal_start_then_negated(x: f64) -> f64 {
    let mut a = -2.5;
    for _ in 0..2 {
        a = (a * 0.75 - x) / (1.0 + (a * 0.75).abs());
    }
    let d = x * 0.5 + x / (2.0 + a.sin());
    if -d > 0.25 {
        d
    } else {
        x * d
    }
}

#[test]
fn a_literal_start_takes_the_type_of_later_values() {
    for x in [0.73, -1.5] {
        let (v, g) = literal_start_then_negated::value_and_grad(x);
        assert_eq!(v.to_bits(), literal_start_then_negated(x).to_bits());
        gradcheck(|x: &f64| literal_start_then_negated::value_and_grad(*x), &x).unwrap();
        let _ = g;
    }
}

/// A constant built from literals (`a`) meets differentiated values only
/// after a join; the negation in the condition needs its type at once.
#[differentiable]
fn constant_operand(x: f64, y: f64) -> f64 {
    let mut a = -(1.67 * 2.0 + 1.0);
    let b = 1.5;
    let d = if y <= b {
        b
    } else {
        a += 0.5 - 2.84;
        x.tanh().abs()
    };
    a = a * 0.27 - (d + x) * -x;
    if -a <= 1.5 {
        a * d
    } else {
        a
    }
}

/// A borrowed element of a constant slice, read again by the reverse sweep.
#[differentiable]
fn zipped_borrow(d: f64, xs: &[f64], #[no_grad] cs: &[f64]) -> f64 {
    let mut s = 0.0;
    for _ in 0..2 {
        for (v, w) in xs.iter().zip(cs.iter()) {
            s += w * ((d - *w) / (1.0 + (d - *w).abs()) * v.cos());
        }
    }
    s
}

/// `a = if .. { 2.0 } else { 1.25 / 1.5 }`: the constant takes `a`'s type,
/// so methods can be called on it.
#[differentiable]
fn constant_assigned(x: f64, n: usize) -> f64 {
    let mut a = x * x;
    let mut s = 0.0;
    for i in 0..n {
        s += a;
        a = if i > 2 { 2.0 } else { 1.25 / 1.5 };
        s += (a / (1.0 + a.abs())).exp() * x;
    }
    s + a
}

#[test]
fn constants_take_the_types_the_plain_function_gives_them() {
    for (x, y) in [(0.7, 0.2), (0.7, 2.0), (-1.3, 2.0)] {
        let (v, _) = constant_operand::value_and_grad(x, y);
        assert_eq!(v.to_bits(), constant_operand(x, y).to_bits());
        gradcheck(
            |&(x, y): &(f64, f64)| constant_operand::value_and_grad(x, y),
            &(x, y),
        )
        .unwrap();
    }
    let (xs, cs) = (vec![0.3, -0.8], [1.5, -0.25]);
    let (v, _) = zipped_borrow::value_and_grad(0.4, &xs, &cs);
    assert_eq!(v.to_bits(), zipped_borrow(0.4, &xs, &cs).to_bits());
    gradcheck(
        |(d, xs): &(f64, Vec<f64>)| {
            let (v, (gd, gx, _)) = zipped_borrow::value_and_grad(*d, xs, &cs);
            (v, (gd, gx))
        },
        &(0.4, xs.clone()),
    )
    .unwrap();
    for n in [0, 1, 5] {
        let x = 0.6;
        let (v, (g, ())) = constant_assigned::value_and_grad(x, n);
        assert_eq!(v.to_bits(), constant_assigned(x, n).to_bits());
        // Only the first iteration adds x² and the final `a` is x² only when n = 0.
        let e = |a: f64| (a / (1.0 + a)).exp();
        let want = match n {
            0 => 2.0 * x,
            _ => {
                2.0 * x + e(1.25 / 1.5) * (n.min(3) as f64) + e(2.0) * (n.saturating_sub(3) as f64)
            }
        };
        assert!(close(g, want), "n = {n}: {g} vs {want}");
    }
}

/// `b` starts as a literal and is assigned a differentiated value in one
/// branch: in the other, `b.tanh()` (a constant there) needs `b`'s type,
/// which the plain function has from the first branch.
#[differentiable]
fn literal_start_in_branches(x: f64, n: usize) -> f64 {
    let mut a = x * x;
    let mut b = 1.54;
    if n.is_multiple_of(2) {
        b = x - 1.0;
    } else {
        a -= b.tanh().powi(2) * x;
    }
    a + b
}

#[test]
fn a_literal_start_has_its_type_in_every_branch() {
    let x = 0.8;
    for n in [0, 1] {
        let (v, (g, ())) = literal_start_in_branches::value_and_grad(x, n);
        assert_eq!(v.to_bits(), literal_start_in_branches(x, n).to_bits());
        let want = if n == 0 {
            2.0 * x + 1.0
        } else {
            2.0 * x - 1.54f64.tanh().powi(2)
        };
        assert!(close(g, want), "n = {n}: {g} vs {want}");
    }
}

/// A match arm names a literal constant (`v`) and adds it to a
/// differentiated value; the other arm calls a method on the constant,
/// which needs its type (found by the fuzzer: case 43,711 of seed 15).
#[differentiable]
fn literal_named_by_an_arm(x: f64, start: usize) -> f64 {
    let mut a = 1.25;
    if start == 1 {
        a = 1.75;
    }
    match a {
        v if v > 1.5 => {
            a = x + v;
        }
        _ => {
            a = a.cos();
        }
    }
    a * x
}

#[test]
fn an_arm_binding_of_a_literal_has_its_type() {
    let x = 0.6;
    for (start, want) in [(0, 1.25f64.cos()), (1, 2.0 * x + 1.75)] {
        let (v, (g, ())) = literal_named_by_an_arm::value_and_grad(x, start);
        assert_eq!(v.to_bits(), literal_named_by_an_arm(x, start).to_bits());
        assert!(close(g, want), "start = {start}: {g} vs {want}");
    }
}

/// A copy of a constant element of a `zip` (`let t = w;`) holds the
/// reference, and is read as one (found by the fuzzer: case 1,166 of
/// seed 19 read it as `&&f64`).
#[differentiable]
fn copy_of_a_constant_element(x: f64, xs: &[f64], #[no_grad] cs: &[f64]) -> f64 {
    let mut a = x;
    for (v, w) in xs.iter().zip(cs.iter()) {
        let mut t = w;
        if a > 100.0 {
            t = &cs[0];
        }
        a += t / 2.0 * *v;
    }
    a
}

#[test]
fn a_copy_of_a_constant_reference_is_one_reference() {
    let (xs, cs) = ([1.0, 2.0], [3.0, 4.0]);
    let (v, (gx, gxs, ())) = copy_of_a_constant_element::value_and_grad(0.5, &xs, &cs);
    assert_eq!(
        v.to_bits(),
        copy_of_a_constant_element(0.5, &xs, &cs).to_bits()
    );
    assert_eq!(gx, 1.0);
    assert_eq!(gxs, vec![1.5, 2.0]);
}
