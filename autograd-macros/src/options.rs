//! The attribute's arguments: `#[differentiable]`,
//! `#[differentiable(recursive)]`, `#[differentiable(has_aux)]`, or both,
//! comma-separated.
//!
//! Input: the tokens between the attribute's parentheses.
//! Output: [`Options`]; an unknown or repeated argument is an error at its
//! token, the others still read.

use proc_macro2::{TokenStream, TokenTree};

use crate::errors::Errors;

/// What the attribute's arguments ask for.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Options {
    /// `recursive`: the pullback of `rule` is boxed, for functions that call each other.
    pub recursive: bool,
    /// `has_aux`: the function returns `(value, aux..)`; only `value` is differentiated.
    pub has_aux: bool,
}

const UNKNOWN: &str = "#[differentiable] takes no arguments but `recursive` (for functions that call each other) and `has_aux` (for `-> (loss, aux..)`: only the first element is differentiated)";

/// Reads the arguments, reporting what it does not understand.
pub fn parse(attr: &TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    let mut expect_name = true;
    for token in attr.clone() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' && !expect_name => expect_name = true,
            TokenTree::Ident(id) if expect_name => {
                let flag = match id.to_string().as_str() {
                    "recursive" => &mut options.recursive,
                    "has_aux" => &mut options.has_aux,
                    _ => {
                        errors.push_spanned(id, UNKNOWN);
                        expect_name = false;
                        continue;
                    }
                };
                if *flag {
                    errors.push_spanned(id, format!("`{id}` is given twice"));
                }
                *flag = true;
                expect_name = false;
            }
            other => {
                errors.push_spanned(other, UNKNOWN);
                return options;
            }
        }
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn read(attr: TokenStream) -> (Options, bool) {
        let mut errors = Errors::default();
        let options = parse(&attr, &mut errors);
        (options, errors.is_empty())
    }

    #[test]
    fn arguments_are_read_in_any_order() {
        assert_eq!(read(quote!()), (Options::default(), true));
        let both = Options {
            recursive: true,
            has_aux: true,
        };
        assert_eq!(read(quote!(has_aux, recursive)), (both, true));
        assert_eq!(read(quote!(recursive, has_aux,)), (both, true));
        assert!(read(quote!(has_aux)).0.has_aux);
    }

    #[test]
    fn unknown_and_repeated_arguments_are_errors() {
        assert!(!read(quote!(aux)).1);
        assert!(!read(quote!(has_aux has_aux)).1);
        assert!(!read(quote!(has_aux, has_aux)).1);
        assert!(!read(quote!(has_aux = true)).1);
        assert!(!read(quote!(,)).1);
    }
}
