"""The ``telefeed`` command line (typer)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from telefeed.config import ConfigError, Settings

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


def json_text(value: Any) -> str | None:
    """A nested cell as compact JSON text (None stays None)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def is_binary(data_type: pa.DataType) -> bool:
    """BLOB columns (shown as hex text)."""
    return bool(pa.types.is_binary(data_type) or pa.types.is_large_binary(data_type))


def text_cell(value: Any, data_type: pa.DataType) -> str | None:
    """A cell CSV cannot hold as text: lists, structs and maps as JSON, bytes as hex."""
    if value is None:
        return None
    return bytes(value).hex() if is_binary(data_type) else json_text(value)


def as_csv_columns(table: pa.Table) -> pa.Table:
    """``table`` with every list/struct/map column as JSON text and every binary column as hex text."""
    for index, column_field in enumerate(table.schema):
        kind = column_field.type
        if pa.types.is_nested(kind) or is_binary(kind):
            texts = pa.array([text_cell(v, kind) for v in table.column(index).to_pylist()], type=pa.string())
            table = table.set_column(index, pa.field(column_field.name, pa.string()), texts)
    return table


def print_arrow(table: pa.Table, title: str | None = None, max_rows: int = 200) -> None:
    """Render an Arrow table as a rich table (nested values as JSON text)."""
    view = Table(title=title, show_lines=False)
    for name in table.column_names:
        view.add_column(name, overflow="fold")
    for row in as_csv_columns(table.slice(0, max_rows)).to_pylist():
        view.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(view)
    if table.num_rows > max_rows:
        console.print(f"... {table.num_rows - max_rows} more rows (use --format csv/json/parquet --out FILE)")


@contextmanager
def atomic_output(out: str | Path) -> Iterator[Path]:
    """A temporary path next to ``out`` that replaces ``out`` only when the block succeeds (never a partial file)."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.part")  # same folder: rename is atomic
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_arrow(table: pa.Table, fmt: OutputFormat, out: str | None) -> None:
    """Write an Arrow table as csv/json/parquet to a file, or csv/json to stdout (CSV holds nested values as JSON
    text); a file is written whole or not at all."""
    if fmt is OutputFormat.parquet and not out:
        raise fail("--format parquet needs --out FILE")
    if not out:
        sys.stdout.write(render_text(table, fmt))
        return
    with atomic_output(out) as temporary:
        if fmt is OutputFormat.parquet:
            import pyarrow.parquet as pq

            pq.write_table(table, temporary)
        else:
            temporary.write_text(render_text(table, fmt), encoding="utf-8")


def render_text(table: pa.Table, fmt: OutputFormat) -> str:
    """``table`` as CSV (nested values as JSON text) or as a JSON array of objects."""
    if fmt is OutputFormat.csv:
        import pyarrow.csv as pacsv

        sink = pa.BufferOutputStream()
        pacsv.write_csv(as_csv_columns(table), sink)
        return str(sink.getvalue().to_pybytes().decode("utf-8"))
    return json.dumps(table.to_pylist(), ensure_ascii=False, default=str, indent=2) + "\n"


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
    extract: Annotated[
        bool, typer.Option("--extract/--no-extract", help="Extract entities and quotes of the landed documents.")
    ] = True,
) -> None:
    """Run the ingest flow on all enabled sources (or the named ones) and print a summary.

    Exit code 0: every source ok; 1: some source failed, had errors or did not run; 2: bad usage.
    """
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


# Exit codes of `telefeed run` and `telefeed backfill` (README, "Exit codes").
EXIT_OK, EXIT_SOURCE_ERRORS, EXIT_USAGE = 0, 1, 2
SUMMARY_COUNTS = ("fetched", "new", "updated", "skipped", "quarantined", "errors")
# Short headers so that the summary fits 80 columns; the table's caption spells them out.
SUMMARY_HEADERS = {"updated": "upd", "skipped": "skip", "quarantined": "quar", "errors": "err", "seconds": "secs"}


def run_exit_code(results: list[dict[str, Any]]) -> int:
    """1 when any source failed or had errors (a page that could not be fetched counts), else 0."""
    troubled = any(r["status"] in ("failed", "partial") or r.get("errors") for r in results)
    return EXIT_SOURCE_ERRORS if troubled else EXIT_OK


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
        return
    try:
        write_arrow(table, OutputFormat.csv if fmt is OutputFormat.table else fmt, out)
    except (pa.ArrowException, OSError) as exc:  # e.g. a type Parquet cannot hold: nothing was written
        raise fail(f"could not write {out or 'the result'}: {' '.join(str(exc).split())}", code=1) from None


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
