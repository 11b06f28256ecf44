//! Tensor bodies: `fn f(x: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix1>, ..) -> Scalar<f64>`
//! with `+ - *` between tensors and with floats on the right, `exp tanh sin
//! sigmoid sum mean`, `.clone()`, shadowing, loops and branches on `.item()`.
//!
//! Tensors are always operands by reference (`&h`, or a parameter, already a
//! reference) and temporaries by value, so no generated body moves a variable.

use super::expr::F;
use super::{Breakable, Ctx, Gen, Kind, Var, MAX_DEPTH, MAX_TRIPS};
use crate::fuzz::ast::*;

/// `e` as a method receiver: `&h` becomes `h` (auto-referenced).
fn receiver(e: Expr) -> Expr {
    match e {
        Expr::Ref(inner) => *inner,
        other => other,
    }
}

/// `e`, or a clone of it if it is a bare variable (so a `let` binds an owned tensor).
fn owned(e: Expr) -> Expr {
    match e {
        Expr::Var(_) => Expr::method(e, "clone", vec![]),
        Expr::Ref(inner) if matches!(*inner, Expr::Var(_)) => Expr::method(*inner, "clone", vec![]),
        e => e,
    }
}

impl Gen<'_> {
    /// Parameters and body of a tensor case.
    pub fn tensor_case(&mut self) -> (Vec<Param>, Ret, Block) {
        self.note(Construct::Tensor);
        let len = self.rng.range(2, 4);
        let tensor = |g: &mut Gen, name: &str| Param::Tensor {
            name: name.into(),
            values: (0..len).map(|_| g.input(-1.5, 1.5)).collect(),
        };
        let mut params = vec![tensor(self, "x")];
        if self.rng.chance(0.8) {
            params.push(tensor(self, "w"));
        }
        if self.rng.chance(0.3) {
            params.push(Param::F64 {
                name: "a".into(),
                no_grad: false,
                value: self.input(-1.5, 1.5),
            });
        }
        if self.rng.chance(0.3) {
            params.push(Param::Usize {
                name: "n".into(),
                value: self.rng.range(0, 4),
            });
        }
        self.declare_params(&params);
        self.budget = self.rng.range(4, 16);
        let ctx = Ctx {
            depth: 0,
            mult: 1,
            loop_level: 0,
            breakables: Vec::new(),
        };
        let mut stmts = Vec::new();
        while self.budget > 0 {
            stmts.extend(self.tstmt(&ctx));
        }
        let tail = self.tensor_tail();
        (params, Ret::Scalar, Block::with_tail(stmts, tail))
    }

    /// Visible tensors: name, whether a parameter.
    fn tensors(&self) -> Vec<(String, bool)> {
        self.visible()
            .iter()
            .filter_map(|v| match v.kind {
                Kind::Tensor { param } => Some((v.name.clone(), param)),
                _ => None,
            })
            .collect()
    }

    fn mutable_tensors(&self) -> Vec<String> {
        self.names(|v| v.kind == Kind::Tensor { param: false } && v.mutable)
    }

    /// A tensor as an operand: a parameter as it is, a local by reference.
    fn tensor_leaf(&mut self) -> F {
        let ts = self.tensors();
        let (name, param) = self.rng.pick(&ts).clone();
        self.read(&name);
        let mag = self.lookup(&name).map_or(1.5, |v| v.mag);
        let e = if param {
            Expr::var(&name)
        } else {
            Expr::Ref(Box::new(Expr::var(&name)))
        };
        F { e, mag }
    }

    /// A tensor expression of depth at most `depth`.
    fn texpr(&mut self, depth: u32) -> F {
        if depth == 0 || self.rng.chance(0.2) {
            return self.tensor_leaf();
        }
        let d = depth - 1;
        let floats = self.names(|v| v.kind == Kind::F64);
        let scalars = self.names(|v| v.kind == Kind::Scalar);
        let weights = [
            6,
            4,
            6,
            2,
            if scalars.is_empty() || !self.enabled(Construct::TensorBroadcast) {
                0
            } else {
                2
            },
        ];
        let f = match self.rng.weighted(&weights) {
            0 => {
                let (a, b) = (self.texpr(d), self.texpr(d));
                let op = *self.rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]);
                let mag = if op == BinOp::Mul {
                    a.mag * b.mag
                } else {
                    a.mag + b.mag
                };
                F {
                    e: Expr::bin(op, a.e, b.e),
                    mag,
                }
            }
            1 => {
                let a = self.texpr(d);
                let op = *self.rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]);
                let (rhs, m) = if !floats.is_empty() && self.rng.chance(0.3) {
                    let n = self.rng.pick(&floats).clone();
                    (Expr::var(&n), 1.5)
                } else {
                    let v = self.literal(0.1, 2.0);
                    (Expr::lit(v), v)
                };
                let mag = if op == BinOp::Mul {
                    a.mag * m
                } else {
                    a.mag + m
                };
                F {
                    e: Expr::bin(op, a.e, rhs),
                    mag,
                }
            }
            2 => {
                let a = self.texpr(d);
                let name = *self.rng.pick(&["tanh", "sin", "sigmoid", "cos", "exp"]);
                let a = if name == "exp" && a.mag > 2.0 {
                    self.tsquash(a)
                } else {
                    a
                };
                let mag = if name == "exp" { a.mag.exp() } else { 1.0 };
                F {
                    e: Expr::method(receiver(a.e), name, vec![]),
                    mag,
                }
            }
            3 => {
                let ts = self.tensors();
                let (name, _) = self.rng.pick(&ts).clone();
                let mag = self.lookup(&name).map_or(1.5, |v| v.mag);
                F {
                    e: Expr::method(Expr::var(&name), "clone", vec![]),
                    mag,
                }
            }
            _ => {
                self.note(Construct::TensorBroadcast);
                let a = self.texpr(d);
                let s = self.rng.pick(&scalars).clone();
                let mag = self.lookup(&s).map_or(1.0, |v| v.mag);
                let op = *self.rng.pick(&[BinOp::Add, BinOp::Mul]);
                F {
                    e: Expr::bin(op, a.e, Expr::Ref(Box::new(Expr::var(&s)))),
                    mag: a.mag * mag + mag,
                }
            }
        };
        if f.mag > 20.0 {
            self.tsquash(f)
        } else {
            f
        }
    }

    /// A tensor (or scalar) mapped into `[-1, 1]`.
    fn tsquash(&mut self, f: F) -> F {
        let name = *self.rng.pick(&["tanh", "sin", "sigmoid"]);
        F {
            e: Expr::method(receiver(f.e), name, vec![]),
            mag: 1.0,
        }
    }

    /// A `Scalar<f64>` expression: sums and means, scalar variables, their combinations.
    fn sexpr(&mut self, depth: u32) -> F {
        let scalars = self.names(|v| v.kind == Kind::Scalar);
        if !scalars.is_empty() && self.rng.chance(0.3) {
            let s = self.rng.pick(&scalars).clone();
            self.read(&s);
            let mag = self.lookup(&s).map_or(1.0, |v| v.mag);
            let e = Expr::Ref(Box::new(Expr::var(&s)));
            return if self.rng.chance(0.5) {
                let v = self.literal(0.1, 2.0);
                F {
                    e: Expr::bin(BinOp::Mul, e, Expr::lit(v)),
                    mag: mag * v,
                }
            } else {
                F {
                    e: Expr::method(Expr::var(&s), "tanh", vec![]),
                    mag: 1.0,
                }
            };
        }
        let t = self.texpr(depth);
        let name = if self.rng.chance(0.6) { "sum" } else { "mean" };
        let f = F {
            e: Expr::method(receiver(t.e), name, vec![]),
            mag: t.mag * 4.0,
        };
        if f.mag > 20.0 {
            self.tsquash(f)
        } else {
            f
        }
    }

    /// A condition on tensor values: `h.sum().item() > 0.5`.
    fn tcond(&mut self) -> Expr {
        let s = self.sexpr(1);
        let v = self.literal(0.0, 1.5);
        let op = *self.rng.pick(&[BinOp::Lt, BinOp::Gt]);
        let item = Expr::method(receiver(s.e), "item", vec![]);
        Expr::bin(op, item, Expr::lit(v))
    }

    /// One tensor statement.
    fn tstmt(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.budget = self.budget.saturating_sub(1);
        let deep = ctx.depth < MAX_DEPTH;
        let muts = self.mutable_tensors();
        let room = MAX_TRIPS / ctx.mult;
        let on = |g: &Gen, c: Construct, w: u32, ok: bool| if ok && g.enabled(c) { w } else { 0 };
        let weights = [
            12,
            if muts.is_empty() { 0 } else { 10 },
            on(self, Construct::CopyAlias, 4, !muts.is_empty()),
            on(self, Construct::Shadowing, 3, true),
            4,
            on(self, Construct::If, 4, deep),
            on(self, Construct::ForRange, 4, deep && room >= 2),
            on(self, Construct::TensorAssignOp, 2, !muts.is_empty()),
        ];
        match self.rng.weighted(&weights) {
            0 => self.tensor_let(ctx),
            1 => self.tensor_assign(ctx, &muts),
            2 => self.tensor_copy(ctx, &muts),
            3 => self.tensor_shadow(ctx),
            4 => self.scalar_let(ctx),
            5 => self.tensor_if(ctx),
            6 => self.tensor_loop(ctx, room),
            _ => self.tensor_assign_op(&muts),
        }
    }

    /// `let [mut] h = texpr;`
    fn tensor_let(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        let f = self.texpr(2);
        let name = self.fresh(&["h", "g", "z", "u", "t", "r"]);
        let mutable = self.rng.chance(0.6);
        self.declare_tensor(ctx, &name, Kind::Tensor { param: false }, mutable, f.mag);
        // `let g = w;` would bind a reference: bind an owned copy.
        vec![Stmt::bind(&name, mutable, owned(f.e))]
    }

    /// `h = texpr;` (squashed inside loops).
    fn tensor_assign(&mut self, ctx: &Ctx, muts: &[String]) -> Vec<Stmt> {
        let h = self.rng.pick(muts).clone();
        let f = self.texpr(2);
        let f = if ctx.loop_level > 0 {
            self.tsquash(f)
        } else {
            f
        };
        self.bump(&h, f.mag);
        vec![Stmt::set(&h, AssignOp::Set, owned(f.e))]
    }

    /// `let h0 = h.clone(); h = h.tanh();`: the copy must keep the old value.
    fn tensor_copy(&mut self, ctx: &Ctx, muts: &[String]) -> Vec<Stmt> {
        self.note(Construct::CopyAlias);
        let h = self.rng.pick(muts).clone();
        let h0 = self.fresh(&["h0", "prev", "old"]);
        let mag = self.lookup(&h).map_or(1.0, |v| v.mag);
        self.declare_tensor(ctx, &h0, Kind::Tensor { param: false }, false, mag);
        self.make_hot(&h0);
        self.make_hot(&h);
        let name = *self.rng.pick(&["tanh", "sin", "sigmoid"]);
        vec![
            Stmt::bind(&h0, false, Expr::method(Expr::var(&h), "clone", vec![])),
            Stmt::set(&h, AssignOp::Set, Expr::method(Expr::var(&h), name, vec![])),
        ]
    }

    /// `let h = h.tanh();` shadowing a tensor.
    fn tensor_shadow(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::Shadowing);
        let ts = self.tensors();
        let (h, _) = self.rng.pick(&ts).clone();
        let name = *self.rng.pick(&["tanh", "sin", "sigmoid"]);
        let rhs = Expr::method(Expr::var(&h), name, vec![]);
        self.declare_tensor(ctx, &h, Kind::Tensor { param: false }, false, 1.0);
        vec![Stmt::bind(&h, false, rhs)]
    }

    /// `let s[: Scalar<f64>] = sexpr;`
    fn scalar_let(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        let f = self.sexpr(2);
        let name = self.fresh(&["s", "m", "e", "l"]);
        self.declare_tensor(ctx, &name, Kind::Scalar, false, f.mag);
        let ty = self.rng.chance(0.3).then_some(Ty::Scalar);
        if ty.is_some() {
            self.note(Construct::TypeAnnotation);
        }
        vec![Stmt::Let {
            pat: Pat::Ident {
                name,
                mutable: false,
            },
            ty,
            init: Some(f.e),
        }]
    }

    /// `h += x;`, `h -= &g;`, `h *= 0.5;`
    fn tensor_assign_op(&mut self, muts: &[String]) -> Vec<Stmt> {
        self.note(Construct::TensorAssignOp);
        let h = self.rng.pick(muts).clone();
        // `h += &h` would borrow `h` twice: the right side is another tensor.
        let others: Vec<(String, bool)> = self
            .tensors()
            .into_iter()
            .filter(|(n, _)| *n != h)
            .collect();
        let (op, rhs) = if !others.is_empty() && self.rng.chance(0.5) {
            let (name, param) = self.rng.pick(&others).clone();
            self.read(&name);
            let t = if param {
                Expr::var(&name)
            } else {
                Expr::Ref(Box::new(Expr::var(&name)))
            };
            (*self.rng.pick(&[AssignOp::Add, AssignOp::Sub]), t)
        } else {
            (AssignOp::Mul, Expr::lit(self.literal(0.3, 0.9)))
        };
        self.bump(&h, 3.0);
        vec![Stmt::set(&h, op, rhs)]
    }

    fn declare_tensor(&mut self, ctx: &Ctx, name: &str, kind: Kind, mutable: bool, mag: f64) {
        let v = Var {
            mutable,
            loop_level: ctx.loop_level,
            ..Var::new(name, kind, mag)
        };
        self.declare(v);
    }

    /// `if h.sum().item() > c { .. } else { .. }`
    fn tensor_if(&mut self, ctx: &Ctx) -> Vec<Stmt> {
        self.note(Construct::If);
        let c = self.tcond();
        let inner = ctx.deeper();
        let branch = |g: &mut Gen| {
            g.push_scope();
            let n = g.rng.range(1, 2);
            let stmts: Vec<Stmt> = (0..n).flat_map(|_| g.tstmt(&inner)).collect();
            g.pop_scope();
            Block::of(stmts)
        };
        let then = branch(self);
        let els = self
            .rng
            .chance(0.6)
            .then(|| Box::new(Expr::Else(branch(self))));
        vec![Stmt::Expr(Expr::If(Box::new(c), then, els))]
    }

    /// `for _ in 0..3 { h = (&h * w + x).tanh(); .. }`, sometimes `while` on a tensor condition.
    fn tensor_loop(&mut self, ctx: &Ctx, room: u32) -> Vec<Stmt> {
        let trips = self.rng.range(1, room.min(4) as usize) as u32;
        let mut inner = ctx.deeper();
        inner.mult *= trips;
        inner.loop_level += 1;
        inner.breakables.push(Breakable::Loop(None));
        self.push_scope();
        let n = self.rng.range(1, 3);
        let mut body: Vec<Stmt> = (0..n).flat_map(|_| self.tstmt(&inner)).collect();
        self.pop_scope();
        if self.enabled(Construct::While) && self.rng.chance(0.3) {
            self.note(Construct::While);
            let k = self.fresh(&["k", "k2", "k3"]);
            let v = Var {
                mutable: true,
                loop_level: ctx.loop_level,
                ..Var::new(&k, Kind::Counter, 10.0)
            };
            self.declare(v);
            let cond = Expr::bin(
                BinOp::And,
                self.tcond(),
                Expr::bin(BinOp::Lt, Expr::var(&k), Expr::Int(u64::from(trips))),
            );
            body.insert(
                0,
                Stmt::Assign {
                    targets: vec![k.clone()],
                    op: AssignOp::Add,
                    rhs: Expr::Int(1),
                },
            );
            return vec![
                Stmt::Let {
                    pat: Pat::Ident {
                        name: k,
                        mutable: true,
                    },
                    ty: None,
                    init: Some(Expr::Int(0)),
                },
                Stmt::While {
                    label: None,
                    cond,
                    body: Block::of(body),
                },
            ];
        }
        self.note(Construct::ForRange);
        vec![Stmt::For {
            label: None,
            pat: Pat::Wild,
            iter: Iter::Range(Expr::Int(0), Expr::Int(u64::from(trips))),
            body: Block::of(body),
        }]
    }

    /// The returned scalar: sums of the hot and least-read tensors and scalars.
    fn tensor_tail(&mut self) -> Expr {
        let mut names: Vec<String> = self.hot.clone();
        let mut rest: Vec<(u32, String)> = self
            .visible()
            .iter()
            .filter(|v| matches!(v.kind, Kind::Tensor { .. } | Kind::Scalar))
            .map(|v| (v.reads, v.name.clone()))
            .collect();
        rest.sort();
        names.extend(rest.into_iter().map(|r| r.1));
        names.dedup();
        let mut acc: Option<Expr> = None;
        for n in names.iter().take(4) {
            let Some(kind) = self.lookup(n).map(|v| v.kind.clone()) else {
                continue;
            };
            let term = match kind {
                Kind::Scalar => Expr::Ref(Box::new(Expr::var(n))),
                Kind::Tensor { param } => {
                    let name = if self.rng.chance(0.7) { "sum" } else { "mean" };
                    let base = if param || self.rng.chance(0.5) {
                        Expr::var(n)
                    } else {
                        let w = self.tensor_leaf();
                        Expr::bin(BinOp::Mul, Expr::Ref(Box::new(Expr::var(n))), w.e)
                    };
                    Expr::method(base, name, vec![])
                }
                _ => continue,
            };
            acc = Some(match acc {
                None => term,
                Some(a) => Expr::bin(BinOp::Add, a, term),
            });
        }
        match acc {
            Some(Expr::Ref(inner)) => Expr::method(*inner, "clone", vec![]),
            Some(e) => e,
            None => Expr::method(Expr::var("x"), "sum", vec![]),
        }
    }
}
