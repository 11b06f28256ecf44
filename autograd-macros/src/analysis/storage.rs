//! Where the reverse sweep finds each value its backward functions read.
//!
//! - A parameter is passed to the pullback again; a field of one is taken
//!   again from it.
//! - A value defined in the function's own block (before any `return`) is
//!   kept in place by the pullback, through an owned copy when it may be a
//!   reference.
//! - Inside a reduction loop, values are read in place by the iteration's
//!   backward, which runs at the end of the iteration.
//! - Inside a loop, a view of parameters (`xs.index_axis(Axis(0), t)`) is
//!   taken again, its indices saved; a carried variable's value at the
//!   start of an iteration is the previous iteration's saved output.
//! - Anything else is saved where it is read: into a slot (`Option`)
//!   outside loops, onto a stack (`Vec`) inside them, and in a loop body
//!   without control flow into one tuple per iteration (a frame).

use std::collections::HashMap;

use super::defs::{addr, Def, Defs};
use super::reads::ReadOf;
use super::recompute;
use super::{LetPlan, Place, Plan, Save, SaveKind, SaveWhat};
use crate::core::walk::{self, Cx, Frame, Visitor};
use crate::core::{Block, Inst, Let, Loop, Op, Operand, Repr, Term, ValueId};

/// The frame of a loop body without control flow of its own.
#[derive(Default)]
pub struct FramePlan {
    /// The values saved each iteration, in order.
    pub locals: Vec<usize>,
    /// Carried variables whose value at the start of an iteration is the
    /// previous frame's (or, for the first, the value before the loop).
    pub carried: Vec<CarriedPlan>,
    /// The definitions whose needs decide whether the frame is pushed.
    pub needs: Vec<ValueId>,
    /// The frame local holding each value saved this iteration.
    values: HashMap<ValueId, usize>,
}

pub struct CarriedPlan {
    pub header: ValueId,
    /// The value before the loop.
    pub init: Operand,
    /// The value the iteration passes on.
    pub back: ValueId,
    /// The frame local holding it.
    pub local: Option<usize>,
}

/// Whether a loop body is straight-line (no control flow of its own).
pub fn straight(b: &Block) -> bool {
    b.insts
        .iter()
        .all(|i| matches!(i, Inst::Let(_) | Inst::Bind(_) | Inst::Check(_)))
        && matches!(b.term, Term::Yield(_))
}

/// The values defined in the function's own block before anything that may
/// `return`: the pullback can keep them in place.
pub fn stable(body: &crate::core::Body, defs: &Defs) -> Vec<bool> {
    let first_return = first_return(body)
        .and_then(|i| defs.pos.get(&addr(&body.block.insts[i])).copied())
        .unwrap_or(u32::MAX);
    (0..body.values.len())
        .map(|v| {
            let info = &defs.info[v];
            match info.def {
                Some(Def::Param(_)) => true,
                Some(_) => info.top_level && info.pos < first_return,
                None => false,
            }
        })
        .collect()
}

/// The first instruction of the function's block that may `return`.
pub fn first_return(body: &crate::core::Body) -> Option<usize> {
    body.block.insts.iter().position(contains_return)
}

fn contains_return(inst: &Inst) -> bool {
    struct R(bool);
    impl<'c> Visitor<'c> for R {
        fn term(&mut self, t: &'c Term, _: &Cx<'c>) {
            if let Term::Jump(j) = t {
                self.0 |= j.target == crate::core::Target::Return;
            }
        }
    }
    let mut r = R(false);
    let mut cx = Cx::default();
    for (f, b) in walk::nested(inst) {
        cx.stack.push(f);
        walk::walk_in(b, &mut cx, &mut r);
        cx.stack.pop();
    }
    r.0
}

/// Plans every read of every backward function, in program order (so that
/// slots are numbered, and `__AD_SAVED` lists them, as the forward pass
/// meets them).
pub fn plan(p: &mut Plan) {
    let body = p.body;
    let mut planner = Planner {
        p,
        frames: Vec::new(),
        last_read: None,
    };
    walk::walk(&body.block, &mut planner);
}

pub(super) struct Planner<'p, 'b> {
    pub(super) p: &'p mut Plan<'b>,
    /// The frames being filled, innermost last, by loop id.
    frames: Vec<usize>,
    /// A call argument the statement being planned reads last: saved by
    /// moving it after the call instead of copying it before.
    last_read: Option<ValueId>,
}

/// Where a definition stands, as the planner needs it.
pub(super) struct Here<'b> {
    pub(super) in_loop: bool,
    /// Directly in the body of a straight loop (its id).
    frame: Option<usize>,
    /// Directly in the body of a reduction loop.
    fusing: Option<&'b Loop>,
    /// Anywhere inside a reduction loop.
    reduction: Option<&'b Loop>,
}

impl<'b> Visitor<'b> for Planner<'_, 'b> {
    fn inst(&mut self, inst: &'b Inst, cx: &Cx<'b>) {
        match inst {
            Inst::Let(l) => {
                let here = self.here(cx);
                self.plan_let(l, &here);
            }
            Inst::Loop(l) => {
                let reduction = self.p.reductions.contains_key(&l.id);
                if !reduction && straight(&l.body) {
                    self.p.frames.insert(l.id, FramePlan::default());
                    self.frames.push(l.id);
                    let depth0 = cx.loop_depth() == 0;
                    if depth0 {
                        self.plan_carried(l);
                    }
                }
            }
            _ => {}
        }
    }

    fn after(&mut self, inst: &'b Inst, _: &Cx<'b>) {
        if let Inst::Loop(l) = inst {
            if self.frames.last() == Some(&l.id) {
                self.frames.pop();
                let body = self.p.body;
                if let Some(f) = self.p.frames.get(&l.id) {
                    let lines: Vec<String> = f
                        .carried
                        .iter()
                        .map(|c| format!("value of `{}` before the loop, read as the previous iteration's (once)", self.p.label(c.header)))
                        .collect();
                    let _ = body;
                    if f.carried.iter().any(|c| c.local.is_none()) {
                        self.p
                            .internal
                            .push("a carried value was not saved by its loop's frame".into());
                    }
                    self.p.saved_lines.extend(lines);
                }
            }
            if let Some(r) = self.p.reductions.get(&l.id).cloned() {
                for v in r.receivers {
                    let line = format!(
                        "gradient of `{}` with respect to `{}`, accumulated by the loop (once)",
                        self.p.label(r.acc),
                        self.p.label(v)
                    );
                    self.p.saved_lines.push(line);
                }
            }
        }
    }
}

impl<'b> Planner<'_, 'b> {
    fn here(&self, cx: &Cx<'b>) -> Here<'b> {
        let direct = match cx.stack.last() {
            Some(Frame::Loop(l)) => Some(*l),
            _ => None,
        };
        let reduction = cx.stack.iter().find_map(|f| match f {
            Frame::Loop(l) if self.p.reductions.contains_key(&l.id) => Some(*l),
            _ => None,
        });
        Here {
            in_loop: cx.loop_depth() > 0,
            frame: direct
                .filter(|l| self.p.frames.contains_key(&l.id))
                .map(|l| l.id),
            fusing: direct.filter(|l| self.p.reductions.contains_key(&l.id)),
            reduction,
        }
    }

    /// The carried variables of a straight loop at depth 0 whose value at
    /// the start of an iteration the previous frame holds: a header whose
    /// back-edge value is the output of a rule reading its output (so the
    /// frame saves it).
    fn plan_carried(&mut self, l: &'b Loop) {
        let Term::Yield(back) = &l.body.term else {
            return;
        };
        let mut carried = Vec::new();
        for (i, h) in l.carried.iter().enumerate() {
            let Some(b) = back.get(i).and_then(Operand::value) else {
                continue;
            };
            let Some(def) = self.p.defs.let_of(b) else {
                continue;
            };
            let defined_here = l
                .body
                .insts
                .iter()
                .any(|x| matches!(x, Inst::Let(y) if std::ptr::eq(y, def)));
            if !defined_here
                || !matches!(def.op, Op::Rule { .. })
                || self.p.act.contributions[b] == 0
            {
                continue;
            }
            if !self.p.body.values[*h].active || self.p.act.contributions[*h] == 0 {
                continue;
            }
            if matches!(l.inits[i], Operand::Undef) {
                continue;
            }
            let revs = super::activity::live_operands(self.p.body, &self.p.act.parts, def);
            let reads = super::reads::of(self.p.body, def, &revs);
            if !reads.contains(&ReadOf::Output) {
                continue;
            }
            carried.push((*h, l.inits[i].clone(), b));
        }
        if let Some(f) = self.p.frames.get_mut(&l.id) {
            for (header, init, back) in carried {
                // The frame local is known once `back`'s definition is planned.
                f.carried.push(CarriedPlan {
                    header,
                    init,
                    back,
                    local: None,
                });
            }
        }
    }

    fn plan_let(&mut self, l: &'b Let, here: &Here<'b>) {
        let body = self.p.body;
        if !body.values[l.out].active || self.p.act.contributions[l.out] == 0 {
            return;
        }
        let revs = super::activity::live_operands(body, &self.p.act.parts, l);
        let reads = super::reads::of(body, l, &revs);
        let what = self.p.what(l);
        let mut plan = LetPlan {
            revs: revs.clone(),
            reads: Vec::new(),
            pre: Vec::new(),
            post: Vec::new(),
        };
        let mut saved_here: HashMap<ValueId, usize> = HashMap::new();
        for read in reads {
            let place = self.place(read, l, here, &what, &mut plan, &mut saved_here);
            plan.reads.push((read, place));
        }
        if let Some(f) = here.frame {
            if let Some(frame) = self.p.frames.get_mut(&f) {
                frame.needs.push(l.out);
            }
        }
        self.p.lets.insert(addr(l), plan);
    }

    fn place(
        &mut self,
        read: ReadOf,
        l: &Let,
        here: &Here<'b>,
        what: &str,
        plan: &mut LetPlan,
        saved_here: &mut HashMap<ValueId, usize>,
    ) -> Place {
        match read {
            ReadOf::Value(v) | ReadOf::Const(v) | ReadOf::Arg(v) => {
                self.last_read =
                    (matches!(read, ReadOf::Arg(_)) && self.read_last_by(v, l, here)).then_some(v);
                let kind = match read {
                    ReadOf::Value(_) => "value",
                    ReadOf::Const(_) => "constant",
                    _ => "argument",
                };
                let desc = format!("{kind} `{}` read by {what}", self.p.label(v));
                let place = self.value_place(v, here, desc, plan);
                if let Place::Saved(s) = place {
                    if kind != "constant" {
                        saved_here.insert(v, s);
                    }
                }
                place
            }
            ReadOf::Meta(v) => {
                if self.p.stable[v] {
                    self.p.stable_meta[v] = true;
                    return Place::KeptMeta(v);
                }
                if let Some(s) = saved_here.get(&v) {
                    return Place::MetaOf(Box::new(Place::Saved(*s)));
                }
                if let Some(p) = self.frame_value(v, here) {
                    return Place::MetaOf(Box::new(p));
                }
                if here.reduction.is_some() && self.in_scope_at_end(v, here) {
                    return Place::MetaOf(Box::new(Place::InScope(v)));
                }
                let desc = format!("shape of `{}` read by {what}", self.p.label(v));
                Place::Saved(self.save(SaveWhat::Meta(v), here, desc, false, plan))
            }
            ReadOf::Output => {
                let v = l.out;
                if here.reduction.is_some() && self.in_scope_at_end(v, here) {
                    return Place::InScope(v);
                }
                if self.p.stable[v] {
                    self.p.captured[v] = true;
                    return Place::Captured(v);
                }
                let desc = format!("output `{}` read by {what}", self.p.label(v));
                let s = self.save(SaveWhat::Value(v), here, desc, true, plan);
                self.remember_frame_value(v, s, here);
                Place::Saved(s)
            }
            ReadOf::Pullback(v) => {
                if self.p.stable[v] {
                    self.p.captured_pullback.insert(v);
                    return Place::Captured(v);
                }
                if here.reduction.is_some() && self.in_scope_at_end(v, here) {
                    return Place::InScope(v);
                }
                let desc = format!("pullback of `{}`", self.p.label(v));
                Place::Saved(self.save(SaveWhat::Pullback(v), here, desc, true, plan))
            }
        }
    }

    fn value_place(
        &mut self,
        v: ValueId,
        here: &Here<'b>,
        desc: String,
        plan: &mut LetPlan,
    ) -> Place {
        if self.p.projection(v) {
            return Place::Projection(v);
        }
        if self.p.part_chain(v) {
            if let Some(r) = recompute::plan_part(self, v, here, plan) {
                return r;
            }
        }
        if here.reduction.is_some() && self.in_scope_at_end(v, here) {
            return Place::InScope(v);
        }
        if self.p.defs.is_param(v) {
            return Place::Param(v);
        }
        if self.p.stable[v] {
            if self.p.body.values[v].repr != Repr::Owned {
                self.p.own[v] = true;
                return Place::Own(v);
            }
            self.p.captured[v] = true;
            return Place::Captured(v);
        }
        if let Some(p) = self.frame_value(v, here) {
            return p;
        }
        if (here.in_loop && here.reduction.is_none()) || recompute::is_const_item_value(self, v) {
            if let Some(r) = recompute::plan(self, v, here, plan) {
                return r;
            }
        }
        if self.last_read.take() == Some(v) {
            let s = self.save(SaveWhat::Moved(v), here, desc, true, plan);
            self.remember_frame_value(v, s, here);
            return Place::Saved(s);
        }
        let s = self.save(SaveWhat::Value(v), here, desc, false, plan);
        self.remember_frame_value(v, s, here);
        Place::Saved(s)
    }

    /// Whether `l`, a call inside a loop taking `v` by reference, is the only
    /// statement of the forward pass that reads the owned value `v`: the
    /// reverse's copy of `v` can then be `v` itself, moved after the call
    /// (`h = layer.forward(&h)` in a loop over layers).
    fn read_last_by(&self, v: ValueId, l: &Let, here: &Here<'b>) -> bool {
        let crate::core::Op::Call(c) = &l.op else {
            return false;
        };
        let by_ref_once = c
            .args
            .iter()
            .filter(|a| a.operand.value() == Some(v))
            .map(|a| a.by_ref)
            .collect::<Vec<_>>()
            == [true];
        let pos = self.p.defs.pos.get(&addr(l)).copied();
        let uses = &self.p.defs.uses[v];
        by_ref_once
            && here.in_loop
            && here.fusing.is_none()
            && self.p.body.values[v].repr == Repr::Owned
            && !self.p.defs.is_param(v)
            && !self.p.projection(v)
            && !self.p.part_chain(v)
            && uses.len() == 1
            && Some(uses[0].pos) == pos
    }

    /// A value the current frame holds already (saved earlier this
    /// iteration, or a carried variable's previous value).
    fn frame_value(&self, v: ValueId, here: &Here<'b>) -> Option<Place> {
        let f = here.frame?;
        let frame = self.p.frames.get(&f)?;
        if frame.carried.iter().any(|c| c.header == v) {
            return Some(Place::Carried(f, v));
        }
        frame.values.get(&v).map(|s| Place::Saved(*s))
    }

    fn remember_frame_value(&mut self, v: ValueId, s: usize, here: &Here<'b>) {
        let Some(f) = here.frame else { return };
        if let Some(frame) = self.p.frames.get_mut(&f) {
            frame.values.insert(v, s);
            for c in frame
                .carried
                .iter_mut()
                .filter(|c| c.back == v && c.local.is_none())
            {
                c.local = Some(s);
            }
        }
    }

    /// Whether the iteration's backward, which runs at the end of a
    /// reduction loop's body, sees `v` in scope: defined before the loop, in
    /// the body's own block, or a header parameter of the loop.
    fn in_scope_at_end(&self, v: ValueId, here: &Here<'b>) -> bool {
        let Some(l) = here.reduction else {
            return false;
        };
        let info = &self.p.defs.info[v];
        if l.carried.contains(&v) {
            return true;
        }
        let Some(inst) = self.p.loop_inst(l) else {
            return false;
        };
        if !self.p.defs.inside(v, inst) {
            return true;
        }
        info.block == addr(&l.body)
    }

    pub(super) fn save(
        &mut self,
        what: SaveWhat,
        here: &Here<'b>,
        desc: String,
        post: bool,
        plan: &mut LetPlan,
    ) -> usize {
        let kind = if here.fusing.is_some() {
            SaveKind::Fused
        } else if let Some(f) = here.frame {
            SaveKind::Frame(f)
        } else if here.in_loop {
            SaveKind::Stack
        } else {
            SaveKind::Once
        };
        let id = self.p.saves.len();
        match kind {
            SaveKind::Fused => {}
            SaveKind::Frame(_) | SaveKind::Stack => {
                self.p.saved_lines.push(format!("{desc} (per iteration)"))
            }
            SaveKind::Once => self.p.saved_lines.push(format!("{desc} (once)")),
        }
        if let SaveKind::Frame(f) = kind {
            if let Some(frame) = self.p.frames.get_mut(&f) {
                frame.locals.push(id);
            }
        }
        self.p.saves.push(Save { kind, what });
        if post {
            plan.post.push(id);
        } else {
            plan.pre.push(id);
        }
        id
    }
}

impl<'b> Plan<'b> {
    /// How messages name a value: the user's variable, or the intermediate's unique name.
    pub fn label(&self, v: ValueId) -> String {
        let value = &self.body.values[v];
        if value.user.starts_with("tmp_") || value.user == "lit" {
            value.name.clone()
        } else {
            value.user.clone()
        }
    }

    /// What `__AD_SAVED` says reads a value.
    pub fn what(&self, l: &Let) -> String {
        match &l.op {
            Op::Rule { rule, .. } => format!("`{}`", rule.name),
            Op::Call(c) => {
                let path = &c.path;
                format!(
                    "the call to `{}`",
                    quote::quote!(#path).to_string().replace(' ', "")
                )
            }
            Op::Field(_, member) => format!("the field `{}`", quote::quote!(#member)),
            Op::Part(..) => "a part of a container".to_string(),
            _ => "a copy".to_string(),
        }
    }

    /// A field of a parameter struct (`&m.w1`), or a field of one: taken
    /// again from the parameter.
    pub fn projection(&self, v: ValueId) -> bool {
        match self.defs.let_of(v) {
            Some(Let {
                op: Op::Field(base, _),
                ..
            }) => !self.part_chain(*base),
            _ => false,
        }
    }

    /// A part of a container of parameters (`&m.layers[i]`), or a field of
    /// one: taken again from the parameter at the saved index (see
    /// `recompute`).
    pub fn part_chain(&self, v: ValueId) -> bool {
        match self.defs.let_of(v) {
            Some(Let {
                op: Op::Part(..), ..
            }) => true,
            Some(Let {
                op: Op::Field(base, _),
                ..
            }) => self.part_chain(*base),
            _ => false,
        }
    }

    pub fn loop_inst(&self, l: &Loop) -> Option<&'b Inst> {
        self.loop_insts.get(&l.id).copied()
    }
}

/// The loops of a body, by id.
pub fn loop_insts(body: &crate::core::Body) -> HashMap<usize, &Inst> {
    struct L<'c>(HashMap<usize, &'c Inst>);
    impl<'c> Visitor<'c> for L<'c> {
        fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
            if let Inst::Loop(l) = inst {
                self.0.insert(l.id, inst);
            }
        }
    }
    let mut l = L(HashMap::new());
    walk::walk(&body.block, &mut l);
    l.0
}

/// The labelled blocks of a body, by id.
pub fn labelled_blocks(body: &crate::core::Body) -> HashMap<usize, &crate::core::Labelled> {
    struct L<'c>(HashMap<usize, &'c crate::core::Labelled>);
    impl<'c> Visitor<'c> for L<'c> {
        fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
            if let Inst::Labelled(b) = inst {
                self.0.insert(b.id, b);
            }
        }
    }
    let mut l = L(HashMap::new());
    walk::walk(&body.block, &mut l);
    l.0
}
