//! The straight-line form a body is lowered to: one operation per statement,
//! every intermediate named.

use proc_macro2::{Ident, Span, TokenStream};
use std::collections::BTreeSet;

use crate::rules::Rule;

pub type VarId = usize;

pub struct Var {
    /// The name the generated names of this value derive from (`x`,
    /// `tmp_mul`): unique in the function.
    pub base: String,
    /// The identifier in generated code.
    pub ident: Ident,
    /// Whether the Rust value is a reference (a `&T` parameter or an alias of one).
    pub is_ref: bool,
    /// The differentiated parameters this value depends on (empty: a constant).
    pub deps: BTreeSet<usize>,
    /// Index of the parameter, for parameters.
    pub param: Option<usize>,
}

impl Var {
    pub fn is_active(&self) -> bool {
        !self.deps.is_empty()
    }
}

/// An argument of an operation.
#[derive(Clone)]
pub enum Operand {
    Var(VarId),
    /// A literal, emitted where it is used.
    Literal(TokenStream),
}

/// How a call argument was written: `&x` passes a borrow, `x` the value.
#[derive(Clone)]
pub struct CallArg {
    pub operand: Operand,
    pub by_ref: bool,
}

pub enum Op {
    /// An operation with a derivative rule.
    Rule {
        rule: &'static Rule,
        operands: Vec<Operand>,
        consts: Vec<Operand>,
    },
    /// A call to another differentiable function, through its `vjp`.
    Call {
        /// The path of the function, its generic arguments moved to `vjp`.
        path: syn::Path,
        turbofish: Option<syn::AngleBracketedGenericArguments>,
        args: Vec<CallArg>,
    },
    /// An expression that is not differentiated, emitted as written (with
    /// the body's variables renamed).
    Constant(TokenStream),
}

pub struct Stmt {
    pub out: VarId,
    pub op: Op,
    /// The type annotation of the user's `let`, if any.
    pub ty: Option<syn::Type>,
    /// The user's expression, for error spans in generated code.
    pub span: Span,
}

pub struct Body {
    pub vars: Vec<Var>,
    pub stmts: Vec<Stmt>,
    pub output: Operand,
    pub output_span: Span,
}
