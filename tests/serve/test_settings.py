from __future__ import annotations

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.serve.settings import API_KEY_ENV, ServeSettings, default_threads


def test_defaults_and_the_key_from_the_environment() -> None:
    s = ServeSettings.resolve(environ={})
    assert (s.host, s.port, s.api_key, s.allowed_hosts) == ("127.0.0.1", 8000, None, ())
    assert s.threads == default_threads() >= 1
    s = ServeSettings.resolve(threads=3, environ={API_KEY_ENV: "secret"})
    assert (s.api_key, s.api_key_source, s.threads) == ("secret", API_KEY_ENV, 3)


def test_the_flag_wins_over_the_environment() -> None:
    s = ServeSettings.resolve(api_key="flag", environ={API_KEY_ENV: "env"})
    assert (s.api_key, s.api_key_source) == ("flag", "--api-key")


@pytest.mark.parametrize(
    ("kwargs", "environ", "message"),
    [
        ({"port": 0}, {}, "--port 0 is out of range"),
        ({"port": 65536}, {}, "--port 65536 is out of range"),
        ({"threads": 0}, {}, "--threads 0 is below 1"),
        ({"api_key": ""}, {}, "--api-key is empty"),
        ({}, {API_KEY_ENV: "  "}, "EMBEDTUNE_API_KEY is empty"),
        ({"allowed_hosts": ["a/b"]}, {}, "allowed host 'a/b'"),
    ],
)
def test_bad_settings_are_refused(
    kwargs: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        ServeSettings.resolve(environ=environ, **kwargs)  # type: ignore[arg-type]


def test_banner_says_how_to_allow_names_when_bound_everywhere() -> None:
    local = ServeSettings.resolve(threads=1, environ={})
    assert local.banner(5) == [
        "Serving 5 postings on http://127.0.0.1:8000/ (API docs at /docs); Ctrl+C to stop"
    ]
    open_ = ServeSettings.resolve(host="0.0.0.0", api_key="k", threads=1, environ={})
    lines = open_.banner(5)
    assert "API key required" in lines[0] and "--allowed-host NAME" in lines[1]
    named = ServeSettings.resolve(host="0.0.0.0", allowed_hosts=["x.io"], threads=1, environ={})
    assert len(named.banner(5)) == 1
