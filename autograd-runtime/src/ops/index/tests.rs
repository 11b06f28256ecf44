//! Unit tests of `index`.

use super::*;
use crate::ops::testing::{assert_all_close, assert_close, check_vjp, sample};
use crate::value::meta;
use ndarray::{arr0, array, Array1, Ix0, Ix1, Ix2, IxDyn, ShapeBuilder};

fn hand<A: Float>() {
    let f = |v: f64| A::from_f64(v);
    // Slices: y = x₁, so the gradient is d at 1 and 0 elsewhere; a second
    // read of x₁ and one of x₂ add into the same gradient.
    let x: Vec<A> = vec![f(1.0), f(2.0), f(3.0)];
    assert_close("index", IndexRule::fwd(&x[..], &1), 2.0);
    assert_close("index", IndexRule::fwd(&x, &2), 3.0);
    let mut slot = None;
    IndexRule::rev0_into(&mut slot, &meta(&x[..]), &1, &f(0.5));
    IndexRule::rev0_into(&mut slot, &meta(&x[..]), &1, &f(0.25));
    IndexRule::rev0_into(&mut slot, &meta(&x[..]), &2, &f(2.0));
    let g = Array1::from(slot.unwrap());
    assert_all_close("index", &g, &array![0.0, 0.75, 2.0]);
    let mut slot = None;
    IndexRule::rev0_into(&mut slot, &meta(&x), &0, &f(-1.0));
    assert_all_close(
        "index",
        &Array1::from(slot.unwrap()),
        &array![-1.0, 0.0, 0.0],
    );

    // Tensors: y = x[1, 2] = 6, gradient d at [1, 2].
    let t = Tensor::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].mapv(A::from_f64));
    assert_close("index", IndexRule::fwd(&t, &[1, 2]), 6.0);
    assert_close("index", t[(0, 1)], 2.0);
    let mut slot = None;
    IndexRule::rev0_into(&mut slot, &meta(&t), &[1, 2], &f(3.0));
    IndexRule::rev0_into(&mut slot, &meta(&t), &(0, 0), &f(1.0));
    let want = array![[1.0, 0.0, 0.0], [0.0, 0.0, 3.0]];
    assert_all_close("index", &slot.unwrap(), &want);

    // index_axis(1, 2) = column 2 = [3, 6]; its gradient d = [1, 2] goes
    // into column 2; a second read of column 0 adds there.
    let y = t.index_axis(Axis(1), 2);
    assert_all_close("index_axis", y.data(), &array![3.0, 6.0]);
    let mut slot = None;
    let d = array![1.0, 2.0].mapv(A::from_f64);
    IndexAxisRule::rev0_into(&mut slot, &meta(&t), &Axis(1), &2, &d);
    IndexAxisRule::rev0_into(&mut slot, &meta(&t), &Axis(1), &0, &d);
    let want = array![[1.0, 0.0, 1.0], [2.0, 0.0, 2.0]];
    assert_all_close("index_axis", &slot.unwrap(), &want);
    // On one axis, index_axis gives a scalar.
    let v = Tensor::from(array![1.0, 2.0, 3.0].mapv(A::from_f64));
    let s: Tensor<A, Ix0> = v.index_axis(Axis(0), 1);
    assert_close("index_axis", s.item(), 2.0);

    // slice_axis(1, 1..) = columns 1 and 2; the gradient fills them.
    let y = t.slice_axis(Axis(1), Slice::from(1..));
    assert_all_close("slice_axis", y.data(), &array![[2.0, 3.0], [5.0, 6.0]]);
    let d = array![[1.0, 2.0], [3.0, 4.0]].mapv(A::from_f64);
    let mut slot = None;
    SliceAxisRule::rev0_into(&mut slot, &meta(&t), &Axis(1), &Slice::from(1..), &d);
    let want = array![[0.0, 1.0, 2.0], [0.0, 3.0, 4.0]];
    assert_all_close("slice_axis", &slot.unwrap(), &want);
    // A reversed slice with step -2 reads x[4], x[2], x[0]; d goes back there.
    let w = Tensor::from(array![0.0, 1.0, 2.0, 3.0, 4.0].mapv(A::from_f64));
    let rev = Slice::new(0, None, -2);
    assert_all_close(
        "slice_axis",
        w.slice_axis(Axis(0), rev).data(),
        &array![4.0, 2.0, 0.0],
    );
    let mut slot = None;
    let d = array![1.0, 2.0, 3.0].mapv(A::from_f64);
    SliceAxisRule::rev0_into(&mut slot, &meta(&w), &Axis(0), &rev, &d);
    assert_all_close(
        "slice_axis",
        &slot.unwrap(),
        &array![3.0, 0.0, 2.0, 0.0, 1.0],
    );
    // Negative bounds count from the end: -3..-1 is 2..4.
    let neg = Slice::new(-3, Some(-1), 1);
    assert_all_close(
        "slice_axis",
        w.slice_axis(Axis(0), neg).data(),
        &array![2.0, 3.0],
    );

    // insert_axis(1) of [1, 2, 3] is [[1], [2], [3]]; the gradient drops the axis.
    let y = v.insert_axis(Axis(1));
    assert_all_close("insert_axis", y.data(), &array![[1.0], [2.0], [3.0]]);
    let d = array![[1.0], [2.0], [3.0]].mapv(A::from_f64);
    let g = InsertAxisRule::rev0(&meta(&v), &Axis(1), &d);
    assert_all_close("insert_axis", &g, &array![1.0, 2.0, 3.0]);
    let y = v.insert_axis(Axis(0));
    assert_eq!(y.shape(), &[1, 3]);

    // broadcast of [1, 2, 3] to (2, 3) repeats the row; the gradient sums
    // the rows of d: [1 + 4, 2 + 5, 3 + 6].
    let y = v.broadcast((2, 3));
    assert_all_close(
        "broadcast",
        y.data(),
        &array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
    );
    let d = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].mapv(A::from_f64);
    let g = BroadcastRule::rev0(&meta(&v), &(2, 3), &d);
    assert_all_close("broadcast", &g, &array![5.0, 7.0, 9.0]);
    // A column (2, 1) to (2, 3): the gradient sums each row of d.
    let c = Tensor::from(array![[1.0], [2.0]].mapv(A::from_f64));
    let g = BroadcastRule::rev0(&meta(&c), &(2, 3), &d);
    assert_all_close("broadcast", &g, &array![[6.0], [15.0]]);
    // A scalar to a vector: the gradient is the sum of d.
    let s = Tensor::scalar(f(2.0));
    assert_all_close("broadcast", s.broadcast(3).data(), &array![2.0, 2.0, 2.0]);
    let g = BroadcastRule::rev0(&meta(&s), &3, &array![1.0, 2.0, 3.0].mapv(A::from_f64));
    assert_all_close("broadcast", &g, &arr0(6.0));
}

#[test]
fn hand_derived() {
    hand::<f64>();
    hand::<f32>();
}

/// Finite differences of every rule on a tensor of shape `shape`.
fn tensor_rules<A: Float, Sh: ShapeBuilder>(shape: Sh)
where
    Sh::Dim: RemoveAxis,
{
    let x: Array<A, Sh::Dim> = sample(shape, -2.0, 2.0, 1);
    let t = Tensor::from(x.clone());
    // One element: the last one.
    let last: Vec<usize> = x.shape().iter().map(|n| n - 1).collect();
    let last = IxDyn(&last);
    let td = Tensor::from(x.clone().into_dyn());
    let d = arr0(A::from_f64(0.7));
    let mut slot = None;
    IndexRule::rev0_into(&mut slot, &meta(&td), &last, &d[()]);
    let g = slot.unwrap();
    let f = |x: &Array<A, IxDyn>| arr0(IndexRule::fwd(&Tensor::from(x.clone()), &last));
    check_vjp("index", f, &x.clone().into_dyn(), &d, &g);

    for k in 0..x.ndim() {
        let axis = Axis(k);
        let n = x.shape()[k];
        for i in [0, n - 1] {
            let y = t.index_axis(axis, i);
            let d = sample(y.raw_dim(), -1.0, 1.0, 3 + k);
            let mut slot = None;
            IndexAxisRule::rev0_into(&mut slot, &meta(&t), &axis, &i, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).index_axis(axis, i).into_data();
            check_vjp("index_axis", f, &x, &d, &slot.unwrap());
        }
        for s in [Slice::from(1..), Slice::new(0, None, -2), Slice::from(..1)] {
            let y = t.slice_axis(axis, s);
            let d = sample(y.raw_dim(), -1.0, 1.0, 5 + k);
            let mut slot = None;
            SliceAxisRule::rev0_into(&mut slot, &meta(&t), &axis, &s, &d);
            let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).slice_axis(axis, s).into_data();
            check_vjp("slice_axis", f, &x, &d, &slot.unwrap());
        }
    }
    for k in 0..=x.ndim() {
        let axis = Axis(k);
        let y = t.insert_axis(axis);
        let d = sample(y.raw_dim(), -1.0, 1.0, 7 + k);
        let g = InsertAxisRule::rev0(&meta(&t), &axis, &d);
        let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).insert_axis(axis).into_data();
        check_vjp("insert_axis", f, &x, &d, &g);
    }
}

fn broadcast_rule<A: Float, Sh: ShapeBuilder, To: IntoDimension + Clone>(from: Sh, to: To) {
    let x: Array<A, Sh::Dim> = sample(from, -2.0, 2.0, 2);
    let t = Tensor::from(x.clone());
    let y = t.broadcast(to.clone());
    let d = sample(y.raw_dim(), -1.0, 1.0, 4);
    let g = BroadcastRule::rev0(&meta(&t), &to, &d);
    let f = |x: &Array<A, Sh::Dim>| Tensor::from(x.clone()).broadcast(to.clone()).into_data();
    check_vjp("broadcast", f, &x, &d, &g);
}

fn slice_rule<A: Float>(n: usize) {
    let x: Array1<A> = sample(n, -2.0, 2.0, 3);
    let v = x.to_vec();
    let d = arr0(A::from_f64(-1.3));
    for i in [0, n / 2, n - 1] {
        let mut slot = None;
        IndexRule::rev0_into(&mut slot, &meta(&v[..]), &i, &d[()]);
        let g = Array1::from(slot.unwrap());
        let f = |x: &Array1<A>| arr0(IndexRule::fwd(x.as_slice().unwrap(), &i));
        check_vjp("index", f, &x, &d, &g);
        let mut slot = None;
        IndexRule::rev0_into(&mut slot, &meta(&v), &i, &d[()]);
        let g = Array1::from(slot.unwrap());
        let f = |x: &Array1<A>| arr0(IndexRule::fwd(&x.to_vec(), &i));
        check_vjp("index", f, &x, &d, &g);
    }
}

fn finite_differences<A: Float>() {
    slice_rule::<A>(1);
    slice_rule::<A>(5);
    tensor_rules::<A, _>(4);
    tensor_rules::<A, _>((2, 3));
    tensor_rules::<A, _>(IxDyn(&[2, 1, 3]));
    broadcast_rule::<A, _, _>((), 3);
    broadcast_rule::<A, _, _>(3, (2, 3));
    broadcast_rule::<A, _, _>((2, 1), (2, 3));
    broadcast_rule::<A, _, _>((1, 3), (4, 2, 3));
    broadcast_rule::<A, _, _>((2, 3), (2, 3));
    broadcast_rule::<A, _, _>(IxDyn(&[3, 1]), vec![2, 3, 4]);
}

#[test]
fn finite_differences_f64() {
    finite_differences::<f64>();
}

#[test]
fn finite_differences_f32() {
    finite_differences::<f32>();
}

#[test]
fn reading_every_element_allocates_once() {
    // A loop reading each of n elements: the gradient is allocated on the
    // first read and written in place after, so its buffer never moves.
    let x: Vec<f64> = (0..1000).map(|i| i as f64).collect();
    let m = meta(&x[..]);
    let mut slot: Option<Vec<f64>> = None;
    IndexRule::rev0_into(&mut slot, &m, &0, &1.0);
    let buffer = slot.as_ref().unwrap().as_ptr();
    for i in 1..x.len() {
        IndexRule::rev0_into(&mut slot, &m, &i, &1.0);
    }
    let g = slot.unwrap();
    assert_eq!(g.as_ptr(), buffer);
    assert!(g.iter().all(|&v| v == 1.0));

    let t = Tensor::from(Array::<f32, Ix2>::zeros((20, 30)));
    let m = meta(&t);
    let mut slot: Option<Array<f32, Ix2>> = None;
    IndexRule::rev0_into(&mut slot, &m, &[0, 0], &1.0);
    let buffer = slot.as_ref().unwrap().as_ptr();
    for i in 0..20 {
        for j in 0..30 {
            IndexRule::rev0_into(&mut slot, &m, &[i, j], &2.0);
        }
    }
    let g = slot.unwrap();
    assert_eq!(g.as_ptr(), buffer);
    assert_eq!(g[[0, 0]], 3.0);
    assert_eq!(g.sum(), 1.0 + 2.0 * 600.0);
}

#[test]
fn gradients_add_into_an_existing_slot() {
    let t = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]]);
    let mut slot = Some(array![[1.0, 1.0], [1.0, 1.0]]);
    IndexAxisRule::rev0_into(&mut slot, &meta(&t), &Axis(0), &1, &array![5.0, 6.0]);
    SliceAxisRule::rev0_into(
        &mut slot,
        &meta(&t),
        &Axis(1),
        &Slice::from(..1),
        &array![[1.0], [1.0]],
    );
    IndexRule::rev0_into(&mut slot, &meta(&t), &[0, 1], &10.0);
    assert_eq!(slot.unwrap(), array![[2.0, 11.0], [7.0, 7.0]]);
    let mut slot = Some(vec![1.0f32, 1.0]);
    IndexRule::rev0_into(&mut slot, &meta(&[0.0f32, 0.0][..]), &1, &2.0);
    assert_eq!(slot.unwrap(), vec![1.0, 3.0]);
}

#[test]
fn slices_are_differentiable() {
    let x = [1.0f64, 2.0, 3.0];
    assert_eq!(meta(&x[..]).0, 3);
    assert_eq!(<[f64] as Differentiable>::zero_grad_of(&2), vec![0.0, 0.0]);
    let v = vec![1.0f32; 4];
    assert_eq!(meta(&v).0, 4);
    assert_eq!(<Vec<f32> as Differentiable>::zero_grad_of(&1), vec![0.0]);
    // Through a reference, as a `&[f64]` parameter is.
    let r: &[f64] = &x;
    assert_eq!(meta(&r).0, 3);
    assert!(!r.needs_grad());
}

#[test]
fn dimension_types() {
    let x = Tensor::<f64, Ix2>::zeros((2, 3));
    let _: Tensor<f64, Ix1> = x.index_axis(Axis(0), 1);
    let _: Tensor<f64, Ix2> = x.slice_axis(Axis(1), Slice::from(..2));
    let _: Tensor<f64, ndarray::Ix3> = x.insert_axis(Axis(2));
    let _: Tensor<f64, ndarray::Ix3> = x.broadcast((4, 2, 3));
    let _: Tensor<f64, IxDyn> = x.broadcast(vec![4, 2, 3]);
    let d = Tensor::<f64, IxDyn>::zeros(IxDyn(&[2, 3]));
    let _: Tensor<f64, IxDyn> = d.index_axis(Axis(0), 0);
    let _: Tensor<f64, IxDyn> = d.insert_axis(Axis(0));
    let _: f64 = d[[1, 2]];
    let _: f64 = Tensor::<f64, Ix1>::zeros(3)[2];
}

#[test]
#[should_panic(expected = "index out of bounds: the len is 3 but the index is 3")]
fn slice_index_out_of_bounds_panics_as_std() {
    IndexRule::fwd(&[1.0f64, 2.0, 3.0][..], &3);
}

#[test]
#[should_panic(expected = "index out of bounds: the len is 2 but the index is 5")]
fn vec_index_out_of_bounds_panics_as_std() {
    IndexRule::fwd(&vec![1.0f32, 2.0], &5);
}

#[test]
#[should_panic(expected = "index: index out of bounds for a tensor of shape [2, 3]")]
fn tensor_index_out_of_bounds_panics() {
    let t = Tensor::<f64, _>::zeros((2, 3));
    let _ = t[[2, 0]];
}

#[test]
#[should_panic(expected = "index: index out of bounds for a tensor of shape [4]")]
fn tensor_index_rule_panics_too() {
    IndexRule::fwd(&Tensor::<f32, _>::zeros(4), &4);
}

#[test]
#[should_panic(
    expected = "index_axis: index 3 is out of range for axis 1 of length 3 (shape [2, 3])"
)]
fn index_axis_index_out_of_range_panics() {
    Tensor::<f64, _>::zeros((2, 3)).index_axis(Axis(1), 3);
}

#[test]
#[should_panic(
    expected = "index_axis: axis 2 is out of range for a tensor with 2 axes (shape [2, 3])"
)]
fn index_axis_axis_out_of_range_panics() {
    IndexAxisRule::fwd(&Tensor::<f32, _>::zeros((2, 3)), &Axis(2), &0);
}

#[test]
#[should_panic(
    expected = "slice_axis: slice 1..7 with step 1 of axis 0 (shape [5, 2]): the end is out of range"
)]
fn slice_axis_end_out_of_range_panics() {
    Tensor::<f64, _>::zeros((5, 2)).slice_axis(Axis(0), Slice::from(1..7));
}

#[test]
#[should_panic(
    expected = "slice_axis: slice -3.. with step 1 of axis 1 (shape [5, 2]): the start is out of range"
)]
fn slice_axis_start_out_of_range_panics() {
    SliceAxisRule::fwd(
        &Tensor::<f32, _>::zeros((5, 2)),
        &Axis(1),
        &Slice::new(-3, None, 1),
    );
}

#[test]
#[should_panic(
    expected = "slice_axis: slice 0..2 with step 0 of axis 0 (shape [5]): the step is zero"
)]
fn slice_axis_zero_step_panics() {
    // `Slice::new` refuses a zero step, but the fields are public.
    let zero_step = Slice {
        start: 0,
        end: Some(2),
        step: 0,
    };
    Tensor::<f64, _>::zeros(5).slice_axis(Axis(0), zero_step);
}

#[test]
#[should_panic(
    expected = "slice_axis: axis 1 is out of range for a tensor with 1 axes (shape [5])"
)]
fn slice_axis_axis_out_of_range_panics() {
    Tensor::<f64, _>::zeros(5).slice_axis(Axis(1), Slice::from(..));
}

#[test]
#[should_panic(
    expected = "insert_axis: axis 3 is out of range for a tensor with 2 axes (shape [2, 3])"
)]
fn insert_axis_out_of_range_panics() {
    Tensor::<f64, _>::zeros((2, 3)).insert_axis(Axis(3));
}

#[test]
#[should_panic(
    expected = "broadcast: incompatible shapes [2, 3] and [3, 3]: the tensor's shape does not broadcast to the requested shape"
)]
fn broadcast_incompatible_panics() {
    Tensor::<f64, _>::zeros((2, 3)).broadcast((3, 3));
}

#[test]
#[should_panic(expected = "broadcast: incompatible shapes [2, 3] and [3]")]
fn broadcast_rule_panics_too() {
    BroadcastRule::fwd(&Tensor::<f32, _>::zeros((2, 3)), &3);
}

#[test]
fn try_errors() {
    let t = Tensor::<f64, _>::zeros((2, 3));
    let err = t.try_index_axis(Axis(0), 2).unwrap_err();
    assert_eq!(
        err,
        Error::IndexOutOfRange {
            op: "index_axis",
            axis: 0,
            index: 2,
            len: 2,
            shape: vec![2, 3]
        }
    );
    assert_eq!(
        err.to_string(),
        "index_axis: index 2 is out of range for axis 0 of length 2 (shape [2, 3])"
    );
    assert!(matches!(
        t.try_index_axis(Axis(4), 0).unwrap_err(),
        Error::AxisOutOfRange {
            op: "index_axis",
            axis: 4,
            ndim: 2,
            ..
        }
    ));
    assert_eq!(t.try_index_axis(Axis(1), 2).unwrap().shape(), &[2]);

    let err = t
        .try_slice_axis(Axis(1), Slice::new(-4, Some(2), 1))
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidSlice {
            op: "slice_axis",
            axis: 1,
            start: -4,
            end: Some(2),
            step: 1,
            shape: vec![2, 3],
            reason: "the start is out of range",
        }
    );
    assert_eq!(
        err.to_string(),
        "slice_axis: slice -4..2 with step 1 of axis 1 (shape [2, 3]): the start is out of range"
    );
    assert!(matches!(
        t.try_slice_axis(Axis(1), Slice::new(0, Some(-4), 1))
            .unwrap_err(),
        Error::InvalidSlice {
            reason: "the end is out of range",
            ..
        }
    ));
    assert!(matches!(
        t.try_slice_axis(
            Axis(0),
            Slice {
                start: 0,
                end: None,
                step: 0
            }
        )
        .unwrap_err(),
        Error::InvalidSlice {
            reason: "the step is zero",
            ..
        }
    ));
    assert!(matches!(
        t.try_slice_axis(Axis(2), Slice::from(..)).unwrap_err(),
        Error::AxisOutOfRange { axis: 2, .. }
    ));
    // Bounds at the ends are in range; an end before the start is empty.
    assert_eq!(
        t.try_slice_axis(Axis(1), Slice::from(3..)).unwrap().shape(),
        &[2, 0]
    );
    assert_eq!(
        t.try_slice_axis(Axis(1), Slice::from(-3..))
            .unwrap()
            .shape(),
        &[2, 3]
    );
    assert_eq!(
        t.try_slice_axis(Axis(1), Slice::new(2, Some(1), 1))
            .unwrap()
            .shape(),
        &[2, 0]
    );

    let err = t.try_insert_axis(Axis(3)).unwrap_err();
    assert_eq!(
        err,
        Error::AxisOutOfRange {
            op: "insert_axis",
            axis: 3,
            ndim: 2,
            shape: vec![2, 3]
        }
    );
    assert_eq!(t.try_insert_axis(Axis(2)).unwrap().shape(), &[2, 3, 1]);

    let err = t.try_broadcast((4, 3, 2)).unwrap_err();
    assert_eq!(
        err,
        Error::IncompatibleShapes {
            op: "broadcast",
            lhs: vec![2, 3],
            rhs: vec![4, 3, 2],
            reason: "the tensor's shape does not broadcast to the requested shape",
        }
    );
    // Broadcasting never removes axes.
    assert!(t.try_broadcast(3).is_err());
    assert_eq!(t.try_broadcast((4, 2, 3)).unwrap().shape(), &[4, 2, 3]);
}
