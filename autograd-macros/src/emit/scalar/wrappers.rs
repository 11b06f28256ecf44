//! The rules a chunked body calls, as functions of floats by value.
//!
//! Chunk functions call `__ad_mul_rev0(b, d)` rather than
//! `<f64 as MulRule<f64>>::rev0(&meta, &b, &d)`: one function per rule and
//! backward function the body uses, made from the rule's table entry (what
//! each backward function reads), calling the rule itself. The calls take
//! no borrows and name no trait, which is most of what rustc checks in a
//! long body. Rules with constant arguments (`powi`, `clamp`) are called
//! directly: the constants' types are the rule's to say.

use std::cell::RefCell;
use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::names;
use crate::table::{OpEntry, Read};

/// The wrappers used so far, by name.
pub struct Wrappers {
    float: Ident,
    rt: TokenStream,
    made: RefCell<BTreeMap<String, TokenStream>>,
}

impl Wrappers {
    pub fn new(float: &Ident) -> Self {
        Wrappers {
            float: float.clone(),
            rt: names::runtime(),
            made: RefCell::new(BTreeMap::new()),
        }
    }

    /// `<F as __ad_SinRule>`, `<F as __ad_MulRule<F>>`: the rule traits of
    /// two operands take the second's type as a parameter.
    pub fn rule_path(&self, rule: &OpEntry, operands: usize) -> TokenStream {
        let (float, rt) = (&self.float, &self.rt);
        let tr = Ident::new(rule.rule, Span::call_site());
        if operands == 2 {
            quote!(<#float as #rt::rules::#tr<#float>>)
        } else {
            quote!(<#float as #rt::rules::#tr>)
        }
    }

    fn made(&self, name: &Ident, item: impl FnOnce() -> TokenStream) {
        self.made
            .borrow_mut()
            .entry(name.to_string())
            .or_insert_with(item);
    }

    /// `__ad_sin_fwd`: `fn(a0: F, ..) -> F`, the rule's forward.
    pub fn forward(&self, rule: &OpEntry, operands: usize) -> Ident {
        let name = names::generated(&format!("{}_fwd", rule.name));
        self.made(&name, || {
            let float = &self.float;
            let path = self.rule_path(rule, operands);
            let args: Vec<Ident> = (0..operands).map(|i| format_ident!("a{}", i)).collect();
            quote! {
                #[inline]
                fn #name(#(#args: #float),*) -> #float {
                    #path::fwd(#(&#args),*)
                }
            }
        });
        name
    }

    /// `__ad_mul_rev0`: `fn(<what backward function k reads>, d: F) -> F`;
    /// shapes are not passed (every float's is the same).
    pub fn reverse(&self, rule: &OpEntry, k: usize, operands: usize) -> Ident {
        let name = names::generated(&format!("{}_rev{k}", rule.name));
        self.made(&name, || {
            let (float, rt) = (&self.float, &self.rt);
            let path = self.rule_path(rule, operands);
            let rev = format_ident!("rev{}", k);
            let mut params = Vec::new();
            let mut args = Vec::new();
            for r in rule.reads_of(k) {
                match r {
                    Read::Value(m) => {
                        let a = format_ident!("a{}", m);
                        params.push(quote!(#a: #float));
                        args.push(quote!(&#a));
                    }
                    Read::Output => {
                        params.push(quote!(out: #float));
                        args.push(quote!(&out));
                    }
                    _ => args.push(quote!(&meta)),
                }
            }
            // The shape every float has, if the backward function reads one.
            let meta = if rule.reads_of(k).iter().any(|r| matches!(r, Read::Meta(_))) {
                quote!(let zero: #float = 0.0; let meta = #rt::meta(&zero);)
            } else {
                quote!()
            };
            quote! {
                #[inline]
                fn #name(#(#params,)* d: #float) -> #float {
                    #meta
                    #path::#rev(#(#args,)* &d)
                }
            }
        });
        name
    }

    /// Every wrapper made, as items of the generated module.
    pub fn items(&self) -> TokenStream {
        let made = self.made.borrow();
        let items = made.values();
        quote!(#(#items)*)
    }
}
