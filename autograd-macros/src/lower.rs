//! Lowers a function body to straight-line form.
//!
//! Input: the validated body and the parsed signature.
//! Output: a [`Body`]: every intermediate value named, one operation per
//! statement, each value knowing which differentiated parameters it depends
//! on. Expressions that depend on no differentiated parameter are kept whole,
//! as constants.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr, Pat, Stmt, UnOp};

use crate::errors::Errors;
use crate::ir::{Body, CallArg, Op, Operand, Stmt as IrStmt, Var, VarId};
use crate::names;
use crate::parse::Signature;
use crate::rules::{self, Arg};

/// What a user's name refers to.
#[derive(Clone, Copy)]
struct Binding {
    var: VarId,
    /// Bound as `let y = &x;` to an owned value: `y` means `&x`.
    borrowed: bool,
}

struct Lowerer<'e> {
    vars: Vec<Var>,
    stmts: Vec<IrStmt>,
    scopes: Vec<HashMap<String, Binding>>,
    /// Every base name in use, so that shadowed variables get unique names.
    used: HashSet<String>,
    /// Variables not yet bound to a user name (intermediates).
    unnamed: BTreeSet<VarId>,
    errors: &'e mut Errors,
}

pub fn body(sig: &Signature, block: &syn::Block, errors: &mut Errors) -> Option<Body> {
    let mut l = Lowerer {
        vars: Vec::new(),
        stmts: Vec::new(),
        scopes: vec![HashMap::new()],
        used: HashSet::new(),
        unnamed: BTreeSet::new(),
        errors,
    };
    for (i, p) in sig.params.iter().enumerate() {
        let deps = if p.is_differentiated() {
            BTreeSet::from([i])
        } else {
            BTreeSet::new()
        };
        let id = l.vars.len();
        let name = p.ident.to_string();
        l.used.insert(name.clone());
        l.vars.push(Var {
            base: name.clone(),
            ident: p.ident.clone(),
            is_ref: p.is_ref(),
            deps,
            param: Some(i),
        });
        l.scopes[0].insert(
            name,
            Binding {
                var: id,
                borrowed: false,
            },
        );
    }
    let (output, output_span) = l.block(block)?;
    if !l.errors.is_empty() {
        return None;
    }
    Some(Body {
        vars: l.vars,
        stmts: l.stmts,
        output,
        output_span,
    })
}

impl Lowerer<'_> {
    fn lookup(&self, name: &str) -> Option<VarId> {
        self.binding(name).map(|b| b.var)
    }

    fn binding(&self, name: &str) -> Option<Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    /// A base name not used before in this function: `y`, then `y_2`, `y_3`...
    fn fresh_name(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut k = 1;
        while self.used.contains(&name) {
            k += 1;
            name = format!("{base}_{k}");
        }
        self.used.insert(name.clone());
        name
    }

    fn new_temp(&mut self, what: &str, is_ref: bool, deps: BTreeSet<usize>) -> VarId {
        let base = self.fresh_name(&format!("tmp_{what}"));
        let id = self.vars.len();
        self.vars.push(Var {
            ident: names::generated(&base),
            base,
            is_ref,
            deps,
            param: None,
        });
        self.unnamed.insert(id);
        id
    }

    fn bind(&mut self, name: &str, var: VarId, borrowed: bool) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), Binding { var, borrowed });
        }
    }

    fn push(&mut self, out: VarId, op: Op, span: Span) {
        self.stmts.push(IrStmt {
            out,
            op,
            ty: None,
            span,
        });
    }

    /// Lowers a block; returns its value.
    fn block(&mut self, block: &syn::Block) -> Option<(Operand, Span)> {
        let n = block.stmts.len();
        let mut output = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                Stmt::Local(local) => self.local(local),
                Stmt::Expr(Expr::Return(r), _) if last => match &r.expr {
                    Some(e) => output = self.expr(e).map(|o| (o, e.span())),
                    None => self
                        .errors
                        .push_spanned(r, "`return` needs the value to differentiate"),
                },
                Stmt::Expr(e, None) if last => output = self.expr(e).map(|o| (o, e.span())),
                Stmt::Expr(e, _) => {
                    let _ = self.expr(e);
                }
                // Reported by validation.
                Stmt::Item(_) | Stmt::Macro(_) => {}
            }
        }
        if output.is_none() && self.errors.is_empty() {
            let span = block
                .stmts
                .last()
                .map(|s| s.span())
                .unwrap_or_else(|| block.brace_token.span.join());
            self.errors.push(
                span,
                "the body must end with the value to differentiate (a final expression without `;`, or `return value;`)",
            );
        }
        output
    }

    fn local(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        let Some(init) = &local.init else {
            self.errors.push_spanned(
                local,
                "a `let` in a #[differentiable] function needs a value: `let x = ...;`",
            );
            return;
        };
        match pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                let Some(operand) = self.expr(&init.expr) else {
                    return;
                };
                let name = pi.ident.to_string();
                let borrowed = match operand {
                    Operand::Var(v) => is_borrow(&init.expr) && !self.vars[v].is_ref,
                    Operand::Literal(_) => false,
                };
                let id = match operand {
                    Operand::Var(v) if self.unnamed.contains(&v) => {
                        // A fresh intermediate takes the user's name.
                        self.unnamed.remove(&v);
                        let fresh = self.fresh_name(&name);
                        self.vars[v].ident = names::local(&fresh);
                        self.vars[v].base = fresh;
                        if let Some(s) = self.stmts.iter_mut().rev().find(|s| s.out == v) {
                            s.ty = ty.filter(|t| !matches!(t, syn::Type::Reference(_)));
                        }
                        v
                    }
                    // An alias of an existing value.
                    Operand::Var(v) => v,
                    Operand::Literal(tokens) => {
                        let fresh = self.fresh_name(&name);
                        let id = self.vars.len();
                        self.vars.push(Var {
                            ident: names::local(&fresh),
                            base: fresh,
                            is_ref: false,
                            deps: BTreeSet::new(),
                            param: None,
                        });
                        self.stmts.push(IrStmt {
                            out: id,
                            op: Op::Constant(tokens),
                            ty,
                            span: init.expr.span(),
                        });
                        id
                    }
                };
                self.bind(&name, id, borrowed);
            }
            Pat::Wild(_) => {
                let _ = self.expr(&init.expr);
            }
            other => self.errors.push_spanned(
                other,
                "only `let name = ...;` and `let _ = ...;` bindings are supported in a #[differentiable] function; bind each value to its own name",
            ),
        }
    }

    fn is_active_expr(&self, e: &Expr) -> bool {
        struct Finder<'a, 'l> {
            l: &'a Lowerer<'l>,
            found: bool,
        }
        impl<'ast> Visit<'ast> for Finder<'_, '_> {
            fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                if let Some(id) = p.path.get_ident() {
                    if p.qself.is_none() {
                        if let Some(v) = self.l.lookup(&id.to_string()) {
                            self.found |= self.l.vars[v].is_active();
                        }
                    }
                }
            }
            fn visit_item(&mut self, _: &'ast syn::Item) {}
        }
        let mut f = Finder {
            l: self,
            found: false,
        };
        f.visit_expr(e);
        f.found
    }

    /// The expression with the body's variables renamed to their lowered names.
    fn renamed(&self, e: &Expr) -> TokenStream {
        struct Renamer<'a, 'l> {
            l: &'a Lowerer<'l>,
        }
        impl VisitMut for Renamer<'_, '_> {
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                if let Expr::Path(p) = e {
                    if p.qself.is_none() {
                        if let Some(id) = p.path.get_ident() {
                            if let Some(b) = self.l.binding(&id.to_string()) {
                                let ident = self.l.vars[b.var].ident.clone();
                                *e = if b.borrowed {
                                    syn::parse_quote!((&#ident))
                                } else {
                                    syn::parse_quote!(#ident)
                                };
                                return;
                            }
                        }
                    }
                }
                syn::visit_mut::visit_expr_mut(self, e)
            }
            fn visit_path_mut(&mut self, p: &mut syn::Path) {
                crate::names::fix_relative_path(p);
                syn::visit_mut::visit_path_mut(self, p)
            }
            fn visit_item_mut(&mut self, _: &mut syn::Item) {}
        }
        let mut e = e.clone();
        Renamer { l: self }.visit_expr_mut(&mut e);
        e.into_token_stream()
    }

    fn constant(&mut self, e: &Expr) -> Operand {
        if let Expr::Lit(lit) = e {
            return Operand::Literal(lit.to_token_stream());
        }
        if let Expr::Path(p) = e {
            if let Some(id) = p.path.get_ident() {
                if let Some(v) = self.lookup(&id.to_string()) {
                    return Operand::Var(v);
                }
            }
        }
        let tokens = self.renamed(e);
        let out = self.new_temp("const", false, BTreeSet::new());
        self.push(out, Op::Constant(tokens), e.span());
        Operand::Var(out)
    }

    fn deps_of(&self, ops: &[Operand]) -> BTreeSet<usize> {
        let mut deps = BTreeSet::new();
        for op in ops {
            if let Operand::Var(v) = op {
                deps.extend(self.vars[*v].deps.iter().copied());
            }
        }
        deps
    }

    fn rule(
        &mut self,
        rule: &'static rules::Rule,
        operands: Vec<Operand>,
        consts: Vec<Operand>,
        span: Span,
    ) -> Operand {
        // A literal operand that a backward function reads is bound to a
        // variable, so that the forward and the backward agree on its type.
        let operands: Vec<Operand> = operands
            .into_iter()
            .enumerate()
            .map(|(i, op)| match op {
                Operand::Literal(tokens) if rule_reads_operand(rule, i) => {
                    let out = self.new_temp("lit", false, BTreeSet::new());
                    self.push(out, Op::Constant(tokens), span);
                    Operand::Var(out)
                }
                other => other,
            })
            .collect();
        let deps = self.deps_of(&operands);
        let out = self.new_temp(rule.name, false, deps);
        self.push(
            out,
            Op::Rule {
                rule,
                operands,
                consts,
            },
            span,
        );
        Operand::Var(out)
    }

    fn expr(&mut self, e: &Expr) -> Option<Operand> {
        if !self.is_active_expr(e) {
            return Some(self.constant(e));
        }
        match e {
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Reference(r) => {
                if let Some(m) = &r.mutability {
                    self.errors.push_spanned(m, "`&mut` borrows are not supported in a #[differentiable] function; bind a new value with `let` instead");
                    return None;
                }
                self.expr(&r.expr)
            }
            Expr::Path(_) => Some(self.constant(e)),
            Expr::Unary(u) => match u.op {
                UnOp::Deref(_) => self.expr(&u.expr),
                UnOp::Neg(_) => {
                    let x = self.expr(&u.expr)?;
                    let rule = rules::operator("neg")?;
                    Some(self.rule(rule, vec![x], vec![], e.span()))
                }
                _ => {
                    self.errors.push_spanned(u.op, "`!` of a differentiated value has no derivative; compare values with `<`, `>`, `==` to get a bool");
                    None
                }
            },
            Expr::Binary(b) => self.binary(b, e),
            Expr::MethodCall(m) => self.method(m, e),
            Expr::Call(c) => self.call(c, e),
            Expr::Block(b) if b.label.is_none() => {
                self.scopes.push(HashMap::new());
                let out = self.block(&b.block);
                self.scopes.pop();
                out.map(|(o, _)| o)
            }
            Expr::Cast(c) => {
                self.errors.push_spanned(c.as_token, "an `as` cast of a differentiated value is not supported; floats convert with `A::from_f64(..)`, and a cast of a value that is not differentiated is fine");
                None
            }
            Expr::Field(f) => {
                self.errors.push_spanned(f, "reading a field of a differentiated value is not supported yet; pass the field as its own parameter");
                None
            }
            Expr::Index(i) => {
                self.errors.push_spanned(i, "indexing a differentiated value is not supported yet; use a tensor operation such as `sum_axis`");
                None
            }
            Expr::Tuple(t) => {
                self.errors.push_spanned(t, "tuples of differentiated values are not supported yet; bind each value to its own name");
                None
            }
            Expr::Array(a) => {
                self.errors.push_spanned(a, "arrays of differentiated values are not supported; build a Tensor outside the function and pass it in");
                None
            }
            Expr::Struct(s) => {
                self.errors.push_spanned(s, "building a struct from differentiated values is not supported; return a tensor");
                None
            }
            // Every other form is rejected by validation.
            other => {
                if self.errors.is_empty() {
                    self.errors.push_spanned(
                        other,
                        "this expression is not supported in a #[differentiable] function",
                    );
                }
                None
            }
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary, e: &Expr) -> Option<Operand> {
        let name = match b.op {
            BinOp::Add(_) => "add",
            BinOp::Sub(_) => "sub",
            BinOp::Mul(_) => "mul",
            BinOp::Div(_) => "div",
            // Comparisons and logic give constants (bools).
            BinOp::Eq(_)
            | BinOp::Ne(_)
            | BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Gt(_)
            | BinOp::Ge(_)
            | BinOp::And(_)
            | BinOp::Or(_) => {
                let tokens = self.renamed(e);
                let out = self.new_temp("cmp", false, BTreeSet::new());
                self.push(out, Op::Constant(tokens), e.span());
                return Some(Operand::Var(out));
            }
            op => {
                self.errors.push_spanned(
                    op,
                    format!("the operator `{}` has no derivative rule; use `+`, `-`, `*`, `/` or a method with a rule", op.to_token_stream()),
                );
                return None;
            }
        };
        let lhs = self.expr(&b.left);
        let rhs = self.expr(&b.right);
        let rule = rules::operator(name)?;
        Some(self.rule(rule, vec![lhs?, rhs?], vec![], e.span()))
    }

    fn method(&mut self, m: &syn::ExprMethodCall, e: &Expr) -> Option<Operand> {
        let name = m.method.to_string();
        if rules::IDENTITIES.contains(&name.as_str()) && m.args.is_empty() {
            return self.expr(&m.receiver);
        }
        if rules::READERS.contains(&name.as_str()) {
            let tokens = self.renamed(e);
            let out = self.new_temp(&name, false, BTreeSet::new());
            self.push(out, Op::Constant(tokens), e.span());
            return Some(Operand::Var(out));
        }
        let Some(rule) = rules::method(&name) else {
            self.errors.push_spanned(
                &m.method,
                format!(
                    "the method `{name}` has no derivative rule; methods with rules are: {}. Write the computation with those, call a #[differentiable] function, or write a custom rule",
                    rules::method_names()
                ),
            );
            return None;
        };
        if m.args.len() != rule.args.len() {
            self.errors.push_spanned(
                &m.method,
                format!(
                    "`{name}` takes {} argument(s) here, found {}",
                    rule.args.len(),
                    m.args.len()
                ),
            );
            return None;
        }
        if let Some(t) = &m.turbofish {
            self.errors.push_spanned(
                t,
                format!("`{name}` takes no generic arguments in a #[differentiable] function"),
            );
        }
        let receiver = self.expr(&m.receiver);
        let mut operands = vec![];
        let mut consts = vec![];
        for (arg, kind) in m.args.iter().zip(rule.args) {
            match kind {
                Arg::Operand => operands.push(self.expr(arg)),
                Arg::Const => consts.push(Some(self.constant(arg))),
            }
        }
        let mut all = vec![receiver?];
        for o in operands {
            all.push(o?);
        }
        let consts = consts.into_iter().collect::<Option<Vec<_>>>()?;
        Some(self.rule(rule, all, consts, e.span()))
    }

    fn call(&mut self, c: &syn::ExprCall, e: &Expr) -> Option<Operand> {
        let Expr::Path(p) = &*c.func else {
            self.errors.push_spanned(&c.func, "only calls to #[differentiable] functions by path are supported (`f(x)`, `module::f(x)`)");
            return None;
        };
        if p.qself.is_some() {
            self.errors.push_spanned(&c.func, "calls through `<T as Trait>::f` are not supported; call a #[differentiable] function by its path");
            return None;
        }
        let mut path = p.path.clone();
        crate::names::fix_relative_path(&mut path);
        let mut turbofish = None;
        if let Some(last) = path.segments.last_mut() {
            if let syn::PathArguments::AngleBracketed(args) =
                std::mem::replace(&mut last.arguments, syn::PathArguments::None)
            {
                turbofish = Some(args);
            }
        }
        let mut args = Vec::new();
        let mut ok = true;
        for arg in &c.args {
            let (inner, by_ref) = strip_ref(arg);
            match self.expr(inner) {
                Some(operand) => args.push(CallArg { operand, by_ref }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let deps = self.deps_of(&args.iter().map(|a| a.operand.clone()).collect::<Vec<_>>());
        let what = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_else(|| "call".into());
        let out = self.new_temp(&what, false, deps);
        self.push(
            out,
            Op::Call {
                path,
                turbofish,
                args,
            },
            e.span(),
        );
        Some(Operand::Var(out))
    }
}

/// Whether operand `i`'s value or meta is read by the backward function of
/// another operand.
fn rule_reads_operand(rule: &rules::Rule, i: usize) -> bool {
    rule.revs.iter().enumerate().any(|(k, reads)| {
        k != i
            && reads
                .iter()
                .any(|r| matches!(r, rules::Read::Value(j) | rules::Read::Meta(j) if *j == i))
    })
}

/// Whether the expression is a borrow `&x` (under parentheses).
fn is_borrow(e: &Expr) -> bool {
    strip_ref(e).1
}

/// `&x` → (`x`, true); anything else → (itself, false).
fn strip_ref(e: &Expr) -> (&Expr, bool) {
    match e {
        Expr::Reference(r) if r.mutability.is_none() => (&r.expr, true),
        Expr::Paren(p) => strip_ref(&p.expr),
        _ => (e, false),
    }
}
