//! The ADBench GMM objective (Srajer, Kukelova and Fitzgibbon, "A benchmark of
//! selected algorithmic differentiation tools on some problems in computer
//! vision and machine learning", 2018): the log-likelihood of `n` points under
//! a mixture of `K` Gaussians in `d` dimensions, plus a Wishart prior on the
//! precision factors, with every constant term. `benches/gmm.rs` includes this
//! file for the model and times it.
//!
//! # The objective (ADBench's `gmm_objective`, `src/cpp/shared/gmm.h`)
//!
//! Parameters: `alphas` (K, unnormalised log mixture weights), `means` (K×d),
//! `icf` (K × d(d+1)/2). Row k of `icf` holds `q_k` (d entries, the logs of the
//! diagonal of the precision factor `Q_k`) followed by `l_k` (d(d−1)/2 entries,
//! the strict lower triangle of `Q_k`, column by column: (1,0), (2,0), …,
//! (d−1,0), (2,1), …). So `Q_k = diag(exp q_k) + L_k` and `Σ_k⁻¹ = Q_kᵀQ_k`.
//! Data `x` (n×d) and the Wishart prior (γ, m) are constants.
//!
//! ```text
//! f = −(n d / 2) ln 2π
//!   + Σ_i lse_k( α_k + Σ_j q_kj − ½ ‖Q_k (x_i − μ_k)‖² )
//!   − n lse(α)
//!   + Σ_k [ ½ γ² (‖exp q_k‖² + ‖l_k‖²) − m Σ_j q_kj ]
//!   − K [ N d (ln γ − ½ ln 2) − ln Γ_d(N/2) ],        N = d + m + 1
//! ```
//!
//! where `lse` is log-sum-exp and `ln Γ_d(a) = d(d−1)/4 ln π + Σ_{j=1..d}
//! ln Γ(a + (1−j)/2)` is the log multivariate gamma function. The signs are
//! ADBench's as its tools differentiate them (gradbench later pointed out that
//! the likelihood and the prior carry opposite signs there; we keep ADBench's
//! function so that values compare with ADBench and its PyTorch code).
//!
//! # Two formulations
//!
//! [`gmm_objective`] is written with tensor operations: `Q_k x_i` for every
//! point and component as one matrix product `x Rᵀ` (n×d · d×Kd, row `(k, j)`
//! of `R` is row `j` of `Q_k`, built from `icf` by a constant 0/1 matrix),
//! minus `Q_k μ_k`, then `logsumexp` along the components. It is the one
//! benchmarked as "generated": at d = 10, K = 25, n = 1,000 its gradient
//! costs about 4× its value. [`gmm_objective_loops`] is ADBench's C++ loop
//! nest written as is (element reads, a streaming log-sum-exp); the macro
//! differentiates it too, and the tests check it, but its reverse pass
//! replays about 1.4 million scalar steps from a tape of ~100 MB, some 15–40×
//! slower (benches/gmm.rs times both).
//!
//! # The hand-written gradient
//!
//! With `z_ik = Q_k (x_i − μ_k)`, `main_ik = α_k + Σ_j q_kj − ½‖z_ik‖²` and the
//! responsibilities `r_ik = softmax_k(main_ik)` (`∂ lse_k / ∂ main_ik`):
//!
//! ```text
//! ∂f/∂α_k  = Σ_i r_ik − n softmax(α)_k
//! ∂f/∂μ_k  = Q_kᵀ Σ_i r_ik z_ik                       (∂(−½‖Q(x−μ)‖²)/∂μ = Qᵀz)
//! G_k      = −Σ_i r_ik z_ik (x_i − μ_k)ᵀ              (∂f/∂Q_k through the likelihood)
//! ∂f/∂q_kj = Σ_i r_ik + G_k[j,j] e^{q_kj} + γ² e^{2 q_kj} − m
//! ∂f/∂l_kc = G_k[j,l] + γ² l_kc                        (c the column-wise index of (j, l), j > l)
//! ```
//!
//! The code computes `z` as `Y − b` with `Y = x Rᵀ` (one matrix product for all
//! components: row `(k, j)` of `R` is row `j` of `Q_k`) and `b_k = Q_k μ_k`, so
//! `G_k = −(Wᵀx)_k + (Σ_i r_ik z_ik) μ_kᵀ` with `W[i, (k, j)] = r_ik z_ikj`:
//! the backward pass is one more matrix product.

use autograd::ndarray::{Array1, Array2, Slice};
use autograd::prelude::*;
use autograd::{concatenate, init, Rng};

/// One GMM instance: the parameters and the data.
pub struct Gmm {
    pub alphas: Tensor<f64, Ix1>,
    pub means: Tensor<f64, Ix2>,
    pub icf: Tensor<f64, Ix2>,
    pub x: Tensor<f64, Ix2>,
    /// The Wishart prior's γ.
    pub gamma: f64,
    /// The Wishart prior's m (degrees of freedom N = d + m + 1).
    pub m: usize,
}

impl Gmm {
    /// A random instance drawn from `seed`: `α ~ N(0, 1)`, `μ ~ U(0, 1)`,
    /// `icf ~ N(0, 1)`, `x ~ N(0, 1)`, in that order and in row-major order;
    /// γ = 1 and m = 0 as in ADBench's data files, unless changed afterwards.
    pub fn random(d: usize, k: usize, n: usize, seed: u64) -> Gmm {
        let mut rng = Rng::seed_from(seed);
        let alphas = init::normal(k, 0.0, 1.0, &mut rng);
        let means = init::uniform((k, d), 0.0, 1.0, &mut rng);
        let icf = init::normal((k, d * (d + 1) / 2), 0.0, 1.0, &mut rng);
        let x = init::normal((n, d), 0.0, 1.0, &mut rng);
        Gmm {
            alphas,
            means,
            icf,
            x,
            gamma: 1.0,
            m: 0,
        }
    }

    /// The dimensions (d, K, n).
    pub fn dims(&self) -> (usize, usize, usize) {
        (
            self.means.shape()[1],
            self.means.shape()[0],
            self.x.shape()[0],
        )
    }
}

/// The position in `icf`'s row of the strictly-lower entry (j, l), j > l:
/// after the d logs of the diagonal, the lower triangle column by column.
pub fn lower_index(d: usize, j: usize, l: usize) -> usize {
    debug_assert!(j > l && j < d);
    d + l * (2 * d - l - 1) / 2 + (j - l - 1)
}

/// `ln Γ(t/2)` for an integer `t ≥ 1`, by the recurrence Γ(a + 1) = aΓ(a)
/// from Γ(1) = 1 or Γ(½) = √π (the Wishart constant only needs these).
pub fn ln_gamma_half(t: usize) -> f64 {
    assert!(t >= 1);
    if t.is_multiple_of(2) {
        (1..t / 2).map(|i| (i as f64).ln()).sum()
    } else {
        0.5 * std::f64::consts::PI.ln() + (0..t / 2).map(|i| (i as f64 + 0.5).ln()).sum::<f64>()
    }
}

/// The terms of the objective that depend on no parameter:
/// `−(n d / 2) ln 2π − K [N d (ln γ − ½ ln 2) − ln Γ_d(N/2)]`, `N = d + m + 1`.
pub fn gmm_constant(d: usize, k: usize, n: usize, gamma: f64, m: usize) -> f64 {
    let big_n = d + m + 1;
    // ln Γ_d(N/2) = d(d−1)/4 ln π + Σ_{j=1..d} ln Γ((N + 1 − j)/2).
    let ln_gamma_d = 0.25 * (d * (d - 1)) as f64 * std::f64::consts::PI.ln()
        + (1..=d).map(|j| ln_gamma_half(big_n + 1 - j)).sum::<f64>();
    let c = (big_n * d) as f64 * (gamma.ln() - 0.5 * 2f64.ln()) - ln_gamma_d;
    -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln() - k as f64 * c
}

/// The 0/1 matrix (d(d+1)/2 × d²) that lays a row of [exp q, l] out as the
/// row-major d×d matrix Q: entry (c, j·d + l) is 1 when entry c of the row is
/// Q[j, l].
pub fn q_scatter(d: usize) -> Tensor<f64, Ix2> {
    let mut p = Array2::zeros((d * (d + 1) / 2, d * d));
    for j in 0..d {
        p[[j, j * d + j]] = 1.0;
        for l in 0..j {
            p[[lower_index(d, j, l), j * d + l]] = 1.0;
        }
    }
    Tensor::from(p)
}

/// The GMM objective with tensor operations: every component and every point
/// at once, the Mahalanobis products as one matrix product `x Rᵀ`
/// (n×d · d×Kd).
#[differentiable]
pub fn gmm_objective(
    alphas: &Tensor<f64, Ix1>,
    means: &Tensor<f64, Ix2>,
    icf: &Tensor<f64, Ix2>,
    #[no_grad] x: &Tensor<f64, Ix2>,
    #[no_grad] gamma: f64,
    m: usize,
) -> Scalar<f64> {
    let k = means.shape()[0];
    let d = means.shape()[1];
    let n = x.shape()[0];
    let log_diag = icf.slice_axis(Axis(1), Slice::from(0..d));
    let lower = icf.slice_axis(Axis(1), Slice::from(d..));
    let sum_qs = log_diag.sum_axis(Axis(1));
    let diag = log_diag.exp();
    // Row (k, j) of r is row j of Q_k.
    let entries = concatenate(Axis(1), &[&diag, &lower]);
    let r = entries.matmul(&q_scatter(d)).reshape((k * d, d));
    // Q_k x_i for every point and component, and Q_k μ_k.
    let qx = x.matmul(&r.t());
    let qmu = (r.reshape((k, d, d)) * means.insert_axis(Axis(1))).sum_axis(Axis(2));
    let z = (qx - qmu.reshape(k * d)).reshape((n, k, d));
    let sq = (&z * &z).sum_axis(Axis(2));
    let main = (alphas + &sum_qs) - sq * 0.5;
    let slse = main.logsumexp(Axis(1)).sum();
    let lse_alphas = alphas.logsumexp(Axis(0));
    let frobenius = (&diag * &diag).sum() + (&lower * &lower).sum();
    let prior = frobenius * (0.5 * gamma * gamma) - sum_qs.sum() * (m as f64);
    slse - lse_alphas * (n as f64) + prior + gmm_constant(d, k, n, gamma, m)
}

/// The same objective written as ADBench's C++ reference is: loops over
/// points, components and the entries of Q, reading single elements, with a
/// streaming (one-pass) log-sum-exp over the components.
#[differentiable]
pub fn gmm_objective_loops(
    alphas: &Tensor<f64, Ix1>,
    means: &Tensor<f64, Ix2>,
    icf: &Tensor<f64, Ix2>,
    #[no_grad] x: &Tensor<f64, Ix2>,
    #[no_grad] gamma: f64,
    m: usize,
) -> Scalar<f64> {
    let k = means.shape()[0];
    let d = means.shape()[1];
    let n = x.shape()[0];
    let log_diag = icf.slice_axis(Axis(1), Slice::from(0..d));
    let sum_qs = log_diag.sum_axis(Axis(1));
    let diag = log_diag.exp();
    let mut slse = 0.0;
    for i in 0..n {
        // lse_k(main_ik) = mx + ln s, s = Σ_k exp(main_ik − mx).
        let mut mx = f64::NEG_INFINITY;
        let mut s = 0.0;
        for c in 0..k {
            let mut sq = 0.0;
            for j in 0..d {
                let mut qxc = diag[[c, j]] * (x[[i, j]] - means[[c, j]]);
                for l in 0..j {
                    qxc += icf[[c, lower_index(d, j, l)]] * (x[[i, l]] - means[[c, l]]);
                }
                sq += qxc * qxc;
            }
            let t = alphas[c] + sum_qs[c] - 0.5 * sq;
            if t > mx {
                s = s * (mx - t).exp() + 1.0;
                mx = t;
            } else {
                s += (t - mx).exp();
            }
        }
        slse += mx + s.ln();
    }
    let lower = icf.slice_axis(Axis(1), Slice::from(d..));
    let frobenius = (&diag * &diag).sum() + (&lower * &lower).sum();
    let prior = frobenius * (0.5 * gamma * gamma) - sum_qs.sum() * (m as f64);
    let lse_alphas = alphas.logsumexp(Axis(0));
    prior - lse_alphas * (n as f64) + slse + gmm_constant(d, k, n, gamma, m)
}

/// The gradients of the objective: alphas, means, icf.
pub type GmmGrads = (Array1<f64>, Array2<f64>, Array2<f64>);

/// The value and the gradient, derived by hand (see the module docs).
pub fn gmm_value_and_grad_by_hand(
    alphas: &Array1<f64>,
    means: &Array2<f64>,
    icf: &Array2<f64>,
    x: &Array2<f64>,
    gamma: f64,
    m: usize,
) -> (f64, GmmGrads) {
    let (k, d) = means.dim();
    let n = x.nrows();
    // R: row (c, j) is row j of Q_c.
    let mut r = Array2::zeros((k * d, d));
    let mut sum_qs = vec![0.0; k];
    let mut prior = 0.0;
    for c in 0..k {
        for j in 0..d {
            let q = icf[[c, j]];
            let e = q.exp();
            sum_qs[c] += q;
            prior += 0.5 * gamma * gamma * e * e - m as f64 * q;
            r[[c * d + j, j]] = e;
            for l in 0..j {
                let v = icf[[c, lower_index(d, j, l)]];
                prior += 0.5 * gamma * gamma * v * v;
                r[[c * d + j, l]] = v;
            }
        }
    }
    // b = Q_c μ_c, flattened as (c, j).
    let mut b = vec![0.0; k * d];
    for c in 0..k {
        for j in 0..d {
            b[c * d + j] = (0..=j).map(|l| r[[c * d + j, l]] * means[[c, l]]).sum();
        }
    }
    // Y = x Rᵀ; each row becomes W = r_ik z_ik in place.
    let mut y = x.dot(&r.t());
    let mut resp_sum = vec![0.0; k];
    let mut db = vec![0.0; k * d];
    let mut main = vec![0.0; k];
    let mut slse = 0.0;
    for mut row in y.rows_mut() {
        let row = row.as_slice_mut().expect("a new matrix is row-major");
        for c in 0..k {
            let mut sq = 0.0;
            for j in 0..d {
                let z = row[c * d + j] - b[c * d + j];
                row[c * d + j] = z;
                sq += z * z;
            }
            main[c] = alphas[c] + sum_qs[c] - 0.5 * sq;
        }
        let mx = main.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let s: f64 = main.iter().map(|v| (v - mx).exp()).sum();
        let lse = mx + s.ln();
        slse += lse;
        for c in 0..k {
            let resp = (main[c] - lse).exp();
            resp_sum[c] += resp;
            for j in 0..d {
                let w = resp * row[c * d + j];
                row[c * d + j] = w;
                db[c * d + j] += w;
            }
        }
    }
    let amax = alphas.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
    let asum: f64 = alphas.iter().map(|a| (a - amax).exp()).sum();
    let lse_alphas = amax + asum.ln();
    let value = gmm_constant(d, k, n, gamma, m) + slse - n as f64 * lse_alphas + prior;

    // ∂f/∂R[(c, j), l] = −(Wᵀx)[(c, j), l] + db_cj μ_cl.
    let wtx = y.t().dot(x);
    let dalphas = Array1::from_shape_fn(k, |c| {
        resp_sum[c] - n as f64 * (alphas[c] - lse_alphas).exp()
    });
    let mut dmeans = Array2::zeros((k, d));
    let mut dicf = Array2::zeros(icf.raw_dim());
    for c in 0..k {
        for j in 0..d {
            let row = c * d + j;
            let dbj = db[row];
            for l in 0..=j {
                // ∂f/∂μ_c = Q_cᵀ db_c.
                dmeans[[c, l]] += r[[row, l]] * dbj;
                let g = dbj * means[[c, l]] - wtx[[row, l]];
                if l == j {
                    let e = r[[row, j]];
                    dicf[[c, j]] = resp_sum[c] + g * e + gamma * gamma * e * e - m as f64;
                } else {
                    let idx = lower_index(d, j, l);
                    dicf[[c, idx]] = g + gamma * gamma * icf[[c, idx]];
                }
            }
        }
    }
    (value, (dalphas, dmeans, dicf))
}

/// A direct evaluation, transcribed from ADBench's C++ `gmm_objective` (flat
/// row-major arrays, `preprocess_qs`, `Qtimesx`, `logsumexp` with the max
/// subtracted), with no tensors and no macro.
pub fn gmm_objective_reference(g: &Gmm) -> f64 {
    let (d, k, n) = g.dims();
    let alphas = g.alphas.data().as_slice().unwrap();
    let means = g.means.data().as_slice().unwrap();
    let icf = g.icf.data().as_slice().unwrap();
    let x = g.x.data().as_slice().unwrap();
    let icf_sz = d * (d + 1) / 2;
    let logsumexp = |v: &[f64]| {
        let mx = v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        v.iter().map(|a| (a - mx).exp()).sum::<f64>().ln() + mx
    };
    let mut qdiags = vec![0.0; d * k];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        for id in 0..d {
            let q = icf[ik * icf_sz + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }
    let mut xc = vec![0.0; d];
    let mut qxc = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for ix in 0..n {
        for ik in 0..k {
            for id in 0..d {
                xc[id] = x[ix * d + id] - means[ik * d + id];
                qxc[id] = qdiags[ik * d + id] * xc[id];
            }
            // Qtimesx: column i of the strict lower triangle times xc[i].
            let mut ltri = &icf[ik * icf_sz + d..(ik + 1) * icf_sz];
            for (i, &xci) in xc.iter().enumerate() {
                let (column, rest) = ltri.split_at(d - i - 1);
                for (out, &l) in qxc[i + 1..].iter_mut().zip(column) {
                    *out += l * xci;
                }
                ltri = rest;
            }
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * qxc.iter().map(|v| v * v).sum::<f64>();
        }
        slse += logsumexp(&main_term);
    }
    let big_n = d + g.m + 1;
    let c = (big_n * d) as f64 * (g.gamma.ln() - 0.5 * 2f64.ln())
        - (0.25 * (d * (d - 1)) as f64 * std::f64::consts::PI.ln()
            + (1..=d).map(|j| ln_gamma_half(big_n + 1 - j)).sum::<f64>());
    let mut prior = 0.0;
    for ik in 0..k {
        let row = &icf[ik * icf_sz..(ik + 1) * icf_sz];
        let frobenius = qdiags[ik * d..(ik + 1) * d]
            .iter()
            .chain(&row[d..])
            .map(|v| v * v)
            .sum::<f64>();
        prior += 0.5 * g.gamma * g.gamma * frobenius - g.m as f64 * sum_qs[ik];
    }
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    constant + slse - n as f64 * logsumexp(alphas) + prior - k as f64 * c
}

/// The hand-written value and gradient of an instance.
pub fn by_hand(g: &Gmm) -> (f64, GmmGrads) {
    gmm_value_and_grad_by_hand(
        g.alphas.data(),
        g.means.data(),
        g.icf.data(),
        g.x.data(),
        g.gamma,
        g.m,
    )
}

/// The generated value and gradient (tensor formulation) of an instance.
pub fn generated(g: &Gmm) -> (f64, GmmGrads) {
    let (v, (da, dm, di, (), (), ())) =
        gmm_objective::value_and_grad(&g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m);
    (v.item(), (da, dm, di))
}

/// The generated value and gradient (loop formulation) of an instance.
pub fn generated_loops(g: &Gmm) -> (f64, GmmGrads) {
    let (v, (da, dm, di, (), (), ())) =
        gmm_objective_loops::value_and_grad(&g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m);
    (v.item(), (da, dm, di))
}

#[cfg(test)]
mod checks {
    use super::*;
    use autograd::gradcheck;
    use autograd::ndarray::{Array, Dimension};

    /// The differentiated inputs: alphas, means, icf.
    type Params = (Tensor<f64, Ix1>, Tensor<f64, Ix2>, Tensor<f64, Ix2>);

    /// `|a − b| ≤ rel · max(|b|, 1)`.
    fn assert_close(what: &str, a: f64, b: f64, rel: f64) {
        assert!(
            (a - b).abs() <= rel * b.abs().max(1.0),
            "{what}: {a} vs {b} (difference {:e})",
            (a - b).abs()
        );
    }

    fn assert_all_close<D: Dimension>(what: &str, a: &Array<f64, D>, b: &Array<f64, D>, rel: f64) {
        assert_eq!(a.shape(), b.shape(), "{what}: shapes");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert_close(&format!("{what}[{i}]"), *x, *y, rel);
        }
    }

    fn assert_grads_close(what: &str, a: &(f64, GmmGrads), b: &(f64, GmmGrads), rel: f64) {
        assert_close(&format!("{what}: value"), a.0, b.0, rel);
        assert_all_close(&format!("{what}: d alphas"), &a.1 .0, &b.1 .0, rel);
        assert_all_close(&format!("{what}: d means"), &a.1 .1, &b.1 .1, rel);
        assert_all_close(&format!("{what}: d icf"), &a.1 .2, &b.1 .2, rel);
    }

    /// The benchmark's size, d = 10, K = 25, n = 1,000.
    fn full() -> Gmm {
        Gmm::random(10, 25, 1000, 42)
    }

    fn small() -> Gmm {
        Gmm::random(3, 4, 20, 7)
    }

    /// A small instance with a prior that is not ADBench's default, so that
    /// every term of the objective counts.
    fn small_with_prior() -> Gmm {
        let mut g = Gmm::random(3, 4, 20, 7);
        g.gamma = 1.7;
        g.m = 2;
        g
    }

    #[test]
    fn lower_index_is_column_wise() {
        // d = 4: (1,0) (2,0) (3,0) (2,1) (3,1) (3,2) after the 4 logs.
        let order: Vec<usize> = [(1, 0), (2, 0), (3, 0), (2, 1), (3, 1), (3, 2)]
            .iter()
            .map(|&(j, l)| lower_index(4, j, l))
            .collect();
        assert_eq!(order, vec![4, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn ln_gamma_of_halves() {
        // Γ(1/2) = √π, Γ(1) = Γ(2) = 1, Γ(5/2) = 3√π/4, Γ(5) = 24.
        let sqrt_pi = std::f64::consts::PI.sqrt();
        assert_close("Γ(1/2)", ln_gamma_half(1), sqrt_pi.ln(), 1e-15);
        assert_eq!(ln_gamma_half(2), 0.0);
        assert_eq!(ln_gamma_half(4), 0.0);
        assert_close("Γ(5/2)", ln_gamma_half(5), (0.75 * sqrt_pi).ln(), 1e-15);
        assert_close("Γ(5)", ln_gamma_half(10), 24f64.ln(), 1e-15);
    }

    #[test]
    fn value_matches_a_direct_evaluation() {
        for g in [small(), small_with_prior(), full()] {
            let reference = gmm_objective_reference(&g);
            let v = gmm_objective(&g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m).item();
            assert_close("tensor formulation", v, reference, 1e-12);
            let v = gmm_objective_loops(&g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m).item();
            assert_close("loop formulation", v, reference, 1e-12);
            assert_close("hand-written", by_hand(&g).0, reference, 1e-12);
        }
    }

    #[test]
    fn value_matches_pytorch() {
        // Computed once with PyTorch 2.15.0 in float64 by `python bench/peers.py
        // --check`, which draws the same instances with a Python port of
        // autograd::Rng and evaluates the objective vectorised after ADBench's
        // PyTorch gmm_objective (torch.logsumexp, torch.special.multigammaln).
        // JAX 0.10.2 agrees to the last digit or two.
        let cases = [
            (small(), -40.374_582_964_937_13),
            (small_with_prior(), 19.570_667_582_124_912),
            (full(), -26_729.233_156_434_322),
        ];
        for (g, torch) in cases {
            let v = gmm_objective(&g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m).item();
            assert_close("PyTorch", v, torch, 1e-12);
        }
    }

    #[test]
    fn generated_gradient_equals_hand_written() {
        for g in [small(), small_with_prior(), full()] {
            let hand = by_hand(&g);
            assert_grads_close("tensor formulation", &generated(&g), &hand, 1e-9);
            assert_grads_close("loop formulation", &generated_loops(&g), &hand, 1e-9);
        }
    }

    #[test]
    fn hand_written_gradient_passes_gradcheck() {
        for g in [small(), small_with_prior()] {
            let x = g.x.data().clone();
            let (gamma, m) = (g.gamma, g.m);
            gradcheck(
                |(a, mu, q): &Params| {
                    gmm_value_and_grad_by_hand(a.data(), mu.data(), q.data(), &x, gamma, m)
                },
                &(g.alphas.clone(), g.means.clone(), g.icf.clone()),
            )
            .unwrap();
        }
    }

    #[test]
    fn generated_gradient_passes_gradcheck() {
        let g = small_with_prior();
        gradcheck(
            |(a, mu, q)| {
                let (v, (da, dm, di, (), (), ())) =
                    gmm_objective::value_and_grad(a, mu, q, &g.x, g.gamma, g.m);
                (v, (da, dm, di))
            },
            &(g.alphas.clone(), g.means.clone(), g.icf.clone()),
        )
        .unwrap();
    }
}
