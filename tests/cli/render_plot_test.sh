#!/usr/bin/env bash
# `fpo render` and `fpo plot` through the real binary, on tiny runs:
#   FPO_BIN=build/fpo bash tests/cli/render_plot_test.sh
# What the files hold is checked by reading them back (PIL for PNGs, the frame
# count printed by render against the episode's length); the pixel-level
# checks of the renderer and the video writer are in tests/render/.
set -u
source "$(dirname "$0")/common.sh" render_plot_test

CP="$T/cartpole"
GW="$T/grid"
Q=(--quiet --set env.threads=1)
run train_cp train --env cartpole_balance --algo fpo --steps 2048 --set env.num_envs=16 --set train.unroll=64 \
  --out "$CP" "${Q[@]}"
check "tiny cartpole run trains" test $rc -eq 0
run train_gw train --env gridworld:two_walls --algo ppo --steps 4096 --out "$GW" "${Q[@]}"
check "tiny gridworld run trains" test $rc -eq 0

# png_size FILE: "WIDTHxHEIGHT" of a PNG, read by PIL.
png_size() { "$PY" -c 'import sys; from PIL import Image; w, h = Image.open(sys.argv[1]).size; print(f"{w}x{h}")' "$1"; }
# png_spread FILE: the standard deviation of the grey levels (0: a blank image).
png_spread() { "$PY" -c 'import sys; from PIL import Image, ImageStat; print(int(ImageStat.Stat(Image.open(sys.argv[1]).convert("L")).stddev[0]))' "$1"; }

# --- MuJoCo: a video and a still --------------------------------------------------
run render_cp render --run "$CP" --out "$T/cp.mp4" --still "$T/cp.png" --resolution 160x120 --deterministic
check "render cartpole exits 0" test $rc -eq 0 || show render_cp
check "the video exists and is not empty" test -s "$T/cp.mp4"
# 1000 steps every 3rd step (30 fps at 0.01 s per step) plus step 0: 334 frames.
check "render reports 334 frames of 160x120 for a 1000-step episode" grep -q "cp.mp4: 334 frames, 160x120" "$T/render_cp.out"
check "render prints the episode's return" grep -Eq "^episode 0: return [0-9.]+, 1000 steps" "$T/render_cp.out"
check "the still is a 160x120 PNG" test "$(png_size "$T/cp.png")" == 160x120
check "the still is not blank (grey-level spread > 10)" test "$(png_spread "$T/cp.png")" -gt 10
check "no temporary files are left" bash -c '! ls "$0"/*.tmp >/dev/null 2>&1' "$T"
run render_free render --run "$CP" --out "$T/free.png" --camera free --resolution 64x48
check "--camera free and a .png --out write one still" test $rc -eq 0 -a "$(png_size "$T/free.png")" == 64x48

# --- GridWorld: paths on the map ------------------------------------------------------
run render_gw render --run "$GW" --out "$T/gw.png" --episodes 4 --resolution 250x250
check "render gridworld to a PNG exits 0" test $rc -eq 0 || show render_gw
check "gridworld still is 250x250 (10 px cells)" test "$(png_size "$T/gw.png")" == 250x250
check "gridworld render prints 4 episodes with outcomes" test "$(grep -c '^episode .*outcome' "$T/render_gw.out")" -eq 4
run render_gw_mp4 render --run "$GW" --out "$T/gw.mp4" --episodes 2 --start 12,12
check "render gridworld to a video from the centre exits 0" test $rc -eq 0 -a -s "$T/gw.mp4"

# --- bad input: named, non-zero, nothing written ----------------------------------------
expect_error render_bad_camera "allowed: free" render --run "$CP" --out "$T/bad1.mp4" --camera nope
expect_error render_bad_ext ".gif" render --run "$CP" --out "$T/bad2.gif"
expect_error render_bad_res "16 to 4096" render --run "$CP" --out "$T/bad3.mp4" --resolution 10x10
expect_error render_odd_res "even width" render --run "$CP" --out "$T/bad4.mp4" --resolution 161x120
expect_error render_onto_run "destroy the run" render --run "$CP" --out "$CP/checkpoint.pt"
expect_error render_still_ext ".png" render --run "$CP" --out "$T/bad5.mp4" --still "$T/still.jpg"
expect_error render_grid_camera "--camera applies to MuJoCo" render --run "$GW" --out "$T/bad6.png" --camera side
expect_error render_no_run "no_such_run" render --run "$T/no_such_run" --out "$T/bad7.mp4"
check "failed renders wrote no output" bash -c '! ls "$0"/bad*.* "$0"/still.jpg >/dev/null 2>&1' "$T"
check "the run is untouched by a refused render" test -s "$CP/checkpoint.pt"

# --- fpo plot ---------------------------------------------------------------------------
run plot_two plot --run "$CP" --run "$GW" --label fpo --label ppo --out "$T/cmp.png" --title "two runs"
check "plot of two runs exits 0" test $rc -eq 0 || show plot_two
check "the comparison PNG is a non-blank image" test "$(png_spread "$T/cmp.png")" -gt 10
run plot_default plot --run "$GW"
check "plot defaults to RUN/plot.png" test $rc -eq 0 -a -s "$GW/plot.png"
expect_error plot_labels "--label given 1 times for 2 runs" plot --run "$CP" --run "$GW" --label a --out "$T/x.png"
expect_error plot_missing "has no metrics.csv" plot --run "$T/no_such_run" --out "$T/x.png"
expect_error plot_ext "must be a .png" plot --run "$CP" --out "$T/x.jpg"

# --- tools/plot_gridworld.py: one row per policy -------------------------------------------
TOOLS="$(cd "$(dirname "$0")/../../tools" && pwd)"
"$FPO" envs --map gridworld:two_walls >"$T/map.txt"
"$FPO" sample --run "$GW" --obs 0,0 --n 200 --out "$T/actions.csv"
"$FPO" eval --run "$GW" --start 12,12 --episodes 4 --trajectories "$T/traj.csv" >/dev/null
check "plot_gridworld.py draws two policies as two rows" bash -c '"$0" "$1/plot_gridworld.py" --map "$2/map.txt" \
  --actions "$2/actions.csv" --trajectories "$2/traj.csv" --actions "$2/actions.csv" --trajectories "$2/traj.csv" \
  --labels A,B --start 12,12 --out "$2/gw_rows.png" >/dev/null' "$PY" "$TOOLS" "$T"
check "the two-row figure is 1430x1364 (13 x 12.4 in at 110 dpi)" test "$(png_size "$T/gw_rows.png")" == 1430x1364
check "plot_gridworld.py refuses labels that do not match the policies" \
  bash -c '! "$0" "$1/plot_gridworld.py" --map "$2/map.txt" --actions "$2/actions.csv" --labels A,B --out "$2/x.png" 2>/dev/null' \
  "$PY" "$TOOLS" "$T"

# --- tools/plot_gridworld_split.py: minority share from the centre vs steps --------------
printf 'run,steps,top,bottom,random_success\nx_fpo_def_s0,1000,70,30,1\nx_fpo_def_s0,2000,90,10,1\nx_fpo_def_s1,1000,50,50,1\nx_fpo_def_s1,2000,0,100,1\n' \
  >"$T/split.csv"
check "plot_gridworld_split.py prints the minority shares per seed and their mean" bash -c \
  '"$0" "$1/plot_gridworld_split.py" --csv "$2/split.csv" --out "$2/split.png" >"$2/split.md" && grep -qF "| 1,000 | 30 | 50 | 40.0 |" "$2/split.md"' \
  "$PY" "$TOOLS" "$T"
check "the split plot is a non-blank PNG" test "$(png_spread "$T/split.png")" -gt 10
printf 'run,steps,top,bottom\nbadname,1000,1,2\n' >"$T/split_bad.csv"
check "plot_gridworld_split.py refuses a run name without _<algo>_<setting>_s<seed>" \
  bash -c '! "$0" "$1/plot_gridworld_split.py" --csv "$2/split_bad.csv" --out "$2/y.png" 2>/dev/null' "$PY" "$TOOLS" "$T"
"$PY" "$TOOLS/gridworld_routes.py" "$T/traj.csv" >"$T/routes.txt" || true
check "gridworld_routes.py counts the 4 episodes from the centre by side" \
  test "$(grep -o '[0-9][0-9]*' "$T/routes.txt" | awk '{ s += $1 } END { print s + 0 }')" -eq 4

summary
