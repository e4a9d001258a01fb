"""A built-in demo corpus: synthetic AI and data job postings with gold search queries.

`generate_demo_corpus` writes postings the way job boards actually serve them: role content
(an intro, responsibilities, requirements, nice-to-haves, sometimes a tech-stack line) wrapped in
boilerplate a cleaner has to remove (company blurbs, benefits, pay-transparency and
equal-opportunity statements, application instructions, recruiter and aggregator preambles), in
HTML, markdown-ish or plain text, with the odd non-breaking or zero-width space. Companies post
several roles with the same boilerplate, and some postings are reposted with small edits, so
cleaning and near-duplicate detection have something real to do.

Every original posting gets one or two short, human-style search queries built from its facets
(role, seniority, skills, industry, location), phrased with synonyms rather than copied from the
text ("sr mle torch fintech remote"); they are the gold labels for retrieval benchmarks.

All text is written for embedtune; nothing is copied from real postings, and company, agency and
board names are invented. Only a local `random.Random(seed)` is used: the same seed gives the same
corpus.

The package, one concept a module, in the order a posting is made: `vocab` (the word lists,
JSON files in `vocab/`, read once into frozen records by `schema`), `companies`, `originals`
(a posting's facts and slots), `sections` (role content and boilerplate), `reposts`, `render`,
`queries` (gold queries) and `corpus` (the entry point); `drafts` holds the records they pass on.

Vocabularies kept apart on purpose (a generator must not be scored on its own words; see also
`embedtune._vocab`, which lists every vocabulary file):

- The demo's words are read by the demo alone. The boilerplate cues of `embedtune.data.clean`
  and the keyphrase and template words of `embedtune.queries` are written separately and must
  never load these files: the cleaner and the offline query generator are measured on this
  corpus, and rules made from the generator's own phrases would score themselves.
- Within the demo, search-box words (``queries.json``, and the ``aliases`` of roles, industries
  and skills) are kept apart from posting phrasing (``postings.json``, ``companies.json``,
  ``channels.json``), so a gold query paraphrases its posting instead of quoting it.

>>> corpus = generate_demo_corpus(20, seed=1)
>>> len(corpus.postings)  # 20 originals + round(0.08 * 20) reposts
22
>>> sorted(corpus.postings[0])
['company', 'description', 'id', 'industry', 'location', 'repost_of', 'seniority', 'skills', 'title']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from embedtune.data.demo.corpus import DemoCorpus, generate_demo_corpus
from embedtune.data.demo.vocab import (
    Industry,
    RoleFamily,
    industries,
    levels,
    role_families,
    skill_aliases,
)
from embedtune.data.facets import Seniority

__all__ = [
    "INDUSTRIES",
    "ROLE_FAMILIES",
    "SENIORITY_YEARS",
    "SKILL_ALIASES",
    "DemoCorpus",
    "Industry",
    "RoleFamily",
    "generate_demo_corpus",
]

# Read-only views of the vocabulary files, in file order.
SKILL_ALIASES: Mapping[str, tuple[str, ...]] = skill_aliases()
ROLE_FAMILIES: Mapping[str, RoleFamily] = role_families()
INDUSTRIES: Mapping[str, Industry] = industries()
SENIORITY_YEARS: Mapping[Seniority, tuple[int, int]] = MappingProxyType(
    {name: level.years for name, level in levels().items()}
)
