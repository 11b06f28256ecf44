//! A call's need for a loop-carried argument, iteration by iteration.
//!
//! `for layer in &self.layers { h = layer.forward(&h); }` with `h` starting
//! as the input `x`: `h`'s header needs a gradient whenever a layer's
//! weights do, since from the second iteration on it depends on them. In
//! the first iteration it is `x` itself, which may need none; asking the
//! call for `x`'s gradient there would cost a matrix product for nothing.
//! So a call's need for a header argument is, in the first iteration, the
//! need of the value the loop starts from, and the header's own after.
//! The value of a header in the first iteration is that entry value, whose
//! gradient goes nowhere else: asking less there loses nothing.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::cx::Emitter;
use crate::core::walk::{walk, Cx, Visitor};
use crate::core::{Inst, Loop, Operand, Origin, RegionId, ValueId};
use crate::names;

impl Emitter<'_, '_> {
    /// Whether a call needs the gradient of its argument `v`.
    pub fn call_need(&self, v: ValueId) -> TokenStream {
        let need = self.need(v);
        let Origin::Header(id) = self.p.body.values[v].origin else {
            return need;
        };
        if !self.first_flags.0.contains(&id) {
            return need;
        }
        let Some(init) = self.entry_value(id, v) else {
            return need;
        };
        let at_entry = match init {
            Operand::Value(i) => self.need(i),
            Operand::Lit(_) | Operand::Undef => quote!(false),
        };
        if at_entry.to_string() == need.to_string() {
            return need;
        }
        self.first_flags.1.borrow_mut().insert(id);
        let first = first_ident(id);
        quote!((if #first { #at_entry } else { #need }))
    }

    /// The value loop `id` starts header `v` from.
    fn entry_value(&self, id: RegionId, v: ValueId) -> Option<Operand> {
        struct Find(RegionId, ValueId, Option<Operand>);
        impl<'c> Visitor<'c> for Find {
            fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
                if let Inst::Loop(l) = inst {
                    if l.id == self.0 {
                        self.2 = entry(l, self.1);
                    }
                }
            }
        }
        let mut f = Find(id, v, None);
        walk(&self.p.body.block, &mut f);
        f.2
    }

    /// Loop `l`'s statements that set `__ad_first<id>`: before the loop,
    /// and at the top of its body. Empty unless a call in the body asked.
    pub fn first_iteration_flags(&self, l: &Loop) -> (TokenStream, TokenStream) {
        if !self.first_flags.1.borrow().contains(&l.id) {
            return (quote!(), quote!());
        }
        let started = names::generated(&format!("started{}", l.id));
        let first = first_ident(l.id);
        (
            quote!(let mut #started = false;),
            quote!(let #first = !#started; #started = true;),
        )
    }
}

fn entry(l: &Loop, v: ValueId) -> Option<Operand> {
    let i = l.carried.iter().position(|h| *h == v)?;
    l.inits.get(i).cloned()
}

fn first_ident(id: RegionId) -> Ident {
    names::generated(&format!("first{id}"))
}
