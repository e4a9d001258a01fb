from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.hub import push_folder


class FakeApi:
    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def __init__(self, token: str | None = None) -> None:
        self.calls.append(("init", {"token": token}))

    def create_repo(self, repo_id: str, **kw: Any) -> str:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kw}))
        return f"https://huggingface.co/datasets/{repo_id}"

    def upload_folder(self, **kw: Any) -> None:
        self.calls.append(("upload_folder", kw))


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> type[FakeApi]:
    import huggingface_hub

    FakeApi.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    return FakeApi


def test_push_folder_creates_a_private_repo_and_uploads(
    fake_api: type[FakeApi], tmp_path: Path
) -> None:
    url = push_folder(tmp_path, "me/jobs", repo_type="dataset", token="t", commit_message="m")
    assert url == "https://huggingface.co/datasets/me/jobs"
    assert fake_api.calls == [
        ("init", {"token": "t"}),
        (
            "create_repo",
            {"repo_id": "me/jobs", "repo_type": "dataset", "private": True, "exist_ok": True},
        ),
        (
            "upload_folder",
            {
                "repo_id": "me/jobs",
                "repo_type": "dataset",
                "folder_path": str(tmp_path),
                "ignore_patterns": None,
                "commit_message": "m",
            },
        ),
    ]


def test_push_folder_passes_ignore_patterns_and_public(
    fake_api: type[FakeApi], tmp_path: Path
) -> None:
    push_folder(tmp_path, "me/m", repo_type="model", private=False, ignore_patterns=[".x"])
    (_, create), (_, upload) = fake_api.calls[1:]
    assert create["private"] is False and create["repo_type"] == "model"
    assert upload["ignore_patterns"] == [".x"]


def test_a_failed_push_names_the_repo_first_line_and_local_copy(
    fake_api: type[FakeApi], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(self: FakeApi, repo_id: str, **kw: Any) -> str:
        raise ConnectionError("Failed to resolve 'huggingface.co'\ndetails")

    monkeypatch.setattr(FakeApi, "create_repo", refuse)
    with pytest.raises(EmbedtuneError) as info:
        push_folder(tmp_path, "me/jobs", repo_type="dataset", kept="it is in OUT")
    message = str(info.value)
    assert "could not push to the Hub repository 'me/jobs': Failed to resolve" in message
    assert "details" not in message and "hf auth login" in message and "it is in OUT" in message
