//! Runs one case and judges it.
//!
//! The expansion runs on a fresh thread with a 4 MiB stack (rustc gives a
//! proc macro about 8 MiB), inside `catch_unwind`. That thread also lexes
//! the input (so the spans of the input and of the output's errors share its
//! source map) and locates every `compile_error!` the output holds, all
//! without recursion; everything else (parsing the output with syn) happens
//! on the calling thread, which should have a large stack ([`on_big_stack`]).

use std::cell::RefCell;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;
use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use proc_macro2::{Span, TokenStream, TokenTree};

use super::tree::{self, Tree};

/// The expansion's stack: half of what rustc gives a proc macro.
pub const EXPANSION_STACK: usize = 4 << 20;
/// The checker's stack: syn's parser recurses on deeply nested outputs.
pub const CHECKER_STACK: usize = 256 << 20;
const EXPAND_THREAD: &str = "autograd-fuzz-expand";

/// One input of the attribute: its arguments and the item it is put on.
#[derive(Clone, Debug)]
pub struct Case {
    pub attr: String,
    pub item: String,
    /// Where the case comes from, for the report (not part of the input).
    pub origin: String,
}

impl Case {
    pub fn item(item: impl Into<String>) -> Case {
        Case {
            attr: String::new(),
            item: item.into(),
            origin: String::new(),
        }
    }

    pub fn from(mut self, origin: impl Into<String>) -> Case {
        self.origin = origin.into();
        self
    }
}

/// Where an error's span points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// Inside the attribute's arguments or the item.
    Input,
    /// `Span::call_site()` or `Span::mixed_site()`: no location at all.
    CallSite,
    /// Some other source, e.g. a string the macro lexed itself.
    Outside(String),
}

/// One `compile_error!` of an output.
#[derive(Clone, Debug)]
pub struct Reported {
    pub message: String,
    pub place: Place,
}

/// What one expansion did.
pub struct Observed {
    /// False if the input is not a token stream (the case is skipped).
    pub tokenizes: bool,
    /// The panic's message and location.
    pub panic: Option<String>,
    pub elapsed: Duration,
    pub errors: Vec<Reported>,
    pub output: Vec<Tree>,
}

impl Observed {
    fn skipped() -> Observed {
        Observed {
            tokenizes: false,
            panic: None,
            elapsed: Duration::ZERO,
            errors: Vec::new(),
            output: Vec::new(),
        }
    }
}

/// Runs `f` on a thread with a large stack and returns its result.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = thread::Builder::new()
        .name("autograd-fuzz-check".into())
        .stack_size(CHECKER_STACK)
        .spawn(f)
        .expect("spawn the checker thread");
    match handle.join() {
        Ok(v) => v,
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Expands `case` on a fresh 4 MiB thread. A stack overflow there aborts
/// the process: deep inputs belong in their own tests (see `probes`).
pub fn expand_isolated(case: &Case) -> Observed {
    install_quiet_hook();
    let (attr, item) = (case.attr.clone(), case.item.clone());
    let joined = thread::Builder::new()
        .name(EXPAND_THREAD.into())
        .stack_size(EXPANSION_STACK)
        .spawn(move || observe(&attr, &item))
        .expect("spawn the expansion thread")
        .join();
    joined.unwrap_or_else(|payload| Observed {
        panic: Some(format!(
            "the fuzz harness itself panicked: {}",
            payload_text(&*payload)
        )),
        tokenizes: true,
        ..Observed::skipped()
    })
}

fn observe(attr_src: &str, item_src: &str) -> Observed {
    let (Ok(attr), Ok(item)) = (
        TokenStream::from_str(attr_src),
        TokenStream::from_str(item_src),
    ) else {
        return Observed::skipped();
    };
    let inputs = [Extent::of(&attr), Extent::of(&item)];
    let start = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| super::expand(attr, item)));
    let elapsed = start.elapsed();
    match result {
        Err(payload) => Observed {
            tokenizes: true,
            panic: Some(
                LAST_PANIC
                    .with(|p| p.borrow_mut().take())
                    .unwrap_or_else(|| payload_text(&*payload)),
            ),
            elapsed,
            errors: Vec::new(),
            output: Vec::new(),
        },
        Ok(out) => Observed {
            tokenizes: true,
            panic: None,
            elapsed,
            errors: compile_errors(&out, &inputs),
            output: tree::from_stream(out),
        },
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics on expansion threads are recorded, not printed; every other
/// thread keeps the previous hook.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if thread::current().name() == Some(EXPAND_THREAD) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                let text = format!("at {at}: {}", payload_text(info.payload()));
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// The source file and byte range an input's tokens cover.
struct Extent {
    file: String,
    bytes: Range<usize>,
}

impl Extent {
    fn of(stream: &TokenStream) -> Option<Extent> {
        let mut tokens = stream.clone().into_iter();
        let first = tokens.next()?.span();
        let last = tokens.last().map_or(first, |t| t.span());
        Some(Extent {
            file: first.file(),
            bytes: first.byte_range().start..last.byte_range().end,
        })
    }
}

fn place_of(span: Span, inputs: &[Option<Extent>]) -> Place {
    let file = span.file();
    let bytes = span.byte_range();
    if bytes == (0..0) && file == "<unspecified>" {
        return Place::CallSite;
    }
    let inside = inputs
        .iter()
        .flatten()
        .any(|e| e.file == file && e.bytes.start <= bytes.start && bytes.end <= e.bytes.end);
    if inside {
        Place::Input
    } else {
        Place::Outside(format!("{file}, bytes {bytes:?}"))
    }
}

/// Every `compile_error! { .. }` in `out`, at any depth (without recursion).
fn compile_errors(out: &TokenStream, inputs: &[Option<Extent>]) -> Vec<Reported> {
    let mut found = Vec::new();
    let mut pending = vec![out.clone()];
    while let Some(stream) = pending.pop() {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            if let TokenTree::Group(g) = token {
                pending.push(g.stream());
            }
            let Some([TokenTree::Ident(name), TokenTree::Punct(bang), TokenTree::Group(args)]) =
                tokens.get(i..i + 3)
            else {
                continue;
            };
            if name != "compile_error" || bang.as_char() != '!' {
                continue;
            }
            let mut spans = vec![name.span(), bang.span(), args.span()];
            spans.extend(args.stream().into_iter().map(|t| t.span()));
            let place = spans
                .into_iter()
                .map(|s| place_of(s, inputs))
                .find(|p| *p != Place::Input)
                .unwrap_or(Place::Input);
            let message = match syn::parse2::<syn::LitStr>(args.stream()) {
                Ok(lit) => lit.value(),
                Err(_) => args.stream().to_string(),
            };
            found.push(Reported { message, place });
        }
    }
    found
}

/// The kinds of failure the fuzz test looks for, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The expansion overflowed its 4 MiB stack (the process aborted).
    StackOverflow,
    /// The expansion did not finish in time (see `server`).
    Timeout,
    /// The process expanding died some other way.
    Crash,
    /// The expansion panicked.
    Panic,
    /// A `compile_error!` whose span is not inside the input.
    SpanOutsideInput,
    /// The output is not a Rust file (and not the input re-emitted as is).
    OutputNotRust,
    /// Errors were reported but the user's `fn` is not in the output.
    UserFnMissing,
    /// No error was reported, yet the output lacks `fn f` or `mod f`.
    SilentlyIncomplete,
    /// No error was reported for an item that is not a function.
    NonFunctionAccepted,
}

const KINDS: &[Kind] = &[
    Kind::StackOverflow,
    Kind::Timeout,
    Kind::Crash,
    Kind::Panic,
    Kind::SpanOutsideInput,
    Kind::OutputNotRust,
    Kind::UserFnMissing,
    Kind::SilentlyIncomplete,
    Kind::NonFunctionAccepted,
];

impl Kind {
    pub fn from_name(name: &str) -> Option<Kind> {
        KINDS.iter().copied().find(|k| format!("{k:?}") == name)
    }
}

/// One case, expanded and judged: what the run keeps of it.
pub struct Checked {
    pub tokenizes: bool,
    pub panicked: bool,
    pub elapsed: Duration,
    pub messages: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Expands `case` in this process and judges it. Call it on a large stack;
/// the expansion itself gets its own 4 MiB thread.
pub fn check_here(case: &Case) -> Checked {
    let seen = expand_isolated(case);
    let findings = judge(case, &seen);
    Checked {
        tokenizes: seen.tokenizes,
        panicked: seen.panic.is_some(),
        elapsed: seen.elapsed,
        messages: messages(&seen),
        findings,
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub kind: Kind,
    /// What identifies the failure across inputs (deduplication key).
    pub signature: String,
    pub detail: String,
}

pub fn finding(kind: Kind, signature: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding {
        kind,
        signature: signature.into(),
        detail: detail.into(),
    }
}

/// Checks one observed expansion of `case` against the five properties.
pub fn judge(case: &Case, seen: &Observed) -> Vec<Finding> {
    let mut out = Vec::new();
    if !seen.tokenizes {
        return out;
    }
    if let Some(p) = &seen.panic {
        out.push(finding(Kind::Panic, normalise(&first_line(p)), p.clone()));
        return out;
    }
    for e in &seen.errors {
        match &e.place {
            Place::Input => {}
            Place::CallSite => out.push(finding(
                Kind::SpanOutsideInput,
                format!("call_site: {}", normalise(&e.message)),
                e.message.clone(),
            )),
            Place::Outside(at) => out.push(finding(
                Kind::SpanOutsideInput,
                format!("elsewhere: {}", normalise(&e.message)),
                format!("{} (span at {at})", e.message),
            )),
        }
    }
    let input_fn = syn::parse_str::<syn::ItemFn>(&case.item).ok();
    let parsed = syn::parse2::<syn::File>(tree::to_stream(&seen.output));
    match (&input_fn, &parsed) {
        (_, Ok(_)) => {}
        (Some(_), Err(e)) => out.push(finding(
            Kind::OutputNotRust,
            format!("output does not parse: {e}"),
            excerpt_at_error(&seen.output),
        )),
        (None, Err(e)) if !is_input_reemitted(&case.item, &seen.output) => out.push(finding(
            Kind::OutputNotRust,
            format!("non-function input: output neither parses nor re-emits the input: {e}"),
            excerpt_at_error(&seen.output),
        )),
        (None, Err(_)) => {}
    }
    let Some(input_fn) = input_fn else {
        // An `impl` block or a trait is accepted: its methods get rules.
        let block = syn::parse_str::<syn::ItemImpl>(&case.item).is_ok()
            || syn::parse_str::<syn::ItemTrait>(&case.item).is_ok();
        if seen.errors.is_empty() && !block {
            out.push(finding(
                Kind::NonFunctionAccepted,
                "an item that is not a function was accepted without error",
                String::new(),
            ));
        }
        return out;
    };
    let name = input_fn.sig.ident.to_string();
    let has_fn = has_item(&seen.output, "fn", &name);
    if !seen.errors.is_empty() && !has_fn {
        out.push(finding(
            Kind::UserFnMissing,
            "errors reported, but the output lacks the user's `fn`",
            format!("fn `{name}`; errors: {:?}", messages(seen)),
        ));
    }
    // A method's derivative is its rule beside it, not a module.
    let method = matches!(input_fn.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
    let derivative = if method {
        // `r#area`'s rule is `__ad_rule_area`.
        let bare = name.trim_start_matches("r#");
        has_item(&seen.output, "fn", &format!("__ad_rule_{bare}"))
    } else {
        has_item(&seen.output, "mod", &name)
    };
    if seen.errors.is_empty() && !(has_fn && derivative) {
        out.push(finding(
            Kind::SilentlyIncomplete,
            "no error, but the output lacks `fn f` or its derivative (`mod f`, or `fn __ad_rule_f` for a method)",
            format!(
                "name `{name}`, output: {}",
                clip(&tree::text(&seen.output), 300)
            ),
        ));
    }
    out
}

pub fn messages(seen: &Observed) -> Vec<String> {
    seen.errors.iter().map(|e| e.message.clone()).collect()
}

/// Whether the top level holds `keyword name` (e.g. `fn f`, `mod f`).
fn has_item(output: &[Tree], keyword: &str, name: &str) -> bool {
    output
        .windows(2)
        .any(|w| w[0].ident() == Some(keyword) && w[1].ident() == Some(name))
}

/// The output, minus its top-level `::core::compile_error! { .. }`s, is the
/// input token for token (the tokio-macros way of keeping user code).
fn is_input_reemitted(item: &str, output: &[Tree]) -> bool {
    let mut rest: Vec<Tree> = output.to_vec();
    while let Some(i) = rest.windows(3).position(|w| {
        w[0].ident() == Some("compile_error")
            && w[1].is_punct('!')
            && matches!(w[2], Tree::Group(..))
    }) {
        let path_start = i.saturating_sub(5);
        let prefix = &rest[path_start..i];
        let has_path = prefix.len() == 5
            && prefix[2].ident() == Some("core")
            && [0, 1, 3, 4].iter().all(|&k| prefix[k].is_punct(':'));
        let from = if has_path { path_start } else { i };
        rest.drain(from..i + 3);
    }
    tree::parse(item).is_some_and(|input| tree::text(&input) == tree::text(&rest))
}

/// The printed output around the place syn's parser stopped.
fn excerpt_at_error(output: &[Tree]) -> String {
    let text = tree::text(output);
    let Err(e) = syn::parse_str::<syn::File>(&text) else {
        return format!("(parses once printed) {}", clip(&text, 400));
    };
    let at = e.span().start();
    let line = text.lines().nth(at.line.saturating_sub(1)).unwrap_or("");
    let chars: Vec<char> = line.chars().collect();
    let from = at.column.saturating_sub(200);
    let to = (at.column + 100).min(chars.len());
    let before: String = chars[from.min(to)..at.column.min(to)].iter().collect();
    let after: String = chars[at.column.min(to)..to].iter().collect();
    format!("…{before} ⟪HERE⟫ {after}…")
}

/// A message with the user's code (between backticks or double quotes)
/// blanked out, so the same failure on different inputs deduplicates.
pub fn normalise(message: &str) -> String {
    let mut out = String::new();
    let mut open: Option<char> = None;
    for c in message.chars() {
        match open {
            Some(q) if c == q => {
                out.push('…');
                out.push(q);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '`' || c == '"' {
                    open = Some(c);
                }
            }
        }
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}

pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}… ({} chars)", s.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_placed_by_file_and_bytes() {
        let item = TokenStream::from_str("fn f(x: f64) -> f64 { x }").unwrap();
        let elsewhere = TokenStream::from_str("y").unwrap();
        let inputs = [None, Extent::of(&item)];
        let token = item.clone().into_iter().nth(1).unwrap().span();
        assert_eq!(place_of(token, &inputs), Place::Input);
        assert_eq!(place_of(Span::call_site(), &inputs), Place::CallSite);
        assert_eq!(place_of(Span::mixed_site(), &inputs), Place::CallSite);
        let other = elsewhere.into_iter().next().unwrap().span();
        assert!(matches!(place_of(other, &inputs), Place::Outside(_)));
    }

    #[test]
    fn errors_are_found_with_their_messages_and_places() {
        let case = Case {
            attr: "x".into(),
            ..Case::item("fn f(x: f64) -> f64 { unsafe { x } }")
        };
        let seen = expand_isolated(&case);
        assert!(seen.panic.is_none());
        let messages = messages(&seen);
        assert!(
            messages.iter().any(|m| m.contains("takes no arguments")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("`unsafe`")),
            "{messages:?}"
        );
        assert!(seen.errors.iter().all(|e| e.place == Place::Input));
        assert!(judge(&case, &seen).is_empty());
    }
}
