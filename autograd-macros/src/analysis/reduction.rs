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
//! as in a gradient written by hand.
//!
//! On the core form a loop qualifies when:
//! - it is a `for` or `while` loop outside any other loop, that no `break`,
//!   `continue` or `return` leaves early (its body may hold branches and
//!   loops of its own);
//! - exactly one of its header parameters is differentiated, the
//!   accumulator, whose value on entry is a float literal or a value
//!   annotated `f32`/`f64`;
//! - the values derived from the accumulator in the body (the *chain*) are
//!   made only by operations that pass the gradient unchanged to it (`+`,
//!   the left side of `-`), by joins of chain values and by inner loops
//!   carrying them, and are read by nothing else; the iteration passes a
//!   chain value on as the next accumulator;
//! - every value from outside the loop whose gradient the body computes is
//!   a float, slice, `Vec`, `Tensor` or `Scalar` parameter, or the output
//!   of a rule (so that its gradient can be multiplied by a float).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::activity::{live_operands, Activity};
use super::defs::{Def, Defs, UseKind};
use crate::core::walk::{self, Cx, Read, Visitor};
use crate::core::{Body, Inst, Loop, LoopKind, Op, Operand, Term, ValueId};
use crate::signature::Signature;

/// A loop whose backward runs inside its forward.
#[derive(Clone)]
pub struct Reduction {
    /// The accumulator's header parameter.
    pub acc: ValueId,
    /// The accumulator's value at the end of an iteration (its gradient is one).
    pub back: ValueId,
    /// The accumulator after the loop.
    pub out: ValueId,
    /// Values from outside the loop whose gradients the body adds into, in order.
    pub receivers: Vec<ValueId>,
}

pub fn find(
    sig: &Signature,
    body: &Body,
    defs: &Defs,
    act: &Activity,
    phis: &HashMap<ValueId, Vec<Operand>>,
) -> HashMap<usize, Reduction> {
    let mut used_by: HashMap<ValueId, Vec<ValueId>> = HashMap::new();
    for (p, ops) in phis {
        for o in ops {
            if let Some(v) = o.value() {
                used_by.entry(v).or_default().push(*p);
            }
        }
    }
    let cx = Finder {
        sig,
        body,
        defs,
        act,
        phis,
        used_by,
    };
    let mut out = HashMap::new();
    struct Loops<'c>(Vec<&'c Inst>);
    impl<'c> Visitor<'c> for Loops<'c> {
        fn inst(&mut self, inst: &'c Inst, cx: &Cx<'c>) {
            if matches!(inst, Inst::Loop(_)) && cx.loop_depth() == 0 {
                self.0.push(inst);
            }
        }
    }
    let mut loops = Loops(Vec::new());
    walk::walk(&body.block, &mut loops);
    for inst in loops.0 {
        if let Inst::Loop(l) = inst {
            if let Some(r) = cx.reduction(inst, l) {
                out.insert(l.id, r);
            }
        }
    }
    out
}

struct Finder<'a, 'b> {
    sig: &'a Signature,
    body: &'b Body,
    defs: &'a Defs<'b>,
    act: &'a Activity,
    phis: &'a HashMap<ValueId, Vec<Operand>>,
    used_by: HashMap<ValueId, Vec<ValueId>>,
}

impl Finder<'_, '_> {
    fn reduction(&self, inst: &Inst, l: &Loop) -> Option<Reduction> {
        if matches!(l.kind, LoopKind::Loop) || self.body.regions[l.id].exited {
            return None;
        }
        let active: Vec<usize> = (0..l.carried.len())
            .filter(|i| self.body.values[l.carried[*i]].active)
            .collect();
        let [i] = active[..] else { return None };
        let acc = l.carried[i];
        if !self.is_float_init(&l.inits[i]) {
            return None;
        }
        let back = match &l.body.term {
            Term::Yield(args) => args.get(i)?.value()?,
            _ => return None,
        };
        let chain = self.chain(inst, acc)?;
        if !chain.contains(&back) {
            return None;
        }
        let receivers = self.receivers(inst, &chain)?;
        Some(Reduction {
            acc,
            back,
            out: l.outs[i],
            receivers,
        })
    }

    /// Whether the accumulator starts as a float: a float literal, a value
    /// annotated `f32`/`f64`, a float parameter, or a value computed from
    /// those by arithmetic, joins and loops (another accumulation before).
    fn is_float_init(&self, o: &Operand) -> bool {
        match o {
            Operand::Lit(t) => is_float_literal(t),
            Operand::Value(v) => self.is_float(*v, 16),
            Operand::Undef => false,
        }
    }

    fn is_float(&self, v: ValueId, fuel: usize) -> bool {
        if fuel == 0 {
            return false;
        }
        let of = |o: &Operand| match o {
            Operand::Lit(t) => is_float_literal(t),
            Operand::Value(u) => self.is_float(*u, fuel - 1),
            Operand::Undef => false,
        };
        match self.defs.info[v].def {
            Some(Def::Param(i)) => self.sig.params.get(i).is_some_and(|p| is_float_type(&p.ty)),
            Some(Def::Let(l)) => {
                if l.ty.as_ref().is_some_and(is_float_type) {
                    return true;
                }
                match &l.op {
                    Op::Const(c) => is_float_literal(&c.tokens) && c.reads.is_empty(),
                    // Every rule on floats gives a float.
                    Op::Rule { operands, .. } => operands.iter().all(of),
                    _ => false,
                }
            }
            Some(Def::Out) | Some(Def::Header(_)) => self.phis.get(&v).is_some_and(|ops| {
                let defined: Vec<&Operand> = ops
                    .iter()
                    .filter(|o| !matches!(o, Operand::Value(u) if *u == v))
                    .collect();
                !defined.is_empty() && defined.iter().take(1).all(|o| of(o))
            }),
            _ => false,
        }
    }

    /// The values derived from the accumulator, if the accumulator and they
    /// are used only as the chain allows.
    fn chain(&self, lp: &Inst, acc: ValueId) -> Option<BTreeSet<ValueId>> {
        let mut chain = BTreeSet::from([acc]);
        let mut work = vec![acc];
        while let Some(v) = work.pop() {
            for u in &self.defs.uses[v] {
                let next = match u.kind {
                    UseKind::Inst(Read::Operand(k)) => {
                        let Some(Inst::Let(l)) = self.defs.inst_at.get(&u.pos) else {
                            return None;
                        };
                        let Op::Rule { rule, operands, .. } = &l.op else {
                            return None;
                        };
                        let in_chain = operands
                            .iter()
                            .filter(|o| o.value().is_some_and(|x| chain.contains(&x) || x == v))
                            .count();
                        if !rule.passes(k) || in_chain != 1 || operands.len() != 2 {
                            return None;
                        }
                        vec![l.out]
                    }
                    UseKind::Inst(Read::Init) | UseKind::Term => {
                        self.used_by.get(&v).cloned().unwrap_or_default()
                    }
                    _ => return None,
                };
                // The loop's out is outside: the chain ends there.
                for n in next.into_iter().filter(|n| self.defs.inside(*n, lp)) {
                    if chain.insert(n) {
                        work.push(n);
                    }
                }
            }
        }
        // A join of chain values and others would mix the gradient in.
        for v in &chain {
            if *v == acc {
                continue;
            }
            if let Some(ops) = self.phis.get(v) {
                if !ops
                    .iter()
                    .all(|o| o.value().is_some_and(|x| chain.contains(&x)))
                {
                    return None;
                }
            }
        }
        Some(chain)
    }

    /// The values from outside the loop whose gradients the body computes:
    /// each must take a float factor.
    fn receivers(&self, lp: &Inst, chain: &BTreeSet<ValueId>) -> Option<Vec<ValueId>> {
        struct Lets<'c>(Vec<&'c crate::core::Let>);
        impl<'c> Visitor<'c> for Lets<'c> {
            fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
                if let Inst::Let(l) = inst {
                    self.0.push(l);
                }
            }
        }
        let Inst::Loop(l) = lp else { return None };
        let mut lets = Lets(Vec::new());
        walk::walk(&l.body, &mut lets);
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        // Gradients flow out of the body through operations and through
        // joins (a branch yielding a value from before the loop).
        let mut flows: Vec<ValueId> = Vec::new();
        for s in lets.0 {
            if self.act.contributions[s.out] == 0 {
                continue;
            }
            flows.extend(
                live_operands(self.body, &self.act.parts, s)
                    .into_iter()
                    .map(|(_, v)| v),
            );
        }
        let mut joins: Vec<ValueId> = self
            .phis
            .keys()
            .copied()
            .filter(|p| {
                self.defs.inside(*p, lp) && !chain.contains(p) && self.act.contributions[*p] > 0
            })
            .collect();
        joins.sort_unstable();
        for p in joins {
            flows.extend(
                self.phis[&p]
                    .iter()
                    .filter_map(Operand::value)
                    .filter(|v| self.body.values[*v].active),
            );
        }
        for v in flows {
            if chain.contains(&v) || self.defs.inside(v, lp) || !seen.insert(v) {
                continue;
            }
            if !self.scalable(v) {
                return None;
            }
            out.push(v);
        }
        (!out.is_empty()).then_some(out)
    }

    /// Whether the gradient of `v` can be multiplied by a float: a parameter
    /// of a float, slice, `Vec` or tensor type, or the output of a rule.
    fn scalable(&self, v: ValueId) -> bool {
        match self.defs.info[v].def {
            Some(Def::Param(i)) => self
                .sig
                .params
                .get(i)
                .is_some_and(|p| is_scalable_type(p.value_type())),
            Some(Def::Let(l)) => matches!(l.op, Op::Rule { .. }),
            _ => false,
        }
    }
}

pub fn is_float_literal(tokens: &proc_macro2::TokenStream) -> bool {
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

pub fn is_float_type(t: &syn::Type) -> bool {
    matches!(t, syn::Type::Path(p) if p.qself.is_none() && (p.path.is_ident("f64") || p.path.is_ident("f32")))
}

/// `f32`, `f64`, `[F]`, `Vec<F>`, `Tensor<..>`, `Scalar<..>` (behind any
/// number of references).
pub fn is_scalable_type(t: &syn::Type) -> bool {
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
