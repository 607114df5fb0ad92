"""The demo bank: a local stand-in for Plaid, so the app links banks without Plaid keys.

It speaks the part of Plaid's API the app uses (link tokens, public token exchange, accounts,
items, /transactions/sync with paging, webhook keys and sandbox helpers) with a seeded family's
transactions arriving over time, signs its webhooks exactly as Plaid does, serves a stand-in for
Plaid Link (`/link`), and takes control calls to move its clock and inject errors.
`family-budget demo-bank` runs it; tests use `family_budget.demo_bank.testing`.
"""
