//! Arrays of floats as values: literals (`let v = [a * b, b, 2.0];`),
//! constant indices (`v[0]`), array patterns (`let [p, _, q] = v;`) and
//! mutable arrays assigned whole (`v = [v[1], v[0] * 0.5 + a];`).

use super::expr::{typed, F};
use super::tuples::{ident, ARRAY_NAMES};
use super::{Ctx, Gen, Kind};
use crate::fuzz::ast::*;

impl Gen<'_> {
    /// `let v = [e1, e2, ..];` (sometimes `: [f64; N]`).
    pub fn array_literal(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::ArrayLiteral);
        let (e, n, any_typed, mag) = self.array_expr();
        let annotate = self.enabled(Construct::TypeAnnotation) && self.rng.chance(0.15);
        if annotate {
            self.note(Construct::TypeAnnotation);
        }
        let name = self.fresh(ARRAY_NAMES);
        let mutable = self.enabled(Construct::ArrayUpdate) && self.rng.chance(0.3);
        self.declare_aggregate(ctx, &name, Kind::Array(n), mutable, mag);
        if let Some(v) = self.lookup(&name) {
            v.typed = annotate || any_typed;
        }
        self.make_hot(&name);
        vec![Stmt::Let {
            pat: ident(&name, mutable),
            ty: annotate.then_some(Ty::Array(n)),
            init: Some(e),
        }]
    }

    /// `v = [v[1], v[0] * 0.5 + e, ..];` for a mutable array (within the
    /// old bound when carried through a loop).
    pub fn array_update(&mut self, ctx: &Ctx, a: &str) -> Option<Stmt> {
        let v = self.lookup(a)?.clone();
        let Kind::Array(n) = v.kind else {
            return None;
        };
        self.note(Construct::ArrayUpdate);
        let carried = ctx.loop_level > v.loop_level;
        let limit = if carried { v.mag.max(4.0) } else { 1e3 };
        let (mut items, mut mag) = (Vec::new(), 0.0f64);
        for k in 0..n {
            let src = if self.rng.chance(0.6) {
                k
            } else {
                self.rng.below(n)
            };
            let old = Expr::Index(a.to_string(), Box::new(Expr::Int(src as u64)));
            let f = self.fexpr(2);
            let f = if self.rng.chance(0.25) {
                f
            } else {
                let k = self.literal(0.25, 0.9);
                F {
                    e: Expr::bin(BinOp::Add, Expr::bin(BinOp::Mul, old, Expr::lit(k)), f.e),
                    mag: v.mag * k + f.mag,
                }
            };
            let f = self.bounded(f, limit);
            mag = mag.max(f.mag);
            items.push(f.e);
        }
        self.read(a);
        self.bump(a, mag);
        Some(Stmt::Assign {
            targets: vec![a.to_string()],
            op: AssignOp::Set,
            rhs: Expr::Array(items),
        })
    }

    /// `[e1, e2, ..]`: its length, whether an element is typed, its magnitude.
    fn array_expr(&mut self) -> (Expr, usize, bool, f64) {
        let n = self.rng.range(2, 4);
        let (mut items, mut any_typed, mut mag) = (Vec::new(), false, 0.0f64);
        for _ in 0..n {
            let f = self.element();
            any_typed |= typed(self, &f.e);
            mag = mag.max(f.mag);
            items.push(f.e);
        }
        (Expr::Array(items), n, any_typed, mag)
    }

    /// An array pattern over `n` floats: names (declared) and `_`.
    pub fn array_pat(&mut self, ctx: &Ctx, n: usize, is_typed: bool, mag: f64) -> Pat {
        self.note(Construct::ArrayPattern);
        let mut items = Vec::new();
        for k in 0..n {
            if self.rng.chance(0.25) && !(k + 1 == n && items.iter().all(|p| *p == Pat::Wild)) {
                items.push(Pat::Wild);
                continue;
            }
            let name = self.fresh_float();
            let mutable = self.rng.chance(0.2);
            self.declare_float(ctx, &name, mutable, is_typed, mag);
            self.make_hot(&name);
            items.push(ident(&name, mutable));
        }
        Pat::Array(items)
    }

    /// `let [p, q] = v;` for an array in scope, or `let [p, _, r] = [e1, e2, e3];`.
    pub fn array_pattern(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let arrays: Vec<(String, usize, bool, f64)> = self
            .visible()
            .iter()
            .filter_map(|v| match v.kind {
                Kind::Array(n) if v.init => Some((v.name.clone(), n, v.typed, v.mag)),
                _ => None,
            })
            .collect();
        let (init, n, is_typed, mag) = if !arrays.is_empty() && self.rng.chance(0.6) {
            let (a, n, t, m) = self.rng.pick(&arrays).clone();
            self.read(&a);
            (Expr::var(&a), n, t, m)
        } else if self.enabled(Construct::ArrayLiteral) {
            self.note(Construct::ArrayLiteral);
            let (e, n, t, m) = self.array_expr();
            (e, n, t, m)
        } else {
            return None;
        };
        let pat = self.array_pat(ctx, n, is_typed, mag);
        Some(vec![Stmt::Let {
            pat,
            ty: None,
            init: Some(init),
        }])
    }
}
