//! Summing a gradient back to the shape of a broadcast operand.

use ndarray::{Array, ArrayView, Axis, CowArray, Dimension, IxDyn};

use crate::float::Float;

/// Sums `g` over the axes that broadcasting added or stretched, so that the
/// result has the shape `target` (the shape of the operand before broadcasting).
///
/// Broadcasting follows ndarray (and NumPy): shapes are aligned on their last
/// axes; missing leading axes and axes of length 1 are stretched.
pub fn sum_to_shape<A: Float, E: Dimension>(g: ArrayView<'_, A, IxDyn>, target: &E) -> Array<A, E> {
    let target_shape = target.slice();
    if g.shape() == target_shape {
        return g
            .to_owned()
            .into_dimensionality::<E>()
            .expect("same shape, same dimensionality");
    }
    let lead = g.ndim() - target_shape.len();
    // Each sum reads the previous result (the first reads `g` in place).
    let mut acc: CowArray<'_, A, IxDyn> = g.into();
    // Sum the leading axes that the operand did not have: at once, as the
    // rows of a matrix, when `g` is row-major.
    if lead > 0 && acc.is_standard_layout() {
        let rows: usize = acc.shape()[..lead].iter().product();
        let rest = acc.shape()[lead..].to_vec();
        let cols: usize = rest.iter().product();
        let matrix = acc
            .view()
            .into_shape_with_order((rows, cols))
            .expect("a row-major array views as a matrix");
        let mut sum = Array::zeros(cols);
        for row in matrix.rows() {
            sum += &row;
        }
        acc = sum
            .into_shape_with_order(IxDyn(&rest))
            .expect("as many elements")
            .into();
    }
    while acc.ndim() > target_shape.len() {
        acc = acc.sum_axis(Axis(0)).into();
    }
    // Sum (keeping the axis) where the operand had length 1.
    for (i, &n) in target_shape.iter().enumerate() {
        if n == 1 && acc.shape()[i] != 1 {
            acc = acc.sum_axis(Axis(i)).insert_axis(Axis(i)).into();
        }
    }
    acc.into_owned()
        .into_shape_with_order(target.clone())
        .expect("broadcast gradient reduces to the operand's shape")
}

/// Like [`sum_to_shape`], taking the gradient by value: when no axis was
/// broadcast, the array is returned as it is, without a copy.
pub fn sum_to_shape_owned<A: Float, E: Dimension>(g: Array<A, IxDyn>, target: &E) -> Array<A, E> {
    if g.shape() == target.slice() {
        if let Ok(g) = g.into_dimensionality::<E>() {
            return g;
        }
        unreachable!("same shape, same dimensionality");
    }
    sum_to_shape(g.view(), target)
}

/// Like [`sum_to_shape`], for a gradient of any dimension type.
pub fn unbroadcast<A: Float, D: Dimension, E: Dimension>(
    g: &Array<A, D>,
    target: &E,
) -> Array<A, E> {
    sum_to_shape(g.view().into_dyn(), target)
}

/// The shape two operands broadcast to, or `None` if they do not broadcast.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Ix1, Ix2};

    #[test]
    fn sums_leading_and_stretched_axes() {
        let g = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let row = unbroadcast(&g, &Ix1(3));
        assert_eq!(row, array![5.0, 7.0, 9.0]);
        let col = unbroadcast(&g, &Ix2(2, 1));
        assert_eq!(col, array![[6.0], [15.0]]);
        let same = unbroadcast(&g, &Ix2(2, 3));
        assert_eq!(same, g);
    }

    #[test]
    fn broadcast_shapes_follow_numpy() {
        assert_eq!(broadcast_shapes(&[2, 1], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[], &[4]), Some(vec![4]));
        assert_eq!(broadcast_shapes(&[2], &[3]), None);
    }
}
