"""The role a posting is for, read from its text when it has no title.

Evidence, most reliable first: a "Job title:" line, a title-like first line, "hiring a/an X",
"seeking/looking for a X", "As a X, you will", "join ... as a X", "The X will/is responsible",
and last the capitalised job name the text repeats most. A role is a run of words ending in a
job noun ("nurse", "engineer"; :mod:`embedtune.queries.offline.role_words`), without praise
("experienced"), places, salaries or "(m/f/d)": the run stops at the first word that cannot be
part of a job name. The guess is then parsed like a title (:func:`parse_title`).

>>> infer_role("We are hiring an experienced Registered Nurse to join our ward in Leeds.")
RoleGuess(role='Registered Nurse', evidence='hiring', confidence=0.75)
>>> infer_role("Senior Data Engineer London Salary up to 70k. You will build pipelines.")
RoleGuess(role='Senior Data Engineer', evidence='opening', confidence=0.8)
>>> infer_role("Fresh bread and coffee every morning.") is None
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from embedtune.queries.offline.role import Role, parse_title
from embedtune.queries.offline.role_words import Evidence, role_words

__all__ = ["MAX_RUN", "RoleGuess", "infer_role", "role_in", "singular"]

MAX_RUN = 6  # words of a role, head noun included
_WORDS = role_words()
_CONFIDENCE = {cue.evidence: cue.confidence for cue in _WORDS.cues}
_GLUED = re.compile(r"(?<=[a-z]{5})(?=[A-Z][a-z]{2})")  # "DescriptionAs a nurse" (scraped)
_SEGMENT_END = re.compile(r"[.,;:!?()\[\]|•·*\n/]|\s[-–—]\s|\s{3,}")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’&+#-]*")
# Praise before a comma ("a motivated, experienced nurse"): read on past the comma.
_PRAISE = re.compile(r"^\s*(?:[A-Za-z-]+(?:ly|ed|ic|ive|ous|ful|[a-z]-[a-z]+)\s*,\s*)+")
_FIRST_LINE = 160  # characters of the text read as its opening
_AGREE = 0.02  # added to a guess's confidence for each other cue that gives it (up to three)


@dataclass(frozen=True)
class RoleGuess:
    """A role read from posting text: as written, where it was found, and how sure that is."""

    role: str
    evidence: Evidence
    confidence: float

    def parsed(self) -> Role:
        """The role as a job seeker would type it, with its seniority apart.

        >>> RoleGuess("Sr Care Assistants", "opening", 0.8).parsed()
        Role(name='care assistant', seniority='senior')
        """
        words = self.role.split()
        return parse_title(" ".join([*words[:-1], singular(words[-1])]))


def singular(word: str) -> str:
    """The singular of a job noun, when the plural is one of :data:`role_words` job nouns.

    >>> singular("Nurses"), singular("secretaries"), singular("coaches"), singular("Analyst")
    ('Nurse', 'secretary', 'coach', 'Analyst')
    """
    low = word.lower()
    if low in _WORDS.job_nouns:
        return word
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if low.endswith(cut) and low[: -len(cut)] + add in _WORDS.job_nouns:
            return word[: -len(cut)] + add
    return word


def _is_head(word: str) -> bool:
    return singular(word).lower() in _WORDS.job_nouns or word.lower() in _WORDS.job_names


def _merge_names(tokens: Sequence[str]) -> list[str]:
    """``tokens`` with each job name of several words ("Chef de Partie") as one token.

    >>> _merge_names(["Senior", "Chef", "de", "Partie", "Leeds"])
    ['Senior', 'Chef de Partie', 'Leeds']
    """
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (3, 2):
            if " ".join(tokens[i : i + n]).lower() in _WORDS.job_names:
                out.append(" ".join(tokens[i : i + n]))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _tidy(words: list[str]) -> list[str]:
    """Words of a role without what comes before a possessive ("Marston's Assistant Manager")
    or, before a capitalised job noun, lower-case praise ("creative Data Scientist").

    >>> _tidy("highly-skilled Principal Controls Engineer".split())
    ['Principal', 'Controls', 'Engineer']
    >>> _tidy(["Acme’s", "Store", "Manager"]), _tidy(["email", "copywriter"])
    (['Store', 'Manager'], ['email', 'copywriter'])
    """
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower().endswith(("'s", "’s", "s'")) and i < len(words) - 1:
            words = words[i + 1 :]
            break
    if words[-1][0].isupper():
        while len(words) > 1 and not words[0][0].isupper():
            words = words[1:]
    while len(words) > 1 and _is_praise(words[0]):
        words = words[1:]
    return words


def _is_praise(word: str) -> bool:
    """A lower-case word before a role that praises rather than names ("trusted", "high-impact").

    >>> _is_praise("trusted"), _is_praise("registered"), _is_praise("Detailed"), _is_praise("data")
    (True, False, False, False)
    """
    low = word.lower()
    if not word.islower() or low in _WORDS.role_adjectives:
        return False
    return "-" in low or low in _WORDS.fillers or low.endswith(("ed", "ful", "ous"))


def role_in(tokens: Sequence[str], *, capitalised: bool) -> str | None:
    """The job name that ``tokens`` open with: praise dropped, cut after its job noun.

    A job noun followed by another ("Assistant Restaurant Manager", "Nurse Practitioner") runs
    on to the last one within two words; the run stops at a word that cannot be part of a job
    name. ``capitalised``: every word must start upper-case (a heading, not a sentence).

    >>> role_in("skilled and motivated Remote PHP Developer to join".split(), capitalised=False)
    'PHP Developer'
    >>> role_in("Assistant Restaurant Manager We offer".split(), capitalised=True)
    'Assistant Restaurant Manager'
    >>> role_in("Staff Nurse RGN Prescot Merseyside".split(), capitalised=True)
    'Staff Nurse'
    """
    tokens = _merge_names(tokens)
    at = 0
    while at < len(tokens) and tokens[at].lower().strip("'") in _WORDS.fillers:
        at += 1
    run: list[str] = []
    for word in tokens[at : at + MAX_RUN + 2]:
        if word.lower() in _WORDS.stops or (capitalised and not word[0].isupper()):
            break
        run.append(word)
    heads = [i for i, w in enumerate(run) if _is_head(w)]
    if not heads or heads[0] >= MAX_RUN:
        return None
    end = heads[0]
    for i in heads[1:]:
        if i - end > 2 or i >= MAX_RUN:
            break
        end = i
    words = _tidy(run[: end + 1])
    head = words[-1]
    if singular(head).lower() in _WORDS.weak_nouns and (len(words) == 1 or head.islower()):
        return None  # "manager" alone, or "business partner" in a sentence, names no job
    return " ".join([*words[:-1], singular(words[-1])])


def _tokens(segment: str) -> list[str]:
    return _TOKEN.findall(_SEGMENT_END.split(segment, maxsplit=1)[0])


def _after(text: str, pos: int) -> list[str]:
    segment = text[pos : pos + 120]
    return _tokens(segment[m.end() :] if (m := _PRAISE.match(segment)) else segment)


def _noun_phrase(text: str, *, capitalised: bool) -> tuple[str, int] | None:
    """The job name of two or more words the text uses most, and how often (ties: the first).

    ``capitalised``: only names written like titles ("Care Assistant"); otherwise only
    lower-case ones ("data scientists"), which count only when used twice.

    >>> _noun_phrase("Our Care Assistants help. Each Care Assistant has a Team Leader.", capitalised=True)
    ('Care Assistant', 2)
    >>> _noun_phrase("Tools used by data scientists, for all data scientists.", capitalised=False)
    ('data scientist', 2)
    """
    counts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for segment in _SEGMENT_END.split(text):
        tokens = _merge_names(_TOKEN.findall(segment))
        for i, word in enumerate(tokens):
            if word[0].isupper() != capitalised or not _is_head(word):
                continue
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt and nxt[0].isupper() == capitalised and _is_head(nxt):
                continue  # the longer name ends at the next word
            start = i
            while start > max(0, i - 3) and _is_modifier(tokens[start - 1], capitalised):
                start -= 1
            words = _tidy(tokens[start : i + 1])
            if len(words) < 2 or (word.islower() and word.lower() in _WORDS.weak_nouns):
                continue
            name = " ".join([*words[:-1], singular(word)])
            counts[name.lower()] += 1
            spelled.setdefault(name.lower(), name)
    if not counts:
        return None
    best, n = counts.most_common(1)[0]
    return (spelled[best], n) if capitalised or n >= 2 else None


def _is_modifier(word: str, capitalised: bool) -> bool:
    low = word.lower()
    return (
        word[0].isupper() == capitalised
        and low not in _WORDS.stops
        and low not in _WORDS.fillers
        and (capitalised or "-" not in word)
    )


def _guesses(text: str) -> list[tuple[float, int, RoleGuess]]:
    """Every guess with its confidence and position; the caller keeps the best."""
    out: list[tuple[float, int, RoleGuess]] = []

    def note(role: str | None, evidence: Evidence, pos: int, bonus: float = 0.0) -> None:
        if role:
            confidence = round(min(1.0, _CONFIDENCE[evidence] + bonus), 2)
            out.append((confidence, pos, RoleGuess(role, evidence, confidence)))

    for cue in _WORDS.cues:
        if cue.evidence == "opening":
            note(role_in(_tokens(text[:_FIRST_LINE]), capitalised=True), "opening", 0)
            continue
        if cue.evidence == "noun_phrase":
            found = _noun_phrase(text, capitalised=True)
            if found:
                note(found[0], "noun_phrase", len(text), 0.1 * min(found[1] - 1, 2))
            elif found := _noun_phrase(text, capitalised=False):
                note(found[0], "noun_phrase", len(text), -0.1)
            continue
        for pattern in cue.patterns:
            for m in pattern.finditer(text):
                tokens = _after(text, m.end())
                note(role_in(tokens, capitalised=cue.evidence == "label"), cue.evidence, m.end())
    return out


def infer_role(text: str) -> RoleGuess | None:
    """The most reliable role the text gives, or None when it names no job.

    A guess that several cues give gains confidence (:data:`_AGREE` for each other one, up to
    three); among guesses of equal confidence the earliest wins. A label ("Position: ...") must be
    capitalised like a title; a cue in a sentence ("we are looking for a ...") need not be.

    >>> infer_role("Job Title: Warehouse Operative Supervisor (m/f/d)\\nPay: 12 per hour")
    RoleGuess(role='Warehouse Operative Supervisor', evidence='label', confidence=0.95)
    >>> infer_role("About us\\nAs a Junior Accountant, you will reconcile our ledgers.")
    RoleGuess(role='Junior Accountant', evidence='as_a', confidence=0.7)
    >>> infer_role("Our clinic needs caring people. The Dental Hygienist will clean teeth.")
    RoleGuess(role='Dental Hygienist', evidence='the_role', confidence=0.6)
    """
    text = _GLUED.sub("\n", text)
    guesses = _guesses(text)
    if not guesses:
        return None
    said = Counter(g[2].role.lower() for g in guesses)
    return max(guesses, key=lambda g: (g[0] + _AGREE * min(said[g[2].role.lower()] - 1, 3), -g[1]))[
        2
    ]
