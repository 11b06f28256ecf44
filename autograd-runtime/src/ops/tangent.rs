//! Elementwise formulas over floats and broadcast tensors, for tangent
//! rules: the forward-mode `tanK` (the output's tangent from an operand's)
//! and the second-order pieces `revK_tanJ` (the part of `revK`'s tangent
//! that comes from operand `J`'s tangent).
//!
//! A formula reads its arguments as arrays of any number of axes
//! ([`AsDyn`]: a float is a 0-dimensional array), broadcast together, and
//! its result is collected into the type the rule returns ([`Collect`]):
//! exactly, for a tangent of the output's shape, or summed back to an
//! operand's shape, for a gradient.

use ndarray::{arr0, Array, ArrayD, CowArray, Dimension, IxDyn, Zip};

use crate::broadcast::{broadcast_shapes, sum_to_shape_owned};
use crate::float::Float;
use crate::tensor::Tensor;

/// A float, an array or a tensor's data, as an array of any number of axes.
pub trait AsDyn<A> {
    /// The value as a dynamic-dimensional array (a float: 0-dimensional).
    fn as_dyn(&self) -> CowArray<'_, A, IxDyn>;
}

impl<A: Float> AsDyn<A> for A {
    #[inline]
    fn as_dyn(&self) -> CowArray<'_, A, IxDyn> {
        arr0(*self).into_dyn().into()
    }
}

impl<A: Float, D: Dimension> AsDyn<A> for Array<A, D> {
    #[inline]
    fn as_dyn(&self) -> CowArray<'_, A, IxDyn> {
        self.view().into_dyn().into()
    }
}

impl<A: Float, D: Dimension> AsDyn<A> for Tensor<A, D> {
    #[inline]
    fn as_dyn(&self) -> CowArray<'_, A, IxDyn> {
        self.data().view().into_dyn().into()
    }
}

/// The result of a formula as the type a rule returns.
pub trait Collect<A>: Sized {
    /// The shape of `Self`: `()` for a float, the dimension for an array.
    type Shape;
    /// A result that has `Self`'s shape (a tangent of the output).
    fn exact(a: ArrayD<A>) -> Self;
    /// A result of the output's shape summed back to `shape` (a gradient
    /// of an operand that was broadcast).
    fn summed(a: ArrayD<A>, shape: &Self::Shape) -> Self;
}

impl<A: Float> Collect<A> for A {
    type Shape = ();
    #[inline]
    fn exact(a: ArrayD<A>) -> A {
        a.sum()
    }
    #[inline]
    fn summed(a: ArrayD<A>, _: &()) -> A {
        a.sum()
    }
}

impl<A: Float, D: Dimension> Collect<A> for Array<A, D> {
    type Shape = D;
    fn exact(a: ArrayD<A>) -> Array<A, D> {
        a.into_dimensionality()
            .expect("a tangent has the output's number of axes")
    }
    fn summed(a: ArrayD<A>, shape: &D) -> Array<A, D> {
        sum_to_shape_owned(a, shape)
    }
}

/// The shape the arguments broadcast to.
fn joint_shape<A>(args: &[&CowArray<'_, A, IxDyn>]) -> Vec<usize> {
    args.iter().fold(Vec::new(), |acc, a| {
        broadcast_shapes(&acc, a.shape())
            .expect("the operands of a tangent rule broadcast together")
    })
}

/// `f(a, b)` elementwise, `a` and `b` broadcast together.
pub fn zip2<A: Float>(a: &dyn AsDyn<A>, b: &dyn AsDyn<A>, f: impl Fn(A, A) -> A) -> ArrayD<A> {
    let (a, b) = (a.as_dyn(), b.as_dyn());
    let shape = IxDyn(&joint_shape(&[&a, &b]));
    let (a, b) = (bcast(&a, &shape), bcast(&b, &shape));
    Zip::from(&a).and(&b).map_collect(|&a, &b| f(a, b))
}

/// `f(a, b, c)` elementwise, the three broadcast together.
pub fn zip3<A: Float>(
    a: &dyn AsDyn<A>,
    b: &dyn AsDyn<A>,
    c: &dyn AsDyn<A>,
    f: impl Fn(A, A, A) -> A,
) -> ArrayD<A> {
    let (a, b, c) = (a.as_dyn(), b.as_dyn(), c.as_dyn());
    let shape = IxDyn(&joint_shape(&[&a, &b, &c]));
    let (a, b, c) = (bcast(&a, &shape), bcast(&b, &shape), bcast(&c, &shape));
    Zip::from(&a)
        .and(&b)
        .and(&c)
        .map_collect(|&a, &b, &c| f(a, b, c))
}

/// `f(a, b, c, e)` elementwise, the four broadcast together.
pub fn zip4<A: Float>(
    a: &dyn AsDyn<A>,
    b: &dyn AsDyn<A>,
    c: &dyn AsDyn<A>,
    e: &dyn AsDyn<A>,
    f: impl Fn(A, A, A, A) -> A,
) -> ArrayD<A> {
    let (a, b, c, e) = (a.as_dyn(), b.as_dyn(), c.as_dyn(), e.as_dyn());
    let shape = IxDyn(&joint_shape(&[&a, &b, &c, &e]));
    let (a, b, c, e) = (
        bcast(&a, &shape),
        bcast(&b, &shape),
        bcast(&c, &shape),
        bcast(&e, &shape),
    );
    Zip::from(&a)
        .and(&b)
        .and(&c)
        .and(&e)
        .map_collect(|&a, &b, &c, &e| f(a, b, c, e))
}

/// `t` stretched to `shape` (the output's), for a tangent of an operand
/// that was broadcast.
pub fn stretched<A: Float>(t: &dyn AsDyn<A>, shape: &[usize]) -> ArrayD<A> {
    let t = t.as_dyn();
    bcast(&t, &IxDyn(shape)).to_owned()
}

fn bcast<'a, A>(a: &'a CowArray<'_, A, IxDyn>, shape: &IxDyn) -> ndarray::ArrayViewD<'a, A> {
    a.broadcast(shape.clone())
        .expect("an operand broadcasts to the joint shape")
}
