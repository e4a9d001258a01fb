"""How well the role read from a description matches the posting's real title.

    .venv/bin/python benchmarks/role_inference.py [--no-clean] [--misses 15]
    .venv/bin/python benchmarks/role_inference.py --places 20

For each shared dataset (description and title columns), the rows are split into two seeded
halves: ``dev`` (looked at while writing the cues and word lists of
``queries/offline/roles.json``) and ``held-out`` (not looked at). ``infer_role`` reads only the
description, cleaned as ``embedtune prepare`` cleans it unless ``--no-clean``. Both the guess and
the real title are normalised the same way: cut after the job noun (so "Staff Nurse Fife" is
"staff nurse"), parsed like a title (level, brackets and numbers dropped), lower-cased, plurals
made singular. Prints one Markdown table and the first ``--misses`` misses of each held-out
(or ``--misses-from dev``) half (dataset, row, real title, guess, evidence), never the description text.

- exact: the normalised guess equals the normalised title (no guess counts as a miss);
- head: the same last word (the job noun: "nurse" for "staff nurse" and "registered nurse");
- F1: mean token F1 of the normalised forms (0 without a guess);
- coverage: postings with a guess; the rest fall back to keyphrase queries.

``--places N`` instead reads the town of each posting (``find_place``, with the corpus's own
lower-case words) and prints how many postings have one, how many of those have the town in
their real title (job boards put it there: "Staff Nurse Bagshot"), and N seeded examples (town,
real title). A town missing from the title is not a wrong town: judge the examples.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from embedtune.data.clean import clean_posting
from embedtune.queries.offline.infer import RoleGuess, infer_role, role_in, singular
from embedtune.queries.offline.role import parse_title

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATASETS = {
    "linkedin": (SHARED / "linkedin_jobs_2024" / "postings_sample.csv", "title", "description"),
    "adzuna": (SHARED / "adzuna_uk_jobs" / "Train_rev1_first2499.csv", "Title", "FullDescription"),
    "glassdoor": (
        SHARED / "glassdoor_ds_jobs" / "glassdoor_jobs.csv",
        "Job Title",
        "Job Description",
    ),
}
SEED = 0


def halves(n: int, seed: int = SEED) -> dict[str, list[int]]:
    """Row numbers of the ``dev`` and ``held-out`` halves, seeded."""
    rows = list(range(n))
    random.Random(seed).shuffle(rows)
    return {"dev": sorted(rows[: n // 2]), "held-out": sorted(rows[n // 2 :])}


def normalise(role: str) -> tuple[str, ...]:
    """A role or title as comparable words: cut after its job noun, parsed, singular, lower."""
    cut = role_in(re.findall(r"[\w'&+#-]+", role), capitalised=False) or role
    return tuple(singular(w).lower().strip(".'") for w in parse_title(cut).name.split())


def token_f1(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = Counter(a), Counter(b)
    common = sum((a & b).values())
    if not common:
        return 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return 2 * p * r / (p + r)


def score(titles: list[str], guesses: list[RoleGuess | None]) -> dict[str, float]:
    exact = head = f1 = covered = 0.0
    for title, guess in zip(titles, guesses, strict=True):
        if guess is None:
            continue
        covered += 1
        want, got = normalise(title), normalise(guess.role)
        exact += want == got
        head += bool(want and got) and want[-1] == got[-1]
        f1 += token_f1(want, got)
    n = len(titles)
    return {"n": n, "exact": exact / n, "head": head / n, "f1": f1 / n, "coverage": covered / n}


def examples(n: int, *, clean: bool) -> None:
    """Markdown rows: dataset, row, real title, inferred role, the 3 queries of a title-less posting.

    The first postings of each held-out half, every seventh row; the descriptions are not shown.
    """
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.models.registry import load_model
    from embedtune.queries.offline import OfflineQueryConfig, generate_offline_queries
    from embedtune.queries.records import Posting

    encoder = SentenceTransformerEncoder(load_model("all-MiniLM-L6-v2", device="cpu"))
    config = OfflineQueryConfig(per_posting=3)
    print("| dataset | row | real title | inferred role (evidence) | queries (no title given) |")
    print("|---|---:|---|---|---|")
    for name, (path, title_col, text_col) in DATASETS.items():
        frame = pd.read_csv(path)
        picked = halves(len(frame))["held-out"][::7][: n // len(DATASETS)]
        postings = []
        for i in picked:
            text = str(frame[text_col][i]) if pd.notna(frame[text_col][i]) else ""
            postings.append(Posting(f"{name}-{i}", "", clean_posting(text).text if clean else text))
        records = generate_offline_queries(postings, encoder, config)
        for i, posting in zip(picked, postings, strict=True):
            guess = infer_role(posting.text)
            role = f"{guess.parsed().name} ({guess.evidence})" if guess else "none: keyphrases"
            queries = "; ".join(r.query for r in records if r.posting_id == posting.id)
            title = str(frame[title_col][i]).replace("|", "/")
            print(f"| {name} | {i} | {title} | {role} | {queries} |")


def places(n: int, *, clean: bool) -> None:
    """Markdown: per dataset, postings with a town, and how many titles name it; N examples."""
    from embedtune.queries.offline.place import find_place, lowercase_words

    print("| dataset | postings | with a town | town in the real title |")
    print("|---|---:|---:|---:|")
    shown = []
    for name, (path, title_col, text_col) in DATASETS.items():
        frame = pd.read_csv(path)
        titles = frame[title_col].fillna("").astype(str).tolist()
        texts = frame[text_col].fillna("").astype(str).tolist()
        if clean:
            texts = [clean_posting(t).text for t in texts]
        common = lowercase_words(texts)
        found = {i: p for i, t in enumerate(texts) if (p := find_place(t, common))}
        in_title = sum(p in titles[i].lower() for i, p in found.items())
        total = len(texts)
        print(
            f"| {name} | {total} | {len(found)} ({len(found) / total:.0%}) | "
            f"{in_title} ({in_title / max(len(found), 1):.0%} of those) |"
        )
        for i in random.Random(SEED).sample(sorted(found), min(n, len(found))):
            shown.append(f"- {name} row {i}: {found[i]!r}, title {titles[i]!r}")
    print()
    print("\n".join(shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-clean", action="store_true", help="read the raw descriptions")
    parser.add_argument("--misses", type=int, default=15, help="misses to print per dataset")
    parser.add_argument(
        "--examples",
        type=int,
        default=0,
        help="instead: a table of N held-out postings (N/3 a dataset) with their queries",
    )
    parser.add_argument(
        "--misses-from", choices=("dev", "held-out"), default="held-out", help="half of the misses"
    )
    parser.add_argument(
        "--places", type=int, default=0, help="instead: town finding, with N examples a dataset"
    )
    args = parser.parse_args()
    if args.places:
        places(args.places, clean=not args.no_clean)
        return
    if args.examples:
        examples(args.examples, clean=not args.no_clean)
        return
    rows, misses = [], []
    for name, (path, title_col, text_col) in DATASETS.items():
        frame = pd.read_csv(path)
        titles = frame[title_col].fillna("").astype(str).tolist()
        texts = frame[text_col].fillna("").astype(str).tolist()
        if not args.no_clean:
            texts = [clean_posting(t).text for t in texts]
        guesses = [infer_role(t) for t in texts]
        for half, picked in halves(len(frame)).items():
            result = score([titles[i] for i in picked], [guesses[i] for i in picked])
            evidence = Counter(guesses[i].evidence for i in picked if guesses[i])
            rows.append((name, half, result, evidence))
            if half != args.misses_from:
                continue
            for i in picked:
                guess = guesses[i]
                got = normalise(guess.role) if guess else ()
                shown = sum(m[0] == name for m in misses)
                if got != normalise(titles[i]) and shown < args.misses:
                    misses.append((name, i, titles[i], guess))
    print("| dataset | half | postings | exact | head noun | token F1 | coverage | evidence |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name, half, r, evidence in rows:
        ev = ", ".join(f"{k} {v}" for k, v in evidence.most_common())
        print(
            f"| {name} | {half} | {r['n']:.0f} | {r['exact']:.3f} | {r['head']:.3f} | "
            f"{r['f1']:.3f} | {r['coverage']:.3f} | {ev} |"
        )
    print()
    for name, row, title, guess in misses:
        shown = f"{guess.role!r} ({guess.evidence})" if guess else "no guess"
        print(f"- {name} row {row}: title {title!r}, guess {shown}")


if __name__ == "__main__":
    main()
