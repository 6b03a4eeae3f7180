#!/usr/bin/env bash
# The command-line contract, driven through the real binary:
#   FPO_BIN=build/fpo bash tests/cli/cli_tests.sh
# One line per check, then "N passed, M failed"; exits non-zero if any failed.
# Independent commands run a few at a time (each fpo process pays ~1 s to
# load LibTorch); checks are judged afterwards, in a fixed order.
set -u

if [[ -z "${FPO_BIN:-}" || ! -x "${FPO_BIN}" ]]; then
  echo "FPO_BIN must name the fpo binary (got '${FPO_BIN:-}')" >&2
  exit 2
fi
FPO="$(cd "$(dirname "$FPO_BIN")" && pwd)/$(basename "$FPO_BIN")"
PY=/usr/bin/python3
T="$(mktemp -d "${TMPDIR:-/tmp}/fpo_cli_tests.XXXXXX")"
trap 'wait; rm -rf "$T"' EXIT
JOBS="${FPO_CLI_TEST_JOBS:-3}"

source "$(dirname "$0")/checks.sh"

# spawn NAME ARGS...: runs `fpo ARGS...` in the background (at most $JOBS at
# once), keeping $T/NAME.{out,err,rc}. collect waits for all of them.
spawn() {
  local name="$1"; shift
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n; done
  printf '%s ' "$@" >"$T/$name.args"
  ("$FPO" "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc") &
}
collect() { wait; }
rc_of() { cat "$T/$1.rc" 2>/dev/null || echo 255; }
# run NAME ARGS...: runs fpo in the foreground; sets rc.
rc=0
run() {
  spawn "$@"
  collect
  rc="$(rc_of "$1")"
}
show_err() { sed 's/^/  | /' "$T/$1.err" | head -20; }

# expect_ok NAME DESCRIPTION: the spawned command exited 0.
expect_ok() {
  local name="$1" what="$2" code
  code="$(rc_of "$name")"
  if [[ "$code" -eq 0 ]]; then pass "$what"; else fail "$what (exit $code)"; show_err "$name"; fi
}
# expect_error NAME NEEDLE: the spawned command exited non-zero without
# crashing, and its stderr (or stdout) contains NEEDLE (the bad value).
expect_error() {
  local name="$1" needle="$2" code args
  code="$(rc_of "$name")"
  args="$(cat "$T/$name.args")"
  if [[ "$code" -eq 0 ]]; then
    fail "$name: exit 0 for bad input ($args)"
  elif [[ "$code" -ge 128 ]]; then
    fail "$name: crashed with exit $code ($args): $(head -c 300 "$T/$name.err")"
  elif ! grep -qF -- "$needle" "$T/$name.err" "$T/$name.out"; then
    fail "$name: message does not name '$needle': $(head -c 300 "$T/$name.err")"
  else
    pass "$name (exit $code, names '$needle')"
  fi
}

GRID=(--env gridworld:two_walls --quiet)
TINY=("${GRID[@]}" --steps 4096)  # two iterations of 64 envs x 32 steps
R="$T/run1"

# =============================================================================
# Phase 1: everything that needs no earlier run.
# =============================================================================
spawn train1 train "${TINY[@]}" --out "$R"
spawn train16 train "${GRID[@]}" --steps 512 --out "$T/run16" --set env.num_envs=16
printf '[train]\nlr = 0.002\nepochs = 2\n[flow]\nn_mc = 4\n' >"$T/good.toml"
spawn train_cfg train "${GRID[@]}" --steps 2048 --config "$T/good.toml" --set train.epochs=3 --out "$T/run_cfg"
spawn help --help
spawn train_help train --help
spawn eval_help eval --help
spawn no_sub
spawn envs envs
spawn bench_train bench train --env gridworld:two_walls --algo fpo --iterations 2 --warmup 0 --repeats 2 --json \
  --set env.num_envs=16 --set train.unroll=16 --set train.epochs=2 --set train.minibatches=4 --set env.threads=1
spawn bench_train_zero bench train --iterations 0
spawn map envs --map gridworld:two_walls
GRID_LAYOUTS=(two_walls three_goals tree_in_the_middle two_slits cshape two_walls_gaps)
for layout in "${GRID_LAYOUTS[@]}"; do spawn "map_$layout" envs --map "gridworld:$layout"; done
spawn envs_unknown_map envs --map gridworld:nope
spawn bad_env train --env nope --steps 4096 --quiet --out "$T/bad_env"
spawn bad_algo train --algo foo "${TINY[@]}" --out "$T/bad_algo"
spawn bad_key train "${TINY[@]}" --set foo.bar=1 --out "$T/bad_key"
spawn bad_lr train "${TINY[@]}" --set train.lr=0 --out "$T/bad_lr"
spawn bad_lr_text train "${TINY[@]}" --set train.lr=abc --out "$T/bad_lr_text"
spawn bad_clip train "${TINY[@]}" --set train.clip=0 --out "$T/bad_clip"
spawn bad_steps train "${GRID[@]}" --steps 0 --out "$T/bad_steps"
spawn bad_n_mc train "${TINY[@]}" --set flow.n_mc=0 --out "$T/bad_n_mc"
spawn bad_preset train "${TINY[@]}" --preset turbo --out "$T/bad_preset"
spawn missing_config train "${TINY[@]}" --config "$T/no_such.toml" --out "$T/bad_cfg1"
printf '\x01\x02 not [ toml = = \n[[[\n' >"$T/garbage.toml"
spawn corrupt_config train "${TINY[@]}" --config "$T/garbage.toml" --out "$T/bad_cfg2"
printf '[train]\nlr = -1\n' >"$T/bad_value.toml"
spawn config_bad_value train "${TINY[@]}" --config "$T/bad_value.toml" --out "$T/bad_cfg3"
spawn train_bad_start train "${TINY[@]}" --set env.start=99,99 --out "$T/bad_start"
spawn eval_missing_dir eval --run "$T/no_such_run" --episodes 2
spawn resume_missing train --resume --steps 8192 --quiet --out "$T/nothing_here"
spawn paper_config train --env cartpole_balance --preset paper --print-config
spawn default_fpo_config train --env cartpole_balance --algo fpo --print-config
spawn gridworld_paper_config train --env gridworld:two_walls --algo fpo --preset gridworld-paper --print-config
spawn gridworld_paper_mujoco train --env cartpole_balance --preset gridworld-paper --print-config
spawn bad_guard train "${TINY[@]}" --set train.log_ratio_guard=0 --out "$T/bad_guard"
spawn bad_schedule train "${TINY[@]}" --set train.lr_schedule=cosine --out "$T/bad_schedule"
spawn bad_sequence train "${TINY[@]}" --set train.advantages_per_minibatch=true --set train.sequence_length=5 \
  --out "$T/bad_sequence"
spawn bad_squash train "${TINY[@]}" --set train.action_squash=sigmoid --out "$T/bad_squash"
# Issue 13: inputs that used to slip through.
spawn config_dir train "${TINY[@]}" --config "$T" --out "$T/cfg_dir"
spawn config_devnull train "${TINY[@]}" --config /dev/null --out "$T/cfg_null"
spawn seed_overflow train "${TINY[@]}" --seed 99999999999999999999 --out "$T/seed_big"
spawn huge_envs train "${TINY[@]}" --set env.num_envs=100000000 --out "$T/huge_envs"
spawn huge_batch train "${TINY[@]}" --set env.num_envs=60000 --set train.unroll=1000 --out "$T/huge_batch"
mkdir -p "$T/userdir/data"; echo a,b >"$T/userdir/metrics.csv"; echo mine >"$T/userdir/thesis.txt"
spawn force_userdir train "${TINY[@]}" --out "$T/userdir" --force
collect

# --- the resolved configuration (--print-config) ------------------------------------
expect_ok paper_config "fpo train --preset paper --print-config exits 0"
# The FPO authors' DM Control configuration (docs/stability.md, src/fpo/io/presets.cpp).
check "--preset paper resolves to the authors' configuration" bash -c \
  'for kv in "num_envs = 2048" "unroll = 480" "sequence_length = 30" "advantages_per_minibatch = true" \
             "minibatches = 32" "epochs = 16" "value_lr = 0.0" "max_grad_norm = 0.0" "lr_schedule = '"'"'constant'"'"'" \
             "t_sampling = '"'"'grid'"'"'" "action_squash = '"'"'tanh'"'"'" "action_bound = 0.0" "gamma = 0.995"; do
     grep -qF -- "$kv" "$0" || { echo "  missing: $kv" >&2; exit 1; }; done' "$T/paper_config.out"
check "--print-config writes no run directory" test ! -e "$T/paper_config"
expect_ok gridworld_paper_config "fpo train --preset gridworld-paper --print-config exits 0"
check "--preset gridworld-paper resolves the authors' GridWorld settings" bash -c \
  'for kv in "num_envs = 16" "unroll = 128" "epochs = 10" "minibatches = 6" "clip = 0.2" "gae_lambda = 0.97999" \
             "n_mc = 50" "loss = '"'"'u'"'"'" "hidden = '"'"'64,64'"'"'" "reward_scale = 1.0" "max_grad_norm = 0.5"; do
     grep -qF -- "$kv" "$0" || { echo "  missing: $kv" >&2; exit 1; }; done' "$T/gridworld_paper_config.out"
expect_error gridworld_paper_mujoco "cartpole_balance"
check "plain FPO on MuJoCo defaults to the adaptive lr and minibatches of 1024" bash -c \
  'grep -qF "lr_schedule = '"'"'adaptive'"'"'" "$0" && grep -qF "num_envs = 64" "$0" && grep -qF "unroll = 128" "$0" &&
   grep -qF "action_bound = 0.0" "$0"' "$T/default_fpo_config.out"
expect_error bad_guard "train.log_ratio_guard"
expect_error bad_schedule "cosine"
expect_error bad_sequence "train.sequence_length"
expect_error bad_squash "sigmoid"
expect_error config_dir "not a regular file"
expect_error config_devnull "/dev/null"
expect_error seed_overflow "99999999999999999999"
expect_error huge_envs "65536"
expect_error huge_batch "16777216"
expect_error force_userdir "not a run directory"
check "--force on a directory that is not a run leaves everything in it" \
  test -f "$T/userdir/thesis.txt" -a -d "$T/userdir/data" -a -f "$T/userdir/metrics.csv"

# --- help ----------------------------------------------------------------------
expect_ok help "fpo --help exits 0"
check "fpo --help lists the subcommands" \
  bash -c 'for s in train eval sample envs; do grep -qw "$s" "$0" || exit 1; done' "$T/help.out"
expect_ok train_help "fpo train --help exits 0"
check "fpo train --help lists its flags" bash -c \
  'for o in --env --algo --config --preset --set --steps --seed --device --out --resume --force --quiet; do
     grep -qF -- "$o" "$0" || { echo "  missing $o" >&2; exit 1; }; done' "$T/train_help.out"
check "fpo train --help lists config keys with their defaults" bash -c \
  'grep -Eq "^ +train\.lr +0\.0003 " "$0" && grep -Eq "^ +flow\.n_mc +8 " "$0" &&
   grep -Eq "^ +train\.clip +0\.05 " "$0" && grep -Eq "^ +flow\.loss +eps " "$0"' "$T/train_help.out"
check "fpo train --help describes the presets" grep -q "paper" "$T/train_help.out"
expect_ok eval_help "fpo eval --help exits 0"
check "fpo eval --help lists --run, --episodes, --json" bash -c \
  'grep -qF -- --run "$0" && grep -qF -- --episodes "$0" && grep -qF -- --json "$0"' "$T/eval_help.out"
check "fpo without a subcommand exits non-zero" test "$(rc_of no_sub)" -ne 0

# --- envs ------------------------------------------------------------------------
expect_ok envs "fpo envs exits 0"
expect_ok bench_train "fpo bench train exits 0"
check "bench train: 8 Adam steps of 64 samples x 8 CFM pairs, and physics + acting + update within the total" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
u = d["update"]
assert u["adam_steps_per_iteration"] == 8, u
assert u["samples_per_adam_step"] == 64 and u["policy_rows_per_adam_step"] == 512, u
per = d["us_per_env_step"]
parts = per["physics"] + per["acting"] + per["update"]
assert all(per[k] > 0 for k in per), per
assert parts <= per["total"] * 1.001 and parts > 0.5 * per["total"], per
assert all(v >= 0 for v in u["us_per_adam_step"].values()) and u["us_per_policy_row"] > 0, u
assert d["acting_us_per_env_step"]["sampler"] > 0, d
' "$T/bench_train.out"
expect_error bench_train_zero "--iterations"
check "fpo envs lists gridworld:two_walls" grep -qw "gridworld:two_walls" "$T/envs.out"
check "fpo envs lists cartpole_balance" grep -qw "cartpole_balance" "$T/envs.out"
check "fpo envs --map prints 25 lines" test "$(rc_of map)" -eq 0 -a "$(wc -l <"$T/map.out")" -eq 25
check "fpo envs --map lines are 25 cells of #GX." bash -c \
  '[[ $(grep -cE "^[#GX.]{25}$" "$0") -eq 25 ]]' "$T/map.out"
expect_error envs_unknown_map "nope"
# One row per layout, top row (y = 24) first, that only that layout has (the
# cell-by-cell check of every map is tests/env/gridworld_test.cpp).
declare -A MAP_ROW=(
  [two_walls]="1:GGGGGGGGGGGGGGGGGGGGGGGGG 2:GGGGGGGGGGGGGGGGGGGGGGGGG 3:........................."
  [three_goals]="7:...........GGG........... 13:...........XXX........... 17:......GGG.......GGG......"
  [tree_in_the_middle]="11:.............XXXXX.....GG 15:.............XXXXX.....GG 16:........................."
  [two_slits]="1:...............#........G 5:........................G 18:........................G 22:...............#........G"
  [cshape]="8:.......###########....... 9:.................#....... 13:..........GGGGG..#....... 18:.......###########......."
  [two_walls_gaps]="1:GGGGGGGGGGGGGGGGGGGGGGGGG 9:##########.....##########"
)
for layout in "${GRID_LAYOUTS[@]}"; do
  check "fpo envs --map gridworld:$layout prints 25 rows of 25 cells" bash -c \
    '[[ $(cat "$1.rc") -eq 0 && $(grep -cE "^[#GX.]{25}$" "$1.out") -eq 25 && $(wc -l <"$1.out") -eq 25 ]]' \
    _ "$T/map_$layout"
  check "fpo envs --map gridworld:$layout has its rows (${MAP_ROW[$layout]%% *} ...)" bash -c \
    'for spec in $2; do [[ "$(sed -n "${spec%%:*}p" "$1")" == "${spec#*:}" ]] || { echo "row ${spec%%:*}: $(sed -n "${spec%%:*}p" "$1")"; exit 1; }; done' \
    _ "$T/map_$layout.out" "${MAP_ROW[$layout]}"
done

# --- bad input to train -------------------------------------------------------------
expect_error bad_env "nope"
check "a failed train leaves no run directory behind" test ! -e "$T/bad_env"
expect_error bad_algo "foo"
expect_error bad_key "foo.bar"
expect_error bad_lr "train.lr"
expect_error bad_lr_text "abc"
expect_error bad_clip "train.clip"
expect_error bad_steps "steps"
expect_error bad_n_mc "flow.n_mc"
expect_error bad_preset "turbo"
expect_error missing_config "$T/no_such.toml"
expect_error corrupt_config "$T/garbage.toml"
expect_error config_bad_value "train.lr"
expect_error train_bad_start "99,99"
expect_error eval_missing_dir "$T/no_such_run"
expect_error resume_missing "$T/nothing_here"

# --- the tiny training runs ------------------------------------------------------------
expect_ok train1 "tiny train run exits 0"
for f in config.toml metrics.csv checkpoint.pt; do
  check "train writes $f" test -s "$R/$f"
done
check "metrics.csv has the expected columns and 2 rows" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
need = ["env_steps", "steps_per_sec", "return_mean", "clip_fraction"]
assert rows and all(c in rows[0] for c in need), rows[:1]
assert [int(float(r["env_steps"])) for r in rows] == [2048, 4096], [r["env_steps"] for r in rows]
assert all(float(r["steps_per_sec"]) > 0 for r in rows)
' "$R/metrics.csv"
check "config.toml records the resolved values (e.g. gridworld lr 0.001, steps 4096)" bash -c \
  'grep -Eq "^lr = 0\.001$" "$0" && grep -Eq "^steps = 4096$" "$0"' "$R/config.toml"
# --set env.num_envs=16 must be recorded in config.toml (eval and --resume read it back).
expect_ok train16 "train with --set env.num_envs=16 exits 0"
check "config.toml records env.num_envs = 16" grep -Eq "^num_envs = 16$" "$T/run16/config.toml"
check "metrics.csv of a 16-env run advances 512 steps per iteration" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [int(float(r["env_steps"])) for r in rows] == [512], [r["env_steps"] for r in rows]
' "$T/run16/metrics.csv"
expect_ok train_cfg "train --config exits 0"
check "config file values and --set overrides reach config.toml" bash -c \
  'grep -Eq "^lr = 0\.002$" "$0" && grep -Eq "^n_mc = 4$" "$0" && grep -Eq "^epochs = 3$" "$0"' \
  "$T/run_cfg/config.toml"

# =============================================================================
# Phase 2: reading the finished run (eval, sample, damaged copies, refusals).
# =============================================================================
sums_before="$(cd "$R" && sha256sum metrics.csv checkpoint.pt config.toml)"
cp -r "$R" "$T/corrupt_run"
printf 'garbage, not a checkpoint' >"$T/corrupt_run/checkpoint.pt"
cp -r "$R" "$T/half_run"
head -c "$(($(stat -c %s "$R/checkpoint.pt") / 2))" "$R/checkpoint.pt" >"$T/half_run/checkpoint.pt"
spawn eval1 eval --run "$R" --episodes 8 --json
spawn eval2 eval --run "$R" --episodes 8 --json
spawn eval_det eval --run "$R" --episodes 4 --json --deterministic --start 12,12
cp "$R/checkpoint.pt" "$T/copy_of_checkpoint.pt"
spawn eval_checkpoint eval --run "$R" --episodes 8 --json --checkpoint "$T/copy_of_checkpoint.pt"
spawn eval_missing_checkpoint eval --run "$R" --episodes 2 --checkpoint "$T/no_such_step.pt"
spawn sample_missing_checkpoint sample --run "$R" --obs 0,0 --n 5 --checkpoint "$T/no_such_step.pt"
spawn sample1 sample --run "$R" --obs 0,0 --n 50
spawn sample2 sample --run "$R" --obs 0,0 --n 50
spawn sample_bad_obs_len sample --run "$R" --obs 0,0,0 --n 5
spawn eval_corrupt_checkpoint eval --run "$T/corrupt_run" --episodes 2
spawn eval_truncated_checkpoint eval --run "$T/half_run" --episodes 2
spawn eval_bad_start eval --run "$R" --episodes 2 --start 99,99
spawn eval_goal_start eval --run "$R" --episodes 2 --start 0,23  # the top goal band of two_walls
spawn no_overwrite train "${TINY[@]}" --set train.lr=0.01 --out "$R"
spawn resume_with_set train --resume --set train.lr=0.1 --quiet --out "$R"
spawn eval_zero eval --run "$R" --episodes 0
spawn eval_huge eval --run "$R" --episodes 100000000
spawn sample_zero sample --run "$R" --obs 0,0 --n 0
spawn flow_steps_zero eval --run "$R" --flow-steps 0
spawn sample_nan sample --run "$R" --obs nan,0
spawn noise_nan eval --run "$R" --episodes 2 --sampler-noise nan
spawn eval_seed_overflow eval --run "$R" --episodes 2 --seed 99999999999999999999
spawn sample_onto_checkpoint sample --run "$R" --obs 0,0 --n 5 --out "$R/checkpoint.pt"
spawn trajectories_onto_metrics eval --run "$R" --episodes 2 --trajectories "$R/metrics.csv"
touch "$T/plain_file"
spawn resume_file train --resume --quiet --out "$T/plain_file"
spawn resume_seed train --resume --seed 7 --quiet --out "$R"
spawn resume_fewer_steps train --resume --steps 2048 --quiet --out "$R"
collect

expect_ok eval1 "fpo eval --json exits 0"
check "fpo eval --json prints the expected JSON" "$PY" -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
for k in ["episodes", "return_mean", "return_std", "length_mean", "success_rate", "goal_counts"]:
    assert k in d, k
assert d["episodes"] == 8, d["episodes"]
assert set(["top", "bottom"]) <= set(d["goal_counts"]), d["goal_counts"]
assert sum(d["goal_counts"].values()) <= 8
assert 0 <= d["success_rate"] <= 1 and d["return_std"] >= 0 and 1 <= d["length_mean"] <= 100
assert 0 <= d["return_mean"] <= 20 + 1e-9  # +20 per goal, no death cells in two_walls
assert d["env_steps_trained"] == 4096, d["env_steps_trained"]
' "$T/eval1.out"
check "fpo eval is reproducible for a fixed seed" cmp -s "$T/eval1.out" "$T/eval2.out"
expect_ok eval_det "fpo eval --deterministic --start 12,12 exits 0"
expect_ok eval_checkpoint "fpo eval --checkpoint FILE exits 0"
check "eval --checkpoint (a copy of the latest) returns what eval of the run does, and names the file" "$PY" -c '
import json, sys
a, b = (json.loads(open(f).read()) for f in sys.argv[1:3])
assert b["checkpoint"].endswith("copy_of_checkpoint.pt"), b
assert (a["return_mean"], a["goal_counts"]) == (b["return_mean"], b["goal_counts"]), (a, b)
' "$T/eval1.out" "$T/eval_checkpoint.out"
expect_ok sample1 "fpo sample exits 0"
check "fpo sample prints a0,a1 and 50 rows of 2 numbers" "$PY" -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "a0,a1", lines[0]
assert len(lines) == 51, len(lines)
for l in lines[1:]:
    a, b = l.split(",")
    float(a); float(b)
' "$T/sample1.out"
check "fpo sample is reproducible for a fixed seed" cmp -s "$T/sample1.out" "$T/sample2.out"
expect_error sample_bad_obs_len "--obs"
expect_error eval_corrupt_checkpoint "$T/corrupt_run/checkpoint.pt"
expect_error eval_truncated_checkpoint "$T/half_run/checkpoint.pt"
expect_error eval_bad_start "99,99"
expect_error eval_missing_checkpoint "no_such_step.pt"
expect_error sample_missing_checkpoint "no_such_step.pt"
expect_error eval_goal_start "0,23"
expect_error no_overwrite "$R"
expect_error resume_with_set "--set"
expect_error eval_zero "not in range 1 to 10000"
expect_error eval_huge "100000000"
expect_error sample_zero "not in range 1"
expect_error flow_steps_zero "not in range 1"
expect_error sample_nan "nan"
expect_error noise_nan "nan"
expect_error eval_seed_overflow "99999999999999999999"
expect_error sample_onto_checkpoint "checkpoint.pt"
expect_error trajectories_onto_metrics "metrics.csv"
expect_error resume_file "is a file"
expect_error resume_seed "--seed 7"
expect_error resume_fewer_steps "already trained 4096"
sums_after="$(cd "$R" && sha256sum metrics.csv checkpoint.pt config.toml)"
check "refused runs leave metrics.csv, checkpoint.pt, config.toml byte-identical" \
  test "$(wc -l <<<"$sums_before")" -eq 3 -a "$sums_before" == "$sums_after"

# =============================================================================
# Phase 3: --force and --resume on the same directory, in order.
# =============================================================================
echo "my notes" >"$R/notes.txt"; mkdir -p "$R/plots"; echo mine >"$R/checkpoints/mine.txt"
run force train "${GRID[@]}" --steps 2048 --out "$R" --force
expect_ok force "train --force into a non-empty run dir exits 0"
check "--force deletes only fpo's files (the user's notes, plots/ and checkpoints/mine.txt stay)" \
  test -f "$R/notes.txt" -a -d "$R/plots" -a -f "$R/checkpoints/mine.txt"
check "--force removed the old periodic checkpoints" \
  bash -c '! ls "$0"/checkpoints/step_*.pt >/dev/null 2>&1' "$R"
check "train --force started a fresh metrics.csv" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [int(float(r["env_steps"])) for r in rows] == [2048], [r["env_steps"] for r in rows]
' "$R/metrics.csv"

cp "$R/metrics.csv" "$T/metrics_before_resume.csv"
run resume train --resume --steps 6144 --quiet --out "$R"
expect_ok resume "train --resume --steps 6144 exits 0"
check "resume keeps the earlier rows and continues env_steps (2048, 4096, 6144)" "$PY" -c '
import csv, sys
before = open(sys.argv[2]).read()
text = open(sys.argv[1]).read()
assert text.startswith(before), "earlier rows changed"
rows = list(csv.DictReader(open(sys.argv[1])))
steps = [int(float(r["env_steps"])) for r in rows]
assert steps == [2048, 4096, 6144], steps
its = [int(float(r["iteration"])) for r in rows]
assert its == [1, 2, 3], its
' "$R/metrics.csv" "$T/metrics_before_resume.csv"
check "config.toml of the resumed run records steps = 6144" grep -Eq "^steps = 6144$" "$R/config.toml"
run eval_resumed eval --run "$R" --episodes 2 --json
check "eval after resume reports 6144 trained steps" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["env_steps_trained"] == 6144, d["env_steps_trained"]
' "$T/eval_resumed.out"

# A hard kill leaves metrics rows after the last checkpoint (iteration 3 here)
# and possibly half a row; --resume must drop them, not repeat the iterations.
tail -n 1 "$R/metrics.csv" | sed 's/^3,6144,/4,8192,/' >>"$R/metrics.csv"
printf '5,10240,1.5' >>"$R/metrics.csv"
spawn resume_after_kill train --resume --steps 8192 --out "$R"
collect
expect_ok resume_after_kill "train --resume after rows past the checkpoint exits 0"
check "resume after a kill drops the 2 rows past the checkpoint and says so" \
  grep -q "dropped 2 metrics rows after iteration 3" "$T/resume_after_kill.err"
check "metrics.csv after it: iterations 1-4 once each, env_steps rising" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [int(float(r["iteration"])) for r in rows] == [1, 2, 3, 4], [r["iteration"] for r in rows]
assert [int(float(r["env_steps"])) for r in rows] == [2048, 4096, 6144, 8192], [r["env_steps"] for r in rows]
' "$R/metrics.csv"

summary
