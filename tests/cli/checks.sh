# The check counters every shell test script shares; source it, then
#   check NAME COMMAND...   passes when COMMAND succeeds
# and end with `summary` (prints "N passed, M failed"; fails if any failed).
passed=0
failed=0
pass() { echo "ok   - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1"; failed=$((failed + 1)); }
check() {
  local name="$1"; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
