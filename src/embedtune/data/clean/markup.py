"""Markup to plain text: HTML tags and entities, markdown emphasis and headers, keeping lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["MANY_NEWLINES", "strip_markup"]

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
        "thead", "tfoot", "title", "tr", "ul",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_HTML_HINT = re.compile(r"<[A-Za-z!/]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]{2,8});")
_HTML_BLOCK_HINT = re.compile(r"<(?:p|br|li|div|ul|ol|h[1-6]|tr|table)\b", re.IGNORECASE)
# A "<" with no ">" before the next "<" (or the end) opens no tag: "x<y", "<5 years". Escaped
# before parsing, as html.parser rescans unfinished tags and turns quadratic on many of them.
_STRAY_LT = re.compile(r"<(?=[^<>]*(?:<|\Z))")
_ASCII_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f\v]+")  # a no-break space stays

_MD_HEADER = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_MD_STRONG = re.compile(r"\*{2,}")
# Emphasis spans are bounded so that a line of unmatched markers stays linear to scan.
_MD_UNDERSCORE_STRONG = re.compile(r"(?<!\w)__(?=\S)(.{1,200}?)(?<=\S)__(?!\w)")
_MD_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_MD_EM_UNDERSCORE = re.compile(r"(?<!\w)_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?!\w)")
_MD_LEADING_STAR = re.compile(r"^([ \t]*)\*(?=[^\s*])", re.MULTILINE)
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:https?://|mailto:)[^)\s]*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!\"'|<>])")
_HORIZONTAL_RULE = re.compile(r"^[ \t]*(?:[-*_=~][ \t]*){3,}$", re.MULTILINE)
_STRAY_CSS = re.compile(r"^[#.][\w\-.#:, >]*\{[^{}]*\}[ \t]*$", re.MULTILINE)
_CDATA_END = re.compile(r"\]\]>")
MANY_NEWLINES = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML document, with block tags as line breaks."""

    def __init__(self, *, collapse_whitespace: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._collapse = collapse_whitespace
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self._pre_depth += tag == "pre"
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:  # <br/> is one break, not an opening and a closing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self._pre_depth = max(0, self._pre_depth - (tag == "pre"))
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._collapse and not self._pre_depth:
            data = _ASCII_WHITESPACE_RUN.sub(" ", data)
        self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA["):
            self.handle_data(data[len("CDATA[") :])


def _strip_html(text: str) -> str:
    """HTML to text; source newlines only matter when the document has no block tags."""
    parser = _TextExtractor(collapse_whitespace=bool(_HTML_BLOCK_HINT.search(text)))
    parser.feed(_STRAY_LT.sub("&lt;", text))
    parser.close()
    return "".join(parser.parts)


# Each step runs only when one of its literals occurs: most postings have no markdown at all,
# and a regex scan of every posting per step would cost more than the rest of the cleaning.
_MARKDOWN_STEPS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (_CDATA_END, "", ("]]>",)),
    (_STRAY_CSS, "", ("{",)),
    (_HORIZONTAL_RULE, "", ("---", "***", "___", "===", "~~~", "- -", "* *", "_ _")),
    (_MD_HEADER, r"\1", ("#",)),
    (_MD_LINK, r"\1", ("](",)),
    (_MD_STRONG, "", ("**",)),
    (_MD_UNDERSCORE_STRONG, r"\1", ("__",)),
    (_MD_EM_STAR, r"\1", ("*",)),
    (_MD_EM_UNDERSCORE, r"\1", ("_",)),
    (_MD_LEADING_STAR, r"\1", ("*",)),
    (_MD_ESCAPE, r"\1", ("\\",)),
)


def strip_markup(text: str) -> str:
    """Remove HTML tags and entities, markdown emphasis and headers, keeping line structure.

    Block tags and ``<br>`` become line breaks, ``<li>`` a ``- `` bullet; ``<script>`` and
    ``<style>`` vanish with their content. Markdown ``**x**``, ``__x__``, ``*x*``, ``_x_``,
    ``### x``, ``[x](url)`` and backslash escapes become plain ``x``; horizontal rules, stray
    CSS rules and CDATA ends go.

    >>> strip_markup("<p>We use <b>Python</b> &amp; SQL.</p><ul><li>Build models</li></ul>")
    'We use Python & SQL.\\n\\n- Build models'
    >>> strip_markup("### **What You'll Do**\\n*Own* the __pipeline__")
    "What You'll Do\\nOwn the pipeline"
    """
    if ("<" in text or "&" in text) and _HTML_HINT.search(text):
        text = _strip_html(text)
    for pattern, replacement, literals in _MARKDOWN_STEPS:
        if any(literal in text for literal in literals):
            text = pattern.sub(replacement, text)
    text = "\n".join(line.strip(" \t") for line in text.split("\n"))
    if "\n\n\n" in text:
        text = MANY_NEWLINES.sub("\n\n", text)
    return text.strip()
