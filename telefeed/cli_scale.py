"""Scale-out commands: ``telefeed warehouse-info`` and ``telefeed lake-maintain`` (``run --dask`` lives in cli.py)."""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
import typer

from telefeed.cli import WarehouseOption, app, console, fail, print_arrow, resolve_paths

CORE_TABLES = ("sources", "raw_items", "documents", "cursors", "runs", "quarantine")


@app.command("warehouse-info")
def warehouse_info(warehouse: WarehouseOption = None) -> None:
    """Show which backend the warehouse uses, its schema versions and the row counts of the core tables."""
    from warehouse.backends import describe_warehouse, open_warehouse
    from warehouse.ducklake import DuckLakeConfigError, DuckLakeWarehouse

    target, _ = resolve_paths(warehouse, None)
    try:
        store = open_warehouse(target, lock_timeout_seconds=60)
        kind = "DuckLake" if isinstance(store, DuckLakeWarehouse) else "DuckDB file"
        versions = store.query("SELECT version, name FROM schema_version ORDER BY version")
        counts = store.query(
            " UNION ALL ".join(f"SELECT '{t}' AS table_name, count(*) AS rows FROM {t}" for t in CORE_TABLES)
        )
    except DuckLakeConfigError as exc:
        raise fail(str(exc)) from None
    console.print(f"backend: [bold]{kind}[/]  {describe_warehouse(target)}", highlight=False)
    console.print("schema: " + ", ".join(versions.column("name").to_pylist()), highlight=False)
    print_arrow(counts, title="rows")


@app.command("lake-maintain")
def lake_maintain(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Expire snapshots and delete unused files older than this.")
    ] = "7 days",
    warehouse: WarehouseOption = None,
) -> None:
    """DuckLake only: merge small Parquet files, expire old snapshots and delete files no snapshot needs."""
    from warehouse.backends import open_warehouse
    from warehouse.ducklake import DuckLakeConfigError, DuckLakeWarehouse

    target, _ = resolve_paths(warehouse, None)
    try:
        store = open_warehouse(target, lock_timeout_seconds=60)
        if not isinstance(store, DuckLakeWarehouse):
            raise fail("lake-maintain needs a ducklake: warehouse (TELEFEED_WAREHOUSE or --warehouse)")
        done = store.maintain(older_than)
    except (DuckLakeConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    print_arrow(pa.table({"step": list(done), "count": list(done.values())}), title="lake-maintain")
