//! Random tensor constructors and PyTorch's default initialization of
//! `nn.Linear`, drawing from a seedable [`Rng`].
//!
//! The *distributions* are PyTorch's; the numbers are not (PyTorch's
//! generator is a different one), but a seed always gives the same tensors.
//! Elements are drawn in memory order, which is row-major for shapes built
//! without `.f()`. The tensors returned do not require grad: call
//! [`requires_grad`](Tensor::requires_grad) on parameters.
//!
//! ```
//! use autograd::prelude::*;
//! use autograd::init::{kaiming_uniform_linear, linear_bias};
//! use autograd::Rng;
//!
//! // nn.Linear(3, 2): weight (2, 3) and bias (2), both U(−1/√3, 1/√3).
//! let mut rng = Rng::seed_from(0);
//! let w: Tensor<f32, Ix2> = kaiming_uniform_linear(2, 3, &mut rng).requires_grad();
//! let b: Tensor<f32, Ix1> = linear_bias(2, 3, &mut rng).requires_grad();
//! assert_eq!((w.shape(), b.shape()), (&[2, 3][..], &[2][..]));
//! let bound = 1.0 / 3f32.sqrt();
//! assert!(w.data().iter().chain(b.data()).all(|v| v.abs() <= bound));
//! ```

use ndarray::{Array, Ix1, Ix2, ShapeBuilder};

use crate::float::Float;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// A tensor of the given shape with elements drawn from `U(lo, hi)`
/// (PyTorch's `nn.init.uniform_(t, lo, hi)`), converted to `A`.
///
/// # Panics
/// If `lo > hi` or either bound is not finite.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::{init, Rng};
///
/// let t: Tensor<f64, Ix2> = init::uniform((2, 3), -0.5, 0.5, &mut Rng::seed_from(1));
/// assert_eq!(t.shape(), &[2, 3]);
/// assert!(t.data().iter().all(|v| (-0.5..=0.5).contains(v)));
/// ```
#[track_caller]
pub fn uniform<A: Float, Sh: ShapeBuilder>(
    shape: Sh,
    lo: f64,
    hi: f64,
    rng: &mut Rng,
) -> Tensor<A, Sh::Dim> {
    assert!(
        lo.is_finite() && hi.is_finite() && lo <= hi,
        "uniform: the bounds must be finite with lo <= hi, got lo = {lo}, hi = {hi}"
    );
    Tensor::from(Array::from_shape_simple_fn(shape, || {
        A::from_f64(rng.uniform(lo, hi))
    }))
}

/// A tensor of the given shape with elements drawn from the normal
/// distribution `N(mean, std²)` (PyTorch's `nn.init.normal_(t, mean, std)`),
/// converted to `A`.
///
/// # Panics
/// If `mean` is not finite, or `std` is negative or not finite.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::{init, Rng};
///
/// let t: Tensor<f64, Ix1> = init::normal(10_000, 2.0, 0.5, &mut Rng::seed_from(1));
/// let mean = t.data().mean().unwrap();
/// assert!((mean - 2.0).abs() < 0.05);
/// ```
#[track_caller]
pub fn normal<A: Float, Sh: ShapeBuilder>(
    shape: Sh,
    mean: f64,
    std: f64,
    rng: &mut Rng,
) -> Tensor<A, Sh::Dim> {
    assert!(
        mean.is_finite() && std.is_finite() && std >= 0.0,
        "normal: the mean must be finite and the standard deviation finite and >= 0, got mean = {mean}, std = {std}"
    );
    Tensor::from(Array::from_shape_simple_fn(shape, || {
        A::from_f64(mean + std * rng.normal())
    }))
}

/// The bound `1/√fan_in` of both default initializations of `nn.Linear`
/// (0 when `fan_in` is 0, as in PyTorch's `reset_parameters`).
fn linear_bound(in_features: usize) -> f64 {
    if in_features == 0 {
        0.0
    } else {
        1.0 / (in_features as f64).sqrt()
    }
}

/// The default weight of `torch.nn.Linear(in_features, out_features)`: shape
/// `(out_features, in_features)` as in PyTorch, elements from
/// `U(−1/√in_features, 1/√in_features)`.
///
/// That is `nn.init.kaiming_uniform_(w, a=√5)`: the gain for a leaky ReLU of
/// slope `a` is `√(2/(1 + a²)) = √(1/3)`, the standard deviation
/// `gain/√fan_in`, and the bound of a uniform with that standard deviation
/// `√3·std = 1/√fan_in`, with `fan_in = in_features`.
///
/// A layer computes `x.matmul(&w.t()) + b` for a batch `x` of shape
/// `(batch, in_features)`, as `F.linear` does.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::{init, Rng};
///
/// let w: Tensor<f64, Ix2> = init::kaiming_uniform_linear(4, 16, &mut Rng::seed_from(0));
/// assert_eq!(w.shape(), &[4, 16]);
/// assert!(w.data().iter().all(|v| v.abs() <= 0.25)); // 1/√16
/// ```
pub fn kaiming_uniform_linear<A: Float>(
    out_features: usize,
    in_features: usize,
    rng: &mut Rng,
) -> Tensor<A, Ix2> {
    let bound = linear_bound(in_features);
    uniform((out_features, in_features), -bound, bound, rng)
}

/// The default bias of `torch.nn.Linear(in_features, out_features)`: shape
/// `(out_features,)`, elements from `U(−1/√in_features, 1/√in_features)`
/// (all zeros when `in_features` is 0, as in PyTorch).
///
/// ```
/// use autograd::prelude::*;
/// use autograd::{init, Rng};
///
/// let b: Tensor<f32, Ix1> = init::linear_bias(3, 4, &mut Rng::seed_from(0));
/// assert_eq!(b.shape(), &[3]);
/// assert!(b.data().iter().all(|v| v.abs() <= 0.5)); // 1/√4
/// ```
pub fn linear_bias<A: Float>(
    out_features: usize,
    in_features: usize,
    rng: &mut Rng,
) -> Tensor<A, Ix1> {
    let bound = linear_bound(in_features);
    uniform(out_features, -bound, bound, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Ix3, IxDyn};

    fn bounds<A: Float>() {
        let mut rng = Rng::seed_from(0);
        let w: Tensor<A, Ix2> = kaiming_uniform_linear(30, 50, &mut rng);
        let b: Tensor<A, Ix1> = linear_bias(30, 50, &mut rng);
        assert_eq!(w.shape(), &[30, 50]);
        assert_eq!(b.shape(), &[30]);
        assert!(!w.is_requires_grad() && !b.is_requires_grad());
        let bound = 1.0 / 50f64.sqrt();
        for v in w.data().iter().chain(b.data()) {
            assert!(v.as_f64().abs() <= bound, "{v} outside ±{bound}");
        }
        // U(−β, β) has variance β²/3: for 1500 weights the sample variance
        // is within a few percent of it.
        let n = w.len() as f64;
        let mean = w.data().iter().map(|v| v.as_f64()).sum::<f64>() / n;
        let var = w
            .data()
            .iter()
            .map(|v| (v.as_f64() - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!(
            (var / (bound * bound / 3.0) - 1.0).abs() < 0.1,
            "variance {var}"
        );
        // They fill the interval: the extremes come close to ±β.
        let max = w.data().iter().fold(A::neg_infinity(), |m, &v| m.max(v));
        let min = w.data().iter().fold(A::infinity(), |m, &v| m.min(v));
        assert!(max.as_f64() > 0.95 * bound && min.as_f64() < -0.95 * bound);
    }

    #[test]
    fn linear_init_bounds() {
        bounds::<f64>();
        bounds::<f32>();
    }

    #[test]
    fn same_seed_same_tensors() {
        let make = |seed| {
            let mut rng = Rng::seed_from(seed);
            let w: Tensor<f64, Ix2> = kaiming_uniform_linear(3, 4, &mut rng);
            let b: Tensor<f64, Ix1> = linear_bias(3, 4, &mut rng);
            let u: Tensor<f64, Ix3> = uniform((2, 2, 2), 0.0, 1.0, &mut rng);
            let n: Tensor<f64, IxDyn> = normal(IxDyn(&[5]), 0.0, 1.0, &mut rng);
            (w, b, u, n)
        };
        assert_eq!(make(3), make(3));
        assert_ne!(make(3).0, make(4).0);
        // f32 tensors are the f64 ones rounded.
        let w64: Tensor<f64, Ix2> = kaiming_uniform_linear(3, 4, &mut Rng::seed_from(3));
        let w32: Tensor<f32, Ix2> = kaiming_uniform_linear(3, 4, &mut Rng::seed_from(3));
        assert_eq!(w32.data(), &w64.data().mapv(|v| v as f32));
        // One generator serves the layers in turn: the bias is the next draws.
        let mut rng = Rng::seed_from(3);
        let _: Tensor<f64, Ix2> = kaiming_uniform_linear(3, 4, &mut rng);
        let next = rng.uniform(-0.5, 0.5);
        assert_eq!(make(3).1.data()[0], next);
    }

    #[test]
    fn normal_statistics() {
        let t: Tensor<f64, Ix1> = normal(50_000, -1.0, 3.0, &mut Rng::seed_from(8));
        let n = t.len() as f64;
        let mean = t.data().sum() / n;
        let var = t.data().mapv(|v| (v - mean).powi(2)).sum() / n;
        assert!((mean + 1.0).abs() < 0.06, "mean {mean}");
        assert!((var / 9.0 - 1.0).abs() < 0.03, "variance {var}");
        let zero_std: Tensor<f32, Ix1> = normal(4, 2.5, 0.0, &mut Rng::seed_from(0));
        assert_eq!(zero_std.data(), &ndarray::arr1(&[2.5f32; 4]));
    }

    #[test]
    fn zero_fan_in() {
        let mut rng = Rng::seed_from(0);
        let w: Tensor<f64, Ix2> = kaiming_uniform_linear(3, 0, &mut rng);
        let b: Tensor<f64, Ix1> = linear_bias(3, 0, &mut rng);
        assert_eq!(w.shape(), &[3, 0]);
        assert_eq!(b.data(), &ndarray::arr1(&[0.0; 3]));
    }

    #[test]
    #[should_panic(
        expected = "uniform: the bounds must be finite with lo <= hi, got lo = 1, hi = -1"
    )]
    fn uniform_reversed_bounds_panics() {
        let _: Tensor<f64, Ix1> = uniform(3, 1.0, -1.0, &mut Rng::seed_from(0));
    }

    #[test]
    #[should_panic(
        expected = "normal: the mean must be finite and the standard deviation finite and >= 0, got mean = 0, std = -1"
    )]
    fn normal_negative_std_panics() {
        let _: Tensor<f64, Ix1> = normal(3, 0.0, -1.0, &mut Rng::seed_from(0));
    }
}
