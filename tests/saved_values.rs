//! What the generated forward pass keeps for the backward pass: only what
//! the derivative rules read, and per iteration only inside loops.
//! `f::__AD_SAVED` lists every saved value, one line each.

use autograd::prelude::*;

/// A scalar recurrence.
#[differentiable]
fn recurrence(x: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        let a = y * 0.5;
        y = a.sin() + x * 0.001;
    }
    y
}

/// An unrolled tanh RNN cell.
#[differentiable]
fn rnn(h0: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix2>, steps: usize) -> Scalar<f64> {
    let mut h = h0.clone();
    for _ in 0..steps {
        let a = h.matmul(w);
        h = a.tanh();
    }
    h.sum()
}

/// Straight-line code keeps only what the rules read, in place (no copies).
#[differentiable]
fn straight(x: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let y = (x * w).exp();
    (&y + x).sum()
}

#[test]
fn recurrence_saves_only_what_sin_reads() {
    for line in recurrence::__AD_SAVED {
        println!("{line}");
    }
    // `y * 0.5` reads the literal (bound once, read in place) and the shape
    // of `y`; `sin` reads its input `a`, a new value every iteration;
    // `x * 0.001` reads the literal and `x` in place; `+` reads only shapes.
    assert_eq!(
        recurrence::__AD_SAVED,
        &[
            "shape of `y` read by `mul` (per iteration)",
            "value `a` read by `sin` (per iteration)",
            "shape of `tmp_sin` read by `add` (per iteration)",
            "shape of `tmp_mul_2` read by `add` (per iteration)",
        ][..]
    );
    // The shape of a float is zero-sized: a stack of them never allocates,
    // so the only bytes kept per iteration are the 8 of `a`.
    assert_eq!(std::mem::size_of::<autograd::Meta<f64>>(), 0);
}

#[test]
fn rnn_saves_the_state_once_per_step() {
    for line in rnn::__AD_SAVED {
        println!("{line}");
    }
    // tanh's backward reads its output, the new `h`, saved every step;
    // matmul's reads the `h` a step starts from (its value and shape), which
    // is the output the step before saved (or, for the first step, `h`
    // before the loop): nothing more is saved for it. W is read in place;
    // sum reads the final shape, kept in place.
    assert_eq!(
        rnn::__AD_SAVED,
        &[
            "output `h` read by `tanh` (per iteration)",
            "value of `h` before the loop, read as the previous iteration's (once)",
        ][..]
    );
    // And the gradients are those of the same recurrence written out.
    let h0 = Tensor::from(autograd::ndarray::array![0.2, -0.4, 0.9]);
    let w = Tensor::from(autograd::ndarray::array![
        [0.5, -0.3, 0.1],
        [0.2, 0.8, -0.6],
        [-0.7, 0.4, 0.3]
    ]);
    let (v, (gh0, gw, ())) = rnn::value_and_grad(&h0, &w, 3);
    let (v2, (gh2, gw2)) = unrolled::value_and_grad(&h0, &w);
    assert!((v.item() - v2.item()).abs() < 1e-12);
    assert!(gh0.iter().zip(&gh2).all(|(a, b)| (a - b).abs() < 1e-12));
    assert!(gw.iter().zip(&gw2).all(|(a, b)| (a - b).abs() < 1e-12));
}

/// The RNN above with three steps written out (no loop).
#[differentiable]
fn unrolled(h0: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let h1 = h0.matmul(w).tanh();
    let h2 = h1.matmul(w).tanh();
    let h3 = h2.matmul(w).tanh();
    h3.sum()
}

#[test]
fn straight_line_code_keeps_only_what_rules_read() {
    // exp's backward reads its output `y`; `x * w` reads x and w (parameters,
    // passed again to the pullback, not kept); `+` and `sum` read shapes.
    assert_eq!(straight::__AD_SAVED, &["value `y` (kept in place)"][..]);
}

/// Rows of an input read in a loop: the row is not saved, only its index;
/// the backward takes the row again from the input.
#[differentiable]
fn rows(
    #[no_grad] xs: &Tensor<f64, Ix2>,
    w: &Tensor<f64, Ix1>,
    v: &Tensor<f64, Ix2>,
) -> Scalar<f64> {
    let mut acc = w.clone();
    for i in 0..xs.shape()[0] {
        let x_i = xs.index_axis(Axis(0), i);
        let v_i = v.index_axis(Axis(0), i);
        acc = (acc * &x_i + &v_i).tanh();
    }
    acc.sum()
}

#[test]
fn views_of_inputs_are_recomputed_not_saved() {
    let saved = rows::__AD_SAVED;
    assert!(
        saved.contains(&"constant `i` to recompute `x_i` (per iteration)"),
        "{saved:?}"
    );
    assert!(
        !saved.iter().any(|l| l.contains("value `x_i`")),
        "{saved:?}"
    );
    let xs = Tensor::from(autograd::ndarray::array![
        [0.5, -1.0],
        [2.0, 0.25],
        [-0.7, 1.1]
    ]);
    let w = Tensor::from(autograd::ndarray::array![0.3, -0.8]);
    let v = Tensor::from(autograd::ndarray::array![
        [0.1, 0.2],
        [-0.3, 0.4],
        [0.5, -0.6]
    ]);
    autograd::gradcheck(
        |(w, v)| {
            let (value, (_, gw, gv)) = rows::value_and_grad(&xs, w, v);
            (value, (gw, gv))
        },
        &(w.clone(), v.clone()),
    )
    .unwrap();
}

/// A carried state read before its update (the step's start value) and
/// after it (the new value), in the same iteration.
#[allow(clippy::assign_op_pattern)]
#[differentiable]
fn carried_reads(x0: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix1>, n: usize) -> Scalar<f64> {
    let mut h = x0.clone();
    let mut acc = x0 * 0.0;
    for _ in 0..n {
        let before = &h * w;
        h = (before + 0.1).exp();
        acc = acc + &h * w;
    }
    acc.sum() + h.sum()
}

#[test]
fn carried_state_read_before_and_after_its_update() {
    assert!(carried_reads::__AD_SAVED
        .iter()
        .any(|l| l.contains("before the loop")));
    assert!(!carried_reads::__AD_SAVED
        .iter()
        .any(|l| l.starts_with("value `h` read")));
    let x0 = Tensor::from(autograd::ndarray::array![0.3, -0.2]);
    let w = Tensor::from(autograd::ndarray::array![0.4, 0.7]);
    for n in [0, 1, 4] {
        autograd::gradcheck(
            |(x0, w)| {
                let (v, (gx, gw, ())) = carried_reads::value_and_grad(x0, w, n);
                (v, (gx, gw))
            },
            &(x0.clone(), w.clone()),
        )
        .unwrap();
    }
}
