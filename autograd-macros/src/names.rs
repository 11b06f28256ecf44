//! Every identifier the macro invents: one module, one crate-unique prefix,
//! mixed-site hygiene, and raw identifiers where a user's name is a keyword.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The prefix of every identifier the macro invents.
pub const PREFIX: &str = "__ad_";

/// An identifier invented by the macro: `__ad_<name>`, invisible to user code.
pub fn generated(name: &str) -> Ident {
    Ident::new(&format!("{PREFIX}{name}"), Span::mixed_site())
}

/// `__ad_<name>`, located at a user's token (errors point there) with
/// mixed-site hygiene.
pub fn generated_at(name: &str, at: Span) -> Ident {
    Ident::new(
        &format!("{PREFIX}{name}"),
        Span::mixed_site().located_at(at),
    )
}

/// A variable of generated code named after a user's variable: the name
/// itself (a raw identifier if it is a keyword), hygienic, located at `at`.
pub fn local(name: &str, at: Span) -> Ident {
    let span = Span::mixed_site().located_at(at);
    if is_keyword(name) && can_be_raw(name) {
        Ident::new_raw(name, span)
    } else {
        Ident::new(name, span)
    }
}

/// A user's name written again at the user's token `at` (a raw identifier
/// if it is a keyword), resolving as the user's own tokens do.
pub fn user(name: &str, at: Span) -> Ident {
    if is_keyword(name) && can_be_raw(name) {
        Ident::new_raw(name, at)
    } else {
        Ident::new(name, at)
    }
}

/// `tokens` moved to the user's token `at`, each keeping its hygiene: the
/// code generated for one of the user's operations reports its type errors
/// at that operation, not at the attribute.
pub fn located(tokens: TokenStream, at: Span) -> TokenStream {
    map_spans(tokens, &|s| s.located_at(at))
}

/// `tokens` (absolute paths only) moved to the user's token `at`, in the
/// user's syntax context: a span rustc reports as that token.
pub fn respanned(tokens: TokenStream, at: Span) -> TokenStream {
    map_spans(tokens, &|_| at)
}

/// Every token's span (and every group's) replaced by `f` of it.
fn map_spans(tokens: TokenStream, f: &dyn Fn(Span) -> Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let proc_macro2::TokenTree::Group(g) = &t {
                let mut inner = proc_macro2::Group::new(g.delimiter(), map_spans(g.stream(), f));
                inner.set_span(f(g.span()));
                return proc_macro2::TokenTree::Group(inner);
            }
            t.set_span(f(t.span()));
            t
        })
        .collect()
}

/// A label of generated code: `'__ad_<name>`.
pub fn label(name: &str) -> syn::Lifetime {
    syn::Lifetime::new(&format!("'{PREFIX}{name}"), Span::mixed_site())
}

/// The name of a user's identifier without the `r#` of a raw identifier.
pub fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    match s.strip_prefix("r#") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// The names of a path's segments, without `r#` (`f64::sqrt` → `["f64", "sqrt"]`).
pub fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| unraw(&s.ident)).collect()
}

/// The path through which generated code reaches the runtime.
pub fn runtime() -> TokenStream {
    quote!(::autograd::__private)
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

fn can_be_raw(name: &str) -> bool {
    !matches!(name, "self" | "Self" | "super" | "crate" | "_")
}

/// Hands out base names unique in one function (`y`, then `y_2`, `y_3`..),
/// and can forget the names given since a mark (a loop body lowered again).
#[derive(Default)]
pub struct Fresh {
    used: HashSet<String>,
    next: HashMap<String, usize>,
    log: Vec<(String, String, Option<usize>)>,
}

impl Fresh {
    /// Reserves a name as it is (a parameter's).
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// A name not given before: `base`, else `base_2`, `base_3`...
    pub fn name(&mut self, base: &str) -> String {
        let prev = self.next.get(base).copied();
        let mut k = prev.unwrap_or(1);
        let mut name = if k == 1 {
            base.to_string()
        } else {
            format!("{base}_{k}")
        };
        while self.used.contains(&name) {
            k += 1;
            name = format!("{base}_{k}");
        }
        self.used.insert(name.clone());
        self.next.insert(base.to_string(), k + 1);
        self.log.push((name.clone(), base.to_string(), prev));
        name
    }

    pub fn mark(&self) -> usize {
        self.log.len()
    }

    /// Forgets every name given since `mark`.
    pub fn rollback(&mut self, mark: usize) {
        while self.log.len() > mark {
            let Some((name, base, prev)) = self.log.pop() else {
                break;
            };
            self.used.remove(&name);
            match prev {
                Some(p) => self.next.insert(base, p),
                None => self.next.remove(&base),
            };
        }
    }
}

/// Adjusts a path the user wrote for use inside the generated module, one
/// level down: `self::x` becomes `super::x`, `super::x` becomes `super::super::x`.
pub fn fix_relative_path(p: &mut syn::Path) {
    if IN_PLACE.get() || p.leading_colon.is_some() {
        return;
    }
    let Some(first) = p.segments.first_mut() else {
        return;
    };
    if first.ident == "self" {
        first.ident = Ident::new("super", first.ident.span());
    } else if first.ident == "super" {
        let span = first.ident.span();
        p.segments
            .insert(0, syn::PathSegment::from(Ident::new("super", span)));
    }
}

/// Applies [`fix_relative_path`] to every path in a syntax node.
pub struct FixPaths;

impl syn::visit_mut::VisitMut for FixPaths {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        fix_relative_path(p);
        syn::visit_mut::visit_path_mut(self, p)
    }
}

/// The rule beside a `#[differentiable]` method `name`: `__ad_rule_<name>`,
/// at the method's span (an error about it lands on the user's token).
pub fn method_rule(name: &Ident) -> Ident {
    Ident::new(&format!("__ad_rule_{}", unraw(name)), name.span())
}

thread_local! {
    static IN_PLACE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the user's relative paths left as written: a method's
/// rule sits beside the method, not one module down.
pub fn paths_in_place<R>(f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_PLACE.set(false);
        }
    }
    IN_PLACE.set(true);
    let _reset = Reset;
    f()
}
