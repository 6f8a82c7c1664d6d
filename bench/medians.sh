# Sourced by round_trips.sh, senders.sh and streams.sh: the runtimes, and the
# report of interleaved runs.
# `all` maps a key to its runs ("12.3 11.9 ..."); `all[c]` holds C's.
#
#   report UNIT RATIO KEY...   (RATIO: "x" prints median / C as "1.23x C",
#                               "%" prints median / C as "95% of C")
deno=node_modules/.bin/deno
bun=node_modules/.bin/bun
rate() { grep -o '"msgs_per_s":[0-9.]*' | cut -d: -f2; }
rtt() { grep -o '"rtt_us":[0-9.]*' | cut -d: -f2; }
# Sets `runner` to the command that runs a bench script on $1 (deno or bun).
on() { if [ "$1" = bun ]; then runner=("$bun"); else runner=("$deno" run -A); fi; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | sed -n "$(((rounds + 1) / 2))p"; }
report() {
  local unit=$1 ratio=$2 c m
  shift 2
  c=$(median "${all[c]}")
  for key in "$@"; do
    m=$(median "${all[$key]}")
    printf '%-14s median %9s %s  %s   (runs: %s)\n' "$key" "$m" "$unit" "$(awk -v m="$m" -v c="$c" -v r="$ratio" \
      'BEGIN { if (r == "x") printf "%.2fx C", m / c; else printf "%.0f%% of C", 100 * m / c }')" "${all[$key]}"
  done
}
