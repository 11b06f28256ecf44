//! What the backward function of each definition reads (Tapenade's
//! to-be-recorded analysis): operands, shapes, the output, constants, a
//! callee's pullback and the arguments it takes again.

use crate::core::{Body, Let, Op, Operand, ValueId};
use crate::table::Read;

/// A value the backward of one definition reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ReadOf {
    Value(ValueId),
    Const(ValueId),
    /// An argument of a call, passed again to the callee's pullback.
    Arg(ValueId),
    Meta(ValueId),
    /// The definition's own output.
    Output,
    /// The pullback of a call.
    Pullback(ValueId),
}

impl ReadOf {
    /// The value read (not only its shape).
    pub fn value(self, out: ValueId) -> Option<ValueId> {
        match self {
            ReadOf::Value(v) | ReadOf::Const(v) | ReadOf::Arg(v) => Some(v),
            ReadOf::Output => Some(out),
            ReadOf::Meta(_) | ReadOf::Pullback(_) => None,
        }
    }
}

/// Everything the backward of `l` reads, deduplicated, in order, shapes last
/// (a shape is taken from a value saved at the same statement).
/// `revs`: the operands whose gradients it computes.
pub fn of(body: &Body, l: &Let, revs: &[(usize, ValueId)]) -> Vec<ReadOf> {
    let mut out: Vec<ReadOf> = Vec::new();
    let mut add = |r: ReadOf| {
        if !out.contains(&r) {
            out.push(r)
        }
    };
    let _ = body;
    match &l.op {
        Op::Rule {
            rule,
            operands,
            consts,
        } => {
            for (k, _) in revs {
                for read in rule.reads_of(*k) {
                    match read {
                        Read::Value(j) => {
                            if let Some(v) = operands.get(*j).and_then(Operand::value) {
                                add(ReadOf::Value(v))
                            }
                        }
                        Read::Meta(j) => {
                            if let Some(v) = operands.get(*j).and_then(Operand::value) {
                                add(ReadOf::Meta(v))
                            }
                        }
                        Read::Output => add(ReadOf::Output),
                        Read::Const(j) => {
                            if let Some(v) = consts.get(*j).and_then(Operand::value) {
                                add(ReadOf::Const(v))
                            }
                        }
                        Read::AllMetas => {
                            for v in operands.iter().filter_map(Operand::value) {
                                add(ReadOf::Meta(v))
                            }
                        }
                        Read::Position => {}
                    }
                }
            }
        }
        Op::Call(c) if !revs.is_empty() => {
            add(ReadOf::Pullback(l.out));
            for a in &c.args {
                if let Some(v) = a.operand.value() {
                    add(ReadOf::Arg(v));
                }
            }
        }
        // The struct or container the gradient is added into, taken again.
        Op::Field(base, _) if !revs.is_empty() => add(ReadOf::Value(*base)),
        Op::Part(base, part) if !revs.is_empty() => {
            add(ReadOf::Value(*base));
            if let crate::core::Part::Index(Operand::Value(i)) = part {
                add(ReadOf::Const(*i));
            }
        }
        _ => {}
    }
    out.sort_by_key(|r| matches!(r, ReadOf::Meta(_)));
    out
}
