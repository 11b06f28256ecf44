//! The core form a body is lowered to: single assignment over structured
//! control flow.
//!
//! Every [`Value`] is defined exactly once: by a parameter, by one operation
//! ([`Let`]), as an out of a join (the values an `if`, a `match`, a labelled
//! block or a loop produces, one per user variable it changes), as a loop
//! header parameter (the value a carried variable has at the start of an
//! iteration), or by a pattern binding a constant. A user variable is a name
//! for successive values: `let tmp = d; d = d * 3.0;` makes `tmp` the value
//! `d` had, and `d` a new value; a swap, a shadowing or a binding pattern is
//! just another name for a value.
//!
//! Control flow stays structured, as in the source: blocks end in a
//! [`Term`]: they fall through to their construct with the values it joins
//! (block arguments), or jump (`break`, `continue`, `return`) with the
//! values the target joins. Every jump carries a unique code, recorded at
//! run time so that the reverse sweep knows which way each region was left.
//!
//! Expressions that depend on no differentiated parameter are kept whole, as
//! constants ([`Const`]): their tokens already name the values they read.

#[cfg(test)]
pub mod print;
pub mod walk;

use std::ops::Range;

use proc_macro2::{Ident, Span, TokenStream};

use crate::table::OpEntry;

pub type ValueId = usize;
pub type RegionId = usize;

/// What the macro knows of a value's Rust type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Repr {
    /// An owned float or tensor (the output of a rule, a call, a copy).
    Owned,
    /// A reference (`&T` parameters, fields of parameter structs, and joins of those).
    Ref,
    /// A type the macro cannot see (constants, pattern bindings): operands
    /// of this kind are passed through `val`, which sees through references.
    Unknown,
}

/// Where a value is defined.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    Param(usize),
    /// By an operation ([`Let`]).
    Let,
    /// An out of a join (`if`, `match`, labelled block, loop exit).
    Out,
    /// The value a carried variable has at the start of an iteration of a loop.
    Header(RegionId),
    /// Bound by a pattern to a constant (`for i in ..`, a `match` arm).
    Pattern,
}

pub struct Value {
    /// Unique in the function: the names derived from it (`__ad_d_<name>`
    /// for its gradient) never collide.
    pub name: String,
    /// What messages and `__AD_SAVED` call it: the user's variable, or the
    /// intermediate's kind (`tmp_mul`).
    pub user: String,
    /// The variable holding it in generated code. Loop outs share the
    /// variable of their header parameter.
    pub ident: Ident,
    pub origin: Origin,
    pub repr: Repr,
    /// Depends on a differentiated parameter (forward activity).
    pub active: bool,
    pub span: Span,
}

/// An argument of an operation, a join or a jump.
#[derive(Clone)]
pub enum Operand {
    Value(ValueId),
    /// A literal, emitted where it is used.
    Lit(TokenStream),
    /// A variable declared without a value (`let y;`) that this path has
    /// not assigned yet.
    Undef,
}

impl Operand {
    pub fn value(&self) -> Option<ValueId> {
        match self {
            Operand::Value(v) => Some(*v),
            _ => None,
        }
    }
}

/// An expression that is not differentiated, emitted as written with the
/// body's variables renamed; `reads` lists the values it names, in order.
#[derive(Clone)]
pub struct Const {
    pub tokens: TokenStream,
    pub reads: Vec<ValueId>,
}

/// How a call argument was written: `&x` passes a borrow, `x` the value.
#[derive(Clone)]
pub struct CallArg {
    pub operand: Operand,
    pub by_ref: bool,
}

pub struct Call {
    /// The path of the function, its generic arguments moved to `turbofish`;
    /// for a method, the method's name.
    pub path: syn::Path,
    /// A method call (`layer.forward(&h)`): the receiver is the first
    /// argument, and the rule is the method `__ad_rule_<name>` beside it.
    pub method: bool,
    pub turbofish: Option<syn::AngleBracketedGenericArguments>,
    pub args: Vec<CallArg>,
}

pub enum Op {
    /// An operation with a derivative rule.
    Rule {
        rule: &'static OpEntry,
        operands: Vec<Operand>,
        consts: Vec<Operand>,
    },
    /// A call to another differentiable function, through its `rule`.
    Call(Call),
    Const(Const),
    /// `.clone()` of a reference: an owned copy (the identity for gradients).
    Copy(Operand),
    /// A field of a struct of parameters, borrowed (`&m.w1`).
    Field(ValueId, syn::Member),
    /// A part of a container of parameters, borrowed (`&m.layers[i]`, the
    /// `b` of `if let Some(b) = &m.bias`).
    Part(ValueId, Part),
}

/// Which part of a container [`Op::Part`] borrows.
pub enum Part {
    /// The element at a constant index.
    Index(Operand),
    /// The value inside a `Some`.
    Some,
}

/// `out = op`.
pub struct Let {
    pub out: ValueId,
    pub op: Op,
    /// The type annotation of the user's `let`, if any.
    pub ty: Option<syn::Type>,
    /// The user's expression: errors in generated code point here.
    pub span: Span,
}

pub struct If {
    pub cond: Const,
    pub then: Block,
    pub els: Block,
    pub outs: Vec<ValueId>,
    /// The codes of the jumps inside.
    pub codes: Range<u32>,
}

pub struct Arm {
    /// The pattern, its constant bindings renamed and differentiated ones
    /// replaced by `_` (they are names for the scrutinee's values).
    pub pat: TokenStream,
    pub guard: Option<Const>,
    /// The constants the pattern binds.
    pub bindings: Vec<ValueId>,
    pub body: Block,
}

pub struct Match {
    pub scrutinee: Const,
    pub arms: Vec<Arm>,
    pub outs: Vec<ValueId>,
    /// The codes of the jumps inside.
    pub codes: Range<u32>,
}

pub enum LoopKind {
    /// `for pat in iter`: the pattern binds constants.
    For {
        pat: TokenStream,
        iter: Const,
        bindings: Vec<ValueId>,
    },
    While {
        cond: Const,
    },
    Loop,
}

pub struct Loop {
    pub id: RegionId,
    pub kind: LoopKind,
    /// The header parameters: one per variable the body changes.
    pub carried: Vec<ValueId>,
    /// Their values on entry.
    pub inits: Vec<Operand>,
    /// Falls through to the next iteration with the carried values.
    pub body: Block,
    /// The values the carried variables have after the loop.
    pub outs: Vec<ValueId>,
    /// The value of a `loop` used as a value (`break value`).
    pub value: Option<ValueId>,
    /// The codes of the jumps inside.
    pub codes: Range<u32>,
}

/// `'a: { .. }`, left at its end or by `break 'a value`.
pub struct Labelled {
    pub id: RegionId,
    pub body: Block,
    /// The block's value (if it has one), then one per variable it changes.
    pub outs: Vec<ValueId>,
    pub has_value: bool,
    /// The codes of the jumps inside.
    pub codes: Range<u32>,
}

/// `let <pattern> = <constant>;`: every binding is a constant.
pub struct Bind {
    pub pat: TokenStream,
    pub value: Const,
    pub bindings: Vec<ValueId>,
}

impl Inst {
    /// The codes of the jumps inside the instruction (empty for those
    /// without nested blocks).
    pub fn codes(&self) -> Range<u32> {
        match self {
            Inst::If(i) => i.codes.clone(),
            Inst::Match(m) => m.codes.clone(),
            Inst::Loop(l) => l.codes.clone(),
            Inst::Labelled(b) => b.codes.clone(),
            Inst::Let(_) | Inst::Bind(_) | Inst::Check(_) => 0..0,
        }
    }
}

pub enum Inst {
    Let(Let),
    If(If),
    Match(Match),
    Loop(Loop),
    Labelled(Labelled),
    Bind(Bind),
    /// An `assert!`-style check, run in the forward pass.
    Check(Const),
}

/// Where a jump goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    /// Out of a loop or a labelled block.
    Break(RegionId),
    /// To the next iteration of a loop.
    Continue(RegionId),
    Return,
}

/// A region a jump leaves, innermost first: what it records there.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exit {
    /// The current iteration of a loop ends with the jump's code.
    Iteration(RegionId),
    /// A loop the jump leaves from inside: its trip count is recorded at
    /// the jump (the code after the loop does not run).
    Loop(RegionId),
    /// A labelled block ends with the jump's code.
    Block(RegionId),
    Function,
}

pub struct Jump {
    /// Unique in the function, in program order, from 1.
    pub code: u32,
    pub target: Target,
    /// The values the target joins: the loop's carried values (break:
    /// its outs), the block's outs, or the returned value.
    pub args: Vec<Operand>,
    /// The value of `break value` out of a `loop` used as a value.
    pub value: Option<Operand>,
    pub exits: Vec<Exit>,
}

pub enum Term {
    /// Falls through to the construct around the block with these values.
    Yield(Vec<Operand>),
    Jump(Jump),
    /// The last instruction never falls through (every branch jumped).
    Never,
}

pub struct Block {
    pub insts: Vec<Inst>,
    pub term: Term,
    /// The user's expression whose value the block yields, if any: a type
    /// error in the join (`if c { x } else { y }` with `y` another float
    /// type) is reported there.
    pub tail: Option<Span>,
}

/// What a region is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegionKind {
    Loop,
    Labelled,
}

pub struct Region {
    /// How many loops enclose the region's statement.
    pub depth: usize,
    /// Some jump leaves an iteration of this loop, or this block, early.
    pub exited: bool,
    /// Some jump breaks out of this loop.
    pub broken: bool,
}

pub struct Body {
    pub values: Vec<Value>,
    /// The parameters' values, in order.
    pub params: Vec<ValueId>,
    /// The function's block: yields the output, or never falls through.
    pub block: Block,
    pub regions: Vec<Region>,
    /// Whether some `return` leaves the body before its end.
    pub returns: bool,
    pub output_span: Span,
}

impl Body {
    /// The function's output operand (its block's yield), if it falls through.
    pub fn output(&self) -> Option<&Operand> {
        match &self.block.term {
            Term::Yield(v) => v.first(),
            _ => None,
        }
    }
}
