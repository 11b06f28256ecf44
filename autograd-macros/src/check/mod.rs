//! Finds the constructs a `#[differentiable]` body cannot contain, wherever
//! they are, and reports each at its span with what to write instead.
//!
//! Input: the user's function body.
//! Output: errors pushed into the function's error list (none if it is fine),
//! and whether the body is nested deeper than [`MAX_DEPTH`] (then nothing
//! else looks at it: every later step recurses over the syntax).
//! Constructs whose support depends on whether a value is differentiated
//! (a method without a rule, a cast) are checked while lowering.

use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, Stmt};

use crate::errors::Errors;

/// How deep expressions, blocks and patterns may nest in a body (a chain
/// `a + b + c + ..` or `x.sin().cos()..` counts one level per link): the
/// macro recurses over the syntax, and deeper bodies could overflow the
/// compiler's stack. Split deeper expressions with `let`.
pub const MAX_DEPTH: usize = 256;

/// How deep brackets, parentheses and braces may nest in a body: syn reads
/// each level with several frames of recursion, before any check of ours
/// can run, so this is checked on the tokens first (without recursion).
pub const MAX_GROUP_DEPTH: usize = 128;

struct Validator<'e> {
    errors: &'e mut Errors,
    depth: usize,
    too_deep: bool,
}

/// Checks a body; returns `false` when it is nested too deep to look at further.
pub fn body(block: &syn::Block, errors: &mut Errors) -> bool {
    let mut v = Validator {
        errors,
        depth: 0,
        too_deep: false,
    };
    for stmt in &block.stmts {
        v.visit_stmt(stmt);
    }
    !v.too_deep
}

/// The nesting of groups (`( [ {`) in a token stream, found without
/// recursion, with the span of the first group past `limit`.
pub fn token_depth(tokens: &proc_macro2::TokenStream, limit: usize) -> Option<proc_macro2::Span> {
    let mut stack = vec![tokens.clone().into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(proc_macro2::TokenTree::Group(g)) => {
                if stack.len() > limit {
                    return Some(g.span());
                }
                stack.push(g.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}

pub fn too_deep_message() -> String {
    format!("this expression is nested more than {MAX_DEPTH} levels deep, more than #[differentiable] reads; bind parts of it to variables with `let`")
}

pub fn too_deep_groups_message() -> String {
    format!("brackets, parentheses and blocks are nested more than {MAX_GROUP_DEPTH} levels deep here, more than #[differentiable] reads; bind parts of the expression to variables with `let`, or move inner blocks into functions")
}

impl Validator<'_> {
    /// Enters one level of nesting; false (and one error at `at`) past the limit.
    fn enter(&mut self, at: impl FnOnce() -> proc_macro2::Span) -> bool {
        if self.too_deep {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
            self.errors.push(at(), too_deep_message());
            self.depth -= 1;
            return false;
        }
        true
    }
}

/// A token of an expression found without walking it (what is past the
/// depth limit must not be walked): the operator of a binary expression,
/// the method of a call, and so on.
fn shallow_span(e: &Expr) -> proc_macro2::Span {
    use syn::spanned::Spanned;
    match e {
        Expr::Binary(b) => b.op.span(),
        Expr::MethodCall(m) => m.method.span(),
        Expr::Field(f) => f.dot_token.span,
        Expr::Index(i) => i.bracket_token.span.join(),
        Expr::Call(c) => c.paren_token.span.join(),
        Expr::Unary(u) => u.op.span(),
        Expr::Paren(p) => p.paren_token.span.join(),
        Expr::Cast(c) => c.as_token.span,
        Expr::Reference(r) => r.and_token.span,
        Expr::Try(t) => t.question_token.span,
        Expr::Await(a) => a.await_token.span,
        Expr::Block(b) => b.block.brace_token.span.join(),
        Expr::If(i) => i.if_token.span,
        Expr::Match(m) => m.match_token.span,
        Expr::Tuple(t) => t.paren_token.span.join(),
        Expr::Array(a) => a.bracket_token.span.join(),
        Expr::Closure(c) => c.or1_token.span,
        Expr::Return(r) => r.return_token.span,
        Expr::Break(b) => b.break_token.span,
        Expr::Assign(a) => a.eq_token.span,
        Expr::Range(r) => r.limits.span(),
        other => other.span(),
    }
}

/// `assert!`-style checks and `println!`-style output read values without
/// changing them.
pub fn is_check(mac: &syn::Macro) -> bool {
    const CHECKS: &[&str] = &[
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "println",
        "print",
        "eprintln",
        "eprint",
    ];
    mac.path
        .segments
        .last()
        .is_some_and(|s| CHECKS.contains(&s.ident.to_string().as_str()))
}

const MACRO_INSTEAD: &str = "the attribute cannot see its expansion: call a #[differentiable] function instead of the macro (`assert!`-style checks, `println!`-style output and `vec!` are fine)";

impl Validator<'_> {
    /// `println!("{x}")`: a name inside the format string is not renamed
    /// with the body's values, so it must be an argument.
    fn inline_format_args(&mut self, mac: &syn::Macro) {
        let Ok(args) = mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        else {
            return;
        };
        // `name = value` arguments name their values explicitly.
        let given: Vec<String> = args
            .iter()
            .filter_map(|a| match a {
                Expr::Assign(a) => match &*a.left {
                    Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for a in &args {
            let Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = a
            else {
                continue;
            };
            let text = s.value().replace("{{", "");
            let named = text.split('{').skip(1).any(|rest| {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                name.starts_with(|c: char| c.is_alphabetic() || c == '_') && !given.contains(&name)
            });
            if named {
                self.errors.push_spanned(s, "a name inside the format string of a macro in a #[differentiable] function is not supported; pass the value as an argument: `println!(\"{}\", x)`");
            }
        }
    }

    fn unsupported(&mut self, tokens: impl ToTokens, what: &str, instead: &str) {
        self.errors.push_spanned(
            tokens,
            format!("{what} is not supported in a #[differentiable] function; {instead}"),
        );
    }
}

impl<'ast> Visit<'ast> for Validator<'_> {
    // `#[cfg(..)]` inside the body: which parts the build keeps is decided
    // after the attribute has run, so it cannot differentiate the right ones.
    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if a.path().is_ident("cfg") || a.path().is_ident("cfg_attr") {
            self.unsupported(
                a,
                "`#[cfg]` on a statement or expression",
                "the attribute runs before the build decides which parts it keeps; move each configured version into a function of its own (`#[cfg(..)] #[differentiable] fn ..`) and call it",
            );
        }
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        if self.enter(|| b.brace_token.span.join()) {
            syn::visit::visit_block(self, b);
            self.depth -= 1;
        }
    }

    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        if self.enter(|| syn::spanned::Spanned::span(p)) {
            syn::visit::visit_pat(self, p);
            self.depth -= 1;
        }
    }

    fn visit_type(&mut self, t: &'ast syn::Type) {
        if self.enter(|| syn::spanned::Spanned::span(t)) {
            syn::visit::visit_type(self, t);
            self.depth -= 1;
        }
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        if !self.enter(|| shallow_span(e)) {
            return;
        }
        self.expr(e);
        self.depth -= 1;
    }

    fn visit_stmt(&mut self, s: &'ast Stmt) {
        match s {
            Stmt::Item(item) if crate::desugar::movable_item(item) => {}
            Stmt::Item(item) => self.unsupported(
                item,
                "this item inside the body",
                "declare it outside the #[differentiable] function (`const`, `static`, `use` and `fn` items may stay)",
            ),
            Stmt::Macro(m) if !is_check(&m.mac) => self.unsupported(
                &m.mac.path,
                &format!("the macro call `{}!`", m.mac.path.to_token_stream()),
                MACRO_INSTEAD,
            ),
            Stmt::Macro(m) => self.inline_format_args(&m.mac),
            Stmt::Local(_) | Stmt::Expr(..) => syn::visit::visit_stmt(self, s),
        }
    }

    // Nested items and closures are reported where they stand; do not descend into them.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

impl<'ast> Validator<'_> {
    fn expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Unsafe(u) => self.unsupported(
                u.unsafe_token,
                "`unsafe`",
                "move the unsafe code into a function that is not differentiated and pass its result in as a #[no_grad] parameter",
            ),
            Expr::Macro(m) if crate::desugar::vec_macro(&m.mac).is_some() => {}
            Expr::Macro(m) if !is_check(&m.mac) => self.unsupported(
                &m.mac.path,
                &format!("the macro call `{}!`", m.mac.path.to_token_stream()),
                MACRO_INSTEAD,
            ),
            Expr::Macro(m) => self.inline_format_args(&m.mac),
            Expr::Async(a) => self.unsupported(a.async_token, "an `async` block", "differentiate synchronous code"),
            Expr::Await(a) => self.unsupported(a.await_token, "`.await`", "await outside and pass the value in"),
            Expr::Try(t) => self.unsupported(
                t.question_token,
                "the `?` operator",
                "use the panicking operation, or a `try_` operation outside the differentiated function",
            ),
            Expr::TryBlock(t) => self.unsupported(t.try_token, "a `try` block", "compute the value outside"),
            Expr::Yield(y) => self.unsupported(y.yield_token, "`yield`", "remove it"),
            Expr::Const(c) => self.unsupported(c.const_token, "an inline `const` block", "use a literal or a `const` item"),
            Expr::If(i) if matches!(&*i.cond, Expr::Let(_)) => {
                // `if let`: the `let` is fine there.
                if let Expr::Let(l) = &*i.cond {
                    self.let_chain_free(&l.expr);
                    self.visit_pat(&l.pat);
                    self.visit_expr(&l.expr);
                }
                self.visit_block(&i.then_branch);
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
            }
            Expr::While(w) if matches!(&*w.cond, Expr::Let(_)) => {
                // `while let`: the `let` is fine there.
                if let Expr::Let(l) = &*w.cond {
                    self.visit_pat(&l.pat);
                    self.visit_expr(&l.expr);
                }
                self.visit_block(&w.body);
            }
            Expr::Let(l) => self.unsupported(
                l.let_token,
                "`let` inside an expression (other than `if let` and `while let`)",
                "use `match`, or nest an `if` inside the `if let`",
            ),
            _ => syn::visit::visit_expr(self, e),
        }
    }

    /// `if let A = x && cond` (a let chain): not supported.
    fn let_chain_free(&mut self, e: &Expr) {
        if let Expr::Binary(b) = e {
            if matches!(b.op, syn::BinOp::And(_)) && contains_let(e) {
                self.unsupported(b.op, "a `let` chain", "nest an `if` inside the `if let`");
            }
        }
    }
}

fn contains_let(e: &Expr) -> bool {
    match e {
        Expr::Let(_) => true,
        Expr::Binary(b) => contains_let(&b.left) || contains_let(&b.right),
        Expr::Paren(p) => contains_let(&p.expr),
        _ => false,
    }
}
