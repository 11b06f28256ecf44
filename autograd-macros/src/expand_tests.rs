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

#[test]
fn print_rosenbrock_expansion() {
    let out = crate::emit::expand(
        quote!(),
        quote! {
            fn rosenbrock(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() / 2 {
                    let a = x[2 * i];
                    let b = x[2 * i + 1];
                    let t = b - a * a;
                    let u = 1.0 - a;
                    s += 100.0 * t * t + u * u;
                }
                s
            }
        },
    );
    let text = pretty(out);
    println!("{text}");
    assert!(text.contains("let t ="));
}
