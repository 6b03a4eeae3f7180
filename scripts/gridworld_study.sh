#!/usr/bin/env bash
# Issue 12's GridWorld study (docs/gridworld.md, "The study"):
#  1. two_walls, FPO and Gaussian PPO, our defaults and --preset gridworld-paper,
#     seeds 0-2, 1M env steps with a checkpoint every 37 iterations (75,776
#     steps); at each checkpoint 100 episodes from the centre (top / bottom)
#     and 200 from random starts -> split.csv;
#  2. the other four layouts, the same algos, settings and seeds, 150k steps;
#     200 episodes from random starts and 100 from the layout's saddle cell
#     (outcomes, and the side each went round, tools/gridworld_routes.py)
#     -> layouts.csv.
#   scripts/gridworld_study.sh OUT_DIR
# Two trainings at a time, one env thread each. Needs build/fpo.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FPO="$ROOT/build/fpo"
OUT="$1"
declare -A SADDLE=([three_goals]=12,9 [tree_in_the_middle]=10,12 [two_slits]=10,12 [cshape]=20,12)
declare -A SETTING=([def]="" [paper]="--preset gridworld-paper")
mkdir -p "$OUT"
cd "$OUT"

train() {  # NAME ARGS...; skips runs already finished
  local name=$1; shift
  [[ -f "$name.done" ]] && return 0
  "$FPO" train --out "$name" --force --quiet --set env.threads=1 "$@" >"$name.log" 2>&1
  touch "$name.done"
}
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

jobs_list=()
for S in 0 1 2; do for A in fpo ppo; do for K in def paper; do
  jobs_list+=("tw1m_${A}_${K}_s$S --env gridworld:two_walls --algo $A ${SETTING[$K]} --steps 1000000 --seed $S --set checkpoint_every=37")
done; done; done
for L in "${!SADDLE[@]}"; do for S in 0 1 2; do for A in fpo ppo; do for K in def paper; do
  jobs_list+=("${L}_${A}_${K}_s$S --env gridworld:$L --algo $A ${SETTING[$K]} --steps 150000 --seed $S")
done; done; done; done
for job in "${jobs_list[@]}"; do
  while (($(jobs -rp | wc -l) >= 2)); do wait -n; done
  train $job &
done
wait

echo "run,steps,top,bottom,random_success" >split.csv
for R in tw1m_*_s[012]; do
  [[ -d "$R" ]] || continue
  for C in "$R"/checkpoints/step_*.pt "$R/checkpoint.pt"; do
    centre=$("$FPO" eval --run "$R" --checkpoint "$C" --start 12,12 --episodes 100 --threads 1 --json |
      json 'd["env_steps_trained"], d["goal_counts"]["top"], d["goal_counts"]["bottom"], sep=","')
    random=$("$FPO" eval --run "$R" --checkpoint "$C" --episodes 200 --threads 1 --json | json 'd["success_rate"]')
    echo "$R,$centre,$random" >>split.csv
  done
done

echo "run,random_success,saddle,saddle_outcomes,routes" >layouts.csv
for L in "${!SADDLE[@]}"; do for R in "${L}"_*_s[012]; do
  random=$("$FPO" eval --run "$R" --episodes 200 --threads 1 --json | json 'd["success_rate"]')
  saddle=$("$FPO" eval --run "$R" --start "${SADDLE[$L]}" --episodes 100 --threads 1 --json \
    --trajectories "traj_$R.csv" | json '" ".join(f"{k}={v}" for k, v in d["goal_counts"].items() if v)')
  routes=$(/usr/bin/python3 "$ROOT/tools/gridworld_routes.py" "traj_$R.csv")
  echo "$R,$random,\"${SADDLE[$L]}\",$saddle,$routes" >>layouts.csv
done; done
/usr/bin/python3 "$ROOT/tools/plot_gridworld_split.py" --csv split.csv --out split.png >split.md
echo "split.csv, split.md, split.png and layouts.csv in $OUT"
