//! `gradcheck`: compares an analytic gradient with central finite differences,
//! as `torch.autograd.gradcheck` does.
//!
//! Everything is computed in `f64`. Each element of each differentiable input
//! is perturbed by `±eps` (on a clone of the inputs) and the function is
//! evaluated twice, giving the numeric partial
//! `(f(x + eps·eⱼ) − f(x − eps·eⱼ)) / 2·eps`. An element passes when
//! `|analytic − numeric| <= atol + rtol·|numeric|`.
//!
//! * [`gradcheck`] checks a scalar function given as a *value-and-gradient*
//!   closure (such as the generated `f::value_and_grad`).
//! * [`gradcheck_vjp`] checks a function with a tensor output given as a
//!   value closure and a vector-Jacobian-product closure (the pullback of
//!   `f::vjp` applied to a cotangent); it builds the full Jacobian both ways.
//! * [`gradcheck_jvp`] checks a Jacobian-vector product (forward mode)
//!   against differences of the value, and [`gradcheck_hvp`] a
//!   Hessian-vector product against differences of the gradient, along
//!   every one-hot direction of the inputs.
//!
//! The first mismatch is reported as a [`GradcheckError`] naming the input
//! (its position in the tuple of inputs), the element (its multi-index in that
//! input), for [`gradcheck_vjp`] the output element, and both values.
//!
//! ```
//! use autograd_runtime::gradcheck::gradcheck;
//!
//! // f(x, y) = x² y, ∂f/∂x = 2xy, ∂f/∂y = x²
//! let f = |&(x, y): &(f64, f64)| (x * x * y, (2.0 * x * y, x * x));
//! assert_eq!(gradcheck(f, &(1.5, -0.5)), Ok(()));
//!
//! // A wrong ∂f/∂y is reported for input 1.
//! let wrong = |&(x, y): &(f64, f64)| (x * x * y, (2.0 * x * y, x));
//! let err = gradcheck(wrong, &(1.5, -0.5)).unwrap_err();
//! assert_eq!(err.input, 1);
//! ```

use ndarray::{Array, Dimension, Ix0};

use crate::tensor::Tensor;

/// Step and tolerances of a gradient check.
///
/// An element passes when `|analytic − numeric| <= atol + rtol·|numeric|`,
/// where `numeric` is the central difference with step `eps`. The defaults
/// are PyTorch's: `eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`.
///
/// ```
/// use autograd_runtime::gradcheck::GradcheckOptions;
///
/// let loose = GradcheckOptions { atol: 1e-3, ..GradcheckOptions::default() };
/// assert_eq!(loose.eps, 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradcheckOptions {
    /// The finite-difference step.
    pub eps: f64,
    /// The absolute tolerance.
    pub atol: f64,
    /// The tolerance relative to the numeric value.
    pub rtol: f64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

impl GradcheckOptions {
    /// Whether an analytic value agrees with a numeric one (`NaN` never does).
    fn close(&self, analytic: f64, numeric: f64) -> bool {
        (analytic - numeric).abs() <= self.atol + self.rtol * numeric.abs()
    }
}

mod error;
pub use error::GradcheckError;

/// One input of a checked function, seen as a flat list of `f64` elements
/// that finite differences can perturb, together with its gradient type.
///
/// Elements are numbered in row-major (logical) order; `element_shape` turns
/// a number into the multi-index reported in a [`GradcheckError`].
/// Inputs that are not differentiated (sizes, flags, index lists) have no
/// elements and the gradient `()`.
///
/// Implemented for `f64` (gradient `f64`), `Tensor<f64, D>` (gradient
/// `Array<f64, D>`), `Vec<f64>` (gradient `Vec<f64>`), and the constants
/// `usize`, `i32`, `i64`, `u32`, `bool`, `Vec<usize>`, `Vec<i32>`
/// (gradient `()`). Implement it for a struct of parameters to check it as a
/// whole:
///
/// ```
/// use autograd_runtime::gradcheck::{gradcheck, CheckInput};
///
/// #[derive(Clone)]
/// struct Line { a: f64, b: f64 }
///
/// impl CheckInput for Line {
///     type Grad = Line;
///     fn element_count(&self) -> usize { 2 }
///     fn element_shape(&self) -> Vec<usize> { vec![2] }
///     fn element(&self, j: usize) -> f64 { [self.a, self.b][j] }
///     fn set_element(&mut self, j: usize, value: f64) {
///         *[&mut self.a, &mut self.b][j] = value;
///     }
///     fn grad_shape(&self, _grad: &Line) -> Vec<usize> { vec![2] }
///     fn grad_element(&self, grad: &Line, j: usize) -> f64 { [grad.a, grad.b][j] }
/// }
///
/// // f(a, b) = (a·3 + b)², ∂f/∂a = 6(3a + b), ∂f/∂b = 2(3a + b)
/// let f = |p: &Line| {
///     let r = p.a * 3.0 + p.b;
///     (r * r, Line { a: 6.0 * r, b: 2.0 * r })
/// };
/// assert_eq!(gradcheck(f, &Line { a: 0.5, b: -1.0 }), Ok(()));
/// ```
pub trait CheckInput: Clone {
    /// The gradient type of the input (what a pullback returns for it).
    type Grad;

    /// The number of elements finite differences perturb.
    fn element_count(&self) -> usize;

    /// The shape used to turn an element number into a multi-index; its
    /// product is `element_count()`.
    fn element_shape(&self) -> Vec<usize>;

    /// Element `j` (row-major), as `f64`.
    fn element(&self, j: usize) -> f64;

    /// Sets element `j` (row-major) to `value`, keeping everything else
    /// (a tensor keeps its requires-grad flag).
    fn set_element(&mut self, j: usize, value: f64);

    /// The shape of a gradient of this input, compared with
    /// [`element_shape`](Self::element_shape) before any element is read.
    fn grad_shape(&self, grad: &Self::Grad) -> Vec<usize>;

    /// Element `j` (row-major) of a gradient of this input.
    fn grad_element(&self, grad: &Self::Grad, j: usize) -> f64;

    /// A gradient of this input's type that is 1 at element `j` and 0
    /// elsewhere (all zeros for `None`): a tangent direction, for
    /// [`gradcheck_jvp`] and [`gradcheck_hvp`]. The default is `None`, for a
    /// type that cannot build one; those checks then panic naming it.
    fn one_hot(&self, j: Option<usize>) -> Option<Self::Grad> {
        let _ = j;
        None
    }
}

/// The multi-index of element `j` in row-major order.
fn unravel(mut j: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (slot, &n) in index.iter_mut().zip(shape).rev() {
        *slot = j % n;
        j /= n;
    }
    index
}

impl CheckInput for f64 {
    type Grad = f64;
    fn element_count(&self) -> usize {
        1
    }
    fn element_shape(&self) -> Vec<usize> {
        Vec::new()
    }
    fn element(&self, _j: usize) -> f64 {
        *self
    }
    fn set_element(&mut self, _j: usize, value: f64) {
        *self = value;
    }
    fn grad_shape(&self, _grad: &f64) -> Vec<usize> {
        Vec::new()
    }
    fn grad_element(&self, grad: &f64, _j: usize) -> f64 {
        *grad
    }
    fn one_hot(&self, j: Option<usize>) -> Option<f64> {
        Some(if j.is_some() { 1.0 } else { 0.0 })
    }
}

impl CheckInput for Vec<f64> {
    type Grad = Vec<f64>;
    fn element_count(&self) -> usize {
        self.len()
    }
    fn element_shape(&self) -> Vec<usize> {
        vec![self.len()]
    }
    fn element(&self, j: usize) -> f64 {
        self[j]
    }
    fn set_element(&mut self, j: usize, value: f64) {
        self[j] = value;
    }
    fn grad_shape(&self, grad: &Vec<f64>) -> Vec<usize> {
        vec![grad.len()]
    }
    fn grad_element(&self, grad: &Vec<f64>, j: usize) -> f64 {
        grad[j]
    }
    fn one_hot(&self, j: Option<usize>) -> Option<Vec<f64>> {
        let mut g = vec![0.0; self.len()];
        if let Some(j) = j {
            g[j] = 1.0;
        }
        Some(g)
    }
}

impl<D: Dimension> CheckInput for Tensor<f64, D> {
    type Grad = Array<f64, D>;
    fn element_count(&self) -> usize {
        self.len()
    }
    fn element_shape(&self) -> Vec<usize> {
        self.shape().to_vec()
    }
    fn element(&self, j: usize) -> f64 {
        array_element(self.data(), j)
    }
    fn set_element(&mut self, j: usize, value: f64) {
        let index = unravel(j, self.shape());
        // `data_mut` keeps the requires-grad flag.
        let mut data = self.data_mut().view_mut().into_dyn();
        data[index.as_slice()] = value;
    }
    fn grad_shape(&self, grad: &Array<f64, D>) -> Vec<usize> {
        grad.shape().to_vec()
    }
    fn grad_element(&self, grad: &Array<f64, D>, j: usize) -> f64 {
        array_element(grad, j)
    }
    fn one_hot(&self, j: Option<usize>) -> Option<Array<f64, D>> {
        // Zeros are in standard layout: slice position `j` is element `j`.
        let mut g = Array::zeros(self.raw_dim());
        if let (Some(j), Some(slice)) = (j, g.as_slice_mut()) {
            slice[j] = 1.0;
        }
        Some(g)
    }
}

/// Element `j` of an array in row-major (logical) order, whatever its layout.
fn array_element<D: Dimension>(a: &Array<f64, D>, j: usize) -> f64 {
    let index = unravel(j, a.shape());
    a.view().into_dyn()[index.as_slice()]
}

/// Inputs that are not differentiated: no elements, gradient `()`.
macro_rules! constant_input {
    ($($t:ty),*) => {$(
        impl CheckInput for $t {
            type Grad = ();
            fn element_count(&self) -> usize {
                0
            }
            fn element_shape(&self) -> Vec<usize> {
                vec![0]
            }
            fn element(&self, j: usize) -> f64 {
                panic!("gradcheck: a constant input has no element {j}")
            }
            fn set_element(&mut self, j: usize, _value: f64) {
                panic!("gradcheck: a constant input has no element {j}")
            }
            fn grad_shape(&self, _grad: &()) -> Vec<usize> {
                vec![0]
            }
            fn grad_element(&self, _grad: &(), j: usize) -> f64 {
                panic!("gradcheck: a constant input has no element {j}")
            }
            fn one_hot(&self, _j: Option<usize>) -> Option<()> {
                Some(())
            }
        }
    )*};
}
constant_input!(usize, i32, i64, u32, bool, Vec<usize>, Vec<i32>);

/// All the inputs of a checked function: one [`CheckInput`], or a tuple of
/// one to six of them. `Grads` is what the function returns as its gradient:
/// `T::Grad` for a single input, the tuple of the inputs' gradients otherwise.
///
/// Inputs are numbered by their position in the tuple (0 for a single
/// input); the methods address input `input`, element `j`.
///
/// ```
/// use autograd_runtime::gradcheck::CheckInputs;
/// use autograd_runtime::Tensor;
/// use ndarray::array;
///
/// let inputs = (Tensor::from(array![[1.0, 2.0], [3.0, 4.0]]), 5usize, 6.0);
/// assert_eq!(inputs.input_count(), 3);
/// assert_eq!(inputs.input_shape(0), vec![2, 2]);
/// assert_eq!(inputs.input_element(0, 2), 3.0);
/// assert_eq!(inputs.input_element_count(1), 0);
/// ```
pub trait CheckInputs: Clone {
    /// The gradients of all inputs, as the checked function returns them.
    type Grads;

    /// The number of inputs.
    fn input_count(&self) -> usize;

    /// The number of elements of input `input`.
    fn input_element_count(&self, input: usize) -> usize;

    /// The shape of input `input` (see [`CheckInput::element_shape`]).
    fn input_shape(&self, input: usize) -> Vec<usize>;

    /// Element `j` of input `input`.
    fn input_element(&self, input: usize, j: usize) -> f64;

    /// Sets element `j` of input `input`.
    fn set_input_element(&mut self, input: usize, j: usize, value: f64);

    /// The shape of the gradient of input `input` in `grads`.
    fn grads_shape(&self, grads: &Self::Grads, input: usize) -> Vec<usize>;

    /// Element `j` of the gradient of input `input` in `grads`.
    fn grads_element(&self, grads: &Self::Grads, input: usize, j: usize) -> f64;

    /// Gradients of all inputs that are 1 at element `j` of input `input`
    /// and 0 elsewhere: a tangent direction (see [`CheckInput::one_hot`]);
    /// `None` if an input cannot build one.
    fn grads_one_hot(&self, input: usize, j: usize) -> Option<Self::Grads> {
        let _ = (input, j);
        None
    }
}

#[track_caller]
fn no_such_input(input: usize, count: usize) -> ! {
    panic!("gradcheck: input {input} does not exist (there are {count} inputs)")
}

impl<T: CheckInput> CheckInputs for T {
    type Grads = T::Grad;
    fn input_count(&self) -> usize {
        1
    }
    fn input_element_count(&self, input: usize) -> usize {
        match input {
            0 => self.element_count(),
            _ => no_such_input(input, 1),
        }
    }
    fn input_shape(&self, input: usize) -> Vec<usize> {
        match input {
            0 => self.element_shape(),
            _ => no_such_input(input, 1),
        }
    }
    fn input_element(&self, input: usize, j: usize) -> f64 {
        match input {
            0 => self.element(j),
            _ => no_such_input(input, 1),
        }
    }
    fn set_input_element(&mut self, input: usize, j: usize, value: f64) {
        match input {
            0 => self.set_element(j, value),
            _ => no_such_input(input, 1),
        }
    }
    fn grads_shape(&self, grads: &T::Grad, input: usize) -> Vec<usize> {
        match input {
            0 => self.grad_shape(grads),
            _ => no_such_input(input, 1),
        }
    }
    fn grads_element(&self, grads: &T::Grad, input: usize, j: usize) -> f64 {
        match input {
            0 => self.grad_element(grads, j),
            _ => no_such_input(input, 1),
        }
    }
    fn grads_one_hot(&self, input: usize, j: usize) -> Option<T::Grad> {
        match input {
            0 => self.one_hot(Some(j)),
            _ => no_such_input(input, 1),
        }
    }
}

macro_rules! tuple_inputs {
    ($n:literal; $($t:ident $i:tt),+) => {
        impl<$($t: CheckInput),+> CheckInputs for ($($t,)+) {
            type Grads = ($($t::Grad,)+);
            fn input_count(&self) -> usize {
                $n
            }
            fn input_element_count(&self, input: usize) -> usize {
                match input {
                    $($i => self.$i.element_count(),)+
                    _ => no_such_input(input, $n),
                }
            }
            fn input_shape(&self, input: usize) -> Vec<usize> {
                match input {
                    $($i => self.$i.element_shape(),)+
                    _ => no_such_input(input, $n),
                }
            }
            fn input_element(&self, input: usize, j: usize) -> f64 {
                match input {
                    $($i => self.$i.element(j),)+
                    _ => no_such_input(input, $n),
                }
            }
            fn set_input_element(&mut self, input: usize, j: usize, value: f64) {
                match input {
                    $($i => self.$i.set_element(j, value),)+
                    _ => no_such_input(input, $n),
                }
            }
            fn grads_shape(&self, grads: &Self::Grads, input: usize) -> Vec<usize> {
                match input {
                    $($i => self.$i.grad_shape(&grads.$i),)+
                    _ => no_such_input(input, $n),
                }
            }
            fn grads_element(&self, grads: &Self::Grads, input: usize, j: usize) -> f64 {
                match input {
                    $($i => self.$i.grad_element(&grads.$i, j),)+
                    _ => no_such_input(input, $n),
                }
            }
            fn grads_one_hot(&self, input: usize, j: usize) -> Option<Self::Grads> {
                if input >= $n {
                    no_such_input(input, $n);
                }
                Some(($(self.$i.one_hot((input == $i).then_some(j))?,)+))
            }
        }
    };
}
tuple_inputs!(1; A 0);
tuple_inputs!(2; A 0, B 1);
tuple_inputs!(3; A 0, B 1, C 2);
tuple_inputs!(4; A 0, B 1, C 2, D 3);
tuple_inputs!(5; A 0, B 1, C 2, D 3, E 4);
tuple_inputs!(6; A 0, B 1, C 2, D 3, E 4, F 5);

/// The value of a scalar output, as `f64`: implemented for `f64` and
/// `Scalar<f64>` (`Tensor<f64, Ix0>`).
///
/// ```
/// use autograd_runtime::gradcheck::CheckScalar;
/// use autograd_runtime::Scalar;
///
/// assert_eq!(Scalar::scalar(2.5).scalar_value(), 2.5);
/// ```
pub trait CheckScalar {
    /// The value.
    fn scalar_value(&self) -> f64;
}

impl CheckScalar for f64 {
    fn scalar_value(&self) -> f64 {
        *self
    }
}

impl CheckScalar for Tensor<f64, Ix0> {
    fn scalar_value(&self) -> f64 {
        self.item()
    }
}

/// Checks the gradient of a scalar function against central finite
/// differences, with the default [`GradcheckOptions`].
///
/// `f` returns the value and the gradients of all inputs, as the generated
/// `f::value_and_grad` does; only the value is used at the perturbed points.
/// `inputs` is one input or a tuple of them (see [`CheckInputs`]).
///
/// With the macro, a typical call is
/// `gradcheck(|(x, w)| f::value_and_grad(x, w), &(x.clone(), w.clone()))`,
/// or `gradcheck(|x| f::value_and_grad(x), &x)` for one input.
///
/// # Errors
/// The first element (by input, then row-major within it) whose analytic
/// and numeric partials disagree.
///
/// # Panics
/// If a returned gradient's shape differs from its input's; the message
/// names the input and both shapes.
///
/// ```
/// use autograd_runtime::gradcheck::gradcheck;
/// use autograd_runtime::{Scalar, Tensor};
/// use ndarray::{array, Array1};
///
/// // f(x, w) = Σ w·x², ∂f/∂x = 2wx, ∂f/∂w = x²
/// let f = |(x, w): &(Tensor<f64, ndarray::Ix1>, Tensor<f64, ndarray::Ix1>)| {
///     let (x, w) = (x.data(), w.data());
///     let value = Scalar::scalar((w * x * x).sum());
///     let grads: (Array1<f64>, Array1<f64>) = (2.0 * w * x, x * x);
///     (value, grads)
/// };
/// let x = Tensor::from(array![1.0, -2.0, 0.5]);
/// let w = Tensor::from(array![0.3, 0.7, -1.1]);
/// assert_eq!(gradcheck(f, &(x, w)), Ok(()));
/// ```
#[track_caller]
pub fn gradcheck<I, O, F>(f: F, inputs: &I) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    O: CheckScalar,
    F: Fn(&I) -> (O, I::Grads),
{
    gradcheck_with(GradcheckOptions::default(), f, inputs)
}

/// [`gradcheck`] with a chosen step and tolerances.
///
/// # Errors
/// The first element whose analytic and numeric partials disagree.
///
/// # Panics
/// If a returned gradient's shape differs from its input's.
///
/// ```
/// use autograd_runtime::gradcheck::{gradcheck_with, GradcheckOptions};
///
/// // sin' = cos, checked with a coarser step and a looser tolerance.
/// let options = GradcheckOptions { eps: 1e-3, atol: 1e-4, rtol: 1e-4 };
/// assert_eq!(gradcheck_with(options, |&x: &f64| (x.sin(), x.cos()), &0.7), Ok(()));
/// ```
#[track_caller]
pub fn gradcheck_with<I, O, F>(
    options: GradcheckOptions,
    f: F,
    inputs: &I,
) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    O: CheckScalar,
    F: Fn(&I) -> (O, I::Grads),
{
    let (_, grads) = f(inputs);
    check_grad_shapes(inputs, &grads, None);
    let mut x = inputs.clone();
    for input in 0..inputs.input_count() {
        let shape = inputs.input_shape(input);
        for j in 0..inputs.input_element_count(input) {
            let (plus, minus) = perturbed(&mut x, input, j, options.eps, |x| f(x).0.scalar_value());
            let numeric = (plus - minus) / (2.0 * options.eps);
            let analytic = inputs.grads_element(&grads, input, j);
            if !options.close(analytic, numeric) {
                return Err(GradcheckError {
                    input,
                    index: unravel(j, &shape),
                    output_index: None,
                    analytic,
                    numeric,
                    options,
                    direction: None,
                });
            }
        }
    }
    Ok(())
}

/// Checks the full Jacobian of a function with a tensor output against
/// central finite differences, with the default [`GradcheckOptions`].
///
/// `value` computes the output; `vjp` applies the pullback to a cotangent
/// (the output's gradient type, `Array<f64, D>`) and returns the gradients of
/// all inputs. Row `k` of the analytic Jacobian is `vjp` of the one-hot
/// cotangent `eₖ`; column `(input, j)` of the numeric one is the central
/// difference of `value` in that element.
///
/// With the macro, a typical `vjp` closure is
/// `|(x, w), v| f::vjp(x, w).1(v)` (its exact form depends on the generated
/// `vjp`).
///
/// # Errors
/// The first Jacobian entry (by input, then input element, then output
/// element, all row-major) whose analytic and numeric values disagree; the
/// error names the output element in `output_index`.
///
/// # Panics
/// If a returned gradient's shape differs from its input's, or the output's
/// shape changes when an input is perturbed.
///
/// ```
/// use autograd_runtime::gradcheck::gradcheck_vjp;
/// use autograd_runtime::Tensor;
/// use ndarray::{array, Array1, Ix1};
///
/// // y = [x₀·x₁, x₀ + x₁], J = [[x₁, x₀], [1, 1]], vᵀJ = [v₀x₁ + v₁, v₀x₀ + v₁]
/// let value = |x: &Tensor<f64, Ix1>| {
///     let x = x.data();
///     Tensor::from(array![x[0] * x[1], x[0] + x[1]])
/// };
/// let vjp = |x: &Tensor<f64, Ix1>, v: &Array1<f64>| {
///     let x = x.data();
///     array![v[0] * x[1] + v[1], v[0] * x[0] + v[1]]
/// };
/// assert_eq!(gradcheck_vjp(value, vjp, &Tensor::from(array![2.0, 3.0])), Ok(()));
/// ```
#[track_caller]
pub fn gradcheck_vjp<I, D, V, P>(value: V, vjp: P, inputs: &I) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    D: Dimension,
    V: Fn(&I) -> Tensor<f64, D>,
    P: Fn(&I, &Array<f64, D>) -> I::Grads,
{
    gradcheck_vjp_with(GradcheckOptions::default(), value, vjp, inputs)
}

/// [`gradcheck_vjp`] with a chosen step and tolerances.
///
/// # Errors
/// The first Jacobian entry whose analytic and numeric values disagree.
///
/// # Panics
/// If a returned gradient's shape differs from its input's, or the output's
/// shape changes when an input is perturbed.
///
/// ```
/// use autograd_runtime::gradcheck::{gradcheck_vjp_with, GradcheckOptions};
/// use autograd_runtime::Tensor;
/// use ndarray::{array, Array1};
///
/// // y = a·[1, 2, 3] for a float a: ∂y/∂a = [1, 2, 3], vᵀJ = v₀ + 2v₁ + 3v₂
/// let value = |&a: &f64| Tensor::from(array![a, 2.0 * a, 3.0 * a]);
/// let vjp = |_: &f64, v: &Array1<f64>| v[0] + 2.0 * v[1] + 3.0 * v[2];
/// let options = GradcheckOptions { rtol: 1e-6, ..Default::default() };
/// assert_eq!(gradcheck_vjp_with(options, value, vjp, &0.25), Ok(()));
/// ```
#[track_caller]
pub fn gradcheck_vjp_with<I, D, V, P>(
    options: GradcheckOptions,
    value: V,
    vjp: P,
    inputs: &I,
) -> Result<(), GradcheckError>
where
    I: CheckInputs,
    D: Dimension,
    V: Fn(&I) -> Tensor<f64, D>,
    P: Fn(&I, &Array<f64, D>) -> I::Grads,
{
    let y = value(inputs);
    let out_dim = y.raw_dim();
    let out_shape = y.shape().to_vec();
    let out_len = y.len();

    // Analytic Jacobian, one row (the gradients of all inputs) per output element.
    let mut rows = Vec::with_capacity(out_len);
    for k in 0..out_len {
        let mut cotangent = Array::<f64, D>::zeros(out_dim.clone());
        cotangent.view_mut().into_dyn()[unravel(k, &out_shape).as_slice()] = 1.0;
        let grads = vjp(inputs, &cotangent);
        check_grad_shapes(inputs, &grads, Some(&unravel(k, &out_shape)));
        rows.push(grads);
    }

    // Numeric Jacobian, one column per input element, compared as it is built.
    let mut x = inputs.clone();
    for input in 0..inputs.input_count() {
        let shape = inputs.input_shape(input);
        for j in 0..inputs.input_element_count(input) {
            let (plus, minus) = perturbed(&mut x, input, j, options.eps, |x| {
                let y = value(x).into_data().into_dyn();
                assert!(
                    y.shape() == out_shape.as_slice(),
                    "gradcheck: the output has shape {:?} but shape {:?} when element {:?} of input {input} is perturbed",
                    out_shape,
                    y.shape(),
                    unravel(j, &shape),
                );
                y
            });
            let column = (plus - minus) / (2.0 * options.eps);
            for (k, (grads, &numeric)) in rows.iter().zip(column.iter()).enumerate() {
                let analytic = inputs.grads_element(grads, input, j);
                if !options.close(analytic, numeric) {
                    return Err(GradcheckError {
                        input,
                        index: unravel(j, &shape),
                        output_index: Some(unravel(k, &out_shape)),
                        analytic,
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

/// Evaluates `eval` with element `j` of input `input` of `x` moved by `+eps`
/// and by `-eps`, then restores the element.
fn perturbed<I: CheckInputs, R>(
    x: &mut I,
    input: usize,
    j: usize,
    eps: f64,
    mut eval: impl FnMut(&I) -> R,
) -> (R, R) {
    let original = x.input_element(input, j);
    x.set_input_element(input, j, original + eps);
    let plus = eval(x);
    x.set_input_element(input, j, original - eps);
    let minus = eval(x);
    x.set_input_element(input, j, original);
    (plus, minus)
}

/// Panics if a gradient returned by the code under test has the wrong shape.
#[track_caller]
fn check_grad_shapes<I: CheckInputs>(inputs: &I, grads: &I::Grads, output: Option<&[usize]>) {
    for input in 0..inputs.input_count() {
        let expected = inputs.input_shape(input);
        let found = inputs.grads_shape(grads, input);
        if expected != found {
            let seed = match output {
                Some(k) => format!(" for output element {k:?}"),
                None => String::new(),
            };
            panic!(
                "gradcheck: the gradient returned{seed} for input {input} has shape {found:?} but the input has shape {expected:?}"
            );
        }
    }
}

mod tangent;
pub use tangent::{
    gradcheck_hvp, gradcheck_hvp_with, gradcheck_jvp, gradcheck_jvp_with, CheckOutput,
};

#[cfg(test)]
mod tests;
