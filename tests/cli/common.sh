# Shared by the sequential CLI test scripts (suite_test.sh, render_plot_test.sh):
#   source common.sh NAME   -> $FPO, $PY, a temp dir $T (removed at exit) and the checks below.
# One line per check; finish with `summary`, which exits non-zero if any failed.
if [[ -z "${FPO_BIN:-}" || ! -x "${FPO_BIN}" ]]; then
  echo "FPO_BIN must name the fpo binary (got '${FPO_BIN:-}')" >&2
  exit 2
fi
FPO="$(cd "$(dirname "$FPO_BIN")" && pwd)/$(basename "$FPO_BIN")"
PY=/usr/bin/python3
T="$(mktemp -d "${TMPDIR:-/tmp}/fpo_$1.XXXXXX")"
trap 'rm -rf "$T"' EXIT

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

rc=0
run() {  # run NAME ARGS...: runs fpo, keeping stdout/stderr in $T/NAME.{out,err}; sets rc
  local name="$1"; shift
  "$FPO" "$@" >"$T/$name.out" 2>"$T/$name.err"
  rc=$?
}
show() { sed 's/^/  | /' "$T/$1.out" "$T/$1.err" | tail -n "${2:-25}"; }

# expect_error NAME NEEDLE ARGS...: fpo must exit non-zero (not crash) and name NEEDLE.
expect_error() {
  local name="$1" needle="$2"; shift 2
  run "$name" "$@"
  if [[ $rc -eq 0 ]]; then
    fail "$name: exit 0 for bad input ($*)"
  elif [[ $rc -ge 128 ]]; then
    fail "$name: crashed with exit $rc ($*): $(head -c 300 "$T/$name.err")"
  elif ! grep -qF -- "$needle" "$T/$name.err" "$T/$name.out"; then
    fail "$name: message does not name '$needle': $(head -c 300 "$T/$name.err")"
  else
    pass "$name (exit $rc, names '$needle')"
  fi
}
