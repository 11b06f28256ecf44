//! A differential fuzzer for `#[differentiable]`, run as an integration test.
//!
//! It generates random function bodies over the constructs the macro is meant
//! to support (arithmetic and methods, `let`/shadowing/copies/swaps, blocks
//! and labelled blocks, `if`/`match` with binding patterns and guards, every
//! kind of loop with `break`/`continue`/labels, early `return`, reduction
//! loops, a Clenshaw recurrence, slices and tensors, tuples and arrays as
//! values: `.0`, tuple and array patterns, tuples carried through loops and
//! joined by branches, destructuring assignment, calls to generated
//! `#[differentiable]` helpers returning tuples or `[f64; N]`), compiles each with
//! `#[differentiable]` into generated crates under `target/fuzz/`, runs them,
//! and checks every case: `value_and_grad`'s value equals the plain
//! function's bit for bit, its gradient equals an exact forward-mode
//! (dual-number) oracle printed from the same tree, with central differences
//! as a second opinion, and each parameter's gradient is the same when the
//! pullback (`f::rule`) is asked for that parameter alone, as it is for a
//! helper called with constants or a tensor that does not require grad.
//! See `tests/fuzz/mod.rs` for the parts.
//!
//! ```sh
//! cargo test --test differential_fuzz -- --nocapture            # default: fixed seed, 400 cases
//! AUTOGRAD_FUZZ_CASES=100000 AUTOGRAD_FUZZ_SEED=7 \
//!   cargo test --release --test differential_fuzz differential_fuzz -- --nocapture
//! ```
//!
//! Environment:
//! - `AUTOGRAD_FUZZ_CASES=N`: number of cases (default 400), in batches of
//!   `AUTOGRAD_FUZZ_BATCH` (default 50) per generated crate, built by
//!   `AUTOGRAD_FUZZ_JOBS` workers (default: 2, or 1 on one core).
//! - `AUTOGRAD_FUZZ_SEED=S` (decimal or `0x..`): the run's seed; case `i` depends only on `(S, i)`.
//! - `AUTOGRAD_FUZZ_ONLY=i,j`: run only those cases of the seed (to reproduce one).
//! - `AUTOGRAD_FUZZ_KEEP=dir`: keep every batch crate in `dir/batches/` and
//!   each failing case in `dir/failures/<kind>/` (shrunk ones as `.min.rs`).
//! - `AUTOGRAD_FUZZ_SHRINK=N`: shrink the first `N` examples of each failure kind.
//! - `AUTOGRAD_FUZZ_ALLOW_REFUSED=all` or `=labelled-loop,labelled-block`:
//!   refusals (the macro's `compile_error!`) of all cases, or of cases with
//!   those constructs, do not fail the test. By default every refusal fails:
//!   the generator only writes constructs meant to be supported.
//! - `AUTOGRAD_FUZZ_DISABLE=construct,..`: never generate those constructs
//!   (names as in the report, e.g. `copy-alias`, `swap`, `match-binding`,
//!   `nested-tuple`, `tuple-loop`, `helper-tuple`, `array-pattern`).
//! - `AUTOGRAD_FUZZ_TENSOR_SHARE=p`: the share of tensor bodies (default 0.2).
//! - `AUTOGRAD_FUZZ_STRAIGHT_SHARE=p`: the share of long straight-line float
//!   bodies, which the macro emits in chunks (default 0.1).
//! - `AUTOGRAD_FUZZ_VERBOSE=1`: say what the shrinker tries.
//! - `AUTOGRAD_FUZZ_SHRINK_SECS=s`: time for one shrink (default 240).
//! - `AUTOGRAD_FUZZ_CRATE=path`: fuzz another checkout of `autograd`.

mod fuzz;

#[test]
fn checker_verdicts() {
    fuzz::selftest::checker_verdicts();
}

#[test]
fn dual_selects_as_f64() {
    fuzz::selftest::dual_selects_as_f64();
}

#[test]
fn checker_skips_kinks() {
    fuzz::selftest::checker_skips_kinks();
}

#[test]
fn harness_lines() {
    fuzz::selftest::harness_lines();
}

#[test]
fn diagnostics_are_classified() {
    fuzz::selftest::diagnostics_are_classified();
}

#[test]
fn generator_coverage() {
    fuzz::selftest::generator_coverage();
}

#[test]
fn shrink_candidates() {
    fuzz::selftest::shrink_candidates();
}

#[test]
fn shrink_keeps_loops_finite() {
    fuzz::selftest::shrink_keeps_loops_finite();
}

/// The campaign: generate, build, run, check; fails on any failure (see the summary).
#[test]
fn differential_fuzz() {
    let config = fuzz::Config::from_env().unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "[fuzz] {} cases, seed {:#x}, batches of {}, {} workers, crates under {}",
        config.only.as_ref().map_or(config.cases, Vec::len),
        config.seed,
        config.batch,
        config.jobs,
        config.work.display()
    );
    let summary = fuzz::run(&config);
    let report = summary.render();
    eprintln!("{report}");
    assert!(
        !summary.failed(),
        "the differential fuzzer found failures (the report above says which)"
    );
}
