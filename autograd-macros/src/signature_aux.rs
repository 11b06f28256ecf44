//! The output of a `#[differentiable(has_aux)]` function: a tuple whose
//! first element is differentiated and whose other elements are carried
//! beside it, of any type.
//!
//! Input: the return type as written, `(L, A, B)`.
//! Output: the type generated code sees, `(L, Aux<(A, B)>)`, and the
//! [`AuxOutput`] that the generated `forward`, `vjp`, `grad` and
//! `value_and_grad` split it by.

use quote::quote;
use syn::Type;

use crate::errors::Errors;
use crate::signature::{check_output, check_owned, type_text, AuxOutput};

/// `(L, A, ..)` split into `L` and the auxiliary values; `None`, with an
/// error at the type, when it is not a tuple of at least two elements.
pub fn split(ty: &Type, errors: &mut Errors) -> Option<(Type, AuxOutput)> {
    let Some(tuple) = as_tuple(ty).filter(|t| t.elems.len() >= 2) else {
        errors.push_spanned(
            ty,
            format!(
                "#[differentiable(has_aux)] differentiates the first element of a returned tuple and carries the others beside it: return `(value, aux)` or `(value, aux1, aux2, ..)`, e.g. `-> (Scalar<f32>, Tensor<f32, Ix2>)` for a loss and its logits, not `{}`",
                type_text(ty)
            ),
        );
        return None;
    };
    let mut elems = tuple.elems.iter();
    let value = elems.next()?.clone();
    check_output(&value, errors);
    let rest: Vec<&Type> = elems.collect();
    for part in &rest {
        check_owned(part, errors);
    }
    let aux: Type = match rest.as_slice() {
        [one] => (*one).clone(),
        many => syn::parse_quote!((#(#many),*)),
    };
    let rt = crate::names::runtime();
    let output: Type = syn::parse2(quote!((#value, #rt::Aux<#aux>))).ok()?;
    let count = rest.len();
    Some((output, AuxOutput { value, aux, count }))
}

fn as_tuple(ty: &Type) -> Option<&syn::TypeTuple> {
    match ty {
        Type::Tuple(t) => Some(t),
        Type::Paren(p) => as_tuple(&p.elem),
        Type::Group(g) => as_tuple(&g.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ty: &Type) -> String {
        quote!(#ty).to_string()
    }

    #[test]
    fn a_pair_carries_its_second_element() {
        let mut errors = Errors::default();
        let ty: Type = syn::parse_quote!((Scalar<f32>, Tensor<f32, Ix2>));
        let (output, aux) = split(&ty, &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(
            text(&output),
            text(&syn::parse_quote!((
                Scalar<f32>,
                ::autograd::__private::Aux<Tensor<f32, Ix2>>
            )))
        );
        assert_eq!(text(&aux.aux), text(&syn::parse_quote!(Tensor<f32, Ix2>)));
        assert_eq!(aux.count, 1);
    }

    #[test]
    fn a_longer_tuple_carries_the_tuple_of_the_rest() {
        let mut errors = Errors::default();
        let ty: Type = syn::parse_quote!((f64, usize, Vec<usize>));
        let (_, aux) = split(&ty, &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(
            text(&aux.aux),
            text(&syn::parse_quote!((usize, Vec<usize>)))
        );
        assert_eq!(aux.count, 2);
    }

    #[test]
    fn anything_but_a_tuple_of_two_is_refused() {
        for ty in [
            syn::parse_quote!(f64),
            syn::parse_quote!((f64,)),
            syn::parse_quote!(()),
        ] {
            let mut errors = Errors::default();
            assert!(split(&ty, &mut errors).is_none());
            assert!(!errors.is_empty());
        }
        let mut errors = Errors::default();
        split(&syn::parse_quote!((usize, f64)), &mut errors);
        assert!(!errors.is_empty(), "the differentiated element is checked");
    }
}
