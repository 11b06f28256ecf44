//! Element updates as values: `v.push(e);` is `v = pushed(v, e);`,
//! `v[i] = e;` is `v = with_elem(v, i, e);`, `v[i] += e;` is
//! `v = added_at(v, i, e);` (`-=` adds `-(e)`, `*=` and `/=` set
//! `v[i] * (e)`). The functions are the runtime's (plain Rust for any
//! indexable value), so an update of a value that is not differentiated
//! stays what it was; one of a differentiated `Vec` or array is a rule,
//! and a variable updated in a loop is carried as any other.
//!
//! Only updates of a variable by its name are rewritten (`v[i] = e`, not
//! `m.v[i] = e`), outside closures the rewriting kept.

use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr, Stmt};

use crate::lower::strip_parens;

pub fn rewrite(block: &mut syn::Block) {
    Updates.visit_block_mut(block);
}

struct Updates;

impl VisitMut for Updates {
    fn visit_stmt_mut(&mut self, s: &mut Stmt) {
        syn::visit_mut::visit_stmt_mut(self, s);
        if let Stmt::Expr(e, Some(_)) = s {
            if let Some(new) = update(e) {
                *e = new;
            }
        }
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}

/// A variable by its name.
fn variable(e: &Expr) -> Option<&Expr> {
    match strip_parens(e) {
        v @ Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => Some(v),
        _ => None,
    }
}

/// `v[i]` of a variable: (`v`, `i`).
fn element(e: &Expr) -> Option<(&Expr, &Expr)> {
    match strip_parens(e) {
        Expr::Index(ix) => Some((variable(&ix.expr)?, &ix.index)),
        _ => None,
    }
}

/// The update `e` as an assignment of the variable's new value, or `None`.
fn update(e: &Expr) -> Option<Expr> {
    let sp = e.span();
    let rt = crate::names::located(crate::names::runtime(), sp);
    match e {
        Expr::MethodCall(m) if m.method == "push" && m.args.len() == 1 && m.turbofish.is_none() => {
            let v = variable(&m.receiver)?;
            let x = &m.args[0];
            Some(syn::parse_quote_spanned!(sp => #v = #rt::pushed(#v, #x)))
        }
        Expr::Assign(a) => {
            let (v, i) = element(&a.left)?;
            let x = &a.right;
            Some(syn::parse_quote_spanned!(sp => #v = #rt::with_elem(#v, #i, #x)))
        }
        Expr::Binary(b) => {
            let (v, i) = element(&b.left)?;
            let x = &b.right;
            Some(match b.op {
                BinOp::AddAssign(_) => {
                    syn::parse_quote_spanned!(sp => #v = #rt::added_at(#v, #i, #x))
                }
                BinOp::SubAssign(_) => {
                    syn::parse_quote_spanned!(sp => #v = #rt::added_at(#v, #i, -(#x)))
                }
                BinOp::MulAssign(_) => {
                    syn::parse_quote_spanned!(sp => #v = #rt::with_elem(#v, #i, #v[#i] * (#x)))
                }
                BinOp::DivAssign(_) => {
                    syn::parse_quote_spanned!(sp => #v = #rt::with_elem(#v, #i, #v[#i] / (#x)))
                }
                _ => return None,
            })
        }
        _ => None,
    }
}

/// The rule a call to one of the update functions stands for, by the
/// function's name (`pushed` → `push`).
pub fn rule_of(path: &syn::Path) -> Option<&'static str> {
    let segs = crate::names::segments(path);
    match segs.as_slice() {
        [.., private, f] if private == "__private" => match f.as_str() {
            "pushed" => Some("push"),
            "with_elem" => Some("set"),
            "added_at" => Some("add_at"),
            "filled" => Some("fill"),
            _ => None,
        },
        _ => None,
    }
}
