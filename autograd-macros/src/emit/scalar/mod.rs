//! A long straight-line float body, in chunks (see `analysis::scalar`).
//!
//! Each chunk of the body is two functions of the generated module:
//! `__ad_fwd_<k>` runs its statements, as the user wrote them, on the values
//! earlier chunks return, and appends what its reverse reads to the tape;
//! `__ad_rev_<k>` takes its part of the tape and the gradients of the
//! values it returned, and adds to the gradients of the values it read.
//! `rule` calls the forward functions in order and, in the pullback, the
//! reverse functions in the opposite order:
//!
//! ```text
//! let (a_7, b_9) = __ad_fwd_0(&mut __ad_tape, x, y);
//! let (a_12,) = __ad_fwd_1(&mut __ad_tape, a_7, b_9);
//! ..
//! __ad_rev_1(&__ad_tape, __ad_d_a_12, &mut __ad_d_a_7, &mut __ad_d_b_9);
//! __ad_rev_0(&__ad_tape, __ad_d_a_7, __ad_d_b_9, &mut __ad_d_x, &mut __ad_d_y);
//! ```
//!
//! Every value is an `F` (`f64` or `f32`), so each function's arguments
//! are typed and rustc checks each chunk on its own: the build time grows
//! with the body's length, not its square. Operators are written as the
//! user wrote them (on floats they are the rules' forward); every other
//! forward and every backward function is the rule's own, called through
//! a by-value wrapper (see `wrappers`). A gradient is defined by its first
//! contribution in reverse order and added to after; only values the
//! output's gradient reaches get one, so a value that is NaN and never
//! used cannot spoil a gradient.

use std::collections::HashSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::analysis::scalar::{as_let, reverse_of, Chunk, Layout};
use crate::core::{Body, Inst, Let, Op, Operand, ValueId};
use crate::names;
use crate::table::Read;

mod wrappers;
use wrappers::Wrappers;

/// What the chunked emission gives `rule`.
pub struct Chunked {
    /// The body of `rule`.
    pub body: TokenStream,
    /// The chunk functions, beside `rule` in the generated module.
    pub items: TokenStream,
    /// One line per value on the tape, for `__AD_SAVED`.
    pub saved: Vec<String>,
}

struct Emit<'b> {
    body: &'b Body,
    layout: &'b Layout,
    float: Ident,
    rt: TokenStream,
    lit: Ident,
    meta: Ident,
    /// The gradient variable of each value (`__ad_d_<name>`), made once.
    grads: Vec<Ident>,
    wrappers: Wrappers,
}

impl Emit<'_> {
    fn id(&self, v: ValueId) -> &Ident {
        &self.body.values[v].ident
    }

    fn d(&self, v: ValueId) -> &Ident {
        &self.grads[v]
    }

    /// An instruction's forward statement: a definition, or a check as written.
    fn forward_inst(&self, i: usize) -> TokenStream {
        match &self.body.block.insts[i] {
            Inst::Let(l) => self.forward_stmt(l),
            Inst::Check(c) => {
                let t = &c.tokens;
                quote!(#t;)
            }
            _ => quote!(),
        }
    }

    /// An operand as a rule reads it: `&a`, or a literal typed `F`.
    fn operand(&self, o: &Operand) -> TokenStream {
        let lit = &self.lit;
        match o {
            Operand::Value(v) => {
                let id = self.id(*v);
                quote!(&#id)
            }
            Operand::Lit(t) => quote!(&#lit(#t)),
            Operand::Undef => quote!(&()),
        }
    }

    /// `let a = Rule::fwd(..);`, at the user's expression.
    fn forward_stmt(&self, l: &Let) -> TokenStream {
        let float = &self.float;
        let id = self.id(l.out);
        let stmt = match &l.op {
            Op::Const(c) => {
                let t = &c.tokens;
                quote!(let #id: #float = #t;)
            }
            Op::Rule {
                rule,
                operands,
                consts,
            } => match (operator(rule.rule), operands.as_slice()) {
                // On floats the operators are the rules' forward, as written.
                (Some(op), [a, b]) => {
                    let (a, b) = (self.native(a), self.native(b));
                    quote!(let #id = #a #op #b;)
                }
                (Some(_), [a]) => {
                    let a = self.native(a);
                    quote!(let #id = -#a;)
                }
                _ if consts.is_empty() => {
                    let f = self.wrappers.forward(rule, operands.len());
                    let parts = operands.iter().map(|o| self.native(o));
                    quote!(let #id = #f(#(#parts),*);)
                }
                _ => {
                    let tr = self.wrappers.rule_path(rule, operands.len());
                    let parts = operands.iter().map(|o| self.operand(o));
                    let consts = consts.iter().map(|c| self.operand_const(c));
                    quote!(let #id = #tr::fwd(#(#parts,)* #(#consts),*);)
                }
            },
            _ => quote!(),
        };
        names::located(stmt, l.span)
    }

    /// An operand of an operator: the value, or the literal as written
    /// (typed by the value beside it, as in the user's function).
    fn native(&self, o: &Operand) -> TokenStream {
        match o {
            Operand::Value(v) => self.id(*v).to_token_stream(),
            // A literal of one token as written; `-0.5` or `1.0 / 3.0` in parentheses.
            Operand::Lit(t) if t.clone().into_iter().count() == 1 => t.clone(),
            Operand::Lit(t) => quote!((#t)),
            Operand::Undef => quote!(()),
        }
    }

    fn operand_const(&self, c: &Operand) -> TokenStream {
        match c {
            Operand::Lit(t) => quote!(&#t),
            other => self.operand(other),
        }
    }

    /// The reverse of one definition: each reached operand's gradient
    /// added to, from the output's.
    fn reverse_stmt(&self, l: &Let, chunk: &Chunk, started: &mut HashSet<ValueId>) -> TokenStream {
        let Op::Rule {
            rule,
            operands,
            consts,
        } = &l.op
        else {
            return quote!();
        };
        let (revs, _) = reverse_of(l, &self.layout.reached);
        let d_out = self.d(l.out);
        let mut out = TokenStream::new();
        for (k, u) in revs {
            let gradient = if rule.passes(k) {
                // The rule declares this gradient the output's, unchanged.
                quote!(#d_out)
            } else if consts.is_empty() {
                let f = self.wrappers.reverse(rule, k, operands.len());
                let args = rule.reads_of(k).iter().filter_map(|r| match r {
                    Read::Value(m) => Some(self.native(&operands[*m])),
                    Read::Output => Some(self.id(l.out).to_token_stream()),
                    _ => None,
                });
                quote!(#f(#(#args,)* #d_out))
            } else {
                let meta = &self.meta;
                let args = rule.reads_of(k).iter().map(|r| match r {
                    Read::Value(m) => self.operand(&operands[*m]),
                    Read::Output => {
                        let id = self.id(l.out);
                        quote!(&#id)
                    }
                    Read::Const(m) => self.operand_const(&consts[*m]),
                    _ => quote!(&#meta),
                });
                let tr = self.wrappers.rule_path(rule, operands.len());
                let rev = format_ident!("rev{}", k);
                quote!(#tr::#rev(#(#args,)* &#d_out))
            };
            let d = self.d(u);
            out.extend(if chunk.d_outs.contains(&u) {
                quote!(*#d += #gradient;)
            } else if chunk.d_ins.contains(&u) || !started.insert(u) {
                quote!(#d += #gradient;)
            } else {
                // The first contribution (in reverse order) defines it.
                quote!(let mut #d = #gradient;)
            });
        }
        // Not moved to the user's expression: any type error here (a
        // literal's) is also the forward statement's, and at the literal.
        out
    }

    fn fwd_name(k: usize) -> Ident {
        names::generated(&format!("fwd_{k}"))
    }

    fn rev_name(k: usize) -> Ident {
        names::generated(&format!("rev_{k}"))
    }

    /// `__ad_fwd_<k>`: the chunk's statements; appends its tape, returns its outs.
    fn forward_fn(&self, k: usize, c: &Chunk) -> TokenStream {
        let float = &self.float;
        let name = Self::fwd_name(k);
        let tape = names::generated("tape");
        let ins = c.ins.iter().map(|v| self.id(*v));
        let stmts = c.insts.clone().map(|i| self.forward_inst(i));
        let saved = c.tape.iter().map(|v| self.id(*v));
        let outs = c.outs.iter().map(|v| self.id(*v));
        let out_tys = c.outs.iter().map(|_| float);
        quote! {
            #[inline(never)]
            fn #name(#tape: &mut ::autograd::__private::Vec<#float>, #(#ins: #float),*) -> (#(#out_tys,)*) {
                #(#stmts)*
                #tape.extend_from_slice(&[#(#saved),*]);
                (#(#outs,)*)
            }
        }
    }

    /// `__ad_rev_<k>`: the chunk's reverse, from its part of the tape.
    fn reverse_fn(&self, k: usize, c: &Chunk) -> TokenStream {
        let float = &self.float;
        let (rt, meta) = (&self.rt, &self.meta);
        let name = Self::rev_name(k);
        let tape = names::generated("tape");
        let d_ins = c.d_ins.iter().map(|v| self.d(*v));
        let d_outs = c.d_outs.iter().map(|v| self.d(*v));
        let kept = c.tape.iter().map(|v| self.id(*v));
        let (start, end) = (c.tape_start, c.tape_start + c.tape.len());
        // Rules with constants are called directly, with shapes.
        let direct = c.insts.clone().any(|i| {
            matches!(as_let(&self.body.block.insts[i]), Some(Let { op: Op::Rule { consts, .. }, .. }) if !consts.is_empty())
        });
        let meta_let = if direct {
            quote!(let #meta = { let zero: #float = 0.0; #rt::meta(&zero) };)
        } else {
            quote!()
        };
        let mut started = HashSet::new();
        let steps: Vec<TokenStream> = c
            .insts
            .clone()
            .rev()
            .filter_map(|i| as_let(&self.body.block.insts[i]))
            .map(|l| self.reverse_stmt(l, c, &mut started))
            .collect();
        quote! {
            #[inline(never)]
            fn #name(#tape: &[#float], #(mut #d_ins: #float,)* #(#d_outs: &mut #float),*) {
                let &[#(#kept),*] = &#tape[#start..#end] else { ::core::unreachable!() };
                #meta_let
                #(#steps)*
            }
        }
    }

    /// The body of `rule`: the forward chunks, then the pullback running
    /// the reverse chunks.
    fn rule_body(&self, closure_params: &[TokenStream]) -> TokenStream {
        let float = &self.float;
        let tape = names::generated("tape");
        let n = self.layout.tape_len;
        let mut fwd = TokenStream::new();
        for (k, c) in self.layout.chunks.iter().enumerate() {
            let name = Self::fwd_name(k);
            let outs = c.outs.iter().map(|v| self.id(*v));
            let ins = c.ins.iter().map(|v| self.id(*v));
            fwd.extend(quote!(let (#(#outs,)*) = #name(&mut #tape, #(#ins),*);));
        }
        let mut rev = TokenStream::new();
        for (k, c) in self.layout.chunks.iter().enumerate().rev() {
            let name = Self::rev_name(k);
            let d_ins = c.d_ins.iter().map(|v| self.d(*v));
            let d_outs = c.d_outs.iter().map(|v| self.d(*v));
            rev.extend(quote!(#name(&#tape, #(#d_ins,)* #(&mut #d_outs),*);));
        }
        let output = self.layout.output;
        let value = self.id(output);
        let seed = if self.layout.reached[output] {
            let d = self.d(output);
            quote!(#d += *__ad_seed;)
        } else {
            quote!()
        };
        let crossing = self.layout.crossing.iter().map(|v| self.d(*v));
        let slots = self.body.params.iter().enumerate().map(|(i, v)| {
            if self.layout.reached[*v] {
                let d = self.d(*v);
                quote!(if __ad_needs[#i] { ::core::option::Option::Some(#d) } else { ::core::option::Option::None })
            } else {
                quote!(::core::option::Option::None)
            }
        });
        quote! {
            let mut #tape: ::autograd::__private::Vec<#float> = ::autograd::__private::Vec::with_capacity(#n);
            #fwd
            let __ad_value = #value;
            (__ad_value, move |__ad_seed, #(#closure_params),*| {
                #(let mut #crossing: #float = 0.0;)*
                #seed
                #rev
                (#(#slots,)*)
            })
        }
    }
}

/// The operator whose rule `rule` is (`+` for `AddRule`), for the arithmetic rules.
fn operator(rule: &str) -> Option<TokenStream> {
    Some(match rule {
        "AddRule" => quote!(+),
        "SubRule" => quote!(-),
        "MulRule" => quote!(*),
        "DivRule" => quote!(/),
        "NegRule" => quote!(-),
        _ => return None,
    })
}

/// `rule`'s body and the chunk functions for a body laid out in chunks.
pub fn chunked(body: &Body, layout: &Layout, closure_params: &[TokenStream]) -> Chunked {
    let e = Emit {
        body,
        layout,
        float: Ident::new(layout.float, Span::call_site()),
        rt: names::runtime(),
        lit: names::generated("lit"),
        meta: names::generated("meta"),
        grads: body
            .values
            .iter()
            .map(|v| names::generated(&format!("d_{}", v.name)))
            .collect(),
        wrappers: Wrappers::new(&Ident::new(layout.float, Span::call_site())),
    };
    let (float, lit) = (&e.float, &e.lit);
    let mut items = quote! {
        /// A literal of the function's float type.
        #[inline]
        fn #lit(x: #float) -> #float {
            x
        }
    };
    for (k, c) in layout.chunks.iter().enumerate() {
        items.extend(e.forward_fn(k, c));
        items.extend(e.reverse_fn(k, c));
    }
    items.extend(e.wrappers.items());
    let saved = layout
        .chunks
        .iter()
        .flat_map(|c| &c.tape)
        .map(|v| format!("value `{}` (on the tape)", body.values[*v].user))
        .collect();
    Chunked {
        body: e.rule_body(closure_params),
        items,
        saved,
    }
}
