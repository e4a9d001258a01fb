"""The page's contract with the API, checked without a browser (test_browser.py runs it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from embedtune.serve import create_app
from embedtune.serve.page import PAGE_HTML, content_security_policy

SCRIPT = PAGE_HTML.split("<script>")[1].split("</script>")[0]


@pytest.fixture(scope="module")
def client(searcher: Any) -> TestClient:
    return TestClient(create_app(searcher), base_url="http://localhost:8000")


def test_every_element_the_script_uses_is_on_the_page() -> None:
    used = set(re.findall(r'getElementById\("([^"]+)"\)', SCRIPT))
    assert {"q", "k", "key", "key-row", "filters", "filter-box", "status", "results"} <= used
    for element_id in used:
        assert PAGE_HTML.count(f'id="{element_id}"') == 1, element_id


def test_the_script_calls_only_routes_the_app_has(client: TestClient) -> None:
    fetched = set(re.findall(r'fetch\("([^"]+)"', SCRIPT))
    assert fetched == {"search", "health"}  # relative: the page also works under a proxy prefix
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/search", "/health"} <= set(paths)
    sent = re.findall(r"JSON\.stringify\(\{([^}]*)\}\)", SCRIPT)
    assert [s.replace(" ", "").split(",") for s in sent] == [["query", "k", "filters"]]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SearchRequest"]
    assert {"query", "k", "filters"} <= set(schema["properties"])


@pytest.mark.parametrize(
    "filters",
    [{}, {"location": "Remote"}],  # what the page sends with no filter, and with one filled in
)
def test_what_the_page_sends_is_answered(client: TestClient, filters: dict[str, str]) -> None:
    response = client.post("/search", json={"query": "data engineer", "k": 24, "filters": filters})
    assert response.status_code == 200
    locations = {h["metadata"]["location"] for h in response.json()["hits"]}
    assert locations == ({"Remote"} if filters else {"Remote", "Paris"})


def test_the_page_builds_its_filters_from_health(client: TestClient) -> None:
    assert client.get("/health").json()["filters"] == ["location"]
    assert re.search(r"for \(const field of body\.filters \|\| \[\]\) addFilter\(field\)", SCRIPT)
    assert "input.dataset.filter = field" in SCRIPT


def test_the_policy_follows_the_page() -> None:
    changed = PAGE_HTML.replace('"use strict";', '"use strict"; // changed')
    assert content_security_policy(changed) != content_security_policy(PAGE_HTML)
    assert "'unsafe-inline'" not in content_security_policy(PAGE_HTML)
