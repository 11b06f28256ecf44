//! Names and scopes on the syntax tree: the names a pattern binds, and the
//! free variables of an expression (the single-identifier paths that no
//! closure parameter, `let`, `for`, `match` arm or `if let` inside binds),
//! found or replaced with Rust's scoping.

use std::collections::BTreeSet;

use proc_macro2::Span;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

use crate::names;

/// The names a pattern binds (an identifier pattern may also name a unit
/// variant or a constant; counting it as a binding only ever hides a name).
pub fn pat_names(p: &Pat, out: &mut Vec<String>) {
    struct Names<'a>(&'a mut Vec<String>);
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_pat_ident(&mut self, i: &'ast syn::PatIdent) {
            self.0.push(names::unraw(&i.ident));
            syn::visit::visit_pat_ident(self, i)
        }
        // Paths in patterns (`Some(v)`, `E::A`) name no variable.
        fn visit_path(&mut self, _: &'ast syn::Path) {}
        fn visit_expr(&mut self, _: &'ast Expr) {}
    }
    Names(out).visit_pat(p);
}

/// The single identifier a path expression is, if it is one.
pub fn single_ident(e: &Expr) -> Option<String> {
    let Expr::Path(p) = e else { return None };
    if p.qself.is_some() {
        return None;
    }
    p.path.get_ident().map(names::unraw)
}

/// A scope stack of bound names, as the walkers below keep it.
#[derive(Default)]
struct Bound {
    names: Vec<String>,
    marks: Vec<usize>,
}

impl Bound {
    fn open(&mut self) {
        self.marks.push(self.names.len());
    }
    fn close(&mut self) {
        let m = self.marks.pop().unwrap_or(0);
        self.names.truncate(m);
    }
    fn bind(&mut self, p: &Pat) {
        pat_names(p, &mut self.names);
    }
    fn has(&self, n: &str) -> bool {
        self.names.iter().any(|b| b == n)
    }
}

/// Replaces each free variable `name` of `e` for which `with(name)` gives
/// an expression, keeping Rust's scoping (names bound inside `e` are not
/// free). `bound` are names already bound around `e` (closure parameters).
pub fn replace_free(e: &mut Expr, bound: &[String], with: &dyn Fn(&str, Span) -> Option<Expr>) {
    let mut r = Replacer {
        bound: Bound {
            names: bound.to_vec(),
            marks: Vec::new(),
        },
        with,
    };
    r.visit_expr_mut(e);
}

struct Replacer<'a> {
    bound: Bound,
    with: &'a dyn Fn(&str, Span) -> Option<Expr>,
}

impl VisitMut for Replacer<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some(n) = single_ident(e) {
            if !self.bound.has(&n) {
                if let Some(new) = (self.with)(&n, syn::spanned::Spanned::span(e)) {
                    *e = new;
                }
            }
            return;
        }
        match e {
            Expr::Closure(c) => {
                self.bound.open();
                for p in &c.inputs {
                    self.bound.bind(p);
                }
                self.visit_expr_mut(&mut c.body);
                self.bound.close();
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.bound.open();
                self.bound.bind(&f.pat);
                self.visit_block_mut(&mut f.body);
                self.bound.close();
            }
            Expr::If(i) if matches!(&*i.cond, Expr::Let(_)) => {
                if let Expr::Let(l) = &mut *i.cond {
                    self.visit_expr_mut(&mut l.expr);
                    self.bound.open();
                    self.bound.bind(&l.pat);
                }
                self.visit_block_mut(&mut i.then_branch);
                self.bound.close();
                if let Some((_, els)) = &mut i.else_branch {
                    self.visit_expr_mut(els);
                }
            }
            Expr::While(w) if matches!(&*w.cond, Expr::Let(_)) => {
                if let Expr::Let(l) = &mut *w.cond {
                    self.visit_expr_mut(&mut l.expr);
                    self.bound.open();
                    self.bound.bind(&l.pat);
                }
                self.visit_block_mut(&mut w.body);
                self.bound.close();
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
        self.bound.open();
        self.bound.bind(&a.pat);
        if let Some((_, g)) = &mut a.guard {
            self.visit_expr_mut(g);
        }
        self.visit_expr_mut(&mut a.body);
        self.bound.close();
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.bound.open();
        for s in &mut b.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.visit_expr_mut(&mut init.expr);
                        if let Some((_, d)) = &mut init.diverge {
                            self.visit_expr_mut(d);
                        }
                    }
                    self.bound.bind(&l.pat);
                }
                syn::Stmt::Expr(e, _) => self.visit_expr_mut(e),
                syn::Stmt::Macro(_) | syn::Stmt::Item(_) => {}
            }
        }
        self.bound.close();
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}

/// The free variables of `e` (see [`replace_free`]), `bound` being bound around it.
pub fn free_names(e: &Expr, bound: &[String]) -> BTreeSet<String> {
    let found = std::cell::RefCell::new(BTreeSet::new());
    let mut copy = e.clone();
    replace_free(&mut copy, bound, &|n, _| {
        found.borrow_mut().insert(n.to_string());
        None
    });
    found.into_inner()
}

/// Whether `e` holds a `return` outside nested closures.
pub fn has_return(e: &Expr) -> bool {
    struct R(bool);
    impl<'ast> Visit<'ast> for R {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut r = R(false);
    r.visit_expr(e);
    r.0
}

/// The variables `e` assigns (`v = ..`, `v += ..`, `v[i] = ..`), free or not.
/// The expression at the root of a place (`out[i].re`, `*o`, `(v)`): what
/// an assignment to it changes.
pub fn place_root(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Index(i) => &i.expr,
            Expr::Field(f) => &f.base,
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &u.expr,
            _ => return e,
        };
    }
}

pub fn assigned_names(e: &Expr) -> BTreeSet<String> {
    struct A(BTreeSet<String>);
    impl A {
        fn target(&mut self, t: &Expr) {
            if let Some(n) = single_ident(place_root(t)) {
                self.0.insert(n);
            }
        }
    }
    impl<'ast> Visit<'ast> for A {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.target(&a.left);
            syn::visit::visit_expr_assign(self, a)
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if crate::lower::is_compound(&b.op) {
                self.target(&b.left);
            }
            syn::visit::visit_expr_binary(self, b)
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut a = A(BTreeSet::new());
    a.visit_expr(e);
    a.0
}

/// Whether the identifier `name` appears anywhere in `tokens`.
pub fn mentions(tokens: proc_macro2::TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => names::unraw(&i) == name,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}
