from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from family_budget.models import AuditAction


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    actor_id: uuid.UUID | None = Field(description="Null when the system acted")
    actor_name: str = Field(description="The actor's name when the change was made")
    action: AuditAction
    target_type: str = Field(description="account, member, invitation, budget, ...")
    target_id: uuid.UUID | None
    target_label: str = Field(description="The target's name when the change was made")
    details: dict[str, Any] = Field(
        description='What changed: {"field": [before, after]}, or the values set'
    )


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    next_before_id: int | None = Field(
        description="Pass as before_id for the next (older) page; null on the last page"
    )
