//! The macro's table of operations (one line each, in
//! `autograd-macros/src/table/mod.rs`) agrees with the declarations that
//! stand beside each rule in the runtime (`autograd-runtime/src/ops/*.rs`):
//! names, rule traits, arguments, what each backward function reads, and
//! capabilities.

use std::collections::BTreeSet;

#[test]
fn the_macro_table_matches_the_runtime_declarations() {
    let table: &[&str] = autograd::__private::__op_table!();
    let macro_lines: BTreeSet<String> = table.iter().map(|s| s.to_string()).collect();
    let runtime_lines: BTreeSet<String> = autograd::__private::declarations()
        .iter()
        .map(|d| d.canonical())
        .collect();
    assert_eq!(
        table.len(),
        macro_lines.len(),
        "the macro's table has a line twice"
    );
    let only_macro: Vec<&String> = macro_lines.difference(&runtime_lines).collect();
    let only_runtime: Vec<&String> = runtime_lines.difference(&macro_lines).collect();
    assert!(
        only_macro.is_empty() && only_runtime.is_empty(),
        "the tables disagree.\nonly in the macro:\n  {}\nonly in the runtime:\n  {}",
        only_macro
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        only_runtime
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn every_name_has_one_rule() {
    let names: Vec<&str> = autograd::__private::declarations()
        .iter()
        .map(|d| d.name)
        .collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len(), "{names:?}");
}
