//! Generated identifiers: one helper, one crate-unique prefix, mixed-site hygiene.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The prefix of every identifier the macro invents.
pub const PREFIX: &str = "__ad_";

/// An identifier invented by the macro: `__ad_<name>`, invisible to user code.
pub fn generated(name: &str) -> Ident {
    Ident::new(&format!("{PREFIX}{name}"), Span::mixed_site())
}

/// An identifier for a lowered local named after the user's variable.
pub fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// The path through which generated code reaches the runtime.
pub fn runtime() -> TokenStream {
    quote!(::autograd::__private)
}

/// Adjusts a path the user wrote for use inside the generated module, one
/// level down: `self::x` becomes `super::x`, `super::x` becomes `super::super::x`.
pub fn fix_relative_path(p: &mut syn::Path) {
    if p.leading_colon.is_some() {
        return;
    }
    let Some(first) = p.segments.first_mut() else {
        return;
    };
    if first.ident == "self" {
        first.ident = Ident::new("super", first.ident.span());
    } else if first.ident == "super" {
        let span = first.ident.span();
        p.segments
            .insert(0, syn::PathSegment::from(Ident::new("super", span)));
    }
}

/// Applies [`fix_relative_path`] to every path in a syntax node.
pub struct FixPaths;

impl syn::visit_mut::VisitMut for FixPaths {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        fix_relative_path(p);
        syn::visit_mut::visit_path_mut(self, p)
    }
}
