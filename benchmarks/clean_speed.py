"""How long cleaning takes: the real Glassdoor postings, and markup that once went quadratic.

    .venv/bin/python benchmarks/clean_speed.py

Prints one Markdown table: seconds (best of ``--repeat`` runs) to ``clean_posting`` the distinct
(description, company) pairs of each shared Glassdoor corpus, and to ``strip_markup`` a text of
6,000 unclosed ``<`` (html.parser alone rescans each unfinished tag and needs seconds for it).
These timings used to be test assertions; tests now check the behaviour that keeps them low
(tests/data/test_clean.py: stray ``<`` reach the parser escaped).
"""

from __future__ import annotations

import argparse
import csv
import platform
import time
from collections.abc import Callable
from pathlib import Path

from embedtune.data.clean import clean_posting, strip_markup

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPORA = {
    "glassdoor_jobs.csv": SHARED / "glassdoor_ds_jobs" / "glassdoor_jobs.csv",
    "Uncleaned_DS_jobs.csv": SHARED / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv",
}
UNCLOSED = "x<y and <5 years " * 3000


def distinct_postings(path: Path) -> list[tuple[str, str]]:
    """Distinct (description, company) pairs: both corpora hold many reposts."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["Job Description"], row["Company Name"]) for row in csv.DictReader(handle)]
    return list(dict.fromkeys(rows))


def best_seconds(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the best is shown")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print("| input | items | seconds |")
    print("|---|---:|---:|")
    for name, path in CORPORA.items():
        if not path.is_file():
            print(f"| {name} | (not found: {path}) | |")
            continue
        postings = distinct_postings(path)
        seconds = best_seconds(
            lambda postings=postings: [clean_posting(t, company=c) for t, c in postings],
            args.repeat,
        )
        print(f"| {name} | {len(postings):,} postings | {seconds:.2f} |")
    seconds = best_seconds(lambda: strip_markup(UNCLOSED), args.repeat)
    print(f"| strip_markup, unclosed `<` | {UNCLOSED.count('<'):,} brackets | {seconds:.3f} |")


if __name__ == "__main__":
    main()
