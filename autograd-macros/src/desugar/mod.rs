//! Rewrites of ordinary Rust into the forms the lowering knows, on the
//! syntax tree, before lowering: each keeps the user's spans, so errors in
//! the rewritten code still land on the user's tokens.
//!
//! - `fn f(mut x: f64)` is `fn f(x: f64) { let mut x = x; .. }` ([`params`]);
//! - `x.sin_cos()` is `(x.sin(), x.cos())`, as `std` computes it ([`calls`]).

mod calls;
mod params;

pub use params::mut_params;

/// Rewrites a checked body in place (its depth is bounded by the checks).
pub fn body(block: &mut syn::Block) {
    calls::rewrite(block);
}
