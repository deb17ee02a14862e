"""Choose the warehouse backend from one setting (``TELEFEED_WAREHOUSE`` / ``--warehouse``).

- a path (``data/telefeed.duckdb``): the embedded DuckDB file, :class:`warehouse.db.Warehouse`;
- ``ducklake:<catalog>[;data_path=<dir or URL>]``: a DuckLake, :class:`warehouse.ducklake.DuckLakeWarehouse`,
  e.g. ``ducklake:postgres:dbname=telefeed host=127.0.0.1 port=5432 user=telefeed;data_path=/data/lake``.
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.db import Warehouse
from warehouse.ducklake import is_ducklake_url


def open_warehouse(target: str | os.PathLike[str], lock_timeout_seconds: float = 300.0) -> Warehouse:
    """The warehouse named by ``target``: a DuckDB file path or a ``ducklake:`` URL."""
    if is_ducklake_url(str(target)):
        from warehouse.ducklake import DuckLakeWarehouse

        return DuckLakeWarehouse(str(target), lock_timeout_seconds=lock_timeout_seconds)
    return Warehouse(Path(target), lock_timeout_seconds=lock_timeout_seconds)


def warehouse_exists(target: str | os.PathLike[str]) -> bool:
    """False only for a DuckDB file that has not been created yet (a DuckLake is created on first write)."""
    return is_ducklake_url(str(target)) or Path(target).expanduser().exists()


def describe_warehouse(target: str | os.PathLike[str]) -> str:
    """A display form of ``target`` with any catalog password hidden."""
    if is_ducklake_url(str(target)):
        from warehouse.ducklake import parse_ducklake_url

        return parse_ducklake_url(str(target)).redacted
    return str(target)
