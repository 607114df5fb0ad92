"""The seeded family: deterministic, independent of how the clock is advanced, realistic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from family_budget.demo_bank import catalog
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.generator import daily_purchases, events_between

START = datetime(2026, 1, 1, tzinfo=UTC)


def new_bank(seed: str = "g", **options: object) -> DemoBank:
    return DemoBank(clock=DemoClock(frozen_at=START), seed=seed, **options)  # type: ignore[arg-type]


def link(bank: DemoBank) -> str:
    public = bank.sandbox_public_token_create(
        {"institution_id": "ins_109508", "initial_products": ["transactions"]}
    )["public_token"]
    return str(bank.exchange_public_token({"public_token": public})["item_id"])


class TestDeterminism:
    def test_same_seed_same_events(self) -> None:
        window = (START, START + timedelta(days=20))
        first = events_between("s", *window, history_start=START - timedelta(days=30))
        again = events_between("s", *window, history_start=START - timedelta(days=30))
        other = events_between("t", *window, history_start=START - timedelta(days=30))
        assert first == again
        assert first != other

    def test_advancing_in_steps_or_at_once_gives_the_same_transactions(self) -> None:
        at_once, in_steps = new_bank(), new_bank()
        at_once_item, steps_item = link(at_once), link(in_steps)
        at_once.advance(timedelta(days=10))
        for _ in range(40):
            in_steps.advance(timedelta(hours=6))
        assert at_once.items[at_once_item].transactions == in_steps.items[steps_item].transactions


class TestRealism:
    def test_amounts_are_whole_cents_and_tips_and_holds_change_the_posted_amount(self) -> None:
        purchases = [
            p
            for day in range(120)
            for p in daily_purchases("r", START.date() + timedelta(days=day))
        ]
        for purchase in purchases:
            assert purchase.posted_amount == purchase.posted_amount.quantize(Decimal("0.01"))
        tipped = [p for p in purchases if p.detailed == "FOOD_AND_DRINK_RESTAURANT"]
        assert tipped
        assert all(
            p.pending_amount is not None and p.posted_amount > p.pending_amount for p in tipped
        )
        fuel = [p for p in purchases if p.detailed == "TRANSPORTATION_GAS"]
        assert fuel
        assert all(p.pending_amount == Decimal("100.00") for p in fuel)
        assert any(p.cancelled for p in purchases)
        assert any(p.enriched_at is not None for p in purchases)
        salary = [p for p in purchases if p.detailed == "INCOME_WAGES"]
        assert len(salary) in (8, 9)  # every other Friday over 120 days
        assert all(p.posted_amount < 0 for p in salary)  # Plaid's sign: money in is negative

    def test_descriptors_are_noisy_and_merchant_names_clean(self) -> None:
        purchases = [
            p for day in range(60) for p in daily_purchases("n", START.date() + timedelta(days=day))
        ]
        names = {p.merchant_name for p in purchases} - {None}
        assert names <= {m.merchant_name for m in catalog.MERCHANTS} | {
            r.merchant_name for r in (catalog.SALARY, catalog.UTILITIES, catalog.STREAMING)
        }
        assert any(any(ch.isdigit() for ch in p.descriptor) for p in purchases)


class TestLiveActivity:
    def test_real_time_mode_adds_a_purchase_about_every_interval(self) -> None:
        bank = new_bank(live_interval=timedelta(seconds=60))
        item_id = link(bank)
        before = len(bank.items[item_id].log)
        bank.advance(timedelta(minutes=30))
        # 30 live purchases, some already posted (remove + add), plus the day's own activity.
        live = [p for _, p in bank.items[item_id].log[before:] if "transaction_id" in p]
        assert len(live) >= 30

    def test_without_live_interval_nothing_happens_within_minutes_at_night(self) -> None:
        bank = new_bank()
        item_id = link(bank)
        before = len(bank.items[item_id].log)
        bank.advance(timedelta(minutes=30))  # 00:00-00:30: no purchases, no postings
        assert len(bank.items[item_id].log) == before
