//! The variants that reuse a buffer (`fwd_owned`, `revK_owned`,
//! `revs_owned`, `rev_twice_owned`) must give exactly what the borrowing
//! ones give, whatever the shapes and layouts: each is compared with its
//! borrowing twin, and the borrowing rules are checked by hand and against
//! finite differences in their own files.

use ndarray::{array, Array, Array1, Array2, Array3, Axis, Dimension, Ix1, Ix2};

use crate::broadcast::sum_to_shape;
use crate::ops::testing::sample;
use crate::rules::*;
use crate::tensor::Tensor;
use crate::value::meta;

fn t2(rows: usize, cols: usize, seed: usize) -> Tensor<f64, Ix2> {
    Tensor::from(sample((rows, cols), -2.0, 2.0, seed))
}

fn t1(n: usize, seed: usize) -> Tensor<f64, Ix1> {
    Tensor::from(sample(n, -2.0, 2.0, seed))
}

fn same<D: Dimension>(what: &str, a: &Array<f64, D>, b: &Array<f64, D>) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    assert_eq!(a, b, "{what}: values");
}

#[test]
fn binary_forward_in_place_or_not() {
    let a = t2(3, 4, 1);
    let row = t1(4, 2);
    let col = Tensor::from(sample((3, 1), 0.5, 2.0, 3));
    // The left operand has the result's shape: computed in its buffer.
    same(
        "add",
        AddRule::fwd_owned(a.clone(), &row).data(),
        (&a + &row).data(),
    );
    same(
        "sub",
        SubRule::fwd_owned(a.clone(), &col).data(),
        (&a - &col).data(),
    );
    same(
        "mul",
        MulRule::fwd_owned(a.clone(), &row).data(),
        (&a * &row).data(),
    );
    same(
        "div",
        DivRule::fwd_owned(a.clone(), &col).data(),
        (&a / &col).data(),
    );
    // The left operand is smaller than the result: a new array.
    same(
        "add small",
        AddRule::fwd_owned(row.clone(), &a).data(),
        (&row + &a).data(),
    );
    same(
        "mul col",
        MulRule::fwd_owned(col.clone(), &row).data(),
        (&col * &row).data(),
    );
    // A tensor and a float.
    same(
        "scale",
        MulRule::fwd_owned(a.clone(), &2.5).data(),
        (&a * 2.5).data(),
    );
    same(
        "shift",
        SubRule::fwd_owned(a.clone(), &0.5).data(),
        (&a - 0.5).data(),
    );
}

#[test]
#[should_panic(expected = "[3, 4]")]
fn binary_forward_in_place_still_checks_shapes() {
    let _ = AddRule::fwd_owned(t2(3, 4, 1), &t1(3, 2));
}

#[test]
fn unary_and_reshape_forward_in_place() {
    let a = t2(3, 4, 4);
    same("exp", ExpRule::fwd_owned(a.clone()).data(), a.exp().data());
    same(
        "tanh",
        TanhRule::fwd_owned(a.clone()).data(),
        a.tanh().data(),
    );
    same(
        "reshape",
        ReshapeRule::fwd_owned(a.clone(), &(2, 6)).data(),
        a.reshape((2, 6)).data(),
    );
    // A transposed (column-major) operand is copied in row-major order.
    let t = Tensor::from(a.data().t().to_owned());
    let tt = Tensor::from(t.data().t().to_owned().reversed_axes());
    assert!(!tt.data().is_standard_layout());
    same(
        "reshape of a transposed buffer",
        ReshapeRule::fwd_owned(Tensor::from(tt.data().clone()), &12).data(),
        tt.reshape(12).data(),
    );
}

#[test]
fn both_gradients_at_once() {
    let a = t2(3, 4, 5);
    let row = t1(4, 6);
    let d: Array2<f64> = sample((3, 4), -1.0, 1.0, 7);
    let (ma, mr) = (meta(&a), meta(&row));
    for needs in [[true, true], [true, false], [false, true], [false, false]] {
        let (g0, g1) = AddRule::revs_owned(&ma, &mr, d.clone(), needs);
        assert_eq!(g0.is_some(), needs[0]);
        assert_eq!(g1.is_some(), needs[1]);
        if let Some(g0) = g0 {
            same("add lhs", &g0, &AddRule::rev0(&ma, &mr, &d));
        }
        if let Some(g1) = g1 {
            same("add rhs", &g1, &AddRule::rev1(&ma, &mr, &d));
        }
        // The broadcast operand on the left.
        let (g0, g1) = SubRule::revs_owned(&mr, &ma, d.clone(), needs);
        if let Some(g0) = g0 {
            same("sub lhs", &g0, &SubRule::rev0(&mr, &ma, &d));
        }
        if let Some(g1) = g1 {
            same("sub rhs", &g1, &SubRule::rev1(&mr, &ma, &d));
        }
    }
    // Floats.
    assert_eq!(
        SubRule::revs_owned(&meta(&1.0), &meta(&2.0), 3.0, [true, true]),
        (Some(3.0), Some(-3.0))
    );
}

#[test]
fn products_in_the_gradients_buffer() {
    let a = t2(3, 4, 8);
    let col = Tensor::from(sample((3, 1), 0.5, 2.0, 9));
    let d: Array2<f64> = sample((3, 4), -1.0, 1.0, 10);
    let (ma, mc) = (meta(&a), meta(&col));
    same(
        "mul rev0",
        &MulRule::rev0_owned(&ma, &col, d.clone()),
        &MulRule::rev0(&ma, &col, &d),
    );
    same(
        "mul rev1",
        &MulRule::rev1_owned(&a, &mc, d.clone()),
        &MulRule::rev1(&a, &mc, &d),
    );
    same(
        "div rev0",
        &DivRule::rev0_owned(&ma, &col, d.clone()),
        &DivRule::rev0(&ma, &col, &d),
    );
    let g = SquareRule::rev_twice_owned(&a, d.clone());
    same("square", &g, &(&MulRule::rev0(&ma, &a, &d) * 2.0));
    assert_eq!(SquareRule::rev_twice_owned(&1.5, 2.0), 6.0);
    let s = t1(12, 11);
    let ds: Array1<f64> = sample(12, -1.0, 1.0, 12);
    let ms = meta(&s);
    same(
        "reshape rev0",
        &ReshapeRule::rev0_owned(
            &ms,
            &(3, 4),
            ds.clone().into_shape_with_order((3, 4)).unwrap(),
        ),
        &ReshapeRule::rev0(
            &ms,
            &(3, 4),
            &ds.clone().into_shape_with_order((3, 4)).unwrap(),
        ),
    );
}

fn close<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>) -> bool {
    a.shape() == b.shape() && a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-12)
}

#[test]
fn sums_back_to_a_shape_whatever_the_layout() {
    let g: Array3<f64> = sample((2, 3, 4), -1.0, 1.0, 13);
    let want = g.sum_axis(Axis(0)).sum_axis(Axis(0));
    assert!(close(&sum_to_shape(g.view().into_dyn(), &Ix1(4)), &want));
    // Not row-major: summed axis by axis.
    let t = g.view().reversed_axes();
    let want_t = t.sum_axis(Axis(0)).sum_axis(Axis(0));
    assert!(close(&sum_to_shape(t.into_dyn(), &Ix1(2)), &want_t));
    // Leading and stretched axes together.
    let want_k = g.sum_axis(Axis(0)).sum_axis(Axis(1)).insert_axis(Axis(1));
    assert!(close(
        &sum_to_shape(g.view().into_dyn(), &Ix2(3, 1)),
        &want_k
    ));
}

#[test]
fn reductions_along_the_last_axis() {
    let x: Tensor<f64, _> = Tensor::from(sample((2, 3, 4), -1.0, 1.0, 14));
    assert!(close(
        x.sum_axis(Axis(2)).data(),
        &x.data().sum_axis(Axis(2))
    ));
    let d = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let g = SumAxisRule::rev0(&meta(&x), &Axis(2), &d);
    for ((i, j, _), v) in g.indexed_iter() {
        assert_eq!(*v, d[[i, j]]);
    }
    // Along a middle axis, and a column-major tensor.
    let g1 = MeanAxisRule::rev0(&meta(&x), &Axis(1), &array![[3.0; 4], [6.0; 4]]);
    assert!(g1.iter().take(12).all(|v| *v == 1.0));
    let xt = Tensor::from(x.data().t().to_owned());
    assert!(close(
        xt.sum_axis(Axis(2)).data(),
        &xt.data().sum_axis(Axis(2))
    ));
}
