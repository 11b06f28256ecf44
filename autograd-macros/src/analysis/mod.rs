//! The analyses of the core form, run once before emission into a
//! read-only [`Plan`]:
//!
//! - `defs`: where each value is defined and used, in program order;
//! - `activity`: which parameters each value depends on, and which values
//!   a gradient reaches from the output;
//! - `reduction`: loops whose backward runs inside their forward;
//! - `literal`: constants whose type is a float literal's, stated by emission;
//! - `storage` (with `reads` and `recompute`): what each backward function
//!   reads and where the reverse sweep finds it;
//! - `consume`: values an operation may take by value;
//! - `moves`: where a value moved into a join must be copied;
//! - `scalar`: whether a long straight-line float body is emitted in
//!   chunks of functions of their own, and their layout (for such a body
//!   the analyses above do not run: emission needs only the layout).
//!
//! Emission reads the plan and never changes it.

pub mod activity;
pub mod consume;
pub mod defs;
pub mod literal;
pub mod moves;
pub mod reads;
pub mod recompute;
pub mod reduction;
pub mod scalar;
pub mod storage;

use std::collections::{HashMap, HashSet};

use crate::core::{Body, Inst, Let, Operand, ValueId};
use crate::signature::Signature;
use crate::table::OpEntry;
use activity::Deps;
use reads::ReadOf;

/// How the reverse sweep reaches a value a backward function reads.
#[derive(Clone, Debug)]
pub enum Place {
    /// The parameter, passed to the pullback again.
    Param(ValueId),
    /// A field of a parameter, taken again from it.
    Projection(ValueId),
    /// Kept in place by the pullback.
    Captured(ValueId),
    /// An owned copy made right after the definition (`__ad_own_<name>`).
    Own(ValueId),
    /// The shape of a value kept in place, taken right after its definition.
    KeptMeta(ValueId),
    /// In scope where the backward runs (a reduction loop's iteration).
    InScope(ValueId),
    /// The shape of the value at another place.
    MetaOf(Box<Place>),
    /// Saved in the forward pass.
    Saved(usize),
    /// Taken again from its definition (see `recompute`).
    Recompute(usize),
    /// A carried variable's value at the start of an iteration: the
    /// previous frame's (loop id, header).
    Carried(usize, ValueId),
}

impl Place {
    /// The value kept, when the place keeps one in place.
    pub fn value(&self) -> Option<ValueId> {
        match self {
            Place::Captured(v) | Place::Own(v) | Place::InScope(v) => Some(*v),
            _ => None,
        }
    }
}

/// How a saved value is kept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SaveKind {
    /// Outside loops: an `Option` slot, read once.
    Once,
    /// Inside loops: a stack, pushed per iteration.
    Stack,
    /// In the frame of a straight loop body (the loop's id).
    Frame(usize),
    /// In a reduction loop's body: a local the iteration's backward reads.
    Fused,
}

/// What is saved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SaveWhat {
    /// A copy of the value.
    Value(ValueId),
    /// The value itself, moved after the statement that reads it last.
    Moved(ValueId),
    /// Its shape.
    Meta(ValueId),
    /// The pullback of a call.
    Pullback(ValueId),
}

pub struct Save {
    pub kind: SaveKind,
    pub what: SaveWhat,
}

/// A view taken again in the reverse sweep.
pub struct Recompute {
    pub kind: RecomputeKind,
    /// The constants it reads, each rebound to where the reverse finds it.
    pub binds: Vec<(ValueId, Place)>,
}

pub enum RecomputeKind {
    /// A constant expression (a view of a parameter that is not differentiated).
    Const(proc_macro2::TokenStream),
    /// A view rule of parameters.
    Rule(&'static OpEntry, Vec<Operand>, Vec<Operand>),
    /// A part of a container of parameters (see `Op::Part`), as a place
    /// expression.
    Part(ValueId),
}

/// The reverse of one definition.
#[derive(Default)]
pub struct LetPlan {
    /// The operands whose gradients it computes: (position, value).
    pub revs: Vec<(usize, ValueId)>,
    /// What its backward functions read, and where each is found.
    pub reads: Vec<(ReadOf, Place)>,
    /// Saves made before and after the statement.
    pub pre: Vec<usize>,
    pub post: Vec<usize>,
}

pub struct Plan<'b> {
    pub body: &'b Body,
    pub sig: &'b Signature,
    pub defs: defs::Defs<'b>,
    pub act: activity::Activity,
    pub reductions: HashMap<usize, reduction::Reduction>,
    /// Constants with a float literal's type (see `literal`).
    pub literal: Vec<bool>,
    pub loop_insts: HashMap<usize, &'b Inst>,
    /// The labelled blocks, by region id.
    pub labelled: HashMap<usize, &'b crate::core::Labelled>,
    /// Values the pullback can keep in place (see `storage::stable`).
    pub stable: Vec<bool>,
    /// Stable values whose shape a backward function reads.
    pub stable_meta: Vec<bool>,
    /// Stable values the pullback keeps.
    pub captured: Vec<bool>,
    /// Calls whose pullbacks the pullback keeps.
    pub captured_pullback: HashSet<ValueId>,
    /// Stable values the pullback keeps through an owned copy.
    pub own: Vec<bool>,
    /// Stable values whose gradient slot takes its type from a witness
    /// made right after the value (rustc then infers no type for it).
    pub witnessed: Vec<bool>,
    /// Values kept by the pullback (captured or copied): moved only as copies.
    pub keep: Vec<bool>,
    pub consumable: Vec<bool>,
    /// Moves that must move a copy (see `moves`).
    pub clones: HashSet<moves::Site>,
    /// The last program position each value is read at.
    pub last_use: Vec<u32>,
    /// The reverse of each definition, by the address of its `Let`.
    pub lets: HashMap<usize, LetPlan>,
    pub saves: Vec<Save>,
    pub recomputes: Vec<Recompute>,
    pub frames: HashMap<usize, storage::FramePlan>,
    /// Kept values whose one backward function takes them by value.
    pub taken: HashSet<ValueId>,
    /// The output, when its gradient is the seed itself.
    pub seed_direct: Option<ValueId>,
    /// One line per value the forward pass saves, for `__AD_SAVED`.
    pub saved_lines: Vec<String>,
    /// The distinct sets of parameters values depend on; a value's need
    /// flag is its set's.
    pub need_sets: Vec<Deps>,
    pub need_of: Vec<Option<usize>>,
    /// The name of each set's flag (after `__ad_`).
    pub need_names: Vec<String>,
    /// Facts the analyses could not establish (bugs of the macro, reported
    /// as errors rather than emitted wrong).
    pub internal: Vec<String>,
    /// A long straight-line float body: emitted in chunks, and none of
    /// the analyses above run (see `scalar`).
    pub scalar: Option<scalar::Layout>,
}

pub fn analyse<'b>(sig: &'b Signature, body: &'b Body) -> Plan<'b> {
    let n = body.values.len();
    let defs = defs::find(body);
    let phis = activity::phis(body);
    let act = activity::find(body, &defs, &phis);
    let reductions = reduction::find(sig, body, &defs, &act, &phis);
    let literal = literal::find(body, &defs, &phis);
    let stable = storage::stable(body, &defs);
    let mut p = Plan {
        body,
        sig,
        loop_insts: storage::loop_insts(body),
        labelled: storage::labelled_blocks(body),
        defs,
        act,
        reductions,
        literal,
        stable,
        stable_meta: vec![false; n],
        captured: vec![false; n],
        captured_pullback: HashSet::new(),
        own: vec![false; n],
        witnessed: vec![false; n],
        keep: vec![false; n],
        consumable: vec![false; n],
        clones: HashSet::new(),
        last_use: vec![0; n],
        lets: HashMap::new(),
        saves: Vec::new(),
        recomputes: Vec::new(),
        frames: HashMap::new(),
        taken: HashSet::new(),
        seed_direct: None,
        saved_lines: Vec::new(),
        need_sets: Vec::new(),
        need_of: vec![None; n],
        need_names: Vec::new(),
        internal: Vec::new(),
        // A method's rule sits in an `impl` block, where the chunked
        // layout's helper functions could not follow it.
        scalar: if sig.method.is_some() {
            None
        } else {
            scalar::layout(sig, body)
        },
    };
    if p.scalar.is_some() {
        return p;
    }
    p.need_flags();
    p.seed_direct = p.find_seed_direct();
    storage::plan(&mut p);
    consume::find(&mut p);
    moves::find(&mut p);
    p.find_taken();
    p.find_witnessed();
    p.kept_lines();
    p
}

impl Plan<'_> {
    /// Whether a value receives a gradient.
    pub fn receives(&self, v: ValueId) -> bool {
        self.body.values[v].active && self.act.contributions[v] > 0
    }

    fn need_flags(&mut self) {
        let mut index: HashMap<Deps, usize> = HashMap::new();
        for v in 0..self.body.values.len() {
            if !self.body.values[v].active {
                continue;
            }
            let d = self.act.deps[v].clone();
            let next = index.len();
            let i = *index.entry(d.clone()).or_insert(next);
            if i == self.need_sets.len() {
                self.need_sets.push(d);
            }
            self.need_of[v] = Some(i);
        }
        let mut taken = HashSet::new();
        for (i, set) in self.need_sets.iter().enumerate() {
            let params: Vec<usize> = set.iter().collect();
            let joined: Vec<String> = params
                .iter()
                .map(|p| self.body.values[self.body.params[*p]].name.clone())
                .collect();
            let mut name = format!("need_{}", joined.join("_"));
            if params.len() > 3 || !taken.insert(name.clone()) {
                name = format!("need_set{i}");
                taken.insert(name.clone());
            }
            self.need_names.push(name);
        }
    }

    /// The output's gradient is the seed itself when nothing else adds to it
    /// and a definition (not a join) makes it.
    fn find_seed_direct(&self) -> Option<ValueId> {
        if self.body.returns {
            return None;
        }
        let v = self.body.output()?.value()?;
        (self.receives(v)
            && self.act.contributions[v] == 1
            && !self.defs.is_param(v)
            && self.defs.let_of(v).is_some())
        .then_some(v)
    }

    /// A kept value read by one backward function, once, that takes it by
    /// value: its buffer becomes the gradient.
    fn find_taken(&mut self) {
        let mut count: HashMap<ValueId, (usize, Option<&Let>)> = HashMap::new();
        for (a, plan) in &self.lets {
            for (r, place) in &plan.reads {
                if let Some(v) = r.value(usize::MAX) {
                    let l = self
                        .defs
                        .inst_at
                        .get(&self.defs.pos.get(a).copied().unwrap_or(0));
                    let e = count.entry(v).or_insert((0, None));
                    e.0 += 1;
                    if let Some(Inst::Let(l)) = l {
                        e.1 = Some(l);
                    }
                    let _ = place;
                }
            }
        }
        for (v, (n, l)) in count {
            let Some(l) = l else { continue };
            let crate::core::Op::Rule { rule, operands, .. } = &l.op else {
                continue;
            };
            let first = operands.first().and_then(Operand::value) == Some(v);
            if n == 1
                && rule.caps.takes_operand
                && first
                && self.defs.info[l.out].depth == 0
                && self.captured[v]
                && !self.own[v]
                && !self.defs.is_param(v)
                && !self.projection(v)
                && !self.clones_of(v)
            {
                self.taken.insert(v);
            }
        }
    }

    fn clones_of(&self, v: ValueId) -> bool {
        let _ = v;
        false
    }

    fn find_witnessed(&mut self) {
        let mut local = HashSet::new();
        for r in self.reductions.values() {
            local.insert(r.back);
            local.insert(r.acc);
        }
        for v in 0..self.body.values.len() {
            // A kept shape gives the type as well.
            self.witnessed[v] = self.receives(v)
                && !self.stable_meta[v]
                && self.stable[v]
                && !self.defs.is_param(v)
                && Some(v) != self.seed_direct
                && !local.contains(&v)
                && self.defs.info[v].lp.is_none();
        }
    }

    /// The values the pullback keeps in place, listed last in `__AD_SAVED`.
    fn kept_lines(&mut self) {
        for v in 0..self.body.values.len() {
            if self.defs.is_param(v) || self.projection(v) {
                continue;
            }
            if self.captured[v] {
                self.saved_lines
                    .push(format!("value `{}` (kept in place)", self.label(v)));
            } else if self.own[v] {
                self.saved_lines
                    .push(format!("copy of `{}` (kept in place)", self.label(v)));
            }
        }
    }
}
