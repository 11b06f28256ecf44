//! Loss functions, as in `torch.nn.functional`, with their derivative rules:
//! [`cross_entropy`](fn@cross_entropy), [`mse`](fn@mse) and [`binary_cross_entropy_with_logits`](fn@binary_cross_entropy_with_logits), each
//! with the reduction `'mean'` (the default) and `'sum'` (the `_sum` twins).
//!
//! Every loss is a plain function (the value) plus a module of the same name
//! holding its `rule`, so `#[differentiable]` code calls it like any other
//! differentiable function and the gradient flows through it:
//!
//! ```
//! use autograd::prelude::*;
//! use autograd::cross_entropy;
//! use autograd::ndarray::array;
//!
//! /// A linear classifier's loss: logits = x·w.
//! #[differentiable]
//! fn loss(w: &Tensor<f64, Ix2>, x: &Tensor<f64, Ix2>, labels: &[usize]) -> Scalar<f64> {
//!     cross_entropy(&x.matmul(w), labels)
//! }
//!
//! fn main() {
//!     let w = Tensor::from(array![[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]]).requires_grad();
//!     let x = Tensor::from(array![[1.0, 2.0], [-1.0, 0.5]]);
//!     let graph = loss::forward(&w, &x, &[2, 0]);
//!     assert!(graph.item() > 0.0);
//!     graph.backward();
//!     assert_eq!(w.grad().unwrap().shape(), &[2, 3]);
//!
//!     // The rule agrees with finite differences.
//!     autograd::gradcheck(|w: &Tensor<f64, Ix2>| {
//!         let (value, (dw, _, _)) = loss::value_and_grad(w, &x, &[2, 0]);
//!         (value, dw)
//!     }, &w).unwrap();
//! }
//! ```
//!
//! The pullbacks take the arguments again, as the calling protocol provides
//! them, so they keep no copy of the inputs: [`mse`](fn@mse) and
//! [`binary_cross_entropy_with_logits`](fn@binary_cross_entropy_with_logits) save nothing, [`cross_entropy`](fn@cross_entropy) two
//! numbers per row (the shift and the sum of its log-sum-exp).
//!
//! On an empty input the mean is NaN (0/0), as in PyTorch, and the sum 0.

use ndarray::{Array, Array0, Array2, ArrayView1, Dimension, Ix2, Zip};

use crate::error::{or_panic, shape_mismatch, Error};
use crate::float::Float;
use crate::ops::unary::FloatExt;
use crate::tensor::{Scalar, Tensor};

/// How the per-element losses are combined.
#[derive(Clone, Copy, Debug)]
enum Reduction {
    Mean,
    Sum,
}

impl Reduction {
    /// The loss from the sum of the per-element losses over `n` elements.
    fn reduce<A: Float>(self, total: A, n: usize) -> A {
        match self {
            Reduction::Mean => total / A::from_usize(n),
            Reduction::Sum => total,
        }
    }

    /// The factor of each element's gradient for the output gradient `d`.
    fn scale<A: Float>(self, d: A, n: usize) -> A {
        self.reduce(d, n)
    }
}

/// Checks that two tensors have the same shape.
fn check_same_shape(op: &'static str, input: &[usize], target: &[usize]) -> Result<(), Error> {
    if input == target {
        Ok(())
    } else {
        Err(shape_mismatch(op, input, target))
    }
}

/// Defines the public items of a loss with one reduction, on top of the
/// implementation both reductions share, which takes the name of the op (for
/// error messages: the function's name) and the [`Reduction`]:
///
/// * `fn $name`: the loss, panicking where `$try_name` returns an error;
/// * `fn $try_name`: `$loss(op, $a, $b, $reduction)`;
/// * `mod $module` (named as the function): `rule($a, $b, needs)`, which is
///   `$rule(op, $a, $b, $reduction, needs)`: the value and the pullback
///   `(&output_gradient, $a, $b) -> $grads`, the calling protocol of
///   `#[differentiable]`.
///
/// The documentation of each item is written at the call.
macro_rules! loss {
    (
        $(#[$doc:meta])*
        pub fn $name:ident<$($g:ident: $bound:path),+>($a:ident: $ta:ty, $b:ident: $tb:ty)
            with $reduction:path;
        $(#[$try_doc:meta])*
        pub fn $try_name:ident = $loss:ident;
        $(#[$module_doc:meta])*
        pub mod $module:ident {
            $(#[$rule_doc:meta])*
            pub fn rule = $rule:ident -> $grads:ty;
        }
    ) => {
        $(#[$doc])*
        #[track_caller]
        pub fn $name<$($g: $bound),+>($a: $ta, $b: $tb) -> Scalar<A> {
            or_panic($try_name($a, $b))
        }

        $(#[$try_doc])*
        pub fn $try_name<$($g: $bound),+>($a: $ta, $b: $tb) -> Result<Scalar<A>, Error> {
            $loss(stringify!($name), $a, $b, $reduction)
        }

        $(#[$module_doc])*
        pub mod $module {
            use super::*;

            $(#[$rule_doc])*
            #[allow(clippy::type_complexity)]
            #[track_caller]
            pub fn rule<$($g: $bound),+>(
                $a: $ta,
                $b: $tb,
                needs: [bool; 2],
            ) -> (Scalar<A>, impl FnOnce(&Array0<A>, $ta, $tb) -> $grads) {
                $rule(stringify!($name), $a, $b, $reduction, needs)
            }
        }
    };
}

// ---------------------------------------------------------------------------
// Cross-entropy
// ---------------------------------------------------------------------------

/// Checks that there is one label per row of `logits`, each a column of it.
fn check_labels(op: &'static str, shape: &[usize], labels: &[usize]) -> Result<(), Error> {
    let (rows, classes) = (shape[0], shape[1]);
    let reason = if labels.len() != rows {
        "the number of labels differs from the number of rows of the logits"
    } else if labels.iter().any(|&label| label >= classes) {
        "every label must be less than the number of classes (the number of columns of the logits)"
    } else {
        return Ok(());
    };
    Err(Error::IncompatibleShapes {
        op,
        lhs: shape.to_vec(),
        rhs: vec![labels.len()],
        reason,
    })
}

/// The shift `m` of a row (its maximum, or 0 if that is infinite, so that
/// the exponents are `≤ 0`) and `s = Σⱼ e^(xⱼ − m)`: the row's log-sum-exp
/// is `m + ln s`.
fn row_shift_and_sum<A: Float>(row: &ArrayView1<'_, A>) -> (A, A) {
    let max = row
        .iter()
        .fold(A::neg_infinity(), |m, &v| if v > m { v } else { m });
    let m = if max.is_finite() { max } else { A::zero() };
    let s = row.iter().fold(A::zero(), |s, &v| s + (v - m).exp());
    (m, s)
}

/// Per row of the logits, the shift `m` and the sum `s` of its log-sum-exp
/// (see [`row_shift_and_sum`]).
type RowStats<A> = Vec<(A, A)>;

/// The loss and, per row, the shift and sum of its log-sum-exp.
fn cross_entropy_forward<A: Float>(
    op: &'static str,
    logits: &Tensor<A, Ix2>,
    labels: &[usize],
    reduction: Reduction,
) -> Result<(Scalar<A>, RowStats<A>), Error> {
    check_labels(op, logits.shape(), labels)?;
    let stats: RowStats<A> = logits
        .data()
        .rows()
        .into_iter()
        .map(|row| row_shift_and_sum(&row))
        .collect();
    // −log softmax(x)[l] = ln s − (x_l − m): the difference x_l − m is exact
    // where the logits are large, so the loss keeps its precision.
    let total = Zip::from(logits.data().rows())
        .and(&ndarray::ArrayView1::from(labels))
        .and(&ndarray::ArrayView1::from(&stats[..]))
        .fold(A::zero(), |acc, row, &label, &(m, s)| {
            acc + (s.ln() - (row[label] - m))
        });
    let value = Tensor::scalar(reduction.reduce(total, labels.len()));
    Ok((value, stats))
}

/// `(softmax(x) − onehot(labels))·scale`, from the saved shifts and sums.
fn cross_entropy_grad<A: Float>(
    logits: &Tensor<A, Ix2>,
    labels: &[usize],
    stats: &[(A, A)],
    scale: A,
) -> Array2<A> {
    let mut g = Array2::zeros(logits.raw_dim());
    Zip::from(g.rows_mut())
        .and(logits.data().rows())
        .and(&ndarray::ArrayView1::from(labels))
        .and(&ndarray::ArrayView1::from(stats))
        .for_each(|mut g, x, &label, &(m, s)| {
            Zip::from(&mut g)
                .and(&x)
                .for_each(|g, &x| *g = (x - m).exp() / s * scale);
            g[label] -= scale;
        });
    g
}

/// The rule shared by both reductions.
#[allow(clippy::type_complexity)]
#[track_caller]
fn cross_entropy_rule<A: Float>(
    op: &'static str,
    logits: &Tensor<A, Ix2>,
    labels: &[usize],
    reduction: Reduction,
    needs: [bool; 2],
) -> (
    Scalar<A>,
    impl FnOnce(&Array0<A>, &Tensor<A, Ix2>, &[usize]) -> (Option<Array2<A>>, ()),
) {
    let (value, stats) = or_panic(cross_entropy_forward(op, logits, labels, reduction));
    let stats = needs[0].then_some(stats);
    (value, move |d, logits, labels| {
        let g = stats.map(|stats| {
            let scale = reduction.scale(d[()], labels.len());
            cross_entropy_grad(logits, labels, &stats, scale)
        });
        (g, ())
    })
}

/// The loss alone.
fn cross_entropy_value<A: Float>(
    op: &'static str,
    logits: &Tensor<A, Ix2>,
    labels: &[usize],
    reduction: Reduction,
) -> Result<Scalar<A>, Error> {
    cross_entropy_forward(op, logits, labels, reduction).map(|(value, _)| value)
}

loss! {
    /// The cross-entropy of a batch of logits and class labels, averaged over
    /// the batch: `(1/N) Σᵢ −log softmax(logitsᵢ)[labelsᵢ]` (PyTorch's
    /// `F.cross_entropy(logits, labels)`).
    ///
    /// `logits` has shape `(N, C)`: one row of unnormalized scores per sample,
    /// one column per class; `labels[i]` is the class of sample `i`. The
    /// log-sum-exp of each row is computed with its maximum subtracted, so the
    /// loss is finite for logits of any finite size.
    ///
    /// The gradient with respect to the logits is `(softmax(logits) − onehot(labels))/N`;
    /// the labels have none. The rule is [`cross_entropy::rule`](mod@cross_entropy).
    ///
    /// # Panics
    /// If `labels.len()` is not the number of rows, or a label is not less than
    /// the number of columns; the message names both shapes. See
    /// [`try_cross_entropy`].
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::cross_entropy;
    /// use autograd::ndarray::array;
    ///
    /// // Uniform scores over 4 classes: −ln(1/4) = ln 4 whatever the label.
    /// let logits = Tensor::from(array![[0.0, 0.0, 0.0, 0.0], [1000.0, 1000.0, 1000.0, 1000.0]]);
    /// let loss: Scalar<f64> = cross_entropy(&logits, &[3, 0]);
    /// assert!((loss.item() - 4f64.ln()).abs() < 1e-12);
    /// ```
    pub fn cross_entropy<A: Float>(logits: &Tensor<A, Ix2>, labels: &[usize])
        with Reduction::Mean;

    /// Like [`cross_entropy`](fn@cross_entropy), returning [`Error::IncompatibleShapes`] instead of
    /// panicking when the labels do not fit the logits.
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::try_cross_entropy;
    ///
    /// let logits = Tensor::<f64, Ix2>::zeros((2, 3));
    /// let err = try_cross_entropy(&logits, &[0, 3]).unwrap_err();
    /// assert!(err.to_string().starts_with("cross_entropy: incompatible shapes [2, 3] and [2]"));
    /// ```
    pub fn try_cross_entropy = cross_entropy_value;

    /// The derivative rule of [`cross_entropy`](fn@cross_entropy), in the
    /// calling protocol of `#[differentiable]`.
    pub mod cross_entropy {
        /// The loss and its pullback: `pullback(&d, logits, labels)` returns
        /// `(Some(d·(softmax(logits) − onehot(labels))/N), ())`, or `None` for
        /// the logits when `needs[0]` is false. Only the per-row shift and sum of
        /// the log-sum-exp are kept (when `needs[0]`).
        ///
        /// # Panics
        /// As [`cross_entropy`](fn@super::cross_entropy).
        ///
        /// ```
        /// use autograd::ndarray::{arr0, array};
        /// use autograd::prelude::*;
        /// use autograd::cross_entropy;
        ///
        /// // Two equal logits: loss ln 2, gradient [1/2 − 1, 1/2].
        /// let logits = Tensor::from(array![[0.0, 0.0]]);
        /// let (loss, pullback) = cross_entropy::rule(&logits, &[0], [true, false]);
        /// assert!((loss.item() - 2f64.ln()).abs() < 1e-12);
        /// let (g, ()) = pullback(&arr0(1.0), &logits, &[0]);
        /// assert_eq!(g.unwrap(), array![[-0.5, 0.5]]);
        /// ```
        pub fn rule = cross_entropy_rule -> (Option<Array2<A>>, ());
    }
}

loss! {
    /// The cross-entropy summed over the batch:
    /// `Σᵢ −log softmax(logitsᵢ)[labelsᵢ]` (PyTorch's
    /// `F.cross_entropy(logits, labels, reduction='sum')`). The gradient is
    /// `softmax(logits) − onehot(labels)`. See [`cross_entropy`](fn@cross_entropy).
    ///
    /// # Panics
    /// As [`cross_entropy`](fn@cross_entropy); see [`try_cross_entropy_sum`].
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::cross_entropy_sum;
    /// use autograd::ndarray::array;
    ///
    /// let logits = Tensor::from(array![[0.0f32, 0.0], [0.0, 0.0]]);
    /// let loss = cross_entropy_sum(&logits, &[0, 1]);
    /// assert!((loss.item() - 2.0 * 2f32.ln()).abs() < 1e-6);
    /// ```
    pub fn cross_entropy_sum<A: Float>(logits: &Tensor<A, Ix2>, labels: &[usize])
        with Reduction::Sum;

    /// Like [`cross_entropy_sum`](fn@cross_entropy_sum), returning [`Error::IncompatibleShapes`]
    /// instead of panicking when the labels do not fit the logits.
    pub fn try_cross_entropy_sum = cross_entropy_value;

    /// The derivative rule of [`cross_entropy_sum`](fn@cross_entropy_sum), in
    /// the calling protocol of `#[differentiable]`.
    pub mod cross_entropy_sum {
        /// The loss and its pullback: `pullback(&d, logits, labels)` returns
        /// `(Some(d·(softmax(logits) − onehot(labels))), ())`, or `None` for the
        /// logits when `needs[0]` is false.
        ///
        /// # Panics
        /// As [`cross_entropy_sum`](fn@super::cross_entropy_sum).
        pub fn rule = cross_entropy_rule -> (Option<Array2<A>>, ());
    }
}

// ---------------------------------------------------------------------------
// Mean squared error
// ---------------------------------------------------------------------------

/// The loss of `mse` and `mse_sum`.
fn squared_error<A: Float, D: Dimension>(
    op: &'static str,
    input: &Tensor<A, D>,
    target: &Tensor<A, D>,
    reduction: Reduction,
) -> Result<Scalar<A>, Error> {
    check_same_shape(op, input.shape(), target.shape())?;
    let total = Zip::from(input.data())
        .and(target.data())
        .fold(A::zero(), |acc, &x, &t| acc + (x - t) * (x - t));
    Ok(Tensor::scalar(reduction.reduce(total, input.len())))
}

/// The rule shared by both reductions.
#[allow(clippy::type_complexity)]
#[track_caller]
fn squared_error_rule<A: Float, D: Dimension>(
    op: &'static str,
    input: &Tensor<A, D>,
    target: &Tensor<A, D>,
    reduction: Reduction,
    needs: [bool; 2],
) -> (
    Scalar<A>,
    impl FnOnce(&Array0<A>, &Tensor<A, D>, &Tensor<A, D>) -> (Option<Array<A, D>>, Option<Array<A, D>>),
) {
    let value = or_panic(squared_error(op, input, target, reduction));
    (value, move |d, input, target| {
        if !needs[0] && !needs[1] {
            return (None, None);
        }
        // ∂/∂x (x − t)² = 2(x − t), ∂/∂t = −2(x − t).
        let two = A::one() + A::one();
        let scale = reduction.scale(d[()], input.len()) * two;
        let g = Zip::from(input.data())
            .and(target.data())
            .map_collect(|&x, &t| (x - t) * scale);
        match needs {
            [true, true] => {
                let neg = g.mapv(|v| -v);
                (Some(g), Some(neg))
            }
            [true, false] => (Some(g), None),
            _ => (None, Some(g.mapv_into(|v| -v))),
        }
    })
}

loss! {
    /// The mean squared error: `(1/n) Σ (inputᵢ − targetᵢ)²` over all `n`
    /// elements (PyTorch's `F.mse_loss(input, target)`).
    ///
    /// Both arguments have gradients: `2(input − target)/n` and its negation.
    /// The rule is [`mse::rule`](mod@mse).
    ///
    /// # Panics
    /// If the shapes differ; the message names both. (PyTorch broadcasts here
    /// with a warning; a shape mismatch in a loss is almost always a bug.) See
    /// [`try_mse`].
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::mse;
    /// use autograd::ndarray::array;
    ///
    /// #[differentiable]
    /// fn loss(w: &Tensor<f64, Ix1>, x: &Tensor<f64, Ix2>, y: &Tensor<f64, Ix1>) -> Scalar<f64> {
    ///     mse(&x.matmul(w), y)
    /// }
    ///
    /// fn main() {
    ///     let x = Tensor::from(array![[1.0, 0.0], [0.0, 2.0]]);
    ///     let y = Tensor::from(array![1.0, 1.0]);
    ///     let w = Tensor::from(array![1.0, 1.0]).requires_grad();
    ///     // Predictions [1, 2]: loss (0² + 1²)/2; ∂/∂w = xᵀ·2(xw − y)/2 = [0, 2].
    ///     let graph = loss::forward(&w, &x, &y);
    ///     assert_eq!(graph.item(), 0.5);
    ///     graph.backward();
    ///     assert_eq!(w.grad().unwrap(), array![0.0, 2.0]);
    /// }
    /// ```
    pub fn mse<A: Float, D: Dimension>(input: &Tensor<A, D>, target: &Tensor<A, D>)
        with Reduction::Mean;

    /// Like [`mse`](fn@mse), returning [`Error::ShapeMismatch`] instead of panicking
    /// when the shapes differ.
    pub fn try_mse = squared_error;

    /// The derivative rule of [`mse`](fn@mse), in the calling protocol of
    /// `#[differentiable]`.
    pub mod mse {
        /// The loss and its pullback: `pullback(&d, input, target)` returns
        /// `(Some(2d(input − target)/n), Some(−2d(input − target)/n))`, each
        /// `None` when its `needs` flag is false. Nothing is kept.
        ///
        /// # Panics
        /// As [`mse`](fn@super::mse).
        pub fn rule = squared_error_rule -> (Option<Array<A, D>>, Option<Array<A, D>>);
    }
}

loss! {
    /// The summed squared error: `Σ (inputᵢ − targetᵢ)²` (PyTorch's
    /// `F.mse_loss(input, target, reduction='sum')`); gradients
    /// `2(input − target)` and its negation. See [`mse`](fn@mse).
    ///
    /// # Panics
    /// If the shapes differ; see [`try_mse_sum`].
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::mse_sum;
    /// use autograd::ndarray::array;
    ///
    /// let a = Tensor::from(array![1.0, 2.0]);
    /// let b = Tensor::from(array![0.0, 4.0]);
    /// assert_eq!(mse_sum(&a, &b).item(), 5.0);
    /// ```
    pub fn mse_sum<A: Float, D: Dimension>(input: &Tensor<A, D>, target: &Tensor<A, D>)
        with Reduction::Sum;

    /// Like [`mse_sum`](fn@mse_sum), returning [`Error::ShapeMismatch`] instead of panicking
    /// when the shapes differ.
    pub fn try_mse_sum = squared_error;

    /// The derivative rule of [`mse_sum`](fn@mse_sum), in the calling protocol
    /// of `#[differentiable]`.
    pub mod mse_sum {
        /// The loss and its pullback: `pullback(&d, input, target)` returns
        /// `(Some(2d(input − target)), Some(−2d(input − target)))`, each `None`
        /// when its `needs` flag is false.
        ///
        /// # Panics
        /// As [`mse_sum`](fn@super::mse_sum).
        pub fn rule = squared_error_rule -> (Option<Array<A, D>>, Option<Array<A, D>>);
    }
}

// ---------------------------------------------------------------------------
// Binary cross-entropy with logits
// ---------------------------------------------------------------------------

/// The loss of `binary_cross_entropy_with_logits` and its `_sum` twin.
fn bce_with_logits<A: Float, D: Dimension>(
    op: &'static str,
    logits: &Tensor<A, D>,
    targets: &Tensor<A, D>,
    reduction: Reduction,
) -> Result<Scalar<A>, Error> {
    check_same_shape(op, logits.shape(), targets.shape())?;
    // −[t ln σ(x) + (1 − t) ln(1 − σ(x))] = ln(1 + eˣ) − x·t
    //                                     = max(x, 0) − x·t + ln(1 + e^−|x|).
    let total = Zip::from(logits.data())
        .and(targets.data())
        .fold(A::zero(), |acc, &x, &t| {
            acc + (x.max(A::zero()) - x * t + (-x.abs()).exp().ln_1p())
        });
    Ok(Tensor::scalar(reduction.reduce(total, logits.len())))
}

/// The rule shared by both reductions.
#[allow(clippy::type_complexity)]
#[track_caller]
fn bce_with_logits_rule<A: Float, D: Dimension>(
    op: &'static str,
    logits: &Tensor<A, D>,
    targets: &Tensor<A, D>,
    reduction: Reduction,
    needs: [bool; 2],
) -> (
    Scalar<A>,
    impl FnOnce(&Array0<A>, &Tensor<A, D>, &Tensor<A, D>) -> (Option<Array<A, D>>, Option<Array<A, D>>),
) {
    let value = or_panic(bce_with_logits(op, logits, targets, reduction));
    (value, move |d, logits, targets| {
        let scale = reduction.scale(d[()], logits.len());
        // ∂/∂x = σ(x) − t, ∂/∂t = −x.
        let dx = needs[0].then(|| {
            Zip::from(logits.data())
                .and(targets.data())
                .map_collect(|&x, &t| (x.sigmoid() - t) * scale)
        });
        let dt = needs[1].then(|| logits.data().mapv(|x| -x * scale));
        (dx, dt)
    })
}

loss! {
    /// The binary cross-entropy of logits against targets, averaged over all
    /// `n` elements: `(1/n) Σ −[tᵢ ln σ(xᵢ) + (1 − tᵢ) ln(1 − σ(xᵢ))]`
    /// (PyTorch's `F.binary_cross_entropy_with_logits(logits, targets)`).
    ///
    /// Computed in the stable form `max(x, 0) − x·t + ln(1 + e^−|x|)`, finite
    /// for logits of any finite size. Targets are usually 0 or 1, but any value
    /// (a soft label) is allowed. Gradients: `(σ(x) − t)/n` for the logits and
    /// `−x/n` for the targets. The rule is
    /// [`binary_cross_entropy_with_logits::rule`](mod@binary_cross_entropy_with_logits).
    ///
    /// # Panics
    /// If the shapes differ; the message names both. See
    /// [`try_binary_cross_entropy_with_logits`].
    ///
    /// ```
    /// use autograd::prelude::*;
    /// use autograd::binary_cross_entropy_with_logits as bce;
    /// use autograd::ndarray::array;
    ///
    /// // A logit of 0 is a probability of 1/2: loss ln 2 whatever the target.
    /// // Confident and right costs nothing; confident and wrong costs |x|.
    /// let x = Tensor::from(array![0.0, 1000.0, -1000.0]);
    /// let t = Tensor::from(array![1.0, 1.0, 1.0]);
    /// let loss = bce(&x, &t).item();
    /// assert!((loss - (2f64.ln() + 0.0 + 1000.0) / 3.0).abs() < 1e-12);
    /// ```
    pub fn binary_cross_entropy_with_logits<A: Float, D: Dimension>(
        logits: &Tensor<A, D>,
        targets: &Tensor<A, D>
    ) with Reduction::Mean;

    /// Like [`binary_cross_entropy_with_logits`](fn@binary_cross_entropy_with_logits), returning
    /// [`Error::ShapeMismatch`] instead of panicking when the shapes differ.
    pub fn try_binary_cross_entropy_with_logits = bce_with_logits;

    /// The derivative rule of
    /// [`binary_cross_entropy_with_logits`](fn@binary_cross_entropy_with_logits),
    /// in the calling protocol of `#[differentiable]`.
    pub mod binary_cross_entropy_with_logits {
        /// The loss and its pullback: `pullback(&d, logits, targets)` returns
        /// `(Some(d(σ(logits) − targets)/n), Some(−d·logits/n))`, each `None`
        /// when its `needs` flag is false. Nothing is kept.
        ///
        /// # Panics
        /// As [`binary_cross_entropy_with_logits`](fn@super::binary_cross_entropy_with_logits).
        pub fn rule = bce_with_logits_rule -> (Option<Array<A, D>>, Option<Array<A, D>>);
    }
}

loss! {
    /// The binary cross-entropy with logits summed over all elements (PyTorch's
    /// `reduction='sum'`); gradients `σ(x) − t` and `−x`. See
    /// [`binary_cross_entropy_with_logits`](fn@binary_cross_entropy_with_logits).
    ///
    /// # Panics
    /// If the shapes differ; see [`try_binary_cross_entropy_with_logits_sum`].
    pub fn binary_cross_entropy_with_logits_sum<A: Float, D: Dimension>(
        logits: &Tensor<A, D>,
        targets: &Tensor<A, D>
    ) with Reduction::Sum;

    /// Like [`binary_cross_entropy_with_logits_sum`](fn@binary_cross_entropy_with_logits_sum), returning
    /// [`Error::ShapeMismatch`] instead of panicking when the shapes differ.
    pub fn try_binary_cross_entropy_with_logits_sum = bce_with_logits;

    /// The derivative rule of
    /// [`binary_cross_entropy_with_logits_sum`](fn@binary_cross_entropy_with_logits_sum),
    /// in the calling protocol of `#[differentiable]`.
    pub mod binary_cross_entropy_with_logits_sum {
        /// The loss and its pullback: `pullback(&d, logits, targets)` returns
        /// `(Some(d(σ(logits) − targets)), Some(−d·logits))`, each `None` when
        /// its `needs` flag is false.
        ///
        /// # Panics
        /// As [`binary_cross_entropy_with_logits_sum`](fn@super::binary_cross_entropy_with_logits_sum).
        pub fn rule = bce_with_logits_rule -> (Option<Array<A, D>>, Option<Array<A, D>>);
    }
}

#[cfg(test)]
mod tests;
