"""Upload a folder to the Hugging Face Hub: the one upload behind ``prepare --push-to-hub``
(a dataset) and ``train --push-to-hub`` (a model)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from embedtune.errors import EmbedtuneError

RepoType = Literal["model", "dataset"]


def push_folder(
    folder: Path,
    repo_id: str,
    *,
    repo_type: RepoType,
    private: bool = True,
    token: str | None = None,
    ignore_patterns: Sequence[str] = (),
    commit_message: str = "Upload with embedtune",
    kept: str = "the files are saved locally either way",
) -> str:
    """Create the repo ``repo_id`` if needed (private by default) and upload ``folder``.

    Returns the repo's URL. Any failure (network, authentication, permission) is raised as one
    :class:`EmbedtuneError` naming the repo and the first line of the cause, with ``kept``
    (where the local copy is) in the fix.
    """
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        url = api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        api.upload_folder(
            repo_id=repo_id,
            repo_type=repo_type,
            folder_path=str(folder),
            ignore_patterns=list(ignore_patterns) or None,
            commit_message=commit_message,
        )
    except Exception as e:  # network, auth and permission errors all land here
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise EmbedtuneError(
            f"could not push to the Hub repository {repo_id!r}: {first}",
            fix=f"log in with `hf auth login` (or set HF_TOKEN) and check your network; {kept}",
        ) from e
    return str(url)
