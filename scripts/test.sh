#!/usr/bin/env bash
# Runs the whole test suite under Deno and then Bun, and ends with one line
# that sums both: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

deno_log=$(mktemp)
bun_log=$(mktemp)
npm_log=$(mktemp)
trap 'rm -f "$deno_log" "$bun_log" "$npm_log"' EXIT

echo "== deno test =="
# Type-check once up front: checked again inside the run, every Worker a test
# starts would be type-checked as it starts (seconds each on a loaded machine).
if node_modules/.bin/deno check test/ examples/ cli/ >"$deno_log" 2>&1; then
  node_modules/.bin/deno test -A --no-check test/ 2>&1 | tee "$deno_log"
  deno_status=${PIPESTATUS[0]}
else
  cat "$deno_log"
  echo "deno check failed" | tee -a "$deno_log"
  deno_status=1
fi

echo "== bun test =="
node_modules/.bin/bun test test/ 2>&1 | tee "$bun_log"
bun_status=${PIPESTATUS[0]}

# The npm package, as a user installs it, under Node and Bun (ZMQ_SKIP_NPM=1 skips it).
npm_passed=0
npm_failed=0
if [ "${ZMQ_SKIP_NPM:-0}" != 1 ]; then
  echo "== npm package (node and bun) =="
  bash scripts/test_npm.sh 2>&1 | tee "$npm_log"
  npm_status=${PIPESTATUS[0]}
  for runner in node bun; do
    line=$(grep -E "^npm $runner: " "$npm_log" | tail -1)
    npm_passed=$((npm_passed + $(echo "$line" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)))
    npm_failed=$((npm_failed + $(echo "$line" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)))
  done
  [ "$npm_status" -ne 0 ] && [ "$npm_failed" -eq 0 ] && npm_failed=1
fi

strip() { sed -E 's/\x1b\[[0-9;]*m//g' "$1"; }
deno_passed=$(strip "$deno_log" | grep -Eo '[0-9]+ passed' | tail -1 | grep -Eo '[0-9]+' || echo 0)
deno_failed=$(strip "$deno_log" | grep -Eo '[0-9]+ failed' | tail -1 | grep -Eo '[0-9]+' || echo 0)
bun_passed=$(strip "$bun_log" | grep -Eo '^ *[0-9]+ pass$' | tail -1 | grep -Eo '[0-9]+' || echo 0)
bun_failed=$(strip "$bun_log" | grep -Eo '^ *[0-9]+ fail$' | tail -1 | grep -Eo '[0-9]+' || echo 0)

# A runner that died without a summary counts as a failure.
[ "$deno_status" -ne 0 ] && [ "$deno_failed" -eq 0 ] && deno_failed=1
[ "$bun_status" -ne 0 ] && [ "$bun_failed" -eq 0 ] && bun_failed=1

echo
echo "deno: $deno_passed passed, $deno_failed failed; bun: $bun_passed passed, $bun_failed failed;" \
  "npm package on node and bun: $npm_passed passed, $npm_failed failed"
echo "$((deno_passed + bun_passed + npm_passed)) passed, $((deno_failed + bun_failed + npm_failed)) failed"
[ $((deno_failed + bun_failed + npm_failed)) -eq 0 ]
