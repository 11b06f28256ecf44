//! `use autograd::prelude::*;` is the whole toolbox: every item it promises is
//! used here with no other `autograd` import (ndarray arrays are built by
//! path, `autograd::ndarray::array![..]`, which is not an import).

use autograd::prelude::*;

/// A model for the optimizers, by the derive from the prelude.
#[derive(Parameters)]
struct Linear {
    w: Tensor<f64, Ix2>,
    b: Tensor<f64, Ix1>,
}

/// Every loss, called inside a differentiable body through the prelude's
/// names (each brings the function and its rule's module).
#[differentiable]
fn all_losses(m: &Linear, x: &Tensor<f64, Ix2>, labels: &[usize]) -> Scalar<f64> {
    let logits = x.matmul(&m.w) + &m.b;
    let probs = logits.sigmoid();
    let zeros = &logits * 0.0;
    cross_entropy(&logits, labels)
        + cross_entropy_sum(&logits, labels)
        + mse(&probs, &zeros)
        + mse_sum(&probs, &zeros)
        + binary_cross_entropy_with_logits(&logits, &zeros)
        + binary_cross_entropy_with_logits_sum(&logits, &zeros)
}

/// The joins, differentiated.
#[differentiable]
fn joined(a: &Tensor<f64, Ix1>, b: &Tensor<f64, Ix1>) -> Tensor<f64, Ix1> {
    let c = concatenate(Axis(0), &[a, b]);
    let ab = a * b;
    let s = stack(Axis(0), &[a, &ab]);
    c * 2.0 + s.sum_axis(Axis(0)).sum()
}

/// `Float` and `FloatExt` from the prelude, in generic code.
fn squashed<A: Float>(x: A) -> A {
    x.sigmoid() + x.relu()
}

/// A generic training step through the `Optimizer` trait.
fn step_with<O: Optimizer<f64>>(opt: &mut O, model: &mut Linear, x: &Tensor<f64, Ix2>) {
    opt.zero_grad(model);
    all_losses::forward(model, x, &[0, 1]).backward();
    opt.step(model);
}

fn model(rng: &mut Rng) -> Linear {
    Linear {
        w: init::uniform((2, 2), -0.5, 0.5, rng),
        b: init::normal(2, 0.0, 0.1, rng),
    }
    .with_requires_grad()
}

#[test]
fn losses_optimizers_init_and_rng() {
    let mut rng = Rng::seed_from(3);
    let mut m = model(&mut rng);
    let x = Tensor::from(autograd::ndarray::array![[1.0, 2.0], [-1.0, 0.5]]);
    let before = all_losses(&m, &x, &[0, 1]).item();
    step_with(&mut Sgd::new(0.05).momentum(0.9), &mut m, &x);
    step_with(&mut Adam::new(0.01), &mut m, &x);
    step_with(&mut AdamW::new(0.01), &mut m, &x);
    assert!(all_losses(&m, &x, &[0, 1]).item() < before);
    assert!(try_cross_entropy(&x, &[0, 7]).is_err());
    assert!(try_cross_entropy_sum(&x, &[0, 7]).is_err());
    let y = Tensor::<f64, Ix1>::zeros(3);
    assert!(try_mse(&x.clone().into_dyn(), &y.clone().into_dyn()).is_err());
    assert!(try_mse_sum(&x.clone().into_dyn(), &y.clone().into_dyn()).is_err());
    assert!(
        try_binary_cross_entropy_with_logits(&x.clone().into_dyn(), &y.clone().into_dyn()).is_err()
    );
    assert!(
        try_binary_cross_entropy_with_logits_sum(&x.clone().into_dyn(), &y.into_dyn()).is_err()
    );
    let w: Tensor<f32, Ix2> = init::kaiming_uniform_linear(3, 2, &mut rng);
    let b: Tensor<f32, Ix1> = init::linear_bias(3, 2, &mut rng);
    assert_eq!((w.shape(), b.shape()), (&[3, 2][..], &[3][..]));
    assert_eq!(squashed(0.0f32), 0.5);
}

/// Any scheduler, through the trait.
fn last_rate<S: LrScheduler>(scheduler: &S) -> f64 {
    scheduler.get_last_lr()
}

#[test]
fn schedulers() {
    let mut opt = Sgd::<f64>::new(0.1);
    let mut step = StepLR::new(&opt, 1, 0.5);
    let cosine = CosineAnnealingLR::new(&opt, 4, 0.0);
    step.step(&mut opt);
    assert_eq!(opt.lr(), 0.05);
    assert_eq!((last_rate(&step), last_rate(&cosine)), (0.05, 0.1));
}

#[test]
fn gradient_clipping() {
    let mut rng = Rng::seed_from(4);
    let m = model(&mut rng);
    let x = Tensor::from(autograd::ndarray::array![[10.0, -20.0], [30.0, 5.0]]);
    all_losses::forward(&m, &x, &[1, 0]).backward();
    let total = total_grad_norm(&m);
    assert!(total > 1.0);
    assert_eq!(clip_grad_norm(&m, 1.0), total);
    assert!((total_grad_norm(&m) - 1.0).abs() < 1e-5);
    assert!(try_clip_grad_norm(&m, 1.0).is_ok());
}

#[test]
fn argmax_for_accuracy() {
    let mut rng = Rng::seed_from(5);
    let m = model(&mut rng);
    let x = Tensor::from(autograd::ndarray::array![
        [1.0, 2.0],
        [-1.0, 0.5],
        [0.0, 0.0]
    ]);
    let logits = x.matmul(&m.w) + &m.b;
    let predicted = logits.argmax(Axis(1));
    assert_eq!(predicted.len(), 3);
    assert!(logits.try_argmax(Axis(2)).is_err());
}

#[test]
fn joins_and_their_try_twins() {
    let a = Tensor::from(autograd::ndarray::array![1.0, 2.0]).requires_grad();
    let b = Tensor::from(autograd::ndarray::array![3.0]);
    let graph: Graph<_, _> = joined::forward(&a, &b);
    assert_eq!(graph.value().shape(), &[3]);
    assert!(try_stack(Axis(0), &[&a, &b]).is_err());
    assert_eq!(try_concatenate(Axis(0), &[&a, &b]).unwrap().shape(), &[3]);
    let s: Tensor<f64, Ix2> = stack(Axis(1), &[&a, &a]);
    assert_eq!(s.shape(), &[2, 2]);
}

#[test]
fn gradient_checks_and_jacobians() {
    let x = Tensor::from(autograd::ndarray::array![0.5, -1.0]);
    let y = Tensor::from(autograd::ndarray::array![3.0]);
    gradcheck(
        |(a, b)| joined_sum::value_and_grad(a, b),
        &(x.clone(), y.clone()),
    )
    .unwrap();
    let options = GradcheckOptions {
        atol: 1e-4,
        ..GradcheckOptions::default()
    };
    gradcheck_with(
        options,
        |(a, b)| joined_sum::value_and_grad(a, b),
        &(x.clone(), y.clone()),
    )
    .unwrap();
    let value = |(a, b): &(Tensor<f64, Ix1>, Tensor<f64, Ix1>)| joined(a, b);
    let vjp = |(a, b): &(Tensor<f64, Ix1>, Tensor<f64, Ix1>),
               v: &autograd::ndarray::Array1<f64>| {
        let (_, pullback) = joined::vjp(a, b);
        pullback(v)
    };
    gradcheck_vjp(value, vjp, &(x.clone(), y.clone())).unwrap();
    gradcheck_vjp_with(options, value, vjp, &(x.clone(), y.clone())).unwrap();
    let j = jacobian(&x, |x| {
        let (out, pullback) = joined::vjp(x, &y);
        (out, move |v: &autograd::ndarray::Array1<f64>| pullback(v).0)
    });
    let numeric = numerical_jacobian(&x, |x| joined(x, &y), 1e-6);
    assert_eq!(j.shape(), &[3, 2]);
    assert!(j.iter().zip(&numeric).all(|(a, n)| (a - n).abs() < 1e-6));
}

#[differentiable]
fn joined_sum(a: &Tensor<f64, Ix1>, b: &Tensor<f64, Ix1>) -> Scalar<f64> {
    let j = joined(a, b);
    (&j * &j).sum()
}

#[test]
fn data_loader_and_splits() {
    let x = autograd::ndarray::Array2::from_shape_fn((5, 2), |(i, j)| (i * 2 + j) as f64);
    let y = [0, 1, 0, 1, 1];
    let (train, test) = split_indices(5, 0.4, 0);
    let (x_train, y_train) = subset(&x, &y, &train);
    assert_eq!((x_train.nrows(), test.len()), (3, 2));
    let mut loader = DataLoader::new(&x_train, &y_train, 2).shuffle(1);
    let sizes: Vec<usize> = loader
        .iter()
        .map(|(x, y)| {
            assert_eq!(x.shape()[0], y.len());
            y.len()
        })
        .collect();
    assert_eq!(sizes, [2, 1]);

    // Features as an f32 tensor: the same batches as from its array.
    let features: Tensor<f32, Ix2> = Tensor::from(x.mapv(|v| v as f32));
    let (tx, ty) = subset(&features, &y, &train);
    let from_tensor: Vec<_> = DataLoader::new(&features, &y, 2)
        .shuffle(3)
        .iter()
        .collect();
    let from_array: Vec<_> = DataLoader::new(features.data(), &y, 2)
        .shuffle(3)
        .iter()
        .collect();
    assert_eq!(from_tensor, from_array);
    assert_eq!((tx.nrows(), ty.len()), (3, 3));
}

/// Beside `ndarray::prelude::*`, which has no `stack` or `concatenate`,
/// nothing is ambiguous.
mod with_ndarray_prelude {
    use autograd::ndarray::prelude::*;
    use autograd::prelude::*;

    #[test]
    fn stack_is_autograds() {
        let a = Tensor::from(array![1.0, 2.0]);
        let s: Tensor<f64, Ix2> = stack(Axis(0), &[&a, &a]);
        assert_eq!(
            s.data(),
            &(Array2::from_elem((2, 2), 1.0) + &array![0.0, 1.0])
        );
    }
}

/// Beside a glob import of ndarray's root, which has its own `stack` and
/// `concatenate`, an explicit import says which one a bare name means.
mod with_ndarray_root {
    use autograd::concatenate;
    use autograd::ndarray::*;
    use autograd::prelude::*;

    #[test]
    fn explicit_imports_settle_the_names() {
        let a = Tensor::from(array![1.0, 2.0]);
        let c: Tensor<f64, Ix1> = concatenate(Axis(0), &[&a, &a]);
        assert_eq!(c.shape(), &[4]);
        // ndarray's, by path.
        let v = autograd::ndarray::stack(Axis(0), &[a.view(), a.view()]).unwrap();
        assert_eq!(v.shape(), &[2, 2]);
    }
}
