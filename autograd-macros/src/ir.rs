//! The lowered form of a body: structured control flow around statements
//! that each do one operation, every intermediate named.

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
    /// Whether the type is unknown to the macro (a constant expression or a
    /// pattern binding): operands of this kind are passed through `val`,
    /// which sees through references.
    pub opaque: bool,
    /// The differentiated parameters this value depends on (empty: a constant).
    pub deps: BTreeSet<usize>,
    /// Index of the parameter, for parameters.
    pub param: Option<usize>,
    /// `base.field` of a parameter (or of another projection): read in place,
    /// never saved.
    pub projection: Option<(VarId, syn::Member)>,
    /// How many statements assign this variable.
    pub assignments: usize,
    /// Declared in the function's own block (not in a branch or loop body).
    pub top_level: bool,
    /// Declared `let mut`, or assigned after its declaration.
    pub mutable: bool,
}

impl Var {
    pub fn is_active(&self) -> bool {
        !self.deps.is_empty()
    }

    /// A reference that the pullback receives again (a parameter, or a field of one).
    pub fn is_passed_ref(&self) -> bool {
        self.is_ref && (self.param.is_some() || self.projection.is_some())
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
    /// The value of another variable (gradient: the identity).
    Copy(Operand),
    /// A field of a struct of parameters, borrowed (`&m.w1`); its gradient
    /// goes into that field of the struct's gradient.
    Field(VarId, syn::Member),
}

pub struct OpStmt {
    pub out: VarId,
    pub op: Op,
    /// `let out = ..` (true) or `out = ..` (false).
    pub declare: bool,
    /// The type annotation of the user's `let`, if any.
    pub ty: Option<syn::Type>,
    /// The user's expression, for error spans in generated code.
    pub span: Span,
    /// How many loops enclose the statement.
    pub loop_depth: usize,
}

pub struct Arm {
    /// The pattern with its bindings renamed.
    pub pat: TokenStream,
    pub guard: Option<TokenStream>,
    pub body: Vec<Stmt>,
}

pub enum LoopKind {
    /// `for pat in iter`.
    For { pat: TokenStream, iter: TokenStream },
    /// `while cond`.
    While { cond: TokenStream },
    /// `loop`.
    Loop,
}

pub enum Stmt {
    Op(Box<OpStmt>),
    /// `let x;` declared before a value-producing `if` or `match` assigns it.
    Declare {
        var: VarId,
    },
    /// `let <pattern> = <constant>;`: every binding is a constant.
    Bind {
        pat: TokenStream,
        value: TokenStream,
        vars: Vec<VarId>,
    },
    If {
        cond: TokenStream,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
        loop_depth: usize,
    },
    Match {
        scrutinee: TokenStream,
        arms: Vec<Arm>,
        loop_depth: usize,
    },
    Loop {
        id: usize,
        kind: LoopKind,
        body: Vec<Stmt>,
        loop_depth: usize,
    },
    /// `break` or `continue` of the innermost loop, with a unique exit code.
    Jump {
        code: u32,
        loop_id: usize,
        is_break: bool,
    },
    /// `return value` before the end of the body.
    Return {
        code: u32,
        value: Operand,
        /// The enclosing loops, innermost first, with their depths.
        loops: Vec<(usize, usize)>,
    },
}

pub struct Body {
    pub vars: Vec<Var>,
    /// Literals read by backward functions, bound once before everything else.
    pub hoisted: Vec<OpStmt>,
    pub stmts: Vec<Stmt>,
    pub output: Operand,
    pub output_span: Span,
    /// Whether the body returns early (`return` not at the end).
    pub early_return: bool,
}

/// Calls `f` on every operation statement, nested blocks included, in order.
pub fn for_each_op<'s>(stmts: &'s [Stmt], f: &mut dyn FnMut(&'s OpStmt)) {
    for s in stmts {
        match s {
            Stmt::Op(op) => f(op),
            Stmt::If { then, els, .. } => {
                for_each_op(then, f);
                for_each_op(els, f);
            }
            Stmt::Match { arms, .. } => arms.iter().for_each(|a| for_each_op(&a.body, f)),
            Stmt::Loop { body, .. } => for_each_op(body, f),
            Stmt::Declare { .. } | Stmt::Bind { .. } | Stmt::Jump { .. } | Stmt::Return { .. } => {}
        }
    }
}

impl Body {
    /// Every place user tokens (a constant expression, a condition) name a
    /// variable, in order, repeats included.
    pub fn named_vars(&self, tokens: &TokenStream) -> Vec<VarId> {
        let mut out = Vec::new();
        for tt in tokens.clone() {
            match tt {
                proc_macro2::TokenTree::Ident(id) => {
                    if let Some(v) = self.vars.iter().position(|var| var.ident == id) {
                        out.push(v);
                    }
                }
                proc_macro2::TokenTree::Group(g) => out.extend(self.named_vars(&g.stream())),
                _ => {}
            }
        }
        out
    }
}
