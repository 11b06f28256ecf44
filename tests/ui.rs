//! Compile-fail tests: mistakes that must be compile errors, with their messages.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
