"""Analyst and operator commands: ``backfill``, ``serve``, ``export``, ``report``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from telefeed.cli import (
    SourcesOption,
    WarehouseOption,
    app,
    console,
    fail,
    is_warehouse_file,
    print_source_errors,
    resolve_paths,
    run_exit_code,
)
from telefeed.config import ConfigError


def parse_date(value: str, option: str) -> datetime:
    """``2026-11-01`` or an ISO timestamp as an aware UTC datetime (naive means UTC).

    Raises:
        typer.Exit: the value is not a date (after printing a one-line error).
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option}: not a date or ISO timestamp: {value!r} (e.g. 2026-11-01)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


SinceOption = Annotated[str, typer.Option("--since", help="Start date, inclusive (2026-11-01 or ISO time, UTC).")]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="End date, exclusive (default: now).", show_default=False)
]


@app.command()
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
    extract: Annotated[
        bool, typer.Option("--extract/--no-extract", help="Extract entities and quotes of the landed documents.")
    ] = True,
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

    with progress, listen(on_chunk):
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


@app.command()
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


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="A table or view, e.g. documents or daily_entity_mentions.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Folder to write NAME.parquet into.")],
    since: Annotated[
        str | None, typer.Option("--since", help="Only rows from this date on (the relation's time column).")
    ] = None,
    until: UntilOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Write a table or view (rows since --since) to OUT/NAME.parquet."""
    import pyarrow.parquet as pq

    from warehouse.analyst import UnknownRelationError, read_relation
    from warehouse.backends import open_warehouse, warehouse_exists

    warehouse_path, _ = resolve_paths(warehouse, None)
    if not warehouse_exists(warehouse_path):
        raise fail(f"no warehouse at {warehouse_path}; run `telefeed run` first")
    start = parse_date(since, "--since") if since else None
    end = parse_date(until, "--until") if until else None
    try:
        relation, table = read_relation(open_warehouse(warehouse_path, lock_timeout_seconds=60), name, start, end)
    except (UnknownRelationError, ValueError) as exc:
        raise fail(str(exc)) from None
    target = Path(out) / f"{name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target)
    where = f" where {relation.time_column} >= {start.isoformat()}" if start and relation.time_column else ""
    console.print(f"wrote {table.num_rows} row(s) of {name}{where} to {target}", highlight=False)


@app.command()
def report(
    since: SinceOption,
    out: Annotated[str, typer.Option("--out", "-o", help="The HTML file to write.")] = "report.html",
    until: UntilOption = None,
    top: Annotated[int, typer.Option("--top", help="How many entities/speakers to chart.")] = 8,
    warehouse: WarehouseOption = None,
) -> None:
    """Write a self-contained HTML report (charts and tables, works offline) for [--since, --until)."""
    from telefeed.report import build_report
    from warehouse.backends import open_warehouse, warehouse_exists

    warehouse_path, _ = resolve_paths(warehouse, None)
    if not warehouse_exists(warehouse_path):
        raise fail(f"no warehouse at {warehouse_path}; run `telefeed run` first")
    if is_warehouse_file(out, warehouse_path):
        raise fail(f"refused: --out {out} would overwrite the warehouse; choose another file")
    start = parse_date(since, "--since")
    end = parse_date(until, "--until") if until else None
    html = build_report(open_warehouse(warehouse_path, lock_timeout_seconds=60), start, end, top=top)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(html, encoding="utf-8")
    console.print(f"wrote {out} ({len(html) // 1024} KiB)", highlight=False)
