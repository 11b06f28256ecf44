//! Lowers a function body to the core form (see `core`).
//!
//! Input: the checked body and the parsed signature.
//! Output: a [`Body`] in single assignment: one operation per definition,
//! every value named after the user's variable, joins of branches and loop
//! headers as block arguments, and each value knowing whether it depends on
//! a differentiated parameter (a fixpoint over loops, lowering a loop body
//! again when one of its carried variables turns out to be differentiated).
//! Expressions that depend on no differentiated parameter are kept whole,
//! as constants.
//!
//! The lowering walks the syntax in program order with an environment
//! (`env`) that maps each user variable to its current value. A branch
//! starts from the environment before it; at the join, every variable a
//! branch changed gets a new value (an out of the `if`). A loop's body may
//! change variables declared before it (found by `prescan`): each gets a
//! header parameter, the value it has when an iteration starts.

mod call;
mod cast;
mod control;
mod env;
mod expr;
mod loops;
mod pack;
mod pattern;
mod prescan;
mod rename;
mod stmt;

pub use call::is_float_owner;
pub use cast::is_integer_type;
pub use rename::is_compound;
pub use stmt::strip_parens;

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::core::{
    Block, Body, Inst, Let, Op, Operand, Origin, Region, RegionId, RegionKind, Repr, Term, Value,
    ValueId,
};
use crate::errors::Errors;
use crate::names::{self, Fresh};
use crate::signature::Signature;

pub use env::{BindingId, Slot};

/// A loop or labelled block around the code being lowered: what jumps to it
/// need, and what they passed.
pub struct Target {
    pub region: RegionId,
    pub kind: RegionKind,
    /// The user's label, without the `'`.
    pub label: Option<String>,
    /// The variables declared before it that its body may change.
    pub carried: Vec<BindingId>,
    /// What each `break` passed: the carried variables' slots and the value.
    pub breaks: Vec<(Vec<Slot>, Option<Operand>)>,
    /// What each `continue` passed.
    pub continues: Vec<Vec<Slot>>,
}

/// What a loop or labelled block was found to need, by the address of its
/// syntax: kept across lowerings of the code around it, so that a body
/// lowered again starts from what the last lowering learnt.
#[derive(Default, Clone)]
pub struct Facts {
    /// Carried variables (by name) known to be differentiated.
    pub active: HashSet<String>,
    /// Carried variables (by name) the body turned out not to change.
    pub unchanged: HashSet<String>,
}

pub struct Lowerer<'a> {
    pub sig: &'a Signature,
    pub values: Vec<Value>,
    pub params: Vec<ValueId>,
    pub regions: Vec<Region>,
    pub env: env::Env,
    pub fresh: Fresh,
    /// The block being built.
    pub insts: Vec<Inst>,
    /// Its terminator, once it has one: what follows is dead code.
    pub term: Option<Term>,
    /// Loops and labelled blocks around, innermost last.
    pub targets: Vec<Target>,
    /// Branches, loops and labelled blocks around (0: the function's block).
    pub nesting: usize,
    pub next_code: u32,
    pub returns: bool,
    pub facts: HashMap<usize, Facts>,
    /// Fields of parameter structs (`&m.w1`): references already.
    pub projections: HashSet<ValueId>,
    pub errors: &'a mut Errors,
    /// The span of the tail expression the last block lowered yields.
    pub tail_span: Option<Span>,
    /// Values certainly of a float type (or tensors of floats): the
    /// differentiated parameters, rules' outputs and their copies. A
    /// value of a call may be an integer (a tuple's `usize` element).
    pub known_floats: HashSet<ValueId>,
}

/// Everything a loop body's lowering may add, to undo it and lower the
/// body again.
pub struct Mark {
    values: usize,
    regions: usize,
    next_code: u32,
    fresh: usize,
    env: env::Checkpoint,
    errors: bool,
    /// How many jumps each enclosing target had: a body lowered again must
    /// not leave its earlier `break 'outer`s behind.
    jumps: Vec<(usize, usize)>,
}

pub fn body(sig: &Signature, block: &syn::Block, errors: &mut Errors) -> Option<Body> {
    let mut l = Lowerer {
        sig,
        values: Vec::new(),
        params: Vec::new(),
        regions: Vec::new(),
        env: env::Env::new(),
        fresh: Fresh::default(),
        insts: Vec::new(),
        term: None,
        targets: Vec::new(),
        nesting: 0,
        next_code: 1,
        returns: false,
        facts: HashMap::new(),
        projections: HashSet::new(),
        tail_span: None,
        known_floats: HashSet::new(),
        errors,
    };
    l.declare_params();
    let output = l.function_block(&block.stmts);
    let output_span = block
        .stmts
        .last()
        .map(|s| s.span())
        .unwrap_or_else(|| block.brace_token.span.join());
    let term = match l.term.take() {
        Some(t) => t,
        None => match output {
            Some(o) if !matches!(o, Operand::Undef) => Term::Yield(vec![o]),
            _ => {
                if l.errors.is_empty() {
                    l.errors.push(
                        output_span,
                        "the body must end with the value to differentiate (a final expression without `;`, or `return value;`)",
                    );
                }
                Term::Never
            }
        },
    };
    if !l.errors.is_empty() {
        return None;
    }
    Some(Body {
        values: l.values,
        params: l.params,
        block: Block {
            insts: l.insts,
            term,
            tail: None,
        },
        regions: l.regions,
        returns: l.returns,
        output_span,
    })
}

impl Lowerer<'_> {
    fn declare_params(&mut self) {
        for (i, p) in self.sig.params.iter().enumerate() {
            let name = names::unraw(&p.ident);
            self.fresh.reserve(&name);
            let id = self.values.len();
            self.values.push(Value {
                name: name.clone(),
                user: name.clone(),
                ident: p.ident.clone(),
                origin: Origin::Param(i),
                repr: if p.is_ref() { Repr::Ref } else { Repr::Owned },
                active: p.is_differentiated(),
                span: p.ident.span(),
            });
            self.params.push(id);
            if p.is_differentiated() {
                self.known_floats.insert(id);
            }
            self.env.declare(&name, Slot::of(id));
        }
    }

    /// A new value. `user`: named after a user's variable (else an
    /// intermediate, `__ad_tmp_..`). A user's name that starts with the
    /// macro's prefix gets a `u` in front, so that no variable named after
    /// a user's can be one the macro invents.
    pub fn new_value(
        &mut self,
        base: &str,
        user: bool,
        origin: Origin,
        repr: Repr,
        active: bool,
        span: Span,
    ) -> ValueId {
        let safe;
        let base = if base.starts_with(names::PREFIX) {
            safe = format!("u{base}");
            &safe
        } else {
            base
        };
        let name = self.fresh.name(base);
        let ident = if user {
            names::local(&name, span)
        } else {
            names::generated_at(&name, span)
        };
        let id = self.values.len();
        self.values.push(Value {
            name,
            user: base.to_string(),
            ident,
            origin,
            repr,
            active,
            span,
        });
        id
    }

    /// An intermediate value `tmp_<what>`.
    pub fn temp(
        &mut self,
        what: &str,
        origin: Origin,
        repr: Repr,
        active: bool,
        span: Span,
    ) -> ValueId {
        self.new_value(&format!("tmp_{what}"), false, origin, repr, active, span)
    }

    /// Gives a fresh intermediate the user's name (`let a = x * 2.0;` names
    /// the product `a`). Values that already have a user's name keep it.
    pub fn name_value(&mut self, v: ValueId, name: &str) -> bool {
        let value = &self.values[v];
        if !value.user.starts_with("tmp_") || matches!(value.origin, Origin::Param(_)) {
            return false;
        }
        let span = value.span;
        let safe = if name.starts_with(names::PREFIX) {
            format!("u{name}")
        } else {
            name.to_string()
        };
        let fresh = self.fresh.name(&safe);
        let value = &mut self.values[v];
        value.ident = names::local(&fresh, span);
        value.user = name.to_string();
        value.name = fresh;
        true
    }

    /// Appends an instruction to the block being built (nothing after a jump).
    pub fn push(&mut self, inst: Inst) {
        if self.term.is_none() {
            self.insts.push(inst);
        }
    }

    /// `out = op`, as a new intermediate value.
    pub fn define(&mut self, what: &str, op: Op, repr: Repr, active: bool, span: Span) -> Operand {
        let out = self.temp(what, Origin::Let, repr, active, span);
        self.push(Inst::Let(Let {
            out,
            op,
            ty: None,
            span,
        }));
        Operand::Value(out)
    }

    /// The last instruction, if it is the definition of `v`.
    pub fn last_let(&mut self, v: ValueId) -> Option<&mut Let> {
        match self.insts.last_mut() {
            Some(Inst::Let(l)) if l.out == v => Some(l),
            _ => None,
        }
    }

    pub fn is_active(&self, o: &Operand) -> bool {
        o.value().is_some_and(|v| self.values[v].active)
    }

    pub fn repr(&self, o: &Operand) -> Repr {
        match o {
            Operand::Value(v) => self.values[*v].repr,
            Operand::Lit(_) => Repr::Owned,
            Operand::Undef => Repr::Unknown,
        }
    }

    /// Lowers `f` into a block of its own; returns the block's instructions,
    /// its terminator (if it jumped) and what `f` returned.
    pub fn sub_block<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> (Vec<Inst>, Option<Term>, R) {
        let insts = std::mem::take(&mut self.insts);
        let term = self.term.take();
        self.nesting += 1;
        let r = f(self);
        self.nesting -= 1;
        let inner = std::mem::replace(&mut self.insts, insts);
        let inner_term = std::mem::replace(&mut self.term, term);
        (inner, inner_term, r)
    }

    pub fn mark(&self) -> Mark {
        Mark {
            values: self.values.len(),
            regions: self.regions.len(),
            next_code: self.next_code,
            fresh: self.fresh.mark(),
            env: self.env.checkpoint(),
            errors: self.errors.is_empty(),
            jumps: self
                .targets
                .iter()
                .map(|t| (t.breaks.len(), t.continues.len()))
                .collect(),
        }
    }

    /// Undoes everything since `m`, to lower the same code again. Refused
    /// (false) when errors were reported since: they would be reported twice.
    pub fn undo(&mut self, m: &Mark) -> bool {
        if m.errors != self.errors.is_empty() {
            return false;
        }
        self.values.truncate(m.values);
        self.regions.truncate(m.regions);
        self.next_code = m.next_code;
        self.fresh.rollback(m.fresh);
        self.env.truncate(m.env);
        for (t, (breaks, continues)) in self.targets.iter_mut().zip(&m.jumps) {
            t.breaks.truncate(*breaks);
            t.continues.truncate(*continues);
        }
        true
    }

    pub fn new_region(&mut self) -> RegionId {
        let depth = self
            .targets
            .iter()
            .filter(|t| t.kind == RegionKind::Loop)
            .count();
        self.regions.push(Region {
            depth,
            exited: false,
            broken: false,
        });
        self.regions.len() - 1
    }

    /// The function's block: its statements, the trailing `return value;`
    /// taken as the output rather than as an early exit.
    fn function_block(&mut self, stmts: &[syn::Stmt]) -> Option<Operand> {
        if let Some((syn::Stmt::Expr(syn::Expr::Return(r), _), rest)) = stmts.split_last() {
            self.stmts(rest, false);
            if self.term.is_some() {
                return None;
            }
            return match &r.expr {
                Some(e) => self.value(e),
                None => {
                    self.errors
                        .push_spanned(r, "`return` needs the value to differentiate");
                    None
                }
            };
        }
        self.stmts(stmts, true)
    }
}

/// The address of a syntax node, a key that stays the same while the
/// function is lowered.
pub fn key<T>(node: &T) -> usize {
    node as *const T as usize
}
