//! Reduction loops (see `analysis::reduction`): each iteration's backward
//! runs right after its forward, for an accumulator gradient of one, into
//! gradients the pullback multiplies by the accumulator's real gradient.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::block::Join;
use super::cx::{Emitter, ExitVar};
use crate::analysis::defs::addr;
use crate::analysis::reduction::Reduction;
use crate::core::walk::{self, Cx, Visitor};
use crate::core::{Inst, Loop, Term, ValueId};
use crate::names;

impl Emitter<'_, '_> {
    /// The values defined inside a loop that receive gradients: their
    /// adjoints live in one iteration.
    pub fn loop_locals(&self, inst: &Inst, l: &Loop) -> Vec<ValueId> {
        struct D<'e>(&'e mut Vec<ValueId>);
        impl<'c> Visitor<'c> for D<'_> {
            fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
                walk::defs(inst, &mut |v| self.0.push(v));
            }
        }
        let mut all: Vec<ValueId> = l.carried.clone();
        walk::walk(&l.body, &mut D(&mut all));
        all.retain(|v| self.p.receives(*v) && self.p.defs.inside(*v, inst));
        all.sort_unstable();
        all.dedup();
        all
    }

    pub fn reduction_loop(
        &mut self,
        inst: &Inst,
        l: &Loop,
        r: &Reduction,
    ) -> (TokenStream, TokenStream) {
        let rt = self.rt.clone();
        let was = std::mem::replace(&mut self.in_reduction, true);
        self.loop_stacks.push(Vec::new());
        self.exits.push(ExitVar::Region(l.id));
        let pieces = self.block(&l.body, Join::Fused, true);
        self.exits.pop();
        self.loop_stacks.pop();
        self.in_reduction = was;
        let (bf, br) = (pieces.fwd, pieces.rev);
        // The back edge, after the iteration's backward has read the values in place.
        let mut back = TokenStream::new();
        if let Term::Yield(args) = &l.body.term {
            let moves: Vec<_> = l
                .carried
                .iter()
                .zip(args)
                .enumerate()
                .map(|(i, (h, a))| (*h, a, (addr(&l.body.term), i)))
                .collect();
            back = self.assign_slots(&moves);
        }
        let need_acc = self.need(r.acc);
        let d_back = self.d(r.back);
        let back_id = self.ident(r.back).clone();
        let pre = names::generated(&format!("loop{}_gradients", l.id));
        self.decls
            .push((pre.clone(), quote!(::core::option::Option::None)));
        let mut receiver_decls = Vec::new();
        let mut receivers = Vec::new();
        let mut parts = Vec::new();
        for v in &r.receivers {
            let d = self.d(*v);
            let ty = match self.p.defs.info[*v].def {
                Some(crate::analysis::defs::Def::Param(i)) => {
                    let vt = Self::user_type(self.p.sig.params[i].value_type());
                    quote!(: ::core::option::Option<#rt::GradOf<#vt>>)
                }
                _ => quote!(),
            };
            receiver_decls.push(quote!(let mut #d #ty = ::core::option::Option::None;));
            receivers.push(d);
            parts.push(names::generated(&format!(
                "loop{}_d_{}",
                l.id,
                self.name(*v)
            )));
        }
        let locals: Vec<(Ident, TokenStream)> = self
            .loop_locals(inst, l)
            .into_iter()
            .filter(|v| *v != r.back)
            .map(|v| (self.d(v), quote!(::core::option::Option::None)))
            .collect();
        let locals = Self::initialised(&locals);
        let (prelude, head) = self.loop_head(l, &[]);
        let inits = self.loop_inits(inst, l);
        let label = Self::label("loop", l.id);
        let kept = self.kept_outs(&l.outs);
        let fwd = quote! {
            #inits
            #pre = ::core::option::Option::Some({
                #(#receiver_decls)*
                #prelude
                #label: #head {
                    #bf
                    if #need_acc {
                        #locals
                        let mut #d_back = ::core::option::Option::Some(#rt::one_like(&#back_id));
                        #br
                    }
                    #back
                }
                (#(#receivers,)*)
            });
            #kept
        };
        let d_out = self.d(r.out);
        // The accumulator's gradient passes through the loop unchanged to its value before.
        let i = l.carried.iter().position(|h| *h == r.acc).unwrap_or(0);
        let through = l
            .inits
            .get(i)
            .map(|init| self.hand_back(r.out, init))
            .unwrap_or_default();
        let rev = quote! {
            if #need_acc {
                if let (
                    ::core::option::Option::Some((#(#parts,)*)),
                    ::core::option::Option::Some(__ad_factor),
                ) = (#pre.take(), &#d_out) {
                    #(#rt::accumulate_scaled(&mut #receivers, #parts, __ad_factor);)*
                }
            }
            #through
        };
        (fwd, rev)
    }
}
