//! Lowers a function body to structured straight-line form.
//!
//! Input: the validated body and the parsed signature.
//! Output: a [`Body`]: every intermediate value named, one operation per
//! statement, control flow (`if`, `match`, loops, `break`, `continue`,
//! `return`) kept as structure around them, and each variable knowing which
//! differentiated parameters it depends on (a fixpoint over loops).
//! Expressions that depend on no differentiated parameter are kept whole, as
//! constants.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr, Pat, UnOp};

use crate::errors::Errors;
use crate::ir::{Arm, Body, CallArg, LoopKind, Op, OpStmt, Operand, Stmt, Var, VarId};
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
    hoisted: Vec<OpStmt>,
    /// The statements of the block being lowered.
    stmts: Vec<Stmt>,
    scopes: Vec<HashMap<String, Binding>>,
    /// Every base name in use, so that shadowed variables get unique names.
    used: HashSet<String>,
    /// Variables not yet bound to a user name (intermediates).
    unnamed: BTreeSet<VarId>,
    /// Enclosing loops, innermost last: (id, depth of the loop statement).
    loops: Vec<(usize, usize)>,
    /// Branches and loop bodies around the current statement.
    nesting: usize,
    next_id: usize,
    next_code: u32,
    early_return: bool,
    errors: &'e mut Errors,
}

pub fn body(sig: &Signature, block: &syn::Block, errors: &mut Errors) -> Option<Body> {
    let mut l = Lowerer {
        vars: Vec::new(),
        hoisted: Vec::new(),
        stmts: Vec::new(),
        scopes: vec![HashMap::new()],
        used: HashSet::new(),
        unnamed: BTreeSet::new(),
        loops: Vec::new(),
        nesting: 0,
        next_id: 0,
        next_code: 1,
        early_return: false,
        errors,
    };
    for (i, p) in sig.params.iter().enumerate() {
        let deps = if p.is_differentiated() {
            BTreeSet::from([i])
        } else {
            BTreeSet::new()
        };
        let name = p.ident.to_string();
        l.used.insert(name.clone());
        let id = l.vars.len();
        l.vars.push(Var {
            base: name.clone(),
            ident: p.ident.clone(),
            is_ref: p.is_ref(),
            opaque: !p.is_differentiated(),
            deps,
            param: Some(i),
            projection: None,
            assignments: 1,
            top_level: true,
            mutable: false,
        });
        l.scopes[0].insert(
            name,
            Binding {
                var: id,
                borrowed: false,
            },
        );
    }
    let output = l.block_stmts(&block.stmts, true);
    let output_span = block
        .stmts
        .last()
        .map(|s| s.span())
        .unwrap_or_else(|| block.brace_token.span.join());
    if output.is_none() && l.errors.is_empty() {
        l.errors.push(
            output_span,
            "the body must end with the value to differentiate (a final expression without `;`, or `return value;`)",
        );
    }
    if !l.errors.is_empty() {
        return None;
    }
    Some(Body {
        vars: l.vars,
        hoisted: l.hoisted,
        stmts: l.stmts,
        output: output?,
        output_span,
        early_return: l.early_return,
    })
}

/// What a loop body's lowering can undo, to lower it again once more
/// variables are known to be differentiated.
struct Snapshot {
    vars: usize,
    state: Vec<(BTreeSet<usize>, usize, bool)>,
    used: HashSet<String>,
    unnamed: BTreeSet<VarId>,
    hoisted: usize,
    next_id: usize,
    next_code: u32,
}

impl Lowerer<'_> {
    fn loop_depth(&self) -> usize {
        self.loops.len()
    }

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

    fn add_var(&mut self, base: String, user: bool, is_ref: bool, opaque: bool) -> VarId {
        let id = self.vars.len();
        self.vars.push(Var {
            ident: if user {
                names::local(&base)
            } else {
                names::generated(&base)
            },
            base,
            is_ref,
            opaque,
            deps: BTreeSet::new(),
            param: None,
            projection: None,
            assignments: 0,
            top_level: self.nesting == 0,
            mutable: false,
        });
        id
    }

    fn new_temp(&mut self, what: &str, opaque: bool) -> VarId {
        let base = self.fresh_name(&format!("tmp_{what}"));
        let id = self.add_var(base, false, false, opaque);
        self.unnamed.insert(id);
        id
    }

    fn new_user_var(&mut self, name: &str, opaque: bool) -> VarId {
        let base = self.fresh_name(name);
        self.add_var(base, true, false, opaque)
    }

    fn bind(&mut self, name: &str, var: VarId, borrowed: bool) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), Binding { var, borrowed });
        }
    }

    fn op_deps(&self, op: &Op) -> BTreeSet<usize> {
        let mut deps = BTreeSet::new();
        let mut add = |o: &Operand| {
            if let Operand::Var(v) = o {
                deps.extend(self.vars[*v].deps.iter().copied());
            }
        };
        match op {
            Op::Rule { operands, .. } => operands.iter().for_each(&mut add),
            Op::Call { args, .. } => args.iter().for_each(|a| add(&a.operand)),
            Op::Copy(o) => add(o),
            Op::Field(base, _) => add(&Operand::Var(*base)),
            Op::Constant(_) => {}
        }
        deps
    }

    fn push_op(&mut self, out: VarId, op: Op, span: Span, declare: bool, ty: Option<syn::Type>) {
        let deps = self.op_deps(&op);
        let var = &mut self.vars[out];
        var.deps.extend(deps);
        var.assignments += 1;
        if !declare {
            var.mutable = true;
        }
        let stmt = OpStmt {
            out,
            op,
            declare,
            ty,
            span,
            loop_depth: self.loops.len(),
        };
        self.stmts.push(Stmt::Op(Box::new(stmt)));
    }

    /// The last statement, if it defines `v`.
    fn last_defines(&mut self, v: VarId) -> Option<&mut OpStmt> {
        match self.stmts.last_mut() {
            Some(Stmt::Op(s)) if s.out == v => Some(s),
            _ => None,
        }
    }

    // ---- blocks and statements -----------------------------------------------

    /// Lowers statements into the current block; returns the block's value.
    fn block_stmts(&mut self, stmts: &[syn::Stmt], want_value: bool) -> Option<Operand> {
        let n = stmts.len();
        let mut output = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Expr(Expr::Return(r), _) if last && self.nesting == 0 && want_value => {
                    match &r.expr {
                        Some(e) => output = self.value_expr(e),
                        None => self
                            .errors
                            .push_spanned(r, "`return` needs the value to differentiate"),
                    }
                }
                syn::Stmt::Expr(e, None) if last && want_value => output = self.value_expr(e),
                syn::Stmt::Expr(e, _) => self.stmt_expr(e),
                syn::Stmt::Macro(m) => self.check_macro(&m.mac, m.span()),
                // Reported by validation.
                syn::Stmt::Item(_) => {}
            }
        }
        output
    }

    /// Lowers a nested block (a branch or a loop body) into its own statement list.
    fn nested_block(&mut self, stmts: &[syn::Stmt], out: Option<VarId>, span: Span) -> Vec<Stmt> {
        let outer = std::mem::take(&mut self.stmts);
        self.nesting += 1;
        self.scopes.push(HashMap::new());
        let value = self.block_stmts(stmts, out.is_some());
        if let Some(out) = out {
            match value {
                Some(v) => self.push_op(out, Op::Copy(v), span, false, None),
                None => {
                    if self.errors.is_empty() && !ends_in_exit(stmts) {
                        self.errors.push(span, "this branch must end with a value");
                    }
                }
            }
        }
        self.scopes.pop();
        self.nesting -= 1;
        std::mem::replace(&mut self.stmts, outer)
    }

    /// An expression in statement position.
    fn stmt_expr(&mut self, e: &Expr) {
        match e {
            Expr::If(i) => self.if_expr(i, None),
            Expr::Match(m) => self.match_expr(m, None),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w),
            Expr::Loop(l) => self.plain_loop(l),
            Expr::Assign(a) => self.assign(&a.left, &a.right, e.span()),
            Expr::Binary(b) if compound_op(&b.op).is_some() => {
                if let Some(op) = compound_op(&b.op) {
                    self.compound_assign(&b.left, op, &b.right, e.span());
                }
            }
            Expr::Break(b) => {
                self.jump(b.break_token.span, b.label.as_ref(), b.expr.is_some(), true)
            }
            Expr::Continue(c) => self.jump(c.continue_token.span, c.label.as_ref(), false, false),
            Expr::Return(r) => self.early_return(r),
            Expr::Block(b) if b.label.is_none() => {
                self.scopes.push(HashMap::new());
                let _ = self.block_stmts(&b.block.stmts, false);
                self.scopes.pop();
            }
            Expr::Macro(m) => self.check_macro(&m.mac, e.span()),
            _ => {
                let _ = self.expr(e);
            }
        }
    }

    fn local(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        let Some(init) = &local.init else {
            // `let y;`: assigned later (in branches).
            match pat {
                Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    let name = pi.ident.to_string();
                    let id = self.new_user_var(&name, false);
                    self.vars[id].mutable = pi.mutability.is_some();
                    self.stmts.push(Stmt::Declare { var: id });
                    self.bind(&name, id, false);
                }
                other => self
                    .errors
                    .push_spanned(other, "declare one name at a time: `let y;`"),
            }
            return;
        };
        self.bind_pattern(pat, ty, &init.expr);
    }

    fn bind_pattern(&mut self, pat: &Pat, ty: Option<syn::Type>, init: &Expr) {
        match pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                let Some(operand) = self.value_expr(init) else {
                    return;
                };
                let name = pi.ident.to_string();
                let mutable = pi.mutability.is_some();
                let borrowed = match operand {
                    Operand::Var(v) => is_borrow(init) && !self.vars[v].is_ref,
                    Operand::Literal(_) => false,
                };
                let id = match operand {
                    Operand::Var(v) if self.unnamed.contains(&v) => {
                        // A fresh intermediate takes the user's name.
                        self.unnamed.remove(&v);
                        let fresh = self.fresh_name(&name);
                        self.vars[v].ident = names::local(&fresh);
                        self.vars[v].base = fresh;
                        self.vars[v].mutable |= mutable;
                        let ty = ty.filter(|t| !matches!(t, syn::Type::Reference(_)));
                        if let Some(s) = self.last_defines(v) {
                            s.ty = ty;
                        }
                        v
                    }
                    // `let mut y = x;`: a new variable that starts as a copy.
                    Operand::Var(v) if mutable => {
                        let id = self.new_user_var(&name, self.vars[v].opaque);
                        self.vars[id].mutable = true;
                        self.push_op(id, Op::Copy(Operand::Var(v)), init.span(), true, ty);
                        id
                    }
                    // An alias of an existing value.
                    Operand::Var(v) => v,
                    Operand::Literal(tokens) => {
                        // A literal's type is inferred from its uses: not opaque.
                        let id = self.new_user_var(&name, false);
                        self.vars[id].mutable = mutable;
                        self.push_op(id, Op::Constant(tokens), init.span(), true, ty);
                        id
                    }
                };
                self.bind(&name, id, borrowed);
            }
            Pat::Wild(_) => {
                let _ = self.value_expr(init);
            }
            Pat::Tuple(pt) => match strip_parens(init) {
                Expr::Tuple(t) if t.elems.len() == pt.elems.len() => {
                    for (p, e) in pt.elems.iter().zip(&t.elems) {
                        self.bind_pattern(p, None, e);
                    }
                }
                _ if !self.is_active_expr(init) => self.constant_pattern(pat, init),
                other => self.errors.push_spanned(
                    other,
                    "a tuple pattern needs a tuple expression of the same length here: `let (a, b) = (x * 2.0, y);`",
                ),
            },
            _ if !self.is_active_expr(init) => self.constant_pattern(pat, init),
            other => self.errors.push_spanned(
                other,
                "only `let name = ..`, `let (a, b) = (.., ..)` and `let _ = ..` bind differentiated values; bind each value to its own name",
            ),
        }
    }

    /// `let <pattern> = <constant>;`: the bindings are constants.
    fn constant_pattern(&mut self, pat: &Pat, init: &Expr) {
        let value = self.renamed(init);
        let (pat, vars) = self.rename_pattern(pat);
        self.stmts.push(Stmt::Bind { pat, value, vars });
    }

    /// Renames the bindings of a pattern to fresh constant variables in the current scope.
    fn rename_pattern(&mut self, pat: &Pat) -> (TokenStream, Vec<VarId>) {
        struct Renamer<'a, 'l> {
            l: &'a mut Lowerer<'l>,
            vars: Vec<VarId>,
        }
        impl VisitMut for Renamer<'_, '_> {
            fn visit_pat_ident_mut(&mut self, pi: &mut syn::PatIdent) {
                let name = pi.ident.to_string();
                let id = self.l.new_user_var(&name, true);
                self.l.vars[id].assignments = 1;
                self.l.vars[id].is_ref = false;
                pi.ident = self.l.vars[id].ident.clone();
                pi.mutability = None;
                self.vars.push(id);
                self.l.bind(&name, id, false);
                if let Some((_, sub)) = &mut pi.subpat {
                    self.visit_pat_mut(sub);
                }
            }
            fn visit_expr_mut(&mut self, _: &mut Expr) {}
        }
        let mut p = pat.clone();
        let mut r = Renamer {
            l: self,
            vars: Vec::new(),
        };
        r.visit_pat_mut(&mut p);
        let vars = r.vars;
        (p.into_token_stream(), vars)
    }

    fn check_macro(&mut self, mac: &syn::Macro, span: Span) {
        if !crate::validate::is_check(mac) {
            // Reported by validation.
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
        let renamed: Vec<TokenStream> = args.iter().map(|a| self.renamed(a)).collect();
        let path = &mac.path;
        let tmp = self.new_temp("check", true);
        self.unnamed.remove(&tmp);
        self.push_op(
            tmp,
            Op::Constant(quote!(#path!(#(#renamed),*))),
            span,
            true,
            None,
        );
    }

    // ---- control flow ----------------------------------------------------------

    fn fresh_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn if_expr(&mut self, i: &syn::ExprIf, out: Option<VarId>) {
        if let Expr::Let(_) = &*i.cond {
            // Reported by validation.
            return;
        }
        let cond = self.renamed(&i.cond);
        let then = self.nested_block(&i.then_branch.stmts, out, i.then_branch.span());
        let els = match &i.else_branch {
            None => {
                if out.is_some() {
                    self.errors
                        .push_spanned(i, "an `if` used as a value needs an `else`");
                }
                Vec::new()
            }
            Some((_, e)) => match &**e {
                Expr::Block(b) => self.nested_block(&b.block.stmts, out, b.span()),
                Expr::If(inner) => {
                    let outer = std::mem::take(&mut self.stmts);
                    self.nesting += 1;
                    self.if_expr(inner, out);
                    self.nesting -= 1;
                    std::mem::replace(&mut self.stmts, outer)
                }
                other => {
                    self.errors.push_spanned(other, "unexpected `else` branch");
                    Vec::new()
                }
            },
        };
        let loop_depth = self.loop_depth();
        self.stmts.push(Stmt::If {
            cond,
            then,
            els,
            loop_depth,
        });
    }

    fn match_expr(&mut self, m: &syn::ExprMatch, out: Option<VarId>) {
        // Matching reads the value; the match itself is not differentiated.
        let scrutinee = self.renamed(&m.expr);
        let mut arms = Vec::new();
        for arm in &m.arms {
            self.scopes.push(HashMap::new());
            self.nesting += 1;
            let (pat, _) = self.rename_pattern(&arm.pat);
            let guard = arm.guard.as_ref().map(|(_, g)| self.renamed(g));
            self.nesting -= 1;
            let body_stmts: Vec<syn::Stmt> = match &*arm.body {
                Expr::Block(b) if b.label.is_none() => b.block.stmts.clone(),
                e => vec![syn::Stmt::Expr(e.clone(), None)],
            };
            let body = if out.is_some() {
                self.nested_block(&body_stmts, out, arm.body.span())
            } else {
                let stmts: Vec<syn::Stmt> = body_stmts
                    .into_iter()
                    .map(|s| match s {
                        syn::Stmt::Expr(e, None) => syn::Stmt::Expr(e, Some(Default::default())),
                        s => s,
                    })
                    .collect();
                self.nested_block(&stmts, None, arm.body.span())
            };
            self.scopes.pop();
            arms.push(Arm { pat, guard, body });
        }
        let loop_depth = self.loop_depth();
        self.stmts.push(Stmt::Match {
            scrutinee,
            arms,
            loop_depth,
        });
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            vars: self.vars.len(),
            state: self
                .vars
                .iter()
                .map(|v| (v.deps.clone(), v.assignments, v.mutable))
                .collect(),
            used: self.used.clone(),
            unnamed: self.unnamed.clone(),
            hoisted: self.hoisted.len(),
            next_id: self.next_id,
            next_code: self.next_code,
        }
    }

    /// Undoes a loop body's lowering, keeping what it learnt about which
    /// variables are differentiated. Returns whether anything was learnt.
    fn restore_if_grown(&mut self, s: Snapshot) -> bool {
        let grown = s
            .state
            .iter()
            .enumerate()
            .any(|(i, (deps, _, _))| self.vars[i].deps != *deps);
        if !grown {
            return false;
        }
        self.vars.truncate(s.vars);
        for (v, (_, assignments, mutable)) in self.vars.iter_mut().zip(s.state) {
            v.assignments = assignments;
            v.mutable = mutable;
        }
        self.used = s.used;
        self.unnamed = s.unnamed;
        self.hoisted.truncate(s.hoisted);
        self.next_id = s.next_id;
        self.next_code = s.next_code;
        true
    }

    /// Lowers a loop body until the set of differentiated variables stops growing.
    fn loop_body(
        &mut self,
        id: usize,
        prologue: &mut dyn FnMut(&mut Self) -> Option<LoopKind>,
        stmts: &[syn::Stmt],
    ) -> Option<(LoopKind, Vec<Stmt>)> {
        loop {
            let snap = self.snapshot();
            let had_errors = !self.errors.is_empty();
            let outer = std::mem::take(&mut self.stmts);
            self.scopes.push(HashMap::new());
            self.nesting += 1;
            let depth = self.loop_depth();
            self.loops.push((id, depth));
            let kind = prologue(self);
            let inner_stmts: Vec<syn::Stmt> = stmts
                .iter()
                .cloned()
                .map(|s| match s {
                    syn::Stmt::Expr(e, None) => syn::Stmt::Expr(e, Some(Default::default())),
                    s => s,
                })
                .collect();
            let _ = self.block_stmts(&inner_stmts, false);
            self.loops.pop();
            self.nesting -= 1;
            self.scopes.pop();
            let body = std::mem::replace(&mut self.stmts, outer);
            if had_errors || !self.errors.is_empty() {
                return kind.map(|k| (k, body));
            }
            if !self.restore_if_grown(snap) {
                return kind.map(|k| (k, body));
            }
        }
    }

    fn push_loop(&mut self, id: usize, kind: LoopKind, body: Vec<Stmt>) {
        let loop_depth = self.loop_depth();
        self.stmts.push(Stmt::Loop {
            id,
            kind,
            body,
            loop_depth,
        });
    }

    fn check_label(&mut self, label: &Option<syn::Label>) {
        if let Some(l) = label {
            self.errors.push_spanned(l, "loop labels are not supported in a #[differentiable] function; restructure with a flag or a helper function");
        }
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) {
        self.check_label(&f.label);
        let id = self.fresh_id();
        let iter = &*f.expr;
        let pat = &*f.pat;
        if !self.is_active_expr(iter) {
            let iter_tokens = self.renamed(iter);
            let mut prologue = |l: &mut Self| {
                let (pat, _) = l.rename_pattern(pat);
                Some(LoopKind::For {
                    pat,
                    iter: iter_tokens.clone(),
                })
            };
            if let Some((kind, body)) = self.loop_body(id, &mut prologue, &f.body.stmts) {
                self.push_loop(id, kind, body);
            }
            return;
        }
        // Iterating over a differentiated slice: an index loop reading each element.
        let Some(source) = self.slice_iteration(iter, pat) else {
            self.errors.push_spanned(
                iter,
                "this loop iterates over a differentiated value in a way that is not supported; write `for v in x`, `x.iter()`, `x.iter().enumerate()` or `x.iter().zip(y.iter())`, or loop over indices: `for i in 0..x.len()`",
            );
            return;
        };
        let mut prologue = |l: &mut Self| {
            let index = l.new_user_var(source.index_name.as_deref().unwrap_or("i"), true);
            l.vars[index].assignments = 1;
            if let Some(name) = &source.index_name {
                l.bind(name, index, false);
            }
            let index_ident = l.vars[index].ident.clone();
            let mut lens = Vec::new();
            for (name, slice) in &source.elements {
                let Some(b) = l.binding(&slice.to_string()) else {
                    l.errors.push_spanned(slice, "unknown variable");
                    return None;
                };
                let sv = &l.vars[b.var];
                let s_ident = sv.ident.clone();
                lens.push(quote!(#s_ident.len()));
                let element = if sv.is_active() {
                    let rule = rules::index()?;
                    let idx = Operand::Var(index);
                    l.rule(rule, vec![Operand::Var(b.var)], vec![idx], f.span())
                } else {
                    let tmp = l.new_temp("elem", true);
                    l.push_op(
                        tmp,
                        Op::Constant(quote!(#s_ident[#index_ident])),
                        f.span(),
                        true,
                        None,
                    );
                    Operand::Var(tmp)
                };
                if let Operand::Var(v) = element {
                    l.unnamed.remove(&v);
                    let fresh = l.fresh_name(name);
                    l.vars[v].ident = names::local(&fresh);
                    l.vars[v].base = fresh;
                    l.bind(name, v, false);
                }
            }
            let len = lens
                .into_iter()
                .reduce(|a, b| quote!(::core::cmp::min(#a, #b)))
                .unwrap_or_else(|| quote!(0));
            Some(LoopKind::For {
                pat: quote!(#index_ident),
                iter: quote!(0..#len),
            })
        };
        // The element reads come first in the body (the prologue pushes them).
        if let Some((kind, body)) = self.loop_body(id, &mut prologue, &f.body.stmts) {
            self.push_loop(id, kind, body);
        }
    }

    /// Recognises `for v in x`, `x.iter()`, `x.iter().enumerate()`, `x.iter().zip(y.iter())`.
    fn slice_iteration(&self, iter: &Expr, pat: &Pat) -> Option<SliceIteration> {
        fn slice_name(e: &Expr) -> Option<syn::Ident> {
            match strip_parens(e) {
                Expr::Reference(r) => slice_name(&r.expr),
                Expr::Path(p) => p.path.get_ident().cloned(),
                Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                    slice_name(&m.receiver)
                }
                _ => None,
            }
        }
        fn pat_name(p: &Pat) -> Option<String> {
            match p {
                Pat::Ident(pi) if pi.subpat.is_none() => Some(pi.ident.to_string()),
                Pat::Reference(r) => pat_name(&r.pat),
                Pat::Wild(_) => Some("_".into()),
                _ => None,
            }
        }
        let iter = strip_parens(iter);
        if let Expr::MethodCall(m) = iter {
            if m.method == "enumerate" && m.args.is_empty() {
                let slice = slice_name(&m.receiver)?;
                let Pat::Tuple(t) = pat else { return None };
                if t.elems.len() != 2 {
                    return None;
                }
                let index = pat_name(&t.elems[0])?;
                let elem = pat_name(&t.elems[1])?;
                return Some(SliceIteration {
                    index_name: Some(index),
                    elements: vec![(elem, slice)],
                });
            }
            if m.method == "zip" && m.args.len() == 1 {
                let a = slice_name(&m.receiver)?;
                let b = slice_name(&m.args[0])?;
                let Pat::Tuple(t) = pat else { return None };
                if t.elems.len() != 2 {
                    return None;
                }
                return Some(SliceIteration {
                    index_name: None,
                    elements: vec![(pat_name(&t.elems[0])?, a), (pat_name(&t.elems[1])?, b)],
                });
            }
        }
        let slice = slice_name(iter)?;
        Some(SliceIteration {
            index_name: None,
            elements: vec![(pat_name(pat)?, slice)],
        })
    }

    fn while_loop(&mut self, w: &syn::ExprWhile) {
        self.check_label(&w.label);
        if let Expr::Let(_) = &*w.cond {
            // Reported by validation.
            return;
        }
        let id = self.fresh_id();
        let cond = &*w.cond;
        let mut prologue = |l: &mut Self| {
            Some(LoopKind::While {
                cond: l.renamed(cond),
            })
        };
        if let Some((kind, body)) = self.loop_body(id, &mut prologue, &w.body.stmts) {
            self.push_loop(id, kind, body);
        }
    }

    fn plain_loop(&mut self, lp: &syn::ExprLoop) {
        self.check_label(&lp.label);
        let id = self.fresh_id();
        let mut prologue = |_: &mut Self| Some(LoopKind::Loop);
        if let Some((kind, body)) = self.loop_body(id, &mut prologue, &lp.body.stmts) {
            self.push_loop(id, kind, body);
        }
    }

    fn jump(&mut self, span: Span, label: Option<&syn::Lifetime>, has_value: bool, is_break: bool) {
        if let Some(l) = label {
            self.errors.push_spanned(
                l,
                "labelled `break` and `continue` are not supported in a #[differentiable] function",
            );
            return;
        }
        if has_value {
            self.errors.push(span, "`break` with a value (a `loop` used as a value) is not supported in a #[differentiable] function; assign to a `let mut` variable and `break`");
            return;
        }
        let Some(&(loop_id, _)) = self.loops.last() else {
            self.errors
                .push(span, "`break` or `continue` outside a loop");
            return;
        };
        let code = self.next_code;
        self.next_code += 1;
        self.stmts.push(Stmt::Jump {
            code,
            loop_id,
            is_break,
        });
    }

    fn early_return(&mut self, r: &syn::ExprReturn) {
        let Some(e) = &r.expr else {
            self.errors
                .push_spanned(r, "`return` needs the value to differentiate");
            return;
        };
        let Some(value) = self.value_expr(e) else {
            return;
        };
        self.early_return = true;
        let code = self.next_code;
        self.next_code += 1;
        let loops = self.loops.iter().rev().copied().collect();
        self.stmts.push(Stmt::Return { code, value, loops });
    }

    fn assign_target(&mut self, lhs: &Expr) -> Option<VarId> {
        if let Expr::Path(p) = strip_parens(lhs) {
            if let Some(id) = p.path.get_ident() {
                if let Some(v) = self.lookup(&id.to_string()) {
                    if self.vars[v].param.is_some() {
                        self.errors.push_spanned(
                            lhs,
                            "a parameter cannot be assigned; bind a new variable: `let mut y = x;`",
                        );
                        return None;
                    }
                    return Some(v);
                }
            }
        }
        self.errors.push_spanned(lhs, "only assignments to a local variable (`y = ...`, `y += ...`) are supported in a #[differentiable] function");
        None
    }

    fn assign(&mut self, lhs: &Expr, rhs: &Expr, span: Span) {
        let Some(target) = self.assign_target(lhs) else {
            return;
        };
        let Some(value) = self.value_expr(rhs) else {
            return;
        };
        self.assign_operand(target, value, span);
    }

    fn assign_operand(&mut self, target: VarId, value: Operand, span: Span) {
        if let Operand::Var(t) = value {
            if self.unnamed.contains(&t) && t != target {
                let deps = self.vars[t].deps.clone();
                if let Some(s) = self.last_defines(t) {
                    // The intermediate is written straight into the variable.
                    s.out = target;
                    s.declare = false;
                    s.ty = None;
                    self.unnamed.remove(&t);
                    self.vars[t].assignments = 0;
                    let var = &mut self.vars[target];
                    var.deps.extend(deps);
                    var.assignments += 1;
                    var.mutable = true;
                    return;
                }
            }
        }
        self.push_op(target, Op::Copy(value), span, false, None);
    }

    fn compound_assign(&mut self, lhs: &Expr, op: &'static str, rhs: &Expr, span: Span) {
        let Some(target) = self.assign_target(lhs) else {
            return;
        };
        if !self.vars[target].is_active() && !self.is_active_expr(rhs) {
            // A counter or other constant: the update is emitted as written.
            let e: Expr = match op {
                "add" => syn::parse_quote!((#lhs) + (#rhs)),
                "sub" => syn::parse_quote!((#lhs) - (#rhs)),
                "mul" => syn::parse_quote!((#lhs) * (#rhs)),
                _ => syn::parse_quote!((#lhs) / (#rhs)),
            };
            let value = self.constant(&e);
            self.assign_operand(target, value, span);
            return;
        }
        let Some(r) = self.value_expr(rhs) else {
            return;
        };
        let Some(rule) = rules::operator(op) else {
            return;
        };
        let value = self.rule(rule, vec![Operand::Var(target), r], vec![], span);
        self.assign_operand(target, value, span);
    }

    // ---- expressions -----------------------------------------------------------

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
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                // `x.len()`, `x.shape()`: reading a shape differentiates nothing.
                if !rules::READERS.contains(&m.method.to_string().as_str()) {
                    self.visit_expr(&m.receiver);
                }
                for a in &m.args {
                    self.visit_expr(a);
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
        if is_numeric_literal(e) {
            // `-2.0`, `1.0 / 3.0`: a literal whose type the uses infer.
            return Operand::Literal(quote!((#e)));
        }
        if let Expr::Path(p) = e {
            if let Some(id) = p.path.get_ident() {
                if let Some(v) = self.lookup(&id.to_string()) {
                    return Operand::Var(v);
                }
            }
        }
        let tokens = self.renamed(e);
        let out = self.new_temp("const", true);
        self.push_op(out, Op::Constant(tokens), e.span(), true, None);
        Operand::Var(out)
    }

    fn rule(
        &mut self,
        rule: &'static rules::Rule,
        operands: Vec<Operand>,
        consts: Vec<Operand>,
        span: Span,
    ) -> Operand {
        // A literal operand that a backward function reads is bound once, up
        // front, so that the forward and the backward agree on its type.
        let operands: Vec<Operand> = operands
            .into_iter()
            .enumerate()
            .map(|(i, op)| match op {
                Operand::Literal(tokens) if rule_reads_operand(rule, i) => {
                    let base = self.fresh_name("lit");
                    let id = self.add_var(base, false, false, false);
                    self.vars[id].top_level = true;
                    self.vars[id].assignments = 1;
                    self.hoisted.push(OpStmt {
                        out: id,
                        op: Op::Constant(tokens),
                        declare: true,
                        ty: None,
                        span,
                        loop_depth: 0,
                    });
                    Operand::Var(id)
                }
                other => other,
            })
            .collect();
        let out = self.new_temp(rule.name, false);
        self.push_op(
            out,
            Op::Rule {
                rule,
                operands,
                consts,
            },
            span,
            true,
            None,
        );
        Operand::Var(out)
    }

    /// An expression whose value is used: control flow becomes a variable
    /// assigned in each branch.
    fn value_expr(&mut self, e: &Expr) -> Option<Operand> {
        match e {
            Expr::If(i) if self.is_active_expr(e) || contains_exit(e) => {
                let out = self.new_temp("if", false);
                self.stmts.push(Stmt::Declare { var: out });
                self.if_expr(i, Some(out));
                Some(Operand::Var(out))
            }
            Expr::Match(m) if self.is_active_expr(e) || contains_exit(e) => {
                let out = self.new_temp("match", false);
                self.stmts.push(Stmt::Declare { var: out });
                self.match_expr(m, Some(out));
                Some(Operand::Var(out))
            }
            Expr::Block(b) if b.label.is_none() && (self.is_active_expr(e) || contains_exit(e)) => {
                self.scopes.push(HashMap::new());
                let out = self.block_stmts(&b.block.stmts, true);
                self.scopes.pop();
                out
            }
            Expr::Paren(p) => self.value_expr(&p.expr),
            Expr::Loop(l) => {
                self.errors.push_spanned(
                    l.loop_token,
                    "a `loop` used as a value (`break value`) is not supported in a #[differentiable] function; declare `let mut y` before the loop, assign it inside, and `break`",
                );
                None
            }
            Expr::ForLoop(_) | Expr::While(_) => {
                self.stmt_expr(e);
                Some(Operand::Literal(quote!(())))
            }
            _ => self.expr(e),
        }
    }

    fn expr(&mut self, e: &Expr) -> Option<Operand> {
        if !self.is_active_expr(e) && !contains_exit(e) {
            return Some(self.constant(e));
        }
        match e {
            Expr::Paren(p) => self.value_expr(&p.expr),
            Expr::Group(g) => self.value_expr(&g.expr),
            Expr::If(_) | Expr::Match(_) | Expr::Block(_) => self.value_expr(e),
            Expr::Reference(r) => {
                if let Some(m) = &r.mutability {
                    self.errors.push_spanned(m, "`&mut` borrows are not supported in a #[differentiable] function; bind a new value with `let` instead");
                    return None;
                }
                self.value_expr(&r.expr)
            }
            Expr::Path(_) => Some(self.constant(e)),
            Expr::Unary(u) => match u.op {
                UnOp::Deref(_) => self.value_expr(&u.expr),
                UnOp::Neg(_) => {
                    let x = self.value_expr(&u.expr)?;
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
            Expr::Index(i) => self.index(i, e),
            Expr::Cast(c) => {
                self.errors.push_spanned(c.as_token, "an `as` cast of a differentiated value is not supported; floats convert with `A::from_f64(..)`, and a cast of a value that is not differentiated is fine");
                None
            }
            Expr::Field(f) => self.field(f, e),
            Expr::Tuple(t) => {
                self.errors.push_spanned(t, "a tuple of differentiated values can only be destructured right away: `let (a, b) = (x * 2.0, y);`");
                None
            }
            Expr::Array(a) => {
                self.errors.push_spanned(a, "arrays of differentiated values are not supported; build a Tensor outside the function and pass it in, or use `concatenate`/`stack`");
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

    /// `m.w1` of a differentiated struct parameter: a borrowed projection.
    fn field(&mut self, f: &syn::ExprField, e: &Expr) -> Option<Operand> {
        let base = match self.value_expr(&f.base)? {
            Operand::Var(b) if self.vars[b].is_passed_ref() => b,
            _ => {
                self.errors.push_spanned(
                    f,
                    "only fields of a parameter taken by reference (`m: &Model`, then `m.w1`) are differentiated; pass the value as its own parameter",
                );
                return None;
            }
        };
        let name = match &f.member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => format!("field{}", i.index),
        };
        let base_name = self.vars[base].base.clone();
        let id = self.new_temp(&format!("{base_name}_{name}"), false);
        self.vars[id].is_ref = true;
        self.vars[id].projection = Some((base, f.member.clone()));
        self.push_op(id, Op::Field(base, f.member.clone()), e.span(), true, None);
        Some(Operand::Var(id))
    }

    fn index(&mut self, i: &syn::ExprIndex, e: &Expr) -> Option<Operand> {
        let x = self.value_expr(&i.expr)?;
        let index = self.constant(&i.index);
        let rule = rules::index()?;
        Some(self.rule(rule, vec![x], vec![index], e.span()))
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
                let out = self.new_temp("cmp", true);
                self.push_op(out, Op::Constant(tokens), e.span(), true, None);
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
        let lhs = self.value_expr(&b.left);
        let rhs = self.value_expr(&b.right);
        let rule = rules::operator(name)?;
        Some(self.rule(rule, vec![lhs?, rhs?], vec![], e.span()))
    }

    fn method(&mut self, m: &syn::ExprMethodCall, e: &Expr) -> Option<Operand> {
        let name = m.method.to_string();
        if rules::IDENTITIES.contains(&name.as_str()) && m.args.is_empty() {
            return self.value_expr(&m.receiver);
        }
        if rules::READERS.contains(&name.as_str()) {
            let tokens = self.renamed(e);
            let out = self.new_temp(&name, true);
            self.push_op(out, Op::Constant(tokens), e.span(), true, None);
            return Some(Operand::Var(out));
        }
        // `a.matmul(&b.t())`: one fused rule, so `b` is never transposed into a copy.
        if name == "matmul" && m.args.len() == 1 {
            if let Expr::MethodCall(t) = strip_parens(strip_ref(&m.args[0]).0) {
                if t.method == "t" && t.args.is_empty() && t.turbofish.is_none() {
                    let a = self.value_expr(&m.receiver);
                    let b = self.value_expr(&t.receiver);
                    let rule = rules::fused("matmul_t")?;
                    return Some(self.rule(rule, vec![a?, b?], vec![], e.span()));
                }
            }
        }
        // `(x * x).sum_axis(axis)`: one fused rule, so the squares and the
        // gradient of their sum are never arrays of their own.
        if name == "sum_axis" && m.args.len() == 1 && m.turbofish.is_none() {
            if let Some(x) = self.squared_var(&m.receiver) {
                let x = self.value_expr(x);
                let axis = self.constant(&m.args[0]);
                let rule = rules::fused("square_sum_axis")?;
                return Some(self.rule(rule, vec![x?], vec![axis], e.span()));
            }
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
        let receiver = self.value_expr(&m.receiver);
        let mut operands = vec![];
        let mut consts = vec![];
        for (arg, kind) in m.args.iter().zip(rule.args) {
            match kind {
                Arg::Operand => operands.push(self.value_expr(strip_ref(arg).0)),
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

    /// `x * x` (or `&x * &x`) of one differentiated variable: that variable's
    /// expression.
    fn squared_var<'e>(&self, e: &'e Expr) -> Option<&'e Expr> {
        let Expr::Binary(b) = strip_parens(e) else {
            return None;
        };
        if !matches!(b.op, BinOp::Mul(_)) {
            return None;
        }
        let operand = |e: &'e Expr| strip_ref(strip_parens(e)).0;
        let name = |e: &Expr| match e {
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        };
        let (l, r) = (operand(&b.left), operand(&b.right));
        let (ln, rn) = (name(l)?, name(r)?);
        let v = self.lookup(&ln)?;
        (ln == rn && self.vars[v].is_active()).then_some(l)
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
        if let Some(op) = self.join(p, c, e) {
            return op;
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
            match self.value_expr(inner) {
                Some(operand) => args.push(CallArg { operand, by_ref }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let what = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_else(|| "call".into());
        let out = self.new_temp(&what, false);
        self.push_op(
            out,
            Op::Call {
                path,
                turbofish,
                args,
            },
            e.span(),
            true,
            None,
        );
        Some(Operand::Var(out))
    }
}

impl Lowerer<'_> {
    /// `concatenate(axis, &[&a, &b])` and `stack(axis, &[..])`: one rule over all parts.
    fn join(&mut self, p: &syn::ExprPath, c: &syn::ExprCall, e: &Expr) -> Option<Option<Operand>> {
        let name = p.path.segments.last()?.ident.to_string();
        if name != "concatenate" && name != "stack" || c.args.len() != 2 {
            return None;
        }
        let Expr::Array(parts) = strip_ref(&c.args[1]).0 else {
            return None;
        };
        let rule = rules::join(&name, parts.elems.len())?;
        let axis = self.constant(&c.args[0]);
        let mut operands = Vec::new();
        for part in &parts.elems {
            operands.push(self.value_expr(strip_ref(part).0));
        }
        let operands = operands.into_iter().collect::<Option<Vec<_>>>();
        Some(operands.map(|ops| self.rule(rule, ops, vec![axis], e.span())))
    }
}

struct SliceIteration {
    /// `i` in `for (i, v) in x.iter().enumerate()`.
    index_name: Option<String>,
    /// Each element binding and the slice it reads.
    elements: Vec<(String, syn::Ident)>,
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

/// A literal, or negations, parentheses and arithmetic of literals.
fn is_numeric_literal(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => matches!(l.lit, syn::Lit::Float(_) | syn::Lit::Int(_)),
        Expr::Paren(p) => is_numeric_literal(&p.expr),
        Expr::Group(g) => is_numeric_literal(&g.expr),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => is_numeric_literal(&u.expr),
        Expr::Binary(b)
            if matches!(
                b.op,
                BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
            ) =>
        {
            is_numeric_literal(&b.left) && is_numeric_literal(&b.right)
        }
        _ => false,
    }
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

fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        _ => e,
    }
}

fn compound_op(op: &BinOp) -> Option<&'static str> {
    match op {
        BinOp::AddAssign(_) => Some("add"),
        BinOp::SubAssign(_) => Some("sub"),
        BinOp::MulAssign(_) => Some("mul"),
        BinOp::DivAssign(_) => Some("div"),
        _ => None,
    }
}

/// Whether an expression contains `break`, `continue` or `return`, or a loop.
fn contains_exit(e: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::Break(_)
                | Expr::Continue(_)
                | Expr::Return(_)
                | Expr::ForLoop(_)
                | Expr::While(_)
                | Expr::Loop(_)
                | Expr::Assign(_) => self.0 = true,
                Expr::Binary(b) if compound_op(&b.op).is_some() => self.0 = true,
                Expr::Closure(_) => {}
                _ => syn::visit::visit_expr(self, e),
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(false);
    f.visit_expr(e);
    f.0
}

/// Whether a block's last statement leaves it (so it needs no value).
fn ends_in_exit(stmts: &[syn::Stmt]) -> bool {
    matches!(
        stmts.last(),
        Some(syn::Stmt::Expr(
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_),
            _
        ))
    )
}
