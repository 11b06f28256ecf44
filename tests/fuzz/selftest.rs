//! Self-tests of the harness that need no rustc: the checker on known-good
//! and deliberately wrong numbers, the line format, the diagnostics parser,
//! and the generator's determinism and coverage.

use super::ast::{Case, Construct};
use super::builder::{case_outcome, classify, diagnostics};
use super::check::{check, labels, Kind};
use super::print::CaseFile;
use super::support::dual::{dc, Dual};
use super::support::harness::{evaluate, evaluate_needs, parse_line, Line, Record};
use super::{gen, print, shrink};
use std::collections::BTreeSet;

fn plain(v: &[f64]) -> f64 {
    let (x, y) = (v[0], v[1]);
    (x * y).sin() + x / (1.0 + y * y)
}

fn dual(v: &[Dual]) -> Dual {
    let (x, y) = (v[0], v[1]);
    (x * y).sin() + x / (dc(1.0) + y * y)
}

/// The hand-derived gradient: ∂x = y cos(xy) + 1/(1 + y²), ∂y = x cos(xy) − 2xy/(1 + y²)².
fn ad(v: &[f64]) -> (f64, Vec<f64>) {
    let (x, y) = (v[0], v[1]);
    let q = 1.0 + y * y;
    (
        plain(v),
        vec![
            y * (x * y).cos() + 1.0 / q,
            x * (x * y).cos() - 2.0 * x * y / (q * q),
        ],
    )
}

fn record(line: Line) -> Record {
    match line {
        Line::Done(_, r) => r,
        other => panic!("expected a result, got {other:?}"),
    }
}

fn names() -> Vec<String> {
    vec!["x".to_string(), "y".to_string()]
}

/// A known-good gradient passes; a wrong gradient, a wrong oracle and a wrong value fail.
pub fn checker_verdicts() {
    let x = [0.7, -0.3];
    let good = record(evaluate(1, &x, &plain, &ad, Some(&dual)));
    assert_eq!(
        check(&good, &names(), true).kind,
        Kind::Pass,
        "{:?}",
        check(&good, &names(), true)
    );

    let wrong_grad = |v: &[f64]| {
        let (val, mut g) = ad(v);
        g[1] += 1e-3;
        (val, g)
    };
    let r = record(evaluate(1, &x, &plain, &wrong_grad, Some(&dual)));
    assert_eq!(check(&r, &names(), true).kind, Kind::GradientMismatch);

    let tiny = |v: &[f64]| {
        let (val, mut g) = ad(v);
        g[0] *= 1.0 + 1e-7;
        (val, g)
    };
    let r = record(evaluate(1, &x, &plain, &tiny, Some(&dual)));
    assert_eq!(
        check(&r, &names(), true).kind,
        Kind::GradientMismatch,
        "the oracle is tight: 1e-7 relative is caught"
    );

    let wrong_oracle = |v: &[Dual]| {
        let mut r = dual(v);
        r.d += 1e-3 * v[0].d;
        r
    };
    let r = record(evaluate(1, &x, &plain, &ad, Some(&wrong_oracle)));
    assert_eq!(
        check(&r, &names(), true).kind,
        Kind::HarnessBug,
        "a wrong oracle is the harness's failure"
    );

    let wrong_value = |v: &[f64]| {
        let (val, g) = ad(v);
        (f64::from_bits(val.to_bits() + 1), g)
    };
    let r = record(evaluate(1, &x, &plain, &wrong_value, Some(&dual)));
    assert_eq!(
        check(&r, &names(), true).kind,
        Kind::ValueMismatch,
        "one ulp off is a wrong value"
    );

    let alone = |v: &[f64]| ad(v).1;
    let r = record(evaluate_needs(
        1,
        &x,
        &plain,
        &ad,
        Some(&alone),
        Some(&dual),
    ));
    assert_eq!(check(&r, &names(), true).kind, Kind::Pass);
    let leaky = |v: &[f64]| {
        let mut g = ad(v).1;
        g[0] += 0.5;
        g
    };
    let r = record(evaluate_needs(
        1,
        &x,
        &plain,
        &ad,
        Some(&leaky),
        Some(&dual),
    ));
    assert_eq!(
        check(&r, &names(), true).kind,
        Kind::GradientMismatch,
        "a gradient that changes when asked for alone is wrong"
    );

    let no_oracle = record(evaluate(1, &x, &plain, &wrong_grad, None));
    assert_eq!(
        check(&no_oracle, &names(), true).kind,
        Kind::GradientFdMismatch,
        "differences alone catch it too"
    );

    let nan = |_: &[f64]| f64::NAN;
    let r = record(evaluate(
        1,
        &x,
        &nan,
        &|_: &[f64]| (f64::NAN, vec![0.0, 0.0]),
        None,
    ));
    assert_eq!(check(&r, &names(), true).kind, Kind::NonFinite);
}

/// At a kink the two steps disagree and the component is skipped, not reported.
pub fn checker_skips_kinks() {
    let kink = |v: &[f64]| (v[0] - 0.3).abs();
    let kink_dual = |v: &[Dual]| (v[0] - dc(0.3)).abs();
    let grad = |v: &[f64]| (kink(v), vec![1.0]);
    let x = [0.3 + 1e-8];
    let r = record(evaluate(1, &x, &kink, &grad, Some(&kink_dual)));
    let o = check(&r, &["x".to_string()], true);
    assert_eq!((o.kind, o.fd_skipped), (Kind::Pass, 1), "{o:?}");
}

/// Panics name their stage; lines survive printing and parsing.
pub fn harness_lines() {
    let boom = |_: &[f64]| -> (f64, Vec<f64>) { panic!("boom") };
    match evaluate(7, &[0.5, 0.5], &plain, &boom, Some(&dual)) {
        Line::Panic(7, stage, msg) => {
            assert_eq!(stage, "value_and_grad");
            assert!(msg.contains("boom"), "{msg}");
        }
        other => panic!("expected a panic line, got {other:?}"),
    }
    let line = evaluate(3, &[0.7, -0.3], &plain, &ad, Some(&dual));
    assert_eq!(parse_line(&line.to_line()), Some(line));
    let alone = |v: &[f64]| ad(v).1;
    let line = evaluate_needs(3, &[0.7, -0.3], &plain, &ad, Some(&alone), Some(&dual));
    assert_eq!(parse_line(&line.to_line()), Some(line));
    let panic_line = Line::Panic(4, "finite differences".into(), "at a.rs:1:2:\nmsg".into());
    assert!(
        matches!(parse_line(&panic_line.to_line()), Some(Line::Panic(4, s, _)) if s == "finite differences")
    );
    assert_eq!(parse_line("start 12"), Some(Line::Start(12)));
    assert_eq!(parse_line("garbage"), None);
}

/// rustc's output is split per error, mapped to cases and classified.
pub fn diagnostics_are_classified() {
    let stderr = "   Compiling autograd_fuzz_cases v0.0.0\n\
error: loop labels are not supported in a #[differentiable] function; restructure\n  --> src/case_00003.rs:12:5\n   |\n12 |     'outer: for i in 0..3 {\n\n\
error[E0308]: mismatched types\n   --> src/case_00007.rs:20:9\n    |\n\n\
error: proc macro panicked\n  --> src/case_00008.rs:9:1\n   = help: message: oops\n\n\
error[E0425]: cannot find value `z` in this scope\n  --> src/case_00007.rs:40:9\n\n\
warning: unused variable\n  --> src/case_00001.rs:3:3\n\n\
error: could not compile `autograd_fuzz_cases` (bin \"autograd_fuzz_cases\") due to 3 previous errors\n";
    let d = diagnostics(stderr);
    assert_eq!(d.len(), 4, "{d:#?}");
    assert_eq!(d[0].at, Some((3, 12)));
    assert_eq!(classify(&d[0]), Kind::Refused);
    assert_eq!(classify(&d[1]), Kind::RustcError);
    assert_eq!(classify(&d[2]), Kind::MacroPanic);
    let file = CaseFile {
        text: String::new(),
        function: (10, 30),
        dual: (32, 50),
        plain: (52, 70),
    };
    assert_eq!(case_outcome(&file, &[&d[1]]).kind, Kind::RustcError);
    assert_eq!(
        case_outcome(&file, &[&d[1], &d[3]]).kind,
        Kind::HarnessBug,
        "an error in the dual version is the generator's"
    );
    assert_eq!(case_outcome(&file, &[&d[0]]).kind, Kind::Refused);
}

/// The generator is deterministic, prints balanced code, and produces every construct.
pub fn generator_coverage() {
    let config = gen::GenConfig::default();
    let mut seen: BTreeSet<Construct> = BTreeSet::new();
    let mut stmts = 0;
    for id in 0..800 {
        let case: Case = gen::generate(&config, 42, id);
        let text = print::case_file(&case).text;
        assert_eq!(
            text,
            print::case_file(&gen::generate(&config, 42, id)).text,
            "case {id} is not deterministic"
        );
        let opens = text.matches('{').count();
        assert_eq!(
            opens,
            text.matches('}').count(),
            "unbalanced braces in case {id}:\n{text}"
        );
        assert!(
            !labels(&case).is_empty(),
            "case {id} has no differentiated input"
        );
        assert_eq!(
            super::scope::problem(&case),
            None,
            "case {id} fails the scope check:\n{text}"
        );
        seen.extend(case.constructs.iter().copied());
        stmts += print::function(&case, print::Mode::Plain).lines().count();
    }
    let missing: Vec<String> = Construct::ALL
        .iter()
        .filter(|c| !seen.contains(c))
        .map(|c| c.name())
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
    assert!(
        stmts / 800 >= 8,
        "bodies are too small: {} lines on average",
        stmts / 800
    );
    let mut disabled = gen::GenConfig::default();
    disabled.disabled.insert(Construct::LabelledLoop);
    disabled.disabled.insert(Construct::Tensor);
    disabled.disabled.insert(Construct::DestructuringAssign);
    disabled.disabled.insert(Construct::LabelledBlock);
    for id in 0..200 {
        let case = gen::generate(&disabled, 7, id);
        let off = [
            Construct::LabelledLoop,
            Construct::Tensor,
            Construct::DestructuringAssign,
            Construct::LabelledBlock,
        ];
        assert!(
            off.iter().all(|c| !case.constructs.contains(c)),
            "case {id} has a disabled construct"
        );
    }
    // Each tuple and array construct (from `TupleValue` on) can be switched off on its own.
    let first = Construct::ALL
        .iter()
        .position(|c| *c == Construct::TupleValue)
        .expect("TupleValue");
    for &c in &Construct::ALL[first..] {
        let mut one = gen::GenConfig::default();
        one.disabled.insert(c);
        for id in 0..40 {
            let case = gen::generate(&one, 11, id);
            assert!(
                !case.constructs.contains(&c),
                "case {id} has {}, which is disabled",
                c.name()
            );
        }
    }
}

/// Every shrink candidate is smaller than the case it comes from.
pub fn shrink_candidates() {
    let config = gen::GenConfig::default();
    for id in 0..40 {
        let case = gen::generate(&config, 3, id);
        let size = print::function(&case, print::Mode::Plain).len();
        assert!(
            super::scope::plausible(&case),
            "generated case {id} fails the scope check:\n{}",
            print::function(&case, print::Mode::Plain)
        );
        let cands = shrink::candidates(&case);
        assert!(!cands.is_empty(), "case {id} has no shrink candidate");
        assert!(cands
            .iter()
            .all(|c| print::function(c, print::Mode::Plain).len() < size));
    }
}

/// Whether every `loop` in `b` still has its counter check (so it terminates).
fn loops_bounded(b: &super::ast::Block) -> bool {
    use super::ast::{Expr, Stmt};
    let expr_ok = |e: &Expr| match e {
        Expr::If(_, then, els) => {
            loops_bounded(then)
                && els.as_ref().is_none_or(|e| {
                    matches!(&**e, Expr::Else(b) if loops_bounded(b))
                        || matches!(&**e, Expr::If(..))
                })
        }
        Expr::Block(b) | Expr::Labelled(_, b) => loops_bounded(b),
        _ => true,
    };
    b.stmts.iter().all(|s| match s {
        Stmt::Loop { body, .. } => {
            body.stmts.iter().any(shrink::bounds_a_loop) && loops_bounded(body)
        }
        Stmt::For { body, .. } | Stmt::While { body, .. } => loops_bounded(body),
        Stmt::Expr(e) => expr_ok(e),
        _ => true,
    })
}

/// No shrink candidate loses the counter that keeps a `loop` finite.
pub fn shrink_keeps_loops_finite() {
    let config = gen::GenConfig::default();
    let mut checked = 0;
    for id in 0..400 {
        let case = gen::generate(&config, 9, id);
        if !case.constructs.contains(&Construct::Loop) || !loops_bounded(&case.body) {
            continue;
        }
        for c in shrink::candidates(&case) {
            assert!(
                loops_bounded(&c.body),
                "a candidate of case {id} can loop forever:\n{}",
                print::function(&c, print::Mode::Plain)
            );
        }
        checked += 1;
        if checked == 10 {
            break;
        }
    }
    assert!(checked > 0, "no generated case has a loop");
}

/// The oracle's `max` and `min` follow `f64`'s: a NaN side is not selected
/// and gets no gradient; a tie splits it.
pub fn dual_selects_as_f64() {
    use super::support::dual::dvar;
    let (nan, x) = (dvar(f64::NAN, 1.0), dvar(2.0, 3.0));
    for r in [nan.max(x), x.max(nan), nan.min(x), x.min(nan)] {
        assert_eq!((r.v, r.d), (2.0, 3.0));
    }
    let tie = dvar(2.0, 1.0).max(x);
    assert_eq!((tie.v, tie.d), (2.0, 2.0));
}
