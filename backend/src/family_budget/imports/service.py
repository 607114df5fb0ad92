"""Import rules: read a bank file into a preview, let the user fix the mapping and override
duplicate verdicts, commit the preview into the ledger in one transaction, and undo it.

- A preview is the file's rows staged in `import_rows` with a verdict each: new, duplicate (of
  an existing transaction of the account, or of an earlier row of the file; see `dedupe`) or
  error. Nothing touches the ledger until commit.
- Commit takes the account's row lock (PostgreSQL), so two commits into one account run one
  after the other, and matches the rows again against what the account holds now: a statement
  previewed twice and committed twice adds its rows once. It inserts with bulk Core statements
  and recomputes the monthly totals once (`refresh_buckets`). Committing twice adds nothing.
- Undo deletes the transactions the import added, except those edited since (version above the
  1 they were inserted with, tags or a receipt added), which stay and are listed.
- Each row's category is suggested by `suggest_category_ids`, the one place that decides it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, NoReturn

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget import money
from family_budget.accounts.service import require_account_in_household
from family_budget.budgets.activity import buckets_of_rows, refresh_buckets
from family_budget.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.imports.dedupe import (
    DEFAULT_DATE_WINDOW_DAYS,
    ExistingTransaction,
    FileRow,
    find_duplicates,
)
from family_budget.imports.parsing import (
    CsvMapping,
    ImportFileError,
    ParsedRow,
    ParseLimits,
    ParseResult,
    open_file,
    parse_file,
)
from family_budget.imports.parsing.limits import DEFAULT_LIMITS, MAX_FILE_BYTES
from family_budget.imports.payees import normalize_payee
from family_budget.models import (
    Account,
    ClearedState,
    Import,
    ImportRow,
    ImportRowStatus,
    ImportStatus,
    Receipt,
    Transaction,
    TransactionStatus,
    TransactionTag,
)
from family_budget.models.base import utcnow
from family_budget.rules.engine import Facts, actions_for
from family_budget.rules.service import apply_rules_to_new_rows, enabled_rule_specs
from family_budget.transactions.bulk import number_bulk_rows
from family_budget.transactions.queries import visible_transactions
from family_budget.worker.jobs import enqueue

# Rows per bulk statement: big enough to amortize a round trip, small enough for SQLite's
# variable limit on the IN lists.
CHUNK = 5_000
COPY_CHUNK = 50_000
_PAYEE_LENGTH = 200
# Bigger files are read and committed by the worker, with progress; smaller ones answer at once.
BIG_FILE_BYTES = 2 * 1024 * 1024
BIG_IMPORT_ROWS = 20_000
PARSE_JOB = "imports.parse"
COMMIT_JOB = "imports.commit"
_NO_DATE_OR_AMOUNT = "The row has no date or amount"


@dataclasses.dataclass(frozen=True, slots=True)
class UndoOutcome:
    status: str  # "discarded" or "undone"
    removed: int
    kept: list[Transaction]


# --- Reading ------------------------------------------------------------------------------------


def visible_imports(household: HouseholdContext) -> Any:
    return Import.household_id == household.id


async def get_import(
    session: AsyncSession, household: HouseholdContext, import_id: uuid.UUID
) -> Import:
    found = (
        await session.execute(
            select(Import).where(Import.id == import_id, visible_imports(household))
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("Import not found", code="import_not_found")
    return found


async def list_imports(
    session: AsyncSession, household: HouseholdContext, *, limit: int = 50
) -> list[Import]:
    """The history, newest first."""
    return list(
        (
            await session.scalars(
                select(Import)
                .where(visible_imports(household))
                .order_by(Import.created_at.desc(), Import.id.desc())
                .limit(limit)
            )
        ).all()
    )


def row_included(row: Any) -> bool:
    """Whether commit imports the row (an ImportRow or a Core row of import_rows)."""
    if row.include is not None:
        return row.status is not ImportRowStatus.ERROR and row.include
    return row.status is ImportRowStatus.NEW


async def list_rows(
    session: AsyncSession, imported: Import, *, limit: int, after_line: int | None
) -> tuple[list[tuple[ImportRow, Transaction | None]], int | None]:
    """The preview rows in file order, `limit` at a time, each with the existing transaction it
    repeats (if any); the cursor is the last line given."""
    query = (
        select(ImportRow, Transaction)
        .outerjoin(
            Transaction,
            and_(
                Transaction.id == ImportRow.duplicate_of,
                Transaction.household_id == imported.household_id,
            ),
        )
        .where(ImportRow.import_id == imported.id, ImportRow.household_id == imported.household_id)
        .order_by(ImportRow.line)
        .limit(limit + 1)
    )
    if after_line is not None:
        query = query.where(ImportRow.line > after_line)
    rows: list[tuple[ImportRow, Transaction | None]] = [
        (row, match) for row, match in (await session.execute(query)).all()
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1][0].line if more and rows else None)


# --- Creating a preview -------------------------------------------------------------------------


def _mapping_of(options: dict[str, Any] | None) -> CsvMapping | None:
    return CsvMapping(**options) if options else None


def parse_bytes(
    data: bytes, options: dict[str, Any] | None, currency: str, limits: ParseLimits
) -> ParseResult:
    try:
        return parse_file(
            data,
            mapping=_mapping_of(options),
            currency_exponent=money.exponent(currency),
            limits=limits,
        )
    except ImportFileError as exc:
        _raise_file_error(exc)


def _open(data: bytes, options: dict[str, Any] | None, currency: str, limits: ParseLimits) -> None:
    """Detect the format and layout only (a big file's rows are read by the worker)."""
    try:
        open_file(
            data,
            mapping=_mapping_of(options),
            currency_exponent=money.exponent(currency),
            limits=limits,
        )
    except ImportFileError as exc:
        _raise_file_error(exc)


def _raise_file_error(exc: ImportFileError) -> NoReturn:
    extra = {key: value for key, value in (("line", exc.line), ("limit", exc.limit)) if value}
    if exc.limit == "max_file_bytes":
        raise PayloadTooLarge(exc.message, code="import_too_large", extra=extra) from None
    raise Unprocessable(exc.message, code="unreadable_file", extra=extra) from None


async def create_import(
    session: AsyncSession,
    household: HouseholdContext,
    *,
    account_id: uuid.UUID,
    data: bytes,
    filename: str = "",
    options: dict[str, Any] | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
    inline: bool = False,
) -> Import:
    """Read the file into a preview. A file that cannot be read raises before anything is
    written (the caller's unit of work rolls back either way). A big file (unless `inline`)
    is only checked for its format and layout here; the worker reads its rows (status
    "parsing", with progress)."""
    account = await require_account_in_household(session, household, account_id)
    if account.archived_at is not None:
        raise Conflict("The account is archived", code="account_archived")
    if limits.max_file_bytes is not None and len(data) > limits.max_file_bytes:
        raise PayloadTooLarge(
            f"An import file may be at most {MAX_FILE_BYTES} bytes", code="import_too_large"
        )
    big = not inline and len(data) > BIG_FILE_BYTES
    if big:
        await asyncio.to_thread(_open, data, options, account.currency, limits)
    else:
        parsed = await asyncio.to_thread(parse_bytes, data, options, account.currency, limits)
        check_currency(parsed, account)
    imported = Import(
        id=uuid.uuid4(),
        household_id=household.id,
        account_id=account.id,
        user_id=household.user_id,
        status=ImportStatus.PREVIEW,
        filename=filename[:255],
        size_bytes=len(data),
        content=data,
        options=options,
    )
    session.add(imported)
    await session.flush()
    if big:
        imported.status = ImportStatus.PARSING
        await enqueue(
            session,
            PARSE_JOB,
            {"import_id": str(imported.id)},
            key=f"{PARSE_JOB}:{imported.id}",
            household_id=household.id,
        )
        await session.flush()
        return imported
    await _stage(session, household, imported, account, parsed)
    return imported


def check_currency(parsed: ParseResult, account: Account) -> None:
    currency = parsed.statement.currency
    if currency and currency.upper() != account.currency:
        raise Unprocessable(
            f"The file is in {currency.upper()} but the account is in {account.currency}",
            code="currency_mismatch",
            extra={"file_currency": currency.upper(), "account_currency": account.currency},
        )


def _mapping_json(parsed: ParseResult) -> dict[str, Any] | None:
    if parsed.mapping is None:
        return None
    return {key: value for key, value in dataclasses.asdict(parsed.mapping).items()}


@dataclasses.dataclass(slots=True)
class Staged:
    """A parse's preview rows, matched and categorized, ready to be written."""

    rows: list[dict[str, Any]]
    counts: Counter[ImportRowStatus]
    parsed: ParseResult


async def prepare_rows(
    session: AsyncSession,
    household: HouseholdContext,
    imported: Import,
    account: Account,
    parsed: ParseResult,
) -> Staged:
    """Match the parse's rows against the account and suggest their categories (reads only)."""
    rows = parsed.rows
    readable = [
        index
        for index, row in enumerate(rows)
        if row.status == "ok" and row.posted_on is not None and row.amount_minor is not None
    ]
    file_rows = [_file_row(rows[index]) for index in readable]
    existing = await existing_transactions(session, account.id, file_rows)
    verdicts = find_duplicates(file_rows, existing)
    categories = await suggest_category_ids(session, household, account.id, rows)
    verdict_of = dict(zip(readable, verdicts, strict=True))
    staged: list[dict[str, Any]] = []
    counts: Counter[ImportRowStatus] = Counter()
    for index, row in enumerate(rows):
        verdict = verdict_of.get(index)
        if verdict is None:
            status = ImportRowStatus.ERROR
        elif verdict.is_duplicate:
            status = ImportRowStatus.DUPLICATE
        else:
            status = ImportRowStatus.NEW
        counts[status] += 1
        staged.append(
            {
                "import_id": imported.id,
                "line": row.line,
                "household_id": household.id,
                "posted_on": row.posted_on,
                "amount_minor": row.amount_minor,
                "payee": row.payee[:_PAYEE_LENGTH],
                "payee_original": row.payee_original,
                "memo": row.memo or "",
                "external_id": row.external_id,
                "status": status,
                "duplicate_of": verdict.duplicate_of if verdict is not None else None,
                "category_id": categories[index],
                "error": row.error
                or ("The row has no date or amount" if verdict is None else None),
                "include": None,
            }
        )
    return Staged(staged, counts, parsed)


async def write_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await bulk_insert(session, ImportRow.__table__, rows)


async def bulk_insert(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: PostgreSQL's COPY (through asyncpg, on
    the same connection), elsewhere one executemany per chunk. Bypasses the ORM and its hooks:
    callers refresh the monthly totals themselves."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        for start in range(0, len(rows), COPY_CHUNK):
            records = [
                tuple(_copy_value(row[c]) for c in columns)
                for row in rows[start : start + COPY_CHUNK]
            ]
            await driver.copy_records_to_table(table.name, records=records, columns=columns)
        return
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


def _copy_value(value: Any) -> Any:
    # Enum members go as their labels (COPY sends PostgreSQL enums as text).
    return value.value if isinstance(value, StrEnum) else value


def finish_preview(imported: Import, staged: Staged) -> None:
    parsed, counts = staged.parsed, staged.counts
    imported.status = ImportStatus.PREVIEW
    imported.format = parsed.format
    imported.mapping = _mapping_json(parsed)
    imported.columns = list(parsed.columns) if parsed.format == "csv" else []
    imported.date_format_candidates = (
        list(parsed.date_format_candidates) if parsed.date_order_ambiguous else []
    )
    imported.total_count = len(parsed.rows)
    imported.new_count = counts[ImportRowStatus.NEW]
    imported.duplicate_count = counts[ImportRowStatus.DUPLICATE]
    imported.error_count = counts[ImportRowStatus.ERROR]
    imported.progress = 1.0
    imported.error = None


async def _stage(
    session: AsyncSession,
    household: HouseholdContext,
    imported: Import,
    account: Account,
    parsed: ParseResult,
) -> None:
    """Write the preview rows and the import's counts from a parse, in the caller's transaction."""
    staged = await prepare_rows(session, household, imported, account, parsed)
    await session.execute(delete(ImportRow).where(ImportRow.import_id == imported.id))
    await write_rows(session, staged.rows)
    finish_preview(imported, staged)
    await session.flush()


def _file_row(row: ParsedRow) -> FileRow:
    assert row.posted_on is not None
    assert row.amount_minor is not None
    return FileRow(row.posted_on, row.amount_minor, normalize_payee(row.payee), row.external_id)


async def existing_transactions(
    session: AsyncSession, account_id: uuid.UUID, file_rows: Sequence[FileRow]
) -> list[ExistingTransaction[uuid.UUID]]:
    """What the account holds that the file's rows may repeat: transactions within the window
    of the file's dates, and those carrying one of its bank ids (whatever their date)."""
    if not file_rows:
        return []
    window = timedelta(days=DEFAULT_DATE_WINDOW_DAYS)
    first = min(row.posted_on for row in file_rows) - window
    last = max(row.posted_on for row in file_rows) + window
    columns = (
        Transaction.id,
        Transaction.posted_on,
        Transaction.amount_minor,
        Transaction.payee,
        Transaction.external_id,
    )
    found: dict[uuid.UUID, ExistingTransaction[uuid.UUID]] = {}
    for row in await session.execute(
        select(*columns)
        .where(
            Transaction.account_id == account_id,
            Transaction.posted_on >= first,
            Transaction.posted_on <= last,
        )
        .order_by(Transaction.posted_on, Transaction.created_at, Transaction.id)
    ):
        found[row.id] = _existing(row)
    external_ids = sorted({row.external_id for row in file_rows if row.external_id})
    for start in range(0, len(external_ids), CHUNK):
        chunk = external_ids[start : start + CHUNK]
        for row in await session.execute(
            select(*columns).where(
                Transaction.account_id == account_id, Transaction.external_id.in_(chunk)
            )
        ):
            found.setdefault(row.id, _existing(row))
    return list(found.values())


def _existing(row: Any) -> ExistingTransaction[uuid.UUID]:
    return ExistingTransaction(
        row.id, row.posted_on, row.amount_minor, normalize_payee(row.payee), row.external_id
    )


async def suggest_category_ids(
    session: AsyncSession,
    household: HouseholdContext,
    account_id: uuid.UUID,
    rows: Sequence[ParsedRow],
) -> list[uuid.UUID | None]:
    """The suggested category of each row, in row order: the category of the household's first
    matching payee rule that sets one; otherwise the category this household used most for the
    row's cleaned payee (ties: the most recently used). Other households never count.

    This is the one place a row's category is decided."""
    rules = await enabled_rule_specs(session, household.id)
    ruled = [
        actions_for(
            rules,
            Facts(
                payee=row.payee,
                memo=row.memo or "",
                amount_minor=row.amount_minor,
                account_id=account_id,
            ),
        ).category_id
        if rules and row.amount_minor is not None
        else None
        for row in rows
    ]
    payees = sorted({row.payee for row in rows if row.payee})
    usage: dict[str, Counter[uuid.UUID]] = defaultdict(Counter)
    latest: dict[tuple[str, uuid.UUID], date] = {}
    for start in range(0, len(payees), CHUNK):
        chunk = payees[start : start + CHUNK]
        result = await session.execute(
            select(
                Transaction.payee,
                Transaction.category_id,
                func.count(),
                func.max(Transaction.posted_on),
            )
            .where(
                Transaction.household_id == household.id,
                Transaction.category_id.is_not(None),
                Transaction.payee.in_(chunk),
            )
            .group_by(Transaction.payee, Transaction.category_id)
        )
        for payee, category_id, count, last_used in result:
            if category_id is None:
                continue
            key = normalize_payee(payee)
            usage[key][category_id] += count
            seen = latest.get((key, category_id))
            if seen is None or last_used > seen:
                latest[(key, category_id)] = last_used
    best: dict[str, uuid.UUID] = {}
    for key, counter in usage.items():
        best[key] = max(counter, key=lambda c: (counter[c], latest[(key, c)], str(c)))
    return [
        rule_category or (best.get(normalize_payee(row.payee)) if row.payee else None)
        for row, rule_category in zip(rows, ruled, strict=True)
    ]


# --- Changing a preview -------------------------------------------------------------------------


def _require_preview(imported: Import) -> None:
    if imported.status is not ImportStatus.PREVIEW:
        raise Conflict(
            f"The import is {imported.status.value}; only a preview can be changed",
            code="import_not_in_preview",
        )


async def reread(
    session: AsyncSession,
    household: HouseholdContext,
    imported: Import,
    options: dict[str, Any],
    limits: ParseLimits = DEFAULT_LIMITS,
) -> None:
    """Read the stored file again with new options (the user fixed the mapping). A mapping that
    does not fit the file raises, and the preview stays as it was."""
    _require_preview(imported)
    account = await session.get_one(Account, imported.account_id)
    content = (
        await session.execute(select(Import.content).where(Import.id == imported.id))
    ).scalar_one()
    if content is None:
        raise Conflict("The import's file is gone", code="import_file_gone")
    parsed = await asyncio.to_thread(parse_bytes, content, options, account.currency, limits)
    check_currency(parsed, account)
    imported.options = options
    await _stage(session, household, imported, account, parsed)


async def override_rows(
    session: AsyncSession, imported: Import, overrides: Sequence[tuple[int, bool | None]]
) -> None:
    _require_preview(imported)
    lines = {line for line, _ in overrides}
    known = (
        set(
            (
                await session.scalars(
                    select(ImportRow.line).where(
                        ImportRow.import_id == imported.id, ImportRow.line.in_(sorted(lines))
                    )
                )
            ).all()
        )
        if lines
        else set()
    )
    unknown = sorted(lines - known)
    if unknown:
        raise Unprocessable(
            f"The import has no row at line {unknown[0]}",
            code="unknown_import_row",
            extra={"lines": unknown[:20]},
        )
    by_value: dict[bool | None, list[int]] = defaultdict(list)
    for line, include in dict(overrides).items():
        by_value[include].append(line)
    for include, value_lines in by_value.items():
        for start in range(0, len(value_lines), CHUNK):
            await session.execute(
                update(ImportRow)
                .where(
                    ImportRow.import_id == imported.id,
                    ImportRow.line.in_(value_lines[start : start + CHUNK]),
                )
                .values(include=include)
            )


# --- Committing ---------------------------------------------------------------------------------


async def _lock(session: AsyncSession, imported: Import) -> None:
    """Serialize commits and undos of one account (PostgreSQL; SQLite has one writer anyway),
    then see the import as the lock holder left it."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Account.id).where(Account.id == imported.account_id).with_for_update()
        )
    await session.refresh(imported)


async def commit_import(
    session: AsyncSession, household: HouseholdContext, imported: Import, *, inline: bool = False
) -> tuple[int, int] | None:
    """(imported, skipped), or None when a big import was handed to the worker (status
    "committing"). Committing a committed import changes nothing and answers its counts again;
    committing one the worker is committing answers None again."""
    await _lock(session, imported)
    if imported.status is ImportStatus.COMMITTED:
        return imported.imported_count or 0, imported.skipped_count or 0
    if imported.status is ImportStatus.COMMITTING:
        return None
    _require_preview(imported)
    if not inline and imported.total_count > BIG_IMPORT_ROWS:
        imported.status = ImportStatus.COMMITTING
        imported.progress = 0.0
        await enqueue(
            session,
            COMMIT_JOB,
            {"import_id": str(imported.id)},
            key=f"{COMMIT_JOB}:{imported.id}",
            household_id=household.id,
        )
        await session.flush()
        return None
    return await finish_commit(session, household, imported)


async def finish_commit(
    session: AsyncSession, household: HouseholdContext, imported: Import
) -> tuple[int, int]:
    imported_count, skipped = await write_transactions(session, household, imported)
    imported.status = ImportStatus.COMMITTED
    imported.imported_count = imported_count
    imported.skipped_count = skipped
    imported.committed_at = utcnow()
    imported.progress = 1.0
    # The file is not needed once its rows are in the ledger.
    imported.content = None
    await session.flush()
    return imported_count, skipped


async def write_transactions(
    session: AsyncSession, household: HouseholdContext, imported: Import
) -> tuple[int, int]:
    # Core rows, not ORM objects: a big import has hundreds of thousands.
    rows = (
        await session.execute(
            select(ImportRow.__table__)
            .where(ImportRow.import_id == imported.id)
            .order_by(ImportRow.line)
        )
    ).all()
    chosen = [row for row in rows if row_included(row)]
    # Rows the user left to the verdict are matched again against what the account holds now:
    # another import may have added them since the preview.
    followed = [row for row in chosen if row.include is None]
    file_rows = [
        FileRow(row.posted_on, row.amount_minor, normalize_payee(row.payee), row.external_id)
        for row in followed
    ]
    existing = await existing_transactions(session, imported.account_id, file_rows)
    now_duplicate = {
        followed[index].line
        for index, verdict in enumerate(find_duplicates(file_rows, existing))
        if verdict.duplicate_of is not None
    }
    chosen = [row for row in chosen if row.line not in now_duplicate]
    # A row the user forced in despite the bank id already being there goes in without the id
    # (the id names one transaction of the account).
    taken_ids: set[str] = {e.external_id for e in existing if e.external_id}
    forced_ids = [r.external_id for r in chosen if r.include and r.external_id]
    if forced_ids:
        taken_ids |= {
            external_id
            for external_id in (
                await session.scalars(
                    select(Transaction.external_id).where(
                        Transaction.account_id == imported.account_id,
                        Transaction.external_id.in_(sorted(set(forced_ids))[:CHUNK]),
                    )
                )
            ).all()
            if external_id
        }
    now = utcnow()
    values: list[dict[str, Any]] = []
    for row in chosen:
        external_id = row.external_id
        if external_id in taken_ids:
            external_id = None
        elif external_id:
            taken_ids.add(external_id)
        values.append(
            {
                "id": uuid.uuid4(),
                "household_id": household.id,
                "account_id": imported.account_id,
                "posted_on": row.posted_on,
                "amount_minor": row.amount_minor,
                "payee": row.payee,
                "payee_original": row.payee_original,
                "memo": row.memo,
                "external_id": external_id,
                "category_id": row.category_id,
                "status": TransactionStatus.POSTED,
                # The bank's own file lists it: it has cleared at the bank.
                "cleared": ClearedState.CLEARED,
                "is_split": False,
                "transfer_id": None,
                "created_by_id": imported.user_id,
                "import_id": imported.id,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    # The household's payee rules: a rule's payee and tags (its category was already the
    # preview's suggestion, which the user saw and could change).
    tags = await apply_rules_to_new_rows(session, household.id, values)
    await number_bulk_rows(session, values)  # in file order
    await bulk_insert(session, Transaction.__table__, values)
    if tags:
        await bulk_insert(session, TransactionTag.__table__, tags)
    buckets = buckets_of_rows((imported.account_id, row["posted_on"]) for row in values)
    await session.run_sync(lambda sync: refresh_buckets(sync.connection(), buckets))
    readable = sum(1 for row in rows if row.status is not ImportRowStatus.ERROR)
    return len(values), readable - len(values)


# --- Undo ---------------------------------------------------------------------------------------


def _edited() -> Any:
    """A transaction changed since the import added it: updated (its version bumped: every
    change of its fields, lines or tags bumps it) or given a receipt. Tags alone do not say it:
    the household's rules may have tagged it on import."""
    return or_(
        Transaction.version > 1,
        exists().where(Receipt.transaction_id == Transaction.id),
    )


async def undo_import(
    session: AsyncSession, household: HouseholdContext, imported: Import
) -> UndoOutcome:
    """Discard a preview (the import goes), or undo a committed import."""
    await _lock(session, imported)
    if imported.status in (ImportStatus.PREVIEW, ImportStatus.FAILED):
        await session.delete(imported)
        await session.flush()
        return UndoOutcome("discarded", 0, [])
    if imported.status not in (ImportStatus.COMMITTED, ImportStatus.UNDONE):
        raise Conflict(
            "The worker is still reading or writing this import; try again when it is done",
            code="import_busy",
        )
    mine = (Transaction.import_id == imported.id, Transaction.household_id == household.id)
    going = (
        await session.execute(
            select(Transaction.id, Transaction.account_id, Transaction.posted_on).where(
                *mine, ~_edited()
            )
        )
    ).all()
    ids = [row.id for row in going]
    for start in range(0, len(ids), CHUNK):
        await session.execute(
            delete(Transaction)
            .where(Transaction.id.in_(ids[start : start + CHUNK]))
            .execution_options(synchronize_session=False)
        )
    buckets = buckets_of_rows((row.account_id, row.posted_on) for row in going)
    await session.run_sync(lambda sync: refresh_buckets(sync.connection(), buckets))
    kept = list(
        (
            await session.scalars(
                select(Transaction).where(*mine).order_by(Transaction.posted_on, Transaction.id)
            )
        ).all()
    )
    if imported.status is ImportStatus.COMMITTED:
        imported.status = ImportStatus.UNDONE
        imported.undone_at = utcnow()
    await session.flush()
    return UndoOutcome("undone", len(ids), kept)


# --- Payees -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class PayeeSuggestion:
    payee: str
    uses: int
    category_id: uuid.UUID | None


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


async def search_payees(
    session: AsyncSession, household: HouseholdContext, query: str, *, limit: int = 10
) -> list[PayeeSuggestion]:
    """Payees of the transactions the caller can see that start with `query` (any case), most
    used first, each with the category used most for it (ties: the most recently used)."""
    visible = visible_transactions(household)
    text = query.strip()
    matches = select(Transaction.payee, func.count().label("uses")).where(
        visible, Transaction.payee != ""
    )
    if text:
        matches = matches.where(
            func.lower(Transaction.payee).like(_like_prefix(text.lower()), escape="\\")
        )
    found = (
        await session.execute(
            matches.group_by(Transaction.payee)
            .order_by(func.count().desc(), Transaction.payee)
            .limit(limit)
        )
    ).all()
    payees = [row.payee for row in found]
    best: dict[str, tuple[int, date, str, uuid.UUID]] = {}
    if payees:
        for payee, category_id, uses, last_used in await session.execute(
            select(
                Transaction.payee,
                Transaction.category_id,
                func.count(),
                func.max(Transaction.posted_on),
            )
            .where(visible, Transaction.category_id.is_not(None), Transaction.payee.in_(payees))
            .group_by(Transaction.payee, Transaction.category_id)
        ):
            if category_id is None:
                continue
            key = (uses, last_used, str(category_id), category_id)
            if payee not in best or key[:3] > best[payee][:3]:
                best[payee] = key
    return [
        PayeeSuggestion(row.payee, row.uses, best[row.payee][3] if row.payee in best else None)
        for row in found
    ]
