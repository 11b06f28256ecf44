//! Counts, examples and the printed summary of a run; files kept on request.

use super::ast::Case;
use super::check::{Kind, Outcome};
use super::print;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::fs;
use std::path::Path;

/// Examples kept per kind.
pub const EXAMPLES: usize = 3;

/// One case shown in the report.
#[derive(Clone, Debug)]
pub struct Example {
    pub case: Case,
    pub outcome: Outcome,
    /// The shrunk function, once the shrinker has run.
    pub minimal: Option<String>,
}

/// What a run found.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub seed: u64,
    pub generated: usize,
    /// Cases whose crate built with them in it.
    pub compiled: usize,
    /// Cases that ran to a result line and were checked.
    pub checked: usize,
    pub counts: BTreeMap<Kind, usize>,
    /// Refusals the configuration allows.
    pub refused_allowed: usize,
    pub examples: BTreeMap<Kind, Vec<Example>>,
    /// Distinct first lines of refusals and of rustc errors, with counts.
    pub messages: BTreeMap<(Kind, String), usize>,
    pub fd_notes: usize,
    pub fd_skipped: usize,
    pub harness_errors: Vec<String>,
    pub batches: usize,
    pub builds: usize,
    pub build_secs: f64,
    pub run_secs: f64,
    pub wall_secs: f64,
}

/// The first line of a diagnostic, without its location and case-specific names.
pub fn message_key(detail: &str) -> String {
    let line = detail.lines().next().unwrap_or("").trim();
    let mut out = String::new();
    let mut in_tick = false;
    for c in line.chars() {
        match c {
            '`' => {
                in_tick = !in_tick;
                out.push_str(if in_tick { "`" } else { "..`" });
            }
            _ if in_tick => {}
            _ => out.push(c),
        }
    }
    out.chars().take(160).collect()
}

impl Summary {
    pub fn new(seed: u64) -> Summary {
        Summary {
            seed,
            ..Summary::default()
        }
    }

    /// Counts one case.
    pub fn record(
        &mut self,
        case: &Case,
        outcome: &Outcome,
        compiled: bool,
        refusal_allowed: bool,
    ) {
        self.generated += 1;
        self.compiled += usize::from(compiled);
        let checked = compiled
            && !matches!(
                outcome.kind,
                Kind::Crash | Kind::Timeout | Kind::Panic | Kind::NonFinite | Kind::HarnessBug
            );
        self.checked += usize::from(checked);
        *self.counts.entry(outcome.kind).or_default() += 1;
        self.refused_allowed += usize::from(refusal_allowed);
        self.fd_notes += outcome.fd_notes;
        self.fd_skipped += outcome.fd_skipped;
        if matches!(
            outcome.kind,
            Kind::Refused | Kind::RustcError | Kind::MacroPanic
        ) {
            *self
                .messages
                .entry((outcome.kind, message_key(&outcome.detail)))
                .or_default() += 1;
        }
        let examples = self.examples.entry(outcome.kind).or_default();
        if outcome.kind != Kind::Pass && examples.len() < EXAMPLES {
            examples.push(Example {
                case: case.clone(),
                outcome: outcome.clone(),
                minimal: None,
            });
        }
    }

    /// Whether the run should fail the test.
    pub fn failed(&self) -> bool {
        let failures: usize = self
            .counts
            .iter()
            .filter(|(k, _)| k.is_failure())
            .map(|(_, n)| n)
            .sum();
        let refused = self.counts.get(&Kind::Refused).copied().unwrap_or(0);
        failures > 0 || refused > self.refused_allowed || !self.harness_errors.is_empty()
    }

    fn count(&self, k: Kind) -> usize {
        self.counts.get(&k).copied().unwrap_or(0)
    }

    /// One progress line.
    pub fn progress(&self, total: usize, build_secs: f64, builds: usize) -> String {
        let fails: Vec<String> = self
            .counts
            .iter()
            .filter(|(k, _)| **k != Kind::Pass)
            .map(|(k, n)| format!("{} {n}", k.name()))
            .collect();
        format!(
            "[fuzz] batch {} done ({builds} builds, {build_secs:.1} s): {}/{total} cases, {} passed; {}",
            self.batches,
            self.generated,
            self.count(Kind::Pass),
            fails.join(", ")
        )
    }

    /// The report printed at the end of a run.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "differential fuzz, seed {:#x}: {} batches, {} builds; wall {:.1} s (build {:.1} s, run {:.1} s, summed over workers)", self.seed, self.batches, self.builds, self.wall_secs, self.build_secs, self.run_secs);
        let _ = writeln!(
            s,
            "  generated {}, compiled {}, checked {}, refused by the macro {} ({} allowed), skipped (value not finite) {}, passed {}",
            self.generated,
            self.compiled,
            self.checked,
            self.count(Kind::Refused),
            self.refused_allowed,
            self.count(Kind::NonFinite),
            self.count(Kind::Pass)
        );
        let fails: Vec<String> = Kind::ALL
            .iter()
            .filter(|k| k.is_failure() && self.count(**k) > 0)
            .map(|k| format!("{} {}", k.name(), self.count(*k)))
            .collect();
        let _ = writeln!(
            s,
            "  failed by kind: {}",
            if fails.is_empty() {
                "none".to_string()
            } else {
                fails.join(", ")
            }
        );
        let _ = writeln!(s, "  finite differences: {} components skipped (not smooth), {} disagreeing where the oracle agrees", self.fd_skipped, self.fd_notes);
        for e in &self.harness_errors {
            let _ = writeln!(s, "  HARNESS: {e}");
        }
        if !self.messages.is_empty() {
            let _ = writeln!(s, "\nmessages (count):");
            let mut msgs: Vec<(&(Kind, String), &usize)> = self.messages.iter().collect();
            msgs.sort_by(|a, b| b.1.cmp(a.1));
            for ((k, m), n) in msgs.iter().take(25) {
                let _ = writeln!(s, "  {n:5} {}: {m}", k.name());
            }
        }
        for (kind, examples) in &self.examples {
            if *kind == Kind::NonFinite {
                continue;
            }
            for e in examples {
                let constructs: Vec<String> = e.case.constructs.iter().map(|c| c.name()).collect();
                let _ = writeln!(
                    s,
                    "\n--- {} (case {}; {})",
                    kind.name(),
                    e.case.id,
                    constructs.join(" ")
                );
                let detail: String = e
                    .outcome
                    .detail
                    .lines()
                    .take(14)
                    .collect::<Vec<_>>()
                    .join("\n");
                let _ = writeln!(s, "{detail}");
                match &e.minimal {
                    Some(m) => {
                        let _ = writeln!(s, "minimal:\n{m}");
                    }
                    None => {
                        let _ = write!(s, "{}", print::function(&e.case, print::Mode::Plain));
                    }
                }
            }
        }
        s
    }
}

/// Writes a failing case under `dir/failures/<kind>/`.
pub fn keep_case(dir: &Path, case: &Case, outcome: &Outcome) {
    let sub = dir.join("failures").join(outcome.kind.name());
    let mut text = format!("// outcome: {}\n", outcome.kind.name());
    for line in outcome.detail.lines().take(40) {
        let _ = writeln!(text, "// {line}");
    }
    text.push_str(&print::case_file(case).text);
    if fs::create_dir_all(&sub)
        .and_then(|_| fs::write(sub.join(format!("case_{:05}.rs", case.id)), text))
        .is_err()
    {
        eprintln!("[fuzz] could not write into {}", sub.display());
    }
}

/// Writes a shrunk case beside the failure it came from.
pub fn keep_minimal(dir: &Path, kind: Kind, id: usize, text: &str) {
    let sub = dir.join("failures").join(kind.name());
    if fs::create_dir_all(&sub)
        .and_then(|_| fs::write(sub.join(format!("case_{id:05}.min.rs")), text))
        .is_err()
    {
        eprintln!("[fuzz] could not write into {}", sub.display());
    }
}

/// Copies a built batch crate under `dir/batches/`.
pub fn keep_batch(dir: &Path, crate_dir: &Path, first_id: usize) {
    let to = dir.join("batches").join(format!("batch_{first_id:06}"));
    let copy = || -> std::io::Result<()> {
        fs::create_dir_all(to.join("src"))?;
        fs::copy(crate_dir.join("Cargo.toml"), to.join("Cargo.toml"))?;
        for entry in fs::read_dir(crate_dir.join("src"))? {
            let entry = entry?;
            fs::copy(entry.path(), to.join("src").join(entry.file_name()))?;
        }
        Ok(())
    };
    if copy().is_err() {
        eprintln!("[fuzz] could not copy the batch into {}", to.display());
    }
}
