"""Extraction tables: which documents need extraction, landing results atomically, Telegram post matching.

``land_extraction`` replaces every row (any extractor version) of the documents it is given, inserts the new
rows, merges ``canonical_entities`` aliases and links ``telegram_refs`` to stored posts, all in one transaction:
a crash leaves the old version's rows in place, never a mix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from extraction.pipeline import ExtractInput
from warehouse.db import Warehouse
from warehouse.tables import TABLES

PER_DOCUMENT_TABLES = ("mentions", "quotes", "attributions", "links", "telegram_refs", "extracted_documents")

# The Arrow schema of each table's landing batch (extraction/pipeline.py ``batch_rows`` builds the rows).
SCHEMAS: dict[str, pa.Schema] = {
    name: TABLES[name].landing_schema for name in (*PER_DOCUMENT_TABLES, "canonical_entities")
}

# A news item cites a post published up to this long before it (or shortly after: clocks and edits).
MATCH_WINDOW_BEFORE = "3 days"
MATCH_WINDOW_AFTER = "2 hours"
MIN_SHARED_ENTITIES = 2
MIN_SHARED_QUOTE_CHARS = 20


def _filters(since: datetime | None, source: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if since is not None:
        clauses.append("coalesce(d.published_at, d.first_seen_at) >= ?")
        params.append(since)
    if source is not None:
        clauses.append("d.source = ?")
        params.append(source)
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


_NEEDS_EXTRACTION = "(e.document_id IS NULL OR e.extractor_version <> ? OR e.version_hash <> d.version_hash)"
_DOCUMENTS_WITH_EXTRACTION = "FROM documents d LEFT JOIN extracted_documents e ON e.document_id = d.id"


def documents_to_extract(
    warehouse: Warehouse,
    version: str,
    since: datetime | None = None,
    source: str | None = None,
    all_documents: bool = False,
) -> list[str]:
    """Ids of documents with no extraction for ``version`` (or changed since); all of them with ``all_documents``.

    A document changed when its ``version_hash`` differs from the one recorded with its extraction (no text is
    read or hashed, so the check stays cheap on a large warehouse). Ordered by publication time so a batch holds
    neighbouring documents (posts and the articles citing them).
    """
    where, params = _filters(since, source)
    if not all_documents:
        where += f" AND {_NEEDS_EXTRACTION}"
        params.append(version)
    with warehouse.peek() as con:
        rows = con.execute(
            f"SELECT d.id {_DOCUMENTS_WITH_EXTRACTION} WHERE true {where} "
            "ORDER BY coalesce(d.published_at, d.first_seen_at), d.id",
            params,
        ).fetchall()
    return [r[0] for r in rows]


def needs_extraction(warehouse: Warehouse, version: str) -> bool:
    """Whether any document lacks an extraction for ``version`` or changed since (a cheap check before a flow)."""
    with warehouse.peek() as con:
        row = con.execute(
            f"SELECT EXISTS (SELECT 1 {_DOCUMENTS_WITH_EXTRACTION} WHERE {_NEEDS_EXTRACTION})", [version]
        ).fetchone()
    return bool(row and row[0])


def load_inputs(warehouse: Warehouse, document_ids: Sequence[str]) -> list[ExtractInput]:
    """The stored documents with these ids, as extraction inputs (no network: the text is in the warehouse)."""
    rows = warehouse.peek_for_keys(
        document_ids,
        "SELECT d.id, d.text, d.language, d.source, d.kind, d.published_at, d.version_hash, d.metadata "
        "FROM documents d JOIN _keys k ON k.key = d.id ORDER BY coalesce(d.published_at, d.first_seen_at), d.id",
    )
    return [ExtractInput(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _post_metadata(r[4], r[7])) for r in rows]


def _post_metadata(kind: str | None, metadata: str | None) -> dict[str, Any] | None:
    """A post's metadata (its hidden links, link preview and forward source feed extraction); None otherwise."""
    return json.loads(metadata) if kind == "post" and metadata else None


def known_channels(warehouse: Warehouse) -> dict[str, list[str]]:
    """Telegram channels among the sources and stored posts: username -> names (title, source name)."""
    with warehouse.peek() as con:
        rows = con.execute(
            "SELECT lower(ltrim(json_extract_string(config, '$.channel'), '@')), name FROM sources "
            "WHERE kind LIKE 'telegram%' AND json_extract_string(config, '$.channel') IS NOT NULL "
            "UNION ALL "
            "SELECT DISTINCT json_extract_string(metadata, '$.channel_username'), "
            "       json_extract_string(metadata, '$.channel_title') FROM documents "
            "WHERE kind = 'post' AND json_extract_string(metadata, '$.channel_username') IS NOT NULL"
        ).fetchall()
    channels: dict[str, list[str]] = {}
    for channel, name in rows:
        if not channel:
            continue
        names = channels.setdefault(channel, [])
        if name and name not in names:
            names.append(name)
    return channels


def known_entities(warehouse: Warehouse, limit: int = 100_000) -> list[tuple[str, str]]:
    """(name, label) of stored canonical entities, most widely aliased first (the corpus for canonicalisation)."""
    with warehouse.peek() as con:
        rows = con.execute(
            "SELECT name, label FROM canonical_entities ORDER BY len(aliases) DESC, canonical_id LIMIT ?", [limit]
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def land_extraction(
    warehouse: Warehouse, document_ids: Sequence[str], rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, int]:
    """Replace the extraction rows of ``document_ids`` with ``rows`` in one transaction; returns rows per table."""

    def work(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        return replace_extraction_rows(con, document_ids, rows)

    return warehouse.run_in_transaction(work)


def replace_extraction_rows(
    con: duckdb.DuckDBPyConnection, document_ids: Sequence[str], rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, int]:
    """``land_extraction`` on a connection already inside a transaction."""
    counts: dict[str, int] = {}
    con.register("_extract_ids", pa.table({"document_id": list(document_ids)}))
    for table in PER_DOCUMENT_TABLES:
        con.execute(f"DELETE FROM {table} WHERE document_id IN (SELECT document_id FROM _extract_ids)")
    for table in PER_DOCUMENT_TABLES:
        data = pa.Table.from_pylist(list(rows.get(table, [])), schema=SCHEMAS[table])
        counts[table] = data.num_rows
        if not data.num_rows:
            continue
        con.register("_extract_rows", data)
        columns = ", ".join(SCHEMAS[table].names)
        if table == "telegram_refs":
            con.execute(f"INSERT INTO telegram_refs ({columns}) SELECT {columns} FROM _extract_rows")
        elif table == "extracted_documents":
            con.execute(f"INSERT INTO extracted_documents SELECT {columns}, now() FROM _extract_rows")
        else:
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _extract_rows")
        con.unregister("_extract_rows")
    entities = pa.Table.from_pylist(list(rows.get("canonical_entities", [])), schema=SCHEMAS["canonical_entities"])
    counts["canonical_entities"] = entities.num_rows
    if entities.num_rows:
        _merge_canonical_entities(con, entities)
    _match_telegram_posts(con)
    con.unregister("_extract_ids")
    return counts


def _merge_canonical_entities(con: duckdb.DuckDBPyConnection, entities: pa.Table) -> None:
    con.register("_new_entities", entities)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merged_entities AS SELECT n.canonical_id, "
        # Keep a Latin-script display name once one is known.
        "  CASE WHEN o.name IS NOT NULL AND regexp_matches(n.name, '[\u0400-\u04ff]') "
        "       AND NOT regexp_matches(o.name, '[\u0400-\u04ff]') THEN o.name ELSE n.name END AS name, "
        "  n.label, list_sort(list_distinct(list_concat(coalesce(o.aliases, []::VARCHAR[]), n.aliases))) AS aliases, "
        "  coalesce(n.latitude, o.latitude) AS latitude, coalesce(n.longitude, o.longitude) AS longitude, "
        "  coalesce(n.country_code, o.country_code) AS country_code, n.extractor_version, now() AS updated_at "
        "FROM _new_entities n LEFT JOIN canonical_entities o USING (canonical_id)"
    )
    con.execute("DELETE FROM canonical_entities WHERE canonical_id IN (SELECT canonical_id FROM _new_entities)")
    con.execute(
        "INSERT INTO canonical_entities SELECT canonical_id, name, label, aliases, latitude, longitude, "
        "country_code, extractor_version, updated_at FROM _merged_entities"
    )
    con.execute("DROP TABLE _merged_entities")
    con.unregister("_new_entities")


def _match_telegram_posts(con: duckdb.DuckDBPyConnection) -> None:
    """Link the batch's unmatched Telegram references to stored posts: by link, shared quote or shared entities."""
    con.execute(
        "UPDATE telegram_refs SET matched_document_id = p.id, match_method = 'link' FROM documents p "
        "WHERE telegram_refs.document_id IN (SELECT document_id FROM _extract_ids) "
        "AND telegram_refs.post_id IS NOT NULL AND p.kind = 'post' "
        "AND p.external_id = telegram_refs.channel || ':' || CAST(telegram_refs.post_id AS VARCHAR)"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ref_candidates AS
        WITH refs AS (
            SELECT DISTINCT r.document_id, r.channel, a.published_at AS cited_at
            FROM telegram_refs r JOIN documents a ON a.id = r.document_id
            WHERE r.document_id IN (SELECT document_id FROM _extract_ids)
              AND r.matched_document_id IS NULL AND a.published_at IS NOT NULL
        ),
        posts AS (
            SELECT refs.document_id, refs.channel, p.id AS post_doc, p.text AS post_text,
                   abs(epoch(refs.cited_at) - epoch(p.published_at)) AS distance
            FROM refs JOIN documents p
              ON p.kind = 'post' AND split_part(p.external_id, ':', 1) = refs.channel
             AND p.published_at BETWEEN refs.cited_at - INTERVAL '{MATCH_WINDOW_BEFORE}'
                                    AND refs.cited_at + INTERVAL '{MATCH_WINDOW_AFTER}'
             AND p.id <> refs.document_id
        ),
        quote_hits AS (
            SELECT posts.document_id, posts.post_doc, count(*) AS shared
            FROM posts JOIN quotes q ON q.document_id = posts.document_id AND q.kind = 'statement'
             AND length(q.text) >= {MIN_SHARED_QUOTE_CHARS}
             AND strpos(lower(posts.post_text), lower(trim(q.text, ' ,.'))) > 0
            GROUP BY ALL
        ),
        entity_hits AS (
            SELECT posts.document_id, posts.post_doc, count(DISTINCT a.canonical_id) AS shared
            FROM posts
            JOIN mentions a ON a.document_id = posts.document_id
            JOIN mentions b ON b.document_id = posts.post_doc AND b.canonical_id = a.canonical_id
            GROUP BY ALL
        )
        SELECT posts.document_id, posts.channel, posts.post_doc,
               CASE WHEN qh.shared IS NOT NULL THEN 'quote' ELSE 'entities' END AS method,
               row_number() OVER (
                   PARTITION BY posts.document_id, posts.channel
                   ORDER BY coalesce(qh.shared, 0) DESC, coalesce(eh.shared, 0) DESC, posts.distance, posts.post_doc
               ) AS rank
        FROM posts
        LEFT JOIN quote_hits qh USING (document_id, post_doc)
        LEFT JOIN entity_hits eh USING (document_id, post_doc)
        WHERE qh.shared IS NOT NULL OR coalesce(eh.shared, 0) >= {MIN_SHARED_ENTITIES}
        """
    )
    con.execute(
        "UPDATE telegram_refs SET matched_document_id = c.post_doc, match_method = c.method "
        "FROM _ref_candidates c WHERE c.rank = 1 AND telegram_refs.document_id = c.document_id "
        "AND telegram_refs.channel = c.channel AND telegram_refs.matched_document_id IS NULL"
    )
    con.execute("DROP TABLE _ref_candidates")
