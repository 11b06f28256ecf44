//! The one walker over the core form: every analysis visits the body
//! through [`walk`], and finds what an instruction reads through [`reads`].

use super::{Block, Inst, Loop, LoopKind, Op, Operand, Term, ValueId};

/// A construct around the instruction being visited.
#[derive(Clone, Copy)]
pub enum Frame<'c> {
    Loop(&'c Loop),
    Labelled,
    /// A branch of an `if` or an arm of a `match`.
    Branch,
}

/// Where the walker is: the constructs around it, outermost first.
#[derive(Default)]
pub struct Cx<'c> {
    pub stack: Vec<Frame<'c>>,
}

impl<'c> Cx<'c> {
    /// In the function's own block (no branch, loop or labelled block around).
    pub fn top_level(&self) -> bool {
        self.stack.is_empty()
    }

    /// How many loops are around.
    pub fn loop_depth(&self) -> usize {
        self.stack
            .iter()
            .filter(|f| matches!(f, Frame::Loop(_)))
            .count()
    }

    pub fn innermost_loop(&self) -> Option<&'c Loop> {
        self.stack.iter().rev().find_map(|f| match f {
            Frame::Loop(l) => Some(*l),
            _ => None,
        })
    }
}

/// What an analysis does at each instruction and terminator. The default
/// methods do nothing; [`walk`] descends into nested blocks by itself.
pub trait Visitor<'c> {
    /// Before the instruction's nested blocks.
    fn inst(&mut self, inst: &'c Inst, cx: &Cx<'c>) {
        let _ = (inst, cx);
    }
    /// After them.
    fn after(&mut self, inst: &'c Inst, cx: &Cx<'c>) {
        let _ = (inst, cx);
    }
    /// A block's terminator.
    fn term(&mut self, term: &'c Term, cx: &Cx<'c>) {
        let _ = (term, cx);
    }
}

/// Visits every instruction and terminator of `block`, in program order.
pub fn walk<'c>(block: &'c Block, v: &mut impl Visitor<'c>) {
    let mut cx = Cx::default();
    walk_in(block, &mut cx, v);
}

/// [`walk`] from inside a context.
pub fn walk_in<'c>(block: &'c Block, cx: &mut Cx<'c>, v: &mut impl Visitor<'c>) {
    for inst in &block.insts {
        v.inst(inst, cx);
        for (frame, b) in nested(inst) {
            cx.stack.push(frame);
            walk_in(b, cx, v);
            cx.stack.pop();
        }
        v.after(inst, cx);
    }
    v.term(&block.term, cx);
}

/// The blocks directly inside an instruction, with the frame each is in.
pub fn nested(inst: &Inst) -> Vec<(Frame<'_>, &Block)> {
    match inst {
        Inst::If(i) => vec![(Frame::Branch, &i.then), (Frame::Branch, &i.els)],
        Inst::Match(m) => m.arms.iter().map(|a| (Frame::Branch, &a.body)).collect(),
        Inst::Loop(l) => vec![(Frame::Loop(l), &l.body)],
        Inst::Labelled(b) => vec![(Frame::Labelled, &b.body)],
        Inst::Let(_) | Inst::Bind(_) | Inst::Check(_) => vec![],
    }
}

/// How an instruction reads a value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Read {
    /// Differentiated operand `k` of a rule (or the source of a copy, `k = 0`).
    Operand(usize),
    /// A constant argument of a rule.
    RuleConst,
    /// Argument `k` of a call.
    CallArg(usize),
    /// The struct a field is taken from.
    FieldBase,
    /// Named by constant tokens (an expression, a condition, a pattern's scrutinee).
    Named,
    /// The value a loop's carried variable has on entry.
    Init,
}

/// Every value an instruction reads itself (not inside its nested blocks,
/// but including its conditions and a loop's entry values).
pub fn reads(inst: &Inst, f: &mut impl FnMut(&Operand, Read)) {
    let named = |f: &mut dyn FnMut(&Operand, Read), reads: &[ValueId]| {
        for v in reads {
            f(&Operand::Value(*v), Read::Named)
        }
    };
    match inst {
        Inst::Let(l) => match &l.op {
            Op::Rule {
                operands, consts, ..
            } => {
                for (k, o) in operands.iter().enumerate() {
                    f(o, Read::Operand(k));
                }
                for c in consts {
                    f(c, Read::RuleConst);
                }
            }
            Op::Call(c) => {
                for (k, a) in c.args.iter().enumerate() {
                    f(&a.operand, Read::CallArg(k));
                }
            }
            Op::Const(c) => named(f, &c.reads),
            Op::Copy(o) => f(o, Read::Operand(0)),
            Op::Field(base, _) => f(&Operand::Value(*base), Read::FieldBase),
            Op::Part(base, part) => {
                f(&Operand::Value(*base), Read::FieldBase);
                if let crate::core::Part::Index(i) = part {
                    f(i, Read::RuleConst);
                }
            }
        },
        Inst::If(i) => named(f, &i.cond.reads),
        Inst::Match(m) => {
            named(f, &m.scrutinee.reads);
            for arm in &m.arms {
                if let Some(g) = &arm.guard {
                    named(f, &g.reads);
                }
            }
        }
        Inst::Loop(l) => {
            for o in &l.inits {
                f(o, Read::Init);
            }
            match &l.kind {
                LoopKind::For { iter, .. } => named(f, &iter.reads),
                LoopKind::While { cond } => named(f, &cond.reads),
                LoopKind::Loop => {}
            }
        }
        Inst::Labelled(_) => {}
        Inst::Bind(b) => named(f, &b.value.reads),
        Inst::Check(c) => named(f, &c.reads),
    }
}

/// The values an instruction defines itself (its output, its outs, a loop's
/// header parameters and pattern bindings; not those of nested blocks).
pub fn defs(inst: &Inst, f: &mut impl FnMut(ValueId)) {
    match inst {
        Inst::Let(l) => f(l.out),
        Inst::If(i) => i.outs.iter().copied().for_each(f),
        Inst::Match(m) => {
            for arm in &m.arms {
                arm.bindings.iter().copied().for_each(&mut *f);
            }
            m.outs.iter().copied().for_each(f)
        }
        Inst::Loop(l) => {
            l.carried.iter().copied().for_each(&mut *f);
            if let LoopKind::For { bindings, .. } = &l.kind {
                bindings.iter().copied().for_each(&mut *f);
            }
            l.outs.iter().copied().for_each(&mut *f);
            l.value.iter().copied().for_each(f);
        }
        Inst::Labelled(b) => b.outs.iter().copied().for_each(f),
        Inst::Bind(b) => b.bindings.iter().copied().for_each(f),
        Inst::Check(_) => {}
    }
}

/// The operands a terminator passes on.
pub fn term_operands(term: &Term) -> Vec<&Operand> {
    match term {
        Term::Yield(args) => args.iter().collect(),
        Term::Jump(j) => j.args.iter().chain(j.value.iter()).collect(),
        Term::Never => vec![],
    }
}
