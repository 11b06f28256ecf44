//! Writes the generated module: the forward sweep, the reverse sweep, and
//! the public entry points around them.
//!
//! Input: the parsed signature and the lowered body.
//! Output: `fn f` unchanged, plus
//! `mod f { rule, vjp, forward, grad, value_and_grad }`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::GenericParam;

use crate::errors::Errors;
use crate::ir::Body;
use crate::names::{self, FixPaths};
use crate::parse::{self, Signature};
use crate::{lower, validate};

/// The attribute's entry point: never panics; on error, emits the user's
/// function unchanged beside the errors so the rest of their crate compiles.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut func: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "#[differentiable] applies to a free function: `fn f(x: &Tensor<f64, Ix1>) -> Scalar<f64> { .. }`",
            );
            let err = e.to_compile_error();
            return quote!(#err #item);
        }
    };
    let mut errors = Errors::default();
    if !attr.is_empty() {
        errors.push_spanned(&attr, "#[differentiable] takes no arguments");
    }
    let sig = parse::signature(&func, &mut errors);
    validate::body(&func.block, &mut errors);
    let body = sig
        .as_ref()
        .and_then(|sig| lower::body(sig, &func.block, &mut errors));
    parse::strip_param_attrs(&mut func);
    match (errors.finish(), sig, body) {
        (Ok(()), Some(sig), Some(body)) => {
            let module = module(&sig, &body);
            quote! {
                #[allow(dead_code)]
                #func
                #module
            }
        }
        (Err(e), ..) => {
            let err = e.to_compile_error();
            quote!(#func #err)
        }
        _ => quote!(#func),
    }
}

fn fixed<T: Clone + ToTokens>(node: &T, f: impl Fn(&mut FixPaths, &mut T)) -> TokenStream {
    let mut n = node.clone();
    f(&mut FixPaths, &mut n);
    n.into_token_stream()
}

fn module(sig: &Signature, body: &Body) -> TokenStream {
    let rt = names::runtime();

    let ident = &sig.ident;
    let vis = &sig.vis;
    let mut generics = sig.generics.clone();
    FixPaths.visit_generics_mut(&mut generics);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let output = fixed(&sig.output, |v, t| v.visit_type_mut(t));
    let params: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let id = &p.ident;
            let ty = fixed(&p.ty, |v, t| v.visit_type_mut(t));
            quote!(#id: #ty)
        })
        .collect();
    let args: Vec<&Ident> = sig.params.iter().map(|p| &p.ident).collect();
    let n_params = sig.params.len();

    // `use<..>`: every lifetime and type parameter, so the pullback may keep any borrow.
    let captures: Vec<TokenStream> = generics
        .params
        .iter()
        .map(|p| match p {
            GenericParam::Lifetime(l) => l.lifetime.to_token_stream(),
            GenericParam::Type(t) => t.ident.to_token_stream(),
            GenericParam::Const(c) => c.ident.to_token_stream(),
        })
        .collect();

    let value_types: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| fixed(p.value_type(), |v, t| v.visit_type_mut(t)))
        .collect();
    let grad_slots: Vec<TokenStream> = sig
        .params
        .iter()
        .zip(&value_types)
        .map(|(p, vt)| {
            if p.is_differentiated() {
                quote!(#rt::GradOf<#vt>)
            } else {
                quote!(())
            }
        })
        .collect();
    let grads_ty = if n_params == 1 {
        grad_slots[0].clone()
    } else {
        quote!((#(#grad_slots),*))
    };
    let cotangent = quote!(#rt::GradOf<#output>);

    // The pullback takes the parameters again, with lifetimes of its own
    // (higher-ranked), so it keeps no borrow of them: a caller may pass a
    // value that lives only in its own forward pass.
    let mut hr = HigherRanked::default();
    // In the closure itself the lifetimes are elided: rustc takes them
    // from the higher-ranked signature of the returned `impl FnOnce`.
    let closure_params: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let id = &p.ident;
            let mut ty = p.ty.clone();
            FixPaths.visit_type_mut(&mut ty);
            EraseLifetimes.visit_type_mut(&mut ty);
            quote!(#id: #ty)
        })
        .collect();
    let closure_param_types: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let mut ty = p.ty.clone();
            FixPaths.visit_type_mut(&mut ty);
            hr.visit_type_mut(&mut ty);
            quote!(#ty)
        })
        .collect();
    let rule_slots: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            if p.is_differentiated() {
                let mut vt = p.value_type().clone();
                FixPaths.visit_type_mut(&mut vt);
                hr.visit_type_mut(&mut vt);
                quote!(::core::option::Option<#rt::GradOf<#vt>>)
            } else {
                quote!(())
            }
        })
        .collect();
    let binder = if hr.lifetimes.is_empty() {
        quote!()
    } else {
        let lts = &hr.lifetimes;
        quote!(for<#(#lts),*>)
    };
    // The rule's pullback captures only type and const parameters.
    let rule_captures: Vec<TokenStream> = generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Lifetime(_) => None,
            GenericParam::Type(t) => Some(t.ident.to_token_stream()),
            GenericParam::Const(c) => Some(c.ident.to_token_stream()),
        })
        .collect();
    let core_args: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let id = &p.ident;
            if p.is_ref() {
                quote!(#id)
            } else {
                quote!(::core::clone::Clone::clone(&#id))
            }
        })
        .collect();
    let sweep = crate::sweep::core_body(sig, body, &closure_params);
    let core_body = sweep.tokens;
    let saved = sweep.saved;

    // vjp: the core with every gradient asked for, empty slots made zeros.
    let mut vjp_metas = Vec::new();
    let mut vjp_grads = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let g = format_ident!("__ad_g{}", i, span = Span::mixed_site());
        if p.is_differentiated() {
            let m = format_ident!("__ad_m{}", i, span = Span::mixed_site());
            let id = &p.ident;
            let by_ref = if p.is_ref() {
                quote!(#id)
            } else {
                quote!(&#id)
            };
            vjp_metas.push(quote!(let #m = #rt::meta(#by_ref);));
            vjp_grads.push(quote!(#rt::grad_or_zeros(#g, &#m)));
        } else {
            vjp_grads.push(quote!(#g));
        }
    }
    let slot_idents: Vec<Ident> = (0..n_params)
        .map(|i| format_ident!("__ad_g{}", i, span = Span::mixed_site()))
        .collect();
    let vjp_result = if n_params == 1 {
        quote!(#(#vjp_grads)*)
    } else {
        quote!((#(#vjp_grads),*))
    };
    let all_true = vec![quote!(true); n_params];

    // forward: the core with the gradients the leaves ask for, stored on backward.
    let needs: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let id = &p.ident;
            if p.is_differentiated() && p.is_ref() {
                quote!(#rt::Differentiable::needs_grad(#id))
            } else {
                quote!(false)
            }
        })
        .collect();
    let stores: Vec<TokenStream> = sig
        .params
        .iter()
        .zip(&slot_idents)
        .filter(|(p, _)| p.is_differentiated() && p.is_ref())
        .map(|(p, g)| {
            let id = &p.ident;
            quote!(#rt::store(#id, #g);)
        })
        .collect();

    // grad and value_and_grad: scalar outputs only, checked where they are called.
    let mut scalar_where = where_clause.cloned().unwrap_or_else(|| syn::WhereClause {
        where_token: Default::default(),
        predicates: Default::default(),
    });
    scalar_where
        .predicates
        .push(syn::parse_quote!(for<'__ad_s> #rt::IsScalar<#output>: #rt::ScalarCheck<Seed = #rt::GradOf<#output>>));

    let fn_name = ident.to_string();
    let mod_doc = format!(
        "Reverse-mode derivative of [`{fn_name}`](fn@{fn_name}), generated by `#[differentiable]`."
    );
    let fwd_doc = format!("Runs `{fn_name}` and keeps what its backward pass needs: call `.backward()` on the result (scalar outputs) or `.backward(&v)` (tensor outputs) to accumulate gradients into the tensor arguments that require grad.");
    let vjp_doc = format!("The value of `{fn_name}` and its pullback: `pullback(&v)` returns `vᵀJ` for every parameter, in parameter order (`()` for parameters without a gradient). Leaves are not touched.");
    let grad_doc = format!("The gradient of `{fn_name}` (a scalar) with respect to every parameter, in parameter order. Leaves are not touched.");
    let rule_doc = format!("The protocol other `#[differentiable]` code calls `{fn_name}` through: the value, and a pullback that takes the output's gradient and the arguments again and returns `Some(gradient)` for each parameter asked for in `needs` (`()` for parameters without a gradient). The gradient of a `#[derive(Parameters)]` struct may hold empty arrays in fields the function did not reach (`Differentiable::finish_grad` makes them zeros, as `vjp` does). Hand-written rules implement the same function.");
    let vg_doc = format!(
        "The value of `{fn_name}` (a scalar) and its gradient with respect to every parameter."
    );

    quote! {
        #[doc = #mod_doc]
        #[allow(
            dead_code,
            unused_imports,
            unused_variables,
            unused_mut,
            unused_parens,
            unused_braces,
            non_snake_case,
            private_interfaces,
            private_bounds,
            clippy::all,
            clippy::pedantic,
            clippy::nursery
        )]
        #vis mod #ident {
            use super::*;

            #[doc = #rule_doc]
            #[inline]
            pub fn rule #impl_generics (#(#params,)* __ad_needs: [bool; #n_params])
                -> (#output, impl #binder ::core::ops::FnOnce(&#cotangent, #(#closure_param_types),*) -> (#(#rule_slots,)*) + use<#(#rule_captures),*>)
                #where_clause
            {
                #core_body
            }

            /// What the forward pass saves for the backward pass, one line per value.
            #[doc(hidden)]
            pub const __AD_SAVED: &[&str] = &[#(#saved),*];

            #[doc = #vjp_doc]
            pub fn vjp #impl_generics (#(#params),*)
                -> (#output, impl ::core::ops::FnOnce(&#cotangent) -> #grads_ty + use<#(#captures),*>)
                #where_clause
            {
                #(#vjp_metas)*
                let (__ad_value, __ad_pullback) = rule(#(#core_args,)* [#(#all_true),*]);
                (__ad_value, move |__ad_seed| {
                    let (#(#slot_idents,)*) = __ad_pullback(__ad_seed, #(#args),*);
                    #vjp_result
                })
            }

            #[doc = #fwd_doc]
            pub fn forward #impl_generics (#(#params),*)
                -> #rt::Graph<#output, impl ::core::ops::FnOnce(&#cotangent) + use<#(#captures),*>>
                #where_clause
            {
                let __ad_needs = [#(#needs),*];
                let (__ad_value, __ad_pullback) = rule(#(#core_args,)* __ad_needs);
                #rt::Graph::new(__ad_value, move |__ad_seed| {
                    let (#(#slot_idents,)*) = __ad_pullback(__ad_seed, #(#args),*);
                    #(#stores)*
                })
            }

            #[doc = #grad_doc]
            pub fn grad #impl_generics (#(#params),*) -> #grads_ty #scalar_where {
                let (_, __ad_pullback) = vjp(#(#args),*);
                __ad_pullback(&<#rt::IsScalar<#output> as #rt::ScalarCheck>::seed())
            }

            #[doc = #vg_doc]
            pub fn value_and_grad #impl_generics (#(#params),*) -> (#output, #grads_ty) #scalar_where {
                let (__ad_value, __ad_pullback) = vjp(#(#args),*);
                (__ad_value, __ad_pullback(&<#rt::IsScalar<#output> as #rt::ScalarCheck>::seed()))
            }
        }
    }
}

/// Renames every lifetime in a type to a higher-ranked one (`'a` → `'__ad_r_a`),
/// collecting them for a `for<..>` binder.
#[derive(Default)]
struct HigherRanked {
    lifetimes: Vec<syn::Lifetime>,
}

impl VisitMut for HigherRanked {
    fn visit_lifetime_mut(&mut self, lt: &mut syn::Lifetime) {
        if lt.ident == "static" {
            return;
        }
        let name = format!(
            "'__ad_r_{}",
            lt.ident.to_string().trim_start_matches("__ad_")
        );
        let new = syn::Lifetime::new(&name, lt.apostrophe);
        if !self.lifetimes.iter().any(|l| l.ident == new.ident) {
            self.lifetimes.push(new.clone());
        }
        *lt = new;
    }
}

/// Replaces every named lifetime in a type by `'_`.
struct EraseLifetimes;

impl VisitMut for EraseLifetimes {
    fn visit_lifetime_mut(&mut self, lt: &mut syn::Lifetime) {
        if lt.ident != "static" {
            *lt = syn::Lifetime::new("'_", lt.apostrophe);
        }
    }
}
