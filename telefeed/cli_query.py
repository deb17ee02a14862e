"""Commands that read the warehouse: ``telefeed sql``, ``telefeed export``, ``telefeed report``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from telefeed.cli_common import (
    OutputFormat,
    SinceOption,
    UntilOption,
    WarehouseOption,
    atomic_output,
    console,
    fail,
    is_warehouse_file,
    open_store,
    parse_date,
    print_arrow,
    resolve_paths,
    write_arrow,
)


def register(app: typer.Typer) -> None:
    """Add ``sql``, ``export`` and ``report`` to ``app``."""
    app.command()(sql)
    app.command()(export)
    app.command()(report)


def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query (SELECT / EXPLAIN).")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    out: Annotated[str | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Query the warehouse read-only; write statements are refused."""
    from warehouse.db import WarehouseBusyError, WriteRefusedError

    warehouse_path, _ = resolve_paths(warehouse, None)
    if out and is_warehouse_file(out, warehouse_path):
        raise fail(f"refused: --out {out} would overwrite the warehouse; choose another file")
    store = open_store(warehouse_path)
    try:
        table = store.read_only_query(query)
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

    store = open_store(warehouse)
    start = parse_date(since, "--since") if since else None
    end = parse_date(until, "--until") if until else None
    try:
        relation, table = read_relation(store, name, start, end)
    except (UnknownRelationError, ValueError) as exc:
        raise fail(str(exc)) from None
    target = Path(out) / f"{name}.parquet"
    with atomic_output(target) as temporary:
        pq.write_table(table, temporary)
    where = f" where {relation.time_column} >= {start.isoformat()}" if start and relation.time_column else ""
    console.print(f"wrote {table.num_rows} row(s) of {name}{where} to {target}", highlight=False)


def report(
    since: SinceOption,
    out: Annotated[str, typer.Option("--out", "-o", help="The HTML file to write.")] = "report.html",
    until: UntilOption = None,
    top: Annotated[int, typer.Option("--top", help="How many entities/speakers to chart.")] = 8,
    warehouse: WarehouseOption = None,
) -> None:
    """Write a self-contained HTML report (charts and tables, works offline) for [--since, --until)."""
    from telefeed.report import build_report

    warehouse_path, _ = resolve_paths(warehouse, None)
    if is_warehouse_file(out, warehouse_path):
        raise fail(f"refused: --out {out} would overwrite the warehouse; choose another file")
    store = open_store(warehouse_path)
    start = parse_date(since, "--since")
    end = parse_date(until, "--until") if until else None
    html = build_report(store, start, end, top=top)
    with atomic_output(out) as temporary:
        temporary.write_text(html, encoding="utf-8")
    console.print(f"wrote {out} ({len(html) // 1024} KiB)", highlight=False)
