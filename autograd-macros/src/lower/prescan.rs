//! The names a block may assign, found before it is lowered: the variables
//! a loop or a labelled block may change. Over-approximates (a name assigned
//! after an inner `let` shadows it still counts): a variable carried that
//! never changes costs nothing, one missed would be wrong.

use syn::visit::Visit;
use syn::Expr;

use super::rename::is_compound;
use crate::names;

/// Every name assigned (`y = ..`, `y += ..`, `(a, b) = ..`) in the statements.
pub fn assigned_names(stmts: &[syn::Stmt]) -> Vec<String> {
    let mut f = Finder { names: Vec::new() };
    for s in stmts {
        f.visit_stmt(s);
    }
    f.names.sort();
    f.names.dedup();
    f.names
}

struct Finder {
    names: Vec<String>,
}

impl Finder {
    fn targets(&mut self, e: &Expr) {
        match e {
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(id) = p.path.get_ident() {
                    self.names.push(names::unraw(id));
                }
            }
            Expr::Tuple(t) => t.elems.iter().for_each(|e| self.targets(e)),
            Expr::Paren(p) => self.targets(&p.expr),
            Expr::Group(g) => self.targets(&g.expr),
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Assign(a) => self.targets(&a.left),
            Expr::Binary(b) if is_compound(&b.op) => self.targets(&b.left),
            _ => {}
        }
        syn::visit::visit_expr(self, e)
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
