"""Category rules. Every query for a household's categories goes through these functions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, Uuid, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import lock_accounts
from family_budget.budgets.activity import buckets_of_category, refresh_buckets
from family_budget.categories.schemas import CategoryGroupUpdate, CategoryUpdate
from family_budget.db import affected_rows
from family_budget.errors import Conflict, NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    BudgetAssignment,
    Category,
    CategoryGroup,
    Rule,
    Transaction,
    TransactionSplit,
)
from family_budget.models.base import utcnow

# (group, [(category, is_income)]) — a sensible starting point every household can rename or hide.
DEFAULT_CATEGORIES: list[tuple[str, list[tuple[str, bool]]]] = [
    ("Income", [("Salary", True), ("Other income", True)]),
    ("Housing", [("Rent or mortgage", False), ("Utilities", False), ("Home maintenance", False)]),
    ("Everyday", [("Groceries", False), ("Dining out", False), ("Household supplies", False)]),
    ("Transport", [("Fuel", False), ("Public transport", False), ("Car maintenance", False)]),
    ("Bills", [("Phone and internet", False), ("Insurance", False), ("Subscriptions", False)]),
    ("Family", [("Kids", False), ("Health", False), ("Education", False), ("Gifts", False)]),
    ("Lifestyle", [("Entertainment", False), ("Clothing", False), ("Travel", False)]),
    ("Savings goals", [("Emergency fund", False), ("Vacation fund", False)]),
]


def household_categories(
    household_id: uuid.UUID | BindParameter[uuid.UUID],
) -> Select[Category]:
    """The one place that scopes categories to a household."""
    return select(Category).where(Category.household_id == household_id)


def household_groups(household_id: uuid.UUID) -> Select[CategoryGroup]:
    """The one place that scopes category groups to a household."""
    return select(CategoryGroup).where(CategoryGroup.household_id == household_id)


async def create_default_categories(session: AsyncSession, household: HouseholdContext) -> None:
    for group_order, (group_name, categories) in enumerate(DEFAULT_CATEGORIES):
        group = CategoryGroup(household_id=household.id, name=group_name, sort_order=group_order)
        session.add(group)
        await session.flush()
        for order, (name, is_income) in enumerate(categories):
            session.add(
                Category(
                    household_id=household.id,
                    group_id=group.id,
                    name=name,
                    is_income=is_income,
                    sort_order=order,
                )
            )
    await session.flush()


# Built once (every budget and report page reads it): the household is a parameter.
_IN_DISPLAY_ORDER = (
    household_categories(bindparam("household_id", type_=Uuid()))
    .add_columns(CategoryGroup)
    .join(CategoryGroup, CategoryGroup.id == Category.group_id)
    .order_by(
        CategoryGroup.sort_order,
        CategoryGroup.name,
        CategoryGroup.id,
        Category.sort_order,
        Category.name,
        Category.id,
    )
)


async def categories_in_display_order(
    session: AsyncSession, household: HouseholdContext
) -> Sequence[tuple[Category, CategoryGroup]]:
    """Every category of the household with its group, in the order the app shows them."""
    rows = await session.execute(_IN_DISPLAY_ORDER, {"household_id": household.id})
    return [(category, group) for category, group in rows.all()]


async def _find_category(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category | None:
    return (
        await session.execute(household_categories(household.id).where(Category.id == category_id))
    ).scalar_one_or_none()


async def _find_group(
    session: AsyncSession, household: HouseholdContext, group_id: uuid.UUID
) -> CategoryGroup | None:
    return (
        await session.execute(household_groups(household.id).where(CategoryGroup.id == group_id))
    ).scalar_one_or_none()


async def get_category(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category:
    category = await _find_category(session, household, category_id)
    if category is None:
        raise NotFound("Category not found", code="category_not_found")
    return category


def _unknown_category() -> Unprocessable:
    return Unprocessable(
        "category_id does not name a category of this household", code="unknown_category"
    )


async def require_category_in_household(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category:
    """For ids inside request bodies: a foreign or unknown category is a 422 on that field."""
    category = await _find_category(session, household, category_id)
    if category is None:
        raise _unknown_category()
    return category


async def require_categories_in_household(
    session: AsyncSession, household: HouseholdContext, category_ids: Iterable[uuid.UUID | None]
) -> None:
    """Every id (None: no category) names a category of the household, checked in one query."""
    wanted = {c for c in category_ids if c is not None}
    if not wanted:
        return
    found = await session.scalars(
        household_categories(household.id)
        .with_only_columns(Category.id)
        .where(Category.id.in_(sorted(wanted)))
    )
    if wanted - set(found):
        raise _unknown_category()


async def get_category_group(
    session: AsyncSession, household: HouseholdContext, group_id: uuid.UUID
) -> CategoryGroup:
    group = await _find_group(session, household, group_id)
    if group is None:
        raise NotFound("Category group not found", code="category_group_not_found")
    return group


async def require_group_in_household(
    session: AsyncSession, household: HouseholdContext, group_id: uuid.UUID
) -> CategoryGroup:
    """For group ids inside request bodies: unknown or foreign is a 422."""
    group = await _find_group(session, household, group_id)
    if group is None:
        raise Unprocessable(
            "group_id does not name a category group of this household",
            code="unknown_category_group",
        )
    return group


@dataclass(frozen=True, slots=True)
class GroupWithCategories:
    group: CategoryGroup
    categories: list[Category]


async def list_category_groups(
    session: AsyncSession, household: HouseholdContext, *, include_hidden: bool
) -> list[GroupWithCategories]:
    """Groups in their sort order with their categories in theirs. Without `include_hidden`,
    hidden groups (and so all their categories) and hidden categories are left out."""
    groups_query = household_groups(household.id)
    categories_query = household_categories(household.id)
    if not include_hidden:
        groups_query = groups_query.where(CategoryGroup.hidden.is_(False))
        categories_query = categories_query.where(Category.hidden.is_(False))
    groups = (
        await session.scalars(
            groups_query.order_by(CategoryGroup.sort_order, CategoryGroup.name, CategoryGroup.id)
        )
    ).all()
    categories = (
        await session.scalars(
            categories_query.order_by(Category.sort_order, Category.name, Category.id)
        )
    ).all()
    by_group: dict[uuid.UUID, list[Category]] = {group.id: [] for group in groups}
    for category in categories:
        if category.group_id in by_group:
            by_group[category.group_id].append(category)
    return [GroupWithCategories(group, by_group[group.id]) for group in groups]


async def group_categories(
    session: AsyncSession, household: HouseholdContext, group_id: uuid.UUID
) -> list[Category]:
    """A group's categories (hidden ones too) in display order."""
    return list(
        (
            await session.scalars(
                household_categories(household.id)
                .where(Category.group_id == group_id)
                .order_by(Category.sort_order, Category.name, Category.id)
            )
        ).all()
    )


async def _next_sort_order(session: AsyncSession, query: Select[Any]) -> int:
    current = (await session.execute(query)).scalar_one_or_none()
    return 0 if current is None else int(current) + 1


async def create_category_group(
    session: AsyncSession, household: HouseholdContext, *, name: str
) -> CategoryGroup:
    """A new group, placed after the household's existing groups."""
    sort_order = await _next_sort_order(
        session,
        household_groups(household.id).with_only_columns(func.max(CategoryGroup.sort_order)),
    )
    group = CategoryGroup(household_id=household.id, name=name, sort_order=sort_order)
    session.add(group)
    await session.flush()
    return group


async def update_category_group(
    session: AsyncSession,
    household: HouseholdContext,
    group_id: uuid.UUID,
    changes: CategoryGroupUpdate,
) -> CategoryGroup:
    group = await get_category_group(session, household, group_id)
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(group, field, value)
    await session.flush()
    return group


async def delete_category_group(
    session: AsyncSession, household: HouseholdContext, group_id: uuid.UUID
) -> None:
    """Only an empty group can go: move or merge its categories (hidden ones too) first."""
    group = await get_category_group(session, household, group_id)
    members = (
        await session.execute(
            household_categories(household.id)
            .where(Category.group_id == group.id)
            .with_only_columns(func.count())
        )
    ).scalar_one()
    if members:
        raise Conflict(
            f"The group still has {members} categories; move or merge them first",
            code="category_group_not_empty",
        )
    await session.delete(group)
    await session.flush()


def _check_carry_overspending(is_income: bool, carry_overspending: bool) -> None:
    if is_income and carry_overspending:
        raise Unprocessable(
            "Income categories are not budgeted, so they cannot carry overspending",
            code="income_category",
        )


async def create_category(
    session: AsyncSession,
    household: HouseholdContext,
    *,
    group_id: uuid.UUID,
    name: str,
    is_income: bool = False,
    carry_overspending: bool = False,
) -> Category:
    """A new category at the end of its group."""
    group = await require_group_in_household(session, household, group_id)
    _check_carry_overspending(is_income, carry_overspending)
    sort_order = await _next_sort_order(
        session,
        household_categories(household.id)
        .where(Category.group_id == group.id)
        .with_only_columns(func.max(Category.sort_order)),
    )
    category = Category(
        household_id=household.id,
        group_id=group.id,
        name=name,
        is_income=is_income,
        carry_overspending=carry_overspending,
        sort_order=sort_order,
    )
    session.add(category)
    await session.flush()
    return category


async def update_category(
    session: AsyncSession,
    household: HouseholdContext,
    category_id: uuid.UUID,
    changes: CategoryUpdate,
) -> Category:
    category = await get_category(session, household, category_id)
    values = changes.model_dump(exclude_unset=True)
    if "group_id" in values:
        await require_group_in_household(session, household, values["group_id"])
    _check_carry_overspending(
        category.is_income, values.get("carry_overspending", category.carry_overspending)
    )
    for field, value in values.items():
        setattr(category, field, value)
    await session.flush()
    return category


@dataclass(frozen=True, slots=True)
class MergeResult:
    category: Category
    moved_transactions: int
    moved_split_lines: int
    moved_budget_months: int


async def merge_categories(
    session: AsyncSession,
    household: HouseholdContext,
    category_id: uuid.UUID,
    *,
    into_category_id: uuid.UUID,
) -> MergeResult:
    """Move everything of one category into another and delete the first.

    Transactions and split lines are re-pointed (a transaction's version is bumped, so a client
    holding the old copy gets a precondition failure instead of silently undoing the move). Budget
    assignments move month by month; where both categories have an amount in the same month the
    amounts are added together.
    """
    # Locks, in the order every writer takes them (accounts first: see lock_accounts). The
    # household's accounts: transactions written meanwhile either finish before the move (and
    # move with it) or start after it (and find the category gone), instead of the delete's
    # cascade leaving them uncategorized. Then both categories, in id order: A->B merged while
    # B->A is merged waits instead of deadlocking, and finds its source or target gone.
    await lock_accounts(
        session,
        await session.scalars(select(Account.id).where(Account.household_id == household.id)),
    )
    await session.execute(
        household_categories(household.id)
        .with_only_columns(Category.id)
        .where(Category.id.in_(sorted({category_id, into_category_id})))
        .order_by(Category.id)
        .with_for_update()
    )
    source = await get_category(session, household, category_id)
    target = await require_category_in_household(session, household, into_category_id)
    if source.id == target.id:
        raise Unprocessable("A category cannot be merged into itself", code="same_category")
    if source.is_income != target.is_income:
        raise Unprocessable(
            "Income and spending categories cannot be merged into each other",
            code="income_mismatch",
        )

    # The bulk UPDATEs below bypass the session hook that keeps the monthly totals: recompute
    # every bucket holding the source category's money once they have run.
    buckets = await session.run_sync(
        lambda sync: buckets_of_category(sync.connection(), [source.id])
    )
    moved_transactions = affected_rows(
        await session.execute(
            update(Transaction)
            .where(Transaction.household_id == household.id, Transaction.category_id == source.id)
            .values(category_id=target.id, version=Transaction.version + 1)
            .execution_options(synchronize_session=False)
        )
    )
    moved_split_lines = affected_rows(
        await session.execute(
            update(TransactionSplit)
            .where(
                TransactionSplit.household_id == household.id,
                TransactionSplit.category_id == source.id,
            )
            .values(category_id=target.id)
            .execution_options(synchronize_session=False)
        )
    )

    await session.run_sync(lambda sync: refresh_buckets(sync.connection(), buckets))
    # Rules that set the source category set the target from now on (the source was found in
    # the household above, so its id alone names only the household's rules).
    await session.execute(
        update(Rule)
        .where(Rule.set_category_id == source.id)
        .values(set_category_id=target.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )

    assignments: Sequence[BudgetAssignment] = (
        await session.scalars(
            select(BudgetAssignment).where(
                BudgetAssignment.household_id == household.id,
                BudgetAssignment.category_id.in_([source.id, target.id]),
            )
        )
    ).all()
    target_months = {a.month: a for a in assignments if a.category_id == target.id}
    moved_budget_months = 0
    for assignment in assignments:
        if assignment.category_id != source.id:
            continue
        moved_budget_months += 1
        existing = target_months.get(assignment.month)
        if existing is None:
            assignment.category_id = target.id
        else:
            existing.assigned_minor += assignment.assigned_minor
            await session.delete(assignment)
    await session.flush()
    await session.delete(source)
    await session.flush()
    return MergeResult(target, moved_transactions, moved_split_lines, moved_budget_months)
