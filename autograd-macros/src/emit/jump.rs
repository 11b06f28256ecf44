//! Terminators (a block's yield, `break`, `continue`, `return`) and
//! labelled blocks. A jump records its code in every region it leaves; in
//! reverse, it hands the gradients of what it passed on back to the values
//! it passed.

use proc_macro2::TokenStream;
use quote::quote;

use super::block::Join;
use super::cx::{Emitter, ExitVar};
use crate::analysis::defs::addr;
use crate::core::{Exit, Inst, Jump, Labelled, Operand, Target, Term, ValueId};
use crate::names;

impl Emitter<'_, '_> {
    /// `adj(to) += adj(from)`, emptying `adj(from)`.
    pub fn hand_back(&self, from: ValueId, to: &Operand) -> TokenStream {
        if !self.p.receives(from) {
            return quote!();
        }
        let rt = &self.rt;
        let d_from = self.d(from);
        match to {
            Operand::Value(v) if *v == from => quote!(),
            Operand::Value(v) if self.p.receives(*v) => {
                let d_to = self.d(*v);
                quote! {
                    if let ::core::option::Option::Some(__ad_d) = #d_from.take() {
                        #rt::accumulate(&mut #d_to, __ad_d);
                    }
                }
            }
            _ => quote!(let _ = #d_from.take();),
        }
    }

    /// `adj(to) += adj(from)` for every pair at once: every `adj(from)` is
    /// taken before any is added to (a swap `(a, b) = (b, a)` in a loop
    /// passes `a`'s gradient to `b` and `b`'s to `a`).
    pub fn hand_back_all(&self, pairs: &[(ValueId, &Operand)]) -> TokenStream {
        let pairs: Vec<(ValueId, &Operand)> = pairs
            .iter()
            .filter(|(from, to)| self.p.receives(*from) && to.value() != Some(*from))
            .map(|(f, t)| (*f, *t))
            .collect();
        let sources: Vec<ValueId> = pairs.iter().map(|(f, _)| *f).collect();
        let aliased = pairs
            .iter()
            .any(|(_, to)| to.value().is_some_and(|t| sources.contains(&t)));
        if !aliased {
            let each: Vec<TokenStream> = pairs.iter().map(|(f, t)| self.hand_back(*f, t)).collect();
            return quote!(#(#each)*);
        }
        let rt = &self.rt;
        let mut takes = Vec::new();
        let mut adds = Vec::new();
        for (k, (from, to)) in pairs.iter().enumerate() {
            let t = names::generated(&format!("handed{k}"));
            let d_from = self.d(*from);
            takes.push(quote!(let #t = #d_from.take();));
            match to {
                Operand::Value(v) if self.p.receives(*v) => {
                    let d_to = self.d(*v);
                    adds.push(quote!(if let ::core::option::Option::Some(__ad_d) = #t { #rt::accumulate(&mut #d_to, __ad_d); }));
                }
                _ => {}
            }
        }
        quote!(#(#takes)* #(#adds)*)
    }

    /// Forward, tail value and reverse of a terminator.
    pub fn term(
        &mut self,
        t: &Term,
        join: Join,
        in_loop: bool,
    ) -> (TokenStream, TokenStream, TokenStream) {
        match (t, join) {
            (Term::Never, _) | (Term::Yield(_), Join::Output) | (Term::Yield(_), Join::Fused) => {
                (quote!(), quote!(), quote!())
            }
            (Term::Yield(args), Join::Value(outs)) => {
                let vals: Vec<TokenStream> = args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| self.moved(a, (addr(t), i)))
                    .collect();
                let tail = match vals.len() {
                    0 => quote!(),
                    1 => quote!(#(#vals)*),
                    _ => quote!((#(#vals,)*)),
                };
                let rev: Vec<TokenStream> = outs
                    .iter()
                    .zip(args)
                    .map(|(o, a)| self.hand_back(*o, a))
                    .collect();
                (quote!(), tail, quote!(#(#rev)*))
            }
            (Term::Yield(args), Join::Back(l)) => {
                let mut moves = Vec::new();
                let mut pairs = Vec::new();
                for (i, (h, a)) in l.carried.iter().zip(args).enumerate() {
                    moves.push((*h, a, (addr(t), i)));
                    pairs.push((*h, a));
                }
                (
                    self.assign_slots(&moves),
                    quote!(),
                    self.hand_back_all(&pairs),
                )
            }
            (Term::Jump(j), _) => {
                let (f, r) = self.jump(t, j, in_loop);
                (f, quote!(), r)
            }
        }
    }

    /// `(h1, h2) = (v1, v2);` for a loop's carried variables, all at once
    /// (`tmp = d; d = ..; dd = tmp;` passes on the old `d` as the new `dd`),
    /// leaving out those that stay themselves.
    pub fn assign_slots(&self, moves: &[(ValueId, &Operand, (usize, usize))]) -> TokenStream {
        let mut targets = Vec::new();
        let mut values = Vec::new();
        for (h, a, site) in moves {
            match a {
                Operand::Value(v) if v == h => {}
                Operand::Undef => {}
                a => {
                    targets.push(self.ident(*h).clone());
                    values.push(self.moved(a, *site));
                }
            }
        }
        match targets.len() {
            0 => quote!(),
            1 => quote!(#(#targets)* = #(#values)*;),
            _ => quote!((#(#targets,)*) = (#(#values,)*);),
        }
    }

    fn jump(&mut self, t: &Term, j: &Jump, _in_loop: bool) -> (TokenStream, TokenStream) {
        let code = j.code;
        let mut records = TokenStream::new();
        for e in &j.exits {
            records.extend(self.exit_record(*e, code));
        }
        match j.target {
            Target::Return => {
                let exit = names::generated("fn_exit");
                let label = names::label("body");
                let value = j
                    .args
                    .first()
                    .map(|a| self.moved(a, (addr(t), 0)))
                    .unwrap_or_default();
                (
                    quote!({ #records #exit = #code; break #label (#value); }),
                    quote!(),
                )
            }
            Target::Break(r) | Target::Continue(r) => {
                let brk = matches!(j.target, Target::Break(_));
                match self.p.loop_insts.get(&r) {
                    Some(Inst::Loop(l)) => {
                        let label = Self::label("loop", r);
                        let mut fwd = records;
                        let mut moves = Vec::new();
                        let mut pairs = Vec::new();
                        for (i, (h, a)) in l.carried.iter().zip(&j.args).enumerate() {
                            moves.push((*h, a, (addr(t), i)));
                            pairs.push((if brk { l.outs[i] } else { *h }, a));
                        }
                        let mut rev = self.hand_back_all(&pairs);
                        fwd.extend(self.assign_slots(&moves));
                        let value = match (&j.value, l.value) {
                            (Some(v), Some(out)) => {
                                rev.extend(self.hand_back(out, v));
                                self.moved(v, (addr(t), j.args.len()))
                            }
                            _ => quote!(),
                        };
                        if brk {
                            let value = if value.is_empty() {
                                value
                            } else {
                                quote!((#value))
                            };
                            (quote!({ #fwd break #label #value; }), rev)
                        } else {
                            (quote!({ #fwd continue #label; }), rev)
                        }
                    }
                    _ => {
                        // A labelled block: its outs are the value, then the carried variables.
                        let label = Self::label("block", r);
                        let outs = self.labelled_outs(r);
                        let mut vals = Vec::new();
                        let mut rev = TokenStream::new();
                        let ops: Vec<&Operand> = j.value.iter().chain(&j.args).collect();
                        for (k, (o, a)) in outs.iter().zip(&ops).enumerate() {
                            vals.push(self.moved(a, (addr(t), k)));
                            rev.extend(self.hand_back(*o, a));
                        }
                        let tail = match vals.len() {
                            0 => quote!(),
                            1 => quote!((#(#vals)*)),
                            _ => quote!((#(#vals,)*)),
                        };
                        (quote!({ #records break #label #tail; }), rev)
                    }
                }
            }
        }
    }

    /// The outs of labelled block `r` (its value first).
    fn labelled_outs(&self, r: usize) -> Vec<ValueId> {
        self.p
            .labelled
            .get(&r)
            .map(|b| b.outs.clone())
            .unwrap_or_default()
    }

    /// What a jump records in a region it leaves.
    fn exit_record(&self, e: Exit, code: u32) -> TokenStream {
        match e {
            Exit::Iteration(r) => {
                let ex = Self::region_ident("exits", r);
                quote!(#ex.push(#code);)
            }
            Exit::Loop(r) => {
                let n = Self::region_ident("iterations", r);
                let cnt = Self::region_ident("trips", r);
                if self.p.body.regions[r].depth > 0 {
                    quote!(#cnt.push(#n);)
                } else {
                    quote!(#cnt = #n;)
                }
            }
            Exit::Block(r) => {
                let ex = Self::region_ident("exits", r);
                if self.p.body.regions[r].depth > 0 {
                    quote!(#ex.push(#code);)
                } else {
                    quote!(#ex = #code;)
                }
            }
            Exit::Function => quote!(),
        }
    }

    /// `'a: { .. }`: its value and the variables it changes, from its end or
    /// from a `break 'a`.
    pub fn labelled(&mut self, b: &Labelled, in_loop: bool) -> (TokenStream, TokenStream) {
        let exited = self.p.body.regions[b.id].exited;
        self.exits.push(ExitVar::Region(b.id));
        let pieces = self.block(&b.body, Join::Value(&b.outs), in_loop);
        self.exits.pop();
        let ex = Self::region_ident("exits", b.id);
        let e = Self::region_ident("exit", b.id);
        let (end, read) = if !exited {
            (quote!(), quote!())
        } else if in_loop {
            self.stack(&ex);
            (
                quote!(#ex.push(0);),
                quote!(let #e: u32 = #ex.pop().expect("autograd: the backward pass retraces the recorded control flow");),
            )
        } else {
            self.decls.push((ex.clone(), quote!(0u32)));
            (quote!(), quote!(let #e: u32 = #ex;))
        };
        let label = Self::label("block", b.id);
        let bind = self.outs_binding(&b.outs);
        let (fwd, tail, rev) = (pieces.fwd, pieces.tail, pieces.rev);
        let kept = self.kept_outs(&b.outs);
        let f = quote!(#bind #label: { #fwd #end #tail }; #kept);
        let _ = &f;
        let r = if rev.is_empty() {
            quote!()
        } else {
            quote!({ #read #rev })
        };
        (f, r)
    }
}
