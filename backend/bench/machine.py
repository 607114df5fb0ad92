"""What the bench reads off the machine (Linux /proc): whether it is quiet, the load average,
the CPU time and memory of the server's processes and of PostgreSQL, and how fast its cores run."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class MachineBusy(RuntimeError):
    """Raised instead of measuring on a machine that other work keeps busy."""


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from the first line of /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user time
    return total - idle, total


def busy_fraction(seconds: float) -> float:
    """Share of all CPUs in use during the next `seconds` (0 = idle, 1 = every core busy)."""
    busy_before, total_before = _cpu_times()
    time.sleep(seconds)
    busy_after, total_after = _cpu_times()
    elapsed = total_after - total_before
    return (busy_after - busy_before) / elapsed if elapsed else 0.0


def wait_until_quiet(
    max_busy: float, *, patience_seconds: float, sample_seconds: float = 3.0
) -> float:
    """Return the measured busy share once it is at most `max_busy` (the server under test is
    idle then, so whatever runs is someone else's); raise MachineBusy after `patience_seconds`."""
    deadline = time.monotonic() + patience_seconds
    while True:
        busy = busy_fraction(sample_seconds)
        if busy <= max_busy:
            return busy
        if time.monotonic() >= deadline:
            raise MachineBusy(
                f"{busy:.0%} of the CPUs were busy with other work just before the run "
                f"(allowed: {max_busy:.0%}); figures from a busy machine say nothing"
            )


def reference_loop_ms(rounds: int = 9) -> tuple[float, float]:
    """(fastest, median) milliseconds a fixed pure-Python loop takes on one core over `rounds`:
    the speed of the machine at that moment. This VM's core runs the same loop anywhere from 1 to
    1.7 times as long from one minute to the next with nothing else running (another guest on
    the host; it does not show as steal time), which moves every CPU and latency figure of a run;
    runs are comparable only at similar figures."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def _stat_fields(pid: int) -> list[str]:
    # The command name (field 2) may hold spaces; everything after its closing parenthesis is
    # space-separated.
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
    return found


def process_tree(pid: int) -> list[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children(current))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS_PER_SECOND


def postgres_cpu_seconds() -> float:
    """User + system CPU time PostgreSQL has used so far: each server's postmaster with what its
    exited children used (the kernel adds a reaped child's time to its parent's cutime/cstime)
    and its live children. Summing a list of pids taken once went backwards whenever a backend or
    an autovacuum worker exited during the measured step, and missed the ones started during it."""
    names: dict[int, tuple[str, list[str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                names[int(entry.name)] = (
                    (entry / "comm").read_text().strip(),
                    _stat_fields(int(entry.name)),
                )
            except (FileNotFoundError, ProcessLookupError):
                continue
    is_postgres = {pid for pid, (comm, _) in names.items() if comm in {"postgres", "postmaster"}}
    ticks = 0
    for pid in is_postgres:
        fields = names[pid][1]
        if int(fields[1]) in is_postgres:  # a backend or a helper: its parent counts it once gone
            ticks += int(fields[11]) + int(fields[12])
        else:  # a postmaster
            ticks += sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / CLOCK_TICKS_PER_SECOND


def pss_mib(pid: int) -> float:
    """The process's proportional set size: its private pages, plus each shared page (libraries,
    the interpreter, pages both workers map) divided by the processes that map it — what the
    process adds to the task's memory, where RSS counts a shared page in full in every worker."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass(frozen=True, slots=True)
class MachineInfo:
    cpus: int
    cpu_model: str
    memory_gib: float


def machine_info() -> MachineInfo:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return MachineInfo(os.cpu_count() or 1, model, memory_kib / 1024 / 1024)
