//! Softmax, log-softmax and log-sum-exp along an axis: derivative rules.
//!
//! Along each lane `x` of the axis (`m = max x`):
//!
//! | op | `y` | input's gradient |
//! |----|-----|------------------|
//! | `softmax` | `yᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m)` | `yᵢ·(dᵢ − Σⱼ dⱼyⱼ)` |
//! | `log_softmax` | `yᵢ = xᵢ − m − ln Σⱼ e^(xⱼ − m)` | `dᵢ − e^(yᵢ)·Σⱼ dⱼ` |
//! | `logsumexp` | `y = m + ln Σⱼ e^(xⱼ − m)` (the axis is dropped) | `d·e^(xᵢ − y)` |
//!
//! The softmax Jacobian is `∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)`, so `Σᵢ dᵢ ∂yᵢ/∂xⱼ =
//! yⱼ(dⱼ − Σᵢ dᵢyᵢ)`; log-softmax has `∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ` and
//! `softmax(x) = e^y`; log-sum-exp has `∂y/∂xᵢ = softmax(x)ᵢ = e^(xᵢ − y)`.
//!
//! Subtracting the lane's maximum keeps every exponent `≤ 0`, so inputs near
//! ±1000 neither overflow nor lose the result (`logsumexp([1000, 1000])` is
//! `1000 + ln 2`). A lane whose maximum is infinite is not shifted: a lane of
//! `−∞` has log-sum-exp `−∞`, as in PyTorch. The backward functions read the
//! output (and, for `logsumexp`, the input), never recomputing exponentials
//! of unshifted inputs.

use ndarray::{Array, ArrayView1, ArrayViewMut1, Axis, RemoveAxis, Zip};

use crate::error::{check_axis, or_panic, Error};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::{Differentiable, GradOf};

use super::decl::{ArgKind, OpDecl, Reads as R};

#[rustfmt::skip]
/// Normalisations, as generated code sees them (see `decl`).
pub(crate) const DECLS: &[OpDecl] = &[
    OpDecl { name: "softmax", rule: "SoftmaxRule", args: &[ArgKind::Const], reads: &[&[R::Output, R::Const(0)]], caps: &[] },
    OpDecl { name: "log_softmax", rule: "LogSoftmaxRule", args: &[ArgKind::Const], reads: &[&[R::Output, R::Const(0)]], caps: &[] },
    OpDecl { name: "logsumexp", rule: "LogsumexpRule", args: &[ArgKind::Const], reads: &[&[R::Value(0), R::Output, R::Const(0)]], caps: &[] },
];

/// The shift that keeps the exponents of a lane `≤ 0`: its maximum, or 0 if
/// the maximum is infinite (or the lane is empty or all NaN).
fn shift<A: Float>(lane: &ArrayView1<'_, A>) -> A {
    let m = lane
        .iter()
        .fold(A::neg_infinity(), |m, &v| if v > m { v } else { m });
    if m.is_finite() {
        m
    } else {
        A::zero()
    }
}

/// The shift `m` of a lane and `ln Σⱼ e^(xⱼ − m)`, whose sum is the lane's
/// log-sum-exp.
fn lane_shift_and_log_sum<A: Float>(x: &ArrayView1<'_, A>) -> (A, A) {
    let m = shift(x);
    let s = x.iter().fold(A::zero(), |s, &v| s + (v - m).exp());
    (m, s.ln())
}

/// `m + ln Σⱼ e^(xⱼ − m)` for `m = shift(x)`.
fn lane_logsumexp<A: Float>(x: &ArrayView1<'_, A>) -> A {
    let (m, l) = lane_shift_and_log_sum(x);
    m + l
}

/// Writes the softmax of `x` into `y`.
fn lane_softmax<A: Float>(x: &ArrayView1<'_, A>, y: &mut ArrayViewMut1<'_, A>) {
    let m = shift(x);
    let mut s = A::zero();
    Zip::from(&mut *y).and(x).for_each(|y, &x| {
        *y = (x - m).exp();
        s += *y;
    });
    y.mapv_inplace(|v| v / s);
}

/// The rule of `x.softmax(axis)`: `yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)` along `axis`;
/// the input's gradient is `yᵢ·(dᵢ − Σⱼ dⱼyⱼ)`.
pub trait SoftmaxRule: Differentiable {
    /// The softmax along `axis`, computed with the lane's maximum subtracted.
    ///
    /// # Panics
    /// If `axis` is not an axis of the input; the message names the axis and
    /// the input's shape.
    fn fwd(&self, axis: &Axis) -> Self;
    /// The input's gradient `y·(d − Σ_axis d·y)`, reading the output `y`.
    fn rev0(out: &Self, axis: &Axis, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `y·(t − Σ_axis t·y)` (the
    /// Jacobian is symmetric: `rev0` of `t`).
    fn tan0(out: &Self, axis: &Axis, t: &Self::Grad) -> Self::Grad {
        Self::rev0(out, axis, t)
    }
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent from
    /// the output's tangent `t`: `t·(d − Σ d·y) − y·Σ d·t`.
    fn rev0_tan_out(out: &Self, axis: &Axis, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
}

/// The rule of `x.log_softmax(axis)`: `yᵢ = xᵢ − ln Σⱼ e^(xⱼ)` along `axis`;
/// the input's gradient is `dᵢ − e^(yᵢ)·Σⱼ dⱼ`.
pub trait LogSoftmaxRule: Differentiable {
    /// The log-softmax along `axis`, computed with the lane's maximum subtracted.
    ///
    /// # Panics
    /// If `axis` is not an axis of the input; the message names the axis and
    /// the input's shape.
    fn fwd(&self, axis: &Axis) -> Self;
    /// The input's gradient `d − e^y·Σ_axis d`, reading the output `y`.
    fn rev0(out: &Self, axis: &Axis, d: &Self::Grad) -> Self::Grad;
    /// Forward mode: the output's tangent `t − Σ_axis e^y·t`.
    fn tan0(out: &Self, axis: &Axis, t: &Self::Grad) -> Self::Grad;
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent from
    /// the output's tangent `t`: `−e^y·t·Σ_axis d`.
    fn rev0_tan_out(out: &Self, axis: &Axis, t: &Self::Grad, d: &Self::Grad) -> Self::Grad;
}

/// The rule of `x.logsumexp(axis)`: `y = ln Σⱼ e^(xⱼ)` along `axis`, which
/// is dropped; the input's gradient is `d·e^(xᵢ − y)` (the softmax, times `d`).
pub trait LogsumexpRule: Differentiable {
    /// The result type.
    type Output: Differentiable;
    /// The log-sum-exp along `axis`, computed with the lane's maximum subtracted.
    ///
    /// # Panics
    /// If `axis` is not an axis of the input; the message names the axis and
    /// the input's shape.
    fn fwd(&self, axis: &Axis) -> Self::Output;
    /// The input's gradient `d·e^(x − y)`, `d` and `y` repeated along `axis`,
    /// reading the input `x` and the output `y` (computed as `e^((x − m) − l)`
    /// with `m` the lane's maximum and `l` the log of its shifted sum, which
    /// keeps f32 accurate for large inputs).
    fn rev0(x: &Self, out: &Self::Output, axis: &Axis, d: &GradOf<Self::Output>) -> Self::Grad;
    /// Forward mode: the output's tangent `Σ_axis e^(x − y)·t`.
    fn tan0(x: &Self, out: &Self::Output, axis: &Axis, t: &Self::Grad) -> GradOf<Self::Output>;
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent from
    /// the input's tangent `t`, the output held: `d·e^(x − y)·t`.
    fn rev0_tan0(
        x: &Self,
        out: &Self::Output,
        axis: &Axis,
        t: &Self::Grad,
        d: &GradOf<Self::Output>,
    ) -> Self::Grad;
    /// Forward over reverse: the part of [`rev0`](Self::rev0)'s tangent from
    /// the output's tangent `t`, the input held: `−d·e^(x − y)·t`.
    fn rev0_tan_out(
        x: &Self,
        out: &Self::Output,
        axis: &Axis,
        t: &GradOf<Self::Output>,
        d: &GradOf<Self::Output>,
    ) -> Self::Grad;
}

impl<A: Float, D: RemoveAxis> SoftmaxRule for Tensor<A, D> {
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D> {
        or_panic(check_axis("softmax", axis.index(), self.shape()));
        let mut out = Array::zeros(self.raw_dim());
        Zip::from(self.data().lanes(*axis))
            .and(out.lanes_mut(*axis))
            .for_each(|x, mut y| lane_softmax(&x, &mut y));
        Tensor::from(out)
    }
    fn rev0(out: &Tensor<A, D>, axis: &Axis, d: &Array<A, D>) -> Array<A, D> {
        let mut g = Array::zeros(out.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(out.data().lanes(*axis))
            .and(d.lanes(*axis))
            .for_each(|mut g, y, d| {
                let s = Zip::from(&y).and(&d).fold(A::zero(), |s, &y, &d| s + d * y);
                Zip::from(&mut g)
                    .and(&y)
                    .and(&d)
                    .for_each(|g, &y, &d| *g = y * (d - s));
            });
        g
    }
    fn rev0_tan_out(
        out: &Tensor<A, D>,
        axis: &Axis,
        t: &Array<A, D>,
        d: &Array<A, D>,
    ) -> Array<A, D> {
        let mut g = Array::zeros(out.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(out.data().lanes(*axis))
            .and(t.lanes(*axis))
            .and(d.lanes(*axis))
            .for_each(|mut g, y, t, d| {
                let dy = Zip::from(&y).and(&d).fold(A::zero(), |s, &y, &d| s + d * y);
                let dt = Zip::from(&t).and(&d).fold(A::zero(), |s, &t, &d| s + d * t);
                Zip::from(&mut g)
                    .and(&y)
                    .and(&t)
                    .and(&d)
                    .for_each(|g, &y, &t, &d| *g = t * (d - dy) - y * dt);
            });
        g
    }
}

impl<A: Float, D: RemoveAxis> LogSoftmaxRule for Tensor<A, D> {
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D> {
        or_panic(check_axis("log_softmax", axis.index(), self.shape()));
        let mut out = Array::zeros(self.raw_dim());
        Zip::from(self.data().lanes(*axis))
            .and(out.lanes_mut(*axis))
            .for_each(|x, mut y| {
                // (x − m) − l, not x − (m + l): near 1000, m + l would round
                // to the spacing of 1000 and lose the result's digits.
                let (m, l) = lane_shift_and_log_sum(&x);
                Zip::from(&mut y).and(&x).for_each(|y, &x| *y = (x - m) - l);
            });
        Tensor::from(out)
    }
    fn rev0(out: &Tensor<A, D>, axis: &Axis, d: &Array<A, D>) -> Array<A, D> {
        let mut g = Array::zeros(out.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(out.data().lanes(*axis))
            .and(d.lanes(*axis))
            .for_each(|mut g, y, d| {
                let s = d.sum();
                Zip::from(&mut g)
                    .and(&y)
                    .and(&d)
                    .for_each(|g, &y, &d| *g = d - y.exp() * s);
            });
        g
    }
    fn tan0(out: &Tensor<A, D>, axis: &Axis, t: &Array<A, D>) -> Array<A, D> {
        let mut j = Array::zeros(out.raw_dim());
        Zip::from(j.lanes_mut(*axis))
            .and(out.data().lanes(*axis))
            .and(t.lanes(*axis))
            .for_each(|mut j, y, t| {
                let pt = Zip::from(&y)
                    .and(&t)
                    .fold(A::zero(), |s, &y, &t| s + y.exp() * t);
                Zip::from(&mut j).and(&t).for_each(|j, &t| *j = t - pt);
            });
        j
    }
    fn rev0_tan_out(
        out: &Tensor<A, D>,
        axis: &Axis,
        t: &Array<A, D>,
        d: &Array<A, D>,
    ) -> Array<A, D> {
        let mut g = Array::zeros(out.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(out.data().lanes(*axis))
            .and(t.lanes(*axis))
            .and(d.lanes(*axis))
            .for_each(|mut g, y, t, d| {
                let s = d.sum();
                Zip::from(&mut g)
                    .and(&y)
                    .and(&t)
                    .for_each(|g, &y, &t| *g = -(y.exp() * t) * s);
            });
        g
    }
}

impl<A: Float, D: RemoveAxis> LogsumexpRule for Tensor<A, D> {
    type Output = Tensor<A, D::Smaller>;
    #[track_caller]
    fn fwd(&self, axis: &Axis) -> Tensor<A, D::Smaller> {
        or_panic(check_axis("logsumexp", axis.index(), self.shape()));
        Tensor::from(self.data().map_axis(*axis, |x| lane_logsumexp(&x)))
    }
    fn rev0(
        x: &Tensor<A, D>,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        d: &Array<A, D::Smaller>,
    ) -> Array<A, D> {
        // d·e^(x − y), y = logsumexp(x), as PyTorch's logsumexp_backward:
        // one exponential per element, reading the saved output; lane by
        // lane, with each lane's d and y read once.
        let mut g = Array::zeros(x.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(x.data().lanes(*axis))
            .and(out.data())
            .and(d)
            .for_each(|mut g, x, &y, &d| {
                Zip::from(&mut g)
                    .and(&x)
                    .for_each(|g, &x| *g = d * (x - y).exp());
            });
        g
    }
    fn tan0(
        x: &Tensor<A, D>,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        t: &Array<A, D>,
    ) -> Array<A, D::Smaller> {
        let mut j = Array::zeros(out.raw_dim());
        Zip::from(&mut j)
            .and(x.data().lanes(*axis))
            .and(t.lanes(*axis))
            .and(out.data())
            .for_each(|j, x, t, &y| {
                *j = Zip::from(&x)
                    .and(&t)
                    .fold(A::zero(), |s, &x, &t| s + (x - y).exp() * t);
            });
        j
    }
    fn rev0_tan0(
        x: &Tensor<A, D>,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        t: &Array<A, D>,
        d: &Array<A, D::Smaller>,
    ) -> Array<A, D> {
        let mut g = Array::zeros(x.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(x.data().lanes(*axis))
            .and(t.lanes(*axis))
            .and(out.data())
            .and(d)
            .for_each(|mut g, x, t, &y, &d| {
                Zip::from(&mut g)
                    .and(&x)
                    .and(&t)
                    .for_each(|g, &x, &t| *g = d * (x - y).exp() * t);
            });
        g
    }
    fn rev0_tan_out(
        x: &Tensor<A, D>,
        out: &Tensor<A, D::Smaller>,
        axis: &Axis,
        t: &Array<A, D::Smaller>,
        d: &Array<A, D::Smaller>,
    ) -> Array<A, D> {
        let mut g = Array::zeros(x.raw_dim());
        Zip::from(g.lanes_mut(*axis))
            .and(x.data().lanes(*axis))
            .and(out.data())
            .and(t)
            .and(d)
            .for_each(|mut g, x, &y, &t, &d| {
                Zip::from(&mut g)
                    .and(&x)
                    .for_each(|g, &x| *g = -(d * (x - y).exp()) * t);
            });
        g
    }
}

impl<A: Float, D: RemoveAxis> Tensor<A, D> {
    /// The softmax along `axis`: `e^(xᵢ) / Σⱼ e^(xⱼ)` over each lane, computed
    /// without overflow, as a new tensor. The derivative rule is [`SoftmaxRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names the axis and
    /// the shape. See [`try_softmax`](Self::try_softmax).
    #[track_caller]
    pub fn softmax(&self, axis: Axis) -> Tensor<A, D> {
        SoftmaxRule::fwd(self, &axis)
    }

    /// Like [`softmax`](Self::softmax), returning [`Error::AxisOutOfRange`]
    /// instead of panicking.
    pub fn try_softmax(&self, axis: Axis) -> Result<Tensor<A, D>, Error> {
        check_axis("softmax", axis.index(), self.shape())?;
        Ok(SoftmaxRule::fwd(self, &axis))
    }

    /// The log-softmax along `axis`: `xᵢ − ln Σⱼ e^(xⱼ)` over each lane,
    /// computed without overflow, as a new tensor. The derivative rule is
    /// [`LogSoftmaxRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names the axis and
    /// the shape. See [`try_log_softmax`](Self::try_log_softmax).
    #[track_caller]
    pub fn log_softmax(&self, axis: Axis) -> Tensor<A, D> {
        LogSoftmaxRule::fwd(self, &axis)
    }

    /// Like [`log_softmax`](Self::log_softmax), returning
    /// [`Error::AxisOutOfRange`] instead of panicking.
    pub fn try_log_softmax(&self, axis: Axis) -> Result<Tensor<A, D>, Error> {
        check_axis("log_softmax", axis.index(), self.shape())?;
        Ok(LogSoftmaxRule::fwd(self, &axis))
    }

    /// The log-sum-exp along `axis`, which is dropped: `ln Σⱼ e^(xⱼ)` over
    /// each lane, computed without overflow. The derivative rule is
    /// [`LogsumexpRule`].
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names the axis and
    /// the shape. See [`try_logsumexp`](Self::try_logsumexp).
    #[track_caller]
    pub fn logsumexp(&self, axis: Axis) -> Tensor<A, D::Smaller> {
        LogsumexpRule::fwd(self, &axis)
    }

    /// Like [`logsumexp`](Self::logsumexp), returning
    /// [`Error::AxisOutOfRange`] instead of panicking.
    pub fn try_logsumexp(&self, axis: Axis) -> Result<Tensor<A, D::Smaller>, Error> {
        check_axis("logsumexp", axis.index(), self.shape())?;
        Ok(LogsumexpRule::fwd(self, &axis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::testing::{assert_all_close, assert_close, check_vjp, is_f64, sample};
    use ndarray::{arr0, array, Ix1, IxDyn, ShapeBuilder};

    fn hand<A: Float>() {
        // x = [ln 1, ln 2, ln 3]: e^x = [1, 2, 3], Σ = 6.
        let x = Tensor::from(array![1.0f64, 2.0, 3.0].mapv(|v| A::from_f64(v.ln())));
        let d = array![1.0, 0.0, 0.0].mapv(A::from_f64);

        // softmax = [1/6, 1/3, 1/2]; with d = e₀, Σ d·y = 1/6 and
        // y·(d − 1/6) = [1/6·5/6, −1/3·1/6, −1/2·1/6].
        let y = x.softmax(Axis(0));
        assert_all_close("softmax", y.data(), &array![1.0 / 6.0, 1.0 / 3.0, 0.5]);
        let g = SoftmaxRule::rev0(&y, &Axis(0), &d);
        assert_all_close("softmax", &g, &array![5.0 / 36.0, -1.0 / 18.0, -1.0 / 12.0]);

        // log_softmax = ln [1/6, 1/3, 1/2]; d − e^y·Σd = e₀ − [1/6, 1/3, 1/2].
        let y = x.log_softmax(Axis(0));
        let want = array![1.0 / 6.0, 1.0 / 3.0, 0.5].mapv(f64::ln);
        assert_all_close("log_softmax", y.data(), &want);
        let g = LogSoftmaxRule::rev0(&y, &Axis(0), &d);
        assert_all_close("log_softmax", &g, &array![5.0 / 6.0, -1.0 / 3.0, -0.5]);

        // logsumexp = ln 6; with d = 2: 2·e^(x − ln 6) = 2·[1/6, 1/3, 1/2].
        let y = x.logsumexp(Axis(0));
        assert_close("logsumexp", y.data()[()], 6f64.ln());
        let g = LogsumexpRule::rev0(&x, &y, &Axis(0), &arr0(A::from_f64(2.0)));
        assert_all_close("logsumexp", &g, &array![1.0 / 3.0, 2.0 / 3.0, 1.0]);

        // Along axis 1 of a matrix, each row separately; along axis 0, each column.
        let m = Tensor::from(array![[0.0, 0.0], [0.0, 2f64.ln()]].mapv(A::from_f64));
        let rows = m.softmax(Axis(1));
        assert_all_close(
            "softmax",
            rows.data(),
            &array![[0.5, 0.5], [1.0 / 3.0, 2.0 / 3.0]],
        );
        let cols = m.logsumexp(Axis(0));
        assert_all_close("logsumexp", cols.data(), &array![2f64.ln(), 3f64.ln()]);
    }

    #[test]
    fn hand_derived() {
        hand::<f64>();
        hand::<f32>();
    }

    /// Finite differences of all three rules along every axis, for inputs in
    /// `[lo, hi]`.
    fn along<A: Float, Sh: ShapeBuilder>(shape: Sh, lo: f64, hi: f64, logsumexp: bool)
    where
        Sh::Dim: RemoveAxis,
    {
        let x: Array<A, Sh::Dim> = sample(shape, lo, hi, 1);
        let t = Tensor::from(x.clone());
        for k in 0..x.ndim() {
            let axis = Axis(k);
            let d = sample(x.raw_dim(), -1.0, 1.0, 2 + k);

            let y = t.softmax(axis);
            let g = SoftmaxRule::rev0(&y, &axis, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).softmax(axis).into_data();
            check_vjp("softmax", f, &x, &d, &g);

            let y = t.log_softmax(axis);
            let g = LogSoftmaxRule::rev0(&y, &axis, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).log_softmax(axis).into_data();
            check_vjp("log_softmax", f, &x, &d, &g);

            if logsumexp {
                let y = t.logsumexp(axis);
                let d = sample(y.raw_dim(), -1.0, 1.0, 7 + k);
                let g = LogsumexpRule::rev0(&t, &y, &axis, &d);
                let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).logsumexp(axis).into_data();
                check_vjp("logsumexp", f, &x, &d, &g);
            }
        }
    }

    fn finite_differences<A: Float>() {
        along::<A, _>(4, -2.0, 2.0, true);
        along::<A, _>(1, -2.0, 2.0, true);
        along::<A, _>((3, 4), -2.0, 2.0, true);
        along::<A, _>((2, 3, 2), -2.0, 2.0, true);
        along::<A, _>(IxDyn(&[2, 1, 3]), -2.0, 2.0, true);
        // Near 1000 (in f32, where the log-sum-exp itself is ≈ 1000, its
        // rounding exceeds a finite difference's resolution: f64 only).
        along::<A, _>((3, 4), 999.0, 1001.0, is_f64::<A>());
        along::<A, _>(5, -1001.0, -999.0, is_f64::<A>());
    }

    #[test]
    fn finite_differences_f64() {
        finite_differences::<f64>();
    }

    #[test]
    fn finite_differences_f32() {
        finite_differences::<f32>();
    }

    fn stable<A: Float>() {
        // [1000, 1000]: softmax [1/2, 1/2], log_softmax [−ln 2, −ln 2],
        // logsumexp 1000 + ln 2; [1000, −1000]: softmax [1, 0].
        let x = Tensor::from(array![[1000.0, 1000.0], [1000.0, -1000.0]].mapv(A::from_f64));
        let y = x.softmax(Axis(1));
        assert_all_close("softmax", y.data(), &array![[0.5, 0.5], [1.0, 0.0]]);
        let ln2 = 2f64.ln();
        let y = x.log_softmax(Axis(1));
        assert_all_close(
            "log_softmax",
            &y.data().row(0).to_owned(),
            &array![-ln2, -ln2],
        );
        let y = x.logsumexp(Axis(1));
        assert_close("logsumexp", y.data()[0], 1000.0 + ln2);
        assert_close("logsumexp", y.data()[1], 1000.0);
        // The gradients are finite too.
        let d = Array::from_elem((2, 2), A::one());
        // In f32 the output 1000 + ln 2 is stored to within ulp(1000) ≈ 6e-5,
        // and e^(x − y) inherits that error (as PyTorch's does).
        let g = LogsumexpRule::rev0(&x, &y, &Axis(1), &Array::from_elem(2, A::one()));
        let tol = if is_f64::<A>() { 1e-12 } else { 1e-4 };
        for (g, w) in g.iter().zip([0.5, 0.5, 1.0, 0.0]) {
            assert!(
                (g.as_f64() - w).abs() <= tol,
                "logsumexp: got {g}, want {w}"
            );
        }
        let s = x.softmax(Axis(1));
        assert!(SoftmaxRule::rev0(&s, &Axis(1), &d)
            .iter()
            .all(|v| v.is_finite()));
        let l = x.log_softmax(Axis(1));
        assert!(LogSoftmaxRule::rev0(&l, &Axis(1), &d)
            .iter()
            .all(|v| v.is_finite()));
        // Everything at −1000 too.
        let x = Tensor::from(array![-1000.0, -1001.0].mapv(A::from_f64));
        assert!(x.softmax(Axis(0)).data().iter().all(|v| v.is_finite()));
        assert_close(
            "logsumexp",
            x.logsumexp(Axis(0)).data()[()],
            -1000.0 + (1.0 + (-1f64).exp()).ln(),
        );
        // A lane of −∞ has log-sum-exp −∞, as in PyTorch.
        let x = Tensor::from(array![A::neg_infinity(), A::neg_infinity()]);
        assert_eq!(x.logsumexp(Axis(0)).data()[()], A::neg_infinity());
    }

    #[test]
    fn stable_near_1000() {
        stable::<f64>();
        stable::<f32>();
    }

    #[test]
    #[should_panic(
        expected = "softmax: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
    )]
    fn softmax_axis_out_of_range_panics() {
        Tensor::<f64, _>::zeros((2, 3)).softmax(Axis(2));
    }

    #[test]
    #[should_panic(
        expected = "log_softmax: axis 1 is out of range for a tensor with 1 axes (shape [3])"
    )]
    fn log_softmax_axis_out_of_range_panics() {
        Tensor::<f32, Ix1>::zeros(3).log_softmax(Axis(1));
    }

    #[test]
    #[should_panic(
        expected = "logsumexp: axis 3 is out of range for a tensor with 3 axes (shape [1, 2, 3])"
    )]
    fn logsumexp_axis_out_of_range_panics() {
        LogsumexpRule::fwd(&Tensor::<f64, _>::zeros(IxDyn(&[1, 2, 3])), &Axis(3));
    }

    #[test]
    fn try_axis_errors() {
        let t = Tensor::<f64, _>::zeros((2, 3));
        let want = |op| Error::AxisOutOfRange {
            op,
            axis: 2,
            ndim: 2,
            shape: vec![2, 3],
        };
        assert_eq!(t.try_softmax(Axis(2)).unwrap_err(), want("softmax"));
        assert_eq!(t.try_log_softmax(Axis(2)).unwrap_err(), want("log_softmax"));
        assert_eq!(t.try_logsumexp(Axis(2)).unwrap_err(), want("logsumexp"));
        assert_eq!(t.try_softmax(Axis(1)).unwrap().shape(), &[2, 3]);
        assert_eq!(t.try_log_softmax(Axis(0)).unwrap().shape(), &[2, 3]);
        assert_eq!(t.try_logsumexp(Axis(1)).unwrap().shape(), &[2]);
    }
}

#[cfg(test)]
mod tangent_tests {
    //! The tangent rules of `softmax`, `log_softmax` and `logsumexp`:
    //! against central differences, the backward (the dot-product
    //! identity), and the tangent of the backward along a direction against
    //! central differences of the backward.
    use super::*;
    use crate::ops::tangent_testing::{check_difference, check_dot_flat, Flat};
    use crate::ops::testing::sample;
    use ndarray::{Ix2, Ix3};

    fn lanes<A: Float>() {
        let x = Tensor::<A, _>::from(sample(Ix3(2, 3, 4), -2.0, 2.0, 1));
        let v: Array<A, Ix3> = sample(Ix3(2, 3, 4), -1.0, 1.0, 2);
        let d: Array<A, Ix3> = sample(Ix3(2, 3, 4), -1.0, 1.0, 3);
        for k in 0..3 {
            let axis = Axis(k);
            let moved = |h: A| x.moved(&v.flat(), h);

            let y = SoftmaxRule::fwd(&x, &axis);
            let j = SoftmaxRule::tan0(&y, &axis, &v);
            check_difference("softmax", &j.flat(), |h| {
                SoftmaxRule::fwd(&moved(h), &axis).flat()
            });
            check_dot_flat(
                "softmax",
                &d.flat(),
                &j.flat(),
                &SoftmaxRule::rev0(&y, &axis, &d).flat(),
                &v.flat(),
            );
            let second = SoftmaxRule::rev0_tan_out(&y, &axis, &j, &d);
            check_difference("softmax rev0", &second.flat(), |h| {
                SoftmaxRule::rev0(&SoftmaxRule::fwd(&moved(h), &axis), &axis, &d).flat()
            });

            let y = LogSoftmaxRule::fwd(&x, &axis);
            let j = LogSoftmaxRule::tan0(&y, &axis, &v);
            check_difference("log_softmax", &j.flat(), |h| {
                LogSoftmaxRule::fwd(&moved(h), &axis).flat()
            });
            check_dot_flat(
                "log_softmax",
                &d.flat(),
                &j.flat(),
                &LogSoftmaxRule::rev0(&y, &axis, &d).flat(),
                &v.flat(),
            );
            let second = LogSoftmaxRule::rev0_tan_out(&y, &axis, &j, &d);
            check_difference("log_softmax rev0", &second.flat(), |h| {
                LogSoftmaxRule::rev0(&LogSoftmaxRule::fwd(&moved(h), &axis), &axis, &d).flat()
            });

            let mut shape = vec![2, 3, 4];
            shape.remove(k);
            let u: Array<A, Ix2> = sample(Ix2(shape[0], shape[1]), -1.0, 1.0, 4);
            let y = LogsumexpRule::fwd(&x, &axis);
            let j = LogsumexpRule::tan0(&x, &y, &axis, &v);
            check_difference("logsumexp", &j.flat(), |h| {
                LogsumexpRule::fwd(&moved(h), &axis).flat()
            });
            check_dot_flat(
                "logsumexp",
                &u.flat(),
                &j.flat(),
                &LogsumexpRule::rev0(&x, &y, &axis, &u).flat(),
                &v.flat(),
            );
            let second = &LogsumexpRule::rev0_tan0(&x, &y, &axis, &v, &u)
                + &LogsumexpRule::rev0_tan_out(&x, &y, &axis, &j, &u);
            check_difference("logsumexp rev0", &second.flat(), |h| {
                let x = moved(h);
                LogsumexpRule::rev0(&x, &LogsumexpRule::fwd(&x, &axis), &axis, &u).flat()
            });
        }
    }

    #[test]
    fn softmax_tangents_agree_with_finite_differences_and_the_backward() {
        lanes::<f64>();
        lanes::<f32>();
    }
}
