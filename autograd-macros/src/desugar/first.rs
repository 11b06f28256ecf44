//! Consumers that start from the chain's first element, `max_by`, `min_by`
//! and `reduce`, then `.unwrap()`, `.expect(..)` or `.unwrap_or(v)`: the
//! first element taken before the loop, the rest folded in it, as `std`
//! folds them.
//!
//! ```text
//! x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap()
//! // is
//! { let mut it = 0..x.len(); let i = it.next().unwrap(); let mut acc = x[i];
//!   for i in it { let e = x[i]; acc = if cmp(&acc, &e) == Greater { acc } else { e }; }
//!   acc }
//! ```
//!
//! Ties go as in `std`: `max_by` keeps the last of equal elements, `min_by`
//! the first.

use syn::{Expr, Stmt};

use super::chain::{Elem, Loop};
use super::inline::Desugarer;
use crate::lower::strip_parens;

impl Desugarer<'_> {
    /// `chain.max_by(cmp).unwrap()` and the like as a loop, or `None`.
    pub(super) fn first_and_rest(&mut self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let Expr::MethodCall(r) = strip_parens(&m.receiver) else {
            return None;
        };
        let kind = r.method.to_string();
        if !matches!(kind.as_str(), "max_by" | "min_by" | "reduce") || r.args.len() != 1 {
            return None;
        }
        let l = self.chain(&r.receiver)?;
        if !l.rich || l.filtered {
            return None;
        }
        let sp = r.method.span();
        let Loop {
            pre,
            idx,
            pat,
            stmts,
            elem,
            ..
        } = l;
        let elem = elem.expr(false)?;
        let (it, acc, e) = (
            self.fresh("it", sp),
            self.fresh("acc", sp),
            self.fresh("e", sp),
        );
        let a = || Elem::Expr(syn::parse_quote_spanned!(sp => #acc));
        let b = || Elem::Expr(syn::parse_quote_spanned!(sp => #e));
        let step: Stmt = if kind == "reduce" {
            let v = self.apply(&r.args[0], vec![(a(), false), (b(), false)])?;
            syn::parse_quote_spanned!(sp => #acc = #v;)
        } else {
            let order = self.apply(&r.args[0], vec![(a(), true), (b(), true)])?;
            let (keep, take) = if kind == "max_by" {
                (&acc, &e)
            } else {
                (&e, &acc)
            };
            syn::parse_quote_spanned!(sp =>
                #acc = if #order == ::core::cmp::Ordering::Greater { #keep } else { #take };
            )
        };
        let rest = quote::quote_spanned!(sp =>
            #(#stmts)*
            let mut #acc = #elem;
            for #pat in #it { #(#stmts)* let #e = #elem; #step }
            #acc
        );
        let span = m.method.span();
        let args = &m.args;
        if m.method == "unwrap_or" && args.len() != 1 {
            // Refused with rustc's own words for the call.
            return None;
        }
        Some(match m.method.to_string().as_str() {
            "unwrap_or" => syn::parse_quote_spanned!(span => {
                #(#pre)*
                let mut #it = #idx;
                match #it.next() {
                    ::core::option::Option::Some(#pat) => { #rest }
                    ::core::option::Option::None => #args,
                }
            }),
            method => {
                let method = syn::Ident::new(method, span);
                syn::parse_quote_spanned!(span => {
                    #(#pre)*
                    let mut #it = #idx;
                    let #pat = #it.next().#method(#args);
                    #rest
                })
            }
        })
    }
}
