//! Where the forward pass moves a value into a variable of its own (a
//! loop's carried variable, the out of a join, the function's value), and
//! whether it must move a copy because the value is still needed after:
//! read later on the same path, in a later iteration, or by the backward
//! pass (kept in place or read in place).

use std::collections::HashSet;

use super::defs::addr;
use super::{Place, Plan, SaveWhat};
use crate::core::walk::{self, Cx, Visitor};
use crate::core::{Inst, Operand, Repr, Term, ValueId};

/// A place where an operand is moved: the address of a terminator or a
/// loop, and the operand's index.
pub type Site = (usize, usize);

pub fn find(p: &mut Plan) {
    let n = p.body.values.len();
    // Uses the definitions do not show: saves of constants to recompute a
    // view (at the statement reading the view), reads in place by a
    // reduction loop's backward (at the end of its body).
    let mut extra: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut keep = vec![false; n];
    for (a, plan) in &p.lets {
        let pos = p.defs.pos.get(a).copied().unwrap_or(0);
        for s in plan.pre.iter().chain(&plan.post) {
            if let SaveWhat::Value(v) | SaveWhat::Moved(v) = p.saves[*s].what {
                extra[v].push(pos);
            }
        }
        for (_, place) in &plan.reads {
            match place {
                Place::Captured(v) | Place::Own(v) => keep[*v] = true,
                Place::InScope(v) => {
                    if let Some(end) = in_place_pos(p, *a) {
                        extra[*v].push(end);
                    }
                }
                Place::MetaOf(inner) => {
                    if let Place::InScope(v) = **inner {
                        if let Some(end) = in_place_pos(p, *a) {
                            extra[v].push(end);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut sites = Sites { sites: Vec::new() };
    walk::walk(&p.body.block, &mut sites);
    let mut clones = HashSet::new();
    for (site, v, loops, again) in sites.sites {
        let pos = p.defs.pos.get(&site.0).copied().unwrap_or(0);
        if (again && p.body.values[v].repr != Repr::Ref)
            || must_copy(p, v, pos, &loops, &extra, &keep)
        {
            clones.insert(site);
        }
    }
    // The function's value, moved out at the end.
    if let Some(Operand::Value(v)) = p.body.output() {
        if keep[*v] && p.body.values[*v].repr != Repr::Ref {
            clones.insert((addr(&p.body.block.term), 0));
        }
    }
    p.clones = clones;
    // The last position each value is read at (past everything for what
    // the pullback keeps).
    let mut last = vec![0u32; n];
    for v in 0..n {
        let uses = p.defs.uses[v]
            .iter()
            .map(|u| u.pos)
            .chain(extra[v].iter().copied());
        last[v] = if keep[v] {
            u32::MAX
        } else {
            uses.max().unwrap_or(0)
        };
    }
    p.last_use = last;
    p.keep = keep;
}

/// The position at which a reduction loop's backward reads values in place:
/// the end of the loop's body.
fn in_place_pos(p: &Plan, let_addr: usize) -> Option<u32> {
    let loops = p.defs.loops.get(&let_addr)?;
    let l = loops.iter().find(|l| p.reductions.contains_key(&l.id))?;
    p.defs.pos.get(&addr(&l.body.term)).copied()
}

fn must_copy(
    p: &Plan,
    v: ValueId,
    pos: u32,
    loops: &[usize],
    extra: &[Vec<u32>],
    keep: &[bool],
) -> bool {
    if p.body.values[v].repr == Repr::Ref {
        // Moving a reference copies it.
        return false;
    }
    if keep[v] {
        return true;
    }
    // Moved inside a loop that it was defined outside of: the next
    // iteration needs it again.
    if let Some(inst) = loops.last().and_then(|id| p.loop_insts.get(id)) {
        if !p.defs.inside(v, inst) {
            return true;
        }
    }
    let later = |q: u32| q > pos && !p.defs.exclusive(pos, q);
    p.defs.uses[v].iter().any(|u| later(u.pos)) || extra[v].iter().any(|q| later(*q))
}

struct Sites {
    /// (site, value moved, the loops around (innermost last), whether the
    /// same site moves the value again or, for a `while` loop's inits, its
    /// condition reads it after the move).
    sites: Vec<(Site, ValueId, Vec<usize>, bool)>,
}

impl<'c> Visitor<'c> for Sites {
    fn inst(&mut self, inst: &'c Inst, cx: &Cx<'c>) {
        if let Inst::Loop(l) = inst {
            let loops: Vec<usize> = cx.stack.iter().filter_map(loop_addr).collect();
            // A `while` condition runs after the inits are moved.
            let cond_reads: &[ValueId] = match &l.kind {
                crate::core::LoopKind::While { cond } => &cond.reads,
                _ => &[],
            };
            for (i, o) in l.inits.iter().enumerate() {
                if let Operand::Value(v) = o {
                    let again = l.inits[i + 1..].iter().any(|x| x.value() == Some(*v))
                        || cond_reads.contains(v);
                    self.sites.push(((addr(inst), i), *v, loops.clone(), again));
                }
            }
        }
    }

    fn term(&mut self, term: &'c Term, cx: &Cx<'c>) {
        let loops: Vec<usize> = cx.stack.iter().filter_map(loop_addr).collect();
        let ops = walk::term_operands(term);
        for (i, o) in ops.iter().enumerate() {
            if let Operand::Value(v) = o {
                // A value passed on twice at once is moved only the last time.
                let again = ops[i + 1..].iter().any(|x| x.value() == Some(*v));
                self.sites.push(((addr(term), i), *v, loops.clone(), again));
            }
        }
    }
}

fn loop_addr(f: &walk::Frame) -> Option<usize> {
    match f {
        walk::Frame::Loop(l) => Some(l.id),
        _ => None,
    }
}
