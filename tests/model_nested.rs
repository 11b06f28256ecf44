//! Nested containers of layers (`Vec<Block>` whose `Block` holds a
//! `Vec<Linear>`), a residual network, `match` on an optional bias,
//! indexing by a loop counter, `Box` and array fields, an enum field
//! marked `#[no_grad]`, save/load of nested and optional fields, and an
//! `f32` model generic over its float type.

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
        match &self.bias {
            Some(b) => y + b,
            None => y,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Activation {
    Tanh,
    Relu,
}

/// A residual block: `x + f(x)`, `f` a list of layers.
#[derive(Parameters, Clone)]
struct Block {
    layers: Vec<Linear>,
    #[no_grad]
    act: Activation,
}

#[differentiable]
impl Block {
    fn forward(&self, x: &Tensor<f64, Ix2>) -> Tensor<f64, Ix2> {
        let mut h = x.clone();
        for i in 0..self.layers.len() {
            h = self.layers[i].forward(&h);
            h = match self.act {
                Activation::Tanh => h.tanh(),
                Activation::Relu => h.relu(),
            };
        }
        x + &h
    }
}

#[derive(Parameters, Clone)]
struct ResNet {
    blocks: Vec<Block>,
    head: Box<Linear>,
    scales: [Tensor<f64, Ix1>; 2],
    depth: usize,
}

#[differentiable]
fn loss(net: &ResNet, x: &Tensor<f64, Ix2>) -> Scalar<f64> {
    let mut h = x * &net.scales[0];
    for block in net.blocks.iter() {
        h = block.forward(&h);
    }
    let y = net.head.forward(&h) * &net.scales[1];
    (&y * &y).mean()
}

fn resnet() -> ResNet {
    let l = |w: Array2<f64>, b: Option<Array1<f64>>| Linear::new(w, b);
    ResNet {
        blocks: vec![
            Block {
                layers: vec![
                    l(array![[0.1, 0.2], [0.3, -0.4]], Some(array![0.05, -0.02])),
                    l(array![[0.2, -0.1], [0.1, 0.3]], None),
                ],
                act: Activation::Tanh,
            },
            Block {
                layers: vec![l(array![[-0.3, 0.2], [0.4, 0.1]], Some(array![0.1, 0.0]))],
                act: Activation::Relu,
            },
        ],
        head: Box::new(l(array![[0.7], [0.4]], Some(array![0.1]))),
        scales: [Tensor::from(array![1.0, 0.5]), Tensor::from(array![2.0])],
        depth: 2,
    }
}

fn input() -> Tensor<f64, Ix2> {
    Tensor::from(array![[1.0, 2.0], [-0.5, 0.3], [0.2, -0.1]])
}

/// The value, by hand with ndarray.
fn plain(n: &ResNet, x: &Array2<f64>) -> f64 {
    let lin = |l: &Linear, h: &Array2<f64>| {
        let y = h.dot(l.weight.data());
        match &l.bias {
            Some(b) => y + b.data(),
            None => y,
        }
    };
    let mut h = x * n.scales[0].data();
    for b in &n.blocks {
        let mut f = h.clone();
        for l in &b.layers {
            f = lin(l, &f);
            f = match b.act {
                Activation::Tanh => f.mapv(f64::tanh),
                Activation::Relu => f.mapv(|v| v.max(0.0)),
            };
        }
        h = h + f;
    }
    let y = lin(&n.head, &h) * n.scales[1].data();
    (&y * &y).mean().unwrap()
}

#[test]
fn a_residual_network_of_nested_lists_has_the_plain_value() {
    let (n, x) = (resnet(), input());
    let v = loss::value_and_grad(&n, &x).0;
    assert!((v.item() - plain(&n, x.data())).abs() < 1e-12);
    assert_eq!(n.depth, n.blocks.len());
}

#[test]
fn nested_gradients_match_finite_differences() {
    let (base, x) = (resnet(), input());
    let (_, (g, _)) = loss::value_and_grad(&base, &x);
    assert_eq!(g.blocks.len(), 2);
    assert_eq!(g.blocks[0].layers.len(), 2);
    assert_eq!(g.blocks[0].layers[1].bias, None);
    // Every weight, through the same closure that rebuilds the model.
    let sites: [(usize, usize); 3] = [(0, 0), (0, 1), (1, 0)];
    for (b, k) in sites {
        autograd::gradcheck(
            |w: &Tensor<f64, Ix2>| {
                let mut m = base.clone();
                m.blocks[b].layers[k].weight = w.clone();
                let (v, (g, _)) = loss::value_and_grad(&m, &x);
                (v, g.blocks[b].layers[k].weight.clone())
            },
            &base.blocks[b].layers[k].weight,
        )
        .unwrap();
    }
    autograd::gradcheck(
        |w: &Tensor<f64, Ix2>| {
            let mut m = base.clone();
            m.head.weight = w.clone();
            let (v, (g, _)) = loss::value_and_grad(&m, &x);
            (v, g.head.weight.clone())
        },
        &base.head.weight,
    )
    .unwrap();
    for s in 0..2 {
        autograd::gradcheck(
            |w: &Tensor<f64, Ix1>| {
                let mut m = base.clone();
                m.scales[s] = w.clone();
                let (v, (g, _)) = loss::value_and_grad(&m, &x);
                (v, g.scales[s].clone())
            },
            &base.scales[s],
        )
        .unwrap();
    }
    autograd::gradcheck(
        |b: &Tensor<f64, Ix1>| {
            let mut m = base.clone();
            m.blocks[1].layers[0].bias = Some(b.clone());
            let (v, (g, _)) = loss::value_and_grad(&m, &x);
            (v, g.blocks[1].layers[0].bias.clone().unwrap())
        },
        base.blocks[1].layers[0].bias.as_ref().unwrap(),
    )
    .unwrap();
}

#[test]
fn backward_reaches_every_nested_leaf() {
    let (mut n, x) = (resnet(), input());
    n.set_requires_grad_all(true);
    loss::forward(&n, &x).backward();
    let (_, (g, _)) = loss::value_and_grad(&n, &x);
    assert_eq!(
        n.blocks[1].layers[0].weight.grad().unwrap(),
        g.blocks[1].layers[0].weight
    );
    assert_eq!(n.head.bias.as_ref().unwrap().grad(), g.head.bias.clone());
    assert_eq!(n.scales[1].grad().unwrap(), g.scales[1]);
}

#[test]
fn nested_and_optional_fields_save_and_load_and_a_different_model_is_refused() {
    let n = resnet();
    assert_eq!(
        n.parameter_names(),
        [
            "blocks.0.layers.0.weight",
            "blocks.0.layers.0.bias",
            "blocks.0.layers.1.weight",
            "blocks.1.layers.0.weight",
            "blocks.1.layers.0.bias",
            "head.weight",
            "head.bias",
            "scales.0",
            "scales.1",
        ]
    );
    let mut bytes = Vec::new();
    n.save_to(&mut bytes).unwrap();
    let mut other = resnet();
    other.blocks[0].layers[0].weight.data_mut().fill(9.0);
    other.load_from(&mut bytes.as_slice()).unwrap();
    assert_eq!(
        other.blocks[0].layers[0].weight,
        n.blocks[0].layers[0].weight
    );
    // One more optional bias: other names, refused, left as it was.
    let mut more = resnet();
    more.blocks[0].layers[1].bias = Some(Tensor::from(array![0.0, 0.0]));
    assert!(more.load_from(&mut bytes.as_slice()).is_err());
    assert_eq!(
        more.blocks[0].layers[1].bias.as_ref().unwrap().data(),
        &array![0.0, 0.0]
    );
    // One layer fewer: refused too.
    let mut fewer = resnet();
    fewer.blocks[0].layers.pop();
    assert!(fewer.load_from(&mut bytes.as_slice()).is_err());
}

// A model generic over its float type, in f32, with a hyperparameter of that type.
#[derive(Parameters)]
struct Scaled<A: Float> {
    w: Vec<Tensor<A, Ix1>>,
    gain: A,
}

#[differentiable]
impl<A: Float> Scaled<A> {
    fn total(&self) -> Scalar<A> {
        let mut s = self.w[0].sum();
        for t in &self.w {
            s += t.sum() * self.gain;
        }
        s
    }
}

#[differentiable]
fn total_f32(m: &Scaled<f32>) -> Scalar<f32> {
    m.total()
}

#[test]
fn an_f32_model_generic_over_its_float_differentiates_its_list() {
    let m = Scaled {
        w: vec![
            Tensor::from(array![1.0f32, 2.0]),
            Tensor::from(array![3.0f32]),
        ],
        gain: 0.5,
    };
    let (v, g) = total_f32::value_and_grad(&m);
    assert_eq!(v.item(), 3.0 + 0.5 * 6.0);
    assert_eq!(g.w[0], array![1.5f32, 1.5]);
    assert_eq!(g.w[1], array![0.5f32]);
    assert_eq!(m.parameter_names(), ["w.0", "w.1"]);
}
