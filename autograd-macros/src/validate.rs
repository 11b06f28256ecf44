//! Finds the constructs a `#[differentiable]` body cannot contain, wherever
//! they are, and reports each at its span with what to write instead.
//!
//! Input: the user's function body.
//! Output: errors pushed into the function's error list (none if it is fine).
//! Constructs whose support depends on whether a value is differentiated
//! (a method without a rule, a cast) are checked while lowering.

use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, Stmt};

use crate::errors::Errors;

struct Validator<'e> {
    errors: &'e mut Errors,
}

pub fn body(block: &syn::Block, errors: &mut Errors) {
    let mut v = Validator { errors };
    let n = block.stmts.len();
    for (i, stmt) in block.stmts.iter().enumerate() {
        // `return` is allowed as the last statement only.
        if i + 1 == n {
            if let Stmt::Expr(Expr::Return(r), _) = stmt {
                if let Some(e) = &r.expr {
                    v.visit_expr(e);
                }
                continue;
            }
        }
        v.visit_stmt(stmt);
    }
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
            Expr::Loop(l) => self.unsupported(
                l.loop_token,
                "`loop`",
                "unroll the computation into straight-line statements or a #[differentiable] helper function",
            ),
            Expr::While(w) => self.unsupported(
                w.while_token,
                "`while`",
                "unroll the computation into straight-line statements",
            ),
            Expr::ForLoop(f) => self.unsupported(
                f.for_token,
                "`for`",
                "unroll the computation into straight-line statements or use a tensor operation",
            ),
            Expr::If(i) => self.unsupported(
                i.if_token,
                "`if`",
                "compute both values and combine them with a tensor operation such as `relu`",
            ),
            Expr::Match(m) => self.unsupported(
                m.match_token,
                "`match`",
                "compute the value outside and pass it in as a #[no_grad] parameter",
            ),
            Expr::Macro(m) => self.unsupported(
                &m.mac.path,
                &format!("the macro call `{}!`", m.mac.path.to_token_stream()),
                "write the computation as ordinary expressions",
            ),
            Expr::Async(a) => self.unsupported(a.async_token, "an `async` block", "differentiate synchronous code"),
            Expr::Await(a) => self.unsupported(a.await_token, "`.await`", "await outside and pass the value in"),
            Expr::Try(t) => self.unsupported(
                t.question_token,
                "the `?` operator",
                "use the panicking operation, or a `try_` operation outside the differentiated function",
            ),
            Expr::TryBlock(t) => self.unsupported(t.try_token, "a `try` block", "compute the value outside"),
            Expr::Assign(a) => self.unsupported(
                a.eq_token,
                "assignment",
                "bind a new variable with `let` (shadowing is fine)",
            ),
            Expr::Binary(b) if is_compound_assign(&b.op) => self.unsupported(
                b.op,
                "compound assignment",
                "bind a new variable: `let y = y + x;`",
            ),
            Expr::Break(b) => self.unsupported(b.break_token, "`break`", "remove it"),
            Expr::Continue(c) => self.unsupported(c.continue_token, "`continue`", "remove it"),
            Expr::Return(r) => self.unsupported(
                r.return_token,
                "`return` before the end of the body",
                "make the returned value the function's final expression",
            ),
            Expr::Yield(y) => self.unsupported(y.yield_token, "`yield`", "remove it"),
            Expr::Const(c) => self.unsupported(c.const_token, "an inline `const` block", "use a literal or a `const` item"),
            Expr::Let(l) => self.unsupported(l.let_token, "`let` in an expression", "bind the value with a `let` statement"),
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
            Stmt::Macro(m) => self.unsupported(
                &m.mac.path,
                &format!("the macro call `{}!`", m.mac.path.to_token_stream()),
                "write the computation as ordinary expressions",
            ),
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

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}
