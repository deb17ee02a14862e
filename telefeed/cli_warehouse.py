"""The ``telefeed warehouse`` group: ``info`` (backend, migrations, row counts) and ``maintain`` (DuckLake
compaction). The old names ``warehouse-info`` and ``lake-maintain`` stay as aliases (``run --dask`` is in
cli_run.py)."""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
import typer

from telefeed.cli_common import WarehouseOption, console, fail, open_store, print_arrow, resolve_paths

warehouse_app = typer.Typer(help="The warehouse: backend and row counts, DuckLake maintenance.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``warehouse`` group to ``app``, and the old command names as hidden aliases."""
    warehouse_app.command("info")(warehouse_info)
    warehouse_app.command("maintain")(lake_maintain)
    app.add_typer(warehouse_app, name="warehouse")
    app.command("warehouse-info", hidden=True)(warehouse_info)
    app.command("lake-maintain", hidden=True)(lake_maintain)


def warehouse_info(warehouse: WarehouseOption = None) -> None:
    """Show which backend the warehouse uses, its schema versions and the row counts of the core tables."""
    from warehouse.analyst import schema_and_counts
    from warehouse.backends import describe_warehouse
    from warehouse.ducklake import DuckLakeWarehouse

    store = open_store(warehouse)
    kind = "DuckLake" if isinstance(store, DuckLakeWarehouse) else "DuckDB file"
    versions, counts = schema_and_counts(store)
    console.print(f"backend: [bold]{kind}[/]  {describe_warehouse(resolve_paths(warehouse, None)[0])}", highlight=False)
    console.print("schema: " + ", ".join(versions), highlight=False)
    print_arrow(counts, title="rows")


def lake_maintain(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Expire snapshots and delete unused files older than this.")
    ] = "7 days",
    warehouse: WarehouseOption = None,
) -> None:
    """DuckLake only: merge small Parquet files, expire old snapshots and delete files no snapshot needs."""
    from warehouse.ducklake import DuckLakeConfigError, DuckLakeWarehouse

    store = open_store(warehouse)
    if not isinstance(store, DuckLakeWarehouse):
        raise fail("warehouse maintain needs a ducklake: warehouse (TELEFEED_WAREHOUSE or --warehouse)")
    try:
        done = store.maintain(older_than)
    except (DuckLakeConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    print_arrow(pa.table({"step": list(done), "count": list(done.values())}), title="lake-maintain")
