"""Read-only helpers for the analyst's surface: exports, the HTML report and run artifacts.

Every function reads through :meth:`warehouse.db.Warehouse.reader` (a read-only connection) and returns Arrow
tables or plain rows. Relation names are checked against the catalog before they are quoted into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
    warehouse: Warehouse, run_id: str, limit: int = 10
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """Top entities and quotes among the documents run ``run_id`` landed (``run_documents``).

    ``(None, None)`` before the extraction tables exist.
    """
    with warehouse.reader() as con:
        if not all(relation_exists(con, n) for n in HIGHLIGHT_RELATIONS):
            return None, None
        entities = con.execute(TOP_ENTITIES_SQL, [run_id, limit]).arrow().read_all().to_pylist()
        quotes = con.execute(RUN_QUOTES_SQL, [run_id, limit]).arrow().read_all().to_pylist()
    return entities, quotes


# The run digest reads the extraction tables (030_extraction.sql); until they exist it says so.
HIGHLIGHT_RELATIONS: tuple[str, ...] = ("run_documents", "mentions", "canonical_entities", "quotes")
_RUN_DOCUMENTS = "(SELECT DISTINCT document_id FROM run_documents WHERE run_id = ?)"
TOP_ENTITIES_SQL = (
    "SELECT coalesce(any_value(c.name), any_value(m.canonical_name)) AS entity, any_value(m.label) AS entity_type, "
    "count(*) AS mentions, count(DISTINCT m.document_id) AS documents "
    f"FROM mentions m JOIN {_RUN_DOCUMENTS} r ON r.document_id = m.document_id "
    "LEFT JOIN canonical_entities c ON c.canonical_id = m.canonical_id "
    "GROUP BY m.canonical_id ORDER BY mentions DESC, documents DESC, entity LIMIT ?"
)
RUN_QUOTES_SQL = (
    "SELECT coalesce(c.name, q.speaker_canonical, q.speaker) AS speaker, q.text AS quote, d.source "
    f"FROM quotes q JOIN {_RUN_DOCUMENTS} r ON r.document_id = q.document_id JOIN documents d ON d.id = q.document_id "
    "LEFT JOIN canonical_entities c ON c.canonical_id = q.speaker_canonical_id "
    "WHERE q.kind = 'statement' "
    "ORDER BY (q.speaker IS NULL), d.published_at DESC NULLS LAST, q.document_id, q.quote_index LIMIT ?"
)


# -- report queries ----------------------------------------------------------------------------------------------


def day_bounds(since: datetime, until: datetime | None) -> tuple[date, date | None]:
    """UTC calendar days ``[first, end)`` covering the window ``[since, until)``."""
    first = since.astimezone(UTC).date() if since.tzinfo else since.date()
    if until is None:
        return first, None
    end_at = until.astimezone(UTC) if until.tzinfo else until
    end = end_at.date()
    if (end_at.hour, end_at.minute, end_at.second, end_at.microsecond) != (0, 0, 0, 0):
        end += timedelta(days=1)
    return first, end


def _window_sql(column: str, bounds: tuple[date, date | None]) -> tuple[str, list[Any]]:
    first, end = bounds
    if end is None:
        return f"{column} >= ?", [first]
    return f"{column} >= ? AND {column} < ?", [first, end]


def _read_window(
    warehouse: Warehouse, sql: str, since: datetime, until: datetime | None, *extra: Any, needs: Sequence[str] = ()
) -> pa.Table | None:
    """Run ``sql`` with ``{where}`` filtering its ``day`` column to the window's UTC days (``extra`` parameters come
    after the window's); ``None`` when a relation in ``needs`` does not exist yet."""
    where, params = _window_sql("day", day_bounds(since, until))
    return query_if_present(warehouse, needs, sql.format(where=where), [*params, *extra])


@dataclass(frozen=True, slots=True)
class WindowQuery:
    """A report query over a window of UTC days: ``sql`` filters its ``day`` column with ``{where}`` and, when
    ``limit`` is set, ends in ``LIMIT ?``; ``needs`` are the relations it reads that a warehouse may lack (the
    extraction views), core views need none."""

    sql: str
    limit: int | None = None
    needs: tuple[str, ...] = ()

    def read(
        self, warehouse: Warehouse, since: datetime, until: datetime | None = None, limit: int | None = None
    ) -> pa.Table | None:
        """The rows in ``[since, until)`` (at most ``limit``, default the query's); ``None`` when a relation it
        needs does not exist yet."""
        extra = [] if self.limit is None else [self.limit if limit is None else limit]
        return _read_window(warehouse, self.sql, since, until, *extra, needs=self.needs)


# Mentions per day of the ``limit`` most-mentioned entities in the window: day, entity, entity_type, mentions.
ENTITY_MENTIONS_OVER_TIME = WindowQuery(
    "WITH w AS (SELECT * FROM daily_entity_mentions WHERE {where}), "
    "top_ids AS (SELECT entity_id FROM w GROUP BY entity_id ORDER BY sum(mentions) DESC, entity_id LIMIT ?) "
    "SELECT day, any_value(entity) AS entity, any_value(entity_type) AS entity_type, "
    "sum(mentions)::BIGINT AS mentions, sum(documents)::BIGINT AS documents "
    "FROM w WHERE entity_id IN (SELECT entity_id FROM top_ids) GROUP BY day, entity_id ORDER BY day, entity",
    limit=8,
    needs=("daily_entity_mentions",),
)
# The most-mentioned entities in the window: entity, entity_type, mentions, documents, sources.
TOP_ENTITIES = WindowQuery(
    "SELECT any_value(entity) AS entity, any_value(entity_type) AS entity_type, "
    "sum(mentions)::BIGINT AS mentions, sum(documents)::BIGINT AS documents, count(DISTINCT source) AS sources "
    "FROM daily_entity_mentions WHERE {where} GROUP BY entity_id ORDER BY mentions DESC, entity_id LIMIT ?",
    limit=20,
    needs=("daily_entity_mentions",),
)
# Speakers with the most quotes in the window: speaker, quotes, outlets, last_day.
TOP_SPEAKERS = WindowQuery(
    "SELECT speaker, count(*) AS quotes, count(DISTINCT source) AS outlets, max(day) AS last_day "
    "FROM quotes_by_speaker WHERE {where} AND speaker IS NOT NULL "
    "GROUP BY speaker ORDER BY quotes DESC, speaker LIMIT ?",
    limit=10,
    needs=("quotes_by_speaker",),
)
# The latest quotes in the window: day, speaker, quote, source, url.
RECENT_QUOTES = WindowQuery(
    "SELECT day, speaker, quote, source, url FROM quotes_by_speaker WHERE {where} "
    "ORDER BY published_at DESC NULLS LAST, speaker LIMIT ?",
    limit=25,
    needs=("quotes_by_speaker",),
)
# News stories in the window and the Telegram posts they cite.
CITED_POSTS = WindowQuery(
    "SELECT DISTINCT day, source, title, channel, post_url, match_method, published_at "
    "FROM story_telegram_citations WHERE {where} AND document_kind = 'article' "
    "ORDER BY published_at DESC NULLS LAST, source, channel LIMIT ?",
    limit=25,
    needs=("story_telegram_citations",),
)
# Documents per source per UTC day in the window (a core view): day, source, documents.
DOCUMENTS_PER_DAY = WindowQuery(
    "SELECT day, source, sum(documents)::BIGINT AS documents FROM daily_documents WHERE {where} "
    "GROUP BY day, source ORDER BY day, source"
)
# Story clusters with documents in the window, most sources first (a core view).
TOP_STORIES = WindowQuery(
    "SELECT cluster_id, any_value(first_title) AS title, any_value(first_source) AS first_source, "
    "min(day) AS first_day, max(day) AS last_day, sum(documents)::BIGINT AS documents, "
    "any_value(total_sources) AS sources "
    "FROM story_spread WHERE {where} GROUP BY cluster_id "
    "ORDER BY sources DESC, documents DESC, first_day, cluster_id LIMIT ?",
    limit=15,
)


def source_health(warehouse: Warehouse) -> pa.Table:
    """The ``source_health`` view, worst first (errors in the last day, then quarantined rows)."""
    with warehouse.reader() as con:
        return (
            con.execute(
                "SELECT source, kind, last_status, last_success_at, last_run_at, errors_24h, errors, "
                "quarantined, documents, last_error_message FROM source_health "
                "ORDER BY errors_24h DESC, quarantined DESC, source"
            )
            .arrow()
            .read_all()
        )


CORE_TABLES = ("sources", "raw_items", "documents", "cursors", "runs", "quarantine")


def source_names(warehouse: Warehouse) -> list[str]:
    """Names of the sources the warehouse knows (every source a run registered), sorted."""
    with warehouse.reader() as con:
        return sorted(str(row[0]) for row in con.execute("SELECT name FROM sources").fetchall())


def schema_and_counts(warehouse: Warehouse) -> tuple[list[str], pa.Table]:
    """The applied migrations' names, in order, and the row count of each core table (``table_name``, ``rows``)."""
    with warehouse.reader() as con:
        versions = [str(r[0]) for r in con.execute("SELECT name FROM schema_version ORDER BY version").fetchall()]
        counts = con.execute(
            " UNION ALL ".join(f"SELECT '{t}' AS table_name, count(*) AS rows FROM {t}" for t in CORE_TABLES)
        )
        return versions, counts.arrow().read_all()
