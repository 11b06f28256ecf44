//! `#[derive(Parameters)]`: a struct of tensors (and nested such structs) as
//! one differentiable value.
//!
//! Input: a struct with named fields, each a `Tensor` or another
//! `#[derive(Parameters)]` struct.
//! Output: `<Name>Grad` (the gradient, one field per field, same names), and
//! impls of `Differentiable` (so `#[differentiable]` functions take it by
//! reference and `backward()` stores into its leaves), `GradValue` for the
//! gradient, and `Parameters` (visit, zero_grad, save/load, optimizers).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields};

pub fn expand(input: TokenStream) -> TokenStream {
    match try_expand(input) {
        Ok(t) => t,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Parameters)] applies to a struct whose fields are tensors or other Parameters structs",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &data.fields,
            "#[derive(Parameters)] needs named fields (`struct Mlp { w1: Tensor<f32, Ix2>, .. }`): they name the parameters",
        ));
    };
    if fields.named.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Parameters)] needs at least one parameter field",
        ));
    }
    let rt = quote!(::autograd);
    let name = &input.ident;
    let vis = &input.vis;
    let grad = format_ident!("{}Grad", name);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let idents: Vec<_> = fields
        .named
        .iter()
        .filter_map(|f| f.ident.clone())
        .collect();
    let names: Vec<String> = idents.iter().map(|i| i.to_string()).collect();
    let types: Vec<_> = fields.named.iter().map(|f| f.ty.clone()).collect();
    let indices: Vec<syn::Index> = (0..idents.len()).map(syn::Index::from).collect();
    let first = &types[0];
    let grad_doc =
        format!("The gradient of a [`{name}`]: one field per parameter, with the same names.");

    Ok(quote! {
        #[doc = #grad_doc]
        #[derive(Clone, Debug)]
        #vis struct #grad #impl_generics #where_clause {
            #(
                #[allow(missing_docs)]
                pub #idents: #rt::GradOf<#types>,
            )*
            /// Which fields a backward pass reached (`backward()` stores only those).
            #[doc(hidden)]
            pub __reached: #rt::Reached,
        }

        impl #impl_generics #rt::GradValue for #grad #ty_generics #where_clause {
            fn accumulate(&mut self, other: Self) {
                // A field nothing reached holds zeros or nothing: it adds
                // nothing, and is replaced by one that was reached.
                #(
                    if other.__reached.contains(#indices) {
                        if self.__reached.contains(#indices) {
                            #rt::GradValue::accumulate(&mut self.#idents, other.#idents);
                        } else {
                            self.#idents = other.#idents;
                        }
                    }
                )*
                self.__reached = self.__reached.union(other.__reached);
            }
        }

        impl #impl_generics #rt::Differentiable for #name #ty_generics #where_clause {
            type Grad = #grad #ty_generics;
            type Shape = ( #( <#types as #rt::Differentiable>::Shape, )* );

            fn shape_of(&self) -> Self::Shape {
                ( #( #rt::Differentiable::shape_of(&self.#idents), )* )
            }

            fn zero_grad_of(shape: &Self::Shape) -> Self::Grad {
                #grad {
                    #( #idents: <#types as #rt::Differentiable>::zero_grad_of(&shape.#indices), )*
                    __reached: ::core::default::Default::default(),
                }
            }

            fn needs_grad(&self) -> bool {
                false #( || #rt::Differentiable::needs_grad(&self.#idents) )*
            }

            fn store_grad(&self, gradient: Self::Grad) {
                // Only the fields the function read, as PyTorch leaves the others `None`.
                #(
                    if gradient.__reached.contains(#indices) {
                        #rt::Differentiable::store_grad(&self.#idents, gradient.#idents);
                    }
                )*
            }

            fn mark_reached(gradient: &mut Self::Grad, name: &str) {
                #(
                    if name == #names {
                        gradient.__reached.mark(#indices);
                    }
                )*
            }

            fn unreached_grad_of(shape: &Self::Shape) -> Self::Grad {
                #grad {
                    #(
                        #idents: if #indices < 64 {
                            <#types as #rt::Differentiable>::unreached_grad_of(&shape.#indices)
                        } else {
                            // Past the 64th field every field counts as reached.
                            <#types as #rt::Differentiable>::zero_grad_of(&shape.#indices)
                        },
                    )*
                    __reached: ::core::default::Default::default(),
                }
            }

            fn finish_grad(gradient: &mut Self::Grad, shape: &Self::Shape) {
                #(
                    if gradient.__reached.contains(#indices) {
                        <#types as #rt::Differentiable>::finish_grad(&mut gradient.#idents, &shape.#indices);
                    } else {
                        gradient.#idents = <#types as #rt::Differentiable>::zero_grad_of(&shape.#indices);
                    }
                )*
            }

            fn is_reached(gradient: &Self::Grad, name: &str) -> bool {
                #(
                    if name == #names {
                        return gradient.__reached.contains(#indices);
                    }
                )*
                true
            }
        }

        impl #impl_generics #rt::Parameters for #name #ty_generics #where_clause {
            type Elem = <#first as #rt::Parameters>::Elem;

            fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn #rt::Param<Self::Elem>)) {
                #( #rt::Parameters::visit(&self.#idents, &#rt::join_name(prefix, #names), f); )*
            }

            fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn #rt::ParamMut<Self::Elem>)) {
                #( #rt::Parameters::visit_mut(&mut self.#idents, &#rt::join_name(prefix, #names), f); )*
            }
        }
    })
}
