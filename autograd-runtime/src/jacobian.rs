//! Full Jacobians: [`jacobian`] from a generated `vjp` (one pullback per
//! output element, as `torch.autograd.functional.jacobian` does by default),
//! [`jacfwd`] from a forward-mode product (one per input element, as
//! `jax.jacfwd`), and [`numerical_jacobian`] from central finite
//! differences, to check them.
//!
//! Both return a matrix of shape `(output elements, input elements)`: row `i`
//! is `∂yᵢ/∂x`, with the elements of `y` and of `x` numbered in row-major
//! (logical) order, whatever the arrays' memory layout.
//!
//! ```
//! use autograd::prelude::*;
//! use autograd::{jacobian, numerical_jacobian};
//! use autograd::ndarray::{array, Array2};
//!
//! /// y = 2x², so J = diag(4x).
//! #[differentiable]
//! fn twice_square(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
//!     x * x * 2.0
//! }
//!
//! fn main() {
//!     let x = Tensor::from(array![1.0, -2.0, 0.5]);
//!     let j = jacobian(&x, |x| twice_square::vjp(x));
//!     assert_eq!(j, Array2::from_diag(&array![4.0, -8.0, 2.0]));
//!
//!     let numeric = numerical_jacobian(&x, |x| twice_square(x), 1e-6);
//!     assert!(j.iter().zip(&numeric).all(|(a, b)| (a - b).abs() < 1e-6));
//! }
//! ```

use ndarray::{Array, Array2, Dimension};

use crate::float::Float;
use crate::tensor::Tensor;

/// The Jacobian of a function at `x`, from its vector-Jacobian product: a
/// matrix of shape `(y.len(), x.len())` whose row `i` is `∂yᵢ/∂x`, flattened
/// in row-major order (and so is `i`, for an output with several axes).
///
/// `vjp` is called with `x` and returns the output and its pullback, as the
/// generated `f::vjp` does: pass `|x| f::vjp(x)`. Since a pullback can run
/// only once, `vjp` is called once per output element (and once for an
/// output with no elements); row `i` is the pullback of the one-hot
/// cotangent `eᵢ`. The cost is therefore `y.len()` forward and backward
/// passes: fine for checking and for small functions.
///
/// For a function of several arguments, fix the others and pick the
/// gradient of `x` from the tuple the pullback returns:
///
/// ```
/// use autograd::prelude::*;
/// use autograd::jacobian;
/// use autograd::ndarray::{array, Array2};
///
/// /// y = W·x, so ∂y/∂x = W.
/// #[differentiable]
/// fn apply(w: &Tensor<f64, Ix2>, x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
///     w.matmul(x)
/// }
///
/// fn main() {
///     let w = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
///     let x = Tensor::from(array![0.5, -1.0, 2.0]);
///     let j: Array2<f64> = jacobian(&x, |x| {
///         let (y, pullback) = apply::vjp(&w, x);
///         (y, move |v: &autograd::ndarray::Array1<f64>| pullback(v).1)
///     });
///     assert_eq!(&j, w.data());
/// }
/// ```
///
/// # Panics
/// If a pullback returns a gradient whose shape is not `x`'s, or the output
/// changes shape from one call to the next; the message names the shapes.
#[track_caller]
pub fn jacobian<'x, A, D, E, F, P>(x: &'x Tensor<A, D>, mut vjp: F) -> Array2<A>
where
    A: Float,
    D: Dimension,
    E: Dimension,
    F: FnMut(&'x Tensor<A, D>) -> (Tensor<A, E>, P),
    P: FnOnce(&Array<A, E>) -> Array<A, D>,
{
    let (first, pullback) = vjp(x);
    let out_dim = first.raw_dim();
    let mut unused = Some(pullback);
    let mut j = Array2::zeros((first.len(), x.len()));
    for (i, mut row) in j.rows_mut().into_iter().enumerate() {
        let pullback = match unused.take() {
            Some(pullback) => pullback,
            None => {
                let (y, pullback) = vjp(x);
                assert!(
                    y.shape() == first.shape(),
                    "jacobian: the output has shape {:?} at the first call but {:?} at call {}",
                    first.shape(),
                    y.shape(),
                    i + 1
                );
                pullback
            }
        };
        // eᵢ, numbered in row-major order (zeros are in standard layout).
        let mut cotangent = Array::<A, E>::zeros(out_dim.clone());
        if let Some(slice) = cotangent.as_slice_mut() {
            slice[i] = A::one();
        }
        let g = pullback(&cotangent);
        assert!(
            g.shape() == x.shape(),
            "jacobian: the pullback returned a gradient of shape {:?} for an input of shape {:?}",
            g.shape(),
            x.shape()
        );
        // `iter` walks the gradient in row-major order, whatever its layout.
        for (r, &v) in row.iter_mut().zip(g.iter()) {
            *r = v;
        }
    }
    j
}

/// The Jacobian of a function at `x` from its Jacobian-vector product
/// (forward mode, as `jax.jacfwd`): column `k` is the output's tangent for
/// the one-hot input tangent `eₖ`, with the same shape and numbering as
/// [`jacobian`].
///
/// `jvp` is called with `x` and a tangent of `x`'s shape, by value, and
/// returns the output and its tangent, as a forward-mode function does. It
/// is called once per input element (and once for an input with no
/// elements): `x.len()` forward passes, against [`jacobian`]'s one per
/// output element, so it is the cheaper of the two for a function with
/// fewer inputs than outputs.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::{jacfwd, jacobian};
/// use autograd::ndarray::{array, Array1};
///
/// /// y = 2x², whose tangent along t is 4x·t.
/// #[differentiable]
/// fn twice_square(x: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
///     x * x * 2.0
/// }
///
/// fn main() {
///     let x = Tensor::from(array![1.0, -2.0, 0.5]);
///     let forward = jacfwd(&x, |x, t: Array1<f64>| (twice_square(x), x.data() * &t * 4.0));
///     assert_eq!(forward, jacobian(&x, |x| twice_square::vjp(x)));
/// }
/// ```
///
/// # Panics
/// If the output or its tangent changes shape from one call to the next, or
/// a tangent's shape is not the output's; the message names the shapes.
#[track_caller]
pub fn jacfwd<A, D, E, F>(x: &Tensor<A, D>, mut jvp: F) -> Array2<A>
where
    A: Float,
    D: Dimension,
    E: Dimension,
    F: FnMut(&Tensor<A, D>, Array<A, D>) -> (Tensor<A, E>, Array<A, E>),
{
    let mut columns: Vec<Array<A, E>> = Vec::with_capacity(x.len());
    let mut out_shape: Option<Vec<usize>> = None;
    for k in 0..x.len().max(1) {
        // eₖ, numbered in row-major order (zeros are in standard layout).
        let mut tangent = Array::<A, D>::zeros(x.raw_dim());
        if let Some(slot) = tangent.as_slice_mut().and_then(|s| s.get_mut(k)) {
            *slot = A::one();
        }
        let (y, t) = jvp(x, tangent);
        let shape = out_shape.get_or_insert_with(|| y.shape().to_vec());
        assert!(
            y.shape() == shape.as_slice() && t.shape() == shape.as_slice(),
            "jacfwd: the output has shape {:?} at the first call, then shape {:?} with a tangent of shape {:?} at call {}",
            shape,
            y.shape(),
            t.shape(),
            k + 1
        );
        if k < x.len() {
            columns.push(t);
        }
    }
    let rows: usize = out_shape.map_or(0, |s| s.iter().product());
    let mut j = Array2::zeros((rows, x.len()));
    for (mut column, t) in j.columns_mut().into_iter().zip(&columns) {
        // `iter` walks the tangent in row-major order, whatever its layout.
        for (c, &v) in column.iter_mut().zip(t.iter()) {
            *c = v;
        }
    }
    j
}

/// The Jacobian of `f` at `x` by central finite differences, for checking
/// [`jacobian`]: column `k` is `(f(x + h·eₖ) − f(x − h·eₖ)) / 2h`, with the
/// same numbering as [`jacobian`].
///
/// `f` is called `2·x.len() + 1` times, with tensors that do not require
/// grad. The difference is divided by the distance between the two
/// perturbed values as stored (not by `2·eps`), and computed in `f64`, so
/// `f32` inputs lose no more than their own rounding; use a step near
/// `1e-6` for `f64` and `1e-3` for `f32`.
///
/// ```
/// use autograd::prelude::*;
/// use autograd::numerical_jacobian;
/// use autograd::ndarray::array;
///
/// // y = [x₀·x₁, x₀ + x₁]: J = [[x₁, x₀], [1, 1]].
/// let f = |x: &Tensor<f64, Ix1>| {
///     let (a, b) = (x.data()[0], x.data()[1]);
///     Tensor::from(array![a * b, a + b])
/// };
/// let j = numerical_jacobian(&Tensor::from(array![2.0, 3.0]), f, 1e-6);
/// let want = array![[3.0, 2.0], [1.0, 1.0]];
/// assert!(j.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-8));
/// ```
///
/// # Panics
/// If `eps` is not positive and finite, or the output of `f` changes shape
/// when `x` is perturbed.
#[track_caller]
pub fn numerical_jacobian<A, D, E, F>(x: &Tensor<A, D>, mut f: F, eps: f64) -> Array2<A>
where
    A: Float,
    D: Dimension,
    E: Dimension,
    F: FnMut(&Tensor<A, D>) -> Tensor<A, E>,
{
    assert!(
        eps.is_finite() && eps > 0.0,
        "numerical_jacobian: the step must be positive and finite, got {eps}"
    );
    let y = f(x);
    let base = x.data().as_standard_layout().into_owned();
    let mut probe = Tensor::from(base.clone());
    let base = base.as_slice().expect("standard layout");
    let step = A::from_f64(eps);
    let mut j = Array2::zeros((y.len(), x.len()));
    for (k, mut column) in j.columns_mut().into_iter().enumerate() {
        let (up, down) = (base[k] + step, base[k] - step);
        let mut at = |value: A| {
            probe.data_mut().as_slice_mut().expect("standard layout")[k] = value;
            let out = f(&probe);
            assert!(
                out.shape() == y.shape(),
                "numerical_jacobian: the output has shape {:?} but {:?} when element {k} of the input is perturbed",
                y.shape(),
                out.shape()
            );
            out
        };
        let (plus, minus) = (at(up), at(down));
        probe.data_mut().as_slice_mut().expect("standard layout")[k] = base[k];
        let h = (up - down).as_f64();
        for (c, (&p, &m)) in column
            .iter_mut()
            .zip(plus.data().iter().zip(minus.data().iter()))
        {
            *c = A::from_f64((p.as_f64() - m.as_f64()) / h);
        }
    }
    j
}

#[cfg(test)]
mod jacfwd_tests {
    use super::*;
    use ndarray::{array, Array1, Array2 as M, Ix1, Ix2};

    /// y = W·x² (elementwise square), and its tangent W·(2x·t).
    fn square_then_map(
        w: &M<f64>,
        x: &Tensor<f64, Ix1>,
        t: Array1<f64>,
    ) -> (Tensor<f64, Ix1>, Array1<f64>) {
        let x = x.data();
        (Tensor::from(w.dot(&(x * x))), w.dot(&(x * &t * 2.0)))
    }

    #[test]
    fn the_forward_jacobian_is_the_one_of_finite_differences() {
        let w = array![[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]];
        let x = Tensor::from(array![0.3, -1.2, 2.0]);
        let j = jacfwd(&x, |x, t| square_then_map(&w, x, t));
        assert_eq!(j.shape(), &[2, 3]);
        // J = W·diag(2x).
        let want = &w * &(&x.data().view().insert_axis(ndarray::Axis(0)) * 2.0);
        assert!(j.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-12));
        let numeric = numerical_jacobian(&x, |x| Tensor::from(w.dot(&(x.data() * x.data()))), 1e-6);
        assert!(j.iter().zip(&numeric).all(|(a, b)| (a - b).abs() < 1e-6));
    }

    #[test]
    fn columns_follow_the_row_major_order_of_a_matrix_input() {
        // y = Xᵀ (as a matrix): column k of J has a 1 at the transposed position.
        let x = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let j = jacfwd(&x, |x: &Tensor<f64, Ix2>, t: M<f64>| {
            (Tensor::from(x.data().t().to_owned()), t.t().to_owned())
        });
        let numeric = numerical_jacobian(&x, |x| Tensor::from(x.data().t().to_owned()), 1e-6);
        assert_eq!(j.shape(), &[6, 6]);
        assert!(j.iter().zip(&numeric).all(|(a, b)| (a - b).abs() < 1e-9));
    }

    #[test]
    #[should_panic(expected = "jacfwd: the output has shape")]
    fn a_tangent_of_the_wrong_shape_is_named() {
        let x = Tensor::from(array![1.0, 2.0]);
        jacfwd(&x, |x: &Tensor<f64, Ix1>, _t: Array1<f64>| {
            (x.clone(), array![1.0])
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr0, array, Array1, Ix0, Ix1, Ix2, IxDyn, ShapeBuilder};

    fn is_f64<A: Float>() -> bool {
        std::mem::size_of::<A>() == 8
    }

    /// Values spread over `[lo, hi]` in a fixed irregular order.
    fn sample<A: Float, Sh: ShapeBuilder>(
        shape: Sh,
        lo: f64,
        hi: f64,
        seed: usize,
    ) -> Array<A, Sh::Dim> {
        let mut k = seed;
        Array::from_shape_simple_fn(shape, || {
            k += 1;
            A::from_f64(lo + (hi - lo) * (k as f64 * 0.618_033_988_749_894_9).fract())
        })
    }

    /// The largest difference between two matrices of the same shape.
    fn max_diff<A: Float>(a: &Array2<A>, b: &Array2<A>) -> f64 {
        assert_eq!(a.shape(), b.shape());
        a.iter()
            .zip(b)
            .map(|(x, y)| (x.as_f64() - y.as_f64()).abs())
            .fold(0.0, f64::max)
    }

    fn tol<A: Float>() -> (f64, f64) {
        // (step, tolerance)
        if is_f64::<A>() {
            (1e-6, 1e-7)
        } else {
            (1e-2, 2e-2)
        }
    }

    fn twice_square<A: Float>() {
        // y = 2x²: J = diag(4x).
        let x = Tensor::from(array![1.0, -2.0, 0.5, 3.0].mapv(A::from_f64));
        // Written inline, the closure takes `x` for the lifetime of the
        // input, so the pullback may borrow it.
        let j = jacobian(&x, |x| {
            let y = Tensor::from(x.data().mapv(|v| v * v * A::from_f64(2.0)));
            (y, move |v: &Array1<A>| {
                v * &x.data().mapv(|x| x * A::from_f64(4.0))
            })
        });
        let want = Array2::from_diag(&array![4.0, -8.0, 2.0, 12.0]);
        assert_eq!(j, want.mapv(A::from_f64));
        let f = |x: &Tensor<A, Ix1>| Tensor::from(x.data().mapv(|v| v * v * A::from_f64(2.0)));
        let (step, tol) = tol::<A>();
        let numeric = numerical_jacobian(&x, f, step);
        assert!(max_diff(&j, &numeric) < tol, "{j} vs {numeric}");
    }

    #[test]
    fn diagonal_of_twice_square() {
        twice_square::<f64>();
        twice_square::<f32>();
    }

    fn matmul<A: Float>() {
        // y = W·x: J = W, computed from the pullback vᵀW.
        let w: Array2<A> = sample((3, 4), -2.0, 2.0, 1);
        let x = Tensor::from(sample::<A, _>(4, -1.0, 1.0, 2));
        let j = jacobian(&x, |x: &Tensor<A, Ix1>| {
            (Tensor::from(w.dot(x.data())), |v: &Array1<A>| w.t().dot(v))
        });
        assert_eq!(j, w);
        let (step, tol) = tol::<A>();
        let numeric =
            numerical_jacobian(&x, |x: &Tensor<A, Ix1>| Tensor::from(w.dot(x.data())), step);
        assert!(max_diff(&j, &numeric) < tol);

        // Y = X·W for a matrix X (2×4) and W (4×3): row (i, k) of J is
        // ∂Y[i, k]/∂X, which is W[:, k] in row i of X and zero elsewhere:
        // J[(i, k), (i', l)] = [i = i']·W[l, k].
        let w: Array2<A> = sample((4, 3), -2.0, 2.0, 3);
        let x = Tensor::from(sample::<A, _>((2, 4), -1.0, 1.0, 4));
        let j = jacobian(&x, |x: &Tensor<A, Ix2>| {
            (Tensor::from(x.data().dot(&w)), |v: &Array2<A>| {
                v.dot(&w.t())
            })
        });
        assert_eq!(j.shape(), &[6, 8]);
        for ((r, c), &v) in j.indexed_iter() {
            let (i, k) = (r / 3, r % 3);
            let (i2, l) = (c / 4, c % 4);
            let want = if i == i2 { w[[l, k]] } else { A::zero() };
            assert_eq!(v, want, "J[{r}, {c}]");
        }
        let numeric = numerical_jacobian(
            &x,
            |x: &Tensor<A, Ix2>| Tensor::from(x.data().dot(&w)),
            step,
        );
        assert!(max_diff(&j, &numeric) < tol);
    }

    #[test]
    fn matmul_jacobian_is_the_matrix() {
        matmul::<f64>();
        matmul::<f32>();
    }

    #[test]
    fn layouts_and_scalar_shapes() {
        // A transposed (column-major) input is still numbered row-major.
        let x = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].reversed_axes());
        let identity = |x: &Tensor<f64, Ix2>| {
            (Tensor::from(x.data().to_owned()), |v: &Array2<f64>| {
                v.clone()
            })
        };
        let j = jacobian(&x, identity);
        assert_eq!(j, Array2::eye(6));
        let numeric = numerical_jacobian(&x, |x| x.clone(), 1e-6);
        assert!(max_diff(&j, &numeric) < 1e-8);

        // A scalar output: one row, the gradient (here of Σx², 2x).
        let x = Tensor::from(array![[1.0, -1.0], [0.5, 2.0]]);
        let j = jacobian(&x, |x| {
            let y: Tensor<f64, Ix0> = Tensor::scalar(x.data().mapv(|v| v * v).sum());
            (y, move |v: &ndarray::Array0<f64>| {
                x.data().mapv(|x| 2.0 * x) * v[()]
            })
        });
        assert_eq!(j, array![[2.0, -2.0, 1.0, 4.0]]);

        // A scalar input and a dynamic-dimensional output.
        let x = Tensor::from(arr0(2.0));
        let j = jacobian(&x, |x| {
            let a = x.data()[()];
            let y = Tensor::from(Array::from_shape_vec(IxDyn(&[1, 2]), vec![a, a * a]).unwrap());
            (y, move |v: &Array<f64, IxDyn>| {
                arr0(v[[0, 0]] + 2.0 * a * v[[0, 1]])
            })
        });
        assert_eq!(j, array![[1.0], [4.0]]);

        // No output elements: no rows, the function is still called once.
        let mut calls = 0;
        let x = Tensor::from(array![1.0, 2.0]);
        let j = jacobian(&x, |_| {
            calls += 1;
            (Tensor::<f64, Ix1>::zeros(0), |_: &Array1<f64>| {
                Array1::zeros(2)
            })
        });
        assert_eq!((j.shape(), calls), (&[0, 2][..], 1));
    }

    #[test]
    fn one_call_per_output_element() {
        let mut calls = 0;
        let x = Tensor::from(array![1.0, 2.0]);
        jacobian(&x, |x| {
            calls += 1;
            (Tensor::from(array![0.0, 0.0, 0.0]), |v: &Array1<f64>| {
                Array1::from_elem(x.len(), v.sum())
            })
        });
        assert_eq!(calls, 3);
    }

    #[test]
    #[should_panic(
        expected = "jacobian: the pullback returned a gradient of shape [3] for an input of shape [2]"
    )]
    fn wrong_gradient_shape_panics() {
        let x = Tensor::from(array![1.0, 2.0]);
        jacobian(&x, |x| (x.clone(), |_: &Array1<f64>| Array1::zeros(3)));
    }

    #[test]
    #[should_panic(
        expected = "jacobian: the output has shape [2] at the first call but [3] at call 2"
    )]
    fn changing_output_shape_panics() {
        let x = Tensor::from(array![1.0, 2.0]);
        let mut len = 1;
        jacobian(&x, |_| {
            len += 1;
            (Tensor::<f64, Ix1>::zeros(len), |_: &Array1<f64>| {
                Array1::zeros(2)
            })
        });
    }

    #[test]
    #[should_panic(
        expected = "numerical_jacobian: the output has shape [1] but [2] when element 0 of the input is perturbed"
    )]
    fn numerical_changing_shape_panics() {
        let x = Tensor::from(array![1.0]);
        numerical_jacobian(
            &x,
            |x| Tensor::<f64, Ix1>::zeros(if x.data()[0] == 1.0 { 1 } else { 2 }),
            1e-6,
        );
    }

    #[test]
    #[should_panic(expected = "numerical_jacobian: the step must be positive and finite, got 0")]
    fn zero_step_panics() {
        numerical_jacobian(&Tensor::from(array![1.0]), |x| x.clone(), 0.0);
    }
}
