//! Operations with derivative rules, one file per family.

pub mod arith;
pub mod decl;
pub mod index;
pub mod join;
pub mod linalg;
pub mod operators;
pub mod reduce;
pub mod select;
pub mod shape;
pub mod softmax;
pub mod square_sum;
pub mod unary;

#[cfg(test)]
mod owned_tests;
#[cfg(test)]
mod testing;
