//! Adam and AdamW, as `torch.optim.Adam` and `torch.optim.AdamW` (without
//! `amsgrad`).

use std::fmt;

use ndarray::{ArrayD, Zip};

use super::{non_negative, or_panic, OptimError, Optimizer, States};
use crate::float::Float;
use crate::params::Parameters;

/// The hyperparameters shared by Adam and AdamW.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hyper {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
}

impl Hyper {
    fn new(lr: f64, weight_decay: f64) -> Result<Self, OptimError> {
        Ok(Hyper {
            lr: non_negative("lr", lr)?,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
        })
    }

    fn betas(&mut self, beta1: f64, beta2: f64) -> Result<(), OptimError> {
        for (name, value) in [("beta1", beta1), ("beta2", beta2)] {
            if !(0.0..1.0).contains(&value) {
                return Err(OptimError::InvalidHyperparameter { name, value });
            }
        }
        self.beta1 = beta1;
        self.beta2 = beta2;
        Ok(())
    }
}

/// What Adam keeps for one parameter.
#[derive(Clone, Debug)]
struct AdamState<A> {
    /// The number of steps this parameter has taken (it has had a gradient).
    step: u64,
    /// The first moment estimate `m`.
    exp_avg: ArrayD<A>,
    /// The second moment estimate `v`.
    exp_avg_sq: ArrayD<A>,
}

/// `a + w·(b − a)` computed as `torch.lerp` does (from the nearer end).
#[inline]
fn lerp<A: Float>(a: A, b: A, w: A) -> A {
    if w.abs() < A::from_f64(0.5) {
        a + w * (b - a)
    } else {
        b - (b - a) * (A::one() - w)
    }
}

/// One Adam step over every parameter with a gradient. `decoupled` selects
/// AdamW's weight decay (`p ← p·(1 − γλ)`) over Adam's (`g ← g + λp`).
#[track_caller]
fn adam_step<A: Float, P: Parameters<Elem = A>>(
    optimizer: &str,
    h: &Hyper,
    decoupled: bool,
    states: &mut States<AdamState<A>>,
    params: &mut P,
) {
    states.sync(optimizer, params);
    let has_decay = h.weight_decay != 0.0;
    let l2 = (has_decay && !decoupled).then(|| A::from_f64(h.weight_decay));
    let shrink = (has_decay && decoupled).then(|| A::from_f64(1.0 - h.lr * h.weight_decay));
    let one_minus_beta1 = A::from_f64(1.0 - h.beta1);
    let beta2 = A::from_f64(h.beta2);
    let one_minus_beta2 = A::from_f64(1.0 - h.beta2);
    let eps = A::from_f64(h.eps);

    let mut i = 0;
    params.visit_mut("", &mut |_, param| {
        let slot = states.slot_mut(i);
        i += 1;
        param.update(&mut |mut p, g| {
            let Some(g) = g else { return };
            let st = slot.state.get_or_insert_with(|| AdamState {
                step: 0,
                exp_avg: ArrayD::zeros(p.raw_dim()),
                exp_avg_sq: ArrayD::zeros(p.raw_dim()),
            });
            st.step += 1;
            // Bias corrections in f64, as PyTorch computes them in Python floats.
            let t = st.step as f64;
            let bias_correction1 = 1.0 - h.beta1.powf(t);
            let bias_correction2 = 1.0 - h.beta2.powf(t);
            let neg_step_size = A::from_f64(-(h.lr / bias_correction1));
            let bias_correction2_sqrt = A::from_f64(bias_correction2.sqrt());
            Zip::from(&mut p)
                .and(&g)
                .and(&mut st.exp_avg)
                .and(&mut st.exp_avg_sq)
                .for_each(|p, &g, m, v| {
                    if let Some(s) = shrink {
                        *p *= s; // param.mul_(1 - lr * weight_decay)
                    }
                    let g = match l2 {
                        Some(wd) => g + wd * *p, // grad.add(param, alpha=weight_decay)
                        None => g,
                    };
                    *m = lerp(*m, g, one_minus_beta1); // exp_avg.lerp_(grad, 1 - beta1)
                    *v = *v * beta2 + one_minus_beta2 * g * g; // mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                    let denom = v.sqrt() / bias_correction2_sqrt + eps;
                    *p += neg_step_size * *m / denom; // addcdiv_(exp_avg, denom, value=-step_size)
                });
        });
    });
}

/// Builder methods shared by [`Adam`] and [`AdamW`].
macro_rules! adam_builders {
    ($name:ident) => {
        impl<A: Float> $name<A> {
            /// Sets the coefficients `(β₁, β₂)` of the running averages of the
            /// gradient and of its square (default `(0.9, 0.999)`).
            ///
            /// # Panics
            /// If either is outside `[0, 1)` ("Invalid beta parameter at
            /// index 0: …"); see [`try_betas`](Self::try_betas).
            #[track_caller]
            pub fn betas(self, beta1: f64, beta2: f64) -> Self {
                or_panic(self.try_betas(beta1, beta2))
            }

            /// Like [`betas`](Self::betas), returning an error instead of panicking.
            pub fn try_betas(mut self, beta1: f64, beta2: f64) -> Result<Self, OptimError> {
                self.h.betas(beta1, beta2)?;
                Ok(self)
            }

            /// Sets ε, added to the denominator for numerical stability (default 1e-8).
            ///
            /// # Panics
            /// If `eps` is negative or NaN; see [`try_eps`](Self::try_eps).
            #[track_caller]
            pub fn eps(self, eps: f64) -> Self {
                or_panic(self.try_eps(eps))
            }

            /// Like [`eps`](Self::eps), returning an error instead of panicking.
            pub fn try_eps(mut self, eps: f64) -> Result<Self, OptimError> {
                self.h.eps = non_negative("eps", eps)?;
                Ok(self)
            }

            /// Sets the weight decay λ (see the type's documentation for how it is applied).
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
                self.h.weight_decay = non_negative("weight_decay", weight_decay)?;
                Ok(self)
            }

            /// The learning rate.
            pub fn lr(&self) -> f64 {
                self.h.lr
            }

            /// Changes the learning rate, for a schedule; the moment estimates
            /// and step counts are kept.
            ///
            /// # Panics
            /// If `lr` is negative or NaN; see [`try_set_lr`](Self::try_set_lr).
            #[track_caller]
            pub fn set_lr(&mut self, lr: f64) {
                or_panic(self.try_set_lr(lr))
            }

            /// Like [`set_lr`](Self::set_lr), returning an error (and keeping
            /// the old rate) for an invalid `lr`.
            pub fn try_set_lr(&mut self, lr: f64) -> Result<(), OptimError> {
                self.h.lr = non_negative("lr", lr)?;
                Ok(())
            }

            /// Forgets the moment estimates and step counts (and the model
            /// they belonged to).
            pub fn reset(&mut self) {
                self.states.clear()
            }
        }

        impl<A> fmt::Debug for $name<A> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("lr", &self.h.lr)
                    .field("betas", &(self.h.beta1, self.h.beta2))
                    .field("eps", &self.h.eps)
                    .field("weight_decay", &self.h.weight_decay)
                    .finish_non_exhaustive()
            }
        }
    };
}

/// Adam: `torch.optim.Adam` (without `amsgrad`, `maximize`).
///
/// For each parameter `p` with a gradient `g`, one [`step`](Optimizer::step)
/// does (γ = learning rate, λ = weight decay, `t` = this parameter's step count,
/// `m` and `v` start at zero):
///
/// ```text
/// t ← t + 1
/// if λ ≠ 0:  g ← g + λ·p                      (L2 penalty in the gradient)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// Defaults are PyTorch's: γ = 1e-3 ([`Adam::default`]), β = (0.9, 0.999),
/// ε = 1e-8, λ = 0. Each parameter has its own step count, so a parameter
/// that had no gradient at some steps gets the bias correction for the steps
/// it did take. The arithmetic follows PyTorch's kernels (`m` by `lerp`, the
/// bias corrections in `f64`), so results agree with it to rounding.
///
/// For weight decay that does not go through the moment estimates, use [`AdamW`].
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::array;
/// use autograd::optim::{Adam, Optimizer};
///
/// let mut w = Tensor::from(array![1.0f64, -1.0]).requires_grad();
/// let mut opt = Adam::new(0.1);
/// // The gradient would come from `backward()`; here it is written by hand.
/// w.accumulate_grad(array![0.5, -2.0]);
/// opt.step(&mut w);
/// // The first step moves each element by about γ against the sign of its gradient.
/// assert!((w.data()[0] - 0.9).abs() < 1e-6);
/// assert!((w.data()[1] + 0.9).abs() < 1e-6);
/// ```
#[derive(Clone)]
pub struct Adam<A> {
    h: Hyper,
    states: States<AdamState<A>>,
}

impl<A: Float> Adam<A> {
    /// Adam with learning rate `lr` and PyTorch's other defaults.
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
        Ok(Adam {
            h: Hyper::new(lr, 0.0)?,
            states: States::default(),
        })
    }
}

impl<A: Float> Default for Adam<A> {
    /// Adam with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay.
    fn default() -> Self {
        Adam::new(1e-3)
    }
}

adam_builders!(Adam);

impl<A: Float> Optimizer<A> for Adam<A> {
    fn lr(&self) -> f64 {
        Adam::lr(self)
    }

    #[track_caller]
    fn set_lr(&mut self, lr: f64) {
        Adam::set_lr(self, lr)
    }

    #[track_caller]
    fn step<P: Parameters<Elem = A>>(&mut self, params: &mut P) {
        adam_step("Adam", &self.h, false, &mut self.states, params)
    }
}

/// AdamW: Adam with decoupled weight decay, `torch.optim.AdamW` (without
/// `amsgrad`, `maximize`).
///
/// The update is [`Adam`]'s without the L2 term in the gradient; instead,
/// before it, each parameter with a gradient is shrunk:
///
/// ```text
/// p ← p·(1 − γ·λ)
/// ```
///
/// Defaults are PyTorch's: γ = 1e-3 ([`AdamW::default`]), β = (0.9, 0.999),
/// ε = 1e-8, λ = 1e-2.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::array;
/// use autograd::optim::{AdamW, Optimizer};
///
/// let mut w = Tensor::from(array![2.0f64]).requires_grad();
/// let mut opt = AdamW::new(0.1).weight_decay(0.5);
/// w.accumulate_grad(array![1.0]); // by hand
/// opt.step(&mut w);
/// // Shrink: 2·(1 − 0.1·0.5) = 1.9; then the Adam step of about −0.1.
/// assert!((w.data()[0] - 1.8).abs() < 1e-6);
/// ```
#[derive(Clone)]
pub struct AdamW<A> {
    h: Hyper,
    states: States<AdamState<A>>,
}

impl<A: Float> AdamW<A> {
    /// AdamW with learning rate `lr` and PyTorch's other defaults
    /// (weight decay 1e-2).
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
        Ok(AdamW {
            h: Hyper::new(lr, 1e-2)?,
            states: States::default(),
        })
    }
}

impl<A: Float> Default for AdamW<A> {
    /// AdamW with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2.
    fn default() -> Self {
        AdamW::new(1e-3)
    }
}

adam_builders!(AdamW);

impl<A: Float> Optimizer<A> for AdamW<A> {
    fn lr(&self) -> f64 {
        AdamW::lr(self)
    }

    #[track_caller]
    fn set_lr(&mut self, lr: f64) {
        AdamW::set_lr(self, lr)
    }

    #[track_caller]
    fn step<P: Parameters<Elem = A>>(&mut self, params: &mut P) {
        adam_step("AdamW", &self.h, true, &mut self.states, params)
    }
}

#[cfg(test)]
mod tests {
    //! Each test runs three steps on fixed numbers. The expected values are
    //! worked out step by step in the test from the published update
    //! equations (the algorithm boxes in torch.optim.Adam's and AdamW's
    //! documentation), in plain `f64`; the final literals were checked against
    //! PyTorch 2.15 (`foreach=False`, float64 tensors, the same hand-set
    //! gradients).

    use ndarray::{array, Array1, Ix1};

    use super::*;
    use crate::optim::testing::{assert_close, Model};
    use crate::tensor::Tensor;

    /// Runs `opt` from `p0` with the gradient `grads[k]` at step k, and returns
    /// the parameter after each step.
    fn run<A: Float, O: Optimizer<A>>(mut opt: O, p0: &[f64], grads: &[[f64; 2]]) -> Vec<Vec<A>> {
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
    const G: [[f64; 2]; 3] = [[0.5, 1.0], [-1.0, 0.25], [2.0, -0.5]];

    /// The published equations, one element, one step: returns the new
    /// `(p, m, v)`. `decoupled` is AdamW's decay.
    #[allow(clippy::too_many_arguments)]
    fn reference_step(
        (p, m, v): (f64, f64, f64),
        g: f64,
        t: i32,
        lr: f64,
        (b1, b2): (f64, f64),
        eps: f64,
        wd: f64,
        decoupled: bool,
    ) -> (f64, f64, f64) {
        let (p, g) = if decoupled {
            (p * (1.0 - lr * wd), g)
        } else {
            (p, g + wd * p)
        };
        let m = b1 * m + (1.0 - b1) * g;
        let v = b2 * v + (1.0 - b2) * g * g;
        let m_hat = m / (1.0 - b1.powi(t));
        let v_hat = v / (1.0 - b2.powi(t));
        (p - lr * m_hat / (v_hat.sqrt() + eps), m, v)
    }

    /// Parameters after each step by [`reference_step`]. (The PyTorch form
    /// `lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)` is this one, rearranged.)
    fn reference(lr: f64, betas: (f64, f64), eps: f64, wd: f64, decoupled: bool) -> Vec<[f64; 2]> {
        let mut state = [(P0[0], 0.0, 0.0), (P0[1], 0.0, 0.0)];
        let mut out = Vec::new();
        for (k, g) in G.iter().enumerate() {
            for j in 0..2 {
                state[j] =
                    reference_step(state[j], g[j], k as i32 + 1, lr, betas, eps, wd, decoupled);
            }
            out.push([state[0].0, state[1].0]);
        }
        out
    }

    #[track_caller]
    fn check<A: Float, F: AsRef<[A]>>(found: &[F], expected: &[[f64; 2]], tol: f64) {
        assert_eq!(found.len(), expected.len());
        for (k, (f, e)) in found.iter().zip(expected).enumerate() {
            assert_close(f.as_ref(), e, tol, &format!("step {}", k + 1));
        }
    }

    #[test]
    fn adam() {
        // lr = 0.1, betas (0.9, 0.999), eps 1e-8; element 0 worked out:
        // step 1: g = 0.5;  m = 0.05,  v = 2.5e-4;   m̂ = 0.5,  v̂ = 0.25
        //         p = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002
        // step 2: g = −1;   m = 0.045 − 0.1 = −0.055,  v = 2.4975e-4 + 1e-3 = 1.24975e-3
        //         m̂ = −0.055/0.19 = −0.289473684…,  v̂ = 1.24975e-3/1.999e-3 = 0.625187…
        //         p = 0.900000002 + 0.1·0.289473684/(0.790688… + 1e-8) = 0.936610…
        // step 3: g = 2;    m = −0.0495 + 0.2 = 0.1505,  v = 1.24850025e-3 + 4e-3
        //         m̂ = 0.1505/0.271,  v̂ = 5.24850025e-3/2.997001e-3;  p = 0.894644…
        let expected = reference(0.1, (0.9, 0.999), 1e-8, 0.0, false);
        // PyTorch 2.15, float64:
        let torch = [
            [0.900000002, -2.099999999],
            [0.9366103542405654, -2.183059751227727],
            [0.8946447927181046, -2.2129149252194646],
        ];
        check::<f64, _>(&expected, &torch, 1e-12);
        check(&run::<f64, _>(Adam::new(0.1), &P0, &G), &expected, 1e-12);
    }

    #[test]
    fn adam_with_weight_decay() {
        // λ = 0.1 is added to the gradient: step 1, element 0: g = 0.5 + 0.1·1 = 0.6,
        // m̂ = 0.6, v̂ = 0.36, p = 1 − 0.1·0.6/(0.6 + 1e-8); and so on, by `reference`.
        let expected = reference(0.1, (0.8, 0.99), 1e-6, 0.1, false);
        let torch = [
            [0.9000001666663889, -2.0999998750001563],
            [0.9309639758170535, -2.166866120736587],
            [0.8785414865803766, -2.1554550108748534],
        ];
        check::<f64, _>(&expected, &torch, 1e-12);
        let opt = Adam::new(0.1).betas(0.8, 0.99).eps(1e-6).weight_decay(0.1);
        check(&run::<f64, _>(opt, &P0, &G), &expected, 1e-12);
    }

    #[test]
    fn adamw() {
        // λ = 0.1, decoupled: step 1, element 0: p = 1·(1 − 0.1·0.1) = 0.99, then the
        // Adam step on g = 0.5: p = 0.99 − 0.1·0.5/(0.5 + 1e-8); and so on.
        let expected = reference(0.1, (0.9, 0.999), 1e-8, 0.1, true);
        let torch = [
            [0.890000002, -2.079999999],
            [0.9177103542205653, -2.1422597512377273],
            [0.8665676891558989, -2.1506923277170875],
        ];
        check::<f64, _>(&expected, &torch, 1e-12);
        let opt = AdamW::new(0.1).weight_decay(0.1);
        check(&run::<f64, _>(opt, &P0, &G), &expected, 1e-12);
    }

    #[test]
    fn adamw_default_weight_decay() {
        let expected = reference(0.1, (0.9, 0.999), 1e-8, 1e-2, true);
        let torch = [
            [0.899000002, -2.097999999],
            [0.9347113542385653, -2.1789617512287274],
            [0.8918110813618659, -2.206637963469236],
        ];
        check::<f64, _>(&expected, &torch, 1e-12);
        check(&run::<f64, _>(AdamW::new(0.1), &P0, &G), &expected, 1e-12);
    }

    #[test]
    fn f32_runs() {
        // In f32 the runs stay within 1e-6 of the f64 reference, and agree with
        // PyTorch 2.15 on float32 tensors (these literals) to a few f32 ulps.
        let adam = run::<f32, _>(Adam::new(0.1), &P0, &G);
        check(&adam, &reference(0.1, (0.9, 0.999), 1e-8, 0.0, false), 1e-6);
        let torch_adam = [
            [0.9000000357627869, -2.0999999046325684],
            [0.9366104006767273, -2.1830596923828125],
            [0.8946448564529419, -2.2129149436950684],
        ];
        check(&adam, &torch_adam, F32_TOL);
        let adamw = run::<f32, _>(AdamW::new(0.1).weight_decay(0.1), &P0, &G);
        check(&adamw, &reference(0.1, (0.9, 0.999), 1e-8, 0.1, true), 1e-6);
        let torch_adamw = [
            [0.89000004529953, -2.0799999237060547],
            [0.9177104234695435, -2.1422598361968994],
            [0.8665677905082703, -2.1506924629211426],
        ];
        check(&adamw, &torch_adamw, F32_TOL);
        let adam_wd = run::<f32, _>(
            Adam::new(0.1).betas(0.8, 0.99).eps(1e-6).weight_decay(0.1),
            &P0,
            &G,
        );
        let torch_adam_wd = [
            [0.9000001549720764, -2.0999999046325684],
            [0.9309639930725098, -2.1668660640716553],
            [0.8785415291786194, -2.1554548740386963],
        ];
        check(&adam_wd, &torch_adam_wd, F32_TOL);
    }

    /// Two ulps of f32 at 2.
    const F32_TOL: f64 = 4.8e-7;

    #[test]
    fn defaults_are_pytorchs() {
        let adam = Adam::<f64>::default();
        assert_eq!(
            adam.h,
            Hyper {
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0
            }
        );
        let adamw = AdamW::<f32>::default();
        assert_eq!(adamw.h.weight_decay, 1e-2);
        assert_eq!(adamw.lr(), 1e-3);
        assert_eq!(
            format!("{adam:?}"),
            "Adam { lr: 0.001, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.0, .. }"
        );
    }

    #[test]
    fn invalid_hyperparameters() {
        let msg = |r: Result<Adam<f64>, OptimError>| r.unwrap_err().to_string();
        assert_eq!(msg(Adam::try_new(-1.0)), "Invalid learning rate: -1");
        assert_eq!(
            msg(Adam::new(0.1).try_betas(1.0, 0.9)),
            "Invalid beta parameter at index 0: 1"
        );
        assert_eq!(
            msg(Adam::new(0.1).try_betas(0.9, -0.1)),
            "Invalid beta parameter at index 1: -0.1"
        );
        assert_eq!(
            msg(Adam::new(0.1).try_eps(-1e-8)),
            "Invalid epsilon value: -0.00000001"
        );
        assert_eq!(
            msg(Adam::new(0.1).try_weight_decay(f64::NAN)),
            "Invalid weight_decay value: NaN"
        );
        assert!(AdamW::<f64>::try_new(f64::NAN).is_err());
        let mut adam = Adam::<f64>::new(0.1);
        assert!(adam.try_set_lr(-0.5).is_err());
        adam.set_lr(0.5);
        assert_eq!(adam.lr(), 0.5);
    }

    #[test]
    #[should_panic(expected = "Invalid beta parameter at index 1: 1")]
    fn beta_one_panics() {
        let _ = AdamW::<f64>::new(0.1).betas(0.9, 1.0);
    }

    #[test]
    fn step_counts_are_per_parameter() {
        // `b` has no gradient at step 2: it is not moved, its moments are not
        // decayed, and at step 3 it takes its 2nd step (bias correction t = 2),
        // exactly as a tensor that only ever saw steps 1 and 3.
        skipping_run(Adam::new(0.1), 0.0, false);
        skipping_run(AdamW::new(0.1), 1e-2, true);
    }

    fn skipping_run<O: Optimizer<f64> + Clone>(mut opt: O, wd: f64, decoupled: bool) {
        let mut m = Model {
            w: Tensor::from(array![[1.0, -2.0]]),
            b: Tensor::from(array![1.0, -2.0]),
        }
        .with_requires_grad();
        let mut b_alone = m.b.clone();
        let mut opt_alone = opt.clone();
        for (k, g) in G.iter().enumerate() {
            let g = Array1::from(g.to_vec());
            m.zero_grad_all();
            m.w.accumulate_grad(g.clone().insert_axis(ndarray::Axis(0)));
            if k != 1 {
                m.b.accumulate_grad(g.clone());
                b_alone.zero_grad();
                b_alone.accumulate_grad(g);
                opt_alone.step(&mut b_alone);
            }
            let before = m.b.data().clone();
            opt.step(&mut m);
            if k == 1 {
                assert_eq!(m.b.data(), &before, "a parameter without gradient moved");
            }
        }
        assert_eq!(m.b.data(), b_alone.data());
        let expected = reference(0.1, (0.9, 0.999), 1e-8, wd, decoupled);
        assert_close(m.w.data().as_slice().unwrap(), &expected[2], 1e-12, "w");
    }

    #[test]
    #[should_panic(expected = "AdamW::step: the model changed since the first step")]
    fn a_changed_model_panics() {
        let mut opt = AdamW::new(0.1);
        let mut t = Tensor::from(array![1.0]);
        opt.step(&mut t);
        let mut u = Tensor::from(array![1.0, 2.0]);
        opt.step(&mut u);
    }

    #[test]
    fn lerp_matches_both_branches() {
        assert_eq!(lerp(1.0, 3.0, 0.25), 1.5);
        assert_eq!(lerp(1.0, 3.0, 0.75), 2.5);
        assert_eq!(lerp(1.0f32, 3.0, 1.0), 3.0);
    }
}
