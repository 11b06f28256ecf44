#!/usr/bin/env python3
"""Compile time of a straight-line body with and without #[differentiable].

Writes a crate under target/compile-time/ with one function of N statements
(each an operation on the previous values, as generated numeric code is),
builds it in debug mode with and without the attribute, and prints the
build times of the crate itself (dependencies are built once, first).

    python3 bench/compile_time.py 500 1000 2000 4000 [--cpu] [--one-function]

The attribute emits such a body in chunks of functions of their own (every
value is an f64). The last column builds the same body after an early
`return` that never runs, which keeps it in one function, as bodies with
control flow are.
"""
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "compile-time")


def body(n, guard=False):
    """Two variables updated in turn, a new `let` every tenth statement (as
    long generated numeric code reads: a `let` per statement would nest one
    scope per statement, which rustc's debug info cannot take by the
    thousands, with or without the attribute)."""
    ops = ["{a} * 1.0001 + {b}", "({a} - {b}).sin()", "{a} * {b} + 0.5", "({a} * 0.3).tanh() + {b}", "{a} / (1.0 + {b} * {b})"]
    lines = ["    if x > 1e300 {\n        return 0.0;\n    }"] if guard else []
    lines += ["    let mut a = x * 0.5 + y;", "    let mut b = y.cos() * x;"]
    for i in range(2, n):
        op = ops[i % len(ops)]
        target, other = ("a", "b") if i % 2 == 0 else ("b", "a")
        if i % 10 == 0:
            lines.append(f"    let t{i} = " + op.format(a=target, b=other) + ";")
            lines.append(f"    {target} = t{i};")
        else:
            lines.append(f"    {target} = " + op.format(a=target, b=other) + ";")
    lines.append("    a + b")
    return "\n".join(lines)


def write(n, attr, guard=False):
    src = os.path.join(WORK, "src")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(WORK, "Cargo.toml"), "w") as f:
        f.write(
            '[package]\nname = "compile-time"\nversion = "0.0.0"\nedition = "2021"\n\n'
            f'[dependencies]\nautograd = {{ path = "{ROOT}" }}\n\n[workspace]\n'
        )
    a = "#[differentiable]\n" if attr else ""
    with open(os.path.join(src, "lib.rs"), "w") as f:
        f.write(
            "#![allow(clippy::all)]\nuse autograd::prelude::*;\n\n"
            f"{a}pub fn f(x: f64, y: f64) -> f64 {{\n{body(n, guard)}\n}}\n"
        )


def build():
    """Seconds of wall time, or with --cpu of CPU time (user and system, of
    cargo and rustc): on a loaded machine CPU time varies much less."""
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(WORK, "target"), CARGO_INCREMENTAL="0")
    t, r = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["cargo", "build", "-q"], cwd=WORK, env=env, check=True)
    if "--cpu" in sys.argv:
        q = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (q.ru_utime - r.ru_utime) + (q.ru_stime - r.ru_stime)
    return time.time() - t


def main():
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [500, 1000, 2000, 4000]
    write(10, True)
    build()  # dependencies
    one = "--one-function" in sys.argv
    print(f"{'statements':>10} {'plain (s)':>10} {'attribute (s)':>14} {'ratio':>6}"
          + (f" {'one function (s)':>17} {'ratio':>6}" if one else ""))
    for n in sizes:
        write(n, False)
        plain = build()
        write(n, True)
        attr = build()
        line = f"{n:>10} {plain:>10.2f} {attr:>14.2f} {attr / plain:>6.1f}"
        if one:
            write(n, True, guard=True)
            single = build()
            line += f" {single:>17.2f} {single / plain:>6.1f}"
        print(line)


if __name__ == "__main__":
    main()
