//! The `run` function of a case file: the plain, `value_and_grad`,
//! one-gradient-at-a-time and dual closures, and the call to `evaluate_needs`.

use super::super::ast::*;
use super::{call_args, float_lit, tensor_lets, Mode, Tamper};
use std::fmt::Write;

/// The `run` function: the three closures and the call to `evaluate`.
pub(super) fn run_fn(case: &Case, tamper: Tamper) -> String {
    let inputs: Vec<f64> = case
        .params
        .iter()
        .flat_map(|p| match p {
            Param::F64 {
                no_grad: false,
                value,
                ..
            } => vec![*value],
            Param::Slice {
                no_grad: false,
                values,
                ..
            }
            | Param::Tensor { values, .. } => values.clone(),
            _ => Vec::new(),
        })
        .collect();
    let item = if case.ret == Ret::Scalar {
        ".item()"
    } else {
        ""
    };
    let grads: Vec<(String, &Param)> = case
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("g{i}"), p))
        .collect();
    let mut pats = Vec::new();
    let mut pushes = String::new();
    for (g, p) in &grads {
        match p {
            Param::F64 { no_grad: false, .. } => {
                pats.push(g.clone());
                writeln!(pushes, "        grad.push({g});").unwrap();
            }
            Param::Slice { no_grad: false, .. } | Param::Tensor { .. } => {
                pats.push(g.clone());
                writeln!(pushes, "        grad.extend({g}.iter().copied());").unwrap();
            }
            _ => pats.push("()".to_string()),
        }
    }
    let pat = if pats.len() == 1 {
        pats[0].clone()
    } else {
        format!("({})", pats.join(", "))
    };
    let list = inputs
        .iter()
        .map(|v| float_lit(*v))
        .collect::<Vec<_>>()
        .join(", ");
    let (plain_args, dual_args) = (call_args(case, Mode::Plain), call_args(case, Mode::Dual));
    let lets = tensor_lets(case);
    let pushes = if tamper == Tamper::Gradient {
        format!("{pushes}        grad[0] += 1e-3;\n")
    } else {
        pushes
    };
    let partial = partial_fn(case, &plain_args, &lets);
    let dual_call = match tamper {
        Tamper::Oracle => format!("let mut r = f_dual({dual_args}){item}; r.d += 1e-3 * v[0].d; r"),
        _ => format!("f_dual({dual_args}){item}"),
    };
    format!(
        "pub fn run() -> Line {{
    let x: &[f64] = &[{list}];
    let plain = |v: &[f64]| -> f64 {{
{lets}        f({plain_args}){item}
    }};
    let ad = |v: &[f64]| -> (f64, Vec<f64>) {{
{lets}        let (value, {pat}) = f::value_and_grad({plain_args});
        let mut grad: Vec<f64> = Vec::new();
{pushes}        (value{item}, grad)
    }};
{partial}    let dual = |v: &[Dual]| -> Dual {{ {dual_call} }};
    evaluate_needs({id}, x, &plain, &ad, Some(&partial), Some(&dual))
}}
",
        id = case.id
    )
}

/// The `partial` closure: each differentiated parameter's gradient from
/// `f::rule` with only that parameter's asked for (the others not needed,
/// as for a helper called with constants or a tensor that does not
/// require grad), flattened like `ad`'s.
fn partial_fn(case: &Case, args: &str, lets: &str) -> String {
    let ret = match case.ret {
        Ret::F64 => "f64",
        Ret::Scalar => "Scalar<f64>",
    };
    let mut body = String::new();
    for (k, p) in case.params.iter().enumerate() {
        let zeros = match p {
            Param::F64 { no_grad: false, .. } => "vec![0.0]".to_string(),
            Param::Slice { no_grad: false, .. } | Param::Tensor { .. } => {
                format!("vec![0.0; {}]", p.width())
            }
            _ => continue,
        };
        let needs: Vec<&str> = (0..case.params.len())
            .map(|j| if j == k { "true" } else { "false" })
            .collect();
        let flat = match p {
            Param::F64 { .. } => "vec![g]",
            _ => "g.iter().copied().collect()",
        };
        writeln!(
            body,
            "        let (_, pb) = f::rule({args}, [{needs}]);
        let g: Vec<f64> = match pb(&seed, {args}).{k} {{
            Some(g) => {flat},
            None => {zeros},
        }};
        grad.extend(g);",
            needs = needs.join(", ")
        )
        .unwrap();
    }
    format!(
        "    let partial = |v: &[f64]| -> Vec<f64> {{
{lets}        let seed = <autograd::__private::IsScalar<{ret}> as autograd::__private::ScalarCheck>::seed();
        let mut grad: Vec<f64> = Vec::new();
{body}        grad
    }};
"
    )
}
