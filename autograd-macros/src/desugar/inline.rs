//! Closures, differentiated as if inlined: a closure bound with `let` and
//! called (`let sq = |v: f64| v * v; sq(x)`), or passed to an iterator
//! adapter (`.map(|v| v * w)`), becomes a block binding its parameters to
//! the arguments, then its body.
//!
//! A closure bound with `let` reads the variables it captures as they were
//! where it was defined: each captured variable is named again there
//! (`let __ad_cap0_w = w;`, which in the single-assignment core names the
//! same value and copies nothing), and the body reads that name, so
//! shadowing or changing `w` before the call changes nothing, as in Rust. Closures
//! that change what they capture, or hold `return`, are refused.

use std::rc::Rc;

use quote::format_ident;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt};

use super::chain::Elem;
use super::scope::{assigned_names, free_names, has_return, mentions, pat_names, single_ident};
use crate::errors::Errors;
use crate::lower::strip_parens;

/// What a name in scope is.
#[derive(Clone)]
pub enum Name {
    Local,
    /// A closure bound with `let`, its captures already redirected.
    Closure(Rc<syn::ExprClosure>),
}

pub struct Desugarer<'e> {
    scopes: Vec<Vec<(String, Name)>>,
    next: usize,
    /// The type a `let` gives the expression being rewritten (`let s: f64 = ..`).
    pub hint: Option<syn::Type>,
    /// The function's float type parameters (`T: num_traits::Float`).
    pub floats: Vec<syn::Ident>,
    pub errors: &'e mut Errors,
}

impl<'e> Desugarer<'e> {
    pub fn new(params: Vec<String>, errors: &'e mut Errors) -> Self {
        Desugarer {
            scopes: vec![params.into_iter().map(|p| (p, Name::Local)).collect()],
            next: 0,
            hint: None,
            floats: Vec::new(),
            errors,
        }
    }

    /// A fresh identifier, `__ad_<what><n>`.
    pub fn fresh(&mut self, what: &str, span: proc_macro2::Span) -> syn::Ident {
        self.next += 1;
        format_ident!("__ad_{}{}", what, self.next, span = span)
    }

    pub fn open(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub fn close(&mut self) {
        self.scopes.pop();
    }

    pub fn declare_pat(&mut self, p: &Pat) {
        let mut names = Vec::new();
        pat_names(p, &mut names);
        if let Some(s) = self.scopes.last_mut() {
            s.extend(names.into_iter().map(|n| (n, Name::Local)));
        }
    }

    fn lookup(&self, name: &str) -> Option<&Name> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, k)| k)
    }

    /// The closure a path names, if it is a local one.
    pub fn local_closure(&self, f: &Expr) -> Option<Rc<syn::ExprClosure>> {
        match self.lookup(&single_ident(strip_parens(f))?) {
            Some(Name::Closure(c)) => Some(c.clone()),
            _ => None,
        }
    }

    /// `let name = |..| ..;`: remembered with its captures taken where it
    /// stands; the statements that take them are returned.
    fn define_closure(&mut self, name: String, c: &syn::ExprClosure) -> Option<Vec<Stmt>> {
        if !self.closure_is_inlinable(c, true) {
            return None;
        }
        let mut params = Vec::new();
        for p in &c.inputs {
            pat_names(p, &mut params);
        }
        let mut takes = Vec::new();
        let mut caps = Vec::new();
        for n in free_names(&c.body, &params) {
            if matches!(self.lookup(&n), Some(Name::Local)) {
                let cap = self.fresh(&format!("cap_{n}_"), c.span());
                let ident = crate::names::user(&n, c.span());
                takes.push(syn::parse_quote_spanned!(c.span() => let #cap = #ident;));
                caps.push((n, cap));
            }
        }
        let mut c = c.clone();
        super::scope::replace_free(&mut c.body, &params, &|n, at| {
            caps.iter()
                .find(|(c, _)| c == n)
                .map(|(_, cap)| syn::parse_quote_spanned!(at => #cap))
        });
        // Calls to closures defined before resolve here, where this one is defined.
        self.open();
        for p in &c.inputs {
            self.declare_pat(p);
        }
        self.expr(&mut c.body);
        self.close();
        if let Some(s) = self.scopes.last_mut() {
            s.push((name, Name::Closure(Rc::new(c))));
        }
        Some(takes)
    }

    /// Refuses (with an error) a closure that returns early or, when it is
    /// bound to a name (`bound`), changes what it captures; one passed to an
    /// adapter runs where it stands, so it may (`.for_each(|v| t += v)`).
    pub fn closure_is_inlinable(&mut self, c: &syn::ExprClosure, bound: bool) -> bool {
        if has_return(&c.body) {
            self.errors.push_spanned(
                c.or1_token,
                "`return` inside a closure is not supported in a #[differentiable] function; make the value the closure's last expression",
            );
            return false;
        }
        if !bound {
            return true;
        }
        let mut params = Vec::new();
        for p in &c.inputs {
            pat_names(p, &mut params);
        }
        let free = free_names(&c.body, &params);
        if let Some(n) = assigned_names(&c.body)
            .into_iter()
            .find(|n| free.contains(n))
        {
            self.errors.push_spanned(
                c.or1_token,
                format!("a closure that changes a variable it captures (`{n}`) is not supported in a #[differentiable] function; write the loop with `for`"),
            );
            return false;
        }
        true
    }

    /// `f(args)` for a closure or a function path `f`, as an expression:
    /// a closure's parameters bound to the arguments, then its body.
    pub fn apply(&mut self, f: &Expr, args: Vec<(Elem, bool)>) -> Option<Expr> {
        // A closure written here is rewritten here; a local one was where it was defined.
        let (closure, fresh) = match strip_parens(f) {
            Expr::Closure(c) => {
                if !self.closure_is_inlinable(c, false) {
                    return None;
                }
                (Rc::new(c.clone()), true)
            }
            other => match self.local_closure(other) {
                Some(c) => (c, false),
                None => {
                    // A function: `f64::sqrt`, a #[differentiable] fn.
                    let exprs: Option<Vec<Expr>> =
                        args.into_iter().map(|(a, r)| a.expr(r)).collect();
                    let exprs = exprs?;
                    return Some(syn::parse_quote_spanned!(other.span() => #other(#(#exprs),*)));
                }
            },
        };
        if closure.inputs.len() != args.len() {
            return None;
        }
        let mut stmts = Vec::new();
        let mut views = Vec::new();
        for (p, (a, by_ref)) in closure.inputs.iter().zip(args) {
            super::chain::bind(p, &a, by_ref, &mut stmts, &mut views)?;
        }
        let mut body = (*closure.body).clone();
        for (name, view) in &views {
            if !super::chain::substitute_view(&mut body, name, view) {
                return None;
            }
        }
        if fresh {
            self.open();
            for p in &closure.inputs {
                self.declare_pat(p);
            }
            self.expr(&mut body);
            self.close();
        }
        let span = closure.span();
        // `(body)`: a body starting with a block (`{ .. } + ..`) stays one expression.
        Some(syn::parse_quote_spanned!(span => { #(#stmts)* (#body) }))
    }

    pub fn expr(&mut self, e: &mut Expr) {
        self.visit_expr_mut(e);
    }

    fn stmts(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::new();
        // The `let`s of closures, kept only if a use is left that was not inlined.
        let mut defs: Vec<(usize, String, Stmt)> = Vec::new();
        for s in stmts {
            match s {
                Stmt::Local(mut l) => {
                    let hint = match &l.pat {
                        Pat::Type(t) => Some((*t.ty).clone()),
                        _ => None,
                    };
                    let closure = match (&l.pat, &l.init) {
                        (Pat::Ident(pi), Some(init))
                            if pi.subpat.is_none() && init.diverge.is_none() =>
                        {
                            match strip_parens(&init.expr) {
                                Expr::Closure(c) => {
                                    Some((crate::names::unraw(&pi.ident), c.clone()))
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    if let Some((name, c)) = closure {
                        let original = Stmt::Local(l.clone());
                        match self.define_closure(name.clone(), &c) {
                            Some(takes) => {
                                out.extend(takes);
                                defs.push((out.len(), name, original));
                            }
                            None => {
                                self.declare_pat(&l.pat);
                                out.push(original);
                            }
                        }
                        continue;
                    }
                    if let Some(init) = &mut l.init {
                        let saved = std::mem::replace(&mut self.hint, hint);
                        self.expr(&mut init.expr);
                        self.hint = saved;
                        if let Some((_, d)) = &mut init.diverge {
                            self.expr(d);
                        }
                    }
                    self.declare_pat(&l.pat);
                    out.push(Stmt::Local(l));
                }
                Stmt::Expr(mut e, semi) => {
                    self.expr(&mut e);
                    out.push(Stmt::Expr(e, semi));
                }
                other => out.push(other),
            }
        }
        // Put back, last first, the closures still named after inlining.
        for (at, name, stmt) in defs.into_iter().rev() {
            let used = out[at..]
                .iter()
                .any(|s| mentions(quote::ToTokens::to_token_stream(s), &name));
            if used {
                out.insert(at, stmt);
            }
        }
        out
    }
}

impl VisitMut for Desugarer<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.open();
        let stmts = std::mem::take(&mut b.stmts);
        b.stmts = self.stmts(stmts);
        self.close();
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let hint = self.hint.take();
        match e {
            Expr::Closure(c) => {
                self.open();
                for p in &c.inputs {
                    self.declare_pat(p);
                }
                self.expr(&mut c.body);
                self.close();
            }
            Expr::ForLoop(f) => {
                if let Some(new) = self.for_loop(f) {
                    *e = new;
                    return;
                }
                self.expr(&mut f.expr);
                self.open();
                self.declare_pat(&f.pat);
                self.visit_block_mut(&mut f.body);
                self.close();
            }
            Expr::If(i) if matches!(&*i.cond, Expr::Let(_)) => {
                self.open();
                if let Expr::Let(l) = &mut *i.cond {
                    self.expr(&mut l.expr);
                    self.declare_pat(&l.pat);
                }
                self.visit_block_mut(&mut i.then_branch);
                self.close();
                if let Some((_, els)) = &mut i.else_branch {
                    self.expr(els);
                }
            }
            Expr::While(w) if matches!(&*w.cond, Expr::Let(_)) => {
                self.open();
                if let Expr::Let(l) = &mut *w.cond {
                    self.expr(&mut l.expr);
                    self.declare_pat(&l.pat);
                }
                self.visit_block_mut(&mut w.body);
                self.close();
            }
            Expr::Call(c) => {
                for a in &mut c.args {
                    self.expr(a);
                }
                if self.local_closure(&c.func).is_some() {
                    let args = c
                        .args
                        .iter()
                        .map(|a| (Elem::Expr(a.clone()), false))
                        .collect();
                    let f = (*c.func).clone();
                    if let Some(new) = self.apply(&f, args) {
                        *e = new;
                    }
                    return;
                }
                self.expr(&mut c.func);
            }
            Expr::MethodCall(_) => {
                self.hint = hint;
                if let Some(new) = self.consume(e) {
                    self.hint = None;
                    *e = new;
                    return;
                }
                self.hint = None;
                syn::visit_mut::visit_expr_mut(self, e);
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
        self.open();
        self.declare_pat(&a.pat);
        if let Some((_, g)) = &mut a.guard {
            self.expr(g);
        }
        self.expr(&mut a.body);
        self.close();
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}
