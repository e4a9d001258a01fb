"""The prompt that asks an LLM for job-search queries, and loading a user's own template.

A template is a ``str.format`` string with three fields: ``{title}`` and ``{text}`` of the posting,
and ``{n}``, the number of queries wanted. Literal braces are doubled (``{{`` and ``}}``).

>>> render_prompt("Queries for {title}: {n}", title="Nurse", text="...", n=2)
'Queries for Nurse: 2'
"""

from __future__ import annotations

import string
from pathlib import Path

from embedtune.errors import EmbedtuneError

__all__ = [
    "DEFAULT_PROMPT",
    "TEMPLATE_FIELDS",
    "check_template",
    "load_prompt_template",
    "render_prompt",
    "template_fields",
]

TEMPLATE_FIELDS = frozenset({"title", "text", "n"})

DEFAULT_PROMPT = """\
You write the searches that job seekers type into a job board.

Read the job posting below and write {n} search queries that a suitable candidate could type to \
find it. Write each one the way a person types a search: short (3 to 12 words), role first, then \
seniority or years of experience and the key skills or domain, lowercase unless a name needs \
capitals. Examples of the style:
data scientist 6 year experience, LLMs, credit risk
junior backend developer python django remote
ICU nurse night shifts Berlin

Answer with the queries only, one per line: no numbering, no quotes, no labels, no explanations.

Job title: {title}

Job posting:
{text}
"""


def template_fields(template: str) -> set[str]:
    """The field names used in ``template``; a malformed template raises ``EmbedtuneError``.

    >>> sorted(template_fields("{title} {{literal}} {text}"))
    ['text', 'title']
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise EmbedtuneError(
            f"the prompt template is not a valid format string ({err})",
            fix="write fields as {title}, {text} and {n}, and double literal braces: {{ }}",
        ) from None
    return {name for _, name, _, _ in parsed if name is not None}


def check_template(template: str) -> str:
    """Return ``template`` if it uses only ``{title}``, ``{text}`` and ``{n}``, and uses ``{text}``.

    Raises ``EmbedtuneError`` naming the unknown fields and the valid set otherwise.
    """
    fields = template_fields(template)
    unknown = sorted(fields - TEMPLATE_FIELDS)
    if unknown or "" in fields:
        shown = ", ".join("{" + name + "}" for name in unknown) or "{}"
        raise EmbedtuneError(
            f"the prompt template uses unknown fields: {shown}",
            fix="use only {title}, {text} and {n}, and double literal braces: {{ }}",
        )
    if "text" not in fields:
        raise EmbedtuneError(
            "the prompt template never uses {text}, so the LLM would not see the posting",
            fix="put {text} (and usually {title}) into the template",
        )
    return template


def render_prompt(template: str, *, title: str, text: str, n: int) -> str:
    """Fill ``template`` with one posting and the number of queries wanted."""
    return template.format(title=title, text=text, n=n)


def load_prompt_template(path: Path | str) -> str:
    """Read and check a user's prompt template file (UTF-8)."""
    path = Path(path)
    try:
        template = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EmbedtuneError(
            f"prompt template {path} not found", fix="pass an existing file to --prompt-template"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise EmbedtuneError(
            f"cannot read prompt template {path} ({err})",
            fix="pass a readable UTF-8 text file to --prompt-template",
        ) from None
    if not template.strip():
        raise EmbedtuneError(
            f"prompt template {path} is empty",
            fix="write a prompt that uses {title}, {text} and {n}",
        )
    return check_template(template)
