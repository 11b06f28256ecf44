//! Tuples joined by branches: `let t = if c { (..) } else { (..) };`,
//! `let t = match .. { .. => (..), .. };`, and `if c { t = (..); }`.

use super::tuples::{ident, merge, same_structure, TUPLE_NAMES};
use super::{Ctx, Gen, Kind, Shape, Var};
use crate::fuzz::ast::*;

impl Gen<'_> {
    /// A branch whose value is a tuple of the structure `of`: `{ ..; (e1, e2) }`.
    fn tuple_branch(&mut self, ctx: &Ctx, of: &[Shape]) -> (Block, Vec<Shape>, f64) {
        self.push_scope();
        let stmts = self.stmts(ctx, 0, 2);
        let same: Vec<(String, Vec<Shape>, f64)> = self
            .visible()
            .iter()
            .filter_map(|v| match &v.kind {
                Kind::Tuple(s) if v.init && same_structure(s, of) => {
                    Some((v.name.clone(), s.clone(), v.mag))
                }
                _ => None,
            })
            .collect();
        let (e, shapes, mag) = if !same.is_empty() && self.rng.chance(0.25) {
            let (n, s, m) = self.rng.pick(&same).clone();
            self.read(&n);
            (Expr::var(&n), s, m)
        } else {
            self.tuple_expr(of)
        };
        self.pop_scope();
        (Block::with_tail(stmts, e), shapes, mag)
    }

    /// Tuples joined by a branch: `let t = if c { (..) } else { (..) };`,
    /// `let t = match .. { .. => (..), .. }`, or `if c { t = (..); }`.
    pub fn tuple_join(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::TupleJoin);
        let inner = ctx.deeper();
        let mut_tuples = self.tuples(true);
        let form = self.rng.below(4);
        if form == 0 && !mut_tuples.is_empty() {
            let t = self.rng.pick(&mut_tuples).clone();
            let c = self.cond(1);
            let branch = |g: &mut Gen| {
                g.scoped(&inner, 0, 1, |g| {
                    g.tuple_update(&inner, &t).into_iter().collect()
                })
            };
            let then = branch(self);
            let els = if self.rng.chance(0.5) {
                Some(Box::new(Expr::Else(branch(self))))
            } else {
                None
            };
            self.make_hot(&t);
            return vec![Stmt::Expr(Expr::If(Box::new(c), then, els))];
        }
        let nested = self.enabled(Construct::NestedTuple) && self.rng.chance(0.2);
        if nested {
            self.note(Construct::NestedTuple);
        }
        let of = self.template(nested);
        let (init, shapes, mag) = match form {
            1 => match self.tuple_match(&inner, &of) {
                Some(m) => m,
                None => self.tuple_if(&inner, &of),
            },
            _ => self.tuple_if(&inner, &of),
        };
        let name = self.fresh(TUPLE_NAMES);
        let mutable = self.rng.chance(0.3);
        self.declare_aggregate(ctx, &name, Kind::Tuple(shapes), mutable, mag);
        self.make_hot(&name);
        vec![Stmt::Let {
            pat: ident(&name, mutable),
            ty: None,
            init: Some(init),
        }]
    }

    /// `if c { ..; (..) } [else if c2 { ..; (..) }] else { ..; (..) }`.
    fn tuple_if(&mut self, inner: &Ctx, of: &[Shape]) -> (Expr, Vec<Shape>, f64) {
        let c = self.cond(1);
        let (then, s1, m1) = self.tuple_branch(inner, of);
        let (els, s2, m2) = if self.rng.chance(0.3) {
            let c2 = self.cond(0);
            let (mid, s2, m2) = self.tuple_branch(inner, of);
            let (last, s3, m3) = self.tuple_branch(inner, of);
            let e = Expr::If(Box::new(c2), mid, Some(Box::new(Expr::Else(last))));
            (e, merge(&s2, &s3), m2.max(m3))
        } else {
            let (last, s2, m2) = self.tuple_branch(inner, of);
            (Expr::Else(last), s2, m2)
        };
        let e = Expr::If(Box::new(c), then, Some(Box::new(els)));
        (e, merge(&s1, &s2), m1.max(m2))
    }

    /// `match n % 2 { 0 => (..), _ => (..) }` or
    /// `match y { v if v > 0.5 => (..), v => (..) }`.
    fn tuple_match(&mut self, inner: &Ctx, of: &[Shape]) -> Option<(Expr, Vec<Shape>, f64)> {
        let ints = self.names(|v| matches!(v.kind, Kind::Usize { .. }));
        let floats = self.floats();
        let (scrutinee, pats, bound) = if !ints.is_empty() && self.enabled(Construct::MatchInt) {
            self.note(Construct::MatchInt);
            let i = self.rng.pick(&ints).clone();
            let e = Expr::bin(BinOp::Rem, Expr::var(&i), Expr::Int(2));
            (e, vec![MatchPat::Int(vec![0]), MatchPat::Wild], None)
        } else if !floats.is_empty() && self.enabled(Construct::MatchBinding) {
            self.note(Construct::MatchBinding);
            let y = self.rng.pick(&floats).clone();
            let (mag, t) = self.lookup(&y).map_or((1.0, true), |v| (v.mag, v.typed));
            self.read(&y);
            let v = self.fresh(&["v", "w"]);
            let pats = vec![MatchPat::Bind(v.clone()), MatchPat::Bind(v.clone())];
            (Expr::var(&y), pats, Some((v, mag, t)))
        } else {
            return None;
        };
        let mut arms = Vec::new();
        let (mut shapes, mut mag): (Option<Vec<Shape>>, f64) = (None, 0.0);
        let n = pats.len();
        for (k, pat) in pats.into_iter().enumerate() {
            self.push_scope();
            let mut guard = None;
            if let Some((v, m, t)) = &bound {
                self.declare(Var {
                    typed: *t,
                    loop_level: inner.loop_level,
                    ..Var::new(v, Kind::F64, *m)
                });
                if k + 1 < n && self.enabled(Construct::MatchGuard) {
                    self.note(Construct::MatchGuard);
                    let lim = self.literal(0.0, 1.0);
                    guard = Some(Expr::bin(BinOp::Gt, Expr::var(v), Expr::lit(lim)));
                }
            }
            let (b, s, m) = self.tuple_branch(inner, of);
            self.pop_scope();
            shapes = Some(match shapes {
                None => s,
                Some(prev) => merge(&prev, &s),
            });
            mag = mag.max(m);
            let body = if b.stmts.is_empty() {
                *b.tail.expect("a tail")
            } else {
                Expr::Block(b)
            };
            arms.push(Arm { pat, guard, body });
        }
        let e = Expr::Match(Box::new(scrutinee), arms);
        Some((e, shapes.unwrap_or_default(), mag))
    }
}
