//! Operations with derivative rules, one file per family.

pub mod arith;
pub mod operators;
