//! Array patterns: `let [a, b] = *x;` is `let a = x[0]; let b = x[1];`,
//! and `let [a, b] = x.map(f);` is `let a = f(x[0]); let b = f(x[1]);`.
//!
//! Published test functions take `x: &[f64; 2]` and open it this way. The
//! pattern takes the array apart by index, which the lowering knows; `..`
//! in the pattern counts from the end (`let [first, .., last] = *x;` reads
//! `x[x.len() - 1]`). The initialiser is `*x`, or a parameter `x` of type
//! `[T; N]` (elements by value) or `&[T; N]` (elements by reference, as
//! Rust's binding modes give). Other forms are left to the lowering, which
//! refuses them at the pattern.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt};

use crate::signature::Signature;

/// Rewrites the array patterns of `block`.
pub fn rewrite(sig: &Signature, block: &mut syn::Block) {
    let arrays = sig
        .params
        .iter()
        .filter_map(|p| match (&p.ty, &p.referent) {
            (syn::Type::Array(_), _) => Some((crate::names::unraw(&p.ident), false)),
            (_, Some(syn::Type::Array(_))) => Some((crate::names::unraw(&p.ident), true)),
            _ => None,
        })
        .collect();
    Splitter { arrays }.visit_block_mut(block);
}

struct Splitter {
    /// Array parameters, and whether each is a reference.
    arrays: Vec<(String, bool)>,
}

impl VisitMut for Splitter {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let stmts = std::mem::take(&mut b.stmts);
        for mut s in stmts {
            self.visit_stmt_mut(&mut s);
            match split(&s, &self.arrays) {
                Some(lets) => b.stmts.extend(lets),
                None => b.stmts.push(s),
            }
        }
    }
}

/// `let [p0, p1, ..] = init;` as one `let` per element, or `None`.
fn split(s: &Stmt, arrays: &[(String, bool)]) -> Option<Vec<Stmt>> {
    let Stmt::Local(l) = s else { return None };
    let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
    let Pat::Slice(ps) = &l.pat else { return None };
    // `let [a, b] = x.map(f);`: `f` applied to each element, by value.
    let (init_expr, map) = match &*init.expr {
        Expr::MethodCall(m) if m.method == "map" && m.args.len() == 1 && m.turbofish.is_none() => {
            (&*m.receiver, Some(&m.args[0]))
        }
        other => (other, None),
    };
    let (base, by_ref) = match (source(init_expr, arrays), map) {
        (Some((base, _)), Some(_)) => (base, false),
        (Some(found), None) => found,
        (None, _) => return None,
    };
    let rest = ps.elems.iter().position(|p| matches!(p, Pat::Rest(_)));
    if map.is_some() && rest.is_some() {
        return None;
    }
    let n = ps.elems.len();
    let mut out = Vec::new();
    let f = crate::names::generated("map");
    if let Some(m) = map {
        // Bound once and called per element: inlined as any local closure.
        out.push(syn::parse_quote_spanned!(m.span() => let #f = #m;));
    }
    for (k, p) in ps.elems.iter().enumerate() {
        let sp = p.span();
        let index: Expr = match rest {
            Some(r) if k == r => continue,
            Some(r) if k > r => {
                let back = n - k;
                syn::parse_quote_spanned!(sp => #base.len() - #back)
            }
            _ => syn::parse_quote_spanned!(sp => #k),
        };
        match p {
            Pat::Wild(_) => {}
            Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => match map {
                Some(_) => out.push(syn::parse_quote_spanned!(sp => let #p = #f(#base[#index]);)),
                None => out.push(element(p, &base, &index, by_ref, sp)),
            },
            _ => return None,
        }
    }
    Some(out)
}

fn element(p: &Pat, base: &Expr, index: &Expr, by_ref: bool, sp: Span) -> Stmt {
    if by_ref {
        syn::parse_quote_spanned!(sp => let #p = &#base[#index];)
    } else {
        syn::parse_quote_spanned!(sp => let #p = #base[#index];)
    }
}

/// The array an initialiser names, and whether its elements bind by
/// reference: `*x` (by value), or an array parameter `x`.
fn source(e: &Expr, arrays: &[(String, bool)]) -> Option<(Expr, bool)> {
    match e {
        Expr::Paren(p) => source(&p.expr, arrays),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => match &*u.expr {
            Expr::Path(p) if p.path.get_ident().is_some() => Some(((*u.expr).clone(), false)),
            _ => None,
        },
        Expr::Path(p) => {
            let name = crate::names::unraw(p.path.get_ident()?);
            let (_, by_ref) = arrays.iter().find(|(n, _)| *n == name)?;
            Some((e.clone(), *by_ref))
        }
        _ => None,
    }
}
