#!/usr/bin/python3
"""Plot the learning curves of an `fpo suite` directory.

Reads DIR/runs/<task>__<algo or variant>__seed<S>/evals.csv (columns
env_steps, return_mean, return_std, wall_time; one row per evaluation) and
draws one panel per task, one line per algorithm/variant: the mean over seeds
of the evaluation return against env steps, shaded between the seeds' minimum
and maximum. Evaluations are matched by their index (every seed of a variant
is evaluated at the same step targets); a variant's curve stops at the last
index that all its seeds have reached.

  tools/plot_suite.py DIR [--out DIR/curves.png] [--title TEXT]

Uses Debian's python3 with python3-matplotlib and python3-numpy.
"""
import argparse
import csv
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

RUN_NAME = re.compile(r"^(?P<task>.+)__(?P<variant>[^_].*?)__seed(?P<seed>\d+)$")


def fail(message):
    print(f"plot_suite.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_evals(path):
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                rows.append((float(row["env_steps"]), float(row["return_mean"])))
            except (KeyError, TypeError, ValueError):
                continue  # a torn last line
    return rows


def collect(suite_dir):
    """{task: {variant: {seed: [(env_steps, return_mean), ...]}}}, in first-seen order."""
    runs_dir = os.path.join(suite_dir, "runs")
    if not os.path.isdir(runs_dir):
        fail(f"'{runs_dir}' does not exist; is '{suite_dir}' a directory written by `fpo suite`?")
    curves = {}
    for name in sorted(os.listdir(runs_dir)):
        match = RUN_NAME.match(name)
        path = os.path.join(runs_dir, name, "evals.csv")
        if not match or not os.path.isfile(path):
            continue
        rows = read_evals(path)
        if rows:
            task, variant, seed = match["task"], match["variant"], int(match["seed"])
            curves.setdefault(task, {}).setdefault(variant, {})[seed] = rows
    return curves


def suite_order(suite_dir, key, seen):
    """The order of suite.json's `key` list (the last suite command), then anything else by name."""
    order = []
    try:
        with open(os.path.join(suite_dir, "suite.json")) as f:
            order = list(json.load(f).get(key, []))
    except (OSError, ValueError, AttributeError):
        pass
    return [v for v in order if v in seen] + sorted(set(seen) - set(order))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite_dir", help="directory written by `fpo suite --out DIR`")
    parser.add_argument("--out", help="PNG to write (default: DIR/curves.png)")
    parser.add_argument("--title", help="a title over all panels")
    args = parser.parse_args()

    curves = collect(args.suite_dir)
    if not curves:
        fail(f"no runs/*/evals.csv with rows under '{args.suite_dir}'")
    out = args.out or os.path.join(args.suite_dir, "curves.png")
    variants = suite_order(args.suite_dir, "variants", {v for per_task in curves.values() for v in per_task})
    colours = {v: plt.get_cmap("tab10")(i % 10) for i, v in enumerate(variants)}

    tasks = suite_order(args.suite_dir, "tasks", set(curves))
    cols = min(len(tasks), 4)
    rows = math.ceil(len(tasks) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False)
    for ax, task in zip(axes.flat, tasks):
        for variant in variants:
            seeds = curves[task].get(variant)
            if not seeds:
                continue
            n = min(len(r) for r in seeds.values())
            steps = np.array([[r[i][0] for i in range(n)] for r in seeds.values()]).mean(axis=0)
            returns = np.array([[r[i][1] for i in range(n)] for r in seeds.values()])
            label = f"{variant} ({len(seeds)} seed{'s' if len(seeds) != 1 else ''})"
            ax.plot(steps, returns.mean(axis=0), color=colours[variant], label=label, marker="o" if n < 3 else None)
            ax.fill_between(steps, returns.min(axis=0), returns.max(axis=0), color=colours[variant], alpha=0.2)
        ax.set_title(task)
        ax.set_xlabel("env steps")
        ax.set_ylabel("eval return")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    main()
