//! Unit tests of `gradcheck`.

use super::*;
use crate::tensor::Scalar;
use ndarray::{array, Array1, Array2, Ix1, Ix2};

type T1 = Tensor<f64, Ix1>;
type T2 = Tensor<f64, Ix2>;
type Pair<T> = (T, T);

/// f(x, w) = Σ w·x², ∂f/∂x = 2wx, ∂f/∂w = x², for any number of axes.
fn weighted_squares<D: Dimension>(
    x: &Tensor<f64, D>,
    w: &Tensor<f64, D>,
) -> (Scalar<f64>, Pair<Array<f64, D>>) {
    let (x, w) = (x.data(), w.data());
    let value = Scalar::scalar((w * x * x).sum());
    (value, (x * w * 2.0, x * x))
}

#[test]
fn gradcheck_passes_on_weighted_squares_1d() {
    let x = T1::from(array![1.0, -2.0, 0.5]).requires_grad();
    let w = T1::from(array![0.3, 0.7, -1.1]);
    assert_eq!(
        gradcheck(|(x, w)| weighted_squares(x, w), &(x.clone(), w.clone())),
        Ok(())
    );
}

#[test]
fn gradcheck_passes_on_weighted_squares_2d() {
    let x = T2::from(array![[1.0, -2.0, 0.5], [0.1, 3.0, -0.4]]);
    let w = T2::from(array![[0.3, 0.7, -1.1], [2.0, -0.2, 0.9]]);
    assert_eq!(
        gradcheck(|(x, w)| weighted_squares(x, w), &(x.clone(), w.clone())),
        Ok(())
    );
}

#[test]
fn gradcheck_passes_on_a_transposed_input() {
    // A non-standard layout: elements are still numbered row-major.
    let x = T2::from(array![[1.0, -2.0, 0.5], [0.1, 3.0, -0.4]].reversed_axes());
    let w = T2::from(array![[0.3, 0.7], [-1.1, 2.0], [-0.2, 0.9]]);
    assert_eq!(
        gradcheck(|(x, w)| weighted_squares(x, w), &(x.clone(), w.clone())),
        Ok(())
    );
}

#[test]
fn gradcheck_passes_on_a_single_tensor() {
    // f(x) = Σ x³, ∂f/∂x = 3x²
    let f = |x: &T1| {
        let x = x.data();
        (Scalar::scalar(x.mapv(|v| v * v * v).sum()), x * x * 3.0)
    };
    assert_eq!(gradcheck(f, &T1::from(array![0.5, -1.5, 2.0])), Ok(()));
}

#[test]
fn gradcheck_passes_on_a_plain_float() {
    // f(x) = x·exp(x), f'(x) = (1 + x)·exp(x)
    let f = |&x: &f64| (x * x.exp(), (1.0 + x) * x.exp());
    assert_eq!(gradcheck(f, &0.3), Ok(()));
}

#[test]
fn gradcheck_passes_on_a_scalar_tensor_and_a_vec() {
    // f(s, v) = s·Σ v², ∂f/∂s = Σ v², ∂f/∂v = 2sv
    let f = |(s, v): &(Scalar<f64>, Vec<f64>)| {
        let s = s.item();
        let sq: f64 = v.iter().map(|a| a * a).sum();
        let dv: Vec<f64> = v.iter().map(|a| 2.0 * s * a).collect();
        (s * sq, (ndarray::arr0(sq), dv))
    };
    assert_eq!(
        gradcheck(f, &(Scalar::scalar(1.5), vec![0.5, -1.0])),
        Ok(())
    );
}

#[test]
fn gradcheck_passes_with_constant_inputs() {
    // f(x, idx, scale) = scale·Σ_{i ∈ idx} x_i²: ∂f/∂x_i = 2·scale·x_i·(count of i in idx)
    type In = (T1, Vec<usize>, i32, bool);
    let f = |(x, idx, scale, on): &In| {
        let x = x.data();
        let scale = if *on { f64::from(*scale) } else { 0.0 };
        let value: f64 = idx.iter().map(|&i| scale * x[i] * x[i]).sum();
        let mut dx = Array1::zeros(x.len());
        for &i in idx {
            dx[i] += 2.0 * scale * x[i];
        }
        (value, (dx, (), (), ()))
    };
    let inputs: In = (T1::from(array![1.0, 2.0, -0.5]), vec![0, 2, 2], 3, true);
    assert_eq!(gradcheck(f, &inputs), Ok(()));
}

#[test]
fn perturbing_a_tensor_keeps_requires_grad() {
    let mut x = T2::from(array![[1.0, 2.0], [3.0, 4.0]]).requires_grad();
    x.set_element(1, 20.0);
    assert!(x.is_requires_grad());
    assert_eq!(x.data(), &array![[1.0, 20.0], [3.0, 4.0]]);
    // The closure sees requires-grad leaves at every evaluation.
    let f = |x: &T2| {
        assert!(x.is_requires_grad());
        (x.data().sum(), Array2::ones(x.raw_dim()))
    };
    assert_eq!(gradcheck(f, &x), Ok(()));
}

#[test]
fn gradcheck_reports_the_input_and_element_of_a_wrong_gradient() {
    // ∂f/∂w is wrong at element [1, 2] only.
    let f = |(x, w): &(T2, T2)| {
        let (value, (dx, mut dw)) = weighted_squares(x, w);
        dw[[1, 2]] += 0.5;
        (value, (dx, dw))
    };
    let x = T2::from(array![[1.0, -2.0, 0.5], [0.1, 3.0, -0.4]]);
    let w = T2::from(array![[0.3, 0.7, -1.1], [2.0, -0.2, 0.9]]);
    let err = gradcheck(f, &(x, w)).unwrap_err();
    assert_eq!(err.input, 1);
    assert_eq!(err.index, vec![1, 2]);
    assert_eq!(err.output_index, None);
    // x[1, 2]² = 0.16
    assert!((err.analytic - 0.66).abs() < 1e-12);
    assert!((err.numeric - 0.16).abs() < 1e-6);
    let message = err.to_string();
    assert!(
        message
            .starts_with("gradcheck failed for input 1 at element [1, 2]: analytic gradient 0.66"),
        "{message}"
    );
    assert!(
        message.ends_with("(eps 1e-6, atol 1e-5, rtol 1e-3)"),
        "{message}"
    );
}

#[test]
fn gradcheck_reports_the_first_wrong_element() {
    // ∂f/∂x is missing its factor 2: every element is wrong, [0] is reported.
    let f = |(x, w): &(T1, T1)| {
        let (value, (dx, dw)) = weighted_squares(x, w);
        (value, (dx / 2.0, dw))
    };
    let x = T1::from(array![1.0, -2.0, 0.5]);
    let w = T1::from(array![0.3, 0.7, -1.1]);
    let err = gradcheck(f, &(x, w)).unwrap_err();
    assert_eq!((err.input, err.index.clone()), (0, vec![0]));
    assert!(err
        .to_string()
        .starts_with("gradcheck failed for input 0 at element [0]:"));
}

#[test]
fn gradcheck_counts_constant_inputs_in_positions() {
    // The float after the index list is input 2.
    let f = |(x, _n, y): &(f64, Vec<usize>, f64)| (x * y, (*y, (), 2.0 * *x));
    let err = gradcheck(f, &(2.0, vec![1, 2], 3.0)).unwrap_err();
    assert_eq!((err.input, err.index.clone()), (2, vec![]));
    assert_eq!(err.analytic, 4.0);
    assert!(err
        .to_string()
        .starts_with("gradcheck failed for input 2 at element []:"));
}

#[test]
fn gradcheck_fails_on_a_nan_gradient() {
    let f = |&x: &f64| (x * x, f64::NAN);
    let err = gradcheck(f, &1.0).unwrap_err();
    assert!(err.analytic.is_nan());
}

#[test]
fn tolerances_decide() {
    // f(x) = x with an analytic gradient off by 1e-4: accepted by default
    // (1e-4 <= 1e-5 + 1e-3·1), rejected with rtol 1e-5 (1e-4 > 1e-5 + 1e-5·1).
    let f = |&x: &f64| (x, 1.0 + 1e-4);
    assert_eq!(gradcheck(f, &0.0), Ok(()));
    let strict = GradcheckOptions {
        rtol: 1e-5,
        ..Default::default()
    };
    let err = gradcheck_with(strict, f, &0.0).unwrap_err();
    assert_eq!(err.options, strict);
    assert!(err
        .to_string()
        .ends_with("(eps 1e-6, atol 1e-5, rtol 1e-5)"));
}

#[test]
#[should_panic(expected = "input 1 has shape [2] but the input has shape [3]")]
fn gradcheck_panics_on_a_gradient_of_the_wrong_shape() {
    let f = |(x, w): &(T1, T1)| {
        let (value, (dx, _)) = weighted_squares(x, w);
        (value, (dx, array![0.0, 0.0]))
    };
    let x = T1::from(array![1.0, -2.0, 0.5]);
    let _ = gradcheck(f, &(x.clone(), x));
}

/// y = [Σ w·x, Σ w·x²] for x, w of one axis:
/// J_x = [[w], [2wx]], J_w = [[x], [x²]], so vᵀJ_x = v₀w + 2v₁wx, vᵀJ_w = v₀x + v₁x².
fn two_outputs(x: &T1, w: &T1) -> T1 {
    let (x, w) = (x.data(), w.data());
    Tensor::from(array![(w * x).sum(), (w * x * x).sum()])
}

fn two_outputs_vjp(x: &T1, w: &T1, v: &Array1<f64>) -> (Array1<f64>, Array1<f64>) {
    let (x, w) = (x.data(), w.data());
    (w * v[0] + w * x * 2.0 * v[1], x * v[0] + x * x * v[1])
}

#[test]
fn gradcheck_vjp_passes_on_two_outputs() {
    let x = T1::from(array![1.0, -2.0, 0.5]);
    let w = T1::from(array![0.3, 0.7, -1.1]);
    assert_eq!(
        gradcheck_vjp(
            |(x, w)| two_outputs(x, w),
            |(x, w), v| two_outputs_vjp(x, w, v),
            &(x, w)
        ),
        Ok(())
    );
}

#[test]
fn gradcheck_vjp_reports_the_output_element() {
    // The second row of J_x is missing its factor 2 (wx instead of 2wx).
    let vjp = |(x, w): &(T1, T1), v: &Array1<f64>| {
        let (dx, dw) = two_outputs_vjp(x, w, v);
        (dx - w.data() * x.data() * v[1], dw)
    };
    let x = T1::from(array![1.0, -2.0, 0.5]);
    let w = T1::from(array![0.3, 0.7, -1.1]);
    let err = gradcheck_vjp(|(x, w)| two_outputs(x, w), vjp, &(x, w)).unwrap_err();
    assert_eq!(err.input, 0);
    assert_eq!(err.index, vec![0]);
    assert_eq!(err.output_index, Some(vec![1]));
    // w₀x₀ = 0.3 analytic, 2w₀x₀ = 0.6 numeric
    assert!((err.analytic - 0.3).abs() < 1e-12);
    assert!((err.numeric - 0.6).abs() < 1e-6);
    let message = err.to_string();
    assert!(
        message.starts_with(
            "gradcheck failed for input 0 at element [0] of output element [1]: analytic Jacobian entry 0.3"
        ),
        "{message}"
    );
}

#[test]
fn gradcheck_vjp_on_a_matrix_output() {
    // y = x ⊗ a (outer product with a constant a): ∂y_ik/∂x_j = δ_ij a_k, vᵀJ = v·a
    let a = array![1.0, -1.0, 2.0];
    let value = |x: &T1| {
        let x = x.data();
        let y = Array2::from_shape_fn((x.len(), a.len()), |(i, k)| x[i] * a[k]);
        Tensor::from(y)
    };
    let vjp = |_: &T1, v: &Array2<f64>| v.dot(&a);
    let x = T1::from(array![0.5, 2.0]);
    assert_eq!(gradcheck_vjp(value, vjp, &x), Ok(()));
    // Dropping the last column of a: the first wrong entry is y[0, 2] w.r.t. x[0].
    let wrong = |_: &T1, v: &Array2<f64>| v.dot(&array![1.0, -1.0, 0.0]);
    let err = gradcheck_vjp(value, wrong, &x).unwrap_err();
    assert_eq!(
        (err.input, err.index.clone(), err.output_index.clone()),
        (0, vec![0], Some(vec![0, 2]))
    );
}

#[test]
fn unravel_is_row_major() {
    assert_eq!(unravel(0, &[]), Vec::<usize>::new());
    assert_eq!(unravel(5, &[2, 3]), vec![1, 2]);
    assert_eq!(unravel(7, &[2, 2, 2]), vec![1, 1, 1]);
}
