"""`embedtune index`, `embedtune search` and `embedtune serve`: build, query and serve an index."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from embedtune.cli.app import _split_list, app
from embedtune.errors import EmbedtuneError


def _filters(values: list[str] | None) -> dict[str, Any] | None:
    """``--filter location=Remote --filter seniority=senior,lead`` -> equality filters."""
    if not values:
        return None
    out: dict[str, Any] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EmbedtuneError(
                f"--filter {item!r} is not KEY=VALUE", fix="use e.g. --filter location=Remote"
            )
        parts = _split_list(value)
        out[key.strip()] = list(parts) if len(parts) > 1 else value.strip()
    return out


@app.command()
def index(
    out: Annotated[Path, typer.Option("--out", help="Index folder (written atomically).")],
    model: Annotated[
        str | None,
        typer.Option(
            help="Model folder or name that embeds the postings (needed unless --delete)."
        ),
    ] = None,
    corpus: Annotated[
        str | None,
        typer.Option(
            help="A CSV/TSV, JSONL or Parquet file, a folder from `embedtune prepare`, a saved "
            "dataset folder, or 'demo'."
        ),
    ] = None,
    text_column: Annotated[
        str | None, typer.Option(help="Column with the posting text (guessed if unset).")
    ] = None,
    title_column: Annotated[
        str | None, typer.Option(help="Column with the job title (guessed if unset).")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="Column with unique ids (content hashes if unset).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Texts per encoding batch.")] = 64,
    chunk_size: Annotated[
        int, typer.Option(help="Postings read, encoded and written at a time (bounds memory).")
    ] = 2048,
    ann_threshold: Annotated[
        int, typer.Option(help="Build an IVF-PQ index from this many postings (exact below).")
    ] = 50_000,
    devices: Annotated[
        str | None,
        typer.Option(
            help="Encode with one process per device, e.g. 'cuda:0,cuda:1' or 'cpu,cpu' "
            "(default: every GPU when there are several, else one process on all cores)."
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    update: Annotated[
        bool,
        typer.Option(help="Add the corpus to the existing index at --out, replacing same ids."),
    ] = False,
    delete: Annotated[
        str | None,
        typer.Option(help="Remove these ids (comma-separated, or @FILE with one per line)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object on stdout.")
    ] = False,
) -> None:
    """Embed a corpus with a model and store it in a persistent, searchable index."""
    from embedtune.cli.reporting import RichReporter, emit_json, stdout, table
    from embedtune.index import IndexConfig, build_index, delete_postings

    report: dict[str, Any] = {}
    if delete is not None:
        ids = _ids(delete)
        report["delete"] = delete_postings(out, ids)
    if corpus is not None or delete is None:
        if model is None or corpus is None:
            raise EmbedtuneError(
                "--model and --corpus are needed to build or update an index",
                fix="pass e.g. --model runs/model --corpus jobs.csv",
            )
        config = IndexConfig(
            model=model,
            corpus=corpus,
            out=out,
            text_column=text_column,
            title_column=title_column,
            id_column=id_column,
            batch_size=batch_size,
            chunk_size=chunk_size,
            ann_threshold=ann_threshold,
            devices=_split_list(devices),
            overwrite=overwrite,
            update=update,
        )
        report.update(build_index(config, reporter=RichReporter()))
    if json_output:
        emit_json(report)
        return
    if "delete" in report:
        d = report["delete"]
        stdout.print(
            f"Deleted {d['deleted']} of {d['requested']} ids; {d['postings']} postings left"
        )
    if "postings" in report:
        ann = report["ann"]
        stdout.print(
            table(
                "Index",
                [
                    ("postings", report["postings"]),
                    ("written now", report["written"]),
                    ("skipped (repeated id or empty)", report["skipped_repeats_or_empty"]),
                    ("model", report["model"]["name"]),
                    ("dimension", report["model"]["dimension"]),
                    ("search", f"{ann['type']} ANN" if ann else "exact"),
                    ("size on disk", f"{report['size_bytes'] / 1e6:.1f} MB"),
                ],
            )
        )
        stdout.print(f"[bold]Saved[/] {report['out']} in {report['seconds']} s")


def _ids(value: str) -> list[str]:
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise EmbedtuneError(f"{path} does not exist", fix="pass @FILE with one id per line")
        return [
            line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    return list(_split_list(value))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, e.g. 'ml engineer, LLMs'.")],
    index: Annotated[Path, typer.Option("--index", help="Index folder from `embedtune index`.")],
    k: Annotated[int, typer.Option("-k", "--k", help="How many postings to show (1-100).")] = 10,
    model: Annotated[
        str | None,
        typer.Option(help="Model to query with (default: the one that built the index)."),
    ] = None,
    filter: Annotated[
        list[str] | None,
        typer.Option("--filter", help="KEY=VALUE metadata filter (VALUE may be a,b); repeatable."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the hits as one JSON object on stdout.")
    ] = False,
) -> None:
    """Ranked postings for a query: title, score and a snippet."""
    from rich.text import Text

    from embedtune.cli.reporting import emit_json, stdout
    from embedtune.index import Searcher
    from embedtune.index.search import check_k

    check_k(k)
    hits = Searcher.open(index, model=model).search(query, k, _filters(filter))
    if json_output:
        emit_json({"query": query, "k": k, "hits": [h.to_dict() for h in hits]})
        return
    if not hits:
        stdout.print("No postings match.")
    for hit in hits:
        title = Text(f"{hit.rank:>2}. ", style="bold")
        title.append(_marked(hit.title or "(untitled)", hit.title_highlights, "bold"))
        title.append(f"  {hit.score:.3f}  ", style="dim")
        title.append(hit.id, style="dim")
        stdout.print(title)
        snippet = Text("    ")
        snippet.append(_marked(hit.snippet, hit.highlights, ""))
        stdout.print(snippet)


def _marked(text: str, spans: list[tuple[int, int]], style: str) -> Any:
    from rich.text import Text

    out = Text(text, style=style)
    for a, b in spans:
        out.stylize("bold yellow", a, b)
    return out


@app.command()
def serve(
    index: Annotated[Path, typer.Option("--index", help="Index folder from `embedtune index`.")],
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 exposes the service to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    api_key: Annotated[
        str | None,
        typer.Option(
            help="Require this key in the X-API-Key header (default: $EMBEDTUNE_API_KEY, if set)."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="Model to query with (default: the one that built the index)."),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            help="Torch threads for query encoding (default: cores - 1, leaving one for HTTP)."
        ),
    ] = None,
    query_encoder: Annotated[
        str,
        typer.Option(
            help="Encode queries with torch, or with the model's ONNX export: onnx (fp32) or "
            "onnx-int8 (needs embedtune\\[onnx] and `embedtune export --model MODEL`)."
        ),
    ] = "torch",
) -> None:
    """Serve the index: JSON API (/search, /retrieve, /health, /docs) and a search page at /."""
    from embedtune.cli.reporting import stderr
    from embedtune.index import Searcher
    from embedtune.serve import serve as run_server

    if not 0 < port < 65536:
        raise EmbedtuneError(f"--port {port} is out of range", fix="use 1-65535, e.g. 8000")
    if threads is not None and threads < 1:
        raise EmbedtuneError(f"--threads {threads} is below 1", fix="pass 1 or more")
    key = api_key or os.environ.get("EMBEDTUNE_API_KEY") or None
    import torch

    threads = threads or max(1, (os.cpu_count() or 2) - 1)
    torch.set_num_threads(threads)
    searcher = Searcher.open(
        index,
        model=model,
        query_encoder=query_encoder,  # type: ignore[arg-type]
        threads=threads,
    )
    info = searcher.info()
    stderr.print(
        f"Serving {info['postings']} postings on http://{host}:{port}/ "
        f"(API docs at /docs{', API key required' if key else ''}); Ctrl+C to stop"
    )
    run_server(searcher, host=host, port=port, api_key=key)
