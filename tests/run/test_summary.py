from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from embedtune.run import TUTORIAL_QUERY, RunConfig
from embedtune.run.pipeline import RunResult
from embedtune.run.summary import ExampleQuery, comparison_rows, example_query, summary_lines


def _both(ndcg: float, base: float) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"ndcg@10": ndcg, "recall@10": ndcg}, {"ndcg@10": base, "recall@10": base}


def _evaluation(*sets: str) -> dict[str, Any]:
    evaluation: dict[str, Any] = {"ndcg@10": 0.95, "recall@10": 0.99, "triplet_accuracy": 1.0}
    base: dict[str, Any] = {"ndcg@10": 0.92, "recall@10": 0.97, "triplet_accuracy": 0.99}
    for i, name in enumerate(sets):
        evaluation[name], base[name] = _both(0.3 + i / 10, 0.31)
    return {**evaluation, "compare": base, "warnings": []}


def _lines(tmp_path: Path, evaluation: dict[str, Any], **settings: Any) -> list[str]:
    config = RunConfig.from_dict({"out": tmp_path, **settings})
    result = RunResult(config, {"train": {"base_model": "b"}, "evaluate": evaluation})
    return summary_lines(result, [])


def test_honest_measures_lead_in_order_of_preference() -> None:
    rows = comparison_rows(_evaluation("general", "gold", "titles", "user"))
    assert [label for label, _, _ in rows] == [
        "nDCG@10, your queries",
        "Recall@10, your queries",
        "nDCG@10, test titles",
        "Recall@10, test titles",
        "nDCG@10, gold queries",
        "Recall@10, gold queries",
        "nDCG@10, general (BEIR)",
        "nDCG@10",
        "Recall@10",
        "triplet accuracy",
    ]


def test_summary_labels_the_generated_queries_as_a_health_check(tmp_path: Path) -> None:
    lines = _lines(tmp_path, _evaluation("titles"))
    text = "\n".join(lines)
    assert "no honest measure" not in text
    titles = next(i for i, line in enumerate(lines) if "nDCG@10, test titles" in line)
    check = next(i for i, line in enumerate(lines) if "health check" in line)
    assert titles < check
    assert (
        "generated queries (health check: written by the same generator the model trained on)"
        in (lines[check])
    )
    assert "0.300" in lines[titles] and "[red]" in lines[titles]  # 0.31 -> 0.30: worse, in red


def test_without_an_honest_measure_a_warning_says_how_to_get_one(tmp_path: Path) -> None:
    lines = _lines(tmp_path, _evaluation())
    warning = next(i for i, line in enumerate(lines) if "no honest measure" in line)
    assert "the model grading its own training generator's queries" in lines[warning]
    for way in ("--eval-queries", "title column", "--general"):
        assert way in lines[warning]
    assert warning < next(i for i, line in enumerate(lines) if line.strip().startswith("nDCG@10"))


def test_the_health_check_says_when_test_queries_were_trained_on(tmp_path: Path) -> None:
    config = RunConfig.from_dict({"out": tmp_path})
    for splits, said in ((["train"], False), (["train", "validation", "test"], True)):
        train = {"base_model": "b", "train_on": splits}
        lines = summary_lines(RunResult(config, {"train": train, "evaluate": _evaluation()}), [])
        check = next(line for line in lines if "health check" in line)
        assert ("test postings' queries were trained on too" in check) is said


def test_paired_queries_are_the_users_own(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("q,doc\na,b\n")
    text = "\n".join(
        _lines(tmp_path / "run", _evaluation(), pairs=pairs, query_column="q", text_column="doc")
    )
    assert "nDCG@10, your paired queries" in text
    assert "no honest measure" not in text and "health check" not in text


def test_triplets_of_hard_negatives_say_they_favour_the_base(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("q,doc\na,b\n")
    settings = {"pairs": pairs, "query_column": "q", "text_column": "doc"}
    hard = _lines(tmp_path / "hard", _evaluation(), **settings)
    row = next(line for line in hard if line.strip().startswith("triplet accuracy"))
    assert "the base mined" in row and "0.990" in row  # shown for pairs too, with the reason
    easy = _lines(tmp_path / "easy", _evaluation(), negatives="least-similar", **settings)
    assert not any("triplet accuracy" in line for line in easy)  # paired, easy: as before
    corpus = _lines(tmp_path / "corpus", _evaluation(), negatives="least-similar")
    row = next(line for line in corpus if line.strip().startswith("triplet accuracy"))
    assert "mined" not in row


def _write_queries(folder: Path, *texts: str) -> None:
    folder.mkdir(parents=True)
    lines = [json.dumps({"_id": f"q{i}", "text": t}) for i, t in enumerate(texts)]
    (folder / "queries.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "notes.csv"
    path.write_text("title,text\nA,b\n")
    return path


def test_example_query_prefers_the_flag_then_the_users_queries(
    tmp_path: Path, corpus: Path
) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("query,id\nfever in children,7\n")
    settings = {"out": tmp_path / "run", "corpus": corpus, "eval_queries": mine}
    assert example_query(RunConfig.from_dict({**settings, "query": "x"})) == ExampleQuery(
        "x", "flag"
    )
    chosen = example_query(RunConfig.from_dict(settings))
    assert chosen == ExampleQuery("fever in children", "eval_queries")
    demo = RunConfig.from_dict({"out": tmp_path / "demo", "eval_queries": mine})
    assert example_query(demo) == chosen  # the user's queries win on the demo too


def test_example_query_from_the_data_when_none_is_given(tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "run"
    config = RunConfig.from_dict({"out": out, "corpus": corpus})
    assert config.query is None  # no tutorial query on a corpus that is not the demo
    assert example_query(config) is None  # nothing prepared yet
    _write_queries(out / "data" / "ir" / "test", "credit models generated")
    generated = example_query(config)
    assert generated == ExampleQuery("credit models generated", "generated")
    assert generated is not None and "not a user's" in generated.label
    _write_queries(out / "data" / "ir" / "test-titles", "pediatric nurse", "cook")
    assert example_query(config) == ExampleQuery("pediatric nurse", "test_title")
    demo = RunConfig.from_dict({"out": tmp_path / "demo"})
    assert example_query(demo) == ExampleQuery(TUTORIAL_QUERY, "demo")  # `make demo` shows it


def test_example_query_of_pairs_is_the_users_own(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("query,text\nnight nurse,Cares for patients\n")
    out = tmp_path / "run"
    config = RunConfig.from_dict({"out": out, "pairs": pairs, "query_column": "query"})
    _write_queries(out / "data" / "ir" / "test", "night nurse")
    chosen = example_query(config)
    assert chosen == ExampleQuery("night nurse", "pairs")  # not labelled as generated
    assert chosen is not None and chosen.label == "a held-back query of your --pairs"


def test_summary_names_where_the_example_query_came_from(tmp_path: Path, corpus: Path) -> None:
    config = RunConfig.from_dict({"out": tmp_path / "run", "corpus": corpus})
    result = RunResult(config, {"evaluate": _evaluation()})
    hits = [{"score": 0.5, "title": "Nurse"}]
    lines = summary_lines(result, hits, example=ExampleQuery("nurse", "test_title"))
    assert 'Search (a held-back test posting\'s title): "nurse"' in lines
    flagged = RunConfig.from_dict({"out": tmp_path / "run", "corpus": corpus, "query": "cook"})
    assert 'Search: "cook"' in summary_lines(RunResult(flagged, {}), hits)


def test_known_queries_of_the_index_are_reported(tmp_path: Path) -> None:
    config = RunConfig.from_dict({"out": tmp_path})
    index = {
        "known_queries": 120,
        "known_queries_added": 120,
        "known_queries_unknown_ids": 0,
        "known_choice": {
            "weight": 0.7,
            "held_out_queries": 12,
            "ndcg@10": {"0.0": 0.41, "0.3": 0.5, "0.5": 0.55, "0.7": 0.6, "1.0": 0.52},
        },
    }
    result = RunResult(config, {"train": {}, "evaluate": _evaluation(), "index": index})
    line = next(line for line in summary_lines(result, []) if "Known queries" in line)
    assert "120 (120 added); weight 0.7, chosen on 12 held-out known queries" in line
    assert "0.410 without them, 0.600 with" in line
    index["known_choice"] = {**index["known_choice"], "weight": 0.0}
    result = RunResult(config, {"train": {}, "evaluate": _evaluation(), "index": index})
    line = next(line for line in summary_lines(result, []) if "Known queries" in line)
    assert "weight 0.0 (off: on 12 held-out known queries they lifted nothing" in line


def test_the_lexical_weight_of_the_index_is_reported(tmp_path: Path) -> None:
    config = RunConfig.from_dict({"out": tmp_path})
    lexical = {
        "weight": 0.1,
        "held_out_queries": 30,
        "ndcg@10": {"0.0": 0.4, "0.1": 0.45, "0.2": 0.44, "0.3": 0.42, "0.5": 0.3},
        "reason": "best on held-out known queries",
    }
    result = RunResult(config, {"evaluate": _evaluation(), "index": {"lexical": lexical}})
    lines = summary_lines(result, [])
    assert (
        "index: Words (BM25): weight 0.1, chosen on 30 held-out known queries "
        "(nDCG@10 0.400 without, 0.450 with)"
    ) in lines
    plain = {"lexical": {"weight": 0.2, "reason": "the default (no known queries to choose on)"}}
    result = RunResult(config, {"evaluate": _evaluation(), "index": plain})
    assert "index: Words (BM25): weight 0.2 (the default (no known queries to choose on))" in (
        summary_lines(result, [])
    )
