//! `argmax` on ties, NaNs and infinities, checked against the indices
//! PyTorch 2.15 gives (`torch.tensor(..).argmax(dim=k)` on the same values).

use ndarray::{array, Array, Axis, Ix2, IxDyn, Zip};

use super::*;
use crate::float::Float;
use crate::tensor::Tensor;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

fn tensor<A: Float>(x: Array<f64, Ix2>) -> Tensor<A, Ix2> {
    Tensor::from(x.mapv(A::from_f64))
}

fn ties_nans_and_infinities<A: Float>() {
    let x = tensor::<A>(array![
        [1.0, 3.0, 3.0],
        [NAN, 2.0, NAN],
        [2.0, 2.0, 1.0],
        [-INF, -INF, -INF]
    ]);
    // PyTorch: x.argmax(dim=1) = [1, 0, 0, 0], x.argmax(dim=0) = [1, 0, 1].
    assert_eq!(x.argmax(Axis(1)), array![1, 0, 0, 0]);
    assert_eq!(x.argmax(Axis(0)), array![1, 0, 1]);

    // A NaN after a number, and before one (PyTorch: [1, 0] both ways).
    let y = tensor::<A>(array![[1.0, NAN], [NAN, 5.0]]);
    assert_eq!(y.argmax(Axis(0)), array![1, 0]);
    assert_eq!(y.argmax(Axis(1)), array![1, 0]);

    // NaN beats +inf (PyTorch: [1]).
    let z = tensor::<A>(array![[INF, NAN, INF]]);
    assert_eq!(z.argmax(Axis(1)), array![1]);
}

#[test]
fn ties_go_first_and_nan_is_the_maximum_as_in_pytorch() {
    ties_nans_and_infinities::<f64>();
    ties_nans_and_infinities::<f32>();
}

#[test]
fn the_index_points_at_max_axis() {
    // On NaN-free data, the element at the index is the lane's maximum.
    let x = Tensor::from(Array::from_shape_fn((3, 4, 5), |(i, j, k)| {
        ((i * 7 + j * 3 + k * 11) % 13) as f64 - 6.0
    }));
    for axis in 0..3 {
        let idx = x.argmax(Axis(axis));
        let max = x.max_axis(Axis(axis));
        Zip::from(x.data().lanes(Axis(axis)))
            .and(&idx)
            .and(max.data())
            .for_each(|lane, &i, &m| {
                // The element at the index is the maximum, and no earlier one is.
                assert_eq!(lane[i], m);
                assert!(lane.iter().take(i).all(|&v| v < m));
            });
    }
    // One axis: a 0-dimensional array of indices.
    let v = Tensor::from(array![0.5f32, 4.0, 4.0, -1.0]);
    assert_eq!(v.argmax(Axis(0)).into_scalar(), 1);
    // A dynamic number of axes.
    let d = Tensor::from(array![[1.0, 0.0], [0.0, 1.0]].into_dyn());
    assert_eq!(d.argmax(Axis(1)), array![0, 1].into_dyn());
    let _: Array<usize, IxDyn> = d.argmax(Axis(0));
}

#[test]
fn try_argmax_reports_bad_axes() {
    let x = Tensor::<f64, Ix2>::zeros((2, 3));
    assert_eq!(
        x.try_argmax(Axis(2)),
        Err(Error::AxisOutOfRange {
            op: "argmax",
            axis: 2,
            ndim: 2,
            shape: vec![2, 3]
        })
    );
    let empty = Tensor::<f64, Ix2>::zeros((2, 0));
    assert_eq!(
        empty.try_argmax(Axis(1)),
        Err(Error::EmptyAxis {
            op: "argmax",
            axis: 1,
            shape: vec![2, 0]
        })
    );
    // PyTorch: zeros(0, 3).argmax(dim=1) is an empty tensor.
    let no_rows = Tensor::<f64, Ix2>::zeros((0, 3));
    assert_eq!(no_rows.argmax(Axis(1)).len(), 0);
}

#[test]
#[should_panic(expected = "argmax: axis 3 is out of range for a tensor with 2 axes (shape [2, 3])")]
fn argmax_panics_naming_the_axis_and_the_shape() {
    Tensor::<f32, Ix2>::zeros((2, 3)).argmax(Axis(3));
}
