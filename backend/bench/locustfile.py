"""Load profile of `make bench` (run by bench/run.sh; see docs/benchmarks.md).

A closed loop: each simulated user is a family member who logs in once, then repeatedly opens one
of three views and waits 0.5-1.5 s (uniformly; 1 s on average) before the next. With 50 users
that offers roughly 50 requests per second, whatever the server's speed; the question asked is
how long each view takes under that load, not how many requests per second the server can take.

Measurement starts when the last user has logged in (locust's statistics are reset then, so the
ramp and the password hashing of 50 logins stay out of the figures) and lasts BENCH_MEASURE_SECONDS;
then locust quits. Failed requests are counted over the whole run, ramp included, and make locust
exit with status 1.

Environment (set by run.sh): BENCH_EMAIL, BENCH_PASSWORD, BENCH_HOUSEHOLD_ID, BENCH_MONTHS,
BENCH_MEASURE_SECONDS.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import gevent
from endpoints import BUDGET, LOGIN, SPENDING, TRANSACTIONS
from locust import FastHttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser

THINK_TIME_SECONDS = (0.5, 1.5)
PAGE_SIZE = 100


@dataclass
class _Run:
    failures: int = 0  # over the whole run: resetting the statistics must not hide any
    logged_in: int = 0
    measuring: bool = False


RUN = _Run()


def month_starts(today: date, months: int) -> list[date]:
    """First days of the `months` months ending with today's month (the seeded history)."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


def month_end(start: date) -> date:
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


class FamilyMember(FastHttpUser):
    wait_time = between(*THINK_TIME_SECONDS)

    def on_start(self) -> None:
        self.household = f"/api/v1/households/{os.environ['BENCH_HOUSEHOLD_ID']}"
        self.today = datetime.now(UTC).date()
        self.months = month_starts(self.today, int(os.environ.get("BENCH_MONTHS", "18")))
        credentials = {
            "email": os.environ["BENCH_EMAIL"],
            "password": os.environ["BENCH_PASSWORD"],
        }
        with self.client.post(
            "/api/v1/auth/login", json=credentials, name=LOGIN, catch_response=True
        ) as response:
            if response.status_code != 200:
                # Without a session nothing else can be measured: end the whole run now.
                response.failure(f"login answered {response.status_code}")
                if self.environment.runner is not None:
                    gevent.spawn(self.environment.runner.quit)
                raise StopUser
            token = response.json()["access_token"]
        self.auth = {"Authorization": f"Bearer {token}"}
        RUN.logged_in += 1
        runner = self.environment.runner
        if runner is not None and not RUN.measuring and RUN.logged_in >= runner.target_user_count:
            _start_measuring(self.environment)

    @task
    def page_of_a_month(self) -> None:
        start = random.choice(self.months)  # noqa: S311 - load generation, not security
        query = urlencode({"from": start, "to": month_end(start), "limit": PAGE_SIZE})
        with self.client.get(
            f"{self.household}/transactions?{query}",
            headers=self.auth,
            name=TRANSACTIONS,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                return  # left to locust: a 4xx/5xx counts as a failure on its own
            try:
                items = response.json()["items"]
            except (ValueError, KeyError, TypeError):
                response.failure("not a page of transactions")
                return
            # Every seeded month holds thousands of rows: a short page means the query is wrong.
            if len(items) != PAGE_SIZE:
                response.failure(f"expected a full page of {PAGE_SIZE}, got {len(items)}")

    @task
    def budget_month(self) -> None:
        month = random.choice(self.months)  # noqa: S311
        self.client.get(f"{self.household}/budgets/{month:%Y-%m}", headers=self.auth, name=BUDGET)

    @task
    def year_of_spending(self) -> None:
        query = urlencode({"from": self.today - timedelta(days=365), "to": self.today})
        self.client.get(
            f"{self.household}/reports/spending-by-category?{query}",
            headers=self.auth,
            name=SPENDING,
        )


def _start_measuring(environment: Environment) -> None:
    RUN.measuring = True
    environment.stats.reset_all()
    seconds = float(os.environ.get("BENCH_MEASURE_SECONDS", "60"))
    print(f"All {RUN.logged_in} users logged in: measuring for {seconds:g} s.", flush=True)
    if environment.runner is not None:
        gevent.spawn_later(seconds, environment.runner.quit)


@events.request.add_listener
def _count_failures(exception: BaseException | None = None, **_: Any) -> None:
    if exception is not None:
        RUN.failures += 1


@events.quitting.add_listener
def _exit_non_zero_on_failures(environment: Environment, **_: Any) -> None:
    if RUN.failures:
        print(f"{RUN.failures} request(s) failed during the run (ramp included).", flush=True)
        environment.process_exit_code = 1
