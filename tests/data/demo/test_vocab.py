"""The demo's vocabulary files: read once, read-only, checked, and used by the demo alone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import embedtune
from embedtune._vocab import VocabularyFile
from embedtune.data import demo
from embedtune.data.demo import vocab
from embedtune.data.demo.vocab import (
    POSTING_SLOTS,
    PostingPhrases,
    QueryPhrases,
    RoleFamily,
    parse_vocabulary,
)
from embedtune.errors import EmbedtuneError

ROLE: dict[str, Any] = {
    "titles": ["Data Scientist"],
    "aliases": ["ds"],
    "teams": ["Data"],
    "missions": ["improve {problem}"],
    "duties": ["Model {problem}", "Explore {objects}", "Talk to {users}", "Ship it"],
    "requirements": ["Curiosity", "Rigor"],
    "experience": ["data science"],
    "skills": ["Python", "SQL", "statistics"],
    "extra_skills": ["Spark", "dbt"],
    "degrees": ["A degree"],
    "focuses": ["Pricing"],
}


def roles_file(**changes: Any) -> VocabularyFile:
    text = json.dumps({"_about": "test", "roles": {"ds": {**ROLE, **changes}}})
    return VocabularyFile.from_text("vocab/roles.json", text)


def parse_roles(file: VocabularyFile) -> Any:
    return parse_vocabulary(file, dict[str, RoleFamily], "roles")


def test_a_good_file_becomes_frozen_records() -> None:
    roles = parse_roles(roles_file(weight=2))
    assert roles["ds"].duties[0] == "Model {problem}"
    assert roles["ds"].weight == 2.0 and roles["ds"].salary_factor == 1.0
    with pytest.raises(AttributeError):
        roles["ds"].weight = 3.0


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (roles_file(skills=["Python", 3, "SQL"]), "'roles.ds.skills[1]' expected str, got 3"),
        (roles_file(duties=["Model {problem}"]), "'roles.ds' duties needs at least 4 entries"),
        (roles_file(teams=[]), "'roles.ds' teams is empty"),
        (roles_file(weight=0), "'roles.ds' weight and salary_factor must be positive"),
        (roles_file(missions=["fix {problm}"]), "unknown slots ['problm'] in 'fix {problm}'"),
        (roles_file(colour="red"), "'roles.ds' has unknown keys ['colour']"),
        (
            VocabularyFile.from_text("vocab/roles.json", '{"roles": {}}'),
            "'_about' is missing: one line that says what the file holds",
        ),
        (
            VocabularyFile.from_text("vocab/roles.json", '{"_about": "x", "role": {}}'),
            "'roles' must be the one entry besides _about, found ['role']",
        ),
    ],
)
def test_a_malformed_file_is_named_with_the_place(file: VocabularyFile, message: str) -> None:
    with pytest.raises(EmbedtuneError, match=re.escape(message)) as excinfo:
        parse_roles(file)
    assert "vocabulary file vocab/roles.json" in str(excinfo.value)
    assert excinfo.value.fix


def test_phrase_tables_need_every_mode_and_level() -> None:
    queries = json.loads(read_shipped("queries.json"))
    del queries["seniority"]["staff"]
    file = VocabularyFile.from_text("vocab/queries.json", json.dumps(queries))
    with pytest.raises(EmbedtuneError, match=re.escape("'top level' seniority lacks ['staff']")):
        parse_vocabulary(file, QueryPhrases)
    postings = json.loads(read_shipped("postings.json"))
    postings["skill_lines"]["5"] = ["{0}"]
    file = VocabularyFile.from_text("vocab/postings.json", json.dumps(postings))
    with pytest.raises(
        EmbedtuneError, match=re.escape("skill_lines must be keyed 1, 2, ... without gaps")
    ):
        parse_vocabulary(file, PostingPhrases)


def test_cross_file_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Role skills must be known skills; agencies' line numbers must exist in companies.json."""
    real_load = vocab._load

    def fake_load(name: str, annotation: Any, key: str | None = None) -> Any:
        if name == "roles.json":
            file = roles_file(skills=["Python", "SQL", "Cobol"])
            return file, parse_roles(file)
        if name == "channels.json":
            file, phrases = real_load(name, annotation, key)
            return file, type(phrases)(**{**vars(phrases), "recruiter_eeo_line": 99})
        return real_load(name, annotation, key)

    monkeypatch.setattr(vocab, "_load", fake_load)
    with pytest.raises(EmbedtuneError, match=re.escape("names skills ['Cobol'] that skills.json")):
        vocab.role_families.__wrapped__()
    with pytest.raises(EmbedtuneError, match="'recruiter_eeo_line' holds 99, not a line number"):
        vocab.channel_phrases.__wrapped__()


def read_shipped(name: str) -> str:
    return (Path(vocab.__file__).parent / "vocab" / name).read_text(encoding="utf-8")


def test_files_are_read_once_and_are_read_only() -> None:
    assert vocab.role_families() is vocab.role_families() is demo.ROLE_FAMILIES
    assert vocab.posting_phrases() is vocab.posting_phrases()
    with pytest.raises(TypeError):
        demo.SKILL_ALIASES["Cobol"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        demo.SENIORITY_YEARS["junior"] = (0, 1)  # type: ignore[index]


def test_shipped_files_fit_together() -> None:
    assert list(demo.SENIORITY_YEARS) == ["junior", "mid", "senior", "staff", "lead", "principal"]
    assert len(demo.ROLE_FAMILIES) >= 12 and len(demo.INDUSTRIES) >= 10
    for role in demo.ROLE_FAMILIES.values():
        assert set(role.skills + role.extra_skills) <= set(demo.SKILL_ALIASES)
    channels, companies = vocab.channel_phrases(), vocab.company_phrases()
    generic = [companies.eeo_lines[channels.recruiter_eeo_line]]
    generic += [companies.apply_lines[i] for i in channels.recruiter_apply_lines]
    assert not any("{company}" in line or "{email}" in line for line in generic)
    assert {"problem", "objects", "users", "team"} <= POSTING_SLOTS
    shipped = sorted(p.name for p in (Path(vocab.__file__).parent / "vocab").glob("*.json"))
    assert shipped == [
        "channels.json",
        "companies.json",
        "industries.json",
        "postings.json",
        "queries.json",
        "roles.json",
        "seniority.json",
        "skills.json",
    ]


def test_no_other_stage_reads_the_demo_vocabulary() -> None:
    """Kept apart on purpose: the cleaner and query generators are scored on the demo corpus."""
    package = Path(embedtune.__file__).parent
    demo_dir = package / "data" / "demo"
    readers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if demo_dir not in path.parents
        and re.search(r"embedtune\.data\.demo|data\.demo import|demo/vocab", path.read_text())
    )
    assert readers == ["data/load.py"]  # the `demo` source of `embedtune prepare`
