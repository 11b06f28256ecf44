//! `if`, `match`, `if let`, `let .. else`, and the join after them: every
//! variable a branch changed gets a new value, an out of the construct.

use std::collections::BTreeSet;

use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, Pat};

use super::env::Checkpoint;
use super::rename::needs_structure;
use super::{BindingId, Lowerer, Slot};
use crate::core::{Arm, Block, Const, If, Inst, Match, Operand, Origin, Repr, Term, ValueId};
use crate::names;

/// One branch, lowered from the environment before the construct.
pub struct Branch {
    pub insts: Vec<Inst>,
    /// Set when the branch jumped (it does not fall through).
    pub term: Option<Term>,
    pub value: Option<Operand>,
    /// The span of the expression `value` comes from.
    pub tail: Option<Span>,
    /// The variables declared before the construct that the branch changed.
    pub changes: Vec<(BindingId, Slot)>,
}

impl Lowerer<'_> {
    /// Lowers one branch, in a scope of its own, starting from the
    /// environment at `cp`, which it leaves as it found it.
    pub fn branch(
        &mut self,
        cp: Checkpoint,
        f: impl FnOnce(&mut Self) -> Option<Operand>,
    ) -> Branch {
        let (insts, term, (value, tail)) = self.sub_block(|l| {
            l.env.push_scope();
            l.tail_span = None;
            let v = f(l);
            l.env.pop_scope();
            (v, l.tail_span.take())
        });
        let changes = if term.is_none() {
            self.env.changes_since(cp)
        } else {
            Vec::new()
        };
        self.env.rollback(cp);
        Branch {
            insts,
            term,
            value,
            tail,
            changes,
        }
    }

    /// The join after branches: the value out (when `want`) and one out per
    /// variable some branch changed. Returns the branches' blocks, the outs,
    /// and the construct's value. `first`: the first value created by the
    /// construct (values before it are in scope after it).
    pub fn join(
        &mut self,
        branches: Vec<Branch>,
        want: bool,
        first: ValueId,
        span: Span,
        what: &str,
    ) -> (Vec<Block>, Vec<ValueId>, Option<Operand>) {
        let falling: Vec<usize> = (0..branches.len())
            .filter(|i| branches[*i].term.is_none())
            .collect();
        let mut outs = Vec::new();
        let mut yields: Vec<Vec<Operand>> = vec![Vec::new(); branches.len()];
        let mut value = None;
        if want && !falling.is_empty() {
            let ops: Vec<Operand> = falling
                .iter()
                .map(|i| branches[*i].value.clone().unwrap_or(Operand::Undef))
                .collect();
            let out = self.join_out(&ops, &format!("tmp_{what}"), false, span);
            for (i, o) in falling.iter().zip(ops) {
                yields[*i].push(o);
            }
            outs.push(out);
            value = Some(Operand::Value(out));
        }
        let changed: BTreeSet<BindingId> = falling
            .iter()
            .flat_map(|i| branches[*i].changes.iter().map(|(b, _)| *b))
            .collect();
        for b in changed {
            let before = self.env.slot(b);
            let slots: Vec<Slot> = falling
                .iter()
                .map(|i| {
                    branches[*i]
                        .changes
                        .iter()
                        .find(|(c, _)| *c == b)
                        .map(|(_, s)| *s)
                        .unwrap_or(before)
                })
                .collect();
            if slots.iter().any(|s| matches!(s, Slot::Undef)) {
                self.env.assign(b, Slot::Undef);
                continue;
            }
            let same = slots.iter().all(|s| *s == slots[0]);
            if same && slots[0].value().is_some_and(|v| v < first) {
                // Every branch leaves it the same value from before the construct.
                self.env.assign(b, slots[0]);
                continue;
            }
            let borrowed = matches!(slots[0], Slot::Value { borrowed: true, .. });
            if slots
                .iter()
                .any(|s| matches!(s, Slot::Value { borrowed: b2, .. } if *b2 != borrowed))
            {
                self.errors.push(span, format!(
                    "`{}` refers to a borrowed value in one branch and to a value in another; make both borrows (`&..`) or both values",
                    self.env.bindings[b].name
                ));
            }
            let ops: Vec<Operand> = slots
                .iter()
                .map(|s| Operand::Value(s.value().unwrap_or(0)))
                .collect();
            let name = self.env.bindings[b].name.clone();
            let out = self.join_out(&ops, &name, true, span);
            for (i, o) in falling.iter().zip(ops) {
                yields[*i].push(o);
            }
            outs.push(out);
            self.env.assign(
                b,
                Slot::Value {
                    value: out,
                    borrowed,
                },
            );
        }
        let blocks = branches
            .into_iter()
            .zip(yields)
            .map(|(br, y)| Block {
                insts: br.insts,
                term: br.term.unwrap_or(Term::Yield(y)),
                tail: br.tail,
            })
            .collect();
        (blocks, outs, value)
    }

    /// A new out joining `ops`.
    pub fn join_out(&mut self, ops: &[Operand], name: &str, user: bool, span: Span) -> ValueId {
        let active = ops.iter().any(|o| self.is_active(o));
        let reprs: Vec<Repr> = ops
            .iter()
            .filter(|o| !matches!(o, Operand::Undef))
            .map(|o| self.repr(o))
            .collect();
        let repr = match reprs.first() {
            Some(r) if reprs.iter().all(|x| x == r) => *r,
            _ => Repr::Unknown,
        };
        self.new_value(name, user, Origin::Out, repr, active, span)
    }

    /// A condition: kept whole, or lowered when it holds blocks of its own.
    fn condition(&mut self, e: &Expr) -> Option<Const> {
        if !needs_structure(e) && !self.has_rule_call(e) {
            return Some(self.renamed(e));
        }
        let o = self.value(e)?;
        Some(self.operand_const(&o))
    }

    /// An operand as constant tokens (a value's variable, or the literal).
    pub fn operand_const(&self, o: &Operand) -> Const {
        match o {
            Operand::Value(v) => {
                let id = &self.values[*v].ident;
                Const {
                    tokens: quote!(#id),
                    reads: vec![*v],
                }
            }
            Operand::Lit(t) => Const {
                tokens: t.clone(),
                reads: vec![],
            },
            Operand::Undef => Const {
                tokens: quote!(()),
                reads: vec![],
            },
        }
    }

    pub fn if_expr(&mut self, i: &syn::ExprIf, want: bool) -> Option<Operand> {
        if let Expr::Let(l) = &*i.cond {
            return self.if_let(i, l, want);
        }
        let cond = self.condition(&i.cond)?;
        if self.term.is_some() {
            return Some(Operand::Undef);
        }
        if want && i.else_branch.is_none() {
            self.errors
                .push_spanned(i, "an `if` used as a value needs an `else`");
            return None;
        }
        let cp = self.env.checkpoint();
        let first = self.values.len();
        let code0 = self.next_code;
        let then = self.branch(cp, |l| l.tail(&i.then_branch, want));
        let els = match i.else_branch.as_ref().map(|(_, e)| &**e) {
            None => self.branch(cp, |_| None),
            Some(Expr::Block(b)) => self.branch(cp, |l| l.tail(&b.block, want)),
            Some(Expr::If(inner)) => self.branch(cp, |l| l.if_expr(inner, want)),
            Some(other) => {
                self.errors.push_spanned(other, "unexpected `else` branch");
                return None;
            }
        };
        let (blocks, outs, value) = self.join(vec![then, els], want, first, i.span(), "if");
        let mut blocks = blocks.into_iter();
        let (Some(then), Some(els)) = (blocks.next(), blocks.next()) else {
            return None;
        };
        let diverges = !falls(&then) && !falls(&els);
        self.push(Inst::If(If {
            cond,
            then,
            els,
            outs,
            codes: code0..self.next_code,
        }));
        if diverges {
            self.term = Some(Term::Never);
            return Some(Operand::Undef);
        }
        Some(value.unwrap_or(Operand::Lit(quote!(()))))
    }

    /// The value of a block that must end with one when `want`.
    pub fn tail(&mut self, b: &syn::Block, want: bool) -> Option<Operand> {
        let v = self.stmts(&b.stmts, want);
        if want && v.is_none() && self.term.is_none() && self.errors.is_empty() {
            self.errors
                .push_spanned(b, "this branch must end with a value");
        }
        v
    }

    pub fn match_expr(&mut self, m: &syn::ExprMatch, want: bool) -> Option<Operand> {
        let arms: Vec<(&Pat, Option<&Expr>, &Expr)> = m
            .arms
            .iter()
            .map(|a| (&a.pat, a.guard.as_ref().map(|(_, g)| &**g), &*a.body))
            .collect();
        self.match_arms(&m.expr, &arms, want, m.span())
    }

    /// A `match` (also `if let`): arms of pattern, guard and body.
    pub fn match_arms(
        &mut self,
        scrutinee: &Expr,
        arms: &[(&Pat, Option<&Expr>, &Expr)],
        want: bool,
        span: Span,
    ) -> Option<Operand> {
        let scrut = self.scrutinee(scrutinee)?;
        if self.term.is_some() {
            return Some(Operand::Undef);
        }
        let cp = self.env.checkpoint();
        let first = self.values.len();
        let code0 = self.next_code;
        let mut heads = Vec::new();
        let mut branches = Vec::new();
        for (pat, guard, body) in arms {
            let mut head = None;
            let branch = self.branch(cp, |l| {
                let (pat_tokens, bindings) = l.arm_pattern(pat, &scrut)?;
                let guard = match guard {
                    Some(g) if needs_structure(g) => {
                        l.errors.push_spanned(g, "write the guard as a condition without blocks, or move the test into the arm");
                        None
                    }
                    Some(g) => Some(l.renamed(g)),
                    None => None,
                };
                head = Some((pat_tokens, guard, bindings));
                l.arm_body(body, want)
            });
            heads.push(head);
            branches.push(branch);
        }
        let (blocks, outs, value) = self.join(branches, want, first, span, "match");
        let mut out_arms = Vec::new();
        for (head, body) in heads.into_iter().zip(blocks) {
            let (pat, guard, bindings) = head?;
            out_arms.push(Arm {
                pat,
                guard,
                bindings,
                body,
            });
        }
        let diverges = out_arms.iter().all(|a| !falls(&a.body));
        self.push(Inst::Match(Match {
            scrutinee: scrut.tokens,
            arms: out_arms,
            outs,
            codes: code0..self.next_code,
        }));
        if diverges {
            self.term = Some(Term::Never);
            return Some(Operand::Undef);
        }
        Some(value.unwrap_or(Operand::Lit(quote!(()))))
    }

    fn arm_body(&mut self, body: &Expr, want: bool) -> Option<Operand> {
        match body {
            Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => self.tail(&b.block, want),
            e if want => self.value(e),
            e => {
                self.stmt_expr(e);
                None
            }
        }
    }

    /// `if let P = e { A } else { B }`: a `match` with the arms `P => A` and `_ => B`.
    fn if_let(&mut self, i: &syn::ExprIf, l: &syn::ExprLet, want: bool) -> Option<Operand> {
        if want && i.else_branch.is_none() {
            self.errors
                .push_spanned(i, "an `if let` used as a value needs an `else`");
            return None;
        }
        let then: Expr = Expr::Block(syn::ExprBlock {
            attrs: vec![],
            label: None,
            block: i.then_branch.clone(),
        });
        let els: Expr = match &i.else_branch {
            Some((_, e)) => (**e).clone(),
            None => syn::parse_quote!({}),
        };
        let wild: Pat = syn::parse_quote!(_);
        self.match_arms(
            &l.expr,
            &[(&l.pat, None, &then), (&wild, None, &els)],
            want,
            i.span(),
        )
    }

    /// `let P = e else { diverge };`: a `match` whose first arm passes the
    /// pattern's bindings out and whose second never falls through.
    pub fn let_else(&mut self, pat: &Pat, init: &Expr, diverge: &Expr) {
        if self.is_active_expr(init) {
            self.errors.push_spanned(
                pat,
                "`let .. else` of a differentiated value is not supported; use `match`",
            );
            return;
        }
        let scrut = self.renamed(init);
        let scrut = Scrutinee {
            tokens: scrut,
            parts: vec![],
        };
        let cp = self.env.checkpoint();
        let first = self.values.len();
        let code0 = self.next_code;
        let mut head = None;
        let mut exported = Vec::new();
        let mut bind = self.branch(cp, |l| {
            let (tokens, bindings) = l.arm_pattern(pat, &scrut)?;
            head = Some((tokens, bindings.clone()));
            exported = bindings;
            None
        });
        let names: Vec<String> = exported
            .iter()
            .map(|v| self.values[*v].user.clone())
            .collect();
        let mut other = self.branch(cp, |l| {
            l.arm_body(diverge, false);
            None
        });
        if other.term.is_none() {
            self.errors.push_spanned(diverge, "the `else` of `let .. else` must not fall through (`return`, `break`, `continue` or a panic)");
            other.term = Some(Term::Never);
        }
        let mut outs = Vec::new();
        let mut yields = Vec::new();
        for (v, name) in exported.iter().zip(&names) {
            let out = self.new_value(name, true, Origin::Out, Repr::Unknown, false, pat.span());
            outs.push(out);
            yields.push(Operand::Value(*v));
            self.env.declare(name, Slot::of(out));
        }
        bind.term = Some(Term::Yield(yields));
        let Some((tokens, bindings)) = head else {
            return;
        };
        let _ = first;
        let wild: proc_macro2::TokenStream = quote!(_);
        let arms = vec![
            Arm {
                pat: tokens,
                guard: None,
                bindings,
                body: Block {
                    insts: bind.insts,
                    term: bind.term.unwrap_or(Term::Never),
                    tail: None,
                },
            },
            Arm {
                pat: wild,
                guard: None,
                bindings: vec![],
                body: Block {
                    insts: other.insts,
                    term: other.term.unwrap_or(Term::Never),
                    tail: None,
                },
            },
        ];
        self.push(Inst::Match(Match {
            scrutinee: scrut.tokens,
            arms,
            outs,
            codes: code0..self.next_code,
        }));
    }
}

/// What a `match` looks at: the tokens the forward pass matches on, and the
/// differentiated values among them (one per element of a tuple
/// scrutinee, `None` for the elements that are constants).
pub struct Scrutinee {
    pub tokens: Const,
    pub parts: Vec<Option<ValueId>>,
}

impl Lowerer<'_> {
    /// A differentiated scrutinee is matched by reference (`match &v`, or
    /// `match (&a, &b)` for a tuple), so that matching moves nothing; its
    /// patterns test it and name it, nothing more.
    fn scrutinee(&mut self, e: &Expr) -> Option<Scrutinee> {
        if !self.is_active_expr(e) && !needs_structure(e) {
            return Some(Scrutinee {
                tokens: self.renamed(e),
                parts: vec![],
            });
        }
        let elems: Vec<&Expr> = match super::stmt::strip_parens(e) {
            Expr::Tuple(t) => t.elems.iter().collect(),
            _ => vec![e],
        };
        // `match self.bias.as_ref()`: matched as `&self.bias`, whose `Some`
        // is borrowed the same way.
        let elems: Vec<&Expr> = elems
            .into_iter()
            .map(|el| match super::stmt::strip_parens(el) {
                Expr::MethodCall(m)
                    if m.method == "as_ref"
                        && m.args.is_empty()
                        && self.is_active_expr(&m.receiver) =>
                {
                    &*m.receiver
                }
                _ => el,
            })
            .collect();
        let tuple = elems.len() != 1 || matches!(super::stmt::strip_parens(e), Expr::Tuple(_));
        let mut parts = Vec::new();
        let mut tokens = Vec::new();
        let mut reads = Vec::new();
        for el in elems {
            if self.is_active_expr(el) || needs_structure(el) {
                let o = self.value(el)?;
                let v = match o {
                    Operand::Value(v) => v,
                    other => {
                        return Some(Scrutinee {
                            tokens: self.operand_const(&other),
                            parts: vec![],
                        })
                    }
                };
                let id = &self.values[v].ident;
                reads.push(v);
                if self.values[v].active {
                    tokens.push(quote!(&#id));
                    parts.push(Some(v));
                } else {
                    // A constant computed with control flow of its own: matched as it is.
                    tokens.push(quote!(#id));
                    parts.push(None);
                }
            } else {
                let c = self.renamed(el);
                reads.extend(c.reads.iter().copied());
                tokens.push(c.tokens);
                parts.push(None);
            }
        }
        let tokens = if tuple {
            quote!((#(#tokens,)*))
        } else {
            quote!(#(#tokens)*)
        };
        Some(Scrutinee {
            tokens: Const { tokens, reads },
            parts,
        })
    }

    /// An arm's pattern: constants it binds become values; names it gives a
    /// differentiated part of the scrutinee are that part's value.
    fn arm_pattern(
        &mut self,
        pat: &Pat,
        scrut: &Scrutinee,
    ) -> Option<(proc_macro2::TokenStream, Vec<ValueId>)> {
        if scrut.parts.iter().all(Option::is_none) {
            return Some(self.pattern_bindings(pat, &[]));
        }
        let single = scrut.parts.len() == 1 && !matches!(pat, Pat::Tuple(_));
        let elems: Vec<(&Pat, Option<ValueId>)> = if single {
            vec![(pat, scrut.parts[0])]
        } else {
            match strip_pat(pat) {
                Pat::Tuple(t) if t.elems.len() == scrut.parts.len() => {
                    t.elems.iter().zip(scrut.parts.iter().copied()).collect()
                }
                Pat::Wild(_) => return Some((quote!(_), vec![])),
                other => {
                    self.errors.push_spanned(other, "match a tuple of differentiated values with a tuple pattern of the same length");
                    return None;
                }
            }
        };
        let mut aliases: Vec<(String, ValueId)> = Vec::new();
        for (p, part) in &elems {
            if let Some(v) = part {
                self.alias_names(p, *v, &mut aliases)?;
            }
        }
        let alias_names: Vec<String> = aliases.iter().map(|(n, _)| n.clone()).collect();
        let (tokens, bindings) = self.pattern_bindings(pat, &alias_names);
        for (name, v) in aliases {
            self.env.declare(&name, Slot::of(v));
        }
        Some((tokens, bindings))
    }

    /// The names a pattern on a differentiated value gives it (`v`,
    /// `v @ 0.0..=1.0`, `ref v`); literals, ranges and `_` only test it.
    fn alias_names(&mut self, p: &Pat, v: ValueId, out: &mut Vec<(String, ValueId)>) -> Option<()> {
        match p {
            Pat::Ident(pi) => {
                out.push((names::unraw(&pi.ident), v));
                if let Some((_, sub)) = &pi.subpat {
                    self.alias_names(sub, v, out)?;
                }
            }
            Pat::Wild(_) | Pat::Lit(_) | Pat::Range(_) | Pat::Path(_) => {}
            Pat::Or(o) => {
                let mut first: Option<Vec<String>> = None;
                for case in &o.cases {
                    let mut names = Vec::new();
                    self.alias_names(case, v, &mut names)?;
                    let mut n: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
                    n.sort();
                    if first.is_none() {
                        first = Some(n);
                        out.extend(names);
                    }
                }
            }
            Pat::Paren(pp) => self.alias_names(&pp.pat, v, out)?,
            // `Some(b)` of `&m.bias`: `b` borrows the value inside.
            Pat::TupleStruct(ts)
                if ts.qself.is_none()
                    && ts.path.is_ident("Some")
                    && ts.elems.len() == 1
                    && self.is_part_base(v) =>
            {
                let inner = self.borrow_part(v, crate::core::Part::Some, "some", ts.span());
                if let Operand::Value(i) = inner {
                    self.alias_names(&ts.elems[0], i, out)?;
                }
            }
            Pat::Reference(r) => self.alias_names(&r.pat, v, out)?,
            Pat::Type(t) => self.alias_names(&t.pat, v, out)?,
            other => {
                self.errors.push_spanned(
                    other,
                    "a differentiated value is matched by literals, ranges, `_` and names (`v`, `v @ 0.0..=1.0`) only; destructure constants, or compare with `if`",
                );
                return None;
            }
        }
        Some(())
    }
}

fn strip_pat(p: &Pat) -> &Pat {
    match p {
        Pat::Paren(pp) => strip_pat(&pp.pat),
        _ => p,
    }
}

/// Whether a block falls through to its construct.
pub fn falls(b: &Block) -> bool {
    matches!(b.term, Term::Yield(_))
}
