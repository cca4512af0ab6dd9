#!/usr/bin/env bash
# The browser check (run by .ci/run after `cargo test`): makes the lesson
# pages and the report.html of a run and of a sweep with the release binary,
# then opens them in headless Chromium (check.mjs). Screenshots go to
# target/browser-check/. Installs Debian's chromium when it is missing
# (CI runs as root on a fresh machine); puppeteer-core never downloads one.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
if [ ! -x /usr/bin/chromium ]; then
    echo "browser check: installing chromium (Debian package)"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >/dev/null
fi
(cd ci/browser && npm ci --no-audit --no-fund --loglevel=error)
cargo build --release --quiet
out=target/browser-check
rm -rf "$out"
mkdir -p "$out"
bin=target/release/sqs-sim
$bin explain scenarios/false-empty-demo.toml --requests 14 --html "$out/lesson.html" >/dev/null
$bin explain scenarios/false-empty-demo.toml --variant long --requests 6 --html "$out/lesson-long.html" >/dev/null
$bin explain scenarios/false-empty-demo.toml --requests 0 --picture "$out/picture-slide.png" --scale 2 >/dev/null
# A run's and a sweep's report.html.
$bin run scenarios/short-vs-long.toml --quiet --out "$out/results/short-vs-long" >/dev/null
$bin sweep scenarios/wait-time-sweep.toml --replications 2 --set duration=2m --quiet \
    --out "$out/results/wait-time-sweep" >/dev/null
pages=(--page "$out/results/short-vs-long/report.html" --page "$out/results/wait-time-sweep/report.html")
node ci/browser/check.mjs --out "$out" --lesson "$out/lesson.html" --lesson "$out/lesson-long.html" "${pages[@]}"
echo "browser check: $((SECONDS - start)) s in all"
