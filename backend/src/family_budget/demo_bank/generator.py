"""A deterministic family's bank activity: the same seed and clock give the same transactions.

Activity is a set of *purchases*, each a small story told as events in time:

- a card purchase appears **pending** when it happens and **posts** one to three days later
  (Plaid reports that as the pending id removed and a posted transaction added that names it in
  `pending_transaction_id`); at restaurants the posted amount includes the tip, at fuel pumps a
  fixed hold turns into the real amount, and a few holds are **cancelled** (removed, never posted);
- some posted transactions are **modified** a day later, when enrichment finds the merchant;
- income, rent, bills, the card's autopay and transfers to savings post on fixed days, no pending.

`events_between(seed, start, end)` lists the events in a window, so the bank can advance its clock
by any amount (real time, or days at once in tests) and get the same history either way. Every day
is generated from its own RNG seeded with (item seed, date): no state carries between days.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final, Literal

from family_budget.demo_bank import catalog
from family_budget.demo_bank.catalog import Merchant, Recurring

CENT: Final = Decimal("0.01")
MAX_POSTING_LAG: Final = timedelta(days=5)  # a purchase's last event comes at most this late
_BASE62: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PAYDAY_ANCHOR: Final = date(2024, 1, 5)  # a Friday; pay comes every other Friday from it

EventKind = Literal["add_pending", "add_posted", "post", "cancel", "modify"]


def stable_id(*parts: object, length: int = 37) -> str:
    """A Plaid-looking id (37 base62 characters) derived from `parts`."""
    number = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        chars.append(_BASE62[digit])
    return "".join(chars)


@dataclass(frozen=True)
class Purchase:
    key: str  # unique within the item; ids derive from it
    role: str  # checking | savings | credit
    occurred_at: datetime
    descriptor: str
    merchant_name: str | None
    primary: str
    detailed: str
    channel: str
    pending_amount: Decimal | None  # None: posts at once, never pending
    posted_amount: Decimal
    posts_at: datetime
    cancelled: bool = False
    enriched_at: datetime | None = None  # when enrichment finds the merchant (a modification)
    enriched_name: str | None = None


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: EventKind
    purchase: Purchase


def events_between(
    seed: str,
    start: datetime,
    end: datetime,
    *,
    history_start: datetime,
    live_since: datetime | None = None,
    live_interval: timedelta | None = None,
) -> list[Event]:
    """Events with `start < at <= end`, in time order, of purchases made at or after
    `history_start`. With `live_interval`, a purchase also happens about every interval after
    `live_since`, posting minutes later: what a newcomer watching the app sees arrive."""
    events: list[Event] = []
    day = (start - MAX_POSTING_LAG).date()
    while day <= end.date():
        for purchase in daily_purchases(seed, day):
            events.extend(_events_of(purchase, start, end, history_start))
        day += timedelta(days=1)
    if live_interval is not None and live_since is not None:
        for purchase in _live_purchases(seed, live_since, start, end, live_interval):
            events.extend(_events_of(purchase, start, end, history_start))
    events.sort(key=lambda event: (event.at, _KIND_ORDER[event.kind], event.purchase.key))
    return events


_KIND_ORDER: Final = {"add_pending": 0, "add_posted": 1, "post": 2, "cancel": 3, "modify": 4}


def _events_of(
    purchase: Purchase, start: datetime, end: datetime, history_start: datetime
) -> Iterator[Event]:
    if purchase.occurred_at < history_start:
        return
    timeline: list[tuple[datetime, EventKind]] = []
    if purchase.pending_amount is None:
        timeline.append((purchase.posts_at, "add_posted"))
    else:
        timeline.append((purchase.occurred_at, "add_pending"))
        timeline.append((purchase.posts_at, "cancel" if purchase.cancelled else "post"))
    if purchase.enriched_at is not None and not purchase.cancelled:
        timeline.append((purchase.enriched_at, "modify"))
    for at, kind in timeline:
        if start < at <= end:
            yield Event(at, kind, purchase)


def daily_purchases(seed: str, day: date) -> list[Purchase]:
    rng = random.Random(f"{seed}:{day.isoformat()}")  # noqa: S311 - demo data, not security
    purchases = [
        _card_purchase(rng, seed, day, index) for index in range(rng.choice((1, 2, 2, 3, 3, 4, 5)))
    ]
    purchases.extend(_recurring(rng, seed, day))
    return purchases


def bulk_purchases(seed: str, batch: str, at: datetime, count: int) -> list[Purchase]:
    """`count` posted card purchases at `at` (the control API's bulk load)."""
    rng = random.Random(f"{seed}:bulk:{batch}")  # noqa: S311
    purchases = []
    for index in range(count):
        merchant = _pick_merchant(rng)
        amount = _amount(rng, merchant.low, merchant.high)
        purchases.append(
            Purchase(
                key=f"bulk:{batch}:{index}",
                role=rng.choice(("credit", "credit", "checking")),
                occurred_at=at,
                descriptor=_descriptor(rng, merchant.descriptor),
                merchant_name=merchant.merchant_name,
                primary=merchant.primary,
                detailed=merchant.detailed,
                channel=merchant.channel,
                pending_amount=None,
                posted_amount=amount,
                posts_at=at,
            )
        )
    return purchases


def _pick_merchant(rng: random.Random) -> Merchant:
    return rng.choices(catalog.MERCHANTS, weights=[m.weight for m in catalog.MERCHANTS])[0]


def _amount(rng: random.Random, low: Decimal, high: Decimal) -> Decimal:
    cents = rng.randint(int(low * 100), int(high * 100))
    return Decimal(cents) / 100


def _descriptor(rng: random.Random, template: str) -> str:
    return template.replace("{n}", str(rng.randint(100, 99999)).zfill(5))


def _card_purchase(rng: random.Random, seed: str, day: date, index: int) -> Purchase:
    merchant = _pick_merchant(rng)
    occurred_at = datetime.combine(day, time(7), UTC) + timedelta(seconds=rng.randint(0, 15 * 3600))
    amount = _amount(rng, merchant.low, merchant.high)
    pending_amount = amount
    if merchant.tips:
        tip = (amount * Decimal(rng.choice((15, 18, 20, 22))) / 100).quantize(CENT, ROUND_HALF_EVEN)
        amount += tip
    if merchant.fuel_hold:
        pending_amount = Decimal("100.00")
    posts_at = datetime.combine(day + timedelta(days=rng.randint(1, 3)), time(6), UTC)
    posts_at += timedelta(minutes=rng.randint(0, 180))
    enriched = merchant.merchant_name is not None and rng.random() < 0.08
    return Purchase(
        key=f"{day.isoformat()}:card:{index}",
        role="credit" if rng.random() < 0.7 else "checking",
        occurred_at=occurred_at,
        descriptor=_descriptor(rng, merchant.descriptor),
        # Enrichment sometimes lags: the name arrives as a modification a day after posting.
        merchant_name=None if enriched else merchant.merchant_name,
        primary=merchant.primary,
        detailed=merchant.detailed,
        channel=merchant.channel,
        pending_amount=pending_amount,
        posted_amount=amount,
        posts_at=posts_at,
        cancelled=rng.random() < 0.04,
        enriched_at=posts_at + timedelta(days=1) if enriched else None,
        enriched_name=merchant.merchant_name if enriched else None,
    )


def _recurring(rng: random.Random, seed: str, day: date) -> Iterator[Purchase]:
    def posted(item: Recurring, amount: Decimal, hour: int, suffix: str = "") -> Purchase:
        at = datetime.combine(day, time(hour), UTC)
        mask = account_mask(seed, "savings" if item.role == "checking" else "checking")
        return Purchase(
            key=f"{day.isoformat()}:{item.detailed}{suffix}",
            role=item.role,
            occurred_at=at,
            descriptor=item.descriptor.replace("{mask}", mask),
            merchant_name=item.merchant_name,
            primary=item.primary,
            detailed=item.detailed,
            channel=item.channel,
            pending_amount=None,
            posted_amount=amount,
            posts_at=at,
        )

    if (day - _PAYDAY_ANCHOR).days % 14 == 0:
        yield posted(catalog.SALARY, catalog.SALARY.amount, 5)
    if day.day == 1:
        yield posted(catalog.RENT, catalog.RENT.amount, 9)
    if day.day == 2:
        yield posted(catalog.TO_SAVINGS, catalog.TO_SAVINGS.amount, 8)
        yield posted(catalog.FROM_CHECKING, catalog.FROM_CHECKING.amount, 8)
    if day.day == 12:
        bill = catalog.UTILITIES.amount + _amount(rng, Decimal("-20"), Decimal("40"))
        yield posted(catalog.UTILITIES, bill, 10)
    if day.day == 15:
        yield posted(catalog.STREAMING, catalog.STREAMING.amount, 4)
    if day.day == 25:
        payment = _amount(rng, Decimal("450"), Decimal("1400"))
        yield posted(catalog.CARD_AUTOPAY, payment, 7)
        yield posted(catalog.CARD_PAYMENT_RECEIVED, -payment, 7)
    if (day + timedelta(days=1)).day == 1:
        yield posted(catalog.INTEREST, -_amount(rng, Decimal("8"), Decimal("14")), 3)


def _live_purchases(
    seed: str, live_since: datetime, start: datetime, end: datetime, interval: timedelta
) -> Iterator[Purchase]:
    seconds = interval.total_seconds()
    epoch = live_since.timestamp()
    first = max(0, int(((start - MAX_POSTING_LAG).timestamp() - epoch) // seconds))
    last = int((end.timestamp() - epoch) // seconds)
    for slot in range(first, last + 1):
        rng = random.Random(f"{seed}:live:{slot}")  # noqa: S311
        merchant = _pick_merchant(rng)
        occurred_at = datetime.fromtimestamp(epoch + (slot + rng.random()) * seconds, UTC)
        amount = _amount(rng, merchant.low, merchant.high)
        tip = (
            (amount * Decimal(18) / 100).quantize(CENT, ROUND_HALF_EVEN)
            if merchant.tips
            else Decimal(0)
        )
        yield Purchase(
            key=f"live:{slot}",
            role="credit" if rng.random() < 0.7 else "checking",
            occurred_at=occurred_at,
            descriptor=_descriptor(rng, merchant.descriptor),
            merchant_name=merchant.merchant_name,
            primary=merchant.primary,
            detailed=merchant.detailed,
            channel=merchant.channel,
            pending_amount=Decimal("100.00") if merchant.fuel_hold else amount,
            posted_amount=amount + tip,
            posts_at=occurred_at + timedelta(seconds=rng.randint(120, 300)),
        )


def account_id(seed: str, role: str) -> str:
    return stable_id(seed, "account", role)


def account_mask(seed: str, role: str) -> str:
    return str(int(stable_id(seed, "mask", role, length=8), 36) % 10000).zfill(4)


def transaction_id(seed: str, purchase_key: str, state: str) -> str:
    return stable_id(seed, "transaction", purchase_key, state)


def transaction_wire(
    seed: str, purchase: Purchase, *, pending: bool, enriched: bool = False
) -> dict[str, Any]:
    """The purchase as Plaid's Transaction JSON (pending or posted state)."""
    amount = purchase.pending_amount if pending else purchase.posted_amount
    assert amount is not None
    merchant_name = purchase.merchant_name
    if enriched and merchant_name is None:
        merchant_name = purchase.enriched_name
    posted_on = purchase.posts_at.date()
    authorized = purchase.occurred_at
    has_pending = purchase.pending_amount is not None
    return {
        "transaction_id": transaction_id(seed, purchase.key, "pending" if pending else "posted"),
        "account_id": account_id(seed, purchase.role),
        "amount": float(amount),
        "iso_currency_code": "USD",
        "unofficial_currency_code": None,
        "date": (authorized.date() if pending else posted_on).isoformat(),
        "authorized_date": authorized.date().isoformat(),
        "authorized_datetime": _iso(authorized) if purchase.channel != "other" else None,
        "datetime": _iso(authorized) if pending else _iso(purchase.posts_at),
        "pending": pending,
        "pending_transaction_id": (
            transaction_id(seed, purchase.key, "pending") if has_pending and not pending else None
        ),
        "name": purchase.descriptor,
        "merchant_name": merchant_name,
        "merchant_entity_id": stable_id("merchant", merchant_name, length=20)
        if merchant_name
        else None,
        "logo_url": None,
        "website": None,
        "payment_channel": purchase.channel,
        "personal_finance_category": {
            "primary": purchase.primary,
            "detailed": purchase.detailed,
            "confidence_level": "VERY_HIGH" if merchant_name else "MEDIUM",
        },
        "category": None,
        "category_id": None,
        "check_number": None,
        "account_owner": None,
        "transaction_code": None,
        "transaction_type": "place" if purchase.channel == "in store" else "special",
        "location": {
            "address": None,
            "city": None,
            "region": None,
            "postal_code": None,
            "country": None,
            "lat": None,
            "lon": None,
            "store_number": None,
        },
        "payment_meta": {
            "by_order_of": None,
            "payee": None,
            "payer": None,
            "payment_method": None,
            "payment_processor": None,
            "ppd_id": None,
            "reason": None,
            "reference_number": None,
        },
        "counterparties": [],
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
