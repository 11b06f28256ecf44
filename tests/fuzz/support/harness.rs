//! What every generated case runs, and the line format it reports in.
//!
//! Compiled twice, like `dual.rs`: into each generated crate (which calls
//! [`evaluate`] and [`main`]) and into the fuzz test (which calls
//! [`parse_line`] on the crate's output), so the writer and the reader of a
//! line are one piece of code.
//!
//! One case: the plain function, `value_and_grad`, the dual version once per
//! input direction, and central differences at two steps, each stage under
//! `catch_unwind` so a panic names its stage. Floats travel as the hex of
//! their bits, so the checker sees exactly what the case computed.
#![allow(dead_code)]

use super::dual::{dvar, Dual};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

/// What one case computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// `f(args)`.
    pub plain: f64,
    /// The value `f::value_and_grad(args)` returned.
    pub value: f64,
    /// Its gradient, flattened in parameter order.
    pub grad: Vec<f64>,
    /// Each parameter's gradient from the pullback asked for that parameter
    /// alone, flattened like `grad` (empty when the case does not check it).
    pub partial: Vec<f64>,
    /// The dual version's value, if the case has one.
    pub dual_value: Option<f64>,
    /// The dual version's derivative along each input (empty without one).
    pub dual: Vec<f64>,
    /// Its absolute-value twin `m` along each input (the tolerance scale).
    pub dual_scale: Vec<f64>,
    /// Central differences with step `h = 1e-6·max(1, |xᵢ|)`.
    pub fd: Vec<f64>,
    /// The same with step `h / 10`.
    pub fd_fine: Vec<f64>,
}

/// One line of a generated crate's output.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// `start <id>`: printed before a case runs, so a crash names its case.
    Start(usize),
    /// `done <id> ...`: the case ran to the end.
    Done(usize, Record),
    /// `panic <id> <stage> <message>`: a stage panicked.
    Panic(usize, String, String),
}

/// The message of the last panic, taken by the hook (the payload loses the location).
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn stage<T>(name: &str, f: impl FnOnce() -> T) -> Result<T, (String, String)> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let hooked = LAST_PANIC.lock().ok().and_then(|mut m| m.take());
        let from_payload = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        (
            name.to_string(),
            hooked
                .or(from_payload)
                .unwrap_or_else(|| "(no message)".to_string()),
        )
    })
}

/// Central differences of `f` at `x` along every input, with steps `h` and `h/10`.
pub fn central_differences(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let at = |i: usize, h: f64| {
        let mut p = x.to_vec();
        let mut m = x.to_vec();
        p[i] = x[i] + h;
        m[i] = x[i] - h;
        // Divide by the step actually taken after rounding.
        (f(&p) - f(&m)) / (p[i] - m[i])
    };
    let steps: Vec<f64> = x.iter().map(|v| 1e-6 * v.abs().max(1.0)).collect();
    let coarse = (0..x.len()).map(|i| at(i, steps[i])).collect();
    let fine = (0..x.len()).map(|i| at(i, steps[i] / 10.0)).collect();
    (coarse, fine)
}

/// The dual version run once per input direction: its value and `(d, m)` per input.
pub fn dual_gradient(f: &dyn Fn(&[Dual]) -> Dual, x: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let mut value = f64::NAN;
    let (mut d, mut m) = (Vec::new(), Vec::new());
    for i in 0..x.len() {
        let seeded: Vec<Dual> = x
            .iter()
            .enumerate()
            .map(|(j, &v)| dvar(v, if i == j { 1.0 } else { 0.0 }))
            .collect();
        super::dual::DROPPED_INFINITE.with(|f| f.set(false));
        let out = f(&seeded);
        value = out.v;
        // An infinite derivative a selection dropped: reverse mode's NaN
        // there is PyTorch's too, and the oracle says nothing (NaN: skipped).
        let dropped = super::dual::DROPPED_INFINITE.with(|f| f.get());
        d.push(if dropped { f64::NAN } else { out.d });
        m.push(out.m);
    }
    if x.is_empty() {
        value = f(&[]).v;
    }
    (value, d, m)
}

/// `value_and_grad` at flattened inputs: the value and the flattened gradient.
pub type AdFn<'a> = &'a dyn Fn(&[f64]) -> (f64, Vec<f64>);

/// A dual version, if the case has one.
pub type DualFn<'a> = Option<&'a dyn Fn(&[Dual]) -> Dual>;

/// The gradient asked for one parameter at a time, flattened.
pub type PartialFn<'a> = Option<&'a dyn Fn(&[f64]) -> Vec<f64>>;

/// Runs every stage of one case at the flattened differentiated inputs `x`.
pub fn evaluate(
    id: usize,
    x: &[f64],
    plain: &dyn Fn(&[f64]) -> f64,
    ad: AdFn<'_>,
    dual: DualFn<'_>,
) -> Line {
    evaluate_needs(id, x, plain, ad, None, dual)
}

/// [`evaluate`], also asking the pullback for one parameter's gradient at a time.
pub fn evaluate_needs(
    id: usize,
    x: &[f64],
    plain: &dyn Fn(&[f64]) -> f64,
    ad: AdFn<'_>,
    partial: PartialFn<'_>,
    dual: DualFn<'_>,
) -> Line {
    let run = || -> Result<Record, (String, String)> {
        let plain_value = stage("plain", || plain(x))?;
        let (value, grad) = stage("value_and_grad", || ad(x))?;
        let partial = match partial {
            Some(f) => stage("value_and_grad", || f(x))?,
            None => Vec::new(),
        };
        let (dual_value, dual_d, dual_m) = match dual {
            Some(f) => {
                let (v, d, m) = stage("dual", || dual_gradient(f, x))?;
                (Some(v), d, m)
            }
            None => (None, Vec::new(), Vec::new()),
        };
        let (fd, fd_fine) = stage("finite differences", || central_differences(plain, x))?;
        Ok(Record {
            plain: plain_value,
            value,
            grad,
            partial,
            dual_value,
            dual: dual_d,
            dual_scale: dual_m,
            fd,
            fd_fine,
        })
    };
    match run() {
        Ok(r) => Line::Done(id, r),
        Err((stage, msg)) => Line::Panic(id, stage, msg),
    }
}

fn hex(v: f64) -> String {
    format!("{:016x}", v.to_bits())
}

fn hexes(v: &[f64]) -> String {
    if v.is_empty() {
        "-".to_string()
    } else {
        v.iter().map(|&x| hex(x)).collect::<Vec<_>>().join(",")
    }
}

fn unhex(s: &str) -> Option<f64> {
    u64::from_str_radix(s, 16).ok().map(f64::from_bits)
}

fn unhexes(s: &str) -> Option<Vec<f64>> {
    if s == "-" {
        return Some(Vec::new());
    }
    s.split(',').map(unhex).collect()
}

impl Line {
    /// The line as printed (one line, no newline).
    pub fn to_line(&self) -> String {
        match self {
            Line::Start(id) => format!("start {id}"),
            Line::Done(id, r) => format!(
                "done {id} plain={} value={} grad={} partial={} dualv={} dual={} dualm={} fd={} fdfine={}",
                hex(r.plain),
                hex(r.value),
                hexes(&r.grad),
                hexes(&r.partial),
                r.dual_value.map_or("-".to_string(), hex),
                hexes(&r.dual),
                hexes(&r.dual_scale),
                hexes(&r.fd),
                hexes(&r.fd_fine)
            ),
            Line::Panic(id, stage, msg) => {
                format!(
                    "panic {id} {} {}",
                    stage.replace(' ', "_"),
                    msg.replace('\n', " | ")
                )
            }
        }
    }
}

/// Reads a line printed by [`Line::to_line`]; `None` for anything else.
pub fn parse_line(line: &str) -> Option<Line> {
    let mut words = line.splitn(4, ' ');
    let kind = words.next()?;
    let id: usize = words.next()?.parse().ok()?;
    match kind {
        "start" => Some(Line::Start(id)),
        "panic" => {
            let stage = words.next()?.replace('_', " ");
            Some(Line::Panic(
                id,
                stage,
                words.next().unwrap_or("").to_string(),
            ))
        }
        "done" => {
            let rest = format!("{} {}", words.next()?, words.next()?);
            let field = |name: &str| {
                rest.split(' ')
                    .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            };
            let dual_value = match field("dualv")? {
                "-" => None,
                v => Some(unhex(v)?),
            };
            Some(Line::Done(
                id,
                Record {
                    plain: unhex(field("plain")?)?,
                    value: unhex(field("value")?)?,
                    grad: unhexes(field("grad")?)?,
                    partial: unhexes(field("partial")?)?,
                    dual_value,
                    dual: unhexes(field("dual")?)?,
                    dual_scale: unhexes(field("dualm")?)?,
                    fd: unhexes(field("fd")?)?,
                    fd_fine: unhexes(field("fdfine")?)?,
                },
            ))
        }
        _ => None,
    }
}

/// One generated case: its id and the function that runs it.
pub type CaseFn = (usize, fn() -> Line);

/// The generated crate's `main`: runs the cases from the index given as the
/// first argument (0 by default), printing `start` and a result line for each.
pub fn main(cases: &[CaseFn]) {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut m) = LAST_PANIC.lock() {
            *m = Some(info.to_string());
        }
    }));
    let from: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let out = std::io::stdout();
    let mut out = out.lock();
    for &(id, run) in cases.iter().skip(from) {
        let _ = writeln!(out, "{}", Line::Start(id).to_line());
        let _ = out.flush();
        let line = run();
        let _ = writeln!(out, "{}", line.to_line());
        let _ = out.flush();
    }
}
