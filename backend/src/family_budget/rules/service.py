"""Rule rules: the household's ordered rules, "apply to existing", "always do this", and the
one function imports and bank sync call on the rows they are about to insert.

Every query for a household's rules goes through `household_rules`. How rules match and combine
is family_budget.rules.engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import require_account_in_household
from family_budget.budgets.activity import buckets_of_rows, refresh_buckets
from family_budget.categories.service import require_category_in_household
from family_budget.errors import NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.imports.payees import normalize_payee
from family_budget.models import PayeeMatch, Rule, Transaction, TransactionTag
from family_budget.models.base import utcnow
from family_budget.rules.engine import Facts, RuleSpec, actions_for, matches
from family_budget.rules.schemas import (
    SAMPLE_SIZE,
    PayeeCondition,
    RuleActions,
    RuleConditions,
    RuleCreate,
    RuleUpdate,
)
from family_budget.transactions.queries import visible_transactions

_CHUNK: Final = 500  # ids per IN list, well under SQLite's limit on bound parameters
RULE_NAME_MAX_LENGTH: Final = 100


def household_rules(household_id: uuid.UUID) -> Select[Rule]:
    """The one place that scopes rules to a household."""
    return select(Rule).where(Rule.household_id == household_id)


def _in_order(query: Select[Rule]) -> Select[Rule]:
    return query.order_by(Rule.position, Rule.created_at, Rule.id)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# --- Reading and writing rules ------------------------------------------------------------------


async def list_rules(session: AsyncSession, household: HouseholdContext) -> list[Rule]:
    return list((await session.scalars(_in_order(household_rules(household.id)))).all())


async def get_rule(session: AsyncSession, household: HouseholdContext, rule_id: uuid.UUID) -> Rule:
    rule = (
        await session.scalars(household_rules(household.id).where(Rule.id == rule_id))
    ).one_or_none()
    if rule is None:
        raise NotFound("Rule not found", code="rule_not_found")
    return rule


async def _check_ids(
    session: AsyncSession,
    household: HouseholdContext,
    conditions: RuleConditions | None,
    actions: RuleActions | None,
) -> None:
    if conditions is not None and conditions.account_id is not None:
        await require_account_in_household(session, household, conditions.account_id)
    if actions is not None and actions.category_id is not None:
        await require_category_in_household(session, household, actions.category_id)


def _set_conditions(rule: Rule, conditions: RuleConditions) -> None:
    rule.payee_match = conditions.payee.match if conditions.payee else None
    rule.payee_value = conditions.payee.value if conditions.payee else None
    rule.memo_contains = conditions.memo_contains
    rule.min_amount_minor = conditions.min_amount_minor
    rule.max_amount_minor = conditions.max_amount_minor
    rule.account_id = conditions.account_id


def _set_actions(rule: Rule, actions: RuleActions) -> None:
    rule.set_category_id = actions.category_id
    rule.set_payee = actions.payee
    rule.add_tags = list(actions.tags)


async def _next_position(session: AsyncSession, household: HouseholdContext) -> int:
    current = (
        await session.execute(
            household_rules(household.id).with_only_columns(func.max(Rule.position))
        )
    ).scalar_one_or_none()
    return 0 if current is None else int(current) + 1


async def create_rule(session: AsyncSession, household: HouseholdContext, data: RuleCreate) -> Rule:
    """A new rule, placed after the household's existing rules."""
    await _check_ids(session, household, data.conditions, data.actions)
    rule = Rule(
        household_id=household.id,
        position=await _next_position(session, household),
        name=data.name,
        enabled=data.enabled,
    )
    _set_conditions(rule, data.conditions)
    _set_actions(rule, data.actions)
    session.add(rule)
    await session.flush()
    return rule


async def update_rule(
    session: AsyncSession, household: HouseholdContext, rule: Rule, data: RuleUpdate
) -> Rule:
    await _check_ids(session, household, data.conditions, data.actions)
    if data.name is not None:
        rule.name = data.name
    if data.enabled is not None:
        rule.enabled = data.enabled
    if data.conditions is not None:
        _set_conditions(rule, data.conditions)
    if data.actions is not None:
        _set_actions(rule, data.actions)
    rule.updated_at = utcnow()
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, rule: Rule) -> None:
    await session.delete(rule)
    await session.flush()


async def reorder_rules(
    session: AsyncSession, household: HouseholdContext, rule_ids: Sequence[uuid.UUID]
) -> list[Rule]:
    """`rule_ids` must name every rule of the household once; they get positions 0, 1, ..."""
    rules = {rule.id: rule for rule in await list_rules(session, household)}
    unknown = [str(rule_id) for rule_id in rule_ids if rule_id not in rules]
    if unknown:
        raise Unprocessable(
            "Some rule ids do not name rules of this household",
            code="unknown_rules",
            extra={"rule_ids": sorted(set(unknown))},
        )
    if len(set(rule_ids)) != len(rule_ids) or set(rule_ids) != set(rules):
        raise Unprocessable(
            "Send every rule of the household exactly once",
            code="incomplete_rule_order",
            extra={"missing": sorted(str(i) for i in set(rules) - set(rule_ids))},
        )
    now = utcnow()
    for position, rule_id in enumerate(rule_ids):
        rule = rules[rule_id]
        if rule.position != position:
            rule.position = position
            rule.updated_at = now
    await session.flush()
    return [rules[rule_id] for rule_id in rule_ids]


# --- "Always do this" ---------------------------------------------------------------------------


def _only_payee_equals(rule: Rule, payee_key: str) -> bool:
    return (
        rule.payee_match is PayeeMatch.EQUALS
        and normalize_payee(rule.payee_value or "") == payee_key
        and rule.memo_contains is None
        and rule.min_amount_minor is None
        and rule.max_amount_minor is None
        and rule.account_id is None
    )


async def rule_from_transaction(
    session: AsyncSession,
    household: HouseholdContext,
    *,
    transaction_id: uuid.UUID,
    category_id: uuid.UUID,
) -> tuple[Rule, bool]:
    """A rule "payee equals this transaction's payee → this category", placed first (it is the
    most specific rule there is, and the family's latest word). When a rule with exactly that
    condition exists, it gets the category and moves first instead: asking twice makes one rule.
    Returns the rule and whether it is new. The transaction itself is not changed (the client
    re-categorizes it with its own PATCH)."""
    transaction = (
        await session.execute(
            select(Transaction.payee).where(
                Transaction.id == transaction_id, visible_transactions(household)
            )
        )
    ).first()
    if transaction is None:
        raise Unprocessable(
            "transaction_id does not name a transaction you can see in this household",
            code="unknown_transaction",
        )
    await require_category_in_household(session, household, category_id)
    payee = transaction.payee
    payee_key = normalize_payee(payee)
    if not payee_key:
        raise Unprocessable(
            "The transaction has no payee to make a rule from", code="transaction_has_no_payee"
        )
    rules = await list_rules(session, household)
    existing = next((rule for rule in rules if _only_payee_equals(rule, payee_key)), None)
    now = utcnow()
    # Everything above the rule's new place moves down one.
    for other in rules:
        if existing is None or other.position < existing.position:
            other.position += 1
            other.updated_at = now
    if existing is not None:
        existing.set_category_id = category_id
        existing.enabled = True
        existing.position = 0
        existing.updated_at = now
        await session.flush()
        return existing, False
    rule = Rule(household_id=household.id, position=0, name=payee[:RULE_NAME_MAX_LENGTH])
    _set_conditions(
        rule, RuleConditions(payee=PayeeCondition(match=PayeeMatch.EQUALS, value=payee))
    )
    _set_actions(rule, RuleActions(category_id=category_id))
    session.add(rule)
    await session.flush()
    return rule, True


# --- The engine's view of rules -----------------------------------------------------------------


def spec_of(rule: Rule) -> RuleSpec:
    return RuleSpec.build(
        rule.id,
        payee_match=rule.payee_match,
        payee_value=rule.payee_value,
        memo_contains=rule.memo_contains,
        min_amount_minor=rule.min_amount_minor,
        max_amount_minor=rule.max_amount_minor,
        account_id=rule.account_id,
        category_id=rule.set_category_id,
        payee=rule.set_payee,
        tags=rule.add_tags or (),
    )


async def enabled_rule_specs(session: AsyncSession, household_id: uuid.UUID) -> list[RuleSpec]:
    rules = await session.scalars(_in_order(household_rules(household_id).where(Rule.enabled)))
    return [spec_of(rule) for rule in rules]


# --- Rules on new rows (imports, bank sync) -----------------------------------------------------


async def apply_rules_to_new_rows(
    session: AsyncSession,
    household_id: uuid.UUID,
    rows: Sequence[MutableMapping[str, Any]],
) -> list[dict[str, Any]]:
    """The household's enabled rules on transaction rows about to be inserted in bulk (dicts
    for `insert(Transaction)` with at least id, account_id, payee, memo and amount_minor).

    Changes the rows in place: `payee` becomes a rule's payee; `category_id` is set when the row
    has none and can carry one (not a split parent, not a transfer leg). Returns the
    `transaction_tags` rows to insert after the transactions. Rows the caller already has a
    decision for (a family's kept edit) should not be passed."""
    specs = await enabled_rule_specs(session, household_id)
    if not specs:
        return []
    tags: list[dict[str, Any]] = []
    for row in rows:
        actions = actions_for(
            specs,
            Facts(
                payee=row["payee"],
                memo=row.get("memo") or "",
                amount_minor=row["amount_minor"],
                account_id=row["account_id"],
            ),
        )
        if actions.empty:
            continue
        if actions.payee is not None:
            row["payee"] = actions.payee
        categorizable = not row.get("is_split") and row.get("transfer_id") is None
        if actions.category_id is not None and row.get("category_id") is None and categorizable:
            row["category_id"] = actions.category_id
        tags.extend(
            {"transaction_id": row["id"], "tag": tag, "household_id": household_id}
            for tag in actions.tags
        )
    return tags


# --- "Apply to existing" ------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    transaction_id: uuid.UUID
    account_id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str
    new_payee: str | None
    category_id: uuid.UUID | None
    new_category_id: uuid.UUID | None
    added_tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ApplyResult:
    dry_run: bool
    matched: int
    changed: int
    sample: list[Change]


async def _existing_tags(
    session: AsyncSession, transaction_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[str]]:
    found: dict[uuid.UUID, set[str]] = {}
    for chunk in _chunks(transaction_ids):
        for transaction_id, tag in await session.execute(
            select(TransactionTag.transaction_id, TransactionTag.tag).where(
                TransactionTag.transaction_id.in_(chunk)
            )
        ):
            found.setdefault(transaction_id, set()).add(tag)
    return found


async def apply_rule(
    session: AsyncSession, household: HouseholdContext, rule: Rule, *, dry_run: bool
) -> ApplyResult:
    """One rule's actions on every transaction of the household its conditions match (enabled
    or not: the family asked for this rule). A category is not given to transfer legs or split
    parents; a payee and tags are. With `dry_run` nothing is written; otherwise every change is
    made in the request's one database transaction, each changed transaction's version moves
    (a client holding the old copy gets a precondition failure), and the monthly totals of the
    re-categorized rows are recomputed."""
    spec = spec_of(rule)
    query = (
        select(
            Transaction.id,
            Transaction.account_id,
            Transaction.posted_on,
            Transaction.amount_minor,
            Transaction.payee,
            Transaction.memo,
            Transaction.category_id,
            Transaction.is_split,
            Transaction.transfer_id,
        )
        .where(visible_transactions(household))
        .order_by(Transaction.posted_on.desc(), Transaction.id.desc())
    )
    # What SQL can decide exactly; the texts are compared on their matching keys in Python.
    if spec.account_id is not None:
        query = query.where(Transaction.account_id == spec.account_id)
    if spec.min_amount_minor is not None:
        query = query.where(Transaction.amount_minor >= spec.min_amount_minor)
    if spec.max_amount_minor is not None:
        query = query.where(Transaction.amount_minor <= spec.max_amount_minor)
    matched = [
        row
        for row in (await session.execute(query)).all()
        if matches(spec, Facts(row.payee, row.memo, row.amount_minor, row.account_id))
    ]
    tags = await _existing_tags(session, [row.id for row in matched]) if spec.tags else {}
    changes: list[Change] = []
    for row in matched:
        categorizable = not row.is_split and row.transfer_id is None
        new_category = (
            spec.category_id
            if spec.category_id is not None
            and categorizable
            and row.category_id != spec.category_id
            else None
        )
        new_payee = spec.payee if spec.payee is not None and row.payee != spec.payee else None
        added = [tag for tag in spec.tags if tag not in tags.get(row.id, set())]
        if new_category is None and new_payee is None and not added:
            continue
        changes.append(
            Change(
                row.id,
                row.account_id,
                row.posted_on,
                row.amount_minor,
                row.payee,
                new_payee,
                row.category_id,
                new_category,
                added,
            )
        )
    if not dry_run and changes:
        await _write_changes(session, household, changes)
    return ApplyResult(dry_run, len(matched), len(changes), changes[:SAMPLE_SIZE])


async def _write_changes(
    session: AsyncSession, household: HouseholdContext, changes: Sequence[Change]
) -> None:
    now = utcnow()
    # One UPDATE per shape of change, so that each row's version moves exactly once.
    shapes: dict[tuple[uuid.UUID | None, str | None], list[uuid.UUID]] = {}
    for change in changes:
        shapes.setdefault((change.new_category_id, change.new_payee), []).append(
            change.transaction_id
        )
    for (category_id, payee), ids in shapes.items():
        values: dict[str, Any] = {"version": Transaction.version + 1, "updated_at": now}
        if category_id is not None:
            values["category_id"] = category_id
        if payee is not None:
            values["payee"] = payee
        for chunk in _chunks(ids):
            # Every id was just found among the household's visible transactions.
            await session.execute(
                update(Transaction)
                .where(Transaction.id.in_(chunk))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    tag_rows = [
        {"transaction_id": change.transaction_id, "tag": tag, "household_id": household.id}
        for change in changes
        for tag in change.added_tags
    ]
    for chunk in _chunks(tag_rows):
        await session.execute(insert(TransactionTag), list(chunk))
    # Bulk UPDATEs bypass the session hook that keeps the monthly totals.
    buckets = buckets_of_rows(
        (change.account_id, change.posted_on)
        for change in changes
        if change.new_category_id is not None
    )
    await session.run_sync(lambda sync: refresh_buckets(sync.connection(), buckets))
