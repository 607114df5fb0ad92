"""The demo household behind `family-budget seed-demo`: realistic history, optionally scaled up.

- `data`: who the demo family is, and the tables their money follows (bills, shops, plans).
- `ledger`: the simulation that turns those tables into a month-by-month ledger of rows.
- `seed`: replacing the demo household in the database, with bulk inserts.

Everything but the password comes from a seeded `random.Random`, so two runs on the same day
produce the same money data.
"""

from family_budget.demo.data import DEMO_EMAILS, DEMO_PEOPLE, DemoPerson
from family_budget.demo.seed import DemoSummary, remove_demo_household, seed_demo_household

__all__ = [
    "DEMO_EMAILS",
    "DEMO_PEOPLE",
    "DemoPerson",
    "DemoSummary",
    "remove_demo_household",
    "seed_demo_household",
]
