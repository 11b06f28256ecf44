//! Values an operation may consume: read once, by that operation, and by no
//! backward function, so the forward pass can hand over their buffers
//! (`x.reshape(..)` of a temporary then costs no copy).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;

use crate::ir::{Body, LoopKind, Op, Operand, Stmt, VarId};

/// The variables that the one operation reading them may consume.
/// `backward_reads`: variables whose value (not only shape) a backward
/// function reads.
pub fn find(body: &Body, backward_reads: &BTreeSet<VarId>) -> BTreeSet<VarId> {
    let mut cx = Counter {
        body,
        reads: BTreeMap::new(),
        def_depth: BTreeMap::new(),
        read_depth: BTreeMap::new(),
    };
    cx.operand(&body.output, 0);
    cx.stmts(&body.stmts, 0);
    for s in &body.hoisted {
        cx.def_depth.insert(s.out, usize::MAX);
    }
    (0..body.vars.len())
        .filter(|v| {
            let var = &body.vars[*v];
            var.param.is_none()
                && var.projection.is_none()
                && !var.is_ref
                && !var.opaque
                && var.assignments == 1
                && !backward_reads.contains(v)
                && cx.reads.get(v) == Some(&1)
                && cx.def_depth.contains_key(v)
                && cx.def_depth.get(v) == cx.read_depth.get(v)
        })
        .collect()
}

struct Counter<'a> {
    body: &'a Body,
    /// How many places read each variable.
    reads: BTreeMap<VarId, usize>,
    /// The loop depth of a variable's definition, and of its (last) read.
    def_depth: BTreeMap<VarId, usize>,
    read_depth: BTreeMap<VarId, usize>,
}

impl Counter<'_> {
    fn read(&mut self, v: VarId, depth: usize) {
        *self.reads.entry(v).or_default() += 1;
        self.read_depth.insert(v, depth);
    }

    fn operand(&mut self, o: &Operand, depth: usize) {
        if let Operand::Var(v) = o {
            self.read(*v, depth);
        }
    }

    /// Every variable named in user tokens (a constant expression, a
    /// condition) counts as read there.
    fn tokens(&mut self, t: &TokenStream, depth: usize) {
        for v in self.body.named_vars(t) {
            self.read(v, depth);
        }
    }

    fn stmts(&mut self, stmts: &[Stmt], depth: usize) {
        for s in stmts {
            match s {
                Stmt::Op(op) => {
                    self.def_depth.entry(op.out).or_insert(op.loop_depth);
                    match &op.op {
                        Op::Rule {
                            operands, consts, ..
                        } => {
                            for o in operands.iter().chain(consts) {
                                self.operand(o, op.loop_depth);
                            }
                        }
                        Op::Call { args, .. } => {
                            for a in args {
                                self.operand(&a.operand, op.loop_depth);
                            }
                        }
                        Op::Copy(o) => self.operand(o, op.loop_depth),
                        Op::Field(base, _) => self.read(*base, op.loop_depth),
                        Op::Constant(t) => self.tokens(t, op.loop_depth),
                    }
                }
                Stmt::Declare { var } => {
                    // Declared here, assigned in branches: never consumed.
                    self.def_depth.insert(*var, usize::MAX);
                }
                Stmt::Bind { value, vars, .. } => {
                    self.tokens(value, depth);
                    for v in vars {
                        self.def_depth.insert(*v, usize::MAX);
                    }
                }
                Stmt::If {
                    cond,
                    then,
                    els,
                    loop_depth,
                } => {
                    self.tokens(cond, *loop_depth);
                    self.stmts(then, *loop_depth);
                    self.stmts(els, *loop_depth);
                }
                Stmt::Match {
                    scrutinee,
                    arms,
                    loop_depth,
                } => {
                    self.tokens(scrutinee, *loop_depth);
                    for a in arms {
                        self.tokens(&a.pat, *loop_depth);
                        if let Some(g) = &a.guard {
                            self.tokens(g, *loop_depth);
                        }
                        self.stmts(&a.body, *loop_depth);
                    }
                }
                Stmt::Loop {
                    kind,
                    body,
                    loop_depth,
                    ..
                } => {
                    match kind {
                        LoopKind::For { pat, iter } => {
                            self.tokens(pat, *loop_depth);
                            self.tokens(iter, *loop_depth);
                        }
                        // Evaluated every iteration.
                        LoopKind::While { cond } => self.tokens(cond, loop_depth + 1),
                        LoopKind::Loop => {}
                    }
                    self.stmts(body, loop_depth + 1);
                }
                Stmt::Jump { .. } => {}
                Stmt::Return { value, .. } => self.operand(value, depth),
            }
        }
    }
}
