//! Calls that stand for several operations: `x.sin_cos()` and
//! `f64::sin_cos(x)` are `(x.sin(), x.cos())`, which is how `std` computes
//! them, so values stay equal bit for bit; and conversions whose target
//! the `let` states: `let y: f64 = x.into();` is `let y: f64 = f64::from(x);`;
//! and `vec![..]`, as the element updates of `desugar::updates` write it.

use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::Expr;

pub fn rewrite(block: &mut syn::Block) {
    Calls.visit_block_mut(block);
}

struct Calls;

impl VisitMut for Calls {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Macro(m) = e {
            if let Some(new) = vec_macro(&m.mac) {
                *e = new;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
        if let Some(x) = sin_cos_operand(e) {
            let span = e.span();
            *e = syn::parse_quote_spanned!(span => (#x.sin(), #x.cos()));
        }
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        syn::visit_mut::visit_local_mut(self, l);
        let syn::Pat::Type(pt) = &l.pat else { return };
        let Some(init) = &mut l.init else { return };
        let Some(target) = float_type(&pt.ty) else {
            return;
        };
        if let Expr::MethodCall(m) = &*init.expr {
            if m.method == "into" && m.args.is_empty() && m.turbofish.is_none() {
                let (x, span) = (&m.receiver, m.method.span());
                *init.expr = syn::parse_quote_spanned!(span => #target::from(#x));
            }
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `vec![e; n]` as `filled(e, n)`, and `vec![a, b]` as the pushes
/// `pushed(pushed(Vec::new(), a), b)`: values the lowering knows.
pub fn vec_macro(mac: &syn::Macro) -> Option<Expr> {
    if !mac.path.is_ident("vec") {
        return None;
    }
    let sp = mac.path.span();
    let rt = crate::names::located(crate::names::runtime(), sp);
    if let Ok((e, n)) = mac.parse_body_with(|input: syn::parse::ParseStream| {
        let e: Expr = input.parse()?;
        input.parse::<syn::Token![;]>()?;
        let n: Expr = input.parse()?;
        Ok((e, n))
    }) {
        return Some(syn::parse_quote_spanned!(sp => #rt::filled(#e, #n)));
    }
    let elems = mac
        .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut v: Expr = syn::parse_quote_spanned!(sp => ::autograd::__private::Vec::new());
    for x in elems {
        v = syn::parse_quote_spanned!(sp => #rt::pushed(#v, #x));
    }
    Some(v)
}

/// `f32` or `f64`.
fn float_type(ty: &syn::Type) -> Option<syn::Ident> {
    let syn::Type::Path(p) = ty else { return None };
    let id = p.path.get_ident()?;
    (id == "f32" || id == "f64").then(|| id.clone())
}

/// The operand of `x.sin_cos()` or `f64::sin_cos(x)`, parenthesised when
/// it is not a plain name.
fn sin_cos_operand(e: &Expr) -> Option<Expr> {
    let x = match e {
        Expr::MethodCall(m) if m.method == "sin_cos" && m.args.is_empty() => (*m.receiver).clone(),
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else { return None };
            match crate::names::segments(&p.path).as_slice() {
                [.., owner, m] if m == "sin_cos" && crate::lower::is_float_owner(owner) => {
                    c.args[0].clone()
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(match x {
        Expr::Path(_) | Expr::Paren(_) => x,
        other => syn::parse_quote_spanned!(other.span() => (#other)),
    })
}
