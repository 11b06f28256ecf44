//! Loops: `for` over ranges, slices (`iter`, `enumerate`, `zip`) and constant
//! arrays, `while` and `loop` with iteration counters, labelled nested loops,
//! reduction loops, a Clenshaw recurrence, and copies saved before a loop.

use super::{Breakable, Ctx, Gen, Kind, Var, MAX_TRIPS};
use crate::fuzz::ast::*;

/// A loop's header and the variables it binds.
pub(super) struct Header {
    pub pat: Pat,
    pub iter: Iter,
    pub trips: u32,
    /// Variables the pattern binds: name, kind, magnitude.
    pub binds: Vec<(String, Kind, f64)>,
}

impl Gen<'_> {
    /// Some loop, if the iteration budget allows one here.
    pub fn loop_stmt(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let room = MAX_TRIPS / ctx.mult;
        if room < 2 {
            return None;
        }
        let has_slice = !self.slices().is_empty();
        let on = |g: &Gen, c: Construct, w: u32| if g.enabled(c) { w } else { 0 };
        let weights = [
            on(self, Construct::ForRange, 6),
            if has_slice {
                on(self, Construct::ForSlice, 5)
            } else {
                0
            },
            on(self, Construct::While, 3),
            on(self, Construct::Loop, 2),
            if room >= 4 {
                on(self, Construct::LabelledLoop, 3)
            } else {
                0
            },
            on(self, Construct::Accumulator, 4),
            if room >= 6 {
                on(self, Construct::Clenshaw, 1)
            } else {
                0
            },
            if self.mutable_floats().is_empty() {
                0
            } else {
                on(self, Construct::CopyAlias, 2)
            },
        ];
        if weights.iter().all(|&w| w == 0) {
            return None;
        }
        if ctx.loop_level > 0 {
            self.note(Construct::NestedLoops);
        }
        Some(match self.rng.weighted(&weights) {
            0 => {
                let h = self.range_header(room);
                vec![self.for_loop(ctx, h, Vec::new(), 1, 4)]
            }
            1 => {
                let h = self.slice_header(room)?;
                vec![self.for_loop(ctx, h, Vec::new(), 1, 3)]
            }
            2 => self.while_loop(ctx, room),
            3 => self.loop_loop(ctx, room),
            4 => self.labelled_nest(ctx, room),
            5 => self.accumulate(ctx, room),
            6 => self.clenshaw(ctx, room),
            _ => self.saved_before_loop(ctx, room),
        })
    }

    /// Visible float slices: name, length, whether `#[no_grad]`.
    fn slices(&self) -> Vec<(String, usize, bool)> {
        self.visible()
            .iter()
            .filter_map(|v| match v.kind {
                Kind::Slice { len, no_grad } => Some((v.name.clone(), len, no_grad)),
                _ => None,
            })
            .collect()
    }

    /// A label for a new loop, sometimes.
    fn maybe_label(&mut self) -> Option<String> {
        (self.enabled(Construct::LabelledLoop) && self.rng.chance(0.1)).then(|| {
            self.note(Construct::LabelledLoop);
            self.fresh_label("l")
        })
    }

    /// The context inside a loop with `trips` iterations.
    pub(super) fn inside(ctx: &Ctx, trips: u32, label: Option<String>) -> Ctx {
        let mut inner = ctx.deeper();
        inner.mult *= trips.max(1);
        inner.loop_level += 1;
        inner.breakables.push(Breakable::Loop(label));
        inner
    }

    /// `for i in 0..N` with `N` a literal, `n` or `xs.len()`, at most `room` trips.
    pub(super) fn range_header(&mut self, room: u32) -> Header {
        self.note(Construct::ForRange);
        let ns: Vec<(String, usize)> = self
            .visible()
            .iter()
            .filter_map(|v| match v.kind {
                Kind::Usize { hi } if v.loop_level == 0 && (hi as u32) <= room => {
                    Some((v.name.clone(), hi - 1))
                }
                _ => None,
            })
            .collect();
        let lens: Vec<(String, usize)> = self
            .slices()
            .into_iter()
            .filter(|s| s.1 as u32 <= room)
            .map(|s| (s.0, s.1))
            .collect();
        let (hi, bound) = match self.rng.below(4) {
            0 if !ns.is_empty() => {
                let (n, v) = self.rng.pick(&ns).clone();
                (Expr::var(&n), v)
            }
            1 if !lens.is_empty() => {
                let (s, len) = self.rng.pick(&lens).clone();
                (Expr::Len(s), len)
            }
            _ => {
                let n = self.rng.range(1, room.min(6) as usize);
                (Expr::Int(n as u64), n)
            }
        };
        let lo = if bound > 1 && self.rng.chance(0.15) {
            1
        } else {
            0
        };
        let (pat, binds) = if self.rng.chance(0.2) {
            (Pat::Wild, Vec::new())
        } else {
            let i = self.fresh(&["i", "j", "m"]);
            (
                Pat::Ident {
                    name: i.clone(),
                    mutable: false,
                },
                vec![(i, Kind::Usize { hi: bound.max(1) }, bound as f64)],
            )
        };
        Header {
            pat,
            iter: Iter::Range(Expr::Int(lo), hi),
            trips: bound as u32,
            binds,
        }
    }

    /// `for v in xs.iter()`, `for v in xs`, `enumerate`, `zip`.
    pub(super) fn slice_header(&mut self, room: u32) -> Option<Header> {
        let slices: Vec<(String, usize, bool)> = self
            .slices()
            .into_iter()
            .filter(|s| s.1 as u32 <= room)
            .collect();
        if slices.is_empty() {
            return None;
        }
        let (s, len, no_grad) = self.rng.pick(&slices).clone();
        let elem = |no_grad: bool| {
            if no_grad {
                Kind::ConstRef
            } else {
                Kind::RefF64
            }
        };
        self.note(Construct::ForSlice);
        let v = self.fresh(&["v", "e", "xi"]);
        let ident = |n: &str| Pat::Ident {
            name: n.to_string(),
            mutable: false,
        };
        Some(match self.rng.below(5) {
            0 | 1 => {
                let bare = self.rng.chance(0.3);
                Header {
                    pat: ident(&v),
                    iter: Iter::Elements {
                        slice: s,
                        rev: false,
                        bare,
                    },
                    trips: len as u32,
                    binds: vec![(v, elem(no_grad), 1.5)],
                }
            }
            2 | 3 if self.enabled(Construct::ForEnumerate) => {
                self.note(Construct::ForEnumerate);
                let i = self.fresh(&["i", "j", "m"]);
                Header {
                    pat: Pat::Tuple(vec![ident(&i), ident(&v)]),
                    iter: Iter::Enumerate(s),
                    trips: len as u32,
                    binds: vec![
                        (i, Kind::Usize { hi: len }, len as f64),
                        (v, elem(no_grad), 1.5),
                    ],
                }
            }
            _ if self.enabled(Construct::ForZip) => {
                self.note(Construct::ForZip);
                let (t, tlen, tng) = self.rng.pick(&slices).clone();
                let w = self.fresh(&["w", "e2", "yi"]);
                Header {
                    pat: Pat::Tuple(vec![ident(&v), ident(&w)]),
                    iter: Iter::Zip(s, t),
                    trips: len.min(tlen) as u32,
                    binds: vec![(v, elem(no_grad), 1.5), (w, elem(tng), 1.5)],
                }
            }
            _ => Header {
                pat: ident(&v),
                iter: Iter::Elements {
                    slice: s,
                    rev: false,
                    bare: false,
                },
                trips: len as u32,
                binds: vec![(v, elem(no_grad), 1.5)],
            },
        })
    }

    /// Opens the scope of a loop body and declares what its header binds.
    pub(super) fn enter_loop(&mut self, h: &Header, inner: &Ctx) {
        self.push_scope();
        for (name, kind, mag) in &h.binds {
            let v = Var {
                loop_level: inner.loop_level,
                ..Var::new(name, kind.clone(), *mag)
            };
            self.declare(v);
        }
    }

    /// A `for` loop: `prefix` first in the body, then `n` to `m` statements.
    fn for_loop(&mut self, ctx: &Ctx, h: Header, prefix: Vec<Stmt>, n: usize, m: usize) -> Stmt {
        let label = self.maybe_label();
        let inner = Gen::inside(ctx, h.trips, label.clone());
        self.enter_loop(&h, &inner);
        let mut stmts = prefix;
        stmts.extend(self.stmts(&inner, n, m));
        self.pop_scope();
        Stmt::For {
            label,
            pat: h.pat,
            iter: h.iter,
            body: Block::of(stmts),
        }
    }

    /// Declares an iteration counter `let mut k = 0;`.
    fn counter(&mut self, ctx: &Ctx) -> (String, Stmt) {
        let k = self.fresh(&["k", "k2", "k3", "k4"]);
        let v = Var {
            mutable: true,
            loop_level: ctx.loop_level,
            ..Var::new(&k, Kind::Counter, 10.0)
        };
        self.declare(v);
        let stmt = Stmt::Let {
            pat: Pat::Ident {
                name: k.clone(),
                mutable: true,
            },
            ty: None,
            init: Some(Expr::Int(0)),
        };
        (k, stmt)
    }

    fn increment(k: &str) -> Stmt {
        Stmt::Assign {
            targets: vec![k.to_string()],
            op: AssignOp::Add,
            rhs: Expr::Int(1),
        }
    }

    /// A condition on a float the loop may change: `s < 2.5`.
    fn loop_cond(&mut self) -> Expr {
        let muts = self.mutable_floats();
        if muts.is_empty() || self.rng.chance(0.3) {
            return self.cond(0);
        }
        let s = self.rng.pick(&muts).clone();
        let v = self.literal(0.5, 5.0);
        let op = *self.rng.pick(&[BinOp::Lt, BinOp::Gt]);
        Expr::bin(op, Expr::var(&s), Expr::lit(v))
    }

    /// `let mut k = 0; while cond && k < K { k += 1; .. }`
    fn while_loop(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::While);
        let limit = self.rng.range(2, room.min(10) as usize) as u32;
        let (k, init) = self.counter(ctx);
        let label = self.maybe_label();
        let c = self.loop_cond();
        let cond = Expr::bin(
            BinOp::And,
            c,
            Expr::bin(BinOp::Lt, Expr::var(&k), Expr::Int(u64::from(limit))),
        );
        let inner = Gen::inside(ctx, limit, label.clone());
        self.push_scope();
        let mut stmts = vec![Gen::increment(&k)];
        stmts.extend(self.stmts(&inner, 1, 4));
        self.pop_scope();
        vec![
            init,
            Stmt::While {
                label,
                cond,
                body: Block::of(stmts),
            },
        ]
    }

    /// `let mut k = 0; loop { k += 1; if k > K [|| c] { break; } .. }`
    fn loop_loop(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::Loop);
        self.note(Construct::Break);
        let limit = self.rng.range(1, room.min(8) as usize - 1) as u64;
        let (k, init) = self.counter(ctx);
        let label = self.maybe_label();
        let inner = Gen::inside(ctx, limit as u32 + 1, label.clone());
        let mut stop = Expr::bin(BinOp::Gt, Expr::var(&k), Expr::Int(limit));
        if self.rng.chance(0.4) {
            stop = Expr::bin(BinOp::Or, stop, self.loop_cond());
        }
        self.push_scope();
        let exit = Stmt::Expr(Expr::If(
            Box::new(stop),
            Block::of(vec![Stmt::Break {
                label: None,
                value: None,
            }]),
            None,
        ));
        let mut stmts = vec![Gen::increment(&k), exit];
        stmts.extend(self.stmts(&inner, 1, 4));
        self.pop_scope();
        vec![
            init,
            Stmt::Loop {
                label,
                body: Block::of(stmts),
            },
        ]
    }

    /// `'outer: for .. { .. for .. { .. if c { break 'outer; } .. } .. }`
    fn labelled_nest(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::LabelledLoop);
        self.note(Construct::NestedLoops);
        let label = self.fresh_label("outer");
        let mut outer_h = self.range_header(room / 2);
        outer_h.trips = outer_h.trips.max(1);
        let outer_ctx = Gen::inside(ctx, outer_h.trips, Some(label.clone()));
        self.enter_loop(&outer_h, &outer_ctx);
        let mut body = self.stmts(&outer_ctx, 0, 2);
        let inner_h = self.range_header((room / outer_h.trips).max(1));
        let inner_ctx = Gen::inside(&outer_ctx, inner_h.trips, None);
        self.enter_loop(&inner_h, &inner_ctx);
        let mut inner = self.stmts(&inner_ctx, 0, 2);
        let jump = if self.rng.chance(0.5) {
            Stmt::Break {
                label: Some(label.clone()),
                value: None,
            }
        } else {
            Stmt::Continue {
                label: Some(label.clone()),
            }
        };
        let c = self.cond(1);
        inner.push(Stmt::Expr(Expr::If(
            Box::new(c),
            Block::of(vec![jump]),
            None,
        )));
        inner.extend(self.stmts(&inner_ctx, 1, 2));
        self.pop_scope();
        body.push(Stmt::For {
            label: None,
            pat: inner_h.pat,
            iter: inner_h.iter,
            body: Block::of(inner),
        });
        body.extend(self.stmts(&outer_ctx, 0, 1));
        self.pop_scope();
        vec![Stmt::For {
            label: Some(label),
            pat: outer_h.pat,
            iter: outer_h.iter,
            body: Block::of(body),
        }]
    }

    /// A reduction loop: `let mut s = 0.0; for .. { s += e; }` (or `s = s + e`, `s -= e`, ..).
    fn accumulate(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::Accumulator);
        let s = self.fresh(&["s", "acc", "sum", "total"]);
        let annotate = self.rng.chance(0.3);
        let init = Stmt::Let {
            pat: Pat::Ident {
                name: s.clone(),
                mutable: true,
            },
            ty: annotate.then_some(Ty::F64),
            init: Some(Expr::lit(0.0)),
        };
        // Declared before the body so the body cannot take its name, but hidden (not
        // initialised) so it cannot read it.
        let hidden = Var {
            mutable: true,
            init: false,
            loop_level: ctx.loop_level,
            ..Var::new(&s, Kind::F64, 0.0)
        };
        self.declare(hidden);
        let h = if self.rng.chance(0.5) {
            self.slice_header(room)
        } else {
            None
        };
        let h = h.unwrap_or_else(|| self.range_header(room));
        let trips = h.trips.max(1);
        let inner = Gen::inside(ctx, trips, None);
        self.enter_loop(&h, &inner);
        let mut body = self.stmts(&inner, 0, 1);
        let term = self.fexpr(2);
        let term = self.bounded(term, 20.0);
        let elem = h.binds.last().map(|(n, k, _)| match k {
            Kind::Usize { .. } => Expr::Const(Box::new(Expr::Cast(Box::new(Expr::var(n))))),
            Kind::ConstRef => Expr::ConstRef(n.clone()),
            _ => Expr::var(n),
        });
        let rhs = match elem {
            Some(e) if self.rng.chance(0.7) => Expr::bin(BinOp::Mul, e, term.e),
            _ => term.e,
        };
        body.push(match self.rng.below(5) {
            0 | 1 => Stmt::Assign {
                targets: vec![s.clone()],
                op: AssignOp::Add,
                rhs,
            },
            2 => Stmt::Assign {
                targets: vec![s.clone()],
                op: AssignOp::Sub,
                rhs,
            },
            3 => Stmt::Assign {
                targets: vec![s.clone()],
                op: AssignOp::Set,
                rhs: Expr::bin(BinOp::Add, Expr::var(&s), rhs),
            },
            _ => Stmt::Assign {
                targets: vec![s.clone()],
                op: AssignOp::Set,
                rhs: Expr::bin(BinOp::Add, rhs, Expr::var(&s)),
            },
        });
        self.pop_scope();
        let mag = f64::from(trips) * term.mag * 5.0;
        if let Some(v) = self.lookup(&s) {
            (v.init, v.typed, v.mag) = (true, annotate, mag);
        }
        self.make_hot(&s);
        vec![
            init,
            Stmt::For {
                label: None,
                pat: h.pat,
                iter: h.iter,
                body: Block::of(body),
            },
        ]
    }

    /// A Clenshaw recurrence over a constant coefficient array, reversed.
    fn clenshaw(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::Clenshaw);
        self.note(Construct::ForConstArray);
        let n = self.rng.range(3, (room as usize).min(6));
        let coeffs: Vec<f64> = (0..n).map(|_| self.literal(-1.0, 1.0)).collect();
        let name = format!("CHEB{}", self.consts.len());
        self.consts.push((name.clone(), coeffs));
        let arg = self.typed_fexpr(2);
        let t = self.fresh(&["tt", "xc"]);
        let y2 = self.fresh(&["y2", "twice"]);
        let squashed = Expr::method(
            arg.e,
            if self.rng.chance(0.5) { "tanh" } else { "sin" },
            vec![],
        );
        let (d, dd) = (self.fresh(&["d", "bk"]), self.fresh(&["dd", "bk1", "bk2"]));
        let lit_let = |n: &str| Stmt::Let {
            pat: Pat::Ident {
                name: n.to_string(),
                mutable: true,
            },
            ty: None,
            init: Some(Expr::lit(0.0)),
        };
        let mut out = vec![
            Stmt::Let {
                pat: Pat::Ident {
                    name: t.clone(),
                    mutable: false,
                },
                ty: None,
                init: Some(squashed),
            },
            Stmt::Let {
                pat: Pat::Ident {
                    name: y2.clone(),
                    mutable: false,
                },
                ty: None,
                init: Some(Expr::bin(BinOp::Mul, Expr::lit(2.0), Expr::var(&t))),
            },
            lit_let(&d),
            lit_let(&dd),
        ];
        let tmp = self.fresh(&["tmp", "keep"]);
        let c = self.fresh(&["c", "coef"]);
        let step = Expr::bin(
            BinOp::Add,
            Expr::bin(
                BinOp::Sub,
                Expr::bin(BinOp::Mul, Expr::var(&y2), Expr::var(&d)),
                Expr::var(&dd),
            ),
            Expr::ConstRef(c.clone()),
        );
        let body = vec![
            Stmt::Let {
                pat: Pat::Ident {
                    name: tmp.clone(),
                    mutable: false,
                },
                ty: None,
                init: Some(Expr::var(&d)),
            },
            Stmt::Assign {
                targets: vec![d.clone()],
                op: AssignOp::Set,
                rhs: step,
            },
            Stmt::Assign {
                targets: vec![dd.clone()],
                op: AssignOp::Set,
                rhs: Expr::var(&tmp),
            },
        ];
        out.push(Stmt::For {
            label: None,
            pat: Pat::Ident {
                name: c,
                mutable: false,
            },
            iter: Iter::Elements {
                slice: name,
                rev: true,
                bare: false,
            },
            body: Block::of(body),
        });
        let r = self.fresh_float();
        let value = Expr::bin(
            BinOp::Sub,
            Expr::bin(BinOp::Mul, Expr::var(&t), Expr::var(&d)),
            Expr::var(&dd),
        );
        out.push(Stmt::Let {
            pat: Pat::Ident {
                name: r.clone(),
                mutable: false,
            },
            ty: None,
            init: Some(value),
        });
        for (name, mutable, mag) in [
            (&t, false, 1.0),
            (&y2, false, 2.0),
            (&d, true, 10.0),
            (&dd, true, 10.0),
            (&r, false, 20.0),
        ] {
            self.declare_float(ctx, name, mutable, true, mag);
        }
        self.make_hot(&r);
        out
    }

    /// `let s0 = s;` before a loop that changes `s`; both are read after it.
    fn saved_before_loop(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::CopyAlias);
        let muts = self.mutable_floats();
        let s = self.rng.pick(&muts).clone();
        let (mag, t) = self.lookup(&s).map_or((1.0, true), |v| (v.mag, v.typed));
        let s0 = self.fresh(&["s0", "before", "init"]);
        let copy = Stmt::Let {
            pat: Pat::Ident {
                name: s0.clone(),
                mutable: false,
            },
            ty: None,
            init: Some(Expr::var(&s)),
        };
        let h = self.range_header(room.min(6));
        let inner = Gen::inside(ctx, h.trips.max(1), None);
        self.enter_loop(&h, &inner);
        // The assignment comes first: statements before it could shadow `s`.
        let mut body = vec![self.assign_to(&inner, &s)];
        body.extend(self.stmts(&inner, 0, 2));
        self.pop_scope();
        self.declare_float(ctx, &s0, false, t, mag);
        self.make_hot(&s0);
        self.make_hot(&s);
        vec![
            copy,
            Stmt::For {
                label: None,
                pat: h.pat,
                iter: h.iter,
                body: Block::of(body),
            },
        ]
    }
}
