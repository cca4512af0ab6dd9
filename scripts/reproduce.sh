#!/usr/bin/env bash
# Regenerates every reference result in results/ from scenarios/: one folder
# per scenario (CSV files and PNG charts), at each scenario's own seed. A
# scenario with a [sweep] table is swept, the others are run (and the
# CloudWatch example compared with its "production" export); then
# scripts/teaching.sh (the tutorial's figures). The README's figures come
# from here.
#
#   scripts/reproduce.sh            # all scenarios
#   scripts/reproduce.sh short-vs-long wait-time-sweep   # some of them
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
bin=target/release/sqs-sim

if [ "$#" -gt 0 ]; then
    files=()
    for n in "$@"; do files+=("scenarios/$n.toml"); done
else
    files=(scenarios/*.toml)
fi

start=$(date +%s)
for sc in "${files[@]}"; do
    if grep -q '^\[sweep\]' "$sc"; then
        cmd=sweep
    else
        cmd=run
    fi
    echo "== sqs-sim $cmd $sc"
    "$bin" "$cmd" "$sc" --quiet >/dev/null
    if [ "$(basename "$sc")" = replay-cloudwatch.toml ]; then
        # The worked example's step 3: the run against "production".
        echo "== sqs-sim compare results/replay-cloudwatch"
        "$bin" compare results/replay-cloudwatch scenarios/data/orders-empty-receives.json \
            --variant short >/dev/null
    fi
done
if [ "$#" -eq 0 ]; then
    # The tutorial's stories, pictures and depth-vs-theory tables.
    bash scripts/teaching.sh
fi
echo "reproduced ${#files[@]} result folder(s) in $(( $(date +%s) - start )) s"
