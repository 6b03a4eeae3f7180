#!/usr/bin/env bash
# The GridWorld figure of docs/gridworld.md: for each of the paper's layouts,
# FPO and Gaussian PPO trained with one setting, then at a saddle cell 2000
# sampled actions and 50 episodes, drawn by tools/plot_gridworld.py (one row
# per policy), plus success from random starts (eval JSON).
#   scripts/gridworld_figure.sh OUT_DIR [STEPS=150000] [SEED=0] [PRESET=gridworld-paper]
# Two trainings at a time, one env thread each. Needs build/fpo.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FPO="$ROOT/build/fpo"
OUT="$1"; STEPS="${2:-150000}"; SEED="${3:-0}"; PRESET="${4:-gridworld-paper}"
LAYOUTS=(two_walls three_goals tree_in_the_middle two_slits cshape)
# A start with two or more equally short ways to a goal (docs/gridworld.md says why each).
declare -A SADDLE=([two_walls]=12,12 [three_goals]=12,9 [tree_in_the_middle]=10,12 [two_slits]=10,12 [cshape]=20,12)
mkdir -p "$OUT"
cd "$OUT"

train() {  # train LAYOUT ALGO
  [[ -f "$1_$2/checkpoint.pt" ]] && return 0
  "$FPO" train --env "gridworld:$1" --algo "$2" --preset "$PRESET" --steps "$STEPS" --seed "$SEED" \
    --out "$1_$2" --set env.threads=1 --quiet >"$1_$2.log" 2>&1
}
jobs_list=()
for L in "${LAYOUTS[@]}"; do for A in fpo ppo; do jobs_list+=("$L $A"); done; done
for job in "${jobs_list[@]}"; do
  while (($(jobs -rp | wc -l) >= 2)); do wait -n; done
  train $job &
done
wait

for L in "${LAYOUTS[@]}"; do
  S="${SADDLE[$L]}"; X="${S%,*}"; Y="${S#*,}"
  OBS="$(awk -v x="$X" -v y="$Y" 'BEGIN { printf "%.8f,%.8f", (x - 12) / 12, (y - 12) / 12 }')"
  "$FPO" envs --map "gridworld:$L" >"map_$L.txt"
  for A in fpo ppo; do
    "$FPO" sample --run "${L}_$A" --obs="$OBS" --n 2000 --seed 0 --out "act_${L}_$A.csv"
    "$FPO" eval --run "${L}_$A" --start "$S" --episodes 50 --trajectories "traj_${L}_$A.csv" --json \
      >"eval_saddle_${L}_$A.json"
    "$FPO" eval --run "${L}_$A" --episodes 200 --json >"eval_random_${L}_$A.json"
  done
  /usr/bin/python3 "$ROOT/tools/plot_gridworld.py" --map "map_$L.txt" \
    --actions "act_${L}_fpo.csv" --trajectories "traj_${L}_fpo.csv" \
    --actions "act_${L}_ppo.csv" --trajectories "traj_${L}_ppo.csv" --labels "FPO,Gaussian PPO" --start "$S" \
    --title "$L, $PRESET, seed $SEED, $STEPS env steps: start ($S)" --out "gridworld_$L.png"
done
echo "figures and eval JSON in $OUT"
