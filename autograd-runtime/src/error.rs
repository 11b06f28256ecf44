//! Errors returned by the `try_` variants of operations that panic on shape bugs.

use std::fmt;

/// What went wrong in a `try_` operation.
///
/// Every panicking operation on shapes has a `try_` twin that returns this
/// error instead; the panic message and [`Display`](fmt::Display) are the same.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Two shapes that had to agree (or broadcast) did not.
    ShapeMismatch {
        /// The operation that failed, such as `"backward"` or `"matmul"`.
        op: &'static str,
        /// The shape that was expected (or the left operand's shape).
        expected: Vec<usize>,
        /// The shape that was given (or the right operand's shape).
        found: Vec<usize>,
    },
    /// An axis argument was out of range for the tensor it was applied to.
    AxisOutOfRange {
        /// The operation that failed.
        op: &'static str,
        /// The axis that was asked for.
        axis: usize,
        /// The number of axes of the tensor.
        ndim: usize,
        /// The shape of the tensor.
        shape: Vec<usize>,
    },
    /// The shapes of two operands cannot be combined by the operation: a
    /// matrix product whose inner lengths differ, or a reshape to a shape
    /// with a different number of elements.
    IncompatibleShapes {
        /// The operation that failed, such as `"matmul"` or `"reshape"`.
        op: &'static str,
        /// The left operand's shape (for `reshape`, the tensor's shape).
        lhs: Vec<usize>,
        /// The right operand's shape (for `reshape`, the requested shape).
        rhs: Vec<usize>,
        /// Why they are incompatible.
        reason: &'static str,
    },
    /// An index was out of range for the axis it was applied to.
    IndexOutOfRange {
        /// The operation that failed, such as `"index_axis"`.
        op: &'static str,
        /// The axis that was indexed.
        axis: usize,
        /// The index that was asked for.
        index: usize,
        /// The length of the axis.
        len: usize,
        /// The shape of the tensor.
        shape: Vec<usize>,
    },
    /// A slice was out of range for the axis it was applied to, or its step was zero.
    InvalidSlice {
        /// The operation that failed, such as `"slice_axis"`.
        op: &'static str,
        /// The axis that was sliced.
        axis: usize,
        /// The slice's start (negative counts from the end).
        start: isize,
        /// The slice's end, if any (negative counts from the end).
        end: Option<isize>,
        /// The slice's step.
        step: isize,
        /// The shape of the tensor.
        shape: Vec<usize>,
        /// What is wrong with the slice.
        reason: &'static str,
    },
    /// A reduction that needs at least one element (a maximum, a minimum)
    /// was asked to reduce an axis of length 0.
    EmptyAxis {
        /// The operation that failed, such as `"max_axis"`.
        op: &'static str,
        /// The axis of length 0.
        axis: usize,
        /// The shape of the tensor.
        shape: Vec<usize>,
    },
    /// An operation that joins tensors (`concatenate`, `stack`) was given none.
    NoParts {
        /// The operation that failed.
        op: &'static str,
    },
    /// `backward()` on a graph none of whose arguments requires grad: there
    /// is nowhere to store a gradient (PyTorch raises "element 0 of tensors
    /// does not require grad and does not have a grad_fn").
    NothingRequiresGrad {
        /// The differentiated function whose `forward` built the graph.
        function: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch {
                op,
                expected,
                found,
            } => write!(
                f,
                "{op}: shape mismatch: expected shape {expected:?}, found shape {found:?}"
            ),
            Error::AxisOutOfRange {
                op,
                axis,
                ndim,
                shape,
            } => {
                write!(
                    f,
                    "{op}: axis {axis} is out of range for a tensor with {ndim} axes (shape {shape:?})"
                )
            }
            Error::IncompatibleShapes {
                op,
                lhs,
                rhs,
                reason,
            } => write!(f, "{op}: incompatible shapes {lhs:?} and {rhs:?}: {reason}"),
            Error::IndexOutOfRange {
                op,
                axis,
                index,
                len,
                shape,
            } => write!(
                f,
                "{op}: index {index} is out of range for axis {axis} of length {len} (shape {shape:?})"
            ),
            Error::InvalidSlice {
                op,
                axis,
                start,
                end,
                step,
                shape,
                reason,
            } => {
                let end = end.map(|e| e.to_string()).unwrap_or_default();
                write!(
                    f,
                    "{op}: slice {start}..{end} with step {step} of axis {axis} (shape {shape:?}): {reason}"
                )
            }
            Error::EmptyAxis { op, axis, shape } => write!(
                f,
                "{op}: axis {axis} has length 0 (shape {shape:?}), so there is nothing to reduce"
            ),
            Error::NoParts { op } => write!(f, "{op}: there are no tensors to join"),
            Error::NothingRequiresGrad { function } => write!(
                f,
                "backward: no argument of `{function}` requires grad, so there is nowhere to store a gradient (PyTorch: element 0 of tensors does not require grad and does not have a grad_fn); call `.requires_grad()` on a leaf tensor, or `set_requires_grad_all(true)` on a model, before `{function}::forward`"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Builds a [`Error::ShapeMismatch`].
pub(crate) fn shape_mismatch(op: &'static str, expected: &[usize], found: &[usize]) -> Error {
    Error::ShapeMismatch {
        op,
        expected: expected.to_vec(),
        found: found.to_vec(),
    }
}

/// Checks that `axis` is an axis of a tensor of shape `shape`, or builds an
/// [`Error::AxisOutOfRange`] naming the axis and the shape.
pub(crate) fn check_axis(op: &'static str, axis: usize, shape: &[usize]) -> Result<(), Error> {
    if axis < shape.len() {
        Ok(())
    } else {
        Err(Error::AxisOutOfRange {
            op,
            axis,
            ndim: shape.len(),
            shape: shape.to_vec(),
        })
    }
}

/// Unwraps the result of a `try_` operation, panicking with its message at the caller.
#[track_caller]
pub(crate) fn or_panic<T>(r: Result<T, Error>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}
