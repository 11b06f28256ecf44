//! Expressions: one operation per definition, constants kept whole.

use proc_macro2::Span;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, UnOp};

use super::rename::needs_structure;
use super::{Lowerer, Slot};
use crate::core::{Op, Operand, Origin, Part, Repr};
use crate::table::{self, OpEntry};

impl Lowerer<'_> {
    /// The value of an expression. `None`: an error was reported.
    /// After a jump (dead code), `Undef`.
    pub fn value(&mut self, e: &Expr) -> Option<Operand> {
        if self.term.is_some() {
            return Some(Operand::Undef);
        }
        if !self.is_active_expr(e) && !needs_structure(e) {
            return Some(self.constant(e));
        }
        match e {
            Expr::Paren(p) => self.value(&p.expr),
            Expr::Group(g) => self.value(&g.expr),
            Expr::Path(_) => match self.path_slot(e) {
                Some((Slot::Value { value, .. }, _)) => Some(Operand::Value(value)),
                Some((Slot::Undef, name)) => {
                    self.errors
                        .push_spanned(e, format!("`{name}` is used before it is assigned"));
                    None
                }
                None => Some(self.constant(e)),
            },
            Expr::Reference(r) => {
                if let Some(m) = &r.mutability {
                    self.errors.push_spanned(m, "`&mut` borrows are not supported in a #[differentiable] function; bind a new value with `let` instead");
                    return None;
                }
                self.value(&r.expr)
            }
            Expr::Unary(u) => self.unary(u, e),
            Expr::Binary(b) if super::rename::is_compound(&b.op) => {
                self.stmt_expr(e);
                Some(Operand::Lit(quote!(())))
            }
            Expr::Binary(b) => self.binary(b, e),
            Expr::MethodCall(m) => self.method(m, e),
            Expr::Call(c) => self.call(c, e),
            Expr::Index(i) => self.index(i),
            Expr::Field(f) => self.field(f, e),
            Expr::If(i) => self.if_expr(i, true),
            Expr::Match(m) => self.match_expr(m, true),
            Expr::Block(b) if b.label.is_some() => self.labelled(b, true),
            Expr::Block(b) => {
                self.env.push_scope();
                let v = self.tail(&b.block, true);
                self.env.pop_scope();
                v
            }
            Expr::Loop(_) => self.loop_expr(e, true),
            Expr::ForLoop(_) | Expr::While(_) => self.loop_expr(e, false),
            Expr::Assign(_) | Expr::Break(_) | Expr::Continue(_) | Expr::Return(_) => {
                self.stmt_expr(e);
                Some(if self.term.is_some() {
                    Operand::Undef
                } else {
                    Operand::Lit(quote!(()))
                })
            }
            Expr::Macro(m) => {
                self.check_macro(&m.mac);
                Some(Operand::Lit(quote!(())))
            }
            Expr::Cast(c) => self.cast(c, e),
            Expr::Closure(c) => {
                self.errors.push_spanned(c.or1_token, "this closure reads a differentiated value and is used other than by calling it or passing it to an iterator adapter (`map`, `filter`, `fold`, `for_each`) of a chain over slices or ranges that ends in `sum`, `product`, `fold`, `for_each` or a `for` loop; call it directly, or write the loop with `for`");
                None
            }
            Expr::Tuple(t) => self.tuple_value(t),
            Expr::Array(a) => self.array_value(a),
            Expr::Repeat(a) => {
                self.errors.push_spanned(a, "arrays of differentiated values are not supported; build a Tensor outside the function and pass it in");
                None
            }
            Expr::Struct(s) => {
                self.errors.push_spanned(s, "building a struct from differentiated values is not supported; return a tensor");
                None
            }
            Expr::Range(r) => {
                self.errors
                    .push_spanned(r, "a range of differentiated values is not supported");
                None
            }
            Expr::Let(l) => {
                self.errors.push_spanned(
                    l.let_token,
                    "`let` inside an expression is only supported as `if let`",
                );
                None
            }
            // Every other form is rejected by the checks.
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

    /// An expression that depends on no differentiated value: a literal
    /// (emitted where it is used), a variable's value, or a new constant.
    pub fn constant(&mut self, e: &Expr) -> Operand {
        if let Expr::Lit(lit) = e {
            return Operand::Lit(lit.to_token_stream());
        }
        if is_numeric_literal(e) {
            // `-2.0`, `1.0 / 3.0`: a literal whose type the uses infer.
            return Operand::Lit(quote!((#e)));
        }
        if let Some((
            Slot::Value {
                value,
                borrowed: false,
            },
            _,
        )) = self.path_slot(e)
        {
            return Operand::Value(value);
        }
        let repr = self.const_repr(e);
        let c = self.renamed(e);
        self.define("const", Op::Const(c), repr, false, e.span())
    }

    /// What the macro can tell of a constant's type: literals, casts and
    /// the results of operators are owned (`&a * b` is a value, as is
    /// `-&a`); anything else may be a reference. Owned constants are passed
    /// to rules as `&c`, which lets rustc give an unsuffixed literal's
    /// `{float}` the type of the other operand, as the plain function does.
    pub(crate) fn const_repr(&self, e: &Expr) -> Repr {
        match e {
            Expr::Lit(_) | Expr::Cast(_) | Expr::Binary(_) => Repr::Owned,
            Expr::Paren(p) => self.const_repr(&p.expr),
            Expr::Group(g) => self.const_repr(&g.expr),
            Expr::Unary(u) if !matches!(u.op, UnOp::Deref(_)) => Repr::Owned,
            Expr::Path(_) => match self.path_slot(e) {
                Some((
                    Slot::Value {
                        value,
                        borrowed: false,
                    },
                    _,
                )) => self.values[value].repr,
                _ => Repr::Unknown,
            },
            _ => Repr::Unknown,
        }
    }

    fn unary(&mut self, u: &syn::ExprUnary, e: &Expr) -> Option<Operand> {
        match u.op {
            UnOp::Deref(_) => self.value(&u.expr),
            UnOp::Neg(_) => {
                let x = self.value(&u.expr)?;
                let rule = table::operator("neg")?;
                Some(self.rule(rule, vec![x], vec![], u.op.span()))
            }
            // `!` of a comparison: a constant, of the comparison's value.
            _ => {
                let x = self.value(&u.expr)?;
                let c = self.operand_const(&x);
                let op = u.op;
                let tokens = c.tokens;
                Some(self.define(
                    "not",
                    Op::Const(crate::core::Const {
                        tokens: quote!(#op (#tokens)),
                        reads: c.reads,
                    }),
                    Repr::Unknown,
                    false,
                    e.span(),
                ))
            }
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary, e: &Expr) -> Option<Operand> {
        let name = match b.op {
            BinOp::Add(_) => "add",
            BinOp::Sub(_) => "sub",
            BinOp::Mul(_) => "mul",
            BinOp::Div(_) => "div",
            BinOp::Rem(_) => "rem",
            // Comparisons and logic give constants (bools).
            BinOp::Eq(_)
            | BinOp::Ne(_)
            | BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Gt(_)
            | BinOp::Ge(_)
            | BinOp::And(_)
            | BinOp::Or(_) => {
                if !needs_structure(e) && !self.has_rule_call(e) {
                    let c = self.renamed(e);
                    return Some(self.define("cmp", Op::Const(c), Repr::Unknown, false, e.span()));
                }
                return self.structured_logic(b, e);
            }
            op => {
                self.errors.push_spanned(
                    op,
                    format!("the operator `{}` has no derivative rule; use `+`, `-`, `*`, `/` or a method with a rule", op.to_token_stream()),
                );
                return None;
            }
        };
        let lhs = self.value(&b.left);
        let rhs = self.value(&b.right);
        let rule = table::operator(name)?;
        let (lhs, rhs) = (lhs?, rhs?);
        // Both sides are checked; lowering goes on, so that later
        // statements are checked too.
        self.integer_in_float_arithmetic(&b.right, &lhs);
        self.integer_in_float_arithmetic(&b.left, &rhs);
        Some(self.rule(rule, vec![lhs, rhs], vec![], b.op.span()))
    }

    /// `x * 2` with `x` differentiated (a float or a tensor of floats):
    /// reported at the literal, with the float literal to write.
    pub fn integer_in_float_arithmetic(&mut self, lit: &Expr, other: &Operand) {
        let Some(digits) = integer_literal(lit) else {
            return;
        };
        // Only where the other operand is certainly a float: a value a
        // call returns may be an integer (`let (v, k) = f(x); k + 1`).
        if !self.is_active(other)
            || !other
                .value()
                .is_some_and(|v| self.known_floats.contains(&v))
        {
            return;
        }
        self.errors.push_spanned(
            lit,
            format!(
                "an integer literal in float arithmetic: write `{digits}.0` (Rust does not convert `{digits}` to a float)"
            ),
        );
    }

    /// A comparison or `&&`/`||` with blocks inside: the operands are
    /// lowered first (the right side of `&&` and `||` only when it runs:
    /// `a && b` is `if a { b } else { false }`).
    fn structured_logic(&mut self, b: &syn::ExprBinary, e: &Expr) -> Option<Operand> {
        let (l, r) = (&b.left, &b.right);
        match b.op {
            BinOp::And(_) => {
                let i = if_else(l, r, &syn::parse_quote!(false));
                return self.if_expr(&i, true);
            }
            BinOp::Or(_) => {
                let i = if_else(l, &syn::parse_quote!(true), r);
                return self.if_expr(&i, true);
            }
            _ => {}
        }
        let lhs = self.value(l)?;
        let rhs = self.value(r)?;
        let (lc, rc) = (self.operand_const(&lhs), self.operand_const(&rhs));
        let (lt, rt, op) = (lc.tokens, rc.tokens, b.op);
        let mut reads = lc.reads;
        reads.extend(rc.reads);
        Some(self.define(
            "cmp",
            Op::Const(crate::core::Const {
                tokens: quote!((#lt) #op (#rt)),
                reads,
            }),
            Repr::Unknown,
            false,
            e.span(),
        ))
    }

    /// `x[i]` of a differentiated slice, `Vec`, array or tensor, and the
    /// sub-slice `x[a..b]` (a `Vec` of the elements).
    fn index(&mut self, i: &syn::ExprIndex) -> Option<Operand> {
        let x = self.value(&i.expr)?;
        let index = if self.is_active_expr(&i.index) {
            self.errors.push_spanned(
                &i.index,
                "an index must not depend on a differentiated value",
            );
            return None;
        } else {
            self.constant(&i.index)
        };
        if let Operand::Value(b) = x {
            if self.is_part_base(b) {
                return Some(self.borrow_part(b, Part::Index(index), "elem", i.span()));
            }
        }
        let rule = table::builtin("index")?;
        Some(self.rule(rule, vec![x], vec![index], i.bracket_token.span.join()))
    }

    /// A field of a parameter (or a part of one): its parts are borrowed
    /// in place (`m.layers[i]`), not copied.
    pub fn is_part_base(&self, v: usize) -> bool {
        if let Some(i) = self.params.iter().position(|p| *p == v) {
            // `layers: &[Linear]`: a slice, `Vec` or array of the user's types.
            let p = &self.sig.params[i];
            return p.is_ref()
                && container_element(p.value_type()).is_some_and(|t| {
                    crate::signature::is_user_type(t, &self.sig.generics) && !float_alias(t)
                });
        }
        self.projections.contains(&v) && !matches!(self.values[v].origin, Origin::Param(_))
    }

    /// `&base[i]` or the `Some` of `base`, borrowed in place.
    pub fn borrow_part(&mut self, base: usize, part: Part, what: &str, span: Span) -> Operand {
        let what = format!(
            "{}_{what}",
            self.values[base].user.trim_start_matches("tmp_")
        );
        let active = self.values[base].active;
        let out = self.define(&what, Op::Part(base, part), Repr::Ref, active, span);
        if let Operand::Value(v) = out {
            self.projections.insert(v);
        }
        out
    }

    /// `m.w1` of a parameter struct taken by reference: borrowed in place.
    fn field(&mut self, f: &syn::ExprField, e: &Expr) -> Option<Operand> {
        let base = match self.value(&f.base)? {
            Operand::Value(b) if self.is_projection_base(b) => b,
            // `t.0` of a tuple value.
            t @ Operand::Value(_) if matches!(f.member, syn::Member::Unnamed(_)) => {
                let syn::Member::Unnamed(i) = &f.member else {
                    return None;
                };
                return self.part(t, i.index as usize, e.span());
            }
            _ => {
                self.errors.push_spanned(
                    f,
                    "only fields of a parameter taken by reference (`m: &Model`, then `m.w1`) are differentiated; pass the value as a parameter of its own",
                );
                return None;
            }
        };
        let name = match &f.member {
            syn::Member::Named(n) => crate::names::unraw(n),
            syn::Member::Unnamed(i) => format!("field{}", i.index),
        };
        let what = format!(
            "{}_{name}",
            self.values[base].user.trim_start_matches("tmp_")
        );
        let active = self.values[base].active;
        let out = self.define(
            &what,
            Op::Field(base, f.member.clone()),
            Repr::Ref,
            active,
            e.span(),
        );
        if let Operand::Value(v) = out {
            self.projections.insert(v);
        }
        Some(out)
    }

    /// A parameter taken by reference, or a field of one.
    fn is_projection_base(&self, v: usize) -> bool {
        let value = &self.values[v];
        match value.origin {
            Origin::Param(_) => value.repr == Repr::Ref,
            _ => self.projections.contains(&v),
        }
    }

    /// Whether `&e` of this operand adds a reference: not for a field of a
    /// parameter struct, whose value is the borrow already.
    pub fn borrows(&self, e: &Expr, o: &Operand) -> bool {
        // `&C[i]` of a constant is kept whole, reference and all: the
        // variable holds the reference (`let c = &C[i];` reads as `c`).
        let kept_whole = !self.is_active_expr(e) && !needs_structure(e);
        let fresh = super::pattern::is_borrow(e)
            && !kept_whole
            && !o.value().is_some_and(|v| self.projections.contains(&v));
        // `m = v` where `v` is a reference: `m` is one too. A constant
        // copy holds the reference itself (`let t = (&w);`), as above.
        let copied = !kept_whole
            && matches!(
                self.path_slot(super::stmt::strip_parens(e)),
                Some((Slot::Value { borrowed: true, .. }, _))
            );
        fresh || copied
    }

    /// An operation with a rule.
    pub fn rule(
        &mut self,
        rule: &'static OpEntry,
        operands: Vec<Operand>,
        consts: Vec<Operand>,
        span: proc_macro2::Span,
    ) -> Operand {
        let active = operands.iter().any(|o| self.is_active(o));
        let out = self.define(
            rule.name,
            Op::Rule {
                rule,
                operands,
                consts,
            },
            Repr::Owned,
            active,
            span,
        );
        // Tuples and their parts are not floats, and a part of a call's
        // tuple may be an integer.
        let structural = ["tuple", "part", "array"]
            .iter()
            .any(|p| rule.name.starts_with(p));
        if let (false, Operand::Value(v)) = (structural, &out) {
            self.known_floats.insert(*v);
        }
        out
    }
}

/// The digits of an integer literal without a suffix, or with an integer
/// suffix (`2`, `-2`, `(3)`, `2i32`), as a float literal would repeat them.
fn integer_literal(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => Some(i.base10_digits().to_string()),
        Expr::Paren(p) => integer_literal(&p.expr),
        Expr::Group(g) => integer_literal(&g.expr),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
            integer_literal(&u.expr).map(|d| format!("-{d}"))
        }
        _ => None,
    }
}

/// A literal, or negations, parentheses and arithmetic of literals.
pub fn is_numeric_literal(e: &Expr) -> bool {
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

/// `if cond { then } else { els }`, built from the syntax trees (printing
/// and parsing them again could read them differently).
fn if_else(cond: &Expr, then: &Expr, els: &Expr) -> syn::ExprIf {
    let block = |e: &Expr| syn::Block {
        brace_token: Default::default(),
        stmts: vec![syn::Stmt::Expr(e.clone(), None)],
    };
    syn::ExprIf {
        attrs: Vec::new(),
        if_token: Default::default(),
        cond: Box::new(cond.clone()),
        then_branch: block(then),
        else_branch: Some((
            Default::default(),
            Box::new(Expr::Block(syn::ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: block(els),
            })),
        )),
    }
}

/// A name that reads as an alias of a float (`type F = f64;`, `Real`):
/// its slices are indexed by value, as float slices are.
fn float_alias(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    let Some(id) = p.path.get_ident() else {
        return false;
    };
    let name = id.to_string();
    name.len() == 1
        || matches!(
            name.as_str(),
            "Real" | "Float" | "Scalar" | "Fp" | "Num" | "Elem"
        )
}

/// The element type of a slice, an array or a `Vec` type.
fn container_element(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Slice(s) => Some(&s.elem),
        syn::Type::Array(a) => Some(&a.elem),
        syn::Type::Paren(p) => container_element(&p.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            if last.ident != "Vec" {
                return None;
            }
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}
