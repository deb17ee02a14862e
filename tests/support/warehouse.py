"""Small reads of a test's warehouse: one value, and the rows that break a table's key; an opener that counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from warehouse.db import Warehouse
from warehouse.tables import TABLES


def scalar(warehouse: Warehouse | str, sql: str, params: Sequence[Any] | None = None) -> Any:
    """The first column of the first row of ``sql`` (``warehouse``: a Warehouse or a DuckDB file path)."""
    store = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    return store.query(sql, params).column(0)[0].as_py()


def key_duplicates(warehouse: Warehouse, table: str) -> list[dict[str, Any]]:
    """Key values of ``table`` (warehouse/tables.py) held by more than one row, with how many rows hold each."""
    key = ", ".join(TABLES[table].key)
    sql = f"SELECT {key}, count(*) AS rows FROM {table} GROUP BY {key} HAVING count(*) > 1 ORDER BY {key}"
    return warehouse.query(sql).to_pylist()


class CountingOpener:
    """A ``Warehouse(opener=...)`` that opens with ``duckdb.connect`` and records each database it opened."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(
        self, database: str, read_only: bool = False, config: dict[str, Any] | None = None
    ) -> duckdb.DuckDBPyConnection:
        self.opened.append(database)
        return duckdb.connect(database, read_only=read_only, config=config)
