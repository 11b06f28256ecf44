//! Learning-rate schedulers: [`StepLR`] and [`CosineAnnealingLR`], as
//! `torch.optim.lr_scheduler`'s, behind the [`LrScheduler`] trait.
//!
//! A scheduler reads the optimizer's rate when it is built (the base rate)
//! and does not hold the optimizer: once per epoch, after the epoch's
//! optimizer steps, [`scheduler.step(&mut optimizer)`](LrScheduler::step)
//! sets the rate of the next epoch, as PyTorch's `scheduler.step()` after
//! `optimizer.step()` does.
//!
//! ```
//! use autograd::prelude::*;
//!
//! #[differentiable]
//! fn loss(w: &Tensor<f64, Ix1>) -> Scalar<f64> {
//!     (w * w).sum()
//! }
//!
//! fn main() {
//!     let mut w = Tensor::from(autograd::ndarray::array![1.0, -2.0]).requires_grad();
//!     let mut optimizer = Sgd::new(0.1);
//!     let mut scheduler = StepLR::new(&optimizer, 2, 0.5);
//!     let mut rates = Vec::new();
//!     for _epoch in 0..5 {
//!         rates.push(optimizer.lr());
//!         for _batch in 0..3 {
//!             loss::forward(&w).backward();
//!             optimizer.step(&mut w);
//!             optimizer.zero_grad(&w);
//!         }
//!         scheduler.step(&mut optimizer);
//!     }
//!     assert_eq!(rates, [0.1, 0.1, 0.05, 0.05, 0.025]);
//!     assert_eq!(scheduler.get_last_lr(), optimizer.lr());
//! }
//! ```
//!
//! Both compute each epoch's rate from the base rate and the epoch alone (a
//! closed form). PyTorch computes it from the previous epoch's rate; in
//! exact arithmetic the two are the same numbers, and in floating point
//! they agree to within a few units in the last place (the tests compare
//! with rates printed by PyTorch 2.15). A rate set by hand between two
//! steps is overwritten by the next step; where PyTorch would continue from
//! it, this does not.

use super::{non_negative, or_panic, OptimError, Optimizer};
use crate::float::Float;

/// A learning-rate schedule: the rate of each epoch, and stepping an
/// optimizer through it (PyTorch's `LRScheduler`).
///
/// Epochs count the calls of [`step`](Self::step): epoch 0 is the one before
/// the first call, whose rate is the base rate (PyTorch's `last_epoch`).
pub trait LrScheduler {
    /// The learning rate of epoch `epoch` (the base rate at 0).
    fn lr_at(&self, epoch: usize) -> f64;

    /// The current epoch: the number of [`step`](Self::step) calls so far,
    /// or what [`set_last_epoch`](Self::set_last_epoch) set.
    fn last_epoch(&self) -> usize;

    /// Sets the current epoch, to resume a run: the next
    /// [`step`](Self::step) sets the rate of epoch `epoch + 1`. The
    /// optimizer's rate is not touched.
    fn set_last_epoch(&mut self, epoch: usize);

    /// The rate of the current epoch, the one the last [`step`](Self::step)
    /// gave the optimizer (PyTorch's `get_last_lr()`, whose list has one
    /// rate per parameter group; an optimizer here has one group).
    fn get_last_lr(&self) -> f64 {
        self.lr_at(self.last_epoch())
    }

    /// Ends an epoch: advances to the next one and sets the optimizer's rate
    /// to that epoch's (PyTorch's `scheduler.step()`, called after the
    /// epoch's `optimizer.step()` calls).
    ///
    /// # Panics
    /// If the epoch's rate is negative or NaN (the optimizer refuses it:
    /// "Invalid learning rate: …"), which the builders' checks rule out for
    /// the schedulers of this module.
    #[track_caller]
    fn step<A: Float, O: Optimizer<A>>(&mut self, optimizer: &mut O)
    where
        Self: Sized,
    {
        let epoch = self.last_epoch() + 1;
        self.set_last_epoch(epoch);
        optimizer.set_lr(self.lr_at(epoch));
    }
}

/// Checks that a count of epochs is at least 1.
fn at_least_one(name: &'static str, value: usize) -> Result<usize, OptimError> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(OptimError::InvalidHyperparameter {
            name,
            value: value as f64,
        })
    }
}

/// Multiplies the rate by `gamma` every `step_size` epochs: `torch.optim.lr_scheduler.StepLR`.
///
/// ```text
/// lr(epoch) = base · gamma^⌊epoch / step_size⌋
/// ```
///
/// ```
/// use autograd::prelude::*;
///
/// let mut optimizer = Adam::<f32>::new(1e-2);
/// let mut scheduler = StepLR::new(&optimizer, 3, 0.1);
/// assert_eq!(scheduler.lr_at(2), 1e-2);
/// assert!((scheduler.lr_at(3) - 1e-3).abs() < 1e-15);
/// for _ in 0..3 {
///     scheduler.step(&mut optimizer);
/// }
/// assert_eq!(optimizer.lr(), scheduler.lr_at(3));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StepLR {
    base_lr: f64,
    step_size: usize,
    gamma: f64,
    last_epoch: usize,
}

impl StepLR {
    /// A schedule starting from `optimizer`'s current rate, multiplied by
    /// `gamma` every `step_size` epochs.
    ///
    /// # Panics
    /// If `step_size` is 0 ("Invalid step_size: 0") or `gamma` is negative
    /// or NaN ("Invalid gamma: …"); see [`try_new`](Self::try_new).
    #[track_caller]
    pub fn new<A: Float, O: Optimizer<A>>(optimizer: &O, step_size: usize, gamma: f64) -> Self {
        or_panic(Self::try_new(optimizer, step_size, gamma))
    }

    /// Like [`new`](Self::new), returning the error instead of panicking.
    ///
    /// ```
    /// use autograd::prelude::*;
    ///
    /// let err = StepLR::try_new(&Sgd::<f64>::new(0.1), 0, 0.5).unwrap_err();
    /// assert_eq!(err.to_string(), "Invalid step_size: 0");
    /// ```
    pub fn try_new<A: Float, O: Optimizer<A>>(
        optimizer: &O,
        step_size: usize,
        gamma: f64,
    ) -> Result<Self, OptimError> {
        Ok(StepLR {
            base_lr: optimizer.lr(),
            step_size: at_least_one("step_size", step_size)?,
            gamma: non_negative("gamma", gamma)?,
            last_epoch: 0,
        })
    }

    /// The rate read from the optimizer when the scheduler was built.
    pub fn base_lr(&self) -> f64 {
        self.base_lr
    }
}

impl LrScheduler for StepLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        let decays = (epoch / self.step_size).min(i32::MAX as usize) as i32;
        self.base_lr * self.gamma.powi(decays)
    }

    fn last_epoch(&self) -> usize {
        self.last_epoch
    }

    fn set_last_epoch(&mut self, epoch: usize) {
        self.last_epoch = epoch;
    }
}

/// Anneals the rate from the base rate to `eta_min` along half a cosine
/// over `t_max` epochs: `torch.optim.lr_scheduler.CosineAnnealingLR`.
///
/// ```text
/// lr(epoch) = eta_min + (base − eta_min) · (1 + cos(π · epoch / t_max)) / 2
/// ```
///
/// After `t_max` epochs the rate does not stay at `eta_min`: as in PyTorch,
/// it follows the cosine back up, reaching the base rate again at
/// `2·t_max`, and so on with period `2·t_max`. (To restart from the base
/// rate instead, PyTorch has `CosineAnnealingWarmRestarts`, which is not
/// provided; build a new scheduler, or stop stepping at `t_max`.)
///
/// ```
/// use autograd::prelude::*;
///
/// let optimizer = Sgd::<f64>::new(0.1);
/// let scheduler = CosineAnnealingLR::new(&optimizer, 10, 0.0);
/// assert_eq!(scheduler.lr_at(0), 0.1);
/// assert!((scheduler.lr_at(5) - 0.05).abs() < 1e-15); // half-way: the mean
/// assert_eq!(scheduler.lr_at(10), 0.0); // t_max: eta_min
/// assert!((scheduler.lr_at(15) - 0.05).abs() < 1e-15); // back up
/// assert_eq!(scheduler.lr_at(20), 0.1); // 2·t_max: the base rate
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CosineAnnealingLR {
    base_lr: f64,
    t_max: usize,
    eta_min: f64,
    last_epoch: usize,
}

impl CosineAnnealingLR {
    /// A schedule from `optimizer`'s current rate down to `eta_min` over
    /// `t_max` epochs (PyTorch's `T_max`, `eta_min`; its default `eta_min` is 0).
    ///
    /// # Panics
    /// If `t_max` is 0 ("Invalid t_max: 0") or `eta_min` is negative or NaN
    /// ("Invalid eta_min: …"); see [`try_new`](Self::try_new).
    #[track_caller]
    pub fn new<A: Float, O: Optimizer<A>>(optimizer: &O, t_max: usize, eta_min: f64) -> Self {
        or_panic(Self::try_new(optimizer, t_max, eta_min))
    }

    /// Like [`new`](Self::new), returning the error instead of panicking.
    ///
    /// ```
    /// use autograd::prelude::*;
    ///
    /// let err = CosineAnnealingLR::try_new(&Sgd::<f64>::new(0.1), 10, -1e-3).unwrap_err();
    /// assert_eq!(err.to_string(), "Invalid eta_min: -0.001");
    /// ```
    pub fn try_new<A: Float, O: Optimizer<A>>(
        optimizer: &O,
        t_max: usize,
        eta_min: f64,
    ) -> Result<Self, OptimError> {
        Ok(CosineAnnealingLR {
            base_lr: optimizer.lr(),
            t_max: at_least_one("t_max", t_max)?,
            eta_min: non_negative("eta_min", eta_min)?,
            last_epoch: 0,
        })
    }

    /// The rate read from the optimizer when the scheduler was built.
    pub fn base_lr(&self) -> f64 {
        self.base_lr
    }
}

impl LrScheduler for CosineAnnealingLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        // The cosine has period 2·t_max in the epoch; reducing first keeps
        // the angle exact for any epoch.
        let period = self.t_max.saturating_mul(2);
        let angle = std::f64::consts::PI * (epoch % period) as f64 / self.t_max as f64;
        // The base rate's weight, 1 at the start of a period and exactly 0
        // at t_max (cos π = −1), so both ends are exact, as PyTorch's are.
        let w = (1.0 + angle.cos()) / 2.0;
        w * self.base_lr + (1.0 - w) * self.eta_min
    }

    fn last_epoch(&self) -> usize {
        self.last_epoch
    }

    fn set_last_epoch(&mut self, epoch: usize) {
        self.last_epoch = epoch;
    }
}

#[cfg(test)]
mod tests;
