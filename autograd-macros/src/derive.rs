//! `#[derive(Parameters)]`: a struct of tensors (and nested such structs,
//! and `Vec`s, arrays, `Option`s and `Box`es of them) as one
//! differentiable value.
//!
//! Input: a struct with named fields. Which fields hold parameters is read
//! from their types as written (`derive::kind`); the others, and fields
//! marked `#[no_grad]`, are constants.
//! Output: `<Name>Grad` (the gradient, one field per field, same names;
//! constants get the slot `Constant`), and impls of `Differentiable` (so
//! `#[differentiable]` functions take it by reference and `backward()`
//! stores into its leaves), `Element` (so a `Vec` of it is differentiable),
//! `GradValue` for the gradient, and `Parameters` (visit, zero_grad,
//! save/load, optimizers), which skips the constants.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

pub fn expand(input: TokenStream) -> TokenStream {
    match try_expand(input) {
        Ok(t) => t,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let f = FieldList::of(&input)?;
    let (grad, differentiable, parameters) = (
        gradient_struct(&input, &f),
        differentiable_impl(&input, &f),
        parameters_impl(&input, &f),
    );
    Ok(quote!(#grad #differentiable #parameters))
}

/// The struct's fields, in order, as the generated code names them.
struct FieldList {
    idents: Vec<syn::Ident>,
    /// The parameter names (the fields' names).
    names: Vec<String>,
    types: Vec<syn::Type>,
    /// Whether each field holds parameters (the others are constants).
    params: Vec<bool>,
}

impl FieldList {
    /// The named fields of a struct with at least one parameter field, or
    /// the error to report.
    fn of(input: &DeriveInput) -> syn::Result<FieldList> {
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
        let type_params: Vec<String> = input
            .generics
            .type_params()
            .map(|t| t.ident.to_string())
            .collect();
        let params: Vec<bool> = fields
            .named
            .iter()
            .map(|f| !kind::is_no_grad(&f.attrs) && kind::holds_parameters(&f.ty, &type_params))
            .collect();
        if !params.contains(&true) {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "#[derive(Parameters)] needs at least one parameter field (a `Tensor`, a Parameters struct, or a `Vec`, array, `Option` or `Box` of them)",
            ));
        }
        let idents: Vec<syn::Ident> = fields
            .named
            .iter()
            .filter_map(|f| f.ident.clone())
            .collect();
        Ok(FieldList {
            names: idents.iter().map(|i| i.to_string()).collect(),
            types: fields.named.iter().map(|f| f.ty.clone()).collect(),
            params,
            idents,
        })
    }

    /// The parameter fields: identifiers, names, types, and their
    /// positions as tuple indices of the struct's `Shape`.
    fn parameters(&self) -> Params {
        let mut p = Params::default();
        for (k, is_param) in self.params.iter().enumerate() {
            if *is_param {
                p.indices.push(syn::Index::from(p.idents.len()));
                p.idents.push(self.idents[k].clone());
                p.names.push(self.names[k].clone());
                p.types.push(self.types[k].clone());
            }
        }
        p
    }

    /// The constant fields.
    fn constants(&self) -> Vec<syn::Ident> {
        (0..self.idents.len())
            .filter(|k| !self.params[*k])
            .map(|k| self.idents[k].clone())
            .collect()
    }
}

#[derive(Default)]
struct Params {
    idents: Vec<syn::Ident>,
    names: Vec<String>,
    types: Vec<syn::Type>,
    indices: Vec<syn::Index>,
}

/// The struct's generics, with `T: Differentiable` for the type of each
/// parameter field, spanned at the field's type: a field whose type has no
/// gradient (an enum not marked `#[no_grad]`) is reported there.
fn bounded(input: &DeriveInput, f: &FieldList) -> syn::Generics {
    let mut generics = input.generics.clone();
    let params: Vec<String> = generics
        .type_params()
        .map(|t| t.ident.to_string())
        .collect();
    let wc = generics.make_where_clause();
    // Only types without the struct's type parameters: a bound on a generic
    // type would hide its impl's `Grad` from the generated code.
    for t in f
        .parameters()
        .types
        .iter()
        .filter(|t| !kind::mentions(t, &params))
    {
        wc.predicates
            .push(syn::parse_quote_spanned!(t.span()=> #t: ::autograd::Differentiable));
    }
    generics
}

fn grad_ident(input: &DeriveInput) -> syn::Ident {
    format_ident!("{}Grad", input.ident)
}

/// `<Name>Grad`, one field per field (constants get the slot `Constant`,
/// which drops what reaches it) and the set of fields a backward pass
/// reached, and its `GradValue` impl.
fn gradient_struct(input: &DeriveInput, f: &FieldList) -> TokenStream {
    let generics = bounded(input, f);
    let rt = quote!(::autograd);
    let (name, vis, grad) = (&input.ident, &input.vis, grad_ident(input));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let p = f.parameters();
    let (idents, indices) = (&p.idents, &p.indices);
    // Spanned at the field's type: a type with no gradient is reported there.
    let grad_types: Vec<TokenStream> = p
        .types
        .iter()
        .map(|t| quote_spanned!(t.span()=> #rt::GradOf<#t>))
        .collect();
    let constants = f.constants();
    let grad_doc = format!(
        "The gradient of a [`{name}`]: one field per parameter field, with the same names."
    );
    quote! {
        #[doc = #grad_doc]
        #[derive(Clone, Debug)]
        #vis struct #grad #impl_generics #where_clause {
            #(
                #[allow(missing_docs)]
                pub #idents: #grad_types,
            )*
            #(
                /// Not a parameter: no gradient.
                #[doc(hidden)]
                pub #constants: #rt::project::Constant,
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
    }
}

/// `Differentiable`: the shape is the tuple of the parameter fields'
/// shapes, and the gradient of a field the backward pass did not reach
/// stays unset. Also `Element`, so that a `Vec` of the struct is
/// differentiable, and `HasMethods`.
fn differentiable_impl(input: &DeriveInput, f: &FieldList) -> TokenStream {
    let generics = bounded(input, f);
    let rt = quote!(::autograd);
    let (name, grad) = (&input.ident, grad_ident(input));
    let p = f.parameters();
    let (idents, names, types, indices) = (&p.idents, &p.names, &p.types, &p.indices);
    let constants = f.constants();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let element = element_impl(input, &generics);
    quote! {
        // Its `#[differentiable]` methods may be called in other bodies.
        impl #impl_generics #rt::__private::HasMethods for #name #ty_generics #where_clause {
            type Receiver = Self;
            #[inline(always)]
            fn as_receiver(&self) -> &Self {
                self
            }
        }

        #element

        impl #impl_generics #rt::Differentiable for #name #ty_generics #where_clause {
            type Grad = #grad #ty_generics;
            type Shape = ( #( <#types as #rt::Differentiable>::Shape, )* );

            fn shape_of(&self) -> Self::Shape {
                ( #( #rt::Differentiable::shape_of(&self.#idents), )* )
            }

            fn zero_grad_of(shape: &Self::Shape) -> Self::Grad {
                #grad {
                    #( #idents: <#types as #rt::Differentiable>::zero_grad_of(&shape.#indices), )*
                    #( #constants: #rt::project::Constant, )*
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
                    #( #constants: #rt::project::Constant, )*
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
    }
}

/// `Element`: a `Vec` (or array) of the struct keeps one shape per element.
fn element_impl(input: &DeriveInput, generics: &syn::Generics) -> TokenStream {
    let rt = quote!(::autograd);
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_generics #rt::Element for #name #ty_generics #where_clause {
            type Shapes = #rt::__private::Vec<<Self as #rt::Differentiable>::Shape>;
            fn shapes_of(items: &[Self]) -> Self::Shapes {
                items.iter().map(#rt::Differentiable::shape_of).collect()
            }
            fn len_of(shapes: &Self::Shapes) -> usize {
                shapes.len()
            }
            fn with_shape_at<__AdR>(
                shapes: &Self::Shapes,
                i: usize,
                f: impl ::core::ops::FnOnce(&<Self as #rt::Differentiable>::Shape) -> __AdR,
            ) -> __AdR {
                f(&shapes[i])
            }
        }
    }
}

/// `Parameters`: visits the parameter fields in order under dotted names;
/// constants are skipped.
fn parameters_impl(input: &DeriveInput, f: &FieldList) -> TokenStream {
    let generics = bounded(input, f);
    let rt = quote!(::autograd);
    let name = &input.ident;
    let p = f.parameters();
    let (idents, names, first) = (&p.idents, &p.names, &p.types[0]);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_generics #rt::Parameters for #name #ty_generics #where_clause {
            type Elem = <#first as #rt::Parameters>::Elem;

            fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn #rt::Param<Self::Elem>)) {
                #( #rt::Parameters::visit(&self.#idents, &#rt::join_name(prefix, #names), f); )*
            }

            fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn #rt::ParamMut<Self::Elem>)) {
                #( #rt::Parameters::visit_mut(&mut self.#idents, &#rt::join_name(prefix, #names), f); )*
            }
        }
    }
}

mod kind;
