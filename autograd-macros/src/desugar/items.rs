//! Items inside the body: `const`, `static`, `use` and nested `fn`s move
//! to the generated module, beside the derivative code that names them.
//! A nested `fn` returning a float or a tensor gets `#[differentiable]`
//! itself, so calls to it are differentiated through it; the user's
//! function keeps them where they were.

use std::collections::BTreeSet;

use syn::visit_mut::VisitMut;
use syn::{Item, Stmt};

use crate::errors::Errors;

/// Whether the body may hold this item (it moves to the generated module).
pub fn movable(item: &Item) -> bool {
    matches!(
        item,
        Item::Const(_) | Item::Static(_) | Item::Use(_) | Item::Fn(_)
    )
}

/// Takes the movable items out of every block of the body.
pub fn hoist(block: &mut syn::Block, errors: &mut Errors) -> Vec<Item> {
    let mut h = Hoist {
        items: Vec::new(),
        names: BTreeSet::new(),
        errors,
    };
    h.visit_block_mut(block);
    h.items
}

struct Hoist<'e> {
    items: Vec<Item>,
    names: BTreeSet<String>,
    errors: &'e mut Errors,
}

impl VisitMut for Hoist<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let stmts = std::mem::take(&mut b.stmts);
        for s in stmts {
            match s {
                Stmt::Item(item) if movable(&item) => {
                    let name = match &item {
                        Item::Const(c) => Some(&c.ident),
                        Item::Static(s) => Some(&s.ident),
                        Item::Fn(f) => Some(&f.sig.ident),
                        _ => None,
                    };
                    if let Some(n) = name {
                        if !self.names.insert(n.to_string()) {
                            self.errors.push_spanned(n, format!("two items named `{n}` in one #[differentiable] body; give them different names"));
                        }
                    }
                    self.items.push(item);
                }
                mut other => {
                    syn::visit_mut::visit_stmt_mut(self, &mut other);
                    b.stmts.push(other);
                }
            }
        }
    }

    fn visit_item_mut(&mut self, _: &mut Item) {}
}

/// The items as the generated module holds them: paths one level down,
/// nested `fn`s that return a float or tensor made differentiable.
pub fn for_module(items: &[Item]) -> proc_macro2::TokenStream {
    let mut out = proc_macro2::TokenStream::new();
    for item in items {
        let mut item = item.clone();
        match &mut item {
            Item::Use(u) => fix_use(&mut u.tree),
            other => crate::names::FixPaths.visit_item_mut(other),
        }
        if let Item::Fn(f) = &mut item {
            if returns_value(&f.sig.output) {
                f.attrs
                    .push(syn::parse_quote!(#[::autograd::differentiable]));
            }
        }
        quote::ToTokens::to_tokens(&item, &mut out);
    }
    out
}

/// `use self::x` and `use super::x`, one level down.
fn fix_use(tree: &mut syn::UseTree) {
    if let syn::UseTree::Path(p) = tree {
        if p.ident == "self" {
            p.ident = syn::Ident::new("super", p.ident.span());
        } else if p.ident == "super" {
            let inner = std::mem::replace(
                &mut *p.tree,
                syn::UseTree::Glob(syn::UseGlob {
                    star_token: Default::default(),
                }),
            );
            let span = p.ident.span();
            *p.tree = syn::UseTree::Path(syn::UsePath {
                ident: syn::Ident::new("super", span),
                colon2_token: Default::default(),
                tree: Box::new(inner),
            });
        }
    }
}

/// Whether a nested `fn` returns something to differentiate (not `()`, an
/// integer or a `bool`).
fn returns_value(output: &syn::ReturnType) -> bool {
    match output {
        syn::ReturnType::Default => false,
        syn::ReturnType::Type(_, ty) => {
            !(crate::lower::is_integer_type(ty)
                || matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()))
        }
    }
}
