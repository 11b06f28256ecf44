//! Joining tensors: `concatenate` and `stack`, with their derivative rules.
//!
//! Both copy each part into its own block of the output, so the gradient of
//! part `k` is the block of the output's gradient `d` it was copied to:
//!
//! | op | `y` | gradient of part `k` |
//! |----|-----|----------------------|
//! | `concatenate(axis, &[&x₀, &x₁, ..])` | the parts end to end along `axis` | `d[.., oₖ..oₖ + nₖ, ..]` |
//! | `stack(axis, &[&x₀, &x₁, ..])` | the parts along a new axis `axis` | `d[.., k, ..]` (the new axis dropped) |
//!
//! where `nₖ` is the length of part `k` along `axis` and `oₖ = n₀ + … + nₖ₋₁`.
//! The backward functions read only the parts' shapes.
//!
//! The rules take all the parts at once, so they are free functions rather
//! than traits: [`concatenate_fwd`]/[`concatenate_rev`] and
//! [`stack_fwd`]/[`stack_rev`], also reachable as
//! [`ConcatenateRule::fwd`]/[`ConcatenateRule::rev`] and
//! [`StackRule::fwd`]/[`StackRule::rev`].

use ndarray::{Array, Axis, Dimension, Slice};

use crate::error::{check_axis, or_panic, Error};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::Meta;

use super::decl::{Cap as C, OpDecl, Reads as R};

#[rustfmt::skip]
/// `concatenate` and `stack`, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "concatenate", rule: "ConcatenateRule", args: &[], reads: &[&[R::Const(0), R::AllMetas, R::Position]], caps: &[C::Variadic] },
    OpDecl { name: "stack", rule: "StackRule", args: &[], reads: &[&[R::Const(0), R::AllMetas, R::Position]], caps: &[C::Variadic] },
];

/// Checks the parts of a concatenation along `axis`.
fn check_concatenate<A, D: Dimension>(axis: Axis, parts: &[&Tensor<A, D>]) -> Result<(), Error> {
    const OP: &str = "concatenate";
    let first = parts.first().ok_or(Error::NoParts { op: OP })?.shape();
    check_axis(OP, axis.index(), first)?;
    for part in &parts[1..] {
        let shape = part.shape();
        if shape.len() != first.len() {
            return Err(Error::IncompatibleShapes {
                op: OP,
                lhs: first.to_vec(),
                rhs: shape.to_vec(),
                reason: "the parts have different numbers of axes",
            });
        }
        let agree = (0..first.len()).all(|i| i == axis.index() || first[i] == shape[i]);
        if !agree {
            return Err(Error::IncompatibleShapes {
                op: OP,
                lhs: first.to_vec(),
                rhs: shape.to_vec(),
                reason:
                    "the parts' lengths differ on an axis other than the one they are joined along",
            });
        }
    }
    Ok(())
}

/// Checks the parts of a stack along a new axis `axis`.
fn check_stack<A, D: Dimension>(axis: Axis, parts: &[&Tensor<A, D>]) -> Result<(), Error> {
    const OP: &str = "stack";
    let first = parts.first().ok_or(Error::NoParts { op: OP })?.shape();
    if axis.index() > first.len() {
        return Err(Error::AxisOutOfRange {
            op: OP,
            axis: axis.index(),
            ndim: first.len(),
            shape: first.to_vec(),
        });
    }
    for part in &parts[1..] {
        if part.shape() != first {
            return Err(Error::IncompatibleShapes {
                op: OP,
                lhs: first.to_vec(),
                rhs: part.shape().to_vec(),
                reason: "stacked tensors must all have the same shape",
            });
        }
    }
    Ok(())
}

/// The concatenation of checked parts.
fn concatenated<A: Float, D: Dimension>(axis: Axis, parts: &[&Tensor<A, D>]) -> Tensor<A, D> {
    let mut dim = parts[0].raw_dim();
    dim[axis.index()] = parts.iter().map(|p| p.shape()[axis.index()]).sum();
    let mut out = Array::zeros(dim);
    let mut offset = 0;
    for part in parts {
        let n = part.shape()[axis.index()];
        out.slice_axis_mut(axis, Slice::from(offset..offset + n))
            .assign(part.data());
        offset += n;
    }
    Tensor::from(out)
}

/// The stack of checked parts.
fn stacked<A: Float, D: Dimension>(axis: Axis, parts: &[&Tensor<A, D>]) -> Tensor<A, D::Larger> {
    let mut dim = parts[0].view().insert_axis(axis).raw_dim();
    dim[axis.index()] = parts.len();
    let mut out = Array::zeros(dim);
    for (k, part) in parts.iter().enumerate() {
        out.index_axis_mut(axis, k).assign(part.data());
    }
    Tensor::from(out)
}

/// The parts joined end to end along `axis`, as a new tensor (ndarray's and
/// NumPy's `concatenate`, PyTorch's `cat`): `y[.., oₖ + i, ..] = xₖ[.., i, ..]`
/// with `oₖ` the total length of the parts before `xₖ`. Inside a
/// `#[differentiable]` body its derivative rule is [`concatenate_rev`]: each
/// part's gradient is its block of the output's gradient.
///
/// ```
/// use autograd::{concatenate, Tensor};
/// use autograd::ndarray::{array, Axis};
///
/// let a = Tensor::from(array![[1.0, 2.0]]);
/// let b = Tensor::from(array![[3.0, 4.0], [5.0, 6.0]]);
/// let c = concatenate(Axis(0), &[&a, &b]);
/// assert_eq!(c.data(), &array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
/// ```
///
/// # Panics
/// If there are no parts, `axis` is not an axis of the parts, or their
/// lengths differ on another axis; the message names the shapes. See
/// [`try_concatenate`].
#[track_caller]
pub fn concatenate<A: Float, D: Dimension>(axis: Axis, parts: &[&Tensor<A, D>]) -> Tensor<A, D> {
    or_panic(try_concatenate(axis, parts))
}

/// Like [`concatenate`], returning [`Error::NoParts`],
/// [`Error::AxisOutOfRange`] or [`Error::IncompatibleShapes`] instead of
/// panicking.
pub fn try_concatenate<A: Float, D: Dimension>(
    axis: Axis,
    parts: &[&Tensor<A, D>],
) -> Result<Tensor<A, D>, Error> {
    check_concatenate(axis, parts)?;
    Ok(concatenated(axis, parts))
}

/// The parts, which must have the same shape, stacked along a new axis at
/// `axis` (`0..=ndim`), as a new tensor (ndarray's, NumPy's and PyTorch's
/// `stack`): `y[.., k, ..] = xₖ[..]`. Inside a `#[differentiable]` body its
/// derivative rule is [`stack_rev`]: part `k`'s gradient is `d[.., k, ..]`.
///
/// # Panics
/// If there are no parts, `axis` is greater than their number of axes, or
/// their shapes differ; the message names the shapes. See [`try_stack`].
#[track_caller]
pub fn stack<A: Float, D: Dimension>(axis: Axis, parts: &[&Tensor<A, D>]) -> Tensor<A, D::Larger> {
    or_panic(try_stack(axis, parts))
}

/// Like [`stack`], returning [`Error::NoParts`], [`Error::AxisOutOfRange`]
/// or [`Error::IncompatibleShapes`] instead of panicking.
pub fn try_stack<A: Float, D: Dimension>(
    axis: Axis,
    parts: &[&Tensor<A, D>],
) -> Result<Tensor<A, D::Larger>, Error> {
    check_stack(axis, parts)?;
    Ok(stacked(axis, parts))
}

/// The forward pass of `concatenate(axis, parts)`: the concatenation.
///
/// # Panics
/// As [`concatenate`].
#[track_caller]
pub fn concatenate_fwd<A: Float, D: Dimension>(
    axis: &Axis,
    parts: &[&Tensor<A, D>],
) -> Tensor<A, D> {
    concatenate(*axis, parts)
}

/// The gradient of part `k` of `concatenate(axis, parts)`, from the shapes of
/// all the parts: the block `d[.., oₖ..oₖ + nₖ, ..]` of the output's gradient
/// it was copied to (`nₖ` its length along `axis`, `oₖ` the total length of
/// the parts before it).
pub fn concatenate_rev<A: Float, D: Dimension>(
    axis: &Axis,
    metas: &[Meta<Tensor<A, D>>],
    k: usize,
    d: &Array<A, D>,
) -> Array<A, D> {
    let offset: usize = metas[..k].iter().map(|m| m.0[axis.index()]).sum();
    let n = metas[k].0[axis.index()];
    d.slice_axis(*axis, Slice::from(offset..offset + n))
        .to_owned()
}

/// The forward pass of `stack(axis, parts)`: the stack.
///
/// # Panics
/// As [`stack`].
#[track_caller]
pub fn stack_fwd<A: Float, D: Dimension>(
    axis: &Axis,
    parts: &[&Tensor<A, D>],
) -> Tensor<A, D::Larger> {
    stack(*axis, parts)
}

/// The gradient of part `k` of `stack(axis, parts)`, from the shapes of all
/// the parts: `d[.., k, ..]`, the output's gradient at index `k` of the new
/// axis.
pub fn stack_rev<A: Float, D: Dimension>(
    axis: &Axis,
    metas: &[Meta<Tensor<A, D>>],
    k: usize,
    d: &Array<A, D::Larger>,
) -> Array<A, D> {
    d.index_axis(*axis, k)
        .into_dimensionality::<D>()
        .expect("removing the stacked axis gives the parts' dimension")
        .to_owned()
        .into_shape_with_order(metas[k].0.clone())
        .expect("removing the stacked axis gives the part's shape")
}

/// The rule of `concatenate(axis, &[&x₀, &x₁, ..])`, under a name of the same
/// form as the trait-based rules: [`fwd`](Self::fwd) is [`concatenate_fwd`]
/// and [`rev`](Self::rev) is [`concatenate_rev`].
#[derive(Clone, Copy, Debug)]
pub struct ConcatenateRule;

impl ConcatenateRule {
    /// See [`concatenate_fwd`].
    ///
    /// # Panics
    /// As [`concatenate`].
    #[track_caller]
    pub fn fwd<A: Float, D: Dimension>(axis: &Axis, parts: &[&Tensor<A, D>]) -> Tensor<A, D> {
        concatenate_fwd(axis, parts)
    }

    /// See [`concatenate_rev`].
    pub fn rev<A: Float, D: Dimension>(
        axis: &Axis,
        metas: &[Meta<Tensor<A, D>>],
        k: usize,
        d: &Array<A, D>,
    ) -> Array<A, D> {
        concatenate_rev(axis, metas, k, d)
    }

    /// Forward mode: the output's tangent, the parts' tangents concatenated
    /// (zeros for a part without one).
    pub fn tan<A: Float, D: Dimension>(
        axis: &Axis,
        metas: &[Meta<Tensor<A, D>>],
        tangents: &[Option<&Array<A, D>>],
    ) -> Array<A, D> {
        let parts = with_zeros(metas, tangents);
        let refs: Vec<&Tensor<A, D>> = parts.iter().collect();
        concatenated(*axis, &refs).into_data()
    }
}

/// The tangents of the parts as tensors, zeros of the part's shape where
/// there is none.
fn with_zeros<A: Float, D: Dimension>(
    metas: &[Meta<Tensor<A, D>>],
    tangents: &[Option<&Array<A, D>>],
) -> Vec<Tensor<A, D>> {
    metas
        .iter()
        .zip(tangents)
        .map(|(m, t)| match t {
            Some(t) => Tensor::from((*t).clone()),
            None => Tensor::from(Array::zeros(m.0.clone())),
        })
        .collect()
}

/// The rule of `stack(axis, &[&x₀, &x₁, ..])`, under a name of the same form
/// as the trait-based rules: [`fwd`](Self::fwd) is [`stack_fwd`] and
/// [`rev`](Self::rev) is [`stack_rev`].
#[derive(Clone, Copy, Debug)]
pub struct StackRule;

impl StackRule {
    /// See [`stack_fwd`].
    ///
    /// # Panics
    /// As [`stack`].
    #[track_caller]
    pub fn fwd<A: Float, D: Dimension>(
        axis: &Axis,
        parts: &[&Tensor<A, D>],
    ) -> Tensor<A, D::Larger> {
        stack_fwd(axis, parts)
    }

    /// See [`stack_rev`].
    pub fn rev<A: Float, D: Dimension>(
        axis: &Axis,
        metas: &[Meta<Tensor<A, D>>],
        k: usize,
        d: &Array<A, D::Larger>,
    ) -> Array<A, D> {
        stack_rev(axis, metas, k, d)
    }

    /// Forward mode: the output's tangent, the parts' tangents stacked
    /// (zeros for a part without one).
    pub fn tan<A: Float, D: Dimension>(
        axis: &Axis,
        metas: &[Meta<Tensor<A, D>>],
        tangents: &[Option<&Array<A, D>>],
    ) -> Array<A, D::Larger> {
        let parts = with_zeros(metas, tangents);
        let refs: Vec<&Tensor<A, D>> = parts.iter().collect();
        stacked(*axis, &refs).into_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, check_vjp, sample};
    use crate::value::meta;
    use ndarray::{array, Ix1, Ix2, Ix3, IxDyn, ShapeBuilder};

    fn hand<A: Float>() {
        let a = Tensor::from(array![[1.0, 2.0]].mapv(A::from_f64));
        let b = Tensor::from(array![[3.0, 4.0], [5.0, 6.0]].mapv(A::from_f64));
        // Along axis 0: the rows of a then of b; a's gradient is row 0 of d,
        // b's rows 1..3.
        let y = concatenate(Axis(0), &[&a, &b]);
        let want = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        assert_all_close("concatenate", y.data(), &want);
        let d = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]].mapv(A::from_f64);
        let metas = [meta(&a), meta(&b)];
        let ga = concatenate_rev(&Axis(0), &metas, 0, &d);
        assert_all_close("concatenate", &ga, &array![[1.0, 2.0]]);
        let gb = ConcatenateRule::rev(&Axis(0), &metas, 1, &d);
        assert_all_close("concatenate", &gb, &array![[3.0, 4.0], [5.0, 6.0]]);

        // Along axis 1: [1, 2 | 3] and [4, 5 | 6]; d's columns go back.
        let c = Tensor::from(array![[3.0], [6.0]].mapv(A::from_f64));
        let e = Tensor::from(array![[1.0, 2.0], [4.0, 5.0]].mapv(A::from_f64));
        let y = ConcatenateRule::fwd(&Axis(1), &[&e, &c]);
        let want = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_all_close("concatenate", y.data(), &want);
        let d = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].mapv(A::from_f64);
        let metas = [meta(&e), meta(&c)];
        let ge = concatenate_rev(&Axis(1), &metas, 0, &d);
        assert_all_close("concatenate", &ge, &array![[1.0, 2.0], [4.0, 5.0]]);
        let gc = concatenate_rev(&Axis(1), &metas, 1, &d);
        assert_all_close("concatenate", &gc, &array![[3.0], [6.0]]);

        // Stack of two vectors along a new axis 0 gives rows; along axis 1, columns.
        let u = Tensor::from(array![1.0, 2.0].mapv(A::from_f64));
        let v = Tensor::from(array![3.0, 4.0].mapv(A::from_f64));
        let y = stack(Axis(0), &[&u, &v]);
        assert_all_close("stack", y.data(), &array![[1.0, 2.0], [3.0, 4.0]]);
        let y = StackRule::fwd(&Axis(1), &[&u, &v]);
        assert_all_close("stack", y.data(), &array![[1.0, 3.0], [2.0, 4.0]]);
        // The gradient of part k is d[:, k] (along axis 1).
        let d = array![[1.0, 2.0], [3.0, 4.0]].mapv(A::from_f64);
        let metas = [meta(&u), meta(&v)];
        let gu = stack_rev(&Axis(1), &metas, 0, &d);
        assert_all_close("stack", &gu, &array![1.0, 3.0]);
        let gv = StackRule::rev(&Axis(1), &metas, 1, &d);
        assert_all_close("stack", &gv, &array![2.0, 4.0]);
        let gv = stack_rev(&Axis(0), &metas, 1, &d);
        assert_all_close("stack", &gv, &array![3.0, 4.0]);
    }

    #[test]
    fn hand_derived() {
        hand::<f64>();
        hand::<f32>();
    }

    /// Finite differences of each part's gradient: the other parts are held fixed.
    fn check_parts<A: Float, D: Dimension, E: Dimension>(
        what: &str,
        xs: &[Array<A, D>],
        fwd: impl Fn(&[&Tensor<A, D>]) -> Tensor<A, E>,
        rev: impl Fn(&[Meta<Tensor<A, D>>], usize, &Array<A, E>) -> Array<A, D>,
    ) {
        let ts: Vec<Tensor<A, D>> = xs.iter().cloned().map(Tensor::from).collect();
        let refs: Vec<&Tensor<A, D>> = ts.iter().collect();
        let y = fwd(&refs);
        let d = sample(y.raw_dim(), -1.0, 1.0, 9);
        let metas: Vec<Meta<Tensor<A, D>>> = ts.iter().map(meta).collect();
        for k in 0..xs.len() {
            let g = rev(&metas, k, &d);
            let f = |x: &Array<A, D>| {
                let xk = Tensor::from(x.clone());
                let mut refs = refs.clone();
                refs[k] = &xk;
                fwd(&refs).into_data()
            };
            check_vjp(what, f, &xs[k], &d, &g);
        }
    }

    fn concat_case<A: Float, Sh: ShapeBuilder + Clone>(shapes: &[Sh], axis: usize) {
        let xs: Vec<Array<A, Sh::Dim>> = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| sample(s.clone(), -2.0, 2.0, 1 + 7 * i))
            .collect();
        let axis = Axis(axis);
        check_parts(
            "concatenate",
            &xs,
            |p| concatenate_fwd(&axis, p),
            |m, k, d| concatenate_rev(&axis, m, k, d),
        );
    }

    fn stack_case<A: Float, Sh: ShapeBuilder + Clone>(shape: Sh, n: usize) {
        let xs: Vec<Array<A, Sh::Dim>> = (0..n)
            .map(|i| sample(shape.clone(), -2.0, 2.0, 1 + 7 * i))
            .collect();
        for k in 0..=xs[0].ndim() {
            let axis = Axis(k);
            check_parts(
                "stack",
                &xs,
                |p| stack_fwd(&axis, p),
                |m, k, d| stack_rev(&axis, m, k, d),
            );
        }
    }

    fn finite_differences<A: Float>() {
        concat_case::<A, _>(&[2, 3, 1], 0);
        concat_case::<A, _>(&[4], 0);
        concat_case::<A, _>(&[(1, 3), (2, 3)], 0);
        concat_case::<A, _>(&[(2, 1), (2, 3), (2, 2)], 1);
        concat_case::<A, _>(&[IxDyn(&[2, 2, 1]), IxDyn(&[2, 2, 3])], 2);
        stack_case::<A, _>(3, 2);
        stack_case::<A, _>((2, 3), 3);
        stack_case::<A, _>((), 4);
        stack_case::<A, _>(IxDyn(&[2, 1]), 2);
    }

    #[test]
    fn finite_differences_f64() {
        finite_differences::<f64>();
    }

    #[test]
    fn finite_differences_f32() {
        finite_differences::<f32>();
    }

    #[test]
    fn dimension_types_and_edge_cases() {
        let a = Tensor::<f64, Ix1>::zeros(3);
        let _: Tensor<f64, Ix2> = stack(Axis(0), &[&a, &a]);
        let m = Tensor::<f64, Ix2>::zeros((2, 3));
        let _: Tensor<f64, Ix3> = stack(Axis(2), &[&m]);
        let _: Tensor<f64, Ix2> = concatenate(Axis(1), &[&m, &m]);
        // One part: a copy.
        let x = Tensor::from(array![1.0f32, 2.0]);
        assert_eq!(concatenate(Axis(0), &[&x]).data(), x.data());
        // Empty parts join.
        let e = Tensor::<f64, Ix2>::zeros((0, 3));
        assert_eq!(concatenate(Axis(0), &[&e, &m, &e]).shape(), &[2, 3]);
        assert_eq!(stack(Axis(1), &[&e, &e]).shape(), &[0, 2, 3]);
        // Non-standard layouts are read logically.
        let t = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]].reversed_axes());
        let y = concatenate(Axis(0), &[&t, &t]);
        assert_eq!(
            y.data(),
            &array![[1.0, 3.0], [2.0, 4.0], [1.0, 3.0], [2.0, 4.0]]
        );
    }

    #[test]
    #[should_panic(
        expected = "concatenate: incompatible shapes [2, 3] and [2, 2]: the parts' lengths differ on an axis other than the one they are joined along"
    )]
    fn concatenate_mismatch_panics() {
        let a = Tensor::<f64, _>::zeros((2, 3));
        let b = Tensor::<f64, _>::zeros((2, 2));
        concatenate(Axis(0), &[&a, &b]);
    }

    #[test]
    #[should_panic(
        expected = "concatenate: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
    )]
    fn concatenate_axis_out_of_range_panics() {
        let a = Tensor::<f32, _>::zeros((2, 3));
        concatenate_fwd(&Axis(2), &[&a, &a]);
    }

    #[test]
    #[should_panic(expected = "concatenate: there are no tensors to join")]
    fn concatenate_nothing_panics() {
        concatenate::<f64, Ix1>(Axis(0), &[]);
    }

    #[test]
    #[should_panic(
        expected = "stack: incompatible shapes [3] and [4]: stacked tensors must all have the same shape"
    )]
    fn stack_mismatch_panics() {
        let a = Tensor::<f64, _>::zeros(3);
        let b = Tensor::<f64, _>::zeros(4);
        stack(Axis(0), &[&a, &b]);
    }

    #[test]
    #[should_panic(expected = "stack: axis 2 is out of range for a tensor with 1 axes (shape [3])")]
    fn stack_axis_out_of_range_panics() {
        let a = Tensor::<f32, _>::zeros(3);
        StackRule::fwd(&Axis(2), &[&a]);
    }

    #[test]
    #[should_panic(expected = "stack: there are no tensors to join")]
    fn stack_nothing_panics() {
        stack_fwd::<f32, Ix2>(&Axis(0), &[]);
    }

    #[test]
    fn try_errors() {
        let a = Tensor::<f64, IxDyn>::zeros(IxDyn(&[2, 3]));
        let b = Tensor::<f64, IxDyn>::zeros(IxDyn(&[2]));
        let err = try_concatenate(Axis(0), &[&a, &b]).unwrap_err();
        assert_eq!(
            err,
            Error::IncompatibleShapes {
                op: "concatenate",
                lhs: vec![2, 3],
                rhs: vec![2],
                reason: "the parts have different numbers of axes",
            }
        );
        assert_eq!(
            err.to_string(),
            "concatenate: incompatible shapes [2, 3] and [2]: the parts have different numbers of axes"
        );
        let c = Tensor::<f64, IxDyn>::zeros(IxDyn(&[3, 3]));
        assert!(matches!(
            try_concatenate(Axis(1), &[&a, &c]).unwrap_err(),
            Error::IncompatibleShapes {
                op: "concatenate",
                ..
            }
        ));
        assert_eq!(
            try_concatenate(Axis(0), &[&a, &c]).unwrap().shape(),
            &[5, 3]
        );
        assert_eq!(
            try_concatenate::<f64, Ix1>(Axis(0), &[]).unwrap_err(),
            Error::NoParts { op: "concatenate" }
        );
        assert_eq!(
            try_concatenate(Axis(3), &[&a]).unwrap_err(),
            Error::AxisOutOfRange {
                op: "concatenate",
                axis: 3,
                ndim: 2,
                shape: vec![2, 3]
            }
        );

        let err = try_stack(Axis(0), &[&a, &c]).unwrap_err();
        assert_eq!(
            err,
            Error::IncompatibleShapes {
                op: "stack",
                lhs: vec![2, 3],
                rhs: vec![3, 3],
                reason: "stacked tensors must all have the same shape",
            }
        );
        assert_eq!(
            try_stack::<f32, Ix2>(Axis(0), &[]).unwrap_err(),
            Error::NoParts { op: "stack" }
        );
        assert!(matches!(
            try_stack(Axis(3), &[&a]).unwrap_err(),
            Error::AxisOutOfRange {
                op: "stack",
                axis: 3,
                ndim: 2,
                ..
            }
        ));
        assert_eq!(try_stack(Axis(2), &[&a, &a]).unwrap().shape(), &[2, 3, 2]);
    }
}
