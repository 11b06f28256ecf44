//! Mini-batches for training: [`DataLoader`] over a matrix of samples (an
//! array, a tensor or a view: see [`IntoSamples`]) and their class labels,
//! and [`split_indices`] for a train/test split.
//!
//! ```
//! use autograd::data::{split_indices, subset, DataLoader};
//! use autograd::ndarray::Array2;
//!
//! // 10 samples of 2 features, labels 0 and 1.
//! let x = Array2::from_shape_fn((10, 2), |(i, j)| (i * 2 + j) as f64);
//! let y: Vec<usize> = (0..10).map(|i| i % 2).collect();
//!
//! // Hold out 20% for testing.
//! let (train, test) = split_indices(10, 0.2, 0);
//! let (x_train, y_train) = subset(&x, &y, &train);
//! let (x_test, y_test) = subset(&x, &y, &test);
//! assert_eq!((x_train.nrows(), x_test.nrows()), (8, 2));
//!
//! let mut loader = DataLoader::new(&x_train, &y_train, 3).shuffle(42);
//! assert_eq!(loader.len(), 3); // batches of 3, 3 and 2
//! for epoch in 0..2 {
//!     for (inputs, labels) in loader.iter() {
//!         assert_eq!(inputs.shape()[0], labels.len());
//!         // ... forward, backward, optimizer step
//!     }
//! }
//! # let _ = (x_test, y_test);
//! ```

use ndarray::{Array2, ArrayView2, Axis};

use crate::error::{or_panic, Error};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// A matrix of samples, one per row, as [`DataLoader`] and [`subset`] take
/// it: an [`Array2`], a [`Tensor`] with two axes (only its data is read; its
/// gradient and `requires_grad` play no part), or an [`ArrayView2`].
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::array;
///
/// // The same samples as an array, a tensor and a view give the same batches.
/// let x = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// let t = Tensor::from(x.clone());
/// let y = [0, 1, 0];
/// let from_array: Vec<_> = DataLoader::new(&x, &y, 2).shuffle(1).iter().collect();
/// let from_tensor: Vec<_> = DataLoader::new(&t, &y, 2).shuffle(1).iter().collect();
/// let from_view: Vec<_> = DataLoader::new(x.view(), &y, 2).shuffle(1).iter().collect();
/// assert_eq!(from_array, from_tensor);
/// assert_eq!(from_array, from_view);
/// ```
pub trait IntoSamples<'a, A> {
    /// A view of the samples, one per row.
    fn into_samples(self) -> ArrayView2<'a, A>;
}

impl<'a, A> IntoSamples<'a, A> for &'a Array2<A> {
    fn into_samples(self) -> ArrayView2<'a, A> {
        self.view()
    }
}

impl<'a, A> IntoSamples<'a, A> for &'a Tensor<A, ndarray::Ix2> {
    fn into_samples(self) -> ArrayView2<'a, A> {
        self.data().view()
    }
}

impl<'a, A> IntoSamples<'a, A> for ArrayView2<'a, A> {
    fn into_samples(self) -> ArrayView2<'a, A> {
        self
    }
}

/// Mini-batches of `(inputs, labels)` for training, as PyTorch's
/// `DataLoader(TensorDataset(x, y), batch_size, shuffle)`.
///
/// Sample `i` is row `i` of `inputs` and `labels[i]`; `inputs` is an
/// `&Array2`, a `&Tensor` with two axes or an `ArrayView2` (see
/// [`IntoSamples`]), and each gives the same batches. Each call of
/// [`iter`](Self::iter) is one epoch: it yields every sample exactly once, in
/// batches of `batch_size` rows, the last batch holding what remains
/// (PyTorch's `drop_last=False`). Without [`shuffle`](Self::shuffle) the
/// samples come in order; with it, epoch `k` uses the permutation drawn by
/// [`Rng::derive(seed, k)`](Rng::derive), so each epoch has a different order
/// and a run is reproducible from the seed alone.
///
/// The loader borrows the data; batches are copied out as tensors (which do
/// not require grad).
///
/// ```
/// use autograd::data::DataLoader;
/// use autograd::ndarray::array;
///
/// let x = array![[1.0f32], [2.0], [3.0], [4.0], [5.0]];
/// let y = [0, 1, 0, 1, 0];
/// let mut loader = DataLoader::new(&x, &y, 2);
/// let batches: Vec<_> = loader.iter().collect();
/// assert_eq!(batches.len(), 3);
/// assert_eq!(batches[0].0.data(), &array![[1.0], [2.0]]);
/// assert_eq!(batches[2].1, vec![0]); // the partial last batch
/// ```
#[derive(Clone, Debug)]
pub struct DataLoader<'a, A> {
    inputs: ArrayView2<'a, A>,
    labels: &'a [usize],
    batch_size: usize,
    seed: Option<u64>,
    epoch: u64,
}

impl<'a, A: Clone> DataLoader<'a, A> {
    /// A loader over the rows of `inputs` (an `&Array2`, a `&Tensor` with
    /// two axes or an `ArrayView2`) and their `labels`, in order, in batches
    /// of `batch_size` samples.
    ///
    /// # Panics
    /// If `labels.len()` is not the number of rows of `inputs` (the message
    /// names both shapes), or `batch_size` is 0. See [`try_new`](Self::try_new).
    #[track_caller]
    pub fn new(inputs: impl IntoSamples<'a, A>, labels: &'a [usize], batch_size: usize) -> Self {
        or_panic(Self::try_new(inputs, labels, batch_size))
    }

    /// Like [`new`](Self::new), returning [`Error::IncompatibleShapes`]
    /// instead of panicking.
    ///
    /// ```
    /// use autograd::data::DataLoader;
    /// use autograd::ndarray::Array2;
    ///
    /// let x = Array2::<f64>::zeros((3, 2));
    /// let err = DataLoader::try_new(&x, &[0, 1], 2).unwrap_err();
    /// assert!(err.to_string().starts_with("DataLoader: incompatible shapes [3, 2] and [2]"));
    /// ```
    pub fn try_new(
        inputs: impl IntoSamples<'a, A>,
        labels: &'a [usize],
        batch_size: usize,
    ) -> Result<Self, Error> {
        let inputs = inputs.into_samples();
        let reason = if labels.len() != inputs.nrows() {
            "the number of labels differs from the number of rows of the inputs"
        } else if batch_size == 0 {
            "the batch size must be at least 1"
        } else {
            return Ok(DataLoader {
                inputs,
                labels,
                batch_size,
                seed: None,
                epoch: 0,
            });
        };
        Err(Error::IncompatibleShapes {
            op: "DataLoader",
            lhs: inputs.shape().to_vec(),
            rhs: vec![labels.len()],
            reason,
        })
    }

    /// Shuffles the samples in every epoch, deterministically: epoch `k`
    /// (counted from 0 by [`iter`](Self::iter)) uses the generator
    /// [`Rng::derive(seed, k)`](Rng::derive).
    ///
    /// ```
    /// use autograd::data::DataLoader;
    /// use autograd::ndarray::Array2;
    ///
    /// let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
    /// let y = [0; 6];
    /// let order = |loader: &mut DataLoader<f64>| -> Vec<f64> {
    ///     loader.iter().flat_map(|(x, _)| x.data().iter().copied().collect::<Vec<_>>()).collect()
    /// };
    /// let mut a = DataLoader::new(&x, &y, 4).shuffle(7);
    /// let mut b = DataLoader::new(&x, &y, 4).shuffle(7);
    /// let (a0, a1) = (order(&mut a), order(&mut a));
    /// assert_ne!(a0, a1); // a new order each epoch
    /// assert_eq!((order(&mut b), order(&mut b)), (a0, a1)); // the same for the same seed
    /// ```
    #[must_use]
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The number of batches in an epoch: `⌈dataset_len / batch_size⌉`.
    pub fn len(&self) -> usize {
        self.labels.len().div_ceil(self.batch_size)
    }

    /// Whether an epoch has no batches (the dataset is empty).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The number of samples.
    pub fn dataset_len(&self) -> usize {
        self.labels.len()
    }

    /// The number of samples per batch (the last batch may have fewer).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The epoch the next call of [`iter`](Self::iter) yields, counted from 0.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Sets the epoch the next call of [`iter`](Self::iter) yields (to
    /// resume a run, for instance: the shuffled order of an epoch depends
    /// only on the seed and the epoch).
    pub fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
    }

    /// The order of the samples in epoch `epoch`: `0..n` without shuffling.
    pub fn order(&self, epoch: u64) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.labels.len()).collect();
        if let Some(seed) = self.seed {
            Rng::derive(seed, epoch).shuffle(&mut order);
        }
        order
    }

    /// One epoch: the batches `(inputs, labels)`, the inputs as a tensor of
    /// shape `(batch, features)`. Advances the epoch counter.
    ///
    /// The iterator borrows the data, not the loader.
    pub fn iter(&mut self) -> Batches<'a, A> {
        let order = self.order(self.epoch);
        self.epoch += 1;
        Batches {
            inputs: self.inputs,
            labels: self.labels,
            order,
            batch_size: self.batch_size,
            next: 0,
        }
    }
}

/// The batches of one epoch of a [`DataLoader`], from
/// [`DataLoader::iter`].
#[derive(Clone, Debug)]
pub struct Batches<'a, A> {
    inputs: ArrayView2<'a, A>,
    labels: &'a [usize],
    order: Vec<usize>,
    batch_size: usize,
    next: usize,
}

impl<A: Clone> Iterator for Batches<'_, A> {
    type Item = (Tensor<A, ndarray::Ix2>, Vec<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.order.len() {
            return None;
        }
        let end = (self.next + self.batch_size).min(self.order.len());
        let indices = &self.order[self.next..end];
        self.next = end;
        let inputs = self.inputs.select(Axis(0), indices);
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        Some((Tensor::from(inputs), labels))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.order.len() - self.next).div_ceil(self.batch_size);
        (left, Some(left))
    }
}

impl<A: Clone> ExactSizeIterator for Batches<'_, A> {}

impl<A: Clone> std::iter::FusedIterator for Batches<'_, A> {}

/// Splits the sample indices `0..n` at random into a training and a test
/// set, as scikit-learn's `train_test_split` does: the test set has
/// `⌈test_fraction·n⌉` samples (a product within rounding of an integer
/// counts as that integer), the training set the rest. Both come in the
/// shuffled order of [`Rng::seed_from(seed)`](Rng::seed_from).
///
/// # Panics
/// If `test_fraction` is not in `[0, 1]`.
///
/// ```
/// use autograd::data::split_indices;
///
/// let (train, test) = split_indices(10, 0.3, 1);
/// assert_eq!((train.len(), test.len()), (7, 3));
/// let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
/// all.sort();
/// assert_eq!(all, (0..10).collect::<Vec<_>>());
/// ```
#[track_caller]
pub fn split_indices(n: usize, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    assert!(
        (0.0..=1.0).contains(&test_fraction),
        "split_indices: the test fraction must be in [0, 1], got {test_fraction}"
    );
    let exact = test_fraction * n as f64;
    let nearest = exact.round();
    let n_test = if (exact - nearest).abs() <= 1e-9 * exact.max(1.0) {
        nearest
    } else {
        exact.ceil()
    } as usize;
    let mut order = Rng::seed_from(seed).permutation(n);
    let test = order.split_off(n - n_test.min(n));
    (order, test)
}

/// The samples at `indices`, in that order: rows of `inputs` (an `&Array2`,
/// a `&Tensor` with two axes or an `ArrayView2`, see [`IntoSamples`]) as an
/// array, and the matching labels (for the sets of [`split_indices`]).
///
/// # Panics
/// If an index is out of range of the inputs or the labels.
///
/// ```
/// use autograd::data::subset;
/// use autograd::ndarray::array;
///
/// let x = array![[1.0], [2.0], [3.0]];
/// let (xs, ys) = subset(&x, &[5, 6, 7], &[2, 0]);
/// assert_eq!((xs, ys), (array![[3.0], [1.0]], vec![7, 5]));
/// ```
#[track_caller]
pub fn subset<'a, A: Clone + 'a>(
    inputs: impl IntoSamples<'a, A>,
    labels: &[usize],
    indices: &[usize],
) -> (Array2<A>, Vec<usize>) {
    let ys = indices.iter().map(|&i| labels[i]).collect();
    (inputs.into_samples().select(Axis(0), indices), ys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Sample i has the single feature i and the label 100 + i.
    fn data(n: usize) -> (Array2<f64>, Vec<usize>) {
        (
            Array2::from_shape_fn((n, 2), |(i, j)| (i * 10 + j) as f64),
            (0..n).map(|i| 100 + i).collect(),
        )
    }

    /// The sample numbers of one epoch, batch by batch, checking that each
    /// row matches its label.
    fn epoch(loader: &mut DataLoader<'_, f64>) -> Vec<Vec<usize>> {
        loader
            .iter()
            .map(|(x, y)| {
                assert_eq!(x.shape(), &[y.len(), 2]);
                assert!(!x.is_requires_grad());
                for (row, &label) in x.data().rows().into_iter().zip(&y) {
                    let i = label - 100;
                    assert_eq!(row.to_vec(), vec![(i * 10) as f64, (i * 10 + 1) as f64]);
                }
                y.iter().map(|l| l - 100).collect()
            })
            .collect()
    }

    #[test]
    fn every_sample_once_per_epoch() {
        let (x, y) = data(10);
        for shuffle in [false, true] {
            for batch_size in [1, 3, 4, 10, 25] {
                let mut loader = DataLoader::new(&x, &y, batch_size);
                if shuffle {
                    loader = loader.shuffle(5);
                }
                for _ in 0..3 {
                    let batches = epoch(&mut loader);
                    assert_eq!(batches.len(), loader.len());
                    let mut seen: Vec<usize> = batches.concat();
                    seen.sort_unstable();
                    assert_eq!(seen, (0..10).collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn tensors_and_views_give_the_same_batches_as_arrays() {
        let (x, y) = data(11);
        let t = Tensor::from(x.clone()).requires_grad();
        t.accumulate_grad(Array2::ones((11, 2))); // a gradient plays no part
        for shuffle in [None, Some(8)] {
            let loaders = [
                DataLoader::new(&x, &y, 4),
                DataLoader::new(&t, &y, 4),
                DataLoader::new(x.view(), &y, 4),
            ];
            let epochs = loaders.map(|loader| {
                let mut loader = match shuffle {
                    Some(seed) => loader.shuffle(seed),
                    None => loader,
                };
                let mut batches = Vec::new();
                for _ in 0..2 {
                    batches.extend(loader.iter());
                }
                batches
            });
            assert_eq!(epochs[0].len(), 6);
            assert_eq!(epochs[0], epochs[1]);
            assert_eq!(epochs[0], epochs[2]);
            // The batches of a tensor are new tensors, which do not require grad.
            assert!(epochs[1].iter().all(|(b, _)| !b.is_requires_grad()));
        }
        // The same samples from subset, whichever form the inputs take.
        assert_eq!(subset(&t, &y, &[4, 1]), subset(&x, &y, &[4, 1]));
        assert_eq!(subset(x.view(), &y, &[0]), subset(&x, &y, &[0]));
    }

    #[test]
    fn a_tensor_of_the_wrong_length_is_refused_with_both_shapes() {
        let (x, y) = data(4);
        let t = Tensor::from(x);
        let err = DataLoader::try_new(&t, &y[..3], 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DataLoader: incompatible shapes [4, 2] and [3]: the number of labels differs from \
             the number of rows of the inputs"
        );
    }

    #[test]
    fn partial_last_batch() {
        let (x, y) = data(10);
        let mut loader = DataLoader::new(&x, &y, 4);
        assert_eq!(
            (loader.len(), loader.dataset_len(), loader.batch_size()),
            (3, 10, 4)
        );
        let it = loader.iter();
        assert_eq!(it.len(), 3);
        let sizes: Vec<usize> = it.map(|(_, y)| y.len()).collect();
        assert_eq!(sizes, vec![4, 4, 2]);
        // In order without shuffling.
        assert_eq!(
            epoch(&mut loader),
            vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
        );
        // Exact multiples have no partial batch; one batch larger than the data.
        assert_eq!(DataLoader::new(&x, &y, 5).len(), 2);
        let mut big = DataLoader::new(&x, &y, 64);
        assert_eq!(big.len(), 1);
        assert_eq!(epoch(&mut big), vec![(0..10).collect::<Vec<_>>()]);
        // An empty dataset has no batches.
        let (x0, y0) = data(0);
        let mut empty = DataLoader::new(&x0, &y0, 3).shuffle(1);
        assert!(empty.is_empty());
        assert_eq!((empty.len(), empty.iter().count()), (0, 0));
    }

    #[test]
    fn size_hint_counts_down() {
        let (x, y) = data(7);
        let mut loader = DataLoader::new(&x, &y, 3);
        let mut it = loader.iter();
        assert_eq!(it.size_hint(), (3, Some(3)));
        it.next();
        assert_eq!(it.len(), 2);
        it.next();
        it.next();
        assert_eq!(it.len(), 0);
        assert!(it.next().is_none() && it.next().is_none());
    }

    #[test]
    fn shuffling_is_deterministic_and_differs_across_epochs() {
        let (x, y) = data(50);
        let mut a = DataLoader::new(&x, &y, 8).shuffle(3);
        let mut b = DataLoader::new(&x, &y, 8).shuffle(3);
        let epochs_a: Vec<_> = (0..4).map(|_| epoch(&mut a)).collect();
        let epochs_b: Vec<_> = (0..4).map(|_| epoch(&mut b)).collect();
        assert_eq!(epochs_a, epochs_b);
        assert_eq!(a.epoch(), 4);
        // Every epoch in a different order, none of them the identity.
        let orders: HashSet<Vec<usize>> = epochs_a.iter().map(|e| e.concat()).collect();
        assert_eq!(orders.len(), 4);
        assert!(!orders.contains(&(0..50).collect::<Vec<_>>()));
        // Another seed, another order.
        let mut c = DataLoader::new(&x, &y, 8).shuffle(4);
        assert_ne!(epoch(&mut c), epochs_a[0]);
        // Epoch k depends only on the seed and k: resuming reproduces it.
        let mut resumed = DataLoader::new(&x, &y, 8).shuffle(3);
        resumed.set_epoch(2);
        assert_eq!(epoch(&mut resumed), epochs_a[2]);
        assert_eq!(a.order(1), epochs_a[1].concat());
    }

    #[test]
    fn split_is_a_partition() {
        for (n, fraction, n_test) in [
            (10, 0.2, 2),
            (10, 0.7, 7),
            (10, 0.25, 3),
            (3, 0.5, 2),
            (100, 0.1, 10),
            (5, 0.0, 0),
            (5, 1.0, 5),
            (0, 0.3, 0),
        ] {
            let (train, test) = split_indices(n, fraction, 9);
            assert_eq!(test.len(), n_test, "n = {n}, fraction {fraction}");
            assert_eq!(train.len(), n - n_test);
            let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
            all.sort_unstable();
            assert_eq!(all, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(split_indices(20, 0.3, 1), split_indices(20, 0.3, 1));
        assert_ne!(split_indices(20, 0.3, 1), split_indices(20, 0.3, 2));
        let (x, y) = data(4);
        let (xs, ys) = subset(&x, &y, &[3, 1]);
        assert_eq!(ys, vec![103, 101]);
        assert_eq!(xs.row(0).to_vec(), vec![30.0, 31.0]);
    }

    #[test]
    #[should_panic(
        expected = "DataLoader: incompatible shapes [4, 2] and [3]: the number of labels differs from the number of rows of the inputs"
    )]
    fn label_count_panics() {
        let (x, y) = data(4);
        DataLoader::new(&x, &y[..3], 2);
    }

    #[test]
    #[should_panic(
        expected = "DataLoader: incompatible shapes [4, 2] and [4]: the batch size must be at least 1"
    )]
    fn zero_batch_size_panics() {
        let (x, y) = data(4);
        DataLoader::new(&x, &y, 0);
    }

    #[test]
    #[should_panic(expected = "split_indices: the test fraction must be in [0, 1], got 1.5")]
    fn split_fraction_panics() {
        split_indices(4, 1.5, 0);
    }
}
