//! Every derivative rule, under the names generated code calls.
//!
//! Each rule is a trait implemented for the value types it applies to, with a
//! forward pass `fwd` and one backward function per differentiable operand
//! (`rev0` for the receiver or left operand, `rev1` for the next). A backward
//! function takes exactly what it reads (an operand, the output, or only an
//! operand's [`Meta`](crate::value::Meta)) and the output's gradient `d`.

pub use crate::ops::arith::{AddRule, DivRule, MulRule, NegRule, SubRule};
