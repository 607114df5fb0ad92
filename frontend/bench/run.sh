#!/usr/bin/env bash
# `make bench-web`: first-load JavaScript of the main pages, the time to interactive of the
# transactions page and the time until every page's content shows (desktop and phone viewports)
# for a household with 100,000 transactions, in Debian's Chromium against the production build
# and the real API. Results: docs/benchmarks.md.
#
# Settings (environment):
#   BENCH_TRANSACTIONS  transactions in the demo household   (100000)
#   BENCH_RUNS          cold loads of the transactions page  (5; the median is reported)
#   BENCH_PAGE_RUNS     cold loads of every page per viewport (3; the median is reported)
#   BENCH_PAGES_ONLY    1: only the time to content of every page
#   CHROMIUM_PATH       the browser                          (/usr/bin/chromium)
#   NEXT_DIST_DIR       the web build to serve               (.next)
set -euo pipefail

frontend="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
backend="$frontend/../backend"
dist_dir="${NEXT_DIST_DIR:-.next}"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/family-budget-bench-web.XXXXXX")"
api_port="${BENCH_API_PORT:-18300}"
web_port="${BENCH_WEB_PORT:-13300}"

if [[ ! -f "$frontend/$dist_dir/standalone/server.js" ]]; then
  echo "No production build in frontend/$dist_dir: run 'make build-web' first." >&2
  exit 2
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work_dir"
}
trap cleanup EXIT

# A SQLite database of its own, as `make run` uses; generous rate limits for repeated logins.
unset DATABASE_URL REDIS_URL DATABASE_HOST
export ENVIRONMENT=development DATA_DIR="$work_dir/data" LOG_LEVEL=WARNING
export LOGIN_RATE_PER_ADDRESS=1000/minute LOGIN_RATE_PER_ACCOUNT=1000/minute
export PUBLIC_APP_URL="http://localhost:$web_port"

echo "==> Demo household with ${BENCH_TRANSACTIONS:-100000} transactions"
"$backend/.venv/bin/family-budget" seed-demo --transactions "${BENCH_TRANSACTIONS:-100000}" \
  > "$work_dir/seed.txt"
owner_email="$(awk '$1 == "owner" {print $NF}' "$work_dir/seed.txt")"
password="$(awk '/^Password:/ {print $2}' "$work_dir/seed.txt")"
household_id="$(awk '/^Household id:/ {print $3}' "$work_dir/seed.txt")"

"$backend/.venv/bin/family-budget" serve --port "$api_port" > "$work_dir/api.log" 2>&1 &
pids+=($!)
(cd "$frontend/$dist_dir/standalone" && PORT="$web_port" HOSTNAME=127.0.0.1 \
  NEXT_PUBLIC_API_URL="http://127.0.0.1:$api_port" exec node server.js > "$work_dir/web.log" 2>&1) &
pids+=($!)

for url in "http://127.0.0.1:$api_port/health" "http://127.0.0.1:$web_port/api/health"; do
  for _ in $(seq 1 60); do
    if curl -fsS "$url" > /dev/null 2>&1; then break; fi
    sleep 0.5
  done
done

memory="$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "==> Measuring in Chromium ($(nproc) cores, $memory)"
BENCH_BASE_URL="http://localhost:$web_port" BENCH_EMAIL="$owner_email" BENCH_PASSWORD="$password" \
  BENCH_HOUSEHOLD_ID="$household_id" node "$frontend/bench/measure.mjs"
