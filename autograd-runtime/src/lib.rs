//! The runtime of `autograd`: tensors, leaf gradients, derivative rules and `gradcheck`.
//!
//! Users depend on the `autograd` facade crate, which re-exports this one.

#[cfg(feature = "blas")]
extern crate blas_src;

mod argmax;
pub mod array;
pub mod auxiliary;
pub mod broadcast;
pub mod clip;
pub mod constant;
pub mod container;
pub mod data;
pub mod error;
pub mod float;
pub mod gradcheck;
pub mod graph;
pub mod init;
pub mod jacobian;
pub mod losses;
pub mod method;
pub mod ops;
pub mod optim;
pub mod params;
pub mod project;
pub mod real;
pub mod rng;
pub mod rules;
pub mod tensor;
pub mod tuple;
pub mod value;

pub use auxiliary::Aux;
pub use clip::{clip_grad_norm, total_grad_norm, try_clip_grad_norm, ClipError};
pub use container::Element;
pub use data::{DataLoader, IntoSamples};
pub use error::Error;
pub use float::Float;
pub use gradcheck::{
    gradcheck, gradcheck_hvp, gradcheck_hvp_with, gradcheck_jvp, gradcheck_jvp_with, gradcheck_vjp,
    gradcheck_vjp_with, gradcheck_with, CheckInput, CheckInputs, CheckOutput, CheckScalar,
    GradcheckError, GradcheckOptions,
};
pub use graph::{Cotangent, Graph, NonScalarDim};
pub use jacobian::{jacfwd, jacobian, numerical_jacobian};
pub use losses::{
    binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_sum, cross_entropy,
    cross_entropy_sum, mse, mse_sum, try_binary_cross_entropy_with_logits,
    try_binary_cross_entropy_with_logits_sum, try_cross_entropy, try_cross_entropy_sum, try_mse,
    try_mse_sum,
};
pub use ops::join::{concatenate, stack, try_concatenate, try_stack};
pub use ops::unary::FloatExt;
pub use optim::{Adam, AdamW, CosineAnnealingLR, LrScheduler, OptimError, Optimizer, Sgd, StepLR};
pub use params::{join_name, LoadError, Param, ParamMut, Parameters};
pub use rng::Rng;
pub use tensor::{Scalar, Tensor};
pub use value::{Differentiable, GradOf, GradValue, Meta, Reached, ScalarOutput};
