//! `#[differentiable]` on methods: a method with a `&self` receiver, every
//! such method of an `impl` block, and the methods of a trait.
//!
//! A method is differentiated as the function it is with its receiver an
//! ordinary parameter, `__ad_self: &Self` (the body's `self` renamed to
//! it). What it generates is one item beside the method, in the same block:
//! its rule, `__ad_rule_<name>`, the protocol other `#[differentiable]`
//! bodies call `x.name(..)` through (as they call `f::rule` for a function
//! `f`). In a trait, the rule is declared (defined, for a method with a
//! default body), and the trait gets the bounds its implementors' rules
//! need (`Differentiable`, `HasMethods`).

use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;

use crate::errors::Errors;
use crate::expand::{pipeline, user_function, with_errors, ShallowFn};
use crate::names;
use crate::signature::MethodCx;

/// The name the body's `self` gets.
const SELF_NAME: &str = "__ad_self";

/// A method given the attribute itself, or one of an annotated block.
pub fn expand_method(attr: TokenStream, f: ShallowFn, cx: MethodCx) -> TokenStream {
    let user_fn = user_function(&f);
    let written = {
        let (attrs, vis, sig, body) = (&f.attrs, &f.vis, &f.sig, &f.body);
        quote!(#(#attrs)* #vis #sig #body)
    };
    let free = match as_function(&f) {
        Ok(free) => free,
        Err(e) => {
            let mut errors = Errors::default();
            errors.push_error(e);
            return with_errors(user_fn, errors);
        }
    };
    names::paths_in_place(|| pipeline(attr, free, (user_fn, written), Some(cx)))
}

/// The method as a function of `__ad_self`: the receiver a typed parameter
/// (`&self` is `__ad_self: &Self`), `self` in the body renamed.
fn as_function(f: &ShallowFn) -> syn::Result<ShallowFn> {
    let mut sig = f.sig.clone();
    let Some(syn::FnArg::Receiver(r)) = sig.inputs.first() else {
        return Err(syn::Error::new(sig.ident.span(), "expected a method"));
    };
    if r.reference.is_none() || r.mutability.is_some() {
        return Err(syn::Error::new_spanned(
            r,
            "a #[differentiable] method takes `&self`: the gradient flows into the parameters it reads, which it must not change or consume",
        ));
    }
    let ty = (*r.ty).clone();
    let ident = Ident::new(SELF_NAME, r.self_token.span());
    let param: syn::FnArg = syn::parse_quote!(#ident: #ty);
    sig.inputs[0] = param;
    let mut body = Group::new(f.body.delimiter(), rename_self(f.body.stream()));
    body.set_span(f.body.span());
    Ok(ShallowFn {
        attrs: f.attrs.clone(),
        vis: f.vis.clone(),
        sig,
        body,
    })
}

/// `self` (the value, not `self::` paths) renamed to [`SELF_NAME`], at the
/// user's spans.
fn rename_self(tokens: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Ident(id) if id == "self" => {
                let path =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if path {
                    out.push(t.clone());
                } else {
                    out.push(TokenTree::Ident(Ident::new(SELF_NAME, id.span())));
                }
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), rename_self(g.stream()));
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// Whether a signature has a receiver.
fn has_receiver(sig: &syn::Signature) -> bool {
    matches!(sig.inputs.first(), Some(syn::FnArg::Receiver(_)))
}

/// `#[differentiable] impl T { .. }` (or `impl Trait for T`): every method
/// with a receiver gets its rule; associated functions stay as written.
pub fn expand_impl(attr: TokenStream, block: syn::ItemImpl) -> TokenStream {
    let cx = MethodCx {
        outer: Some(block.generics.clone()),
        in_trait: false,
    };
    let mut items = Vec::new();
    for item in &block.items {
        match item {
            syn::ImplItem::Fn(f) if has_receiver(&f.sig) => {
                let shallow = ShallowFn {
                    attrs: f.attrs.clone(),
                    vis: f.vis.clone(),
                    sig: f.sig.clone(),
                    body: block_group(&f.block),
                };
                items.push(expand_method(attr.clone(), shallow, cx.clone()));
            }
            other => items.push(other.to_token_stream()),
        }
    }
    let syn::ItemImpl {
        attrs,
        defaultness,
        unsafety,
        generics,
        trait_,
        self_ty,
        ..
    } = &block;
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let trait_ = trait_
        .as_ref()
        .map(|(bang, path, for_)| quote!(#bang #path #for_));
    quote! {
        #(#attrs)*
        #defaultness #unsafety impl #impl_generics #trait_ #self_ty #where_clause {
            #(#items)*
        }
    }
}

fn block_group(b: &syn::Block) -> Group {
    let mut g = Group::new(
        proc_macro2::Delimiter::Brace,
        b.stmts.iter().map(ToTokens::to_token_stream).collect(),
    );
    g.set_span(b.brace_token.span.join());
    g
}

/// `#[differentiable] trait Module { fn forward(&self, ..) -> ..; }`: each
/// method with a `&self` receiver gets the declaration of its rule, and the
/// trait the supertraits generated code needs of `Self`.
pub fn expand_trait(attr: TokenStream, mut tr: syn::ItemTrait) -> TokenStream {
    let mut errors = Errors::default();
    if !attr.is_empty() {
        errors.push_spanned(&attr, "#[differentiable] on a trait takes no arguments");
    }
    let rt = names::runtime();
    tr.supertraits.push(syn::parse_quote!(#rt::Differentiable));
    tr.supertraits
        .push(syn::parse_quote!(#rt::HasMethods<Receiver = Self>));
    let cx = MethodCx {
        outer: Some(tr.generics.clone()),
        in_trait: true,
    };
    let mut declarations = Vec::new();
    let mut items = Vec::new();
    for item in std::mem::take(&mut tr.items) {
        let syn::TraitItem::Fn(f) = &item else {
            items.push(item);
            continue;
        };
        if !has_receiver(&f.sig) {
            items.push(item);
            continue;
        }
        if let Some(d) = &f.default {
            // A default body: the method as written and its rule, both
            // defaults an implementation may override.
            let shallow = ShallowFn {
                attrs: f.attrs.clone(),
                vis: syn::Visibility::Inherited,
                sig: f.sig.clone(),
                body: block_group(d),
            };
            declarations.push(expand_method(attr.clone(), shallow, cx.clone()));
            continue;
        }
        items.push(item.clone());
        let shallow = ShallowFn {
            attrs: vec![],
            vis: syn::Visibility::Inherited,
            sig: f.sig.clone(),
            body: Group::new(proc_macro2::Delimiter::Brace, TokenStream::new()),
        };
        match declaration(&shallow, cx.clone(), &mut errors) {
            Some(d) => declarations.push(d),
            None => continue,
        }
    }
    tr.items = items;
    for d in declarations {
        match syn::parse2::<TraitItems>(d) {
            Ok(parsed) => tr.items.extend(parsed.0),
            Err(e) => errors.push_error(e),
        }
    }
    with_errors(tr.to_token_stream(), errors)
}

/// Trait items, one after another.
struct TraitItems(Vec<syn::TraitItem>);

impl syn::parse::Parse for TraitItems {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(TraitItems(items))
    }
}

/// The declaration of a trait method's rule.
fn declaration(f: &ShallowFn, cx: MethodCx, errors: &mut Errors) -> Option<TokenStream> {
    let free = match as_function(f) {
        Ok(free) => free,
        Err(e) => {
            errors.push_error(e);
            return None;
        }
    };
    let func = syn::ItemFn {
        attrs: vec![],
        vis: free.vis.clone(),
        sig: free.sig.clone(),
        block: Box::new(syn::parse_quote!({})),
    };
    names::paths_in_place(|| {
        let mut sig = crate::signature::signature(&func, errors)?;
        sig.method = Some(cx);
        Some(crate::emit::method_declaration(&sig))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_is_renamed_but_not_self_paths() {
        let t = rename_self(quote!(self.w * self::K + Self::C));
        assert_eq!(t.to_string(), "__ad_self . w * self :: K + Self :: C");
    }
}
