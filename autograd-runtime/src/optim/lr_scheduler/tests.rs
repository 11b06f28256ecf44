//! The schedulers' rates, epoch by epoch, against PyTorch's.
//!
//! The reference lists were printed by PyTorch 2.15 (`torch.optim.SGD([p],
//! lr=base)`, then the scheduler; `get_last_lr()[0]` before the first step
//! and after each of `optimizer.step(); scheduler.step()`), with `repr` of
//! each float. PyTorch computes each rate from the previous one, so its
//! last digits drift from the closed form (0.10000000000000044 at epoch 20
//! where the closed form gives 0.1); the comparison allows 1e-13 relative.

use ndarray::array;

use super::*;
use crate::optim::{Adam, AdamW, Sgd};
use crate::tensor::Tensor;

/// The rate before the first step, then after each of `epochs` steps.
fn rates(scheduler: &mut impl LrScheduler, optimizer: &mut Sgd<f64>, epochs: usize) -> Vec<f64> {
    let mut out = vec![optimizer.lr()];
    for _ in 0..epochs {
        scheduler.step(optimizer);
        assert_eq!(scheduler.get_last_lr(), optimizer.lr());
        out.push(optimizer.lr());
    }
    out
}

#[track_caller]
fn assert_rates(found: &[f64], pytorch: &[f64]) {
    assert_eq!(found.len(), pytorch.len());
    for (epoch, (f, p)) in found.iter().zip(pytorch).enumerate() {
        let tol = 1e-13 * p.abs().max(1e-3);
        assert!(
            (f - p).abs() <= tol,
            "epoch {epoch}: found {f:e}, PyTorch {p:e} (difference {:e})",
            (f - p).abs()
        );
    }
}

#[test]
fn step_lr_matches_pytorch() {
    // StepLR(opt, step_size=3, gamma=0.5), base 0.1, 10 epochs:
    // 0.1 · 0.5^⌊epoch/3⌋.
    let mut opt = Sgd::new(0.1);
    let mut s = StepLR::new(&opt, 3, 0.5);
    let pytorch = [
        0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125,
    ];
    assert_rates(&rates(&mut s, &mut opt, 10), &pytorch);

    // StepLR(opt, step_size=1, gamma=0.1), base 0.1, 5 epochs.
    let mut opt = Sgd::new(0.1);
    let mut s = StepLR::new(&opt, 1, 0.1);
    let pytorch = [
        0.1,
        0.010000000000000002,
        0.0010000000000000002,
        0.00010000000000000003,
        1.0000000000000004e-05,
        1.0000000000000004e-06,
    ];
    assert_rates(&rates(&mut s, &mut opt, 5), &pytorch);
}

#[test]
fn cosine_annealing_matches_pytorch_through_and_past_t_max() {
    // CosineAnnealingLR(opt, T_max=4, eta_min=0.001), base 0.1, 13 epochs:
    // down to eta_min at 4, back to the base at 8, down again at 12.
    let mut opt = Sgd::new(0.1);
    let mut s = CosineAnnealingLR::new(&opt, 4, 0.001);
    let pytorch = [
        0.1,
        0.0855017856687341,
        0.0505,
        0.0154982143312659,
        0.001,
        0.015498214331265896,
        0.05050000000000001,
        0.08550178566873413,
        0.10000000000000003,
        0.08550178566873413,
        0.05050000000000003,
        0.015498214331265945,
        0.001,
        0.015498214331265896,
    ];
    assert_rates(&rates(&mut s, &mut opt, 13), &pytorch);

    // CosineAnnealingLR(opt, T_max=10), base 0.1, 25 epochs.
    let mut opt = Sgd::new(0.1);
    let mut s = CosineAnnealingLR::new(&opt, 10, 0.0);
    let pytorch = [
        0.1,
        0.09755282581475769,
        0.09045084971874738,
        0.07938926261462367,
        0.06545084971874739,
        0.05000000000000001,
        0.03454915028125264,
        0.020610737385376353,
        0.009549150281252635,
        0.002447174185242324,
        0.0,
        0.0024471741852423235,
        0.009549150281252666,
        0.020610737385376433,
        0.034549150281252786,
        0.050000000000000225,
        0.06545084971874766,
        0.079389262614624,
        0.09045084971874778,
        0.09755282581475812,
        0.10000000000000044,
        0.0975528258147581,
        0.0904508497187478,
        0.079389262614624,
        0.06545084971874766,
        0.050000000000000225,
    ];
    assert_rates(&rates(&mut s, &mut opt, 25), &pytorch);

    // T_max=1, eta_min=0.01, base 0.05: the rate alternates.
    let mut opt = Sgd::new(0.05);
    let mut s = CosineAnnealingLR::new(&opt, 1, 0.01);
    let pytorch = [0.05, 0.01, 0.05, 0.01, 0.05, 0.01];
    assert_rates(&rates(&mut s, &mut opt, 5), &pytorch);
}

#[test]
fn closed_forms_hold_for_every_epoch() {
    let opt = Sgd::<f64>::new(0.3);
    let step = StepLR::new(&opt, 4, 0.7);
    let cosine = CosineAnnealingLR::new(&opt, 7, 0.02);
    for epoch in 0..60 {
        let k = (epoch / 4) as i32;
        assert_eq!(step.lr_at(epoch), 0.3 * 0.7f64.powi(k));
        let angle = std::f64::consts::PI * epoch as f64 / 7.0;
        let want = 0.02 + (0.3 - 0.02) * (1.0 + angle.cos()) / 2.0;
        assert!((cosine.lr_at(epoch) - want).abs() < 1e-15, "epoch {epoch}");
    }
    // The cosine is reduced by its period first, so far epochs stay exact.
    let far = 14 * 1_000_000_007;
    assert_eq!(cosine.lr_at(far), 0.3);
    assert_eq!(cosine.lr_at(far + 7), 0.02);
    // A decay count beyond i32 saturates instead of wrapping.
    assert_eq!(step.lr_at(usize::MAX), 0.0);
}

#[test]
fn the_base_rate_is_read_once_and_the_optimizer_is_not_held() {
    let mut opt = Adam::<f32>::new(0.2);
    let mut s = StepLR::new(&opt, 1, 0.5);
    assert_eq!(
        (s.base_lr(), s.last_epoch(), s.get_last_lr()),
        (0.2, 0, 0.2)
    );
    // The optimizer is free between steps; a rate set by hand is
    // overwritten by the next step, which starts from the base rate.
    opt.set_lr(1.0);
    s.step(&mut opt);
    assert_eq!((opt.lr(), s.last_epoch()), (0.1, 1));

    // Every optimizer is stepped through the trait.
    let mut adamw = AdamW::<f64>::new(0.4);
    let mut c = CosineAnnealingLR::new(&adamw, 2, 0.0);
    c.step(&mut adamw);
    assert!((adamw.lr() - 0.2).abs() < 1e-15);
    c.step(&mut adamw);
    assert_eq!(adamw.lr(), 0.0);
}

#[test]
fn stepping_changes_the_rate_of_the_next_optimizer_step() {
    // p ← p − lr·g with g = 1: epoch 0 at 0.5, epoch 1 at 0.25.
    let mut w = Tensor::from(array![0.0f64]).requires_grad();
    let mut opt = Sgd::new(0.5);
    let mut s = StepLR::new(&opt, 1, 0.5);
    for _ in 0..2 {
        w.accumulate_grad(array![1.0]);
        opt.step(&mut w);
        opt.zero_grad(&w);
        s.step(&mut opt);
    }
    assert_eq!(w.data()[0], -0.75);
}

#[test]
fn set_last_epoch_resumes_a_run() {
    let mut opt = Sgd::<f64>::new(0.1);
    let mut full = CosineAnnealingLR::new(&opt, 6, 0.0);
    for _ in 0..4 {
        full.step(&mut opt);
    }
    let mut resumed = CosineAnnealingLR::new(&Sgd::<f64>::new(0.1), 6, 0.0);
    resumed.set_last_epoch(3);
    let mut other = Sgd::<f64>::new(0.1);
    resumed.step(&mut other);
    assert_eq!((resumed.last_epoch(), other.lr()), (4, opt.lr()));
    assert_eq!(resumed, full);
}

#[test]
fn try_new_refuses_what_new_panics_on() {
    let opt = Sgd::<f64>::new(0.1);
    let invalid = |name, value| OptimError::InvalidHyperparameter { name, value };
    assert_eq!(
        StepLR::try_new(&opt, 0, 0.5),
        Err(invalid("step_size", 0.0))
    );
    assert_eq!(StepLR::try_new(&opt, 2, -0.5), Err(invalid("gamma", -0.5)));
    assert!(StepLR::try_new(&opt, 2, f64::NAN).is_err());
    assert_eq!(
        CosineAnnealingLR::try_new(&opt, 0, 0.0),
        Err(invalid("t_max", 0.0))
    );
    assert!(CosineAnnealingLR::try_new(&opt, 5, f64::NAN).is_err());
    assert!(StepLR::try_new(&opt, 2, 2.0).is_ok()); // growth is allowed, as in PyTorch
}

#[test]
#[should_panic(expected = "Invalid step_size: 0")]
fn step_lr_panics_on_a_zero_step_size() {
    StepLR::new(&Sgd::<f64>::new(0.1), 0, 0.5);
}

#[test]
#[should_panic(expected = "Invalid eta_min: -1")]
fn cosine_panics_on_a_negative_eta_min() {
    CosineAnnealingLR::new(&Sgd::<f64>::new(0.1), 3, -1.0);
}
