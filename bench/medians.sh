# Sourced by round_trips.sh and senders.sh: the report of interleaved runs.
# `all` maps a key to its runs ("12.3 11.9 ..."); `all[c]` holds C's.
#
#   report UNIT RATIO KEY...   (RATIO: "x" prints median / C as "1.23x C",
#                               "%" prints median / C as "95% of C")
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
