"""Text repair and tidying: mojibake, unicode forms, invisible characters, spaces, bullets."""

from __future__ import annotations

import re
import unicodedata

import ftfy

__all__ = ["normalize_text"]

# Mojibake is UTF-8 read as Latin-1 or cp1252: a lead byte shows up as a character in
# U+00C2..U+00F4 followed by a continuation byte, U+0080..U+00BF or a cp1252 punctuation mark
# ("Ã©", "â€™"). ftfy is slow, so it runs only on texts with such a pair (or U+FFFD); a lone
# accented letter ("café") does not wake it.
_CP1252_CONTINUATION = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_HINT = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_CONTINUATION}]|\ufffd")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # not \t \n \v \f \r
# (old, new) pairs applied with str.replace where the old character occurs (faster than a
# translate table or a regex on texts that mostly have none of them).
_LINE_BREAK_FIXES = (
    ("\r\n", "\n"),
    ("\r", "\n"),
    ("\u0085", "\n"),
    ("\u2028", "\n"),
    ("\u2029", "\n"),
)
_CHARACTER_FIXES = (
    *((invisible, "") for invisible in "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"),
    *((space, " ") for space in "\u00a0\u2007\u202f\t\f\v"),
    *((quote, "'") for quote in "\u2018\u2019\u201a\u201b"),
    *((quote, '"') for quote in "\u201c\u201d\u201e\u201f"),
)
# Leftovers of mojibake that ftfy cannot undo because a byte was lost on the way: a lone "Â"
# was a no-break space, a lone "â" an en dash or a bullet.
_LONE_A_CIRCUMFLEX = re.compile(r"Â(?![a-zà-ÿ])")
_LONE_A_CIRCUMFLEX_SMALL = re.compile(r"(?<!\S)â(?!\S)")
_BULLET_CHARS = "•·▪●○◦■□‣∙⁃\uf0a7\uf0b7"
_LINE_START_BULLETS = frozenset(_BULLET_CHARS + "*+-–—")
_LEADING_BULLET = re.compile(rf"^(?:[{_BULLET_CHARS}]+\s*|[*+\-–—](?:\s+|$))")
# Bullets inside a line ("Skills: • Python • SQL") start new lines; "·" only before a space.
_INLINE_BULLET = re.compile(rf"\s*[{_BULLET_CHARS}](?=\s)\s*|\s*[•●▪◦‣\uf0a7\uf0b7]\s*")
_SPACE_RUN = re.compile(r" {2,}")


def _normalize_line(line: str, *, inline_bullets: bool) -> list[str]:
    """One raw line to one or more tidy lines (inline bullets open new lines).

    >>> _normalize_line("  Skills:  • Python •SQL·", inline_bullets=True)
    ['Skills:', '- Python', '- SQL']
    """
    line = line.strip().rstrip(_BULLET_CHARS).rstrip()
    if line[:1] in _LINE_START_BULLETS:
        line = _LEADING_BULLET.sub("- ", line, count=1)
    if not inline_bullets:
        return [line] if line != "-" else [""]
    prefix = "- " if line.startswith("- ") else ""
    first, *more = _INLINE_BULLET.split(line.removeprefix(prefix))
    lines = [prefix + first.strip(), *(f"- {piece.strip()}" for piece in more)]
    return [item for item in lines if item.strip() not in ("", "-")] or [""]


def normalize_text(text: str) -> str:
    """Repair and tidy text: mojibake, unicode forms, invisible characters, spaces, bullets.

    Steps: ``ftfy.fix_text`` (mojibake; it also straightens curly quotes, and so do we after
    NFKC, so quotes always come out straight), NFKC, zero-width characters, soft hyphens and
    control characters removed, no-break spaces to spaces, bullets (``•``, ``·``, ``▪``, ``●``,
    ``*``, ``+``, ...) to ``- ``, inline bullets to new lines, runs of spaces collapsed, lines
    stripped, at most one blank line in a row.

    >>> normalize_text("Itâ€™s\\u00a0a  “role”\\u200b\\n\\n\\n• Python • SQL")
    'It\\'s a "role"\\n\\n- Python\\n- SQL'
    """
    if not text.isascii() and _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text)
    for old, new in _LINE_BREAK_FIXES:
        if old in text:
            text = text.replace(old, new)
    text = _CONTROL_CHARS.sub("", unicodedata.normalize("NFKC", text))
    for old, new in _CHARACTER_FIXES:
        if old in text:
            text = text.replace(old, new)
    if "Â" in text:
        text = _LONE_A_CIRCUMFLEX.sub(" ", text)
    if "â" in text:
        text = _LONE_A_CIRCUMFLEX_SMALL.sub("-", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    inline_bullets = any(bullet in text for bullet in _BULLET_CHARS)
    out: list[str] = []
    for raw in text.split("\n"):
        for line in _normalize_line(raw, inline_bullets=inline_bullets):
            if line or (out and out[-1]):
                out.append(line)
    return "\n".join(out).strip()
