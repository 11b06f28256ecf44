//! `Graph`: the value of a differentiated function plus its generated backward pass.

use ndarray::{Array, ArrayView, Dimension, Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

use crate::error::{or_panic, shape_mismatch, Error};
use crate::float::Float;
use crate::tensor::Tensor;

/// The output of `f::forward(..)`: the value `f` computed, and the backward
/// pass generated for `f`, holding what it needs and borrowing the tensor
/// arguments (so their data cannot change while the graph is alive).
///
/// `backward` consumes the graph: a second backward does not compile.
///
/// * For a scalar output (`f32`, `f64`, `Scalar<A>`), `backward()` seeds 1.
/// * For any other tensor, `backward(&v)` takes the external gradient `v` of
///   the output's shape and stores `vᵀJ` into the leaves.
///
/// In either case the gradient is accumulated into every tensor argument
/// that requires grad; other arguments get nothing stored.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::array;
///
/// #[differentiable]
/// fn twice_square(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
///     x * x * 2.0
/// }
///
/// fn main() {
///     let x = Tensor::from(array![1.0, 2.0, 3.0]).requires_grad();
///     let y = twice_square::forward(&x);
///     assert_eq!(y.value().data(), &array![2.0, 8.0, 18.0]);
///     y.backward(&[0.1, 1.0, 0.0001]);
///     // d(2x²)/dx = 4x, scaled by v
///     let g: autograd::ndarray::Array1<f64> = x.grad().unwrap();
///     assert!((g[0] - 0.4).abs() < 1e-12 && (g[1] - 8.0).abs() < 1e-12);
/// }
/// ```
///
/// A `#[differentiable(has_aux)]` function's graph also holds the
/// auxiliary values, `X` (`()` for other functions): [`aux`](Self::aux)
/// reads them, [`split_aux`](Self::split_aux) takes them out and leaves a
/// graph to call `backward` on. Its [`value`](Self::value) is the
/// differentiated output, the returned tuple's first element, which
/// `backward` seeds.
#[must_use = "a graph does nothing until `backward` is called; use the function itself for the value alone"]
pub struct Graph<V, B, X = ()> {
    value: V,
    backward: B,
    /// The function, when none of its arguments requires grad: `backward`
    /// refuses, as PyTorch does.
    nothing_requires_grad: Option<&'static str>,
    aux: X,
}

impl<V: crate::value::Differentiable, B: FnOnce(&V::Grad)> Graph<V, B> {
    /// Pairs a value with its backward pass.
    #[doc(hidden)]
    pub fn new(value: V, backward: B) -> Self {
        Graph {
            value,
            backward,
            nothing_requires_grad: None,
            aux: (),
        }
    }

    /// Pairs a value with the backward pass of `function`, whose arguments'
    /// `needs_grad` were `needs`. Generated `forward` functions call this.
    #[doc(hidden)]
    pub fn of_function(value: V, backward: B, function: &'static str, needs: &[bool]) -> Self {
        Graph {
            value,
            backward,
            nothing_requires_grad: (!needs.contains(&true)).then_some(function),
            aux: (),
        }
    }
}

impl<V, B, X> Graph<V, B, X> {
    /// `Err` when no argument requires grad.
    fn check(&self) -> Result<(), Error> {
        match self.nothing_requires_grad {
            Some(function) => Err(Error::NothingRequiresGrad { function }),
            None => Ok(()),
        }
    }

    /// The output value.
    pub fn value(&self) -> &V {
        &self.value
    }

    /// The output value, dropping the backward pass.
    pub fn into_value(self) -> V {
        self.value
    }

    /// The auxiliary values of a `#[differentiable(has_aux)]` function:
    /// for `-> (L, A)` the `A` it returned, for `-> (L, A, B, ..)` the tuple
    /// `(A, B, ..)`. Nothing flows back from them. `()` for a function
    /// without `has_aux`.
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::ndarray::array;
    ///
    /// #[differentiable(has_aux)]
    /// fn loss(w: &Tensor<f64, Ix1>) -> (Scalar<f64>, Tensor<f64, Ix1>) {
    ///     let y = w * 3.0;
    ///     ((&y * &y).sum(), y)
    /// }
    ///
    /// fn main() {
    ///     let w = Tensor::from(array![1.0, 2.0]).requires_grad();
    ///     let graph = loss::forward(&w);
    ///     assert_eq!(graph.aux().data(), &array![3.0, 6.0]);
    ///     assert_eq!(graph.item(), 45.0);
    ///     graph.backward();
    ///     // d/dw Σ (3w)² = 18w
    ///     assert_eq!(w.grad().unwrap(), array![18.0, 36.0]);
    /// }
    /// ```
    pub fn aux(&self) -> &X {
        &self.aux
    }

    /// The auxiliary values (see [`aux`](Self::aux)), dropping the value
    /// and the backward pass.
    pub fn into_aux(self) -> X {
        self.aux
    }

    /// The auxiliary values taken out (see [`aux`](Self::aux)), and the
    /// graph without them, to call `backward` on:
    /// `let (graph, logits) = loss::forward(..).split_aux(); graph.backward();`.
    pub fn split_aux(self) -> (Graph<V, B>, X) {
        let graph = Graph {
            value: self.value,
            backward: self.backward,
            nothing_requires_grad: self.nothing_requires_grad,
            aux: (),
        };
        (graph, self.aux)
    }

    /// The graph holding `aux` as its auxiliary values. Generated `forward`
    /// functions of `has_aux` functions call this.
    #[doc(hidden)]
    pub fn with_aux<Y>(self, aux: Y) -> Graph<V, B, Y> {
        Graph {
            value: self.value,
            backward: self.backward,
            nothing_requires_grad: self.nothing_requires_grad,
            aux,
        }
    }
}

impl<A: Float, B: FnOnce(&A), X> Graph<A, B, X> {
    /// Runs the backward pass seeded with 1, accumulating gradients into every
    /// tensor argument that requires grad.
    ///
    /// # Panics
    /// If no argument requires grad (see [`try_backward`](Self::try_backward)).
    #[track_caller]
    pub fn backward(self) {
        or_panic(self.try_backward(&num_traits::One::one()))
    }

    /// Like `backward()`, seeded with `seed` (1 for the gradient), returning
    /// an error instead of panicking when no argument requires grad.
    pub fn try_backward(self, seed: &A) -> Result<(), Error> {
        self.check()?;
        (self.backward)(seed);
        Ok(())
    }

    /// The output value.
    pub fn item(&self) -> A {
        self.value
    }
}

impl<A: Float, const N: usize, B: FnOnce(&[A; N]), X> Graph<[A; N], B, X> {
    /// Runs the backward pass of an array output (`-> [f64; N]`) seeded with
    /// the external gradient `v`, accumulating `vᵀJ` into every tensor
    /// argument that requires grad.
    ///
    /// # Panics
    /// If no argument requires grad.
    #[track_caller]
    pub fn backward(self, gradient: &[A; N]) {
        or_panic(self.check());
        (self.backward)(gradient)
    }
}

macro_rules! tuple_backward {
    ($($t:ident),+) => {
        impl<$($t: crate::value::Differentiable),+, B: FnOnce(&($($t::Grad,)+)), X> Graph<($($t,)+), B, X> {
            /// Runs the backward pass of a tuple output seeded with one
            /// external gradient per element (of each element's gradient
            /// type: `1.0` for a float, an `Array` for a tensor), accumulating
            /// `vᵀJ` into every tensor argument that requires grad.
            ///
            /// # Panics
            /// If no argument requires grad.
            #[track_caller]
            pub fn backward(self, gradient: &($($t::Grad,)+)) {
                or_panic(self.check());
                (self.backward)(gradient)
            }
        }
    };
}

tuple_backward!(T0, T1);
tuple_backward!(T0, T1, T2);
tuple_backward!(T0, T1, T2, T3);
tuple_backward!(T0, T1, T2, T3, T4);
tuple_backward!(T0, T1, T2, T3, T4, T5);
tuple_backward!(T0, T1, T2, T3, T4, T5, T6);
tuple_backward!(T0, T1, T2, T3, T4, T5, T6, T7);

impl<A: Float, B: FnOnce(&Array<A, Ix0>), X> Graph<Tensor<A, Ix0>, B, X> {
    /// Runs the backward pass seeded with 1, accumulating gradients into every
    /// tensor argument that requires grad.
    ///
    /// # Panics
    /// If no argument requires grad (`try_backward(&1.0)` returns the error;
    /// for a scalar output it takes a plain float as well as an array).
    #[track_caller]
    pub fn backward(self) {
        or_panic(self.check());
        (self.backward)(&ndarray::arr0(num_traits::One::one()))
    }

    /// The single element of the output.
    pub fn item(&self) -> A {
        self.value.item()
    }
}

/// The tensor dimensions that are not scalars: `backward` on their graphs
/// takes an external gradient.
pub trait NonScalarDim: Dimension {}
impl NonScalarDim for Ix1 {}
impl NonScalarDim for Ix2 {}
impl NonScalarDim for Ix3 {}
impl NonScalarDim for Ix4 {}
impl NonScalarDim for Ix5 {}
impl NonScalarDim for Ix6 {}
impl NonScalarDim for IxDyn {}

impl<A: Float, D: NonScalarDim, B: FnOnce(&Array<A, D>), X> Graph<Tensor<A, D>, B, X> {
    /// Runs the backward pass seeded with the external gradient `gradient`
    /// (PyTorch's `y.backward(v)`): every tensor argument that requires grad
    /// accumulates `vᵀJ`.
    ///
    /// `gradient` may be an `Array`, a `Tensor`, or for a one-axis output an
    /// array or slice of floats.
    ///
    /// # Panics
    /// If `gradient`'s shape differs from the output's; the message names
    /// both shapes. See [`try_backward`](Self::try_backward).
    #[track_caller]
    pub fn backward<G: Cotangent<A, D> + ?Sized>(self, gradient: &G) {
        or_panic(self.try_backward(gradient))
    }
}

impl<A: Float, D: Dimension, B: FnOnce(&Array<A, D>), X> Graph<Tensor<A, D>, B, X> {
    /// Like `backward(&gradient)`, returning an error instead of panicking
    /// when the gradient's shape differs from the output's. Nothing is stored
    /// on error.
    ///
    /// This method exists for every dimension, so code generic over `D`
    /// seeds with it: `graph.try_backward(&v)?`.
    pub fn try_backward<G: Cotangent<A, D> + ?Sized>(self, gradient: &G) -> Result<(), Error> {
        self.check()?;
        let v = gradient.as_cotangent();
        if v.shape() != self.value.shape() {
            return Err(shape_mismatch("backward", self.value.shape(), v.shape()));
        }
        match v {
            CotangentRef::Borrowed(v) => (self.backward)(v),
            CotangentRef::Owned(v) => (self.backward)(&v),
        }
        Ok(())
    }
}

/// A borrowed or converted external gradient.
#[doc(hidden)]
pub enum CotangentRef<'a, A, D> {
    Borrowed(&'a Array<A, D>),
    Owned(Array<A, D>),
}

impl<A, D: Dimension> CotangentRef<'_, A, D> {
    fn shape(&self) -> &[usize] {
        match self {
            CotangentRef::Borrowed(a) => a.shape(),
            CotangentRef::Owned(a) => a.shape(),
        }
    }
}

/// What `backward(&v)` accepts as the external gradient of a `Tensor<A, D>`
/// output: an `Array<A, D>`, a `Tensor<A, D>`, or for one-axis outputs a
/// float array, slice or `Vec`.
pub trait Cotangent<A, D> {
    /// The gradient as an array of the output's dimension type.
    #[doc(hidden)]
    fn as_cotangent(&self) -> CotangentRef<'_, A, D>;
}

impl<A, D> Cotangent<A, D> for Array<A, D> {
    fn as_cotangent(&self) -> CotangentRef<'_, A, D> {
        CotangentRef::Borrowed(self)
    }
}

impl<A, D: Dimension> Cotangent<A, D> for Tensor<A, D> {
    fn as_cotangent(&self) -> CotangentRef<'_, A, D> {
        CotangentRef::Borrowed(self.data())
    }
}

/// A plain float seeds a scalar output: `graph.try_backward(&1.0)`.
impl<A: Float> Cotangent<A, Ix0> for A {
    fn as_cotangent(&self) -> CotangentRef<'_, A, Ix0> {
        CotangentRef::Owned(ndarray::arr0(*self))
    }
}

impl<A: Float> Cotangent<A, Ix1> for [A] {
    fn as_cotangent(&self) -> CotangentRef<'_, A, Ix1> {
        CotangentRef::Owned(ArrayView::from(self).to_owned())
    }
}

impl<A: Float, const N: usize> Cotangent<A, Ix1> for [A; N] {
    fn as_cotangent(&self) -> CotangentRef<'_, A, Ix1> {
        CotangentRef::Owned(ArrayView::from(&self[..]).to_owned())
    }
}

impl<A: Float> Cotangent<A, Ix1> for Vec<A> {
    fn as_cotangent(&self) -> CotangentRef<'_, A, Ix1> {
        CotangentRef::Owned(ArrayView::from(&self[..]).to_owned())
    }
}

impl<A: Float> Cotangent<A, IxDyn> for [A] {
    fn as_cotangent(&self) -> CotangentRef<'_, A, IxDyn> {
        CotangentRef::Owned(ArrayView::from(self).to_owned().into_dyn())
    }
}

impl<A: Float, const N: usize> Cotangent<A, IxDyn> for [A; N] {
    fn as_cotangent(&self) -> CotangentRef<'_, A, IxDyn> {
        CotangentRef::Owned(ArrayView::from(&self[..]).to_owned().into_dyn())
    }
}
