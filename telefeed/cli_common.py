"""What every ``telefeed`` command shares: options, one-line errors, the one way to open the warehouse, output."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from telefeed.config import Settings

if TYPE_CHECKING:
    from warehouse.db import Warehouse

console = Console()
err_console = Console(stderr=True)

# Exit codes (README, "Exit codes").
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse", "-w", help="DuckDB file or ducklake: URL (env TELEFEED_WAREHOUSE).", show_default=False
    ),
]
SourcesOption = Annotated[
    str | None, typer.Option("--sources", "-s", help="Sources TOML file (env TELEFEED_SOURCES).", show_default=False)
]


def resolve_paths(warehouse: str | None, sources: str | None) -> tuple[str, str]:
    """CLI options win over environment settings."""
    settings = Settings()
    return warehouse or settings.warehouse, sources or settings.sources


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)  # never wrap a path
    return typer.Exit(code)


def open_store(warehouse: str | None, lock_timeout_seconds: float = 60.0, must_exist: bool = True) -> Warehouse:
    """The warehouse a command works on (``--warehouse``, else ``TELEFEED_WAREHOUSE``): a DuckDB file or a
    ``ducklake:`` URL. Every command opens it here.

    Raises:
        typer.Exit: no such DuckDB file (with ``must_exist``) or a bad ``ducklake:`` URL, after a one-line error.
    """
    from warehouse.backends import open_warehouse, warehouse_exists
    from warehouse.ducklake import DuckLakeConfigError

    target, _ = resolve_paths(warehouse, None)
    try:
        if must_exist and not warehouse_exists(target):
            raise fail(f"no warehouse at {target}; run `telefeed run` first")
        return open_warehouse(target, lock_timeout_seconds=lock_timeout_seconds)
    except DuckLakeConfigError as exc:
        raise fail(str(exc)) from None


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


class OutputFormat(StrEnum):
    """Output formats of ``telefeed sql``."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


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


def is_warehouse_file(out: str, warehouse_path: str) -> bool:
    """True when ``out`` names the warehouse file or its write-ahead log (an output must never replace it)."""
    target, db = Path(out).expanduser().resolve(), Path(warehouse_path).expanduser().resolve()
    wal = db.with_name(db.name + ".wal")
    return target in (db, wal) or (target.exists() and db.exists() and target.samefile(db))
