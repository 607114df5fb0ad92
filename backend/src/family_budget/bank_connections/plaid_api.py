"""Plaid through its official client (plaid-python): typed calls, one error type, sync paging.

Everything here is synchronous, like plaid-python itself (urllib3 underneath): a worker task calls
it directly, an async route through `anyio.to_thread.run_sync`. Nothing here touches the database;
the service that stores connections calls these functions and keeps the results.

Settings (a contract shared with the infrastructure and the demo bank):

- ``PLAID_CLIENT_ID``, ``PLAID_SECRET``: the keys Plaid issues per environment.
- ``PLAID_ENV``: ``sandbox`` | ``production`` | ``development``. Plaid retired its Development
  host in June 2024 and moved free live-data access into Production ("Limited Production"), so
  ``development`` is taken to mean the Production host. The old ``PLAID_ENVIRONMENT`` name is read
  too.
- ``PLAID_API_URL``: when set, replaces the environment's host (the demo bank, tests).
- ``PLAID_WEBHOOK_URL``: where Plaid posts webhooks; sent with every new link token.

Secrets: the access token travels only in request bodies; neither it nor the secret is logged or
put into an exception message (plaid-python's own exception text holds the response body, never
the request, and is not chained into ours).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from plaid.api import plaid_api
    from plaid.exceptions import ApiException

from family_budget import money
from family_budget.config import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

SYNC_PAGE_SIZE: Final = 500  # the most /transactions/sync returns per page
HISTORY_DAYS_REQUESTED: Final = 730  # ask for two years of history when an item is linked
CLIENT_NAME: Final = "Family Budget"  # at most 30 characters, or Link shows "This Application"
# (connect, read) seconds; a sync page of 500 transactions can take a while to assemble.
REQUEST_TIMEOUT: Final = (10.0, 60.0)

# Names of plaid-python's `plaid.Environment` hosts, read when a client is built.
_HOSTS: Final = {
    "sandbox": "Sandbox",
    "production": "Production",
    "development": "Production",
}

ITEM_LOGIN_REQUIRED: Final = "ITEM_LOGIN_REQUIRED"
MUTATION_DURING_PAGINATION: Final = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"
_INSTITUTION_UNAVAILABLE: Final = frozenset({"INSTITUTION_DOWN", "INSTITUTION_NOT_RESPONDING"})


class PlaidNotConfiguredError(RuntimeError):
    """PLAID_CLIENT_ID / PLAID_SECRET are missing."""


class UnsupportedCurrencyError(ValueError):
    """An amount in a currency we cannot turn into minor units (e.g. Plaid's unofficial ones)."""


class PlaidApiError(Exception):
    """Any failed Plaid call, as Plaid's error object describes it (plus the HTTP status).

    `retryable` is the one decision callers need: rate limits, an institution that is down or not
    responding, and Plaid's own failures pass with time; everything else (ITEM_LOGIN_REQUIRED
    above all: only the user can fix it, in Link's update mode) does not.
    """

    def __init__(
        self,
        *,
        error_type: str,
        error_code: str,
        http_status: int | None,
        display_message: str | None = None,
        error_message: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"Plaid {error_type}/{error_code} (HTTP {http_status})")
        self.error_type = error_type
        self.error_code = error_code
        self.http_status = http_status
        self.display_message = display_message
        self.error_message = error_message
        self.request_id = request_id

    @property
    def retryable(self) -> bool:
        if self.error_code == ITEM_LOGIN_REQUIRED:
            return False
        if self.http_status == 429 or self.error_type == "RATE_LIMIT_EXCEEDED":
            return True
        if self.error_code in _INSTITUTION_UNAVAILABLE:
            return True
        return self.error_type == "API_ERROR" or (self.http_status or 0) >= 500

    @property
    def login_required(self) -> bool:
        return self.error_code == ITEM_LOGIN_REQUIRED

    @classmethod
    def from_api_exception(cls, exc: ApiException) -> PlaidApiError:
        status = int(exc.status) if exc.status is not None else None
        body = _json_object(exc.body)
        if body is None or "error_code" not in body:
            # Not Plaid speaking (a proxy's 502, an HTML page): judged by the status alone.
            return cls(error_type="API_ERROR", error_code=f"HTTP_{status}", http_status=status)
        return cls(
            error_type=str(body.get("error_type") or "API_ERROR"),
            error_code=str(body["error_code"]),
            http_status=status,
            display_message=body.get("display_message"),
            error_message=body.get("error_message"),
            request_id=body.get("request_id"),
        )


def _json_object(body: object) -> dict[str, Any] | None:
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


# ---------------------------------------------------------------------------------------------
# Money and retry rules (pure functions)


def plaid_amount_to_minor(amount: float | int | Decimal | str, currency: str | None) -> int:
    """Plaid's amount as our integer minor units, with our sign: positive is money IN.

    Plaid's positive is money leaving the account, so the sign flips. JSON numbers arrive as
    floats; `str()` of a float is its shortest round-tripping decimal (72.1 -> "72.1"), so going
    through Decimal(str(...)) never picks up binary noise. Digits beyond the currency's minor unit
    (rare; some feeds send three) round half to even, like the banks' own ledgers.
    """
    if currency is None or not money.is_currency(currency):
        raise UnsupportedCurrencyError(f"no minor unit known for currency {currency!r}")
    if isinstance(amount, bool):
        raise TypeError("an amount cannot be a bool")
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    minor = int((-value).scaleb(money.exponent(currency)).to_integral_value())
    if abs(minor) > money.MAX_AMOUNT_MINOR:
        raise ValueError(f"amount out of range: {amount!r}")
    return minor


def backoff_delay(
    attempt: int, rng: random.Random, *, base_seconds: float = 1.0, cap_seconds: float = 60.0
) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. The jitter
    keeps many workers that failed together from retrying together.
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    ceiling = cap_seconds if attempt >= 64 else min(cap_seconds, base_seconds * 2**attempt)
    return rng.uniform(0.0, ceiling)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry retryable errors; `sleep` and `rng` are injectable."""

    max_attempts: int = 4
    base_seconds: float = 1.0
    cap_seconds: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.SystemRandom)

    def wait(self, attempt: int) -> None:
        self.sleep(
            backoff_delay(
                attempt, self.rng, base_seconds=self.base_seconds, cap_seconds=self.cap_seconds
            )
        )


# ---------------------------------------------------------------------------------------------
# What the calls return


@dataclass(frozen=True)
class LinkToken:
    link_token: str
    expiration: datetime


@dataclass(frozen=True)
class ExchangedItem:
    access_token: str = field(repr=False)
    item_id: str


@dataclass(frozen=True)
class PlaidAccount:
    account_id: str
    name: str
    official_name: str | None
    mask: str | None
    type: str  # depository, credit, loan, investment, other
    subtype: str | None
    currency: str | None
    # Balances as Plaid reports them (for a credit card, `current` is what is owed).
    current_balance: Decimal | None
    available_balance: Decimal | None


@dataclass(frozen=True)
class PlaidItem:
    item_id: str
    institution_id: str | None
    institution_name: str | None
    webhook: str | None
    consent_expiration_time: datetime | None
    error: PlaidApiError | None  # e.g. ITEM_LOGIN_REQUIRED while the login is broken


@dataclass(frozen=True)
class SyncedTransaction:
    transaction_id: str
    account_id: str
    # Plaid's amount exactly as sent (positive = money out); `amount_minor` is ours.
    plaid_amount: Decimal
    iso_currency_code: str | None
    unofficial_currency_code: str | None
    # Plaid's `date`: for a pending transaction the day it happened, for a posted one the day it
    # posted. `authorized_on` (Plaid's authorized_date) is what Plaid suggests showing.
    dated_on: date
    authorized_on: date | None
    pending: bool
    pending_transaction_id: str | None  # a posted transaction names the pending one it replaces
    name: str
    merchant_name: str | None
    payment_channel: str
    category_primary: str | None
    category_detailed: str | None

    @property
    def amount_minor(self) -> int:
        """Inflow-positive integer minor units (raises UnsupportedCurrencyError)."""
        return plaid_amount_to_minor(self.plaid_amount, self.iso_currency_code)


@dataclass(frozen=True)
class RemovedTransaction:
    transaction_id: str
    account_id: str | None


@dataclass(frozen=True)
class SyncResult:
    """Every page of one /transactions/sync run, to be applied together, then `next_cursor` kept."""

    added: list[SyncedTransaction]
    modified: list[SyncedTransaction]
    removed: list[RemovedTransaction]
    accounts: list[PlaidAccount]
    next_cursor: str
    transactions_update_status: str
    pages: int
    restarts: int


# ---------------------------------------------------------------------------------------------
# The client


def plaid_host(settings: Settings) -> str:
    if settings.plaid_api_url:
        return settings.plaid_api_url
    import plaid

    host: str = getattr(plaid.Environment, _HOSTS[settings.plaid_env])
    return host


def build_plaid_api(settings: Settings) -> plaid_api.PlaidApi:
    """plaid-python's PlaidApi from the settings (not at import: the app's lifespan calls it)."""
    if not settings.plaid_client_id or not settings.plaid_secret:
        raise PlaidNotConfiguredError("PLAID_CLIENT_ID and PLAID_SECRET are not set")
    # plaid-python and its thousands of generated models take ~120 ms to import and several MB
    # of every API worker's memory: only a worker with Plaid configured pays for them, here.
    import plaid
    from plaid.api import plaid_api

    configuration = plaid.Configuration(
        host=plaid_host(settings),
        api_key={
            "clientId": settings.plaid_client_id,
            "secret": settings.plaid_secret.get_secret_value(),
        },
    )
    # plaid-python logs whole response bodies at DEBUG (an exchange's holds the access token);
    # `debug` stays False, which keeps its "plaid" logger at WARNING whatever LOG_LEVEL says.
    configuration.debug = False
    return plaid_api.PlaidApi(plaid.ApiClient(configuration))


class PlaidClient:
    """The Plaid calls the app makes, typed, with retries of what may pass with time."""

    def __init__(
        self,
        api: plaid_api.PlaidApi,
        *,
        webhook_url: str | None = None,
        retry: RetryPolicy | None = None,
        max_sync_restarts: int = 5,
    ) -> None:
        self._api = api
        self._webhook_url = webhook_url
        self._retry = retry or RetryPolicy()
        self._max_sync_restarts = max_sync_restarts

    @classmethod
    def from_settings(cls, settings: Settings, *, retry: RetryPolicy | None = None) -> PlaidClient:
        return cls(build_plaid_api(settings), webhook_url=settings.plaid_webhook_url, retry=retry)

    def close(self) -> None:
        self._api.api_client.close()

    def __enter__(self) -> PlaidClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- link and items -----------------------------------------------------------------------

    def create_link_token(
        self,
        *,
        client_user_id: str,
        access_token: str | None = None,
        redirect_uri: str | None = None,
        country_codes: tuple[str, ...] = ("US",),
        language: str = "en",
    ) -> LinkToken:
        """A token for Link: a new item, or update mode when `access_token` is given.

        `client_user_id` identifies our user to Plaid and must not be personal data (use the
        user's id). Update mode sends no products, as Plaid requires.
        """
        from plaid.model.country_code import CountryCode
        from plaid.model.link_token_create_request import LinkTokenCreateRequest
        from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
        from plaid.model.link_token_transactions import LinkTokenTransactions
        from plaid.model.products import Products

        fields: dict[str, Any] = {
            "client_name": CLIENT_NAME,
            "language": language,
            "country_codes": [CountryCode(code) for code in country_codes],
            "user": LinkTokenCreateRequestUser(client_user_id=client_user_id),
        }
        if access_token is not None:
            fields["access_token"] = access_token
        else:
            fields["products"] = [Products("transactions")]
            fields["transactions"] = LinkTokenTransactions(days_requested=HISTORY_DAYS_REQUESTED)
        if self._webhook_url:
            fields["webhook"] = self._webhook_url
        if redirect_uri:
            fields["redirect_uri"] = redirect_uri
        response = self._call(self._api.link_token_create, LinkTokenCreateRequest(**fields))
        expiration: datetime = response["expiration"]
        return LinkToken(link_token=response["link_token"], expiration=expiration.astimezone(UTC))

    def exchange_public_token(self, public_token: str) -> ExchangedItem:
        from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest

        response = self._call(
            self._api.item_public_token_exchange,
            ItemPublicTokenExchangeRequest(public_token=public_token),
        )
        return ExchangedItem(access_token=response["access_token"], item_id=response["item_id"])

    def create_sandbox_public_token(
        self, institution_id: str, *, webhook: str | None = None
    ) -> str:
        """Sandbox (and demo bank) only: an item without going through Link."""
        from plaid.model.products import Products
        from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
        from plaid.model.sandbox_public_token_create_request_options import (
            SandboxPublicTokenCreateRequestOptions,
        )

        options: dict[str, Any] = {}
        if webhook or self._webhook_url:
            options["webhook"] = webhook or self._webhook_url
        request = SandboxPublicTokenCreateRequest(
            institution_id=institution_id,
            initial_products=[Products("transactions")],
            options=SandboxPublicTokenCreateRequestOptions(**options),
        )
        response = self._call(self._api.sandbox_public_token_create, request)
        return str(response["public_token"])

    def fire_sandbox_webhook(self, access_token: str, webhook_code: str) -> None:
        """Sandbox (and demo bank) only: make Plaid send this webhook for the item now."""
        from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest

        request = SandboxItemFireWebhookRequest(
            access_token=access_token,
            webhook_code=webhook_code,
        )
        self._call(self._api.sandbox_item_fire_webhook, request)

    def reset_sandbox_login(self, access_token: str) -> None:
        """Sandbox (and demo bank) only: put the item into ITEM_LOGIN_REQUIRED."""
        from plaid.model.sandbox_item_reset_login_request import SandboxItemResetLoginRequest

        self._call(
            self._api.sandbox_item_reset_login,
            SandboxItemResetLoginRequest(access_token=access_token),
        )

    def get_accounts(self, access_token: str) -> list[PlaidAccount]:
        from plaid.model.accounts_get_request import AccountsGetRequest

        response = self._call(self._api.accounts_get, AccountsGetRequest(access_token=access_token))
        return [_account(account) for account in response["accounts"]]

    def get_item(self, access_token: str) -> PlaidItem:
        from plaid.model.item_get_request import ItemGetRequest

        response = self._call(self._api.item_get, ItemGetRequest(access_token=access_token))
        item = response["item"]
        error = item.get("error")
        return PlaidItem(
            item_id=item["item_id"],
            institution_id=item.get("institution_id"),
            institution_name=item.get("institution_name"),
            webhook=item.get("webhook") or None,
            consent_expiration_time=item.get("consent_expiration_time"),
            error=_item_error(error) if error else None,
        )

    def remove_item(self, access_token: str) -> None:
        """Ends the item at Plaid (billing stops; the access token stops working)."""
        from plaid.model.item_remove_request import ItemRemoveRequest

        self._call(self._api.item_remove, ItemRemoveRequest(access_token=access_token))

    def get_webhook_verification_key(self, key_id: str) -> dict[str, Any]:
        """The JWK (ES256 public key) that signs webhooks with this `kid`."""
        from plaid.model.webhook_verification_key_get_request import (
            WebhookVerificationKeyGetRequest,
        )

        response = self._call(
            self._api.webhook_verification_key_get,
            WebhookVerificationKeyGetRequest(key_id=key_id),
        )
        key: dict[str, Any] = response["key"].to_dict()
        return key

    # -- transactions -------------------------------------------------------------------------

    def fetch_sync(self, access_token: str, cursor: str | None) -> SyncResult:
        """All pages of /transactions/sync from `cursor` (None or "" for the whole history).

        Plaid's rule: if any page fails, restart the whole loop from the cursor it began with,
        never just the failed page (the pages already read may describe data that has since
        changed). So pages are buffered and returned only once `has_more` is false; nothing is
        applied from a half-read run. TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION restarts at
        once; retryable errors restart after a backoff; others propagate.
        """
        restarts = 0
        retry_attempt = 0
        while True:
            try:
                result = self._sync_all_pages(access_token, cursor or "")
            except PlaidApiError as exc:
                if exc.error_code == MUTATION_DURING_PAGINATION:
                    if restarts >= self._max_sync_restarts:
                        raise
                    restarts += 1
                    logger.info("plaid sync restarted: data changed during pagination")
                    continue
                if not exc.retryable or retry_attempt + 1 >= self._retry.max_attempts:
                    raise
                logger.info("plaid sync retry after %s/%s", exc.error_type, exc.error_code)
                self._retry.wait(retry_attempt)
                retry_attempt += 1
                restarts += 1
                continue
            return dataclasses.replace(result, restarts=restarts)

    def _sync_all_pages(self, access_token: str, first_cursor: str) -> SyncResult:
        from plaid.model.transactions_sync_request import TransactionsSyncRequest

        added: list[SyncedTransaction] = []
        modified: list[SyncedTransaction] = []
        removed: list[RemovedTransaction] = []
        accounts: dict[str, PlaidAccount] = {}
        cursor = first_cursor
        pages = 0
        while True:
            request = TransactionsSyncRequest(access_token=access_token, count=SYNC_PAGE_SIZE)
            if cursor:
                request.cursor = cursor
            page = self._call_raw(self._api.transactions_sync, request)
            pages += 1
            try:
                added.extend(_transaction(t) for t in page["added"])
                modified.extend(_transaction(t) for t in page["modified"])
                removed.extend(
                    RemovedTransaction(
                        transaction_id=r["transaction_id"], account_id=r.get("account_id")
                    )
                    for r in page["removed"]
                )
                for account in page["accounts"]:
                    accounts[account["account_id"]] = _account(account)
                cursor = str(page["next_cursor"])
                has_more = bool(page["has_more"])
            except (KeyError, TypeError, ValueError, ArithmeticError):
                # Plaid promised these fields; without them the page cannot be trusted.
                raise PlaidApiError(
                    error_type="INVALID_RESULT", error_code="MALFORMED_RESPONSE", http_status=200
                ) from None
            if not has_more:
                return SyncResult(
                    added=added,
                    modified=modified,
                    removed=removed,
                    accounts=list(accounts.values()),
                    next_cursor=cursor,
                    transactions_update_status=str(page["transactions_update_status"]),
                    pages=pages,
                    restarts=0,
                )

    # -- plumbing -----------------------------------------------------------------------------

    def _call(self, operation: Callable[..., T], request: object) -> T:
        """One call, retried with backoff while its error is retryable."""
        attempt = 0
        while True:
            try:
                return self._call_once(operation, request)
            except PlaidApiError as exc:
                if not exc.retryable or attempt + 1 >= self._retry.max_attempts:
                    raise
                logger.info("plaid call retry after %s/%s", exc.error_type, exc.error_code)
                self._retry.wait(attempt)
                attempt += 1

    def _call_raw(self, operation: Callable[..., Any], request: object) -> dict[str, Any]:
        """One call whose JSON we read ourselves, skipping plaid-python's model building.

        plaid-python type-checks every field of every nested model as it builds them: about 4 s
        of CPU for one page of 500 transactions. Sync pages are the bulk of what we read, so for
        them the client still builds and sends the request and raises its errors, but hands back
        the raw response (`_preload_content=False`), which `_transaction` reads field by field.
        """
        response = self._call_once(operation, request, preload=False)
        try:
            body = json.loads(response.data)
        except ValueError:
            body = None
        finally:
            response.release_conn()
        if not isinstance(body, dict):
            raise PlaidApiError(
                error_type="INVALID_RESULT", error_code="MALFORMED_RESPONSE", http_status=200
            )
        return body

    def _call_once(
        self, operation: Callable[..., T], request: object, *, preload: bool = True
    ) -> T:
        import plaid
        import urllib3.exceptions

        try:
            return operation(request, _request_timeout=REQUEST_TIMEOUT, _preload_content=preload)
        except plaid.ApiException as exc:
            error = PlaidApiError.from_api_exception(exc)
        except urllib3.exceptions.HTTPError as exc:
            # Timeouts, refused connections, broken responses: Plaid unreachable, try later.
            error = PlaidApiError(
                error_type="API_ERROR",
                error_code=f"NETWORK_{type(exc).__name__}",
                http_status=None,
            )
        raise error


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _account(account: Mapping[str, Any]) -> PlaidAccount:
    balances = account["balances"]
    subtype = account.get("subtype")
    return PlaidAccount(
        account_id=account["account_id"],
        name=account["name"],
        official_name=account.get("official_name"),
        mask=account.get("mask"),
        type=str(account["type"]),
        subtype=str(subtype) if subtype is not None else None,
        currency=balances.get("iso_currency_code"),
        current_balance=_decimal(balances.get("current")),
        available_balance=_decimal(balances.get("available")),
    )


def _date(value: object) -> date:
    """Plaid's dates: `date` objects from plaid-python's models, ISO strings from raw JSON."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _transaction(transaction: Mapping[str, Any]) -> SyncedTransaction:
    category = transaction.get("personal_finance_category")
    amount = transaction["amount"]
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ValueError("Plaid sent a non-finite amount")
    return SyncedTransaction(
        transaction_id=transaction["transaction_id"],
        account_id=transaction["account_id"],
        plaid_amount=Decimal(str(amount)),
        iso_currency_code=transaction.get("iso_currency_code"),
        unofficial_currency_code=transaction.get("unofficial_currency_code"),
        dated_on=_date(transaction["date"]),
        authorized_on=_date(authorized)
        if (authorized := transaction.get("authorized_date"))
        else None,
        pending=bool(transaction["pending"]),
        pending_transaction_id=transaction.get("pending_transaction_id"),
        name=transaction["name"],
        merchant_name=transaction.get("merchant_name"),
        payment_channel=str(transaction.get("payment_channel") or "other"),
        category_primary=category["primary"] if category else None,
        category_detailed=category["detailed"] if category else None,
    )


def _item_error(error: Mapping[str, Any]) -> PlaidApiError:
    return PlaidApiError(
        error_type=str(error["error_type"]),
        error_code=str(error["error_code"]),
        http_status=error.get("status"),
        display_message=error.get("display_message"),
        error_message=error.get("error_message"),
    )
