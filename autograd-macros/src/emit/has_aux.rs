//! `forward`, `vjp`, `grad` and `value_and_grad` of a
//! `#[differentiable(has_aux)]` function: its `rule` returns
//! `(value, Aux::new(aux))`, whose cotangent is `(v, NoGrad)`; these functions
//! hand the auxiliary values out beside the value, and their pullbacks take
//! the value's cotangent alone.
//!
//! Input: the signature (with its [`AuxOutput`]) and the pieces of
//! `module`.
//! Output: the four functions, as `jax.grad(has_aux=True)` shapes them:
//! `grad` gives `(grads, aux)`, `value_and_grad` `((value, aux), grads)`,
//! `vjp` `((value, aux), pullback)`, `forward` a `Graph` whose `aux()`
//! holds them.

use proc_macro2::TokenStream;
use quote::quote;

use super::module::{fixed, forward_pieces, scalar_where, vjp_pieces, Parts};
use crate::signature::{AuxOutput, Signature};
use syn::visit_mut::VisitMut;

/// The value's type and the auxiliary values' type, as the generated module names them.
fn types(aux: &AuxOutput) -> (TokenStream, TokenStream) {
    let value = fixed(&aux.value, |v, t| v.visit_type_mut(t));
    let rest = fixed(&aux.aux, |v, t| v.visit_type_mut(t));
    (value, rest)
}

/// The seed of the rule's pullback: the value's cotangent, none for `Aux`.
fn seed(rt: &TokenStream) -> TokenStream {
    quote!(let __ad_seed = (::core::clone::Clone::clone(__ad_seed), #rt::NoGrad);)
}

/// `vjp`: `((value, aux), pullback)`, the pullback taking the value's cotangent.
pub fn vjp_fn(sig: &Signature, aux: &AuxOutput, p: &Parts) -> TokenStream {
    let rt = &p.rt;
    let (metas, result) = vjp_pieces(sig, p);
    let (value, rest) = types(aux);
    let all_true = vec![quote!(true); sig.params.len()];
    let (ig, wc, params, grads_ty, captures) = (
        &p.impl_generics,
        &p.where_clause,
        &p.params,
        &p.grads_ty,
        &p.captures,
    );
    let (core_args, slots, args) = (&p.core_args, &p.slot_idents, &p.args);
    let seed = seed(rt);
    let doc = format!("The value of `{}` and its auxiliary values, `(value, aux)`, and the pullback of the value: `pullback(&v)` returns `vᵀJ` of the first returned element for every parameter, in parameter order (`()` for parameters without a gradient). Nothing flows back from the auxiliary values. Leaves are not touched.", sig.ident);
    quote! {
        #[doc = #doc]
        pub fn vjp #ig (#(#params),*)
            -> ((#value, #rest), impl ::core::ops::FnOnce(&#rt::GradOf<#value>) -> #grads_ty + use<#(#captures),*>)
            #wc
        {
            #(#metas)*
            let ((__ad_value, __ad_aux), __ad_pullback) = aux_rule(#(#core_args,)* [#(#all_true),*]);
            ((__ad_value, __ad_aux.into_inner()), move |__ad_seed| {
                #seed
                let (#(#slots,)*) = __ad_pullback(&__ad_seed, #(#args),*);
                #result
            })
        }
    }
}

/// `forward`: a `Graph` of the value, its auxiliary values in `aux()`.
pub fn forward_fn(sig: &Signature, aux: &AuxOutput, p: &Parts) -> TokenStream {
    let rt = &p.rt;
    let (needs, stores) = forward_pieces(sig, p);
    let (value, rest) = types(aux);
    let (ig, wc, params, captures) = (&p.impl_generics, &p.where_clause, &p.params, &p.captures);
    let (core_args, slots, args) = (&p.core_args, &p.slot_idents, &p.args);
    let name = sig.ident.to_string();
    let seed = seed(rt);
    let doc = format!("Runs `{name}` and keeps what its backward pass needs: the graph's `.value()` is the first returned element, `.aux()` the others; `.backward()` (a scalar first element) or `.backward(&v)` (a tensor) seeds the first element and accumulates gradients into the tensor arguments that require grad. Nothing flows back from the auxiliary values.");
    quote! {
        #[doc = #doc]
        pub fn forward #ig (#(#params),*)
            -> #rt::Graph<#value, impl ::core::ops::FnOnce(&#rt::GradOf<#value>) + use<#(#captures),*>, #rest>
            #wc
        {
            let __ad_needs = [#(#needs),*];
            let ((__ad_value, __ad_aux), __ad_pullback) = aux_rule(#(#core_args,)* __ad_needs);
            #rt::Graph::of_function(__ad_value, move |__ad_seed| {
                #seed
                let (#(#slots,)*) = __ad_pullback(&__ad_seed, #(#args),*);
                #(#stores)*
            }, #name, &__ad_needs).with_aux(__ad_aux.into_inner())
        }
    }
}

/// `grad`, `(grads, aux)`, and `value_and_grad`, `((value, aux), grads)`:
/// a scalar first element only, checked where they are called.
pub fn grad_fns(aux: &AuxOutput, p: &Parts, generics: &syn::Generics) -> TokenStream {
    let rt = &p.rt;
    let (value, rest) = types(aux);
    let scalar_where = scalar_where(rt, &value, generics);
    let (ig, params, grads_ty, args) = (&p.impl_generics, &p.params, &p.grads_ty, &p.args);
    let seed = quote!(&<#rt::IsScalar<#value> as #rt::ScalarCheck>::seed());
    quote! {
        /// The gradient of the first returned element (a scalar) with respect to every parameter, in parameter order, and the auxiliary values: `(grads, aux)`. Leaves are not touched.
        pub fn grad #ig (#(#params),*) -> (#grads_ty, #rest) #scalar_where {
            let ((_, __ad_aux), __ad_pullback) = vjp(#(#args),*);
            (__ad_pullback(#seed), __ad_aux)
        }

        /// The first returned element (a scalar) and the auxiliary values, and the gradient of the first element with respect to every parameter: `((value, aux), grads)`.
        pub fn value_and_grad #ig (#(#params),*) -> ((#value, #rest), #grads_ty) #scalar_where {
            let (__ad_out, __ad_pullback) = vjp(#(#args),*);
            (__ad_out, __ad_pullback(#seed))
        }
    }
}
