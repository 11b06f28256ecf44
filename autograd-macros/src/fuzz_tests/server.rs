//! Expansions in a child process, so that a stack overflow (which aborts
//! the process) or a hang fails one case instead of the test binary.
//!
//! The child is this very test binary, re-run on the calling test alone
//! (`--exact`) with `AUTOGRAD_MACRO_FUZZ_SERVER` set: the test then serves
//! requests, one case per line on stdin, answering each on stdout with the
//! expansion's messages and findings (the span checks need the expansion's
//! own process). When the child dies, the case it was working on is the
//! culprit: its stderr says whether the stack overflowed; a watchdog kills
//! a child that takes longer than `AUTOGRAD_MACRO_FUZZ_TIMEOUT_SECS`
//! (default 120) on one case. The next case starts a new child.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::harness::{self, finding, Case, Checked, Kind};

const SERVER_VAR: &str = "AUTOGRAD_MACRO_FUZZ_SERVER";

/// In a child serving expansions, serves them and returns true; call it
/// first thing in every test that uses an [`Expander`].
pub fn served() -> bool {
    let child = std::env::var_os(SERVER_VAR).is_some();
    if child {
        serve();
    }
    child
}

/// The path libtest gives a test `name` of module `module` (`module_path!()`).
pub fn test_path(module: &str, name: &str) -> String {
    let path = module.split_once("::").map_or("", |(_, rest)| rest);
    format!("{path}::{name}")
}

/// In the child: answers requests on stdin until it closes.
fn serve() {
    harness::on_big_stack(|| {
        let stdin = std::io::stdin();
        let mut stdout = std::io::stdout();
        // End libtest's `test name ... ` line, so answers start on their own.
        let _ = stdout.write_all(b"\n");
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            let fields: Vec<String> = line.split('\t').map(unescape).collect();
            let [tag, attr, item] = fields.as_slice() else {
                continue;
            };
            if tag != "Q" {
                continue;
            }
            let case = Case {
                attr: attr.clone(),
                ..Case::item(item.clone())
            };
            let answer = encode(&harness::check_here(&case));
            let _ = stdout.write_all(answer.as_bytes());
            let _ = stdout.flush();
        }
    });
}

fn encode(c: &Checked) -> String {
    let mut out = String::new();
    for m in &c.messages {
        out.push_str(&format!("M\t{}\n", escape(m)));
    }
    for f in &c.findings {
        out.push_str(&format!(
            "F\t{:?}\t{}\t{}\n",
            f.kind,
            escape(&f.signature),
            escape(&f.detail)
        ));
    }
    out.push_str(&format!(
        "E\t{}\t{}\t{}\n",
        u8::from(c.tokenizes),
        u8::from(c.panicked),
        c.elapsed.as_micros()
    ));
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The parent's handle on a child serving expansions (started lazily,
/// restarted after each death).
pub struct Expander {
    test: String,
    timeout: Duration,
    live: Option<Live>,
}

struct Live {
    child: Arc<Mutex<Child>>,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: Option<JoinHandle<String>>,
    deadline: Arc<Mutex<Option<Instant>>>,
    timed_out: Arc<AtomicBool>,
}

impl Expander {
    /// `test` is the full path of the calling test, as libtest names it
    /// (`fuzz_tests::mutated_corpus`): the child runs that test alone.
    pub fn new(test: &str) -> Expander {
        let secs = std::env::var("AUTOGRAD_MACRO_FUZZ_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(120);
        Expander {
            test: test.to_owned(),
            timeout: Duration::from_secs(secs),
            live: None,
        }
    }

    pub fn check(&mut self, case: &Case) -> Checked {
        if self.live.is_none() {
            match self.start() {
                Ok(live) => self.live = Some(live),
                Err(why) => return died(Kind::Crash, format!("could not start the child: {why}")),
            }
        }
        let Some(live) = self.live.as_mut() else {
            return died(Kind::Crash, "no child".to_owned());
        };
        let request = format!("Q\t{}\t{}\n", escape(&case.attr), escape(&case.item));
        if let Ok(mut d) = live.deadline.lock() {
            *d = Some(Instant::now() + self.timeout);
        }
        let answer = live
            .stdin
            .write_all(request.as_bytes())
            .and_then(|()| live.stdin.flush())
            .ok()
            .and_then(|()| read_answer(&mut live.stdout));
        if let Ok(mut d) = live.deadline.lock() {
            *d = None;
        }
        match answer {
            Some(checked) => checked,
            None => match self.live.take() {
                Some(live) => bury(live, self.timeout),
                None => died(Kind::Crash, "no child".to_owned()),
            },
        }
    }

    fn start(&self) -> std::io::Result<Live> {
        let mut child = Command::new(std::env::current_exe()?)
            .args([
                self.test.as_str(),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .arg("--include-ignored")
            .env(SERVER_VAR, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let missing = || std::io::Error::other("child pipe missing");
        let stdin = child.stdin.take().ok_or_else(missing)?;
        let stdout = BufReader::new(child.stdout.take().ok_or_else(missing)?);
        let mut err = child.stderr.take().ok_or_else(missing)?;
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        });
        let child = Arc::new(Mutex::new(child));
        let deadline = Arc::new(Mutex::new(None));
        let timed_out = Arc::new(AtomicBool::new(false));
        let (c, d, t) = (child.clone(), deadline.clone(), timed_out.clone());
        thread::spawn(move || watchdog(&c, &d, &t));
        Ok(Live {
            child,
            stdin,
            stdout,
            stderr: Some(stderr),
            deadline,
            timed_out,
        })
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // Closing stdin ends the child's loop; it then exits on its own.
        if let Ok(mut c) = self.child.lock() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Kills the child if one case outlives its deadline; ends with the child.
fn watchdog(child: &Mutex<Child>, deadline: &Mutex<Option<Instant>>, timed_out: &AtomicBool) {
    loop {
        thread::sleep(Duration::from_millis(50));
        let Ok(mut c) = child.lock() else { return };
        if !matches!(c.try_wait(), Ok(None)) {
            return;
        }
        let late = deadline
            .lock()
            .is_ok_and(|d| d.is_some_and(|d| Instant::now() > d));
        if late {
            timed_out.store(true, Ordering::SeqCst);
            let _ = c.kill();
            return;
        }
    }
}

fn read_answer(stdout: &mut BufReader<ChildStdout>) -> Option<Checked> {
    let mut checked = died(Kind::Crash, String::new());
    checked.findings.clear();
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let fields: Vec<String> = line
            .trim_end_matches('\n')
            .split('\t')
            .map(unescape)
            .collect();
        match fields.as_slice() {
            [tag, m] if tag == "M" => checked.messages.push(m.clone()),
            [tag, kind, sig, detail] if tag == "F" => {
                let kind = Kind::from_name(kind).unwrap_or(Kind::Crash);
                checked
                    .findings
                    .push(finding(kind, sig.clone(), detail.clone()));
            }
            [tag, tokenizes, panicked, micros] if tag == "E" => {
                checked.tokenizes = tokenizes == "1";
                checked.panicked = panicked == "1";
                checked.elapsed = Duration::from_micros(micros.parse().unwrap_or(0));
                return Some(checked);
            }
            _ => {} // libtest's own lines
        }
    }
}

/// Why the child died, as the finding of the case it was working on.
fn bury(mut live: Live, timeout: Duration) -> Checked {
    let status = live.child.lock().ok().and_then(|mut c| c.wait().ok());
    let timed_out = live.timed_out.load(Ordering::SeqCst);
    let stderr = live
        .stderr
        .take()
        .and_then(|h| h.join().ok())
        .unwrap_or_default();
    if timed_out {
        return died(Kind::Timeout, format!("no answer within {timeout:?}"));
    }
    if stderr.contains("has overflowed its stack") {
        let thread = stderr
            .lines()
            .find(|l| l.contains("has overflowed its stack"))
            .unwrap_or("")
            .trim()
            .to_owned();
        return died(Kind::StackOverflow, thread);
    }
    let status = status.map_or("unknown status".to_owned(), |s| s.to_string());
    died(
        Kind::Crash,
        format!("{status}; stderr: {}", harness::clip(stderr.trim(), 500)),
    )
}

fn died(kind: Kind, detail: String) -> Checked {
    let signature = match kind {
        Kind::StackOverflow => format!(
            "stack overflow on the {} MiB expansion stack",
            harness::EXPANSION_STACK >> 20
        ),
        Kind::Timeout => "the expansion did not finish in time".to_owned(),
        _ => "the child process died".to_owned(),
    };
    Checked {
        tokenizes: true,
        panicked: false,
        elapsed: Duration::ZERO,
        messages: Vec::new(),
        findings: vec![finding(kind, signature, detail)],
    }
}
