//! Collects every error of one function, so they are reported together
//! (as serde_derive's `Ctxt` does).

use proc_macro2::Span;
use std::fmt::Display;

#[derive(Default)]
pub struct Errors {
    errors: Option<syn::Error>,
}

impl Errors {
    pub fn push(&mut self, span: Span, message: impl Display) {
        self.push_error(syn::Error::new(span, message));
    }

    pub fn push_spanned(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.push_error(syn::Error::new_spanned(tokens, message));
    }

    pub fn push_error(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(e) => e.combine(error),
            None => self.errors = Some(error),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_none()
    }

    pub fn finish(self) -> syn::Result<()> {
        match self.errors {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
