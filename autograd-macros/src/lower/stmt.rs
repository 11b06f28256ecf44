//! Statements: `let`, assignments (plain, compound, destructuring), checks.

use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Pat};

use super::rename::is_compound;
use super::{Lowerer, Slot};
use crate::core::{Const, Inst, Let, Op, Operand, Origin, Repr};
use crate::names;

impl Lowerer<'_> {
    /// Lowers statements into the current block; returns the value of the
    /// tail expression when `want`. Statements after a jump are dead code
    /// and not lowered.
    pub fn stmts(&mut self, stmts: &[syn::Stmt], want: bool) -> Option<Operand> {
        let n = stmts.len();
        for (i, stmt) in stmts.iter().enumerate() {
            if self.term.is_some() {
                return Some(Operand::Undef);
            }
            let last = i + 1 == n;
            match stmt {
                // An empty statement (`;`).
                syn::Stmt::Expr(Expr::Verbatim(t), _) if t.is_empty() => {}
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Expr(e, None) if last && want => {
                    let v = self.value(e);
                    self.tail_span = Some(e.span());
                    return v;
                }
                syn::Stmt::Expr(e, _) => self.stmt_expr(e),
                syn::Stmt::Macro(m) => self.check_macro(&m.mac),
                // Reported by the checks.
                syn::Stmt::Item(_) => {}
            }
        }
        if self.term.is_some() {
            Some(Operand::Undef)
        } else {
            None
        }
    }

    /// An expression in statement position.
    pub fn stmt_expr(&mut self, e: &Expr) {
        match e {
            Expr::If(i) => {
                self.if_expr(i, false);
            }
            Expr::Match(m) => {
                self.match_expr(m, false);
            }
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                self.loop_expr(e, false);
            }
            Expr::Assign(a) => self.assign(&a.left, &a.right, e.span()),
            Expr::Binary(b) if is_compound(&b.op) => {
                self.compound(&b.left, &b.op, &b.right, e.span())
            }
            Expr::Break(b) => self.jump(
                true,
                b.label.as_ref(),
                b.expr.as_deref(),
                b.break_token.span,
            ),
            Expr::Continue(c) => self.jump(false, c.label.as_ref(), None, c.continue_token.span),
            Expr::Return(r) => self.ret(r),
            Expr::Block(b) if b.label.is_some() => {
                self.labelled(b, false);
            }
            Expr::Block(b) => {
                self.env.push_scope();
                self.stmts(&b.block.stmts, false);
                self.env.pop_scope();
            }
            Expr::Macro(m) => self.check_macro(&m.mac),
            Expr::Paren(p) => self.stmt_expr(&p.expr),
            _ => {
                let _ = self.value(e);
            }
        }
    }

    fn local(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        let Some(init) = &local.init else {
            self.declare_undefined(&local.pat);
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.let_else(pat, &init.expr, diverge);
            return;
        }
        self.bind_pattern(pat, ty, &init.expr);
    }

    /// `let y;` (or `let (a, b);`): names without values yet.
    fn declare_undefined(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(pi) if pi.subpat.is_none() => {
                self.env.declare(&names::unraw(&pi.ident), Slot::Undef);
            }
            Pat::Type(pt) => match &*pt.pat {
                Pat::Ident(pi) if pi.subpat.is_none() => {
                    let b = self.env.declare(&names::unraw(&pi.ident), Slot::Undef);
                    let ty = (*pt.ty).clone();
                    self.env.bindings[b].declared = Some(ty);
                }
                p => self.declare_undefined(p),
            },
            Pat::Paren(p) => self.declare_undefined(&p.pat),
            Pat::Tuple(t) => t.elems.iter().for_each(|p| self.declare_undefined(p)),
            Pat::Wild(_) => {}
            other => self
                .errors
                .push_spanned(other, "declare plain names without a value: `let y;`"),
        }
    }

    /// The variable an assignment changes.
    fn target(&mut self, lhs: &Expr) -> Option<super::BindingId> {
        let mut inner = lhs;
        while let Expr::Paren(p) = inner {
            inner = &p.expr;
        }
        if let Expr::Path(p) = inner {
            if let Some(id) = p.path.get_ident().filter(|_| p.qself.is_none()) {
                if let Some(b) = self.env.lookup(&names::unraw(id)) {
                    if b < self.params.len() {
                        self.errors.push_spanned(
                            lhs,
                            "a parameter cannot be assigned; bind a new variable: `let mut y = x;`",
                        );
                        return None;
                    }
                    return Some(b);
                }
            }
        }
        self.errors.push_spanned(
            lhs,
            "only assignments to local variables (`y = ..`, `y += ..`, `(a, b) = (b, a)`) are supported in a #[differentiable] function",
        );
        None
    }

    fn assign(&mut self, lhs: &Expr, rhs: &Expr, span: Span) {
        match strip_parens(lhs) {
            Expr::Tuple(_) => {
                // Every value on the right first, then the assignments:
                // `(a, b) = (b, a)` swaps.
                let Some(tree) = self.tree(rhs) else { return };
                self.assign_tree(lhs, tree);
            }
            Expr::Infer(_) => {
                let _ = self.value(rhs);
            }
            _ => {
                let Some(b) = self.target(lhs) else { return };
                let Some(value) = self.value(rhs) else {
                    return;
                };
                let borrowed = self.borrows(rhs, &value);
                self.set(b, value, borrowed, span);
            }
        }
    }

    /// Makes a variable name a new value (a literal becomes a value of its own).
    pub fn set(&mut self, b: super::BindingId, value: Operand, borrowed: bool, span: Span) {
        let name = self.env.bindings[b].name.clone();
        // `let u: f64;` then `u = ..`: the value has the declared type.
        let declared = match self.env.slot(b) {
            Slot::Undef => self.env.bindings[b].declared.clone(),
            _ => None,
        }
        .filter(|t| !matches!(t, syn::Type::Reference(_)) && !borrowed);
        let slot = match value {
            Operand::Undef => return,
            Operand::Value(v) => {
                self.name_value(v, &name);
                self.tie_constant(b, v, borrowed);
                if let Some(t) = &declared {
                    self.check_type(v, t);
                }
                Slot::Value { value: v, borrowed }
            }
            Operand::Lit(tokens) => {
                // Of the variable's type, as in the user's code.
                let (tokens, reads) = match self.env.slot(b) {
                    Slot::Value {
                        value: prev,
                        borrowed: false,
                    } => {
                        let id = &self.values[prev].ident;
                        let rt = crate::names::runtime();
                        (quote!(#rt::same_type(&#id, #tokens)), vec![prev])
                    }
                    _ => (tokens, vec![]),
                };
                let v = self.new_value(&name, true, Origin::Let, Repr::Owned, false, span);
                self.push(Inst::Let(Let {
                    out: v,
                    op: Op::Const(Const { tokens, reads }),
                    ty: declared,
                    span,
                }));
                Slot::of(v)
            }
        };
        self.env.assign(b, slot);
    }

    /// `{ let _: &T = &v; }`: the user wrote the type of `v`'s variable.
    pub fn check_type(&mut self, v: crate::core::ValueId, t: &syn::Type) {
        let id = &self.values[v].ident;
        self.push(Inst::Check(Const {
            tokens: quote!({ let _: &#t = &#id; }),
            reads: vec![v],
        }));
    }

    /// `a = v` where `a` had a value: in the user's code the assignment
    /// links the two types, where rustc reads it. A new value has no such
    /// link, so say it, `tie(&a, &a_2);`, where the link can matter: a
    /// constant assigned (an unsuffixed `2.0` or `if c { 2.0 } else { 0.5 }`
    /// becomes `f64`), or a variable started with a literal (`let mut b =
    /// 1.5;` assigned `x - 1.0` in one branch is `f64` in the next branch,
    /// where `b.tanh()` needs to know it).
    fn tie_constant(&mut self, b: super::BindingId, v: crate::core::ValueId, borrowed: bool) {
        let Slot::Value {
            value: prev,
            borrowed: false,
        } = self.env.slot(b)
        else {
            return;
        };
        let literal_start = !self.values[prev].active && self.values[prev].repr == Repr::Owned;
        if borrowed || prev == v || (self.values[v].active && !literal_start) {
            return;
        }
        let (p, n) = (&self.values[prev].ident, &self.values[v].ident);
        let rt = crate::names::runtime();
        self.push(Inst::Check(Const {
            tokens: quote!(#rt::tie(&#p, &#n)),
            reads: vec![prev, v],
        }));
    }

    fn compound(&mut self, lhs: &Expr, op: &BinOp, rhs: &Expr, span: Span) {
        let Some(b) = self.target(lhs) else { return };
        let current = match self.env.slot(b) {
            Slot::Value { value, .. } => value,
            Slot::Undef => {
                self.errors
                    .push_spanned(lhs, "this variable has no value yet");
                return;
            }
        };
        let (name, binop): (&str, BinOp) = match op {
            BinOp::AddAssign(_) => ("add", BinOp::Add(Default::default())),
            BinOp::SubAssign(_) => ("sub", BinOp::Sub(Default::default())),
            BinOp::MulAssign(_) => ("mul", BinOp::Mul(Default::default())),
            BinOp::DivAssign(_) => ("div", BinOp::Div(Default::default())),
            BinOp::RemAssign(_) => ("rem", BinOp::Rem(Default::default())),
            BinOp::BitXorAssign(_) => ("bitxor", BinOp::BitXor(Default::default())),
            BinOp::BitAndAssign(_) => ("bitand", BinOp::BitAnd(Default::default())),
            BinOp::BitOrAssign(_) => ("bitor", BinOp::BitOr(Default::default())),
            BinOp::ShlAssign(_) => ("shl", BinOp::Shl(Default::default())),
            BinOp::ShrAssign(_) => ("shr", BinOp::Shr(Default::default())),
            _ => return,
        };
        if !self.values[current].active && !self.is_active_expr(rhs) {
            // A counter or another constant: the update as written.
            let e: Expr = syn::parse_quote!((#lhs) #binop (#rhs));
            let c = self.renamed(&e);
            let v = self.new_value(
                &self.env.bindings[b].name.clone(),
                true,
                Origin::Let,
                self.const_repr(&e),
                false,
                span,
            );
            self.push(Inst::Let(Let {
                out: v,
                op: Op::Const(c),
                ty: None,
                span,
            }));
            self.env.assign(b, Slot::of(v));
            return;
        }
        let Some(rule) = crate::table::operator(name) else {
            self.errors.push_spanned(
                op,
                format!(
                    "the operator `{}` has no derivative rule; use `+=`, `-=`, `*=` or `/=`",
                    quote!(#op)
                ),
            );
            return;
        };
        let Some(r) = self.value(rhs) else { return };
        self.integer_in_float_arithmetic(rhs, &Operand::Value(current));
        let value = self.rule(rule, vec![Operand::Value(current), r], vec![], span);
        self.set(b, value, false, span);
    }

    /// `assert!`-style checks read values without changing them.
    pub fn check_macro(&mut self, mac: &syn::Macro) {
        if !crate::check::is_check(mac) {
            // Reported by the checks.
            return;
        }
        let args = match mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        {
            Ok(a) => a,
            Err(e) => {
                self.errors.push_error(e);
                return;
            }
        };
        let mut reads = Vec::new();
        let mut parts = Vec::new();
        for a in &args {
            // `name = value`: a named argument of a format string, not an assignment.
            let (named, a) = match a {
                Expr::Assign(n) if matches!(&*n.left, Expr::Path(p) if p.path.get_ident().is_some()) =>
                {
                    let name = &n.left;
                    (Some(quote!(#name =)), &*n.right)
                }
                other => (None, other),
            };
            let c = self.renamed(a);
            reads.extend(c.reads);
            let tokens = c.tokens;
            parts.push(quote!(#named #tokens));
        }
        let mut path = mac.path.clone();
        names::fix_relative_path(&mut path);
        self.push(Inst::Check(Const {
            tokens: quote!(#path!(#(#parts),*)),
            reads,
        }));
    }
}

/// The expression inside any parentheses.
pub fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        _ => e,
    }
}
