//! The generated programs: a small AST of Rust statements and expressions.
//!
//! The generator builds it with a type environment, so every tree prints as
//! valid, well-typed Rust; the printer prints it twice (plain `f64` and dual),
//! and the shrinker edits it. Nodes carry what the dual printer needs to know
//! that the Rust text does not show: which float leaves are constants.

use std::collections::BTreeSet;

/// A parameter of a generated function, with the argument the case calls it with.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// `x: f64` (`#[no_grad] x: f64` when `no_grad`).
    F64 {
        name: String,
        no_grad: bool,
        value: f64,
    },
    /// `n: usize`.
    Usize { name: String, value: usize },
    /// `flag: bool`.
    Bool { name: String, value: bool },
    /// `x: &[f64]` (`#[no_grad]` when `no_grad`).
    Slice {
        name: String,
        no_grad: bool,
        values: Vec<f64>,
    },
    /// `x: &Tensor<f64, Ix1>`.
    Tensor { name: String, values: Vec<f64> },
}

impl Param {
    /// The parameter's name.
    pub fn name(&self) -> &str {
        match self {
            Param::F64 { name, .. }
            | Param::Usize { name, .. }
            | Param::Bool { name, .. }
            | Param::Slice { name, .. }
            | Param::Tensor { name, .. } => name,
        }
    }

    /// How many differentiated inputs it contributes to the flattened input vector.
    pub fn width(&self) -> usize {
        match self {
            Param::F64 { no_grad: false, .. } => 1,
            Param::Slice {
                no_grad: false,
                values,
                ..
            }
            | Param::Tensor { values, .. } => values.len(),
            _ => 0,
        }
    }
}

/// What a generated function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// `-> f64`.
    F64,
    /// `-> Scalar<f64>` (tensor bodies).
    Scalar,
}

/// Type annotations the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    F64,
    Scalar,
    /// `(f64, f64)`.
    Pair,
    /// `[f64; N]`.
    Array(usize),
}

/// What a helper function returns: floats, tuples of them, float arrays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Out {
    F64,
    Tuple(Vec<Out>),
    Array(usize),
}

/// A `#[differentiable]` helper beside the case's function, called from its
/// body: `fn h0(a: f64, b: f64) -> (f64, f64) { .. }` (every parameter differentiated).
#[derive(Clone, Debug, PartialEq)]
pub struct Helper {
    pub name: String,
    pub params: Vec<String>,
    pub out: Out,
    pub body: Block,
}

/// Constructs the generator can produce, recorded per case so that reports
/// say what a refused or failing case contained, and so that a construct can
/// be switched off (`AUTOGRAD_FUZZ_DISABLE`) or allowed to be refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Construct {
    Arith,
    Methods,
    MaxMin,
    FloatPath,
    Powf,
    Let,
    LetMut,
    TypeAnnotation,
    Shadowing,
    CopyAlias,
    Swap,
    TupleLet,
    DestructuringAssign,
    NestedBlock,
    BlockValue,
    DeferredInit,
    If,
    IfValue,
    MatchInt,
    MatchBinding,
    MatchGuard,
    MatchTuple,
    ForRange,
    ForSlice,
    ForEnumerate,
    ForZip,
    ForConstArray,
    While,
    Loop,
    Break,
    Continue,
    NestedLoops,
    LabelledLoop,
    LabelledBlock,
    Return,
    CompoundAssign,
    Accumulator,
    Clenshaw,
    SliceIndex,
    RefElement,
    IntCast,
    NoGrad,
    Tensor,
    TensorBroadcast,
    TensorAssignOp,
    /// A long straight-line body of floats (emitted in chunks).
    LongStraight,
    /// `mul_add`, `hypot`, `atan2`, `copysign`, `floor`, `%` on floats.
    StdFns,
    /// An iterator chain over slices: `x.iter().copied().map(|v| ..).sum::<f64>()`.
    Chain,
    /// A closure bound with `let` and called: `{ let c = |v: f64| ..; c(a) + c(b) }`.
    Closure,
    /// A tuple-valued local: `let t = (a * 2.0, b);`.
    TupleValue,
    /// A tuple's element read: `t.0`, `t.0.1`.
    TupleField,
    /// A tuple pattern on a tuple value: `let (p, q) = t;`.
    TuplePattern,
    /// A tuple inside a tuple: `let t = ((a, b), c);`, `let ((p, q), r) = t;`.
    NestedTuple,
    /// A tuple carried through a loop: `acc = (acc.0 + x, acc.1 * x);`.
    TupleLoop,
    /// Tuples joined by `if`/`match`: `let t = if c { (a, b) } else { (b, a) };`.
    TupleJoin,
    /// Destructuring assignment from a tuple value: `(x, y) = t;`.
    TupleAssign,
    /// A call to a `#[differentiable]` helper returning a tuple.
    HelperTuple,
    /// A call to a `#[differentiable]` helper returning `[f64; N]`.
    HelperArray,
    /// An early `return` of a tuple or array from a helper.
    HelperReturn,
    /// An array literal of floats: `let v = [a * b, b, 2.0];`.
    ArrayLiteral,
    /// An array element read with a constant index: `v[0]`.
    ArrayIndex,
    /// An array pattern: `let [p, q] = v;`.
    ArrayPattern,
    /// An element of a helper's result read off the call: `h0(a, b).1`.
    CallField,
    /// A mutable array assigned whole: `v = [v[1], v[0] * 0.5 + a];`.
    ArrayUpdate,
}

impl Construct {
    /// Every construct, in declaration order.
    pub const ALL: &'static [Construct] = &[
        Construct::Arith,
        Construct::Methods,
        Construct::MaxMin,
        Construct::FloatPath,
        Construct::Powf,
        Construct::Let,
        Construct::LetMut,
        Construct::TypeAnnotation,
        Construct::Shadowing,
        Construct::CopyAlias,
        Construct::Swap,
        Construct::TupleLet,
        Construct::DestructuringAssign,
        Construct::NestedBlock,
        Construct::BlockValue,
        Construct::DeferredInit,
        Construct::If,
        Construct::IfValue,
        Construct::MatchInt,
        Construct::MatchBinding,
        Construct::MatchGuard,
        Construct::MatchTuple,
        Construct::ForRange,
        Construct::ForSlice,
        Construct::ForEnumerate,
        Construct::ForZip,
        Construct::ForConstArray,
        Construct::While,
        Construct::Loop,
        Construct::Break,
        Construct::Continue,
        Construct::NestedLoops,
        Construct::LabelledLoop,
        Construct::LabelledBlock,
        Construct::Return,
        Construct::CompoundAssign,
        Construct::Accumulator,
        Construct::Clenshaw,
        Construct::SliceIndex,
        Construct::RefElement,
        Construct::IntCast,
        Construct::NoGrad,
        Construct::Tensor,
        Construct::TensorBroadcast,
        Construct::TensorAssignOp,
        Construct::LongStraight,
        Construct::StdFns,
        Construct::Chain,
        Construct::Closure,
        Construct::TupleValue,
        Construct::TupleField,
        Construct::TuplePattern,
        Construct::NestedTuple,
        Construct::TupleLoop,
        Construct::TupleJoin,
        Construct::TupleAssign,
        Construct::HelperTuple,
        Construct::HelperArray,
        Construct::HelperReturn,
        Construct::ArrayLiteral,
        Construct::ArrayIndex,
        Construct::ArrayPattern,
        Construct::CallField,
        Construct::ArrayUpdate,
    ];

    /// The kebab-case name used in reports and environment variables.
    pub fn name(self) -> String {
        let debug = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// The construct named `name` (as [`Construct::name`] spells it).
    pub fn parse(name: &str) -> Option<Construct> {
        Construct::ALL
            .iter()
            .copied()
            .find(|c| c.name() == name.trim())
    }
}

/// One generated function and the arguments it is called with.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Unique within a run; names the module `case_<id>`.
    pub id: usize,
    pub params: Vec<Param>,
    pub ret: Ret,
    /// `const NAME: [f64; N] = [..];` items beside the function.
    pub consts: Vec<(String, Vec<f64>)>,
    pub body: Block,
    /// `#[differentiable]` helpers the body calls.
    pub helpers: Vec<Helper>,
    /// What the body contains, for reports.
    pub constructs: BTreeSet<Construct>,
}

/// `{ stmts; tail }`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
}

/// A binding pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Pat {
    Ident {
        name: String,
        mutable: bool,
    },
    Wild,
    Tuple(Vec<Pat>),
    /// `[p, q, ..]` (every element named or `_`, no rest pattern).
    Array(Vec<Pat>),
}

/// A pattern of a `match` arm.
#[derive(Clone, Debug, PartialEq)]
pub enum MatchPat {
    Int(Vec<u64>),
    Bind(String),
    Wild,
    Tuple(Vec<MatchPat>),
}

/// `pat if guard => body`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub pat: MatchPat,
    pub guard: Option<Expr>,
    pub body: Expr,
}

/// `=` or a compound assignment operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
}

/// What a `for` loop iterates over.
#[derive(Clone, Debug, PartialEq)]
pub enum Iter {
    /// `lo..hi` over integers.
    Range(Expr, Expr),
    /// `x.iter()` (reversed with `.rev()`), or `x` itself when `bare`.
    Elements {
        slice: String,
        rev: bool,
        bare: bool,
    },
    /// `x.iter().enumerate()`.
    Enumerate(String),
    /// `x.iter().zip(y.iter())`.
    Zip(String, String),
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `let pat: ty = init;` (no `= init` when `init` is `None`).
    Let {
        pat: Pat,
        ty: Option<Ty>,
        init: Option<Expr>,
    },
    /// `name op= rhs;`, or `(a, b) = rhs;` when `targets` has several names.
    Assign {
        targets: Vec<String>,
        op: AssignOp,
        rhs: Expr,
    },
    /// An expression statement: `if`, `match`, a block, ... (printed without `;`).
    Expr(Expr),
    For {
        label: Option<String>,
        pat: Pat,
        iter: Iter,
        body: Block,
    },
    While {
        label: Option<String>,
        cond: Expr,
        body: Block,
    },
    Loop {
        label: Option<String>,
        body: Block,
    },
    Break {
        label: Option<String>,
        value: Option<Expr>,
    },
    Continue {
        label: Option<String>,
    },
    Return(Expr),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    /// The operator's token.
    pub fn token(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }

    /// Binding strength, as Rust's grammar has it (higher binds tighter).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 5,
        }
    }
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A float literal (always wrapped in [`Expr::Const`] when it is a float value).
    Float(f64),
    /// An integer literal.
    Int(u64),
    /// A variable (or parameter) read.
    Var(String),
    /// `*v`, for `v: &f64`.
    Deref(String),
    /// `x[index]`.
    Index(String, Box<Expr>),
    /// `x.len()`.
    Len(String),
    /// `(e as f64)`.
    Cast(Box<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `!e`.
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Parentheses the printer would not need: `(e)`.
    Paren(Box<Expr>),
    /// `recv.name(args)`.
    Method(Box<Expr>, String, Vec<Expr>),
    /// `f64::name(args)` (printed `Dual::name` in the dual version).
    FloatFn(String, Vec<Expr>),
    /// `(a, b, ..)`.
    Tuple(Vec<Expr>),
    /// `e.k`: an element of a tuple.
    Field(Box<Expr>, usize),
    /// `[a, b, ..]`: an array of floats.
    Array(Vec<Expr>),
    /// `name(args)`: a call to a helper (`name_dual(..)` in the dual version).
    Call(String, Vec<Expr>),
    /// `if cond { .. } else ..`; the else branch is a block or another `if`.
    If(Box<Expr>, Block, Option<Box<Expr>>),
    /// The `else { .. }` of an `if` (only as an `If`'s else branch).
    Else(Block),
    Match(Box<Expr>, Vec<Arm>),
    Block(Block),
    /// `'label: { .. }`.
    Labelled(String, Block),
    /// `&e` (tensor operands).
    Ref(Box<Expr>),
    /// A float leaf that is a constant for differentiation: a literal, a cast,
    /// a read of a `#[no_grad]` value. The dual version wraps it: `dc(e)`.
    Const(Box<Expr>),
    /// `name` for `name: &f64` that is a constant (an element of a constant
    /// array or a `#[no_grad]` slice); the dual version reads `dc(*name)`.
    ConstRef(String),
    /// An iterator chain over float slices.
    Chain(Box<Chain>),
    /// `{ let name = |param: f64| body; name(args[0]) + name(args[1]) .. }`.
    Closure {
        name: String,
        param: String,
        body: Box<Expr>,
        args: Vec<Expr>,
    },
}

/// `x.iter().copied()[.zip(y.iter().copied())] .adapters .map(|vars| body) .consumer`.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// One slice, or two zipped.
    pub slices: Vec<String>,
    /// The closure's parameters, one per slice.
    pub vars: Vec<String>,
    /// `rev()`, `skip(k)`, `take(k)`, `step_by(k)`: name and argument.
    pub adapters: Vec<(String, Option<u64>)>,
    pub body: Expr,
    pub consumer: Consumer,
}

/// How a chain ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consumer {
    /// `.sum::<f64>()`.
    Sum,
    /// `.fold(0.0, |acc, t| acc + t)`.
    FoldAdd,
    /// `.fold(f64::NEG_INFINITY, f64::max)`.
    FoldMax,
}

impl Expr {
    /// `Expr::Const(Expr::Float(v))`.
    pub fn lit(v: f64) -> Expr {
        Expr::Const(Box::new(Expr::Float(v)))
    }

    /// `Expr::Binary(op, a, b)`.
    pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// `recv.name(args)`.
    pub fn method(recv: Expr, name: &str, args: Vec<Expr>) -> Expr {
        Expr::Method(Box::new(recv), name.to_string(), args)
    }

    /// `Expr::Var(name)`.
    pub fn var(name: &str) -> Expr {
        Expr::Var(name.to_string())
    }

    /// Whether it is `if`, `match` or a block (printed without `;` as a statement).
    pub fn is_block_like(&self) -> bool {
        matches!(
            self,
            Expr::If(..) | Expr::Match(..) | Expr::Block(_) | Expr::Labelled(..)
        )
    }
}

impl Stmt {
    /// `let [mut] name = init;`
    pub fn bind(name: &str, mutable: bool, init: Expr) -> Stmt {
        Stmt::Let {
            pat: Pat::Ident {
                name: name.to_string(),
                mutable,
            },
            ty: None,
            init: Some(init),
        }
    }

    /// `target op= rhs;`
    pub fn set(target: &str, op: AssignOp, rhs: Expr) -> Stmt {
        Stmt::Assign {
            targets: vec![target.to_string()],
            op,
            rhs,
        }
    }
}

impl Block {
    /// A block of statements without a tail.
    pub fn of(stmts: Vec<Stmt>) -> Block {
        Block { stmts, tail: None }
    }

    /// A block with a tail expression.
    pub fn with_tail(stmts: Vec<Stmt>, tail: Expr) -> Block {
        Block {
            stmts,
            tail: Some(Box::new(tail)),
        }
    }
}
