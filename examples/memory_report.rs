//! What the forward pass keeps for the backward pass, in bytes, for the
//! workloads of `benches/`: the generated `f::vjp(..)` (its pullback alive)
//! against a hand-written forward pass that returns what its backward pass
//! reads. A counting global allocator measures heap bytes allocated minus
//! freed between just before the forward pass and just after it (the
//! returned value included, in both columns). The hand-written Rosenbrock
//! backward pass reads only `x`, so its forward pass keeps nothing (the
//! generated one keeps the gradient of `x` itself: a reduction loop computes
//! it during the forward pass); the MLP's keeps the hidden activations and
//! the softmax; the RNN's every state. The hand-written GMM gradient is one
//! function with no separate forward pass, so for GMM the report compares
//! the most heap each holds at once while computing value and gradient.
//!
//! ```text
//! cargo run --release --example memory_report
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use autograd::ndarray::{Array, Array1, Array2, Dimension, Zip};
use autograd::prelude::*;

/// The system allocator, counting bytes and calls.
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static FREED: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);
/// The most bytes live at once since the last `peak` began.
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn live() -> usize {
    ALLOCATED.load(Relaxed).saturating_sub(FREED.load(Relaxed))
}

// SAFETY: every call is forwarded to `System` with the same arguments; the
// counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Relaxed);
        CALLS.fetch_add(1, Relaxed);
        PEAK.fetch_max(live(), Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Relaxed);
        CALLS.fetch_add(1, Relaxed);
        PEAK.fetch_max(live(), Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREED.fetch_add(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        FREED.fetch_add(layout.size(), Relaxed);
        ALLOCATED.fetch_add(new_size, Relaxed);
        CALLS.fetch_add(1, Relaxed);
        PEAK.fetch_max(live(), Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `forward` and returns what it returned, the heap bytes still held
/// afterwards (allocated minus freed) and the number of allocator calls.
fn kept<T>(forward: impl FnOnce() -> T) -> (T, usize, usize) {
    let (a0, f0, c0) = (
        ALLOCATED.load(Relaxed),
        FREED.load(Relaxed),
        CALLS.load(Relaxed),
    );
    let out = forward();
    let (a1, f1, c1) = (
        ALLOCATED.load(Relaxed),
        FREED.load(Relaxed),
        CALLS.load(Relaxed),
    );
    let bytes = (a1 - a0).saturating_sub(f1 - f0);
    (out, bytes, c1 - c0)
}

/// Runs `f` and returns what it returned and the most heap bytes it held at
/// once beyond what was live before it.
fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = live();
    PEAK.store(before, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed).saturating_sub(before))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

fn all_close<'a>(a: impl IntoIterator<Item = &'a f64>, b: impl IntoIterator<Item = &'a f64>) {
    for (x, y) in a.into_iter().zip(b) {
        assert!(close(*x, *y, 1e-10), "{x} vs {y}");
    }
}

// ---- scalar_f64: benches/scalar_f64.rs ------------------------------------------------------

/// f(x, y) = (sin(xy) + eˣ)² / (1 + y²) + ln(1 + x²y²)
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = a.sin() + x.exp();
    let c = b * b / (1.0 + y * y);
    c + (a * a).ln_1p()
}

/// What the hand-written backward pass of `f` reads.
struct FSaved {
    a: f64,
    b: f64,
    ex: f64,
    q: f64,
}

fn f_forward_by_hand(x: f64, y: f64) -> (f64, FSaved) {
    let a = x * y;
    let ex = x.exp();
    let b = a.sin() + ex;
    let q = 1.0 + y * y;
    (b * b / q + (a * a).ln_1p(), FSaved { a, b, ex, q })
}

fn f_backward_by_hand(x: f64, y: f64, s: FSaved) -> (f64, f64) {
    let dc_db = 2.0 * s.b / s.q;
    let da = dc_db * s.a.cos() + 2.0 * s.a / (1.0 + s.a * s.a);
    (
        da * y + dc_db * s.ex,
        da * x - s.b * s.b / (s.q * s.q) * 2.0 * y,
    )
}

// ---- rosenbrock: benches/rosenbrock.rs ------------------------------------------------------

#[differentiable]
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

/// The hand-written backward pass reads only `x`, which the caller holds.
fn rosenbrock_forward_by_hand(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for p in x.chunks_exact(2) {
        let (t, u) = (p[1] - p[0] * p[0], 1.0 - p[0]);
        s += 100.0 * t * t + u * u;
    }
    s
}

fn rosenbrock_backward_by_hand(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for (g, p) in g.chunks_exact_mut(2).zip(x.chunks_exact(2)) {
        let t = p[1] - p[0] * p[0];
        g[0] = -400.0 * p[0] * t - 2.0 * (1.0 - p[0]);
        g[1] = 200.0 * t;
    }
    g
}

// ---- mlp_step: benches/mlp_step.rs ----------------------------------------------------------

#[path = "../benches/workloads/mlp.rs"]
#[allow(dead_code)] // the constructors are for the bench
mod mlp_workload;
use mlp_workload::{loss, loss_in_out, Mlp, MlpInOut};

/// What the hand-written backward pass reads: the hidden activations and
/// the softmax of the logits.
struct MlpSaved {
    h: Array2<f32>,
    probs: Array2<f32>,
}

fn mlp_forward_by_hand(m: &Mlp, x: &Array2<f32>, labels: &[usize]) -> (f32, MlpSaved) {
    let mut h = x.dot(&m.w1.data().t());
    h += m.b1.data();
    h.mapv_inplace(|v| if v > 0.0 { v } else { 0.0 });
    let mut probs = h.dot(&m.w2.data().t());
    probs += m.b2.data();
    let mut total = 0.0f32;
    for (mut row, &label) in probs.rows_mut().into_iter().zip(labels) {
        let max = row.fold(f32::NEG_INFINITY, |a, &v| a.max(v));
        let shifted = row[label] - max;
        row.mapv_inplace(|v| (v - max).exp());
        let s = row.sum();
        total += s.ln() - shifted;
        row /= s;
    }
    (total / labels.len() as f32, MlpSaved { h, probs })
}

/// The gradients of w1, b1, w2, b2.
fn mlp_backward_by_hand(
    m: &Mlp,
    x: &Array2<f32>,
    labels: &[usize],
    s: MlpSaved,
) -> (Array2<f32>, Array1<f32>, Array2<f32>, Array1<f32>) {
    let n = labels.len() as f32;
    let mut d = s.probs;
    for (mut row, &label) in d.rows_mut().into_iter().zip(labels) {
        row[label] -= 1.0;
        row /= n;
    }
    let gw2 = d.t().dot(&s.h);
    let gb2 = d.sum_axis(Axis(0));
    let mut dz = d.dot(m.w2.data());
    Zip::from(&mut dz).and(&s.h).for_each(|d, &h| {
        if h <= 0.0 {
            *d = 0.0
        }
    });
    (dz.t().dot(x), dz.sum_axis(Axis(0)), gw2, gb2)
}

// ---- rnn: benches/rnn.rs --------------------------------------------------------------------

// The GMM model and its hand-written gradient, as checked in tests/gmm.rs.
#[allow(dead_code, unused_imports)]
#[path = "../tests/gmm.rs"]
mod gmm;

#[path = "../benches/workloads/rnn.rs"]
#[allow(dead_code)] // hand_value_and_grad is for the bench
mod rnn_workload;
use rnn_workload::rnn;

// ---- the report -----------------------------------------------------------------------------

struct Row {
    workload: String,
    generated: (usize, usize),
    hand: (usize, usize),
}

fn print_saved(name: &str, saved: &[&str]) {
    println!("{name}::__AD_SAVED ({} entries):", saved.len());
    for line in saved {
        println!("    {line}");
    }
}

fn main() {
    let mut rows = vec![scalar_row()];
    rows.extend(rosenbrock_rows());
    rows.extend(mlp_rows());
    rows.push(rnn_row());
    print_kept(&rows);
    print_gmm_peak();
    println!();
    print_saved("f", f::__AD_SAVED);
    print_saved("rosenbrock", rosenbrock::__AD_SAVED);
    print_saved("loss", loss::__AD_SAVED);
    print_saved("loss_in_out", loss_in_out::__AD_SAVED);
    print_saved("rnn", rnn::__AD_SAVED);
    print_saved("gmm_objective", gmm::gmm_objective::__AD_SAVED);
}

fn scalar_row() -> Row {
    let ((v, pb), g_bytes, g_calls) = kept(|| f::vjp(0.3, -1.2));
    let ((hv, saved), h_bytes, h_calls) = kept(|| f_forward_by_hand(0.3, -1.2));
    let (gx, gy) = pb(&1.0);
    let (hx, hy) = f_backward_by_hand(0.3, -1.2, saved);
    assert!(close(v, hv, 1e-12) && close(gx, hx, 1e-12) && close(gy, hy, 1e-12));
    Row {
        workload: "scalar_f64 f(x, y)".into(),
        generated: (g_bytes, g_calls),
        hand: (h_bytes, h_calls),
    }
}

fn rosenbrock_rows() -> Vec<Row> {
    [1_000, 100_000]
        .into_iter()
        .map(|n| {
            let mut rng = Rng::seed_from(n as u64);
            let x: Vec<f64> = (0..n).map(|_| rng.uniform(-2.0, 2.0)).collect();
            let ((v, pb), g_bytes, g_calls) = kept(|| rosenbrock::vjp(&x));
            let (hv, h_bytes, h_calls) = kept(|| rosenbrock_forward_by_hand(&x));
            assert!(close(v, hv, 1e-10));
            all_close(&pb(&1.0), &rosenbrock_backward_by_hand(&x));
            Row {
                workload: format!("rosenbrock n = {n}"),
                generated: (g_bytes, g_calls),
                hand: (h_bytes, h_calls),
            }
        })
        .collect()
}

/// Each element of `a` differs from `b`'s by at most 1e-5 times the largest
/// magnitude in `b`.
fn close_to_scale<D: Dimension>(a: &Array<f32, D>, b: &Array<f32, D>) {
    let scale = b.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-5 * scale));
}

/// mlp_step, batch 64: `loss::vjp` against the hand-written pass, then the
/// training step's `loss::forward` (x does not require grad), then the same
/// step with weights stored (in, out), without the two `.t()` copies.
fn mlp_rows() -> Vec<Row> {
    let mut rng = Rng::seed_from(1);
    let model = Mlp {
        w1: init::kaiming_uniform_linear(256, 784, &mut rng),
        b1: init::linear_bias(256, 784, &mut rng),
        w2: init::kaiming_uniform_linear(10, 256, &mut rng),
        b2: init::linear_bias(10, 256, &mut rng),
    }
    .with_requires_grad();
    let x: Tensor<f32, Ix2> = init::uniform((64, 784), 0.0, 1.0, &mut rng);
    let labels: Vec<usize> = (0..64).map(|_| rng.below(10)).collect();

    let ((v, pb), g_bytes, g_calls) = kept(|| loss::vjp(&model, &x, &labels));
    let ((hv, saved), h_bytes, h_calls) = kept(|| mlp_forward_by_hand(&model, x.data(), &labels));
    let (g, _, ()) = pb(&autograd::ndarray::arr0(1.0));
    let (w1, b1, w2, b2) = mlp_backward_by_hand(&model, x.data(), &labels, saved);
    assert!((v.item() - hv).abs() <= 1e-5 * hv.abs());
    close_to_scale(&g.w1, &w1);
    close_to_scale(&g.w2, &w2);
    close_to_scale(&g.b1, &b1);
    close_to_scale(&g.b2, &b2);
    let hand = (h_bytes, h_calls);
    let row = |workload: &str, generated| Row {
        workload: workload.into(),
        generated,
        hand,
    };
    let mut rows = vec![row("mlp_step batch 64: loss::vjp", (g_bytes, g_calls))];
    let (graph, g_bytes, g_calls) = kept(|| loss::forward(&model, &x, &labels));
    graph.backward();
    rows.push(row("mlp_step batch 64: loss::forward", (g_bytes, g_calls)));
    let t = |w: &Tensor<f32, Ix2>| Tensor::from(w.data().t().as_standard_layout().into_owned());
    let in_out = MlpInOut {
        w1: t(&model.w1),
        b1: model.b1.clone(),
        w2: t(&model.w2),
        b2: model.b2.clone(),
    }
    .with_requires_grad();
    let (graph, g_bytes, g_calls) = kept(|| loss_in_out::forward(&in_out, &x, &labels));
    graph.backward();
    rows.push(row(
        "mlp_step batch 64: (in, out), no .t()",
        (g_bytes, g_calls),
    ));
    rows
}

fn rnn_row() -> Row {
    let mut rng = Rng::seed_from(3);
    let xs: Tensor<f64, Ix3> = init::normal((32, 16, 64), 0.0, 1.0, &mut rng);
    let h0: Tensor<f64, Ix2> = init::normal((16, 64), 0.0, 0.5, &mut rng);
    let wx: Tensor<f64, Ix2> = init::normal((64, 64), 0.0, 0.125, &mut rng);
    let wh: Tensor<f64, Ix2> = init::normal((64, 64), 0.0, 0.125, &mut rng);
    let b: Tensor<f64, Ix1> = init::normal(64, 0.0, 0.1, &mut rng);
    let ((v, pb), g_bytes, g_calls) = kept(|| rnn::vjp(&xs, &h0, &wx, &wh, &b));
    let ((hv, hs), h_bytes, h_calls) =
        kept(|| rnn_workload::hand_forward(xs.data(), h0.data(), wx.data(), wh.data(), b.data()));
    let ((), gh0, gwx, gwh, gb) = pb(&autograd::ndarray::arr0(1.0));
    let hand = rnn_workload::hand_backward(xs.data(), wh.data(), hs);
    assert!(close(v.item(), hv, 1e-10));
    all_close(&gh0, &hand.h0);
    all_close(&gwx, &hand.wx);
    all_close(&gwh, &hand.wh);
    all_close(&gb, &hand.b);
    Row {
        workload: "rnn 32 steps".into(),
        generated: (g_bytes, g_calls),
        hand: (h_bytes, h_calls),
    }
}

fn print_kept(rows: &[Row]) {
    println!("Heap bytes the forward pass keeps for the backward pass (allocated - freed),");
    println!("and allocator calls made by the forward pass:\n");
    println!(
        "| {:<38} | {:>15} | {:>15} | {:>7} | {:>11} | {:>11} |",
        "workload", "generated bytes", "hand bytes", "ratio", "gen. allocs", "hand allocs"
    );
    println!(
        "|{:-<40}|{:->17}|{:->17}|{:->9}|{:->13}|{:->13}|",
        "", "", "", "", "", ""
    );
    for r in rows {
        let ratio = if r.hand.0 == 0 {
            "-".to_string()
        } else {
            format!("{:.2}", r.generated.0 as f64 / r.hand.0 as f64)
        };
        println!(
            "| {:<38} | {:>15} | {:>15} | {:>7} | {:>11} | {:>11} |",
            r.workload, r.generated.0, r.hand.0, ratio, r.generated.1, r.hand.1
        );
    }
}

/// GMM: the hand-written gradient is one function (no separate forward
/// pass), so the comparison is the most heap each holds at once while
/// computing the value and the gradient.
fn print_gmm_peak() {
    println!();
    println!("Peak heap bytes while computing the value and the gradient (beyond the inputs):\n");
    println!(
        "| {:<38} | {:>15} | {:>15} | {:>7} |",
        "workload", "generated", "hand", "ratio"
    );
    println!("|{:-<40}|{:->17}|{:->17}|{:->9}|", "", "", "", "");
    let g = gmm::Gmm::random(10, 25, 1000, 42);
    let ((v, grads), g_peak) = peak(|| gmm::generated(&g));
    let ((hv, hand), h_peak) = peak(|| gmm::by_hand(&g));
    assert!(close(v, hv, 1e-10));
    all_close(&grads.0, &hand.0);
    all_close(&grads.1, &hand.1);
    all_close(&grads.2, &hand.2);
    let ((_, pullback), g_kept, _) =
        kept(|| gmm::gmm_objective::vjp(&g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m));
    drop(pullback);
    println!(
        "| {:<38} | {:>15} | {:>15} | {:>7.2} |",
        "gmm d 10, K 25, n 1000",
        g_peak,
        h_peak,
        g_peak as f64 / h_peak as f64
    );
    println!(
        "\n(of which the generated forward pass keeps {g_kept} bytes for the backward \
         pass: the n x K x d residuals and a few small arrays)"
    );
}
