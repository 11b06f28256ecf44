//! The generated module: `rule` (around the sweeps), `vjp`, `forward`,
//! `grad` and `value_and_grad`, and `__AD_SAVED`.
//!
//! Input: the parsed signature and the plan of the body.
//! Output: `mod f { rule, vjp, forward, grad, value_and_grad, __AD_SAVED }`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::GenericParam;

use crate::analysis::Plan;
use crate::names::{self, FixPaths};
use crate::signature::Signature;

pub(super) fn fixed<T: Clone + ToTokens>(
    node: &T,
    f: impl Fn(&mut FixPaths, &mut T),
) -> TokenStream {
    let mut n = node.clone();
    f(&mut FixPaths, &mut n);
    n.into_token_stream()
}

/// The pieces of the signature every generated function repeats.
pub(super) struct Parts {
    pub(super) rt: TokenStream,
    pub(super) impl_generics: TokenStream,
    pub(super) where_clause: TokenStream,
    pub(super) output: TokenStream,
    pub(super) params: Vec<TokenStream>,
    pub(super) args: Vec<Ident>,
    /// Every lifetime and type parameter (`use<..>`): the pullback may keep any borrow.
    pub(super) captures: Vec<TokenStream>,
    pub(super) grads_ty: TokenStream,
    pub(super) cotangent: TokenStream,
    pub(super) core_args: Vec<TokenStream>,
    pub(super) slot_idents: Vec<Ident>,
}

/// `T: Real` for each type parameter the user bounds by a `Float` trait
/// (`num_traits::Float`): the generated code calls derivative rules on `T`,
/// which the user's bound does not promise.
fn require_real(generics: &mut syn::Generics, rt: &TokenStream) {
    let floats = crate::signature::float_params(generics);
    let wc = generics.make_where_clause();
    for t in floats {
        wc.predicates.push(syn::parse_quote!(#t: #rt::Real));
        // Conversions from the concrete floats (`T::from_f64(x).unwrap()`
        // of a differentiated `x: f64`), which `Real` cannot state.
        wc.predicates
            .push(syn::parse_quote!(f64: #rt::rules::CastRule<#t>));
        wc.predicates
            .push(syn::parse_quote!(f32: #rt::rules::CastRule<#t>));
    }
}

pub(super) fn parts(sig: &Signature) -> (Parts, syn::Generics) {
    let rt = names::runtime();
    let mut generics = sig.generics.clone();
    FixPaths.visit_generics_mut(&mut generics);
    require_real(&mut generics, &rt);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let output = fixed(&sig.output, |v, t| v.visit_type_mut(t));
    let params = sig
        .params
        .iter()
        .map(|p| {
            let id = &p.ident;
            let ty = fixed(&p.ty, |v, t| v.visit_type_mut(t));
            quote!(#id: #ty)
        })
        .collect();
    let captures = generics
        .params
        .iter()
        .map(|p| match p {
            GenericParam::Lifetime(l) => l.lifetime.to_token_stream(),
            GenericParam::Type(t) => t.ident.to_token_stream(),
            GenericParam::Const(c) => c.ident.to_token_stream(),
        })
        .collect();
    let floats = crate::signature::float_params(&sig.generics);
    let grad_slots: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            if p.is_differentiated() {
                let mut vt = p.value_type().clone();
                FixPaths.visit_type_mut(&mut vt);
                super::grad_type::of(&rt, &vt, &floats)
            } else {
                quote!(())
            }
        })
        .collect();
    let grads_ty = if grad_slots.len() == 1 {
        grad_slots[0].clone()
    } else {
        quote!((#(#grad_slots),*))
    };
    let cotangent = {
        let mut out = sig.output.clone();
        FixPaths.visit_type_mut(&mut out);
        super::grad_type::of(&rt, &out, &floats)
    };
    let core_args = sig
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
    let slot_idents = (0..sig.params.len())
        .map(|i| format_ident!("__ad_g{}", i, span = Span::mixed_site()))
        .collect();
    let p = Parts {
        impl_generics: impl_generics.to_token_stream(),
        where_clause: where_clause.to_token_stream(),
        rt,
        output,
        params,
        args: sig.params.iter().map(|p| p.ident.clone()).collect(),
        captures,
        grads_ty,
        cotangent,
        core_args,
        slot_idents,
    };
    (p, generics)
}

/// `rule`: the sweeps, with the pullback taking the parameters again, with
/// lifetimes of its own (higher-ranked), so it keeps no borrow of them: a
/// caller may pass a value that lives only in its own forward pass.
/// For a method, `items` (the body's own items) open the rule's body.
fn rule_fn(
    sig: &Signature,
    plan: Option<&Plan>,
    p: &Parts,
    generics: &syn::Generics,
    (name, doc, items_inside): (&str, &str, &TokenStream),
) -> (TokenStream, Vec<String>) {
    let name = Ident::new(name, proc_macro2::Span::call_site());
    let rt = &p.rt;
    let mut hr = HigherRanked::default();
    // In the closure itself the lifetimes are elided: rustc takes them from
    // the higher-ranked signature of the returned `impl FnOnce`.
    let closure_params: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|q| {
            let id = &q.ident;
            let mut ty = q.ty.clone();
            FixPaths.visit_type_mut(&mut ty);
            EraseLifetimes.visit_type_mut(&mut ty);
            quote!(#id: #ty)
        })
        .collect();
    let closure_param_types: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|q| {
            let mut ty = q.ty.clone();
            FixPaths.visit_type_mut(&mut ty);
            hr.visit_type_mut(&mut ty);
            quote!(#ty)
        })
        .collect();
    let rule_slots: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|q| {
            if q.is_differentiated() {
                let mut vt = q.value_type().clone();
                FixPaths.visit_type_mut(&mut vt);
                hr.visit_type_mut(&mut vt);
                quote_spanned!(q.ty.span()=> ::core::option::Option<#rt::GradOf<#vt>>)
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
    // The rule's pullback captures only type and const parameters (those
    // of a method's block too, and `Self` in a trait).
    let outer = sig.method.as_ref().and_then(|m| m.outer.clone());
    let in_trait = sig.method.as_ref().is_some_and(|m| m.in_trait);
    let self_capture = in_trait.then(|| quote!(Self));
    let rule_captures: Vec<TokenStream> = self_capture
        .into_iter()
        .chain(
            outer
                .iter()
                .flat_map(|g| g.params.iter())
                .chain(generics.params.iter())
                .filter_map(|g| match g {
                    GenericParam::Lifetime(_) => None,
                    GenericParam::Type(t) => Some(t.ident.to_token_stream()),
                    GenericParam::Const(c) => Some(c.ident.to_token_stream()),
                }),
        )
        .collect();

    let (core_body, items, saved) = match plan.map(|plan| (plan, &plan.scalar)) {
        Some((plan, Some(layout))) => {
            let c = super::scalar::chunked(plan.body, layout, &closure_params);
            (c.body, c.items, c.saved)
        }
        Some((plan, None)) => {
            let sweep = super::body::core_body(plan, &closure_params);
            (sweep.tokens, quote!(), sweep.saved)
        }
        None => (quote!(), quote!(), Vec::new()),
    };
    let n = sig.params.len();
    let (ig, wc, output, params, cotangent) = (
        &p.impl_generics,
        &p.where_clause,
        &p.output,
        &p.params,
        &p.cotangent,
    );
    let at = sig.ident.span();
    let ret = if plan.is_some_and(super::body::is_recursive) {
        quote_spanned!(at=> ::autograd::__private::Box<dyn #binder ::core::ops::FnOnce(&#cotangent, #(#closure_param_types),*) -> (#(#rule_slots,)*) + 'static>)
    } else {
        quote_spanned!(at=> impl #binder ::core::ops::FnOnce(&#cotangent, #(#closure_param_types),*) -> (#(#rule_slots,)*) + use<#(#rule_captures),*>)
    };
    if sig.method.is_some() {
        let body = plan.map(|_| quote!(#items_inside #core_body));
        let rule = method_rule(sig, params, (ig, wc), quote!((#output, #ret)), body);
        return (rule, saved);
    }
    let tokens = quote! {
        #[doc = #doc]
        #[inline]
        pub fn #name #ig (#(#params,)* __ad_needs: [bool; #n]) -> (#output, #ret) #wc {
            #core_body
        }
        #items
    };
    (tokens, saved)
}

/// The lints generated code allows (beside the module's own, for a function).
fn generated_lints() -> TokenStream {
    quote! {
        unused_variables,
        unused_mut,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        unused_labels,
        non_snake_case,
        clippy::all,
        clippy::pedantic,
        clippy::nursery
    }
}

/// A method's rule, `__ad_rule_<name>`: its receiver is `self` of the type
/// the method's receiver has, bound to `__ad_self` as the body names it. In
/// a trait, a declaration (`;` for `body`).
fn method_rule(
    sig: &Signature,
    params: &[TokenStream],
    (ig, wc): (&TokenStream, &TokenStream),
    ret: TokenStream,
    body: Option<TokenStream>,
) -> TokenStream {
    let name = names::method_rule(&sig.ident);
    let receiver_ty = &sig.params[0].ty;
    let self_ident = &sig.params[0].ident;
    let rest = &params[1..];
    let n = sig.params.len();
    let in_trait = sig.method.as_ref().is_some_and(|m| m.in_trait);
    let vis = if in_trait {
        quote!()
    } else {
        sig.vis.to_token_stream()
    };
    // Said once, at the receiver: a type without a gradient is reported
    // there, not at every use of `self` in the body (which may assume it).
    let rt = names::runtime();
    let at = sig.params[0].ident.span();
    let bound = quote_spanned!(at=> Self: #rt::Differentiable);
    // Only without type parameters: a where clause naming a generic `Self`
    // would hide its impl's associated types from the body.
    let generic = sig.generics.type_params().next().is_some()
        || sig.method.as_ref().is_some_and(|m| {
            m.in_trait
                || m.outer
                    .as_ref()
                    .is_some_and(|g| g.type_params().next().is_some())
        });
    let wc = match (generic, wc.is_empty()) {
        (true, _) => wc.clone(),
        (false, true) => quote!(where #bound),
        (false, false) => quote!(#wc, #bound),
    };
    let lints = generated_lints();
    let (inline, body) = match body {
        Some(b) => (quote!(#[inline]), quote!({ let #self_ident = self; #b })),
        None => (quote!(), quote!(;)),
    };
    quote! {
        #[doc(hidden)]
        #inline
        #[allow(#lints)]
        #vis fn #name #ig (self: #receiver_ty, #(#rest,)* __ad_needs: [bool; #n]) -> #ret #wc #body
    }
}

/// What `vjp` says before calling the rule (the arguments' metas) and
/// what its pullback returns (the gradients, empty slots made zeros).
pub(super) fn vjp_pieces(sig: &Signature, p: &Parts) -> (Vec<TokenStream>, TokenStream) {
    let rt = &p.rt;
    let mut metas = Vec::new();
    let mut grads = Vec::new();
    for (i, q) in sig.params.iter().enumerate() {
        let g = &p.slot_idents[i];
        if q.is_differentiated() {
            let m = format_ident!("__ad_m{}", i, span = Span::mixed_site());
            let id = &q.ident;
            let by_ref = if q.is_ref() {
                quote!(#id)
            } else {
                quote!(&#id)
            };
            metas.push(quote_spanned!(q.ty.span()=> let #m = #rt::meta(#by_ref);));
            grads.push(quote!(#rt::grad_or_zeros(#g, &#m)));
        } else {
            grads.push(quote!(#g));
        }
    }
    let result = if grads.len() == 1 {
        quote!(#(#grads)*)
    } else {
        quote!((#(#grads),*))
    };
    (metas, result)
}

/// `vjp`: the rule with every gradient asked for, empty slots made zeros.
fn vjp_fn(sig: &Signature, p: &Parts, doc: &str) -> TokenStream {
    let (metas, result) = vjp_pieces(sig, p);
    let all_true = vec![quote!(true); sig.params.len()];
    let (ig, wc, output, params, cotangent, grads_ty, captures) = (
        &p.impl_generics,
        &p.where_clause,
        &p.output,
        &p.params,
        &p.cotangent,
        &p.grads_ty,
        &p.captures,
    );
    let (core_args, slots, args) = (&p.core_args, &p.slot_idents, &p.args);
    quote! {
        #[doc = #doc]
        pub fn vjp #ig (#(#params),*)
            -> (#output, impl ::core::ops::FnOnce(&#cotangent) -> #grads_ty + use<#(#captures),*>)
            #wc
        {
            #(#metas)*
            let (__ad_value, __ad_pullback) = rule(#(#core_args,)* [#(#all_true),*]);
            (__ad_value, move |__ad_seed| {
                let (#(#slots,)*) = __ad_pullback(__ad_seed, #(#args),*);
                #result
            })
        }
    }
}

/// What `forward` asks the rule for (the gradients the leaves need) and
/// what its backward pass stores.
pub(super) fn forward_pieces(sig: &Signature, p: &Parts) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let rt = &p.rt;
    let needs: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|q| {
            let id = &q.ident;
            if q.is_differentiated() && q.is_ref() {
                quote_spanned!(q.ty.span()=> #rt::Differentiable::needs_grad(#id))
            } else {
                quote!(false)
            }
        })
        .collect();
    let stores: Vec<TokenStream> = sig
        .params
        .iter()
        .zip(&p.slot_idents)
        .filter(|(q, _)| q.is_differentiated() && q.is_ref())
        .map(|(q, g)| {
            let id = &q.ident;
            quote_spanned!(q.ty.span()=> #rt::store(#id, #g);)
        })
        .collect();
    (needs, stores)
}

/// `forward`: the rule with the gradients the leaves ask for, stored on backward.
fn forward_fn(sig: &Signature, p: &Parts, doc: &str) -> TokenStream {
    let rt = &p.rt;
    let (needs, stores) = forward_pieces(sig, p);
    let (ig, wc, output, params, cotangent, captures) = (
        &p.impl_generics,
        &p.where_clause,
        &p.output,
        &p.params,
        &p.cotangent,
        &p.captures,
    );
    let (core_args, slots, args) = (&p.core_args, &p.slot_idents, &p.args);
    let name = sig.ident.to_string();
    quote! {
        #[doc = #doc]
        pub fn forward #ig (#(#params),*)
            -> #rt::Graph<#output, impl ::core::ops::FnOnce(&#cotangent) + use<#(#captures),*>>
            #wc
        {
            let __ad_needs = [#(#needs),*];
            let (__ad_value, __ad_pullback) = rule(#(#core_args,)* __ad_needs);
            #rt::Graph::of_function(__ad_value, move |__ad_seed| {
                let (#(#slots,)*) = __ad_pullback(__ad_seed, #(#args),*);
                #(#stores)*
            }, #name, &__ad_needs)
        }
    }
}

/// The where clause of `grad` and `value_and_grad`: the user's, and
/// `output` a scalar (checked where they are called).
pub(super) fn scalar_where(
    rt: &TokenStream,
    output: &TokenStream,
    generics: &syn::Generics,
) -> syn::WhereClause {
    let mut scalar_where = generics
        .where_clause
        .clone()
        .unwrap_or_else(|| syn::WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        });
    scalar_where
        .predicates
        .push(syn::parse_quote!(for<'__ad_s> #rt::IsScalar<#output>: #rt::ScalarCheck<Seed = #rt::GradOf<#output>>));
    scalar_where
}

/// `grad` and `value_and_grad`: scalar outputs only, checked where they are called.
fn grad_fns(p: &Parts, generics: &syn::Generics, docs: (&str, &str)) -> TokenStream {
    let rt = &p.rt;
    let output = &p.output;
    let scalar_where = scalar_where(rt, output, generics);
    let (ig, params, grads_ty, args) = (&p.impl_generics, &p.params, &p.grads_ty, &p.args);
    let (grad_doc, vg_doc) = docs;
    quote! {
        #[doc = #grad_doc]
        pub fn grad #ig (#(#params),*) -> #grads_ty #scalar_where {
            let (_, __ad_pullback) = vjp(#(#args),*);
            __ad_pullback(&<#rt::IsScalar<#output> as #rt::ScalarCheck>::seed())
        }

        #[doc = #vg_doc]
        pub fn value_and_grad #ig (#(#params),*) -> (#output, #grads_ty) #scalar_where {
            let (__ad_value, __ad_pullback) = vjp(#(#args),*);
            (__ad_value, __ad_pullback(&<#rt::IsScalar<#output> as #rt::ScalarCheck>::seed()))
        }
    }
}

/// The generated module; `items` are the body's own items, moved beside it.
/// `plain`: for a `has_aux` function, its signature and plan as a function
/// without `has_aux` (the rule other bodies call).
pub fn module(
    sig: &Signature,
    plan: &Plan,
    items: &TokenStream,
    plain: Option<(&Signature, &Plan)>,
) -> TokenStream {
    let (p, generics) = parts(sig);
    let fn_name = sig.ident.to_string();
    let mod_doc = format!(
        "Reverse-mode derivative of [`{fn_name}`](fn@{fn_name}), generated by `#[differentiable]`."
    );
    let fwd_doc = format!("Runs `{fn_name}` and keeps what its backward pass needs: call `.backward()` on the result (scalar outputs) or `.backward(&v)` (tensor outputs) to accumulate gradients into the tensor arguments that require grad.");
    let vjp_doc = format!("The value of `{fn_name}` and its pullback: `pullback(&v)` returns `vᵀJ` for every parameter, in parameter order (`()` for parameters without a gradient). Leaves are not touched.");
    let grad_doc = format!("The gradient of `{fn_name}` (a scalar) with respect to every parameter, in parameter order. Leaves are not touched.");
    let rule_doc = format!("The protocol other `#[differentiable]` code calls `{fn_name}` through: the value, and a pullback that takes the output's gradient and the arguments again and returns `Some(gradient)` for each parameter asked for in `needs` (`()` for parameters without a gradient). The gradient of a `#[derive(Parameters)]` struct may hold empty arrays in fields the function did not reach (`Differentiable::finish_grad` makes them zeros, as `vjp` does). Hand-written rules implement the same function.");
    let rule_doc = match &sig.aux {
        Some(_) => format!("{rule_doc} With `has_aux`, the value is `(value, Aux::new(aux))`, and the pullback's cotangent `(v, NoGrad)`: no gradient flows back from the auxiliary values."),
        None => rule_doc,
    };
    let vg_doc = format!(
        "The value of `{fn_name}` (a scalar) and its gradient with respect to every parameter."
    );
    // With `has_aux`, `aux_rule` serves this module's entry points, and
    // `rule`, the function as written (every returned value differentiated),
    // other bodies that call it.
    let rule_name = if sig.aux.is_some() {
        "aux_rule"
    } else {
        "rule"
    };
    let (rule, saved) = rule_fn(
        sig,
        Some(plan),
        &p,
        &generics,
        (rule_name, &rule_doc, &quote!()),
    );
    let plain_rule = plain.map(|(sig, plan)| {
        let (p, generics) = parts(sig);
        let doc = "The protocol other `#[differentiable]` code calls this function through, as for a function without `has_aux`: the value is the tuple as written, and the pullback takes a cotangent for each of its elements (the auxiliary values are differentiated too, as when `jax.grad` differentiates a function that calls this one).";
        rule_fn(sig, Some(plan), &p, &generics, ("rule", doc, &quote!())).0
    });
    // With an auxiliary value that has no gradient (an integer, a
    // struct), other bodies call `aux_rule` itself: they get the value and
    // the auxiliary values as constants (`Aux`), as the function's own
    // recursive calls do.
    let plain_rule = match (&sig.aux, plain_rule) {
        (Some(_), None) => Some(quote!(
            #[doc(hidden)]
            pub use self::aux_rule as rule;
        )),
        (_, r) => r,
    };
    let (vjp, forward, grads) = match &sig.aux {
        Some(aux) => (
            super::has_aux::vjp_fn(sig, aux, &p),
            super::has_aux::forward_fn(sig, aux, &p),
            super::has_aux::grad_fns(aux, &p, &generics),
        ),
        None => (
            vjp_fn(sig, &p, &vjp_doc),
            forward_fn(sig, &p, &fwd_doc),
            grad_fns(&p, &generics, (&grad_doc, &vg_doc)),
        ),
    };
    let (ident, vis) = (&sig.ident, &sig.vis);
    let lints = generated_lints();
    quote! {
        #[doc = #mod_doc]
        #[allow(dead_code, unused_imports, private_interfaces, private_bounds, #lints)]
        #vis mod #ident {
            use super::*;

            #items

            #rule

            #plain_rule

            /// What the forward pass saves for the backward pass, one line per value.
            #[doc(hidden)]
            pub const __AD_SAVED: &[&str] = &[#(#saved),*];

            #vjp

            #forward

            #grads
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

/// What `#[differentiable]` on a method generates beside it: its rule
/// (the body's own items inside it, where the method has them too).
pub fn method(sig: &Signature, plan: &Plan, items: &TokenStream) -> TokenStream {
    let (p, generics) = parts(sig);
    rule_fn(sig, Some(plan), &p, &generics, ("rule", "", items)).0
}

/// The declaration of a trait method's rule, which every `#[differentiable]`
/// implementation of the trait defines.
pub fn method_declaration(sig: &Signature) -> TokenStream {
    let (p, generics) = parts(sig);
    rule_fn(sig, None, &p, &generics, ("rule", "", &quote!())).0
}
