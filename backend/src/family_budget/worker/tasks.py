"""The modules that define jobs (their `tasks.py`), imported once so that their @job and
@periodic decorators have registered before the worker, the relay or `tick` looks them up.

A domain with jobs adds its module here.
"""

from __future__ import annotations

import importlib

TASK_MODULES = (
    "family_budget.maintenance",
    "family_budget.alerts.tasks",
    "family_budget.auth.tasks",
    "family_budget.households.tasks",
    "family_budget.bank_connections.tasks",
    "family_budget.receipts.tasks",
    "family_budget.exports.tasks",
    "family_budget.bills.tasks",
    "family_budget.budgets.tasks",
    "family_budget.imports.tasks",
)

_loaded = False


def load() -> None:
    global _loaded
    if _loaded:
        return
    for module in TASK_MODULES:
        importlib.import_module(module)
    _loaded = True
