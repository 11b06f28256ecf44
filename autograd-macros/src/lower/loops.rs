//! Loops, labelled blocks and jumps.
//!
//! A loop's body may change variables declared before it (`prescan` finds
//! them by name, over-approximating): each such *carried* variable gets a
//! header parameter, the value it has when an iteration starts, and an out,
//! the value it has after the loop. The body is lowered again while what it
//! teaches changes: a carried variable that turns out to be differentiated
//! (its header was lowered as a constant), or one the body never changes
//! (its header is dropped). A labelled block's outs are found the same way.

use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use super::prescan::assigned_names;
use super::{key, BindingId, Facts, Lowerer, Slot, Target};
use crate::core::{
    Block, Exit, Inst, Jump, Labelled, Loop, LoopKind, Operand, Origin, RegionId, RegionKind, Repr,
    Target as JumpTarget, Term, ValueId,
};
use crate::names;

/// What one lowering of a loop body produced.
struct Lowered {
    kind: LoopKind,
    carried: Vec<BindingId>,
    headers: Vec<ValueId>,
    inits: Vec<Slot>,
    insts: Vec<Inst>,
    term: Option<Term>,
    back: Option<Vec<Slot>>,
    target: Target,
    code0: u32,
}

impl Lowerer<'_> {
    /// The variables visible here that `names` may assign, minus those a
    /// previous lowering found unchanged.
    fn carried(&self, names: &[String], facts: &Facts) -> Vec<BindingId> {
        let mut out: Vec<BindingId> = names
            .iter()
            .filter(|n| !facts.unchanged.contains(*n))
            .filter_map(|n| self.env.lookup(n))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn loop_expr(&mut self, e: &Expr, want: bool) -> Option<Operand> {
        let (label, body) = match e {
            Expr::ForLoop(f) => (&f.label, &f.body),
            Expr::While(w) => (&w.label, &w.body),
            Expr::Loop(l) => (&l.label, &l.body),
            _ => return None,
        };
        let label = label.as_ref().map(|l| l.name.ident.to_string());
        let k = key(e);
        // A `for` loop's iterator is evaluated once, before the loop.
        let source = match e {
            Expr::ForLoop(f) => Some(self.for_source(f)?),
            _ => None,
        };
        let names = assigned_names(&body.stmts);
        let region = self.new_region();
        let lowered = loop {
            let facts = self.facts.get(&k).cloned().unwrap_or_default();
            let carried = self.carried(&names, &facts);
            let mark = self.mark();
            let lowered =
                self.loop_body(e, region, label.clone(), carried, &facts, source.as_ref())?;
            let learnt = self.learn(&lowered, region);
            if learnt.active.is_empty() && learnt.unchanged.is_empty() {
                break lowered;
            }
            let entry = self.facts.entry(k).or_default();
            entry.active.extend(learnt.active);
            entry.unchanged.extend(learnt.unchanged);
            if !self.undo(&mark) {
                break lowered;
            }
            self.regions[region].exited = false;
            self.regions[region].broken = false;
        };
        self.finish_loop(lowered, region, want, e.span())
    }

    /// Lowers the body once, with header parameters for `carried`.
    fn loop_body(
        &mut self,
        e: &Expr,
        region: RegionId,
        label: Option<String>,
        carried: Vec<BindingId>,
        facts: &Facts,
        source: Option<&ForSource>,
    ) -> Option<Lowered> {
        let code0 = self.next_code;
        let cp = self.env.checkpoint();
        let inits: Vec<Slot> = carried.iter().map(|b| self.env.slot(*b)).collect();
        let mut headers = Vec::new();
        for (b, init) in carried.iter().zip(&inits) {
            let name = self.env.bindings[*b].name.clone();
            let (repr, active, borrowed) = match init {
                Slot::Value { value, borrowed } => (
                    self.values[*value].repr,
                    self.values[*value].active,
                    *borrowed,
                ),
                Slot::Undef => (Repr::Unknown, false, false),
            };
            let active = active || facts.active.contains(&name);
            let h = self.new_value(&name, true, Origin::Header(region), repr, active, e.span());
            headers.push(h);
            self.env.assign(*b, Slot::Value { value: h, borrowed });
        }
        self.targets.push(Target {
            region,
            kind: RegionKind::Loop,
            label,
            carried: carried.clone(),
            breaks: Vec::new(),
            continues: Vec::new(),
        });
        let (insts, term, (kind, back)) = self.sub_block(|l| {
            l.env.push_scope();
            let kind = l.loop_head(e, source);
            match e {
                Expr::ForLoop(f) => l.stmts(&f.body.stmts, false),
                Expr::While(w) => match &*w.cond {
                    Expr::Let(lt) => l.while_let_body(lt, &w.body),
                    _ => l.stmts(&w.body.stmts, false),
                },
                Expr::Loop(lp) => l.stmts(&lp.body.stmts, false),
                _ => None,
            };
            l.env.pop_scope();
            let back = l
                .term
                .is_none()
                .then(|| carried.iter().map(|b| l.env.slot(*b)).collect());
            (kind, back)
        });
        let target = self.targets.pop()?;
        self.check_carried(cp, &carried);
        self.env.rollback(cp);
        Some(Lowered {
            kind: kind?,
            carried,
            headers,
            inits,
            insts,
            term,
            back,
            target,
            code0,
        })
    }

    /// Every variable declared before a loop or block that its body changed
    /// must be carried (the prescan over-approximates); anything else is a
    /// bug of the macro, reported rather than emitted wrong.
    fn check_carried(&mut self, cp: super::env::Checkpoint, carried: &[BindingId]) {
        for (b, _) in self.env.changes_since(cp) {
            if !carried.contains(&b) {
                self.errors.push(
                    self.sig.ident.span(),
                    format!("internal error in #[differentiable]: `{}` changes in a loop or block without being carried; please report this", self.env.bindings[b].name),
                );
            }
        }
    }

    /// What a lowering of a loop body teaches: carried variables that are
    /// differentiated though their header was not, and those never changed.
    fn learn(&self, l: &Lowered, region: RegionId) -> Facts {
        let _ = region;
        let mut facts = Facts::default();
        for (i, (b, h)) in l.carried.iter().zip(&l.headers).enumerate() {
            let name = &self.env.bindings[*b].name;
            let passed: Vec<Slot> = l
                .back
                .iter()
                .map(|s| s[i])
                .chain(l.target.continues.iter().map(|s| s[i]))
                .chain(l.target.breaks.iter().map(|(s, _)| s[i]))
                .collect();
            let active = passed
                .iter()
                .any(|s| s.value().is_some_and(|v| self.values[v].active));
            if active && !self.values[*h].active {
                facts.active.insert(name.clone());
            }
            if passed.iter().all(|s| s.value() == Some(*h)) {
                facts.unchanged.insert(name.clone());
            }
        }
        facts
    }

    fn finish_loop(
        &mut self,
        l: Lowered,
        region: RegionId,
        want: bool,
        span: Span,
    ) -> Option<Operand> {
        let mut outs = Vec::new();
        for (i, (b, h)) in l.carried.iter().zip(&l.headers).enumerate() {
            let broken_active = l
                .target
                .breaks
                .iter()
                .any(|(s, _)| s[i].value().is_some_and(|v| self.values[v].active));
            let header = &self.values[*h];
            let (ident, repr, active) = (
                header.ident.clone(),
                header.repr,
                header.active || broken_active,
            );
            let name = self.env.bindings[*b].name.clone();
            let out = self.new_value(&name, true, Origin::Out, repr, active, span);
            self.values[out].ident = ident;
            let borrowed = matches!(l.inits[i], Slot::Value { borrowed: true, .. });
            self.env.assign(
                *b,
                Slot::Value {
                    value: out,
                    borrowed,
                },
            );
            outs.push(out);
        }
        let values: Vec<&Operand> = l
            .target
            .breaks
            .iter()
            .filter_map(|(_, v)| v.as_ref())
            .collect();
        let value = if want && matches!(l.kind, LoopKind::Loop) && !values.is_empty() {
            let ops: Vec<Operand> = values.into_iter().cloned().collect();
            Some(self.join_out(&ops, "tmp_loop", false, span))
        } else {
            None
        };
        let broken = !l.target.breaks.is_empty();
        let term = match l.term {
            Some(t) => t,
            None => Term::Yield(slots_operands(l.back.as_deref().unwrap_or(&[]))),
        };
        let infinite = matches!(l.kind, LoopKind::Loop) && !broken;
        self.push(Inst::Loop(Loop {
            id: region,
            kind: l.kind,
            carried: l.headers,
            inits: slots_operands(&l.inits),
            body: Block {
                insts: l.insts,
                term,
                tail: None,
            },
            outs,
            value,
            codes: l.code0..self.next_code,
        }));
        if infinite {
            self.term = Some(Term::Never);
            return Some(Operand::Undef);
        }
        match value {
            Some(v) => Some(Operand::Value(v)),
            None => Some(Operand::Lit(quote!(()))),
        }
    }

    /// `'a: { .. }`: left at its end or by `break 'a value`.
    pub fn labelled(&mut self, b: &syn::ExprBlock, want: bool) -> Option<Operand> {
        let label = b.label.as_ref().map(|l| l.name.ident.to_string());
        let k = key(b);
        let names = assigned_names(&b.block.stmts);
        let region = self.new_region();
        let (insts, term, value, target, code0, before) = loop {
            let facts = self.facts.get(&k).cloned().unwrap_or_default();
            let carried = self.carried(&names, &facts);
            let mark = self.mark();
            let code0 = self.next_code;
            let cp = self.env.checkpoint();
            let before: Vec<Slot> = carried.iter().map(|c| self.env.slot(*c)).collect();
            self.targets.push(Target {
                region,
                kind: RegionKind::Labelled,
                label: label.clone(),
                carried: carried.clone(),
                breaks: Vec::new(),
                continues: Vec::new(),
            });
            let (insts, term, (value, fall)) = self.sub_block(|l| {
                l.env.push_scope();
                let v = l.stmts(&b.block.stmts, want);
                l.env.pop_scope();
                let fall: Option<Vec<Slot>> = l
                    .term
                    .is_none()
                    .then(|| carried.iter().map(|c| l.env.slot(*c)).collect());
                (v, fall)
            });
            let target = self.targets.pop()?;
            self.check_carried(cp, &carried);
            self.env.rollback(cp);
            let mut unchanged = Vec::new();
            for (i, c) in carried.iter().enumerate() {
                let all_same = fall
                    .iter()
                    .map(|s| s[i])
                    .chain(target.breaks.iter().map(|(s, _)| s[i]))
                    .all(|s| s == before[i]);
                if all_same {
                    unchanged.push(self.env.bindings[*c].name.clone());
                }
            }
            if !unchanged.is_empty() && self.undo(&mark) {
                self.facts.entry(k).or_default().unchanged.extend(unchanged);
                self.regions[region].exited = false;
                continue;
            }
            let fall = fall.map(|f| (f, value));
            break (insts, term, fall, target, code0, before);
        };
        self.finish_labelled(insts, term, value, target, code0, before, want, b.span())
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_labelled(
        &mut self,
        insts: Vec<Inst>,
        term: Option<Term>,
        fall: Option<(Vec<Slot>, Option<Operand>)>,
        target: Target,
        code0: u32,
        before: Vec<Slot>,
        want: bool,
        span: Span,
    ) -> Option<Operand> {
        let region = target.region;
        let mut exits: Vec<(Vec<Slot>, Option<Operand>)> = target.breaks.clone();
        if let Some((slots, v)) = &fall {
            exits.push((slots.clone(), v.clone()));
        }
        if exits.is_empty() {
            self.push(Inst::Labelled(Labelled {
                id: region,
                body: Block {
                    insts,
                    term: term.unwrap_or(Term::Never),
                    tail: None,
                },
                outs: vec![],
                has_value: false,
                codes: code0..self.next_code,
            }));
            self.term = Some(Term::Never);
            return Some(Operand::Undef);
        }
        let mut outs = Vec::new();
        let mut value = None;
        if want {
            let ops: Vec<Operand> = exits
                .iter()
                .map(|(_, v)| v.clone().unwrap_or(Operand::Undef))
                .collect();
            let out = self.join_out(&ops, "tmp_block", false, span);
            outs.push(out);
            value = Some(Operand::Value(out));
        }
        for (i, c) in target.carried.iter().enumerate() {
            let ops: Vec<Operand> = exits.iter().map(|(s, _)| slot_operand(s[i])).collect();
            if ops.iter().any(|o| matches!(o, Operand::Undef)) {
                self.env.assign(*c, Slot::Undef);
                // Still an out: every exit passes one value per carried variable.
            }
            let name = self.env.bindings[*c].name.clone();
            let out = self.join_out(&ops, &name, true, span);
            let borrowed = matches!(before[i], Slot::Value { borrowed: true, .. });
            if !ops.iter().any(|o| matches!(o, Operand::Undef)) {
                self.env.assign(
                    *c,
                    Slot::Value {
                        value: out,
                        borrowed,
                    },
                );
            }
            outs.push(out);
        }
        let term = match term {
            Some(t) => t,
            None => {
                let (slots, v) = fall.unwrap_or_default();
                let mut args = Vec::new();
                if want {
                    args.push(v.unwrap_or(Operand::Undef));
                }
                args.extend(slots_operands(&slots));
                Term::Yield(args)
            }
        };
        self.push(Inst::Labelled(Labelled {
            id: region,
            body: Block {
                insts,
                term,
                tail: None,
            },
            outs,
            has_value: want,
            codes: code0..self.next_code,
        }));
        Some(value.unwrap_or(Operand::Lit(quote!(()))))
    }

    /// `break`, `break 'a`, `break value`, `continue`, `continue 'a`.
    pub fn jump(
        &mut self,
        is_break: bool,
        label: Option<&syn::Lifetime>,
        value: Option<&Expr>,
        span: Span,
    ) {
        let t = match label {
            Some(l) => {
                let name = l.ident.to_string();
                self.targets
                    .iter()
                    .rposition(|t| t.label.as_deref() == Some(name.as_str()))
            }
            None => self
                .targets
                .iter()
                .rposition(|t| t.kind == RegionKind::Loop),
        };
        let Some(t) = t else {
            self.errors
                .push(span, "`break` or `continue` outside a loop");
            return;
        };
        if !is_break && self.targets[t].kind != RegionKind::Loop {
            self.errors.push(span, "`continue` needs a loop");
            return;
        }
        let value = match value {
            Some(e) => {
                let Some(v) = self.value(e) else { return };
                if self.term.is_some() {
                    return;
                }
                Some(v)
            }
            None => None,
        };
        let slots: Vec<Slot> = self.targets[t]
            .carried
            .iter()
            .map(|b| self.env.slot(*b))
            .collect();
        let region = self.targets[t].region;
        let mut exits = self.exits_inside(t);
        if self.targets[t].kind == RegionKind::Loop {
            exits.push(Exit::Iteration(region));
        } else {
            exits.push(Exit::Block(region));
        }
        self.mark_exits(&exits);
        if is_break {
            if self.targets[t].kind == RegionKind::Loop {
                self.regions[region].broken = true;
            }
            self.targets[t].breaks.push((slots.clone(), value.clone()));
        } else {
            self.targets[t].continues.push(slots.clone());
        }
        let code = self.next_code;
        self.next_code += 1;
        self.term = Some(Term::Jump(Jump {
            code,
            target: if is_break {
                JumpTarget::Break(region)
            } else {
                JumpTarget::Continue(region)
            },
            args: slots_operands(&slots),
            value,
            exits,
        }));
    }

    /// What a jump to `targets[t]` leaves on the way, innermost first.
    fn exits_inside(&self, t: usize) -> Vec<Exit> {
        let mut exits = Vec::new();
        for inner in self.targets[t + 1..].iter().rev() {
            match inner.kind {
                RegionKind::Loop => {
                    exits.push(Exit::Iteration(inner.region));
                    exits.push(Exit::Loop(inner.region));
                }
                RegionKind::Labelled => exits.push(Exit::Block(inner.region)),
            }
        }
        exits
    }

    fn mark_exits(&mut self, exits: &[Exit]) {
        for e in exits {
            if let Exit::Iteration(r) | Exit::Block(r) = e {
                self.regions[*r].exited = true;
            }
        }
    }

    /// `return value` before the end of the body.
    pub fn ret(&mut self, r: &syn::ExprReturn) {
        let Some(e) = &r.expr else {
            self.errors
                .push_spanned(r, "`return` needs the value to differentiate");
            return;
        };
        let Some(value) = self.value(e) else { return };
        if self.term.is_some() {
            return;
        }
        let mut exits = if self.targets.is_empty() {
            vec![]
        } else {
            self.exits_inside_all()
        };
        exits.push(Exit::Function);
        self.mark_exits(&exits);
        self.returns = true;
        let code = self.next_code;
        self.next_code += 1;
        self.term = Some(Term::Jump(Jump {
            code,
            target: JumpTarget::Return,
            args: vec![value],
            value: None,
            exits,
        }));
    }

    fn exits_inside_all(&self) -> Vec<Exit> {
        let mut exits = Vec::new();
        for inner in self.targets.iter().rev() {
            match inner.kind {
                RegionKind::Loop => {
                    exits.push(Exit::Iteration(inner.region));
                    exits.push(Exit::Loop(inner.region));
                }
                RegionKind::Labelled => exits.push(Exit::Block(inner.region)),
            }
        }
        exits
    }

    fn loop_head(&mut self, e: &Expr, source: Option<&ForSource>) -> Option<LoopKind> {
        match e {
            // `while let P = e { body }` is `loop { match e { P => body, _ => break } }`.
            Expr::While(w) if matches!(&*w.cond, Expr::Let(_)) => Some(LoopKind::Loop),
            Expr::While(w) => Some(LoopKind::While {
                cond: self.renamed(&w.cond),
            }),
            Expr::Loop(_) => Some(LoopKind::Loop),
            Expr::ForLoop(f) => self.for_head(f, source?),
            _ => None,
        }
    }
}

impl Lowerer<'_> {
    /// The body of `while let P = e { body }`: `match e { P => body, _ => break }`.
    fn while_let_body(&mut self, lt: &syn::ExprLet, body: &syn::Block) -> Option<Operand> {
        let body = Expr::Block(syn::ExprBlock {
            attrs: vec![],
            label: None,
            block: body.clone(),
        });
        let brk: Expr = syn::parse_quote!(break);
        let wild: syn::Pat = syn::parse_quote!(_);
        self.match_arms(
            &lt.expr,
            &[(&lt.pat, None, &body), (&wild, None, &brk)],
            false,
            lt.span(),
        );
        None
    }
}

fn slot_operand(s: Slot) -> Operand {
    match s {
        Slot::Value { value, .. } => Operand::Value(value),
        Slot::Undef => Operand::Undef,
    }
}

fn slots_operands(slots: &[Slot]) -> Vec<Operand> {
    slots.iter().map(|s| slot_operand(*s)).collect()
}

/// A range, or a range through `rev`, `skip`, `take` and `step_by`.
fn is_range_chain(e: &Expr) -> bool {
    match super::stmt::strip_parens(e) {
        Expr::Range(r) => r.start.is_some() && r.end.is_some(),
        Expr::MethodCall(m) => {
            matches!(
                m.method.to_string().as_str(),
                "rev" | "skip" | "take" | "step_by"
            ) && is_range_chain(&m.receiver)
        }
        _ => false,
    }
}

/// What a `for` loop iterates over.
pub enum ForSource {
    /// Not differentiated: the iterator as written.
    Constant(crate::core::Const),
    /// A differentiated slice (or several, zipped): an index loop reading
    /// each element.
    Slices(SliceIteration),
}

pub struct SliceIteration {
    /// `i` in `for (i, v) in x.iter().enumerate()`.
    pub index_name: Option<String>,
    /// Each element binding (and whether it binds a reference, as `v` in
    /// `for v in x.iter()` does), and the slice it reads.
    pub elements: Vec<(Option<String>, bool, ValueId)>,
}

impl Lowerer<'_> {
    fn for_source(&mut self, f: &syn::ExprForLoop) -> Option<ForSource> {
        if !self.is_active_expr(&f.expr) {
            if super::rename::needs_structure(&f.expr) {
                let o = self.value(&f.expr)?;
                return Some(ForSource::Constant(self.operand_const(&o)));
            }
            return Some(ForSource::Constant(self.renamed(&f.expr)));
        }
        if is_range_chain(&f.expr) {
            // `for i in 0..self.n`, `(0..n).rev().step_by(k)`: the bounds
            // name differentiated values' fields (counts), the indices are
            // integers, which carry no gradient.
            return Some(ForSource::Constant(self.renamed(&f.expr)));
        }
        let iterable = self.fields_as_locals(&f.expr)?;
        match self.slice_iteration(&iterable, &f.pat) {
            Some(s) => Some(ForSource::Slices(s)),
            None => {
                self.errors.push_spanned(
                    &f.expr,
                    "this loop iterates over a differentiated value in a way that is not supported; write `for v in x`, `x.iter()`, `x.iter().enumerate()` or `x.iter().zip(y.iter())`, or loop over indices: `for i in 0..x.len()`",
                );
                None
            }
        }
    }

    /// `for layer in &m.layers`: the fields of parameters an iterable names
    /// become locals (borrowed in place), so that it iterates over
    /// variables, as `slice_iteration` reads.
    fn fields_as_locals(&mut self, e: &Expr) -> Option<Expr> {
        struct Fields<'a, 'l> {
            l: &'a mut Lowerer<'l>,
            ok: bool,
        }
        impl syn::visit_mut::VisitMut for Fields<'_, '_> {
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                if matches!(e, Expr::Field(_)) && self.l.is_active_expr(e) {
                    {
                        match self.l.value(&e.clone()) {
                            Some(Operand::Value(v)) => {
                                let name = format!("__ad_iterable{v}");
                                self.l.env.declare(&name, Slot::of(v));
                                let id = syn::Ident::new(&name, e.span());
                                *e = syn::parse_quote!(#id);
                            }
                            _ => self.ok = false,
                        }
                    }
                    return;
                }
                if !matches!(e, Expr::Closure(_) | Expr::Block(_)) {
                    syn::visit_mut::visit_expr_mut(self, e);
                }
            }
        }
        let mut out = e.clone();
        let mut v = Fields { l: self, ok: true };
        syn::visit_mut::VisitMut::visit_expr_mut(&mut v, &mut out);
        v.ok.then_some(out)
    }

    /// The loop's pattern and, over slices, the element reads at the start of the body.
    fn for_head(&mut self, f: &syn::ExprForLoop, source: &ForSource) -> Option<LoopKind> {
        match source {
            ForSource::Constant(iter) => {
                let (pat, bindings) = self.pattern_bindings(&f.pat, &[]);
                Some(LoopKind::For {
                    pat,
                    iter: iter.clone(),
                    bindings,
                })
            }
            ForSource::Slices(s) => {
                let span = f.span();
                let index = self.new_value(
                    s.index_name.as_deref().unwrap_or("i"),
                    true,
                    Origin::Pattern,
                    Repr::Unknown,
                    false,
                    span,
                );
                if let Some(name) = &s.index_name {
                    self.env.declare(name, Slot::of(index));
                }
                let index_ident = self.values[index].ident.clone();
                let mut lens = Vec::new();
                let mut reads = Vec::new();
                for (name, borrowed, slice) in &s.elements {
                    let id = self.values[*slice].ident.clone();
                    lens.push(quote!(#id.len()));
                    reads.push(*slice);
                    let rule = crate::table::builtin("index")?;
                    let element = if self.is_part_base(*slice) {
                        self.borrow_part(
                            *slice,
                            crate::core::Part::Index(Operand::Value(index)),
                            "elem",
                            span,
                        )
                    } else if self.values[*slice].active {
                        self.rule(
                            rule,
                            vec![Operand::Value(*slice)],
                            vec![Operand::Value(index)],
                            span,
                        )
                    } else {
                        let c = crate::core::Const {
                            tokens: quote!(#id[#index_ident]),
                            reads: vec![*slice, index],
                        };
                        self.define(
                            "elem",
                            crate::core::Op::Const(c),
                            Repr::Unknown,
                            false,
                            span,
                        )
                    };
                    if let (Some(name), Operand::Value(v)) = (name, element) {
                        self.name_value(v, name);
                        self.env.declare(
                            name,
                            Slot::Value {
                                value: v,
                                borrowed: *borrowed,
                            },
                        );
                    }
                }
                let len = lens
                    .into_iter()
                    .reduce(|a, b| quote!(::core::cmp::min(#a, #b)))
                    .unwrap_or_else(|| quote!(0));
                let iter = crate::core::Const {
                    tokens: quote!(0..#len),
                    reads,
                };
                Some(LoopKind::For {
                    pat: quote!(#index_ident),
                    iter,
                    bindings: vec![index],
                })
            }
        }
    }

    /// Recognises `for v in x`, `x.iter()`, `x.iter().enumerate()`, `x.iter().zip(y.iter())`.
    fn slice_iteration(&self, iter: &Expr, pat: &syn::Pat) -> Option<SliceIteration> {
        use super::stmt::strip_parens;
        fn pat_name(p: &syn::Pat) -> Option<(Option<String>, bool)> {
            match p {
                syn::Pat::Ident(pi) if pi.subpat.is_none() => {
                    Some((Some(names::unraw(&pi.ident)), true))
                }
                syn::Pat::Reference(r) => pat_name(&r.pat).map(|(n, _)| (n, false)),
                syn::Pat::Wild(_) => Some((None, true)),
                _ => None,
            }
        }
        let slice = |e: &Expr| -> Option<ValueId> {
            let mut e = strip_parens(e);
            loop {
                e = match e {
                    Expr::Reference(r) => strip_parens(&r.expr),
                    Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                        strip_parens(&m.receiver)
                    }
                    _ => break,
                };
            }
            self.path_slot(e)?.0.value()
        };
        let iter = strip_parens(iter);
        if let Expr::MethodCall(m) = iter {
            let tuple = |p: &syn::Pat| match p {
                syn::Pat::Tuple(t) if t.elems.len() == 2 => {
                    Some((t.elems[0].clone(), t.elems[1].clone()))
                }
                _ => None,
            };
            if m.method == "enumerate" && m.args.is_empty() {
                let x = slice(&m.receiver)?;
                let (a, b) = tuple(pat)?;
                let (index, _) = pat_name(&a)?;
                let (elem, borrowed) = pat_name(&b)?;
                return Some(SliceIteration {
                    index_name: index.or(Some("__i".into())).filter(|n| n != "__i"),
                    elements: vec![(elem, borrowed, x)],
                });
            }
            if m.method == "zip" && m.args.len() == 1 {
                let (x, y) = (slice(&m.receiver)?, slice(&m.args[0])?);
                let (a, b) = tuple(pat)?;
                let ((na, ba), (nb, bb)) = (pat_name(&a)?, pat_name(&b)?);
                return Some(SliceIteration {
                    index_name: None,
                    elements: vec![(na, ba, x), (nb, bb, y)],
                });
            }
        }
        let x = slice(iter)?;
        let (elem, borrowed) = pat_name(pat)?;
        Some(SliceIteration {
            index_name: None,
            elements: vec![(elem, borrowed, x)],
        })
    }
}
