//! Reduction loops: loops whose iterations only add into one float.
//!
//! In a loop like
//!
//! ```text
//! let mut s = 0.0;
//! for i in 0..n {
//!     let a = x[i];
//!     s += a * a;
//! }
//! ```
//!
//! the gradient of `s` passes through every `s += e` unchanged, so every
//! iteration's backward sees the same output gradient `ds`, whatever order
//! the iterations are reversed in. And since `s` is a float, what each
//! iteration adds into `dx` is `ds` times what it adds for `ds = 1`. So the
//! iteration's backward can run right after its forward, for `ds = 1`, into
//! a gradient kept for the backward pass, which multiplies it by the real
//! `ds` (when that is not one). The reverse sweep does not iterate at all,
//! as in a gradient written by hand: a straight-line body reads its values
//! in place and saves nothing; branches and inner loops save what they need
//! as usual, and the iteration's backward pops it again at once, so the
//! stacks never grow past one iteration.
//!
//! A loop qualifies when, syntactically:
//! - it is a `for` or `while` loop outside any other loop, that no `break`,
//!   `continue` or `return` leaves early (its body may hold branches and
//!   loops of its own);
//! - the only differentiated variable it assigns that lives on after an
//!   iteration is one accumulator `s`, declared from a float literal or with
//!   an `f32`/`f64` annotation, assigned only by `s = s + e`, `s = e + s` or
//!   `s = s - e` (`s += e`, `s -= e`), anywhere in the body, and read by
//!   nothing else there;
//! - every other variable whose gradient the body adds into is a parameter
//!   of a float, slice, `Vec`, `Tensor` or `Scalar` type, or a value computed
//!   by an operation with a derivative rule (a float or a tensor), so that
//!   its gradient can be multiplied by a float.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{for_each_op, Body, Op, OpStmt, Operand, Stmt, VarId};
use crate::parse::Signature;

/// A loop whose backward runs inside its forward.
#[derive(Clone)]
pub struct Reduction {
    /// The accumulator.
    pub acc: VarId,
    /// Variables declared outside the loop whose gradients the body adds
    /// into (other than the accumulator), in order.
    pub receivers: Vec<VarId>,
    /// Variables declared in the body.
    pub locals: BTreeSet<VarId>,
}

/// The reduction loops of a body, by loop id. `revs` gives, for a
/// statement, the operands whose gradients its backward computes.
pub fn find(
    sig: &Signature,
    body: &Body,
    contributions: &[usize],
    revs: &dyn Fn(&OpStmt) -> Vec<(usize, VarId)>,
) -> BTreeMap<usize, Reduction> {
    let mut out = BTreeMap::new();
    let cx = Finder {
        sig,
        body,
        contributions,
        revs,
    };
    for s in &body.stmts {
        cx.visit(s, &mut out);
    }
    out
}

struct Finder<'a> {
    sig: &'a Signature,
    body: &'a Body,
    contributions: &'a [usize],
    revs: &'a dyn Fn(&OpStmt) -> Vec<(usize, VarId)>,
}

impl Finder<'_> {
    /// Looks for qualifying loops among the statements outside every loop.
    fn visit(&self, s: &Stmt, out: &mut BTreeMap<usize, Reduction>) {
        match s {
            Stmt::If { then, els, .. } => {
                for s in then.iter().chain(els) {
                    self.visit(s, out);
                }
            }
            Stmt::Match { arms, .. } => {
                for s in arms.iter().flat_map(|a| &a.body) {
                    self.visit(s, out);
                }
            }
            Stmt::Loop {
                id,
                kind,
                body,
                loop_depth: 0,
            } if !matches!(kind, crate::ir::LoopKind::Loop) => {
                if let Some(r) = self.reduction(*id, body) {
                    out.insert(*id, r);
                }
            }
            _ => {}
        }
    }

    fn reduction(&self, id: usize, body: &[Stmt]) -> Option<Reduction> {
        let mut ops = Vec::new();
        let mut locals = BTreeSet::new();
        if !collect(body, id, &mut ops, &mut locals) {
            return None;
        }
        // The one differentiated variable carried from one iteration to the next.
        let carried: BTreeSet<VarId> = ops
            .iter()
            .map(|s| s.out)
            .filter(|v| !locals.contains(v) && self.body.vars[*v].is_active())
            .collect();
        let acc = match carried.iter().collect::<Vec<_>>()[..] {
            [acc] => *acc,
            _ => return None,
        };
        if self.body.vars[acc].param.is_some() || !self.is_float_accumulator(acc) {
            return None;
        }
        for s in &ops {
            if s.out == acc {
                if !is_accumulation(s, acc) {
                    return None;
                }
            } else if reads(s).contains(&acc) {
                return None;
            }
        }
        let mut receivers = Vec::new();
        for s in &ops {
            if !self.body.vars[s.out].is_active() || self.contributions[s.out] == 0 {
                continue;
            }
            for (_, v) in (self.revs)(s) {
                if v == acc || locals.contains(&v) || receivers.contains(&v) {
                    continue;
                }
                if !self.scalable(v) {
                    return None;
                }
                receivers.push(v);
            }
        }
        if receivers.is_empty() {
            return None;
        }
        Some(Reduction {
            acc,
            receivers,
            locals,
        })
    }

    /// Declared outside the loop from a float literal (`let mut s = 0.0;`)
    /// or with an `f32`/`f64` annotation.
    fn is_float_accumulator(&self, acc: VarId) -> bool {
        let mut decl = None;
        for_each_op(&self.body.stmts, &mut |s| {
            if s.out == acc && s.declare {
                decl = Some((
                    matches!(&s.op, Op::Constant(t) if is_float_literal(t)),
                    s.ty.as_ref().is_some_and(is_float_type),
                ));
            }
        });
        matches!(decl, Some((true, _)) | Some((_, true)))
    }

    /// Whether the gradient of `v` is a float, a `Vec` or an array (so it can
    /// be multiplied by a float): a parameter of such a type, or a value
    /// every assignment of which is an operation with a derivative rule.
    fn scalable(&self, v: VarId) -> bool {
        let var = &self.body.vars[v];
        if var.projection.is_some() {
            return false;
        }
        if let Some(i) = var.param {
            return self
                .sig
                .params
                .get(i)
                .is_some_and(|p| is_scalable_type(p.value_type()));
        }
        let mut all_rules = true;
        let mut any = false;
        for_each_op(&self.body.stmts, &mut |s| {
            if s.out == v {
                any = true;
                all_rules &= matches!(s.op, Op::Rule { .. });
            }
        });
        any && all_rules
    }
}

/// Collects the operations of a loop body (nested blocks included) and the
/// variables it declares; `false` if the body leaves the loop (`break` or
/// `continue` of loop `id`, `return`).
fn collect<'s>(
    stmts: &'s [Stmt],
    id: usize,
    ops: &mut Vec<&'s OpStmt>,
    locals: &mut BTreeSet<VarId>,
) -> bool {
    stmts.iter().all(|s| match s {
        Stmt::Op(op) => {
            if op.declare {
                locals.insert(op.out);
            }
            ops.push(op);
            true
        }
        Stmt::Declare { var } => {
            locals.insert(*var);
            true
        }
        Stmt::Bind { vars, .. } => {
            locals.extend(vars.iter().copied());
            true
        }
        Stmt::If { then, els, .. } => {
            collect(then, id, ops, locals) && collect(els, id, ops, locals)
        }
        Stmt::Match { arms, .. } => arms.iter().all(|a| collect(&a.body, id, ops, locals)),
        Stmt::Loop { body, .. } => collect(body, id, ops, locals),
        Stmt::Jump { loop_id, .. } => *loop_id != id,
        Stmt::Return { .. } => false,
    })
}

/// `acc = acc + e`, `acc = e + acc` or `acc = acc - e`, with `e` not `acc`.
fn is_accumulation(s: &OpStmt, acc: VarId) -> bool {
    let Op::Rule { rule, operands, .. } = &s.op else {
        return false;
    };
    let is = |o: Option<&Operand>| matches!(o, Some(Operand::Var(v)) if *v == acc);
    let (a, b) = (operands.first(), operands.get(1));
    if operands.len() != 2 || s.declare {
        return false;
    }
    match rule.name {
        "add" => is(a) != is(b),
        "sub" => is(a) && !is(b),
        _ => false,
    }
}

/// The variables a statement reads (operands, constants, call arguments).
fn reads(s: &OpStmt) -> Vec<VarId> {
    let vars = |ops: &[Operand]| -> Vec<VarId> {
        ops.iter()
            .filter_map(|o| match o {
                Operand::Var(v) => Some(*v),
                Operand::Literal(_) => None,
            })
            .collect()
    };
    match &s.op {
        Op::Rule {
            operands, consts, ..
        } => {
            let mut v = vars(operands);
            v.extend(vars(consts));
            v
        }
        Op::Call { args, .. } => {
            let ops: Vec<Operand> = args.iter().map(|a| a.operand.clone()).collect();
            vars(&ops)
        }
        Op::Copy(o) => vars(std::slice::from_ref(o)),
        Op::Field(base, _) => vec![*base],
        // A constant expression names no differentiated variable (that
        // would make it differentiated).
        Op::Constant(_) => vec![],
    }
}

fn is_float_literal(tokens: &proc_macro2::TokenStream) -> bool {
    let Ok(mut e) = syn::parse2::<syn::Expr>(tokens.clone()) else {
        return false;
    };
    loop {
        e = match e {
            syn::Expr::Paren(p) => *p.expr,
            syn::Expr::Unary(syn::ExprUnary {
                op: syn::UnOp::Neg(_),
                expr,
                ..
            }) => *expr,
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Float(_),
                ..
            }) => return true,
            _ => return false,
        }
    }
}

fn is_float_type(t: &syn::Type) -> bool {
    matches!(t, syn::Type::Path(p) if p.qself.is_none() && (p.path.is_ident("f64") || p.path.is_ident("f32")))
}

/// `f32`, `f64`, `[F]`, `Vec<F>`, `Tensor<..>`, `Scalar<..>` (behind any
/// number of references).
fn is_scalable_type(t: &syn::Type) -> bool {
    match t {
        syn::Type::Reference(r) => is_scalable_type(&r.elem),
        syn::Type::Paren(p) => is_scalable_type(&p.elem),
        syn::Type::Slice(s) => is_float_type(&s.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            match last.ident.to_string().as_str() {
                "f32" | "f64" => p.path.segments.len() == 1,
                "Tensor" | "Scalar" => true,
                "Vec" => match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .any(|g| matches!(g, syn::GenericArgument::Type(t) if is_float_type(t))),
                    _ => false,
                },
                _ => false,
            }
        }
        _ => false,
    }
}
