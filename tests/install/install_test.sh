#!/usr/bin/env bash
# The library as a package: installs a build tree into a fresh prefix, builds
# examples/custom_env against that prefix alone, runs it and checks it learned.
#   FPO_BUILD_DIR=build FPO_SOURCE_DIR=. bash tests/install/install_test.sh
# Optional: CMAKE (cmake binary), CXX (compiler; default the build's).
# One line per check, then "N passed, M failed"; exits non-zero if any failed.
set -u

if [[ -z "${FPO_BUILD_DIR:-}" || ! -f "${FPO_BUILD_DIR}/CMakeCache.txt" ]]; then
  echo "FPO_BUILD_DIR must name a configured fpo build tree (got '${FPO_BUILD_DIR:-}')" >&2
  exit 2
fi
if [[ -z "${FPO_SOURCE_DIR:-}" || ! -f "${FPO_SOURCE_DIR}/examples/custom_env/CMakeLists.txt" ]]; then
  echo "FPO_SOURCE_DIR must name the fpo checkout (got '${FPO_SOURCE_DIR:-}')" >&2
  exit 2
fi
BUILD="$(cd "$FPO_BUILD_DIR" && pwd)"
SOURCE="$(cd "$FPO_SOURCE_DIR" && pwd)"
CMAKE="${CMAKE:-cmake}"
if [[ -z "${CXX:-}" ]]; then
  CXX="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")"
fi
T="$(mktemp -d "${TMPDIR:-/tmp}/fpo_install_test.XXXXXX")"
trap 'rm -rf "$T"' EXIT

source "$(dirname "$0")/../cli/checks.sh"
finish() {
  summary
  exit
}
step() {  # step NAME LOG COMMAND...: runs COMMAND into $T/LOG; on failure shows the log and stops
  local name="$1" log="$T/$2"; shift 2
  if "$@" >"$log" 2>&1; then
    pass "$name"
  else
    fail "$name"
    tail -40 "$log"
    finish
  fi
}

P="$T/prefix"
step "cmake --install into a fresh prefix" install.log "$CMAKE" --install "$BUILD" --prefix "$P"
check "the package config, its version file and the exported targets are installed" \
  test -f "$P/lib/cmake/fpo/fpoConfig.cmake" -a -f "$P/lib/cmake/fpo/fpoConfigVersion.cmake" \
  -a -f "$P/lib/cmake/fpo/fpoTargets.cmake"
check "the static libraries are installed" test -f "$P/lib/libfpo_core.a" -a -f "$P/lib/libfpo_env.a"
check "the public headers are installed under include/fpo" \
  test -f "$P/include/fpo/env/env.h" -a -f "$P/include/fpo/algo/trainer.h" -a -f "$P/include/fpo/algo/evaluate.h"
check "render/ and the CLI's headers are not part of the package" \
  test ! -e "$P/include/fpo/render" -a ! -e "$P/include/cli"
check "bin/fpo runs from the prefix and its plotters are in share/fpo" \
  bash -c '"$0/bin/fpo" --help >/dev/null && test -x "$0/share/fpo/plot_suite.py" -a -x "$0/share/fpo/plot_gridworld.py"' "$P"
check "the exported targets name no path of the source or build tree" \
  bash -c '! grep -rqF -e "$1" -e "$2" "$0/lib/cmake/fpo"' "$P" "$SOURCE" "$BUILD"

# The example, copied out of the checkout, sees only the prefix.
cp -r "$SOURCE/examples/custom_env" "$T/src"
step "examples/custom_env configures with find_package(fpo) from the prefix" configure.log \
  "$CMAKE" -S "$T/src" -B "$T/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
check "fpo was found in the prefix" grep -qxF "fpo_DIR:PATH=$P/lib/cmake/fpo" "$T/build/CMakeCache.txt"
step "examples/custom_env builds and links fpo::fpo" build.log "$CMAKE" --build "$T/build" -j1
check "its build names no path of the fpo source or build tree" \
  bash -c '! grep -rqF -e "$1" -e "$2" "$0"' "$T/build" "$SOURCE" "$BUILD"

step "custom_env runs" run.log "$T/build/custom_env" 0
cat "$T/run.log"
before="$(sed -n 's/^return before training: *//p' "$T/run.log")"
after="$(sed -n 's/^return after training: *//p' "$T/run.log")"
# Measured (seeds 0-9): before -12.8, after -2.9 to -3.5 (the best policy: -3.0).
check "it learned: return $before -> $after (after > -5 and > before + 5)" \
  awk -v b="$before" -v a="$after" 'BEGIN { exit !(b != "" && a != "" && a > -5 && a > b + 5) }'

finish
