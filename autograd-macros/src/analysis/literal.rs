//! Constants with a float literal's type: rustc infers it only from their
//! uses, and a generated rule call (unlike the built-in operator it
//! replaces) does not pin it, so emission states it (`lit(&companion, ..)`).

use std::collections::HashMap;

use super::defs::{Def, Defs};
use crate::core::{Body, Inst, Operand, ValueId};

/// Per value: whether it is a constant with a literal's type. It is one when
/// it is defined as a float literal (`let mut s = 0.0;`), is a match arm's
/// name for one (`match s { v => .. }`), or is what an `if` or `match` gives
/// when a branch gives one.
pub fn find(body: &Body, defs: &Defs, phis: &HashMap<ValueId, Vec<Operand>>) -> Vec<bool> {
    let mut memo = vec![None; body.values.len()];
    (0..body.values.len())
        .map(|v| typed(v, body, defs, phis, &mut memo))
        .collect()
}

fn typed(
    v: ValueId,
    body: &Body,
    defs: &Defs,
    phis: &HashMap<ValueId, Vec<Operand>>,
    memo: &mut [Option<bool>],
) -> bool {
    if let Some(known) = memo[v] {
        return known;
    }
    // Settled before the recursion, so a join reading itself stops there.
    memo[v] = Some(false);
    let result = if body.values[v].active {
        false
    } else if let Some(s) = defs.binds_scrutinee.get(&v) {
        typed(*s, body, defs, phis, memo)
    } else if let Some(Def::Out) = defs.info[v].def {
        let joins_branches = matches!(
            defs.inst_at.get(&defs.info[v].pos),
            Some(Inst::If(_)) | Some(Inst::Match(_))
        );
        joins_branches
            && phis.get(&v).into_iter().flatten().any(|o| match o {
                Operand::Lit(t) => super::reduction::is_float_literal(t),
                Operand::Value(u) => typed(*u, body, defs, phis, memo),
                _ => false,
            })
    } else {
        match defs.let_of(v).map(|l| &l.op) {
            Some(crate::core::Op::Const(c)) => {
                c.reads.is_empty() && super::reduction::is_float_literal(&c.tokens)
            }
            _ => false,
        }
    };
    memo[v] = Some(result);
    result
}
