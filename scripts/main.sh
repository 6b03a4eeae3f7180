#!/usr/bin/env bash
# The main job: install what is missing, build, train FPO on the default task
# (GridWorld two_walls), then evaluate it from random starts and from the
# centre cell, where the two goal rows are equally far.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target fpo
./build/fpo train --env gridworld:two_walls --algo fpo --steps 150000 --seed 0 --out runs/two_walls_fpo --force
./build/fpo eval --run runs/two_walls_fpo --episodes 100
./build/fpo eval --run runs/two_walls_fpo --episodes 100 --start 12,12
