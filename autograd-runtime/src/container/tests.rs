use ndarray::{array, Array1, Ix1};

use super::*;
use crate::tensor::Tensor;

fn leaf(v: Array1<f64>) -> Tensor<f64, Ix1> {
    Tensor::from(v).requires_grad()
}

#[test]
fn a_vec_of_tensors_has_a_vec_of_gradients_and_stores_only_those_reached() {
    let layers = vec![leaf(array![1.0, 2.0]), leaf(array![3.0])];
    let shapes = layers.shape_of();
    let mut g = <Vec<Tensor<f64, Ix1>>>::unreached_grad_of(&shapes);
    // Only the second element is reached.
    g[1].accumulate(array![5.0]);
    g[1].accumulate(array![1.0]);
    layers.store_grad(g.clone());
    assert_eq!(layers[0].grad(), None);
    assert_eq!(layers[1].grad(), Some(array![6.0]));
    <Vec<Tensor<f64, Ix1>>>::finish_grad(&mut g, &shapes);
    assert_eq!(g, vec![array![0.0, 0.0], array![6.0]]);
}

#[test]
fn an_unreached_tensor_gradient_is_replaced_by_the_first_and_ignored_after() {
    let mut unreached = <Tensor<f64, Ix1>>::unreached_grad_of(&ndarray::Dim([2]));
    unreached.accumulate(array![1.0, 2.0]);
    assert_eq!(unreached, array![1.0, 2.0]);
    let mut reached = array![1.0, 1.0];
    reached.accumulate(<Tensor<f64, Ix1>>::unreached_grad_of(&ndarray::Dim([2])));
    assert_eq!(reached, array![1.0, 1.0]);
}

#[test]
fn a_float_vec_keeps_its_length_and_a_vec_of_floats_as_gradient() {
    let x = vec![1.0f64, 2.0, 3.0];
    assert_eq!(x.shape_of(), 3);
    assert_eq!(<Vec<f64>>::zero_grad_of(&3), vec![0.0; 3]);
    assert!(!x.needs_grad());
    let a = [1.0f32, 2.0];
    assert_eq!(<[f32; 2]>::zero_grad_of(&a.shape_of()), [0.0, 0.0]);
}

#[test]
fn an_option_has_an_optional_gradient_and_none_has_no_parameter() {
    let bias: Option<Tensor<f64, Ix1>> = Some(leaf(array![1.0]));
    let none: Option<Tensor<f64, Ix1>> = None;
    assert!(bias.needs_grad());
    assert!(!none.needs_grad());
    assert_eq!(
        <Option<Tensor<f64, Ix1>>>::zero_grad_of(&none.shape_of()),
        None
    );
    let mut g = Some(array![1.0]);
    g.accumulate(Some(array![2.0]));
    g.accumulate(None);
    assert_eq!(g, Some(array![3.0]));
    let mut empty: Option<Array1<f64>> = None;
    empty.accumulate(Some(array![4.0]));
    assert_eq!(empty, Some(array![4.0]));
    bias.store_grad(g);
    assert_eq!(bias.as_ref().unwrap().grad(), Some(array![3.0]));
    assert_eq!(none.num_parameters(), 0);
    assert_eq!(bias.parameter_names(), [""]);
}

#[test]
fn nested_containers_name_their_parameters_by_position() {
    let blocks = vec![
        vec![leaf(array![1.0])],
        vec![leaf(array![2.0]), leaf(array![3.0, 4.0])],
    ];
    assert_eq!(blocks.parameter_names(), ["0.0", "1.0", "1.1"]);
    assert_eq!(blocks.num_parameters(), 4);
    let boxed = Box::new([leaf(array![1.0]), leaf(array![2.0])]);
    assert_eq!(boxed.parameter_names(), ["0", "1"]);
    let mut g = <Box<[Tensor<f64, Ix1>; 2]>>::unreached_grad_of(&boxed.shape_of());
    g[0].accumulate(array![7.0]);
    boxed.store_grad(g);
    assert_eq!(boxed[0].grad(), Some(array![7.0]));
    assert_eq!(boxed[1].grad(), None);
}
