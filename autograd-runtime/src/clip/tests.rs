//! `clip_grad_norm` on hand-computed examples, and on cases whose results
//! were printed by PyTorch 2.15 (`torch.nn.utils.clip_grad_norm_` on
//! parameters with hand-set `.grad`).

use ndarray::{array, Array1, Array2};

use super::*;
use crate::optim::testing::Model;
use crate::tensor::Tensor;

fn model<A: Float>(w: Option<Array2<f64>>, b: Option<Array1<f64>>) -> Model<A> {
    let m = Model {
        w: Tensor::zeros((2, 2)),
        b: Tensor::zeros(2),
    };
    if let Some(w) = w {
        m.w.accumulate_grad(w.mapv(A::from_f64));
    }
    if let Some(b) = b {
        m.b.accumulate_grad(b.mapv(A::from_f64));
    }
    m
}

#[test]
fn the_published_formula_on_a_hand_computed_example() {
    // Gradients w = [[2, −1], [0, 4]], b = [2, −2]:
    // total = √(4 + 1 + 0 + 16 + 4 + 4) = √29 ≈ 5.385;
    // with max_norm 2, c = 2 / (√29 + 1e-6) < 1, so every element is scaled by c.
    let (gw, gb) = (array![[2.0, -1.0], [0.0, 4.0]], array![2.0, -2.0]);
    let m = model::<f64>(Some(gw.clone()), Some(gb.clone()));
    let total = clip_grad_norm(&m, 2.0);
    assert_eq!(total, 29f64.sqrt());
    let c = 2.0 / (29f64.sqrt() + 1e-6);
    assert_eq!(m.w.grad().unwrap(), gw.mapv(|g| g * c));
    assert_eq!(m.b.grad().unwrap(), gb.mapv(|g| g * c));
    // The clipped norm is max_norm · total / (total + 1e-6), just below 2.
    let after = total_grad_norm(&m);
    assert!(after < 2.0 && (after - 2.0).abs() < 1e-6, "{after}");

    // With max_norm ≥ total + 1e-6 the factor is at least 1: nothing changes.
    let m = model::<f64>(Some(gw.clone()), Some(gb.clone()));
    assert_eq!(clip_grad_norm(&m, 6.0), 29f64.sqrt());
    assert_eq!((m.w.grad().unwrap(), m.b.grad().unwrap()), (gw, gb));
}

#[test]
fn matches_pytorch() {
    // Gradients (3, 0) and (4): total 5.
    let cases: [(f64, [f64; 3]); 4] = [
        (1.0, [0.599999880000024, 0.0, 0.799999840000032]),
        // 5 / (5 + 1e-6) is just below 1, so even max_norm = total scales.
        (5.0, [2.99999940000012, 0.0, 3.99999920000016]),
        (10.0, [3.0, 0.0, 4.0]),
        (0.0, [0.0, 0.0, 0.0]),
    ];
    for (max_norm, pytorch) in cases {
        // PyTorch's two parameters, [3, 0] and [4], padded with zeros to the
        // model's shapes (zeros change neither the norm nor the factor).
        let m = model::<f64>(Some(array![[3.0, 0.0], [0.0, 0.0]]), Some(array![4.0, 0.0]));
        assert_eq!(clip_grad_norm(&m, max_norm), 5.0);
        let (gw, gb) = (m.w.grad().unwrap(), m.b.grad().unwrap());
        let found = [gw[[0, 0]], gw[[0, 1]], gb[0]];
        for (f, p) in found.iter().zip(&pytorch) {
            assert!(
                (f - p).abs() <= 1e-15 * p.abs(),
                "max_norm {max_norm}: {f} vs {p}"
            );
        }
    }

    // In f32 PyTorch's factor is an f32, as here: the same f32 results.
    let m = model::<f32>(Some(array![[3.0, 0.0], [0.0, 0.0]]), Some(array![4.0, 0.0]));
    assert_eq!(clip_grad_norm(&m, 1.0), 5.0);
    assert_eq!(m.w.grad().unwrap()[[0, 0]], 0.599_999_9_f32);
    assert_eq!(m.b.grad().unwrap()[0], 0.799_999_83_f32);
}

#[test]
fn leaves_without_a_gradient_are_skipped() {
    // Only b has a gradient, (6, 8): total 10, and w stays None.
    let m = model::<f64>(None, Some(array![6.0, 8.0]));
    assert_eq!(clip_grad_norm(&m, 5.0), 10.0);
    assert!(m.w.grad().is_none());
    let c = 5.0 / (10.0 + 1e-6);
    assert_eq!(m.b.grad().unwrap(), array![6.0 * c, 8.0 * c]);
    // No gradients at all: the norm is 0 and nothing appears.
    let m = model::<f32>(None, None);
    assert_eq!(clip_grad_norm(&m, 1.0), 0.0);
    assert!(m.w.grad().is_none() && m.b.grad().is_none());
}

#[test]
fn non_finite_norms_scale_as_pytorch_or_are_refused() {
    // NaN: every gradient becomes NaN (PyTorch: [[nan, nan], [nan]]).
    let m = model::<f64>(
        Some(array![[3.0, f64::NAN], [0.0, 0.0]]),
        Some(array![4.0, 0.0]),
    );
    assert!(clip_grad_norm(&m, 1.0).is_nan());
    assert!(m
        .w
        .grad()
        .unwrap()
        .iter()
        .chain(&m.b.grad().unwrap())
        .all(|v| v.is_nan()));
    // inf: the factor is 0, and 0·inf is NaN (PyTorch: [[0, nan], [0]]).
    let m = model::<f64>(
        Some(array![[3.0, f64::INFINITY], [0.0, 0.0]]),
        Some(array![4.0, 0.0]),
    );
    assert_eq!(clip_grad_norm(&m, 1.0), f64::INFINITY);
    let gw = m.w.grad().unwrap();
    assert_eq!((gw[[0, 0]], m.b.grad().unwrap()[0]), (0.0, 0.0));
    assert!(gw[[0, 1]].is_nan());

    // try_: an error, and the gradients are untouched.
    let gw = array![[3.0, f64::INFINITY], [0.0, 0.0]];
    let m = model::<f64>(Some(gw.clone()), Some(array![4.0, 0.0]));
    assert_eq!(
        try_clip_grad_norm(&m, 1.0),
        Err(ClipError::NonFiniteNorm {
            total_norm: f64::INFINITY
        })
    );
    assert_eq!(m.w.grad().unwrap(), gw);
    let m = model::<f32>(Some(array![[f64::NAN, 0.0], [0.0, 0.0]]), None);
    let err = try_clip_grad_norm(&m, 1.0).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("clip_grad_norm: the total norm of the gradients is NaN"));
    // Finite: the same as clip_grad_norm.
    let m = model::<f64>(None, Some(array![6.0, 8.0]));
    assert_eq!(try_clip_grad_norm(&m, 5.0), Ok(10.0));
    assert!(m.b.grad().unwrap()[0] < 3.0);
}

#[test]
fn f32_squares_are_summed_in_f64() {
    // (3e30)² overflows f32 (PyTorch's f32 norm is inf); the f64 sum is 25e60.
    let m = model::<f32>(None, Some(array![3e30, 4e30]));
    let total = clip_grad_norm(&m, 1.0);
    assert!((total / 5e30 - 1.0).abs() < 1e-7, "{total}");
    let g = m.b.grad().unwrap();
    assert!(
        (g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6,
        "{g}"
    );
}
