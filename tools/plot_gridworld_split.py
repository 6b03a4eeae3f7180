#!/usr/bin/env python3
"""How long bimodality lasts on two_walls: the minority band's share of the
episodes from the centre against training steps, one line per run.

Input: a CSV with columns run,steps,top,bottom[,random_success] as written by
scripts/gridworld_split_study.sh; runs are named <anything>_<algo>_<setting>_s<seed>.
Prints a Markdown table (mean and per-seed minority share at each step) and
writes the plot.
  /usr/bin/python3 tools/plot_gridworld_split.py --csv tw_split.csv --out split.png
"""
import argparse
import collections
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    runs = collections.defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            top, bottom = int(row["top"]), int(row["bottom"])
            total = top + bottom
            share = min(top, bottom) / total if total else float("nan")
            runs[row["run"]].append((int(row["steps"]), share))
    if not runs:
        sys.exit(f"error: {path} has no rows")
    return {name: sorted(points) for name, points in runs.items()}


def group_of(run):
    parts = run.split("_")
    if len(parts) < 3 or not parts[-1].startswith("s"):
        sys.exit(f"error: run name '{run}' is not <prefix>_<algo>_<setting>_s<seed>")
    return f"{parts[-3]} {parts[-2]}", parts[-1][1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--out", required=True, help="PNG to write")
    args = ap.parse_args()
    runs = load(args.csv)
    groups = collections.defaultdict(dict)
    for run, points in runs.items():
        group, seed = group_of(run)
        groups[group][seed] = dict(points)

    fig, axes = plt.subplots(1, len(groups), figsize=(4 * len(groups), 3.4), sharey=True, squeeze=False)
    for ax, (group, seeds) in zip(axes[0], sorted(groups.items())):
        for seed, points in sorted(seeds.items()):
            steps = sorted(points)
            ax.plot([s / 1e3 for s in steps], [100 * points[s] for s in steps], marker="o", ms=3, label=f"seed {seed}")
        ax.set_title(group)
        ax.set_xlabel("env steps (thousands)")
        ax.set_ylim(-2, 52)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0][0].set_ylabel("minority band, % of episodes from the centre")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)

    for group, seeds in sorted(groups.items()):
        steps = sorted(set.intersection(*(set(p) for p in seeds.values())))
        print(f"\n{group} (minority share from the centre, %, seeds {', '.join(sorted(seeds))})\n")
        print("| env steps | " + " | ".join(f"seed {s}" for s in sorted(seeds)) + " | mean |")
        print("|---|" + "---|" * (len(seeds) + 1))
        for step in steps:
            values = [100 * seeds[s][step] for s in sorted(seeds)]
            print(f"| {step:,} | " + " | ".join(f"{v:.0f}" for v in values) + f" | {sum(values) / len(values):.1f} |")


if __name__ == "__main__":
    main()
