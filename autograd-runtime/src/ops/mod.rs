//! Operations with derivative rules, one file per family.

pub mod arith;
pub mod linalg;
pub mod operators;
pub mod reduce;
pub mod shape;
pub mod softmax;
pub mod unary;

#[cfg(test)]
mod testing;
