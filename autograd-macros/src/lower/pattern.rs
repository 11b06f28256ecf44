//! Patterns: `let` bindings, tuples taken apart (every value on the right
//! is computed before any name is bound, so `let (a, b) = (b, a);` swaps),
//! and the patterns of `match` arms.

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

use super::stmt::strip_parens;
use super::{Lowerer, Slot};
use crate::core::{Bind, Const, Inst, Let, Op, Operand, Origin, Repr, ValueId};
use crate::names;

/// The values of a (possibly nested) tuple expression, computed in order.
pub enum Tree {
    Leaf {
        operand: Operand,
        borrowed: bool,
        span: proc_macro2::Span,
    },
    Node(Vec<Tree>),
}

/// Whether the expression is a borrow `&x` (under parentheses).
pub fn is_borrow(e: &Expr) -> bool {
    strip_ref(e).1
}

/// `&x` → (`x`, true); anything else → (itself, false).
pub fn strip_ref(e: &Expr) -> (&Expr, bool) {
    match e {
        Expr::Reference(r) if r.mutability.is_none() => (&r.expr, true),
        Expr::Paren(p) => strip_ref(&p.expr),
        Expr::Group(g) => strip_ref(&g.expr),
        _ => (e, false),
    }
}

impl Lowerer<'_> {
    /// Lowers every element of a tuple expression (and of tuples inside it).
    pub fn tree(&mut self, e: &Expr) -> Option<Tree> {
        if let Expr::Tuple(t) = strip_parens(e) {
            let mut out = Vec::new();
            for el in &t.elems {
                out.push(self.tree(el)?);
            }
            return Some(Tree::Node(out));
        }
        let operand = self.value(e)?;
        Some(Tree::Leaf {
            borrowed: self.borrows(e, &operand),
            operand,
            span: e.span(),
        })
    }

    /// `(a, b) = <tree>`: each target gets its value.
    pub fn assign_tree(&mut self, lhs: &Expr, tree: Tree) {
        match (strip_parens(lhs), tree) {
            (Expr::Tuple(t), Tree::Node(parts)) if t.elems.len() == parts.len() => {
                for (target, part) in t.elems.iter().zip(parts) {
                    self.assign_tree(target, part);
                }
            }
            // `(q, r) = f(x);`, `(p, d) = h(0.5, 0.65);`
            (Expr::Tuple(t), Tree::Leaf { operand: operand @ Operand::Value(_), span, .. }) => {
                if let Some(parts) = self.split(operand, t.elems.len(), span) {
                    self.assign_tree(lhs, parts);
                }
            }
            (Expr::Infer(_), _) => {}
            (target @ Expr::Path(_), Tree::Leaf { operand, borrowed, span }) => {
                if let Some(b) = self.assign_target(target) {
                    self.set(b, operand, borrowed, span);
                }
            }
            (other, _) => self.errors.push_spanned(
                other,
                "a destructuring assignment needs a tuple of the same shape on the right: `(a, b) = (b, a);`",
            ),
        }
    }

    fn assign_target(&mut self, e: &Expr) -> Option<super::BindingId> {
        let (_, name) = self.path_slot(e)?;
        let b = self.env.lookup(&name)?;
        if b < self.params.len() {
            self.errors.push_spanned(
                e,
                "a parameter cannot be assigned; bind a new variable: `let mut y = x;`",
            );
            return None;
        }
        Some(b)
    }

    /// `let <pat>: <ty> = <init>;`
    pub fn bind_pattern(&mut self, pat: &Pat, ty: Option<syn::Type>, init: &Expr) {
        match pat {
            Pat::Ident(pi) if pi.subpat.is_none() => {
                let Some(operand) = self.value(init) else { return };
                let borrowed = self.borrows(init, &operand) || pi.by_ref.is_some();
                self.declare_operand(&names::unraw(&pi.ident), operand, borrowed, ty, init.span());
            }
            Pat::Wild(_) => {
                let _ = self.value(init);
            }
            Pat::Tuple(_) | Pat::Paren(_) if matches!(strip_parens(init), Expr::Tuple(_)) => {
                let Some(tree) = self.tree(init) else { return };
                self.bind_tree(pat, tree);
            }
            _ if !self.is_active_expr(init) => self.constant_pattern(pat, init),
            // `let [p, q] = v;` of an array value: one element each.
            Pat::Slice(ps) => {
                let Some(operand) = self.value(init) else { return };
                if let Some(parts) = self.elements(ps, operand) {
                    self.bind_tree(&tuple_of(ps), parts);
                }
            }
            // `let (q, r) = f(x);`: the tuple `f` returns, taken apart.
            Pat::Tuple(_) | Pat::Paren(_) => {
                let Some(operand) = self.value(init) else { return };
                let span = init.span();
                self.bind_tree(pat, Tree::Leaf { operand, borrowed: false, span });
            }
            other => self.errors.push_spanned(
                other,
                "only `let name = ..`, `let (a, b) = (.., ..)` and `let _ = ..` bind differentiated values; bind each value to its own name",
            ),
        }
    }

    /// A pattern bound to the values of a tuple expression.
    fn bind_tree(&mut self, pat: &Pat, tree: Tree) {
        match (pat, tree) {
            (Pat::Paren(p), t) => self.bind_tree(&p.pat, t),
            (Pat::Type(pt), t) => self.bind_tree(&pt.pat, t),
            (Pat::Tuple(pt), Tree::Leaf { operand, span, .. })
                if self.is_active(&operand) && !pt.elems.iter().any(|p| matches!(p, Pat::Rest(_))) =>
            {
                if let Some(parts) = self.split(operand, pt.elems.len(), span) {
                    self.bind_tree(pat, parts);
                }
            }
            // `let (q, r) = h(c);` of constant arguments: a constant pattern.
            (Pat::Tuple(_) | Pat::Slice(_), Tree::Leaf { operand: Operand::Value(v), .. })
                if !self.values[v].active =>
            {
                self.bind_constant(pat, v);
            }
            (Pat::Tuple(pt), Tree::Node(parts)) => {
                let rest = pt.elems.iter().position(|p| matches!(p, Pat::Rest(_)));
                let pats: Vec<&Pat> = pt.elems.iter().collect();
                let n = parts.len();
                match rest {
                    None if pats.len() == n => {
                        for (p, t) in pats.into_iter().zip(parts) {
                            self.bind_tree(p, t);
                        }
                    }
                    Some(r) if pats.len() - 1 <= n => {
                        let after = pats.len() - 1 - r;
                        for (i, t) in parts.into_iter().enumerate() {
                            if i < r {
                                self.bind_tree(pats[i], t);
                            } else if i >= n - after {
                                self.bind_tree(pats[i + pats.len() - n], t);
                            }
                        }
                    }
                    _ => self.errors.push_spanned(pt, "this pattern has a different number of elements than the tuple"),
                }
            }
            (Pat::Ident(pi), Tree::Leaf { operand, borrowed, span }) if pi.subpat.is_none() => {
                let borrowed = borrowed || pi.by_ref.is_some();
                self.declare_operand(&names::unraw(&pi.ident), operand, borrowed, None, span);
            }
            (Pat::Wild(_), _) => {}
            (Pat::Reference(r), Tree::Leaf { operand, span, .. }) => {
                self.bind_tree(&r.pat, Tree::Leaf { operand, borrowed: false, span });
            }
            (other, _) => self.errors.push_spanned(
                other,
                "bind each element of a tuple of differentiated values to a name: `let (a, b) = (x * 2.0, y);`",
            ),
        }
    }

    /// A new variable naming an operand (a literal becomes a value of its own).
    pub fn declare_operand(
        &mut self,
        name: &str,
        operand: Operand,
        borrowed: bool,
        ty: Option<syn::Type>,
        span: proc_macro2::Span,
    ) {
        let slot = match operand {
            Operand::Undef => Slot::Undef,
            Operand::Value(v) => {
                let ty = ty.filter(|t| !matches!(t, syn::Type::Reference(_)));
                let fresh = self.name_value(v, name);
                let ty = match self.last_let(v) {
                    Some(l) if fresh => {
                        l.ty = ty;
                        None
                    }
                    _ => ty,
                };
                if let Some(t) = ty {
                    // `let q: f64 = s;` names `s`'s value, and
                    // `let q: f64 = if c { .. } else { .. };` a join's:
                    // the annotation says its type.
                    self.check_type(v, &t);
                }
                Slot::Value { value: v, borrowed }
            }
            Operand::Lit(tokens) => {
                let v = self.new_value(name, true, Origin::Let, Repr::Owned, false, span);
                self.push(Inst::Let(Let {
                    out: v,
                    op: Op::Const(Const {
                        tokens,
                        reads: vec![],
                    }),
                    ty,
                    span,
                }));
                Slot::of(v)
            }
        };
        self.env.declare(name, slot);
    }

    /// `let <pattern> = v;` of a constant value `v`.
    fn bind_constant(&mut self, pat: &Pat, v: ValueId) {
        let ident = self.values[v].ident.clone();
        let value = Const {
            tokens: quote::quote!(#ident),
            reads: vec![v],
        };
        self.bind_const(pat, value);
    }

    /// `let <pattern> = <constant>;`: every binding is a constant.
    fn constant_pattern(&mut self, pat: &Pat, init: &Expr) {
        let value = self.renamed(init);
        self.bind_const(pat, value);
    }

    /// `let <pattern> = <value>;` of a constant expression.
    fn bind_const(&mut self, pat: &Pat, value: Const) {
        let (pat, bindings) = self.pattern_bindings(pat, &[]);
        self.push(Inst::Bind(Bind {
            pat,
            value,
            bindings,
        }));
    }

    /// Renames the bindings of a pattern to new constant values, declared in
    /// the current scope. `aliases`: names bound to differentiated values
    /// (the pattern binds them as `_`; the caller declares them).
    pub fn pattern_bindings(
        &mut self,
        pat: &Pat,
        aliases: &[String],
    ) -> (proc_macro2::TokenStream, Vec<ValueId>) {
        struct Renamer<'a, 'l> {
            l: &'a mut Lowerer<'l>,
            aliases: &'a [String],
            bindings: Vec<ValueId>,
            declared: Vec<(String, ValueId)>,
        }
        impl VisitMut for Renamer<'_, '_> {
            fn visit_pat_mut(&mut self, p: &mut Pat) {
                if let Pat::Ident(pi) = p {
                    let name = names::unraw(&pi.ident);
                    if self.aliases.contains(&name) {
                        *p = match pi.subpat.take() {
                            Some((_, sub)) => *sub,
                            None => syn::parse_quote!(_),
                        };
                        self.visit_pat_mut(p);
                        return;
                    }
                    // The alternatives of `A(x) | B(x)` bind the same `x`.
                    let v = match self.declared.iter().find(|(n, _)| *n == name) {
                        Some((_, v)) => *v,
                        None => {
                            let span = pi.ident.span();
                            let v = self.l.new_value(
                                &name,
                                true,
                                Origin::Pattern,
                                Repr::Unknown,
                                false,
                                span,
                            );
                            self.bindings.push(v);
                            self.declared.push((name, v));
                            v
                        }
                    };
                    pi.ident = self.l.values[v].ident.clone();
                }
                syn::visit_mut::visit_pat_mut(self, p)
            }
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                // Constants inside patterns (`0.0..=lim`): the variables they name.
                let c = self.l.renamed(e);
                if let Ok(renamed) = syn::parse2(c.tokens) {
                    *e = renamed;
                }
            }
        }
        let mut p = pat.clone();
        let mut r = Renamer {
            l: self,
            aliases,
            bindings: Vec::new(),
            declared: Vec::new(),
        };
        r.visit_pat_mut(&mut p);
        let (bindings, declared) = (r.bindings, r.declared);
        for (name, v) in declared {
            self.env.declare(&name, Slot::of(v));
        }
        (p.into_token_stream(), bindings)
    }
}

/// `[a, b]` as the tuple pattern `(a, b)`, to bind its elements' values.
fn tuple_of(ps: &syn::PatSlice) -> Pat {
    Pat::Tuple(syn::PatTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: ps.elems.clone(),
    })
}
