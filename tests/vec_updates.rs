//! `Vec`s and arrays built and changed element by element inside a body:
//! `v.push(e)`, `v[i] = e`, `v[i] += e` (and `-=`, `*=`, `/=`), `vec![..]`,
//! `vec![e; n]` and `.collect::<Vec<_>>()`, in loops and branches. Each
//! function is checked against its hand-derived gradient (stated above
//! it) and `gradcheck`, in `f64` and `f32`.

// `vec!` of a few elements on purpose: the macro is what is tested.
#![allow(clippy::useless_vec)]

// Only the `in_f64_and_f32!` macro of the shared helpers is used here.
#[macro_use]
#[allow(dead_code, unused_macros)]
mod common;

in_f64_and_f32! {
    /// `x₀² + 2x₁²`: `(2x₀, 4x₁, 0, ..)`.
    #[differentiable]
    pub fn pushes(x: &[F]) -> F {
        let mut sq = Vec::new();
        for v in x {
            sq.push(v * v);
        }
        sq[0] + 2.0 * sq[1]
    }

    /// `Σ 2xᵢ sin xᵢ`: `2 sin xᵢ + 2xᵢ cos xᵢ`.
    #[differentiable]
    pub fn collected(x: &[F]) -> F {
        let d: Vec<F> = x.iter().map(|v| v * 2.0).collect();
        let e = x.iter().map(|v| v.sin()).collect::<Vec<_>>();
        d.iter().zip(e.iter()).map(|(a, b)| a * b).sum::<F>()
    }

    /// `Σ 2(xᵢ² + xᵢ) + 0·(x₀ - 3x₁)`: `4xᵢ + 2`, and the overwritten and
    /// multiplied-by-zero parts give nothing.
    #[differentiable]
    pub fn sets(x: &[F]) -> F {
        let mut g = vec![0.0; x.len()];
        for i in 0..x.len() {
            g[i] = x[i] * 7.0;
            g[i] = x[i] * x[i];
            g[i] += x[i];
            g[i] *= 2.0;
        }
        let mut a = [0.0; 2];
        a[1] = x[0];
        a[1] -= x[1] * 3.0;
        a[0] /= 2.0;
        g.iter().sum::<F>() + a[1] * a[0]
    }

    /// Prefix sums `cₖ = Σ_{i≤k} xᵢ`, then `Σ cₖ²`: `∂/∂xᵢ = 2 Σ_{k≥i} cₖ`.
    #[differentiable]
    pub fn prefix(x: &[F]) -> F {
        let mut c = vec![x[0]];
        for i in 1..x.len() {
            let last = c[i - 1];
            c.push(last + x[i]);
        }
        c.iter().map(|v| v * v).sum::<F>()
    }

    /// `vec![a, b]` and `vec![e; n]`: `(x₀ + 3x₁)·x₀` with `e = x₀` three times.
    #[differentiable]
    pub fn literals(x: &[F]) -> F {
        let v = vec![x[0], x[1] * 3.0];
        let w = vec![x[0]; 3];
        (v[0] + v[1]) * w[2]
    }

    /// Pushes in a branch: the positive elements, doubled, then their sum of squares.
    #[differentiable]
    pub fn positives(x: &[F]) -> F {
        let mut p = Vec::new();
        for v in x {
            if *v > 0.0 {
                p.push(v * 2.0);
            }
        }
        p.iter().map(|v| v * v).sum::<F>()
    }
}

use autograd::gradcheck;

fn check(f: fn(&[f64]) -> (f64, Vec<f64>), x: &[f64]) {
    gradcheck(|x: &Vec<f64>| f(x), &x.to_vec()).unwrap();
}

#[test]
fn vecs_built_and_changed_by_element() {
    use f64s::*;
    let x = [1.0, 2.0, 3.0];
    assert_eq!(pushes::value_and_grad(&x), (9.0, vec![2.0, 8.0, 0.0]));
    assert_eq!(sets::value_and_grad(&x), (40.0, vec![6.0, 10.0, 14.0]));
    // c = (1, 3, 6): 2·(10, 9, 6).
    assert_eq!(prefix::value_and_grad(&x), (46.0, vec![20.0, 18.0, 12.0]));
    // (x₀ + 3x₁)x₀ = 7: (2x₀ + 3x₁, 3x₀).
    assert_eq!(literals::value_and_grad(&x), (7.0, vec![8.0, 3.0, 0.0]));
    let (v, g) = collected::value_and_grad(&x);
    assert_eq!(v, collected(&x));
    for (gi, xi) in g.iter().zip(x) {
        assert!((gi - (2.0 * xi.sin() + 2.0 * xi * xi.cos())).abs() < 1e-12);
    }
    // 4(1² + 3²) = 40, gradient 8xᵢ for the positive ones.
    assert_eq!(
        positives::value_and_grad(&[1.0, -2.0, 3.0]),
        (40.0, vec![8.0, 0.0, 24.0])
    );
    let p = [0.3, -1.2, 2.5, 0.7];
    for f in [
        pushes::value_and_grad,
        sets::value_and_grad,
        prefix::value_and_grad,
    ] {
        check(f, &p);
    }
    for f in [
        literals::value_and_grad,
        collected::value_and_grad,
        positives::value_and_grad,
    ] {
        check(f, &p);
    }
}

#[test]
fn in_f32_too() {
    use f32s::*;
    let x = [1.0f32, 2.0, 3.0];
    assert_eq!(pushes::value_and_grad(&x), (9.0, vec![2.0, 8.0, 0.0]));
    assert_eq!(sets::value_and_grad(&x), (40.0, vec![6.0, 10.0, 14.0]));
    assert_eq!(prefix::value_and_grad(&x), (46.0, vec![20.0, 18.0, 12.0]));
    assert_eq!(literals::value_and_grad(&x), (7.0, vec![8.0, 3.0, 0.0]));
}

#[test]
fn a_vec_built_in_a_loop_is_changed_in_place() {
    // 100,000 pushes: quadratic copying would take minutes.
    let x: Vec<f64> = (0..100_000).map(|i| (i as f64) * 1e-5).collect();
    let (v, g) = f64s::prefix::value_and_grad(&x);
    assert_eq!(v, f64s::prefix(&x));
    assert_eq!(g.len(), x.len());
}
