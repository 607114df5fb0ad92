"""Authorization generated from the route table: a new household route is covered without anyone
remembering to add it here.

- Every route under /api/v1/households/{household_id} resolves membership through get_household.
- A member of another household gets 404 on every such route, and nothing changes.
- Routes that demand the adult or owner role (through the shared dependencies) refuse lesser roles
  with 403, and nothing changes.
- A member naming another household's row gets nothing of it: every path parameter that names a
  household-scoped row, given the other household's id (or an unknown one), is a 404 for that row;
  every body field that names one is a 422 for that field; neither changes anything. Every query
  parameter that names one, and every GET route, answers without a trace of the other household.

The ids, bodies and expected problem codes live in the tables below; a new route or field that
the tables do not know fails `test_the_tables_know_every_route_and_field`, which says what to add.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.app import HOUSEHOLD_PREFIX, create_app
from family_budget.bank_connections.plaid_api import ExchangedItem, PlaidAccount, PlaidClient
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.bills.schemas import ScheduledCreate
from family_budget.bills.service import create_scheduled
from family_budget.config import Settings
from family_budget.demo_bank.app import create_demo_bank_app
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.testing import DemoBankControl, serve_in_thread
from family_budget.deps import get_adult_household, get_household, get_owner_household
from family_budget.households.context import HouseholdContext
from family_budget.imports.service import create_import
from family_budget.models import (
    AccountKind,
    BankConnection,
    BankConnectionAccount,
    BankConnectionStatus,
    Base,
    Export,
    ExportKind,
    ExportStatus,
    PayeeMatch,
    Receipt,
    ReceiptStatus,
    Rule,
    Transaction,
    User,
)
from family_budget.models.base import utcnow
from tests.arrange import Family
from tests.factories import assign_budget, auth_headers, create_account, create_transaction
from tests.households.helpers import make_invitation
from tests.plaid_support import (
    DEMO_NOW,
    DemoBankUnderTest,
    WebhookReceiver,
    bank_app,
    bank_settings,
    demo_settings,
)
from tests.receipts.images import receipt_pdf

# The app talks to a demo bank in every test here (bank routes answer 503 without one).
pytestmark = pytest.mark.usefixtures("bank_app")
__all__ = ["bank_app", "bank_settings"]
FIRST_PLATYPUS, TARTAN = "ins_109508", "ins_109511"

BODY_METHODS = {"POST", "PUT", "PATCH"}
MONTH = "2024-03"

# Path parameters that name a household-scoped row: the problem code of "not in this household".
PATH_IDS = {
    "account_id": "account_not_found",
    "transaction_id": "transaction_not_found",
    "category_id": "category_not_found",
    "group_id": "category_group_not_found",
    "invitation_id": "invitation_not_found",
    "user_id": "member_not_found",
    "rule_id": "rule_not_found",
    "scheduled_id": "scheduled_not_found",
    "import_id": "import_not_found",
    "connection_id": "bank_connection_not_found",
    "receipt_id": "receipt_not_found",
    "export_id": "export_not_found",
}
# Path parameters that name nothing of a household.
PLAIN_PATH_PARAMETERS = {"household_id", "month"}
# Body fields (by name; list items included) that name a household-scoped row: what kind of row,
# and the problem code of "not in this household".
BODY_IDS = {
    "account_id": ("account", "unknown_account"),
    "from_account_id": ("account", "unknown_account"),
    "to_account_id": ("account", "unknown_account"),
    "category_id": ("category", "unknown_category"),
    "into_category_id": ("category", "unknown_category"),
    "from_category_id": ("category", "unknown_category"),
    "to_category_id": ("category", "unknown_category"),
    "category_ids": ("category", "unknown_category"),
    "group_id": ("group", "unknown_category_group"),
    "transaction_ids": ("transaction", "unknown_transactions"),
    "shared_with_user_ids": ("teen", "unknown_member"),
    "transaction_id": ("transaction", "unknown_transaction"),
    "rule_ids": ("rule", "unknown_rules"),
    "assignee_user_id": ("member", "unknown_member"),
    "connection_id": ("bank_connection", "unknown_bank_connection"),
}


@pytest.fixture(scope="module")
def demo_bank() -> Iterator[DemoBankUnderTest]:
    # One for the module (a server takes half a second to stop): each test links logins of its
    # own, and no test here asks the bank for anything another test's logins hold.
    bank = DemoBank(clock=DemoClock(frozen_at=DEMO_NOW), seed="authorization")
    with serve_in_thread(create_demo_bank_app(bank)) as url:
        yield DemoBankUnderTest(url=url, bank=bank, control=DemoBankControl(url))


@pytest.fixture(scope="module")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@dataclass
class World:
    """Our arrangement plus the rows a path can name, in both households."""

    family: Family
    ours: dict[str, str]  # kind or path parameter -> an id of ours
    theirs: dict[str, str]  # kind or path parameter -> an id of the other household
    demo_bank: DemoBankUnderTest
    _bank_login: tuple[str, str] | None = None

    def bank_login(self) -> tuple[str, str]:
        """What Link hands over once the user signed in at a second bank: a public token (made
        on first use, spent by linking) and the id of one of that login's bank accounts."""
        if self._bank_login is None:
            bank = self.demo_bank.bank
            plaid = _plaid_for(self.demo_bank)
            try:
                token = plaid.create_sandbox_public_token(TARTAN)
            finally:
                plaid.close()
            with bank.lock:
                item = bank.items[bank.public_tokens[token].item_id]
                self._bank_login = (token, bank._accounts(item)[0]["account_id"])
        return self._bank_login

    @property
    def owner(self) -> User:
        return self.family.owner


def _plaid_for(demo_bank: DemoBankUnderTest) -> PlaidClient:
    return PlaidClient.from_settings(demo_settings(demo_bank.url))


@pytest.fixture(scope="module")
def our_bank_item(demo_bank: DemoBankUnderTest) -> tuple[ExchangedItem, PlaidAccount]:
    """A login of ours at the demo bank, linked once for the module (each test stores it
    again, and none changes it at the bank), and its first account."""
    plaid = _plaid_for(demo_bank)
    try:
        exchanged = plaid.exchange_public_token(plaid.create_sandbox_public_token(FIRST_PLATYPUS))
        return exchanged, plaid.get_accounts(exchanged.access_token)[0]
    finally:
        plaid.close()


async def _our_bank_connection(
    session: AsyncSession,
    family: Family,
    cipher: TokenCipher,
    bank_item: tuple[ExchangedItem, PlaidAccount],
) -> tuple[BankConnection, BankConnectionAccount]:
    """A connection of ours at the demo bank (its access token is real: update mode works) with
    its first bank account feeding an account of its own."""
    exchanged, first = bank_item
    account = await create_account(session, family.household, name="Bank checking")
    connection_id = uuid.uuid4()
    connection = BankConnection(
        id=connection_id,
        household_id=family.household.id,
        plaid_item_id=exchanged.item_id,
        institution_id=FIRST_PLATYPUS,
        institution_name="First Platypus Bank",
        access_token_encrypted=cipher.encrypt(exchanged.access_token, context=str(connection_id)),
        status=BankConnectionStatus.HEALTHY,
        last_synced_at=utcnow(),
        created_by_id=family.owner.id,
    )
    session.add(connection)
    await session.flush()
    link = BankConnectionAccount(
        connection_id=connection.id,
        household_id=family.household.id,
        account_id=account.id,
        plaid_account_id=first.account_id,
        name=first.name,
        mask=first.mask,
        kind=AccountKind.CHECKING,
    )
    session.add(link)
    await session.flush()
    return connection, link


@pytest.fixture
async def world(
    session: AsyncSession,
    family: Family,
    bank_app: FastAPI,
    demo_bank: DemoBankUnderTest,
    our_bank_item: tuple[ExchangedItem, PlaidAccount],
) -> World:
    transaction = await create_transaction(
        session, family.shared, posted_on=date(2024, 3, 15), category_id=family.groceries.id
    )
    second = await create_transaction(session, family.private, posted_on=date(2024, 3, 16))
    # A tracking account: a transfer into it may carry a category on its on-budget leg.
    loan = await create_account(
        session, family.household, name="Loan", kind=AccountKind.LOAN, on_budget=False
    )
    await assign_budget(session, family.groceries, date(2024, 3, 1), 5_000)
    invitation, _ = await make_invitation(session, family.household, "invitee@example.com")
    rule = Rule(
        household_id=family.household.id,
        name="Corner shop",
        payee_match=PayeeMatch.CONTAINS,
        payee_value="corner",
        set_category_id=family.groceries.id,
        add_tags=["shop"],
    )
    session.add(rule)
    scheduled = await create_scheduled(
        session,
        family.context(),
        ScheduledCreate(
            account_id=family.private.id,
            payee="Rent",
            amount_minor=-100_000,
            rrule="FREQ=MONTHLY",
            starts_on=date(2024, 1, 1),
        ),
    )
    our_import = await create_import(
        session, family.context(), account_id=family.private.id, data=IMPORT_CSV
    )
    their_import = await create_import(
        session,
        HouseholdContext.for_system(family.other.household),
        account_id=family.other.checking.id,
        data=IMPORT_CSV,
    )
    connection, _ = await _our_bank_connection(
        session, family, bank_app.state.token_cipher, our_bank_item
    )
    # Unmatched, with the total and day of the other household's expense: a suggestion that
    # looked across households would name their transaction.
    their_expense = family.other.transaction
    receipt = Receipt(
        household_id=family.household.id,
        uploaded_by_id=family.owner.id,
        status=ReceiptStatus.READY,
        content_type="application/pdf",
        size_bytes=2_048,
        filename="groceries.pdf",
        object_key=f"{family.household.id}/receipts/groceries.pdf",
        merchant="Their payee",
        purchased_on=their_expense.posted_on,
        total_minor=-their_expense.amount_minor,
    )
    export = Export(
        household_id=family.household.id,
        requested_by_id=family.owner.id,
        kind=ExportKind.TRANSACTIONS_CSV,
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 3, 31),
        status=ExportStatus.READY,
        filename="transactions.csv",
        content_type="text/csv",
        object_key=f"{family.household.id}/exports/transactions.csv",
        size_bytes=100,
        finished_at=utcnow(),
        expires_at=utcnow() + timedelta(days=30),
    )
    session.add_all([receipt, export])
    await session.commit()
    ours = {
        "household_id": str(family.household.id),
        "account_id": str(family.shared.id),
        "account": str(family.private.id),
        "tracking_account": str(loan.id),
        "transaction_id": str(transaction.id),
        "transaction": str(second.id),
        "category_id": str(family.groceries.id),
        "category": str(family.dining.id),
        "group_id": str(family.group.id),
        "group": str(family.group.id),
        "invitation_id": str(invitation.id),
        "user_id": str(family.adult.id),
        "teen": str(family.teen.id),
        "member": str(family.adult.id),
        "scheduled_id": str(scheduled.id),
        "month": MONTH,
        "rule_id": str(rule.id),
        "rule": str(rule.id),
        "import_id": str(our_import.id),
        "connection_id": str(connection.id),
        "bank_connection": str(connection.id),
        "receipt_id": str(receipt.id),
        "export_id": str(export.id),
    }
    other = family.other
    theirs = {
        "account_id": str(other.checking.id),
        "account": str(other.checking.id),
        "transaction_id": str(other.transaction.id),
        "transaction": str(other.transaction.id),
        "category_id": str(other.groceries.id),
        "category": str(other.groceries.id),
        "group_id": str(other.group.id),
        "group": str(other.group.id),
        "invitation_id": str(other.invitation.id),
        "user_id": str(other.teen.id),
        "teen": str(other.teen.id),
        "rule_id": str(other.rule.id),
        "rule": str(other.rule.id),
        "member": str(other.owner.id),
        "scheduled_id": str(other.scheduled.id),
        "import_id": str(their_import.id),
        "connection_id": str(other.bank_connection.id),
        "bank_connection": str(other.bank_connection.id),
        "receipt_id": str(other.receipt.id),
        "export_id": str(other.export.id),
    }
    return World(family, ours, theirs, demo_bank)


def _scheduled_body(w: World) -> dict[str, Any]:
    return {
        "account_id": w.ours["account"],
        "payee": "Water",
        "amount_minor": -4_000,
        "category_id": w.ours["category"],
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=31",
        "starts_on": "2024-01-31",
        "assignee_user_id": w.ours["member"],
    }


# Valid bodies per operation, made from our own rows. Together, an operation's bodies hold every
# id field its schema has (a split's lines and the parent's category cannot go together).
VALID_BODIES: dict[str, Callable[[World], list[dict[str, Any]]]] = {
    "update_household": lambda w: [{"name": "Mine"}],
    "update_member": lambda w: [{"role": "teen"}],
    "create_invitation": lambda w: [{"email": "new@example.com", "role": "adult"}],
    "create_account": lambda w: [
        {"name": "New", "kind": "cash", "shared_with_user_ids": [w.ours["teen"]]}
    ],
    "update_account": lambda w: [{"name": "Renamed", "shared_with_user_ids": [w.ours["teen"]]}],
    "create_category": lambda w: [{"group_id": w.ours["group"], "name": "New"}],
    "create_category_group": lambda w: [{"name": "New"}],
    "update_category_group": lambda w: [{"name": "Renamed"}],
    "update_category": lambda w: [{"group_id": w.ours["group"], "name": "Renamed"}],
    "merge_category": lambda w: [{"into_category_id": w.ours["category"]}],
    "create_transaction": lambda w: [
        {
            "account_id": w.ours["account"],
            "posted_on": "2024-03-10",
            "amount_minor": -4_599,
            "category_id": w.ours["category"],
        },
        {
            "account_id": w.ours["account"],
            "posted_on": "2024-03-10",
            "amount_minor": -4_599,
            "splits": [
                {"amount_minor": -4_000, "category_id": w.ours["category"]},
                {"amount_minor": -599, "category_id": w.ours["category_id"]},
            ],
        },
    ],
    "create_transfer": lambda w: [
        {
            "from_account_id": w.ours["account"],
            "to_account_id": w.ours["account_id"],
            "amount_minor": 100,
            "posted_on": "2024-04-01",
        },
        {
            "from_account_id": w.ours["account"],
            "to_account_id": w.ours["tracking_account"],
            "amount_minor": 100,
            "posted_on": "2024-04-01",
            "category_id": w.ours["category_id"],
        },
    ],
    "bulk_categorize_transactions": lambda w: [
        # Ours first: a foreign id put last must not let the first be changed.
        {
            "transaction_ids": [w.ours["transaction_id"], w.ours["transaction"]],
            "category_id": w.ours["category"],
        }
    ],
    "update_transaction": lambda w: [
        {"account_id": w.ours["account"], "category_id": w.ours["category"]},
        {
            "category_id": None,
            "splits": [
                {"amount_minor": -1_000, "category_id": w.ours["category"]},
                {"amount_minor": -250, "category_id": w.ours["category_id"]},
            ],
        },
    ],
    "set_budget_assignment": lambda w: [{"assigned_minor": 100}],
    "set_transaction_cleared": lambda w: [{"cleared": "cleared"}],
    "reconcile_account": lambda w: [
        {"statement_balance_minor": 1_000, "statement_on": "2024-03-31", "create_adjustment": True}
    ],
    "create_rule": lambda w: [
        {
            "name": "Rule",
            "conditions": {"account_id": w.ours["account"]},
            "actions": {"category_id": w.ours["category"]},
        }
    ],
    "update_rule": lambda w: [
        {
            "conditions": {"account_id": w.ours["account"]},
            "actions": {"category_id": w.ours["category"]},
        }
    ],
    # Every rule of ours (the world has one).
    "reorder_rules": lambda w: [{"rule_ids": [w.ours["rule"]]}],
    "create_rule_from_transaction": lambda w: [
        {"transaction_id": w.ours["transaction"], "category_id": w.ours["category"]}
    ],
    "create_scheduled": lambda w: [_scheduled_body(w)],
    "update_scheduled": lambda w: [_scheduled_body(w)],
    "set_alert_thresholds": lambda w: [{"percents": [75]}],
    "move_budget_money": lambda w: [
        {
            "from_category_id": w.ours["category_id"],
            "to_category_id": w.ours["category"],
            "amount_minor": 100,
        }
    ],
    "quick_assign": lambda w: [{"strategy": "last_month", "category_ids": [w.ours["category"]]}],
    "set_category_target": lambda w: [{"kind": "monthly", "amount_minor": 100}],
    # Multipart: `_call` sends these as form fields beside a small CSV file.
    "create_import": lambda w: [{"account_id": w.ours["account"]}],
    "update_import": lambda w: [{"rows": [{"line": 2, "include": False}]}],
    "create_link_token": lambda w: [{"connection_id": w.ours["bank_connection"]}],
    "create_bank_connection": lambda w: [
        {
            "public_token": w.bank_login()[0],
            "account_links": [
                {"plaid_account_id": w.bank_login()[1], "account_id": w.ours["account"]}
            ],
        }
    ],
    # The upload itself (multipart/form-data); the JSON form asks for a presigned upload, which
    # a server that keeps files itself refuses.
    "create_receipt": lambda w: [{"file": receipt_pdf(["Corner Store", "TOTAL 12.34"])}],
    "update_receipt": lambda w: [{"transaction_id": w.ours["transaction"]}],
    "create_export": lambda w: [
        {"kind": "transactions_csv", "from": "2024-03-01", "to": "2024-03-31"}
    ],
}
IMPORT_CSV = b"Date,Payee,Amount\n2024-03-01,Corner Shop,-12.50\n"


# --- The route table --------------------------------------------------------------------------


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    route: RouteContext
    spec: dict[str, Any]  # the OpenAPI operation

    @property
    def path_parameters(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]

    @property
    def query_id_parameters(self) -> list[str]:
        return [
            p["name"]
            for p in self.spec.get("parameters", [])
            if p["in"] == "query" and _is_uuid(p.get("schema", {}))
        ]

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.spec

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _household_operations() -> tuple[list[Operation], dict[str, Any]]:
    """Every operation mounted under the household prefix, nested routers included, with its
    OpenAPI description (the contract the body and query fields are read from)."""
    app = create_app(Settings(), configure_logs=False)
    spec = app.openapi()
    operations = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path.startswith(HOUSEHOLD_PREFIX):
            for method in sorted(route.methods or ()):
                # path_format: the path as OpenAPI writes it ({id}, not {id:uuid}).
                described = spec["paths"][route.path_format][method.lower()]
                operations.append(
                    Operation(method, route.path_format, described["operationId"], route, described)
                )
    return operations, spec


OPERATIONS, SPEC = _household_operations()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _is_uuid(schema: dict[str, Any]) -> bool:
    schema = _resolve(schema)
    options = schema.get("anyOf", [schema])
    return any(option.get("format") == "uuid" for option in options)


Field = tuple[str | int, ...]  # a path into a JSON body: keys and list indexes


def _id_fields(schema: dict[str, Any], prefix: Field = ()) -> Iterator[tuple[Field, str]]:
    """(path, field name) of every uuid in a body schema, list items and nested objects
    included; a list's item is addressed by its last index (filled in by `_fields_in`)."""
    schema = _resolve(schema)
    for option in schema.get("anyOf", []):
        yield from _id_fields(option, prefix)
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop)
        options = prop.get("anyOf", [prop])
        for option in options:
            option = _resolve(option)
            if option.get("format") == "uuid":
                yield (*prefix, name), name
            elif option.get("type") == "array":
                items = _resolve(option.get("items", {}))
                if items.get("format") == "uuid":
                    yield (*prefix, name, -1), name
                else:
                    yield from _id_fields(items, (*prefix, name, -1))
            elif option.get("type") == "object" or "properties" in option:
                yield from _id_fields(option, (*prefix, name))


def _is_multipart(operation: Operation) -> bool:
    return "multipart/form-data" in operation.spec.get("requestBody", {}).get("content", {})


def _body_id_fields(operation: Operation) -> list[tuple[Field, str]]:
    content = operation.spec["requestBody"]["content"]
    schema = content.get("application/json", content.get("multipart/form-data"))
    return sorted(set(_id_fields(schema["schema"])), key=str)
    # Every form the body may take: JSON, and multipart/form-data (uploads) where it is one.
    fields: set[tuple[Field, str]] = set()
    for content in operation.spec["requestBody"]["content"].values():
        fields |= set(_id_fields(content.get("schema", {})))
    return sorted(fields, key=str)


def _get(body: Any, field: Field) -> Any:
    for key in field:
        body = body[key]
    return body


def _present(body: Any, field: Field) -> bool:
    try:
        value = _get(body, field)
    except (KeyError, IndexError, TypeError):
        return False
    return value is not None


def _with(body: dict[str, Any], field: Field, value: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    _get(changed, field[:-1])[field[-1]] = value
    return changed


def _fill(path: str, values: dict[str, str]) -> str:
    filled = path
    for name, value in values.items():
        filled = filled.replace("{" + name + "}", value)
    assert "{" not in filled, f"{path}: add its path parameter to PATH_IDS and the world fixture"
    return filled


def _required_role(route: RouteContext) -> str | None:
    calls = set(_dependency_calls(route.dependant))
    if get_owner_household in calls:
        return "owner"
    if get_adult_household in calls:
        return "adult"
    return None


ROLE_RESTRICTED = [op for op in OPERATIONS if _required_role(op.route) is not None]
PATH_ID_CASES = [
    (operation, parameter)
    for operation in OPERATIONS
    for parameter in operation.path_parameters
    if parameter in PATH_IDS
]
BODY_ID_CASES = [
    (operation, field, name)
    for operation in OPERATIONS
    if operation.has_body
    for field, name in _body_id_fields(operation)
]
QUERY_ID_CASES = [
    (operation, parameter)
    for operation in OPERATIONS
    for parameter in operation.query_id_parameters
]


# --- Calling and comparing --------------------------------------------------------------------


async def _snapshot(session: AsyncSession) -> str:
    """Every row of every table (read with Core selects, so straight from the database)."""
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        rows = (await session.execute(select(table))).all()
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def _body(operation: Operation, world: World) -> dict[str, Any] | None:
    if operation.method not in BODY_METHODS:
        return None
    return VALID_BODIES[operation.operation_id](world)[0] if operation.has_body else None


async def _call(
    client: httpx.AsyncClient,
    world: World,
    operation: Operation,
    user: User,
    path_values: dict[str, str],
    body: dict[str, Any] | None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {**auth_headers(world.family.settings, user), "If-Match": 'W/"1"'}
    if _is_multipart(operation):
        return await client.request(
            operation.method,
            _fill(operation.path, path_values),
            headers=headers,
            files={"file": ("statement.csv", IMPORT_CSV, "text/csv")},
            data=body or {},
            params=params,
        )
    return await client.request(
        operation.method,
        _fill(operation.path, path_values),
        headers=headers,
        params=params,
        **_encoded(body),
    )


def _encoded(body: dict[str, Any] | None) -> dict[str, Any]:
    """A body with a file in it goes as multipart/form-data (the file as a file part, other
    fields as form fields, objects as JSON text), any other as JSON."""
    if body is None or not any(isinstance(value, bytes) for value in body.values()):
        return {"json": body}
    files = {name: (name, value) for name, value in body.items() if isinstance(value, bytes)}
    data = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in body.items()
        if not isinstance(value, bytes)
    }
    return {"files": files, "data": data}


# --- The tests --------------------------------------------------------------------------------


def test_every_household_route_resolves_membership() -> None:
    assert OPERATIONS, "no household routes found"
    for operation in OPERATIONS:
        assert get_household in set(_dependency_calls(operation.route.dependant)), (
            f"{operation} does not resolve membership through deps.get_household"
        )


def test_the_tables_know_every_route_and_field() -> None:
    for operation in OPERATIONS:
        for parameter in operation.path_parameters:
            assert parameter in PATH_IDS or parameter in PLAIN_PATH_PARAMETERS, (
                f"{operation}: say in PATH_IDS what {{{parameter}}} names (or add it to "
                "PLAIN_PATH_PARAMETERS if it names nothing of a household)"
            )
        if operation.has_body:
            assert operation.operation_id in VALID_BODIES, (
                f"{operation}: add valid bodies to VALID_BODIES"
            )
    assert BODY_ID_CASES, "no id fields found in any body"
    assert QUERY_ID_CASES, "no id query parameters found"
    for operation, _field, name in BODY_ID_CASES:
        assert name in BODY_IDS, f"{operation}: say in BODY_IDS what the body field {name} names"


async def test_every_body_id_field_is_in_a_valid_body(world: World) -> None:
    """The foreign-id checks replace ids in the valid bodies, so every id field of an operation's
    schema must be present in one of them (with a list field's last item)."""
    for operation, field, name in BODY_ID_CASES:
        bodies = VALID_BODIES[operation.operation_id](world)
        assert any(_present(body, field) for body in bodies), (
            f"{operation}: no body in VALID_BODIES holds {name} ({field})"
        )


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_other_household_member_gets_404_and_nothing_changes(
    operation: Operation, client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    before = await _snapshot(session)
    response = await _call(
        client, world, operation, world.family.other.owner, world.ours, _body(operation, world)
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "household_not_found"
    assert await _snapshot(session) == before


@pytest.mark.parametrize("operation", ROLE_RESTRICTED, ids=str)
async def test_lesser_roles_get_403_and_nothing_changes(
    operation: Operation, client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    family = world.family
    refused = [family.teen]
    if _required_role(operation.route) == "owner":
        refused.append(family.adult)
    before = await _snapshot(session)
    for user in refused:
        response = await _call(client, world, operation, user, world.ours, _body(operation, world))
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "insufficient_role"
    assert await _snapshot(session) == before


async def test_unauthenticated_requests_are_401(client: httpx.AsyncClient, world: World) -> None:
    for operation in OPERATIONS:
        response = await client.request(
            operation.method, _fill(operation.path, world.ours), **_encoded(_body(operation, world))
        )
        assert response.status_code == 401, str(operation)


def test_route_table_is_not_empty_of_role_checks() -> None:
    # If this fails, the role dependencies were bypassed everywhere (or renamed).
    assert ROLE_RESTRICTED


@pytest.mark.parametrize("which", ["theirs", "unknown"])
@pytest.mark.parametrize(
    ("operation", "parameter"), PATH_ID_CASES, ids=[f"{o} {p}" for o, p in PATH_ID_CASES]
)
async def test_another_households_row_in_the_path_is_404_and_nothing_changes(
    operation: Operation,
    parameter: str,
    which: str,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
) -> None:
    foreign = world.theirs[parameter] if which == "theirs" else str(uuid.uuid4())
    before = await _snapshot(session)
    response = await _call(
        client,
        world,
        operation,
        world.owner,
        {**world.ours, parameter: foreign},
        _body(operation, world),
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == PATH_IDS[parameter]
    assert await _snapshot(session) == before


@pytest.mark.parametrize("which", ["theirs", "unknown"])
@pytest.mark.parametrize(
    ("operation", "field", "name"),
    BODY_ID_CASES,
    ids=[f"{o} {'.'.join(map(str, f))}" for o, f, _ in BODY_ID_CASES],
)
async def test_another_households_row_in_the_body_is_422_and_nothing_changes(
    operation: Operation,
    field: Field,
    name: str,
    which: str,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
) -> None:
    kind, code = BODY_IDS[name]
    foreign = world.theirs[kind] if which == "theirs" else str(uuid.uuid4())
    body = next(b for b in VALID_BODIES[operation.operation_id](world) if _present(b, field))
    before = await _snapshot(session)

    refused = await _call(
        client, world, operation, world.owner, world.ours, _with(body, field, foreign)
    )

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    assert await _snapshot(session) == before
    # The same body with our own id is accepted: the foreign id alone made the difference.
    accepted = await _call(client, world, operation, world.owner, world.ours, body)
    assert accepted.is_success, accepted.text


async def _their_ids(session: AsyncSession, family: Family) -> set[str]:
    other = family.other
    ids = {
        other.household.id,
        other.owner.id,
        other.teen.id,
        other.checking.id,
        other.savings.id,
        other.group.id,
        other.groceries.id,
        other.salary.id,
        other.invitation.id,
        other.rule.id,
        other.scheduled.id,
        other.bank_connection.id,
        other.bank_link.id,
        other.receipt.id,
        other.export.id,
    }
    ids |= set(
        (
            await session.scalars(
                select(Transaction.id).where(Transaction.household_id == other.household.id)
            )
        ).all()
    )
    return {str(i) for i in ids}


@pytest.mark.parametrize(
    ("operation", "parameter"), QUERY_ID_CASES, ids=[f"{o} {p}" for o, p in QUERY_ID_CASES]
)
async def test_another_households_row_in_the_query_shows_nothing_of_theirs(
    operation: Operation,
    parameter: str,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
) -> None:
    kind = parameter.removesuffix("_id")
    response = await _call(
        client, world, operation, world.owner, world.ours, None, {parameter: world.theirs[kind]}
    )
    assert response.status_code == 200, response.text
    assert not {i for i in await _their_ids(session, world.family) if i in response.text}


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o.method == "GET"], ids=str)
async def test_no_read_shows_anything_of_another_household(
    operation: Operation, client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    # Wide enough to take in every month the other household has money in.
    params = {
        "from": "2023-09-01",
        "to": "2024-12-31",
        "months": "16",
        "end": "2024-12",
        "statement_balance_minor": "0",
    }
    response = await _call(client, world, operation, world.owner, world.ours, None, params)
    assert response.status_code == 200, response.text
    leaked = {i for i in await _their_ids(session, world.family) if i in response.text}
    assert not leaked, f"{operation} shows ids of the other household: {leaked}"
