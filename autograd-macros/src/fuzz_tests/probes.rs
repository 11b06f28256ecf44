//! Deep-nesting and long-body probes, one test each.
//!
//! A stack overflow aborts the whole process, so each probe expands in a
//! child process (see `server`) and no probe can take the rest of the test
//! binary down with it. Each expands its input at a quarter, half and the
//! full size, reports the expansion times (they should grow linearly) and,
//! when a size overflows the 4 MiB stack, bisects for the largest size that
//! still fits.
//!
//! `cargo test -p autograd-macros probes -- --nocapture` prints the curves.

use std::fmt::Write as _;
use std::time::Duration;

use super::harness::{self, Case, Kind};
use super::server::{self, Expander};

fn wrap(body: &str) -> String {
    format!("fn probe(x: f64) -> f64 {{ {body} }}")
}

fn parens(n: usize) -> String {
    wrap(&format!("{}x{}", "(".repeat(n), ")".repeat(n)))
}

fn method_chain(n: usize) -> String {
    wrap(&format!("x{}", ".sin()".repeat(n)))
}

fn binary_chain(n: usize) -> String {
    wrap(&format!("x{}", " + x".repeat(n.saturating_sub(1))))
}

fn right_nested(n: usize) -> String {
    let d = n.saturating_sub(1);
    wrap(&format!("{}x{}", "x * (".repeat(d), ")".repeat(d)))
}

fn blocks(n: usize) -> String {
    wrap(&format!("{}x{}", "{ ".repeat(n), " }".repeat(n)))
}

fn else_if_chain(n: usize) -> String {
    let mut body = String::from("if x < 0.0 { x } ");
    for i in 1..n {
        let _ = write!(body, "else if x < {i}.0 {{ x * {i}.0 }} ");
    }
    body.push_str("else { -x }");
    wrap(&body)
}

fn nested_loops(n: usize) -> String {
    let mut body = String::from("let mut s = x; ");
    for k in 0..n {
        let _ = write!(body, "for i{k} in 0..2 {{ ");
    }
    body.push_str("s = s * 1.0001 + x; ");
    body.push_str(&"} ".repeat(n));
    body.push('s');
    wrap(&body)
}

fn straight_line(n: usize) -> String {
    let mut body = String::from("let mut y = x; let v0 = x; ");
    for i in 1..n {
        let p = i - 1;
        let _ = match i % 4 {
            0 => write!(body, "let v{i} = v{p} * 1.0001 + x; "),
            1 => write!(body, "y = y * v{p}.sin(); let v{i} = y; "),
            2 => write!(body, "let v{i} = v{p} - y / 3.0; "),
            _ => write!(body, "let v{i} = (v{p} + y).tanh(); "),
        };
    }
    let _ = write!(body, "v{} + y", n.saturating_sub(1));
    wrap(&body)
}

#[test]
fn parens_100() {
    probe("parens_100", 100, parens);
}

#[test]
fn parens_1000() {
    probe("parens_1000", 1000, parens);
}

#[test]
fn parens_5000() {
    probe("parens_5000", 5000, parens);
}

#[test]
fn method_chain_1000() {
    probe("method_chain_1000", 1000, method_chain);
}

#[test]
fn method_chain_10000() {
    probe("method_chain_10000", 10_000, method_chain);
}

#[test]
fn binary_chain_10000() {
    probe("binary_chain_10000", 10_000, binary_chain);
}

#[test]
fn right_nested_product_2000() {
    probe("right_nested_product_2000", 2000, right_nested);
}

#[test]
fn nested_blocks_1000() {
    probe("nested_blocks_1000", 1000, blocks);
}

#[test]
fn else_if_chain_2000() {
    probe("else_if_chain_2000", 2000, else_if_chain);
}

#[test]
fn nested_loops_200() {
    probe("nested_loops_200", 200, nested_loops);
}

#[test]
fn straight_line_5000() {
    probe("straight_line_5000", 5000, straight_line);
}

/// What the expansion did at one size.
enum Row {
    Done {
        time: Duration,
        errors: usize,
        findings: Vec<String>,
    },
    StackOverflow,
    Crashed(String),
}

/// Expands at size `n`; a run under 5 s is repeated and the faster time
/// kept, to damp the noise of a loaded machine.
fn at_size(expander: &mut Expander, make: fn(usize) -> String, n: usize) -> Row {
    let case = Case::item(make(n));
    let mut c = expander.check(&case);
    if c.findings.is_empty() && c.elapsed < Duration::from_secs(5) {
        let again = expander.check(&case);
        c.elapsed = c.elapsed.min(again.elapsed);
    }
    let died = c
        .findings
        .iter()
        .find(|f| matches!(f.kind, Kind::StackOverflow | Kind::Crash | Kind::Timeout));
    match died {
        Some(f) if f.kind == Kind::StackOverflow => Row::StackOverflow,
        Some(f) => Row::Crashed(format!("{}: {}", f.signature, f.detail)),
        None => Row::Done {
            time: c.elapsed,
            errors: c.messages.len(),
            findings: c
                .findings
                .iter()
                .map(|f| {
                    let detail = harness::clip(&f.detail, 300);
                    format!("{:?}: {} | {detail}", f.kind, f.signature)
                })
                .collect(),
        },
    }
}

fn probe(name: &str, full: usize, make: fn(usize) -> String) {
    if server::served() {
        return;
    }
    let mut expander = Expander::new(&server::test_path(module_path!(), name));
    let mut report = format!("probe {name}:\n");
    let sizes = [(full / 4).max(1), (full / 2).max(1), full];
    let (rows, mut failed) = curve(&mut expander, make, sizes, &mut report);
    let mut timed = rows;
    if let Some(&(n, _)) = timed.iter().find(|(_, r)| matches!(r, Row::StackOverflow)) {
        let last_fit = timed
            .iter()
            .rev()
            .find_map(|(n, r)| matches!(r, Row::Done { .. }).then_some(*n));
        let fits = largest_fitting(&mut expander, make, last_fit.unwrap_or(0), n);
        let _ = writeln!(
            report,
            "  largest size that fits the {} MiB stack: about {fits}; below it:",
            harness::EXPANSION_STACK >> 20
        );
        if fits >= 8 {
            timed = curve(&mut expander, make, [fits / 4, fits / 2, fits], &mut report).0;
        }
    }
    if let Some(why) = superlinear_after_retries(&mut expander, make, &mut timed) {
        let _ = writeln!(report, "  SUPERLINEAR: {why}");
        failed = true;
    }
    eprint!("{report}");
    assert!(!failed, "{report}");
}

/// Expands at each size (stopping at the first that dies), reporting each.
fn curve(
    expander: &mut Expander,
    make: fn(usize) -> String,
    sizes: [usize; 3],
    report: &mut String,
) -> (Vec<(usize, Row)>, bool) {
    let mut rows = Vec::new();
    let mut failed = false;
    for n in sizes {
        let row = at_size(expander, make, n);
        match &row {
            Row::Done {
                time,
                errors,
                findings,
            } => {
                let _ = writeln!(report, "  n={n:>6}: {time:>10.2?}, {errors} error(s)");
                for f in findings {
                    let _ = writeln!(report, "      FAILURE {f}");
                }
                failed |= !findings.is_empty();
            }
            Row::StackOverflow => {
                let _ = writeln!(report, "  n={n:>6}: STACK OVERFLOW");
                failed = true;
            }
            Row::Crashed(why) => {
                let _ = writeln!(report, "  n={n:>6}: CRASHED: {why}");
                failed = true;
            }
        }
        let stop = !matches!(row, Row::Done { .. });
        rows.push((n, row));
        if stop {
            break;
        }
    }
    (rows, failed)
}

/// [`superlinear`], judged again on fresh timings when it finds growth: a
/// loaded machine (CI runs the tests two at a time on two cores) can slow
/// one size by half, but a real quadratic cost shows up every time. Each
/// retry keeps, per size, the fastest time seen so far.
fn superlinear_after_retries(
    expander: &mut Expander,
    make: fn(usize) -> String,
    rows: &mut [(usize, Row)],
) -> Option<String> {
    const RETRIES: usize = 3;
    for _ in 0..RETRIES {
        superlinear(rows)?;
        for (n, row) in rows.iter_mut() {
            if let (Row::Done { time, .. }, Row::Done { time: again, .. }) =
                (&mut *row, at_size(expander, make, *n))
            {
                *time = (*time).min(again);
            }
        }
    }
    superlinear(rows)
}

/// The growth exponent between the smallest and the largest size (1 is
/// linear, 2 quadratic) may be at most 1.4 (linear code stays near 1.1 over
/// a factor of four); below 200 ms, times are too noisy to judge.
fn superlinear(rows: &[(usize, Row)]) -> Option<String> {
    let timed = |i: usize| match rows.get(i) {
        Some((n, Row::Done { time, .. })) => Some((*n, *time)),
        _ => None,
    };
    let ((n0, t0), (n2, t2)) = (timed(0)?, timed(2)?);
    let exponent =
        (t2.as_secs_f64() / t0.as_secs_f64().max(1e-6)).ln() / (n2 as f64 / n0 as f64).ln();
    (t2 > Duration::from_millis(200) && exponent > 1.4)
        .then(|| format!("time grows as n^{exponent:.2} (n={n0}: {t0:.2?}, n={n2}: {t2:.2?})"))
}

/// Bisects for the largest size in `fits..fails` that does not overflow.
fn largest_fitting(
    expander: &mut Expander,
    make: fn(usize) -> String,
    mut fits: usize,
    mut fails: usize,
) -> usize {
    for _ in 0..8 {
        if fails - fits <= (fails / 50).max(1) {
            break;
        }
        let mid = fits + (fails - fits) / 2;
        match at_size(expander, make, mid) {
            Row::Done { .. } => fits = mid,
            _ => fails = mid,
        }
    }
    fits
}
