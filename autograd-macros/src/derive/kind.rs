//! Which fields of a `#[derive(Parameters)]` struct hold parameters, read
//! from the field's type as written (a derive sees no types).
//!
//! - `Tensor<..>` and `Scalar<..>` are parameters;
//! - `Vec<T>`, `[T; N]`, `Option<T>` and `Box<T>` hold parameters when `T`
//!   does, to any depth;
//! - numbers, `bool`, `char`, `String`, references, tuples, function
//!   pointers, `PhantomData` and the struct's own type parameters (`scale: A`)
//!   are constants, as PyTorch treats attributes that are not
//!   `nn.Parameter`s;
//! - any other named type is taken for a `#[derive(Parameters)]` struct;
//!   a field of another type (an enum, a config struct) is marked
//!   `#[no_grad]`.

use syn::{GenericArgument, PathArguments, Type};

/// Types that never hold parameters.
const CONSTANT_TYPES: &[&str] = &[
    "f32",
    "f64",
    "bool",
    "char",
    "usize",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "String",
    "str",
    "PhantomData",
    "Duration",
    "PathBuf",
];

/// Whether a field has `#[no_grad]`.
pub fn is_no_grad(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("no_grad"))
}

/// Whether a field of this type holds parameters.
pub fn holds_parameters(ty: &Type, type_params: &[String]) -> bool {
    match ty {
        Type::Paren(p) => holds_parameters(&p.elem, type_params),
        Type::Group(g) => holds_parameters(&g.elem, type_params),
        Type::Array(a) => holds_parameters(&a.elem, type_params),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if p.path.segments.len() == 1 && type_params.contains(&name) {
                return false;
            }
            match name.as_str() {
                "Tensor" | "Scalar" => true,
                "Vec" | "Option" | "Box" => first_type_arg(&last.arguments)
                    .is_some_and(|t| holds_parameters(t, type_params)),
                n => !CONSTANT_TYPES.contains(&n),
            }
        }
        _ => false,
    }
}

/// Whether `ty` names one of the type parameters `params`.
pub fn mentions(ty: &Type, params: &[String]) -> bool {
    use quote::ToTokens;
    let mut found = false;
    for tt in ty.to_token_stream() {
        walk_tokens(tt, &mut |i| found |= params.iter().any(|p| i == p));
    }
    found
}

fn walk_tokens(tt: proc_macro2::TokenTree, f: &mut impl FnMut(&proc_macro2::Ident)) {
    match tt {
        proc_macro2::TokenTree::Ident(i) => f(&i),
        proc_macro2::TokenTree::Group(g) => {
            for t in g.stream() {
                walk_tokens(t, f);
            }
        }
        _ => {}
    }
}

fn first_type_arg(args: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(a) = args else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(ty: &str) -> bool {
        holds_parameters(&syn::parse_str(ty).unwrap(), &["A".to_string()])
    }

    #[test]
    fn tensors_layers_and_containers_of_them_hold_parameters() {
        for ty in [
            "Tensor<f32, Ix2>",
            "autograd::Tensor<A, Ix1>",
            "Scalar<f64>",
            "Linear",
            "Vec<Linear>",
            "Option<Tensor<f32, Ix1>>",
            "Box<Block>",
            "[Linear; 3]",
            "Vec<Vec<Linear>>",
            "Option<Box<Linear>>",
        ] {
            assert!(holds(ty), "{ty}");
        }
    }

    #[test]
    fn numbers_flags_strings_and_type_parameters_are_constants() {
        for ty in [
            "f32",
            "usize",
            "bool",
            "String",
            "A",
            "Vec<f64>",
            "[usize; 2]",
            "Option<f32>",
            "&'static str",
            "(usize, usize)",
            "std::marker::PhantomData<A>",
            "fn(f64) -> f64",
        ] {
            assert!(!holds(ty), "{ty}");
        }
    }
}
