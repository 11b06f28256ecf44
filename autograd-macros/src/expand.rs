//! The attribute's pipeline: signature, checks, lowering to the core form,
//! analyses, emission; errors collected and reported together.
//!
//! It never panics and never loses the user's function: when it reports
//! errors, it also emits the function as written, so that the rest of the
//! crate compiles and reports its own errors.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};

use crate::check::{self, MAX_GROUP_DEPTH};
use crate::errors::Errors;
use crate::{analysis, desugar, emit, lower, signature};

/// A function whose body is not parsed yet: a body nested too deep is
/// refused before any recursive step reads it.
pub struct ShallowFn {
    pub attrs: Vec<syn::Attribute>,
    pub vis: syn::Visibility,
    pub sig: syn::Signature,
    pub body: proc_macro2::Group,
}

impl Parse for ShallowFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: proc_macro2::Group = input.parse()?;
        if body.delimiter() != proc_macro2::Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the function's body"));
        }
        Ok(ShallowFn {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// [`expand`], with a last line of defence: were the macro to panic (a bug;
/// the fuzz tests look for these), the function is emitted as written with
/// an error at its name, instead of rustc's "proc macro panicked" on the
/// attribute and the function lost.
pub fn guarded(attr: TokenStream, item: TokenStream) -> TokenStream {
    keep_on_panic(item.clone(), || expand(attr, item))
}

/// Runs `run`; on a panic, `item` as written and an error at its name.
pub fn keep_on_panic(item: TokenStream, run: impl FnOnce() -> TokenStream) -> TokenStream {
    let run = std::panic::AssertUnwindSafe(run);
    match std::panic::catch_unwind(run) {
        Ok(tokens) => tokens,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let span = syn::parse2::<ShallowFn>(item.clone())
                .map(|f| f.sig.ident.span())
                .unwrap_or_else(|_| proc_macro2::Span::call_site());
            let message = format!(
                "internal error in #[differentiable] ({what}); please report this function"
            );
            let err = syn::Error::new(span, message).to_compile_error();
            quote!(#err #item)
        }
    }
}

/// The attribute's pipeline (the attribute calls it through [`guarded`]).
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let shallow: ShallowFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
                return crate::method::expand_impl(attr, block);
            }
            if let Ok(tr) = syn::parse2::<syn::ItemTrait>(item.clone()) {
                return crate::method::expand_trait(attr, tr);
            }
            // At the item: syn places errors at the end of its input past the last token.
            let e = syn::Error::new_spanned(
                &item,
                "#[differentiable] applies to a function, a method with a `&self` receiver, an `impl` block or a trait: `fn f(x: &Tensor<f64, Ix1>) -> Scalar<f64> { .. }`",
            );
            let err = e.to_compile_error();
            return quote!(#err #item);
        }
    };
    if matches!(shallow.sig.inputs.first(), Some(syn::FnArg::Receiver(_))) {
        return crate::method::expand_method(attr, shallow, crate::signature::MethodCx::default());
    }
    let user_fn = user_function(&shallow);
    pipeline(attr, shallow, (user_fn, item), None)
}

/// The pipeline of one function (for a method: of its body as a function
/// of `__ad_self`). `user_fn` is the function as emitted (our parameter
/// attributes removed), `written` its tokens as written, emitted as they
/// are when the body does not parse.
pub fn pipeline(
    attr: TokenStream,
    shallow: ShallowFn,
    (user_fn, written): (TokenStream, TokenStream),
    method: Option<crate::signature::MethodCx>,
) -> TokenStream {
    let mut errors = Errors::default();
    let options = crate::options::parse(&attr, &mut errors);
    if options.has_aux && method.is_some() {
        errors.push(
            shallow.sig.ident.span(),
            "#[differentiable(has_aux)] applies to free functions: a method is differentiated through the functions that call it, which may themselves have `has_aux`; return the auxiliary values from such a function",
        );
    }
    if let Some(span) = check::token_depth(&shallow.body.stream(), MAX_GROUP_DEPTH) {
        errors.push(span, check::too_deep_groups_message());
        return with_errors(user_fn, errors);
    }
    let block: syn::Block = match syn::parse2(shallow.body.to_token_stream()) {
        Ok(b) => b,
        Err(e) => {
            // rustc reports the syntax error on the item, emitted as written.
            errors.push_error(e);
            return with_errors(written, errors);
        }
    };
    let mut func = syn::ItemFn {
        attrs: shallow.attrs.clone(),
        vis: shallow.vis.clone(),
        sig: shallow.sig.clone(),
        block: Box::new(block),
    };
    desugar::mut_params(&mut func);
    let sig = signature::signature_with(&func, options.has_aux, &mut errors);
    if !check::body(&func.block, &mut errors) {
        // Dropping a syntax tree that deep would recurse as deep: the
        // process ends soon, so it is left to it.
        std::mem::forget(func);
        return with_errors(user_fn, errors);
    }
    let Some(mut sig) = sig else {
        return with_errors(user_fn, errors);
    };
    sig.recursive = options.recursive;
    sig.method = method;
    let items = desugar::hoist_items(&mut func.block, &mut errors);
    crate::plain_fns::body_items(&items);
    // A `has_aux` function is also lowered as written, for the rule other
    // bodies call: there, every returned value is differentiated.
    let plain = sig
        .aux
        .as_ref()
        .filter(|_| all_differentiable(&func.sig))
        .map(|_| (func.clone(), sig.recursive));
    if let Some(aux) = &sig.aux {
        desugar::has_aux::rewrite(&mut func.block, aux.count);
    }
    desugar::body(&sig, &mut func.block, &mut errors);
    let Some(body) = lower::body(&sig, &func.block, &mut errors) else {
        return with_errors(user_fn, errors);
    };
    if !errors.is_empty() {
        return with_errors(user_fn, errors);
    }
    let plan = analysis::analyse(&sig, &body);
    if let Some(first) = plan.internal.first() {
        errors.push(
            sig.ident.span(),
            format!("internal error in #[differentiable]: {first}; please report this function"),
        );
        return with_errors(user_fn, errors);
    }
    let items = desugar::items_for_module(&items);
    if sig.method.is_some() {
        let rule = emit::method(&sig, &plan, &items);
        return quote! {
            #user_fn
            #rule
        };
    }
    let plain = plain.and_then(|(mut f, recursive)| plain_lowered(&mut f, recursive));
    let plain_plan = plain.as_ref().and_then(|(s, b)| {
        let p = analysis::analyse(s, b);
        p.internal.is_empty().then_some((s, p))
    });
    let module = emit::module(
        &sig,
        &plan,
        &items,
        plain_plan.as_ref().map(|(s, p)| (*s, p)),
    );
    quote! {
        #[allow(dead_code)]
        #user_fn
        #module
    }
}

/// Every element of a `has_aux` function's returned tuple is, as written,
/// a float, a tensor, a scalar, a type parameter or an array of those: the
/// function as written then has a rule (with a struct, an integer or a
/// `Vec<usize>` among its auxiliary values, only `has_aux`'s entry points).
fn all_differentiable(sig: &syn::Signature) -> bool {
    let params: Vec<String> = sig
        .generics
        .type_params()
        .map(|t| t.ident.to_string())
        .collect();
    fn float_like(t: &syn::Type, params: &[String]) -> bool {
        match t {
            syn::Type::Paren(p) => float_like(&p.elem, params),
            syn::Type::Group(g) => float_like(&g.elem, params),
            syn::Type::Array(a) => float_like(&a.elem, params),
            syn::Type::Path(p) if p.qself.is_none() => {
                let Some(last) = p.path.segments.last() else {
                    return false;
                };
                let name = last.ident.to_string();
                matches!(name.as_str(), "f32" | "f64" | "Tensor" | "Scalar")
                    || (p.path.segments.len() == 1 && params.contains(&name))
            }
            _ => false,
        }
    }
    match &sig.output {
        syn::ReturnType::Type(_, t) => match &**t {
            syn::Type::Tuple(tuple) => tuple.elems.iter().all(|e| float_like(e, &params)),
            _ => false,
        },
        syn::ReturnType::Default => false,
    }
}

/// The signature and body of a `has_aux` function lowered as if it had no
/// `has_aux`; `None` where that would be refused (its callers then find no
/// `rule`, and rustc says so at the call).
fn plain_lowered(
    func: &mut syn::ItemFn,
    recursive: bool,
) -> Option<(signature::Signature, crate::core::Body)> {
    let mut errors = Errors::default();
    let mut sig = signature::signature_with(func, false, &mut errors)?;
    sig.recursive = recursive;
    desugar::body(&sig, &mut func.block, &mut errors);
    let body = lower::body(&sig, &func.block, &mut errors)?;
    errors.is_empty().then_some((sig, body))
}

/// The user's function as written, minus the attributes the macro reads
/// on its parameters, its body's tokens untouched.
pub fn user_function(f: &ShallowFn) -> TokenStream {
    let mut sig = f.sig.clone();
    signature::strip_param_attrs(&mut sig);
    let (attrs, vis, body) = (&f.attrs, &f.vis, &f.body);
    quote!(#(#attrs)* #vis #sig #body)
}

pub fn with_errors(user_fn: TokenStream, errors: Errors) -> TokenStream {
    match errors.finish() {
        Ok(()) => user_fn,
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#user_fn #err)
        }
    }
}
