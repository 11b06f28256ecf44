//! Expansions of `#[differentiable(has_aux)]` functions: the auxiliary
//! values get no gradient code.

use quote::quote;

use super::pretty;

fn expand_has_aux(f: proc_macro2::TokenStream) -> String {
    pretty(crate::expand::expand(quote!(has_aux), f))
}

#[test]
fn print_loss_and_logits_expansion() {
    let text = expand_has_aux(quote! {
        fn classify(w: &Tensor<f64, Ix2>, x: &Tensor<f64, Ix2>, labels: &[usize]) -> (Scalar<f64>, Tensor<f64, Ix2>, Tensor<f64, Ix2>) {
            let logits = x.matmul(w);
            let probs = logits.softmax(Axis(1));
            (cross_entropy(&logits, labels), logits, probs)
        }
    });
    println!("{text}");
    // The plain function is as written.
    assert!(text.contains("(cross_entropy(&logits, labels), logits, probs)"));
    // In `aux_rule`, which the entry points run, nothing flows back from
    // the auxiliary values: `probs` is computed in the forward pass and
    // has no adjoint.
    let start = text.find("pub fn aux_rule").expect("an aux_rule");
    let end = text.find("pub fn rule").expect("a rule for other bodies");
    assert!(start < end, "{text}");
    let aux_rule = &text[start..end];
    assert!(!aux_rule.contains("__ad_d_probs"), "{text}");
    assert!(aux_rule.contains("__ad_d_logits"));
    // In `rule`, which other bodies call, every returned value is differentiated.
    assert!(text[end..].contains("__ad_d_probs"), "{text}");
    // Aux values that depend on differentiated values are copies, made in
    // the forward pass.
    assert!(text.contains("::core::clone::Clone::clone(&probs)"));
    // The generated functions hand the auxiliary values out as a tuple.
    assert!(text.contains("pub fn grad"));
    assert!(text.contains(".with_aux(__ad_aux.into_inner())"));
}

#[test]
fn every_returned_tuple_carries_its_auxiliary_values() {
    let text = expand_has_aux(quote! {
        fn f(x: f64) -> (f64, usize) {
            if x > 1.0 {
                return (x * x, 2);
            }
            (x, 1)
        }
    });
    assert!(!text.contains("internal error"), "{text}");
    assert!(text.contains("::autograd::__private::aux(2)"), "{text}");
    assert!(text.contains("::autograd::__private::aux(1)"), "{text}");
}

#[test]
fn the_return_type_must_be_a_tuple() {
    let text = pretty(crate::expand::expand(
        quote!(has_aux),
        quote! {
            fn f(x: f64) -> f64 { x }
        },
    ));
    assert!(text.contains("compile_error"), "{text}");
    assert!(text.contains("return `(value, aux)`"), "{text}");
    assert!(
        text.contains("fn f(x: f64) -> f64"),
        "the function stays: {text}"
    );
}
