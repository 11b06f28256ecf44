//! Unit tests of `select`.

use super::*;
use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
use ndarray::{arr0, array, Array0, Array1, Ix1, Ix2, ShapeBuilder};

fn hand_axis<A: Float>() {
    let x = Tensor::from(array![[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]].mapv(A::from_f64));
    // max along axis 1: [5, 6]; the gradient d = [1, 2] goes to x[0, 1] and x[1, 2].
    let y = x.max_axis(Axis(1));
    assert_all_close("max_axis", y.data(), &array![5.0, 6.0]);
    let d = array![1.0, 2.0].mapv(A::from_f64);
    let g = MaxAxisRule::rev0(&x, &y, &Axis(1), &d);
    assert_all_close("max_axis", &g, &array![[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]);
    // min along axis 0: [1, 2, 3]; d = [1, 2, 3] goes to the smaller of each column.
    let y = x.min_axis(Axis(0));
    assert_all_close("min_axis", y.data(), &array![1.0, 2.0, 3.0]);
    let d = array![1.0, 2.0, 3.0].mapv(A::from_f64);
    let g = MinAxisRule::rev0(&x, &y, &Axis(0), &d);
    assert_all_close("min_axis", &g, &array![[1.0, 0.0, 3.0], [0.0, 2.0, 0.0]]);

    // Ties: max of [2, 7, 7, 7] is 7, reached 3 times, so each gets d/3;
    // min of [3, 1, 1, 9] is 1, reached twice, so each gets d/2.
    let t = Tensor::from(array![[2.0, 7.0, 7.0, 7.0], [3.0, 1.0, 1.0, 9.0]].mapv(A::from_f64));
    let d = array![3.0, 4.0].mapv(A::from_f64);
    let y = t.max_axis(Axis(1));
    let g = MaxAxisRule::rev0(&t, &y, &Axis(1), &d);
    let want = array![[0.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 4.0]];
    assert_all_close("max_axis ties", &g, &want);
    let y = t.min_axis(Axis(1));
    let g = MinAxisRule::rev0(&t, &y, &Axis(1), &d);
    let want = array![[3.0, 0.0, 0.0, 0.0], [0.0, 2.0, 2.0, 0.0]];
    assert_all_close("min_axis ties", &g, &want);

    // One axis gives a scalar.
    let v = Tensor::from(array![1.0, -3.0, 2.0].mapv(A::from_f64));
    let y = v.max_axis(Axis(0));
    assert_close("max_axis", y.item(), 2.0);
    let g = MaxAxisRule::rev0(&v, &y, &Axis(0), &arr0(A::from_f64(5.0)));
    assert_all_close("max_axis", &g, &array![0.0, 0.0, 5.0]);
    assert_close("min_axis", v.min_axis(Axis(0)).item(), -3.0);
}

fn hand_pairwise<A: Float>() {
    let f = |v: f64| A::from_f64(v);
    // Floats: max(3, 2) = 3, gradient d to x; a tie splits d/2 each.
    assert_close("max", MaximumRule::fwd(&f(3.0), &f(2.0)), 3.0);
    assert_close("max", MaximumRule::rev0(&f(3.0), &f(2.0), &f(4.0)), 4.0);
    assert_close("max", MaximumRule::rev1(&f(3.0), &f(2.0), &f(4.0)), 0.0);
    assert_close("max tie", MaximumRule::rev0(&f(2.0), &f(2.0), &f(4.0)), 2.0);
    assert_close("max tie", MaximumRule::rev1(&f(2.0), &f(2.0), &f(4.0)), 2.0);
    assert_close("min", MinimumRule::fwd(&f(3.0), &f(2.0)), 2.0);
    assert_close("min", MinimumRule::rev0(&f(3.0), &f(2.0), &f(4.0)), 0.0);
    assert_close("min", MinimumRule::rev1(&f(3.0), &f(2.0), &f(4.0)), 4.0);
    assert_close(
        "min tie",
        MinimumRule::rev0(&f(-1.0), &f(-1.0), &f(1.0)),
        0.5,
    );
    assert_close(
        "min tie",
        MinimumRule::rev1(&f(-1.0), &f(-1.0), &f(1.0)),
        0.5,
    );

    // Tensor and tensor, broadcasting a row y = [1, 5] against x (2×2):
    // max = [[3, 5], [1, 5]] (x[1, 0] = 1 ties y[0]).
    let x = Tensor::from(array![[3.0, 4.0], [1.0, 6.0]].mapv(A::from_f64));
    let y = Tensor::from(array![1.0, 5.0].mapv(A::from_f64));
    let z = x.maximum(&y);
    assert_all_close("maximum", z.data(), &array![[3.0, 5.0], [1.0, 6.0]]);
    let d = array![[1.0, 2.0], [3.0, 4.0]].mapv(A::from_f64);
    // x gets d where x > y, d/2 at the tie: [[1, 0], [1.5, 4]].
    let gx = MaximumRule::rev0(&x, &y, &d);
    assert_all_close("maximum", &gx, &array![[1.0, 0.0], [1.5, 4.0]]);
    // y gets the rest, summed over the rows: [0 + 1.5, 2 + 0].
    let gy = MaximumRule::rev1(&x, &y, &d);
    assert_all_close("maximum", &gy, &array![1.5, 2.0]);
    // minimum = [[1, 4], [1, 5]]; x gets [[0, 2], [1.5, 0]], y [1 + 1.5, 4].
    let z = x.minimum(&y);
    assert_all_close("minimum", z.data(), &array![[1.0, 4.0], [1.0, 5.0]]);
    let gx = MinimumRule::rev0(&x, &y, &d);
    assert_all_close("minimum", &gx, &array![[0.0, 2.0], [1.5, 0.0]]);
    let gy = MinimumRule::rev1(&x, &y, &d);
    assert_all_close("minimum", &gy, &array![2.5, 4.0]);

    // Tensor and float: max(x, 4) = [[4, 4], [4, 6]]; x gets d where
    // x > 4, d/2 at x = 4; the float gets the sum of the rest.
    let four = f(4.0);
    assert_all_close(
        "maximum",
        x.maximum(&four).data(),
        &array![[4.0, 4.0], [4.0, 6.0]],
    );
    let gx = MaximumRule::rev0(&x, &four, &d);
    assert_all_close("maximum", &gx, &array![[0.0, 1.0], [0.0, 4.0]]);
    // 1 + 2/2 + 3 = 5.
    assert_close("maximum", MaximumRule::rev1(&x, &four, &d), 5.0);
    // Float and tensor: min(4, x) = [[3, 4], [1, 4]]; 4 gets 2/2 + 4 = 5.
    let z = MinimumRule::fwd(&four, &x);
    assert_all_close("minimum", z.data(), &array![[3.0, 4.0], [1.0, 4.0]]);
    assert_close("minimum", MinimumRule::rev0(&four, &x, &d), 5.0);
    let gx = MinimumRule::rev1(&four, &x, &d);
    assert_all_close("minimum", &gx, &array![[1.0, 1.0], [3.0, 0.0]]);
    // Float and tensor, max: 4 gets 1 + 1 + 3 = 5; x gets [[0, 1], [0, 4]].
    assert_close("maximum", MaximumRule::rev0(&four, &x, &d), 5.0);
    let gx = MaximumRule::rev1(&four, &x, &d);
    assert_all_close("maximum", &gx, &array![[0.0, 1.0], [0.0, 4.0]]);
    // Tensor and float, min: x gets d where x < 4, d/2 at 4; 4 gets 1 + 4.
    let gx = MinimumRule::rev0(&x, &four, &d);
    assert_all_close("minimum", &gx, &array![[1.0, 1.0], [3.0, 0.0]]);
    assert_close("minimum", MinimumRule::rev1(&x, &four, &d), 5.0);
}

fn hand_clamp<A: Float>() {
    let f = |v: f64| A::from_f64(v);
    // clamp(x, 0, 1): slope 1 strictly inside, 0 outside and at the bounds.
    let x = Tensor::from(array![-1.0, 0.0, 0.5, 1.0, 2.0].mapv(A::from_f64));
    let y = x.clamp(f(0.0), f(1.0));
    assert_all_close("clamp", y.data(), &array![0.0, 0.0, 0.5, 1.0, 1.0]);
    let d = array![1.0, 2.0, 3.0, 4.0, 5.0].mapv(A::from_f64);
    let g = ClampRule::rev0(&x, &f(0.0), &f(1.0), &d);
    assert_all_close("clamp", &g, &array![0.0, 0.0, 3.0, 0.0, 0.0]);
    // Floats, the same at each point.
    for (x, want_y, want_g) in [
        (-1.0, 0.0, 0.0),
        (0.0, 0.0, 0.0),
        (0.5, 0.5, 2.0),
        (1.0, 1.0, 0.0),
        (2.0, 1.0, 0.0),
    ] {
        assert_close("clamp", ClampRule::fwd(&f(x), &f(0.0), &f(1.0)), want_y);
        assert_close(
            "clamp",
            ClampRule::rev0(&f(x), &f(0.0), &f(1.0), &f(2.0)),
            want_g,
        );
    }
    // lo = hi: every element is the bound, and no gradient passes.
    let y = x.clamp(f(0.5), f(0.5));
    assert_all_close("clamp", y.data(), &Array1::from_elem(5, 0.5));
    let g = ClampRule::rev0(&x, &f(0.5), &f(0.5), &d);
    assert_all_close("clamp", &g, &Array1::zeros(5));
}

#[test]
fn hand_derived() {
    hand_axis::<f64>();
    hand_axis::<f32>();
    hand_pairwise::<f64>();
    hand_pairwise::<f32>();
    hand_clamp::<f64>();
    hand_clamp::<f32>();
}

fn axis_rules<A: Float, Sh: ShapeBuilder>(shape: Sh)
where
    Sh::Dim: RemoveAxis,
{
    let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 1);
    let t = Tensor::from(x.clone());
    for k in 0..x.ndim() {
        let axis = Axis(k);
        let y = t.max_axis(axis);
        let d = sample(y.raw_dim(), -1.0, 1.0, 4 + k);
        let g = MaxAxisRule::rev0(&t, &y, &axis, &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).max_axis(axis).into_data();
        check_vjp("max_axis", f, &x, &d, &g);
        let y = t.min_axis(axis);
        let g = MinAxisRule::rev0(&t, &y, &axis, &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).min_axis(axis).into_data();
        check_vjp("min_axis", f, &x, &d, &g);
    }
}

/// Finite differences of maximum and minimum of tensors of shapes `a`
/// and `b`, for each operand.
fn pairwise<A: Float, Sa: ShapeBuilder, Sb: ShapeBuilder>(a: Sa, b: Sb)
where
    Sa::Dim: DimMax<Sb::Dim>,
{
    let x: Array<A, Sa::Dim> = sample(a, -2.0, 2.0, 1);
    let y: Array<A, Sb::Dim> = sample(b, -2.0, 2.0, 2);
    let (tx, ty) = (Tensor::from(x.clone()), Tensor::from(y.clone()));
    let z = tx.maximum(&ty);
    let d = sample(z.raw_dim(), -1.0, 1.0, 3);
    macro_rules! check {
        ($Rule:ident, $method:ident) => {
            let gx = $Rule::rev0(&tx, &ty, &d);
            let f = |x: &Array<A, Sa::Dim>| Tensor::from(x.clone()).$method(&ty).into_data();
            check_vjp(stringify!($method), f, &x, &d, &gx);
            let gy = $Rule::rev1(&tx, &ty, &d);
            let f = |y: &Array<A, Sb::Dim>| tx.$method(&Tensor::from(y.clone())).into_data();
            check_vjp(stringify!($method), f, &y, &d, &gy);
        };
    }
    check!(MaximumRule, maximum);
    check!(MinimumRule, minimum);

    // With a float on either side.
    let c = A::from_f64(0.3);
    let dz = sample(tx.raw_dim(), -1.0, 1.0, 5);
    macro_rules! check_float {
        ($Rule:ident) => {
            let gx = $Rule::rev0(&tx, &c, &dz);
            let f = |x: &Array<A, Sa::Dim>| $Rule::fwd(&Tensor::from(x.clone()), &c).into_data();
            check_vjp("tensor ∘ float", f, &x, &dz, &gx);
            let gc = Array0::from_elem((), $Rule::rev1(&tx, &c, &dz));
            let f = |c: &Array0<A>| $Rule::fwd(&tx, &c[()]).into_data();
            check_vjp("tensor ∘ float", f, &arr0(c), &dz, &gc);
            let gc = Array0::from_elem((), $Rule::rev0(&c, &tx, &dz));
            let f = |c: &Array0<A>| $Rule::fwd(&c[()], &tx).into_data();
            check_vjp("float ∘ tensor", f, &arr0(c), &dz, &gc);
            let gx = $Rule::rev1(&c, &tx, &dz);
            let f = |x: &Array<A, Sa::Dim>| $Rule::fwd(&c, &Tensor::from(x.clone())).into_data();
            check_vjp("float ∘ tensor", f, &x, &dz, &gx);
        };
    }
    check_float!(MaximumRule);
    check_float!(MinimumRule);
}

fn floats<A: Float>() {
    // Both operands, away from ties, and at a tie (where central
    // differences see slope ½ on each side, as the split).
    for (x, y) in [(0.5, -1.5), (-2.0, 1.0), (0.75, 0.75)] {
        let (x, y) = (arr0(A::from_f64(x)), arr0(A::from_f64(y)));
        let d = arr0(A::from_f64(1.7));
        macro_rules! check {
            ($Rule:ident) => {
                let g = arr0($Rule::rev0(&x[()], &y[()], &d[()]));
                let f = |x: &Array0<A>| arr0($Rule::fwd(&x[()], &y[()]));
                check_vjp(stringify!($Rule), f, &x, &d, &g);
                let g = arr0($Rule::rev1(&x[()], &y[()], &d[()]));
                let f = |y: &Array0<A>| arr0($Rule::fwd(&x[()], &y[()]));
                check_vjp(stringify!($Rule), f, &y, &d, &g);
            };
        }
        check!(MaximumRule);
        check!(MinimumRule);
    }
}

fn clamp_rule<A: Float, Sh: ShapeBuilder>(shape: Sh) {
    // Values in [-2, 2] clamped to [-1, 0.9]: some below, inside, above.
    let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 1);
    let (lo, hi) = (A::from_f64(-1.0), A::from_f64(0.9));
    let t = Tensor::from(x.clone());
    let d = sample(t.raw_dim(), -1.0, 1.0, 2);
    let g = ClampRule::rev0(&t, &lo, &hi, &d);
    let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).clamp(lo, hi).into_data();
    check_vjp("clamp", f, &x, &d, &g);
    for (i, &v) in x.iter().enumerate() {
        let dv = A::from_f64(0.3 + i as f64);
        let g = arr0(ClampRule::rev0(&v, &lo, &hi, &dv));
        let f = |x: &Array0<A>| arr0(ClampRule::fwd(&x[()], &lo, &hi));
        check_vjp("clamp", f, &arr0(v), &arr0(dv), &g);
    }
}

fn finite_differences<A: Float>() {
    axis_rules::<A, _>(5);
    axis_rules::<A, _>((2, 3));
    axis_rules::<A, _>(ndarray::IxDyn(&[3, 1, 2]));
    pairwise::<A, _, _>(4, 4);
    pairwise::<A, _, _>((2, 3), (2, 3));
    pairwise::<A, _, _>((2, 3), 3);
    pairwise::<A, _, _>(3, (2, 3));
    pairwise::<A, _, _>((2, 1), (1, 3));
    pairwise::<A, _, _>((), (2, 2));
    floats::<A>();
    clamp_rule::<A, _>(7);
    clamp_rule::<A, _>((3, 4));
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
fn two_way_ties_match_finite_differences() {
    // Central differences at a two-way tie see slope ½ for each element,
    // which is the even split.
    let x = array![[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]];
    let t = Tensor::from(x.clone());
    let d = array![0.8, -1.2];
    let y = t.max_axis(Axis(1));
    let g = MaxAxisRule::rev0(&t, &y, &Axis(1), &d);
    let f = |x: &Array<f64, Ix2>| Tensor::from(x.clone()).max_axis(Axis(1)).into_data();
    check_vjp("max_axis", f, &x, &d, &g);
    let x = array![[1.0, 1.0, 3.0], [2.0, -1.0, -1.0]];
    let t = Tensor::from(x.clone());
    let y = t.min_axis(Axis(1));
    let g = MinAxisRule::rev0(&t, &y, &Axis(1), &d);
    let f = |x: &Array<f64, Ix2>| Tensor::from(x.clone()).min_axis(Axis(1)).into_data();
    check_vjp("min_axis", f, &x, &d, &g);
    // maximum of equal tensors.
    let a = array![1.0, -2.0, 0.5];
    let (ta, tb) = (Tensor::from(a.clone()), Tensor::from(a.clone()));
    let d = array![1.0, 2.0, 3.0];
    let g = MaximumRule::rev0(&ta, &tb, &d);
    assert_eq!(g, array![0.5, 1.0, 1.5]);
    let f = |x: &Array<f64, Ix1>| Tensor::from(x.clone()).maximum(&tb).into_data();
    check_vjp("maximum", f, &a, &d, &g);
}

#[test]
fn nan_follows_pytorch_for_tensors_and_std_for_floats() {
    let nan = f64::NAN;
    // Tensors: NaN propagates, and the gradient goes to the NaN elements.
    let t = Tensor::from(array![[1.0, nan, 3.0], [4.0, 5.0, 6.0]]);
    let y = t.max_axis(Axis(1));
    assert!(y.data()[0].is_nan());
    assert_eq!(y.data()[1], 6.0);
    let g = MaxAxisRule::rev0(&t, &y, &Axis(1), &array![1.0, 1.0]);
    assert_eq!(g, array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
    let y = t.min_axis(Axis(1));
    assert!(y.data()[0].is_nan());
    assert_eq!(y.data()[1], 4.0);
    let a = Tensor::from(array![nan, 1.0, 2.0]);
    let b = Tensor::from(array![0.0, nan, 1.0]);
    let z = a.maximum(&b);
    assert!(z.data()[0].is_nan() && z.data()[1].is_nan());
    assert_eq!(z.data()[2], 2.0);
    let d = array![1.0, 1.0, 1.0];
    assert_eq!(MaximumRule::rev0(&a, &b, &d), array![1.0, 0.0, 1.0]);
    assert_eq!(MaximumRule::rev1(&a, &b, &d), array![0.0, 1.0, 0.0]);
    assert!(a.minimum(&0.0).data()[0].is_nan());
    // Floats: f64::max ignores the NaN, and the gradient goes to the other operand.
    assert_eq!(MaximumRule::fwd(&nan, &2.0), 2.0);
    assert_eq!(MaximumRule::rev0(&nan, &2.0, &1.0), 0.0);
    assert_eq!(MaximumRule::rev1(&nan, &2.0, &1.0), 1.0);
    assert_eq!(MinimumRule::fwd(&2.0f32, &f32::NAN), 2.0);
    assert_eq!(MinimumRule::rev0(&2.0f32, &f32::NAN, &1.0), 1.0);
    // clamp: NaN stays NaN and gets no gradient.
    assert!(ClampRule::fwd(&nan, &0.0, &1.0).is_nan());
    assert_eq!(ClampRule::rev0(&nan, &0.0, &1.0, &1.0), 0.0);
    // An infinite gradient stays out of the operand that was not selected.
    assert_eq!(MaximumRule::rev1(&3.0, &2.0, &f64::INFINITY), 0.0);
}

#[test]
fn floats_match_std() {
    for (x, y) in [(1.0f64, 2.0), (2.0, 1.0), (-0.0, 0.0), (3.0, 3.0)] {
        assert_eq!(MaximumRule::fwd(&x, &y), x.max(y));
        assert_eq!(MinimumRule::fwd(&x, &y), x.min(y));
        assert_eq!(ClampRule::fwd(&x, &0.5, &1.5), x.clamp(0.5, 1.5));
    }
    let t = Tensor::from(array![1.0f32, -3.0, 7.0]);
    assert_eq!(t.clamp(-1.0, 2.0).data(), &array![1.0, -1.0, 2.0]);
    let _: Tensor<f32, Ix1> = t.maximum(&0.0);
    let _: Tensor<f32, Ix2> = t.maximum(&Tensor::<f32, Ix2>::zeros((2, 3)));
}

#[test]
#[should_panic(expected = "maximum: shape mismatch: expected shape [2, 3], found shape [2]")]
fn maximum_shape_mismatch_panics() {
    Tensor::<f64, _>::zeros((2, 3)).maximum(&Tensor::<f64, _>::zeros(2));
}

#[test]
#[should_panic(expected = "minimum: shape mismatch: expected shape [4], found shape [3]")]
fn minimum_shape_mismatch_panics() {
    MinimumRule::fwd(&Tensor::<f32, _>::zeros(4), &Tensor::<f32, _>::zeros(3));
}

#[test]
#[should_panic(
    expected = "max_axis: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
)]
fn max_axis_out_of_range_panics() {
    Tensor::<f64, _>::zeros((2, 3)).max_axis(Axis(2));
}

#[test]
#[should_panic(
    expected = "min_axis: axis 1 has length 0 (shape [2, 0]), so there is nothing to reduce"
)]
fn min_axis_empty_panics() {
    Tensor::<f32, _>::zeros((2, 0)).min_axis(Axis(1));
}

#[test]
#[should_panic(
    expected = "clamp: the lower bound 2 is greater than the upper bound 1, or one is NaN"
)]
fn clamp_bounds_panic() {
    Tensor::<f64, _>::zeros(3).clamp(2.0, 1.0);
}

#[test]
#[should_panic(expected = "clamp: the lower bound NaN is greater than the upper bound 1")]
fn clamp_nan_bound_panics_for_floats() {
    ClampRule::fwd(&0.5f32, &f32::NAN, &1.0);
}

#[test]
fn try_errors() {
    let t = Tensor::<f64, _>::zeros((2, 0));
    let err = t.try_max_axis(Axis(1)).unwrap_err();
    assert_eq!(
        err,
        Error::EmptyAxis {
            op: "max_axis",
            axis: 1,
            shape: vec![2, 0]
        }
    );
    assert_eq!(
        err.to_string(),
        "max_axis: axis 1 has length 0 (shape [2, 0]), so there is nothing to reduce"
    );
    assert!(matches!(
        t.try_min_axis(Axis(3)).unwrap_err(),
        Error::AxisOutOfRange {
            op: "min_axis",
            axis: 3,
            ..
        }
    ));
    // Reducing the non-empty axis of an empty tensor is fine.
    assert_eq!(t.try_max_axis(Axis(0)).unwrap().shape(), &[0]);
    assert_eq!(t.try_min_axis(Axis(0)).unwrap().shape(), &[0]);

    let a = Tensor::<f64, _>::zeros((2, 3));
    let err = a.try_maximum(&Tensor::zeros((3, 2))).unwrap_err();
    assert_eq!(
        err,
        Error::ShapeMismatch {
            op: "maximum",
            expected: vec![2, 3],
            found: vec![3, 2]
        }
    );
    assert!(matches!(
        a.try_minimum(&Tensor::zeros(2)).unwrap_err(),
        Error::ShapeMismatch { op: "minimum", .. }
    ));
    assert_eq!(
        a.try_maximum(&Tensor::ones(3)).unwrap().data(),
        &Array::ones((2, 3))
    );
    assert_eq!(
        a.try_minimum(&Tensor::ones((2, 1))).unwrap().shape(),
        &[2, 3]
    );
}
