"""Our keyphrase picker beside YAKE, scored by skill flags neither of them wrote (issue 15).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/keyphrase_compare.py [--limit N] [--no-clean]

Data: ``../shared/data/glassdoor_ds_jobs/eda_data.csv``, distinct descriptions only. Its columns
``python_yn``, ``R_yn``, ``spark``, ``aws`` and ``excel`` were derived by the data set's author
(PlayingNumbers/ds_salary_proj) from the description text, by substring tests, not by us:
``'r studio'``/``'r-studio'`` for R and ``'excel'`` for Excel (which also fires on "excellent").
The column "in text" shows how often the skill word really stands in the text a picker sees.

Each description is cleaned as ``embedtune prepare`` cleans it (``--no-clean``: raw), and then

(a) ours: the offline generator's own step, ``generate._choose_keyphrases`` (candidates,
    prior, one all-MiniLM-L6-v2 call per chunk of 64, MMR at the default diversity), with the
    posting's real title, as ``generate_offline_queries`` runs it; k = 5 is the default config
    (it keeps 5), k = 10 the same with ``per_posting=6`` (it keeps 10);
(b) YAKE: ``yake.KeywordExtractor(lan="en", n=3, top=10)`` (dedup at its default), on the
    same text the generator reads (title line dropped); k = 5 is its first 5.

Per skill and k: recall (flag 1 and the skill word in one of the k keyphrases, case-insensitive,
whole word; R only as the token "r", not "R&D"; Spark also as "PySpark"), false hits (flag 0 and
the word in a keyphrase) and precision (hits with flag 1 / all hits). Also: the share of
keyphrases holding a glued scraped token (a word over 20 characters, a lower-to-upper join
inside a word such as "materialsWrite" unless it is a known CamelCase name, or "word.Word"), and
seconds per 100 postings (model loading excluded, reported apart). Prints a Markdown table and
writes JSON to ``/tmp/keyphrase_compare.json``. Exits 0 with a note when ``yake`` or the data is
missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATA = SHARED / "glassdoor_ds_jobs" / "eda_data.csv"
MODEL = "all-MiniLM-L6-v2"
OUT = Path("/tmp/keyphrase_compare.json")
KS = (5, 10)

SKILLS: dict[str, tuple[str, re.Pattern[str]]] = {
    # skill: (flag column, whole-word pattern)
    "python": ("python_yn", re.compile(r"\bpython\b", re.IGNORECASE)),
    "R": ("R_yn", re.compile(r"(?<![\w&'.-])r(?![\w&'])", re.IGNORECASE)),
    "spark": ("spark", re.compile(r"\b(?:py)?spark\b", re.IGNORECASE)),
    "aws": ("aws", re.compile(r"\baws\b", re.IGNORECASE)),
    "excel": ("excel", re.compile(r"\bexcel\b", re.IGNORECASE)),
}

_CAMEL_JOIN = re.compile(r"[a-z]{3,}[A-Z][a-z]{2,}")
_DOT_JOIN = re.compile(r"[a-z]{3,}\.[A-Z]")
_LOWER_JOIN = re.compile(r"^[a-z]{4,}[A-Z][a-z]")  # "materialsWrite", not "eClinicalWorks"
_CAMEL_NAMES = frozenset(
    [
        "javascript",
        "typescript",
        "powerpoint",
        "tensorflow",
        "sagemaker",
        "github",
        "gitlab",
        "bigquery",
        "sharepoint",
        "salesforce",
        "mapreduce",
        "postgresql",
        "mongodb",
        "linkedin",
        "youtube",
        "hubspot",
        "quickbooks",
        "datarobot",
        "microstrategy",
        "qlikview",
        "powershell",
        "coffeescript",
        "clickhouse",
        "databricks",
        "dynamodb",
    ]
)


def is_glued(phrase: str, *, strict: bool = False) -> bool:
    """Whether a keyphrase holds a token that scraping glued together.

    ``strict`` leaves out CamelCase brand names ("PatientPoint"): only a word over 20
    characters, "word.Word", or a lower-case word of 4+ letters running into a capital.

    >>> [is_glued(p) for p in ("materialsWrite", "TensorFlow", "machine learning", "SQL")]
    [True, False, False, False]
    >>> is_glued("effectively.The"), is_glued("qualificationsresponsibilitiesduties")
    (True, True)
    >>> is_glued("PatientPoint", strict=True), is_glued("materialsWrite", strict=True)
    (False, True)
    """
    from embedtune.queries.keyphrases import KNOWN_SKILLS

    for word in phrase.split():
        if len(word) > 20 or _DOT_JOIN.search(word):
            return True
        if strict:
            if _LOWER_JOIN.search(word) and word.lower() not in KNOWN_SKILLS:
                return True
            continue
        known = word.lower() in KNOWN_SKILLS or word.lower() in _CAMEL_NAMES
        if not known and (_CAMEL_JOIN.search(word) or _DOT_JOIN.search(word)):
            return True
    return False


def load_postings(limit: int | None, clean: bool) -> list[dict[str, object]]:
    """Distinct descriptions with their title, text and flags (first row of each kept)."""
    from embedtune.data.clean import clean_posting

    seen: set[str] = set()
    rows: list[dict[str, object]] = []
    with DATA.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            raw = row["Job Description"]
            if not raw.strip() or raw in seen:
                continue
            seen.add(raw)
            text = (clean_posting(raw).text or raw) if clean else raw
            flags = {s: int(float(row[col])) for s, (col, _) in SKILLS.items()}
            rows.append({"title": row["Job Title"], "text": text, "flags": flags})
            if limit and len(rows) >= limit:
                break
    return rows


def run_ours(rows: Sequence[dict[str, object]], model: object, keep_k: int) -> list[list[str]]:
    """The offline generator's keyphrases for each posting, ``keep_k`` (5 or 10) kept."""
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.queries.offline.config import OfflineQueryConfig
    from embedtune.queries.offline.generate import CHUNK_SIZE, _choose_keyphrases, posting_role
    from embedtune.queries.records import Posting

    config = OfflineQueryConfig() if keep_k == 5 else OfflineQueryConfig(per_posting=6)
    assert config.max_keyphrases + config.per_posting + 1 == keep_k
    encoder = SentenceTransformerEncoder(model)  # a fresh cache: every run pays its encoding
    postings = [Posting(str(i), str(r["title"]), str(r["text"])) for i, r in enumerate(rows)]
    out: list[list[str]] = []
    for start in range(0, len(postings), CHUNK_SIZE):
        chunk = postings[start : start + CHUNK_SIZE]
        roles = [posting_role(p)[:2] for p in chunk]
        out.extend(list(keys) for keys, _ in _choose_keyphrases(chunk, roles, encoder, config))
    return out


def run_yake(rows: Sequence[dict[str, object]], yake: object) -> list[list[str]]:
    """YAKE's top 10 for each posting, on the text the generator reads."""
    from embedtune.queries.offline.generate import _body
    from embedtune.queries.records import Posting

    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)  # type: ignore[attr-defined]
    out = []
    for i, r in enumerate(rows):
        body = _body(Posting(str(i), str(r["title"]), str(r["text"])))
        out.append([kw for kw, _ in extractor.extract_keywords(body)])
    return out


def timed(work: Callable[[], list[list[str]]]) -> tuple[list[list[str]], float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def score(
    rows: Sequence[dict[str, object]], picks: Sequence[Sequence[str]], k: int
) -> dict[str, object]:
    """Recall, false hits and precision per skill, and the glued share, for the top ``k``."""
    per_skill: dict[str, dict[str, float]] = {}
    for skill, (_, pattern) in SKILLS.items():
        pos = neg = tp = fp = 0
        for row, keys in zip(rows, picks, strict=True):
            flag = row["flags"][skill]  # type: ignore[index]
            hit = any(pattern.search(kp) for kp in keys[:k])
            pos += flag
            neg += 1 - flag
            tp += flag and hit
            fp += (not flag) and hit
        per_skill[skill] = {
            "flagged": pos,
            "recall": tp / pos if pos else 0.0,
            "false_hits": fp,
            "false_hit_rate": fp / neg if neg else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
        }
    phrases = [kp for keys in picks for kp in keys[:k]]
    glued = sum(is_glued(kp) for kp in phrases)
    strict = sum(is_glued(kp, strict=True) for kp in phrases)
    return {
        "skills": per_skill,
        "keyphrases": len(phrases),
        "glued": glued,
        "glued_share": glued / len(phrases) if phrases else 0.0,
        "glued_strict": strict,
        "glued_strict_share": strict / len(phrases) if phrases else 0.0,
    }


def in_text(rows: Sequence[dict[str, object]]) -> dict[str, dict[str, float]]:
    """How often the skill word stands in the text, for flagged and unflagged postings."""
    out = {}
    for skill, (_, pattern) in SKILLS.items():
        flagged = [r for r in rows if r["flags"][skill]]  # type: ignore[index]
        other = [r for r in rows if not r["flags"][skill]]  # type: ignore[index]
        out[skill] = {
            "flagged": sum(bool(pattern.search(str(r["text"]))) for r in flagged)
            / max(len(flagged), 1),
            "unflagged": sum(bool(pattern.search(str(r["text"]))) for r in other)
            / max(len(other), 1),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=None, help="first N distinct postings")
    parser.add_argument("--no-clean", action="store_true", help="raw descriptions, not cleaned")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    try:
        import yake
    except ImportError:
        print("note: yake is not installed (not a dependency); nothing measured.")
        return 0
    if not DATA.is_file():
        print(f"note: {DATA} is absent (a fresh clone has no ../shared); nothing measured.")
        return 0

    import torch

    from embedtune.models import load_model

    rows = load_postings(args.limit, clean=not args.no_clean)
    n = len(rows)
    start = time.perf_counter()
    model = load_model(MODEL, device="cpu")
    load_s = time.perf_counter() - start
    ours5, ours5_s = timed(lambda: run_ours(rows, model, 5))
    ours10, ours10_s = timed(lambda: run_ours(rows, model, 10))
    yk, yake_s = timed(lambda: run_yake(rows, yake))

    results = {
        "n_postings": n,
        "cleaned": not args.no_clean,
        "torch_threads": torch.get_num_threads(),
        "model_load_s": load_s,
        "in_text": in_text(rows),
        "per_100_s": {
            "ours_k5": 100 * ours5_s / n,
            "ours_k10": 100 * ours10_s / n,
            "yake_k10": 100 * yake_s / n,
        },
        "ours": {k: score(rows, ours5 if k == 5 else ours10, k) for k in KS},
        "yake": {k: score(rows, yk, k) for k in KS},
        "examples": {
            "ours_k10": ours10[:3],
            "yake_k10": yk[:3],
            "ours_glued": [kp for keys in ours10 for kp in keys if is_glued(kp)][:15],
            "yake_glued": [kp for keys in yk for kp in keys if is_glued(kp)][:15],
            "ours_glued_strict": [kp for ks in ours10 for kp in ks if is_glued(kp, strict=True)],
            "yake_glued_strict": [kp for ks in yk for kp in ks if is_glued(kp, strict=True)],
        },
    }
    args.out.write_text(json.dumps(results, indent=2))

    per_100 = results["per_100_s"]
    print(f"{n} distinct postings, cleaned={not args.no_clean}, model load {load_s:.1f} s")
    print(
        "\n| skill | flagged | in text | k | ours recall | YAKE recall | ours false hits "
        "(precision) | YAKE false hits (precision) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for skill in SKILLS:
        for k in KS:
            o = results["ours"][k]["skills"][skill]
            y = results["yake"][k]["skills"][skill]
            share = results["in_text"][skill]["flagged"]
            print(
                f"| {skill} | {o['flagged']} | {share:.0%} | {k} | {o['recall']:.1%} | "
                f"{y['recall']:.1%} | {o['false_hits']} ({o['precision']:.0%}) | "
                f"{y['false_hits']} ({y['precision']:.0%}) |"
            )
    print("\n| picker | k | glued (incl. CamelCase names) | glued, strict | s / 100 postings |")
    print("|---|---:|---:|---:|---:|")
    for k in KS:
        o, y = results["ours"][k], results["yake"][k]
        print(
            f"| ours | {k} | {o['glued']}/{o['keyphrases']} ({o['glued_share']:.1%}) | "
            f"{o['glued_strict']} ({o['glued_strict_share']:.1%}) | {per_100[f'ours_k{k}']:.2f} |"
        )
        print(
            f"| YAKE | {k} | {y['glued']}/{y['keyphrases']} ({y['glued_share']:.1%}) | "
            f"{y['glued_strict']} ({y['glued_strict_share']:.1%}) | {per_100['yake_k10']:.2f} (top 10) |"
        )
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
