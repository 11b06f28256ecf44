//! Snapshot of an expansion, to keep the generated code readable.

use quote::quote;

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("expansion parses as a file");
    prettyplease::unparse(&file)
}

#[test]
fn print_expansion() {
    let out = crate::emit::expand(
        quote!(),
        quote! {
            fn tsum(x: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix1>) -> Scalar<f64> {
                let y = x * w + 1.0;
                let y = y.tanh();
                (&y * &y).sum()
            }
        },
    );
    println!("{}", pretty(out));
}
