"""The demo bank's state and the Plaid operations on it (the HTTP layer is in app.py).

Each item keeps the transactions as they stand and an append-only *change log* (added, modified,
removed). A /transactions/sync cursor is a position in that log plus the log length when the
pagination run began; a page is the next `count` log entries. If the log grows while a run is
still paging, the next page fails with TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, as Plaid's
does, and the client restarts from the cursor the run began with.

Time comes from `DemoClock`: real time (optionally shifted), or frozen for tests; either way
`advance` moves it. Before any item is read, the generator's events up to "now" are applied.

Every operation returns Plaid's JSON (without `request_id`, which the HTTP layer adds) or raises
`PlaidErrorResponse`. Webhooks to send are queued in `outbox` for the HTTP layer to deliver.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from family_budget.demo_bank import catalog, generator
from family_budget.demo_bank.generator import Event, EventKind
from family_budget.demo_bank.signing import WebhookSigner

LINK_TOKEN_LIFETIME: Final = timedelta(hours=4)
PUBLIC_TOKEN_LIFETIME: Final = timedelta(minutes=30)
MAX_SYNC_COUNT: Final = 500
ENVIRONMENT: Final = "sandbox"

# error_code -> (error_type, HTTP status, error_message)
KNOWN_ERRORS: Final[dict[str, tuple[str, int, str]]] = {
    "RATE_LIMIT_EXCEEDED": (
        "RATE_LIMIT_EXCEEDED", 429, "rate limit exceeded. please try again later"),
    "TRANSACTIONS_SYNC_LIMIT": (
        "RATE_LIMIT_EXCEEDED", 429,
        "rate limit exceeded for attempts to access this item. please try again later"),
    "ACCOUNTS_LIMIT": (
        "RATE_LIMIT_EXCEEDED", 429,
        "rate limit exceeded for attempts to access this item. please try again later"),
    "INSTITUTION_DOWN": (
        "INSTITUTION_ERROR", 400, "this institution is not currently responding to this request"),
    "INSTITUTION_NOT_RESPONDING": (
        "INSTITUTION_ERROR", 400, "this institution is not currently responding to this request"),
    "INTERNAL_SERVER_ERROR": (
        "API_ERROR", 500, "an unexpected error occurred"),
    "PLANNED_MAINTENANCE": (
        "API_ERROR", 503, "the Plaid API is temporarily unavailable due to planned maintenance"),
    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": (
        "TRANSACTIONS_ERROR", 400,
        "Underlying transaction data changed since last page was fetched. "
        "Please restart pagination from last update."),
    "ITEM_LOGIN_REQUIRED": (
        "ITEM_ERROR", 400,
        "the login details of this item have changed (credentials, MFA, or required user action) "
        "and a user login is required to update this information. use Link's update mode to "
        "restore the item to a good state"),
}  # fmt: skip
_LOGIN_REQUIRED_DISPLAY: Final = "Please update your login credentials."


class PlaidErrorResponse(Exception):
    """A failure as Plaid reports it: a PlaidError body with an HTTP status."""

    def __init__(
        self,
        error_type: str,
        error_code: str,
        error_message: str,
        *,
        http_status: int = 400,
        display_message: str | None = None,
    ) -> None:
        super().__init__(f"{error_type}/{error_code}")
        self.error_type = error_type
        self.error_code = error_code
        self.error_message = error_message
        self.http_status = http_status
        self.display_message = display_message

    @classmethod
    def known(cls, error_code: str) -> PlaidErrorResponse:
        error_type, status, message = KNOWN_ERRORS[error_code]
        display = _LOGIN_REQUIRED_DISPLAY if error_code == "ITEM_LOGIN_REQUIRED" else None
        return cls(error_type, error_code, message, http_status=status, display_message=display)

    def body(self) -> dict[str, Any]:
        return {
            "error_type": self.error_type,
            "error_code": self.error_code,
            "error_code_reason": None,
            "error_message": self.error_message,
            "display_message": self.display_message,
            "causes": [],
            "documentation_url": "",
            "suggested_action": None,
        }


def invalid_input(code: str, message: str) -> PlaidErrorResponse:
    return PlaidErrorResponse("INVALID_INPUT", code, message)


def invalid_request(code: str, message: str) -> PlaidErrorResponse:
    return PlaidErrorResponse("INVALID_REQUEST", code, message)


class DemoClock:
    """Real time shifted by `offset`, or a frozen instant (tests); `advance` moves either."""

    def __init__(
        self, *, frozen_at: datetime | None = None, now: Callable[[], datetime] | None = None
    ) -> None:
        self._frozen_at = frozen_at
        self._real_now = now or (lambda: datetime.now(UTC))
        self.offset = timedelta(0)

    @property
    def realtime(self) -> bool:
        return self._frozen_at is None

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else self._real_now()
        return base + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta


@dataclass
class ErrorRule:
    endpoint: str
    error_code: str
    times: int
    after: int = 0
    item_id: str | None = None
    error_type: str | None = None
    http_status: int | None = None


@dataclass
class Item:
    item_id: str
    access_token: str
    institution_id: str
    seed: str
    webhook: str | None
    created_at: datetime
    history_start: datetime
    generated_until: datetime
    login_required: bool = False
    sync_called: bool = False
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    batches: int = 0
    last_sync_at: datetime | None = None

    @property
    def institution(self) -> catalog.Institution:
        return catalog.INSTITUTIONS_BY_ID[self.institution_id]


@dataclass
class LinkTokenRecord:
    link_token: str
    expiration: datetime
    webhook: str | None
    item_id: str | None  # update mode
    client_user_id: str


@dataclass
class PublicTokenRecord:
    item_id: str
    expiration: datetime


class DemoBank:
    """All state of the demo bank; every public method is one Plaid or control operation."""

    def __init__(
        self,
        *,
        clock: DemoClock | None = None,
        seed: str = "family-budget-demo",
        history_days: int = 90,
        live_interval: timedelta | None = None,
        signer: WebhookSigner | None = None,
        default_webhook: str | None = None,
    ) -> None:
        self.clock = clock or DemoClock()
        self.seed = seed
        self.history_days = history_days
        self.live_interval = live_interval
        self.signer = signer or WebhookSigner()
        self.default_webhook = default_webhook
        self.items: dict[str, Item] = {}
        self.items_by_token: dict[str, str] = {}
        self.link_tokens: dict[str, LinkTokenRecord] = {}
        self.public_tokens: dict[str, PublicTokenRecord] = {}
        self.error_rules: list[ErrorRule] = []
        self.outbox: list[tuple[str, dict[str, Any]]] = []
        self.items_created = 0
        # The HTTP layer runs every operation under this lock: handlers, the ticker and the
        # persistence all touch the same dictionaries.
        self.lock = threading.RLock()

    # ------------------------------------------------------------------------------------------
    # Link

    def create_link_token(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "client_name", "language", "country_codes")
        user = body.get("user")
        client_user_id = user.get("client_user_id") if isinstance(user, dict) else None
        if not isinstance(client_user_id, str) or not client_user_id:
            raise invalid_request(
                "MISSING_FIELDS", "the following required fields are missing: user.client_user_id"
            )
        item_id = None
        if body.get("access_token"):
            item = self._item_for(body["access_token"], allow_login_required=True)
            item_id = item.item_id
        elif not body.get("products"):
            raise invalid_request("MISSING_FIELDS", "products is required outside update mode")
        now = self.clock.now()
        token = f"link-{ENVIRONMENT}-{uuid.uuid4()}"
        expiration = now + LINK_TOKEN_LIFETIME
        self.link_tokens[token] = LinkTokenRecord(
            link_token=token,
            expiration=expiration,
            webhook=body.get("webhook") or self.default_webhook,
            item_id=item_id,
            client_user_id=client_user_id,
        )
        return {"link_token": token, "expiration": _iso(expiration)}

    def link_session(self, link_token: str) -> LinkTokenRecord:
        record = self.link_tokens.get(link_token)
        if record is None or record.expiration < self.clock.now():
            raise invalid_input("INVALID_LINK_TOKEN", "provided link token is invalid or expired")
        return record

    def complete_link(
        self, link_token: str, institution_id: str | None, username: str, password: str
    ) -> dict[str, Any]:
        """What Link does when the user submits: a public token and the onSuccess metadata."""
        record = self.link_session(link_token)
        if (username, password) != (catalog.DEMO_USERNAME, catalog.DEMO_PASSWORD):
            raise PlaidErrorResponse(
                "ITEM_ERROR",
                "INVALID_CREDENTIALS",
                "the provided credentials were not correct",
                display_message="The username or password is incorrect. "
                f"Use {catalog.DEMO_USERNAME} / {catalog.DEMO_PASSWORD}.",
            )
        if record.item_id is not None:
            item = self.items[record.item_id]
            if item.login_required:
                item.login_required = False
                self._queue_webhook(item, "ITEM", "LOGIN_REPAIRED", {})
        else:
            if institution_id not in catalog.INSTITUTIONS_BY_ID:
                raise invalid_input("INVALID_INSTITUTION", "invalid institution_id provided")
            assert institution_id is not None
            item = self._create_item(institution_id, record.webhook)
        del self.link_tokens[link_token]
        public_token = self._public_token(item)
        return {
            "public_token": public_token,
            "metadata": {
                "institution": {
                    "institution_id": item.institution_id,
                    "name": item.institution.name,
                },
                "accounts": [
                    {
                        "id": account["account_id"],
                        "name": account["name"],
                        "mask": account["mask"],
                        "type": account["type"],
                        "subtype": account["subtype"],
                    }
                    for account in self._accounts(item)
                ],
                "link_session_id": str(uuid.uuid4()),
            },
        }

    def sandbox_public_token_create(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "institution_id", "initial_products")
        if body["institution_id"] not in catalog.INSTITUTIONS_BY_ID:
            raise invalid_input("INVALID_INSTITUTION", "invalid institution_id provided")
        options = body.get("options") or {}
        item = self._create_item(
            body["institution_id"], options.get("webhook") or self.default_webhook
        )
        return {"public_token": self._public_token(item)}

    def exchange_public_token(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "public_token")
        record = self.public_tokens.pop(body["public_token"], None)
        if record is None or record.expiration < self.clock.now():
            raise invalid_input("INVALID_PUBLIC_TOKEN", "provided public token is expired")
        item = self.items[record.item_id]
        return {"access_token": item.access_token, "item_id": item.item_id}

    # ------------------------------------------------------------------------------------------
    # Items and accounts

    def accounts_get(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item_for(_access_token(body))
        return {"accounts": self._accounts(item), "item": self._item_json(item)}

    def item_get(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item_for(_access_token(body), allow_login_required=True)
        last_sync = _iso(item.last_sync_at) if item.last_sync_at else None
        return {
            "item": self._item_json(item),
            "status": {
                "transactions": {"last_successful_update": last_sync, "last_failed_update": None},
                "last_webhook": None,
            },
        }

    def item_remove(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item_for(_access_token(body), allow_login_required=True)
        del self.items[item.item_id]
        del self.items_by_token[item.access_token]
        return {}

    def webhook_verification_key_get(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "key_id")
        if body["key_id"] != self.signer.kid:
            raise invalid_input("INVALID_WEBHOOK_VERIFICATION_KEY_ID", "invalid key_id provided")
        return {"key": self.signer.jwk()}

    # ------------------------------------------------------------------------------------------
    # Transactions

    def transactions_sync(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item_for(_access_token(body))
        count = body.get("count", 100)
        if (
            not isinstance(count, int)
            or isinstance(count, bool)
            or not 1 <= count <= MAX_SYNC_COUNT
        ):
            raise invalid_request("INVALID_FIELD", "count must be an integer from 1 to 500")
        position, run_end = _decode_cursor(body.get("cursor") or "", item.item_id)
        if position >= run_end:
            run_end = len(item.log)  # a new run pages up to what exists now
        elif len(item.log) != run_end:
            raise PlaidErrorResponse.known("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION")
        if position > len(item.log):
            raise invalid_request("INVALID_FIELD", "cursor is not valid for this item")
        page_end = min(position + count, run_end)
        added: list[dict[str, Any]] = []
        modified: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        for kind, payload in item.log[position:page_end]:
            {"added": added, "modified": modified, "removed": removed}[kind].append(payload)
        touched = {t["account_id"] for t in (*added, *modified, *removed)}
        item.sync_called = True
        item.last_sync_at = self.clock.now()
        return {
            "added": added,
            "modified": modified,
            "removed": removed,
            "accounts": [a for a in self._accounts(item) if a["account_id"] in touched],
            "next_cursor": _encode_cursor(item.item_id, page_end, run_end),
            "has_more": page_end < run_end,
            "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE",
        }

    # ------------------------------------------------------------------------------------------
    # Sandbox helpers

    def sandbox_item_fire_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item_for(_access_token(body), allow_login_required=True)
        code = body.get("webhook_code")
        if code == "SYNC_UPDATES_AVAILABLE":
            self._queue_sync_webhook(item, force=True)
        elif code in ("NEW_ACCOUNTS_AVAILABLE", "LOGIN_REPAIRED"):
            self._queue_webhook(item, "ITEM", code, {})
        elif code == "PENDING_EXPIRATION":
            expires = self.clock.now() + timedelta(days=7)
            self._queue_webhook(item, "ITEM", code, {"consent_expiration_time": _iso(expires)})
        elif code == "ERROR":
            self._login_broken(item)
        else:
            raise invalid_request("INVALID_FIELD", f"webhook_code {code!r} is not supported")
        return {"webhook_fired": True}

    def sandbox_item_reset_login(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item_for(_access_token(body), allow_login_required=True)
        self._login_broken(item)
        return {"reset_login": True}

    # ------------------------------------------------------------------------------------------
    # Control API (the demo's own, not Plaid's)

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.catch_up_all()

    def catch_up_all(self) -> None:
        for item in list(self.items.values()):
            self._catch_up(item)

    def inject_error(self, rule: ErrorRule) -> None:
        if rule.error_code not in KNOWN_ERRORS and not (rule.error_type and rule.http_status):
            raise invalid_request(
                "INVALID_FIELD",
                f"unknown error_code {rule.error_code!r}: give error_type and http_status",
            )
        if rule.error_code == "ITEM_LOGIN_REQUIRED":
            item = self.items.get(rule.item_id or "")
            if item is None:
                raise invalid_request("INVALID_FIELD", "ITEM_LOGIN_REQUIRED needs an item_id")
            self._login_broken(item)
            return
        self.error_rules.append(rule)

    def add_transactions(
        self,
        item_id: str,
        *,
        count: int = 1,
        pending: bool = False,
        amount: Decimal | None = None,
        merchant: str | None = None,
    ) -> list[str]:
        """New transactions happening now: `count` posted ones, or one pending purchase."""
        item = self._item_by_id(item_id)
        self._catch_up(item)
        item.batches += 1
        now = self.clock.now()
        purchases = generator.bulk_purchases(item.seed, f"{item.batches}", now, count)
        if pending or amount is not None or merchant:
            base = purchases[0]
            purchases = [
                dataclasses.replace(
                    base,
                    descriptor=merchant or base.descriptor,
                    merchant_name=merchant or base.merchant_name,
                    pending_amount=(amount or base.posted_amount) if pending else None,
                    posted_amount=amount or base.posted_amount,
                )
            ]
        ids = []
        for purchase in purchases:
            kind: EventKind = "add_pending" if purchase.pending_amount is not None else "add_posted"
            self._apply(item, Event(now, kind, purchase))
            ids.append(
                generator.transaction_id(
                    item.seed, purchase.key, "pending" if pending else "posted"
                )
            )
        self._queue_sync_webhook(item)
        return ids

    def post_transaction(
        self, item_id: str, transaction_id: str, amount: Decimal | None = None
    ) -> str:
        """A pending transaction posts, optionally for another amount (a tip)."""
        item = self._item_by_id(item_id)
        pending = item.transactions.get(transaction_id)
        if pending is None or not pending["pending"]:
            raise invalid_input("INVALID_FIELD", "no pending transaction with that id")
        now = self.clock.now()
        posted = {
            **pending,
            "transaction_id": generator.stable_id(item.seed, "posted", transaction_id),
            "pending": False,
            "pending_transaction_id": transaction_id,
            "amount": float(amount) if amount is not None else pending["amount"],
            "date": now.date().isoformat(),
            "datetime": _iso(now),
        }
        self._remove(item, transaction_id)
        self._add(item, posted)
        self._queue_sync_webhook(item)
        return str(posted["transaction_id"])

    def modify_transaction(
        self, item_id: str, transaction_id: str, changes: dict[str, Any]
    ) -> None:
        item = self._item_by_id(item_id)
        current = item.transactions.get(transaction_id)
        if current is None:
            raise invalid_input("INVALID_FIELD", "no transaction with that id")
        allowed = {"name", "merchant_name", "amount"}
        if not set(changes) <= allowed:
            raise invalid_request("INVALID_FIELD", f"only {sorted(allowed)} can change")
        updated = {**current, **changes}
        if "amount" in changes:
            updated["amount"] = float(_decimal(changes["amount"]))
        item.transactions[transaction_id] = updated
        item.log.append(("modified", updated))
        self._queue_sync_webhook(item)

    def remove_transaction(self, item_id: str, transaction_id: str) -> None:
        item = self._item_by_id(item_id)
        if transaction_id not in item.transactions:
            raise invalid_input("INVALID_FIELD", "no transaction with that id")
        self._remove(item, transaction_id)
        self._queue_sync_webhook(item)

    def check_injected_error(self, endpoint: str, body: dict[str, Any]) -> None:
        """Raise the error a control call queued for this endpoint (and item), if any."""
        token = body.get("access_token")
        item_id = self.items_by_token.get(token) if isinstance(token, str) else None
        for rule in list(self.error_rules):
            if rule.endpoint not in (endpoint, "*"):
                continue
            if rule.item_id is not None and rule.item_id != item_id:
                continue
            if rule.after > 0:
                rule.after -= 1
                continue
            rule.times -= 1
            if rule.times <= 0:
                self.error_rules.remove(rule)
            if rule.error_code == "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION" and item_id:
                # A real mutation: new data arrives mid-run, and the sync itself notices it.
                self.add_transactions(item_id, count=1)
                return
            if rule.error_code in KNOWN_ERRORS and rule.error_type is None:
                raise PlaidErrorResponse.known(rule.error_code)
            raise PlaidErrorResponse(
                rule.error_type or "API_ERROR",
                rule.error_code,
                "injected error",
                http_status=rule.http_status or 400,
            )

    # ------------------------------------------------------------------------------------------
    # Internals

    def _create_item(self, institution_id: str, webhook: str | None) -> Item:
        self.items_created += 1
        seed = f"{self.seed}:{self.items_created}:{institution_id}"
        item_id = generator.stable_id(seed, "item")
        now = self.clock.now()
        item = Item(
            item_id=item_id,
            access_token=f"access-{ENVIRONMENT}-{uuid.uuid4()}",
            institution_id=institution_id,
            seed=seed,
            webhook=webhook,
            created_at=now,
            history_start=now - timedelta(days=self.history_days),
            generated_until=now - timedelta(days=self.history_days),
        )
        self.items[item_id] = item
        self.items_by_token[item.access_token] = item_id
        self._catch_up(item)
        # A new item's first sync lists the transactions as they stand (oldest first), not the
        # history of how they came to be.
        item.log = [
            ("added", wire)
            for wire in sorted(item.transactions.values(), key=lambda w: (w["date"], w["datetime"]))
        ]
        self.outbox = [entry for entry in self.outbox if entry[1].get("item_id") != item_id]
        return item

    def _public_token(self, item: Item) -> str:
        token = f"public-{ENVIRONMENT}-{uuid.uuid4()}"
        self.public_tokens[token] = PublicTokenRecord(
            item_id=item.item_id, expiration=self.clock.now() + PUBLIC_TOKEN_LIFETIME
        )
        return token

    def _item_for(self, access_token: str, *, allow_login_required: bool = False) -> Item:
        item_id = self.items_by_token.get(access_token)
        if item_id is None:
            raise invalid_input(
                "INVALID_ACCESS_TOKEN",
                "provided access token is in an invalid format or no longer exists",
            )
        item = self.items[item_id]
        self._catch_up(item)
        if item.login_required and not allow_login_required:
            raise PlaidErrorResponse.known("ITEM_LOGIN_REQUIRED")
        return item

    def _item_by_id(self, item_id: str) -> Item:
        item = self.items.get(item_id)
        if item is None:
            raise invalid_input("ITEM_NOT_FOUND", "no item with that item_id")
        return item

    def _catch_up(self, item: Item) -> None:
        now = self.clock.now()
        if now <= item.generated_until:
            return
        events = generator.events_between(
            item.seed,
            item.generated_until,
            now,
            history_start=item.history_start,
            live_since=item.created_at if self.live_interval else None,
            live_interval=self.live_interval,
        )
        item.generated_until = now
        for event in events:
            self._apply(item, event)
        if events:
            self._queue_sync_webhook(item)

    def _apply(self, item: Item, event: Event) -> None:
        purchase, seed = event.purchase, item.seed
        if event.kind == "add_pending":
            self._add(item, generator.transaction_wire(seed, purchase, pending=True))
        elif event.kind == "add_posted":
            self._add(item, generator.transaction_wire(seed, purchase, pending=False))
        elif event.kind in ("post", "cancel"):
            pending_id = generator.transaction_id(seed, purchase.key, "pending")
            if pending_id in item.transactions:
                self._remove(item, pending_id)
                if event.kind == "post":
                    self._add(item, generator.transaction_wire(seed, purchase, pending=False))
        elif event.kind == "modify":
            posted_id = generator.transaction_id(seed, purchase.key, "posted")
            if posted_id in item.transactions:
                wire = generator.transaction_wire(seed, purchase, pending=False, enriched=True)
                item.transactions[posted_id] = wire
                item.log.append(("modified", wire))

    def _add(self, item: Item, wire: dict[str, Any]) -> None:
        item.transactions[wire["transaction_id"]] = wire
        item.log.append(("added", wire))

    def _remove(self, item: Item, transaction_id: str) -> None:
        wire = item.transactions.pop(transaction_id)
        item.log.append(
            ("removed", {"transaction_id": transaction_id, "account_id": wire["account_id"]})
        )

    def _login_broken(self, item: Item) -> None:
        if item.login_required:
            return
        item.login_required = True
        error = PlaidErrorResponse.known("ITEM_LOGIN_REQUIRED").body()
        self._queue_webhook(item, "ITEM", "ERROR", {"error": {**error, "status": 400}})

    def _queue_sync_webhook(self, item: Item, *, force: bool = False) -> None:
        # Plaid sends SYNC_UPDATES_AVAILABLE only once /transactions/sync has been called.
        if not (item.sync_called or force):
            return
        if any(
            url == item.webhook
            and body.get("item_id") == item.item_id
            and body.get("webhook_code") == "SYNC_UPDATES_AVAILABLE"
            for url, body in self.outbox
        ):
            return  # one notice per batch of changes is enough
        self._queue_webhook(
            item,
            "TRANSACTIONS",
            "SYNC_UPDATES_AVAILABLE",
            {"initial_update_complete": True, "historical_update_complete": True},
        )

    def _queue_webhook(
        self, item: Item, webhook_type: str, webhook_code: str, fields: dict[str, Any]
    ) -> None:
        if not item.webhook:
            return
        body = {
            "environment": ENVIRONMENT,
            "item_id": item.item_id,
            "webhook_code": webhook_code,
            "webhook_type": webhook_type,
            **fields,
        }
        self.outbox.append((item.webhook, body))

    def _accounts(self, item: Item) -> list[dict[str, Any]]:
        posted = {"checking": Decimal(0), "savings": Decimal(0), "credit": Decimal(0)}
        pending = dict.fromkeys(posted, Decimal(0))
        roles = {generator.account_id(item.seed, role): role for role in posted}
        for wire in item.transactions.values():
            role = roles[wire["account_id"]]
            amount = Decimal(str(wire["amount"]))
            (pending if wire["pending"] else posted)[role] += amount
        institution = item.institution
        accounts = []
        for role, name, account_type, subtype in (
            ("checking", institution.checking_name, "depository", "checking"),
            ("savings", institution.savings_name, "depository", "savings"),
            ("credit", institution.card_name, "credit", "credit card"),
        ):
            opening = catalog.OPENING_BALANCES[role]
            if account_type == "credit":  # a card's balance is what is owed
                current = opening + posted[role]
                available = catalog.CARD_LIMIT - current - pending[role]
                limit: float | None = float(catalog.CARD_LIMIT)
            else:
                current = opening - posted[role]
                available = current - pending[role]
                limit = None
            accounts.append(
                {
                    "account_id": generator.account_id(item.seed, role),
                    "balances": {
                        "available": float(available),
                        "current": float(current),
                        "limit": limit,
                        "iso_currency_code": "USD",
                        "unofficial_currency_code": None,
                    },
                    "mask": generator.account_mask(item.seed, role),
                    "name": name,
                    "official_name": f"{institution.name} {name}",
                    "type": account_type,
                    "subtype": subtype,
                }
            )
        return accounts

    def _item_json(self, item: Item) -> dict[str, Any]:
        error = None
        if item.login_required:
            error = {**PlaidErrorResponse.known("ITEM_LOGIN_REQUIRED").body(), "status": 400}
        return {
            "item_id": item.item_id,
            "institution_id": item.institution_id,
            "institution_name": item.institution.name,
            "webhook": item.webhook or "",
            "error": error,
            "available_products": ["balance"],
            "billed_products": ["transactions"],
            "products": ["transactions"],
            "consented_products": ["transactions"],
            "consent_expiration_time": None,
            "update_type": "background",
            "created_at": _iso(item.created_at),
        }


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if body.get(name) in (None, "", [])]
    if missing:
        raise invalid_request(
            "MISSING_FIELDS", f"the following required fields are missing: {', '.join(missing)}"
        )


def _access_token(body: dict[str, Any]) -> str:
    _require(body, "access_token")
    token = body["access_token"]
    if not isinstance(token, str):
        raise invalid_request("INVALID_FIELD", "access_token must be a string")
    return token


def _encode_cursor(item_id: str, position: int, run_end: int) -> str:
    raw = json.dumps({"i": item_id[:12], "p": position, "e": run_end}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii")


def _decode_cursor(cursor: str, item_id: str) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        position, run_end = int(data["p"]), int(data["e"])
        if data["i"] != item_id[:12] or position < 0 or run_end < 0:
            raise ValueError("cursor of another item")
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
        raise invalid_request("INVALID_FIELD", "cursor is not valid for this item") from None
    return position, run_end


def _decimal(value: object) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise invalid_request("INVALID_FIELD", f"not an amount: {value!r}") from None
    if not result.is_finite():
        raise invalid_request("INVALID_FIELD", f"not an amount: {value!r}")
    return result


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_request_id() -> str:
    return secrets.token_urlsafe(11)[:15]
