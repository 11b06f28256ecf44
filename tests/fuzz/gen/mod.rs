//! The generator: random, valid, well-typed bodies over the constructs a
//! `#[differentiable]` function is meant to support.
//!
//! It keeps a type environment (scopes of variables with their kinds,
//! mutability, whether they are initialised and whether rustc knows them as
//! `f64` yet) and an estimate of every float's magnitude, so that values stay
//! bounded by construction: `exp` and `powi` get bounded arguments, `ln`,
//! `sqrt` and divisors positive ones, loop-carried updates contract. Loops
//! always terminate (every `while` and `loop` counts its iterations), and the
//! product of nested trip counts stays under a budget.
//!
//! `expr.rs` makes expressions and conditions, `stmt.rs` straight-line
//! statements and branches, `loops.rs` loops, `tensor.rs` tensor bodies,
//! `ordinary.rs` std functions, iterator chains and closures, `tuples.rs`,
//! `joins.rs` and `arrays.rs` tuples and arrays as values, `helpers.rs` the
//! `#[differentiable]` helpers a body calls (returning tuples and arrays).

mod arrays;
mod branch;
mod expr;
mod helpers;
mod joins;
mod loops;
mod ordinary;
mod stmt;
mod tensor;
mod tuples;

use super::ast::*;
use super::rng::Rng;
use std::collections::BTreeSet;

/// What the generator may produce.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// Constructs never generated (`AUTOGRAD_FUZZ_DISABLE`).
    pub disabled: BTreeSet<Construct>,
    /// Share of cases with tensor bodies.
    pub tensor_share: f64,
    /// Share of cases with long straight-line float bodies.
    pub straight_share: f64,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            disabled: BTreeSet::new(),
            tensor_share: 0.2,
            straight_share: 0.1,
        }
    }
}

/// What a variable holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A differentiated `f64`.
    F64,
    /// `&f64` to a differentiated element (from `.iter()`).
    RefF64,
    /// `&f64` to a constant element (a const array, a `#[no_grad]` slice).
    ConstRef,
    /// A `#[no_grad]` float parameter.
    ConstF64,
    /// A `usize` whose value is below `hi`.
    Usize {
        hi: usize,
    },
    /// A loop counter (integer, never an index).
    Counter,
    Bool,
    /// A float slice of known length.
    Slice {
        len: usize,
        no_grad: bool,
    },
    /// A tensor `Tensor<f64, Ix1>` (a parameter when `param`, then already a reference).
    Tensor {
        param: bool,
    },
    /// A `Scalar<f64>`.
    Scalar,
    /// A tuple of differentiated floats (and tuples of them).
    Tuple(Vec<Shape>),
    /// A `[f64; N]` of differentiated floats (`Var::typed` says whether rustc knows it is `f64`).
    Array(usize),
}

/// An element of a tuple: a float (whether rustc knows it is `f64`) or a tuple.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    F(bool),
    T(Vec<Shape>),
}

/// A variable in scope.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub kind: Kind,
    pub mutable: bool,
    /// Declared with `let z;` and not yet assigned.
    pub init: bool,
    /// Whether rustc knows it is `f64` (a variable bound to a bare literal is
    /// an ambiguous `{float}`, which cannot receive a method call).
    pub typed: bool,
    /// An upper estimate of its magnitude.
    pub mag: f64,
    /// How many loops enclose its declaration.
    pub loop_level: u32,
    /// How often the body reads it (the tail prefers unread variables).
    pub reads: u32,
}

impl Var {
    /// A new, initialised, typed variable.
    pub fn new(name: &str, kind: Kind, mag: f64) -> Var {
        Var {
            name: name.to_string(),
            kind,
            mutable: false,
            init: true,
            typed: true,
            mag,
            loop_level: 0,
            reads: 0,
        }
    }
}

/// Where a `break` or `continue` may go.
#[derive(Clone, Debug, PartialEq)]
pub enum Breakable {
    /// A loop, with its label if it has one.
    Loop(Option<String>),
    /// A labelled block (`break 'label value`).
    Block(String),
}

/// The context of the statement being generated.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Nesting depth of statements with bodies.
    pub depth: u32,
    /// Product of the trip bounds of the enclosing loops.
    pub mult: u32,
    /// Number of enclosing loops.
    pub loop_level: u32,
    /// Enclosing loops and labelled blocks, innermost last.
    pub breakables: Vec<Breakable>,
}

impl Ctx {
    fn top() -> Ctx {
        Ctx {
            depth: 0,
            mult: 1,
            loop_level: 0,
            breakables: Vec::new(),
        }
    }

    /// The context one level deeper.
    pub fn deeper(&self) -> Ctx {
        Ctx {
            depth: self.depth + 1,
            ..self.clone()
        }
    }
}

/// Deepest nesting of statements with bodies.
pub const MAX_DEPTH: u32 = 3;
/// Largest product of nested trip counts.
pub const MAX_TRIPS: u32 = 50;
/// Expressions estimated above this are squashed.
pub const MAG_LIMIT: f64 = 50.0;

/// The state of one case's generation.
pub struct Gen<'c> {
    pub rng: Rng,
    pub config: &'c GenConfig,
    scopes: Vec<Vec<Var>>,
    pub constructs: BTreeSet<Construct>,
    /// Statements left to generate.
    pub budget: usize,
    pub consts: Vec<(String, Vec<f64>)>,
    labels: usize,
    /// Variables the tail should read (copies and their sources, swapped pairs).
    pub hot: Vec<String>,
    /// Generating a long straight-line body: no control flow.
    pub straight: bool,
    /// The helpers generated so far, with a bound on their outputs' magnitude.
    pub helpers: Vec<(Helper, f64)>,
    /// Inside a helper: what it returns (the body's `return`s must match).
    pub out: Option<Out>,
}

/// Names for float locals, tried in order.
const FLOAT_NAMES: &[&str] = &[
    "a", "b", "d", "p", "q", "r", "s", "t", "u", "z", "acc", "tmp", "prev", "cur",
];

/// Generates case `id` of a run with `seed`.
pub fn generate(config: &GenConfig, seed: u64, id: usize) -> Case {
    let mut g = Gen {
        rng: Rng::for_case(seed, id),
        config,
        scopes: vec![Vec::new()],
        constructs: BTreeSet::new(),
        budget: 0,
        consts: Vec::new(),
        labels: 0,
        hot: Vec::new(),
        straight: false,
        helpers: Vec::new(),
        out: None,
    };
    let tensor = config.tensor_share > 0.0
        && g.enabled(Construct::Tensor)
        && g.rng.chance(config.tensor_share);
    let straight = !tensor
        && config.straight_share > 0.0
        && g.enabled(Construct::LongStraight)
        && g.rng.chance(config.straight_share);
    let (params, ret, body) = if tensor {
        g.tensor_case()
    } else if straight {
        g.straight_case()
    } else {
        g.scalar_case()
    };
    Case {
        id,
        params,
        ret,
        consts: g.consts.clone(),
        body,
        helpers: g.helpers.iter().map(|(h, _)| h.clone()).collect(),
        constructs: g.constructs.clone(),
    }
}

impl Gen<'_> {
    /// Whether a construct may be generated.
    pub fn enabled(&self, c: Construct) -> bool {
        !self.config.disabled.contains(&c)
    }

    /// Records that the body contains `c`.
    pub fn note(&mut self, c: Construct) {
        self.constructs.insert(c);
    }

    /// An input value: a few decimals in `[lo, hi)`.
    pub fn input(&mut self, lo: f64, hi: f64) -> f64 {
        (self.rng.float(lo, hi) * 1000.0).round() / 1000.0
    }

    /// A literal from a readable set, in `[lo, hi]`.
    pub fn literal(&mut self, lo: f64, hi: f64) -> f64 {
        let v = self.rng.float(lo, hi);
        let v = if self.rng.chance(0.5) {
            (v * 4.0).round() / 4.0
        } else {
            (v * 100.0).round() / 100.0
        };
        v.clamp(lo, hi)
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Declares `v` in the innermost scope.
    pub fn declare(&mut self, v: Var) {
        self.scopes.last_mut().expect("a scope").push(v);
    }

    /// Every visible binding (the innermost of each name), innermost first.
    pub fn visible(&self) -> Vec<&Var> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for scope in self.scopes.iter().rev() {
            for v in scope.iter().rev() {
                if seen.insert(v.name.as_str()) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// The visible binding named `name`.
    pub fn lookup(&mut self, name: &str) -> Option<&mut Var> {
        self.scopes
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|v| v.name == name)
    }

    /// Names of visible variables satisfying `pred`.
    pub fn names(&self, pred: impl Fn(&Var) -> bool) -> Vec<String> {
        self.visible()
            .into_iter()
            .filter(|v| pred(v))
            .map(|v| v.name.clone())
            .collect()
    }

    /// Visible, initialised float locals and parameters.
    pub fn floats(&self) -> Vec<String> {
        self.names(|v| v.kind == Kind::F64 && v.init)
    }

    /// Visible, initialised, mutable floats.
    pub fn mutable_floats(&self) -> Vec<String> {
        self.names(|v| v.kind == Kind::F64 && v.init && v.mutable)
    }

    /// A name from `pool` not visible now (numbered when all are taken).
    pub fn fresh(&self, pool: &[&str]) -> String {
        let taken: BTreeSet<String> = self.visible().iter().map(|v| v.name.clone()).collect();
        for n in pool {
            if !taken.contains(*n) {
                return n.to_string();
            }
        }
        (1..)
            .map(|i| format!("{}{i}", pool[0]))
            .find(|n| !taken.contains(n))
            .expect("a name")
    }

    /// A fresh float local name.
    pub fn fresh_float(&self) -> String {
        self.fresh(FLOAT_NAMES)
    }

    /// A fresh loop label.
    pub fn fresh_label(&mut self, stem: &str) -> String {
        self.labels += 1;
        format!("{stem}{}", self.labels)
    }

    /// Marks `name` as read (the tail prefers unread variables).
    pub fn read(&mut self, name: &str) {
        if let Some(v) = self.lookup(name) {
            v.reads += 1;
        }
    }

    /// Raises the magnitude `name` may hold to `mag`.
    pub fn bump(&mut self, name: &str, mag: f64) {
        if let Some(v) = self.lookup(name) {
            v.mag = v.mag.max(mag);
        }
    }

    /// A body ending in `value`: sometimes `return value;` (noting `early`),
    /// else its tail.
    pub fn returned_or_tail(
        &mut self,
        mut stmts: Vec<Stmt>,
        value: Expr,
        early: Construct,
    ) -> Block {
        if self.enabled(early) && self.rng.chance(0.1) {
            self.note(early);
            stmts.push(Stmt::Return(value));
            Block::of(stmts)
        } else {
            Block::with_tail(stmts, value)
        }
    }

    /// Asks the tail to read `name`.
    pub fn make_hot(&mut self, name: &str) {
        if !self.hot.iter().any(|h| h == name) {
            self.hot.push(name.to_string());
        }
    }

    /// The signature of a scalar case: 1–4 parameters, at least one differentiated.
    fn scalar_params(&mut self) -> Vec<Param> {
        let mut params = Vec::new();
        params.push(Param::F64 {
            name: "x".into(),
            no_grad: false,
            value: self.input(-1.5, 1.5),
        });
        if self.rng.chance(0.6) {
            params.push(Param::F64 {
                name: "y".into(),
                no_grad: false,
                value: self.input(-1.5, 1.5),
            });
        }
        if self.rng.chance(0.35) {
            let len = self.rng.range(2, 5);
            let values = (0..len).map(|_| self.input(-1.5, 1.5)).collect();
            params.push(Param::Slice {
                name: "xs".into(),
                no_grad: false,
                values,
            });
        }
        if self.rng.chance(0.35) {
            params.push(Param::Usize {
                name: "n".into(),
                value: self.rng.range(0, 5),
            });
        }
        if self.enabled(Construct::NoGrad) && self.rng.chance(0.15) {
            params.push(Param::F64 {
                name: "c0".into(),
                no_grad: true,
                value: self.input(-1.0, 1.0),
            });
            self.note(Construct::NoGrad);
        }
        if self.enabled(Construct::NoGrad) && self.rng.chance(0.1) {
            let len = self.rng.range(2, 4);
            let values = (0..len).map(|_| self.input(-1.0, 1.0)).collect();
            params.push(Param::Slice {
                name: "cs".into(),
                no_grad: true,
                values,
            });
            self.note(Construct::NoGrad);
        }
        if self.rng.chance(0.15) {
            params.push(Param::Bool {
                name: "flag".into(),
                value: self.rng.chance(0.5),
            });
        }
        if params.len() > 1 && self.rng.chance(0.3) {
            let i = self.rng.below(params.len());
            let p = params.remove(i);
            params.push(p);
        }
        params
    }

    /// Declares the parameters in the outermost scope.
    fn declare_params(&mut self, params: &[Param]) {
        for p in params {
            let (kind, mag) = match p {
                Param::F64 {
                    no_grad: false,
                    value,
                    ..
                } => (Kind::F64, value.abs().max(1.0)),
                Param::F64 {
                    no_grad: true,
                    value,
                    ..
                } => (Kind::ConstF64, value.abs().max(1.0)),
                Param::Usize { value, .. } => (Kind::Usize { hi: value + 1 }, *value as f64),
                Param::Bool { .. } => (Kind::Bool, 0.0),
                Param::Slice {
                    values, no_grad, ..
                } => (
                    Kind::Slice {
                        len: values.len(),
                        no_grad: *no_grad,
                    },
                    1.5,
                ),
                Param::Tensor { .. } => (Kind::Tensor { param: true }, 1.5),
            };
            self.declare(Var::new(p.name(), kind, mag));
        }
    }

    /// A scalar case: parameters, 5–40 statements and a tail.
    fn scalar_case(&mut self) -> (Vec<Param>, Ret, Block) {
        let params = self.scalar_params();
        self.declare_params(&params);
        self.budget = self.rng.range(5, 32);
        let ctx = Ctx::top();
        // Start with variables that later statements can change.
        let mut stmts = Vec::new();
        for _ in 0..self.rng.range(1, 3) {
            stmts.extend(self.let_float(&ctx, self.enabled(Construct::LetMut)));
        }
        while self.budget > 0 {
            stmts.extend(self.stmt(&ctx));
        }
        let tail = self.tail_expr();
        let body = self.returned_or_tail(stmts, tail, Construct::Return);
        (params, Ret::F64, body)
    }

    /// A long straight-line case: one to three `f64` parameters, every one
    /// differentiated, and 35–90 statements without control flow (the
    /// macro emits such bodies in chunks of functions of their own).
    fn straight_case(&mut self) -> (Vec<Param>, Ret, Block) {
        self.note(Construct::LongStraight);
        self.straight = true;
        let params: Vec<Param> = ["x", "y", "w"][..self.rng.range(1, 3)]
            .iter()
            .map(|n| Param::F64 {
                name: n.to_string(),
                no_grad: false,
                value: self.input(-1.5, 1.5),
            })
            .collect();
        self.declare_params(&params);
        self.budget = self.rng.range(35, 90);
        let ctx = Ctx::top();
        let mut stmts = Vec::new();
        for _ in 0..self.rng.range(2, 5) {
            stmts.extend(self.let_float(&ctx, self.enabled(Construct::LetMut)));
        }
        while self.budget > 0 {
            stmts.extend(self.stmt(&ctx));
        }
        let tail = self.tail_expr();
        (params, Ret::F64, Block::with_tail(stmts, tail))
    }

    /// The value the body ends with: the hot variables and the least read
    /// floats, combined so that each contributes.
    pub fn tail_expr(&mut self) -> Expr {
        let mut names: Vec<String> = self
            .hot
            .iter()
            .filter(|h| self.floats().contains(h))
            .cloned()
            .collect();
        let mut others: Vec<(u32, String)> = self
            .visible()
            .iter()
            .filter(|v| v.kind == Kind::F64 && v.init)
            .map(|v| (v.reads, v.name.clone()))
            .collect();
        others.sort();
        for (_, n) in others {
            if names.len() >= 5 {
                break;
            }
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let mut terms: Vec<Expr> = Vec::new();
        for n in names {
            terms.push(match self.rng.below(4) {
                0 => Expr::bin(
                    BinOp::Mul,
                    Expr::lit(self.literal(0.25, 2.0)),
                    Expr::var(&n),
                ),
                1 if self.lookup(&n).is_some_and(|v| v.typed) => {
                    Expr::method(Expr::var(&n), "sin", vec![])
                }
                _ => Expr::var(&n),
            });
        }
        terms.extend(self.aggregate_tail());
        let mut acc: Option<Expr> = None;
        for term in terms {
            acc = Some(match acc {
                None => term,
                Some(a) => {
                    let op = if self.rng.chance(0.7) {
                        BinOp::Add
                    } else {
                        BinOp::Sub
                    };
                    Expr::bin(op, a, term)
                }
            });
        }
        acc.unwrap_or_else(|| Expr::lit(1.0))
    }
}
