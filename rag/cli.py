"""The `rag` command: a thin face over the library. Each command maps onto one library function."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .config import Settings
from .errors import RagError

_folder = click.Path(file_okay=False, path_type=Path)


def folders(f: Callable[..., Any]) -> Callable[..., Any]:
    """--collection, --corpus and --index, on every command (also RAG_COLLECTION, RAG_CORPUS, RAG_INDEX)."""
    f = click.option("--index", "index_dir", type=_folder, help="Index folder (default: index/, or $RAG_INDEX).")(f)
    f = click.option(
        "--corpus", "corpus_dir", type=_folder, help="Articles folder (default: corpus/, or $RAG_CORPUS)."
    )(f)
    f = click.option(
        "--collection",
        "collection",
        help="A named collection: its own articles and index under collections/ (or $RAG_COLLECTIONS).",
    )(f)
    return f


def _settings(corpus_dir: Path | None, index_dir: Path | None, collection: str | None = None) -> Settings:
    return Settings.load(corpus_dir=corpus_dir, index_dir=index_dir, collection=collection)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rag-news")
def cli() -> None:
    """Ask questions about a folder of news articles; answers cite the passages they come from."""


@cli.command()
@click.argument("question")
@click.option("-k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve (default 5).")
@click.option("--source", help="Only articles from this outlet.")
@click.option("--after", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--before", help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option(
    "--mode",
    type=click.Choice(["auto", "fact", "explain", "list", "change", "who_says", "summarize", "yesno"]),
    default="auto",
    show_default=True,
    help="The kind of answer (auto: detected from the question).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@folders
def ask(
    question: str,
    k: int | None,
    source: str | None,
    after: str | None,
    before: str | None,
    mode: str,
    as_json: bool,
    corpus_dir: Path | None,
    index_dir: Path | None,
    collection: str | None,
) -> None:
    """Answer QUESTION from the articles, with numbered sources.

    Example usage:

        rag ask "How many Russian contractors are in Venezuela?"
        rag ask "Who backs Maduro?" --json
        rag ask "How did Russia's presence in Venezuela change?" --mode change
    """
    from .qa import LEFT_OUT, answer

    filters = {k_: v for k_, v in {"source": source, "after": after, "before": before}.items() if v}
    result = answer(
        question, k=k, filters=filters or None, mode=mode, settings=_settings(corpus_dir, index_dir, collection)
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(result.text)
    if result.citations:
        click.echo("\nSources:")
        for c in result.citations:
            sentence = c.text[c.support_start - c.start : c.support_end - c.start] or c.text
            click.echo(f"  [{c.n}] {c.title} ({c.source}, score {c.score:.2f})")
            click.echo(f'      "{" ".join(sentence.split())}"')
    elif result.related:
        click.echo("\nRelated reading (not sources):")
        shown: set[str] = set()
        for p in result.related:
            if p.source not in shown:  # each article once (several of its passages may be close)
                shown.add(p.source)
                click.echo(f"  - {p.title} ({p.source})")
    if result.unsupported:
        click.echo(f"\n{LEFT_OUT}: " + " | ".join(f"“{s}”" for s in result.unsupported))


@cli.command()
@click.option("--rebuild", is_flag=True, help="Start over instead of syncing.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Embed on a Ray cluster of N workers (server store only; RAY_ADDRESS joins a running cluster).",
)
@folders
def index(
    rebuild: bool, workers: int | None, corpus_dir: Path | None, index_dir: Path | None, collection: str | None
) -> None:
    """Build the index, or sync it with the articles folder (only new and changed articles are embedded).

    Example usage:

        rag index
        rag index --rebuild --corpus ~/news --index ~/news-index
        RAG_STORE=server rag index --workers 2
    """
    from .indexing import ProgressBar, sync_index

    progress = ProgressBar()
    settings = _settings(corpus_dir, index_dir, collection).replace(workers=workers)
    try:
        summary = sync_index(rebuild=rebuild, settings=settings, progress=progress)
    finally:
        progress.close()
    if summary.reason and summary.rebuilt and not rebuild and summary.reason != "no index yet":
        click.echo(f"Rebuilding: {summary.reason}", err=True)
    for s in summary.skipped:
        click.echo(f"skipped {s.path}: {s.reason}", err=True)
    click.echo(summary.line())
    from .models import embedder_name, languages

    click.echo(f"Languages: {embedder_name(settings.embedding_model)} reads {languages(settings)}.")


@cli.group(invoke_without_command=True)
@click.pass_context
def collections(ctx: click.Context) -> None:
    """List the collections (each its own articles and index), or create / delete one.

    Example usage:

        rag collections
        rag collections create climate && cp ~/cop28/*.txt collections/climate/corpus/ && rag index --collection climate
    """
    if ctx.invoked_subcommand is None:
        from .collections import list_collections

        for c in list_collections(Settings.load()):
            state = "indexed" if c.indexed else "not indexed yet"
            click.echo(f"{c.name}\t{c.files} files, {state}\t{c.corpus_dir}")


@collections.command(name="create")
@click.argument("name")
def collections_create(name: str) -> None:
    """Create an empty collection NAME (put articles in the corpus folder it prints)."""
    from .collections import create_collection

    info = create_collection(name, Settings.load())
    click.echo(f"Created {info.name}: add articles to {info.corpus_dir}, then run: rag index --collection {info.name}")


@collections.command(name="delete")
@click.argument("name")
@click.confirmation_option(prompt="Delete the collection's articles and index?")
def collections_delete(name: str) -> None:
    """Delete collection NAME: its articles and its index."""
    from .collections import delete_collection

    delete_collection(name, Settings.load())
    click.echo(f"Deleted {name}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface; 0.0.0.0 serves all interfaces.")
@click.option("--port", default=7860, show_default=True, type=int)
@folders
def serve(host: str, port: int, corpus_dir: Path | None, index_dir: Path | None, collection: str | None) -> None:
    """Run the web chat.

    Example usage:

        rag serve
        rag serve --port 8080
    """
    try:
        from ui.app import main as serve_main
    except ImportError as e:
        raise RagError(f"The web chat needs gradio ({e}); run: make install") from None
    serve_main(_settings(corpus_dir, index_dir, collection), host=host, port=port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface; 0.0.0.0 serves all interfaces.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Replica processes sharing the port."
)
@folders
def api(
    host: str, port: int, workers: int, corpus_dir: Path | None, index_dir: Path | None, collection: str | None
) -> None:
    """Serve the JSON API (POST /ask, GET /health) as WORKERS replicas behind one port.

    Example usage:

        rag api
        rag api --workers 2 --port 8080
        curl -s localhost:8000/ask -H 'content-type: application/json' -d '{"question": "Who backs Maduro?"}'
    """
    import os

    try:
        import uvicorn

        import ui.api  # noqa: F401  (each worker imports it by name; fail here, once, if it cannot)
    except ImportError as e:
        raise RagError(f"The API needs fastapi and uvicorn ({e}); run: make install") from None
    # every worker process builds its own Settings from the environment: hand the folders down that way
    for name, value in (("RAG_CORPUS", corpus_dir), ("RAG_INDEX", index_dir), ("RAG_COLLECTION", collection)):
        if value is not None:
            os.environ[name] = str(value)
    settings = Settings.load()  # a bad collection name or variable fails here, as one line
    click.echo(
        f"API on http://{host}:{port} ({workers} worker{'s' * (workers > 1)}, collection {settings.collection}: "
        f"{settings.index_dir}, store {settings.store}); Ctrl+C stops it.",
        err=True,
    )
    uvicorn.run("ui.api:create_app", factory=True, host=host, port=port, workers=workers)


@cli.command(name="eval")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the figures here as JSON."
)
@click.option("--limit", type=int, default=None, help="Only the first N queries (a quick slice).")
@click.option(
    "--answers/--no-answers", default=None, help="Also generate answers (default: only for question/answer sets)."
)
@folders
def eval_(
    path: Path,
    json_out: Path | None,
    limit: int | None,
    answers: bool | None,
    corpus_dir: Path | None,
    index_dir: Path | None,
    collection: str | None,
) -> None:
    """Measure retrieval (and answers) on a benchmark folder or a jsonl question set.

    Example usage:

        rag eval ../shared/eval-data/multihop-rag --json multihop.json
        rag eval tests/data/questions.jsonl
    """
    from .evaluate import run_eval

    run_eval(
        path, json_out=json_out, limit=limit, answers=answers, settings=_settings(corpus_dir, index_dir, collection)
    )


@cli.command()
@click.option(
    "--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the figures here as JSON."
)
@click.option("--quick", is_flag=True, help="Small sizes only (seconds, not minutes).")
@folders
def bench(
    json_out: Path | None, quick: bool, corpus_dir: Path | None, index_dir: Path | None, collection: str | None
) -> None:
    """Measure indexing throughput, retrieval and answer latency, cold start and memory.

    Example usage:

        rag bench --json bench/results/laptop-2core.json
    """
    from .bench import run_bench

    run_bench(json_out=json_out, quick=quick, settings=_settings(corpus_dir, index_dir, collection))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except RagError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
