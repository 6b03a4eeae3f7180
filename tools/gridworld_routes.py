#!/usr/bin/env python3
"""Which way round each GridWorld episode went: for a trajectories CSV written by
`fpo eval --trajectories` (columns episode,step,obs_0,obs_1), counts the
episodes whose path went farthest from the centre row y = 12 above it
(upper), below it (lower) or never left it (level). Around the obstacles of
tree_in_the_middle, two_slits and cshape this is the route's side.
  /usr/bin/python3 tools/gridworld_routes.py TRAJECTORIES.csv   ->  upper=N lower=M [level=K]
"""
import collections
import csv
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    farthest = {}
    with open(sys.argv[1], newline="") as f:
        for row in csv.DictReader(f):
            dy = round(float(row["obs_1"]) * 12)  # obs_1 = (y - 12) / 12
            episode = row["episode"]
            if abs(dy) > abs(farthest.get(episode, 0)) or episode not in farthest:
                farthest[episode] = dy
    if not farthest:
        sys.exit(f"error: {sys.argv[1]} has no trajectory rows")
    sides = collections.Counter("upper" if dy > 0 else "lower" if dy < 0 else "level" for dy in farthest.values())
    print(f"upper={sides['upper']} lower={sides['lower']}" + (f" level={sides['level']}" if sides["level"] else ""))


if __name__ == "__main__":
    main()
