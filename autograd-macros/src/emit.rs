//! Writes the generated module: the forward sweep, the reverse sweep, and
//! the public entry points around them.
//!
//! Input: the parsed signature and the lowered body.
//! Output: `fn f` unchanged, plus
//! `mod f { __ad_core, vjp, forward, grad, value_and_grad }`.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::visit_mut::VisitMut;
use syn::GenericParam;

use crate::errors::Errors;
use crate::ir::{Body, Op, Operand, VarId};
use crate::names::{self, FixPaths};
use crate::parse::{self, Signature};
use crate::rules::Read;
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

/// Everything emission needs to know of a lowered body.
struct Ctx<'a> {
    sig: &'a Signature,
    body: &'a Body,
    rt: TokenStream,
    /// Variables whose `Meta` a backward function reads.
    meta_needed: Vec<bool>,
    /// How many adjoint contributions each variable receives.
    contributions: Vec<usize>,
    /// Variables the reverse sweep reads (captured by the pullback).
    read_by_reverse: BTreeSet<VarId>,
}

fn fixed<T: Clone + ToTokens>(node: &T, f: impl Fn(&mut FixPaths, &mut T)) -> TokenStream {
    let mut n = node.clone();
    f(&mut FixPaths, &mut n);
    n.into_token_stream()
}

fn module(sig: &Signature, body: &Body) -> TokenStream {
    let rt = names::runtime();
    let n = body.vars.len();
    let mut cx = Ctx {
        sig,
        body,
        rt: rt.clone(),
        meta_needed: vec![false; n],
        contributions: vec![0; n],
        read_by_reverse: BTreeSet::new(),
    };
    cx.analyse();

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
    let core_slots: Vec<TokenStream> = sig
        .params
        .iter()
        .zip(&value_types)
        .map(|(p, vt)| {
            if p.is_differentiated() {
                quote!(::core::option::Option<#rt::GradOf<#vt>>)
            } else {
                quote!(())
            }
        })
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

    let core_body = cx.core_body();

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
        .push(syn::parse_quote!(for<'__ad_s> #output: #rt::ScalarOutput));

    let fn_name = ident.to_string();
    let mod_doc = format!(
        "Reverse-mode derivative of [`{fn_name}`](fn@{fn_name}), generated by `#[differentiable]`."
    );
    let fwd_doc = format!("Runs `{fn_name}` and keeps what its backward pass needs: call `.backward()` on the result (scalar outputs) or `.backward(&v)` (tensor outputs) to accumulate gradients into the tensor arguments that require grad.");
    let vjp_doc = format!("The value of `{fn_name}` and its pullback: `pullback(&v)` returns `vᵀJ` for every parameter, in parameter order (`()` for parameters without a gradient). Leaves are not touched.");
    let grad_doc = format!("The gradient of `{fn_name}` (a scalar) with respect to every parameter, in parameter order. Leaves are not touched.");
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

            #[doc(hidden)]
            #[inline]
            pub fn __ad_core #impl_generics (#(#params,)* __ad_needs: [bool; #n_params])
                -> (#output, impl ::core::ops::FnOnce(&#cotangent) -> (#(#core_slots,)*) + use<#(#captures),*>)
                #where_clause
            {
                #core_body
            }

            #[doc = #vjp_doc]
            pub fn vjp #impl_generics (#(#params),*)
                -> (#output, impl ::core::ops::FnOnce(&#cotangent) -> #grads_ty + use<#(#captures),*>)
                #where_clause
            {
                #(#vjp_metas)*
                let (__ad_value, __ad_pullback) = __ad_core(#(#args,)* [#(#all_true),*]);
                (__ad_value, move |__ad_seed: &#cotangent| {
                    let (#(#slot_idents,)*) = __ad_pullback(__ad_seed);
                    #vjp_result
                })
            }

            #[doc = #fwd_doc]
            pub fn forward #impl_generics (#(#params),*)
                -> #rt::Graph<#output, impl ::core::ops::FnOnce(&#cotangent) + use<#(#captures),*>>
                #where_clause
            {
                let __ad_needs = [#(#needs),*];
                let (__ad_value, __ad_pullback) = __ad_core(#(#args,)* __ad_needs);
                #rt::Graph::new(__ad_value, move |__ad_seed: &#cotangent| {
                    let (#(#slot_idents,)*) = __ad_pullback(__ad_seed);
                    #(#stores)*
                })
            }

            #[doc = #grad_doc]
            pub fn grad #impl_generics (#(#params),*) -> #grads_ty #scalar_where {
                let (_, __ad_pullback) = vjp(#(#args),*);
                __ad_pullback(&#rt::seed_one::<#output>())
            }

            #[doc = #vg_doc]
            pub fn value_and_grad #impl_generics (#(#params),*) -> (#output, #grads_ty) #scalar_where {
                let (__ad_value, __ad_pullback) = vjp(#(#args),*);
                (__ad_value, __ad_pullback(&#rt::seed_one::<#output>()))
            }
        }
    }
}

impl Ctx<'_> {
    fn var_active(&self, v: VarId) -> bool {
        self.body.vars[v].is_active()
    }

    fn operand_var(op: &Operand) -> Option<VarId> {
        match op {
            Operand::Var(v) => Some(*v),
            Operand::Literal(_) => None,
        }
    }

    /// Which metas are read, how many contributions each adjoint gets, and
    /// what the reverse sweep reads.
    fn analyse(&mut self) {
        if let Operand::Var(o) = &self.body.output {
            if self.var_active(*o) {
                self.contributions[*o] += 1;
            }
        }
        for stmt in &self.body.stmts {
            if !self.var_active(stmt.out) {
                continue;
            }
            match &stmt.op {
                Op::Rule {
                    rule,
                    operands,
                    consts,
                } => {
                    for (k, reads) in rule.revs.iter().enumerate() {
                        let Some(v) = operands.get(k).and_then(Self::operand_var) else {
                            continue;
                        };
                        if !self.var_active(v) {
                            continue;
                        }
                        self.contributions[v] += 1;
                        for read in reads.iter() {
                            match read {
                                Read::Meta(j) => {
                                    if let Some(u) = operands.get(*j).and_then(Self::operand_var) {
                                        self.meta_needed[u] = true;
                                    }
                                }
                                Read::Value(j) => {
                                    if let Some(u) = operands.get(*j).and_then(Self::operand_var) {
                                        self.read_by_reverse.insert(u);
                                    }
                                }
                                Read::Output => {
                                    self.read_by_reverse.insert(stmt.out);
                                }
                                Read::Const(j) => {
                                    if let Some(u) = consts.get(*j).and_then(Self::operand_var) {
                                        self.read_by_reverse.insert(u);
                                    }
                                }
                            }
                        }
                    }
                }
                Op::Call { args, .. } => {
                    for a in args {
                        if let Some(v) = Self::operand_var(&a.operand) {
                            if self.var_active(v) {
                                self.contributions[v] += 1;
                            }
                        }
                    }
                }
                Op::Constant(_) => {}
            }
        }
    }

    fn ident(&self, v: VarId) -> &Ident {
        &self.body.vars[v].ident
    }

    fn derived(&self, prefix: &str, v: VarId) -> Ident {
        names::generated(&format!("{prefix}_{}", self.body.vars[v].base))
    }

    /// The operand as a `&T` expression.
    fn by_ref(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v) => {
                let id = self.ident(*v);
                if self.body.vars[*v].is_ref {
                    quote!(#id)
                } else {
                    quote!(&#id)
                }
            }
            Operand::Literal(t) => quote!(&#t),
        }
    }

    fn core_body(&self) -> TokenStream {
        let rt = &self.rt;
        let mut fwd = Vec::new();

        // Which gradients were asked for, and the shapes of parameters that rules read.
        for (i, p) in self.sig.params.iter().enumerate() {
            if !p.is_differentiated() {
                continue;
            }
            let v = self.param_var(i);
            let need = self.derived("need", v);
            fwd.push(quote!(let #need: bool = __ad_needs[#i];));
            if self.meta_needed[v] {
                let m = self.derived("m", v);
                let r = self.by_ref(&Operand::Var(v));
                fwd.push(quote!(let #m = #rt::meta(#r);));
            }
        }

        for stmt in &self.body.stmts {
            let out = self.ident(stmt.out);
            let ty = stmt.ty.as_ref().map(|t| {
                let t = fixed(t, |v, t| v.visit_type_mut(t));
                quote!(: #t)
            });
            let span = stmt.span;
            match &stmt.op {
                Op::Constant(tokens) => fwd.push(quote_spanned!(span=> let #out #ty = #tokens;)),
                Op::Rule {
                    rule,
                    operands,
                    consts,
                } => {
                    let tr = Ident::new(rule.trait_name, span);
                    let mut args: Vec<TokenStream> =
                        operands.iter().map(|o| self.by_ref(o)).collect();
                    args.extend(consts.iter().map(|c| self.by_ref(c)));
                    fwd.push(
                        quote_spanned!(span=> let #out #ty = #rt::rules::#tr::fwd(#(#args),*);),
                    );
                }
                Op::Call {
                    path,
                    turbofish,
                    args,
                } => {
                    let pb = self.derived("pb", stmt.out);
                    let args: Vec<TokenStream> = args
                        .iter()
                        .map(|a| match (&a.operand, a.by_ref) {
                            (Operand::Literal(t), true) => quote!(&#t),
                            (Operand::Literal(t), false) => quote!(#t),
                            (Operand::Var(v), by_ref) => {
                                let var = &self.body.vars[*v];
                                let id = &var.ident;
                                match (var.is_ref, by_ref) {
                                    (true, _) => quote!(#id),
                                    (false, true) => quote!(&#id),
                                    // The callee takes ownership: give it a copy,
                                    // since the forward or backward may still read the value.
                                    (false, false) => quote!(::core::clone::Clone::clone(&#id)),
                                }
                            }
                        })
                        .collect();
                    let vjp = quote_spanned!(span=> vjp);
                    fwd.push(quote_spanned!(span=> let (#out, #pb) = #path::#vjp #turbofish(#(#args),*);));
                }
            }
            if self.var_active(stmt.out) {
                let need = self.derived("need", stmt.out);
                let deps: Vec<Ident> = self
                    .stmt_operand_vars(&stmt.op)
                    .into_iter()
                    .filter(|v| self.var_active(*v))
                    .map(|v| self.derived("need", v))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                fwd.push(quote!(let #need: bool = #(#deps)||*;));
            }
            if self.meta_needed[stmt.out] {
                let m = self.derived("m", stmt.out);
                let r = self.by_ref(&Operand::Var(stmt.out));
                fwd.push(quote!(let #m = #rt::meta(#r);));
            }
        }

        let reverse = self.reverse();

        // The returned value: a copy if the reverse sweep keeps it or it is borrowed.
        let value = match &self.body.output {
            Operand::Literal(t) => t.clone(),
            Operand::Var(v) => {
                let id = self.ident(*v);
                if self.body.vars[*v].is_ref {
                    quote!(::core::clone::Clone::clone(#id))
                } else if self.read_by_reverse.contains(v) {
                    quote!(::core::clone::Clone::clone(&#id))
                } else {
                    quote!(#id)
                }
            }
        };
        let span = self.body.output_span;
        let value = quote_spanned!(span=> #value);
        let output = fixed(&self.sig.output, |v, t| v.visit_type_mut(t));
        quote! {
            #(#fwd)*
            (#value, move |__ad_seed: &#rt::GradOf<#output>| {
                #reverse
            })
        }
    }

    fn param_var(&self, i: usize) -> VarId {
        self.body
            .vars
            .iter()
            .position(|v| v.param == Some(i))
            .unwrap_or(i)
    }

    fn stmt_operand_vars(&self, op: &Op) -> Vec<VarId> {
        match op {
            Op::Rule { operands, .. } => operands.iter().filter_map(Self::operand_var).collect(),
            Op::Call { args, .. } => args
                .iter()
                .filter_map(|a| Self::operand_var(&a.operand))
                .collect(),
            Op::Constant(_) => vec![],
        }
    }

    /// The reverse sweep: adjoints declared, seeded, then every statement in
    /// reverse order calling its backward functions.
    fn reverse(&self) -> TokenStream {
        let rt = &self.rt;
        let mut out = Vec::new();
        let output_var = Self::operand_var(&self.body.output).filter(|v| self.var_active(*v));
        // The output's own adjoint is the seed itself when nothing else adds to it.
        let seed_direct = output_var
            .filter(|v| self.contributions[*v] == 1 && self.body.vars[*v].param.is_none());

        for (i, p) in self.sig.params.iter().enumerate() {
            if p.is_differentiated() {
                let v = self.param_var(i);
                let d = self.derived("d", v);
                let vt = fixed(p.value_type(), |f, t| f.visit_type_mut(t));
                out.push(quote!(let mut #d: ::core::option::Option<#rt::GradOf<#vt>> = ::core::option::Option::None;));
            }
        }
        for (v, var) in self.body.vars.iter().enumerate() {
            if var.param.is_none() && self.contributions[v] > 0 && Some(v) != seed_direct {
                let d = self.derived("d", v);
                out.push(quote!(let mut #d = ::core::option::Option::None;));
            }
        }
        if let Some(o) = output_var {
            if Some(o) != seed_direct {
                let d = self.derived("d", o);
                out.push(quote!(#rt::accumulate(&mut #d, ::core::clone::Clone::clone(__ad_seed));));
            }
        }

        for stmt in self.body.stmts.iter().rev() {
            let o = stmt.out;
            if !self.var_active(o) || self.contributions[o] == 0 {
                continue;
            }
            let span = stmt.span;
            let apply = match &stmt.op {
                Op::Constant(_) => continue,
                Op::Rule {
                    rule,
                    operands,
                    consts,
                } => {
                    let tr = Ident::new(rule.trait_name, span);
                    let mut steps = Vec::new();
                    for (k, reads) in rule.revs.iter().enumerate() {
                        let Some(v) = operands.get(k).and_then(Self::operand_var) else {
                            continue;
                        };
                        if !self.var_active(v) {
                            continue;
                        }
                        let rev = format_ident!("rev{}", k, span = span);
                        let args: Vec<TokenStream> = reads
                            .iter()
                            .map(|r| match r {
                                Read::Value(j) => self.by_ref(&operands[*j]),
                                Read::Meta(j) => match &operands[*j] {
                                    Operand::Var(u) => {
                                        let m = self.derived("m", *u);
                                        quote!(&#m)
                                    }
                                    Operand::Literal(t) => quote!(&#rt::meta(&#t)),
                                },
                                Read::Output => self.by_ref(&Operand::Var(o)),
                                Read::Const(j) => self.by_ref(&consts[*j]),
                            })
                            .collect();
                        let need = self.derived("need", v);
                        let d = self.derived("d", v);
                        steps.push(quote_spanned! {span=>
                            if #need {
                                #rt::accumulate(&mut #d, #rt::rules::#tr::#rev(#(#args,)* __ad_d));
                            }
                        });
                    }
                    quote!(#(#steps)*)
                }
                Op::Call { args, .. } => {
                    let pb = self.derived("pb", o);
                    let slots: Vec<Ident> = (0..args.len())
                        .map(|i| format_ident!("__ad_g{}", i, span = Span::mixed_site()))
                        .collect();
                    let bind = if args.len() == 1 {
                        quote!(#(#slots)*)
                    } else {
                        quote!((#(#slots),*))
                    };
                    let mut steps = vec![quote!(let #bind = #pb(__ad_d);)];
                    for (a, g) in args.iter().zip(&slots) {
                        if let Some(v) = Self::operand_var(&a.operand) {
                            if self.var_active(v) {
                                let d = self.derived("d", v);
                                steps.push(quote!(#rt::accumulate_slot(&mut #d, #g);));
                            }
                        }
                    }
                    quote!(#(#steps)*)
                }
            };
            if Some(o) == seed_direct {
                out.push(quote!({
                    let __ad_d = __ad_seed;
                    #apply
                }));
            } else {
                let d = self.derived("d", o);
                out.push(quote! {
                    if let ::core::option::Option::Some(__ad_d) = #d {
                        let __ad_d = &__ad_d;
                        #apply
                    }
                });
            }
        }

        let slots: Vec<TokenStream> = self
            .sig
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.is_differentiated() {
                    let d = self.derived("d", self.param_var(i));
                    quote!(#d)
                } else {
                    quote!(())
                }
            })
            .collect();
        quote! {
            #(#out)*
            (#(#slots,)*)
        }
    }
}
