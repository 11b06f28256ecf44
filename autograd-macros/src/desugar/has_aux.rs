//! `#[differentiable(has_aux)]`: every value the body returns, `(l, a, b)`,
//! becomes `(l, aux((a, b)))` (an `Aux`), so that the lowering sees the auxiliary
//! values go into a constant: no gradient flows back from them, and the
//! backward pass does no work for them.
//!
//! Input: the body of `fn f(..) -> (L, A, B)`.
//! Output: the same body returning `(L, Aux<(A, B)>)` (`Aux<A>` for a pair).
//! A returned tuple written out (`(loss, logits)`, in the tail, in the
//! branches of an `if` or a `match` there, or after `return`) is rewritten
//! in place; any other returned expression is bound and taken apart
//! (`{ let out = e; (out.0, aux(out.1)) }`).

use proc_macro2::Span;
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

/// Rewrites every returned value of `block` for `count` auxiliary values.
pub fn rewrite(block: &mut syn::Block, count: usize) {
    Returns { count }.visit_block_mut(block);
    tail(block, count);
}

/// The tail expression of a block, if it has one.
fn tail(block: &mut syn::Block, count: usize) {
    if let Some(Stmt::Expr(e, None)) = block.stmts.last_mut() {
        returned(e, count);
    }
}

/// A returned expression, rewritten where its value is made.
fn returned(e: &mut Expr, count: usize) {
    match e {
        Expr::Tuple(t) if t.elems.len() == count + 1 => {
            let rest: Vec<Expr> = t.elems.iter().skip(1).cloned().collect();
            let span = t.elems[1].span();
            let aux = marker(&rest, span);
            let value = t.elems[0].clone();
            *e = syn::parse_quote_spanned!(t.span()=> (#value, #aux));
        }
        Expr::Paren(p) => returned(&mut p.expr, count),
        Expr::Block(b) if b.label.is_none() => tail(&mut b.block, count),
        Expr::Unsafe(u) => tail(&mut u.block, count),
        Expr::If(i) => {
            tail(&mut i.then_branch, count);
            if let Some((_, els)) = &mut i.else_branch {
                returned(els, count);
            }
        }
        Expr::Match(m) => {
            for arm in &mut m.arms {
                returned(&mut arm.body, count);
            }
        }
        // They do not produce the value: a `return` is rewritten by
        // `Returns`, a macro (`unreachable!()`) diverges.
        Expr::Return(_) | Expr::Macro(_) | Expr::Break(_) | Expr::Continue(_) => {}
        other => {
            let span = other.span();
            let out = crate::names::generated("out");
            let parts: Vec<Expr> = (1..=count)
                .map(|i| {
                    let i = syn::Index::from(i);
                    syn::parse_quote_spanned!(span=> #out.#i)
                })
                .collect();
            let aux = marker(&parts, span);
            *other = syn::parse_quote_spanned!(span=> {
                let #out = #other;
                (#out.0, #aux)
            });
        }
    }
}

/// `aux(a)` for one value, `aux((a, b, ..))` for several.
fn marker(values: &[Expr], span: Span) -> Expr {
    let rt = crate::names::runtime();
    let inner = match values {
        [one] => quote_spanned!(span=> #one),
        many => quote_spanned!(span=> (#(#many),*)),
    };
    syn::parse_quote_spanned!(span=> #rt::aux(#inner))
}

/// The values of `return`, outside closures and items (whose `return`s
/// are their own).
struct Returns {
    count: usize,
}

impl VisitMut for Returns {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(r) => {
                if let Some(value) = &mut r.expr {
                    self.visit_expr_mut(value);
                    returned(value, self.count);
                }
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Whether a call is the marker [`rewrite`] writes: `aux(..)` by its path
/// through the runtime.
pub fn is_marker(path: &syn::Path) -> bool {
    let segments = crate::names::segments(path);
    path.leading_colon.is_some() && segments == ["autograd", "__private", "aux"]
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn rewritten(count: usize, block: syn::Block) -> String {
        let mut block = block;
        rewrite(&mut block, count);
        quote!(#block).to_string()
    }

    fn text(block: syn::Block) -> String {
        quote!(#block).to_string()
    }

    #[test]
    fn written_tuples_are_rewritten_where_they_are_made() {
        let got = rewritten(
            1,
            syn::parse_quote!({
                if x > 0.0 {
                    return (x, 1usize);
                }
                match k {
                    0 => (x * 2.0, n),
                    _ => (x, m),
                }
            }),
        );
        let want = text(syn::parse_quote!({
            if x > 0.0 {
                return (x, ::autograd::__private::aux(1usize));
            }
            match k {
                0 => (x * 2.0, ::autograd::__private::aux(n)),
                _ => (x, ::autograd::__private::aux(m)),
            }
        }));
        assert_eq!(got, want);
    }

    #[test]
    fn several_auxiliary_values_are_one_tuple() {
        let got = rewritten(2, syn::parse_quote!({ (loss, logits, n) }));
        let want = text(syn::parse_quote!({
            (loss, ::autograd::__private::aux((logits, n)))
        }));
        assert_eq!(got, want);
    }

    #[test]
    fn closures_keep_their_returns_and_other_values_are_taken_apart() {
        let got = rewritten(
            1,
            syn::parse_quote!({
                let f = |y: f64| {
                    return (y, 0);
                };
                helper(x)
            }),
        );
        assert!(got.contains("return (y , 0)"), "{got}");
        assert!(got.contains("let __ad_out = helper (x)"), "{got}");
        assert!(
            got.contains("(__ad_out . 0 , :: autograd :: __private :: aux (__ad_out . 1))"),
            "{got}"
        );
    }
}
