//! What a failed check reports.

use std::fmt;

use super::GradcheckOptions;

/// The first element at which the analytic gradient and finite differences
/// disagree.
///
/// Its [`Display`](fmt::Display) names the input, the element and both
/// values, and the step and tolerances used:
///
/// ```text
/// gradcheck failed for input 1 at element [0, 2]: analytic gradient 0.5 but finite differences give 0.49 (eps 1e-6, atol 1e-5, rtol 1e-3)
/// ```
///
/// ```
/// use autograd_runtime::gradcheck::gradcheck;
///
/// // ∂(x³)/∂x is 3x², not 2x².
/// let err = gradcheck(|&x: &f64| (x * x * x, 2.0 * x * x), &2.0).unwrap_err();
/// assert_eq!((err.input, err.index.clone()), (0, vec![]));
/// assert_eq!(err.analytic, 8.0);
/// assert!((err.numeric - 12.0).abs() < 1e-6);
/// assert!(err.to_string().starts_with("gradcheck failed for input 0 at element []"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GradcheckError {
    /// The position of the input in the tuple of inputs (0 for a single input).
    pub input: usize,
    /// The multi-index of the element in that input (`[]` for a float or a
    /// `Scalar`, `[j]` for a `Vec` or a one-axis tensor).
    pub index: Vec<usize>,
    /// For [`gradcheck_vjp`](super::gradcheck_vjp), the multi-index of the output element (the row
    /// of the Jacobian); `None` for a scalar [`gradcheck`](super::gradcheck).
    pub output_index: Option<Vec<usize>>,
    /// The gradient (Jacobian entry) computed by the code under test.
    pub analytic: f64,
    /// The central finite difference.
    pub numeric: f64,
    /// The step and tolerances of the check that failed.
    pub options: GradcheckOptions,
    /// For [`gradcheck_hvp`](super::gradcheck_hvp), the direction of the Hessian-vector product:
    /// the input and the multi-index of the element that is 1 in it (the
    /// column of the Hessian); `None` for the other checks.
    pub direction: Option<(usize, Box<[usize]>)>,
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradcheck failed for input {} at element {:?}",
            self.input, self.index
        )?;
        let what = match (&self.output_index, &self.direction) {
            (_, Some((input, index))) => {
                write!(f, " along element {index:?} of input {input}")?;
                "Hessian-vector product"
            }
            (Some(out), None) => {
                write!(f, " of output element {out:?}")?;
                "Jacobian entry"
            }
            (None, None) => "gradient",
        };
        let GradcheckOptions { eps, atol, rtol } = self.options;
        write!(
            f,
            ": analytic {what} {} but finite differences{} give {} (eps {eps:e}, atol {atol:e}, rtol {rtol:e})",
            self.analytic,
            if self.direction.is_some() { " of the gradient" } else { "" },
            self.numeric
        )
    }
}

impl std::error::Error for GradcheckError {}
