//! The lowering's environment: which value each user variable names at the
//! current point, with Rust's block scoping and shadowing, and an undo log
//! so that each branch of an `if` starts from the same state and the join
//! sees what each branch changed.

use std::collections::HashMap;

use crate::core::ValueId;

pub type BindingId = usize;

/// What a user variable names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Slot {
    /// A value. `borrowed`: the variable is a reference to it
    /// (`let r = &h;`, the elements of `x.iter()`).
    Value { value: ValueId, borrowed: bool },
    /// Declared without a value (`let y;`) and not assigned on this path.
    Undef,
}

impl Slot {
    pub fn value(self) -> Option<ValueId> {
        match self {
            Slot::Value { value, .. } => Some(value),
            Slot::Undef => None,
        }
    }

    pub fn of(value: ValueId) -> Slot {
        Slot::Value {
            value,
            borrowed: false,
        }
    }
}

pub struct Binding {
    /// The user's name (without `r#`).
    pub name: String,
    pub slot: Slot,
    /// The type written on a declaration without a value (`let u: f64;`),
    /// which the assignments that give it values must keep.
    pub declared: Option<syn::Type>,
}

/// A point to return to: the undo log's length and the bindings declared so far.
#[derive(Clone, Copy)]
pub struct Checkpoint {
    log: usize,
    bindings: usize,
}

#[derive(Default)]
pub struct Env {
    pub bindings: Vec<Binding>,
    /// The visible bindings of each name, innermost last.
    by_name: HashMap<String, Vec<BindingId>>,
    /// The bindings each open scope declared.
    scopes: Vec<Vec<BindingId>>,
    /// Assignments, with the slot each replaced.
    log: Vec<(BindingId, Slot)>,
}

impl Env {
    pub fn new() -> Env {
        Env {
            scopes: vec![Vec::new()],
            ..Env::default()
        }
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub fn pop_scope(&mut self) {
        for b in self.scopes.pop().unwrap_or_default() {
            let name = &self.bindings[b].name;
            if let Some(stack) = self.by_name.get_mut(name) {
                stack.pop();
            }
        }
    }

    /// A new variable in the innermost scope (shadowing any of the same name).
    pub fn declare(&mut self, name: &str, slot: Slot) -> BindingId {
        let b = self.bindings.len();
        self.bindings.push(Binding {
            name: name.to_string(),
            slot,
            declared: None,
        });
        self.by_name.entry(name.to_string()).or_default().push(b);
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(b);
        }
        b
    }

    pub fn lookup(&self, name: &str) -> Option<BindingId> {
        self.by_name.get(name).and_then(|s| s.last().copied())
    }

    pub fn slot(&self, b: BindingId) -> Slot {
        self.bindings[b].slot
    }

    pub fn assign(&mut self, b: BindingId, slot: Slot) {
        let old = std::mem::replace(&mut self.bindings[b].slot, slot);
        self.log.push((b, old));
    }

    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            log: self.log.len(),
            bindings: self.bindings.len(),
        }
    }

    /// The bindings declared before `cp` whose slot changed since (an
    /// assignment of the value it had is no change), with their current
    /// slots, in binding order.
    pub fn changes_since(&self, cp: Checkpoint) -> Vec<(BindingId, Slot)> {
        // The slot each binding had at `cp`: the one its first assignment since replaced.
        let mut first: HashMap<BindingId, Slot> = HashMap::new();
        for (b, old) in &self.log[cp.log..] {
            if *b < cp.bindings {
                first.entry(*b).or_insert(*old);
            }
        }
        let mut out: Vec<(BindingId, Slot)> = first
            .into_iter()
            .filter(|(b, old)| self.bindings[*b].slot != *old)
            .map(|(b, _)| (b, self.bindings[b].slot))
            .collect();
        out.sort_unstable_by_key(|(b, _)| *b);
        out
    }

    /// Undoes every assignment since `cp` (the bindings declared since then
    /// are out of scope already).
    pub fn rollback(&mut self, cp: Checkpoint) {
        while self.log.len() > cp.log {
            if let Some((b, old)) = self.log.pop() {
                self.bindings[b].slot = old;
            }
        }
    }

    /// Forgets the bindings declared since `cp`, for a loop body lowered
    /// again (their scopes are closed).
    pub fn truncate(&mut self, cp: Checkpoint) {
        self.rollback(cp);
        self.bindings.truncate(cp.bindings);
    }
}
