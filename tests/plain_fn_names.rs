//! A call is refused as "not #[differentiable]" only when the file says
//! so for certain: a plain function of that name, and nothing else that
//! name could be. These bodies call functions whose names a plain function
//! of this file also has; each compiles and is differentiated through the
//! function the call resolves to.

use autograd::prelude::*;

mod plain {
    /// A plain `scale`, in a module the calls do not see.
    #[allow(dead_code)]
    pub fn scale(x: f64) -> f64 {
        x * 100.0
    }
}

mod differentiable_fns {
    use autograd::prelude::*;

    #[differentiable]
    pub fn scale(x: f64) -> f64 {
        x * 3.0
    }
}

use differentiable_fns::scale;

/// Resolves to the imported, differentiable `scale`.
#[differentiable]
fn imported(x: f64) -> f64 {
    scale(x) * x
}

/// A plain `twice` at the top of the file...
#[allow(dead_code)]
fn twice(x: f64) -> f64 {
    x + x
}

/// ...and a `twice` of the body's own, which the call resolves to (and
/// which is differentiated as if annotated).
#[differentiable]
fn local_item(x: f64) -> f64 {
    fn twice(a: f64) -> f64 {
        a * a
    }
    twice(x) + x
}

#[test]
fn calls_resolve_to_the_differentiable_function_of_that_name() {
    // 3x², 6x.
    let (v, g) = imported::value_and_grad(2.0);
    assert_eq!((v, g), (12.0, 12.0));
    // x² + x, 2x + 1.
    let (v, g) = local_item::value_and_grad(2.0);
    assert_eq!((v, g), (6.0, 5.0));
    assert_eq!(twice(1.0) + plain::scale(0.0), 2.0);
}
