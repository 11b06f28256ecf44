//! The gradient type the public functions (`grad`, `value_and_grad`,
//! `vjp`) name for a parameter or an output.
//!
//! `GradOf<T>` in general. For floats and containers of floats whose
//! element is a float type parameter (`&[T; 2]`, `&[T]`, `Vec<T>`), the type
//! itself (`[T; 2]`, `Vec<T>`): a caller whose float type rustc has not
//! chosen yet (`let q = [0.3, 0.8]; f::grad(&q)[0] * 2.0`) can then index
//! the gradient and do arithmetic on it, as on the argument.

use proc_macro2::{Ident, TokenStream};
use quote::{quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::Type;

/// The gradient type of values of type `vt` (written with fixed paths).
pub fn of(rt: &TokenStream, vt: &Type, floats: &[Ident]) -> TokenStream {
    match float_container(rt, vt, floats) {
        Some(t) => t,
        None => quote_spanned!(vt.span()=> #rt::GradOf<#vt>),
    }
}

fn is_float(t: &Type, floats: &[Ident]) -> bool {
    match t {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .get_ident()
            .is_some_and(|i| floats.contains(i) || i == "f32" || i == "f64"),
        Type::Paren(p) => is_float(&p.elem, floats),
        _ => false,
    }
}

fn float_container(rt: &TokenStream, vt: &Type, floats: &[Ident]) -> Option<TokenStream> {
    match vt {
        Type::Array(a) if is_float(&a.elem, floats) => Some(vt.to_token_stream()),
        Type::Slice(s) if is_float(&s.elem, floats) => {
            let e = &s.elem;
            Some(quote_spanned!(vt.span()=> #rt::Vec<#e>))
        }
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            if last.ident != "Vec" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(e) if is_float(e, floats) && args.args.len() == 1 => {
                    Some(quote_spanned!(vt.span()=> #rt::Vec<#e>))
                }
                _ => None,
            }
        }
        _ => None,
    }
}
