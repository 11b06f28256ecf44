//! Iterator chains over slices and ranges, rewritten into the `for` loop a
//! hand-written version has, so that they cost the same and reach the same
//! reduction loops.
//!
//! A chain is a source of indices (`0..x.len()` for `x.iter()`, the range
//! itself for `a..b`, window starts for `x.windows(k)`), the element each
//! index gives (`&x[i]`), and adapters. Adapters that only choose indices
//! (`rev`, `skip`, `take`, `step_by`, `enumerate`, `zip`) apply to the
//! iterator of indices itself, which is exact because elements are pure
//! functions of their index; `map` binds its value in the loop body, and
//! `filter` skips to the next index. A consumer (`sum`, `product`, `fold`,
//! `for_each`) or a `for` loop then makes the loop:
//!
//! ```text
//! x.iter().zip(w.iter()).map(|(a, b)| a * b).sum::<f64>()
//! // is
//! { let mut acc = -0.0; for (i, j) in (0..x.len()).zip(0..w.len()) {
//!     let e = { let a = &x[i]; let b = &w[j]; a * b }; acc += e; } acc }
//! ```
//!
//! `sum` of floats starts from `-0.0`, as `std`'s does, so values stay
//! equal bit for bit. A chain this does not know is left as written: kept
//! whole when it differentiates nothing, refused at its closure otherwise.

use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt};

use super::inline::Desugarer;
use super::scope::single_ident;
use crate::lower::strip_parens;
use crate::names;

/// What a chain yields at one index (short-lived, a few per chain).
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Elem {
    Expr(Expr),
    /// `(a, b)` from `zip` or `enumerate`.
    Tuple(Vec<Elem>),
    /// `&x[offset..offset + len]` from `windows` or `chunks`: read by index.
    View(Box<View>),
}

#[derive(Clone)]
pub struct View {
    base: Expr,
    offset: Expr,
    len: Expr,
    /// A tuple bound to one name instead: its parts, read as `t.0`, `t.1`.
    parts: Option<Vec<Expr>>,
}

impl View {
    fn parts(parts: Vec<Expr>) -> View {
        let unit: Expr = syn::parse_quote!(());
        View {
            base: unit.clone(),
            offset: unit.clone(),
            len: unit,
            parts: Some(parts),
        }
    }
}

impl Elem {
    /// The element as an expression (a reference to it when `by_ref`).
    pub fn expr(&self, by_ref: bool) -> Option<Expr> {
        let sp = match self {
            Elem::Expr(e) => e.span(),
            _ => proc_macro2::Span::call_site(),
        };
        match self {
            Elem::Expr(e) if by_ref => Some(syn::parse_quote_spanned!(sp => &#e)),
            Elem::Expr(e) => Some(e.clone()),
            Elem::Tuple(parts) => {
                let parts: Option<Vec<Expr>> = parts.iter().map(|p| p.expr(by_ref)).collect();
                let parts = parts?;
                Some(syn::parse_quote_spanned!(sp => (#(#parts),*)))
            }
            Elem::View(_) => None,
        }
    }
}

/// A chain as a loop: `pre; for pat in idx { stmts; .. elem .. }`.
pub struct Loop {
    pub(super) pre: Vec<Stmt>,
    pub(super) idx: Expr,
    pub(super) pat: Pat,
    pub(super) stmts: Vec<Stmt>,
    pub(super) elem: Elem,
    pub(super) filtered: bool,
    /// Whether it reads a slice or applies a closure (else it is a range,
    /// which needs no rewriting).
    pub(super) rich: bool,
}

impl Loop {
    /// `{ pre; [let mut acc = init;] for pat in idx { stmts; step } [acc] }`.
    /// The loop, with an accumulator `acc: ty = init` it returns when given.
    fn build(self, span: proc_macro2::Span, acc: Option<Acc>, step: Stmt) -> Expr {
        let Loop {
            pre,
            idx,
            pat,
            stmts,
            ..
        } = self;
        match acc {
            Some((acc, ty, init)) => {
                let ty = ty.iter();
                syn::parse_quote_spanned!(span => {
                    #(#pre)*
                    let mut #acc #(: #ty)* = #init;
                    for #pat in #idx { #(#stmts)* #step }
                    #acc
                })
            }
            None => syn::parse_quote_spanned!(span => {
                #(#pre)*
                for #pat in #idx { #(#stmts)* #step }
            }),
        }
    }
}

/// A loop's accumulator: its name, its type when the chain states one
/// (`sum::<f64>()`), and its initial value.
type Acc<'a> = (&'a syn::Ident, Option<syn::Type>, Expr);

/// `*e`, or `y` for `e = &y`.
fn deref(e: &Expr) -> Expr {
    let sp = e.span();
    match e {
        Expr::Reference(r) if r.mutability.is_none() => (*r.expr).clone(),
        other => syn::parse_quote_spanned!(sp => (*#other)),
    }
}

/// Binds a closure parameter (or a `for` pattern) to an element: `let`
/// statements into `out`, windows into `views` (read through them by
/// [`substitute_view`]). `by_ref`: the closure receives a reference to the
/// element (`filter`). `None`: a pattern this does not take apart.
pub fn bind(
    p: &Pat,
    a: &Elem,
    by_ref: bool,
    out: &mut Vec<Stmt>,
    views: &mut Vec<(String, View)>,
) -> Option<()> {
    let sp = p.span();
    match p {
        Pat::Paren(pp) => bind(&pp.pat, a, by_ref, out, views),
        Pat::Wild(_) => Some(()),
        Pat::Reference(r) if by_ref => bind(&r.pat, a, false, out, views),
        Pat::Reference(r) => match a {
            Elem::Expr(e) => bind(&r.pat, &Elem::Expr(deref(e)), false, out, views),
            _ => None,
        },
        Pat::Type(t) => match (&*t.pat, a) {
            (Pat::Ident(pi), Elem::Expr(_)) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                let (e, ty, m, n) = (a.expr(by_ref)?, &t.ty, &pi.mutability, &pi.ident);
                out.push(syn::parse_quote_spanned!(sp => let #m #n: #ty = #e;));
                Some(())
            }
            _ => bind(&t.pat, a, by_ref, out, views),
        },
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => match a {
            Elem::View(v) => {
                views.push((names::unraw(&pi.ident), (**v).clone()));
                Some(())
            }
            // `|t| .. t.0 .. t.1 ..`: each `t.k` is the part itself.
            Elem::Tuple(parts) => {
                let parts: Option<Vec<Expr>> = parts.iter().map(|p| p.expr(false)).collect();
                views.push((names::unraw(&pi.ident), View::parts(parts?)));
                Some(())
            }
            Elem::Expr(_) => {
                let (e, m, n) = (a.expr(by_ref)?, &pi.mutability, &pi.ident);
                out.push(syn::parse_quote_spanned!(sp => let #m #n = #e;));
                Some(())
            }
        },
        Pat::Tuple(t) => match a {
            Elem::Tuple(parts) if parts.len() == t.elems.len() => {
                for (p, part) in t.elems.iter().zip(parts) {
                    bind(p, part, by_ref, out, views)?;
                }
                Some(())
            }
            _ => None,
        },
        _ => None,
    }
}

/// Reads the window `name` through its slice: `w[j]` is
/// `x[offset + j]`, `w.len()` its length. `false`: `name` is used
/// otherwise, and the chain is left as written.
pub fn substitute_view(body: &mut Expr, name: &str, view: &View) -> bool {
    struct S<'a> {
        name: &'a str,
        view: &'a View,
        ok: bool,
    }
    impl VisitMut for S<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            let is_name = |x: &Expr| single_ident(strip_parens(x)).as_deref() == Some(self.name);
            let View {
                base,
                offset,
                len,
                parts,
            } = self.view;
            let sp = e.span();
            if let Some(parts) = parts {
                match e {
                    Expr::Field(f) if is_name(&f.base) => match &f.member {
                        syn::Member::Unnamed(k) if (k.index as usize) < parts.len() => {
                            let part = &parts[k.index as usize];
                            *e = syn::parse_quote_spanned!(sp => (#part));
                        }
                        _ => self.ok = false,
                    },
                    _ if is_name(e) => self.ok = false,
                    _ => syn::visit_mut::visit_expr_mut(self, e),
                }
                return;
            }
            match e {
                Expr::Index(i) if is_name(&i.expr) => {
                    self.visit_expr_mut(&mut i.index);
                    let j = &i.index;
                    *e = syn::parse_quote_spanned!(sp => (#base)[(#offset) + (#j)]);
                }
                Expr::MethodCall(m) if is_name(&m.receiver) && m.args.is_empty() => {
                    match m.method.to_string().as_str() {
                        "len" => *e = syn::parse_quote_spanned!(sp => (#len)),
                        "is_empty" => *e = syn::parse_quote_spanned!(sp => ((#len) == 0)),
                        _ => self.ok = false,
                    }
                }
                _ if is_name(e) => self.ok = false,
                _ => syn::visit_mut::visit_expr_mut(self, e),
            }
        }
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            if super::scope::mentions(m.tokens.clone(), self.name) {
                self.ok = false;
            }
        }
    }
    let mut s = S {
        name,
        view,
        ok: true,
    };
    s.visit_expr_mut(body);
    s.ok
}

/// A slice by a path, a field or a reference to one: read again at each
/// index without cost.
fn place(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => place(&f.base),
        Expr::Reference(r) => r.mutability.is_none() && place(&r.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && place(&u.expr),
        _ => false,
    }
}

/// `x[a..b]` of a place: a sub-slice.
fn sub_slice(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Index(i) => matches!(strip_parens(&i.index), Expr::Range(_)) && place(&i.expr),
        _ => false,
    }
}

/// A literal or a path: evaluated again without cost or change.
fn simple(e: &Expr) -> bool {
    matches!(strip_parens(e), Expr::Lit(_) | Expr::Path(_))
}

/// The forms `for` loops take as they are: ranges, slices, `x.iter()`,
/// `x.iter().enumerate()`, `x.iter().zip(y.iter())`.
fn plain_for(e: &Expr) -> bool {
    let iter_of_place = |e: &Expr| match strip_parens(e) {
        Expr::MethodCall(m) => m.method == "iter" && m.args.is_empty() && place(&m.receiver),
        other => place(other),
    };
    match strip_parens(e) {
        Expr::Range(_) => true,
        Expr::MethodCall(m) if m.method == "enumerate" && m.args.is_empty() => {
            iter_of_place(&m.receiver)
        }
        Expr::MethodCall(m) if m.method == "zip" && m.args.len() == 1 => {
            iter_of_place(&m.receiver) && iter_of_place(&m.args[0])
        }
        other => iter_of_place(other),
    }
}

impl Desugarer<'_> {
    /// The chain `e` as a loop, or `None`.
    pub(super) fn chain(&mut self, e: &Expr) -> Option<Loop> {
        let sp = e.span();
        match strip_parens(e) {
            Expr::Range(r) => {
                let i = self.fresh("i", r.span());
                Some(Loop {
                    pre: Vec::new(),
                    idx: syn::parse_quote_spanned!(sp => (#r)),
                    pat: syn::parse_quote_spanned!(sp => #i),
                    stmts: Vec::new(),
                    elem: Elem::Expr(syn::parse_quote_spanned!(sp => #i)),
                    filtered: false,
                    rich: false,
                })
            }
            Expr::MethodCall(m) => self.adapter(m),
            // `for v in &x[1..]`
            Expr::Reference(r) if r.mutability.is_none() && sub_slice(&r.expr) => {
                Some(self.bound_slice(&r.expr))
            }
            _ => None,
        }
    }

    /// `x[a..b].iter()`: the sub-slice is taken once, before the loop.
    fn bound_slice(&mut self, x: &Expr) -> Loop {
        let sp = x.span();
        let s = self.fresh("sub", sp);
        let mut l = self.slice(&syn::parse_quote_spanned!(sp => #s));
        l.pre.push(syn::parse_quote_spanned!(sp => let #s = &#x;));
        l
    }

    /// `x.iter()`: `&x[i]` for `i` in `0..x.len()`.
    fn slice(&mut self, x: &Expr) -> Loop {
        let sp = x.span();
        let i = self.fresh("i", sp);
        Loop {
            pre: Vec::new(),
            idx: syn::parse_quote_spanned!(sp => 0..(#x).len()),
            pat: syn::parse_quote_spanned!(sp => #i),
            stmts: Vec::new(),
            elem: Elem::Expr(syn::parse_quote_spanned!(sp => &(#x)[#i])),
            filtered: false,
            rich: true,
        }
    }

    /// `x.windows(k)` and `x.chunks(k)`: views into `x`.
    fn windows(&mut self, x: &Expr, k: &Expr, chunks: bool) -> Option<Loop> {
        if !place(x) || !simple(k) {
            return None;
        }
        let sp = x.span();
        let i = self.fresh("i", sp);
        let (idx, offset, len, what): (Expr, Expr, Expr, &str) = if chunks {
            (
                syn::parse_quote_spanned!(sp => 0..(#x).len().div_ceil(#k)),
                syn::parse_quote_spanned!(sp => #i * (#k)),
                syn::parse_quote_spanned!(sp => ::core::cmp::min(#k, (#x).len() - #i * (#k))),
                "chunk size must be non-zero",
            )
        } else {
            // Indexed by the window's last element, `k - 1..len` (empty when
            // `len < k`, as std's), so that reads `x[i]` are visibly in bounds.
            (
                syn::parse_quote_spanned!(sp => ((#k) - 1)..(#x).len()),
                syn::parse_quote_spanned!(sp => #i + 1 - (#k)),
                syn::parse_quote_spanned!(sp => (#k)),
                "window size must be non-zero",
            )
        };
        Some(Loop {
            pre: vec![syn::parse_quote_spanned!(sp => assert!((#k) != 0, #what);)],
            idx,
            pat: syn::parse_quote_spanned!(sp => #i),
            stmts: Vec::new(),
            elem: Elem::View(Box::new(View {
                base: x.clone(),
                offset,
                len,
                parts: None,
            })),
            filtered: false,
            rich: true,
        })
    }

    fn adapter(&mut self, m: &syn::ExprMethodCall) -> Option<Loop> {
        let name = m.method.to_string();
        let args: Vec<&Expr> = m.args.iter().collect();
        let recv = &*m.receiver;
        let sp = m.method.span();
        if m.turbofish.is_some() {
            return None;
        }
        match (name.as_str(), args.as_slice()) {
            ("iter" | "into_iter", []) => match strip_parens(recv) {
                Expr::Range(_) => self.chain(recv),
                x if place(x) => Some(self.slice(x)),
                x if sub_slice(x) => Some(self.bound_slice(x)),
                _ => None,
            },
            ("windows", [k]) => self.windows(recv, k, false),
            ("chunks", [k]) => self.windows(recv, k, true),
            ("map", [f]) => {
                let mut l = self.chain(recv)?;
                let v = self.apply(f, vec![(l.elem.clone(), false)])?;
                let e = self.fresh("e", m.method.span());
                l.stmts.push(syn::parse_quote_spanned!(sp => let #e = #v;));
                l.elem = Elem::Expr(syn::parse_quote_spanned!(sp => #e));
                l.rich = true;
                Some(l)
            }
            ("filter", [p]) => {
                let mut l = self.chain(recv)?;
                let keep = self.apply(p, vec![(l.elem.clone(), true)])?;
                l.stmts
                    .push(syn::parse_quote_spanned!(sp => if !(#keep) { continue; }));
                l.filtered = true;
                l.rich = true;
                Some(l)
            }
            ("copied" | "cloned", []) => {
                let mut l = self.chain(recv)?;
                l.elem = match &l.elem {
                    Elem::Expr(e) => Elem::Expr(deref(e)),
                    _ => return None,
                };
                Some(l)
            }
            ("enumerate", []) => {
                let mut l = self.chain(recv)?;
                if l.filtered {
                    return None;
                }
                let n = self.fresh("n", m.method.span());
                let (idx, pat) = (&l.idx, &l.pat);
                l.idx = syn::parse_quote_spanned!(sp => (#idx).enumerate());
                l.pat = syn::parse_quote_spanned!(sp => (#n, #pat));
                l.elem = Elem::Tuple(vec![
                    Elem::Expr(syn::parse_quote_spanned!(sp => #n)),
                    l.elem,
                ]);
                Some(l)
            }
            ("zip", [other]) => {
                let mut l = self.chain(recv)?;
                let r = match self.chain(other) {
                    Some(r) => r,
                    None if place(other) => self.slice(other),
                    None => return None,
                };
                if l.filtered || r.filtered {
                    return None;
                }
                let (li, lp, ri, rp) = (&l.idx, &l.pat, &r.idx, &r.pat);
                l.idx = syn::parse_quote_spanned!(sp => (#li).zip(#ri));
                l.pat = syn::parse_quote_spanned!(sp => (#lp, #rp));
                l.pre.extend(r.pre);
                l.stmts.extend(r.stmts);
                l.elem = Elem::Tuple(vec![l.elem, r.elem]);
                l.rich |= r.rich;
                Some(l)
            }
            ("rev", []) => {
                let mut l = self.chain(recv)?;
                let idx = &l.idx;
                l.idx = syn::parse_quote_spanned!(sp => (#idx).rev());
                Some(l)
            }
            ("skip" | "take" | "step_by", [n]) => {
                let mut l = self.chain(recv)?;
                if l.filtered {
                    return None;
                }
                let (idx, method) = (&l.idx, &m.method);
                l.idx = syn::parse_quote_spanned!(sp => (#idx).#method(#n));
                Some(l)
            }
            _ => None,
        }
    }

    /// `chain.sum()`, `.product()`, `.fold(init, f)`, `.for_each(f)` as a
    /// loop, or `None`.
    pub fn consume(&mut self, e: &Expr) -> Option<Expr> {
        let Expr::MethodCall(m) = e else { return None };
        let name = m.method.to_string();
        let span = m.method.span();
        let sp = span;
        match (name.as_str(), m.args.len()) {
            ("sum" | "product", 0) => {
                let l = self.chain(&m.receiver)?;
                if !l.rich {
                    return None;
                }
                let ty = m
                    .turbofish
                    .as_ref()
                    .and_then(|t| match t.args.first() {
                        Some(syn::GenericArgument::Type(ty)) => Some(ty.clone()),
                        _ => None,
                    })
                    .or_else(|| self.hint.clone());
                let init = self.identity(&name, ty.as_ref(), sp);
                let elem = l.elem.expr(false)?;
                let acc = self.fresh("acc", span);
                let step: Stmt = if name == "sum" {
                    syn::parse_quote_spanned!(span => #acc += #elem;)
                } else {
                    syn::parse_quote_spanned!(span => #acc *= #elem;)
                };
                Some(l.build(span, Some((&acc, ty, init)), step))
            }
            ("fold", 2) => {
                let l = self.chain(&m.receiver)?;
                let mut init = m.args[0].clone();
                self.expr(&mut init);
                let acc = self.fresh("acc", span);
                let args = vec![
                    (Elem::Expr(syn::parse_quote_spanned!(sp => #acc)), false),
                    (l.elem.clone(), false),
                ];
                let step = self.apply(&m.args[1], args)?;
                let step = syn::parse_quote_spanned!(span => #acc = #step;);
                Some(l.build(span, Some((&acc, None, init)), step))
            }
            ("unwrap" | "expect" | "unwrap_or", _) => self.first_and_rest(m),
            ("collect", 0) => {
                // Into a `Vec`, stated by the turbofish or the `let`.
                let ty = m
                    .turbofish
                    .as_ref()
                    .and_then(|t| match t.args.first() {
                        Some(syn::GenericArgument::Type(ty)) => Some(ty.clone()),
                        _ => None,
                    })
                    .or_else(|| self.hint.clone())?;
                let syn::Type::Path(p) = &ty else { return None };
                if p.path.segments.last()?.ident != "Vec" {
                    return None;
                }
                let l = self.chain(&m.receiver)?;
                if !l.rich {
                    return None;
                }
                let elem = l.elem.expr(false)?;
                let acc = self.fresh("acc", span);
                let init = syn::parse_quote_spanned!(sp => ::autograd::__private::Vec::new());
                let step = syn::parse_quote_spanned!(span => #acc.push(#elem););
                Some(l.build(span, Some((&acc, Some(ty), init)), step))
            }
            ("for_each", 1) => {
                let l = self.chain(&m.receiver)?;
                let step = self.apply(&m.args[0], vec![(l.elem.clone(), false)])?;
                let step = syn::parse_quote_spanned!(span => #step;);
                Some(l.build(span, None, step))
            }
            _ => None,
        }
    }

    /// The start of a `sum` (`-0.0`, as std's) or `product` (1) of type
    /// `ty`: a literal, or for a float type parameter (stated, or the
    /// function's only one) `neg_zero::<T>()` or `T::one()`.
    fn identity(&self, name: &str, ty: Option<&syn::Type>, sp: proc_macro2::Span) -> Expr {
        let param = match ty {
            Some(syn::Type::Path(p)) => p
                .path
                .get_ident()
                .filter(|i| self.floats.contains(i))
                .cloned(),
            None if self.floats.len() == 1 => Some(self.floats[0].clone()),
            _ => None,
        };
        if let Some(t) = param {
            let rt = crate::names::runtime();
            return if name == "sum" {
                syn::parse_quote_spanned!(sp => #rt::neg_zero::<#t>())
            } else {
                syn::parse_quote_spanned!(sp => #rt::one::<#t>())
            };
        }
        let int = ty.is_some_and(crate::lower::is_integer_type);
        match (name, int) {
            ("sum", false) => syn::parse_quote_spanned!(sp => -0.0),
            ("sum", true) => syn::parse_quote_spanned!(sp => 0),
            (_, false) => syn::parse_quote_spanned!(sp => 1.0),
            (_, true) => syn::parse_quote_spanned!(sp => 1),
        }
    }

    /// `for pat in chain { body }` over a chain with adapters, as a loop
    /// over its indices.
    pub fn for_loop(&mut self, f: &syn::ExprForLoop) -> Option<Expr> {
        if plain_for(&f.expr) {
            return None;
        }
        let l = self.chain(&f.expr)?;
        if !l.rich {
            return None;
        }
        let Loop {
            pre,
            idx,
            pat,
            mut stmts,
            elem,
            ..
        } = l;
        let mut views = Vec::new();
        bind(&f.pat, &elem, false, &mut stmts, &mut views)?;
        let mut body = Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: f.body.clone(),
        });
        for (name, view) in &views {
            if !substitute_view(&mut body, name, view) {
                return None;
            }
        }
        self.open();
        self.declare_pat(&f.pat);
        self.expr(&mut body);
        self.close();
        let label = &f.label;
        Some(syn::parse_quote_spanned!(f.for_token.span => {
            #(#pre)*
            #label for #pat in #idx { #(#stmts)* #body }
        }))
    }
}
