//! Straight-line statements, copies and swaps, blocks, branches and `match`.

use super::expr::{typed, F};
use super::{Breakable, Ctx, Gen, Kind, Var, MAX_DEPTH};
use crate::fuzz::ast::*;

impl Gen<'_> {
    /// One statement (a template may give several), spending one unit of budget.
    pub fn stmt(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.budget = self.budget.saturating_sub(1);
        let deep = ctx.depth < MAX_DEPTH;
        let in_loop = ctx
            .breakables
            .iter()
            .any(|b| matches!(b, Breakable::Loop(_)));
        let on = |g: &Gen, c: Construct, w: u32| if g.enabled(c) { w } else { 0 };
        // A long straight-line body has no construct with a body of its own.
        let deep = deep && !self.straight;
        let d = |w: u32| if deep { w } else { 0 };
        // Inside bodies, changing outer variables matters more than new ones.
        let (lets, assigns) = if ctx.depth == 0 { (12, 14) } else { (5, 24) };
        let weights = [
            lets,
            on(self, Construct::LetMut, lets * 2 / 3),
            assigns,
            on(self, Construct::CopyAlias, 4),
            on(self, Construct::Swap, 3),
            on(self, Construct::TupleLet, 2),
            on(self, Construct::Shadowing, 4),
            d(on(self, Construct::DeferredInit, 2)),
            d(on(self, Construct::NestedBlock, 2)),
            d(on(self, Construct::BlockValue, 2)),
            d(on(self, Construct::LabelledBlock, 2)),
            d(on(self, Construct::If, 6)),
            d(on(self, Construct::IfValue, 4)),
            d(on(self, Construct::MatchInt, 2)),
            d(on(self, Construct::MatchBinding, 3)),
            d(9),
            if self.straight || (self.out.is_some() && !self.enabled(Construct::HelperReturn)) {
                0
            } else {
                on(self, Construct::Return, 1) + if in_loop { 1 } else { 0 }
            },
            if in_loop
                || ctx
                    .breakables
                    .iter()
                    .any(|b| matches!(b, Breakable::Block(_)))
            {
                5
            } else {
                0
            },
            self.aggregate_weight(ctx),
        ];
        let made = match self.rng.weighted(&weights) {
            0 => Some(self.let_float(ctx, false)),
            1 => Some(self.let_float(ctx, true)),
            2 => self.assign(ctx),
            3 => self.copy_alias(ctx),
            4 => self.swap(ctx),
            5 => Some(self.tuple_let(ctx)),
            6 => self.shadow(ctx),
            7 => Some(self.deferred_init(ctx)),
            8 => Some(self.nested_block(ctx)),
            9 => Some(self.block_value(ctx)),
            10 => Some(self.labelled_block(ctx)),
            11 => Some(self.if_stmt(ctx)),
            12 => Some(self.if_value(ctx)),
            13 => self.match_int(ctx),
            14 => self.match_binding(ctx),
            15 => self.loop_stmt(ctx),
            16 => Some(self.early_return(ctx)),
            17 => self.jump(ctx),
            _ => self.aggregate_stmt(ctx),
        };
        made.unwrap_or_else(|| self.let_float(ctx, true))
    }

    /// `n` to `m` statements in the current scope.
    pub fn stmts(&mut self, ctx: &Ctx, n: usize, m: usize) -> Vec<Stmt> {
        let count = self.rng.range(n, m);
        let mut out = Vec::new();
        for i in 0..count {
            if self.budget == 0 && i >= n {
                break;
            }
            out.extend(self.stmt(ctx));
        }
        out
    }

    /// A block of `n` to `m` statements in a new scope, ending with `last` (made inside it).
    pub fn scoped(
        &mut self,
        ctx: &Ctx,
        n: usize,
        m: usize,
        last: impl FnOnce(&mut Self) -> Vec<Stmt>,
    ) -> Block {
        self.push_scope();
        let mut stmts = self.stmts(ctx, n, m);
        stmts.extend(last(self));
        self.pop_scope();
        Block::of(stmts)
    }

    /// A block in a new scope whose value is a float: `{ stmts; tail }`.
    pub fn valued(&mut self, ctx: &Ctx, n: usize, m: usize) -> (Block, F) {
        self.push_scope();
        let stmts = self.stmts(ctx, n, m);
        let tail = self.fexpr(2);
        self.pop_scope();
        (Block::with_tail(stmts, tail.e.clone()), tail)
    }

    /// Declares a float local.
    pub fn declare_float(&mut self, ctx: &Ctx, name: &str, mutable: bool, typed: bool, mag: f64) {
        let v = Var {
            mutable,
            typed,
            loop_level: ctx.loop_level,
            ..Var::new(name, Kind::F64, mag)
        };
        self.declare(v);
    }

    /// `let [mut] name[: f64] = e;`
    pub fn let_float(&mut self, ctx: &Ctx, mutable: bool) -> Vec<Stmt> {
        let f = self.fexpr(3);
        let name = self.fresh_float();
        let annotate = self.enabled(Construct::TypeAnnotation) && self.rng.chance(0.15);
        let is_typed = annotate || typed(self, &f.e);
        self.declare_float(ctx, &name, mutable, is_typed, f.mag);
        self.note(if mutable {
            Construct::LetMut
        } else {
            Construct::Let
        });
        if annotate {
            self.note(Construct::TypeAnnotation);
        }
        vec![Stmt::Let {
            pat: Pat::Ident { name, mutable },
            ty: annotate.then_some(Ty::F64),
            init: Some(f.e),
        }]
    }

    /// An assignment to a visible mutable float.
    fn assign(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let targets = self.mutable_floats();
        if targets.is_empty() {
            return None;
        }
        let t = self.rng.pick(&targets).clone();
        Some(vec![self.assign_to(ctx, &t)])
    }

    /// An assignment to `t`: `=` (often reading `t`), or a compound operator.
    /// Inside a loop, updates of variables from outside it contract or add a
    /// bounded term, so that values stay bounded over the iterations.
    pub fn assign_to(&mut self, ctx: &Ctx, t: &str) -> Stmt {
        let (mag, level) = self.lookup(t).map_or((1.0, 0), |v| (v.mag, v.loop_level));
        let carried = ctx.loop_level > level;
        let compound = self.enabled(Construct::CompoundAssign);
        let op = match self.rng.below(9) {
            0..=3 => AssignOp::Set,
            4 | 5 if compound => AssignOp::Add,
            6 if compound => AssignOp::Sub,
            7 if compound => AssignOp::Mul,
            8 if compound => AssignOp::Div,
            _ => AssignOp::Set,
        };
        if op != AssignOp::Set {
            self.note(Construct::CompoundAssign);
        }
        let (rhs, new_mag) = match op {
            AssignOp::Set => {
                let f = self.fexpr(2);
                let f = if self.rng.chance(0.6) {
                    let k = self.literal(0.25, 0.9);
                    let scaled = Expr::bin(BinOp::Mul, Expr::var(t), Expr::lit(k));
                    let op = *self.rng.pick(&[BinOp::Add, BinOp::Sub]);
                    F {
                        e: Expr::bin(op, scaled, f.e),
                        mag: mag * k + f.mag,
                    }
                } else {
                    f
                };
                let f = if carried {
                    self.bounded(f, mag.max(4.0))
                } else {
                    self.bounded(f, 1e3)
                };
                (f.e, f.mag)
            }
            AssignOp::Add | AssignOp::Sub => {
                let f = self.fexpr(2);
                let f = self.bounded(f, 1e3 / f64::from(ctx.mult));
                (f.e, mag + f64::from(ctx.mult) * f.mag)
            }
            AssignOp::Mul => {
                let f = self.typed_fexpr(1);
                let f = if carried {
                    self.squash(f)
                } else {
                    self.bounded(f, 4.0)
                };
                (f.e, mag * f.mag.max(1.0))
            }
            AssignOp::Div => {
                let p = self.pexpr(1, if carried { 1.0 } else { 0.5 });
                (p.e, mag / p.lo)
            }
        };
        let rhs_typed = typed(self, &rhs);
        if let Some(v) = self.lookup(t) {
            v.mag = v.mag.max(new_mag);
            v.typed |= op == AssignOp::Set && rhs_typed;
        }
        Stmt::Assign {
            targets: vec![t.to_string()],
            op,
            rhs,
        }
    }

    /// `let tmp = d;` then `d` changes: `tmp` must keep the old value.
    fn copy_alias(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let sources = self.mutable_floats();
        if sources.is_empty() {
            return None;
        }
        let src = self.rng.pick(&sources).clone();
        let (mag, is_typed) = self.lookup(&src).map(|v| (v.mag, v.typed))?;
        let tmp = self.fresh(&["tmp", "old", "prev", "saved"]);
        self.declare_float(ctx, &tmp, false, is_typed, mag);
        self.note(Construct::CopyAlias);
        let copy = Stmt::Let {
            pat: Pat::Ident {
                name: tmp.clone(),
                mutable: false,
            },
            ty: None,
            init: Some(Expr::var(&src)),
        };
        let change = self.assign_to(ctx, &src);
        self.make_hot(&tmp);
        self.make_hot(&src);
        Some(vec![copy, change])
    }

    /// A swap: `let (a, b) = (b, a);`, through a temporary, or `(a, b) = (b, a);`.
    fn swap(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let muts = self.mutable_floats();
        let all = self.floats();
        let pair = |g: &mut Gen, names: &[String]| -> Option<(String, String)> {
            if names.len() < 2 {
                return None;
            }
            let i = g.rng.below(names.len());
            let j = (i + 1 + g.rng.below(names.len() - 1)) % names.len();
            Some((names[i].clone(), names[j].clone()))
        };
        self.note(Construct::Swap);
        // 0: `let (a, b) = (b, a);`, 1: through a temporary, 2: `(a, b) = (b, a);`.
        let forms = if self.enabled(Construct::DestructuringAssign) {
            3
        } else {
            2
        };
        let kind = if muts.len() >= 2 {
            self.rng.below(forms)
        } else {
            0
        };
        let (a, b) = pair(self, if kind == 0 { &all } else { &muts })?;
        self.make_hot(&a);
        self.make_hot(&b);
        let (va, vb) = (self.lookup(&a)?.clone(), self.lookup(&b)?.clone());
        let swapped = Expr::Tuple(vec![Expr::var(&b), Expr::var(&a)]);
        match kind {
            0 => {
                let mutable = self.rng.chance(0.3);
                let ident = |n: &str| Pat::Ident {
                    name: n.to_string(),
                    mutable,
                };
                self.declare_float(ctx, &a, mutable, vb.typed, vb.mag);
                self.declare_float(ctx, &b, mutable, va.typed, va.mag);
                Some(vec![Stmt::Let {
                    pat: Pat::Tuple(vec![ident(&a), ident(&b)]),
                    ty: None,
                    init: Some(swapped),
                }])
            }
            1 => {
                let t = self.fresh(&["t", "tmp", "hold"]);
                self.declare_float(ctx, &t, false, va.typed, va.mag);
                self.swap_env(&a, &b);
                Some(vec![
                    Stmt::Let {
                        pat: Pat::Ident {
                            name: t.clone(),
                            mutable: false,
                        },
                        ty: None,
                        init: Some(Expr::var(&a)),
                    },
                    Stmt::Assign {
                        targets: vec![a.clone()],
                        op: AssignOp::Set,
                        rhs: Expr::var(&b),
                    },
                    Stmt::Assign {
                        targets: vec![b.clone()],
                        op: AssignOp::Set,
                        rhs: Expr::var(&t),
                    },
                ])
            }
            _ => {
                self.note(Construct::DestructuringAssign);
                self.swap_env(&a, &b);
                Some(vec![Stmt::Assign {
                    targets: vec![a, b],
                    op: AssignOp::Set,
                    rhs: swapped,
                }])
            }
        }
    }

    /// After `a` and `b` swap values, both may hold either magnitude.
    fn swap_env(&mut self, a: &str, b: &str) {
        let (ma, mb) = (
            self.lookup(a).map_or(1.0, |v| v.mag),
            self.lookup(b).map_or(1.0, |v| v.mag),
        );
        let ta = self.lookup(a).is_some_and(|v| v.typed);
        let tb = self.lookup(b).is_some_and(|v| v.typed);
        for (n, t) in [(a, tb), (b, ta)] {
            if let Some(v) = self.lookup(n) {
                v.mag = ma.max(mb);
                v.typed &= t;
            }
        }
    }

    /// `let (p, q) = (e1, e2);`
    fn tuple_let(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        let (e1, e2) = (self.fexpr(2), self.fexpr(2));
        let p = self.fresh_float();
        let (t1, t2) = (typed(self, &e1.e), typed(self, &e2.e));
        self.declare_float(ctx, &p, false, t1, e1.mag);
        let q = self.fresh_float();
        let mutable = self.rng.chance(0.3);
        self.declare_float(ctx, &q, mutable, t2, e2.mag);
        self.note(Construct::TupleLet);
        let pat = Pat::Tuple(vec![
            Pat::Ident {
                name: p,
                mutable: false,
            },
            Pat::Ident { name: q, mutable },
        ]);
        vec![Stmt::Let {
            pat,
            ty: None,
            init: Some(Expr::Tuple(vec![e1.e, e2.e])),
        }]
    }

    /// `let y = y * 2.0 + e;` shadowing a visible float.
    fn shadow(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let names = self.floats();
        if names.is_empty() {
            return None;
        }
        let y = self.rng.pick(&names).clone();
        let (mag, is_typed) = self.lookup(&y).map(|v| (v.mag, v.typed))?;
        let f = self.fexpr(2);
        let k = self.literal(0.5, 2.0);
        let op = *self.rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]);
        let scaled = Expr::bin(BinOp::Mul, Expr::var(&y), Expr::lit(k));
        let rhs = F {
            e: Expr::bin(op, scaled, f.e),
            mag: if op == BinOp::Mul {
                mag * k * f.mag
            } else {
                mag * k + f.mag
            },
        };
        let rhs = self.bounded(rhs, 1e3);
        let mutable = self.rng.chance(0.4);
        let t = is_typed || typed(self, &rhs.e);
        self.declare_float(ctx, &y, mutable, t, rhs.mag);
        self.note(Construct::Shadowing);
        self.make_hot(&y);
        Some(vec![Stmt::Let {
            pat: Pat::Ident { name: y, mutable },
            ty: None,
            init: Some(rhs.e),
        }])
    }

    /// `let z;` assigned in every branch of an `if`.
    fn deferred_init(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        let z = self.fresh_float();
        let annotate = self.rng.chance(0.3);
        let v = Var {
            init: false,
            typed: annotate,
            loop_level: ctx.loop_level,
            ..Var::new(&z, Kind::F64, 0.0)
        };
        self.declare(v);
        self.note(Construct::DeferredInit);
        let inner = ctx.deeper();
        let mut mags = Vec::new();
        let mut any_typed = annotate;
        let mut branch = |g: &mut Gen| {
            g.scoped(&inner, 0, 2, |g| {
                let f = g.fexpr(2);
                mags.push(f.mag);
                any_typed |= typed(g, &f.e);
                vec![Stmt::Assign {
                    targets: vec![z.clone()],
                    op: AssignOp::Set,
                    rhs: f.e,
                }]
            })
        };
        let c = self.cond(1);
        let then = branch(self);
        let els = if self.rng.chance(0.3) {
            let c2 = self.cond(0);
            let mid = branch(self);
            let last = branch(self);
            Expr::If(Box::new(c2), mid, Some(Box::new(Expr::Else(last))))
        } else {
            Expr::Else(branch(self))
        };
        if let Some(v) = self.lookup(&z) {
            v.init = true;
            v.typed = any_typed;
            v.mag = mags.iter().copied().fold(0.0, f64::max);
        }
        self.make_hot(&z);
        vec![
            Stmt::Let {
                pat: Pat::Ident {
                    name: z,
                    mutable: false,
                },
                ty: annotate.then_some(Ty::F64),
                init: None,
            },
            Stmt::Expr(Expr::If(Box::new(c), then, Some(Box::new(els)))),
        ]
    }

    /// `{ let t = ..; ..; y = t; }`: a nested block that changes an outer variable.
    fn nested_block(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::NestedBlock);
        let inner = ctx.deeper();
        let block = self.scoped(&inner, 1, 3, |g| {
            let outer = g.mutable_floats();
            if outer.is_empty() {
                Vec::new()
            } else {
                let t = g.rng.pick(&outer).clone();
                vec![g.assign_to(&inner, &t)]
            }
        });
        vec![Stmt::Expr(Expr::Block(block))]
    }

    /// `let z = { ..; value };`
    fn block_value(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::BlockValue);
        let (block, tail) = self.valued(&ctx.deeper(), 1, 3);
        let z = self.fresh_float();
        let t = typed(self, &tail.e);
        self.declare_float(ctx, &z, false, t, tail.mag);
        vec![Stmt::Let {
            pat: Pat::Ident {
                name: z,
                mutable: false,
            },
            ty: None,
            init: Some(Expr::Block(block)),
        }]
    }

    /// `let z = 'a: { ..; if c { break 'a e; } ..; e2 };`
    fn labelled_block(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::LabelledBlock);
        let label = self.fresh_label("blk");
        let mut inner = ctx.deeper();
        inner.breakables.push(Breakable::Block(label.clone()));
        self.push_scope();
        let mut stmts = self.stmts(&inner, 0, 2);
        let c = self.cond(1);
        let early = self.fexpr(2);
        let brk = Stmt::Break {
            label: Some(label.clone()),
            value: Some(early.e),
        };
        stmts.push(Stmt::Expr(Expr::If(
            Box::new(c),
            Block::of(vec![brk]),
            None,
        )));
        stmts.extend(self.stmts(&inner, 0, 2));
        let tail = self.fexpr(2);
        self.pop_scope();
        let z = self.fresh_float();
        self.declare_float(ctx, &z, false, true, early.mag.max(tail.mag));
        self.make_hot(&z);
        let init = Expr::Labelled(label, Block::with_tail(stmts, tail.e));
        vec![Stmt::Let {
            pat: Pat::Ident {
                name: z,
                mutable: false,
            },
            ty: Some(Ty::F64),
            init: Some(init),
        }]
    }
}
