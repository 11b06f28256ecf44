#!/usr/bin/env python3
"""Times the workloads of benches/mlp_step.rs, benches/rnn.rs and benches/gmm.rs
in PyTorch (CPU, eager) and JAX (jit, CPU), and prints one markdown table next
to autograd's medians read from criterion's saved estimates.

    python bench/peers.py                 # 1 thread, as autograd (single-threaded)
    python bench/peers.py --threads 2
    python bench/peers.py --check         # also check values against autograd's tests

Workloads:
  mlp_step  f32: 784-256-10 MLP, ReLU, mean cross-entropy, batch 64,
            forward + backward + SGD update (lr 0.05)
  rnn       f64: unrolled tanh RNN, hidden 64, batch 16, 32 steps, input 64,
            h = tanh(x_t @ wx + h @ wh + b), loss = sum of the final h,
            gradients w.r.t. wx, wh, b
  gmm       f64: the ADBench GMM objective's value and gradient w.r.t.
            alphas, means, icf at d = 10, K = 25, n = 1,000

Each framework is timed with a warm-up, then the median of single-call
repeats. The process is pinned to --threads CPUs (default 1, as autograd's
benches run on one thread). PyTorch and JAX are optional: a missing one prints "not installed".
Python is never needed by the Rust tests.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

# ---- autograd::Rng, ported (xoshiro256++ seeded by SplitMix64) ----------------

MASK = (1 << 64) - 1


def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Rng:
    """The same stream as `autograd::Rng::seed_from(seed)`."""

    def __init__(self, seed):
        sm = seed
        self.s = []
        for _ in range(4):
            sm, v = _splitmix64(sm)
            self.s.append(v)
        self.spare = None

    def next_u64(self):
        s = self.s
        result = (_rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def next_f64(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next_f64()

    def normal(self):
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1 = 1.0 - self.next_f64()
        u2 = self.next_f64()
        r = math.sqrt(-2.0 * math.log(u1))
        a = 2.0 * math.pi * u2
        self.spare = r * math.sin(a)
        return r * math.cos(a)


def gmm_instance(d, k, n, seed, gamma=1.0, m=0):
    """`Gmm::random(d, k, n, seed)` of tests/gmm.rs, as nested lists."""
    rng = Rng(seed)
    alphas = [rng.normal() for _ in range(k)]
    means = [[rng.uniform(0.0, 1.0) for _ in range(d)] for _ in range(k)]
    icf = [[rng.normal() for _ in range(d * (d + 1) // 2)] for _ in range(k)]
    x = [[rng.normal() for _ in range(d)] for _ in range(n)]
    return alphas, means, icf, x, gamma, m


def lower_indices(d):
    """Rows and columns of the strict lower triangle, column by column, as
    ADBench stores it after the d logs of the diagonal."""
    rows, cols = [], []
    for col in range(d):
        for row in range(col + 1, d):
            rows.append(row)
            cols.append(col)
    return rows, cols


def multigammaln(a, p):
    """ln Γ_p(a) = p(p−1)/4 ln π + Σ_{j=1..p} ln Γ(a + (1−j)/2)."""
    return 0.25 * p * (p - 1) * math.log(math.pi) + sum(math.lgamma(a + 0.5 * (1 - j)) for j in range(1, p + 1))


def wishart_constant(d, k, n, gamma, m, multigammaln):
    big_n = d + m + 1
    c = big_n * d * (math.log(gamma) - 0.5 * math.log(2.0)) - multigammaln(0.5 * big_n, d)
    return -n * d * 0.5 * math.log(2.0 * math.pi) - k * c


# ---- timing --------------------------------------------------------------------


def median_ms(fn, warmup, repeats, budget_s):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < repeats or (time.perf_counter() - start < budget_s and len(times) < 10 * repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= repeats and time.perf_counter() - start >= budget_s:
            break
    return statistics.median(times) * 1e3


# ---- PyTorch -------------------------------------------------------------------


def torch_workloads(threads):
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass
    gen = torch.Generator().manual_seed(0)

    # (a) MLP step, f32.
    def linear(out_f, in_f):
        bound = 1.0 / math.sqrt(in_f)
        w = (torch.rand(out_f, in_f, generator=gen) * 2 - 1) * bound
        b = (torch.rand(out_f, generator=gen) * 2 - 1) * bound
        return w.requires_grad_(), b.requires_grad_()

    w1, b1 = linear(256, 784)
    w2, b2 = linear(10, 256)
    params = [w1, b1, w2, b2]
    xb = torch.rand(64, 784, generator=gen)
    yb = torch.randint(0, 10, (64,), generator=gen)

    def mlp_step():
        h = torch.relu(xb @ w1.t() + b1)
        loss = torch.nn.functional.cross_entropy(h @ w2.t() + b2, yb)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.05 * p.grad
                p.grad = None
        return loss

    # (b) RNN, f64.
    f64 = torch.float64
    xs = torch.randn(32, 16, 64, generator=gen, dtype=f64)
    h0 = torch.randn(16, 64, generator=gen, dtype=f64) * 0.5
    wx = (torch.randn(64, 64, generator=gen, dtype=f64) * 0.125).requires_grad_()
    wh = (torch.randn(64, 64, generator=gen, dtype=f64) * 0.125).requires_grad_()
    rb = (torch.randn(64, generator=gen, dtype=f64) * 0.1).requires_grad_()

    def rnn():
        h = h0
        for t in range(xs.shape[0]):
            h = torch.tanh(xs[t] @ wx + h @ wh + rb)
        loss = h.sum()
        return loss, torch.autograd.grad(loss, (wx, wh, rb))

    # (c) GMM, f64.
    inst = gmm_instance(10, 25, 1000, 42)
    args = gmm_torch_args(inst, requires_grad=True)

    def gmm():
        v = gmm_torch_gemm(*args)
        return v, torch.autograd.grad(v, args[:3])

    return {"mlp_step": mlp_step, "rnn": rnn, "gmm": gmm}


def gmm_torch_args(inst, requires_grad):
    import torch

    alphas, means, icf, x, gamma, m = inst
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    a, mu, q = t(alphas), t(means), t(icf)
    if requires_grad:
        for p in (a, mu, q):
            p.requires_grad_()
    return a, mu, q, t(x), gamma, m


def gmm_torch_gemm(alphas, means, icf, x, gamma, m):
    """The GMM objective as benches/gmm.rs (tests/gmm.rs) computes it: every
    Q_k x_i at once as one matrix product x Rᵀ, where row (k, j) of R is row j
    of Q_k, minus Q_k μ_k. This is the formulation timed."""
    import torch

    n, d = x.shape
    k = alphas.shape[0]
    qs = icf[:, :d]
    qdiag = qs.exp()
    sum_qs = qs.sum(1)
    rows, cols = lower_indices(d)
    index = (torch.arange(k)[:, None], torch.tensor(rows)[None], torch.tensor(cols)[None])
    q = torch.diag_embed(qdiag).index_put(index, icf[:, d:])  # K, d, d
    qmu = (q @ means[:, :, None]).reshape(k * d)
    z = (x @ q.reshape(k * d, d).t() - qmu).reshape(n, k, d)
    main = alphas + sum_qs - 0.5 * (z * z).sum(2)
    slse = torch.logsumexp(main, 1).sum()
    prior = 0.5 * gamma * gamma * ((qdiag * qdiag).sum() + (icf[:, d:] ** 2).sum()) - m * sum_qs.sum()
    const = wishart_constant(d, k, n, gamma, m, multigammaln)
    return const + slse - n * torch.logsumexp(alphas, 0) + prior


def gmm_torch(alphas, means, icf, x, gamma, m):
    """The GMM objective, vectorised: ADBench's PyTorch gmm_objective with the
    points batched instead of stacked one by one (x − μ for every pair, then
    an einsum with the lower triangles). Used by --check."""
    import torch

    n, d = x.shape
    k = alphas.shape[0]
    qs = icf[:, :d]
    qdiag = qs.exp()
    sum_qs = qs.sum(1)
    rows, cols = lower_indices(d)
    lower = icf.new_zeros(k, d, d)
    lower[:, rows, cols] = icf[:, d:]
    xc = x[:, None, :] - means[None, :, :]  # n, K, d
    qxc = qdiag * xc + torch.einsum("kjl,nkl->nkj", lower, xc)
    main = alphas + sum_qs - 0.5 * (qxc * qxc).sum(2)
    slse = torch.logsumexp(main, 1).sum()
    prior = 0.5 * gamma * gamma * ((qdiag * qdiag).sum() + (icf[:, d:] ** 2).sum()) - m * sum_qs.sum()
    const = wishart_constant(d, k, n, gamma, m, lambda a, p: float(torch.special.multigammaln(torch.tensor(a, dtype=torch.float64), p)))
    return const + slse - n * torch.logsumexp(alphas, 0) + prior


# ---- JAX -----------------------------------------------------------------------


def jax_workloads():
    import jax
    import jax.numpy as jnp
    import numpy as np

    jax.config.update("jax_enable_x64", True)
    key = jax.random.PRNGKey(0)
    k1, k2, k3, k4, k5, k6, k7, k8, k9 = jax.random.split(key, 9)

    # (a) MLP step, f32.
    def linear(kw, kb, out_f, in_f):
        bound = 1.0 / math.sqrt(in_f)
        w = jax.random.uniform(kw, (out_f, in_f), jnp.float32, -bound, bound)
        b = jax.random.uniform(kb, (out_f,), jnp.float32, -bound, bound)
        return w, b

    params = (*linear(k1, k2, 256, 784), *linear(k3, k4, 10, 256))
    xb = jax.random.uniform(k5, (64, 784), jnp.float32)
    yb = jax.random.randint(k6, (64,), 0, 10)

    def mlp_loss(p, x, y):
        w1, b1, w2, b2 = p
        h = jax.nn.relu(x @ w1.T + b1)
        logits = h @ w2.T + b2
        logp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], 1))

    @jax.jit
    def mlp_step(p, x, y):
        loss, g = jax.value_and_grad(mlp_loss)(p, x, y)
        return loss, tuple(pi - 0.05 * gi for pi, gi in zip(p, g))

    state = {"p": params}

    def run_mlp():
        loss, state["p"] = mlp_step(state["p"], xb, yb)
        jax.block_until_ready(state["p"])

    # (b) RNN, f64.
    xs = jax.random.normal(k7, (32, 16, 64), jnp.float64)
    h0 = jax.random.normal(k8, (16, 64), jnp.float64) * 0.5
    kw = jax.random.split(k9, 3)
    wx = jax.random.normal(kw[0], (64, 64), jnp.float64) * 0.125
    wh = jax.random.normal(kw[1], (64, 64), jnp.float64) * 0.125
    rb = jax.random.normal(kw[2], (64,), jnp.float64) * 0.1

    def rnn_loss(wx, wh, b, xs, h0):
        h = h0
        for t in range(xs.shape[0]):  # unrolled at trace time
            h = jnp.tanh(xs[t] @ wx + h @ wh + b)
        return h.sum()

    rnn_vg = jax.jit(jax.value_and_grad(rnn_loss, argnums=(0, 1, 2)))

    def run_rnn():
        jax.block_until_ready(rnn_vg(wx, wh, rb, xs, h0))

    # (c) GMM, f64.
    alphas, means, icf, x, gamma, m = gmm_instance(10, 25, 1000, 42)
    ga, gm, gq, gx = (jnp.asarray(np.array(v, dtype=np.float64)) for v in (alphas, means, icf, x))
    gmm_vg = jax.jit(jax.value_and_grad(gmm_jax_gemm, argnums=(0, 1, 2)), static_argnums=(4, 5))

    def run_gmm():
        jax.block_until_ready(gmm_vg(ga, gm, gq, gx, gamma, m))

    return {"mlp_step": run_mlp, "rnn": run_rnn, "gmm": run_gmm}


def gmm_jax_gemm(alphas, means, icf, x, gamma, m):
    """gmm_torch_gemm in JAX: the formulation timed."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    n, d = x.shape
    k = alphas.shape[0]
    qs = icf[:, :d]
    qdiag = jnp.exp(qs)
    sum_qs = qs.sum(1)
    rows, cols = lower_indices(d)
    q = jax.vmap(jnp.diag)(qdiag).at[:, np.array(rows), np.array(cols)].set(icf[:, d:])
    qmu = (q @ means[:, :, None]).reshape(k * d)
    z = (x @ q.reshape(k * d, d).T - qmu).reshape(n, k, d)
    main = alphas + sum_qs - 0.5 * (z * z).sum(2)
    slse = jax.nn.logsumexp(main, 1).sum()
    prior = 0.5 * gamma * gamma * ((qdiag * qdiag).sum() + (icf[:, d:] ** 2).sum()) - m * sum_qs.sum()
    const = wishart_constant(d, k, n, gamma, m, multigammaln)
    return const + slse - n * jax.nn.logsumexp(alphas) + prior


def gmm_jax(alphas, means, icf, x, gamma, m):
    """gmm_torch in JAX. Used by --check."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    n, d = x.shape
    k = alphas.shape[0]
    qs = icf[:, :d]
    qdiag = jnp.exp(qs)
    sum_qs = qs.sum(1)
    rows, cols = lower_indices(d)
    lower = jnp.zeros((k, d, d), icf.dtype).at[:, np.array(rows), np.array(cols)].set(icf[:, d:])
    xc = x[:, None, :] - means[None, :, :]
    qxc = qdiag * xc + jnp.einsum("kjl,nkl->nkj", lower, xc)
    main = alphas + sum_qs - 0.5 * (qxc * qxc).sum(2)
    slse = jax.nn.logsumexp(main, 1).sum()
    prior = 0.5 * gamma * gamma * ((qdiag * qdiag).sum() + (icf[:, d:] ** 2).sum()) - m * sum_qs.sum()
    const = wishart_constant(d, k, n, gamma, m, multigammaln)
    return const + slse - n * jax.nn.logsumexp(alphas) + prior


# ---- autograd's numbers ----------------------------------------------------------

# Which criterion benchmark holds autograd's time for each workload.
AUTOGRAD_BENCHES = {
    "mlp_step": ("mlp_step", "generated step"),
    "rnn": ("rnn", "generated value_and_grad"),
    "gmm": ("gmm", "generated value_and_grad"),
}


def autograd_ms(target_dir, workload):
    group, bench = AUTOGRAD_BENCHES[workload]
    path = Path(target_dir) / "criterion" / group / bench / "new" / "estimates.json"
    try:
        estimates = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return estimates["median"]["point_estimate"] / 1e6


# ---- --check: values against autograd's tests ------------------------------------


def check():
    # The first outputs of Rng::seed_from(42), from autograd's rng.rs tests.
    rng = Rng(42)
    want = [15021278609987233951, 5881210131331364753, 18149643915985481100, 12933668939759105464]
    assert [rng.next_u64() for _ in want] == want, "the Rng port disagrees with autograd::Rng"
    cases = [
        ("small (d=3, K=4, n=20, seed 7)", gmm_instance(3, 4, 20, 7)),
        ("small with prior (gamma 1.7, m 2)", gmm_instance(3, 4, 20, 7, gamma=1.7, m=2)),
        ("full (d=10, K=25, n=1000, seed 42)", gmm_instance(10, 25, 1000, 42)),
    ]
    try:
        import torch

        torch.set_printoptions(precision=17)
        print("PyTorch float64 values of the GMM objective (tests/gmm.rs, value_matches_pytorch):")
        for name, inst in cases:
            args = gmm_torch_args(inst, requires_grad=False)
            v, w = gmm_torch(*args), gmm_torch_gemm(*args)
            print(f"  {name}: {float(v):.16e} (as timed: {float(w):.16e})")
    except ImportError:
        print("PyTorch: not installed")
    try:
        import jax
        import numpy as np

        jax.config.update("jax_enable_x64", True)
        print("JAX float64 values:")
        for name, (a, mu, q, x, gamma, m) in cases:
            args = [np.array(v, dtype=np.float64) for v in (a, mu, q, x)]
            v, w = gmm_jax(*args, gamma, m), gmm_jax_gemm(*args, gamma, m)
            print(f"  {name}: {float(v):.16e} (as timed: {float(w):.16e})")
    except ImportError:
        print("JAX: not installed")


# ---- main ----------------------------------------------------------------------------


def main():
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads for PyTorch and JAX (default 1)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=50, help="at least this many timed calls")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per workload, at most 10x repeats")
    parser.add_argument(
        "--target-dir",
        default=os.environ.get("CARGO_TARGET_DIR", str(root / "target")),
        help="cargo's target directory, where criterion saved its estimates",
    )
    parser.add_argument("--check", action="store_true", help="print PyTorch/JAX values of the tests' GMM instances")
    args = parser.parse_args()

    # XLA's CPU runtime sizes its thread pool from the CPUs it may use and
    # ignores the old thread flags, so the process is pinned to N CPUs before
    # JAX or PyTorch start (PyTorch also gets set_num_threads(N)).
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if allowed and args.threads < len(allowed):
        os.sched_setaffinity(0, allowed[: args.threads])
    os.environ.setdefault("JAX_PLATFORMS", "cpu")

    if args.check:
        check()
        print()

    columns = {}
    for name, make in (("torch", lambda: torch_workloads(args.threads)), ("jax", jax_workloads)):
        try:
            workloads = make()
        except ImportError:
            columns[name] = None
            continue
        columns[name] = {
            w: median_ms(fn, args.warmup, args.repeats, args.budget) for w, fn in workloads.items()
        }
        print(f"{name}: timed", file=sys.stderr)

    labels = {
        "mlp_step": "MLP step, f32 (784-256-10, batch 64)",
        "rnn": "tanh RNN grad, f64 (h 64, batch 16, 32 steps)",
        "gmm": "GMM grad, f64 (d 10, K 25, n 1000)",
    }

    def cell(col, w):
        if columns[col] is None:
            return "not installed"
        return f"{columns[col][w]:.3f}"

    print(f"threads: {args.threads}")
    print()
    print("| workload | PyTorch eager (ms) | JAX jit (ms) | autograd (ms) |")
    print("|---|---:|---:|---:|")
    for w, label in labels.items():
        ours = autograd_ms(args.target_dir, w)
        ours = "run cargo bench first" if ours is None else f"{ours:.3f}"
        print(f"| {label} | {cell('torch', w)} | {cell('jax', w)} | {ours} |")


if __name__ == "__main__":
    main()
