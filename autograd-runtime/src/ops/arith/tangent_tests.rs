//! Tangent rules of `+ - * /` and unary `-`, for every pair of operand
//! types (floats, tensors broadcasting both ways, a tensor and a float):
//! `tanK` against central differences of `fwd` along operand `K`'s tangent
//! and against `revK` (the dot-product identity), and each second-order
//! piece `revK_tanJ` against central differences of `revK` along operand
//! `J`'s tangent; in `f64` and `f32`.

use super::*;
use crate::ops::testing::{is_f64, sample};
use ndarray::{Ix1, Ix2, IxDyn};

/// A float, an array or a tensor as a flat list of its elements.
trait Flat<A: Float>: Sized {
    fn flat(&self) -> Vec<A>;
    /// `self + h·t`, element by element.
    fn moved(&self, t: &[A], h: A) -> Self;
}

impl<A: Float> Flat<A> for A {
    fn flat(&self) -> Vec<A> {
        vec![*self]
    }
    fn moved(&self, t: &[A], h: A) -> A {
        *self + h * t[0]
    }
}

impl<A: Float, D: Dimension> Flat<A> for Array<A, D> {
    fn flat(&self) -> Vec<A> {
        self.iter().copied().collect()
    }
    fn moved(&self, t: &[A], h: A) -> Self {
        let mut out = self.clone();
        for (o, t) in out.iter_mut().zip(t) {
            *o += h * *t;
        }
        out
    }
}

impl<A: Float, D: Dimension> Flat<A> for Tensor<A, D> {
    fn flat(&self) -> Vec<A> {
        self.data().flat()
    }
    fn moved(&self, t: &[A], h: A) -> Self {
        Tensor::from(self.data().moved(t, h))
    }
}

/// Asserts `got ≈ (f(+h) − f(−h)) / 2h`, elementwise.
#[track_caller]
fn check_difference<A: Float>(what: &str, got: &[A], f: impl Fn(A) -> Vec<A>) {
    let (eps, atol, rtol) = if is_f64::<A>() {
        (1e-6, 1e-6, 1e-5)
    } else {
        (1e-2, 2e-2, 2e-2)
    };
    let (up, down) = (f(A::from_f64(eps)), f(A::from_f64(-eps)));
    assert_eq!(got.len(), up.len(), "{what}: length");
    for (j, g) in got.iter().enumerate() {
        let numeric = (up[j].as_f64() - down[j].as_f64()) / (2.0 * eps);
        let g = g.as_f64();
        assert!(
            (g - numeric).abs() <= atol + rtol * numeric.abs(),
            "{what}: element {j}: rule {g}, finite differences {numeric}"
        );
    }
}

/// `⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩`.
#[track_caller]
fn check_dot<A: Float>(what: &str, u: &[A], jv: &[A], jtu: &[A], v: &[A]) {
    let dot = |x: &[A], y: &[A]| -> (f64, f64) {
        x.iter().zip(y).fold((0.0, 0.0), |(s, m), (x, y)| {
            let p = x.as_f64() * y.as_f64();
            (s + p, m + p.abs())
        })
    };
    let ((l, ml), (r, mr)) = (dot(u, jv), dot(jtu, v));
    let tol = if is_f64::<A>() { 1e-12 } else { 1e-5 } * ml.max(mr).max(1.0);
    assert!(
        (l - r).abs() <= tol,
        "{what}: <u, Jv> = {l}, <J'u, v> = {r}"
    );
}

/// Random-looking values of the shape of `x`.
fn like<A: Float, T: Flat<A>>(x: &T, lo: f64, hi: f64, seed: usize) -> Vec<A> {
    sample(x.flat().len(), lo, hi, seed).to_vec()
}

/// All the checks for one rule on one pair of operands. `$rev0_reads` and
/// `$rev1_reads` say what each backward (and tangent) reads: `meta` or the
/// value; `$second` lists the second-order pieces `(revK_tanJ, K, J)`.
macro_rules! check_rule {
    ($A:ty, $Rule:ident, $a:expr, $b:expr, [$($piece:ident $k:tt $j:tt),*]) => {{
        let (a, b) = ($a, $b);
        let what = concat!(stringify!($Rule), " ", stringify!($A));
        let out = $Rule::fwd(&a, &b);
        let (ma, mb) = (meta(&a), meta(&b));
        let ta = like::<$A, _>(&a, -1.0, 1.0, 7);
        let tb = like::<$A, _>(&b, -1.0, 1.0, 11);
        let u = like::<$A, _>(&out, -1.0, 1.0, 13);
        let (ga, gb) = (zeros(&ma).moved(&ta, <$A>::one()), zeros(&mb).moved(&tb, <$A>::one()));
        let d = zeros(&meta(&out)).moved(&u, <$A>::one());
        let j0 = check_rule!(@tan0 $Rule, a, b, ma, mb, ga);
        let j1 = check_rule!(@tan1 $Rule, a, b, ma, mb, gb);
        check_difference(&format!("{what} tan0"), &j0.flat(), |h| $Rule::fwd(&a.moved(&ta, h), &b).flat());
        check_difference(&format!("{what} tan1"), &j1.flat(), |h| $Rule::fwd(&a, &b.moved(&tb, h)).flat());
        let r0 = check_rule!(@rev0 $Rule, a, b, ma, mb, d);
        let r1 = check_rule!(@rev1 $Rule, a, b, ma, mb, d);
        check_dot(&format!("{what} 0"), &u, &j0.flat(), &r0.flat(), &ta);
        check_dot(&format!("{what} 1"), &u, &j1.flat(), &r1.flat(), &tb);
        $(
            let t = if $j == 0 { ta.clone() } else { tb.clone() };
            let got = check_rule!(@piece $piece $Rule, a, b, ma, mb, ga, gb, d).flat();
            check_difference(&format!("{what} {}", stringify!($piece)), &got, |h| {
                let (a, b) = if $j == 0 { (a.moved(&t, h), b.clone()) } else { (a.clone(), b.moved(&t, h)) };
                #[allow(unused_variables)]
                let (ma, mb) = (meta(&a), meta(&b));
                if $k == 0 {
                    check_rule!(@rev0 $Rule, a, b, ma, mb, d).flat()
                } else {
                    check_rule!(@rev1 $Rule, a, b, ma, mb, d).flat()
                }
            });
        )*
    }};
    (@tan0 AddRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { AddRule::tan0(&$ma, &$mb, &$t) };
    (@tan1 AddRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { AddRule::tan1(&$ma, &$mb, &$t) };
    (@rev0 AddRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { AddRule::rev0(&$ma, &$mb, &$d) };
    (@rev1 AddRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { AddRule::rev1(&$ma, &$mb, &$d) };
    (@tan0 SubRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { SubRule::tan0(&$ma, &$mb, &$t) };
    (@tan1 SubRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { SubRule::tan1(&$ma, &$mb, &$t) };
    (@rev0 SubRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { SubRule::rev0(&$ma, &$mb, &$d) };
    (@rev1 SubRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { SubRule::rev1(&$ma, &$mb, &$d) };
    (@tan0 MulRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { MulRule::tan0(&$ma, &$b, &$t) };
    (@tan1 MulRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { MulRule::tan1(&$a, &$mb, &$t) };
    (@rev0 MulRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { MulRule::rev0(&$ma, &$b, &$d) };
    (@rev1 MulRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { MulRule::rev1(&$a, &$mb, &$d) };
    (@tan0 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { DivRule::tan0(&$ma, &$b, &$t) };
    (@tan1 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { DivRule::tan1(&$a, &$b, &$t) };
    (@rev0 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { DivRule::rev0(&$ma, &$b, &$d) };
    (@rev1 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { DivRule::rev1(&$a, &$b, &$d) };
    (@piece rev0_tan1 MulRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { MulRule::rev0_tan1(&$ma, &$b, &$gb, &$d) };
    (@piece rev1_tan0 MulRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { MulRule::rev1_tan0(&$a, &$mb, &$ga, &$d) };
    (@piece rev0_tan1 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { DivRule::rev0_tan1(&$ma, &$b, &$gb, &$d) };
    (@piece rev1_tan0 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { DivRule::rev1_tan0(&$a, &$b, &$ga, &$d) };
    (@piece rev1_tan1 DivRule, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { DivRule::rev1_tan1(&$a, &$b, &$gb, &$d) };
}

/// Every rule on one pair of operands (the divisor kept away from 0).
macro_rules! check_all {
    ($A:ty, $a:expr, $b:expr) => {{
        check_rule!($A, AddRule, $a, $b, []);
        check_rule!($A, SubRule, $a, $b, []);
        check_rule!($A, MulRule, $a, $b, [rev0_tan1 0 1, rev1_tan0 1 0]);
        check_rule!($A, DivRule, $a, $b, [rev0_tan1 0 1, rev1_tan0 1 0, rev1_tan1 1 1]);
    }};
}

fn tensor<A: Float, D: Dimension>(shape: D, seed: usize) -> Tensor<A, D> {
    Tensor::from(sample(shape, 0.5, 2.0, seed))
}

fn all_pairs<A: Float>() {
    check_all!(A, A::from_f64(1.3), A::from_f64(-0.7));
    check_all!(
        A,
        tensor::<A, _>(Ix2(3, 4), 1),
        tensor::<A, _>(Ix2(3, 4), 2)
    );
    // Broadcasting both ways, and across static and dynamic dimensions.
    check_all!(A, tensor::<A, _>(Ix2(3, 4), 1), tensor::<A, _>(Ix1(4), 2));
    check_all!(A, tensor::<A, _>(Ix1(4), 1), tensor::<A, _>(Ix2(3, 4), 2));
    check_all!(
        A,
        tensor::<A, _>(Ix2(3, 1), 1),
        tensor::<A, _>(Ix2(1, 4), 2)
    );
    check_all!(
        A,
        tensor::<A, _>(IxDyn(&[2, 3]), 1),
        tensor::<A, _>(IxDyn(&[3]), 2)
    );
    // A tensor and a float, both ways.
    check_all!(A, tensor::<A, _>(Ix2(2, 3), 1), A::from_f64(1.7));
    check_all!(A, A::from_f64(1.7), tensor::<A, _>(Ix1(5), 2));
}

#[test]
fn binary_tangents_agree_with_finite_differences_and_the_backward() {
    all_pairs::<f64>();
    all_pairs::<f32>();
}

fn negation<A: Float>() {
    let x = tensor::<A, _>(Ix2(2, 3), 4);
    let t = sample(Ix2(2, 3), -1.0, 1.0, 5);
    let u = sample(Ix2(2, 3), -1.0, 1.0, 6);
    let j = NegRule::tan0(&meta(&x), &t);
    check_difference("neg", &j.flat(), |h| {
        NegRule::fwd(&x.moved(&t.flat(), h)).flat()
    });
    check_dot(
        "neg",
        &u.flat(),
        &j.flat(),
        &NegRule::rev0(&meta(&x), &u).flat(),
        &t.flat(),
    );
    assert_eq!(
        NegRule::tan0(&meta(&A::one()), &A::from_f64(0.5)),
        A::from_f64(-0.5)
    );
}

#[test]
fn negation_tangent_is_the_negated_tangent() {
    negation::<f64>();
    negation::<f32>();
}
