#!/usr/bin/env python3
"""`make run`: start the whole product together, say where to go, stop it all together.

Standard library only, so it runs on the Python a newcomer already has. `make run` installs,
builds and migrates first; this script only starts, watches and stops the processes:

- the API (`family-budget serve`) on 127.0.0.1:$PORT (8000),
- the web app (the Next.js standalone server) on 127.0.0.1:$WEB_PORT (3000), which forwards
  /api/v1/* to the API so the browser talks to one origin,
- the worker and beat (`family-budget worker` / `beat`): emails, alerts, imports and bank syncs
  run in the background, with their queue in a folder of ./data instead of Redis,
- without Plaid keys (PLAID_CLIENT_ID unset), the demo bank (`family-budget demo-bank`) on
  127.0.0.1:$DEMO_BANK_PORT (8100), a local stand-in for Plaid the app then talks to.

Ctrl-C (SIGINT) or SIGTERM stops everything and exits 0. If one process dies, the others are
stopped and the exit status is 1.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 10


class Server:
    def __init__(
        self, name: str, command: list[str], env: dict[str, str], health_url: str | None
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.health_url = health_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # A session of its own: the terminal's Ctrl-C reaches only this launcher, which then stops
        # the servers in order instead of racing them to exit.
        self.process = subprocess.Popen(  # noqa: S603 (fixed paths, no shell)
            self.command,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def is_ready(self) -> bool:
        if self.health_url is None:
            # No health endpoint (the worker, beat): ready once started and still running.
            return self.exit_code() is None
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:  # noqa: S310
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if this launcher is killed outright (kill -9)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def fail(message: str) -> int:
    print(f"make run: {message}", file=sys.stderr, flush=True)
    return 1


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    api_port = int(os.environ.get("PORT", "8000"))
    web_port = int(os.environ.get("WEB_PORT", "3000"))
    demo_bank_port = int(os.environ.get("DEMO_BANK_PORT", "8100"))
    with_demo_bank = not os.environ.get("PLAID_CLIENT_ID")
    dist_dir = os.environ.get("NEXT_DIST_DIR", ".next")
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    web_url = f"http://{shown_host}:{web_port}"
    api_url = f"http://{shown_host}:{api_port}"
    local_host = "127.0.0.1" if host == "0.0.0.0" else host  # noqa: S104

    family_budget = ROOT / "backend" / ".venv" / "bin" / "family-budget"
    web_server = ROOT / "frontend" / dist_dir / "standalone" / "server.js"
    node = shutil.which("node")
    if not family_budget.exists():
        return fail(f"{family_budget.relative_to(ROOT)} is missing: run `make install` first")
    if not web_server.exists():
        return fail(f"{web_server.relative_to(ROOT)} is missing: run `make build-web` first")
    if node is None:
        return fail("node is not on PATH (Node 20+ is required)")
    ports = [("API", api_port, "PORT"), ("web app", web_port, "WEB_PORT")]
    if with_demo_bank:
        ports.append(("demo bank", demo_bank_port, "DEMO_BANK_PORT"))
    for name, port, variable in ports:
        if port_in_use(local_host, port):
            return fail(
                f"port {port} (for the {name}) is already in use; stop what runs there "
                f"or choose another one, e.g. `make run {variable}={port + 1}`"
            )

    base_env = {key: value for key, value in os.environ.items() if key not in ("PORT", "HOST")}
    # Links in emails (verification, password reset, invitations) open the web app.
    base_env["PUBLIC_APP_URL"] = os.environ.get("PUBLIC_APP_URL", web_url)
    if with_demo_bank:
        base_env.update(
            {
                "PLAID_API_URL": f"http://{local_host}:{demo_bank_port}",
                "PLAID_CLIENT_ID": "demo-client",
                "PLAID_SECRET": "demo-secret",  # the demo bank takes any
                "PLAID_ENV": "sandbox",
                "PLAID_WEBHOOK_URL": f"http://{local_host}:{api_port}/api/v1/webhooks/plaid",
            }
        )
    api = Server(
        "API",
        [str(family_budget), "serve", "--host", host, "--port", str(api_port)],
        base_env,
        f"http://{local_host}:{api_port}/health",
    )
    # The worker's /metrics would want the API's port; nothing scrapes it on a laptop.
    worker = Server(
        "worker", [str(family_budget), "worker"], {**base_env, "WORKER_METRICS_PORT": "0"}, None
    )
    beat = Server("beat", [str(family_budget), "beat"], base_env, None)
    web = Server(
        "web app",
        [node, str(web_server)],
        {
            **base_env,
            "HOSTNAME": host,
            "PORT": str(web_port),
            "NEXT_PUBLIC_API_URL": f"http://{local_host}:{api_port}",
            "NEXT_TELEMETRY_DISABLED": "1",
        },
        f"http://{local_host}:{web_port}/api/health",
    )
    servers: list[Server] = [api, web, worker, beat]
    if with_demo_bank:
        demo_bank = Server(
            "demo bank",
            [str(family_budget), "demo-bank", "--host", local_host, "--port", str(demo_bank_port)],
            base_env,
            f"http://{local_host}:{demo_bank_port}/demo/state",
        )
        servers.insert(0, demo_bank)

    stop_requested = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True

    # SIGHUP: the terminal was closed; its servers should not outlive it.
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, request_stop)

    def stop_all() -> None:
        for server in reversed(servers):
            server.stop()

    try:
        for server in servers:
            server.start()

        started_at = time.monotonic()
        announced = False
        while not stop_requested:
            for server in servers:
                code = server.exit_code()
                if code is not None and not stop_requested:
                    others = [other.name for other in servers if other is not server]
                    stop_all()
                    return fail(
                        f"the {server.name} stopped unexpectedly ({describe_exit(code)}); "
                        f"stopped the {' and '.join(others)} too. Its messages are above."
                    )
            if not announced:
                if all(server.is_ready() for server in servers):
                    bank = (
                        f"; demo bank on http://{shown_host}:{demo_bank_port}"
                        if with_demo_bank
                        else ""
                    )
                    print(
                        f"\nFamily Budget is running: open {web_url}  "
                        f"(API on {api_url}, API docs at {api_url}/docs; worker and schedule "
                        f"running{bank}; Ctrl-C stops everything)\n",
                        flush=True,
                    )
                    announced = True
                elif time.monotonic() - started_at > READY_TIMEOUT_SECONDS:
                    waiting = [s.name for s in servers if not s.is_ready()]
                    stop_all()
                    return fail(
                        f"the {' and the '.join(waiting)} did not answer within "
                        f"{READY_TIMEOUT_SECONDS} seconds; stopped everything"
                    )
            time.sleep(0.5)
    finally:
        stop_all()
    print("Family Budget stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
