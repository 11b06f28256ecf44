//! Operations with derivative rules, one file per family.
//!
//! Every operation is declared once, in its family's file: its forward
//! function, its derivative and what the derivative reads stand side by
//! side, with an [`OpDecl`](decl::OpDecl) (the name users write, the rule's
//! trait, which arguments are differentiated, what each backward function
//! reads, its capabilities) beside them. `#[differentiable]` knows each
//! operation by one line of its table (`autograd-macros/src/table/mod.rs`),
//! and `tests/op_table.rs` fails when a line and its declaration disagree.
//!
//! # How to add an operation
//!
//! **An elementwise function of one float** (say `erf`) takes one entry in
//! `unary_rules!` in [`unary`]:
//!
//! ```text
//! /// The rule of `x.erf()`: `y = erf x`, `d/dx erf x = 2/√π · e^(−x²)`.
//! ErfRule, erf, "`erf x`", reads "input",
//! |x| x.erf(),
//! |x, d| d * A::from_f64(std::f64::consts::FRAC_2_SQRT_PI) * (-x * x).exp(),
//! rev0_tan0 |x, d, t| -d * t * (x + x) * A::from_f64(std::f64::consts::FRAC_2_SQRT_PI) * (-x * x).exp();
//! ```
//!
//! (the last line is the second-order piece, `d·f''(x)·t`, named
//! `rev0_tan_out` when the derivative reads the output; see below).
//!
//! That generates the rule's trait, its float and tensor implementations
//! (in place when the operand is a temporary), the tensor method
//! `x.erf()` and the declaration. (`std` has no `erf`: a function the float
//! types lack goes into [`Float`](crate::float::Float) or
//! [`FloatExt`](unary::FloatExt) first, as `sigmoid` did.) Then one line in
//! the macro's table, `elementwise("erf", "ErfRule", INPUT)` (`OUT` when the
//! derivative reads the output), and the method's name in the
//! `elementwise!` list of `tests/ops_methods.rs` with its hand-derived
//! derivative, which checks values, gradients against that derivative and
//! `gradcheck`, in `f32` and `f64`, as floats and as tensors. Long
//! straight-line float bodies, which the macro emits in chunks, call the
//! new rule too: every elementwise rule qualifies. Its second derivative
//! goes in the list of `unary/tangent_tests.rs`.
//!
//! **Any other operation** is a rule trait in its family's file (or a new
//! file, listed below and in `decl::declarations`): `fwd`, one `revK` per
//! differentiated operand reading only what it needs, and optionally
//! `fwd_owned` (computes in an operand's buffer) and `revK_owned` (takes
//! the output's gradient by value); its tangents `tanK` and second-order
//! pieces `revK_tanJ` (below); implementations for floats and tensors;
//! an `OpDecl` in the family's `DECLS` saying all of that; the table line
//! (`op(name, rule, args, reads, caps)`); and tests comparing values and
//! gradients with hand-derived ones and `gradcheck`. If the rule applies
//! to floats (`f64 ∘ f64 → f64`, as `powf` and `max` do), its trait name
//! also goes in `float_rule` in the macro's `analysis/scalar.rs`, so that
//! long float bodies using it are still emitted in chunks; a rule of two
//! operands takes the second's type as its trait parameter there.

//! # Forward mode and second order
//!
//! Beside its derivative, every rule has its **tangent** (forward mode,
//! `J·v`) and the **second-order pieces** of its derivative (forward over
//! reverse, for Hessian-vector products), in the same file:
//!
//! - `tanK(reads.., t)`: the output's tangent from operand `K`'s tangent
//!   `t`, reading what `revK` reads (the same linear map, transposed); the
//!   output's tangent is the sum over the operands that have one. For an
//!   elementwise function of one float it is `rev0` of `t`, the default.
//!   Rules that assemble values (`concatenate`, `stack`, tuples, array
//!   literals, `push` and the element updates) take every operand's tangent
//!   at once instead, `None` for an operand without one.
//! - `revK_tanJ(reads.., t, d)`, one for each operand `J` whose value
//!   `revK` reads, and `revK_tan_out(reads.., t, d)` when it reads the
//!   output: the part of `revK(reads, d)`'s tangent that comes from that
//!   value's tangent `t`, the other values held. The whole tangent of
//!   `revK(reads, d)` is `revK(reads, ḋ)` plus these pieces. Rules whose
//!   derivative is piecewise constant (`max`, `min`, `clamp`, `copysign`,
//!   `rem_euclid`, `%`, `max_axis`, `min_axis`) have none; `relu` and
//!   `abs`, generated with the other elementwise rules, have pieces that
//!   are 0.
//!
//! Each family's `tangent_tests` check every tangent against central
//! differences of `fwd` and against `revK` by the dot-product identity
//! `⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩`, and every second-order piece against central
//! differences of `revK` and, for the elementwise functions, a
//! hand-derived second derivative; in `f32` and `f64`. [`tangent`] holds
//! the broadcast elementwise formulas the tensor cases share.

pub mod arith;
pub mod decl;
pub mod float_fns;
pub mod index;
pub mod join;
pub mod linalg;
pub mod operators;
pub mod pack;
pub mod reduce;
pub mod select;
pub mod shape;
pub mod softmax;
pub mod square_sum;
pub mod subslice;
pub mod tangent;
pub mod unary;
pub mod update;

#[cfg(test)]
mod assembly_tangent_tests;
#[cfg(test)]
mod owned_tests;
#[cfg(test)]
mod tangent_testing;
#[cfg(test)]
mod testing;
