//! The seed corpus: every `#[differentiable]` function of the repository's
//! tests, examples and benchmarks (read at test time), plus hand-written
//! functions covering the constructs a body may contain, supported or not.

use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A function item to expand, and where it came from.
#[derive(Clone, Debug)]
pub struct Seed {
    pub origin: String,
    pub item: String,
}

/// The seeds: the repository's functions, then the hand-written ones.
pub fn seeds() -> Vec<Seed> {
    let mut out = repo_functions();
    out.extend(HANDWRITTEN.iter().enumerate().map(|(i, src)| Seed {
        origin: format!("handwritten #{i}"),
        item: (*src).to_owned(),
    }));
    out
}

/// Every `#[differentiable]` function (free, in an `impl` or a trait, or in
/// the items of a macro invocation) of `tests/`, `examples/` and `benches/`,
/// without that attribute.
pub fn repo_functions() -> Vec<Seed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["tests", "examples", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(file) = syn::parse_file(&src) else {
            continue;
        };
        let mut finder = Finder {
            origin: path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string(),
            found: Vec::new(),
        };
        finder.visit_file(&file);
        out.extend(finder.found);
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

struct Finder {
    origin: String,
    found: Vec<Seed>,
}

fn is_differentiable(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "differentiable")
}

impl Finder {
    fn take(
        &mut self,
        attrs: &[syn::Attribute],
        vis: Option<&syn::Visibility>,
        sig: &syn::Signature,
        block: &syn::Block,
    ) {
        if !attrs.iter().any(is_differentiable) {
            return;
        }
        let kept = attrs.iter().filter(|a| !is_differentiable(a));
        let item = quote::quote!(#(#kept)* #vis #sig #block);
        self.found.push(Seed {
            origin: format!("{} `{}`", self.origin, sig.ident),
            item: item.to_string(),
        });
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.take(&f.attrs, Some(&f.vis), &f.sig, &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.take(&f.attrs, Some(&f.vis), &f.sig, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }

    /// Items inside a macro invocation (`in_f64_and_f32! { .. }`).
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if let Ok(file) = syn::parse2::<syn::File>(m.tokens.clone()) {
            self.visit_file(&file);
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.take(&f.attrs, None, &f.sig, block);
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// Lifetimes and generics (the `A`, `D`) keep these well-formed Rust; many
/// are not supported by the macro, which must then say so at a span.
const HANDWRITTEN: &[&str] = &[
    "fn f(x: f64) -> f64 { x }",
    "fn f(x: f64) -> f64 { let y = x * x; let mut z = y + 1.0; z = z * x; z }",
    "fn f(x: f64) -> f64 { let x = x * 2.0; let x = x.sin(); x }",
    "fn f(x: f64) -> f64 { let mut d = x; let tmp = d; d = d * 3.0; tmp + d }",
    "fn f(x: f64, y: f64) -> f64 { let (a, b) = (x, y); let (a, b) = (b, a); a * 2.0 + b }",
    "fn f(x: f64, y: f64) -> f64 { let mut a = x; let mut b = y; (a, b) = (b, a); a - b }",
    "fn f(x: f64) -> f64 { let z; if x > 0.0 { z = x * x; } else { z = -x; } z }",
    "fn f(x: f64) -> f64 { let z: f64; match x > 1.0 { true => z = x, false => z = 1.0 } z }",
    "fn f(x: f64, n: usize) -> f64 { match n { 0 => x, 1 | 2 => x * x, k if k > 10 => x.exp(), _ => -x } }",
    "fn f(x: f64, n: usize) -> f64 { let y = match n { m @ 0..=3 => x * m as f64, _ => x }; y }",
    "fn f(x: f64, o: Option<f64>) -> f64 { match o { Some(v) if v > 0.0 => x * v, Some(_) => x, None => 0.0 } }",
    "fn f(x: f64, n: usize) -> f64 { let mut s = 0.0; for i in 0..n { if i % 2 == 0 { continue; } s = s + x * i as f64; if s > 10.0 { break; } } s }",
    "fn f(x: f64) -> f64 { let mut y = x; while y < 100.0 { y = y * 2.0; } y }",
    "fn f(x: f64) -> f64 { let mut y = x; let mut i = 0; loop { i += 1; y = y.sin() + x; if i > 3 { break; } } y }",
    "fn f(x: f64, n: usize) -> f64 { let mut s = x; 'outer: for i in 0..n { for j in 0..n { if i + j > 4 { break 'outer; } if j > i { continue 'outer; } s = s * x; } } s }",
    "fn f(x: f64) -> f64 { let y = 'b: { if x > 0.0 { break 'b x * 2.0; } x }; y }",
    "fn f(x: f64) -> f64 { let mut y = x; let v = loop { y = y * 0.5; if y < 1.0 { break y; } }; v }",
    "fn f(x: f64) -> f64 { if x < 0.0 { return -x; } let y = x * x; return y; }",
    "fn f(x: f64) -> f64 { let g = |t: f64| t * x; g(2.0) }",
    "fn f(x: f64, v: &[f64]) -> f64 { let s: f64 = v.iter().map(|e| e * x).sum(); s }",
    "fn f(x: &[f64]) -> f64 { x.iter().fold(0.0, |acc, v| acc + v * v) }",
    "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for (i, v) in x.iter().enumerate() { s += v * i as f64; } s }",
    "fn f(x: &[f64], #[no_grad] y: &[f64]) -> f64 { let mut s = 0.0; for (a, b) in x.iter().zip(y.iter()) { s += a * b; } s }",
    "fn f(r#fn: f64) -> f64 { let r#match = r#fn * 2.0; r#match }",
    "fn r#loop(r#type: f64, r#in: f64) -> f64 { let r#async = r#type + r#in; r#async * r#async }",
    "fn f(x: f64) -> f64 { f64::sqrt(x) + f64::exp(x) - f64::ln(x) }",
    "fn f(x: f64) -> f64 { x.sin().cos().exp().ln().sqrt().tanh().abs().powi(2).powf(0.5).max(1.0).min(2.0) }",
    "fn f(x: f64, n: usize) -> f64 { let k = n as f64; let j = k as i32; x * k + j as f64 }",
    "fn f(x: f64) -> f64 { (x as f32) as f64 }",
    "fn f(x: &f64) -> f64 { let y = &x; let z = *x; **y + z }",
    "fn f(x: &[f64]) -> f64 { let s = &x[1..3]; let t = &x[..2]; let u = &x[2..]; s[0] + t[1] + u[0] + x[x.len() - 1] }",
    "fn f(x: f64, y: f64) -> f64 { let t = (x, y); let u = (t.0 * 2.0, t.1); u.0 + u.1 }",
    "fn f(p: &Params, x: f64) -> f64 { p.w * x + p.b }",
    "fn f(x: f64) -> f64 { let p = Point { x, y: x * 2.0 }; p.x + p.y }",
    "fn f(x: f64) -> f64 { let v = vec![x, x]; println!(\"{}\", x); assert!(x > 0.0); debug_assert_eq!(v.len(), 2); x }",
    "fn f(x: f64) -> Result<f64, E> { let y = g(x)?; Ok(y) }",
    "fn f(x: f64) -> f64 { let y = unsafe { x * 2.0 }; y }",
    "unsafe fn f(x: f64) -> f64 { x }",
    "async fn f(x: f64) -> f64 { let y = async { x }.await; y }",
    "const fn f(x: f64) -> f64 { x }",
    "extern \"C\" fn f(x: f64) -> f64 { x }",
    "fn f<A: Float>(x: A, y: A) -> A { let two = A::from_f64(2.0); x * y * two - y / x }",
    "fn f<A, D>(x: &Tensor<A, D>) -> Tensor<A, D> where A: Float, D: Dimension { x * x }",
    "fn f<'a, 'b: 'a, A: Float + 'a>(x: &'a Tensor<A, Ix1>, y: &'b Tensor<A, Ix1>) -> Scalar<A> { (x * y).sum() }",
    "fn f<const N: usize>(x: [f64; N]) -> f64 { x[0] }",
    "fn f(x: &Tensor<f64, Ix2>, w: &Tensor<f64, Ix2>) -> Scalar<f64> { x.matmul(w).tanh().sum() }",
    "fn f(x: &Tensor<f64, Ix1>) -> Scalar<f64> { let y = x.exp(); let z = &y * &y; (z / 2.0).mean() }",
    "fn f(x: f64, #[no_grad] k: f64, #[no_grad] n: usize) -> f64 { x * k * n as f64 }",
    "fn f(x: f64, #[no_grad(x)] k: f64, #[inline] j: f64) -> f64 { x * k * j }",
    "fn f(&self, x: f64) -> f64 { self.w * x }",
    "fn f(self: &Self, x: f64) -> f64 { x }",
    "fn f(mut self, x: f64) -> f64 { x }",
    "fn f(x: f64) -> f64 { fn g(t: f64) -> f64 { t * t } g(x) }",
    "fn f(x: f64) -> f64 { struct S; const K: f64 = 2.0; x * K }",
    "fn f(x: f64) -> f64 { let y = g(x); let z = inner::h(y, x); z }",
    "fn f(x: f64) -> f64 { <f64 as Float>::sin(x) }",
    "fn f(mut x: f64) -> f64 { x = x * 2.0; x }",
    "fn f(x: &mut f64) -> f64 { *x = 1.0; *x }",
    "fn f((a, b): (f64, f64)) -> f64 { a * b }",
    "fn f(x: impl Float) -> f64 { 0.0 }",
    "fn f(x: f64) { let _ = x; }",
    "fn f(x: f64) -> usize { 0 }",
    "fn f(x: f64) -> &f64 { &x }",
    "fn f(x: f64) -> () { }",
    "fn f(x: f64) -> (f64, f64) { (x, x * 2.0) }",
    "fn f(x: f64) -> f64 { let Some(y) = Some(x) else { return 0.0; }; y }",
    "fn f(x: f64) -> f64 { if let Some(y) = Some(x) { y } else { 0.0 } }",
    "fn f(x: f64) -> f64 { let mut v = x; while let true = v < 3.0 { v = v + 1.0; } v }",
    "fn f(x: f64) -> f64 { let a = [x, x]; a[0] }",
    "fn f(x: f64) -> f64 { let y = -x; let b = !(x > 0.0); if b { y } else { x } }",
    "fn f(x: f64) -> f64 { let y = if x > 0.0 { x } else if x < -1.0 { -x } else { 0.0 }; y }",
    "fn f(x: f64) -> f64 { let y = if x > 0.0 { x }; x }",
    "fn f(x: f64) -> f64 { let y = { let t = x * x; t * 2.0 }; y + { x } }",
    "fn f(x: f64) -> f64 { let y = const { 2.0 }; x * y }",
    "fn f(x: f64) -> f64 { let y = try { x }; y }",
    "fn f(x: f64) -> f64 { let mut s = x; s += 1.0; s -= x; s *= x; s /= 2.0; s }",
    "fn f(x: f64) -> f64 { let mut v = vec![x]; v[0] = 2.0 * x; v[0] }",
    "fn f(x: f64, p: &P) -> f64 { let mut q = p.clone(); q.w = x; q.w }",
    "fn f(x: &Tensor<f64, Ix1>) -> Scalar<f64> { let y = x.clone(); let z = y.reshape(3); z.sum() }",
    "fn f(x: f64, n: usize) -> f64 { let mut acc = 1.0; for _ in 0..n { let t = acc; acc = t * x; } acc }",
    "fn f(x: f64, n: usize) -> f64 { let mut acc = x; for i in (0..n).rev().step_by(2) { acc = acc * i as f64; } acc }",
    "fn f(x: f64) -> f64 { let mut y = x; for _ in 0..3 { for _ in 0..2 { y = y * x; } } y }",
    "fn f(x: f64) -> f64 { let _unused = x * 3.0; let _ = x.sin(); x }",
    "fn f(x: f64) -> f64 { let mut y = x; if y > 1.0 { y = y * 2.0; } y }",
    "#[inline] #[allow(unused)] /// doc\n pub(crate) fn f(x: f64) -> f64 { x }",
    "pub fn forward(x: f64) -> f64 { let vjp = x; let grad = vjp * 2.0; grad }",
    "fn f(x: f64) -> f64 { let __ad_d_x = x; let __ad_tmp_mul = __ad_d_x * x; __ad_tmp_mul }",
    "fn f(x: f64) -> f64 { let f = x * 2.0; f }",
    "fn f(x: f64) -> f64 { f(x) }",
    "fn f(x: f64) -> f64 { 'a: loop { break 'a; } x }",
    "fn f(x: f64) -> f64 { 'a: { break 'a; } x }",
    "fn f(x: f64) -> f64 { break; x }",
    "fn f(x: f64) -> f64 { continue; }",
    "fn f(x: f64) -> f64 { return; }",
    "fn f(x: f64) -> f64 { return }",
    "fn f(x: f64) -> f64 { loop {} }",
    "fn f(x: f64) -> f64 { let y; y }",
    "fn f(x: f64) -> f64 { let (y, z); y = x; z = x; y + z }",
    "fn f(x: f64) -> f64 { y }",
    "fn f(x: f64) -> f64 { x = 1.0; x }",
    "fn f(x: f64) -> f64 { let y = x; y = 2.0; y }",
    "fn f(x: f64) -> f64 { ; ; x }",
    "fn f(x: f64) -> f64 { x; }",
    "fn f(x: f64) -> f64 {}",
    "fn f() -> f64 { 1.0 }",
    "fn f(_: f64) -> f64 { 1.0 }",
    "fn f(x: f64, ...) -> f64 { x }",
    "fn f(x: f64) -> f64 { match x { _ => x } }",
    "fn f(x: f64) -> f64 { match () {} }",
    "fn f(x: f64) -> f64 { (x) }",
    "fn f(x: f64) -> f64 { x.into() }",
    "fn f(x: f64) -> f64 { x.method_with_no_rule(x) }",
    "fn f(x: f64) -> f64 { x.sin::<f64>() }",
    "fn f(x: f64) -> f64 { (x..2.0).start }",
    "fn f(x: f64) -> f64 { Self::g(x) }",
    "fn f(x: f64) -> f64 { crate::g(x) + super::g(x) + self::g(x) }",
    "fn f(x: f64) -> f64 { let s = S { x, ..Default::default() }; s.x }",
    "fn f(x: f64) -> f64 { let y = box x; *y }",
    "fn f(x: f64) -> f64 { yield x; x }",
    "fn f(x: f64) -> f64 { let g = move || x; let h = async move { x }; g() }",
    "fn f(x: f64) -> f64 { let y = x?; y }",
    "fn f(x: f64) -> f64 { let y: f64 = x as _; y }",
    "fn f(x: f64) -> f64 { let y = x.0; y }",
    "fn f(x: f64) -> f64 { let y = x[0][1]; y }",
    "fn f(x: f64) -> f64 { let y = &mut x; *y }",
    "fn f(x: f64) -> f64 { let ref y = x; *y }",
    "fn f(x: f64) -> f64 { let mut y = x; y += y; y *= y; y }",
    "fn f(x: f64) -> f64 { let t = (x, (x, x)); let (a, (b, c)) = t; a + b + c }",
    "fn f(x: f64) -> f64 { let [a, b] = [x, x]; a + b }",
    "fn f(x: f64) -> f64 { let P { a, b } = p(x); a + b }",
    "fn f(x: f64) -> f64 where f64: Copy { x }",
    "fn f(x: f64) -> impl Float { x }",
    "fn f(x: f64) -> Self { x }",
    "fn f(x: f64) -> ! { loop {} }",
    "fn f(x: f64) -> f64 { #[allow(unused)] let y = x; #[cfg(test)] { y } }",
    "fn f(x: f64) -> f64 { x + { return x } }",
    "fn f(x: f64) -> f64 { if { x > 0.0 } { x } else { -x } }",
    "fn f(x: f64) -> f64 { while { x > 0.0 } { break; } x }",
    "fn f(x: f64) -> f64 { for i in 0..{ 3 } { let _ = i; } x }",
    "fn f(x: f64, n: usize) -> f64 { let mut s = x; for i in 0..n { s = s * if i > 2 { x } else { 1.0 }; } s }",
    "fn f(x: f64, n: usize) -> f64 { let mut s = x; let mut k = n; while k > 0 { k -= 1; if k == 3 { return s; } s = s * x; } s }",
    "fn f(x: f64) -> f64 { let m = match x { v if v > 0.0 => { let w = v * 2.0; w } v => -v, }; m }",
    // Items that are not functions with a body (rustc passes any item).
    "fn f(x: f64) -> f64;",
    "struct S;",
    "impl S { fn f(&self, x: f64) -> f64 { x } }",
    "trait T { fn f(x: f64) -> f64; }",
    "extern \"C\" { fn f(x: f64) -> f64; }",
    "mod m { pub fn f(x: f64) -> f64 { x } }",
    "const C: f64 = 1.0;",
    "type T = f64;",
    "macro_rules! m { () => {}; }",
    // Truncated items, which rustc never passes (it parses the item first).
    "fn f(x: f64) ->",
    "fn f(x: f64)",
    "fn",
];
