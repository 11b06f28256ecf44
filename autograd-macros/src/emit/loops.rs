//! Loops: the forward sweep counts iterations and records how each ended;
//! the reverse sweep retraces them, last first. Carried variables live in
//! variables of their own (their header parameters); a loop body without
//! control flow saves one tuple per iteration (a frame).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::block::Join;
use super::cx::{Emitter, ExitVar};
use crate::analysis::defs::addr;
use crate::core::walk::{self, Cx, Visitor};
use crate::core::{Inst, Loop, LoopKind, Operand, Target, Term};
use crate::names;

/// The codes of the jumps that break out of a loop.
fn break_codes(l: &Loop) -> Vec<u32> {
    struct B(usize, Vec<u32>);
    impl<'c> Visitor<'c> for B {
        fn term(&mut self, t: &'c Term, _: &Cx<'c>) {
            if let Term::Jump(j) = t {
                if j.target == Target::Break(self.0) {
                    self.1.push(j.code);
                }
            }
        }
    }
    let mut b = B(l.id, Vec::new());
    walk::walk(&l.body, &mut b);
    b.1
}

impl Emitter<'_, '_> {
    /// `let mut h = init;` for each carried variable.
    pub fn loop_inits(&mut self, inst: &Inst, l: &Loop) -> TokenStream {
        let mut out = TokenStream::new();
        for (i, (h, init)) in l.carried.iter().zip(&l.inits).enumerate() {
            let id = self.ident(*h).clone();
            // The header's variable holds the loop's out after it.
            self.declare_value(l.outs[i], true);
            match init {
                Operand::Undef => out.extend(quote!(let mut #id;)),
                _ => {
                    let v = self.moved(init, (addr(inst), i));
                    out.extend(quote!(let mut #id = #v;));
                }
            }
        }
        out
    }

    /// The loop's head, and what goes before it: a `for` loop's iterator
    /// is taken first, and the stacks its body pushes onto are reserved.
    pub fn loop_head(&self, l: &Loop, stacks: &[Ident]) -> (TokenStream, TokenStream) {
        let iter_var = Self::region_ident("iter", l.id);
        let hint = Self::region_ident("hint", l.id);
        match &l.kind {
            LoopKind::For { pat, iter, .. } => {
                let iter = &iter.tokens;
                let reserve = if stacks.is_empty() {
                    quote!()
                } else {
                    quote! {
                        let #hint = ::core::iter::Iterator::size_hint(&#iter_var).0;
                        #( #stacks.reserve(#hint); )*
                    }
                };
                (
                    quote! {
                        let #iter_var = ::core::iter::IntoIterator::into_iter(#iter);
                        #reserve
                    },
                    quote!(for #pat in #iter_var),
                )
            }
            LoopKind::While { cond } => {
                let c = &cond.tokens;
                (quote!(), quote!(while #c))
            }
            LoopKind::Loop => (quote!(), quote!(loop)),
        }
    }

    pub fn loop_inst(
        &mut self,
        inst: &Inst,
        l: &Loop,
        in_loop: bool,
    ) -> (TokenStream, TokenStream) {
        if let Some(r) = self.p.reductions.get(&l.id) {
            return self.reduction_loop(inst, l, r);
        }
        let exited = self.p.body.regions[l.id].exited;
        let ex = Self::region_ident("exits", l.id);
        let e = Self::region_ident("exit", l.id);
        self.loop_stacks.push(Vec::new());
        self.exits.push(ExitVar::Region(l.id));
        self.first_flags.0.insert(l.id);
        let pieces = self.block(&l.body, Join::Back(l), true);
        self.first_flags.0.remove(&l.id);
        self.exits.pop();
        let (before_loop, at_top) = self.first_iteration_flags(l);
        let mut stacks = self.loop_stacks.pop().unwrap_or_default();
        let (mut bf, mut br) = (pieces.fwd, pieces.rev);
        bf = quote!(#at_top #bf);
        let carried_init = self.frames(l, &mut stacks, &mut bf, &mut br);
        if exited {
            self.decls
                .push((ex.clone(), quote!(::autograd::__private::Vec::<u32>::new())));
            stacks.push(ex.clone());
        }
        let (prelude, head) = self.loop_head(l, &stacks);
        let inits = self.loop_inits(inst, l);
        let label = Self::label("loop", l.id);
        let mut kept = self.kept_outs(&l.outs);
        if let Some(v) = l.value {
            kept.extend(self.kept_after(v));
        }
        let outs_receive = l.outs.iter().any(|o| self.p.receives(*o));
        let bind = match l.value {
            Some(v) => {
                let id = self.ident(v).clone();
                self.declare_value(v, false);
                quote!(let #id =)
            }
            None => quote!(),
        };
        let value_receives = l.value.is_some_and(|v| self.p.receives(v));
        if br.is_empty() && !exited && !outs_receive && !value_receives {
            return (
                quote!(#carried_init #prelude #inits #before_loop #bind #label: #head { #bf }; #kept),
                quote!(),
            );
        }
        let n = Self::region_ident("iterations", l.id);
        let cnt = Self::region_ident("trips", l.id);
        let (record, read) = if in_loop {
            self.decls.push((
                cnt.clone(),
                quote!(::autograd::__private::Vec::<usize>::new()),
            ));
            (
                quote!(#cnt.push(#n);),
                quote!(#cnt.pop().expect("autograd: the backward pass retraces the recorded loops")),
            )
        } else {
            self.decls.push((cnt.clone(), quote!(0usize)));
            (quote!(#cnt = #n;), quote!(#cnt))
        };
        let (end, pop_exit) = if exited {
            (
                quote!(#ex.push(0);),
                quote!(let #e: u32 = #ex.pop().expect("autograd: the backward pass retraces the recorded loops");),
            )
        } else {
            (quote!(), quote!())
        };
        let fwd = quote! {
            #carried_init
            #prelude
            #inits
            #before_loop
            let mut #n: usize = 0;
            #bind #label: #head {
                #n += 1;
                #bf
                #end
            };
            #record
            #kept
        };
        let trips = names::generated(&format!("n{}", l.id));
        let natural = self.natural_exit(l, &trips);
        let init_back: Vec<TokenStream> = l
            .carried
            .iter()
            .zip(&l.inits)
            .map(|(h, i)| self.hand_back(*h, i))
            .collect();
        let rev = quote! {
            let #trips: usize = #read;
            #natural
            for _ in 0..#trips {
                #pop_exit
                #br
            }
            #(#init_back)*
        };
        (fwd, rev)
    }

    /// A loop whose iterations save locals: a stack of frames, pushed at
    /// the end of each iteration and popped by its reverse, which reads
    /// the carried values of the iteration before from the frame below
    /// (or from a copy made before the loop). Returns that copy.
    fn frames(
        &mut self,
        l: &Loop,
        stacks: &mut Vec<Ident>,
        bf: &mut TokenStream,
        br: &mut TokenStream,
    ) -> TokenStream {
        let mut carried_init = TokenStream::new();
        let Some(frame) = self.p.frames.get(&l.id).filter(|f| !f.locals.is_empty()) else {
            return carried_init;
        };
        let frames = Self::region_ident("frames", l.id);
        self.decls
            .push((frames.clone(), quote!(::autograd::__private::Vec::new())));
        stacks.push(frames.clone());
        // The reverse of an iteration also hands the carried variables'
        // gradients back (`a = w - 1.0` ends the gradient `a` had): it
        // must run whenever one of them is needed, not only when a
        // statement that reads the frame is.
        let need = self.need_any(frame.needs.iter().chain(&l.carried).copied());
        let need = if frame.needs.is_empty() {
            quote!(true)
        } else {
            need
        };
        let locals: Vec<Ident> = frame.locals.iter().map(|s| self.save_local(*s)).collect();
        let mut prevs = Vec::new();
        for c in &frame.carried {
            let Some(index) = c
                .local
                .and_then(|s| frame.locals.iter().position(|x| *x == s))
            else {
                continue;
            };
            let index = syn::Index::from(index);
            let before = names::generated(&format!("before{}_{}", l.id, self.name(c.header)));
            let prev = names::generated(&format!("prev{}_{}", l.id, self.name(c.header)));
            self.decls
                .push((before.clone(), quote!(::core::option::Option::None)));
            let copy = match &c.init {
                Operand::Value(v) => self.copy_of(*v),
                Operand::Lit(t) => t.clone(),
                Operand::Undef => quote!(()),
            };
            carried_init
                .extend(quote!(if #need { #before = ::core::option::Option::Some(#copy); }));
            prevs.push(quote! {
                let #prev = match #frames.last() {
                    ::core::option::Option::Some(__ad_f) => &__ad_f.#index,
                    ::core::option::Option::None => #before.as_ref().expect("autograd: the value before the loop was saved"),
                };
            });
        }
        *bf = quote! {
            #bf
            if #need {
                #frames.push((#(#locals,)*));
            }
        };
        *br = quote! {
            if #need {
                let (#(#locals,)*) = #frames.pop().expect("autograd: the backward pass pops what the forward pass saved");
                #(#prevs)*
                #br
            }
        };
        carried_init
    }

    /// After a loop that ended at its head (not by a `break`), the gradient
    /// of each out is that of the header parameter's last value.
    fn natural_exit(&self, l: &Loop, trips: &Ident) -> TokenStream {
        let moves: Vec<TokenStream> = l
            .outs
            .iter()
            .zip(&l.carried)
            .map(|(o, h)| self.hand_back(*o, &Operand::Value(*h)))
            .collect();
        if moves.iter().all(|m| m.is_empty()) {
            return quote!();
        }
        let codes = break_codes(l);
        if codes.is_empty() {
            return quote!(#(#moves)*);
        }
        let ex = Self::region_ident("exits", l.id);
        quote! {
            if #trips == 0 || !::core::matches!(#ex.last(), ::core::option::Option::Some(#(#codes)|*)) {
                #(#moves)*
            }
        }
    }
}
