//! Finds the constructs a `#[differentiable]` body cannot contain, wherever
//! they are, and reports each at its span with what to write instead.
//!
//! Input: the user's function body.
//! Output: errors pushed into the function's error list (none if it is fine).
//! Constructs whose support depends on whether a value is differentiated
//! (a method without a rule, a cast) or on where they stand (a labelled
//! `break`, `break` with a value) are checked while lowering.

use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, Stmt};

use crate::errors::Errors;

struct Validator<'e> {
    errors: &'e mut Errors,
}

pub fn body(block: &syn::Block, errors: &mut Errors) {
    let mut v = Validator { errors };
    for stmt in &block.stmts {
        v.visit_stmt(stmt);
    }
}

/// `assert!`-style checks read values without changing them.
pub fn is_check(mac: &syn::Macro) -> bool {
    const CHECKS: &[&str] = &[
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
    ];
    mac.path
        .segments
        .last()
        .is_some_and(|s| CHECKS.contains(&s.ident.to_string().as_str()))
}

impl Validator<'_> {
    fn unsupported(&mut self, tokens: impl ToTokens, what: &str, instead: &str) {
        self.errors.push_spanned(
            tokens,
            format!("{what} is not supported in a #[differentiable] function; {instead}"),
        );
    }
}

impl<'ast> Visit<'ast> for Validator<'_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Unsafe(u) => self.unsupported(
                u.unsafe_token,
                "`unsafe`",
                "move the unsafe code into a function that is not differentiated and pass its result in as a #[no_grad] parameter",
            ),
            Expr::Closure(c) => self.unsupported(
                c.or1_token,
                "a closure",
                "write the closure as a #[differentiable] fn and call it",
            ),
            Expr::Macro(m) if !is_check(&m.mac) => self.unsupported(
                &m.mac.path,
                &format!("the macro call `{}!`", m.mac.path.to_token_stream()),
                "write the computation as ordinary expressions (`assert!`-style checks are fine)",
            ),
            Expr::Macro(_) => {}
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
            Expr::Let(l) => self.unsupported(
                l.let_token,
                "`if let`, `while let` and `let` inside an expression",
                "use `match`, or a `while` loop with a condition",
            ),
            _ => syn::visit::visit_expr(self, e),
        }
    }

    fn visit_stmt(&mut self, s: &'ast Stmt) {
        match s {
            Stmt::Item(item) => self.unsupported(
                item,
                "an item inside the body",
                "declare it outside the #[differentiable] function",
            ),
            Stmt::Macro(m) if !is_check(&m.mac) => self.unsupported(
                &m.mac.path,
                &format!("the macro call `{}!`", m.mac.path.to_token_stream()),
                "write the computation as ordinary expressions (`assert!`-style checks are fine)",
            ),
            Stmt::Macro(_) => {}
            Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    if let Some((else_token, _)) = &init.diverge {
                        self.unsupported(
                            else_token,
                            "`let ... else`",
                            "bind the value with a plain `let`",
                        );
                    }
                }
                syn::visit::visit_stmt(self, s)
            }
            Stmt::Expr(..) => syn::visit::visit_stmt(self, s),
        }
    }

    // Nested items and closures are reported above; do not descend into them.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
