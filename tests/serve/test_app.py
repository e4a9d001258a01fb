from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from embedtune.errors import EmbedtuneError
from embedtune.serve import create_app


@pytest.fixture(scope="module")
def client(searcher: Any) -> TestClient:
    return TestClient(create_app(searcher, max_body_bytes=2048))


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
    client = TestClient(create_app(searcher, api_key="s3cret"))
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
    import sys

    import torch

    import embedtune.serve as serve_pkg
    from embedtune.cli.main import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve_pkg, "serve", lambda index, **kw: seen.update(kw))
    monkeypatch.setattr(torch, "set_num_threads", lambda n: seen.update(threads=n))
    monkeypatch.setenv("EMBEDTUNE_API_KEY", "from-env")
    argv = ["embedtune", "serve", "--index", str(searcher.store.path), "--threads", "1"]
    monkeypatch.setattr(sys, "argv", argv)
    main()
    assert seen == {"host": "127.0.0.1", "port": 8000, "api_key": "from-env", "threads": 1}
    monkeypatch.setattr(sys, "argv", ["embedtune", "serve", "--index", "x", "--port", "0"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2 and "--port 0 is out of range" in capsys.readouterr().err
