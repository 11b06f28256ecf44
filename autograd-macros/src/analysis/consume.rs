//! Values an operation may consume: read once, by that operation, and by no
//! backward function, so the forward pass can hand over their buffers
//! (`x.reshape(..)` of a temporary then costs no copy).

use super::defs::UseKind;
use super::reads::ReadOf;
use super::Plan;
use crate::core::walk::Read;
use crate::core::{Inst, Op, Repr};

/// Marks the values that the one operation reading them may consume.
pub fn find(p: &mut Plan) {
    let n = p.body.values.len();
    let mut read_back = vec![false; n];
    for plan in p.lets.values() {
        for (r, place) in &plan.reads {
            if !matches!(r, ReadOf::Meta(_) | ReadOf::Pullback(_)) {
                if let Some(v) = place.value() {
                    read_back[v] = true;
                }
            }
        }
    }
    for (v, read) in read_back.iter().enumerate() {
        if *read {
            continue;
        }
        let Some(def) = p.defs.let_of(v) else {
            continue;
        };
        if !matches!(def.op, Op::Rule { .. } | Op::Call(_)) || p.body.values[v].repr != Repr::Owned
        {
            continue;
        }
        let [u] = p.defs.uses[v][..] else { continue };
        if u.kind != UseKind::Inst(Read::Operand(0)) {
            continue;
        }
        let Some(Inst::Let(user)) = p.defs.inst_at.get(&u.pos) else {
            continue;
        };
        let Op::Rule { rule, .. } = &user.op else {
            continue;
        };
        if !rule.caps.consumes {
            continue;
        }
        // Defined and read in the same iteration of the same loop.
        let def_loop = p.defs.info[v].lp.map(|l| l.id);
        let use_loop = p.defs.info[user.out].lp.map(|l| l.id);
        if def_loop != use_loop || p.defs.info[v].depth != p.defs.info[user.out].depth {
            continue;
        }
        p.consumable[v] = true;
    }
    for (v, read) in read_back.iter().enumerate() {
        if !*read && (updated_last(p, v) || taken_apart(p, v)) {
            p.consumable[v] = true;
        }
    }
}

/// Whether `v` (a tuple a rule or call made) is read only by taking its
/// parts, each once, in the iteration that made it: each part is then
/// moved out of it (`t.0`) instead of copied.
fn taken_apart(p: &Plan, v: usize) -> bool {
    let Some(def) = p.defs.let_of(v) else {
        return false;
    };
    if !matches!(def.op, Op::Rule { .. } | Op::Call(_)) || p.body.values[v].repr != Repr::Owned {
        return false;
    }
    let mut parts = Vec::new();
    for u in &p.defs.uses[v] {
        if u.kind != UseKind::Inst(Read::Operand(0)) {
            return false;
        }
        let Some(Inst::Let(user)) = p.defs.inst_at.get(&u.pos) else {
            return false;
        };
        let Op::Rule { rule, .. } = &user.op else {
            return false;
        };
        if !rule.name.starts_with("part") || parts.contains(&rule.name) {
            return false;
        }
        let info = &p.defs.info;
        if info[v].lp.map(|l| l.id) != info[user.out].lp.map(|l| l.id)
            || info[v].depth != info[user.out].depth
        {
            return false;
        }
        parts.push(rule.name);
    }
    parts.len() > 1
}

/// Whether `v` (a `Vec` or array, defined by an operation or carried by a
/// loop) is last read by an element update (`v.push(e)`, `v[i] = e`) in
/// the same iteration, every other read coming before it and keeping
/// nothing of it: the update then changes `v` in place, and building a
/// `Vec` in a loop costs `O(1)` per element.
fn updated_last(p: &Plan, v: usize) -> bool {
    use super::defs::Def;
    let info = &p.defs.info[v];
    let defined = match info.def {
        Some(Def::Let(l)) => matches!(l.op, Op::Rule { .. } | Op::Call(_)),
        Some(Def::Header(_)) => true,
        _ => false,
    };
    if !defined {
        return false;
    }
    let uses = &p.defs.uses[v];
    let mut consumer = None;
    for u in uses {
        if u.kind != UseKind::Inst(Read::Operand(0)) {
            continue;
        }
        if let Some(Inst::Let(l)) = p.defs.inst_at.get(&u.pos) {
            if let Op::Rule { rule, .. } = &l.op {
                if matches!(rule.name, "push" | "set" | "add_at") {
                    if consumer.is_some() {
                        return false;
                    }
                    consumer = Some((u.pos, l.out));
                }
            }
        }
    }
    let Some((at, out)) = consumer else {
        return false;
    };
    let def_loop = info.lp.map(|l| l.id);
    let use_loop = p.defs.info[out].lp.map(|l| l.id);
    if def_loop != use_loop || info.depth != p.defs.info[out].depth {
        return false;
    }
    uses.iter().all(|u| {
        u.pos == at
            || u.pos < at
                && matches!(
                    u.kind,
                    UseKind::Inst(
                        Read::Operand(_) | Read::RuleConst | Read::CallArg(_) | Read::Named
                    )
                )
    })
}
