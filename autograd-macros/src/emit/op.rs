//! `out = op`: the forward statement, the saves around it, and its reverse.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::cx::Emitter;
use crate::analysis::defs::addr;
use crate::analysis::reads::ReadOf;
use crate::analysis::{LetPlan, Place, SaveKind};
use crate::core::{Call, Let, Op, Operand, Part, Repr, ValueId};
use crate::names;
use crate::table::{Fusion, OpEntry, Read};

impl Emitter<'_, '_> {
    /// `let __ad_m_v = meta(&v);` and `let __ad_own_v = v.to_owned();`
    /// after the definition of a kept value whose shape or copy the pullback reads.
    pub fn kept_after(&mut self, v: ValueId) -> TokenStream {
        let rt = self.rt.clone();
        let mut out = TokenStream::new();
        if self.p.stable_meta[v] {
            let m = self.meta_ident(v);
            let id = self.ident(v);
            let r = self.by_ref_var(v, quote!(#id));
            out.extend(quote!(let #m = #rt::meta(#r);));
            self.declare(&m, false);
        }
        if self.p.own[v] {
            let own = self.own_ident(v);
            let copy = self.copy_of(v);
            out.extend(quote!(let #own = #copy;));
            self.declare(&own, false);
        }
        if self.p.witnessed[v] {
            // The type of its gradient, for the slot the backward pass keeps it in.
            let w = self.witness_ident(v);
            let id = self.ident(v);
            let r = self.by_ref_var(v, quote!(#id));
            out.extend(quote!(let #w = #rt::witness(#r);));
            self.declare(&w, false);
        }
        out
    }

    fn forward_value(&self, l: &Let) -> TokenStream {
        let rt = &self.rt;
        match &l.op {
            Op::Const(c) => {
                let t = &c.tokens;
                quote!(#t)
            }
            Op::Copy(o) => match o {
                Operand::Value(v) if self.repr(*v) == Repr::Ref => {
                    let id = self.ident(*v);
                    quote!(::core::clone::Clone::clone(#id))
                }
                Operand::Value(v) => {
                    let id = self.ident(*v);
                    quote!(#id.clone())
                }
                other => self.moved(other, (0, 0)),
            },
            Op::Field(base, member) => {
                let b = self.ident(*base);
                quote!(&#b.#member)
            }
            Op::Part(base, part) => {
                let b = self.ident(*base);
                match part {
                    Part::Index(i) => {
                        let i = self.const_ref(i);
                        quote!(#rt::ProjectIndex::project(#b, #i))
                    }
                    Part::Some => quote!(#rt::ProjectSome::project_some(#b)),
                }
            }
            Op::Rule { rule, operands, .. } if self.p.literal[l.out] => {
                // Arithmetic of constants of a float literal's type: the
                // built-in operator, whose type rustc infers as in the
                // plain function (a rule's generic call would not).
                let parts: Vec<TokenStream> = operands
                    .iter()
                    .map(|o| match o {
                        Operand::Value(v) => {
                            let id = self.ident(*v);
                            quote!(#id)
                        }
                        Operand::Lit(t) => t.clone(),
                        Operand::Undef => quote!(()),
                    })
                    .collect();
                match (rule.name, parts.as_slice()) {
                    ("neg", [a]) => quote!(-(#a)),
                    ("add", [a, b]) => quote!((#a) + (#b)),
                    ("sub", [a, b]) => quote!((#a) - (#b)),
                    ("mul", [a, b]) => quote!((#a) * (#b)),
                    ("div", [a, b]) => quote!((#a) / (#b)),
                    // `rem`, the one other rule with a literal's type.
                    _ => quote!((#(#parts)%*)),
                }
            }
            Op::Rule {
                rule,
                operands,
                consts,
            } => {
                let tr = Ident::new(rule.rule, Span::call_site());
                // A literal operand (or a constant holding one) has the
                // element type of a value beside it: said at once, rustc
                // knows the literal's type before the next statement.
                let beside = operands
                    .iter()
                    .find(|o| matches!(o, Operand::Value(v) if self.p.body.values[*v].active))
                    .or_else(|| {
                        // A value of a known type types the literals best.
                        operands
                            .iter()
                            .find(|o| matches!(o, Operand::Value(v) if !self.p.literal[*v]))
                    })
                    .or_else(|| operands.iter().find(|o| matches!(o, Operand::Value(_))));
                let companion = beside.map(|o| self.by_ref(o));
                // Typed literals are bound first: the companion may be consumed.
                let mut lits = TokenStream::new();
                let parts: Vec<TokenStream> = operands
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let literal = match o {
                            Operand::Lit(t) if keeps_its_type(rule, t) => None,
                            Operand::Lit(t) => Some(t.clone()),
                            Operand::Value(v)
                                if self.p.literal[*v]
                                    && beside.and_then(Operand::value) != Some(*v) =>
                            {
                                let id = self.ident(*v);
                                Some(quote!(#id))
                            }
                            _ => None,
                        };
                        match (literal, &companion) {
                            (Some(t), Some(c)) => {
                                let id = crate::names::generated(&format!("lit{i}"));
                                lits.extend(quote!(let #id = #rt::lit(#c, #t);));
                                quote!(&#id)
                            }
                            _ => self.by_ref(o),
                        }
                    })
                    .collect();
                let consts: Vec<TokenStream> = consts.iter().map(|c| self.const_ref(c)).collect();
                let consumed = match operands.first() {
                    Some(Operand::Value(v)) if rule.caps.consumes && self.p.consumable[*v] => {
                        Some(self.ident(*v))
                    }
                    _ => None,
                };
                let part = rule
                    .name
                    .strip_prefix("part")
                    .and_then(|k| k.parse::<usize>().ok());
                let call = if let (Some(x), Some(k)) = (&consumed, part) {
                    // A tuple taken apart: each part moved out of it.
                    let k = syn::Index::from(k);
                    quote!(#x.#k)
                } else if let Some(x) = consumed {
                    // Nothing else reads the operand: its buffer is reused.
                    let rest = &parts[1..];
                    quote!(#rt::rules::#tr::fwd_owned(#x, #(#rest,)* #(#consts),*))
                } else if rule.caps.variadic {
                    quote!(#rt::rules::#tr::fwd(#(#consts,)* &[#(#parts),*]))
                } else {
                    quote!(#rt::rules::#tr::fwd(#(#parts,)* #(#consts),*))
                };
                if lits.is_empty() {
                    call
                } else {
                    quote!({ #lits #call })
                }
            }
            Op::Call(_) => quote!(),
        }
    }

    fn call_statement(&self, l: &Let, c: &Call) -> TokenStream {
        let out = self.ident(l.out);
        let pb = self.pb(l.out);
        let path = &c.path;
        let turbofish = &c.turbofish;
        let args: Vec<TokenStream> = c
            .args
            .iter()
            .map(|a| match (&a.operand, a.by_ref) {
                (Operand::Value(v), by_ref) => {
                    let id = self.ident(*v);
                    match (self.repr(*v), by_ref) {
                        (Repr::Ref, _) => quote!(#id),
                        (_, true) => quote!(&#id),
                        // The callee takes ownership: give it a copy, since
                        // the forward or backward may still read the value.
                        (_, false) => quote!(::core::clone::Clone::clone(&#id)),
                    }
                }
                (other, true) => {
                    let t = self.moved(other, (0, 0));
                    quote!(&#t)
                }
                (other, false) => self.moved(other, (0, 0)),
            })
            .collect();
        let needs: Vec<TokenStream> = c
            .args
            .iter()
            .map(|a| match a.operand.value() {
                Some(v) if self.p.body.values[v].active => self.call_need(v),
                _ => quote!(false),
            })
            .collect();
        if c.method {
            // `layer.forward(&h)`: the rule beside the method, on the
            // receiver (checked to be of a type with such methods).
            let rt = &self.rt;
            let method = path.segments.last().map(|s| &s.ident);
            let rule = method.map(crate::names::method_rule);
            let (receiver, rest) = args.split_first().expect("a method call has a receiver");
            // The call is spanned at the method's name, in the user's
            // syntax context: a missing rule is reported there.
            let at = method.map_or_else(Span::call_site, |m| m.span());
            let rt = crate::names::respanned(rt.clone(), at);
            let call = quote::quote_spanned!(at=> #rt::receiver(#receiver).#rule #turbofish(#(#rest,)* [#(#needs),*]));
            return quote!(let (#out, #pb) = #call;);
        }
        let entry = quote!(rule);
        quote!(let (#out, #pb) = #path::#entry #turbofish(#(#args,)* [#(#needs),*]);)
    }

    /// Forward and reverse of a definition.
    pub fn let_stmt(&mut self, l: &Let, in_loop: bool) -> (TokenStream, TokenStream) {
        let out = self.ident(l.out).clone();
        let mutability = if matches!(l.op, Op::Const(_)) {
            quote!(mut)
        } else {
            quote!()
        };
        let ty = l.ty.as_ref().map(|t| {
            let t = Self::user_type(t);
            quote!(: #t)
        });
        let statement = match &l.op {
            Op::Call(c) => {
                self.declare_value(l.out, false);
                let pb = self.pb(l.out);
                self.declare(&pb, false);
                self.call_statement(l, c)
            }
            _ => {
                let value = self.forward_value(l);
                self.declare_value(l.out, matches!(l.op, Op::Const(_)));
                quote!(let #mutability #out #ty = #value;)
            }
        };
        let kept = self.kept_after(l.out);
        let statement = quote!(#statement #kept);
        let Some(plan) = self.p.lets.get(&addr(l)) else {
            return (statement, quote!());
        };
        for s in plan.pre.iter().chain(&plan.post) {
            self.declare_save(*s);
            if let crate::analysis::SaveWhat::Pullback(v) = self.p.saves[*s].what {
                // Moved into its slot: nothing after reads the variable.
                self.forget(&self.pb(v));
            }
        }
        let (pre, pre_pops) = self.saves(&plan.pre);
        let (post, post_pops) = self.saves(&plan.post);
        let need = self.need_any(plan.revs.iter().map(|(_, v)| *v));
        let unconditional = plan
            .pre
            .iter()
            .chain(&plan.post)
            .all(|s| matches!(self.p.saves[*s].kind, SaveKind::Frame(_) | SaveKind::Fused));
        let wrap = |t: TokenStream| {
            if t.is_empty() || unconditional {
                t
            } else {
                quote!(if #need { #t })
            }
        };
        let fwd = {
            let (pre, post) = (wrap(pre), wrap(post));
            quote!(#pre #statement #post)
        };
        let _ = in_loop;
        let mut pops = pre_pops;
        pops.extend(post_pops);
        pops.reverse();
        let steps = self.steps(l, plan);
        (fwd, self.reverse(l, plan, need, pops, steps))
    }

    /// The forward statements of saves, and the reverse statements binding them.
    fn saves(&self, saves: &[usize]) -> (TokenStream, Vec<TokenStream>) {
        let mut fwd = TokenStream::new();
        let mut pops = Vec::new();
        for s in saves {
            let (push, pop) = self.save_tokens(*s);
            fwd.extend(push);
            if !pop.is_empty() {
                pops.push(pop);
            }
        }
        (fwd, pops)
    }

    fn reverse(
        &self,
        l: &Let,
        plan: &LetPlan,
        need: TokenStream,
        pops: Vec<TokenStream>,
        steps: TokenStream,
    ) -> TokenStream {
        let d_out = self.d(l.out);
        if Some(l.out) == self.p.seed_direct {
            return quote!({
                let __ad_d = __ad_seed;
                if #need {
                    #(#pops)*
                    #steps
                }
            });
        }
        if plan.revs.is_empty() {
            return quote!(let _ = #d_out.take(););
        }
        let taken = names::generated("taken");
        quote! {
            let #taken = #d_out.take();
            if #need {
                #(#pops)*
                if let ::core::option::Option::Some(__ad_d_owned) = #taken {
                    let __ad_d = &__ad_d_owned;
                    #steps
                }
            }
        }
    }

    /// Where the reverse of `l` finds a value it reads.
    fn use_of(&self, l: &Let, plan: &LetPlan, read: ReadOf) -> TokenStream {
        let Some((_, place)) = plan.reads.iter().find(|(r, _)| *r == read) else {
            return quote!(compile_error!(
                "autograd: internal error: a read was not planned"
            ));
        };
        match read {
            ReadOf::Value(u) => self.operand_at(place, Some(u)),
            ReadOf::Const(u) => self.const_at(place, u),
            ReadOf::Arg(_) => self.place(place),
            ReadOf::Output => self.operand_at(place, Some(l.out)),
            ReadOf::Meta(_) => {
                let t = self.place(place);
                quote!(&#t)
            }
            ReadOf::Pullback(v) => match place {
                Place::Captured(_) | Place::InScope(_) => {
                    let pb = self.pb(v);
                    quote!(#pb)
                }
                other => self.place(other),
            },
        }
    }

    fn steps(&self, l: &Let, plan: &LetPlan) -> TokenStream {
        let rt = &self.rt;
        match &l.op {
            Op::Rule {
                rule,
                operands,
                consts,
            } => self.rule_steps(l, plan, rule, operands, consts),
            Op::Part(base, part) => self.part_steps(l, plan, *base, part),
            Op::Field(base, member) => {
                let need = self.need(*base);
                let d = self.d(*base);
                let b = if self.p.part_chain(*base) {
                    self.use_of(l, plan, ReadOf::Value(*base))
                } else if self.passed_ref(*base) {
                    self.projection(*base)
                } else {
                    let b = self.projection(*base);
                    quote!(&#b)
                };
                let name = quote!(#member).to_string();
                let g = if Some(l.out) == self.p.seed_direct {
                    quote!(::core::clone::Clone::clone(__ad_d))
                } else {
                    quote!(__ad_d_owned)
                };
                quote! {
                    if #need {
                        #rt::accumulate_field(&mut #d, #b, #name, |__ad_g| &mut __ad_g.#member, #g);
                    }
                }
            }
            Op::Copy(_) => {
                let Some((_, v)) = plan.revs.first() else {
                    return quote!();
                };
                let (need, d) = (self.need(*v), self.d(*v));
                if Some(l.out) == self.p.seed_direct {
                    return quote!(if #need { #rt::accumulate(&mut #d, ::core::clone::Clone::clone(__ad_d)); });
                }
                quote!(if #need { #rt::accumulate(&mut #d, __ad_d_owned); })
            }
            Op::Call(c) => {
                let pb = self.use_of(l, plan, ReadOf::Pullback(l.out));
                let slots: Vec<Ident> = (0..c.args.len())
                    .map(|i| format_ident!("__ad_g{}", i, span = Span::mixed_site()))
                    .collect();
                let again: Vec<TokenStream> = c
                    .args
                    .iter()
                    .map(|a| match &a.operand {
                        Operand::Value(v) => self.call_arg_again(l, plan, *v, a.by_ref),
                        other if a.by_ref => {
                            let t = self.moved(other, (0, 0));
                            quote!(&#t)
                        }
                        other => self.moved(other, (0, 0)),
                    })
                    .collect();
                let mut out = quote!(let (#(#slots,)*) = #pb(__ad_d, #(#again),*););
                for (k, v) in &plan.revs {
                    let d = self.d(*v);
                    let g = &slots[*k];
                    out.extend(quote!(#rt::accumulate_slot(&mut #d, #g);));
                }
                out
            }
            Op::Const(_) => quote!(),
        }
    }

    /// A call's argument passed again to its pullback, as the call passed it.
    /// The reverse of a part borrowed from a container: its gradient is
    /// added into the container's at the same place.
    fn part_steps(&self, l: &Let, plan: &LetPlan, base: ValueId, part: &Part) -> TokenStream {
        let rt = &self.rt;
        let (need, d) = (self.need(base), self.d(base));
        let b = self.use_of(l, plan, ReadOf::Value(base));
        let g = if Some(l.out) == self.p.seed_direct {
            quote!(::core::clone::Clone::clone(__ad_d))
        } else {
            quote!(__ad_d_owned)
        };
        let add = match part {
            Part::Index(Operand::Value(i)) => {
                let i = self.use_of(l, plan, ReadOf::Const(*i));
                quote!(#rt::ProjectIndex::accumulate_at(&mut #d, #b, #i, #g))
            }
            Part::Index(i) => {
                let i = self.const_ref(i);
                quote!(#rt::ProjectIndex::accumulate_at(&mut #d, #b, #i, #g))
            }
            Part::Some => quote!(#rt::ProjectSome::accumulate_some(&mut #d, #b, #g)),
        };
        quote!(if #need { #add; })
    }

    fn call_arg_again(&self, l: &Let, plan: &LetPlan, v: ValueId, by_ref: bool) -> TokenStream {
        let Some((_, place)) = plan.reads.iter().find(|(r, _)| *r == ReadOf::Arg(v)) else {
            return quote!(compile_error!(
                "autograd: internal error: an argument was not planned"
            ));
        };
        let t = self.place(place);
        let variable = matches!(
            place,
            Place::Param(_) | Place::Projection(_) | Place::Captured(_) | Place::InScope(_)
        );
        let _ = l;
        match (variable, self.repr(v), by_ref) {
            (true, Repr::Ref, _) => t,
            (false, Repr::Ref, _) => quote!(&#t),
            // The copy of a constant saw through a reference it may have
            // been (`&[f64]` kept as a `Vec`): given back as the argument was.
            (false, Repr::Unknown, false) if matches!(place, Place::Own(_)) => {
                let rt = &self.rt;
                quote!(#rt::again(&#t))
            }
            (_, _, true) => quote!(&#t),
            (_, _, false) => quote!(::core::clone::Clone::clone(&#t)),
        }
    }

    /// A literal operand read by backward function `k`, typed by a value
    /// beside it that the same function reads (its shape or its value).
    fn typed_lit(
        &self,
        l: &Let,
        plan: &LetPlan,
        rule: &OpEntry,
        k: usize,
        operands: &[Operand],
        t: &TokenStream,
    ) -> TokenStream {
        let rt = &self.rt;
        if keeps_its_type(rule, t) {
            return t.clone();
        }
        for r in rule.reads_of(k) {
            match r {
                Read::Meta(m) => {
                    if let Some(Operand::Value(u)) = operands.get(*m) {
                        let meta = self.use_of(l, plan, ReadOf::Meta(*u));
                        return quote!(#rt::lit_meta(#meta, #t));
                    }
                }
                Read::Value(m) => {
                    if let Some(Operand::Value(u)) = operands.get(*m) {
                        let value = self.use_of(l, plan, ReadOf::Value(*u));
                        return quote!(#rt::lit(#value, #t));
                    }
                }
                _ => {}
            }
        }
        t.clone()
    }

    fn rule_args(
        &self,
        l: &Let,
        plan: &LetPlan,
        rule: &OpEntry,
        k: usize,
        operands: &[Operand],
        consts: &[Operand],
    ) -> Vec<TokenStream> {
        let rt = &self.rt;
        rule.reads_of(k)
            .iter()
            .map(|r| match r {
                Read::Value(j) => match &operands[*j] {
                    Operand::Value(u) => self.use_of(l, plan, ReadOf::Value(*u)),
                    Operand::Lit(t) => {
                        let t = self.typed_lit(l, plan, rule, k, operands, t);
                        quote!(&#t)
                    }
                    Operand::Undef => quote!(&()),
                },
                Read::Meta(j) => match &operands[*j] {
                    Operand::Value(u) => self.use_of(l, plan, ReadOf::Meta(*u)),
                    Operand::Lit(t) => {
                        let t = self.typed_lit(l, plan, rule, k, operands, t);
                        quote!(&#rt::meta(&#t))
                    }
                    Operand::Undef => quote!(&()),
                },
                Read::Output => self.use_of(l, plan, ReadOf::Output),
                Read::Const(j) => match &consts[*j] {
                    Operand::Value(u) => self.use_of(l, plan, ReadOf::Const(*u)),
                    lit => self.const_ref(lit),
                },
                Read::AllMetas => {
                    let metas = operands.iter().map(|o| match o {
                        Operand::Value(u) => {
                            let m = self.use_of(l, plan, ReadOf::Meta(*u));
                            quote!(::core::clone::Clone::clone(#m))
                        }
                        Operand::Lit(t) => quote!(#rt::meta(&#t)),
                        Operand::Undef => quote!(()),
                    });
                    quote!(&[#(#metas),*])
                }
                Read::Position => quote!(#k),
            })
            .collect()
    }

    fn rule_steps(
        &self,
        l: &Let,
        plan: &LetPlan,
        rule: &OpEntry,
        operands: &[Operand],
        consts: &[Operand],
    ) -> TokenStream {
        let rt = &self.rt;
        let tr = Ident::new(rule.rule, Span::call_site());
        let revs = &plan.revs;
        let seed = Some(l.out) == self.p.seed_direct;
        // `x * x`: one backward function, its result counted twice in place.
        let square = match rule.fusion {
            Fusion::SameOperands(sq) if matches!((operands.first(), operands.get(1)), (Some(Operand::Value(a)), Some(Operand::Value(b))) if a == b) => {
                Some(sq)
            }
            _ => None,
        };
        // `a + b`, `a - b` with both operands differentiated: one call gives
        // both gradients, and the runtime decides which operand receives
        // the output gradient's buffer.
        let both = rule.caps.both_owned && revs.len() == 2 && !seed;
        let mut steps = TokenStream::new();
        for (k, v) in revs {
            if (square.is_some() || both) && *k == 1 {
                continue;
            }
            let args = self.rule_args(l, plan, rule, *k, operands, consts);
            let need = self.need(*v);
            let d = self.d(*v);
            if both {
                let (need1, d1) = (self.need(revs[1].1), self.d(revs[1].1));
                steps.extend(quote! {
                    let (__ad_g0, __ad_g1) = #rt::rules::#tr::revs_owned(#(#args,)* __ad_d_owned, [#need, #need1]);
                    #rt::accumulate_slot(&mut #d, __ad_g0);
                    #rt::accumulate_slot(&mut #d1, __ad_g1);
                });
                continue;
            }
            if rule.caps.into {
                let rev = format_ident!("rev{}_into", k);
                steps.extend(quote! {
                    if #need {
                        #rt::rules::#tr::#rev(&mut #d, #(#args,)* __ad_d);
                    }
                });
                continue;
            }
            let rev = if rule.caps.variadic {
                format_ident!("rev")
            } else {
                format_ident!("rev{}", k)
            };
            let add = if square.is_some() {
                quote!(#rt::accumulate_twice)
            } else {
                quote!(#rt::accumulate)
            };
            // The last backward function to run (for `x * x`, the only one)
            // takes the output's gradient by value.
            let last = if square.is_some() {
                Some(&0)
            } else {
                revs.last().map(|(last, _)| last)
            };
            let owned = rule.owned_grad(*k) && !seed && last == Some(k);
            let taken = match operands.first() {
                Some(Operand::Value(x)) if rule.caps.takes_operand && self.p.taken.contains(x) => {
                    Some(self.ident(*x).clone())
                }
                _ => None,
            };
            let step = if let Some(x) = taken {
                // The kept value's buffer becomes its gradient.
                let axis = &args[1];
                quote!(#add(&mut #d, #rt::rules::#tr::rev0_taking(#x, #axis, __ad_d));)
            } else if let (true, Some(sq)) = (owned, square) {
                let sq = Ident::new(sq, Span::call_site());
                let x = &args[1];
                quote!(#rt::accumulate(&mut #d, #rt::rules::#sq::rev_twice_owned(#x, __ad_d_owned));)
            } else if owned {
                let rev = format_ident!("rev{}_owned", k);
                quote!(#add(&mut #d, #rt::rules::#tr::#rev(#(#args,)* __ad_d_owned));)
            } else {
                quote!(#add(&mut #d, #rt::rules::#tr::#rev(#(#args,)* __ad_d));)
            };
            if need.to_string() == self.need_any(revs.iter().map(|(_, v)| *v)).to_string() {
                // The statement's own condition already holds.
                steps.extend(step);
            } else {
                steps.extend(quote!(if #need { #step }));
            }
        }
        steps
    }
}

/// A literal a rule takes as written, untyped: a flag or a count in a tuple
/// (`(x, true)`, `(x, 3usize)`); only a tuple's float literals take a float type.
fn keeps_its_type(rule: &OpEntry, t: &TokenStream) -> bool {
    rule.name.starts_with("tuple") && !crate::analysis::reduction::is_float_literal(t)
}
