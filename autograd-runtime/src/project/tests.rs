use ndarray::{array, Array1, Ix1};

use super::*;

fn leaf(v: Array1<f64>) -> Tensor<f64, Ix1> {
    Tensor::from(v).requires_grad()
}

#[test]
fn an_element_borrowed_from_a_vec_adds_its_gradient_at_its_place() {
    let layers = vec![leaf(array![1.0, 2.0]), leaf(array![3.0])];
    assert_eq!(ProjectIndex::project(&layers, &1).data(), &array![3.0]);
    let mut slot = None;
    <Vec<_> as ProjectIndex<usize>>::accumulate_at(&mut slot, &layers, &1, array![2.0]);
    <Vec<_> as ProjectIndex<usize>>::accumulate_at(&mut slot, &layers, &1, array![0.5]);
    let mut g = slot.unwrap();
    assert_eq!(g[1], array![2.5]);
    layers.store_grad(g.clone());
    assert_eq!(layers[0].grad(), None);
    <Vec<Tensor<f64, Ix1>>>::finish_grad(&mut g, &layers.shape_of());
    assert_eq!(g[0], array![0.0, 0.0]);
}

#[test]
fn an_element_of_a_tensor_is_borrowed_and_its_gradient_is_one_hot() {
    let t = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(*ProjectIndex::project(&t, &[1, 0]), 3.0);
    let mut slot = None;
    <Tensor<f64, _> as ProjectIndex<[usize; 2]>>::accumulate_at(&mut slot, &t, &[1, 0], 2.0);
    assert_eq!(slot, Some(array![[0.0, 0.0], [2.0, 0.0]]));
}

#[test]
fn the_some_of_an_option_is_borrowed_and_gets_the_gradient() {
    let bias = Some(leaf(array![1.0]));
    assert_eq!(bias.project_some().data(), &array![1.0]);
    let mut slot = None;
    Option::accumulate_some(&mut slot, &bias, array![3.0]);
    Option::accumulate_some(&mut slot, &bias, array![1.0]);
    assert_eq!(slot, Some(Some(array![4.0])));
}

#[test]
fn a_constant_field_drops_its_gradient_and_a_parameter_field_adds_it() {
    let mut c = Constant;
    FieldSlot::put(&mut c, 2.0f64, true);
    let mut g = 1.0f64;
    FieldSlot::put(&mut g, 2.0, false);
    assert_eq!(g, 3.0);
    FieldSlot::put(&mut g, 5.0, true);
    assert_eq!(g, 5.0);
}
