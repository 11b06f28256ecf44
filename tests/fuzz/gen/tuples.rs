//! Tuples and arrays as values: tuple-valued locals read by `.0` and taken
//! apart by patterns (nested too), tuples carried through loops, destructuring
//! assignment from tuple values; the choice among these, `joins.rs` (tuples
//! joined by `if`/`match`), `arrays.rs` and `helpers.rs` (calls to helpers
//! returning tuples and arrays).

use super::expr::{typed, F};
use super::{Ctx, Gen, Kind, Shape, Var, MAX_DEPTH, MAX_TRIPS};
use crate::fuzz::ast::*;

/// Names for tuple locals.
pub const TUPLE_NAMES: &[&str] = &["tp", "pair", "st", "tq", "tw"];
/// Names for array locals.
pub const ARRAY_NAMES: &[&str] = &["arr", "vs", "ws", "av"];

/// The constructs of this file and `helpers.rs` that make statements.
const STATEMENTS: &[Construct] = &[
    Construct::TupleValue,
    Construct::NestedTuple,
    Construct::TuplePattern,
    Construct::TupleLoop,
    Construct::TupleJoin,
    Construct::TupleAssign,
    Construct::HelperTuple,
    Construct::HelperArray,
    Construct::ArrayLiteral,
    Construct::ArrayPattern,
    Construct::ArrayUpdate,
];

/// The paths to the float leaves of a tuple (`[0, 1]` for `t.0.1`), each
/// with whether rustc knows it is `f64`.
pub fn leaves(items: &[Shape]) -> Vec<(Vec<usize>, bool)> {
    let mut out = Vec::new();
    for (k, s) in items.iter().enumerate() {
        match s {
            Shape::F(t) => out.push((vec![k], *t)),
            Shape::T(inner) => out.extend(leaves(inner).into_iter().map(|(mut p, t)| {
                p.insert(0, k);
                (p, t)
            })),
        }
    }
    out
}

/// `base.p0.p1 ..`
pub fn field(base: Expr, path: &[usize]) -> Expr {
    path.iter().fold(base, |e, k| Expr::Field(Box::new(e), *k))
}

/// The shapes of a helper's tuple output (every float an `f64`).
pub fn out_shapes(o: &Out) -> Vec<Shape> {
    match o {
        Out::Tuple(items) => items
            .iter()
            .map(|o| match o {
                Out::Tuple(_) => Shape::T(out_shapes(o)),
                _ => Shape::F(true),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `n` floats.
pub fn flat(n: usize) -> Vec<Shape> {
    vec![Shape::F(true); n]
}

/// Whether two tuples have the same structure (typedness aside).
pub fn same_structure(a: &[Shape], b: &[Shape]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Shape::F(_), Shape::F(_)) => true,
            (Shape::T(x), Shape::T(y)) => same_structure(x, y),
            _ => false,
        })
}

/// Element-wise: typed if either is (rustc unifies the arms of a join).
pub fn merge(a: &[Shape], b: &[Shape]) -> Vec<Shape> {
    a.iter()
        .zip(b)
        .map(|(x, y)| match (x, y) {
            (Shape::F(s), Shape::F(t)) => Shape::F(*s || *t),
            (Shape::T(x), Shape::T(y)) => Shape::T(merge(x, y)),
            (x, _) => x.clone(),
        })
        .collect()
}

pub fn ident(name: &str, mutable: bool) -> Pat {
    Pat::Ident {
        name: name.to_string(),
        mutable,
    }
}

impl Gen<'_> {
    /// The weight of tuple and array statements among all statements.
    pub fn aggregate_weight(&self, ctx: &Ctx) -> u32 {
        if !STATEMENTS.iter().any(|c| self.enabled(*c)) {
            0
        } else if ctx.depth == 0 {
            4
        } else {
            3
        }
    }

    /// Visible, initialised tuple locals (mutable ones only, when `mutable`).
    pub fn tuples(&self, mutable: bool) -> Vec<String> {
        self.names(|v| matches!(v.kind, Kind::Tuple(_)) && v.init && (v.mutable || !mutable))
    }

    /// Visible tuples and arrays whose elements may be read.
    pub fn aggregates(&self) -> Vec<String> {
        let (fields, index) = (
            self.enabled(Construct::TupleField),
            self.enabled(Construct::ArrayIndex),
        );
        self.names(|v| {
            v.init
                && match v.kind {
                    Kind::Tuple(_) => fields,
                    Kind::Array(_) => index,
                    _ => false,
                }
        })
    }

    /// Declares a tuple or array local.
    pub fn declare_aggregate(
        &mut self,
        ctx: &Ctx,
        name: &str,
        kind: Kind,
        mutable: bool,
        mag: f64,
    ) {
        let v = Var {
            mutable,
            loop_level: ctx.loop_level,
            ..Var::new(name, kind, mag)
        };
        self.declare(v);
    }

    /// One element of tuple or array `name`: `t.1`, `t.0.1`, `v[2]`.
    pub fn aggregate_read(&mut self, name: &str) -> Option<F> {
        let v = self.lookup(name)?.clone();
        let e = match &v.kind {
            Kind::Tuple(items) if self.enabled(Construct::TupleField) => {
                let all = leaves(items);
                let path = self.rng.pick(&all).0.clone();
                self.note(Construct::TupleField);
                if path.len() > 1 {
                    self.note(Construct::NestedTuple);
                }
                field(Expr::var(name), &path)
            }
            Kind::Array(n) if self.enabled(Construct::ArrayIndex) => {
                self.note(Construct::ArrayIndex);
                let k = self.rng.below(*n) as u64;
                Expr::Index(name.to_string(), Box::new(Expr::Int(k)))
            }
            _ => return None,
        };
        self.read(name);
        Some(F { e, mag: v.mag })
    }

    /// Terms of the body's value reading the tuples and arrays it made.
    pub fn aggregate_tail(&mut self) -> Vec<Expr> {
        let all = self.aggregates();
        let mut names: Vec<String> = self
            .hot
            .iter()
            .filter(|h| all.contains(h))
            .cloned()
            .collect();
        for n in &all {
            if !names.contains(n) && self.lookup(n).is_some_and(|v| v.reads == 0) {
                names.push(n.clone());
            }
        }
        names.truncate(4);
        let mut out = Vec::new();
        for n in names {
            for _ in 0..self.rng.range(1, 2) {
                out.extend(self.aggregate_read(&n).map(|f| f.e));
            }
        }
        out
    }

    /// A statement making or taking apart a tuple or an array.
    pub fn aggregate_stmt(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let deep = ctx.depth < MAX_DEPTH && !self.straight;
        let room = MAX_TRIPS / ctx.mult;
        let tuples = !self.tuples(false).is_empty();
        let mut_tuples = self.tuples(true);
        let mut_arrays = self.names(|v| matches!(v.kind, Kind::Array(_)) && v.init && v.mutable);
        let muts = self.mutable_floats().len();
        let on = |g: &Gen, c: Construct, w: u32| if g.enabled(c) { w } else { 0 };
        let weights = [
            on(self, Construct::TupleValue, 4),
            if self.enabled(Construct::TupleValue) {
                on(self, Construct::NestedTuple, 2)
            } else {
                0
            },
            if tuples {
                on(self, Construct::TuplePattern, 3)
            } else {
                0
            },
            if deep && room >= 2 {
                on(self, Construct::TupleLoop, 3)
            } else {
                0
            },
            if deep {
                on(self, Construct::TupleJoin, 3)
            } else {
                0
            },
            if muts >= 2 {
                on(self, Construct::TupleAssign, 2)
            } else {
                0
            },
            on(self, Construct::ArrayLiteral, 3),
            on(self, Construct::ArrayPattern, 2),
            if self.can_call(false) {
                on(self, Construct::HelperTuple, 2)
            } else {
                0
            },
            if self.can_call(true) {
                on(self, Construct::HelperArray, 2)
            } else {
                0
            },
            if mut_tuples.is_empty() {
                0
            } else {
                on(self, Construct::TupleValue, 3)
            },
            if mut_arrays.is_empty() {
                0
            } else {
                on(self, Construct::ArrayUpdate, 3)
            },
        ];
        if weights.iter().all(|&w| w == 0) {
            return None;
        }
        match self.rng.weighted(&weights) {
            0 => Some(self.tuple_value(ctx, false)),
            1 => Some(self.tuple_value(ctx, true)),
            2 => self.tuple_pattern(ctx),
            3 => Some(self.tuple_loop(ctx, room)),
            4 => Some(self.tuple_join(ctx)),
            5 => self.tuple_assign(ctx),
            6 => Some(self.array_literal(ctx)),
            7 => self.array_pattern(ctx),
            8 => self.helper_call(ctx, false),
            9 => self.helper_call(ctx, true),
            10 => {
                let t = self.rng.pick(&mut_tuples).clone();
                let update = self.tuple_update(ctx, &t)?;
                self.note(Construct::TupleValue);
                Some(vec![update])
            }
            _ => {
                let a = self.rng.pick(&mut_arrays).clone();
                self.array_update(ctx, &a).map(|s| vec![s])
            }
        }
    }

    /// A tuple of floats, sometimes with a tuple inside.
    pub fn template(&mut self, nested: bool) -> Vec<Shape> {
        if !nested {
            let n = if self.rng.chance(0.15) {
                4
            } else {
                self.rng.range(2, 3)
            };
            return flat(n);
        }
        match self.rng.below(3) {
            0 => vec![Shape::T(flat(2)), Shape::F(true)],
            1 => vec![Shape::F(true), Shape::T(flat(2))],
            _ => vec![Shape::T(flat(2)), Shape::T(flat(2))],
        }
    }

    /// A float for a tuple or an array: an expression, sometimes a bare literal.
    pub fn element(&mut self) -> F {
        if self.rng.chance(0.15) {
            let v = self.literal(0.0, 2.0);
            F {
                e: Expr::lit(v),
                mag: v,
            }
        } else {
            self.fexpr(2)
        }
    }

    /// A tuple expression of the structure `of`, the shapes of its elements and its magnitude.
    pub fn tuple_expr(&mut self, of: &[Shape]) -> (Expr, Vec<Shape>, f64) {
        let (mut items, mut shapes, mut mag) = (Vec::new(), Vec::new(), 0.0f64);
        for s in of {
            match s {
                Shape::F(_) => {
                    let f = self.element();
                    shapes.push(Shape::F(typed(self, &f.e)));
                    mag = mag.max(f.mag);
                    items.push(f.e);
                }
                Shape::T(inner) => {
                    let (e, sh, m) = self.tuple_expr(inner);
                    items.push(e);
                    shapes.push(Shape::T(sh));
                    mag = mag.max(m);
                }
            }
        }
        (Expr::Tuple(items), shapes, mag)
    }

    /// A pattern taking apart a tuple of `shapes`, declaring what it binds:
    /// floats, `_`, or an inner tuple bound whole.
    pub fn tuple_pat(&mut self, ctx: &Ctx, shapes: &[Shape], mag: f64) -> Pat {
        let mut items = Vec::new();
        let mut named = 0;
        for (k, s) in shapes.iter().enumerate() {
            let last = k + 1 == shapes.len();
            match s {
                Shape::F(t) => {
                    if self.rng.chance(0.2) && !(last && named == 0) {
                        items.push(Pat::Wild);
                        continue;
                    }
                    let name = self.fresh_float();
                    let mutable = self.rng.chance(0.25);
                    self.declare_float(ctx, &name, mutable, *t, mag);
                    if named == 0 {
                        self.make_hot(&name);
                    }
                    items.push(ident(&name, mutable));
                }
                Shape::T(inner) => {
                    self.note(Construct::NestedTuple);
                    if self.rng.chance(0.3) {
                        let name = self.fresh(TUPLE_NAMES);
                        self.declare_aggregate(ctx, &name, Kind::Tuple(inner.clone()), false, mag);
                        self.make_hot(&name);
                        items.push(ident(&name, false));
                    } else {
                        items.push(self.tuple_pat(ctx, inner, mag));
                    }
                }
            }
            named += 1;
        }
        Pat::Tuple(items)
    }

    /// `let [mut] t = (e1, e2, ..);` or a nested `let t = ((e1, e2), e3);`
    /// (then sometimes `let ((p, q), r) = t;`).
    fn tuple_value(&mut self, ctx: &Ctx, nested: bool) -> Vec<Stmt> {
        self.note(Construct::TupleValue);
        if nested {
            self.note(Construct::NestedTuple);
        }
        let of = self.template(nested);
        let (e, shapes, mag) = self.tuple_expr(&of);
        let annotate = !nested
            && of.len() == 2
            && self.enabled(Construct::TypeAnnotation)
            && self.rng.chance(0.15);
        if annotate {
            self.note(Construct::TypeAnnotation);
        }
        let shapes = if annotate { flat(2) } else { shapes };
        let name = self.fresh(TUPLE_NAMES);
        let mutable = self.rng.chance(0.3);
        self.declare_aggregate(ctx, &name, Kind::Tuple(shapes.clone()), mutable, mag);
        self.make_hot(&name);
        let mut out = vec![Stmt::Let {
            pat: ident(&name, mutable),
            ty: annotate.then_some(Ty::Pair),
            init: Some(e),
        }];
        if nested && self.enabled(Construct::TuplePattern) && self.rng.chance(0.4) {
            self.note(Construct::TuplePattern);
            self.read(&name);
            let pat = self.tuple_pat(ctx, &shapes, mag);
            out.push(Stmt::Let {
                pat,
                ty: None,
                init: Some(Expr::var(&name)),
            });
        }
        out
    }

    /// `let (p, q) = t;` (or `let ((p, q), r) = t;`) for a tuple in scope.
    fn tuple_pattern(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let nested_ok = self.enabled(Construct::NestedTuple);
        let names: Vec<String> = self.names(|v| match &v.kind {
            Kind::Tuple(items) => {
                v.init && (nested_ok || items.iter().all(|s| matches!(s, Shape::F(_))))
            }
            _ => false,
        });
        if names.is_empty() {
            return None;
        }
        let t = self.rng.pick(&names).clone();
        let v = self.lookup(&t)?.clone();
        let Kind::Tuple(shapes) = v.kind else {
            return None;
        };
        self.read(&t);
        self.note(Construct::TuplePattern);
        let pat = self.tuple_pat(ctx, &shapes, v.mag);
        Some(vec![Stmt::Let {
            pat,
            ty: None,
            init: Some(Expr::var(&t)),
        }])
    }

    /// `t = (..)` for a mutable tuple: each element reads an element of `t`
    /// (the same or another), scaled, with a bounded term. Inside a loop
    /// (a carried tuple) the new values stay within the old bound.
    pub fn tuple_update(&mut self, ctx: &Ctx, t: &str) -> Option<Stmt> {
        let v = self.lookup(t)?.clone();
        let Kind::Tuple(shapes) = &v.kind else {
            return None;
        };
        let carried = ctx.loop_level > v.loop_level;
        if carried && !self.enabled(Construct::TupleLoop) {
            return None;
        }
        if carried {
            self.note(Construct::TupleLoop);
        }
        let all = leaves(shapes);
        let limit = if carried { v.mag.max(4.0) } else { 1e3 };
        let (rhs, mag) = self.updated(t, shapes, &[], &all, v.mag, limit);
        self.read(t);
        self.bump(t, mag);
        Some(Stmt::Assign {
            targets: vec![t.to_string()],
            op: AssignOp::Set,
            rhs,
        })
    }

    /// The new value of the elements of `t` under `prefix` (see [`Gen::tuple_update`]).
    fn updated(
        &mut self,
        t: &str,
        shapes: &[Shape],
        prefix: &[usize],
        all: &[(Vec<usize>, bool)],
        mag: f64,
        limit: f64,
    ) -> (Expr, f64) {
        let (mut items, mut m) = (Vec::new(), 0.0f64);
        for (k, s) in shapes.iter().enumerate() {
            let mut path = prefix.to_vec();
            path.push(k);
            let (e, mm) = match s {
                Shape::T(inner) => self.updated(t, inner, &path, all, mag, limit),
                Shape::F(_) => {
                    let src = if self.rng.chance(0.7) {
                        path.clone()
                    } else {
                        self.rng.pick(all).0.clone()
                    };
                    let old = field(Expr::var(t), &src);
                    let f = match self.rng.below(5) {
                        0 => self.fexpr(2),
                        1 => {
                            let f = self.fexpr(1);
                            let f = self.bounded(f, 1.5);
                            F {
                                e: Expr::bin(BinOp::Mul, old, f.e),
                                mag: mag * f.mag.max(1.0),
                            }
                        }
                        _ => {
                            let f = self.fexpr(2);
                            let k = self.literal(0.25, 0.9);
                            let op = *self.rng.pick(&[BinOp::Add, BinOp::Sub]);
                            F {
                                e: Expr::bin(op, Expr::bin(BinOp::Mul, old, Expr::lit(k)), f.e),
                                mag: mag * k + f.mag,
                            }
                        }
                    };
                    let f = self.bounded(f, limit);
                    (f.e, f.mag)
                }
            };
            items.push(e);
            m = m.max(mm);
        }
        (Expr::Tuple(items), m)
    }

    /// `let mut acc = (0.0, 1.0); for .. { ..; acc = (acc.0 + .., acc.1 * ..); .. }`,
    /// then sometimes `let (p, q) = acc;`.
    fn tuple_loop(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        self.note(Construct::TupleLoop);
        let mut out = Vec::new();
        let existing = self.tuples(true);
        let acc = if !existing.is_empty() && self.rng.chance(0.3) {
            self.rng.pick(&existing).clone()
        } else {
            let n = self.rng.range(2, 3);
            let (init, shapes, mag) = if self.rng.chance(0.5) {
                let lits: Vec<f64> = (0..n).map(|_| *self.rng.pick(&[0.0, 1.0, 0.5])).collect();
                let mag = lits.iter().fold(1.0f64, |a, b| a.max(*b));
                let items = lits.into_iter().map(Expr::lit).collect();
                (Expr::Tuple(items), vec![Shape::F(false); n], mag)
            } else {
                self.tuple_expr(&flat(n))
            };
            let name = self.fresh(&["acc", "carry", "st", "tp"]);
            self.declare_aggregate(ctx, &name, Kind::Tuple(shapes), true, mag);
            out.push(Stmt::Let {
                pat: ident(&name, true),
                ty: None,
                init: Some(init),
            });
            name
        };
        let h = if self.rng.chance(0.5) {
            self.slice_header(room)
        } else {
            None
        };
        let h = h.unwrap_or_else(|| self.range_header(room));
        let inner = Gen::inside(ctx, h.trips.max(1), None);
        self.enter_loop(&h, &inner);
        let mut body = self.stmts(&inner, 0, 1);
        if self.enabled(Construct::TuplePattern) && self.rng.chance(0.25) {
            // Take it apart first: the update may read the parts.
            if let Some(Kind::Tuple(shapes)) = self.lookup(&acc).map(|v| v.kind.clone()) {
                self.note(Construct::TuplePattern);
                let mag = self.lookup(&acc).map_or(1.0, |v| v.mag.max(4.0));
                let pat = self.tuple_pat(&inner, &shapes, mag);
                body.push(Stmt::Let {
                    pat,
                    ty: None,
                    init: Some(Expr::var(&acc)),
                });
            }
        }
        body.extend(self.tuple_update(&inner, &acc));
        body.extend(self.stmts(&inner, 0, 1));
        self.pop_scope();
        self.make_hot(&acc);
        out.push(Stmt::For {
            label: None,
            pat: h.pat,
            iter: h.iter,
            body: Block::of(body),
        });
        if self.enabled(Construct::TuplePattern) && self.rng.chance(0.35) {
            if let Some(v) = self.lookup(&acc).cloned() {
                if let Kind::Tuple(shapes) = &v.kind {
                    self.note(Construct::TuplePattern);
                    self.read(&acc);
                    let pat = self.tuple_pat(ctx, shapes, v.mag);
                    out.push(Stmt::Let {
                        pat,
                        ty: None,
                        init: Some(Expr::var(&acc)),
                    });
                }
            }
        }
        out
    }

    /// Two or three distinct mutable floats.
    pub fn targets(&mut self, n: usize) -> Option<Vec<String>> {
        let mut muts = self.mutable_floats();
        if muts.len() < n {
            return None;
        }
        let mut out = Vec::new();
        for _ in 0..n {
            let i = self.rng.below(muts.len());
            out.push(muts.remove(i));
        }
        Some(out)
    }

    /// After `(x, y) = ..`: each target holds the element it got.
    pub fn assigned(&mut self, targets: &[String], elems: &[(bool, f64)]) {
        self.note(Construct::TupleAssign);
        for (t, (is_typed, mag)) in targets.iter().zip(elems) {
            if let Some(v) = self.lookup(t) {
                v.mag = v.mag.max(*mag);
                v.typed |= *is_typed;
            }
            self.make_hot(t);
        }
    }

    /// `(x, y) = t;` from a tuple in scope, or `(x, y) = (y * 0.5 + e, x);`.
    fn tuple_assign(&mut self, ctx: &Ctx) -> Option<Vec<Stmt>> {
        let n = if self.rng.chance(0.25) { 3 } else { 2 };
        let sources: Vec<(String, Vec<Shape>, f64)> = self
            .visible()
            .iter()
            .filter_map(|v| match &v.kind {
                Kind::Tuple(s) if v.init && same_structure(s, &flat(n)) => {
                    Some((v.name.clone(), s.clone(), v.mag))
                }
                _ => None,
            })
            .collect();
        let targets = self.targets(n)?;
        let (rhs, elems) = if !sources.is_empty() && self.rng.chance(0.6) {
            let (t, shapes, mag) = self.rng.pick(&sources).clone();
            self.read(&t);
            let elems = leaves(&shapes).into_iter().map(|(_, t)| (t, mag)).collect();
            (Expr::var(&t), elems)
        } else {
            let info: Vec<(f64, u32)> = targets
                .iter()
                .map(|t| self.lookup(t).map_or((1.0, 0), |v| (v.mag, v.loop_level)))
                .collect();
            let carried = info.iter().any(|(_, l)| ctx.loop_level > *l);
            let top = info.iter().fold(0.0f64, |a, (m, _)| a.max(*m));
            let limit = if carried { top.max(4.0) } else { 1e3 };
            let mut items = Vec::new();
            let mut elems = Vec::new();
            for _ in 0..n {
                let src = self.rng.pick(&targets).clone();
                let k = self.literal(0.25, 0.9);
                let f = self.fexpr(2);
                let f = F {
                    e: Expr::bin(
                        BinOp::Add,
                        Expr::bin(BinOp::Mul, Expr::var(&src), Expr::lit(k)),
                        f.e,
                    ),
                    mag: top * k + f.mag,
                };
                let f = self.bounded(f, limit);
                elems.push((typed(self, &f.e), f.mag));
                items.push(f.e);
            }
            (Expr::Tuple(items), elems)
        };
        self.assigned(&targets, &elems);
        Some(vec![Stmt::Assign {
            targets,
            op: AssignOp::Set,
            rhs,
        }])
    }
}
