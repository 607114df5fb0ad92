#!/usr/bin/env bash
# `make bench-import`: 1,000,000 transactions as CSV and as OFX through the import service, into
# PostgreSQL and then SQLite (backend/bench/import_bench.py). Results: docs/benchmarks.md.
#
# Settings (environment):
#   BENCH_DATABASE_SERVER  PostgreSQL server URL       (postgresql://postgres@127.0.0.1:5432)
#   BENCH_IMPORT_DATABASE  database made (dropped first) on it  (family_budget_import_bench)
#   BENCH_IMPORT_ROWS      transactions per format     (1000000)
#   BENCH_IMPORT_BATCH     transactions per statement  (100000)
#   BENCH_IMPORT_TARGETS   postgresql,sqlite           (both)
set -euo pipefail

backend="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$backend/.venv/bin"
server_url="${BENCH_DATABASE_SERVER:-postgresql://postgres@127.0.0.1:5432}"
database="${BENCH_IMPORT_DATABASE:-family_budget_import_bench}"
rows="${BENCH_IMPORT_ROWS:-1000000}"
batch="${BENCH_IMPORT_BATCH:-100000}"
targets="${BENCH_IMPORT_TARGETS:-postgresql,sqlite}"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/family-budget-import-bench.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)," \
  "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ ",$targets," == *",postgresql,"* ]]; then
  admin="${server_url%/}/postgres"
  "$venv/python" - "$admin" "$database" <<'PY'
import asyncio, sys
import asyncpg

async def main(admin: str, name: str) -> None:
    connection = await asyncpg.connect(admin)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
PY
  url="${server_url/postgresql:/postgresql+asyncpg:}"
  url="${url%/}/$database"
  (cd "$backend" && DATABASE_URL="$url" "$venv/alembic" upgrade head >/dev/null)
  "$venv/python" "$backend/bench/import_bench.py" --database-url "$url" --rows "$rows" --batch "$batch"
fi

if [[ ",$targets," == *",sqlite,"* ]]; then
  url="sqlite+aiosqlite:///$work_dir/bench.db"
  (cd "$backend" && DATABASE_URL="$url" "$venv/alembic" upgrade head >/dev/null)
  "$venv/python" "$backend/bench/import_bench.py" --database-url "$url" --rows "$rows" --batch "$batch"
fi
