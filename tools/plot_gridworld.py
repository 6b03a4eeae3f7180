#!/usr/bin/python3
"""Plot a GridWorld layout with trajectories, beside the actions a policy
samples at one state.

Left panel: the grid (walls dark, goals green, death cells red) with each
episode's path drawn from the start cell. Right panel: a 2-D histogram of the
sampled actions in [-1, 1]^2 with the move thresholds (+-0.5) dashed and the
share of samples that fall in each of the 9 moves.

Inputs:
  --map FILE           ASCII map: one line per row, top row first,
                       '#' wall, 'G' goal, 'X' death, '.' free
                       (`fpo envs --map gridworld:two_walls > map.txt`)
  --actions FILE       CSV with header a0,a1: actions sampled at one state
  --trajectories FILE  CSV with header episode,step,x,y (cell coordinates), or
                       episode,step,obs_0,obs_1 as written by `fpo eval --trajectories`
                       (x = column, y = row with y = 0 the bottom row)
  --start X,Y          the start cell, marked and prepended to each path
  --out PNG            the image to write
  --title TEXT         a title over both panels

--actions and --trajectories may be repeated, once per policy (with
--labels FPO,PPO): one row of the two panels per policy, e.g. FPO above a
Gaussian policy at the same start cell.

Uses Debian's python3 with python3-matplotlib and python3-numpy.
"""
import argparse
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

MOVE_THRESHOLD = 0.5  # the env rounds each axis: |a| > 0.5 moves (docs/gridworld.md)
CELL_CODES = {".": 0, "#": 1, "G": 2, "X": 3}
CELL_COLOURS = ["#f4f4f4", "#333333", "#4caf50", "#e53935"]


def fail(message):
    print(f"plot_gridworld: {message}", file=sys.stderr)
    sys.exit(2)


def read_map(path):
    """Returns an int array [y][x] (y = 0 bottom) of CELL_CODES."""
    try:
        with open(path) as f:
            rows = [line.strip() for line in f if line.strip()]
    except OSError as e:
        fail(f"cannot read --map {path}: {e.strerror}")
    if not rows:
        fail(f"--map {path} is empty")
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            fail(f"--map {path}: line {i + 1} has {len(row)} cells, the first has {width}")
        bad = set(row) - set(CELL_CODES)
        if bad:
            fail(f"--map {path}: line {i + 1} has {''.join(sorted(bad))!r}; allowed: '#', 'G', 'X', '.'")
    grid = np.array([[CELL_CODES[c] for c in row] for row in rows], dtype=int)
    return grid[::-1]  # the file is top row first


def read_csv(path, option, columns, convert):
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if header[: len(columns)] != columns:
                fail(f"{option} {path}: header is {','.join(header)!r}, expected {','.join(columns)!r}")
            reader.fieldnames = header
            out = []
            for line, row in enumerate(reader, start=2):
                try:
                    out.append(tuple(convert(row[c]) for c in columns))
                except (TypeError, ValueError):
                    fail(f"{option} {path}: line {line} is not numeric: {row}")
            return out
    except OSError as e:
        fail(f"cannot read {option} {path}: {e.strerror}")


def parse_start(text):
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        fail(f"--start {text!r}: expected two integers X,Y")
    return x, y


def group_trajectories(rows):
    """episode -> [(x, y), ...] in step order."""
    episodes = {}
    for episode, step, x, y in rows:
        episodes.setdefault(int(episode), []).append((step, x, y))
    return {e: [(x, y) for _, x, y in sorted(pts)] for e, pts in sorted(episodes.items())}


def draw_grid(ax, grid, trajectories, start):
    height, width = grid.shape
    ax.imshow(grid, origin="lower", cmap=ListedColormap(CELL_COLOURS), vmin=0, vmax=3,
              extent=(-0.5, width - 0.5, -0.5, height - 0.5), interpolation="nearest")
    ax.set_xticks(np.arange(-0.5, width, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, height, 1), minor=True)
    ax.grid(which="minor", color="#d0d0d0", linewidth=0.3)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(0, width, 4))
    ax.set_yticks(range(0, height, 4))
    ax.set_xlabel("x (column)")
    ax.set_ylabel("y (row)")

    # Small per-episode offsets keep overlapping paths apart.
    rng = np.random.default_rng(0)
    ends = {"goal": 0, "death": 0, "other": 0}
    end_colour = {"goal": "#1565c0", "death": "#b71c1c", "other": "#757575"}
    for points in trajectories.values():
        if start is not None and points[0] != start:
            points = [start] + points
        xs, ys = np.array(points, dtype=float).T
        ex, ey = int(points[-1][0]), int(points[-1][1])
        inside = 0 <= ex < width and 0 <= ey < height
        kind = {2: "goal", 3: "death"}.get(grid[ey, ex] if inside else -1, "other")
        ends[kind] += 1
        jitter = rng.uniform(-0.18, 0.18, size=2)
        ax.plot(xs + jitter[0], ys + jitter[1], color=end_colour[kind], alpha=0.35, linewidth=1.0)
        ax.plot(xs[-1] + jitter[0], ys[-1] + jitter[1], "o", color=end_colour[kind], markersize=2.5)
    if start is not None:
        ax.plot(*start, marker="*", color="#ffb300", markeredgecolor="black", markersize=14, zorder=5)
    n = len(trajectories)
    if n:
        ax.set_title(f"{n} episodes: {ends['goal']} goal, {ends['death']} death, {ends['other']} other",
                     fontsize=10)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(-0.5, height - 0.5)
    ax.set_aspect("equal")


def move_of(a):
    return np.where(a < -MOVE_THRESHOLD, -1, np.where(a > MOVE_THRESHOLD, 1, 0))


def draw_actions(ax, actions):
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("a0 (dx)")
    ax.set_ylabel("a1 (dy)")
    for t in (-MOVE_THRESHOLD, MOVE_THRESHOLD):
        ax.axvline(t, color="black", linestyle="--", linewidth=0.8)
        ax.axhline(t, color="black", linestyle="--", linewidth=0.8)
    if not actions:
        ax.text(0, 0, "no actions given", ha="center", va="center")
        return
    a = np.array(actions, dtype=float)
    outside = int(np.sum(np.any(np.abs(a) > 1.0, axis=1)))
    a = np.clip(a, -1.0, 1.0)  # the env clips too
    _, _, _, image = ax.hist2d(a[:, 0], a[:, 1], bins=50, range=[[-1, 1], [-1, 1]], cmap="magma_r",
                                    cmin=1)
    plt.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="samples")
    # Share of samples per move, at the centre of each of the 9 regions.
    mx, my = move_of(a[:, 0]), move_of(a[:, 1])
    centres = {-1: -0.75, 0: 0.0, 1: 0.75}
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            share = np.mean((mx == dx) & (my == dy))
            if share > 0:
                label = f"{100 * share:.0f}%" if share >= 0.005 else "<1%"
                ax.text(centres[dx], centres[dy] + 0.17, label, ha="center", va="center",
                        fontsize=8, color="#1565c0",
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))
    note = f", {outside} outside [-1,1] clipped" if outside else ""
    ax.set_title(f"{len(a)} sampled actions{note}", fontsize=10)


def read_trajectories(path, grid):
    """episode -> [(x, y), ...] from a trajectories CSV (cells, or `fpo eval` observations)."""
    try:
        with open(path, newline="") as f:
            header = f.readline().strip().split(",")
    except OSError as e:
        fail(f"cannot read --trajectories {path}: {e.strerror}")
    if header[2:4] == ["obs_0", "obs_1"]:
        # `fpo eval --trajectories`: observations in [-1, 1]^2 -> cells.
        h, w = grid.shape
        rows = read_csv(path, "--trajectories", ["episode", "step", "obs_0", "obs_1"], float)
        rows = [(int(e), int(s), round((x + 1) * (w - 1) / 2), round((y + 1) * (h - 1) / 2)) for e, s, x, y in rows]
    else:
        rows = read_csv(path, "--trajectories", ["episode", "step", "x", "y"], lambda v: int(float(v)))
    return group_trajectories(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--map", required=True, help="ASCII map file (top row first)")
    parser.add_argument("--actions", action="append", default=[],
                        help="CSV a0,a1 of actions sampled at one state (repeat: one per policy)")
    parser.add_argument("--trajectories", action="append", default=[],
                        help="CSV episode,step,x,y of cell coordinates (repeat: one per policy)")
    parser.add_argument("--labels", help="comma-separated row labels, one per policy")
    parser.add_argument("--start", help="start cell X,Y")
    parser.add_argument("--out", required=True, help="output PNG")
    parser.add_argument("--title", default="", help="figure title")
    args = parser.parse_args()

    grid = read_map(args.map)
    start = parse_start(args.start) if args.start else None
    if start is not None:
        h, w = grid.shape
        if not (0 <= start[0] < w and 0 <= start[1] < h):
            fail(f"--start {args.start}: outside the {w}x{h} grid; allowed 0 <= x < {w}, 0 <= y < {h}")
    rows = max(len(args.actions), len(args.trajectories), 1)
    for option, given in (("--actions", args.actions), ("--trajectories", args.trajectories)):
        if given and len(given) != rows:
            fail(f"{option} given {len(given)} times for {rows} policies; give it once per policy or not at all")
    labels = args.labels.split(",") if args.labels else [""] * rows
    if len(labels) != rows:
        fail(f"--labels names {len(labels)} policies, but {rows} are given")
    trajectories = [read_trajectories(path, grid) for path in args.trajectories] or [{}] * rows
    actions = [read_csv(path, "--actions", ["a0", "a1"], float) for path in args.actions] or [[]] * rows

    fig, axes = plt.subplots(rows, 2, figsize=(13, 6.2 * rows), squeeze=False)
    for (left, right), trajs, acts, label in zip(axes, trajectories, actions, labels):
        draw_grid(left, grid, trajs, start)
        draw_actions(right, acts)
        if label:
            left.set_title(f"{label}: {left.get_title()}", fontsize=10)
            right.set_title(f"{label}: {right.get_title()}", fontsize=10)
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    try:
        fig.savefig(args.out, dpi=110)
    except OSError as e:
        fail(f"cannot write --out {args.out}: {e.strerror}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
