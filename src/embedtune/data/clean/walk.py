"""The walk over a posting's lines: what is kept, what goes, and which section we are in.

The text is read line by line. A heading of a boilerplate section opens a *drop section*: its
lines go until a heading of a role section or a line that is plainly about the role closes it.
Outside drop sections each line goes sentence by sentence, as :mod:`.classify` says. Cut text
is kept by kind, as runs of whole lines merged into blocks, and as sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from embedtune.data.clean.classify import Classifier, Spans, all_removed, closes_section
from embedtune.data.clean.cues import BOILERPLATE_KINDS, BoilerplateKind
from embedtune.data.clean.headings import Heading
from embedtune.data.clean.markup import MANY_NEWLINES

__all__ = ["check_text", "remove_boilerplate"]

_MAX_FIELD_VALUE_CHARS = 60


@dataclass
class _Removal:
    """What was cut, by kind: runs of whole lines merged into blocks, and sentences."""

    lines: list[str]
    removed: dict[str, list[str]] = field(default_factory=lambda: _empty_removed())
    _block: tuple[BoilerplateKind, int, int] | None = None

    def drop_line(self, index: int, spans: Spans) -> None:
        """Cut a whole line; a line of one kind extends that kind's block."""
        kinds = {kind for _, _, kind in spans}
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is None:
            self.drop_sentences(self.lines[index], spans)
        elif self._block and self._block[0] == kind and self._blank_since_block(index):
            self._block = (kind, self._block[1], index)
        else:
            self.flush()
            self._block = (kind, index, index)

    def drop_sentences(self, line: str, spans: Spans) -> None:
        """Cut sentences of a line; neighbours of one kind make one segment."""
        self.flush()
        runs: list[tuple[BoilerplateKind, int, int]] = []
        for a, b, kind in spans:
            if kind is None:
                continue
            if runs and runs[-1][0] == kind and not line[runs[-1][2] : a].strip():
                runs[-1] = (kind, runs[-1][1], b)
            else:
                runs.append((kind, a, b))
        for kind, a, b in runs:
            self.removed[kind].append(line[a:b].strip())

    def flush(self) -> None:
        if self._block:
            kind, first, last = self._block
            self.removed[kind].append("\n".join(self.lines[first : last + 1]))
            self._block = None

    def _blank_since_block(self, index: int) -> bool:
        assert self._block is not None
        return not any(line.strip() for line in self.lines[self._block[2] + 1 : index])


def _empty_removed() -> dict[str, list[str]]:
    return {kind: [] for kind in BOILERPLATE_KINDS}


def _whole(line: str, kind: BoilerplateKind) -> Spans:
    return [(0, len(line), kind)]


@dataclass
class _Walk:
    """One pass over the lines of a posting: what is kept, what goes, which section we are in."""

    rules: Classifier
    removal: _Removal
    kept: list[str] = field(default_factory=list)
    section: BoilerplateKind | None = None  # the drop section we are in
    field_kind: BoilerplateKind | None = None  # a field heading ("Job ID:") awaiting its value

    def step(self, index: int, line: str) -> None:
        if not line.strip():
            if self.section is None:
                self.kept.append("")
            return
        heading = self.rules.heading(line)
        if self._field_value(index, line, heading) or self._drop_heading(index, line, heading):
            return
        if heading is not None:  # a role heading, or "Heading: text about the role"
            self.section = None
        self._line(index, line)

    def _field_value(self, index: int, line: str, heading: Heading | None) -> bool:
        """Drop the value line after a field heading ("Job ID" / "12345")."""
        kind, self.field_kind = self.field_kind, None
        if kind is None or heading is not None or len(line) > _MAX_FIELD_VALUE_CHARS:
            return False
        self.removal.drop_line(index, _whole(line, kind))
        return True

    def _drop_heading(self, index: int, line: str, heading: Heading | None) -> bool:
        """Drop a boilerplate heading, and open its section (a heading alone on its line)."""
        if heading is None or heading.kind is None:
            return False
        if heading.rest and closes_section(heading.rest, self.rules.classify_line(heading.rest)):
            return False  # "Compensation: you will be rewarded for ..." is about the role
        self.removal.drop_line(index, _whole(line, heading.kind))
        if heading.field and not heading.rest:
            self.field_kind = heading.kind
        elif not heading.rest:
            self.section = heading.kind
        return True

    def _line(self, index: int, line: str) -> None:
        """A line that is not a heading: in a drop section it goes, unless it closes it."""
        spans = self.rules.classify_line(line)
        if self.section is not None and not closes_section(line, spans):
            fill = self.section
            self.removal.drop_line(index, [(a, b, kind or fill) for a, b, kind in spans])
            return
        self.section = None
        if all_removed(spans):
            self.removal.drop_line(index, spans)
        elif any(kind is not None for _, _, kind in spans):
            self.removal.drop_sentences(line, spans)
            self.kept.append(" ".join(line[a:b].strip() for a, b, kind in spans if kind is None))
        else:
            self.removal.flush()
            self.kept.append(line)


def check_text(text: object, company: object) -> None:
    """Fail early on what a data frame hands over for a missing value (NaN, None)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r}")
    if company is not None and not isinstance(company, str):
        raise TypeError(f"company must be a str or None, got {type(company).__name__}: {company!r}")


def remove_boilerplate(
    text: str, *, company: str | None = None
) -> tuple[str, dict[str, list[str]]]:
    """Remove boilerplate from a normalised posting; return the text and what went, by kind.

    ``removed`` has a key for every kind in :data:`BOILERPLATE_KINDS`; each segment is a
    substring of ``text``. ``company`` (the employer's name; a glued rating like ``"Acme\\n4.2"``
    is ignored) helps find "About Acme" headings and "Acme is ..." paragraphs. When everything
    would go, the input comes back unchanged (stripped) with nothing removed.

    >>> text = (
    ...     "Data Scientist\\nBuild churn models in Python.\\n"
    ...     "Benefits:\\n- Medical, dental and vision\\n- 401(k)\\n"
    ...     "Requirements:\\n- 3+ years of SQL. We are an equal opportunity employer."
    ... )
    >>> cleaned, removed = remove_boilerplate(text)
    >>> print(cleaned)
    Data Scientist
    Build churn models in Python.
    Requirements:
    - 3+ years of SQL.
    >>> removed["benefits"], removed["eeo"]
    (['Benefits:\\n- Medical, dental and vision\\n- 401(k)'], ['We are an equal opportunity employer.'])
    """
    check_text(text, company)
    lines = text.split("\n")
    walk = _Walk(Classifier.for_text(text, company), _Removal(lines))
    for index, line in enumerate(lines):
        walk.step(index, line)
    walk.removal.flush()
    kept, removed = walk.kept, walk.removal.removed
    cleaned = MANY_NEWLINES.sub("\n\n", "\n".join(kept)).strip()
    if not cleaned:
        return text.strip(), _empty_removed()
    return cleaned, removed
