//! `if` and `match`: the forward sweep records the branch taken (when
//! either has a reverse), and the reverse sweep retraces it.

use proc_macro2::TokenStream;
use quote::quote;

use super::block::Join;
use super::cx::Emitter;
use crate::core::{If, Inst, Match};

impl Emitter<'_, '_> {
    fn position(&self, inst: &Inst) -> u32 {
        self.p
            .defs
            .pos
            .get(&crate::analysis::defs::addr(inst))
            .copied()
            .unwrap_or(0)
    }

    pub fn if_inst(&mut self, inst: &Inst, i: &If, in_loop: bool) -> (TokenStream, TokenStream) {
        let then = self.block(&i.then, Join::Value(&i.outs), in_loop);
        let els = self.block(&i.els, Join::Value(&i.outs), in_loop);
        let cond = &i.cond.tokens;
        let bind = self.outs_binding(&i.outs);
        let kept = self.kept_outs(&i.outs);
        let (tf, tt, tr) = (then.fwd, then.tail, then.rev);
        let (ef, et, er) = (els.fwd, els.tail, els.rev);
        if tr.is_empty() && er.is_empty() {
            return (
                quote!(#bind if #cond { #tf #tt } else { #ef #et }; #kept),
                quote!(),
            );
        }
        let name = format!("branch{}", self.position(inst));
        let (slot, pop) = self.record(&name, in_loop, quote!(false));
        let push = Self::push_record(&slot, in_loop, quote!(true));
        let push_else = Self::push_record(&slot, in_loop, quote!(false));
        (
            quote!(#bind if #cond { #push #tf #tt } else { #push_else #ef #et }; #kept),
            quote!(if #pop { #tr } else { #er }),
        )
    }

    pub fn match_inst(
        &mut self,
        inst: &Inst,
        m: &Match,
        in_loop: bool,
    ) -> (TokenStream, TokenStream) {
        let bodies: Vec<_> = m
            .arms
            .iter()
            .map(|a| self.block(&a.body, Join::Value(&m.outs), in_loop))
            .collect();
        let any_rev = bodies.iter().any(|b| !b.rev.is_empty());
        let record = any_rev.then(|| {
            let name = format!("arm{}", self.position(inst));
            self.record(&name, in_loop, quote!(0usize))
        });
        let mut fwd_arms = Vec::new();
        let mut rev_arms = Vec::new();
        for (k, (arm, b)) in m.arms.iter().zip(bodies).enumerate() {
            let pat = &arm.pat;
            let guard = arm.guard.as_ref().map(|g| {
                let t = &g.tokens;
                quote!(if #t)
            });
            let push = record
                .as_ref()
                .map(|(slot, _)| Self::push_record(slot, in_loop, quote!(#k)))
                .unwrap_or_default();
            let (f, t, r) = (b.fwd, b.tail, b.rev);
            fwd_arms.push(quote!(#pat #guard => { #push #f #t }));
            rev_arms.push(quote!(#k => { #r }));
        }
        let scrutinee = &m.scrutinee.tokens;
        let bind = self.outs_binding(&m.outs);
        let kept = self.kept_outs(&m.outs);
        let rev = match record {
            Some((_, pop)) => quote!(match #pop { #(#rev_arms)* _ => {} }),
            None => quote!(),
        };
        (quote!(#bind match #scrutinee { #(#fwd_arms)* }; #kept), rev)
    }
}
