"""The worker's Prometheus metrics.

The worker runs jobs in several processes (Celery's prefork pool), and its /metrics endpoint is
served by the parent: `family-budget worker` sets PROMETHEUS_MULTIPROC_DIR before anything imports
prometheus_client, so every process writes its samples there and the endpoint adds them up
(prometheus_client's multiprocess mode). Without that variable (tests, `family-budget tick`) the
same metrics live in the process's default registry.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

jobs_total = Counter(
    "family_budget_worker_jobs",
    "Jobs the worker ran, by job name and outcome (done, retry, failed, skipped)",
    ("job", "outcome"),
)
job_duration_seconds = Histogram(
    "family_budget_worker_job_duration_seconds",
    "Time a job took, by job name",
    ("job",),
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
ticks_total = Counter(
    "family_budget_worker_ticks",
    "Ticks the worker ran (beat sends one a minute; none for a while means beat is down)",
)
jobs_relayed_total = Counter(
    "family_budget_worker_jobs_relayed",
    "Jobs handed to Celery by the relay (again after a lost message: counted again)",
)


# Measured once per tick (a minute), not per job: what "the queue is stuck" alerts read. In the
# multiprocess mode the most recent value of any process is served.
jobs_due = Gauge(
    "family_budget_worker_jobs_due",
    "Jobs due to run that nobody is running, at the last tick",
    multiprocess_mode="mostrecent",
)
oldest_due_job_age_seconds = Gauge(
    "family_budget_worker_oldest_due_job_age_seconds",
    "How long the oldest of those jobs has been due, at the last tick (0: none is due)",
    multiprocess_mode="mostrecent",
)


# Read at every tick from the jobs table (the row `family-budget backup` adds once a backup is
# stored), so a restarted worker reports it again; every process reports the same, "max" adds
# nothing up.
last_backup_timestamp_seconds = Gauge(
    "family_budget_backup_last_success_timestamp_seconds",
    "Unix time of the last backup stored and recorded (family-budget backup), at the last tick",
    multiprocess_mode="max",
)


def record_queue(due: int, oldest_age_seconds: float) -> None:
    jobs_due.set(due)
    oldest_due_job_age_seconds.set(oldest_age_seconds)


def record_job(name: str, outcome: str, seconds: float) -> None:
    jobs_total.labels(name, outcome).inc()
    if outcome != "skipped":
        job_duration_seconds.labels(name).observe(seconds)
