"""The stand-in for Plaid Link: the page, its origin rule, and finishing (new and update mode)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from family_budget.demo_bank.testing import DemoBankControlError
from tests.plaid_support import DemoBankUnderTest

WEB_APP = "http://localhost:3000"
CREDENTIALS = {"PLAID-CLIENT-ID": "demo-client", "PLAID-SECRET": "demo-secret"}


def link_token(demo_bank: DemoBankUnderTest, **extra: object) -> str:
    body = {
        "client_name": "Family Budget",
        "language": "en",
        "country_codes": ["US"],
        "user": {"client_user_id": "u1"},
        **extra,
    }
    if "access_token" not in extra:
        body["products"] = ["transactions"]
    response = httpx.post(f"{demo_bank.url}/link/token/create", json=body, headers=CREDENTIALS)
    assert response.status_code == 200, response.text
    return str(response.json()["link_token"])


def page_config(html: str) -> object:
    match = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


class TestPage:
    def test_new_item_page(self, demo_bank: DemoBankUnderTest) -> None:
        token = link_token(demo_bank)
        response = httpx.get(f"{demo_bank.url}/link", params={"token": token, "origin": WEB_APP})
        assert response.status_code == 200
        html = response.text
        for name in ("First Platypus Bank", "Tartan Bank", "Houndstooth Bank"):
            assert name in html
        assert "user_good" in html
        assert "pass_good" in html
        assert '<label for="username">' in html
        assert '<label for="password">' in html
        assert page_config(html) == {
            "linkToken": token,
            "origin": WEB_APP,
            "source": "family-budget-demo-bank",
        }
        assert "postMessage(message, config.origin)" in html
        assert '"*"' not in html

    @pytest.mark.parametrize(
        "origin", [None, "*", "javascript:alert(1)", "http://x</script><script>alert(1)", "ftp://a"]
    )
    def test_no_valid_origin_means_it_cannot_finish(
        self, demo_bank: DemoBankUnderTest, origin: str | None
    ) -> None:
        params = {"token": link_token(demo_bank)}
        if origin is not None:
            params["origin"] = origin
        html = httpx.get(f"{demo_bank.url}/link", params=params).text
        assert page_config(html) is None
        assert "cannot finish" in html
        assert "<script>alert" not in html

    def test_unknown_token(self, demo_bank: DemoBankUnderTest) -> None:
        response = httpx.get(f"{demo_bank.url}/link", params={"token": "nope", "origin": WEB_APP})
        assert response.status_code == 400
        assert page_config(response.text) is None

    def test_update_mode_names_the_institution_and_asks_only_for_credentials(
        self, demo_bank: DemoBankUnderTest
    ) -> None:
        linked = demo_bank.control.complete_link(link_token(demo_bank), institution_id="ins_109512")
        exchange = httpx.post(
            f"{demo_bank.url}/item/public_token/exchange",
            json={"public_token": linked["public_token"]},
            headers=CREDENTIALS,
        ).json()
        token = link_token(demo_bank, access_token=exchange["access_token"])
        html = httpx.get(f"{demo_bank.url}/link", params={"token": token, "origin": WEB_APP}).text
        assert "Reconnect <strong>Houndstooth Bank</strong>" in html
        assert 'name="institution"' not in html


class TestComplete:
    def test_wrong_credentials_are_refused_and_the_token_stays_usable(
        self, demo_bank: DemoBankUnderTest
    ) -> None:
        token = link_token(demo_bank)
        with pytest.raises(DemoBankControlError) as refused:
            demo_bank.control.complete_link(token, password="wrong")
        assert refused.value.status == 400
        assert refused.value.body["error_code"] == "INVALID_CREDENTIALS"
        assert "user_good" in refused.value.body["display_message"]
        assert demo_bank.control.complete_link(token)["public_token"].startswith("public-sandbox-")

    def test_a_link_token_is_used_once(self, demo_bank: DemoBankUnderTest) -> None:
        token = link_token(demo_bank)
        demo_bank.control.complete_link(token)
        with pytest.raises(DemoBankControlError) as refused:
            demo_bank.control.complete_link(token)
        assert refused.value.body["error_code"] == "INVALID_LINK_TOKEN"

    def test_metadata_lists_the_institution_and_accounts(
        self, demo_bank: DemoBankUnderTest
    ) -> None:
        result = demo_bank.control.complete_link(link_token(demo_bank), institution_id="ins_109508")
        metadata = result["metadata"]
        assert metadata["institution"]["name"] == "First Platypus Bank"
        assert sorted(a["subtype"] for a in metadata["accounts"]) == [
            "checking",
            "credit card",
            "savings",
        ]
