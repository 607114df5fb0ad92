"""Category groups and categories: everyone in the household reads them, adults change them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Query, Response, status

from family_budget.categories import service
from family_budget.categories.schemas import (
    CategoryCreate,
    CategoryGroupCreate,
    CategoryGroupRead,
    CategoryGroupUpdate,
    CategoryMerge,
    CategoryMergeRead,
    CategoryRead,
    CategoryUpdate,
)
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.models import Category, CategoryGroup

router = APIRouter(prefix="/categories", tags=["categories"])


def _group_read(group: CategoryGroup, categories: Sequence[Category]) -> CategoryGroupRead:
    return CategoryGroupRead(
        id=group.id,
        name=group.name,
        hidden=group.hidden,
        sort_order=group.sort_order,
        categories=[CategoryRead.model_validate(c) for c in categories],
    )


@router.get("", response_model=list[CategoryGroupRead])
async def list_categories(
    household: HouseholdDep,
    session: SessionDep,
    include_hidden: bool = Query(False, description="Also list hidden groups and categories"),
) -> list[CategoryGroupRead]:
    """List the household's category groups with their categories, in display order."""
    groups = await service.list_category_groups(session, household, include_hidden=include_hidden)
    return [_group_read(item.group, item.categories) for item in groups]


@router.post("/groups", status_code=status.HTTP_201_CREATED, response_model=CategoryGroupRead)
async def create_category_group(
    body: CategoryGroupCreate, household: AdultHouseholdDep, session: SessionDep
) -> CategoryGroupRead:
    """Create a category group (placed after the existing ones)."""
    group = await service.create_category_group(session, household, name=body.name)
    return _group_read(group, [])


@router.patch("/groups/{group_id}", response_model=CategoryGroupRead)
async def update_category_group(
    group_id: uuid.UUID,
    body: CategoryGroupUpdate,
    household: AdultHouseholdDep,
    session: SessionDep,
) -> CategoryGroupRead:
    """Rename, hide or reorder a category group."""
    group = await service.update_category_group(session, household, group_id, body)
    return _group_read(group, await service.group_categories(session, household, group.id))


@router.delete("/groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_category_group(
    group_id: uuid.UUID, household: AdultHouseholdDep, session: SessionDep
) -> Response:
    """Delete an empty category group (409 while it still has categories)."""
    await service.delete_category_group(session, household, group_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CategoryRead)
async def create_category(
    body: CategoryCreate, household: AdultHouseholdDep, session: SessionDep
) -> CategoryRead:
    """Create a category at the end of a group."""
    category = await service.create_category(
        session,
        household,
        group_id=body.group_id,
        name=body.name,
        is_income=body.is_income,
        carry_overspending=body.carry_overspending,
    )
    return CategoryRead.model_validate(category)


@router.patch("/{category_id:uuid}", response_model=CategoryRead)
async def update_category(
    category_id: uuid.UUID, body: CategoryUpdate, household: AdultHouseholdDep, session: SessionDep
) -> CategoryRead:
    """Rename, hide, move, reorder a category or turn its carrying of overspending on or off."""
    category = await service.update_category(session, household, category_id, body)
    return CategoryRead.model_validate(category)


@router.post("/{category_id:uuid}/merge", response_model=CategoryMergeRead)
async def merge_category(
    category_id: uuid.UUID, body: CategoryMerge, household: AdultHouseholdDep, session: SessionDep
) -> CategoryMergeRead:
    """Move a category's transactions, split lines and budget amounts into another; delete it."""
    result = await service.merge_categories(
        session, household, category_id, into_category_id=body.into_category_id
    )
    return CategoryMergeRead(
        category=CategoryRead.model_validate(result.category),
        moved_transactions=result.moved_transactions,
        moved_split_lines=result.moved_split_lines,
        moved_budget_months=result.moved_budget_months,
    )
