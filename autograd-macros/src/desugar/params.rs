//! Mutable parameters: `fn f(mut x: f64) { .. }` differentiates as
//! `fn f(x: f64) { let mut x = x; .. }`.

use syn::spanned::Spanned;

/// Takes the `mut` off by-value parameters and rebinds each mutably at the
/// top of the body.
pub fn mut_params(func: &mut syn::ItemFn) {
    let mut rebinds = Vec::new();
    for input in func.sig.inputs.iter_mut() {
        let syn::FnArg::Typed(pt) = input else {
            continue;
        };
        let syn::Pat::Ident(pi) = &mut *pt.pat else {
            continue;
        };
        if pi.by_ref.is_some() || pi.subpat.is_some() {
            continue;
        }
        if let Some(m) = pi.mutability.take() {
            let name = &pi.ident;
            let stmt: syn::Stmt = syn::parse_quote_spanned!(m.span() => let mut #name = #name;);
            rebinds.push(stmt);
        }
    }
    if !rebinds.is_empty() {
        rebinds.append(&mut func.block.stmts);
        func.block.stmts = rebinds;
    }
}
