# Writes tests/long_bodies.rs (then `cargo fmt`): one block of float
# statements, repeated with its variables renamed, stamped into a chunked,
# a one-function and a plain version of each function.
#
#     python3 tests/long_bodies.py && cargo fmt
BLOCK = """\
    let t1_{k} = a * b + 0.5;
    let t2_{k} = (t1_{k} * 0.2).sin() - b.cos() * 0.3;
    let t3_{k} = (t2_{k} * 0.1).exp() / (2.0 + t1_{k}.sin());
    let t4_{k} = (1.0 + t3_{k} * t3_{k}).sqrt() + (1.0 + a * a).ln();
    let t5_{k} = (a * 0.3).tanh() * 0.9;
    let t6_{k} = t5_{k}.asin() + t5_{k}.acos() * 0.5 + t5_{k}.atan() - t5_{k}.atanh() * 0.25;
    let t7_{k} = (1.0 + t4_{k} * t4_{k}).acosh() + (t4_{k} * 0.3).asinh() + (t5_{k} * 0.5).sinh()
        - (t5_{k} * 0.5).cosh();
    let t8_{k} = (2.0 + t6_{k}.sin()).recip() + (1.0 + t7_{k} * t7_{k}).log2() * 0.1
        + (1.0 + t7_{k} * t7_{k}).log10();
    let t9_{k} = (t8_{k} * t8_{k}).ln_1p() + (t8_{k} * 0.3).exp2() + (t8_{k} * 0.1).exp_m1();
    let t10_{k} = t9_{k}.cbrt() + (t9_{k} * 0.2).tan() + t9_{k}.sigmoid() + (t9_{k} + 3.0).relu() * 0.1;
    let t11_{k} = t10_{k}.powi(2) * 0.1 + (1.0 + t10_{k} * t10_{k}).powf(0.3 + b * b * 0.1)
        - (t10_{k} - 0.1).abs();
    let t12_{k} = t11_{k}.max(b) - t11_{k}.min(a * 0.5) + t11_{k}.clamp(-0.5, 0.75);
    let mut c_{k} = 0.25;
    c_{k} = c_{k} * 2.0 - 0.125;
    let t13_{k} = -t12_{k} * c_{k} + 2.0 / (3.0 + t12_{k} * t12_{k}) - 1.5 * t12_{k};
    let tmp_{k} = a;
    a = (t13_{k} * 0.5).tanh() + 0.1 * b;
    b = tmp_{k} * 0.5 + (t13_{k} * 0.3).sin();
    let (mut a, mut b) = (b, a);
    s += t13_{k} * 0.1;
    s *= 0.9;
    assert!(s.is_finite());
    let q_{k}: {F} = s * 0.5 + a;
    b -= q_{k} * 0.01;
"""

def body(F, params, blocks, guard):
    lines = []
    if guard:
        big = "1e300" if F == "f64" else "1e30"
        lines.append(f"    if {params[0]} > {big} {{\n        return 0.0;\n    }}")
    if len(params) == 1:
        lines.append(f"    let mut a = {params[0]} * 0.7 + 0.2;")
        lines.append(f"    let mut b = ({params[0]} * 0.4).cos();")
    else:
        lines.append(f"    let mut a = {params[0]} * 0.7 + {params[1]};")
        lines.append(f"    let mut b = {params[1]}.cos() * {params[0]};")
    lines.append("    let mut s = 0.0;")
    lines.append(f"    let dead = (-({params[0]} * {params[0]}) - 1.0).ln();")
    lines.append(f"    let dead_too = dead * {params[0]};")
    for k in range(blocks):
        lines.append(BLOCK.replace("{k}", str(k)).replace("{F}", F).rstrip("\n"))
    lines.append("    a + b * 0.5 + s")
    return "\n".join(lines)

def fns(name, F, params, blocks):
    sig = ", ".join(f"{p}: {F}" for p in params)
    out = []
    for suffix, attr, guard, doc in [
        ("", "#[differentiable]\n", False, "Emitted in chunks."),
        ("_one", "#[differentiable]\n", True, "The same body after an early `return`: emitted in one function."),
        ("_plain", "", False, "The same body without the attribute."),
    ]:
        out.append(f"/// {doc}\n{attr}fn {name}{suffix}({sig}) -> {F} {{\n{body(F, params, blocks, guard)}\n}}\n")
    return "\n".join(out)

HEAD = '''//! Long straight-line float bodies are emitted in chunks of functions of
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
#![allow(
    clippy::all,
    unused_variables,
    unused_assignments,
    unused_mut
)]

use autograd::gradcheck;
use autograd::prelude::*;

'''

TAIL = '''
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

const POINTS: &[(f64, f64)] = &[(0.3, 0.7), (-0.4, 1.1), (1.2, -0.6), (0.05, 0.02)];

#[test]
fn two_parameters_in_f64() {
    for &(x, y) in POINTS {
        let (v, (gx, gy)) = two::value_and_grad(x, y);
        assert_eq!(v.to_bits(), two_plain(x, y).to_bits(), "value at ({x}, {y})");
        let (w, (hx, hy)) = two_one::value_and_grad(x, y);
        assert_eq!(v.to_bits(), w.to_bits());
        assert!(close(gx, hx, 1e-12) && close(gy, hy, 1e-12), "({gx}, {gy}) vs ({hx}, {hy})");
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
    for saved in [two_one::__AD_SAVED, one_one::__AD_SAVED, single_one::__AD_SAVED] {
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
'''

src = HEAD + fns("two", "f64", ["x", "y"], 3) + "\n" + fns("one", "f64", ["x"], 2) + "\n" + fns("single", "f32", ["x", "y"], 2) + TAIL
open(__import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "long_bodies.rs"), "w").write(src)
