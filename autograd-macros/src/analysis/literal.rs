//! Constants with a float literal's type: rustc infers it only from their
//! uses, and a generated rule call (unlike the built-in operator it
//! replaces) does not pin it, so emission states it (`lit(&companion, ..)`).

use std::collections::HashMap;

use syn::{Expr, Member, Pat};

use super::defs::{Def, Defs};
use crate::core::{Body, Const, Inst, Op, Operand, ValueId};

/// What a constant built from float literals is.
#[derive(Clone, PartialEq, Debug)]
enum Kind {
    /// Anything else: its type is known without its uses.
    Other,
    /// A float of a literal's type (`0.5`, `-c`, `2.0 * c`).
    Float,
    /// A tuple or an array of such parts (`(0.18, 2.5)`).
    Parts(Vec<Kind>),
}

/// Per value: whether it is a constant with a literal's type. It is one when
/// it is defined as a float literal (`let mut s = 0.0;`) or as arithmetic of
/// such constants, is a part of a tuple or array of them (`tp.1` of
/// `let tp = (0.18, 2.5);`, `b` of `let (a, b) = tp;`), is a match arm's
/// name for one (`match s { v => .. }`), or is what an `if` or `match`
/// gives when a branch gives one.
pub fn find(body: &Body, defs: &Defs, phis: &HashMap<ValueId, Vec<Operand>>) -> Vec<bool> {
    let mut k = Kinds {
        body,
        defs,
        phis,
        memo: vec![None; body.values.len()],
    };
    (0..body.values.len())
        .map(|v| k.of(v) == Kind::Float)
        .collect()
}

struct Kinds<'a, 'b> {
    body: &'b Body,
    defs: &'a Defs<'b>,
    phis: &'a HashMap<ValueId, Vec<Operand>>,
    memo: Vec<Option<Kind>>,
}

impl Kinds<'_, '_> {
    fn of(&mut self, v: ValueId) -> Kind {
        if let Some(known) = &self.memo[v] {
            return known.clone();
        }
        // Settled before the recursion, so a join reading itself stops there.
        self.memo[v] = Some(Kind::Other);
        let result = self.find(v);
        self.memo[v] = Some(result.clone());
        result
    }

    fn find(&mut self, v: ValueId) -> Kind {
        let (body, defs) = (self.body, self.defs);
        if body.values[v].active {
            return Kind::Other;
        }
        if let Some(s) = defs.binds_scrutinee.get(&v) {
            return self.of(*s);
        }
        let info = &defs.info[v];
        match info.def {
            Some(Def::Out) => {
                let joins_branches = matches!(
                    defs.inst_at.get(&info.pos),
                    Some(Inst::If(_)) | Some(Inst::Match(_))
                );
                let phis = self.phis.get(&v).cloned().unwrap_or_default();
                let float = joins_branches
                    && phis.iter().any(|o| match o {
                        Operand::Lit(t) => super::reduction::is_float_literal(t),
                        Operand::Value(u) => self.of(*u) == Kind::Float,
                        _ => false,
                    });
                if float {
                    Kind::Float
                } else {
                    Kind::Other
                }
            }
            Some(Def::Pattern) => match defs.inst_at.get(&info.pos) {
                Some(Inst::Bind(b)) => {
                    let whole = self.of_const(&b.value);
                    let pat = syn::parse::Parser::parse2(Pat::parse_single, b.pat.clone());
                    let name = body.values[v].ident.to_string();
                    pat.ok()
                        .and_then(|p| bound_part(&p, &whole, &name))
                        .unwrap_or(Kind::Other)
                }
                _ => Kind::Other,
            },
            _ => match defs.let_of(v).map(|l| &l.op) {
                Some(Op::Const(c)) => self.of_const(c),
                Some(Op::Rule { rule, operands, .. })
                    if matches!(rule.name, "neg" | "add" | "sub" | "mul" | "div" | "rem") =>
                {
                    let float = |k: &mut Self, o: &Operand| match o {
                        Operand::Lit(t) => super::reduction::is_float_literal(t),
                        Operand::Value(u) => k.of(*u) == Kind::Float,
                        Operand::Undef => false,
                    };
                    if operands.iter().all(|o| float(self, o)) {
                        Kind::Float
                    } else {
                        Kind::Other
                    }
                }
                _ => Kind::Other,
            },
        }
    }

    fn of_const(&mut self, c: &Const) -> Kind {
        match syn::parse2::<Expr>(c.tokens.clone()) {
            Ok(e) => self.of_expr(&e, c),
            Err(_) => Kind::Other,
        }
    }

    fn of_expr(&mut self, e: &Expr, c: &Const) -> Kind {
        match e {
            Expr::Paren(p) => self.of_expr(&p.expr, c),
            Expr::Group(g) => self.of_expr(&g.expr, c),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match self.of_expr(&u.expr, c) {
                Kind::Float => Kind::Float,
                _ => Kind::Other,
            },
            Expr::Lit(l) if matches!(l.lit, syn::Lit::Float(_)) => Kind::Float,
            Expr::Binary(b) if arithmetic(&b.op) => {
                let (l, r) = (self.of_expr(&b.left, c), self.of_expr(&b.right, c));
                if l == Kind::Float && r == Kind::Float {
                    Kind::Float
                } else {
                    Kind::Other
                }
            }
            Expr::Tuple(t) => Kind::Parts(t.elems.iter().map(|e| self.of_expr(e, c)).collect()),
            Expr::Array(a) => Kind::Parts(a.elems.iter().map(|e| self.of_expr(e, c)).collect()),
            Expr::Field(f) => match (self.of_expr(&f.base, c), &f.member) {
                (Kind::Parts(parts), Member::Unnamed(i)) => {
                    parts.get(i.index as usize).cloned().unwrap_or(Kind::Other)
                }
                _ => Kind::Other,
            },
            Expr::Index(i) => match self.of_expr(&i.expr, c) {
                Kind::Parts(parts) => same(&parts),
                _ => Kind::Other,
            },
            Expr::Path(p) if p.qself.is_none() => {
                let Some(id) = p.path.get_ident() else {
                    return Kind::Other;
                };
                let read = c
                    .reads
                    .iter()
                    .copied()
                    .find(|r| self.body.values[*r].ident == *id);
                read.map_or(Kind::Other, |r| self.of(r))
            }
            _ => Kind::Other,
        }
    }
}

fn arithmetic(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, Add(_) | Sub(_) | Mul(_) | Div(_) | Rem(_))
}

/// The one kind every part has (what `a[i]` is, for any `i`).
fn same(parts: &[Kind]) -> Kind {
    match parts.split_first() {
        Some((first, rest)) if rest.iter().all(|p| p == first) => first.clone(),
        _ => Kind::Other,
    }
}

/// What the binding `name` of pattern `pat` gets from a value of kind `whole`.
fn bound_part(pat: &Pat, whole: &Kind, name: &str) -> Option<Kind> {
    match pat {
        Pat::Ident(i) if i.ident == name && i.subpat.is_none() => Some(whole.clone()),
        Pat::Paren(p) => bound_part(&p.pat, whole, name),
        Pat::Type(t) => bound_part(&t.pat, whole, name),
        Pat::Tuple(t) => parts_of(t.elems.iter(), whole, name),
        Pat::Slice(s) => parts_of(s.elems.iter(), whole, name),
        _ => None,
    }
}

/// A binding among the element patterns `pats`, part by part (`..` ends
/// the search: the parts after it are not counted).
fn parts_of<'p>(pats: impl Iterator<Item = &'p Pat>, whole: &Kind, name: &str) -> Option<Kind> {
    for (i, p) in pats.enumerate() {
        if matches!(p, Pat::Rest(_)) {
            return None;
        }
        let part = match whole {
            Kind::Parts(parts) => parts.get(i).cloned().unwrap_or(Kind::Other),
            _ => Kind::Other,
        };
        if let Some(k) = bound_part(p, &part, name) {
            return Some(k);
        }
    }
    None
}
