"""`make bench`: the API on PostgreSQL with 100,000 demo transactions, measured with wrk.

Run from the repository root: `make bench` (or backend/.venv/bin/python backend/bench/run.py).
What it measures, in order (docs/benchmarks.md shows the results and how to read them):

1. cold start: `family-budget serve` to the first 200 from /health, and each worker's idle RSS;
2. users: 50 family members with think time (0.5-1.5 s) over the transactions page, the month
   view and the year report at once, for a minute after a warm-up: p50/p90/p99/max per endpoint;
3. capacity: each endpoint alone, 1, 2, 4, ... connections without think time, until p99 reaches
   50 ms: the highest rate with p99 < 50 ms, and the server's and PostgreSQL's CPU per request;
4. in the bench's own process: the garbage collector's longest pause, the reference cycles a
   request leaves, and the SQL floor (the request's statements prepared on asyncpg).

Every run starts only on a quiet machine (other work using at most BENCH_MAX_BUSY of the CPUs
while the server idles) and records the load average before and after; a busy machine makes the
bench stop with status 3 instead of reporting. Failed requests make it exit 1.

Settings (environment):
  BENCH_DATABASE_SERVER  PostgreSQL server URL                 (postgresql://postgres@127.0.0.1:5432)
  BENCH_TRANSACTIONS     transactions in the household         (100000)
  BENCH_USERS            concurrent users of the users profile (50)
  BENCH_MEASURE_SECONDS  measured window of the users profile  (60)
  BENCH_STEP_SECONDS     each capacity step                    (10)
  BENCH_WORKERS          uvicorn worker processes              (2)
  BENCH_COLD_STARTS      cold starts timed                     (5)
  BENCH_MAX_BUSY         busy share of the CPUs that still counts as quiet (0.10)
  BENCH_OUTPUT_DIR       where results.json goes               (a new temporary directory)
  BENCH_WRK              the wrk executable                    (wrk, Debian's package)
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import machine
from harness import free_port, recreate_database

BACKEND = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "family-budget")
WRK_SCRIPT = Path(__file__).with_name("wrk_profile.lua")
DATABASE = "family_budget_bench"
TARGET_P99_MS = 50.0
THINK_MS = (500, 1500)
PAGE_SIZE = 100
CONNECTION_STEPS = (1, 2, 4, 8, 16, 32, 64)

TRANSACTIONS = "GET /transactions (a month, limit=100)"
BUDGET = "GET /budgets/{month}"
SPENDING = "GET /reports/spending-by-category (a year)"
MEASURED = (TRANSACTIONS, BUDGET, SPENDING)
# What the import, bank sync and worker features add to the app's reads; measured for capacity
# so that their cost is watched as they grow (no p99 target of their own).
IMPORTS = "GET /imports (history)"
BANK_CONNECTIONS = "GET /bank-connections"
BILLS = "GET /bills (reminders)"
NOTIFICATIONS = "GET /me/notifications"
FEATURES = (IMPORTS, BANK_CONNECTIONS, BILLS, NOTIFICATIONS)


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass
class WrkResult:
    requests: int
    duration_us: int
    status_errors: int
    socket_errors: int
    timeouts: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    mean_us: float

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors + self.timeouts

    @property
    def rate(self) -> float:
        return self.requests / (self.duration_us / 1e6) if self.duration_us else 0.0

    @property
    def p99_ms(self) -> float:
        return self.p99_us / 1000


@dataclass
class RunConditions:
    busy_before: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


@dataclass
class CapacityStep:
    connections: int
    result: WrkResult
    server_cpu_ms_per_request: float
    database_cpu_ms_per_request: float
    conditions: RunConditions


class Server:
    """`family-budget serve` on a free port, with the bench's environment."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                CLI,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Seconds from the start of the process to the first 200 from /health."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.01)
        raise RuntimeError("the server did not become healthy")

    def worker_pids(self) -> list[int]:
        # uvicorn's workers are its children that serve (not multiprocessing's resource tracker).
        return [
            pid
            for pid in machine.children(self.process.pid)
            if "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
        ]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def run_wrk(
    server: Server, token: str, paths_file: Path, connections: int, seconds: float, *, think: bool
) -> subprocess.Popen[str]:
    env = dict(os.environ, BENCH_PATHS=str(paths_file))
    if think:
        env["BENCH_THINK_MS"] = f"{THINK_MS[0]},{THINK_MS[1]}"
    else:
        env.pop("BENCH_THINK_MS", None)
    return subprocess.Popen(
        [
            setting("BENCH_WRK", "wrk"),
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            "-H",
            f"Authorization: Bearer {token}",
            server.base,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wrk_result(process: subprocess.Popen[str]) -> WrkResult:
    output, _ = process.communicate()
    for line in output.splitlines():
        if line.startswith("BENCH_RESULT "):
            return WrkResult(**json.loads(line.removeprefix("BENCH_RESULT ")))
    raise RuntimeError(f"wrk printed no result:\n{output}")


def quiet(max_busy: float) -> tuple[float, tuple[float, float, float]]:
    busy = machine.wait_until_quiet(max_busy, patience_seconds=90)
    return busy, machine.load_average()


# --- The requests -----------------------------------------------------------------------------


def month_starts(today: date, months: int) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


def month_end(start: date) -> date:
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def endpoint_paths(household_id: str, today: date) -> dict[str, list[str]]:
    household = f"/api/v1/households/{household_id}"
    months = month_starts(today, 18)
    year = urlencode({"from": today - timedelta(days=365), "to": today})
    return {
        TRANSACTIONS: [
            f"{household}/transactions?"
            + urlencode({"from": start, "to": month_end(start), "limit": PAGE_SIZE})
            for start in months
        ],
        BUDGET: [f"{household}/budgets/{start:%Y-%m}" for start in months],
        SPENDING: [f"{household}/reports/spending-by-category?{year}"],
        IMPORTS: [f"{household}/imports"],
        BANK_CONNECTIONS: [f"{household}/bank-connections"],
        BILLS: [
            f"{household}/bills?" + urlencode({"from": today, "to": today + timedelta(days=60)})
        ],
        NOTIFICATIONS: ["/api/v1/me/notifications"],
    }


def http_json(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - our own URL
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.load(response)


def check_endpoints(server: Server, token: str, endpoints: dict[str, list[str]]) -> None:
    """Each path answers 200, and every month's transactions page is full (thousands of rows a
    month are seeded: a short page means the query is wrong)."""
    for name, paths in endpoints.items():
        for path in paths:
            try:
                body = http_json("GET", server.base + path, token=token)
            except urllib.error.HTTPError as error:
                raise RuntimeError(f"{path} answered {error.code}: {error.read()!r}") from None
            if name == TRANSACTIONS and len(body["items"]) != PAGE_SIZE:
                raise RuntimeError(f"{path}: expected {PAGE_SIZE} transactions")


# --- The profiles -----------------------------------------------------------------------------


def users_profile(
    server: Server, token: str, files: dict[str, Path], users: int, seconds: float, max_busy: float
) -> tuple[dict[str, WrkResult], RunConditions]:
    """`users` connections with think time, split over the three measured endpoints, each
    endpoint its own wrk so that it has its own percentiles."""
    shares = [users // len(MEASURED) + (1 if i < users % len(MEASURED) else 0) for i in range(3)]
    warm_up = [
        run_wrk(server, token, files[n], c, 10, think=True)
        for n, c in zip(MEASURED, shares, strict=True)
    ]
    for process in warm_up:
        wrk_result(process)
    busy, load_before = quiet(max_busy)
    runs = [
        run_wrk(server, token, files[n], c, seconds, think=True)
        for n, c in zip(MEASURED, shares, strict=True)
    ]
    results = {name: wrk_result(process) for name, process in zip(MEASURED, runs, strict=True)}
    return results, RunConditions(busy, load_before, machine.load_average())


def capacity_profile(
    server: Server, token: str, paths_file: Path, step_seconds: float, max_busy: float
) -> list[CapacityStep]:
    server_pids = machine.process_tree(server.process.pid)
    wrk_result(run_wrk(server, token, paths_file, 2, 3, think=False))  # warm-up
    steps = []
    for connections in CONNECTION_STEPS:
        busy, load_before = quiet(max_busy)
        server_before = machine.cpu_seconds(server_pids)
        database_before = machine.postgres_cpu_seconds()
        result = wrk_result(
            run_wrk(server, token, paths_file, connections, step_seconds, think=False)
        )
        server_ms = (machine.cpu_seconds(server_pids) - server_before) * 1000
        database_ms = (machine.postgres_cpu_seconds() - database_before) * 1000
        requests = max(result.requests, 1)
        steps.append(
            CapacityStep(
                connections,
                result,
                server_ms / requests,
                database_ms / requests,
                RunConditions(busy, load_before, machine.load_average()),
            )
        )
        if result.errors or result.p99_ms >= TARGET_P99_MS:
            break
    return steps


def best_step(steps: list[CapacityStep]) -> CapacityStep | None:
    passing = [s for s in steps if not s.result.errors and s.result.p99_ms < TARGET_P99_MS]
    return max(passing, key=lambda s: s.result.rate) if passing else None


# --- Setting up -------------------------------------------------------------------------------


def server_environment(work_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    # The bench talks only to PostgreSQL: no Redis (the measured endpoints do not need it).
    for name in (
        "REDIS_URL",
        "REDIS_AUTH_TOKEN",
        "DATABASE_HOST",
        "DATABASE_USER",
        "DATABASE_PASSWORD",
    ):
        env.pop(name, None)
    # Served from compiled bytecode, as the image is (its build compiles it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        ENVIRONMENT="development",
        DATA_DIR=str(work_dir / "data"),
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        JWT_SECRET=secrets.token_urlsafe(48),
        # One person logs in for every connection; the defaults allow 10 a minute.
        LOGIN_RATE_PER_ACCOUNT="10000/minute",
        LOGIN_RATE_PER_ADDRESS="10000/minute",
        LOGIN_RATE_PER_ACCOUNT_NEW_DEVICES="10000/minute",
        ACCESS_TOKEN_EXPIRE_MINUTES="240",
    )
    return env


def seed(env: dict[str, str], transactions: int) -> tuple[str, str, str]:
    subprocess.run([CLI, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    output = subprocess.run(
        [CLI, "seed-demo", "--transactions", str(transactions)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fields = {}
    for line in output.splitlines():
        if line.startswith("Household id: "):
            fields["household"] = line.removeprefix("Household id: ").strip()
        elif line.startswith("Password: "):
            fields["password"] = line.removeprefix("Password: ").strip()
        elif line.strip().startswith("owner "):
            fields["email"] = line.split()[-1]
    return fields["household"], fields["email"], fields["password"]


def compile_bytecode() -> None:
    site_packages = next((BACKEND / ".venv" / "lib").glob("python3*/site-packages"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            str(BACKEND / "src"),
            str(site_packages),
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


def cold_starts(
    env: dict[str, str], workers: int, count: int, log: Path
) -> list[tuple[float, list[float], list[float]]]:
    starts = []
    for _ in range(count):
        server = Server(env, workers, log)
        try:
            seconds = server.wait_healthy()
            time.sleep(1)
            workers_now = server.worker_pids()
            starts.append(
                (
                    seconds,
                    [machine.rss_mib(pid) for pid in workers_now],
                    [machine.pss_mib(pid) for pid in workers_now],
                )
            )
        finally:
            server.stop()
    return starts


# --- Reporting --------------------------------------------------------------------------------


def ms(microseconds: float) -> str:
    return f"{microseconds / 1000:.1f}"


def yes_no(ok: bool) -> str:
    return "yes" if ok else "**no**"


def report(results: dict[str, Any]) -> str:
    lines = []
    info = results["machine"]
    lines.append(
        f"Machine: {info['cpus']} CPUs ({info['cpu_model']}), {info['memory_gib']:.0f} GiB; "
        f"{results['transactions']:,} transactions, {results['workers']} workers; "
        f"started {results['started']}."
    )
    if "reference_loop_ms_before" in results:
        before, after = results["reference_loop_ms_before"], results["reference_loop_ms_after"]
        lines.append(
            f"Machine speed: a fixed Python loop on one core took {before[1]:.0f} ms (fastest "
            f"{before[0]:.0f}) before the run and {after[1]:.0f} ms (fastest {after[0]:.0f}) after "
            "it, median of 9; compare runs only at similar figures"
        )
    starts = results["cold_starts"]
    cold = [s[0] for s in starts]
    median_cold = statistics.median(cold)
    idle = [r for s in starts for r in s[1]]
    idle_pss = [p for s in starts for p in s[2]]
    after_load = ", ".join(f"{r:.0f}" for r in results["rss_after_load"])
    lines += [
        "",
        f"Cold start to a healthy /health: median {median_cold:.2f} s "
        f"(all: {', '.join(f'{c:.2f}' for c in cold)}); < 1.5 s: {yes_no(median_cold < 1.5)}",
        f"Idle RSS per worker: max {max(idle):.0f} MiB; < 100 MiB: {yes_no(max(idle) < 100)}; "
        f"after the users profile: {after_load} MiB; idle PSS per worker (shared pages "
        f"counted once across the processes): max {max(idle_pss):.0f} MiB",
    ]
    users = results["users"]
    cond = users["conditions"]
    lines += [
        "",
        f"Users profile: {results['users_count']} users, think time "
        f"{THINK_MS[0]}-{THINK_MS[1]} ms, {results['measure_seconds']} s measured; busy before "
        f"{cond['busy_before']:.0%}, load average before {cond['load_before'][0]:.2f}, "
        f"after {cond['load_after'][0]:.2f}",
        "",
        "| Endpoint | Requests | Errors | p50 ms | p90 ms | p99 ms | max ms | req/s "
        "| p99 < 50 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in MEASURED:
        r = users["results"][name]
        errors = r["status_errors"] + r["socket_errors"] + r["timeouts"]
        rate = r["requests"] / (r["duration_us"] / 1e6)
        met = yes_no(r["p99_us"] < TARGET_P99_MS * 1000)
        lines.append(
            f"| {name} | {r['requests']} | {errors} | {ms(r['p50_us'])} | {ms(r['p90_us'])} "
            f"| {ms(r['p99_us'])} | {ms(r['max_us'])} | {rate:.1f} | {met} |"
        )
    floor = results["in_process"]["sql_floor_ms"]
    statements = results["in_process"]["statements_per_request"]
    lines += [
        "",
        "Capacity (each endpoint alone, closed loop, no think time): the highest rate with "
        "p99 < 50 ms, and CPU per request at that rate (server = the uvicorn processes; SQL "
        "floor = the request's statements prepared on asyncpg, wall time):",
        "",
        "| Endpoint | Connections | req/s | p99 ms | Server CPU ms/req | PostgreSQL CPU ms/req "
        "| SQL floor ms (statements) | Server CPU / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in (*MEASURED, *FEATURES):
        best = results["capacity_best"].get(name)
        if best is None:
            lines.append(f"| {name} | - | - | p99 ≥ 50 ms at 1 connection | - | - | - | - |")
            continue
        cpu = best["server_cpu_ms_per_request"]
        lines.append(
            f"| {name} | {best['connections']} | {best['rate']:.0f} | {best['p99_ms']:.1f} "
            f"| {cpu:.2f} | {best['database_cpu_ms_per_request']:.2f} "
            f"| {floor[name]:.2f} ({statements[name]}) | {cpu / floor[name]:.1f} |"
        )
    in_process = results["in_process"]
    longest = in_process["gc_pauses"]["longest_ms"]
    by_generation = ", ".join(f"{g}: {v:.1f}" for g, v in longest.items())
    cycles = ", ".join(f"{n} {v:g}" for n, v in in_process["cycles_per_request"].items())
    lines += [
        "",
        f"Garbage collector over {in_process['gc_requests']:,} in-process requests (frozen "
        f"start-up heap, as served): collections by generation "
        f"{in_process['gc_pauses']['collections']}, longest pause "
        f"{max(longest.values()):.1f} ms (by generation: {by_generation}); <= 20 ms: "
        f"{yes_no(max(longest.values()) <= 20)}",
        f"Objects in reference cycles left per request: {cycles}",
    ]
    return "\n".join(lines)


def main() -> int:
    wrk = setting("BENCH_WRK", "wrk")
    if shutil.which(wrk) is None:
        print(
            f"{wrk} not found: install Debian's wrk package (apt-get install wrk).", file=sys.stderr
        )
        return 2
    server_url = setting("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432")
    transactions = int(setting("BENCH_TRANSACTIONS", "100000"))
    users = int(setting("BENCH_USERS", "50"))
    measure_seconds = float(setting("BENCH_MEASURE_SECONDS", "60"))
    step_seconds = float(setting("BENCH_STEP_SECONDS", "10"))
    workers = int(setting("BENCH_WORKERS", "2"))
    max_busy = float(setting("BENCH_MAX_BUSY", "0.10"))
    work_dir = Path(tempfile.mkdtemp(prefix="family-budget-bench."))
    output_dir = Path(setting("BENCH_OUTPUT_DIR", str(work_dir)))
    output_dir.mkdir(parents=True, exist_ok=True)
    log = work_dir / "server.log"

    database_url = f"{server_url.rstrip('/')}/{DATABASE}"
    env = server_environment(work_dir, database_url)
    results: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": asdict(machine.machine_info()),
        "transactions": transactions,
        "workers": workers,
        "users_count": users,
        "measure_seconds": measure_seconds,
    }
    print("==> Compiling bytecode (served as the image serves it)")
    compile_bytecode()
    print(f"==> Fresh database {DATABASE}, seeding {transactions:,} transactions")
    asyncio.run(recreate_database(server_url, DATABASE))
    household_id, email, password = seed(env, transactions)
    endpoints = endpoint_paths(household_id, datetime.now(UTC).date())
    files = {}
    for index, (name, paths) in enumerate(endpoints.items()):
        files[name] = work_dir / f"paths-{index}.txt"
        files[name].write_text("\n".join(paths) + "\n")

    try:
        print("==> Cold starts")
        quiet(max_busy)
        results["reference_loop_ms_before"] = machine.reference_loop_ms()
        results["cold_starts"] = cold_starts(
            env, workers, int(setting("BENCH_COLD_STARTS", "5")), log
        )
        server = Server(env, workers, log)
        try:
            server.wait_healthy()
            token = http_json(
                "POST", f"{server.base}/api/v1/auth/login", {"email": email, "password": password}
            )["access_token"]
            check_endpoints(server, token, endpoints)
            print(f"==> Users profile: {users} users with think time, {measure_seconds:g} s")
            user_results, conditions = users_profile(
                server, token, files, users, measure_seconds, max_busy
            )
            results["users"] = {
                "results": {name: asdict(r) for name, r in user_results.items()},
                "conditions": asdict(conditions),
            }
            results["rss_after_load"] = [machine.rss_mib(pid) for pid in server.worker_pids()]
            results["capacity"] = {}
            results["capacity_best"] = {}
            for name in (*MEASURED, *FEATURES):
                print(f"==> Capacity: {name}")
                steps = capacity_profile(server, token, files[name], step_seconds, max_busy)
                results["capacity"][name] = [{**asdict(s), "rate": s.result.rate} for s in steps]
                best = best_step(steps)
                if best is not None:
                    results["capacity_best"][name] = {
                        "connections": best.connections,
                        "rate": best.result.rate,
                        "p99_ms": best.result.p99_ms,
                        "server_cpu_ms_per_request": best.server_cpu_ms_per_request,
                        "database_cpu_ms_per_request": best.database_cpu_ms_per_request,
                    }
        finally:
            server.stop()
        print("==> In process: garbage collector, reference cycles, SQL floor")
        os.environ.update(env)
        from in_process import measure

        figures = asyncio.run(
            measure(
                {name: endpoints[name] for name in (*MEASURED, *FEATURES)},
                token,
                gc_requests=int(setting("BENCH_GC_REQUESTS", "6000")),
                floor_rounds=200,
            )
        )
        results["in_process"] = asdict(figures)
        results["reference_loop_ms_after"] = machine.reference_loop_ms()
    except machine.MachineBusy as busy:
        print(f"REFUSED: {busy}. Nothing is reported.", file=sys.stderr)
        return 3

    (output_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print()
    print(report(json.loads(json.dumps(results, default=str))))
    print(f"\n(results.json in {output_dir})")
    errors = sum(
        r["status_errors"] + r["socket_errors"] + r["timeouts"]
        for r in results["users"]["results"].values()
    )
    if errors:
        print(f"FAILED: {errors} request(s) failed in the users profile.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
