//! Stochastic gradient descent with momentum, as `torch.optim.SGD`.

use std::fmt;

use ndarray::{ArrayD, Zip};

use super::{non_negative, or_panic, OptimError, Optimizer, States};
use crate::float::Float;
use crate::params::Parameters;

/// Stochastic gradient descent, optionally with momentum, dampening, L2
/// weight decay and Nesterov momentum: `torch.optim.SGD`.
///
/// For each parameter `p` with a gradient `g`, one [`step`](Optimizer::step) does
/// (μ = momentum, τ = dampening, λ = weight decay, γ = learning rate):
///
/// ```text
/// if λ ≠ 0:  g ← g + λ·p
/// if μ ≠ 0:  b ← g                      on the parameter's first step
///            b ← μ·b + (1 − τ)·g        afterwards
///            g ← g + μ·b  if nesterov, else  g ← b
/// p ← p − γ·g
/// ```
///
/// Defaults are PyTorch's: momentum 0, dampening 0, weight decay 0, no
/// Nesterov. The momentum buffer `b` is kept per parameter.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::array;
/// use autograd::optim::{Optimizer, Sgd};
///
/// let mut w = Tensor::from(array![1.0f64]).requires_grad();
/// let mut opt = Sgd::new(0.1).momentum(0.9);
///
/// // The gradient would come from `backward()`; here it is written by hand.
/// w.accumulate_grad(array![1.0]);
/// opt.step(&mut w); // b = 1,             w = 1 − 0.1·1 = 0.9
/// opt.zero_grad(&w);
/// w.accumulate_grad(array![1.0]);
/// opt.step(&mut w); // b = 0.9·1 + 1 = 1.9, w = 0.9 − 0.19 = 0.71
/// assert!((w.data()[0] - 0.71).abs() < 1e-12);
/// ```
#[derive(Clone)]
pub struct Sgd<A> {
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    /// The momentum buffers.
    states: States<ArrayD<A>>,
}

impl<A: Float> Sgd<A> {
    /// Plain gradient descent with learning rate `lr`: `p ← p − lr·g`.
    ///
    /// # Panics
    /// If `lr` is negative or NaN ("Invalid learning rate: …"); see
    /// [`try_new`](Self::try_new).
    #[track_caller]
    pub fn new(lr: f64) -> Self {
        or_panic(Self::try_new(lr))
    }

    /// Like [`new`](Self::new), returning an error for an invalid `lr`.
    pub fn try_new(lr: f64) -> Result<Self, OptimError> {
        Ok(Sgd {
            lr: non_negative("lr", lr)?,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            states: States::default(),
        })
    }

    /// Sets the momentum factor μ (default 0: no momentum buffer).
    ///
    /// # Panics
    /// If `momentum` is negative or NaN, or is 0 while Nesterov momentum is
    /// on; see [`try_momentum`](Self::try_momentum).
    #[track_caller]
    pub fn momentum(self, momentum: f64) -> Self {
        or_panic(self.try_momentum(momentum))
    }

    /// Like [`momentum`](Self::momentum), returning an error instead of panicking.
    pub fn try_momentum(mut self, momentum: f64) -> Result<Self, OptimError> {
        self.momentum = non_negative("momentum", momentum)?;
        self.check_nesterov()
    }

    /// Sets the dampening τ of the momentum (default 0): the buffer adds
    /// `(1 − τ)·g` after the first step.
    ///
    /// # Panics
    /// If `dampening` is not 0 while Nesterov momentum is on; see
    /// [`try_dampening`](Self::try_dampening).
    #[track_caller]
    pub fn dampening(self, dampening: f64) -> Self {
        or_panic(self.try_dampening(dampening))
    }

    /// Like [`dampening`](Self::dampening), returning an error instead of panicking.
    pub fn try_dampening(mut self, dampening: f64) -> Result<Self, OptimError> {
        self.dampening = dampening;
        self.check_nesterov()
    }

    /// Sets the L2 penalty λ (default 0): `λ·p` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or NaN; see
    /// [`try_weight_decay`](Self::try_weight_decay).
    #[track_caller]
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        or_panic(self.try_weight_decay(weight_decay))
    }

    /// Like [`weight_decay`](Self::weight_decay), returning an error instead of panicking.
    pub fn try_weight_decay(mut self, weight_decay: f64) -> Result<Self, OptimError> {
        self.weight_decay = non_negative("weight_decay", weight_decay)?;
        Ok(self)
    }

    /// Turns Nesterov momentum on or off (default off).
    ///
    /// Nesterov momentum needs a positive momentum and zero dampening, as in
    /// PyTorch; the check runs when a builder is called, so set the momentum
    /// first: `Sgd::new(0.1).momentum(0.9).nesterov(true)`.
    ///
    /// # Panics
    /// "Nesterov momentum requires a momentum and zero dampening", if
    /// `nesterov` is true and the momentum is 0 or the dampening is not; see
    /// [`try_nesterov`](Self::try_nesterov).
    #[track_caller]
    pub fn nesterov(self, nesterov: bool) -> Self {
        or_panic(self.try_nesterov(nesterov))
    }

    /// Like [`nesterov`](Self::nesterov), returning an error instead of panicking.
    pub fn try_nesterov(mut self, nesterov: bool) -> Result<Self, OptimError> {
        self.nesterov = nesterov;
        self.check_nesterov()
    }

    fn check_nesterov(self) -> Result<Self, OptimError> {
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            Err(OptimError::NesterovRequiresMomentum {
                momentum: self.momentum,
                dampening: self.dampening,
            })
        } else {
            Ok(self)
        }
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate, for a schedule; the momentum buffers are kept.
    ///
    /// # Panics
    /// If `lr` is negative or NaN; see [`try_set_lr`](Self::try_set_lr).
    #[track_caller]
    pub fn set_lr(&mut self, lr: f64) {
        or_panic(self.try_set_lr(lr))
    }

    /// Like [`set_lr`](Self::set_lr), returning an error (and keeping the old
    /// rate) for an invalid `lr`.
    pub fn try_set_lr(&mut self, lr: f64) -> Result<(), OptimError> {
        self.lr = non_negative("lr", lr)?;
        Ok(())
    }

    /// Forgets the momentum buffers (and the model they belonged to).
    pub fn reset(&mut self) {
        self.states.clear()
    }
}

impl<A> fmt::Debug for Sgd<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sgd")
            .field("lr", &self.lr)
            .field("momentum", &self.momentum)
            .field("dampening", &self.dampening)
            .field("weight_decay", &self.weight_decay)
            .field("nesterov", &self.nesterov)
            .finish_non_exhaustive()
    }
}

impl<A: Float> Optimizer<A> for Sgd<A> {
    fn lr(&self) -> f64 {
        Sgd::lr(self)
    }

    #[track_caller]
    fn set_lr(&mut self, lr: f64) {
        Sgd::set_lr(self, lr)
    }

    #[track_caller]
    fn step<P: Parameters<Elem = A>>(&mut self, params: &mut P) {
        self.states.sync("Sgd", params);
        let neg_lr = A::from_f64(-self.lr);
        let decay = (self.weight_decay != 0.0).then(|| A::from_f64(self.weight_decay));
        let has_momentum = self.momentum != 0.0;
        let mu = A::from_f64(self.momentum);
        let one_minus_dampening = A::from_f64(1.0 - self.dampening);
        let nesterov = self.nesterov;
        // g + λ·p (torch: grad.add(param, alpha=weight_decay))
        let decayed = |g: A, p: A| match decay {
            Some(wd) => g + wd * p,
            None => g,
        };
        // The direction after momentum (torch: grad.add(buf, alpha=momentum) or buf).
        let direction = |g: A, b: A| if nesterov { g + mu * b } else { b };

        let states = &mut self.states;
        let mut i = 0;
        params.visit_mut("", &mut |_, param| {
            let slot = states.slot_mut(i);
            i += 1;
            param.update(&mut |mut p, g| {
                let Some(g) = g else { return };
                if !has_momentum {
                    Zip::from(&mut p).and(&g).for_each(|p, &g| {
                        *p += neg_lr * decayed(g, *p);
                    });
                    return;
                }
                match &mut slot.state {
                    None => {
                        let mut buf = ArrayD::zeros(p.raw_dim());
                        Zip::from(&mut p)
                            .and(&g)
                            .and(&mut buf)
                            .for_each(|p, &g, b| {
                                let g = decayed(g, *p);
                                *b = g;
                                *p += neg_lr * direction(g, *b);
                            });
                        slot.state = Some(buf);
                    }
                    Some(buf) => {
                        Zip::from(&mut p).and(&g).and(buf).for_each(|p, &g, b| {
                            let g = decayed(g, *p);
                            *b = *b * mu + one_minus_dampening * g;
                            *p += neg_lr * direction(g, *b);
                        });
                    }
                }
            });
        });
    }
}

#[cfg(test)]
mod tests {
    //! Each test runs three or more steps on fixed numbers. The expected
    //! values are worked out step by step in the comments from the update
    //! equations above (torch.optim.SGD's documentation), and were checked
    //! against PyTorch 2.15 (`torch.optim.SGD(..., foreach=False)` on float64
    //! tensors with the same hand-set gradients; the largest difference from
    //! these literals was below 1e-15).

    use ndarray::{array, Array1, Ix1};

    use super::*;
    use crate::optim::testing::{assert_close, Model};
    use crate::tensor::Tensor;

    /// Runs `opt` from `p0` with the gradient `grads[k]` at step k, and returns
    /// the parameter after each step.
    fn run<A: Float>(mut opt: Sgd<A>, p0: &[f64], grads: &[&[f64]]) -> Vec<Vec<A>> {
        let a = |v: &[f64]| v.iter().map(|&x| A::from_f64(x)).collect::<Array1<A>>();
        let mut p: Tensor<A, Ix1> = Tensor::from(a(p0)).requires_grad();
        let mut out = Vec::new();
        for g in grads {
            opt.zero_grad(&p);
            p.accumulate_grad(a(g));
            opt.step(&mut p);
            out.push(p.data().to_vec());
        }
        out
    }

    const P0: [f64; 2] = [1.0, -2.0];
    const G: [&[f64]; 3] = [&[0.5, 1.0], &[-1.0, 0.25], &[2.0, -0.5]];

    #[track_caller]
    fn check(found: &[Vec<f64>], expected: &[[f64; 2]]) {
        for (k, (f, e)) in found.iter().zip(expected).enumerate() {
            assert_close(f, e, 1e-12, &format!("step {}", k + 1));
        }
    }

    #[test]
    fn plain() {
        // lr = 0.1:  p ← p − 0.1·g
        // step 1: [1 − 0.05,     −2 − 0.1]    = [0.95, −2.1]
        // step 2: [0.95 + 0.1,   −2.1 − 0.025] = [1.05, −2.125]
        // step 3: [1.05 − 0.2,   −2.125 + 0.05] = [0.85, −2.075]
        let found = run(Sgd::new(0.1), &P0, &G);
        check(&found, &[[0.95, -2.1], [1.05, -2.125], [0.85, -2.075]]);
    }

    #[test]
    fn momentum() {
        // lr = 0.1, μ = 0.9
        // step 1: b = g = [0.5, 1];                        p = [0.95, −2.1]
        // step 2: b = 0.9·[0.5, 1] + [−1, 0.25] = [−0.55, 1.15];
        //         p = [0.95 + 0.055, −2.1 − 0.115] = [1.005, −2.215]
        // step 3: b = 0.9·[−0.55, 1.15] + [2, −0.5] = [1.505, 0.535];
        //         p = [1.005 − 0.1505, −2.215 − 0.0535] = [0.8545, −2.2685]
        let found = run(Sgd::new(0.1).momentum(0.9), &P0, &G);
        check(&found, &[[0.95, -2.1], [1.005, -2.215], [0.8545, -2.2685]]);
    }

    #[test]
    fn dampening() {
        // lr = 0.1, μ = 0.9, τ = 0.5: the first buffer is g itself (no dampening)
        // step 1: b = [0.5, 1];                                  p = [0.95, −2.1]
        // step 2: b = 0.9·[0.5, 1] + 0.5·[−1, 0.25] = [−0.05, 1.025];
        //         p = [0.95 + 0.005, −2.1 − 0.1025] = [0.955, −2.2025]
        // step 3: b = 0.9·[−0.05, 1.025] + 0.5·[2, −0.5] = [0.955, 0.6725];
        //         p = [0.955 − 0.0955, −2.2025 − 0.06725] = [0.8595, −2.26975]
        let found = run(Sgd::new(0.1).momentum(0.9).dampening(0.5), &P0, &G);
        check(
            &found,
            &[[0.95, -2.1], [0.955, -2.2025], [0.8595, -2.26975]],
        );
    }

    #[test]
    fn weight_decay() {
        // lr = 0.1, λ = 0.1, no momentum: g' = g + 0.1·p, p ← p − 0.1·g'
        // step 1: g' = [0.5 + 0.1, 1 − 0.2] = [0.6, 0.8];        p = [0.94, −2.08]
        // step 2: g' = [−1 + 0.094, 0.25 − 0.208] = [−0.906, 0.042];
        //         p = [0.94 + 0.0906, −2.08 − 0.0042] = [1.0306, −2.0842]
        // step 3: g' = [2 + 0.10306, −0.5 − 0.20842] = [2.10306, −0.70842];
        //         p = [1.0306 − 0.210306, −2.0842 + 0.070842] = [0.820294, −2.013358]
        let found = run(Sgd::new(0.1).weight_decay(0.1), &P0, &G);
        check(
            &found,
            &[[0.94, -2.08], [1.0306, -2.0842], [0.820294, -2.013358]],
        );
    }

    #[test]
    fn weight_decay_with_momentum() {
        // lr = 0.1, λ = 0.1, μ = 0.9: the buffer accumulates the decayed gradient
        // step 1: g' = [0.6, 0.8]; b = [0.6, 0.8];                  p = [0.94, −2.08]
        // step 2: g' = [−0.906, 0.042]; b = [0.54 − 0.906, 0.72 + 0.042] = [−0.366, 0.762];
        //         p = [0.94 + 0.0366, −2.08 − 0.0762] = [0.9766, −2.1562]
        // step 3: g' = [2 + 0.09766, −0.5 − 0.21562] = [2.09766, −0.71562];
        //         b = [−0.3294 + 2.09766, 0.6858 − 0.71562] = [1.76826, −0.02982];
        //         p = [0.9766 − 0.176826, −2.1562 + 0.002982] = [0.799774, −2.153218]
        let found = run(Sgd::new(0.1).momentum(0.9).weight_decay(0.1), &P0, &G);
        check(
            &found,
            &[[0.94, -2.08], [0.9766, -2.1562], [0.799774, -2.153218]],
        );
    }

    #[test]
    fn nesterov() {
        // lr = 0.1, μ = 0.9, Nesterov: the step uses g + μ·b
        // step 1: b = [0.5, 1]; d = [0.5 + 0.45, 1 + 0.9] = [0.95, 1.9];
        //         p = [1 − 0.095, −2 − 0.19] = [0.905, −2.19]
        // step 2: b = [−0.55, 1.15]; d = [−1 − 0.495, 0.25 + 1.035] = [−1.495, 1.285];
        //         p = [0.905 + 0.1495, −2.19 − 0.1285] = [1.0545, −2.3185]
        // step 3: b = [1.505, 0.535]; d = [2 + 1.3545, −0.5 + 0.4815] = [3.3545, −0.0185];
        //         p = [1.0545 − 0.33545, −2.3185 + 0.00185] = [0.71905, −2.31665]
        let found = run(Sgd::new(0.1).momentum(0.9).nesterov(true), &P0, &G);
        check(
            &found,
            &[[0.905, -2.19], [1.0545, -2.3185], [0.71905, -2.31665]],
        );
    }

    #[test]
    fn f32_run() {
        // The momentum run above in f32: within 1e-6 of the exact values, and
        // equal to PyTorch 2.15 on float32 tensors (these literals) to an ulp.
        let found = run::<f32>(Sgd::new(0.1).momentum(0.9), &P0, &G);
        let exact = [[0.95, -2.1], [1.005, -2.215], [0.8545, -2.2685]];
        let torch = [
            [0.949999988079071, -2.0999999046325684],
            [1.0049999952316284, -2.2149999141693115],
            [0.8544999957084656, -2.2684998512268066],
        ];
        for (k, f) in found.iter().enumerate() {
            assert_close(f, &exact[k], 1e-6, &format!("f32 step {}", k + 1));
            assert_close(
                f,
                &torch[k],
                2.4e-7,
                &format!("f32 step {} (PyTorch)", k + 1),
            );
        }
        let nesterov = run::<f32>(Sgd::new(0.1).momentum(0.9).nesterov(true), &P0, &G);
        let torch = [
            [0.9049999713897705, -2.190000057220459],
            [1.0544999837875366, -2.31850004196167],
            [0.7190499901771545, -2.316650152206421],
        ];
        for (k, f) in nesterov.iter().enumerate() {
            assert_close(
                f,
                &torch[k],
                2.4e-7,
                &format!("f32 nesterov step {}", k + 1),
            );
        }
    }

    #[test]
    fn nesterov_needs_momentum_and_no_dampening() {
        let e = Sgd::<f64>::new(0.1).try_nesterov(true).unwrap_err();
        assert_eq!(
            e,
            OptimError::NesterovRequiresMomentum {
                momentum: 0.0,
                dampening: 0.0
            }
        );
        assert_eq!(
            e.to_string(),
            "Nesterov momentum requires a momentum and zero dampening"
        );
        let damped = Sgd::<f64>::new(0.1).momentum(0.9).dampening(0.1);
        assert!(damped.try_nesterov(true).is_err());
        let on = Sgd::<f64>::new(0.1).momentum(0.9).nesterov(true);
        assert!(on.clone().try_dampening(0.5).is_err());
        assert!(on.clone().try_momentum(0.0).is_err());
        assert!(on.try_momentum(0.5).is_ok());
    }

    #[test]
    #[should_panic(expected = "Nesterov momentum requires a momentum and zero dampening")]
    fn nesterov_without_momentum_panics() {
        let _ = Sgd::<f64>::new(0.1).nesterov(true);
    }

    #[test]
    fn invalid_hyperparameters() {
        assert_eq!(
            Sgd::<f64>::try_new(-0.1).unwrap_err().to_string(),
            "Invalid learning rate: -0.1"
        );
        assert!(Sgd::<f64>::try_new(f64::NAN).is_err());
        let sgd = Sgd::<f64>::new(0.1);
        assert_eq!(
            sgd.clone().try_momentum(-1.0).unwrap_err().to_string(),
            "Invalid momentum value: -1"
        );
        assert_eq!(
            sgd.clone().try_weight_decay(-1.0).unwrap_err().to_string(),
            "Invalid weight_decay value: -1"
        );
        let mut sgd = sgd;
        assert!(sgd.try_set_lr(-1.0).is_err());
        assert_eq!(sgd.lr(), 0.1);
        sgd.set_lr(0.01);
        assert_eq!(sgd.lr(), 0.01);
    }

    #[test]
    #[should_panic(expected = "Invalid learning rate: -1")]
    fn negative_lr_panics() {
        let _ = Sgd::<f32>::new(-1.0);
    }

    #[test]
    fn parameters_without_gradient_are_skipped() {
        // Momentum on a model of two tensors; `b` has no gradient at step 2.
        let mut m = Model {
            w: Tensor::from(array![[1.0, -2.0]]),
            b: Tensor::from(array![1.0, -2.0]),
        }
        .with_requires_grad();
        let mut opt = Sgd::new(0.1).momentum(0.9);
        let mut b_alone = Tensor::from(array![1.0, -2.0]).requires_grad();
        let mut opt_alone = Sgd::new(0.1).momentum(0.9);
        for (k, g) in G.iter().enumerate() {
            let g = Array1::from(g.to_vec());
            opt.zero_grad(&m);
            m.w.accumulate_grad(g.clone().insert_axis(ndarray::Axis(0)));
            if k != 1 {
                m.b.accumulate_grad(g.clone());
                b_alone.accumulate_grad(g);
                opt_alone.step(&mut b_alone);
                opt_alone.zero_grad(&b_alone);
            }
            let b_before = m.b.data().clone();
            opt.step(&mut m);
            if k == 1 {
                assert_eq!(m.b.data(), &b_before, "a parameter without gradient moved");
            }
        }
        // `w` follows the momentum run; `b` is exactly the run that never saw step 2.
        assert_close(
            m.w.data().as_slice().unwrap(),
            &[0.8545, -2.2685],
            1e-12,
            "w",
        );
        assert_eq!(m.b.data(), b_alone.data());
        assert_eq!(opt.states.len_with_state(), 2);
    }

    #[test]
    fn a_parameter_first_seen_late_starts_its_buffer_then() {
        let mut m = Model {
            w: Tensor::from(array![[0.0]]),
            b: Tensor::from(array![0.0]),
        };
        let mut opt = Sgd::new(1.0).momentum(0.5);
        m.w.accumulate_grad(array![[1.0]]);
        opt.step(&mut m);
        assert_eq!(opt.states.len_with_state(), 1);
        m.zero_grad_all();
        m.b.accumulate_grad(array![1.0]);
        opt.step(&mut m);
        // b's first buffer is its gradient: b = 0 − 1·1.
        assert_eq!(m.b.data(), &array![-1.0]);
        assert_eq!(m.w.data(), &array![[-1.0]]);
    }

    #[test]
    #[should_panic(expected = "Sgd::step: the model changed since the first step: parameter \"b\"")]
    fn a_changed_model_panics_naming_the_parameter() {
        let mut m = Model {
            w: Tensor::from(array![[0.0]]),
            b: Tensor::from(array![0.0]),
        };
        let mut opt = Sgd::new(1.0).momentum(0.5);
        opt.step(&mut m);
        m.b = Tensor::from(array![0.0, 1.0]);
        opt.step(&mut m);
    }

    #[test]
    fn reset_forgets_the_model() {
        let mut opt = Sgd::new(1.0).momentum(0.5);
        let mut a = Tensor::from(array![0.0]);
        a.accumulate_grad(array![1.0]);
        opt.step(&mut a);
        opt.reset();
        let mut b = Tensor::from(array![[0.0, 0.0]]);
        b.accumulate_grad(array![[1.0, 1.0]]);
        opt.step(&mut b);
        assert_eq!(b.data(), &array![[-1.0, -1.0]]);
        assert!(format!("{opt:?}").starts_with("Sgd { lr: 1.0, momentum: 0.5"));
    }
}
