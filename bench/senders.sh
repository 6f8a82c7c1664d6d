#!/usr/bin/env bash
# Which side of a PUSH->PULL stream is slow: each receiver (Deno, Bun) with
# each sender (Deno, Bun) in the other process, beside C, interleaved for N
# rounds; prints each median and its ratio to C's median. Made to attribute
# the 1 MiB figure (Deno's sender copies every frame into libzmq; Bun's lends
# frames of 64 KiB and more).
#
#   bash bench/senders.sh [rounds=5] [size=1048576] [count=3000]
#
# Needs c/throughput built (run.ts builds it: cc -O2 c/throughput.c -lzmq).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=medians.sh
source bench/medians.sh
rounds=${1:-5}
size=${2:-1048576}
count=${3:-3000}
run() { # receiver sender
  on "$1"
  "${runner[@]}" bench/throughput.ts --size "$size" --count "$count" --sender "$2" | rate
}
declare -A all
for _ in $(seq "$rounds"); do
  all[c]+="$(bench/c/throughput 'tcp://127.0.0.1:*' "$size" "$count" | rate) "
  for receiver in deno bun; do
    for sender in deno bun; do
      all[${sender}_to_$receiver]+="$(run "$receiver" "$sender") "
    done
  done
done
report msgs/s % c deno_to_deno bun_to_deno deno_to_bun bun_to_bun
