//! The body of the generated `rule`: which gradients are needed, the
//! forward sweep (keeping what the backward functions read), and, in the
//! returned closure, the reverse sweep.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};

use super::block::Join;
use super::cx::Emitter;
use crate::analysis::defs::{addr, Def};
use crate::core::{Inst, Operand, Target, Term, ValueId};
use crate::names;

pub struct Sweep {
    pub tokens: TokenStream,
    /// One line per value the forward sweep saves for the backward sweep.
    pub saved: Vec<String>,
}

/// `closure_params`: the parameters as the pullback takes them again, so
/// that it keeps no borrow of them.
pub fn core_body(plan: &crate::analysis::Plan, closure_params: &[TokenStream]) -> Sweep {
    let mut e = Emitter::new(plan);
    let tokens = e.rule_body(closure_params);
    Sweep {
        tokens,
        saved: plan.saved_lines.clone(),
    }
}

impl Emitter<'_, '_> {
    fn prologue(&mut self) -> TokenStream {
        let rt = self.rt.clone();
        let body = self.p.body;
        let mut out = super::method_fallback::fallbacks(&body.block);
        for (i, p) in self.p.sig.params.iter().enumerate() {
            if p.is_differentiated() {
                let v = body.params[i];
                if let Some(s) = self.p.need_of[v] {
                    let need = self.need_set(s);
                    out.extend(quote!(let #need: bool = __ad_needs[#i];));
                }
            }
        }
        // Sets of several parameters: any of theirs.
        for (s, set) in self.p.need_sets.iter().enumerate() {
            let params: Vec<usize> = set.iter().collect();
            if params.len() > 1 {
                let need = self.need_set(s);
                let parts = params
                    .iter()
                    .filter_map(|i| self.p.need_of[body.params[*i]])
                    .map(|s| self.need_set(s));
                out.extend(quote!(let #need: bool = #(#parts)||*;));
            }
        }
        let mut kept = Vec::new();
        for v in &body.params {
            if self.p.stable_meta[*v] {
                let id = self.ident(*v);
                let r = self.by_ref_var(*v, quote!(#id));
                // A parameter whose type has no gradient errs at the
                // operation that reads it.
                let at = self.first_reader(*v).unwrap_or_else(|| id.span());
                let mut m = self.meta_ident(*v);
                m.set_span(m.span().located_at(at));
                kept.push((m, names::located(quote!(#rt::meta(#r)), at)));
            }
        }
        for chunk in kept.chunks(64) {
            let ids = chunk.iter().map(|(i, _)| i);
            let ts = chunk.iter().map(|(_, t)| t);
            out.extend(quote!(let (#(#ids,)*) = (#(#ts,)*);));
        }
        out
    }

    fn rule_body(&mut self, closure_params: &[TokenStream]) -> TokenStream {
        let prologue = self.prologue();
        let body = self.p.body;
        let (forward, rev) = if body.returns {
            self.forward_with_returns()
        } else {
            let pieces = self.block(&body.block, Join::Output, false);
            let value = self.output_value();
            let fwd = pieces.fwd;
            let ty = self.output_annotation();
            (quote!(#fwd let __ad_value #ty = #value;), pieces.rev)
        };
        let seeds = self.seeds();
        let adjoints = self.adjoint_decls();
        let slots: Vec<TokenStream> = self
            .p
            .sig
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.is_differentiated() {
                    let d = self.d(body.params[i]);
                    quote!(#d)
                } else {
                    quote!(())
                }
            })
            .collect();
        let decls = Self::initialised(&self.decls);
        let pullback = quote! {
            move |__ad_seed, #(#closure_params),*| {
                #(#adjoints)*
                #seeds
                #rev
                (#(#slots,)*)
            }
        };
        // A recursive function's pullback holds its own type: boxed.
        let pullback = if is_recursive(self.p) {
            quote!(::autograd::__private::Box::new(#pullback))
        } else {
            pullback
        };
        quote! {
            #prologue
            #decls
            #forward
            (__ad_value, #pullback)
        }
    }

    /// The function's value, a copy when the pullback keeps it.
    fn output_value(&self) -> TokenStream {
        let span = self.p.body.output_span;
        match self.p.body.output() {
            Some(o) => {
                let v = self.moved(o, (addr(&self.p.body.block.term), 0));
                names::located(v, span)
            }
            None => quote!(()),
        }
    }

    /// `: Output` for the function's value: a value of another type (an
    /// `f32` where the signature says `f64`) is reported at the user's
    /// returned expression, not at the attribute.
    fn output_annotation(&self) -> TokenStream {
        let ty = &self.p.sig.output;
        if ty
            .to_token_stream()
            .into_iter()
            .any(|t| t.to_string() == "impl")
        {
            return quote!();
        }
        let ty = super::module::fixed(ty, syn::visit_mut::VisitMut::visit_type_mut);
        quote!(: #ty)
    }

    /// With early returns: the statements before the first that may return
    /// stay outside (the pullback may keep their values), the rest is a
    /// labelled block that `return` breaks out of with its value.
    fn forward_with_returns(&mut self) -> (TokenStream, TokenStream) {
        let body = self.p.body;
        let first = crate::analysis::storage::first_return(body).unwrap_or(body.block.insts.len());
        let exit = names::generated("fn_exit");
        self.decls.push((exit, quote!(0u32)));
        let (prefix, suffix) = body.block.insts.split_at(first);
        let (before, mut revs, codes) = self.insts(prefix, false, None);
        let (after, suffix_revs, codes) = self.insts(suffix, false, codes);
        revs.extend(suffix_revs);
        let (tf, _, tr) = self.term(&body.block.term, Join::Output, false);
        if !tr.is_empty() {
            revs.push(tr);
        }
        let _ = codes;
        revs.reverse();
        let tail = match &body.block.term {
            Term::Yield(_) => self.output_value(),
            _ => quote!(),
        };
        let label = names::label("body");
        let ty = self.output_annotation();
        (
            quote! {
                #before
                let __ad_value #ty = #label: {
                    #after
                    #tf
                    #tail
                };
            },
            quote!(#(#revs)*),
        )
    }

    fn seeds(&self) -> TokenStream {
        let rt = &self.rt;
        let seed = |v: ValueId| {
            let d = self.d(v);
            quote!(#rt::accumulate(&mut #d, ::core::clone::Clone::clone(__ad_seed));)
        };
        let body = self.p.body;
        let output = body
            .output()
            .and_then(Operand::value)
            .filter(|v| self.p.receives(*v));
        if body.returns {
            let exit = names::generated("fn_exit");
            let mut arms = Vec::new();
            if let Some(v) = output {
                let s = seed(v);
                arms.push(quote!(0 => { #s }));
            }
            for (code, value) in returns(body) {
                if let Some(v) = value.value().filter(|v| self.p.receives(*v)) {
                    let s = seed(v);
                    arms.push(quote!(#code => { #s }));
                }
            }
            return quote!(match #exit { #(#arms)* _ => {} });
        }
        match output {
            Some(o) if Some(o) != self.p.seed_direct => seed(o),
            _ => quote!(),
        }
    }

    fn adjoint_decls(&self) -> Vec<TokenStream> {
        let rt = &self.rt;
        let body = self.p.body;
        let mut out = Vec::new();
        let mut local = std::collections::HashSet::new();
        for inst in self.p.loop_insts.values() {
            if let Inst::Loop(l) = inst {
                if self.p.reductions.contains_key(&l.id) {
                    local.extend(self.loop_locals(inst, l));
                    if let Some(r) = self.p.reductions.get(&l.id) {
                        local.insert(r.back);
                    }
                }
            }
        }
        let mut rest = Vec::new();
        for v in 0..body.values.len() {
            if let Some(Def::Param(i)) = self.p.defs.info[v].def {
                let p = &self.p.sig.params[i];
                if p.is_differentiated() {
                    let d = self.d(v);
                    let vt = Self::user_type(p.value_type());
                    let at = syn::spanned::Spanned::span(&p.ty);
                    out.push(quote_spanned!(at=> let mut #d: ::core::option::Option<#rt::GradOf<#vt>> = ::core::option::Option::None;));
                }
                continue;
            }
            if self.p.receives(v) && Some(v) != self.p.seed_direct && !local.contains(&v) {
                let init = if self.p.witnessed[v] {
                    let w = self.witness_ident(v);
                    quote!(#w.none())
                } else if self.p.stable_meta[v] && self.p.stable[v] {
                    let m = self.meta_ident(v);
                    quote!(#rt::none_like(&#m))
                } else {
                    quote!(::core::option::Option::None)
                };
                rest.push((self.d(v), init));
            }
        }
        out.push(Self::initialised(&rest));
        out
    }
}

/// Every `return` of the body: its code and value.
fn returns(body: &crate::core::Body) -> Vec<(u32, Operand)> {
    use crate::core::walk::{self, Cx, Visitor};
    struct R(Vec<(u32, Operand)>);
    impl<'c> Visitor<'c> for R {
        fn term(&mut self, t: &'c Term, _: &Cx<'c>) {
            if let Term::Jump(j) = t {
                if j.target == Target::Return {
                    if let Some(a) = j.args.first() {
                        self.0.push((j.code, a.clone()));
                    }
                }
            }
        }
    }
    let mut r = R(Vec::new());
    walk::walk(&body.block, &mut r);
    r.0
}

/// Whether the body calls its own function (`f(x * x, n - 1)` in `f`), or
/// the attribute says `recursive`: the pullback of its `rule` is then
/// boxed, since it may hold the pullback of a call of its own type.
pub fn is_recursive(plan: &crate::analysis::Plan) -> bool {
    let own = &plan.sig.ident;
    plan.sig.recursive
        || plan.defs.inst_at.values().any(|inst| match inst {
            crate::core::Inst::Let(l) => match &l.op {
                crate::core::Op::Call(c) => c.path.segments.last().is_some_and(|s| s.ident == *own),
                _ => false,
            },
            _ => false,
        })
}
