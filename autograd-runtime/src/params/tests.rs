//! Unit tests of `params`.

use super::*;
use ndarray::{array, Array1, Array2, Ix0, Ix1, Ix2};

use crate::value::GradValue;

/// A small model written by hand (the derive lives in the macro crate).
#[derive(Clone, Debug)]
struct Mlp<A: Float> {
    w: Tensor<A, Ix2>,
    b: Tensor<A, Ix1>,
    scale: Tensor<A, Ix0>,
}

struct MlpGrad<A> {
    w: Array2<A>,
    b: Array1<A>,
    scale: ndarray::Array0<A>,
}

impl<A: Float> GradValue for MlpGrad<A> {
    fn accumulate(&mut self, other: Self) {
        self.w.accumulate(other.w);
        self.b.accumulate(other.b);
        self.scale.accumulate(other.scale);
    }
}

impl<A: Float> Differentiable for Mlp<A> {
    type Grad = MlpGrad<A>;
    type Shape = (Ix2, Ix1, Ix0);
    fn shape_of(&self) -> Self::Shape {
        (self.w.raw_dim(), self.b.raw_dim(), self.scale.raw_dim())
    }
    fn zero_grad_of(s: &Self::Shape) -> MlpGrad<A> {
        MlpGrad {
            w: Array2::zeros(s.0),
            b: Array1::zeros(s.1),
            scale: ndarray::Array0::zeros(s.2),
        }
    }
}

impl<A: Float> Parameters for Mlp<A> {
    type Elem = A;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<A>)) {
        self.w.visit(&join_name(prefix, "w"), f);
        self.b.visit(&join_name(prefix, "b"), f);
        self.scale.visit(&join_name(prefix, "scale"), f);
    }
    fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<A>)) {
        self.w.visit_mut(&join_name(prefix, "w"), f);
        self.b.visit_mut(&join_name(prefix, "b"), f);
        self.scale.visit_mut(&join_name(prefix, "scale"), f);
    }
}

/// Two of them, nested, for dotted names.
struct Net {
    l1: Mlp<f64>,
    l2: Mlp<f64>,
}

impl Differentiable for Net {
    type Grad = f64; // not used by these tests
    type Shape = ();
    fn shape_of(&self) {}
    fn zero_grad_of(_: &()) -> f64 {
        0.0
    }
}

impl Parameters for Net {
    type Elem = f64;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<f64>)) {
        self.l1.visit(&join_name(prefix, "l1"), f);
        self.l2.visit(&join_name(prefix, "l2"), f);
    }
    fn visit_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, &mut dyn ParamMut<f64>)) {
        self.l1.visit_mut(&join_name(prefix, "l1"), f);
        self.l2.visit_mut(&join_name(prefix, "l2"), f);
    }
}

/// Values that are hard to round-trip through text or through another
/// type: subnormals, ±0, ±inf, NaN with a payload, 1/3.
fn mlp_f64() -> Mlp<f64> {
    Mlp {
        w: Tensor::from(array![
            [1.0 / 3.0, -0.0, f64::MIN_POSITIVE / 4.0],
            [
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::from_bits(0x7ff8_0000_dead_beef)
            ]
        ]),
        b: Tensor::from(array![std::f64::consts::PI, -1e-300, 1e300]),
        scale: Tensor::scalar(0.1),
    }
}

fn mlp_zeros() -> Mlp<f64> {
    Mlp {
        w: Tensor::zeros((2, 3)),
        b: Tensor::zeros(3),
        scale: Tensor::scalar(0.0),
    }
}

fn bits_f64(m: &Mlp<f64>) -> Vec<u64> {
    let mut bits = Vec::new();
    m.visit("", &mut |_, p| {
        bits.extend(p.data_view().iter().map(|x| x.to_bits()));
    });
    bits
}

fn saved(m: &impl Parameters) -> Vec<u8> {
    let mut bytes = Vec::new();
    m.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn names_count_and_order() {
    let net = Net {
        l1: mlp_zeros(),
        l2: mlp_zeros(),
    };
    assert_eq!(
        net.parameter_names(),
        ["l1.w", "l1.b", "l1.scale", "l2.w", "l2.b", "l2.scale"]
    );
    assert_eq!(net.num_parameters(), 2 * (6 + 3 + 1));
    let t = Tensor::<f32, Ix2>::zeros((4, 5));
    assert_eq!(t.parameter_names(), [""]);
    assert_eq!(Parameters::num_parameters(&t), 20);
    assert_eq!(join_name("", "w"), "w");
    assert_eq!(join_name("l1", "w"), "l1.w");
    assert_eq!(join_name("l1", ""), "l1");
}

#[test]
fn requires_grad_and_zero_grad_all() {
    let mut m = mlp_zeros().with_requires_grad();
    let mut flags = Vec::new();
    m.visit("", &mut |_, p| flags.push(p.is_requires_grad()));
    assert_eq!(flags, [true, true, true]);

    m.w.accumulate_grad(Array2::ones((2, 3)));
    m.scale.accumulate_grad(ndarray::arr0(2.0));
    let mut grads = Vec::new();
    m.visit("", &mut |_, p| grads.push(p.grad_dyn()));
    assert_eq!(grads[0], Some(ArrayD::ones(IxDyn(&[2, 3]))));
    assert_eq!(grads[1], None);
    assert_eq!(grads[2], Some(ndarray::arr0(2.0).into_dyn()));

    m.zero_grad_all();
    assert_eq!(m.w.grad(), None);
    assert_eq!(m.scale.grad(), None);

    m.set_requires_grad_all(false);
    assert!(!m.w.is_requires_grad() && !m.b.is_requires_grad());
}

#[test]
fn update_sees_data_and_grad_without_copying() {
    let mut t = Tensor::from(array![1.0, 2.0]);
    t.update(&mut |_, g| assert!(g.is_none()));
    t.accumulate_grad(array![10.0, 20.0]);
    let grad_ptr = t.data_and_grad_mut().1.unwrap().as_ptr();
    let data_ptr = t.data().as_ptr();
    t.update(&mut |mut d, g| {
        let g = g.unwrap();
        assert_eq!(g.as_ptr(), grad_ptr);
        assert_eq!(d.as_ptr(), data_ptr);
        d += &g;
    });
    assert_eq!(t.data(), &array![11.0, 22.0]);
    assert_eq!(t.grad(), Some(array![10.0, 20.0]));
}

#[test]
fn round_trip_is_bitwise_f64() {
    let m = mlp_f64();
    let bytes = saved(&m);
    let mut r = mlp_zeros();
    r.load_from(&mut bytes.as_slice()).unwrap();
    assert_eq!(bits_f64(&r), bits_f64(&m));
    assert!(r.w.data()[[0, 1]].is_sign_negative());
}

#[test]
fn round_trip_is_bitwise_f32() {
    let m = Mlp::<f32> {
        w: Tensor::from(array![
            [1.0 / 3.0, -0.0, f32::MIN_POSITIVE / 8.0],
            [f32::INFINITY, f32::MAX, f32::from_bits(0x7fc0_beef)]
        ]),
        b: Tensor::from(array![1e-3, -7.0, 0.1]),
        scale: Tensor::scalar(-2.5),
    };
    let bytes = saved(&m);
    let mut r = Mlp::<f32> {
        w: Tensor::zeros((2, 3)),
        b: Tensor::zeros(3),
        scale: Tensor::scalar(0.0),
    };
    r.load_from(&mut bytes.as_slice()).unwrap();
    let bits = |m: &Mlp<f32>| {
        let mut v = Vec::new();
        m.visit("", &mut |_, p| {
            v.extend(p.data_view().iter().map(|x| x.to_bits()))
        });
        v
    };
    assert_eq!(bits(&r), bits(&m));
}

#[test]
fn layout_is_the_documented_one() {
    let t = Tensor::from(array![[1.5f32, -2.0]]);
    let mut expected = Vec::new();
    expected.extend_from_slice(b"AGPARAMS");
    expected.extend_from_slice(&1u32.to_le_bytes());
    expected.extend_from_slice(&1u64.to_le_bytes());
    expected.extend_from_slice(&0u32.to_le_bytes()); // name "" at the top
    expected.push(1); // f32
    expected.extend_from_slice(&2u32.to_le_bytes());
    expected.extend_from_slice(&1u64.to_le_bytes());
    expected.extend_from_slice(&2u64.to_le_bytes());
    expected.extend_from_slice(&1.5f32.to_le_bytes());
    expected.extend_from_slice(&(-2.0f32).to_le_bytes());
    assert_eq!(saved(&t), expected);
}

#[test]
fn non_standard_layout_is_saved_in_logical_order() {
    let t = Tensor::from(array![[1.0, 2.0], [3.0, 4.0]].reversed_axes());
    let mut r = Tensor::<f64, Ix2>::zeros((2, 2));
    r.load_from(&mut saved(&t).as_slice()).unwrap();
    assert_eq!(r.data(), &array![[1.0, 3.0], [2.0, 4.0]]);
}

#[test]
fn file_round_trip_and_trailing_data() {
    let dir = std::env::temp_dir().join(format!("autograd-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mlp.bin");
    let m = mlp_f64();
    m.save(&path).unwrap();
    let mut r = mlp_zeros();
    r.load(&path).unwrap();
    assert_eq!(bits_f64(&r), bits_f64(&m));

    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(0);
    std::fs::write(&path, &bytes).unwrap();
    let mut r = mlp_zeros();
    let err = r.load(&path).unwrap_err();
    assert!(matches!(err, LoadError::Corrupt { .. }), "{err}");
    assert_eq!(bits_f64(&r), bits_f64(&mlp_zeros()));

    // load_from stops at the end of the parameters and leaves the rest.
    let mut reader = bytes.as_slice();
    r.load_from(&mut reader).unwrap();
    assert_eq!(reader, [0]);

    let missing = r.load(dir.join("missing.bin")).unwrap_err();
    assert!(matches!(missing, LoadError::Io(_)), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Loads `bytes` into a zero model, checks that it fails and that the
/// model is unchanged, and returns the error.
fn load_fails(bytes: &[u8]) -> LoadError {
    let mut r = mlp_zeros();
    let err = r.load_from(&mut &bytes[..]).unwrap_err();
    assert_eq!(
        bits_f64(&r),
        bits_f64(&mlp_zeros()),
        "changed by a failed load"
    );
    // Every error displays, and only Io has a source.
    assert!(!err.to_string().is_empty());
    assert_eq!(
        std::error::Error::source(&err).is_some(),
        matches!(err, LoadError::Io(_))
    );
    err
}

/// Asserts that `err` is a mismatch at parameter `name`, with these
/// descriptions of the expected and the found parameter.
#[track_caller]
fn assert_mismatch(err: &LoadError, name: &str, expected: &str, found: &str) {
    match err {
        LoadError::Mismatch {
            name: n,
            expected: e,
            found: f,
        } => {
            assert_eq!(n, name);
            assert_eq!(e, expected);
            assert_eq!(f, found);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn error_bad_magic() {
    let mut bytes = saved(&mlp_f64());
    bytes[0] = b'X';
    let err = load_fails(&bytes);
    assert!(matches!(err, LoadError::BadMagic { found } if &found == b"XGPARAMS"));
    assert_eq!(
        err.to_string(),
        "not a saved set of parameters: expected magic bytes \"AGPARAMS\", found \"XGPARAMS\""
    );
}

#[test]
fn error_unsupported_version() {
    let mut bytes = saved(&mlp_f64());
    bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
    let err = load_fails(&bytes);
    assert!(matches!(err, LoadError::UnsupportedVersion { found: 7 }));
}

#[test]
fn error_count_mismatch() {
    let err = load_fails(&saved(&Tensor::from(array![1.0, 2.0, 3.0])));
    assert!(matches!(
        err,
        LoadError::CountMismatch {
            expected: 3,
            found: 1
        }
    ));
    assert_eq!(
        err.to_string(),
        "the model has 3 parameters, the saved data has 1"
    );
}

#[test]
fn error_name_mismatch() {
    let m = mlp_f64();
    // Same shapes, other names: "w" is not "l1.w".
    let mut renamed = Vec::new();
    save_params(&Prefixed(&m, "l1"), &mut renamed).unwrap();
    let err = load_fails(&renamed);
    assert_mismatch(&err, "w", "w: f64 [2, 3]", "l1.w: f64 [2, 3]");
    assert_eq!(
        err.to_string(),
        "parameter \"w\" does not match the saved data: expected w: f64 [2, 3], found l1.w: f64 [2, 3]"
    );
}

/// Visits a model under a prefix, to save it with other names.
struct Prefixed<'a>(&'a Mlp<f64>, &'static str);

impl Differentiable for Prefixed<'_> {
    type Grad = f64;
    type Shape = ();
    fn shape_of(&self) {}
    fn zero_grad_of(_: &()) -> f64 {
        0.0
    }
}

impl Parameters for Prefixed<'_> {
    type Elem = f64;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<f64>)) {
        self.0.visit(&join_name(prefix, self.1), f)
    }
    fn visit_mut(&mut self, _: &str, _: &mut dyn FnMut(&str, &mut dyn ParamMut<f64>)) {
        unreachable!("only saved")
    }
}

#[test]
fn error_shape_mismatch() {
    let mut other = mlp_f64();
    other.b = Tensor::from(array![1.0, 2.0]);
    let err = load_fails(&saved(&other));
    assert_mismatch(&err, "b", "b: f64 [3]", "b: f64 [2]");
    // A different number of axes with the same elements is a mismatch too.
    let mut bytes = Vec::new();
    save_params(&DynB(&mlp_f64()), &mut bytes).unwrap();
    let err = load_fails(&bytes);
    assert!(
        matches!(&err, LoadError::Mismatch { found, .. } if found == "b: f64 [1, 3]"),
        "{err}"
    );
}

/// The model `mlp_f64` with `b` saved as a 1×3 matrix.
struct DynB<'a>(&'a Mlp<f64>);

impl Differentiable for DynB<'_> {
    type Grad = f64;
    type Shape = ();
    fn shape_of(&self) {}
    fn zero_grad_of(_: &()) -> f64 {
        0.0
    }
}

impl Parameters for DynB<'_> {
    type Elem = f64;
    fn visit(&self, prefix: &str, f: &mut dyn FnMut(&str, &dyn Param<f64>)) {
        let b = Tensor::from(self.0.b.data().clone().insert_axis(ndarray::Axis(0)));
        self.0.w.visit(&join_name(prefix, "w"), f);
        b.visit(&join_name(prefix, "b"), f);
        self.0.scale.visit(&join_name(prefix, "scale"), f);
    }
    fn visit_mut(&mut self, _: &str, _: &mut dyn FnMut(&str, &mut dyn ParamMut<f64>)) {
        unreachable!("only saved")
    }
}

#[test]
fn error_element_type_mismatch() {
    let m32 = Mlp::<f32> {
        w: Tensor::zeros((2, 3)),
        b: Tensor::zeros(3),
        scale: Tensor::scalar(1.0),
    };
    let err = load_fails(&saved(&m32));
    assert_mismatch(&err, "w", "w: f64 [2, 3]", "w: f32 [2, 3]");
}

#[test]
fn error_mismatch_in_the_last_parameter_changes_nothing() {
    // The first two parameters match and are read; the third does not.
    let mut other = mlp_f64();
    other.scale = Tensor::scalar(1.0);
    let mut bytes = saved(&other);
    // The scale is the last record: name length 5, "scale", tag 2, 0 axes, 8 bytes.
    let tag_at = bytes.len() - 8 - 4 - 1;
    assert_eq!(bytes[tag_at], 2);
    bytes[tag_at] = 1;
    let err = load_fails(&bytes);
    assert!(matches!(&err, LoadError::Mismatch { name, .. } if name == "scale"));
}

#[test]
fn error_truncated_anywhere() {
    let bytes = saved(&mlp_f64());
    for len in 0..bytes.len() {
        let err = load_fails(&bytes[..len]);
        match err {
            LoadError::Io(e) => assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof),
            other => panic!("truncated to {len}: {other}"),
        }
    }
}

#[test]
fn error_corrupt() {
    let bytes = saved(&mlp_f64());
    // The first record starts at byte 20: name length 1, "w", tag.
    let mut bad_tag = bytes.clone();
    assert_eq!(bad_tag[25], 2);
    bad_tag[25] = 9;
    let err = load_fails(&bad_tag);
    assert!(matches!(&err, LoadError::Corrupt { reason } if reason.contains("tag 9")));

    let mut bad_name = bytes.clone();
    assert_eq!(bad_name[24], b'w');
    bad_name[24] = 0xff;
    let err = load_fails(&bad_name);
    assert!(matches!(&err, LoadError::Corrupt { reason } if reason.contains("UTF-8")));

    // A huge name length in a short file is an end of file, not an allocation.
    let mut huge = bytes;
    huge[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(load_fails(&huge), LoadError::Io(_)));
}

#[test]
fn gradients_and_flags_survive_a_load() {
    let mut r = mlp_zeros().with_requires_grad();
    r.b.accumulate_grad(array![1.0, 2.0, 3.0]);
    r.load_from(&mut saved(&mlp_f64()).as_slice()).unwrap();
    assert!(r.w.is_requires_grad());
    assert_eq!(r.b.grad(), Some(array![1.0, 2.0, 3.0]));
}
