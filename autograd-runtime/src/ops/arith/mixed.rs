//! `+ - * /` between a tensor and a float, both ways: the float is
//! broadcast over the tensor, and its gradient is a sum over the tensor.

use ndarray::{Array, Dimension, Zip};

use super::{AddRule, DivRule, MulRule, SubRule};
use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::Meta;

// ---- tensor ∘ float --------------------------------------------------------

impl<A: Float, D: Dimension> AddRule<A> for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn fwd(&self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.data() + *rhs)
    }
    fn fwd_owned(self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.into_data().mapv_into(|a| a + *rhs))
    }
    fn rev0(_: &Meta<Self>, _: &Meta<A>, d: &Array<A, D>) -> Array<A, D> {
        d.clone()
    }
    fn rev1(_: &Meta<Self>, _: &Meta<A>, d: &Array<A, D>) -> A {
        d.sum()
    }
    fn rev0_owned(_: &Meta<Self>, _: &Meta<A>, d: Array<A, D>) -> Array<A, D> {
        d
    }
    fn tan0(_: &Meta<Self>, _: &Meta<A>, t: &Array<A, D>) -> Array<A, D> {
        t.clone()
    }
    fn tan1(lhs: &Meta<Self>, _: &Meta<A>, t: &A) -> Array<A, D> {
        Array::from_elem(lhs.0.clone(), *t)
    }
}

impl<A: Float, D: Dimension> SubRule<A> for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn fwd(&self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.data() - *rhs)
    }
    fn fwd_owned(self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.into_data().mapv_into(|a| a - *rhs))
    }
    fn rev0(_: &Meta<Self>, _: &Meta<A>, d: &Array<A, D>) -> Array<A, D> {
        d.clone()
    }
    fn rev1(_: &Meta<Self>, _: &Meta<A>, d: &Array<A, D>) -> A {
        -d.sum()
    }
    fn rev0_owned(_: &Meta<Self>, _: &Meta<A>, d: Array<A, D>) -> Array<A, D> {
        d
    }
    fn tan0(_: &Meta<Self>, _: &Meta<A>, t: &Array<A, D>) -> Array<A, D> {
        t.clone()
    }
    fn tan1(lhs: &Meta<Self>, _: &Meta<A>, t: &A) -> Array<A, D> {
        Array::from_elem(lhs.0.clone(), -*t)
    }
}

impl<A: Float, D: Dimension> MulRule<A> for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn fwd(&self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.data() * *rhs)
    }
    fn fwd_owned(self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.into_data().mapv_into(|a| a * *rhs))
    }
    fn rev0(_: &Meta<Self>, rhs: &A, d: &Array<A, D>) -> Array<A, D> {
        d * *rhs
    }
    fn rev0_owned(_: &Meta<Self>, rhs: &A, d: Array<A, D>) -> Array<A, D> {
        d.mapv_into(|g| g * *rhs)
    }
    fn rev1(lhs: &Self, _: &Meta<A>, d: &Array<A, D>) -> A {
        ndarray::Zip::from(d)
            .and(lhs.data())
            .fold(A::zero(), |acc, &g, &a| acc + g * a)
    }
    fn tan0(_: &Meta<Self>, rhs: &A, t: &Array<A, D>) -> Array<A, D> {
        t * *rhs
    }
    fn tan1(lhs: &Self, _: &Meta<A>, t: &A) -> Array<A, D> {
        lhs.data() * *t
    }
    fn rev0_tan1(_: &Meta<Self>, _: &A, t: &A, d: &Array<A, D>) -> Array<A, D> {
        d * *t
    }
    fn rev1_tan0(_: &Self, _: &Meta<A>, t: &Array<A, D>, d: &Array<A, D>) -> A {
        Zip::from(d)
            .and(t)
            .fold(A::zero(), |acc, &d, &t| acc + d * t)
    }
}

impl<A: Float, D: Dimension> DivRule<A> for Tensor<A, D> {
    type Output = Tensor<A, D>;
    fn fwd(&self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.data() / *rhs)
    }
    fn fwd_owned(self, rhs: &A) -> Tensor<A, D> {
        Tensor::from(self.into_data().mapv_into(|a| a / *rhs))
    }
    fn rev0(_: &Meta<Self>, rhs: &A, d: &Array<A, D>) -> Array<A, D> {
        d / *rhs
    }
    fn rev0_owned(_: &Meta<Self>, rhs: &A, d: Array<A, D>) -> Array<A, D> {
        d.mapv_into(|g| g / *rhs)
    }
    fn rev1(lhs: &Self, rhs: &A, d: &Array<A, D>) -> A {
        let s = ndarray::Zip::from(d)
            .and(lhs.data())
            .fold(A::zero(), |acc, &g, &a| acc + g * a);
        -s / (*rhs * *rhs)
    }
    fn tan0(_: &Meta<Self>, rhs: &A, t: &Array<A, D>) -> Array<A, D> {
        t / *rhs
    }
    fn tan1(lhs: &Self, rhs: &A, t: &A) -> Array<A, D> {
        let k = -*t / (*rhs * *rhs);
        lhs.data() * k
    }
    fn rev0_tan1(_: &Meta<Self>, rhs: &A, t: &A, d: &Array<A, D>) -> Array<A, D> {
        d * (-*t / (*rhs * *rhs))
    }
    fn rev1_tan0(_: &Self, rhs: &A, t: &Array<A, D>, d: &Array<A, D>) -> A {
        let s = Zip::from(d)
            .and(t)
            .fold(A::zero(), |acc, &d, &t| acc + d * t);
        -s / (*rhs * *rhs)
    }
    fn rev1_tan1(lhs: &Self, rhs: &A, t: &A, d: &Array<A, D>) -> A {
        let s = Zip::from(d)
            .and(lhs.data())
            .fold(A::zero(), |acc, &d, &a| acc + d * a);
        s * (*t + *t) / (*rhs * *rhs * *rhs)
    }
}

// ---- float ∘ tensor --------------------------------------------------------

impl<A: Float, E: Dimension> AddRule<Tensor<A, E>> for A {
    type Output = Tensor<A, E>;
    fn fwd(&self, rhs: &Tensor<A, E>) -> Tensor<A, E> {
        Tensor::from(rhs.data().mapv(|b| *self + b))
    }
    fn rev0(_: &Meta<A>, _: &Meta<Tensor<A, E>>, d: &Array<A, E>) -> A {
        d.sum()
    }
    fn rev1(_: &Meta<A>, _: &Meta<Tensor<A, E>>, d: &Array<A, E>) -> Array<A, E> {
        d.clone()
    }
    fn rev1_owned(_: &Meta<A>, _: &Meta<Tensor<A, E>>, d: Array<A, E>) -> Array<A, E> {
        d
    }
    fn tan0(_: &Meta<A>, rhs: &Meta<Tensor<A, E>>, t: &A) -> Array<A, E> {
        Array::from_elem(rhs.0.clone(), *t)
    }
    fn tan1(_: &Meta<A>, _: &Meta<Tensor<A, E>>, t: &Array<A, E>) -> Array<A, E> {
        t.clone()
    }
}

impl<A: Float, E: Dimension> SubRule<Tensor<A, E>> for A {
    type Output = Tensor<A, E>;
    fn fwd(&self, rhs: &Tensor<A, E>) -> Tensor<A, E> {
        Tensor::from(rhs.data().mapv(|b| *self - b))
    }
    fn rev0(_: &Meta<A>, _: &Meta<Tensor<A, E>>, d: &Array<A, E>) -> A {
        d.sum()
    }
    fn rev1(_: &Meta<A>, _: &Meta<Tensor<A, E>>, d: &Array<A, E>) -> Array<A, E> {
        d.mapv(|g| -g)
    }
    fn tan0(_: &Meta<A>, rhs: &Meta<Tensor<A, E>>, t: &A) -> Array<A, E> {
        Array::from_elem(rhs.0.clone(), *t)
    }
    fn tan1(_: &Meta<A>, _: &Meta<Tensor<A, E>>, t: &Array<A, E>) -> Array<A, E> {
        t.mapv(|t| -t)
    }
}

impl<A: Float, E: Dimension> MulRule<Tensor<A, E>> for A {
    type Output = Tensor<A, E>;
    fn fwd(&self, rhs: &Tensor<A, E>) -> Tensor<A, E> {
        Tensor::from(rhs.data() * *self)
    }
    fn rev0(_: &Meta<A>, rhs: &Tensor<A, E>, d: &Array<A, E>) -> A {
        ndarray::Zip::from(d)
            .and(rhs.data())
            .fold(A::zero(), |acc, &g, &b| acc + g * b)
    }
    fn rev1(lhs: &A, _: &Meta<Tensor<A, E>>, d: &Array<A, E>) -> Array<A, E> {
        d * *lhs
    }
    fn rev1_owned(lhs: &A, _: &Meta<Tensor<A, E>>, d: Array<A, E>) -> Array<A, E> {
        d.mapv_into(|g| g * *lhs)
    }
    fn tan0(_: &Meta<A>, rhs: &Tensor<A, E>, t: &A) -> Array<A, E> {
        rhs.data() * *t
    }
    fn tan1(lhs: &A, _: &Meta<Tensor<A, E>>, t: &Array<A, E>) -> Array<A, E> {
        t * *lhs
    }
    fn rev0_tan1(_: &Meta<A>, _: &Tensor<A, E>, t: &Array<A, E>, d: &Array<A, E>) -> A {
        Zip::from(d)
            .and(t)
            .fold(A::zero(), |acc, &d, &t| acc + d * t)
    }
    fn rev1_tan0(_: &A, _: &Meta<Tensor<A, E>>, t: &A, d: &Array<A, E>) -> Array<A, E> {
        d * *t
    }
}

impl<A: Float, E: Dimension> DivRule<Tensor<A, E>> for A {
    type Output = Tensor<A, E>;
    fn fwd(&self, rhs: &Tensor<A, E>) -> Tensor<A, E> {
        Tensor::from(rhs.data().mapv(|b| *self / b))
    }
    fn rev0(_: &Meta<A>, rhs: &Tensor<A, E>, d: &Array<A, E>) -> A {
        ndarray::Zip::from(d)
            .and(rhs.data())
            .fold(A::zero(), |acc, &g, &b| acc + g / b)
    }
    fn rev1(lhs: &A, rhs: &Tensor<A, E>, d: &Array<A, E>) -> Array<A, E> {
        let mut out = d.clone();
        ndarray::Zip::from(&mut out)
            .and(rhs.data())
            .for_each(|g, &b| *g = -*g * *lhs / (b * b));
        out
    }
    fn tan0(_: &Meta<A>, rhs: &Tensor<A, E>, t: &A) -> Array<A, E> {
        rhs.data().mapv(|b| *t / b)
    }
    fn tan1(lhs: &A, rhs: &Tensor<A, E>, t: &Array<A, E>) -> Array<A, E> {
        Zip::from(rhs.data())
            .and(t)
            .map_collect(|&b, &t| -(*lhs * t / b) / b)
    }
    fn rev0_tan1(_: &Meta<A>, rhs: &Tensor<A, E>, t: &Array<A, E>, d: &Array<A, E>) -> A {
        Zip::from(d)
            .and(rhs.data())
            .and(t)
            .fold(A::zero(), |acc, &d, &b, &t| acc - (d * t / b) / b)
    }
    fn rev1_tan0(_: &A, rhs: &Tensor<A, E>, t: &A, d: &Array<A, E>) -> Array<A, E> {
        Zip::from(d)
            .and(rhs.data())
            .map_collect(|&d, &b| -(d * *t / b) / b)
    }
    fn rev1_tan1(lhs: &A, rhs: &Tensor<A, E>, t: &Array<A, E>, d: &Array<A, E>) -> Array<A, E> {
        Zip::from(d)
            .and(rhs.data())
            .and(t)
            .map_collect(|&d, &b, &t| (d * *lhs / b) * (t + t) / (b * b))
    }
}
