//! Parameters: the tensors of a model, visited by name, for optimizers,
//! `zero_grad` and saving/loading.
//!
//! A model is any value implementing [`Parameters`]: a single [`Tensor`], or a
//! struct of tensors and nested such structs (`#[derive(Parameters)]` writes
//! the impl). [`Parameters::visit`] calls a closure with every parameter
//! tensor, seen through the object-safe [`Param`] trait (no dimension type), and
//! its dotted name (`"layer1.weight"`), always in the same order: declaration
//! order. Optimizers keep their per-parameter state in that order.
//!
//! # File format
//!
//! [`Parameters::save_to`] writes, and [`Parameters::load_from`] reads, this
//! little-endian binary format (version 1):
//!
//! | bytes     | content                                                        |
//! |-----------|----------------------------------------------------------------|
//! | 8         | magic: `AGPARAMS` in ASCII                                     |
//! | 4         | format version, `u32` (1)                                      |
//! | 8         | number of parameters, `u64`                                    |
//! |           | then for each parameter, in visit order:                       |
//! | 4         | length of the name in bytes, `u32`                             |
//! | *n*       | the dotted name, UTF-8                                         |
//! | 1         | element type: 1 for `f32`, 2 for `f64`                         |
//! | 4         | number of axes *k*, `u32`                                      |
//! | 8·*k*     | length of each axis, `u64`                                     |
//! | *s*·*N*   | the *N* elements in row-major (logical) order, IEEE 754, *s* = 4 or 8 |
//!
//! Values are stored bit for bit, so a round trip is exact (NaN payloads
//! included). Loading checks the magic, the version, the number of
//! parameters, and each parameter's name, shape and element type against the
//! model, reads the whole file, and only then writes into the model: on any
//! [`LoadError`] the parameters are left unchanged.
//!
//! ```
//! use autograd::prelude::*;
//! use autograd::ndarray::array;
//! use autograd::Parameters;
//!
//! let w = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]]);
//! let mut bytes = Vec::new();
//! w.save_to(&mut bytes).unwrap();
//!
//! let mut restored = Tensor::<f64, Ix2>::zeros((2, 2));
//! restored.load_from(&mut bytes.as_slice()).unwrap();
//! assert_eq!(restored, w);
//!
//! // A model of another shape is refused, and left as it was.
//! let mut other = Tensor::<f64, Ix2>::zeros((2, 3));
//! assert!(other.load_from(&mut bytes.as_slice()).is_err());
//! assert_eq!(other, Tensor::zeros((2, 3)));
//! ```

use std::any::{Any, TypeId};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, Dimension, IxDyn};

use crate::float::Float;
use crate::tensor::Tensor;
use crate::value::Differentiable;

/// One parameter tensor, seen without its dimension type (object-safe).
///
/// [`Parameters::visit`] hands each parameter of a model to its closure as a
/// `&dyn Param<A>`. Implemented by [`Tensor`].
pub trait Param<A> {
    /// The length of each axis.
    fn shape(&self) -> &[usize];
    /// The number of elements.
    fn numel(&self) -> usize;
    /// A view of the data with a dynamic number of axes.
    fn data_view(&self) -> ArrayViewD<'_, A>;
    /// A copy of the stored gradient (None until a backward reaches it).
    fn grad_dyn(&self) -> Option<ArrayD<A>>;
    /// Clears the stored gradient, so that it is `None` again.
    fn zero_grad(&self);
    /// Runs `f` on the stored gradient without copying it; does nothing
    /// when there is none.
    fn with_grad(&self, f: &mut dyn FnMut(ArrayViewD<'_, A>));
    /// Runs `f` on the stored gradient, writable in place (for clipping);
    /// does nothing when there is none. The slot is locked while `f` runs.
    fn with_grad_mut(&self, f: &mut dyn FnMut(ArrayViewMutD<'_, A>));
    /// Whether `backward()` stores a gradient for this parameter.
    fn is_requires_grad(&self) -> bool;
}

/// One parameter tensor, writable, seen without its dimension type
/// (object-safe). [`Parameters::visit_mut`] hands each parameter of a model to
/// its closure as a `&mut dyn ParamMut<A>`. Implemented by [`Tensor`].
pub trait ParamMut<A>: Param<A> {
    /// A writable view of the data with a dynamic number of axes.
    fn data_view_mut(&mut self) -> ArrayViewMutD<'_, A>;
    /// Sets whether `backward()` stores a gradient for this parameter.
    fn set_requires_grad(&mut self, requires_grad: bool);
    /// Runs `f` on the data (writable) and the stored gradient (if any), copying neither.
    #[allow(clippy::type_complexity)] // the signature is the object-safe contract
    fn update(&mut self, f: &mut dyn FnMut(ArrayViewMutD<'_, A>, Option<ArrayViewD<'_, A>>));
}

/// A model: a value made of parameter tensors, each with a dotted name.
///
/// The two required methods visit the parameters in a fixed order
/// (declaration order); everything else is provided on top of them:
/// clearing gradients, switching `requires_grad`, counting, naming, saving
/// and loading (see the [module documentation](self) for the file format).
/// Optimizers ([`crate::optim`]) step any `P: Parameters`.
///
/// `#[derive(Parameters)]` implements it for a struct whose fields are tensors
/// or other such structs; a [`Tensor`] is a model with one parameter, named
/// `""` at the top level. By hand, an impl calls `visit` on each field with
/// [`join_name(prefix, "field")`](join_name):
///
/// ```
/// use autograd::prelude::*;
/// use autograd::ndarray::{Array1, Array2};
/// use autograd::{join_name, GradValue, Param, ParamMut, Parameters};
/// use autograd::value::Differentiable;
///
/// struct Linear {
///     weight: Tensor<f64, Ix2>,
///     bias: Tensor<f64, Ix1>,
/// }
///
/// // (`#[derive(Parameters)]` writes all of this.)
/// struct LinearGrad {
///     weight: Array2<f64>,
///     bias: Array1<f64>,
/// }
/// impl GradValue for LinearGrad {
///     fn accumulate(&mut self, other: Self) {
///         self.weight.accumulate(other.weight);
///         self.bias.accumulate(other.bias);
///     }
/// }
/// impl Differentiable for Linear {
///     type Grad = LinearGrad;
///     type Shape = (Ix2, Ix1);
///     fn shape_of(&self) -> (Ix2, Ix1) {
///         (self.weight.raw_dim(), self.bias.raw_dim())
///     }
///     fn zero_grad_of(s: &(Ix2, Ix1)) -> LinearGrad {
///         LinearGrad { weight: Array2::zeros(s.0), bias: Array1::zeros(s.1) }
///     }
/// }
/// impl Parameters for Linear {
///     type Elem = f64;
///     fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<f64>)) {
///         self.weight.visit(&join_name(prefix, "weight"), f);
///         self.bias.visit(&join_name(prefix, "bias"), f);
///     }
///     fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<f64>)) {
///         self.weight.visit_mut(&join_name(prefix, "weight"), f);
///         self.bias.visit_mut(&join_name(prefix, "bias"), f);
///     }
/// }
///
/// let layer = Linear { weight: Tensor::zeros((3, 2)), bias: Tensor::zeros(3) }
///     .with_requires_grad();
/// assert_eq!(layer.parameter_names(), ["weight", "bias"]);
/// assert_eq!(layer.num_parameters(), 9);
/// assert!(layer.weight.is_requires_grad());
/// ```
pub trait Parameters: Differentiable {
    /// The element type of every parameter (`f32` or `f64`).
    type Elem: Float;

    /// Calls `f` with every parameter tensor and its dotted name (`"layer1.weight"`), in declaration order. `prefix` is this value's own name ("" at the top).
    #[allow(clippy::type_complexity)]
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<Self::Elem>));

    /// Like [`visit`](Self::visit), with writable parameters, in the same order.
    #[allow(clippy::type_complexity)]
    fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<Self::Elem>));

    /// Clears every parameter's gradient: each `grad()` becomes `None`
    /// (PyTorch's `model.zero_grad()`, which sets gradients to `None`).
    fn zero_grad_all(&self) {
        self.visit("", &mut |_, p| p.zero_grad());
    }

    /// Sets whether `backward()` stores a gradient for every parameter
    /// (PyTorch's `model.requires_grad_(flag)`). Existing gradients are kept.
    fn set_requires_grad_all(&mut self, requires_grad: bool) {
        self.visit_mut("", &mut |_, p| p.set_requires_grad(requires_grad));
    }

    /// Marks every parameter as requiring grad; takes and returns the model,
    /// as a builder.
    fn with_requires_grad(mut self) -> Self
    where
        Self: Sized,
    {
        self.set_requires_grad_all(true);
        self
    }

    /// The total number of scalars in all parameters
    /// (`sum(p.numel() for p in model.parameters())`).
    fn num_parameters(&self) -> usize {
        let mut n = 0;
        self.visit("", &mut |_, p| n += p.numel());
        n
    }

    /// The dotted names of the parameters, in visit order.
    fn parameter_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.visit("", &mut |name, _| names.push(name.to_owned()));
        names
    }

    /// Writes every parameter's name, shape, element type and values in the
    /// format described in the [module documentation](self).
    ///
    /// Writes through a buffer; a large parameter is never copied whole.
    fn save_to(&self, w: &mut dyn Write) -> io::Result<()> {
        save_params(self, w)
    }

    /// Reads parameters written by [`save_to`](Self::save_to) into this model.
    ///
    /// Everything is read and checked (names, shapes and element types must
    /// match the model's, in order) before any parameter is written, so on an
    /// error the model is unchanged. Reads exactly the saved bytes: data after
    /// them is left in `r`. Gradients and `requires_grad` are not touched.
    fn load_from(&mut self, r: &mut dyn Read) -> Result<(), LoadError> {
        let values = read_params(&*self, r)?;
        write_params(self, values);
        Ok(())
    }

    /// Saves the parameters to a file (created or truncated); see
    /// [`save_to`](Self::save_to).
    fn save(&self, path: impl AsRef<Path>) -> io::Result<()>
    where
        Self: Sized,
    {
        let mut file = File::create(path)?;
        self.save_to(&mut file)?;
        file.sync_all()
    }

    /// Loads parameters from a file written by [`save`](Self::save); see
    /// [`load_from`](Self::load_from). Bytes after the last parameter are an
    /// error ([`LoadError::Corrupt`]).
    fn load(&mut self, path: impl AsRef<Path>) -> Result<(), LoadError>
    where
        Self: Sized,
    {
        let mut r = BufReader::new(File::open(path)?);
        let values = read_params(&*self, &mut r)?;
        let mut rest = [0u8; 1];
        if r.read(&mut rest)? != 0 {
            return Err(LoadError::Corrupt {
                reason: "unexpected data after the last parameter".to_owned(),
            });
        }
        write_params(self, values);
        Ok(())
    }
}

/// The dotted name of a field: `join_name("", "w")` is `"w"`,
/// `join_name("l1", "w")` is `"l1.w"` (and an empty field keeps the prefix).
///
/// ```
/// use autograd::join_name;
/// assert_eq!(join_name("", "w"), "w");
/// assert_eq!(join_name("encoder.l1", "w"), "encoder.l1.w");
/// ```
pub fn join_name(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{field}"),
    }
}

impl<A: Float, D: Dimension> Param<A> for Tensor<A, D> {
    fn shape(&self) -> &[usize] {
        Tensor::shape(self)
    }
    fn numel(&self) -> usize {
        self.len()
    }
    fn data_view(&self) -> ArrayViewD<'_, A> {
        self.view().into_dyn()
    }
    fn grad_dyn(&self) -> Option<ArrayD<A>> {
        self.grad().map(|g| g.into_dyn())
    }
    fn zero_grad(&self) {
        Tensor::zero_grad(self)
    }
    fn with_grad(&self, f: &mut dyn FnMut(ArrayViewD<'_, A>)) {
        self.with_grad_slot(|g| {
            if let Some(g) = g {
                f(g.view().into_dyn())
            }
        })
    }
    fn with_grad_mut(&self, f: &mut dyn FnMut(ArrayViewMutD<'_, A>)) {
        self.with_grad_slot(|g| {
            if let Some(g) = g {
                f(g.view_mut().into_dyn())
            }
        })
    }
    fn is_requires_grad(&self) -> bool {
        Tensor::is_requires_grad(self)
    }
}

impl<A: Float, D: Dimension> ParamMut<A> for Tensor<A, D> {
    fn data_view_mut(&mut self) -> ArrayViewMutD<'_, A> {
        self.data_mut().view_mut().into_dyn()
    }
    fn set_requires_grad(&mut self, requires_grad: bool) {
        Tensor::set_requires_grad(self, requires_grad);
    }
    fn update(&mut self, f: &mut dyn FnMut(ArrayViewMutD<'_, A>, Option<ArrayViewD<'_, A>>)) {
        let (data, grad) = self.data_and_grad_mut();
        f(
            data.view_mut().into_dyn(),
            grad.map(|g| g.view().into_dyn()),
        )
    }
}

/// A tensor is a model with one parameter, named by the prefix (`""` at the top).
impl<A: Float, D: Dimension> Parameters for Tensor<A, D> {
    type Elem = A;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<A>)) {
        f(prefix, self)
    }
    fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<A>)) {
        f(prefix, self)
    }
}

/// Why [`Parameters::load_from`] (or [`load`](Parameters::load)) failed. The
/// model is unchanged in every case.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading failed, or the data ended early (`UnexpectedEof`).
    Io(io::Error),
    /// The data does not start with the magic bytes `AGPARAMS`: it is not a
    /// saved set of parameters.
    BadMagic {
        /// The first 8 bytes that were read.
        found: [u8; 8],
    },
    /// The data was written in a format version this library cannot read.
    UnsupportedVersion {
        /// The version in the data.
        found: u32,
    },
    /// The data holds a different number of parameters from the model.
    CountMismatch {
        /// The model's number of parameter tensors.
        expected: usize,
        /// The number in the data.
        found: u64,
    },
    /// A parameter in the data differs from the model's parameter at the same
    /// position, in name, shape or element type.
    Mismatch {
        /// The model's name for the parameter at this position.
        name: String,
        /// The model's parameter, as `name: type [shape]` (`"l1.w: f64 [2, 3]"`).
        expected: String,
        /// The parameter in the data, in the same form.
        found: String,
    },
    /// The data is not valid: a name that is not UTF-8, an unknown element
    /// type tag, or (for [`load`](Parameters::load)) bytes after the end.
    Corrupt {
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "could not read the parameters: {e}"),
            LoadError::BadMagic { found } => write!(
                f,
                "not a saved set of parameters: expected magic bytes {:?}, found {:?}",
                String::from_utf8_lossy(&MAGIC),
                String::from_utf8_lossy(found)
            ),
            LoadError::UnsupportedVersion { found } => write!(
                f,
                "saved parameters have format version {found}, this library reads version {VERSION}"
            ),
            LoadError::CountMismatch { expected, found } => write!(
                f,
                "the model has {expected} parameters, the saved data has {found}"
            ),
            LoadError::Mismatch {
                name,
                expected,
                found,
            } => write!(
                f,
                "parameter {name:?} does not match the saved data: expected {expected}, found {found}"
            ),
            LoadError::Corrupt { reason } => write!(f, "corrupt saved parameters: {reason}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for LoadError {
    fn from(e: io::Error) -> Self {
        LoadError::Io(e)
    }
}

/// The first bytes of saved parameters.
const MAGIC: [u8; 8] = *b"AGPARAMS";
/// The format version written (and the only one read).
const VERSION: u32 = 1;
/// Element type tags.
const TAG_F32: u8 = 1;
const TAG_F64: u8 = 2;

/// The tag and name of the element type `A` (the sealed `Float` is `f32` or `f64`).
fn elem_tag<A: Float>() -> u8 {
    if TypeId::of::<A>() == TypeId::of::<f32>() {
        TAG_F32
    } else {
        TAG_F64
    }
}

fn tag_name(tag: u8) -> &'static str {
    match tag {
        TAG_F32 => "f32",
        _ => "f64",
    }
}

/// Converts between `A` and the concrete type it is (`f32` or `f64`) exactly.
fn cast<T: Any + Copy, U: Any + Copy>(x: T) -> U {
    *(&x as &dyn Any)
        .downcast_ref::<U>()
        .expect("Float is implemented only for f32 and f64")
}

fn save_params<P: Parameters + ?Sized>(params: &P, w: &mut dyn Write) -> io::Result<()> {
    let mut w = BufWriter::new(w);
    let mut count = 0u64;
    params.visit("", &mut |_, _| count += 1);
    w.write_all(&MAGIC)?;
    w.write_all(&VERSION.to_le_bytes())?;
    w.write_all(&count.to_le_bytes())?;
    let mut result = Ok(());
    params.visit("", &mut |name, p| {
        if result.is_ok() {
            result = write_param(&mut w, name, p);
        }
    });
    result?;
    w.flush()
}

fn write_param<A: Float>(w: &mut dyn Write, name: &str, p: &dyn Param<A>) -> io::Result<()> {
    let name_len = u32::try_from(name.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "parameter name too long"))?;
    w.write_all(&name_len.to_le_bytes())?;
    w.write_all(name.as_bytes())?;
    let tag = elem_tag::<A>();
    w.write_all(&[tag])?;
    let shape = p.shape();
    w.write_all(&(shape.len() as u32).to_le_bytes())?;
    for &n in shape {
        w.write_all(&(n as u64).to_le_bytes())?;
    }
    for &x in p.data_view().iter() {
        if tag == TAG_F32 {
            w.write_all(&cast::<A, f32>(x).to_le_bytes())?;
        } else {
            w.write_all(&cast::<A, f64>(x).to_le_bytes())?;
        }
    }
    Ok(())
}

/// What the model expects at one position.
struct Expected {
    name: String,
    shape: Vec<usize>,
}

fn describe(name: &str, tag: u8, shape: &[u64]) -> String {
    format!("{name}: {} {shape:?}", tag_name(tag))
}

fn read_array<const N: usize>(r: &mut dyn Read) -> io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

fn read_u32(r: &mut dyn Read) -> io::Result<u32> {
    read_array(r).map(u32::from_le_bytes)
}

fn read_u64(r: &mut dyn Read) -> io::Result<u64> {
    read_array(r).map(u64::from_le_bytes)
}

/// Reads exactly `len` bytes, allocating only as much as the data really holds.
fn read_bytes(r: &mut dyn Read, len: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(len).read_to_end(&mut buf)?;
    if (buf.len() as u64) < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(buf)
}

/// Reads and checks all saved parameters, returning their values in visit order.
fn read_params<P: Parameters + ?Sized>(
    params: &P,
    r: &mut dyn Read,
) -> Result<Vec<ArrayD<P::Elem>>, LoadError> {
    let mut expected = Vec::new();
    params.visit("", &mut |name, p| {
        expected.push(Expected {
            name: name.to_owned(),
            shape: p.shape().to_vec(),
        })
    });

    let magic = read_array::<8>(r)?;
    if magic != MAGIC {
        return Err(LoadError::BadMagic { found: magic });
    }
    let version = read_u32(r)?;
    if version != VERSION {
        return Err(LoadError::UnsupportedVersion { found: version });
    }
    let count = read_u64(r)?;
    if count != expected.len() as u64 {
        return Err(LoadError::CountMismatch {
            expected: expected.len(),
            found: count,
        });
    }

    let tag = elem_tag::<P::Elem>();
    let mut values = Vec::with_capacity(expected.len());
    for e in &expected {
        let name_len = read_u32(r)?;
        let name =
            String::from_utf8(read_bytes(r, name_len.into())?).map_err(|_| LoadError::Corrupt {
                reason: format!(
                    "the name of the parameter expected as {:?} is not UTF-8",
                    e.name
                ),
            })?;
        let found_tag = read_array::<1>(r)?[0];
        if found_tag != TAG_F32 && found_tag != TAG_F64 {
            return Err(LoadError::Corrupt {
                reason: format!("parameter {name:?} has an unknown element type tag {found_tag}"),
            });
        }
        let ndim = read_u32(r)?;
        let mut shape = Vec::new();
        for _ in 0..ndim {
            shape.push(read_u64(r)?);
        }
        let shape_matches = shape.len() == e.shape.len()
            && shape.iter().zip(&e.shape).all(|(&a, &b)| a == b as u64);
        if name != e.name || found_tag != tag || !shape_matches {
            let expected_shape: Vec<u64> = e.shape.iter().map(|&n| n as u64).collect();
            return Err(LoadError::Mismatch {
                name: e.name.clone(),
                expected: describe(&e.name, tag, &expected_shape),
                found: describe(&name, found_tag, &shape),
            });
        }
        // The shape is the model's, so this allocation is bounded by the model's size.
        let numel: usize = e.shape.iter().product();
        let size = if tag == TAG_F32 { 4 } else { 8 };
        let mut bytes = vec![0u8; numel * size];
        r.read_exact(&mut bytes)?;
        let data: Vec<P::Elem> = if tag == TAG_F32 {
            bytes
                .chunks_exact(4)
                .map(|c| cast(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
                .collect()
        } else {
            bytes
                .chunks_exact(8)
                .map(|c| cast(f64::from_le_bytes(c.try_into().expect("8 bytes"))))
                .collect()
        };
        let array = ArrayD::from_shape_vec(IxDyn(&e.shape), data)
            .expect("the number of elements is the product of the shape");
        values.push(array);
    }
    Ok(values)
}

/// Writes values read by [`read_params`] into the parameters, in visit order.
fn write_params<P: Parameters + ?Sized>(params: &mut P, values: Vec<ArrayD<P::Elem>>) {
    let mut values = values.into_iter();
    params.visit_mut("", &mut |name, p| {
        let v = values
            .next()
            .unwrap_or_else(|| panic!("parameter {name:?} appeared between reading and writing"));
        p.data_view_mut().assign(&v);
    });
}

#[cfg(test)]
mod tests;
