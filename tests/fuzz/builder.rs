//! Writes a batch of cases as one crate, builds it, maps compile errors to
//! cases, and runs it.
//!
//! The crate lives in its own directory (reused by every batch of a worker, so
//! its build products overwrite each other instead of piling up), with its
//! own `[workspace]` table and a shared target directory, so `autograd` and
//! ndarray are built once. rustc names each error's file and line: an error in
//! `case_<id>.rs` removes that case (recorded with the error text) and the
//! rest is built again, so one bad case does not hide the others. Errors
//! without a location (a rustc crash) are found by bisection. The binary
//! prints a line before and after each case, so a crash or a hang names its
//! case; the run then resumes after it.

use super::check::{Kind, Outcome};
use super::print::CaseFile;
use super::support::harness::{parse_line, Line};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The generated crate's package name (also its binary's).
const PACKAGE: &str = "autograd_fuzz_cases";
/// The message of the probes that locate rustc crashes.
const PROBE: &str = "fuzz probe: expanded case ";
/// How many times a batch is rebuilt without its failing cases before giving up.
const MAX_BUILDS: usize = 12;

/// Where and how a worker builds its batches.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The `autograd` crate the cases depend on.
    pub autograd: PathBuf,
    /// This worker's crate directory.
    pub dir: PathBuf,
    /// The target directory.
    pub target: PathBuf,
    /// The cargo executable.
    pub cargo: String,
    /// Seconds a run of the binary may take before it is killed.
    pub run_timeout: f64,
}

/// One case module of a batch.
#[derive(Clone, Debug)]
pub struct Unit {
    pub id: usize,
    pub file: CaseFile,
}

/// What a batch produced: per case, a line from the binary or a failure.
#[derive(Debug, Default)]
pub struct BatchResult {
    pub results: BTreeMap<usize, Result<Line, Outcome>>,
    pub builds: usize,
    pub build_secs: f64,
    pub run_secs: f64,
}

/// An error diagnostic from the build.
#[derive(Clone, Debug)]
pub struct Diag {
    /// The first line (`error[E0308]: mismatched types`).
    pub header: String,
    /// The whole diagnostic.
    pub text: String,
    /// The case file and line it points at, if any.
    pub at: Option<(usize, usize)>,
}

/// Finds `case_<id>.rs:<line>` in a line of rustc output.
fn case_location(line: &str) -> Option<(usize, usize)> {
    let start = line.find("case_")?;
    let rest = &line[start + 5..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = rest[digits.len()..].strip_prefix(".rs:")?;
    let line_no: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some((digits.parse().ok()?, line_no.parse().ok()?))
}

/// Splits cargo's stderr into error diagnostics.
pub fn diagnostics(stderr: &str) -> Vec<Diag> {
    let mut out: Vec<Diag> = Vec::new();
    let mut current: Option<Diag> = None;
    for line in stderr.lines() {
        let top = !line.starts_with(' ') && !line.is_empty();
        if top && (line.starts_with("error") || line.starts_with("warning")) {
            if let Some(d) = current.take() {
                out.push(d);
            }
            let skip = line.starts_with("warning")
                || line.starts_with("error: could not compile")
                || line.starts_with("error: aborting due to");
            if !skip {
                current = Some(Diag {
                    header: line.to_string(),
                    text: String::new(),
                    at: None,
                });
            }
        }
        if let Some(d) = &mut current {
            d.text.push_str(line);
            d.text.push('\n');
            if d.at.is_none() && line.trim_start().starts_with("-->") {
                d.at = case_location(line);
            }
        }
    }
    out.extend(current);
    for d in &mut out {
        if d.at.is_none() {
            d.at = d.text.lines().find_map(case_location);
        }
    }
    out
}

/// The kind of one diagnostic inside the `#[differentiable]` function.
pub fn classify(d: &Diag) -> Kind {
    let h = &d.header;
    if h.contains("internal compiler error") {
        Kind::Ice
    } else if h.contains("proc macro panicked") || h.contains("proc-macro derive panicked") {
        Kind::MacroPanic
    } else if !h.starts_with("error[")
        && (h.contains("#[differentiable]") || h.contains("not supported"))
    {
        Kind::Refused
    } else {
        Kind::RustcError
    }
}

/// The outcome of a case from its diagnostics: errors in the dual version or
/// the calling code alone are the harness's; a refusal explains the errors
/// that follow it.
pub fn case_outcome(file: &CaseFile, diags: &[&Diag]) -> Outcome {
    let in_range = |d: &Diag, (a, b): (usize, usize)| d.at.is_some_and(|(_, l)| l >= a && l <= b);
    let text: String = diags
        .iter()
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    if diags
        .iter()
        .any(|d| in_range(d, file.dual) || in_range(d, file.plain))
    {
        let detail = format!(
            "the body is not valid Rust (its plain copy or dual version does not compile):\n{text}"
        );
        return Outcome::new(Kind::HarnessBug, detail);
    }
    let in_fn: Vec<&&Diag> = diags
        .iter()
        .filter(|d| in_range(d, file.function))
        .collect();
    let kinds: BTreeSet<Kind> = in_fn.iter().map(|d| classify(d)).collect();
    let kind = [Kind::Refused, Kind::Ice, Kind::MacroPanic, Kind::RustcError]
        .into_iter()
        .find(|k| kinds.contains(k))
        .unwrap_or(Kind::RustcError);
    let mut first: Vec<&Diag> = in_fn
        .iter()
        .filter(|d| classify(d) == kind)
        .map(|d| **d)
        .collect();
    if first.is_empty() {
        first = diags.to_vec();
    }
    let shown: String = first
        .iter()
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Outcome::new(kind, shown)
}

/// How a build went.
enum Build {
    Ok,
    /// Errors, with the diagnostics that name a case; `crashed` when rustc itself died.
    Failed {
        located: Vec<Diag>,
        stderr: String,
        crashed: bool,
    },
}

/// Whether rustc died (a signal, a stack overflow, an internal error) rather than reporting errors.
fn rustc_crashed(stderr: &str) -> bool {
    [
        "rustc interrupted by",
        "overflowed its stack",
        "internal compiler error",
        "(signal: ",
        "unexpectedly panicked",
    ]
    .iter()
    .any(|s| stderr.contains(s))
}

impl Workspace {
    fn cargo_toml(&self) -> String {
        format!(
            "[package]\nname = \"{PACKAGE}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nautograd = {{ path = {:?} }}\n\n[workspace]\n\n\
             [profile.dev]\nopt-level = 0\ndebug = 0\nincremental = false\ncodegen-units = 256\n\n\
             [profile.dev.build-override]\nopt-level = 3\ndebug = 0\n",
            self.autograd.display().to_string()
        )
    }

    /// Writes the crate with every unit (the main file lists `included` only).
    fn write(&self, units: &[Unit]) -> std::io::Result<()> {
        let src = self.dir.join("src");
        if src.exists() {
            fs::remove_dir_all(&src)?;
        }
        fs::create_dir_all(&src)?;
        fs::write(self.dir.join("Cargo.toml"), self.cargo_toml())?;
        let lock = self.autograd.join("Cargo.lock");
        if lock.exists() && !self.dir.join("Cargo.lock").exists() {
            fs::copy(&lock, self.dir.join("Cargo.lock"))?;
        }
        fs::write(src.join("dual.rs"), include_str!("support/dual.rs"))?;
        fs::write(src.join("harness.rs"), include_str!("support/harness.rs"))?;
        for u in units {
            fs::write(src.join(format!("case_{:05}.rs", u.id)), &u.file.text)?;
        }
        Ok(())
    }

    /// The crate root. With `probes`, a `compile_error!` after each case
    /// module reports, in module order, how far macro expansion got.
    fn write_main(&self, included: &[usize], probes: bool) -> std::io::Result<()> {
        let mut s = String::from("#![allow(warnings)]\nmod dual;\nmod harness;\n");
        for id in included {
            s.push_str(&format!("mod case_{id:05};\n"));
            if probes {
                s.push_str(&format!("compile_error!(\"{PROBE}{id}\");\n"));
            }
        }
        s.push_str("\nconst CASES: &[harness::CaseFn] = &[\n");
        for id in included {
            s.push_str(&format!("    ({id}, case_{id:05}::run),\n"));
        }
        s.push_str("];\n\nfn main() {\n    harness::main(CASES);\n}\n");
        fs::write(self.dir.join("src/main.rs"), s)
    }

    /// `cargo build` (or `cargo check`, when `check_only`) of the crate with `included` cases.
    fn build(&self, included: &[usize], check_only: bool) -> Result<Build, String> {
        self.write_main(included, false)
            .map_err(|e| format!("writing main.rs: {e}"))?;
        self.cargo(check_only)
    }

    /// Runs cargo on the crate as written.
    fn cargo(&self, check_only: bool) -> Result<Build, String> {
        let out = Command::new(&self.cargo)
            .arg(if check_only { "check" } else { "build" })
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target)
            .args(["--color", "never"])
            .env_remove("CARGO_TARGET_DIR")
            .env("CARGO_TERM_COLOR", "never")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", self.cargo))?;
        if out.status.success() {
            return Ok(Build::Ok);
        }
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let broken = [
            "`autograd`",
            "`autograd-macros`",
            "`autograd-runtime`",
            "`ndarray`",
        ]
        .iter()
        .any(|name| stderr.contains(&format!("could not compile {name}")));
        if broken
            || stderr.contains("failed to select a version")
            || stderr.contains("failed to load manifest")
        {
            return Err(format!(
                "the autograd crate itself does not build:\n{}",
                tail(&stderr, 60)
            ));
        }
        let located = diagnostics(&stderr)
            .into_iter()
            .filter(|d| d.at.is_some())
            .collect();
        let crashed = rustc_crashed(&stderr);
        Ok(Build::Failed {
            located,
            stderr,
            crashed,
        })
    }

    /// Cases that crash rustc. A crash while the macro expands (a stack
    /// overflow) is found with probes: the first case whose probe is missing;
    /// the cases before it expanded fine, so the search goes on after it.
    /// Other crashes are found by bisection.
    fn crashers(&self, ids: &[usize], builds: &mut usize) -> Result<Vec<usize>, String> {
        let mut remaining = ids.to_vec();
        let mut found = Vec::new();
        while !remaining.is_empty() {
            self.write_main(&remaining, true)
                .map_err(|e| format!("writing main.rs: {e}"))?;
            *builds += 1;
            let stderr = match self.cargo(true)? {
                Build::Ok => return Ok(found),
                Build::Failed { stderr, .. } => stderr,
            };
            let Some(at) = remaining
                .iter()
                .position(|id| !stderr.contains(&format!("{PROBE}{id}\"")))
            else {
                // Expansion finished: the crash (if any) comes later; bisect.
                let rest: Vec<usize> = ids
                    .iter()
                    .copied()
                    .filter(|id| !found.contains(id))
                    .collect();
                found.extend(self.bisect(&rest, builds)?);
                return Ok(found);
            };
            let first = remaining[at];
            *builds += 1;
            match self.build(&[first], true)? {
                Build::Failed { crashed: true, .. } => found.push(first),
                _ => {
                    let rest: Vec<usize> = ids
                        .iter()
                        .copied()
                        .filter(|id| !found.contains(id))
                        .collect();
                    found.extend(self.bisect(&rest, builds)?);
                    return Ok(found);
                }
            }
            remaining.drain(..=at);
        }
        Ok(found)
    }

    /// Cases whose presence alone breaks the build with no location (`cargo check` suffices).
    fn bisect(&self, ids: &[usize], builds: &mut usize) -> Result<Vec<usize>, String> {
        *builds += 1;
        match self.build(ids, true)? {
            Build::Ok => Ok(Vec::new()),
            Build::Failed { crashed: false, .. } => Ok(Vec::new()),
            Build::Failed { .. } if ids.len() == 1 => Ok(ids.to_vec()),
            Build::Failed { .. } => {
                let (a, b) = ids.split_at(ids.len() / 2);
                let mut out = self.bisect(a, builds)?;
                out.extend(self.bisect(b, builds)?);
                Ok(out)
            }
        }
    }

    /// Finds the cases that crash rustc, records them and drops them from `included`.
    fn drop_crashers(
        &self,
        included: &mut Vec<usize>,
        stderr: &str,
        result: &mut BatchResult,
    ) -> Result<(), String> {
        let culprits = self.crashers(included, &mut result.builds)?;
        let culprits = if culprits.is_empty() {
            included.clone()
        } else {
            culprits
        };
        let why: Vec<String> = stderr
            .lines()
            .filter(|l| !l.starts_with('/') && !l.trim().is_empty() && !l.contains(PROBE))
            .map(|l| l.chars().take(200).collect())
            .collect();
        for id in &culprits {
            let detail = format!(
                "rustc crashes (the build fails with no location):\n{}",
                tail(&why.join("\n"), 12)
            );
            result
                .results
                .insert(*id, Err(Outcome::new(Kind::Ice, detail)));
        }
        included.retain(|id| !culprits.contains(id));
        Ok(())
    }

    /// Builds the batch, dropping cases that do not compile; then runs the rest.
    pub fn run_batch(&self, units: &[Unit]) -> Result<BatchResult, String> {
        let start = Instant::now();
        let (included, mut result) = self.compile(units)?;
        result.build_secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        if !included.is_empty() {
            self.run(&included, &mut result)?;
        }
        result.run_secs = start.elapsed().as_secs_f64();
        Ok(result)
    }

    /// Builds the batch until it compiles, recording the cases dropped on
    /// the way; returns the cases left.
    pub fn compile(&self, units: &[Unit]) -> Result<(Vec<usize>, BatchResult), String> {
        fs::create_dir_all(&self.dir)
            .map_err(|e| format!("creating {}: {e}", self.dir.display()))?;
        self.write(units)
            .map_err(|e| format!("writing the batch: {e}"))?;
        let by_id: BTreeMap<usize, &Unit> = units.iter().map(|u| (u.id, u)).collect();
        let mut result = BatchResult::default();
        let mut included: Vec<usize> = units.iter().map(|u| u.id).collect();
        for round in 0.. {
            if round >= MAX_BUILDS {
                for id in included.drain(..) {
                    result.results.insert(
                        id,
                        Err(Outcome::new(
                            Kind::HarnessBug,
                            "gave up rebuilding the batch",
                        )),
                    );
                }
                break;
            }
            result.builds += 1;
            let (located, stderr, crashed) = match self.build(&included, false)? {
                Build::Ok => break,
                Build::Failed {
                    located,
                    stderr,
                    crashed,
                } => (located, stderr, crashed),
            };
            let mut by_case: BTreeMap<usize, Vec<&Diag>> = BTreeMap::new();
            for d in &located {
                if let Some((id, _)) = d.at.filter(|(id, _)| included.contains(id)) {
                    by_case.entry(id).or_default().push(d);
                }
            }
            // Cases with errors (refusals reported before a crash included) are dropped.
            for (id, diags) in &by_case {
                result
                    .results
                    .insert(*id, Err(case_outcome(&by_id[id].file, diags)));
                included.retain(|i| i != id);
            }
            let located_crash = located.iter().any(|d| classify(d) == Kind::Ice);
            if (crashed && !located_crash) || by_case.is_empty() {
                self.drop_crashers(&mut included, &stderr, &mut result)?;
            }
        }
        Ok((included, result))
    }

    /// Runs the built binary over `included`, resuming after a case that crashes or hangs.
    fn run(&self, included: &[usize], result: &mut BatchResult) -> Result<(), String> {
        let exe = self
            .target
            .join("debug")
            .join(format!("{PACKAGE}{}", std::env::consts::EXE_SUFFIX));
        let mut from = 0;
        while from < included.len() {
            let (out_path, err_path) = (self.dir.join("run.out"), self.dir.join("run.err"));
            let open = |p: &Path| {
                fs::File::create(p).map_err(|e| format!("creating {}: {e}", p.display()))
            };
            let mut child = Command::new(&exe)
                .arg(from.to_string())
                .stdin(Stdio::null())
                .stdout(open(&out_path)?)
                .stderr(open(&err_path)?)
                .spawn()
                .map_err(|e| format!("running {}: {e}", exe.display()))?;
            let started = Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                    break Some(status);
                }
                if started.elapsed() > Duration::from_secs_f64(self.run_timeout) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            let stdout = fs::read_to_string(&out_path).unwrap_or_default();
            let mut pending = None;
            for line in stdout.lines().filter_map(parse_line) {
                match line {
                    Line::Start(id) => pending = Some(id),
                    Line::Done(id, _) | Line::Panic(id, _, _) => {
                        pending = None;
                        result.results.insert(id, Ok(line));
                    }
                }
            }
            if status.is_some_and(|s| s.success()) {
                break;
            }
            let stderr = fs::read_to_string(&err_path).unwrap_or_default();
            let Some(id) = pending else {
                return Err(format!(
                    "the cases binary failed outside any case ({status:?}):\n{}",
                    tail(&stderr, 30)
                ));
            };
            let (kind, what) = match status {
                None => (
                    Kind::Timeout,
                    format!("still running after {} s", self.run_timeout),
                ),
                Some(s) => (
                    Kind::Crash,
                    format!("the process died ({s}):\n{}", tail(&stderr, 20)),
                ),
            };
            result.results.insert(id, Err(Outcome::new(kind, what)));
            from = included
                .iter()
                .position(|i| *i == id)
                .map_or(included.len(), |p| p + 1);
        }
        Ok(())
    }
}

/// The last `n` lines of `s`.
pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
