from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.clirun import run_cli

from embedtune.errors import EmbedtuneError
from embedtune.index.search import Hit
from embedtune.serve import create_app

LOCAL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def client(searcher: Any) -> TestClient:
    return TestClient(create_app(searcher, max_body_bytes=2048), base_url=LOCAL)


def test_search_ranks_and_highlights(client: TestClient) -> None:
    response = client.post("/search", json={"query": "data scientist, credit risk", "k": 5})
    assert response.status_code == 200
    body = response.json()
    hits = body["hits"]
    assert body["k"] == 5 and [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    assert len({h["id"] for h in hits}) == 5
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        marked = [hit["snippet"][a:b].lower() for a, b in hit["highlights"]]
        assert set(marked) <= {"data", "scientist", "credit", "risk"}
        if hit["title"].startswith("Data Scientist"):
            assert [hit["title"][a:b] for a, b in hit["title_highlights"]] == ["Data", "Scientist"]


def test_search_filters(client: TestClient) -> None:
    response = client.post(
        "/search", json={"query": "ml", "k": 50, "filters": {"location": "Remote"}}
    )
    hits = response.json()["hits"]
    assert len(hits) == 12 and {h["metadata"]["location"] for h in hits} == {"Remote"}
    response = client.post("/search", json={"query": "ml", "filters": {"town": "x"}})
    assert response.status_code == 400 and "unknown filter 'town'" in response.json()["detail"]


def test_retrieve_for_rag(client: TestClient) -> None:
    response = client.post("/retrieve", json={"query": "pytorch llms", "k": 3, "max_chars": 80})
    assert response.status_code == 200
    body = response.json()
    assert [p["rank"] for p in body["passages"]] == [1, 2, 3]
    blocks = body["context"].split("\n\n")
    assert len(blocks) == 3
    first = body["passages"][0]
    assert blocks[0].startswith(f"[1] {first['title']} (id: {first['id']})\n")
    assert len(blocks[0].split("\n", 1)[1]) <= 82


def test_health_page_and_docs(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["postings"] == 24
    assert health["model"]["dimension"] == 32 and health["api_key_required"] is False
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'id="search-form"' in page.text and "http" not in page.text.split("<script>")[1]
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/search", "/retrieve", "/health"} <= set(paths)


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"query": "   ", "k": 3}, 422, "query: the query is empty"),
        ({"query": "x", "k": 0}, 422, "k: Input should be greater than or equal to 1"),
        ({"query": "x", "k": 101}, 422, "k: Input should be less than or equal to 100"),
        ({"query": "x", "k": "ten"}, 422, "k: Input should be a valid integer"),
        ({"k": 3}, 422, "query: Field required"),
        ({"query": "x" * 3000}, 413, "request body over 2048 bytes"),
    ],
)
def test_validation_is_4xx_with_a_message(
    client: TestClient, payload: dict[str, Any], status: int, message: str
) -> None:
    for path in ("/search", "/retrieve"):
        response = client.post(path, json=payload)
        assert response.status_code == status
        assert message in response.json()["detail"]


def test_bad_json_and_streamed_oversized_body(client: TestClient) -> None:
    response = client.post(
        "/search", content=b'{"query": "x",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and "invalid JSON" in response.json()["detail"]
    response = client.post(
        "/search", content=b"[1, 2]", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422

    def chunks() -> Any:
        for _ in range(10):
            yield b" " * 500

    response = client.post(
        "/search", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_api_key(searcher: Any) -> None:
    client = TestClient(create_app(searcher, api_key="s3cret"), base_url=LOCAL)
    body = {"query": "data", "k": 2}
    assert client.post("/search", json=body).status_code == 401
    wrong = client.post("/search", json=body, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401 and "API key" in wrong.json()["detail"]
    assert client.post("/search", json=body, headers={"X-API-Key": "s3cret"}).status_code == 200
    assert client.post("/retrieve", json=body).status_code == 401
    assert client.get("/health").json()["api_key_required"] is True
    with pytest.raises(EmbedtuneError, match="max_body_bytes"):
        create_app(searcher, max_body_bytes=10)


def test_serve_cli_checks_and_env_key(
    monkeypatch: pytest.MonkeyPatch, searcher: Any, capsys: Any
) -> None:
    import torch

    import embedtune.serve as serve_pkg

    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve_pkg, "serve", lambda index, **kw: seen.update(kw))
    monkeypatch.setattr(torch, "set_num_threads", lambda n: seen.update(threads=n))
    monkeypatch.setenv("EMBEDTUNE_API_KEY", "from-env")
    args = ["serve", "--index", str(searcher.store.path), "--threads", "1"]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 0 and "API key required" in " ".join(err.split())
    assert seen == {
        "host": "127.0.0.1",
        "port": 8000,
        "api_key": "from-env",
        "allowed_hosts": [],
        "threads": 1,
    }
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--index", "x", "--port", "0")
    assert code == 2 and "--port 0 is out of range" in err


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"query": "x", "k": "10"}, "k: Input should be a valid integer"),
        ({"query": "x", "k": 10.0}, "k: Input should be a valid integer"),
        ({"query": "x", "k": True}, "k: Input should be a valid integer"),
        ({"query": 5}, "query: Input should be a valid string"),
        (
            {"query": "x", "filter": {"location": "Remote"}},
            "filter: Extra inputs are not permitted",
        ),
    ],
)
def test_wrong_types_and_unknown_fields_are_422(
    client: TestClient, payload: dict[str, Any], message: str
) -> None:
    for path in ("/search", "/retrieve"):
        response = client.post(path, json=payload)
        assert response.status_code == 422, (path, payload)
        assert message in response.json()["detail"]
    response = client.post("/retrieve", json={"query": "x", "max_chars": "100"})
    assert response.status_code == 422
    assert "max_chars: Input should be a valid integer" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"query": "caf\xe9"}', "body: invalid JSON (not UTF-8)"),
        (b'{"query": "x", "filters": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", "nested"),
        (b'{"query": "x", "filters": {"a": ' + b"[" * 300 + b"]" * 300 + b"}}", "filters"),
    ],
)
def test_undecodable_bodies_are_422(searcher: Any, body: bytes, message: str) -> None:
    client = TestClient(create_app(searcher), base_url=LOCAL)
    response = client.post("/search", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert message in response.json()["detail"]


@pytest.mark.parametrize(
    ("base_url", "allowed", "status"),
    [
        ("http://localhost:8000", None, 200),
        ("http://127.0.0.1", None, 200),
        ("http://[::1]:8000", None, 200),
        ("http://LOCALHOST.", None, 200),
        ("http://evil.example", None, 400),
        ("http://localhost.evil.example", None, 400),
        ("http://search.example.com", ["search.example.com"], 200),
        ("http://search.example.com:443", ["Search.Example.com"], 200),
        ("http://api.example.com", ["*.example.com"], 200),
        ("http://example.com", ["*.example.com"], 400),
        ("http://127.0.0.1", ["search.example.com"], 200),
        (
            "http://10.0.0.5:8000",
            None,
            200,
        ),  # an address cannot be rebound: DNS rebinding needs a name
        ("http://[fe80::1]", None, 200),
        ("http://1.2.3.4.evil.example", None, 400),
        ("http://anything.example", ["*"], 200),
    ],
)
def test_host_header_is_checked(
    searcher: Any, base_url: str, allowed: list[str] | None, status: int
) -> None:
    app = create_app(searcher) if allowed is None else create_app(searcher, allowed_hosts=allowed)
    client = TestClient(app, base_url=base_url)
    for response in (client.get("/health"), client.get("/"), client.post("/search", json={})):
        if status == 200:
            assert response.status_code != 400
        else:
            assert response.status_code == 400
            assert "Host header" in response.json()["detail"]
            assert "--allowed-host" in response.json()["detail"]
            assert response.headers["x-content-type-options"] == "nosniff"


def test_missing_host_header_is_refused(searcher: Any) -> None:
    import asyncio

    app = create_app(searcher)
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/health",
        "headers": [],
        "query_string": b"",
        "http_version": "1.0",
        "scheme": "http",
        "server": None,
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400


@pytest.mark.parametrize("bad", ["", "  ", "*.", "host/path", "a b"])
def test_bad_allowed_hosts_are_refused(searcher: Any, bad: str) -> None:
    with pytest.raises(EmbedtuneError, match="allowed host"):
        create_app(searcher, allowed_hosts=[bad])


def test_security_headers(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in csp
    script = page.text.split("<script>")[1].split("</script>")[0]
    style = page.text.split("<style>")[1].split("</style>")[0]
    assert directives["script-src"] == f"'sha256-{_b64sha256(script)}'"
    assert directives["style-src"] == f"'sha256-{_b64sha256(style)}'"
    assert page.text.count("<script") == 1 and page.text.count("<style") == 1
    assert not re.search(r"\sstyle=|\son[a-z]+=", page.text)  # no inline styles or handlers
    for response in (page, client.get("/health"), client.post("/search", json={"query": "x"})):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert client.get("/health").headers["content-security-policy"] == "frame-ancestors 'none'"


def _b64sha256(text: str) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@pytest.mark.parametrize("key", ["", "   "])
def test_empty_api_key_is_refused(searcher: Any, key: str) -> None:
    with pytest.raises(EmbedtuneError, match="API key is empty"):
        create_app(searcher, api_key=key)


class _IndexWithInternalFields:
    """A prepared corpus's index: ``split`` and ``group`` are prepare's bookkeeping columns."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def search(self, query: str, k: int = 10, filters: Any = None) -> list[Hit]:
        self.calls.append(filters)
        metadata = {"company": "Acme", "group": "g32", "location": "Remote", "split": "train"}
        return [Hit(1, "j1", "Data Scientist", 0.5, "text", [], [], metadata)]

    def retrieve(
        self, query: str, k: int = 5, filters: Any = None, *, max_chars: int = 1500
    ) -> Any:
        self.calls.append(filters)
        return {"query": query, "passages": [], "context": ""}

    def info(self) -> dict[str, Any]:
        return {"postings": 1, "filters": ["company", "group", "location", "split"]}


def test_internal_fields_stay_internal() -> None:
    index = _IndexWithInternalFields()
    client = TestClient(create_app(index), base_url=LOCAL)
    assert client.get("/health").json()["filters"] == ["company", "location"]
    hit = client.post("/search", json={"query": "x"}).json()["hits"][0]
    assert hit["metadata"] == {"company": "Acme", "location": "Remote"}
    for path in ("/search", "/retrieve"):
        for key in ("split", "group"):
            response = client.post(path, json={"query": "x", "filters": {key: "train"}})
            assert response.status_code == 400
            detail = response.json()["detail"]
            assert f"unknown filter {key!r}" in detail and "company, location" in detail
    ok = client.post("/search", json={"query": "x", "filters": {"company": "Acme"}})
    assert ok.status_code == 200 and index.calls[-1] == {"company": "Acme"}
    assert len(index.calls) == 2  # the refused requests never reached the index


@pytest.fixture
def fake_serve(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the server and torch's thread setting: what `serve` would have run with."""
    import torch

    import embedtune.serve as serve_pkg

    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve_pkg, "serve", lambda index, **kw: seen.update(kw))
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)
    monkeypatch.delenv("EMBEDTUNE_API_KEY", raising=False)
    return seen


def test_serve_cli_refuses_an_empty_key(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, fake_serve: dict[str, Any]
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--index", "nowhere", "--api-key", "")
    assert code == 2 and "--api-key is empty" in err and "EMBEDTUNE_API_KEY" in err
    monkeypatch.setenv("EMBEDTUNE_API_KEY", " ")
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--index", "nowhere")
    assert code == 2 and "EMBEDTUNE_API_KEY is empty" in err
    assert fake_serve == {}


def test_serve_cli_allowed_hosts(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, fake_serve: dict[str, Any], searcher: Any
) -> None:
    index = str(searcher.store.path)
    args = ["serve", "--index", index, "--host", "0.0.0.0", "--threads", "1"]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 0 and fake_serve["allowed_hosts"] == [] and fake_serve["api_key"] is None
    assert "--allowed-host" in err  # names clients use need allowing; the message says how
    extra = ["--allowed-host", "search.example.com", "--allowed-host", "*.corp.example"]
    code, _, err = run_cli(monkeypatch, capsys, *args, *extra)
    assert code == 0 and fake_serve["allowed_hosts"] == ["search.example.com", "*.corp.example"]
    code, _, err = run_cli(monkeypatch, capsys, *args, "--allowed-host", "a/b")
    assert code == 2 and "allowed host 'a/b'" in err


def test_serve_allows_the_host_it_binds(monkeypatch: pytest.MonkeyPatch, searcher: Any) -> None:
    import uvicorn

    from embedtune.serve import serve

    apps: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    serve(searcher, host="search.internal", allowed_hosts=["proxy.example"])
    for name, status in [("search.internal", 200), ("proxy.example", 200), ("other.example", 400)]:
        response = TestClient(apps[0], base_url=f"http://{name}:8000").get("/health")
        assert response.status_code == status, name
