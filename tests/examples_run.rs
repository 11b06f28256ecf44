//! The examples' own assertions, run as tests (each example checks its
//! numbers: a custom rule against finite differences, a Jacobian against
//! the hand-derived one, a fitted line against the truth).

#[path = "../examples/custom_rule.rs"]
#[allow(dead_code)]
mod custom_rule;

#[path = "../examples/jacobian.rs"]
#[allow(dead_code)]
mod jacobian;

#[path = "../examples/linear_regression.rs"]
#[allow(dead_code)]
mod linear_regression;

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

#[test]
fn custom_rule_example() {
    custom_rule::main();
}

#[test]
fn jacobian_example() {
    jacobian::main();
}

#[test]
fn linear_regression_example() {
    linear_regression::main();
}

#[test]
fn quickstart_example() {
    quickstart::main();
}
