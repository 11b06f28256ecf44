//! The checker: what a case's numbers say about `value_and_grad`.
//!
//! 1. The value must equal the plain function's bit for bit (both NaN counts
//!    as equal): the generated forward pass performs the same operations.
//! 2. The gradient must match the dual (forward-mode) oracle within
//!    `1e-9·m`, where `m` is the oracle's absolute-value derivative (the scale
//!    of the terms whose sum is the derivative). That is the hard check.
//! 3. Central differences are run too. When the steps `h` and `h/10` disagree
//!    with each other the point is not smooth there (a branch boundary, a
//!    kink) and the component is skipped; when they agree but differ from
//!    `value_and_grad` while the oracle agrees with it, the case gets a note,
//!    not a failure. When the oracle disagrees with both `value_and_grad` and
//!    differences that agree with `value_and_grad`, the oracle is suspect:
//!    that is a harness failure.

use super::support::harness::Record;

/// What became of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Pass,
    /// The value was not finite: not checked.
    NonFinite,
    /// The macro refused the body (`compile_error!`).
    Refused,
    /// rustc rejected the generated code (not a refusal).
    RustcError,
    /// The macro panicked.
    MacroPanic,
    /// rustc crashed or reported an internal error.
    Ice,
    ValueMismatch,
    GradientMismatch,
    /// The gradient disagrees with finite differences (cases without an oracle).
    GradientFdMismatch,
    /// `value_and_grad` (or its caller) panicked.
    Panic,
    /// The case killed the process (abort, stack overflow).
    Crash,
    Timeout,
    /// The harness is wrong: the plain or dual version failed, the oracle disagrees
    /// with itself or with agreeing differences, a control case went wrong.
    HarnessBug,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: &'static [Kind] = &[
        Kind::Pass,
        Kind::NonFinite,
        Kind::Refused,
        Kind::RustcError,
        Kind::MacroPanic,
        Kind::Ice,
        Kind::ValueMismatch,
        Kind::GradientMismatch,
        Kind::GradientFdMismatch,
        Kind::Panic,
        Kind::Crash,
        Kind::Timeout,
        Kind::HarnessBug,
    ];

    /// The kebab-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pass => "pass",
            Kind::NonFinite => "non-finite",
            Kind::Refused => "refused",
            Kind::RustcError => "rustc-error",
            Kind::MacroPanic => "macro-panic",
            Kind::Ice => "rustc-crash",
            Kind::ValueMismatch => "value-mismatch",
            Kind::GradientMismatch => "gradient-mismatch",
            Kind::GradientFdMismatch => "gradient-fd-mismatch",
            Kind::Panic => "panic",
            Kind::Crash => "crash",
            Kind::Timeout => "timeout",
            Kind::HarnessBug => "harness-bug",
        }
    }

    /// Whether the case failed (refusals are judged by policy elsewhere).
    pub fn is_failure(self) -> bool {
        !matches!(self, Kind::Pass | Kind::NonFinite | Kind::Refused)
    }
}

/// The verdict on one case.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub kind: Kind,
    pub detail: String,
    /// Components where differences and `value_and_grad` disagree but the oracle agrees.
    pub fd_notes: usize,
    /// Components skipped by the differences (not smooth there).
    pub fd_skipped: usize,
}

impl Outcome {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Outcome {
        Outcome {
            kind,
            detail: detail.into(),
            fd_notes: 0,
            fd_skipped: 0,
        }
    }
}

/// Relative tolerance of the oracle comparison (scaled by `m`).
pub const DUAL_RTOL: f64 = 1e-9;
/// Tolerances of the finite-difference comparisons.
pub const FD_RTOL: f64 = 1e-4;
pub const FD_ATOL: f64 = 1e-6;

fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Whether two derivative estimates agree to finite-difference accuracy
/// (the absolute part grows with the value, whose rounding the differences divide by `h`).
pub fn fd_close(a: f64, b: f64, value: f64) -> bool {
    (a - b).abs() <= FD_RTOL * a.abs().max(b.abs()) + FD_ATOL * value.abs().max(1.0)
}

/// Whether `value_and_grad`'s component agrees with the oracle's `(d, m)`.
pub fn dual_close(ad: f64, d: f64, m: f64) -> bool {
    (ad - d).abs() <= DUAL_RTOL * m.max(d.abs()) + f64::MIN_POSITIVE
}

/// Whether asking for one parameter's gradient alone changes it (to
/// rounding: the pullback skips the statements nothing asked for).
fn partial_mismatch(r: &Record, labels: &[String]) -> Option<Outcome> {
    if r.partial.is_empty() {
        return None;
    }
    if r.partial.len() != labels.len() {
        let detail = format!(
            "{} inputs but {} partial components",
            labels.len(),
            r.partial.len()
        );
        return Some(Outcome::new(Kind::HarnessBug, detail));
    }
    let (i, (g, p)) = r
        .grad
        .iter()
        .zip(&r.partial)
        .enumerate()
        .find(|(_, (g, p))| {
            !same_bits(**g, **p) && (*g - *p).abs() > 1e-12 * g.abs().max(p.abs())
        })?;
    let detail = format!(
        "the gradient for {} asked for alone is {p:e}, with every parameter's {g:e}",
        labels[i]
    );
    Some(Outcome::new(Kind::GradientMismatch, detail))
}

/// Judges one case's record. `labels` name the flattened inputs (`x`, `xs[1]`);
/// `exact_dual` says the oracle's value must equal the plain value bit for bit
/// (scalar bodies; tensor sums may add in another order).
pub fn check(r: &Record, labels: &[String], exact_dual: bool) -> Outcome {
    if !r.plain.is_finite() {
        return Outcome::new(Kind::NonFinite, format!("f returned {}", r.plain));
    }
    if !same_bits(r.value, r.plain) {
        let detail = format!(
            "value_and_grad's value {:e} ({:#018x}) but f returned {:e} ({:#018x})",
            r.value,
            r.value.to_bits(),
            r.plain,
            r.plain.to_bits()
        );
        return Outcome::new(Kind::ValueMismatch, detail);
    }
    let n = labels.len();
    if r.grad.len() != n || r.fd.len() != n || r.fd_fine.len() != n {
        return Outcome::new(
            Kind::HarnessBug,
            format!("{} inputs but {} gradient components", n, r.grad.len()),
        );
    }
    if let Some(bad) = partial_mismatch(r, labels) {
        return bad;
    }
    let has_dual = r.dual_value.is_some();
    if let Some(dv) = r.dual_value {
        let ok = if exact_dual {
            same_bits(dv, r.plain)
        } else {
            (dv - r.plain).abs() <= 1e-9 * r.plain.abs().max(1.0)
        };
        if !ok || r.dual.len() != n || r.dual_scale.len() != n {
            return Outcome::new(
                Kind::HarnessBug,
                format!("the dual version computed {dv:e}, f {:e}", r.plain),
            );
        }
    }
    let mut out = Outcome::new(Kind::Pass, "");
    for (i, label) in labels.iter().enumerate() {
        let (ad, f1, f2) = (r.grad[i], r.fd[i], r.fd_fine[i]);
        let smooth = f1.is_finite() && f2.is_finite() && fd_close(f1, f2, r.plain);
        let fd_agrees = |g: f64| smooth && (fd_close(g, f1, r.plain) || fd_close(g, f2, r.plain));
        if !smooth {
            out.fd_skipped += 1;
        }
        let describe = |what: &str| {
            let oracle = if has_dual {
                format!(", dual {:e} (scale {:e})", r.dual[i], r.dual_scale[i])
            } else {
                String::new()
            };
            format!("{what} for {}: value_and_grad {ad:e}{oracle}, differences {f1:e} (h) / {f2:e} (h/10)", label)
        };
        if has_dual {
            let (d, m) = (r.dual[i], r.dual_scale[i]);
            if !d.is_finite() {
                out.fd_skipped += 1;
                continue;
            }
            if !dual_close(ad, d, m) {
                let kind = if fd_agrees(ad) && !fd_agrees(d) {
                    Kind::HarnessBug
                } else {
                    Kind::GradientMismatch
                };
                let what = if kind == Kind::HarnessBug {
                    "the oracle disagrees with agreeing differences"
                } else {
                    "wrong gradient"
                };
                return Outcome {
                    kind,
                    detail: describe(what),
                    ..out
                };
            }
            if smooth && !fd_agrees(ad) {
                out.fd_notes += 1;
                if out.detail.is_empty() {
                    out.detail = describe("differences disagree (oracle agrees)");
                }
            }
        } else if smooth && !fd_agrees(ad) {
            return Outcome {
                kind: Kind::GradientFdMismatch,
                detail: describe("wrong gradient"),
                ..out
            };
        }
    }
    out
}

/// The names of a case's flattened differentiated inputs.
pub fn labels(case: &super::ast::Case) -> Vec<String> {
    use super::ast::Param;
    let mut out = Vec::new();
    for p in &case.params {
        match p {
            Param::F64 {
                name,
                no_grad: false,
                ..
            } => out.push(name.clone()),
            Param::Slice {
                name,
                no_grad: false,
                values,
            }
            | Param::Tensor { name, values } => {
                out.extend((0..values.len()).map(|i| format!("{name}[{i}]")));
            }
            _ => {}
        }
    }
    out
}
