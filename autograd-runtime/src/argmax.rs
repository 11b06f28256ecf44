//! The index of the maximum along an axis: [`Tensor::argmax`], PyTorch's
//! `torch.argmax(t, dim)`, for turning scores into predicted classes.

use ndarray::{Array, ArrayView, ArrayView1, Axis, RemoveAxis};

use crate::error::{or_panic, Error};
use crate::float::Float;
use crate::ops::select::check_reduce_axis;
use crate::tensor::Tensor;

impl<A: Float, D: RemoveAxis> Tensor<A, D> {
    /// The index of the largest element along `axis`, which is dropped
    /// (PyTorch's `t.argmax(dim=k)`): for the logits of a batch,
    /// `logits.argmax(Axis(1))` is the predicted class of each row.
    ///
    /// As in PyTorch, ties go to the first index of the maximum, and NaN
    /// counts as larger than every number: a lane holding a NaN gives the
    /// index of its first NaN. An index is not differentiable: call this
    /// outside `#[differentiable]` bodies, on a value or a graph's output.
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::ndarray::array;
    ///
    /// let logits = Tensor::from(array![[0.1, 2.0, -1.0], [3.0, 3.0, 0.0], [0.0, f64::NAN, 9.0]]);
    /// let predicted = logits.argmax(Axis(1));
    /// assert_eq!(predicted, array![1, 0, 1]); // a tie goes to the first; NaN wins
    ///
    /// // Accuracy against the labels.
    /// let labels = [1, 1, 2];
    /// let correct = predicted.iter().zip(&labels).filter(|(p, y)| p == y).count();
    /// assert_eq!(correct, 1);
    /// ```
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor, or has length 0 (PyTorch
    /// raises there too); the message names the axis and the shape. See
    /// [`try_argmax`](Self::try_argmax).
    #[track_caller]
    pub fn argmax(&self, axis: Axis) -> Array<usize, D::Smaller> {
        or_panic(self.try_argmax(axis))
    }

    /// Like [`argmax`](Self::argmax), returning [`Error::AxisOutOfRange`]
    /// or [`Error::EmptyAxis`] instead of panicking.
    ///
    /// ```
    /// use autograd::prelude::*;
    ///
    /// let t = Tensor::<f32, Ix2>::zeros((2, 0));
    /// let err = t.try_argmax(Axis(1)).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "argmax: axis 1 has length 0 (shape [2, 0]), so there is nothing to reduce"
    /// );
    /// assert!(t.try_argmax(Axis(2)).is_err());
    /// assert_eq!(t.try_argmax(Axis(0)).unwrap().len(), 0); // no lanes: no indices
    /// ```
    pub fn try_argmax(&self, axis: Axis) -> Result<Array<usize, D::Smaller>, Error> {
        argmax_of(self.view(), axis)
    }
}

/// The index of the maximum of each lane along `axis` of `x`.
fn argmax_of<A: Float, D: RemoveAxis>(
    x: ArrayView<'_, A, D>,
    axis: Axis,
) -> Result<Array<usize, D::Smaller>, Error> {
    check_reduce_axis("argmax", x.shape(), axis)?;
    Ok(x.map_axis(axis, argmax_lane))
}

/// The first index of the maximum of a non-empty lane, NaN counting as the
/// largest value.
fn argmax_lane<A: Float>(lane: ArrayView1<'_, A>) -> usize {
    let mut best = 0;
    let mut best_value = lane[0];
    for (i, &v) in lane.iter().enumerate().skip(1) {
        if best_value.is_nan() {
            break;
        }
        if v.is_nan() || v > best_value {
            best = i;
            best_value = v;
        }
    }
    best
}

#[cfg(test)]
mod tests;
