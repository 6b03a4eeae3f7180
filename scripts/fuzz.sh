#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, build-fuzz/) and runs
# each for SECONDS (default 60) on a copy of its seed corpus; inputs that crash
# land in build-fuzz/crashes/<target>/. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   targets: config (TOML + --set), checkpoint (checkpoint loader), cli (argument parser)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config checkpoint cli)
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz.sh: needs clang and libFuzzer: apt-get install clang libfuzzer-14-dev" >&2
  exit 2
fi
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DFPO_FUZZ=ON \
  -DFPO_BUILD_TESTS=OFF -DFPO_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"${FUZZ_JOBS:-$(nproc)}" --target "${targets[@]/#/fpo_fuzz_}"
# LibTorch keeps allocations alive until exit; leak reports there are not ours.
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
status=0
for t in "${targets[@]}"; do
  work="build-fuzz/corpus/$t" crashes="build-fuzz/crashes/$t"
  mkdir -p "$work" "$crashes"
  cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  echo "== fuzz $t for ${seconds}s"
  if ! "build-fuzz/fuzz/fpo_fuzz_$t" "$work" "${dict[@]}" -max_total_time="$seconds" -max_len=65536 \
      -artifact_prefix="$crashes/" -print_final_stats=1 2>"build-fuzz/fuzz_$t.log"; then
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added|^==.*ERROR|SUMMARY" "build-fuzz/fuzz_$t.log" || true
  echo "   crashes: $(ls "$crashes" | wc -l) in $crashes (log: build-fuzz/fuzz_$t.log)"
done
exit $status
