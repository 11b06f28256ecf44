//! Expansions printed for review (`cargo test -p autograd-macros -- --nocapture`),
//! and checks that they stay readable.

use quote::quote;

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

#[test]
fn print_loop_expansion() {
    let out = crate::emit::expand(
        quote!(),
        quote! {
            fn recurrence(y0: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix2>, steps: usize) -> Scalar<f64> {
                let mut y = y0.clone();
                for _ in 0..steps {
                    y = y.matmul(w).tanh();
                }
                y.sum()
            }
        },
    );
    let text = pretty(out);
    println!("{text}");
    // The user's variables keep their names.
    assert!(text.contains("let mut y ="));
}
