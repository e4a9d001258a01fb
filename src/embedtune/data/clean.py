"""Clean job postings: strip markup, normalise text, remove what says nothing about the role.

Three pure stages, each usable alone:

1. :func:`strip_markup` turns HTML and markdown into plain text that keeps its line structure.
2. :func:`normalize_text` repairs mojibake and unicode oddities and tidies whitespace and bullets.
3. :func:`remove_boilerplate` drops company blurbs, benefits, equal-opportunity statements,
   pay-transparency notes, application instructions and recruiter/aggregator noise.

:func:`clean_posting` runs all three and keeps every intermediate text.

How boilerplate is found (:func:`remove_boilerplate`): the text is read line by line. A short
line that names a section ("Benefits:", "About Us", "EEO Statement") opens a *drop section*:
its lines go until a heading of a role section ("Requirements", "What You'll Do") or a line
that is plainly about the role ("you will ...", "experience with ...") closes it. Outside drop
sections each line is split into sentences and only sentences that match a strong pattern go,
so an equal-opportunity sentence at the end of a requirements paragraph leaves the paragraph.
A paragraph that describes the company and says nothing about the role goes whole. The rules
lean towards keeping: losing a requirement costs more than keeping a benefits line.

Each rule is a list of cues, a literal plus the regex that must match where the literal occurs
(``_Rule``): the literals are tested once per posting and once per line with ``in``, and the
regexes only run on the few sentences that contain one. This keeps a posting at a millisecond
or two; running every pattern on every sentence is several times slower.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal

import ftfy

__all__ = [
    "BOILERPLATE_KINDS",
    "BoilerplateKind",
    "CleanResult",
    "clean_posting",
    "normalize_text",
    "remove_boilerplate",
    "strip_markup",
]

BoilerplateKind = Literal["company", "benefits", "eeo", "pay", "apply", "recruiter"]
BOILERPLATE_KINDS: tuple[BoilerplateKind, ...] = (
    "company",
    "benefits",
    "eeo",
    "pay",
    "apply",
    "recruiter",
)


@dataclass(frozen=True)
class CleanResult:
    """Every stage of one cleaned posting.

    ``removed`` has one key per kind in :data:`BOILERPLATE_KINDS` (empty lists included); each
    segment is a substring of ``normalized``: a run of whole lines, or sentences of one line.
    """

    text: str
    after_markup: str
    normalized: str
    removed: dict[str, list[str]]


# --------------------------------------------------------------------------------------------
# Markup
# --------------------------------------------------------------------------------------------

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
_MANY_NEWLINES = re.compile(r"\n{3,}")


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
        text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Boilerplate: cues (all matched against lower-cased text)
# --------------------------------------------------------------------------------------------


# A cue: a literal, and the regex that must then match (None: the literal alone is the cue).
_Cue = tuple[str, "re.Pattern[str] | None"]


@dataclass(frozen=True)
class _Rule:
    """Cues of one kind of text; the rule fires when any cue is found.

    Every match of a cue's regex contains the cue's literal, so the fast ``in`` test skips
    the slow regex almost everywhere. ``narrow`` keeps the cues whose literal occurs in one
    document, so most rules cost next to nothing on most sentences.

    >>> rule = _Rule.of("parental leave", ("401", r"\\b401 ?\\(?k\\)?"))
    >>> rule.search("401(k) match"), rule.search("4011 rows"), rule.narrow({"sql"}).cues
    (True, False, ())
    """

    cues: tuple[_Cue, ...]

    @classmethod
    def of(cls, *specs: str | tuple[str, str]) -> _Rule:
        """Cues from ``"lit1|lit2"`` (literals alone) or ``("lit1|lit2", regex)``."""
        cues: list[_Cue] = []
        for spec in specs:
            literals, pattern = (spec, None) if isinstance(spec, str) else spec
            compiled = re.compile(pattern) if pattern is not None else None
            cues.extend((literal, compiled) for literal in literals.split("|"))
        return cls(tuple(cues))

    def search(self, low: str) -> bool:
        for literal, pattern in self.cues:  # a plain loop: any() costs twice as much here
            if literal in low and (pattern is None or pattern.search(low)):
                return True
        return False

    def count(self, low: str) -> int:
        """How many different cues are found in ``low``."""
        found = {
            (lit, pat) for lit, pat in self.cues if lit in low and (pat is None or pat.search(low))
        }
        return len({pattern or literal for literal, pattern in found})

    @property
    def literals(self) -> frozenset[str]:
        return frozenset(literal for literal, _ in self.cues)

    def narrow(self, present: Set[str]) -> _Rule:
        """The cues whose literal is ``present`` in one document: the rule for that document."""
        return _Rule(tuple(cue for cue in self.cues if cue[0] in present))


_EEO_HARD = _Rule.of(
    "equal opportunit|equal employment opportunit|affirmative action|without regard to",
    "sexual orientation|gender identity|national origin|veteran status|reasonable accommodation",
    "individuals with disabilities|americans with disabilities act|ofccp|know your rights",
    "criminal histor|fair chance|pay transparency nondiscrimination",
    "individual with a disability|disabled veteran",
    ("eeo", r"\beeoc?\b"),
    ("eoe", r"\beoe\b"),
    ("verify", r"\be-?verify\b"),
    ("race,", r"\brace, (?:colou?r|religion|creed|sex|gender|ethnicity|national)"),
    (
        "regardless of",
        r"regardless of (?:their )?(?:race|age|gender|sex|religion|colou?r|national|sexual|"
        r"disabilit|veteran)",
    ),
    "protected veteran|protected status|protected class|protected characteristic|protected group",
    (
        "accommodation",
        r"\baccommodations?\b.{0,80}\b(?:apply|application|hiring|interview|recruit|employment "
        r"process|disabilit)|\bdisabilit[^.]{0,120}\baccommodat",
    ),
    ("drug-free|drug free", r"drug[- ]free (?:workplace|employer)"),
    (
        "discriminat",
        r"(?:will not|does not|do not|not|never) discriminate|discrimination (?:against|based|"
        r"on the basis)|non-?discrimination",
    ),
    ("all qualified", r"all qualified (?:applicants|candidates|individuals)"),
    "arrest and conviction|arrest or conviction",
)
_EEO_SOFT = _Rule.of(
    (
        "divers",
        r"(?:committed to|value|values|celebrates?|embraces?|supports?|promotes?|welcomes?|"
        r"encourag\w+|fosters?) (?:\w+ )?(?:diversity|diverse)|diverse (?:and inclusive )?"
        r"(?:workforce|workplace)|diversity,? (?:equity )?(?:and|&) inclusion",
    ),
    (
        "inclusive|inclusion",
        r"\binclusi(?:ve|on) (?:and diverse )?(?:workplace|environment|culture|workforce)",
    ),
    ("minorities", r"\bminorities\b"),
    ("minority/|minorities/", r"\bminorit(?:y|ies)/(?:female|women)"),
)
_RECRUITER_HARD = _Rule.of(
    "job segment|#li-|this is a post on behalf|posting date|date posted",
    ("on behalf of", r"\bon behalf of (?:our|a|one of our) (?:clients?|hiring partners?)\b"),
    ("recruiting", r"\brecruiting (?:for|on behalf)\b"),
    ("job id|job code|job number", r"\bjob (?:id|code|number)\b"),
    (
        "requisition|req id|req #|req.",
        r"\breq(?:uisition)?\.? ?(?:(?:id|number|no)\b|#)",
    ),
    (
        "reference|ref #|ref.",
        r"\b(?:reference|ref)\.? ?(?:(?:number|no|code)\b|#)",
    ),
    ("posted", r"\bposted (?:via|by|on)\b"),
    ("#", r"^#[a-z][\w-]*$"),
    ("powered by", r"^powered by [\w.]+$"),
    (
        "agenc",
        r"(?:\bno|not accept|does not accept|will not accept|do not accept) (?:[\w/&-]+ ){0,4}"
        r"agenc|\bagency (?:resumes?|submissions?|candidates?|fees?)|(?:staffing|recruitment|"
        r"recruiting) agenc|\bto all (?:recruitment )?agencies|\bno agencies\b",
    ),
    (
        "recruiter|third|headhunter|search firm",
        r"(?:\bno|not accept|does not accept|will not accept|do not accept) (?:[\w/&-]+ ){0,4}"
        r"(?:recruiters?\b|third[- ]part|headhunter|search firm)",
    ),
    ("unsolicited", r"\bunsolicited (?:resumes?|candidates?|submissions?|cvs?)"),
    ("corp", r"\bcorp[- ]to[- ]corp\b"),
    ("c2c", r"\bc2c\b"),
)
_RECRUITER_SOFT = _Rule.of(("our client", r"^our client\b|\bour client,? (?:a|an|is|has)\b"))
_RECRUITER_PREAMBLE_STARTS = (
    "our client",
    "we are recruiting",
    "we are partnering",
    "we are working",
)
# "Our client, a leading X, is seeking a data scientist ...": only the preamble goes.
_RECRUITER_PREAMBLE = re.compile(
    r"^(?:our client|we are recruiting (?:for|on behalf of) (?:our|a) client|we are (?:partnering"
    r"|working) with (?:our|a) client)\b[^.]{0,200}?\b(?:is|are) (?:currently )?(?:seeking|looking"
    r" for|hiring|searching for|in need of)\s+",
    re.IGNORECASE,
)
_APPLY = _Rule.of(
    "principals only|only principals|easy apply",
    ("to apply", r"^(?:to apply|how to apply)\b"),
    (
        "apply",
        r"\bapply (?:now|today|online|here)\b|\bapply (?:for|to) this (?:job|position|role|"
        r"opportunity)|\bapply at (?:www|http|our)",
    ),
    ("click", r"\bclick (?:on )?(?:the )?(?:\"?apply|here|below|the button)"),
    (
        "send|mail|submit|forward|upload",
        r"\b(?:send|e-?mail|submit|forward|upload|mail) (?:your|a|an|us your|us a|in your|us an|"
        r"us) (?:[\w.-]+ ){0,2}(?:r[eé]sum[eé]|cv|c\.v\.|application|cover letter)",
    ),
    (
        "accepted|reviewed|considered|submitted",
        r"\b(?:r[eé]sum[eé]s?|applications?) (?:will be|are|must be) (?:accepted|reviewed|"
        r"considered|submitted)",
    ),
    (
        "please",
        r"\bplease (?:apply|submit|send|e-?mail|forward)\b",
    ),
    ("calls", r"\bno (?:phone )?calls\b"),
    ("interested", r"\binterested (?:candidates|applicants|parties|individuals)\b"),
    (
        "qualified",
        r"\bqualified (?:candidates|applicants) (?:should|please|are encouraged|can|may)\b",
    ),
    ("to be considered", r"\bto be considered\b[^.]*\b(?:please|send|submit|apply|e-?mail)\b"),
    (
        "more information|additional information|further information",
        r"\bfor (?:more|additional|further) information,? (?:please )?(?:visit|contact|go to|see)",
    ),
    ("visit", r"\bvisit (?:us at|our (?:careers?|website|site|jobs))"),
    (
        "applicant",
        r"\bapplicants? (?:must|should) (?:submit|apply|include)",
    ),
    ("career", r"\bcareers? (?:page|site|portal|website)"),
)
_MONEY = r"\$ ?\d[\d,.]*(?: ?[km]\b)?"
_PAY = _Rule.of(
    "pay transparency",
    (
        "range|band|scale",
        r"\b(?:salary|pay|compensation|wage|base pay|hiring|pay grade) (?:range|band|scale)",
    ),
    (
        "pay|salary|compensation|wage",
        r"\b(?:base|starting|annual|hourly) (?:pay|salary|compensation|wage)\b",
    ),
    (
        "$",
        rf"{_MONEY} ?(?:-|–|to) ?{_MONEY}|^(?=.*{_MONEY})(?=.*\b(?:salary|pay|compensation|wages?|"
        r"rate|per hour|/ ?hr|/ ?hour|hourly|per year|annually|per annum|/ ?yr|/ ?year|a year|doe|"
        r"ote)\b)",
    ),
)
_BENEFITS = _Rule.of(
    "stock option|parental leave|flexible spending|life insurance",
    (
        "dental|vision",
        r"\b(?:medical|health(?:care)?|dental|vision)(?:,|/| and| &)+ ?(?:dental|vision)\b",
    ),
    ("401", r"\b401 ?\(?k\)?"),
    ("pto", r"\bpto\b"),
    ("paid", r"\bpaid (?:time off|holidays?|vacations?|leave|parental|family|sick)"),
    ("assistance|reimbursement", r"(?:tuition|education(?:al)?) (?:assistance|reimbursement)"),
    ("competitive", r"competitive (?:salary|salaries|compensation|pay|benefits?|base|total)"),
    (
        "benefit",
        r"\bbenefits? (?:package|program|plan|include|offered|eligibility)|\b(?:comprehensive|"
        r"excellent|great|generous|full|robust|competitive|outstanding|attractive) (?:\w+ )?"
        r"benefits?\b|eligible for (?:\w+ ){0,3}benefits|\bbenefits (?:are|begin|start|on|"
        r"eligibility)\b|\bour benefits\b|\b(?:we|you'll|you will) (?:can )?(?:offer|provide|get|"
        r"enjoy)\b[^.]{0,80}\bbenefits?\b",
    ),
    ("perk", r"\bperks?\b"),
    ("insurance", r"\b(?:disability|health|medical|dental|vision) insurance"),
    (
        "medical coverage|dental coverage|vision coverage|medical plan|dental plan|vision plan",
        r"\b(?:medical|dental|vision) (?:coverage|plans?)\b",
    ),
    ("employee", r"\bemployee (?:stock|assistance|discount)"),
    ("equity", r"\bequity (?:package|grant|compensation)"),
    ("retirement", r"\bretirement (?:plan|savings|benefits|contribution)"),
    ("wellness", r"\bwellness (?:program|benefit|stipend)"),
    ("commuter", r"\bcommuter (?:benefit|subsid)"),
    ("hsa|fsa", r"\b[hf]sa\b"),
    ("gym", r"\bgym (?:membership|reimbursement)"),
    (
        "free|catered",
        r"\b(?:free|catered) (?:lunch|snacks|meals|food|breakfast)",
    ),
    ("unlimited", r"\bunlimited (?:pto|vacation|time off)"),
    ("bonus", r"\b(?:sign[- ]on|signing) bonus"),
    ("relocation", r"\brelocation (?:assistance|package|support|benefits)"),
    "matching contribution",
)
# Statements about the company (the role hints around them decide what goes, see
# _Classifier.classify_line).
_COMPANY = _Rule.of(
    "headquartered|best places to work|subsidiary of|www.|http",
    (
        "our mission|our vision|our purpose|our core values|our values|our culture|our story",
        r"\bour (?:mission|vision|purpose|core values|values|culture|story)\b",
    ),
    (
        "we help|we serve|we partner with|we empower|we enable",
        r"\bwe (?:help|serve|partner with|empower|enable)\b",
    ),
    ("owned|held|traded", r"\bemployee[- ]owned\b|\bprivately[- ]held\b|\bpublicly[- ]traded\b"),
    ("founded", r"\bfounded (?:in|by|on)\b"),
    ("established in", r"\bestablished in (?:19|20)\d\d"),
    (
        "our customers|our clients|our products|our platform|our solutions|our services",
        r"\bour (?:customers|clients|products|platform|solutions|services) (?:include|are|range"
        r"|span)\b",
    ),
    ("fortune", r"\bfortune \d+"),
    (
        "leading|premier|largest|world-class|world class|award|growing|trusted|renowned|"
        "pioneering|nation's",
        r"\b(?:is|are) (?:a|an|the|one of the) (?:[\w'-]+ ){0,2}(?:leading|premier|largest|"
        r"world[- ]class|award[- ]winning|fast[- ]growing|fastest[- ]growing|trusted|renowned|"
        r"pioneering|nation's)\b",
    ),
    ("leader", r"\bleader in\b|\b(?:global|industry|market|world) leader\b"),
    (
        "leading",
        r"\bleading (?:global )?(?:provider|supplier|developer|manufacturer|company|firm|"
        r"organization)",
    ),
    (
        "we are|we're",
        r"\b(?:we are|we're) (?:an?|the|one of)\b",
    ),
    (
        "employees|people|customers|clients|offices|countries|members|users",
        r"\b\d[\d,.]*\+? ?(?:k )?(?:\+ )?(?:employees|team members|people|customers|clients|"
        r"offices|countries|members|users)\b",
    ),
    ("since", r"\bsince (?:19|20)\d\d\b"),
    "inc. 5000|inc 5000|forbes|glassdoor",
)
# Sentence rules in order; a soft rule yields to a role line in the same sentence
# ("experience with dental claims data" is a requirement, not a benefit).
_SENTENCE_RULES: tuple[tuple[BoilerplateKind, _Rule, bool], ...] = (
    ("eeo", _EEO_HARD, False),
    ("eeo", _EEO_SOFT, True),
    ("recruiter", _RECRUITER_HARD, False),
    ("recruiter", _RECRUITER_SOFT, True),
    ("apply", _APPLY, False),
    ("pay", _PAY, False),
    ("benefits", _BENEFITS, True),
)
# A line that plainly speaks about the role: it closes a drop section.
_ROLE_LINE = _Rule.of(
    "responsib|degree in",
    (
        "you",
        r"\byou(?:'ll| will| would| should| must| can)\b|\byour (?:role|responsibilities|day|"
        r"work|team)\b",
    ),
    (
        "candidate|applicant|hire|incumbent",
        r"\b(?:the|an?|our) (?:ideal |successful |right |qualified )?(?:candidate|applicant|hire|"
        r"incumbent)s? (?:will|should|must|is|has)\b",
    ),
    (
        "looking|seeking|searching|hiring",
        r"\b(?:we are|we're|is|are) (?:currently )?(?:looking|seeking|searching|hiring)\b",
    ),
    ("qualifications", r"\bqualifications\b"),
    ("requirement", r"\brequirements?\b"),
    (
        "experience",
        r"\bexperience (?:with|in|using|working|of)\b|\byears?\b[^.]{0,40}\bexperience\b",
    ),
    (
        "preferred|plus|nice to have|required|proficien|familiarity|knowledge of|understanding of",
        r"\b(?:preferred|(?:is )?a plus|nice to have|(?:is|are) required|required:|proficien\w* "
        r"(?:in|with)|familiarity with|knowledge of|understanding of)\b",
    ),
    ("bachelor|master|ph|doctorate", r"\b(?:bachelor|master|ph\.?d|doctorate)"),
    (
        "bs |b.s|ms |m.s|ba |b.a|ma |m.a",
        r"\b(?:b\.?s\.?|m\.?s\.?|b\.?a\.?|m\.?a\.?) (?:degree|in)\b",
    ),
    ("role|position|job", r"\bthis (?:role|position|job)\b|\bthe (?:role|position)\b"),
    ("join", r"\bjoin (?:our|the) (?:[\w-]+ ){0,3}team\b"),
)
# Anything that hints at role content: a paragraph about the company has none of it.
_ROLE_HINT = _Rule.of(
    "data scien|machine learning|algorithm|candidate",
    ("you", r"\byou(?:r|'ll|'re|'d)?\b"),
    (
        "scientist|engineer|analyst|developer|statistician|researcher|manager|director|"
        "specialist|consultant|architect|programmer|intern|technician|coordinator|administrator|"
        "modeler",
        r"\b(?:scientist|engineer|analyst|developer|statistician|researcher|manager|director|"
        r"specialist|consultant|architect|programmer|intern|technician|coordinator|"
        r"administrator|modeler)s?\b",
    ),
    ("python", r"\bpython\b"),
    ("sql", r"\bsql\b"),
    ("statistic", r"\bstatistic"),
    ("model", r"\bmodel(?:s|ing|ling)?\b"),
    ("pipeline", r"\bpipelines?\b"),
    ("skill", r"\bskills?\b"),
    ("degree", r"\bdegree\b"),
    ("experience", r"\bexperience (?:with|in)\b"),
    ("team", r"\b(?:an?|the|our|this|your) (?:[\w-]+ ){0,2}teams?\b"),
)
# Literals of the rules narrowed per posting (the role rules run too rarely to need it).
_LINE_LITERALS = tuple(
    sorted(frozenset().union(*(rule.literals for _, rule, _ in _SENTENCE_RULES), _COMPANY.literals))
)
# After the company's name, these make a sentence about the company: "Acme is ...".
_COMPANY_VERB = re.compile(
    r"(?:,? (?:is|are|was|has|have|provides?|offers?|helps?|serves?|delivers?|builds?|"
    r"develops?|operates?|specializes?|employs?|brings?|makes?|enables?|combines?|works?|"
    r"empowers?|creates?|designs?|manufactures?|partners?|believes?|exists|strives|uses|invests?|"
    r"sells?|supplies|produces?|runs?|owns?|powers?|connects?|leads?|transforms?|"
    r"pioneered|started|began|grew|continues|remains)\b)"
)
_COMPANY_NAME_SUFFIX = re.compile(
    r"[\s,]+(?:inc\.?|incorporated|llc|l\.l\.c\.|ltd\.?|limited|corp\.?|corporation|co\.?|"
    r"company|group|plc|lp|llp|holdings)$"
)
# The company is the subject of a sentence when its name starts within this many characters
# ("Founded in 2008, Acme is ...").
_MAX_SUBJECT_OFFSET = 30
_TRAILING_RATING = re.compile(r"\s+\d(?:\.\d)?\s*$")

_HEADING_DECORATION = " \t#*>|-:.!?»"
_INLINE_HEADING = re.compile(r"^([A-Za-z][\w &/'(),.-]{1,45}?) ?: *(\S.*)$")
_SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9#$])")
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|inc|co|corp|ltd|llc|dr|mr|mrs|ms|no|vs|st|jr|sr|approx|dept|u\.s|"
    r"u\.k|a\.m|p\.m|ph\.d|b\.s|m\.s|b\.a|m\.a)|\b[A-Z])\.$",
    re.IGNORECASE,
)
_MAX_HEADING_CHARS = 80
_MAX_HEADING_WORDS = 10
_MAX_INLINE_HEADING_WORDS = 6
_MAX_FIELD_VALUE_CHARS = 60
# A "sentence" longer than this that speaks about the role is a glued blob (postings scraped
# without line breaks): a boilerplate phrase inside it does not take the role text with it.
_BLOB_CHARS = 300
_BLOB_ROLE_CUES = 3


# Section headings, matched in full against a heading key (lower case, trimmed, "&" as "and").
_COMPANY_HEADING = re.compile(
    r"(?:more )?(?:about|who is|meet|get to know|introducing|life at|working at) (?!you\b|your\b|"
    r"(?:the|this|our|my) (?:[\w-]+ ){0,3}(?:role|job|position|opportunit\w*|team|group|lab|"
    r"department|division|candidate|project|work)\b).{1,50}|who (?:we are|are we)|(?:more )?about"
    r"|our (?:mission|story|company|culture|values|vision|purpose|history|organi[sz]ation|firm)"
    r"|mission(?: statement)?|(?:the )?company|company (?:overview|description|profile|summary|"
    r"background|information|info|bio|culture|snapshot)|overview of (?:the |our )?company|what "
    r"we do|employer (?:description|overview)|(?:the|our) (?:organi[sz]ation|firm|employer)|"
    r"organi[sz]ation(?:al)? overview|culture|(?:the )?company and culture|our culture and values"
)
# Any short heading that names benefits or perks ("The Perks You'll Enjoy", "Benefits & Pay").
_BENEFITS_HEADING = re.compile(
    r".*\b(?:benefits?|perks)\b.*|what (?:we|\S+(?: \S+)?) (?:can |will )?offers?(?: you)?(?: .*)?"
    r"|we offer|what(?:'s| is) in it for you|why (?:join|work)(?: .*)?|(?:total )?rewards|what "
    r"you(?:'ll)? get|(?:our )?offer|in return(?:, we offer)?|we provide|what we provide"
)
_EEO_HEADING = re.compile(
    r"eeoc?(?: .*)?|equal (?:employment )?opportunit.*|e-?verify.*|affirmative action.*"
    r"|(?:our )?(?:commitment to )?diversity(?:,)?(?: equity)?(?: and inclusion)?(?: .*)?"
    r"|.*privacy (?:notice|policy|statement).*|(?:reasonable )?accommodations?(?: .*)?"
    r"|non-?discrimination.*|employment eligibility|.*eligibility verification"
)
_PAY_HEADING = re.compile(
    r"(?:compensation|salary|pay|wage|base pay|pay rate|rate|hourly rate|salary range|pay range"
    r"|compensation range)(?: range| information| details| transparency| and bonus|/.{1,30})?"
    r"|pay transparency.*"
)
_APPLY_HEADING = re.compile(
    r"(?:how to|to|ready to) apply.*|application (?:process|instructions|procedure)|apply"
    r"(?: now| today| here| online)?(?: »)?|interested|next steps|how to be considered"
)
# "Job ID:" and its value "12345" on the next line; nothing more.
_RECRUITER_FIELD_HEADING = re.compile(
    r"job (?:id|code|number|ref(?:erence)?|req(?:uisition)?(?: id| number| #)?)(?: #)?"
    r"|req(?:uisition)?\.?(?: id| #| number| no\.?)?(?: #)?|(?:reference|ref)(?: number| #| no"
    r"\.?| code| id)?|posting (?:id|number|date)|(?:date )?posted(?: on| date)?|job segment"
    r"|organization and job id"
)
_RECRUITER_SECTION_HEADING = re.compile(
    r"disclaimer|(?:important )?notice to .*(?:agenc|recruit|business).*|(?:recruiter|agency|"
    r"staffing)(?: .*)?|posting notice.*|to (?:all )?(?:recruitment )?agencies.*"
)
# All of them in one pattern, tried in this order; the group that matched names the kind.
_DROP_HEADING_KINDS: dict[str, BoilerplateKind] = {
    "recruiter_field": "recruiter",
    "eeo": "eeo",
    "pay": "pay",
    "benefits": "benefits",
    "apply": "apply",
    "recruiter": "recruiter",
    "company": "company",
}
_DROP_HEADING = re.compile(
    "|".join(
        f"(?P<{group}>{pattern.pattern})"
        for group, pattern in zip(
            _DROP_HEADING_KINDS,
            (
                _RECRUITER_FIELD_HEADING,
                _EEO_HEADING,
                _PAY_HEADING,
                _BENEFITS_HEADING,
                _APPLY_HEADING,
                _RECRUITER_SECTION_HEADING,
                _COMPANY_HEADING,
            ),
            strict=True,
        )
    )
)
# Headings of role sections: strong ones close a drop section even without a colon.
_ROLE_HEADING_STRONG = _Rule.of(
    "responsib|duties|qualif|requirement|skill|experience|education|competenc|abilities",
    "the role|this role|the position|this position|the job|this job|the opportunity",
    "this opportunity|job details|job purpose|job function|job profile|position details",
    "summary|description|overview|nice to have|bonus points|preferred|desired|must have",
    "tech stack|technolog|accountabilit|essential functions|essential duties|objectives",
    "day to day|day-to-day|ideal candidate|looking for|the team|in this role",
    ("you", r"\byou(?:r|'ll|'re|'d)?\b"),
    ("tools", r"\btools\b"),
)
_ROLE_HEADING_WEAK = re.compile(
    r"\b(?:role|position|job|team|project|work|location|travel|clearance|citizenship|schedule"
    r"|hours|shift|type|status|department|division|level|impact|key|primary|minimum|basic"
    r"|additional|physical|attributes|profile|background|knowledge|tasks?|focus|required|plus"
    r"|environment|title|details|information|info|candidate)\b"
)

# --------------------------------------------------------------------------------------------
# Boilerplate: headings, sentences, lines
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    """A recognised section heading; ``kind`` None means a role section."""

    kind: BoilerplateKind | None
    field: bool = False  # "Job ID:" drops only the value on the next line
    rest: str = ""  # the text after "Heading:" on the same line


def _heading_key(text: str) -> str:
    """A heading in canonical form: lower case, no decoration, "&" as "and".

    >>> _heading_key("## Benefits & Perks:")
    'benefits and perks'
    """
    key = text.strip(_HEADING_DECORATION).lower().replace("&", " and ")
    return " ".join(key.split())


def _sentence_spans(line: str) -> list[tuple[int, int]]:
    """Split a line into sentence spans, not breaking after abbreviations.

    >>> line = "We use Python, e.g. Pandas. We are an EOE."
    >>> [line[a:b] for a, b in _sentence_spans(line)]
    ['We use Python, e.g. Pandas.', 'We are an EOE.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_BOUNDARY.finditer(line):
        end = boundary.start() + len(boundary.group().rstrip())
        if _ABBREVIATION_END.search(line[max(start, boundary.start() - 8) : boundary.start()]):
            continue
        spans.append((start, end))
        start = boundary.end()
    spans.append((start, len(line)))
    return [(a, b) for a, b in spans if line[a:b].strip()]


def _company_name(company: str | None) -> str | None:
    """The employer's name in lower case, without a glued rating or a legal suffix.

    >>> _company_name("HG Insights Inc.\\n4.2"), _company_name("-1")
    ('hg insights', None)
    """
    if company is None:
        return None
    name = _TRAILING_RATING.sub("", company.strip().split("\n")[0]).strip().lower()
    name = _COMPANY_NAME_SUFFIX.sub("", name).strip(" ,.")
    return name if len(name) >= 2 and name != "-1" else None


def _names_company(low: str, name: str) -> bool:
    """Whether a lower-cased sentence opens with the company as subject, or says "at <name>".

    >>> _names_company("acme is a leading provider of widgets.", "acme")
    True
    >>> _names_company("we model acmeville traffic.", "acme"), _names_company("at acme, we ...", "acme")
    (False, True)
    >>> _names_company("we cut costs and grow revenue so that acme is profitable.", "acme")
    False
    """
    start = low.find(name)
    while -1 < start <= _MAX_SUBJECT_OFFSET:
        end = start + len(name)
        bounded = (start == 0 or not low[start - 1].isalnum()) and (
            end == len(low) or not low[end].isalnum()
        )
        if bounded and (_COMPANY_VERB.match(low, end) or low.endswith("at ", 0, start)):
            return True
        start = low.find(name, end)
    return False


# The kind of each sentence of a line: None where the sentence stays.
_Spans = list[tuple[int, int, BoilerplateKind | None]]


@dataclass(frozen=True)
class _Rules:
    """The sentence and company rules narrowed to the cue literals present in one posting."""

    sentence_rules: tuple[tuple[BoilerplateKind, _Rule, bool], ...]
    company_statement: _Rule
    literals: tuple[str, ...]  # every literal left: a line with none of them is all role text

    @classmethod
    def for_text(cls, low_text: str) -> _Rules:
        """Test each literal once per posting, so that lines and sentences only try the cues
        that can match, and a line with none of the literals is skipped at once."""
        present = frozenset(literal for literal in _LINE_LITERALS if literal in low_text)
        narrowed = ((kind, rule.narrow(present), soft) for kind, rule, soft in _SENTENCE_RULES)
        return cls(
            tuple(entry for entry in narrowed if entry[1].cues),
            _COMPANY.narrow(present),
            tuple(sorted(present)),
        )


@dataclass(frozen=True)
class _Classifier:
    """Headings, sentences and lines of one posting."""

    rules: _Rules
    company_name: str | None

    @classmethod
    def for_text(cls, text: str, company: str | None) -> _Classifier:
        low = text.lower()
        name = _company_name(company)
        return cls(_Rules.for_text(low), name if name is not None and name in low else None)

    # -- headings ----------------------------------------------------------------------------

    def drop_heading_kind(self, key: str) -> BoilerplateKind | None:
        match = _DROP_HEADING.fullmatch(key) if key else None
        if match is not None:
            return _DROP_HEADING_KINDS[match.lastgroup or ""]
        name = self.company_name
        if name and key in {f"{w} {name}" for w in ("about", "why", "life at", "working at")}:
            return "company"
        return None

    def heading(self, line: str) -> _Heading | None:
        """Recognise ``line`` as a section heading, alone or before a colon.

        >>> rules = _Classifier.for_text("", None)
        >>> rules.heading("Benefits:"), rules.heading("Job ID: 12345")
        (_Heading(kind='benefits', field=False, rest=''), _Heading(kind='recruiter', field=True, rest='12345'))
        >>> rules.heading("What You'll Do"), rules.heading("We offer great benefits.")
        (_Heading(kind=None, field=False, rest=''), None)
        """
        if line.startswith("- ") or (len(line) > _MAX_HEADING_CHARS and ":" not in line[:50]):
            return None
        inline = _INLINE_HEADING.match(line) if ":" in line else None
        if inline and len(inline.group(1).split()) <= _MAX_INLINE_HEADING_WORDS:
            key = _heading_key(inline.group(1))
            kind = self.drop_heading_kind(key)
            if kind is not None:
                is_field = _RECRUITER_FIELD_HEADING.fullmatch(key) is not None
                return _Heading(kind, is_field, inline.group(2))
            if _ROLE_HEADING_STRONG.search(key):
                return _Heading(None, rest=inline.group(2))
        too_long = len(line) > _MAX_HEADING_CHARS or len(line.split()) > _MAX_HEADING_WORDS
        if too_long or line.endswith((".", ",", ";")):  # a sentence, not a heading
            return None
        key = _heading_key(line)
        kind = self.drop_heading_kind(key)
        if kind is not None:
            return _Heading(kind, _RECRUITER_FIELD_HEADING.fullmatch(key) is not None)
        if _ROLE_HEADING_STRONG.search(key):
            return _Heading(None)
        if line.endswith(":") and _ROLE_HEADING_WEAK.search(key):
            return _Heading(None)
        return None

    # -- sentences and lines -----------------------------------------------------------------

    def classify_line(self, line: str) -> _Spans:
        """Sentence spans of ``line`` with the boilerplate kind of each (None: keep).

        Company sentences go when no sentence of the line hints at the role; in a line that
        does, only strong company statements without a role hint of their own go.

        >>> line = "Build models in Python. We are an equal opportunity employer."
        >>> [(line[a:b], kind) for a, b, kind in _Classifier.for_text(line, None).classify_line(line)]
        [('Build models in Python.', None), ('We are an equal opportunity employer.', 'eeo')]
        """
        low_line = line.lower()
        rules = self.rules
        preamble_start = low_line.startswith(_RECRUITER_PREAMBLE_STARTS)
        named = self.company_name is not None and self.company_name in low_line
        if not (preamble_start or named or any(lit in low_line for lit in rules.literals)):
            return [(0, len(line), None)]
        spans = _sentence_spans(line)
        preset: list[BoilerplateKind | None] = [None] * len(spans)
        preamble = _RECRUITER_PREAMBLE.match(line) if preamble_start else None
        if preamble and spans and preamble.end() < spans[0][1]:
            spans[0:1] = [(0, preamble.end()), (preamble.end(), spans[0][1])]
            preset.insert(0, "recruiter")
        lows = [line[a:b].lower() for a, b in spans]
        kinds = [kind or _sentence_kind(low, rules) for kind, low in zip(preset, lows, strict=True)]
        free = [i for i, kind in enumerate(kinds) if kind is None]
        if any(self.about_company(lows[i], rules) for i in free):
            whole = not any(_says_role(lows[i]) for i in free)
            for i in free:
                strong = rules.company_statement.search(lows[i]) and not _says_role(lows[i])
                if whole or strong:
                    kinds[i] = "company"
        return [(a, b, kind) for (a, b), kind in zip(spans, kinds, strict=True)]

    def about_company(self, low: str, rules: _Rules) -> bool:
        """Whether a sentence describes the company (and not the role)."""
        name = self.company_name
        if rules.company_statement.search(low) or (name and _names_company(low, name)):
            return not _ROLE_LINE.search(low)
        return False


def _sentence_kind(low: str, rules: _Rules) -> BoilerplateKind | None:
    """The kind of one lower-cased sentence by its cues, or None.

    A soft cue yields to a role line in the sentence; a hard cue only to a long sentence that
    is plainly about the role (a glued blob, see ``_BLOB_CHARS``).
    """
    for kind, rule, soft in rules.sentence_rules:
        if not rule.search(low):
            continue
        if soft and _ROLE_LINE.search(low):
            continue
        if not soft and len(low) > _BLOB_CHARS and _is_role_blob(low):
            continue
        return kind
    return None


def _is_role_blob(low: str) -> bool:
    """Whether a long sentence carries several different role cues (not just one word)."""
    return _ROLE_LINE.count(low) + _ROLE_HINT.count(low) >= _BLOB_ROLE_CUES


def _says_role(low: str) -> bool:
    return _ROLE_LINE.search(low) or _ROLE_HINT.search(low)


def _closes_section(line: str, spans: _Spans) -> bool:
    """A line about the role ends a drop section, unless it is all boilerplate itself."""
    return _ROLE_LINE.search(line.lower()) and not _all_removed(spans)


# --------------------------------------------------------------------------------------------
# Boilerplate: the walk over lines
# --------------------------------------------------------------------------------------------


@dataclass
class _Removal:
    """What was cut, by kind: runs of whole lines merged into blocks, and sentences."""

    lines: list[str]
    removed: dict[str, list[str]] = field(default_factory=lambda: _empty_removed())
    _block: tuple[BoilerplateKind, int, int] | None = None

    def drop_line(self, index: int, spans: _Spans) -> None:
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

    def drop_sentences(self, line: str, spans: _Spans) -> None:
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


def _all_removed(spans: _Spans) -> bool:
    return all(kind is not None for _, _, kind in spans)


def _whole(line: str, kind: BoilerplateKind) -> _Spans:
    return [(0, len(line), kind)]


@dataclass
class _Walk:
    """One pass over the lines of a posting: what is kept, what goes, which section we are in."""

    rules: _Classifier
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

    def _field_value(self, index: int, line: str, heading: _Heading | None) -> bool:
        """Drop the value line after a field heading ("Job ID" / "12345")."""
        kind, self.field_kind = self.field_kind, None
        if kind is None or heading is not None or len(line) > _MAX_FIELD_VALUE_CHARS:
            return False
        self.removal.drop_line(index, _whole(line, kind))
        return True

    def _drop_heading(self, index: int, line: str, heading: _Heading | None) -> bool:
        """Drop a boilerplate heading, and open its section (a heading alone on its line)."""
        if heading is None or heading.kind is None:
            return False
        if heading.rest and _closes_section(heading.rest, self.rules.classify_line(heading.rest)):
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
        if self.section is not None and not _closes_section(line, spans):
            fill = self.section
            self.removal.drop_line(index, [(a, b, kind or fill) for a, b, kind in spans])
            return
        self.section = None
        if _all_removed(spans):
            self.removal.drop_line(index, spans)
        elif any(kind is not None for _, _, kind in spans):
            self.removal.drop_sentences(line, spans)
            self.kept.append(" ".join(line[a:b].strip() for a, b, kind in spans if kind is None))
        else:
            self.removal.flush()
            self.kept.append(line)


def _check_text(text: object, company: object) -> None:
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
    _check_text(text, company)
    lines = text.split("\n")
    walk = _Walk(_Classifier.for_text(text, company), _Removal(lines))
    for index, line in enumerate(lines):
        walk.step(index, line)
    walk.removal.flush()
    kept, removed = walk.kept, walk.removal.removed
    cleaned = _MANY_NEWLINES.sub("\n\n", "\n".join(kept)).strip()
    if not cleaned:
        return text.strip(), _empty_removed()
    return cleaned, removed


def clean_posting(text: str, *, company: str | None = None) -> CleanResult:
    """Strip markup, normalise, and remove boilerplate from one posting.

    >>> result = clean_posting("<p>Data Scientist</p><p>We are an equal opportunity employer.</p>")
    >>> result.text, result.removed["eeo"]
    ('Data Scientist', ['We are an equal opportunity employer.'])
    """
    _check_text(text, company)
    after_markup = strip_markup(text)
    normalized = normalize_text(after_markup)
    cleaned, removed = remove_boilerplate(normalized, company=company)
    return CleanResult(cleaned, after_markup, normalized, removed)
