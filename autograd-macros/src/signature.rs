//! Parses the signature of a `#[differentiable]` function.
//!
//! Input: the user's `syn::ItemFn`.
//! Output: a [`Signature`]: each parameter classified as differentiated or
//! constant, elided lifetimes named, and the generics the generated
//! functions need.

use proc_macro2::{Ident, Span};
use syn::visit_mut::VisitMut;
use syn::{FnArg, GenericParam, Generics, Lifetime, Pat, ReturnType, Type, Visibility};

use crate::errors::Errors;

/// Why a parameter gets no gradient.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Constant {
    /// Marked `#[no_grad]`.
    NoGrad,
    /// Of a type that has no gradient (integers, bool, slices of those, ...).
    NonFloat,
}

pub struct Param {
    pub ident: Ident,
    /// The type as written, with elided lifetimes named.
    pub ty: Type,
    /// The type behind one `&`, if the parameter is a reference.
    pub referent: Option<Type>,
    pub constant: Option<Constant>,
}

impl Param {
    pub fn is_differentiated(&self) -> bool {
        self.constant.is_none()
    }

    pub fn is_ref(&self) -> bool {
        self.referent.is_some()
    }

    /// The value type whose gradient this parameter gets.
    pub fn value_type(&self) -> &Type {
        self.referent.as_ref().unwrap_or(&self.ty)
    }
}

pub struct Signature {
    pub vis: Visibility,
    pub ident: Ident,
    /// The user's generics plus the lifetimes named for elided references.
    pub generics: Generics,
    pub params: Vec<Param>,
    /// The output as generated code sees it: the type written, but for a
    /// function with auxiliary values `(L, Aux<..>)` (see [`AuxOutput`]).
    pub output: Type,
    /// `#[differentiable(has_aux)]`: the returned tuple's parts.
    pub aux: Option<AuxOutput>,
    /// `#[differentiable(recursive)]`: the pullback of `rule` is boxed, so
    /// that functions calling each other have types (a function calling
    /// itself is found without it).
    pub recursive: bool,
    /// A method: its rule goes beside it, in the same `impl` block or trait.
    pub method: Option<MethodCx>,
}

/// The output of a `#[differentiable(has_aux)]` function `-> (L, A, B)`:
/// `L` is differentiated, `A` and `B` are carried beside it without a
/// gradient. Generated code sees the output as `(L, Aux<(A, B)>)`.
pub struct AuxOutput {
    /// `L`.
    pub value: Type,
    /// What the auxiliary values are handed out as: `A` for a pair, the
    /// tuple `(A, B)` of the rest otherwise.
    pub aux: Type,
    /// How many auxiliary elements the tuple has.
    pub count: usize,
}

/// Where a `#[differentiable]` method is: what its rule, generated beside
/// it as `__ad_rule_<name>`, needs to know of the block around.
#[derive(Clone, Default)]
pub struct MethodCx {
    /// The generics of the `impl` block or trait (when the attribute is on
    /// the block): the rule's pullback may keep its type parameters.
    pub outer: Option<Generics>,
    /// In a trait definition: the rule is declared, `Self` captured.
    pub in_trait: bool,
}

const NON_FLOAT: &[&str] = &[
    "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128", "bool",
    "char", "str", "String", "Axis",
];

/// Whether a type, syntactically, can have no gradient: integers, bool,
/// `Axis`, and references, slices, arrays and `Vec`s of those.
/// The element type of a slice, an array or a `Vec` (behind references).
fn row_elem(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Reference(r) => row_elem(&r.elem),
        Type::Paren(p) => row_elem(&p.elem),
        Type::Group(g) => row_elem(&g.elem),
        Type::Slice(s) => Some(&s.elem),
        Type::Array(a) => Some(&a.elem),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            match &last.arguments {
                syn::PathArguments::AngleBracketed(args) if last.ident == "Vec" => {
                    match args.args.first() {
                        Some(syn::GenericArgument::Type(inner)) => Some(inner),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A slice, array or `Vec` of slices, arrays or `Vec`s (`&[Vec<f64>]`, `[[f64; 2]; 3]`).
fn nested_rows(ty: &Type) -> bool {
    row_elem(ty).and_then(row_elem).is_some()
}

/// The parts of a returned tuple (nested tuples included) without a gradient.
fn non_float_parts(t: &syn::TypeTuple) -> Vec<&Type> {
    let mut out = Vec::new();
    for e in &t.elems {
        match e {
            Type::Tuple(inner) => out.extend(non_float_parts(inner)),
            e if is_non_float(e) => out.push(e),
            _ => {}
        }
    }
    out
}

pub fn is_non_float(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_non_float(&r.elem),
        Type::Slice(s) => is_non_float(&s.elem),
        Type::Array(a) => is_non_float(&a.elem),
        Type::Paren(p) => is_non_float(&p.elem),
        Type::Group(g) => is_non_float(&g.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if NON_FLOAT.contains(&name.as_str()) {
                return true;
            }
            if name == "Vec" {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                        return is_non_float(inner);
                    }
                }
            }
            false
        }
        _ => false,
    }
}

/// Names every elided lifetime in parameter types (`&T`, `'_`), so that the
/// generated functions can say which borrows their pullbacks keep.
struct NameLifetimes {
    next: usize,
    added: Vec<Lifetime>,
}

impl NameLifetimes {
    fn fresh(&mut self) -> Lifetime {
        let lt = Lifetime::new(&format!("'__ad_l{}", self.next), Span::call_site());
        self.next += 1;
        self.added.push(lt.clone());
        lt
    }
}

impl VisitMut for NameLifetimes {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = Some(self.fresh());
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }

    fn visit_lifetime_mut(&mut self, lt: &mut Lifetime) {
        if lt.ident == "_" {
            *lt = self.fresh();
        }
    }

    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}

    fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {}
}

/// `const`, `async`, `unsafe`, `extern` and variadic functions are refused.
fn qualifiers(sig: &syn::Signature, errors: &mut Errors) {
    if let Some(t) = &sig.constness {
        errors.push_spanned(
            t,
            "#[differentiable] does not support `const fn`; remove `const`",
        );
    }
    if let Some(t) = &sig.asyncness {
        errors.push_spanned(t, "#[differentiable] does not support `async fn`; differentiate a synchronous function and call it from async code");
    }
    if let Some(t) = &sig.unsafety {
        errors.push_spanned(
            t,
            "#[differentiable] does not support `unsafe fn`; differentiate a safe function",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push_spanned(
            abi,
            "#[differentiable] does not support `extern` functions; remove the ABI",
        );
    }
    if let Some(v) = &sig.variadic {
        errors.push_spanned(v, "#[differentiable] does not support variadic functions");
    }
}

/// One typed parameter: its name, type and whether it is a constant
/// (`None`, with errors, when it cannot be a parameter at all).
fn param(pt: &syn::PatType, namer: &mut NameLifetimes, errors: &mut Errors) -> Option<Param> {
    let ident = match &*pt.pat {
        Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
            if let Some(m) = &pi.mutability {
                errors.push_spanned(m, "`mut` parameters are not supported in #[differentiable] functions; bind a new variable in the body instead (`let mut y = x;`)");
            }
            pi.ident.clone()
        }
        other => {
            errors.push_spanned(other, "#[differentiable] parameters must be plain names; destructure inside the body instead");
            return None;
        }
    };
    let mut no_grad = false;
    for attr in &pt.attrs {
        if attr.path().is_ident("no_grad") {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                errors.push_spanned(attr, "`#[no_grad]` takes no arguments");
            }
            no_grad = true;
        } else {
            errors.push_spanned(
                attr,
                "the only attribute #[differentiable] understands on a parameter is `#[no_grad]`",
            );
        }
    }
    let mut ty = (*pt.ty).clone();
    namer.visit_type_mut(&mut ty);
    let referent = match &ty {
        Type::Reference(r) => {
            if let Some(m) = &r.mutability {
                errors.push_spanned(m, "`&mut` parameters are not supported in #[differentiable] functions; take `&T` and return the new value");
            }
            Some((*r.elem).clone())
        }
        _ => None,
    };
    if let Type::ImplTrait(t) = &ty {
        errors.push_spanned(t, "`impl Trait` parameters are not supported in #[differentiable] functions; use a named generic parameter");
    }
    // A refused parameter is a constant to the rest of the
    // macro, so its uses raise no errors of their own.
    let mut refused = false;
    if let Type::Reference(r) = &ty {
        if matches!(&*r.elem, Type::Reference(_)) && !no_grad && !is_non_float(&ty) {
            errors.push_spanned(&pt.ty, "a parameter behind two references cannot be differentiated; take one reference (`x: &[f64]`), or mark it `#[no_grad]`");
            refused = true;
        }
    }
    if !no_grad
        && wraps(
            &ty,
            &[
                "Option", "Result", "Box", "Rc", "Arc", "RefCell", "Cell", "HashMap", "BTreeMap",
            ],
        )
    {
        refused = true;
        errors.push_spanned(
            &pt.ty,
            "this parameter's type has no gradient; mark it `#[no_grad]` to use it as a constant, or pass the value inside it as a parameter of its own",
        );
    }
    if !no_grad && !refused && !is_non_float(&ty) && nested_rows(&ty) {
        refused = true;
        errors.push_spanned(&pt.ty, format!(
            "a slice or array of rows (`{}`) has no gradient type; pass the rows flat (`x: &[f64]`, read as `x[i * cols + j]`) or as a `&Tensor<f64, Ix2>`, or mark it `#[no_grad]` to use it as a constant",
            type_text(&pt.ty)
        ));
    }
    let constant = if no_grad || refused {
        Some(Constant::NoGrad)
    } else if is_non_float(&ty) {
        Some(Constant::NonFloat)
    } else {
        None
    };
    Some(Param {
        ident,
        ty,
        referent,
        constant,
    })
}

pub fn signature(item: &syn::ItemFn, errors: &mut Errors) -> Option<Signature> {
    signature_with(item, false, errors)
}

/// [`signature`], of a function whose output has auxiliary values
/// (`#[differentiable(has_aux)]`) if `has_aux`.
pub fn signature_with(item: &syn::ItemFn, has_aux: bool, errors: &mut Errors) -> Option<Signature> {
    let sig = &item.sig;
    qualifiers(sig, errors);
    let mut namer = NameLifetimes {
        next: 0,
        added: Vec::new(),
    };
    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => errors.push_spanned(
                r,
                "#[differentiable] is not supported on methods; write a free function that takes the value as an ordinary parameter (`fn f(m: &Model, ..)`)",
            ),
            FnArg::Typed(pt) => params.extend(param(pt, &mut namer, errors)),
        }
    }

    let (output, aux) = match &sig.output {
        ReturnType::Default => {
            errors.push_spanned(&sig.ident, "a #[differentiable] function must return the value to differentiate: add `-> f64`, `-> Scalar<A>` or `-> Tensor<A, D>`");
            (None, None)
        }
        ReturnType::Type(_, ty) if has_aux => match crate::signature_aux::split(ty, errors) {
            Some((output, aux)) => (Some(output), Some(aux)),
            None => (None, None),
        },
        ReturnType::Type(_, ty) => {
            check_output(ty, errors);
            (Some((**ty).clone()), None)
        }
    };

    let mut generics = sig.generics.clone();
    let mut lifetimes: Vec<GenericParam> = namer
        .added
        .into_iter()
        .map(|lt| GenericParam::Lifetime(syn::LifetimeParam::new(lt)))
        .collect();
    // Lifetimes must come first.
    let rest: Vec<GenericParam> = std::mem::take(&mut generics.params).into_iter().collect();
    let (user_lts, others): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|p| matches!(p, GenericParam::Lifetime(_)));
    let mut all = user_lts;
    all.append(&mut lifetimes);
    all.extend(others);
    generics.params = all.into_iter().collect();

    Some(Signature {
        vis: item.vis.clone(),
        ident: sig.ident.clone(),
        generics,
        params,
        output: output?,
        aux,
        recursive: false,
        method: None,
    })
}

/// The checks of a returned type: a float, a tensor, or a tuple or array of
/// them, owned.
pub fn check_output(ty: &Type, errors: &mut Errors) {
    if is_non_float(ty) || matches!(ty, Type::Tuple(t) if t.elems.is_empty()) {
        errors.push_spanned(ty, format!(
            "a #[differentiable] function must return a float or a tensor, not `{}`: its gradient would always be zero",
            type_text(ty)
        ));
    }
    if wraps(
        ty,
        &["Option", "Result", "Box", "String", "HashMap", "BTreeMap"],
    ) {
        errors.push_spanned(ty, format!(
            "a #[differentiable] function must return a float or a tensor, not `{}`: return the value itself (handle the missing case before the function, or return a value that marks it)",
            type_text(ty)
        ));
    }
    check_owned(ty, errors);
    if let Type::Tuple(t) = ty {
        for part in non_float_parts(t) {
            errors.push_spanned(part, format!(
                "a returned tuple may hold floats, tensors and tuples or arrays of them, not `{}`: it has no gradient; return it as a float (`n as f64`, `f64::from(flag)`), compute it in a function without #[differentiable], or return it as an auxiliary value with `#[differentiable(has_aux)]`",
                type_text(part)
            ));
        }
    }
}

/// A returned type holds no reference.
pub fn check_owned(ty: &Type, errors: &mut Errors) {
    if contains_reference(ty) {
        errors.push_spanned(
            ty,
            "a #[differentiable] function must return an owned value, not a reference",
        );
    }
}

/// Whether a type (behind references) is one of the named wrappers.
fn wraps(ty: &Type, names: &[&str]) -> bool {
    match ty {
        Type::Reference(r) => wraps(&r.elem, names),
        Type::Paren(p) => wraps(&p.elem, names),
        Type::Group(g) => wraps(&g.elem, names),
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| names.contains(&s.ident.to_string().as_str())),
        _ => false,
    }
}

fn contains_reference(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'a> syn::visit::Visit<'a> for Finder {
        fn visit_type_reference(&mut self, _: &'a syn::TypeReference) {
            self.0 = true;
        }
    }
    let mut f = Finder(false);
    syn::visit::Visit::visit_type(&mut f, ty);
    f.0
}

/// The signature as the user wrote it, minus our parameter attributes.
pub fn strip_param_attrs(sig: &mut syn::Signature) {
    for input in &mut sig.inputs {
        if let FnArg::Typed(pt) = input {
            pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
        }
    }
}

/// A type as the user would write it: `Option<f64>`, not `Option < f64 >`.
pub fn type_text(ty: &Type) -> String {
    let text = quote::ToTokens::to_token_stream(ty).to_string();
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let drop = c == ' '
            && (out.ends_with(['<', '&', ':', '(', '['])
                || matches!(next, Some('<' | '>' | ',' | ':' | ')' | ']')));
        if !drop {
            out.push(c);
        }
    }
    out
}

/// The type parameters bounded by a trait named `Float` (`num_traits::Float`
/// or this crate's), inline or in the `where` clause: the float types of a
/// generic function.
pub fn float_params(generics: &Generics) -> Vec<Ident> {
    fn bounds_float<'a>(mut bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> bool {
        bounds.any(|b| match b {
            syn::TypeParamBound::Trait(t) => {
                t.path.segments.last().is_some_and(|s| s.ident == "Float")
            }
            _ => false,
        })
    }
    let inline = generics
        .type_params()
        .filter(|t| bounds_float(t.bounds.iter()))
        .map(|t| t.ident.clone());
    let in_where = generics.where_clause.iter().flat_map(|w| {
        w.predicates.iter().filter_map(|p| match p {
            syn::WherePredicate::Type(pt) if bounds_float(pt.bounds.iter()) => match &pt.bounded_ty
            {
                syn::Type::Path(tp) => tp.path.get_ident().cloned(),
                _ => None,
            },
            _ => None,
        })
    });
    let mut out: Vec<Ident> = inline.chain(in_where).collect();
    out.dedup();
    out
}

/// Whether a parameter's type (behind references) is a type of the user's
/// own, whose methods may be `#[differentiable]` (`&Mlp`, `&Self`, `&M`
/// for `M: Module`), rather than a float, a tensor, a slice or an integer.
pub fn is_user_type(ty: &Type, generics: &Generics) -> bool {
    const BUILTIN: &[&str] = &[
        "f32",
        "f64",
        "Tensor",
        "Scalar",
        "Vec",
        "Array",
        "Array0",
        "Array1",
        "Array2",
        "Array3",
        "Array4",
        "Array5",
        "Array6",
        "ArrayD",
        "ArrayView",
        "Option",
        "Box",
    ];
    match ty {
        Type::Reference(r) => is_user_type(&r.elem, generics),
        Type::Paren(p) => is_user_type(&p.elem, generics),
        Type::Group(g) => is_user_type(&g.elem, generics),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            !BUILTIN.contains(&name.as_str())
                && !NON_FLOAT.contains(&name.as_str())
                && !float_params(generics).contains(&last.ident)
        }
        _ => false,
    }
}
