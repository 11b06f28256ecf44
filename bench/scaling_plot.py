#!/usr/bin/env python3
"""Draws docs/scaling.svg from criterion's saved medians (standard library only).

    cargo bench --bench rosenbrock --bench mlp_step -- _scaling
    python3 bench/scaling_plot.py

Left: extended Rosenbrock, time against n. Right: MLP training step, time
against the batch size. Generated and hand-written gradients, log-log axes.
"""
import json
import math
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRIT = os.environ.get("CRITERION_DIR", os.path.join(ROOT, "target", "criterion"))


def series(group, name, sizes):
    pts = []
    for n in sizes:
        path = os.path.join(CRIT, group, name, str(n), "new", "estimates.json")
        if os.path.exists(path):
            with open(path) as f:
                pts.append((n, json.load(f)["median"]["point_estimate"]))
    return pts


def panel(x0, title, xlabel, data, w=380, h=300, pad=50):
    xs = [n for s in data.values() for n, _ in s]
    ys = [t for s in data.values() for _, t in s]
    if not xs:
        return f'<text x="{x0 + 20}" y="40">{title}: run cargo bench first</text>'
    lx0, lx1 = math.log10(min(xs)), math.log10(max(xs))
    ly0, ly1 = math.log10(min(ys)), math.log10(max(ys))
    lx1, ly1 = max(lx1, lx0 + 1), max(ly1, ly0 + 1)
    px = lambda n: x0 + pad + (w - 2 * pad) * (math.log10(n) - lx0) / (lx1 - lx0)
    py = lambda t: h - pad - (h - 2 * pad) * (math.log10(t) - ly0) / (ly1 - ly0)
    out = [f'<text x="{x0 + w / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<line x1="{x0 + pad}" y1="{h - pad}" x2="{x0 + w - pad}" y2="{h - pad}" stroke="black"/>',
           f'<line x1="{x0 + pad}" y1="{pad}" x2="{x0 + pad}" y2="{h - pad}" stroke="black"/>',
           f'<text x="{x0 + w / 2}" y="{h - 12}" text-anchor="middle">{xlabel} (log)</text>']
    for e in range(math.floor(ly0), math.ceil(ly1) + 1):
        t = 10 ** e
        if ly0 - 1e-9 <= e <= ly1 + 1e-9:
            label = f"{t / 1e6:g} ms" if t >= 1e6 else (f"{t / 1e3:g} µs" if t >= 1e3 else f"{t:g} ns")
            out.append(f'<text x="{x0 + pad - 4}" y="{py(t) + 4}" text-anchor="end" font-size="10">{label}</text>')
    colors = {"generated": "#d62728", "hand-written": "#1f77b4"}
    for k, (name, pts) in enumerate(data.items()):
        poly = " ".join(f"{px(n):.1f},{py(t):.1f}" for n, t in pts)
        out.append(f'<polyline points="{poly}" fill="none" stroke="{colors[name]}" stroke-width="2"/>')
        for n, t in pts:
            out.append(f'<circle cx="{px(n):.1f}" cy="{py(t):.1f}" r="3" fill="{colors[name]}"/>')
        out.append(f'<text x="{x0 + pad + 8}" y="{pad + 14 * (k + 1)}" fill="{colors[name]}">{name}</text>')
    for n in sorted(set(xs)):
        out.append(f'<text x="{px(n):.1f}" y="{h - pad + 14}" text-anchor="middle" font-size="10">{n}</text>')
    return "\n".join(out)


def main():
    ros = {k: series("rosenbrock_scaling", k, [2, 10, 100, 1000, 10000, 100000]) for k in ("generated", "hand-written")}
    mlp = {k: series("mlp_step_scaling", k, [1, 4, 16, 64, 256, 1024]) for k in ("generated", "hand-written")}
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="780" height="300" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           panel(0, "Rosenbrock: value and gradient", "n", ros),
           panel(400, "MLP 784-256-10: training step", "batch", mlp),
           "</svg>"]
    path = os.path.join(ROOT, "docs", "scaling.svg")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
