//! Tuples and arrays of differentiated values: `(a, b)` and `[a, b]` are
//! rules that build them, `t.0` and `let (q, r) = f(x);` rules that take a
//! tuple apart (`part0`, `part1`, ..: the gradient of the tuple is zeros
//! beside the part's); the auxiliary values of a `has_aux` function, a
//! constant.

use syn::spanned::Spanned;

use super::pattern::Tree;
use super::Lowerer;
use crate::core::{Const, Op, Operand, Repr, ValueId};
use crate::table::{self, MAX_TUPLE};

impl Lowerer<'_> {
    /// `(a, b)`: a tuple of two to four values.
    pub fn tuple_value(&mut self, t: &syn::ExprTuple) -> Option<Operand> {
        let n = t.elems.len();
        if !(2..=MAX_TUPLE).contains(&n) {
            self.errors.push_spanned(
                t,
                format!("a tuple of differentiated values has 2 to {MAX_TUPLE} elements; group the values in nested tuples, or return a Tensor"),
            );
            return None;
        }
        let mut operands = Vec::new();
        for el in &t.elems {
            operands.push(self.value(el));
        }
        let operands: Option<Vec<Operand>> = operands.into_iter().collect();
        let rule = table::builtin(&format!("tuple{n}"))?;
        Some(self.rule(rule, operands?, vec![], t.span()))
    }

    /// `[a, b]`: an array of floats.
    pub fn array_value(&mut self, a: &syn::ExprArray) -> Option<Operand> {
        if a.elems.is_empty() {
            return Some(self.constant(&syn::Expr::Array(a.clone())));
        }
        let mut operands = Vec::new();
        for el in &a.elems {
            if let syn::Expr::Array(_) | syn::Expr::Repeat(_) | syn::Expr::Tuple(_) =
                super::strip_parens(el)
            {
                self.errors.push_spanned(el, "an array of differentiated values holds floats: arrays of arrays or of tuples are not supported; write one flat array (`[a, b, c, d]`, read as `m[i * 2 + j]`) or build a Tensor outside the function and pass it in");
                operands.push(None);
                continue;
            }
            operands.push(self.value(el));
        }
        let operands: Option<Vec<Operand>> = operands.into_iter().collect();
        let rule = table::builtin("array")?;
        Some(self.rule(rule, operands?, vec![], a.span()))
    }

    /// Element `i` of a tuple value.
    pub fn part(&mut self, t: Operand, i: usize, span: proc_macro2::Span) -> Option<Operand> {
        if i >= MAX_TUPLE {
            self.errors.push_error(syn::Error::new(
                span,
                format!("a tuple of differentiated values has at most {MAX_TUPLE} elements"),
            ));
            return None;
        }
        let rule = table::builtin(&format!("part{i}"))?;
        Some(self.rule(rule, vec![t], vec![], span))
    }

    /// Element `i` of a constant tuple value: `v.i`.
    fn constant_part(&mut self, v: ValueId, i: usize, span: proc_macro2::Span) -> Operand {
        let ident = self.values[v].ident.clone();
        let index = syn::Index::from(i);
        let tokens = quote::quote!(#ident.#index);
        let op = Op::Const(Const {
            tokens,
            reads: vec![v],
        });
        self.define("part", op, Repr::Owned, false, span)
    }

    /// A tuple value taken apart into `n` parts, for a pattern or an
    /// assignment of that many elements: by the part rules, or as `v.i` of
    /// a constant.
    pub fn split(&mut self, t: Operand, n: usize, span: proc_macro2::Span) -> Option<Tree> {
        let mut parts = Vec::new();
        for i in 0..n {
            let operand = match t {
                Operand::Value(v) if !self.values[v].active => self.constant_part(v, i, span),
                _ => self.part(t.clone(), i, span)?,
            };
            parts.push(Tree::Leaf {
                operand,
                borrowed: false,
                span,
            });
        }
        Some(Tree::Node(parts))
    }
}

impl Lowerer<'_> {
    /// `aux(a)` or `aux((a, b))` (an `Aux`), which `#[differentiable(has_aux)]` makes
    /// of a returned tuple's auxiliary values (`desugar::has_aux`): a
    /// constant of the values, those that depend on a differentiated value
    /// copied as `detach()` copies them. No gradient flows back from it.
    pub fn aux_values(&mut self, arg: &syn::Expr, span: proc_macro2::Span) -> Option<Operand> {
        let elems: Vec<&syn::Expr> = match super::strip_parens(arg) {
            syn::Expr::Tuple(t) => t.elems.iter().collect(),
            one => vec![one],
        };
        let mut parts = Vec::new();
        let mut reads = Vec::new();
        for el in elems {
            let x = self.value(el)?;
            match self.detached(x, el.span()) {
                Operand::Value(v) => {
                    let id = self.values[v].ident.clone();
                    parts.push(quote::quote!(#id));
                    reads.push(v);
                }
                Operand::Lit(tokens) => parts.push(tokens),
                Operand::Undef => return Some(Operand::Undef),
            }
        }
        let rt = crate::names::runtime();
        let tokens = match parts.as_slice() {
            [one] => quote::quote_spanned!(span=> #rt::aux(#one)),
            many => quote::quote_spanned!(span=> #rt::aux((#(#many),*))),
        };
        Some(self.define(
            "aux",
            Op::Const(Const { tokens, reads }),
            Repr::Owned,
            false,
            span,
        ))
    }

    /// The elements of an array value for the pattern `[a, b, ..]`: `v[0]`,
    /// `v[1]`, .. (a `..` in the pattern is refused: the length is not known).
    pub fn elements(&mut self, ps: &syn::PatSlice, v: Operand) -> Option<Tree> {
        if let Some(rest) = ps.elems.iter().find(|p| matches!(p, syn::Pat::Rest(_))) {
            self.errors.push_spanned(rest, "`..` in the pattern of a computed array is not supported; name every element (`let [a, b, _] = v;`) or read `v[i]`");
            return None;
        }
        let rule = table::builtin("index")?;
        let mut parts = Vec::new();
        for (i, p) in ps.elems.iter().enumerate() {
            let index = Operand::Lit(quote::quote!(#i));
            let operand = self.rule(rule, vec![v.clone()], vec![index], p.span());
            parts.push(Tree::Leaf {
                operand,
                borrowed: false,
                span: p.span(),
            });
        }
        Some(Tree::Node(parts))
    }
}
