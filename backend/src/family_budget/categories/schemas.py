"""Category and category-group request and response bodies."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, model_validator

from family_budget.schemas import Name, ReadSchema, Schema

SortOrder = Annotated[StrictInt, Field(ge=0, le=1_000_000)]


class PatchSchema(Schema):
    """Partial updates: a field may be left out, but not set to null (none of these is optional)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(key for key, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null; leave the field out instead")
        return data


class CategoryGroupCreate(Schema):
    name: Name


class CategoryGroupUpdate(PatchSchema):
    name: Name | None = None
    hidden: StrictBool | None = None
    sort_order: SortOrder | None = None


class CategoryCreate(Schema):
    group_id: uuid.UUID
    name: Name
    is_income: StrictBool = False
    carry_overspending: StrictBool = Field(
        default=False,
        description="Overspending at a month end carries into the category's next month "
        "instead of coming out of the next month's money to assign (what is left over "
        "always carries)",
    )


class CategoryUpdate(PatchSchema):
    name: Name | None = None
    hidden: StrictBool | None = None
    carry_overspending: StrictBool | None = None
    group_id: uuid.UUID | None = None
    sort_order: SortOrder | None = None


class CategoryMerge(Schema):
    into_category_id: uuid.UUID


class CategoryRead(ReadSchema):
    id: uuid.UUID
    group_id: uuid.UUID
    name: str
    is_income: bool
    hidden: bool
    carry_overspending: bool
    sort_order: int


class CategoryGroupRead(ReadSchema):
    id: uuid.UUID
    name: str
    hidden: bool
    sort_order: int
    categories: list[CategoryRead] = Field(default_factory=list)


class CategoryMergeRead(ReadSchema):
    category: CategoryRead = Field(description="The category everything was merged into")
    moved_transactions: int
    moved_split_lines: int
    moved_budget_months: int = Field(description="Months of budget assignments moved or added")
