//! Runs many cases on parallel checker threads, groups the failures by
//! kind and signature, shrinks one input per group and writes the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::thread;
use std::time::{Duration, Instant};

use super::harness::{self, Case, Checked, Kind};
use super::server::Expander;
use super::tree::{self, Tree};

/// Cases per fuzz test, unless `AUTOGRAD_MACRO_FUZZ_CASES` says otherwise.
pub fn case_count(default: usize) -> usize {
    env_number("AUTOGRAD_MACRO_FUZZ_CASES").unwrap_or(default)
}

/// The run's seed: fixed, unless `AUTOGRAD_MACRO_FUZZ_SEED` says otherwise.
pub fn seed() -> u64 {
    env_number("AUTOGRAD_MACRO_FUZZ_SEED").map_or(0x5EED_AD01_u64, |s| s as u64)
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// Every input that failed in one way.
pub struct Group {
    pub kind: Kind,
    pub signature: String,
    pub count: usize,
    /// The first case that failed this way (the shortest, after shrinking).
    pub case: Case,
    pub case_index: usize,
    pub detail: String,
    /// The input as generated, before shrinking.
    pub original: String,
}

#[derive(Default)]
pub struct Summary {
    pub cases: usize,
    /// Generated inputs that are not token streams (rustc never passes those).
    pub skipped: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Cases whose expansion killed its process (overflow, hang, crash).
    pub died: usize,
    pub expansion_time: Duration,
    pub slowest: (Duration, usize),
    pub messages: BTreeMap<String, usize>,
    pub failures: BTreeMap<(Kind, String), Group>,
}

impl Summary {
    pub fn record(&mut self, index: usize, case: &Case, c: Checked) {
        self.cases += 1;
        if !c.tokenizes {
            self.skipped += 1;
            return;
        }
        let died = c
            .findings
            .iter()
            .any(|f| matches!(f.kind, Kind::StackOverflow | Kind::Timeout | Kind::Crash));
        if died {
            self.died += 1;
        } else if c.messages.is_empty() && !c.panicked {
            self.accepted += 1;
        } else {
            self.rejected += 1;
        }
        self.expansion_time += c.elapsed;
        if c.elapsed > self.slowest.0 {
            self.slowest = (c.elapsed, index);
        }
        for m in &c.messages {
            *self.messages.entry(harness::normalise(m)).or_default() += 1;
        }
        for f in c.findings {
            let group = self
                .failures
                .entry((f.kind, f.signature.clone()))
                .or_insert_with(|| Group {
                    kind: f.kind,
                    signature: f.signature,
                    count: 0,
                    case: case.clone(),
                    case_index: index,
                    detail: f.detail.clone(),
                    original: String::new(),
                });
            group.count += 1;
            if index < group.case_index {
                group.case = case.clone();
                group.case_index = index;
                group.detail = f.detail;
            }
        }
    }

    fn merge(&mut self, other: Summary) {
        self.cases += other.cases;
        self.skipped += other.skipped;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.died += other.died;
        self.expansion_time += other.expansion_time;
        if other.slowest.0 > self.slowest.0 {
            self.slowest = other.slowest;
        }
        for (m, n) in other.messages {
            *self.messages.entry(m).or_default() += n;
        }
        for (key, g) in other.failures {
            match self.failures.get_mut(&key) {
                Some(mine) => {
                    mine.count += g.count;
                    if g.case_index < mine.case_index {
                        mine.case = g.case;
                        mine.case_index = g.case_index;
                        mine.detail = g.detail;
                    }
                }
                None => {
                    self.failures.insert(key, g);
                }
            }
        }
    }
}

/// Runs cases `0..n` (`make` returns `None` for a case it cannot build) on
/// one worker per core, each with a child process expanding for it (see
/// `server`; `test` is the calling test's path). Results do not depend on
/// the scheduling.
pub fn run(test: &str, n: usize, make: &(dyn Fn(usize) -> Option<Case> + Sync)) -> Summary {
    let workers = thread::available_parallelism().map_or(2, |w| w.get().min(8));
    let mut total = Summary::default();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                thread::Builder::new()
                    .name(format!("autograd-fuzz-worker-{w}"))
                    .stack_size(harness::CHECKER_STACK)
                    .spawn_scoped(scope, move || {
                        let mut part = Summary::default();
                        let mut expander = Expander::new(test);
                        for index in (w..n).step_by(workers) {
                            if let Some(case) = make(index) {
                                let checked = expander.check(&case);
                                part.record(index, &case, checked);
                            }
                        }
                        part
                    })
                    .expect("spawn a fuzz worker")
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(part) => total.merge(part),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
    });
    total
}

/// Shrinks every failure's input (within a time budget, see
/// `AUTOGRAD_MACRO_FUZZ_MINIMISE_SECS`) and writes the report: `Ok` if
/// nothing failed. Call it on a large stack.
pub fn finish(
    test: &str,
    label: &str,
    mut summary: Summary,
    wall: Duration,
) -> Result<String, String> {
    let secs = env_number("AUTOGRAD_MACRO_FUZZ_MINIMISE_SECS").unwrap_or(10);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs as u64);
    let expander = std::cell::RefCell::new(Expander::new(test));
    let groups = summary.failures.len();
    for (i, g) in summary.failures.values_mut().enumerate() {
        // Each group gets an equal share of the time that is left.
        let left = deadline.saturating_duration_since(Instant::now());
        let share = Instant::now() + left / (groups - i) as u32;
        let (kind, signature) = (g.kind, g.signature.clone());
        let fails = |c: &Case| {
            let checked = expander.borrow_mut().check(c);
            checked
                .findings
                .iter()
                .any(|f| f.kind == kind && f.signature == signature)
        };
        let shrunk = shrink(&g.case, &fails, share);
        g.original = std::mem::replace(&mut g.case.item, shrunk);
    }
    let report = report(label, &summary, wall + started.elapsed());
    if summary.failures.is_empty() {
        Ok(report)
    } else {
        Err(report)
    }
}

/// Greedy delta debugging over token trees: removes runs of tokens from
/// every token list, halving the run length, while the failure remains.
pub fn shrink(case: &Case, fails: &dyn Fn(&Case) -> bool, deadline: Instant) -> String {
    let Some(mut best) = tree::parse(&case.item) else {
        return case.item.clone();
    };
    let attempt = |trees: &[Tree]| {
        let item = tree::text(trees);
        !item.is_empty()
            && fails(&Case {
                item,
                ..case.clone()
            })
    };
    let mut improved = true;
    while improved && Instant::now() < deadline {
        improved = false;
        let mut list = 0;
        while list < tree::list_count(&best) && Instant::now() < deadline {
            let len = tree::list_mut(&mut best, list).map_or(0, |l| l.len());
            let mut run = len;
            while run > 0 && Instant::now() < deadline {
                let mut start = 0;
                while start < tree::list_mut(&mut best, list).map_or(0, |l| l.len()) {
                    let mut candidate = best.clone();
                    if let Some(l) = tree::list_mut(&mut candidate, list) {
                        let end = (start + run).min(l.len());
                        l.drain(start..end);
                    }
                    if attempt(&candidate) {
                        best = candidate;
                        improved = true;
                    } else {
                        start += run;
                    }
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                run /= 2;
            }
            list += 1;
        }
    }
    tree::text(&best)
}

fn report(label: &str, s: &Summary, wall: Duration) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "== #[differentiable] fuzz: {label} ==");
    let _ = writeln!(
        r,
        "{} cases ({} not token streams, skipped): {} expanded, {} rejected with errors, \
         {} killed their process; expansion time {:.2?} in all, slowest {:.2?} (case #{}); \
         wall time {:.2?}",
        s.cases,
        s.skipped,
        s.accepted,
        s.rejected,
        s.died,
        s.expansion_time,
        s.slowest.0,
        s.slowest.1,
        wall,
    );
    let mut messages: Vec<(&String, &usize)> = s.messages.iter().collect();
    messages.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(r, "error messages reported ({} distinct):", messages.len());
    for (m, n) in messages.iter().take(40) {
        let _ = writeln!(r, "  {n:>6}  {}", harness::clip(m, 160));
    }
    if s.failures.is_empty() {
        let _ = writeln!(r, "no failures");
        return r;
    }
    let _ = writeln!(r, "FAILURES ({} distinct):", s.failures.len());
    for (i, g) in s.failures.values().enumerate() {
        let _ = writeln!(
            r,
            "[{}] {:?} x{} (first: case #{}, {})\n    {}\n    minimal input: {}\n    \
             as generated: {}\n    detail: {}",
            i + 1,
            g.kind,
            g.count,
            g.case_index,
            g.case.origin,
            g.signature,
            harness::clip(&g.case.item, 600),
            harness::clip(&g.original, 300),
            harness::clip(&g.detail, 600),
        );
        if syn::parse_str::<syn::Item>(&g.case.item).is_err() {
            let _ = writeln!(
                r,
                "    (the minimal input is not an item: rustc would not pass it)"
            );
        }
        if !g.case.attr.is_empty() {
            let _ = writeln!(r, "    attribute arguments: {}", g.case.attr);
        }
    }
    r
}
