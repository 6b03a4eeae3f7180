#!/usr/bin/env bash
# `fpo suite`, the experiment-grid runner, driven through the real binary with
# a tiny budget on CPU:
#   FPO_BIN=build/fpo bash tests/cli/suite_test.sh
# One line per check, then "N passed, M failed"; exits non-zero if any failed.
set -u

source "$(dirname "$0")/common.sh" suite_test

D="$T/suite"
TASKS=(gridworld:two_walls bandit:two_peaks)
ALGOS=(fpo ppo)
SEEDS=(0 1)
# Two iterations of 2048 env steps per run (one per evaluation chunk), small updates.
SUITE=(suite --tasks gridworld:two_walls,bandit:two_peaks --algos fpo,ppo --seeds 0,1 --steps 4096
       --num-evals 2 --eval-episodes 8 --parallel 2 --set train.epochs=2 --set train.minibatches=4
       --set env.num_envs=32 --set train.unroll=64 --set value.hidden=32,32 --out "$D")
RUNS=()
for t in "${TASKS[@]}"; do for a in "${ALGOS[@]}"; do for s in "${SEEDS[@]}"; do
  RUNS+=("${t}__${a}__seed${s}")
done; done; done

# --- bad inputs: rejected up front, nothing launched ------------------------------
B="$T/bad"
expect_error bad_task "nope_task" suite --tasks gridworld:two_walls,nope_task --algos fpo --steps 4096 --out "$B"
check "an unknown task creates no suite directory" test ! -e "$B"
expect_error bad_steps "--steps '0'" suite --tasks gridworld:two_walls --algos fpo --steps 0 --out "$B"
expect_error bad_steps_text "lots" suite --tasks gridworld:two_walls --algos fpo --steps lots --out "$B"
expect_error bad_algo "sac" suite --tasks gridworld:two_walls --algos fpo,sac --steps 4096 --out "$B"
expect_error bad_ablation "n_mc_3" suite --tasks gridworld:two_walls --ablations n_mc_3 --steps 4096 --out "$B"
expect_error bad_num_evals "--num-evals 0" suite --tasks gridworld:two_walls --algos fpo --steps 4096 --num-evals 0 --out "$B"
expect_error bad_set "train.nope" suite --tasks gridworld:two_walls --algos fpo --steps 4096 --set train.nope=1 --out "$B"
expect_error bad_seed "x1" suite --tasks gridworld:two_walls --algos fpo --seeds 0,x1 --steps 4096 --out "$B"
expect_error bad_preset "fast" suite --tasks gridworld:two_walls --algos fpo --steps 4096 --preset fast --out "$B"
check "bad inputs launch nothing" test ! -e "$B"

run help suite --help
check "fpo suite --help lists its flags" bash -c \
  'for o in --tasks --algos --seeds --steps --preset --out --num-evals --eval-episodes --parallel --ablations --set --device; do
     grep -qF -- "$o" "$0" || { echo "  missing $o" >&2; exit 1; }; done' "$T/help.out"

# --- the tiny grid ------------------------------------------------------------------
start=$(date +%s)
run suite1 "${SUITE[@]}"
check "the suite exits 0 (in $(($(date +%s) - start)) s)" test $rc -eq 0
[[ $rc -eq 0 ]] || show suite1 40
check "the suite says which sampling evaluates" grep -q "stochastic sampling" "$T/suite1.out"
all_evals_two() {
  local r
  for r in "${RUNS[@]}"; do
    [[ -f "$D/runs/$r/evals.csv" ]] || { echo "  no $r/evals.csv" >&2; return 1; }
    "$PY" - "$D/runs/$r/evals.csv" <<'EOF' || { echo "  bad $r/evals.csv" >&2; return 1; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0]) == ["env_steps", "return_mean", "return_std", "wall_time"], list(rows[0])
assert [int(r["env_steps"]) for r in rows] == [2048, 4096], [r["env_steps"] for r in rows]
assert all(float(r["return_std"]) >= 0 and float(r["wall_time"]) > 0 for r in rows)
EOF
  done
}
check "every run's evals.csv has 2 rows at 2048 and 4096 steps" all_evals_two
check "every run is a run directory with a checkpoint and a train.log" bash -c \
  'for r in "${@:2}"; do for f in config.toml checkpoint.pt metrics.csv train.log; do
     [[ -s "$1/runs/$r/$f" ]] || { echo "  missing $r/$f" >&2; exit 1; }; done; done' _ "$D" "${RUNS[@]}"
check "runs were trained with the suite's settings (seed, --set, env.threads)" bash -c \
  'grep -Eq "^seed = 1$" "$0" && grep -Eq "^epochs = 2$" "$0" && grep -Eq "^threads = [0-9]+$" "$0" &&
   ! grep -Eq "^threads = 0$" "$0"' "$D/runs/bandit:two_peaks__ppo__seed1/config.toml"
check "results.csv has a row per run" "$PY" - "$D/results.csv" "${RUNS[@]}" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0]) == ["task", "algo", "seed", "env_steps", "return_mean", "return_std", "wall_clock_s"], list(rows[0])
got = sorted(f'{r["task"]}__{r["algo"]}__seed{r["seed"]}' for r in rows)
assert got == sorted(sys.argv[2:]), got
assert all(int(r["env_steps"]) == 4096 for r in rows)
EOF
check "results.md has the table: a row per task, a column per algo, an average row, wall-clock table" "$PY" - "$D/results.md" <<'EOF'
import sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
header = [l for l in lines if l.startswith("| task |")]
assert len(header) == 2, header
assert [c.strip() for c in header[0].strip("|").split("|")] == ["task", "fpo", "ppo"], header[0]
for task in ["gridworld:two_walls", "bandit:two_peaks"]:
    row = [l for l in lines if l.startswith(f"| {task} |")]
    assert len(row) == 2 and row[0].count("±") == 2, row
assert sum(l.startswith("| **average over tasks** |") for l in lines) == 2, text
assert "Wall-clock" in text
assert "paper:" not in text, "the paper's DM Control numbers belong to grids of DM Control tasks only"
EOF
if "$PY" -c "import matplotlib" 2>/dev/null; then
  check "curves.png exists and the suite says where" bash -c \
    '[[ -s "$0/curves.png" ]] && grep -qF "$0/curves.png" "$1"' "$D" "$T/suite1.out"
else
  echo "skip - curves.png ($PY has no matplotlib)"
fi

# --- re-running: nothing is retrained -------------------------------------------------
R0="$D/runs/gridworld:two_walls__fpo__seed0"
before=$(stat -c %Y.%y "$R0/checkpoint.pt")
run suite2 "${SUITE[@]}"
check "re-running the finished suite exits 0" test $rc -eq 0
check "re-running reports every run finished" grep -q "8 finished, 0 to continue, 0 to start" "$T/suite2.out"
check "re-running does not retrain (checkpoint unchanged)" test "$(stat -c %Y.%y "$R0/checkpoint.pt")" = "$before"
check "re-running launches no run" bash -c '! grep -q "^start " "$0"' "$T/suite2.out"

# --- an interrupted evaluation series resumes ------------------------------------------
R1="$D/runs/bandit:two_peaks__fpo__seed1"
sed -i '$d' "$R1/evals.csv"
run suite3 "${SUITE[@]}"
check "a run missing its last evaluation is continued (exit 0)" test $rc -eq 0
[[ $rc -eq 0 ]] || show suite3
check "only that run is continued" bash -c \
  '[[ $(grep -c "^start " "$0") -eq 1 ]] && grep -q "^start  bandit:two_peaks__fpo__seed1 (continuing at chunk 2/2)" "$0"' \
  "$T/suite3.out"
check "its trained chunk was evaluated, neither retrained nor restarted" \
  grep -qF "chunk 2/2: already trained (checkpoint at or past step" "$R1/train.log"
check "its evals.csv has 2 rows again" all_evals_two

# --- a run left without a checkpoint starts over ------------------------------------------
R2="$D/runs/gridworld:two_walls__ppo__seed1"
rm "$R2/checkpoint.pt"
run suite4 "${SUITE[@]}"
check "a run without a checkpoint is restarted (exit 0)" test $rc -eq 0
check "its train.log records the restart and keeps the old log" bash -c \
  'grep -q "starting .* over (no checkpoint.pt)" "$0" && [[ $(grep -c "chunk 1/2" "$0") -eq 2 ]]' "$R2/train.log"
check "every evals.csv still has 2 rows" all_evals_two

# --- changing the grid's settings for the same DIR is refused ------------------------------
expect_error changed_steps "--steps" suite --tasks gridworld:two_walls --algos fpo --seeds 0 --steps 8192 \
  --num-evals 2 --eval-episodes 8 --set train.epochs=2 --set train.minibatches=4 --set env.num_envs=32 \
  --set train.unroll=64 --set value.hidden=32,32 --out "$D"

# --- a failing child: reported with its log, the others go on, exit non-zero ----------------
F="$T/failing"
# A run directory whose checkpoint and config are garbage: its `fpo train --resume` fails.
BROKEN="$F/runs/gridworld:two_walls__ppo__seed1"
mkdir -p "$BROKEN" && echo "not toml [" >"$BROKEN/config.toml" && echo "not a checkpoint" >"$BROKEN/checkpoint.pt"
run suite_fail suite --tasks gridworld:two_walls --algos ppo --seeds 0,1 --steps 2048 --num-evals 1 \
  --eval-episodes 4 --set train.epochs=1 --out "$F"
check "a failing run makes the suite exit non-zero (got $rc)" test $rc -ne 0 -a $rc -lt 128
check "the failure names the run and its log" bash -c \
  'grep -q "FAILED gridworld:two_walls__ppo__seed1" "$0" && grep -qF "gridworld:two_walls__ppo__seed1/train.log" "$0"' \
  "$T/suite_fail.out"
check "the other run still finished and is in results.csv" bash -c \
  '[[ -s "$0/runs/gridworld:two_walls__ppo__seed0/evals.csv" ]] && grep -q "^gridworld:two_walls,ppo,0," "$0/results.csv"' "$F"

summary
