//! Macro-level fuzz test of `#[differentiable]` (no rustc needed).
//!
//! Feeds thousands of function items to the attribute's expansion and checks
//! five properties of every expansion:
//!
//! 1. it never panics (each call runs inside `catch_unwind`; the input that
//!    panicked is shrunk token by token and reported);
//! 2. it never overflows the stack: each expansion runs on a fresh thread
//!    with a 4 MiB stack (rustc gives a proc macro about 8 MiB). Deep inputs
//!    are probed in `probes`, one test each, in child processes, so that an
//!    overflow fails one test instead of aborting the test binary;
//! 3. every error it reports (a `::core::compile_error! { "..." }` in the
//!    output) carries a span inside the input, not `Span::call_site()` nor a
//!    span of some string the macro lexed itself. The input is lexed with
//!    proc-macro2's `span-locations`, so spans know their file and bytes;
//! 4. when it reports errors, the output still holds the user's `fn` of the
//!    same name, so the rest of the user's crate compiles;
//! 5. the output parses as a `syn::File`. For an input that is not a
//!    function at all, re-emitting the input unchanged beside the errors is
//!    also accepted (rustc then reports the syntax errors itself). An output
//!    without errors must hold both `fn f` and `mod f`.
//!
//! Inputs: the `#[differentiable]` functions of `tests/`, `examples/` and
//! `benches/` (read at test time) and hand-written ones ([`corpus`]);
//! random functions from a small grammar ([`grammar`]); token-level
//! mutations of both ([`mutate`]); random attribute arguments; and the deep
//! nesting probes ([`probes`]). The generator is a fixed-seed PRNG, so a
//! run is reproducible; a failure names its case number.
//!
//! ```text
//! cargo test -p autograd-macros fuzz_tests -- --nocapture      # default run, with reports
//! AUTOGRAD_MACRO_FUZZ_CASES=100000 cargo test -p autograd-macros --release fuzz_tests
//! AUTOGRAD_MACRO_FUZZ_SEED=7 ...                # another sequence of cases
//! AUTOGRAD_MACRO_FUZZ_MINIMISE_SECS=60 ...      # more time to shrink failing inputs
//! ```
//!
//! `AUTOGRAD_MACRO_FUZZ_CASES` is the number of mutated cases; the generated
//! functions are half as many and the attribute cases a tenth.

use proc_macro2::TokenStream;

/// The one call of the macro's entry point: update this path if it moves.
fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    crate::expand::expand(attr, item)
}

mod corpus;
mod grammar;
mod harness;
mod mutate;
mod probes;
mod rng;
mod run;
mod server;
mod tree;

use std::time::Instant;

use harness::{on_big_stack, Case};
use rng::Rng;
use tree::Tree;

const DEFAULT_CASES: usize = 3000;

/// Runs `n` cases made by `make` for test `name` (on a large stack),
/// prints the report and fails with it if anything failed.
fn fuzz(
    name: &'static str,
    label: &'static str,
    n: usize,
    make: impl Fn(usize) -> Option<Case> + Sync + Send + 'static,
) {
    let test = server::test_path(module_path!(), name);
    let result = on_big_stack(move || {
        let start = Instant::now();
        let summary = run::run(&test, n, &make);
        run::finish(&test, label, summary, start.elapsed())
    });
    match result {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("{report}"),
    }
}

/// The corpus, lexed into trees once.
fn lexed_seeds() -> Vec<(String, Vec<Tree>)> {
    on_big_stack(|| {
        corpus::seeds()
            .into_iter()
            .filter_map(|s| Some((s.origin, tree::parse(&s.item)?)))
            .collect()
    })
}

#[test]
fn the_corpus_holds_the_repository_functions() {
    let repo = on_big_stack(corpus::repo_functions);
    // The repository has a few hundred; fewer means the extraction broke.
    assert!(repo.len() > 200, "only {} functions found", repo.len());
    // Some (the UI tests of too deep bodies) need a big stack to parse.
    assert!(on_big_stack(|| corpus::seeds()
        .iter()
        .all(|s| tree::parse(&s.item).is_some())));
}

#[test]
fn corpus_as_is() {
    if server::served() {
        return;
    }
    let seeds = on_big_stack(corpus::seeds);
    let n = seeds.len();
    fuzz("corpus_as_is", "corpus as is", n, move |i| {
        Some(Case::item(seeds[i].item.clone()).from(seeds[i].origin.clone()))
    });
}

/// Mutates a corpus seed (or, one time in four, a generated function).
/// Three cases in four retry (up to eight times) until the mutant still
/// parses as a function, so that most cases reach past the parser.
#[test]
fn mutated_corpus() {
    if server::served() {
        return;
    }
    let seeds = lexed_seeds();
    let vocab = on_big_stack(mutate::Vocabulary::new);
    let seed = run::seed();
    let n = run::case_count(DEFAULT_CASES);
    fuzz("mutated_corpus", "mutated corpus", n, move |i| {
        let mut rng = Rng::for_case(seed, i as u64);
        let donor = rng.pick(&seeds).1.clone();
        let (origin, base) = if rng.chance(25) {
            (
                "a generated function".to_owned(),
                tree::parse(&grammar::function(&mut rng))?,
            )
        } else {
            rng.pick(&seeds).clone()
        };
        let must_parse = rng.chance(75);
        let mut last = None;
        for _ in 0..8 {
            last = mutate::mutate(&mut rng, &vocab, &base, &donor);
            let parses = last
                .as_deref()
                .is_some_and(|m| syn::parse_str::<syn::ItemFn>(m).is_ok());
            if parses || !must_parse {
                break;
            }
        }
        Some(Case::item(last?).from(format!("mutation of {origin}")))
    });
}

#[test]
fn generated_functions() {
    if server::served() {
        return;
    }
    let seed = run::seed() ^ 0x6E;
    let n = run::case_count(DEFAULT_CASES) / 2;
    fuzz("generated_functions", "generated functions", n, move |i| {
        let mut rng = Rng::for_case(seed, i as u64);
        Some(Case::item(grammar::function(&mut rng)).from("the grammar"))
    });
}

/// Arguments to the attribute (it takes none): the error must point into
/// them or into the item, whatever they are.
#[test]
fn attribute_arguments() {
    if server::served() {
        return;
    }
    let seeds = lexed_seeds();
    let vocab = on_big_stack(mutate::Vocabulary::new);
    let seed = run::seed() ^ 0xA7;
    let n = (run::case_count(DEFAULT_CASES) / 10).max(20);
    fuzz("attribute_arguments", "attribute arguments", n, move |i| {
        let mut rng = Rng::for_case(seed, i as u64);
        let (origin, trees) = rng.pick(&seeds);
        let attr = match rng.below(4) {
            0 => "x".to_owned(),
            1 => "no_grad, x = 1".to_owned(),
            _ => {
                let lone = tree::parse("x")?;
                mutate::mutate(&mut rng, &vocab, &lone, &[])?
            }
        };
        Some(Case {
            attr,
            ..Case::item(tree::text(trees)).from(origin.clone())
        })
    });
}
