//! The body of `__ad_core`: the forward sweep and, in the returned closure,
//! the reverse sweep.
//!
//! Input: the lowered body.
//! Output: tokens that run the forward sweep, keeping what the backward
//! functions read, and return `(value, pullback)`.
//!
//! What is kept: a value read by a backward function is captured by the
//! pullback directly when it is assigned once, in the function's own block;
//! otherwise it is saved where it is read, into a slot (`Option`) or, inside
//! a loop, onto a stack (`Vec`) that the reverse sweep pops. Branches record
//! the arm they took and loops their trip count and how each iteration
//! ended, so the reverse sweep retraces the control flow backwards.
//!
//! What is not kept: a view of parameters read in a loop (`xs.index_axis(..)`)
//! is taken again from the parameters, only its indices saved; a loop's
//! carried state is read from the previous iteration's saved output; a
//! reduction loop (see `reduction`) saves nothing across iterations, its
//! backward running at the end of each iteration. Values read once and by no
//! backward function give their buffers to the operation reading them (see
//! `consume`), and the last backward function to run takes the output's
//! gradient by value.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::visit_mut::VisitMut;

use crate::consume;
use crate::ir::{for_each_op, Body, LoopKind, Op, OpStmt, Operand, Stmt, VarId};
use crate::names::{self, FixPaths};
use crate::parse::Signature;
use crate::reduction::{self, Reduction};
use crate::rules::Read;

pub struct Sweep {
    pub tokens: TokenStream,
    /// One line per value the forward sweep saves for the backward sweep.
    pub saved: Vec<String>,
}

/// `closure_params`: the parameters as the pullback takes them again
/// (`x: &'__ad_r0 Tensor<f64, Ix1>`), so that it keeps no borrow of them.
pub fn core_body(sig: &Signature, body: &Body, closure_params: &[TokenStream]) -> Sweep {
    let n = body.vars.len();
    let mut cx = Cx {
        sig,
        body,
        rt: names::runtime(),
        stable: vec![false; n],
        contributions: vec![0; n],
        stable_meta: vec![false; n],
        captured: BTreeSet::new(),
        own: vec![false; n],
        saved_values: std::collections::HashMap::new(),
        defs: std::collections::HashMap::new(),
        loop_stacks: Vec::new(),
        frame: None,
        reductions: std::collections::BTreeMap::new(),
        fused_locals: BTreeSet::new(),
        fusing: false,
        in_reduction: false,
        taken_in_reverse: BTreeSet::new(),
        carried_out: None,
        consumable: BTreeSet::new(),
        decls: Vec::new(),
        saved: Vec::new(),
        next_slot: 0,
    };
    cx.analyse();
    let tokens = cx.emit(closure_params);
    // Values the pullback keeps in place, once (not parameters: those it
    // receives again).
    let mut kept = Vec::new();
    for (v, var) in body.vars.iter().enumerate() {
        if var.param.is_some() || var.projection.is_some() || cx.is_hoisted(v) {
            continue;
        }
        if cx.captured.contains(&v) {
            kept.push(format!("value `{}` (kept in place)", var.base));
        } else if cx.own[v] {
            kept.push(format!("copy of `{}` (kept in place)", var.base));
        }
    }
    cx.saved.extend(kept);
    Sweep {
        tokens,
        saved: cx.saved,
    }
}

struct Cx<'a> {
    sig: &'a Signature,
    body: &'a Body,
    rt: TokenStream,
    /// Assigned once, in the function's own block: read in place by the pullback.
    stable: Vec<bool>,
    /// How many adjoint contributions each variable receives.
    contributions: Vec<usize>,
    /// Stable variables whose shape a backward function reads.
    stable_meta: Vec<bool>,
    /// Stable variables the pullback reads.
    captured: BTreeSet<VarId>,
    /// Stable variables of unknown type the pullback reads, through an owned
    /// copy made right after they are defined (they may borrow a parameter,
    /// and the pullback keeps no borrows: it takes the parameters again).
    own: Vec<bool>,
    /// Values saved at the statement being emitted, by variable.
    saved_values: std::collections::HashMap<VarId, TokenStream>,
    /// The statement that assigns each variable assigned once.
    defs: std::collections::HashMap<VarId, &'a OpStmt>,
    /// The stacks each enclosing loop's body pushes onto, innermost last.
    loop_stacks: Vec<Vec<Ident>>,
    /// In a loop body without control flow of its own: the values saved this
    /// iteration, pushed together as one tuple at the end of the iteration.
    frame: Option<Frame>,
    /// Loops whose backward runs inside their forward (see `reduction`), by id.
    reductions: std::collections::BTreeMap<usize, Reduction>,
    /// The variables declared in those loops: their adjoints live in one iteration.
    fused_locals: BTreeSet<VarId>,
    /// Emitting the body of such a loop: every value the backward reads is
    /// in scope, nothing is saved.
    fusing: bool,
    /// Emitting a reduction loop, nested blocks included: stable values are
    /// read under their own names (the pullback captures none of them).
    in_reduction: bool,
    /// Kept values the one backward function reading them takes by value.
    taken_in_reverse: BTreeSet<VarId>,
    /// The frame local that saved a carried variable's new value at the
    /// statement being emitted (see `Carried`).
    carried_out: Option<(VarId, Ident)>,
    /// Values the one operation reading them takes by value (see `consume`).
    consumable: BTreeSet<VarId>,
    /// Slot and record declarations, emitted before the forward sweep.
    decls: Vec<TokenStream>,
    saved: Vec<String>,
    next_slot: usize,
}

/// The values one iteration of a straight-line loop body saves.
#[derive(Default)]
struct Frame {
    locals: Vec<Ident>,
    /// The `need` conditions of the statements that save them.
    needs: Vec<TokenStream>,
    /// Variables carried from one iteration to the next whose new value the
    /// frame saves anyway (as the output of their one assignment): their
    /// value at the start of an iteration is the previous frame's.
    carried: Vec<Carried>,
}

/// A variable whose value at the start of an iteration is read from the
/// previous iteration's frame instead of being saved twice.
struct Carried {
    var: VarId,
    /// Bound in the reverse sweep to the value at the start of the iteration.
    prev: Ident,
    /// The value before the loop, for the first iteration.
    before: Ident,
    /// The frame local holding the value the iteration assigns, once known.
    out_local: Option<Ident>,
}

/// How a value read by a backward function reaches it.
enum Source {
    /// Read in place (captured by the pullback).
    Direct(TokenStream),
    /// Saved in the forward sweep, popped into this local in the reverse sweep.
    Saved {
        pop: TokenStream,
        push: TokenStream,
        use_tokens: TokenStream,
    },
}

fn fixed_type(t: &syn::Type) -> TokenStream {
    let mut t = t.clone();
    FixPaths.visit_type_mut(&mut t);
    quote!(#t)
}

/// The operations inside reduction loops (which sit in the function's own
/// block or in its branches, never in other loops).
fn reduction_ops(
    stmts: &[Stmt],
    reductions: &std::collections::BTreeMap<usize, Reduction>,
    out: &mut BTreeSet<*const OpStmt>,
) {
    for s in stmts {
        match s {
            Stmt::If { then, els, .. } => {
                reduction_ops(then, reductions, out);
                reduction_ops(els, reductions, out);
            }
            Stmt::Match { arms, .. } => {
                for a in arms {
                    reduction_ops(&a.body, reductions, out);
                }
            }
            Stmt::Loop { id, body, .. } if reductions.contains_key(id) => {
                for_each_op(body, &mut |op| {
                    out.insert(op as *const OpStmt);
                });
            }
            _ => {}
        }
    }
}

fn for_each_return<'s>(stmts: &'s [Stmt], f: &mut dyn FnMut(u32, &'s Operand)) {
    for s in stmts {
        match s {
            Stmt::Return { code, value, .. } => f(*code, value),
            Stmt::If { then, els, .. } => {
                for_each_return(then, f);
                for_each_return(els, f);
            }
            Stmt::Match { arms, .. } => arms.iter().for_each(|a| for_each_return(&a.body, f)),
            Stmt::Loop { body, .. } => for_each_return(body, f),
            _ => {}
        }
    }
}

/// The exit codes that leave a statement, as seen from its block: `break`
/// and `continue` of the enclosing loop, and every `return`.
fn exits(stmt: &Stmt, in_nested_loop: bool, out: &mut Vec<u32>) {
    match stmt {
        Stmt::Jump { code, .. } if !in_nested_loop => out.push(*code),
        Stmt::Return { code, .. } => out.push(*code),
        Stmt::If { then, els, .. } => {
            then.iter()
                .chain(els)
                .for_each(|s| exits(s, in_nested_loop, out));
        }
        Stmt::Match { arms, .. } => arms
            .iter()
            .flat_map(|a| &a.body)
            .for_each(|s| exits(s, in_nested_loop, out)),
        Stmt::Loop { body, .. } => body.iter().for_each(|s| exits(s, true, out)),
        _ => {}
    }
}

fn stmt_exits(stmt: &Stmt) -> Vec<u32> {
    let mut v = Vec::new();
    exits(stmt, false, &mut v);
    v
}

fn operand_var(op: &Operand) -> Option<VarId> {
    match op {
        Operand::Var(v) => Some(*v),
        Operand::Literal(_) => None,
    }
}

impl<'a> Cx<'a> {
    fn active(&self, v: VarId) -> bool {
        self.body.vars[v].is_active()
    }

    fn ident(&self, v: VarId) -> &Ident {
        &self.body.vars[v].ident
    }

    fn derived(&self, prefix: &str, v: VarId) -> Ident {
        names::generated(&format!("{prefix}_{}", self.body.vars[v].base))
    }

    fn param_var(&self, i: usize) -> VarId {
        self.body
            .vars
            .iter()
            .position(|v| v.param == Some(i))
            .unwrap_or(i)
    }

    fn is_hoisted(&self, v: VarId) -> bool {
        self.body.hoisted.iter().any(|s| s.out == v)
    }

    /// Which backward functions run, for an operation statement: the
    /// operand index and the operand variable.
    fn active_revs(&self, s: &OpStmt) -> Vec<(usize, VarId)> {
        if !self.active(s.out) {
            return vec![];
        }
        match &s.op {
            Op::Rule { rule, operands, .. } => (0..rule.revs.len())
                .filter_map(|k| operands.get(k).and_then(operand_var).map(|v| (k, v)))
                .filter(|(_, v)| self.active(*v))
                .collect(),
            Op::Copy(o) => operand_var(o)
                .filter(|v| self.active(*v))
                .map(|v| vec![(0, v)])
                .unwrap_or_default(),
            Op::Field(base, _) if self.active(*base) => vec![(0, *base)],
            Op::Field(..) => vec![],
            Op::Call { args, .. } => args
                .iter()
                .enumerate()
                .filter_map(|(k, a)| operand_var(&a.operand).map(|v| (k, v)))
                .filter(|(_, v)| self.active(*v))
                .collect(),
            Op::Constant(_) => vec![],
        }
    }

    fn analyse(&mut self) {
        for (v, var) in self.body.vars.iter().enumerate() {
            self.stable[v] = var.param.is_some()
                || var.projection.is_some()
                || self.is_hoisted(v)
                || (var.assignments == 1 && var.top_level && !self.body.early_return);
        }
        if let Some(o) = operand_var(&self.body.output) {
            if self.active(o) {
                self.contributions[o] += 1;
            }
        }
        let mut returns = Vec::new();
        for_each_return(&self.body.stmts, &mut |_, value| {
            returns.push(value.clone())
        });
        for value in returns {
            if let Some(v) = operand_var(&value) {
                if self.active(v) {
                    self.contributions[v] += 1;
                }
            }
        }
        let mut ops = Vec::new();
        for_each_op(&self.body.stmts, &mut |s| ops.push(s));
        for s in ops {
            for (_, v) in self.active_revs(s) {
                self.contributions[v] += 1;
            }
            if self.body.vars[s.out].assignments == 1 {
                self.defs.insert(s.out, s);
            }
        }
        self.reductions = reduction::find(self.sig, self.body, &self.contributions, &|s| {
            self.active_revs(s)
        });
        let mut fused: BTreeSet<*const OpStmt> = BTreeSet::new();
        reduction_ops(&self.body.stmts, &self.reductions, &mut fused);
        self.fused_locals = self
            .reductions
            .values()
            .flat_map(|r| r.locals.iter().copied())
            .collect();

        // What the backward functions read of stable variables (after the
        // contributions are known: a statement whose output receives none is
        // never reversed).
        let mut backward_reads = BTreeSet::new();
        // How many backward functions read each value, and the last to.
        let mut value_reads: std::collections::HashMap<VarId, (usize, &OpStmt)> =
            std::collections::HashMap::new();
        let mut ops = Vec::new();
        for_each_op(&self.body.stmts, &mut |s| ops.push(s));
        for s in ops {
            if self.contributions[s.out] == 0 {
                continue;
            }
            let in_reduction = fused.contains(&(s as *const OpStmt));
            for read in self.reads(s) {
                let read_var = match read {
                    ReadOf::Value(v) | ReadOf::Const(v) | ReadOf::Arg(v) => Some(v),
                    ReadOf::Output => Some(s.out),
                    ReadOf::Meta(_) | ReadOf::Pullback(_) => None,
                };
                if let Some(v) = read_var {
                    backward_reads.insert(v);
                    let entry = value_reads.entry(v).or_insert((0, s));
                    entry.0 += 1;
                    entry.1 = s;
                }
                if in_reduction && !matches!(read, ReadOf::Meta(_)) {
                    // Read in place during the forward pass.
                    continue;
                }
                match read {
                    ReadOf::Value(v) | ReadOf::Const(v) | ReadOf::Arg(v) if self.stable[v] => {
                        if self.needs_own_copy(v) {
                            self.own[v] = true;
                        } else {
                            self.captured.insert(v);
                        }
                    }
                    ReadOf::Pullback(v) if self.stable[v] => {
                        self.captured.insert(v);
                    }
                    ReadOf::Meta(v) if self.stable[v] => self.stable_meta[v] = true,
                    ReadOf::Output if self.stable[s.out] => {
                        self.captured.insert(s.out);
                    }
                    _ => {}
                }
            }
        }
        self.consumable = consume::find(self.body, &backward_reads);
        // A kept value read by one backward function, once, that can take it
        // by value: its buffer becomes the gradient.
        for (v, (count, s)) in value_reads {
            let takes = matches!(&s.op, Op::Rule { rule, operands, .. }
                if rule.name == "square_sum_axis" && matches!(operands.first(), Some(Operand::Var(x)) if *x == v));
            if count == 1
                && takes
                && s.loop_depth == 0
                && self.captured.contains(&v)
                && !self.own[v]
                && self.body.vars[v].param.is_none()
                && self.body.vars[v].projection.is_none()
            {
                self.taken_in_reverse.insert(v);
            }
        }
    }

    /// Everything the reverse of statement `s` reads, deduplicated, in order.
    fn reads(&self, s: &OpStmt) -> Vec<ReadOf> {
        let mut out: Vec<ReadOf> = Vec::new();
        let mut add = |r: ReadOf| {
            if !out.contains(&r) {
                out.push(r)
            }
        };
        match &s.op {
            Op::Rule {
                rule,
                operands,
                consts,
            } => {
                for (k, _) in self.active_revs(s) {
                    for read in rule.revs[k].iter() {
                        match read {
                            Read::Value(j) => {
                                if let Some(v) = operands.get(*j).and_then(operand_var) {
                                    add(ReadOf::Value(v))
                                }
                            }
                            Read::Meta(j) => {
                                if let Some(v) = operands.get(*j).and_then(operand_var) {
                                    add(ReadOf::Meta(v))
                                }
                            }
                            Read::Output => add(ReadOf::Output),
                            Read::Const(j) => {
                                if let Some(v) = consts.get(*j).and_then(operand_var) {
                                    add(ReadOf::Const(v))
                                }
                            }
                            Read::AllMetas => {
                                for v in operands.iter().filter_map(operand_var) {
                                    add(ReadOf::Meta(v))
                                }
                            }
                            Read::Position => {}
                        }
                    }
                }
            }
            Op::Call { args, .. } if !self.active_revs(s).is_empty() => {
                add(ReadOf::Pullback(s.out));
                // The callee's pullback takes its arguments again.
                for a in args {
                    if let Some(v) = operand_var(&a.operand) {
                        add(ReadOf::Arg(v));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// Declares a stack for values pushed inside a loop, reserved with the
    /// enclosing `for` loop's trip count.
    fn stack(&mut self, id: &Ident) {
        self.decls
            .push(quote!(let mut #id = ::std::vec::Vec::new();));
        if let Some(stacks) = self.loop_stacks.last_mut() {
            stacks.push(id.clone());
        }
    }

    /// A new slot for a value saved once (`Option`) or per iteration (`Vec`).
    fn slot(&mut self, in_loop: bool, what: String) -> Ident {
        self.next_slot += 1;
        let id = names::generated(&format!("saved{}", self.next_slot));
        if in_loop {
            self.stack(&id);
        } else {
            self.decls
                .push(quote!(let mut #id = ::core::option::Option::None;));
        }
        self.saved.push(format!(
            "{what}{}",
            if in_loop {
                " (per iteration)"
            } else {
                " (once)"
            }
        ));
        id
    }

    /// A new local for a value bound where it is read (`__ad_savedN_value`).
    fn next_local(&mut self) -> Ident {
        self.next_slot += 1;
        format_ident!(
            "__ad_saved{}_value",
            self.next_slot,
            span = Span::mixed_site()
        )
    }

    fn save(
        &mut self,
        in_loop: bool,
        what: String,
        value: TokenStream,
    ) -> (TokenStream, TokenStream, Ident) {
        if self.fusing {
            // The backward of the iteration runs in the same scope: a binding.
            let local = self.next_local();
            return (quote!(let #local = #value;), quote!(), local);
        }
        if in_loop && self.frame.is_some() {
            let local = self.next_local();
            self.saved.push(format!("{what} (per iteration)"));
            if let Some(frame) = self.frame.as_mut() {
                frame.locals.push(local.clone());
            }
            // Bound here, pushed with the rest of the iteration's values.
            return (quote!(let #local = #value;), quote!(), local);
        }
        let slot = self.slot(in_loop, what);
        let local = format_ident!("{}_value", slot, span = Span::mixed_site());
        if in_loop {
            (
                quote!(#slot.push(#value);),
                quote!(let #local = #slot.pop().expect("autograd: the backward pass pops what the forward pass saved");),
                local,
            )
        } else {
            (
                quote!(#slot = ::core::option::Option::Some(#value);),
                quote!(let #local = #slot.take().expect("autograd: the backward pass reads what the forward pass saved");),
                local,
            )
        }
    }

    /// A variable as a `&T` expression (through `val` when its type is unknown).
    fn by_ref_var(&self, v: VarId, tokens: TokenStream) -> TokenStream {
        let var = &self.body.vars[v];
        let r = if var.is_ref { tokens } else { quote!(&#tokens) };
        if var.opaque {
            let rt = &self.rt;
            quote!(#rt::val(#r))
        } else {
            r
        }
    }

    fn by_ref(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v) => {
                let id = self.ident(*v);
                self.by_ref_var(*v, quote!(#id))
            }
            Operand::Literal(t) => quote!(&#t),
        }
    }

    /// A constant argument as a `&T` expression (no `val`: constants are
    /// axes, indices and shapes, passed as written).
    fn const_ref(&self, op: &Operand, tokens: Option<TokenStream>) -> TokenStream {
        match op {
            Operand::Var(v) => {
                let id = self.ident(*v);
                let t = tokens.unwrap_or_else(|| quote!(#id));
                if self.body.vars[*v].is_ref {
                    t
                } else {
                    quote!(&#t)
                }
            }
            Operand::Literal(t) => quote!(&#t),
        }
    }

    /// An owned copy of an operand's value.
    fn owned(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Literal(t) => t.clone(),
            Operand::Var(v) => {
                let id = self.ident(*v);
                if self.body.vars[*v].is_ref {
                    quote!(::core::clone::Clone::clone(#id))
                } else {
                    quote!(::core::clone::Clone::clone(&#id))
                }
            }
        }
    }

    fn need_of(&self, vars: impl IntoIterator<Item = VarId>) -> TokenStream {
        let needs: BTreeSet<Ident> = vars.into_iter().map(|v| self.derived("need", v)).collect();
        if needs.is_empty() {
            quote!(false)
        } else {
            let needs = needs.into_iter();
            quote!(#(#needs)||*)
        }
    }

    // ---- the whole body ----------------------------------------------------------

    fn emit(&mut self, closure_params: &[TokenStream]) -> TokenStream {
        let rt = self.rt.clone();
        let mut prologue = Vec::new();
        for (i, p) in self.sig.params.iter().enumerate() {
            if p.is_differentiated() {
                let v = self.param_var(i);
                let need = self.derived("need", v);
                prologue.push(quote!(let #need: bool = __ad_needs[#i];));
            }
        }
        // Which gradients are needed, for every differentiated variable.
        for (v, var) in self.body.vars.iter().enumerate() {
            if var.param.is_none() && var.is_active() {
                let need = self.derived("need", v);
                let deps = var
                    .deps
                    .iter()
                    .map(|p| self.derived("need", self.param_var(*p)));
                prologue.push(quote!(let #need: bool = #(#deps)||*;));
            }
        }
        for (i, p) in self.sig.params.iter().enumerate() {
            let v = self.param_var(i);
            if p.is_differentiated() && self.stable_meta[v] {
                let m = self.derived("m", v);
                let r = self.by_ref(&Operand::Var(v));
                prologue.push(quote!(let #m = #rt::meta(#r);));
            }
        }
        let mut hoisted = Vec::new();
        for s in &self.body.hoisted {
            if let Op::Constant(t) = &s.op {
                let id = self.ident(s.out);
                let meta = self.stable_meta_tokens(s.out);
                hoisted.push(quote!(let #id = #t; #meta));
            }
        }

        let early = self.body.early_return;
        let exit = early.then(|| names::generated("fn_exit"));
        let stmts = &self.body.stmts;
        let (fwd, rev) = self.block(stmts, exit.as_ref());

        // The returned value: a copy if the pullback keeps it or it is borrowed.
        let value = self.return_value(&self.body.output);
        let span = self.body.output_span;
        let value = quote_spanned!(span=> #value);

        let seeds = self.seeds();
        let adjoints = self.adjoint_decls();
        let slots: Vec<TokenStream> = self
            .sig
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.is_differentiated() {
                    let d = self.derived("d", self.param_var(i));
                    quote!(#d)
                } else {
                    quote!(())
                }
            })
            .collect();
        let decls = &self.decls;
        let forward = match &exit {
            Some(exit) => {
                let label = syn::Lifetime::new("'__ad_body", Span::mixed_site());
                quote! {
                    let mut #exit: u32 = 0;
                    let __ad_value = #label: {
                        #fwd
                        #value
                    };
                }
            }
            None => quote! {
                #fwd
                let __ad_value = #value;
            },
        };
        quote! {
            #(#prologue)*
            #(#hoisted)*
            #(#decls)*
            #forward
            (__ad_value, move |__ad_seed, #(#closure_params),*| {
                #(#adjoints)*
                #seeds
                #rev
                (#(#slots,)*)
            })
        }
    }

    fn return_value(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Literal(t) => t.clone(),
            Operand::Var(v) => {
                let id = self.ident(*v);
                if self.body.vars[*v].is_ref {
                    quote!(::core::clone::Clone::clone(#id))
                } else if self.captured.contains(v) {
                    quote!(::core::clone::Clone::clone(&#id))
                } else {
                    quote!(#id)
                }
            }
        }
    }

    /// Whether the output's adjoint is the seed itself (nothing else adds to
    /// it and it is assigned once): then no copy of the seed is made.
    fn seed_direct(&self) -> Option<VarId> {
        if self.body.early_return {
            return None;
        }
        operand_var(&self.body.output).filter(|v| {
            let var = &self.body.vars[*v];
            var.is_active()
                && self.contributions[*v] == 1
                && var.param.is_none()
                && var.assignments == 1
        })
    }

    fn adjoint_decls(&self) -> Vec<TokenStream> {
        let rt = &self.rt;
        let mut out = Vec::new();
        for (i, p) in self.sig.params.iter().enumerate() {
            if p.is_differentiated() {
                let d = self.derived("d", self.param_var(i));
                let vt = fixed_type(p.value_type());
                out.push(quote!(let mut #d: ::core::option::Option<#rt::GradOf<#vt>> = ::core::option::Option::None;));
            }
        }
        let direct = self.seed_direct();
        for (v, var) in self.body.vars.iter().enumerate() {
            if var.param.is_none()
                && self.contributions[v] > 0
                && Some(v) != direct
                && !self.fused_locals.contains(&v)
            {
                let d = self.derived("d", v);
                out.push(quote!(let mut #d = ::core::option::Option::None;));
            }
        }
        out
    }

    fn seeds(&self) -> TokenStream {
        let rt = &self.rt;
        let seed = |v: VarId| {
            let d = self.derived("d", v);
            quote!(#rt::accumulate(&mut #d, ::core::clone::Clone::clone(__ad_seed));)
        };
        if self.body.early_return {
            let exit = names::generated("fn_exit");
            let mut arms = Vec::new();
            if let Some(v) = operand_var(&self.body.output).filter(|v| self.active(*v)) {
                let s = seed(v);
                arms.push(quote!(0 => { #s }));
            }
            let mut returns = Vec::new();
            for_each_return(&self.body.stmts, &mut |code, value| {
                returns.push((code, value.clone()))
            });
            for (code, value) in returns {
                if let Some(v) = operand_var(&value).filter(|v| self.active(*v)) {
                    let s = seed(v);
                    arms.push(quote!(#code => { #s }));
                }
            }
            return quote! {
                match #exit {
                    #(#arms)*
                    _ => {}
                }
            };
        }
        match operand_var(&self.body.output) {
            Some(o) if self.active(o) && Some(o) != self.seed_direct() => seed(o),
            _ => quote!(),
        }
    }

    // ---- blocks --------------------------------------------------------------------

    /// Forward and reverse of a block. `exit` holds the exit code of the
    /// enclosing loop iteration (or of the function): statements after one
    /// that left the block are not reversed.
    fn block(&mut self, stmts: &[Stmt], exit: Option<&Ident>) -> (TokenStream, TokenStream) {
        let mut fwd = Vec::new();
        let mut revs = Vec::new();
        let mut left: Vec<u32> = Vec::new();
        for s in stmts {
            let (f, r) = self.stmt(s, exit);
            fwd.push(f);
            if !r.is_empty() {
                let r = match (exit, left.is_empty()) {
                    (Some(e), false) => {
                        let codes = &left;
                        quote!(if !::core::matches!(#e, #(#codes)|*) { #r })
                    }
                    _ => r,
                };
                revs.push(r);
            }
            left.extend(stmt_exits(s));
        }
        revs.reverse();
        (quote!(#(#fwd)*), quote!(#(#revs)*))
    }

    /// A record of the control flow (branch taken, arm, trip count): a local
    /// outside loops, a stack inside. Returns the slot and how to read it back.
    fn record(&mut self, in_loop: bool, what: &str, init: TokenStream) -> (Ident, TokenStream) {
        self.next_slot += 1;
        let id = names::generated(&format!("{what}{}", self.next_slot));
        if in_loop {
            self.stack(&id);
            (
                id.clone(),
                quote!(#id.pop().expect("autograd: the backward pass retraces the recorded control flow")),
            )
        } else {
            self.decls.push(quote!(let mut #id = #init;));
            (id.clone(), quote!(#id))
        }
    }

    fn push_record(slot: &Ident, in_loop: bool, value: TokenStream) -> TokenStream {
        if in_loop {
            quote!(#slot.push(#value);)
        } else {
            quote!(#slot = #value;)
        }
    }

    fn stmt(&mut self, s: &Stmt, exit: Option<&Ident>) -> (TokenStream, TokenStream) {
        if self.fusing && !matches!(s, Stmt::Op(_) | Stmt::Declare { .. } | Stmt::Bind { .. }) {
            // A branch or loop in a reduction loop's body saves what its
            // statements read as anywhere else (the iteration's backward pops
            // it right away).
            self.fusing = false;
            let out = self.stmt(s, exit);
            self.fusing = true;
            return out;
        }
        match s {
            Stmt::Op(op) => self.op_stmt(op),
            Stmt::Declare { var } => {
                let id = self.ident(*var);
                (quote!(let mut #id;), quote!())
            }
            Stmt::Bind { pat, value, vars } => {
                let metas = vars.iter().map(|v| self.stable_meta_tokens(*v));
                let owns = vars.iter().map(|v| self.own_copy_tokens(*v));
                (quote!(let #pat = #value; #(#metas)* #(#owns)*), quote!())
            }
            Stmt::If {
                cond,
                then,
                els,
                loop_depth,
                ..
            } => {
                let (tf, tr) = self.block(then, exit);
                let (ef, er) = self.block(els, exit);
                if tr.is_empty() && er.is_empty() {
                    return (quote!(if #cond { #tf } else { #ef }), quote!());
                }
                let in_loop = *loop_depth > 0;
                let (slot, pop) = self.record(in_loop, "branch", quote!(false));
                let push = Self::push_record(&slot, in_loop, quote!(true));
                let push_else = Self::push_record(&slot, in_loop, quote!(false));
                (
                    quote!(if #cond { #push #tf } else { #push_else #ef }),
                    quote!(if #pop { #tr } else { #er }),
                )
            }
            Stmt::Match {
                scrutinee,
                arms,
                loop_depth,
                ..
            } => {
                let bodies: Vec<(TokenStream, TokenStream)> =
                    arms.iter().map(|a| self.block(&a.body, exit)).collect();
                let any_rev = bodies.iter().any(|(_, r)| !r.is_empty());
                let in_loop = *loop_depth > 0;
                let (slot, pop) = if any_rev {
                    let (slot, pop) = self.record(in_loop, "arm", quote!(0usize));
                    (Some(slot), Some(pop))
                } else {
                    (None, None)
                };
                let mut fwd_arms = Vec::new();
                let mut rev_arms = Vec::new();
                for (k, (arm, (f, r))) in arms.iter().zip(bodies).enumerate() {
                    let pat = &arm.pat;
                    let guard = arm.guard.as_ref().map(|g| quote!(if #g));
                    let push = slot
                        .as_ref()
                        .map(|slot| Self::push_record(slot, in_loop, quote!(#k)))
                        .unwrap_or_default();
                    fwd_arms.push(quote!(#pat #guard => { #push #f }));
                    rev_arms.push(quote!(#k => { #r }));
                }
                let rev = match pop {
                    Some(pop) => quote!(match #pop { #(#rev_arms)* _ => {} }),
                    None => quote!(),
                };
                (quote!(match #scrutinee { #(#fwd_arms)* }), rev)
            }
            Stmt::Loop { id, kind, body, .. } if self.reductions.contains_key(id) => {
                self.reduction_loop(*id, kind, body)
            }
            Stmt::Loop {
                id,
                kind,
                body,
                loop_depth,
            } => self.loop_stmt(*id, kind, body, *loop_depth),
            Stmt::Jump {
                code,
                loop_id,
                is_break,
            } => {
                let ex = format_ident!("__ad_exits{}", loop_id, span = Span::mixed_site());
                let jump = if *is_break {
                    quote!(break)
                } else {
                    quote!(continue)
                };
                (quote!({ #ex.push(#code); #jump; }), quote!())
            }
            Stmt::Return { code, value, loops } => {
                let mut records = Vec::new();
                for (lid, depth) in loops {
                    let ex = format_ident!("__ad_exits{}", lid, span = Span::mixed_site());
                    let n = format_ident!("__ad_iterations{}", lid, span = Span::mixed_site());
                    let cnt = format_ident!("__ad_trips{}", lid, span = Span::mixed_site());
                    records.push(quote!(#ex.push(#code);));
                    if *depth > 0 {
                        records.push(quote!(#cnt.push(#n);));
                    } else {
                        records.push(quote!(#cnt = #n;));
                    }
                }
                let exit = names::generated("fn_exit");
                let label = syn::Lifetime::new("'__ad_body", Span::mixed_site());
                let value = self.return_value(value);
                (
                    quote!({ #(#records)* #exit = #code; break #label #value; }),
                    quote!(),
                )
            }
        }
    }

    fn loop_stmt(
        &mut self,
        id: usize,
        kind: &LoopKind,
        body: &[Stmt],
        depth: usize,
    ) -> (TokenStream, TokenStream) {
        let mut body_exits = Vec::new();
        for s in body {
            exits(s, false, &mut body_exits);
        }
        let may_exit = !body_exits.is_empty();
        let ex = format_ident!("__ad_exits{}", id, span = Span::mixed_site());
        let e = format_ident!("__ad_exit{}", id, span = Span::mixed_site());
        self.loop_stacks.push(Vec::new());
        // A body without control flow of its own saves one tuple per iteration.
        let straight = body
            .iter()
            .all(|s| matches!(s, Stmt::Op(_) | Stmt::Declare { .. } | Stmt::Bind { .. }));
        let outer_frame = self.frame.take();
        if straight {
            let carried = if depth == 0 {
                self.carried_vars(id, body)
            } else {
                Vec::new()
            };
            self.frame = Some(Frame {
                carried,
                ..Frame::default()
            });
        }
        let (mut bf, mut br) = self.block(body, may_exit.then_some(&e));
        let frame = std::mem::replace(&mut self.frame, outer_frame);
        let mut carried_init = quote!();
        let mut stacks = self.loop_stacks.pop().unwrap_or_default();
        if let Some(frame) = frame.filter(|f| !f.locals.is_empty()) {
            let frames = format_ident!("__ad_frames{}", id, span = Span::mixed_site());
            self.decls
                .push(quote!(let mut #frames = ::std::vec::Vec::new();));
            stacks.push(frames.clone());
            // Pushed when any statement that saves needs its gradient (the
            // flags are the same every iteration, so pushes and pops pair up).
            let mut seen = BTreeSet::new();
            let parts: Vec<&TokenStream> = frame
                .needs
                .iter()
                .filter(|n| seen.insert(n.to_string()))
                .collect();
            let need_any = if parts.is_empty() {
                quote!(true)
            } else {
                quote!(#((#parts))||*)
            };
            let locals = &frame.locals;
            let mut prevs = Vec::new();
            for c in &frame.carried {
                let (prev, before) = (&c.prev, &c.before);
                let index = c
                    .out_local
                    .as_ref()
                    .and_then(|l| frame.locals.iter().position(|x| x == l))
                    .map(syn::Index::from)
                    .expect("a carried variable's new value is in the frame");
                let copy = self.copy_of(c.var);
                self.decls
                    .push(quote!(let mut #before = ::core::option::Option::None;));
                self.saved.push(format!(
                    "value of `{}` before the loop, read as the previous iteration's (once)",
                    self.body.vars[c.var].base
                ));
                carried_init = quote! {
                    #carried_init
                    if #need_any {
                        #before = ::core::option::Option::Some(#copy);
                    }
                };
                prevs.push(quote! {
                    let #prev = match #frames.last() {
                        ::core::option::Option::Some(__ad_f) => &__ad_f.#index,
                        ::core::option::Option::None => #before.as_ref().expect("autograd: the value before the loop was saved"),
                    };
                });
            }
            bf = quote! {
                #bf
                if #need_any {
                    #frames.push((#(#locals,)*));
                }
            };
            br = quote! {
                if #need_any {
                    let (#(#locals,)*) = #frames.pop().expect("autograd: the backward pass pops what the forward pass saved");
                    #(#prevs)*
                    #br
                }
            };
        }
        if may_exit {
            stacks.push(ex.clone());
        }
        // A `for` loop knows its trip count up front (the iterator's lower
        // bound): the stacks it pushes onto grow once, not by doubling.
        let iter_var = format_ident!("__ad_iter{}", id, span = Span::mixed_site());
        let hint = format_ident!("__ad_hint{}", id, span = Span::mixed_site());
        let (prelude, head) = match kind {
            LoopKind::For { pat, iter } if !stacks.is_empty() => (
                quote! {
                    let #iter_var = ::core::iter::IntoIterator::into_iter(#iter);
                    let #hint = ::core::iter::Iterator::size_hint(&#iter_var).0;
                    #( #stacks.reserve(#hint); )*
                },
                quote!(for #pat in #iter_var),
            ),
            LoopKind::For { pat, iter } => (quote!(), quote!(for #pat in #iter)),
            LoopKind::While { cond } => (quote!(), quote!(while #cond)),
            LoopKind::Loop => (quote!(), quote!(loop)),
        };
        if br.is_empty() && !may_exit {
            return (quote!(#prelude #head { #bf }), quote!());
        }
        let n = format_ident!("__ad_iterations{}", id, span = Span::mixed_site());
        let cnt = format_ident!("__ad_trips{}", id, span = Span::mixed_site());
        let (record, read) = if depth > 0 {
            self.decls
                .push(quote!(let mut #cnt: ::std::vec::Vec<usize> = ::std::vec::Vec::new();));
            (
                quote!(#cnt.push(#n);),
                quote!(#cnt.pop().expect("autograd: the backward pass retraces the recorded loops")),
            )
        } else {
            self.decls.push(quote!(let mut #cnt: usize = 0;));
            (quote!(#cnt = #n;), quote!(#cnt))
        };
        let (end, pop_exit) = if may_exit {
            self.decls
                .push(quote!(let mut #ex: ::std::vec::Vec<u32> = ::std::vec::Vec::new();));
            (
                quote!(#ex.push(0);),
                quote!(let #e: u32 = #ex.pop().expect("autograd: the backward pass retraces the recorded loops");),
            )
        } else {
            (quote!(), quote!())
        };
        (
            quote! {
                #carried_init
                #prelude
                let mut #n: usize = 0;
                #head {
                    #n += 1;
                    #bf
                    #end
                }
                #record
            },
            quote! {
                for _ in 0..#read {
                    #pop_exit
                    #br
                }
            },
        )
    }

    /// A reduction loop (see `reduction`): each iteration's backward runs
    /// right after its forward, for an accumulator gradient of one, into
    /// gradients the pullback multiplies by the accumulator's real gradient.
    fn reduction_loop(
        &mut self,
        id: usize,
        kind: &LoopKind,
        body: &[Stmt],
    ) -> (TokenStream, TokenStream) {
        let rt = self.rt.clone();
        let red = self.reductions[&id].clone();
        let outer_frame = self.frame.take();
        let was_fusing = std::mem::replace(&mut self.fusing, true);
        let was_in = std::mem::replace(&mut self.in_reduction, true);
        // Stacks of nested branches and loops: pushed and popped within one
        // iteration, never reserved for the whole loop.
        self.loop_stacks.push(Vec::new());
        let (bf, br) = self.block(body, None);
        self.loop_stacks.pop();
        self.in_reduction = was_in;
        self.fusing = was_fusing;
        self.frame = outer_frame;

        let acc = self.ident(red.acc).clone();
        let need_acc = self.derived("need", red.acc);
        let d_acc = self.derived("d", red.acc);
        let pre = names::generated(&format!("loop{id}_gradients"));
        self.decls
            .push(quote!(let mut #pre = ::core::option::Option::None;));
        let mut receiver_decls = Vec::new();
        let mut receivers = Vec::new();
        let mut parts = Vec::new();
        for &r in &red.receivers {
            let d = self.derived("d", r);
            let ty = self.body.vars[r].param.map(|i| {
                let vt = fixed_type(self.sig.params[i].value_type());
                quote!(: ::core::option::Option<#rt::GradOf<#vt>>)
            });
            receiver_decls.push(quote!(let mut #d #ty = ::core::option::Option::None;));
            receivers.push(d);
            parts.push(self.derived(&format!("loop{id}_d"), r));
            self.saved.push(format!(
                "gradient of `{}` with respect to `{}`, accumulated by the loop (once)",
                self.body.vars[red.acc].base, self.body.vars[r].base
            ));
        }
        let local_adjoints: Vec<Ident> = red
            .locals
            .iter()
            .filter(|v| self.contributions[**v] > 0)
            .map(|v| self.derived("d", *v))
            .collect();
        let head = match kind {
            LoopKind::For { pat, iter } => quote!(for #pat in #iter),
            LoopKind::While { cond } => quote!(while #cond),
            LoopKind::Loop => unreachable!("`loop` needs `break`: never a reduction"),
        };
        let fwd = quote! {
            #pre = ::core::option::Option::Some({
                #(#receiver_decls)*
                #head {
                    #bf
                    if #need_acc {
                        #(let mut #local_adjoints = ::core::option::Option::None;)*
                        let mut #d_acc = ::core::option::Option::Some(#rt::one_like(&#acc));
                        #br
                    }
                }
                (#(#receivers,)*)
            });
        };
        let rev = quote! {
            if #need_acc {
                if let (
                    ::core::option::Option::Some((#(#parts,)*)),
                    ::core::option::Option::Some(__ad_factor),
                ) = (#pre.take(), &#d_acc) {
                    #(#rt::accumulate_scaled(&mut #receivers, #parts, __ad_factor);)*
                }
            }
        };
        (fwd, rev)
    }

    // ---- operations --------------------------------------------------------------

    /// `let __ad_m_x = meta(&x);` for a stable variable whose shape a backward function reads.
    fn stable_meta_tokens(&self, v: VarId) -> TokenStream {
        if !self.stable_meta[v] {
            return quote!();
        }
        let rt = &self.rt;
        let m = self.derived("m", v);
        let r = self.by_ref(&Operand::Var(v));
        quote!(let #m = #rt::meta(#r);)
    }

    /// Whether the pullback must keep an owned copy of a variable instead of
    /// the variable itself: values of unknown type that are not parameters.
    fn needs_own_copy(&self, v: VarId) -> bool {
        let var = &self.body.vars[v];
        var.opaque && var.param.is_none()
    }

    /// An owned copy of a variable's current value.
    fn copy_of(&self, v: VarId) -> TokenStream {
        let var = &self.body.vars[v];
        let id = &var.ident;
        if var.opaque {
            // `to_owned` sees through one reference: `&f64` → `f64`, `&[usize]` → `Vec<usize>`.
            quote!(#id.to_owned())
        } else if var.is_ref {
            quote!(::core::clone::Clone::clone(#id))
        } else {
            quote!(::core::clone::Clone::clone(&#id))
        }
    }

    /// `let __ad_own_x = x.to_owned();` after the definition of a stable
    /// variable the pullback reads through a copy.
    fn own_copy_tokens(&self, v: VarId) -> TokenStream {
        if !self.own[v] {
            return quote!();
        }
        let own = self.derived("own", v);
        let copy = self.copy_of(v);
        quote!(let #own = #copy;)
    }

    /// Where the reverse sweep finds a variable's value: the parameter passed
    /// again, the variable captured by the pullback, its owned copy, or a
    /// value saved at this statement.
    fn place(
        &mut self,
        v: VarId,
        in_loop: bool,
        what: String,
    ) -> (TokenStream, Option<(TokenStream, TokenStream)>) {
        if self.body.vars[v].projection.is_some() {
            return (self.projection_place(v), None);
        }
        let var = &self.body.vars[v];
        let outside = self.stable[v] || var.param.is_some();
        if (self.in_reduction && outside) || (self.fusing && var.assignments <= 1) {
            // Unchanged until the iteration's backward reads it.
            let id = &var.ident;
            return (quote!(#id), None);
        }
        if var.param.is_some() || (self.stable[v] && !self.own[v]) {
            let id = &var.ident;
            return (quote!(#id), None);
        }
        if self.stable[v] {
            let own = self.derived("own", v);
            return (quote!(#own), None);
        }
        if let Some(c) = self
            .frame
            .as_ref()
            .and_then(|f| f.carried.iter().find(|c| c.var == v))
        {
            // The value at the start of the iteration is the previous
            // frame's; after the assignment, this frame's.
            return match &c.out_local {
                Some(local) => (quote!(#local), None),
                None => {
                    let prev = &c.prev;
                    (quote!((*#prev)), None)
                }
            };
        }
        if let Some(def) = self.recomputed_in(v, in_loop) {
            return self.recompute(v, def, in_loop);
        }
        let value = self.copy_of(v);
        let (push, pop, local) = self.save(in_loop, what, value);
        (quote!(#local), Some((push, pop)))
    }

    /// The variables of a straight loop body whose value at the start of an
    /// iteration the previous frame holds: assigned once in the body, by a
    /// rule whose backward reads its output (so the frame saves it), and
    /// declared before the loop.
    fn carried_vars(&self, id: usize, body: &[Stmt]) -> Vec<Carried> {
        let mut out = Vec::new();
        for s in body {
            let Stmt::Op(op) = s else { continue };
            let v = op.out;
            let var = &self.body.vars[v];
            let assigned_here = body
                .iter()
                .filter(|t| matches!(t, Stmt::Op(o) if o.out == v))
                .count();
            let reads_output = self.reads(op).contains(&ReadOf::Output);
            if op.declare
                || assigned_here != 1
                || var.param.is_some()
                || self.stable[v]
                || !var.is_active()
                || self.contributions[v] == 0
                || !matches!(op.op, Op::Rule { .. })
                || !reads_output
            {
                continue;
            }
            out.push(Carried {
                var: v,
                prev: self.derived(&format!("prev{id}"), v),
                before: self.derived(&format!("before{id}"), v),
                out_local: None,
            });
        }
        out
    }

    /// The definition the reverse sweep recomputes `v` from, where `v` is
    /// read inside a loop (reduction loops read it in place instead).
    fn recomputed_in(&self, v: VarId, in_loop: bool) -> Option<&'a OpStmt> {
        if in_loop && !self.in_reduction {
            self.recomputable(v)
        } else {
            None
        }
    }

    /// The statement that defines `v`, if the reverse sweep can recompute
    /// `v` from it instead of saving `v` in a loop: a view-like operation
    /// (`index_axis`, `slice_axis`, `insert_axis`, `t`) of parameters, at
    /// constants that are literals, parameters or values assigned once.
    fn recomputable(&self, v: VarId) -> Option<&'a OpStmt> {
        if self.body.vars[v].param.is_some() {
            return None;
        }
        let def = *self.defs.get(&v)?;
        if let Op::Constant(tokens) = &def.op {
            // A constant view of a parameter, `xs.index_axis(Axis(0), t)`:
            // evaluated again with the locals it names saved.
            let e: syn::Expr = syn::parse2(tokens.clone()).ok()?;
            let names = self.named_vars(tokens);
            let fixed = names.iter().all(|c| {
                let var = &self.body.vars[*c];
                var.param.is_some()
                    || (var.assignments <= 1 && !var.is_active())
                    || (*c != v && self.recomputable(*c).is_some())
            });
            return (is_view_chain(&e) && fixed).then_some(def);
        }
        let Op::Rule {
            rule,
            operands,
            consts,
        } = &def.op
        else {
            return None;
        };
        let is_param = |o: &Operand| matches!(o, Operand::Var(p) if self.body.vars[*p].param.is_some() && !self.body.vars[*p].opaque);
        let fixed = |o: &Operand| match o {
            Operand::Literal(_) => true,
            Operand::Var(c) => {
                let c = &self.body.vars[*c];
                c.param.is_some() || (c.assignments <= 1 && !c.is_active())
            }
        };
        let ok = matches!(rule.name, "index_axis" | "slice_axis" | "insert_axis" | "t")
            && operands.iter().all(is_param)
            && consts.iter().all(fixed);
        ok.then_some(def)
    }

    /// The variables named in user tokens.
    fn named_vars(&self, tokens: &TokenStream) -> BTreeSet<VarId> {
        self.body.named_vars(tokens).into_iter().collect()
    }

    /// `v` recomputed by the reverse sweep from its definition: the
    /// parameters are passed again, constants that are not are saved.
    fn recompute(
        &mut self,
        v: VarId,
        def: &OpStmt,
        in_loop: bool,
    ) -> (TokenStream, Option<(TokenStream, TokenStream)>) {
        let rt = self.rt.clone();
        if let Op::Constant(tokens) = &def.op {
            // `&view`: the view itself (values of unknown type are read
            // through `val`, which sees through the borrow).
            if let Ok(syn::Expr::Reference(r)) = syn::parse2::<syn::Expr>(tokens.clone()) {
                if self.body.vars[v].opaque {
                    let stripped = OpStmt {
                        out: v,
                        op: Op::Constant(r.expr.to_token_stream()),
                        declare: def.declare,
                        ty: None,
                        span: def.span,
                        loop_depth: def.loop_depth,
                    };
                    return self.recompute(v, &stripped, in_loop);
                }
            }
            let mut pushes = Vec::new();
            let mut pops = Vec::new();
            let mut binds = Vec::new();
            for u in self.named_vars(tokens) {
                if self.body.vars[u].param.is_some() {
                    continue;
                }
                if let Some(inner) = self.recomputable(u).filter(|_| u != v) {
                    // A view of a view: recomputed in turn.
                    let (value, save) = self.recompute(u, inner, in_loop);
                    if let Some((push, pop)) = save {
                        pushes.push(push);
                        pops.push(pop);
                    }
                    let id = self.ident(u);
                    binds.push(quote!(let #id = #value;));
                    continue;
                }
                let what = format!(
                    "constant `{}` to recompute `{}`",
                    self.body.vars[u].base, self.body.vars[v].base
                );
                let value = self.copy_of(u);
                let (push, pop, local) = self.save(in_loop, what, value);
                pushes.push(push);
                pops.push(pop);
                let id = self.ident(u);
                binds.push(quote!(let #id = #local;));
            }
            let value = quote!(({ #(#binds)* #tokens }));
            let save = (!pushes.is_empty()).then(|| (quote!(#(#pushes)*), quote!(#(#pops)*)));
            return (value, save);
        }
        let Op::Rule {
            rule,
            operands,
            consts,
        } = &def.op
        else {
            unreachable!("only rules and constants are recomputed");
        };
        let parts: Vec<TokenStream> = operands
            .iter()
            .filter_map(operand_var)
            .map(|p| {
                let id = self.ident(p).clone();
                self.operand_at(p, quote!(#id))
            })
            .collect();
        let mut pushes = Vec::new();
        let mut pops = Vec::new();
        let mut args = Vec::new();
        for c in consts {
            match c {
                Operand::Var(u) if self.body.vars[*u].param.is_none() => {
                    let what = format!(
                        "constant `{}` to recompute `{}`",
                        self.body.vars[*u].base, self.body.vars[v].base
                    );
                    let value = self.copy_of(*u);
                    let (push, pop, local) = self.save(in_loop, what, value);
                    pushes.push(push);
                    pops.push(pop);
                    args.push(self.const_at(*u, quote!(#local)));
                }
                other => args.push(self.const_ref(other, None)),
            }
        }
        let tr = Ident::new(rule.trait_name, Span::mixed_site());
        let value = quote!((#rt::rules::#tr::fwd(#(#parts,)* #(#args),*)));
        let save = (!pushes.is_empty()).then(|| (quote!(#(#pushes)*), quote!(#(#pops)*)));
        (value, save)
    }

    /// `(&m.w1)`: a field of a parameter, from the parameter passed again.
    fn projection_place(&self, v: VarId) -> TokenStream {
        match &self.body.vars[v].projection {
            Some((base, member)) => {
                let b = self.projection_place(*base);
                quote!((&#b.#member))
            }
            None => {
                let id = self.ident(v);
                quote!(#id)
            }
        }
    }

    /// A place as a `&T` operand (through `val` for values of unknown type).
    fn operand_at(&self, v: VarId, place: TokenStream) -> TokenStream {
        let var = &self.body.vars[v];
        let r = if var.is_passed_ref() {
            place
        } else {
            quote!(&#place)
        };
        if var.opaque {
            let rt = &self.rt;
            quote!(#rt::val(#r))
        } else {
            r
        }
    }

    /// A place as a constant argument `&T`.
    fn const_at(&self, v: VarId, place: TokenStream) -> TokenStream {
        let var = &self.body.vars[v];
        if var.is_passed_ref() {
            place
        } else {
            quote!(&#place)
        }
    }

    /// A place as a call argument, written as the user wrote it (`&y` or `y`).
    fn call_arg_at(&self, v: VarId, place: TokenStream, by_ref: bool) -> TokenStream {
        let var = &self.body.vars[v];
        match (var.is_passed_ref(), by_ref) {
            (true, _) => place,
            (false, true) => quote!(&#place),
            (false, false) => quote!(::core::clone::Clone::clone(&#place)),
        }
    }

    fn source(&mut self, read: &ReadOf, s: &OpStmt, in_loop: bool, what: &str) -> (Source, bool) {
        let rt = self.rt.clone();
        let saved = |save: Option<(TokenStream, TokenStream)>,
                     use_tokens: TokenStream,
                     after: bool| match save {
            None => (Source::Direct(use_tokens), after),
            Some((push, pop)) => (
                Source::Saved {
                    pop,
                    push,
                    use_tokens,
                },
                after,
            ),
        };
        match *read {
            ReadOf::Value(v) | ReadOf::Const(v) | ReadOf::Arg(v) => {
                let kind = match read {
                    ReadOf::Value(_) => "value",
                    ReadOf::Const(_) => "constant",
                    _ => "argument",
                };
                let desc = format!("{kind} `{}` read by {what}", self.body.vars[v].base);
                let (place, save) = self.place(v, in_loop, desc);
                let recomputed = self.recomputed_in(v, in_loop).is_some();
                if save.is_some() && kind != "constant" && !recomputed {
                    self.saved_values.insert(v, place.clone());
                }
                let use_tokens = match read {
                    ReadOf::Value(_) => self.operand_at(v, place.clone()),
                    ReadOf::Const(_) => self.const_at(v, place.clone()),
                    // Call arguments are formatted per use (by reference or by value).
                    _ => place.clone(),
                };
                saved(save, use_tokens, false)
            }
            ReadOf::Meta(v) => {
                if self.stable[v] {
                    let m = self.derived("m", v);
                    return (Source::Direct(quote!(&#m)), false);
                }
                if let Some(place) = self.saved_values.get(&v) {
                    // The value is saved already: its shape comes with it.
                    let r = self.operand_at(v, place.clone());
                    return (Source::Direct(quote!(&#rt::meta(#r))), false);
                }
                let r = self.by_ref(&Operand::Var(v));
                let desc = format!("shape of `{}` read by {what}", self.body.vars[v].base);
                let (push, pop, local) = self.save(in_loop, desc, quote!(#rt::meta(#r)));
                (
                    Source::Saved {
                        pop,
                        use_tokens: quote!(&#local),
                        push,
                    },
                    false,
                )
            }
            ReadOf::Output => {
                let v = s.out;
                if self.fusing && self.body.vars[v].assignments <= 1 {
                    let id = self.ident(v).clone();
                    return (Source::Direct(self.by_ref_var(v, quote!(#id))), true);
                }
                if self.stable[v] {
                    let id = self.ident(v).clone();
                    self.captured.insert(v);
                    return (Source::Direct(self.by_ref_var(v, quote!(#id))), true);
                }
                let id = self.ident(v).clone();
                let desc = format!("output `{}` read by {what}", self.body.vars[v].base);
                let (push, pop, local) =
                    self.save(in_loop, desc, quote!(::core::clone::Clone::clone(&#id)));
                // Later reads of `v` in the iteration read this copy (from the
                // next statement on: this one may read the old value too).
                self.carried_out = Some((v, local.clone()));
                (
                    Source::Saved {
                        pop,
                        use_tokens: quote!(&#local),
                        push,
                    },
                    true,
                )
            }
            ReadOf::Pullback(v) => {
                let pb = self.derived("pb", v);
                if self.stable[v] {
                    return (Source::Direct(quote!(#pb)), true);
                }
                let desc = format!("pullback of `{}`", self.body.vars[v].base);
                let (push, pop, local) = self.save(in_loop, desc, quote!(#pb));
                (
                    Source::Saved {
                        pop,
                        use_tokens: quote!(#local),
                        push,
                    },
                    true,
                )
            }
        }
    }

    fn op_stmt(&mut self, s: &OpStmt) -> (TokenStream, TokenStream) {
        let rt = self.rt.clone();
        let out = self.ident(s.out).clone();
        let span = s.span;
        let in_loop = s.loop_depth > 0;
        let var = &self.body.vars[s.out];
        let mutability = if var.mutable || var.assignments > 1 {
            quote!(mut)
        } else {
            quote!()
        };
        let ty = s.ty.as_ref().map(|t| {
            let t = fixed_type(t);
            quote!(: #t)
        });

        // The forward statement.
        let value = match &s.op {
            Op::Constant(tokens) => quote_spanned!(span=> #tokens),
            Op::Copy(o) => self.owned(o),
            Op::Field(base, member) => {
                let b = self.ident(*base);
                quote_spanned!(span=> &#b.#member)
            }
            Op::Rule {
                rule,
                operands,
                consts,
            } => {
                let tr = Ident::new(rule.trait_name, span);
                let parts: Vec<TokenStream> = operands.iter().map(|o| self.by_ref(o)).collect();
                let consts: Vec<TokenStream> =
                    consts.iter().map(|c| self.const_ref(c, None)).collect();
                let consumed = match operands.first() {
                    Some(Operand::Var(v)) if rule.consumes() && self.consumable.contains(v) => {
                        Some(self.ident(*v))
                    }
                    _ => None,
                };
                if let Some(x) = consumed {
                    // Nothing else reads the operand: its buffer is reused.
                    let rest = &parts[1..];
                    quote_spanned!(span=> #rt::rules::#tr::fwd_owned(#x, #(#rest,)* #(#consts),*))
                } else if rule.variadic {
                    quote_spanned!(span=> #rt::rules::#tr::fwd(#(#consts,)* &[#(#parts),*]))
                } else {
                    quote_spanned!(span=> #rt::rules::#tr::fwd(#(#parts,)* #(#consts),*))
                }
            }
            Op::Call { .. } => quote!(),
        };
        let statement = match &s.op {
            Op::Call {
                path,
                turbofish,
                args,
            } => {
                let pb = self.derived("pb", s.out);
                let call_args = args;
                let args: Vec<TokenStream> = args
                    .iter()
                    .map(|a| match (&a.operand, a.by_ref) {
                        (Operand::Literal(t), true) => quote!(&#t),
                        (Operand::Literal(t), false) => quote!(#t),
                        (Operand::Var(v), by_ref) => {
                            let var = &self.body.vars[*v];
                            let id = &var.ident;
                            match (var.is_ref, by_ref) {
                                (true, _) => quote!(#id),
                                (false, true) => quote!(&#id),
                                // The callee takes ownership: give it a copy,
                                // since the forward or backward may still read the value.
                                (false, false) => quote!(::core::clone::Clone::clone(&#id)),
                            }
                        }
                    })
                    .collect();
                let needs: Vec<TokenStream> = call_args
                    .iter()
                    .map(|a| match operand_var(&a.operand) {
                        Some(v) if self.active(v) => {
                            let need = self.derived("need", v);
                            quote!(#need)
                        }
                        _ => quote!(false),
                    })
                    .collect();
                let entry = quote_spanned!(span=> rule);
                if s.declare {
                    quote_spanned!(span=> let (#mutability #out, #pb) = #path::#entry #turbofish(#(#args,)* [#(#needs),*]);)
                } else {
                    let tmp = names::generated("call_value");
                    quote_spanned!(span=> let (#tmp, #pb) = #path::#entry #turbofish(#(#args,)* [#(#needs),*]); #out = #tmp;)
                }
            }
            _ if s.declare => quote!(let #mutability #out #ty = #value;),
            _ => quote!(#out = #value;),
        };

        // A stable value's shape and owned copy, right after it is defined.
        let statement = {
            let meta = self.stable_meta_tokens(s.out);
            let own = self.own_copy_tokens(s.out);
            quote!(#statement #meta #own)
        };
        let contributions = self.contributions[s.out];
        if !self.active(s.out) || contributions == 0 {
            return (statement, quote!());
        }

        // What the backward functions read, saved around the statement.
        let what = match &s.op {
            Op::Rule { rule, .. } => format!("`{}`", rule.name),
            Op::Call { path, .. } => format!(
                "the call to `{}`",
                quote!(#path).to_string().replace(' ', "")
            ),
            Op::Field(_, member) => format!("the field `{}`", quote!(#member)),
            _ => "a copy".to_string(),
        };
        let mut reads = self.reads(s);
        // Shapes last: a shape is taken from a value saved at the same statement.
        reads.sort_by_key(|r| matches!(r, ReadOf::Meta(_)));
        self.saved_values.clear();
        let mut pre = Vec::new();
        let mut post = Vec::new();
        let mut pops = Vec::new();
        let mut sources = Vec::new();
        for read in &reads {
            let (source, after) = self.source(read, s, in_loop, &what);
            if let Source::Saved { pop, push, .. } = &source {
                if after {
                    post.push(push.clone());
                } else {
                    pre.push(push.clone());
                }
                pops.push(pop.clone());
            }
            sources.push((read.clone(), source));
        }
        if let Some((v, local)) = self.carried_out.take() {
            if let Some(c) = self
                .frame
                .as_mut()
                .and_then(|f| f.carried.iter_mut().find(|c| c.var == v))
            {
                c.out_local = Some(local);
            }
        }
        pops.reverse();
        let use_of = |read: &ReadOf| -> TokenStream {
            sources
                .iter()
                .find(|(r, _)| r == read)
                .map(|(_, src)| match src {
                    Source::Direct(t) => t.clone(),
                    Source::Saved { use_tokens, .. } => use_tokens.clone(),
                })
                .unwrap_or_default()
        };

        let revs = self.active_revs(s);
        let need_stmt = self.need_of(revs.iter().map(|(_, v)| *v));
        let mut steps = Vec::new();
        match &s.op {
            Op::Rule {
                rule,
                operands,
                consts,
            } => {
                let tr = Ident::new(rule.trait_name, span);
                // `x * x`: one backward function, its result counted twice in place.
                let squared = rule.name == "mul"
                    && matches!(
                        (operands.first(), operands.get(1)),
                        (Some(Operand::Var(a)), Some(Operand::Var(b))) if a == b
                    );
                // `a + b`, `a - b` with both operands differentiated: one call
                // gives both gradients, and the runtime decides which operand
                // receives the output gradient's buffer.
                let both = matches!(rule.name, "add" | "sub")
                    && revs.len() == 2
                    && Some(s.out) != self.seed_direct();
                for (k, v) in &revs {
                    if (squared || both) && *k == 1 {
                        continue;
                    }
                    let args: Vec<TokenStream> = rule.revs[*k]
                        .iter()
                        .map(|r| match r {
                            Read::Value(j) => match &operands[*j] {
                                Operand::Var(u) => use_of(&ReadOf::Value(*u)),
                                lit => self.by_ref(lit),
                            },
                            Read::Meta(j) => match &operands[*j] {
                                Operand::Var(u) => use_of(&ReadOf::Meta(*u)),
                                Operand::Literal(t) => quote!(&#rt::meta(&#t)),
                            },
                            Read::Output => use_of(&ReadOf::Output),
                            Read::Const(j) => match &consts[*j] {
                                Operand::Var(u) => use_of(&ReadOf::Const(*u)),
                                lit => self.const_ref(lit, None),
                            },
                            Read::AllMetas => {
                                let metas = operands.iter().map(|o| match o {
                                    Operand::Var(u) => {
                                        let m = use_of(&ReadOf::Meta(*u));
                                        quote!(::core::clone::Clone::clone(#m))
                                    }
                                    Operand::Literal(t) => quote!(#rt::meta(&#t)),
                                });
                                quote!(&[#(#metas),*])
                            }
                            Read::Position => quote!(#k),
                        })
                        .collect();
                    let need = self.derived("need", *v);
                    let d = self.derived("d", *v);
                    if both {
                        let (need1, d1) = (
                            self.derived("need", revs[1].1),
                            self.derived("d", revs[1].1),
                        );
                        steps.push(quote_spanned! {span=>
                            let (__ad_g0, __ad_g1) = #rt::rules::#tr::revs_owned(#(#args,)* __ad_d_owned, [#need, #need1]);
                            #rt::accumulate_slot(&mut #d, __ad_g0);
                            #rt::accumulate_slot(&mut #d1, __ad_g1);
                        });
                        continue;
                    }
                    if rule.into {
                        let rev = format_ident!("rev{}_into", k, span = span);
                        steps.push(quote_spanned! {span=>
                            if #need {
                                #rt::rules::#tr::#rev(&mut #d, #(#args,)* __ad_d);
                            }
                        });
                    } else {
                        let rev = if rule.variadic {
                            format_ident!("rev", span = span)
                        } else {
                            format_ident!("rev{}", k, span = span)
                        };
                        let add = if squared {
                            quote!(#rt::accumulate_twice)
                        } else {
                            quote!(#rt::accumulate)
                        };
                        // The last backward function to run (for `x * x`, the
                        // only one) takes the output's gradient by value: `+`
                        // and `-` pass it on, `*`, `/`, `reshape` and elementwise
                        // functions compute in its buffer.
                        let last = if squared {
                            Some(&0)
                        } else {
                            revs.last().map(|(last, _)| last)
                        };
                        let owned = rule.takes_owned_gradient(*k)
                            && Some(s.out) != self.seed_direct()
                            && last == Some(k);
                        let taken = match operands.first() {
                            Some(Operand::Var(x))
                                if rule.name == "square_sum_axis"
                                    && self.taken_in_reverse.contains(x) =>
                            {
                                Some(self.ident(*x).clone())
                            }
                            _ => None,
                        };
                        if let Some(x) = taken {
                            // The kept value's buffer becomes its gradient.
                            let axis = &args[1];
                            steps.push(quote_spanned! {span=>
                                if #need {
                                    #add(&mut #d, #rt::rules::SquareSumAxisRule::rev0_taking(#x, #axis, __ad_d));
                                }
                            });
                            continue;
                        }
                        if owned && squared {
                            // `2·d·x`, in the gradient's buffer.
                            let x = &args[1];
                            steps.push(quote_spanned! {span=>
                                if #need {
                                    #rt::accumulate(&mut #d, #rt::rules::SquareRule::rev_twice_owned(#x, __ad_d_owned));
                                }
                            });
                            continue;
                        }
                        if owned {
                            let rev = format_ident!("rev{}_owned", k, span = span);
                            steps.push(quote_spanned! {span=>
                                if #need {
                                    #add(&mut #d, #rt::rules::#tr::#rev(#(#args,)* __ad_d_owned));
                                }
                            });
                            continue;
                        }
                        steps.push(quote_spanned! {span=>
                            if #need {
                                #add(&mut #d, #rt::rules::#tr::#rev(#(#args,)* __ad_d));
                            }
                        });
                    }
                }
            }
            Op::Field(base, member) => {
                let d_out = self.derived("d", s.out);
                let taken = names::generated("taken");
                let need = self.derived("need", *base);
                let d = self.derived("d", *base);
                let b = self.projection_place(*base);
                let b = if self.body.vars[*base].is_passed_ref() {
                    b
                } else {
                    quote!(&#b)
                };
                let name = quote!(#member).to_string();
                return (
                    statement,
                    quote! {
                        let #taken = #d_out.take();
                        if #need {
                            if let ::core::option::Option::Some(__ad_d) = #taken {
                                #rt::accumulate_field(&mut #d, #b, #name, |__ad_g| &mut __ad_g.#member, __ad_d);
                            }
                        }
                    },
                );
            }
            Op::Copy(_) => {
                // The adjoint moves to the source: no copy of it is made.
                let d_out = self.derived("d", s.out);
                let taken = names::generated("taken");
                let (need, d) = match revs.first() {
                    Some((_, v)) => (self.derived("need", *v), self.derived("d", *v)),
                    None if Some(s.out) == self.seed_direct() => return (statement, quote!()),
                    None => return (statement, quote!(let _ = #d_out.take();)),
                };
                if Some(s.out) == self.seed_direct() {
                    return (
                        statement,
                        quote!(if #need { #rt::accumulate(&mut #d, ::core::clone::Clone::clone(__ad_seed)); }),
                    );
                }
                return (
                    statement,
                    quote! {
                        let #taken = #d_out.take();
                        if #need {
                            if let ::core::option::Option::Some(__ad_d) = #taken {
                                #rt::accumulate(&mut #d, __ad_d);
                            }
                        }
                    },
                );
            }
            Op::Call { args, .. } => {
                let pb = use_of(&ReadOf::Pullback(s.out));
                let slots: Vec<Ident> = (0..args.len())
                    .map(|i| format_ident!("__ad_g{}", i, span = Span::mixed_site()))
                    .collect();
                let again: Vec<TokenStream> = args
                    .iter()
                    .map(|a| match &a.operand {
                        Operand::Literal(t) if a.by_ref => quote!(&#t),
                        Operand::Literal(t) => quote!(#t),
                        Operand::Var(v) => self.call_arg_at(*v, use_of(&ReadOf::Arg(*v)), a.by_ref),
                    })
                    .collect();
                steps.push(quote!(let (#(#slots,)*) = #pb(__ad_d, #(#again),*);));
                for (k, v) in &revs {
                    let d = self.derived("d", *v);
                    let g = &slots[*k];
                    steps.push(quote!(#rt::accumulate_slot(&mut #d, #g);));
                }
            }
            Op::Constant(_) => {}
        }

        // Forward: saves before (operands) and after (output) the statement.
        let in_frame = in_loop && (self.frame.is_some() || self.fusing);
        if in_frame && !(pre.is_empty() && post.is_empty()) {
            if let Some(frame) = self.frame.as_mut() {
                frame.needs.push(need_stmt.clone());
            }
        }
        let fwd = {
            let pre = if pre.is_empty() {
                quote!()
            } else if in_frame {
                quote!(#(#pre)*)
            } else {
                quote!(if #need_stmt { #(#pre)* })
            };
            let post = if post.is_empty() {
                quote!()
            } else if in_frame {
                quote!(#(#post)*)
            } else {
                quote!(if #need_stmt { #(#post)* })
            };
            quote!(#pre #statement #post)
        };

        let body = quote!(#(#steps)*);
        let rev = if Some(s.out) == self.seed_direct() {
            quote!({
                let __ad_d = __ad_seed;
                if #need_stmt {
                    #(#pops)*
                    #body
                }
            })
        } else if revs.is_empty() {
            // Nothing flows back through this assignment, but the variable's
            // earlier value starts with no gradient.
            let d_out = self.derived("d", s.out);
            quote!(let _ = #d_out.take();)
        } else {
            let d_out = self.derived("d", s.out);
            let taken = names::generated("taken");
            quote! {
                let #taken = #d_out.take();
                if #need_stmt {
                    #(#pops)*
                    if let ::core::option::Option::Some(__ad_d_owned) = #taken {
                        let __ad_d = &__ad_d_owned;
                        #body
                    }
                }
            }
        };
        (fwd, rev)
    }
}

/// A value the reverse of one statement reads.
#[derive(Clone, PartialEq, Eq)]
enum ReadOf {
    Value(VarId),
    Const(VarId),
    /// An argument of a call, passed again to the callee's pullback.
    Arg(VarId),
    Meta(VarId),
    Output,
    Pullback(VarId),
}

/// `x.index_axis(..)`, `x.slice_axis(..)`, `x.insert_axis(..)`, `x.t()` and
/// chains of them on a variable, with arguments built from literals, paths,
/// calls of paths, ranges and arithmetic: cheap to evaluate again, and free
/// of effects.
fn is_view_chain(e: &syn::Expr) -> bool {
    match e {
        // `&x_t`, a borrow of such a view (or of a variable that is one).
        syn::Expr::Reference(r) => is_view_chain(&r.expr) || matches!(&*r.expr, syn::Expr::Path(_)),
        syn::Expr::MethodCall(m) => {
            matches!(
                m.method.to_string().as_str(),
                "index_axis" | "slice_axis" | "insert_axis" | "t"
            ) && (is_view_chain(&m.receiver) || matches!(&*m.receiver, syn::Expr::Path(_)))
                && m.args.iter().all(is_plain_arg)
        }
        syn::Expr::Paren(p) => is_view_chain(&p.expr),
        _ => false,
    }
}

/// An argument without method calls, blocks, closures or macros.
fn is_plain_arg(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Lit(_) | syn::Expr::Path(_) => true,
        syn::Expr::Call(c) => {
            matches!(&*c.func, syn::Expr::Path(_)) && c.args.iter().all(is_plain_arg)
        }
        syn::Expr::Range(r) => {
            r.start.as_deref().is_none_or(is_plain_arg) && r.end.as_deref().is_none_or(is_plain_arg)
        }
        syn::Expr::Binary(b) => is_plain_arg(&b.left) && is_plain_arg(&b.right),
        syn::Expr::Unary(u) => is_plain_arg(&u.expr),
        syn::Expr::Paren(p) => is_plain_arg(&p.expr),
        syn::Expr::Reference(r) => is_plain_arg(&r.expr),
        _ => false,
    }
}
