"""The rules engine against a model written here: the model walks the rules from the last to the
first and lets every matching rule overwrite what it sets (so the first matching rule that sets
a field is the one left), where the engine walks forward and keeps the first. Matching is
written out condition by condition over plain lower-cased ASCII text, which is what the
generated payees and memos are made of (their matching keys are then the text itself)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from family_budget.models import PayeeMatch
from family_budget.rules.engine import Facts, RuleSpec, actions_for, matches

ACCOUNTS = [uuid.UUID(int=1), uuid.UUID(int=2)]
CATEGORIES = [uuid.UUID(int=10), uuid.UUID(int=11), uuid.UUID(int=12)]
WORDS = ["amazon", "prime", "shell", "oil", "cafe"]


@dataclass(frozen=True)
class ModelRule:
    id: uuid.UUID
    payee: tuple[str, str] | None  # (match, words)
    memo: str | None
    low: int | None
    high: int | None
    account: uuid.UUID | None
    category: uuid.UUID | None
    new_payee: str | None
    tags: tuple[str, ...]


def _model_matches(rule: ModelRule, payee: str, memo: str, amount: int, account: uuid.UUID) -> bool:
    if rule.account is not None and account != rule.account:
        return False
    if rule.low is not None and amount < rule.low:
        return False
    if rule.high is not None and amount > rule.high:
        return False
    if rule.payee is not None:
        match, words = rule.payee
        if match == "equals" and payee != words:
            return False
        if match == "contains" and payee.find(words) < 0:
            return False
    return not (rule.memo is not None and memo.find(rule.memo) < 0)


def _model(
    rules: list[ModelRule], payee: str, memo: str, amount: int, account: uuid.UUID
) -> tuple[uuid.UUID | None, str | None, set[str], list[uuid.UUID]]:
    category: uuid.UUID | None = None
    new_payee: str | None = None
    tags: set[str] = set()
    matched: list[uuid.UUID] = []
    for rule in reversed(rules):
        if _model_matches(rule, payee, memo, amount, account):
            matched.insert(0, rule.id)
            category = rule.category or category
            new_payee = rule.new_payee or new_payee
            tags |= set(rule.tags)
    return category, new_payee, tags, matched


phrases = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
amounts = st.integers(min_value=-5_000, max_value=5_000)


@st.composite
def model_rules(draw: st.DrawFn) -> ModelRule:
    low = draw(st.none() | amounts)
    high = draw(st.none() | amounts)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return ModelRule(
        id=uuid.uuid4(),
        payee=draw(st.none() | st.tuples(st.sampled_from(["equals", "contains"]), phrases)),
        memo=draw(st.none() | st.sampled_from(WORDS)),
        low=low,
        high=high,
        account=draw(st.none() | st.sampled_from(ACCOUNTS)),
        category=draw(st.none() | st.sampled_from(CATEGORIES)),
        new_payee=draw(st.none() | st.sampled_from(["Amazon", "Shell"])),
        tags=tuple(draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=2))),
    )


def _spec(rule: ModelRule) -> RuleSpec:
    return RuleSpec.build(
        rule.id,
        payee_match=PayeeMatch(rule.payee[0]) if rule.payee else None,
        payee_value=rule.payee[1] if rule.payee else None,
        memo_contains=rule.memo,
        min_amount_minor=rule.low,
        max_amount_minor=rule.high,
        account_id=rule.account,
        category_id=rule.category,
        payee=rule.new_payee,
        tags=rule.tags,
    )


@settings(max_examples=400)
@given(
    rules=st.lists(model_rules(), max_size=6),
    payee=phrases,
    memo=st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
    amount=amounts,
    account=st.sampled_from(ACCOUNTS),
)
def test_actions_equal_the_model(
    rules: list[ModelRule], payee: str, memo: str, amount: int, account: uuid.UUID
) -> None:
    actions = actions_for([_spec(r) for r in rules], Facts(payee, memo, amount, account))
    category, new_payee, tags, matched = _model(rules, payee, memo, amount, account)
    assert actions.category_id == category
    assert actions.payee == new_payee
    assert set(actions.tags) == tags
    assert len(actions.tags) == len(tags)
    assert list(actions.rule_ids) == matched


RULE = uuid.uuid4()
HERE = ACCOUNTS[0]


def _facts(payee: str = "", memo: str = "", amount: int = -100) -> Facts:
    return Facts(payee, memo, amount, HERE)


class TestMatchingKeys:
    def test_payee_ignores_case_accents_punctuation_and_digits(self) -> None:
        rule = RuleSpec.build(RULE, payee_match=PayeeMatch.EQUALS, payee_value="Café Métro")
        assert matches(rule, _facts("CAFE METRO #12"))
        assert not matches(rule, _facts("Cafe Metro Bar"))

    def test_contains_finds_a_part(self) -> None:
        rule = RuleSpec.build(RULE, payee_match=PayeeMatch.CONTAINS, payee_value="prime")
        assert matches(rule, _facts("Amazon Prime"))
        assert not matches(rule, _facts("Amazon"))

    def test_memo_is_case_insensitive_and_keeps_digits(self) -> None:
        rule = RuleSpec.build(RULE, memo_contains="REF 1234")
        assert matches(rule, _facts(memo="Payment ref 1234 thanks"))
        assert not matches(rule, _facts(memo="Payment ref 1235"))

    def test_amount_range_is_inclusive_and_signed(self) -> None:
        rule = RuleSpec.build(RULE, min_amount_minor=-5_000, max_amount_minor=-1_000)
        assert matches(rule, _facts(amount=-5_000))
        assert matches(rule, _facts(amount=-1_000))
        assert not matches(rule, _facts(amount=-999))
        assert not matches(rule, _facts(amount=1_000))

    def test_account(self) -> None:
        rule = RuleSpec.build(RULE, account_id=ACCOUNTS[1])
        assert not matches(rule, _facts())
        assert matches(rule, Facts("", "", 0, ACCOUNTS[1]))

    def test_conditions_see_the_original_payee_not_an_earlier_rules(self) -> None:
        first = RuleSpec.build(
            uuid.uuid4(), payee_match=PayeeMatch.EQUALS, payee_value="amzn", payee="Amazon"
        )
        second = RuleSpec.build(
            uuid.uuid4(),
            payee_match=PayeeMatch.EQUALS,
            payee_value="Amazon",
            category_id=CATEGORIES[0],
        )
        actions = actions_for([first, second], _facts("AMZN"))
        assert actions.payee == "Amazon"
        assert actions.category_id is None
