//! Gradient clipping by the total norm: [`clip_grad_norm`], PyTorch's
//! `torch.nn.utils.clip_grad_norm_`.

use std::fmt;

use crate::float::Float;
use crate::params::Parameters;

/// Added to the total norm in the clipping factor, as PyTorch does, so a
/// norm of 0 divides safely.
const EPS: f64 = 1e-6;

/// Clips the stored gradients of a model by their total 2-norm, in place,
/// and returns that norm (before clipping): PyTorch's
/// `torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)`.
///
/// Over every parameter that has a gradient (those without one are
/// skipped, as PyTorch skips `grad is None`):
///
/// ```text
/// total = √(Σ over all gradients, all elements, g²)
/// c     = max_norm / (total + 1e-6)
/// g ← c·g   for every gradient, when c < 1
/// ```
///
/// Call it between `backward()` and the optimizer's `step`. As in PyTorch
/// (`error_if_nonfinite=False`), a non-finite total still scales: a NaN
/// total makes every gradient NaN, an infinite one gives the factor 0 (and
/// NaN where a gradient was infinite); [`try_clip_grad_norm`] refuses
/// instead. `max_norm` is not checked, as PyTorch does not check it.
///
/// The squares are summed in `f64` whatever the element type, so `f32`
/// gradients whose squares overflow `f32` still give a finite total (where
/// PyTorch's `f32` sum gives `inf`). The factor is then rounded to the
/// element type and multiplies each element, as PyTorch does.
///
/// ```
/// use autograd::prelude::*;
///
/// #[derive(Parameters)]
/// struct Model {
///     w: Tensor<f64, Ix1>,
///     b: Tensor<f64, Ix1>,
/// }
///
/// fn main() {
///     let model = Model {
///         w: Tensor::from(autograd::ndarray::array![3.0, 0.0]),
///         b: Tensor::from(autograd::ndarray::array![1.0]),
///     };
///     // Gradients as backward() would leave them: w's (3, 0), b's (4).
///     model.w.accumulate_grad(autograd::ndarray::array![3.0, 0.0]);
///     model.b.accumulate_grad(autograd::ndarray::array![4.0]);
///
///     let total = clip_grad_norm(&model, 1.0); // √(3² + 4²) = 5
///     assert_eq!(total, 5.0);
///     // Each gradient scaled by 1/(5 + 1e-6): the total norm is now just below 1.
///     let c = 1.0 / (5.0 + 1e-6);
///     assert_eq!(model.w.grad().unwrap(), autograd::ndarray::array![3.0 * c, 0.0]);
///     assert_eq!(model.b.grad().unwrap(), autograd::ndarray::array![4.0 * c]);
/// }
/// ```
pub fn clip_grad_norm<P: Parameters + ?Sized>(params: &P, max_norm: f64) -> f64 {
    let total = total_grad_norm(params);
    let factor = max_norm / (total + EPS);
    // PyTorch clamps the factor to at most 1 and always multiplies, so a NaN
    // factor (a NaN norm or max_norm) reaches the gradients too.
    if factor < 1.0 || factor.is_nan() {
        let factor = P::Elem::from_f64(factor);
        params.visit("", &mut |_, p| {
            p.with_grad_mut(&mut |mut g| g.mapv_inplace(|v| v * factor));
        });
    }
    total
}

/// Like [`clip_grad_norm`], but a total norm that is NaN or infinite is an
/// error, and the gradients are left as they were: PyTorch's
/// `clip_grad_norm_(..., error_if_nonfinite=True)`.
///
/// # Errors
/// [`ClipError::NonFiniteNorm`] with the total norm.
///
/// ```
/// use autograd::prelude::*;
///
/// let w = Tensor::from(autograd::ndarray::array![1.0f32, 2.0]);
/// w.accumulate_grad(autograd::ndarray::array![f32::INFINITY, 1.0]);
/// let err = try_clip_grad_norm(&w, 1.0).unwrap_err();
/// assert!(err.to_string().starts_with("clip_grad_norm: the total norm of the gradients is inf"));
/// assert_eq!(w.grad().unwrap()[1], 1.0); // untouched
/// ```
pub fn try_clip_grad_norm<P: Parameters + ?Sized>(
    params: &P,
    max_norm: f64,
) -> Result<f64, ClipError> {
    let total = total_grad_norm(params);
    if !total.is_finite() {
        return Err(ClipError::NonFiniteNorm { total_norm: total });
    }
    Ok(clip_grad_norm(params, max_norm))
}

/// The 2-norm of all stored gradients together (0 when there are none),
/// without changing them.
///
/// ```
/// use autograd::prelude::*;
///
/// let w = Tensor::from(autograd::ndarray::array![0.0, 0.0]);
/// assert_eq!(total_grad_norm(&w), 0.0); // no gradient yet
/// w.accumulate_grad(autograd::ndarray::array![-6.0, 8.0]);
/// assert_eq!(total_grad_norm(&w), 10.0);
/// ```
pub fn total_grad_norm<P: Parameters + ?Sized>(params: &P) -> f64 {
    let mut sum_of_squares = 0.0;
    params.visit("", &mut |_, p| {
        p.with_grad(&mut |g| {
            sum_of_squares += g
                .iter()
                .map(|v| {
                    let v = v.as_f64();
                    v * v
                })
                .sum::<f64>();
        });
    });
    sum_of_squares.sqrt()
}

/// Why [`try_clip_grad_norm`] refused to clip.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClipError {
    /// The total norm of the gradients is NaN or infinite.
    NonFiniteNorm {
        /// The total norm.
        total_norm: f64,
    },
}

impl fmt::Display for ClipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClipError::NonFiniteNorm { total_norm } => write!(
                f,
                "clip_grad_norm: the total norm of the gradients is {total_norm}, so they \
                 cannot be clipped (they are left unchanged)"
            ),
        }
    }
}

impl std::error::Error for ClipError {}

#[cfg(test)]
mod tests;
