# fpo train as a distributed job of 2 ranks on loopback, started the way
# torchrun starts them (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): global
# step counts, rank 0 alone writing, and a rank killed mid-run ending the job
# with a clear error, after which the run resumes (with 1 rank).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" dist

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# rank R W PORT NAME ARGS...: starts fpo as rank R of W in the background; its pid in $pid.
rank() {
  local r="$1" w="$2" p="$3" name="$4"; shift 4
  RANK=$r WORLD_SIZE=$w LOCAL_RANK=$r LOCAL_WORLD_SIZE=$w MASTER_ADDR=127.0.0.1 MASTER_PORT=$p \
    "$FPO" "$@" >"$T/$name.out" 2>"$T/$name.err" &
  pid=$!
}
last_steps() { tail -n 1 "$1/metrics.csv" | cut -d, -f2; }
train_args=(train --env gridworld:two_walls --algo ppo --set env.num_envs=8 --set train.unroll=32
            --set env.threads=1 --set dist.timeout=10)

# A complete 2-rank run: 8 envs x 32 steps x 2 ranks = 512 global env steps per iteration.
R="$T/two"
p=$(port)
rank 0 2 "$p" two0 "${train_args[@]}" --steps 5120 --seed 3 --out "$R"; p0=$pid
rank 1 2 "$p" two1 "${train_args[@]}" --steps 5120 --seed 3 --out "$R"; p1=$pid
wait $p0; rc0=$?
wait $p1; rc1=$?
check "two ranks: both exit 0 (got $rc0, $rc1)" test "$rc0" -eq 0 -a "$rc1" -eq 0
check "two ranks: 10 iterations, global env steps 5120" test "$(last_steps "$R")" = 5120
check "two ranks: 10 metrics rows (rank 0 alone writes)" test "$(($(wc -l < "$R/metrics.csv") - 1))" -eq 10
check "two ranks: each rank reports its phases" grep -q "rank 1 of 2: env" "$T/two1.err"
check "two ranks: rank 1 prints no progress" bash -c "! grep -q '^steps' '$T/two1.err'"
run eval_two eval --run "$R" --episodes 2 --json
check "two ranks: eval reads the run (exit $rc)" test "$rc" -eq 0

# Rank 1 killed mid-run: rank 0 stops within the timeout, naming itself, rank 1 and
# the failed collective; the last checkpoint stays whole and resumes.
K="$T/killed"
p=$(port)
rank 0 2 "$p" kill0 "${train_args[@]}" --steps 2000000 --seed 4 --set checkpoint_every=2 --out "$K"; p0=$pid
rank 1 2 "$p" kill1 "${train_args[@]}" --steps 2000000 --seed 4 --set checkpoint_every=2 --out "$K"; p1=$pid
for _ in $(seq 1 600); do
  [[ -f "$K/checkpoint.pt" && $(wc -l < "$K/metrics.csv" 2>/dev/null || echo 0) -ge 6 ]] && break
  sleep 0.1
done
kill -9 $p1
wait $p1 2>/dev/null
start=$(date +%s)
wait $p0; rc0=$?
took=$(($(date +%s) - start))
check "killed rank: rank 0 exits non-zero (got $rc0)" test "$rc0" -ne 0 -a "$rc0" -lt 128
check "killed rank: rank 0 stops within the 10 s timeout (+3 s asking who is missing, +5; took ${took} s)" \
  test "$took" -le 18
check "killed rank: the message names the stopping rank, the dead rank and the remedy" \
  bash -c "grep -q 'rank 0 of 2: .* failed' '$T/kill0.err' && grep -q 'Rank 1 stopped answering' '$T/kill0.err' &&
           grep -q -- '--resume' '$T/kill0.err'"
before=$(last_steps "$K")
run resume_one train --resume --steps $((before + 2048)) --quiet --out "$K"
check "killed rank: the run resumes with 1 rank (exit $rc)" test "$rc" -eq 0
check "killed rank: the resumed run reaches its new budget" test "$(last_steps "$K")" -ge $((before + 2048))

# A job whose other rank never comes: the rendezvous gives up after dist.timeout.
p=$(port)
rank 0 2 "$p" alone "${train_args[@]}" --steps 5120 --set dist.timeout=2 --out "$T/alone"; wait $pid; rc0=$?
check "lonely rank: exit non-zero (got $rc0)" test "$rc0" -ne 0 -a "$rc0" -lt 128
check "lonely rank: names the rendezvous" grep -q "rank 0 of 2: rendezvous failed" "$T/alone.err"

# Bad torchrun variables are named.
RANK=0 "$FPO" "${train_args[@]}" --steps 512 --out "$T/bad1" >"$T/bad1.out" 2>"$T/bad1.err"; rc=$?
check "RANK without WORLD_SIZE: exit non-zero, names WORLD_SIZE" \
  bash -c "test $rc -ne 0 && grep -q WORLD_SIZE '$T/bad1.err'"
RANK=2 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 "$FPO" "${train_args[@]}" --steps 512 --out "$T/bad2" \
  >"$T/bad2.out" 2>"$T/bad2.err"; rc=$?
check "RANK out of range: exit non-zero, names RANK and the range" \
  bash -c "test $rc -ne 0 && grep -q \"RANK = '2'.*\[0, 1\]\" '$T/bad2.err'"
summary
