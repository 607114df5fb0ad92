#!/usr/bin/env bash
# `make bench`: the API on PostgreSQL with 100,000 demo transactions under 50 concurrent users.
# Run from the repository root: bash backend/bench/run.sh. Results: docs/benchmarks.md.
#
# Settings (environment):
#   BENCH_DATABASE_SERVER  PostgreSQL server URL          (postgresql://postgres@127.0.0.1:5432)
#   BENCH_TRANSACTIONS     transactions in the household  (100000)
#   BENCH_USERS            concurrent users               (50)
#   BENCH_SPAWN_RATE       users started per second       (5, so the ramp takes 10 s)
#   BENCH_MEASURE_SECONDS  measured window, which starts once every user has logged in (60)
#   BENCH_WORKERS          uvicorn worker processes       (2, one per core of a 2-core machine)
#   BENCH_OUTPUT_DIR       where locust's CSV files go    (a new temporary directory)
#   BENCH_LOCUST           the locust executable          (backend/.venv/bin/locust)
set -euo pipefail

backend="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$backend/.venv/bin"
server_url="${BENCH_DATABASE_SERVER:-postgresql://postgres@127.0.0.1:5432}"
database="family_budget_bench"
transactions="${BENCH_TRANSACTIONS:-100000}"
users="${BENCH_USERS:-50}"
spawn_rate="${BENCH_SPAWN_RATE:-5}"
measure_seconds="${BENCH_MEASURE_SECONDS:-60}"
# A safety cap only: the locustfile quits once the measured window is over.
run_time="$((measure_seconds + 180))s"
workers="${BENCH_WORKERS:-2}"
locust="${BENCH_LOCUST:-$venv/locust}"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/family-budget-bench.XXXXXX")"
output_dir="${BENCH_OUTPUT_DIR:-$work_dir}"
harness=("$venv/python" "$backend/bench/harness.py")

for tool in "$venv/family-budget" "$locust"; do
  if [[ ! -x "$tool" ]]; then
    echo "Missing $tool: run 'cd backend && uv sync --group bench' first." >&2
    exit 2
  fi
done
mkdir -p "$output_dir"

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# The bench talks only to PostgreSQL: no Redis (the measured endpoints do not use it), and a
# data directory of its own so that nothing lands in backend/data.
unset REDIS_URL REDIS_AUTH_TOKEN DATABASE_HOST DATABASE_USER DATABASE_PASSWORD
export ENVIRONMENT=development
export DATA_DIR="$work_dir/data"
export DATABASE_URL="${server_url%/}/$database"
export LOG_LEVEL=WARNING

echo "==> Fresh database $database"
"${harness[@]}" recreate-database "$server_url" "$database"
"$venv/family-budget" migrate

echo "==> Seeding the demo household with $transactions transactions"
seed_started=$SECONDS
seed_output="$("$venv/family-budget" seed-demo --transactions "$transactions")"
echo "    seeded in $((SECONDS - seed_started)) s"
# The output names the household and holds the demo password: keep the password out of the log.
grep -v '^Password: ' <<<"$seed_output" | sed 's/^/    /'
household_id="$(sed -n 's/^Household id: //p' <<<"$seed_output")"
password="$(sed -n 's/^Password: //p' <<<"$seed_output")"
owner_email="$(awk '$1 == "owner" { print $NF }' <<<"$seed_output")"
if [[ -z "$household_id" || -z "$password" || -z "$owner_email" ]]; then
  echo "Could not read the household, owner and password from seed-demo's output." >&2
  exit 1
fi

port="$("${harness[@]}" free-port)"
echo "==> API on 127.0.0.1:$port with $workers worker(s)"
# A signing key for this run only; login rate limits raised because all 50 users log in as the
# same person from the same address within the ramp (the defaults allow 10 a minute).
JWT_SECRET="$("$venv/python" -c 'import secrets; print(secrets.token_urlsafe(48))')" \
  LOGIN_RATE_PER_ACCOUNT="10000/minute" \
  LOGIN_RATE_PER_ADDRESS="10000/minute" \
  LOGIN_RATE_PER_ACCOUNT_NEW_DEVICES="10000/minute" \
  ACCESS_TOKEN_EXPIRE_MINUTES=240 \
  "$venv/family-budget" serve --host 127.0.0.1 --port "$port" --workers "$workers" \
  >"$work_dir/server.log" 2>&1 &
server_pid=$!
if ! "${harness[@]}" wait-until-healthy "http://127.0.0.1:$port/health" --timeout 60; then
  echo "The API did not become healthy; its log:" >&2
  cat "$work_dir/server.log" >&2
  exit 1
fi

echo "==> locust: $users users (+$spawn_rate/s), think time 0.5-1.5 s, ${measure_seconds} s measured"
locust_status=0
BENCH_EMAIL="$owner_email" BENCH_PASSWORD="$password" BENCH_HOUSEHOLD_ID="$household_id" \
  BENCH_MONTHS=18 BENCH_MEASURE_SECONDS="$measure_seconds" \
  "$locust" -f "$backend/bench/locustfile.py" --headless --only-summary \
  --host "http://127.0.0.1:$port" --users "$users" --spawn-rate "$spawn_rate" \
  --run-time "$run_time" --stop-timeout 5 --loglevel WARNING \
  --csv "$output_dir/bench" >"$work_dir/locust.log" 2>&1 || locust_status=$?

grep -h '^All .* users logged in\|failed during the run' "$work_dir/locust.log" | sed 's/^/    /' || true
echo "==> Results of the measured window (CSV files in $output_dir)"
report_status=0
"${harness[@]}" report "$output_dir/bench_stats.csv" || report_status=$?
if [[ -s "$output_dir/bench_failures.csv" ]] && [[ "$(wc -l <"$output_dir/bench_failures.csv")" -gt 1 ]]; then
  echo "Failures:"
  cat "$output_dir/bench_failures.csv"
fi
if [[ "$locust_status" -ne 0 || "$report_status" -ne 0 ]]; then
  echo "FAILED: some requests errored (locust exit $locust_status); locust log: $work_dir/locust.log" >&2
  tail -n 20 "$work_dir/locust.log" >&2
  exit 1
fi
echo "OK: no request failed."
