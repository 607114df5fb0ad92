"""The rules engine: which actions a household's ordered rules give one transaction. Pure
functions over plain values (no database), property-tested against a model in
tests/rules/test_engine.py.

**Matching.** A rule matches a row when every condition it has holds (a rule without any
condition is refused when it is saved):
- payee `equals` / `contains`: the row's payee and the rule's text are compared on their matching
  key (imports.payees.normalize_payee: case, accents, punctuation and digits do not count), so
  "AMAZON" equals "Amazon" and "Café Métro" contains "cafe". No regular expressions.
- memo contains: case-insensitive substring on the memo (digits do count: "ref 1234").
- amount range: `min_amount_minor <= amount_minor <= max_amount_minor`, signed as in the API
  (negative: money out); either end may be open.
- account: the row is on that account.
Conditions look at the row as it came (from the bank, the file or the family), never at what an
earlier rule set: rules do not chain.

**Combining: the first matching rule that sets a field wins it.** Rules are read top to bottom;
the category is set by the first matching rule with a category action, the payee by the first
one with a payee action, and tags are the union of every matching rule's tags. So a specific
rule placed above a general one wins ("Amazon Prime" → Subscriptions above "Amazon" → Shopping),
while a general rule still fills what the specific one leaves open (a "joint" tag for every row
of one account). Disabled rules are left out before they reach the engine.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from family_budget.imports.payees import normalize_payee
from family_budget.models import PayeeMatch


def memo_key(text: str) -> str:
    """The memo's matching key: case-folded, compatibility-normalized, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules look at in one transaction."""

    payee: str
    memo: str
    amount_minor: int
    account_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule, ready for matching: its texts already turned into their matching keys."""

    id: uuid.UUID
    payee_match: PayeeMatch | None = None
    payee_key: str = ""
    memo_key: str | None = None
    min_amount_minor: int | None = None
    max_amount_minor: int | None = None
    account_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    payee: str | None = None
    tags: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        id: uuid.UUID,
        *,
        payee_match: PayeeMatch | None = None,
        payee_value: str | None = None,
        memo_contains: str | None = None,
        min_amount_minor: int | None = None,
        max_amount_minor: int | None = None,
        account_id: uuid.UUID | None = None,
        category_id: uuid.UUID | None = None,
        payee: str | None = None,
        tags: Iterable[str] = (),
    ) -> RuleSpec:
        return cls(
            id=id,
            payee_match=payee_match if payee_value is not None else None,
            payee_key=normalize_payee(payee_value or ""),
            memo_key=memo_key(memo_contains) if memo_contains is not None else None,
            min_amount_minor=min_amount_minor,
            max_amount_minor=max_amount_minor,
            account_id=account_id,
            category_id=category_id,
            payee=payee,
            tags=tuple(dict.fromkeys(tags)),
        )


@dataclass(frozen=True, slots=True)
class Actions:
    """What the rules decided for one row (None / empty: nothing for that field)."""

    category_id: uuid.UUID | None = None
    payee: str | None = None
    tags: tuple[str, ...] = ()
    rule_ids: tuple[uuid.UUID, ...] = ()  # every matching rule, in order

    @property
    def empty(self) -> bool:
        return self.category_id is None and self.payee is None and not self.tags


NO_ACTIONS = Actions()


def _payee_holds(rule: RuleSpec, payee_key: str) -> bool:
    if rule.payee_match is None:
        return True
    if rule.payee_match is PayeeMatch.EQUALS:
        return payee_key == rule.payee_key
    return rule.payee_key in payee_key


def _matches(rule: RuleSpec, facts: Facts, payee_key: str, facts_memo_key: str) -> bool:
    return (
        (rule.account_id is None or rule.account_id == facts.account_id)
        and (rule.min_amount_minor is None or facts.amount_minor >= rule.min_amount_minor)
        and (rule.max_amount_minor is None or facts.amount_minor <= rule.max_amount_minor)
        and _payee_holds(rule, payee_key)
        and (rule.memo_key is None or rule.memo_key in facts_memo_key)
    )


def matches(rule: RuleSpec, facts: Facts) -> bool:
    """Does every condition of `rule` hold for `facts`?"""
    return _matches(rule, facts, normalize_payee(facts.payee), memo_key(facts.memo))


def actions_for(rules: Sequence[RuleSpec], facts: Facts) -> Actions:
    """The actions the ordered `rules` give `facts` (see the module doc for how they combine)."""
    if not rules:
        return NO_ACTIONS
    payee_key = normalize_payee(facts.payee)
    facts_memo_key = memo_key(facts.memo)
    category_id: uuid.UUID | None = None
    payee: str | None = None
    tags: dict[str, None] = {}
    matched: list[uuid.UUID] = []
    for rule in rules:
        if not _matches(rule, facts, payee_key, facts_memo_key):
            continue
        matched.append(rule.id)
        if category_id is None:
            category_id = rule.category_id
        if payee is None:
            payee = rule.payee
        tags.update(dict.fromkeys(rule.tags))
    if not matched:
        return NO_ACTIONS
    return Actions(category_id, payee, tuple(tags), tuple(matched))
