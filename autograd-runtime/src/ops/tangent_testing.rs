//! The checks of tangent rules: a value as a flat list of elements,
//! central differences along a direction, the dot-product identity, and
//! [`check_binary!`], every check of a rule of two operands.

use ndarray::{Array, Dimension};

use crate::float::Float;
use crate::ops::testing::{is_f64, sample};
use crate::tensor::Tensor;

/// A float, an array or a tensor as a flat list of its elements.
pub(crate) trait Flat<A: Float>: Sized {
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

impl<A: Float> Flat<A> for Vec<A> {
    fn flat(&self) -> Vec<A> {
        self.clone()
    }
    fn moved(&self, t: &[A], h: A) -> Self {
        self.iter().zip(t).map(|(x, t)| *x + h * *t).collect()
    }
}

impl<A: Float, const N: usize> Flat<A> for [A; N] {
    fn flat(&self) -> Vec<A> {
        self.to_vec()
    }
    fn moved(&self, t: &[A], h: A) -> Self {
        let mut out = *self;
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
pub(crate) fn check_difference<A: Float>(what: &str, got: &[A], f: impl Fn(A) -> Vec<A>) {
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
pub(crate) fn check_dot_flat<A: Float>(what: &str, u: &[A], jv: &[A], jtu: &[A], v: &[A]) {
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
pub(crate) fn like<A: Float, T: Flat<A>>(x: &T, lo: f64, hi: f64, seed: usize) -> Vec<A> {
    sample(x.flat().len(), lo, hi, seed).to_vec()
}

/// All the checks for one rule of two operands on one pair of them. The
/// kind says what the backward functions (and tangents) read: `meta` (only
/// shapes, as `+`), `mul` (each the other operand, as `*` and `matmul`) or
/// `div` (`rev1` both) or `both` (each both, as `maximum`); the list names the second-order pieces `revK_tanJ`
/// with `K` and `J`.
macro_rules! check_binary {
    ($A:ty, $Rule:ident as $kind:ident, $a:expr, $b:expr, [$($piece:ident $k:tt $j:tt),*]) => {{
        use $crate::ops::tangent_testing::Flat as _;
        let (a, b) = ($a, $b);
        let what = concat!(stringify!($Rule), " ", stringify!($A));
        let out = $Rule::fwd(&a, &b);
        let (ma, mb) = ($crate::value::meta(&a), $crate::value::meta(&b));
        let ta = $crate::ops::tangent_testing::like::<$A, _>(&a, -1.0, 1.0, 7);
        let tb = $crate::ops::tangent_testing::like::<$A, _>(&b, -1.0, 1.0, 11);
        let u = $crate::ops::tangent_testing::like::<$A, _>(&out, -1.0, 1.0, 13);
        let (ga, gb) = ($crate::value::zeros(&ma).moved(&ta, <$A>::one()), $crate::value::zeros(&mb).moved(&tb, <$A>::one()));
        let d = $crate::value::zeros(&$crate::value::meta(&out)).moved(&u, <$A>::one());
        let j0 = check_binary!(@tan0 $kind $Rule, a, b, ma, mb, ga);
        let j1 = check_binary!(@tan1 $kind $Rule, a, b, ma, mb, gb);
        $crate::ops::tangent_testing::check_difference(&format!("{what} tan0"), &j0.flat(), |h| $Rule::fwd(&a.moved(&ta, h), &b).flat());
        $crate::ops::tangent_testing::check_difference(&format!("{what} tan1"), &j1.flat(), |h| $Rule::fwd(&a, &b.moved(&tb, h)).flat());
        let r0 = check_binary!(@rev0 $kind $Rule, a, b, ma, mb, d);
        let r1 = check_binary!(@rev1 $kind $Rule, a, b, ma, mb, d);
        $crate::ops::tangent_testing::check_dot_flat(&format!("{what} 0"), &u, &j0.flat(), &r0.flat(), &ta);
        $crate::ops::tangent_testing::check_dot_flat(&format!("{what} 1"), &u, &j1.flat(), &r1.flat(), &tb);
        $(
            let t = if $j == 0 { ta.clone() } else { tb.clone() };
            let got = check_binary!(@piece $piece $kind $Rule, a, b, ma, mb, ga, gb, d).flat();
            $crate::ops::tangent_testing::check_difference(&format!("{what} {}", stringify!($piece)), &got, |h| {
                let (a, b) = if $j == 0 { (a.moved(&t, h), b.clone()) } else { (a.clone(), b.moved(&t, h)) };
                #[allow(unused_variables)]
                let (ma, mb) = ($crate::value::meta(&a), $crate::value::meta(&b));
                if $k == 0 {
                    check_binary!(@rev0 $kind $Rule, a, b, ma, mb, d).flat()
                } else {
                    check_binary!(@rev1 $kind $Rule, a, b, ma, mb, d).flat()
                }
            });
        )*
    }};
    (@tan0 meta $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan0(&$ma, &$mb, &$t) };
    (@tan1 meta $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan1(&$ma, &$mb, &$t) };
    (@rev0 meta $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev0(&$ma, &$mb, &$d) };
    (@rev1 meta $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev1(&$ma, &$mb, &$d) };
    (@tan0 mul $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan0(&$ma, &$b, &$t) };
    (@tan1 mul $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan1(&$a, &$mb, &$t) };
    (@rev0 mul $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev0(&$ma, &$b, &$d) };
    (@rev1 mul $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev1(&$a, &$mb, &$d) };
    (@tan0 both $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan0(&$a, &$b, &$t) };
    (@tan1 both $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan1(&$a, &$b, &$t) };
    (@rev0 both $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev0(&$a, &$b, &$d) };
    (@rev1 both $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev1(&$a, &$b, &$d) };
    (@tan0 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan0(&$ma, &$b, &$t) };
    (@tan1 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $t:ident) => { $Rule::tan1(&$a, &$b, &$t) };
    (@rev0 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev0(&$ma, &$b, &$d) };
    (@rev1 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $d:ident) => { $Rule::rev1(&$a, &$b, &$d) };
    (@piece rev0_tan1 mul $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { $Rule::rev0_tan1(&$ma, &$b, &$gb, &$d) };
    (@piece rev1_tan0 mul $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { $Rule::rev1_tan0(&$a, &$mb, &$ga, &$d) };
    (@piece rev0_tan1 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { $Rule::rev0_tan1(&$ma, &$b, &$gb, &$d) };
    (@piece rev1_tan0 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { $Rule::rev1_tan0(&$a, &$b, &$ga, &$d) };
    (@piece rev1_tan1 div $Rule:ident, $a:ident, $b:ident, $ma:ident, $mb:ident, $ga:ident, $gb:ident, $d:ident) => { $Rule::rev1_tan1(&$a, &$b, &$gb, &$d) };
}

pub(crate) use check_binary;
