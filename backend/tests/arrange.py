"""The one arrangement every domain's tests start from (the `family` fixture in tests/conftest.py).

- Our household: an owner, an adult, a teen and a second teen; two accounts (one shared with the
  teen, one private), a category group with two categories. No money: each test adds the money
  it is about.
- Another household in the same currency, with its own owner and teen, holding money in every
  month from MONEY_MONTHS[0] through MONEY_MONTHS[-1]: income, categorized spending, a split with
  a categorized and an uncategorized line, a transfer between its two accounts, uncategorized
  spending, tags and a budget assignment each month, and a pending invitation; a bank
  connection feeding their checking account (waiting for them to sign in again, so no test's
  daily sync reaches for it), a receipt of that expense and a finished export.

Because the other household's money is always there, every test that reads a sum, a list or a
count of our household also checks that nothing of theirs leaks in: a household filter dropped
anywhere changes an exact figure somewhere. A new table that holds household data gets rows in
`_other_households_money` (one entry), and every test of its readers has a neighbour to ignore.

It is built and committed once per test run, before the first test that asks for it; each test
loads it into its own session and rolls back whatever it does to it. So tests that count rows of
a whole table count deltas, or count one household's rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.budgets.activity import buckets_of_rows, refresh_buckets
from family_budget.config import Settings
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    AccountKind,
    AccountShare,
    BankConnection,
    BankConnectionAccount,
    BankConnectionStatus,
    Base,
    BillCalendarFeed,
    BudgetAlertSetting,
    BudgetAssignment,
    Category,
    CategoryGroup,
    ClearedState,
    Export,
    ExportKind,
    ExportStatus,
    Household,
    Import,
    ImportRow,
    ImportRowStatus,
    ImportStatus,
    Invitation,
    Membership,
    PayeeMatch,
    Receipt,
    ReceiptStatus,
    Reconciliation,
    Role,
    Rule,
    ScheduledOccurrence,
    ScheduledTransaction,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
    User,
)
from family_budget.models.base import utcnow
from family_budget.months import add_months, month_end
from family_budget.security import hash_token
from tests.factories import (
    DEFAULT_PASSWORD_HASH,
    add_member,
    auth_headers,
    create_account,
    create_category,
    create_category_group,
    create_household,
    create_user,
    share_account,
)

API = "/api/v1"
# The months in which the other household holds money: around a year end, covering the months
# the budget and report tests use.
MONEY_MONTHS = [add_months(date(2023, 9, 1), offset) for offset in range(16)]  # 2023-09..2024-12


@dataclass
class OtherHousehold:
    """A household we are not a member of, with money in MONEY_MONTHS (same currency as ours)."""

    household: Household
    owner: User
    teen: User
    checking: Account
    savings: Account  # shared with their teen
    euros: Account  # in EUR
    group: CategoryGroup
    groceries: Category
    salary: Category
    transaction: Transaction  # a plain categorized expense, for ids in paths and bodies
    invitation: Invitation  # pending
    rule: Rule  # matches the factories' default payee ("Corner Shop")
    scheduled: ScheduledTransaction  # a monthly bill their savings pay (on the 28th, -777)
    bank_connection: BankConnection  # needs_reauth
    bank_link: BankConnectionAccount  # the bank account feeding `checking`
    receipt: Receipt  # attached to `transaction`
    export: Export  # ready

    @property
    def base(self) -> str:
        return f"{API}/households/{self.household.id}"


@dataclass
class Family:
    settings: Settings
    household: Household
    owner: User
    adult: User
    teen: User
    other_teen: User  # a teen nothing is shared with
    shared: Account  # "Pocket money", cash, shared with `teen`
    private: Account  # "Joint checking", shared with nobody
    group: CategoryGroup  # "Everyday"
    groceries: Category
    dining: Category
    other: OtherHousehold

    @property
    def base(self) -> str:
        return f"{API}/households/{self.household.id}"

    def member(self, role: str) -> User:
        """One of our members by role name ("owner", "adult", "teen"), for role-parametrized
        tests."""
        return {"owner": self.owner, "adult": self.adult, "teen": self.teen}[role]

    def headers(self, user: User | None = None) -> dict[str, str]:
        """A bearer token of `user` (our owner by default)."""
        return auth_headers(self.settings, user or self.owner)

    def context(self, user: User | None = None) -> HouseholdContext:
        """What the services are given when `user` (our owner by default) acts here."""
        user = user or self.owner
        roles = {
            self.owner.id: Role.OWNER,
            self.adult.id: Role.ADULT,
            self.teen.id: Role.TEEN,
            self.other_teen.id: Role.TEEN,
        }
        return HouseholdContext(self.household, roles[user.id], user)


async def arrange_family(session: AsyncSession, settings: Settings) -> Family:
    owner = await create_user(session, name="Olive Owner")
    household = await create_household(session, owner=owner, name="Home", currency="USD")
    adult = await create_user(session, name="Adam Adult")
    teen = await create_user(session, name="Tess Teen")
    other_teen = await create_user(session, name="Theo Teen")
    await add_member(session, household, adult, Role.ADULT)
    await add_member(session, household, teen, Role.TEEN)
    await add_member(session, household, other_teen, Role.TEEN)
    shared = await create_account(session, household, name="Pocket money", kind=AccountKind.CASH)
    private = await create_account(session, household, name="Joint checking")
    await share_account(session, shared, teen)
    group = await create_category_group(session, household, name="Everyday")
    groceries = await create_category(session, household, group, name="Groceries")
    dining = await create_category(session, household, group, name="Dining out", sort_order=1)
    other = await _other_household(session, settings)
    await session.commit()
    return Family(
        settings=settings,
        household=household,
        owner=owner,
        adult=adult,
        teen=teen,
        other_teen=other_teen,
        shared=shared,
        private=private,
        group=group,
        groceries=groceries,
        dining=dining,
        other=other,
    )


Ids = dict[str, tuple[type[Base], uuid.UUID]]  # field name -> (model, id)


@dataclass(frozen=True)
class Arranged:
    """Where the arrangement is in the database: it is built and committed once per test run
    (`build_arrangement`), and each test loads it into its own session (`load_family`), inside
    the test's rolled-back transaction, so a test may change or delete any of it."""

    settings: Settings
    ours: Ids
    theirs: Ids


def _ids(arrangement: object) -> Ids:
    return {
        name: (type(value), value.id)
        for name, value in vars(arrangement).items()
        if isinstance(value, Base)
    }


async def build_arrangement(session: AsyncSession, settings: Settings) -> Arranged:
    family = await arrange_family(session, settings)
    return Arranged(settings, _ids(family), _ids(family.other))


async def load_family(session: AsyncSession, arranged: Arranged) -> Family:
    """The arrangement as rows of `session`: one query per table."""
    wanted: dict[type[Base], set[uuid.UUID]] = {}
    for model, row_id in (*arranged.ours.values(), *arranged.theirs.values()):
        wanted.setdefault(model, set()).add(row_id)
    rows: dict[uuid.UUID, Any] = {}
    for model, ids in wanted.items():
        table_id = model.id  # type: ignore[attr-defined]
        for row in await session.scalars(select(model).where(table_id.in_(sorted(ids)))):
            rows[row.id] = row
    other = OtherHousehold(**{name: rows[i] for name, (_, i) in arranged.theirs.items()})
    ours = {name: rows[i] for name, (_, i) in arranged.ours.items()}
    return Family(settings=arranged.settings, other=other, **ours)


async def _other_household(session: AsyncSession, settings: Settings) -> OtherHousehold:
    # Built with one flush (and the money with one bulk insert per table): every test that uses
    # the arrangement pays for it.
    def user(name: str) -> User:
        return User(
            id=uuid.uuid4(),
            email=f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com",
            name=name,
            password_hash=DEFAULT_PASSWORD_HASH,
            email_verified_at=utcnow(),
        )

    owner, teen = user("Nora Neighbour"), user("Ned Neighbour")
    household = Household(id=uuid.uuid4(), name="Next door", currency="USD")

    def account(name: str, kind: AccountKind, opening_minor: int) -> Account:
        return Account(
            id=uuid.uuid4(),
            household_id=household.id,
            name=name,
            kind=kind,
            currency="USD",
            opening_balance_minor=opening_minor,
            opened_on=date(2023, 1, 1),
        )

    checking = account("Their checking", AccountKind.CHECKING, 1_000_000)
    savings = account("Their savings", AccountKind.SAVINGS, 250_000)
    # An account in another currency than theirs (and ours), which their aggregates leave out.
    euros = account("Their euros", AccountKind.CASH, 70_000)
    euros.currency = "EUR"
    # Sorted far after ours: a new group of ours must be placed after our groups, not theirs.
    group = CategoryGroup(
        id=uuid.uuid4(), household_id=household.id, name="Everyday", sort_order=50
    )
    groceries = Category(
        id=uuid.uuid4(),
        household_id=household.id,
        group_id=group.id,
        name="Groceries",
        carry_overspending=True,
    )
    salary = Category(
        id=uuid.uuid4(),
        household_id=household.id,
        group_id=group.id,
        name="Salary",
        is_income=True,
        sort_order=1,
    )
    invitation = Invitation(
        id=uuid.uuid4(),
        household_id=household.id,
        email="their-guest@example.com",
        role=Role.ADULT,
        token_hash=hash_token(f"their-invitation-{uuid.uuid4()}"),
        invited_by_id=owner.id,
        expires_at=utcnow() + timedelta(days=7),
    )
    session.add_all([owner, teen, household])
    await session.flush()
    session.add_all(
        [
            Membership(household_id=household.id, user_id=owner.id, role=Role.OWNER),
            Membership(household_id=household.id, user_id=teen.id, role=Role.TEEN),
            checking,
            savings,
            euros,
            group,
            invitation,
        ]
    )
    await session.flush()
    session.add_all([AccountShare(account_id=savings.id, user_id=teen.id), groceries, salary])
    await session.flush()
    money = _other_households_money(household, checking, savings, euros, groceries, salary)
    # Bulk inserts, one per table, bypass the session hook that keeps the monthly totals, so
    # they are recomputed once for the whole lot (as the app's bulk writers do).
    # Their bill, paid each month by their savings' spending on the 28th (a matching payee and
    # amount), with the state of its occurrences; created before the money, not auto-posted.
    scheduled = ScheduledTransaction(
        id=uuid.uuid4(),
        household_id=household.id,
        account_id=savings.id,
        payee="Their payee",
        amount_minor=-777,
        category_id=groceries.id,
        rrule="FREQ=MONTHLY;BYMONTHDAY=28",
        starts_on=MONEY_MONTHS[0].replace(day=28),
        ends_on=None,
        remind_days_before=3,
        auto_post=False,
        assignee_user_id=teen.id,
        created_by_id=owner.id,
    )
    session.add(scheduled)
    await session.flush()
    money[ScheduledOccurrence] = [
        {
            "scheduled_id": scheduled.id,
            "due_on": month.replace(day=28),
            "household_id": household.id,
            "transaction_id": None,
            "posted_at": None,
            "reminded_at": utcnow(),
        }
        for month in MONEY_MONTHS
    ]
    money[BudgetAlertSetting] = [
        {"category_id": groceries.id, "household_id": household.id, "thresholds": [50, 90]}
    ]
    money[BillCalendarFeed] = [
        {
            "household_id": household.id,
            "user_id": owner.id,
            "token_hash": hash_token(f"their-feed-{uuid.uuid4()}"),
            "created_at": utcnow(),
        }
    ]
    for model, rows in money.items():
        await session.execute(insert(model), rows)
    buckets = {(row["account_id"], row["posted_on"]) for row in money[Transaction]}
    await session.run_sync(
        lambda sync: refresh_buckets(sync.connection(), buckets_of_rows(buckets))
    )
    first_expense = await session.get_one(Transaction, money[Transaction][1]["id"])
    rule = await session.get_one(Rule, money[Rule][0]["id"])
    bank_connection, bank_link, receipt, export = _other_households_files(
        settings, household, owner, checking, first_expense
    )
    session.add_all([bank_connection, receipt, export])
    await session.flush()
    session.add(bank_link)
    await session.flush()
    return OtherHousehold(
        household=household,
        owner=owner,
        teen=teen,
        checking=checking,
        savings=savings,
        euros=euros,
        group=group,
        groceries=groceries,
        salary=salary,
        transaction=first_expense,
        invitation=invitation,
        rule=rule,
        scheduled=scheduled,
        bank_connection=bank_connection,
        bank_link=bank_link,
        receipt=receipt,
        export=export,
    )


def _other_households_files(
    settings: Settings,
    household: Household,
    owner: User,
    checking: Account,
    expense: Transaction,
) -> tuple[BankConnection, BankConnectionAccount, Receipt, Export]:
    """Their bank connection and its account link, their receipt and their export."""
    now = utcnow()
    connection_id = uuid.uuid4()
    connection = BankConnection(
        id=connection_id,
        household_id=household.id,
        plaid_item_id=f"their-item-{connection_id.hex}",
        institution_id="ins_109511",
        institution_name="Their bank",
        # A token no bank serves: the connection waits for a sign-in, which no test gives it.
        access_token_encrypted=TokenCipher.from_settings(settings).encrypt(
            f"access-their-{connection_id.hex}", context=str(connection_id)
        ),
        sync_cursor="their-cursor",
        status=BankConnectionStatus.NEEDS_REAUTH,
        last_synced_at=now,
        last_error_code="ITEM_LOGIN_REQUIRED",
        last_error_message="Their bank wants them to sign in again",
        created_by_id=owner.id,
    )
    receipt = Receipt(
        id=uuid.uuid4(),
        household_id=household.id,
        uploaded_by_id=owner.id,
        transaction_id=expense.id,
        status=ReceiptStatus.READY,
        content_type="application/pdf",
        size_bytes=1_234,
        filename="their-receipt.pdf",
        object_key=f"{household.id}/receipts/their-receipt.pdf",
        merchant="Their payee",
        purchased_on=expense.posted_on,
        total_minor=-expense.amount_minor,
    )
    export = Export(
        id=uuid.uuid4(),
        household_id=household.id,
        requested_by_id=owner.id,
        kind=ExportKind.TRANSACTIONS_CSV,
        starts_on=MONEY_MONTHS[0],
        ends_on=month_end(MONEY_MONTHS[-1]),
        status=ExportStatus.READY,
        filename="their-transactions.csv",
        content_type="text/csv",
        object_key=f"{household.id}/exports/their-transactions.csv",
        size_bytes=4_321,
        finished_at=now,
        expires_at=now + timedelta(days=30),
    )
    link = BankConnectionAccount(
        id=uuid.uuid4(),
        connection_id=connection.id,
        household_id=household.id,
        account_id=checking.id,
        plaid_account_id=f"their-account-{connection_id.hex}",
        name="Their bank checking",
        mask="0042",
        kind=AccountKind.CHECKING,
        imports_from=MONEY_MONTHS[0],
    )
    return connection, link, receipt, export


def _other_households_money(
    household: Household,
    checking: Account,
    savings: Account,
    euros: Account,
    groceries: Category,
    salary: Category,
) -> dict[type[Base], list[dict[str, Any]]]:
    """Every kind of money a household holds, in every month of MONEY_MONTHS, on days at both
    month edges and in between (reports read partial edge months from raw rows), as rows per
    table. The second transaction row is a plain categorized expense (`OtherHousehold.transaction`).
    """
    transactions: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    budgets: list[dict[str, Any]] = []
    now = utcnow()

    def transaction(account: Account, on: date, amount: int, **fields: Any) -> uuid.UUID:
        row = {
            "id": uuid.uuid4(),
            "household_id": household.id,
            "account_id": account.id,
            "posted_on": on,
            "amount_minor": amount,
            "payee": "Their payee",
            "memo": "",
            "category_id": None,
            "status": TransactionStatus.POSTED,
            "cleared": ClearedState.UNCLEARED,
            "is_split": False,
            "transfer_id": None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        row.update(fields)
        transactions.append(row)
        transaction_id: uuid.UUID = row["id"]
        return transaction_id

    for offset, month in enumerate(MONEY_MONTHS):
        # Cleared at the bank: reconciling our accounts must never reconcile their rows.
        transaction(
            checking,
            month,
            300_000 + offset,
            category_id=salary.id,
            cleared=ClearedState.CLEARED,
        )
        expense = transaction(
            checking, month.replace(day=15), -(12_345 + offset), category_id=groceries.id
        )
        tags.append({"transaction_id": expense, "tag": "coffee", "household_id": household.id})
        split_on = month_end(month)
        split = transaction(checking, split_on, -10_000, is_split=True)
        for category_id, amount in ((groceries.id, -6_000), (None, -4_000)):
            lines.append(
                {
                    "id": uuid.uuid4(),
                    "transaction_id": split,
                    "household_id": household.id,
                    "category_id": category_id,
                    "posted_on": split_on,
                    "amount_minor": amount,
                    "memo": "",
                }
            )
        transfer_id = uuid.uuid4()
        transaction(checking, month.replace(day=10), -50_000, transfer_id=transfer_id)
        transaction(savings, month.replace(day=10), 50_000, transfer_id=transfer_id)
        transaction(savings, month.replace(day=28), -777)
        transaction(euros, month.replace(day=20), -3_300, category_id=groceries.id)
        budgets.append(
            {
                "id": uuid.uuid4(),
                "household_id": household.id,
                "category_id": groceries.id,
                "month": month,
                "assigned_minor": 20_000 + offset,
                "created_at": now,
                "updated_at": now,
            }
        )
    # Rules that would match our transactions too (the factories' payee, and every outflow):
    # applying our rules must never use theirs, and theirs must never touch our rows.
    rules = [
        {
            "id": uuid.uuid4(),
            "household_id": household.id,
            "position": position,
            "name": name,
            "enabled": True,
            "payee_match": payee_match,
            "payee_value": payee_value,
            "memo_contains": None,
            "min_amount_minor": None,
            "max_amount_minor": max_amount_minor,
            "account_id": None,
            "set_category_id": groceries.id,
            "set_payee": set_payee,
            "add_tags": ["theirs"],
            "created_at": now,
            "updated_at": now,
        }
        for position, (name, payee_match, payee_value, max_amount_minor, set_payee) in enumerate(
            [
                ("Corner shop", PayeeMatch.CONTAINS, "corner shop", None, "Their corner shop"),
                ("Every outflow", None, None, -1, None),
            ]
        )
    ]
    # A bank file they previewed, whose one row repeats their first expense.
    their_import = uuid.uuid4()
    imports = [
        {
            "id": their_import,
            "household_id": household.id,
            "account_id": checking.id,
            "user_id": None,
            "status": ImportStatus.PREVIEW,
            "format": "csv",
            "filename": "their-statement.csv",
            "size_bytes": 64,
            "content": b"Date,Payee,Amount\n2023-09-15,Their payee,-123.45\n",
            "total_count": 1,
            "new_count": 0,
            "duplicate_count": 1,
            "error_count": 0,
            "progress": 1.0,
            "created_at": now,
            "updated_at": now,
        }
    ]
    import_rows = [
        {
            "import_id": their_import,
            "line": 2,
            "household_id": household.id,
            "posted_on": MONEY_MONTHS[0].replace(day=15),
            "amount_minor": -12_345,
            "payee": "Their payee",
            "payee_original": "Their payee",
            "memo": "",
            "external_id": None,
            "status": ImportRowStatus.DUPLICATE,
            "duplicate_of": transactions[1]["id"],
        }
    ]
    # Their checking, reconciled against a statement: our registers never show it.
    reconciliations = [
        {
            "id": uuid.uuid4(),
            "household_id": household.id,
            "account_id": checking.id,
            "statement_on": MONEY_MONTHS[0],
            "statement_balance_minor": 1_300_000,
            "adjustment_minor": 0,
            "adjustment_transaction_id": None,
            "reconciled_count": 1,
            "reconciled_by_id": None,
            "reconciled_at": now,
        }
    ]
    return {
        Transaction: transactions,
        TransactionSplit: lines,
        TransactionTag: tags,
        BudgetAssignment: budgets,
        Rule: rules,
        Import: imports,
        ImportRow: import_rows,
        Reconciliation: reconciliations,
    }
