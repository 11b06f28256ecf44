#!/usr/bin/env python3
"""Runs the criterion benches several times and prints, for every benchmark,
the smallest of the medians (standard library only).

On a shared machine a burst of other work slows whichever benchmark happens
to be running; taking each benchmark's best median over a few runs keeps
those bursts out of the generated/hand-written ratios in the README.

    python3 bench/min_of_runs.py                       # 3 runs of every bench
    python3 bench/min_of_runs.py --runs 5 --bench gmm  # 5 runs of one

Run with the malloc settings the README gives (MALLOC_MMAP_THRESHOLD_,
MALLOC_TRIM_THRESHOLD_) in the environment.
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRIT = os.environ.get("CRITERION_DIR", os.path.join(ROOT, "target", "criterion"))
BENCHES = ["scalar_f64", "rosenbrock", "mlp_step", "rnn", "gmm", "data_parallel"]


def medians():
    """Every benchmark's latest median, in nanoseconds, by its id."""
    out = {}
    for dirpath, _, files in os.walk(CRIT):
        if "estimates.json" in files and os.path.basename(dirpath) == "new":
            with open(os.path.join(dirpath, "estimates.json")) as f:
                median = json.load(f)["median"]["point_estimate"]
            bench_id = os.path.relpath(os.path.dirname(dirpath), CRIT)
            out[bench_id] = median
    return out


def fmt(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--bench", action="append", help="a bench target (default: all)")
    args = p.parse_args()
    benches = args.bench or BENCHES
    best = {}
    for run in range(args.runs):
        for b in benches:
            subprocess.run(["cargo", "bench", "-q", "--bench", b], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for k, v in medians().items():
                if k.startswith(b.split("_")[0]) or k.startswith(b):
                    best[k] = min(v, best.get(k, v))
        print(f"run {run + 1} of {args.runs} done", flush=True)
    for k in sorted(best):
        print(f"{k}\t{fmt(best[k])}")


if __name__ == "__main__":
    main()
