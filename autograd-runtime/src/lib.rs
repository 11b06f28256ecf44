//! The runtime of `autograd`: tensors, leaf gradients, derivative rules and `gradcheck`.
//!
//! Users depend on the `autograd` facade crate, which re-exports this one.

pub mod broadcast;
pub mod error;
pub mod float;
pub mod gradcheck;
pub mod graph;
pub mod ops;
pub mod rules;
pub mod tensor;
pub mod value;

pub use error::Error;
pub use float::Float;
pub use gradcheck::{
    gradcheck, gradcheck_vjp, gradcheck_vjp_with, gradcheck_with, CheckInput, CheckInputs,
    CheckScalar, GradcheckError, GradcheckOptions,
};
pub use graph::{Cotangent, Graph, NonScalarDim};
pub use ops::unary::FloatExt;
pub use tensor::{Scalar, Tensor};
pub use value::{Differentiable, GradOf, GradValue, Meta, ScalarOutput};
