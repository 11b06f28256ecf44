//! Blocks: each instruction's forward and reverse pieces, the reverse in
//! the opposite order, and the reverse of what follows an early exit
//! guarded by the exit code recorded for the region it left.

use proc_macro2::TokenStream;
use quote::quote;

use super::cx::{Decl, Emitter, ExitVar};
use crate::analysis::defs::addr;
use crate::core::{Block, Inst, Loop, ValueId};
use crate::names;

/// How many instructions a chunk of forward code holds (see `insts`).
const CHUNK: usize = 32;

/// The reverse of a long block, in closures of a few dozen statements
/// called at once: each is a function of its own for LLVM, whose debug
/// info passes grow with the square of a function's size.
fn chunked(revs: Vec<TokenStream>) -> Vec<TokenStream> {
    if revs.len() <= CHUNK {
        return revs;
    }
    revs.chunks(CHUNK)
        .map(|c| quote!((|| { #(#c)* })();))
        .collect()
}

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
        let (fwd, mut revs, codes) = self.insts(&b.insts, in_loop, None);
        let (tf, tail, tr) = self.term(&b.term, join, in_loop);
        // A branch's value, and the hand-back of its gradient, are written
        // at the user's expression.
        let (tail, tr) = match (b.tail, join) {
            (Some(at), Join::Value(_)) => (
                crate::names::located(tail, at),
                crate::names::located(tr, at),
            ),
            _ => (tail, tr),
        };
        if !tr.is_empty() {
            revs.push(self.guarded(tr, codes));
        }
        revs.reverse();
        let revs = chunked(revs);
        Pieces {
            fwd: quote!(#fwd #tf),
            tail,
            rev: quote!(#(#revs)*),
        }
    }

    /// The forward and reverse pieces of a run of instructions (the
    /// reverse in forward order), and the codes of the jumps inside them.
    ///
    /// Each definition is a `let`; a long run is cut into chunks of
    /// [`CHUNK`] instructions, each a block whose value is the tuple of
    /// what later instructions still read (`let (a, b) = { .. (a, b) };`):
    /// a `let` opens a scope that lasts to the end of its block, and
    /// rustc's debug info recurses over nested scopes.
    pub fn insts(
        &mut self,
        insts: &[Inst],
        in_loop: bool,
        before: Option<(u32, u32)>,
    ) -> (TokenStream, Vec<TokenStream>, Option<(u32, u32)>) {
        let mut pieces: Vec<(TokenStream, Vec<Decl>)> = Vec::new();
        let mut revs = Vec::new();
        let mut codes = before;
        for inst in insts {
            self.locals.push(Vec::new());
            let (f, r) = self.inst(inst, in_loop);
            let decls = self.locals.pop().unwrap_or_default();
            pieces.push((f, decls));
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
        let mut fwd = TokenStream::new();
        let n = pieces.len();
        for (k, chunk) in pieces.chunks(CHUNK).enumerate() {
            let next = (k + 1) * CHUNK;
            let stmts = chunk.iter().map(|(f, _)| f);
            if next >= n {
                fwd.extend(quote!(#(#stmts)*));
                continue;
            }
            let after = self
                .p
                .defs
                .pos
                .get(&addr(&insts[next]))
                .copied()
                .unwrap_or(u32::MAX);
            let live: Vec<&Decl> = chunk
                .iter()
                .flat_map(|(_, d)| d)
                .filter(|d| d.value.is_none_or(|v| self.p.last_use[v] >= after))
                .collect();
            let pats = live.iter().map(|d| {
                let id = &d.id;
                if d.mutable {
                    quote!(mut #id)
                } else {
                    quote!(#id)
                }
            });
            let ids = live.iter().map(|d| &d.id);
            fwd.extend(quote!(let (#(#pats,)*) = { #(#stmts)* (#(#ids,)*) };));
        }
        (fwd, revs, codes)
    }

    /// The reverse of a statement that runs only if nothing before it left
    /// the region: statements after an exit were never run.
    fn guarded(&self, r: TokenStream, codes: Option<(u32, u32)>) -> TokenStream {
        let Some((lo, hi)) = codes else { return r };
        let exit = match self.exits.last() {
            Some(ExitVar::Function) if self.p.body.returns => names::generated("fn_exit"),
            Some(ExitVar::Region(id)) if self.p.body.regions[*id].exited => {
                Self::region_ident("exit", *id)
            }
            _ => return r,
        };
        quote!(if !(#lo..#hi).contains(&#exit) { #r })
    }

    /// Forward and reverse of one instruction.
    pub fn inst(&mut self, inst: &Inst, in_loop: bool) -> (TokenStream, TokenStream) {
        match inst {
            Inst::Let(l) => {
                let (f, r) = self.let_stmt(l, in_loop);
                (names::located(f, l.span), names::located(r, l.span))
            }
            Inst::If(i) => self.if_inst(inst, i, in_loop),
            Inst::Match(m) => self.match_inst(inst, m, in_loop),
            Inst::Loop(l) => self.loop_inst(inst, l, in_loop),
            Inst::Labelled(b) => self.labelled(b, in_loop),
            Inst::Bind(b) => {
                for v in &b.bindings {
                    self.declare_value(*v, true);
                }
                let (pat, value) = (&b.pat, &b.value.tokens);
                let kept: Vec<TokenStream> = b
                    .bindings
                    .clone()
                    .into_iter()
                    .map(|v| self.kept_after(v))
                    .collect();
                (quote!(let #pat = #value; #(#kept)*), quote!())
            }
            Inst::Check(c) => {
                let t = &c.tokens;
                (quote!(#t;), quote!())
            }
        }
    }

    /// `let (a, b) = ` for a construct's outs (nothing without outs).
    pub fn outs_binding(&mut self, outs: &[ValueId]) -> TokenStream {
        for o in outs {
            self.declare_value(*o, false);
        }
        match outs {
            [] => quote!(),
            [o] => {
                let id = self.ident(*o);
                quote!(let #id =)
            }
            _ => {
                let ids = outs.iter().map(|o| self.ident(*o));
                quote!(let (#(#ids,)*) =)
            }
        }
    }

    /// What the pullback keeps of a construct's outs.
    pub fn kept_outs(&mut self, outs: &[ValueId]) -> TokenStream {
        let kept: Vec<TokenStream> = outs.iter().map(|o| self.kept_after(*o)).collect();
        quote!(#(#kept)*)
    }
}
