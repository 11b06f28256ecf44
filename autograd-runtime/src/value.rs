//! The protocol between generated code and the runtime: which values can be
//! differentiated, what their gradients are, and how gradients accumulate.

use ndarray::{Array, Array0, Dimension, Ix0};

use crate::float::Float;
use crate::real::Real;
use crate::tensor::Tensor;

/// A value that gradients can flow through: a float, a tensor, a reference to
/// one, or a struct of parameters.
///
/// `Grad` is the *gradient type*: `A` for a float, `Array<A, D>` for a
/// `Tensor<A, D>`. `Shape` is what the backward pass keeps of a value whose
/// data it does not read (the shape of a tensor, nothing for a float).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be differentiated",
    label = "no gradient type for this value",
    note = "differentiable values are f32, f64, Tensor<A, D>, Scalar<A>, float slices and #[derive(Parameters)] structs (and Vec, arrays, Option and Box of them); mark a parameter or a struct field that is a constant #[no_grad]"
)]
pub trait Differentiable {
    /// The type of this value's gradient (its cotangent).
    type Grad: GradValue;
    /// What the backward pass keeps of the value when it needs only its shape.
    type Shape: Clone;

    /// The shape kept for the backward pass.
    fn shape_of(&self) -> Self::Shape;

    /// A zero gradient for a value of this shape.
    fn zero_grad_of(shape: &Self::Shape) -> Self::Grad;

    /// Whether `backward()` should compute and store a gradient for this
    /// argument: `true` for a tensor that requires grad (or a struct holding one).
    fn needs_grad(&self) -> bool {
        false
    }

    /// Stores (accumulates) a gradient computed by `backward()` into this
    /// argument's leaves. Plain values have nowhere to store it.
    fn store_grad(&self, gradient: Self::Grad) {
        let _ = gradient;
    }

    /// Records that the field `name` of a struct's gradient received a
    /// contribution, so that `backward()` stores only the gradients of the
    /// fields a function read (PyTorch leaves the others `None`). Only
    /// `#[derive(Parameters)]` structs keep such a record.
    fn mark_reached(gradient: &mut Self::Grad, name: &str) {
        let _ = (gradient, name);
    }

    /// Whether the field `name` of a struct's gradient has received a
    /// contribution yet (see [`mark_reached`](Self::mark_reached)): if not,
    /// it still holds zeros and the first contribution replaces them instead
    /// of being added. Types that keep no record answer `true`.
    fn is_reached(gradient: &Self::Grad, name: &str) -> bool {
        let _ = (gradient, name);
        true
    }

    /// The gradient a struct's backward pass starts from, before anything
    /// reached it: zeros by default. A `#[derive(Parameters)]` struct's holds
    /// empty arrays instead (nothing is allocated), each replaced by the
    /// first gradient its field receives, or by zeros in
    /// [`finish_grad`](Self::finish_grad).
    fn unreached_grad_of(shape: &Self::Shape) -> Self::Grad {
        Self::zero_grad_of(shape)
    }

    /// Gives every field nothing reached zeros of its shape (see
    /// [`unreached_grad_of`](Self::unreached_grad_of)). The generated `vjp`,
    /// `grad` and `value_and_grad` call it before handing a gradient out.
    fn finish_grad(gradient: &mut Self::Grad, shape: &Self::Shape) {
        let _ = (gradient, shape);
    }
}

/// Which fields of a parameter struct's gradient a backward pass reached
/// (generated into `<Name>Grad`; see [`Differentiable::mark_reached`]).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Reached(u64);

impl Reached {
    /// Marks field number `i` (fields past the 64th are always stored).
    pub fn mark(&mut self, i: usize) {
        if i < 64 {
            self.0 |= 1 << i;
        }
    }

    /// Whether field number `i` was reached.
    pub fn contains(&self, i: usize) -> bool {
        i >= 64 || self.0 & (1 << i) != 0
    }

    /// Both sets of fields.
    pub fn union(self, other: Reached) -> Reached {
        Reached(self.0 | other.0)
    }
}

impl std::fmt::Debug for Reached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reached({:#b})", self.0)
    }
}

/// The gradient type of a value type.
pub type GradOf<T> = <T as Differentiable>::Grad;

/// The shape of a value of type `T`, typed by `T` so that derivative rules can
/// be selected from it.
pub struct Meta<T: Differentiable + ?Sized>(pub T::Shape);

impl<T: Differentiable + ?Sized> Clone for Meta<T> {
    fn clone(&self) -> Self {
        Meta(self.0.clone())
    }
}

/// Keeps what the backward pass needs to know of `value` without its data.
pub fn meta<T: Differentiable + ?Sized>(value: &T) -> Meta<T> {
    Meta(value.shape_of())
}

/// A zero gradient for a value with this meta.
pub fn zeros<T: Differentiable + ?Sized>(meta: &Meta<T>) -> T::Grad {
    T::zero_grad_of(&meta.0)
}

/// A gradient value: it can be added into another of the same shape.
pub trait GradValue {
    /// `self += other`.
    fn accumulate(&mut self, other: Self);

    /// `self += self`, in place where the type allows.
    fn double(&mut self)
    where
        Self: Clone,
    {
        let copy = self.clone();
        self.accumulate(copy);
    }
}

impl GradValue for f32 {
    fn accumulate(&mut self, other: Self) {
        *self += other;
    }
}

impl GradValue for f64 {
    fn accumulate(&mut self, other: Self) {
        *self += other;
    }
}

impl<A: Float, D: Dimension> GradValue for Array<A, D> {
    fn accumulate(&mut self, other: Self) {
        if self.raw_dim() != other.raw_dim() {
            // The empty gradient of a tensor nothing reached yet (see
            // `Differentiable::unreached_grad_of`) adds nothing, and is
            // replaced by the first one that reaches it.
            if is_unreached(&other) {
                return;
            }
            if is_unreached(self) {
                *self = other;
                return;
            }
        }
        *self += &other;
    }
    fn double(&mut self) {
        self.mapv_inplace(|v| v + v);
    }
}

/// Element by element (a float slice's gradient, a `Vec` of layers' gradients).
impl<G: GradValue> GradValue for Vec<G> {
    fn accumulate(&mut self, other: Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.accumulate(b);
        }
    }
}

/// A gradient that can be multiplied by a float of its element type in place.
///
/// Generated code uses it for reduction loops (`s += ..` over a float `s`):
/// their gradient is accumulated during the forward pass for an output
/// gradient of one, and multiplied by the real one in the backward pass.
pub trait ScaleGrad<F> {
    /// `self *= factor`.
    fn scale(&mut self, factor: F);
}

impl ScaleGrad<f32> for f32 {
    fn scale(&mut self, factor: f32) {
        *self *= factor;
    }
}

impl ScaleGrad<f64> for f64 {
    fn scale(&mut self, factor: f64) {
        *self *= factor;
    }
}

impl<A: Float, D: Dimension> ScaleGrad<A> for Array<A, D> {
    fn scale(&mut self, factor: A) {
        self.mapv_inplace(|v| v * factor);
    }
}

impl<A: Real> ScaleGrad<A> for Vec<A> {
    fn scale(&mut self, factor: A) {
        for v in self.iter_mut() {
            *v *= factor;
        }
    }
}

/// One, in the type of `x` (the output gradient a reduction loop's gradient
/// is accumulated for).
#[inline]
pub fn one_like<F: Float>(x: &F) -> F {
    let _ = x;
    F::one()
}

/// Adds a gradient accumulated for an output gradient of one, multiplied by
/// the real output gradient `factor` (no multiplication when it is one).
#[inline]
pub fn accumulate_scaled<G, F>(slot: &mut Option<G>, contribution: Option<G>, factor: &F)
where
    G: GradValue + ScaleGrad<F>,
    F: Float,
{
    if let Some(mut g) = contribution {
        if *factor != F::one() {
            g.scale(*factor);
        }
        accumulate(slot, g);
    }
}

/// Adds a contribution into an adjoint slot that may still be empty
/// (an empty slot is a zero gradient that was never allocated).
#[inline]
pub fn accumulate<G: GradValue>(slot: &mut Option<G>, contribution: G) {
    match slot {
        Some(g) => g.accumulate(contribution),
        None => *slot = Some(contribution),
    }
}

/// Adds a contribution that counts twice (`x * x`: the same value on both
/// sides of a product), doubling it in place instead of adding a copy.
#[inline]
pub fn accumulate_twice<G: GradValue + Clone>(slot: &mut Option<G>, mut contribution: G) {
    contribution.double();
    accumulate(slot, contribution)
}

/// One slot of the gradients a pullback returns, as seen by a caller:
/// `Some(gradient)` to add (`None` adds nothing), or `()` for a parameter
/// that has none.
#[diagnostic::on_unimplemented(
    message = "the gradient a call returns for this argument (`{Self}`) is not of the argument's gradient type (`{G}`)",
    label = "an argument's type differs from the parameter's",
    note = "pass a value of the parameter's own type: convert between `f32` and `f64` with `as` (which is differentiated), or change the called function's signature"
)]
pub trait Contribution<G> {
    /// Adds this contribution into `slot`.
    fn add_to(self, slot: &mut Option<G>);
}

impl<G: GradValue> Contribution<G> for Option<G> {
    #[inline]
    fn add_to(self, slot: &mut Option<G>) {
        if let Some(g) = self {
            accumulate(slot, g)
        }
    }
}

impl<G> Contribution<G> for () {
    #[inline]
    fn add_to(self, _slot: &mut Option<G>) {}
}

/// Adds a slot returned by a pullback into an adjoint.
#[inline]
pub fn accumulate_slot<G, C: Contribution<G>>(slot: &mut Option<G>, contribution: C) {
    contribution.add_to(slot)
}

/// Adds the gradient of one field of a struct of parameters into the
/// struct's gradient (zeros for the other fields if it had none yet). A
/// field that is not a parameter has the slot [`Constant`](crate::project::Constant),
/// which drops it.
#[inline]
pub fn accumulate_field<S, G, X, F>(
    slot: &mut Option<S::Grad>,
    base: &S,
    name: &str,
    field: F,
    gradient: G,
) where
    S: Differentiable + ?Sized,
    X: crate::project::FieldSlot<G>,
    F: FnOnce(&mut S::Grad) -> &mut X,
{
    let grad = slot.get_or_insert_with(|| S::unreached_grad_of(&base.shape_of()));
    // A field nothing reached yet holds zeros or nothing: the gradient replaces it.
    let first = !S::is_reached(grad, name);
    S::mark_reached(grad, name);
    field(grad).put(gradient, first);
}

/// The gradient of a parameter: the accumulated adjoint, or zeros if nothing reached it.
#[inline]
pub fn grad_or_zeros<T: Differentiable + ?Sized>(
    adjoint: Option<T::Grad>,
    meta: &Meta<T>,
) -> T::Grad {
    match adjoint {
        Some(mut g) => {
            T::finish_grad(&mut g, &meta.0);
            g
        }
        None => zeros(meta),
    }
}

/// Stores the adjoint of an argument into its leaves, if anything reached it.
#[inline]
pub fn store<T: Differentiable + ?Sized>(arg: &T, adjoint: Option<T::Grad>) {
    if let Some(g) = adjoint {
        arg.store_grad(g)
    }
}

macro_rules! float_value {
    ($($t:ty),*) => {$(
        impl Differentiable for $t {
            type Grad = $t;
            type Shape = ();
            #[inline]
            fn shape_of(&self) {}
            #[inline]
            fn zero_grad_of(_: &()) -> $t {
                0.0
            }
        }

        impl ScalarOutput for $t {
            #[inline]
            fn seed() -> $t {
                1.0
            }
        }
    )*};
}
float_value!(f32, f64);
crate::container::element_by_length!(f32, f64);

impl<A: Float, D: Dimension> Differentiable for Tensor<A, D> {
    type Grad = Array<A, D>;
    type Shape = D;
    fn shape_of(&self) -> D {
        self.raw_dim()
    }
    fn zero_grad_of(shape: &D) -> Array<A, D> {
        Array::zeros(shape.clone())
    }
    fn unreached_grad_of(shape: &D) -> Array<A, D> {
        // Empty: every axis of length 0, so nothing is allocated.
        Array::zeros(D::zeros(shape.ndim()))
    }
    fn finish_grad(gradient: &mut Array<A, D>, shape: &D) {
        if gradient.raw_dim() != *shape && is_unreached(gradient) {
            *gradient = Array::zeros(shape.clone());
        }
    }
    fn needs_grad(&self) -> bool {
        self.is_requires_grad()
    }
    fn store_grad(&self, gradient: Array<A, D>) {
        // A tensor in a `Vec` or an `Option` that nothing reached keeps
        // `None`, as PyTorch leaves it.
        if self.is_requires_grad()
            && !(gradient.raw_dim() != self.raw_dim() && is_unreached(&gradient))
        {
            self.accumulate_grad(gradient)
        }
    }
}

/// The gradient of a tensor nothing reached: every axis of length 0 (see
/// [`Differentiable::unreached_grad_of`]).
fn is_unreached<A, D: Dimension>(g: &Array<A, D>) -> bool {
    g.ndim() > 0 && g.shape().iter().all(|&n| n == 0)
}

impl<T: Differentiable + ?Sized> Differentiable for &T {
    type Grad = T::Grad;
    type Shape = T::Shape;
    fn shape_of(&self) -> T::Shape {
        (**self).shape_of()
    }
    fn zero_grad_of(shape: &T::Shape) -> T::Grad {
        T::zero_grad_of(shape)
    }
    fn needs_grad(&self) -> bool {
        (**self).needs_grad()
    }
    fn store_grad(&self, gradient: T::Grad) {
        (**self).store_grad(gradient)
    }
    fn mark_reached(gradient: &mut T::Grad, name: &str) {
        T::mark_reached(gradient, name)
    }
    fn is_reached(gradient: &T::Grad, name: &str) -> bool {
        T::is_reached(gradient, name)
    }
    fn unreached_grad_of(shape: &T::Shape) -> T::Grad {
        T::unreached_grad_of(shape)
    }
    fn finish_grad(gradient: &mut T::Grad, shape: &T::Shape) {
        T::finish_grad(gradient, shape)
    }
}

/// An output with a single element, for which `backward()`, `grad` and
/// `value_and_grad` seed the backward pass with 1.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a scalar, so the gradient has no seed of 1",
    label = "this output is not a scalar",
    note = "for a non-scalar output, call `forward(..).backward(&v)` with a gradient `v` of the output's shape, or use `vjp`"
)]
pub trait ScalarOutput: Differentiable {
    /// The seed `1` of the backward pass.
    fn seed() -> Self::Grad;
}

impl<A: Float> ScalarOutput for Tensor<A, Ix0> {
    fn seed() -> Array0<A> {
        ndarray::arr0(A::one())
    }
}

/// The seed of 1 for a scalar output.
#[inline]
pub fn seed_one<T: ScalarOutput>() -> T::Grad {
    T::seed()
}

/// `IsScalar<R>`: names an output type for the scalar-only entry points
/// without putting a bound on `R` itself.
///
/// Generated `grad` and `value_and_grad` require
/// `IsScalar<R>: ScalarCheck<Seed = GradOf<R>>`. A bound written on `R`
/// directly (`R: ScalarOutput`) would, in generic code, shadow the impl that
/// says what `GradOf<R>` is, and rustc could no longer see through it.
pub struct IsScalar<T: ?Sized>(std::marker::PhantomData<T>);

/// Implemented for [`IsScalar<R>`] exactly when `R` is a scalar output.
#[diagnostic::on_unimplemented(
    message = "this function's output is not a scalar, so `grad` and `value_and_grad` have no seed of 1",
    label = "the output is not a scalar",
    note = "for a non-scalar output, call `forward(..).backward(&v)` with a gradient `v` of the output's shape, or use `vjp`"
)]
pub trait ScalarCheck {
    /// The seed's type: the output's gradient type.
    type Seed;
    /// The seed 1.
    fn seed() -> Self::Seed;
}

impl<T: ScalarOutput> ScalarCheck for IsScalar<T> {
    type Seed = T::Grad;
    #[inline]
    fn seed() -> T::Grad {
        T::seed()
    }
}

/// A differentiable value behind any number of references: generated code
/// passes operands of types it cannot see (pattern bindings, constants)
/// through [`val`], so `&f64` and `&&f64` reach a rule as `&f64`.
pub trait ValueRef {
    /// The value behind the references.
    type Target: ?Sized;
    /// A reference to the value.
    fn value_ref(&self) -> &Self::Target;
}

/// `ValueRef` of a type for itself (floats here; flags and counts in
/// `constant`).
macro_rules! value_ref_self {
    ($($t:ty),*) => {$(
        impl $crate::value::ValueRef for $t {
            type Target = $t;
            #[inline]
            fn value_ref(&self) -> &$t {
                self
            }
        }
    )*};
}
value_ref_self!(f32, f64);
pub(crate) use value_ref_self;

impl<A: Float, D: Dimension> ValueRef for Tensor<A, D> {
    type Target = Tensor<A, D>;
    #[inline]
    fn value_ref(&self) -> &Self {
        self
    }
}

impl<A: Real> ValueRef for [A] {
    type Target = [A];
    #[inline]
    fn value_ref(&self) -> &[A] {
        self
    }
}

impl<A: Real> ValueRef for Vec<A> {
    type Target = Vec<A>;
    #[inline]
    fn value_ref(&self) -> &Vec<A> {
        self
    }
}

impl<T: ValueRef + ?Sized> ValueRef for &T {
    type Target = T::Target;
    #[inline]
    fn value_ref(&self) -> &T::Target {
        (**self).value_ref()
    }
}

/// Sees through references to the value (see [`ValueRef`]).
#[inline]
pub fn val<T: ValueRef + ?Sized>(x: &T) -> &T::Target {
    x.value_ref()
}

/// The element type of a float or a tensor: the type a float literal
/// beside it has (`x * 2.0`). Generated code passes literals through
/// [`lit`] so that rustc knows their type at once.
pub trait Elem {
    /// `A` for `A`, `Tensor<A, D>`, `[A]` and `Vec<A>`.
    type Elem: Real;
}

/// One impl for every float (not one per float type), so that a literal
/// beside a value whose float type rustc has not chosen yet
/// (`let mut a = 0.5;` later assigned `a * 0.75 - x`) has that same type,
/// as the built-in operators give in the plain function.
impl<A: Float> Elem for A {
    type Elem = A;
}

impl<A: Float, D: Dimension> Elem for Tensor<A, D> {
    type Elem = A;
}

impl<A: Real> Elem for [A] {
    type Elem = A;
}

impl<A: Real> Elem for Vec<A> {
    type Elem = A;
}

/// A literal of the element type of `beside` (see [`Elem`]).
#[inline(always)]
pub fn lit<T: Elem + ?Sized>(beside: &T, x: T::Elem) -> T::Elem {
    let _ = beside;
    x
}

/// A literal of the element type of the value `beside` is the shape of.
#[inline(always)]
pub fn lit_meta<T: Elem + Differentiable + ?Sized>(beside: &Meta<T>, x: T::Elem) -> T::Elem {
    let _ = beside;
    x
}

/// The type of a value's gradient, without the value: generated code
/// takes one right after a value is defined, so that the slot of its
/// gradient in the backward pass has a type from the start.
pub struct Witness<T: ?Sized>(std::marker::PhantomData<fn() -> T>);

impl<T: ?Sized> Clone for Witness<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Witness<T> {}

/// The [`Witness`] of a value's gradient type.
#[inline(always)]
pub fn witness<T: Differentiable + ?Sized>(value: &T) -> Witness<T::Grad> {
    let _ = value;
    Witness(std::marker::PhantomData)
}

impl<G> Witness<G> {
    /// An empty gradient slot of the witnessed type.
    #[inline(always)]
    pub fn none(self) -> Option<G> {
        None
    }
}

/// An empty gradient slot for a value whose shape is kept (the type comes
/// from the shape, as from a [`Witness`]).
#[inline(always)]
pub fn none_like<T: Differentiable + ?Sized>(meta: &Meta<T>) -> Option<T::Grad> {
    let _ = meta;
    None
}

/// Says that `a` and `b` have one type: generated code ties a variable's
/// new constant value to its earlier value, as the assignment does in the
/// user's code.
#[inline(always)]
pub fn tie<T: ?Sized>(a: &T, b: &T) {
    let _ = (a, b);
}

/// `x`, of the type of `like`: a literal assigned to a variable gets the
/// type of the variable's earlier value, as in the user's code.
#[inline(always)]
pub fn same_type<T>(like: &T, x: T) -> T {
    let _ = like;
    x
}

/// The value a constant argument had, from the owned copy the backward
/// pass keeps of it (see [`again`]): the copy itself, or a borrow of it
/// where the argument was a reference (`&[f64]` from a `Vec<f64>`).
pub trait Again<'a, T> {
    /// The argument, again.
    fn again(&'a self) -> T;
}

impl<'a, T: Clone> Again<'a, T> for T {
    #[inline]
    fn again(&'a self) -> T {
        self.clone()
    }
}

impl<'a, A> Again<'a, &'a [A]> for Vec<A> {
    #[inline]
    fn again(&'a self) -> &'a [A] {
        self
    }
}

impl<'a> Again<'a, &'a str> for String {
    #[inline]
    fn again(&'a self) -> &'a str {
        self
    }
}

impl<'a, T> Again<'a, &'a T> for T {
    #[inline]
    fn again(&'a self) -> &'a T {
        self
    }
}

/// A constant argument of a call passed again to the call's pullback, from
/// the owned copy the backward pass kept (`x.to_owned()` sees through one
/// reference, so a `&[f64]` constant is kept as a `Vec<f64>`).
#[inline(always)]
pub fn again<'a, O: Again<'a, T>, T>(own: &'a O) -> T {
    own.again()
}
