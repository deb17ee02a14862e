"""Commands that run the pipeline: ``telefeed run``, ``telefeed backfill``, ``telefeed serve``."""

from __future__ import annotations

import importlib.util
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from telefeed.cli_common import (
    EXIT_FAILED,
    EXIT_OK,
    SinceOption,
    SourcesOption,
    UntilOption,
    WarehouseOption,
    console,
    fail,
    parse_date,
    resolve_paths,
)
from telefeed.config import ConfigError

SCALE_MODULES = ("prefect_dask", "distributed")  # what `run --dask` imports (the `scale` extra)
ExtractOption = Annotated[
    bool, typer.Option("--extract/--no-extract", help="Extract entities and quotes of the landed documents.")
]


def register(app: typer.Typer) -> None:
    """Add ``run``, ``backfill`` and ``serve`` to ``app``."""
    app.command()(run)
    app.command()(backfill)
    app.command()(serve)


def run(
    source: Annotated[list[str] | None, typer.Option("--source", help="Only this source (repeatable).")] = None,
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run the source tasks on Dask: a scheduler address (tcp://host:8786) or 'local' to start a local "
            "cluster of processes (needs telefeed[scale]).",
            show_default=False,
        ),
    ] = None,
    extract: ExtractOption = True,
) -> None:
    """Run the ingest flow on all enabled sources (or the named ones) and print a summary.

    Exit code 0: every source ok; 1: some source failed, had errors or did not run; 2: bad usage.
    """
    from telefeed.memory import cap_malloc_arenas

    cap_malloc_arenas()  # before Prefect starts its threads
    warehouse_path, sources_path = resolve_paths(warehouse, sources)
    from telefeed.config import load_sources, select_sources

    try:
        select_sources(load_sources(sources_path), source)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    missing = [name for name in SCALE_MODULES if dask is not None and importlib.util.find_spec(name) is None]
    if missing:
        raise fail(f"--dask needs {', '.join(missing)}: pip install 'telefeed[scale]'")
    from flows.ingest import ingest
    from flows.serve import prefect_api

    results: list[dict[str, Any]]
    with prefect_api():
        if dask is not None:
            from flows.scale import ingest_dask

            results = ingest_dask(
                sources=source or None,
                sources_path=sources_path,
                warehouse_path=warehouse_path,
                dask_address=dask,
                extract=extract,
            )
        else:
            results = ingest(
                sources=source or None, sources_path=sources_path, warehouse_path=warehouse_path, extract=extract
            )
    print_run_summary(results)
    raise typer.Exit(run_exit_code(results))


SUMMARY_COUNTS = ("fetched", "new", "updated", "skipped", "quarantined", "errors")
# Short headers so that the summary fits 80 columns; the table's caption spells them out.
SUMMARY_HEADERS = {"updated": "upd", "skipped": "skip", "quarantined": "quar", "errors": "err", "seconds": "secs"}


def run_exit_code(results: list[dict[str, Any]]) -> int:
    """1 when any source failed or had errors (a page that could not be fetched counts), else 0."""
    troubled = any(r["status"] in ("failed", "partial") or r.get("errors") for r in results)
    return EXIT_FAILED if troubled else EXIT_OK


def print_run_summary(results: list[dict[str, Any]]) -> None:
    """One row per source (status, counts, seconds) that fits 80 columns, then every error of every source."""
    from rich import box

    caption = ", ".join(f"{short} = {name}" for name, short in SUMMARY_HEADERS.items())
    view = Table(title="telefeed run", caption=caption, box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    view.add_column("source", overflow="fold")
    view.add_column("status", overflow="fold")
    for name in (*SUMMARY_COUNTS, "seconds"):
        header = SUMMARY_HEADERS.get(name, name)
        view.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for r in results:
        view.add_row(r["source"], r["status"], *(str(r[k]) for k in SUMMARY_COUNTS), f"{r['seconds']:.2f}")
    console.print(view)
    from telefeed.memory import peak_rss_mb

    console.print(f"peak memory: {peak_rss_mb():.0f} MB", highlight=False)
    print_source_errors(results)


def print_source_errors(results: list[dict[str, Any]]) -> None:
    """Each error a source recorded (feed, pages, clustering), one line each, under the source's name."""
    for r in results:
        messages = r.get("error_messages") or ([r["error_message"]] if r.get("error_message") else [])
        for message in messages:
            console.print(f"[yellow]{r['source']}[/]: {message}", highlight=False, soft_wrap=True)
        hidden = int(r.get("errors") or 0) - len(messages)
        if messages and hidden > 0:
            console.print(f"[yellow]{r['source']}[/]: ... and {hidden} more error(s)", highlight=False)


def backfill(
    source: Annotated[str, typer.Option("--source", help="The source to backfill (its name in the sources file).")],
    since: SinceOption,
    until: UntilOption = None,
    chunk_days: Annotated[
        int | None,
        typer.Option("--chunk-days", help="Days per chunk (default: 1 for telegram, whole window otherwise)."),
    ] = None,
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    extract: ExtractOption = True,
) -> None:
    """Land SOURCE's items from [--since, --until) without moving its forward cursor; reruns add nothing."""
    warehouse_path, sources_path = resolve_paths(warehouse, sources)
    start = parse_date(since, "--since")
    end = parse_date(until, "--until") if until else None
    if end is not None and end <= start:
        raise fail("--until must be after --since")
    from telefeed.config import load_sources, select_sources

    try:
        select_sources(load_sources(sources_path), [source])
    except ConfigError as exc:
        raise fail(str(exc)) from None
    from flows.backfill import ChunkProgress, backfill, listen
    from flows.serve import prefect_api

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=console,
    )
    bar = progress.add_task(f"backfill {source}", total=None, counts="")

    def on_chunk(event: ChunkProgress) -> None:
        s = event.stats
        progress.update(
            bar,
            total=event.total,
            completed=event.index,
            counts=f"{event.until.date().isoformat()} new={s['new']} fetched={s['fetched']} errors={s['errors']}",
        )

    with prefect_api(), progress, listen(on_chunk):
        totals: dict[str, Any] = backfill(
            source=source,
            since=start,
            until=end,
            chunk_days=chunk_days,
            sources_path=sources_path,
            warehouse_path=warehouse_path,
            extract=extract,
        )
    console.print(
        f"{totals['source']} [{totals['since']}, {totals['until']}): status={totals['status']} "
        f"chunks={totals['chunks']} fetched={totals['fetched']} new={totals['new']} updated={totals['updated']} "
        f"skipped={totals['skipped']} quarantined={totals['quarantined']} errors={totals['errors']}",
        highlight=False,
    )
    print_source_errors([totals])
    raise typer.Exit(run_exit_code([totals]))


def serve(
    prefect_file: Annotated[
        str | None, typer.Option("--prefect-file", help="Deployments file (default: ./prefect.yaml).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Most flow runs at once in this process.")] = None,
    port: Annotated[
        int, typer.Option("--port", help="Port of the Prefect server started when PREFECT_API_URL is unset.")
    ] = 4200,
) -> None:
    """Serve the deployments of prefect.yaml (scheduled ingest, backfill, extract) from this process; Ctrl-C stops.

    With PREFECT_API_URL unset it starts a local Prefect server (with its scheduler) and stops it on exit.
    """
    from flows.serve import ServeError, serve_all

    try:
        serve_all(prefect_file, limit=limit, port=port)
    except (ServeError, ValueError, OSError) as exc:
        raise fail(str(exc)) from None
