#!/usr/bin/env bash
# The 16 B stream alone, side by side: C (c/throughput), then Deno and Bun
# with `await` and `try`, and each runtime's FFI alone (raw_stream.ts: blocking
# zmq_send and zmq_msg_recv, each message copied into a new Uint8Array),
# interleaved for N rounds, every run after the same untimed warm-up; prints
# each median and its ratio to C's median.
#
#   bash bench/streams.sh [rounds=5] [count=3000000] [warmup=1000000]
#
# Needs c/throughput built (run.ts builds it: cc -O2 c/throughput.c -lzmq).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=medians.sh
source bench/medians.sh
rounds=${1:-5}
count=${2:-3000000}
warmup=${3:-1000000}
library() { # runtime style
  on "$1"
  "${runner[@]}" bench/throughput.ts --size 16 --count "$count" --warmup "$warmup" --style "$2" | rate
}
raw() { # runtime
  on "$1"
  "${runner[@]}" bench/raw_stream.ts --count "$count" --warmup "$warmup" | rate
}
declare -A all
for _ in $(seq "$rounds"); do
  all[c]+="$(bench/c/throughput 'tcp://127.0.0.1:*' 16 "$count" --warmup "$warmup" | rate) "
  for runtime in deno bun; do
    for style in await try; do
      all[${runtime}_$style]+="$(library "$runtime" "$style") "
    done
    all[${runtime}_raw]+="$(raw "$runtime") "
  done
done
report msgs/s % c deno_await deno_try deno_raw bun_await bun_try bun_raw
