//! Unit tests of `losses`.

use super::*;
use crate::gradcheck::{gradcheck, CheckInput};
use ndarray::{arr0, array, Ix1, Ix3, IxDyn, ShapeBuilder};

fn is_f64<A: Float>() -> bool {
    std::mem::size_of::<A>() == 8
}

/// Values spread over `[lo, hi]` in a fixed irregular order (fractional
/// parts of multiples of the golden ratio).
fn sample<Sh: ShapeBuilder>(shape: Sh, lo: f64, hi: f64, seed: usize) -> Array<f64, Sh::Dim> {
    let mut k = seed;
    Array::from_shape_simple_fn(shape, || {
        k += 1;
        lo + (hi - lo) * (k as f64 * 0.618_033_988_749_894_9).fract()
    })
}

/// `got` equals `want` up to rounding: relative `1e-12` in `f64`, `1e-5`
/// in `f32` (absolute below 1).
#[track_caller]
fn assert_close<A: Float>(what: &str, got: A, want: f64) {
    let got = got.as_f64();
    let tol = if is_f64::<A>() { 1e-12 } else { 1e-5 };
    let ok = if want.is_nan() {
        got.is_nan()
    } else {
        (got - want).abs() <= tol * want.abs().max(1.0)
    };
    assert!(ok, "{what}: got {got}, want {want}");
}

#[track_caller]
fn assert_all_close<A: Float, D: Dimension>(what: &str, got: &Array<A, D>, want: &Array<f64, D>) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want) {
        assert_close(what, *g, *w);
    }
}

fn hand<A: Float>() {
    let c = |v: f64| A::from_f64(v);
    let ln = f64::ln;

    // Cross-entropy. Row 0: logits [0, 0], softmax [1/2, 1/2], label 0:
    // loss ln 2. Row 1: logits [0, ln 3], softmax [1/4, 3/4], label 1:
    // loss −ln(3/4) = ln(4/3). Mean ln(8/3)/2, sum ln(8/3).
    let logits = Tensor::from(array![[0.0, 0.0], [0.0, ln(3.0)]].mapv(c));
    let labels = [0, 1];
    assert_close(
        "ce",
        cross_entropy(&logits, &labels).item(),
        ln(8.0 / 3.0) / 2.0,
    );
    assert_close(
        "ce_sum",
        cross_entropy_sum(&logits, &labels).item(),
        ln(8.0 / 3.0),
    );
    // Gradient (softmax − onehot)/N: [[−1/4, 1/4], [1/8, −1/8]]; with
    // d = 3 three times that. The sum's is N = 2 times the mean's.
    let (_, pb) = cross_entropy::rule(&logits, &labels, [true, false]);
    let (g, ()) = pb(&arr0(c(3.0)), &logits, &labels);
    let want = array![[-0.25, 0.25], [0.125, -0.125]];
    assert_all_close("ce grad", &g.unwrap(), &(&want * 3.0));
    let (_, pb) = cross_entropy_sum::rule(&logits, &labels, [true, false]);
    let (g, ()) = pb(&arr0(c(1.0)), &logits, &labels);
    assert_all_close("ce_sum grad", &g.unwrap(), &(&want * 2.0));

    // MSE. input [1, 2, 3], target [1, 0, 5]: differences [0, 2, −2],
    // squares [0, 4, 4]: mean 8/3, sum 8. ∂/∂input = 2·diff/3, ∂/∂target
    // its negation.
    let x = Tensor::from(array![1.0, 2.0, 3.0].mapv(c));
    let t = Tensor::from(array![1.0, 0.0, 5.0].mapv(c));
    assert_close("mse", mse(&x, &t).item(), 8.0 / 3.0);
    assert_close("mse_sum", mse_sum(&x, &t).item(), 8.0);
    let (_, pb) = mse::rule(&x, &t, [true, true]);
    let (gx, gt) = pb(&arr0(c(1.0)), &x, &t);
    assert_all_close("mse dx", &gx.unwrap(), &array![0.0, 4.0 / 3.0, -4.0 / 3.0]);
    assert_all_close("mse dt", &gt.unwrap(), &array![0.0, -4.0 / 3.0, 4.0 / 3.0]);
    let (_, pb) = mse_sum::rule(&x, &t, [false, true]);
    let (gx, gt) = pb(&arr0(c(0.5)), &x, &t);
    assert!(gx.is_none());
    assert_all_close("mse_sum dt", &gt.unwrap(), &array![0.0, -2.0, 2.0]);

    // BCE with logits. x = [0, ln 3], t = [1, 0]: σ(x) = [1/2, 3/4];
    // losses −ln(1/2) = ln 2 and −ln(1 − 3/4) = ln 4: mean 3 ln 2 / 2.
    // ∂/∂x = (σ(x) − t)/2 = [−1/4, 3/8]; ∂/∂t = −x/2 = [0, −ln 3 / 2].
    let x = Tensor::from(array![0.0, ln(3.0)].mapv(c));
    let t = Tensor::from(array![1.0, 0.0].mapv(c));
    let bce = binary_cross_entropy_with_logits(&x, &t).item();
    assert_close("bce", bce, 1.5 * ln(2.0));
    let bce_sum = binary_cross_entropy_with_logits_sum(&x, &t).item();
    assert_close("bce_sum", bce_sum, 3.0 * ln(2.0));
    let (_, pb) = binary_cross_entropy_with_logits::rule(&x, &t, [true, true]);
    let (gx, gt) = pb(&arr0(c(1.0)), &x, &t);
    assert_all_close("bce dx", &gx.unwrap(), &array![-0.25, 0.375]);
    assert_all_close("bce dt", &gt.unwrap(), &array![0.0, -ln(3.0) / 2.0]);
    let (_, pb) = binary_cross_entropy_with_logits_sum::rule(&x, &t, [true, false]);
    let (gx, gt) = pb(&arr0(c(2.0)), &x, &t);
    assert_all_close("bce_sum dx", &gx.unwrap(), &array![-1.0, 1.5]);
    assert!(gt.is_none());
}

#[test]
fn hand_derived() {
    hand::<f64>();
    hand::<f32>();
}

#[test]
fn nothing_needed_gives_none() {
    let logits = Tensor::from(array![[1.0, 2.0]]);
    let (_, pb) = cross_entropy::rule(&logits, &[1], [false, false]);
    assert!(pb(&arr0(1.0), &logits, &[1]).0.is_none());
    let x = Tensor::from(array![1.0, 2.0]);
    let (_, pb) = mse::rule(&x, &x, [false, false]);
    assert_eq!(pb(&arr0(1.0), &x, &x), (None, None));
    let (_, pb) = binary_cross_entropy_with_logits::rule(&x, &x, [false, false]);
    assert_eq!(pb(&arr0(1.0), &x, &x), (None, None));
}

/// Labels for `rows` samples of `classes` classes, every class used.
fn labels(rows: usize, classes: usize) -> Vec<usize> {
    (0..rows).map(|i| (i * 7 + 3) % classes).collect()
}

/// The value and the gradient for the output gradient `d` of both
/// cross-entropy rules, in `A`.
fn ce_value_and_grad<A: Float>(
    sum: bool,
    x: &Tensor<A, Ix2>,
    labels: &[usize],
    d: f64,
) -> (Scalar<A>, Array2<A>) {
    let d = arr0(A::from_f64(d));
    let (value, g) = if sum {
        let (v, pb) = cross_entropy_sum::rule(x, labels, [true, false]);
        (v, pb(&d, x, labels).0)
    } else {
        let (v, pb) = cross_entropy::rule(x, labels, [true, false]);
        (v, pb(&d, x, labels).0)
    };
    let plain = if sum {
        cross_entropy_sum(x, labels)
    } else {
        cross_entropy(x, labels)
    };
    assert_eq!(value, plain, "the rule's value is the function's");
    (value, g.unwrap())
}

/// Central finite differences in f64 (`gradcheck`), and the f32 run of
/// the same inputs agreeing with the f64 one.
fn ce_check(rows: usize, classes: usize, lo: f64, hi: f64) {
    let x = sample((rows, classes), lo, hi, rows + classes);
    let labels = labels(rows, classes);
    for sum in [false, true] {
        let f = |x: &Tensor<f64, Ix2>| ce_value_and_grad(sum, x, &labels, 1.0);
        gradcheck(f, &Tensor::from(x.clone())).unwrap();

        let (v64, g64) = ce_value_and_grad(sum, &Tensor::from(x.clone()), &labels, 0.7);
        let x32 = Tensor::from(x.mapv(|v| v as f32));
        let (v32, g32) = ce_value_and_grad(sum, &x32, &labels, 0.7);
        if lo.abs() < 100.0 {
            assert_close("cross_entropy f32", v32.item(), v64.item());
            assert_all_close("cross_entropy f32", &g32, &g64);
        } else {
            // Logits near 1000 are stored in f32 to within 3e-5.
            assert!((v32.item().as_f64() - v64.item()).abs() < 1e-3);
            assert!(g32
                .iter()
                .zip(&g64)
                .all(|(a, b)| (a.as_f64() - b).abs() < 1e-3));
        }
    }
}

/// The rules of the two-tensor losses, by name.
#[derive(Clone, Copy, Debug)]
enum Pair {
    Mse,
    MseSum,
    Bce,
    BceSum,
}

/// The value and both gradients of a two-tensor loss for the output
/// gradient `d`, in `A`.
#[allow(clippy::type_complexity)]
fn pair_value_and_grads<A: Float, D: Dimension>(
    loss: Pair,
    x: &Tensor<A, D>,
    t: &Tensor<A, D>,
    d: f64,
) -> (Scalar<A>, (Array<A, D>, Array<A, D>)) {
    let d = arr0(A::from_f64(d));
    let n = [true, true];
    let (value, plain, (gx, gt)) = match loss {
        Pair::Mse => {
            let (v, pb) = mse::rule(x, t, n);
            (v, mse(x, t), pb(&d, x, t))
        }
        Pair::MseSum => {
            let (v, pb) = mse_sum::rule(x, t, n);
            (v, mse_sum(x, t), pb(&d, x, t))
        }
        Pair::Bce => {
            let (v, pb) = binary_cross_entropy_with_logits::rule(x, t, n);
            (v, binary_cross_entropy_with_logits(x, t), pb(&d, x, t))
        }
        Pair::BceSum => {
            let (v, pb) = binary_cross_entropy_with_logits_sum::rule(x, t, n);
            (v, binary_cross_entropy_with_logits_sum(x, t), pb(&d, x, t))
        }
    };
    assert_eq!(value, plain, "{loss:?}: the rule's value is the function's");
    (value, (gx.unwrap(), gt.unwrap()))
}

/// The inputs of a two-tensor loss, as `gradcheck` perturbs them.
type Pairs<D> = (Tensor<f64, D>, Tensor<f64, D>);

fn pair_check<Sh: ShapeBuilder + Clone>(shape: Sh)
where
    Tensor<f64, Sh::Dim>: CheckInput<Grad = Array<f64, Sh::Dim>>,
{
    let x = sample(shape.clone(), -3.0, 3.0, 1);
    let t = sample(shape.clone(), -2.0, 2.0, 5);
    let probs = sample(shape, 0.0, 1.0, 9);
    for (loss, t) in [
        (Pair::Mse, &t),
        (Pair::MseSum, &t),
        (Pair::Bce, &probs),
        (Pair::BceSum, &probs),
    ] {
        let inputs = (Tensor::from(x.clone()), Tensor::from(t.clone()));
        let f = |(x, t): &Pairs<Sh::Dim>| pair_value_and_grads(loss, x, t, 1.0);
        if let Err(e) = gradcheck(f, &inputs) {
            panic!("{loss:?}: {e}");
        }

        let (v64, (gx64, gt64)) = pair_value_and_grads(loss, &inputs.0, &inputs.1, -1.3);
        let x32 = Tensor::from(x.mapv(|v| v as f32));
        let t32 = Tensor::from(t.mapv(|v| v as f32));
        let (v32, (gx32, gt32)) = pair_value_and_grads(loss, &x32, &t32, -1.3);
        assert_close("f32", v32.item(), v64.item());
        assert_all_close("f32", &gx32, &gx64);
        assert_all_close("f32", &gt32, &gt64);
    }
}

#[test]
fn finite_differences_and_f32() {
    ce_check(4, 3, -2.0, 2.0);
    ce_check(1, 5, -2.0, 2.0);
    ce_check(3, 1, -2.0, 2.0);
    ce_check(3, 4, 999.0, 1001.0);
    ce_check(3, 4, -1001.0, -999.0);
    pair_check(5);
    pair_check((2, 3));
    pair_check((2, 1, 2));
    pair_check(IxDyn(&[3, 2]));
}

fn extreme<A: Float>() {
    let c = |v: f64| A::from_f64(v);
    // Row 0: label on the largest logit by 1000: loss ln(1 + e⁻¹⁰⁰⁰ + e⁻²⁰⁰⁰) = 0.
    // Row 1: three equal logits of 1000: ln 3.
    // Row 2: label on the smallest by 2000: ≈ 2000.
    let logits = Tensor::from(
        array![
            [1000.0, 0.0, -1000.0],
            [1000.0, 1000.0, 1000.0],
            [1000.0, 0.0, -1000.0]
        ]
        .mapv(c),
    );
    let labels = [0, 2, 2];
    let loss = cross_entropy_sum(&logits, &labels).item();
    assert_close("ce extreme", loss, 3f64.ln() + 2000.0);
    let mean = cross_entropy(&logits, &labels).item();
    assert_close("ce extreme", mean, (3f64.ln() + 2000.0) / 3.0);
    let (_, pb) = cross_entropy::rule(&logits, &labels, [true, false]);
    let g = pb(&arr0(c(1.0)), &logits, &labels).0.unwrap();
    let third = 1.0 / 3.0;
    let want = array![
        [0.0, 0.0, 0.0],
        [third, third, -2.0 * third],
        [1.0, 0.0, -1.0]
    ] * third;
    assert_all_close("ce extreme grad", &g, &want);

    // Row of all −1000: uniform, ln 2.
    let low = Tensor::from(array![[-1000.0, -1000.0]].mapv(c));
    assert_close("ce low", cross_entropy(&low, &[1]).item(), 2f64.ln());

    // BCE: σ(1000) = 1 and σ(−1000) = 0, to rounding. Losses: right and
    // confident 0, wrong and confident 1000.
    let x = Tensor::from(array![1000.0, 1000.0, -1000.0, -1000.0].mapv(c));
    let t = Tensor::from(array![1.0, 0.0, 0.0, 1.0].mapv(c));
    let loss = binary_cross_entropy_with_logits_sum(&x, &t).item();
    assert_close("bce extreme", loss, 2000.0);
    let (_, pb) = binary_cross_entropy_with_logits_sum::rule(&x, &t, [true, true]);
    let (gx, gt) = pb(&arr0(c(1.0)), &x, &t);
    assert_all_close("bce extreme dx", &gx.unwrap(), &array![0.0, 1.0, 0.0, -1.0]);
    assert_all_close(
        "bce extreme dt",
        &gt.unwrap(),
        &array![-1000.0, -1000.0, 1000.0, 1000.0],
    );
}

#[test]
fn extreme_logits() {
    extreme::<f64>();
    extreme::<f32>();
}

#[test]
fn empty_inputs() {
    // No samples: the mean is 0/0 = NaN as in PyTorch, the sum 0.
    let logits = Tensor::<f64, Ix2>::zeros((0, 3));
    assert!(cross_entropy(&logits, &[]).item().is_nan());
    assert_eq!(cross_entropy_sum(&logits, &[]).item(), 0.0);
    let (_, pb) = cross_entropy::rule(&logits, &[], [true, false]);
    assert_eq!(pb(&arr0(1.0), &logits, &[]).0.unwrap().shape(), &[0, 3]);
    let e = Tensor::<f32, Ix1>::zeros(0);
    assert!(mse(&e, &e).item().is_nan());
    assert_eq!(mse_sum(&e, &e).item(), 0.0);
    assert_eq!(binary_cross_entropy_with_logits_sum(&e, &e).item(), 0.0);
}

#[test]
#[should_panic(
    expected = "cross_entropy: incompatible shapes [3, 4] and [2]: the number of labels differs from the number of rows of the logits"
)]
fn cross_entropy_label_count_panics() {
    cross_entropy(&Tensor::<f64, Ix2>::zeros((3, 4)), &[0, 1]);
}

#[test]
#[should_panic(
    expected = "cross_entropy: incompatible shapes [2, 4] and [2]: every label must be less than the number of classes (the number of columns of the logits)"
)]
fn cross_entropy_label_range_panics() {
    cross_entropy(&Tensor::<f32, Ix2>::zeros((2, 4)), &[1, 4]);
}

#[test]
#[should_panic(
    expected = "cross_entropy_sum: incompatible shapes [1, 2] and [2]: the number of labels"
)]
fn cross_entropy_sum_label_count_panics() {
    cross_entropy_sum(&Tensor::<f64, Ix2>::zeros((1, 2)), &[0, 0]);
}

#[test]
#[should_panic(
    expected = "cross_entropy: incompatible shapes [2, 2] and [2]: every label must be less"
)]
fn cross_entropy_rule_panics() {
    let _ = cross_entropy::rule(&Tensor::<f64, Ix2>::zeros((2, 2)), &[0, 2], [true, false]);
}

#[test]
#[should_panic(expected = "mse: shape mismatch: expected shape [2, 3], found shape [3, 2]")]
fn mse_shape_panics() {
    mse(
        &Tensor::<f64, Ix2>::zeros((2, 3)),
        &Tensor::<f64, Ix2>::zeros((3, 2)),
    );
}

#[test]
#[should_panic(expected = "mse_sum: shape mismatch: expected shape [2], found shape [3]")]
fn mse_sum_rule_shape_panics() {
    let _ = mse_sum::rule(
        &Tensor::<f32, Ix1>::zeros(2),
        &Tensor::<f32, Ix1>::zeros(3),
        [true, true],
    );
}

#[test]
#[should_panic(
    expected = "binary_cross_entropy_with_logits: shape mismatch: expected shape [1, 2, 3], found shape [1, 3, 2]"
)]
fn bce_shape_panics() {
    binary_cross_entropy_with_logits(
        &Tensor::<f64, Ix3>::zeros((1, 2, 3)),
        &Tensor::<f64, Ix3>::zeros((1, 3, 2)),
    );
}

#[test]
#[should_panic(
    expected = "binary_cross_entropy_with_logits_sum: shape mismatch: expected shape [4], found shape [5]"
)]
fn bce_sum_shape_panics() {
    binary_cross_entropy_with_logits_sum(
        &Tensor::<f64, Ix1>::zeros(4),
        &Tensor::<f64, Ix1>::zeros(5),
    );
}

#[test]
fn try_errors() {
    let logits = Tensor::<f64, Ix2>::zeros((2, 3));
    let err = try_cross_entropy(&logits, &[0]).unwrap_err();
    assert!(matches!(
        err,
        Error::IncompatibleShapes { op: "cross_entropy", ref lhs, ref rhs, .. }
            if lhs == &[2, 3] && rhs == &[1]
    ));
    assert!(try_cross_entropy_sum(&logits, &[0, 3]).is_err());
    assert!(try_cross_entropy(&logits, &[2, 0]).is_ok());
    let (a, b) = (Tensor::<f64, Ix1>::zeros(2), Tensor::<f64, Ix1>::zeros(3));
    let want = |op| shape_mismatch(op, &[2], &[3]);
    assert_eq!(try_mse(&a, &b).unwrap_err(), want("mse"));
    assert_eq!(try_mse_sum(&a, &b).unwrap_err(), want("mse_sum"));
    assert_eq!(
        try_binary_cross_entropy_with_logits(&a, &b).unwrap_err(),
        want("binary_cross_entropy_with_logits")
    );
    assert_eq!(
        try_binary_cross_entropy_with_logits_sum(&a, &b).unwrap_err(),
        want("binary_cross_entropy_with_logits_sum")
    );
    assert_eq!(try_mse(&a, &a).unwrap().item(), 0.0);
}
