//! Expansions printed for review (`cargo test -p autograd-macros -- --nocapture`),
//! and checks that they stay readable.

use quote::quote;

mod has_aux;

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

#[test]
fn print_loop_expansion() {
    let out = crate::expand::expand(
        quote!(),
        quote! {
            fn recurrence(y0: &Tensor<f64, Ix1>, w: &Tensor<f64, Ix2>, steps: usize) -> Scalar<f64> {
                let mut y = y0.clone();
                for _ in 0..steps {
                    y = y.matmul(w).tanh();
                }
                y.sum()
            }
        },
    );
    let text = pretty(out);
    println!("{text}");
    // The user's variables keep their names.
    assert!(text.contains("let mut y ="));
}

#[test]
fn print_rosenbrock_expansion() {
    let out = crate::expand::expand(
        quote!(),
        quote! {
            fn rosenbrock(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() / 2 {
                    let a = x[2 * i];
                    let b = x[2 * i + 1];
                    let t = b - a * a;
                    let u = 1.0 - a;
                    s += 100.0 * t * t + u * u;
                }
                s
            }
        },
    );
    let text = pretty(out);
    println!("{text}");
    assert!(text.contains("let t ="));
}

#[test]
fn temporaries_read_once_are_consumed() {
    let out = pretty(crate::expand::expand(
        quote!(),
        quote! {
            fn f(x: &Tensor<f64, Ix2>) -> Scalar<f64> {
                let y = (x * 2.0).reshape(6);
                let e = x.exp();
                let z = e.reshape(6);
                (y * z).sum()
            }
        },
    ));
    // `x * 2.0` is read by nothing else: reshaped in place.
    assert!(
        out.contains("ReshapeRule::fwd_owned(__ad_tmp_mul,"),
        "{out}"
    );
    // `e` is read again by the backward of `exp` (its output): copied.
    assert!(out.contains("ReshapeRule::fwd(&e,"), "{out}");
}

#[test]
fn sums_of_squares_are_fused() {
    let out = pretty(crate::expand::expand(
        quote!(),
        quote! {
            fn f(z: &Tensor<f64, Ix2>, y: &Tensor<f64, Ix2>) -> Scalar<f64> {
                let a = (z * z).sum_axis(Axis(1));
                let b = (&y * &z).sum_axis(Axis(0));
                a.sum() + b.sum()
            }
        },
    ));
    assert!(out.contains("SquareSumAxisRule::fwd(z,"), "{out}");
    // Different variables on the two sides: the product and the sum.
    assert!(out.contains("MulRule::fwd(y, z)"), "{out}");
}

#[test]
fn a_kept_value_read_once_gives_its_buffer_to_the_gradient() {
    let out = pretty(crate::expand::expand(
        quote!(),
        quote! {
            fn f(x: &Tensor<f64, Ix2>, w: &Tensor<f64, Ix2>) -> Scalar<f64> {
                let z = x * 2.0;
                let y = x * 3.0;
                let a = (&z * &z).sum_axis(Axis(1));
                let b = (&y * &y).sum_axis(Axis(1));
                let c = (&y * w).sum();
                a.sum() + b.sum() + c
            }
        },
    ));
    let flat: String = out.split_whitespace().collect();
    // `z` is read by one backward function: taken by value.
    assert!(flat.contains("SquareSumAxisRule::rev0_taking(z,"), "{out}");
    // `y` is read by two (`c`'s product reads it too): borrowed.
    assert!(flat.contains("SquareSumAxisRule::rev0(&y,"), "{out}");
}

#[test]
fn print_copy_expansion() {
    let out = crate::expand::expand(
        quote!(),
        quote! {
            fn copy_then_update(x: f64) -> f64 {
                let mut d = x;
                let tmp = d;
                d = d * 3.0;
                tmp + d
            }
        },
    );
    println!("{}", pretty(out));
}

#[test]
fn print_clenshaw_expansion() {
    let out = crate::expand::expand(
        quote!(),
        quote! {
            fn clenshaw(y: f64, #[no_grad] c: &[f64]) -> f64 {
                let y2 = 2.0 * y;
                let mut d = 0.0;
                let mut dd = 0.0;
                for j in (1..c.len()).rev() {
                    let tmp = d;
                    d = y2 * d - dd + c[j];
                    dd = tmp;
                }
                y * d - dd + 0.5 * c[0]
            }
        },
    );
    println!("{}", pretty(out));
}

#[test]
#[ignore]
fn probe_stack_of_a_long_chain() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10000);
    let stage: usize = std::env::var("STAGE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    let body = (0..n).map(|_| "x").collect::<Vec<_>>().join(" + ");
    let src = format!("fn f(x: f64) -> f64 {{ {body} }}");
    std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(move || {
            let item: proc_macro2::TokenStream = src.parse().unwrap();
            if stage == 1 {
                let f: syn::ItemFn = syn::parse2(item).unwrap();
                std::mem::forget(f);
                return;
            }
            if stage == 2 {
                let f: syn::ItemFn = syn::parse2(item).unwrap();
                drop(f);
                return;
            }
            let out = crate::expand::expand(quote!(), item);
            std::mem::forget(out);
        })
        .unwrap()
        .join()
        .unwrap();
}

/// Writes the expansion of a file's function to stdout (`EXPAND_FILE=path`).
#[test]
#[ignore]
fn expand_a_file() {
    let path = std::env::var("EXPAND_FILE").unwrap();
    let src = std::fs::read_to_string(path).unwrap();
    let file: syn::File = syn::parse_str(&src).unwrap();
    for item in file.items {
        if let syn::Item::Fn(mut f) = item {
            f.attrs.retain(|a| !a.path().is_ident("differentiable"));
            let tokens = quote::ToTokens::to_token_stream(&f);
            let start = std::time::Instant::now();
            let out = crate::expand::expand(quote!(), tokens);
            let took = start.elapsed();
            if std::env::var_os("EXPAND_TIME").is_some() {
                println!("expanded `{}` in {took:?}", f.sig.ident);
            } else {
                println!("{}", pretty(out));
            }
        }
    }
}

/// The core form of `f`, one instruction per line.
fn core_form(f: proc_macro2::TokenStream) -> String {
    let item: syn::ItemFn = syn::parse2(f).expect("a function");
    let mut errors = crate::errors::Errors::default();
    let sig = crate::signature::signature(&item, &mut errors).expect("a signature");
    let body = crate::lower::body(&sig, &item.block, &mut errors).expect("a body");
    assert!(errors.is_empty(), "the body is accepted");
    crate::core::print::dump(&body)
}

#[test]
fn every_assignment_defines_a_new_value() {
    let text = core_form(quote! {
        fn f(x: f64) -> f64 {
            let mut d = x * 2.0;
            let tmp = d;
            d = d * 3.0;
            tmp + d
        }
    });
    println!("{text}");
    // `tmp` names the value `d` had, and the sum reads both values.
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert_eq!(lines.len(), 4, "{text}");
    let (d0, rest) = lines[0].split_once(" = ").unwrap();
    assert!(rest.starts_with("mul("), "{text}");
    let (d1, rest) = lines[1].split_once(" = ").unwrap();
    assert_eq!(rest, format!("mul({d0}, 3.0)"), "{text}");
    let (s, rest) = lines[2].split_once(" = ").unwrap();
    assert_eq!(rest, format!("add({d0}, {d1})"), "{text}");
    assert_eq!(lines[3], format!("yield {s}"), "{text}");
}

#[test]
fn a_panic_becomes_an_error_and_keeps_the_function() {
    let item = quote!(
        fn f(x: f64) -> f64 {
            x
        }
    );
    let out = crate::expand::keep_on_panic(item, || panic!("a bug")).to_string();
    assert!(out.contains("compile_error"), "{out}");
    assert!(
        out.contains("internal error in #[differentiable] (a bug)"),
        "{out}"
    );
    assert!(out.contains("fn f"), "{out}");
}

#[test]
fn print_chunked_expansion() {
    // 300 definitions of floats: chunks of functions of their own.
    let mut src =
        String::from("fn long(x: f64, y: f64) -> f64 { let mut a = x * y; let mut b = x - y;");
    for i in 0..100 {
        let stmt = if i % 2 == 0 {
            "a = (a * 0.5).sin() + b;"
        } else {
            "b = b / (2.0 + a * a);"
        };
        src.push_str(stmt);
    }
    src.push_str("a + b }");
    let item: proc_macro2::TokenStream = src.parse().unwrap();
    let text = pretty(crate::expand::expand(quote!(), item));
    println!("{text}");
    for item in [
        "fn __ad_fwd_0(",
        "fn __ad_fwd_1(",
        "fn __ad_rev_0(",
        "fn __ad_rev_1(",
        "fn __ad_sin_fwd(",
    ] {
        assert!(text.contains(item), "{item} in {text}");
    }
    // The user's statements read as written, operators and all.
    assert!(text.contains("let a_2 = __ad_tmp_sin + b;"), "{text}");
    // Defined, and called by the pullback.
    assert_eq!(text.matches("__ad_rev_1(").count(), 2, "{text}");
}

/// A constant joined by 40 nested `if`s in a row: whether it has a
/// literal's type is found once per value, not once per path (2^40).
#[test]
fn literal_types_of_many_joins_are_found_once() {
    let step = quote! { if n > 2 { if n > 3 { a = (n as f64) * 0.5; } } };
    let steps = std::iter::repeat_n(step, 40);
    let out = crate::expand::expand(
        quote!(),
        quote! {
            fn f(x: f64, n: usize) -> f64 {
                let mut a = (n as f64) * 2.0;
                #(#steps)*
                x * a
            }
        },
    );
    assert!(pretty(out).contains("pub fn rule"));
}

#[test]
fn tuples_taken_apart_move_their_parts() {
    let out = pretty(crate::expand::expand(
        quote!(),
        quote! {
            fn f(x: &Tensor<f64, Ix1>) -> Scalar<f64> {
                let (s, y) = loss_and_logits(x);
                let p = loss_and_logits(x);
                (y * s).sum() + p.0 * 2.0
            }
        },
    ));
    // Both parts read once: moved out, never copied.
    assert!(out.contains("let s = __ad_tmp_loss_and_logits.0;"), "{out}");
    assert!(out.contains("let y = __ad_tmp_loss_and_logits.1;"), "{out}");
    // One part read: moved out too.
    assert!(out.contains("= p.0;"), "{out}");
}

/// Generated code names nothing from `std` directly (a `#![no_std]` crate
/// has no `::std` and no `ToOwned` in its prelude): allocations go through
/// the runtime's re-exports.
#[test]
fn generated_code_needs_no_std_in_scope() {
    let functions = [
        quote! {
            fn carried(x: f64) -> f64 {
                let mut num: f64 = 0.0;
                let mut den: f64 = 0.0;
                for i in (0..=N).rev() {
                    num = num * x + S[i];
                    den = den * x + S[i] * 2.0;
                }
                num / den
            }
        },
        quote! {
            fn typed(z: f64) -> f64 {
                let p: f64 = z * (P1 + z * P2);
                p
            }
        },
        quote! {
            fn own(x: f64, n: usize) -> f64 {
                if n == 0 { x } else { own(x * x, n - 1) }
            }
        },
        quote! {
            fn listed(x: f64) -> f64 {
                let v = vec![x, x * 2.0];
                let w: Vec<f64> = v.iter().map(|a| a * x).collect();
                w[0] + w[1]
            }
        },
    ];
    for f in functions {
        let text = pretty(crate::expand::expand(quote!(), f));
        assert!(!text.contains("compile_error"), "{text}");
        assert!(!text.contains("std::"), "{text}");
        assert!(
            !text.contains(".to_owned()") || text.contains("ToOwned as _"),
            "{text}"
        );
    }
}
