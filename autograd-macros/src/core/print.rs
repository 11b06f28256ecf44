//! A readable dump of the core form, for the macro's own tests.

use std::fmt::Write;

use super::{Block, Body, Inst, LoopKind, Op, Operand, Term};

/// The body, one instruction per line, nested blocks indented.
pub fn dump(body: &Body) -> String {
    let mut out = String::new();
    block(body, &body.block, 0, &mut out);
    out
}

fn name(body: &Body, o: &Operand) -> String {
    match o {
        Operand::Value(v) => body.values[*v].name.clone(),
        Operand::Lit(t) => t.to_string(),
        Operand::Undef => "undef".into(),
    }
}

fn names(body: &Body, vs: &[usize]) -> String {
    vs.iter()
        .map(|v| body.values[*v].name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn block(body: &Body, b: &Block, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    for inst in &b.insts {
        match inst {
            Inst::Let(l) => {
                let op = match &l.op {
                    Op::Rule {
                        rule,
                        operands,
                        consts,
                    } => {
                        let args: Vec<String> = operands
                            .iter()
                            .chain(consts)
                            .map(|o| name(body, o))
                            .collect();
                        format!("{}({})", rule.name, args.join(", "))
                    }
                    Op::Call(c) => {
                        let args: Vec<String> =
                            c.args.iter().map(|a| name(body, &a.operand)).collect();
                        let p = &c.path;
                        format!("call {}({})", quote::quote!(#p), args.join(", "))
                    }
                    Op::Const(c) => format!("const {}", c.tokens),
                    Op::Copy(o) => format!("copy {}", name(body, o)),
                    Op::Field(b, m) => {
                        format!("field {}.{}", body.values[*b].name, quote::quote!(#m))
                    }
                    Op::Part(b, crate::core::Part::Index(i)) => {
                        format!("part {}[{}]", body.values[*b].name, name(body, i))
                    }
                    Op::Part(b, crate::core::Part::Some) => {
                        format!("part Some({})", body.values[*b].name)
                    }
                };
                let _ = writeln!(out, "{pad}{} = {op}", body.values[l.out].name);
            }
            Inst::If(i) => {
                let _ = writeln!(
                    out,
                    "{pad}[{}] = if {} {{",
                    names(body, &i.outs),
                    i.cond.tokens
                );
                block(body, &i.then, depth + 1, out);
                let _ = writeln!(out, "{pad}}} else {{");
                block(body, &i.els, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Inst::Match(m) => {
                let _ = writeln!(
                    out,
                    "{pad}[{}] = match {} {{",
                    names(body, &m.outs),
                    m.scrutinee.tokens
                );
                for a in &m.arms {
                    let _ = writeln!(out, "{pad}  {} =>", a.pat);
                    block(body, &a.body, depth + 2, out);
                }
                let _ = writeln!(out, "{pad}}}");
            }
            Inst::Loop(l) => {
                let head = match &l.kind {
                    LoopKind::For { pat, iter, .. } => format!("for {} in {}", pat, iter.tokens),
                    LoopKind::While { cond } => format!("while {}", cond.tokens),
                    LoopKind::Loop => "loop".into(),
                };
                let inits: Vec<String> = l.inits.iter().map(|o| name(body, o)).collect();
                let _ = writeln!(
                    out,
                    "{pad}[{}] = {head} [{}] <- [{}] {{",
                    names(body, &l.outs),
                    names(body, &l.carried),
                    inits.join(", ")
                );
                block(body, &l.body, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Inst::Labelled(b) => {
                let _ = writeln!(out, "{pad}[{}] = 'block{} {{", names(body, &b.outs), b.id);
                block(body, &b.body, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Inst::Bind(b) => {
                let _ = writeln!(out, "{pad}let {} = {}", b.pat, b.value.tokens);
            }
            Inst::Check(c) => {
                let _ = writeln!(out, "{pad}check {}", c.tokens);
            }
        }
    }
    let term = match &b.term {
        Term::Yield(args) => {
            let a: Vec<String> = args.iter().map(|o| name(body, o)).collect();
            format!("yield {}", a.join(", "))
        }
        Term::Jump(j) => {
            let a: Vec<String> = j
                .args
                .iter()
                .chain(j.value.iter())
                .map(|o| name(body, o))
                .collect();
            format!("jump#{} {:?} {}", j.code, j.target, a.join(", "))
        }
        Term::Never => "never".into(),
    };
    let _ = writeln!(out, "{pad}{term}");
}
