//! Method calls and function calls: rules, the identity `.clone()`, shape
//! readers, fused forms, `f64::sqrt(x)`-style paths, joins, and calls to
//! other differentiable functions.

use syn::spanned::Spanned;
use syn::{BinOp, Expr};

use super::pattern::strip_ref;
use super::stmt::strip_parens;
use super::Lowerer;
use crate::core::{Call, CallArg, Op, Operand, Repr};
use crate::names;
use crate::table::{self, Arg, Fusion, OpEntry};

/// Type names whose associated functions are the float methods
/// (`f64::sqrt(x)` is `x.sqrt()`).
const FLOAT_PATHS: &[&str] = &["f32", "f64", "Float", "FloatExt", "Real"];

/// Whether `Owner::f(x)` names a float type's function: `f64`, `f32`, the
/// float traits, or a type (alias) by its capitalised name, as `F::hypot`
/// in code with `type F = f64;` (modules, whose functions may be
/// `#[differentiable]` ones, have lowercase names).
pub fn is_float_owner(owner: &str) -> bool {
    FLOAT_PATHS.contains(&owner) || owner.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Methods refused with a message of their own.
fn refused_method(name: &str) -> Option<&'static str> {
    match name {
        "to_bits" | "from_bits" | "to_be_bytes" | "to_le_bytes" | "to_ne_bytes" => Some(
            "the derivative through bit operations is not defined; write a custom rule",
        ),
        "into" => Some(
            "`.into()` of a differentiated value is supported where a `let` states its type (`let y: f64 = x.into();`); here the macro cannot see its target type: write `f64::from(x)` or `x as f64`",
        ),
        "collect" => Some(
            "collecting differentiated values is supported into a `Vec` the turbofish or the `let` names (`.collect::<Vec<f64>>()`, `let v: Vec<f64> = ..collect();`), from a chain over slices and ranges; consume this chain with `sum`, `product`, `fold`, `for_each` or a `for` loop, or push its elements onto a `Vec` in a `for` loop",
        ),
        _ => None,
    }
}

/// `f64::floor(x)`, `f32::signum(x)`: a float function whose result is
/// piecewise constant.
pub fn is_reader_call(e: &Expr) -> bool {
    let Expr::Call(c) = e else { return false };
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    match names::segments(&p.path).as_slice() {
        [.., owner, m] => is_float_owner(owner) && table::READERS.contains(&m.as_str()),
        _ => false,
    }
}

impl Lowerer<'_> {
    pub fn method(&mut self, m: &syn::ExprMethodCall, e: &Expr) -> Option<Operand> {
        let name = names::unraw(&m.method);
        if table::IDENTITIES.contains(&name.as_str()) && m.args.is_empty() {
            let x = self.value(&m.receiver)?;
            if self.repr(&x) == Repr::Owned {
                // A copy of an immutable value is the value.
                return Some(x);
            }
            let active = self.is_active(&x);
            let copied = x.value().is_some_and(|v| self.known_floats.contains(&v));
            let out = self.define("clone", Op::Copy(x), Repr::Owned, active, e.span());
            if let (true, Operand::Value(v)) = (copied, &out) {
                self.known_floats.insert(*v);
            }
            return Some(out);
        }
        if name == "detach" && m.args.is_empty() {
            let x = self.value(&m.receiver)?;
            return Some(self.detached(x, e.span()));
        }
        if let Some(op) = self.unwrapped_conversion(m, &name) {
            return op;
        }
        if let Some(op) = self.first_or_last(m, &name) {
            return op;
        }
        if table::READERS.contains(&name.as_str()) {
            let c = self.renamed(e);
            return Some(self.define(&name, Op::Const(c), Repr::Unknown, false, e.span()));
        }
        if let Some(message) = refused_method(&name) {
            self.errors.push_spanned(&m.method, message);
            return None;
        }
        let Some(rule) = table::method(&name) else {
            return self.user_method(m, &name, e);
        };
        if let Some(t) = &m.turbofish {
            self.errors.push_spanned(
                t,
                format!("`{name}` takes no generic arguments in a #[differentiable] function"),
            );
            return None;
        }
        let args: Vec<&Expr> = m.args.iter().collect();
        self.apply(rule, &m.receiver, &args, &m.method, e)
    }

    /// `layer.forward(&h)`: a method without a rule, on a value of a type
    /// of the user's own (`self`, a struct parameter, a field of one), is
    /// a call of a `#[differentiable]` method, through the rule beside it
    /// (`__ad_rule_forward`). On constants it is the method itself; on a
    /// float or a tensor it has no rule, and says so.
    fn user_method(&mut self, m: &syn::ExprMethodCall, name: &str, e: &Expr) -> Option<Operand> {
        if !self.is_active_expr(e) {
            let c = self.renamed(e);
            return Some(self.define(name, Op::Const(c), Repr::Unknown, false, e.span()));
        }
        let (inner, _) = strip_ref(&m.receiver);
        let receiver = self.value(inner)?;
        if !self.of_user_type(&receiver) {
            self.errors.push_spanned(
                &m.method,
                format!(
                    "the method `{name}` has no derivative rule; methods with rules are: {}. Write the computation with those, call a #[differentiable] function, or write a custom rule",
                    table::method_names()
                ),
            );
            return None;
        }
        let mut call_args = vec![CallArg {
            operand: receiver,
            by_ref: true,
        }];
        let args: Vec<&Expr> = m.args.iter().collect();
        call_args.extend(self.call_args(&args)?);
        let active = call_args.iter().any(|a| self.is_active(&a.operand));
        let path = syn::Path::from(m.method.clone());
        Some(self.define(
            name,
            Op::Call(Call {
                path,
                method: true,
                turbofish: m.turbofish.clone(),
                args: call_args,
            }),
            Repr::Owned,
            active,
            e.span(),
        ))
    }

    /// The arguments of a call, lowered, each with whether it is passed by reference.
    fn call_args(&mut self, args: &[&Expr]) -> Option<Vec<CallArg>> {
        let mut out = Vec::new();
        for arg in args {
            let (inner, by_ref) = strip_ref(arg);
            let operand = self.value(inner)?;
            out.push(CallArg { operand, by_ref });
        }
        Some(out)
    }

    /// `x.detach()`: a constant copy of `x` (its value, no gradient).
    pub fn detached(&mut self, x: Operand, span: proc_macro2::Span) -> Operand {
        let Some(v) = x.value() else { return x };
        if !self.values[v].active {
            return x;
        }
        let id = self.values[v].ident.clone();
        let tokens = match self.values[v].repr {
            Repr::Ref => quote::quote!(::core::clone::Clone::clone(#id)),
            _ => quote::quote!(::core::clone::Clone::clone(&#id)),
        };
        let c = crate::core::Const {
            tokens,
            reads: vec![v],
        };
        self.define("detach", Op::Const(c), Repr::Unknown, false, span)
    }

    /// Whether a value is of a type of the user's own, whose methods may be
    /// `#[differentiable]`: `self`, a parameter of a struct type, a field
    /// of one. Floats, tensors and what arithmetic makes are not.
    fn of_user_type(&self, o: &Operand) -> bool {
        let Some(v) = o.value() else { return false };
        if self.projections.contains(&v) {
            return true;
        }
        let Some(i) = self.params.iter().position(|p| *p == v) else {
            return false;
        };
        let p = &self.sig.params[i];
        crate::signature::is_user_type(p.value_type(), &self.sig.generics)
    }

    /// `self.layers.last().unwrap()`, `.first().expect(..)` of a container
    /// of layers: its first or last element, borrowed in place (an empty
    /// container panics, as `unwrap` does); `self.bias.as_ref().unwrap()`:
    /// the value inside the `Some`.
    fn first_or_last(&mut self, m: &syn::ExprMethodCall, name: &str) -> Option<Option<Operand>> {
        if !matches!(name, "unwrap" | "expect") {
            return None;
        }
        let Expr::MethodCall(inner) = strip_parens(&m.receiver) else {
            return None;
        };
        let which = names::unraw(&inner.method);
        if !matches!(which.as_str(), "first" | "last" | "as_ref") || !inner.args.is_empty() {
            return None;
        }
        if !self.is_active_expr(&inner.receiver) {
            return None;
        }
        let Some(Operand::Value(base)) = self.value(strip_ref(&inner.receiver).0) else {
            return Some(None);
        };
        if !self.is_part_base(base) {
            return None;
        }
        let span = m.span();
        if which == "as_ref" {
            // `self.bias.as_ref().unwrap()`: the value inside the `Some`.
            return Some(Some(self.borrow_part(
                base,
                crate::core::Part::Some,
                "some",
                span,
            )));
        }
        let index = if which == "first" {
            Operand::Lit(quote::quote!(0usize))
        } else {
            let id = self.values[base].ident.clone();
            let c = crate::core::Const {
                tokens: quote::quote!(#id.len() - 1),
                reads: vec![base],
            };
            self.define("last", Op::Const(c), Repr::Unknown, false, span)
        };
        Some(Some(self.borrow_part(
            base,
            crate::core::Part::Index(index),
            &which,
            span,
        )))
    }

    /// `T::from_f64(x).unwrap()`, `T::from(x).expect(..)` of a
    /// differentiated float `x`: a conversion to the float type `T`.
    fn unwrapped_conversion(
        &mut self,
        m: &syn::ExprMethodCall,
        name: &str,
    ) -> Option<Option<Operand>> {
        if !matches!(name, "unwrap" | "expect") {
            return None;
        }
        let Expr::Call(c) = strip_parens(&m.receiver) else {
            return None;
        };
        let Expr::Path(p) = &*c.func else { return None };
        let segs = names::segments(&p.path);
        let [owner, f] = segs.as_slice() else {
            return None;
        };
        let float =
            is_float_owner(owner) && owner != "Float" && owner != "FloatExt" && owner != "Real";
        if !float || !matches!(f.as_str(), "from_f64" | "from_f32" | "from") || c.args.len() != 1 {
            return None;
        }
        if !self.is_active_expr(&c.args[0]) {
            return None;
        }
        let ty: syn::Type = syn::parse_str(owner).ok()?;
        let x = self.value(strip_ref(&c.args[0]).0);
        Some(x.map(|x| self.convert(x, &ty, m.span())))
    }

    /// `receiver.rule(args)`, with the rule's fused forms.
    fn apply(
        &mut self,
        rule: &'static OpEntry,
        receiver: &Expr,
        args: &[&Expr],
        at: &dyn quote::ToTokens,
        e: &Expr,
    ) -> Option<Operand> {
        if args.len() != rule.args.len() {
            self.errors.push_spanned(
                at,
                format!(
                    "`{}` takes {} argument(s) here, found {}",
                    rule.name,
                    rule.args.len(),
                    args.len()
                ),
            );
            return None;
        }
        match rule.fusion {
            // `a.matmul(&b.t())`: `b` is never transposed into a copy.
            Fusion::TransposedArg(fused) => {
                if let Expr::MethodCall(t) = strip_parens(strip_ref(args[0]).0) {
                    if t.method == "t" && t.args.is_empty() && t.turbofish.is_none() {
                        let a = self.value(receiver);
                        let b = self.value(&t.receiver);
                        let fused = table::builtin(fused)?;
                        return Some(self.rule(fused, vec![a?, b?], vec![], e.span()));
                    }
                }
            }
            // `(x * x).sum_axis(axis)`: the squares are never an array of their own.
            Fusion::SquaredReceiver(fused) => {
                if let Some(x) = self.squared(receiver) {
                    let x = self.value(x)?;
                    let consts = self.consts_of(rule, args)?;
                    let fused = table::builtin(fused)?;
                    return Some(self.rule(fused, vec![x], consts, e.span()));
                }
            }
            Fusion::SameOperands(_) | Fusion::None => {}
        }
        let receiver = self.value(receiver);
        let mut operands = vec![receiver?];
        let mut consts = Vec::new();
        for (arg, kind) in args.iter().zip(rule.args) {
            match kind {
                Arg::Operand => operands.push(self.value(strip_ref(arg).0)?),
                Arg::Const => consts.push(self.const_arg(arg)?),
            }
        }
        // Errors in the generated call point at the method's name.
        let span = at
            .to_token_stream()
            .into_iter()
            .next()
            .map_or_else(|| e.span(), |t| t.span());
        Some(self.rule(rule, operands, consts, span))
    }

    fn consts_of(&mut self, rule: &OpEntry, args: &[&Expr]) -> Option<Vec<Operand>> {
        let mut out = Vec::new();
        for (arg, kind) in args.iter().zip(rule.args) {
            if *kind == Arg::Const {
                out.push(self.const_arg(arg)?);
            }
        }
        Some(out)
    }

    /// A constant argument of a rule (an axis, an index, a shape).
    fn const_arg(&mut self, arg: &Expr) -> Option<Operand> {
        if self.is_active_expr(arg) {
            self.errors.push_spanned(arg, "this argument must not depend on a differentiated value (it is an axis, an index, a shape or an exponent)");
            return None;
        }
        Some(self.constant(arg))
    }

    /// `x * x` (or `&x * &x`) of one differentiated variable: that variable.
    fn squared<'e>(&self, e: &'e Expr) -> Option<&'e Expr> {
        let Expr::Binary(b) = strip_parens(e) else {
            return None;
        };
        if !matches!(b.op, BinOp::Mul(_)) {
            return None;
        }
        let operand = |e: &'e Expr| strip_ref(strip_parens(e)).0;
        let (l, r) = (operand(&b.left), operand(&b.right));
        let (ls, ln) = self.path_slot(l)?;
        let (_, rn) = self.path_slot(r)?;
        let v = ls.value()?;
        (ln == rn && self.values[v].active).then_some(l)
    }

    pub fn call(&mut self, c: &syn::ExprCall, e: &Expr) -> Option<Operand> {
        let Expr::Path(p) = &*c.func else {
            self.errors.push_spanned(&c.func, "only calls to #[differentiable] functions by path are supported (`f(x)`, `module::f(x)`)");
            return None;
        };
        let args: Vec<&Expr> = c.args.iter().collect();
        if let Some(op) = self.float_path_call(p, &args, e) {
            return op;
        }
        if p.qself.is_some() {
            self.errors.push_spanned(&c.func, "calls through `<T as Trait>::f` are not supported; call a #[differentiable] function by its path");
            return None;
        }
        if crate::desugar::has_aux::is_marker(&p.path) && args.len() == 1 {
            return self.aux_values(args[0], e.span());
        }
        if p.path.segments.last().is_some_and(|s| {
            s.ident
                .to_string()
                .starts_with(|c: char| c.is_ascii_uppercase())
        }) {
            // `Some(x)`, `Ok(x)`, `Point(x, y)` of differentiated values.
            self.errors.push_spanned(&c.func, "wrapping differentiated values in an enum variant or a tuple struct (`Some(x)`, `Point(x, y)`) is not supported; return or pass the values themselves (a tuple `(x, y)` works)");
            return None;
        }
        if let Some(op) = self.join_call(p, c, e) {
            return op;
        }
        if let Some(rule) = crate::desugar::updates::rule_of(&p.path) {
            return self.update_call(rule, &args, e);
        }
        if let Some((_, name)) = self.path_slot(&c.func) {
            // After a closure was refused, its calls say nothing more.
            if !self.errors.is_empty() {
                return None;
            }
            self.errors.push_spanned(&c.func, format!("`{name}` is a local value, not a function: a closure is differentiated when it is bound with `let name = |..| ..;` and called directly"));
            return None;
        }
        let mut path = p.path.clone();
        names::fix_relative_path(&mut path);
        let mut turbofish = None;
        if let Some(last) = path.segments.last_mut() {
            if let syn::PathArguments::AngleBracketed(a) =
                std::mem::replace(&mut last.arguments, syn::PathArguments::None)
            {
                turbofish = Some(a);
            }
        }
        let call_args = self.call_args(&args)?;
        let what = path
            .segments
            .last()
            .map(|s| names::unraw(&s.ident))
            .unwrap_or_else(|| "call".into());
        let active = call_args.iter().any(|a| self.is_active(&a.operand));
        if active && path.segments.len() == 1 && crate::plain_fns::is_plain(&what) {
            self.errors.push_spanned(
                &c.func,
                format!("`{what}` is not #[differentiable]: add `#[differentiable]` to `{what}` (or write a custom rule for it), so that the call is differentiated through it"),
            );
        }
        Some(self.define(
            &what,
            Op::Call(Call {
                path,
                method: false,
                turbofish,
                args: call_args,
            }),
            Repr::Owned,
            active,
            e.span(),
        ))
    }

    /// `f64::sqrt(x)`, `f64::max(a, b)`, `<f64 as Float>::powi(x, 2)`,
    /// `A::exp(x)` for a type parameter `A`: the method with a rule.
    fn float_path_call(
        &mut self,
        p: &syn::ExprPath,
        args: &[&Expr],
        e: &Expr,
    ) -> Option<Option<Operand>> {
        let segs = names::segments(&p.path);
        let (method, owner) = match (&p.qself, segs.as_slice()) {
            (Some(_), [.., m]) => (m.clone(), None),
            (None, [.., owner, m]) => (m.clone(), Some(owner.clone())),
            _ => return None,
        };
        let generic = owner.as_ref().is_some_and(|o| {
            self.sig
                .generics
                .params
                .iter()
                .any(|g| matches!(g, syn::GenericParam::Type(t) if t.ident == o.as_str()))
        });
        let float = owner.as_ref().is_some_and(|o| is_float_owner(o));
        if !(p.qself.is_some() || generic || float) {
            return None;
        }
        if table::READERS.contains(&method.as_str()) {
            // `f64::floor(x)`: piecewise constant.
            let c = self.renamed(e);
            return Some(Some(self.define(
                &method,
                Op::Const(c),
                Repr::Unknown,
                false,
                e.span(),
            )));
        }
        if method == "from" && float && p.qself.is_none() && args.len() == 1 {
            // `f64::from(x)` of a float: a conversion.
            let x = self.value(strip_ref(args[0]).0);
            let ty: syn::Type = syn::parse_str(owner.as_deref()?).ok()?;
            return Some(x.map(|x| self.convert(x, &ty, p.span())));
        }
        let rule = table::method(&method)?;
        let (receiver, rest) = args.split_first()?;
        let receiver = strip_ref(receiver).0;
        Some(self.apply(rule, receiver, rest, &p.path, e))
    }

    /// `concatenate(axis, &[&a, &b])` and `stack(axis, &[..])`: one rule over all parts.
    fn join_call(
        &mut self,
        p: &syn::ExprPath,
        c: &syn::ExprCall,
        e: &Expr,
    ) -> Option<Option<Operand>> {
        let name = names::unraw(&p.path.segments.last()?.ident);
        if name != "concatenate" && name != "stack" || c.args.len() != 2 {
            return None;
        }
        let Expr::Array(parts) = strip_ref(&c.args[1]).0 else {
            return None;
        };
        let rule = table::builtin(&name)?;
        let axis = self.constant(&c.args[0]);
        let mut operands = Vec::new();
        for part in &parts.elems {
            match self.value(strip_ref(part).0) {
                Some(o) => operands.push(o),
                None => return Some(None),
            }
        }
        Some(Some(self.rule(rule, operands, vec![axis], e.span())))
    }

    /// `pushed(v, e)`, `with_elem(v, i, e)`, `added_at(v, i, e)`: an
    /// element update; `filled(e, n)`: `vec![e; n]` (see `desugar::updates`).
    fn update_call(&mut self, rule: &str, args: &[&Expr], e: &Expr) -> Option<Operand> {
        let rule = table::builtin(rule)?;
        if rule.name == "fill" {
            // `filled(e, n)`
            let [x, n] = args else { return None };
            let x = self.value(x)?;
            let n = self.const_arg(n)?;
            return Some(self.rule(rule, vec![x], vec![n], e.span()));
        }
        let (v, x, index) = match args {
            [v, x] => (v, x, None),
            [v, i, x] => (v, x, Some(i)),
            _ => return None,
        };
        let v = self.value(v);
        let x = self.value(x);
        let consts = match index {
            Some(i) => vec![self.const_arg(i)?],
            None => vec![],
        };
        Some(self.rule(rule, vec![v?, x?], consts, e.span()))
    }
}
