//! Models written the PyTorch way: a `Vec` of layers iterated in the
//! forward pass, optional biases, nested blocks, hyperparameters that are
//! not parameters. Gradients against finite differences and against the
//! same model unrolled by hand; `backward()` leaves `None` where PyTorch
//! would.

use autograd::ndarray::{array, Array1, Array2};
use autograd::prelude::*;

#[derive(Parameters, Clone)]
struct Linear {
    weight: Tensor<f64, Ix2>,
    bias: Option<Tensor<f64, Ix1>>,
}

#[differentiable]
impl Linear {
    fn new(weight: Array2<f64>, bias: Option<Array1<f64>>) -> Self {
        Linear {
            weight: Tensor::from(weight),
            bias: bias.map(Tensor::from),
        }
    }

    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let y = x.matmul(&self.weight);
        if let Some(b) = &self.bias {
            y + b
        } else {
            y
        }
    }
}

#[derive(Parameters, Clone)]
struct Net {
    layers: Vec<Linear>,
    norm_scale: Tensor<f64, Ix1>,
    dropout_p: f32,
    name: String,
}

#[differentiable]
impl Net {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let mut h = x.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(&h);
            if i + 1 < self.layers.len() {
                h = h.tanh();
            }
        }
        h * &self.norm_scale
    }
}

#[differentiable]
fn loss(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let y = net.forward(x);
    (&y * &y).sum()
}

/// The same model, its layers unrolled by hand.
#[differentiable]
fn loss_unrolled(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let h = net.layers[0].forward(x).tanh();
    let h = net.layers[1].forward(&h).tanh();
    let y = net.layers[2].forward(&h) * &net.norm_scale;
    (&y * &y).sum()
}

fn net() -> Net {
    Net {
        layers: vec![
            Linear::new(array![[0.1, 0.2], [0.3, -0.4]], Some(array![0.05, -0.02])),
            Linear::new(array![[0.5, -0.1], [-0.6, 0.2]], None),
            Linear::new(array![[0.7], [0.4]], Some(array![0.1])),
        ],
        norm_scale: Tensor::from(array![1.5]),
        dropout_p: 0.1,
        name: "mlp".into(),
    }
}

fn input() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.0, 2.0], [-0.5, 0.3], [0.2, -0.1]])
}

/// The value computed with ndarray alone.
fn plain(net: &Net, x: &Array2<f64>) -> f64 {
    let mut h = x.clone();
    for (i, l) in net.layers.iter().enumerate() {
        h = h.dot(l.weight.data());
        if let Some(b) = &l.bias {
            h += b.data();
        }
        if i + 1 < net.layers.len() {
            h.mapv_inplace(f64::tanh);
        }
    }
    let y = h * net.norm_scale.data();
    (&y * &y).sum()
}

#[test]
fn a_loop_over_a_vec_of_layers_gives_the_unrolled_gradients() {
    let (n, x) = (net(), input());
    let (v, (g, _)) = loss::value_and_grad(&n, &x);
    let (w, (h, _)) = loss_unrolled::value_and_grad(&n, &x);
    assert!((v.item() - plain(&n, x.data())).abs() < 1e-12);
    assert_eq!(v, w);
    assert_eq!(g.layers.len(), 3);
    for k in 0..3 {
        assert_eq!(g.layers[k].weight, h.layers[k].weight);
        assert_eq!(g.layers[k].bias, h.layers[k].bias);
    }
    assert_eq!(g.norm_scale, h.norm_scale);
    // A `None` bias has no gradient; a `Some` has one of its shape.
    assert_eq!(g.layers[1].bias, None);
    assert_eq!(g.layers[0].bias.as_ref().map(|b| b.len()), Some(2));
}

#[test]
fn gradients_of_layers_in_a_vec_match_finite_differences() {
    let x = input();
    let base = net();
    for k in 0..3 {
        autograd::gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let mut m = base.clone();
                m.layers[k].weight = w.clone();
                let (v, (g, _)) = loss::value_and_grad(&m, &x);
                (v, g.layers[k].weight.clone())
            },
            &base.layers[k].weight,
        )
        .unwrap();
    }
    autograd::gradcheck(
        |b: &Tensor<f64, Ix1>| {
            let mut m = base.clone();
            m.layers[0].bias = Some(b.clone());
            let (v, (g, _)) = loss::value_and_grad(&m, &x);
            (v, g.layers[0].bias.clone().unwrap())
        },
        base.layers[0].bias.as_ref().unwrap(),
    )
    .unwrap();
}

#[test]
fn backward_stores_into_every_layer_and_leaves_none_where_pytorch_does() {
    let (mut n, x) = (net(), input());
    n.set_requires_grad_all(true);
    loss::forward(&n, &x).backward();
    let (_, (g, _)) = loss::value_and_grad(&n, &x);
    for k in 0..3 {
        assert_eq!(n.layers[k].weight.grad().unwrap(), g.layers[k].weight);
    }
    assert_eq!(
        n.layers[0].bias.as_ref().unwrap().grad(),
        g.layers[0].bias.clone()
    );
    // Only the first layer is reached: the others keep `None`.
    n.zero_grad_all();
    #[differentiable]
    fn first_only(net: &Net, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
        net.layers[0].forward(x).sum()
    }
    first_only::forward(&n, &x).backward();
    assert!(n.layers[0].weight.grad().is_some());
    assert!(n.layers[0].bias.as_ref().unwrap().grad().is_some());
    assert_eq!(n.layers[1].weight.grad(), None);
    assert_eq!(n.layers[2].weight.grad(), None);
    assert_eq!(n.norm_scale.grad(), None);
}

#[test]
fn hyperparameters_are_not_parameters() {
    let n = net();
    assert_eq!(
        n.parameter_names(),
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.1.weight",
            "layers.2.weight",
            "layers.2.bias",
            "norm_scale"
        ]
    );
    assert_eq!(n.num_parameters(), 4 + 2 + 4 + 2 + 1 + 1);
    assert_eq!((n.dropout_p, n.name.as_str()), (0.1, "mlp"));
}

// An array of layers and a list of scales iterated together.
#[derive(Parameters, Clone)]
struct Pair {
    layers: [Linear; 2],
    gains: Vec<Tensor<f64, Ix1>>,
    training: bool,
}

#[differentiable]
fn pair_loss(p: &Pair, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let mut total = x.sum() * 0.0;
    for (layer, gain) in p.layers.iter().zip(p.gains.iter()) {
        let y = layer.forward(x) * gain;
        total += (&y * &y).sum();
    }
    if p.training {
        total
    } else {
        total * 0.5
    }
}

#[test]
fn an_array_of_layers_zipped_with_a_list_matches_finite_differences() {
    let n = net();
    let p = Pair {
        layers: [n.layers[0].clone(), n.layers[1].clone()],
        gains: vec![
            Tensor::from(array![2.0, 1.0]),
            Tensor::from(array![0.5, -1.0]),
        ],
        training: true,
    };
    let x = input();
    let (_, (g, _)) = pair_loss::value_and_grad(&p, &x);
    assert_eq!(g.layers[1].bias, None);
    for k in 0..2 {
        autograd::gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let mut m = p.clone();
                m.layers[k].weight = w.clone();
                let (v, (g, _)) = pair_loss::value_and_grad(&m, &x);
                (v, g.layers[k].weight.clone())
            },
            &p.layers[k].weight,
        )
        .unwrap();
        autograd::gradcheck(
            |s: &Tensor<f64, Ix1>| {
                let mut m = p.clone();
                m.gains[k] = s.clone();
                let (v, (g, _)) = pair_loss::value_and_grad(&m, &x);
                (v, g.gains[k].clone())
            },
            &p.gains[k],
        )
        .unwrap();
    }
    assert_eq!(
        p.parameter_names(),
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.1.weight",
            "gains.0",
            "gains.1"
        ]
    );
}

// The derive's documented example.
#[derive(Clone, Copy)]
enum Act {
    Tanh,
    Relu,
}

#[derive(Parameters)]
struct Documented {
    layers: Vec<Tensor<f64, Ix2>>,
    bias: Option<Tensor<f64, Ix1>>,
    dropout: f32,
    #[no_grad]
    act: Act,
}

#[test]
fn the_derive_documentation_example_holds() {
    let net = Documented {
        layers: vec![Tensor::zeros((2, 2)), Tensor::zeros((2, 1))],
        bias: None,
        dropout: 0.1,
        act: Act::Tanh,
    };
    assert_eq!(net.parameter_names(), ["layers.0", "layers.1"]);
    assert!(matches!(net.act, Act::Tanh) && net.dropout == 0.1);
    assert!(!matches!(Act::Relu, Act::Tanh));
    assert!(net.bias.is_none());
}
