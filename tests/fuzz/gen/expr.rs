//! Float expressions with magnitude estimates, positive expressions for
//! domains (`ln`, `sqrt`, divisors), integer expressions and conditions.

use super::{Gen, Kind, Shape, MAG_LIMIT};
use crate::fuzz::ast::*;

/// An expression and an upper estimate of its magnitude.
#[derive(Clone, Debug)]
pub struct F {
    pub e: Expr,
    pub mag: f64,
}

/// A positive expression and bounds on its value.
#[derive(Clone, Debug)]
pub struct P {
    pub e: Expr,
    pub lo: f64,
    pub hi: f64,
}

/// Whether rustc knows `e` is an `f64` (it reads a typed leaf), so that it
/// may receive a method call. Bare literals and variables bound to them are
/// ambiguous `{float}`s.
pub fn typed(g: &Gen, e: &Expr) -> bool {
    match e {
        Expr::Var(n) => g
            .visible()
            .iter()
            .any(|v| &v.name == n && v.typed && v.kind != Kind::Bool),
        // An array of bare literals is a `[{float}; N]`. A tuple or array
        // out of scope (the tail of a block that declared it) is unknown,
        // so taken as untyped: `{ let t = (0.5, 1.0); t.0 }` is a `{float}`.
        Expr::Index(n, _) => g
            .visible()
            .iter()
            .find(|v| &v.name == n)
            .map_or(g.consts.iter().any(|(c, _)| c == n), |v| v.typed),
        Expr::Field(..) => field_typed(g, e).unwrap_or(false),
        Expr::Deref(_) | Expr::Cast(_) | Expr::FloatFn(..) | Expr::ConstRef(_) => true,
        // `fold(0.0, ..)` of a literal body is a `{float}`.
        Expr::Chain(c) => c.consumer != Consumer::FoldAdd,
        Expr::Float(_) | Expr::Int(_) => false,
        Expr::Const(inner) | Expr::Neg(inner) | Expr::Paren(inner) => typed(g, inner),
        Expr::Binary(_, a, b) => typed(g, a) || typed(g, b),
        Expr::Method(recv, ..) => typed(g, recv),
        Expr::If(_, then, els) => {
            then.tail.as_ref().is_some_and(|t| typed(g, t))
                || els.as_ref().is_some_and(|e| typed(g, e))
        }
        Expr::Else(b) | Expr::Block(b) | Expr::Labelled(_, b) => {
            b.tail.as_ref().is_some_and(|t| typed(g, t))
        }
        _ => false,
    }
}

/// The shape of the tuple element `e` (`t.0.1`) reads; `Some(typed)` for a float.
fn field_typed(g: &Gen, e: &Expr) -> Option<bool> {
    let mut path = Vec::new();
    let mut at = e;
    while let Expr::Field(inner, k) = at {
        path.push(*k);
        at = inner;
    }
    let Expr::Var(root) = at else {
        // A helper's result: its type says `f64`.
        return Some(true);
    };
    let var = g.visible().into_iter().find(|v| &v.name == root)?;
    let Kind::Tuple(items) = &var.kind else {
        return None;
    };
    let mut shape = Shape::T(items.clone());
    for k in path.iter().rev() {
        shape = match shape {
            Shape::T(items) => items.get(*k)?.clone(),
            Shape::F(_) => return None,
        };
    }
    match shape {
        Shape::F(t) => Some(t),
        Shape::T(_) => None,
    }
}

impl Gen<'_> {
    /// A float leaf; `raw_ref` allows a bare `&f64` (only as an operand of `+ - * /`).
    pub fn leaf(&mut self, raw_ref: bool) -> F {
        let vars: Vec<(String, Kind, f64)> = self
            .visible()
            .iter()
            .filter(|v| v.init)
            .map(|v| (v.name.clone(), v.kind.clone(), v.mag))
            .collect();
        let floats: Vec<&(String, Kind, f64)> = vars.iter().filter(|v| v.1 == Kind::F64).collect();
        let refs: Vec<&(String, Kind, f64)> = vars
            .iter()
            .filter(|v| matches!(v.1, Kind::RefF64 | Kind::ConstRef))
            .collect();
        let consts: Vec<&(String, Kind, f64)> =
            vars.iter().filter(|v| v.1 == Kind::ConstF64).collect();
        let slices: Vec<(String, usize, bool)> = vars
            .iter()
            .filter_map(|v| match v.1 {
                Kind::Slice { len, no_grad } => Some((v.0.clone(), len, no_grad)),
                _ => None,
            })
            .collect();
        let ints: Vec<(String, f64)> = vars
            .iter()
            .filter(|v| matches!(v.1, Kind::Usize { .. } | Kind::Counter))
            .map(|v| (v.0.clone(), v.2))
            .collect();
        let weights = [
            if floats.is_empty() { 0 } else { 12 },
            if refs.is_empty() { 0 } else { 6 },
            if consts.is_empty() { 0 } else { 2 },
            if slices.is_empty() || !self.enabled(Construct::SliceIndex) {
                0
            } else {
                4
            },
            4,
            if ints.is_empty() || !self.enabled(Construct::IntCast) {
                0
            } else {
                2
            },
            if self.aggregates().is_empty() { 0 } else { 4 },
        ];
        match self.rng.weighted(&weights) {
            0 => {
                // Prefer variables read less often.
                let min_reads = floats
                    .iter()
                    .map(|v| self.visible_reads(&v.0))
                    .min()
                    .unwrap_or(0);
                let fresh: Vec<&&(String, Kind, f64)> = floats
                    .iter()
                    .filter(|v| self.visible_reads(&v.0) <= min_reads + 1)
                    .collect();
                let v = if self.rng.chance(0.6) {
                    *self.rng.pick(&fresh)
                } else {
                    self.rng.pick(&floats)
                };
                let (name, mag) = (v.0.clone(), v.2);
                self.read(&name);
                F {
                    e: Expr::Var(name),
                    mag,
                }
            }
            1 => {
                let v = self.rng.pick(&refs);
                let (name, constant, mag) = (v.0.clone(), v.1 == Kind::ConstRef, v.2);
                self.read(&name);
                self.note(Construct::RefElement);
                let e = match (constant, raw_ref && self.rng.chance(0.5)) {
                    (true, true) => Expr::ConstRef(name),
                    (true, false) => Expr::Const(Box::new(Expr::Deref(name))),
                    (false, true) => Expr::Var(name),
                    (false, false) => Expr::Deref(name),
                };
                F { e, mag }
            }
            2 => {
                let v = self.rng.pick(&consts);
                F {
                    e: Expr::Const(Box::new(Expr::Var(v.0.clone()))),
                    mag: v.2,
                }
            }
            3 => {
                let (name, len, no_grad) = self.rng.pick(&slices).clone();
                self.note(Construct::SliceIndex);
                let index = self.index(&name, len);
                let e = Expr::Index(name, Box::new(index));
                F {
                    e: if no_grad { Expr::Const(Box::new(e)) } else { e },
                    mag: 1.5,
                }
            }
            4 => {
                let v = self.literal(0.1, 3.0);
                F {
                    e: Expr::lit(v),
                    mag: v,
                }
            }
            6 => {
                let names = self.aggregates();
                let name = self.rng.pick(&names).clone();
                match self.aggregate_read(&name) {
                    Some(f) => f,
                    None => self.leaf(raw_ref),
                }
            }
            _ => {
                let (name, mag) = self.rng.pick(&ints).clone();
                self.note(Construct::IntCast);
                F {
                    e: Expr::Const(Box::new(Expr::Cast(Box::new(Expr::Var(name))))),
                    mag: mag.max(1.0),
                }
            }
        }
    }

    fn visible_reads(&self, name: &str) -> u32 {
        self.visible()
            .iter()
            .find(|v| v.name == name)
            .map_or(0, |v| v.reads)
    }

    /// An index into slice `name` of length `len` that is always in bounds.
    pub fn index(&mut self, name: &str, len: usize) -> Expr {
        let ints: Vec<(String, usize)> = self
            .visible()
            .iter()
            .filter_map(|v| match v.kind {
                Kind::Usize { hi } => Some((v.name.clone(), hi)),
                _ => None,
            })
            .collect();
        let in_bounds: Vec<&(String, usize)> = ints.iter().filter(|(_, hi)| *hi <= len).collect();
        match self.rng.below(4) {
            0 | 1 if !in_bounds.is_empty() => Expr::var(&self.rng.pick(&in_bounds).0),
            2 if !ints.is_empty() => {
                let i = self.rng.pick(&ints).0.clone();
                Expr::bin(BinOp::Rem, Expr::var(&i), Expr::Len(name.to_string()))
            }
            3 => Expr::bin(BinOp::Sub, Expr::Len(name.to_string()), Expr::Int(1)),
            _ => Expr::Int(self.rng.below(len) as u64),
        }
    }

    /// A float expression of nesting depth at most `depth`.
    pub fn fexpr(&mut self, depth: u32) -> F {
        self.fexpr_in(depth, false)
    }

    /// A float expression that is not a bare literal (so it can receive a method call).
    pub fn typed_fexpr(&mut self, depth: u32) -> F {
        for _ in 0..4 {
            let f = self.fexpr(depth);
            if typed(self, &f.e) {
                return f;
            }
        }
        // A float rustc knows as `f64` (a parameter, unless shadowed by an untyped copy).
        let known: Vec<(String, f64)> = self
            .visible()
            .iter()
            .filter(|v| v.kind == Kind::F64 && v.init && v.typed)
            .map(|v| (v.name.clone(), v.mag))
            .collect();
        match known.first() {
            Some((x, mag)) => F {
                e: Expr::Var(x.clone()),
                mag: *mag,
            },
            None => F {
                e: Expr::Const(Box::new(Expr::Cast(Box::new(Expr::Int(1))))),
                mag: 1.0,
            },
        }
    }

    fn fexpr_in(&mut self, depth: u32, raw_ref: bool) -> F {
        if depth == 0 || self.rng.chance(0.25) {
            return self.leaf(raw_ref);
        }
        let d = depth - 1;
        let weights = [8, 5, 3, 2, 7, 2, 1, 1, 1, 1, 1];
        let f = match self.rng.weighted(&weights) {
            0 => {
                let (a, b) = self.two(d);
                let op = if self.rng.chance(0.5) {
                    BinOp::Add
                } else {
                    BinOp::Sub
                };
                F {
                    e: Expr::bin(op, a.e, b.e),
                    mag: a.mag + b.mag,
                }
            }
            1 => {
                let (a, b) = self.two(d);
                let (a, b) = (
                    self.bounded(a, MAG_LIMIT.sqrt()),
                    self.bounded(b, MAG_LIMIT.sqrt()),
                );
                F {
                    e: Expr::bin(BinOp::Mul, a.e, b.e),
                    mag: a.mag * b.mag,
                }
            }
            2 => {
                let a = self.fexpr_in(d, true);
                let p = self.pexpr(d, 0.5);
                F {
                    e: Expr::bin(BinOp::Div, a.e, p.e),
                    mag: a.mag / p.lo,
                }
            }
            3 => {
                let a = self.fexpr(d);
                F {
                    e: Expr::Neg(Box::new(a.e)),
                    mag: a.mag,
                }
            }
            4 if self.enabled(Construct::Methods) => self.method(d),
            5 if self.enabled(Construct::MaxMin) => self.max_min(d),
            6 if self.enabled(Construct::IfValue)
                && !self.straight
                && !self.floats().is_empty() =>
            {
                self.note(Construct::IfValue);
                let c = self.cond(1);
                let (a, b) = (self.fexpr(d), self.fexpr(d));
                let els = Expr::Else(Block::with_tail(vec![], b.e));
                F {
                    e: Expr::If(
                        Box::new(c),
                        Block::with_tail(vec![], a.e),
                        Some(Box::new(els)),
                    ),
                    mag: a.mag.max(b.mag),
                }
            }
            7 => {
                let a = self.fexpr(d);
                F {
                    e: Expr::Paren(Box::new(a.e)),
                    mag: a.mag,
                }
            }
            8 if self.enabled(Construct::StdFns) && !self.straight => self.std_fn(d),
            9 if self.enabled(Construct::Chain) && !self.straight => match self.chain(d) {
                Some(f) => f,
                None => self.leaf(raw_ref),
            },
            10 if self.enabled(Construct::Closure) && !self.straight => self.closure(d),
            _ => self.leaf(raw_ref),
        };
        self.note(Construct::Arith);
        self.bounded(f, MAG_LIMIT)
    }

    /// Two operands, not the same expression (`a - a` tests little).
    fn two(&mut self, d: u32) -> (F, F) {
        let a = self.fexpr_in(d, true);
        let mut b = self.fexpr_in(d, true);
        if b.e == a.e {
            b = self.fexpr_in(d, true);
        }
        (a, b)
    }

    /// `f` itself if its magnitude is at most `limit`, else squashed to magnitude 1.
    pub fn bounded(&mut self, f: F, limit: f64) -> F {
        if f.mag <= limit {
            return f;
        }
        self.squash(f)
    }

    /// `f` mapped into `[-1, 1]` by a smooth function.
    pub fn squash(&mut self, f: F) -> F {
        if !typed(self, &f.e) {
            // A constant expression: scale it instead.
            let e = Expr::bin(BinOp::Div, f.e, Expr::lit((f.mag.ceil()).max(1.0)));
            return F { e, mag: 1.0 };
        }
        let e = match self.rng.below(4) {
            0 => Expr::method(f.e, "tanh", vec![]),
            1 => Expr::method(f.e, "sin", vec![]),
            2 => Expr::method(f.e, "cos", vec![]),
            _ => {
                let abs = Expr::method(f.e.clone(), "abs", vec![]);
                Expr::bin(BinOp::Div, f.e, Expr::bin(BinOp::Add, Expr::lit(1.0), abs))
            }
        };
        F { e, mag: 1.0 }
    }

    /// A method call with a derivative rule, its argument kept in its domain.
    fn method(&mut self, d: u32) -> F {
        self.note(Construct::Methods);
        match self.rng.below(12) {
            0..=3 => {
                let a = self.typed_fexpr(d);
                let name = *self.rng.pick(&["sin", "cos", "tanh", "sigmoid"]);
                F {
                    e: Expr::method(a.e, name, vec![]),
                    mag: 1.0,
                }
            }
            4 => {
                let a = self.typed_fexpr(d);
                let a = self.bounded(a, 3.0);
                F {
                    mag: a.mag.exp(),
                    e: Expr::method(a.e, "exp", vec![]),
                }
            }
            5 => {
                let a = self.typed_fexpr(d);
                F {
                    mag: a.mag,
                    e: Expr::method(a.e, "abs", vec![]),
                }
            }
            6 => {
                let p = self.typed_pexpr(d, 0.2);
                F {
                    mag: p.lo.ln().abs().max(p.hi.ln().abs()),
                    e: Expr::method(p.e, "ln", vec![]),
                }
            }
            7 => {
                let p = self.typed_pexpr(d, 0.1);
                F {
                    mag: p.hi.sqrt(),
                    e: Expr::method(p.e, "sqrt", vec![]),
                }
            }
            8 => {
                let p = self.typed_pexpr(d, 0.5);
                F {
                    mag: 1.0 / p.lo,
                    e: Expr::method(p.e, "recip", vec![]),
                }
            }
            9 | 10 => {
                let a = self.typed_fexpr(d);
                let a = self.bounded(a, 4.0);
                let k = *self.rng.pick(&[2u64, 2, 3, 3, 1, 4, 0]);
                F {
                    mag: a.mag.powi(k as i32).max(1.0),
                    e: Expr::method(a.e, "powi", vec![Expr::Int(k)]),
                }
            }
            _ if self.enabled(Construct::Powf) => {
                self.note(Construct::Powf);
                let p = self.typed_pexpr(d, 0.2);
                let p = if p.hi > 20.0 {
                    self.typed_pexpr(0, 0.2)
                } else {
                    p
                };
                let exponent = if self.rng.chance(0.6) {
                    let v = self.literal(0.5, 2.5);
                    F {
                        e: Expr::lit(v),
                        mag: v,
                    }
                } else {
                    let a = self.typed_fexpr(d.min(1));
                    self.squash(a)
                };
                let mag = p.hi.max(1.0 / p.lo).powf(exponent.mag);
                F {
                    e: Expr::method(p.e, "powf", vec![exponent.e]),
                    mag,
                }
            }
            _ => {
                let a = self.typed_fexpr(d);
                F {
                    e: Expr::method(a.e, "sin", vec![]),
                    mag: 1.0,
                }
            }
        }
    }

    /// `a.max(b)`, `a.min(b)`, `f64::max(a, b)` or `f64::min(a, b)` (kinks).
    fn max_min(&mut self, d: u32) -> F {
        self.note(Construct::MaxMin);
        let a = self.typed_fexpr(d);
        let mut b = self.fexpr(d);
        if b.e == a.e {
            b = self.fexpr(d);
        }
        let name = if self.rng.chance(0.5) { "max" } else { "min" };
        let e = if !self.enabled(Construct::FloatPath) || self.rng.chance(0.7) {
            Expr::method(a.e, name, vec![b.e])
        } else {
            self.note(Construct::FloatPath);
            Expr::FloatFn(name.to_string(), vec![a.e, b.e])
        };
        F {
            e,
            mag: a.mag.max(b.mag),
        }
    }

    /// A positive expression at least `min_lo`.
    pub fn pexpr(&mut self, d: u32, min_lo: f64) -> P {
        if self.rng.chance(0.2) {
            let v = self.literal(min_lo.max(0.5), 3.0);
            return P {
                e: Expr::lit(v),
                lo: v,
                hi: v,
            };
        }
        self.typed_pexpr(d, min_lo)
    }

    /// A positive expression that reads a variable (so it can receive a method call).
    pub fn typed_pexpr(&mut self, d: u32, min_lo: f64) -> P {
        let a = self.typed_fexpr(d.saturating_sub(1));
        let c = *self.rng.pick(&[0.5, 1.0, 1.0, 2.0]);
        let c = if c < min_lo { min_lo.max(1.0) } else { c };
        match self.rng.below(6) {
            0 | 1 => {
                let a = self.bounded(a, 5.0);
                let sq = Expr::bin(BinOp::Mul, a.e.clone(), a.e);
                P {
                    e: Expr::bin(BinOp::Add, sq, Expr::lit(c)),
                    lo: c,
                    hi: a.mag * a.mag + c,
                }
            }
            2 => {
                let base = c + 1.0;
                let name = if self.rng.chance(0.5) { "sin" } else { "cos" };
                let e = Expr::bin(BinOp::Add, Expr::lit(base), Expr::method(a.e, name, vec![]));
                P {
                    e,
                    lo: (base - 1.0).max(min_lo),
                    hi: base + 1.0,
                }
            }
            3 => {
                let a = self.bounded(a, 1.5);
                let lo = (-a.mag).exp();
                if lo < min_lo {
                    let e = Expr::bin(BinOp::Add, Expr::method(a.e, "exp", vec![]), Expr::lit(c));
                    return P {
                        e,
                        lo: c,
                        hi: a.mag.exp() + c,
                    };
                }
                P {
                    e: Expr::method(a.e, "exp", vec![]),
                    lo,
                    hi: a.mag.exp(),
                }
            }
            4 => {
                let e = Expr::bin(BinOp::Add, Expr::lit(c), Expr::method(a.e, "abs", vec![]));
                P {
                    e,
                    lo: c,
                    hi: c + a.mag,
                }
            }
            _ => {
                let e = Expr::bin(
                    BinOp::Add,
                    Expr::method(a.e, "sigmoid", vec![]),
                    Expr::lit(c),
                );
                P {
                    e,
                    lo: c,
                    hi: c + 1.0,
                }
            }
        }
    }

    /// A condition: comparisons of floats (differentiated values too), of
    /// integers, booleans, and `&&`/`||`/`!` of those.
    pub fn cond(&mut self, depth: u32) -> Expr {
        let ints = self.names(|v| matches!(v.kind, Kind::Usize { .. }) && v.init);
        let bools = self.names(|v| v.kind == Kind::Bool);
        let weights = [
            10,
            if ints.is_empty() { 0 } else { 3 },
            if bools.is_empty() { 0 } else { 2 },
            if depth > 0 { 2 } else { 0 },
        ];
        match self.rng.weighted(&weights) {
            0 => {
                let a = self.typed_fexpr(1);
                let b = if self.rng.chance(0.6) {
                    let lim = a.mag.clamp(0.2, 2.0);
                    let v = self.literal(0.0, lim);
                    Expr::lit(v)
                } else {
                    self.fexpr(1).e
                };
                let op = *self.rng.pick(&[BinOp::Lt, BinOp::Gt, BinOp::Le, BinOp::Ge]);
                Expr::bin(op, a.e, b)
            }
            1 => {
                let i = self.rng.pick(&ints).clone();
                let m = self.rng.range(2, 3) as u64;
                if self.rng.chance(0.5) {
                    Expr::bin(
                        BinOp::Eq,
                        Expr::bin(BinOp::Rem, Expr::var(&i), Expr::Int(m)),
                        Expr::Int(0),
                    )
                } else {
                    let op = *self.rng.pick(&[BinOp::Lt, BinOp::Gt, BinOp::Ne]);
                    Expr::bin(op, Expr::var(&i), Expr::Int(self.rng.range(0, 3) as u64))
                }
            }
            2 => {
                let b = Expr::var(&self.rng.pick(&bools).clone());
                if self.rng.chance(0.5) {
                    b
                } else {
                    Expr::Not(Box::new(b))
                }
            }
            _ => {
                let (a, b) = (self.cond(depth - 1), self.cond(depth - 1));
                match self.rng.below(3) {
                    0 => Expr::bin(BinOp::And, a, b),
                    1 => Expr::bin(BinOp::Or, a, b),
                    _ => Expr::Not(Box::new(a)),
                }
            }
        }
    }
}
