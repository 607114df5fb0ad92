from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.register_schemas import ConfirmReconciled
from family_budget.db import after_commit
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.errors import PreconditionRequired, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import Transaction, TransactionStatus
from family_budget.money import MAX_AMOUNT_MINOR
from family_budget.schemas import Page, SaneDate, SearchText
from family_budget.transactions import queries, service
from family_budget.transactions.schemas import (
    BulkCategorize,
    BulkCategorizeResult,
    TransactionCreate,
    TransactionRead,
    TransactionUpdate,
    TransferCreate,
    TransferLink,
    TransferRead,
)

router = APIRouter(prefix="/transactions", tags=["transactions"])


async def _transaction_from_path(
    transaction_id: Annotated[uuid.UUID, Path(description="The transaction's id")],
    household: HouseholdDep,
    session: SessionDep,
) -> Transaction:
    return await queries.get_transaction(session, household, transaction_id)


TransactionDep = Annotated[Transaction, Depends(_transaction_from_path)]


async def _expected_versions(
    if_match: Annotated[
        str | None,
        Header(description='The ETag of the version you read (W/"3"), or its bare number (3)'),
    ] = None,
) -> frozenset[int]:
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        raise PreconditionRequired(
            'Send If-Match with the ETag (W/"<version>") of the transaction you read',
            code="precondition_required",
        )
    versions = set()
    for tag in if_match.split(","):
        value = tag.strip().removeprefix("W/").strip('"')
        if value.isascii() and value.isdigit():
            versions.add(int(value))
    # Nothing usable can match any version: a 412, as for a stale ETag.
    return frozenset(versions)


ExpectedVersions = Annotated[frozenset[int], Depends(_expected_versions)]


def count_created(request: Request, session: AsyncSession, transactions: int) -> None:
    """Count transactions entered by hand, once they are saved (the business dashboard)."""

    async def count() -> None:
        request.app.state.metrics.transactions_created.labels("manual").inc(transactions)

    after_commit(session, count)


def _etag(transaction: queries.TransactionFields) -> str:
    return f'W/"{transaction.version}"'


def _transfer_link(t: queries.TransactionFields, transfer: queries.TransferInfo) -> TransferLink:
    this_side = (t.account_id, transfer.account_name)
    other_side = (transfer.counterpart_account_id, transfer.counterpart_account_name)
    (from_id, from_name), (to_id, to_name) = (
        (this_side, other_side) if t.amount_minor < 0 else (other_side, this_side)
    )
    return TransferLink(
        transfer_id=transfer.transfer_id,
        counterpart_account_id=transfer.counterpart_account_id,
        counterpart_transaction_id=transfer.counterpart_transaction_id,
        from_account_id=from_id,
        from_account_name=from_name,
        to_account_id=to_id,
        to_account_name=to_name,
        moved_minor=abs(t.amount_minor),
    )


async def _present(
    session: AsyncSession, household: HouseholdContext, details: list[queries.TransactionDetails]
) -> None:
    """What one transaction's response needs beyond the row: account names, then the teen's
    view of them."""
    await queries.name_transfer_accounts(session, details)
    await queries.mask_for_viewer(session, household, details)


# TransactionRead's fields that are the transaction's own columns.
_COLUMN_FIELDS = (
    "id",
    "account_id",
    "posted_on",
    "amount_minor",
    "payee",
    "memo",
    "category_id",
    "status",
    "cleared",
    "version",
    "created_at",
    "updated_at",
)


def _fields(details: queries.TransactionDetails) -> dict[str, Any]:
    """A transaction as TransactionRead's fields, validated by the caller in one go (for a page,
    one validation of the whole page instead of a model per row)."""
    t = details.transaction
    # A page's row is zipped with its column names (the extra columns are ignored by the
    # validation); an ORM object is read by name.
    if isinstance(t, Row):
        fields = dict(zip(queries.PAGE_ROW_KEYS, t, strict=True))
    else:
        fields = {name: getattr(t, name) for name in _COLUMN_FIELDS}
    fields["tags"] = details.tags
    fields["splits"] = [
        {
            "id": line.id,
            "category_id": line.category_id,
            "amount_minor": line.amount_minor,
            "memo": line.memo,
        }
        for line in details.splits
    ]
    fields["transfer"] = _transfer_link(t, details.transfer) if details.transfer else None
    fields["receipt_count"] = details.receipt_count
    return fields


def _read(details: queries.TransactionDetails) -> TransactionRead:
    return TransactionRead.model_validate(_fields(details))


@router.get("", responses={422: {"description": "invalid_date_range: from is after to"}})
async def list_transactions(
    household: HouseholdDep,
    session: SessionDep,
    posted_from: Annotated[
        SaneDate | None, Query(alias="from", description="First day, inclusive")
    ] = None,
    posted_to: Annotated[
        SaneDate | None, Query(alias="to", description="Last day, inclusive")
    ] = None,
    account_id: uuid.UUID | None = None,
    category_id: Annotated[
        uuid.UUID | None, Query(description="Matches the category or a split line's category")
    ] = None,
    payee: Annotated[
        SearchText | None,
        Query(max_length=200, description="Case-insensitive part of the payee"),
    ] = None,
    q: Annotated[
        SearchText | None,
        Query(
            max_length=200,
            description="Case-insensitive part of the payee, memo or category name, or an "
            "amount in the household's currency: 12.50 or 12,50 matches money out or in of "
            "that amount, -12.50 only money out",
        ),
    ] = None,
    min_amount_minor: Annotated[
        int | None, Query(ge=-MAX_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR)
    ] = None,
    max_amount_minor: Annotated[
        int | None, Query(ge=-MAX_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR)
    ] = None,
    uncategorized: Annotated[
        bool,
        Query(description="true: only transactions with no category, not split, not transfers"),
    ] = False,
    tag: Annotated[SearchText | None, Query(max_length=50)] = None,
    transaction_status: Annotated[TransactionStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> Page[TransactionRead]:
    """List transactions, newest first, one page at a time; without account_id a transfer is
    one row (its outgoing leg)."""
    if posted_from is not None and posted_to is not None and posted_from > posted_to:
        raise Unprocessable("from must not be after to", code="invalid_date_range")
    filters = queries.TransactionFilters(
        posted_from=posted_from,
        posted_to=posted_to,
        account_id=account_id,
        category_id=category_id,
        payee=payee,
        min_amount_minor=min_amount_minor,
        max_amount_minor=max_amount_minor,
        uncategorized=uncategorized,
        tag=tag,
        status=transaction_status,
        text=q.strip() if q else None,
    )
    rows, next_cursor = await queries.list_transactions(
        session, household, filters, limit=limit, cursor=cursor
    )
    await queries.mask_for_viewer(session, household, rows)
    return Page[TransactionRead].model_validate(
        {"items": [_fields(row) for row in rows], "next_cursor": next_cursor}
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_transaction(
    household: HouseholdDep,
    session: SessionDep,
    body: TransactionCreate,
    request: Request,
    response: Response,
) -> TransactionRead:
    """Record a transaction, optionally split across categories and tagged."""
    details = await service.create_transaction(session, household, body)
    await _present(session, household, [details])
    count_created(request, session, 1)
    response.headers["ETag"] = _etag(details.transaction)
    return _read(details)


@router.post("/transfers", status_code=status.HTTP_201_CREATED)
async def create_transfer(
    household: AdultHouseholdDep, session: SessionDep, body: TransferCreate, request: Request
) -> TransferRead:
    """Move money between two accounts of the household (a linked pair of transactions)."""
    transfer_id, outflow, inflow = await service.create_transfer(session, household, body)
    await _present(session, household, [outflow, inflow])
    count_created(request, session, 2)
    return TransferRead(
        transfer_id=transfer_id, from_transaction=_read(outflow), to_transaction=_read(inflow)
    )


@router.post("/bulk-categorize")
async def bulk_categorize_transactions(
    household: HouseholdDep, session: SessionDep, body: BulkCategorize
) -> BulkCategorizeResult:
    """Set (or clear) the category of many transactions at once, all or nothing."""
    return BulkCategorizeResult(updated=await service.bulk_categorize(session, household, body))


@router.get("/{transaction_id:uuid}")
async def get_transaction(
    household: HouseholdDep, transaction: TransactionDep, session: SessionDep, response: Response
) -> TransactionRead:
    """Get one transaction; its ETag is what If-Match must carry to change it."""
    details = await queries.transaction_details(session, transaction)
    await _present(session, household, [details])
    response.headers["ETag"] = _etag(transaction)
    return _read(details)


@router.patch("/{transaction_id:uuid}")
async def update_transaction(
    household: HouseholdDep,
    transaction: TransactionDep,
    expected_versions: ExpectedVersions,
    session: SessionDep,
    body: TransactionUpdate,
    response: Response,
    confirm_reconciled: ConfirmReconciled = False,
) -> TransactionRead:
    """Change a transaction (If-Match required); a transfer's amount and date move together."""
    details = await service.update_transaction(
        session,
        household,
        transaction,
        expected_versions,
        body,
        confirm_reconciled=confirm_reconciled,
    )
    await _present(session, household, [details])
    response.headers["ETag"] = _etag(details.transaction)
    return _read(details)


@router.delete("/{transaction_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_transaction(
    household: AdultHouseholdDep,
    transaction: TransactionDep,
    expected_versions: ExpectedVersions,
    session: SessionDep,
    confirm_reconciled: ConfirmReconciled = False,
) -> None:
    """Delete a transaction (If-Match required); deleting a transfer leg deletes the pair."""
    await service.delete_transaction(
        session, transaction, expected_versions, confirm_reconciled=confirm_reconciled
    )
