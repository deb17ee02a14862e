"""The warehouse's tables as the migrations leave them: columns, types and keys, declared once for Python.

The numbered migrations (``schema/NNN_*.sql``) create and change the tables; this module states the result. The
Arrow schemas the landing code builds its batches with are derived from it (:attr:`Table.landing_schema`), and
each table's key (the columns that identify one row) is stated here and nowhere else.
tests/warehouse/test_tables.py checks every table against a migrated warehouse (names, order, types, NOT NULL) and
the keys against landed data.

Keys are not PRIMARY KEY or UNIQUE constraints: DuckLake has neither, and the same migrations build both backends.
The landing keeps them by matching on the key columns (:meth:`Table.key_match`) before it inserts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

# DuckDB type as the migrations write it -> the Arrow type of a landing batch's column.
_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),  # canonical JSON text; DuckDB casts it on insert
    "VARCHAR[]": pa.list_(pa.string()),
    "BLOB": pa.binary(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "UBIGINT": pa.uint64(),
    "DOUBLE": pa.float64(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, its DuckDB type and whether it may hold NULL."""

    name: str
    sql_type: str
    nullable: bool = True

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type of this column in a landing batch."""
        return _ARROW_TYPES[self.sql_type]


@dataclass(frozen=True, slots=True)
class Table:
    """A table: its columns in order, its key, and the columns the warehouse fills itself when a row lands."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    filled_on_landing: tuple[str, ...] = ()  # set in SQL by the landing (times, revisions), not in the batch

    @property
    def column_names(self) -> list[str]:
        """Every column name, in table order."""
        return [c.name for c in self.columns]

    @property
    def landing_schema(self) -> pa.Schema:
        """The Arrow schema of a landing batch: every column but those the warehouse fills."""
        return pa.schema([(c.name, c.arrow_type) for c in self.columns if c.name not in self.filled_on_landing])

    def key_match(self, left: str, right: str) -> str:
        """SQL condition that rows ``left`` and ``right`` (table aliases) have the same key."""
        return " AND ".join(f"{left}.{c} = {right}.{c}" for c in self.key)


def _table(name: str, key: Iterable[str], columns: Iterable[str], filled_on_landing: Iterable[str] = ()) -> Table:
    """A :class:`Table` from column lines written as in the migrations (``name TYPE [NOT NULL]``)."""
    parsed = []
    for line in columns:
        column_name, sql_type, *rest = line.split(maxsplit=2)
        parsed.append(Column(column_name, sql_type, nullable=rest != ["NOT NULL"]))
    table = Table(name, tuple(parsed), tuple(key), tuple(filled_on_landing))
    unknown = (set(table.key) | set(table.filled_on_landing)) - set(table.column_names)
    if unknown:
        raise ValueError(f"{name}: {sorted(unknown)} are not columns")
    return table


# -- 001_core.sql ------------------------------------------------------------------------------------------------

SOURCES = _table(
    "sources",
    ["name"],
    [
        "name VARCHAR NOT NULL",
        "kind VARCHAR NOT NULL",
        "config JSON",
        "first_seen TIMESTAMPTZ NOT NULL",
        "last_seen TIMESTAMPTZ NOT NULL",
    ],
)
RAW_ITEMS = _table(
    "raw_items",
    ["source", "external_id", "content_hash"],
    [
        "source VARCHAR NOT NULL",
        "external_id VARCHAR NOT NULL",
        "item_kind VARCHAR NOT NULL",
        "fetched_at TIMESTAMPTZ NOT NULL",
        "content_hash VARCHAR NOT NULL",
        "payload JSON NOT NULL",
        "run_id VARCHAR",
    ],
)
DOCUMENTS = _table(
    "documents",
    ["id"],
    [
        "id VARCHAR NOT NULL",
        "source VARCHAR NOT NULL",
        "kind VARCHAR NOT NULL",
        "external_id VARCHAR NOT NULL",
        "url VARCHAR",
        "title VARCHAR",
        "author VARCHAR",
        "published_at TIMESTAMPTZ",
        "language VARCHAR",
        "text VARCHAR NOT NULL",
        "summary VARCHAR",
        "removed_lines VARCHAR[]",
        "content_hash VARCHAR NOT NULL",
        "version_hash VARCHAR NOT NULL",
        "metadata JSON",
        "first_seen_at TIMESTAMPTZ NOT NULL",
        "updated_at TIMESTAMPTZ NOT NULL",
        "revision INTEGER NOT NULL",
    ],
    filled_on_landing=["version_hash", "first_seen_at", "updated_at", "revision"],
)
CURSORS = _table(
    "cursors",
    ["source"],
    [
        "source VARCHAR NOT NULL",
        "etag VARCHAR",
        "last_modified VARCHAR",
        "last_id BIGINT",
        "last_date TIMESTAMPTZ",
        "state JSON",
        "updated_at TIMESTAMPTZ NOT NULL",
    ],
    filled_on_landing=["updated_at"],
)
RUNS = _table(
    "runs",
    ["run_id", "source"],
    [
        "run_id VARCHAR NOT NULL",
        "source VARCHAR NOT NULL",
        "mode VARCHAR NOT NULL",
        "started_at TIMESTAMPTZ NOT NULL",
        "finished_at TIMESTAMPTZ NOT NULL",
        "status VARCHAR NOT NULL",
        "fetched INTEGER NOT NULL",
        "new INTEGER NOT NULL",
        "updated INTEGER NOT NULL",
        "skipped INTEGER NOT NULL",
        "quarantined INTEGER NOT NULL",
        "errors INTEGER NOT NULL",
        "seconds DOUBLE NOT NULL",
        "error_message VARCHAR",
    ],
)
QUARANTINE = _table(
    "quarantine",
    ["source", "stage", "payload_hash", "reason"],
    [
        "source VARCHAR NOT NULL",
        "external_id VARCHAR",
        "stage VARCHAR NOT NULL",
        "reason VARCHAR NOT NULL",
        "payload VARCHAR NOT NULL",
        "payload_hash VARCHAR NOT NULL",
        "run_id VARCHAR",
        "quarantined_at TIMESTAMPTZ NOT NULL",
    ],
)

# -- 010_telegram.sql --------------------------------------------------------------------------------------------

TELEGRAM_CHANNELS = _table(
    "telegram_channels",
    ["channel_key"],
    [
        "channel_key VARCHAR NOT NULL",
        "channel_id BIGINT NOT NULL",
        "access_hash BIGINT",
        "username VARCHAR",
        "title VARCHAR",
        "resolved_at TIMESTAMPTZ NOT NULL",
    ],
    filled_on_landing=["resolved_at"],
)
TELEGRAM_COUNTER_SNAPSHOTS = _table(
    "telegram_counter_snapshots",
    ["source", "external_id", "observed_at"],
    [
        "source VARCHAR NOT NULL",
        "external_id VARCHAR NOT NULL",
        "document_id VARCHAR NOT NULL",
        "channel_id BIGINT",
        "channel_username VARCHAR",
        "message_id BIGINT NOT NULL",
        "observed_at TIMESTAMPTZ NOT NULL",
        "views BIGINT",
        "forwards BIGINT",
        "replies BIGINT",
        "reactions JSON",
        "reactions_total BIGINT",
        "via VARCHAR",
        "run_id VARCHAR",
    ],
)

# -- 070_telegram_tombstones.sql ---------------------------------------------------------------------------------

TELEGRAM_TOMBSTONES = _table(
    "telegram_tombstones",
    ["source", "external_id"],
    [
        "source VARCHAR NOT NULL",
        "external_id VARCHAR NOT NULL",
        "document_id VARCHAR NOT NULL",
        "channel_id BIGINT",
        "message_id BIGINT NOT NULL",
        "deleted_at TIMESTAMPTZ NOT NULL",
        "via VARCHAR NOT NULL",
        "run_id VARCHAR",
    ],
)

# -- 020_articles.sql, 051_minhash_bands.sql, 052_run_documents.sql ----------------------------------------------

MINHASH_SIGNATURES = _table(
    "minhash_signatures",
    ["document_id"],
    [
        "document_id VARCHAR NOT NULL",
        "content_hash VARCHAR NOT NULL",
        "num_perm INTEGER NOT NULL",
        "shingle_words INTEGER NOT NULL",
        "token_count INTEGER NOT NULL",
        "signature BLOB",
        "dedup_version VARCHAR NOT NULL",
        "created_at TIMESTAMPTZ NOT NULL",
    ],
)
STORY_CLUSTERS = _table(
    "story_clusters",
    ["document_id"],
    [
        "cluster_id VARCHAR NOT NULL",
        "document_id VARCHAR NOT NULL",
        "source VARCHAR NOT NULL",
        "first_source VARCHAR NOT NULL",
        "first_seen_at TIMESTAMPTZ NOT NULL",
        "document_seen_at TIMESTAMPTZ NOT NULL",
        "similarity DOUBLE NOT NULL",
        "matched_document_id VARCHAR",
        "method VARCHAR NOT NULL",
        "dedup_version VARCHAR NOT NULL",
        "clustered_at TIMESTAMPTZ NOT NULL",
    ],
)
MINHASH_BANDS = _table(
    "minhash_bands",
    ["document_id", "band"],
    ["document_id VARCHAR NOT NULL", "band INTEGER NOT NULL", "band_key UBIGINT NOT NULL"],
)
RUN_DOCUMENTS = _table(
    "run_documents",
    ["document_id"],
    ["run_id VARCHAR NOT NULL", "document_id VARCHAR NOT NULL"],
)

# -- 030_extraction.sql ------------------------------------------------------------------------------------------

# The first columns of every per-document extraction table: whose rows, and which extractor wrote them.
_EXTRACTED = ["document_id VARCHAR NOT NULL", "extractor_version VARCHAR NOT NULL"]
# Where in documents.text a found thing stands (Python character offsets).
_SPAN = ["start_char INTEGER NOT NULL", "end_char INTEGER NOT NULL"]

EXTRACTED_DOCUMENTS = _table(
    "extracted_documents",
    ["document_id"],
    [
        *_EXTRACTED,
        "version_hash VARCHAR NOT NULL",
        "language VARCHAR",
        "mentions INTEGER NOT NULL",
        "quotes INTEGER NOT NULL",
        "extracted_at TIMESTAMPTZ NOT NULL",
    ],
    filled_on_landing=["extracted_at"],
)
MENTIONS = _table(
    "mentions",
    ["document_id", "mention_index"],
    [
        *_EXTRACTED,
        "mention_index INTEGER NOT NULL",
        "text VARCHAR NOT NULL",
        "label VARCHAR NOT NULL",
        *_SPAN,
        "lemma VARCHAR",
        "language VARCHAR",
        "canonical_id VARCHAR NOT NULL",
        "canonical_name VARCHAR NOT NULL",
    ],
)
CANONICAL_ENTITIES = _table(
    "canonical_entities",
    ["canonical_id"],
    [
        "canonical_id VARCHAR NOT NULL",
        "name VARCHAR NOT NULL",
        "label VARCHAR NOT NULL",
        "aliases VARCHAR[] NOT NULL",
        "latitude DOUBLE",
        "longitude DOUBLE",
        "country_code VARCHAR",
        "extractor_version VARCHAR NOT NULL",
        "updated_at TIMESTAMPTZ NOT NULL",
    ],
    filled_on_landing=["updated_at"],
)
QUOTES = _table(
    "quotes",
    ["document_id", "quote_index"],
    [
        *_EXTRACTED,
        "quote_index INTEGER NOT NULL",
        "text VARCHAR NOT NULL",
        "kind VARCHAR NOT NULL",
        *_SPAN,
        "speaker VARCHAR",
        "speaker_canonical_id VARCHAR",
        "speaker_canonical VARCHAR",
        "verb VARCHAR",
        "speaker_start INTEGER",  # 060_quote_attribution.sql
        "speaker_end INTEGER",
        "attribution VARCHAR",
    ],
)
ATTRIBUTIONS = _table(
    "attributions",
    ["document_id", "start_char", "end_char"],
    [
        *_EXTRACTED,
        "outlet VARCHAR NOT NULL",
        "outlet_canonical VARCHAR NOT NULL",
        "cue VARCHAR NOT NULL",
        *_SPAN,
    ],
)
LINKS = _table(
    "links",
    ["document_id", "kind", "start_char", "end_char", "target"],
    [
        *_EXTRACTED,
        "kind VARCHAR NOT NULL",
        "value VARCHAR NOT NULL",
        "target VARCHAR NOT NULL",
        *_SPAN,
    ],
)
TELEGRAM_REFS = _table(
    "telegram_refs",
    ["document_id", "via", "start_char", "end_char", "channel"],
    [
        *_EXTRACTED,
        "channel VARCHAR NOT NULL",
        "post_id BIGINT",
        "via VARCHAR NOT NULL",
        "value VARCHAR NOT NULL",
        *_SPAN,
        "matched_document_id VARCHAR",
        "match_method VARCHAR",
    ],
    filled_on_landing=["matched_document_id", "match_method"],
)

# -- 080_page_fetches.sql ---------------------------------------------------------------------------------------

PAGE_FETCHES = _table(
    "page_fetches",
    ["document_id"],
    [
        "document_id VARCHAR NOT NULL",
        "source VARCHAR NOT NULL",
        "external_id VARCHAR NOT NULL",
        "url VARCHAR",
        "attempts INTEGER NOT NULL",
        "last_status VARCHAR NOT NULL",
        "http_status INTEGER",
        "last_error VARCHAR",
        "next_retry_at TIMESTAMPTZ",
        "updated_at TIMESTAMPTZ NOT NULL",
    ],
    filled_on_landing=["next_retry_at", "updated_at"],
)

# -- written by Warehouse._apply_migrations ----------------------------------------------------------------------

SCHEMA_VERSION = _table(
    "schema_version",
    ["version"],
    ["version INTEGER NOT NULL", "name VARCHAR NOT NULL", "applied_at TIMESTAMPTZ NOT NULL"],
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        SOURCES,
        RAW_ITEMS,
        DOCUMENTS,
        CURSORS,
        RUNS,
        QUARANTINE,
        TELEGRAM_CHANNELS,
        TELEGRAM_COUNTER_SNAPSHOTS,
        TELEGRAM_TOMBSTONES,
        MINHASH_SIGNATURES,
        STORY_CLUSTERS,
        MINHASH_BANDS,
        RUN_DOCUMENTS,
        EXTRACTED_DOCUMENTS,
        MENTIONS,
        CANONICAL_ENTITIES,
        QUOTES,
        ATTRIBUTIONS,
        LINKS,
        TELEGRAM_REFS,
        PAGE_FETCHES,
        SCHEMA_VERSION,
    )
}
