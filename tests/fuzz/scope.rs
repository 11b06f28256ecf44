//! A quick scope check of a case's body: every read names a declared,
//! initialised variable, every assignment a mutable (or not yet initialised)
//! one, every `break`/`continue` a loop or label around it, and the body ends
//! in a value. The shrinker runs it before building candidates, so most
//! invalid ones never reach rustc (which stays the judge of the rest).

use super::ast::*;

/// A variable in scope: whether mutable, whether initialised.
struct Binding {
    name: String,
    mutable: bool,
    init: bool,
    /// Declared without a value (`let z;`).
    deferred: bool,
}

#[derive(Default)]
struct Scopes {
    stack: Vec<Vec<Binding>>,
    /// Enclosing loops and labelled blocks: `(label, is_loop)`.
    jumps: Vec<(Option<String>, bool)>,
    /// The first problem found.
    problem: Option<String>,
}

impl Scopes {
    fn find(&mut self, name: &str) -> Option<&mut Binding> {
        self.stack
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|b| b.name == name)
    }

    fn bind(&mut self, name: &str, mutable: bool, init: bool) {
        self.stack.last_mut().expect("a scope").push(Binding {
            name: name.to_string(),
            mutable,
            init,
            deferred: !init,
        });
    }

    fn read(&mut self, name: &str) -> bool {
        let ok = self.find(name).is_some_and(|b| b.init);
        self.note(ok, || {
            format!("`{name}` is read but not declared or not initialised")
        })
    }

    /// Records the first problem; passes `ok` through.
    fn note(&mut self, ok: bool, what: impl FnOnce() -> String) -> bool {
        if !ok && self.problem.is_none() {
            self.problem = Some(what());
        }
        ok
    }

    fn pat(&mut self, p: &Pat, init: bool) {
        match p {
            Pat::Ident { name, mutable } => self.bind(name, *mutable, init),
            Pat::Wild => {}
            Pat::Tuple(items) | Pat::Array(items) => items.iter().for_each(|p| self.pat(p, init)),
        }
    }

    fn match_pat(&mut self, p: &MatchPat) {
        match p {
            MatchPat::Bind(n) => self.bind(n, false, true),
            MatchPat::Tuple(items) => items.iter().for_each(|p| self.match_pat(p)),
            MatchPat::Int(_) | MatchPat::Wild => {}
        }
    }

    fn block(&mut self, b: &Block) -> bool {
        self.stack.push(Vec::new());
        let ok =
            b.stmts.iter().all(|s| self.stmt(s)) && b.tail.as_ref().is_none_or(|t| self.expr(t));
        self.stack.pop();
        ok
    }

    fn jump_ok(&mut self, label: &Option<String>, needs_loop: bool) -> bool {
        let ok = match label {
            None => self.jumps.last().is_some_and(|(_, is_loop)| *is_loop),
            Some(l) => self
                .jumps
                .iter()
                .any(|(j, is_loop)| j.as_ref() == Some(l) && (*is_loop || !needs_loop)),
        };
        self.note(ok, || {
            format!("a jump to {label:?} with no such loop or block around it")
        })
    }

    fn looped(&mut self, label: &Option<String>, body: &Block) -> bool {
        self.jumps.push((label.clone(), true));
        let ok = self.block(body);
        self.jumps.pop();
        ok
    }

    fn stmt(&mut self, s: &Stmt) -> bool {
        match s {
            Stmt::Let { pat, init, .. } => {
                let ok = init.as_ref().is_none_or(|e| self.expr(e));
                self.pat(pat, init.is_some());
                ok
            }
            Stmt::Assign { targets, op, rhs } => {
                // `let z;` may be assigned once on each path: allow any plain assignment to it.
                let assignable = targets.iter().all(|t| {
                    self.find(t)
                        .is_some_and(|b| b.mutable || (b.deferred && *op == AssignOp::Set))
                });
                let ok = self.expr(rhs)
                    && self.note(assignable, || {
                        format!("assignment to {targets:?}, not mutable")
                    });
                for t in targets {
                    if let Some(b) = self.find(t) {
                        b.init = true;
                    }
                }
                ok
            }
            Stmt::Expr(e) | Stmt::Return(e) => self.expr(e),
            Stmt::For {
                label,
                pat,
                iter,
                body,
            } => {
                let ok = match iter {
                    Iter::Range(lo, hi) => self.expr(lo) && self.expr(hi),
                    Iter::Elements { slice, .. } | Iter::Enumerate(slice) => {
                        self.read(slice) || slice.starts_with("CHEB")
                    }
                    Iter::Zip(a, b) => self.read(a) && self.read(b),
                };
                self.stack.push(Vec::new());
                self.pat(pat, true);
                let ok = ok && self.looped(label, body);
                self.stack.pop();
                ok
            }
            Stmt::While { label, cond, body } => self.expr(cond) && self.looped(label, body),
            Stmt::Loop { label, body } => self.looped(label, body),
            Stmt::Break { label, value } => {
                self.jump_ok(label, false) && value.as_ref().is_none_or(|v| self.expr(v))
            }
            Stmt::Continue { label } => self.jump_ok(label, true),
        }
    }

    fn expr(&mut self, e: &Expr) -> bool {
        match e {
            Expr::Float(_) | Expr::Int(_) => true,
            Expr::Var(n) | Expr::Deref(n) | Expr::Len(n) | Expr::ConstRef(n) => self.read(n),
            Expr::Index(n, i) => self.read(n) && self.expr(i),
            Expr::Cast(a)
            | Expr::Neg(a)
            | Expr::Not(a)
            | Expr::Paren(a)
            | Expr::Ref(a)
            | Expr::Const(a) => self.expr(a),
            Expr::Binary(_, a, b) => self.expr(a) && self.expr(b),
            Expr::Method(r, _, args) => self.expr(r) && args.iter().all(|a| self.expr(a)),
            Expr::FloatFn(_, args)
            | Expr::Tuple(args)
            | Expr::Array(args)
            | Expr::Call(_, args) => args.iter().all(|a| self.expr(a)),
            Expr::Field(a, _) => self.expr(a),
            Expr::If(c, then, els) => {
                self.expr(c) && self.block(then) && els.as_ref().is_none_or(|e| self.expr(e))
            }
            Expr::Else(b) | Expr::Block(b) => self.block(b),
            Expr::Chain(c) => {
                let ok = c.slices.iter().all(|x| self.read(x));
                self.stack.push(Vec::new());
                for v in &c.vars {
                    self.bind(v, false, true);
                }
                let ok = ok && self.expr(&c.body);
                self.stack.pop();
                ok
            }
            Expr::Closure {
                param, body, args, ..
            } => {
                self.stack.push(Vec::new());
                self.bind(param, false, true);
                let ok = self.expr(body);
                self.stack.pop();
                ok && args.iter().all(|a| self.expr(a))
            }
            Expr::Labelled(l, b) => {
                self.jumps.push((Some(l.clone()), false));
                let ok = self.block(b);
                self.jumps.pop();
                ok
            }
            Expr::Match(s, arms) => {
                self.expr(s)
                    && arms.iter().all(|arm| {
                        self.stack.push(Vec::new());
                        self.match_pat(&arm.pat);
                        let ok =
                            arm.guard.as_ref().is_none_or(|g| self.expr(g)) && self.expr(&arm.body);
                        self.stack.pop();
                        ok
                    })
                    && {
                        let total = arms.last().is_some_and(|a| {
                            matches!(
                                a.pat,
                                MatchPat::Bind(_) | MatchPat::Wild | MatchPat::Tuple(_)
                            ) && a.guard.is_none()
                        });
                        self.note(total, || "a match without a catch-all last arm".to_string())
                    }
            }
        }
    }
}

/// Whether the body passes the scope check.
pub fn plausible(case: &Case) -> bool {
    problem(case).is_none()
}

/// The first problem the scope check finds, if any.
pub fn problem(case: &Case) -> Option<String> {
    let mut s = Scopes::default();
    s.stack.push(Vec::new());
    for p in &case.params {
        s.bind(p.name(), false, true);
    }
    let ends_in_value =
        |b: &Block| b.tail.is_some() || matches!(b.stmts.last(), Some(Stmt::Return(_)));
    if !ends_in_value(&case.body) {
        return Some("the body does not end in a value".to_string());
    }
    for h in &case.helpers {
        if !ends_in_value(&h.body) {
            return Some(format!("helper {} does not end in a value", h.name));
        }
        let mut hs = Scopes::default();
        hs.stack.push(Vec::new());
        for p in &h.params {
            hs.bind(p, false, true);
        }
        if !hs.block(&h.body) {
            let why = hs.problem.unwrap_or_else(|| "(unknown)".to_string());
            return Some(format!("in helper {}: {why}", h.name));
        }
    }
    if s.block(&case.body) {
        None
    } else {
        Some(s.problem.unwrap_or_else(|| "(unknown)".to_string()))
    }
}
