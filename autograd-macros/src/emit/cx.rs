//! What every piece of emission shares: the plan, the declarations that go
//! before the forward sweep, and how values, adjoints and places are written.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::analysis::{Place, Plan, SaveKind, SaveWhat};
use crate::core::{Inst, Operand, Repr, ValueId};
use crate::names::{self, FixPaths};

/// A variable the forward sweep defines.
pub struct Decl {
    pub id: Ident,
    pub mutable: bool,
    /// The value it holds (its uses decide how long it is needed); `None`
    /// for what the macro derives (a shape, a copy, a pullback, a saved
    /// local), kept to the end.
    pub value: Option<ValueId>,
}

/// A region whose early exits guard the reverse of the statements after
/// them: the function, an iteration of a loop, or a labelled block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ExitVar {
    Function,
    Region(usize),
}

pub struct Emitter<'p, 'b> {
    pub p: &'p Plan<'b>,
    pub rt: TokenStream,
    /// Slot, stack and record declarations, emitted before the forward
    /// sweep: each variable and its initial value.
    pub decls: Vec<(Ident, TokenStream)>,
    /// The variables each instruction being emitted defines: a long block
    /// is cut into chunks that pass on the ones still needed (see `block`).
    pub locals: Vec<Vec<Decl>>,
    /// The regions around the block being emitted, innermost last.
    pub exits: Vec<ExitVar>,
    /// For each loop around, the stacks its body pushes onto (reserved
    /// with a `for` loop's trip count).
    pub loop_stacks: Vec<Vec<Ident>>,
    /// Inside a reduction loop: nothing is reserved for the whole loop.
    pub in_reduction: bool,
    /// The loops being emitted that can say whether an iteration is their
    /// first (`__ad_first<id>`), and those whose body asked.
    pub first_flags: (
        std::collections::HashSet<crate::core::RegionId>,
        std::cell::RefCell<std::collections::BTreeSet<crate::core::RegionId>>,
    ),
}

impl<'p, 'b> Emitter<'p, 'b> {
    pub fn new(p: &'p Plan<'b>) -> Self {
        Emitter {
            p,
            rt: names::runtime(),
            decls: Vec::new(),
            locals: Vec::new(),
            exits: vec![ExitVar::Function],
            loop_stacks: Vec::new(),
            in_reduction: false,
            first_flags: Default::default(),
        }
    }

    pub fn ident(&self, v: ValueId) -> &Ident {
        &self.p.body.values[v].ident
    }

    pub fn name(&self, v: ValueId) -> &str {
        &self.p.body.values[v].name
    }

    fn derived(&self, prefix: &str, v: ValueId) -> Ident {
        names::generated(&format!("{prefix}_{}", self.name(v)))
    }

    /// The adjoint of a value: `__ad_d_<name>`.
    pub fn d(&self, v: ValueId) -> Ident {
        self.derived("d", v)
    }

    pub fn meta_ident(&self, v: ValueId) -> Ident {
        self.derived("m", v)
    }

    pub fn own_ident(&self, v: ValueId) -> Ident {
        self.derived("own", v)
    }

    pub fn witness_ident(&self, v: ValueId) -> Ident {
        self.derived("w", v)
    }

    pub fn pb(&self, v: ValueId) -> Ident {
        self.derived("pb", v)
    }

    /// The flag telling whether a set of parameters' gradients is needed:
    /// `__ad_need_x` for one parameter, `__ad_need_x_w` for a few (or
    /// `__ad_need_set3`, should that name be another set's).
    /// The span of the first operation that reads `v`.
    pub fn first_reader(&self, v: ValueId) -> Option<Span> {
        let mut lets: Vec<(u32, Span)> = self.p.defs.uses[v]
            .iter()
            .filter_map(|u| match self.p.defs.inst_at.get(&u.pos) {
                Some(Inst::Let(l)) => Some((u.pos, l.span)),
                _ => None,
            })
            .collect();
        lets.sort_by_key(|(pos, _)| *pos);
        lets.first().map(|(_, s)| *s)
    }

    pub fn need_set(&self, set: usize) -> Ident {
        names::generated(&self.p.need_names[set])
    }

    /// Whether the gradient of `v` is needed (`false` for constants).
    pub fn need(&self, v: ValueId) -> TokenStream {
        match self.p.need_of[v] {
            Some(s) => {
                let id = self.need_set(s);
                quote!(#id)
            }
            None => quote!(false),
        }
    }

    /// Whether any of these values' gradients is needed.
    pub fn need_any(&self, vs: impl IntoIterator<Item = ValueId>) -> TokenStream {
        let mut sets: Vec<usize> = vs.into_iter().filter_map(|v| self.p.need_of[v]).collect();
        sets.sort_unstable();
        sets.dedup();
        if sets.is_empty() {
            return quote!(false);
        }
        let ids = sets.into_iter().map(|s| self.need_set(s));
        quote!(#(#ids)||*)
    }

    pub fn repr(&self, v: ValueId) -> Repr {
        self.p.body.values[v].repr
    }

    /// A parameter taken by reference, or a field of one: the pullback
    /// receives the reference again.
    pub fn passed_ref(&self, v: ValueId) -> bool {
        (self.p.defs.is_param(v) && self.repr(v) == Repr::Ref) || self.p.projection(v)
    }

    /// A variable as a `&T` operand (through `val` when its type is unknown).
    pub fn by_ref_var(&self, v: ValueId, tokens: TokenStream) -> TokenStream {
        let r = if self.repr(v) == Repr::Ref {
            tokens
        } else {
            quote!(&#tokens)
        };
        if self.repr(v) == Repr::Unknown {
            let rt = &self.rt;
            quote!(#rt::val(#r))
        } else {
            r
        }
    }

    /// An operand of the forward sweep as `&T`.
    pub fn by_ref(&self, o: &Operand) -> TokenStream {
        match o {
            Operand::Value(v) => {
                let id = self.ident(*v);
                self.by_ref_var(*v, quote!(#id))
            }
            Operand::Lit(t) => quote!(&#t),
            Operand::Undef => quote!(&()),
        }
    }

    /// A constant argument as `&T` (no `val`: axes, indices and shapes are
    /// passed as written).
    pub fn const_ref(&self, o: &Operand) -> TokenStream {
        match o {
            Operand::Value(v) => {
                let id = self.ident(*v);
                if self.repr(*v) == Repr::Ref {
                    quote!(#id)
                } else {
                    quote!(&#id)
                }
            }
            Operand::Lit(t) => quote!(&#t),
            Operand::Undef => quote!(&()),
        }
    }

    /// An owned copy of a value (what saving it keeps).
    pub fn copy_of(&self, v: ValueId) -> TokenStream {
        let id = self.ident(v);
        match self.repr(v) {
            // `to_owned` sees through one reference: `&f64` → `f64`, `&[usize]` → `Vec<usize>`.
            Repr::Unknown => quote!({ use ::autograd::__private::ToOwned as _; #id.to_owned() }),
            Repr::Ref => quote!(::core::clone::Clone::clone(#id)),
            Repr::Owned => quote!(::core::clone::Clone::clone(&#id)),
        }
    }

    /// An operand moved into a variable of its own (a copy when the plan says so).
    pub fn moved(&self, o: &Operand, site: (usize, usize)) -> TokenStream {
        match o {
            Operand::Value(v) if self.p.clones.contains(&site) => {
                let id = self.ident(*v);
                match self.repr(*v) {
                    Repr::Unknown => quote!(::core::clone::Clone::clone(&#id)),
                    _ => self.copy_of(*v),
                }
            }
            Operand::Value(v) => {
                let id = self.ident(*v);
                quote!(#id)
            }
            Operand::Lit(t) => t.clone(),
            Operand::Undef => quote!(()),
        }
    }

    pub fn save_slot(&self, s: usize) -> Ident {
        names::generated(&format!("saved{s}"))
    }

    pub fn save_local(&self, s: usize) -> Ident {
        names::generated(&format!("saved{s}_value"))
    }

    /// The expression a save keeps.
    pub fn save_value(&self, s: usize) -> TokenStream {
        let rt = &self.rt;
        match self.p.saves[s].what {
            SaveWhat::Value(v) => self.copy_of(v),
            SaveWhat::Moved(v) => {
                let id = self.ident(v);
                quote!(#id)
            }
            SaveWhat::Meta(v) => {
                let id = self.ident(v);
                let r = self.by_ref_var(v, quote!(#id));
                quote!(#rt::meta(#r))
            }
            SaveWhat::Pullback(v) => {
                let pb = self.pb(v);
                quote!(#pb)
            }
        }
    }

    /// The forward statement of a save, and the reverse statement binding
    /// its local.
    pub fn save_tokens(&self, s: usize) -> (TokenStream, TokenStream) {
        let value = self.save_value(s);
        let local = self.save_local(s);
        let slot = self.save_slot(s);
        match self.p.saves[s].kind {
            SaveKind::Fused | SaveKind::Frame(_) => (quote!(let #local = #value;), quote!()),
            SaveKind::Stack => (
                quote!(#slot.push(#value);),
                quote!(let #local = #slot.pop().expect("autograd: the backward pass pops what the forward pass saved");),
            ),
            SaveKind::Once => (
                quote!(#slot = ::core::option::Option::Some(#value);),
                quote!(let #local = #slot.take().expect("autograd: the backward pass reads what the forward pass saved");),
            ),
        }
    }

    /// Declares the slot or stack of a save (frames and fused saves have a
    /// local of their block).
    pub fn declare_save(&mut self, s: usize) {
        let slot = self.save_slot(s);
        match self.p.saves[s].kind {
            SaveKind::Frame(_) | SaveKind::Fused => {
                let local = self.save_local(s);
                self.declare(&local, false);
            }
            _ => {}
        }
        match self.p.saves[s].kind {
            SaveKind::Stack => self.stack(&slot),
            SaveKind::Once => self
                .decls
                .push((slot, quote!(::core::option::Option::None))),
            SaveKind::Fused | SaveKind::Frame(_) => {}
        }
    }

    /// Declares a stack for values pushed inside a loop, reserved with the
    /// enclosing `for` loop's trip count.
    pub fn stack(&mut self, id: &Ident) {
        self.decls
            .push((id.clone(), quote!(::autograd::__private::Vec::new())));
        if !self.in_reduction {
            if let Some(stacks) = self.loop_stacks.last_mut() {
                stacks.push(id.clone());
            }
        }
    }

    /// A variable the instruction being emitted defines, derived by the
    /// macro (see `locals`).
    pub fn declare(&mut self, id: &Ident, mutable: bool) {
        if let Some(top) = self.locals.last_mut() {
            top.push(Decl {
                id: id.clone(),
                mutable,
                value: None,
            });
        }
    }

    /// Drops a declaration of the instruction being emitted (a pullback
    /// moved into the slot that saves it), so no block passes it on.
    pub fn forget(&mut self, id: &Ident) {
        if let Some(top) = self.locals.last_mut() {
            top.retain(|d| d.id != *id);
        }
    }

    /// The variable of a value the instruction being emitted defines.
    pub fn declare_value(&mut self, v: ValueId, mutable: bool) {
        let id = self.ident(v).clone();
        if let Some(top) = self.locals.last_mut() {
            top.push(Decl {
                id,
                mutable,
                value: Some(v),
            });
        }
    }

    /// `let (mut a, mut b, ..) = (init_a, init_b, ..);`, in groups of 64.
    pub fn initialised(list: &[(Ident, TokenStream)]) -> TokenStream {
        let mut out = TokenStream::new();
        for chunk in list.chunks(64) {
            let ids = chunk.iter().map(|(id, _)| id);
            let inits = chunk.iter().map(|(_, i)| i);
            out.extend(quote!(let (#(mut #ids,)*) = (#(#inits,)*);));
        }
        out
    }

    /// A place as the value itself (a place expression).
    pub fn place(&self, place: &Place) -> TokenStream {
        match place {
            Place::Param(v) | Place::Captured(v) | Place::InScope(v) => {
                let id = self.ident(*v);
                quote!(#id)
            }
            Place::Projection(v) => self.projection(*v),
            Place::Own(v) => {
                let id = self.own_ident(*v);
                quote!(#id)
            }
            Place::KeptMeta(v) => {
                let id = self.meta_ident(*v);
                quote!(#id)
            }
            Place::MetaOf(inner) => {
                let rt = &self.rt;
                let v = self.place_value(inner);
                let r = self.operand_at(inner, v);
                quote!(#rt::meta(#r))
            }
            Place::Saved(s) => {
                let l = self.save_local(*s);
                quote!(#l)
            }
            Place::Recompute(r) => self.recompute(*r),
            Place::Carried(l, h) => {
                let prev = names::generated(&format!("prev{l}_{}", self.name(*h)));
                quote!((*#prev))
            }
        }
    }

    /// The value a place holds (for its type), if it holds one.
    pub fn place_value(&self, place: &Place) -> Option<ValueId> {
        match place {
            Place::Param(v)
            | Place::Captured(v)
            | Place::InScope(v)
            | Place::Projection(v)
            | Place::Own(v)
            | Place::Carried(_, v) => Some(*v),
            Place::Saved(s) => match self.p.saves[*s].what {
                SaveWhat::Value(v) | SaveWhat::Moved(v) => Some(v),
                _ => None,
            },
            _ => None,
        }
    }

    /// A place as a `&T` operand of a backward function: the variable
    /// itself as the forward sweep passes it, or a copy by reference.
    pub fn operand_at(&self, place: &Place, v: Option<ValueId>) -> TokenStream {
        let t = self.place(place);
        let Some(v) = v else { return quote!(&#t) };
        if is_variable(place) {
            return self.by_ref_var(v, t);
        }
        if self.repr(v) == Repr::Unknown {
            let rt = &self.rt;
            quote!(#rt::val(&#t))
        } else {
            quote!(&#t)
        }
    }

    /// A place as a constant argument `&T`.
    pub fn const_at(&self, place: &Place, v: ValueId) -> TokenStream {
        let t = self.place(place);
        if is_variable(place) && self.repr(v) == Repr::Ref {
            t
        } else {
            quote!(&#t)
        }
    }

    /// `(&m.w1)`: a field of a parameter, from the parameter passed again.
    pub fn projection(&self, v: ValueId) -> TokenStream {
        match self.p.defs.let_of(v).map(|l| &l.op) {
            Some(crate::core::Op::Field(base, member)) => {
                let b = self.projection(*base);
                quote!((&#b.#member))
            }
            _ => {
                let id = self.ident(v);
                quote!(#id)
            }
        }
    }

    /// A part of a container of parameters taken again, as a place
    /// expression: `(*ProjectIndex::project((&m.layers), &<saved i>))`.
    fn part_place(&self, v: ValueId, binds: &[(ValueId, Place)]) -> TokenStream {
        let rt = &self.rt;
        let base_ref = |b: ValueId| {
            if self.p.part_chain(b) {
                let inner = self.part_place(b, binds);
                quote!(&#inner)
            } else {
                self.projection(b)
            }
        };
        match self.p.defs.let_of(v).map(|l| &l.op) {
            Some(crate::core::Op::Part(b, part)) => {
                let b = base_ref(*b);
                match part {
                    crate::core::Part::Index(Operand::Value(u)) => {
                        let i = match binds.iter().find(|(x, _)| x == u) {
                            Some((_, place)) => self.place(place),
                            None => {
                                let id = self.ident(*u);
                                quote!(#id)
                            }
                        };
                        quote!((*#rt::ProjectIndex::project(#b, &#i)))
                    }
                    crate::core::Part::Index(i) => {
                        let i = self.const_ref(i);
                        quote!((*#rt::ProjectIndex::project(#b, #i)))
                    }
                    crate::core::Part::Some => quote!((*#rt::ProjectSome::project_some(#b))),
                }
            }
            Some(crate::core::Op::Field(b, member)) => {
                let b = self.part_place(*b, binds);
                quote!((#b.#member))
            }
            _ => {
                let id = self.ident(v);
                quote!(#id)
            }
        }
    }

    /// A view taken again: `({ let i = <saved i>; xs.index_axis(Axis(0), i) })`.
    fn recompute(&self, r: usize) -> TokenStream {
        let rc = &self.p.recomputes[r];
        let rt = &self.rt;
        let binds: Vec<TokenStream> = rc
            .binds
            .iter()
            .map(|(u, place)| {
                let id = self.ident(*u);
                let value = self.place(place);
                quote!(let #id = #value;)
            })
            .collect();
        match &rc.kind {
            crate::analysis::RecomputeKind::Part(v) => self.part_place(*v, &rc.binds),
            crate::analysis::RecomputeKind::Const(tokens) => quote!(({ #(#binds)* #tokens })),
            crate::analysis::RecomputeKind::Rule(rule, operands, consts) => {
                let tr = Ident::new(rule.rule, proc_macro2::Span::mixed_site());
                let parts: Vec<TokenStream> = operands
                    .iter()
                    .filter_map(Operand::value)
                    .map(|p| self.operand_at(&Place::Param(p), Some(p)))
                    .collect();
                let args: Vec<TokenStream> = consts
                    .iter()
                    .map(|c| match c {
                        Operand::Value(u) if !self.p.defs.is_param(*u) => {
                            let id = self.ident(*u);
                            quote!(&#id)
                        }
                        Operand::Value(u) => self.const_at(&Place::Param(*u), *u),
                        other => self.const_ref(other),
                    })
                    .collect();
                quote!(({ #(#binds)* #rt::rules::#tr::fwd(#(#parts,)* #(#args),*) }))
            }
        }
    }

    /// A record of control flow (branch taken, arm, trip count, exit code):
    /// a local outside loops, a stack inside. Returns how to write and read it.
    pub fn record(&mut self, name: &str, in_loop: bool, init: TokenStream) -> (Ident, TokenStream) {
        let id = names::generated(name);
        if in_loop {
            self.stack(&id);
            (
                id.clone(),
                quote!(#id.pop().expect("autograd: the backward pass retraces the recorded control flow")),
            )
        } else {
            self.decls.push((id.clone(), init));
            (id.clone(), quote!(#id))
        }
    }

    pub fn push_record(slot: &Ident, in_loop: bool, value: TokenStream) -> TokenStream {
        if in_loop {
            quote!(#slot.push(#value);)
        } else {
            quote!(#slot = #value;)
        }
    }

    /// A type written by the user, with relative paths fixed for the module.
    pub fn user_type(t: &syn::Type) -> TokenStream {
        let mut t = t.clone();
        FixPaths.visit_type_mut(&mut t);
        quote!(#t)
    }

    pub fn label(kind: &str, id: usize) -> syn::Lifetime {
        names::label(&format!("{kind}{id}"))
    }

    pub fn region_ident(prefix: &str, id: usize) -> Ident {
        format_ident!(
            "__ad_{}{}",
            prefix,
            id,
            span = proc_macro2::Span::mixed_site()
        )
    }
}

/// Whether a place is the variable itself (not a copy of its value).
fn is_variable(place: &Place) -> bool {
    matches!(
        place,
        Place::Param(_) | Place::Projection(_) | Place::Captured(_) | Place::InScope(_)
    )
}
