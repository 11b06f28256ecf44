//! Checks of forward mode and of Hessian-vector products against central
//! finite differences: [`gradcheck_jvp`] compares a Jacobian-vector product
//! with differences of the value, [`gradcheck_hvp`] a Hessian-vector
//! product with differences of the gradient, each along every one-hot
//! direction of the inputs (so they build the whole Jacobian or Hessian,
//! column by column).

use ndarray::{Array, Dimension};

use super::{check_grad_shapes, perturbed, unravel, CheckInputs, GradcheckError, GradcheckOptions};
use crate::tensor::Tensor;

/// The output of a function checked in forward mode, with the type of its
/// tangent: `f64` (tangent `f64`) or `Tensor<f64, D>`, `Scalar<f64>`
/// included (tangent `Array<f64, D>`).
pub trait CheckOutput {
    /// The tangent (gradient) type of the output.
    type Tangent;
    /// The shape used to name an output element (`[]` for a float).
    fn output_shape(&self) -> Vec<usize>;
    /// The elements, row-major.
    fn output_elements(&self) -> Vec<f64>;
    /// The shape and elements (row-major) of a tangent of this output.
    fn tangent_elements(&self, tangent: &Self::Tangent) -> (Vec<usize>, Vec<f64>);
}

impl CheckOutput for f64 {
    type Tangent = f64;
    fn output_shape(&self) -> Vec<usize> {
        Vec::new()
    }
    fn output_elements(&self) -> Vec<f64> {
        vec![*self]
    }
    fn tangent_elements(&self, tangent: &f64) -> (Vec<usize>, Vec<f64>) {
        (Vec::new(), vec![*tangent])
    }
}

impl<D: Dimension> CheckOutput for Tensor<f64, D> {
    type Tangent = Array<f64, D>;
    fn output_shape(&self) -> Vec<usize> {
        self.shape().to_vec()
    }
    fn output_elements(&self) -> Vec<f64> {
        self.data().iter().copied().collect()
    }
    fn tangent_elements(&self, tangent: &Array<f64, D>) -> (Vec<usize>, Vec<f64>) {
        (tangent.shape().to_vec(), tangent.iter().copied().collect())
    }
}

/// The one-hot direction at element `j` of input `input`.
#[track_caller]
fn direction<I: CheckInputs>(inputs: &I, input: usize, j: usize) -> I::Grads {
    match inputs.grads_one_hot(input, j) {
        Some(d) => d,
        None => panic!(
            "gradcheck: input {input} cannot build a tangent direction: implement `CheckInput::one_hot` for its type"
        ),
    }
}

/// Checks a Jacobian-vector product (forward mode) against central finite
/// differences of the value, with the default [`GradcheckOptions`].
///
/// `value` computes the output; `jvp` takes the inputs and a tangent of
/// them (the type of their gradients, by value) and returns the output and
/// its tangent, as a generated `f::jvp` does. For each element of each
/// input, the tangent that is 1 there and 0 elsewhere gives one column of
/// the Jacobian, compared with `(value(x + eps·e) − value(x − eps·e)) / 2eps`.
///
/// # Errors
/// The first Jacobian entry (by input, input element, then output element)
/// whose two values disagree; `output_index` names the output element.
///
/// # Panics
/// If the tangent's shape is not the output's, or an input type cannot
/// build a tangent direction ([`CheckInput::one_hot`](super::CheckInput::one_hot)).
///
/// ```
/// use autograd_runtime::gradcheck::gradcheck_jvp;
/// use autograd_runtime::Tensor;
/// use ndarray::{array, Array1, Ix1};
///
/// // y = [x₀·x₁, sin x₀], whose tangent along t is [t₀x₁ + x₀t₁, t₀ cos x₀].
/// let value = |x: &Tensor<f64, Ix1>| {
///     let x = x.data();
///     Tensor::from(array![x[0] * x[1], x[0].sin()])
/// };
/// let jvp = |x: &Tensor<f64, Ix1>, t: Array1<f64>| {
///     let d = x.data();
///     (value(x), array![t[0] * d[1] + d[0] * t[1], t[0] * d[0].cos()])
/// };
/// assert_eq!(gradcheck_jvp(value, jvp, &Tensor::from(array![0.5, 2.0])), Ok(()));
/// ```
#[track_caller]
pub fn gradcheck_jvp<I, O, V, J>(value: V, jvp: J, inputs: &I) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    O: CheckOutput,
    V: Fn(&I) -> O,
    J: Fn(&I, I::Grads) -> (O, O::Tangent),
{
    gradcheck_jvp_with(GradcheckOptions::default(), value, jvp, inputs)
}

/// [`gradcheck_jvp`] with a chosen step and tolerances.
///
/// # Errors
/// The first Jacobian entry whose two values disagree.
///
/// # Panics
/// As [`gradcheck_jvp`].
///
/// ```
/// use autograd_runtime::gradcheck::{gradcheck_jvp_with, GradcheckOptions};
///
/// // y = x³: a wrong tangent 2x²·t is reported.
/// let options = GradcheckOptions { eps: 1e-4, ..Default::default() };
/// let err = gradcheck_jvp_with(options, |&x: &f64| x * x * x, |&x: &f64, t: f64| (x * x * x, 2.0 * x * x * t), &1.5)
///     .unwrap_err();
/// assert_eq!(err.output_index, Some(vec![]));
/// ```
#[track_caller]
pub fn gradcheck_jvp_with<I, O, V, J>(
    options: GradcheckOptions,
    value: V,
    jvp: J,
    inputs: &I,
) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    O: CheckOutput,
    V: Fn(&I) -> O,
    J: Fn(&I, I::Grads) -> (O, O::Tangent),
{
    let out_shape = value(inputs).output_shape();
    let mut x = inputs.clone();
    for input in 0..inputs.input_count() {
        let shape = inputs.input_shape(input);
        for j in 0..inputs.input_element_count(input) {
            let (y, tangent) = jvp(inputs, direction(inputs, input, j));
            let (t_shape, analytic) = y.tangent_elements(&tangent);
            assert!(
                t_shape == out_shape,
                "gradcheck: the tangent along element {:?} of input {input} has shape {t_shape:?} but the output has shape {out_shape:?}",
                unravel(j, &shape)
            );
            let (plus, minus) = perturbed(&mut x, input, j, options.eps, |x| {
                value(x).output_elements()
            });
            for (k, (a, (p, m))) in analytic.iter().zip(plus.iter().zip(&minus)).enumerate() {
                let numeric = (p - m) / (2.0 * options.eps);
                if !options.close(*a, numeric) {
                    return Err(GradcheckError {
                        input,
                        index: unravel(j, &shape),
                        output_index: Some(unravel(k, &out_shape)),
                        analytic: *a,
                        numeric,
                        options,
                        direction: None,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Checks a Hessian-vector product against central finite differences of
/// the gradient, with the default [`GradcheckOptions`].
///
/// `grad` computes the gradients of all inputs (as a generated `f::grad`
/// does); `hvp` takes the inputs and a direction of their gradients' type,
/// by value, and returns `H·v` in the same type (as `f::hvp`). Each one-hot
/// direction `e` gives a column of the Hessian, compared with
/// `(grad(x + eps·e) − grad(x − eps·e)) / 2eps`.
///
/// # Errors
/// The first entry (by direction, then by gradient element) whose two
/// values disagree: `input` and `index` name the gradient's element,
/// `direction` the element the direction is 1 at.
///
/// # Panics
/// If a returned gradient's shape differs from its input's, or an input type
/// cannot build a direction.
///
/// ```
/// use autograd_runtime::gradcheck::gradcheck_hvp;
///
/// // f(x, y) = x²y: ∇f = (2xy, x²), H = [[2y, 2x], [2x, 0]].
/// let grad = |&(x, y): &(f64, f64)| (2.0 * x * y, x * x);
/// let hvp = |&(x, y): &(f64, f64), (u, v): (f64, f64)| (2.0 * y * u + 2.0 * x * v, 2.0 * x * u);
/// assert_eq!(gradcheck_hvp(grad, hvp, &(1.5, -0.5)), Ok(()));
///
/// // A wrong ∂²f/∂y∂x is reported with the direction that shows it.
/// let wrong = |&(x, y): &(f64, f64), (u, v): (f64, f64)| (2.0 * y * u + 2.0 * x * v, x * u);
/// let err = gradcheck_hvp(grad, wrong, &(1.5, -0.5)).unwrap_err();
/// assert_eq!((err.input, err.direction), (1, Some((0, vec![].into_boxed_slice()))));
/// ```
#[track_caller]
pub fn gradcheck_hvp<I, G, H>(grad: G, hvp: H, inputs: &I) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    G: Fn(&I) -> I::Grads,
    H: Fn(&I, I::Grads) -> I::Grads,
{
    gradcheck_hvp_with(GradcheckOptions::default(), grad, hvp, inputs)
}

/// [`gradcheck_hvp`] with a chosen step and tolerances.
///
/// # Errors
/// The first Hessian entry whose two values disagree.
///
/// # Panics
/// As [`gradcheck_hvp`].
///
/// ```
/// use autograd_runtime::gradcheck::{gradcheck_hvp_with, GradcheckOptions};
///
/// // f(x) = x⁴ / 12: f'' = x².
/// let options = GradcheckOptions { rtol: 1e-6, ..Default::default() };
/// let grad = |&x: &f64| x * x * x / 3.0;
/// assert_eq!(gradcheck_hvp_with(options, grad, |&x: &f64, v: f64| x * x * v, &0.7), Ok(()));
/// ```
#[track_caller]
pub fn gradcheck_hvp_with<I, G, H>(
    options: GradcheckOptions,
    grad: G,
    hvp: H,
    inputs: &I,
) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    G: Fn(&I) -> I::Grads,
    H: Fn(&I, I::Grads) -> I::Grads,
{
    check_grad_shapes(inputs, &grad(inputs), None);
    let mut x = inputs.clone();
    for input in 0..inputs.input_count() {
        let shape = inputs.input_shape(input);
        for j in 0..inputs.input_element_count(input) {
            let hv = hvp(inputs, direction(inputs, input, j));
            check_grad_shapes(inputs, &hv, None);
            let (plus, minus) = perturbed(&mut x, input, j, options.eps, &grad);
            for row in 0..inputs.input_count() {
                let row_shape = inputs.input_shape(row);
                for k in 0..inputs.input_element_count(row) {
                    let numeric = (inputs.grads_element(&plus, row, k)
                        - inputs.grads_element(&minus, row, k))
                        / (2.0 * options.eps);
                    let analytic = inputs.grads_element(&hv, row, k);
                    if !options.close(analytic, numeric) {
                        return Err(GradcheckError {
                            input: row,
                            index: unravel(k, &row_shape),
                            output_index: None,
                            analytic,
                            numeric,
                            options,
                            direction: Some((input, unravel(j, &shape).into_boxed_slice())),
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1, Array2, Ix1, Ix2};

    type T1 = Tensor<f64, Ix1>;
    type T2 = Tensor<f64, Ix2>;

    /// f(W, x) = ½‖W·x‖², ∇_W = (Wx)xᵀ, ∇_x = Wᵀ(Wx); H·(U, u) =
    /// ((Ux + Wu)xᵀ + (Wx)uᵀ, Uᵀ(Wx) + Wᵀ(Ux + Wu)).
    fn grad((w, x): &(T2, T1)) -> (Array2<f64>, Array1<f64>) {
        let (w, x) = (w.data(), x.data());
        let y = w.dot(x);
        (outer(&y, x), w.t().dot(&y))
    }

    fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
        a.view()
            .insert_axis(ndarray::Axis(1))
            .dot(&b.view().insert_axis(ndarray::Axis(0)))
    }

    fn hvp(
        (w, x): &(T2, T1),
        (u_w, u_x): (Array2<f64>, Array1<f64>),
    ) -> (Array2<f64>, Array1<f64>) {
        let (w, x) = (w.data(), x.data());
        let y = w.dot(x);
        let dy = u_w.dot(x) + w.dot(&u_x);
        (
            outer(&dy, x) + outer(&y, &u_x),
            u_w.t().dot(&y) + w.t().dot(&dy),
        )
    }

    fn inputs() -> (T2, T1) {
        (
            T2::from(array![[1.0, -0.5, 2.0], [0.3, 0.8, -1.2]]),
            T1::from(array![0.4, -1.1, 0.7]),
        )
    }

    #[test]
    fn a_right_hessian_vector_product_passes() {
        assert_eq!(gradcheck_hvp(grad, hvp, &inputs()), Ok(()));
    }

    #[test]
    fn a_missing_cross_term_is_reported_with_its_direction() {
        // Without the (Wx)uᵀ term, ∂²f/∂W∂x is wrong.
        let wrong = |(w, x): &(T2, T1), (u_w, u_x): (Array2<f64>, Array1<f64>)| {
            let (w, x) = (w.data(), x.data());
            let y = w.dot(x);
            let dy = u_w.dot(x) + w.dot(&u_x);
            (outer(&dy, x), u_w.t().dot(&y) + w.t().dot(&dy))
        };
        let err = gradcheck_hvp(grad, wrong, &inputs()).unwrap_err();
        assert_eq!(err.input, 0);
        assert_eq!(err.direction.as_ref().map(|d| d.0), Some(1));
        assert!(err.to_string().contains("along element"), "{err}");
        assert!(err.to_string().contains("of the gradient"), "{err}");
    }

    #[test]
    fn forward_mode_of_a_matrix_product_passes_and_a_wrong_one_fails() {
        let value = |(w, x): &(T2, T1)| T1::from(w.data().dot(x.data()));
        let jvp = |(w, x): &(T2, T1), (u_w, u_x): (Array2<f64>, Array1<f64>)| {
            (
                value(&(w.clone(), x.clone())),
                u_w.dot(x.data()) + w.data().dot(&u_x),
            )
        };
        assert_eq!(gradcheck_jvp(value, jvp, &inputs()), Ok(()));
        let half = |(w, x): &(T2, T1), (u_w, _): (Array2<f64>, Array1<f64>)| {
            (value(&(w.clone(), x.clone())), u_w.dot(x.data()))
        };
        let err = gradcheck_jvp(value, half, &inputs()).unwrap_err();
        assert_eq!(err.input, 1);
        assert!(err.output_index.is_some());
    }

    #[test]
    fn constants_and_scalars_take_part() {
        // f(x, n) = n·x² for a constant n: f' = 2nx, f'' = 2n; jvp of a Scalar output.
        let grad = |&(x, n): &(f64, usize)| (2.0 * n as f64 * x, ());
        let hvp = |&(_, n): &(f64, usize), (v, ()): (f64, ())| (2.0 * n as f64 * v, ());
        assert_eq!(gradcheck_hvp(grad, hvp, &(0.3, 3usize)), Ok(()));
        let value = |&(x, n): &(f64, usize)| crate::tensor::Scalar::scalar(n as f64 * x * x);
        let jvp = |&(x, n): &(f64, usize), (t, ()): (f64, ())| {
            (value(&(x, n)), ndarray::arr0(2.0 * n as f64 * x * t))
        };
        assert_eq!(gradcheck_jvp(value, jvp, &(0.3, 3usize)), Ok(()));
    }

    #[test]
    #[should_panic(expected = "has shape")]
    fn a_tangent_of_the_wrong_shape_is_named() {
        let value = |x: &T1| T1::from(x.data() * 2.0);
        let jvp = |x: &T1, _t: Array1<f64>| (value(x), array![1.0]);
        let _ = gradcheck_jvp(value, jvp, &T1::from(array![1.0, 2.0]));
    }
}
