"""The routers are included with the busiest first (family_budget.app), because a request is
matched against the routes in order. That is safe only while no request can match two routes:
this test finds every pair of operations that one request could reach, and the one such pair
that exists must keep its order."""

from __future__ import annotations

import itertools

from fastapi import FastAPI

from family_budget.app import create_app
from family_budget.config import Settings

# DELETE …/categories/groups/target matches both; the category-group route must come first
# (categories_router before budgets_router), as it always has.
KNOWN = {
    (
        "DELETE",
        "/api/v1/households/{household_id}/categories/groups/{group_id}",
        "/api/v1/households/{household_id}/categories/{category_id}/target",
    )
}


def _can_match_the_same_request(first: str, second: str) -> bool:
    a, b = first.strip("/").split("/"), second.strip("/").split("/")
    return len(a) == len(b) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(a, b, strict=True)
    )


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method in {"get", "put", "post", "patch", "delete", "head"}
    ]


def test_only_the_known_pair_of_routes_can_match_one_request(settings: Settings) -> None:
    app = create_app(settings, configure_logs=False)
    operations = _operations(app)
    overlapping = {
        (method, first, second)
        for (method, first), (other_method, second) in itertools.combinations(operations, 2)
        if method == other_method and _can_match_the_same_request(first, second)
    }
    assert overlapping == KNOWN
    # OpenAPI lists the paths in the order they are matched.
    order = [path for _, path in operations]
    group, target = sorted(KNOWN)[0][1:]
    assert order.index(group) < order.index(target)
