//! Views of parameters read inside loops (`xs.index_axis(Axis(0), t)`,
//! `w.t()`) are taken again by the reverse sweep instead of being saved:
//! only the constants they are taken at (the index `t`) are saved.

use quote::ToTokens;

use super::storage::{Here, Planner};
use super::{Place, Recompute, RecomputeKind, SaveWhat};
use crate::core::{Op, Operand, Repr, ValueId};

/// The place of `v` taken again from its definition, if that is a view of
/// parameters at constants.
pub(super) fn plan<'b>(
    pl: &mut Planner<'_, 'b>,
    v: ValueId,
    here: &Here<'b>,
    lets: &mut super::LetPlan,
) -> Option<Place> {
    if !recomputable(pl, v) {
        return None;
    }
    let l = pl.p.defs.let_of(v)?;
    let mut binds = Vec::new();
    let kind = match &l.op {
        Op::Const(c) => {
            let mut tokens = c.tokens.clone();
            if pl.p.body.values[v].repr == Repr::Unknown {
                // `&view`: the view itself (values of unknown type are read
                // through `val`, which sees through the borrow).
                // The borrow may be in parentheses (`(&w)`): taking it again
                // would borrow a local of the recomputing block.
                if let Ok(e) = syn::parse2::<syn::Expr>(tokens.clone()) {
                    if let syn::Expr::Reference(r) = crate::lower::strip_parens(&e) {
                        tokens = r.expr.to_token_stream();
                    }
                }
            }
            for u in dedup(&c.reads) {
                if pl.p.defs.is_param(u) {
                    continue;
                }
                if u != v && recomputable(pl, u) {
                    let inner = plan(pl, u, here, lets)?;
                    binds.push((u, inner));
                    continue;
                }
                let desc = format!(
                    "constant `{}` to recompute `{}`",
                    pl.p.label(u),
                    pl.p.label(v)
                );
                let s = pl.save(SaveWhat::Value(u), here, desc, false, lets);
                binds.push((u, Place::Saved(s)));
            }
            RecomputeKind::Const(tokens)
        }
        Op::Rule {
            rule,
            operands,
            consts,
        } => {
            for c in consts {
                if let Operand::Value(u) = c {
                    if pl.p.defs.is_param(*u) {
                        continue;
                    }
                    let desc = format!(
                        "constant `{}` to recompute `{}`",
                        pl.p.label(*u),
                        pl.p.label(v)
                    );
                    let s = pl.save(SaveWhat::Value(*u), here, desc, false, lets);
                    binds.push((*u, Place::Saved(s)));
                }
            }
            RecomputeKind::Rule(rule, operands.clone(), consts.clone())
        }
        _ => return None,
    };
    let id = pl.p.recomputes.len();
    pl.p.recomputes.push(Recompute { kind, binds });
    Some(Place::Recompute(id))
}

/// The place of a part of a container of parameters (`&m.layers[i]`, or a
/// field of one), taken again from the parameter: only the indices along
/// the way are saved.
pub(super) fn plan_part<'b>(
    pl: &mut Planner<'_, 'b>,
    v: ValueId,
    here: &Here<'b>,
    lets: &mut super::LetPlan,
) -> Option<Place> {
    let mut binds = Vec::new();
    let mut at = v;
    loop {
        match &pl.p.defs.let_of(at)?.op {
            Op::Part(base, part) => {
                if let crate::core::Part::Index(Operand::Value(u)) = part {
                    if !pl.p.defs.is_param(*u) && !binds.iter().any(|(b, _)| b == u) {
                        let desc = format!(
                            "index `{}` to borrow `{}` again",
                            pl.p.label(*u),
                            pl.p.label(v)
                        );
                        let s = pl.save(SaveWhat::Value(*u), here, desc, false, lets);
                        binds.push((*u, Place::Saved(s)));
                    }
                }
                at = *base;
            }
            Op::Field(base, _) if pl.p.part_chain(at) => at = *base,
            _ => break,
        }
    }
    let id = pl.p.recomputes.len();
    pl.p.recomputes.push(Recompute {
        kind: RecomputeKind::Part(v),
        binds,
    });
    Some(Place::Recompute(id))
}

fn dedup(v: &[ValueId]) -> Vec<ValueId> {
    let mut out: Vec<ValueId> = Vec::new();
    for x in v {
        if !out.contains(x) {
            out.push(*x);
        }
    }
    out
}

/// A view-like operation of parameters, at constants that are literals,
/// parameters or values that are not differentiated.
/// Whether `v` is a `const` or `static` item read whole: taken again
/// wherever the reverse sweep needs it, in or out of loops.
pub(super) fn is_const_item_value(pl: &Planner, v: ValueId) -> bool {
    match pl.p.defs.let_of(v).map(|l| &l.op) {
        Some(Op::Const(c)) => {
            c.reads.is_empty()
                && syn::parse2::<syn::Expr>(c.tokens.clone()).is_ok_and(|e| is_const_item(&e))
        }
        _ => false,
    }
}

fn recomputable(pl: &Planner, v: ValueId) -> bool {
    let p = &pl.p;
    if p.defs.is_param(v) {
        return false;
    }
    let Some(l) = p.defs.let_of(v) else {
        return false;
    };
    match &l.op {
        Op::Const(c) => {
            let Ok(e) = syn::parse2::<syn::Expr>(c.tokens.clone()) else {
                return false;
            };
            let fixed = c
                .reads
                .iter()
                .all(|u| p.defs.is_param(*u) || !p.body.values[*u].active);
            (is_view_chain(&e) && fixed) || (c.reads.is_empty() && is_const_item(&e))
        }
        Op::Rule {
            rule,
            operands,
            consts,
        } => {
            let is_param = |o: &Operand| matches!(o, Operand::Value(u) if p.defs.is_param(*u) && p.body.values[*u].repr != Repr::Unknown);
            let fixed = |o: &Operand| match o {
                Operand::Lit(_) => true,
                Operand::Value(u) => p.defs.is_param(*u) || !p.body.values[*u].active,
                Operand::Undef => false,
            };
            rule.caps.view && operands.iter().all(is_param) && consts.iter().all(fixed)
        }
        _ => false,
    }
}

/// A path to a `const` or `static` item (`COEFFS`, `consts::ERF_P`,
/// `Self::TABLE`), by the naming convention: the same value wherever it is
/// read, and of the type the user wrote (saving it would take an owned copy,
/// a `Vec` for a `&[f64]`, which a call cannot take again as it was passed).
fn is_const_item(e: &syn::Expr) -> bool {
    let syn::Expr::Path(p) = crate::lower::strip_parens(e) else {
        return false;
    };
    p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
}

/// `x.index_axis(..)`, `x.slice_axis(..)`, `x.insert_axis(..)`, `x.t()` and
/// chains of them on a variable, with arguments built from literals, paths,
/// calls of paths, ranges and arithmetic: cheap to evaluate again, and free
/// of effects.
fn is_view_chain(e: &syn::Expr) -> bool {
    match e {
        // `&x_t`, a borrow of such a view (or of a variable that is one).
        syn::Expr::Reference(r) => is_view_chain(&r.expr) || matches!(&*r.expr, syn::Expr::Path(_)),
        syn::Expr::MethodCall(m) => {
            matches!(
                m.method.to_string().as_str(),
                "index_axis" | "slice_axis" | "insert_axis" | "t"
            ) && (is_view_chain(&m.receiver) || matches!(&*m.receiver, syn::Expr::Path(_)))
                && m.args.iter().all(is_plain_arg)
        }
        syn::Expr::Paren(p) => is_view_chain(&p.expr),
        _ => false,
    }
}

/// An argument without method calls, blocks, closures or macros.
fn is_plain_arg(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Lit(_) | syn::Expr::Path(_) => true,
        syn::Expr::Call(c) => {
            matches!(&*c.func, syn::Expr::Path(_)) && c.args.iter().all(is_plain_arg)
        }
        syn::Expr::Range(r) => {
            r.start.as_deref().is_none_or(is_plain_arg) && r.end.as_deref().is_none_or(is_plain_arg)
        }
        syn::Expr::Binary(b) => is_plain_arg(&b.left) && is_plain_arg(&b.right),
        syn::Expr::Unary(u) => is_plain_arg(&u.expr),
        syn::Expr::Paren(p) => is_plain_arg(&p.expr),
        syn::Expr::Reference(r) => is_plain_arg(&r.expr),
        _ => false,
    }
}
