//! Expressions kept whole: renaming the user's variables to the values they
//! name, and telling whether an expression must be lowered at all.

use quote::ToTokens;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr};

use super::{Lowerer, Slot};
use crate::core::{Const, ValueId};
use crate::names;
use crate::table;

impl Lowerer<'_> {
    /// The value a single-identifier path names, with whether the variable
    /// is a reference to it.
    pub fn path_slot(&self, e: &Expr) -> Option<(Slot, String)> {
        let Expr::Path(p) = e else { return None };
        if p.qself.is_some() {
            return None;
        }
        let id = p.path.get_ident()?;
        let name = names::unraw(id);
        let b = self.env.lookup(&name)?;
        Some((self.env.slot(b), name))
    }

    /// The expression with the body's variables renamed to the values they
    /// name (`(&v)` for a variable that is a reference to `v`), and relative
    /// paths adjusted for the generated module.
    pub fn renamed(&mut self, e: &Expr) -> Const {
        let mut e = e.clone();
        let mut r = Renamer {
            l: self,
            reads: Vec::new(),
            undefined: Vec::new(),
            writes: Vec::new(),
            bound: Bound::default(),
        };
        r.visit_expr_mut(&mut e);
        let (reads, undefined, writes) = (r.reads, r.undefined, r.writes);
        for (span, name) in undefined {
            self.errors
                .push(span, format!("`{name}` is used before it is assigned"));
        }
        // A closure value runs nothing: what it changes is refused where
        // it is called (or, for a `let`-bound one, by the closure checks).
        let closure = matches!(super::stmt::strip_parens(&e), Expr::Closure(_));
        for (span, name) in writes.into_iter().filter(|_| !closure) {
            self.errors.push(span, format!(
                "this changes `{name}` inside an expression whose result is a constant (a count, a length, a comparison), which #[differentiable] keeps whole: the values and gradients after it would not follow the change; make the change a statement of its own, in a `for` loop (`for v in xs {{ total += v; }}`, `for i in 0..n {{ out[i] = ..; }}`)"
            ));
        }
        Const {
            reads,
            tokens: e.into_token_stream(),
        }
    }

    /// Whether a constant expression calls a method with a rule on a
    /// differentiated value (`s.abs() > 1.0`): it is lowered through the
    /// rule, whose type rustc resolves later, rather than kept whole (a
    /// method call needs its receiver's type at once, and a differentiated
    /// value's may not be known yet: `let mut s = 0.0;` then `s += x`).
    pub fn has_rule_call(&self, e: &Expr) -> bool {
        struct F<'a, 'l> {
            l: &'a Lowerer<'l>,
            found: bool,
        }
        impl<'ast> Visit<'ast> for F<'_, '_> {
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                let name = names::unraw(&m.method);
                if table::method(&name).is_some() && self.l.is_active_expr(&m.receiver) {
                    self.found = true;
                    return;
                }
                syn::visit::visit_expr_method_call(self, m)
            }
            fn visit_item(&mut self, _: &'ast syn::Item) {}
        }
        let mut f = F {
            l: self,
            found: false,
        };
        f.visit_expr(e);
        f.found
    }

    /// Whether an expression depends on a differentiated value. Reading a
    /// shape (`x.len()`, `x.shape()`) differentiates nothing.
    pub fn is_active_expr(&self, e: &Expr) -> bool {
        let mut f = ActiveFinder {
            l: self,
            found: false,
            bound: Bound::default(),
        };
        f.visit_expr(e);
        f.found
    }
}

struct Renamer<'a, 'l> {
    l: &'a Lowerer<'l>,
    reads: Vec<ValueId>,
    undefined: Vec<(proc_macro2::Span, String)>,
    /// The body's variables the expression changes (`t += v` in a closure,
    /// `out.iter_mut()`): refused, the lowering would not see the change.
    writes: Vec<(proc_macro2::Span, String)>,
    bound: Bound,
}

/// Methods that change their receiver in place.
const MUTATING: &[&str] = &[
    "iter_mut",
    "as_mut",
    "as_mut_slice",
    "get_mut",
    "first_mut",
    "last_mut",
    "split_at_mut",
    "chunks_mut",
    "chunks_exact_mut",
    "windows_mut",
    "values_mut",
    "push",
    "pop",
    "insert",
    "remove",
    "swap_remove",
    "clear",
    "extend",
    "extend_from_slice",
    "truncate",
    "retain",
    "sort",
    "sort_by",
    "sort_by_key",
    "sort_unstable",
    "sort_unstable_by",
    "reverse",
    "swap",
    "fill",
    "fill_with",
    "rotate_left",
    "rotate_right",
    "append",
    "drain",
    "dedup",
    "resize",
    "copy_from_slice",
    "clone_from_slice",
    "map_inplace",
    "mapv_inplace",
    "assign",
];

impl Renamer<'_, '_> {
    /// Records a change of `target` when it is one of the body's variables.
    fn check_write(&mut self, target: &Expr, at: proc_macro2::Span) {
        let root = crate::desugar::place_root(target);
        if self.bound.has(root) {
            return;
        }
        if let Some((_, name)) = self.l.path_slot(root) {
            self.writes.push((at, name));
        }
    }

    fn check_writes(&mut self, e: &Expr) {
        use syn::spanned::Spanned;
        match e {
            Expr::Assign(a) => self.check_write(&a.left, a.span()),
            Expr::Binary(b) if is_compound(&b.op) => self.check_write(&b.left, b.span()),
            Expr::Reference(r) if r.mutability.is_some() => self.check_write(&r.expr, r.span()),
            Expr::MethodCall(m) if MUTATING.contains(&names::unraw(&m.method).as_str()) => {
                self.check_write(&m.receiver, m.method.span())
            }
            _ => {}
        }
    }
}

/// The names closures inside a kept expression bind (their parameters and
/// `let`s), which are not the body's variables.
#[derive(Default)]
struct Bound {
    names: Vec<String>,
}

impl Bound {
    fn has(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .is_some_and(|i| self.names.contains(&names::unraw(i))),
            _ => false,
        }
    }
    fn bind(&mut self, p: &syn::Pat) -> usize {
        let mark = self.names.len();
        crate::desugar::pat_names(p, &mut self.names);
        mark
    }
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let mark = self.bound.names.len();
        for p in &c.inputs {
            self.bound.bind(p);
        }
        self.visit_expr_mut(&mut c.body);
        self.bound.names.truncate(mark);
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let mark = self.bound.names.len();
        for s in &mut b.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.visit_expr_mut(&mut init.expr);
                    }
                    self.bound.bind(&l.pat);
                }
                other => syn::visit_mut::visit_stmt_mut(self, other),
            }
        }
        self.bound.names.truncate(mark);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if self.bound.has(e) {
            return;
        }
        self.check_writes(e);
        match self.l.path_slot(e) {
            Some((Slot::Value { value, borrowed }, _)) => {
                let ident = self.l.values[value].ident.clone();
                self.reads.push(value);
                *e = if borrowed {
                    syn::parse_quote!((&#ident))
                } else {
                    syn::parse_quote!(#ident)
                };
                return;
            }
            Some((Slot::Undef, name)) => {
                self.undefined.push((syn::spanned::Spanned::span(e), name));
                return;
            }
            None => {}
        }
        syn::visit_mut::visit_expr_mut(self, e)
    }

    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        // `S { x }` names the variable `x`: written out, so that it can be renamed.
        if f.colon_token.is_none() {
            f.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_value_mut(self, f)
    }

    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        names::fix_relative_path(p);
        syn::visit_mut::visit_path_mut(self, p)
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

struct ActiveFinder<'a, 'l> {
    l: &'a Lowerer<'l>,
    found: bool,
    bound: Bound,
}

impl<'ast> Visit<'ast> for ActiveFinder<'_, '_> {
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let mark = self.bound.names.len();
        for p in &c.inputs {
            self.bound.bind(p);
        }
        self.visit_expr(&c.body);
        self.bound.names.truncate(mark);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let mark = self.bound.names.len();
        for s in &b.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &l.init {
                        self.visit_expr(&init.expr);
                    }
                    self.bound.bind(&l.pat);
                }
                other => syn::visit::visit_stmt(self, other),
            }
        }
        self.bound.names.truncate(mark);
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.found || self.bound.has(e) {
            return;
        }
        if let Some((slot, _)) = self.l.path_slot(e) {
            if let Some(v) = slot.value() {
                self.found |= self.l.values[v].active;
            }
            return;
        }
        // `x as i32`, `f64::floor(x)`: constants whatever `x` is.
        if super::cast::is_constant_cast(e) || super::call::is_reader_call(e) {
            return;
        }
        // `a.total_cmp(b)`, `x.len()`: constants whatever `a` and `x` are.
        if let Expr::MethodCall(m) = e {
            if crate::table::READERS.contains(&names::unraw(&m.method).as_str()) {
                return;
            }
        }
        syn::visit::visit_expr(self, e)
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if !table::READERS.contains(&crate::names::unraw(&m.method).as_str()) {
            self.visit_expr(&m.receiver);
        }
        for a in &m.args {
            self.visit_expr(a);
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Whether an expression holds control flow, scopes or assignments, so that
/// it must be lowered construct by construct even when nothing in it is
/// differentiated (a constant `if`, a block with `let`s, a `match` whose
/// arms bind names, a `loop` with `break value`).
pub fn needs_structure(e: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, e: &'ast Expr) {
            if self.0 {
                return;
            }
            match e {
                Expr::Block(_)
                | Expr::If(_)
                | Expr::Match(_)
                | Expr::Loop(_)
                | Expr::While(_)
                | Expr::ForLoop(_)
                | Expr::Let(_)
                | Expr::Assign(_)
                | Expr::Return(_)
                | Expr::Break(_)
                | Expr::Continue(_)
                | Expr::Unsafe(_)
                | Expr::Async(_)
                | Expr::TryBlock(_)
                | Expr::Const(_) => self.0 = true,
                Expr::Binary(b) if is_compound(&b.op) => self.0 = true,
                // A closure is a value of its own: kept whole when nothing
                // in it is differentiated.
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

pub fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}
