"""Rules: ordered conditions and actions that categorize transactions. Adults and owners only:
rules name every account of the household (a teen sees only the accounts shared with them)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from family_budget.deps import AdultHouseholdDep, SessionDep
from family_budget.models import Rule
from family_budget.rules import service
from family_budget.rules.schemas import (
    PayeeConditionRead,
    RuleActionsRead,
    RuleApplyResult,
    RuleChange,
    RuleConditionsRead,
    RuleCreate,
    RuleFromTransaction,
    RuleOrder,
    RuleRead,
    RuleUpdate,
)

router = APIRouter(prefix="/rules", tags=["rules"])


async def _rule_from_path(
    rule_id: Annotated[uuid.UUID, Path(description="The rule's id")],
    household: AdultHouseholdDep,
    session: SessionDep,
) -> Rule:
    return await service.get_rule(session, household, rule_id)


RuleDep = Annotated[Rule, Depends(_rule_from_path)]


def _read(rule: Rule) -> RuleRead:
    payee = (
        PayeeConditionRead(match=rule.payee_match, value=rule.payee_value)
        if rule.payee_match is not None and rule.payee_value is not None
        else None
    )
    return RuleRead(
        id=rule.id,
        name=rule.name,
        position=rule.position,
        enabled=rule.enabled,
        conditions=RuleConditionsRead(
            payee=payee,
            memo_contains=rule.memo_contains,
            min_amount_minor=rule.min_amount_minor,
            max_amount_minor=rule.max_amount_minor,
            account_id=rule.account_id,
        ),
        actions=RuleActionsRead(
            category_id=rule.set_category_id, payee=rule.set_payee, tags=list(rule.add_tags or [])
        ),
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


@router.get("", response_model=list[RuleRead])
async def list_rules(household: AdultHouseholdDep, session: SessionDep) -> list[RuleRead]:
    """List the household's rules in order (the first matching rule that sets a field wins it)."""
    return [_read(rule) for rule in await service.list_rules(session, household)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RuleRead)
async def create_rule(
    body: RuleCreate, household: AdultHouseholdDep, session: SessionDep
) -> RuleRead:
    """Create a rule, placed after the existing ones."""
    return _read(await service.create_rule(session, household, body))


@router.put("/order", response_model=list[RuleRead])
async def reorder_rules(
    body: RuleOrder, household: AdultHouseholdDep, session: SessionDep
) -> list[RuleRead]:
    """Put the household's rules in a new order (every rule, each once)."""
    return [_read(rule) for rule in await service.reorder_rules(session, household, body.rule_ids)]


@router.post(
    "/from-transaction",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleRead,
    responses={200: {"model": RuleRead, "description": "The existing rule for the payee"}},
)
async def create_rule_from_transaction(
    body: RuleFromTransaction,
    household: AdultHouseholdDep,
    session: SessionDep,
    response: Response,
) -> RuleRead:
    """ "Always do this": a first rule giving every transaction with this payee the category
    (201), or the existing rule for exactly that payee updated and moved first (200)."""
    rule, created = await service.rule_from_transaction(
        session, household, transaction_id=body.transaction_id, category_id=body.category_id
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _read(rule)


@router.get("/{rule_id:uuid}", response_model=RuleRead)
async def get_rule(rule: RuleDep) -> RuleRead:
    """One rule."""
    return _read(rule)


@router.patch("/{rule_id:uuid}", response_model=RuleRead)
async def update_rule(
    rule: RuleDep, body: RuleUpdate, household: AdultHouseholdDep, session: SessionDep
) -> RuleRead:
    """Rename, enable or disable a rule, or replace its conditions or actions."""
    return _read(await service.update_rule(session, household, rule, body))


@router.delete("/{rule_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(rule: RuleDep, session: SessionDep) -> Response:
    """Delete a rule (what it already did to transactions stays)."""
    await service.delete_rule(session, rule)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{rule_id:uuid}/apply", response_model=RuleApplyResult)
async def apply_rule(
    rule: RuleDep,
    household: AdultHouseholdDep,
    session: SessionDep,
    dry_run: Annotated[
        bool, Query(description="Only count and show what would change; write nothing")
    ] = False,
) -> RuleApplyResult:
    """Apply a rule to the household's existing transactions, or with dry_run=true say how many
    it would change (and show some) first."""
    result = await service.apply_rule(session, household, rule, dry_run=dry_run)
    return RuleApplyResult(
        dry_run=result.dry_run,
        matched=result.matched,
        changed=result.changed,
        sample=[
            RuleChange(
                transaction_id=c.transaction_id,
                account_id=c.account_id,
                posted_on=c.posted_on,
                amount_minor=c.amount_minor,
                payee=c.payee,
                new_payee=c.new_payee,
                category_id=c.category_id,
                new_category_id=c.new_category_id,
                added_tags=c.added_tags,
            )
            for c in result.sample
        ],
    )
