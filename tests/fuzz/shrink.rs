//! The shrinker: reduces a failing case to a small body that fails the same way.
//!
//! Each round lists every single edit of the current body (delete a
//! statement, splice a block's statements into its parent, replace an
//! expression by a subexpression or a literal, cut a loop to one trip, drop a
//! `match` arm or a guard), smallest result first, and builds them in chunks
//! as one crate; the smallest candidate that still fails with the same kind
//! (and, for compile errors, the same message) becomes the current body.
//! Candidates that are not valid Rust fail differently and drop out.

use super::ast::*;
use super::builder::Unit;
use super::check::{Kind, Outcome};
use super::report::{keep_minimal, message_key, Summary};
use super::{judge, print, Config};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// The most candidates built together.
const MAX_CHUNK: usize = 48;

/// Whether `got` is the same failure as `want`.
fn same_failure(want: &Outcome, got: &Outcome) -> bool {
    want.kind == got.kind
        && (!matches!(
            want.kind,
            Kind::Refused | Kind::RustcError | Kind::MacroPanic
        ) || message_key(&want.detail) == message_key(&got.detail))
}

fn size(case: &Case) -> usize {
    print::function(case, print::Mode::Plain).len()
}

/// `f` of every variant of `inner`: the edits inside a part of an expression.
fn boxed(f: &dyn Fn(Expr) -> Expr, inner: &Expr, out: &mut Vec<Expr>) {
    for v in expr_variants(inner) {
        out.push(f(v));
    }
}

/// `f` of `items` with one item replaced by one of its variants.
fn each_item(items: &[Expr], f: &dyn Fn(Vec<Expr>) -> Expr, out: &mut Vec<Expr>) {
    for (i, a) in items.iter().enumerate() {
        let with = |v| {
            let mut items = items.to_vec();
            items[i] = v;
            f(items)
        };
        boxed(&with, a, out);
    }
}

/// Every expression that replaces `e` in one edit.
fn expr_variants(e: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    match e {
        Expr::Binary(op, a, b) => {
            out.push((**a).clone());
            out.push((**b).clone());
            boxed(&|v| Expr::Binary(*op, Box::new(v), b.clone()), a, &mut out);
            boxed(&|v| Expr::Binary(*op, a.clone(), Box::new(v)), b, &mut out);
        }
        Expr::Method(recv, name, args) => {
            out.push((**recv).clone());
            boxed(
                &|v| Expr::Method(Box::new(v), name.clone(), args.clone()),
                recv,
                &mut out,
            );
            each_item(
                args,
                &|args| Expr::Method(recv.clone(), name.clone(), args),
                &mut out,
            );
        }
        Expr::FloatFn(name, args) => {
            out.extend(args.iter().cloned());
            each_item(args, &|args| Expr::FloatFn(name.clone(), args), &mut out);
        }
        Expr::Neg(inner) => {
            out.push((**inner).clone());
            boxed(&|v| Expr::Neg(Box::new(v)), inner, &mut out);
        }
        Expr::Paren(inner) => {
            out.push((**inner).clone());
            boxed(&|v| Expr::Paren(Box::new(v)), inner, &mut out);
        }
        Expr::Tuple(items) | Expr::Array(items) => {
            let array = matches!(e, Expr::Array(_));
            let rebuild = |items| {
                if array {
                    Expr::Array(items)
                } else {
                    Expr::Tuple(items)
                }
            };
            each_item(items, &rebuild, &mut out);
        }
        Expr::Call(name, args) => {
            each_item(args, &|args| Expr::Call(name.clone(), args), &mut out);
        }
        Expr::If(c, then, els) => {
            out.extend(then.tail.iter().map(|t| (**t).clone()));
            for b in block_variants(then) {
                out.push(Expr::If(c.clone(), b, els.clone()));
            }
            if let Some(els) = els {
                if let Expr::Else(b) = &**els {
                    out.extend(b.tail.iter().map(|t| (**t).clone()));
                }
                boxed(
                    &|v| Expr::If(c.clone(), then.clone(), Some(Box::new(v))),
                    els,
                    &mut out,
                );
                if then.tail.is_none() {
                    out.push(Expr::If(c.clone(), then.clone(), None));
                }
            }
        }
        Expr::Else(b) => out.extend(block_variants(b).into_iter().map(Expr::Else)),
        Expr::Block(b) => {
            out.extend(b.tail.iter().map(|t| (**t).clone()));
            out.extend(block_variants(b).into_iter().map(Expr::Block));
        }
        Expr::Labelled(l, b) => {
            out.extend(b.tail.iter().map(|t| (**t).clone()));
            out.extend(
                block_variants(b)
                    .into_iter()
                    .map(|b| Expr::Labelled(l.clone(), b)),
            );
        }
        Expr::Match(s, arms) => match_variants(s, arms, &mut out),
        Expr::Var(_) | Expr::Deref(_) | Expr::Index(..) | Expr::Field(..) => {
            out.push(Expr::lit(1.0))
        }
        _ => {}
    }
    out
}

fn match_variants(s: &Expr, arms: &[Arm], out: &mut Vec<Expr>) {
    for (i, arm) in arms.iter().enumerate() {
        if i + 1 < arms.len() {
            let mut fewer = arms.to_vec();
            fewer.remove(i);
            out.push(Expr::Match(Box::new(s.clone()), fewer));
        }
        if arm.guard.is_some() {
            let mut unguarded = arms.to_vec();
            unguarded[i].guard = None;
            out.push(Expr::Match(Box::new(s.clone()), unguarded));
        }
        for v in expr_variants(&arm.body) {
            let mut changed = arms.to_vec();
            changed[i].body = v;
            out.push(Expr::Match(Box::new(s.clone()), changed));
        }
    }
}

/// Statements that replace `s` in one edit (splicing a body in its place).
fn stmt_variants(s: &Stmt) -> Vec<Vec<Stmt>> {
    let mut out: Vec<Vec<Stmt>> = Vec::new();
    match s {
        Stmt::Let {
            pat,
            ty,
            init: Some(e),
        } => {
            let with = |init: Expr| Stmt::Let {
                pat: pat.clone(),
                ty: *ty,
                init: Some(init),
            };
            out.extend(expr_variants(e).into_iter().map(|v| vec![with(v)]));
            if let Expr::If(_, b, _) | Expr::Block(b) | Expr::Labelled(_, b) = e {
                let mut spliced = b.stmts.clone();
                spliced.extend(b.tail.iter().map(|t| with((**t).clone())));
                out.push(spliced);
            }
        }
        Stmt::Assign { targets, op, rhs } => {
            let with = |op: AssignOp, rhs: Expr| Stmt::Assign {
                targets: targets.clone(),
                op,
                rhs,
            };
            out.extend(expr_variants(rhs).into_iter().map(|v| vec![with(*op, v)]));
            if *op != AssignOp::Set {
                out.push(vec![with(AssignOp::Set, rhs.clone())]);
            }
        }
        Stmt::Expr(e) => out.extend(block_stmt_variants(e)),
        Stmt::For {
            label,
            pat,
            iter,
            body,
        } => {
            let with = |iter: Iter, body: Block| Stmt::For {
                label: label.clone(),
                pat: pat.clone(),
                iter,
                body,
            };
            out.push(body.stmts.clone());
            if let Iter::Range(lo, hi) = iter {
                if *hi != Expr::Int(1) {
                    out.push(vec![with(
                        Iter::Range(lo.clone(), Expr::Int(1)),
                        body.clone(),
                    )]);
                }
            }
            out.extend(
                block_variants(body)
                    .into_iter()
                    .map(|b| vec![with(iter.clone(), b)]),
            );
        }
        Stmt::While { label, cond, body } => {
            out.push(body.stmts.clone());
            let with = |body: Block| Stmt::While {
                label: label.clone(),
                cond: cond.clone(),
                body,
            };
            out.extend(block_variants(body).into_iter().map(|b| vec![with(b)]));
        }
        Stmt::Loop { label, body } => {
            let with = |body: Block| Stmt::Loop {
                label: label.clone(),
                body,
            };
            out.extend(block_variants(body).into_iter().map(|b| vec![with(b)]));
        }
        Stmt::Return(e) => out.extend(expr_variants(e).into_iter().map(|v| vec![Stmt::Return(v)])),
        Stmt::Break {
            label,
            value: Some(e),
        } => {
            let with = |v: Expr| Stmt::Break {
                label: label.clone(),
                value: Some(v),
            };
            out.extend(expr_variants(e).into_iter().map(|v| vec![with(v)]));
        }
        _ => {}
    }
    out
}

/// Replacements of an `if`, `match` or block statement: a branch's statements
/// spliced in its place, or the statement with one edit inside.
fn block_stmt_variants(e: &Expr) -> Vec<Vec<Stmt>> {
    let mut out = Vec::new();
    if let Expr::If(_, b, _) | Expr::Block(b) | Expr::Labelled(_, b) = e {
        out.push(b.stmts.clone());
    }
    if let Expr::If(_, _, Some(els)) = e {
        if let Expr::Else(b) = &**els {
            out.push(b.stmts.clone());
        }
    }
    if let Expr::Match(_, arms) = e {
        for arm in arms {
            if let Expr::Block(b) = &arm.body {
                out.push(b.stmts.clone());
            }
        }
    }
    let edits = expr_variants(e).into_iter().filter(Expr::is_block_like);
    out.extend(edits.map(|v| vec![Stmt::Expr(v)]));
    out
}

/// Whether `s` keeps a loop finite: a counter's `k += 1` or the `if k > N { break; }`
/// of a `loop` (the shrinker never removes them, so no candidate hangs).
pub fn bounds_a_loop(s: &Stmt) -> bool {
    match s {
        Stmt::Assign {
            op: AssignOp::Add,
            rhs: Expr::Int(1),
            ..
        } => true,
        Stmt::Expr(Expr::If(cond, then, None)) => {
            let counts = matches!(&**cond, Expr::Binary(BinOp::Gt, k, n) if matches!((&**k, &**n), (Expr::Var(_), Expr::Int(_))))
                || matches!(&**cond, Expr::Binary(BinOp::Or, a, _) if matches!(&**a, Expr::Binary(BinOp::Gt, _, n) if matches!(**n, Expr::Int(_))));
            counts
                && then.stmts
                    == [Stmt::Break {
                        label: None,
                        value: None,
                    }]
        }
        _ => false,
    }
}

/// Every block one edit away from `b`.
fn block_variants(b: &Block) -> Vec<Block> {
    let mut out = Vec::new();
    for i in 0..b.stmts.len() {
        if bounds_a_loop(&b.stmts[i]) {
            continue;
        }
        let mut fewer = b.clone();
        fewer.stmts.remove(i);
        out.push(fewer);
        for replacement in stmt_variants(&b.stmts[i]) {
            let mut changed = b.clone();
            changed.stmts.splice(i..=i, replacement);
            out.push(changed);
        }
    }
    if let Some(t) = &b.tail {
        for v in expr_variants(t) {
            out.push(Block {
                stmts: b.stmts.clone(),
                tail: Some(Box::new(v)),
            });
        }
        if let Some(Stmt::Return(e)) = b.stmts.last() {
            let mut ret = b.clone();
            ret.stmts.pop();
            ret.tail = Some(Box::new(e.clone()));
            out.push(ret);
        }
    }
    out
}

/// How often `text` names `name(` (its definition included).
fn mentions(text: &str, name: &str) -> usize {
    let call = format!("{name}(");
    text.match_indices(&call)
        .filter(|(at, _)| {
            text[..*at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_')
        })
        .count()
}

/// Candidates one edit smaller than `case`, smallest first, without duplicates.
pub fn candidates(case: &Case) -> Vec<Case> {
    let base = size(case);
    let mut seen = BTreeSet::new();
    let mut out: Vec<(usize, Case)> = Vec::new();
    let fewer_params = (0..case.params.len())
        .filter(|_| case.params.len() > 1)
        .map(|i| {
            let mut c = case.clone();
            c.params.remove(i);
            c
        });
    let edits = block_variants(&case.body).into_iter().map(|body| Case {
        body,
        ..case.clone()
    });
    let helper_edits = (0..case.helpers.len()).flat_map(|i| {
        block_variants(&case.helpers[i].body)
            .into_iter()
            .map(move |body| {
                let mut c = case.clone();
                c.helpers[i].body = body;
                c
            })
    });
    let text = print::function(case, print::Mode::Plain);
    let unused = (0..case.helpers.len())
        .filter(|&i| mentions(&text, &case.helpers[i].name) == 1)
        .map(|i| {
            let mut c = case.clone();
            c.helpers.remove(i);
            c
        });
    for c in fewer_params.chain(unused).chain(edits).chain(helper_edits) {
        let text = print::function(&c, print::Mode::Plain);
        if text.len() < base && super::scope::plausible(&c) && seen.insert(text.clone()) {
            out.push((text.len(), c));
        }
    }
    out.sort_by_key(|(n, _)| *n);
    out.into_iter().map(|(_, c)| c).collect()
}

/// Shrinks `case`, which failed with `want`, to a small case failing the same way.
///
/// Chunks adapt to how often candidates keep failing: when most do (a
/// crash anywhere in a big body), a chunk of two finds one cheaply; when few
/// do, bigger chunks share a build.
pub fn shrink_case(
    config: &Config,
    case: &Case,
    want: &Outcome,
) -> Result<(Case, Outcome), String> {
    let ws = super::builder::Workspace {
        dir: config.work.join("shrink"),
        run_timeout: 10.0,
        ..config.workspace(0)
    };
    let started = Instant::now();
    let mut best = (case.clone(), want.clone());
    let mut size = 8;
    'rounds: loop {
        let all = candidates(&best.0);
        let mut at = 0;
        while at < all.len() {
            if started.elapsed().as_secs_f64() > config.shrink_secs {
                break 'rounds;
            }
            let end = (at + size).min(all.len());
            let chunk = &all[at..end];
            at = end;
            if let Some(found) = try_chunk(config, &ws, chunk, want, started, all.len())? {
                best = (
                    Case {
                        id: case.id,
                        ..found.0
                    },
                    found.1,
                );
                size = (size / 2).max(2);
                continue 'rounds;
            }
            size = (size * 2).min(MAX_CHUNK);
        }
        break;
    }
    Ok(best)
}

/// Builds and judges one chunk of candidates; the first that fails like `want`.
fn try_chunk(
    config: &Config,
    ws: &super::builder::Workspace,
    chunk: &[Case],
    want: &Outcome,
    started: Instant,
    total: usize,
) -> Result<Option<(Case, Outcome)>, String> {
    let mut chunk: Vec<Case> = chunk
        .iter()
        .enumerate()
        .map(|(i, c)| Case { id: i, ..c.clone() })
        .collect();
    if want.kind == Kind::Ice {
        // rustc dies before it reports the body's own errors: check them without the macro.
        let plain: Vec<Unit> = chunk
            .iter()
            .map(|c| Unit {
                id: c.id,
                file: print::plain_file(c),
            })
            .collect();
        let (valid, _) = ws.compile(&plain)?;
        chunk.retain(|c| valid.contains(&c.id));
    }
    let units: Vec<Unit> = chunk
        .iter()
        .map(|c| Unit {
            id: c.id,
            file: print::case_file(c),
        })
        .collect();
    let result = ws.run_batch(&units)?;
    let judged: Vec<(Case, Outcome)> = chunk
        .into_iter()
        .map(|c| {
            let o = judge(&c, result.results.get(&c.id));
            (c, o)
        })
        .collect();
    if config.verbose {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, o) in &judged {
            *kinds.entry(o.kind.name()).or_default() += 1;
        }
        eprintln!(
            "[fuzz]   {} of {total} candidates ({:.0} s): {kinds:?}",
            judged.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(judged.into_iter().find(|(_, o)| same_failure(want, o)))
}

/// Shrinks the first `config.shrink` examples of every failure kind (and of refusals).
pub fn shrink_examples(config: &Config, summary: &mut Summary) {
    let kinds: Vec<Kind> = summary
        .examples
        .keys()
        .copied()
        .filter(|k| k.is_failure() || *k == Kind::Refused)
        .collect();
    for kind in kinds {
        let n = summary.examples[&kind].len().min(config.shrink);
        for i in 0..n {
            let (case, outcome) = {
                let e = &summary.examples[&kind][i];
                (e.case.clone(), e.outcome.clone())
            };
            if matches!(kind, Kind::Crash | Kind::Timeout | Kind::HarnessBug) {
                continue;
            }
            eprintln!("[fuzz] shrinking case {} ({})", case.id, kind.name());
            match shrink_case(config, &case, &outcome) {
                Ok((small, why)) => {
                    let first = why.detail.lines().next().unwrap_or("").to_string();
                    let text = format!(
                        "// {first}\n{}",
                        print::function(&small, print::Mode::Plain)
                    );
                    eprintln!(
                        "[fuzz] case {} shrunk from {} to {} characters",
                        case.id,
                        size(&case),
                        text.len()
                    );
                    if let Some(dir) = &config.keep {
                        keep_minimal(dir, kind, case.id, &print::case_file(&small).text);
                    }
                    summary.examples.get_mut(&kind).expect("the kind")[i].minimal = Some(text);
                }
                Err(e) => summary
                    .harness_errors
                    .push(format!("shrinking case {}: {e}", case.id)),
            }
        }
    }
}
