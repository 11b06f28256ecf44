//! A method call without a rule, reported in words.
//!
//! `layer.forward(&h)` in a body calls the rule beside the method,
//! `__ad_rule_forward`. Where the receiver's type has no such rule (the
//! method lacks `#[differentiable]`), rustc would say that a method named
//! `__ad_rule_forward` does not exist: a name the user never wrote. So the
//! rule's body opens with a fallback for each method it calls: a trait,
//! local to the body, giving every `&T` a method of that name whose bound
//! fails with the message that names the fix.
//!
//! The fallback is implemented for `&T` and takes `&self`, so method lookup
//! reaches it only after the receiver itself: the receiver is always `&S`
//! for the type `S` that has the methods (`receiver` sees through boxes),
//! and a real rule on `S` (inherent, or of a trait in scope, or from a
//! type parameter's bound) takes `&S` and is found one step earlier.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote_spanned};

use crate::core::walk::{walk, Cx, Visitor};
use crate::core::{Block, Inst, Op};
use crate::names;

/// The fallback traits for every method the body calls (by name and
/// number of arguments), to put at the top of the rule's body.
pub fn fallbacks(block: &Block) -> TokenStream {
    struct Calls(BTreeSet<(String, usize)>, Vec<Ident>);
    impl<'c> Visitor<'c> for Calls {
        fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
            let Inst::Let(l) = inst else { return };
            let Op::Call(c) = &l.op else { return };
            if !c.method || c.turbofish.is_some() {
                return;
            }
            let Some(name) = c.path.segments.last().map(|s| &s.ident) else {
                return;
            };
            // The receiver is the first argument; the rule also takes the needs.
            let key = (names::unraw(name), c.args.len());
            if self.0.insert(key) {
                self.1.push(name.clone());
            }
        }
    }
    let mut calls = Calls(BTreeSet::new(), Vec::new());
    walk(block, &mut calls);
    let keys: Vec<(String, usize)> = calls.0.iter().cloned().collect();
    let mut out = TokenStream::new();
    for (k, (name, args)) in keys.iter().enumerate() {
        // The same name with another number of arguments gets a suffix.
        let i = keys[..k].iter().filter(|(n, _)| n == name).count();
        let at = calls
            .1
            .iter()
            .find(|m| names::unraw(m) == *name)
            .map_or_else(Span::call_site, Ident::span);
        out.extend(fallback(name, *args, i, at));
    }
    out
}

/// One fallback: `args` counts the receiver, which the rule takes as `self`.
fn fallback(name: &str, args: usize, i: usize, at: Span) -> TokenStream {
    // Named in rustc's notes: words, not generated names.
    let suffix = if i == 0 {
        String::new()
    } else {
        format!("_{i}")
    };
    let missing = Ident::new(
        &format!("has_differentiable_{name}{suffix}"),
        Span::mixed_site().located_at(at),
    );
    let fallback = Ident::new(
        &format!("calls_{name}{suffix}"),
        Span::mixed_site().located_at(at),
    );
    let rule = Ident::new(&format!("__ad_rule_{name}"), at);
    let here = Span::mixed_site().located_at(at);
    let ty = format_ident!("__AdT", span = here);
    let out = format_ident!("__AdOut", span = here);
    let arg_tys: Vec<Ident> = (1..args)
        .map(|k| format_ident!("__AdA{}", k, span = here))
        .collect();
    let arg_names: Vec<Ident> = (1..args)
        .map(|k| names::generated_at(&format!("a{k}"), at))
        .collect();
    let needs = names::generated_at("needs", at);
    let message = format!("`{{Self}}` has no `#[differentiable]` method `{name}`");
    let label = format!("`{name}` is called in a differentiated body, but has no derivative rule");
    let note = format!(
        "put `#[differentiable]` on `fn {name}` or on its `impl` block (for a trait's method: \
         on the trait and on the `impl`), or write a custom rule; the type must derive `Parameters`"
    );
    quote_spanned! {at=>
        #[allow(non_camel_case_types, dead_code)]
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait #missing {}
        #[allow(non_camel_case_types, dead_code)]
        trait #fallback {
            type Receiver: ?Sized;
            fn #rule<#out, #(#arg_tys),*>(&self, #(#arg_names: #arg_tys,)* #needs: [bool; #args]) -> #out
            where
                Self::Receiver: #missing;
        }
        impl<#ty: ?Sized> #fallback for &#ty {
            type Receiver = #ty;
            fn #rule<#out, #(#arg_tys),*>(&self, #(#arg_names: #arg_tys,)* #needs: [bool; #args]) -> #out
            where
                #ty: #missing,
            {
                ::core::unreachable!()
            }
        }
    }
}
