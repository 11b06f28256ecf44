//! The ways PyTorch code walks a list of layers, each checked against the
//! plain method's value and finite differences: `for layer in &self.layers`,
//! `.iter().rev()`, a sub-slice `&self.layers[..n - 1]`, `fold`,
//! `.last().unwrap()`, `.first().expect(..)`, `.skip(self.k)` and
//! `.take(self.k)` with a count field, `for i in 0..self.k`, and a
//! function taking `&[Linear]`.

use autograd::ndarray::{array, Array2};
use autograd::prelude::*;

#[derive(Parameters, Clone)]
struct Linear {
    weight: Tensor<f64, Ix2>,
    bias: Option<Tensor<f64, Ix1>>,
}

#[differentiable]
impl Linear {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let y = x.matmul(&self.weight);
        match &self.bias {
            Some(b) => y + b,
            None => y,
        }
    }
}

#[derive(Parameters, Clone)]
struct Net {
    layers: Vec<Linear>,
    k: usize,
}

#[differentiable]
impl Net {
    fn each(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let mut h = x.clone();
        for layer in &self.layers {
            h = layer.forward(&h).tanh();
        }
        h
    }

    fn reversed(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let mut h = x.clone();
        for layer in self.layers.iter().rev() {
            h = layer.forward(&h).tanh();
        }
        h
    }

    fn all_but_last(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let n = self.layers.len();
        let mut h = x.clone();
        for layer in &self.layers[..n - 1] {
            h = layer.forward(&h).relu();
        }
        self.layers[n - 1].forward(&h)
    }

    fn folded(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        self.layers
            .iter()
            .fold(x.clone(), |h, l| l.forward(&h).tanh())
    }

    fn ends(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let last = self.layers.last().unwrap();
        let first = self.layers.first().expect("a first layer");
        last.forward(&first.forward(x).tanh())
    }

    fn counted(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let mut h = x.clone();
        for l in self.layers.iter().skip(self.k) {
            h = l.forward(&h).tanh();
        }
        for l in self.layers.iter().take(self.k) {
            h = l.forward(&h).tanh();
        }
        for i in 0..self.k {
            h = self.layers[i].forward(&h);
        }
        h
    }
}

#[differentiable]
fn through_slice(layers: &[Linear], x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
    let mut h = x.clone();
    for l in layers {
        h = l.forward(&h).tanh();
    }
    h
}

macro_rules! losses {
    ($($name:ident => $method:ident;)*) => {$(
        #[differentiable]
        fn $name(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
            let y = net.$method(x);
            (&y * &y).sum()
        }
    )*};
}

losses! {
    each_loss => each;
    reversed_loss => reversed;
    all_but_last_loss => all_but_last;
    folded_loss => folded;
    ends_loss => ends;
    counted_loss => counted;
}

#[differentiable]
fn slice_loss(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let y = through_slice(&net.layers, x);
    (&y * &y).sum()
}

fn net() -> Net {
    let l = |w: Array2<f64>, b: Option<Array2<f64>>| Linear {
        weight: Tensor::from(w),
        bias: b.map(|b| Tensor::from(b.row(0).to_owned())),
    };
    Net {
        layers: vec![
            l(array![[0.1, 0.2], [0.3, -0.4]], Some(array![[0.05, -0.02]])),
            l(array![[0.5, -0.1], [-0.6, 0.2]], None),
            l(array![[0.7, 0.1], [0.4, -0.3]], Some(array![[0.1, 0.2]])),
        ],
        k: 1,
    }
}

type Loss = fn(&Net, &Tensor<f64, Ix2>) -> (Scalar<f64>, (NetGrad, Array2<f64>));

fn check(name: &str, f: Loss, plain: fn(&Net, &Tensor<f64, Ix2>) -> Tensor<f64, Ix2>) {
    let base = net();
    let x = Tensor::from(array![[1.0, 2.0], [-0.5, 0.3]]);
    let (v, _) = f(&base, &x);
    let y = plain(&base, &x);
    assert!(
        (v.item() - (&y * &y).sum().item()).abs() < 1e-12,
        "{name}: value"
    );
    for k in 0..3 {
        autograd::gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let mut m = base.clone();
                m.layers[k].weight = w.clone();
                let (v, (g, _)) = f(&m, &x);
                (v, g.layers[k].weight.clone())
            },
            &base.layers[k].weight,
        )
        .unwrap_or_else(|e| panic!("{name}, layer {k}: {e}"));
    }
}

#[test]
fn every_way_of_walking_the_layers_has_exact_gradients() {
    check("each", each_loss::value_and_grad, |n, x| n.each(x));
    check("reversed", reversed_loss::value_and_grad, |n, x| {
        n.reversed(x)
    });
    check("all_but_last", all_but_last_loss::value_and_grad, |n, x| {
        n.all_but_last(x)
    });
    check("folded", folded_loss::value_and_grad, |n, x| n.folded(x));
    check("ends", ends_loss::value_and_grad, |n, x| n.ends(x));
    check("counted", counted_loss::value_and_grad, |n, x| n.counted(x));
    check("slice", slice_loss::value_and_grad, |n, x| {
        through_slice(&n.layers, x)
    });
}

#[test]
fn a_layer_no_idiom_reaches_keeps_no_gradient() {
    let mut n = net();
    n.set_requires_grad_all(true);
    let x = Tensor::from(array![[1.0, 2.0]]);
    ends_loss::forward(&n, &x).backward();
    assert!(n.layers[0].weight.grad().is_some());
    assert_eq!(n.layers[1].weight.grad(), None);
    assert!(n.layers[2].weight.grad().is_some());
}

// The ways PyTorch-style code reads an optional bias.
#[derive(Parameters, Clone)]
struct Biased {
    weight: Tensor<f64, Ix2>,
    bias: Option<Tensor<f64, Ix1>>,
}

// The forms are the point: each is one a user writes.
#[allow(clippy::assign_op_pattern, clippy::unnecessary_unwrap)]
#[differentiable]
impl Biased {
    fn as_ref_if_let(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let y = x.matmul(&self.weight);
        if let Some(b) = self.bias.as_ref() {
            y + b
        } else {
            y
        }
    }

    fn match_ref(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let y = x.matmul(&self.weight);
        match self.bias {
            Some(ref b) => y + b,
            None => y,
        }
    }

    fn assign_in_if_let(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let mut y = x.matmul(&self.weight);
        if let Some(b) = &self.bias {
            y = y + b;
        }
        y
    }

    fn is_some_unwrap(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let y = x.matmul(&self.weight);
        if self.bias.is_some() {
            y + self.bias.as_ref().unwrap()
        } else {
            y
        }
    }
}

#[differentiable]
fn biased_loss(l: &Biased, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let y = l.as_ref_if_let(x) + l.match_ref(x) * 2.0 + l.assign_in_if_let(x) * 3.0
        - l.is_some_unwrap(x);
    (&y * &y).sum()
}

#[test]
fn every_way_of_reading_an_optional_bias_has_exact_gradients() {
    let x = Tensor::from(array![[1.0, 2.0], [-0.5, 0.3]]);
    for bias in [Some(array![0.2, -0.1]), None] {
        let l = Biased {
            weight: Tensor::from(array![[0.1, 0.2], [0.3, -0.4]]),
            bias: bias.map(Tensor::from),
        };
        // Each form is y = xW + b: the loss is (5 (xW + b))², summed.
        let mut y = x.data().dot(l.weight.data());
        if let Some(b) = &l.bias {
            y += b.data();
        }
        let (v, (g, _)) = biased_loss::value_and_grad(&l, &x);
        assert!((v.item() - (25.0 * &y * &y).sum()).abs() < 1e-12);
        let want_b = y.sum_axis(autograd::ndarray::Axis(0)) * 50.0;
        match (&g.bias, &l.bias) {
            (Some(gb), Some(_)) => assert!((gb - &want_b).iter().all(|d| d.abs() < 1e-12)),
            (None, None) => {}
            _ => panic!("the bias's gradient has the bias's shape"),
        }
        autograd::gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let m = Biased {
                    weight: w.clone(),
                    bias: l.bias.clone(),
                };
                let (v, (g, _)) = biased_loss::value_and_grad(&m, &x);
                (v, g.weight)
            },
            &l.weight,
        )
        .unwrap();
    }
}

// --- A loop that starts from the input: the first iteration asks a layer
// for the input's gradient only when the input needs one. ---

/// `backward()` with only the weights requiring grad, then with only the
/// input: the leaves get what `value_and_grad` computes.
fn check_leaves(name: &str, f: Loss, forward: fn(&Net, &Tensor<f64, Ix2>)) {
    let x = Tensor::from(array![[1.0, 2.0], [-0.5, 0.3]]);
    let (_, (g, gx)) = f(&net(), &x);
    let mut leaves = net();
    for l in &mut leaves.layers {
        l.weight = l.weight.clone().requires_grad();
    }
    forward(&leaves, &x);
    for (k, l) in leaves.layers.iter().enumerate() {
        let got = l
            .weight
            .grad()
            .unwrap_or_else(|| panic!("{name}: layer {k} has a gradient"));
        assert!(
            (&got - &g.layers[k].weight).iter().all(|d| d.abs() < 1e-12),
            "{name}: layer {k}"
        );
    }
    let x = x.requires_grad();
    forward(&net(), &x);
    let got = x.grad().expect("the input has a gradient");
    assert!(
        (&got - &gx).iter().all(|d| d.abs() < 1e-12),
        "{name}: input"
    );
}

#[test]
fn a_loop_from_the_input_gives_every_leaf_its_gradient() {
    check_leaves("each", each_loss::value_and_grad, |n, x| {
        each_loss::forward(n, x).backward()
    });
    check_leaves("reversed", reversed_loss::value_and_grad, |n, x| {
        reversed_loss::forward(n, x).backward()
    });
    check_leaves("counted", counted_loss::value_and_grad, |n, x| {
        counted_loss::forward(n, x).backward()
    });
    check_leaves("folded", folded_loss::value_and_grad, |n, x| {
        folded_loss::forward(n, x).backward()
    });
    check_leaves("slice", slice_loss::value_and_grad, |n, x| {
        slice_loss::forward(n, x).backward()
    });
}
