"""`embedtune index`, `embedtune search` and `embedtune serve`: build, query and serve an index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from embedtune._io import iter_lines
from embedtune.cli.app import _split_list, app, on_interrupt
from embedtune.cli.options import (
    Encoding,
    IdColumn,
    IndexFolder,
    JsonOutput,
    Overwrite,
    QueryModel,
    TextColumn,
    TitleColumn,
)
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
    text_column: TextColumn = None,
    title_column: TitleColumn = None,
    id_column: IdColumn = None,
    encoding: Encoding = "utf-8",
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
    overwrite: Overwrite = False,
    update: Annotated[
        bool,
        typer.Option(help="Add the corpus to the existing index at --out, replacing same ids."),
    ] = False,
    delete: Annotated[
        str | None,
        typer.Option(help="Remove these ids (comma-separated, or @FILE with one per line)."),
    ] = None,
    known_queries: Annotated[
        str | None,
        typer.Option(
            help="Keep these (query, posting id) pairs beside the postings as a second way into "
            "them: a table with 'query' and 'id' columns (your pairs, or searches with the "
            "posting clicked). With --update and no --corpus, only adds them."
        ),
    ] = None,
    known_weight: Annotated[
        float | None,
        typer.Option(
            help="How much a known query lifts its posting, 0-1 (default: chosen on a tenth of "
            "the known queries held out)."
        ),
    ] = None,
    lexical_weight: Annotated[
        float | None,
        typer.Option(
            help="How much words shared with a posting (BM25) add to its score, 0-1; 0 searches "
            "by vectors alone (default: chosen on held-out known queries when there are any, "
            "else 0.2; --update keeps the index's; --update --lexical-weight A alone sets it)."
        ),
    ] = None,
    json_output: JsonOutput = False,
) -> None:
    """Embed a corpus with a model and store it in a persistent, searchable index."""
    from embedtune.cli.reporting import RichReporter, emit_json, stdout, table
    from embedtune.index import IndexConfig, add_known_to_index, build_index, delete_postings
    from embedtune.index.build import set_lexical_weight
    from embedtune.index.known import known_line
    from embedtune.index.lexical import lexical_line

    report: dict[str, Any] = {}
    if delete is not None:
        ids = _ids(delete)
        report["delete"] = delete_postings(out, ids)
    if corpus is None and known_queries is None and update and lexical_weight is not None:
        report["lexical"] = set_lexical_weight(out, lexical_weight)
    elif corpus is None and known_queries is not None and update:
        if model is None:
            raise EmbedtuneError(
                "--model is needed to encode known queries",
                fix="pass the model that built the index, e.g. --model runs/model",
            )
        report.update(
            add_known_to_index(
                out,
                model,
                known_queries,
                weight=known_weight,
                lexical_weight=lexical_weight,
                reporter=RichReporter(),
            )
        )
    elif corpus is not None or delete is None:
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
            encoding=encoding,
            known_queries=known_queries,
            known_weight=known_weight,
            lexical_weight=lexical_weight,
        )
        on_interrupt(
            (lambda: "rerun the same command to finish: postings are replaced by id")
            if update
            else (lambda: f"nothing was written to {out}; rerun the same command to start again")
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
        if d.get("repeats_removed"):
            stdout.print(f"Repaired: removed {d['repeats_removed']} repeated rows of ids")
    if "postings" in report:
        ann = report["ann"]
        stdout.print(
            table(
                "Index",
                [
                    ("postings", report["postings"]),
                    ("written now", report["written"]),
                    ("skipped (repeated id or empty)", report["skipped_repeats_or_empty"]),
                    *(
                        [("repaired: repeated rows removed", report["repeats_removed"])]
                        if report.get("repeats_removed")
                        else []
                    ),
                    ("model", report["model"]["name"]),
                    ("dimension", report["model"]["dimension"]),
                    ("search", f"{ann['type']} ANN" if ann else "exact"),
                    ("size on disk", f"{report['size_bytes'] / 1e6:.1f} MB"),
                ],
            )
        )
        stdout.print(f"[bold]Saved[/] {report['out']} in {report['seconds']} s")
    if "known_queries" in report:
        stdout.print(known_line(report))
    if report.get("lexical"):
        stdout.print(lexical_line(report["lexical"]))


def _ids(value: str) -> list[str]:
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise EmbedtuneError(f"{path} does not exist", fix="pass @FILE with one id per line")
        return [line.strip() for line in iter_lines(path) if line.strip()]
    return list(_split_list(value))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, e.g. 'ml engineer, LLMs'.")],
    index: IndexFolder,
    k: Annotated[int, typer.Option("-k", "--k", help="How many postings to show (1-100).")] = 10,
    model: QueryModel = None,
    filter: Annotated[
        list[str] | None,
        typer.Option("--filter", help="KEY=VALUE metadata filter (VALUE may be a,b); repeatable."),
    ] = None,
    json_output: JsonOutput = False,
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
    index: IndexFolder,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 exposes the service to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    api_key: Annotated[
        str | None,
        typer.Option(
            help="Require this key in the X-API-Key header. Prefer $EMBEDTUNE_API_KEY: a key on "
            "the command line shows in `ps`. An empty key is refused."
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Also answer requests for this host name (the name clients or a reverse proxy "
            "use; *.example.com for subdomains, * for any); repeatable. Loopback names, IP "
            "addresses and --host are always answered.",
        ),
    ] = None,
    model: QueryModel = None,
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
    import embedtune.serve
    from embedtune.cli.reporting import stderr
    from embedtune.serve.settings import ServeSettings, open_searcher

    settings = ServeSettings.resolve(
        host=host, port=port, api_key=api_key, allowed_hosts=allowed_host, threads=threads
    )
    searcher = open_searcher(
        index,
        settings,
        model=model,
        query_encoder=query_encoder,  # type: ignore[arg-type]
    )
    for line in settings.banner(searcher.info()["postings"]):
        stderr.print(line)
    embedtune.serve.serve(
        searcher,
        host=settings.host,
        port=settings.port,
        api_key=settings.api_key,
        allowed_hosts=list(settings.allowed_hosts),
    )
