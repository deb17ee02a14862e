"""The ``telefeed`` command line (typer)."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from telefeed.config import ConfigError, Settings
from telefeed.memory import cap_malloc_arenas, peak_rss_mb

# telefeed runs offline by default: the temporary Prefect server it starts sends no usage telemetry unless asked.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(help="telefeed: Telegram channels and news feeds into a DuckDB warehouse.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

WarehouseOption = Annotated[
    str | None, typer.Option("--warehouse", "-w", help="DuckDB file (env TELEFEED_WAREHOUSE).", show_default=False)
]
SourcesOption = Annotated[
    str | None, typer.Option("--sources", "-s", help="Sources TOML file (env TELEFEED_SOURCES).", show_default=False)
]


class OutputFormat(StrEnum):
    """Output formats of ``telefeed sql``."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def resolve_paths(warehouse: str | None, sources: str | None) -> tuple[str, str]:
    """CLI options win over environment settings."""
    settings = Settings()
    return warehouse or settings.warehouse, sources or settings.sources


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)  # never wrap a path
    return typer.Exit(code)


def print_arrow(table: pa.Table, title: str | None = None, max_rows: int = 200) -> None:
    """Render an Arrow table as a rich table."""
    view = Table(title=title, show_lines=False)
    for name in table.column_names:
        view.add_column(name, overflow="fold")
    for row in table.slice(0, max_rows).to_pylist():
        view.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(view)
    if table.num_rows > max_rows:
        console.print(f"... {table.num_rows - max_rows} more rows (use --format csv/json/parquet --out FILE)")


def write_arrow(table: pa.Table, fmt: OutputFormat, out: str | None) -> None:
    """Write an Arrow table as csv/json/parquet to a file, or csv/json to stdout."""
    if fmt is OutputFormat.parquet:
        if not out:
            raise fail("--format parquet needs --out FILE")
        import pyarrow.parquet as pq

        Path(out).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, out)
        return
    if fmt is OutputFormat.csv:
        import pyarrow.csv as pacsv

        if out:
            pacsv.write_csv(table, out)
        else:
            sink = pa.BufferOutputStream()
            pacsv.write_csv(table, sink)
            sys.stdout.write(sink.getvalue().to_pybytes().decode("utf-8"))
        return
    text = json.dumps(table.to_pylist(), ensure_ascii=False, default=str, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


@app.command()
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
) -> None:
    """Run the ingest flow on all enabled sources (or the named ones) and print a summary."""
    cap_malloc_arenas()  # before Prefect starts its threads
    warehouse_path, sources_path = resolve_paths(warehouse, sources)
    from telefeed.config import load_sources, select_sources

    try:
        select_sources(load_sources(sources_path), source)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    from flows.ingest import ingest

    results: list[dict[str, Any]]
    if dask is not None:
        from flows.scale import ingest_dask

        results = ingest_dask(
            sources=source or None, sources_path=sources_path, warehouse_path=warehouse_path, dask_address=dask
        )
    else:
        results = ingest(sources=source or None, sources_path=sources_path, warehouse_path=warehouse_path)
    print_run_summary(results)
    if results and all(r["status"] == "failed" for r in results):
        raise typer.Exit(1)


def print_run_summary(results: list[dict[str, Any]]) -> None:
    """One row per source: status, fetched, new, updated, skipped, quarantined, errors, seconds."""
    view = Table(title="telefeed run")
    for name in ("source", "status", "fetched", "new", "updated", "skipped", "quarantined", "errors", "seconds"):
        view.add_column(name, justify="left" if name in ("source", "status") else "right")
    for r in results:
        view.add_row(
            r["source"],
            r["status"],
            *(str(r[k]) for k in ("fetched", "new", "updated", "skipped", "quarantined", "errors")),
            f"{r['seconds']:.2f}",
        )
    console.print(view)
    console.print(f"peak memory: {peak_rss_mb():.0f} MB", highlight=False)
    for r in results:
        if r.get("error_message"):
            console.print(f"[yellow]{r['source']}[/]: {r['error_message']}", highlight=False)


def is_warehouse_file(out: str, warehouse_path: str) -> bool:
    """True when ``out`` names the warehouse file or its write-ahead log (an output must never replace it)."""
    target, db = Path(out).expanduser().resolve(), Path(warehouse_path).expanduser().resolve()
    wal = db.with_name(db.name + ".wal")
    return target in (db, wal) or (target.exists() and db.exists() and target.samefile(db))


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query (SELECT / EXPLAIN).")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    out: Annotated[str | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Query the warehouse read-only; write statements are refused."""
    from warehouse.backends import open_warehouse, warehouse_exists
    from warehouse.db import WarehouseBusyError, WriteRefusedError

    warehouse_path, _ = resolve_paths(warehouse, None)
    if not warehouse_exists(warehouse_path):
        raise fail(f"no warehouse at {warehouse_path}; run `telefeed run` first")
    if out and is_warehouse_file(out, warehouse_path):
        raise fail(f"refused: --out {out} would overwrite the warehouse; choose another file")
    try:
        table = open_warehouse(warehouse_path, lock_timeout_seconds=60).read_only_query(query)
    except WriteRefusedError as exc:
        raise fail(str(exc)) from None
    except WarehouseBusyError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # duckdb errors: show the message, not a traceback
        raise fail(" ".join(str(exc).split())[:1000] or type(exc).__name__) from None  # every line: the why too
    if fmt is OutputFormat.table and not out:
        print_arrow(table)
    else:
        write_arrow(table, OutputFormat.csv if fmt is OutputFormat.table else fmt, out)


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m telefeed``."""
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "telefeed")
    app()


# Commands that live in their own modules register themselves on ``app`` when imported.
for _module in (
    "telefeed.cli_telegram",
    "telefeed.cli_articles",
    "telefeed.cli_extract",
    "telefeed.cli_analyst",
    "telefeed.cli_scale",
):
    try:
        __import__(_module)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise
