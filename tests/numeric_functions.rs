//! Numeric functions written the way numeric crates write them (constant
//! coefficient tables, Horner and Chebyshev recurrences, Newton iterations,
//! branches on ranges, labelled loops, `loop` with a value, deferred
//! initialisation, early returns), each with only the attribute added.
//!
//! Each test checks the value against the plain function bit for bit and
//! the gradient against `gradcheck` (and a hand-derived value where one is
//! short).
#![allow(
    clippy::excessive_precision,
    clippy::needless_range_loop,
    clippy::needless_late_init,
    clippy::let_and_return
)]

use autograd::gradcheck;
use autograd::prelude::*;
use std::f64::consts::PI;

/// Checks a one-argument `f64` function at `x`.
macro_rules! check1 {
    ($f:ident, $x:expr) => {{
        let x: f64 = $x;
        let (v, _) = $f::value_and_grad(x);
        assert_eq!(v.to_bits(), $f(x).to_bits(), "{}({x})", stringify!($f));
        gradcheck(|x: &f64| $f::value_and_grad(*x), &x).unwrap();
    }};
}

const LANCZOS: [f64; 9] = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
];

/// ln Γ(x) for x > 0.5 (Lanczos, g = 7).
#[differentiable]
fn ln_gamma(x: f64) -> f64 {
    let x = x - 1.0;
    let mut a = LANCZOS[0];
    let t = x + 7.5;
    for i in 1..9 {
        a += LANCZOS[i] / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[test]
fn lanczos_ln_gamma() {
    check1!(ln_gamma, 3.7);
    // d/dx ln Γ(x) = ψ(x); ψ(1) = −γ.
    let (_, g) = ln_gamma::value_and_grad(1.0);
    assert!((g + 0.577_215_664_901_532_9).abs() < 1e-9, "{g}");
}

#[differentiable]
fn horner(x: f64) -> f64 {
    let coeffs = [1.0, -0.5, 0.25, -0.125];
    let mut r = 0.0;
    for &c in coeffs.iter().rev() {
        r = r * x + c;
    }
    r
}

#[test]
fn horner_over_a_reversed_table() {
    check1!(horner, 0.7);
    // 1 − x/2 + x²/4 − x³/8: −1/2 + x/2 − 3x²/8.
    let (_, g) = horner::value_and_grad(0.7);
    assert!((g - (-0.5 + 0.35 - 3.0 * 0.49 / 8.0)).abs() < 1e-15, "{g}");
}

#[differentiable]
fn newton_sqrt(x: f64) -> f64 {
    let mut y = x;
    for _ in 0..20 {
        y = y - (y * y - x) / (2.0 * y);
    }
    y
}

#[test]
fn newton_iteration() {
    check1!(newton_sqrt, 2.0);
    let (_, g) = newton_sqrt::value_and_grad(2.0);
    assert!((g - 0.5 / 2f64.sqrt()).abs() < 1e-12, "{g}");
}

#[differentiable]
fn softplus(x: f64) -> f64 {
    if x > 20.0 {
        x
    } else if x < -20.0 {
        x.exp()
    } else {
        (1.0 + x.exp()).ln()
    }
}

#[test]
fn branches_on_ranges() {
    for x in [-30.0, 0.3, 30.0] {
        check1!(softplus, x);
    }
}

/// Student-t log density up to the Γ terms, in both arguments.
#[differentiable]
fn student_t(x: f64, nu: f64) -> f64 {
    let half = 0.5;
    let a = (nu + 1.0) * half;
    let z = 1.0 + x * x / nu;
    -a * z.ln() - half * (nu * PI).ln()
}

#[test]
fn two_argument_density() {
    let (x, nu) = (0.7, 3.0);
    let (v, (gx, _)) = student_t::value_and_grad(x, nu);
    assert_eq!(v.to_bits(), student_t(x, nu).to_bits());
    // ∂/∂x = −(ν+1) x / (ν + x²).
    assert!((gx + (nu + 1.0) * x / (nu + x * x)).abs() < 1e-14, "{gx}");
    gradcheck(
        |&(x, nu): &(f64, f64)| student_t::value_and_grad(x, nu),
        &(x, nu),
    )
    .unwrap();
}

#[differentiable]
fn logistic_loss(w: &[f64], #[no_grad] xs: &[f64], #[no_grad] ys: &[f64]) -> f64 {
    let mut l = 0.0;
    for i in 0..ys.len() {
        let z = w[0] + w[1] * xs[i];
        l += (1.0 + (-ys[i] * z).exp()).ln();
    }
    l / ys.len() as f64
}

#[test]
fn loss_over_constant_data() {
    let (xs, ys) = ([0.5, -1.0, 2.0], [1.0, -1.0, 1.0]);
    let w = vec![0.1, 0.3];
    let (v, _) = logistic_loss::value_and_grad(&w, &xs, &ys);
    assert_eq!(v.to_bits(), logistic_loss(&w, &xs, &ys).to_bits());
    gradcheck(
        |w: &Vec<f64>| {
            let (v, (g, _, _)) = logistic_loss::value_and_grad(w, &xs, &ys);
            (v, g)
        },
        &w,
    )
    .unwrap();
}

/// A labelled `continue` and `break` out of the inner of two loops.
#[differentiable]
fn first_big_product(x: &[f64], t: f64) -> f64 {
    let mut acc = 0.0;
    'outer: for i in 0..x.len() {
        for j in 0..x.len() {
            if x[i] * x[j] > t {
                acc += x[i] * x[j];
                break 'outer;
            }
            if j > i {
                continue 'outer;
            }
            acc += 0.5 * x[j];
        }
    }
    acc
}

#[test]
fn labelled_loops() {
    let x = vec![0.3, 1.2, -0.7, 1.5];
    for t in [0.5, 2.0, 100.0] {
        let (v, _) = first_big_product::value_and_grad(&x, t);
        assert_eq!(v.to_bits(), first_big_product(&x, t).to_bits());
        gradcheck(
            |x: &Vec<f64>| {
                let (v, (g, _)) = first_big_product::value_and_grad(x, t);
                (v, g)
            },
            &x,
        )
        .unwrap();
    }
}

#[differentiable]
fn loop_with_a_value(x: f64) -> f64 {
    let mut y = x;
    let mut k = 0;
    let r = loop {
        k += 1;
        y = y * 0.5 + 1.0;
        if k >= 5 {
            break y * x;
        }
    };
    r
}

#[test]
fn break_with_a_value() {
    check1!(loop_with_a_value, 0.8);
}

/// `let` without a value, assigned in both branches, then swapped.
#[differentiable]
fn deferred(x: f64, flag: bool) -> f64 {
    let z;
    let w: f64;
    if flag {
        z = x * 2.0;
        w = z.sin();
    } else {
        z = x.exp();
        w = 1.0;
    }
    let (a, b) = (z, w);
    let (b, a) = (a, b);
    a * b + z
}

#[test]
fn deferred_initialisation_and_swap() {
    for flag in [true, false] {
        let x = 0.8;
        let (v, (g, ())) = deferred::value_and_grad(x, flag);
        assert_eq!(v.to_bits(), deferred(x, flag).to_bits());
        // flag: 2x·sin 2x + 2x, else eˣ + eˣ.
        let want = if flag {
            2.0 * (2.0 * x).sin() + 4.0 * x * (2.0 * x).cos() + 2.0
        } else {
            2.0 * x.exp()
        };
        assert!((g - want).abs() < 1e-13, "{g} vs {want}");
    }
}

#[differentiable]
fn early_return(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x.iter() {
        if v < -10.0 {
            return s;
        }
        s = s * 0.9 + v * v;
    }
    s
}

#[test]
fn return_from_inside_a_loop() {
    for x in [vec![0.3, -0.2, 0.9], vec![0.3, -20.0, 0.9]] {
        let (v, g) = early_return::value_and_grad(&x);
        assert_eq!(v.to_bits(), early_return(&x).to_bits());
        // Elements after the return get no gradient.
        if x[1] < -10.0 {
            assert_eq!(&g[1..], &[0.0, 0.0]);
        }
        gradcheck(|x: &Vec<f64>| early_return::value_and_grad(x), &x).unwrap();
    }
}

#[differentiable]
fn arms_and_guards(x: f64, n: usize) -> f64 {
    let s = match n {
        0 => x,
        1 | 2 => x * x,
        k if k > 10 => {
            let t = x.sin();
            t * t
        }
        _ => {
            let mut p = 1.0;
            for _ in 0..n {
                p *= x;
            }
            p
        }
    };
    let s2 = match s {
        v if v > 1.0 => v.ln(),
        v => v * 3.0,
    };
    s2 + s
}

#[test]
fn match_on_counts_and_on_values() {
    for n in [0, 1, 2, 5, 11] {
        for x in [0.4, 1.7] {
            let (v, _) = arms_and_guards::value_and_grad(x, n);
            assert_eq!(v.to_bits(), arms_and_guards(x, n).to_bits());
            gradcheck(
                |x: &f64| {
                    let (v, (g, ())) = arms_and_guards::value_and_grad(*x, n);
                    (v, g)
                },
                &x,
            )
            .unwrap();
        }
    }
}

// statrs' `erf_impl` shape: a table `const` passed to a helper in each arm
// of a branch whose value is a tuple.
const ERF_TABLE: &[f64] = &[1.0, 2.0, 3.0];

#[differentiable]
fn poly(z: f64, coeff: &[f64]) -> f64 {
    coeff.iter().rev().fold(0_f64, |acc, val| acc * z + val)
}

#[differentiable]
fn erf_shaped(x: f64) -> f64 {
    let (r, b) = if x < 0.75 {
        (poly(x, ERF_TABLE), 0.5)
    } else {
        (poly(x, ERF_TABLE) * 2.0, 0.25)
    };
    r * b
}

#[test]
fn a_table_constant_is_passed_again_as_it_was() {
    // 3z² + 2z + 1, halved below 0.75 and kept (×2 × 0.25) above.
    for (x, scale) in [(0.5, 0.5), (1.5, 0.5)] {
        let (v, g) = erf_shaped::value_and_grad(x);
        assert_eq!(v, erf_shaped(x));
        assert_eq!(g, (6.0 * x + 2.0) * scale);
    }
}
