//! Rewrites of ordinary Rust into the forms the lowering knows, on the
//! syntax tree, before lowering: each keeps the user's spans, so errors in
//! the rewritten code still land on the user's tokens.
//!
//! - `const`, `static`, `use` and `fn` items move to the generated module
//!   ([`items`]);
//! - `fn f(mut x: f64)` is `fn f(x: f64) { let mut x = x; .. }` ([`params`]);
//! - `let [a, b] = *x;` is one `let` per element ([`arrays`]);
//! - `v.push(e);` is `v = pushed(v, e);`, `v[i] = e;` `v = with_elem(v, i, e);`
//!   ([`updates`], after the chains, whose `collect` pushes);
//! - `x.sin_cos()` is `(x.sin(), x.cos())`, as `std` computes it ([`calls`]);
//! - closures bound with `let` and called, or passed to iterator adapters,
//!   are inlined ([`inline`]);
//! - iterator chains over slices and ranges (`x.iter().map(..).sum()`,
//!   `for (a, b) in x.iter().zip(y).rev()`) are the `for` loops a
//!   hand-written version has ([`chain`]);
//! - with `#[differentiable(has_aux)]`, a returned `(l, a)` is `(l, aux(a))`
//!   ([`has_aux`], first: the others then see the marker's arguments).

mod arrays;
mod calls;
pub use calls::vec_macro;
mod chain;
mod first;
pub mod has_aux;
mod inline;
mod items;
mod params;
mod scope;
pub mod updates;

pub use items::{for_module as items_for_module, hoist as hoist_items, movable as movable_item};
pub use params::mut_params;
pub use scope::{pat_names, place_root};

use crate::errors::Errors;
use crate::signature::Signature;

/// Rewrites a checked body in place (its depth is bounded by the checks).
pub fn body(sig: &Signature, block: &mut syn::Block, errors: &mut Errors) {
    calls::rewrite(block);
    arrays::rewrite(sig, block);
    let params = sig
        .params
        .iter()
        .map(|p| crate::names::unraw(&p.ident))
        .collect();
    let mut d = inline::Desugarer::new(params, errors);
    d.floats = crate::signature::float_params(&sig.generics);
    syn::visit_mut::VisitMut::visit_block_mut(&mut d, block);
    updates::rewrite(block);
}
