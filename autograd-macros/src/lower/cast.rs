//! Conversions of differentiated values: `x as f32`, `f64::from(x)` (a
//! rule: the gradient is converted back), and `x as i32`, `x.floor()`,
//! `f64::round(x)` (piecewise constant: constants, derivative 0).

use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use super::Lowerer;
use crate::core::{Const, Op, Operand, Repr};
use crate::table;

/// The integer types: a cast to one is piecewise constant.
const INTEGERS: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

/// Whether `ty` is written as a primitive integer type (or `bool`, `char`).
pub fn is_integer_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.get_ident().is_some_and(|i| {
            INTEGERS.contains(&i.to_string().as_str()) || i == "bool" || i == "char"
        }),
        syn::Type::Paren(p) => is_integer_type(&p.elem),
        syn::Type::Group(g) => is_integer_type(&g.elem),
        _ => false,
    }
}

impl Lowerer<'_> {
    /// `x as T`: to an integer, a constant; to a float type, the cast rule.
    pub fn cast(&mut self, c: &syn::ExprCast, e: &Expr) -> Option<Operand> {
        let x = self.value(&c.expr)?;
        if is_integer_type(&c.ty) || !self.is_active(&x) {
            let k = self.operand_const(&x);
            let (tokens, ty) = (k.tokens, &c.ty);
            return Some(self.define(
                "cast",
                Op::Const(Const {
                    tokens: quote!((#tokens) as #ty),
                    reads: k.reads,
                }),
                Repr::Owned,
                false,
                e.span(),
            ));
        }
        Some(self.convert(x, &c.ty, c.as_token.span))
    }

    /// `x` converted to the float type `ty` by the cast rule.
    pub fn convert(&mut self, x: Operand, ty: &syn::Type, span: proc_macro2::Span) -> Operand {
        let rule = table::builtin("cast").expect("the cast rule is in the table");
        let to = Operand::Lit(quote!(::core::marker::PhantomData::<#ty>));
        self.rule(rule, vec![x], vec![to], span)
    }
}

/// Whether a cast (or a parenthesised one) gives a constant whatever its
/// operand: a cast to an integer type.
pub fn is_constant_cast(e: &Expr) -> bool {
    matches!(e, Expr::Cast(c) if is_integer_type(&c.ty))
}
