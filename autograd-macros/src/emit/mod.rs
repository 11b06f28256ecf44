//! Emission: the generated module around the forward and reverse sweeps.
//!
//! Each instruction kind gives its forward and reverse pieces (`op` for
//! definitions, `branch` for `if` and `match`, `loops` and `reduction` for
//! loops, `jump` for terminators and labelled blocks); `block` composes
//! them, `body` assembles the `rule` function's body, `module` the
//! functions around it. `scalar` emits a long straight-line float body in
//! chunks instead (see `analysis::scalar`). Emission only reads the plan.

mod block;
mod body;
mod branch;
mod cx;
mod first_iteration;
mod grad_type;
mod has_aux;
mod jump;
mod loops;
mod method_fallback;
mod module;
mod op;
mod reduction;
mod scalar;

pub use module::{method, method_declaration, module};
