//! Branches: `if` as a statement and as a value, `match` on integers and on
//! floats with binding patterns and guards, early `return`, `break` and
//! `continue` (plain, labelled, and with a value out of a labelled block).

use super::expr::{typed, F};
use super::{Breakable, Ctx, Gen, Kind, Var};
use crate::fuzz::ast::*;

impl Gen<'_> {
    /// `if c { .. } [else if c { .. }] [else { .. }]` as a statement.
    pub fn if_stmt(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::If);
        let inner = ctx.deeper();
        let c = self.cond(1);
        let then = self.scoped(&inner, 1, 3, |_| Vec::new());
        let els = match self.rng.below(3) {
            0 => None,
            1 => Some(Expr::Else(self.scoped(&inner, 1, 2, |_| Vec::new()))),
            _ => {
                let c2 = self.cond(0);
                let mid = self.scoped(&inner, 1, 2, |_| Vec::new());
                let last = if self.rng.chance(0.5) {
                    Some(Box::new(Expr::Else(
                        self.scoped(&inner, 1, 2, |_| Vec::new()),
                    )))
                } else {
                    None
                };
                Some(Expr::If(Box::new(c2), mid, last))
            }
        };
        vec![Stmt::Expr(Expr::If(Box::new(c), then, els.map(Box::new)))]
    }

    /// `let z = if c { ..; e1 } else if .. { .. } else { ..; e2 };`
    pub fn if_value(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::IfValue);
        let inner = ctx.deeper();
        let c = self.cond(1);
        let (then, f1) = self.valued(&inner, 0, 2);
        let (els, mag, t) = if self.rng.chance(0.3) {
            let c2 = self.cond(0);
            let (mid, f2) = self.valued(&inner, 0, 2);
            let (last, f3) = self.valued(&inner, 0, 1);
            let t = typed(self, &f2.e) || typed(self, &f3.e);
            (
                Expr::If(Box::new(c2), mid, Some(Box::new(Expr::Else(last)))),
                f2.mag.max(f3.mag),
                t,
            )
        } else {
            let (last, f2) = self.valued(&inner, 0, 2);
            let t = typed(self, &f2.e);
            (Expr::Else(last), f2.mag, t)
        };
        let z = self.fresh_float();
        let t = t || typed(self, &f1.e);
        let mutable = self.rng.chance(0.3);
        self.declare_float(ctx, &z, mutable, t, f1.mag.max(mag));
        let init = Expr::If(Box::new(c), then, Some(Box::new(els)));
        vec![Stmt::Let {
            pat: Pat::Ident { name: z, mutable },
            ty: None,
            init: Some(init),
        }]
    }

    /// `match n % 3 { 0 => .., 1 | 2 => .., _ => .. }`, as a value or a statement.
    pub fn match_int(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let ints = self.names(|v| matches!(v.kind, Kind::Usize { .. }));
        if ints.is_empty() {
            return None;
        }
        let i = self.rng.pick(&ints).clone();
        self.note(Construct::MatchInt);
        let (scrutinee, pats) = if self.rng.chance(0.5) {
            let m = self.rng.range(2, 3) as u64;
            let pats = if m == 2 {
                vec![vec![0]]
            } else {
                vec![vec![0], vec![1]]
            };
            (Expr::bin(BinOp::Rem, Expr::var(&i), Expr::Int(m)), pats)
        } else {
            (Expr::var(&i), vec![vec![0], vec![1, 2]])
        };
        let inner = ctx.deeper();
        let as_value = self.rng.chance(0.5);
        let mut arms = Vec::new();
        let mut mag: f64 = 0.0;
        let mut t = false;
        let all_pats: Vec<MatchPat> = pats
            .into_iter()
            .map(MatchPat::Int)
            .chain([MatchPat::Wild])
            .collect();
        for pat in all_pats {
            let body = if as_value {
                let (b, f) = self.valued(&inner, 0, 1);
                mag = mag.max(f.mag);
                t |= typed(self, &f.e);
                if b.stmts.is_empty() {
                    *b.tail.expect("a tail")
                } else {
                    Expr::Block(b)
                }
            } else {
                Expr::Block(self.scoped(&inner, 1, 2, |_| Vec::new()))
            };
            arms.push(Arm {
                pat,
                guard: None,
                body,
            });
        }
        let m = Expr::Match(Box::new(scrutinee), arms);
        if !as_value {
            return Some(vec![Stmt::Expr(m)]);
        }
        let z = self.fresh_float();
        self.declare_float(ctx, &z, false, t, mag);
        Some(vec![Stmt::Let {
            pat: Pat::Ident {
                name: z,
                mutable: false,
            },
            ty: None,
            init: Some(m),
        }])
    }

    /// Declares a match binding with the magnitude of what it binds.
    fn bind(&mut self, ctx: &Ctx, name: &str, mag: f64, is_typed: bool) {
        let v = Var {
            typed: is_typed,
            loop_level: ctx.loop_level,
            ..Var::new(name, Kind::F64, mag)
        };
        self.declare(v);
    }

    /// `match y { v if v > c => .., v => .. }` or `match (a, b) { (p, q) if p > q => .., (p, _) => .. }`.
    pub fn match_binding(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let floats = self.floats();
        if floats.is_empty() {
            return None;
        }
        let tuple =
            floats.len() >= 2 && self.enabled(Construct::MatchTuple) && self.rng.chance(0.4);
        let picks: Vec<String> = if tuple {
            let a = self.rng.pick(&floats).clone();
            let rest: Vec<String> = floats.iter().filter(|n| **n != a).cloned().collect();
            vec![a, self.rng.pick(&rest).clone()]
        } else {
            vec![self.rng.pick(&floats).clone()]
        };
        let info: Vec<(f64, bool)> = picks
            .iter()
            .map(|n| self.lookup(n).map_or((1.0, true), |v| (v.mag, v.typed)))
            .collect();
        self.note(Construct::MatchBinding);
        if tuple {
            self.note(Construct::MatchTuple);
        }
        let inner = ctx.deeper();
        let as_value = self.rng.chance(0.6);
        let n_arms = self.rng.range(2, 3);
        let mut arms = Vec::new();
        let mut mag: f64 = 0.0;
        let mut t = false;
        for k in 0..n_arms {
            let last = k + 1 == n_arms;
            self.push_scope();
            let names: Vec<String> = (0..picks.len())
                .map(|j| self.fresh(&[["v", "p"][j], ["w", "q"][j]]))
                .collect();
            let wild = last && self.rng.chance(0.3);
            let mut pats = Vec::new();
            for (j, name) in names.iter().enumerate() {
                if wild || (j == 1 && last && self.rng.chance(0.5)) {
                    pats.push(MatchPat::Wild);
                } else {
                    self.bind(&inner, name, info[j].0, info[j].1);
                    pats.push(MatchPat::Bind(name.clone()));
                }
            }
            let guard = if last || !self.enabled(Construct::MatchGuard) {
                None
            } else {
                self.note(Construct::MatchGuard);
                Some(self.guard(&pats))
            };
            let body = if as_value {
                let (b, f) = self.valued(&inner, 0, 1);
                mag = mag.max(f.mag);
                t |= typed(self, &f.e);
                if b.stmts.is_empty() {
                    *b.tail.expect("a tail")
                } else {
                    Expr::Block(b)
                }
            } else {
                Expr::Block(Block::of(self.stmts(&inner, 1, 2)))
            };
            self.pop_scope();
            let pat = if tuple {
                MatchPat::Tuple(pats)
            } else {
                pats.remove(0)
            };
            arms.push(Arm { pat, guard, body });
        }
        let scrutinee = if tuple {
            Expr::Tuple(picks.iter().map(|n| Expr::var(n)).collect())
        } else {
            Expr::var(&picks[0])
        };
        let m = Expr::Match(Box::new(scrutinee), arms);
        if !as_value {
            return Some(vec![Stmt::Expr(m)]);
        }
        let z = self.fresh_float();
        self.declare_float(ctx, &z, false, t, mag);
        self.make_hot(&z);
        Some(vec![Stmt::Let {
            pat: Pat::Ident {
                name: z,
                mutable: false,
            },
            ty: None,
            init: Some(m),
        }])
    }

    /// A guard reading the arm's bindings: `v > 0.5`, `p > q`.
    fn guard(&mut self, pats: &[MatchPat]) -> Expr {
        let bound: Vec<String> = pats
            .iter()
            .filter_map(|p| match p {
                MatchPat::Bind(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let op = *self.rng.pick(&[BinOp::Lt, BinOp::Gt, BinOp::Le, BinOp::Ge]);
        match bound.len() {
            0 => self.cond(0),
            1 => {
                let v = self.literal(0.0, 1.5);
                Expr::bin(op, Expr::var(&bound[0]), Expr::lit(v))
            }
            _ => Expr::bin(op, Expr::var(&bound[0]), Expr::var(&bound[1])),
        }
    }

    /// `if c { ..; return e; }`
    pub fn early_return(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::Return);
        let c = self.cond(1);
        let then = self.scoped(&ctx.deeper(), 0, 1, |g| {
            let e = g.return_value();
            vec![Stmt::Return(e)]
        });
        vec![Stmt::Expr(Expr::If(Box::new(c), then, None))]
    }

    /// `if c { break; }`, `continue`, labelled forms, or `break 'a value` out of a labelled block.
    pub fn jump(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let innermost_loop = matches!(ctx.breakables.last(), Some(Breakable::Loop(_)));
        let mut options: Vec<Stmt> = Vec::new();
        if innermost_loop && self.enabled(Construct::Break) {
            options.push(Stmt::Break {
                label: None,
                value: None,
            });
        }
        if innermost_loop && self.enabled(Construct::Continue) {
            options.push(Stmt::Continue { label: None });
        }
        for b in &ctx.breakables {
            match b {
                Breakable::Loop(Some(l)) if self.enabled(Construct::LabelledLoop) => {
                    options.push(Stmt::Break {
                        label: Some(l.clone()),
                        value: None,
                    });
                    options.push(Stmt::Continue {
                        label: Some(l.clone()),
                    });
                }
                Breakable::Block(l) => {
                    let f: F = self.fexpr(2);
                    options.push(Stmt::Break {
                        label: Some(l.clone()),
                        value: Some(f.e),
                    });
                }
                _ => {}
            }
        }
        if options.is_empty() {
            return None;
        }
        let jump = self.rng.pick(&options).clone();
        match &jump {
            Stmt::Break {
                label: Some(_),
                value: None,
            }
            | Stmt::Continue { label: Some(_) } => self.note(Construct::LabelledLoop),
            Stmt::Break { value: Some(_), .. } => self.note(Construct::LabelledBlock),
            Stmt::Continue { .. } => self.note(Construct::Continue),
            _ => self.note(Construct::Break),
        }
        let c = self.cond(1);
        let then = self.scoped(&ctx.deeper(), 0, 1, |_| vec![jump]);
        Some(vec![Stmt::Expr(Expr::If(Box::new(c), then, None))])
    }
}
