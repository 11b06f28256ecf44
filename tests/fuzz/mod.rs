//! A differential fuzzer for `#[differentiable]`: random bodies, compiled
//! into generated crates, each checked against the plain function (values,
//! bit for bit), a forward-mode dual-number oracle and finite differences.
//!
//! Modules: `rng` (deterministic PRNG), `ast` (the programs), `gen` (the
//! generator), `print` (Rust text, plain and dual), `builder` (crate writer,
//! builder and runner), `check` (the checker), `shrink` (reduces a failing
//! case), `report` (counts and examples), `support` (code shared with the
//! generated crates: the dual numbers and the per-case harness).

pub mod ast;
pub mod builder;
pub mod check;
pub mod gen;
pub mod print;
pub mod report;
pub mod rng;
pub mod scope;
pub mod selftest;
pub mod shrink;

/// Code compiled both here and into every generated crate.
pub mod support {
    pub mod dual;
    pub mod harness;
}

use ast::{Case, Construct, Param, Ret};
use builder::{BatchResult, Unit, Workspace};
use check::{Kind, Outcome};
use gen::GenConfig;
use print::Tamper;
use report::Summary;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use support::harness::Line;

/// Cases in a default run (fixed seed): keeps the whole test, building the
/// generated crates from scratch included, within about four minutes on a
/// 2-core machine.
pub const DEFAULT_CASES: usize = 400;
/// The default seed.
pub const DEFAULT_SEED: u64 = 0x5eed_2024;
/// Ids of the control cases (appended to every batch).
pub const CONTROL_BASE: usize = 90_000_000;

/// Which refusals do not fail the run.
#[derive(Clone, Debug, PartialEq)]
pub enum AllowRefused {
    None,
    All,
    /// Cases containing any of these constructs.
    Constructs(BTreeSet<Construct>),
}

/// A run's settings, from the environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub cases: usize,
    pub seed: u64,
    pub batch: usize,
    pub jobs: usize,
    pub keep: Option<PathBuf>,
    pub shrink: usize,
    /// Seconds one shrink may take.
    pub shrink_secs: f64,
    pub allow_refused: AllowRefused,
    pub only: Option<Vec<usize>>,
    /// Say more about what the shrinker tries (`AUTOGRAD_FUZZ_VERBOSE`).
    pub verbose: bool,
    pub gen: GenConfig,
    pub autograd: PathBuf,
    pub work: PathBuf,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn constructs(list: &str) -> Result<BTreeSet<Construct>, String> {
    list.split(',')
        .map(|n| {
            Construct::parse(n).ok_or_else(|| {
                format!(
                    "unknown construct {n:?}; known: {}",
                    Construct::ALL
                        .iter()
                        .map(|c| c.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect()
}

impl Config {
    /// Reads `AUTOGRAD_FUZZ_*` (see `tests/differential_fuzz.rs`).
    pub fn from_env() -> Result<Config, String> {
        let num = |name: &str, default: usize| -> Result<usize, String> {
            env(name).map_or(Ok(default), |v| {
                v.trim()
                    .replace('_', "")
                    .parse()
                    .map_err(|e| format!("{name}={v}: {e}"))
            })
        };
        let share = |name: &str, default: f64| -> Result<f64, String> {
            env(name).map_or(Ok(default), |v| {
                v.trim().parse().map_err(|e| format!("{name}={v}: {e}"))
            })
        };
        let defaults = GenConfig::default();
        let seed = match env("AUTOGRAD_FUZZ_SEED") {
            None => DEFAULT_SEED,
            Some(v) => {
                let v = v.trim();
                let parsed = match v.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => v.parse(),
                };
                parsed.map_err(|e| format!("AUTOGRAD_FUZZ_SEED={v}: {e}"))?
            }
        };
        let allow_refused = match env("AUTOGRAD_FUZZ_ALLOW_REFUSED").as_deref() {
            None | Some("0") | Some("none") => AllowRefused::None,
            Some("1") | Some("all") => AllowRefused::All,
            Some(list) => AllowRefused::Constructs(constructs(list)?),
        };
        let disabled =
            env("AUTOGRAD_FUZZ_DISABLE").map_or(Ok(BTreeSet::new()), |l| constructs(&l))?;
        let only = match env("AUTOGRAD_FUZZ_ONLY") {
            None => None,
            Some(l) => Some(
                l.split(',')
                    .map(|v| {
                        v.trim()
                            .parse()
                            .map_err(|e| format!("AUTOGRAD_FUZZ_ONLY: {e}"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let autograd = env("AUTOGRAD_FUZZ_CRATE").map_or(manifest.clone(), PathBuf::from);
        let target = env("CARGO_TARGET_DIR").map_or(manifest.join("target"), PathBuf::from);
        let jobs = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2);
        Ok(Config {
            cases: num("AUTOGRAD_FUZZ_CASES", DEFAULT_CASES)?,
            seed,
            batch: num("AUTOGRAD_FUZZ_BATCH", 50)?.max(1),
            jobs: num("AUTOGRAD_FUZZ_JOBS", jobs)?.max(1),
            keep: env("AUTOGRAD_FUZZ_KEEP").map(PathBuf::from),
            shrink: num("AUTOGRAD_FUZZ_SHRINK", 0)?,
            shrink_secs: num("AUTOGRAD_FUZZ_SHRINK_SECS", 240)? as f64,
            allow_refused,
            only,
            verbose: env("AUTOGRAD_FUZZ_VERBOSE").is_some(),
            gen: GenConfig {
                disabled,
                tensor_share: share("AUTOGRAD_FUZZ_TENSOR_SHARE", defaults.tensor_share)?,
                straight_share: share("AUTOGRAD_FUZZ_STRAIGHT_SHARE", defaults.straight_share)?,
            },
            autograd: std::fs::canonicalize(&autograd).unwrap_or(autograd),
            work: target.join("fuzz"),
        })
    }

    /// The workspace of worker `k`.
    pub fn workspace(&self, k: usize) -> Workspace {
        Workspace {
            autograd: self.autograd.clone(),
            dir: self.work.join(format!("w{k}")),
            target: self.work.join(format!("target-{k}")),
            cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()),
            run_timeout: 60.0,
        }
    }

    /// Whether a refusal of `case` is allowed.
    pub fn refusal_allowed(&self, case: &Case) -> bool {
        match &self.allow_refused {
            AllowRefused::None => false,
            AllowRefused::All => true,
            AllowRefused::Constructs(set) => case.constructs.iter().any(|c| set.contains(c)),
        }
    }
}

/// The known-good control case: straight-line code every version handles.
pub fn control_case(id: usize) -> Case {
    use ast::{BinOp, Block, Expr, Pat, Stmt};
    let a = Expr::bin(BinOp::Mul, Expr::var("x"), Expr::var("y"));
    let denom = Expr::bin(
        BinOp::Add,
        Expr::lit(1.0),
        Expr::bin(BinOp::Mul, Expr::var("y"), Expr::var("y")),
    );
    let tail = Expr::bin(
        BinOp::Add,
        Expr::method(Expr::var("a"), "sin", vec![]),
        Expr::bin(BinOp::Div, Expr::var("x"), denom),
    );
    let body = Block::with_tail(
        vec![Stmt::Let {
            pat: Pat::Ident {
                name: "a".into(),
                mutable: false,
            },
            ty: None,
            init: Some(a),
        }],
        tail,
    );
    Case {
        id,
        params: vec![
            Param::F64 {
                name: "x".into(),
                no_grad: false,
                value: 0.7,
            },
            Param::F64 {
                name: "y".into(),
                no_grad: false,
                value: -0.3,
            },
        ],
        ret: Ret::F64,
        consts: Vec::new(),
        body,
        helpers: Vec::new(),
        constructs: BTreeSet::new(),
    }
}

/// The control cases and the outcome each must have.
pub fn controls() -> Vec<(Unit, Case, Kind)> {
    [
        (Tamper::None, Kind::Pass),
        (Tamper::Gradient, Kind::GradientMismatch),
        (Tamper::Oracle, Kind::HarnessBug),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, (tamper, expected))| {
        let case = control_case(CONTROL_BASE + k);
        (
            Unit {
                id: case.id,
                file: print::case_file_with(&case, tamper),
            },
            case,
            expected,
        )
    })
    .collect()
}

/// The outcome of a case from what its batch produced.
pub fn judge(case: &Case, result: Option<&Result<Line, Outcome>>) -> Outcome {
    match result {
        None => Outcome::new(Kind::HarnessBug, "the batch produced nothing for this case"),
        Some(Err(o)) => o.clone(),
        Some(Ok(Line::Done(_, record))) => {
            check::check(record, &check::labels(case), case.ret == Ret::F64)
        }
        Some(Ok(Line::Panic(_, stage, msg))) if stage == "value_and_grad" => {
            Outcome::new(Kind::Panic, msg.clone())
        }
        Some(Ok(Line::Panic(_, stage, msg))) => Outcome::new(
            Kind::HarnessBug,
            format!("the {stage} stage panicked: {msg}"),
        ),
        Some(Ok(Line::Start(_))) => Outcome::new(Kind::HarnessBug, "only a start line"),
    }
}

/// Builds, runs and checks one batch of generated cases (plus the controls).
fn run_batch(
    config: &Config,
    ws: &Workspace,
    ids: &[usize],
    summary: &Mutex<Summary>,
) -> Result<(), String> {
    let cases: Vec<Case> = ids
        .iter()
        .map(|&id| gen::generate(&config.gen, config.seed, id))
        .collect();
    let mut units: Vec<Unit> = cases
        .iter()
        .map(|c| Unit {
            id: c.id,
            file: print::case_file(c),
        })
        .collect();
    let controls = controls();
    units.extend(controls.iter().map(|c| c.0.clone()));
    let result: BatchResult = ws.run_batch(&units)?;
    let mut s = summary
        .lock()
        .map_err(|_| "a worker panicked".to_string())?;
    for (unit, case, expected) in &controls {
        let got = judge(case, result.results.get(&unit.id));
        if got.kind != *expected {
            s.harness_errors.push(format!(
                "control case {} (expects {}) got {}: {}",
                unit.id,
                expected.name(),
                got.kind.name(),
                got.detail
            ));
        }
    }
    for case in &cases {
        let outcome = judge(case, result.results.get(&case.id));
        let compiled = !matches!(result.results.get(&case.id), Some(Err(_)) | None)
            || matches!(outcome.kind, Kind::Crash | Kind::Timeout);
        let allowed = outcome.kind == Kind::Refused && config.refusal_allowed(case);
        s.record(case, &outcome, compiled, allowed);
        if let Some(dir) = &config.keep {
            if outcome.kind != Kind::Pass && outcome.kind != Kind::NonFinite {
                report::keep_case(dir, case, &outcome);
            }
        }
    }
    s.batches += 1;
    s.build_secs += result.build_secs;
    s.run_secs += result.run_secs;
    s.builds += result.builds;
    eprintln!(
        "{}",
        s.progress(config.cases, result.build_secs, result.builds)
    );
    if let Some(dir) = &config.keep {
        report::keep_batch(dir, &ws.dir, ids[0]);
    }
    Ok(())
}

/// Runs the whole fuzz campaign; the summary says what it found.
pub fn run(config: &Config) -> Summary {
    let ids: Vec<usize> = config
        .only
        .clone()
        .unwrap_or_else(|| (0..config.cases).collect());
    let batches: Vec<Vec<usize>> = ids.chunks(config.batch).map(|c| c.to_vec()).collect();
    let summary = Mutex::new(Summary::new(config.seed));
    let next = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let jobs = config.jobs.min(batches.len()).max(1);
    std::thread::scope(|scope| {
        for k in 0..jobs {
            let (summary, next, batches) = (&summary, &next, &batches);
            scope.spawn(move || {
                let ws = config.workspace(k);
                loop {
                    let b = next.fetch_add(1, Ordering::SeqCst);
                    let Some(ids) = batches.get(b) else { break };
                    if let Err(e) = run_batch(config, &ws, ids, summary) {
                        if let Ok(mut s) = summary.lock() {
                            s.harness_errors.push(format!("batch {b}: {e}"));
                        }
                        // A broken build of autograd itself breaks every batch: stop.
                        next.store(batches.len(), Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let mut summary = summary.into_inner().unwrap_or_else(|e| e.into_inner());
    summary.wall_secs = started.elapsed().as_secs_f64();
    if config.shrink > 0 {
        shrink::shrink_examples(config, &mut summary);
    }
    summary
}
