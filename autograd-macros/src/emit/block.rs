//! Blocks: each instruction's forward and reverse pieces, the reverse in
//! the opposite order, and the reverse of what follows an early exit
//! guarded by the exit code recorded for the region it left.

use proc_macro2::TokenStream;
use quote::quote;

use super::cx::{Emitter, ExitVar};
use crate::core::{Block, Inst, Loop, ValueId};
use crate::names;

/// What a block's fall-through does.
#[derive(Clone, Copy)]
pub enum Join<'c> {
    /// A branch of a construct joining `outs`: the block's value is the
    /// tuple of what it yields.
    Value(&'c [ValueId]),
    /// A loop body: the yield sets the header variables for the next iteration.
    Back(&'c Loop),
    /// A reduction loop's body: the loop emits the back edge itself.
    Fused,
    /// The function's block: the body emitter takes the output.
    Output,
}

/// A block's forward statements, the value its fall-through ends with
/// (for `Join::Value`), and its reverse.
pub struct Pieces {
    pub fwd: TokenStream,
    pub tail: TokenStream,
    pub rev: TokenStream,
}

impl Emitter<'_, '_> {
    pub fn block(&mut self, b: &Block, join: Join, in_loop: bool) -> Pieces {
        self.locals.push(Vec::new());
        let mut fwd = TokenStream::new();
        let mut revs = Vec::new();
        let mut codes: Option<(u32, u32)> = None;
        for inst in &b.insts {
            let (f, r) = self.inst(inst, in_loop);
            fwd.extend(f);
            if !r.is_empty() {
                revs.push(self.guarded(quote!({ #r }), codes));
            }
            let c = inst.codes();
            if !c.is_empty() {
                codes = Some(match codes {
                    Some((lo, _)) => (lo, c.end),
                    None => (c.start, c.end),
                });
            }
        }
        let (tf, tail, tr) = self.term(&b.term, join, in_loop);
        fwd.extend(tf);
        if !tr.is_empty() {
            revs.push(self.guarded(tr, codes));
        }
        revs.reverse();
        let locals = self.locals.pop().unwrap_or_default();
        let decls = Self::declarations(&locals);
        Pieces {
            fwd: quote!(#decls #fwd),
            tail,
            rev: quote!(#(#revs)*),
        }
    }

    /// The reverse of a statement that runs only if nothing before it left
    /// the region: statements after an exit were never run.
    fn guarded(&self, r: TokenStream, codes: Option<(u32, u32)>) -> TokenStream {
        let Some((lo, hi)) = codes else { return r };
        let exit = match self.exits.last() {
            Some(ExitVar::Function) if self.p.body.returns => names::generated("fn_exit"),
            Some(ExitVar::Region(id)) if self.p.body.regions[*id].exited => Self::region_ident("exit", *id),
            _ => return r,
        };
        quote!(if !(#lo..#hi).contains(&#exit) { #r })
    }

    /// Forward and reverse of one instruction.
    pub fn inst(&mut self, inst: &Inst, in_loop: bool) -> (TokenStream, TokenStream) {
        match inst {
            Inst::Let(l) => self.let_stmt(l, in_loop),
            Inst::If(i) => self.if_inst(inst, i, in_loop),
            Inst::Match(m) => self.match_inst(inst, m, in_loop),
            Inst::Loop(l) => self.loop_inst(inst, l, in_loop),
            Inst::Labelled(b) => self.labelled(b, in_loop),
            Inst::Bind(b) => {
                let (pat, value) = (&b.pat, &b.value.tokens);
                let kept: Vec<TokenStream> = b.bindings.clone().into_iter().map(|v| self.kept_after(v)).collect();
                (quote!(let #pat = #value; #(#kept)*), quote!())
            }
            Inst::Check(c) => {
                let t = &c.tokens;
                (quote!(#t;), quote!())
            }
        }
    }

    /// `(a, b) = ` for a construct's outs, declared in the block (nothing without outs).
    pub fn outs_binding(&mut self, outs: &[ValueId]) -> TokenStream {
        for o in outs {
            let id = self.ident(*o).clone();
            self.declare(&id, false);
        }
        match outs {
            [] => quote!(),
            [o] => {
                let id = self.ident(*o);
                quote!(#id =)
            }
            _ => {
                let ids = outs.iter().map(|o| self.ident(*o));
                quote!((#(#ids,)*) =)
            }
        }
    }

    /// What the pullback keeps of a construct's outs.
    pub fn kept_outs(&mut self, outs: &[ValueId]) -> TokenStream {
        let kept: Vec<TokenStream> = outs.iter().map(|o| self.kept_after(*o)).collect();
        quote!(#(#kept)*)
    }
}
