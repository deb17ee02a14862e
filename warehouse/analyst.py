"""Read-only helpers for the analyst's surface: exports, the HTML report and run artifacts.

Every function reads through :meth:`warehouse.db.Warehouse.reader` (a read-only connection) and returns Arrow
tables or plain rows. Relation names are checked against the catalog before they are quoted into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.db import Warehouse

# Preferred time column per relation for ``--since`` filters, in order; the first one present wins.
TIME_COLUMNS = (
    "day",
    "published_at",
    "quoted_at",
    "first_seen_at",
    "observed_at",
    "fetched_at",
    "finished_at",
    "started_at",
    "quarantined_at",
    "clustered_at",
    "created_at",
    "updated_at",
    "last_seen",
)
_TIME_TYPES = ("TIMESTAMP", "DATE")


class UnknownRelationError(LookupError):
    """The named table or view does not exist in the warehouse."""


@dataclass(frozen=True, slots=True)
class Relation:
    """A table or view of the warehouse and the column a ``since`` filter applies to."""

    name: str
    kind: str  # "table" | "view"
    columns: tuple[tuple[str, str], ...]  # (name, duckdb type)
    time_column: str | None


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, Relation]:
    rows = con.execute(
        "SELECT t.table_name, t.table_type, c.column_name, c.data_type "
        "FROM information_schema.tables t JOIN information_schema.columns c "
        "  ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
        "WHERE t.table_schema = 'main' AND t.table_catalog = current_database() "
        "ORDER BY t.table_name, c.ordinal_position"
    ).fetchall()
    grouped: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for name, table_type, column, data_type in rows:
        kind = "view" if "VIEW" in str(table_type).upper() else "table"
        grouped.setdefault(name, (kind, []))[1].append((column, str(data_type)))
    out: dict[str, Relation] = {}
    for name, (kind, columns) in grouped.items():
        out[name] = Relation(name, kind, tuple(columns), _time_column(columns))
    return out


def _time_column(columns: Sequence[tuple[str, str]]) -> str | None:
    typed = {name: dtype.upper() for name, dtype in columns}
    for candidate in TIME_COLUMNS:
        if candidate in typed and typed[candidate].startswith(_TIME_TYPES):
            return candidate
    for name, dtype in columns:
        if dtype.upper().startswith(_TIME_TYPES):
            return name
    return None


def quote_ident(name: str) -> str:
    """A DuckDB-quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def relations(warehouse: Warehouse) -> dict[str, Relation]:
    """Every table and view of the warehouse's main schema, by name."""
    with warehouse.reader() as con:
        return _relations(con)


def relation_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether ``name`` is a table or view on this connection."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def read_relation(
    warehouse: Warehouse,
    name: str,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> tuple[Relation, pa.Table]:
    """All rows of table or view ``name`` (those whose time column is in ``[since, until)`` when given).

    Raises:
        UnknownRelationError: ``name`` is not a table or view.
        ValueError: a ``since``/``until`` filter was asked of a relation without a time column.
    """
    with warehouse.reader() as con:
        known = _relations(con)
        relation = known.get(name)
        if relation is None:
            raise UnknownRelationError(f"no table or view named {name!r}; known: {', '.join(sorted(known))}")
        sql = f"SELECT * FROM {quote_ident(name)}"
        params: list[Any] = []
        if since is not None or until is not None:
            if relation.time_column is None:
                raise ValueError(f"{name} has no date or timestamp column to filter on")
            column = quote_ident(relation.time_column)
            clauses = []
            if since is not None:
                clauses.append(f"{column} >= ?")
                params.append(since)
            if until is not None:
                clauses.append(f"{column} < ?")
                params.append(until)
            sql += " WHERE " + " AND ".join(clauses)
        if relation.time_column is not None:
            sql += f" ORDER BY {quote_ident(relation.time_column)}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return relation, con.execute(sql, params).arrow().read_all()


def query_if_present(
    warehouse: Warehouse, needs: Sequence[str], sql: str, params: Sequence[Any] | None = None
) -> pa.Table | None:
    """Run a read-only ``sql`` when every relation in ``needs`` exists; ``None`` otherwise."""
    with warehouse.reader() as con:
        if not all(relation_exists(con, name) for name in needs):
            return None
        return con.execute(sql, list(params or [])).arrow().read_all()


def run_highlights(
    warehouse: Warehouse, document_ids: Sequence[str], limit: int = 10
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """Top entities and quotes among ``document_ids``; ``(None, None)`` before the extraction tables exist."""
    ids = pa.table({"document_id": pa.array(list(dict.fromkeys(document_ids)), pa.string())})
    with warehouse.reader() as con:
        if not all(relation_exists(con, n) for n in HIGHLIGHT_RELATIONS):
            return None, None
        con.register("_run_ids", ids)
        entities = con.execute(TOP_ENTITIES_SQL, [limit]).arrow().read_all().to_pylist()
        quotes = con.execute(RUN_QUOTES_SQL, [limit]).arrow().read_all().to_pylist()
        con.unregister("_run_ids")
    return entities, quotes


# Filled in against the extraction tables (030-039); until they exist the digest says so.
HIGHLIGHT_RELATIONS: tuple[str, ...] = ("mentions", "canonical_entities", "quotes")
TOP_ENTITIES_SQL = "SELECT NULL AS entity, NULL AS entity_type, 0 AS mentions, 0 AS documents LIMIT ?"
RUN_QUOTES_SQL = "SELECT NULL AS speaker, NULL AS quote, NULL AS source LIMIT ?"
