//! Matrix products and transposition: derivative rules.
//!
//! `matmul` maps operand dimensions to the output's as ndarray's `dot` does.
//! For `C = A·B` with output gradient `D`:
//!
//! | operands | output | `∂/∂A` | `∂/∂B` |
//! |----------|--------|--------|--------|
//! | matrix `m×k` · matrix `k×n` | matrix `m×n` | `D·Bᵀ` | `Aᵀ·D` |
//! | matrix `m×k` · vector `k` | vector `m` | `D ⊗ b` (outer product) | `Aᵀ·D` |
//! | vector `k` · matrix `k×n` | vector `n` | `B·D` | `a ⊗ D` |
//! | vector `k` · vector `k` | scalar | `D·b` | `D·a` |
//!
//! Each gradient reads only the *other* operand and the shape of its own.
//! Transposes are taken as views (strides), never copied: the products go
//! straight to ndarray's matrix multiplication.
//!
//! `x.t()` reverses the axes (a matrix transpose, the identity on vectors);
//! its gradient is the output's gradient with its axes reversed back.

use ndarray::{arr0, Array, Array0, Array1, Array2, Axis, Dimension, Ix0, Ix1, Ix2};

use crate::error::{or_panic, Error};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf, Meta};

use super::decl::{ArgKind, Cap as C, OpDecl, Reads as R};

#[rustfmt::skip]
/// Matrix products and the transpose, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "matmul", rule: "MatmulRule", args: &[ArgKind::Operand], reads: &[&[R::Meta(0), R::Value(1)], &[R::Value(0), R::Meta(1)]], caps: &[C::FuseTransposedArg("matmul_t")] },
    OpDecl { name: "t", rule: "TRule", args: &[], reads: &[&[R::Meta(0)]], caps: &[C::View] },
    OpDecl { name: "matmul_t", rule: "MatmulTRule", args: &[ArgKind::Operand], reads: &[&[R::Meta(0), R::Value(1)], &[R::Value(0), R::Meta(1)]], caps: &[] },
];

/// Checks that the last axis of `lhs` and the first axis of `rhs` have the
/// same length, naming both shapes if not.
fn check_matmul(lhs: &[usize], rhs: &[usize]) -> Result<(), Error> {
    if lhs.last() == rhs.first() {
        Ok(())
    } else {
        Err(Error::IncompatibleShapes {
            op: "matmul",
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
            reason:
                "the left operand's last axis and the right operand's first axis differ in length",
        })
    }
}

/// The rule of `a.matmul(&b)`, the matrix product as ndarray's `dot`:
/// `∂(A·B)/∂A` applied to `D` is `D·Bᵀ`, to `B` it is `Aᵀ·D` (see the
/// [module](self) for the vector cases).
pub trait MatmulRule<Rhs: Differentiable>: Differentiable {
    /// The result type: a matrix, a vector or a scalar.
    type Output: Differentiable;

    /// The product.
    ///
    /// # Panics
    /// If the inner lengths differ; the message names both shapes.
    fn fwd(&self, rhs: &Rhs) -> Self::Output;

    /// The product, or [`Error::IncompatibleShapes`] if the inner lengths
    /// differ. The default never fails; the tensor implementations check.
    fn try_fwd(&self, rhs: &Rhs) -> Result<Self::Output, Error> {
        Ok(self.fwd(rhs))
    }

    /// The left operand's gradient, reading the right operand and the left one's shape.
    fn rev0(lhs: &Meta<Self>, rhs: &Rhs, d: &GradOf<Self::Output>) -> Self::Grad;

    /// The right operand's gradient, reading the left operand and the right one's shape.
    fn rev1(lhs: &Self, rhs: &Meta<Rhs>, d: &GradOf<Self::Output>) -> Rhs::Grad;

    /// Forward mode: the output's tangent from the left operand's tangent
    /// `t` (the product is linear in each operand: `t·B`).
    fn tan0(lhs: &Meta<Self>, rhs: &Rhs, t: &Self::Grad) -> GradOf<Self::Output>;

    /// Forward mode: the output's tangent from the right operand's tangent `t`: `A·t`.
    fn tan1(lhs: &Self, rhs: &Meta<Rhs>, t: &Rhs::Grad) -> GradOf<Self::Output>;

    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
    /// from the right operand's tangent `t`: `rev0` with `t` for `B` (it is
    /// linear in `B`).
    fn rev0_tan1(
        lhs: &Meta<Self>,
        rhs: &Rhs,
        t: &Rhs::Grad,
        d: &GradOf<Self::Output>,
    ) -> Self::Grad;

    /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
    /// from the left operand's tangent `t`: `rev1` with `t` for `A`.
    fn rev1_tan0(
        lhs: &Self,
        rhs: &Meta<Rhs>,
        t: &Self::Grad,
        d: &GradOf<Self::Output>,
    ) -> Rhs::Grad;
}

/// The outer product `a ⊗ b` (`a` as a column times `b` as a row), without copies.
fn outer<A: Float>(a: &Array1<A>, b: &Array1<A>) -> Array2<A> {
    a.view()
        .insert_axis(Axis(1))
        .dot(&b.view().insert_axis(Axis(0)))
}

impl<A: Float> MatmulRule<Tensor<A, Ix2>> for Tensor<A, Ix2> {
    type Output = Tensor<A, Ix2>;
    #[track_caller]
    fn fwd(&self, rhs: &Tensor<A, Ix2>) -> Tensor<A, Ix2> {
        or_panic(self.try_fwd(rhs))
    }
    fn try_fwd(&self, rhs: &Tensor<A, Ix2>) -> Result<Tensor<A, Ix2>, Error> {
        check_matmul(self.shape(), rhs.shape())?;
        Ok(Tensor::from(self.data().dot(rhs.data())))
    }
    fn rev0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, d: &Array2<A>) -> Array2<A> {
        // (m×n)·(n×k): D·Bᵀ.
        d.dot(&rhs.data().t())
    }
    fn rev1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, d: &Array2<A>) -> Array2<A> {
        // (k×m)·(m×n): Aᵀ·D.
        lhs.data().t().dot(d)
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, t: &Array2<A>) -> Array2<A> {
        t.dot(rhs.data())
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array2<A>) -> Array2<A> {
        lhs.data().dot(t)
    }
    fn rev0_tan1(_: &Meta<Self>, _: &Tensor<A, Ix2>, t: &Array2<A>, d: &Array2<A>) -> Array2<A> {
        d.dot(&t.t())
    }
    fn rev1_tan0(_: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array2<A>, d: &Array2<A>) -> Array2<A> {
        t.t().dot(d)
    }
}

impl<A: Float> MatmulRule<Tensor<A, Ix1>> for Tensor<A, Ix2> {
    type Output = Tensor<A, Ix1>;
    #[track_caller]
    fn fwd(&self, rhs: &Tensor<A, Ix1>) -> Tensor<A, Ix1> {
        or_panic(self.try_fwd(rhs))
    }
    fn try_fwd(&self, rhs: &Tensor<A, Ix1>) -> Result<Tensor<A, Ix1>, Error> {
        check_matmul(self.shape(), rhs.shape())?;
        Ok(Tensor::from(self.data().dot(rhs.data())))
    }
    fn rev0(_: &Meta<Self>, rhs: &Tensor<A, Ix1>, d: &Array1<A>) -> Array2<A> {
        // m ⊗ k: D ⊗ b.
        outer(d, rhs.data())
    }
    fn rev1(lhs: &Self, _: &Meta<Tensor<A, Ix1>>, d: &Array1<A>) -> Array1<A> {
        // (k×m)·m: Aᵀ·D.
        lhs.data().t().dot(d)
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, Ix1>, t: &Array2<A>) -> Array1<A> {
        t.dot(rhs.data())
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, Ix1>>, t: &Array1<A>) -> Array1<A> {
        lhs.data().dot(t)
    }
    fn rev0_tan1(_: &Meta<Self>, _: &Tensor<A, Ix1>, t: &Array1<A>, d: &Array1<A>) -> Array2<A> {
        outer(d, t)
    }
    fn rev1_tan0(_: &Self, _: &Meta<Tensor<A, Ix1>>, t: &Array2<A>, d: &Array1<A>) -> Array1<A> {
        t.t().dot(d)
    }
}

impl<A: Float> MatmulRule<Tensor<A, Ix2>> for Tensor<A, Ix1> {
    type Output = Tensor<A, Ix1>;
    #[track_caller]
    fn fwd(&self, rhs: &Tensor<A, Ix2>) -> Tensor<A, Ix1> {
        or_panic(self.try_fwd(rhs))
    }
    fn try_fwd(&self, rhs: &Tensor<A, Ix2>) -> Result<Tensor<A, Ix1>, Error> {
        check_matmul(self.shape(), rhs.shape())?;
        Ok(Tensor::from(self.data().dot(rhs.data())))
    }
    fn rev0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, d: &Array1<A>) -> Array1<A> {
        // (k×n)·n: B·D.
        rhs.data().dot(d)
    }
    fn rev1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, d: &Array1<A>) -> Array2<A> {
        // k ⊗ n: a ⊗ D.
        outer(lhs.data(), d)
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, t: &Array1<A>) -> Array1<A> {
        t.dot(rhs.data())
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array2<A>) -> Array1<A> {
        lhs.data().dot(t)
    }
    fn rev0_tan1(_: &Meta<Self>, _: &Tensor<A, Ix2>, t: &Array2<A>, d: &Array1<A>) -> Array1<A> {
        t.dot(d)
    }
    fn rev1_tan0(_: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array1<A>, d: &Array1<A>) -> Array2<A> {
        outer(t, d)
    }
}

impl<A: Float> MatmulRule<Tensor<A, Ix1>> for Tensor<A, Ix1> {
    type Output = Tensor<A, Ix0>;
    #[track_caller]
    fn fwd(&self, rhs: &Tensor<A, Ix1>) -> Tensor<A, Ix0> {
        or_panic(self.try_fwd(rhs))
    }
    fn try_fwd(&self, rhs: &Tensor<A, Ix1>) -> Result<Tensor<A, Ix0>, Error> {
        check_matmul(self.shape(), rhs.shape())?;
        Ok(Tensor::from(arr0(self.data().dot(rhs.data()))))
    }
    fn rev0(_: &Meta<Self>, rhs: &Tensor<A, Ix1>, d: &Array0<A>) -> Array1<A> {
        rhs.data() * d[()]
    }
    fn rev1(lhs: &Self, _: &Meta<Tensor<A, Ix1>>, d: &Array0<A>) -> Array1<A> {
        lhs.data() * d[()]
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, Ix1>, t: &Array1<A>) -> Array0<A> {
        arr0(t.dot(rhs.data()))
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, Ix1>>, t: &Array1<A>) -> Array0<A> {
        arr0(lhs.data().dot(t))
    }
    fn rev0_tan1(_: &Meta<Self>, _: &Tensor<A, Ix1>, t: &Array1<A>, d: &Array0<A>) -> Array1<A> {
        t * d[()]
    }
    fn rev1_tan0(_: &Self, _: &Meta<Tensor<A, Ix1>>, t: &Array1<A>, d: &Array0<A>) -> Array1<A> {
        t * d[()]
    }
}

/// The rule of `x.t()`: the axes reversed. The map is linear and its adjoint
/// is itself, so the input's gradient is `dᵀ`.
pub trait TRule: Differentiable {
    /// The transpose, owned. Its memory is a straight copy of the input's
    /// with the axes reversed (column-major for a row-major matrix): no
    /// strided element-by-element copy.
    fn fwd(&self) -> Self;
    /// The input's gradient `dᵀ`, reading only the input's shape.
    fn rev0(x: &Meta<Self>, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `tᵀ`.
    fn tan0(x: &Meta<Self>, t: &Self::Grad) -> Self::Grad;
}

impl<A: Float, D: Dimension> TRule for Tensor<A, D> {
    fn fwd(&self) -> Tensor<A, D> {
        Tensor::from(self.data().clone().reversed_axes())
    }
    fn rev0(_: &Meta<Self>, d: &Array<A, D>) -> Array<A, D> {
        d.clone().reversed_axes()
    }
    fn tan0(_: &Meta<Self>, t: &Array<A, D>) -> Array<A, D> {
        t.clone().reversed_axes()
    }
}

impl<A: Float, D: Dimension> Tensor<A, D> {
    /// The matrix product with `rhs`, as ndarray's `dot`: matrix·matrix is a
    /// matrix, matrix·vector and vector·matrix a vector, vector·vector a
    /// [`Scalar`](crate::Scalar). The derivative rule is [`MatmulRule`].
    ///
    /// # Panics
    /// If the last axis of `self` and the first axis of `rhs` differ in
    /// length; the message names both shapes. See [`try_matmul`](Self::try_matmul).
    #[track_caller]
    pub fn matmul<R>(&self, rhs: &R) -> <Self as MatmulRule<R>>::Output
    where
        Self: MatmulRule<R>,
        R: Differentiable,
    {
        MatmulRule::fwd(self, rhs)
    }

    /// Like [`matmul`](Self::matmul), returning
    /// [`Error::IncompatibleShapes`] instead of panicking.
    pub fn try_matmul<R>(&self, rhs: &R) -> Result<<Self as MatmulRule<R>>::Output, Error>
    where
        Self: MatmulRule<R>,
        R: Differentiable,
    {
        MatmulRule::try_fwd(self, rhs)
    }

    /// The transpose: the axes reversed (a matrix transpose; a vector is
    /// unchanged), as a new tensor: a straight copy of the data with the axes
    /// reversed (column-major for a row-major matrix). The derivative rule is
    /// [`TRule`].
    pub fn t(&self) -> Tensor<A, D> {
        TRule::fwd(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
    use crate::value::meta;
    use ndarray::{array, Ix3, IxDyn, ShapeBuilder};

    fn hand<A: Float>() {
        let c = |a: Array2<f64>| Tensor::from(a.mapv(A::from_f64));
        let v = |a: Array1<f64>| Tensor::from(a.mapv(A::from_f64));
        let a = c(array![[1.0, 2.0], [3.0, 4.0]]);
        let b = c(array![[5.0, 6.0], [7.0, 8.0]]);
        // A·B = [[1·5 + 2·7, 1·6 + 2·8], [3·5 + 4·7, 3·6 + 4·8]].
        let y = a.matmul(&b);
        assert_all_close("matmul", y.data(), &array![[19.0, 22.0], [43.0, 50.0]]);
        // D = 1: ∂/∂A = D·Bᵀ = row sums of B in every row; ∂/∂B = Aᵀ·D = row
        // i of B's gradient is the sum of column i of A.
        let d = Array2::from_elem((2, 2), A::one());
        let ga = MatmulRule::rev0(&meta(&a), &b, &d);
        assert_all_close("matmul A", &ga, &array![[11.0, 15.0], [11.0, 15.0]]);
        let gb = MatmulRule::rev1(&a, &meta(&b), &d);
        assert_all_close("matmul B", &gb, &array![[4.0, 4.0], [6.0, 6.0]]);

        // A·x with x = [1, 1]: the row sums [3, 7]. D = [1, 2]: ∂/∂A = D ⊗ x,
        // ∂/∂x = Aᵀ·D = [1 + 6, 2 + 8].
        let x = v(array![1.0, 1.0]);
        let d = array![1.0, 2.0].mapv(A::from_f64);
        assert_all_close("matmul", a.matmul(&x).data(), &array![3.0, 7.0]);
        let ga = MatmulRule::rev0(&meta(&a), &x, &d);
        assert_all_close("matmul A", &ga, &array![[1.0, 1.0], [2.0, 2.0]]);
        let gx = MatmulRule::rev1(&a, &meta(&x), &d);
        assert_all_close("matmul x", &gx, &array![7.0, 10.0]);

        // x·B: the column sums [12, 14]. D = [1, 2]: ∂/∂x = B·D = [5 + 12,
        // 7 + 16], ∂/∂B = x ⊗ D.
        assert_all_close("matmul", x.matmul(&b).data(), &array![12.0, 14.0]);
        let gx = MatmulRule::rev0(&meta(&x), &b, &d);
        assert_all_close("matmul x", &gx, &array![17.0, 23.0]);
        let gb = MatmulRule::rev1(&x, &meta(&b), &d);
        assert_all_close("matmul B", &gb, &array![[1.0, 2.0], [1.0, 2.0]]);

        // [1, 2]·[3, 4] = 11; D = 2: ∂/∂u = 2·[3, 4], ∂/∂w = 2·[1, 2].
        let u = v(array![1.0, 2.0]);
        let w = v(array![3.0, 4.0]);
        assert_close("dot", u.matmul(&w).item(), 11.0);
        let d = arr0(A::from_f64(2.0));
        assert_all_close(
            "dot u",
            &MatmulRule::rev0(&meta(&u), &w, &d),
            &array![6.0, 8.0],
        );
        assert_all_close(
            "dot w",
            &MatmulRule::rev1(&u, &meta(&w), &d),
            &array![2.0, 4.0],
        );

        // The transpose of [[1, 2, 3], [4, 5, 6]]; its gradient is dᵀ.
        let m = c(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let mt = m.t();
        assert_all_close("t", mt.data(), &array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]);
        // A straight copy with the axes reversed: column-major, no strided copy.
        assert!(mt.data().t().is_standard_layout());
        let g = TRule::rev0(&meta(&mt), m.data());
        assert_all_close("t", &g, &array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]);
    }

    #[test]
    fn hand_derived() {
        hand::<f64>();
        hand::<f32>();
    }

    /// Finite differences for both operands of `lhs · rhs`.
    fn check_both<A: Float, L: Dimension, R: Dimension, O: Dimension>(lhs: L, rhs: R)
    where
        // The bound hides the blanket `Differentiable` impl: restate the gradient types.
        Tensor<A, L>:
            MatmulRule<Tensor<A, R>, Output = Tensor<A, O>> + Differentiable<Grad = Array<A, L>>,
        Tensor<A, R>: Differentiable<Grad = Array<A, R>>,
    {
        let a: Array<A, L> = sample(lhs, -1.0, 1.0, 1);
        let b: Array<A, R> = sample(rhs, -1.0, 1.0, 2);
        let (ta, tb) = (Tensor::from(a.clone()), Tensor::from(b.clone()));
        let y = ta.matmul(&tb);
        let d = sample(y.raw_dim(), -1.0, 1.0, 3);
        let ga = MatmulRule::rev0(&meta(&ta), &tb, &d);
        let fa = |a: &Array<A, L>| Tensor::from(a.clone()).matmul(&tb).into_data();
        check_vjp("matmul lhs", fa, &a, &d, &ga);
        let gb = MatmulRule::rev1(&ta, &meta(&tb), &d);
        let fb = |b: &Array<A, R>| ta.matmul(&Tensor::from(b.clone())).into_data();
        check_vjp("matmul rhs", fb, &b, &d, &gb);
    }

    fn check_t<A: Float, Sh: ShapeBuilder>(shape: Sh) {
        let x: Array<A, Sh::Dim> = sample(shape, -1.0, 1.0, 4);
        let t = Tensor::from(x.clone());
        let y = t.t();
        let d = sample(y.raw_dim(), -1.0, 1.0, 5);
        let g = TRule::rev0(&meta(&t), &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).t().into_data();
        check_vjp("t", f, &x, &d, &g);
    }

    fn finite_differences<A: Float>() {
        check_both::<A, _, _, Ix2>(Ix2(2, 3), Ix2(3, 4));
        check_both::<A, _, _, Ix2>(Ix2(1, 1), Ix2(1, 3));
        check_both::<A, _, _, Ix1>(Ix2(3, 2), Ix1(2));
        check_both::<A, _, _, Ix1>(Ix1(3), Ix2(3, 4));
        check_both::<A, _, _, Ix0>(Ix1(4), Ix1(4));
        check_t::<A, _>(());
        check_t::<A, _>(3);
        check_t::<A, _>((2, 3));
        check_t::<A, _>(Ix3(2, 3, 4));
        check_t::<A, _>(IxDyn(&[2, 1, 3]));
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
    fn gradients_of_transposed_operands() {
        // Operands that are themselves transposes (non-standard layout).
        let a = Tensor::from(sample::<f64, _>((3, 2), -1.0, 1.0, 1).reversed_axes());
        let b = Tensor::from(sample::<f64, _>((4, 3), -1.0, 1.0, 2).reversed_axes());
        let d = sample::<f64, _>((2, 4), -1.0, 1.0, 3);
        let ga = MatmulRule::rev0(&meta(&a), &b, &d);
        assert_all_close("matmul A", &ga, &d.dot(&b.data().t().to_owned()));
        let gb = MatmulRule::rev1(&a, &meta(&b), &d);
        assert_all_close("matmul B", &gb, &a.data().t().to_owned().dot(&d));
    }

    #[test]
    #[should_panic(
        expected = "matmul: incompatible shapes [2, 3] and [2, 3]: the left operand's last axis and the right operand's first axis differ in length"
    )]
    fn matmul_shape_mismatch_panics() {
        let a = Tensor::<f64, _>::zeros((2, 3));
        a.matmul(&a);
    }

    #[test]
    #[should_panic(expected = "matmul: incompatible shapes [3] and [4, 2]")]
    fn matmul_rule_panics_too() {
        let a = Tensor::<f32, _>::zeros(3);
        MatmulRule::fwd(&a, &Tensor::<f32, _>::zeros((4, 2)));
    }

    #[test]
    fn try_matmul() {
        let a = Tensor::<f64, _>::ones((2, 3));
        let err = a.try_matmul(&Tensor::<f64, _>::ones(2)).unwrap_err();
        assert_eq!(
            err,
            Error::IncompatibleShapes {
                op: "matmul",
                lhs: vec![2, 3],
                rhs: vec![2],
                reason: "the left operand's last axis and the right operand's first axis differ in length",
            }
        );
        let y = a.try_matmul(&Tensor::<f64, _>::ones(3)).unwrap();
        assert_eq!(y.data(), &array![3.0, 3.0]);
        let s = Tensor::<f64, _>::ones(3).try_matmul(&Tensor::ones(3));
        assert_eq!(s.unwrap().item(), 3.0);
    }
}

/// The rule of `x.matmul(&w.t())`, fused: the product with a transposed right
/// operand (PyTorch's `F.linear` without the bias), computed on a transposed
/// view, so neither the forward nor the backward copies `w`.
///
/// With `y = x·wᵀ`: `∂x = d·w` and `∂w = dᵀ·x` (for a vector `x`,
/// `∂w = d ⊗ x`). `#[differentiable]` emits this rule when it sees
/// `a.matmul(&b.t())`.
pub trait MatmulTRule<Rhs: Differentiable>: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The forward value `self·rhsᵀ`.
    ///
    /// # Panics
    /// If the last axes of `self` and `rhs` differ in length; the message
    /// names both shapes.
    fn fwd(&self, rhs: &Rhs) -> Self::Output;
    /// The left operand's gradient `d·rhs`.
    fn rev0(lhs: &Meta<Self>, rhs: &Rhs, d: &GradOf<Self::Output>) -> Self::Grad;
    /// The right operand's gradient `dᵀ·lhs`.
    fn rev1(lhs: &Self, rhs: &Meta<Rhs>, d: &GradOf<Self::Output>) -> Rhs::Grad;

    /// Forward mode: the output's tangent from the left operand's tangent
    /// `t` (the product is linear in each operand: `t·Bᵀ`).
    fn tan0(lhs: &Meta<Self>, rhs: &Rhs, t: &Self::Grad) -> GradOf<Self::Output>;

    /// Forward mode: the output's tangent from the right operand's tangent `t`: `A·tᵀ`.
    fn tan1(lhs: &Self, rhs: &Meta<Rhs>, t: &Rhs::Grad) -> GradOf<Self::Output>;

    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent
    /// from the right operand's tangent `t`: `rev0` with `t` for `B` (it is
    /// linear in `B`).
    fn rev0_tan1(
        lhs: &Meta<Self>,
        rhs: &Rhs,
        t: &Rhs::Grad,
        d: &GradOf<Self::Output>,
    ) -> Self::Grad;

    /// Forward over reverse: the part of [`rev1`](Self::rev1)'s tangent
    /// from the left operand's tangent `t`: `rev1` with `t` for `A`.
    fn rev1_tan0(
        lhs: &Self,
        rhs: &Meta<Rhs>,
        t: &Self::Grad,
        d: &GradOf<Self::Output>,
    ) -> Rhs::Grad;
}

fn check_matmul_t(lhs: &[usize], rhs: &[usize]) -> Result<(), Error> {
    // The transposed right operand has the reversed shape.
    let reversed: Vec<usize> = rhs.iter().rev().copied().collect();
    check_matmul(lhs, &reversed)
}

impl<A: Float> MatmulTRule<Tensor<A, Ix2>> for Tensor<A, Ix2> {
    type Output = Tensor<A, Ix2>;
    #[track_caller]
    fn fwd(&self, rhs: &Tensor<A, Ix2>) -> Tensor<A, Ix2> {
        or_panic(check_matmul_t(self.shape(), rhs.shape()));
        Tensor::from(self.data().dot(&rhs.data().t()))
    }
    fn rev0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, d: &Array2<A>) -> Array2<A> {
        // (n×k)·(k×m)
        d.dot(rhs.data())
    }
    fn rev1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, d: &Array2<A>) -> Array2<A> {
        // (k×n)·(n×m)
        d.t().dot(lhs.data())
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, t: &Array2<A>) -> Array2<A> {
        t.dot(&rhs.data().t())
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array2<A>) -> Array2<A> {
        lhs.data().dot(&t.t())
    }
    fn rev0_tan1(_: &Meta<Self>, _: &Tensor<A, Ix2>, t: &Array2<A>, d: &Array2<A>) -> Array2<A> {
        d.dot(t)
    }
    fn rev1_tan0(_: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array2<A>, d: &Array2<A>) -> Array2<A> {
        d.t().dot(t)
    }
}

impl<A: Float> MatmulTRule<Tensor<A, Ix2>> for Tensor<A, Ix1> {
    type Output = Tensor<A, Ix1>;
    #[track_caller]
    fn fwd(&self, rhs: &Tensor<A, Ix2>) -> Tensor<A, Ix1> {
        or_panic(check_matmul_t(self.shape(), rhs.shape()));
        Tensor::from(rhs.data().dot(self.data()))
    }
    fn rev0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, d: &Array1<A>) -> Array1<A> {
        d.dot(rhs.data())
    }
    fn rev1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, d: &Array1<A>) -> Array2<A> {
        outer(d, lhs.data())
    }
    fn tan0(_: &Meta<Self>, rhs: &Tensor<A, Ix2>, t: &Array1<A>) -> Array1<A> {
        rhs.data().dot(t)
    }
    fn tan1(lhs: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array2<A>) -> Array1<A> {
        t.dot(lhs.data())
    }
    fn rev0_tan1(_: &Meta<Self>, _: &Tensor<A, Ix2>, t: &Array2<A>, d: &Array1<A>) -> Array1<A> {
        d.dot(t)
    }
    fn rev1_tan0(_: &Self, _: &Meta<Tensor<A, Ix2>>, t: &Array1<A>, d: &Array1<A>) -> Array2<A> {
        outer(d, t)
    }
}

#[cfg(test)]
mod matmul_t_tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn fused_transposed_product_matches_matmul_of_t() {
        let x = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let w = Tensor::from(array![[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]);
        let y = MatmulTRule::fwd(&x, &w);
        assert_eq!(y.data(), &x.data().dot(&w.data().t()));
        let d = array![[1.0, -2.0], [0.5, 3.0]];
        // ∂x = d·w, ∂w = dᵀ·x: the gradients of x·wᵀ.
        assert_eq!(
            MatmulTRule::rev0(&crate::value::meta(&x), &w, &d),
            d.dot(w.data())
        );
        assert_eq!(
            MatmulTRule::rev1(&x, &crate::value::meta(&w), &d),
            d.t().dot(x.data())
        );
        let v = Tensor::from(array![1.0, -1.0, 2.0]);
        let yv = MatmulTRule::fwd(&v, &w);
        assert_eq!(yv.data(), &w.data().dot(v.data()));
        let dv = array![2.0, 1.0];
        assert_eq!(
            MatmulTRule::rev0(&crate::value::meta(&v), &w, &dv),
            w.data().t().dot(&dv)
        );
    }

    #[test]
    #[should_panic(expected = "matmul")]
    fn fused_product_names_the_shapes() {
        let x = Tensor::from(array![[1.0, 2.0]]);
        let w = Tensor::from(array![[1.0, 2.0, 3.0]]);
        let _ = MatmulTRule::fwd(&x, &w);
    }
}

#[cfg(test)]
mod tangent_tests {
    //! The tangent rules of `matmul`, `matmul_t` and `t`: against central
    //! differences and the backward functions, for every operand shape.
    use super::*;
    use crate::ops::tangent_testing::{check_binary, check_difference, check_dot_flat, Flat};
    use crate::ops::testing::sample;
    use crate::value::meta;

    fn m<A: Float, D: Dimension>(shape: D, seed: usize) -> Tensor<A, D> {
        Tensor::from(sample(shape, -1.5, 1.5, seed))
    }

    fn products<A: Float>() {
        check_binary!(A, MatmulRule as mul, m::<A, _>(Ix2(3, 4), 1), m::<A, _>(Ix2(4, 2), 2), [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_binary!(A, MatmulRule as mul, m::<A, _>(Ix2(3, 4), 1), m::<A, _>(Ix1(4), 2), [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_binary!(A, MatmulRule as mul, m::<A, _>(Ix1(3), 1), m::<A, _>(Ix2(3, 5), 2), [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_binary!(A, MatmulRule as mul, m::<A, _>(Ix1(4), 1), m::<A, _>(Ix1(4), 2), [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_binary!(A, MatmulTRule as mul, m::<A, _>(Ix2(3, 4), 1), m::<A, _>(Ix2(2, 4), 2), [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_binary!(A, MatmulTRule as mul, m::<A, _>(Ix1(4), 1), m::<A, _>(Ix2(3, 4), 2), [rev0_tan1 0 1, rev1_tan0 1 0]);
        let x = m::<A, _>(Ix2(2, 3), 3);
        let t = sample(Ix2(2, 3), -1.0, 1.0, 4);
        let u = sample(Ix2(3, 2), -1.0, 1.0, 5);
        let j = TRule::tan0(&meta(&x), &t);
        check_difference("t", &j.flat(), |h| {
            TRule::fwd(&x.moved(&t.flat(), h)).flat()
        });
        check_dot_flat(
            "t",
            &u.flat(),
            &j.flat(),
            &TRule::rev0(&meta(&x), &u).flat(),
            &t.flat(),
        );
    }

    #[test]
    fn product_tangents_agree_with_finite_differences_and_the_backward() {
        products::<f64>();
        products::<f32>();
    }
}
