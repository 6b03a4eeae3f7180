#!/usr/bin/python3
"""Plot the learning curves of an `fpo suite` directory, or compare runs.

Reads DIR/runs/<task>__<algo or variant>__seed<S>/evals.csv (columns
env_steps, return_mean, return_std, wall_time; one row per evaluation) and
draws one panel per task, one line per algorithm/variant: the mean over seeds
of the evaluation return against env steps, shaded between the seeds' minimum
and maximum. Evaluations are matched by their index (every seed of a variant
is evaluated at the same step targets); a variant's curve stops at the last
index that all its seeds have reached.

  tools/plot_suite.py DIR [--out DIR/curves.png] [--title TEXT]

With --runs, each argument is a run directory of `fpo train` instead: one
PNG of its metrics.csv (training return against env steps and wall-clock,
and the health metrics: clip fraction, approx. KL, ratio mean and max,
losses, gradient norm, steps/s), one line per run (`fpo plot` calls this).

  tools/plot_suite.py --runs RUN [RUN ...] --out PNG [--labels A,B] [--title TEXT]

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


# (column, axis label, log scale) of metrics.csv, one panel each; columns a run lacks are skipped.
RUN_PANELS = [
    ("return_mean", "training return", False),
    ("return_mean@wall_time", "training return", False),
    ("clip_fraction", "clip fraction", False),
    ("approx_kl", "approx. KL", True),
    ("sample_kl", "KL measured on actions", True),
    ("ratio_mean", "ratio mean (max dashed)", True),
    ("policy_loss", "policy loss", False),
    ("value_loss", "value loss", True),
    ("grad_norm", "gradient norm", True),
    ("lr", "policy learning rate", True),
    ("action_spread", "action spread (std)", True),
    ("out_of_bounds", "share of actions clipped", False),
    ("steps_per_sec", "env steps / s", False),
]


def read_metrics(run_dir):
    """{column: np.array} of a run's metrics.csv; non-numeric cells become NaN."""
    path = os.path.join(run_dir, "metrics.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"cannot read '{path}': {e.strerror}; is '{run_dir}' a run directory written by `fpo train`?")
    columns = {}
    for row in rows:
        if None in row or any(v is None for v in row.values()):
            continue  # a torn last line
        for key, value in row.items():
            try:
                columns.setdefault(key, []).append(float(value))
            except ValueError:
                columns.setdefault(key, []).append(math.nan)
    if "env_steps" not in columns:
        fail(f"'{path}' has no rows with env_steps")
    return {k: np.array(v) for k, v in columns.items()}


def plot_runs(run_dirs, out, labels, title):
    runs = [read_metrics(d) for d in run_dirs]
    panels = [p for p in RUN_PANELS if any(p[0].split("@")[0] in r for r in runs)]
    cols = 5 if len(panels) > 8 else 4
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows), squeeze=False)
    for ax, (key, ylabel, log) in zip(axes.flat, panels):
        column, _, x_key = key.partition("@")
        x_key = x_key or "env_steps"
        for i, (run, label) in enumerate(zip(runs, labels)):
            if column not in run:
                continue
            colour = plt.get_cmap("tab10")(i % 10)
            x = run[x_key] / (60.0 if x_key == "wall_time" else 1.0)
            y = run[column]
            ok = np.isfinite(y) & (y > 0 if log else True)
            ax.plot(x[ok], y[ok], color=colour, label=label, linewidth=1.2)
            if column == "ratio_mean" and "ratio_max" in run:
                ok_max = np.isfinite(run["ratio_max"]) & (run["ratio_max"] > 0)
                ax.plot(x[ok_max], run["ratio_max"][ok_max], color=colour, linestyle="--", linewidth=0.8)
        ax.set_xlabel("wall-clock minutes" if x_key == "wall_time" else "env steps")
        ax.set_ylabel(ylabel)
        if log:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize="small")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(out)


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
    parser.add_argument("dirs", nargs="+", metavar="DIR",
                        help="directory written by `fpo suite --out DIR` (with --runs: run directories)")
    parser.add_argument("--runs", action="store_true", help="the DIRs are runs of `fpo train`: plot metrics.csv")
    parser.add_argument("--labels", help="with --runs: comma-separated legend labels (default: the directory names)")
    parser.add_argument("--out", help="PNG to write (default: DIR/curves.png; required with --runs)")
    parser.add_argument("--title", help="a title over all panels")
    args = parser.parse_args()
    if args.runs:
        if not args.out:
            fail("--runs needs --out PNG")
        labels = args.labels.split(",") if args.labels else [os.path.basename(os.path.normpath(d)) for d in args.dirs]
        if len(labels) != len(args.dirs):
            fail(f"--labels has {len(labels)} names for {len(args.dirs)} runs")
        plot_runs(args.dirs, args.out, labels, args.title)
        return
    if len(args.dirs) != 1:
        fail("give one suite directory (or --runs for several run directories)")
    args.suite_dir = args.dirs[0]

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
