#!/usr/bin/env bash
# Measures sqs-sim's speed and memory, in a release build:
#
# 1. The reference load's two variants (scenarios/reference-load.toml, the
#    load sqs-sim's speed is measured on) as whole processes, one core each
#    (--jobs 1): simulated messages, events, CPU seconds (user + sys),
#    simulated messages and events per CPU second, peak RSS; and, when
#    valgrind is installed, instructions per simulated message (callgrind,
#    five simulated minutes, no charts: instruction counts repeat on a busy
#    machine where CPU seconds do not).
# 2. The memory scenarios (scenarios/bench/memory-*.toml): peak RSS of each
#    variant (30 min and 3 h of the same load), which should be flat.
#
#   scripts/bench.sh                      # all of the above
#   scripts/bench.sh SCENARIO [--set PATH=VALUE]...   # part 1 on any scenario
#
# CPU time, not wall time: on a shared machine wall time measures the
# neighbours. Each variant runs REPEAT times (default 5); the best CPU time is
# kept, as the least disturbed by other processes. CALLGRIND=0 skips the
# instruction counts; MEMORY=0 skips part 2.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/reference-load.toml}
default=$([ $# -eq 0 ] && echo 1 || echo 0)
shift || true
repeat=${REPEAT:-5}
cargo build --release --quiet
bin=target/release/sqs-sim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
callgrind=${CALLGRIND:-1}
command -v valgrind >/dev/null || callgrind=0

variants_of() {
    local v
    v=$(sed -n '/^\[\[variants\]\]/,/^name/ s/^name *= *"\(.*\)"/\1/p' "$1")
    echo "${v:-base}"
}

# "K runs: N events, M simulated messages in ..." (printed unless --quiet)
messages_in() {
    grep 'simulated messages' "$1" | sed 's/^.*runs\{0,1\}: //' | awk '{print $3}'
}

# Instructions per simulated message of variant $2 of scenario $1: callgrind,
# five simulated minutes, no charts.
instructions_per_message() {
    local scenario=$1 v=$2
    shift 2
    local vflag=(--variant "$v")
    [ "$v" = base ] && vflag=()
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" --log-file="$out/cg.log" \
        "$bin" run "$scenario" "${vflag[@]}" "$@" --set duration=5m --jobs 1 --no-charts \
        --out "$out/cg" >/dev/null 2>"$out/cg.stderr"
    local instr msgs
    instr=$(sed -n 's/^summary: //p' "$out/cg.out")
    msgs=$(messages_in "$out/cg.stderr")
    awk -v i="$instr" -v m="$msgs" 'BEGIN { printf "%d", i / m }'
}

printf '%-10s %12s %12s %8s %14s %14s %10s %12s\n' \
    variant messages events "CPU s" "msgs/CPU s" "events/CPU s" "peak RSS" "instr/msg"
for v in $(variants_of "$scenario"); do
    vflag=(--variant "$v")
    [ "$v" = base ] && vflag=()
    best=""
    for _ in $(seq "$repeat"); do
        /usr/bin/time -f '%U %S %M' -o "$out/time" \
            "$bin" run "$scenario" "${vflag[@]}" "$@" --jobs 1 --out "$out/res" \
            >/dev/null 2>"$out/stderr"
        read -r user sys rss <"$out/time"
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
        if [ -z "$best" ] || awk -v c="$cpu" -v b="$best" 'BEGIN { exit !(c < b) }'; then
            best=$cpu
            best_rss=$rss
        fi
    done
    stats=$(grep 'simulated messages' "$out/stderr" | sed 's/^.*runs\{0,1\}: //')
    events=$(echo "$stats" | awk '{print $1}')
    msgs=$(echo "$stats" | awk '{print $3}')
    ipm=-
    [ "$callgrind" = 1 ] && ipm=$(instructions_per_message "$scenario" "$v" "$@")
    awk -v v="$v" -v m="$msgs" -v e="$events" -v c="$best" -v r="$best_rss" -v i="$ipm" 'BEGIN {
        if (c < 0.01) c = 0.01
        printf "%-10s %12d %12d %8.2f %12.2f M %12.2f M %7.1f MB %12s\n",
            v, m, e, c, m / c / 1e6, e / c / 1e6, r / 1024, i
    }'
done

[ "$default" = 1 ] && [ "${MEMORY:-1}" = 1 ] || exit 0
echo
printf '%-20s %-8s %12s %8s %10s\n' scenario variant messages "CPU s" "peak RSS"
for sc in scenarios/bench/memory-*.toml; do
    for v in $(variants_of "$sc"); do
        /usr/bin/time -f '%U %S %M' -o "$out/time" \
            "$bin" run "$sc" --variant "$v" --jobs 1 --no-charts --out "$out/mem" \
            >/dev/null 2>"$out/stderr"
        read -r user sys rss <"$out/time"
        awk -v s="$(basename "$sc" .toml)" -v v="$v" -v m="$(messages_in "$out/stderr")" \
            -v u="$user" -v y="$sys" -v r="$rss" 'BEGIN {
            printf "%-20s %-8s %12d %8.2f %7.1f MB\n", s, v, m, u + y, r / 1024
        }'
    done
done
