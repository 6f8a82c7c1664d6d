#!/usr/bin/env bash
# The round trip alone, side by side: C (c/latency), then Deno and Bun with
# `await` and `blocking`, and each runtime's FFI alone (raw_round_trip.ts: the
# floor of `blocking`), interleaved for N rounds; prints each median and its
# ratio to C's median. Quicker than run.ts when only the round trip changed.
#
#   bash bench/round_trips.sh [rounds=5] [count=20000]
#
# Needs c/latency built (run.ts builds it: cc -O2 c/latency.c -lzmq).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=medians.sh
source bench/medians.sh
rounds=${1:-5}
count=${2:-20000}
declare -A all
for _ in $(seq "$rounds"); do
  all[c]+="$(bench/c/latency 'tcp://127.0.0.1:*' 16 "$count" | rtt) "
  for style in await blocking; do
    all[deno_$style]+="$($deno run -A bench/latency.ts --style $style --count "$count" | rtt) "
    all[bun_$style]+="$($bun bench/latency.ts --style $style --count "$count" | rtt) "
  done
  all[deno_raw]+="$($deno run -A bench/raw_round_trip.ts --count "$count" | rtt) "
  all[bun_raw]+="$($bun bench/raw_round_trip.ts --count "$count" | rtt) "
done
report µs x c deno_await bun_await deno_blocking bun_blocking deno_raw bun_raw
