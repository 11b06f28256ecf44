//! Optimizers: [`Sgd`], [`Adam`] and [`AdamW`], with PyTorch's update rules
//! and defaults (`torch.optim.SGD`, `torch.optim.Adam`, `torch.optim.AdamW`),
//! and learning-rate schedulers for them: [`StepLR`] and
//! [`CosineAnnealingLR`] (`torch.optim.lr_scheduler`, see [`LrScheduler`]).
//!
//! An optimizer steps any model `P: Parameters` (a [`Tensor`](crate::Tensor)
//! or a `#[derive(Parameters)]` struct) using the gradients stored in its
//! leaves by `backward()`:
//!
//! ```
//! use autograd::prelude::*;
//! use autograd::ndarray::array;
//! use autograd::optim::{Optimizer, Sgd};
//!
//! #[differentiable]
//! fn loss(w: &Tensor<f64, Ix1>) -> Scalar<f64> {
//!     (w * w).sum()
//! }
//!
//! fn main() {
//!     let mut w = Tensor::from(array![1.0, -2.0]).requires_grad();
//!     let mut opt = Sgd::new(0.1);
//!     for _ in 0..3 {
//!         opt.zero_grad(&w);
//!         loss::forward(&w).backward(); // grad = 2w
//!         opt.step(&mut w); // w ← w − 0.1·2w = 0.8·w
//!     }
//!     assert!((w.data()[0] - 0.8f64.powi(3)).abs() < 1e-15);
//! }
//! ```
//!
//! As in PyTorch:
//! * a parameter whose gradient is `None` (nothing reached it since the last
//!   `zero_grad`) is skipped, and its state (momentum, moment estimates, step
//!   count) does not change;
//! * `zero_grad` sets gradients to `None` (`set_to_none=True`);
//! * hyperparameters are `f64` (Python floats), converted to the parameters'
//!   element type where they meet a tensor; bias corrections are computed in
//!   `f64`.
//!
//! An optimizer keeps per-parameter state in visit order, for the model it
//! first stepped: stepping another model (a different number of parameters,
//! other names or shapes) panics, naming the parameter. [`Sgd::reset`] and
//! [`Adam::reset`] forget the state.

mod adam;
mod lr_scheduler;
mod sgd;

use std::fmt;

use crate::float::Float;
use crate::params::Parameters;

pub use adam::{Adam, AdamW};
pub use lr_scheduler::{CosineAnnealingLR, LrScheduler, StepLR};
pub use sgd::Sgd;

/// An optimizer: updates a model's parameters from their stored gradients.
pub trait Optimizer<A: Float> {
    /// Performs one optimization step on every parameter that has a gradient
    /// (PyTorch's `optimizer.step()`).
    ///
    /// # Panics
    /// If `params` is not the model this optimizer stepped before: its number
    /// of parameters, or a parameter's name or shape, changed. The message
    /// names the parameter.
    fn step<P: Parameters<Elem = A>>(&mut self, params: &mut P);

    /// Clears every parameter's gradient (PyTorch's `optimizer.zero_grad()`,
    /// which sets them to `None`).
    fn zero_grad<P: Parameters<Elem = A>>(&self, params: &P) {
        params.zero_grad_all()
    }

    /// The learning rate the next [`step`](Self::step) uses (PyTorch's
    /// `optimizer.param_groups[0]["lr"]`).
    fn lr(&self) -> f64;

    /// Changes the learning rate for the following steps, keeping the
    /// optimizer's state (momentum buffers, moment estimates, step counts);
    /// what a learning-rate scheduler ([`StepLR`], [`CosineAnnealingLR`])
    /// calls.
    ///
    /// ```
    /// use autograd::prelude::*;
    ///
    /// /// Halves any optimizer's rate.
    /// fn halve<A: Float>(opt: &mut impl Optimizer<A>) {
    ///     opt.set_lr(opt.lr() / 2.0);
    /// }
    ///
    /// let mut opt = Adam::<f32>::new(0.1);
    /// halve(&mut opt);
    /// assert_eq!(opt.lr(), 0.05);
    /// ```
    ///
    /// # Panics
    /// If `lr` is negative or NaN ("Invalid learning rate: …"); the rate is
    /// then unchanged. Each optimizer also has `try_set_lr`, which returns
    /// the error instead.
    fn set_lr(&mut self, lr: f64);
}

/// An invalid optimizer hyperparameter, returned by the `try_` builders.
/// The messages are PyTorch's.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum OptimError {
    /// A hyperparameter is out of its range (negative or NaN, or a beta
    /// outside `[0, 1)`); PyTorch raises `ValueError`.
    InvalidHyperparameter {
        /// `"lr"`, `"momentum"`, `"weight_decay"`, `"eps"`, `"beta1"` or `"beta2"`.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// Nesterov momentum was asked for with a momentum that is not positive
    /// or a dampening that is not zero.
    NesterovRequiresMomentum {
        /// The momentum set.
        momentum: f64,
        /// The dampening set.
        dampening: f64,
    },
}

impl fmt::Display for OptimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimError::InvalidHyperparameter { name, value } => {
                let what = match *name {
                    "lr" => "learning rate",
                    "momentum" => "momentum value",
                    "weight_decay" => "weight_decay value",
                    "eps" => "epsilon value",
                    "beta1" => "beta parameter at index 0",
                    "beta2" => "beta parameter at index 1",
                    other => other,
                };
                write!(f, "Invalid {what}: {value}")
            }
            OptimError::NesterovRequiresMomentum { .. } => {
                write!(
                    f,
                    "Nesterov momentum requires a momentum and zero dampening"
                )
            }
        }
    }
}

impl std::error::Error for OptimError {}

/// Checks `value >= 0` (false for NaN), as PyTorch's `if not 0.0 <= value`.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64, OptimError> {
    if (0.0..).contains(&value) {
        Ok(value)
    } else {
        Err(OptimError::InvalidHyperparameter { name, value })
    }
}

/// Panics with the error's message at the caller.
#[track_caller]
pub(crate) fn or_panic<T>(r: Result<T, OptimError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// The state an optimizer keeps for one parameter, with the name and shape
/// the parameter had when the state was created.
#[derive(Clone, Debug)]
pub(crate) struct Slot<S> {
    name: String,
    shape: Vec<usize>,
    /// `None` until the parameter first has a gradient.
    pub(crate) state: Option<S>,
}

/// Per-parameter state, in visit order.
#[derive(Clone, Debug)]
pub(crate) struct States<S> {
    slots: Vec<Slot<S>>,
}

impl<S> Default for States<S> {
    fn default() -> Self {
        States { slots: Vec::new() }
    }
}

impl<S> States<S> {
    /// Forgets all state.
    pub(crate) fn clear(&mut self) {
        self.slots.clear()
    }

    /// On the first step, records the model's parameter names and shapes;
    /// afterwards, checks that the model still has them (before anything is
    /// updated, so a panic leaves the model as it was).
    #[track_caller]
    pub(crate) fn sync<P: Parameters + ?Sized>(&mut self, optimizer: &str, params: &P) {
        if self.slots.is_empty() {
            params.visit("", &mut |name, p| {
                self.slots.push(Slot {
                    name: name.to_owned(),
                    shape: p.shape().to_vec(),
                    state: None,
                })
            });
            return;
        }
        let mut problem = None;
        let mut i = 0;
        params.visit("", &mut |name, p| {
            if problem.is_some() {
                return;
            }
            problem = match self.slots.get(i) {
                None => Some(format!(
                    "parameter {name:?} is new: the optimizer's state is for {} parameters",
                    self.slots.len()
                )),
                Some(slot) if slot.name != name => Some(format!(
                    "parameter {i} is {name:?}, but the optimizer's state is for {:?}",
                    slot.name
                )),
                Some(slot) if slot.shape != p.shape() => Some(format!(
                    "parameter {name:?} has shape {:?}, but the optimizer's state is for shape {:?}",
                    p.shape(),
                    slot.shape
                )),
                Some(_) => None,
            };
            i += 1;
        });
        if problem.is_none() && i < self.slots.len() {
            problem = Some(format!(
                "parameter {:?} is missing: the model has {i} parameters, the optimizer's state is for {}",
                self.slots[i].name,
                self.slots.len()
            ));
        }
        if let Some(problem) = problem {
            panic!(
                "{optimizer}::step: the model changed since the first step: {problem} \
                 (an optimizer keeps state for one model; call reset() or create a new one)"
            );
        }
    }

    /// The slot of the `i`-th parameter (after [`sync`](Self::sync)).
    pub(crate) fn slot_mut(&mut self, i: usize) -> &mut Slot<S> {
        &mut self.slots[i]
    }

    /// The number of parameters that have state.
    #[cfg(test)]
    pub(crate) fn len_with_state(&self) -> usize {
        self.slots.iter().filter(|s| s.state.is_some()).count()
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A model of two tensors for the optimizer tests, written by hand.

    use ndarray::{Array1, Array2, Ix1, Ix2};

    use crate::float::Float;
    use crate::params::{join_name, Param, ParamMut, Parameters};
    use crate::tensor::Tensor;
    use crate::value::{Differentiable, GradValue};

    pub struct Model<A: Float> {
        pub w: Tensor<A, Ix2>,
        pub b: Tensor<A, Ix1>,
    }

    pub struct ModelGrad<A> {
        w: Array2<A>,
        b: Array1<A>,
    }

    impl<A: Float> GradValue for ModelGrad<A> {
        fn accumulate(&mut self, other: Self) {
            self.w.accumulate(other.w);
            self.b.accumulate(other.b);
        }
    }

    impl<A: Float> Differentiable for Model<A> {
        type Grad = ModelGrad<A>;
        type Shape = (Ix2, Ix1);
        fn shape_of(&self) -> (Ix2, Ix1) {
            (self.w.raw_dim(), self.b.raw_dim())
        }
        fn zero_grad_of(s: &(Ix2, Ix1)) -> ModelGrad<A> {
            ModelGrad {
                w: Array2::zeros(s.0),
                b: Array1::zeros(s.1),
            }
        }
    }

    impl<A: Float> Parameters for Model<A> {
        type Elem = A;
        fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<A>)) {
            self.w.visit(&join_name(prefix, "w"), f);
            self.b.visit(&join_name(prefix, "b"), f);
        }
        fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<A>)) {
            self.w.visit_mut(&join_name(prefix, "w"), f);
            self.b.visit_mut(&join_name(prefix, "b"), f);
        }
    }

    /// Asserts that two sequences of numbers agree to `tol`, naming the position.
    #[track_caller]
    pub fn assert_close<A: Float>(found: &[A], expected: &[f64], tol: f64, what: &str) {
        assert_eq!(found.len(), expected.len(), "{what}: lengths differ");
        for (i, (f, e)) in found.iter().zip(expected).enumerate() {
            let f = f.as_f64();
            assert!(
                (f - e).abs() <= tol,
                "{what}[{i}]: found {f:e}, expected {e:e} (difference {:e}, tolerance {tol:e})",
                (f - e).abs()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Model;
    use super::*;
    use crate::tensor::Tensor;
    use ndarray::array;

    #[test]
    fn error_messages_are_pytorchs() {
        let e = OptimError::InvalidHyperparameter {
            name: "lr",
            value: -0.1,
        };
        assert_eq!(e.to_string(), "Invalid learning rate: -0.1");
        let e = OptimError::InvalidHyperparameter {
            name: "beta2",
            value: 1.0,
        };
        assert_eq!(e.to_string(), "Invalid beta parameter at index 1: 1");
        assert!(non_negative("eps", f64::NAN).is_err());
        assert_eq!(non_negative("eps", 0.0), Ok(0.0));
    }

    fn model() -> Model<f64> {
        Model {
            w: Tensor::zeros((2, 2)),
            b: Tensor::zeros(2),
        }
    }

    /// Halves a rate through the trait alone, as a scheduler does.
    fn halve<A: Float, O: Optimizer<A>>(opt: &mut O) -> f64 {
        opt.set_lr(opt.lr() / 2.0);
        opt.lr()
    }

    #[test]
    fn every_optimizer_reads_and_sets_its_rate_through_the_trait() {
        assert_eq!(halve(&mut Sgd::<f64>::new(0.2).momentum(0.9)), 0.1);
        assert_eq!(halve(&mut Adam::<f32>::new(0.2)), 0.1);
        assert_eq!(halve(&mut AdamW::<f64>::new(0.2)), 0.1);
        // The next step uses the new rate: p ← p − 0.25·2 = 0.5.
        let mut w = Tensor::from(array![1.0f64]).requires_grad();
        let mut opt = Sgd::new(0.5);
        Optimizer::set_lr(&mut opt, 0.25);
        w.accumulate_grad(array![2.0]);
        opt.step(&mut w);
        assert_eq!(w.data()[0], 0.5);
    }

    #[test]
    #[should_panic(expected = "Invalid learning rate: -1")]
    fn set_lr_through_the_trait_refuses_a_negative_rate() {
        Optimizer::set_lr(&mut AdamW::<f64>::new(0.1), -1.0);
    }

    #[test]
    fn sync_records_then_accepts_the_same_model() {
        let mut s = States::<()>::default();
        s.sync("Test", &model());
        s.sync("Test", &model());
        assert_eq!(s.slots.len(), 2);
        assert_eq!(s.slots[1].name, "b");
        assert_eq!(s.len_with_state(), 0);
    }

    #[test]
    #[should_panic(
        expected = "Test::step: the model changed since the first step: parameter \"b\" has shape [3], but the optimizer's state is for shape [2]"
    )]
    fn sync_panics_on_a_changed_shape() {
        let mut s = States::<()>::default();
        s.sync("Test", &model());
        let mut m = model();
        m.b = Tensor::from(array![1.0, 2.0, 3.0]);
        s.sync("Test", &m);
    }

    #[test]
    #[should_panic(expected = "parameter 0 is \"\", but the optimizer's state is for \"w\"")]
    fn sync_panics_on_another_model() {
        let mut s = States::<()>::default();
        s.sync("Test", &model());
        s.sync("Test", &Tensor::<f64, ndarray::Ix2>::zeros((2, 2)));
    }

    #[test]
    #[should_panic(expected = "parameter \"b\" is new: the optimizer's state is for 1 parameters")]
    fn sync_panics_on_more_parameters() {
        let mut s = States::<()>::default();
        s.slots.push(Slot {
            name: "w".into(),
            shape: vec![2, 2],
            state: None,
        });
        s.sync("Test", &model());
    }

    #[test]
    #[should_panic(expected = "parameter \"b\" is missing: the model has 1 parameters")]
    fn sync_panics_on_fewer_parameters() {
        let mut s = States::<()>::default();
        s.sync("Test", &model());
        s.slots[0].name = String::new();
        s.slots[0].shape = vec![2, 2];
        s.sync("Test", &model().w);
    }
}
