//! Activity: which differentiated parameters each value depends on (forward,
//! a fixpoint over loop headers), and which values a gradient reaches from
//! the output (backward): a value gets an adjoint only if both hold.

use std::collections::HashMap;

use crate::core::walk::{self, Cx, Visitor};
use crate::core::{Body, Inst, Op, Operand, Target, Term, ValueId};

/// Per region: the args and value of each jump to it, and whether it breaks.
type JumpsTo = HashMap<usize, Vec<(bool, Vec<Operand>, Option<Operand>)>>;

/// The operands each join value (an out or a header parameter) joins.
pub fn phis(body: &Body) -> HashMap<ValueId, Vec<Operand>> {
    struct Jumps {
        by_region: JumpsTo,
    }
    impl<'c> Visitor<'c> for Jumps {
        fn term(&mut self, term: &'c Term, _: &Cx<'c>) {
            if let Term::Jump(j) = term {
                let (r, brk) = match j.target {
                    Target::Break(r) => (r, true),
                    Target::Continue(r) => (r, false),
                    Target::Return => return,
                };
                self.by_region
                    .entry(r)
                    .or_default()
                    .push((brk, j.args.clone(), j.value.clone()));
            }
        }
    }
    let mut jumps = Jumps {
        by_region: HashMap::new(),
    };
    walk::walk(&body.block, &mut jumps);
    let mut out: HashMap<ValueId, Vec<Operand>> = HashMap::new();
    struct Joins<'j> {
        jumps: &'j JumpsTo,
        out: &'j mut HashMap<ValueId, Vec<Operand>>,
    }
    fn yields(b: &crate::core::Block) -> Option<&Vec<Operand>> {
        match &b.term {
            Term::Yield(y) => Some(y),
            _ => None,
        }
    }
    impl<'c> Visitor<'c> for Joins<'_> {
        fn inst(&mut self, inst: &'c Inst, _: &Cx<'c>) {
            let mut add = |v: ValueId, o: &Operand| self.out.entry(v).or_default().push(o.clone());
            match inst {
                Inst::If(i) => {
                    for b in [&i.then, &i.els] {
                        if let Some(y) = yields(b) {
                            for (v, o) in i.outs.iter().zip(y) {
                                add(*v, o);
                            }
                        }
                    }
                }
                Inst::Match(m) => {
                    for a in &m.arms {
                        if let Some(y) = yields(&a.body) {
                            for (v, o) in m.outs.iter().zip(y) {
                                add(*v, o);
                            }
                        }
                    }
                }
                Inst::Labelled(b) => {
                    if let Some(y) = yields(&b.body) {
                        for (v, o) in b.outs.iter().zip(y) {
                            add(*v, o);
                        }
                    }
                    let skip = usize::from(b.has_value);
                    for (_, args, value) in self.jumps.get(&b.id).into_iter().flatten() {
                        if b.has_value {
                            if let (Some(v), Some(o)) = (b.outs.first(), value) {
                                add(*v, o);
                            }
                        }
                        for (v, o) in b.outs[skip..].iter().zip(args) {
                            add(*v, o);
                        }
                    }
                }
                Inst::Loop(l) => {
                    for (h, o) in l.carried.iter().zip(&l.inits) {
                        add(*h, o);
                    }
                    if let Some(y) = yields(&l.body) {
                        for (h, o) in l.carried.iter().zip(y) {
                            add(*h, o);
                        }
                    }
                    for (o, h) in l.outs.iter().zip(&l.carried) {
                        add(*o, &Operand::Value(*h));
                    }
                    for (brk, args, value) in self.jumps.get(&l.id).into_iter().flatten() {
                        let targets = if *brk { &l.outs } else { &l.carried };
                        for (v, o) in targets.iter().zip(args) {
                            add(*v, o);
                        }
                        if let (true, Some(v), Some(o)) = (*brk, l.value, value) {
                            add(v, o);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    walk::walk(
        &body.block,
        &mut Joins {
            jumps: &jumps.by_region,
            out: &mut out,
        },
    );
    out
}

/// A set of parameter indices.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Deps(Vec<u64>);

impl Deps {
    pub fn one(i: usize) -> Deps {
        let mut d = Deps(vec![0; i / 64 + 1]);
        d.0[i / 64] |= 1 << (i % 64);
        d
    }

    /// `self ∪= other`; whether it grew.
    pub fn union(&mut self, other: &Deps) -> bool {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut grew = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            let n = *a | *b;
            grew |= n != *a;
            *a = n;
        }
        grew
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, bits)| {
            (0..64)
                .filter(move |b| bits & (1 << b) != 0)
                .map(move |b| w * 64 + b)
        })
    }
}

/// The operands of a definition through which a gradient flows back.
pub fn grad_operands(body: &Body, l: &crate::core::Let) -> Vec<(usize, ValueId)> {
    let active = |o: &Operand| o.value().filter(|v| body.values[*v].active);
    match &l.op {
        Op::Rule { rule, operands, .. } => operands
            .iter()
            .enumerate()
            .filter(|(k, _)| rule.has_rev(*k))
            .filter_map(|(k, o)| active(o).map(|v| (k, v)))
            .collect(),
        Op::Call(c) => c
            .args
            .iter()
            .enumerate()
            .filter_map(|(k, a)| active(&a.operand).map(|v| (k, v)))
            .collect(),
        Op::Copy(o) => active(o).map(|v| vec![(0, v)]).unwrap_or_default(),
        Op::Field(base, _) | Op::Part(base, _) => active(&Operand::Value(*base))
            .map(|v| vec![(0, v)])
            .unwrap_or_default(),
        Op::Const(_) => vec![],
    }
}

pub struct Activity {
    pub deps: Vec<Deps>,
    /// How many gradient contributions each value receives (0: no adjoint).
    pub contributions: Vec<usize>,
    /// Which parts of each value a gradient reaches (see [`Parts`]).
    pub parts: Vec<Parts>,
}

pub fn find(
    body: &Body,
    defs: &super::defs::Defs,
    phis: &HashMap<ValueId, Vec<Operand>>,
) -> Activity {
    let n = body.values.len();
    let mut deps = vec![Deps::default(); n];
    for p in &body.params {
        if let crate::core::Origin::Param(i) = body.values[*p].origin {
            if body.values[*p].active {
                deps[*p] = Deps::one(i);
            }
        }
    }
    // Forward: until nothing grows (loop headers depend on their back edges).
    loop {
        let mut grew = false;
        for v in 0..n {
            if !body.values[v].active || defs.is_param(v) {
                continue;
            }
            let mut d = deps[v].clone();
            if let Some(l) = defs.let_of(v) {
                for (_, u) in grad_operands(body, l) {
                    d.union(&deps[u]);
                }
            }
            for o in phis.get(&v).into_iter().flatten() {
                if let Some(u) = o.value() {
                    d.union(&deps[u]);
                }
            }
            if d != deps[v] {
                deps[v] = d;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    // A value the lowering found differentiated depends on something.
    let all = body.params.iter().fold(Deps::default(), |mut acc, p| {
        acc.union(&deps[*p]);
        acc
    });
    for (v, d) in deps.iter_mut().enumerate() {
        if body.values[v].active && d.is_empty() {
            *d = all.clone();
        }
    }
    let parts = reached_parts(body, defs, phis);
    // Each edge a gradient crosses is one contribution to its operand.
    let mut contributions = vec![0usize; n];
    for (v, uses) in defs.uses.iter().enumerate() {
        for u in uses {
            if u.kind == super::defs::UseKind::Output && body.values[v].active {
                contributions[v] += 1;
            }
        }
    }
    for v in (0..n).filter(|v| parts[*v] != 0) {
        if let Some(l) = defs.let_of(v) {
            for (_, u) in live_operands(body, &parts, l) {
                contributions[u] += 1;
            }
        }
        for u in phis
            .get(&v)
            .into_iter()
            .flatten()
            .filter_map(Operand::value)
        {
            if body.values[u].active {
                contributions[u] += 1;
            }
        }
    }
    let _ = Inst::Check;
    Activity {
        deps,
        contributions,
        parts,
    }
}

/// Which parts of a value a gradient reaches, as a mask: bit `k` for part
/// `k` of a tuple or array (parts past 63 share bit 63), [`WHOLE`] for a
/// value read as a whole, 0 for none.
///
/// A tuple or array literal sends its gradient back only to the elements
/// whose parts are reached: `let t = (x.exp(), x); t.1` never visits
/// `exp`'s backward, as PyTorch and JAX never visit a Python tuple element
/// the loss does not read. (Visiting it with a zero gradient is not the
/// same: `0 · ∞` is NaN when the element overflowed.)
pub type Parts = u64;

/// A value read as a whole.
pub const WHOLE: Parts = u64::MAX;

fn part_bit(k: usize) -> Parts {
    1 << k.min(63)
}

/// The part `l` reads of its operand: `t.k` and `a[k]` (a literal `k`) read
/// one part, other definitions the whole operand.
fn read_part(l: &crate::core::Let) -> Option<usize> {
    let Op::Rule { rule, consts, .. } = &l.op else {
        return None;
    };
    if let Some(k) = rule.name.strip_prefix("part") {
        return k.parse().ok();
    }
    if rule.name != "index" {
        return None;
    }
    let Some(Operand::Lit(tokens)) = consts.first() else {
        return None;
    };
    let lit: syn::LitInt = syn::parse2(tokens.clone()).ok()?;
    lit.base10_parse().ok()
}

/// Whether `l` builds a tuple or an array from its operands, part `k` from
/// operand `k`.
fn builds_parts(l: &crate::core::Let) -> bool {
    matches!(&l.op, Op::Rule { rule, .. } if rule.name == "array" || rule.name.starts_with("tuple"))
}

/// The operands of `l` a gradient flows back to, given the parts of `l`'s
/// output it reaches (`parts`).
pub fn live_operands(body: &Body, parts: &[Parts], l: &crate::core::Let) -> Vec<(usize, ValueId)> {
    let out = parts[l.out];
    if out == 0 {
        return Vec::new();
    }
    let mut revs = grad_operands(body, l);
    if builds_parts(l) {
        revs.retain(|(k, _)| out & part_bit(*k) != 0);
    }
    revs
}

/// The parts of each value a gradient reaches from the output: a backward
/// fixpoint (a loop's carried tuple may reach more parts each round).
fn reached_parts(
    body: &Body,
    defs: &super::defs::Defs,
    phis: &HashMap<ValueId, Vec<Operand>>,
) -> Vec<Parts> {
    let n = body.values.len();
    let mut parts: Vec<Parts> = vec![0; n];
    let mut work: Vec<ValueId> = Vec::new();
    let reach = |u: ValueId, p: Parts, parts: &mut Vec<Parts>, work: &mut Vec<ValueId>| {
        if body.values[u].active && parts[u] | p != parts[u] {
            parts[u] |= p;
            work.push(u);
        }
    };
    for (v, uses) in defs.uses.iter().enumerate() {
        if uses.iter().any(|u| u.kind == super::defs::UseKind::Output) {
            reach(v, WHOLE, &mut parts, &mut work);
        }
    }
    while let Some(v) = work.pop() {
        let here = parts[v];
        if let Some(l) = defs.let_of(v) {
            let through = match (&l.op, read_part(l)) {
                (Op::Copy(_), _) => here,
                (_, Some(k)) => part_bit(k),
                _ => WHOLE,
            };
            for (_, u) in live_operands(body, &parts, l) {
                reach(u, through, &mut parts, &mut work);
            }
        }
        for u in phis
            .get(&v)
            .into_iter()
            .flatten()
            .filter_map(Operand::value)
        {
            reach(u, here, &mut parts, &mut work);
        }
    }
    parts
}
