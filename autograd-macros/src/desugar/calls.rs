//! Calls that stand for several operations: `x.sin_cos()` and
//! `f64::sin_cos(x)` are `(x.sin(), x.cos())`, which is how `std` computes
//! them, so values stay equal bit for bit.

use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::Expr;

pub fn rewrite(block: &mut syn::Block) {
    Calls.visit_block_mut(block);
}

struct Calls;

impl VisitMut for Calls {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if let Some(x) = sin_cos_operand(e) {
            let span = e.span();
            *e = syn::parse_quote_spanned!(span => (#x.sin(), #x.cos()));
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The operand of `x.sin_cos()` or `f64::sin_cos(x)`, parenthesised when
/// it is not a plain name.
fn sin_cos_operand(e: &Expr) -> Option<Expr> {
    let x = match e {
        Expr::MethodCall(m) if m.method == "sin_cos" && m.args.is_empty() => (*m.receiver).clone(),
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else { return None };
            match crate::names::segments(&p.path).as_slice() {
                [.., owner, m] if m == "sin_cos" && crate::lower::is_float_owner(owner) => {
                    c.args[0].clone()
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(match x {
        Expr::Path(_) | Expr::Paren(_) => x,
        other => syn::parse_quote_spanned!(other.span() => (#other)),
    })
}
