"""Section headings of a posting: which ones open a boilerplate section, which a role section.

A short line that names a section ("Benefits:", "About Us", "EEO Statement") opens a *drop
section*; a heading of a role section ("Requirements", "What You'll Do") closes one. Headings
are matched in full against a heading key (lower case, trimmed, "&" as "and").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embedtune.data.clean.cues import BoilerplateKind, cues

__all__ = ["Heading", "drop_heading_kind", "find_heading", "heading_key"]

_HEADING_DECORATION = " \t#*>|-:.!?»"
_INLINE_HEADING = re.compile(r"^([A-Za-z][\w &/'(),.-]{1,45}?) ?: *(\S.*)$")
_MAX_HEADING_CHARS = 80
_MAX_HEADING_WORDS = 10
_MAX_INLINE_HEADING_WORDS = 6

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
_ROLE_HEADING_STRONG = cues().role_heading_strong
_ROLE_HEADING_WEAK = re.compile(
    r"\b(?:role|position|job|team|project|work|location|travel|clearance|citizenship|schedule"
    r"|hours|shift|type|status|department|division|level|impact|key|primary|minimum|basic"
    r"|additional|physical|attributes|profile|background|knowledge|tasks?|focus|required|plus"
    r"|environment|title|details|information|info|candidate)\b"
)


@dataclass(frozen=True)
class Heading:
    """A recognised section heading; ``kind`` None means a role section."""

    kind: BoilerplateKind | None
    field: bool = False  # "Job ID:" drops only the value on the next line
    rest: str = ""  # the text after "Heading:" on the same line


def heading_key(text: str) -> str:
    """A heading in canonical form: lower case, no decoration, "&" as "and".

    >>> heading_key("## Benefits & Perks:")
    'benefits and perks'
    """
    key = text.strip(_HEADING_DECORATION).lower().replace("&", " and ")
    return " ".join(key.split())


def drop_heading_kind(key: str, company_name: str | None) -> BoilerplateKind | None:
    """The boilerplate kind of a heading key, or None ("about acme" is about the company).

    >>> drop_heading_kind("benefits and perks", None), drop_heading_kind("about acme", "acme")
    ('benefits', 'company')
    """
    match = _DROP_HEADING.fullmatch(key) if key else None
    if match is not None:
        return _DROP_HEADING_KINDS[match.lastgroup or ""]
    name = company_name
    if name and key in {f"{w} {name}" for w in ("about", "why", "life at", "working at")}:
        return "company"
    return None


def find_heading(line: str, company_name: str | None) -> Heading | None:
    """Recognise ``line`` as a section heading, alone or before a colon.

    >>> find_heading("Benefits:", None), find_heading("Job ID: 12345", None)
    (Heading(kind='benefits', field=False, rest=''), Heading(kind='recruiter', field=True, rest='12345'))
    >>> find_heading("What You'll Do", None), find_heading("We offer great benefits.", None)
    (Heading(kind=None, field=False, rest=''), None)
    """
    if line.startswith("- ") or (len(line) > _MAX_HEADING_CHARS and ":" not in line[:50]):
        return None
    inline = _INLINE_HEADING.match(line) if ":" in line else None
    if inline and len(inline.group(1).split()) <= _MAX_INLINE_HEADING_WORDS:
        key = heading_key(inline.group(1))
        kind = drop_heading_kind(key, company_name)
        if kind is not None:
            is_field = _RECRUITER_FIELD_HEADING.fullmatch(key) is not None
            return Heading(kind, is_field, inline.group(2))
        if _ROLE_HEADING_STRONG.search(key):
            return Heading(None, rest=inline.group(2))
    too_long = len(line) > _MAX_HEADING_CHARS or len(line.split()) > _MAX_HEADING_WORDS
    if too_long or line.endswith((".", ",", ";")):  # a sentence, not a heading
        return None
    key = heading_key(line)
    kind = drop_heading_kind(key, company_name)
    if kind is not None:
        return Heading(kind, _RECRUITER_FIELD_HEADING.fullmatch(key) is not None)
    if _ROLE_HEADING_STRONG.search(key):
        return Heading(None)
    if line.endswith(":") and _ROLE_HEADING_WEAK.search(key):
        return Heading(None)
    return None
