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
}
