//! Long straight-line float bodies are emitted in chunks of functions of
//! their own (`analysis::scalar`, `emit::scalar`): the value is the plain
//! function's, bit for bit, and the gradient is the one the same body gets
//! emitted in one function, and the finite differences'.
//!
//! Each function is written three times: with the attribute (chunked),
//! with the attribute and an early `return` that never runs (which keeps
//! the body in one function), and plain. The body repeats one block that
//! calls every rule a float body can: operators with literals on either
//! side, every elementwise function, powers, `max`, `min`, `clamp`,
//! constants, copies, swaps, shadowing, compound assignment, `assert!` and
//! annotations; and it starts with a value that is NaN and never used.
//! `tests/long_bodies.py` writes the functions out.
#![allow(clippy::all, unused_variables, unused_assignments, unused_mut)]

use autograd::gradcheck;
use autograd::prelude::*;

/// Emitted in chunks.
#[differentiable]
fn two(x: f64, y: f64) -> f64 {
    let mut a = x * 0.7 + y;
    let mut b = y.cos() * x;
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f64 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f64 = s * 0.5 + a;
    b -= q_1 * 0.01;
    let t1_2 = a * b + 0.5;
    let t2_2 = (t1_2 * 0.2).sin() - b.cos() * 0.3;
    let t3_2 = (t2_2 * 0.1).exp() / (2.0 + t1_2.sin());
    let t4_2 = (1.0 + t3_2 * t3_2).sqrt() + (1.0 + a * a).ln();
    let t5_2 = (a * 0.3).tanh() * 0.9;
    let t6_2 = t5_2.asin() + t5_2.acos() * 0.5 + t5_2.atan() - t5_2.atanh() * 0.25;
    let t7_2 = (1.0 + t4_2 * t4_2).acosh() + (t4_2 * 0.3).asinh() + (t5_2 * 0.5).sinh()
        - (t5_2 * 0.5).cosh();
    let t8_2 =
        (2.0 + t6_2.sin()).recip() + (1.0 + t7_2 * t7_2).log2() * 0.1 + (1.0 + t7_2 * t7_2).log10();
    let t9_2 = (t8_2 * t8_2).ln_1p() + (t8_2 * 0.3).exp2() + (t8_2 * 0.1).exp_m1();
    let t10_2 = t9_2.cbrt() + (t9_2 * 0.2).tan() + t9_2.sigmoid() + (t9_2 + 3.0).relu() * 0.1;
    let t11_2 =
        t10_2.powi(2) * 0.1 + (1.0 + t10_2 * t10_2).powf(0.3 + b * b * 0.1) - (t10_2 - 0.1).abs();
    let t12_2 = t11_2.max(b) - t11_2.min(a * 0.5) + t11_2.clamp(-0.5, 0.75);
    let mut c_2 = 0.25;
    c_2 = c_2 * 2.0 - 0.125;
    let t13_2 = -t12_2 * c_2 + 2.0 / (3.0 + t12_2 * t12_2) - 1.5 * t12_2;
    let tmp_2 = a;
    a = (t13_2 * 0.5).tanh() + 0.1 * b;
    b = tmp_2 * 0.5 + (t13_2 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_2 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_2: f64 = s * 0.5 + a;
    b -= q_2 * 0.01;
    a + b * 0.5 + s
}

/// The same body after an early `return`: emitted in one function.
#[differentiable]
fn two_one(x: f64, y: f64) -> f64 {
    if x > 1e300 {
        return 0.0;
    }
    let mut a = x * 0.7 + y;
    let mut b = y.cos() * x;
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f64 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f64 = s * 0.5 + a;
    b -= q_1 * 0.01;
    let t1_2 = a * b + 0.5;
    let t2_2 = (t1_2 * 0.2).sin() - b.cos() * 0.3;
    let t3_2 = (t2_2 * 0.1).exp() / (2.0 + t1_2.sin());
    let t4_2 = (1.0 + t3_2 * t3_2).sqrt() + (1.0 + a * a).ln();
    let t5_2 = (a * 0.3).tanh() * 0.9;
    let t6_2 = t5_2.asin() + t5_2.acos() * 0.5 + t5_2.atan() - t5_2.atanh() * 0.25;
    let t7_2 = (1.0 + t4_2 * t4_2).acosh() + (t4_2 * 0.3).asinh() + (t5_2 * 0.5).sinh()
        - (t5_2 * 0.5).cosh();
    let t8_2 =
        (2.0 + t6_2.sin()).recip() + (1.0 + t7_2 * t7_2).log2() * 0.1 + (1.0 + t7_2 * t7_2).log10();
    let t9_2 = (t8_2 * t8_2).ln_1p() + (t8_2 * 0.3).exp2() + (t8_2 * 0.1).exp_m1();
    let t10_2 = t9_2.cbrt() + (t9_2 * 0.2).tan() + t9_2.sigmoid() + (t9_2 + 3.0).relu() * 0.1;
    let t11_2 =
        t10_2.powi(2) * 0.1 + (1.0 + t10_2 * t10_2).powf(0.3 + b * b * 0.1) - (t10_2 - 0.1).abs();
    let t12_2 = t11_2.max(b) - t11_2.min(a * 0.5) + t11_2.clamp(-0.5, 0.75);
    let mut c_2 = 0.25;
    c_2 = c_2 * 2.0 - 0.125;
    let t13_2 = -t12_2 * c_2 + 2.0 / (3.0 + t12_2 * t12_2) - 1.5 * t12_2;
    let tmp_2 = a;
    a = (t13_2 * 0.5).tanh() + 0.1 * b;
    b = tmp_2 * 0.5 + (t13_2 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_2 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_2: f64 = s * 0.5 + a;
    b -= q_2 * 0.01;
    a + b * 0.5 + s
}

/// The same body without the attribute.
fn two_plain(x: f64, y: f64) -> f64 {
    let mut a = x * 0.7 + y;
    let mut b = y.cos() * x;
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f64 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f64 = s * 0.5 + a;
    b -= q_1 * 0.01;
    let t1_2 = a * b + 0.5;
    let t2_2 = (t1_2 * 0.2).sin() - b.cos() * 0.3;
    let t3_2 = (t2_2 * 0.1).exp() / (2.0 + t1_2.sin());
    let t4_2 = (1.0 + t3_2 * t3_2).sqrt() + (1.0 + a * a).ln();
    let t5_2 = (a * 0.3).tanh() * 0.9;
    let t6_2 = t5_2.asin() + t5_2.acos() * 0.5 + t5_2.atan() - t5_2.atanh() * 0.25;
    let t7_2 = (1.0 + t4_2 * t4_2).acosh() + (t4_2 * 0.3).asinh() + (t5_2 * 0.5).sinh()
        - (t5_2 * 0.5).cosh();
    let t8_2 =
        (2.0 + t6_2.sin()).recip() + (1.0 + t7_2 * t7_2).log2() * 0.1 + (1.0 + t7_2 * t7_2).log10();
    let t9_2 = (t8_2 * t8_2).ln_1p() + (t8_2 * 0.3).exp2() + (t8_2 * 0.1).exp_m1();
    let t10_2 = t9_2.cbrt() + (t9_2 * 0.2).tan() + t9_2.sigmoid() + (t9_2 + 3.0).relu() * 0.1;
    let t11_2 =
        t10_2.powi(2) * 0.1 + (1.0 + t10_2 * t10_2).powf(0.3 + b * b * 0.1) - (t10_2 - 0.1).abs();
    let t12_2 = t11_2.max(b) - t11_2.min(a * 0.5) + t11_2.clamp(-0.5, 0.75);
    let mut c_2 = 0.25;
    c_2 = c_2 * 2.0 - 0.125;
    let t13_2 = -t12_2 * c_2 + 2.0 / (3.0 + t12_2 * t12_2) - 1.5 * t12_2;
    let tmp_2 = a;
    a = (t13_2 * 0.5).tanh() + 0.1 * b;
    b = tmp_2 * 0.5 + (t13_2 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_2 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_2: f64 = s * 0.5 + a;
    b -= q_2 * 0.01;
    a + b * 0.5 + s
}

/// Emitted in chunks.
#[differentiable]
fn one(x: f64) -> f64 {
    let mut a = x * 0.7 + 0.2;
    let mut b = (x * 0.4).cos();
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f64 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f64 = s * 0.5 + a;
    b -= q_1 * 0.01;
    a + b * 0.5 + s
}

/// The same body after an early `return`: emitted in one function.
#[differentiable]
fn one_one(x: f64) -> f64 {
    if x > 1e300 {
        return 0.0;
    }
    let mut a = x * 0.7 + 0.2;
    let mut b = (x * 0.4).cos();
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f64 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f64 = s * 0.5 + a;
    b -= q_1 * 0.01;
    a + b * 0.5 + s
}

/// The same body without the attribute.
fn one_plain(x: f64) -> f64 {
    let mut a = x * 0.7 + 0.2;
    let mut b = (x * 0.4).cos();
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f64 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f64 = s * 0.5 + a;
    b -= q_1 * 0.01;
    a + b * 0.5 + s
}

/// Emitted in chunks.
#[differentiable]
fn single(x: f32, y: f32) -> f32 {
    let mut a = x * 0.7 + y;
    let mut b = y.cos() * x;
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f32 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f32 = s * 0.5 + a;
    b -= q_1 * 0.01;
    a + b * 0.5 + s
}

/// The same body after an early `return`: emitted in one function.
#[differentiable]
fn single_one(x: f32, y: f32) -> f32 {
    if x > 1e30 {
        return 0.0;
    }
    let mut a = x * 0.7 + y;
    let mut b = y.cos() * x;
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f32 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f32 = s * 0.5 + a;
    b -= q_1 * 0.01;
    a + b * 0.5 + s
}

/// The same body without the attribute.
fn single_plain(x: f32, y: f32) -> f32 {
    let mut a = x * 0.7 + y;
    let mut b = y.cos() * x;
    let mut s = 0.0;
    let dead = (-(x * x) - 1.0).ln();
    let dead_too = dead * x;
    let t1_0 = a * b + 0.5;
    let t2_0 = (t1_0 * 0.2).sin() - b.cos() * 0.3;
    let t3_0 = (t2_0 * 0.1).exp() / (2.0 + t1_0.sin());
    let t4_0 = (1.0 + t3_0 * t3_0).sqrt() + (1.0 + a * a).ln();
    let t5_0 = (a * 0.3).tanh() * 0.9;
    let t6_0 = t5_0.asin() + t5_0.acos() * 0.5 + t5_0.atan() - t5_0.atanh() * 0.25;
    let t7_0 = (1.0 + t4_0 * t4_0).acosh() + (t4_0 * 0.3).asinh() + (t5_0 * 0.5).sinh()
        - (t5_0 * 0.5).cosh();
    let t8_0 =
        (2.0 + t6_0.sin()).recip() + (1.0 + t7_0 * t7_0).log2() * 0.1 + (1.0 + t7_0 * t7_0).log10();
    let t9_0 = (t8_0 * t8_0).ln_1p() + (t8_0 * 0.3).exp2() + (t8_0 * 0.1).exp_m1();
    let t10_0 = t9_0.cbrt() + (t9_0 * 0.2).tan() + t9_0.sigmoid() + (t9_0 + 3.0).relu() * 0.1;
    let t11_0 =
        t10_0.powi(2) * 0.1 + (1.0 + t10_0 * t10_0).powf(0.3 + b * b * 0.1) - (t10_0 - 0.1).abs();
    let t12_0 = t11_0.max(b) - t11_0.min(a * 0.5) + t11_0.clamp(-0.5, 0.75);
    let mut c_0 = 0.25;
    c_0 = c_0 * 2.0 - 0.125;
    let t13_0 = -t12_0 * c_0 + 2.0 / (3.0 + t12_0 * t12_0) - 1.5 * t12_0;
    let tmp_0 = a;
    a = (t13_0 * 0.5).tanh() + 0.1 * b;
    b = tmp_0 * 0.5 + (t13_0 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_0 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_0: f32 = s * 0.5 + a;
    b -= q_0 * 0.01;
    let t1_1 = a * b + 0.5;
    let t2_1 = (t1_1 * 0.2).sin() - b.cos() * 0.3;
    let t3_1 = (t2_1 * 0.1).exp() / (2.0 + t1_1.sin());
    let t4_1 = (1.0 + t3_1 * t3_1).sqrt() + (1.0 + a * a).ln();
    let t5_1 = (a * 0.3).tanh() * 0.9;
    let t6_1 = t5_1.asin() + t5_1.acos() * 0.5 + t5_1.atan() - t5_1.atanh() * 0.25;
    let t7_1 = (1.0 + t4_1 * t4_1).acosh() + (t4_1 * 0.3).asinh() + (t5_1 * 0.5).sinh()
        - (t5_1 * 0.5).cosh();
    let t8_1 =
        (2.0 + t6_1.sin()).recip() + (1.0 + t7_1 * t7_1).log2() * 0.1 + (1.0 + t7_1 * t7_1).log10();
    let t9_1 = (t8_1 * t8_1).ln_1p() + (t8_1 * 0.3).exp2() + (t8_1 * 0.1).exp_m1();
    let t10_1 = t9_1.cbrt() + (t9_1 * 0.2).tan() + t9_1.sigmoid() + (t9_1 + 3.0).relu() * 0.1;
    let t11_1 =
        t10_1.powi(2) * 0.1 + (1.0 + t10_1 * t10_1).powf(0.3 + b * b * 0.1) - (t10_1 - 0.1).abs();
    let t12_1 = t11_1.max(b) - t11_1.min(a * 0.5) + t11_1.clamp(-0.5, 0.75);
    let mut c_1 = 0.25;
    c_1 = c_1 * 2.0 - 0.125;
    let t13_1 = -t12_1 * c_1 + 2.0 / (3.0 + t12_1 * t12_1) - 1.5 * t12_1;
    let tmp_1 = a;
    a = (t13_1 * 0.5).tanh() + 0.1 * b;
    b = tmp_1 * 0.5 + (t13_1 * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_1 * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_1: f32 = s * 0.5 + a;
    b -= q_1 * 0.01;
    a + b * 0.5 + s
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

const POINTS: &[(f64, f64)] = &[(0.3, 0.7), (-0.4, 1.1), (1.2, -0.6), (0.05, 0.02)];

#[test]
fn two_parameters_in_f64() {
    for &(x, y) in POINTS {
        let (v, (gx, gy)) = two::value_and_grad(x, y);
        assert_eq!(
            v.to_bits(),
            two_plain(x, y).to_bits(),
            "value at ({x}, {y})"
        );
        let (w, (hx, hy)) = two_one::value_and_grad(x, y);
        assert_eq!(v.to_bits(), w.to_bits());
        assert!(
            close(gx, hx, 1e-12) && close(gy, hy, 1e-12),
            "({gx}, {gy}) vs ({hx}, {hy})"
        );
        gradcheck(|p: &(f64, f64)| two::value_and_grad(p.0, p.1), &(x, y)).unwrap();
    }
}

#[test]
fn one_parameter_in_f64() {
    for &(x, _) in POINTS {
        let (v, g) = one::value_and_grad(x);
        assert_eq!(v.to_bits(), one_plain(x).to_bits());
        let (_, h) = one_one::value_and_grad(x);
        assert!(close(g, h, 1e-12), "{g} vs {h}");
        gradcheck(|x: &f64| one::value_and_grad(*x), &x).unwrap();
    }
}

#[test]
fn two_parameters_in_f32() {
    for &(x, y) in POINTS {
        let (x, y) = (x as f32, y as f32);
        let (v, (gx, gy)) = single::value_and_grad(x, y);
        assert_eq!(v.to_bits(), single_plain(x, y).to_bits());
        let (_, (hx, hy)) = single_one::value_and_grad(x, y);
        let tol = 1e-4;
        assert!(close(gx as f64, hx as f64, tol) && close(gy as f64, hy as f64, tol));
    }
}

#[test]
fn the_long_bodies_are_chunked() {
    // A chunked body's pullback keeps a tape; one function keeps its values in place.
    for saved in [two::__AD_SAVED, one::__AD_SAVED, single::__AD_SAVED] {
        assert!(!saved.is_empty() && saved.iter().all(|l| l.ends_with("(on the tape)")));
    }
    for saved in [
        two_one::__AD_SAVED,
        one_one::__AD_SAVED,
        single_one::__AD_SAVED,
    ] {
        assert!(saved.iter().all(|l| !l.ends_with("(on the tape)")));
    }
}

#[test]
fn gradients_not_asked_for_are_not_given() {
    let (v, pullback) = two::rule(0.3, 0.7, [true, false]);
    let (gx, gy) = pullback(&1.0, 0.3, 0.7);
    assert_eq!(v, two_plain(0.3, 0.7));
    assert_eq!(gx, Some(two::grad(0.3, 0.7).0));
    assert_eq!(gy, None);
}

#[test]
fn the_gradient_scales_with_the_seed() {
    let (_, pullback) = two::vjp(0.3, 0.7);
    let (gx, gy) = pullback(&-2.5);
    let (hx, hy) = two::grad(0.3, 0.7);
    assert!(close(gx, -2.5 * hx, 1e-14) && close(gy, -2.5 * hy, 1e-14));
}
