"""End to end: the web page in headless Debian chromium, driven by Playwright, against uvicorn.

Needs /usr/bin/chromium and the playwright package (`.ci/install-browser` installs both).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(searcher: Any) -> Iterator[str]:
    import uvicorn

    from embedtune.serve import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(searcher), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.slow
def test_type_a_query_and_see_results(server_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is absent: run .ci/install-browser (apt-get install chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: run .ci/install-browser"
    )
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            page.goto(server_url)
            assert page.title() == "embedtune job search"
            page.fill("#q", "data scientist, credit risk")
            page.fill("#k", "5")
            page.press("#q", "Enter")
            page.wait_for_selector("li.hit", timeout=20_000)
            hits = page.locator("li.hit")
            assert hits.count() == 5
            titles = hits.locator(".title").all_inner_texts()
            assert all(t.strip() for t in titles)
            scores = [float(s) for s in hits.locator(".score").all_inner_texts()]
            assert scores == sorted(scores, reverse=True)
            marks = {m.lower() for m in page.locator("li.hit mark").all_inner_texts()}
            assert marks and marks <= {"data", "scientist", "credit", "risk"}
            assert "5 results" in page.inner_text("#status")

            # the filters /health lists, with the values seen in results suggested
            page.click("#filter-box summary")
            location = page.locator("#filters input[data-filter=location]")
            assert page.locator("#filters input").count() == 1 and location.is_visible()
            options = page.locator("#filters datalist option")
            assert set(options.evaluate_all("os => os.map(o => o.value)")) <= {"Remote", "Paris"}
            location.fill("Remote")
            page.fill("#k", "10")
            page.press("#q", "Enter")
            # (wait_for_function would evaluate a string, which the page's CSP forbids)
            expect(page.locator("#status")).to_have_text(re.compile(r"^10 results"), timeout=20_000)
            metas = page.locator("li.hit .meta").all_inner_texts()
            assert len(metas) == 10 and all(m == "location: Remote" for m in metas)
            location.fill("")
            page.fill("#k", "5")
            assert not [m for m in console if "Content Security Policy" in m], console

            page.fill("#k", "500")  # out of range: the browser refuses to submit the form
            page.press("#q", "Enter")
            page.fill("#k", "5")
            page.fill("#q", "   ")
            page.press("#q", "Enter")
            expect(page.locator("#status")).to_have_text("Type a query first.", timeout=20_000)
            page.evaluate("document.getElementById('k').removeAttribute('max')")
            page.fill("#q", "ml engineer")
            page.fill("#k", "500")  # past the page's own check: the API's 422 message is shown
            page.press("#q", "Enter")
            page.wait_for_selector("#status.error", timeout=20_000)
            assert "less than or equal to 100" in page.inner_text("#status")
            assert page.locator("li.hit").count() == 0
        finally:
            browser.close()
