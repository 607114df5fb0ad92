"""Names of the measured requests, shared by the locustfile and the report (one per endpoint, so
that locust keeps percentiles per endpoint)."""

from __future__ import annotations

LOGIN = "POST /api/v1/auth/login"
TRANSACTIONS = "GET /transactions (a month, limit=100)"
BUDGET = "GET /budgets/{month}"
SPENDING = "GET /reports/spending-by-category (a year)"
ENDPOINTS = (TRANSACTIONS, BUDGET, SPENDING)
